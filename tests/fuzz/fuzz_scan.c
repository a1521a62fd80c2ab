// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_scan: the content scanner on arbitrary bytes.  Every built-in rule
 * plus custom regex, dictionary and exact-data-match rules; the input is
 * scanned as it is and behind a zero-width prefix (so the normaliser's map
 * is exercised).  Besides the sanitizers, it checks the contract of
 * scan_text(): findings sorted, never overlapping, inside the text,
 * non-empty, and spans that start and end where the normaliser can map.
 * Cut at each 0x1e byte, the input is also a batch: scan_texts() must give
 * every piece exactly what scan_text() gives it alone.  The full-text
 * candidates, found without SOM and given their starts afterwards (start.c),
 * must be exactly what the same patterns with SOM report over the input;
 * so must the starts the window rules find in C (scan_rule.start).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_int.h"
#include "normalize.h"
#include "rules.h"
#include "scan.h"

#define FUZZ_INPUT_MAX (64 * 1024)

static struct scan_ruleset *rs;
static struct scan_engine *eng;
static struct scan_scratch *scratch;
static hs_database_t **start_ref;     /* per pattern with a start function: it with SOM */
static hs_scratch_t *start_hs;

static void setup(void)
{
	static const char *const words[] = { "project bluebird", "Contoso Secret", "x", NULL };
	static const uint8_t salt[] = "fuzz-salt";
	uint8_t hashes[2][SCAN_EDM_HASH_LEN];
	size_t i;
	struct scan_engine_opts opts = { .max_input = FUZZ_INPUT_MAX + 16, .max_candidates = 4096 };

	if (scan_ruleset_new(&rs) || scan_rules_builtin(rs))
		abort();
	if (scan_ruleset_add_regex(rs, "custom-ticket", "TICKET", "\\bTCK-\\d{6}\\b", SCAN_CONF_MEDIUM))
		abort();
	if (scan_ruleset_add_dict(rs, "custom-words", "CODENAME", words, 3, 1, SCAN_CONF_HIGH))
		abort();
	if (scan_edm_hash(salt, sizeof(salt) - 1, "CUST-0042", 9, hashes[0]) ||
	    scan_edm_hash(salt, sizeof(salt) - 1, "CUST-1337", 9, hashes[1]))
		abort();
	if (scan_ruleset_add_edm(rs, "custom-edm", "CUSTOMER_ID", "\\bCUST-\\d{4}\\b", 0, salt,
				 sizeof(salt) - 1, (const uint8_t (*)[SCAN_EDM_HASH_LEN])hashes, 2))
		abort();
	if (scan_engine_new_opts(rs, &opts, &eng, NULL) || scan_scratch_new(eng, &scratch))
		abort();
	start_ref = calloc(eng->n_pats, sizeof(*start_ref));
	for (i = 0; start_ref && i < eng->n_pats; i++) {
		const struct scan_rule *r = eng->rules[eng->refs[eng->pats[i].ref]].r;
		hs_compile_error_t *ce = NULL;

		if (!eng->pats[i].start)
			continue;
		if (hs_compile(r->regex, r->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL,
			       &start_ref[i], &ce) != HS_SUCCESS ||
		    hs_alloc_scratch(start_ref[i], &start_hs) != HS_SUCCESS)
			abort();
	}
	if (!start_ref)
		abort();
}

static void check(const struct scan_result *r, size_t first, size_t len)
{
	size_t i, prev_end = 0;

	for (i = first; i < r->n; i++) {
		const struct scan_finding *f = &r->v[i];

		if (f->start >= f->end || f->end > len || f->start < prev_end)
			abort();
		if (f->confidence < SCAN_CONF_LOW || f->confidence > SCAN_CONF_HIGH)
			abort();
		if (!memchr(f->type, 0, sizeof(f->type)) || !memchr(f->detail, 0, sizeof(f->detail)))
			abort();
		prev_end = f->end;
	}
}

#define FUZZ_PARTS 16

static int same(const struct scan_finding *a, const struct scan_finding *b)
{
	return a->start == b->start && a->end == b->end && a->confidence == b->confidence &&
	       a->category == b->category && !strcmp(a->type, b->type) &&
	       !strcmp(a->detail, b->detail) && a->score == b->score;
}

static void check_batch(const uint8_t *data, size_t size)
{
	static struct scan_result all, one;
	struct scan_part parts[FUZZ_PARTS];
	size_t first[FUZZ_PARTS + 1], n = 0, at = 0, i, k;
	int err;

	while (n < FUZZ_PARTS) {
		const uint8_t *cut = n + 1 < FUZZ_PARTS ? memchr(data + at, 0x1e, size - at) : NULL;
		size_t end = cut ? (size_t)(cut - data) : size;

		parts[n++] = (struct scan_part){ (const char *)data + at, end - at };
		if (!cut)
			break;
		at = end + 1;
	}
	scan_result_reset(&all);
	err = scan_texts(eng, scratch, parts, n, &all, first);
	for (i = 0; i < n; i++) {
		int e1;

		scan_result_reset(&one);
		e1 = scan_text(eng, scratch, parts[i].text, parts[i].len, &one);
		if (e1 == -E2BIG || err == -E2BIG)
			return;    /* limits: a batch may hit one a piece does not, or not */
		if (e1 || err || first[i + 1] - first[i] != one.n)
			abort();
		for (k = 0; k < one.n; k++)
			if (!same(&all.v[first[i] + k], &one.v[k]))
				abort();
	}
}

struct som_ref {
	struct scan_cand *v;
	size_t n;
	size_t cap;
};

static int som_collect(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	struct som_ref *r = ctx;

	(void)flags;
	if (r->n == r->cap)
		return 1;    /* more than the engine's candidate limit: nothing to compare */
	r->v[r->n++] = (struct scan_cand){ (size_t)from, (size_t)to, id };
	return 0;
}

static void check_starts(const uint8_t *data, size_t size)
{
	static struct scan_cand got[4096], want[4096];
	struct som_ref ref = { .v = want, .cap = 4096 };
	size_t i, n_got = 0;

	if (scan_collect(eng, scratch, (const char *)data, size))
		return;    /* a limit; scan_text() already checked that nothing else fails */
	for (i = 0; i < scratch->n_cand; i++)
		if (eng->pats[scratch->cand[i].pat].db == SCAN_DB_FULL &&
		    !eng->pats[scratch->cand[i].pat].fallback)
			got[n_got++] = scratch->cand[i];
	if (eng->start_db &&
	    hs_scan(eng->start_db, (const char *)data, (unsigned int)size, 0, scratch->hs,
		    som_collect, &ref) != HS_SUCCESS)
		return;
	for (i = 0; i < eng->n_pats; i++)
		if (eng->pats[i].own_start &&
		    hs_scan(eng->pats[i].own_start, (const char *)data, (unsigned int)size, 0,
			    scratch->hs, som_collect, &ref) != HS_SUCCESS)
			return;
	qsort(got, n_got, sizeof(*got), scan_cand_cmp);
	qsort(want, ref.n, sizeof(*want), scan_cand_cmp);
	if (n_got != ref.n)
		abort();
	for (i = 0; i < n_got; i++)
		if (got[i].start != want[i].start || got[i].end != want[i].end || got[i].pat != want[i].pat)
			abort();
}

/* Each start function against Hyperscan's own start, over the raw input. */
static void check_window_starts(const uint8_t *data, size_t size)
{
	static struct scan_cand want[4096];
	size_t i, k;

	for (i = 0; i < eng->n_pats; i++) {
		struct som_ref ref = { .v = want, .cap = 4096 };

		if (!start_ref[i] || hs_scan(start_ref[i], (const char *)data, (unsigned int)size, 0,
					     start_hs, som_collect, &ref) != HS_SUCCESS)
			continue;
		for (k = 0; k < ref.n; k++)
			if (eng->pats[i].start((const char *)data, want[k].end) != want[k].start)
				abort();
	}
}

/* Build the engine before the first input: compiling the rule set takes
 * seconds, which libFuzzer would count against that input's -timeout. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_result r;
	char *buf;
	size_t n0;
	int err;

	if (!eng)
		setup();
	if (size > FUZZ_INPUT_MAX)
		return 0;
	scan_result_reset(&r);
	err = scan_text(eng, scratch, (const char *)data, size, &r);
	if (err && err != -E2BIG)
		abort();
	if (!err)
		check(&r, 0, size);
	check_batch(data, size);
	check_starts(data, size);
	check_window_starts(data, size);

	/* the same bytes behind a ZERO WIDTH SPACE: offsets must still be original */
	buf = malloc(size + 3);
	if (!buf)
		return 0;
	memcpy(buf, "\xe2\x80\x8b", 3);
	memcpy(buf + 3, data, size);
	n0 = r.n;
	err = scan_text(eng, scratch, buf, size + 3, &r);
	if (err && err != -E2BIG)
		abort();
	if (!err) {
		check(&r, n0, size + 3);
		if (!(r.signals & SCAN_SIG_ZERO_WIDTH))
			abort();
	}
	free(buf);
	return 0;
}
