// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "airlock.skel.h"
#include "datapath.h"
#include "loader.h"
#include "policy.h"
#include "slots.h"

static int map_fd(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

int datapath_read_config(struct loader *l, struct airlock_config *ret_cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(map_fd(loader_skel(l)->maps.alk_config), &zero, ret_cfg))
		return -errno;
	return 0;
}

static int datapath_put_config(struct loader *l, const struct airlock_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(map_fd(loader_skel(l)->maps.alk_config), &zero, cfg, BPF_ANY))
		return -errno;
	return 0;
}

/* The pinned value's epoch plus one: it only ever moves forward, across
 * restarts too, so no memo entry of an older mapping can match again. */
static __u64 datapath_next_epoch(struct loader *l)
{
	struct airlock_config cur = {0};

	(void)datapath_read_config(l, &cur);
	return cur.cgroup_epoch + 1;
}

int datapath_write_config(struct loader *l, const struct airlock_config *cfg)
{
	struct airlock_config next = *cfg;

	next.cgroup_epoch = datapath_next_epoch(l);
	return datapath_put_config(l, &next);
}

/* After every change to alk_cgroup: the kernel's per-CPU memo of cgroup
 * resolutions (alk_memo) is stale from now on. */
static int datapath_cgroups_moved(struct loader *l)
{
	struct airlock_config cur = {0};
	int err = datapath_read_config(l, &cur);

	if (err)
		return err;
	cur.cgroup_epoch++;
	return datapath_put_config(l, &cur);
}

/* A new, empty trie typed with the template's BTF so bpftool names fields. */
static int datapath_new_trie(struct loader *l, __u64 gen)
{
	struct airlock_bpf *s = loader_skel(l);
	const struct bpf_map *tpl = s->maps.alk_policy_tpl;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC,
		    .btf_fd = bpf_object__btf_fd(s->obj),
		    .btf_key_type_id = bpf_map__btf_key_type_id(tpl),
		    .btf_value_type_id = bpf_map__btf_value_type_id(tpl));
	char name[BPF_OBJ_NAME_LEN];
	int fd;

	snprintf(name, sizeof(name), "alk_pol_%llu", (unsigned long long)(gen % 10000000));
	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, name, sizeof(struct airlock_policy_key),
			    sizeof(struct airlock_policy_value), AIRLOCK_POLICY_MAX_ENTRIES, &opts);
	return fd < 0 ? -errno : fd;
}

/* Re-point <pin_dir>/policy_active at the new trie: pin aside, rename over.
 * (bpffs refuses names with a dot, hence no ".new".) */
static int datapath_pin_active(const char *pin_dir, int fd)
{
	char tmp[PATH_MAX], path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", pin_dir, AIRLOCK_ACTIVE_PIN) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/%s_new", pin_dir, AIRLOCK_ACTIVE_PIN) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp))
		return -errno;
	if (rename(tmp, path) < 0) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}

int datapath_swap_policy(struct loader *l, const char *pin_dir, const struct policy_compiled *c,
			 __u64 gen)
{
	int outer = map_fd(loader_skel(l)->maps.alk_policy);
	__u32 zero = 0;
	int fd, err = 0;
	size_t i;

	fd = datapath_new_trie(l, gen);
	if (fd < 0)
		return fd;
	/* The trie has no batch update; 100k entries take ~0.1 s this way. */
	for (i = 0; i < c->n_entries; i++) {
		if (bpf_map_update_elem(fd, &c->entries[i].key, &c->entries[i].value, BPF_NOEXIST)) {
			err = -errno;
			goto out_close;
		}
	}
	/* The single atomic step: readers see the old trie or the new one. */
	if (bpf_map_update_elem(outer, &zero, &fd, BPF_ANY)) {
		err = -errno;
		goto out_close;
	}
	err = datapath_pin_active(pin_dir, fd);
out_close:
	/* The outer map holds the trie now; on error it is freed here. */
	close(fd);
	return err;
}

long datapath_policy_entries(struct loader *l)
{
	int outer = map_fd(loader_skel(l)->maps.alk_policy);
	struct airlock_policy_key key, next;
	__u32 zero = 0, id;
	long n = 0;
	void *prev = NULL;
	int fd;

	if (bpf_map_lookup_elem(outer, &zero, &id))
		return -ENOENT;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	close(fd);
	return n;
}

int datapath_cgroup_update(void *ctx, __u64 cgid, const struct airlock_cgroup_value *v)
{
	struct loader *l = ctx;

	if (bpf_map_update_elem(map_fd(loader_skel(l)->maps.alk_cgroup), &cgid, v, BPF_ANY))
		return -errno;
	return datapath_cgroups_moved(l);
}

int datapath_cgroup_remove(void *ctx, __u64 cgid)
{
	struct loader *l = ctx;

	if (bpf_map_delete_elem(map_fd(loader_skel(l)->maps.alk_cgroup), &cgid)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	return datapath_cgroups_moved(l);
}

int datapath_cgroup_prune(struct loader *l, int (*keep)(const void *ctx, __u64 cgid),
			  const void *ctx, unsigned *ret_pruned)
{
	int fd = map_fd(loader_skel(l)->maps.alk_cgroup);
	__u64 *stale = NULL, key, next;
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	int err = 0;

	/* Collect first: deleting while iterating restarts the walk. */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (keep(ctx, key))
			continue;
		if (n == cap) {
			__u64 *p = realloc(stale, (cap ? cap * 2 : 64) * sizeof(*p));

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			stale = p;
			cap = cap ? cap * 2 : 64;
		}
		stale[n++] = key;
	}
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, &stale[i]) && errno != ENOENT && !err)
			err = -errno;
	*ret_pruned = n;
	if (n) {
		int e = datapath_cgroups_moved(l);

		err = err ?: e;
	}
out:
	free(stale);
	return err;
}

int datapath_assign_slots(struct loader *l, struct policy *p)
{
	int fd = map_fd(loader_skel(l)->maps.alk_stats);
	__u32 *owner = NULL, *ids = NULL;
	unsigned char *fresh = NULL;
	__u16 *slot = NULL;
	size_t i, n = p->n_tenants;
	int err;

	owner = calloc(AIRLOCK_STATS_SLOTS, sizeof(*owner));
	ids = calloc(n + 1, sizeof(*ids));
	slot = calloc(n + 1, sizeof(*slot));
	fresh = calloc(n + 1, 1);
	if (!owner || !ids || !slot || !fresh) {
		err = -ENOMEM;
		goto out;
	}
	err = slots_owners(fd, owner);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		ids[i] = p->tenants[i].id;
	err = slots_plan(owner, AIRLOCK_STATS_SLOTS, ids, n, slot, fresh);
	if (err)
		goto out;
	/* Reset before any cgroup points at the slot (cgwatch_sync comes next). */
	for (i = 0; i < n && !err; i++)
		if (fresh[i])
			err = slots_reset(fd, slot[i], ids[i]);
	for (i = 0; i < n && !err; i++)
		p->tenants[i].slot = slot[i];
out:
	free(owner);
	free(ids);
	free(slot);
	free(fresh);
	return err;
}

int datapath_stats_foreach(struct loader *l, int (*fn)(void *ctx, __u32 slot,
						  const struct airlock_stats *st), void *ctx)
{
	return slots_foreach(map_fd(loader_skel(l)->maps.alk_stats), fn, ctx);
}
