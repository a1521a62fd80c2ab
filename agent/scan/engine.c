// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Engine: compile a rule set into Hyperscan databases (one per group of
 * triggers, enum scan_db), scan, confirm, resolve overlaps, map back.
 *
 * The window databases are compiled with HS_FLAG_SOM_LEFTMOST.  The
 * full-text database is not: start-of-match tracking made it seven times
 * larger (7 MB for the built-in secrets, past a core's L2) and a third
 * slower, on every byte of every text, for the few candidates it reports.
 * Their starts are found afterwards from the same patterns compiled with SOM
 * and run only around each candidate (start.c).  Hyperscan refuses SOM for
 * some shapes ("Pattern is too large" on wide bounded repeats); those
 * patterns fall back to an anchored re-scan of at most
 * SCAN_FALLBACK_WIDTH_MAX bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "engine_int.h"

static const struct scan_engine_opts default_opts = {
	.max_input = SCAN_INPUT_MAX_DEFAULT,
	.max_candidates = SCAN_CANDIDATES_MAX_DEFAULT,
	.min_conf = SCAN_CONF_LOW,
};

static void set_error(struct scan_compile_error *e, const char *rule_id, const char *msg)
{
	if (!e)
		return;
	snprintf(e->rule_id, sizeof(e->rule_id), "%s", rule_id ? rule_id : "");
	snprintf(e->message, sizeof(e->message), "%s", msg ? msg : "");
}

/* --- pattern table ----------------------------------------------------------- */

/* A pattern being assembled: the expression text is owned until compile. */
struct build_pat {
	char *expr;
	char *lead;                    /* with tail: what the full-text database gets */
	unsigned int hs_flags;
	uint8_t db;
	scan_start_fn start;
	scan_tail_fn tail;
	uint32_t *rules;
	size_t n_rules;
	size_t cap_rules;
};

struct build {
	struct build_pat *v;
	size_t n;
	size_t cap;
};

static void build_free(struct build *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].expr);
		free(b->v[i].lead);
		free(b->v[i].rules);
	}
	free(b->v);
}

/* Literal to Hyperscan syntax: every non-alphanumeric byte as \xHH. */
static char *escape_literal(const char *w)
{
	size_t i, o = 0, len = strlen(w);
	char *e = malloc(len * 4 + 1);

	if (!e)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w[i];

		if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			e[o++] = (char)c;
		else
			o += (size_t)sprintf(e + o, "\\x%02x", c);
	}
	e[o] = 0;
	return e;
}

/* The same pattern: expression, flags, database, and what C does for it. */
static bool build_same(const struct build_pat *p, const struct build_pat *q)
{
	return p->hs_flags == q->hs_flags && p->db == q->db && p->start == q->start &&
	       p->tail == q->tail && !strcmp(p->expr, q->expr) &&
	       (p->lead ? q->lead && !strcmp(p->lead, q->lead) : !q->lead);
}

static int build_drop(struct build_pat *want, int err)
{
	free(want->expr);
	free(want->lead);
	return err;
}

/* Takes want's strings: they are the new pattern's, or freed. */
static int build_add(struct build *b, struct build_pat want, uint32_t rule)
{
	struct build_pat *p = NULL;
	size_t i;

	if (!want.expr || (want.tail && !want.lead))
		return build_drop(&want, -ENOMEM);
	for (i = 0; i < b->n; i++) {
		if (build_same(&b->v[i], &want)) {
			p = &b->v[i];
			build_drop(&want, 0);
			break;
		}
	}
	if (!p) {
		if (b->n >= SCAN_PATTERNS_MAX)
			return build_drop(&want, -E2BIG);
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 64;
			struct build_pat *v = realloc(b->v, cap * sizeof(*v));

			if (!v)
				return build_drop(&want, -ENOMEM);
			b->v = v;
			b->cap = cap;
		}
		p = &b->v[b->n++];
		*p = want;
	}
	if (p->n_rules == p->cap_rules) {
		size_t cap = p->cap_rules ? p->cap_rules * 2 : 4;
		uint32_t *v = realloc(p->rules, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->rules = v;
		p->cap_rules = cap;
	}
	p->rules[p->n_rules++] = rule;
	return 0;
}

/* The trigger rule r runs under in eng: its own, or the whole text (full_text). */
static enum scan_trigger rule_trigger(const struct scan_engine *eng, const struct scan_rule *r)
{
	return eng->opts.full_text ? SCAN_TRIG_FULL : r->trigger;
}

static int add_patterns(const struct scan_engine *eng, struct build *b, const struct scan_rule *r,
			uint32_t ri)
{
	enum scan_trigger trig = rule_trigger(eng, r);
	uint8_t db = (uint8_t)scan_trigger_db(trig);
	size_t k;
	int err;

	if (r->kind != SCAN_RULE_DICT)
		return build_add(b, (struct build_pat){
			.expr = strdup(r->regex), .lead = r->lead ? strdup(r->lead) : NULL,
			.hs_flags = r->hs_flags, .db = db,
			.start = trig == SCAN_TRIG_FULL ? NULL : r->start, .tail = r->tail,
		}, ri);
	for (k = 0; r->words[k]; k++) {
		err = build_add(b, (struct build_pat){
			.expr = escape_literal(r->words[k]), .hs_flags = r->hs_flags, .db = db,
		}, ri);
		if (err)
			return err;
	}
	return 0;
}

static int collect(const struct scan_ruleset *rs, struct scan_engine *eng, struct build *b)
{
	size_t i, n = scan_ruleset_count(rs);
	enum scan_trigger trig;
	int err;

	eng->rules = calloc(n ? n : 1, sizeof(*eng->rules));
	if (!eng->rules)
		return -ENOMEM;
	eng->digits_min = ~0u;
	for (i = 0; i < n; i++) {
		const struct scan_rule *r = scan_ruleset_rule(rs, i);
		struct erule *er = &eng->rules[eng->n_rules];

		if (!scan_ruleset_enabled(rs, i))
			continue;
		*er = (struct erule){ .r = r, .index = (uint32_t)i };
		scan_first_build(r->context, &er->ctx_first);
		scan_first_build(r->negative, &er->neg_first);
		trig = rule_trigger(eng, r);
		eng->trig_used |= 1u << trig;
		if (trig == SCAN_TRIG_DIGITS && r->min_digits < eng->digits_min)
			eng->digits_min = r->min_digits;
		err = add_patterns(eng, b, r, (uint32_t)eng->n_rules);
		if (err)
			return err;
		eng->n_rules++;
	}
	return 0;
}

/* --- compile ----------------------------------------------------------------- */

static const char *first_rule_id(const struct scan_engine *eng, const struct build_pat *p)
{
	return p->n_rules ? eng->rules[p->rules[0]].r->id : "";
}

/* The arguments of one hs_compile_multi(): some of the build's patterns. */
struct pick {
	const char **exprs;
	unsigned int *flags;
	unsigned int *ids;             /* index in the build: the match id */
	unsigned int n;
};

static void pick_fini(struct pick *p)
{
	free(p->exprs);
	free(p->flags);
	free(p->ids);
}

static int pick_init(struct pick *p, const struct build *b)
{
	size_t cap = b->n ? b->n : 1;

	*p = (struct pick){
		.exprs = calloc(cap, sizeof(*p->exprs)),
		.flags = calloc(cap, sizeof(*p->flags)),
		.ids = calloc(cap, sizeof(*p->ids)),
	};
	if (!p->exprs || !p->flags || !p->ids) {
		pick_fini(p);
		return -ENOMEM;
	}
	return 0;
}

static void pick_add(struct pick *p, const struct build *b, unsigned int i, unsigned int flags)
{
	p->exprs[p->n] = b->v[i].expr;
	p->flags[p->n] = b->v[i].hs_flags | flags;
	p->ids[p->n++] = i;
}

/* A pattern with a tail scans for its lead only; the tail does the rest in C. */
static void pick_add_lead(struct pick *p, const struct build *b, unsigned int i)
{
	p->exprs[p->n] = b->v[i].lead;
	p->flags[p->n] = b->v[i].hs_flags;
	p->ids[p->n++] = i;
}

/* The expression Hyperscan rejected, or -1 when the error names none. */
static int pick_bad(const struct pick *p, const hs_compile_error_t *ce)
{
	return ce->expression >= 0 && (unsigned int)ce->expression < p->n ? ce->expression : -1;
}

/*
 * hs_compile_multi() of p into *ret.  A pattern Hyperscan refuses only
 * because of SOM goes to the fallback and the compile is tried again, with
 * the pattern kept without SOM (keep) or left out; any other refusal is the
 * rule's error.
 */
static int compile_pick(struct scan_engine *eng, const struct build *b, struct pick *p, bool keep,
			hs_database_t **ret, struct scan_compile_error *ret_err)
{
	hs_compile_error_t *ce = NULL;
	int bad;

	while (p->n && hs_compile_multi(p->exprs, p->flags, p->ids, p->n, HS_MODE_BLOCK, NULL, ret,
					&ce) != HS_SUCCESS) {
		bad = pick_bad(p, ce);
		if (bad < 0 || !(p->flags[bad] & HS_FLAG_SOM_LEFTMOST)) {
			set_error(ret_err, bad < 0 ? "" : first_rule_id(eng, &b->v[p->ids[bad]]),
				  ce->message);
			hs_free_compile_error(ce);
			return -EINVAL;
		}
		/* the next round tells whether SOM was the cause */
		eng->pats[p->ids[bad]].fallback = 1;
		if (keep) {
			p->flags[bad] &= ~HS_FLAG_SOM_LEFTMOST;
		} else {
			p->exprs[bad] = p->exprs[--p->n];
			p->flags[bad] = p->flags[p->n];
			p->ids[bad] = p->ids[p->n];
		}
		hs_free_compile_error(ce);
		ce = NULL;
	}
	return 0;
}

/*
 * Compile one group's patterns into one database, with SOM except for the
 * full text; a pattern refused with SOM stays in without it.
 */
static int compile_db(struct scan_engine *eng, const struct build *b, uint8_t dbi,
		      struct scan_compile_error *ret_err)
{
	unsigned int som = dbi == SCAN_DB_FULL ? 0 : HS_FLAG_SOM_LEFTMOST, i;
	struct pick p;
	int err;

	err = pick_init(&p, b);
	if (err)
		return err;
	for (i = 0; i < b->n; i++) {
		if (b->v[i].db != dbi)
			continue;
		if (b->v[i].tail)
			pick_add_lead(&p, b, i);
		else
			pick_add(&p, b, i, eng->pats[i].fallback || eng->pats[i].start ? 0 : som);
	}
	err = compile_pick(eng, b, &p, true, &eng->db[dbi], ret_err);
	pick_fini(&p);
	return err;
}

/* The widest match of every pattern: how far before its end its start can be. */
static int pattern_widths(struct scan_engine *eng, const struct build *b,
			  struct scan_compile_error *ret_err)
{
	hs_compile_error_t *ce = NULL;
	hs_expr_info_t *info = NULL;
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (hs_expression_info(b->v[i].expr, b->v[i].hs_flags, &info, &ce) != HS_SUCCESS) {
			set_error(ret_err, first_rule_id(eng, &b->v[i]),
				  ce ? ce->message : "expression info");
			if (ce)
				hs_free_compile_error(ce);
			return -EINVAL;
		}
		eng->pats[i].width = info->max_width;   /* UINT_MAX when unbounded */
		free(info);    /* hs_expression_info allocates with the default allocator */
		info = NULL;
	}
	return 0;
}

static bool start_shared(const struct epat *p)
{
	return p->db == SCAN_DB_FULL && !p->fallback && p->width <= SCAN_START_WIDTH_MAX;
}

/*
 * What finds the full-text candidates' starts (start.c): the patterns no
 * wider than SCAN_START_WIDTH_MAX in one SOM database, run over a window
 * before each candidate; each wider one alone, run from the text's start.
 * A pattern Hyperscan takes without SOM but refuses with it goes to the
 * fallback, as it would have in the full-text database.
 */
static int compile_starts(struct scan_engine *eng, const struct build *b,
			  struct scan_compile_error *ret_err)
{
	hs_compile_error_t *ce = NULL;
	unsigned int i;
	struct pick p;
	int err;

	err = pick_init(&p, b);
	if (err)
		return err;
	for (i = 0; i < b->n; i++)
		if (start_shared(&eng->pats[i]))
			pick_add(&p, b, i, HS_FLAG_SOM_LEFTMOST);
	err = compile_pick(eng, b, &p, false, &eng->start_db, ret_err);
	pick_fini(&p);
	for (i = 0; !err && i < b->n; i++) {
		struct epat *pat = &eng->pats[i];
		const char *expr = b->v[i].expr;
		unsigned int fl = b->v[i].hs_flags | HS_FLAG_SOM_LEFTMOST;

		if (pat->db != SCAN_DB_FULL || pat->fallback || start_shared(pat))
			continue;
		/* the pattern's index as its id, as in the other databases */
		if (hs_compile_multi(&expr, &fl, &i, 1, HS_MODE_BLOCK, NULL, &pat->own_start, &ce) !=
		    HS_SUCCESS) {
			pat->fallback = 1;
			hs_free_compile_error(ce);
			ce = NULL;
		}
	}
	return err;
}

/* Fallback patterns: an anchored copy for finding the start (find_start()). */
static int compile_fallback(struct scan_engine *eng, const struct build *b, size_t i,
			    struct scan_compile_error *ret_err)
{
	struct epat *p = &eng->pats[i];
	hs_compile_error_t *ce = NULL;
	size_t len = strlen(b->v[i].expr) + 8;
	char *anch = malloc(len);
	int err = 0;

	if (!anch)
		return -ENOMEM;
	snprintf(anch, len, "^(?:%s)", b->v[i].expr);
	if (hs_compile(anch, b->v[i].hs_flags, HS_MODE_BLOCK, NULL, &p->anchored, &ce) !=
	    HS_SUCCESS) {
		set_error(ret_err, first_rule_id(eng, &b->v[i]), ce->message);
		hs_free_compile_error(ce);
		err = -EINVAL;
	} else {
		eng->n_fallback++;
	}
	free(anch);
	return err;
}

static int compile_allow(struct scan_engine *eng, struct erule *er,
			 struct scan_compile_error *ret_err)
{
	const struct scan_rule *r = er->r;
	hs_compile_error_t *ce = NULL;
	unsigned int n = 0, i, *flags, *ids;
	int err = 0;

	(void)eng;
	while (r->allow_regex && r->allow_regex[n])
		n++;
	if (!n)
		return 0;
	flags = calloc(n, sizeof(*flags));
	ids = calloc(n, sizeof(*ids));
	if (!flags || !ids) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		flags[i] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
		ids[i] = i;
	}
	if (hs_compile_multi((const char *const *)r->allow_regex, flags, ids, n, HS_MODE_BLOCK,
			     NULL, &er->allow_db, &ce) != HS_SUCCESS) {
		set_error(ret_err, r->id, ce->message);
		hs_free_compile_error(ce);
		err = -EINVAL;
	}
out:
	free(flags);
	free(ids);
	return err;
}

static int link_patterns(struct scan_engine *eng, const struct build *b)
{
	size_t i, total = 0;

	for (i = 0; i < b->n; i++)
		total += b->v[i].n_rules;
	eng->refs = calloc(total ? total : 1, sizeof(*eng->refs));
	if (!eng->refs)
		return -ENOMEM;
	for (i = 0; i < b->n; i++) {
		eng->pats[i].ref = (uint32_t)eng->n_refs;
		eng->pats[i].n_ref = (uint32_t)b->v[i].n_rules;
		eng->pats[i].db = b->v[i].db;
		eng->pats[i].start = b->v[i].start;
		eng->pats[i].tail = b->v[i].tail;
		if (b->v[i].tail)
			eng->pats[i].tail_slot = (uint32_t)eng->n_tail++;
		memcpy(eng->refs + eng->n_refs, b->v[i].rules, b->v[i].n_rules * sizeof(uint32_t));
		eng->n_refs += b->v[i].n_rules;
	}
	return 0;
}

/*
 * GUIDs are everywhere in JSON and logs, and a GUID alone identifies no
 * one: when every GUID rule needs a context word, the prefilter looks for
 * one before it opens a window (SCAN_TRIG_GUID).
 */
static int guid_gates(struct scan_engine *eng)
{
	size_t i, n = 0;

	for (i = 0; i < eng->n_rules; i++) {
		const struct scan_rule *r = eng->rules[i].r;

		if (rule_trigger(eng, r) != SCAN_TRIG_GUID)
			continue;
		if (!(r->flags & SCAN_RF_NEED_CONTEXT) || !r->context)
			return 0;
		n++;
	}
	if (!n)
		return 0;
	eng->guid_ctx = calloc(n, sizeof(*eng->guid_ctx));
	if (!eng->guid_ctx)
		return -ENOMEM;
	for (i = 0; i < eng->n_rules; i++)
		if (rule_trigger(eng, eng->rules[i].r) == SCAN_TRIG_GUID)
			eng->guid_ctx[eng->n_guid_ctx++] = &eng->rules[i];
	return 0;
}

int scan_engine_new_opts(const struct scan_ruleset *rs, const struct scan_engine_opts *opts,
			 struct scan_engine **ret_eng, struct scan_compile_error *ret_err)
{
	struct scan_engine *eng;
	struct build b = { 0 };
	size_t i;
	int err;

	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return -ENOMEM;
	if (getrandom(&eng->stamp, sizeof(eng->stamp), 0) != sizeof(eng->stamp)) {
		free(eng);
		return -EIO;
	}
	eng->opts = default_opts;
	eng->pf_isa = scan_prefilter_isa();
	if (opts) {
		if (opts->max_input)
			eng->opts.max_input = opts->max_input;
		if (opts->max_candidates)
			eng->opts.max_candidates = opts->max_candidates;
		if (opts->min_conf)
			eng->opts.min_conf = opts->min_conf;
		eng->opts.full_text = opts->full_text;
	}
	err = collect(rs, eng, &b);
	if (err)
		goto out_free;
	eng->n_pats = b.n;
	eng->pats = calloc(b.n ? b.n : 1, sizeof(*eng->pats));
	if (!eng->pats) {
		err = -ENOMEM;
		goto out_free;
	}
	err = link_patterns(eng, &b);
	if (err)
		goto out_free;
	err = guid_gates(eng);
	if (err)
		goto out_free;
	for (i = 0; i < SCAN_DB__COUNT; i++) {
		err = compile_db(eng, &b, (uint8_t)i, ret_err);
		if (err)
			goto out_free;
	}
	err = pattern_widths(eng, &b, ret_err);
	if (!err)
		err = compile_starts(eng, &b, ret_err);
	if (err)
		goto out_free;
	for (i = 0; i < b.n; i++) {
		if (!eng->pats[i].fallback)
			continue;
		err = compile_fallback(eng, &b, i, ret_err);
		if (err)
			goto out_free;
	}
	for (i = 0; i < eng->n_rules; i++) {
		err = compile_allow(eng, &eng->rules[i], ret_err);
		if (err)
			goto out_free;
	}
	build_free(&b);
	*ret_eng = eng;
	return 0;
out_free:
	build_free(&b);
	scan_engine_free(eng);
	return err;
}

int scan_engine_new(const struct scan_ruleset *rs, struct scan_engine **ret_eng)
{
	return scan_engine_new_opts(rs, NULL, ret_eng, NULL);
}

struct scan_engine *scan_engine_free(struct scan_engine *eng)
{
	size_t i;

	if (!eng)
		return NULL;
	for (i = 0; i < SCAN_DB__COUNT; i++)
		hs_free_database(eng->db[i]);
	hs_free_database(eng->start_db);
	for (i = 0; eng->pats && i < eng->n_pats; i++) {
		hs_free_database(eng->pats[i].anchored);
		hs_free_database(eng->pats[i].own_start);
	}
	for (i = 0; eng->rules && i < eng->n_rules; i++)
		hs_free_database(eng->rules[i].allow_db);
	free(eng->guid_ctx);
	free(eng->rules);
	free(eng->pats);
	free(eng->refs);
	free(eng);
	return NULL;
}

size_t scan_engine_rule_count(const struct scan_engine *eng)
{
	return eng->n_rules;
}

size_t scan_engine_pattern_count(const struct scan_engine *eng)
{
	return eng->n_pats;
}

size_t scan_engine_fallback_count(const struct scan_engine *eng)
{
	return eng->n_fallback;
}

/* --- scratch ----------------------------------------------------------------- */

static bool scratch_fits(const struct scan_scratch *s, const struct scan_engine *eng)
{
	size_t i;

	for (i = 0; i < SCAN_SCRATCH_FITS; i++)
		if (s->fits[i].eng == eng && s->fits[i].stamp == eng->stamp)
			return true;
	return false;
}

/*
 * hs_alloc_scratch() walks the database even when the scratch is already
 * big enough (~20 us for the built-in set with its allow-list databases,
 * measured), and a request grows its thread's scratch for its tenant every
 * time: remember which engines this scratch fits.  Scratches only grow, so
 * a fit stays true.
 */
int scan_scratch_grow(const struct scan_engine *eng, struct scan_scratch *s)
{
	size_t i;

	if (scratch_fits(s, eng))
		return 0;
	for (i = 0; i < SCAN_DB__COUNT; i++)
		if (eng->db[i] && hs_alloc_scratch(eng->db[i], &s->hs) != HS_SUCCESS)
			return -ENOMEM;
	if (eng->start_db && hs_alloc_scratch(eng->start_db, &s->hs) != HS_SUCCESS)
		return -ENOMEM;
	for (i = 0; i < eng->n_pats; i++) {
		const struct epat *p = &eng->pats[i];

		if ((p->anchored && hs_alloc_scratch(p->anchored, &s->hs) != HS_SUCCESS) ||
		    (p->own_start && hs_alloc_scratch(p->own_start, &s->hs) != HS_SUCCESS))
			return -ENOMEM;
	}
	for (i = 0; i < eng->n_rules; i++)
		if (eng->rules[i].allow_db && hs_alloc_scratch(eng->rules[i].allow_db, &s->hs) != HS_SUCCESS)
			return -ENOMEM;
	s->fits[s->next_fit] = (struct scan_fit){ .eng = eng, .stamp = eng->stamp };
	s->next_fit = (s->next_fit + 1) % SCAN_SCRATCH_FITS;
	return 0;
}

int scan_scratch_new(const struct scan_engine *eng, struct scan_scratch **ret_s)
{
	struct scan_scratch *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	err = scan_scratch_grow(eng, s);
	if (err) {
		scan_scratch_free(s);
		return err;
	}
	*ret_s = s;
	return 0;
}

int scan_grow(void **v, size_t *cap, size_t want, size_t size)
{
	size_t cap2 = *cap ? *cap : 16;
	void *p;

	if (want <= *cap)
		return 0;
	while (cap2 < want)
		cap2 *= 2;
	p = realloc(*v, cap2 * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = cap2;
	return 0;
}

struct scan_scratch *scan_scratch_free(struct scan_scratch *s)
{
	size_t i;

	if (!s)
		return NULL;
	hs_free_scratch(s->hs);
	scan_norm_free(&s->norm);
	for (i = 0; i < SCAN_DB__COUNT; i++)
		free(s->wins[i].v);
	free(s->view);
	free(s->cand);
	free(s->hit);
	free(s->cover);
	for (i = 0; i < s->cap_norms; i++)
		scan_norm_free(&s->norms[i]);
	free(s->norms);
	free(s->cat);
	free(s->part_off);
	free(s->sorted);
	free(s->jobs);
	for (i = 0; i < s->cap_tails; i++)
		free(s->tails[i].ends);
	free(s->tails);
	free(s->pf_masks);
	free(s);
	return NULL;
}

const struct scan_norm *scan_scratch_norm(const struct scan_scratch *s)
{
	return &s->norm;
}

void scan_scratch_stats(const struct scan_scratch *s, struct scan_stats *ret)
{
	*ret = s->stats;
}

void scan_scratch_stats_reset(struct scan_scratch *s)
{
	memset(&s->stats, 0, sizeof(s->stats));
}

/* --- scan -------------------------------------------------------------------- */

struct match_ctx {
	const struct scan_engine *eng;
	struct scan_scratch *s;
	const char *buf;               /* what Hyperscan scans: the text or a view */
	size_t len;
	const struct scan_wins *w;     /* NULL: offsets are text offsets */
	size_t hint;                   /* last window used: matches come in end order */
};

/* View offsets to text offsets; 0 when the match crosses a window edge. */
static int view_to_text(struct match_ctx *m, size_t *start, size_t *end)
{
	const struct scan_wins *w = m->w;
	size_t lo = 0, hi = w->n, k;
	const struct scan_window *win;

	k = m->hint < w->n ? m->hint : 0;
	win = &w->v[k];
	if (!(win->view <= *start && *start < win->view + win->len)) {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (w->v[mid].view <= *start)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo)
			return 0;
		k = lo - 1;
		win = &w->v[k];
	}
	if (*end > win->view + win->len)
		return 0;
	m->hint = k;
	*start = win->text + (*start - win->view);
	*end = win->text + (*end - win->view);
	return 1;
}

/* Room for one more candidate; 1 (with s->overflow set) to stop the scan. */
static int cand_room(struct scan_scratch *s)
{
	if (s->n_cand == s->cap_cand) {
		size_t cap = s->cap_cand ? s->cap_cand * 2 : 256;
		struct scan_cand *v;

		if (s->n_cand >= s->max_candidates) {
			s->overflow = 1;
			return 1;
		}
		if (cap > s->max_candidates)
			cap = s->max_candidates;
		v = realloc(s->cand, cap * sizeof(*v));
		if (!v) {
			s->overflow = -ENOMEM;
			return 1;
		}
		s->cand = v;
		s->cap_cand = cap;
	}
	return 0;
}

struct tail_ctx {
	struct scan_scratch *s;
	struct scan_tail_state *st;
	uint32_t pat;
};

/* A tail's end: a candidate unless a lead before reported it (its start comes later). */
static int tail_emit(void *ctx, size_t end)
{
	struct tail_ctx *x = ctx;
	struct scan_tail_state *st = x->st;
	size_t i;

	for (i = 0; i < st->n_ends; i++)
		if (st->ends[i] == end)
			return 0;
	if (scan_grow((void **)&st->ends, &st->cap_ends, st->n_ends + 1, sizeof(*st->ends))) {
		x->s->overflow = -ENOMEM;
		return 1;
	}
	st->ends[st->n_ends++] = end;
	if (cand_room(x->s))
		return 1;
	x->s->cand[x->s->n_cand++] = (struct scan_cand){ .start = end, .end = end, .pat = x->pat };
	return 0;
}

/*
 * A lead match: its tail's ends.  Leads come in end order and a match
 * ends past its lead, so an end at or before this lead is no longer
 * looked for: the ends kept stay few however many leads a text has.
 */
static int on_lead(struct match_ctx *m, unsigned int id, size_t lead_end)
{
	const struct epat *p = &m->eng->pats[id];
	struct scan_tail_state *st = &m->s->tails[p->tail_slot];
	struct tail_ctx x = { .s = m->s, .st = st, .pat = id };
	size_t i, k;

	for (i = k = 0; i < st->n_ends; i++)
		if (st->ends[i] > lead_end)
			st->ends[k++] = st->ends[i];
	st->n_ends = k;
	return p->tail(m->buf, m->len, lead_end, &st->runs, tail_emit, &x) ? 1 : 0;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	struct match_ctx *m = ctx;
	struct scan_scratch *s = m->s;
	const struct epat *p = &m->eng->pats[id];
	size_t start = (size_t)from, end = (size_t)to;

	(void)flags;
	if (p->tail)
		return on_lead(m, id, end);
	if (p->start)
		start = p->start(m->buf, end);
	else if (p->fallback || p->db == SCAN_DB_FULL)
		start = end;    /* found after the scan (start.c, find_start()) */
	if (m->w && !view_to_text(m, &start, &end))
		return 0;
	if (cand_room(s))
		return 1;
	s->cand[s->n_cand++] = (struct scan_cand){ .start = start, .end = end, .pat = id };
	return 0;
}

/* A fresh state for each of n tail patterns, before a scan of the full text. */
static int tails_reset(struct scan_scratch *s, size_t n)
{
	size_t i, had = s->cap_tails;
	int err;

	err = scan_grow((void **)&s->tails, &s->cap_tails, n, sizeof(*s->tails));
	if (err)
		return err;
	memset(s->tails + had, 0, (s->cap_tails - had) * sizeof(*s->tails));
	for (i = 0; i < n; i++) {
		memset(&s->tails[i].runs, 0, sizeof(s->tails[i].runs));
		s->tails[i].n_ends = 0;
	}
	return 0;
}

static int run_db(const struct scan_engine *eng, struct scan_scratch *s, unsigned int dbi,
		  const char *t, size_t n)
{
	struct match_ctx m = { .eng = eng, .s = s };
	const char *buf = t;
	size_t len = n;
	hs_error_t rc;
	int err;

	if (!eng->db[dbi])
		return 0;
	if (dbi != SCAN_DB_FULL) {
		if (!s->wins[dbi].n)
			return 0;
		err = scan_view_build(s, &s->wins[dbi], t, &buf, &len);
		if (err)
			return err;
		m.w = &s->wins[dbi];
	}
	if (dbi == SCAN_DB_FULL && eng->n_tail) {
		err = tails_reset(s, eng->n_tail);
		if (err)
			return err;
	}
	m.buf = buf;
	m.len = len;
	s->stats.scanned[dbi] += len;
	s->stats.calls[dbi]++;
	rc = hs_scan(eng->db[dbi], buf, (unsigned int)len, 0, s->hs, on_match, &m);
	if (rc == HS_SCAN_TERMINATED)
		return s->overflow < 0 ? s->overflow : -E2BIG;
	return rc == HS_SUCCESS ? 0 : -EIO;
}

struct anch_ctx {
	size_t want;
	int hit;
};

static int anch_cb(unsigned int id, unsigned long long from, unsigned long long to,
		   unsigned int flags, void *ctx)
{
	struct anch_ctx *a = ctx;

	(void)id;
	(void)from;
	(void)flags;
	if (to == a->want) {
		a->hit = 1;
		return 1;
	}
	return 0;
}

/* Leftmost start of a fallback match ending at c->end. */
static void find_start(const struct scan_engine *eng, struct scan_scratch *s, const char *t,
		       struct scan_cand *c)
{
	const struct epat *p = &eng->pats[c->pat];
	size_t w = p->width && p->width < SCAN_FALLBACK_WIDTH_MAX ? p->width : SCAN_FALLBACK_WIDTH_MAX;
	size_t from = c->end > w ? c->end - w : 0, st;

	for (st = from; st < c->end; st++) {
		struct anch_ctx a = { .want = c->end - st };

		(void)hs_scan(p->anchored, t + st, (unsigned int)(c->end - st), 0, s->hs, anch_cb, &a);
		if (a.hit) {
			c->start = st;
			return;
		}
	}
}

/* Strongest first: confidence, then priority, then length, then position. */
static inline int hit_rank(const struct scan_hit *x, const struct scan_hit *y)
{
	size_t lx = x->end - x->start, ly = y->end - y->start;

	if (x->conf != y->conf)
		return x->conf > y->conf ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static inline int hit_by_start(const struct scan_hit *x, const struct scan_hit *y)
{
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

static int cover_grow(struct scan_scratch *s, size_t n)
{
	size_t words = n / 64 + 1;

	if (words <= s->cover_words)
		return 0;
	free(s->cover);
	s->cover = calloc(words, sizeof(uint64_t));
	if (!s->cover) {
		s->cover_words = 0;
		return -ENOMEM;
	}
	s->cover_words = words;
	return 0;
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static inline uint64_t bits_between(size_t lo, size_t hi)
{
	uint64_t m = ~0ull << lo;

	return hi < 64 ? m & ~(~0ull << hi) : m;
}

/*
 * Is a byte of [start, end) taken (set 0), or take them all (set 1)?  A
 * word of the bitmap at a time: a URL or a key spans tens of bytes.
 */
static int cover_test_set(uint64_t *c, size_t start, size_t end, int set)
{
	size_t w, last;

	if (start >= end)
		return 0;
	last = (end - 1) / 64;
	for (w = start / 64; w <= last; w++) {
		uint64_t m = bits_between(w == start / 64 ? start % 64 : 0,
					  w == last ? (end - 1) % 64 + 1 : 64);

		if (!set && (c[w] & m))
			return 1;
		if (set)
			c[w] |= m;
	}
	return 0;
}

/*
 * Sort hits with cmp: a text has a handful, and qsort()'s merge sort costs
 * more in setup and element copies than it saves.  Both orders are total
 * on distinct hits (equal hits are identical), so any correct sort gives
 * the same array.
 */
#define HITS_INSERTION_MAX 32
static inline void hits_sort(struct scan_hit *v, size_t n,
			     int (*cmp)(const struct scan_hit *, const struct scan_hit *),
			     int (*qcmp)(const void *, const void *))
{
	size_t i, j;

	for (i = 1; i < n && cmp(&v[i - 1], &v[i]) <= 0; i++)
		;
	if (i >= n)
		return;    /* already in order: often so by start */
	if (n > HITS_INSERTION_MAX) {
		qsort(v, n, sizeof(*v), qcmp);
		return;
	}
	for (; i < n; i++) {
		struct scan_hit x = v[i];

		for (j = i; j > 0 && cmp(&v[j - 1], &x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static int hit_rank_q(const void *a, const void *b)
{
	return hit_rank(a, b);
}

static int hit_by_start_q(const void *a, const void *b)
{
	return hit_by_start(a, b);
}

/*
 * Overlaps: the strongest hit takes its bytes, weaker hits that touch them
 * go.  Greedy over the ranked list, one bit per byte, so the cost is the
 * total span length rather than hits squared.
 */
static int resolve(struct scan_scratch *s, size_t n)
{
	size_t i, kept = 0;
	int err;

	if (!s->n_hit)
		return 0;
	err = cover_grow(s, n);
	if (err)
		return err;
	hits_sort(s->hit, s->n_hit, hit_rank, hit_rank_q);
	for (i = 0; i < s->n_hit; i++) {
		struct scan_hit *h = &s->hit[i];

		if (cover_test_set(s->cover, h->start, h->end, 0))
			continue;
		cover_test_set(s->cover, h->start, h->end, 1);
		s->hit[kept++] = *h;
	}
	s->n_hit = kept;
	/* leave the bitmap clean for the next scan */
	for (i = 0; i < kept; i++) {
		size_t w;

		for (w = s->hit[i].start / 64; w <= (s->hit[i].end - 1) / 64; w++)
			s->cover[w] = 0;
	}
	hits_sort(s->hit, s->n_hit, hit_by_start, hit_by_start_q);
	return 0;
}

static double conf_score(enum scan_confidence c)
{
	return c == SCAN_CONF_HIGH ? 0.9 : c == SCAN_CONF_MEDIUM ? 0.6 : 0.3;
}

static int emit(const struct scan_engine *eng, struct scan_scratch *s, const struct scan_norm *nm,
		struct scan_result *out)
{
	size_t i, n0 = out->n;
	int err;

	for (i = 0; i < s->n_hit; i++) {
		const struct scan_hit *h = &s->hit[i];
		const struct scan_rule *r = eng->rules[h->rule].r;
		struct scan_finding f = {
			.category = r->category,
			.start = scan_norm_start(nm, h->start),
			.end = scan_norm_end(nm, h->end),
			.confidence = h->conf,
			.action = SCAN_ACT_ALLOW,
			.score = r->score > 0 ? r->score : conf_score(h->conf),
		};

		/* lengths were checked when the rule was added */
		memcpy(f.type, r->type, strlen(r->type) + 1);
		memcpy(f.detail, r->id, strlen(r->id) + 1);
		err = scan_result_push(out, &f);
		if (err) {
			out->n = n0;
			return err;
		}
	}
	return 0;
}

int scan_collect(const struct scan_engine *eng, struct scan_scratch *s, const char *t, size_t n)
{
	unsigned int dbi;
	int err;

	s->n_cand = 0;
	s->overflow = 0;
	s->max_candidates = eng->opts.max_candidates;
	err = scan_prefilter(eng, s, t, n);
	if (!err)
		err = run_db(eng, s, SCAN_DB_FULL, t, n);
	if (!err)
		err = scan_find_starts(eng, s, t, n, s->n_cand);
	for (dbi = SCAN_DB_FULL + 1; !err && dbi < SCAN_DB__COUNT; dbi++)
		err = run_db(eng, s, dbi, t, n);
	return err;
}

int scan_settle(const struct scan_engine *eng, struct scan_scratch *s, const struct scan_norm *nm,
		struct scan_cand *c, size_t nc, size_t orig_len, struct scan_result *out)
{
	const char *t = nm->view;
	size_t n = nm->len, i;
	int err;

	s->n_hit = 0;
	for (i = 0; i < nc; i++) {
		if (eng->pats[c[i].pat].fallback)
			find_start(eng, s, t, &c[i]);
		err = scan_confirm(eng, s, t, n, &c[i]);
		if (err)
			return err;
	}
	err = resolve(s, n);
	if (err)
		return err;
	s->stats.texts++;
	s->stats.bytes += orig_len;
	s->stats.candidates += nc;
	s->stats.findings += s->n_hit;
	return emit(eng, s, nm, out);
}

int scan_text(const struct scan_engine *eng, struct scan_scratch *s, const char *text,
	      size_t len, struct scan_result *out)
{
	int err;

	if (len > eng->opts.max_input)
		return -E2BIG;
	err = scan_norm_run(&s->norm, text, len);
	if (err)
		return err;
	out->signals |= s->norm.signals;
	err = scan_collect(eng, s, s->norm.view, s->norm.len);
	if (err)
		return err;
	return scan_settle(eng, s, &s->norm, s->cand, s->n_cand, len, out);
}
