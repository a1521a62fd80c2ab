// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The per-CPU memo (alk_memo) must never outlive the mapping it caches:
 * once the agent moves a cgroup to another tenant, the very next socket
 * call from it, on every CPU, is judged as that tenant's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>

#include "cases.h"

#define DENIED_ADDR "127.1.2.3"
#define API_PORT 443

struct on_cpu {
	int cpu;
};

/* Connect from this CPU, so the hooks run (and memoise) on it. */
static void connect_on_cpu(void *arg, struct op_result *r)
{
	const struct on_cpu *oc = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(oc->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		r->err = errno;
		snprintf(r->detail, sizeof(r->detail), "sched_setaffinity(%d): %s", oc->cpu,
			 strerror(errno));
		return;
	}
	ops_run(OP_TCP_CONNECT, AF_INET, DENIED_ADDR, API_PORT, r);
}

/* One connect from the unmatched cgroup on each CPU; each must end as want. */
static int other_connect_each_cpu(struct ktest_env *env, int ncpu, int want, const char *when,
				  char *detail, size_t len)
{
	struct op_result r;
	struct on_cpu oc;
	int err;

	for (oc.cpu = 0; oc.cpu < ncpu; oc.cpu++) {
		err = child_run(env->cg_path[KTEST_CG_OTHER], connect_on_cpu, &oc, 5000, &r);
		if (err) {
			snprintf(detail, len, "case child: %s", strerror(-err));
			return err;
		}
		err = case_check_errno(&r, want, detail, len);
		if (err) {
			size_t n = strlen(detail);

			snprintf(detail + n, len - n, " (cpu %d, %s)", oc.cpu, when);
			return err;
		}
	}
	return 0;
}

int case_remap_follows(struct ktest_env *env, const struct ktest_case *c, char *detail,
		       size_t len)
{
	struct airlock_stats before, after;
	int ncpu = get_nprocs(), err, restore_err;

	(void)c;
	/* Every CPU's memo now says: this cgroup is in no tenant. */
	err = other_connect_each_cpu(env, ncpu, 0, "unmatched", detail, len);
	if (err)
		return err;
	err = case_stats(env, "fabrikam", &before);
	err = err ?: policy_file_write(env, KTEST_POLICY_OTHER_JOINS);
	err = err ?: agent_reload(env, 3000);
	if (err) {
		snprintf(detail, len, "move other/* to fabrikam: %s", strerror(-err));
		goto restore;
	}
	err = other_connect_each_cpu(env, ncpu, EPERM, "moved to fabrikam", detail, len);
	if (!err && (err = case_stats(env, "fabrikam", &after)) == 0)
		err = case_check_delta(&before, &after, CTR(connect_denied), ncpu, detail, len);
restore:
	restore_err = policy_file_write(env, KTEST_POLICY_BASE);
	restore_err = restore_err ?: agent_reload(env, 3000);
	if (!err && restore_err)
		snprintf(detail, len, "restore the policy: %s", strerror(-restore_err));
	err = err ?: restore_err;
	err = err ?: other_connect_each_cpu(env, ncpu, 0, "moved back", detail, len);
	if (!err)
		snprintf(detail, len, "on each of %d CPUs: allowed, EPERM as fabrikam right after "
			 "the move (connect_denied +%d), allowed again after moving back",
			 ncpu, ncpu);
	return err;
}
