// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * scan_texts(): several texts (a request's strings) scanned as one.
 *
 * Every Hyperscan call has a fixed cost that, at the size of one chat
 * message, weighs as much as its bytes.  The texts are normalised one by
 * one, their views joined with '\n' and the prefilter and databases run once
 * over the whole; each candidate then goes back to its text, and confirming,
 * overlap resolution and offsets work on that text alone, so context words
 * of a neighbour never count.
 *
 * Exactness: a pattern may only match across the joint by consuming the
 * '\n' (SECRET_END's \s, a negated class) since no full-text rule is
 * anchored with ^ and every $ sits in an alternation with a class that
 * takes '\n'.  Such a candidate could also hide a match that the lone
 * text would report with a later start at the same end, so one crossing
 * candidate sends the whole batch back to scanning text by text.
 * Token-window rules use multiline ^ and $ (the IPv4, MAC and wallet
 * edges): no token window holds white space, so none spans the '\n'
 * between two texts, and ^ and $ are a window's edges there as in a lone
 * scan.  Candidates in
 * a text are confirmed in the order the lone scan would produce them
 * (database, then end).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

static int norms_grow(struct scan_scratch *s, size_t n)
{
	size_t old = s->cap_norms;
	int err;

	if (n <= old)
		return 0;
	err = scan_grow((void **)&s->norms, &s->cap_norms, n, sizeof(*s->norms));
	if (!err)
		memset(s->norms + old, 0, (s->cap_norms - old) * sizeof(*s->norms));
	return err;
}

const struct scan_norm *scan_scratch_part_norm(const struct scan_scratch *s, size_t i)
{
	return i < s->cap_norms ? &s->norms[i] : NULL;
}

/* Normalise every text; the joined length (a '\n' after each) in *ret_len. */
static int normalise_all(const struct scan_engine *eng, struct scan_scratch *s,
			 const struct scan_part *parts, size_t n, size_t *ret_len)
{
	size_t i, total = 0;
	int err;

	err = norms_grow(s, n);
	for (i = 0; !err && i < n; i++) {
		if (parts[i].len > eng->opts.max_input || (!parts[i].text && parts[i].len))
			return parts[i].len > eng->opts.max_input ? -E2BIG : -EINVAL;
		err = scan_norm_run(&s->norms[i], parts[i].text ? parts[i].text : "", parts[i].len);
		total += s->norms[i].len + 1;
	}
	*ret_len = total;
	return err;
}

static int join(struct scan_scratch *s, size_t n, size_t total)
{
	size_t i, off = 0;
	int err;

	err = scan_grow((void **)&s->cat, &s->cap_cat, total ? total : 1, 1);
	if (!err)
		err = scan_grow((void **)&s->part_off, &s->cap_parts, n + 1, sizeof(*s->part_off));
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		s->part_off[i] = off;
		memcpy(s->cat + off, s->norms[i].view, s->norms[i].len);
		off += s->norms[i].len;
		s->cat[off++] = '\n';
	}
	s->part_off[n] = off;
	return 0;
}

/* The text holding view offset `at` (joined view), by binary search. */
static size_t part_of(const struct scan_scratch *s, size_t n, size_t at)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->part_off[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Group the candidates by text in s->sorted, keeping their order, offsets
 * made relative to their text; text p's are sorted[at[p] .. at[p + 1]).
 * 1 when a candidate crosses a joint: the texts must go one by one.
 */
static int regroup(struct scan_scratch *s, size_t n, size_t *at)
{
	size_t i, p;
	int err;

	err = scan_grow((void **)&s->sorted, &s->cap_sorted, s->n_cand ? s->n_cand : 1,
		   sizeof(*s->sorted));
	if (err)
		return err;
	memset(at, 0, (n + 1) * sizeof(*at));
	for (i = 0; i < s->n_cand; i++) {
		p = part_of(s, n, s->cand[i].start);
		/* the text's own bytes only: not its '\n', not the next text */
		if (s->cand[i].end > s->part_off[p] + s->norms[p].len)
			return 1;
		at[p + 1]++;
	}
	for (p = 0; p < n; p++)
		at[p + 1] += at[p];
	for (i = 0; i < s->n_cand; i++) {
		struct scan_cand c = s->cand[i];

		p = part_of(s, n, c.start);
		c.start -= s->part_off[p];
		c.end -= s->part_off[p];
		s->sorted[at[p]++] = c;
	}
	/* at[p] now ends text p: shift back to starts */
	for (p = n; p > 0; p--)
		at[p] = at[p - 1];
	at[0] = 0;
	return 0;
}

static int one_by_one(const struct scan_engine *eng, struct scan_scratch *s,
		      const struct scan_part *parts, size_t n, struct scan_result *out, size_t *first)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		first[i] = out->n;
		err = scan_collect(eng, s, s->norms[i].view, s->norms[i].len);
		if (!err)
			err = scan_settle(eng, s, &s->norms[i], s->cand, s->n_cand, parts[i].len, out);
		if (err)
			return err;
	}
	first[n] = out->n;
	return 0;
}

int scan_texts(const struct scan_engine *eng, struct scan_scratch *s,
	       const struct scan_part *parts, size_t n, struct scan_result *out, size_t *first)
{
	size_t i, total, n0 = out->n, *at = NULL;
	int err;

	first[0] = n0;
	if (!n)
		return 0;
	err = normalise_all(eng, s, parts, n, &total);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		out->signals |= s->norms[i].signals;
	if (n == 1 || total > eng->opts.max_input || eng->n_fallback) {
		err = one_by_one(eng, s, parts, n, out, first);
		goto out;
	}
	at = malloc((n + 1) * sizeof(*at));
	err = at ? join(s, n, total) : -ENOMEM;
	if (!err)
		err = scan_collect(eng, s, s->cat, total);
	if (!err)
		err = regroup(s, n, at);
	if (err == 1 || err == -E2BIG) {
		/* a joint crossed, or the candidates of all texts together
		 * overflowed the limit that each text on its own may not */
		s->stats.batch_splits++;
		err = one_by_one(eng, s, parts, n, out, first);
		goto out;
	}
	for (i = 0; !err && i < n; i++) {
		first[i] = out->n;
		err = scan_settle(eng, s, &s->norms[i], s->sorted + at[i], at[i + 1] - at[i],
				  parts[i].len, out);
	}
	first[n] = out->n;
	if (!err)
		s->stats.batches++;
out:
	free(at);
	if (err)
		out->n = n0;
	return err;
}
