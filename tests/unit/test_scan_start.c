// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Rules that find their own match starts (scan_rule.start): the window
 * databases run them without start-of-match tracking, so each start
 * function must give exactly the start Hyperscan's SOM_LEFTMOST would.
 * Every built-in rule that has one is compiled alone, with and without
 * SOM, and run over random texts made of the bytes and pieces its shape is
 * built from; the two must report the same ends, and the function the
 * same starts.  (test_scan_engine.c checks the engine hands them on.)
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

#define MAX_HITS 4096

struct hits {
	size_t n;
	unsigned long long from[MAX_HITS], to[MAX_HITS];
};

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
		  unsigned int flags, void *ctx)
{
	struct hits *h = ctx;

	(void)id;
	(void)flags;
	if (h->n < MAX_HITS) {
		h->from[h->n] = from;
		h->to[h->n++] = to;
	}
	return 0;
}

static hs_database_t *compile_one(const struct scan_rule *r, unsigned int extra)
{
	hs_compile_error_t *ce = NULL;
	hs_database_t *db = NULL;

	if (hs_compile(r->regex, r->hs_flags | extra, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
		fail_msg("%s: %s", r->id, ce ? ce->message : "compile");
		hs_free_compile_error(ce);
	}
	return db;
}

/* What the shapes of the rules with a start function are made of. */
static const char *const word_pieces[] = {
	"https://", "ftp://", "git+ssh://", "s3://", "://", "user:pw@", "a:b@", ":p4ss@", "@",
	"@contoso.onmicrosoft.com", "@x.onmschina.cn", "@example.org", "bob.smith", ".com", ".io",
	".example", "www", "host-1.", "..", "a.b", "\n", " ", "\"", "'", "<", "?", "#", "x/y",
	"O'Neil+tag", "--", "1.2", "A", "zz", "mailto:", "HTTPS://", "xhttp://", "-", "0",
};
static const char word_bytes[] = "aZk09.-+@:/ \n!#%'\"<>?=_~xAB";

static const char *const digit_pieces[] = {
	"4111", "1234", "56", "7", "0", "00", "123456", "(212)", "+44", "+1", "GB", "DE89", "AB",
	"XYZ1", " ", "-", ".", "  ", "--", "\n", "_", "a", "Z", "c", "(", ")", "+", "123", "45",
	"6789", "-22-", ".22.", " 736 ", "12 34 56 C", "0161", "987", "0-", "4111-1111",
	"1234-5678-", " GB29", "NWBK", " DE89 ", "(0)", "10.0.0.1", "192.168.", ".255", "1.2.3",
};
static const char digit_bytes[] = "0123456789 .-()+_aAbBcCdDeZz\n";

struct alphabet {
	const char *const *pieces;
	size_t n_pieces;
	const char *bytes;
	int digit_runs;                 /* digit groups and separators between the pieces */
};

static const struct alphabet alphabets[] = {
	{ word_pieces, sizeof(word_pieces) / sizeof(word_pieces[0]), word_bytes, 0 },
	{ digit_pieces, sizeof(digit_pieces) / sizeof(digit_pieces[0]), digit_bytes, 1 },
};

static size_t random_text(const struct alphabet *a, char *t, size_t cap, unsigned int *seed)
{
	size_t n = 0, k = 1 + (size_t)rand_r(seed) % 32, nb = strlen(a->bytes), i;

	for (i = 0; i < k; i++) {
		const char *p = a->pieces[(size_t)rand_r(seed) % a->n_pieces];
		size_t len = strlen(p);
		char run[8];

		if (a->digit_runs && i % 2 == 0 && rand_r(seed) % 4) {
			/* digit groups of 1-7 between the pieces: the stuff of every digit shape */
			for (len = 0; len < 1 + (size_t)rand_r(seed) % 7; len++)
				run[len] = (char)('0' + rand_r(seed) % 10);
			p = run;
		} else if (a->digit_runs && rand_r(seed) % 2) {
			p = &" .-"[rand_r(seed) % 3];
			len = 1;
		} else if (rand_r(seed) % 3 == 0) {
			p = &a->bytes[(size_t)rand_r(seed) % nb];
			len = 1;
		}
		if (n + len > cap)
			break;
		memcpy(t + n, p, len);
		n += len;
	}
	return n;
}

static void check_rule(const struct scan_rule *r, hs_scratch_t **scratch, size_t *ret_hits)
{
	hs_database_t *som = compile_one(r, HS_FLAG_SOM_LEFTMOST), *plain = compile_one(r, 0);
	static struct hits ws, wp;
	unsigned int seed = 4242, round;
	static char t[512];
	size_t n, i;

	assert_int_equal(hs_alloc_scratch(som, scratch), HS_SUCCESS);
	assert_int_equal(hs_alloc_scratch(plain, scratch), HS_SUCCESS);
	for (round = 0; round < 60000; round++) {
		n = random_text(&alphabets[round % 2], t, sizeof(t), &seed);
		ws.n = wp.n = 0;
		assert_int_equal(hs_scan(som, t, (unsigned int)n, 0, *scratch, on_hit, &ws), HS_SUCCESS);
		assert_int_equal(hs_scan(plain, t, (unsigned int)n, 0, *scratch, on_hit, &wp), HS_SUCCESS);
		/* the same ends, in the same order; the start is the function's */
		assert_int_equal(ws.n, wp.n);
		for (i = 0; i < ws.n; i++) {
			assert_int_equal(ws.to[i], wp.to[i]);
			if (r->start(t, (size_t)ws.to[i]) != (size_t)ws.from[i])
				fail_msg("%s: \"%.*s\" end %llu: start %zu, Hyperscan %llu", r->id, (int)n, t,
					 ws.to[i], r->start(t, (size_t)ws.to[i]), ws.from[i]);
		}
		*ret_hits += ws.n;
	}
	hs_free_database(som);
	hs_free_database(plain);
}

/* Rule i's regex, flags and start were checked with an earlier rule (they share a pattern). */
static int shared_earlier(const struct scan_ruleset *rs, size_t i)
{
	const struct scan_rule *r = scan_ruleset_rule(rs, i), *q;
	size_t k;

	for (k = 0; k < i; k++) {
		q = scan_ruleset_rule(rs, k);
		if (q->start == r->start && q->hs_flags == r->hs_flags && q->regex &&
		    !strcmp(q->regex, r->regex))
			return 1;
	}
	return 0;
}

static void test_start_functions_match_som(void **state)
{
	struct scan_ruleset *rs = NULL;
	hs_scratch_t *scratch = NULL;
	size_t i, rules = 0;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_rules_builtin(rs), 0);
	for (i = 0; i < scan_ruleset_count(rs); i++) {
		const struct scan_rule *r = scan_ruleset_rule(rs, i);
		size_t hits = 0;

		if (!r->start || shared_earlier(rs, i))
			continue;
		check_rule(r, &scratch, &hits);
		/* the random texts do make matches of each */
		if (hits < 200)
			fail_msg("%s: only %zu matches", r->id, hits);
		rules++;
	}
	/*
	 * e-mail (and UPN by context), the UPN tenant, url-bare-host,
	 * basic-auth-url, IPv4, 12 digit shapes
	 */
	assert_true(rules >= 17);
	hs_free_scratch(scratch);
	scan_ruleset_free(rs);
}

/* A start function belongs to a window rule: the full text finds its own. */
static size_t start_zero(const char *t, size_t end)
{
	(void)t;
	(void)end;
	return 0;
}

static void test_start_only_for_window_rules(void **state)
{
	struct scan_rule r = {
		.id = "x", .type = "X", .category = SCAN_CAT_CUSTOM, .regex = "ab",
		.conf = SCAN_CONF_LOW, .start = start_zero,
	};
	struct scan_ruleset *rs = NULL;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, &r, 1), -EINVAL);
	r.trigger = SCAN_TRIG_URL;
	assert_int_equal(scan_ruleset_add(rs, &r, 1), 0);
	scan_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_functions_match_som),
		cmocka_unit_test(test_start_only_for_window_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
