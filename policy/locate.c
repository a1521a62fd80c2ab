/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Find where the value at a JSON path starts in the source text.
 *
 * jansson reports positions for syntax errors only, but a policy error is
 * useless without a line: "tenants[3].egress[1].ports[0]" in a 2000-line
 * file is not something a person can find.  This walks the text once along
 * the path, skipping sibling values without building them, and counts lines
 * and columns the way jansson does (columns in characters, '\n' only), so
 * syntax and semantic errors read alike.
 *
 * The text may be anything (the fuzzer and policy_locate() feed it
 * arbitrary bytes): every step is bounds-checked and skipping is iterative,
 * so malformed or deeply nested input ends in -EINVAL, never a crash.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct cursor {
	const char *text;
	size_t len;
	struct policy_pos pos;
};

static int cur_eof(const struct cursor *c)
{
	return c->pos.offset >= c->len;
}

static char cur_peek(const struct cursor *c)
{
	return cur_eof(c) ? '\0' : c->text[c->pos.offset];
}

/* A column is a character: UTF-8 continuation bytes do not advance it. */
static void cur_next(struct cursor *c)
{
	unsigned char b;

	if (cur_eof(c))
		return;
	b = (unsigned char)c->text[c->pos.offset++];
	if (b == '\n') {
		c->pos.line++;
		c->pos.column = 1;
	} else if ((b & 0xc0) != 0x80) {
		c->pos.column++;
	}
}

static void cur_skip_ws(struct cursor *c)
{
	for (;;) {
		char ch = cur_peek(c);

		if (cur_eof(c) || (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r'))
			return;
		cur_next(c);
	}
}

static int hex4(const struct cursor *c, size_t at, unsigned *ret)
{
	unsigned v = 0;
	size_t i;

	if (at + 4 > c->len)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		char h = c->text[at + i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

static size_t utf8_put(unsigned cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode one escape after the backslash; *ret_n bytes of UTF-8 into out. */
static int unescape(struct cursor *c, char out[4], size_t *ret_n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char e = cur_peek(c);
	const char *hit;
	unsigned cp, lo;

	if (cur_eof(c))
		return -EINVAL;
	if (e != 'u') {
		hit = strchr(from, e);
		if (!hit || e == '\0')
			return -EINVAL;
		cur_next(c);
		out[0] = to[hit - from];
		*ret_n = 1;
		return 0;
	}
	if (hex4(c, c->pos.offset + 1, &cp) < 0)
		return -EINVAL;
	c->pos.offset += 5;
	c->pos.column += 5;
	/* A high surrogate followed by \uDC00-\uDFFF is one character. */
	if (cp >= 0xd800 && cp < 0xdc00 && c->pos.offset + 6 <= c->len &&
	    c->text[c->pos.offset] == '\\' && c->text[c->pos.offset + 1] == 'u' &&
	    hex4(c, c->pos.offset + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		c->pos.offset += 6;
		c->pos.column += 6;
	}
	*ret_n = utf8_put(cp, out);
	return 0;
}

/*
 * At an opening quote: consume the string and say whether its decoded value
 * equals key (key NULL: just skip).  1 equal, 0 different, -EINVAL broken.
 */
static int cur_string(struct cursor *c, const char *key, size_t key_len)
{
	size_t matched = 0;
	int same = 1;

	if (cur_peek(c) != '"')
		return -EINVAL;
	cur_next(c);
	for (;;) {
		char buf[4], ch;
		size_t n = 1;

		if (cur_eof(c))
			return -EINVAL;
		ch = cur_peek(c);
		cur_next(c);
		if (ch == '"')
			break;
		buf[0] = ch;
		if (ch == '\\' && unescape(c, buf, &n) < 0)
			return -EINVAL;
		if (!key || !same)
			continue;
		if (matched + n > key_len || memcmp(key + matched, buf, n) != 0)
			same = 0;
		else
			matched += n;
	}
	return key && same && matched == key_len;
}

/* Ends a scalar.  A NUL byte is not a delimiter: strchr() would say it is. */
static int is_delim(char ch)
{
	return ch != '\0' && strchr(",:{}[]\" \t\r\n", ch) != NULL;
}

/* Skip one value of any kind; nesting is counted, not recursed into. */
static int cur_skip_value(struct cursor *c)
{
	size_t depth = 0, start = c->pos.offset;

	for (;;) {
		char ch;

		cur_skip_ws(c);
		if (cur_eof(c))
			return -EINVAL;
		ch = cur_peek(c);
		if (ch == '"') {
			if (cur_string(c, NULL, 0) < 0)
				return -EINVAL;
		} else if (ch == '{' || ch == '[') {
			depth++;
			cur_next(c);
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return -EINVAL;
			depth--;
			cur_next(c);
		} else if (ch == ',' || ch == ':') {
			if (depth == 0)
				return -EINVAL;
			cur_next(c);
		} else {
			/* A scalar: true, null, -1.5e3 ... up to a delimiter. */
			size_t before = c->pos.offset;

			while (!cur_eof(c) && !is_delim(cur_peek(c)))
				cur_next(c);
			if (c->pos.offset == before)
				return -EINVAL;
		}
		if (depth == 0 && c->pos.offset > start)
			return 0;
	}
}

static int cur_expect(struct cursor *c, char ch)
{
	cur_skip_ws(c);
	if (cur_peek(c) != ch || cur_eof(c))
		return -EINVAL;
	cur_next(c);
	cur_skip_ws(c);
	return 0;
}

/* Move from '{' to the value of member key; ret_key gets the name's position. */
static int cur_member(struct cursor *c, const struct policy_seg *seg, struct policy_pos *ret_key)
{
	if (cur_expect(c, '{') < 0)
		return -EINVAL;
	if (cur_peek(c) == '}')
		return -ENOENT;
	for (;;) {
		struct policy_pos at = c->pos;
		int same = cur_string(c, seg->key, seg->key_len);

		if (same < 0 || cur_expect(c, ':') < 0)
			return -EINVAL;
		if (same) {
			*ret_key = at;
			return 0;
		}
		if (cur_skip_value(c) < 0)
			return -EINVAL;
		cur_skip_ws(c);
		if (cur_peek(c) == '}')
			return -ENOENT;
		if (cur_expect(c, ',') < 0)
			return -EINVAL;
	}
}

/* Move from '[' to element seg->index. */
static int cur_element(struct cursor *c, const struct policy_seg *seg)
{
	size_t i;

	if (cur_expect(c, '[') < 0)
		return -EINVAL;
	if (cur_peek(c) == ']')
		return -ENOENT;
	for (i = 0; i < seg->index; i++) {
		if (cur_skip_value(c) < 0)
			return -EINVAL;
		cur_skip_ws(c);
		if (cur_peek(c) == ']')
			return -ENOENT;
		if (cur_expect(c, ',') < 0)
			return -EINVAL;
	}
	return strchr(",]}", cur_peek(c)) && !cur_eof(c) ? -EINVAL : 0;
}

int policy_locate_segs(const char *text, size_t len, const struct policy_seg *seg, size_t n,
		       struct policy_pos *ret_value, struct policy_pos *ret_key)
{
	struct cursor c = {
		.text = text,
		.len = len,
		.pos = { .line = 1, .column = 1, .offset = 0 },
	};
	struct policy_pos key;
	size_t i;
	int r;

	if (!text)
		return -EINVAL;
	cur_skip_ws(&c);
	if (cur_eof(&c))
		return -EINVAL;
	key = c.pos;
	for (i = 0; i < n; i++) {
		if (seg[i].key) {
			r = cur_member(&c, &seg[i], &key);
		} else {
			r = cur_element(&c, &seg[i]);
			key = c.pos;
		}
		if (r < 0)
			return r;
	}
	if (cur_eof(&c))
		return -EINVAL;
	*ret_value = c.pos;
	if (ret_key)
		*ret_key = key;
	return 0;
}

/* "a.b[2][\"odd key\"]" -> segments; quoted keys are unescaped into scratch. */
static int path_parse(const char *path, struct policy_seg *seg, size_t max, char *scratch,
		      size_t *ret_n)
{
	const char *p = path;
	size_t n = 0;

	if (*p == '$' && (p[1] == '.' || p[1] == '[' || p[1] == '\0'))
		p += p[1] == '.' ? 2 : 1;
	while (*p) {
		if (n == max)
			return -EINVAL;
		if (*p == '[' && p[1] == '"') {
			seg[n].key = scratch;
			for (p += 2; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] == 'u') {
					unsigned cp;

					/* Only control characters are written this way. */
					if (!isxdigit((unsigned char)p[2]) || !isxdigit((unsigned char)p[3]) ||
					    !isxdigit((unsigned char)p[4]) || !isxdigit((unsigned char)p[5]) ||
					    sscanf(p + 2, "%4x", &cp) != 1 || cp > 0x1f)
						return -EINVAL;
					*scratch++ = (char)cp;
					p += 5;
					continue;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*scratch++ = *p;
			}
			if (p[0] != '"' || p[1] != ']')
				return -EINVAL;
			seg[n].key_len = (size_t)(scratch - seg[n].key);
			p += 2;
		} else if (*p == '[') {
			char *end;
			unsigned long v;

			if (p[1] < '0' || p[1] > '9')
				return -EINVAL;
			v = strtoul(p + 1, &end, 10);
			if (*end != ']')
				return -EINVAL;
			seg[n].key = NULL;
			seg[n].index = v;
			p = end + 1;
		} else {
			if (*p == '.' && n > 0)
				p++;
			seg[n].key = p;
			seg[n].key_len = strcspn(p, ".[");
			if (seg[n].key_len == 0)
				return -EINVAL;
			p += seg[n].key_len;
		}
		n++;
	}
	*ret_n = n;
	return 0;
}

int policy_locate(const char *text, size_t len, const char *path, int *ret_line, int *ret_column)
{
	struct policy_seg seg[32];
	struct policy_pos pos;
	char *scratch;
	size_t n = 0;
	int r;

	if (!text || !path)
		return -EINVAL;
	scratch = malloc(strlen(path) + 1);
	if (!scratch)
		return -ENOMEM;
	r = path_parse(path, seg, sizeof(seg) / sizeof(seg[0]), scratch, &n);
	if (r == 0)
		r = policy_locate_segs(text, len, seg, n, &pos, NULL);
	free(scratch);
	if (r < 0)
		return r;
	*ret_line = pos.line;
	*ret_column = pos.column;
	return 0;
}
