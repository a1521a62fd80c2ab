// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* body.c: which strings of OpenAI / Azure OpenAI bodies are scanned and how they are rewritten. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "body.h"

static const char key[] = "0123456789abcdef0123456789abcdef";

/* --- a fake scanner: literal needles, so these tests need no engine ---------- */

static const struct {
	const char *needle;
	const char *type;
} needles[] = {
	{ "alice@example.com", "EMAIL" },
	{ "4111 1111 1111 1111", "CREDIT_CARD" },
	{ "AKIAIOSFODNN7EXAMPLF", "SECRET" },
};

struct fake {
	enum scan_action act[3];   /* per needle */
	int fail;                  /* returned by the scanner when set */
	int calls;
	int batches;
};

/* Every case runs twice: string by string (scan) and batched (scan_batch). */
static int batch_mode;

static int fake_scan(void *ctx, const char *text, size_t len, struct scan_result *out)
{
	struct fake *fk = ctx;
	size_t i, n;

	fk->calls++;
	if (fk->fail)
		return fk->fail;
	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		const char *p = text, *end = text + len;

		n = strlen(needles[i].needle);
		while ((p = memmem(p, (size_t)(end - p), needles[i].needle, n))) {
			struct scan_finding f = {
				.category = SCAN_CAT_PII, .confidence = SCAN_CONF_HIGH,
				.start = (size_t)(p - text), .end = (size_t)(p - text) + n,
			};

			snprintf(f.type, sizeof(f.type), "%s", needles[i].type);
			snprintf(f.detail, sizeof(f.detail), "needle-%zu", i);
			if (scan_result_push(out, &f))
				return -ENOMEM;
			p += n;
		}
	}
	return 0;
}

/* The same scanner over a batch: what it finds in each text, in order. */
static int fake_scan_batch(void *ctx, const struct scan_part *t, size_t n, struct scan_result *out,
			   size_t *first)
{
	struct fake *fk = ctx;
	size_t i;
	int err;

	fk->batches++;
	for (i = 0; i < n; i++) {
		first[i] = out->n;
		err = fake_scan(ctx, t[i].text, t[i].len, out);
		if (err)
			return err;
	}
	first[n] = out->n;
	return 0;
}

static void fake_decide(void *ctx, struct scan_finding *f)
{
	struct fake *fk = ctx;

	f->action = fk->act[f->detail[7] - '0'];
}

struct env {
	struct fake fk;
	struct vault *v;
	struct body_opts o;
	struct body_result r;
	struct body_error err;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->v = vault_new(NULL);
	e->fk.act[0] = SCAN_ACT_REDACT;
	e->fk.act[1] = SCAN_ACT_MASK;
	e->fk.act[2] = SCAN_ACT_BLOCK;
	e->o = (struct body_opts){
		.api = BODY_API_CHAT,
		.scan = fake_scan, .scan_ctx = &e->fk,
		.scan_batch = batch_mode ? fake_scan_batch : NULL,
		.decide = fake_decide, .decide_ctx = &e->fk,
		.xform = { .key = key, .key_len = sizeof(key) - 1, .vault = e->v },
	};
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	/* batched: whatever was scanned went through the batch */
	assert_true(!batch_mode || !e->fk.calls || e->fk.batches);
	body_result_fini(&e->r);
	vault_free(e->v);
	free(e);
	return 0;
}

static int rewrite(struct env *e, const char *json)
{
	body_result_fini(&e->r);
	memset(&e->err, 0, sizeof(e->err));
	return body_rewrite_request(&e->o, json, strlen(json), &e->err, &e->r);
}

/* Rewrite, expect success and this exact output (NULL: unchanged). */
static void expect(struct env *e, const char *json, const char *out)
{
	int rc = rewrite(e, json);

	if (rc)
		fail_msg("rc %d: %s", rc, e->err.text);
	assert_false(e->r.blocked);
	if (!out) {
		assert_null(e->r.body);
		return;
	}
	assert_non_null(e->r.body);
	assert_string_equal(e->r.body, out);
	assert_int_equal(strlen(e->r.body), e->r.len);
}

static const struct body_finding *finding(struct env *e, const char *path)
{
	size_t i;

	for (i = 0; i < e->r.n_findings; i++)
		if (!strcmp(e->r.findings[i].path, path))
			return &e->r.findings[i];
	fail_msg("no finding at %s", path);
	return NULL;
}

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

/* ------------------------------------------------------------------------ */

static void test_api_from_path(void **state)
{
	(void)state;
	assert_int_equal(body_api_from_path("/v1/chat/completions"), BODY_API_CHAT);
	assert_int_equal(body_api_from_path(
		"/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"), BODY_API_CHAT);
	assert_int_equal(body_api_from_path("/v1/completions"), BODY_API_COMPLETIONS);
	assert_int_equal(body_api_from_path("/openai/deployments/ada/embeddings?api-version=x"),
			 BODY_API_EMBEDDINGS);
	assert_int_equal(body_api_from_path("/v1/embeddings/"), BODY_API_EMBEDDINGS);
	assert_int_equal(body_api_from_path("/openai/v1/responses"), BODY_API_RESPONSES);
	assert_int_equal(body_api_from_path("/v1/files"), BODY_API_GENERIC);
	assert_int_equal(body_api_from_path("/v1/responses/resp_1/cancel"), BODY_API_GENERIC);
	assert_int_equal(body_api_from_path(NULL), BODY_API_GENERIC);
}

static void test_chat_string_content(void **state)
{
	struct env *e = *state;
	const struct body_finding *f;

	expect(e, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},"
		  "{\"role\":\"user\",\"content\":\"mail alice@example.com\"}],\"temperature\":0}",
	       "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},"
	       "{\"role\":\"user\",\"content\":\"mail [EMAIL]\"}],\"temperature\":0}");
	assert_int_equal(e->r.n_findings, 1);
	assert_int_equal(e->r.rewritten, 1);
	f = finding(e, "messages[1].content");
	assert_string_equal(f->f.type, "EMAIL");
	assert_int_equal(f->f.start, 5);
	assert_int_equal(f->f.end, 22);
	assert_int_equal(f->f.action, SCAN_ACT_REDACT);
}

static void test_chat_actions(void **state)
{
	struct env *e = *state;
	const char *in = "{\"messages\":[{\"role\":\"user\",\"content\":\"alice@example.com 4111 1111 1111 1111\"}]}";

	e->fk.act[0] = SCAN_ACT_TOKENIZE;
	expect(e, in, "{\"messages\":[{\"role\":\"user\",\"content\":"
		      "\"[[EMAIL_2B80321CC0]] **** **** **** 1111\"}]}");
	assert_int_equal(vault_count(e->v), 1);
	e->fk.act[0] = SCAN_ACT_FLAG;
	e->fk.act[1] = SCAN_ACT_ALLOW;
	expect(e, in, NULL);    /* nothing rewritten: forward the original bytes */
	assert_int_equal(e->r.n_findings, 2);
	assert_int_equal(e->r.rewritten, 0);
}

/* \u0040 is decoded before scanning; the output is re-encoded JSON */
static void test_unicode_escape(void **state)
{
	struct env *e = *state;

	expect(e, "{\"messages\":[{\"role\":\"user\",\"content\":\"to alice\\u0040example.com\\n\\u00e9\"}]}",
	       "{\"messages\":[{\"role\":\"user\",\"content\":\"to [EMAIL]\\n\xc3\xa9\"}]}");
	finding(e, "messages[0].content");
}

static void test_chat_parts(void **state)
{
	struct env *e = *state;
	const char *in =
		"{\"messages\":[{\"role\":\"user\",\"content\":["
		"{\"type\":\"text\",\"text\":\"card 4111 1111 1111 1111\"},"
		"{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://img.example/x?u=alice@example.com\",\"detail\":\"low\"}},"
		"{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,alice@example.com\"}},"
		"{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"alice@example.com\",\"format\":\"wav\"}},"
		"{\"type\":\"file\",\"file\":{\"file_data\":\"alice@example.com\",\"filename\":\"alice@example.com.pdf\"}}"
		"]}]}";
	const char *out =
		"{\"messages\":[{\"role\":\"user\",\"content\":["
		"{\"type\":\"text\",\"text\":\"card **** **** **** 1111\"},"
		"{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://img.example/x?u=[EMAIL]\",\"detail\":\"low\"}},"
		"{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,alice@example.com\"}},"
		"{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"alice@example.com\",\"format\":\"wav\"}},"
		"{\"type\":\"file\",\"file\":{\"file_data\":\"alice@example.com\",\"filename\":\"[EMAIL].pdf\"}}"
		"]}]}";

	expect(e, in, out);
	assert_int_equal(e->r.n_findings, 3);   /* binary data neither scanned nor reported */
	finding(e, "messages[0].content[0].text");
	finding(e, "messages[0].content[1].image_url.url");
	finding(e, "messages[0].content[4].file.filename");

	e->o.binary = SCAN_ACT_FLAG;
	expect(e, in, out);
	assert_int_equal(e->r.n_findings, 6);
	assert_string_equal(finding(e, "messages[0].content[2].image_url.url")->f.type, "BINARY_DATA");
	assert_string_equal(finding(e, "messages[0].content[2].image_url.url")->f.detail, "image");
	assert_string_equal(finding(e, "messages[0].content[3].input_audio.data")->f.detail, "audio");
	assert_string_equal(finding(e, "messages[0].content[4].file.file_data")->f.detail, "file");

	e->o.binary = SCAN_ACT_BLOCK;
	assert_int_equal(rewrite(e, in), 0);
	assert_true(e->r.blocked);
	assert_null(e->r.body);
	assert_string_equal(e->r.findings[e->r.block].path, "messages[0].content[2].image_url.url");
}

static void test_tool_calls_arguments(void **state)
{
	struct env *e = *state;
	const char *in =
		"{\"messages\":["
		"{\"role\":\"user\",\"content\":\"mail alice\"},"
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
		"\"function\":{\"name\":\"alice@example.com\",\"arguments\":"
		"\"{\\\"to\\\":\\\"alice@example.com\\\",\\\"n\\\":1.5,\\\"cc\\\":[\\\"x\\\",\\\"alice@example.com\\\"]}\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sent to alice@example.com\"}"
		"]}";
	json_t *j, *args;
	const char *a;

	e->fk.act[0] = SCAN_ACT_TOKENIZE;
	assert_int_equal(rewrite(e, in), 0);
	assert_non_null(e->r.body);
	j = parse(e->r.body);
	/* the function name is an identifier the API needs: not rewritten */
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(json_array_get(json_object_get(j, "messages"), 1), "tool_calls"), 0),
		"function"), "name")), "alice@example.com");
	a = json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(j, "messages"), 1), "tool_calls"), 0), "function"),
		"arguments"));
	assert_string_equal(a, "{\"to\":\"[[EMAIL_2B80321CC0]]\",\"n\":1.5,\"cc\":[\"x\",\"[[EMAIL_2B80321CC0]]\"]}");
	args = parse(a);
	json_decref(args);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j,
		"messages"), 2), "content")), "sent to [[EMAIL_2B80321CC0]]");
	json_decref(j);
	assert_int_equal(e->r.n_findings, 3);
	finding(e, "messages[1].tool_calls[0].function.arguments.to");
	finding(e, "messages[1].tool_calls[0].function.arguments.cc[1]");
	finding(e, "messages[2].content");
}

/* Arguments whose e-mail is escaped twice: \\u0040 in the body, \u0040 in arguments. */
static void test_arguments_double_escaped(void **state)
{
	struct env *e = *state;

	expect(e, "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\","
		  "\"arguments\":\"{\\\"to\\\":\\\"alice\\\\u0040example.com\\\"}\"}}]}]}",
	       "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\","
	       "\"arguments\":\"{\\\"to\\\":\\\"[EMAIL]\\\"}\"}}]}]}");
	finding(e, "messages[0].tool_calls[0].function.arguments.to");
}

/* Arguments cut short (finish_reason length) are scanned as text. */
static void test_arguments_not_json(void **state)
{
	struct env *e = *state;

	expect(e, "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\","
		  "\"arguments\":\"{\\\"to\\\":\\\"alice@example.com\"}}]}]}",
	       "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\","
	       "\"arguments\":\"{\\\"to\\\":\\\"[EMAIL]\"}}]}]}");
	finding(e, "messages[0].tool_calls[0].function.arguments");
}

static void test_known_endpoint_skips_identifiers(void **state)
{
	struct env *e = *state;
	const char *in = "{\"model\":\"alice@example.com\",\"user\":\"alice@example.com\","
			 "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"alice@example.com\","
			 "\"description\":\"mail alice@example.com\",\"parameters\":{\"type\":\"object\"}}}],"
			 "\"metadata\":{\"owner\":\"alice@example.com\"},\"messages\":[]}";

	expect(e, in, "{\"model\":\"alice@example.com\",\"user\":\"[EMAIL]\","
		      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"alice@example.com\","
		      "\"description\":\"mail [EMAIL]\",\"parameters\":{\"type\":\"object\"}}}],"
		      "\"metadata\":{\"owner\":\"[EMAIL]\"},\"messages\":[]}");
	finding(e, "user");
	finding(e, "tools[0].function.description");
	finding(e, "metadata.owner");

	/* an unknown endpoint: every string value */
	e->o.api = BODY_API_GENERIC;
	expect(e, in, "{\"model\":\"[EMAIL]\",\"user\":\"[EMAIL]\","
		      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"[EMAIL]\","
		      "\"description\":\"mail [EMAIL]\",\"parameters\":{\"type\":\"object\"}}}],"
		      "\"metadata\":{\"owner\":\"[EMAIL]\"},\"messages\":[]}");
	assert_int_equal(e->r.n_findings, 5);
}

static void test_generic_paths(void **state)
{
	struct env *e = *state;

	e->o.api = BODY_API_GENERIC;
	expect(e, "[{\"a.b\":{\"x y\":[\"alice@example.com\"]},\"k\":{\"\":\"4111 1111 1111 1111\"}}]",
	       "[{\"a.b\":{\"x y\":[\"[EMAIL]\"]},\"k\":{\"\":\"**** **** **** 1111\"}}]");
	finding(e, "[0][\"a.b\"][\"x y\"][0]");
	finding(e, "[0].k[\"\"]");
}

static void test_responses_api(void **state)
{
	struct env *e = *state;
	const char *in =
		"{\"model\":\"gpt-4.1\",\"instructions\":\"card 4111 1111 1111 1111\",\"input\":["
		"{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi alice@example.com\"},"
		"{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,alice@example.com\"}]},"
		"{\"role\":\"assistant\",\"content\":\"noted alice@example.com\"},"
		"{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"lookup\",\"arguments\":\"{\\\"email\\\":\\\"alice@example.com\\\"}\"},"
		"{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"found alice@example.com\"}"
		"],\"previous_response_id\":\"resp_1\"}";

	e->o.api = BODY_API_RESPONSES;
	expect(e, in,
	       "{\"model\":\"gpt-4.1\",\"instructions\":\"card **** **** **** 1111\",\"input\":["
	       "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi [EMAIL]\"},"
	       "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,alice@example.com\"}]},"
	       "{\"role\":\"assistant\",\"content\":\"noted [EMAIL]\"},"
	       "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"lookup\",\"arguments\":\"{\\\"email\\\":\\\"[EMAIL]\\\"}\"},"
	       "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"found [EMAIL]\"}"
	       "],\"previous_response_id\":\"resp_1\"}");
	assert_int_equal(e->r.n_findings, 5);
	finding(e, "instructions");
	finding(e, "input[0].content[0].text");
	finding(e, "input[1].content");
	finding(e, "input[2].arguments.email");
	finding(e, "input[3].output");

	expect(e, "{\"model\":\"gpt-4.1\",\"input\":\"hello alice@example.com\"}",
	       "{\"model\":\"gpt-4.1\",\"input\":\"hello [EMAIL]\"}");
	finding(e, "input");
}

static void test_embeddings(void **state)
{
	struct env *e = *state;

	e->o.api = BODY_API_EMBEDDINGS;
	expect(e, "{\"model\":\"text-embedding-3-small\",\"input\":\"alice@example.com\"}",
	       "{\"model\":\"text-embedding-3-small\",\"input\":\"[EMAIL]\"}");
	finding(e, "input");
	expect(e, "{\"input\":[\"a\",\"alice@example.com\"],\"encoding_format\":\"float\"}",
	       "{\"input\":[\"a\",\"[EMAIL]\"],\"encoding_format\":\"float\"}");
	finding(e, "input[1]");

	/* token ids: allowed unscanned, flagged, or blocked, as the policy says */
	e->o.token_arrays = SCAN_ACT_ALLOW;
	expect(e, "{\"input\":[1,2,3]}", NULL);
	assert_int_equal(e->r.n_findings, 0);
	e->o.token_arrays = SCAN_ACT_FLAG;
	expect(e, "{\"input\":[[1,2],[3]]}", NULL);
	assert_int_equal(e->r.n_findings, 1);
	assert_string_equal(finding(e, "input")->f.type, "TOKEN_IDS");
	assert_int_equal(finding(e, "input")->f.action, SCAN_ACT_FLAG);
	e->o.token_arrays = SCAN_ACT_BLOCK;
	assert_int_equal(rewrite(e, "{\"input\":[1,2,3]}"), 0);
	assert_true(e->r.blocked);
	assert_string_equal(e->r.findings[e->r.block].f.type, "TOKEN_IDS");
	assert_int_equal(rewrite(e, "{\"input\":[[1,2],[3]]}"), 0);
	assert_true(e->r.blocked);
	/* strings are not token ids */
	expect(e, "{\"input\":[\"1\",\"2\"]}", NULL);
	assert_int_equal(e->r.n_findings, 0);
}

static void test_completions_prompt(void **state)
{
	struct env *e = *state;

	e->o.api = BODY_API_COMPLETIONS;
	expect(e, "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"alice@example.com\"}",
	       "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"[EMAIL]\"}");
	expect(e, "{\"prompt\":[\"x\",\"alice@example.com\"]}", "{\"prompt\":[\"x\",\"[EMAIL]\"]}");
	finding(e, "prompt[1]");
	e->o.token_arrays = SCAN_ACT_BLOCK;
	assert_int_equal(rewrite(e, "{\"prompt\":[50256,123]}"), 0);
	assert_true(e->r.blocked);
	/* an int array elsewhere is no prompt */
	expect(e, "{\"prompt\":\"x\",\"logit_bias_ids\":[1,2]}", NULL);
	assert_false(e->r.blocked);
}

static void test_blocked(void **state)
{
	struct env *e = *state;
	const char *in = "{\"messages\":[{\"role\":\"user\",\"content\":\"alice@example.com\"},"
			 "{\"role\":\"user\",\"content\":\"key AKIAIOSFODNN7EXAMPLF\"}]}";

	e->fk.act[0] = SCAN_ACT_TOKENIZE;
	assert_int_equal(rewrite(e, in), 0);
	assert_true(e->r.blocked);
	assert_null(e->r.body);
	assert_int_equal(e->r.rewritten, 0);
	assert_int_equal(e->r.n_findings, 2);
	assert_string_equal(e->r.findings[e->r.block].path, "messages[1].content");
	assert_string_equal(e->r.findings[e->r.block].f.type, "SECRET");
}

/* Only the rewritten string changes: order, layout, numbers and the other strings' escapes stay. */
static void test_order_and_values_kept(void **state)
{
	struct env *e = *state;

	e->o.api = BODY_API_GENERIC;
	expect(e, "{ \"z\" : 1, \"a\" : \"alice@example.com\",\n \"m\": [true, null, 1.5, -2, {}, []] }",
	       "{ \"z\" : 1, \"a\" : \"[EMAIL]\",\n \"m\": [true, null, 1.5, -2, {}, []] }");
	expect(e, "[1.0e+2, 0.10, -0, \"caf\\u00e9 \\/\", \"alice@example.com\"]\r\n",
	       "[1.0e+2, 0.10, -0, \"caf\\u00e9 \\/\", \"[EMAIL]\"]\r\n");
}

/* Nothing rewritten: no copy, the caller forwards its own bytes (findings still reported). */
static void test_unchanged_body_forwarded(void **state)
{
	struct env *e = *state;
	const char *in = " {\"messages\" : [ {\"role\":\"user\", \"content\":\"mail alice\\u0040example.com \\ud83d\\ude00\"},\n"
			 "\t{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"ok\\n\"}]} ] } ";

	e->fk.act[0] = SCAN_ACT_FLAG;
	expect(e, in, NULL);
	assert_int_equal(e->r.n_findings, 1);
	assert_int_equal(e->r.rewritten, 0);
	/* decoded before scanning: offsets are into the decoded string */
	assert_int_equal(finding(e, "messages[0].content")->f.start, 5);
	assert_int_equal(finding(e, "messages[0].content")->f.end, 22);
	e->fk.act[0] = SCAN_ACT_ALLOW;
	expect(e, in, NULL);
}

/*
 * A rewritten value is re-encoded whole: quotes, backslashes and control
 * characters escaped (\uXXXX for those without a short form), escaped
 * non-ASCII and surrogate pairs written as UTF-8, '/' unescaped.
 */
static void test_rewritten_value_encoding(void **state)
{
	struct env *e = *state;
	const char *in = "{\"messages\":[{\"role\":\"user\",\"content\":"
			 "\"say \\\"hi\\\" \\\\ to alice\\u0040example.com\\t\\u0001\\u001f\\b\\f\\r\\n"
			 " caf\\u00e9 \xc3\xa9 \\ud83d\\ude00 \\/ \\u0000 \x7f\"}]}";
	const char *out = "{\"messages\":[{\"role\":\"user\",\"content\":"
			  "\"say \\\"hi\\\" \\\\ to [EMAIL]\\t\\u0001\\u001F\\b\\f\\r\\n"
			  " caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80 / \\u0000 \x7f\"}]}";
	const struct body_finding *f;
	json_t *j;
	const char *v;
	size_t n;

	expect(e, in, out);
	f = finding(e, "messages[0].content");
	assert_int_equal(f->f.start, 14);   /* say "hi" \ to |alice... */
	assert_int_equal(f->f.end, 31);
	j = json_loadb(e->r.body, e->r.len, JSON_ALLOW_NUL, NULL);
	assert_non_null(j);
	v = json_string_value(json_object_get(json_array_get(json_object_get(j, "messages"), 0), "content"));
	n = json_string_length(json_object_get(json_array_get(json_object_get(j, "messages"), 0), "content"));
	assert_int_equal(n, 48);
	assert_memory_equal(v, "say \"hi\" \\ to [EMAIL]\t\x01\x1f\b\f\r\n caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80 / \0 \x7f", n);
	json_decref(j);
}

/* Several strings rewritten in one body, the others kept byte for byte. */
static void test_several_edits(void **state)
{
	struct env *e = *state;

	e->o.api = BODY_API_GENERIC;
	expect(e, "{\"a\":\"alice@example.com\",\"b\":\"\\u00e9\",\"c\":[\"4111 1111 1111 1111\", \"x\\ty\"],"
		  "\"d\":{\"e\":\"alice@example.com alice@example.com\"}}",
	       "{\"a\":\"[EMAIL]\",\"b\":\"\\u00e9\",\"c\":[\"**** **** **** 1111\", \"x\\ty\"],"
	       "\"d\":{\"e\":\"[EMAIL] [EMAIL]\"}}");
	assert_int_equal(e->r.rewritten, 4);
	assert_int_equal(e->r.n_findings, 4);
}

/* Nested arguments: rewritten inside the decoded document, whose layout and other escapes stay. */
static void test_arguments_splice(void **state)
{
	struct env *e = *state;
	const char *in =
		"{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
		"\"function\":{\"name\":\"send\",\"arguments\":"
		"\"{ \\\"to\\\" : \\\"alice@example.com\\\",\\n  \\\"note\\\": \\\"caf\\\\u00e9 \\\\\\\"q\\\\\\\" alice@example.com\\\","
		" \\\"n\\\": [1, 2.5e3] }\"}}]}]}";
	const char *out =
		"{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
		"\"function\":{\"name\":\"send\",\"arguments\":"
		"\"{ \\\"to\\\" : \\\"[EMAIL]\\\",\\n  \\\"note\\\": \\\"caf\xc3\xa9 \\\\\\\"q\\\\\\\" [EMAIL]\\\","
		" \\\"n\\\": [1, 2.5e3] }\"}}]}]}";
	const struct body_finding *f;
	json_t *j, *args;
	const char *a;

	expect(e, in, out);
	j = json_loadb(e->r.body, e->r.len, 0, NULL);
	assert_non_null(j);
	a = json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(j, "messages"), 0), "tool_calls"), 0), "function"), "arguments"));
	args = json_loads(a, 0, NULL);
	assert_non_null(args);
	assert_string_equal(json_string_value(json_object_get(args, "to")), "[EMAIL]");
	assert_string_equal(json_string_value(json_object_get(args, "note")), "caf\xc3\xa9 \"q\" [EMAIL]");
	json_decref(args);
	json_decref(j);
	f = finding(e, "messages[0].tool_calls[0].function.arguments.note");
	assert_int_equal(f->f.start, 10);   /* decoded twice: café "q" |alice */
	finding(e, "messages[0].tool_calls[0].function.arguments.to");
}

static void test_invalid_bodies(void **state)
{
	struct env *e = *state;
	const char *bad[] = {
		"", "{", "{\"a\":1,\"a\":2}", "42", "\"alice@example.com\"", "{} x",
		"{\"a\":\"\xff\"}", "{\"a\":\"alice@example.com\",}", "{'a':1}",
		"{\"a\":99999999999999999999}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct body_result sentinel = { .len = 12345 };

		memset(&e->err, 0, sizeof(e->err));
		e->fk.calls = 0;
		assert_int_equal(body_rewrite_request(&e->o, bad[i], strlen(bad[i]), &e->err,
						      &sentinel), -EINVAL);
		assert_int_equal(sentinel.len, 12345);   /* untouched */
		assert_null(sentinel.body);
		assert_int_equal(e->fk.calls, 0);        /* nothing scanned, nothing rewritten */
		assert_true(strlen(e->err.text) > 0);
	}
	assert_int_equal(rewrite(e, "{\"a\":1,\"a\":2}"), -EINVAL);
	assert_non_null(strstr(e->err.text, "duplicate"));
	assert_int_equal(rewrite(e, "{\"a\":\n  x}"), -EINVAL);
	assert_int_equal(e->err.line, 2);
	/* err may be NULL */
	assert_int_equal(body_rewrite_request(&e->o, "{", 1, NULL, &e->r), -EINVAL);
}

/*
 * The request parser accepts exactly what json_loadb() (duplicates rejected,
 * \u0000 allowed) accepts: the same bodies are refused as before.
 */
static void test_parser_agrees_with_jansson(void **state)
{
	struct env *e = *state;
	static const char *const cases[] = {
		/* strings */
		"[\"\\ud83d\\ude00\"]", "[\"\\ud83d\"]", "[\"\\ude00\"]", "[\"\\ud83d\\u0041\"]",
		"[\"\\ud83dx\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\u0000\"]",
		"[\"a\tb\"]", "[\"a\x01\"]", "[\"\x7f\"]", "[\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"]", "[\"abc",
		"[\"abc\\", "[\"\xc3\xa9\"]", "[\"\xc3\"]", "[\"\xc0\x80\"]", "[\"\xed\xa0\x80\"]",
		"[\"\xf4\x90\x80\x80\"]", "[\"\xf0\x9f\x98\x80\"]", "[\"\xf5\x80\x80\x80\"]",
		"[\"\xe0\x80\xaf\"]", "[\"\xef\xbb\xbf\"]", "\xef\xbb\xbf[]",
		/* numbers */
		"[0]", "[-0]", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[1e+]", "[1E-2]", "[+1]",
		"[9223372036854775807]", "[9223372036854775808]", "[-9223372036854775808]",
		"[-9223372036854775809]", "[12345678901234567890]", "[1.7976931348623157e308]",
		"[1.7976931348623158e308]", "[1.8e308]", "[1e309]", "[1e-400]", "[0e999999]",
		"[17976931348623157081e289]", "[0.00001797693134862315807938e313]", "[1x]", "[1 2]",
		/* literals, structure */
		"[true,false,null]", "[tru]", "[truex]", "[nul]", "[True]", "[1,]", "[,1]", "[]", "{}",
		" [ ] ", "{\"a\" 1}", "{\"a\":}", "{\"a\":1,}", "{,}", "{1:2}", "[}", "{]", "[[]", "[]]",
		"{\"a\":1}{}", "[] []", "[]\n\r\t ", "\v[]",
		/* keys */
		"{\"a\":1,\"\\u0061\":2}", "{\"\\u0000\":1}", "{\"a\\u0000b\":1}", "{\"\":1,\"\":2}",
		"{\"a\":{\"a\":1},\"b\":{\"a\":2}}",
		"{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,\"k8\":1,\"k9\":1,\"k10\":1}",
		"{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,\"k8\":1,\"k9\":1,\"k\\u0031\":1}",
	};
	size_t i;

	e->o.api = BODY_API_GENERIC;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loadb(cases[i], strlen(cases[i]), JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
		int rc;

		e->fk.calls = 0;
		rc = rewrite(e, cases[i]);
		if ((rc == -EINVAL) != !j)
			fail_msg("%s: rc %d (%s), jansson %s", cases[i], rc, e->err.text,
				 j ? "accepts" : "refuses");
		if (rc == -EINVAL) {
			assert_true(strlen(e->err.text) > 0);
			assert_int_equal(e->fk.calls, 0);
			assert_null(e->r.body);
		} else {
			assert_int_equal(rc, 0);
		}
		json_decref(j);
	}
	/* a raw NUL byte is no JSON anywhere (jansson skipped one after a number or literal) */
	assert_int_equal(body_rewrite_request(&e->o, "{\"a\":69\0}", 9, &e->err, &e->r), -EINVAL);
	assert_int_equal(body_rewrite_request(&e->o, "[true\0]", 7, &e->err, &e->r), -EINVAL);
	assert_int_equal(body_rewrite_request(&e->o, "[\"a\0\"]", 6, &e->err, &e->r), -EINVAL);
	/* where the error is */
	assert_int_equal(rewrite(e, "{\"a\":1,\n \"b\": [1,\n\t2,, 3]}"), -EINVAL);
	assert_int_equal(e->err.line, 3);
	assert_int_equal(e->err.column, 4);
	assert_int_equal(rewrite(e, "{\"a\":1,\"b\":{\"c\":2},\"a\":3}"), -EINVAL);
	assert_int_equal(e->err.line, 1);
	assert_int_equal(e->err.column, 20);   /* the second "a" */
}

static void test_limits(void **state)
{
	struct env *e = *state;
	char deep[256];
	int i;

	e->o.max_bytes = 16;
	assert_int_equal(rewrite(e, "{\"messages\":[\"0123456789\"]}"), -EMSGSIZE);
	assert_non_null(strstr(e->err.text, "limit"));
	e->o.max_bytes = 0;

	for (i = 0; i < 70; i++)
		deep[i] = '[';
	for (; i < 140; i++)
		deep[i] = ']';
	deep[i] = '\0';
	assert_int_equal(rewrite(e, deep), -EMSGSIZE);
	e->o.max_depth = 80;
	assert_int_equal(rewrite(e, deep), 0);
	e->o.max_depth = 0;
	/* brackets inside strings do not count */
	assert_int_equal(rewrite(e, "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}"), 0);

	e->o.max_findings = 3;
	assert_int_equal(rewrite(e, "{\"messages\":[{\"role\":\"user\",\"content\":"
				    "\"alice@example.com alice@example.com alice@example.com alice@example.com\"}]}"),
			 -E2BIG);
	e->o.max_findings = 0;
}

static void test_nested_arguments_depth(void **state)
{
	struct env *e = *state;
	char in[1024];
	char args[512];
	int i, n = 0;

	/* arguments nested deeper than what is left of the budget: scanned as text */
	for (i = 0; i < 70; i++)
		n += snprintf(args + n, sizeof(args) - (size_t)n, "[");
	n += snprintf(args + n, sizeof(args) - (size_t)n, "\\\"alice@example.com\\\"");
	for (i = 0; i < 70; i++)
		n += snprintf(args + n, sizeof(args) - (size_t)n, "]");
	snprintf(in, sizeof(in), "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":"
		 "{\"name\":\"f\",\"arguments\":\"%s\"}}]}]}", args);
	assert_int_equal(rewrite(e, in), 0);
	finding(e, "messages[0].tool_calls[0].function.arguments");
	assert_non_null(strstr(e->r.body, "[EMAIL]"));
}

static void test_scanner_error(void **state)
{
	struct env *e = *state;

	e->fk.fail = -EIO;
	assert_int_equal(rewrite(e, "{\"messages\":[{\"content\":\"x\"}]}"), -EIO);
	assert_non_null(strstr(e->err.text, "scanning"));
	e->fk.fail = 0;
	e->o.scan = NULL;
	e->o.scan_batch = NULL;
	assert_int_equal(rewrite(e, "{}"), -EINVAL);   /* no scanner of either kind */
}

static void test_vault_full_fails_request(void **state)
{
	struct env *e = *state;
	struct vault_limits lim = { .max_entries = 1 };

	vault_free(e->v);
	e->v = vault_new(&lim);
	e->o.xform.vault = e->v;
	e->fk.act[0] = SCAN_ACT_TOKENIZE;
	e->fk.act[1] = SCAN_ACT_TOKENIZE;
	assert_int_equal(rewrite(e, "{\"messages\":[{\"content\":\"alice@example.com 4111 1111 1111 1111\"}]}"),
			 -E2BIG);
}

/* --- responses ------------------------------------------------------------- */

static void test_restore_chat_response(void **state)
{
	struct env *e = *state;
	char email[VAULT_PLACEHOLDER_MAX + 1], name[VAULT_PLACEHOLDER_MAX + 1], resp[1024];
	char *out = NULL;
	size_t len = 0;
	json_t *j, *msg, *args;

	assert_true(vault_tokenize(e->v, key, sizeof(key) - 1, "EMAIL", "alice@example.com", 17, email) > 0);
	assert_true(vault_tokenize(e->v, key, sizeof(key) - 1, "PERSON", "O\"Brien \\ Jr", 12, name) > 0);
	snprintf(resp, sizeof(resp),
		 "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		 "\"content\":\"Sent to %s [[EMAIL_0000000000]]\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
		 "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"name\\\":\\\"%s\\\",\\\"to\\\":\\\"%s\\\"}\"}}]},"
		 "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"total_tokens\":9}}", email, name, email);
	assert_int_equal(body_restore_response(resp, strlen(resp), e->v, NULL, &out, &len), 3);
	assert_int_equal(strlen(out), len);
	j = parse(out);
	msg = json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
	assert_string_equal(json_string_value(json_object_get(msg, "content")),
			    "Sent to alice@example.com [[EMAIL_0000000000]]");
	args = parse(json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(msg, "tool_calls"), 0), "function"), "arguments")));
	assert_string_equal(json_string_value(json_object_get(args, "name")), "O\"Brien \\ Jr");
	assert_string_equal(json_string_value(json_object_get(args, "to")), "alice@example.com");
	json_decref(args);
	json_decref(j);
	free(out);
}

static void test_restore_responses_api(void **state)
{
	struct env *e = *state;
	char email[VAULT_PLACEHOLDER_MAX + 1], resp[1024];
	char *out = NULL;
	size_t len = 0;

	vault_tokenize(e->v, key, sizeof(key) - 1, "EMAIL", "alice@example.com", 17, email);
	snprintf(resp, sizeof(resp),
		 "{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[{\"type\":\"message\",\"role\":\"assistant\","
		 "\"content\":[{\"type\":\"output_text\",\"text\":\"Hi %s\",\"annotations\":[]}]},"
		 "{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{\\\"to\\\":\\\"%s\\\"}\"}]}",
		 email, email);
	assert_int_equal(body_restore_response(resp, strlen(resp), e->v, NULL, &out, &len), 2);
	assert_string_equal(out,
		 "{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[{\"type\":\"message\",\"role\":\"assistant\","
		 "\"content\":[{\"type\":\"output_text\",\"text\":\"Hi alice@example.com\",\"annotations\":[]}]},"
		 "{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{\\\"to\\\":\\\"alice@example.com\\\"}\"}]}");
	free(out);
}

static void test_restore_nothing(void **state)
{
	struct env *e = *state;
	char *out = (char *)"x";
	size_t len = 7;

	/* empty vault, or no placeholder: forward the original */
	assert_int_equal(body_restore_response("{\"a\":\"[[EMAIL_2B80321CC0]]\"}", 28, e->v, NULL, &out, &len), 0);
	assert_null(out);
	vault_tokenize(e->v, key, sizeof(key) - 1, "EMAIL", "alice@example.com", 17, (char[VAULT_PLACEHOLDER_MAX + 1]){ 0 });
	assert_int_equal(body_restore_response("{\"a\":\"hello\"}", 13, e->v, NULL, &out, &len), 0);
	assert_null(out);
	assert_int_equal(body_restore_response("{\"a\":\"[[EMAIL_0000000000]]\"}", 28, e->v, NULL, &out, &len), 0);
	assert_null(out);
	out = (char *)"x";
	assert_int_equal(body_restore_response("{\"a\":\"[[EMAIL_2B80321CC0]]\"", 27, e->v, &e->err, &out, &len), -EINVAL);
	assert_string_equal(out, "x");
}

/* A tokenized value used as a key in "arguments" (a map keyed by address) comes back as a key. */
static void test_restore_keys(void **state)
{
	struct env *e = *state;
	char email[VAULT_PLACEHOLDER_MAX + 1], resp[1024];
	char *out = NULL;
	size_t len = 0;

	vault_tokenize(e->v, key, sizeof(key) - 1, "EMAIL", "alice@example.com", 17, email);
	snprintf(resp, sizeof(resp),
		 "{\"z\":1,\"%s\":2,\"a\":{\"function\":{\"arguments\":\"{\\\"x\\\":0,\\\"%s\\\":\\\"%s\\\"}\"}}}",
		 email, email, email);
	assert_int_equal(body_restore_response(resp, strlen(resp), e->v, NULL, &out, &len), 3);
	/* restored in place: the keys keep their order */
	assert_string_equal(out,
		 "{\"z\":1,\"alice@example.com\":2,\"a\":{\"function\":{\"arguments\":"
		 "\"{\\\"x\\\":0,\\\"alice@example.com\\\":\\\"alice@example.com\\\"}\"}}}");
	free(out);
}

/* Request tokenized, model echoes the placeholders, response restored: the user sees the original. */
static void test_round_trip(void **state)
{
	struct env *e = *state;
	const char *in = "{\"messages\":[{\"role\":\"user\",\"content\":\"Write to alice@example.com about card 4111 1111 1111 1111\"}]}";
	char resp[1024], *out = NULL;
	size_t len;
	json_t *j;

	e->fk.act[0] = SCAN_ACT_TOKENIZE;
	e->fk.act[1] = SCAN_ACT_TOKENIZE;
	assert_int_equal(rewrite(e, in), 0);
	assert_null(strstr(e->r.body, "alice@example.com"));
	assert_null(strstr(e->r.body, "4111"));
	j = parse(e->r.body);
	snprintf(resp, sizeof(resp), "{\"choices\":[{\"message\":{\"content\":\"Done: %s\"}}]}",
		 json_string_value(json_object_get(json_array_get(json_object_get(j, "messages"), 0), "content")));
	json_decref(j);
	assert_int_equal(body_restore_response(resp, strlen(resp), e->v, NULL, &out, &len), 2);
	assert_string_equal(out, "{\"choices\":[{\"message\":{\"content\":\"Done: Write to alice@example.com about card 4111 1111 1111 1111\"}}]}");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_from_path),
		cmocka_unit_test_setup_teardown(test_chat_string_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unicode_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tool_calls_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arguments_double_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arguments_not_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_endpoint_skips_identifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generic_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_responses_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embeddings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_completions_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_values_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_body_forwarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_value_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_edits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arguments_splice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parser_agrees_with_jansson, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_arguments_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scanner_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_full_fails_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_chat_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_responses_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	};
	int failed;

	failed = cmocka_run_group_tests_name("string by string", tests, NULL, NULL);
	batch_mode = 1;
	return failed + cmocka_run_group_tests_name("batched, two walks", tests, NULL, NULL);
}
