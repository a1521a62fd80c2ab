/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cgwatch: a directory tree on tmpfs (/dev/shm, else /tmp) stands in for the cgroup2 mount
 * (inotify works there and inode numbers are the ids), a fake sink records
 * every call and models the map.  One case runs on the real cgroup2 mount
 * when there is one and we are root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgwatch.h"
#include "policy.h"

/* --- fake sink ----------------------------------------------------------------- */

#define FAKE_MAP_MAX 512

struct call {
	char op;                           /* 'u' or 'r' */
	__u64 cgid;
	struct airlock_cgroup_value v;
};

struct fake {
	struct call *calls;
	size_t n_calls;
	size_t cap;
	struct {
		__u64 cgid;
		struct airlock_cgroup_value v;
	} map[FAKE_MAP_MAX];
	size_t n_map;
	__u64 fail_cgid;                   /* the call on this id fails ... */
	char fail_op;                      /* ... when it is this op */
	int fail_err;
	size_t bad_removes;                /* removals of ids never added */
};

static void fake_record(struct fake *f, char op, __u64 cgid, const struct airlock_cgroup_value *v)
{
	if (f->n_calls == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->calls = realloc(f->calls, f->cap * sizeof(*f->calls));
		assert_non_null(f->calls);
	}
	f->calls[f->n_calls] = (struct call){.op = op, .cgid = cgid};
	if (v)
		f->calls[f->n_calls].v = *v;
	f->n_calls++;
}

static ssize_t fake_find(const struct fake *f, __u64 cgid)
{
	size_t i;

	for (i = 0; i < f->n_map; i++)
		if (f->map[i].cgid == cgid)
			return (ssize_t)i;
	return -1;
}

/* The counter slot the fixture gives each tenant (the agent's choice in life). */
static __u16 fake_slot(__u32 tenant)
{
	return (__u16)(tenant & 0xf);
}

static int fake_update(void *ctx, __u64 cgid, const struct airlock_cgroup_value *v)
{
	struct fake *f = ctx;
	ssize_t i;

	fake_record(f, 'u', cgid, v);
	if (f->fail_op == 'u' && f->fail_cgid == cgid)
		return f->fail_err;
	assert_true(v->tenant != 0);
	assert_true(v->flags == AIRLOCK_CG_WORKLOAD || v->flags == AIRLOCK_CG_INHERITED);
	/* Inherited entries carry their workload's counter slot too. */
	assert_int_equal(v->slot, fake_slot(v->tenant));
	i = fake_find(f, cgid);
	if (i < 0) {
		if (f->n_map == FAKE_MAP_MAX)
			return -E2BIG;
		i = (ssize_t)f->n_map++;
	}
	f->map[i].cgid = cgid;
	f->map[i].v = *v;
	return 0;
}

static int fake_remove(void *ctx, __u64 cgid)
{
	struct fake *f = ctx;
	ssize_t i;

	fake_record(f, 'r', cgid, NULL);
	if (f->fail_op == 'r' && f->fail_cgid == cgid)
		return f->fail_err;
	i = fake_find(f, cgid);
	if (i < 0) {
		f->bad_removes++;
		return -ENOENT;
	}
	f->map[i] = f->map[--f->n_map];
	return 0;
}

/* --- fixture ------------------------------------------------------------------- */

#define ACME 0x0acfe001u
#define BETA 0x0bea7002u
#define GAMMA 0x0ea3a003u

struct fx {
	char dir[64];                      /* stands for the cgroup2 mount */
	struct fake sink;
	struct cgwatch *w;
	struct policy pol;
	struct policy_tenant tenants[3];
	struct policy_workload wl[3][2];
	char globs[3][2][128];
	char real_root[PATH_MAX];          /* test_real_cgroup2 */
};

/* Tenants of the test policy: name, id, then up to two globs (NULL ends). */
static void policy_set(struct fx *f, size_t n, ...)
{
	va_list ap;
	size_t t, i;

	memset(&f->pol, 0, sizeof(f->pol));
	memset(f->tenants, 0, sizeof(f->tenants));
	va_start(ap, n);
	for (t = 0; t < n; t++) {
		f->tenants[t].name = va_arg(ap, char *);
		f->tenants[t].id = va_arg(ap, __u32);
		f->tenants[t].slot = fake_slot(f->tenants[t].id);
		f->tenants[t].workloads = f->wl[t];
		for (i = 0; i < 2; i++) {
			const char *g = va_arg(ap, const char *);

			if (!g)
				break;
			snprintf(f->globs[t][i], sizeof(f->globs[t][i]), "%s", g);
			f->wl[t][i].cgroup = f->globs[t][i];
			f->tenants[t].n_workloads++;
		}
		if (i == 2)
			assert_null(va_arg(ap, const char *));
	}
	va_end(ap);
	f->pol.tenants = f->tenants;
	f->pol.n_tenants = n;
	f->pol.unmatched = AIRLOCK_DENY;
}

static void path_of(const struct fx *f, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", f->dir, rel);
}

static void mk(const struct fx *f, const char *rel)
{
	char p[PATH_MAX];

	path_of(f, rel, p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
}

static void rm(const struct fx *f, const char *rel)
{
	char p[PATH_MAX];

	path_of(f, rel, p, sizeof(p));
	assert_int_equal(rmdir(p), 0);
}

static __u64 ino(const struct fx *f, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(f, rel, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cgwatch_sink sink = {.update = fake_update, .remove = fake_remove};

	assert_non_null(f);
	/* tmpfs: inode numbers are never reused soon, unlike ext4's */
	snprintf(f->dir, sizeof(f->dir), "%s/cgwatch.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	assert_non_null(mkdtemp(f->dir));
	mk(f, "tenants");
	mk(f, "tenants/acme");
	mk(f, "tenants/acme/w1");
	mk(f, "tenants/acme/w1/sub");
	mk(f, "tenants/acme/w1/sub/deeper");
	mk(f, "tenants/acme/w2");
	mk(f, "tenants/beta");
	mk(f, "tenants/beta/b1");
	mk(f, "other");
	mk(f, "other/x");
	sink.ctx = &f->sink;
	assert_int_equal(cgwatch_open(f->dir, f->dir, &sink, &f->w), 0);
	policy_set(f, 2, "acme", ACME, "/tenants/acme/*", NULL, "beta", BETA, "/tenants/beta/*", NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	f->w = cgwatch_free(f->w);
	assert_null(f->w);
	assert_int_equal(f->sink.bad_removes, 0);
	free(f->sink.calls);
	(void)nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (f->real_root[0]) {
		char p[PATH_MAX + 8];

		snprintf(p, sizeof(p), "%s/w1/c", f->real_root);
		(void)rmdir(p);
		snprintf(p, sizeof(p), "%s/w1", f->real_root);
		(void)rmdir(p);
		(void)rmdir(f->real_root);
	}
	free(f);
	return 0;
}

/* The fake map holds rel with this value; tenant 0: holds nothing for it. */
static void assert_map(const struct fx *f, __u64 cgid, __u32 tenant, __u32 flags)
{
	ssize_t i = fake_find(&f->sink, cgid);

	if (!tenant) {
		assert_true(i < 0);
		assert_false(cgwatch_contains(f->w, cgid));
		return;
	}
	assert_true(i >= 0);
	assert_int_equal(f->sink.map[i].v.tenant, tenant);
	assert_int_equal(f->sink.map[i].v.flags, flags);
	assert_true(cgwatch_contains(f->w, cgid));
}

static void assert_mapped(const struct fx *f, const char *rel, __u32 tenant, __u32 flags)
{
	assert_map(f, ino(f, rel), tenant, flags);
}

/* The watcher's view equals the map, entry for entry. */
static int check_entry(void *ctx, const char *rel_path, __u64 cgid, __u32 tenant, __u32 flags)
{
	const struct fx *f = ctx;
	ssize_t i = fake_find(&f->sink, cgid);

	assert_true(rel_path[0] == '/');
	assert_true(i >= 0);
	assert_int_equal(f->sink.map[i].v.tenant, tenant);
	assert_int_equal(f->sink.map[i].v.flags, flags);
	return 0;
}

static void assert_consistent(const struct fx *f)
{
	assert_int_equal(cgwatch_count(f->w), f->sink.n_map);
	assert_int_equal(cgwatch_foreach(f->w, check_entry, (void *)f), 0);
}

/* Process events until cgid is (un)mapped: bounded, waits on the fd, never sleeps blind. */
static void settle(struct fx *f, const struct policy *p, __u64 cgid, bool mapped)
{
	struct pollfd pfd = {.fd = cgwatch_fd(f->w), .events = POLLIN};
	int i;

	for (i = 0; i < 200; i++) {
		assert_int_equal(cgwatch_process(f->w, p), 0);
		if (!!cgwatch_contains(f->w, cgid) == mapped)
			return;
		(void)poll(&pfd, 1, 10);
	}
	fail_msg("cgroup %llu still %smapped", (unsigned long long)cgid, mapped ? "un" : "");
}

static size_t calls_since(const struct fx *f, size_t from, char op)
{
	size_t i, n = 0;

	for (i = from; i < f->sink.n_calls; i++)
		n += f->sink.calls[i].op == op;
	return n;
}

/* --- cases --------------------------------------------------------------------- */

static void test_open_invalid(void **state)
{
	struct fx *f = *state;
	struct cgwatch_sink sink = {.update = fake_update, .remove = fake_remove};
	struct cgwatch *w = (struct cgwatch *)&sink;  /* untouched on failure */
	char p[PATH_MAX];

	assert_int_equal(cgwatch_open("tmp", f->dir, &sink, &w), -EINVAL);
	path_of(f, "tenants", p, sizeof(p));
	assert_int_equal(cgwatch_open(p, f->dir, &sink, &w), -EINVAL);  /* mount below root */
	snprintf(p, sizeof(p), "%s", f->dir);
	*strrchr(p, '/') = '\0';
	assert_int_equal(cgwatch_open(f->dir, p, &sink, &w), -EINVAL);  /* root above mount */
	assert_int_equal(cgwatch_open("/proc", f->dir, &sink, &w), -EXDEV);  /* another fs */
	path_of(f, "nope", p, sizeof(p));
	assert_int_equal(cgwatch_open(f->dir, p, &sink, &w), -ENOENT);
	sink.remove = NULL;
	assert_int_equal(cgwatch_open(f->dir, f->dir, &sink, &w), -EINVAL);
	assert_ptr_equal(w, (struct cgwatch *)&sink);
	assert_null(cgwatch_free(NULL));
}

static void test_initial_sync(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_mapped(f, "tenants/acme/w1", ACME, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/acme/w1/sub", ACME, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/acme/w1/sub/deeper", ACME, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/acme/w2", ACME, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/beta/b1", BETA, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants", 0, 0);
	assert_mapped(f, "tenants/acme", 0, 0);
	assert_mapped(f, "other", 0, 0);
	assert_mapped(f, "other/x", 0, 0);
	assert_map(f, ino(f, "."), 0, 0);
	assert_int_equal(cgwatch_count(f->w), 5);
	assert_int_equal(cgwatch_tracked(f->w), 11);
	assert_int_equal(calls_since(f, 0, 'u'), 5);
	assert_int_equal(calls_since(f, 0, 'r'), 0);
	assert_consistent(f);

	/* Nothing changed: nothing pushed. */
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_int_equal(f->sink.n_calls, 5);
}

struct collect {
	char paths[8][PATH_MAX];
	__u32 flags[8];
	size_t n;
	size_t stop_after;
};

static int collect(void *ctx, const char *rel_path, __u64 cgid, __u32 tenant, __u32 flags)
{
	struct collect *c = ctx;

	(void)cgid;
	(void)tenant;
	assert_true(c->n < 8);
	snprintf(c->paths[c->n], PATH_MAX, "%s", rel_path);
	c->flags[c->n++] = flags;
	return c->n == c->stop_after ? 42 : 0;
}

static bool collected(const struct collect *c, const char *path, __u32 flags)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->paths[i], path))
			return c->flags[i] == flags;
	return false;
}

static void test_queries(void **state)
{
	struct fx *f = *state;
	struct collect c = {0};

	assert_int_equal(cgwatch_count(f->w), 0);
	assert_int_equal(cgwatch_foreach(f->w, collect, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_true(cgwatch_fd(f->w) >= 0);
	assert_int_equal(cgwatch_foreach(f->w, collect, &c), 0);
	assert_int_equal(c.n, 5);
	assert_true(collected(&c, "/tenants/acme/w1", AIRLOCK_CG_WORKLOAD));
	assert_true(collected(&c, "/tenants/acme/w1/sub", AIRLOCK_CG_INHERITED));
	assert_true(collected(&c, "/tenants/acme/w1/sub/deeper", AIRLOCK_CG_INHERITED));
	assert_true(collected(&c, "/tenants/acme/w2", AIRLOCK_CG_WORKLOAD));
	assert_true(collected(&c, "/tenants/beta/b1", AIRLOCK_CG_WORKLOAD));
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(cgwatch_foreach(f->w, collect, &c), 42);
	assert_int_equal(c.n, 2);
	assert_true(cgwatch_contains(f->w, ino(f, "tenants/beta/b1")));
	assert_false(cgwatch_contains(f->w, ino(f, "other")));
	assert_false(cgwatch_contains(f->w, 0));
	assert_int_equal(cgwatch_set_limit(f->w, 0), -EINVAL);
	assert_int_equal(cgwatch_set_limit(f->w, AIRLOCK_CGROUP_MAX_ENTRIES + 1), -EINVAL);
	assert_int_equal(cgwatch_set_limit(f->w, AIRLOCK_CGROUP_MAX_ENTRIES), 0);
}

/* root below the mount: paths stay relative to the mount, globs outside root map nothing. */
static void test_root_below_mount(void **state)
{
	struct fx *f = *state;
	struct cgwatch_sink sink = {.ctx = &f->sink, .update = fake_update, .remove = fake_remove};
	struct collect c = {0};
	char root[PATH_MAX];

	mk(f, "tenants/acme/other");
	path_of(f, "tenants/acme", root, sizeof(root));
	f->w = cgwatch_free(f->w);
	assert_int_equal(cgwatch_open(f->dir, root, &sink, &f->w), 0);
	/* gamma's glob matches an ancestor of root: ignored, nothing inherits it. */
	policy_set(f, 2, "acme", ACME, "/tenants/acme/w*", NULL, "gamma", GAMMA, "/tenants", NULL);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_mapped(f, "tenants/acme/w1", ACME, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/acme/w1/sub", ACME, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/acme/other", 0, 0);
	assert_mapped(f, "tenants/acme", 0, 0);
	assert_mapped(f, "tenants/beta/b1", 0, 0);  /* outside root */
	assert_int_equal(cgwatch_tracked(f->w), 6);
	assert_int_equal(cgwatch_foreach(f->w, collect, &c), 0);
	assert_int_equal(c.n, 4);
	assert_true(collected(&c, "/tenants/acme/w1/sub/deeper", AIRLOCK_CG_INHERITED));
	assert_true(collected(&c, "/tenants/acme/w2", AIRLOCK_CG_WORKLOAD));

	/* root itself may be a workload; its subtree inherits. */
	policy_set(f, 1, "gamma", GAMMA, "/tenants/acme", NULL);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_mapped(f, "tenants/acme", GAMMA, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/acme/other", GAMMA, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/acme/w1/sub", GAMMA, AIRLOCK_CG_INHERITED);
	assert_consistent(f);

	/* Events below root carry mount-relative paths too. */
	mk(f, "tenants/acme/w1/new");
	settle(f, &f->pol, ino(f, "tenants/acme/w1/new"), true);
	assert_mapped(f, "tenants/acme/w1/new", GAMMA, AIRLOCK_CG_INHERITED);
	assert_consistent(f);
}

static void test_mkdir_after_watch(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	mk(f, "tenants/acme/w3");
	settle(f, &f->pol, ino(f, "tenants/acme/w3"), true);
	assert_mapped(f, "tenants/acme/w3", ACME, AIRLOCK_CG_WORKLOAD);
	mk(f, "tenants/acme/w3/child");
	settle(f, &f->pol, ino(f, "tenants/acme/w3/child"), true);
	assert_mapped(f, "tenants/acme/w3/child", ACME, AIRLOCK_CG_INHERITED);
	/* Unmatched directories are watched but stay unmapped. */
	mk(f, "other/y");
	mk(f, "other/y/w9");
	mk(f, "tenants/beta/b2");
	settle(f, &f->pol, ino(f, "tenants/beta/b2"), true);
	assert_mapped(f, "other/y", 0, 0);
	assert_mapped(f, "other/y/w9", 0, 0);
	assert_int_equal(cgwatch_tracked(f->w), 16);
	assert_consistent(f);
}

static void test_mkdir_deep(void **state)
{
	static const char *const deep[] = {
		"tenants/beta/b7", "tenants/beta/b7/a", "tenants/beta/b7/a/b", "tenants/beta/b7/a/b/c",
		"tenants/beta/b7/a/b/c/d", "tenants/beta/b7/a/b/c/d/e", "tenants/beta/b7/a/b/c/d/e/f",
	};
	struct fx *f = *state;
	size_t i;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	for (i = 0; i < sizeof(deep) / sizeof(deep[0]); i++)  /* mkdir -p, before any processing */
		mk(f, deep[i]);
	mk(f, "tenants/beta/b7/a/sibling");
	settle(f, &f->pol, ino(f, deep[6]), true);
	assert_mapped(f, deep[0], BETA, AIRLOCK_CG_WORKLOAD);
	for (i = 1; i < sizeof(deep) / sizeof(deep[0]); i++)
		assert_mapped(f, deep[i], BETA, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/beta/b7/a/sibling", BETA, AIRLOCK_CG_INHERITED);
	assert_int_equal(cgwatch_count(f->w), 5 + 8);
	/* Each pushed once, though events for the inner levels arrived after their scan. */
	assert_int_equal(calls_since(f, 0, 'u'), 5 + 8);
	assert_consistent(f);
}

static void test_rmdir(void **state)
{
	struct fx *f = *state;
	__u64 deeper = ino(f, "tenants/acme/w1/sub/deeper"), sub = ino(f, "tenants/acme/w1/sub");
	__u64 w1 = ino(f, "tenants/acme/w1"), x = ino(f, "other/x");
	size_t mark;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	mark = f->sink.n_calls;
	rm(f, "tenants/acme/w1/sub/deeper");
	settle(f, &f->pol, deeper, false);
	rm(f, "tenants/acme/w1/sub");
	rm(f, "tenants/acme/w1");
	rm(f, "other/x");
	settle(f, &f->pol, w1, false);
	assert_map(f, sub, 0, 0);
	assert_int_equal(calls_since(f, mark, 'r'), 3);
	assert_int_equal(calls_since(f, mark, 'u'), 0);
	assert_int_equal(cgwatch_count(f->w), 2);
	assert_int_equal(cgwatch_tracked(f->w), 7);
	assert_false(cgwatch_contains(f->w, x));
	assert_consistent(f);
}

/* rmdir and mkdir under the same name before the events are read. */
static void test_replaced_same_name(void **state)
{
	struct fx *f = *state;
	__u64 old = ino(f, "tenants/acme/w2"), new;
	size_t mark;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	rm(f, "tenants/acme/w2");
	mk(f, "tenants/acme/w2");
	new = ino(f, "tenants/acme/w2");
	assert_true(new != old);
	settle(f, &f->pol, new, true);
	assert_map(f, old, 0, 0);
	assert_map(f, new, ACME, AIRLOCK_CG_WORKLOAD);
	assert_int_equal(cgwatch_tracked(f->w), 11);
	assert_consistent(f);

	/* Again, found by a full walk first; the events read after it change nothing. */
	old = new;
	rm(f, "tenants/acme/w2");
	mk(f, "tenants/acme/w2");
	new = ino(f, "tenants/acme/w2");
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_map(f, old, 0, 0);
	assert_map(f, new, ACME, AIRLOCK_CG_WORKLOAD);
	mark = f->sink.n_calls;
	assert_int_equal(cgwatch_process(f->w, &f->pol), 0);
	assert_int_equal(f->sink.n_calls, mark);
	assert_map(f, new, ACME, AIRLOCK_CG_WORKLOAD);
	assert_int_equal(cgwatch_tracked(f->w), 11);
	assert_consistent(f);
}

static void test_resync_order(void **state)
{
	struct fx *f = *state;
	size_t mark, i, last_update = 0, first_remove = SIZE_MAX;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	/* acme now owns only w2, beta owns other/ (and w1 through its own glob). */
	policy_set(f, 2, "acme", ACME, "/tenants/acme/w2", NULL, "beta", BETA, "/other",
		   "/tenants/acme/w1", NULL);
	mark = f->sink.n_calls;
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	for (i = mark; i < f->sink.n_calls; i++) {
		if (f->sink.calls[i].op == 'u')
			last_update = i;
		else if (first_remove == SIZE_MAX)
			first_remove = i;
	}
	assert_int_equal(calls_since(f, mark, 'u'), 5);  /* w1, sub, deeper, other, x */
	assert_int_equal(calls_since(f, mark, 'r'), 1);  /* b1 */
	assert_true(last_update < first_remove);
	assert_mapped(f, "tenants/acme/w1", BETA, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/acme/w1/sub/deeper", BETA, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/acme/w2", ACME, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "other", BETA, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "other/x", BETA, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/beta/b1", 0, 0);
	assert_consistent(f);
}

static void test_null_policy(void **state)
{
	struct fx *f = *state;
	size_t mark;

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	mark = f->sink.n_calls;
	assert_int_equal(cgwatch_sync(f->w, NULL), 0);
	assert_int_equal(calls_since(f, mark, 'r'), 5);
	assert_int_equal(calls_since(f, mark, 'u'), 0);
	assert_int_equal(cgwatch_count(f->w), 0);
	assert_int_equal(f->sink.n_map, 0);
	assert_int_equal(cgwatch_tracked(f->w), 11);  /* still watched */
	/* New directories stay unmapped without a policy... */
	mk(f, "tenants/acme/w5");
	assert_int_equal(cgwatch_process(f->w, NULL), 0);
	assert_mapped(f, "tenants/acme/w5", 0, 0);
	/* ...and are mapped by the next sync with one. */
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_mapped(f, "tenants/acme/w5", ACME, AIRLOCK_CG_WORKLOAD);
	assert_int_equal(cgwatch_count(f->w), 6);
	assert_consistent(f);
}

static void test_sink_errors(void **state)
{
	struct fx *f = *state;
	__u64 w2 = ino(f, "tenants/acme/w2"), b1 = ino(f, "tenants/beta/b1");

	/* An update refused: the others still pushed, first error returned, retried next time. */
	f->sink.fail_op = 'u';
	f->sink.fail_cgid = w2;
	f->sink.fail_err = -ENOMEM;
	assert_int_equal(cgwatch_sync(f->w, &f->pol), -ENOMEM);
	assert_int_equal(cgwatch_count(f->w), 4);
	assert_map(f, w2, 0, 0);
	assert_mapped(f, "tenants/beta/b1", BETA, AIRLOCK_CG_WORKLOAD);
	f->sink.fail_op = 0;
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_map(f, w2, ACME, AIRLOCK_CG_WORKLOAD);

	/* A removal refused: still mapped (and reported so), retried next time. */
	f->sink.fail_op = 'r';
	f->sink.fail_cgid = b1;
	f->sink.fail_err = -EPERM;
	assert_int_equal(cgwatch_sync(f->w, NULL), -EPERM);
	assert_int_equal(cgwatch_count(f->w), 1);
	assert_true(cgwatch_contains(f->w, b1));
	assert_consistent(f);
	f->sink.fail_op = 0;
	assert_int_equal(cgwatch_sync(f->w, NULL), 0);
	assert_int_equal(cgwatch_count(f->w), 0);
	assert_consistent(f);

	/* A positive return from a sink is still an error. */
	f->sink.fail_op = 'u';
	f->sink.fail_cgid = w2;
	f->sink.fail_err = 1;
	assert_int_equal(cgwatch_sync(f->w, &f->pol), -EIO);
	f->sink.fail_op = 0;
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_int_equal(cgwatch_count(f->w), 5);
}

static void test_limit(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cgwatch_set_limit(f->w, 8), 0);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), -E2BIG);
	assert_int_equal(cgwatch_tracked(f->w), 8);
	assert_consistent(f);
	/* Known directories survive another full walk; new ones are refused. */
	assert_int_equal(cgwatch_sync(f->w, &f->pol), -E2BIG);
	assert_int_equal(cgwatch_tracked(f->w), 8);
	assert_int_equal(cgwatch_set_limit(f->w, 64), 0);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_int_equal(cgwatch_tracked(f->w), 11);
	assert_int_equal(cgwatch_count(f->w), 5);
	assert_int_equal(cgwatch_set_limit(f->w, 11), 0);
	mk(f, "tenants/acme/w6");
	assert_int_equal(cgwatch_process(f->w, &f->pol), -E2BIG);
	assert_mapped(f, "tenants/acme/w6", 0, 0);
	assert_consistent(f);
}

/* Not possible on cgroup2 (EPERM), but other file systems rename: a full sync follows. */
static void test_rename(void **state)
{
	struct fx *f = *state;
	char a[PATH_MAX], b[PATH_MAX];
	__u64 w1 = ino(f, "tenants/acme/w1"), x = ino(f, "other/x");

	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	path_of(f, "tenants/acme/w1", a, sizeof(a));
	path_of(f, "tenants/beta/w1", b, sizeof(b));
	assert_int_equal(rename(a, b), 0);
	path_of(f, "other/x", a, sizeof(a));
	path_of(f, "tenants/acme/x", b, sizeof(b));
	assert_int_equal(rename(a, b), 0);
	settle(f, &f->pol, x, true);
	assert_map(f, w1, BETA, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/beta/w1/sub", BETA, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/beta/w1/sub/deeper", BETA, AIRLOCK_CG_INHERITED);
	assert_map(f, x, ACME, AIRLOCK_CG_WORKLOAD);
	assert_int_equal(cgwatch_tracked(f->w), 11);
	assert_consistent(f);
	/* A subtree moved out of root is unmapped. */
	path_of(f, "tenants/beta/w1", a, sizeof(a));
	snprintf(b, sizeof(b), "%s.out", f->dir);
	assert_int_equal(rename(a, b), 0);
	settle(f, &f->pol, w1, false);
	assert_int_equal(rename(b, a), 0);
	settle(f, &f->pol, w1, true);
	assert_int_equal(cgwatch_tracked(f->w), 11);
	assert_consistent(f);
}

/* The queue overflows: events are lost, a full sync recovers what they said. */
static void test_overflow(void **state)
{
	struct fx *f = *state;
	unsigned long max_queued = 0;
	char name[64];
	FILE *fp;
	size_t i;

	fp = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	if (fp) {
		if (fscanf(fp, "%lu", &max_queued) != 1)
			max_queued = 0;
		fclose(fp);
	}
	if (!max_queued || max_queued > 60000)
		skip();
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	for (i = 0; i <= max_queued; i++) {
		snprintf(name, sizeof(name), "other/x/%zu", i);
		mk(f, name);
	}
	mk(f, "tenants/beta/late");  /* its IN_CREATE is lost */
	rm(f, "tenants/acme/w2");    /* and so is this IN_DELETE */
	settle(f, &f->pol, ino(f, "tenants/beta/late"), true);
	assert_int_equal(cgwatch_tracked(f->w), 11 + max_queued + 1 + 1 - 1);
	assert_int_equal(cgwatch_count(f->w), 5);
	assert_consistent(f);
}

/* root removed (here it can be: it is below the mount): everything unmapped, -ENOENT. */
static void test_root_removed(void **state)
{
	struct fx *f = *state;
	struct cgwatch_sink sink = {.ctx = &f->sink, .update = fake_update, .remove = fake_remove};
	struct pollfd pfd;
	char root[PATH_MAX];
	int i, err = 0;

	mk(f, "solo");
	path_of(f, "solo", root, sizeof(root));
	f->w = cgwatch_free(f->w);
	assert_int_equal(cgwatch_open(f->dir, root, &sink, &f->w), 0);
	policy_set(f, 1, "gamma", GAMMA, "/solo", NULL);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_mapped(f, "solo", GAMMA, AIRLOCK_CG_WORKLOAD);
	rm(f, "solo");
	pfd = (struct pollfd){.fd = cgwatch_fd(f->w), .events = POLLIN};
	for (i = 0; i < 200 && !err; i++) {
		err = cgwatch_process(f->w, &f->pol);
		if (!err)
			(void)poll(&pfd, 1, 10);
	}
	assert_int_equal(err, -ENOENT);
	assert_int_equal(cgwatch_count(f->w), 0);
	assert_int_equal(cgwatch_tracked(f->w), 0);
	assert_int_equal(f->sink.n_map, 0);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), -ENOENT);
	/* Made again: a new cgroup, found by the next sync. */
	mk(f, "solo");
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_mapped(f, "solo", GAMMA, AIRLOCK_CG_WORKLOAD);
	assert_consistent(f);
}

/* A policy as the daemon gets it: parsed, tenant ids from policy_tenant_id(). */
static void test_parsed_policy(void **state)
{
	static const char text[] =
		"{\"apiVersion\": \"airlock/v1\",\n"
		" \"defaults\": {\"unmatchedWorkloads\": \"deny\"},\n"
		" \"tenants\": [\n"
		"  {\"name\": \"contoso\", \"workloads\": [{\"cgroup\": \"/tenants/acme/*\"}],\n"
		"   \"egress\": [{\"name\": \"dns\", \"to\": [\"10.0.0.53/32\"], \"ports\": [53],"
		" \"protocol\": \"udp\"}]},\n"
		"  {\"name\": \"fabrikam\", \"workloads\": [{\"cgroup\": \"/other\"}],\n"
		"   \"egress\": [{\"name\": \"web\", \"to\": [\"10.0.0.80/32\"], \"ports\": [443],"
		" \"protocol\": \"tcp\"}]}]}\n";
	struct fx *f = *state;
	struct policy_error perr = {0};
	struct policy *p = NULL;
	__u32 contoso = policy_tenant_id("contoso"), fabrikam = policy_tenant_id("fabrikam");

	assert_int_equal(policy_load_buffer("test.json", text, sizeof(text) - 1, &p, &perr), 0);
	p->tenants[0].slot = fake_slot(p->tenants[0].id);  /* the agent's job */
	p->tenants[1].slot = fake_slot(p->tenants[1].id);
	assert_int_equal(cgwatch_sync(f->w, p), 0);
	assert_mapped(f, "tenants/acme/w1", contoso, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "tenants/acme/w1/sub/deeper", contoso, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "other", fabrikam, AIRLOCK_CG_WORKLOAD);
	assert_mapped(f, "other/x", fabrikam, AIRLOCK_CG_INHERITED);
	assert_mapped(f, "tenants/beta/b1", 0, 0);
	assert_int_equal(cgwatch_count(f->w), 6);
	mk(f, "other/x/y");
	settle(f, p, ino(f, "other/x/y"), true);
	assert_mapped(f, "other/x/y", fabrikam, AIRLOCK_CG_INHERITED);
	assert_consistent(f);
	p = policy_free(p);
}

/* --- the real cgroup2 mount --------------------------------------------------------- */

static bool cgroup2_mount(char *buf, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	bool found = false;
	FILE *fp = fopen("/proc/mounts", "r");

	if (!fp)
		return false;
	while (!found && fscanf(fp, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			found = true;
		}
	}
	fclose(fp);
	return found;
}

/* The 8-byte file handle of a cgroup2 directory is its cgroup id. */
static __u64 handle_id(const char *path)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[64];
	} h = {.fh.handle_bytes = 64};
	__u64 id = 0;
	int mnt;

	assert_int_equal(name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0), 0);
	assert_int_equal(h.fh.handle_bytes, sizeof(id));
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

struct one {
	__u64 cgid;
	char path[PATH_MAX];
};

static int find_one(void *ctx, const char *rel_path, __u64 cgid, __u32 tenant, __u32 flags)
{
	struct one *o = ctx;

	(void)tenant;
	(void)flags;
	if (cgid != o->cgid)
		return 0;
	snprintf(o->path, sizeof(o->path), "%s", rel_path);
	return 1;
}

static void test_real_cgroup2(void **state)
{
	struct fx *f = *state;
	struct cgwatch_sink sink = {.ctx = &f->sink, .update = fake_update, .remove = fake_remove};
	char mount[PATH_MAX], rel[128], glob[160], w1[PATH_MAX + 8], c[PATH_MAX + 16];
	struct one o = {0};
	struct stat st;
	__u64 id_w1, id_c;

	if (geteuid() != 0 || !cgroup2_mount(mount, sizeof(mount)))
		skip();
	snprintf(rel, sizeof(rel), "/alk_cgwatch_%d", (int)getpid());
	if (snprintf(f->real_root, sizeof(f->real_root), "%s%s", mount, rel) >=
	    (int)sizeof(f->real_root) || mkdir(f->real_root, 0755)) {
		f->real_root[0] = '\0';
		skip();  /* read-only or delegated away */
	}
	f->w = cgwatch_free(f->w);
	assert_int_equal(cgwatch_open(mount, f->real_root, &sink, &f->w), 0);
	snprintf(glob, sizeof(glob), "%s/w*", rel);
	policy_set(f, 1, "real", GAMMA, glob, NULL);
	assert_int_equal(cgwatch_sync(f->w, &f->pol), 0);
	assert_int_equal(cgwatch_tracked(f->w), 1);
	assert_int_equal(cgwatch_count(f->w), 0);

	snprintf(w1, sizeof(w1), "%s/w1", f->real_root);
	snprintf(c, sizeof(c), "%s/w1/c", f->real_root);
	assert_int_equal(mkdir(w1, 0755), 0);
	assert_int_equal(stat(w1, &st), 0);
	id_w1 = handle_id(w1);
	assert_int_equal(id_w1, st.st_ino);
	settle(f, &f->pol, id_w1, true);
	assert_map(f, id_w1, GAMMA, AIRLOCK_CG_WORKLOAD);
	assert_int_equal(mkdir(c, 0755), 0);
	id_c = handle_id(c);
	settle(f, &f->pol, id_c, true);
	assert_map(f, id_c, GAMMA, AIRLOCK_CG_INHERITED);
	o.cgid = id_c;
	assert_int_equal(cgwatch_foreach(f->w, find_one, &o), 1);
	snprintf(glob, sizeof(glob), "%s/w1/c", rel);
	assert_string_equal(o.path, glob);

	/* cgroup2 reports rmdir only as IN_DELETE on the parent. */
	assert_int_equal(rmdir(c), 0);
	settle(f, &f->pol, id_c, false);
	assert_int_equal(rmdir(w1), 0);
	settle(f, &f->pol, id_w1, false);
	assert_int_equal(cgwatch_count(f->w), 0);
	assert_int_equal(cgwatch_tracked(f->w), 1);
	assert_consistent(f);
	f->w = cgwatch_free(f->w);
	assert_int_equal(rmdir(f->real_root), 0);
	f->real_root[0] = '\0';
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_below_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_after_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rmdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_same_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sink_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parsed_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_cgroup2, setup, teardown),
	};

	return cmocka_run_group_tests_name("cgwatch", tests, NULL, NULL);
}
