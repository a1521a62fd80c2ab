// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Prefilter: find the few stretches of a prompt where a triggered rule can
 * match (rules.h, enum scan_trigger), so each trigger's Hyperscan database
 * scans a compact view instead of the whole text.  Two passes, each a
 * vector skip to the next interesting byte: digits (clusters), and the
 * token punctuation '@' '.' ':' '-' (addresses, hosts, separators).
 * Prose has few of either; the skips run near memchr speed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* Byte classes, one table lookup per byte in the scalar loops. */
enum {
	C_DIGIT  = 1 << 0,
	C_ALPHA  = 1 << 1,
	C_SPACE  = 1 << 2,
	C_JOIN   = 1 << 3,   /* between the digit groups of one number: "(415) 555-0132" */
	C_MARGIN = 1 << 4,   /* what a digit-triggered match may hold around its digits */
	C_TOKEN  = 1 << 5,   /* bytes of API keys, wallets, base64 */
	C_HEX    = 1 << 6,
};

#define ALNUM_CLS (C_ALPHA | C_MARGIN | C_TOKEN)

/*
 * Not ':' or '/' among the joiners: times and dates use them, the numbers
 * we look for do not.
 */
static const uint8_t cls[256] = {
	['0' ... '9'] = C_DIGIT | C_MARGIN | C_TOKEN | C_HEX,
	['a' ... 'f'] = ALNUM_CLS | C_HEX, ['g' ... 'z'] = ALNUM_CLS,
	['A' ... 'F'] = ALNUM_CLS | C_HEX, ['G' ... 'Z'] = ALNUM_CLS,
	[' '] = C_SPACE | C_JOIN | C_MARGIN,
	['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, ['\f'] = C_SPACE, ['\v'] = C_SPACE,
	['.'] = C_JOIN | C_MARGIN, ['-'] = C_JOIN | C_MARGIN | C_TOKEN,
	['('] = C_JOIN | C_MARGIN, [')'] = C_JOIN | C_MARGIN, ['+'] = C_JOIN | C_MARGIN | C_TOKEN,
	['#'] = C_MARGIN, ['_'] = C_TOKEN, ['/'] = C_TOKEN, ['='] = C_TOKEN,
};

static inline int is_digit(uint8_t c)
{
	return cls[c] & C_DIGIT;
}

static inline int is_space(uint8_t c)
{
	return cls[c] & C_SPACE;
}

static inline int is_alpha(uint8_t c)
{
	return cls[c] & C_ALPHA;
}

static inline int is_alnum(uint8_t c)
{
	return cls[c] & (C_ALPHA | C_DIGIT);
}

static inline int is_joiner(uint8_t c)
{
	return cls[c] & C_JOIN;
}

static inline int is_margin(uint8_t c)
{
	return cls[c] & C_MARGIN;
}

static inline int is_token(uint8_t c)
{
	return cls[c] & C_TOKEN;
}

static inline int is_hex(uint8_t c)
{
	return cls[c] & C_HEX;
}

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HAVE_VEC 1
typedef uint8_t v16 __attribute__((vector_size(16)));

static v16 vsplat(uint8_t c)
{
	v16 v;

	memset(&v, c, sizeof(v));
	return v;
}

/* Index of the first set lane of m at or after i, or 16. */
static unsigned int first_lane(v16 m)
{
	uint64_t a, b;

	memcpy(&a, &m, 8);
	memcpy(&b, (const char *)&m + 8, 8);
	if (a)
		return (unsigned int)__builtin_ctzll(a) / 8;
	if (b)
		return 8 + (unsigned int)__builtin_ctzll(b) / 8;
	return 16;
}
#endif

static size_t next_digit(const uint8_t *t, size_t i, size_t n)
{
	size_t stop = i + 8 < n ? i + 8 : n;

	/* digits come in bunches: look a few bytes ahead before the vector loop */
	for (; i < stop; i++)
		if (is_digit(t[i]))
			return i;
#ifdef HAVE_VEC
	const v16 zero = vsplat('0'), ten = vsplat(10);

	while (i + 16 <= n) {
		v16 v;
		unsigned int k;

		memcpy(&v, t + i, sizeof(v));
		k = first_lane((v16)((v16)(v - zero) < ten));
		if (k < 16)
			return i + k;
		i += 16;
	}
#endif
	while (i < n && !is_digit(t[i]))
		i++;
	return i;
}

/* Token punctuation the token triggers need; which of them is in `want`. */
struct punct {
	int at, dot, colon, dash;
};

/* In-token punctuation: the neighbours decide, so "end. " and "key: v" are skipped. */
static int punct_hit(const struct punct *p, const uint8_t *t, size_t i, size_t n)
{
	uint8_t c = t[i], l = i ? t[i - 1] : ' ', r = i + 1 < n ? t[i + 1] : ' ';

	if (c == '@')
		return p->at;
	if (c == '.')
		return p->dot && is_alnum(l) && is_alnum(r);
	if (c == ':')
		return p->colon && (is_alnum(l) || l == ':') && (is_alnum(r) || r == ':' || r == '/');
	if (c == '-')
		return p->dash && is_alnum(l) && is_alnum(r);
	return 0;
}

#ifdef HAVE_VEC
static v16 valnum(v16 v)
{
	return (v16)((v16)((v | vsplat(0x20)) - vsplat('a')) < vsplat(26)) |
	       (v16)((v16)(v - vsplat('0')) < vsplat(10));
}
#endif

static size_t next_punct(const uint8_t *t, size_t i, size_t n, const struct punct *p)
{
	size_t stop = i + 8 < n ? i + 8 : n;

	for (; i < stop; i++)
		if (punct_hit(p, t, i, n))
			return i;
#ifdef HAVE_VEC
	const v16 at = vsplat(p->at ? '@' : 0), dot = vsplat(p->dot ? '.' : 0);
	const v16 colon = vsplat(p->colon ? ':' : 0), dash = vsplat(p->dash ? '-' : 0);
	const v16 nul = vsplat(0);

	if (!i && n && punct_hit(p, t, 0, n))
		return 0;
	if (!i)
		i = 1;
	while (i + 17 <= n) {
		v16 v, vp, vn, ap, an, m;
		unsigned int k;

		memcpy(&v, t + i, sizeof(v));
		memcpy(&vp, t + i - 1, sizeof(vp));
		memcpy(&vn, t + i + 1, sizeof(vn));
		ap = valnum(vp);
		an = valnum(vn);
		/* unused lanes compare against NUL; NUL itself never matches */
		m = (v16)(v == at) |
		    ((v16)(v == dot) & ap & an) |
		    ((v16)(v == colon) & (ap | (v16)(vp == vsplat(':'))) &
		     (an | (v16)(vn == vsplat(':')) | (v16)(vn == vsplat('/')))) |
		    ((v16)(v == dash) & ap & an);
		m &= (v16)(v != nul);
		k = first_lane(m);
		if (k < 16)
			return i + k;
		i += 16;
	}
#endif
	while (i < n && !punct_hit(p, t, i, n))
		i++;
	return i;
}

static int wins_push(struct scan_wins *w, size_t start, size_t end)
{
	struct scan_window *last = w->n ? &w->v[w->n - 1] : NULL;

	/* overlapping or touching windows are one: a match may span them */
	if (last && start >= last->text && start <= last->text + last->len) {
		if (end > last->text + last->len)
			last->len = end - last->text;
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct scan_window *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = (struct scan_window){ .text = start, .len = end - start };
	return 0;
}

/* 8-4-4-4-12 hex: request ids and object ids everywhere in JSON and logs. */
static int guid_shaped(const uint8_t *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

/*
 * The token run around a digit: random tokens nearly always hold one, so
 * the digit pass finds them without looking at every word of prose.
 */
static int token_run(struct scan_wins *w, const uint8_t *t, size_t n, size_t at,
		     size_t *done)
{
	size_t a = at, b = at;

	if (at < *done)
		return 0;
	while (a > *done && is_token(t[a - 1]) && at - a < SCAN_TOKEN_MAX)
		a--;
	while (b < n && is_token(t[b]) && b - a < SCAN_TOKEN_MAX)
		b++;
	*done = b;
	if (b - a < SCAN_TRIG_TOKEN_MIN || guid_shaped(t + a, b - a))
		return 0;
	return wins_push(w, a, b);
}

/* A cluster's digit groups: count, first three lengths, one separator kind? */
struct cluster {
	size_t start, end, digits, groups;
	size_t glen[3];
	uint8_t sep;
	int mixed;
};

/*
 * Dates (2024-04-23, 23.04.2024) and decimals (3100.83) are the most
 * common digit clusters in JSON and logs, and no digit rule matches one.
 */
static int boring(const struct cluster *c)
{
	if (c->mixed)
		return 0;
	if (c->groups == 2 && c->sep == '.')
		return 1;
	if (c->groups == 3 && (c->sep == '-' || c->sep == '.') &&
	    ((c->glen[0] == 4 && c->glen[1] == 2 && c->glen[2] == 2) ||
	     (c->glen[0] == 2 && c->glen[1] == 2 && c->glen[2] == 4)))
		return 1;
	return 0;
}

/* A short cluster is an identifier only between letters: "AB 12 34 56 C". */
static int letter_flanked(const uint8_t *t, size_t n, const struct cluster *c)
{
	size_t a = c->start, b = c->end;

	if (a && t[a - 1] == ' ')
		a--;
	if (b < n && t[b] == ' ')
		b++;
	return a && is_alpha(t[a - 1]) && b < n && is_alpha(t[b]);
}

static size_t cluster_walk(const uint8_t *t, size_t n, size_t i, struct cluster *c)
{
	size_t j = i;

	memset(c, 0, sizeof(*c));
	c->start = i;
	for (;;) {
		size_t k, joiners = 0, g = 0;

		while (j < n && is_digit(t[j])) {
			g++;
			j++;
		}
		if (c->groups < 3)
			c->glen[c->groups] = g;
		c->groups++;
		c->digits += g;
		for (k = j; k < n && joiners < 2 && is_joiner(t[k]); k++)
			joiners++;
		if (!joiners || k == n || !is_digit(t[k]))
			break;
		if (joiners > 1 || (c->sep && c->sep != t[j]))
			c->mixed = 1;
		c->sep = t[j];
		j = k;
	}
	c->end = j;
	return j;
}

/* Digit clusters with enough digits, plus a margin for letters around them. */
static int digit_pass(struct scan_scratch *s, const struct scan_engine *eng, const uint8_t *t,
		      size_t n)
{
	struct scan_wins *w = &s->wins[SCAN_DB_DIGITS];
	unsigned int min_digits = scan_trig_used(eng, SCAN_TRIG_DIGITS) ? eng->digits_min : ~0u;
	size_t i = 0, tok_done = 0;
	int err;

	while ((i = next_digit(t, i, n)) < n) {
		struct cluster c;
		size_t a, b, m;

		i = cluster_walk(t, n, i, &c);
		/* random tokens mix letters and digits: a cluster between non-letters is no token */
		if (scan_trig_used(eng, SCAN_TRIG_TOKEN) &&
		    ((c.start && is_token(t[c.start - 1]) && !is_space(t[c.start - 1])) ||
		     (c.end < n && is_alpha(t[c.end])))) {
			err = token_run(&s->wins[SCAN_DB_TOKENS], t, n, c.start, &tok_done);
			if (err)
				return err;
		}
		if (c.digits < min_digits || boring(&c) ||
		    (c.digits < SCAN_TRIG_DIGITS_BARE && !letter_flanked(t, n, &c)))
			continue;
		for (a = c.start, m = 0; a > 0 && m < SCAN_TRIG_MARGIN && is_margin(t[a - 1]); a--, m++)
			;
		for (b = c.end, m = 0; b < n && m < SCAN_TRIG_MARGIN && is_margin(t[b]); b++, m++)
			;
		err = wins_push(w, a, b);
		if (err)
			return err;
	}
	return 0;
}

struct token_feat {
	unsigned int at, dots, colons, dashes;
	int url, dcolon;
};

static void token_features(const uint8_t *t, size_t ts, size_t te, struct token_feat *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = ts; i < te; i++) {
		switch (t[i]) {
		case '@':
			f->at++;
			break;
		case ':':
			f->colons++;
			if (i + 2 < te && t[i + 1] == '/' && t[i + 2] == '/')
				f->url = 1;
			if (i + 1 < te && t[i + 1] == ':')
				f->dcolon = 1;
			break;
		case '-':
			f->dashes++;
			break;
		case '.':
			f->dots++;
			/* host name: "x.co", "www.", not "end." */
			if (i > ts && i + 1 < te && is_alnum(t[i - 1]) &&
			    (uint8_t)((t[i + 1] | 0x20) - 'a') < 26)
				f->url = 1;
			break;
		}
	}
}

static int token_pass(const struct scan_engine *eng, struct scan_scratch *s,
		      const uint8_t *t, size_t n)
{
	const int at = scan_trig_used(eng, SCAN_TRIG_AT), url = scan_trig_used(eng, SCAN_TRIG_URL);
	const int seps = scan_trig_used(eng, SCAN_TRIG_SEPS);
	const struct punct p = { .at = at, .dot = url || seps, .colon = url || seps, .dash = seps };
	struct scan_wins *w = &s->wins[SCAN_DB_TOKENS];
	size_t i = 0, done = 0;
	int err = 0;

	if (!p.at && !p.dot && !p.dash)
		return 0;
	while ((i = next_punct(t, i, n, &p)) < n) {
		size_t ts = i, te = i;
		struct token_feat f;

		while (ts > done && !is_space(t[ts - 1]) && i - ts < SCAN_TOKEN_MAX)
			ts--;
		while (te < n && !is_space(t[te]) && te - ts < SCAN_TOKEN_MAX)
			te++;
		if (te == i)
			te++;
		token_features(t, ts, te, &f);
		/* "12:30:05" and "v1.2.3" are not addresses; "::1", 1.2.3.4, MACs, GUIDs are */
		if ((at && f.at) || (url && f.url) ||
		    (seps && (f.dcolon || f.colons >= 3 || f.dots >= 3 ||
			      (f.dots == 2 && te - ts >= 14) || f.dashes >= 4))) {
			err = wins_push(w, ts, te);
			if (err)
				return err;
		}
		i = done = te;
	}
	return 0;
}

int scan_prefilter(const struct scan_engine *eng, struct scan_scratch *s, const char *text,
		   size_t n)
{
	const uint8_t *t = (const uint8_t *)text;
	size_t c;
	int err;

	for (c = 0; c < SCAN_DB__COUNT; c++)
		s->wins[c].n = 0;
	if (scan_trig_used(eng, SCAN_TRIG_DIGITS) || scan_trig_used(eng, SCAN_TRIG_TOKEN)) {
		err = digit_pass(s, eng, t, n);
		if (err)
			return err;
	}
	return token_pass(eng, s, t, n);
}

static int win_cmp(const void *a, const void *b)
{
	const struct scan_window *x = a, *y = b;

	return x->text < y->text ? -1 : x->text > y->text;
}

/* Two passes push windows out of order (digit runs, tokens): sort, then merge. */
static void wins_normalise(struct scan_wins *w)
{
	size_t i, k = 0;

	for (i = 1; i < w->n && w->v[i - 1].text <= w->v[i].text; i++)
		;
	if (i < w->n)
		qsort(w->v, w->n, sizeof(*w->v), win_cmp);
	for (i = 0; i < w->n; i++) {
		struct scan_window *last = k ? &w->v[k - 1] : NULL;

		if (last && w->v[i].text <= last->text + last->len) {
			if (w->v[i].text + w->v[i].len > last->text + last->len)
				last->len = w->v[i].text + w->v[i].len - last->text;
			continue;
		}
		w->v[k++] = w->v[i];
	}
	w->n = k;
}

int scan_view_build(struct scan_scratch *s, struct scan_wins *w, const char *t,
		    const char **ret_view, size_t *ret_len)
{
	size_t need = 0, i, o = 0;

	wins_normalise(w);
	for (i = 0; i < w->n; i++)
		need += w->v[i].len + 1;
	if (need > s->view_cap) {
		char *v = realloc(s->view, need);

		if (!v)
			return -ENOMEM;
		s->view = v;
		s->view_cap = need;
	}
	for (i = 0; i < w->n; i++) {
		w->v[i].view = o;
		memcpy(s->view + o, t + w->v[i].text, w->v[i].len);
		o += w->v[i].len;
		/* no pattern crosses a line break; the engine also drops any that would */
		s->view[o++] = '\n';
	}
	*ret_view = s->view;
	*ret_len = o;
	return 0;
}
