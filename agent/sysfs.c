// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "airlock/abi.h"
#include "sysfs.h"

int sysfs_cgroup2_mount(const char *mounts_path, char *buf, size_t len)
{
	struct mntent *m, ent;
	char strings[4096];
	int ret = -ENOENT;
	FILE *f;

	f = setmntent(mounts_path, "r");
	if (!f)
		return -errno;
	while ((m = getmntent_r(f, &ent, strings, sizeof(strings)))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		if (strlen(m->mnt_dir) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, m->mnt_dir);
		ret = 0;
		break;
	}
	endmntent(f);
	return ret;
}

int sysfs_check_v1_net(const char *mounts_path, const char **ret_which)
{
	struct mntent *m, ent;
	char strings[4096];
	int ret = 0;
	FILE *f;

	f = setmntent(mounts_path, "r");
	if (!f)
		return -errno;
	while ((m = getmntent_r(f, &ent, strings, sizeof(strings)))) {
		if (strcmp(m->mnt_type, "cgroup"))
			continue;
		if (hasmntopt(m, "net_cls")) {
			*ret_which = "net_cls";
			ret = -EOPNOTSUPP;
			break;
		}
		if (hasmntopt(m, "net_prio")) {
			*ret_which = "net_prio";
			ret = -EOPNOTSUPP;
			break;
		}
	}
	endmntent(f);
	return ret;
}

int sysfs_cgroup_id(const char *path, __u64 *ret_id)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) < 0)
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	if (stat(path, &st) < 0)
		return -errno;
	*ret_id = st.st_ino;
	return 0;
}

int sysfs_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int sysfs_is_bpffs(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs) < 0)
		return -errno;
	return sfs.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	char *p;

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int sysfs_prepare_bpffs(const char *pin_dir)
{
	char links[PATH_MAX];
	int ret;

	/* As Cilium does: a node without bpffs gets one, so pins outlive us. */
	if (sysfs_path_within(pin_dir, SYSFS_BPF_MOUNT) && sysfs_is_bpffs(SYSFS_BPF_MOUNT) != 1) {
		ret = mkdir_p(SYSFS_BPF_MOUNT, 0755);
		if (ret)
			return ret;
		if (mount("bpffs", SYSFS_BPF_MOUNT, "bpf", 0, "mode=0700") < 0)
			return -errno;
	}
	ret = mkdir_p(pin_dir, 0700);
	if (ret)
		return ret;
	if (sysfs_is_bpffs(pin_dir) != 1)
		return -ENOTDIR;
	if (snprintf(links, sizeof(links), "%s/%s", pin_dir, AIRLOCK_LINK_SUBDIR) >=
	    (int)sizeof(links))
		return -ENAMETOOLONG;
	return mkdir_p(links, 0700);
}
