// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Prefilter: find the few stretches of a prompt where a triggered rule can
 * match (rules.h, enum scan_trigger), so each Hyperscan database scans a
 * compact view instead of the whole text.  Each 64-byte block of the text
 * is classified once into bit masks (digits, joiners, white space, token
 * bytes, in-token punctuation), with AVX-512BW, AVX2 or SSE2 as the CPU
 * allows (chosen when the engine is made), a scalar loop elsewhere.  Two
 * passes then run on the masks alone: digit clusters (runs of bits: digits
 * and the joiners between them), and tokens holding in-token punctuation
 * '@' '.' ':' '-' (addresses, hosts, separators, GUIDs).  Prose has few of
 * either; JSON and logs judge most clusters by a popcount.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "simd.h"
#include "validate.h"

#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__) && !defined(AIRLOCK_SCAN_NO_AVX2)
/* AVX2 and AVX-512BW code beside the portable code, chosen at run time */
#define PF_WIDE 1
#include <immintrin.h>
#endif

/* Byte classes, one table lookup per byte in the scalar loops. */
enum {
	C_DIGIT  = 1 << 0,
	C_ALPHA  = 1 << 1,
	C_SPACE  = 1 << 2,
	C_JOIN   = 1 << 3,   /* between the digit groups of one number: "(415) 555-0132" */
	C_MARGIN = 1 << 4,   /* what a digit-triggered match may hold around its digits */
	C_TOKEN  = 1 << 5,   /* bytes of API keys and wallets: what SCAN_TRIG_TOKEN rules match */
	C_HEX    = 1 << 6,
	C_PUNCT  = 1 << 7,   /* '@' ':' '-' '.': what a token's features count */
};

#define ALNUM_CLS (C_ALPHA | C_MARGIN | C_TOKEN)

/*
 * Not ':' or '/' among the joiners: times and dates use them, the numbers
 * we look for do not.  The vector classifiers below test the same sets.
 */
static const uint8_t cls[256] = {
	['0' ... '9'] = C_DIGIT | C_MARGIN | C_TOKEN | C_HEX,
	['a' ... 'f'] = ALNUM_CLS | C_HEX, ['g' ... 'z'] = ALNUM_CLS,
	['A' ... 'F'] = ALNUM_CLS | C_HEX, ['G' ... 'Z'] = ALNUM_CLS,
	[' '] = C_SPACE | C_JOIN | C_MARGIN,
	['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, ['\f'] = C_SPACE, ['\v'] = C_SPACE,
	['.'] = C_JOIN | C_MARGIN | C_PUNCT, ['-'] = C_JOIN | C_MARGIN | C_TOKEN | C_PUNCT,
	['@'] = C_PUNCT, [':'] = C_PUNCT,
	['('] = C_JOIN | C_MARGIN, [')'] = C_JOIN | C_MARGIN, ['+'] = C_JOIN | C_MARGIN,
	['#'] = C_MARGIN, ['_'] = C_TOKEN,
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

/* No token trigger is used: no token pass. */
static inline int punct_none(const struct punct *p)
{
	return !p->at && !p->dot && !p->colon && !p->dash;
}

/*
 * The masks both passes read, one word per 64-byte block (bit i: byte
 * 64 * k + i), each array mask_words(n) long: the last word is
 * 0, so a 64-bit window at any offset is two reads and a shift.
 */
enum pf_mask {
	PF_DIGIT,      /* C_DIGIT */
	PF_JOIN,       /* C_JOIN */
	PF_HIT,        /* in-token punctuation the token pass starts from (struct punct) */
	PF_SPACE,      /* C_SPACE */
	PF_PUNCT,      /* '@' '.' ':' '-', wherever they are (C_PUNCT) */
	PF_TOKEN,      /* C_TOKEN */
	PF_ALPHA,      /* C_ALPHA */
	PF__COUNT
};

struct pf {
	const uint8_t *t;
	size_t n;
	const uint64_t *m[PF__COUNT];
};

/* One block's classes before the neighbour tests; bits past the text are 0. */
struct raw {
	uint64_t digit, join, space, token, alnum, hex, at, dot, colon, dash, slash;
};

static void raw_scalar(const uint8_t *t, size_t n, size_t base, struct raw *r)
{
	size_t i, end = n - base < 64 ? n : base + 64;

	memset(r, 0, sizeof(*r));
	for (i = base; i < end; i++) {
		uint8_t c = t[i], k = cls[c];
		uint64_t bit = 1ull << (i - base);

		r->digit |= k & C_DIGIT ? bit : 0;
		r->join |= k & C_JOIN ? bit : 0;
		r->space |= k & C_SPACE ? bit : 0;
		r->token |= k & C_TOKEN ? bit : 0;
		r->alnum |= k & (C_ALPHA | C_DIGIT) ? bit : 0;
		r->hex |= is_hex(c) ? bit : 0;
		r->at |= c == '@' ? bit : 0;
		r->dot |= c == '.' ? bit : 0;
		r->colon |= c == ':' ? bit : 0;
		r->dash |= c == '-' ? bit : 0;
		r->slash |= c == '/' ? bit : 0;
	}
}

#ifdef __SSE2__
static inline uint64_t mask16(__m128i r, int k)
{
	return (uint64_t)(uint16_t)_mm_movemask_epi8(r) << (16 * k);
}

static inline __m128i eq16(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

/* p[0..64) readable. */
static inline void raw_sse2_64(const uint8_t *p, struct raw *r)
{
	int k;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		__m128i an = scan_digit_or_letter16(v, 'z'), sp = eq16(v, ' ');
		__m128i dot = eq16(v, '.'), dash = eq16(v, '-'), plus = eq16(v, '+');
		__m128i slash = eq16(v, '/');

		r->digit |= mask16(scan_in_range16(v, '0', '9'), k);
		r->alnum |= mask16(an, k);
		r->hex |= mask16(scan_digit_or_letter16(v, 'f'), k);
		r->space |= mask16(_mm_or_si128(sp, scan_in_range16(v, '\t', '\r')), k);
		r->join |= mask16(_mm_or_si128(_mm_or_si128(sp, dot),
					       _mm_or_si128(_mm_or_si128(dash, plus),
							    _mm_or_si128(eq16(v, '('), eq16(v, ')')))), k);
		r->token |= mask16(_mm_or_si128(an, _mm_or_si128(dash, eq16(v, '_'))), k);
		r->at |= mask16(eq16(v, '@'), k);
		r->dot |= mask16(dot, k);
		r->colon |= mask16(eq16(v, ':'), k);
		r->dash |= mask16(dash, k);
		r->slash |= mask16(slash, k);
	}
}

/*
 * A block through raw64, which reads 64 bytes: the last block of a text
 * through a zeroed copy (0 is in no class).
 */
static inline __attribute__((always_inline)) void
raw_padded(const uint8_t *t, size_t n, size_t base, struct raw *r,
	   void (*raw64)(const uint8_t *, struct raw *))
{
	uint8_t pad[64] = { 0 };

	if (n - base >= 64) {
		raw64(t + base, r);
		return;
	}
	memcpy(pad, t + base, n - base);
	raw64(pad, r);
}

static inline void raw_sse2(const uint8_t *t, size_t n, size_t base, struct raw *r)
{
	raw_padded(t, n, base, r, raw_sse2_64);
}
#endif

#ifdef PF_WIDE
__attribute__((target("avx2"))) static inline uint64_t eq32(__m256i v, char c, int half)
{
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c)))
	       << (32 * half);
}

/* Unsigned v - lo <= hi - lo, bit per byte. */
__attribute__((target("avx2"))) static inline uint64_t range32(__m256i v, uint8_t lo, uint8_t hi,
								int half)
{
	__m256i d = _mm256_sub_epi8(v, _mm256_set1_epi8((char)lo));

	return (uint64_t)(uint32_t)_mm256_movemask_epi8(
		       _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8((char)(hi - lo))), d))
	       << (32 * half);
}

__attribute__((target("avx2"))) static inline void raw_avx2_64(const uint8_t *p, struct raw *r)
{
	int h;

	memset(r, 0, sizeof(*r));
	for (h = 0; h < 2; h++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * h));
		uint64_t digit = range32(v, '0', '9', h), sp = eq32(v, ' ', h);
		__m256i lower = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
		uint64_t an = digit | range32(lower, 'a', 'z', h);
		uint64_t dot = eq32(v, '.', h), dash = eq32(v, '-', h), plus = eq32(v, '+', h);
		uint64_t slash = eq32(v, '/', h);

		r->digit |= digit;
		r->alnum |= an;
		r->hex |= digit | range32(lower, 'a', 'f', h);
		r->space |= sp | range32(v, '\t', '\r', h);
		r->join |= sp | dot | dash | plus | eq32(v, '(', h) | eq32(v, ')', h);
		r->token |= an | dash | eq32(v, '_', h);
		r->at |= eq32(v, '@', h);
		r->dot |= dot;
		r->colon |= eq32(v, ':', h);
		r->dash |= dash;
		r->slash |= slash;
	}
}

__attribute__((target("avx2"))) static inline void raw_avx2(const uint8_t *t, size_t n, size_t base,
							      struct raw *r)
{
	raw_padded(t, n, base, r, raw_avx2_64);
}

__attribute__((target("avx512bw"))) static inline uint64_t eq64(__m512i v, char c)
{
	return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c));
}

__attribute__((target("avx512bw"))) static inline uint64_t range64(__m512i v, uint8_t lo, uint8_t hi)
{
	return _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8((char)lo)),
				      _mm512_set1_epi8((char)(hi - lo)));
}

/* One load per block; the last one masked (masked-off bytes read as 0 and never fault). */
__attribute__((target("avx512bw"))) static inline void raw_avx512(const uint8_t *t, size_t n,
								   size_t base, struct raw *r)
{
	__m512i v = n - base >= 64 ? _mm512_loadu_si512(t + base)
				   : _mm512_maskz_loadu_epi8((1ull << (n - base)) - 1, t + base);
	uint64_t sp = eq64(v, ' '), dot = eq64(v, '.'), dash = eq64(v, '-'), plus = eq64(v, '+');
	uint64_t slash = eq64(v, '/');
	__m512i lower = _mm512_or_si512(v, _mm512_set1_epi8(0x20));

	r->digit = range64(v, '0', '9');
	r->alnum = r->digit | range64(lower, 'a', 'z');
	r->hex = r->digit | range64(lower, 'a', 'f');
	r->space = sp | range64(v, '\t', '\r');
	/* '(' and ')' differ in the lowest bit only */
	r->join = sp | dot | dash | plus | eq64(_mm512_and_si512(v, _mm512_set1_epi8((char)0xfe)), '(');
	r->token = r->alnum | dash | eq64(v, '_');
	r->at = eq64(v, '@');
	r->dot = dot;
	r->colon = eq64(v, ':');
	r->dash = dash;
	r->slash = slash;
}
#endif

/*
 * Every block once, into the masks.  The punctuation test looks at one
 * byte either side: the bytes beside the block fill the ends (outside the
 * text is white space).  Inlined into each caller with its own block
 * function.
 */
static inline __attribute__((always_inline)) void
classify_blocks(const uint8_t *t, size_t n, const struct punct *pu, uint64_t *const m[PF__COUNT],
		void (*raw_at)(const uint8_t *, size_t, size_t, struct raw *))
{
	const uint64_t fat = pu->at ? ~0ull : 0, fdot = pu->dot ? ~0ull : 0;
	const uint64_t fcolon = pu->colon ? ~0ull : 0, fdash = pu->dash ? ~0ull : 0;
	size_t nb = (n + 63) / 64, k;

	for (k = 0; k < nb; k++) {
		size_t base = k * 64;
		uint8_t l = base ? t[base - 1] : ' ', r = base + 64 < n ? t[base + 64] : ' ';
		uint64_t al, ar, cl, cr, hl, hr;
		struct raw cur;

		raw_at(t, n, base, &cur);
		al = cur.alnum << 1 | (uint64_t)!!is_alnum(l);
		ar = cur.alnum >> 1 | (uint64_t)!!is_alnum(r) << 63;
		cl = al | cur.colon << 1 | (uint64_t)(l == ':');
		cr = ar | (cur.colon | cur.slash) >> 1 | (uint64_t)(r == ':' || r == '/') << 63;
		m[PF_DIGIT][k] = cur.digit;
		m[PF_JOIN][k] = cur.join;
		/*
		 * The SEPS and GUID triggers count dashes, and every shape they
		 * are for (a MAC "00-1a-...", a GUID) has one between hex digits;
		 * "well-known" has none
		 */
		hl = cur.hex << 1 | (uint64_t)!!is_hex(l);
		hr = cur.hex >> 1 | (uint64_t)!!is_hex(r) << 63;
		m[PF_HIT][k] = (cur.at & fat) | (cur.dot & fdot & al & ar) | (cur.dash & fdash & hl & hr) |
			       (cur.colon & fcolon & cl & cr);
		m[PF_SPACE][k] = cur.space;
		m[PF_PUNCT][k] = cur.at | cur.dot | cur.colon | cur.dash;
		m[PF_TOKEN][k] = cur.token;
		m[PF_ALPHA][k] = cur.alnum & ~cur.digit;
	}
	for (k = 0; k < PF__COUNT; k++)
		m[k][nb] = 0;
}

/* Words per mask for n bytes: one per block, and the 0 after the last. */
static inline size_t mask_words(size_t n)
{
	return (n + 63) / 64 + 1;
}

/* The 64 bits of m from bit `at` on. */
static inline uint64_t mask_at(const uint64_t *m, size_t at)
{
	unsigned int sh = at & 63;

	return sh ? m[at >> 6] >> sh | m[(at >> 6) + 1] << (64 - sh) : m[at >> 6];
}

/* The first bit of m ^ flip set in [i, lim) (lim <= n), or lim. */
static inline size_t bit_next(const uint64_t *m, uint64_t flip, size_t i, size_t lim)
{
	while (i < lim) {
		uint64_t w = (m[i >> 6] ^ flip) >> (i & 63);

		if (w) {
			i += (size_t)__builtin_ctzll(w);
			return i < lim ? i : lim;
		}
		i = (i | 63) + 1;
	}
	return lim;
}

/* One past the last bit of m ^ flip set in [floor, i), or floor. */
static inline size_t bit_prev(const uint64_t *m, uint64_t flip, size_t i, size_t floor)
{
	while (i > floor) {
		size_t k = (i - 1) >> 6;
		uint64_t w = (m[k] ^ flip) & (~0ull >> (63 - ((i - 1) & 63)));

		if (w) {
			i = k * 64 + 64 - (size_t)__builtin_clzll(w);
			return i > floor ? i : floor;
		}
		i = k * 64;
	}
	return floor;
}

/* The end of the token bytes from i, not past lim. */
static inline size_t token_fwd(const struct pf *x, size_t i, size_t lim)
{
	return bit_next(x->m[PF_TOKEN], ~0ull, i, lim);
}

/* The start of the token bytes ending at i, not below floor. */
static inline size_t token_back(const struct pf *x, size_t i, size_t floor)
{
	return bit_prev(x->m[PF_TOKEN], ~0ull, i, floor);
}

/* The start of the non-space bytes ending at i, not below floor. */
static inline size_t word_back(const struct pf *x, size_t i, size_t floor)
{
	return bit_prev(x->m[PF_SPACE], 0, i, floor);
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
static int token_run(struct scan_wins *w, const struct pf *x, size_t at, size_t *done)
{
	size_t a = at, b = at, n = x->n;

	if (at < *done)
		return 0;
	a = token_back(x, at, at - *done > SCAN_TOKEN_MAX ? at - SCAN_TOKEN_MAX : *done);
	b = token_fwd(x, at, n - a > SCAN_TOKEN_MAX ? a + SCAN_TOKEN_MAX : n);
	*done = b;
	if (b - a < SCAN_TRIG_TOKEN_MIN || scan_guid_shaped((const char *)x->t + a, b - a))
		return 0;
	return wins_push(w, a, b);
}

/* A cluster's digit groups: count, first three lengths, the longest, one separator kind? */
struct cluster {
	size_t start, end, digits, groups;
	size_t glen[3], gmax;
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

/*
 * Groups of at most three digits joined by single dots: IPv4 addresses
 * and versions ("10.1.2.3", "3.10.6"), all over logs.  Every digit shape
 * needs a group of four digits or more, a space between groups, or a '+'
 * or '(' before the first (rules_pii.c); the IPv4 rule is SEPS's.
 */
static int dotted_short(const uint8_t *t, const struct cluster *c)
{
	return !c->mixed && c->sep == '.' && c->gmax <= 3 &&
	       !(c->start && (t[c->start - 1] == '+' || t[c->start - 1] == '('));
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
		if (g > c->gmax)
			c->gmax = g;
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

/*
 * Digit clusters as runs of bits: digits, plus one or two joiners between
 * digits.  Most clusters of JSON and logs ("200", "2024", "537") are judged
 * by a popcount, without a walk over their bytes.
 */
static inline uint64_t cluster_bits(uint64_t d, uint64_t j)
{
	uint64_t one = j & (d << 1) & (d >> 1);
	uint64_t two = j & (j >> 1) & (d << 1) & (d >> 2);

	return d | one | two | (two << 1);
}

struct digit_ctx {
	struct scan_scratch *s;
	const struct scan_engine *eng;
	const struct pf *x;
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
		err = token_run(&x->s->wins[SCAN_DB_TOKENS], x->x, c.start, &x->tok_done);
		if (err)
			return err;
	}
	if (digits < x->min_digits ||
	    (digits < SCAN_TRIG_DIGITS_BARE && !letter_flanked(t, n, &c)))
		return 0;
	if (!walked)
		cluster_walk(t, n, at, &c);
	if (boring(&c) || dotted_short(t, &c) || in_guid(t, n, &c))
		return 0;
	for (a = c.start, m = 0; a > 0 && m < SCAN_TRIG_MARGIN && is_margin(t[a - 1]); a--, m++)
		;
	for (b = c.end, m = 0; b < n && m < SCAN_TRIG_MARGIN && is_margin(t[b]); b++, m++)
		;
	return wins_push(&x->s->wins[SCAN_DB_DIGITS], a, b);
}

/*
 * Dates and decimals by their shape (boring() after a walk says the same):
 * nd is the cluster's joiner bits from its start, one byte each.
 */
static inline int boring_shape(const uint8_t *t, size_t at, size_t len, uint64_t nd)
{
	uint8_t c;

	if (nd && !(nd & (nd - 1)))
		return t[at + (size_t)__builtin_ctzll(nd)] == '.';
	if (len != 10 || (nd != (1u << 4 | 1u << 7) && nd != (1u << 2 | 1u << 5)))
		return 0;
	c = t[at + (size_t)__builtin_ctzll(nd)];
	return (c == '-' || c == '.') && t[at + 63 - (size_t)__builtin_clzll(nd)] == c;
}

/* Bit s: c holds l ones from bit s on (l <= 64). */
static inline uint64_t runs_of(uint64_t c, unsigned int l)
{
	unsigned int have = 1, sh;

	for (; have < l; have += sh) {
		sh = have <= l - have ? have : l - have;
		c &= c >> sh;
	}
	return c;
}

/*
 * dotted_short() by the cluster's bits: single joiners, each a '.', no
 * run of four digits.
 */
static inline int dotted_short_shape(const uint8_t *t, size_t at, size_t len, uint64_t nd)
{
	uint64_t d = ~nd & (len < 64 ? (1ull << len) - 1 : ~0ull), j;

	if (!nd || (nd & nd >> 1) || runs_of(d, 4))
		return 0;
	for (j = nd; j; j &= j - 1)
		if (t[at + (size_t)__builtin_ctzll(j)] != '.')
			return 0;
	return !(at && (t[at - 1] == '+' || t[at - 1] == '('));
}

/*
 * A cluster [at, end) whose digits are counted, nd its joiner bits from
 * at.  Those cluster_found() would only take the token run of (too few
 * digits, six without letters around, a date, a decimal) take just that,
 * when a letter is beside and the last run did not cover it already.
 */
static inline int cluster_at(struct digit_ctx *x, size_t at, size_t end, size_t digits, uint64_t nd)
{
	const uint8_t *t = x->t;
	struct cluster c = { .start = at, .end = end };

	if (digits >= x->min_digits &&
	    (digits >= SCAN_TRIG_DIGITS_BARE || letter_flanked(t, x->n, &c)) &&
	    !boring_shape(t, at, end - at, nd) && !dotted_short_shape(t, at, end - at, nd))
		return cluster_found(x, at, digits, &end);
	if (!scan_trig_used(x->eng, SCAN_TRIG_TOKEN) || at < x->tok_done ||
	    !((at && is_alpha(t[at - 1])) || (end < x->n && is_alpha(t[end]))))
		return 0;
	return token_run(&x->s->wins[SCAN_DB_TOKENS], x->x, at, &x->tok_done);
}

/*
 * Digit clusters with enough digits, plus a margin for letters around them.
 * The blocks are 64 bytes from where the last one ended: after a cluster
 * that ran past its block, from the cluster's end.  Most clusters of JSON
 * and logs have too few digits and no letter beside them: the masks pass
 * them over, and only the others are counted and judged (as one at a
 * time did).  The first cluster that reaches bit 61 or further is walked
 * and ends the block: the next one starts where that cluster ends.  hw:
 * POPCNT is there.
 */
static inline __attribute__((always_inline)) int
digit_pass(struct scan_scratch *s, const struct scan_engine *eng, const struct pf *px, int hw)
{
	const uint8_t *t = px->t;
	const size_t n = px->n;
	struct digit_ctx x = {
		.s = s, .eng = eng, .x = px, .t = t, .n = n,
		.min_digits = scan_trig_used(eng, SCAN_TRIG_DIGITS) ? eng->digits_min : ~0u,
	};
	const int tok = scan_trig_used(eng, SCAN_TRIG_TOKEN);
	const uint64_t *alpha = px->m[PF_ALPHA];
	size_t base = 0, digits;
	int err;

	while (base < n) {
		uint64_t d = mask_at(px->m[PF_DIGIT], base), c, starts, ends, walk, fs, fe, wide;
		size_t next = base + 64;
		unsigned int ws = 64, len;
		uint64_t mask;

		if (!d) {
			base = next;
			continue;
		}
		c = cluster_bits(d, mask_at(px->m[PF_JOIN], base));
		starts = c & ~(c << 1);
		ends = c & ~(c >> 1);
		walk = ends & (~0ull << 61);
		if (walk) {
			/* the start of the first cluster ending at bit 61 or later */
			unsigned int e = (unsigned int)__builtin_ctzll(walk);

			ws = 63 - (unsigned int)__builtin_clzll(starts & (e == 63 ? ~0ull : (2ull << e) - 1));
		}
		/* the clusters with room for enough digits, all their bits */
		fs = x.min_digits <= 64 ? starts & runs_of(c, x.min_digits) : 0;
		wide = ((c + fs) ^ c) & c;
		fe = 0;
		if (tok) {
			uint64_t a = mask_at(alpha, base);

			if (base)
				a = a << 1 | (alpha[(base - 1) >> 6] >> ((base - 1) & 63) & 1);
			else
				a <<= 1;
			fs |= starts & a;
			fe = ends & mask_at(alpha, base) >> 1;
		}
		if (ws < 64) {
			fs &= (1ull << ws) - 1;
			fe &= (1ull << ws) - 1;
		}
		while (fs | fe) {
			unsigned int lo, st;
			uint64_t z;
			size_t end;

			if (x.tok_done > base) {
				/* a narrow cluster inside the last token run: nothing to do */
				z = x.tok_done - base >= 64 ? ~0ull : (1ull << (x.tok_done - base)) - 1;
				fs &= ~(z & ~wide);
				fe &= ~(z & ~wide);
				if (!(fs | fe))
					break;
			}
			lo = (unsigned int)__builtin_ctzll(fs | fe);
			st = lo;

			if (!(fs >> lo & 1)) {
				/* flagged at its end: back to its start */
				z = ~c & ((1ull << lo) - 1);
				st = z ? 64 - (unsigned int)__builtin_clzll(z) : 0;
			}
			/* below the walked cluster: the run ends by bit 60 */
			len = (unsigned int)__builtin_ctzll(~(c >> st));
			mask = ((1ull << len) - 1) << st;
			end = base + st + len;
			fs &= ~0ull << (st + len);
			fe &= ~0ull << (st + len);
			digits = scan_popcount64(d & mask, hw);
			err = cluster_at(&x, base + st, end, digits, (c & ~d & mask) >> st);
			if (err)
				return err;
		}
		if (ws < 64) {
			size_t at = base + ws, end;
			uint64_t dw = mask_at(px->m[PF_DIGIT], at);
			uint64_t cw = cluster_bits(dw, mask_at(px->m[PF_JOIN], at));

			/*
			 * Within two joiners of the block end: the cluster again,
			 * from its start; walked only when that reaches bit 61.
			 */
			len = ~cw ? (unsigned int)__builtin_ctzll(~cw) : 64;
			if (len <= 61) {
				mask = (1ull << len) - 1;
				end = at + len;
				digits = scan_popcount64(dw & mask, hw);
				err = cluster_at(&x, at, end, digits, cw & ~dw & mask);
			} else {
				err = cluster_found(&x, at, 0, &end);
			}
			if (err)
				return err;
			/*
			 * The next block starts where this cluster ended, not at
			 * this block's end: a cluster may start in the block's
			 * last bytes ("... 7,536-22-8726" with the 7 at bit 61).
			 */
			next = end;
		}
		base = next;
	}
	return 0;
}

struct token_feat {
	unsigned int at, dots, colons, dashes;  /* colons: between hex digits */
	unsigned int num_dots;          /* '.' between two digits ("10.0.0.1" has 3, "v1.2." 1) */
	int url, dcolon;                /* dcolon: a "::" with a digit around (v6_digit()) */
};

/* After a host name's last label: the token ends, or punctuation that ends hosts does. */
static int host_end(const uint8_t *t, size_t n, size_t i)
{
	return i >= n || is_space(t[i]) || (t[i] && strchr("/:,;.)]'\"?#>!", t[i]));
}

/*
 * "x.com", "www.example.org/", not "json.dumps(", "obj.field_x", "3.14",
 * nor, as the last label, one that is no TLD a bare host may end in
 * ("kv.second", "o.total)", "worker.py": code; url-bare-host takes no
 * other, scan_known_tld()).
 */
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
	return host_end(t, n, e) && scan_known_tld((const char *)t + i + 1, e - i - 1);
}

static inline int is_v6(uint8_t c)
{
	return is_hex(c) || c == ':' || c == '.';
}

/*
 * The "::" at t[i] may be an IPv6 address: a decimal digit in the run of
 * hex digits, ':' and '.' around it, as far as ipv6_extract() (rules_pii.c)
 * looks (48 bytes either way).  Without one it is a C++ scope
 * ("std::map") or the bare unspecified address, which the rule drops.
 */
static int v6_digit(const uint8_t *t, size_t n, size_t i)
{
	size_t a = i, b = i;

	while (a > 0 && i - a < 48 && is_v6(t[a - 1]))
		if (is_digit(t[--a]))
			return 1;
	while (b < n && b - i < 48 && is_v6(t[b]))
		if (is_digit(t[b++]))
			return 1;
	return 0;
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
		/* the colons of "h:h:h:h" and of a MAC sit between hex digits */
		if (i > 0 && is_hex(t[i - 1]) && i + 1 < n && is_hex(t[i + 1]))
			f->colons++;
		if (i + 2 < n && t[i + 1] == '/' && t[i + 2] == '/')
			f->url = 1;
		if (!f->dcolon && i + 1 < n && t[i + 1] == ':' && v6_digit(t, n, i))
			f->dcolon = 1;
		break;
	case '-':
		f->dashes++;
		break;
	case '.':
		f->dots++;
		if (i > ts && i + 1 < n && is_digit(t[i - 1]) && is_digit(t[i + 1]))
			f->num_dots++;
		if (!f->url && host_dot(t, n, ts, i))
			f->url = 1;
		break;
	}
}

/*
 * One pass from the token start: its features, and where it ends (the
 * first white space): the punctuation bits before it.
 */
static size_t token_scan(const struct pf *x, size_t ts, struct token_feat *f)
{
	size_t n = x->n, cap = n - ts > SCAN_TOKEN_MAX ? ts + SCAN_TOKEN_MAX : n, te, i;

	memset(f, 0, sizeof(*f));
	te = bit_next(x->m[PF_SPACE], 0, ts, cap);
	for (i = ts; (i = bit_next(x->m[PF_PUNCT], 0, i, te)) < te; i++)
		token_punct(x->t, n, ts, i, f);
	return te;
}

static int digits_at(const uint8_t *t, size_t a, size_t k)
{
	while (k--)
		if (!is_digit(t[a++]))
			return 0;
	return 1;
}

/*
 * The end of an ISO 8601 date or date-time whose first '-' is t[i]
 * ("2024-03-11", "2024-03-11T09:30:25.581Z", "...T09:30+05:30"), or 0.
 * Logs and JSON have one in every line or record, and no address, MAC or
 * GUID fits in one.
 */
static size_t iso_time_end(const uint8_t *t, size_t n, size_t i)
{
	size_t j = i + 6;

	if (i < 4 || j > n || (i > 4 && is_alnum(t[i - 5])) || !digits_at(t, i - 4, 4) ||
	    !digits_at(t, i + 1, 2) || t[i + 3] != '-' || !digits_at(t, i + 4, 2))
		return 0;
	if (j + 6 > n || (t[j] | 0x20) != 't' || !digits_at(t, j + 1, 2) || t[j + 3] != ':' ||
	    !digits_at(t, j + 4, 2))
		return j;
	j += 6;
	if (j + 3 <= n && t[j] == ':' && digits_at(t, j + 1, 2)) {
		j += 3;
		if (j + 1 < n && t[j] == '.' && is_digit(t[j + 1]))
			for (j++; j < n && is_digit(t[j]); j++)
				;
	}
	if (j < n && (t[j] | 0x20) == 'z')
		return j + 1;
	if (j + 3 <= n && (t[j] == '+' || t[j] == '-') && digits_at(t, j + 1, 2)) {
		j += 3;
		if (j + 3 <= n && t[j] == ':' && digits_at(t, j + 1, 2))
			return j + 3;
		if (j + 2 <= n && digits_at(t, j, 2))
			return j + 2;
	}
	return j;
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

static inline __attribute__((always_inline)) int
token_pass(const struct scan_engine *eng, struct scan_scratch *s, const struct pf *x)
{
	const int at = scan_trig_used(eng, SCAN_TRIG_AT), url = scan_trig_used(eng, SCAN_TRIG_URL);
	const int seps = scan_trig_used(eng, SCAN_TRIG_SEPS), guid = scan_trig_used(eng, SCAN_TRIG_GUID);
	struct scan_wins *w = &s->wins[SCAN_DB_TOKENS];
	const uint8_t *t = x->t;
	size_t i = 0, done = 0, n = x->n;
	int err = 0;

	while ((i = bit_next(x->m[PF_HIT], 0, i, n)) < n) {
		size_t ts = i, te;
		struct token_feat f;

		/*
		 * A dot between hex digits may be an address's or a MAC's, any
		 * other one only a host name's: "obj.field", "json.dumps(" and
		 * "e.g." are turned away before their token is read (a dot
		 * starts the pass only between alphanumeric bytes)
		 */
		if (t[i] == '.' && !(is_hex(t[i - 1]) && is_hex(t[i + 1])) &&
		    !(url && host_dot(t, n, 0, i))) {
			i++;
			continue;
		}
		/* a date-time's dashes, colons and dot: the rest of its token decides */
		if (t[i] == '-' && (te = iso_time_end(t, n, i))) {
			i = te;
			continue;
		}
		ts = word_back(x, i, i - done > SCAN_TOKEN_MAX ? i - SCAN_TOKEN_MAX : done);
		te = token_scan(x, ts, &f);
		if (te <= i)
			te = i + 1;
		if (guid && f.dashes == 4) {
			err = guid_window(eng, w, t, n, ts, te);
			if (err)
				return err;
		}
		/*
		 * "12:30:05", "v1.2.3" and "4.0.8." are not addresses; "::1",
		 * 1.2.3.4 (three dots between digits), MACs (0011.2233.4455 has
		 * two dots in 14 bytes), GUIDs are
		 */
		if ((at && f.at) || (url && f.url) ||
		    (seps && (f.dcolon || f.colons >= 3 || f.num_dots >= 3 ||
			      (f.dots >= 2 && te - ts >= 14) || f.dashes >= 5))) {
			err = wins_push(w, ts, te);
			if (err)
				return err;
		}
		i = done = te;
	}
	return 0;
}

/* The punctuation the token triggers need; none: no token pass. */
static struct punct token_punct_used(const struct scan_engine *eng)
{
	const int url = scan_trig_used(eng, SCAN_TRIG_URL), seps = scan_trig_used(eng, SCAN_TRIG_SEPS);

	return (struct punct){
		.at = scan_trig_used(eng, SCAN_TRIG_AT),
		.dot = url || seps,
		.colon = url || seps,
		.dash = seps || scan_trig_used(eng, SCAN_TRIG_GUID),
	};
}

/*
 * Both passes over the masks, inlined into each caller with its block
 * function; hw: POPCNT is there (the wide paths).
 */
static inline __attribute__((always_inline)) int
prefilter_with(const struct scan_engine *eng, struct scan_scratch *s, const uint8_t *t, size_t n,
	       int digits, const struct punct *pu,
	       void (*raw_at)(const uint8_t *, size_t, size_t, struct raw *), int hw)
{
	const size_t words = mask_words(n);
	uint64_t *m[PF__COUNT];
	struct pf x = { .t = t, .n = n };
	int k, err;

	for (k = 0; k < PF__COUNT; k++)
		x.m[k] = m[k] = s->pf_masks + (size_t)k * words;
	classify_blocks(t, n, pu, m, raw_at);
	if (digits) {
		err = digit_pass(s, eng, &x, hw);
		if (err)
			return err;
	}
	if (punct_none(pu))
		return 0;
	return token_pass(eng, s, &x);
}

static int prefilter_scalar(const struct scan_engine *eng, struct scan_scratch *s,
			    const uint8_t *t, size_t n, int digits, const struct punct *pu)
{
	return prefilter_with(eng, s, t, n, digits, pu, raw_scalar, 0);
}

#ifdef __SSE2__
static int prefilter_sse2(const struct scan_engine *eng, struct scan_scratch *s,
			  const uint8_t *t, size_t n, int digits, const struct punct *pu)
{
	return prefilter_with(eng, s, t, n, digits, pu, raw_sse2, 0);
}
#endif

#ifdef PF_WIDE
__attribute__((target("avx2,popcnt,bmi"))) static int
prefilter_avx2(const struct scan_engine *eng, struct scan_scratch *s, const uint8_t *t, size_t n,
	       int digits, const struct punct *pu)
{
	return prefilter_with(eng, s, t, n, digits, pu, raw_avx2, 1);
}

__attribute__((target("avx512bw,popcnt,bmi"))) static int
prefilter_avx512(const struct scan_engine *eng, struct scan_scratch *s, const uint8_t *t,
		 size_t n, int digits, const struct punct *pu)
{
	return prefilter_with(eng, s, t, n, digits, pu, raw_avx512, 1);
}
#endif

unsigned int scan_prefilter_isa(void)
{
#ifdef PF_WIDE
	__builtin_cpu_init();
	if (__builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi")) {
		if (__builtin_cpu_supports("avx512bw"))
			return SCAN_PF_AVX512;
		if (__builtin_cpu_supports("avx2"))
			return SCAN_PF_AVX2;
	}
#endif
#ifdef __SSE2__
	return SCAN_PF_SSE2;
#else
	return SCAN_PF_SCALAR;
#endif
}

int scan_prefilter(const struct scan_engine *eng, struct scan_scratch *s, const char *text,
		   size_t n)
{
	const uint8_t *t = (const uint8_t *)text;
	const int digits = scan_trig_used(eng, SCAN_TRIG_DIGITS) || scan_trig_used(eng, SCAN_TRIG_TOKEN);
	const struct punct pu = token_punct_used(eng);
	size_t c;
	int err;

	for (c = 0; c < SCAN_DB__COUNT; c++)
		s->wins[c].n = 0;
	if (!digits && punct_none(&pu))
		return 0;
	err = scan_grow((void **)&s->pf_masks, &s->cap_pf_masks, mask_words(n) * PF__COUNT,
			sizeof(*s->pf_masks));
	if (err)
		return err;
	switch (eng->pf_isa) {
#ifdef PF_WIDE
	case SCAN_PF_AVX512:
		return prefilter_avx512(eng, s, t, n, digits, &pu);
	case SCAN_PF_AVX2:
		return prefilter_avx2(eng, s, t, n, digits, &pu);
#endif
#ifdef __SSE2__
	case SCAN_PF_SSE2:
		return prefilter_sse2(eng, s, t, n, digits, &pu);
#endif
	default:
		return prefilter_scalar(eng, s, t, n, digits, &pu);
	}
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

	/* an empty list may have no array at all */
	if (w->n < 2)
		return;
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
