// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A case child: join a cgroup, run one operation, report over a pipe. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

int child_read_result(int fd, int timeout_ms, struct op_result *ret)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct op_result r;
	ssize_t n;

	n = poll(&p, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	n = read(fd, &r, sizeof(r));
	if (n < 0)
		return -errno;
	if (n != sizeof(r))
		return -EPIPE;
	*ret = r;
	return 0;
}

int child_run(const char *cgroup, child_fn fn, void *arg, int timeout_ms, struct op_result *ret)
{
	struct op_result r = {};
	int pfd[2], err;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		close(pfd[0]);
		alarm(timeout_ms / 1000 + 2);
		err = cgroup_join(cgroup);
		if (err)
			ops_fill(&r, -1, ENOTRECOVERABLE, "join %s: %s", cgroup, strerror(-err));
		else
			fn(arg, &r);
		r.pid = getpid();
		(void)!write(pfd[1], &r, sizeof(r));
		_exit(0);
	}
	close(pfd[1]);
	err = child_read_result(pfd[0], timeout_ms, &r);
	close(pfd[0]);
	if (err)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (!err) {
		r.pid = pid;
		*ret = r;
	}
	return err;
}

/* The child side of child2: never returns. */
static void __attribute__((noreturn)) child2_main(const char *cgroup, child_fn phase1,
						  child_fn phase2, void *arg, int go_fd,
						  int res_fd)
{
	struct op_result r = { .pid = getpid() };
	char go;
	int err;

	err = cgroup_join(cgroup);
	if (err)
		ops_fill(&r, -1, ENOTRECOVERABLE, "join %s: %s", cgroup, strerror(-err));
	else
		phase1(arg, &r);
	r.pid = getpid();
	if (write(res_fd, &r, sizeof(r)) != sizeof(r) || err)
		_exit(1);
	if (read(go_fd, &go, 1) != 1)
		_exit(0);
	memset(&r, 0, sizeof(r));
	phase2(arg, &r);
	r.pid = getpid();
	(void)!write(res_fd, &r, sizeof(r));
	_exit(0);
}

int child2_start(const char *cgroup, child_fn phase1, child_fn phase2, void *arg,
		 int timeout_ms, struct child2 *ret, struct op_result *ret_r1)
{
	struct child2 c = { .go_fd = -1, .res_fd = -1 };
	int go[2], res[2], err;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(res, O_CLOEXEC) < 0) {
		err = -errno;
		goto out_close_go;
	}
	c.pid = fork();
	if (c.pid < 0) {
		err = -errno;
		goto out_close_res;
	}
	if (c.pid == 0) {
		close(go[1]);
		close(res[0]);
		child2_main(cgroup, phase1, phase2, arg, go[0], res[1]);
	}
	close(go[0]);
	close(res[1]);
	c.go_fd = go[1];
	c.res_fd = res[0];
	err = child_read_result(c.res_fd, timeout_ms, ret_r1);
	if (err) {
		child2_abort(&c);
		return err;
	}
	*ret = c;
	return 0;

out_close_res:
	close(res[0]);
	close(res[1]);
out_close_go:
	close(go[0]);
	close(go[1]);
	return err;
}

int child2_finish(struct child2 *c, int timeout_ms, struct op_result *ret)
{
	int err;

	if (write(c->go_fd, "g", 1) != 1) {
		err = -errno;
		child2_abort(c);
		return err;
	}
	err = child_read_result(c->res_fd, timeout_ms, ret);
	if (!err)
		ret->pid = c->pid;
	child2_abort(c);
	return err;
}

/* Kill (if still running) and reap; a no-op on a zeroed or finished child2. */
void child2_abort(struct child2 *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->res_fd >= 0)
		close(c->res_fd);
	c->pid = 0;
	c->go_fd = c->res_fd = -1;
}
