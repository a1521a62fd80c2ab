// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Prefilter: find the few stretches of a prompt where a triggered rule can
 * match (rules.h, enum scan_trigger), so each Hyperscan database scans a
 * compact view instead of the whole text.  Two passes over 64-byte blocks
 * turned into bit masks with SSE2 (a scalar fallback elsewhere): digit
 * clusters (runs of bits: digits and the joiners between them), and tokens
 * holding in-token punctuation '@' '.' ':' '-' (addresses, hosts,
 * separators, GUIDs).  Prose has few of either and skips a block in a few
 * instructions; JSON and logs judge most clusters by a popcount.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "simd.h"
#include "validate.h"

/* Byte classes, one table lookup per byte in the scalar loops. */
enum {
	C_DIGIT  = 1 << 0,
	C_ALPHA  = 1 << 1,
	C_SPACE  = 1 << 2,
	C_JOIN   = 1 << 3,   /* between the digit groups of one number: "(415) 555-0132" */
	C_MARGIN = 1 << 4,   /* what a digit-triggered match may hold around its digits */
	C_TOKEN  = 1 << 5,   /* bytes of API keys, wallets, base64 */
	C_HEX    = 1 << 6,
	C_PUNCT  = 1 << 7,   /* '@' ':' '-' '.': what a token's features count */
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
	['.'] = C_JOIN | C_MARGIN | C_PUNCT, ['-'] = C_JOIN | C_MARGIN | C_TOKEN | C_PUNCT,
	['@'] = C_PUNCT, [':'] = C_PUNCT,
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

/*
 * Token punctuation the token triggers need.  In-token only: the neighbours
 * decide, so "end. " and "key: v" are skipped, "x.com", "::1", "a-b" are not.
 */
struct punct {
	int at, dot, colon, dash;
};

/*
 * Hits of one kind (digits, or token punctuation) as a bit mask per 64-byte
 * block: prose skips a block in a few vector instructions, and dense text
 * (JSON, logs) walks the bits instead of restarting a search per byte.
 */
struct hitter {
	const uint8_t *t;
	size_t n;
	size_t base;                   /* block start; mask covers [base, base + 64) */
	uint64_t mask;
	int valid;
	int punct;                     /* 0: digits */
	struct punct p;
};

#ifdef __SSE2__

static __m128i alnum16(__m128i v)
{
	return scan_digit_or_letter16(v, 'z');
}

/* Bit k: p[k] is no token byte ([A-Za-z0-9_+/=-], C_TOKEN). */
static inline unsigned int not_token16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i a = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
				 _mm_cmpeq_epi8(v, _mm_set1_epi8('+')));
	__m128i b = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
				 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8('='))));

	return ~(unsigned int)_mm_movemask_epi8(_mm_or_si128(alnum16(v), _mm_or_si128(a, b))) &
	       0xffff;
}

/* Bit k: p[k] is white space (C_SPACE: ' ', '\t' to '\r'). */
static inline unsigned int space16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);

	return (unsigned int)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
							     scan_in_range16(v, '\t', '\r')));
}

/* Bit k: p[k] is '@' '.' ':' or '-' (C_PUNCT). */
static inline unsigned int punct16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);

	return (unsigned int)_mm_movemask_epi8(
		_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')),
					  _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))),
			     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')),
					  _mm_cmpeq_epi8(v, _mm_set1_epi8('-')))));
}
#endif

/*
 * The per-byte loops of the token passes, 16 bytes a step where SSE2 is
 * there: token bytes forward and backward, white space backward.
 */
static inline size_t token_fwd(const uint8_t *t, size_t i, size_t lim)
{
#ifdef __SSE2__
	for (; i + 16 <= lim; i += 16) {
		unsigned int m = not_token16(t + i);

		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (i < lim && is_token(t[i]))
		i++;
	return i;
}

/* The start of the token bytes ending at i, not below floor. */
static inline size_t token_back(const uint8_t *t, size_t i, size_t floor)
{
#ifdef __SSE2__
	for (; i >= floor + 16; i -= 16) {
		unsigned int m = not_token16(t + i - 16);

		if (m)
			return i - 16 + (size_t)(32 - __builtin_clz(m));
	}
#endif
	while (i > floor && is_token(t[i - 1]))
		i--;
	return i;
}

/* The start of the non-space bytes ending at i, not below floor. */
static inline size_t word_back(const uint8_t *t, size_t i, size_t floor)
{
#ifdef __SSE2__
	for (; i >= floor + 16; i -= 16) {
		unsigned int m = space16(t + i - 16);

		if (m)
			return i - 16 + (size_t)(32 - __builtin_clz(m));
	}
#endif
	while (i > floor && !is_space(t[i - 1]))
		i--;
	return i;
}

#ifdef __SSE2__
static uint64_t block_vec(const struct hitter *h, const uint8_t *p);

static __attribute__((noinline)) uint64_t block_mask(const struct hitter *h, size_t base)
{
	uint8_t pad[1 + 64 + 1];
	size_t len;

	if (base && base + 65 <= h->n)
		return block_vec(h, h->t + base);
	/*
	 * The punctuation test reads one byte either side: at the edges of the
	 * text, a padded copy (space around) keeps the vector path.
	 */
	len = h->n - base < 64 ? h->n - base : 64;
	memset(pad, ' ', sizeof(pad));
	pad[0] = base ? h->t[base - 1] : ' ';
	memcpy(pad + 1, h->t + base, len);
	if (base + len < h->n)
		pad[1 + len] = h->t[base + len];
	return block_vec(h, pad + 1) & (len == 64 ? ~0ull : (1ull << len) - 1);
}

static inline uint64_t mask16(__m128i r, int k)
{
	return (uint64_t)(uint16_t)_mm_movemask_epi8(r) << (16 * k);
}

/*
 * The block as 64-bit masks, one per class: a neighbour test is a shift by
 * one, the bytes either side of the block (p[-1], p[64]) fill the ends.
 */
static uint64_t block_vec(const struct hitter *h, const uint8_t *p)
{
	uint64_t at = 0, dot = 0, colon = 0, dash = 0, slash = 0, an = 0, al, ar, cl, cr;
	int k;

	if (!h->punct) {
		for (k = 0; k < 4; k++)
			at |= mask16(scan_in_range16(_mm_loadu_si128((const __m128i *)(p + 16 * k)), '0', '9'), k);
		return at;
	}
	for (k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));

		at |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')), k);
		dot |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), k);
		colon |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')), k);
		dash |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')), k);
	}
	/* most blocks of prose hold none of the four: skip the neighbour tests */
	if (!(at | dot | colon | dash))
		return 0;
	for (k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));

		an |= mask16(alnum16(v), k);
		slash |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), k);
	}
	al = an << 1 | (uint64_t)!!is_alnum(p[-1]);
	ar = an >> 1 | (uint64_t)!!is_alnum(p[64]) << 63;
	cl = al | colon << 1 | (uint64_t)(p[-1] == ':');
	cr = ar | (colon | slash) >> 1 | (uint64_t)(p[64] == ':' || p[64] == '/') << 63;
	return (h->p.at ? at : 0) | (h->p.dot ? dot & al & ar : 0) |
	       (h->p.colon ? colon & cl & cr : 0) | (h->p.dash ? dash & al & ar : 0);
}
#else
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

static uint64_t block_scalar(const struct hitter *h, size_t base)
{
	uint64_t m = 0;
	size_t i;

	for (i = base; i < h->n && i < base + 64; i++)
		if (h->punct ? punct_hit(&h->p, h->t, i, h->n) : is_digit(h->t[i]))
			m |= 1ull << (i - base);
	return m;
}

static __attribute__((noinline)) uint64_t block_mask(const struct hitter *h, size_t base)
{
	return block_scalar(h, base);
}
#endif

/* The first hit at or after i, or n. */
static inline size_t hit_next(struct hitter *h, size_t i)
{
	while (i < h->n) {
		uint64_t m;

		if (!h->valid || i < h->base || i >= h->base + 64) {
			h->base = i;
			h->mask = block_mask(h, i);
			h->valid = 1;
		}
		m = h->mask & (~0ull << (i - h->base));
		if (m)
			return h->base + (size_t)__builtin_ctzll(m);
		i = h->base + 64;
	}
	return h->n;
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
	a = token_back(t, at, at - *done > SCAN_TOKEN_MAX ? at - SCAN_TOKEN_MAX : *done);
	b = token_fwd(t, at, n - a > SCAN_TOKEN_MAX ? a + SCAN_TOKEN_MAX : n);
	*done = b;
	if (b - a < SCAN_TRIG_TOKEN_MIN || scan_guid_shaped((const char *)t + a, b - a))
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

/* The digit groups of a GUID ("...-4954-a2fe-...") are the GUID's, SEPS has it. */
static int in_guid(const uint8_t *t, size_t n, const struct cluster *c)
{
	size_t a = c->start, b = c->end;

	/* only a cluster that touches a dash or a hex letter can be in one */
	if (c->sep != '-' && !(a && (t[a - 1] == '-' || is_alpha(t[a - 1]))) &&
	    !(b < n && (t[b] == '-' || is_alpha(t[b]))))
		return 0;
	while (a > 0 && (is_hex(t[a - 1]) || t[a - 1] == '-') && c->start - a < 36)
		a--;
	while (b < n && (is_hex(t[b]) || t[b] == '-') && b - a < 36)
		b++;
	return scan_guid_shaped((const char *)t + a, b - a);
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

/* Digits and joiners of t[base, base + 64) as bit masks (bit i: byte base + i). */
static void dj_masks(const uint8_t *t, size_t n, size_t base, uint64_t *ret_d, uint64_t *ret_j)
{
	uint64_t d = 0, j = 0;
	size_t i;

#ifdef __SSE2__
	if (base + 64 <= n) {
		int k;

		for (k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(t + base + 16 * k));
			__m128i jm = _mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))),
				_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
							  _mm_cmpeq_epi8(v, _mm_set1_epi8('+'))),
					     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')),
							  _mm_cmpeq_epi8(v, _mm_set1_epi8(')')))));

			d |= (uint64_t)(uint16_t)_mm_movemask_epi8(scan_in_range16(v, '0', '9')) << (16 * k);
			j |= (uint64_t)(uint16_t)_mm_movemask_epi8(jm) << (16 * k);
		}
		*ret_d = d;
		*ret_j = j;
		return;
	}
#endif
	for (i = base; i < n && i < base + 64; i++) {
		if (is_digit(t[i]))
			d |= 1ull << (i - base);
		else if (is_joiner(t[i]))
			j |= 1ull << (i - base);
	}
	*ret_d = d;
	*ret_j = j;
}

/* Population count without -mpopcnt (the build targets baseline x86-64). */
static inline unsigned int popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned int)((x * 0x0101010101010101ull) >> 56);
}

/*
 * Digit clusters as runs of bits: digits, plus one or two joiners between
 * digits.  Most clusters of JSON and logs ("200", "2024", "537") are judged
 * by a popcount, without a walk over their bytes.
 */
static uint64_t cluster_bits(uint64_t d, uint64_t j)
{
	uint64_t one = j & (d << 1) & (d >> 1);
	uint64_t two = j & (j >> 1) & (d << 1) & (d >> 2);

	return d | one | two | (two << 1);
}

struct digit_ctx {
	struct scan_scratch *s;
	const struct scan_engine *eng;
	const uint8_t *t;
	size_t n;
	unsigned int min_digits;
	size_t tok_done;
};

/* A cluster from its first digit: token run, then a window if it may hold a match. */
static int cluster_found(struct digit_ctx *x, size_t at, size_t digits, size_t *ret_end)
{
	const uint8_t *t = x->t;
	size_t n = x->n, a, b, m;
	struct cluster c;
	int walked = !digits, err;

	if (!digits) {
		/* unknown yet: the cluster may run past the block */
		*ret_end = cluster_walk(t, n, at, &c);
		digits = c.digits;
	} else {
		c = (struct cluster){ .start = at, .end = *ret_end, .digits = digits };
	}
	/* random tokens mix letters and digits: a cluster without a letter beside it is no token */
	if (scan_trig_used(x->eng, SCAN_TRIG_TOKEN) &&
	    ((c.start && is_alpha(t[c.start - 1])) || (c.end < n && is_alpha(t[c.end])))) {
		err = token_run(&x->s->wins[SCAN_DB_TOKENS], t, n, c.start, &x->tok_done);
		if (err)
			return err;
	}
	if (digits < x->min_digits ||
	    (digits < SCAN_TRIG_DIGITS_BARE && !letter_flanked(t, n, &c)))
		return 0;
	if (!walked)
		cluster_walk(t, n, at, &c);
	if (boring(&c) || in_guid(t, n, &c))
		return 0;
	for (a = c.start, m = 0; a > 0 && m < SCAN_TRIG_MARGIN && is_margin(t[a - 1]); a--, m++)
		;
	for (b = c.end, m = 0; b < n && m < SCAN_TRIG_MARGIN && is_margin(t[b]); b++, m++)
		;
	return wins_push(&x->s->wins[SCAN_DB_DIGITS], a, b);
}

/* Digit clusters with enough digits, plus a margin for letters around them. */
static int digit_pass(struct scan_scratch *s, const struct scan_engine *eng, const uint8_t *t,
		      size_t n)
{
	struct digit_ctx x = {
		.s = s, .eng = eng, .t = t, .n = n,
		.min_digits = scan_trig_used(eng, SCAN_TRIG_DIGITS) ? eng->digits_min : ~0u,
	};
	const int tok = scan_trig_used(eng, SCAN_TRIG_TOKEN);
	size_t base = 0, digits;
	int err;

	while (base < n) {
		uint64_t d, j, c;
		size_t next = base + 64;

		dj_masks(t, n, base, &d, &j);
		c = d ? cluster_bits(d, j) : 0;
		while (c) {
			unsigned int st = (unsigned int)__builtin_ctzll(c);
			uint64_t run = c >> st;
			unsigned int len = ~run ? (unsigned int)__builtin_ctzll(~run) : 64 - st;
			uint64_t mask = len == 64 ? ~0ull : ((1ull << len) - 1) << st;
			size_t end = base + st + len;

			if (st + len > 61) {
				/* within two joiners of the block end: the walk decides where it stops */
				err = cluster_found(&x, base + st, 0, &end);
				if (err)
					return err;
				if (end > next)
					next = end;
				break;
			}
			digits = popcount64(d & mask);
			/* too few digits, no letter beside: cluster_found() would do nothing */
			if (digits >= x.min_digits ||
			    (tok && ((base + st && is_alpha(t[base + st - 1])) ||
				     (end < n && is_alpha(t[end]))))) {
				err = cluster_found(&x, base + st, digits, &end);
				if (err)
					return err;
			}
			c &= ~mask;
		}
		base = next;
	}
	return 0;
}

struct token_feat {
	unsigned int at, dots, colons, dashes;
	int url, dcolon;
};

/* After a host name's last label: the token ends, or punctuation that ends hosts does. */
static int host_end(const uint8_t *t, size_t n, size_t i)
{
	return i >= n || is_space(t[i]) || (t[i] && strchr("/:,;.)]'\"?#>!", t[i]));
}

/* "x.com", "www.example.org/", not "json.dumps(", "obj.field_x" or "3.14". */
static int host_dot(const uint8_t *t, size_t n, size_t ts, size_t i)
{
	size_t e = i + 1;

	if (i == ts || !is_alnum(t[i - 1]))
		return 0;
	while (e < n && is_alpha(t[e]) && e - i <= 24)
		e++;
	if (e - i - 1 < 2 || e - i - 1 > 24)
		return 0;
	/* a label inside a longer name ("www.example.org"): the next dot decides */
	if (e < n && t[e] == '.' && e + 1 < n && is_alpha(t[e + 1]))
		return 1;
	return host_end(t, n, e);
}

/* A feature of the token starting at ts: the punctuation at t[i]. */
static inline void token_punct(const uint8_t *t, size_t n, size_t ts, size_t i,
			       struct token_feat *f)
{
	switch (t[i]) {
	case '@':
		f->at++;
		break;
	case ':':
		f->colons++;
		if (i + 2 < n && t[i + 1] == '/' && t[i + 2] == '/')
			f->url = 1;
		if (i + 1 < n && t[i + 1] == ':')
			f->dcolon = 1;
		break;
	case '-':
		f->dashes++;
		break;
	case '.':
		f->dots++;
		if (!f->url && host_dot(t, n, ts, i))
			f->url = 1;
		break;
	}
}

/*
 * One pass from the token start: its features, and where it ends.  With
 * SSE2, 16 bytes a step: the punctuation before the first white space.
 */
static size_t token_scan(const uint8_t *t, size_t n, size_t ts, struct token_feat *f)
{
	size_t i = ts, cap = n - ts > SCAN_TOKEN_MAX ? ts + SCAN_TOKEN_MAX : n;

	memset(f, 0, sizeof(*f));
#ifdef __SSE2__
	for (; i + 16 <= cap; i += 16) {
		unsigned int sp = space16(t + i), pu = punct16(t + i);

		/* (sp & -sp) - 1: the bits below the first space, all of them without one */
		for (pu &= (sp & -sp) - 1; pu; pu &= pu - 1)
			token_punct(t, n, ts, i + (size_t)__builtin_ctz(pu), f);
		if (sp)
			return i + (size_t)__builtin_ctz(sp);
	}
#endif
	for (; i < cap; i++) {
		uint8_t k = cls[t[i]];

		if (k & C_SPACE)
			break;
		if (k & C_PUNCT)
			token_punct(t, n, ts, i, f);
	}
	return i;
}

/*
 * A GUID inside the token (quotes and punctuation around it are common):
 * its window, when a GUID rule could report it.
 */
static int guid_window(const struct scan_engine *eng, struct scan_wins *w, const uint8_t *t,
		       size_t n, size_t ts, size_t te)
{
	size_t a = ts, k;

	while (a < te && !is_hex(t[a]))
		a++;
	if (te - a < 36 || !scan_guid_shaped((const char *)t + a, 36) ||
	    (a + 36 < te && is_hex(t[a + 36])))
		return 0;
	if (eng->guid_ctx) {
		for (k = 0; k < eng->n_guid_ctx; k++)
			if (scan_context_near(eng->guid_ctx[k], (const char *)t, n, a, a + 36))
				break;
		if (k == eng->n_guid_ctx)
			return 0;
	}
	return wins_push(w, ts, te);
}

static int token_pass(const struct scan_engine *eng, struct scan_scratch *s,
		      const uint8_t *t, size_t n)
{
	const int at = scan_trig_used(eng, SCAN_TRIG_AT), url = scan_trig_used(eng, SCAN_TRIG_URL);
	const int seps = scan_trig_used(eng, SCAN_TRIG_SEPS), guid = scan_trig_used(eng, SCAN_TRIG_GUID);
	struct hitter h = {
		.t = t, .n = n, .punct = 1,
		.p = { .at = at, .dot = url || seps, .colon = url || seps, .dash = seps || guid },
	};
	struct scan_wins *w = &s->wins[SCAN_DB_TOKENS];
	size_t i = 0, done = 0;
	int err = 0;

	if (!h.p.at && !h.p.dot && !h.p.dash && !h.p.colon)
		return 0;
	while ((i = hit_next(&h, i)) < n) {
		size_t ts = i, te;
		struct token_feat f;

		ts = word_back(t, i, i - done > SCAN_TOKEN_MAX ? i - SCAN_TOKEN_MAX : done);
		te = token_scan(t, n, ts, &f);
		if (te <= i)
			te = i + 1;
		if (guid && f.dashes == 4) {
			err = guid_window(eng, w, t, n, ts, te);
			if (err)
				return err;
		}
		/* "12:30:05" and "v1.2.3" are not addresses; "::1", 1.2.3.4, MACs, GUIDs are */
		if ((at && f.at) || (url && f.url) ||
		    (seps && (f.dcolon || f.colons >= 3 || f.dots >= 3 ||
			      (f.dots == 2 && te - ts >= 14) || f.dashes >= 5))) {
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

#define WINS_RUN_MAX 128   /* windows of a first sorted run merged on the stack */

/*
 * Two passes push windows out of order (digit runs, tokens), each pass in
 * order: two sorted runs are merged, anything else sorted.  Equal starts
 * may come in either order, the merge below joins them alike.
 */
static void wins_order(struct scan_wins *w)
{
	struct scan_window run[WINS_RUN_MAX];
	size_t i, j, a, b, k;

	for (i = 1; i < w->n && w->v[i - 1].text <= w->v[i].text; i++)
		;
	if (i == w->n)
		return;
	for (j = i + 1; j < w->n && w->v[j - 1].text <= w->v[j].text; j++)
		;
	if (j < w->n || i > WINS_RUN_MAX) {
		qsort(w->v, w->n, sizeof(*w->v), win_cmp);
		return;
	}
	/* the output never passes the second run's next window: k = a + (b - i) <= b */
	memcpy(run, w->v, i * sizeof(*run));
	for (a = 0, b = i, k = 0; a < i; k++)
		w->v[k] = b < w->n && w->v[b].text < run[a].text ? w->v[b++] : run[a++];
}

/* Sorted, then overlapping or touching windows merged. */
static void wins_normalise(struct scan_wins *w)
{
	size_t i, k = 0;

	wins_order(w);
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
