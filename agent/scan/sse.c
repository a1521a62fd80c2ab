// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "sse.h"

#define JSON_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* A text stream whose pieces arrive in consecutive events. */
enum stream_kind {
	ST_CHAT_CONTENT,        /* choices[a].delta.content */
	ST_CHAT_REFUSAL,        /* choices[a].delta.refusal */
	ST_CHAT_TEXT,           /* choices[a].text (legacy completions) */
	ST_CHAT_ARGS,           /* choices[a].delta.tool_calls[index b].function.arguments */
	ST_RESP_TEXT,           /* response.output_text.delta, output a, content b */
	ST_RESP_REFUSAL,        /* response.refusal.delta */
	ST_RESP_ARGS,           /* response.function_call_arguments.delta, output a */
};

/* A stream holding back a tail that may begin a placeholder. */
struct held {
	enum stream_kind kind;
	json_int_t a, b;
	unsigned long serial;   /* event that last fed it */
	json_t *tmpl;           /* Responses: the delta event to rebuild, without "delta" */
	bool event_line;        /* Responses: the event had an "event:" line */
	size_t len;
	char text[VAULT_PLACEHOLDER_MAX];
};

struct sse_restorer {
	const struct vault *v;
	struct vault_buf in;    /* [head, len): the current event and an incomplete line */
	size_t head;
	size_t line;            /* start of the line being received */
	size_t scan;            /* next byte to examine */
	size_t ev_lines;        /* complete lines of the current event */
	char eol[3];            /* last line terminator seen, for events we build */
	struct held *hv;
	size_t hn, hcap;
	json_t *chat_tmpl;      /* id, object, created, model... of the last chat chunk */
	unsigned long serial;
	struct vault_buf data, text, piece;  /* scratch */
	bool finished;
};

static bool is_chat(enum stream_kind k)
{
	return k <= ST_CHAT_ARGS;
}

static unsigned restore_flags(enum stream_kind k)
{
	return k == ST_CHAT_ARGS || k == ST_RESP_ARGS ? VAULT_RESTORE_JSON : 0;
}

struct sse_restorer *sse_restorer_new(const struct vault *v)
{
	struct sse_restorer *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->v = v;
	memcpy(r->eol, "\n", 2);
	return r;
}

static void held_release(struct sse_restorer *r, struct held *h)
{
	json_decref(h->tmpl);
	*h = r->hv[--r->hn];
}

struct sse_restorer *sse_restorer_free(struct sse_restorer *r)
{
	if (!r)
		return NULL;
	while (r->hn)
		held_release(r, &r->hv[0]);
	free(r->hv);
	json_decref(r->chat_tmpl);
	vault_buf_fini(&r->in);
	vault_buf_fini(&r->data);
	vault_buf_fini(&r->text);
	vault_buf_fini(&r->piece);
	free(r);
	return NULL;
}

size_t sse_restorer_buffered(const struct sse_restorer *r)
{
	size_t n = r->in.len - r->head, i;

	for (i = 0; i < r->hn; i++)
		n += r->hv[i].len;
	return n;
}

static struct held *held_find(struct sse_restorer *r, enum stream_kind k, json_int_t a,
			      json_int_t b)
{
	size_t i;

	for (i = 0; i < r->hn; i++)
		if (r->hv[i].kind == k && r->hv[i].a == a && r->hv[i].b == b)
			return &r->hv[i];
	return NULL;
}

/* NULL when SSE_MAX_HELD streams already hold text: this one then is not held. */
static struct held *held_new(struct sse_restorer *r, enum stream_kind k, json_int_t a,
			     json_int_t b)
{
	struct held *h;

	if (r->hn == r->hcap) {
		size_t cap = r->hcap ? r->hcap * 2 : 4;

		if (cap > SSE_MAX_HELD)
			return NULL;
		h = realloc(r->hv, cap * sizeof(*h));
		if (!h)
			return NULL;
		r->hv = h;
		r->hcap = cap;
	}
	h = &r->hv[r->hn++];
	*h = (struct held){ .kind = k, .a = a, .b = b };
	return h;
}

static json_int_t int_or(json_t *j, json_int_t dflt)
{
	return json_is_integer(j) ? json_integer_value(j) : dflt;
}

/*
 * str is the next piece of stream (k, a, b): prepend what the stream held,
 * restore the safe prefix into str, hold the rest.  *changed when str differs.
 */
static int stream_push(struct sse_restorer *r, enum stream_kind k, json_int_t a, json_int_t b,
		       json_t *str, bool *changed, struct held **ret_h)
{
	struct held *h = held_find(r, k, a, b);
	size_t hold = r->finished ? 0 : vault_longest(r->v), cut, n;
	bool had = h && h->len;
	int nrest, err;

	r->text.len = 0;
	err = vault_buf_add(&r->text, h ? h->text : "", h ? h->len : 0);
	if (!err)
		err = vault_buf_add(&r->text, json_string_value(str), json_string_length(str));
	if (err)
		return err;
	n = r->text.len;
	cut = hold ? vault_partial_start(r->text.p, n, hold) : n;
	if (cut < n && !h)
		h = held_new(r, k, a, b);
	if (!h)
		cut = n;
	r->piece.len = 0;
	nrest = vault_restore_append(r->v, r->text.p, cut, restore_flags(k), &r->piece);
	if (nrest < 0)
		return nrest;
	if (had || cut < n || nrest > 0) {
		if (json_string_setn_nocheck(str, r->piece.p, r->piece.len))
			return -ENOMEM;
		*changed = true;
	}
	if (h && cut < n) {
		memcpy(h->text, r->text.p + cut, n - cut);
		h->len = n - cut;
		h->serial = r->serial;
		*ret_h = h;
	} else if (h) {
		held_release(r, h);
	}
	return 0;
}

/* The held tail of h, restored, as a new JSON string; h is released. */
static json_t *held_take(struct sse_restorer *r, struct held *h)
{
	json_t *s = NULL;

	r->piece.len = 0;
	if (vault_restore_append(r->v, h->text, h->len, restore_flags(h->kind), &r->piece) >= 0)
		s = json_stringn_nocheck(r->piece.p ? r->piece.p : "", r->piece.len);
	held_release(r, h);
	return s;
}

static int emit_data(struct sse_restorer *r, const char *event, json_t *obj,
		     struct vault_buf *out)
{
	char *s = json_dumps(obj, JSON_DUMP_FLAGS);
	size_t el = strlen(r->eol);
	int err = s ? 0 : -ENOMEM;

	if (!err && event &&
	    (vault_buf_add(out, "event: ", 7) || vault_buf_add(out, event, strlen(event)) ||
	     vault_buf_add(out, r->eol, el)))
		err = -ENOMEM;
	if (!err && (vault_buf_add(out, "data: ", 6) || vault_buf_add(out, s, strlen(s)) ||
		     vault_buf_add(out, r->eol, el) || vault_buf_add(out, r->eol, el)))
		err = -ENOMEM;
	free(s);
	return err;
}

/* The delta (or choice) member a held chat stream's text goes into. */
static int chat_put(json_t *choice, enum stream_kind k, json_int_t b, json_t *s)
{
	json_t *delta, *tcs, *tc;

	if (k == ST_CHAT_TEXT)
		return json_object_set_new(choice, "text", s);
	delta = json_object_get(choice, "delta");
	if (!json_is_object(delta)) {
		delta = json_object();
		if (json_object_set_new(choice, "delta", delta)) {
			json_decref(s);
			return -1;
		}
	}
	if (k == ST_CHAT_CONTENT)
		return json_object_set_new(delta, "content", s);
	if (k == ST_CHAT_REFUSAL)
		return json_object_set_new(delta, "refusal", s);
	tcs = json_object_get(delta, "tool_calls");
	if (!json_is_array(tcs)) {
		tcs = json_array();
		if (json_object_set_new(delta, "tool_calls", tcs)) {
			json_decref(s);
			return -1;
		}
	}
	tc = json_pack("{s:I, s:{s:o}}", "index", b, "function", "arguments", s);
	return json_array_append_new(tcs, tc);
}

/* A held stream as an event of its own, before an event that ends it. */
static int flush_one(struct sse_restorer *r, struct held *h, struct vault_buf *out)
{
	bool chat = is_chat(h->kind), event_line = h->event_line;
	enum stream_kind k = h->kind;
	json_int_t a = h->a, b = h->b;
	json_t *obj, *choice = NULL, *s;
	const char *event = NULL;
	int err = -ENOMEM;

	if (chat) {
		obj = r->chat_tmpl ? json_copy(r->chat_tmpl)
				   : json_pack("{s:s}", "object", "chat.completion.chunk");
		choice = json_pack("{s:I, s:{}, s:n}", "index", a, "delta", "finish_reason");
	} else {
		obj = json_copy(h->tmpl);
	}
	s = held_take(r, h);
	if (!obj || !s || (chat && !choice)) {
		json_decref(s);
		json_decref(choice);
		goto out_put;
	}
	if (chat) {
		/* choice stays valid: obj owns it */
		if (json_object_set_new(obj, "choices", json_pack("[o]", choice))) {
			json_decref(s);
			goto out_put;
		}
		if (k == ST_CHAT_TEXT)   /* legacy completions chunks carry no delta */
			json_object_del(choice, "delta");
		if (chat_put(choice, k, b, s))
			goto out_put;
	} else {
		if (json_object_set_new(obj, "delta", s))
			goto out_put;
		event = event_line ? json_string_value(json_object_get(obj, "type")) : NULL;
	}
	err = emit_data(r, event, obj, out);
out_put:
	json_decref(obj);
	return err;
}

/* Flush held streams: all, chat only (chat == 1), or Responses of output `output`. */
static int flush_where(struct sse_restorer *r, bool all, json_int_t output, bool any_output,
		       struct vault_buf *out)
{
	size_t i = 0;
	int err;

	while (i < r->hn) {
		struct held *h = &r->hv[i];

		if (!all && (is_chat(h->kind) || (!any_output && h->a != output))) {
			i++;
			continue;
		}
		err = flush_one(r, h, out);   /* releases h: hv[i] now holds another */
		if (err)
			return err;
	}
	return 0;
}

static int flush_all(struct sse_restorer *r, struct vault_buf *out)
{
	return flush_where(r, true, 0, true, out);
}

/* Keep the scalar members of the last chat chunk for the events we build. */
static void chat_template(struct sse_restorer *r, json_t *ev)
{
	json_t *t = json_object(), *v;
	const char *k;

	if (!t)
		return;
	json_object_foreach(ev, k, v) {
		if (strcmp(k, "choices") && strcmp(k, "usage") &&
		    (json_is_string(v) || json_is_number(v) || json_is_boolean(v)))
			json_object_set(t, k, v);
	}
	json_decref(r->chat_tmpl);
	r->chat_tmpl = t;
}

static const struct {
	enum stream_kind kind;
	bool in_delta;
	const char *name;
} chat_fields[] = {
	{ ST_CHAT_CONTENT, true, "content" },
	{ ST_CHAT_REFUSAL, true, "refusal" },
	{ ST_CHAT_TEXT, false, "text" },
};

static int chat_choice(struct sse_restorer *r, json_t *ch, json_int_t c, bool *changed,
		       bool *holding)
{
	json_t *delta = json_object_get(ch, "delta"), *fr = json_object_get(ch, "finish_reason");
	bool finished = fr && !json_is_null(fr), ends = finished || json_is_object(delta);
	json_t *tcs, *tc, *s;
	struct held *h;
	size_t i, j;
	int err;

	for (i = 0; i < sizeof(chat_fields) / sizeof(chat_fields[0]); i++) {
		json_t *where = chat_fields[i].in_delta ? delta : ch;
		enum stream_kind k = chat_fields[i].kind;

		s = json_is_object(where) ? json_object_get(where, chat_fields[i].name) : NULL;
		h = NULL;
		if (json_is_string(s)) {
			err = stream_push(r, k, c, 0, s, changed, &h);
			if (err)
				return err;
			*holding |= h != NULL;
		} else if ((k == ST_CHAT_TEXT ? finished : ends) && (h = held_find(r, k, c, 0))) {
			s = held_take(r, h);
			if (!s || chat_put(ch, k, 0, s))
				return -ENOMEM;
			*changed = true;
		}
	}
	delta = json_object_get(ch, "delta");
	tcs = json_is_object(delta) ? json_object_get(delta, "tool_calls") : NULL;
	json_array_foreach(tcs, j, tc) {
		json_t *args = json_object_get(json_object_get(tc, "function"), "arguments");
		json_int_t t = int_or(json_object_get(tc, "index"), (json_int_t)j);

		h = NULL;
		if (!json_is_string(args))
			continue;
		err = stream_push(r, ST_CHAT_ARGS, c, t, args, changed, &h);
		if (err)
			return err;
		*holding |= h != NULL;
	}
	/* tool calls not continued by this event of their choice are complete */
	for (i = 0; ends && i < r->hn;) {
		json_int_t b = r->hv[i].b;

		h = &r->hv[i];
		if (h->kind != ST_CHAT_ARGS || h->a != c || h->serial == r->serial) {
			i++;
			continue;
		}
		s = held_take(r, h);   /* hv[i] now holds another stream */
		if (!s || chat_put(ch, ST_CHAT_ARGS, b, s))
			return -ENOMEM;
		*changed = true;
	}
	s = json_object_get(ch, "message");
	if (json_is_object(s) && body_restore_json(s, r->v) > 0)
		*changed = true;
	return 0;
}

static int chat_event(struct sse_restorer *r, json_t *ev, bool *changed)
{
	json_t *choices = json_object_get(ev, "choices"), *ch;
	bool holding = false;
	size_t i;
	int err;

	json_array_foreach(choices, i, ch) {
		if (!json_is_object(ch))
			continue;
		err = chat_choice(r, ch, int_or(json_object_get(ch, "index"), (json_int_t)i),
				  changed, &holding);
		if (err)
			return err;
	}
	if (holding || !r->chat_tmpl)
		chat_template(r, ev);
	return 0;
}

static int resp_delta_kind(const char *type)
{
	if (!strcmp(type, "response.output_text.delta"))
		return ST_RESP_TEXT;
	if (!strcmp(type, "response.refusal.delta"))
		return ST_RESP_REFUSAL;
	if (!strcmp(type, "response.function_call_arguments.delta"))
		return ST_RESP_ARGS;
	return -1;
}

/* The members a delta event is rebuilt from. */
static json_t *resp_template(json_t *ev)
{
	static const char *const keep[] = {
		"type", "item_id", "output_index", "content_index", "sequence_number",
	};
	json_t *t = json_object(), *v;
	size_t i;

	for (i = 0; t && i < sizeof(keep) / sizeof(keep[0]); i++) {
		v = json_object_get(ev, keep[i]);
		if (v && !json_is_object(v) && !json_is_array(v))
			json_object_set(t, keep[i], v);
	}
	return t;
}

static int resp_event(struct sse_restorer *r, json_t *ev, const char *type, bool event_line,
		      bool *changed, struct vault_buf *out)
{
	int kind = resp_delta_kind(type), err;
	json_t *d = json_object_get(ev, "delta"), *oi;
	struct held *h = NULL;

	if (kind >= 0 && json_is_string(d)) {
		err = stream_push(r, (enum stream_kind)kind,
				  int_or(json_object_get(ev, "output_index"), -1),
				  int_or(json_object_get(ev, "content_index"), 0), d, changed, &h);
		if (err || !h)
			return err;
		json_decref(h->tmpl);
		h->tmpl = resp_template(ev);
		h->event_line = event_line;
		return h->tmpl ? 0 : -ENOMEM;
	}
	/*
	 * Anything else ends the held streams of its output item (all of them
	 * without one), except annotations, which arrive between the deltas.
	 */
	oi = json_object_get(ev, "output_index");
	if (!strstr(type, ".annotation.")) {
		err = flush_where(r, false, int_or(oi, 0), !json_is_integer(oi), out);
		if (err)
			return err;
	}
	if (body_restore_json(ev, r->v) > 0)
		*changed = true;
	return 0;
}

/* --- framing -------------------------------------------------------------- */

struct line {
	const char *p;
	size_t len;             /* without the terminator */
	size_t eol;             /* terminator bytes: 0 (last, unterminated), 1 or 2 */
};

/* The line at s[pos]; returns the offset of the next. */
static size_t line_at(const char *s, size_t n, size_t pos, struct line *l)
{
	size_t i = pos;

	while (i < n && s[i] != '\n' && s[i] != '\r')
		i++;
	l->p = s + pos;
	l->len = i - pos;
	l->eol = i == n ? 0 : (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
	return i + l->eol;
}

/* Field name and value of a line ("data: x" -> "data", "x"). */
static bool field_is(const struct line *l, const char *name, const char **ret_v, size_t *ret_n)
{
	size_t nl = strlen(name);
	const char *v;

	if (l->len < nl || memcmp(l->p, name, nl) || (l->len > nl && l->p[nl] != ':'))
		return false;
	v = l->len > nl ? l->p + nl + 1 : l->p + nl;
	*ret_n = l->len - (size_t)(v - l->p);
	if (*ret_n && *v == ' ') {
		v++;
		(*ret_n)--;
	}
	*ret_v = v;
	return true;
}

static int emit_rebuilt(const char *ev, size_t n, json_t *obj, struct vault_buf *out)
{
	char *s = json_dumps(obj, JSON_DUMP_FLAGS);
	bool first = true;
	size_t pos = 0;
	int err = s ? 0 : -ENOMEM;

	while (!err && pos < n) {
		struct line l;
		const char *v;
		size_t vn;

		pos = line_at(ev, n, pos, &l);
		if (!field_is(&l, "data", &v, &vn)) {
			err = vault_buf_add(out, l.p, l.len + l.eol);
		} else if (first) {
			first = false;
			err = vault_buf_add(out, "data: ", 6);
			if (!err)
				err = vault_buf_add(out, s, strlen(s));
			if (!err)
				err = vault_buf_add(out, l.p + l.len, l.eol);
		}
	}
	free(s);
	return err;
}

/*
 * Fast path: nothing held, and no placeholder or beginning of one in the data
 * ("[[", or a string ending in '[' as in ...[").  No encoder escapes '['.
 */
static bool nothing_to_do(const struct sse_restorer *r, const struct vault_buf *data)
{
	if (!vault_count(r->v))
		return true;
	return !r->hn && !memmem(data->p, data->len, "[[", 2) &&
	       !memmem(data->p, data->len, "[\"", 2);
}

/* One event: its lines up to and including the blank line (or the end of the stream). */
static int process_event(struct sse_restorer *r, const char *ev, size_t n, struct vault_buf *out)
{
	bool event_line = false, changed = false, any = false;
	json_t *obj, *choices, *type;
	size_t pos = 0, vn;
	const char *v, *d;
	int err = 0;

	r->data.len = 0;
	while (pos < n) {
		struct line l;

		pos = line_at(ev, n, pos, &l);
		if (field_is(&l, "data", &v, &vn)) {
			if ((any && vault_buf_add(&r->data, "\n", 1)) ||
			    vault_buf_add(&r->data, v, vn))
				return -ENOMEM;
			any = true;
		} else if (field_is(&l, "event", &v, &vn)) {
			event_line = true;
		}
		if (l.eol) {
			memcpy(r->eol, l.p + l.len, l.eol);
			r->eol[l.eol] = '\0';
		}
	}
	if (!any || nothing_to_do(r, &r->data))
		return vault_buf_add(out, ev, n);
	d = r->data.p;
	if (r->data.len >= 6 && !memcmp(d, "[DONE]", 6)) {
		err = flush_all(r, out);
		return err ? err : vault_buf_add(out, ev, n);
	}
	while (d < r->data.p + r->data.len && (*d == ' ' || *d == '\t'))
		d++;
	obj = *d == '{' ? json_loadb(r->data.p, r->data.len, JSON_ALLOW_NUL, NULL) : NULL;
	if (!json_is_object(obj)) {
		json_decref(obj);
		return vault_buf_add(out, ev, n);
	}
	r->serial++;
	choices = json_object_get(obj, "choices");
	type = json_object_get(obj, "type");
	if (json_is_array(choices)) {
		err = chat_event(r, obj, &changed);
	} else if (json_is_string(type) && !strncmp(json_string_value(type), "response.", 9)) {
		err = resp_event(r, obj, json_string_value(type), event_line, &changed, out);
	} else {
		err = flush_all(r, out);
		if (!err && body_restore_json(obj, r->v) > 0)
			changed = true;
	}
	if (!err)
		err = changed ? emit_rebuilt(ev, n, obj, out) : vault_buf_add(out, ev, n);
	json_decref(obj);
	return err;
}

/* Split what arrived into lines; dispatch each complete event. */
static int drain(struct sse_restorer *r, struct vault_buf *out, bool final)
{
	char *p = r->in.p;
	size_t i = r->scan, len = r->in.len, end;
	int err;

	while (i < len) {
		const char *q = memchr(p + i, '\n', len - i), *cr = memchr(p + i, '\r', len - i);

		if (cr && (!q || cr < q))
			q = cr;
		if (!q) {
			i = len;
			break;
		}
		i = (size_t)(q - p);
		if (p[i] == '\r' && i + 1 == len && !final)
			break;          /* "\r" or "\r\n": wait for the next byte */
		end = i + (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n' ? 2 : 1);
		if (i == r->line) {
			/* blank line: the event is complete */
			err = r->ev_lines ? process_event(r, p + r->head, end - r->head, out)
					  : vault_buf_add(out, p + r->head, end - r->head);
			if (err)
				return err;
			r->head = end;
			r->ev_lines = 0;
		} else if (!r->ev_lines && p[r->line] == ':') {
			/* a comment before any field: send it now (keep-alives) */
			err = vault_buf_add(out, p + r->line, end - r->line);
			if (err)
				return err;
			r->head = end;
		} else {
			r->ev_lines++;
		}
		r->line = end;
		i = end;
	}
	r->scan = i;
	return 0;
}

static void compact(struct sse_restorer *r)
{
	size_t rest = r->in.len - r->head;

	if (!r->head)
		return;
	memmove(r->in.p, r->in.p + r->head, rest);
	r->in.len = rest;
	r->scan -= r->head;
	r->line -= r->head;
	r->head = 0;
}

int sse_restorer_feed(struct sse_restorer *r, const char *bytes, size_t len,
		      struct vault_buf *out)
{
	int err;

	if (r->finished)
		return -EINVAL;
	err = vault_buf_add(&r->in, bytes, len);
	if (!err)
		err = drain(r, out, false);
	compact(r);
	if (!err && r->in.len > SSE_MAX_EVENT_BYTES)
		err = -EMSGSIZE;
	return err;
}

int sse_restorer_finish(struct sse_restorer *r, struct vault_buf *out)
{
	struct vault_buf last = { 0 };
	int err;

	if (r->finished)
		return 0;
	r->finished = true;     /* from here on nothing is held back */
	err = drain(r, out, true);
	/*
	 * An unterminated last event (clients drop it; it is passed on, restored)
	 * takes the held text of its own streams; the others are flushed before
	 * it, since nothing can follow its unterminated line.
	 */
	if (!err && r->in.len > r->head)
		err = process_event(r, r->in.p + r->head, r->in.len - r->head, &last);
	if (!err)
		err = flush_all(r, out);
	if (!err && last.len)
		err = vault_buf_add(out, last.p, last.len);
	vault_buf_fini(&last);
	r->head = r->in.len;
	compact(r);
	return err;
}
