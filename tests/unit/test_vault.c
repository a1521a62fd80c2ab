// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* vault.c: placeholders (format, stability, unlinkability), limits, restoration. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vault.h"

static const char key_a[] = "0123456789abcdef0123456789abcdef";
static const char key_b[] = "another-tenant-key-32-bytes-long";

#define KEY_A key_a, sizeof(key_a) - 1
#define KEY_B key_b, sizeof(key_b) - 1

static int ph(const char *key, size_t key_len, const char *type, const char *value,
	      char out[VAULT_PLACEHOLDER_MAX + 1])
{
	return vault_placeholder(key, key_len, type, value, strlen(value), out);
}

/* Known answer: HMAC-SHA-256(key, "EMAIL\0alice@example.com"), first 40 bits, upper hex. */
static void test_placeholder_known_answer(void **state)
{
	char p[VAULT_PLACEHOLDER_MAX + 1];

	(void)state;
	assert_int_equal(ph(KEY_A, "EMAIL", "alice@example.com", p), 20);
	assert_string_equal(p, "[[EMAIL_2B80321CC0]]");
	assert_int_equal(ph(KEY_B, "EMAIL", "alice@example.com", p), 20);
	assert_string_equal(p, "[[EMAIL_A027EF6C36]]");
}

static void test_placeholder_stable_and_distinct(void **state)
{
	char p1[VAULT_PLACEHOLDER_MAX + 1], p2[VAULT_PLACEHOLDER_MAX + 1];

	(void)state;
	ph(KEY_A, "EMAIL", "bob@example.com", p1);
	ph(KEY_A, "EMAIL", "bob@example.com", p2);
	assert_string_equal(p1, p2);
	ph(KEY_A, "EMAIL", "bob@example.org", p2);
	assert_string_not_equal(p1, p2);
	/* the type is part of the MAC input, not only of the label */
	ph(KEY_A, "PERSON", "bob@example.com", p2);
	assert_string_not_equal(p1 + 8, p2 + 9);
	/* another tenant: another tag for the same value */
	ph(KEY_B, "EMAIL", "bob@example.com", p2);
	assert_string_not_equal(p1, p2);
	assert_memory_equal(p1, p2, 8);
}

/* type || 0x00 || value: ("AB", "C") and ("A", "BC") must not collide */
static void test_placeholder_domain_separation(void **state)
{
	char p1[VAULT_PLACEHOLDER_MAX + 1], p2[VAULT_PLACEHOLDER_MAX + 1];

	(void)state;
	ph(KEY_A, "AB", "C", p1);
	ph(KEY_A, "A", "BC", p2);
	assert_string_not_equal(p1 + 5, p2 + 4);
}

static void test_placeholder_type_label(void **state)
{
	char p[VAULT_PLACEHOLDER_MAX + 1];
	int n;

	(void)state;
	ph(KEY_A, "credit card", "4111", p);
	assert_memory_equal(p, "[[CREDIT_CARD_", 14);
	ph(KEY_A, "", "x", p);
	assert_memory_equal(p, "[[VALUE_", 8);
	n = ph(KEY_A, "A_VERY_LONG_CUSTOM_RULE_TYPE_NAME", "x", p);
	assert_int_equal(n, VAULT_PLACEHOLDER_MAX);
	assert_int_equal(strlen(p), vault_max_placeholder_len());
	assert_memory_equal(p, "[[A_VERY_LONG_CUSTOM_RULE__", 27);
	/* JSON-safe, markup-safe characters only */
	assert_null(strpbrk(p, "\"\\<>&'` \t\n"));
}

static void test_placeholder_bad_key(void **state)
{
	char p[VAULT_PLACEHOLDER_MAX + 1];
	char big[VAULT_KEY_MAX + 1] = { 0 };

	(void)state;
	assert_int_equal(vault_placeholder("short", 5, "EMAIL", "x", 1, p), -EINVAL);
	assert_int_equal(vault_placeholder(big, sizeof(big), "EMAIL", "x", 1, p), -EINVAL);
}

static void test_tokenize_matches_placeholder(void **state)
{
	char p1[VAULT_PLACEHOLDER_MAX + 1], p2[VAULT_PLACEHOLDER_MAX + 1];
	struct vault *v = vault_new(NULL);
	const char *val;
	size_t len;

	(void)state;
	assert_int_equal(vault_tokenize(v, KEY_A, "EMAIL", "alice@example.com", 17, p1), 20);
	ph(KEY_A, "EMAIL", "alice@example.com", p2);
	assert_string_equal(p1, p2);
	/* switching keys on the same vault re-keys the cached MAC */
	assert_true(vault_tokenize(v, KEY_B, "EMAIL", "alice@example.com", 17, p1) > 0);
	assert_string_equal(p1, "[[EMAIL_A027EF6C36]]");
	assert_true(vault_tokenize(v, KEY_A, "EMAIL", "alice@example.com", 17, p1) > 0);
	assert_string_equal(p1, p2);
	assert_int_equal(vault_count(v), 2);
	val = vault_lookup(v, p2, strlen(p2), &len);
	assert_non_null(val);
	assert_int_equal(len, 17);
	assert_memory_equal(val, "alice@example.com", 17);
	assert_int_equal(vault_tokenize(v, "short", 5, "EMAIL", "x", 1, p1), -EINVAL);
	v = vault_free(v);
	assert_null(v);
	assert_null(vault_free(NULL));
}

/* A prepared tenant MAC gives the same placeholders; another key falls back. */
static void test_tokenize_with_prepared_mac(void **state)
{
	char p1[VAULT_PLACEHOLDER_MAX + 1], p2[VAULT_PLACEHOLDER_MAX + 1];
	struct vault_mac *m = NULL;
	struct vault *v = vault_new(NULL), *w = vault_new(NULL);

	(void)state;
	assert_int_equal(vault_mac_new("short", 5, &m), -EINVAL);
	assert_null(m);
	assert_int_equal(vault_mac_new(KEY_A, &m), 0);
	vault_use_mac(v, m);
	vault_use_mac(w, m);
	assert_int_equal(vault_tokenize(v, KEY_A, "EMAIL", "alice@example.com", 17, p1), 20);
	ph(KEY_A, "EMAIL", "alice@example.com", p2);
	assert_string_equal(p1, p2);
	/* the template is copied, not shared: two vaults interleave */
	assert_true(vault_tokenize(w, KEY_A, "PHONE", "+1 212 555 0100", 15, p1) > 0);
	ph(KEY_A, "PHONE", "+1 212 555 0100", p2);
	assert_string_equal(p1, p2);
	assert_true(vault_tokenize(v, KEY_B, "EMAIL", "alice@example.com", 17, p1) > 0);
	assert_string_equal(p1, "[[EMAIL_A027EF6C36]]");
	assert_true(vault_tokenize(v, KEY_A, "EMAIL", "bob@example.com", 15, p1) > 0);
	ph(KEY_A, "EMAIL", "bob@example.com", p2);
	assert_string_equal(p1, p2);
	vault_free(v);
	vault_free(w);
	assert_null(vault_mac_free(m));
	assert_null(vault_mac_free(NULL));
}

static void test_put_lookup(void **state)
{
	struct vault *v = vault_new(NULL);
	size_t len = 0;

	(void)state;
	assert_int_equal(vault_put(v, "[[EMAIL_0123456789]]", 20, "a@b.c", 5), 0);
	assert_int_equal(vault_put(v, "[[EMAIL_0123456789]]", 20, "a@b.c", 5), 0);
	assert_int_equal(vault_put(v, "[[EMAIL_0123456789]]", 20, "x@b.c", 5), -EEXIST);
	assert_int_equal(vault_count(v), 1);
	assert_memory_equal(vault_lookup(v, "[[EMAIL_0123456789]]", 20, &len), "a@b.c", 5);
	assert_null(vault_lookup(v, "[[EMAIL_0123456788]]", 20, &len));
	assert_null(vault_lookup(NULL, "[[EMAIL_0123456789]]", 20, &len));
	/* not placeholders */
	assert_int_equal(vault_put(v, "[[email_0123456789]]", 20, "x", 1), -EINVAL);
	assert_int_equal(vault_put(v, "[[EMAIL_012345678]]", 19, "x", 1), -EINVAL);
	assert_int_equal(vault_put(v, "[[EMAIL_012345678G]]", 20, "x", 1), -EINVAL);
	assert_int_equal(vault_put(v, "[EMAIL_0123456789]", 18, "x", 1), -EINVAL);
	assert_int_equal(vault_put(v, "[[_0123456789]]", 15, "x", 1), -EINVAL);
	assert_int_equal(vault_longest(v), 20);
	vault_free(v);
}

static void test_limits(void **state)
{
	struct vault_limits lim = { .max_entries = 3, .max_bytes = 1000 };
	char p[VAULT_PLACEHOLDER_MAX + 1];
	struct vault *v = vault_new(&lim);
	char val[16];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(val, sizeof(val), "v%d", i);
		assert_true(vault_tokenize(v, KEY_A, "X", val, strlen(val), p) > 0);
	}
	assert_int_equal(vault_tokenize(v, KEY_A, "X", "v9", 2, p), -E2BIG);
	/* a value already present still resolves */
	assert_true(vault_tokenize(v, KEY_A, "X", "v1", 2, p) > 0);
	vault_free(v);

	lim = (struct vault_limits){ .max_entries = 100, .max_bytes = 50 };
	v = vault_new(&lim);
	/* 16 + 20 bytes fit, a second entry of 16 + 20 does not */
	assert_true(vault_tokenize(v, KEY_A, "X", "0123456789abcdefghij", 20, p) > 0);
	assert_int_equal(vault_tokenize(v, KEY_A, "X", "0123456789abcdefghik", 20, p), -E2BIG);
	assert_int_equal(vault_count(v), 1);
	vault_free(v);
}

static void test_many_entries(void **state)
{
	char p[VAULT_PLACEHOLDER_MAX + 1], val[32];
	struct vault *v = vault_new(NULL);
	char (*phs)[VAULT_PLACEHOLDER_MAX + 1] = calloc(3000, sizeof(*phs));
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(val, sizeof(val), "user%d@example.com", i);
		assert_true(vault_tokenize(v, KEY_A, "EMAIL", val, strlen(val), phs[i]) > 0);
	}
	assert_int_equal(vault_count(v), 3000);
	for (i = 0; i < 3000; i++) {
		const char *got = vault_lookup(v, phs[i], strlen(phs[i]), &len);

		snprintf(val, sizeof(val), "user%d@example.com", i);
		assert_non_null(got);
		assert_int_equal(len, strlen(val));
		assert_memory_equal(got, val, len);
	}
	(void)p;
	free(phs);
	vault_free(v);
}

static char *restore(const struct vault *v, const char *text, unsigned flags, int expect_n)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(vault_restore(v, text, strlen(text), flags, &out, &len), expect_n);
	assert_int_equal(strlen(out), len);
	return out;
}

static void test_restore(void **state)
{
	struct vault *v = vault_new(NULL);
	char a[VAULT_PLACEHOLDER_MAX + 1], c[VAULT_PLACEHOLDER_MAX + 1], t[512];
	char *out;

	(void)state;
	vault_tokenize(v, KEY_A, "EMAIL", "alice@example.com", 17, a);
	vault_tokenize(v, KEY_A, "CREDIT_CARD", "4111 1111 1111 1111", 19, c);

	snprintf(t, sizeof(t), "Mail %s, card %s.", a, c);
	out = restore(v, t, 0, 2);
	assert_string_equal(out, "Mail alice@example.com, card 4111 1111 1111 1111.");
	free(out);

	/* adjacent, at both ends, repeated, after a stray bracket */
	snprintf(t, sizeof(t), "%s%s[%s", a, a, c);
	out = restore(v, t, 0, 3);
	assert_string_equal(out, "alice@example.comalice@example.com[4111 1111 1111 1111");
	free(out);

	/* unknown, malformed and truncated placeholders are left alone */
	out = restore(v, "[[EMAIL_0000000000]] [[EMAIL_2B80321CC]] [[EMAIL_2B80321CC0] [[", 0, 0);
	assert_string_equal(out, "[[EMAIL_0000000000]] [[EMAIL_2B80321CC]] [[EMAIL_2B80321CC0] [[");
	free(out);

	out = restore(v, "", 0, 0);
	assert_string_equal(out, "");
	free(out);
	out = restore(NULL, "no vault [[EMAIL_2B80321CC0]]", 0, 0);
	assert_string_equal(out, "no vault [[EMAIL_2B80321CC0]]");
	free(out);
	vault_free(v);
}

/* A restored value is not itself restored again, and JSON escaping is exact. */
static void test_restore_value_with_specials(void **state)
{
	struct vault *v = vault_new(NULL);
	char p[VAULT_PLACEHOLDER_MAX + 1], q[VAULT_PLACEHOLDER_MAX + 1], t[256];
	const char tricky[] = "O\"Brien\\\n\t\x01";
	char *out;

	(void)state;
	vault_tokenize(v, KEY_A, "PERSON", tricky, sizeof(tricky) - 1, p);
	vault_tokenize(v, KEY_A, "NOTE", p, strlen(p), q);  /* a value that is a placeholder */
	snprintf(t, sizeof(t), "{\"name\":\"%s\"}", p);
	out = restore(v, t, VAULT_RESTORE_JSON, 1);
	assert_string_equal(out, "{\"name\":\"O\\\"Brien\\\\\\n\\t\\u0001\"}");
	free(out);
	out = restore(v, t, 0, 1);
	assert_string_equal(out, "{\"name\":\"O\"Brien\\\n\t\x01\"}");
	free(out);
	out = restore(v, q, 0, 1);
	assert_string_equal(out, p);
	free(out);
	vault_free(v);
}

static void test_restore_append(void **state)
{
	struct vault *v = vault_new(NULL);
	struct vault_buf b = { 0 };
	char p[VAULT_PLACEHOLDER_MAX + 1];

	(void)state;
	vault_tokenize(v, KEY_A, "EMAIL", "alice@example.com", 17, p);
	assert_int_equal(vault_buf_add(&b, "x=", 2), 0);
	assert_int_equal(vault_restore_append(v, p, strlen(p), 0, &b), 1);
	assert_string_equal(b.p, "x=alice@example.com");
	vault_buf_fini(&b);
	assert_null(b.p);
	vault_free(v);
}

/* Keys of every valid length, template or not: the MAC is HMAC-SHA-256 (the one-shot agrees). */
static void test_tokenize_key_lengths(void **state)
{
	static const char k[VAULT_KEY_MAX + 1] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char p1[VAULT_PLACEHOLDER_MAX + 1], p2[VAULT_PLACEHOLDER_MAX + 1];
	struct vault_mac *m = NULL;
	size_t n;

	(void)state;
	for (n = VAULT_KEY_MIN; n <= VAULT_KEY_MAX; n++) {
		struct vault *v = vault_new(NULL), *w = vault_new(NULL);

		assert_int_equal(vault_mac_new(k, n, &m), 0);
		vault_use_mac(w, m);
		assert_true(ph(k, n, "EMAIL", "alice@example.com", p1) > 0);
		assert_true(vault_tokenize(v, k, n, "EMAIL", "alice@example.com", 17, p2) > 0);
		assert_string_equal(p1, p2);
		assert_true(vault_tokenize(w, k, n, "EMAIL", "alice@example.com", 17, p2) > 0);
		assert_string_equal(p1, p2);
		assert_true(ph(k, n, NULL, "", p1) > 0);
		assert_true(vault_tokenize(w, k, n, NULL, "", 0, p2) > 0);
		assert_string_equal(p1, p2);
		m = vault_mac_free(m);
		vault_free(v);
		vault_free(w);
	}
}

/* Carvings are aligned, the last one grows in place, others move with their bytes. */
static void test_arena(void **state)
{
	struct vault_arena a = { .first_bytes = 256 };
	char *p, *q, *r;
	size_t i;

	(void)state;
	p = vault_arena_alloc(&a, 10);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	memcpy(p, "0123456789", 10);
	q = vault_arena_realloc(&a, p, 10, 40);
	assert_ptr_equal(q, p);                 /* the last carving: in place */
	r = vault_arena_alloc(&a, 8);
	assert_int_equal((uintptr_t)r % 16, 0);
	assert_true(r >= q + 40);
	p = vault_arena_realloc(&a, q, 40, 100);
	assert_ptr_not_equal(p, q);             /* not the last: moved */
	assert_memory_equal(p, "0123456789", 10);
	/* beyond the first block: more blocks, the bytes still follow */
	for (i = 0; i < 8; i++) {
		q = vault_arena_realloc(&a, p, 100 << i, 200 << i);
		assert_non_null(q);
		assert_memory_equal(q, "0123456789", 10);
		p = q;
	}
	assert_null(vault_arena_realloc(&a, p, 10, SIZE_MAX / 2));
	vault_arena_fini(&a);
	assert_null(a.blk);
	assert_int_equal(a.first_bytes, 256);
	vault_arena_fini(&a);
}

/* The JSON escaper against a byte-at-a-time one: every byte value at every place in 16-byte steps. */
static void ref_escape(const unsigned char *s, size_t n, char *out, size_t *ret_len)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			o += (size_t)sprintf(out + o, "\\%c", c);
		else if (c == '\n')
			o += (size_t)sprintf(out + o, "\\n");
		else if (c == '\r')
			o += (size_t)sprintf(out + o, "\\r");
		else if (c == '\t')
			o += (size_t)sprintf(out + o, "\\t");
		else if (c == '\b')
			o += (size_t)sprintf(out + o, "\\b");
		else if (c == '\f')
			o += (size_t)sprintf(out + o, "\\f");
		else if (c < 0x20)
			o += (size_t)sprintf(out + o, "\\u%04X", c);
		else
			out[o++] = (char)c;
	}
	*ret_len = o;
}

static void test_buf_add_json(void **state)
{
	unsigned char s[40];
	char want[40 * 6 + 1];
	size_t c, at, n, len;

	(void)state;
	for (c = 0; c < 256; c++) {
		for (at = 0; at < sizeof(s); at++) {
			struct vault_buf b = { 0 };

			for (n = 0; n < sizeof(s); n++)
				s[n] = (unsigned char)('a' + n % 26);
			s[at] = (unsigned char)c;
			for (n = at; n <= sizeof(s); n += 7) {
				b.len = 0;
				assert_int_equal(vault_buf_add_json(&b, (const char *)s, n), 0);
				ref_escape(s, n, want, &len);
				assert_int_equal(b.len, len);
				assert_memory_equal(b.p, want, len);
			}
			vault_buf_fini(&b);
		}
	}
}

/* A buffer in an arena behaves as one on the heap; fini leaves the memory to the arena. */
static void test_buf_in_arena(void **state)
{
	struct vault_arena a = { 0 };
	struct vault_buf b = { .arena = &a }, c = { .arena = &a };
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(vault_buf_add(&b, "abc", 3), 0);
		assert_int_equal(vault_buf_add_json(&c, "\"", 1), 0);
	}
	assert_int_equal(b.len, 3000);
	assert_int_equal(c.len, 2000);
	assert_int_equal(strlen(b.p), 3000);
	for (i = 0; i < 1000; i++) {
		assert_memory_equal(b.p + 3 * i, "abc", 3);
		assert_memory_equal(c.p + 2 * i, "\\\"", 2);
	}
	vault_buf_fini(&b);
	assert_null(b.p);
	assert_null(b.arena);
	vault_buf_fini(&c);
	vault_arena_fini(&a);
}

static void test_partial_start(void **state)
{
	const size_t max = 20;
	struct {
		const char *text;
		size_t expect;
	} cases[] = {
		{ "hello", 5 },
		{ "hello [", 6 },
		{ "hello [[", 6 },
		{ "hello [[EMA", 6 },
		{ "hello [[EMAIL_2B80", 6 },
		{ "hello [[EMAIL_2B80321CC0", 6 },
		{ "hello [[EMAIL_2B80321CC0]", 6 },
		{ "hello [[EMAIL_2B80321CC0]]", 26 },     /* complete: nothing to hold */
		{ "hello [[EMAIL_2B]", 17 },              /* "]" too early: cannot be one */
		{ "hello [[email", 13 },                  /* lower case: cannot be one */
		{ "hello [x", 8 },
		{ "[[[EM", 1 },
		{ "a [ b [[C", 6 },
		/* longer than the longest placeholder: cannot still be one */
		{ "[[ABCDEFGHIJKLMNOPQRSTUVWXYZ", 28 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = vault_partial_start(cases[i].text, strlen(cases[i].text), max);

		if (got != cases[i].expect)
			fail_msg("\"%s\": %zu, expected %zu", cases[i].text, got, cases[i].expect);
	}
	assert_int_equal(vault_partial_start("ab [[X", 6, 0), 6);
	/* the window is max - 1 bytes */
	assert_int_equal(vault_partial_start("[[EMAIL_2B80321CC0]", 19, 20), 0);
	assert_int_equal(vault_partial_start("[[EMAIL_2B80321CC0]", 19, 19), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholder_known_answer),
		cmocka_unit_test(test_placeholder_stable_and_distinct),
		cmocka_unit_test(test_placeholder_domain_separation),
		cmocka_unit_test(test_placeholder_type_label),
		cmocka_unit_test(test_placeholder_bad_key),
		cmocka_unit_test(test_tokenize_matches_placeholder),
		cmocka_unit_test(test_tokenize_with_prepared_mac),
		cmocka_unit_test(test_put_lookup),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_restore_value_with_specials),
		cmocka_unit_test(test_restore_append),
		cmocka_unit_test(test_tokenize_key_lengths),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_buf_in_arena),
		cmocka_unit_test(test_buf_add_json),
		cmocka_unit_test(test_partial_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
