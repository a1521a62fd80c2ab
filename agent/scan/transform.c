// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transform.h"

struct span {
	size_t start, end;       /* widened to character boundaries */
	size_t idx;              /* finding */
};

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Bytes of the character at s[0], never past n: a lead byte and its continuations. */
static size_t char_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1, i;

	for (i = 1; i < want && i < n && is_cont((unsigned char)s[i]); i++)
		;
	return i;
}

static bool is_alnum_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A character that a mask hides: ASCII letter or digit, or anything non-ASCII. */
static bool maskable(unsigned char c)
{
	return c >= 0x80 || is_alnum_ascii(c);
}

static int mask_generic(const char *s, size_t n, struct vault_buf *out)
{
	size_t i, k = 0, total = 0, keep;
	int err = 0;

	for (i = 0; i < n; i += char_len(s + i, n - i))
		total += maskable((unsigned char)s[i]);
	keep = total / 2 < TRANSFORM_MASK_KEEP ? total / 2 : TRANSFORM_MASK_KEEP;
	for (i = 0; i < n && !err;) {
		size_t cl = char_len(s + i, n - i);

		if (!maskable((unsigned char)s[i]) || k++ >= total - keep)
			err = vault_buf_add(out, s + i, cl);
		else
			err = vault_buf_add(out, "*", 1);
		i += cl;
	}
	return err;
}

static bool is_email_type(const char *type)
{
	return !strncasecmp(type, "EMAIL", 5);
}

/* first character of the local part, "***" (hides the length), "@domain" */
static int mask_email(const char *s, size_t n, const char *at, struct vault_buf *out)
{
	size_t local = (size_t)(at - s), first = local ? char_len(s, local) : 0;
	int err = 0;

	if (first < local)
		err = vault_buf_add(out, s, first);
	if (!err)
		err = vault_buf_add(out, "***", 3);
	if (!err)
		err = vault_buf_add(out, at, n - local);
	return err;
}

int transform_mask(const char *type, const char *value, size_t len, struct vault_buf *out)
{
	const char *at = len ? memrchr(value, '@', len) : NULL;
	size_t old = out->len;
	int err;

	if (type && is_email_type(type) && at)
		err = mask_email(value, len, at, out);
	else
		err = mask_generic(value, len, out);
	if (err)
		out->len = old;
	return err;
}

static int redact(const char *type, struct vault_buf *out)
{
	char label[SCAN_TYPE_LEN + 2];
	size_t n = 0, i;

	label[n++] = '[';
	for (i = 0; i < SCAN_TYPE_LEN && type[i]; i++) {
		unsigned char c = (unsigned char)type[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		label[n++] = is_alnum_ascii(c) ? (char)c : '_';
	}
	if (n == 1) {
		memcpy(label + 1, "REDACTED", 8);
		n += 8;
	}
	label[n++] = ']';
	return vault_buf_add(out, label, n);
}

static int tokenize(const struct transform_ctx *ctx, const struct scan_finding *f,
		    const char *value, size_t len, struct vault_buf *out)
{
	char ph[VAULT_PLACEHOLDER_MAX + 1];
	int n;

	if (!ctx || !ctx->vault)
		return -EINVAL;
	n = vault_tokenize(ctx->vault, ctx->key, ctx->key_len, f->type, value, len, ph);
	if (n < 0)
		return n;
	return vault_buf_add(out, ph, (size_t)n);
}

static bool rewrites(enum scan_action a)
{
	return a == SCAN_ACT_MASK || a == SCAN_ACT_REDACT || a == SCAN_ACT_TOKENIZE;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Does span b beat span a: stronger action, then longer, then earlier? */
static bool stronger(const struct scan_finding *f, const struct span *a, const struct span *b)
{
	enum scan_action x = f[a->idx].action, y = f[b->idx].action;

	if (x != y)
		return y > x;
	return b->end - b->start > a->end - a->start;
}

static void widen(const char *text, size_t len, struct span *s)
{
	int i;

	for (i = 0; i < 3 && s->start > 0 && s->start < len &&
		    is_cont((unsigned char)text[s->start]); i++)
		s->start--;
	for (i = 0; i < 3 && s->end < len && is_cont((unsigned char)text[s->end]); i++)
		s->end++;
}

/* The spans merged and rewritten into out (emptied first). */
static int rewrite(const struct transform_ctx *ctx, const struct scan_finding *f,
		   const char *text, size_t len, struct span *sp, size_t nsp,
		   struct vault_buf *out, struct transform_result *res)
{
	size_t i = 0, pos = 0;
	int err;

	out->len = 0;
	err = vault_buf_reserve(out, len);
	qsort(sp, nsp, sizeof(*sp), span_cmp);
	while (!err && i < nsp) {
		struct span cl = sp[i], win = sp[i];
		const struct scan_finding *w;

		for (i++; i < nsp && sp[i].start < cl.end; i++) {
			if (sp[i].end > cl.end)
				cl.end = sp[i].end;
			if (stronger(f, &win, &sp[i]))
				win = sp[i];
		}
		w = &f[win.idx];
		err = vault_buf_add(out, text + pos, cl.start - pos);
		if (err)
			break;
		switch (w->action) {
		case SCAN_ACT_MASK:
			err = transform_mask(w->type, text + cl.start, cl.end - cl.start, out);
			break;
		case SCAN_ACT_REDACT:
			err = redact(w->type, out);
			break;
		default:
			err = tokenize(ctx, w, text + cl.start, cl.end - cl.start, out);
			break;
		}
		pos = cl.end;
		res->rewritten++;
	}
	if (!err)
		err = vault_buf_add(out, text + pos, len - pos);
	if (err)
		return err;
	res->text = out->p;
	res->len = out->len;
	return 0;
}

/* The first blocking finding into *res; false when none blocks. */
static bool find_block(const struct scan_finding *f, size_t n, struct transform_result *res)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].action == SCAN_ACT_BLOCK) {
			res->blocked = true;
			res->block = i;
			return true;
		}
	}
	return false;
}

int transform_apply_buf(const struct transform_ctx *ctx, const char *text, size_t len,
			const struct scan_finding *f, size_t n, struct transform_buf *b,
			struct transform_result *ret)
{
	struct transform_result res = { 0 };
	struct span *sp;
	size_t i, nsp = 0;
	int err;

	for (i = 0; i < n; i++)
		if (f[i].start > f[i].end || f[i].end > len)
			return -EINVAL;
	if (find_block(f, n, &res)) {
		*ret = res;
		return 0;
	}
	/* spans live in a byte buffer: malloc'ed or arena memory, aligned for them either way */
	b->spans.len = 0;
	if (n > SIZE_MAX / 2 / sizeof(*sp))
		return -ENOMEM;
	err = vault_buf_reserve(&b->spans, (n ? n : 1) * sizeof(*sp));
	if (err)
		return err;
	sp = (struct span *)(void *)b->spans.p;
	for (i = 0; i < n; i++) {
		if (!rewrites(f[i].action) || f[i].start == f[i].end)
			continue;
		sp[nsp] = (struct span){ .start = f[i].start, .end = f[i].end, .idx = i };
		widen(text, len, &sp[nsp++]);
	}
	err = rewrite(ctx, f, text, len, sp, nsp, &b->out, &res);
	if (err)
		return err;
	*ret = res;
	return 0;
}

int transform_apply(const struct transform_ctx *ctx, const char *text, size_t len,
		    const struct scan_finding *f, size_t n, struct transform_result *ret)
{
	struct transform_buf b = { 0 };
	int err = transform_apply_buf(ctx, text, len, f, n, &b, ret);

	vault_buf_fini(&b.spans);
	if (err || ret->blocked) {
		vault_buf_fini(&b.out);
		return err;
	}
	/* the text is the caller's now */
	return 0;
}

void transform_result_fini(struct transform_result *r)
{
	if (!r)
		return;
	free(r->text);
	memset(r, 0, sizeof(*r));
}
