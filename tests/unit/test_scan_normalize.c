// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* normalize.c: folding, stripping, signals and the map back to original bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "normalize.h"

#define NBH  "\xe2\x80\x91"          /* U+2011 non-breaking hyphen */
#define ZWSP "\xe2\x80\x8b"          /* U+200B */
#define NBSP "\xc2\xa0"              /* U+00A0 */
#define SHY  "\xc2\xad"              /* U+00AD */
#define RLO  "\xe2\x80\xae"          /* U+202E */
#define FW4  "\xef\xbc\x94"          /* U+FF14 fullwidth 4 */
#define FW1  "\xef\xbc\x91"
#define FWAT "\xef\xbc\xa0"          /* U+FF20 fullwidth @ */
#define IDSP "\xe3\x80\x80"          /* U+3000 */
#define MINUS "\xe2\x88\x92"         /* U+2212 */
#define TAG_H "\xf3\xa0\x81\xa8"     /* U+E0068 tag 'h' */
#define TAG_I "\xf3\xa0\x81\xa9"     /* U+E0069 tag 'i' */

static void run(struct scan_norm *n, const char *s)
{
	assert_int_equal(scan_norm_run(n, s, strlen(s)), 0);
}

static void view_is(const struct scan_norm *n, const char *want)
{
	assert_int_equal(n->len, strlen(want));
	assert_memory_equal(n->view, want, n->len);
}

static void test_ascii_is_not_copied(void **state)
{
	struct scan_norm n = { 0 };
	const char *s = "plain ascii text, 4111-1111-1111-1111 and more padding to pass 32 bytes";

	(void)state;
	run(&n, s);
	assert_ptr_equal(n.view, s);
	assert_int_equal(n.signals, 0);
	assert_int_equal(scan_norm_start(&n, 7), 7);
	assert_int_equal(scan_norm_end(&n, 11), 11);
	scan_norm_free(&n);
}

static void test_dashes_and_spaces(void **state)
{
	struct scan_norm n = { 0 };
	const char *s = "card 4111" NBH "1111" NBH "1111" MINUS "1111" NBSP "ok" IDSP "x";

	(void)state;
	run(&n, s);
	view_is(&n, "card 4111-1111-1111-1111 ok x");
	assert_true(n.signals & SCAN_SIG_CONFUSABLE);
	assert_false(n.signals & SCAN_SIG_INVISIBLE);
	/* the card spans the original bytes, hyphens included */
	assert_int_equal(scan_norm_start(&n, 5), 5);
	assert_int_equal(scan_norm_end(&n, 24), 5 + 16 + 3 * 3);
	/* a span ending on a folded byte ends after its original sequence */
	assert_int_equal(scan_norm_end(&n, 10), 5 + 4 + 3);
	/* and one starting on it starts at its first original byte */
	assert_int_equal(scan_norm_start(&n, 9), 9);
	assert_int_equal(scan_norm_start(&n, 10), 12);
	scan_norm_free(&n);
}

static void test_fullwidth(void **state)
{
	struct scan_norm n = { 0 };
	const char *s = "id " FW4 FW1 " mail a" FWAT "b.co";

	(void)state;
	run(&n, s);
	view_is(&n, "id 41 mail a@b.co");
	assert_true(n.signals & SCAN_SIG_FULLWIDTH);
	assert_int_equal(scan_norm_start(&n, 3), 3);
	assert_int_equal(scan_norm_end(&n, 5), 9);
	assert_int_equal(scan_norm_start(&n, 11), 15);
	assert_int_equal(scan_norm_end(&n, 17), strlen(s));
	scan_norm_free(&n);
}

static void test_invisible_dropped(void **state)
{
	struct scan_norm n = { 0 };
	const char *s = "ab" ZWSP ZWSP "cd" SHY "e" RLO;

	(void)state;
	run(&n, s);
	view_is(&n, "abcde");
	assert_true(n.signals & SCAN_SIG_ZERO_WIDTH);
	assert_true(n.signals & SCAN_SIG_SOFT_HYPHEN);
	assert_true(n.signals & SCAN_SIG_BIDI);
	/* a span starting after dropped characters starts after them ... */
	assert_int_equal(scan_norm_start(&n, 2), 8);
	/* ... and one ending before them does not swallow them */
	assert_int_equal(scan_norm_end(&n, 2), 2);
	assert_int_equal(scan_norm_end(&n, 5), 13);
	assert_int_equal(n.n_edit, 3);    /* two adjacent ZWSPs are one edit */
	scan_norm_free(&n);
}

static void test_tag_characters(void **state)
{
	struct scan_norm n = { 0 };
	const char *s = "hello " TAG_H TAG_I " world";

	(void)state;
	run(&n, s);
	view_is(&n, "hello  world");
	assert_true(n.signals & SCAN_SIG_TAG_CHARS);
	assert_string_equal(n.tag_ascii, "hi");
	scan_norm_free(&n);
}

static void test_invalid_utf8_passes(void **state)
{
	struct scan_norm n = { 0 };
	const char s[] = "a\xff" "b\xc0\xaf" "c\xe2\x80" "d\xed\xa0\x80" "\xc3\xa9";

	(void)state;
	assert_int_equal(scan_norm_run(&n, s, sizeof(s) - 1), 0);
	assert_int_equal(n.len, sizeof(s) - 1);
	assert_memory_equal(n.view, s, n.len);
	assert_true(n.signals & SCAN_SIG_INVALID_UTF8);
	assert_true(n.signals & SCAN_SIG_NON_ASCII);
	assert_int_equal(n.n_edit, 0);
	scan_norm_free(&n);
}

static void test_reuse_and_empty(void **state)
{
	struct scan_norm n = { 0 };

	(void)state;
	run(&n, "x" ZWSP "y");
	view_is(&n, "xy");
	run(&n, "");
	assert_int_equal(n.len, 0);
	assert_int_equal(n.signals, 0);
	assert_int_equal(scan_norm_end(&n, 0), 0);
	run(&n, ZWSP "z");
	view_is(&n, "z");
	assert_int_equal(scan_norm_start(&n, 0), 3);
	assert_int_equal(scan_norm_end(&n, 1), 4);
	scan_norm_free(&n);
	scan_norm_free(&n);    /* idempotent */
}

/* Random mixes: maps are monotonic, in range, and a mapped span holds the same ASCII. */
static void test_map_properties(void **state)
{
	static const char *const pieces[] = {
		"a", "7", " ", "-", ZWSP, NBH, NBSP, FW4, SHY, TAG_H, "\xc3\xa9", "\xff", RLO, IDSP,
	};
	struct scan_norm n = { 0 };
	char buf[512];
	unsigned int seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 500; round++) {
		size_t len = 0, i, prev_s = 0, prev_e = 0;

		while (len < sizeof(buf) - 8) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
			if ((seed >> 8) % 97 == 0)
				break;
		}
		assert_int_equal(scan_norm_run(&n, buf, len), 0);
		assert_true(n.len <= len);
		for (i = 0; i < n.len; i++) {
			size_t s = scan_norm_start(&n, i), e = scan_norm_end(&n, i + 1);

			assert_true(s < e && e <= len);
			assert_true(s >= prev_s && e >= prev_e);
			if (n.view[i] == 'a' || n.view[i] == '7' || (unsigned char)n.view[i] >= 0x80)
				assert_int_equal(buf[s], n.view[i]);
			prev_s = s;
			prev_e = e;
		}
	}
	scan_norm_free(&n);
}

static void test_ascii_prefix(void **state)
{
	char b[100];

	(void)state;
	memset(b, 'a', sizeof(b));
	assert_int_equal(scan_ascii_prefix(b, sizeof(b)), sizeof(b));
	b[70] = (char)0xc3;
	assert_int_equal(scan_ascii_prefix(b, sizeof(b)), 70);
	b[3] = (char)0x80;
	assert_int_equal(scan_ascii_prefix(b, sizeof(b)), 3);
	assert_int_equal(scan_ascii_prefix(b, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_is_not_copied),
		cmocka_unit_test(test_dashes_and_spaces),
		cmocka_unit_test(test_fullwidth),
		cmocka_unit_test(test_invisible_dropped),
		cmocka_unit_test(test_tag_characters),
		cmocka_unit_test(test_invalid_utf8_passes),
		cmocka_unit_test(test_reuse_and_empty),
		cmocka_unit_test(test_map_properties),
		cmocka_unit_test(test_ascii_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
