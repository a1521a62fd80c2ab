/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rewrites one text according to its findings, each carrying the action the
 * policy decided:
 *
 *   allow, flag  text unchanged (flag is for the audit trail only)
 *   mask         every letter/digit replaced by '*' except the last 4 (never
 *                more than half of them): 4111-1111-1111-1111 -> ****-****-****-1111.
 *                Separators stay, so the shape stays.  E-mail addresses (type
 *                EMAIL*) keep the first character of the local part and the
 *                domain, whose length is hidden: alice@contoso.com -> a***@contoso.com.
 *                Any non-ASCII character counts as a letter and becomes one '*'.
 *   redact       the type in brackets: [EMAIL]
 *   tokenize     a per-tenant placeholder recorded in the vault, so the response
 *                can be restored (see vault.h)
 *   block        nothing is rewritten; the result names the finding that blocked
 *
 * Overlapping findings whose actions rewrite text (mask, redact, tokenize) are
 * merged: the union of their spans is rewritten once, with the action (and the
 * type) of the strongest finding, the longest span breaking ties.  No byte any
 * rewriting finding covered is left in clear.  Spans are widened to whole
 * UTF-8 characters, so valid UTF-8 in gives valid UTF-8 out.
 */
#ifndef AIRLOCK_SCAN_TRANSFORM_H
#define AIRLOCK_SCAN_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "scan.h"
#include "vault.h"

#define TRANSFORM_MASK_KEEP 4    /* trailing letters/digits a mask leaves */

struct transform_ctx {
	const void *key;         /* tenant key, VAULT_KEY_MIN..VAULT_KEY_MAX bytes */
	size_t key_len;
	struct vault *vault;     /* receives tokenized values; needed for tokenize */
};

struct transform_result {
	char *text;              /* NUL-terminated rewrite; NULL when blocked */
	size_t len;
	size_t rewritten;        /* spans replaced (after merging overlaps) */
	bool blocked;
	size_t block;            /* when blocked: index of the first blocking finding */
};

/*
 * 0 on success (also when blocked); -EINVAL for a finding outside the text or
 * a tokenize without a vault or a valid key; vault errors (-E2BIG when full,
 * -EEXIST on a tag collision); -ENOMEM.
 */
int transform_apply(const struct transform_ctx *ctx, const char *text, size_t len,
		    const struct scan_finding *f, size_t n, struct transform_result *ret);
void transform_result_fini(struct transform_result *r);

/*
 * Memory kept between transform_apply_buf() calls, so rewriting the strings
 * of a body allocates once, not twice per string.  Zero-initialise (set
 * out.arena and spans.arena to grow in an arena); vault_buf_fini() both.
 */
struct transform_buf {
	struct vault_buf out;    /* the last rewrite */
	struct vault_buf spans;  /* room for the last call's spans */
};

/*
 * transform_apply() with ret->text in b->out: not the caller's to free,
 * valid until the next call with b.  Do not transform_result_fini() it.
 */
int transform_apply_buf(const struct transform_ctx *ctx, const char *text, size_t len,
			const struct scan_finding *f, size_t n, struct transform_buf *b,
			struct transform_result *ret);

/* The mask of one value (audit excerpts), appended to out. */
int transform_mask(const char *type, const char *value, size_t len, struct vault_buf *out);

#endif /* AIRLOCK_SCAN_TRANSFORM_H */
