// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policies of a given size: the tenant "bench" may reach its loopback
 * server, plus entries-1 host routes 10.x.y.z/32 that only fill the trie.
 * Those addresses are written into the policy and never contacted.
 */
#include <errno.h>
#include <stdio.h>

#include "bench.h"

int bench_policy_write(const struct bench_env *env, long entries)
{
	char tmp[PATH_MAX + 8];
	long i, fill = entries - 1;
	FILE *f;
	int err = 0;

	if (entries < 1 || entries > AIRLOCK_POLICY_MAX_ENTRIES)
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s.tmp", env->policy_path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f,
		"{\n  \"apiVersion\": \"airlock/v1\",\n"
		"  \"defaults\": { \"unmatchedWorkloads\": \"allow\" },\n"
		"  \"tenants\": [ {\n    \"name\": \"bench\",\n"
		"    \"workloads\": [ { \"cgroup\": \"%s/gov/bench/*\" } ],\n"
		"    \"egress\": [\n"
		"      { \"name\": \"server\", \"to\": [\"%s/32\"], \"ports\": [%d], \"protocol\": \"tcp\" }",
		env->cg_rel, BENCH_SERVER_ADDR, BENCH_SERVER_PORT);
	if (fill > 0) {
		fprintf(f, ",\n      { \"name\": \"filler\", \"ports\": [443], \"protocol\": \"tcp\", \"to\": [");
		for (i = 1; i <= fill; i++)
			fprintf(f, "%s\"10.%ld.%ld.%ld/32\"", i > 1 ? "," : "", (i >> 16) & 255,
				(i >> 8) & 255, i & 255);
		fprintf(f, "] }");
	}
	fprintf(f, "\n    ]\n  } ]\n}\n");
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, env->policy_path) < 0)
		err = -errno;
	return err;
}
