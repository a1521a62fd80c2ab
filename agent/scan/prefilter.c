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

static int is_digit(uint8_t c)
{
	return (uint8_t)(c - '0') < 10;
}

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_alnum(uint8_t c)
{
	return is_digit(c) || (uint8_t)((c | 0x20) - 'a') < 26;
}

/* What may sit between the digit groups of one number: "(415) 555-0132". */
static int is_joiner(uint8_t c)
{
	return c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')' ||
	       c == '+' || c == ':';
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

static int is_punct(const struct punct *p, uint8_t c)
{
	return (p->at && c == '@') || (p->dot && c == '.') || (p->colon && c == ':') ||
	       (p->dash && c == '-');
}

static size_t next_punct(const uint8_t *t, size_t i, size_t n, const struct punct *p)
{
#ifdef HAVE_VEC
	const v16 at = vsplat(p->at ? '@' : 0), dot = vsplat(p->dot ? '.' : 0);
	const v16 colon = vsplat(p->colon ? ':' : 0), dash = vsplat(p->dash ? '-' : 0);
	const v16 nul = vsplat(0);

	while (i + 16 <= n) {
		v16 v, m;
		unsigned int k;

		memcpy(&v, t + i, sizeof(v));
		/* unused lanes compare against NUL; NUL itself never matches */
		m = (v16)((v == at) | (v == dot) | (v == colon) | (v == dash)) & (v16)(v != nul);
		k = first_lane(m);
		if (k < 16)
			return i + k;
		i += 16;
	}
#endif
	while (i < n && !is_punct(p, t[i]))
		i++;
	return i;
}

static int wins_push(struct scan_wins *w, size_t start, size_t end)
{
	struct scan_window *last = w->n ? &w->v[w->n - 1] : NULL;

	/* overlapping or touching windows are one: a match may span them */
	if (last && start <= last->text + last->len) {
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

/* Bytes of API keys, wallets and other random tokens. */
static int is_token(uint8_t c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '+' || c == '/' || c == '=';
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
	if (b - a < SCAN_TRIG_TOKEN_MIN)
		return 0;
	return wins_push(w, a, b);
}

/* Digit clusters with enough digits, plus a margin for letters around them. */
static int digit_pass(struct scan_scratch *s, const struct scan_engine *eng, const uint8_t *t,
		      size_t n)
{
	struct scan_wins *w = &s->wins[SCAN_TRIG_DIGITS];
	unsigned int min_digits = eng->db[SCAN_TRIG_DIGITS] ? eng->digits_min : ~0u;
	size_t i = 0, tok_done = 0;
	int err;

	while ((i = next_digit(t, i, n)) < n) {
		size_t cs = i, j = i, digits = 0, a, b, m;

		for (;;) {
			size_t k, joiners = 0;

			while (j < n && is_digit(t[j])) {
				digits++;
				j++;
			}
			for (k = j; k < n && joiners < 2 && is_joiner(t[k]); k++)
				joiners++;
			if (!joiners || k == n || !is_digit(t[k]))
				break;
			j = k;
		}
		i = j;
		if (eng->db[SCAN_TRIG_TOKEN]) {
			err = token_run(&s->wins[SCAN_TRIG_TOKEN], t, n, cs, &tok_done);
			if (err)
				return err;
		}
		if (digits < min_digits)
			continue;
		for (a = cs, m = 0; a > 0 && m < SCAN_TRIG_MARGIN && t[a - 1] != '\n'; a--, m++)
			;
		for (b = j, m = 0; b < n && m < SCAN_TRIG_MARGIN && t[b] != '\n'; b++, m++)
			;
		/* windows from earlier clusters may reach past this one's start */
		if (w->n && a < w->v[w->n - 1].text)
			a = w->v[w->n - 1].text;
		err = wins_push(w, a, b);
		if (err)
			return err;
	}
	return 0;
}

struct token_feat {
	unsigned int at, dots, colons, dashes;
	int url;
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
	const struct punct p = {
		.at = eng->db[SCAN_TRIG_AT] != NULL,
		.dot = eng->db[SCAN_TRIG_URL] || eng->db[SCAN_TRIG_SEPS],
		.colon = eng->db[SCAN_TRIG_URL] || eng->db[SCAN_TRIG_SEPS],
		.dash = eng->db[SCAN_TRIG_SEPS] != NULL,
	};
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
		if (f.at && eng->db[SCAN_TRIG_AT])
			err = wins_push(&s->wins[SCAN_TRIG_AT], ts, te);
		if (!err && f.url && eng->db[SCAN_TRIG_URL])
			err = wins_push(&s->wins[SCAN_TRIG_URL], ts, te);
		if (!err && (f.colons >= 2 || f.dots >= 2 || f.dashes >= 4) && eng->db[SCAN_TRIG_SEPS])
			err = wins_push(&s->wins[SCAN_TRIG_SEPS], ts, te);
		if (err)
			return err;
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

	for (c = 0; c < SCAN_TRIG__COUNT; c++)
		s->wins[c].n = 0;
	if (eng->db[SCAN_TRIG_DIGITS] || eng->db[SCAN_TRIG_TOKEN]) {
		err = digit_pass(s, eng, t, n);
		if (err)
			return err;
	}
	return token_pass(eng, s, t, n);
}

int scan_view_build(struct scan_scratch *s, const struct scan_wins *w, const char *t,
		    const char **ret_view, size_t *ret_len)
{
	size_t need = 0, i, o = 0;

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
