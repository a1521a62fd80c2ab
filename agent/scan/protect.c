// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The content pipeline of one tenant (protect.h): rule set and engine built
 * once, then per request scan -> decide -> transform, for plain text, for
 * request bodies (through body.c) and for responses (exfiltration checks,
 * placeholders restored).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "email_content.h"
#include "exfil.h"
#include "injection.h"
#include "normalize.h"
#include "protect.h"
#include "rules.h"

_Static_assert((int)POLICY_ACT_ALLOW == (int)SCAN_ACT_ALLOW &&
		       (int)POLICY_ACT_FLAG == (int)SCAN_ACT_FLAG &&
		       (int)POLICY_ACT_MASK == (int)SCAN_ACT_MASK &&
		       (int)POLICY_ACT_REDACT == (int)SCAN_ACT_REDACT &&
		       (int)POLICY_ACT_TOKENIZE == (int)SCAN_ACT_TOKENIZE &&
		       (int)POLICY_ACT_BLOCK == (int)SCAN_ACT_BLOCK,
	       "policy actions are scan actions");
_Static_assert((int)POLICY_CONF_LOW == (int)SCAN_CONF_LOW &&
		       (int)POLICY_CONF_MEDIUM == (int)SCAN_CONF_MEDIUM &&
		       (int)POLICY_CONF_HIGH == (int)SCAN_CONF_HIGH,
	       "policy confidences are scan confidences");
_Static_assert(POLICY_CONTENT_HASH_LEN == SCAN_EDM_HASH_LEN, "EDM hashes are SHA-256");
_Static_assert(POLICY_CONTENT_MAX_TYPE <= VAULT_TYPE_MAX, "custom types show whole in placeholders");
_Static_assert(PROTECT_KEY_LEN >= VAULT_KEY_MIN && PROTECT_KEY_LEN <= VAULT_KEY_MAX,
	       "tenant keys are vault keys");

struct protect_base {
	struct scan_ruleset *rs;
	struct scan_engine *eng;          /* every confidence: tenants filter by their own */
	size_t max_input;
};

struct protect {
	char *tenant;
	uint8_t key[PROTECT_KEY_LEN];
	struct vault_mac *mac;            /* key, prepared for the requests' vaults */
	const struct protect_base *base;
	struct protect_base *own_base;    /* when no shared base was given */
	struct scan_ruleset *rs;          /* the tenant's custom rules; NULL: none */
	struct scan_engine *eng;
	struct policy_content *content;   /* our copy: actions, rule actions, hosts, knobs */
	struct exfil_opts exfil;
	size_t max_body;
	struct vault_limits vault;
};

/*
 * Strings of a batch whose per-engine indexes fit in the request itself (a
 * chat body has a dozen); the request stays under 1 KiB, which glibc serves
 * from its per-thread cache.
 */
#define PROTECT_BATCH_INLINE 32

struct protect_req {
	const struct protect *p;
	struct scan_scratch *scratch;
	bool own_scratch;
	struct vault *vault;
	struct scan_result tmp;           /* analyzer findings, view offsets */
	struct scan_norm norm;            /* responses: their own normalised view */
	struct scan_result base_found;    /* scan_batch: each engine's findings */
	struct scan_result own_found;
	/* scan_batch: where each string's findings start in base_found and own_found */
	size_t *first;                    /* first_inline, or malloc'ed for a bigger batch */
	size_t first_cap;                 /* entries */
	size_t first_inline[2 * (PROTECT_BATCH_INLINE + 1)];
};

/* --- building -------------------------------------------------------------------- */

static void set_error(struct protect_error *err, const char *rule, const char *fmt, const char *msg)
{
	if (!err)
		return;
	snprintf(err->rule, sizeof(err->rule), "%s", rule ? rule : "");
	snprintf(err->message, sizeof(err->message), fmt, msg ? msg : "");
}

/* A NULL-terminated copy of v[0..n). */
static char **strv_copy(char *const *v, size_t n)
{
	char **c = calloc(n + 1, sizeof(*c));
	size_t i;

	if (!c)
		return NULL;
	for (i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			while (i--)
				free(c[i]);
			free(c);
			return NULL;
		}
	}
	return c;
}

/* What the decisions need, nothing of the detectors (those live in the rule set). */
static struct policy_content *content_copy(const struct policy_content *src)
{
	struct policy_content *c = policy_content_new();
	size_t i;

	if (!c || !src)
		return c;
	c->min_confidence = src->min_confidence;
	c->token_arrays = src->token_arrays;
	c->binary = src->binary;
	if (src->n_actions && !(c->actions = calloc(src->n_actions, sizeof(*c->actions))))
		goto out_free;
	for (i = 0; i < src->n_actions; i++, c->n_actions++) {
		c->actions[i] = src->actions[i];
		c->actions[i].key = strdup(src->actions[i].key);
		if (!c->actions[i].key)
			goto out_free;
	}
	if (src->n_rules && !(c->rules = calloc(src->n_rules, sizeof(*c->rules))))
		goto out_free;
	for (i = 0; i < src->n_rules; i++, c->n_rules++) {
		c->rules[i].has_action = src->rules[i].has_action;
		c->rules[i].action = src->rules[i].action;
		c->rules[i].name = strdup(src->rules[i].name);
		if (!c->rules[i].name)
			goto out_free;
	}
	if (src->n_allowed_hosts) {
		c->allowed_hosts = strv_copy(src->allowed_hosts, src->n_allowed_hosts);
		if (!c->allowed_hosts)
			goto out_free;
		c->n_allowed_hosts = src->n_allowed_hosts;
	}
	return c;
out_free:
	policy_content_free(c);
	return NULL;
}

/* A policy rule as a scanner rule (copied by the rule set). */
static int add_custom(struct scan_ruleset *rs, const struct policy_content_rule *pr)
{
	unsigned int ctx_flags = pr->n_context ? SCAN_RF_NEED_CONTEXT | SCAN_RF_CTX_AFTER : 0;
	struct scan_edm edm = {
		.salt = pr->salt,
		.salt_len = pr->salt_len,
		.hashes = (const uint8_t (*)[SCAN_EDM_HASH_LEN])pr->sha256,
		.n = pr->n_sha256,
	};
	char id[SCAN_DETAIL_LEN];
	struct scan_rule r = {
		.id = id,
		.type = pr->type,
		.category = SCAN_CAT_CUSTOM,
		.conf = SCAN_CONF_HIGH,
		.flags = SCAN_RF_BOUND_WORD | ctx_flags,
		.context = pr->n_context ? (const char *const *)pr->context : NULL,
	};

	if ((size_t)snprintf(id, sizeof(id), PROTECT_CUSTOM_PREFIX "%s", pr->name) >= sizeof(id))
		return -ENAMETOOLONG;
	switch (pr->kind) {
	case POLICY_RULE_WORDS:
		r.kind = SCAN_RULE_DICT;
		r.words = (const char *const *)pr->words;
		r.hs_flags = pr->case_sensitive ? 0 : HS_FLAG_CASELESS;
		break;
	case POLICY_RULE_REGEX:
		r.kind = SCAN_RULE_REGEX;
		r.regex = pr->regex;
		break;
	case POLICY_RULE_EXACT:
		r.kind = SCAN_RULE_EDM;
		r.regex = pr->regex;
		r.edm = &edm;
		if (pr->normalize == POLICY_EXACT_LOWERCASE)
			r.flags |= SCAN_RF_EDM_CASEFOLD;
		else if (pr->normalize == POLICY_EXACT_DIGITS)
			r.flags |= SCAN_RF_EDM_DIGITS_ONLY;
		break;
	}
	return scan_ruleset_add_copy(rs, &r);
}

static void set_compile_error(struct protect_error *err, const struct scan_compile_error *ce,
			      int r)
{
	set_error(err, ce->rule_id, "Hyperscan: %s", ce->message[0] ? ce->message : strerror(-r));
}

int protect_base_new(size_t max_input, struct protect_base **ret, struct protect_error *err)
{
	struct scan_engine_opts eo = { .max_input = max_input };
	struct scan_compile_error ce = { 0 };
	struct protect_base *b;
	int r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->max_input = max_input;
	r = scan_ruleset_new(&b->rs);
	if (!r)
		r = scan_rules_builtin(b->rs);
	if (r) {
		set_error(err, NULL, "built-in rules: %s", strerror(-r));
		goto out_free;
	}
	r = scan_engine_new_opts(b->rs, &eo, &b->eng, &ce);
	if (r) {
		set_compile_error(err, &ce, r);
		goto out_free;
	}
	*ret = b;
	return 0;
out_free:
	protect_base_free(b);
	return r;
}

struct protect_base *protect_base_free(struct protect_base *b)
{
	if (!b)
		return NULL;
	scan_engine_free(b->eng);
	scan_ruleset_free(b->rs);
	free(b);
	return NULL;
}

/* The tenant's own rules, in an engine of their own (small, quick to build). */
static int build_custom(struct protect *p, const struct policy_content *c, struct protect_error *err)
{
	struct scan_engine_opts eo = { .max_input = p->base->max_input };
	struct scan_compile_error ce = { 0 };
	size_t i;
	int r;

	if (!c || !c->n_rules)
		return 0;
	r = scan_ruleset_new(&p->rs);
	if (r)
		return r;
	for (i = 0; i < c->n_rules; i++) {
		r = add_custom(p->rs, &c->rules[i]);
		if (r) {
			set_error(err, c->rules[i].name, "cannot add the rule: %s", strerror(-r));
			return r;
		}
	}
	r = scan_engine_new_opts(p->rs, &eo, &p->eng, &ce);
	if (r)
		set_compile_error(err, &ce, r);
	return r;
}

int protect_new(const struct policy_tenant *t, const struct protect_opts *o, struct protect **ret,
		struct protect_error *err)
{
	const struct policy_content *src = t ? t->content : NULL;
	struct protect *p;
	int r;

	if (!o || !o->node_secret || o->node_secret_len < 16) {
		set_error(err, NULL, "%s", "no node secret");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->tenant = strdup(t ? t->name : "");
	p->content = content_copy(src);
	if (!p->tenant || !p->content) {
		r = -ENOMEM;
		goto out_free;
	}
	p->exfil.allow_hosts = (const char *const *)p->content->allowed_hosts;
	p->max_body = o->max_body;
	p->vault = o->vault;
	r = protect_tenant_key(o->node_secret, o->node_secret_len, p->tenant, p->key);
	if (!r)
		r = vault_mac_new(p->key, sizeof(p->key), &p->mac);
	if (r) {
		set_error(err, NULL, "tenant key: %s", strerror(-r));
		goto out_free;
	}
	p->base = o->base;
	if (!p->base) {
		r = protect_base_new(o->max_input, &p->own_base, err);
		if (r)
			goto out_free;
		p->base = p->own_base;
	}
	r = build_custom(p, src, err);
	if (r)
		goto out_free;
	*ret = p;
	return 0;
out_free:
	protect_free(p);
	return r;
}

struct protect *protect_free(struct protect *p)
{
	if (!p)
		return NULL;
	scan_engine_free(p->eng);
	scan_ruleset_free(p->rs);
	vault_mac_free(p->mac);
	protect_base_free(p->own_base);
	policy_content_free(p->content);
	OPENSSL_cleanse(p->key, sizeof(p->key));
	free(p->tenant);
	free(p);
	return NULL;
}

const uint8_t *protect_key(const struct protect *p)
{
	return p->key;
}

const char *protect_tenant(const struct protect *p)
{
	return p->tenant;
}

size_t protect_rule_count(const struct protect *p)
{
	return scan_engine_rule_count(p->base->eng) + (p->eng ? scan_engine_rule_count(p->eng) : 0);
}

/* --- requests ------------------------------------------------------------------- */

int protect_scratch_new(const struct protect *p, struct scan_scratch **ret)
{
	struct scan_scratch *s = NULL;
	int err;

	err = scan_scratch_new(p->base->eng, &s);
	if (!err && p->eng)
		err = scan_scratch_grow(p->eng, s);
	if (err) {
		scan_scratch_free(s);
		return err;
	}
	*ret = s;
	return 0;
}

int protect_req_new(const struct protect *p, struct scan_scratch *scratch, struct protect_req **ret)
{
	/* malloc, not calloc: glibc's calloc skips the per-thread cache */
	struct protect_req *r = malloc(sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	*r = (struct protect_req){
		.p = p,
		.first = r->first_inline,
		.first_cap = sizeof(r->first_inline) / sizeof(r->first_inline[0]),
	};
	if (scratch) {
		err = scan_scratch_grow(p->base->eng, scratch);
		if (!err && p->eng)
			err = scan_scratch_grow(p->eng, scratch);
		r->scratch = scratch;
	} else {
		err = protect_scratch_new(p, &r->scratch);
		r->own_scratch = true;
	}
	if (!err) {
		r->vault = vault_new(&p->vault);
		if (!r->vault)
			err = -ENOMEM;
		else
			vault_use_mac(r->vault, p->mac);
	}
	if (err) {
		protect_req_free(r);
		return err;
	}
	*ret = r;
	return 0;
}

struct protect_req *protect_req_free(struct protect_req *r)
{
	if (!r)
		return NULL;
	if (r->own_scratch)
		scan_scratch_free(r->scratch);
	vault_free(r->vault);
	scan_result_free(&r->tmp);
	scan_result_free(&r->base_found);
	scan_result_free(&r->own_found);
	scan_norm_free(&r->norm);
	if (r->first != r->first_inline)
		free(r->first);
	free(r);
	return NULL;
}

const struct vault *protect_req_vault(const struct protect_req *r)
{
	return r->vault;
}

static void decide(const struct protect *p, struct scan_finding *f)
{
	static const size_t plen = sizeof(PROTECT_CUSTOM_PREFIX) - 1;
	const char *rule = NULL;

	if (f->category == SCAN_CAT_CUSTOM && !strncmp(f->detail, PROTECT_CUSTOM_PREFIX, plen))
		rule = f->detail + plen;

	f->action = (enum scan_action)policy_content_action(
		p->content, rule, f->type, scan_category_name(f->category), (int)f->confidence);
}

static int finding_cmp(const void *a, const void *b)
{
	const struct scan_finding *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return 0;
}

/* Analyzer findings (view offsets in r->tmp) at or above the threshold, into out. */
static int merge_analyzers(struct protect_req *r, const struct scan_norm *norm,
			   struct scan_result *out)
{
	size_t i;
	int err;

	for (i = 0; i < r->tmp.n; i++) {
		struct scan_finding f = r->tmp.v[i];

		if ((int)f.confidence < (int)r->p->content->min_confidence)
			continue;
		f.start = scan_norm_start(norm, f.start);
		f.end = scan_norm_end(norm, f.end);
		if (f.end < f.start)
			f.end = f.start;
		err = scan_result_push(out, &f);
		if (err)
			return err;
	}
	return 0;
}

/* Drop out[from..] below the tenant's threshold (the shared engine reports every level). */
static void drop_below(const struct protect *p, struct scan_result *out, size_t from)
{
	size_t i, k = from;

	for (i = from; i < out->n; i++)
		if ((int)out->v[i].confidence >= (int)p->content->min_confidence)
			out->v[k++] = out->v[i];
	out->n = k;
}

/* The analyzers on one text's normalised view; findings into out. */
static int analyse_request(struct protect_req *r, const struct scan_norm *norm,
			   struct scan_result *out)
{
	int err;

	scan_result_reset(&r->tmp);
	err = injection_scan(norm->view, norm->len, norm, &r->tmp);
	if (err >= 0)
		err = email_content_scan(norm->view, norm->len, &r->tmp);
	if (err >= 0)
		err = exfil_scan(norm->view, norm->len, EXFIL_REQUEST, &r->p->exfil, &r->tmp);
	if (err < 0)
		return err;
	return merge_analyzers(r, norm, out);
}

static int scan_request(struct protect_req *r, const char *text, size_t len, struct scan_result *out)
{
	size_t n0 = out->n;
	int err;

	err = scan_text(r->p->base->eng, r->scratch, text, len, out);
	if (!err && r->p->eng)
		err = scan_text(r->p->eng, r->scratch, text, len, out);
	if (err)
		return err;
	drop_below(r->p, out, n0);
	return analyse_request(r, scan_scratch_norm(r->scratch), out);
}

static int scan_response(struct protect_req *r, const char *text, size_t len, struct scan_result *out)
{
	int err;

	if (len > SCAN_INPUT_MAX_DEFAULT)
		return -E2BIG;
	err = scan_norm_run(&r->norm, text, len);
	if (err)
		return err;
	out->signals |= r->norm.signals;
	scan_result_reset(&r->tmp);
	err = exfil_scan(r->norm.view, r->norm.len, EXFIL_RESPONSE, &r->p->exfil, &r->tmp);
	if (err < 0)
		return err;
	return merge_analyzers(r, &r->norm, out);
}

/* Findings of text appended to out, sorted, actions undecided (ALLOW). */
static int scan_any(struct protect_req *r, enum protect_dir dir, const char *text, size_t len,
		    struct scan_result *out)
{
	size_t n0 = out->n;
	int err;

	if (!text && len)
		return -EINVAL;
	err = dir == PROTECT_RESPONSE ? scan_response(r, text ? text : "", len, out)
				      : scan_request(r, text ? text : "", len, out);
	if (err) {
		out->n = n0;
		return err;
	}
	if (out->n - n0 > 1)
		qsort(out->v + n0, out->n - n0, sizeof(*out->v), finding_cmp);
	return 0;
}

/*
 * A response cannot carry placeholders to the client (nothing would restore
 * them): there, tokenize means redact.
 */
static void decide_dir(const struct protect *p, enum protect_dir dir, struct scan_finding *f)
{
	decide(p, f);
	if (dir == PROTECT_RESPONSE && f->action == SCAN_ACT_TOKENIZE)
		f->action = SCAN_ACT_REDACT;
}

int protect_scan(struct protect_req *r, enum protect_dir dir, const char *text, size_t len,
		 struct scan_result *out)
{
	size_t i, n0 = out->n;
	int err;

	err = scan_any(r, dir, text, len, out);
	if (err)
		return err;
	for (i = n0; i < out->n; i++)
		decide_dir(r->p, dir, &out->v[i]);
	return 0;
}

static struct transform_ctx xform_ctx(const struct protect_req *r)
{
	return (struct transform_ctx){
		.key = r->p->key,
		.key_len = sizeof(r->p->key),
		.vault = r->vault,
	};
}

int protect_text(struct protect_req *r, enum protect_dir dir, const char *text, size_t len,
		 struct protect_result *ret)
{
	struct transform_ctx ctx = xform_ctx(r);
	struct transform_result tr = { 0 };
	struct scan_result sr = { 0 };
	int err;

	err = protect_scan(r, dir, text, len, &sr);
	if (!err)
		err = transform_apply(&ctx, text ? text : "", len, sr.v, sr.n, &tr);
	if (err) {
		scan_result_free(&sr);
		return err;
	}
	*ret = (struct protect_result){
		.findings = sr.v,
		.n = sr.n,
		.text = tr.text,
		.len = tr.len,
		.blocked = tr.blocked,
		.block = tr.block,
		.rewritten = tr.rewritten,
	};
	return 0;
}

void protect_result_fini(struct protect_result *res)
{
	if (!res)
		return;
	free(res->findings);
	free(res->text);
	memset(res, 0, sizeof(*res));
}

/* --- bodies ---------------------------------------------------------------------- */

static int body_scan_cb(void *ctx, const char *text, size_t len, struct scan_result *out)
{
	return scan_any(ctx, PROTECT_REQUEST, text, len, out);
}

static int push_range(struct scan_result *out, const struct scan_result *from, size_t a, size_t b)
{
	int err = 0;

	for (; !err && a < b; a++)
		err = scan_result_push(out, &from->v[a]);
	return err;
}

/* Room for two index arrays of n + 1 entries: r->first, grown when the batch is bigger. */
static int batch_index(struct protect_req *r, size_t n)
{
	size_t want = 2 * (n + 1);
	size_t *v;

	if (want <= r->first_cap)
		return 0;
	if (n > SIZE_MAX / 4 / sizeof(*v))
		return -ENOMEM;
	v = malloc(want * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (r->first != r->first_inline)
		free(r->first);
	r->first = v;
	r->first_cap = want;
	return 0;
}

/*
 * A request's strings at once (body_opts.scan_batch): each engine scans all
 * of them in one pass (scan_texts), then every string gets what
 * scan_request() would have given it: both engines' findings, the
 * threshold, the analyzers on its own view, sorted.
 */
static int body_scan_batch_cb(void *ctx, const struct scan_part *t, size_t n,
			      struct scan_result *out, size_t *first)
{
	struct protect_req *r = ctx;
	size_t *bf, *of, i, n0 = out->n;
	int err = batch_index(r, n);

	if (err)
		return err;
	bf = r->first;
	of = r->first + n + 1;
	scan_result_reset(&r->base_found);
	scan_result_reset(&r->own_found);
	err = scan_texts(r->p->base->eng, r->scratch, t, n, &r->base_found, bf);
	if (!err && r->p->eng)
		err = scan_texts(r->p->eng, r->scratch, t, n, &r->own_found, of);
	out->signals |= r->base_found.signals | r->own_found.signals;
	for (i = 0; !err && i < n; i++) {
		first[i] = out->n;
		err = push_range(out, &r->base_found, bf[i], bf[i + 1]);
		if (!err && r->p->eng)
			err = push_range(out, &r->own_found, of[i], of[i + 1]);
		if (err)
			break;
		drop_below(r->p, out, first[i]);
		err = analyse_request(r, scan_scratch_part_norm(r->scratch, i), out);
		if (!err && out->n - first[i] > 1)
			qsort(out->v + first[i], out->n - first[i], sizeof(*out->v), finding_cmp);
	}
	first[n] = out->n;
	if (err)
		out->n = n0;
	return err;
}

static void body_decide_cb(void *ctx, struct scan_finding *f)
{
	decide(ctx, f);
}

int protect_body(struct protect_req *r, const char *path, const char *json, size_t len,
		 struct body_error *err, struct body_result *ret)
{
	const struct protect *p = r->p;
	struct body_opts o = {
		.api = body_api_from_path(path),
		.scan = body_scan_cb,
		.scan_batch = body_scan_batch_cb,
		.scan_ctx = r,
		.decide = body_decide_cb,
		.decide_ctx = (void *)p,
		.xform = xform_ctx(r),
		.token_arrays = (enum scan_action)p->content->token_arrays,
		.binary = (enum scan_action)p->content->binary,
		.max_bytes = p->max_body,
	};

	return body_rewrite_request(&o, json, len, err, ret);
}

/*
 * Responses: every string value is model output or metadata; metadata the
 * client interprets (ids, roles, model names) holds no URL worth checking.
 */
static const char *const response_skip[] = {
	"id", "object", "model", "role", "finish_reason", "system_fingerprint", "type",
	"status", "created", "call_id", "service_tier", NULL,
};

struct rwalk {
	struct protect_req *r;
	struct scan_result sr;
	struct vault_buf path;
	struct body_findings fs;
	size_t rewritten;
};

static int rstring(struct rwalk *w, json_t *str)
{
	const char *s = json_string_value(str);
	size_t n = json_string_length(str), i;
	struct transform_ctx ctx = xform_ctx(w->r);
	struct transform_result tr = { 0 };
	int err;

	scan_result_reset(&w->sr);
	err = protect_scan(w->r, PROTECT_RESPONSE, s, n, &w->sr);
	for (i = 0; !err && i < w->sr.n; i++)
		err = body_findings_add(&w->fs, w->path.p, w->path.len, &w->sr.v[i]);
	if (err || !w->sr.n || w->fs.blocked)
		return err;
	err = transform_apply(&ctx, s, n, w->sr.v, w->sr.n, &tr);
	if (!err && tr.rewritten) {
		if (json_string_setn_nocheck(str, tr.text, tr.len))
			err = -ENOMEM;
		w->rewritten += tr.rewritten;
	}
	transform_result_fini(&tr);
	return err;
}

static int rvalue(struct rwalk *w, json_t *v, const char *key)
{
	const char *k;
	size_t i, mark;
	json_t *e;
	int err = 0;

	switch (json_typeof(v)) {
	case JSON_STRING:
		for (i = 0; key && response_skip[i]; i++)
			if (!strcmp(key, response_skip[i]))
				return 0;
		return rstring(w, v);
	case JSON_OBJECT:
		json_object_foreach(v, k, e) {
			mark = body_path_push_key(&w->path, k, strlen(k));
			err = rvalue(w, e, k);
			body_path_pop(&w->path, mark);
			if (err)
				return err;
		}
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			mark = body_path_push_index(&w->path, i);
			err = rvalue(w, e, key);
			body_path_pop(&w->path, mark);
			if (err)
				return err;
		}
		return 0;
	default:
		return 0;
	}
}

static void rwalk_fini(struct rwalk *w)
{
	body_findings_fini(&w->fs);
	scan_result_free(&w->sr);
	vault_buf_fini(&w->path);
}

static void set_body_error(struct body_error *err, int line, int column, const char *text)
{
	if (!err)
		return;
	err->line = line;
	err->column = column;
	snprintf(err->text, sizeof(err->text), "%s", text);
}

int protect_response_body(struct protect_req *r, const char *json, size_t len,
			  struct body_error *err, struct body_result *ret)
{
	struct rwalk w = { .r = r };
	struct body_result res = { 0 };
	json_error_t je;
	json_t *root;
	int restored, rc = 0;

	if (!json && len)
		return -EINVAL;
	/* exfiltration needs a URL ('/', maybe escaped as \u002f), restoring a placeholder ("[[") */
	if (!len || (!memchr(json, '/', len) && !memmem(json, len, "\\u", 2) &&
		     !memmem(json, len, "[[", 2))) {
		*ret = res;
		return 0;
	}
	if (len > BODY_RESTORE_MAX_BYTES) {
		set_body_error(err, 0, 0, "response body over the size limit");
		return -EMSGSIZE;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!root) {
		set_body_error(err, je.line, je.column, je.text);
		return -EINVAL;
	}
	restored = body_restore_json(root, r->vault);
	if (restored < 0) {
		rc = restored;
		goto out_free;
	}
	rc = rvalue(&w, root, NULL);
	if (rc) {
		set_body_error(err, 0, 0, strerror(-rc));
		goto out_free;
	}
	if (!w.fs.blocked && (restored || w.rewritten)) {
		res.body = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!res.body) {
			rc = -ENOMEM;
			goto out_free;
		}
		res.len = strlen(res.body);
	}
	rc = body_result_take(&res, &w.fs, w.rewritten);
	if (rc) {
		free(res.body);
		goto out_free;
	}
	*ret = res;
out_free:
	json_decref(root);
	rwalk_fini(&w);
	return rc;
}

struct sse_restorer *protect_sse_new(const struct protect_req *r)
{
	return sse_restorer_new(r->vault);
}

char *protect_block_message(enum protect_dir dir, const struct scan_finding *f, const char *path)
{
	char msg[BODY_PATH_MAX + 256];
	json_t *j;
	char *out;

	snprintf(msg, sizeof(msg), "%s blocked by the airlock content policy: %s%s%s%s%s%s",
		 dir == PROTECT_RESPONSE ? "Response" : "Request", f->type, f->detail[0] ? " (" : "",
		 f->detail, f->detail[0] ? ")" : "", path && path[0] ? " in " : "",
		 path && path[0] ? path : "");
	/* a path cut at BODY_PATH_MAX may end inside a character */
	j = json_pack("{s:{s:o, s:s, s:n, s:s}}", "error", "message", policy_json_string(msg), "type",
		      "invalid_request_error", "param", "code", "content_blocked");
	if (!j)
		return NULL;
	out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return out;
}
