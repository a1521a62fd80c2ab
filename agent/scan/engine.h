/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The scanner: a rule set compiled into one Hyperscan block-mode database.
 * scan_text() normalises the text, scans it once, confirms candidates in C
 * (validators, entropy, allowlists, context words), resolves overlaps and
 * fills a scan_result whose findings are sorted by start, never overlap and
 * span bytes of the ORIGINAL text.
 *
 * An engine is immutable after scan_engine_new() and may be shared by
 * threads; each thread scans with its own scratch.
 */
#ifndef AIRLOCK_SCAN_ENGINE_H
#define AIRLOCK_SCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "scan.h"

#define SCAN_INPUT_MAX_DEFAULT      (4u << 20)   /* bytes per scan_text() */
#define SCAN_CANDIDATES_MAX_DEFAULT 65536        /* raw matches per scan_text() */

struct scan_engine_opts {
	size_t max_input;                 /* larger input: -E2BIG; 0 = default */
	size_t max_candidates;            /* more raw matches: -E2BIG; 0 = default */
	enum scan_confidence min_conf;    /* findings below are dropped; 0 = LOW */
	/*
	 * Every rule on the whole text, no windows: the reference the
	 * triggers' window contract (rules.h) is tested against; slow.
	 */
	bool full_text;
};

struct scan_engine;
struct scan_scratch;
struct scan_norm;

/* Why a rule did not compile, for the policy loader's error message. */
struct scan_compile_error {
	char rule_id[SCAN_DETAIL_LEN];
	char message[128];
};

int scan_engine_new(const struct scan_ruleset *rs, struct scan_engine **ret_eng);
int scan_engine_new_opts(const struct scan_ruleset *rs, const struct scan_engine_opts *opts,
			 struct scan_engine **ret_eng, struct scan_compile_error *ret_err);
struct scan_engine *scan_engine_free(struct scan_engine *eng);

/* Per thread.  A scratch may serve several engines (it grows to fit). */
int scan_scratch_new(const struct scan_engine *eng, struct scan_scratch **ret_s);
int scan_scratch_grow(const struct scan_engine *eng, struct scan_scratch *s);
struct scan_scratch *scan_scratch_free(struct scan_scratch *s);

/*
 * Scan text[0..len): its findings are appended to `out` (sorted, never
 * overlapping each other) and what the normaliser saw is OR-ed into
 * out->signals (SCAN_SIG_*); call scan_result_reset() for a fresh result.
 * -E2BIG when the input or the candidate count exceeds the engine's limits
 * (the caller should fail closed); findings of a failed scan are not added.
 */
int scan_text(const struct scan_engine *eng, struct scan_scratch *s,
	      const char *text, size_t len, struct scan_result *out);

/*
 * The findings of n texts, exactly as n scan_text() calls would give them,
 * appended to out: text i's are out->v[first[i] .. first[i + 1]) (first has
 * n + 1 entries, offsets into text i).  The texts are scanned as one, their
 * normalised views joined by newlines, so a request's dozen strings cost
 * one call per database instead of a dozen (~0.4 us each, measured).  A
 * match that runs from one text into the next (a pattern consuming the
 * newline) cannot be told apart from one that a lone text would report
 * differently, so the texts are then scanned one by one; so are texts that
 * together exceed the input limit, or any engine with start-less patterns.
 * Errors as scan_text(); on error nothing is appended.
 */
int scan_texts(const struct scan_engine *eng, struct scan_scratch *s,
	       const struct scan_part *parts, size_t n, struct scan_result *out, size_t *first);
/* Text i's normalised view after scan_texts(), until the scratch scans again. */
const struct scan_norm *scan_scratch_part_norm(const struct scan_scratch *s, size_t i);

/*
 * The databases: rules are grouped by trigger (rules.h) so that a message
 * costs at most three Hyperscan calls, each over the windows its triggers
 * opened (a call has a fixed cost of its own, which at prompt sizes weighs
 * as much as the bytes).
 */
enum scan_db {
	SCAN_DB_FULL = 0,        /* SCAN_TRIG_FULL: the whole text */
	SCAN_DB_DIGITS,          /* SCAN_TRIG_DIGITS */
	SCAN_DB_TOKENS,          /* SCAN_TRIG_AT, _URL, _SEPS, _TOKEN: token-level windows */
	SCAN_DB__COUNT,
};

/* What a scratch has done since it was made (or reset): for metrics and benches. */
struct scan_stats {
	uint64_t texts;
	uint64_t bytes;                          /* input bytes */
	uint64_t scanned[SCAN_DB__COUNT];        /* bytes each database scanned */
	uint64_t calls[SCAN_DB__COUNT];          /* Hyperscan calls per database */
	uint64_t candidates;                     /* raw Hyperscan matches */
	uint64_t findings;
	uint64_t batches;                        /* scan_texts() scanned as one */
	uint64_t batch_splits;                   /* scan_texts() that went text by text */
	uint64_t start_scans;                    /* Hyperscan calls that found full-text starts */
	uint64_t start_bytes;                    /* bytes those calls scanned */
};

void scan_scratch_stats(const struct scan_scratch *s, struct scan_stats *ret);
void scan_scratch_stats_reset(struct scan_scratch *s);

/* The normalised view of the last scan_text() on this scratch. */
const struct scan_norm *scan_scratch_norm(const struct scan_scratch *s);

/* Introspection for tests, benches and the policy loader. */
size_t scan_engine_rule_count(const struct scan_engine *eng);
size_t scan_engine_pattern_count(const struct scan_engine *eng);
/* Rules compiled without start-of-match (found their start by re-scan). */
size_t scan_engine_fallback_count(const struct scan_engine *eng);

#endif /* AIRLOCK_SCAN_ENGINE_H */
