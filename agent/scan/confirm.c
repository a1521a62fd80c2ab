// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Candidate confirmation: everything a rule says beyond its regex.  Runs
 * per candidate, never per byte, so clarity beats cleverness here.
 * Order: cheapest and most selective checks first (boundaries, validator),
 * context last because it looks at the text around the value.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "simd.h"
#include "validate.h"

/* ASCII letters and digits: one load per byte in the context-window loops. */
static const uint8_t alnum_tab[256] = {
	['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1,
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return alnum_tab[(unsigned char)c];
}

static int is_word(char c)
{
	return is_alnum(c) || c == '_';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int bounds_ok(unsigned int f, const char *t, size_t n, size_t start, size_t end)
{
	char l = start ? t[start - 1] : ' ', r = end < n ? t[end] : ' ';

	if ((f & SCAN_RF_LEFT_NOT_ALNUM) && is_alnum(l))
		return 0;
	if ((f & SCAN_RF_RIGHT_NOT_ALNUM) && is_alnum(r))
		return 0;
	if ((f & SCAN_RF_LEFT_NOT_WORD) && is_word(l))
		return 0;
	if ((f & SCAN_RF_RIGHT_NOT_WORD) && is_word(r))
		return 0;
	if ((f & SCAN_RF_LEFT_NOT_DIGIT) && is_digit(l))
		return 0;
	if ((f & SCAN_RF_RIGHT_NOT_DIGIT) && is_digit(r))
		return 0;
	return 1;
}

static int ci_equal(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (!b[i] || lower(a[i]) != lower(b[i]))
			return 0;
	return b[alen] == 0;
}

/* Slot of a lower-case letter or digit in scan_first.by, or -1. */
static int first_slot(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return 10 + (c - 'a');
	return -1;
}

void scan_first_build(const char *const *phrases, struct scan_first *ret)
{
	size_t k;

	memset(ret, 0, sizeof(*ret));
	for (k = 0; phrases && phrases[k]; k++) {
		int slot = first_slot(phrases[k][0]);

		/* a phrase that does not start with a lower-case letter or digit never matches */
		if (slot < 0)
			continue;
		if (k >= 32) {
			ret->many = 1;
			continue;
		}
		ret->by[slot] |= 1u << k;
	}
}

/* Does phrase p (lower case) start at t[i], within t[..to)? */
static int phrase_at(const char *t, size_t i, size_t to, const char *p)
{
	size_t j;

	for (j = 1; p[j] && i + j < to && lower(t[i + j]) == p[j]; j++)
		;
	return !p[j];
}

/* Does a phrase start at the word start t[i] (a letter or digit)? */
static int phrases_at(const char *t, size_t i, size_t to, const char *const *phrases,
		      const struct scan_first *first)
{
	char c = lower(t[i]);
	uint32_t m;
	size_t k;

	if (first && !first->many) {
		for (m = first->by[first_slot(c)]; m; m &= m - 1)
			if (phrase_at(t, i, to, phrases[__builtin_ctz(m)]))
				return 1;
		return 0;
	}
	for (k = 0; phrases[k]; k++)
		if (phrases[k][0] == c && phrase_at(t, i, to, phrases[k]))
			return 1;
	return 0;
}

/*
 * May a phrase start at the word start c (a letter or digit)?  by is the
 * first-byte filter, or NULL when there is none; its slot is first_slot()
 * of the lower-case byte, without a branch.
 */
static inline int first_may(const uint32_t *by, char c)
{
	unsigned int u = (unsigned char)c;

	return !by || by[u <= '9' ? u - '0' : (u | 0x20) - 'a' + 10];
}

#ifdef __SSE2__
/* Bit k: p[k] is an ASCII letter or digit. */
static inline unsigned int alnum16(const char *p)
{
	return scan_digit_or_letter_mask16(p, 'z');
}

/*
 * Word starts in t[i..to) when i > from (the block before was scanned), or
 * in t[from..to) when i == from, for a tail of fewer than 16 bytes: one
 * load ending at `to` (to >= 16), its bits below i dropped.  A bit k >= 1
 * sees its real left neighbour in the load; t[from] starts a word if it
 * is a letter or digit, whatever comes before it.
 */
static inline unsigned int tail_starts(const char *t, size_t from, size_t i, size_t to)
{
	size_t base = to - 16;
	unsigned int a = alnum16(t + base), k = (unsigned int)(i - base);
	unsigned int st = a & ~(a << 1) & (0xffffu << k) & 0xffff;

	if (i == from)
		st |= a & (1u << k);
	return st;
}
#endif

int scan_has_phrase(const char *t, size_t from, size_t to, const char *const *phrases,
		    const struct scan_first *first)
{
	const uint32_t *by = first && !first->many ? first->by : NULL;
	size_t i = from;
	unsigned int prev = 0;

	if (!phrases || to <= from)
		return 0;
	/*
	 * Phrases match at word starts ("phone" finds "phones", not
	 * "telephone"), so only word starts are tried: a window of five words
	 * has five, whatever the number of phrases.  t[from] starts a word
	 * if it is a letter or digit.  Word starts come 16 bytes at a time
	 * as a bit mask: a letter or digit after one that is neither.
	 */
#ifdef __SSE2__
	for (; i + 16 <= to; i += 16) {
		unsigned int a = alnum16(t + i), st = a & ~((a << 1) | prev);

		prev = a >> 15;
		for (; st; st &= st - 1) {
			size_t w = i + (size_t)__builtin_ctz(st);

			if (first_may(by, t[w]) && phrases_at(t, w, to, phrases, first))
				return 1;
		}
	}
	if (i < to && to >= 16) {
		unsigned int st = tail_starts(t, from, i, to);

		for (; st; st &= st - 1) {
			size_t w = to - 16 + (size_t)__builtin_ctz(st);

			if (first_may(by, t[w]) && phrases_at(t, w, to, phrases, first))
				return 1;
		}
		return 0;
	}
#endif
	for (; i < to; i++) {
		unsigned int cur = is_alnum(t[i]);

		if (cur && !prev && first_may(by, t[i]) && phrases_at(t, i, to, phrases, first))
			return 1;
		prev = cur;
	}
	return 0;
}

/*
 * The rules that share a pattern read the same window around the same
 * value: a bare number goes to eight rules, half of which look for their
 * words before anything else.  The window's word starts are found once
 * per candidate and value span; each rule then tries its phrases at them.
 */
#define CTX_STARTS_MAX 16

/* A range searched for phrases (which must end by hi) and its word starts. */
struct ctx_side {
	size_t lo;
	size_t hi;
	unsigned int n;                /* > CTX_STARTS_MAX: too many, search lo..hi */
	size_t at[CTX_STARTS_MAX];
};

struct ctx_memo {
	int valid;
	size_t start;                  /* the value the window is around */
	size_t end;
	unsigned int words;
	unsigned int after;            /* SCAN_RF_CTX_AFTER */
	struct ctx_side side[2];       /* before the value, after it */
};

/* Note word start w; 0 once there are too many (n says so from then on). */
static int side_push(struct ctx_side *sd, size_t w)
{
	if (sd->n >= CTX_STARTS_MAX) {
		sd->n = CTX_STARTS_MAX + 1;
		return 0;
	}
	sd->at[sd->n++] = w;
	return 1;
}

#ifdef __SSE2__
/*
 * The word starts st of the 16 bytes at base, highest first, each noted
 * in sd (when not NULL): 1 and *ret set at the words-th counted so far.
 */
static inline int starts_back(unsigned int st, size_t base, struct ctx_side *sd,
			      unsigned int *words, size_t *ret)
{
	for (; st; st &= ~(1u << (31 - __builtin_clz(st)))) {
		size_t w = base + (size_t)(31 - __builtin_clz(st));

		if (sd)
			side_push(sd, w);
		if (!--*words) {
			*ret = w;
			return 1;
		}
	}
	return 0;
}
#endif

/*
 * Start of the window of `words` words before pos (capped in bytes): the
 * start of the words-th word counted back from pos.  Word starts come 16
 * bytes at a time as a bit mask, highest (nearest pos) first.  They are
 * the word starts scan_has_phrase() tries in [that start, pos): each goes
 * to sd (when not NULL) as it is found.
 */
static size_t words_before(const char *t, size_t pos, unsigned int words, struct ctx_side *sd)
{
	size_t i = pos, floor = pos > SCAN_CTX_BYTES_MAX ? pos - SCAN_CTX_BYTES_MAX : 0, w;

	if (!words)
		return pos;
#ifdef __SSE2__
	/* the block t[i - 16..i) and the byte before it, all at or above floor */
	for (; i >= floor + 17; i -= 16)
		if (starts_back(alnum16(t + i - 16) & ~alnum16(t + i - 17) & 0xffff, i - 16, sd,
				&words, &w))
			return w;
	/* the rest, t[floor..i) (fewer than 17 bytes), in one block ending at i */
	if (i > floor && i >= 16)
		return starts_back(tail_starts(t, floor, floor, i), i - 16, sd, &words, &w) ? w : floor;
#endif
	for (; i > floor; i--) {
		w = i - 1;
		if (is_alnum(t[w]) && (w == floor || !is_alnum(t[w - 1]))) {
			if (sd)
				side_push(sd, w);
			if (!--words)
				return w;
		}
	}
	return floor;
}

/*
 * End of the window of `words` words after pos (capped in bytes): the end
 * of the words-th word from pos.  Word ends (a byte that is neither letter
 * nor digit after one that is) come 16 bytes at a time as a bit mask.
 */
static size_t words_after(const char *t, size_t n, size_t pos, unsigned int words)
{
	size_t i = pos, ceil = n - pos > SCAN_CTX_BYTES_MAX ? pos + SCAN_CTX_BYTES_MAX : n;
	unsigned int prev = 0;

	if (!words)
		return pos;
#ifdef __SSE2__
	for (; i + 16 <= ceil; i += 16) {
		unsigned int a = alnum16(t + i), end = ~a & ((a << 1) | prev) & 0xffff;

		prev = a >> 15;
		for (; end; end &= end - 1)
			if (!--words)
				return i + (size_t)__builtin_ctz(end);
	}
#endif
	for (; i < ceil; i++) {
		unsigned int cur = is_alnum(t[i]);

		if (!cur && prev && !--words)
			return i;
		prev = cur;
	}
	return ceil;
}

static void ctx_window(const struct scan_rule *r, const char *t, size_t n, size_t start,
		       size_t end, size_t *ret_from, size_t *ret_to)
{
	unsigned int w = r->ctx_words ? r->ctx_words : SCAN_CTX_WORDS_DEFAULT;

	*ret_from = words_before(t, start, w, NULL);
	*ret_to = (r->flags & SCAN_RF_CTX_AFTER) ? words_after(t, n, end, w) : start;
}

/* The word starts scan_has_phrase() would try in t[lo..hi). */
static void side_fill(const char *t, size_t lo, size_t hi, struct ctx_side *sd)
{
	size_t i = lo;
	unsigned int prev = 0;

	/* at[] is read only below n: not cleared */
	sd->lo = lo;
	sd->hi = hi;
	sd->n = 0;
	if (hi <= lo)
		return;
#ifdef __SSE2__
	for (; i + 16 <= hi; i += 16) {
		unsigned int a = alnum16(t + i), st = a & ~((a << 1) | prev);

		prev = a >> 15;
		for (; st; st &= st - 1)
			if (!side_push(sd, i + (size_t)__builtin_ctz(st)))
				return;
	}
	if (i < hi && hi >= 16) {
		unsigned int st = tail_starts(t, lo, i, hi);

		for (; st; st &= st - 1)
			if (!side_push(sd, hi - 16 + (size_t)__builtin_ctz(st)))
				return;
		return;
	}
#endif
	for (; i < hi; i++) {
		unsigned int cur = is_alnum(t[i]);

		if (cur && !prev && !side_push(sd, i))
			return;
		prev = cur;
	}
}

/* scan_has_phrase(t, sd->lo, sd->hi, phrases, first), from the word starts found. */
static int side_has(const char *t, const struct ctx_side *sd, const char *const *phrases,
		    const struct scan_first *first)
{
	const uint32_t *by = first && !first->many ? first->by : NULL;
	unsigned int k;

	if (!phrases)
		return 0;
	if (sd->n > CTX_STARTS_MAX)
		return scan_has_phrase(t, sd->lo, sd->hi, phrases, first);
	for (k = 0; k < sd->n; k++)
		if (first_may(by, t[sd->at[k]]) && phrases_at(t, sd->at[k], sd->hi, phrases, first))
			return 1;
	return 0;
}

/* A phrase in the window before the value or in the one after it. */
static int ctx_has(const char *t, const struct ctx_memo *m, const char *const *phrases,
		   const struct scan_first *first)
{
	return side_has(t, &m->side[0], phrases, first) || side_has(t, &m->side[1], phrases, first);
}

/* The rule's window around [start, end) in m, found unless m already holds it. */
static void ctx_memo_get(const struct scan_rule *r, const char *t, size_t n, size_t start,
			 size_t end, struct ctx_memo *m)
{
	unsigned int w = r->ctx_words ? r->ctx_words : SCAN_CTX_WORDS_DEFAULT;
	unsigned int after = !!(r->flags & SCAN_RF_CTX_AFTER);
	struct ctx_side *sd = &m->side[0];

	if (m->valid && m->start == start && m->end == end && m->words == w && m->after == after)
		return;
	/* before (and after), never the value itself */
	sd->n = 0;
	sd->lo = words_before(t, start, w, sd);
	sd->hi = start;
	side_fill(t, end, after ? words_after(t, n, end, w) : end, &m->side[1]);
	m->valid = 1;
	m->start = start;
	m->end = end;
	m->words = w;
	m->after = after;
}

static enum scan_confidence context_conf(const struct erule *er, const char *t, size_t n,
					 size_t start, size_t end, struct ctx_memo *m)
{
	const struct scan_rule *r = er->r;
	enum scan_confidence c = r->conf;
	int pos = 0, neg = 0;

	if (!r->context && !r->negative)
		return c;
	ctx_memo_get(r, t, n, start, end, m);
	pos = ctx_has(t, m, r->context, &er->ctx_first);
	if (!pos && (r->flags & SCAN_RF_NEED_CONTEXT))
		return 0;
	neg = ctx_has(t, m, r->negative, &er->neg_first);
	if (pos && r->conf_ctx)
		c = r->conf_ctx;
	if (neg) {
		if (r->flags & SCAN_RF_NEG_DROP)
			return 0;
		c = c > SCAN_CONF_LOW ? c - 1 : 0;
	}
	return c;
}

int scan_context_near(const struct erule *er, const char *t, size_t n, size_t start, size_t end)
{
	const struct scan_rule *r = er->r;
	struct ctx_memo m;

	m.valid = 0;
	ctx_memo_get(r, t, n, start, end, &m);
	return ctx_has(t, &m, r->context, &er->ctx_first);
}

enum scan_confidence scan_context_conf(const struct erule *er, const char *t, size_t n,
				       size_t start, size_t end)
{
	struct ctx_memo m;

	m.valid = 0;
	return context_conf(er, t, n, start, end, &m);
}

static int allowed(const struct erule *er, hs_scratch_t *hs, const char *v, size_t len);

static int keywords_near(const struct scan_rule *r, const char *t, size_t n, size_t start,
			 size_t end)
{
	size_t from, to, k;

	if (r->flags & SCAN_RF_KEYWORD_IN_MATCH) {
		from = start;
		to = end;
	} else {
		ctx_window(r, t, n, start, end, &from, &to);
		if (to < end)
			to = end;
	}
	for (k = 0; r->keywords[k]; k++)
		if (scan_ci_contains(t + from, to - from, r->keywords[k]))
			return 1;
	return 0;
}

static int hash_cmp(const void *key, const void *elem)
{
	return memcmp(key, elem, SCAN_EDM_HASH_LEN);
}

static int edm_match(const struct scan_rule *r, const char *v, size_t len)
{
	char buf[SCAN_EDM_VALUE_MAX];
	uint8_t h[SCAN_EDM_HASH_LEN];
	size_t i, n = 0;

	if (len > sizeof(buf))
		return 0;
	for (i = 0; i < len; i++) {
		if ((r->flags & SCAN_RF_EDM_DIGITS_ONLY) && !is_digit(v[i]))
			continue;
		buf[n++] = (r->flags & SCAN_RF_EDM_CASEFOLD) ? lower(v[i]) : v[i];
	}
	if (scan_edm_hash(r->edm->salt, r->edm->salt_len, buf, n, h))
		return 0;
	return bsearch(h, r->edm->hashes, r->edm->n, SCAN_EDM_HASH_LEN, hash_cmp) != NULL;
}

static int push_hit(struct scan_scratch *s, const struct scan_hit *h)
{
	if (s->n_hit == s->cap_hit) {
		size_t cap = s->cap_hit ? s->cap_hit * 2 : 64;
		struct scan_hit *v = realloc(s->hit, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->hit = v;
		s->cap_hit = cap;
	}
	s->hit[s->n_hit++] = *h;
	return 0;
}

/* Rules sharing a pattern usually share its extract: run it once per candidate. */
struct extract_memo {
	scan_extract_fn fn;
	int rc;
	struct scan_span sp;
};

static int extract(const struct scan_rule *r, const char *t, size_t n, struct extract_memo *m,
		   struct scan_span *sp)
{
	if (m->fn != r->extract) {
		m->fn = r->extract;
		m->sp = *sp;
		m->rc = r->extract(t, n, &m->sp);
		if (!m->rc && (!m->sp.len || m->sp.off > n || m->sp.len > n - m->sp.off))
			m->rc = -1;
	}
	*sp = m->sp;
	return m->rc;
}

/* One rule on one candidate: 1 and *ret_hit filled, or 0. */
static int check_rule(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		      size_t n, const struct scan_cand *c, uint32_t ri, struct extract_memo *memo,
		      struct ctx_memo *cm, struct scan_hit *ret_hit)
{
	const struct erule *er = &eng->rules[ri];
	const struct scan_rule *r = er->r;
	struct scan_span sp = { .off = c->start, .len = c->end - c->start };
	const char *v;
	enum scan_confidence conf;

	if (r->extract && extract(r, t, n, memo, &sp) < 0)
		return 0;
	if (!bounds_ok(r->flags, t, n, sp.off, sp.off + sp.len))
		return 0;
	v = t + sp.off;
	/* a rule that needs context fails on it far more often than on its checksum */
	conf = 0;
	if (r->flags & SCAN_RF_NEED_CONTEXT) {
		conf = context_conf(er, t, n, sp.off, sp.off + sp.len, cm);
		if (!conf)
			return 0;
	}
	if (r->validate && r->validate(v, sp.len) != 1)
		return 0;
	if (r->min_entropy > 0 && scan_entropy(v, sp.len) <= r->min_entropy)
		return 0;
	if (allowed(er, s->hs, v, sp.len))
		return 0;
	if (r->keywords && !keywords_near(r, t, n, sp.off, sp.off + sp.len))
		return 0;
	if (r->kind == SCAN_RULE_EDM && !edm_match(r, v, sp.len))
		return 0;
	if (!conf)
		conf = context_conf(er, t, n, sp.off, sp.off + sp.len, cm);
	if (!conf || conf < eng->opts.min_conf)
		return 0;
	*ret_hit = (struct scan_hit){
		.start = sp.off, .end = sp.off + sp.len, .rule = ri, .conf = conf,
		.priority = r->priority,
	};
	return 1;
}

static int allow_cb(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	*(int *)ctx = 1;
	return 1;    /* one is enough */
}

static int allowed(const struct erule *er, hs_scratch_t *hs, const char *v, size_t len)
{
	const struct scan_rule *r = er->r;
	size_t k;
	int hit = 0;

	for (k = 0; r->allow && r->allow[k]; k++)
		if (ci_equal(v, len, r->allow[k]))
			return 1;
	for (k = 0; r->stopwords && r->stopwords[k]; k++)
		if (scan_ci_contains(v, len, r->stopwords[k]))
			return 1;
	if (er->allow_db)
		(void)hs_scan(er->allow_db, v, (unsigned int)len, 0, hs, allow_cb, &hit);
	return hit;
}

int scan_confirm(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		 size_t n, const struct scan_cand *c)
{
	const struct epat *p = &eng->pats[c->pat];
	struct extract_memo memo = { 0 };
	struct ctx_memo cm;
	uint32_t k;

	cm.valid = 0;
	for (k = 0; k < p->n_ref; k++) {
		struct scan_hit h;
		int err;

		if (!check_rule(eng, s, t, n, c, eng->refs[p->ref + k], &memo, &cm, &h))
			continue;
		err = push_hit(s, &h);
		if (err)
			return err;
	}
	return 0;
}
