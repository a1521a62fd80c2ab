/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Cgroup watcher: keeps the cgroup -> tenant mapping (alk_cgroup) current
 * as cgroups come and go under the governed subtree, through inotify.
 *
 * A cgroup's id is the inode number of its directory on the cgroup2 mount:
 * the value bpf_get_current_cgroup_id() returns and the 8-byte handle of
 * name_to_handle_at().
 *
 * Every directory at or below root is tracked (watched, indexed by id);
 * those whose path matches a workload glob of the policy, and their
 * descendants, are mapped.  Matches are only looked for inside root: a
 * glob matching an ancestor of root maps nothing.
 *
 * Every function returns 0 or a negative errno.  The sink's errors are
 * passed through; a mapping the sink refused is retried by the next
 * cgwatch_sync().
 */
#ifndef AIRLOCK_CGWATCH_H
#define AIRLOCK_CGWATCH_H

#include <linux/types.h>
#include <stddef.h>

#include "airlock/abi.h"

struct policy;

struct cgwatch_sink {          /* where mapping changes go: the BPF map in airlockd, a fake in tests */
	void *ctx;
	int (*update)(void *ctx, __u64 cgid, const struct airlock_cgroup_value *v);
	int (*remove)(void *ctx, __u64 cgid);  /* -ENOENT counts as success */
};

struct cgwatch;

/* mount: cgroup2 mount point; root: absolute path of the governed subtree (== mount or below it).
 * Paths given to policy_match_cgroup are relative to mount ("/a/b"), whatever root is.
 * Watches root only; call cgwatch_sync() next. */
int cgwatch_open(const char *mount, const char *root, const struct cgwatch_sink *sink, struct cgwatch **ret);
int cgwatch_fd(const struct cgwatch *w);                 /* the inotify fd, for the event loop */
/* Reconcile: walk the whole subtree (adding watches), compute each cgroup's tenant from p
 * (own glob match, else nearest matched ancestor = inherited), push updates for new/changed
 * entries FIRST, then removals of entries no longer wanted (add before delete: never a
 * transient hole). p may be NULL (= no tenants: everything removed).
 * -E2BIG: more directories than the limit (cgwatch_tracked() says how many are tracked);
 * those beyond it are neither watched nor mapped until a later sync finds room.
 * -ENOENT: root itself is gone; everything was unmapped. */
int cgwatch_sync(struct cgwatch *w, const struct policy *p);
/* Drain pending inotify events (non-blocking) and apply them: a new directory is watched and
 * scanned recursively (children may have been created before the watch was added), a removed
 * one is unmapped. IN_Q_OVERFLOW triggers a full cgwatch_sync.
 * At most a bounded number of reads per call: the fd stays readable when more is pending.
 * Renames (impossible on cgroup2, possible on other file systems) also trigger a full sync. */
int cgwatch_process(struct cgwatch *w, const struct policy *p);
/* Is cgid currently mapped (used by the daemon to prune stale entries of a previous run
 * from the pinned map)?  1 or 0. */
int cgwatch_contains(const struct cgwatch *w, __u64 cgid);
/* Visit mapped cgroups: rel_path relative to the mount, tenant id, AIRLOCK_CG_* flags. Stops and
 * returns fn's value when fn returns non-zero.  fn must not call into w. */
int cgwatch_foreach(const struct cgwatch *w, int (*fn)(void *ctx, const char *rel_path, __u64 cgid,
		    __u32 tenant, __u32 flags), void *ctx);
size_t cgwatch_count(const struct cgwatch *w);           /* mapped cgroups */
size_t cgwatch_tracked(const struct cgwatch *w);         /* tracked directories, mapped or not */
/* Lower the limit on tracked directories (default and maximum AIRLOCK_CGROUP_MAX_ENTRIES, so
 * that the map can never overflow).  -EINVAL outside 1..AIRLOCK_CGROUP_MAX_ENTRIES. */
int cgwatch_set_limit(struct cgwatch *w, size_t max_tracked);
struct cgwatch *cgwatch_free(struct cgwatch *w);         /* accepts NULL, returns NULL */

#endif /* AIRLOCK_CGWATCH_H */
