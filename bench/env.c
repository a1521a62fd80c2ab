// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The bench's world: a private netns with lo only, a cgroup subtree with a
 * governed half and an ungoverned half, and airlockd governing the former.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "ktest.h"
#include "policy.h"
#include "slots.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int __attribute__((format(printf, 2, 3))) path_fmt(char buf[PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int env_paths(struct bench_env *env)
{
	int pid = (int)getpid(), err;
	char *slash;

	err = cgroup_find_mount(env->cg_mount, sizeof(env->cg_mount));
	err = err ?: path_fmt(env->cg_rel, "/airlock-bench-%d", pid);
	err = err ?: path_fmt(env->cg_top, "%s%s", env->cg_mount, env->cg_rel);
	err = err ?: path_fmt(env->cg_gov, "%s/gov", env->cg_top);
	err = err ?: path_fmt(env->cg_base, "%s/base", env->cg_top);
	err = err ?: path_fmt(env->cg_tenant, "%s/bench/app", env->cg_gov);
	err = err ?: path_fmt(env->pin_dir, "/sys/fs/bpf/airlock-bench-%d", pid);
	err = err ?: path_fmt(env->work_dir, "/tmp/airlock-bench-%d", pid);
	err = err ?: path_fmt(env->control, "%s/airlockd.sock", env->work_dir);
	err = err ?: path_fmt(env->policy_path, "%s/policy.json", env->work_dir);
	err = err ?: path_fmt(env->log_path, "%s/airlockd.log", env->work_dir);
	if (!err && !env->airlockctl[0]) {
		/* airlockctl is built beside airlockd. */
		err = path_fmt(env->airlockctl, "%s", env->airlockd);
		slash = strrchr(env->airlockctl, '/');
		if (!err)
			strcpy(slash ? slash + 1 : env->airlockctl, "airlockctl");
	}
	env->tenant_id = policy_tenant_id("bench");
	return err;
}

int bench_env_setup(struct bench_env *env)
{
	int err;

	err = netns_enter();
	err = err ?: env_paths(env);
	if (!err && mkdir(env->work_dir, 0700) < 0)
		err = -errno;
	err = err ?: cgroup_make(env->cg_base);
	err = err ?: cgroup_make(env->cg_tenant);
	return err;
}

static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (pid)
		return pid < 0 ? -errno : pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (out_fd >= 0)
		dup2(out_fd, STDOUT_FILENO);
	if (err_fd >= 0)
		dup2(err_fd, STDERR_FILENO);
	execv(argv[0], argv);
	_exit(127);
}

static int wait_child(pid_t pid, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		sleep_ms(5);
	}
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int log_fd(const struct bench_env *env)
{
	return open(env->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int bench_agent_start(struct bench_env *env)
{
	char *argv[] = { (char *)env->airlockd, "--policy", env->policy_path, "--cgroup-root",
			 env->cg_gov, "--pin-dir", env->pin_dir, "--control", env->control, NULL };
	int fd = log_fd(env);
	pid_t pid;

	pid = spawn(argv, fd, fd);
	if (fd >= 0)
		close(fd);
	if (pid < 0)
		return pid;
	env->agent_pid = pid;
	return 0;
}

/* `airlockctl status --json`, parsed. */
static int agent_status(struct bench_env *env, json_t **ret)
{
	char *argv[] = { env->airlockctl, "--socket", env->control, "status", "--json", NULL };
	int pfd[2], err, null_fd;
	json_error_t jerr;
	json_t *root;
	FILE *f;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid = spawn(argv, pfd[1], null_fd);
	close(pfd[1]);
	if (null_fd >= 0)
		close(null_fd);
	if (pid < 0) {
		close(pfd[0]);
		return pid;
	}
	f = fdopen(pfd[0], "r");
	root = f ? json_loadf(f, 0, &jerr) : NULL;
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	err = wait_child(pid, 5000);
	if (!err && !root)
		err = -EBADMSG;
	if (err) {
		json_decref(root);
		return err;
	}
	*ret = root;
	return 0;
}

int bench_agent_wait_ready(struct bench_env *env, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	json_t *st;
	int ready;

	for (;;) {
		if (waitpid(env->agent_pid, NULL, WNOHANG) == env->agent_pid) {
			env->agent_pid = 0;
			return -ECHILD;
		}
		if (agent_status(env, &st) == 0) {
			ready = json_is_true(json_object_get(st, "ready"));
			json_decref(st);
			if (ready)
				return 0;
		}
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

static int config_generation(const struct bench_env *env, __u64 *ret)
{
	struct airlock_config cfg;
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	if (path_fmt(path, "%s/alk_config", env->pin_dir))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, &cfg) < 0)
		err = -errno;
	close(fd);
	if (!err)
		*ret = cfg.generation;
	return err;
}

/* SIGHUP; done when alk_config.generation moves (written last). */
int bench_agent_reload(struct bench_env *env, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	__u64 before, now;
	int err;

	err = config_generation(env, &before);
	if (err)
		return err;
	if (kill(env->agent_pid, SIGHUP) < 0)
		return -errno;
	for (;;) {
		err = config_generation(env, &now);
		if (err)
			return err;
		if (now != before)
			return bench_agent_wait_ready(env, (int)(deadline - now_ms()));
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(2);
	}
}

int bench_agent_stop(struct bench_env *env)
{
	int err;

	if (!env->agent_pid)
		return 0;
	kill(env->agent_pid, SIGTERM);
	err = wait_child(env->agent_pid, 5000);
	env->agent_pid = 0;
	return err == -EIO ? 0 : err; /* its exit status is its business */
}

int bench_agent_programs(struct bench_env *env, struct bench_prog *progs, int max)
{
	json_t *st, *arr, *p;
	size_t i;
	int n = 0, err;

	err = agent_status(env, &st);
	if (err)
		return err;
	arr = json_object_get(st, "programs");
	json_array_foreach(arr, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (n == max || !name)
			break;
		snprintf(progs[n].name, sizeof(progs[n].name), "%s", name);
		progs[n].prog_id = (__u32)json_integer_value(json_object_get(p, "prog_id"));
		n++;
	}
	json_decref(st);
	return n;
}

/* status.policy.entries: the size of the trie airlockd loaded; <0 on error. */
long bench_agent_entries(struct bench_env *env)
{
	json_t *st;
	long n;
	int err;

	err = agent_status(env, &st);
	if (err)
		return err;
	n = (long)json_integer_value(json_object_get(json_object_get(st, "policy"), "entries"));
	json_decref(st);
	return n;
}

int bench_stats_read(const struct bench_env *env, struct airlock_stats *ret)
{
	char path[PATH_MAX];
	int fd, err;

	if (path_fmt(path, "%s/alk_stats", env->pin_dir))
		return -EINVAL;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = slots_stats_read(fd, env->tenant_id, ret);
	close(fd);
	return err;
}

void bench_env_teardown(struct bench_env *env)
{
	char *argv[] = { (char *)env->airlockd, "--uninstall", "--pin-dir", env->pin_dir, NULL };
	int fd;
	pid_t pid;

	bench_agent_stop(env);
	if (env->pin_dir[0] && access(env->pin_dir, F_OK) == 0) {
		fd = log_fd(env);
		pid = spawn(argv, fd, fd);
		if (fd >= 0)
			close(fd);
		if (pid > 0)
			wait_child(pid, 10000);
		rmdir(env->pin_dir); /* --uninstall may leave the empty directory */
	}
	if (env->cg_top[0])
		cgroup_remove_tree(env->cg_top);
	if (env->work_dir[0]) {
		unlink(env->policy_path);
		unlink(env->control);
		unlink(env->log_path);
		rmdir(env->work_dir);
	}
}

/* The end of airlockd's log, when something went wrong. */
void bench_log_tail(const struct bench_env *env)
{
	char line[1024];
	long pos;
	FILE *f;

	f = fopen(env->log_path, "re");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	pos = ftell(f);
	fseek(f, pos > 4096 ? pos - 4096 : 0, SEEK_SET);
	fprintf(stderr, "airlockd log (tail):\n");
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s", line);
	fclose(f);
}
