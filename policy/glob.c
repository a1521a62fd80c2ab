/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Which tenant a cgroup belongs to.  Workload globs match whole path
 * components (FNM_PATHNAME: '*' stops at '/'), and a cgroup below a workload
 * cgroup belongs to the same tenant, so a pod cannot leave its tenant by
 * creating a child cgroup.
 *
 * FNM_LEADING_DIR answers "does the glob match an ancestor" without copying
 * or cutting the path, so there is no length limit to fall through.  A glob
 * of k '/' can only match a path of k components, which gives the depth of
 * the ancestor it matched: the nearest one wins, then document order.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <string.h>

#include "policy.h"

static size_t slashes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '/';
	return n;
}

int policy_match_cgroup(const struct policy *p, const char *rel_path, int *ret_inherited)
{
	size_t t, w, best_depth = 0;
	int best = -1;

	if (!p || !rel_path || rel_path[0] != '/')
		return -1;
	for (t = 0; t < p->n_tenants; t++) {
		const struct policy_tenant *tenant = &p->tenants[t];

		for (w = 0; w < tenant->n_workloads; w++) {
			const char *glob = tenant->workloads[w].cgroup;
			size_t depth;

			if (fnmatch(glob, rel_path, FNM_PATHNAME) == 0) {
				if (ret_inherited)
					*ret_inherited = 0;
				return (int)t;
			}
			if (fnmatch(glob, rel_path, FNM_PATHNAME | FNM_LEADING_DIR) != 0)
				continue;
			depth = slashes(glob);
			if (best < 0 || depth > best_depth) {
				best = (int)t;
				best_depth = depth;
			}
		}
	}
	if (best >= 0 && ret_inherited)
		*ret_inherited = 1;
	return best;
}
