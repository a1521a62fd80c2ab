/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Private to the engine sources (engine.c, prefilter.c, confirm.c) and
 * their unit tests: compiled patterns, the per-thread scratch, windows.
 */
#ifndef AIRLOCK_SCAN_ENGINE_INT_H
#define AIRLOCK_SCAN_ENGINE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hs.h>

#include "engine.h"
#include "normalize.h"
#include "rules.h"

#define SCAN_FALLBACK_WIDTH_MAX 512   /* bytes searched back for a start without SOM */
#define SCAN_TOKEN_MAX          4096  /* bytes of one token the prefilter inspects */
#define SCAN_START_WIDTH_MAX    4096  /* wider full-text patterns get their own start database */

/* One Hyperscan expression; rules with the same regex, flags and trigger share it. */
struct epat {
	uint32_t ref;                  /* first index into scan_engine.refs */
	uint32_t n_ref;
	uint8_t db;                    /* enum scan_db */
	uint8_t fallback;              /* Hyperscan refused SOM: start found by anchored re-scans */
	hs_database_t *anchored;       /* fallback: "^(?:regex)" */
	unsigned int width;            /* widest match, UINT_MAX unbounded */
	hs_database_t *own_start;      /* SCAN_DB_FULL wider than SCAN_START_WIDTH_MAX: this
					* pattern alone, with SOM (start.c) */
	scan_start_fn start;           /* a window pattern's start in C: compiled without SOM */
	scan_tail_fn tail;             /* a full-text pattern scanned for its lead only (rules.h) */
	uint32_t tail_slot;            /* with tail: its state in scan_scratch.tails */
};

/*
 * A phrase list indexed by first byte (0-9, a-z): at a word start, only the
 * phrases that begin with its letter are compared.  Lists longer than 32
 * phrases are compared whole (`many`).
 */
#define SCAN_FIRST_SLOTS 36
struct scan_first {
	uint32_t by[SCAN_FIRST_SLOTS];   /* bit k: phrases[k] starts with this byte */
	int many;
};

/* Per-rule state the engine derives from a scan_rule. */
struct erule {
	const struct scan_rule *r;
	uint32_t index;                /* in the rule set */
	hs_database_t *allow_db;       /* allow_regex, one database */
	struct scan_first ctx_first;
	struct scan_first neg_first;
};

struct scan_engine {
	struct scan_engine_opts opts;
	uint64_t stamp;                /* random, set at creation: names it to scratches */
	struct erule *rules;
	size_t n_rules;
	struct epat *pats;
	size_t n_pats;
	uint32_t *refs;                /* pattern -> rule indices (into rules[]) */
	size_t n_refs;
	hs_database_t *db[SCAN_DB__COUNT];  /* SCAN_DB_FULL without SOM, the others with */
	hs_database_t *start_db;       /* the narrower full-text patterns again, with SOM (start.c) */
	unsigned int trig_used;        /* 1 << enum scan_trigger, for each trigger a rule uses */
	const struct erule **guid_ctx; /* GUID rules whose context gates a GUID window; */
	size_t n_guid_ctx;             /* NULL when some GUID rule needs no context */
	unsigned int digits_min;       /* smallest min_digits of the DIGITS rules */
	size_t n_fallback;
	size_t n_tail;                 /* patterns with a tail */
	unsigned int pf_isa;           /* enum scan_pf_isa: the prefilter's code, set at creation */
};

/* A stretch of the text copied into a trigger's view. */
struct scan_window {
	size_t view;                   /* offset in the view */
	size_t text;                   /* offset in the normalised text */
	size_t len;
};

struct scan_wins {
	struct scan_window *v;
	size_t n;
	size_t cap;
};

/*
 * One tail pattern's state during a scan of the full text: its runs, and
 * the ends it reported that a later lead may report again (those past the
 * current lead's end: a match ends after its lead).
 */
struct scan_tail_state {
	struct scan_tail_runs runs;
	size_t *ends;
	size_t n_ends;
	size_t cap_ends;
};

/* A full-text candidate whose start is being found, and the text range that shows it. */
struct scan_start_job {
	size_t lo;
	size_t hi;
	size_t end;
	uint32_t pat;
	uint32_t cand;                 /* index into scan_scratch.cand */
};

/* A raw match, in normalised-text offsets. */
struct scan_cand {
	size_t start;
	size_t end;
	uint32_t pat;
};

/* Candidates by end, then pattern, then start: one order to compare lists in (tests). */
static inline int scan_cand_cmp(const void *a, const void *b)
{
	const struct scan_cand *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->pat != y->pat)
		return x->pat < y->pat ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* A confirmed candidate before overlap resolution. */
struct scan_hit {
	size_t start;
	size_t end;
	uint32_t rule;                 /* index into scan_engine.rules */
	enum scan_confidence conf;
	int priority;
};

/* Engines a scratch already fits (scan_scratch_grow): pointer and stamp,
 * so that an engine freed and another allocated at its address never
 * passes for it. */
#define SCAN_SCRATCH_FITS 8
struct scan_fit {
	const struct scan_engine *eng;
	uint64_t stamp;
};

struct scan_scratch {
	hs_scratch_t *hs;
	struct scan_fit fits[SCAN_SCRATCH_FITS];
	unsigned int next_fit;         /* round robin over fits[] */
	struct scan_norm norm;
	struct scan_wins wins[SCAN_DB__COUNT];
	char *view;
	size_t view_cap;
	struct scan_cand *cand;
	size_t n_cand;
	size_t cap_cand;
	struct scan_hit *hit;
	size_t n_hit;
	size_t cap_hit;
	uint64_t *cover;               /* one bit per text byte taken by a finding */
	size_t cover_words;
	int overflow;                  /* candidate limit hit during a scan */
	size_t max_candidates;
	struct scan_stats stats;
	/* scan_texts(): each text's normalised view, the views joined, where each starts */
	struct scan_norm *norms;
	size_t cap_norms;
	char *cat;
	size_t cap_cat;
	size_t *part_off;
	size_t cap_parts;
	struct scan_cand *sorted;      /* candidates grouped by text */
	size_t cap_sorted;
	struct scan_start_job *jobs;   /* start.c: full-text candidates awaiting their start */
	size_t cap_jobs;
	uint64_t *pf_masks;            /* prefilter.c: the text's byte classes, 64-byte blocks */
	size_t cap_pf_masks;           /* in words */
	struct scan_tail_state *tails; /* one per tail pattern (scan_engine.n_tail) */
	size_t cap_tails;
};

/* The database a trigger's rules go to. */
static inline enum scan_db scan_trigger_db(enum scan_trigger t)
{
	return t == SCAN_TRIG_FULL ? SCAN_DB_FULL : t == SCAN_TRIG_DIGITS ? SCAN_DB_DIGITS
									  : SCAN_DB_TOKENS;
}

static inline int scan_trig_used(const struct scan_engine *eng, enum scan_trigger t)
{
	return !!(eng->trig_used & (1u << t));
}

/* engine.c: room for want elements of size bytes in the scratch array *v
 * (capacity *cap, doubled as it grows); -ENOMEM leaves both as they were. */
int scan_grow(void **v, size_t *cap, size_t want, size_t size);

/* engine.c: raw candidates of the view t[0..n) into s->cand (prefilter and
 * every database); then c[0..nc), offsets in nm's view, confirmed, resolved
 * and appended to out in original offsets (orig_len: for the stats). */
int scan_collect(const struct scan_engine *eng, struct scan_scratch *s, const char *t, size_t n);
int scan_settle(const struct scan_engine *eng, struct scan_scratch *s, const struct scan_norm *nm,
		struct scan_cand *c, size_t nc, size_t orig_len, struct scan_result *out);

/* start.c: the start of every full-text candidate in s->cand[0..nc), found
 * after the SOM-less scan of t[0..n) that reported them (fallback patterns
 * excepted: scan_settle() finds theirs). */
int scan_find_starts(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		     size_t n, size_t nc);

/* prefilter.c: the widest code it can run on this CPU (the tests may force a narrower one). */
enum scan_pf_isa { SCAN_PF_SCALAR, SCAN_PF_SSE2, SCAN_PF_AVX2, SCAN_PF_AVX512 };
unsigned int scan_prefilter_isa(void);
/* prefilter.c: windows of text each database must see. */
int scan_prefilter(const struct scan_engine *eng, struct scan_scratch *s,
		   const char *t, size_t n);
/* Build a database's view from its windows (sorted, merged): windows joined by '\n'. */
int scan_view_build(struct scan_scratch *s, struct scan_wins *w, const char *t,
		    const char **ret_view, size_t *ret_len);

/* confirm.c: turn a candidate into zero or more hits. */
int scan_confirm(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		 size_t n, const struct scan_cand *c);
/* Confidence after context words (0 = drop). */
enum scan_confidence scan_context_conf(const struct erule *er, const char *t, size_t n,
				       size_t start, size_t end);
/* Case-insensitive: does a phrase occur at a word start in t[from..to)?  first may be NULL. */
int scan_has_phrase(const char *t, size_t from, size_t to, const char *const *phrases,
		    const struct scan_first *first);
void scan_first_build(const char *const *phrases, struct scan_first *ret);
/* Is one of the rule's context words in its window around [start, end)? */
int scan_context_near(const struct erule *er, const char *t, size_t n, size_t start, size_t end);

#endif /* AIRLOCK_SCAN_ENGINE_INT_H */
