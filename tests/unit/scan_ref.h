/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A reference confirmer for rule tables, for the detector tests and the
 * eval runner while engine.c is being written: every rule of a set in one
 * Hyperscan block database (SOM leftmost), then the per-candidate checks
 * rules.h describes (extract, boundaries, entropy, allow, stopwords,
 * allow_regex, validate, context, NEED_CONTEXT) and a greedy overlap pass
 * (priority, then length, then start).  No normalisation: ASCII in.
 *
 * Header-only so a cmocka test (one source file) can include it.
 */
#ifndef AIRLOCK_TESTS_SCAN_REF_H
#define AIRLOCK_TESTS_SCAN_REF_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "rules.h"
#include "scan.h"

struct ref_cand {
	unsigned int rule;
	size_t off, len;
	int prio;
};

struct ref_engine {
	const struct scan_ruleset *rs;
	hs_database_t *db;
	hs_scratch_t *scratch;
	hs_database_t **allow_db;       /* per rule, NULL when none */
	hs_scratch_t *allow_scratch;
	size_t nrules;
	struct ref_cand *c;
	size_t nc, capc;
	unsigned int nosom;             /* rules compiled without SOM */
	const char *text;
	size_t len;
};

static int ref__on_match(unsigned int id, unsigned long long from, unsigned long long to,
			 unsigned int flags, void *ctx)
{
	struct ref_engine *e = ctx;

	(void)flags;
	if (e->nc == e->capc) {
		size_t cap = e->capc ? e->capc * 2 : 256;
		struct ref_cand *c = realloc(e->c, cap * sizeof(*c));

		if (!c)
			return 1;
		e->c = c;
		e->capc = cap;
	}
	e->c[e->nc++] = (struct ref_cand){ .rule = id, .off = from, .len = to - from };
	return 0;
}

static int ref__hit(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	(void)id; (void)from; (void)to; (void)flags;
	*(int *)ctx = 1;
	return 1;
}

static int ref_new(const struct scan_ruleset *rs, struct ref_engine **ret)
{
	struct ref_engine *e = calloc(1, sizeof(*e));
	size_t n = scan_ruleset_count(rs), i, np = 0;
	const char **pat;
	unsigned int *flags, *ids;
	hs_compile_error_t *cerr = NULL;
	int bad = 0;

	if (!e)
		return -ENOMEM;
	e->rs = rs;
	e->nrules = n;
	pat = calloc(n + 1, sizeof(*pat));
	flags = calloc(n + 1, sizeof(*flags));
	ids = calloc(n + 1, sizeof(*ids));
	e->allow_db = calloc(n + 1, sizeof(*e->allow_db));
	for (i = 0; i < n; i++) {
		const struct scan_rule *r = scan_ruleset_rule(rs, i);

		if (!scan_ruleset_enabled(rs, i) || r->kind != SCAN_RULE_REGEX)
			continue;
		pat[np] = r->regex;
		flags[np] = r->hs_flags | HS_FLAG_SOM_LEFTMOST | HS_FLAG_ALLOWEMPTY;
		ids[np] = (unsigned int)i;
		/* one by one first, to name the rule that does not compile */
		{
			hs_database_t *one = NULL;

			if (hs_compile(pat[np], flags[np], HS_MODE_BLOCK,
				       NULL, &one, &cerr) != HS_SUCCESS) {
				fprintf(stderr, "ref: rule %s: %s\n", r->id, cerr->message);
				hs_free_compile_error(cerr);
				bad++;
				continue;
			}
			hs_free_database(one);
		}
		if (r->allow_regex) {
			size_t k = 0;
			unsigned int af[32], ai[32];

			while (r->allow_regex[k] && k < 32) {
				af[k] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
				ai[k] = (unsigned int)k;
				k++;
			}
			if (hs_compile_multi((const char *const *)r->allow_regex, af, ai,
					     (unsigned int)k, HS_MODE_BLOCK, NULL,
					     &e->allow_db[i], &cerr) != HS_SUCCESS) {
				fprintf(stderr, "ref: rule %s allow: %s\n", r->id, cerr->message);
				hs_free_compile_error(cerr);
				return -EINVAL;
			}
			if (hs_alloc_scratch(e->allow_db[i], &e->allow_scratch) != HS_SUCCESS)
				return -ENOMEM;
		}
		np++;
	}
	if (bad) {
		free(pat); free(flags); free(ids);
		return -EINVAL;
	}
	if (hs_compile_multi(pat, flags, ids, (unsigned int)np,
			     HS_MODE_BLOCK, NULL, &e->db,
			     &cerr) != HS_SUCCESS) {
		fprintf(stderr, "ref: database: %s (expr %d)\n", cerr->message, cerr->expression);
		hs_free_compile_error(cerr);
		free(pat); free(flags); free(ids);
		return -EINVAL;
	}
	free(pat); free(flags); free(ids);
	if (hs_alloc_scratch(e->db, &e->scratch) != HS_SUCCESS)
		return -ENOMEM;
	*ret = e;
	return 0;
}

static void ref_free(struct ref_engine *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nrules; i++)
		hs_free_database(e->allow_db[i]);
	free(e->allow_db);
	hs_free_scratch(e->allow_scratch);
	hs_free_scratch(e->scratch);
	hs_free_database(e->db);
	free(e->c);
	free(e);
}

static int ref__alnum(const char *t, size_t len, size_t i)
{
	return i < len && isalnum((unsigned char)t[i]);
}

static int ref__bounds(const struct scan_rule *r, const char *t, size_t len, size_t b, size_t e)
{
	unsigned char l = b ? (unsigned char)t[b - 1] : 0, rr = e < len ? (unsigned char)t[e] : 0;

	if ((r->flags & SCAN_RF_LEFT_NOT_ALNUM) && b && isalnum(l))
		return 0;
	if ((r->flags & SCAN_RF_RIGHT_NOT_ALNUM) && ref__alnum(t, len, e))
		return 0;
	if ((r->flags & SCAN_RF_LEFT_NOT_WORD) && b && (isalnum(l) || l == '_'))
		return 0;
	if ((r->flags & SCAN_RF_RIGHT_NOT_WORD) && e < len && (isalnum(rr) || rr == '_'))
		return 0;
	if ((r->flags & SCAN_RF_LEFT_NOT_DIGIT) && b && isdigit(l))
		return 0;
	if ((r->flags & SCAN_RF_RIGHT_NOT_DIGIT) && e < len && isdigit(rr))
		return 0;
	return 1;
}

static int ref__in_list(const char *const *l, const char *s, size_t n, int substr)
{
	size_t k, i, w;

	for (; l && *l; l++) {
		w = strlen(*l);
		if (!substr) {
			if (w == n && !strncasecmp(*l, s, n))
				return 1;
			continue;
		}
		for (i = 0; i + w <= n; i++)
			if (!strncasecmp(s + i, *l, w))
				return 1;
	}
	(void)k;
	return 0;
}

/* A context word within `words` words before [b, e) (and after, with CTX_AFTER). */
static int ref__context(const struct scan_rule *r, const char *const *list, const char *t,
			size_t len, size_t b, size_t e)
{
	unsigned int words = r->ctx_words ? r->ctx_words : SCAN_CTX_WORDS_DEFAULT;
	size_t lo = b, hi = e, n = 0, i;
	const char *const *w;

	if (!list)
		return 0;
	while (lo > 0 && b - lo < SCAN_CTX_BYTES_MAX) {
		if (isspace((unsigned char)t[lo - 1]) && lo < b && !isspace((unsigned char)t[lo]))
			if (++n > words)
				break;
		lo--;
	}
	if (r->flags & SCAN_RF_CTX_AFTER)
		hi = e + SCAN_CTX_BYTES_MAX < len ? e + SCAN_CTX_BYTES_MAX : len;
	for (w = list; *w; w++) {
		size_t wl = strlen(*w);

		for (i = lo; i + wl <= hi; i++) {
			if (i >= b && i < e)
				continue;
			if (i > 0 && isalnum((unsigned char)t[i - 1]))
				continue;
			if (!strncasecmp(t + i, *w, wl))
				return 1;
		}
	}
	return 0;
}

static int ref__cmp(const void *a, const void *b)
{
	const struct ref_cand *x = a, *y = b;

	if (x->prio != y->prio)
		return y->prio - x->prio;
	if (x->len != y->len)
		return x->len < y->len ? 1 : -1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int ref__start_cmp(const void *a, const void *b)
{
	const struct scan_finding *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int ref_scan(struct ref_engine *e, const char *t, size_t len, struct scan_result *out)
{
	size_t i, k, nk = 0;
	struct ref_cand *keep;

	scan_result_reset(out);
	e->nc = 0;
	if (hs_scan(e->db, len ? t : "", (unsigned int)len, 0, e->scratch, ref__on_match, e) !=
	    HS_SUCCESS)
		return -EIO;
	for (i = 0; i < e->nc; i++) {
		struct ref_cand *c = &e->c[i];
		const struct scan_rule *r = scan_ruleset_rule(e->rs, c->rule);
		struct scan_span sp = { .off = c->off, .len = c->len };
		enum scan_confidence conf = r->conf;
		int hit = 0;

		c->len = 0;
		if (r->extract && r->extract(t, len, &sp) < 0)
			continue;
		if (!sp.len || !ref__bounds(r, t, len, sp.off, sp.off + sp.len))
			continue;
		if (r->min_entropy > 0 && scan_entropy(t + sp.off, sp.len) <= r->min_entropy)
			continue;
		if (ref__in_list(r->allow, t + sp.off, sp.len, 0) ||
		    ref__in_list(r->stopwords, t + sp.off, sp.len, 1))
			continue;
		if (e->allow_db[c->rule]) {
			hs_scan(e->allow_db[c->rule], t + sp.off, (unsigned int)sp.len, 0,
				e->allow_scratch, ref__hit, &hit);
			if (hit)
				continue;
		}
		if (r->validate && !r->validate(t + sp.off, sp.len))
			continue;
		if (ref__context(r, r->context, t, len, sp.off, sp.off + sp.len)) {
			conf = r->conf_ctx ? r->conf_ctx : r->conf;
		} else if (r->flags & SCAN_RF_NEED_CONTEXT) {
			continue;
		}
		if (ref__context(r, r->negative, t, len, sp.off, sp.off + sp.len)) {
			if ((r->flags & SCAN_RF_NEG_DROP) || conf == SCAN_CONF_LOW)
				continue;
			conf--;
		}
		c->off = sp.off;
		c->len = sp.len;
		c->prio = r->priority * 4 + (int)conf;
	}
	keep = calloc(e->nc + 1, sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	for (i = 0; i < e->nc; i++)
		if (e->c[i].len)
			keep[nk++] = e->c[i];
	qsort(keep, nk, sizeof(*keep), ref__cmp);
	for (i = 0; i < nk; i++) {
		const struct scan_rule *r = scan_ruleset_rule(e->rs, keep[i].rule);
		struct scan_finding f = { 0 };
		int clash = 0;

		for (k = 0; k < out->n; k++)
			if (keep[i].off < out->v[k].end && out->v[k].start < keep[i].off + keep[i].len)
				clash = 1;
		if (clash)
			continue;
		snprintf(f.type, sizeof(f.type), "%s", r->type);
		snprintf(f.detail, sizeof(f.detail), "%s", r->id);
		f.category = r->category;
		f.start = keep[i].off;
		f.end = keep[i].off + keep[i].len;
		f.confidence = (enum scan_confidence)(keep[i].prio - r->priority * 4);
		f.score = r->score;
		if (scan_result_push(out, &f)) {
			free(keep);
			return -ENOMEM;
		}
	}
	free(keep);
	qsort(out->v, out->n, sizeof(*out->v), ref__start_cmp);
	return 0;
}

#endif /* AIRLOCK_TESTS_SCAN_REF_H */
