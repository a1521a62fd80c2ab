// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * engine.c with the built-in PII rules and with custom rules: what is found,
 * where (original byte offsets, also through the normaliser), at which
 * confidence, how overlaps resolve, and the limits.  The values are made up
 * for this test (check digits computed from the published algorithms).
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

#include "engine.h"
#include "engine_int.h"
#include "normalize.h"
#include "rules.h"

struct fx {
	struct scan_ruleset *rs;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r;
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

	scan_result_free(&f->r);
	scan_scratch_free(f->s);
	scan_engine_free(f->eng);
	scan_ruleset_free(f->rs);
	free(f);
	return 0;
}

static const struct scan_result *scan(struct fx *f, const char *text)
{
	scan_result_reset(&f->r);
	assert_int_equal(scan_text(f->eng, f->s, text, strlen(text), &f->r), 0);
	return &f->r;
}

/* The finding of `type` whose span is exactly `value` in text, or NULL. */
static const struct scan_finding *find(const struct scan_result *r, const char *text,
				       const char *type, const char *value)
{
	const char *at = strstr(text, value);
	size_t i;

	assert_non_null(at);
	for (i = 0; i < r->n; i++) {
		const struct scan_finding *f = &r->v[i];

		if (!strcmp(f->type, type) && f->start == (size_t)(at - text) &&
		    f->end == f->start + strlen(value))
			return f;
	}
	return NULL;
}

static int has_type(const struct scan_result *r, const char *type)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].type, type))
			return 1;
	return 0;
}

static void expect(struct fx *f, const char *text, const char *type, const char *value)
{
	const struct scan_result *r = scan(f, text);

	if (!find(r, text, type, value)) {
		size_t i;

		for (i = 0; i < r->n; i++)
			print_message("  got %s [%zu,%zu) %s\n", r->v[i].type, r->v[i].start, r->v[i].end,
				      r->v[i].detail);
		fail_msg("%s \"%s\" not found in \"%s\"", type, value, text);
	}
}

static void expect_none(struct fx *f, const char *text, const char *type)
{
	if (has_type(scan(f, text), type))
		fail_msg("unexpected %s in \"%s\"", type, text);
}

/* --- detectors ------------------------------------------------------------------ */

static void test_email_upn(void **state)
{
	struct fx *f = *state;

	expect(f, "write to jane.roe+news@mail.example.co.uk today", "EMAIL", "jane.roe+news@mail.example.co.uk");
	expect(f, "<ops@example.org>", "EMAIL", "ops@example.org");
	expect_none(f, "user@localhost and a@b and @handle", "EMAIL");
	/* tenant domains make it a UPN; the same span is not also an EMAIL */
	expect(f, "signed in as kim@fabrikam.onmicrosoft.com", "M365_UPN", "kim@fabrikam.onmicrosoft.com");
	assert_false(has_type(&f->r, "EMAIL"));
	expect(f, "userPrincipalName: kim.lee@fabrikam.com", "M365_UPN", "kim.lee@fabrikam.com");
	expect(f, "kim.lee@fabrikam.com", "EMAIL", "kim.lee@fabrikam.com");
}

static void test_cards(void **state)
{
	struct fx *f = *state;

	expect(f, "card 4111 1111 1111 1111 exp 12/29", "CREDIT_CARD", "4111 1111 1111 1111");
	expect(f, "amex 3400-000000-00009.", "CREDIT_CARD", "3400-000000-00009");
	/* the year after a card is not part of it */
	expect(f, "4111 1111 1111 1111 2031", "CREDIT_CARD", "4111 1111 1111 1111");
	expect_none(f, "order 4111 1111 1111 1112", "CREDIT_CARD");     /* Luhn */
	expect_none(f, "id 9111111111111111", "CREDIT_CARD");           /* no issuer 9 */
	expect_none(f, "x4111111111111111", "CREDIT_CARD");             /* inside a word */
}

static void test_card_confidence(void **state)
{
	struct fx *f = *state;
	const struct scan_finding *c;

	c = find(scan(f, "visa 4111111111111111"), "visa 4111111111111111", "CREDIT_CARD", "4111111111111111");
	assert_non_null(c);
	assert_int_equal(c->confidence, SCAN_CONF_HIGH);
	c = find(scan(f, "tracking 4111111111111111"), "tracking 4111111111111111", "CREDIT_CARD",
		 "4111111111111111");
	assert_non_null(c);
	assert_int_equal(c->confidence, SCAN_CONF_MEDIUM);   /* negative context lowers */
}

static void test_ssn_context(void **state)
{
	struct fx *f = *state;
	const struct scan_finding *c;
	const char *bare = "ref 536228726 ok", *ctx = "my ssn is 536228726";

	c = find(scan(f, bare), bare, "US_SSN", "536228726");
	assert_non_null(c);
	assert_int_equal(c->confidence, SCAN_CONF_LOW);      /* a bare 9-digit number */
	c = find(scan(f, ctx), ctx, "US_SSN", "536228726");
	assert_non_null(c);
	assert_int_equal(c->confidence, SCAN_CONF_HIGH);
	c = find(scan(f, "SSN: 536-22-8726"), "SSN: 536-22-8726", "US_SSN", "536-22-8726");
	assert_non_null(c);
	assert_int_equal(c->confidence, SCAN_CONF_HIGH);
	c = find(scan(f, "id 536-22-8726"), "id 536-22-8726", "US_SSN", "536-22-8726");
	assert_non_null(c);
	assert_int_equal(c->confidence, SCAN_CONF_MEDIUM);
	expect_none(f, "SSN 666-22-8726 and 536-00-8726 and 536-22.8726", "US_SSN");
	/* the loose forms only with a context word */
	expect_none(f, "code 536-228726", "US_SSN");
	expect(f, "social security 536-228726", "US_SSN", "536-228726");
}

static void test_itin_aba_bank(void **state)
{
	struct fx *f = *state;

	expect(f, "ITIN 912-70-3456", "US_ITIN", "912-70-3456");
	expect_none(f, "ITIN 912-69-3456", "US_ITIN");
	expect(f, "routing number 021356416", "ABA_ROUTING_NUMBER", "021356416");
	expect(f, "aba 0705-5412-0", "ABA_ROUTING_NUMBER", "0705-5412-0");
	expect_none(f, "routing number 021356417", "ABA_ROUTING_NUMBER");
	expect(f, "bank account 000123456789 please", "US_BANK_NUMBER", "000123456789");
	expect_none(f, "the count was 000123456789", "US_BANK_NUMBER");
}

static void test_ids_with_context(void **state)
{
	struct fx *f = *state;

	expect(f, "passport number: C03005988", "US_PASSPORT", "C03005988");
	expect_none(f, "serial C03005988", "US_PASSPORT");
	expect(f, "driver license D1234567", "US_DRIVER_LICENSE", "D1234567");
	expect_none(f, "build D1234567", "US_DRIVER_LICENSE");
	expect(f, "NHS number 136 532 1339", "UK_NHS", "136 532 1339");
	expect(f, "NINO JG 10 37 29 A", "UK_NINO", "JG 10 37 29 A");
	expect(f, "ni jg103729a.", "UK_NINO", "jg103729a");
	expect_none(f, "GB 10 37 29 A", "UK_NINO");
}

static void test_iban(void **state)
{
	struct fx *f = *state;

	expect(f, "IBAN: DE64 5001 0517 9423 1847 11, thanks", "IBAN", "DE64 5001 0517 9423 1847 11");
	expect(f, "pay GB42ABCD12345612345678.", "IBAN", "GB42ABCD12345612345678");
	expect(f, "FR76-3000-6000-0112-3456-7890-189", "IBAN", "FR76-3000-6000-0112-3456-7890-189");
	expect_none(f, "DE65 5001 0517 9423 1847 11", "IBAN");
}

/* The candidates of rule `id` that scan_collect() gives for t. */
static size_t cands_of(struct fx *f, const char *t, const char *id)
{
	const struct scan_engine *eng = f->eng;
	size_t i, k = 0;

	assert_int_equal(scan_collect(eng, f->s, t, strlen(t)), 0);
	for (i = 0; i < f->s->n_cand; i++) {
		const struct epat *p = &eng->pats[f->s->cand[i].pat];

		k += !strcmp(eng->rules[eng->refs[p->ref]].r->id, id);
	}
	return k;
}

/*
 * A MAC's six colon groups are no IPv6 address: the IPv6 pattern took every
 * run of four groups, and each end Hyperscan reported in a MAC (six of them)
 * went through the address parser.
 */
static void test_ipv6_candidates(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cands_of(f, "mac 00:1b:44:11:3a:b7 up", "ipv6"), 0);
	assert_int_equal(cands_of(f, "mac 00:1b:44:11:3a:b7 up", "mac-address"), 1);
	assert_int_equal(cands_of(f, "gw 2001:db8::1 up", "ipv6"), 1);
	/* one end per byte of the last group, not of the last five */
	assert_int_equal(cands_of(f, "ip 2345:425:2ca1:0:0:567:5673:23b5 up", "ipv6"), 4);
}

static void test_network(void **state)
{
	struct fx *f = *state;

	expect(f, "host 10.20.30.40:8080 down", "IP_ADDRESS", "10.20.30.40");
	expect(f, "subnet 10.0.0.0/8.", "IP_ADDRESS", "10.0.0.0/8");
	expect(f, "via [2001:db8:0:1::7]:443", "IP_ADDRESS", "2001:db8:0:1::7");
	expect(f, "fe80::1%eth0 link", "IP_ADDRESS", "fe80::1%eth0");
	expect(f, "mapped ::ffff:10.9.8.7 here", "IP_ADDRESS", "::ffff:10.9.8.7");
	expect_none(f, "at 12:34:56 std::vector 1.2.3 999.1.1.1 1:2:3:4", "IP_ADDRESS");
	/* without "::": eight groups, or six and an IPv4 address */
	expect(f, "ip 2345:0425:2CA1:0000:0000:0567:5673:23b5.", "IP_ADDRESS",
	       "2345:0425:2CA1:0000:0000:0567:5673:23b5");
	expect(f, "v4 0:0:0:0:0:FFFF:129.144.52.38 in", "IP_ADDRESS",
	       "0:0:0:0:0:FFFF:129.144.52.38");
	expect_none(f, "seven 684D:1111:222:3333:4444:5555:77 groups", "IP_ADDRESS");
	expect(f, "mac 00:1b:44:11:3a:b7", "MAC_ADDRESS", "00:1b:44:11:3a:b7");
	expect(f, "mac 001b.4411.3ab7", "MAC_ADDRESS", "001b.4411.3ab7");
	expect_none(f, "ff:ff:ff:ff:ff:ff 00:1b:44:11:3a", "MAC_ADDRESS");
}

static void test_urls(void **state)
{
	struct fx *f = *state;

	expect(f, "see https://example.org/a/b?c=1).", "URL", "https://example.org/a/b?c=1");
	expect(f, "(https://en.example.org/wiki/X_(Y))", "URL", "https://en.example.org/wiki/X_(Y)");
	expect(f, "visit contoso.com/pricing now", "URL", "contoso.com/pricing");
	expect_none(f, "json.dumps(x) and obj.method and file.py", "URL");
	expect_none(f, "http://intranet/", "URL");
	/* an address inside a URL is reported as the address */
	expect(f, "http://192.168.7.1/admin", "IP_ADDRESS", "192.168.7.1");
}

static void test_phones(void **state)
{
	struct fx *f = *state;

	expect(f, "call (212) 736-5000 x12 now", "PHONE", "(212) 736-5000 x12");
	expect(f, "call 1-212-736-5000.", "PHONE", "1-212-736-5000");
	expect(f, "UK +44 20 7946 0321, DE +49 30 901820", "PHONE", "+44 20 7946 0321");
	expect(f, "UK +44 20 7946 0321, DE +49 30 901820", "PHONE", "+49 30 901820");
	expect(f, "bureau 01 42 68 53 00", "PHONE", "01 42 68 53 00");
	expect(f, "phone 2127365000", "PHONE", "2127365000");
	expect_none(f, "on 01-05-2024 at 03.04.21, v0.12.4", "PHONE");
	expect_none(f, "the id 2127365000 again", "PHONE");
}

static void test_wallets_and_object_ids(void **state)
{
	struct fx *f = *state;

	expect(f, "btc 1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt.", "CRYPTO_WALLET", "1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt");
	expect(f, "to bc1qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvk", "CRYPTO_WALLET",
	       "bc1qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvk");
	expect_none(f, "1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYu", "CRYPTO_WALLET");
	expect(f, "\"objectId\": \"3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35\"", "AZURE_OBJECT_ID",
	       "3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35");
	expect(f, "tenant id 3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35", "AZURE_OBJECT_ID",
	       "3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35");
	expect_none(f, "\"request\": \"3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35\"", "AZURE_OBJECT_ID");
}

/*
 * IPv4, MAC and wallet patterns match the byte either side of the value (or
 * a window's edge): the value alone, '_' beside it (not a letter or digit),
 * and what must stay out (a letter, digit or '.' beside it, longer runs).
 */
static void test_bounded_shapes(void **state)
{
	struct fx *f = *state;
	const char *w = "1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt";

	expect(f, "10.1.2.3", "IP_ADDRESS", "10.1.2.3");
	expect(f, "00:1b:44:11:3a:b7", "MAC_ADDRESS", "00:1b:44:11:3a:b7");
	expect(f, w, "CRYPTO_WALLET", w);
	expect(f, "ip_10.1.2.3_x", "IP_ADDRESS", "10.1.2.3");
	expect(f, "wallet_1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt_", "CRYPTO_WALLET", w);
	expect(f, "addr:bc1qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvk;1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt",
	       "CRYPTO_WALLET", w);
	expect(f, "to BC1QPK88H77AULW7NLAM7M8JN75AM8TVTFWMSEMTVK.", "CRYPTO_WALLET",
	       "BC1QPK88H77AULW7NLAM7M8JN75AM8TVTFWMSEMTVK");
	expect(f, "mac=00:1b:44:11:3a:b7;", "MAC_ADDRESS", "00:1b:44:11:3a:b7");
	expect(f, "001B.4411.3AB7.", "MAC_ADDRESS", "001B.4411.3AB7");
	expect(f, "net 192.168.0.0/16;", "IP_ADDRESS", "192.168.0.0/16");
	expect(f, "a/10.1.2.3/b", "IP_ADDRESS", "10.1.2.3");
	expect(f, "10.1.2.3.4 5.6.7.8", "IP_ADDRESS", "5.6.7.8");
	expect_none(f, "x10.1.2.3 10.1.2.3y .10.1.2.3 1234.1.2.3 10.1.2.3456", "IP_ADDRESS");
	expect_none(f, "a1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt 1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYtz",
		    "CRYPTO_WALLET");
	expect_none(f, "00:1b:44:11:3a:b7:01 x00:1b:44:11:3a:b7 001b.4411.3ab7.0c12", "MAC_ADDRESS");
}

/* --- normalisation, offsets, overlaps -------------------------------------------- */

static void test_offsets_are_original(void **state)
{
	struct fx *f = *state;
	/* non-breaking hyphens, then full-width digits and a zero-width space */
	const char *t1 = "card 4111\xe2\x80\x91" "1111\xe2\x80\x91" "1111\xe2\x80\x91" "1111 ok";
	const char *t2 = "ssn \xef\xbc\x95\xef\xbc\x93\xef\xbc\x96-22-87\xe2\x80\x8b" "26 ok";
	const struct scan_result *r;

	r = scan(f, t1);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->v[0].type, "CREDIT_CARD");
	assert_int_equal(r->v[0].start, 5);
	assert_int_equal(r->v[0].end, 5 + 16 + 9);
	assert_true(r->signals & SCAN_SIG_CONFUSABLE);
	r = scan(f, t2);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->v[0].type, "US_SSN");
	assert_int_equal(r->v[0].start, 4);
	assert_int_equal(r->v[0].end, strlen(t2) - 3);
	assert_true(r->signals & SCAN_SIG_ZERO_WIDTH);
	assert_true(r->signals & SCAN_SIG_FULLWIDTH);
}

static void test_sorted_non_overlapping(void **state)
{
	struct fx *f = *state;
	const char *t = "mail a@example.com, call +1 212 736 5000, card 4111111111111111, "
			"ip 10.1.2.3, https://example.com/x?ip=10.1.2.4 and 536-22-8726.";
	const struct scan_result *r = scan(f, t);
	size_t i;

	assert_true(r->n >= 6);
	for (i = 1; i < r->n; i++)
		assert_true(r->v[i].start >= r->v[i - 1].end);
}

/*
 * Many findings (more than the insertion sort takes, in reverse rank
 * order), spans crossing the overlap bitmap's 64-bit words, and weaker
 * findings inside stronger ones: sorted, never overlapping, the stronger
 * kept, and the bitmap left clean for the next text.
 */
static void test_many_and_overlapping(void **state)
{
	struct fx *f = *state;
	char t[8192];
	size_t n = 0, i, emails = 0, urls = 0, ips = 0;
	const struct scan_result *r;

	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "%s user%zu@example.com "
				      "https://example.com/%zu?ip=10.1.%zu.4&mail=x%zu@example.org ",
				      i % 2 ? "mail" : "ip 10.0.0.1,", i, i, i, i);
	r = scan(f, t);
	for (i = 0; i < r->n; i++) {
		if (i)
			assert_true(r->v[i].start >= r->v[i - 1].end);
		emails += !strcmp(r->v[i].type, "EMAIL");
		urls += !strcmp(r->v[i].type, "URL");
		ips += !strcmp(r->v[i].type, "IP_ADDRESS");
	}
	/*
	 * The URL is weaker than the IP inside it; "mail=x@..." in a query is
	 * no address (its local part runs back into the URL).
	 */
	assert_int_equal(emails, 40);
	assert_int_equal(ips, 60);
	assert_int_equal(urls, 0);
	assert_int_equal(r->n, 100);
	/* a finding ending just past a 64-byte word, then one that starts there */
	expect(f, "012345678901234567890123456789012345678901234567890123456 a@example.com",
	       "EMAIL", "a@example.com");
	expect(f, "0123456789012345678901234567890123456789012345678901234567890 "
		  "https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	       "URL", "https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	expect(f, "a@example.com", "EMAIL", "a@example.com");
}

static void test_append_and_signals(void **state)
{
	struct fx *f = *state;
	struct scan_result r = { 0 };

	(void)state;
	assert_int_equal(scan_text(f->eng, f->s, "a@example.com", 13, &r), 0);
	assert_int_equal(scan_text(f->eng, f->s, "x\xe2\x80\x8by 10.1.2.3", 14, &r), 0);
	assert_int_equal(r.n, 2);                     /* appended */
	assert_true(r.signals & SCAN_SIG_ZERO_WIDTH);
	scan_result_reset(&r);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.signals, 0);
	scan_result_free(&r);
}

static void test_limits(void **state)
{
	struct scan_engine_opts opts = { .max_input = 64, .max_candidates = 3 };
	struct fx *f = *state;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r = { 0 };
	char big[65];

	(void)state;
	assert_int_equal(scan_engine_new_opts(f->rs, &opts, &eng, NULL), 0);
	assert_int_equal(scan_scratch_new(eng, &s), 0);
	memset(big, 'a', sizeof(big));
	assert_int_equal(scan_text(eng, s, big, sizeof(big), &r), -E2BIG);
	assert_int_equal(scan_text(eng, s, "1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4", 31, &r), -E2BIG);
	assert_int_equal(r.n, 0);
	assert_int_equal(scan_text(eng, s, "1.1.1.1 2.2.2.2", 15, &r), 0);
	assert_int_equal(r.n, 2);
	scan_result_free(&r);
	scan_scratch_free(s);
	scan_engine_free(eng);
}

static int fits_stamp(const struct scan_scratch *s, const struct scan_engine *eng, uint64_t stamp)
{
	size_t i;

	for (i = 0; i < SCAN_SCRATCH_FITS; i++)
		if (s->fits[i].eng == eng && s->fits[i].stamp == stamp)
			return 1;
	return 0;
}

/*
 * A scratch made for a small engine grows for a big one and remembers it;
 * an engine at a remembered address but with another stamp (freed, and a
 * new one allocated there) is grown for again, never taken on trust.
 */
static void test_scratch_fits(void **state)
{
	static const char *const words[] = { "nimbus" };
	struct fx *f = *state;
	struct scan_ruleset *rs;
	struct scan_engine *small;
	struct scan_scratch *s;
	struct scan_result r = { 0 };
	const char *t = "mail a@example.com, card 4111 1111 1111 1111";
	uint64_t stamp;

	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add_dict(rs, "w", "CODENAME", words, 1, 1, SCAN_CONF_HIGH), 0);
	assert_int_equal(scan_engine_new(rs, &small), 0);
	assert_int_equal(scan_scratch_new(small, &s), 0);
	assert_true(fits_stamp(s, small, small->stamp));
	assert_false(fits_stamp(s, f->eng, f->eng->stamp));
	assert_int_equal(scan_scratch_grow(f->eng, s), 0);
	assert_true(fits_stamp(s, f->eng, f->eng->stamp));
	assert_int_equal(scan_text(f->eng, s, t, strlen(t), &r), 0);   /* the scratch fits */
	assert_int_equal(r.n, 2);

	stamp = small->stamp;
	small->stamp ^= 1;                                /* "another engine, same address" */
	assert_int_equal(scan_scratch_grow(small, s), 0);
	assert_true(fits_stamp(s, small, small->stamp));
	small->stamp = stamp;

	scan_result_free(&r);
	scan_scratch_free(s);
	scan_engine_free(small);
	scan_ruleset_free(rs);
}

/* Pieces the batch test strings together: PII, secrets, and what could
 * run across a joint (a key-value secret ending a text, digits at the
 * edges, a text that is only a newline, zero-width and full-width bytes). */
static const char *const batch_pieces[] = {
	"Hello, please summarise the meeting notes. ",
	"mail alice@contoso.com ",
	"card 4111 1111 1111 1111 ",
	"call +1 415 555 0132 ",
	"ssn 536-22-8726 ",
	"IBAN GB82 WEST 1234 5698 7654 32 ",
	"server 10.1.2.3 ",
	"AKIAIOSFODNN7EXAMPLQ ",
	"password = \"Xk9$mQ2vL8pR4tN7\"",
	"api_key: sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a",
	"token = ghp_16C7e42F292c6912E7710c838347Ae178B4a",
	"4111",
	"1111 1111",
	"\n",
	"",
	"x\xe2\x80\x8by 10.1.2.3",
	"\xef\xbc\x94" "111-1111-1111-1111 ",
	"see https://example.com/a?b=c ",
	"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n",
	"guid 3f2504e0-4f89-11d3-9a0c-0305e82c3301 ",
};

static void findings_equal(const struct scan_finding *a, const struct scan_finding *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_string_equal(a[i].type, b[i].type);
		assert_string_equal(a[i].detail, b[i].detail);
		assert_int_equal(a[i].start, b[i].start);
		assert_int_equal(a[i].end, b[i].end);
		assert_int_equal(a[i].confidence, b[i].confidence);
		assert_int_equal(a[i].category, b[i].category);
		assert_true(a[i].score == b[i].score);
	}
}

/* scan_texts() gives exactly what scan_text() on each text gives. */
static void test_batch_equals_one_by_one(void **state)
{
	enum { TEXTS = 12, ROUNDS = 400, PIECES = sizeof(batch_pieces) / sizeof(batch_pieces[0]) };
	struct fx *f = *state;
	char buf[TEXTS][1024];
	struct scan_part parts[TEXTS];
	struct scan_result all = { 0 }, one = { 0 };
	struct scan_stats st;
	size_t first[TEXTS + 1], i, k, n;
	unsigned int seed = 12345, signals;
	int round;

	scan_scratch_stats_reset(f->s);
	for (round = 0; round < ROUNDS; round++) {
		n = 1 + rand_r(&seed) % TEXTS;
		for (i = 0; i < n; i++) {
			size_t len = 0, pieces = rand_r(&seed) % 5;

			for (k = 0; k < pieces; k++) {
				const char *p = batch_pieces[rand_r(&seed) % PIECES];

				memcpy(buf[i] + len, p, strlen(p));
				len += strlen(p);
			}
			parts[i] = (struct scan_part){ buf[i], len };
		}
		scan_result_reset(&all);
		assert_int_equal(scan_texts(f->eng, f->s, parts, n, &all, first), 0);
		assert_int_equal(first[0], 0);
		assert_int_equal(first[n], all.n);
		signals = 0;
		for (i = 0; i < n; i++) {
			scan_result_reset(&one);
			assert_int_equal(scan_text(f->eng, f->s, parts[i].text, parts[i].len, &one), 0);
			signals |= one.signals;
			assert_int_equal(first[i + 1] - first[i], one.n);
			findings_equal(all.v + first[i], one.v, one.n);
		}
		assert_int_equal(all.signals, signals);
	}
	/* both paths ran: texts scanned as one, and split where a key-value
	 * secret ending a text took the joint's newline as its terminator */
	scan_scratch_stats(f->s, &st);
	assert_true(st.batches > ROUNDS / 4);
	assert_true(st.batch_splits > 0);
	scan_result_free(&all);
	scan_result_free(&one);
}

/* Hostile repetitions: bounded work, and either findings or -E2BIG (fail closed). */
/* Secret shapes, their neighbours and bytes that sit on their edges, for the start test. */
static const char *const start_pieces[] = {
	"ghp_16C7e42F292c6912E7710c838347Ae178B4a", "AKIAIOSFODNN7EXAMPLQ", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
	"password = \"Xk9$mQ2vL8pR4tN7\"", "api_key: sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a",
	"token=", "Token: abcdefghij0123456789klmn", "secret_key = ", "passwd:", "key", "KEY_",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
	"eyJAAAAAAAAAAAA", "eyJBBBBBBBBBBBB.eyCCCCCCCCCCCC.DDD", "xoxb-1234567890-1234567890123-abcdefABCDEF",
	"-----BEGIN RSA PRIVATE KEY-----", "sig=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4", "%3D",
	"AccountKey=", "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmE==",
	"jdbc:mysql:", "-u admin:hunter2 ", "authorization: Bearer ", "https://user:pa55@db.example.com/x",
	"hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
	"glpat-", "0123456789abcdefghij", "_", "-", "=", "\n", "\\n", "\"", "'", " ", ":", ".", "AAAAAAAAAAAAAAAAAAAAAAAA",
	"twitter_secret = ", "heroku api key: 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
};

/*
 * The full-text database runs without SOM and start.c finds each
 * candidate's start around it: the candidates must be exactly those the
 * same patterns with SOM report over the whole text, starts included.
 */
static int collect_som(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	struct scan_scratch *ref = ctx;

	(void)flags;
	if (ref->n_cand < ref->cap_cand)
		ref->cand[ref->n_cand++] = (struct scan_cand){ (size_t)from, (size_t)to, id };
	return 0;
}

static void test_full_starts_exact(void **state)
{
	enum { ROUNDS = 1500, PIECES = sizeof(start_pieces) / sizeof(start_pieces[0]) };
	struct fx *f = *state;
	const struct scan_engine *eng = f->eng;
	struct scan_cand want[512], got[512];
	struct scan_scratch ref = { .cand = want, .cap_cand = 512 };
	static char t[8192];
	unsigned int seed = 777, round;
	size_t i, n, n_got, total = 0;

	assert_non_null(eng->start_db);
	for (round = 0; round < ROUNDS; round++) {
		size_t pieces = 1 + rand_r(&seed) % 40;

		for (n = 0, i = 0; i < pieces; i++) {
			const char *p = start_pieces[rand_r(&seed) % PIECES];
			size_t len = strlen(p);

			memcpy(t + n, p, len);
			n += len;
		}
		n -= rand_r(&seed) % 4 ? 0 : rand_r(&seed) % (n + 1);   /* end inside a piece */
		assert_int_equal(scan_collect(eng, f->s, t, n), 0);
		for (n_got = 0, i = 0; i < f->s->n_cand; i++)
			if (eng->pats[f->s->cand[i].pat].db == SCAN_DB_FULL && n_got < 512)
				got[n_got++] = f->s->cand[i];
		ref.n_cand = 0;
		assert_int_equal(hs_scan(eng->start_db, t, (unsigned int)n, 0, f->s->hs, collect_som, &ref), 0);
		for (i = 0; i < eng->n_pats; i++)
			if (eng->pats[i].own_start)
				assert_int_equal(hs_scan(eng->pats[i].own_start, t, (unsigned int)n, 0, f->s->hs,
							 collect_som, &ref), 0);
		assert_true(ref.n_cand < 512);
		qsort(got, n_got, sizeof(*got), scan_cand_cmp);
		qsort(want, ref.n_cand, sizeof(*want), scan_cand_cmp);
		assert_int_equal(n_got, ref.n_cand);
		for (i = 0; i < n_got; i++) {
			assert_int_equal(got[i].pat, want[i].pat);
			assert_int_equal(got[i].end, want[i].end);
			assert_int_equal(got[i].start, want[i].start);
		}
		total += n_got;
	}
	assert_true(total > ROUNDS);          /* the pieces do make candidates */
}

/* A window rule with a start function (rules.h): its candidates carry that start. */
static void test_window_start_functions(void **state)
{
	static const char text[] = "mail bob.smith@example.org or see https://u:s3cr3tpw@git.example.com/x";
	struct fx *f = *state;
	size_t i, seen = 0;

	assert_int_equal(scan_collect(f->eng, f->s, text, strlen(text)), 0);
	for (i = 0; i < f->s->n_cand; i++) {
		const struct epat *p = &f->eng->pats[f->s->cand[i].pat];

		if (!p->start)
			continue;
		assert_int_equal(f->s->cand[i].start, p->start(text, f->s->cand[i].end));
		assert_true(f->s->cand[i].start < f->s->cand[i].end);
		seen++;
	}
	/* e-mail, UPN-with-context, url-bare-host twice, basic-auth-url */
	assert_true(seen >= 4);
}

static void test_hostile_inputs(void **state)
{
	static const char *const units[] = {
		"http://", "a.bb", "1", "1.1.1.1 ", "::", "a@b.", "4111 ", "+1", "AB12", "1-",
		"aaaaaaaaaaaaaaaaaaaa1", "\xe2\x80\x8b", "\xef\xbc\x91", "http://x.com/", ")", "\xff",
	};
	struct fx *f = *state;
	size_t len = 1u << 20, u;
	char *b = malloc(len);

	assert_non_null(b);
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t ul = strlen(units[u]), o = 0;
		int err;

		while (o + ul <= len) {
			memcpy(b + o, units[u], ul);
			o += ul;
		}
		scan_result_reset(&f->r);
		err = scan_text(f->eng, f->s, b, o, &f->r);
		if (err && err != -E2BIG)
			fail_msg("unit %zu: %d", u, err);
	}
	free(b);
}

static void test_min_confidence(void **state)
{
	struct scan_engine_opts opts = { .min_conf = SCAN_CONF_MEDIUM };
	struct fx *f = *state;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r = { 0 };

	(void)state;
	assert_int_equal(scan_engine_new_opts(f->rs, &opts, &eng, NULL), 0);
	assert_int_equal(scan_scratch_new(eng, &s), 0);
	assert_int_equal(scan_text(eng, s, "ref 536228726", 13, &r), 0);
	assert_int_equal(r.n, 0);                     /* LOW dropped */
	scan_result_free(&r);
	scan_scratch_free(s);
	scan_engine_free(eng);
}

/* --- custom rules ---------------------------------------------------------------- */

static const char *const stop[] = { "example", NULL };
static const char *const allow[] = { "KEY-00000000", NULL };
static const char *const allow_re[] = { "^KEY-1111", NULL };
static const char *const kw[] = { "vault", NULL };

static const struct scan_rule custom[] = {
	{ .id = "c-key", .type = "INTERNAL_KEY", .category = SCAN_CAT_SECRET,
	  .regex = "\\bKEY-[0-9A-Z]{8}\\b", .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	  .allow = allow, .allow_regex = allow_re, .stopwords = stop },
	{ .id = "c-assign", .type = "VAULT_TOKEN", .category = SCAN_CAT_SECRET,
	  .regex = "token\\s*=\\s*\"[^\"]{6,}\"", .extract = scan_extract_assigned,
	  .keywords = kw, .conf = SCAN_CONF_MEDIUM },
};

static void test_custom_rules(void **state)
{
	static const char *const words[] = { "project bluebird", "Nimbus" };
	static const uint8_t salt[] = "tenant-7";
	uint8_t h[1][SCAN_EDM_HASH_LEN];
	struct scan_ruleset *rs;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r = { 0 };
	const char *t;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, custom, 2), 0);
	assert_int_equal(scan_ruleset_add_dict(rs, "c-words", "CODENAME", words, 2, 1, SCAN_CONF_HIGH), 0);
	assert_int_equal(scan_edm_hash(salt, sizeof(salt) - 1, "C-48213", 7, h[0]), 0);
	assert_int_equal(scan_ruleset_add_edm(rs, "c-edm", "CUSTOMER", "\\bC-\\d{5}\\b", 0, salt,
					      sizeof(salt) - 1, (const uint8_t (*)[SCAN_EDM_HASH_LEN])h, 1), 0);
	assert_int_equal(scan_engine_new(rs, &eng), 0);
	assert_int_equal(scan_scratch_new(eng, &s), 0);

	t = "keys KEY-8F3K2Q9Z KEY-00000000 KEY-11110000 KEY-AAAAAAAA KEY-EXAMPLE1";
	assert_int_equal(scan_text(eng, s, t, strlen(t), &r), 0);
	assert_int_equal(r.n, 1);                         /* allow, allow_regex, entropy, stopword */
	assert_int_equal(r.v[0].start, 5);
	assert_int_equal(r.v[0].category, SCAN_CAT_SECRET);

	scan_result_reset(&r);
	t = "vault token = \"s3cr3t-v4lue\" and token = \"nokeyword\"";
	assert_int_equal(scan_text(eng, s, t, 29, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].type, "VAULT_TOKEN");
	assert_int_equal(r.v[0].start, 15);               /* the value only */
	assert_int_equal(r.v[0].end, 27);
	scan_result_reset(&r);
	assert_int_equal(scan_text(eng, s, t + 33, strlen(t + 33), &r), 0);
	assert_int_equal(r.n, 0);                         /* no keyword near */

	scan_result_reset(&r);
	t = "About PROJECT BLUEBIRD and nimbus, not nimbusx; customer C-48213 and C-48214.";
	assert_int_equal(scan_text(eng, s, t, strlen(t), &r), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].type, "CODENAME");
	assert_int_equal(r.v[0].start, 6);
	assert_int_equal(r.v[0].end, 22);
	assert_string_equal(r.v[1].type, "CODENAME");
	assert_string_equal(r.v[2].type, "CUSTOMER");
	assert_int_equal(r.v[2].start, strstr(t, "C-48213") - t);

	scan_result_free(&r);
	scan_scratch_free(s);
	scan_engine_free(eng);
	scan_ruleset_free(rs);
}

static void test_som_fallback(void **state)
{
	/* wide bounded repeats: Hyperscan refuses start-of-match for this one */
	static const struct scan_rule wide[] = {
		{ .id = "c-wide", .type = "WIDE", .category = SCAN_CAT_CUSTOM,
		  .regex = "[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}\\.[a-z]{2,24}", .conf = SCAN_CONF_LOW },
		{ .id = "c-plain", .type = "PLAIN", .category = SCAN_CAT_CUSTOM, .regex = "zz\\d\\d",
		  .conf = SCAN_CONF_LOW },
	};
	struct scan_ruleset *rs;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r = { 0 };
	const char *t = "to: bob.smith@example.org zz12";

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, wide, 2), 0);
	assert_int_equal(scan_engine_new(rs, &eng), 0);
	assert_int_equal(scan_engine_fallback_count(eng), 1);
	assert_int_equal(scan_scratch_new(eng, &s), 0);
	assert_int_equal(scan_text(eng, s, t, strlen(t), &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].type, "WIDE");
	assert_int_equal(r.v[0].start, 4);                 /* leftmost start, found by re-scan */
	assert_int_equal(r.v[0].end, 25);
	assert_int_equal(r.v[1].start, 26);
	scan_result_free(&r);
	scan_scratch_free(s);
	scan_engine_free(eng);
	scan_ruleset_free(rs);
}

static void test_bad_regex_reported(void **state)
{
	static const struct scan_rule bad[] = {
		{ .id = "c-bad", .type = "BAD", .category = SCAN_CAT_CUSTOM, .regex = "(?<=x)y",
		  .conf = SCAN_CONF_LOW },
	};
	struct scan_ruleset *rs;
	struct scan_engine *eng = NULL;
	struct scan_compile_error ce = { 0 };

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, bad, 1), 0);
	assert_int_equal(scan_engine_new_opts(rs, NULL, &eng, &ce), -EINVAL);
	assert_null(eng);
	assert_string_equal(ce.rule_id, "c-bad");
	assert_true(strlen(ce.message) > 0);
	scan_ruleset_free(rs);
}

static void test_disabled_type_and_empty_set(void **state)
{
	struct scan_ruleset *rs;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r = { 0 };

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_rules_builtin(rs), 0);
	assert_int_equal(scan_ruleset_disable(rs, "EMAIL"), 0);
	assert_int_equal(scan_engine_new(rs, &eng), 0);
	assert_int_equal(scan_scratch_new(eng, &s), 0);
	assert_int_equal(scan_text(eng, s, "a@example.com 10.1.2.3", 22, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].type, "IP_ADDRESS");
	scan_scratch_free(s);
	scan_engine_free(eng);
	scan_ruleset_free(rs);

	/* no rules at all: a valid engine that finds nothing */
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_engine_new(rs, &eng), 0);
	assert_int_equal(scan_scratch_new(eng, &s), 0);
	scan_result_reset(&r);
	assert_int_equal(scan_text(eng, s, "4111111111111111", 16, &r), 0);
	assert_int_equal(r.n, 0);
	scan_result_free(&r);
	scan_scratch_free(s);
	scan_engine_free(eng);
	scan_ruleset_free(rs);
	assert_null(scan_engine_free(NULL));
	assert_null(scan_scratch_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_upn),
		cmocka_unit_test(test_cards),
		cmocka_unit_test(test_card_confidence),
		cmocka_unit_test(test_ssn_context),
		cmocka_unit_test(test_itin_aba_bank),
		cmocka_unit_test(test_ids_with_context),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_ipv6_candidates),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_wallets_and_object_ids),
		cmocka_unit_test(test_bounded_shapes),
		cmocka_unit_test(test_offsets_are_original),
		cmocka_unit_test(test_sorted_non_overlapping),
		cmocka_unit_test(test_many_and_overlapping),
		cmocka_unit_test(test_append_and_signals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_scratch_fits),
		cmocka_unit_test(test_batch_equals_one_by_one),
		cmocka_unit_test(test_hostile_inputs),
		cmocka_unit_test(test_min_confidence),
		cmocka_unit_test(test_custom_rules),
		cmocka_unit_test(test_som_fallback),
		cmocka_unit_test(test_full_starts_exact),
		cmocka_unit_test(test_window_start_functions),
		cmocka_unit_test(test_bad_regex_reported),
		cmocka_unit_test(test_disabled_type_and_empty_set),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
