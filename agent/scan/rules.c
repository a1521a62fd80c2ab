// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Rule sets: built-in tables are referenced in place, policy rules are
 * deep-copied into memory the set owns, so an engine never points into a
 * policy document that has since been freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>
#include <openssl/evp.h>

#include "rules.h"

struct scan_ruleset {
	struct scan_rule *v;
	unsigned char *enabled;
	size_t n;
	size_t cap;
	void **owned;            /* every allocation made for copied rules */
	size_t n_owned;
	size_t cap_owned;
};

int scan_ruleset_new(struct scan_ruleset **ret_rs)
{
	struct scan_ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return -ENOMEM;
	*ret_rs = rs;
	return 0;
}

struct scan_ruleset *scan_ruleset_free(struct scan_ruleset *rs)
{
	size_t i;

	if (!rs)
		return NULL;
	for (i = 0; i < rs->n_owned; i++)
		free(rs->owned[i]);
	free(rs->owned);
	free(rs->enabled);
	free(rs->v);
	free(rs);
	return NULL;
}

static int valid_conf(enum scan_confidence c, int zero_ok)
{
	if (zero_ok && c == 0)
		return 1;
	return c >= SCAN_CONF_LOW && c <= SCAN_CONF_HIGH;
}

static int rule_check(const struct scan_rule *r)
{
	if (!r->id || !r->id[0] || strlen(r->id) >= SCAN_DETAIL_LEN)
		return -EINVAL;
	if (!r->type || !r->type[0] || strlen(r->type) >= SCAN_TYPE_LEN)
		return -EINVAL;
	if (r->category < SCAN_CAT_PII || r->category > SCAN_CAT_CUSTOM)
		return -EINVAL;
	if (!valid_conf(r->conf, 0) || !valid_conf(r->conf_ctx, 1))
		return -EINVAL;
	if (r->min_entropy < 0 || r->min_entropy > 8 || r->score < 0 || r->score > 1)
		return -EINVAL;
	if ((unsigned)r->trigger >= SCAN_TRIG__COUNT)
		return -EINVAL;
	if (r->trigger == SCAN_TRIG_DIGITS && !r->min_digits)
		return -EINVAL;
	/* the full-text database finds its starts itself (start.c) */
	if (r->start && (r->trigger == SCAN_TRIG_FULL || r->kind != SCAN_RULE_REGEX))
		return -EINVAL;
	/* a lead and its tail come together, and stand for a full-text regex */
	if (!r->lead != !r->tail || (r->lead && (!r->lead[0] || r->trigger != SCAN_TRIG_FULL ||
						 r->kind != SCAN_RULE_REGEX)))
		return -EINVAL;
	switch (r->kind) {
	case SCAN_RULE_REGEX:
		return r->regex && r->regex[0] ? 0 : -EINVAL;
	case SCAN_RULE_DICT:
		return r->words && r->words[0] ? 0 : -EINVAL;
	case SCAN_RULE_EDM:
		if (!r->regex || !r->regex[0] || !r->edm)
			return -EINVAL;
		return r->edm->n && r->edm->hashes ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static int find_id(const struct scan_ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].id, id))
			return 1;
	return 0;
}

static int grow(struct scan_ruleset *rs, size_t more)
{
	struct scan_rule *v;
	unsigned char *en;
	size_t cap;

	if (rs->n + more > SCAN_RULES_MAX)
		return -E2BIG;
	if (rs->n + more <= rs->cap)
		return 0;
	cap = rs->cap ? rs->cap : 64;
	while (cap < rs->n + more)
		cap *= 2;
	v = realloc(rs->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rs->v = v;
	en = realloc(rs->enabled, cap);
	if (!en)
		return -ENOMEM;
	rs->enabled = en;
	rs->cap = cap;
	return 0;
}

int scan_ruleset_add(struct scan_ruleset *rs, const struct scan_rule *rules, size_t n)
{
	size_t i, j;
	int err;

	for (i = 0; i < n; i++) {
		err = rule_check(&rules[i]);
		if (err)
			return err;
		if (find_id(rs, rules[i].id))
			return -EEXIST;
		for (j = 0; j < i; j++)
			if (!strcmp(rules[i].id, rules[j].id))
				return -EEXIST;
	}
	err = grow(rs, n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		rs->v[rs->n] = rules[i];
		rs->enabled[rs->n++] = 1;
	}
	return 0;
}

/* --- deep copies for policy rules ------------------------------------------ */

static void *own(struct scan_ruleset *rs, void *p)
{
	void **v;

	if (!p)
		return NULL;
	if (rs->n_owned == rs->cap_owned) {
		size_t cap = rs->cap_owned ? rs->cap_owned * 2 : 32;

		v = realloc(rs->owned, cap * sizeof(*v));
		if (!v) {
			free(p);
			return NULL;
		}
		rs->owned = v;
		rs->cap_owned = cap;
	}
	rs->owned[rs->n_owned++] = p;
	return p;
}

static const char *own_str(struct scan_ruleset *rs, const char *s, int *err)
{
	char *p;

	if (!s || *err)
		return NULL;
	p = own(rs, strdup(s));
	if (!p)
		*err = -ENOMEM;
	return p;
}

static const char *const *own_list(struct scan_ruleset *rs, const char *const *l, int *err)
{
	const char **p;
	size_t n = 0, i;

	if (!l || *err)
		return NULL;
	while (l[n])
		n++;
	p = own(rs, calloc(n + 1, sizeof(*p)));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		p[i] = own_str(rs, l[i], err);
	return *err ? NULL : p;
}

static int hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SCAN_EDM_HASH_LEN);
}

static const struct scan_edm *own_edm(struct scan_ruleset *rs, const struct scan_edm *e, int *err)
{
	struct scan_edm *c;
	uint8_t *salt = NULL;
	uint8_t (*h)[SCAN_EDM_HASH_LEN];

	if (!e || *err)
		return NULL;
	if (e->n > SCAN_EDM_HASHES_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	c = own(rs, calloc(1, sizeof(*c)));
	h = c ? own(rs, malloc(e->n * SCAN_EDM_HASH_LEN)) : NULL;
	if (h && e->salt_len)
		salt = own(rs, malloc(e->salt_len));
	if (!c || !h || (e->salt_len && !salt)) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(h, e->hashes, e->n * SCAN_EDM_HASH_LEN);
	qsort(h, e->n, SCAN_EDM_HASH_LEN, hash_cmp);
	if (salt)
		memcpy(salt, e->salt, e->salt_len);
	c->salt = salt;
	c->salt_len = e->salt_len;
	c->hashes = (const uint8_t (*)[SCAN_EDM_HASH_LEN])h;
	c->n = e->n;
	return c;
}

int scan_ruleset_add_copy(struct scan_ruleset *rs, const struct scan_rule *rule)
{
	struct scan_rule c = *rule;
	int err = rule_check(rule);

	if (err)
		return err;
	if (find_id(rs, rule->id))
		return -EEXIST;
	err = grow(rs, 1);
	if (err)
		return err;
	c.id = own_str(rs, rule->id, &err);
	c.type = own_str(rs, rule->type, &err);
	c.regex = own_str(rs, rule->regex, &err);
	c.lead = own_str(rs, rule->lead, &err);
	c.context = own_list(rs, rule->context, &err);
	c.negative = own_list(rs, rule->negative, &err);
	c.allow = own_list(rs, rule->allow, &err);
	c.stopwords = own_list(rs, rule->stopwords, &err);
	c.allow_regex = own_list(rs, rule->allow_regex, &err);
	c.keywords = own_list(rs, rule->keywords, &err);
	c.words = own_list(rs, rule->words, &err);
	c.edm = own_edm(rs, rule->edm, &err);
	if (err)
		return err;      /* partial copies stay owned and die with the set */
	rs->v[rs->n] = c;
	rs->enabled[rs->n++] = 1;
	return 0;
}

int scan_ruleset_add_regex(struct scan_ruleset *rs, const char *id, const char *type,
			   const char *regex, enum scan_confidence conf)
{
	struct scan_rule r = {
		.id = id, .type = type, .category = SCAN_CAT_CUSTOM,
		.kind = SCAN_RULE_REGEX, .regex = regex, .conf = conf,
	};

	return scan_ruleset_add_copy(rs, &r);
}

int scan_ruleset_add_dict(struct scan_ruleset *rs, const char *id, const char *type,
			  const char *const *words, size_t n, int caseless,
			  enum scan_confidence conf)
{
	struct scan_rule r = {
		.id = id, .type = type, .category = SCAN_CAT_CUSTOM,
		.kind = SCAN_RULE_DICT, .conf = conf, .flags = SCAN_RF_BOUND_WORD,
		.hs_flags = caseless ? HS_FLAG_CASELESS : 0,
	};
	const char **list;
	size_t i;
	int err;

	if (!n || n > SCAN_PATTERNS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!words[i] || !words[i][0] || strlen(words[i]) > SCAN_DICT_WORD_MAX)
			return -EINVAL;
	list = calloc(n + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	memcpy(list, words, n * sizeof(*list));
	r.words = list;
	err = scan_ruleset_add_copy(rs, &r);
	free(list);
	return err;
}

int scan_ruleset_add_edm(struct scan_ruleset *rs, const char *id, const char *type,
			 const char *candidate_regex, unsigned int flags,
			 const uint8_t *salt, size_t salt_len,
			 const uint8_t (*hashes)[SCAN_EDM_HASH_LEN], size_t n)
{
	struct scan_edm e = { .salt = salt, .salt_len = salt_len, .hashes = hashes, .n = n };
	struct scan_rule r = {
		.id = id, .type = type, .category = SCAN_CAT_CUSTOM,
		.kind = SCAN_RULE_EDM, .regex = candidate_regex, .edm = &e,
		.conf = SCAN_CONF_HIGH,
		.flags = (flags & (SCAN_RF_EDM_CASEFOLD | SCAN_RF_EDM_DIGITS_ONLY)) | SCAN_RF_BOUND_WORD,
	};

	return scan_ruleset_add_copy(rs, &r);
}

int scan_ruleset_disable(struct scan_ruleset *rs, const char *id_or_type)
{
	size_t i;
	int hit = 0;

	for (i = 0; i < rs->n; i++) {
		if (!strcmp(rs->v[i].id, id_or_type) || !strcmp(rs->v[i].type, id_or_type)) {
			rs->enabled[i] = 0;
			hit = 1;
		}
	}
	return hit ? 0 : -ENOENT;
}

size_t scan_ruleset_count(const struct scan_ruleset *rs)
{
	return rs->n;
}

const struct scan_rule *scan_ruleset_rule(const struct scan_ruleset *rs, size_t i)
{
	return i < rs->n ? &rs->v[i] : NULL;
}

int scan_ruleset_enabled(const struct scan_ruleset *rs, size_t i)
{
	return i < rs->n && rs->enabled[i];
}

int scan_rules_builtin(struct scan_ruleset *rs)
{
	static int (*const tables[])(struct scan_ruleset *) = {
#define SCAN_RULE_TABLE_REF(name) rules_##name##_register,
		SCAN_RULE_TABLES(SCAN_RULE_TABLE_REF)
#undef SCAN_RULE_TABLE_REF
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		err = tables[i](rs);
		if (err)
			return err;
	}
	return 0;
}

/* --- helpers for rule authors ---------------------------------------------- */

/*
 * log2 without libm (the library links without -lm): exponent from the
 * bits, mantissa m in [1,2) through ln m = 2 atanh((m-1)/(m+1)), whose
 * series converges fast because the argument stays below 1/3.
 */
static double log2_pos(double x)
{
	uint64_t bits;
	double m, z, z2, term, sum = 0;
	int e, k;

	memcpy(&bits, &x, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & ((1ull << 52) - 1)) | (1023ull << 52);
	memcpy(&m, &bits, sizeof(m));
	z = (m - 1) / (m + 1);
	z2 = z * z;
	term = z;
	for (k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return e + 2 * sum * 1.4426950408889634;    /* 1 / ln 2 */
}

double scan_entropy(const char *s, size_t len)
{
	unsigned int count[256] = { 0 };
	double h = 0;
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		count[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		if (count[i]) {
			double p = (double)count[i] / (double)len;

			h -= p * log2_pos(p);
		}
	}
	return h;
}

static int is_quote_or_space(char c)
{
	return c == '"' || c == '\'' || c == '`' || c == ' ' || c == '\t';
}

static int is_separator(char c)
{
	return c == '=' || c == ':' || c == ',' || c == '>';
}

int scan_extract_assigned(const char *text, size_t len, struct scan_span *span)
{
	const char *s = text + span->off;
	size_t b = 0, e = span->len;

	if (span->off > len || span->len > len - span->off)
		return -EINVAL;
	/*
	 * The first separator ends the key: values (base64 padding, URLs) hold
	 * '=' and ':' far more often than keys do.
	 */
	while (b < e && !is_separator(s[b]))
		b++;
	if (b == e)
		return -ENOENT;
	while (b < e && (is_separator(s[b]) || is_quote_or_space(s[b])))
		b++;
	while (e > b && (is_quote_or_space(s[e - 1]) || s[e - 1] == ';' || s[e - 1] == ')'))
		e--;
	if (b == e)
		return -ENOENT;
	span->off += b;
	span->len = e - b;
	return 0;
}

int scan_edm_hash(const uint8_t *salt, size_t salt_len, const char *value, size_t len,
		  uint8_t out[SCAN_EDM_HASH_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int olen = 0;
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     (!salt_len || EVP_DigestUpdate(ctx, salt, salt_len)) &&
	     EVP_DigestUpdate(ctx, value, len) &&
	     EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx);
	return ok && olen == SCAN_EDM_HASH_LEN ? 0 : -EIO;
}
