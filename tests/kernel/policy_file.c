// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The test policy, modelled on the demo policy with globs under the test
 * subtree.  contoso may reach its API (127.0.10.5 and fd00:10::5, tcp/443
 * and tcp/8443)
 * and its resolver (127.0.0.53, udp/53); fabrikam a port range on
 * 127.0.20.5; every other cgroup of the subtree is unmatched and allowed.
 */
#include <errno.h>
#include <stdio.h>

#include "ktest.h"

static json_t *egress(const char *name, json_t *to, json_t *ports, const char *proto)
{
	return json_pack("{s:s, s:o, s:o, s:s}", "name", name, "to", to, "ports", ports,
			 "protocol", proto);
}

static json_t *tenant(const struct ktest_env *env, const char *name, json_t *rules)
{
	char glob[PATH_MAX];

	if (snprintf(glob, sizeof(glob), "%s/%s/*", env->cg_rel, name) >= (int)sizeof(glob)) {
		json_decref(rules);
		return NULL;
	}
	return json_pack("{s:s, s:[{s:s}], s:o}", "name", name, "workloads", "cgroup", glob,
			 "egress", rules);
}

int policy_file_write(const struct ktest_env *env, enum ktest_policy variant)
{
	json_t *contoso, *fabrikam, *doc;
	char tmp[PATH_MAX];
	int err = 0;

	if (variant == KTEST_POLICY_REVOKED)
		contoso = json_pack("[o]", egress("api", json_pack("[s]", "fd00:10::5/128"),
						  json_pack("[i, i]", 443, 8443), "tcp"));
	else
		contoso = json_pack("[o, o]",
				    egress("api", json_pack("[s, s]", "127.0.10.5/32", "fd00:10::5/128"),
					   json_pack("[i, i]", 443, 8443), "tcp"),
				    egress("dns", json_pack("[s, s]", "127.0.0.53/32", "fd00:10::5/128"),
					   json_pack("[i]", 53), "udp"));
	fabrikam = json_pack("[o]", egress("range", json_pack("[s]", "127.0.20.5/32"),
					   json_pack("[s]", "8000-8100"), "tcp"));
	doc = json_pack("{s:s, s:{s:s}, s:[o, o]}", "apiVersion", "airlock/v1", "defaults",
			"unmatchedWorkloads", "allow", "tenants", tenant(env, "contoso", contoso),
			tenant(env, "fabrikam", fabrikam));
	if (!doc)
		return -ENOMEM;
	/* Write beside and rename, so a reload never reads half a file. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", env->policy_path) >= (int)sizeof(tmp))
		err = -ENAMETOOLONG;
	else if (json_dump_file(doc, tmp, JSON_INDENT(2)) < 0 || rename(tmp, env->policy_path) < 0)
		err = -EIO;
	json_decref(doc);
	return err;
}
