// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Control requests: status, stats, denials, reload.  Each view is built
 * from the kernel's own state (links, maps) rather than from what the
 * daemon believes it wrote, so airlockctl shows what is enforced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "airlock.h"
#include "cgwatch.h"
#include "control.h"
#include "daemon.h"
#include "datapath.h"
#include "evstream.h"
#include "loader.h"
#include "log.h"
#include "policy.h"

#define DENIALS_DEFAULT_LIMIT 100

static json_t *iso_time(time_t t)
{
	char buf[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *status_programs(struct airlock *a)
{
	struct loader_link_info li[LOADER_NPROGS];
	json_t *arr = json_array();
	int i, n;

	n = loader_links(a->loader, li, LOADER_NPROGS);
	for (i = 0; i < n; i++) {
		char pin[PATH_MAX + 32];

		if (snprintf(pin, sizeof(pin), "%s/links/%s", a->opts.pin_dir, li[i].name) >=
		    (int)sizeof(pin))
			pin[0] = '\0';
		json_array_append_new(arr,
			json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:b, s:s}", "name", li[i].name,
				  "attach", li[i].attach, "link_id", (json_int_t)li[i].link_id,
				  "prog_id", (json_int_t)li[i].prog_id,
				  "cgroup_id", (json_int_t)li[i].cgroup_id,
				  "attached", li[i].cgroup_id != 0, "adopted", li[i].adopted,
				  "pinned", pin));
	}
	return arr;
}

struct workload_ctx {
	struct airlock *a;
	json_t *arr;
	size_t *per_tenant;   /* cgroups mapped per policy tenant index */
};

static int status_workload(void *ctx, const char *rel_path, __u64 cgid, __u32 tenant, __u32 flags)
{
	struct workload_ctx *w = ctx;
	const char *name = "(unknown)";
	size_t i;

	for (i = 0; i < w->a->policy->n_tenants; i++) {
		if (w->a->policy->tenants[i].id == tenant) {
			name = w->a->policy->tenants[i].name;
			w->per_tenant[i]++;
			break;
		}
	}
	json_array_append_new(w->arr, json_pack("{s:s, s:I, s:s, s:b}", "cgroup", rel_path,
						"cgroup_id", (json_int_t)cgid, "tenant", name,
						"inherited", (flags & AIRLOCK_CG_INHERITED) != 0));
	return 0;
}

static json_t *cmd_status(struct airlock *a)
{
	const struct policy *p = a->policy;
	size_t per_tenant[POLICY_MAX_TENANTS] = {0};
	struct workload_ctx w = {.a = a, .arr = json_array(), .per_tenant = per_tenant};
	json_t *tenants = json_array(), *out;
	long entries;
	size_t i, j;

	cgwatch_foreach(a->cgwatch, status_workload, &w);
	for (i = 0; i < p->n_tenants; i++) {
		json_t *globs = json_array();

		for (j = 0; j < p->tenants[i].n_workloads; j++)
			json_array_append_new(globs, json_string(p->tenants[i].workloads[j].cgroup));
		json_array_append_new(tenants,
			json_pack("{s:s, s:I, s:o, s:I, s:I}", "name", p->tenants[i].name, "id",
				  (json_int_t)p->tenants[i].id, "workloads", globs, "egress_rules",
				  (json_int_t)p->tenants[i].n_egress, "cgroups",
				  (json_int_t)per_tenant[i]));
	}
	entries = datapath_policy_entries(a->loader);
	out = json_pack("{s:s, s:i, s:b, s:I, s:o, s:{s:s, s:I, s:o, s:s}, s:s, s:s, s:s, s:b,"
			" s:o, s:o, s:o, s:I}",
			"version", AIRLOCK_VERSION, "pid", (int)getpid(), "ready", 1,
			"generation", (json_int_t)a->generation, "started", iso_time(a->started),
			"policy", "file", a->opts.policy_path, "entries", (json_int_t)entries,
			"applied", iso_time(a->applied), "unmatched_workloads",
			p->unmatched == AIRLOCK_ALLOW ? "allow" : "deny",
			"cgroup_mount", a->opts.cgroup_mount, "cgroup_root", a->opts.cgroup_root,
			"pin_dir", a->opts.pin_dir, "adopted", a->adopted,
			"programs", status_programs(a), "tenants", tenants, "workloads", w.arr,
			"denials_total", (json_int_t)evstream_total(a->events));
	json_object_set_new(out, "link_repairs", json_integer(a->repairs));
	return out;
}

static json_t *stats_json(const char *name, __u32 id, const struct airlock_stats *st)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "tenant", name, "id", (json_int_t)id,
			 "connect_allowed", (json_int_t)st->connect_allowed,
			 "connect_denied", (json_int_t)st->connect_denied,
			 "dgram_allowed", (json_int_t)st->dgram_allowed,
			 "dgram_denied", (json_int_t)st->dgram_denied,
			 "sock_denied", (json_int_t)st->sock_denied,
			 "egress_packets", (json_int_t)st->egress_packets,
			 "egress_bytes", (json_int_t)st->egress_bytes,
			 "egress_dropped", (json_int_t)st->egress_dropped,
			 "ingress_packets", (json_int_t)st->ingress_packets,
			 "ingress_bytes", (json_int_t)st->ingress_bytes);
}

static int stats_collect(void *ctx, __u32 slot, const struct airlock_stats *st)
{
	struct airlock_stats *by_slot = ctx;

	if (slot < AIRLOCK_STATS_SLOTS)
		by_slot[slot] = *st;
	return 0;
}

static int stats_in_policy(const struct policy *p, __u32 id)
{
	size_t i;

	for (i = 0; i < p->n_tenants; i++)
		if (p->tenants[i].id == id)
			return 1;
	return 0;
}

/* One pass over alk_stats, then each tenant's slot; slots owned by ids no
 * tenant of the current policy has are listed as removed tenants. */
static json_t *cmd_stats(struct airlock *a, json_t *req)
{
	const char *only = json_string_value(json_object_get(req, "tenant"));
	const struct policy *p = a->policy;
	struct airlock_stats *by_slot, zero = {0};
	json_t *arr;
	int found = 0, err;
	size_t i;

	by_slot = calloc(AIRLOCK_STATS_SLOTS, sizeof(*by_slot));
	if (!by_slot)
		return control_error("server_error", "out of memory");
	err = datapath_stats_foreach(a->loader, stats_collect, by_slot);
	if (err) {
		free(by_slot);
		return control_error("server_error", "reading alk_stats: %s", strerror(-err));
	}
	arr = json_array();
	for (i = 0; i < p->n_tenants; i++) {
		const struct policy_tenant *t = &p->tenants[i];
		const struct airlock_stats *st = &by_slot[t->slot];

		if (only && strcmp(only, t->name))
			continue;
		found = 1;
		if (!t->slot || st->tenant != t->id)
			st = &zero;
		json_array_append_new(arr, stats_json(t->name, t->id, st));
	}
	if (!only || !strcmp(only, "(unmatched)")) {
		found = 1;
		json_array_append_new(arr, stats_json("(unmatched)", 0, &by_slot[0]));
	}
	for (i = 1; !only && i < AIRLOCK_STATS_SLOTS; i++)
		if (by_slot[i].tenant && !stats_in_policy(p, by_slot[i].tenant))
			json_array_append_new(arr, stats_json("(removed)", by_slot[i].tenant,
							      &by_slot[i]));
	free(by_slot);
	if (!found) {
		json_decref(arr);
		return control_error("invalid_request_error", "no tenant named '%s' in %s", only,
				     a->opts.policy_path);
	}
	return json_pack("{s:I, s:o}", "generation", (json_int_t)a->generation, "tenants", arr);
}

static json_t *cmd_denials(struct airlock *a, struct control_client *c, json_t *req)
{
	json_t *limit = json_object_get(req, "limit");
	size_t n = DENIALS_DEFAULT_LIMIT;

	(void)evstream_poll(a->events); /* include what the ring holds right now */
	if (json_is_integer(limit) && json_integer_value(limit) >= 0)
		n = json_integer_value(limit);
	if (json_is_true(json_object_get(req, "follow")))
		control_client_follow(c);
	return json_pack("{s:o, s:I}", "denials", evstream_history(a->events, n), "total",
			 (json_int_t)evstream_total(a->events));
}

static json_t *cmd_reload(struct airlock *a)
{
	int err = daemon_reload(a);

	if (err)
		return control_error("invalid_request_error",
				     "policy %s rejected, previous policy stays in force (see log): %s",
				     a->opts.policy_path, strerror(-err));
	return json_pack("{s:b, s:I}", "reloaded", 1, "generation", (json_int_t)a->generation);
}

json_t *daemon_command(void *ctx, struct control_client *c, json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	struct airlock *a = ctx;

	if (!cmd)
		return control_error("invalid_request_error", "missing string field 'cmd'");
	if (!strcmp(cmd, "status"))
		return cmd_status(a);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(a, req);
	if (!strcmp(cmd, "denials"))
		return cmd_denials(a, c, req);
	if (!strcmp(cmd, "reload"))
		return cmd_reload(a);
	return control_error("invalid_request_error", "unknown command '%s'", cmd);
}
