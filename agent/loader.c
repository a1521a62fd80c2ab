// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "airlock/abi.h"
#include "airlock.skel.h"
#include "loader.h"
#include "sysfs.h"

struct loader {
	struct airlock_bpf *skel;
	char pin_dir[PATH_MAX];
	struct bpf_link *links[LOADER_NPROGS];
	int adopted[LOADER_NPROGS];
};

/* Program, attach point, in attach order: the socket-level programs first so
 * that by the time packets are judged, sockets have been recorded. */
struct loader_prog {
	const char *attach;
	struct bpf_program *(*get)(struct airlock_bpf *s);
};

#define PROG(field, where)                                                         \
	{                                                                          \
		.attach = where,                                                   \
		.get = loader_get_##field,                                         \
	}
#define GETTER(field)                                                              \
	static struct bpf_program *loader_get_##field(struct airlock_bpf *s)       \
	{                                                                          \
		return s->progs.field;                                             \
	}
GETTER(alk_sock_create)
GETTER(alk_connect4)
GETTER(alk_connect6)
GETTER(alk_sendmsg4)
GETTER(alk_sendmsg6)
GETTER(alk_skb_egress)
GETTER(alk_skb_ingress)

static const struct loader_prog loader_progs[LOADER_NPROGS] = {
	PROG(alk_sock_create, "cgroup/sock_create"),
	PROG(alk_connect4, "cgroup/connect4"),
	PROG(alk_connect6, "cgroup/connect6"),
	PROG(alk_sendmsg4, "cgroup/sendmsg4"),
	PROG(alk_sendmsg6, "cgroup/sendmsg6"),
	PROG(alk_skb_egress, "cgroup_skb/egress"),
	PROG(alk_skb_ingress, "cgroup_skb/ingress"),
};

int loader_open(const char *pin_dir, struct loader **ret)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct loader *l;
	int err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir) >= (int)sizeof(l->pin_dir)) {
		err = -ENAMETOOLONG;
		goto out_free;
	}
	l->skel = airlock_bpf__open_opts(&opts);
	if (!l->skel) {
		err = -errno;
		goto out_free;
	}
	/* The template only lends its BTF types to the per-generation tries. */
	bpf_map__set_pin_path(l->skel->maps.alk_policy_tpl, NULL);
	bpf_map__set_max_entries(l->skel->maps.alk_policy_tpl, 1);
	err = airlock_bpf__load(l->skel);
	if (err)
		goto out_destroy;
	*ret = l;
	return 0;

out_destroy:
	airlock_bpf__destroy(l->skel);
out_free:
	free(l);
	return err;
}

struct airlock_bpf *loader_skel(struct loader *l)
{
	return l->skel;
}

static int loader_link_path(const char *pin_dir, const char *name, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/%s/%s", pin_dir, AIRLOCK_LINK_SUBDIR, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static int link_info(int fd, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* Adopt a pinned link when it still holds our hook on this cgroup. */
static int loader_adopt(struct loader *l, size_t i, const char *path, __u64 cgid)
{
	struct bpf_program *prog = loader_progs[i].get(l->skel);
	struct bpf_link_info info;
	struct bpf_link *link;
	int err;

	link = bpf_link__open(path);
	if (!link)
		return -errno;
	err = link_info(bpf_link__fd(link), &info);
	if (err || info.type != BPF_LINK_TYPE_CGROUP || info.cgroup.cgroup_id != cgid ||
	    info.cgroup.attach_type != bpf_program__expected_attach_type(prog)) {
		/* Stale (another cgroup, detached, other hook): drop it. */
		bpf_link__detach(link);
		bpf_link__destroy(link);
		unlink(path);
		return -ESTALE;
	}
	err = bpf_link__update_program(link, prog);
	if (err) {
		bpf_link__destroy(link);
		return err;
	}
	l->links[i] = link;
	l->adopted[i] = 1;
	return 0;
}

static int loader_attach_one(struct loader *l, size_t i, int cgfd, const char *path)
{
	struct bpf_link *link;
	int err;

	link = bpf_program__attach_cgroup(loader_progs[i].get(l->skel), cgfd);
	if (!link)
		return -errno;
	err = bpf_link__pin(link, path);
	if (err) {
		bpf_link__destroy(link);
		return err;
	}
	l->links[i] = link;
	return 0;
}

int loader_attach(struct loader *l, const char *cgroup_path)
{
	char path[PATH_MAX];
	int cgfd, err;
	__u64 cgid;
	size_t i;

	err = sysfs_cgroup_id(cgroup_path, &cgid);
	if (err)
		return err;
	cgfd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return -errno;
	for (i = 0; i < LOADER_NPROGS; i++) {
		struct bpf_program *prog = loader_progs[i].get(l->skel);

		err = loader_link_path(l->pin_dir, bpf_program__name(prog), path, sizeof(path));
		if (err)
			break;
		if (access(path, F_OK) == 0 && loader_adopt(l, i, path, cgid) == 0)
			continue;
		err = loader_attach_one(l, i, cgfd, path);
		if (err)
			break;
	}
	close(cgfd);
	return err;
}

int loader_repair(struct loader *l, const char *cgroup_path, unsigned *ret_repaired)
{
	char path[PATH_MAX];
	unsigned repaired = 0;
	int cgfd, err = 0;
	size_t i;

	cgfd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return -errno;
	for (i = 0; i < LOADER_NPROGS; i++) {
		struct bpf_program *prog = loader_progs[i].get(l->skel);
		struct bpf_link_info info;

		if (l->links[i] && !link_info(bpf_link__fd(l->links[i]), &info) &&
		    info.cgroup.cgroup_id != 0 &&
		    !loader_link_path(l->pin_dir, bpf_program__name(prog), path, sizeof(path)) &&
		    access(path, F_OK) == 0)
			continue;
		/* Detached or unpinned behind our back: attach afresh. */
		err = loader_link_path(l->pin_dir, bpf_program__name(prog), path, sizeof(path));
		if (err)
			break;
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
		l->adopted[i] = 0;
		unlink(path);
		err = loader_attach_one(l, i, cgfd, path);
		if (err)
			break;
		repaired++;
	}
	close(cgfd);
	*ret_repaired = repaired;
	return err;
}

int loader_links(struct loader *l, struct loader_link_info *out, size_t n)
{
	size_t i;

	for (i = 0; i < LOADER_NPROGS && i < n; i++) {
		struct bpf_program *prog = loader_progs[i].get(l->skel);
		struct loader_link_info *o = &out[i];
		struct bpf_link_info info;

		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s", bpf_program__name(prog));
		snprintf(o->attach, sizeof(o->attach), "%s", loader_progs[i].attach);
		o->adopted = l->adopted[i];
		if (!l->links[i] || link_info(bpf_link__fd(l->links[i]), &info))
			continue;
		o->link_id = info.id;
		o->prog_id = info.prog_id;
		o->cgroup_id = info.cgroup.cgroup_id;
	}
	return (int)i;
}

struct loader *loader_free(struct loader *l)
{
	size_t i;

	if (!l)
		return NULL;
	/* Closing a pinned link's fd leaves the program attached. */
	for (i = 0; i < LOADER_NPROGS; i++)
		bpf_link__destroy(l->links[i]);
	airlock_bpf__destroy(l->skel);
	free(l);
	return NULL;
}

/* Remove every pin in dir (files only); returns the first error. */
static int loader_unpin_dir(const char *dir, int detach)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_type == DT_DIR)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path)) {
			err = err ?: -ENAMETOOLONG;
			continue;
		}
		if (detach) {
			struct bpf_link *link = bpf_link__open(path);

			if (link) {
				bpf_link__detach(link);
				bpf_link__destroy(link);
			}
		}
		if (unlink(path) < 0)
			err = err ?: -errno;
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		err = err ?: -errno;
	return err;
}

int loader_uninstall(const char *pin_dir)
{
	char links[PATH_MAX];
	int err, err2;

	if (snprintf(links, sizeof(links), "%s/%s", pin_dir, AIRLOCK_LINK_SUBDIR) >=
	    (int)sizeof(links))
		return -ENAMETOOLONG;
	/* Links first: the hooks go away before the maps they read. */
	err = loader_unpin_dir(links, 1);
	err2 = loader_unpin_dir(pin_dir, 0);
	return err ?: err2;
}
