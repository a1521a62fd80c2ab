// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* rules.c: rule sets (static tables, copies, custom rules, disable) and the author helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules.h"

static const char *const ctx_a[] = { "alpha", NULL };

static const struct scan_rule table[] = {
	{ .id = "t-one", .type = "ONE", .category = SCAN_CAT_CUSTOM, .regex = "one\\d+",
	  .conf = SCAN_CONF_LOW },
	{ .id = "t-two", .type = "TWO", .category = SCAN_CAT_CUSTOM, .regex = "two",
	  .conf = SCAN_CONF_HIGH, .context = ctx_a },
};

static void test_add_and_lookup(void **state)
{
	struct scan_ruleset *rs;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, table, 2), 0);
	assert_int_equal(scan_ruleset_count(rs), 2);
	assert_string_equal(scan_ruleset_rule(rs, 1)->id, "t-two");
	/* static tables are referenced, not copied */
	assert_ptr_equal(scan_ruleset_rule(rs, 0)->regex, table[0].regex);
	assert_null(scan_ruleset_rule(rs, 2));
	assert_true(scan_ruleset_enabled(rs, 0));
	assert_int_equal(scan_ruleset_add(rs, table, 1), -EEXIST);
	assert_int_equal(scan_ruleset_count(rs), 2);
	rs = scan_ruleset_free(rs);
	assert_null(rs);
	assert_null(scan_ruleset_free(NULL));
}

static void test_invalid_rules(void **state)
{
	struct scan_rule bad[] = {
		{ .id = "", .type = "X", .category = SCAN_CAT_PII, .regex = "x", .conf = SCAN_CONF_LOW },
		{ .id = "a", .type = NULL, .category = SCAN_CAT_PII, .regex = "x", .conf = SCAN_CONF_LOW },
		{ .id = "a", .type = "X", .category = 0, .regex = "x", .conf = SCAN_CONF_LOW },
		{ .id = "a", .type = "X", .category = SCAN_CAT_PII, .regex = "x", .conf = 0 },
		{ .id = "a", .type = "X", .category = SCAN_CAT_PII, .regex = NULL, .conf = SCAN_CONF_LOW },
		{ .id = "a", .type = "X", .category = SCAN_CAT_PII, .kind = SCAN_RULE_DICT,
		  .conf = SCAN_CONF_LOW },
		{ .id = "a", .type = "X", .category = SCAN_CAT_PII, .kind = SCAN_RULE_EDM, .regex = "x",
		  .conf = SCAN_CONF_LOW },
		{ .id = "a", .type = "X", .category = SCAN_CAT_PII, .regex = "x", .conf = SCAN_CONF_LOW,
		  .trigger = SCAN_TRIG_DIGITS },   /* DIGITS needs min_digits */
		{ .id = "a", .type = "X", .category = SCAN_CAT_PII, .regex = "x", .conf = SCAN_CONF_LOW,
		  .min_entropy = 9 },
		{ .id = "a", .type = "THIS-TYPE-NAME-IS-FAR-TOO-LONG-FOR-A-FINDING", .category = SCAN_CAT_PII,
		  .regex = "x", .conf = SCAN_CONF_LOW },
	};
	struct scan_ruleset *rs;
	size_t i;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (scan_ruleset_add(rs, &bad[i], 1) != -EINVAL)
			fail_msg("rule %zu accepted", i);
		if (scan_ruleset_add_copy(rs, &bad[i]) != -EINVAL)
			fail_msg("rule %zu copied", i);
	}
	assert_int_equal(scan_ruleset_count(rs), 0);
	scan_ruleset_free(rs);
}

static void test_copy_owns_everything(void **state)
{
	struct scan_ruleset *rs;
	char *id = strdup("c-one"), *type = strdup("CUSTOM_ONE"), *re = strdup("abc\\d");
	char *w0 = strdup("ctxword");
	const char *ctx[] = { w0, NULL };
	struct scan_rule r = { .id = id, .type = type, .category = SCAN_CAT_CUSTOM, .regex = re,
			       .conf = SCAN_CONF_MEDIUM, .context = ctx };
	const struct scan_rule *got;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add_copy(rs, &r), 0);
	/* the caller's memory can go: the set keeps its own copies */
	memset(id, 'x', strlen(id));
	memset(w0, 'x', strlen(w0));
	free(id);
	free(type);
	free(re);
	free(w0);
	got = scan_ruleset_rule(rs, 0);
	assert_string_equal(got->id, "c-one");
	assert_string_equal(got->type, "CUSTOM_ONE");
	assert_string_equal(got->regex, "abc\\d");
	assert_string_equal(got->context[0], "ctxword");
	assert_null(got->context[1]);
	assert_null(got->negative);
	scan_ruleset_free(rs);
}

static void test_custom_kinds(void **state)
{
	static const char *const words[] = { "alpha", "beta gamma" };
	static const uint8_t salt[] = "s";
	uint8_t h[2][SCAN_EDM_HASH_LEN];
	struct scan_ruleset *rs;
	const struct scan_rule *r;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add_regex(rs, "r", "R", "r\\d", SCAN_CONF_LOW), 0);
	assert_int_equal(scan_ruleset_add_dict(rs, "d", "D", words, 2, 1, SCAN_CONF_HIGH), 0);
	assert_int_equal(scan_ruleset_add_dict(rs, "d0", "D", words, 0, 1, SCAN_CONF_HIGH), -EINVAL);
	assert_int_equal(scan_edm_hash(salt, 1, "zz", 2, h[0]), 0);
	assert_int_equal(scan_edm_hash(salt, 1, "aa", 2, h[1]), 0);
	assert_int_equal(scan_ruleset_add_edm(rs, "e", "E", "\\b\\w\\w\\b", 0, salt, 1,
					      (const uint8_t (*)[SCAN_EDM_HASH_LEN])h, 2), 0);
	r = scan_ruleset_rule(rs, 1);
	assert_int_equal(r->kind, SCAN_RULE_DICT);
	assert_string_equal(r->words[1], "beta gamma");
	assert_null(r->words[2]);
	r = scan_ruleset_rule(rs, 2);
	assert_int_equal(r->kind, SCAN_RULE_EDM);
	assert_int_equal(r->edm->n, 2);
	/* hashes are sorted on copy, for the binary search */
	assert_true(memcmp(r->edm->hashes[0], r->edm->hashes[1], SCAN_EDM_HASH_LEN) < 0);
	assert_int_equal(r->category, SCAN_CAT_CUSTOM);
	scan_ruleset_free(rs);
}

static void test_disable(void **state)
{
	struct scan_ruleset *rs;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_ruleset_add(rs, table, 2), 0);
	assert_int_equal(scan_ruleset_disable(rs, "TWO"), 0);      /* by type */
	assert_false(scan_ruleset_enabled(rs, 1));
	assert_int_equal(scan_ruleset_disable(rs, "t-one"), 0);    /* by id */
	assert_false(scan_ruleset_enabled(rs, 0));
	assert_int_equal(scan_ruleset_disable(rs, "nothing"), -ENOENT);
	scan_ruleset_free(rs);
}

static void test_builtin(void **state)
{
	struct scan_ruleset *rs;
	size_t i, pii = 0, secret = 0;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(scan_rules_builtin(rs), 0);
	for (i = 0; i < scan_ruleset_count(rs); i++) {
		pii += scan_ruleset_rule(rs, i)->category == SCAN_CAT_PII;
		secret += scan_ruleset_rule(rs, i)->category == SCAN_CAT_SECRET;
	}
	assert_true(pii >= 20);
	/* the secret tables are built in too */
	assert_true(secret >= 200);
	/* registering twice collides on ids */
	assert_int_equal(rules_pii_register(rs), -EEXIST);
	assert_int_equal(rules_secret_register(rs), -EEXIST);
	scan_ruleset_free(rs);
}

static void test_entropy(void **state)
{
	(void)state;
	assert_true(scan_entropy("", 0) == 0);
	assert_true(scan_entropy("aaaa", 4) == 0);
	assert_true(scan_entropy("abab", 4) > 0.999 && scan_entropy("abab", 4) < 1.001);
	assert_true(scan_entropy("abcdefgh", 8) > 2.999 && scan_entropy("abcdefgh", 8) < 3.001);
	assert_true(scan_entropy("0123456789abcdef", 16) > 3.999);
}

static void extract_is(const char *text, const char *want)
{
	struct scan_span sp = { .off = 0, .len = strlen(text) };

	if (!want) {
		assert_true(scan_extract_assigned(text, strlen(text), &sp) < 0);
		return;
	}
	assert_int_equal(scan_extract_assigned(text, strlen(text), &sp), 0);
	assert_int_equal(sp.len, strlen(want));
	assert_memory_equal(text + sp.off, want, sp.len);
}

static void test_extract_assigned(void **state)
{
	(void)state;
	extract_is("api_key = \"s3cr3t==\"", "s3cr3t==");
	extract_is("token: abc:def", "abc:def");
	extract_is("PASSWORD := 'hunter2';", "hunter2");
	extract_is("x => `v`", "v");
	extract_is("setProperty(\"K\", \"v1\")", "v1");
	extract_is("no separator here", NULL);
	extract_is("key = \"\"", NULL);
}

static void test_edm_hash(void **state)
{
	/* SHA-256("abc"), FIPS 180-2 appendix B.1 */
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
		0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
		0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t h[32], h2[32];

	(void)state;
	assert_int_equal(scan_edm_hash(NULL, 0, "abc", 3, h), 0);
	assert_memory_equal(h, abc, 32);
	/* salt || value: the salt is a prefix, not a key */
	assert_int_equal(scan_edm_hash((const uint8_t *)"ab", 2, "c", 1, h2), 0);
	assert_memory_equal(h2, abc, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_lookup),
		cmocka_unit_test(test_invalid_rules),
		cmocka_unit_test(test_copy_owns_everything),
		cmocka_unit_test(test_custom_kinds),
		cmocka_unit_test(test_disable),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_extract_assigned),
		cmocka_unit_test(test_edm_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
