/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The document, its defaults, tenants and workloads, and the checks across
 * tenants (unique names, ids and globs).  Egress entries are in egress.c.
 *
 * Unknown keys are errors, not warnings: "egres" or "port" silently ignored
 * would leave a policy wider or narrower than its author believes.  Keys
 * beginning with "x-" are free for annotations, as is top-level "metadata".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const top_keys[] = { "apiVersion", "metadata", "defaults", "tenants", NULL };
static const char *const defaults_keys[] = { "unmatchedWorkloads", NULL };
static const char *const tenant_keys[] = { "name", "workloads", "egress", "content", NULL };
static const char *const workload_keys[] = { "cgroup", NULL };

const char *policy_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a fractional number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

int policy_need_string(struct policy_ctx *ctx, const json_t *v, const char **ret)
{
	if (!v)
		return policy_fail(ctx, "required key missing");
	*ret = json_string_value(v);
	if (!*ret)
		return policy_fail(ctx, "must be a string, not %s", policy_json_type(v));
	return 0;
}

int policy_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > POLICY_MAX_NAME || name[0] == '-' || name[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return 0;
	}
	return 1;
}

/* Edit distance, for "did you mean"; keys are short, so O(n*m) is nothing. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65], i, j;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

int policy_check_keys(struct policy_ctx *ctx, json_t *obj, const char *const allowed[])
{
	const char *key, *near;
	json_t *v;
	size_t i, best;
	int r;

	json_object_foreach(obj, key, v) {
		int known = strncmp(key, "x-", 2) == 0;

		for (i = 0; allowed[i] && !known; i++)
			known = strcmp(key, allowed[i]) == 0;
		if (known)
			continue;
		near = NULL;
		best = 3;
		for (i = 0; allowed[i]; i++) {
			size_t d = distance(key, allowed[i]);

			if (d < best || (d != (size_t)-1 && strcasecmp(key, allowed[i]) == 0)) {
				best = d;
				near = allowed[i];
			}
		}
		policy_path_key(&ctx->path, key);
		if (near)
			r = policy_fail_key(ctx, "unknown key \"%s\", did you mean \"%s\"?", key, near);
		else
			r = policy_fail_key(ctx, "unknown key \"%s\" (annotations go in \"x-\" keys)",
					    key);
		policy_path_pop(&ctx->path);
		return r;
	}
	return 0;
}

static int oom(struct policy_ctx *ctx)
{
	return policy_fail_errno(ctx, ENOMEM, "out of memory");
}

/* Globs that can never match a cgroup path, or that would take the root. */
static int glob_check(struct policy_ctx *ctx, const char *glob)
{
	const char *c;

	if (glob[0] != '/')
		return policy_fail(ctx, "\"%s\" must start with '/' (relative to the cgroup2 mount)",
				   glob);
	if (strlen(glob) > POLICY_MAX_GLOB)
		return policy_fail(ctx, "longer than %d bytes", POLICY_MAX_GLOB);
	if (strcmp(glob, "/") == 0)
		return policy_fail(ctx, "the root cgroup holds every process on the node; name the "
					"workload cgroups");
	if (glob[strlen(glob) - 1] == '/')
		return policy_fail(ctx, "\"%s\" ends in '/' and would never match a cgroup", glob);
	for (c = glob; *c; c++) {
		size_t n = strcspn(c + 1, "/");

		if (*c != '/')
			continue;
		if (n == 0 || (n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return policy_fail(ctx, "\"%s\" has an empty, '.' or '..' component and would "
						"never match a cgroup",
					   glob);
	}
	return 0;
}

static int build_workload(struct policy_ctx *ctx, json_t *obj, struct policy_workload *w)
{
	const char *glob;
	int r;

	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object {\"cgroup\": \"/glob\"}, not %s",
				   policy_json_type(obj));
	r = policy_check_keys(ctx, obj, workload_keys);
	if (r < 0)
		return r;
	policy_path_key(&ctx->path, "cgroup");
	r = policy_need_string(ctx, json_object_get(obj, "cgroup"), &glob);
	if (r == 0)
		r = glob_check(ctx, glob);
	if (r == 0) {
		w->cgroup = strdup(glob);
		if (!w->cgroup)
			r = oom(ctx);
	}
	policy_path_pop(&ctx->path);
	return r;
}

static int build_workloads(struct policy_ctx *ctx, json_t *arr, struct policy_tenant *t)
{
	size_t i, n;
	int r = 0;

	if (!arr)
		return policy_fail(ctx, "required key missing");
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n == 0)
		return policy_fail(ctx, "empty: a tenant needs at least one workload cgroup glob");
	t->workloads = calloc(n, sizeof(*t->workloads));
	if (!t->workloads)
		return oom(ctx);
	for (i = 0; i < n && r == 0; i++) {
		t->n_workloads = i + 1;
		policy_path_index(&ctx->path, i);
		r = build_workload(ctx, json_array_get(arr, i), &t->workloads[i]);
		policy_path_pop(&ctx->path);
	}
	return r;
}

/* The earliest repeated string (by index of the repeat), as index pairs. */
struct named {
	const char *s;
	size_t idx;
};

static int named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int first_repeat(struct named *v, size_t n, size_t *ret_first, size_t *ret_repeat)
{
	size_t i, run = 0, best = (size_t)-1, first = 0;

	qsort(v, n, sizeof(*v), named_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i].s, v[run].s) != 0) {
			run = i;
			continue;
		}
		if (i == run + 1 && v[i].idx < best) {
			best = v[i].idx;
			first = v[run].idx;
		}
	}
	if (best == (size_t)-1)
		return 0;
	*ret_first = first;
	*ret_repeat = best;
	return 1;
}

static int check_egress_names(struct policy_ctx *ctx, const struct policy_tenant *t)
{
	size_t i, first, repeat;
	struct named *v;
	int r = 0;

	if (t->n_egress < 2)
		return 0;
	v = calloc(t->n_egress, sizeof(*v));
	if (!v)
		return oom(ctx);
	for (i = 0; i < t->n_egress; i++)
		v[i] = (struct named){ .s = t->egress[i].name, .idx = i };
	if (first_repeat(v, t->n_egress, &first, &repeat)) {
		policy_path_key(&ctx->path, "egress");
		policy_path_index(&ctx->path, repeat);
		policy_path_key(&ctx->path, "name");
		r = policy_fail(ctx, "duplicate egress name \"%s\" in this tenant (first at egress[%zu])",
				t->egress[repeat].name, first);
		policy_path_pop(&ctx->path);
		policy_path_pop(&ctx->path);
		policy_path_pop(&ctx->path);
	}
	free(v);
	return r;
}

static int build_egress_list(struct policy_ctx *ctx, json_t *arr, struct policy_tenant *t)
{
	size_t i, n;
	int r = 0;

	if (!arr)
		return policy_fail(ctx, "required key missing (write [] to deny this tenant all "
					"egress)");
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n > POLICY_MAX_EGRESS)
		return policy_fail(ctx, "%zu egress entries, limit %d per tenant", n,
				   POLICY_MAX_EGRESS);
	if (n == 0)
		return 0;
	t->egress = calloc(n, sizeof(*t->egress));
	if (!t->egress)
		return oom(ctx);
	for (i = 0; i < n && r == 0; i++) {
		t->n_egress = i + 1;
		policy_path_index(&ctx->path, i);
		r = policy_build_egress(ctx, json_array_get(arr, i), &t->egress[i]);
		policy_path_pop(&ctx->path);
	}
	return r;
}

static int build_tenant(struct policy_ctx *ctx, json_t *obj, struct policy_tenant *t)
{
	const char *name;
	int r;

	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object, not %s", policy_json_type(obj));
	r = policy_check_keys(ctx, obj, tenant_keys);
	if (r < 0)
		return r;

	policy_path_key(&ctx->path, "name");
	r = policy_need_string(ctx, json_object_get(obj, "name"), &name);
	if (r == 0 && !policy_name_valid(name))
		r = policy_fail(ctx, "invalid tenant name \"%s\": use a-z, 0-9 and '-', start and end "
				     "with a letter or digit, at most %d characters",
				name, POLICY_MAX_NAME);
	if (r == 0 && !(t->name = strdup(name)))
		r = oom(ctx);
	policy_path_pop(&ctx->path);
	if (r < 0)
		return r;
	t->id = policy_tenant_id(t->name);

	policy_path_key(&ctx->path, "workloads");
	r = build_workloads(ctx, json_object_get(obj, "workloads"), t);
	policy_path_pop(&ctx->path);
	if (r < 0)
		return r;

	policy_path_key(&ctx->path, "egress");
	r = build_egress_list(ctx, json_object_get(obj, "egress"), t);
	policy_path_pop(&ctx->path);
	if (r < 0)
		return r;
	r = check_egress_names(ctx, t);
	if (r < 0)
		return r;

	policy_path_key(&ctx->path, "content");
	r = policy_build_content(ctx, json_object_get(obj, "content"), t);
	policy_path_pop(&ctx->path);
	return r;
}

/* Fail at tenants[t]<rest...>; rest is "name" or "workloads", index, "cgroup". */
static int fail_at_tenant(struct policy_ctx *ctx, size_t t, const char *member, long index,
			  const char *leaf, const char *reason)
{
	size_t depth = ctx->path.depth;
	int r;

	policy_path_key(&ctx->path, "tenants");
	policy_path_index(&ctx->path, t);
	policy_path_key(&ctx->path, member);
	if (index >= 0) {
		policy_path_index(&ctx->path, (size_t)index);
		policy_path_key(&ctx->path, leaf);
	}
	r = policy_fail(ctx, "%s", reason);
	while (ctx->path.depth > depth)
		policy_path_pop(&ctx->path);
	return r;
}

static int check_tenant_names(struct policy_ctx *ctx, const struct policy *p)
{
	size_t i, first, repeat;
	char reason[512];
	struct named *v;
	int r = 0;

	v = calloc(p->n_tenants ? p->n_tenants : 1, sizeof(*v));
	if (!v)
		return oom(ctx);
	for (i = 0; i < p->n_tenants; i++)
		v[i] = (struct named){ .s = p->tenants[i].name, .idx = i };
	if (first_repeat(v, p->n_tenants, &first, &repeat)) {
		snprintf(reason, sizeof(reason), "duplicate tenant name \"%s\" (first at tenants[%zu])",
			 p->tenants[repeat].name, first);
		r = fail_at_tenant(ctx, repeat, "name", -1, NULL, reason);
	}
	free(v);
	return r;
}

struct idx_id {
	__u32 id;
	size_t idx;
};

static int id_cmp(const void *a, const void *b)
{
	const struct idx_id *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Names are unique by now, so equal ids are hash collisions: refuse them,
 * since two tenants sharing an id would share each other's policy. */
static int check_tenant_ids(struct policy_ctx *ctx, const struct policy *p)
{
	size_t i, best = (size_t)-1, first = 0;
	char reason[512];
	struct idx_id *v;
	int r = 0;

	v = calloc(p->n_tenants ? p->n_tenants : 1, sizeof(*v));
	if (!v)
		return oom(ctx);
	for (i = 0; i < p->n_tenants; i++)
		v[i] = (struct idx_id){ .id = p->tenants[i].id, .idx = i };
	qsort(v, p->n_tenants, sizeof(*v), id_cmp);
	for (i = 1; i < p->n_tenants; i++) {
		if (v[i].id == v[i - 1].id && v[i].idx < best) {
			best = v[i].idx;
			first = v[i - 1].idx;
		}
	}
	if (best != (size_t)-1) {
		snprintf(reason, sizeof(reason),
			 "tenant id 0x%08x of \"%s\" collides with \"%s\" (tenants[%zu]); rename one "
			 "of them",
			 p->tenants[best].id, p->tenants[best].name, p->tenants[first].name, first);
		r = fail_at_tenant(ctx, best, "name", -1, NULL, reason);
	}
	free(v);
	return r;
}

/* One glob in two places would give a cgroup two tenants. */
static int check_globs(struct policy_ctx *ctx, const struct policy *p)
{
	size_t i, w, n = 0, first, repeat, ft = 0, fw = 0, rt = 0, rw = 0;
	char reason[512];
	struct named *v;
	int r = 0;

	for (i = 0; i < p->n_tenants; i++)
		n += p->tenants[i].n_workloads;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return oom(ctx);
	n = 0;
	for (i = 0; i < p->n_tenants; i++)
		for (w = 0; w < p->tenants[i].n_workloads; w++, n++)
			v[n] = (struct named){ .s = p->tenants[i].workloads[w].cgroup, .idx = n };
	if (first_repeat(v, n, &first, &repeat)) {
		/* sequence numbers back to (tenant, workload) */
		for (i = 0, n = 0; i < p->n_tenants; i++) {
			for (w = 0; w < p->tenants[i].n_workloads; w++, n++) {
				if (n == first) {
					ft = i;
					fw = w;
				}
				if (n == repeat) {
					rt = i;
					rw = w;
				}
			}
		}
		snprintf(reason, sizeof(reason),
			 "workload glob \"%s\" already appears at tenants[%zu].workloads[%zu]",
			 p->tenants[rt].workloads[rw].cgroup, ft, fw);
		r = fail_at_tenant(ctx, rt, "workloads", (long)rw, "cgroup", reason);
	}
	free(v);
	return r;
}

static int build_tenants(struct policy_ctx *ctx, json_t *arr, struct policy *p)
{
	size_t i, n;
	int r = 0;

	if (!arr)
		return policy_fail(ctx, "required key missing");
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n > POLICY_MAX_TENANTS)
		return policy_fail(ctx, "%zu tenants, limit %d", n, POLICY_MAX_TENANTS);
	if (n == 0)
		return 0;
	p->tenants = calloc(n, sizeof(*p->tenants));
	if (!p->tenants)
		return oom(ctx);
	for (i = 0; i < n && r == 0; i++) {
		p->n_tenants = i + 1;
		policy_path_index(&ctx->path, i);
		r = build_tenant(ctx, json_array_get(arr, i), &p->tenants[i]);
		policy_path_pop(&ctx->path);
	}
	return r;
}

static int build_defaults(struct policy_ctx *ctx, json_t *obj, struct policy *p)
{
	const char *s;
	json_t *v;
	int r = 0;

	p->unmatched = AIRLOCK_DENY;
	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object, not %s", policy_json_type(obj));
	r = policy_check_keys(ctx, obj, defaults_keys);
	if (r < 0)
		return r;
	v = json_object_get(obj, "unmatchedWorkloads");
	if (!v)
		return 0;
	policy_path_key(&ctx->path, "unmatchedWorkloads");
	s = json_string_value(v);
	if (s && strcmp(s, "allow") == 0)
		p->unmatched = AIRLOCK_ALLOW;
	else if (!s || strcmp(s, "deny") != 0)
		r = policy_fail(ctx, "must be \"allow\" or \"deny\"");
	policy_path_pop(&ctx->path);
	return r;
}

static int check_api_version(struct policy_ctx *ctx, json_t *v)
{
	if (!v)
		return policy_fail(ctx, "required key missing (\"airlock/v1\")");
	if (!json_is_string(v))
		return policy_fail(ctx, "must be the string \"airlock/v1\", not %s",
				   policy_json_type(v));
	if (strcmp(json_string_value(v), "airlock/v1") != 0)
		return policy_fail(ctx, "unsupported version \"%s\", this airlock reads \"airlock/v1\"",
				   json_string_value(v));
	return 0;
}

/* Run one member's check with the path pointing at it. */
#define AT_KEY(ctx, key, call)                                  \
	({                                                      \
		int __r;                                        \
		policy_path_key(&(ctx)->path, key);             \
		__r = (call);                                   \
		policy_path_pop(&(ctx)->path);                  \
		__r;                                            \
	})

int policy_build(struct policy_ctx *ctx, json_t *root, struct policy *p)
{
	json_t *meta, *version;
	int r;

	if (!json_is_object(root))
		return policy_fail(ctx, "a policy is a JSON object, not %s", policy_json_type(root));
	/* A document of another version is that, not a pile of unknown keys;
	 * a missing version is more likely a typo, which the key check names. */
	version = json_object_get(root, "apiVersion");
	if (version) {
		r = AT_KEY(ctx, "apiVersion", check_api_version(ctx, version));
		if (r < 0)
			return r;
	}
	r = policy_check_keys(ctx, root, top_keys);
	if (r < 0)
		return r;
	if (!version)
		return AT_KEY(ctx, "apiVersion", check_api_version(ctx, NULL));
	meta = json_object_get(root, "metadata");
	if (meta && !json_is_object(meta))
		return AT_KEY(ctx, "metadata",
			      policy_fail(ctx, "must be an object, not %s", policy_json_type(meta)));
	r = AT_KEY(ctx, "defaults", build_defaults(ctx, json_object_get(root, "defaults"), p));
	if (r < 0)
		return r;
	r = AT_KEY(ctx, "tenants", build_tenants(ctx, json_object_get(root, "tenants"), p));
	if (r < 0)
		return r;
	r = check_tenant_names(ctx, p);
	if (r == 0)
		r = check_tenant_ids(ctx, p);
	if (r == 0)
		r = check_globs(ctx, p);
	return r;
}
