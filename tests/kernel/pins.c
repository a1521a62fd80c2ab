// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pinned maps are the ground truth of the datapath: counters are read
 * from them directly, as `bpftool map dump pinned <pin-dir>/alk_stats` does,
 * not through airlockd.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ktest.h"
#include "slots.h"

#define BPFFS "/sys/fs/bpf"

int pins_bpffs_ensure(void)
{
	struct statfs st;

	if (statfs(BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPFFS, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700") < 0)
		return -errno;
	return 0;
}

static int pins_open(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", pin_dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* Sum of the per-CPU counters of one tenant; zeros if it owns no slot yet.
 * The slot is found by the owner recorded in the map (abi.h). */
int pins_stats_read(const char *pin_dir, __u32 tenant, struct airlock_stats *ret)
{
	int fd, err;

	fd = pins_open(pin_dir, "alk_stats");
	if (fd < 0)
		return fd;
	err = slots_stats_read(fd, tenant, ret);
	close(fd);
	return err;
}

/* The alk_cgroup entry of the cgroup directory at path (its inode is the id). */
int pins_cgroup_read(const char *pin_dir, const char *path, struct airlock_cgroup_value *ret)
{
	struct stat st;
	__u64 cgid;
	int fd, err = 0;

	if (stat(path, &st) < 0)
		return -errno;
	cgid = st.st_ino;
	fd = pins_open(pin_dir, "alk_cgroup");
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &cgid, ret) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The tenant a counter slot's value names (CPU 0's copy; the agent writes all). */
int pins_slot_owner(const char *pin_dir, __u32 slot, __u32 *ret_tenant)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	struct airlock_stats *per;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	fd = pins_open(pin_dir, "alk_stats");
	if (fd < 0)
		return fd;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		err = -ENOMEM;
	else if (bpf_map_lookup_elem(fd, &slot, per) < 0)
		err = -errno;
	else
		*ret_tenant = per[0].tenant;
	free(per);
	close(fd);
	return err;
}

int pins_config_read(const char *pin_dir, struct airlock_config *ret)
{
	struct airlock_config cfg;
	__u32 zero = 0;
	int fd, err = 0;

	fd = pins_open(pin_dir, "alk_config");
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, &cfg) < 0)
		err = -errno;
	close(fd);
	if (!err)
		*ret = cfg;
	return err;
}

/* rm -r of a bpffs directory: whatever --uninstall left behind. */
int pins_remove_dir(const char *pin_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (de->d_type == DT_DIR)
			ret = pins_remove_dir(path) ?: ret;
		else if (unlink(path) < 0)
			ret = -errno;
	}
	closedir(d);
	if (rmdir(pin_dir) < 0 && errno != ENOENT)
		ret = -errno;
	return ret;
}
