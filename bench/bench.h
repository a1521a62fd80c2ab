/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bench_connect: the cost of airlock on the connect path, measured as
 * loopback TCP connect+close per second with the loop outside the governed
 * subtree (no hooks) and inside a tenant cgroup (every hook attached),
 * at several policy sizes.
 */
#ifndef AIRLOCK_BENCH_H
#define AIRLOCK_BENCH_H

#include <limits.h>
#include <linux/types.h>
#include <sys/types.h>

#include <jansson.h>

#include "airlock/abi.h"

#define BENCH_SERVER_ADDR "127.0.30.5"   /* the tenant's one allowed destination */
#define BENCH_SERVER_PORT 9000
#define BENCH_DENIED_ADDR "127.1.2.3"    /* same port, not in the policy */
#define BENCH_MAX_PROGS 16

struct bench_env {
	const char *airlockd;
	char airlockctl[PATH_MAX];
	char cg_mount[PATH_MAX];
	char cg_rel[PATH_MAX];           /* /airlock-bench-<pid> */
	char cg_top[PATH_MAX];           /* <mount>/airlock-bench-<pid> */
	char cg_gov[PATH_MAX];           /* .../gov: the governed subtree */
	char cg_base[PATH_MAX];          /* .../base: outside it, no hooks */
	char cg_tenant[PATH_MAX];        /* .../gov/bench/app: in tenant "bench" */
	char pin_dir[PATH_MAX];
	char work_dir[PATH_MAX];
	char control[PATH_MAX];
	char policy_path[PATH_MAX];
	char log_path[PATH_MAX];
	pid_t agent_pid;
	__u32 tenant_id;
};

/* One attached program, as airlockd's status reports it. */
struct bench_prog {
	char name[32];
	__u32 prog_id;
};

/* env.c */
int bench_env_setup(struct bench_env *env);
void bench_env_teardown(struct bench_env *env);
void bench_log_tail(const struct bench_env *env);
int bench_agent_start(struct bench_env *env);
int bench_agent_wait_ready(struct bench_env *env, int timeout_ms);
int bench_agent_reload(struct bench_env *env, int timeout_ms);
int bench_agent_stop(struct bench_env *env);
int bench_agent_programs(struct bench_env *env, struct bench_prog *progs, int max);
long bench_agent_entries(struct bench_env *env);
int bench_stats_read(const struct bench_env *env, struct airlock_stats *ret);

/* policy_gen.c */
int bench_policy_write(const struct bench_env *env, long entries);

#endif /* AIRLOCK_BENCH_H */
