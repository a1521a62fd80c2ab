// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kernel_test --airlockd PATH --airlockctl PATH [--filter NAME] [-v]
 *
 * Sets up a private netns, a cgroup subtree and a policy, starts airlockd
 * governing that subtree, runs the case table and tears everything down,
 * also on failure and on SIGINT/SIGTERM.  Ends with
 * "N passed, N failed, N skipped"; exits non-zero on any failure.
 *
 * --no-agent is a harness self-check: every operation runs without airlockd
 * and must succeed, proving the servers, cgroups and operations work.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktest.h"
#include "policy.h"

/* For the signal handler only: the one environment being torn down. */
static struct ktest_env *cleanup_env;

static const char *const cg_names[KTEST_CG_MAX] = {
	[KTEST_CG_CONTOSO] = "contoso/app",
	[KTEST_CG_NESTED] = "contoso/app/nested",
	[KTEST_CG_FABRIKAM] = "fabrikam/web",
	[KTEST_CG_OTHER] = "other/job",
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kernel_test --airlockd PATH --airlockctl PATH [--filter NAME] [-v]\n"
		   "                   [--no-agent]\n");
}

static int parse_args(int argc, char **argv, struct ktest_env *env)
{
	static const struct option opts[] = {
		{ "airlockd", required_argument, NULL, 'd' },
		{ "airlockctl", required_argument, NULL, 'c' },
		{ "filter", required_argument, NULL, 'f' },
		{ "no-agent", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int o;

	while ((o = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (o) {
		case 'd': env->airlockd = optarg; break;
		case 'c': env->airlockctl = optarg; break;
		case 'f': env->filter = optarg; break;
		case 'n': env->no_agent = 1; break;
		case 'v': env->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (!env->no_agent && (!env->airlockd || !env->airlockctl))
		return -EINVAL;
	return 0;
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

static int env_paths(struct ktest_env *env)
{
	int pid = (int)getpid(), err, i;

	err = cgroup_find_mount(env->cg_mount, sizeof(env->cg_mount));
	err = err ?: path_fmt(env->cg_rel, "/airlock-ktest-%d", pid);
	err = err ?: path_fmt(env->cg_root, "%s%s", env->cg_mount, env->cg_rel);
	for (i = 0; i < KTEST_CG_MAX; i++)
		err = err ?: path_fmt(env->cg_path[i], "%s/%s", env->cg_root, cg_names[i]);
	err = err ?: path_fmt(env->pin_dir, "/sys/fs/bpf/airlock-ktest-%d", pid);
	err = err ?: path_fmt(env->work_dir, "/tmp/airlock-ktest-%d", pid);
	err = err ?: path_fmt(env->control, "%s/airlockd.sock", env->work_dir);
	err = err ?: path_fmt(env->policy_path, "%s/policy.json", env->work_dir);
	err = err ?: path_fmt(env->log_path, "%s/airlockd.log", env->work_dir);
	env->contoso_id = policy_tenant_id("contoso");
	env->fabrikam_id = policy_tenant_id("fabrikam");
	return err;
}

static int env_setup(struct ktest_env *env, const char **ret_step)
{
	int err, i;

	*ret_step = "private network namespace";
	err = netns_enter();
	if (!err) {
		*ret_step = "ping sockets in the netns";
		err = netns_allow_ping();
	}
	if (!err) {
		*ret_step = "fd00:10::5 on lo";
		err = netns_addr6_add("fd00:10::5");
	}
	if (!err) {
		*ret_step = "bpffs at /sys/fs/bpf";
		err = pins_bpffs_ensure();
	}
	if (!err) {
		*ret_step = "cgroup2 mount";
		err = env_paths(env);
	}
	if (!err) {
		*ret_step = "work directory";
		err = mkdir(env->work_dir, 0700) < 0 ? -errno : 0;
	}
	for (i = 0; !err && i < KTEST_CG_MAX; i++) {
		if (i == KTEST_CG_NESTED) /* created by its case */
			continue;
		*ret_step = env->cg_path[i];
		err = cgroup_make(env->cg_path[i]);
	}
	if (!err) {
		*ret_step = "policy file";
		err = policy_file_write(env, KTEST_POLICY_BASE);
	}
	if (!err) {
		*ret_step = "servers";
		err = servers_start(&env->servers);
	}
	if (!err) {
		*ret_step = "socket opened before airlockd";
		err = cases_prepare_preexisting(env);
	}
	if (!err && !env->no_agent) {
		*ret_step = "airlockd start";
		err = agent_start(env);
		if (!err) {
			*ret_step = "airlockd ready";
			err = agent_wait_ready(env, 15000);
		}
	}
	return err;
}

static void rm_work_dir(const struct ktest_env *env)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/policy.json.tmp", env->work_dir);
	unlink(path);
	unlink(env->policy_path);
	unlink(env->control);
	unlink(env->log_path);
	rmdir(env->work_dir);
}

/* Everything the run created, in reverse; safe at any stage of setup. */
static void env_teardown(struct ktest_env *env, int keep_log)
{
	child2_abort(&env->pre);
	agent_kill(env, SIGTERM);
	if (env->airlockd && env->pin_dir[0] && access(env->pin_dir, F_OK) == 0)
		agent_uninstall(env);
	if (env->pin_dir[0])
		pins_remove_dir(env->pin_dir);
	env->servers = servers_stop(env->servers);
	if (env->cg_root[0])
		cgroup_remove_tree(env->cg_root);
	if (keep_log)
		agent_log_tail(env, 30);
	if (env->work_dir[0])
		rm_work_dir(env);
}

static void on_signal(int sig)
{
	if (cleanup_env)
		env_teardown(cleanup_env, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	struct ktest_env env = { .pre = { .go_fd = -1, .res_fd = -1 } };
	int passed = 0, failed = 0, skipped = 0, err;
	const char *step = "arguments";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &env)) {
		usage(stderr);
		return 2;
	}
	cleanup_env = &env;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	err = geteuid() == 0 ? env_setup(&env, &step) : -EPERM;
	if (err) {
		printf("FAIL %-38s %s: %s\n", "setup", geteuid() ? "must run as root" : step,
		       strerror(-err));
		failed = 1;
	} else {
		if (env.verbose)
			printf("# netns with lo only; cgroups under %s; pins in %s\n", env.cg_root,
			       env.pin_dir);
		cases_run(&env, &passed, &failed, &skipped);
	}
	env_teardown(&env, failed > 0 && !env.no_agent);
	cleanup_env = NULL;
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
