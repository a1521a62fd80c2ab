// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Starts of full-text candidates.
 *
 * The full-text database runs without start-of-match tracking (engine.c
 * says why), so its candidates arrive with an end only.  The start the
 * engine needs is Hyperscan's leftmost start for that pattern and end,
 * which the same pattern compiled with SOM reports when run over any range
 * of the text that holds every match ending there, with real bytes around:
 *
 *   - a pattern at most W bytes wide (W <= SCAN_START_WIDTH_MAX): the range
 *     [end - W - 1, end + 2).  Every match ending at `end` starts at or after
 *     end - W; the byte before it is there for a \b; the two bytes after
 *     `end` keep a $ (which Hyperscan also takes before a final '\n') from
 *     matching at `end` unless the text really ends there.  A match the range
 *     shows that the text does not (one using the range's edge as an edge of
 *     the text) would be wider than W, so it cannot end at `end`.  Ranges
 *     that touch are merged and scanned once with the shared start database.
 *   - a wider or unbounded pattern: its own database from the text's start
 *     to 2 bytes past its last candidate, once for all its candidates.
 *
 * The candidates and their order are those of a scan with SOM; only the
 * work to get there moved.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine_int.h"

#define NO_START SIZE_MAX

struct start_ctx {
	struct scan_scratch *s;
	const struct scan_start_job *job;   /* the range's jobs, by end then pattern */
	size_t n_job;
	size_t base;                        /* text offset of the scanned range */
};

static int job_by_lo(const void *a, const void *b)
{
	const struct scan_start_job *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int job_by_end(const void *a, const void *b)
{
	const struct scan_start_job *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->pat < y->pat ? -1 : x->pat > y->pat;
}

static int job_by_pat(const void *a, const void *b)
{
	const struct scan_start_job *x = a, *y = b;

	if (x->pat != y->pat)
		return x->pat < y->pat ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* A match of the SOM scan: the start of the job with that pattern and end, if any. */
static int on_start(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	struct start_ctx *c = ctx;
	size_t end = c->base + (size_t)to, lo = 0, hi = c->n_job;

	(void)flags;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct scan_start_job *j = &c->job[mid];

		if (j->end < end || (j->end == end && j->pat < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n_job && c->job[lo].end == end && c->job[lo].pat == id) {
		struct scan_cand *cand = &c->s->cand[c->job[lo].cand];
		size_t start = c->base + (size_t)from;

		if (start < cand->start)
			cand->start = start;
	}
	return 0;
}

static int scan_range(const hs_database_t *db, struct scan_scratch *s, const char *t, size_t lo,
		      size_t hi, const struct scan_start_job *job, size_t n_job)
{
	struct start_ctx c = { .s = s, .job = job, .n_job = n_job, .base = lo };

	s->stats.start_scans++;
	s->stats.start_bytes += hi - lo;
	if (hs_scan(db, t + lo, (unsigned int)(hi - lo), 0, s->hs, on_start, &c) != HS_SUCCESS)
		return -EIO;
	return 0;
}

/* The shared database over each merged range; jobs[0..n) are sorted by lo. */
static int shared_ranges(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
			 struct scan_start_job *job, size_t n)
{
	size_t i = 0;
	int err = 0;

	while (i < n && !err) {
		size_t k = i + 1, lo = job[i].lo, hi = job[i].hi;

		while (k < n && job[k].lo <= hi) {
			if (job[k].hi > hi)
				hi = job[k].hi;
			k++;
		}
		qsort(job + i, k - i, sizeof(*job), job_by_end);
		err = scan_range(eng->start_db, s, t, lo, hi, job + i, k - i);
		i = k;
	}
	return err;
}

/* Each wide pattern's own database from the text's start; jobs sorted by pattern, end. */
static int own_ranges(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		      size_t n_text, struct scan_start_job *job, size_t n)
{
	size_t i = 0;
	int err = 0;

	while (i < n && !err) {
		size_t k = i + 1, hi;

		while (k < n && job[k].pat == job[i].pat)
			k++;
		hi = job[k - 1].end + 2 < n_text ? job[k - 1].end + 2 : n_text;
		err = scan_range(eng->pats[job[i].pat].own_start, s, t, 0, hi, job + i, k - i);
		i = k;
	}
	return err;
}

int scan_find_starts(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		     size_t n, size_t nc)
{
	size_t i, n_shared = 0, n_own = 0;
	int err;

	if (!nc)
		return 0;
	err = scan_grow((void **)&s->jobs, &s->cap_jobs, nc, sizeof(*s->jobs));
	if (err)
		return err;
	/* shared-database jobs fill the array from the front, own-database ones from the back */
	for (i = 0; i < nc; i++) {
		struct scan_cand *c = &s->cand[i];
		const struct epat *p = &eng->pats[c->pat];
		struct scan_start_job j = { .end = c->end, .pat = c->pat, .cand = (uint32_t)i };

		if (p->fallback)
			continue;
		c->start = NO_START;
		j.hi = c->end + 2 < n ? c->end + 2 : n;
		if (p->own_start) {
			s->jobs[nc - ++n_own] = j;
			continue;
		}
		j.lo = c->end > (size_t)p->width ? c->end - p->width - 1 : 0;
		s->jobs[n_shared++] = j;
	}
	qsort(s->jobs, n_shared, sizeof(*s->jobs), job_by_lo);
	err = shared_ranges(eng, s, t, s->jobs, n_shared);
	if (!err) {
		qsort(s->jobs + nc - n_own, n_own, sizeof(*s->jobs), job_by_pat);
		err = own_ranges(eng, s, t, n, s->jobs + nc - n_own, n_own);
	}
	if (err)
		return err;
	/* every end the SOM-less scan reported has a start the SOM scan reports */
	for (i = 0; i < nc; i++)
		if (s->cand[i].start == NO_START)
			return -EIO;
	return 0;
}
