// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Rules that have Hyperscan scan for their keywords only (scan_rule.lead)
 * and match the rest in C (scan_rule.tail): every end the lead database
 * plus the tail gives must be an end Hyperscan gives for the whole regex,
 * and none missing.  Each such built-in rule is compiled both ways and run
 * over random texts made of its keywords, the assignment operators and
 * the bytes at the edges of its classes.  (test_scan_engine.c's start
 * checks and fuzz_scan compare the engine's candidates as a whole.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine_int.h"
#include "rules_secret.h"

#define MAX_ENDS 4096

struct ends {
	size_t n;
	size_t v[MAX_ENDS];
};

static int add_end(struct ends *e, size_t end)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->v[i] == end)
			return 0;
	if (e->n < MAX_ENDS)
		e->v[e->n++] = end;
	return 0;
}

static int on_regex(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	(void)id;
	(void)from;
	(void)flags;
	return add_end(ctx, (size_t)to);
}

static int tail_add(void *ctx, size_t end)
{
	return add_end(ctx, end);
}

struct lead_ctx {
	const struct scan_rule *r;
	const char *t;
	size_t n;
	struct scan_tail_runs runs;
	struct ends *got;
};

static int on_lead(unsigned int id, unsigned long long from, unsigned long long to,
		   unsigned int flags, void *ctx)
{
	struct lead_ctx *x = ctx;

	(void)id;
	(void)from;
	(void)flags;
	return x->r->tail(x->t, x->n, (size_t)to, &x->runs, tail_add, x->got);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static hs_database_t *compile_one(const char *id, const char *expr, unsigned int flags)
{
	hs_compile_error_t *ce = NULL;
	hs_database_t *db = NULL;

	if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
		fail_msg("%s: %s", id, ce ? ce->message : "compile");
		hs_free_compile_error(ce);
	}
	return db;
}

/* Keywords in their cases, the operators and what may stand around them. */
static const char *const pieces[] = {
	"api", "API", "Api", "aPi", "key", "KEY", "Key", "token", "secret", "passwd", "password",
	"PassWord", "auth", "access", "creds", "credential", "_key", "api_key", "x-api-key",
	"=", "=", "==", "===", "====", ">", ":", "::", ":::", "::::", ":=", "::=", "=>", "||", "|",
	"?=", "?", ",", " = ", ": ", "'", "\"", "`", " ", "  ", "\t", "\n", "\r", "\v", "\f", ";",
	"\\", "\\n", "\\r", "\\N", "\\R", "n", "r", "_", ".", "-", "+", "/", "#", "@", "\xc3\xa9",
	"abcdefghij", "ABCDEFGHIJK", "0123456789", "a1b2c3", "x", "Q", "7", "sk_live_", "AbC+/",
	"ZXhhbXBsZQ", "MDEyMzQ1Njc4OWFiY2RlZg==", "a-b.c_d", "the quick brown fox",
};

static size_t random_text(char *t, size_t cap, unsigned int *seed)
{
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	size_t n = 0, k = (size_t)rand_r(seed) % 40, i;

	for (i = 0; i < k; i++) {
		const char *p = pieces[(size_t)rand_r(seed) % np];
		size_t len = strlen(p);

		if (n + len > cap)
			break;
		memcpy(t + n, p, len);
		n += len;
	}
	return n;
}

static void check_rule(const struct scan_rule *r, hs_scratch_t **scratch, size_t *ret_ends)
{
	hs_database_t *whole = compile_one(r->id, r->regex, r->hs_flags);
	hs_database_t *lead = compile_one(r->id, r->lead, r->hs_flags);
	static struct ends want, got;
	unsigned int seed = 1717, round;
	static char t[1024];
	size_t n;

	assert_int_equal(hs_alloc_scratch(whole, scratch), HS_SUCCESS);
	assert_int_equal(hs_alloc_scratch(lead, scratch), HS_SUCCESS);
	for (round = 0; round < 400000; round++) {
		struct lead_ctx x = { .r = r, .t = t, .got = &got };

		n = random_text(t, sizeof(t), &seed);
		x.n = n;
		want.n = got.n = 0;
		assert_int_equal(hs_scan(whole, t, (unsigned int)n, 0, *scratch, on_regex, &want),
				 HS_SUCCESS);
		assert_int_equal(hs_scan(lead, t, (unsigned int)n, 0, *scratch, on_lead, &x),
				 HS_SUCCESS);
		qsort(want.v, want.n, sizeof(*want.v), cmp_size);
		qsort(got.v, got.n, sizeof(*got.v), cmp_size);
		if (want.n != got.n || memcmp(want.v, got.v, want.n * sizeof(*want.v))) {
			fail_msg("%s: \"%.*s\": Hyperscan %zu ends (first %zu), tail %zu (first %zu)",
				 r->id, (int)n, t, want.n, want.n ? want.v[0] : 0, got.n,
				 got.n ? got.v[0] : 0);
		}
		*ret_ends += want.n;
	}
	hs_free_database(whole);
	hs_free_database(lead);
}

static void test_tails_match_hyperscan(void **state)
{
	struct scan_ruleset *rs = NULL;
	hs_scratch_t *scratch = NULL;
	size_t i, rules = 0;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_rules_builtin(rs), 0);
	for (i = 0; i < scan_ruleset_count(rs); i++) {
		const struct scan_rule *r = scan_ruleset_rule(rs, i);
		size_t ends = 0;

		if (!r->tail)
			continue;
		check_rule(r, &scratch, &ends);
		/* the random texts do make matches, many of them */
		if (ends < 20000)
			fail_msg("%s: only %zu ends", r->id, ends);
		rules++;
	}
	/* generic-api-key */
	assert_true(rules >= 1);
	hs_free_scratch(scratch);
	scan_ruleset_free(rs);
}

static int tail_none(const char *t, size_t n, size_t lead_end, struct scan_tail_runs *runs,
		     scan_tail_emit_fn emit, void *ctx)
{
	(void)t;
	(void)n;
	(void)lead_end;
	(void)runs;
	(void)emit;
	(void)ctx;
	return 0;
}

/* A lead and a tail come together, on a full-text regex rule. */
static void test_tail_rule_checks(void **state)
{
	struct scan_rule r = {
		.id = "x", .type = "X", .category = SCAN_CAT_CUSTOM, .regex = "key=\\w+",
		.conf = SCAN_CONF_LOW, .lead = "key",
	};
	struct scan_ruleset *rs = NULL;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, &r, 1), -EINVAL);
	r.lead = NULL;
	r.tail = tail_none;
	assert_int_equal(scan_ruleset_add(rs, &r, 1), -EINVAL);
	r.lead = "";
	assert_int_equal(scan_ruleset_add(rs, &r, 1), -EINVAL);
	r.lead = "key";
	r.trigger = SCAN_TRIG_TOKEN;
	assert_int_equal(scan_ruleset_add(rs, &r, 1), -EINVAL);
	r.trigger = SCAN_TRIG_FULL;
	assert_int_equal(scan_ruleset_add(rs, &r, 1), 0);
	/* a copy keeps its own lead */
	r.id = "y";
	assert_int_equal(scan_ruleset_add_copy(rs, &r), 0);
	assert_string_equal(scan_ruleset_rule(rs, 1)->lead, "key");
	assert_ptr_not_equal(scan_ruleset_rule(rs, 1)->lead, r.lead);
	scan_ruleset_free(rs);
}

/*
 * Keywords one after the other, each with a value running to the text's
 * end: every lead reaches the same end.  The engine reports it once, and
 * the runs the tail measured are reused, so this takes linear time (a
 * quadratic tail would not finish: 64 Ki leads, 256 KiB each).
 */
static void test_tail_repeated_keywords(void **state)
{
	const size_t n = 256 * 1024;
	struct scan_ruleset *all = NULL, *rs = NULL;
	struct scan_engine *eng = NULL;
	struct scan_scratch *s = NULL;
	char *t = malloc(n);
	size_t i, found = 0;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < n; i++)
		t[i] = "key="[i % 4];
	/* the tail rules alone: the whole built-in set takes long to compile under ASan */
	assert_int_equal(scan_ruleset_new(&all), 0);
	assert_int_equal(scan_rules_builtin(all), 0);
	assert_int_equal(scan_ruleset_new(&rs), 0);
	for (i = 0; i < scan_ruleset_count(all); i++)
		if (scan_ruleset_rule(all, i)->tail)
			assert_int_equal(scan_ruleset_add_copy(rs, scan_ruleset_rule(all, i)), 0);
	assert_int_equal(scan_engine_new(rs, &eng), 0);
	assert_int_equal(scan_scratch_new(eng, &s), 0);
	assert_int_equal(scan_collect(eng, s, t, n), 0);
	for (i = 0; i < s->n_cand; i++) {
		if (eng->pats[s->cand[i].pat].tail) {
			assert_int_equal(s->cand[i].end, n);
			assert_int_equal(s->cand[i].start, 0);
			found++;
		}
	}
	assert_int_equal(found, 1);
	scan_scratch_free(s);
	scan_engine_free(eng);
	scan_ruleset_free(rs);
	scan_ruleset_free(all);
	free(t);
}

/*
 * A run is measured once per scan: asked again from inside it, the end
 * comes from runs, not the bytes (changed here to tell the two apart).
 */
static void test_run_end_measured_once(void **state)
{
	char t[] = "key = abcdefghijklmnop;";
	size_t n = strlen(t);
	struct scan_tail_runs runs = { 0 };

	(void)state;
	assert_int_equal(secret_run_end(t, n, 6, SECRET_RUN_WORD, &runs, 0), 22);
	t[12] = ' ';
	assert_int_equal(secret_run_end(t, n, 8, SECRET_RUN_WORD, &runs, 0), 22);
	/* another slot, or a start outside the run, measures */
	assert_int_equal(secret_run_end(t, n, 8, SECRET_RUN_WORD, &runs, 1), 12);
	assert_int_equal(secret_run_end(t, n, 2, SECRET_RUN_WORD, &runs, 0), 3);
	assert_int_equal(secret_run_end(t, n, 13, SECRET_RUN_B64, &runs, 2), 22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tails_match_hyperscan),
		cmocka_unit_test(test_tail_rule_checks),
		cmocka_unit_test(test_tail_repeated_keywords),
		cmocka_unit_test(test_run_end_measured_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
