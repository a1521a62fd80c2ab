// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * email_content.c: header blocks, forwarded/quoted markers, MIME, labelled
 * exports, salutation + sign-off bodies; the finding spans the e-mail and
 * not the question around it; prose, news and chat stay quiet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "email_content.h"

static struct scan_result res;

static int teardown(void **state)
{
	(void)state;
	scan_result_free(&res);
	return 0;
}

static const struct scan_finding *scan(const char *text)
{
	scan_result_reset(&res);
	assert_true(email_content_scan(text, strlen(text), &res) >= 0);
	return res.n ? &res.v[0] : NULL;
}

static void expect(const char *text, const char *detail, enum scan_confidence min)
{
	const struct scan_finding *f = scan(text);

	if (!f)
		fail_msg("no e-mail found (score %.2f) in: %.100s", email_content_score(text, strlen(text)),
			 text);
	assert_int_equal(res.n, 1);
	assert_string_equal(f->type, EMAIL_TYPE);
	assert_int_equal(f->category, SCAN_CAT_EMAIL_CONTENT);
	assert_string_equal(f->detail, detail);
	assert_true(f->confidence >= min);
}

static void test_header_block(void **state)
{
	const char *text =
		"Can you summarise this thread for me?\n\n"
		"From: Priya Raman <priya.raman@example.org>\n"
		"To: Ops Team <ops@example.org>\n"
		"Date: Tue, 4 Mar 2025 09:12:44 +0000\n"
		"Subject: Re: failover drill\n"
		"Message-ID: <a1b2c3@mail.example.org>\n"
		"\n"
		"Hi all,\n"
		"The drill is moved to Thursday. Please confirm your slot.\n"
		"\n"
		"Thanks,\nPriya\n";
	const struct scan_finding *f;

	(void)state;
	expect(text, "rfc5322-headers", SCAN_CONF_HIGH);
	f = &res.v[0];
	/* the block starts at From:, not at the question */
	assert_int_equal(f->start, strstr(text, "From:") - text);
	assert_true(f->end > (size_t)(strstr(text, "Subject:") - text));
}

static void test_forwarded_and_quoted(void **state)
{
	(void)state;
	expect("fyi\n\n---------- Forwarded message ---------\nFrom: Sam <sam@example.net>\n"
	       "Date: Mon, Feb 3, 2025 at 4:01 PM\nSubject: invoice\nTo: <me@example.net>\n\nSee attached.",
	       "rfc5322-headers", SCAN_CONF_HIGH);
	expect("Please draft a reply.\n\n-----Original Message-----\nthe budget numbers look off",
	       "forwarded-message", SCAN_CONF_MEDIUM);
	expect("Sounds good to me.\n\nOn Tue, Mar 4, 2025 at 9:12 AM, Priya Raman wrote:\n> can we move it?",
	       "forwarded-message", SCAN_CONF_MEDIUM);
	expect("Begin forwarded message:\n\nthe vendor called again about the renewal",
	       "forwarded-message", SCAN_CONF_MEDIUM);
}

static void test_mime(void **state)
{
	(void)state;
	expect("MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\n"
	       "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nhello\n--b1--",
	       "mime", SCAN_CONF_HIGH);
	expect("part of the dump:\nContent-Transfer-Encoding: base64\n\nSGVsbG8=", "mime", SCAN_CONF_MEDIUM);
}

static void test_labelled_export(void **state)
{
	(void)state;
	expect("SUBJECT: Quarterly report|EMAIL_FROM: Lee Wong lee@corp.example|CONTENT: Hi, numbers attached.",
	       "email-fields", SCAN_CONF_HIGH);
}

static void test_body_cues(void **state)
{
	(void)state;
	expect("Hi Marta,\n\nYour order #4411 has shipped and should arrive Friday.\n"
	       "If you have any questions, just reply to this email.\n\nBest regards,\nThe Shop Team",
	       "email-body", SCAN_CONF_MEDIUM);
	expect("Dear Mr. Okafor,\n\nwe received your application and will be in touch.\n\n"
	       "Kind regards,\nHelen Park", "email-body", SCAN_CONF_LOW);
}

static void test_quiet(void **state)
{
	static const char *const quiet[] = {
		"Hi team, quick question: what is the capital of Australia?",
		"Hi ChatGPT, can you help me write a cover letter for a nursing job?\nThanks,",
		"Hello, please fix the grammar below. Thanks, you are great",
		"Write a haiku about autumn leaves.",
		"The central bank raised rates by 25 basis points on Tuesday, citing inflation.",
		"Thanks, that worked!",
		"Subject to approval, the plan starts in May.",
		"To: do list\n- milk\n- eggs",
		"From the data, we can see two clusters.",
		"",
		NULL
	};
	const char *const *q;

	(void)state;
	for (q = quiet; *q; q++)
		if (scan(*q))
			fail_msg("e-mail reported (%s, %.2f) in: %s", res.v[0].detail, res.v[0].score, *q);
}

/*
 * The block walk reads 64 bytes at a time (AVX-512BW: one register; AVX2:
 * two; else 16-byte pieces) and the last block of a text as the window
 * that ends with it.  A mail whose cues sit at every offset from a block
 * edge, and whose last cue ends the text, in texts of 40 to 200 bytes
 * (below TED_SPAN the portable walk runs), is found the same each time.
 */
static void test_block_edges(void **state)
{
	static const char mail[] = "Hi Marta,\nthe parcel shipped. Please reply to this email";
	static const char more[] = " soon, we hold it at the depot until the end of the month.";
	char text[256], *e;
	size_t k, n;
	int tail;

	(void)state;
	for (k = 0; k < 130; k++) {
		for (tail = 0; tail < 2; tail++) {
			memset(text, 'a', k);
			for (n = 7; n < k; n += 8)
				text[n] = ' ';
			if (k)
				text[k - 1] = '\n';
			memcpy(text + k, mail, sizeof(mail));
			if (tail)
				strcat(text, more);
			n = strlen(text);
			if (!scan(text))
				fail_msg("no e-mail at offset %zu (score %.2f)", k, email_content_score(text, n));
			assert_int_equal(res.n, 1);
			assert_string_equal(res.v[0].detail, "email-body");
			assert_int_equal(res.v[0].start, k);
			assert_int_equal(res.v[0].end, n);
			/* without the phrase, the salutation alone is not mail */
			e = strstr(text, "email");
			*e = 'x';
			assert_null(scan(text));
		}
	}
}

static void test_args(void **state)
{
	(void)state;
	assert_true(email_content_scan(NULL, 4, &res) < 0);
	assert_true(email_content_score("From: a\nTo: b\nSubject: c\n", 25) >= 0.85);
	/* NULL out: score only */
	assert_int_equal(email_content_scan("From: a\nTo: b\nSubject: c\n", 25, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_block),
		cmocka_unit_test(test_forwarded_and_quoted),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_labelled_export),
		cmocka_unit_test(test_body_cues),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
