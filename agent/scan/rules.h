/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Scanner rules: what a detector is, and how rule sets are assembled.
 *
 * A rule is a Hyperscan pattern (the cheap, all-at-once candidate finder)
 * plus the C checks that turn a candidate into a finding: boundaries, value
 * extraction, validator (checksum), entropy, allowlist, keywords and context
 * words.  engine.c compiles the rules of a set into block-mode databases,
 * one per group of triggers (below; at most three), each scanned once per
 * text; nothing here runs per byte of input, only per candidate.
 *
 * A cheap way to write a fast rule: let the regex anchor on the distinctive
 * core of the value (fixed width, no wide {m,n}) and let `extract` widen it
 * to the whole value (see rules_pii.c: cards, IBANs, phone numbers).
 *
 * Confidence follows Presidio's idea with Purview's labels: a candidate
 * starts at `conf`; a context word within the window before (or after) the
 * value raises it to `conf_ctx`; a negative context word lowers it one
 * level; below LOW the candidate is dropped.  SCAN_RF_NEED_CONTEXT drops a
 * candidate that has no context word at all.
 *
 * Adding a built-in table is one line: append X(name) to SCAN_RULE_TABLES
 * below and define `int rules_<name>_register(struct scan_ruleset *)` in
 * agent/scan/rules_<name>.c (it calls scan_ruleset_add() on a static table).
 */
#ifndef AIRLOCK_SCAN_RULES_H
#define AIRLOCK_SCAN_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"

/* Built-in rule tables, in registration order (secret: rules_secret.h, the family tables). */
#define SCAN_RULE_TABLES(X) \
	X(pii)              \
	X(secret)

#define SCAN_RULES_MAX          4096     /* rules in one set, every kind */
#define SCAN_PATTERNS_MAX       65536    /* Hyperscan patterns (dictionary words count one each) */
#define SCAN_DICT_WORD_MAX      256      /* bytes per dictionary word */
#define SCAN_EDM_HASHES_MAX     (1u << 24)
#define SCAN_EDM_VALUE_MAX      256      /* candidate bytes hashed for EDM */
#define SCAN_CTX_WORDS_DEFAULT  5        /* Presidio's context_prefix_count */
#define SCAN_CTX_BYTES_MAX      160      /* hard cap on a context window, either side */

/* A span of the scanned text: [off, off + len). */
struct scan_span {
	size_t off;
	size_t len;
};

/*
 * validate: 1 = valid, 0 = invalid (candidate dropped).  Sees the value
 * span only (after extract), in the normalised text.
 */
typedef int (*scan_validate_fn)(const char *s, size_t len);

/*
 * extract: move the match boundaries to the value that is reported and
 * validated.  `span` holds the match (absolute offsets into text[0..len),
 * the normalised view) and is rewritten in place: narrowed to a secret
 * group (gitleaks' secretGroup) or widened over characters the pattern
 * leaves out to stay fast (an e-mail local part before '@').  Return 0, or
 * a negative value to drop the candidate.
 */
typedef int (*scan_extract_fn)(const char *text, size_t len, struct scan_span *span);

/*
 * Where the match of a rule's regex that ends at `end` starts: the start
 * Hyperscan's leftmost start-of-match would report, in the buffer t that
 * Hyperscan scanned (no byte before t[0] may be read).  A window rule
 * (any trigger but SCAN_TRIG_FULL) with one runs without start-of-match
 * tracking, which for a character-class-led shape costs Hyperscan more than
 * the pattern itself (an e-mail's local part, a URL scheme, a host label).
 * tests/unit/test_scan_start.c compares each with Hyperscan's own starts.
 */
typedef size_t (*scan_start_fn)(const char *t, size_t end);

/*
 * A full-text rule whose regex is keywords followed by bounded repeats
 * (gitleaks' generic-api-key: `(?i:key|token|...)[ \t\w.-]{0,20}...`)
 * costs Hyperscan ~25 bytes of automaton after every keyword it meets in
 * prose, where the repeats go on over words before they fail.  Such a rule
 * may split its regex into `lead` (the keywords, which go into the
 * full-text database instead of `regex`) and `tail`, a function that calls
 * emit(ctx, end) for every end of a match of `regex` that begins with a
 * lead match ending at lead_end, in t[0..n) (the buffer Hyperscan scanned);
 * each such end is past lead_end (a tail is never empty).  An end may come
 * more than once, from one lead or several: the engine keeps the first.
 * Nonzero from emit stops the tail, which returns it.
 * `regex` must be exactly `lead` followed by what `tail` matches; it still
 * gives the candidates their starts (start.c).  `runs` lives for one scan
 * of t, zeroed before the first lead: runs of bytes a tail measured from
 * one lead, the next may reuse, so that a text of keywords one after the
 * other costs linear time.  tests/unit/test_scan_tail.c compares each
 * tail with Hyperscan's ends of `regex`.
 */
#define SCAN_TAIL_RUNS 4
struct scan_tail_runs {
	size_t lo[SCAN_TAIL_RUNS];       /* t[lo[k], hi[k]) are all of the tail's class k, */
	size_t hi[SCAN_TAIL_RUNS];       /* and t[hi[k]] is not (or hi[k] == n) */
};
typedef int (*scan_tail_emit_fn)(void *ctx, size_t end);
typedef int (*scan_tail_fn)(const char *t, size_t n, size_t lead_end, struct scan_tail_runs *runs,
			    scan_tail_emit_fn emit, void *ctx);

/*
 * Where a rule's matches can be, so the engine scans only those parts of a
 * text.  Hyperscan's cost grows with every character-class-led pattern (it
 * runs one automaton per such pattern over every byte), so running the PII
 * shapes over a few percent of a prompt instead of all of it is what buys
 * line rate.  The engine groups triggers into databases (engine.h, enum
 * scan_db: FULL, DIGITS, and the token-level ones together), each scanned
 * once over the union of its triggers' windows (FULL: the whole text).
 *
 * A window is a run of whitespace-separated tokens; the contract for each
 * trigger says which runs are windows.  A rule whose matches may fall
 * outside its trigger's windows must use SCAN_TRIG_FULL (the default).
 */
enum scan_trigger {
	SCAN_TRIG_FULL = 0,      /* the whole text: always correct, slowest */
	SCAN_TRIG_DIGITS,        /* digit clusters (digits joined by at most two of " .-()+")
				  * holding >= min_digits digits, except dates (4-2-2, 2-2-4 with
				  * '-' or '.'), decimals (two groups joined by '.') and the
				  * digit groups of GUIDs; below
				  * SCAN_TRIG_DIGITS_BARE digits only with a letter on both sides
				  * ("AB 12 34 56 C"); plus up to SCAN_TRIG_MARGIN bytes of
				  * [A-Za-z0-9 .()+#-] either side */
	SCAN_TRIG_AT,            /* a token containing '@' */
	SCAN_TRIG_URL,           /* a token containing "://", or a '.' between a letter or
				  * digit and 2-24 letters that either precede ".x" (a label
				  * of a longer name) or are a bare host's TLD
				  * (scan_known_tld()) and end the token or precede one of
				  * / : , ; . ) ] ' " ? # > ! (a host name, not "json.dumps(") */
	SCAN_TRIG_SEPS,          /* a token with >= 3 ':' between hex digits, a "::" with a
				  * decimal digit in the run of hex digits, ':' and '.' around
				  * it (48 bytes either way), >= 3 '.' between digits, >= 2
				  * '.' in a token of >= 14 bytes, or >= 5 '-', with a '.' or a
				  * '-' between hex digits for those two (IP addresses, MACs;
				  * "std::map", "user.name_one.path_two",
				  * "well-known-long-run-on-words" and the ISO 8601 date-time
				  * "2024-03-11T09:30:25+05:30" are none) */
	SCAN_TRIG_TOKEN,         /* a run of >= SCAN_TRIG_TOKEN_MIN bytes of [A-Za-z0-9_-]
				  * that contains a digit (wallets, API keys, random tokens:
				  * a match must lie in one such run, edge bytes aside);
				  * a run shaped like a GUID is not one (SCAN_TRIG_GUID) */
	SCAN_TRIG_GUID,          /* a GUID (8-4-4-4-12 hex) token; when every GUID rule has
				  * SCAN_RF_NEED_CONTEXT, only one with a context word of one
				  * of them in the ctx_words (or default) words before it */
	SCAN_TRIG__COUNT,
};

#define SCAN_TRIG_MARGIN 16      /* bytes kept around a digit cluster (IBAN country, NINO letters) */
#define SCAN_TRIG_TOKEN_MIN 20   /* bytes of a SCAN_TRIG_TOKEN run */
#define SCAN_TRIG_DIGITS_BARE 7  /* digits a cluster needs without letters around it */

enum scan_rule_kind {
	SCAN_RULE_REGEX = 0,     /* `regex` */
	SCAN_RULE_DICT,          /* `words`: literals, one Hyperscan pattern each */
	SCAN_RULE_EDM,           /* `regex` finds candidates, `edm` confirms by salted hash */
};

/* Rule flags (scan_rule.flags).  Boundaries are checked in C on the value span. */
#define SCAN_RF_LEFT_NOT_ALNUM   (1u << 0)  /* byte before value is not [A-Za-z0-9] */
#define SCAN_RF_RIGHT_NOT_ALNUM  (1u << 1)  /* byte after value is not [A-Za-z0-9] */
#define SCAN_RF_LEFT_NOT_WORD    (1u << 2)  /* ... not [A-Za-z0-9_] */
#define SCAN_RF_RIGHT_NOT_WORD   (1u << 3)
#define SCAN_RF_LEFT_NOT_DIGIT   (1u << 4)  /* ... not [0-9] */
#define SCAN_RF_RIGHT_NOT_DIGIT  (1u << 5)
#define SCAN_RF_NEED_CONTEXT     (1u << 6)  /* drop unless a context word is near */
#define SCAN_RF_NEG_DROP         (1u << 7)  /* a negative context word drops, not lowers */
#define SCAN_RF_KEYWORD_IN_MATCH (1u << 8)  /* keywords must occur inside the match */
#define SCAN_RF_CTX_AFTER        (1u << 9)  /* also look ctx_words words after the value */
#define SCAN_RF_EDM_CASEFOLD     (1u << 10) /* EDM: ASCII-lowercase before hashing */
#define SCAN_RF_EDM_DIGITS_ONLY  (1u << 11) /* EDM: hash only the digits of the value */

#define SCAN_RF_BOUND_ALNUM  (SCAN_RF_LEFT_NOT_ALNUM | SCAN_RF_RIGHT_NOT_ALNUM)
#define SCAN_RF_BOUND_WORD   (SCAN_RF_LEFT_NOT_WORD | SCAN_RF_RIGHT_NOT_WORD)
#define SCAN_RF_BOUND_DIGIT  (SCAN_RF_LEFT_NOT_DIGIT | SCAN_RF_RIGHT_NOT_DIGIT)

/*
 * Exact data match: SHA-256(salt || value) of every protected value, sorted
 * ascending (memcmp order) so a candidate is a binary search away.
 */
#define SCAN_EDM_HASH_LEN 32
struct scan_edm {
	const uint8_t *salt;
	size_t salt_len;
	const uint8_t (*hashes)[SCAN_EDM_HASH_LEN];
	size_t n;
};

/*
 * One detector.  Lists are NULL-terminated arrays of NUL-terminated
 * strings; NULL means none.  Context words, keywords, stopwords and allow
 * values are ASCII and compared case-insensitively; a context word matches
 * at the start of a word ("phone" matches "phones", not "telephone") and
 * may contain spaces ("social security"); write them in lower case, starting
 * with a letter or digit.
 */
struct scan_rule {
	const char *id;                  /* unique, -> finding.detail ("credit-card") */
	const char *type;                /* -> finding.type ("CREDIT_CARD") */
	enum scan_category category;
	enum scan_rule_kind kind;
	const char *regex;               /* Hyperscan syntax: no lookaround, no backrefs */
	unsigned int hs_flags;           /* HS_FLAG_CASELESS, HS_FLAG_DOTALL, ...; engine adds SOM */
	unsigned int flags;              /* SCAN_RF_* */
	scan_extract_fn extract;         /* NULL: the whole match is the value */
	scan_validate_fn validate;       /* NULL: no check */
	scan_start_fn start;             /* window rules: the match's start in C; NULL: SOM */
	const char *lead;                /* full-text rules: regex's keywords, with tail */
	scan_tail_fn tail;               /* ... and the rest of regex in C (see above) */
	enum scan_confidence conf;       /* without context */
	enum scan_confidence conf_ctx;   /* with a context word; 0 = conf */
	const char *const *context;      /* raise */
	const char *const *negative;     /* lower (or drop with SCAN_RF_NEG_DROP) */
	unsigned int ctx_words;          /* window in words before the value; 0 = default */
	double min_entropy;              /* Shannon bits/byte of the value, must exceed; 0 = off */
	const char *const *allow;        /* placeholder values, whole value, dropped */
	const char *const *stopwords;    /* value containing one of these is dropped */
	const char *const *allow_regex;  /* Hyperscan patterns run on the value; a hit drops */
	const char *const *keywords;     /* one must occur in match or window (prefilter) */
	const char *const *words;        /* SCAN_RULE_DICT literals */
	const struct scan_edm *edm;      /* SCAN_RULE_EDM */
	enum scan_trigger trigger;       /* where matches can be; FULL by default */
	unsigned int min_digits;         /* SCAN_TRIG_DIGITS: digits every match holds (>= 1) */
	int priority;                    /* overlap tie-break, higher wins; 0 default */
	double score;                    /* -> finding.score; 0 = derived from confidence */
};

struct scan_ruleset;

int scan_ruleset_new(struct scan_ruleset **ret_rs);
struct scan_ruleset *scan_ruleset_free(struct scan_ruleset *rs);

/*
 * Static tables: the rules (and every string they point to) must outlive
 * the ruleset and any engine built from it.  Rejects a duplicate id with
 * -EEXIST and a malformed rule with -EINVAL.
 */
int scan_ruleset_add(struct scan_ruleset *rs, const struct scan_rule *rules, size_t n);

/* Policy rules: everything is copied, the caller keeps ownership of its input. */
int scan_ruleset_add_copy(struct scan_ruleset *rs, const struct scan_rule *rule);

/*
 * Custom detectors from policy (category SCAN_CAT_CUSTOM, copied).
 * Dictionary: words matched as literals, `caseless` as it says, on word
 * boundaries.  EDM: `candidate_regex` proposes values, which count only when
 * SHA-256(salt || value) is in `hashes` (any order; sorted on copy).
 */
int scan_ruleset_add_regex(struct scan_ruleset *rs, const char *id, const char *type,
			   const char *regex, enum scan_confidence conf);
int scan_ruleset_add_dict(struct scan_ruleset *rs, const char *id, const char *type,
			  const char *const *words, size_t n, int caseless,
			  enum scan_confidence conf);
int scan_ruleset_add_edm(struct scan_ruleset *rs, const char *id, const char *type,
			 const char *candidate_regex, unsigned int flags,
			 const uint8_t *salt, size_t salt_len,
			 const uint8_t (*hashes)[SCAN_EDM_HASH_LEN], size_t n);

/* Turn rules off by id or by type ("US_SSN"); -ENOENT when nothing matched. */
int scan_ruleset_disable(struct scan_ruleset *rs, const char *id_or_type);

size_t scan_ruleset_count(const struct scan_ruleset *rs);
/* The i-th enabled-or-not rule; NULL past the end. */
const struct scan_rule *scan_ruleset_rule(const struct scan_ruleset *rs, size_t i);
int scan_ruleset_enabled(const struct scan_ruleset *rs, size_t i);

/* Every built-in table of SCAN_RULE_TABLES. */
int scan_rules_builtin(struct scan_ruleset *rs);

#define SCAN_RULE_TABLE_DECL(name) int rules_##name##_register(struct scan_ruleset *rs);
SCAN_RULE_TABLES(SCAN_RULE_TABLE_DECL)
#undef SCAN_RULE_TABLE_DECL

/* Helpers for rule authors. */

/* Shannon entropy of s in bits per byte. */
double scan_entropy(const char *s, size_t len);

/*
 * extract for `key = "value"` shapes: narrows the span to what follows the
 * first '=', ':', '=>', ':=' or ',' of the match, without quotes, spaces and
 * a closing ';' or ')'.
 */
int scan_extract_assigned(const char *text, size_t len, struct scan_span *span);

/*
 * A fixed-width-ish regex written as elements for scan_rule.start
 * functions: "\b\d{3}[ .-]?\d{4}" is { 1, 3, { { "0-9", 3, 3 },
 * { " .-", 0, 1 }, { "0-9", 4, 4 } } }.  Sets are regex-style ("A-Za-z",
 * " .-"); word_start: the regex opens with \b.  scan_shape_start() gives
 * the leftmost start of any of the alternatives matching up to `end`.
 */
#define SCAN_SHAPE_ELS 8
struct scan_shape_el {
	const char *set;
	uint8_t min, max;
};

struct scan_shape {
	uint8_t word_start;
	uint8_t n;
	struct scan_shape_el el[SCAN_SHAPE_ELS];
};

size_t scan_shape_start(const struct scan_shape *alts, size_t n, const char *t, size_t end);

/* Write SHA-256(salt || value) into out (for building EDM tables and tests). */
int scan_edm_hash(const uint8_t *salt, size_t salt_len, const char *value, size_t len,
		  uint8_t out[SCAN_EDM_HASH_LEN]);

#endif /* AIRLOCK_SCAN_RULES_H */
