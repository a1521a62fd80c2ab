// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Secret detectors: shared extractors and placeholder checks, and the one
 * registration entry point (SCAN_RULE_TABLES: X(secret)) that adds every
 * family table.  The tables themselves live in rules_secret_<family>.c.
 */
#include <ctype.h>
#include <string.h>

#include "rules_secret.h"
#include "validate.h"

static int is_key_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-' || c == ' ' || c == '\t';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* gitleaks' terminator: [`'"\s;], a "\n" or "\r" escape, or the end. */
static int kv_end_ok(const char *text, size_t len, size_t e)
{
	unsigned char c;

	if (e >= len)
		return 1;
	c = (unsigned char)text[e];
	if (is_space(c) || c == '`' || c == '\'' || c == '"' || c == ';')
		return 1;
	return c == '\\' && e + 1 < len && (text[e + 1] == 'n' || text[e + 1] == 'r');
}

/* Tokens in prose and code also end at punctuation. */
static int token_end_ok(const char *text, size_t len, size_t e)
{
	unsigned char c;

	if (e >= len)
		return 1;
	c = (unsigned char)text[e];
	return !(isalnum(c) || c == '_' || c == '-' || c == '+' || c == '/' || c == '=');
}

static int is_token_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '+' || c == '/' || c == '=';
}

/* Drop a SECRET_END terminator the pattern matched; or check the next byte. */
static int strip_kv_end(const char *text, size_t len, size_t b, size_t *e)
{
	unsigned char c = *e > b ? (unsigned char)text[*e - 1] : 0;

	if (*e > b && (is_space(c) || c == '`' || c == '\'' || c == '"' || c == ';')) {
		(*e)--;
		return 0;
	}
	if (*e >= b + 2 && text[*e - 2] == '\\' && (c == 'n' || c == 'r')) {
		*e -= 2;
		return 0;
	}
	return kv_end_ok(text, len, *e) ? 0 : -1;
}

int secret_extract_kv(const char *text, size_t len, struct scan_span *span)
{
	size_t i = span->off, e = span->off + span->len;

	if (span->off > len || span->len > len - span->off)
		return -1;
	if (strip_kv_end(text, len, span->off, &e))
		return -1;
	while (i < e && is_key_char((unsigned char)text[i]))
		i++;
	while (i < e && (is_space((unsigned char)text[i]) || text[i] == '\'' || text[i] == '"'))
		i++;
	while (i < e && strchr("=>:|?,", text[i]))
		i++;
	while (i < e && (is_space((unsigned char)text[i]) || strchr("`'\"=", text[i])))
		i++;
	if (i >= e)
		return -1;
	span->len = e - i;
	span->off = i;
	return 0;
}

int secret_extract_token(const char *text, size_t len, struct scan_span *span)
{
	size_t e = span->off + span->len;

	if (span->off > len || span->len > len - span->off)
		return -1;
	if (strip_kv_end(text, len, span->off, &e) || e == span->off)
		return -1;
	span->len = e - span->off;
	return 0;
}

int secret_extract_loose(const char *text, size_t len, struct scan_span *span)
{
	size_t e = span->off + span->len;

	if (span->off > len || span->len > len - span->off)
		return -1;
	if (e > span->off && !is_token_char((unsigned char)text[e - 1]))
		e--;    /* the SECRET_END_LOOSE byte */
	else if (!token_end_ok(text, len, e))
		return -1;
	if (e == span->off)
		return -1;
	span->len = e - span->off;
	return 0;
}

int secret_extract_nopath(const char *text, size_t len, struct scan_span *span)
{
	if (span->off && span->off <= len && strchr("./\\", text[span->off - 1]))
		return -1;
	return secret_extract_loose(text, len, span);
}

int secret_extract_alnum(const char *text, size_t len, struct scan_span *span)
{
	if (span->off > len || span->len > len - span->off || !span->len)
		return -1;
	if (!isalnum((unsigned char)text[span->off + span->len - 1]))
		span->len--;
	return span->len ? 0 : -1;
}

static int all_same(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (s[i] != s[0])
			return 0;
	return 1;
}

/* A run of >= 5 of one masking character ("xxxxx", "*****", "#####"). */
static int has_mask_run(const char *s, size_t len)
{
	size_t i, run = 1;

	for (i = 1; i < len; i++) {
		run = s[i] == s[i - 1] ? run + 1 : 1;
		if (run >= 5 && strchr("xX*#.", s[i]))
			return 1;
	}
	return 0;
}

static int wrapped(const char *s, size_t len, const char *open, char close)
{
	size_t n = strlen(open);

	return len > n && !strncmp(s, open, n) && s[len - 1] == close;
}

/* $VAR, $var_name: an environment or shell variable, not its value. */
static int is_var_ref(const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != '$')
		return 0;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int secret_is_placeholder(const char *s, size_t len)
{
	if (!len || all_same(s, len) || has_mask_run(s, len))
		return 1;
	if (wrapped(s, len, "${", '}') || wrapped(s, len, "$(", ')') || wrapped(s, len, "<", '>') ||
	    wrapped(s, len, "%", '%') || wrapped(s, len, "[", ']') || is_var_ref(s, len))
		return 1;
	/* {{ var }} and ${{ secrets.X }}, but not a random value that happens to hold braces */
	if (wrapped(s, len, "{{", '}') && len > 4 && s[len - 2] == '}' && !memchr(s + 2, '{', len - 4))
		return 1;
	return scan_ci_contains(s, len, "your_") || scan_ci_contains(s, len, "your-") ||
	       scan_ci_contains(s, len, "yourtoken") || scan_ci_contains(s, len, "yourkey") ||
	       scan_ci_contains(s, len, "placeholder") || scan_ci_contains(s, len, "redacted") ||
	       scan_ci_contains(s, len, "_here") || scan_ci_contains(s, len, "-here") ||
	       scan_ci_contains(s, len, "changeme") || scan_ci_contains(s, len, "change_me");
}

int secret_valid_token(const char *s, size_t len)
{
	return !secret_is_placeholder(s, len);
}

int rules_secret_register(struct scan_ruleset *rs)
{
	static int (*const fam[])(struct scan_ruleset *) = {
		rules_secret_cloud_register,
		rules_secret_ai_register,
		rules_secret_vcs_register,
		rules_secret_chat_register,
		rules_secret_payment_register,
		rules_secret_saas_register,
		rules_secret_generic_register,
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		err = fam[i](rs);
		if (err)
			return err;
	}
	return 0;
}
