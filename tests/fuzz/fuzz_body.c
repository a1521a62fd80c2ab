// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Request bodies: body_rewrite_request() never crashes, refuses exactly the
 * bodies jansson refuses, a rewritten body is valid JSON, and (unknown
 * endpoint, every finding tokenized) restoring the rewritten body gives back
 * the original document exactly.  Batched (scan_batch, two walks) and
 * string-by-string scanning give the same bytes and findings.
 *
 * Input: one selector byte (endpoint, actions, token-array and binary policy),
 * then the body.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"

static const char key[] = "fuzz-tenant-key-0123456789abcdef";

struct fuzz_scan {
	enum scan_action act[3];
};

static int push(struct scan_result *out, const char *type, size_t start, size_t end, size_t rule)
{
	struct scan_finding f = {
		.category = SCAN_CAT_PII, .confidence = SCAN_CONF_HIGH, .start = start, .end = end,
	};

	snprintf(f.type, sizeof(f.type), "%s", type);
	snprintf(f.detail, sizeof(f.detail), "%zu", rule);
	return scan_result_push(out, &f);
}

/* Literal needles, plus a crude span around each '@' so that findings overlap and cut characters. */
static int scan(void *ctx, const char *text, size_t len, struct scan_result *out)
{
	static const char *const needle[] = { "alice@example.com", "4111 1111 1111 1111" };
	size_t i, n;
	int err;

	(void)ctx;
	for (i = 0; i < 2; i++) {
		const char *p = text;

		n = strlen(needle[i]);
		while ((p = memmem(p, len - (size_t)(p - text), needle[i], n))) {
			err = push(out, i ? "CREDIT_CARD" : "EMAIL", (size_t)(p - text),
				   (size_t)(p - text) + n, i);
			if (err)
				return err;
			p += n;
		}
	}
	for (i = 0; i < len; i++) {
		if (text[i] != '@')
			continue;
		err = push(out, "AT", i >= 3 ? i - 3 : 0, i + 4 <= len ? i + 4 : len, 2);
		if (err)
			return err;
	}
	return 0;
}

/* The same scanner over a batch: protect_body()'s shape (two walks). */
static int scan_batch(void *ctx, const struct scan_part *t, size_t n, struct scan_result *out,
		      size_t *first)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		first[i] = out->n;
		err = scan(ctx, t[i].text, t[i].len, out);
		if (err)
			return err;
	}
	first[n] = out->n;
	return 0;
}

/* Batched and string-by-string rewrites of one body agree in every byte. */
static void check_batched(const struct body_opts *o0, const char *body, size_t blen, int rc0,
			  const struct body_result *r0)
{
	struct vault_limits lim = { .max_entries = 64, .max_bytes = 4096 };
	struct body_opts o = *o0;
	struct body_result r = { 0 };
	struct body_error err;
	size_t i;
	int rc;

	o.xform.vault = vault_new(&lim);
	if (!o.xform.vault)
		return;
	o.scan = NULL;
	o.scan_batch = scan_batch;
	rc = body_rewrite_request(&o, body, blen, &err, &r);
	if (rc != rc0)
		abort();
	if (!rc && (r.blocked != r0->blocked || r.n_findings != r0->n_findings ||
		    r.rewritten != r0->rewritten || r.len != r0->len || !r.body != !r0->body ||
		    (r.body && memcmp(r.body, r0->body, r.len))))
		abort();
	for (i = 0; !rc && i < r.n_findings; i++)
		if (strcmp(r.findings[i].path, r0->findings[i].path) ||
		    r.findings[i].f.start != r0->findings[i].f.start ||
		    r.findings[i].f.end != r0->findings[i].f.end ||
		    r.findings[i].f.action != r0->findings[i].f.action ||
		    strcmp(r.findings[i].f.type, r0->findings[i].f.type))
			abort();
	body_result_fini(&r);
	vault_free(o.xform.vault);
}

static void decide(void *ctx, struct scan_finding *f)
{
	struct fuzz_scan *fs = ctx;

	f->action = fs->act[f->detail[0] - '0'];
}

/*
 * json_equal(), except that "arguments" strings compare as JSON: restoring
 * re-encodes them, and escapes the values it puts into ones that do not parse.
 */
static bool same(json_t *a, json_t *b, const char *key)
{
	const char *k;
	json_t *x, *y;
	size_t i;

	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach(a, k, x)
			if (!(y = json_object_get(b, k)) || !same(x, y, k))
				return false;
		return true;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach(a, i, x)
			if (!same(x, json_array_get(b, i), key))
				return false;
		return true;
	case JSON_STRING:
		if (key && !strcmp(key, "arguments") && !json_equal(a, b)) {
			json_t *pa = json_loadb(json_string_value(a), json_string_length(a),
						JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
			json_t *pb = json_loadb(json_string_value(b), json_string_length(b),
						JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
			/* not JSON (cut short): restored with values JSON-escaped, by design */
			bool eq = !pa || !pb || same(pa, pb, NULL);

			json_decref(pa);
			json_decref(pb);
			return eq;
		}
		return json_equal(a, b);
	default:
		return json_equal(a, b);
	}
}

static const enum scan_action acts[] = {
	SCAN_ACT_TOKENIZE, SCAN_ACT_MASK, SCAN_ACT_REDACT, SCAN_ACT_FLAG,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vault_limits lim = { .max_entries = 64, .max_bytes = 4096 };
	struct fuzz_scan fs;
	struct body_opts o;
	struct body_result r = { 0 };
	struct body_error err;
	struct vault *v;
	const char *body;
	char *back = NULL;
	size_t blen, back_len, i;
	uint8_t sel;
	bool all_tokenize;
	int rc;

	if (size < 1)
		return 0;
	sel = data[0];
	body = (const char *)data + 1;
	blen = size - 1;
	all_tokenize = !(sel & 0x18);
	for (i = 0; i < 3; i++)
		fs.act[i] = acts[(sel >> 3) & 3];
	if (sel & 0x20)
		fs.act[2] = SCAN_ACT_BLOCK;
	v = vault_new(&lim);
	if (!v)
		return 0;
	o = (struct body_opts){
		.api = (enum body_api)(sel % 5),
		.scan = scan, .scan_ctx = &fs, .decide = decide, .decide_ctx = &fs,
		.xform = { .key = key, .key_len = sizeof(key) - 1, .vault = v },
		.token_arrays = sel & 0x40 ? SCAN_ACT_BLOCK : SCAN_ACT_FLAG,
		.binary = sel & 0x80 ? SCAN_ACT_BLOCK : SCAN_ACT_ALLOW,
		.max_bytes = 1 << 16,
		.max_findings = 256,
	};
	rc = body_rewrite_request(&o, body, blen, &err, &r);
	if (rc == -ENOMEM)
		abort();
	check_batched(&o, body, blen, rc, &r);
	/*
	 * The request parser refuses exactly what jansson refuses (depth limit
	 * aside), except raw NUL bytes: JSON allows none, jansson skips one
	 * that follows a number or a literal.
	 */
	if (rc == -EINVAL || !rc) {
		json_t *j = json_loadb(body, blen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
		bool nul = memchr(body, '\0', blen);

		if ((nul ? !rc : (rc == -EINVAL) != !j) || (rc == -EINVAL && !err.text[0]))
			abort();
		json_decref(j);
	}
	if (rc)
		goto out;
	for (i = 0; i < r.n_findings; i++)
		if (!r.findings[i].path)
			abort();
	if (r.blocked && (r.body || r.block >= r.n_findings))
		abort();
	if (r.body) {
		json_t *orig, *rewritten, *restored;

		rewritten = json_loadb(r.body, r.len, JSON_ALLOW_NUL, NULL);
		if (!rewritten)
			abort();
		rc = body_restore_response(r.body, r.len, v, NULL, &back, &back_len);
		if (rc < 0)
			abort();
		/*
		 * Round trip, unless the input already holds "[[": the fuzzer learns
		 * tags from the comparisons and forges placeholders, which restoring
		 * then rightly resolves (only to values of this same request).
		 */
		if (o.api == BODY_API_GENERIC && all_tokenize && !(sel & 0x20) &&
		    !memmem(body, blen, "[[", 2)) {
			orig = json_loadb(body, blen, JSON_ALLOW_NUL, NULL);
			restored = back ? json_loadb(back, back_len, JSON_ALLOW_NUL, NULL) : json_incref(rewritten);
			if (!orig || !restored || !same(orig, restored, NULL))
				abort();
			json_decref(orig);
			json_decref(restored);
		}
		json_decref(rewritten);
		free(back);
	}
out:
	body_result_fini(&r);
	vault_free(v);
	return 0;
}
