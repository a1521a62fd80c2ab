// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Checks shared by the cases: counters of the pinned map, errno outcomes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cases.h"

static const struct {
	size_t ctr;
	const char *name;
	size_t pair;
} counters[] = {
	{ CTR(connect_allowed), "connect_allowed", CTR(connect_denied) },
	{ CTR(connect_denied), "connect_denied", CTR(connect_allowed) },
	{ CTR(dgram_allowed), "dgram_allowed", CTR(dgram_denied) },
	{ CTR(dgram_denied), "dgram_denied", CTR(dgram_allowed) },
	{ CTR(sock_denied), "sock_denied", CTR_NONE },
	{ CTR(egress_packets), "egress_packets", CTR(egress_dropped) },
	{ CTR(egress_bytes), "egress_bytes", CTR_NONE },
	{ CTR(egress_dropped), "egress_dropped", CTR_NONE },
	{ CTR(ingress_packets), "ingress_packets", CTR_NONE },
	{ CTR(ingress_bytes), "ingress_bytes", CTR_NONE },
};

#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

__u32 case_tenant_id(const struct ktest_env *env, const char *tenant)
{
	if (!tenant)
		return 0;
	return strcmp(tenant, "contoso") ? env->fabrikam_id : env->contoso_id;
}

int case_stats(const struct ktest_env *env, const char *tenant, struct airlock_stats *ret)
{
	return pins_stats_read(env->pin_dir, case_tenant_id(env, tenant), ret);
}

__u64 case_field(const struct airlock_stats *st, size_t ctr)
{
	return *(const __u64 *)((const char *)st + ctr);
}

size_t case_pair(size_t ctr)
{
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		if (counters[i].ctr == ctr)
			return counters[i].pair;
	return CTR_NONE;
}

const char *case_ctr_name(size_t ctr)
{
	size_t i;

	for (i = 0; i < NCOUNTERS; i++)
		if (counters[i].ctr == ctr)
			return counters[i].name;
	return "?";
}

/* want >= 0: exact delta; want < 0: at least -want. */
int case_check_delta(const struct airlock_stats *before, const struct airlock_stats *after,
		     size_t ctr, long long want, char *detail, size_t len)
{
	long long d = (long long)(case_field(after, ctr) - case_field(before, ctr));

	if ((want >= 0 && d == want) || (want < 0 && d >= -want))
		return 0;
	snprintf(detail, len, "%s moved by %lld, want %s%lld", case_ctr_name(ctr), d,
		 want < 0 ? ">= " : "", want < 0 ? -want : want);
	return -EPROTO;
}

static const char *errno_name(int err)
{
	return err == 0 ? "success" : err == EPERM ? "EPERM" : strerror(err);
}

int case_check_errno(const struct op_result *r, int expect, char *detail, size_t len)
{
	if (r->err == expect)
		return 0;
	snprintf(detail, len, "want %s, got %s (%s)", errno_name(expect), errno_name(r->err),
		 r->detail);
	return -EPROTO;
}

void case_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
