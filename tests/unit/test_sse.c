// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sse.c: placeholders split across events and across reads are restored, the
 * output is the same however the input is cut, it stays valid SSE with valid
 * JSON, and memory stays bounded on a long stream.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "sse.h"

static const char key[] = "0123456789abcdef0123456789abcdef";

#define EMAIL_PH "[[EMAIL_2B80321CC0]]"   /* alice@example.com under key */

struct env {
	struct vault *v;
	char card[VAULT_PLACEHOLDER_MAX + 1];    /* 4111 1111 1111 1111 */
	char person[VAULT_PLACEHOLDER_MAX + 1];  /* O"Brien \ Jr */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char ph[VAULT_PLACEHOLDER_MAX + 1];

	e->v = vault_new(NULL);
	assert_true(vault_tokenize(e->v, key, sizeof(key) - 1, "EMAIL", "alice@example.com", 17, ph) > 0);
	assert_string_equal(ph, EMAIL_PH);
	assert_true(vault_tokenize(e->v, key, sizeof(key) - 1, "CREDIT_CARD", "4111 1111 1111 1111", 19,
				   e->card) > 0);
	assert_true(vault_tokenize(e->v, key, sizeof(key) - 1, "PERSON", "O\"Brien \\ Jr", 12,
				   e->person) > 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	vault_free(e->v);
	free(e);
	return 0;
}

/* --- building streams -------------------------------------------------------- */

struct stream {
	struct vault_buf b;
	const char *eol;
};

static void add(struct stream *s, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(buf));
	assert_int_equal(vault_buf_add(&s->b, buf, (size_t)n), 0);
}

/* One "data: <json>" event. */
static void add_json(struct stream *s, json_t *j)
{
	char *d = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	add(s, "data: %s%s%s", d, s->eol, s->eol);
	free(d);
	json_decref(j);
}

static void chunk_content(struct stream *s, int choice, const char *text)
{
	add_json(s, json_pack("{s:s, s:s, s:i, s:s, s:[{s:i, s:{s:s}, s:n}]}", "id", "chatcmpl-1",
			      "object", "chat.completion.chunk", "created", 1700000000, "model", "gpt-4o",
			      "choices", "index", choice, "delta", "content", text, "finish_reason"));
}

static void chunk_finish(struct stream *s, int choice, const char *reason)
{
	add_json(s, json_pack("{s:s, s:s, s:i, s:s, s:[{s:i, s:{}, s:s}]}", "id", "chatcmpl-1",
			      "object", "chat.completion.chunk", "created", 1700000000, "model", "gpt-4o",
			      "choices", "index", choice, "delta", "finish_reason", reason));
}

static void chunk_args(struct stream *s, int choice, int tool, const char *args)
{
	add_json(s, json_pack("{s:s, s:[{s:i, s:{s:[{s:i, s:{s:s}}]}, s:n}]}", "id", "chatcmpl-1",
			      "choices", "index", choice, "delta", "tool_calls", "index", tool,
			      "function", "arguments", args, "finish_reason"));
}

/* --- running the restorer ---------------------------------------------------- */

/* Feed in pieces of the given sizes (cycled; 0 = everything at once), then finish. */
static char *run(struct env *e, const struct vault_buf *in, const size_t *sizes, size_t nsizes)
{
	struct sse_restorer *r = sse_restorer_new(e->v);
	struct vault_buf out = { 0 };
	size_t pos = 0, k = 0;

	assert_non_null(r);
	while (pos < in->len) {
		size_t n = nsizes && sizes[k % nsizes] ? sizes[k % nsizes] : in->len;

		if (n > in->len - pos)
			n = in->len - pos;
		assert_int_equal(sse_restorer_feed(r, in->p + pos, n, &out), 0);
		pos += n;
		k++;
	}
	assert_int_equal(sse_restorer_finish(r, &out), 0);
	assert_int_equal(sse_restorer_buffered(r), 0);
	sse_restorer_free(r);
	if (!out.p)
		assert_int_equal(vault_buf_add(&out, "", 0), 0);
	return out.p;
}

static char *run_whole(struct env *e, const struct vault_buf *in)
{
	return run(e, in, NULL, 0);
}

/* The output is the same however the input is cut. */
static void check_cuts(struct env *e, const struct vault_buf *in, const char *whole)
{
	size_t one = 1, i, k, sizes[2];
	char *out;

	out = run(e, in, &one, 1);
	assert_string_equal(out, whole);
	free(out);
	for (i = 1; i < in->len; i++) {
		sizes[0] = i;
		sizes[1] = in->len;
		out = run(e, in, sizes, 2);
		if (strcmp(out, whole))
			fail_msg("split at %zu differs:\n%s\n---\n%s", i, out, whole);
		free(out);
	}
	srand(42);
	for (k = 0; k < 200; k++) {
		size_t rs[16];

		for (i = 0; i < 16; i++)
			rs[i] = 1 + (size_t)rand() % (k % 2 ? 7 : 97);
		out = run(e, in, rs, 16);
		assert_string_equal(out, whole);
		free(out);
	}
}

/* --- reading the output back ------------------------------------------------- */

#define MAXC 4

struct acc {
	struct vault_buf content[MAXC];
	struct vault_buf args[MAXC][MAXC];
	struct vault_buf resp_text, resp_args;
	int events, data_events, done, synthesized_event_lines;
};

static void acc_fini(struct acc *a)
{
	int i, j;

	for (i = 0; i < MAXC; i++) {
		vault_buf_fini(&a->content[i]);
		for (j = 0; j < MAXC; j++)
			vault_buf_fini(&a->args[i][j]);
	}
	vault_buf_fini(&a->resp_text);
	vault_buf_fini(&a->resp_args);
}

static void append_str(struct vault_buf *b, json_t *s)
{
	if (json_is_string(s))
		assert_int_equal(vault_buf_add(b, json_string_value(s), json_string_length(s)), 0);
}

static void take_event(struct acc *a, const char *data, size_t n)
{
	json_error_t je;
	json_t *j, *ch, *tc;
	size_t i, k;

	a->data_events++;
	if (n >= 6 && !memcmp(data, "[DONE]", 6)) {
		a->done++;
		return;
	}
	if (!n || data[0] != '{')
		return;
	j = json_loadb(data, n, 0, &je);
	if (!j)
		fail_msg("invalid JSON in output: %s: %.*s", je.text, (int)n, data);
	json_array_foreach(json_object_get(j, "choices"), i, ch) {
		json_int_t c = json_integer_value(json_object_get(ch, "index"));
		json_t *delta = json_object_get(ch, "delta");

		assert_true(c >= 0 && c < MAXC);
		append_str(&a->content[c], json_object_get(delta, "content"));
		json_array_foreach(json_object_get(delta, "tool_calls"), k, tc) {
			json_int_t t = json_integer_value(json_object_get(tc, "index"));

			assert_true(t >= 0 && t < MAXC);
			append_str(&a->args[c][t],
				   json_object_get(json_object_get(tc, "function"), "arguments"));
		}
	}
	if (json_is_string(json_object_get(j, "type"))) {
		const char *t = json_string_value(json_object_get(j, "type"));

		if (!strcmp(t, "response.output_text.delta"))
			append_str(&a->resp_text, json_object_get(j, "delta"));
		if (!strcmp(t, "response.function_call_arguments.delta"))
			append_str(&a->resp_args, json_object_get(j, "delta"));
	}
	json_decref(j);
}

/* Split SSE text into events (any line ending) and accumulate what they carry. */
static void read_back(const char *s, struct acc *a)
{
	struct vault_buf data = { 0 };
	bool any = false;
	size_t i = 0, n = strlen(s);

	memset(a, 0, sizeof(*a));
	while (i < n) {
		size_t start = i, len;

		while (i < n && s[i] != '\n' && s[i] != '\r')
			i++;
		len = i - start;
		if (i < n)
			i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
		if (!len) {
			if (any)
				take_event(a, data.p, data.len);
			a->events++;
			data.len = 0;
			any = false;
		} else if (len >= 5 && !memcmp(s + start, "data:", 5)) {
			size_t off = start + 5 + (s[start + 5] == ' ');

			if (any)
				vault_buf_add(&data, "\n", 1);
			vault_buf_add(&data, s + off, start + len - off);
			any = true;
		}
	}
	if (any)
		take_event(a, data.p, data.len);
	vault_buf_fini(&data);
}

static void assert_buf(const struct vault_buf *b, const char *expect)
{
	if (!b->p) {
		assert_string_equal("", expect);
		return;
	}
	assert_string_equal(b->p, expect);
}

/* ------------------------------------------------------------------------- */

static void test_passthrough(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct vault *empty = vault_new(NULL);
	struct env e2 = { .v = empty };
	char *out;

	add(&s, ": ping\n\nid: 7\nretry: 100\nevent: message\ndata: hello " EMAIL_PH "\n\n");
	chunk_content(&s, 0, "plain text, brackets [x] [[y]] and [[EMAIL_0000000000]]");
	chunk_finish(&s, 0, "stop");
	add(&s, "data: [DONE]\n\n");
	out = run_whole(e, &s.b);
	assert_string_equal(out, s.b.p);   /* byte for byte */
	free(out);
	/* an empty vault holds nothing back and restores nothing */
	chunk_content(&s, 0, "trailing " EMAIL_PH " [[EM");
	chunk_finish(&s, 0, "stop");
	out = run_whole(&e2, &s.b);
	assert_string_equal(out, s.b.p);
	free(out);
	vault_free(empty);
	vault_buf_fini(&s.b);
}

static void build_chat(struct env *e, struct stream *s)
{
	char piece[256];

	add(s, ": keep-alive%s%s", s->eol, s->eol);
	add_json(s, json_pack("{s:s, s:s, s:i, s:s, s:[], s:[]}", "id", "", "object", "", "created", 0,
			      "model", "", "choices", "prompt_filter_results"));
	add_json(s, json_pack("{s:s, s:s, s:[{s:i, s:{s:s, s:s}, s:n}]}", "id", "chatcmpl-1", "object",
			      "chat.completion.chunk", "choices", "index", 0, "delta", "role",
			      "assistant", "content", "", "finish_reason"));
	chunk_content(s, 0, "Hi [[EMA");
	chunk_content(s, 0, "IL_2B80321CC0]], your card [");
	/* Azure asynchronous filter chunk: no delta; it does not end the held text */
	add_json(s, json_pack("{s:s, s:[{s:i, s:n, s:{s:i}}]}", "id", "chatcmpl-1", "choices", "index", 0,
			      "finish_reason", "content_filter_offsets", "check_offset", 10));
	snprintf(piece, sizeof(piece), "%.14s", e->card + 1);   /* "[CREDIT_CARD_X" */
	chunk_content(s, 0, piece);
	snprintf(piece, sizeof(piece), "%s", e->card + 15);     /* the rest, up to "]]" */
	piece[strlen(piece) - 1] = '\0';
	chunk_content(s, 0, piece);
	add(s, ": ping%s%s", s->eol, s->eol);
	chunk_content(s, 0, "] is ok [[EMAIL_0000000000]] [x [[");
	chunk_content(s, 0, " end \xe2\x82\xac 😀 " EMAIL_PH);
	chunk_finish(s, 0, "stop");
	add_json(s, json_pack("{s:s, s:[], s:{s:i}}", "id", "chatcmpl-1", "choices", "usage",
			      "total_tokens", 9));
	add(s, "data: [DONE]%s%s", s->eol, s->eol);
}

static const char chat_expect[] =
	"Hi alice@example.com, your card 4111 1111 1111 1111 is ok [[EMAIL_0000000000]] [x [["
	" end \xe2\x82\xac 😀 alice@example.com";

static void test_chat_split_placeholders(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct acc a;
	char *out;

	build_chat(e, &s);
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.content[0], chat_expect);
	assert_int_equal(a.done, 1);
	/* no event added: held tails travel in the next content piece */
	assert_non_null(strstr(out, "\"content\":\"Hi \""));
	assert_non_null(strstr(out, "data: [DONE]\n\n"));
	assert_non_null(strstr(out, ": keep-alive\n\n"));
	assert_null(strstr(out, "[[EMA\""));
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

static void test_chat_crlf(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\r\n" };
	struct acc a;
	char *out;

	build_chat(e, &s);
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.content[0], chat_expect);
	assert_null(strstr(out, "\n\n"));      /* line endings kept */
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

/* A tail still held at [DONE] goes out as an event of its own, before it. */
static void test_done_flushes(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct acc a;
	char *out, *done, *last;

	chunk_content(&s, 0, "Mail " EMAIL_PH " or [[EMAIL_2B8");
	add(&s, "data: [DONE]\n\n");
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.content[0], "Mail alice@example.com or [[EMAIL_2B8");
	assert_int_equal(a.data_events, 3);
	done = strstr(out, "data: [DONE]");
	last = strstr(out, "\"content\":\"[[EMAIL_2B8\"");
	assert_non_null(last);
	assert_true(last < done);
	assert_non_null(strstr(out, "\"id\":\"chatcmpl-1\""));   /* built from the last chunk */
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

/* A stream cut off (no [DONE], no blank line at the end) still gets its held text. */
static void test_finish_flushes(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct acc a;
	char *out;

	chunk_content(&s, 0, "to [[EMAIL_2B80321CC0");
	add(&s, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"]] and [[EMA\"}}]}");
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.content[0], "to alice@example.com and [[EMA");
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

static void test_multiple_choices(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct acc a;
	char *out;

	chunk_content(&s, 0, "zero [[EMAIL_2B");
	chunk_content(&s, 1, "one [");
	chunk_content(&s, 1, "[EMAIL_2B80321CC0]");
	chunk_content(&s, 0, "80321CC0]] end0");
	chunk_content(&s, 2, "two [[EMA");
	chunk_finish(&s, 0, "stop");
	chunk_content(&s, 1, "] end1 [[");
	chunk_finish(&s, 1, "length");
	add(&s, "data: [DONE]\n\n");
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.content[0], "zero alice@example.com end0");
	assert_buf(&a.content[1], "one alice@example.com end1 [[");
	assert_buf(&a.content[2], "two [[EMA");
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

/* Arguments are JSON text: restored values are escaped; tool calls end when the next starts. */
static void test_tool_call_arguments(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	char p1[64], p2[64], expect[256];
	struct acc a;
	json_t *j;
	char *out;

	snprintf(p1, sizeof(p1), "{\"name\":\"%.9s", e->person);
	snprintf(p2, sizeof(p2), "%s\",\"to\":\"[[", e->person + 9);
	chunk_args(&s, 0, 0, p1);
	chunk_args(&s, 0, 0, p2);
	chunk_args(&s, 0, 0, "EMAIL_2B80321CC0]]\",\"cc\":\"[[EMA");
	chunk_args(&s, 0, 1, "{\"x\":\"" EMAIL_PH "\"}");
	chunk_finish(&s, 0, "tool_calls");
	add(&s, "data: [DONE]\n\n");
	out = run_whole(e, &s.b);
	read_back(out, &a);
	snprintf(expect, sizeof(expect), "{\"name\":\"O\\\"Brien \\\\ Jr\",\"to\":\"alice@example.com\",\"cc\":\"[[EMA");
	assert_buf(&a.args[0][0], expect);
	assert_buf(&a.args[0][1], "{\"x\":\"alice@example.com\"}");
	j = json_loads(a.args[0][1].p, 0, NULL);
	assert_non_null(j);
	json_decref(j);
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

static void resp_delta(struct stream *s, int seq, int output, const char *type, const char *delta)
{
	add(s, "event: %s\n", type);
	add_json(s, json_pack("{s:s, s:i, s:s, s:i, s:i, s:s, s:s}", "type", type, "sequence_number", seq,
			      "item_id", "msg_1", "output_index", output, "content_index", 0, "delta", delta,
			      "obfuscation", "xyz"));
}

static void test_responses_stream(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct acc a;
	char *out, *p, *done;

	add(&s, "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
		"\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"output\":[]}}\n\n");
	resp_delta(&s, 1, 0, "response.output_text.delta", "Hi [[EMAIL_2B8");
	resp_delta(&s, 2, 0, "response.output_text.delta", "0321CC0]]! [[EM");
	add(&s, "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\","
		"\"sequence_number\":3,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
		"\"text\":\"Hi " EMAIL_PH "! [[EM\"}\n\n");
	resp_delta(&s, 4, 1, "response.function_call_arguments.delta", "{\"to\":\"[[EMAIL_2B80321CC0]");
	resp_delta(&s, 5, 1, "response.function_call_arguments.delta", "]\"}");
	add(&s, "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":6,"
		"\"response\":{\"id\":\"resp_1\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":"
		"\"output_text\",\"text\":\"Hi " EMAIL_PH "! [[EM\"}]},{\"type\":\"function_call\",\"name\":\"f\","
		"\"arguments\":\"{\\\"to\\\":\\\"" EMAIL_PH "\\\"}\"}]}}\n\n");
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.resp_text, "Hi alice@example.com! [[EM");
	assert_buf(&a.resp_args, "{\"to\":\"alice@example.com\"}");
	/* the held "[[EM" went out as a delta event of its own, before .done */
	p = strstr(out, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
			"\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"sequence_number\":2,"
			"\"delta\":\"[[EM\"}\n\n");
	done = strstr(out, "event: response.output_text.done");
	assert_non_null(p);
	assert_true(p < done);
	assert_non_null(strstr(done, "\"text\":\"Hi alice@example.com! [[EM\""));
	assert_null(strstr(out, EMAIL_PH));
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

static void test_multiline_data_and_errors(void **state)
{
	struct env *e = *state;
	struct stream s = { .eol = "\n" };
	struct acc a;
	char *out;

	chunk_content(&s, 0, "a [[EMAIL");
	/* JSON spread over two data lines (legal SSE) */
	add(&s, "data: {\"choices\":[{\"index\":0,\n"
		"data: \"delta\":{\"content\":\"_2B80321CC0]] b\"}}]}\n\n");
	chunk_content(&s, 0, "c [[");
	/* an error event ends everything held, then passes (restored) */
	add(&s, "data: {\"error\":{\"message\":\"stopped at " EMAIL_PH "\"}}\n\n");
	out = run_whole(e, &s.b);
	read_back(out, &a);
	assert_buf(&a.content[0], "a alice@example.com bc [[");
	assert_non_null(strstr(out, "stopped at alice@example.com"));
	acc_fini(&a);
	check_cuts(e, &s.b, out);
	free(out);
	vault_buf_fini(&s.b);
}

static void test_event_too_large(void **state)
{
	struct env *e = *state;
	struct sse_restorer *r = sse_restorer_new(e->v);
	struct vault_buf out = { 0 };
	char *big = malloc(SSE_MAX_EVENT_BYTES / 4);

	memset(big, 'a', SSE_MAX_EVENT_BYTES / 4);
	assert_int_equal(sse_restorer_feed(r, "data: ", 6, &out), 0);
	assert_int_equal(sse_restorer_feed(r, big, SSE_MAX_EVENT_BYTES / 4, &out), 0);
	assert_int_equal(sse_restorer_feed(r, big, SSE_MAX_EVENT_BYTES / 4, &out), 0);
	assert_int_equal(sse_restorer_feed(r, big, SSE_MAX_EVENT_BYTES / 4, &out), 0);
	assert_int_equal(sse_restorer_feed(r, big, SSE_MAX_EVENT_BYTES / 4, &out), -EMSGSIZE);
	free(big);
	vault_buf_fini(&out);
	sse_restorer_free(r);
	assert_null(sse_restorer_free(NULL));
}

/* A long stream: what the restorer holds never depends on how long it is. */
static void test_memory_bound(void **state)
{
	struct env *e = *state;
	struct sse_restorer *r = sse_restorer_new(e->v);
	struct vault_buf in = { 0 }, out = { 0 };
	size_t max_held = 0, restored = 0, i, events = 200000;
	const char *ev[] = {
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"text [[EMAIL_2B\"}}]}\n\n",
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"80321CC0]] [\"}}]}\n\n",
	};

	for (i = 0; i < events; i++) {
		size_t pos = 0;

		in.len = 0;
		vault_buf_add(&in, ev[i % 2], strlen(ev[i % 2]));
		while (pos < in.len) {   /* reads of 13 bytes */
			size_t n = in.len - pos < 13 ? in.len - pos : 13;

			assert_int_equal(sse_restorer_feed(r, in.p + pos, n, &out), 0);
			pos += n;
			if (sse_restorer_buffered(r) > max_held)
				max_held = sse_restorer_buffered(r);
		}
		/* the proxy writes what came out and reuses the buffer */
		for (const char *p = out.p; out.len && (p = strstr(p, "alice@example.com")); p++)
			restored++;
		out.len = 0;
	}
	assert_int_equal(sse_restorer_finish(r, &out), 0);
	assert_int_equal(restored, events / 2);
	/* one incomplete event plus one held tail */
	assert_true(max_held < 200);
	assert_true(out.cap < 4096);
	vault_buf_fini(&in);
	vault_buf_fini(&out);
	sse_restorer_free(r);
}

static void test_feed_after_finish(void **state)
{
	struct env *e = *state;
	struct sse_restorer *r = sse_restorer_new(e->v);
	struct vault_buf out = { 0 };

	assert_int_equal(sse_restorer_finish(r, &out), 0);
	assert_int_equal(sse_restorer_finish(r, &out), 0);
	assert_int_equal(sse_restorer_feed(r, "x", 1, &out), -EINVAL);
	vault_buf_fini(&out);
	sse_restorer_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_passthrough, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_split_placeholders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiple_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tool_call_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_responses_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiline_data_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_after_finish, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
