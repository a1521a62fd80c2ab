// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The test policy, modelled on the demo policy with globs under the test
 * subtree.  contoso may reach its API (127.0.10.5 and fd00:10::5, tcp/443
 * and tcp/8443)
 * and its resolver (127.0.0.53, udp/53); fabrikam a port range on
 * 127.0.20.5; every other cgroup of the subtree is unmatched and allowed
 * (except in KTEST_POLICY_OTHER_JOINS, where other/ is fabrikam's too).
 */
#include <errno.h>
#include <stdio.h>

#include "ktest.h"

static json_t *egress(const char *name, json_t *to, json_t *ports, const char *proto)
{
	return json_pack("{s:s, s:o, s:o, s:s}", "name", name, "to", to, "ports", ports,
			 "protocol", proto);
}

/* A tenant whose workloads are the children of <subtree>/<name> and, if also
 * is set, of <subtree>/<also>. */
static json_t *tenant(const struct ktest_env *env, const char *name, const char *also,
		      json_t *rules)
{
	char glob[PATH_MAX], glob2[PATH_MAX];
	json_t *workloads;

	if (snprintf(glob, sizeof(glob), "%s/%s/*", env->cg_rel, name) >= (int)sizeof(glob) ||
	    snprintf(glob2, sizeof(glob2), "%s/%s/*", env->cg_rel, also ? also : "") >=
		    (int)sizeof(glob2)) {
		json_decref(rules);
		return NULL;
	}
	workloads = json_pack("[{s:s}]", "cgroup", glob);
	if (also)
		json_array_append_new(workloads, json_pack("{s:s}", "cgroup", glob2));
	return json_pack("{s:s, s:o, s:o}", "name", name, "workloads", workloads, "egress", rules);
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
			"unmatchedWorkloads", "allow", "tenants", tenant(env, "contoso", NULL, contoso),
			tenant(env, "fabrikam", variant == KTEST_POLICY_OTHER_JOINS ? "other" : NULL,
			       fabrikam));
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
