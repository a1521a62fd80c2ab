/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The case table and the checks the cases share. */
#ifndef AIRLOCK_KTEST_CASES_H
#define AIRLOCK_KTEST_CASES_H

#include <stddef.h>

#include "ktest.h"

#define CTR(field) offsetof(struct airlock_stats, field)
#define CTR_NONE ((size_t)-1)

struct ktest_case;
typedef int (*case_fn)(struct ktest_env *env, const struct ktest_case *c, char *detail,
		       size_t len);

/*
 * One row: a child in cgroup cg performs op on family/addr/port and must
 * see expect (0 or EPERM).  The tenant's counter ctr must then have moved by
 * ctr_delta in the pinned alk_stats, the opposite verdict's counter by
 * pair_delta, and a denial must carry hook and reason.
 */
struct ktest_case {
	const char *name;
	enum ktest_cg cg;
	enum ktest_op op;
	int family;
	const char *addr;
	__u16 port;
	int expect;
	const char *tenant;      /* counter owner; NULL is tenant 0, the unmatched */
	size_t ctr;
	int ctr_delta;
	int pair_delta;
	const char *hook;        /* expected denial event; NULL: none */
	const char *reason;
	const char *proto;       /* "tcp" / "udp"; NULL: not checked */
	const char *ev_family;   /* family the hook saw; NULL: that of the socket */
	const char *ev_daddr;    /* daddr as printed; NULL: addr; "": not checked */
	case_fn custom;          /* the whole case, for those that are no single operation */
};

/* case_checks.c */
__u32 case_tenant_id(const struct ktest_env *env, const char *tenant);
int case_stats(const struct ktest_env *env, const char *tenant, struct airlock_stats *ret);
__u64 case_field(const struct airlock_stats *st, size_t ctr);
size_t case_pair(size_t ctr);
const char *case_ctr_name(size_t ctr);
int case_check_delta(const struct airlock_stats *before, const struct airlock_stats *after,
		     size_t ctr, long long want, char *detail, size_t len);
int case_check_errno(const struct op_result *r, int expect, char *detail, size_t len);
void case_sleep_ms(int ms);

/* case_lifecycle.c */
int case_preexisting(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len);
int case_carried_socket(struct ktest_env *env, const struct ktest_case *c, char *detail,
			size_t len);
int case_reload_keeps_counters(struct ktest_env *env, const struct ktest_case *c, char *detail,
			       size_t len);
int case_reload_broken(struct ktest_env *env, const struct ktest_case *c, char *detail,
		       size_t len);
int case_stats_json(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len);
int case_agent_kill9(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len);

/* case_backstop.c */
int case_backstop_udp(struct ktest_env *env, const struct ktest_case *c, char *detail,
		      size_t len);
int case_backstop_tcp(struct ktest_env *env, const struct ktest_case *c, char *detail,
		      size_t len);

/* case_memo.c */
int case_remap_follows(struct ktest_env *env, const struct ktest_case *c, char *detail,
		       size_t len);

/* case_server.c */
int case_tenant_server(struct ktest_env *env, const struct ktest_case *c, char *detail,
		       size_t len);

#endif /* AIRLOCK_KTEST_CASES_H */
