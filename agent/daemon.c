// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "airlock.h"
#include "airlock.skel.h"
#include "cgwatch.h"
#include "control.h"
#include "daemon.h"
#include "datapath.h"
#include "evstream.h"
#include "loader.h"
#include "log.h"
#include "policy.h"

#define DAEMON_REPAIR_SEC 2

/* Load and compile the policy file; logs the precise error. */
static int daemon_load_policy(struct airlock *a, struct policy **ret_p,
			      struct policy_compiled **ret_c)
{
	struct policy_compiled *c = NULL;
	struct policy_error perr = {0};
	struct policy *p = NULL;
	char msg[1200];
	int err;

	err = policy_load_file(a->opts.policy_path, &p, &perr);
	if (!err)
		err = policy_compile(p, &c, &perr);
	if (err) {
		policy_error_format(&perr, msg, sizeof(msg));
		log_error("policy rejected, nothing applied: %s", msg);
		policy_free(p);
		return err;
	}
	*ret_p = p;
	*ret_c = c;
	return 0;
}

static const char *daemon_tenant_name(void *ctx, __u32 tenant)
{
	struct airlock *a = ctx;
	size_t i;

	if (!a->policy || tenant == 0)
		return NULL;
	for (i = 0; i < a->policy->n_tenants; i++)
		if (a->policy->tenants[i].id == tenant)
			return a->policy->tenants[i].name;
	return NULL;
}

static int daemon_keep_cgroup(const void *ctx, __u64 cgid)
{
	return cgwatch_contains(ctx, cgid);
}

/*
 * Write p into the datapath: counter slots, trie swap, then cgroup mapping
 * (adds before removals), then the configuration with a new generation,
 * which also invalidates the cached verdicts.  Assigns p->tenants[].slot.
 */
static int daemon_apply(struct airlock *a, struct policy *p, const struct policy_compiled *c)
{
	struct airlock_config cfg = {0};
	unsigned pruned = 0;
	__u64 gen;
	int err;

	(void)datapath_read_config(a->loader, &cfg);
	gen = (cfg.generation > a->generation ? cfg.generation : a->generation) + 1;

	/* First: harmless on its own, no cgroup points at a new slot yet. */
	err = datapath_assign_slots(a->loader, p);
	if (err) {
		log_error("assigning counter slots to %zu tenants: %s", p->n_tenants, strerror(-err));
		return err;
	}
	err = datapath_swap_policy(a->loader, a->opts.pin_dir, c, gen);
	if (err) {
		log_error("loading policy trie (%zu entries): %s", c->n_entries, strerror(-err));
		return err;
	}
	err = cgwatch_sync(a->cgwatch, p);
	a->cg_dirty = err != 0;
	if (err)
		log_error("mapping cgroups to tenants: %s (%zu cgroups tracked); retrying", strerror(-err),
			  cgwatch_tracked(a->cgwatch));
	err = datapath_cgroup_prune(a->loader, daemon_keep_cgroup, a->cgwatch, &pruned);
	if (err)
		log_warn("pruning stale cgroup entries: %s", strerror(-err));
	if (pruned)
		log_info("pruned %u stale cgroup entries", pruned);

	cfg.generation = gen;
	cfg.unmatched = p->unmatched;
	cfg.flags = AIRLOCK_CFG_READY;
	err = datapath_write_config(a->loader, &cfg);
	if (err) {
		log_error("writing datapath configuration: %s", strerror(-err));
		return err;
	}
	a->generation = gen;
	a->applied = time(NULL);
	log_info("policy %s applied: generation %llu, %zu tenants, %zu entries, %zu cgroups mapped",
		 a->opts.policy_path, (unsigned long long)gen, p->n_tenants, c->n_entries,
		 cgwatch_count(a->cgwatch));
	return 0;
}

static void daemon_cgroups_changed(evutil_socket_t fd, short what, void *arg)
{
	struct airlock *a = arg;
	int err;

	(void)fd;
	(void)what;
	err = cgwatch_process(a->cgwatch, a->policy);
	if (err) {
		log_warn("cgroup watch: %s; full re-sync scheduled", strerror(-err));
		a->cg_dirty = 1;
	}
}

/* Hooks can be detached by any process with CAP_BPF/CAP_SYS_ADMIN: check
 * every DAEMON_REPAIR_SEC and put them back, loudly.  Failed cgroup syncs
 * are retried on the same beat. */
static void daemon_check_links(evutil_socket_t fd, short what, void *arg)
{
	struct airlock *a = arg;
	unsigned repaired = 0;
	int err;

	(void)fd;
	(void)what;
	err = loader_repair(a->loader, a->opts.cgroup_root, &repaired);
	if (err)
		log_error("NOT ENFORCING: re-attaching detached programs to %s failed: %s",
			  a->opts.cgroup_root, strerror(-err));
	else if (repaired)
		log_error("%u programs had been detached or unpinned by another process; re-attached",
			  repaired);
	a->repairs += repaired;

	/* A failed sync (watch limit, map full, sink error) is retried here
	 * rather than waiting for the next cgroup event. */
	if (a->cg_dirty) {
		err = cgwatch_sync(a->cgwatch, a->policy);
		a->cg_dirty = err != 0;
		if (err)
			log_error("re-sync of cgroup mappings failed: %s", strerror(-err));
		else
			log_info("cgroup mappings re-synced: %zu cgroups mapped",
				 cgwatch_count(a->cgwatch));
	}
}

static void daemon_denial(void *ctx, json_t *denial)
{
	struct airlock *a = ctx;
	json_t *msg;

	if (!a->control)
		return;
	msg = json_pack("{s:O}", "denial", denial);
	if (msg) {
		control_broadcast(a->control, msg);
		json_decref(msg);
	}
}

int daemon_start(struct airlock *a)
{
	struct cgwatch_sink sink = {
		.update = datapath_cgroup_update,
		.remove = datapath_cgroup_remove,
	};
	struct policy_compiled *c = NULL;
	struct policy *p = NULL;
	int err;

	a->started = time(NULL);
	err = daemon_load_policy(a, &p, &c);
	if (err)
		return err;
	err = loader_open(a->opts.pin_dir, &a->loader);
	if (err) {
		log_error("loading BPF programs: %s", strerror(-err));
		if (err == -EINVAL)
			/* libbpf said which map above ("couldn't reuse pinned map") */
			log_error("if maps pinned in %s come from an older airlockd with another "
				  "layout, remove them with: airlockd --uninstall --pin-dir %s",
				  a->opts.pin_dir, a->opts.pin_dir);
		goto out_policy;
	}
	sink.ctx = a->loader;
	err = cgwatch_open(a->opts.cgroup_mount, a->opts.cgroup_root, &sink, &a->cgwatch);
	if (err) {
		log_error("watching cgroups under %s: %s", a->opts.cgroup_root, strerror(-err));
		goto out_policy;
	}
	/* Maps first, hooks last: a hook never runs against an empty config. */
	err = daemon_apply(a, p, c);
	if (err)
		goto out_policy;
	a->policy = p;
	a->compiled = c;

	err = loader_attach(a->loader, a->opts.cgroup_root);
	if (err) {
		log_error("attaching to %s: %s", a->opts.cgroup_root, strerror(-err));
		return err;
	}
	{
		struct loader_link_info li[LOADER_NPROGS];
		int i, n = loader_links(a->loader, li, LOADER_NPROGS);

		for (i = 0; i < n; i++)
			a->adopted |= li[i].adopted;
		log_info("%s %d programs on %s (pins in %s)", a->adopted ? "adopted" : "attached", n,
			 a->opts.cgroup_root, a->opts.pin_dir);
	}

	a->cg_event = event_new(a->base, cgwatch_fd(a->cgwatch), EV_READ | EV_PERSIST,
				daemon_cgroups_changed, a);
	if (!a->cg_event || event_add(a->cg_event, NULL))
		return -ENOMEM;
	{
		struct timeval every = {.tv_sec = DAEMON_REPAIR_SEC};

		a->repair_timer = event_new(a->base, -1, EV_PERSIST, daemon_check_links, a);
		if (!a->repair_timer || event_add(a->repair_timer, &every))
			return -ENOMEM;
	}
	err = evstream_open(a->base, bpf_map__fd(loader_skel(a->loader)->maps.alk_events),
			    daemon_tenant_name, a, &a->events);
	if (err) {
		log_error("opening the denial ring buffer: %s", strerror(-err));
		return err;
	}
	evstream_subscribe(a->events, daemon_denial, a);
	err = control_open(a->base, a->opts.control_path, daemon_command, a, &a->control);
	if (err) {
		log_error("control socket %s: %s", a->opts.control_path, strerror(-err));
		return err;
	}
	log_info("ready: control socket %s", a->opts.control_path);
	return 0;

out_policy:
	policy_compiled_free(c);
	policy_free(p);
	return err;
}

int daemon_reload(struct airlock *a)
{
	struct policy_compiled *c = NULL;
	struct policy *p = NULL;
	int err;

	err = daemon_load_policy(a, &p, &c);
	if (err)
		return err;
	err = daemon_apply(a, p, c);
	if (err) {
		policy_compiled_free(c);
		policy_free(p);
		return err;
	}
	policy_compiled_free(a->compiled);
	policy_free(a->policy);
	a->policy = p;
	a->compiled = c;
	return 0;
}

void daemon_stop(struct airlock *a)
{
	a->control = control_free(a->control);
	a->events = evstream_free(a->events);
	if (a->cg_event)
		event_free(a->cg_event);
	a->cg_event = NULL;
	if (a->repair_timer)
		event_free(a->repair_timer);
	a->repair_timer = NULL;
	a->cgwatch = cgwatch_free(a->cgwatch);
	a->loader = loader_free(a->loader);
	a->compiled = policy_compiled_free(a->compiled);
	a->policy = policy_free(a->policy);
}
