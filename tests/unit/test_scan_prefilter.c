// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prefilter.c: the window contract of each trigger (rules.h): which parts
 * of a text each database gets to see.  Uses the engine's private header.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine_int.h"

struct fx {
	struct scan_ruleset *rs;
	struct scan_engine *eng;
	struct scan_scratch *s;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || scan_ruleset_new(&f->rs) || scan_rules_builtin(f->rs) ||
	    scan_engine_new(f->rs, &f->eng) || scan_scratch_new(f->eng, &f->s))
		return -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	scan_scratch_free(f->s);
	scan_engine_free(f->eng);
	scan_ruleset_free(f->rs);
	free(f);
	return 0;
}

/* Is text[at..at+len) inside one window of database db? */
static int covered(struct fx *f, unsigned int db, const char *text, const char *needle)
{
	struct scan_wins *w = &f->s->wins[db];
	const char *view;
	size_t vlen, at = (size_t)(strstr(text, needle) - text), i;

	assert_int_equal(scan_prefilter(f->eng, f->s, text, strlen(text)), 0);
	assert_int_equal(scan_view_build(f->s, w, text, &view, &vlen), 0);
	for (i = 0; i < w->n; i++) {
		/* windows are sorted, disjoint, and copied verbatim into the view */
		if (i)
			assert_true(w->v[i].text > w->v[i - 1].text + w->v[i - 1].len);
		assert_memory_equal(view + w->v[i].view, text + w->v[i].text, w->v[i].len);
		if (w->v[i].text <= at && at + strlen(needle) <= w->v[i].text + w->v[i].len)
			return 1;
	}
	return 0;
}

static void test_digit_clusters(void **state)
{
	struct fx *f = *state;

	(void)state;
	assert_true(covered(f, SCAN_DB_DIGITS, "call (212) 736-5000 now", "(212) 736-5000"));
	assert_true(covered(f, SCAN_DB_DIGITS, "card 4111 1111 1111 1111.", "4111 1111 1111 1111"));
	/* the margin keeps the letters of an IBAN or a NINO */
	assert_true(covered(f, SCAN_DB_DIGITS, "iban GB42ABCD12345612345678", "GB42ABCD12345612345678"));
	assert_true(covered(f, SCAN_DB_DIGITS, "nino JG 10 37 29 A", "JG 10 37 29 A"));
	/* too few digits, dates, decimals, times, GUID groups: no window */
	assert_false(covered(f, SCAN_DB_DIGITS, "we sold 12345 units", "12345"));
	assert_false(covered(f, SCAN_DB_DIGITS, "on 2024-04-23 and 23.04.2024", "2024-04-23"));
	assert_false(covered(f, SCAN_DB_DIGITS, "total 123456.78 EUR", "123456.78"));
	assert_false(covered(f, SCAN_DB_DIGITS, "at 12:34:56.789 ok", "12:34:56"));
	assert_false(covered(f, SCAN_DB_DIGITS, "id 3f2b8a4e-1c9d-4e7a-9b6f-0d2c41234567 x", "0d2c41234567"));
	/* six digits count only between letters */
	assert_false(covered(f, SCAN_DB_DIGITS, "\"id\": 240798,", "240798"));
	assert_true(covered(f, SCAN_DB_DIGITS, "ab 240798 c", "240798"));
	/* dotted groups of three digits at most: addresses and versions, for SEPS */
	assert_false(covered(f, SCAN_DB_DIGITS, "client=10.123.45.67 ok", "10.123.45.67"));
	assert_false(covered(f, SCAN_DB_DIGITS, "from 3.10.116.222.250 on", "3.10.116.222.250"));
	assert_true(covered(f, SCAN_DB_DIGITS, "ssn 536.22.8726 ok", "536.22.8726"));
	assert_true(covered(f, SCAN_DB_DIGITS, "tel +44.207.946.179 ok", "+44.207.946.179"));
	assert_true(covered(f, SCAN_DB_DIGITS, "tel 212 736.500.12 ok", "212 736.500.12"));
}

static void test_token_windows(void **state)
{
	struct fx *f = *state;

	(void)state;
	assert_true(covered(f, SCAN_DB_TOKENS, "mail <bob@example.org>, thanks", "bob@example.org"));
	assert_true(covered(f, SCAN_DB_TOKENS, "see https://example.org/x now", "https://example.org/x"));
	assert_true(covered(f, SCAN_DB_TOKENS, "host example.com.", "example.com"));
	assert_true(covered(f, SCAN_DB_TOKENS, "ip=10.1.2.3 ok", "10.1.2.3"));
	assert_true(covered(f, SCAN_DB_TOKENS, "lo ::1 up", "::1"));
	assert_true(covered(f, SCAN_DB_TOKENS, "mac 00-1b-44-11-3a-b7", "00-1b-44-11-3a-b7"));
	assert_true(covered(f, SCAN_DB_TOKENS, "mac 00-1B-44-11-3A-B7.", "00-1B-44-11-3A-B7"));
	/* five dashes, none between hex digits: no MAC, no GUID, not looked at */
	assert_false(covered(f, SCAN_DB_TOKENS, "a well-known-long-run-on-words x", "well-known"));
	assert_true(covered(f, SCAN_DB_TOKENS, "w 16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ x", "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ"));
	/* sentence ends, labels, words with a hyphen, times, versions: nothing */
	assert_false(covered(f, SCAN_DB_TOKENS, "the end. Note: a well-known fact", "end."));
	assert_false(covered(f, SCAN_DB_TOKENS, "at 12:30:05 in v1.2", "12:30:05"));
	assert_false(covered(f, SCAN_DB_TOKENS, "release v1.2 today", "v1.2"));
	/* three dots, two between digits: a version at a sentence end, no address */
	assert_false(covered(f, SCAN_DB_TOKENS, "since version 4.0.8. Then", "4.0.8"));
	assert_true(covered(f, SCAN_DB_TOKENS, "from 10.0.0.1. Then", "10.0.0.1"));
	assert_true(covered(f, SCAN_DB_TOKENS, "mac 0011.22aa.bb44. Then", "0011.22aa.bb44"));
	/*
	 * No token rule matches '/', '+' or '=': a path or a query is no token
	 * run, the key in it is one (log lines have one path each)
	 */
	assert_false(covered(f, SCAN_DB_TOKENS, "GET path=/api/v1/items/12345 ok", "items/12345"));
	assert_false(covered(f, SCAN_DB_TOKENS, "q=a1+b2+c3+d4+e5+f6+g7 ok", "a1+b2"));
	assert_true(covered(f, SCAN_DB_TOKENS, "k=/x/sk-proj-Abcdefghij1234567890 y",
			    "sk-proj-Abcdefghij1234567890"));
	/*
	 * an ISO 8601 date-time is none (three colons between digits with an
	 * offset); what follows it in its token still counts
	 */
	assert_false(covered(f, SCAN_DB_TOKENS, "at 2024-03-11T09:30:25+05:30 ok", "2024-03-11"));
	assert_false(covered(f, SCAN_DB_TOKENS, "at 2024-03-11T09:30:25.581Z ok", "2024-03-11"));
	assert_true(covered(f, SCAN_DB_TOKENS, "ts=2024-03-11T09:30:25Z|00:1b:44:11:3a:b7 x",
			    "00:1b:44:11:3a:b7"));
	assert_true(covered(f, SCAN_DB_TOKENS, "on 2024-03-11,10.0.0.1 x", "10.0.0.1"));
	/* dots that are neither a host name's nor between hex digits: not a MAC or an address */
	assert_false(covered(f, SCAN_DB_TOKENS, "x = user.name_one.path_two;", "user.name_one"));
	/* a bare host's last label is a TLD it may end in: code's fields and files are not */
	assert_false(covered(f, SCAN_DB_TOKENS, "print(o.total, kv.second)", "o.total"));
	assert_false(covered(f, SCAN_DB_TOKENS, "run \"/srv/app/worker.py\" now", "worker.py"));
	assert_true(covered(f, SCAN_DB_TOKENS, "at shop.example.XYZ, or", "shop.example.XYZ"));
	assert_true(covered(f, SCAN_DB_TOKENS, "see api.example.io/v1 x", "api.example.io/v1"));
	/*
	 * A "::" is an address only with a decimal digit in the hex run around
	 * it (ipv6_extract()): C++ scopes are not, wherever the digit sits in
	 * an address, up to the 48 bytes the rule looks either way
	 */
	assert_false(covered(f, SCAN_DB_TOKENS, "std::map<std::string, int> m;", "std::map"));
	assert_false(covered(f, SCAN_DB_TOKENS, "ns::cafe::beef x", "ns::cafe::beef"));
	assert_true(covered(f, SCAN_DB_TOKENS, "gw fe80::1%eth0 up", "fe80::1"));
	assert_true(covered(f, SCAN_DB_TOKENS, "gw dead:beef::cafe:0 up", "dead:beef::cafe:0"));
	assert_true(covered(f, SCAN_DB_TOKENS, "gw 2001::cafe up", "2001::cafe"));
	assert_true(covered(f, SCAN_DB_TOKENS, "v4 ::ffff:10.0.0.1 up", "::ffff:10.0.0.1"));
	assert_true(covered(f, SCAN_DB_TOKENS,
			    "x 1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa::b y", "a::b"));
	assert_false(covered(f, SCAN_DB_TOKENS,
			     "x 1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa::b y", "a::b"));
}

/* GUIDs open a window only beside a word the GUID rule's context names. */
static void test_guid_gate(void **state)
{
	struct fx *f = *state;
	const char *id = "3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35";

	(void)state;
	assert_true(covered(f, SCAN_DB_TOKENS, "{\"objectId\": \"3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35\"}", id));
	assert_true(covered(f, SCAN_DB_TOKENS, "tenant: 3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35", id));
	assert_false(covered(f, SCAN_DB_TOKENS, "{\"request\": \"3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35\"}", id));
	assert_false(covered(f, SCAN_DB_DIGITS, "{\"request\": \"3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35\"}", id));
}

static void test_prose_has_no_windows(void **state)
{
	struct fx *f = *state;
	const char *t = "Please summarise the meeting notes for the board, keep it short. "
			"We shipped on time; the team is well-rested, and costs fell by a third.";
	size_t d;
	struct scan_wins none = { 0 };
	const char *view;
	size_t vlen = 1;

	(void)state;
	assert_int_equal(scan_prefilter(f->eng, f->s, t, strlen(t)), 0);
	for (d = 0; d < SCAN_DB__COUNT; d++)
		assert_int_equal(f->s->wins[d].n, 0);
	/* a list that never had a window has no array: an empty view */
	assert_int_equal(scan_view_build(f->s, &none, t, &view, &vlen), 0);
	assert_int_equal(vlen, 0);
}

/* Long texts cross the 64-byte blocks of the vector scan. */
static void test_block_edges(void **state)
{
	struct fx *f = *state;
	char t[300];
	size_t pos;

	(void)state;
	for (pos = 0; pos < 200; pos += 7) {
		memset(t, 'x', sizeof(t));
		t[sizeof(t) - 1] = 0;
		t[pos] = ' ';
		memcpy(t + pos + 1, "536-22-8726 b@c.io ", 19);
		if (!covered(f, SCAN_DB_DIGITS, t, "536-22-8726") ||
		    !covered(f, SCAN_DB_TOKENS, t, "b@c.io"))
			fail_msg("missed at %zu", pos);
	}
	/* an address is judged the same by the bits and by a walk (past bit 60) */
	for (pos = 0; pos < 200; pos++) {
		memset(t, ' ', sizeof(t));
		t[sizeof(t) - 1] = 0;
		memcpy(t + pos, "10.123.45.67 x", 14);
		if (covered(f, SCAN_DB_DIGITS, t, "10.123.45.67"))
			fail_msg("address window at %zu", pos);
	}
	/* a chain longer than a block is walked */
	assert_false(covered(f, SCAN_DB_DIGITS,
			     "v 1.22.333.4.55.666.7.88.999.1.22.333.4.55.666.7.88.999.1.22.333.4 x",
			     "1.22.333.4.55"));
}

/*
 * A number right after a short cluster, at every offset: once the short
 * cluster ended in a block's last three bytes (bit 61), the number after
 * it was not looked at and "536-22-8726" went unreported.
 */
static void test_cluster_after_cluster(void **state)
{
	struct fx *f = *state;
	char t[300];
	size_t pos;

	for (pos = 0; pos < 200; pos++) {
		memset(t, 'x', sizeof(t));
		t[sizeof(t) - 1] = 0;
		memcpy(t + pos, " 7,536-22-8726 ", 15);
		if (!covered(f, SCAN_DB_DIGITS, t, "536-22-8726"))
			fail_msg("missed with the short cluster at %zu", pos + 1);
	}
}

/* A random token is found from a single digit beside a letter, wherever the block edge falls. */
static void test_token_from_short_cluster(void **state)
{
	struct fx *f = *state;
	char t[300];
	size_t pos;

	(void)state;
	for (pos = 40; pos < 90; pos++) {
		memset(t, ' ', sizeof(t));
		t[sizeof(t) - 1] = 0;
		memcpy(t + pos, "Qz7kLmNpRsTvWxYaBcDeFgH", 23);
		if (!covered(f, SCAN_DB_TOKENS, t, "Qz7kLmNpRsTvWxYaBcDeFgH"))
			fail_msg("missed at %zu", pos);
	}
	assert_false(covered(f, SCAN_DB_TOKENS, "upgrade to v2 and h264 today", "v2"));
}

/* The windows of both databases, copied (a later scan reuses the scratch). */
struct wins_copy {
	size_t n[2];
	struct scan_window v[2][64];
};

static void wins_take(struct fx *f, const char *t, size_t n, struct wins_copy *c)
{
	static const unsigned int db[2] = { SCAN_DB_DIGITS, SCAN_DB_TOKENS };
	size_t k;

	assert_int_equal(scan_prefilter(f->eng, f->s, t, n), 0);
	for (k = 0; k < 2; k++) {
		c->n[k] = f->s->wins[db[k]].n;
		assert_true(c->n[k] <= 64);
		memcpy(c->v[k], f->s->wins[db[k]].v, c->n[k] * sizeof(c->v[k][0]));
	}
}

/*
 * Every vector path the CPU has gives the windows of the scalar path, with
 * shapes at each offset around the 64-byte block edges and the text end
 * (the last block is partial; the punctuation test reads past each edge).
 */
static void test_isa_paths_agree(void **state)
{
	static const char *const shapes[] = {
		"536-22-8726", "b@c.io", "x.example.org/", "::1", "10.1.2.3", "2024-04-23",
		"(212) 736-5000", "3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35", "Qz7kLmNpRsTvWxYaBcDeFgH9",
		"AB 12 34 56 C", "1 .2 -3 4", "a:b", "12:30:05", "\xc3\xa9-1.2", "std::x", "a1::b",
		"a/b+c=Qz7kLmNpRsTvWxYaBcDeFgH9/x=+",
	};
	static const char fill[] = "ab cd.ef-gh 1 \t";
	struct fx *f = *state;
	unsigned int isa_max = scan_prefilter_isa(), isa;
	struct wins_copy want, got;
	char t[200];
	size_t k, pos, n, runs = 0;

	assert_true(isa_max <= SCAN_PF_AVX512);
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		for (pos = 0; pos < 140; pos++) {
			size_t l = strlen(shapes[k]);

			for (n = 0; n < sizeof(t); n++)
				t[n] = fill[(n * 7 + k) % (sizeof(fill) - 1)];
			memcpy(t + pos, shapes[k], l);
			/* the text ends right after the shape, or runs on */
			n = pos % 3 ? pos + l : sizeof(t);
			f->eng->pf_isa = SCAN_PF_SCALAR;
			wins_take(f, t, n, &want);
			for (isa = SCAN_PF_SSE2; isa <= isa_max; isa++) {
				f->eng->pf_isa = isa;
				wins_take(f, t, n, &got);
				if (memcmp(want.n, got.n, sizeof(want.n)) ||
				    memcmp(want.v[0], got.v[0], want.n[0] * sizeof(want.v[0][0])) ||
				    memcmp(want.v[1], got.v[1], want.n[1] * sizeof(want.v[1][0])))
					fail_msg("path %u differs: shape %zu at %zu, %zu bytes", isa, k, pos, n);
				runs++;
			}
		}
	}
	f->eng->pf_isa = isa_max;
	/* the shapes do open windows: the comparison is not of empty lists */
	f->eng->pf_isa = SCAN_PF_SCALAR;
	wins_take(f, "ssn 536-22-8726 mail b@c.io", 27, &want);
	f->eng->pf_isa = isa_max;
	assert_int_equal(want.n[0], 1);
	assert_int_equal(want.n[1], 1);
	assert_true(runs >= (isa_max > SCAN_PF_SCALAR ? 1u : 0u));
}

/* Context words: word starts only, case-insensitive, any list length. */
static void test_phrases(void **state)
{
	static const char *const few[] = { "phone", "tax id", "9digits", "Upper", NULL };
	const char *many[80];
	char words[70][8];
	struct scan_first ff, fm;
	const char *t = "Call my Phones or tax ID; telephone 9digits Upper";
	size_t i, n = strlen(t);

	(void)state;
	scan_first_build(few, &ff);
	assert_true(scan_has_phrase(t, 0, n, few, &ff));
	assert_true(scan_has_phrase(t, 0, n, few, NULL));
	/* "telephone" holds "phone", but not at a word start */
	assert_false(scan_has_phrase(t, 26, 35, few, &ff));
	assert_true(scan_has_phrase(t, 17, 24, few, &ff));    /* "tax ID" */
	assert_false(scan_has_phrase(t, 17, 23, few, &ff));   /* cut short by the window */
	assert_true(scan_has_phrase(t, 36, 43, few, &ff));    /* digit first */
	/* phrases are written in lower case: "Upper" never matches */
	assert_false(scan_has_phrase(t, 44, n, few, &ff));
	assert_false(scan_has_phrase(t, 44, n, few, NULL));

	/* more phrases than the index holds (32): the last ones still match */
	for (i = 0; i < 70; i++) {
		snprintf(words[i], sizeof(words[i]), "w%02zu", i);
		many[i] = words[i];
	}
	many[70] = "tax";
	many[71] = NULL;
	scan_first_build(many, &fm);
	assert_true(scan_has_phrase(t, 0, n, many, &fm));
	assert_true(scan_has_phrase("x w69 y", 0, 7, many, &fm));
	assert_true(scan_has_phrase("x w03 y", 0, 7, many, &fm));
	assert_false(scan_has_phrase("x w70 y", 0, 7, many, &fm));
}

static int ref_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The definition scan_has_phrase() implements, a byte at a time. */
static int phrase_ref(const char *t, size_t from, size_t to, const char *const *phrases)
{
	size_t i, k, j;

	for (i = from; i < to; i++) {
		if (!ref_alnum(t[i]) || (i > from && ref_alnum(t[i - 1])))
			continue;
		for (k = 0; phrases[k]; k++) {
			for (j = 0; phrases[k][j] && i + j < to; j++) {
				char c = t[i + j];

				if ((c >= 'A' && c <= 'Z' ? (char)(c + 32) : c) != phrases[k][j])
					break;
			}
			if (!phrases[k][j])
				return 1;
		}
	}
	return 0;
}

/*
 * Every window of a few texts, short ones ending anywhere (the last block
 * of a window is one load ending at its end), against the definition.
 */
static void test_phrase_windows(void **state)
{
	static const char *const ph[] = { "phone", "tel", "ss#", "x", "acct no", NULL };
	static const char *const texts[] = {
		"telephone: 555 ss# 12 x9 TEL.Phone acct no 42",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaphone",
		"0123456789abcdef0123456789_phone-x_tel/acct  no/acct no",
	};
	struct scan_first first;
	size_t k, from, to;

	(void)state;
	scan_first_build(ph, &first);
	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		size_t n = strlen(texts[k]);

		for (from = 0; from <= n; from++)
			for (to = from; to <= n; to++) {
				int want = phrase_ref(texts[k], from, to, ph);

				if (scan_has_phrase(texts[k], from, to, ph, &first) != want ||
				    scan_has_phrase(texts[k], from, to, ph, NULL) != want)
					fail_msg("text %zu [%zu, %zu): want %d", k, from, to, want);
			}
	}
	/* a window that starts inside a word starts a word there */
	assert_true(scan_has_phrase(texts[1], 40, 45, ph, &first));
	assert_false(scan_has_phrase(texts[1], 39, 45, ph, &first));
}

/*
 * Context windows: ctx_words words before the value (and after with
 * SCAN_RF_CTX_AFTER), more words than the per-candidate list holds, and
 * the same window read for a second rule.
 */
static void test_context_windows(void **state)
{
	static const char *const ctx[] = { "acct", NULL };
	static const char *const neg[] = { "order", NULL };
	struct scan_rule r = {
		.context = ctx, .negative = neg, .conf = SCAN_CONF_LOW, .conf_ctx = SCAN_CONF_HIGH,
	};
	struct erule er = { .r = &r };
	char t[512];
	size_t n = 0, start, i;

	(void)state;
	scan_first_build(ctx, &er.ctx_first);
	scan_first_build(neg, &er.neg_first);
	n += (size_t)snprintf(t + n, sizeof(t) - n, "acct ");
	for (i = 0; i < 19; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "w%zu ", i);
	start = n;
	n += (size_t)snprintf(t + n, sizeof(t) - n, "12345678 order");
	/* "acct" is the 20th word before the value */
	r.ctx_words = 19;
	assert_int_equal(scan_context_conf(&er, t, n, start, start + 8), SCAN_CONF_LOW);
	assert_false(scan_context_near(&er, t, n, start, start + 8));
	r.ctx_words = 20;
	assert_int_equal(scan_context_conf(&er, t, n, start, start + 8), SCAN_CONF_HIGH);
	assert_true(scan_context_near(&er, t, n, start, start + 8));
	/* a negative word after the value counts only with SCAN_RF_CTX_AFTER */
	r.flags = SCAN_RF_CTX_AFTER;
	assert_int_equal(scan_context_conf(&er, t, n, start, start + 8), SCAN_CONF_MEDIUM);
	r.flags = SCAN_RF_CTX_AFTER | SCAN_RF_NEG_DROP;
	assert_int_equal(scan_context_conf(&er, t, n, start, start + 8), 0);
	r.ctx_words = 3;
	r.flags = SCAN_RF_NEED_CONTEXT;
	assert_int_equal(scan_context_conf(&er, t, n, start, start + 8), 0);
}

static int is_digit_byte(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The window contract as a whole: the engine finds on random texts what
 * the same rules find on the whole text (scan_engine_opts.full_text).
 * The texts are values every trigger is for, the look-alikes the
 * prefilter turns away (date-times, hyphenated words, fields, scopes,
 * versions), glued with and without white space so that they share tokens.
 */
static void test_windows_find_what_full_text_finds(void **state)
{
	static const char *const pieces[] = {
		"bob@example.org", "(212) 736-5000", "+44 20 7946 0958", "4111 1111 1111 1111",
		"GB82 WEST 1234 5698 7654 32", "536-22-8726", "10.1.2.3", "fe80::1%eth0",
		"2001:db8::8a2e:370:7334", "00-1b-44-11-3a-b7", "00:1B:44:11:3A:B7", "0011.22aa.bb44",
		"object id 3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35", "https://example.org/a?b=c",
		"shop.example.io", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "JG 10 37 29 A",
		"NHS 943 476 5919", "ghp_Qz7kLmNpRsTvWxYaBcDeFgH9iJ1kL2mN3oP4", "routing 021000021",
		"2024-03-11T09:30:25.581Z", "2024-03-11T09:30:25+05:30", "2024-03-11", "09:30:25",
		"well-known", "state-of-the-art-and-so-on", "user.name_one.path_two", "json.dumps(x)",
		"std::map<int>", "v1.2.3", "3100.83", "e.g.", "re-run", "[worker-3]", "req=b8bc3b4b",
		"api_key = \"Qz7kLmNpRsTvWxYaBcDeFgH9\"", "password: hunter2xyz!",
	};
	static const char *const glue[] = { " ", "", ",", "\n", "|", "=", "\"", ":", "-", "." };
	struct scan_engine_opts o = { .full_text = true };
	struct fx *f = *state;
	struct scan_engine *full;
	struct scan_result a = { 0 }, b = { 0 };
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char t[1024];
	size_t k, i, n, found = 0;

	assert_int_equal(scan_engine_new_opts(f->rs, &o, &full, NULL), 0);
	assert_int_equal(scan_scratch_grow(full, f->s), 0);
	for (k = 0; k < 20000; k++) {
		size_t parts = 2 + k % 9;

		for (n = 0, i = 0; i < parts; i++) {
			const char *p, *g;

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			p = pieces[(rng >> 33) % (sizeof(pieces) / sizeof(pieces[0]))];
			g = glue[(rng >> 17) % (sizeof(glue) / sizeof(glue[0]))];
			if (n + strlen(p) + strlen(g) >= sizeof(t))
				break;
			/* "021000021.1" is a decimal, which no digit window holds (rules.h) */
			if (n > 1 && t[n - 1] == '.' && is_digit_byte(t[n - 2]) && is_digit_byte(p[0]))
				t[n - 1] = ' ';
			memcpy(t + n, p, strlen(p));
			n += strlen(p);
			memcpy(t + n, g, strlen(g));
			n += strlen(g);
		}
		scan_result_reset(&a);
		scan_result_reset(&b);
		assert_int_equal(scan_text(f->eng, f->s, t, n, &a), 0);
		assert_int_equal(scan_text(full, f->s, t, n, &b), 0);
		for (i = 0; i < a.n && i < b.n; i++)
			if (a.v[i].start != b.v[i].start || a.v[i].end != b.v[i].end ||
			    strcmp(a.v[i].detail, b.v[i].detail) || a.v[i].confidence != b.v[i].confidence)
				break;
		if (i < a.n || i < b.n)
			fail_msg("text %zu \"%.*s\": finding %zu: windows %s %zu-%zu, full text %s %zu-%zu",
				 k, (int)n, t, i, i < a.n ? a.v[i].detail : "-", i < a.n ? a.v[i].start : 0,
				 i < a.n ? a.v[i].end : 0, i < b.n ? b.v[i].detail : "-",
				 i < b.n ? b.v[i].start : 0, i < b.n ? b.v[i].end : 0);
		found += a.n;
	}
	/* the texts do hold findings: the comparison is not of empty lists */
	assert_true(found > 20000);
	scan_result_free(&a);
	scan_result_free(&b);
	scan_engine_free(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digit_clusters),
		cmocka_unit_test(test_token_windows),
		cmocka_unit_test(test_guid_gate),
		cmocka_unit_test(test_prose_has_no_windows),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_cluster_after_cluster),
		cmocka_unit_test(test_token_from_short_cluster),
		cmocka_unit_test(test_isa_paths_agree),
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_phrase_windows),
		cmocka_unit_test(test_context_windows),
		cmocka_unit_test(test_windows_find_what_full_text_finds),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
