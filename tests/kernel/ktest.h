/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel test runner: real cgroups, real sockets, the real airlockd.
 *
 * Everything runs inside a private network namespace that holds only lo, so
 * no packet of these tests can leave the machine.  Each case forks a child
 * that joins the case's cgroup, performs one socket operation and reports
 * the errno back; the parent then checks the pinned alk_stats counters and
 * the denial events that airlockd publishes.
 */
#ifndef AIRLOCK_KTEST_H
#define AIRLOCK_KTEST_H

#include <limits.h>
#include <linux/types.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <jansson.h>

#include "airlock/abi.h"

#define KTEST_DETAIL 256

/* Cgroups of the test subtree, relative to <mount>/airlock-ktest-<pid>. */
enum ktest_cg {
	KTEST_CG_CONTOSO,   /* contoso/app: matches the contoso workload glob */
	KTEST_CG_NESTED,    /* contoso/app/nested: created by its case */
	KTEST_CG_FABRIKAM,  /* fabrikam/web */
	KTEST_CG_OTHER,     /* other/job: in no tenant */
	KTEST_CG_MAX,
};

/* Policy variants the runner writes (policy_file.c). */
enum ktest_policy {
	KTEST_POLICY_BASE,
	KTEST_POLICY_REVOKED,  /* contoso loses its DNS and IPv4 API rules */
	KTEST_POLICY_OTHER_JOINS, /* the other/ workloads become fabrikam's too */
};

/*
 * A child in two phases: phase1 runs at once and reports; phase2 runs when
 * the parent says go and reports again.  State between the phases lives in
 * the child's copy of arg.
 */
struct child2 {
	pid_t pid;
	int go_fd;      /* write end */
	int res_fd;     /* read end */
};

struct ktest_env {
	const char *airlockd;
	const char *airlockctl;
	const char *filter;
	int verbose;
	int no_agent;                     /* harness self-check, see main.c */

	char cg_mount[PATH_MAX];          /* cgroup2 mount point */
	char cg_root[PATH_MAX];           /* <mount>/airlock-ktest-<pid>: governed subtree */
	char cg_rel[PATH_MAX];            /* /airlock-ktest-<pid>, for policy globs */
	char cg_path[KTEST_CG_MAX][PATH_MAX];
	char pin_dir[PATH_MAX];           /* /sys/fs/bpf/airlock-ktest-<pid> */
	char work_dir[PATH_MAX];          /* /tmp/airlock-ktest-<pid> */
	char control[PATH_MAX];           /* airlockd control socket */
	char policy_path[PATH_MAX];
	char log_path[PATH_MAX];          /* airlockd stderr */

	struct servers *servers;

	pid_t agent_pid;                  /* 0 when not running */
	struct child2 pre;                /* holds a socket opened before airlockd started */
	__u32 contoso_id;
	__u32 fabrikam_id;
};

/* What a child reports over its pipe. */
struct op_result {
	int err;                    /* 0 or a positive errno */
	pid_t pid;                  /* the child's pid (tgid), as events record it */
	__u64 cookie;               /* SO_COOKIE of the socket used, 0 if none */
	char detail[128];
};

/* netns.c */
#define NETNS_LO_MTU 1500
int netns_enter(void);
int netns_allow_ping(void);
int netns_addr6_add(const char *addr);

/* cgroup.c */
int cgroup_find_mount(char *buf, size_t len);
int cgroup_make(const char *path);
int cgroup_join(const char *path);
int cgroup_remove_tree(const char *path);

/* pins.c: bpffs and the pinned maps that airlockd leaves behind */
int pins_bpffs_ensure(void);
int pins_stats_read(const char *pin_dir, __u32 tenant, struct airlock_stats *ret);
int pins_cgroup_read(const char *pin_dir, const char *path, struct airlock_cgroup_value *ret);
int pins_slot_owner(const char *pin_dir, __u32 slot, __u32 *ret_tenant);
int pins_config_read(const char *pin_dir, struct airlock_config *ret);
int pins_remove_dir(const char *pin_dir);

/* agent.c: airlockd and airlockctl */
int agent_start(struct ktest_env *env);
int agent_wait_ready(struct ktest_env *env, int timeout_ms);
int agent_kill(struct ktest_env *env, int sig);
int agent_reload(struct ktest_env *env, int timeout_ms);
int agent_uninstall(struct ktest_env *env);
int agent_ctl_json(struct ktest_env *env, const char *cmd, json_t **ret);
void agent_log_tail(const struct ktest_env *env, int lines);

/* policy_file.c */
int policy_file_write(const struct ktest_env *env, enum ktest_policy variant);

/* servers.c: listeners on every test port, served by one thread */
struct servers;
int servers_start(struct servers **ret);
struct servers *servers_stop(struct servers *srv);
unsigned long servers_udp_received(struct servers *srv);

/* events.c: denial events published by airlockd */
struct event_match {
	const char *tenant;
	pid_t pid;                  /* 0: do not match */
	__u64 cookie;               /* 0: do not match */
	const char *family;         /* "ipv4" / "ipv6" */
	const char *daddr;          /* NULL: do not match */
	int dport;                  /* -1: do not match */
	const char *proto;          /* NULL: do not match */
	const char *hook;
	const char *reason;
};
int events_wait(struct ktest_env *env, const struct event_match *m, int timeout_ms, char *detail,
		size_t len);

/* ops.c: socket operations, run inside a case child */
enum ktest_op {
	OP_TCP_CONNECT,
	OP_UDP_SENDTO,
	OP_UDP_SENDTO_LARGE,  /* 4000 bytes: fragmented at the MTU */
	OP_UDP_SENDMMSG,      /* [allowed DNS, case address]: 1 sent, then the second alone */
	OP_UDP_CONNECT,
	OP_TFO_SENDTO,        /* sendto(MSG_FASTOPEN) on an unconnected TCP socket */
	OP_TFO_CONNECT,       /* TCP_FASTOPEN_CONNECT, then connect() */
	OP_URING_CONNECT,     /* IORING_OP_CONNECT */
	OP_URING_SENDMSG,     /* IORING_OP_SENDMSG, unconnected UDP */
	OP_PING_CONNECT,      /* ICMP ping socket (SOCK_DGRAM, IPPROTO_ICMP), connect() */
	OP_PING_SENDTO,       /* ICMP ping socket, echo request by sendto() */
	OP_RAW_SOCKET,        /* socket(SOCK_RAW) */
	OP_RAW_SHORT_TCP,     /* raw IPPROTO_TCP packet with a 4-byte, truncated TCP header */
	OP_CUSTOM,
};
int ops_tcp_socket(int family);
int ops_sockaddr(int family, const char *addr, __u16 port, struct sockaddr_storage *ret,
		 socklen_t *ret_len);
void ops_run(enum ktest_op op, int family, const char *addr, __u16 port, struct op_result *r);
void ops_fill(struct op_result *r, int fd, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* child.c: fork a child into a cgroup and collect its result */
typedef void (*child_fn)(void *arg, struct op_result *r);
int child_run(const char *cgroup, child_fn fn, void *arg, int timeout_ms, struct op_result *ret);
int child_read_result(int fd, int timeout_ms, struct op_result *ret);

int child2_start(const char *cgroup, child_fn phase1, child_fn phase2, void *arg,
		 int timeout_ms, struct child2 *ret, struct op_result *ret_r1);
int child2_finish(struct child2 *c, int timeout_ms, struct op_result *ret);
void child2_abort(struct child2 *c);

/* cases.c */
int cases_run(struct ktest_env *env, int *ret_passed, int *ret_failed, int *ret_skipped);
int cases_prepare_preexisting(struct ktest_env *env);

#endif /* AIRLOCK_KTEST_H */
