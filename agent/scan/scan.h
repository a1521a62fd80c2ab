/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Content protection: the types shared by the scanner engine (findings),
 * the transforms (mask, redact, tokenize, block), the structure-aware body
 * rewriter and the SSE restorer.  Offsets are always byte offsets into the
 * caller's original (not normalised) text.
 */
#ifndef AIRLOCK_SCAN_H
#define AIRLOCK_SCAN_H

#include <stddef.h>
#include <stdint.h>

enum scan_category {
	SCAN_CAT_PII = 1,
	SCAN_CAT_SECRET,
	SCAN_CAT_EMAIL_CONTENT,
	SCAN_CAT_INJECTION,
	SCAN_CAT_EXFILTRATION,
	SCAN_CAT_CUSTOM,          /* policy-defined regex, dictionary, exact-data-match */
};

enum scan_confidence {
	SCAN_CONF_LOW = 1,
	SCAN_CONF_MEDIUM,
	SCAN_CONF_HIGH,
};

/* Ordered by severity: when findings overlap, the stronger action wins. */
enum scan_action {
	SCAN_ACT_ALLOW = 0,
	SCAN_ACT_FLAG,            /* audit only */
	SCAN_ACT_MASK,            /* ****1111 */
	SCAN_ACT_REDACT,          /* [EMAIL] */
	SCAN_ACT_TOKENIZE,        /* stable per-tenant placeholder, restored in the response */
	SCAN_ACT_BLOCK,           /* refuse the request */
};

#define SCAN_TYPE_LEN   32
#define SCAN_DETAIL_LEN 64

struct scan_finding {
	char type[SCAN_TYPE_LEN];       /* "EMAIL", "CREDIT_CARD", "SECRET", "PROMPT_INJECTION", ... */
	char detail[SCAN_DETAIL_LEN];   /* rule id, e.g. "aws-access-key-id", "instruction-override" */
	enum scan_category category;
	size_t start;                   /* byte offset into the original text */
	size_t end;                     /* exclusive */
	enum scan_confidence confidence;
	enum scan_action action;        /* filled by the policy (scan_policy_action) */
	double score;                   /* 0..1, for scored detectors (injection) */
};

/*
 * Findings are sorted by start and never overlap (the engine resolves
 * overlaps before it returns).  `signals` is what the normaliser saw in the
 * text (SCAN_SIG_* in normalize.h: zero-width, bidi, tag characters...),
 * OR-ed in by scan_text(); the injection detector reads it.
 */
struct scan_result {
	struct scan_finding *v;
	size_t n;
	size_t cap;
	unsigned int signals;
};

/* One text of a batch (scan_texts(), body_opts.scan_batch). */
struct scan_part {
	const char *text;
	size_t len;
};

int scan_result_push(struct scan_result *r, const struct scan_finding *f);
void scan_result_reset(struct scan_result *r);   /* n = 0, signals = 0, keeps memory */
void scan_result_free(struct scan_result *r);

const char *scan_action_name(enum scan_action a);
int scan_action_parse(const char *s, enum scan_action *ret);
const char *scan_confidence_name(enum scan_confidence c);
const char *scan_category_name(enum scan_category c);

#endif /* AIRLOCK_SCAN_H */
