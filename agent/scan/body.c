// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body.h"

#define JSON_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
#define JSON_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

struct walk {
	const struct body_opts *o;
	size_t max_findings;
	unsigned max_depth;
	struct scan_result sr;
	struct vault_buf path;
	struct body_finding *fv;
	size_t fn, fcap;
	bool blocked;
	size_t block;
	size_t rewritten;
	bool changed;
};

/* Values the API interprets: rewriting them would break the request. */
static const char *const skip_keys[] = {
	"call_id", "detail", "encoding_format", "format", "id", "include", "item_id",
	"modalities", "model", "object", "previous_response_id", "reasoning_effort", "role",
	"service_tier", "status", "tool_call_id", "tool_choice", "truncation", "type", "voice",
};

static void set_error(struct body_error *err, int line, int column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

enum body_api body_api_from_path(const char *path)
{
	static const struct {
		const char *suffix;
		enum body_api api;
	} map[] = {
		{ "/chat/completions", BODY_API_CHAT },
		{ "/completions", BODY_API_COMPLETIONS },
		{ "/embeddings", BODY_API_EMBEDDINGS },
		{ "/responses", BODY_API_RESPONSES },
	};
	size_t n, i;

	if (!path)
		return BODY_API_GENERIC;
	n = strcspn(path, "?#");
	while (n > 1 && path[n - 1] == '/')
		n--;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t sl = strlen(map[i].suffix);

		if (n >= sl && !memcmp(path + n - sl, map[i].suffix, sl))
			return map[i].api;
	}
	return BODY_API_GENERIC;
}

/* Nesting of text, counted without building it, so jansson never recurses deeper than max. */
static bool depth_within(const char *s, size_t n, unsigned max)
{
	unsigned d = 0;
	bool in_str = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++d > max)
				return false;
		} else if ((c == ']' || c == '}') && d) {
			d--;
		}
	}
	return true;
}

static bool is_ident(const char *k)
{
	size_t i;

	if (!*k || (*k >= '0' && *k <= '9'))
		return false;
	for (i = 0; k[i]; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Appends ".key" or ["key"]; returns the length to pop back to. */
static size_t path_push_key(struct walk *w, const char *key)
{
	size_t old = w->path.len;
	json_t *s;
	char *q;
	int err;

	if (is_ident(key)) {
		err = old ? vault_buf_add(&w->path, ".", 1) : 0;
		if (!err)
			err = vault_buf_add(&w->path, key, strlen(key));
	} else {
		s = json_string(key);
		q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
		err = !q || vault_buf_add(&w->path, "[", 1) ||
		      vault_buf_add(&w->path, q, strlen(q)) || vault_buf_add(&w->path, "]", 1);
		free(q);
		json_decref(s);
	}
	if (err)
		w->path.len = old;   /* a path is best effort */
	return old;
}

static size_t path_push_index(struct walk *w, size_t i)
{
	size_t old = w->path.len;
	char b[32];
	int n = snprintf(b, sizeof(b), "[%zu]", i);

	if (vault_buf_add(&w->path, b, (size_t)n))
		w->path.len = old;
	return old;
}

static void path_pop(struct walk *w, size_t old)
{
	w->path.len = old;
	if (w->path.p)
		w->path.p[old] = '\0';
}

static int record(struct walk *w, const struct scan_finding *f)
{
	struct body_finding *bf;
	size_t plen = w->path.len < BODY_PATH_MAX ? w->path.len : BODY_PATH_MAX;

	if (w->fn >= w->max_findings)
		return -E2BIG;
	if (w->fn == w->fcap) {
		size_t cap = w->fcap ? w->fcap * 2 : 16;

		bf = realloc(w->fv, cap * sizeof(*bf));
		if (!bf)
			return -ENOMEM;
		w->fv = bf;
		w->fcap = cap;
	}
	bf = &w->fv[w->fn];
	bf->path = strndup(w->path.p ? w->path.p : "", plen);
	if (!bf->path)
		return -ENOMEM;
	bf->f = *f;
	if (f->action == SCAN_ACT_BLOCK && !w->blocked) {
		w->blocked = true;
		w->block = w->fn;
	}
	w->fn++;
	return 0;
}

/* A part we cannot scan (token ids, binary data): reported unless allowed. */
static int unscannable(struct walk *w, enum scan_action a, const char *type, const char *detail)
{
	struct scan_finding f = {
		.category = SCAN_CAT_CUSTOM,
		.confidence = SCAN_CONF_HIGH,
		.action = a,
	};

	if (a == SCAN_ACT_ALLOW)
		return 0;
	snprintf(f.type, sizeof(f.type), "%s", type);
	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	return record(w, &f);
}

/* Scan one string, record its findings, rewrite it in place. */
static int scan_one(struct walk *w, const char *s, size_t n, struct transform_result *tr)
{
	const struct body_opts *o = w->o;
	size_t i;
	int err;

	scan_result_reset(&w->sr);
	err = o->scan(o->scan_ctx, s, n, &w->sr);
	if (err)
		return err < 0 ? err : -EIO;
	for (i = 0; i < w->sr.n; i++) {
		if (o->decide)
			o->decide(o->decide_ctx, &w->sr.v[i]);
		err = record(w, &w->sr.v[i]);
		if (err)
			return err;
	}
	if (!w->sr.n || w->blocked)
		return 0;
	return transform_apply(&o->xform, s, n, w->sr.v, w->sr.n, tr);
}

static int scan_string(struct walk *w, json_t *str)
{
	struct transform_result tr = { 0 };
	int err;

	err = scan_one(w, json_string_value(str), json_string_length(str), &tr);
	if (!err && tr.rewritten) {
		if (json_string_setn_nocheck(str, tr.text, tr.len))
			err = -ENOMEM;
		w->rewritten += tr.rewritten;
		w->changed = true;
	}
	transform_result_fini(&tr);
	return err;
}

static int walk_value(struct walk *w, json_t *v, const char *key, unsigned depth, bool generic);

/* function.arguments: JSON text inside a string.  Rewrite its strings, keep it JSON. */
static int scan_nested(struct walk *w, json_t *str, unsigned depth)
{
	const char *s = json_string_value(str);
	size_t n = json_string_length(str);
	bool outer_changed = w->changed;
	unsigned room = w->max_depth > depth ? w->max_depth - depth : 0;
	json_t *doc = NULL;
	char *out;
	int err;

	if (room && depth_within(s, n, room))
		doc = json_loadb(s, n, JSON_LOAD_FLAGS | JSON_DECODE_ANY, NULL);
	if (!doc)
		return scan_string(w, str);
	w->changed = false;
	err = walk_value(w, doc, NULL, depth, true);
	if (!err && w->changed && !w->blocked) {
		out = json_dumps(doc, JSON_DUMP_FLAGS | JSON_ENCODE_ANY);
		if (!out || json_string_set_nocheck(str, out))
			err = -ENOMEM;
		free(out);
	}
	w->changed = w->changed || outer_changed;
	json_decref(doc);
	return err;
}

static bool key_in(const char *key, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(key, set[i]))
			return true;
	return false;
}

/* name beside arguments/parameters, or under "function": a function name */
static bool is_function_name(const char *key, json_t *parent, const char *parent_key)
{
	if (strcmp(key, "name"))
		return false;
	return (parent_key && !strcmp(parent_key, "function")) ||
	       json_object_get(parent, "arguments") || json_object_get(parent, "parameters");
}

static bool is_data_url(json_t *v)
{
	return json_is_string(v) && json_string_length(v) >= 5 &&
	       !strncasecmp(json_string_value(v), "data:", 5);
}

/* The kind of binary payload at parent_key.key, or NULL. */
static const char *binary_kind(const char *key, json_t *v, const char *parent_key)
{
	if (!strcmp(key, "file_data"))
		return "file";
	if (!strcmp(key, "data") && parent_key && !strcmp(parent_key, "input_audio"))
		return "audio";
	if (((!strcmp(key, "url") && parent_key && !strcmp(parent_key, "image_url")) ||
	     !strcmp(key, "image_url")) && is_data_url(v))
		return "image";
	return NULL;
}

static bool is_int_array(json_t *a)
{
	size_t i;
	json_t *e;

	if (!json_is_array(a) || !json_array_size(a))
		return false;
	json_array_foreach(a, i, e)
		if (!json_is_integer(e))
			return false;
	return true;
}

/* int[] or int[][] */
static bool is_token_array(json_t *a)
{
	size_t i;
	json_t *e;

	if (is_int_array(a))
		return true;
	if (!json_is_array(a) || !json_array_size(a))
		return false;
	json_array_foreach(a, i, e)
		if (!is_int_array(e))
			return false;
	return true;
}

/* Known endpoints: returns 1 when the member was handled here, 0 to walk it normally. */
static int member_special(struct walk *w, const char *key, json_t *v, json_t *parent,
			  const char *parent_key, unsigned depth)
{
	enum body_api api = w->o->api;
	const char *kind;

	if (json_is_string(v) && (key_in(key, skip_keys, sizeof(skip_keys) / sizeof(*skip_keys)) ||
				  is_function_name(key, parent, parent_key)))
		return 1;
	if (json_is_array(v) && key_in(key, skip_keys, sizeof(skip_keys) / sizeof(*skip_keys)))
		return 1;
	kind = binary_kind(key, v, parent_key);
	if (kind && json_is_string(v)) {
		int err = unscannable(w, w->o->binary, "BINARY_DATA", kind);

		return err ? err : 1;
	}
	if (!strcmp(key, "arguments") && json_is_string(v)) {
		int err = scan_nested(w, v, depth);

		return err ? err : 1;
	}
	if (depth == 1 && is_token_array(v) &&
	    ((api == BODY_API_EMBEDDINGS && !strcmp(key, "input")) ||
	     (api == BODY_API_COMPLETIONS && !strcmp(key, "prompt")))) {
		int err = unscannable(w, w->o->token_arrays, "TOKEN_IDS", "token-array-input");

		return err ? err : 1;
	}
	return 0;
}

static int walk_object(struct walk *w, json_t *obj, const char *obj_key, unsigned depth,
		       bool generic)
{
	const char *key;
	json_t *v;
	int err = 0;

	json_object_foreach(obj, key, v) {
		size_t mark = path_push_key(w, key);

		err = generic ? 0 : member_special(w, key, v, obj, obj_key, depth);
		if (!err)
			err = walk_value(w, v, key, depth, generic);
		path_pop(w, mark);
		if (err < 0)
			return err;
	}
	return 0;
}

/* key: the member name v sits under (for array elements, the array's) */
static int walk_value(struct walk *w, json_t *v, const char *key, unsigned depth, bool generic)
{
	size_t i, mark;
	json_t *e;
	int err;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return scan_string(w, v);
	case JSON_OBJECT:
		return walk_object(w, v, key, depth + 1, generic);
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			mark = path_push_index(w, i);
			err = walk_value(w, e, key, depth + 1, generic);
			path_pop(w, mark);
			if (err)
				return err;
		}
		return 0;
	default:
		return 0;
	}
}

static json_t *load(const char *json, size_t len, size_t max_bytes, unsigned max_depth,
		    size_t flags, struct body_error *err, int *ret_err)
{
	json_error_t je;
	json_t *root;

	if (len > max_bytes) {
		set_error(err, 0, 0, "body of %zu bytes exceeds the %zu-byte limit", len,
			  max_bytes);
		*ret_err = -EMSGSIZE;
		return NULL;
	}
	if (!depth_within(json, len, max_depth)) {
		set_error(err, 0, 0, "JSON nested deeper than %u levels", max_depth);
		*ret_err = -EMSGSIZE;
		return NULL;
	}
	root = json_loadb(json, len, flags, &je);
	if (!root) {
		set_error(err, je.line, je.column, "invalid JSON: %s", je.text);
		*ret_err = -EINVAL;
	}
	return root;
}

static void walk_fini(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->fn; i++)
		free(w->fv[i].path);
	free(w->fv);
	scan_result_free(&w->sr);
	vault_buf_fini(&w->path);
}

int body_rewrite_request(const struct body_opts *o, const char *json, size_t len,
			 struct body_error *err, struct body_result *ret)
{
	struct walk w = {
		.o = o,
		.max_findings = o->max_findings ? o->max_findings : BODY_MAX_FINDINGS,
		.max_depth = o->max_depth ? o->max_depth : BODY_MAX_DEPTH,
	};
	struct body_result res = { 0 };
	json_t *root;
	int rc = 0;

	if (!o->scan || (!json && len)) {
		set_error(err, 0, 0, "no scanner");
		return -EINVAL;
	}
	root = load(json, len, o->max_bytes ? o->max_bytes : BODY_MAX_BYTES, w.max_depth,
		    JSON_LOAD_FLAGS, err, &rc);
	if (!root)
		return rc;
	rc = walk_value(&w, root, NULL, 0, o->api == BODY_API_GENERIC);
	if (rc) {
		set_error(err, 0, 0, "scanning the body: %s", strerror(-rc));
		goto out_free;
	}
	if (w.changed && !w.blocked) {
		res.body = json_dumps(root, JSON_DUMP_FLAGS);
		if (!res.body) {
			rc = -ENOMEM;
			goto out_free;
		}
		res.len = strlen(res.body);
	}
	res.blocked = w.blocked;
	res.block = w.block;
	res.rewritten = w.blocked ? 0 : w.rewritten;
	res.findings = w.fv;
	res.n_findings = w.fn;
	w.fv = NULL;
	w.fn = 0;
	*ret = res;
out_free:
	json_decref(root);
	walk_fini(&w);
	return rc;
}

void body_result_fini(struct body_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_findings; i++)
		free(r->findings[i].path);
	free(r->findings);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* --- responses ------------------------------------------------------------ */

static int restore_value(json_t *v, const struct vault *vault, const char *key, unsigned depth);

static int restore_string(json_t *str, const struct vault *vault, unsigned flags)
{
	const char *s = json_string_value(str);
	size_t n = json_string_length(str), out_len = 0;
	char *out = NULL;
	int r;

	if (!memmem(s, n, "[[", 2))
		return 0;
	r = vault_restore(vault, s, n, flags, &out, &out_len);
	if (r > 0 && json_string_setn_nocheck(str, out, out_len))
		r = -ENOMEM;
	free(out);
	return r;
}

/* arguments: restore inside the decoded document so values are escaped as JSON */
static int restore_nested(json_t *str, const struct vault *vault, unsigned depth)
{
	const char *s = json_string_value(str);
	size_t n = json_string_length(str);
	unsigned room = BODY_MAX_DEPTH > depth ? BODY_MAX_DEPTH - depth : 0;
	json_t *doc = NULL;
	char *out;
	int r;

	if (!memmem(s, n, "[[", 2))
		return 0;
	if (room && depth_within(s, n, room))
		doc = json_loadb(s, n, JSON_LOAD_FLAGS | JSON_DECODE_ANY, NULL);
	if (!doc)   /* cut short or not JSON: values most likely sit inside string literals */
		return restore_string(str, vault, VAULT_RESTORE_JSON);
	r = restore_value(doc, vault, NULL, depth);
	if (r > 0) {
		out = json_dumps(doc, JSON_DUMP_FLAGS | JSON_ENCODE_ANY);
		if (!out || json_string_set_nocheck(str, out))
			r = -ENOMEM;
		free(out);
	}
	json_decref(doc);
	return r;
}

static int restore_value(json_t *v, const struct vault *vault, const char *key, unsigned depth)
{
	const char *k;
	json_t *e;
	size_t i;
	int r, total = 0;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (key && !strcmp(key, "arguments"))
			return restore_nested(v, vault, depth);
		return restore_string(v, vault, 0);
	case JSON_OBJECT:
		json_object_foreach(v, k, e) {
			r = restore_value(e, vault, k, depth + 1);
			if (r < 0)
				return r;
			total += r;
		}
		return total;
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			r = restore_value(e, vault, key, depth + 1);
			if (r < 0)
				return r;
			total += r;
		}
		return total;
	default:
		return 0;
	}
}

int body_restore_json(json_t *root, const struct vault *v)
{
	if (!root || !vault_count(v))
		return 0;
	return restore_value(root, v, NULL, 0);
}

int body_restore_response(const char *json, size_t len, const struct vault *v,
			  struct body_error *err, char **ret_json, size_t *ret_len)
{
	json_t *root;
	char *out;
	int rc = 0;

	/* Placeholders are plain ASCII that no JSON encoder escapes: no "[[", nothing to do. */
	if (!vault_count(v) || !memmem(json, len, "[[", 2)) {
		*ret_json = NULL;
		*ret_len = 0;
		return 0;
	}
	root = load(json, len, BODY_RESTORE_MAX_BYTES, BODY_MAX_DEPTH, JSON_LOAD_FLAGS, err, &rc);
	if (!root)
		return rc;
	rc = body_restore_json(root, v);
	if (rc > 0) {
		out = json_dumps(root, JSON_DUMP_FLAGS);
		if (!out) {
			rc = -ENOMEM;
		} else {
			*ret_json = out;
			*ret_len = strlen(out);
		}
	} else if (!rc) {
		*ret_json = NULL;
		*ret_len = 0;
	}
	json_decref(root);
	return rc;
}
