/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Table-driven policy error cases, shared by test_policy.c and
 * test_content_policy.c: each document marks with '@' where the error must
 * point, and the case names the key path and a substring of the reason.
 * Include after <cmocka.h> and "policy.h".
 */
#ifndef AIRLOCK_TEST_POLICY_ERRORS_H
#define AIRLOCK_TEST_POLICY_ERRORS_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct error_case {
	const char *name;
	const char *json;     /* '@' marks where the error must point */
	const char *key;
	const char *reason;   /* a substring of the reason */
};

/* A 1-based line and column of the '@' in text, and text without it. */
static char *cut_marker(const char *text, int *ret_line, int *ret_col)
{
	const char *at = strchr(text, '@'), *c;
	char *out = malloc(strlen(text));
	int line = 1, col = 1;

	assert_non_null(at);
	assert_non_null(out);
	assert_null(strchr(at + 1, '@'));
	for (c = text; c < at; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*c & 0xc0) != 0x80) {
			col++;
		}
	}
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), at + 1);
	*ret_line = line;
	*ret_col = col;
	return out;
}

/*
 * Every case fails to load with -EINVAL, leaves the output untouched and
 * points at the marker: file, key path, reason, line and column (key "$",
 * a JSON syntax error, is placed by jansson at the token it stopped on, so
 * only its line is checked).
 */
static void check_error_cases(const struct error_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct error_case *c = &cases[i];
		struct policy *p = (struct policy *)0x1;   /* must stay untouched */
		struct policy_error err;
		int line, col, r;
		char *json;

		json = cut_marker(c->json, &line, &col);
		memset(&err, 0x5a, sizeof(err));
		r = policy_load_buffer("bad.json", json, strlen(json), &p, &err);
		if (r == 0)
			fail_msg("%s: loaded, expected an error", c->name);
		print_message("# %s: %s:%d:%d: %s: %s\n", c->name, err.file, err.line, err.column,
			      err.key, err.reason);
		assert_int_equal(r, -EINVAL);
		assert_ptr_equal(p, (struct policy *)0x1);
		assert_string_equal(err.file, "bad.json");
		assert_string_equal(err.key, c->key);
		if (!strstr(err.reason, c->reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", c->name, err.reason, c->reason);
		assert_int_equal(err.line, line);
		if (strcmp(c->key, "$") != 0)
			assert_int_equal(err.column, col);
		free(json);
	}
}

#endif /* AIRLOCK_TEST_POLICY_ERRORS_H */
