/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A tenant's "content" object: what the content scanner does with what it
 * finds (actions per type, category or "*"), the confidence below which a
 * finding is ignored, the tenant's own detectors (dictionary, pattern,
 * exact data), the hosts a response may point images at, and what to do
 * with parts that cannot be scanned.  README.md, section "Content", is the
 * reference; the defaults below are the product's promises.
 *
 * Patterns are compiled with Hyperscan here, so that a policy the scanner
 * could not build is refused when it is checked, with Hyperscan's reason
 * at the pattern's line and column, not when the first request arrives.
 */
#include <errno.h>
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "email_content.h"
#include "exfil.h"
#include "injection.h"
#include "internal.h"
#include "rules.h"

static const char *const content_keys[] = { "actions", "minConfidence", "customRules",
					    "exfiltration", "embeddingsTokenArrays",
					    "binaryData", NULL };
static const char *const rule_keys[] = { "name", "type", "words", "regex", "exactData",
					 "action", "context", "caseSensitive", NULL };
static const char *const exact_keys[] = { "salt", "sha256", "pattern", "normalize", NULL };
static const char *const exfil_keys[] = { "allowedHosts", NULL };
static const char *const level_keys[] = { "high", "medium", "low", NULL };

static const char *const action_names[] = {
	[POLICY_ACT_ALLOW] = "allow",       [POLICY_ACT_FLAG] = "flag",
	[POLICY_ACT_MASK] = "mask",         [POLICY_ACT_REDACT] = "redact",
	[POLICY_ACT_TOKENIZE] = "tokenize", [POLICY_ACT_BLOCK] = "block",
};

/* Category names as the scanner reports them (scan_category_name()). */
static const char *const categories[] = { "PII", "SECRET", "EMAIL_CONTENT", "PROMPT_INJECTION",
					  "EXFILTRATION", "CUSTOM", NULL };

/* Finding types that come from analyzers rather than rule tables. */
static const char *const analyzer_types[] = { INJECTION_TYPE, EMAIL_TYPE, EXFIL_TYPE, NULL };

#define A3(a) { a, a, a }

/*
 * The defaults, by exact type first, then by category.  PII is tokenized
 * (reversible, so answers still read naturally); numbers people are used
 * to seeing as "ending in 1234" are masked instead, which no response can
 * undo; URLs are only flagged, since the model needs to read them and the
 * response side checks where links point.
 */
static const struct {
	const char *key;
	__u8 action[3];
} defaults[] = {
	{ "CREDIT_CARD", A3(POLICY_ACT_MASK) },
	{ "IBAN", A3(POLICY_ACT_MASK) },
	{ "US_BANK_NUMBER", A3(POLICY_ACT_MASK) },
	{ "US_SSN", A3(POLICY_ACT_MASK) },
	{ "US_ITIN", A3(POLICY_ACT_MASK) },
	{ "URL", A3(POLICY_ACT_FLAG) },
	{ "PROMPT_INJECTION", { POLICY_ACT_FLAG, POLICY_ACT_FLAG, POLICY_ACT_BLOCK } },
	{ "SECRET", A3(POLICY_ACT_BLOCK) },
	{ "EMAIL_CONTENT", A3(POLICY_ACT_BLOCK) },
	{ "EXFILTRATION", A3(POLICY_ACT_BLOCK) },
	{ "PII", A3(POLICY_ACT_TOKENIZE) },
	{ "CUSTOM", A3(POLICY_ACT_TOKENIZE) },
};

/* Anything else: never sent in clear, never refused by surprise. */
#define DEFAULT_ACTION POLICY_ACT_TOKENIZE

const char *policy_action_name(enum policy_action a)
{
	if ((unsigned)a < sizeof(action_names) / sizeof(action_names[0]))
		return action_names[a];
	return NULL;
}

static int conf_index(int confidence)
{
	if (confidence < POLICY_CONF_LOW)
		return 0;
	if (confidence > POLICY_CONF_HIGH)
		return 2;
	return confidence - 1;
}

static const struct policy_content_action *find_action(const struct policy_content *c,
						       const char *key)
{
	size_t i;

	for (i = 0; key && i < c->n_actions; i++)
		if (!strcmp(c->actions[i].key, key))
			return &c->actions[i];
	return NULL;
}

static int default_action(const char *key, int ci)
{
	size_t i;

	for (i = 0; key && i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i].key, key))
			return defaults[i].action[ci];
	return -1;
}

enum policy_action policy_content_action(const struct policy_content *c, const char *rule,
					 const char *type, const char *category, int confidence)
{
	const struct policy_content_action *a;
	int ci = conf_index(confidence), d;
	size_t i;

	if (c && rule) {
		for (i = 0; i < c->n_rules; i++)
			if (c->rules[i].has_action && !strcmp(c->rules[i].name, rule))
				return (enum policy_action)c->rules[i].action;
	}
	if (c) {
		a = find_action(c, type);
		if (!a)
			a = find_action(c, category);
		if (!a)
			a = find_action(c, "*");
		if (a)
			return (enum policy_action)a->action[ci];
	}
	d = default_action(type, ci);
	if (d < 0)
		d = default_action(category, ci);
	return d < 0 ? DEFAULT_ACTION : (enum policy_action)d;
}

/* --- memory ------------------------------------------------------------------ */

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void rule_free(struct policy_content_rule *r)
{
	free(r->name);
	free(r->type);
	strv_free(r->words, r->n_words);
	free(r->regex);
	strv_free(r->context, r->n_context);
	free(r->salt);
	free(r->sha256);
}

struct policy_content *policy_content_free(struct policy_content *c)
{
	size_t i;

	if (!c)
		return NULL;
	for (i = 0; i < c->n_actions; i++)
		free(c->actions[i].key);
	free(c->actions);
	for (i = 0; i < c->n_rules; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	strv_free(c->allowed_hosts, c->n_allowed_hosts);
	free(c);
	return NULL;
}

struct policy_content *policy_content_new(void)
{
	struct policy_content *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->min_confidence = POLICY_CONTENT_DEFAULT_MIN_CONF;
	c->token_arrays = POLICY_CONTENT_DEFAULT_TOKEN_ARRAYS;
	c->binary = POLICY_CONTENT_DEFAULT_BINARY;
	return c;
}

/* --- small checks --------------------------------------------------------------- */

static int oom(struct policy_ctx *ctx)
{
	return policy_fail_errno(ctx, ENOMEM, "out of memory");
}

/* Run one check with the path pointing at key (or index). */
#define AT_KEY(ctx, key, call)                                  \
	({                                                      \
		int __r;                                        \
		policy_path_key(&(ctx)->path, key);             \
		__r = (call);                                   \
		policy_path_pop(&(ctx)->path);                  \
		__r;                                            \
	})
#define AT_INDEX(ctx, i, call)                                  \
	({                                                      \
		int __r;                                        \
		policy_path_index(&(ctx)->path, i);             \
		__r = (call);                                   \
		policy_path_pop(&(ctx)->path);                  \
		__r;                                            \
	})

static int parse_action(struct policy_ctx *ctx, json_t *v, __u8 *ret)
{
	const char *s = json_string_value(v);
	size_t i;

	if (!s)
		return policy_fail(ctx, "must be an action string (allow, flag, mask, redact, "
					"tokenize, block), not %s",
				   policy_json_type(v));
	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(s, action_names[i])) {
			*ret = (__u8)i;
			return 0;
		}
	}
	return policy_fail(ctx, "unknown action \"%s\": use allow, flag, mask, redact, tokenize "
				"or block",
			   s);
}

static int parse_confidence(struct policy_ctx *ctx, json_t *v, __u8 *ret)
{
	const char *s = json_string_value(v);

	if (s && !strcmp(s, "low"))
		*ret = POLICY_CONF_LOW;
	else if (s && !strcmp(s, "medium"))
		*ret = POLICY_CONF_MEDIUM;
	else if (s && !strcmp(s, "high"))
		*ret = POLICY_CONF_HIGH;
	else
		return policy_fail(ctx, "must be \"low\", \"medium\" or \"high\"");
	return 0;
}

/* Parts that cannot be scanned can only be let through, flagged or refused. */
static int parse_unscannable(struct policy_ctx *ctx, json_t *v, __u8 *ret)
{
	const char *s = json_string_value(v);

	if (!v)
		return 0;
	if (s && !strcmp(s, "allow"))
		*ret = POLICY_ACT_ALLOW;
	else if (s && !strcmp(s, "flag"))
		*ret = POLICY_ACT_FLAG;
	else if (s && !strcmp(s, "block"))
		*ret = POLICY_ACT_BLOCK;
	else
		return policy_fail(ctx, "must be \"allow\", \"flag\" or \"block\": this content "
					"cannot be scanned, so it cannot be rewritten either");
	return 0;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* Custom types: [A-Z][A-Z0-9_]*, short enough to show whole in a placeholder. */
static int type_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > POLICY_CONTENT_MAX_TYPE || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* n hex digits (n even) into n / 2 bytes; 0, or -1 at the first bad digit. */
static int hex_decode(const char *s, size_t n, __u8 *out)
{
	size_t i;

	for (i = 0; i < n; i += 2) {
		int hi = hex_val(s[i]), lo = hex_val(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (__u8)(hi << 4 | lo);
	}
	return 0;
}

static char *dup_string(struct policy_ctx *ctx, json_t *v, int *r)
{
	char *s = strdup(json_string_value(v));

	if (!s)
		*r = oom(ctx);
	return s;
}

/* --- patterns -------------------------------------------------------------------- */

/*
 * What the engine will do with the pattern: Hyperscan's own verdict, and a
 * shortest match long enough that the pattern cannot fire on every byte.
 */
static int check_pattern(struct policy_ctx *ctx, json_t *v, char **ret)
{
	const char *s = json_string_value(v);
	hs_compile_error_t *ce = NULL;
	hs_expr_info_t *info = NULL;
	hs_database_t *db = NULL;
	int r = 0;

	if (!v)
		return policy_fail(ctx, "required key missing");
	if (!s)
		return policy_fail(ctx, "must be a pattern string, not %s", policy_json_type(v));
	if (!s[0])
		return policy_fail(ctx, "empty pattern");
	if (strlen(s) > POLICY_CONTENT_MAX_REGEX)
		return policy_fail(ctx, "pattern of %zu bytes, limit %d", strlen(s),
				   POLICY_CONTENT_MAX_REGEX);
	if (hs_expression_info(s, 0, &info, &ce) != HS_SUCCESS) {
		r = policy_fail(ctx, "Hyperscan rejects the pattern: %s", ce ? ce->message : "?");
		goto out;
	}
	if (info->min_width < POLICY_CONTENT_MIN_WIDTH) {
		r = policy_fail(ctx, "the pattern can match %u bytes; a pattern must match at "
				     "least %d (it would fire on nearly every byte)",
				info->min_width, POLICY_CONTENT_MIN_WIDTH);
		goto out;
	}
	if (hs_compile(s, 0, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
		r = policy_fail(ctx, "Hyperscan rejects the pattern: %s", ce ? ce->message : "?");
		goto out;
	}
	*ret = dup_string(ctx, v, &r);
out:
	if (ce)
		hs_free_compile_error(ce);
	hs_free_database(db);
	free(info);     /* hs_expression_info allocates with the default allocator */
	return r;
}

/* --- custom rules ----------------------------------------------------------------- */

static int build_rule_name(struct policy_ctx *ctx, json_t *v, struct policy_content_rule *r)
{
	const char *s;
	int rc = policy_need_string(ctx, v, &s);

	if (rc < 0)
		return rc;
	if (!policy_name_valid(s) || strlen(s) > POLICY_CONTENT_MAX_RULE_NAME)
		return policy_fail(ctx, "invalid rule name \"%s\": use a-z, 0-9 and '-', start and "
					"end with a letter or digit, at most %d characters",
				   s, POLICY_CONTENT_MAX_RULE_NAME);
	r->name = dup_string(ctx, v, &rc);
	return rc;
}

static int build_rule_type(struct policy_ctx *ctx, json_t *v, struct policy_content_rule *r)
{
	const char *s;
	int rc = policy_need_string(ctx, v, &s);

	if (rc < 0)
		return rc;
	if (!strcmp(s, "TOKEN_IDS") || !strcmp(s, "BINARY_DATA"))
		return policy_fail(ctx, "\"%s\" is reserved for content that cannot be scanned", s);
	if (!type_valid(s))
		return policy_fail(ctx, "invalid type \"%s\": use A-Z, 0-9 and '_', starting with a "
					"letter, at most %d characters (it shows in placeholders)",
				   s, POLICY_CONTENT_MAX_TYPE);
	r->type = dup_string(ctx, v, &rc);
	return rc;
}

static int build_words(struct policy_ctx *ctx, json_t *arr, struct policy_content_rule *r,
		       size_t *total)
{
	size_t i, n;
	int rc = 0;

	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array of strings, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n == 0)
		return policy_fail(ctx, "empty: list at least one word");
	if (n > POLICY_CONTENT_MAX_WORDS)
		return policy_fail(ctx, "%zu words, limit %d per rule", n, POLICY_CONTENT_MAX_WORDS);
	if (*total + n > POLICY_CONTENT_MAX_WORDS_TOTAL)
		return policy_fail(ctx, "%zu words in this tenant's rules, limit %d",
				   *total + n, POLICY_CONTENT_MAX_WORDS_TOTAL);
	*total += n;
	r->words = calloc(n + 1, sizeof(*r->words));
	if (!r->words)
		return oom(ctx);
	for (i = 0; i < n && rc == 0; i++) {
		json_t *v = json_array_get(arr, i);
		const char *s = json_string_value(v);

		policy_path_index(&ctx->path, i);
		if (!s)
			rc = policy_fail(ctx, "must be a string, not %s", policy_json_type(v));
		else if (!s[0])
			rc = policy_fail(ctx, "empty word");
		else if (strlen(s) > POLICY_CONTENT_MAX_WORD)
			rc = policy_fail(ctx, "word of %zu bytes, limit %d", strlen(s),
					 POLICY_CONTENT_MAX_WORD);
		else if ((r->words[i] = strdup(s)) == NULL)
			rc = oom(ctx);
		else
			r->n_words = i + 1;
		policy_path_pop(&ctx->path);
	}
	return rc;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s), *c;

	for (c = d; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return d;
}

/* Context words are compared case-insensitively in ASCII; kept in lower case. */
static int build_context(struct policy_ctx *ctx, json_t *arr, struct policy_content_rule *r)
{
	size_t i, k, n;
	int rc = 0;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array of words, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n == 0)
		return policy_fail(ctx, "empty: leave \"context\" out when no word is needed");
	if (n > POLICY_CONTENT_MAX_CONTEXT)
		return policy_fail(ctx, "%zu context words, limit %d", n, POLICY_CONTENT_MAX_CONTEXT);
	r->context = calloc(n + 1, sizeof(*r->context));
	if (!r->context)
		return oom(ctx);
	for (i = 0; i < n && rc == 0; i++) {
		json_t *v = json_array_get(arr, i);
		const char *s = json_string_value(v);
		int ascii = 1;

		for (k = 0; s && s[k]; k++)
			ascii &= (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] < 0x7f;
		policy_path_index(&ctx->path, i);
		if (!s)
			rc = policy_fail(ctx, "must be a string, not %s", policy_json_type(v));
		else if (!s[0] || strlen(s) > POLICY_CONTENT_MAX_CONTEXT_WORD)
			rc = policy_fail(ctx, "a context word has 1 to %d bytes",
					 POLICY_CONTENT_MAX_CONTEXT_WORD);
		else if (!ascii)
			rc = policy_fail(ctx, "context words are printable ASCII (\"%s\" is not)", s);
		else if ((r->context[i] = lower_dup(s)) == NULL)
			rc = oom(ctx);
		else
			r->n_context = i + 1;
		policy_path_pop(&ctx->path);
	}
	return rc;
}

static int build_salt(struct policy_ctx *ctx, json_t *v, struct policy_content_rule *r)
{
	const char *s = json_string_value(v);
	size_t n;

	if (!v)
		return policy_fail(ctx, "required key missing (hex, %d to %d bytes; the values were "
					"hashed as SHA-256(salt || value))",
				   POLICY_CONTENT_SALT_MIN, POLICY_CONTENT_SALT_MAX);
	if (!s)
		return policy_fail(ctx, "must be a hex string, not %s", policy_json_type(v));
	n = strlen(s);
	if (n % 2 || n / 2 < POLICY_CONTENT_SALT_MIN || n / 2 > POLICY_CONTENT_SALT_MAX)
		return policy_fail(ctx, "salt of %zu hex digits: write %d to %d bytes as an even "
					"number of hex digits",
				   n, POLICY_CONTENT_SALT_MIN, POLICY_CONTENT_SALT_MAX);
	r->salt = malloc(n / 2);
	if (!r->salt)
		return oom(ctx);
	if (hex_decode(s, n, r->salt) < 0)
		return policy_fail(ctx, "salt is not hex: use 0-9 and a-f");
	r->salt_len = n / 2;
	return 0;
}

static int build_hashes(struct policy_ctx *ctx, json_t *arr, struct policy_content_rule *r)
{
	size_t i, n;
	int rc = 0;

	if (!arr)
		return policy_fail(ctx, "required key missing (SHA-256 of salt || value, 64 hex "
					"digits each)");
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array of hex strings, not %s",
				   policy_json_type(arr));
	n = json_array_size(arr);
	if (n == 0)
		return policy_fail(ctx, "empty: list at least one hash");
	if (n > POLICY_CONTENT_MAX_HASHES)
		return policy_fail(ctx, "%zu hashes, limit %u per rule", n,
				   POLICY_CONTENT_MAX_HASHES);
	r->sha256 = calloc(n, sizeof(*r->sha256));
	if (!r->sha256)
		return oom(ctx);
	for (i = 0; i < n && rc == 0; i++) {
		json_t *v = json_array_get(arr, i);
		const char *s = json_string_value(v);

		policy_path_index(&ctx->path, i);
		if (!s)
			rc = policy_fail(ctx, "must be a hex string, not %s", policy_json_type(v));
		else if (strlen(s) != 2 * POLICY_CONTENT_HASH_LEN)
			rc = policy_fail(ctx, "a SHA-256 is %d hex digits, this has %zu",
					 2 * POLICY_CONTENT_HASH_LEN, strlen(s));
		else if (hex_decode(s, strlen(s), r->sha256[i]) < 0)
			rc = policy_fail(ctx, "not hex: use 0-9 and a-f");
		policy_path_pop(&ctx->path);
	}
	if (rc == 0)
		r->n_sha256 = n;
	return rc;
}

static int build_normalize(struct policy_ctx *ctx, json_t *v, struct policy_content_rule *r)
{
	const char *s = json_string_value(v);

	r->normalize = POLICY_EXACT_NONE;
	if (!v)
		return 0;
	if (s && !strcmp(s, "lowercase"))
		r->normalize = POLICY_EXACT_LOWERCASE;
	else if (s && !strcmp(s, "digits"))
		r->normalize = POLICY_EXACT_DIGITS;
	else if (!s || strcmp(s, "none"))
		return policy_fail(ctx, "must be \"none\", \"lowercase\" or \"digits\"");
	return 0;
}

static int build_exact(struct policy_ctx *ctx, json_t *obj, struct policy_content_rule *r)
{
	int rc;

	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object {\"salt\", \"sha256\", \"pattern\"}, not %s",
				   policy_json_type(obj));
	rc = policy_check_keys(ctx, obj, exact_keys);
	if (rc == 0)
		rc = AT_KEY(ctx, "salt", build_salt(ctx, json_object_get(obj, "salt"), r));
	if (rc == 0)
		rc = AT_KEY(ctx, "sha256", build_hashes(ctx, json_object_get(obj, "sha256"), r));
	if (rc == 0)
		rc = AT_KEY(ctx, "pattern",
			    check_pattern(ctx, json_object_get(obj, "pattern"), &r->regex));
	if (rc == 0)
		rc = AT_KEY(ctx, "normalize",
			    build_normalize(ctx, json_object_get(obj, "normalize"), r));
	return rc;
}

/* Exactly one of words, regex, exactData. */
static int build_detector(struct policy_ctx *ctx, json_t *obj, struct policy_content_rule *r,
			  size_t *words_total)
{
	json_t *words = json_object_get(obj, "words"), *regex = json_object_get(obj, "regex");
	json_t *exact = json_object_get(obj, "exactData"), *cs;
	int given = !!words + !!regex + !!exact;

	if (given == 0)
		return policy_fail(ctx, "a rule needs one of \"words\", \"regex\" or \"exactData\"");
	if (given > 1) {
		policy_path_key(&ctx->path, regex && words ? "regex" : "exactData");
		given = policy_fail_key(ctx, "a rule has one of \"words\", \"regex\" or "
					     "\"exactData\", not several: split it into two rules");
		policy_path_pop(&ctx->path);
		return given;
	}
	cs = json_object_get(obj, "caseSensitive");
	if (cs && !words)
		return AT_KEY(ctx, "caseSensitive",
			      policy_fail_key(ctx, "only for \"words\" (write (?i) in a pattern)"));
	if (cs && !json_is_boolean(cs))
		return AT_KEY(ctx, "caseSensitive",
			      policy_fail(ctx, "must be true or false, not %s", policy_json_type(cs)));
	r->case_sensitive = json_is_true(cs);
	if (words) {
		r->kind = POLICY_RULE_WORDS;
		return AT_KEY(ctx, "words", build_words(ctx, words, r, words_total));
	}
	if (regex) {
		r->kind = POLICY_RULE_REGEX;
		return AT_KEY(ctx, "regex", check_pattern(ctx, regex, &r->regex));
	}
	r->kind = POLICY_RULE_EXACT;
	return AT_KEY(ctx, "exactData", build_exact(ctx, exact, r));
}

static int build_rule(struct policy_ctx *ctx, json_t *obj, struct policy_content_rule *r,
		      size_t *words_total)
{
	json_t *v;
	int rc;

	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object, not %s", policy_json_type(obj));
	rc = policy_check_keys(ctx, obj, rule_keys);
	if (rc == 0)
		rc = AT_KEY(ctx, "name", build_rule_name(ctx, json_object_get(obj, "name"), r));
	if (rc == 0)
		rc = AT_KEY(ctx, "type", build_rule_type(ctx, json_object_get(obj, "type"), r));
	if (rc == 0)
		rc = build_detector(ctx, obj, r, words_total);
	if (rc == 0)
		rc = AT_KEY(ctx, "context", build_context(ctx, json_object_get(obj, "context"), r));
	v = json_object_get(obj, "action");
	if (rc == 0 && v) {
		rc = AT_KEY(ctx, "action", parse_action(ctx, v, &r->action));
		r->has_action = rc == 0;
	}
	return rc;
}

static int build_rules(struct policy_ctx *ctx, json_t *arr, struct policy_content *c)
{
	size_t i, j, n, words_total = 0;
	int rc = 0;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n > POLICY_CONTENT_MAX_RULES)
		return policy_fail(ctx, "%zu custom rules, limit %d per tenant", n,
				   POLICY_CONTENT_MAX_RULES);
	if (n == 0)
		return 0;
	c->rules = calloc(n, sizeof(*c->rules));
	if (!c->rules)
		return oom(ctx);
	for (i = 0; i < n && rc == 0; i++) {
		c->n_rules = i + 1;
		rc = AT_INDEX(ctx, i, build_rule(ctx, json_array_get(arr, i), &c->rules[i],
						 &words_total));
		for (j = 0; rc == 0 && j < i; j++) {
			if (strcmp(c->rules[j].name, c->rules[i].name))
				continue;
			policy_path_index(&ctx->path, i);
			policy_path_key(&ctx->path, "name");
			rc = policy_fail(ctx, "duplicate rule name \"%s\" in this tenant (first at "
					      "customRules[%zu])",
					 c->rules[i].name, j);
			policy_path_pop(&ctx->path);
			policy_path_pop(&ctx->path);
		}
	}
	return rc;
}

/* --- actions -------------------------------------------------------------------- */

/* Types of the built-in rule tables, from the scanner itself. */
static int builtin_type(const char *key)
{
	struct scan_ruleset *rs = NULL;
	size_t i;
	int hit = 0;

	if (scan_ruleset_new(&rs) < 0)
		return -ENOMEM;
	if (scan_rules_builtin(rs) == 0) {
		for (i = 0; !hit && i < scan_ruleset_count(rs); i++)
			hit = !strcmp(scan_ruleset_rule(rs, i)->type, key);
	}
	scan_ruleset_free(rs);
	return hit;
}

static int custom_type(const struct policy_content *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++)
		if (!strcmp(c->rules[i].type, key))
			return 1;
	return 0;
}

static int check_action_key(struct policy_ctx *ctx, const struct policy_content *c,
			    const char *key)
{
	char upper[POLICY_CONTENT_MAX_TYPE + 8];
	size_t i;
	int known;

	if (!strcmp(key, "*") || in_list(key, categories) || in_list(key, analyzer_types) ||
	    custom_type(c, key))
		return 0;
	if (!strcmp(key, "TOKEN_IDS") || !strcmp(key, "BINARY_DATA"))
		return policy_fail_key(ctx, "\"%s\" is set by \"%s\", not by \"actions\"", key,
				       !strcmp(key, "TOKEN_IDS") ? "embeddingsTokenArrays"
								 : "binaryData");
	known = builtin_type(key);
	if (known < 0)
		return oom(ctx);
	if (known)
		return 0;
	for (i = 0; key[i] && i + 1 < sizeof(upper); i++)
		upper[i] = (key[i] >= 'a' && key[i] <= 'z') ? (char)(key[i] - 'a' + 'A') : key[i];
	upper[i] = '\0';
	if (strcmp(upper, key) && (in_list(upper, categories) || in_list(upper, analyzer_types) ||
				   custom_type(c, upper) || builtin_type(upper) > 0))
		return policy_fail_key(ctx, "unknown type \"%s\", did you mean \"%s\"? (types are "
					    "upper case)",
				       key, upper);
	return policy_fail_key(ctx, "unknown type \"%s\": not a detector type, a category (PII, "
				    "SECRET, EMAIL_CONTENT, PROMPT_INJECTION, EXFILTRATION, CUSTOM), "
				    "a custom rule's type or \"*\"",
			       key);
}

/* "block", or {"high": "block", "medium": "flag"}: a missing level takes the next higher one's. */
static int build_levels(struct policy_ctx *ctx, json_t *v, struct policy_content_action *a)
{
	static const char *const level[3] = { "low", "medium", "high" };
	int i, rc;

	if (json_is_string(v)) {
		rc = parse_action(ctx, v, &a->action[0]);
		a->action[1] = a->action[2] = a->action[0];
		return rc;
	}
	if (!json_is_object(v))
		return policy_fail(ctx, "must be an action string or {\"high\": ..., \"medium\": "
					"..., \"low\": ...}, not %s",
				   policy_json_type(v));
	rc = policy_check_keys(ctx, v, level_keys);
	if (rc < 0)
		return rc;
	if (!json_object_get(v, "high"))
		return AT_KEY(ctx, "high", policy_fail(ctx, "required key missing (lower levels "
							    "default to the next higher one)"));
	for (i = 2; i >= 0; i--) {
		json_t *l = json_object_get(v, level[i]);

		if (!l) {
			a->action[i] = a->action[i + 1];
			continue;
		}
		rc = AT_KEY(ctx, level[i], parse_action(ctx, l, &a->action[i]));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int build_actions(struct policy_ctx *ctx, json_t *obj, struct policy_content *c)
{
	const char *key;
	json_t *v;
	size_t n;
	int rc = 0;

	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object {\"TYPE\": \"action\"}, not %s",
				   policy_json_type(obj));
	n = json_object_size(obj);
	if (n > POLICY_CONTENT_MAX_ACTIONS)
		return policy_fail(ctx, "%zu keys, limit %d", n, POLICY_CONTENT_MAX_ACTIONS);
	if (n == 0)
		return 0;
	c->actions = calloc(n, sizeof(*c->actions));
	if (!c->actions)
		return oom(ctx);
	json_object_foreach(obj, key, v) {
		struct policy_content_action *a;

		if (!strncmp(key, "x-", 2))
			continue;
		policy_path_key(&ctx->path, key);
		rc = check_action_key(ctx, c, key);
		if (rc == 0) {
			a = &c->actions[c->n_actions];
			a->key = strdup(key);
			if (!a->key)
				rc = oom(ctx);
			else
				c->n_actions++;
		}
		if (rc == 0)
			rc = build_levels(ctx, v, &c->actions[c->n_actions - 1]);
		policy_path_pop(&ctx->path);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --- exfiltration -------------------------------------------------------------- */

/* A host name (or an IP address) only: no scheme, port, path or wildcard inside. */
static int host_check(struct policy_ctx *ctx, const char *s, const char **ret_suffix)
{
	size_t i, label = 0, n;

	if (!strncmp(s, "*.", 2))
		s += 2;
	n = strlen(s);
	if (strstr(s, "://") || strchr(s, '/') || strchr(s, ':') || strchr(s, '*'))
		return policy_fail(ctx, "write a host name such as \"contoso.com\" or "
					"\"*.contoso.com\", without scheme, port, path or other "
					"wildcards");
	if (n == 0 || n > POLICY_CONTENT_MAX_HOST)
		return policy_fail(ctx, "a host name has 1 to %d characters", POLICY_CONTENT_MAX_HOST);
	for (i = 0; i <= n; i++) {
		char ch = s[i];

		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return policy_fail(ctx, "\"%s\" is not a host name: labels have 1 to 63 "
							"characters and do not start or end with '-'",
						   s);
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '-'))
			return policy_fail(ctx, "\"%s\" is not a host name: use letters, digits, '-' "
						"and '.' (write IDNs in their xn-- form)",
					   s);
		label++;
	}
	*ret_suffix = s;
	return 0;
}

static int build_hosts(struct policy_ctx *ctx, json_t *arr, struct policy_content *c)
{
	size_t i, n;
	int rc = 0;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array of host names, not %s",
				   policy_json_type(arr));
	n = json_array_size(arr);
	if (n > POLICY_CONTENT_MAX_HOSTS)
		return policy_fail(ctx, "%zu hosts, limit %d", n, POLICY_CONTENT_MAX_HOSTS);
	c->allowed_hosts = calloc(n + 1, sizeof(*c->allowed_hosts));
	if (!c->allowed_hosts)
		return oom(ctx);
	for (i = 0; i < n && rc == 0; i++) {
		json_t *v = json_array_get(arr, i);
		const char *suffix = NULL;

		policy_path_index(&ctx->path, i);
		if (!json_is_string(v))
			rc = policy_fail(ctx, "must be a host name string, not %s", policy_json_type(v));
		else
			rc = host_check(ctx, json_string_value(v), &suffix);
		if (rc == 0 && !(c->allowed_hosts[i] = strdup(suffix)))
			rc = oom(ctx);
		if (rc == 0)
			c->n_allowed_hosts = i + 1;
		policy_path_pop(&ctx->path);
	}
	return rc;
}

static int build_exfil(struct policy_ctx *ctx, json_t *obj, struct policy_content *c)
{
	int rc;

	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object {\"allowedHosts\": [...]}, not %s",
				   policy_json_type(obj));
	rc = policy_check_keys(ctx, obj, exfil_keys);
	if (rc < 0)
		return rc;
	return AT_KEY(ctx, "allowedHosts", build_hosts(ctx, json_object_get(obj, "allowedHosts"), c));
}

/* --- the section ------------------------------------------------------------------ */

static int build(struct policy_ctx *ctx, json_t *obj, struct policy_content *c)
{
	json_t *v;
	int rc;

	rc = policy_check_keys(ctx, obj, content_keys);
	if (rc == 0)
		rc = AT_KEY(ctx, "customRules", build_rules(ctx, json_object_get(obj, "customRules"), c));
	if (rc == 0)
		rc = AT_KEY(ctx, "actions", build_actions(ctx, json_object_get(obj, "actions"), c));
	v = json_object_get(obj, "minConfidence");
	if (rc == 0 && v)
		rc = AT_KEY(ctx, "minConfidence", parse_confidence(ctx, v, &c->min_confidence));
	if (rc == 0)
		rc = AT_KEY(ctx, "exfiltration", build_exfil(ctx, json_object_get(obj, "exfiltration"), c));
	if (rc == 0)
		rc = AT_KEY(ctx, "embeddingsTokenArrays",
			    parse_unscannable(ctx, json_object_get(obj, "embeddingsTokenArrays"),
					      &c->token_arrays));
	if (rc == 0)
		rc = AT_KEY(ctx, "binaryData",
			    parse_unscannable(ctx, json_object_get(obj, "binaryData"), &c->binary));
	return rc;
}

int policy_build_content(struct policy_ctx *ctx, json_t *obj, struct policy_tenant *t)
{
	struct policy_content *c;
	int rc;

	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object, not %s", policy_json_type(obj));
	c = policy_content_new();
	if (!c)
		return oom(ctx);
	rc = build(ctx, obj, c);
	if (rc < 0) {
		policy_content_free(c);
		return rc;
	}
	t->content = c;
	return 0;
}
