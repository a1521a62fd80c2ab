// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* airlockd as a child process, and airlockctl to talk to it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"

#define CTL_TIMEOUT_MS 5000
#define CTL_MAX_BYTES (4u << 20)

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

/* fork + exec with stdout and stderr redirected; -1 keeps ours, -2 is /dev/null. */
static pid_t spawn(char *const argv[], int out_fd, int err_fd, int pdeath)
{
	pid_t pid = fork();
	int null_fd;

	if (pid)
		return pid < 0 ? -errno : pid;
	if (pdeath)
		prctl(PR_SET_PDEATHSIG, SIGTERM);
	null_fd = open("/dev/null", O_RDWR);
	dup2(null_fd, STDIN_FILENO);
	if (out_fd != -1)
		dup2(out_fd == -2 ? null_fd : out_fd, STDOUT_FILENO);
	if (err_fd != -1)
		dup2(err_fd == -2 ? null_fd : err_fd, STDERR_FILENO);
	execv(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* waitpid with a deadline; kills the child with SIGKILL past it. */
static int wait_child(pid_t pid, int timeout_ms, int *ret_status)
{
	long long deadline = now_ms() + timeout_ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0)
			return -errno;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		sleep_ms(10);
	}
	if (ret_status)
		*ret_status = status;
	return 0;
}

static int log_fd(const struct ktest_env *env)
{
	return open(env->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int agent_start(struct ktest_env *env)
{
	char *argv[] = {
		(char *)env->airlockd, "--policy", env->policy_path, "--cgroup-root", env->cg_root,
		"--pin-dir", env->pin_dir, "--control", env->control, env->verbose ? "-v" : NULL,
		NULL,
	};
	int fd = log_fd(env);
	pid_t pid;

	if (fd < 0)
		return -errno;
	pid = spawn(argv, fd, fd, 1);
	close(fd);
	if (pid < 0)
		return pid;
	env->agent_pid = pid;
	return 0;
}

/* Run `airlockctl --socket S <cmd> --json` and parse what it prints. */
int agent_ctl_json(struct ktest_env *env, const char *cmd, json_t **ret)
{
	char *argv[] = { (char *)env->airlockctl, "--socket", env->control, (char *)cmd, "--json",
			 NULL };
	long long deadline = now_ms() + CTL_TIMEOUT_MS;
	size_t len = 0, cap = 0;
	int pfd[2], status = 0, err;
	char *buf = NULL, *nb;
	json_error_t jerr;
	json_t *root;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = spawn(argv, pfd[1], env->verbose ? -1 : -2, 1);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return pid;
	}
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)(deadline - now_ms());

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			nb = cap > CTL_MAX_BYTES ? NULL : realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(pfd[0]);
	err = wait_child(pid, 1000, &status);
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -EIO;
	if (!err && !buf)
		err = -ENODATA;
	if (!err) {
		buf[len] = '\0';
		root = json_loads(buf, 0, &jerr);
		if (!root)
			err = -EBADMSG;
		else
			*ret = root;
	}
	free(buf);
	return err;
}

int agent_wait_ready(struct ktest_env *env, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int status, ready;
	json_t *st;

	for (;;) {
		if (env->agent_pid && waitpid(env->agent_pid, &status, WNOHANG) == env->agent_pid) {
			env->agent_pid = 0;
			return -ECHILD;
		}
		if (agent_ctl_json(env, "status", &st) == 0) {
			ready = json_is_true(json_object_get(st, "ready"));
			json_decref(st);
			if (ready)
				return 0;
		}
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(50);
	}
}

/* Signal airlockd and reap it; SIGTERM escalates to SIGKILL after 3 s. */
int agent_kill(struct ktest_env *env, int sig)
{
	int err;

	if (!env->agent_pid)
		return 0;
	if (kill(env->agent_pid, sig) < 0)
		return -errno;
	err = wait_child(env->agent_pid, sig == SIGKILL ? 5000 : 3000, NULL);
	env->agent_pid = 0;
	return err == -ETIMEDOUT && sig != SIGKILL ? 0 : err;
}

/* SIGHUP, then wait until alk_config.generation moves and airlockd is ready. */
int agent_reload(struct ktest_env *env, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct airlock_config before, now;
	int err;

	err = pins_config_read(env->pin_dir, &before);
	if (err)
		return err;
	if (kill(env->agent_pid, SIGHUP) < 0)
		return -errno;
	for (;;) {
		err = pins_config_read(env->pin_dir, &now);
		if (err)
			return err;
		if (now.generation != before.generation)
			return agent_wait_ready(env, (int)(deadline - now_ms()));
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

int agent_uninstall(struct ktest_env *env)
{
	char *argv[] = { (char *)env->airlockd, "--uninstall", "--pin-dir", env->pin_dir, NULL };
	int fd = log_fd(env), status = 0, err;
	pid_t pid;

	pid = spawn(argv, fd, fd, 0);
	if (fd >= 0)
		close(fd);
	if (pid < 0)
		return pid;
	err = wait_child(pid, 10000, &status);
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -EIO;
	return err;
}

/* The last lines of airlockd's log, as TAP-style comments. */
void agent_log_tail(const struct ktest_env *env, int lines)
{
	char *buf = NULL, *p;
	size_t cap = 0;
	ssize_t n;
	long off;
	FILE *f;
	int seen = 0;

	f = fopen(env->log_path, "re");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	off = ftell(f);
	off = off > 16384 ? off - 16384 : 0;
	fseek(f, off, SEEK_SET);
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n <= 0) {
		free(buf);
		return;
	}
	for (p = buf + n - 1; p > buf; p--)
		if (*p == '\n' && p != buf + n - 1 && ++seen == lines)
			break;
	printf("# airlockd log (%s):\n", env->log_path);
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n"))
		printf("#   %s\n", line);
	free(buf);
}
