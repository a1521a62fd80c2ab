/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Private to the policy sources (and the unit tests): the JSON path being validated,
 * error construction, and the pieces parse, validate and compile share.
 */
#ifndef AIRLOCK_POLICY_INTERNAL_H
#define AIRLOCK_POLICY_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "policy.h"

/* Deeper than any path the v1 format has (tenants[i].egress[j].ports[k]). */
#define POLICY_PATH_DEPTH 16

/* One step of a JSON path: an object member (key != NULL) or an array index. */
struct policy_seg {
	const char *key;    /* not NUL-terminated: key_len bytes */
	size_t key_len;
	size_t index;
};

struct policy_path {
	struct policy_seg seg[POLICY_PATH_DEPTH];
	size_t depth;
	size_t overflow;    /* pushes beyond POLICY_PATH_DEPTH, popped first */
};

/* Where a value (or the member name in front of it) starts in the text. */
struct policy_pos {
	int line;           /* 1-based */
	int column;         /* 1-based, in characters */
	size_t offset;      /* bytes */
};

/* What validation and compilation carry: the source for error positions. */
struct policy_ctx {
	const char *file;
	const char *text;   /* may be NULL: errors then have no line */
	size_t text_len;
	struct policy_path path;
	struct policy_error *err;
};

void policy_path_key(struct policy_path *path, const char *key);
void policy_path_index(struct policy_path *path, size_t index);
void policy_path_pop(struct policy_path *path);
void policy_path_format(const struct policy_seg *seg, size_t n, char *buf, size_t len);

/* Position of the value at segs in text; ret_key (optional) gets the member
 * name's position for an object member, the value's otherwise. */
int policy_locate_segs(const char *text, size_t len, const struct policy_seg *seg, size_t n,
		       struct policy_pos *ret_value, struct policy_pos *ret_key);

/* Fill ctx->err for the current path and return -EINVAL.  The _key variant
 * points at the member name instead of its value (unknown keys). */
int policy_fail(struct policy_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int policy_fail_key(struct policy_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, for an error without a JSON position (I/O, memory): line 0, key "". */
int policy_fail_errno(struct policy_ctx *ctx, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "an object", "a string", ... for "must be X, not Y" reasons. */
const char *policy_json_type(const json_t *v);
/* A required string value: *ret set, or the error for a missing key or another type. */
int policy_need_string(struct policy_ctx *ctx, const json_t *v, const char **ret);

/* Tenant and rule names: [a-z0-9]([a-z0-9-]*[a-z0-9])?, at most 63 bytes. */
int policy_name_valid(const char *name);

/* Document -> struct policy (validate.c, egress.c).  p is zeroed on entry and
 * owns whatever was filled in when this fails; the caller frees it. */
int policy_build(struct policy_ctx *ctx, json_t *root, struct policy *p);
int policy_build_egress(struct policy_ctx *ctx, json_t *obj, struct policy_egress *e);
/* The tenant's "content" object (content.c); absent leaves t->content NULL. */
int policy_build_content(struct policy_ctx *ctx, json_t *obj, struct policy_tenant *t);

/* Refuse keys other than those in allowed[] (NULL-terminated) and "x-*".
 * The reason suggests the nearest allowed key, since that is nearly always
 * a typo. */
int policy_check_keys(struct policy_ctx *ctx, json_t *obj, const char *const allowed[]);

#endif /* AIRLOCK_POLICY_INTERNAL_H */
