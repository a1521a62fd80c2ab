// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The cgroup2 hierarchy: find it, build the test subtree, join, tear down. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"

/* The first cgroup2 mount in /proc/mounts (/sys/fs/cgroup or .../unified). */
int cgroup_find_mount(char *buf, size_t len)
{
	struct mntent *m;
	int ret = -ENOENT;
	FILE *f;

	f = setmntent("/proc/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
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

/* mkdir -p, for absolute paths. */
int cgroup_make(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Move the calling process into the cgroup at path. */
int cgroup_join(const char *path)
{
	char file[PATH_MAX], pid[32];
	int fd, n, ret = 0;

	if (snprintf(file, sizeof(file), "%s/cgroup.procs", path) >= (int)sizeof(file))
		return -ENAMETOOLONG;
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write(fd, pid, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* rmdir, retried while the last tasks of the cgroup finish exiting. */
static int cgroup_rmdir(const char *path)
{
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 100; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&ts, NULL);
	}
	return -EBUSY;
}

/* Remove a cgroup and every cgroup below it, deepest first. */
int cgroup_remove_tree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	int ret = 0, r;
	DIR *d;

	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub)) {
			ret = -ENAMETOOLONG;
			continue;
		}
		r = cgroup_remove_tree(sub);
		if (r && !ret)
			ret = r;
	}
	closedir(d);
	r = cgroup_rmdir(path);
	return ret ? ret : r;
}
