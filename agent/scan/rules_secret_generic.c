// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Format-wide secrets: JWTs, PEM private keys, credentials in URLs and
 * connection strings, HTTP Authorization headers, and the keyword
 * assignments (`password = "..."`, `api_key: ...`) that gitleaks'
 * generic-api-key and detect-secrets' KeywordDetector look for.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <hs.h>

#include "rules_secret.h"
#include "validate.h"

static int ci_eq(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && !strncasecmp(s, w, len);
}

/* s[0..len) starts with w; s need not be NUL-terminated (it is a span of the text). */
static int starts(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && !strncmp(s, w, n);
}

static int ci_starts(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && !strncasecmp(s, w, n);
}

/* --- JWT ----------------------------------------------------------------- */

/* The header segment decodes to a JSON object naming an "alg". */
static int valid_jwt(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);
	char hdr[256];
	size_t n;

	if (!dot)
		return 0;
	n = scan_b64_decode(s, (size_t)(dot - s), hdr, sizeof(hdr));
	return n > 6 && hdr[0] == '{' && memmem(hdr, n, "\"alg\"", 5) != NULL;
}

/* --- PEM private keys ---------------------------------------------------- */

/*
 * The pattern finds the BEGIN line only; the value is the whole block, to
 * the matching END line, which must be at least 64 bytes further on
 * (gitleaks: a key whose body is "anything" is not a key).
 */
#define PEM_MAX (64 * 1024)    /* bytes from BEGIN to END */

static int extract_pem(const char *text, size_t len, struct scan_span *span)
{
	size_t body = span->off + span->len, i;
	const char *end;

	if (body > len)
		return -1;
	/*
	 * The block ends at the next "-----", which must be an END line: a
	 * BEGIN without one stops at the next BEGIN, so many of them stay
	 * linear.  Keys are a few KiB; PEM_MAX bounds the look.
	 */
	end = memmem(text + body, len - body < PEM_MAX ? len - body : PEM_MAX, "-----", 5);
	if (!end || (size_t)(len - (size_t)(end - text)) < 8 || memcmp(end, "-----END", 8) ||
	    (size_t)(end - text) < body + 64)
		return -1;
	i = (size_t)(end - text) + 8;
	while (i < len && i < (size_t)(end - text) + 120 && text[i] != '\n') {
		if (i + 5 <= len && !memcmp(text + i, "-----", 5)) {
			span->len = i + 5 - span->off;
			return 0;
		}
		i++;
	}
	return -1;
}

/* --- credentials in URLs -------------------------------------------------- */

static const char *const placeholder_words[] = {
	"password", "passwd", "pass", "pwd", "secret", "token", "changeme", "change_me",
	"changeit", "default", "example", "sample", "test", "testing", "dummy", "fake", "foo",
	"bar", "baz", "foobar", "xxx", "yyy", "zzz", "abc", "abc123", "123", "1234", "12345",
	"123456", "12345678", "qwerty", "letmein", "admin", "root", "user", "username", "guest",
	"null", "none", "nil", "true", "false", "undefined", "empty", "todo", "tbd", "mypassword",
	"yourpassword", "your_password", "your-password", "mysecret", "secret123", "password123",
	"apikey", "api_key", "key", "value", "string", "str", "text", "hidden", "redacted",
	"masked", "placeholder", "env", "notasecret", "insert", "enter", "s3cr3t", "p@ssw0rd",
	"pa55word", "passw0rd", "hunter2", NULL
};

static int is_placeholder_word(const char *s, size_t len)
{
	const char *const *w;

	for (w = placeholder_words; *w; w++)
		if (ci_eq(s, len, *w))
			return 1;
	return 0;
}

static int is_scheme(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '.' || c == '-';
}

/*
 * basic-auth-url's start, the leftmost scheme before its "://": the
 * userinfo holds no '/', so the last '/' before the end is the second one
 * of "://"; then the first letter with 1-20 scheme bytes after it.
 */
static size_t url_scheme_start(const char *t, size_t end)
{
	const char *sl = memrchr(t, '/', end);
	size_t c, r;

	if (!sl || sl - t < 3)
		return end;
	c = (size_t)(sl - t) - 2;
	for (r = c; r > 0 && c - r < 21 && is_scheme(t[r - 1]); r--)
		;
	while (r + 2 <= c && !isalpha((unsigned char)t[r]))
		r++;
	return r + 2 <= c ? r : end;
}

/* Password part of user:password in URL userinfo: not a template or placeholder. */
static int extract_url_password(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off, e = span->off + span->len, u, c;

	(void)len;
	while (b + 2 < e && !(text[b] == '/' && text[b + 1] == '/'))
		b++;
	u = b + 2;
	if (u >= e || text[e - 1] != '@')
		return -1;
	for (c = u; c < e - 1 && text[c] != ':'; c++)
		;
	if (c + 1 >= e - 1)
		return -1;
	/* "user:password@", "username:password@": a documentation template */
	if (is_placeholder_word(text + u, c - u) && is_placeholder_word(text + c + 1, e - 2 - c))
		return -1;
	span->off = c + 1;
	span->len = e - 1 - span->off;
	return 0;
}

static int valid_password_value(const char *s, size_t len)
{
	if (secret_is_placeholder(s, len) || is_placeholder_word(s, len))
		return 0;
	/* %40-encoded templates, ${..} inside, $VAR */
	return s[0] != '$' && s[0] != '%';
}

/* JDBC: only URLs that carry credentials. */
static int valid_jdbc(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len), *slash = memmem(s, len, "//", 2);

	if (scan_ci_contains(s, len, "password=") || scan_ci_contains(s, len, "pwd="))
		return 1;
	/* jdbc:driver://user:pass@host */
	if (slash && at && at > slash && memchr(slash, ':', (size_t)(at - slash)))
		return 1;
	return 0;
}

/* The pattern is "jdbc:<driver>:"; the URL runs to a blank, quote or '<'/'>'. */
static int extract_jdbc(const char *text, size_t len, struct scan_span *span)
{
	size_t e = span->off + span->len;

	while (e < len && e - span->off < 1024 && !isspace((unsigned char)text[e]) &&
	       !strchr("'\"<>", text[e]))
		e++;
	if (e - span->off - span->len < 4)
		return -1;
	span->len = e - span->off;
	return 0;
}

/* ODBC/ADO.NET: "Password=<value>", with a connection-string keyword near. */
/*
 * The pattern is "Password=" (or "Pwd="); the value is parsed here: {braced},
 * 'quoted', "quoted", or up to the next ';' or blank.
 */
static int extract_odbc_password(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off + span->len, e;
	char close;

	while (b < len && (text[b] == ' ' || text[b] == '\t'))
		b++;
	if (b >= len)
		return -1;
	close = text[b] == '{' ? '}' : text[b] == '\'' || text[b] == '"' ? text[b] : 0;
	if (close) {
		for (e = ++b; e < len && e - b <= 128 && text[e] != close && text[e] != '\n'; e++)
			;
		if (e >= len || text[e] != close)
			return -1;
	} else {
		for (e = b; e < len && e - b <= 128 && text[e] != ';' && !isspace((unsigned char)text[e]) &&
			    text[e] != '\'' && text[e] != '"'; e++)
			;
	}
	if (e - b < 3)
		return -1;
	span->off = b;
	span->len = e - b;
	return 0;
}

static const char *const odbc_ctx[] = {
	"server=", "data source=", "uid=", "user id=", "userid=", "initial catalog=",
	"database=", "driver=", "dsn=", "host=", "provider=", NULL
};

/* --- HTTP authorization headers and curl ---------------------------------- */

/*
 * The pattern stops at the header's ':'; the value is parsed here: an
 * optional scheme word, then a run of token characters, 8 or more.
 */
static int is_auth_char(unsigned char c)
{
	return isalnum(c) || strchr("=~@.+/_-", c);
}

static int extract_auth_header(const char *text, size_t len, struct scan_span *span)
{
	static const char *const schemes[] = { "basic", "bearer", "token", "api-token", "apikey", NULL };
	const char *const *w;
	size_t b = span->off + span->len, e;

	while (b < len && (text[b] == ' ' || text[b] == '\t'))
		b++;
	for (w = schemes; *w; w++) {
		size_t n = strlen(*w);

		if (b + n < len && !strncasecmp(text + b, *w, n) &&
		    (text[b + n] == ' ' || text[b + n] == '\t')) {
			b += n;
			while (b < len && (text[b] == ' ' || text[b] == '\t'))
				b++;
			break;
		}
	}
	for (e = b; e < len && e - b < 4096 && is_auth_char((unsigned char)text[e]); e++)
		;
	if (e - b < 8 || (e < len && is_auth_char((unsigned char)text[e])))
		return -1;
	span->off = b;
	span->len = e - b;
	return 0;
}

static int valid_auth_value(const char *s, size_t len)
{
	if (len < 8 || secret_is_placeholder(s, len) || is_placeholder_word(s, len))
		return 0;
	if (s[0] == '$' || memchr(s, '(', len) || starts(s, len, "this.") || starts(s, len, "self."))
		return 0;
	return scan_entropy(s, len) > 2.75;
}

/* curl -u user:pass: keep the quotes as gitleaks does; judge the inside. */
/* The pattern is "-u " or "--user "; the value ("quoted" or a bare word) is parsed here. */
static int extract_curl_user(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off + span->len, e;

	while (b < len && (text[b] == ' ' || text[b] == '\t'))
		b++;
	if (b >= len)
		return -1;
	if (text[b] == '"' || text[b] == '\'') {
		for (e = b + 1; e < len && e - b <= 100 && text[e] != text[b] && text[e] != '\n'; e++)
			;
		if (e >= len || text[e] != text[b])
			return -1;
		e++;    /* gitleaks keeps the quotes in the value */
	} else {
		for (e = b; e < len && e - b <= 100 && !isspace((unsigned char)text[e]) &&
			    text[e] != '"' && text[e] != '\''; e++)
			;
		if (e < len && !isspace((unsigned char)text[e]) && text[e] != '\\')
			return -1;
	}
	if (e - b < 3)
		return -1;
	span->off = b;
	span->len = e - b;
	return 0;
}

static int valid_curl_user(const char *s, size_t len)
{
	const char *colon;
	size_t ul, pl;

	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
		s++;
		len -= 2;
	}
	colon = memchr(s, ':', len);
	if (!colon || s[0] == '$' || colon[1] == '$' || scan_ci_contains(s, len, "${") ||
	    scan_ci_contains(s, len, "$(") || memchr(s, '<', len) || memchr(s, '{', len) ||
	    memchr(s, '[', len))
		return 0;
	ul = (size_t)(colon - s);
	pl = len - ul - 1;
	if (!pl)        /* a token used as the user name, empty password */
		return ul >= 10 && scan_entropy(s, ul) > 3.3;
	if (is_placeholder_word(colon + 1, pl) || secret_is_placeholder(colon + 1, pl))
		return 0;
	if (ul == pl && !memcmp(s, colon + 1, pl))
		return 0;
	return scan_entropy(s, len) > 2.9;
}

static const char *const curl_ctx[] = { "curl", NULL };

/* --- keyword assignments --------------------------------------------------- */

/*
 * Key names that hold a key-like word but name something else (gitleaks'
 * generic-api-key match allowlist), compared with '_', '.', '-' removed.
 */
static const char *const generic_key_allow[] = {
	"accessor", "accessib", "accessid", "randomaccess", "apiid", "apiname", "apiversion",
	"rapid", "capital", "author", "credentialsid", "credentialid", "withcredentials",
	"bucketkey", "foreignkey", "hotkey", "idxkey", "naturalkey", "primarykey", "publickey",
	"pubkey", "schemakey", "sequencekey", "keyalias", "keyboard", "keycode", "keyframe",
	"keylength", "keymesh", "keyname", "keypair", "keypress", "keyring", "keyselector",
	"keysignature", "keysize", "keystone", "keystore", "keytab", "keyword", "keyup",
	"keydown", "keyleft", "keyright", "keyvault", "keyid", "issuerkeyhash", "monkey",
	"keying", "secretlength", "secretname", "secretsize", "secretsid", "csrf",
	"jsonwebtoken", "apiurl", "apiuri", "apiendpoint", "tokenurl", "tokenuri",
	"tokenendpoint", "credentialsurl", "credentialsuri", "publictoken", "keyfile",
	"tokenfile", "turkey", "authsource", "authentication", "authority", "authorize",
	"authmethod", "authtype", "authmode", "authprovider", "tokentype", "tokenizer",
	"keyspace", "keyset", "keyframes", "passwordpolicy", "passwordlength", "tokenname",
	"secretref", "secretkeyref", "keyref", "apikeyheader", "apikeyname", NULL
};

static int key_allowed(const char *k, size_t n)
{
	char buf[96];
	size_t i, m = 0;
	const char *const *w;

	for (i = 0; i < n && m + 1 < sizeof(buf); i++)
		if (k[i] != '_' && k[i] != '.' && k[i] != '-' && k[i] != ' ' && k[i] != '\t')
			buf[m++] = (char)tolower((unsigned char)k[i]);
	buf[m] = 0;
	for (w = generic_key_allow; *w; w++)
		if (strstr(buf, *w))
			return 1;
	return 0;
}

/* A run of >= 6 consecutive ascending characters: "abcdef", "012345". */
static int has_ascending_run(const char *s, size_t len)
{
	size_t i, run = 1;

	for (i = 1; i < len; i++) {
		run = (unsigned char)s[i] == (unsigned char)s[i - 1] + 1 ? run + 1 : 1;
		if (run >= 6)
			return 1;
	}
	return 0;
}

/* Looks like a host or dotted name: labels of letters/digits/'-', last one alphabetic. */
static int is_dotted_name(const char *s, size_t len)
{
	size_t i, dots = 0, last = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			dots++;
			last = i + 1;
		} else if (!isalnum((unsigned char)s[i]) && s[i] != '-') {
			return 0;
		}
	}
	if (!dots || last >= len)
		return 0;
	for (i = last; i < len; i++)
		if (!isalpha((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Only letters and _.-: a word or identifier (gitleaks: ^[a-zA-Z_.-]+$). */
static int only_letters(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalpha((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

static int ends_with_ci(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && !strncasecmp(s + len - n, w, n);
}

/* "1.2.3": a version, not a secret (base64 and hex have no '.') */
static int has_version(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 5 <= len; i++)
		if (isdigit((unsigned char)s[i]) && s[i + 1] == '.' && isdigit((unsigned char)s[i + 2]) &&
		    (s[i + 3] == '.' || (isdigit((unsigned char)s[i + 3]) && i + 5 < len && s[i + 4] == '.')))
			return 1;
	return 0;
}

static int extract_generic(const char *text, size_t len, struct scan_span *span)
{
	size_t key_off = span->off, key_end, i;

	if (secret_extract_kv(text, len, span) < 0)
		return -1;
	/* the whole key name, as gitleaks' [\w.-]{0,50}? prefix sees it */
	while (key_off > 0 && span->off - key_off < 70 &&
	       (isalnum((unsigned char)text[key_off - 1]) || strchr("_.-", text[key_off - 1])))
		key_off--;
	/* the value starts on the key's line */
	for (i = key_off; i < span->off; i++)
		if (text[i] == '\n')
			return -1;
	for (key_end = key_off; key_end < span->off && (isalnum((unsigned char)text[key_end]) ||
							 strchr("_.-", text[key_end])); key_end++)
		;
	/* key="..." alone is an attribute name, too noisy (detect-secrets) */
	if (key_end - key_off == 3 && !strncasecmp(text + key_off, "key", 3))
		return -1;
	return key_allowed(text + key_off, span->off - key_off) ? -1 : 0;
}

static int valid_generic(const char *s, size_t len)
{
	if (secret_is_placeholder(s, len) || only_letters(s, len) || is_dotted_name(s, len))
		return 0;
	if (has_ascending_run(s, len) || has_version(s, len) || scan_ci_contains(s, len, "example"))
		return 0;
	/* a name that refers to a secret, not the secret */
	if (scan_ci_contains(s, len, "secret") || scan_ci_contains(s, len, "token") ||
	    scan_ci_contains(s, len, "password") || scan_ci_contains(s, len, "passwd") ||
	    ends_with_ci(s, len, "key") || scan_ci_contains(s, len, "api_key"))
		return 0;
	return 1;
}

/*
 * Assignment value (detect-secrets KeywordDetector shapes).  The pattern
 * is the keyword alone; the operator (`password =`, `apikey:=`,
 * `some_dict["secret"] =`) or the quote of `apikey "value";` and the value
 * are parsed here.  Hyperscan anchors a keyword-then-`[ \t]*[=:"']` shape
 * on its last, very common character and runs ten times slower.
 */
#define ASSIGN_VALUE_MAX 256

static int quoted_value(const char *text, size_t len, size_t b, char q, size_t *ret_e)
{
	size_t e;

	for (e = b; e < len && e - b <= ASSIGN_VALUE_MAX && text[e] != q && text[e] != '\n' &&
		    text[e] != '\r'; e++)
		;
	if (e >= len || text[e] != q || e == b)
		return -1;
	*ret_e = e;
	return 0;
}

static int extract_assignment(const char *text, size_t len, struct scan_span *span)
{
	size_t m = span->off + span->len, i = m, b, e;

	if (m > len || !span->len)
		return -1;
	/* a suffix after the keyword ("apikeyforfoo") is allowed before a quote only */
	while (i < len && i - m <= 16 && (isalnum((unsigned char)text[i]) || text[i] == '_'))
		i++;
	for (b = i; b < len && (text[b] == ' ' || text[b] == '\t'); b++)
		;
	/* keyword "value";  (else the quote may close a key: "apikey": "...") */
	if (b < len && (text[b] == '"' || text[b] == '\'') &&
	    !quoted_value(text, len, b + 1, text[b], &e) && e + 1 < len && text[e + 1] == ';') {
		span->off = b + 1;
		span->len = e - b - 1;
		return 0;
	}
	if (i != m)
		return -1;
	/* keyword[0], keyword"], keyword':  then an operator */
	if (b < len && text[b] == '[') {
		for (b++; b < len && isdigit((unsigned char)text[b]); b++)
			;
		if (b >= len || text[b] != ']')
			return -1;
		b++;
	}
	for (i = 0; i < 2 && b < len && strchr("]'\"", text[b]); i++)
		b++;
	while (b < len && (text[b] == ' ' || text[b] == '\t'))
		b++;
	if (b + 1 < len &&
	    ((text[b] == ':' && text[b + 1] == '=') || (text[b] == '=' && text[b + 1] == '>')))
		b += 2;
	else if (b < len && (text[b] == ':' || text[b] == '='))
		b++;
	else
		return -1;
	while (b < len && (text[b] == ' ' || text[b] == '\t'))
		b++;
	if (b < len && text[b] == '@')
		b++;
	if (b < len && (text[b] == '"' || text[b] == '\'' || text[b] == '`')) {
		if (quoted_value(text, len, b + 1, text[b], &e))
			return -1;
		span->off = b + 1;
		span->len = e - b - 1;
		return 0;
	}
	for (e = b; e < len && e - b <= ASSIGN_VALUE_MAX && !isspace((unsigned char)text[e]) &&
		    !strchr("'\"`,;", text[e]); e++)
		;
	if (e == b || (e < len && !isspace((unsigned char)text[e]) && text[e] != ',' && text[e] != ';'))
		return -1;
	span->off = b;
	span->len = e - b;
	return 0;
}

static int valid_assignment(const char *s, size_t len)
{
	size_t i;

	if (len < 4 || secret_is_placeholder(s, len) || is_placeholder_word(s, len))
		return 0;
	if (s[0] == '"' || s[0] == '\'' || s[0] == '$' || scan_ci_contains(s, len, "fake"))
		return 0;
	if (ci_eq(s, len, "true") || ci_eq(s, len, "false") || starts(s, len, "this.") ||
	    starts(s, len, "self.") || ci_starts(s, len, "os.environ") ||
	    ci_starts(s, len, "process.env") || ci_starts(s, len, "getenv"))
		return 0;
	/* a call: identifier chars then '(' */
	for (i = 0; i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.'); i++)
		;
	if (i && i < len && s[i] == '(')
		return 0;
	/* trailing ')' of a call argument: password=password) */
	if (s[len - 1] == ')' && !memchr(s, '(', len) && is_placeholder_word(s, len - 1))
		return 0;
	return scan_entropy(s, len) > 2.2;
}

#define PW_KW "(?:password|passwd|pwd|secret|contrase(?:n|\\xc3\\xb1)a|(?:db|database|key)_?pass|" \
	      "(?:api|auth|service|account|priv|private|client|db|database)_?key)"

/*
 * generic-api-key after its keyword (its tail, rules.h): SECRET_KV_OP, a
 * value, SECRET_END.  A value's bytes are never SECRET_END's, so a value
 * that is followed by one is a whole run: [\w.=-]{10,} the run of those
 * bytes, [a-z0-9][a-z0-9+/]{11,}={0,3} an alphanumeric byte, the run of
 * [A-Za-z0-9+/] after it, and every '=' after that (at most 3).  In prose,
 * where Hyperscan's automaton stepped ~25 bytes after each "API" to find
 * no operator, this gives up at the first byte.
 */
#define GENERIC_LEAD "access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token"

static int generic_tail(const char *t, size_t n, size_t lead_end, struct scan_tail_runs *runs,
			scan_tail_emit_fn emit, void *ctx)
{
	uint64_t at;
	size_t q, v, eq;
	int err;

	/* the lead holds the first byte after the keyword */
	for (at = secret_kv_op(t, n, lead_end); at; at &= at - 1) {
		q = lead_end + (size_t)__builtin_ctzll(at);
		v = secret_run_end(t, n, q, SECRET_RUN_WORD, runs, 0);
		if (v - q >= 10 && (err = secret_kv_end(t, n, v, 1, emit, ctx)))
			return err;
		if (q >= n || !secret_alnum((unsigned char)t[q]))
			continue;
		v = secret_run_end(t, n, q + 1, SECRET_RUN_B64, runs, 1);
		for (eq = 0; eq < 4 && v + eq < n && t[v + eq] == '='; eq++)
			;
		if (v - q - 1 >= 11 && eq <= 3 && (err = secret_kv_end(t, n, v + eq, 1, emit, ctx)))
			return err;
	}
	return 0;
}

static const struct scan_rule generic_rules[] = {
	{
		SECRET_RULE("private-key"),
		.regex = "-----BEGIN[ A-Z0-9_-]{0,32}PRIVATE KEY(?: BLOCK)?-----",
		.hs_flags = HS_FLAG_CASELESS, .extract = extract_pem,
		.conf = SCAN_CONF_HIGH, .priority = 4,
	},
	{
		SECRET_RULE("jwt"),
		.regex = "eyJ[A-Za-z0-9_-]{10,}\\.ey[A-Za-z0-9_/\\\\-]{10,}\\.[A-Za-z0-9_/\\\\-]*={0,2}"
			 "(?:[^A-Za-z0-9_/\\\\=-]|$)",
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_loose,
		.validate = valid_jwt, .conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .priority = 2,
	},
	{
		SECRET_RULE("basic-auth-url"),
		.regex = "[a-z][a-z0-9+.-]{1,20}://[^\\s:/@?#'\"<>]+:[^\\s:/@?#'\"<>]+@",
		.hs_flags = HS_FLAG_CASELESS, .extract = extract_url_password, .start = url_scheme_start,
		.validate = valid_password_value, .conf = SCAN_CONF_HIGH,
		.trigger = SCAN_TRIG_URL, .priority = SECRET_PRIO_OVER_PII,
	},
	{
		SECRET_RULE("jdbc-connection-string"),
		.regex = "jdbc:[a-z0-9]{2,20}:",
		.hs_flags = HS_FLAG_CASELESS, .flags = SCAN_RF_LEFT_NOT_ALNUM,
		.extract = extract_jdbc, .validate = valid_jdbc,
		.conf = SCAN_CONF_HIGH, .priority = SECRET_PRIO_OVER_PII,
	},
	{
		SECRET_RULE("odbc-connection-string"),
		.regex = "(?:password|pwd)[ \\t]*=",
		.hs_flags = HS_FLAG_CASELESS, .flags = SCAN_RF_NEED_CONTEXT | SCAN_RF_LEFT_NOT_ALNUM,
		.extract = extract_odbc_password, .validate = valid_password_value,
		.context = odbc_ctx, .ctx_words = 12, .conf = SCAN_CONF_HIGH,
		.priority = SECRET_PRIO_OVER_PII,
	},
	{
		SECRET_RULE("http-authorization-header"),
		.regex = "authorization[ \\t]*:|x-[a-z-]{0,20}(?:apikey|api-key|token|key)[ \\t]*:"
			 "|(?:api-key|api-token|auth-token|access-token)[ \\t]*:",
		.hs_flags = HS_FLAG_CASELESS, .extract = extract_auth_header,
		.validate = valid_auth_value, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("curl-auth-user"),
		.regex = "(?:-u|--user)[ \\t]",
		.flags = SCAN_RF_NEED_CONTEXT | SCAN_RF_LEFT_NOT_ALNUM,
		.extract = extract_curl_user, .validate = valid_curl_user,
		.context = curl_ctx, .ctx_words = 12, .conf = SCAN_CONF_HIGH,
		.priority = SECRET_PRIO_OVER_PII,
	},
	{
		SECRET_RULE("generic-api-key"),
		.regex = SECRET_KV(GENERIC_LEAD, "[\\w.=-]{10,}|[a-z0-9][a-z0-9+/]{11,}={0,3}"),
		.lead = "(?i:" GENERIC_LEAD ")", .tail = generic_tail,
		.hs_flags = HS_FLAG_CASELESS, .extract = extract_generic, .validate = valid_generic,
		.conf = SCAN_CONF_MEDIUM, .min_entropy = 3.5, .priority = -2,
	},
	{
		SECRET_RULE("generic-password-assignment"),
		.regex = PW_KW,
		.hs_flags = HS_FLAG_CASELESS, .extract = extract_assignment,
		.validate = valid_assignment, .conf = SCAN_CONF_MEDIUM, .priority = -1,
	},
};

int rules_secret_generic_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, generic_rules, sizeof(generic_rules) / sizeof(generic_rules[0]));
}
