/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Secret detectors (type "SECRET", detail = a gitleaks-style rule id),
 * shared between the family tables rules_secret_*.c.
 *
 * The shapes follow gitleaks' rule builders, rewritten for Hyperscan:
 *
 *  - SECRET_KV(ids, secret): the "semi-generic" form.  A service keyword,
 *    up to 20 key characters (`_api_token`, `Token`), an assignment
 *    operator (= : := ::= => ?= , > ||) and quotes, then the secret.  The
 *    keyword leads the pattern, so Hyperscan finds it with its literal
 *    matchers instead of running a character-class automaton over every
 *    byte.  extract = secret_extract_kv narrows the match to the secret.
 *  - Prefix tokens (ghp_, xoxb-, sk-ant-...): the literal leads; the value
 *    is the whole match.
 *
 * Variable-length values end in a terminator the pattern matches
 * (SECRET_END, SECRET_END_LOOSE); fixed-length ones rely on boundary flags.
 */
#ifndef AIRLOCK_SCAN_RULES_SECRET_H
#define AIRLOCK_SCAN_RULES_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* gitleaks' operator block, keyword excluded (see the comment above). */
#define SECRET_KV_OP \
	"[ \\t\\w.-]{0,20}[\\s'\"]{0,3}(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)[`'\"\\s=]{0,5}"
/*
 * The bytes SECRET_KV_OP can begin with.  A lead (scan_rule.lead) that
 * ends in it keeps Hyperscan from calling the tail after a keyword that
 * nothing can follow ("/api/v1", "keyword(").
 */
#define SECRET_KV_OP_FIRST "[\\w\\s.'\"=>:|?,-]"
/*
 * Value terminators, matched by the pattern so that a variable-length
 * value reports ONE end to the engine (Hyperscan reports every end offset:
 * an unbounded tail on a 100 KiB run would be 100 Ki candidates).  The
 * extractors below strip them again.
 */
#define SECRET_END       "(?:[`'\"\\s;]|\\\\[nr]|$)"     /* gitleaks' */
#define SECRET_END_LOOSE "(?:[^A-Za-z0-9_+/=-]|$)"          /* prose and code */
#define SECRET_KV(ids, secret) "(?i:" ids ")" SECRET_KV_OP "(?:" secret ")" SECRET_END

/*
 * Credentials written as user:password@host or key=value pairs overlap PII
 * rules of the same confidence (the user part is an EMAIL): the engine
 * keeps the higher priority, and a credential is the stronger finding.
 */
#define SECRET_PRIO_OVER_PII 30

/* Common rule fields. */
#define SECRET_RULE(rid)                 \
	.id = (rid), .type = "SECRET",   \
	.category = SCAN_CAT_SECRET, .kind = SCAN_RULE_REGEX

/*
 * extract for SECRET_KV: skip the key, quotes and operator, keep what
 * follows; drop unless the byte after the match ends the value
 * ([`'"\s;], a literal "\n"/"\r" escape, or the end of the text).
 */
int secret_extract_kv(const char *text, size_t len, struct scan_span *span);
/* extract for literal-led tokens: the same end check, span unchanged. */
int secret_extract_token(const char *text, size_t len, struct scan_span *span);
/* for patterns ending in (?:[^A-Za-z0-9]|$): drop that byte */
int secret_extract_alnum(const char *text, size_t len, struct scan_span *span);
/* secret_extract_loose, and not inside a path or host name (".ico-...", "/API-...") */
int secret_extract_nopath(const char *text, size_t len, struct scan_span *span);
/* extract for tokens also followed by '\'', ')', ',', '&', '<', '}', ']' (URLs, code). */
int secret_extract_loose(const char *text, size_t len, struct scan_span *span);

/*
 * Placeholder check shared by most rules: 0 for values a human wrote
 * instead of a secret: runs of x/X/ * /#, "EXAMPLE", ${VAR}, {{ var }},
 * <your-token>, %VAR%, one repeated character, "changeme"-style words.
 */
int secret_is_placeholder(const char *s, size_t len);
int secret_valid_token(const char *s, size_t len);

/*
 * SECRET_KV after its keyword, in C (secret_kv.c), for a rule that has
 * Hyperscan look for the keyword only (scan_rule.lead and .tail):
 *  - secret_kv_op(): bit i set when SECRET_KV_OP matches t[at, at + i)
 *    (i <= 32), i.e. where the value may begin;
 *  - secret_kv_end(): SECRET_END at t[v], every way: emit() gets each end
 *    (v at the text's end or before a final '\n', v + 1, v + 2 for "\n");
 *    caseless: the rule's HS_FLAG_CASELESS ("\N" then counts);
 *  - secret_run_end(): where the run of cls bytes from q ends, measured
 *    once per run and scan in runs->lo/hi[slot].
 */
enum secret_run {
	SECRET_RUN_WORD,    /* [\w.=-] */
	SECRET_RUN_B64,     /* [A-Za-z0-9+/] */
};
static inline int secret_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

uint64_t secret_kv_op(const char *t, size_t n, size_t at);
int secret_kv_end(const char *t, size_t n, size_t v, int caseless, scan_tail_emit_fn emit,
		  void *ctx);
size_t secret_run_end(const char *t, size_t n, size_t q, enum secret_run cls,
		      struct scan_tail_runs *runs, unsigned int slot);

/*
 * The table entry point (SCAN_RULE_TABLES: X(secret)); declared here too
 * for the tests and tools that build a secrets-only set.
 */
int rules_secret_register(struct scan_ruleset *rs);

/* Each family registers its table; rules_secret_register() calls them all. */
int rules_secret_cloud_register(struct scan_ruleset *rs);
int rules_secret_ai_register(struct scan_ruleset *rs);
int rules_secret_vcs_register(struct scan_ruleset *rs);
int rules_secret_chat_register(struct scan_ruleset *rs);
int rules_secret_payment_register(struct scan_ruleset *rs);
int rules_secret_saas_register(struct scan_ruleset *rs);
int rules_secret_generic_register(struct scan_ruleset *rs);

#endif /* AIRLOCK_SCAN_RULES_SECRET_H */
