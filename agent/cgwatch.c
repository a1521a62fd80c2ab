/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Cgroup watcher.
 *
 * An in-memory tree mirrors the directories at and below root.  Three hash
 * tables index it: by cgroup id, by inotify watch descriptor, and by
 * (parent, name).  The last one is needed because cgroup2 reports an rmdir
 * only as IN_DELETE (with the name) on the parent: the removed directory's
 * own watch gets neither IN_DELETE_SELF nor IN_IGNORED at that moment.
 *
 * Walks are mark and sweep: every directory found gets the walk's
 * generation in ->seen; what a walk did not find is gone.  A walk holds one
 * directory open at a time and does not recurse: each directory is reopened
 * by its path and checked against its id, so a tenant nesting cgroups
 * deeply exhausts neither file descriptors nor the stack, and a directory
 * replaced under the same name is never taken for the old one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgwatch.h"
#include "policy.h"

#define CGWATCH_MASK \
	(IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)
#define CGWATCH_READ_BYTES  (64u << 10)  /* one read() of the inotify fd */
#define CGWATCH_MAX_READS   64           /* reads per cgwatch_process() call */
#define CGWATCH_MIN_BUCKETS 64

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Intrusive chained hash table; the hash is kept in the link for rehashing. */
struct hlink {
	struct hlink *next;
	__u64 hash;
};

struct htab {
	struct hlink **b;
	size_t n_b;             /* power of two */
	size_t n;
};

struct cgw_node {
	struct hlink by_cgid;
	struct hlink by_wd;
	struct hlink by_name;
	struct cgw_node *parent;
	struct cgw_node *child;  /* first child */
	struct cgw_node *prev;   /* siblings */
	struct cgw_node *next;
	char *name;              /* "" for root */
	__u64 cgid;
	__u64 seen;              /* generation of the walk that last found it */
	int wd;                  /* -1: not watched */
	bool named;              /* indexed in by_name */
	struct airlock_cgroup_value want;  /* from the policy; tenant 0: none */
	struct airlock_cgroup_value cur;   /* what the sink holds; tenant 0: none */
};

struct cgwatch {
	int ifd;
	dev_t dev;               /* file system of root: nothing else is walked */
	char *mount;             /* canonical, no trailing '/'; "" for "/" */
	char *root_abs;          /* canonical */
	const char *root_rel;    /* root relative to the mount, in root_abs; "" for the mount */
	struct cgwatch_sink sink;
	struct cgw_node *root;   /* NULL before the first sync and after root vanished */
	struct htab by_cgid;
	struct htab by_wd;
	struct htab by_name;
	size_t n_nodes;          /* tracked */
	size_t n_mapped;         /* cur.tenant != 0 */
	size_t max_nodes;
	__u64 gen;
	bool need_full;          /* overflow or rename seen: full sync after this batch */
	char *buf;               /* CGWATCH_READ_BYTES */
};

static void keep_first(int *err, int r)
{
	if (r && !*err)
		*err = r;
}

static __u64 mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* --- hash tables ------------------------------------------------------------ */

static int htab_init(struct htab *t)
{
	t->b = calloc(CGWATCH_MIN_BUCKETS, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->n_b = CGWATCH_MIN_BUCKETS;
	t->n = 0;
	return 0;
}

static struct hlink *htab_head(const struct htab *t, __u64 hash)
{
	return t->b[hash & (t->n_b - 1)];
}

/* Doubles the buckets at load factor 1; without memory it stays correct, only slower. */
static void htab_grow(struct htab *t)
{
	struct hlink **b, *l, *next;
	size_t i, n_b = t->n_b * 2;

	if (t->n < t->n_b)
		return;
	b = calloc(n_b, sizeof(*b));
	if (!b)
		return;
	for (i = 0; i < t->n_b; i++) {
		for (l = t->b[i]; l; l = next) {
			next = l->next;
			l->next = b[l->hash & (n_b - 1)];
			b[l->hash & (n_b - 1)] = l;
		}
	}
	free(t->b);
	t->b = b;
	t->n_b = n_b;
}

static void htab_add(struct htab *t, struct hlink *l, __u64 hash)
{
	struct hlink **head;

	htab_grow(t);
	head = &t->b[hash & (t->n_b - 1)];
	l->hash = hash;
	l->next = *head;
	*head = l;
	t->n++;
}

static void htab_del(struct htab *t, struct hlink *l)
{
	struct hlink **pp = &t->b[l->hash & (t->n_b - 1)];

	while (*pp && *pp != l)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = l->next;
		t->n--;
	}
}

/* --- node indexes ------------------------------------------------------------- */

static __u64 name_hash(const struct cgw_node *parent, const char *name)
{
	__u64 h = 0xcbf29ce484222325ULL;  /* FNV-1a 64 */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return mix64(h ^ mix64(parent->cgid));
}

static struct cgw_node *node_by_cgid(const struct cgwatch *w, __u64 cgid)
{
	__u64 h = mix64(cgid);
	struct hlink *l;

	for (l = htab_head(&w->by_cgid, h); l; l = l->next) {
		struct cgw_node *n = container_of(l, struct cgw_node, by_cgid);

		if (n->cgid == cgid)
			return n;
	}
	return NULL;
}

static struct cgw_node *node_by_wd(const struct cgwatch *w, int wd)
{
	__u64 h = mix64((__u64)(unsigned int)wd);
	struct hlink *l;

	for (l = htab_head(&w->by_wd, h); l; l = l->next) {
		struct cgw_node *n = container_of(l, struct cgw_node, by_wd);

		if (n->wd == wd)
			return n;
	}
	return NULL;
}

static struct cgw_node *node_by_name(const struct cgwatch *w, const struct cgw_node *parent,
				     const char *name)
{
	__u64 h = name_hash(parent, name);
	struct hlink *l;

	for (l = htab_head(&w->by_name, h); l; l = l->next) {
		struct cgw_node *n = container_of(l, struct cgw_node, by_name);

		if (l->hash == h && n->parent == parent && !strcmp(n->name, name))
			return n;
	}
	return NULL;
}

static void name_index(struct cgwatch *w, struct cgw_node *n)
{
	htab_add(&w->by_name, &n->by_name, name_hash(n->parent, n->name));
	n->named = true;
}

static void name_unindex(struct cgwatch *w, struct cgw_node *n)
{
	if (n->named)
		htab_del(&w->by_name, &n->by_name);
	n->named = false;
}

static void wd_unindex(struct cgwatch *w, struct cgw_node *n)
{
	if (n->wd >= 0)
		htab_del(&w->by_wd, &n->by_wd);
	n->wd = -1;
}

/* --- tree ----------------------------------------------------------------------- */

static void tree_link(struct cgw_node *parent, struct cgw_node *n)
{
	n->parent = parent;
	n->prev = NULL;
	n->next = parent->child;
	if (parent->child)
		parent->child->prev = n;
	parent->child = n;
}

static void tree_unlink(struct cgw_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->parent = n->prev = n->next = NULL;
}

/* Pre-order successor of n within top's subtree. */
static struct cgw_node *next_any(struct cgw_node *n, const struct cgw_node *top, bool descend)
{
	if (descend && n->child)
		return n->child;
	for (; n != top; n = n->parent)
		if (n->next)
			return n->next;
	return NULL;
}

/* Pre-order successor among the nodes found by the current walk; does not
 * descend below a node the walk did not find. */
static struct cgw_node *next_seen(const struct cgwatch *w, struct cgw_node *n,
				  const struct cgw_node *top)
{
	struct cgw_node *c;

	if (n->seen == w->gen)
		for (c = n->child; c; c = c->next)
			if (c->seen == w->gen)
				return c;
	for (; n != top; n = n->parent)
		for (c = n->next; c; c = c->next)
			if (c->seen == w->gen)
				return c;
	return NULL;
}

/*
 * Path of n (and of its child when given) relative to the mount, or
 * absolute.  The mount itself is "/".
 */
static int node_path(const struct cgwatch *w, const struct cgw_node *n, const char *child,
		     bool absolute, char *buf, size_t size)
{
	const char *prefix = absolute ? w->mount : "";
	size_t lp = strlen(prefix), lr = strlen(w->root_rel), len = lp + lr, l;
	const struct cgw_node *m;

	for (m = n; m != w->root; m = m->parent)
		len += 1 + strlen(m->name);
	if (child)
		len += 1 + strlen(child);
	if (len == lp)
		len++;  /* "/" */
	if (len >= size)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	buf[lp] = '/';
	if (child) {
		l = strlen(child);
		memcpy(buf + len - l, child, l);
		len -= l + 1;
		buf[len] = '/';
	}
	for (m = n; m != w->root; m = m->parent) {
		l = strlen(m->name);
		memcpy(buf + len - l, m->name, l);
		len -= l + 1;
		buf[len] = '/';
	}
	memcpy(buf, prefix, lp);
	memcpy(buf + lp, w->root_rel, lr);
	return 0;
}

/* --- sink --------------------------------------------------------------------- */

static int sink_update(struct cgwatch *w, struct cgw_node *n)
{
	int r = w->sink.update(w->sink.ctx, n->cgid, &n->want);

	if (r)
		return r < 0 ? r : -EIO;
	if (!n->cur.tenant)
		w->n_mapped++;
	n->cur = n->want;
	return 0;
}

static int sink_remove(struct cgwatch *w, struct cgw_node *n)
{
	int r;

	if (!n->cur.tenant)
		return 0;
	r = w->sink.remove(w->sink.ctx, n->cgid);
	if (r && r != -ENOENT)
		return r < 0 ? r : -EIO;
	n->cur = (struct airlock_cgroup_value){0};
	w->n_mapped--;
	return 0;
}

/* --- node life -------------------------------------------------------------------- */

static int node_new(struct cgwatch *w, struct cgw_node *parent, const char *name, __u64 cgid,
		    struct cgw_node **ret)
{
	struct cgw_node *n;

	if (w->n_nodes >= w->max_nodes)
		return -E2BIG;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return -ENOMEM;
	}
	n->cgid = cgid;
	n->wd = -1;
	n->seen = w->gen;
	htab_add(&w->by_cgid, &n->by_cgid, mix64(cgid));
	if (parent) {
		tree_link(parent, n);
		name_index(w, n);
	}
	w->n_nodes++;
	*ret = n;
	return 0;
}

/* Forget a leaf: unmap it, drop its watch, free it.  A mapping the sink
 * refuses to remove is forgotten anyway: the cgroup is gone, its id is
 * never reused, and the daemon prunes what cgwatch_contains() disowns. */
static int node_drop(struct cgwatch *w, struct cgw_node *n, bool unmap)
{
	int err = unmap ? sink_remove(w, n) : 0;

	if (n->cur.tenant)
		w->n_mapped--;
	if (n->wd >= 0)
		(void)inotify_rm_watch(w->ifd, n->wd);
	wd_unindex(w, n);
	name_unindex(w, n);
	htab_del(&w->by_cgid, &n->by_cgid);
	tree_unlink(n);
	if (n == w->root)
		w->root = NULL;
	free(n->name);
	free(n);
	w->n_nodes--;
	return err;
}

static int drop_subtree(struct cgwatch *w, struct cgw_node *top, bool unmap)
{
	struct cgw_node *n = top, *parent;
	int err = 0;
	bool last;

	for (;;) {
		while (n->child)
			n = n->child;
		parent = n->parent;
		last = n == top;
		keep_first(&err, node_drop(w, n, unmap));
		if (last)
			return err;
		n = parent;
	}
}

static bool is_ancestor(const struct cgw_node *a, const struct cgw_node *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* --- walking ------------------------------------------------------------------ */

/*
 * Directory name with id cgid found in parent: mark it seen, creating or
 * moving its node.  A full walk goes top-down from root, so a node found at
 * a new place (renamed; not possible on cgroup2) is moved there with its
 * subtree and its mapping.  A partial walk leaves that to a full one.
 */
static int adopt(struct cgwatch *w, struct cgw_node *parent, const char *name, __u64 cgid,
		 bool full)
{
	struct cgw_node *n = node_by_cgid(w, cgid), *old;
	char path[PATH_MAX];
	char *dup;
	int err = 0, r;

	if (n && n->parent == parent && !strcmp(n->name, name)) {
		n->seen = w->gen;
		return 0;
	}
	if (n && (!full || is_ancestor(n, parent))) {
		w->need_full = true;
		return 0;
	}
	old = node_by_name(w, parent, name);
	if (old) {
		/* Replaced under its name: a full walk sweeps it unless found elsewhere. */
		name_unindex(w, old);
		if (!full)
			keep_first(&err, drop_subtree(w, old, true));
	}
	if (n) {
		dup = strdup(name);
		if (!dup)
			return -ENOMEM;
		name_unindex(w, n);
		tree_unlink(n);
		free(n->name);
		n->name = dup;
		tree_link(parent, n);
		name_index(w, n);
		n->seen = w->gen;
		return err;
	}
	r = node_path(w, parent, name, true, path, sizeof(path));
	keep_first(&err, r ? r : node_new(w, parent, name, cgid, &n));
	return err;
}

static void mark_children_seen(struct cgwatch *w, struct cgw_node *n)
{
	struct cgw_node *c;

	for (c = n->child; c; c = c->next)
		c->seen = w->gen;
}

static int node_watch(struct cgwatch *w, struct cgw_node *n, int fd, const char *abs)
{
	struct cgw_node *other;
	char proc[64];
	int wd;

	if (n->wd >= 0)
		return 0;
	/* Through the fd: the watch lands on the inode whose id was checked. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w->ifd, proc, CGWATCH_MASK);
	if (wd < 0 && errno == ENOENT && access("/proc/self/fd", F_OK))
		wd = inotify_add_watch(w->ifd, abs, CGWATCH_MASK);  /* no /proc */
	if (wd < 0)
		return -errno;
	other = node_by_wd(w, wd);
	if (other)
		wd_unindex(w, other);  /* stale: its inode is gone */
	n->wd = wd;
	htab_add(&w->by_wd, &n->by_wd, mix64((__u64)(unsigned int)wd));
	return 0;
}

static bool vanished(int err)
{
	return err == -ENOENT || err == -ENOTDIR || err == -ELOOP;
}

static int scan_entries(struct cgwatch *w, struct cgw_node *n, DIR *d, bool full)
{
	struct dirent *de;
	struct stat st;
	int err = 0;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			return errno && errno != ENOENT ? -errno : err;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT)
				keep_first(&err, -errno);
			continue;
		}
		if (!S_ISDIR(st.st_mode) || st.st_dev != w->dev)
			continue;  /* a file, or a mount point below root */
		keep_first(&err, adopt(w, n, de->d_name, st.st_ino, full));
	}
}

/*
 * Watch n's directory and adopt its subdirectories.  A directory gone, or
 * replaced by another under its name, is left unseen (swept).  On any other
 * failure its known children are kept as seen, so that a transient error
 * never unmaps anything.
 */
static int scan_dir(struct cgwatch *w, struct cgw_node *n, bool full)
{
	char abs[PATH_MAX];
	struct stat st;
	int fd, err;
	DIR *d;

	err = node_path(w, n, NULL, true, abs, sizeof(abs));
	if (err)
		goto out_keep;
	fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err = -errno;
		goto out_gone;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	if (st.st_ino != n->cgid || st.st_dev != w->dev) {
		err = -ENOENT;
		goto out_close;
	}
	err = node_watch(w, n, fd, abs);
	if (vanished(err))
		goto out_close;
	d = fdopendir(fd);
	if (!d) {
		keep_first(&err, -errno);
		goto out_close;
	}
	keep_first(&err, scan_entries(w, n, d, full));
	closedir(d);
	if (err)
		mark_children_seen(w, n);
	return err;

out_close:
	close(fd);
out_gone:
	if (vanished(err)) {
		n->seen = 0;
		return 0;
	}
out_keep:
	mark_children_seen(w, n);
	return err;
}

/* Scan top (already seen) and every directory below it. */
static int walk(struct cgwatch *w, struct cgw_node *top, bool full)
{
	struct cgw_node *n;
	int err = 0;

	for (n = top; n; n = next_seen(w, n, top))
		if (n->seen == w->gen)
			keep_first(&err, scan_dir(w, n, full));
	return err;
}

/* --- mapping ------------------------------------------------------------------ */

/* Own glob match, else the nearest matched ancestor at or below root. */
static void compute_want(struct cgwatch *w, struct cgw_node *n, const struct policy *p)
{
	struct airlock_cgroup_value v = {0};
	char path[PATH_MAX];
	int idx, inherited = 0;

	if (!p) {
		n->want = v;
		return;
	}
	if (!node_path(w, n, NULL, false, path, sizeof(path))) {
		idx = policy_match_cgroup(p, path, &inherited);
		if (idx >= 0 && (size_t)idx < p->n_tenants && !inherited && p->tenants[idx].id)
			v = (struct airlock_cgroup_value){
				.tenant = p->tenants[idx].id,
				.flags = AIRLOCK_CG_WORKLOAD,
				.slot = p->tenants[idx].slot,
			};
	}
	if (!v.tenant && n != w->root && n->parent->want.tenant)
		v = (struct airlock_cgroup_value){
			.tenant = n->parent->want.tenant,
			.flags = AIRLOCK_CG_INHERITED,
			.slot = n->parent->want.slot,
		};
	n->want = v;
}

/*
 * Push the mapping of top's subtree after a walk: updates of new and
 * changed entries first, then removals of entries no longer wanted and of
 * directories the walk did not find.  Every entry is tried.
 */
static int apply(struct cgwatch *w, struct cgw_node *top, const struct policy *p)
{
	struct cgw_node *n, *next;
	int err = 0;

	for (n = top; n; n = next_seen(w, n, top)) {
		if (n->seen != w->gen)
			continue;
		compute_want(w, n, p);
		if (n->want.tenant && memcmp(&n->want, &n->cur, sizeof(n->cur)))
			keep_first(&err, sink_update(w, n));
	}
	for (n = top; n; n = next) {
		if (n->seen != w->gen) {
			next = next_any(n, top, false);
			keep_first(&err, drop_subtree(w, n, true));
			continue;
		}
		if (!n->want.tenant)
			keep_first(&err, sink_remove(w, n));
		next = next_any(n, top, true);
	}
	return err;
}

static void next_gen(struct cgwatch *w)
{
	if (!++w->gen)
		w->gen = 1;
}

/* Find root (again): a root removed and made again is a new cgroup. */
static int root_check(struct cgwatch *w)
{
	struct stat st;
	int err = 0;

	if (stat(w->root_abs, &st) || !S_ISDIR(st.st_mode) || st.st_dev != w->dev) {
		if (w->root)
			w->root->seen = 0;
		return -ENOENT;
	}
	if (w->root && w->root->cgid != st.st_ino)
		keep_first(&err, drop_subtree(w, w->root, true));
	if (!w->root) {
		int r = node_new(w, NULL, "", st.st_ino, &w->root);

		if (r)
			return r;
	}
	w->root->seen = w->gen;
	return err;
}

int cgwatch_sync(struct cgwatch *w, const struct policy *p)
{
	int err;

	next_gen(w);
	w->need_full = false;
	err = root_check(w);
	if (!w->root)
		return err;
	if (!err || w->root->seen == w->gen)
		keep_first(&err, walk(w, w->root, true));
	keep_first(&err, apply(w, w->root, p));
	return err;
}

/* --- events ------------------------------------------------------------------- */

static int on_create(struct cgwatch *w, struct cgw_node *parent, const char *name,
		     const struct policy *p)
{
	char abs[PATH_MAX];
	struct cgw_node *n;
	struct stat st;
	int err;

	err = node_path(w, parent, name, true, abs, sizeof(abs));
	if (err)
		return err;
	if (lstat(abs, &st))
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	if (!S_ISDIR(st.st_mode) || st.st_dev != w->dev)
		return 0;
	n = node_by_name(w, parent, name);
	if (n && n->cgid == st.st_ino)
		return 0;  /* already found by the scan of an ancestor */
	next_gen(w);
	err = adopt(w, parent, name, st.st_ino, false);
	n = node_by_name(w, parent, name);
	if (!n || n->cgid != st.st_ino || n->seen != w->gen)
		return err;  /* refused, or left to a full sync */
	keep_first(&err, walk(w, n, false));
	keep_first(&err, apply(w, n, p));
	return err;
}

static int on_delete(struct cgwatch *w, struct cgw_node *parent, const char *name)
{
	struct cgw_node *n = node_by_name(w, parent, name);
	char abs[PATH_MAX];
	struct stat st;

	if (!n)
		return 0;
	/* The event may be about an earlier directory of the same name. */
	if (!node_path(w, parent, name, true, abs, sizeof(abs)) && !lstat(abs, &st) &&
	    st.st_ino == n->cgid && st.st_dev == w->dev)
		return 0;
	return drop_subtree(w, n, true);
}

/* The watched directory itself is gone (or its file system unmounted). */
static int on_self_gone(struct cgwatch *w, struct cgw_node *n)
{
	bool root = n == w->root;
	char abs[PATH_MAX];
	struct stat st;
	int err;

	wd_unindex(w, n);
	if (!node_path(w, n, NULL, true, abs, sizeof(abs)) && !lstat(abs, &st) &&
	    st.st_ino == n->cgid && st.st_dev == w->dev) {
		w->need_full = true;  /* still there: watch it again */
		return 0;
	}
	err = drop_subtree(w, n, true);
	return root ? (err ? err : -ENOENT) : err;
}

static int on_event(struct cgwatch *w, const struct inotify_event *ev, const struct policy *p)
{
	struct cgw_node *n;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->need_full = true;
		return 0;
	}
	n = node_by_wd(w, ev->wd);
	if (!n)
		return 0;  /* a watch already dropped */
	if (ev->mask & (IN_DELETE_SELF | IN_IGNORED))
		return on_self_gone(w, n);
	if (!(ev->mask & IN_ISDIR) || !ev->len)
		return 0;
	if (ev->mask & (IN_MOVED_FROM | IN_MOVED_TO)) {
		w->need_full = true;
		return 0;
	}
	if (ev->mask & IN_CREATE)
		return on_create(w, n, ev->name, p);
	if (ev->mask & IN_DELETE)
		return on_delete(w, n, ev->name);
	return 0;
}

int cgwatch_process(struct cgwatch *w, const struct policy *p)
{
	const struct inotify_event *ev;
	int reads, err = 0;
	ssize_t len;
	char *pos;

	for (reads = 0; reads < CGWATCH_MAX_READS; reads++) {
		len = read(w->ifd, w->buf, CGWATCH_READ_BYTES);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno != EAGAIN)
			keep_first(&err, -errno);
		if (len <= 0)
			break;
		for (pos = w->buf; pos < w->buf + len; pos += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)pos;
			keep_first(&err, on_event(w, ev, p));
		}
	}
	if (w->need_full)
		keep_first(&err, cgwatch_sync(w, p));
	return err;
}

/* --- queries ------------------------------------------------------------------ */

int cgwatch_fd(const struct cgwatch *w)
{
	return w->ifd;
}

int cgwatch_contains(const struct cgwatch *w, __u64 cgid)
{
	const struct cgw_node *n = node_by_cgid(w, cgid);

	return n && n->cur.tenant;
}

int cgwatch_foreach(const struct cgwatch *w, int (*fn)(void *ctx, const char *rel_path, __u64 cgid,
		    __u32 tenant, __u32 flags), void *ctx)
{
	struct cgw_node *n;
	char path[PATH_MAX];
	int r;

	for (n = w->root; n; n = next_any(n, w->root, true)) {
		if (!n->cur.tenant || node_path(w, n, NULL, false, path, sizeof(path)))
			continue;
		r = fn(ctx, path, n->cgid, n->cur.tenant, n->cur.flags);
		if (r)
			return r;
	}
	return 0;
}

size_t cgwatch_count(const struct cgwatch *w)
{
	return w->n_mapped;
}

size_t cgwatch_tracked(const struct cgwatch *w)
{
	return w->n_nodes;
}

int cgwatch_set_limit(struct cgwatch *w, size_t max_tracked)
{
	if (!max_tracked || max_tracked > AIRLOCK_CGROUP_MAX_ENTRIES)
		return -EINVAL;
	w->max_nodes = max_tracked;
	return 0;
}

/* --- life ----------------------------------------------------------------------- */

/* mount and root canonical; root must be the mount or below it, on its file system. */
static int paths_init(struct cgwatch *w, const char *mount, const char *root)
{
	struct stat sm, sr;
	size_t lm;

	w->mount = realpath(mount, NULL);
	if (!w->mount)
		return -errno;
	w->root_abs = realpath(root, NULL);
	if (!w->root_abs)
		return -errno;
	if (stat(w->mount, &sm) || stat(w->root_abs, &sr))
		return -errno;
	if (!S_ISDIR(sm.st_mode) || !S_ISDIR(sr.st_mode))
		return -ENOTDIR;
	if (sm.st_dev != sr.st_dev)
		return -EXDEV;
	if (!strcmp(w->mount, "/"))
		w->mount[0] = '\0';
	lm = strlen(w->mount);
	if (strncmp(w->root_abs, w->mount, lm) || (w->root_abs[lm] && w->root_abs[lm] != '/'))
		return -EINVAL;
	w->root_rel = w->root_abs + lm;
	if (!strcmp(w->root_rel, "/"))
		w->root_rel = "";
	w->dev = sr.st_dev;
	return 0;
}

int cgwatch_open(const char *mount, const char *root, const struct cgwatch_sink *sink,
		 struct cgwatch **ret)
{
	struct cgwatch *w;
	int err;

	if (!mount || !root || mount[0] != '/' || root[0] != '/' || !sink || !sink->update ||
	    !sink->remove || !ret)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->ifd = -1;
	w->sink = *sink;
	w->max_nodes = AIRLOCK_CGROUP_MAX_ENTRIES;
	w->gen = 1;
	err = paths_init(w, mount, root);
	if (err)
		goto out_free;
	err = htab_init(&w->by_cgid);
	if (!err)
		err = htab_init(&w->by_wd);
	if (!err)
		err = htab_init(&w->by_name);
	if (err)
		goto out_free;
	w->buf = malloc(CGWATCH_READ_BYTES);
	if (!w->buf) {
		err = -ENOMEM;
		goto out_free;
	}
	w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ifd < 0) {
		err = -errno;
		goto out_free;
	}
	*ret = w;
	return 0;

out_free:
	cgwatch_free(w);
	return err;
}

struct cgwatch *cgwatch_free(struct cgwatch *w)
{
	if (!w)
		return NULL;
	/* The mapping stays in the sink: pinned maps outlive the daemon. */
	if (w->root)
		(void)drop_subtree(w, w->root, false);
	if (w->ifd >= 0)
		close(w->ifd);
	free(w->by_cgid.b);
	free(w->by_wd.b);
	free(w->by_name.b);
	free(w->buf);
	free(w->root_abs);
	free(w->mount);
	free(w);
	return NULL;
}
