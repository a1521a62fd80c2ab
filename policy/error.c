/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy errors: the JSON path being validated, and turning it into
 * file:line:column: key: reason.  A person fixes a policy from this one
 * line, so it must point at the value, not at the document.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void policy_path_key(struct policy_path *path, const char *key)
{
	if (path->depth == POLICY_PATH_DEPTH) {
		path->overflow++;
		return;
	}
	path->seg[path->depth++] = (struct policy_seg){ .key = key, .key_len = strlen(key) };
}

void policy_path_index(struct policy_path *path, size_t index)
{
	if (path->depth == POLICY_PATH_DEPTH) {
		path->overflow++;
		return;
	}
	path->seg[path->depth++] = (struct policy_seg){ .index = index };
}

void policy_path_pop(struct policy_path *path)
{
	if (path->overflow)
		path->overflow--;
	else if (path->depth)
		path->depth--;
}

/* Keys that read well after a dot; anything else is written ["..."]. */
static int key_is_plain(const char *key, size_t len)
{
	size_t i;

	if (len == 0 || !((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z') ||
			  key[0] == '_'))
		return 0;
	for (i = 1; i < len; i++) {
		char ch = key[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

struct sbuf {
	char *buf;
	size_t len, used;
};

static void sb_put(struct sbuf *sb, const char *s, size_t n)
{
	while (n-- && sb->used + 1 < sb->len)
		sb->buf[sb->used++] = *s++;
	sb->buf[sb->used] = '\0';
}

/* Control characters are escaped so that a hostile key cannot drive the
 * terminal the error is printed on. */
static void sb_put_quoted(struct sbuf *sb, const char *key, size_t len)
{
	size_t i;

	sb_put(sb, "[\"", 2);
	for (i = 0; i < len; i++) {
		char esc[8];
		unsigned char ch = (unsigned char)key[i];

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			sb_put(sb, esc, 2);
		} else if (ch < 0x20 || ch == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			sb_put(sb, esc, 6);
		} else {
			sb_put(sb, key + i, 1);
		}
	}
	sb_put(sb, "\"]", 2);
}

void policy_path_format(const struct policy_seg *seg, size_t n, char *buf, size_t len)
{
	struct sbuf sb = { .buf = buf, .len = len };
	size_t i;

	if (!len)
		return;
	buf[0] = '\0';
	if (n == 0) {
		sb_put(&sb, "$", 1);
		return;
	}
	for (i = 0; i < n; i++) {
		char num[32];

		if (!seg[i].key) {
			snprintf(num, sizeof(num), "[%zu]", seg[i].index);
			sb_put(&sb, num, strlen(num));
		} else if (key_is_plain(seg[i].key, seg[i].key_len)) {
			if (i > 0)
				sb_put(&sb, ".", 1);
			sb_put(&sb, seg[i].key, seg[i].key_len);
		} else {
			sb_put_quoted(&sb, seg[i].key, seg[i].key_len);
		}
	}
}

/*
 * Position of the deepest part of the path that exists in the text: a
 * missing required key is reported where its object starts.
 */
static void locate(struct policy_ctx *ctx, int at_key, struct policy_error *err)
{
	size_t n = ctx->path.depth;

	if (!ctx->text)
		return;
	for (;;) {
		struct policy_pos value, key;

		if (policy_locate_segs(ctx->text, ctx->text_len, ctx->path.seg, n, &value, &key) == 0) {
			const struct policy_pos *at = at_key && n == ctx->path.depth ? &key : &value;

			err->line = at->line;
			err->column = at->column;
			return;
		}
		if (n-- == 0)
			return;
	}
}

static int vfail(struct policy_ctx *ctx, int at_key, const char *fmt, va_list ap)
{
	struct policy_error *err = ctx->err;

	if (!err)
		return -EINVAL;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", ctx->file ? ctx->file : "<policy>");
	policy_path_format(ctx->path.seg, ctx->path.depth, err->key, sizeof(err->key));
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	locate(ctx, at_key, err);
	return -EINVAL;
}

int policy_fail(struct policy_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(ctx, 0, fmt, ap);
	va_end(ap);
	return r;
}

int policy_fail_key(struct policy_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(ctx, 1, fmt, ap);
	va_end(ap);
	return r;
}

int policy_fail_errno(struct policy_ctx *ctx, int errnum, const char *fmt, ...)
{
	struct policy_error *err = ctx->err;
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (!err)
		return -errnum;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", ctx->file ? ctx->file : "<policy>");
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -errnum;
}

void policy_error_format(const struct policy_error *err, char *buf, size_t len)
{
	if (!len)
		return;
	if (err->line > 0)
		snprintf(buf, len, "%s:%d:%d: %s: %s", err->file, err->line, err->column, err->key,
			 err->reason);
	else if (err->key[0])
		snprintf(buf, len, "%s: %s: %s", err->file, err->key, err->reason);
	else
		snprintf(buf, len, "%s: %s", err->file, err->reason);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp < 0xe000))
		return 0;
	return len;
}

/*
 * A JSON string of s whatever its bytes: file names need not be UTF-8 and a
 * reason cut at the end of its buffer may end inside a character, but the
 * JSON printed must still parse.  Invalid bytes become '?'.
 */
json_t *policy_json_string(const char *s)
{
	size_t n = strlen(s), i = 0, o = 0;
	json_t *j;
	char *copy;

	copy = malloc(n + 1);
	if (!copy)
		return NULL;
	while (i < n) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);

		if (k == 0) {
			copy[o++] = '?';
			i++;
			continue;
		}
		memcpy(copy + o, s + i, k);
		o += k;
		i += k;
	}
	j = json_stringn(copy, o);
	free(copy);
	return j;
}

json_t *policy_error_json(const struct policy_error *err)
{
	return json_pack("{s:o, s:i, s:i, s:o, s:o}", "file", policy_json_string(err->file), "line",
			 err->line, "column", err->column, "key", policy_json_string(err->key),
			 "reason", policy_json_string(err->reason));
}
