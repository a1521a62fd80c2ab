// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <strings.h>

#include "body.h"
#include "normalize.h"

/* The walk's first arena block is at most this (bytes). */
#define BODY_ARENA_MAX_FIRST (64u << 20)

/* Responses still go through jansson. */
#define JSON_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
#define JSON_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

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

/* --- request documents: one pass over the bytes, a token per value ---------- */

enum jtype { JT_OBJECT, JT_ARRAY, JT_STRING, JT_INT, JT_REAL, JT_LITERAL };

/*
 * One value or object key, in document order.  An object's tokens are its
 * keys and values alternating, an array's its elements; the subtree of token
 * i is [i + 1, next).
 */
struct jtok {
	uint32_t start, end;   /* its bytes in the text; a string's include the quotes */
	uint32_t next;
	uint32_t size;         /* containers: members or elements */
	uint32_t dec_off;      /* keys with escapes: the decoded key in jdoc.keys */
	uint32_t dec_len;
	uint8_t type;
	bool esc;              /* a string with escapes */
};

/* An open container while parsing; an object's keys so far are jdoc.kv[kbase..). */
struct jopen {
	uint32_t tok;
	uint32_t kbase;
};

/* An object key for the duplicate check: the hash of its decoded bytes. */
struct jkey {
	uint64_t hash;
	uint32_t tok;
};

struct jdoc {
	const char *s;
	size_t len;
	struct vault_arena *arena;   /* where t, open, kv and keys grow; NULL: the heap */
	struct jtok *t;
	size_t n, cap;
	struct vault_buf keys;       /* decoded keys that had escapes */
	/* parsing only */
	struct jopen *open;
	size_t n_open, cap_open;
	struct jkey *kv;
	size_t n_kv, cap_kv;
	const char *why;             /* what is wrong at err_pos */
	size_t err_pos;
};

/* A view of bytes (not NUL-terminated). */
struct sv {
	const char *p;
	size_t n;
};

static const struct sv SV_NONE = { NULL, 0 };

static void jdoc_fini(struct jdoc *d)
{
	if (!d->arena) {
		free(d->t);
		free(d->open);
		free(d->kv);
	}
	vault_buf_fini(&d->keys);
}

/*
 * *v grown to at least want elements of size bytes, in arena a (NULL: the
 * heap): doubled, or the first time want exactly (when over 16).
 */
static int grow(struct vault_arena *a, void **v, size_t *cap, size_t want, size_t size)
{
	size_t c = *cap ? *cap : want > 16 ? want : 16;
	void *p;

	while (c < want)
		c *= 2;
	if (c > UINT32_MAX)
		return -ENOMEM;
	p = a ? vault_arena_realloc(a, *v, *cap * size, c * size) : realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static int fail(struct jdoc *d, size_t pos, const char *why)
{
	d->why = why;
	d->err_pos = pos;
	return -EINVAL;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	return i;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* \uXXXX at s (the backslash), or -1 */
static long hex4(const char *s, size_t n)
{
	long v = 0;
	int i, h;

	if (n < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Eight bytes at s hold no '"', '\\', control or non-ASCII byte. */
static bool plain8(const char *s)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t x, q, b;

	memcpy(&x, s, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return !((((q - ones) & ~q) | ((b - ones) & ~b) | (x - ones * 0x20) | x) & high);
}

/*
 * How many bytes from s[0..n) hold no '"', '\\', control or non-ASCII byte:
 * sixteen at a time where SSE2 is there (strings are most of a body's
 * bytes), then eight, and the caller looks at the rest one by one.
 */
static size_t plain_run(const char *s, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(s + i));
		/* signed: bytes >= 0x80 are negative, so "< 0x20" also takes non-ASCII */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
						      _mm_cmpeq_epi8(x, bslash)),
					 _mm_cmplt_epi8(x, space));
		unsigned int mask = (unsigned int)_mm_movemask_epi8(m);

		if (mask)
			return i + (size_t)__builtin_ctz(mask);
	}
#endif
	while (i + 8 <= n && plain8(s + i))
		i += 8;
	return i;
}

/*
 * The string whose opening quote is at *pi: checked (escapes, surrogate
 * pairs, UTF-8, no raw control characters), *pi moved past its closing quote.
 */
static int scan_str(struct jdoc *d, size_t *pi, bool *ret_esc)
{
	const char *s = d->s;
	size_t n = d->len, i = *pi + 1, k;
	bool esc = false;
	long cp, lo;
	uint32_t ucp;

	for (;;) {
		i += plain_run(s + i, n - i);
		if (i >= n)
			return fail(d, i, "premature end of input in a string");
		switch (s[i]) {
		case '"':
			*pi = i + 1;
			*ret_esc = esc;
			return 0;
		case '\\':
			esc = true;
			if (i + 1 >= n)
				return fail(d, i, "premature end of input in a string");
			if (strchr("\"\\/bfnrt", s[i + 1]) && s[i + 1]) {
				i += 2;
				break;
			}
			cp = hex4(s + i, n - i);
			if (cp < 0)
				return fail(d, i, "invalid escape");
			i += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(d, i - 6, "invalid Unicode escape (lone low surrogate)");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				lo = hex4(s + i, n - i);
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(d, i - 6, "invalid Unicode escape (lone high surrogate)");
				i += 6;
			}
			break;
		default:
			if ((unsigned char)s[i] < 0x20)
				return fail(d, i, "control character in a string");
			if ((unsigned char)s[i] < 0x80) {
				i++;
				break;
			}
			k = scan_utf8_decode((const unsigned char *)s + i, n - i, &ucp);
			if (!k)
				return fail(d, i, "invalid UTF-8");
			i += k;
		}
	}
}

/* Appends the UTF-8 of cp. */
static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The inside s[0..n) of a checked string with escapes, decoded and appended. */
static int unescape(const char *s, size_t n, struct vault_buf *out)
{
	size_t i = 0, run;
	int err = vault_buf_reserve(out, n);
	char *o;

	if (err)
		return err;
	o = out->p + out->len;
	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);
		uint32_t cp;

		run = bs ? (size_t)(bs - s) - i : n - i;
		memcpy(o, s + i, run);
		o += run;
		i += run;
		if (i >= n)
			break;
		switch (s[i + 1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			cp = (uint32_t)hex4(s + i, n - i);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     ((uint32_t)hex4(s + i + 6, n - i - 6) - 0xdc00);
				i += 6;
			}
			o += put_utf8(o, cp);   /* never longer than the escape */
			i += 4;
			break;
		default: *o++ = s[i + 1]; break;
		}
		i += 2;
	}
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
	return 0;
}

/*
 * 2^1024 - 2^970: the least decimal value strtod() rounds to infinity.  Real
 * numbers from here up are refused, as jansson (and json_loadb() before this
 * parser) refuses them.
 */
static const char dbl_overflow[] =
	"17976931348623158079372897140530341507993413271003782693617377898044"
	"49682927647509466490179775872070963302864166928879109465555478519404"
	"02630657488671505820681908902000708383676273854845817711531764475730"
	"27006985557136695962284291481986083493647529271907416844436551070434"
	"2711559699508093042880177904174497792";

/* The significant digits of a real (leading zeros and the point skipped) compared to dbl_overflow. */
static bool digits_overflow(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < sizeof(dbl_overflow) - 1; i++) {
		if (s[i] == '.' || (!k && s[i] == '0'))
			continue;
		if (s[i] != dbl_overflow[k])
			return s[i] > dbl_overflow[k];
		k++;
	}
	if (k < sizeof(dbl_overflow) - 1)
		return false;             /* a prefix of it: smaller */
	return true;                      /* equal or longer: rounds to infinity too */
}

/* A real number s[0..n) (grammar checked; mantissa m bytes) too large for a double. */
static bool real_overflow(const char *s, size_t n, size_t m)
{
	long long e = 0, exp10;
	size_t i = *s == '-', first = m, point = m;
	bool neg = false;

	for (; i < m; i++) {
		if (s[i] == '.')
			point = i;
		else if (s[i] != '0' && first == m)
			first = i;
	}
	if (first == m)
		return false;                        /* zero */
	i = m + 1;                                   /* the exponent, saturated */
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n; i++)
		if (e < 100000000)
			e = e * 10 + (s[i] - '0');
	if (neg)
		e = -e;
	/* the first significant digit is 10^exp10 */
	exp10 = first < point ? (long long)(point - first) - 1 : -(long long)(first - point);
	exp10 += e;
	if (exp10 != 308)
		return exp10 > 308;
	return digits_overflow(s + first, m - first);
}

/* The number at *pi: JSON grammar, integers within 64 bits, reals within a double. */
static int scan_num(struct jdoc *d, size_t *pi, enum jtype *ret_type)
{
	static const char int_max[] = "9223372036854775807", int_min[] = "9223372036854775808";
	const char *s = d->s;
	size_t n = d->len, i = *pi, digits, m;
	bool real = false;

#define DIGIT(j) ((j) < n && s[j] >= '0' && s[j] <= '9')
	if (s[i] == '-')
		i++;
	if (i < n && s[i] == '0') {
		i++;
	} else if (DIGIT(i)) {
		while (DIGIT(i))
			i++;
	} else {
		return fail(d, *pi, "invalid token");
	}
	if (DIGIT(i))
		return fail(d, *pi, "invalid token");   /* a leading zero */
	digits = i - *pi - (s[*pi] == '-');
	if (i < n && s[i] == '.') {
		real = true;
		if (!DIGIT(i + 1))
			return fail(d, *pi, "invalid token");
		for (i++; DIGIT(i); i++)
			;
	}
	m = i - *pi;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		real = true;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!DIGIT(i))
			return fail(d, *pi, "invalid token");
		while (DIGIT(i))
			i++;
	}
#undef DIGIT
	if (!real && (digits > 19 ||
		      (digits == 19 && memcmp(s + i - 19, s[*pi] == '-' ? int_min : int_max, 19) > 0)))
		return fail(d, *pi, "integer out of range");
	if (real && (i - *pi > m || m > 300) && real_overflow(s + *pi, i - *pi, m))
		return fail(d, *pi, "real number overflow");
	*pi = i;
	*ret_type = real ? JT_REAL : JT_INT;
	return 0;
}

static int push_tok(struct jdoc *d, enum jtype type, size_t start, uint32_t *ret)
{
	int err;

	if (d->n == d->cap) {
		err = grow(d->arena, (void **)&d->t, &d->cap, d->n + 1, sizeof(*d->t));
		if (err)
			return err;
	}
	d->t[d->n] = (struct jtok){ .start = (uint32_t)start, .type = (uint8_t)type };
	*ret = (uint32_t)d->n++;
	return 0;
}

/* The decoded bytes of the inside of string token t, in buf when it has escapes. */
static int str_get(const struct jdoc *d, const struct jtok *t, struct vault_buf *buf, struct sv *ret)
{
	int err;

	if (!t->esc) {
		*ret = (struct sv){ d->s + t->start + 1, t->end - t->start - 2 };
		return 0;
	}
	buf->len = 0;
	err = unescape(d->s + t->start + 1, t->end - t->start - 2, buf);
	if (err)
		return err;
	*ret = (struct sv){ buf->p, buf->len };
	return 0;
}

/* A key's decoded bytes (after parsing). */
static struct sv key_sv(const struct jdoc *d, const struct jtok *t)
{
	if (t->esc)
		return (struct sv){ d->keys.p + t->dec_off, t->dec_len };
	return (struct sv){ d->s + t->start + 1, t->end - t->start - 2 };
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* An object key (token tk, checked): decoded when escaped, remembered for the duplicate check. */
static int add_key(struct jdoc *d, uint32_t tk)
{
	struct jtok *t = &d->t[tk];
	struct sv k;
	size_t off = d->keys.len;
	int err;

	if (t->esc) {
		err = unescape(d->s + t->start + 1, t->end - t->start - 2, &d->keys);
		if (err)
			return err;
		t->dec_off = (uint32_t)off;
		t->dec_len = (uint32_t)(d->keys.len - off);
		if (memchr(d->keys.p + off, '\0', t->dec_len))
			return fail(d, t->start, "NUL byte in object key not supported");
	}
	if (d->n_kv == d->cap_kv) {
		err = grow(d->arena, (void **)&d->kv, &d->cap_kv, d->n_kv + 1, sizeof(*d->kv));
		if (err)
			return err;
	}
	k = key_sv(d, t);
	d->kv[d->n_kv++] = (struct jkey){ .hash = fnv1a(k.p, k.n), .tok = tk };
	return 0;
}

static int jkey_cmp(const void *a, const void *b, void *ctx)
{
	const struct jkey *x = a, *y = b;
	const struct jdoc *d = ctx;
	struct sv kx, ky;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	kx = key_sv(d, &d->t[x->tok]);
	ky = key_sv(d, &d->t[y->tok]);
	if (kx.n != ky.n)
		return kx.n < ky.n ? -1 : 1;
	c = memcmp(kx.p, ky.p, kx.n);
	return c ? c : (x->tok > y->tok) - (x->tok < y->tok);
}

static bool jkey_same(const struct jdoc *d, const struct jkey *x, const struct jkey *y)
{
	struct sv kx, ky;

	if (x->hash != y->hash)
		return false;
	kx = key_sv(d, &d->t[x->tok]);
	ky = key_sv(d, &d->t[y->tok]);
	return kx.n == ky.n && !memcmp(kx.p, ky.p, kx.n);
}

/* The keys of the object being closed, kv[base..]: no two the same. */
static int check_dups(struct jdoc *d, size_t base)
{
	size_t n = d->n_kv - base, i, j;
	struct jkey *k;

	if (n < 2)
		return 0;   /* and kv may still be NULL */
	k = d->kv + base;
	if (n <= 8) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (jkey_same(d, &k[i], &k[j]))
					return fail(d, d->t[k[i].tok].start, "duplicate object key");
		return 0;
	}
	qsort_r(k, n, sizeof(*k), jkey_cmp, d);
	for (i = 1; i < n; i++)
		if (jkey_same(d, &k[i], &k[i - 1]))
			return fail(d, d->t[k[i].tok].start, "duplicate object key");
	return 0;
}

static int open_container(struct jdoc *d, enum jtype type, size_t pos, unsigned max_depth)
{
	uint32_t tk;
	int err;

	if (d->n_open >= max_depth) {
		d->err_pos = pos;
		return -EMSGSIZE;
	}
	err = push_tok(d, type, pos, &tk);
	if (!err && d->n_open == d->cap_open)
		err = grow(d->arena, (void **)&d->open, &d->cap_open, d->n_open + 1,
			   sizeof(*d->open));
	if (err)
		return err;
	d->open[d->n_open++] = (struct jopen){ .tok = tk, .kbase = (uint32_t)d->n_kv };
	return 0;
}

static int close_container(struct jdoc *d, size_t pos)
{
	struct jopen *o = &d->open[d->n_open - 1];
	struct jtok *t = &d->t[o->tok];
	int err = 0;

	if (t->type == JT_OBJECT) {
		err = check_dups(d, o->kbase);
		d->n_kv = o->kbase;
	}
	t->end = (uint32_t)pos + 1;
	t->next = (uint32_t)d->n;
	d->n_open--;
	return err;
}

/* A scalar at *pi (a string, number or literal) as a token. */
static int scalar(struct jdoc *d, size_t *pi)
{
	const char *lit;
	size_t i = *pi, ln;
	enum jtype type = JT_STRING;
	uint32_t tk;
	bool esc = false;
	int err = 0;

	switch (d->s[i]) {
	case '"':
		err = scan_str(d, pi, &esc);
		break;
	case 't':
	case 'f':
	case 'n':
		lit = d->s[i] == 't' ? "true" : d->s[i] == 'f' ? "false" : "null";
		ln = strlen(lit);
		if (d->len - i < ln || memcmp(d->s + i, lit, ln))
			return fail(d, i, "invalid token");
		type = JT_LITERAL;
		*pi = i + ln;
		break;
	default:
		err = scan_num(d, pi, &type);
		break;
	}
	if (err)
		return err;
	err = push_tok(d, type, i, &tk);
	if (err)
		return err;
	d->t[tk].end = (uint32_t)*pi;
	d->t[tk].next = tk + 1;
	d->t[tk].esc = esc;
	return 0;
}

/*
 * Tokenize s[0..len): an object or array at the top (any value with any),
 * strict JSON, no duplicate keys, at most max_depth levels; its arrays in
 * arena a (NULL: the heap).  -EINVAL (d->why at d->err_pos), -EMSGSIZE (too
 * deep), -ENOMEM.
 */
static int jdoc_parse(struct jdoc *d, const char *s, size_t len, unsigned max_depth, bool any,
		      struct vault_arena *a)
{
	size_t i;
	struct jtok *top;
	int err;

	memset(d, 0, sizeof(*d));
	d->s = s;
	d->len = len;
	d->arena = a;
	d->keys.arena = a;
	if (len >= UINT32_MAX) {
		d->why = "body too large to parse";
		return -EMSGSIZE;
	}
	err = grow(a, (void **)&d->t, &d->cap, len / 16 + 16, sizeof(*d->t));
	if (err)
		return err;
	i = skip_ws(s, len, 0);
	if (!any && (i >= len || (s[i] != '{' && s[i] != '[')))
		return fail(d, i, "'[' or '{' expected");
	for (;;) {
		/* a value at i */
		i = skip_ws(s, len, i);
		if (i >= len)
			return fail(d, i, "premature end of input");
		if (d->n_open && d->t[d->open[d->n_open - 1].tok].type == JT_ARRAY)
			d->t[d->open[d->n_open - 1].tok].size++;
		if (s[i] == '{' || s[i] == '[') {
			bool obj = s[i] == '{';

			err = open_container(d, obj ? JT_OBJECT : JT_ARRAY, i, max_depth);
			if (err)
				return err;
			i = skip_ws(s, len, i + 1);
			if (i < len && s[i] == (obj ? '}' : ']')) {
				err = close_container(d, i++);
				if (err)
					return err;
			} else if (obj) {
				goto key;
			} else {
				continue;
			}
		} else {
			err = scalar(d, &i);
			if (err)
				return err;
		}
		/* after a value: the end, the next member or element, or a close */
		for (;;) {
			i = skip_ws(s, len, i);
			if (!d->n_open) {
				if (i != len)
					return fail(d, i, "end of input expected");
				return 0;
			}
			top = &d->t[d->open[d->n_open - 1].tok];
			if (i < len && s[i] == (top->type == JT_OBJECT ? '}' : ']')) {
				err = close_container(d, i++);
				if (err)
					return err;
				continue;
			}
			if (i >= len || s[i] != ',')
				return fail(d, i, top->type == JT_OBJECT ? "',' or '}' expected"
									 : "',' or ']' expected");
			i++;
			if (top->type == JT_OBJECT)
				goto key;
			break;
		}
		continue;
key:
		i = skip_ws(s, len, i);
		if (i >= len || s[i] != '"')
			return fail(d, i, "string or '}' expected");
		err = scalar(d, &i);
		if (!err)
			err = add_key(d, (uint32_t)d->n - 1);
		if (err)
			return err;
		d->t[d->open[d->n_open - 1].tok].size++;
		i = skip_ws(s, len, i);
		if (i >= len || s[i] != ':')
			return fail(d, i, "':' expected");
		i++;
	}
}

/* --- paths and findings (shared with protect.c's response walk) ------------- */

static bool is_ident(const char *k, size_t n)
{
	size_t i;

	if (!n || (*k >= '0' && *k <= '9'))
		return false;
	for (i = 0; i < n; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

size_t body_path_push_key(struct vault_buf *p, const char *key, size_t len)
{
	size_t old = p->len;
	int err;

	if (is_ident(key, len))
		err = (old && vault_buf_add(p, ".", 1)) || vault_buf_add(p, key, len);
	else
		err = vault_buf_add(p, "[\"", 2) || vault_buf_add_json(p, key, len) ||
		      vault_buf_add(p, "\"]", 2);
	if (err)
		body_path_pop(p, old);   /* a path is best effort */
	return old;
}

size_t body_path_push_index(struct vault_buf *p, size_t i)
{
	size_t old = p->len;
	char b[32];
	int n = snprintf(b, sizeof(b), "[%zu]", i);

	if (vault_buf_add(p, b, (size_t)n))
		body_path_pop(p, old);
	return old;
}

void body_path_pop(struct vault_buf *p, size_t old)
{
	p->len = old;
	if (p->p)
		p->p[old] = '\0';
}

/* fs's findings and their paths, copied into one block the result owns. */
static struct body_finding *findings_pack(const struct body_findings *fs)
{
	size_t head = fs->n * sizeof(*fs->v), off = 0, i;
	struct body_finding *v;
	char *paths;

	if (!fs->n)
		return NULL;
	v = malloc(head + fs->paths.len);
	if (!v)
		return NULL;
	memcpy(v, fs->v, head);
	paths = (char *)v + head;
	memcpy(paths, fs->paths.p, fs->paths.len);
	for (i = 0; i < fs->n; i++) {
		v[i].path = paths + off;
		off += strlen(paths + off) + 1;
	}
	return v;
}

int body_result_take(struct body_result *res, struct body_findings *fs, size_t rewritten)
{
	struct body_finding *v = findings_pack(fs);

	if (fs->n && !v)
		return -ENOMEM;
	res->blocked = fs->blocked;
	res->block = fs->block;
	res->rewritten = fs->blocked ? 0 : rewritten;
	res->findings = v;
	res->n_findings = fs->n;
	body_findings_fini(fs);
	return 0;
}

int body_findings_add(struct body_findings *fs, const char *path, size_t path_len,
		      const struct scan_finding *f)
{
	size_t max = fs->max ? fs->max : BODY_MAX_FINDINGS;
	size_t n = path ? strnlen(path, path_len < BODY_PATH_MAX ? path_len : BODY_PATH_MAX) : 0;
	struct body_finding *bf;
	int err;

	if (fs->n >= max)
		return -E2BIG;
	if (fs->n == fs->cap) {
		err = grow(fs->arena, (void **)&fs->v, &fs->cap, fs->n + 1, sizeof(*fs->v));
		if (err)
			return err;
	}
	/* the paths back to back, each with its NUL: the findings' order tells which is whose */
	fs->paths.arena = fs->arena;
	err = vault_buf_reserve(&fs->paths, n + 1);
	if (err)
		return err;
	if (n)
		memcpy(fs->paths.p + fs->paths.len, path, n);
	fs->paths.p[fs->paths.len + n] = '\0';
	fs->paths.len += n + 1;
	bf = &fs->v[fs->n];
	bf->path = NULL;
	bf->f = *f;
	if (f->action == SCAN_ACT_BLOCK && !fs->blocked) {
		fs->blocked = true;
		fs->block = fs->n;
	}
	fs->n++;
	return 0;
}

void body_findings_fini(struct body_findings *fs)
{
	if (!fs->arena)
		free(fs->v);
	vault_buf_fini(&fs->paths);
	*fs = (struct body_findings){ .max = fs->max, .arena = fs->arena };
}

/* --- requests: which strings, scanned and rewritten --------------------------- */

/* One step of the path to the value being walked: a member name or an index. */
struct step {
	struct sv key;           /* .p NULL: an array index */
	size_t index;
};

/* Replace text[start..end) by buf[off..off + len). */
struct edit {
	size_t start, end, off, len;
};

/* The rewritten strings of one document, in document order. */
struct edits {
	struct edit *v;
	size_t n, cap;
	struct vault_buf buf;
	struct vault_arena *arena;   /* where v and buf grow */
};

/*
 * Batched scanning walks the body twice: COLLECT copies each string to scan
 * into `texts` and scans nothing; after one scan_batch call, REPLAY walks
 * again and takes each string's findings in the same order.  The walk's
 * path through the document never depends on findings, so the orders agree.
 */
enum walk_mode { WALK_SCAN = 0, WALK_COLLECT, WALK_REPLAY };

struct walk_batch {
	struct vault_buf texts;  /* the strings, back to back */
	struct { size_t off, len; } *at;   /* string i: texts.p + at[i].off */
	size_t n, cap;
	struct scan_result found;
	size_t *first;           /* string i's findings: found.v[first[i] .. first[i + 1]) */
	size_t next;             /* REPLAY: the next string */
};

/*
 * Everything but the result and the scanner's findings lives in one arena,
 * sized from the body: a body costs a handful of allocations, not a few per
 * string (each buffer growing from nothing, every request).
 */
struct walk {
	const struct body_opts *o;
	struct vault_arena *arena;
	enum walk_mode mode;
	struct walk_batch b;
	unsigned max_depth;
	struct scan_result sr;   /* WALK_SCAN: the string's findings */
	struct body_findings fs;
	struct step *steps;
	size_t n_steps, cap_steps;
	struct vault_buf path;
	struct vault_buf str;    /* the string being scanned, decoded */
	struct transform_buf xf; /* the string being scanned, rewritten */
	size_t rewritten;
};

#define SV(lit) { lit, sizeof(lit) - 1 }

/* Values the API interprets: rewriting them would break the request. */
static const struct sv skip_keys[] = {
	SV("call_id"), SV("detail"), SV("encoding_format"), SV("format"), SV("id"), SV("include"),
	SV("item_id"), SV("modalities"), SV("model"), SV("object"), SV("previous_response_id"),
	SV("reasoning_effort"), SV("role"), SV("service_tier"), SV("status"), SV("tool_call_id"),
	SV("tool_choice"), SV("truncation"), SV("type"), SV("voice"),
};

static struct edits edits_in(struct vault_arena *a)
{
	return (struct edits){ .buf = { .arena = a }, .arena = a };
}

static void edits_fini(struct edits *ed)
{
	if (!ed->arena)
		free(ed->v);
	vault_buf_fini(&ed->buf);
}

/* text with the edits applied, appended to out */
static int edits_apply(const char *text, size_t len, const struct edits *ed, struct vault_buf *out)
{
	size_t i, pos = 0, total = len;
	int err;

	for (i = 0; i < ed->n; i++)
		total += ed->v[i].len - (ed->v[i].end - ed->v[i].start);
	err = vault_buf_reserve(out, total);
	for (i = 0; !err && i < ed->n; i++) {
		err = vault_buf_add(out, text + pos, ed->v[i].start - pos);
		if (!err)
			err = vault_buf_add(out, ed->buf.p + ed->v[i].off, ed->v[i].len);
		pos = ed->v[i].end;
	}
	return err ? err : vault_buf_add(out, text + pos, len - pos);
}

/* Token t (a string) becomes the JSON string of s[0..n). */
static int edits_add(struct edits *ed, const struct jtok *t, const char *s, size_t n)
{
	size_t off = ed->buf.len;
	int err;

	if (ed->n == ed->cap) {
		err = grow(ed->arena, (void **)&ed->v, &ed->cap, ed->n + 1, sizeof(*ed->v));
		if (err)
			return err;
	}
	err = vault_buf_reserve(&ed->buf, n + 2);
	if (!err)
		err = vault_buf_add(&ed->buf, "\"", 1) || vault_buf_add_json(&ed->buf, s, n) ||
		      vault_buf_add(&ed->buf, "\"", 1) ? -ENOMEM : 0;
	if (err)
		return err;
	ed->v[ed->n++] = (struct edit){
		.start = t->start, .end = t->end, .off = off, .len = ed->buf.len - off,
	};
	return 0;
}

static int step_push(struct walk *w, struct sv key, size_t index)
{
	int err;

	if (w->n_steps == w->cap_steps) {
		err = grow(w->arena, (void **)&w->steps, &w->cap_steps, w->n_steps + 1,
			   sizeof(*w->steps));
		if (err)
			return err;
	}
	w->steps[w->n_steps++] = (struct step){ .key = key, .index = index };
	return 0;
}

/* The finding, with the path of the value being walked. */
static int record(struct walk *w, const struct scan_finding *f)
{
	size_t i;

	body_path_pop(&w->path, 0);
	for (i = 0; i < w->n_steps && w->path.len < BODY_PATH_MAX; i++) {
		if (w->steps[i].key.p)
			body_path_push_key(&w->path, w->steps[i].key.p, w->steps[i].key.n);
		else
			body_path_push_index(&w->path, w->steps[i].index);
	}
	return body_findings_add(&w->fs, w->path.p, w->path.len, f);
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

static int collect(struct walk *w, const char *s, size_t n)
{
	struct walk_batch *b = &w->b;
	int err;

	if (b->n == b->cap &&
	    (err = grow(w->arena, (void **)&b->at, &b->cap, b->n + 1, sizeof(*b->at))))
		return err;
	b->at[b->n].off = b->texts.len;
	b->at[b->n++].len = n;
	return vault_buf_add(&b->texts, s, n) ? -ENOMEM : 0;
}

/*
 * REPLAY: the findings the batch gave the next string (which must be s),
 * where the batch left them.
 */
static int replay(struct walk *w, size_t n, struct scan_finding **ret_f, size_t *ret_n)
{
	struct walk_batch *b = &w->b;

	if (b->next >= b->n || b->at[b->next].len != n)
		return -EPROTO;    /* the walks disagree: never forward unscanned */
	*ret_n = b->first[b->next + 1] - b->first[b->next];
	*ret_f = *ret_n ? b->found.v + b->first[b->next] : NULL;
	b->next++;
	return 0;
}

/* Scan one decoded string, record its findings, transform it (tr->text in w->xf). */
static int scan_one(struct walk *w, const char *s, size_t n, struct transform_result *tr)
{
	const struct body_opts *o = w->o;
	struct scan_finding *f = NULL;
	size_t i, nf = 0;
	int err;

	if (w->mode == WALK_COLLECT)
		return collect(w, s, n);
	if (w->mode == WALK_REPLAY) {
		err = replay(w, n, &f, &nf);
	} else {
		scan_result_reset(&w->sr);
		err = o->scan(o->scan_ctx, s, n, &w->sr);
		f = w->sr.v;
		nf = w->sr.n;
	}
	if (err)
		return err < 0 ? err : -EIO;
	for (i = 0; i < nf; i++) {
		if (o->decide)
			o->decide(o->decide_ctx, &f[i]);
		err = record(w, &f[i]);
		if (err)
			return err;
	}
	if (!nf || w->fs.blocked)
		return 0;
	return transform_apply_buf(&o->xform, s, n, f, nf, &w->xf, tr);
}

/* The string s[0..n) of token t, scanned; when rewritten, an edit of t. */
static int scan_text_of(struct walk *w, const struct jtok *t, const char *s, size_t n,
			struct edits *ed)
{
	struct transform_result tr = { 0 };
	int err;

	err = scan_one(w, s, n, &tr);
	if (!err && tr.rewritten) {
		err = edits_add(ed, t, tr.text, tr.len);
		w->rewritten += tr.rewritten;
	}
	return err;
}

static int scan_string(struct walk *w, const struct jdoc *d, uint32_t ti, struct edits *ed)
{
	struct sv v;
	int err = str_get(d, &d->t[ti], &w->str, &v);

	return err ? err : scan_text_of(w, &d->t[ti], v.p, v.n, ed);
}

static int walk_value(struct walk *w, const struct jdoc *d, uint32_t ti, struct sv key,
		      unsigned depth, bool generic, struct edits *ed);

/*
 * function.arguments: JSON text inside a string.  Its string values are
 * scanned and rewritten in place, and the new text becomes the string.
 */
static int scan_nested(struct walk *w, const struct jdoc *d, uint32_t ti, unsigned depth,
		       struct edits *ed)
{
	const struct jtok *t = &d->t[ti];
	unsigned room = w->max_depth > depth ? w->max_depth - depth : 0;
	struct vault_buf text = { .arena = w->arena }, out = { .arena = w->arena };
	struct edits inner = edits_in(w->arena);
	struct jdoc doc = { 0 };
	struct sv v;
	int err;

	err = str_get(d, t, &text, &v);
	if (err)
		goto out_free;
	if (!room || jdoc_parse(&doc, v.p, v.n, room, true, w->arena)) {
		/* cut short, too deep or not JSON: scanned as text */
		err = scan_text_of(w, t, v.p, v.n, ed);
		goto out_free;
	}
	err = walk_value(w, &doc, 0, SV_NONE, depth, true, &inner);
	if (!err && inner.n && !w->fs.blocked) {
		err = edits_apply(v.p, v.n, &inner, &out);
		if (!err)
			err = edits_add(ed, t, out.p, out.len);
	}
out_free:
	jdoc_fini(&doc);
	edits_fini(&inner);
	vault_buf_fini(&out);
	vault_buf_fini(&text);
	return err;
}

static bool sv_eq(struct sv k, const char *s, size_t n)
{
	return k.p && k.n == n && !memcmp(k.p, s, n);
}

/* k is the string literal lit */
#define sv_is(k, lit) sv_eq(k, lit, sizeof(lit) - 1)

static bool is_skip_key(struct sv key)
{
	size_t i;

	for (i = 0; i < sizeof(skip_keys) / sizeof(*skip_keys); i++)
		if (key.n == skip_keys[i].n && !memcmp(key.p, skip_keys[i].p, key.n))
			return true;
	return false;
}

/* obj has a member named name[0..n) */
static bool has_member(const struct jdoc *d, uint32_t obj, const char *name, size_t n)
{
	uint32_t i;

	for (i = obj + 1; i < d->t[obj].next; i = d->t[i + 1].next)
		if (sv_eq(key_sv(d, &d->t[i]), name, n))
			return true;
	return false;
}

/* name beside arguments/parameters, or under "function": a function name */
static bool is_function_name(const struct jdoc *d, struct sv key, uint32_t parent,
			     struct sv parent_key)
{
	if (!sv_is(key, "name"))
		return false;
	return sv_is(parent_key, "function") || has_member(d, parent, "arguments", 9) ||
	       has_member(d, parent, "parameters", 10);
}

static bool is_data_url(struct walk *w, const struct jdoc *d, const struct jtok *t)
{
	struct sv v;

	if (t->type != JT_STRING || str_get(d, t, &w->str, &v))
		return false;
	return v.n >= 5 && !strncasecmp(v.p, "data:", 5);
}

/* The kind of binary payload at parent_key.key, or NULL. */
static const char *binary_kind(struct walk *w, const struct jdoc *d, struct sv key,
			       const struct jtok *v, struct sv parent_key)
{
	if (sv_is(key, "file_data"))
		return "file";
	if (sv_is(key, "data") && sv_is(parent_key, "input_audio"))
		return "audio";
	if (((sv_is(key, "url") && sv_is(parent_key, "image_url")) || sv_is(key, "image_url")) &&
	    is_data_url(w, d, v))
		return "image";
	return NULL;
}

static bool is_int_array(const struct jdoc *d, uint32_t a)
{
	uint32_t i;

	if (d->t[a].type != JT_ARRAY || !d->t[a].size)
		return false;
	for (i = a + 1; i < d->t[a].next; i = d->t[i].next)
		if (d->t[i].type != JT_INT)
			return false;
	return true;
}

/* int[] or int[][] */
static bool is_token_array(const struct jdoc *d, uint32_t a)
{
	uint32_t i;

	if (is_int_array(d, a))
		return true;
	if (d->t[a].type != JT_ARRAY || !d->t[a].size)
		return false;
	for (i = a + 1; i < d->t[a].next; i = d->t[i].next)
		if (!is_int_array(d, i))
			return false;
	return true;
}

/* Known endpoints: returns 1 when the member was handled here, 0 to walk it normally. */
static int member_special(struct walk *w, const struct jdoc *d, struct sv key, uint32_t vi,
			  uint32_t parent, struct sv parent_key, unsigned depth, struct edits *ed)
{
	const struct jtok *v = &d->t[vi];
	enum body_api api = w->o->api;
	const char *kind;
	int err;

	if (v->type == JT_STRING && (is_skip_key(key) || is_function_name(d, key, parent, parent_key)))
		return 1;
	if (v->type == JT_ARRAY && is_skip_key(key))
		return 1;
	kind = binary_kind(w, d, key, v, parent_key);
	if (kind && v->type == JT_STRING) {
		err = unscannable(w, w->o->binary, "BINARY_DATA", kind);
		return err ? err : 1;
	}
	if (sv_is(key, "arguments") && v->type == JT_STRING) {
		err = scan_nested(w, d, vi, depth, ed);
		return err ? err : 1;
	}
	if (depth == 1 && is_token_array(d, vi) &&
	    ((api == BODY_API_EMBEDDINGS && sv_is(key, "input")) ||
	     (api == BODY_API_COMPLETIONS && sv_is(key, "prompt")))) {
		err = unscannable(w, w->o->token_arrays, "TOKEN_IDS", "token-array-input");
		return err ? err : 1;
	}
	return 0;
}

static int walk_object(struct walk *w, const struct jdoc *d, uint32_t obj, struct sv obj_key,
		       unsigned depth, bool generic, struct edits *ed)
{
	uint32_t k, v;
	int err = 0;

	for (k = obj + 1; k < d->t[obj].next; k = d->t[v].next) {
		struct sv key = key_sv(d, &d->t[k]);

		v = k + 1;
		err = step_push(w, key, 0);
		if (err)
			return err;
		err = generic ? 0 : member_special(w, d, key, v, obj, obj_key, depth, ed);
		if (!err)
			err = walk_value(w, d, v, key, depth, generic, ed);
		w->n_steps--;
		if (err < 0)
			return err;
	}
	return 0;
}

/* key: the member name the value sits under (for array elements, the array's) */
static int walk_value(struct walk *w, const struct jdoc *d, uint32_t ti, struct sv key,
		      unsigned depth, bool generic, struct edits *ed)
{
	uint32_t i;
	size_t idx = 0;
	int err;

	switch (d->t[ti].type) {
	case JT_STRING:
		return scan_string(w, d, ti, ed);
	case JT_OBJECT:
		return walk_object(w, d, ti, key, depth + 1, generic, ed);
	case JT_ARRAY:
		for (i = ti + 1; i < d->t[ti].next; i = d->t[i].next) {
			err = step_push(w, SV_NONE, idx++);
			if (err)
				return err;
			err = walk_value(w, d, i, key, depth + 1, generic, ed);
			w->n_steps--;
			if (err)
				return err;
		}
		return 0;
	default:
		return 0;
	}
}

static void set_parse_error(struct body_error *err, const struct jdoc *d, int rc, unsigned max_depth)
{
	const char *nl;
	size_t col;
	int line = 1;

	if (rc != -EINVAL) {
		if (rc == -EMSGSIZE && d->why)
			set_error(err, 0, 0, "%s", d->why);
		else if (rc == -EMSGSIZE)
			set_error(err, 0, 0, "JSON nested deeper than %u levels", max_depth);
		else
			set_error(err, 0, 0, "reading the body: %s", strerror(-rc));
		return;
	}
	for (nl = d->s; (nl = memchr(nl, '\n', d->err_pos - (size_t)(nl - d->s))); nl++)
		line++;
	nl = memrchr(d->s, '\n', d->err_pos);
	col = d->err_pos - (nl ? (size_t)(nl - d->s) + 1 : 0) + 1;
	set_error(err, line, (int)col, "invalid JSON: %s", d->why);
}

static void walk_batch_fini(struct walk_batch *b)
{
	vault_buf_fini(&b->texts);
	scan_result_free(&b->found);
}

/* Findings emptied for the second walk, their memory kept. */
static void findings_reset(struct body_findings *fs)
{
	fs->n = 0;
	fs->paths.len = 0;
	fs->blocked = false;
	fs->block = 0;
}

/*
 * COLLECT walk, one scan_batch call, and the walk state reset for REPLAY
 * (what COLLECT recorded of unscannable parts is recorded again then).
 */
static int walk_prescan(struct walk *w, const struct jdoc *d, bool generic)
{
	const struct body_opts *o = w->o;
	struct walk_batch *b = &w->b;
	struct scan_part *parts = NULL;
	struct edits ed = edits_in(w->arena);
	size_t i;
	int err;

	w->mode = WALK_COLLECT;
	/* what is collected is decoded from the body's strings: never longer than the body */
	b->texts.arena = w->arena;
	err = vault_buf_reserve(&b->texts, d->len);
	if (!err)
		err = walk_value(w, d, 0, SV_NONE, 0, generic, &ed);
	edits_fini(&ed);
	if (!err) {
		parts = vault_arena_alloc(w->arena, (b->n ? b->n : 1) * sizeof(*parts));
		b->first = vault_arena_alloc(w->arena, (b->n + 1) * sizeof(*b->first));
		err = parts && b->first ? 0 : -ENOMEM;
	}
	for (i = 0; !err && i < b->n; i++)
		parts[i] = (struct scan_part){ b->texts.p + b->at[i].off, b->at[i].len };
	if (!err) {
		err = o->scan_batch(o->scan_ctx, parts, b->n, &b->found, b->first);
		if (err > 0)
			err = -EIO;
	}
	findings_reset(&w->fs);
	w->n_steps = 0;
	w->rewritten = 0;
	w->mode = WALK_REPLAY;
	return err;
}

/*
 * Bytes the walk's arena starts with: the token array, the collected
 * strings, the rest (a 4 KiB chat body uses 13-23 KiB).  Capped: a body
 * bigger than that grows the arena block by block.
 */
static size_t walk_arena_bytes(size_t len)
{
	size_t n = len / 16 * sizeof(struct jtok) + 3 * len + 8192;

	return n < BODY_ARENA_MAX_FIRST ? n : BODY_ARENA_MAX_FIRST;
}

static void walk_init(struct walk *w, const struct body_opts *o, struct vault_arena *a)
{
	*w = (struct walk){
		.o = o,
		.arena = a,
		.max_depth = o->max_depth ? o->max_depth : BODY_MAX_DEPTH,
		.fs = { .max = o->max_findings, .arena = a },
		.path = { .arena = a },
		.str = { .arena = a },
		.xf = { .out = { .arena = a }, .spans = { .arena = a } },
	};
}

static void walk_fini(struct walk *w)
{
	walk_batch_fini(&w->b);
	body_findings_fini(&w->fs);
	scan_result_free(&w->sr);
	vault_buf_fini(&w->path);
	vault_buf_fini(&w->str);
	vault_buf_fini(&w->xf.out);
	vault_buf_fini(&w->xf.spans);
}

int body_rewrite_request(const struct body_opts *o, const char *json, size_t len,
			 struct body_error *err, struct body_result *ret)
{
	size_t max_bytes = o->max_bytes ? o->max_bytes : BODY_MAX_BYTES;
	struct vault_arena arena = { .first_bytes = walk_arena_bytes(len) };
	struct body_result res = { 0 };
	struct vault_buf out = { 0 };
	struct edits ed = edits_in(&arena);
	struct walk w;
	struct jdoc d;
	int rc;

	if ((!o->scan && !o->scan_batch) || (!json && len)) {
		set_error(err, 0, 0, "no scanner");
		return -EINVAL;
	}
	if (len > max_bytes) {
		set_error(err, 0, 0, "body of %zu bytes exceeds the %zu-byte limit", len, max_bytes);
		return -EMSGSIZE;
	}
	walk_init(&w, o, &arena);
	rc = jdoc_parse(&d, json ? json : "", len, w.max_depth, false, &arena);
	if (rc) {
		set_parse_error(err, &d, rc, w.max_depth);
		goto out_free;
	}
	if (o->scan_batch)
		rc = walk_prescan(&w, &d, o->api == BODY_API_GENERIC);
	if (!rc)
		rc = walk_value(&w, &d, 0, SV_NONE, 0, o->api == BODY_API_GENERIC, &ed);
	if (!rc && w.mode == WALK_REPLAY && w.b.next != w.b.n)
		rc = -EPROTO;
	if (rc) {
		set_error(err, 0, 0, "scanning the body: %s", strerror(-rc));
		goto out_free;
	}
	if (ed.n && !w.fs.blocked) {
		rc = edits_apply(json, len, &ed, &out);
		if (rc)
			goto out_free;
		res.body = out.p;
		res.len = out.len;
		out = (struct vault_buf){ 0 };
	}
	rc = body_result_take(&res, &w.fs, w.rewritten);
	if (rc) {
		set_error(err, 0, 0, "scanning the body: %s", strerror(-rc));
		free(res.body);
		goto out_free;
	}
	*ret = res;
out_free:
	vault_buf_fini(&out);
	edits_fini(&ed);
	jdoc_fini(&d);
	walk_fini(&w);
	vault_arena_fini(&arena);
	return rc;
}

void body_result_fini(struct body_result *r)
{
	if (!r)
		return;
	free(r->findings);   /* the paths too: one block */
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* --- responses ------------------------------------------------------------ */

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

/*
 * Keys too: a request's "arguments" text is scanned whole, so a value used as
 * a key there ({"alice@example.com": ...}) is tokenized like any other and
 * may come back as a key.  The object is rebuilt to keep its key order.
 */
static int restore_keys(json_t *obj, const struct vault *vault)
{
	json_t *copy, *e;
	const char *k;
	int r = 0, total = 0;

	json_object_foreach(obj, k, e)
		if (strstr(k, "[["))
			break;
	if (!k)
		return 0;
	copy = json_object();
	if (!copy)
		return -ENOMEM;
	json_object_foreach(obj, k, e) {
		size_t out_len = 0;
		char *out = NULL;

		r = strstr(k, "[[") ? vault_restore(vault, k, strlen(k), 0, &out, &out_len) : 0;
		if (r < 0)
			break;
		total += r;
		r = r > 0 ? json_object_setn(copy, out, out_len, e) : json_object_set(copy, k, e);
		free(out);
		if (r) {
			r = -ENOMEM;
			break;
		}
	}
	if (r >= 0 && (json_object_clear(obj) || json_object_update(obj, copy)))
		r = -ENOMEM;
	json_decref(copy);
	return r < 0 ? r : total;
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
		total = restore_keys(v, vault);
		if (total < 0)
			return total;
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
