// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sysfs.c: cgroup2 discovery, cgroup v1 net_cls/net_prio refusal, paths. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sysfs.h"

static char *write_mounts(const char *text)
{
	char *path = strdup("/tmp/airlock-mounts.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char hybrid[] =
	"tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
	"cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
	"cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
	"cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

static void test_cgroup2_found_on_hybrid_host(void **state)
{
	char *path = write_mounts(hybrid);
	char buf[256];

	(void)state;
	assert_int_equal(sysfs_cgroup2_mount(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/unified");
	unlink(path);
	free(path);
}

static void test_cgroup2_missing(void **state)
{
	char *path = write_mounts("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n");
	char buf[256];

	(void)state;
	assert_int_equal(sysfs_cgroup2_mount(path, buf, sizeof(buf)), -ENOENT);
	unlink(path);
	free(path);
}

static void test_cgroup2_buffer_too_small(void **state)
{
	char *path = write_mounts(hybrid);
	char buf[8];

	(void)state;
	assert_int_equal(sysfs_cgroup2_mount(path, buf, sizeof(buf)), -ENAMETOOLONG);
	unlink(path);
	free(path);
}

static void test_v1_net_controllers_refused(void **state)
{
	char *ok = write_mounts(hybrid);
	char *cls = write_mounts("cgroup /sys/fs/cgroup/net_cls,net_prio cgroup rw,net_cls,net_prio 0 0\n"
				 "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n");
	char *prio = write_mounts("cgroup /sys/fs/cgroup/net_prio cgroup rw,nosuid,net_prio 0 0\n");
	const char *which = NULL;

	(void)state;
	assert_int_equal(sysfs_check_v1_net(ok, &which), 0);
	assert_null(which);
	assert_int_equal(sysfs_check_v1_net(cls, &which), -EOPNOTSUPP);
	assert_string_equal(which, "net_cls");
	assert_int_equal(sysfs_check_v1_net(prio, &which), -EOPNOTSUPP);
	assert_string_equal(which, "net_prio");
	unlink(ok);
	unlink(cls);
	unlink(prio);
	free(ok);
	free(cls);
	free(prio);
}

static void test_path_within(void **state)
{
	(void)state;
	assert_true(sysfs_path_within("/sys/fs/bpf/airlock", "/sys/fs/bpf"));
	assert_true(sysfs_path_within("/sys/fs/bpf", "/sys/fs/bpf"));
	assert_true(sysfs_path_within("/sys/fs/bpf", "/sys/fs/bpf/"));
	assert_false(sysfs_path_within("/sys/fs/bpfx", "/sys/fs/bpf"));
	assert_false(sysfs_path_within("/sys/fs", "/sys/fs/bpf"));
	assert_true(sysfs_path_within("/anything", "/"));
}

static void test_cgroup_id_refuses_non_cgroup(void **state)
{
	__u64 id = 0;

	(void)state;
	assert_int_equal(sysfs_cgroup_id("/tmp", &id), -ENOTDIR);
	assert_int_equal(sysfs_cgroup_id("/nonexistent/airlock", &id), -ENOENT);
	assert_int_equal(id, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup2_found_on_hybrid_host),
		cmocka_unit_test(test_cgroup2_missing),
		cmocka_unit_test(test_cgroup2_buffer_too_small),
		cmocka_unit_test(test_v1_net_controllers_refused),
		cmocka_unit_test(test_path_within),
		cmocka_unit_test(test_cgroup_id_refuses_non_cgroup),
	};

	return cmocka_run_group_tests_name("sysfs", tests, NULL, NULL);
}
