/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The host filesystems airlock stands on: the cgroup2 mount (found from
 * /proc/mounts, never assumed), the absence of cgroup v1 net_cls/net_prio,
 * and bpffs for pins.
 */
#ifndef AIRLOCK_SYSFS_H
#define AIRLOCK_SYSFS_H

#include <linux/types.h>
#include <stddef.h>

#define SYSFS_BPF_MOUNT "/sys/fs/bpf"

/* Mount point of the cgroup2 hierarchy, from mounts_path (/proc/mounts). */
int sysfs_cgroup2_mount(const char *mounts_path, char *buf, size_t len);
/*
 * -EOPNOTSUPP if a cgroup v1 hierarchy with the net_cls or net_prio
 * controller is mounted: those tag sockets in a field the kernel shares with
 * the cgroup2 pointer, and cgroup2 programs then silently stop applying to
 * them.  *ret_which names the controller.
 */
int sysfs_check_v1_net(const char *mounts_path, const char **ret_which);
/* The cgroup v2 id of a cgroup directory (its kernfs inode number). */
int sysfs_cgroup_id(const char *path, __u64 *ret_id);
/* Is path inside (or equal to) dir? Both absolute, normalised. */
int sysfs_path_within(const char *path, const char *dir);
/* Mount bpffs at /sys/fs/bpf if pin_dir is under it and it is not mounted,
 * then create pin_dir and pin_dir/links. */
int sysfs_prepare_bpffs(const char *pin_dir);
int sysfs_is_bpffs(const char *path);

#endif /* AIRLOCK_SYSFS_H */
