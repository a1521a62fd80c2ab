// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PII detectors.  The regexes are candidate shapes; validate.c decides.
 *
 * Confidence (Presidio's scores in Purview's labels): a checksum-confirmed
 * value is HIGH; a distinctive format without a checksum is MEDIUM; a bare
 * number that could be anything is LOW, or not reported at all without a
 * context word (passport, licence, bank account numbers).
 *
 * M365_UPN and EMAIL: a user principal name has the shape of an address.
 * Tenant domains (*.onmicrosoft.com and the sovereign-cloud variants) and
 * UPN context words ("userPrincipalName", "UPN", "sign-in name") make it an
 * M365_UPN; otherwise it is an EMAIL.  Both rules see the same span; the
 * higher priority wins, so a value is reported once, as the more specific
 * type.  Policies that mask EMAIL should mask M365_UPN too.
 */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include <hs.h>

#include "rules.h"
#include "validate.h"

/* --- extraction -------------------------------------------------------------- */

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((unsigned char)((c | 0x20) - 'a') < 26);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((unsigned char)((c | 0x20) - 'a') < 6);
}

static int is_local(char c)
{
	return is_alnum(c) || (c && strchr(".!#$%&'*+/=?^_`{|}~-", c));
}

static int is_host(char c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

/* The byte before the last c in t[0..end); end when there is none. */
static size_t before_last(const char *t, size_t end, int c)
{
	const char *at = memrchr(t, c, end);

	return at && at > t ? (size_t)(at - t) - 1 : end;
}

/*
 * Where an e-mail-shaped match ends at `end` starts: the byte before its
 * '@', the last '@' before the end (none follows it in the patterns).
 */
static size_t at_start(const char *t, size_t end)
{
	return before_last(t, end, '@');
}

/* Widen around the '@' to the whole address; the pattern only anchors on it. */
static int email_extract(const char *t, size_t n, struct scan_span *sp)
{
	const char *at = memchr(t + sp->off, '@', sp->len);
	size_t a, b;

	if (!at)
		return -1;
	a = b = (size_t)(at - t);
	while (a > 0 && is_local(t[a - 1]) && b - a < 64)
		a--;
	/* quotes and brackets are not part of the address */
	while (a < b && (t[a] == '.' || t[a] == '\'' || t[a] == '`' || t[a] == '{' || t[a] == '/'))
		a++;
	/* "scheme://user:password@host" is a URL's credentials, not an address */
	if (a > 0 && (t[a - 1] == ':' || t[a - 1] == '/') &&
	    !(a >= 7 && !strncasecmp(t + a - 7, "mailto:", 7)))
		return -1;
	b++;
	while (b < n && is_host(t[b]) && b - a < 320)
		b++;
	while (b > a && (t[b - 1] == '.' || t[b - 1] == '-'))
		b--;
	sp->off = a;
	sp->len = b - a;
	return 0;
}

static int is_url(char c)
{
	return (unsigned char)c > ' ' && c != '"' && c != '<' && c != '>' && c != '`' &&
	       c != '\\' && c != '^' && c != '{' && c != '}' && c != '|' && (unsigned char)c < 0x7f;
}

/* Longer is not a link anyone pastes; the cap keeps a hostile token linear. */
#define URL_MAX  4096
#define HOST_MAX 253

/* From b to the end of the URL, less trailing punctuation; never before `min`. */
static size_t url_end(const char *t, size_t n, size_t min, size_t b)
{
	size_t open = 0, close = 0, i, cap = n - b > URL_MAX ? b + URL_MAX : n;

	while (b < cap && is_url(t[b]))
		b++;
	for (i = min; i < b; i++) {
		open += t[i] == '(';
		close += t[i] == ')';
	}
	while (b > min) {
		char c = t[b - 1];

		if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
		    c == '\'' || c == ']' || (c == ')' && close > open)) {
			/* a ')' stays when it closes one: en.wikipedia.org/wiki/X_(Y) */
			close -= c == ')';
			b--;
			continue;
		}
		return b;
	}
	return b;
}

/* The host of a URL: after "scheme://", up to '/', '?', '#' or ':port'; [v6] kept. */
static int url_host_ok(const char *t, size_t a, size_t b)
{
	const char *s = t + a, *p = memmem(s, b - a, "://", 3);
	size_t h, e, i;

	if (!p)
		return 0;
	h = (size_t)(p - s) + 3;
	e = h;
	if (e < b - a && s[e] == '[') {
		while (e < b - a && s[e] != ']')
			e++;
		return e < b - a && scan_valid_ipv6(s + h + 1, e - h - 1);
	}
	while (e < b - a && s[e] != '/' && s[e] != '?' && s[e] != '#' && s[e] != ':')
		e++;
	/* user:pass@ before the host */
	for (i = h; i < e; i++)
		if (s[i] == '@')
			h = i + 1;
	if (e == h)
		return 0;
	return scan_valid_hostname(s + h, e - h) || scan_valid_ipv4(s + h, e - h) ||
	       (e - h == 9 && !strncmp(s + h, "localhost", 9));
}

static int url_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off, b = url_end(t, n, sp->off + sp->len, sp->off + sp->len);

	if (!url_host_ok(t, a, b))
		return -1;
	sp->len = b - a;
	return 0;
}

/*
 * The start of the IPv4 pattern's match ending at `end`: SHAPE_EDGE_L_NODOT,
 * four groups of 1-3 digits joined by '.', SHAPE_EDGE_R.  The right edge is
 * a byte that is no digit, or none ('$'); the left one the byte before the
 * first group, or none at a line start ('^': the text's, or after the '\n'
 * joining windows).  Each group is a whole run of digits: the edges and the
 * dots bound them, so reading back is the only way the match can go.
 */
static size_t ipv4_start(const char *t, size_t end)
{
	size_t p = end, g, k;

	if (p && !is_digit(t[p - 1]))
		p--;
	for (g = 0; g < 4; g++) {
		for (k = 0; k < 3 && p && is_digit(t[p - 1]); k++)
			p--;
		if (g < 3)
			p--;    /* the '.' */
	}
	return p && t[p - 1] != '\n' ? p - 1 : p;
}

/* "[a-z0-9-]\.[a-z]{2,6}\b" ending at `end` starts a byte before its only '.'. */
static size_t dot_start(const char *t, size_t end)
{
	return before_last(t, end, '.');
}

/* A bare host name ("microsoft.com", "www.example.org/path"): widen, then check the TLD. */
static int domain_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off, b = sp->off + sp->len, h, d;

	while (a > 0 && is_host(t[a - 1]) && sp->off - a < HOST_MAX)
		a--;
	/* part of an address, a path or a longer token: not a bare host */
	if (a > 0 && (t[a - 1] == '@' || t[a - 1] == '/' || t[a - 1] == '\\' || t[a - 1] == '_' ||
		      t[a - 1] == ':' || t[a - 1] == '=' || t[a - 1] == '$' || t[a - 1] == '%'))
		return -1;
	while (b < n && is_host(t[b]) && b - a < HOST_MAX)
		b++;
	while (b > a && (t[b - 1] == '.' || t[b - 1] == '-'))
		b--;
	if (b < n && (t[b] == '@' || t[b] == '_' || t[b] == '('))
		return -1;
	h = b;
	for (d = b; d > a && t[d - 1] != '.'; d--)
		;
	if (d == a || !scan_known_tld(t + d, h - d) || !scan_valid_hostname(t + a, h - a))
		return -1;
	if (b < n && t[b] == '/')
		b = url_end(t, n, b, b);
	sp->off = a;
	sp->len = b - a;
	return 0;
}

/* A CIDR suffix belongs to the address: "10.0.0.0/8", "2001:db8::/32". */
static void cidr_suffix(const char *t, size_t n, struct scan_span *sp, unsigned int max)
{
	size_t b = sp->off + sp->len, e = b + 1;
	unsigned int v = 0;

	if (b >= n || t[b] != '/')
		return;
	while (e < n && t[e] >= '0' && t[e] <= '9' && e - b <= 3)
		v = v * 10 + (unsigned int)(t[e++] - '0');
	if (e == b + 1 || e - b > 4 || v > max || (e < n && is_alnum(t[e])))
		return;
	sp->len = e - sp->off;
}

/* An IPv6 literal around the anchor ("::" or four groups), with its zone. */
static int ipv6_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off, b = sp->off + sp->len, z;
	int digit = 0;

	while (a > 0 && (is_hex(t[a - 1]) || t[a - 1] == ':' || t[a - 1] == '.') && sp->off - a < 48)
		a--;
	while (b < n && (is_hex(t[b]) || t[b] == ':' || t[b] == '.') && b - a < 48)
		b++;
	while (b > a && t[b - 1] == '.')
		b--;
	while (a < b && t[a] == '.')
		a++;
	if (b < n && t[b] == '%') {
		for (z = b + 1; z < n && (is_alnum(t[z]) || t[z] == '_' || t[z] == '-') && z - b <= 16;
		     z++)
			;
		if (z > b + 1)
			b = z;
	}
	for (z = a; z < b && t[z] != '%'; z++)
		if (t[z] >= '0' && t[z] <= '9')
			digit = 1;
	/*
	 * "a::b" in C++ is a scope; "::" alone is the unspecified address,
	 * which identifies no one.
	 */
	if (!digit)
		return -1;
	sp->off = a;
	sp->len = b - a;
	cidr_suffix(t, n, sp, 128);
	return 0;
}

/*
 * Drop the byte before and the byte after the value that a pattern bounded
 * with SHAPE_EDGE_L / SHAPE_EDGE_R matched (none at a window edge, where
 * `^` or `$` matched instead); `in` says which bytes are the value's.
 */
static void strip_edges(const char *t, struct scan_span *sp, int (*in)(char))
{
	if (sp->len && !in(t[sp->off + sp->len - 1]))
		sp->len--;
	if (sp->len && !in(t[sp->off])) {
		sp->off++;
		sp->len--;
	}
}

/* A MAC is a whole token: not a piece of a longer colon or dash list. */
static int mac_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a, b;

	strip_edges(t, sp, is_hex);
	a = sp->off;
	b = sp->off + sp->len;
	if (a > 0 && (t[a - 1] == ':' || t[a - 1] == '-' || t[a - 1] == '.'))
		return -1;
	if (b < n && (t[b] == ':' || t[b] == '-' || (t[b] == '.' && b + 1 < n && is_hex(t[b + 1]))))
		return -1;
	return 0;
}

/* An IPv4 address that is not the tail of a longer dotted run ("1.2.3.4.5" start). */
static int ipv4_extract(const char *t, size_t n, struct scan_span *sp)
{
	strip_edges(t, sp, is_digit);
	if (sp->off > 0 && t[sp->off - 1] == '.')
		return -1;
	cidr_suffix(t, n, sp, 32);
	return 0;
}

/* The wallet between the non-alphanumeric bytes its pattern matched around it. */
static int wallet_extract(const char *t, size_t n, struct scan_span *sp)
{
	(void)n;
	strip_edges(t, sp, is_alnum);
	return sp->len ? 0 : -1;
}

static int ipv4_validate(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	return scan_valid_ipv4(s, slash ? (size_t)(slash - s) : len);
}

static int ipv6_validate(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	return scan_valid_ipv6(s, slash ? (size_t)(slash - s) : len);
}

/*
 * National phone numbers start with a trunk 0; a leading 0 also starts
 * dates (01-05-2024, 03.04.21), times and log values ("01.696170").  Dots
 * separate short groups only: 01.42.68.53.00.
 */
static int phone_national_validate(const char *s, size_t len)
{
	size_t g[8] = { 0 }, ng = 0, i, longest = 0;
	int dot = 0;

	for (i = 0; i < len && ng < 8; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			g[ng]++;
		} else if (g[ng]) {
			dot |= s[i] == '.';
			ng++;
		}
	}
	if (ng < 8 && g[ng])
		ng++;
	for (i = 0; i < ng && i < 8; i++)
		if (g[i] > longest)
			longest = g[i];
	if (ng == 3 && g[0] == 2 && g[1] == 2 && (g[2] == 2 || g[2] == 4))
		return 0;
	if (dot && (ng < 4 || longest > 4))
		return 0;
	/* an unseparated 0-run is as often an id as a number: a full national length */
	if (ng == 1 && g[0] < 10)
		return 0;
	return scan_valid_phone(s, len);
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alpha(char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

/*
 * The pattern anchors on the country code, the check digits and a group;
 * the country gives the length (ISO 13616), which ends the span: groups of
 * four, one separator kind, or none.
 */
static int iban_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off, b, chars = 2, group = 2;
	char sep = 0;
	int want;

	want = scan_iban_length(t + a);
	if (!want)
		return -1;
	for (b = a + 2; b < n && chars < (size_t)want; b++) {
		if ((t[b] == ' ' || t[b] == '-') && group == 4 && (!sep || t[b] == sep)) {
			sep = t[b];
			group = 0;
			continue;
		}
		if (!is_digit(t[b]) && !is_upper(t[b]))
			return -1;
		chars++;
		group++;
	}
	if (chars != (size_t)want)
		return -1;
	sp->off = a;
	sp->len = b - a;
	return 0;
}

/* The pattern starts at the digits; the two prefix letters (and a space) come before. */
static int nino_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off;

	(void)n;
	if (a > 0 && t[a - 1] == ' ')
		a--;
	if (a < 2 || !is_alpha(t[a - 1]) || !is_alpha(t[a - 2]))
		return -1;
	sp->len += sp->off - (a - 2);
	sp->off = a - 2;
	return 0;
}

/* A North American number may carry its country code without '+': "1-312-...", "1 (312) ...". */
static int nanp_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off;

	(void)n;
	if (a >= 1 && t[a - 1] == '1' && t[a] == '(' && (a == 1 || !is_alnum(t[a - 2])))
		a -= 1;
	else if (a >= 2 && (t[a - 1] == ' ' || t[a - 1] == '-' || t[a - 1] == '.') &&
		 t[a - 2] == '1' && (a == 2 || !is_alnum(t[a - 3])))
		a -= 2;
	sp->len += sp->off - a;
	sp->off = a;
	return 0;
}

static size_t count_digits(const char *s, size_t len, size_t *ret_alpha)
{
	size_t i, d = 0, a = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d++;
		else if (is_alpha(s[i]))
			a++;
	}
	if (ret_alpha)
		*ret_alpha = a;
	return d;
}

/* The anchor is a letter-or-digit and six digits: the run goes on to its last digit. */
static int run_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t b = sp->off + sp->len;

	while (b < n && is_digit(t[b]) && b - sp->off < 24)
		b++;
	if (b < n && is_alpha(t[b]))
		b++;
	sp->len = b - sp->off;
	return 0;
}

/*
 * Card numbers: the anchor holds the first 12 (or 4-6) digits; the number
 * goes on in groups of the same separator, or digit by digit without one.
 * The longest prefix that is a valid card wins ("4111 1111 1111 1111 2024"
 * ends before the year).
 */
static int card_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off, b, ends[24], n_ends = 0, digits = 0, i;
	char sep = 0;

	for (b = a; b < n && b - a < 32; b++) {
		if (is_digit(t[b])) {
			digits++;
			if (digits >= 13 && digits <= 19 && (b + 1 == n || !is_digit(t[b + 1])) &&
			    n_ends < 24)
				ends[n_ends++] = b + 1;
			if (digits > 19)
				break;
			continue;
		}
		if ((t[b] != ' ' && t[b] != '-') || (sep && t[b] != sep) || b + 1 == n ||
		    !is_digit(t[b + 1]))
			break;
		sep = t[b];
	}
	for (i = n_ends; i-- > 0;) {
		if (ends[i] < n && is_alnum(t[ends[i]]))
			continue;
		if (scan_valid_card(t + a, ends[i] - a)) {
			sp->len = ends[i] - a;
			return 0;
		}
	}
	return -1;
}

/* An extension after a number: "x623", " ext. 12", "EXT623", " extension 5". */
static size_t phone_ext(const char *t, size_t n, size_t b)
{
	size_t e = b, d;

	if (e < n && t[e] == ' ')
		e++;
	if (e + 9 <= n && !strncasecmp(t + e, "extension", 9))
		e += 9;
	else if (e + 3 <= n && !strncasecmp(t + e, "ext", 3))
		e += 3 + (e + 3 < n && t[e + 3] == '.');
	else if (e < n && (t[e] == 'x' || t[e] == 'X'))
		e++;
	else
		return b;
	if (e < n && t[e] == ' ')
		e++;
	for (d = e; d < n && is_digit(t[d]) && d - e < 6; d++)
		;
	return d > e ? d : b;
}

/*
 * A phone number from its anchor on: digit groups joined by one of " .-"
 * or parentheses, at most 15 digits, then an extension.  Groups are tried
 * longest first, so a year or a count after the number stays out.
 */
static int phone_extract(const char *t, size_t n, struct scan_span *sp)
{
	size_t a = sp->off, b = a, ends[16] = { 0 }, n_ends = 0, digits = 0, i;

	if (b < n && t[b] == '+')
		b++;
	while (b < n && b - a < 40) {
		size_t g = b;

		if (t[g] == '(')
			g++;
		while (g < n && is_digit(t[g])) {
			g++;
			digits++;
		}
		if (g == b || (t[b] == '(' && g == b + 1))
			break;
		if (g < n && t[g] == ')')
			g++;
		if (n_ends < 16)
			ends[n_ends++] = g;
		if (digits > 15)
			break;
		b = g;
		if (b < n && (t[b] == ' ' || t[b] == '.' || t[b] == '-') && b + 1 < n &&
		    (is_digit(t[b + 1]) || t[b + 1] == '('))
			b++;
		else
			break;
	}
	for (i = n_ends; i-- > 0;) {
		size_t e = ends[i], d = 0, k;

		for (k = a; k < e; k++)
			d += is_digit(t[k]);
		if (d < 7 || d > 15 || (e < n && is_digit(t[e])))
			continue;
		sp->len = phone_ext(t, n, e) - a;
		return 0;
	}
	return -1;
}

/* NANP shapes: a "1-" or "1 " country code before, an extension after. */
static int nanp_full_extract(const char *t, size_t n, struct scan_span *sp)
{
	nanp_extract(t, n, sp);
	sp->len = phone_ext(t, n, sp->off + sp->len) - sp->off;
	return 0;
}

/* Validators for the shared digit-run shape: each rule's own length and letters. */
static int bank_validate(const char *s, size_t len)
{
	size_t a, d = count_digits(s, len, &a);

	return !a && d == len && d >= 8 && d <= 17;
}

static int passport_validate(const char *s, size_t len)
{
	size_t a, d = count_digits(s, len, &a);

	return (len == 9 && d == 9) || (len == 9 && a == 1 && is_upper(s[0]));
}

static int dl_validate(const char *s, size_t len)
{
	size_t a, d = count_digits(s, len, &a);

	return d >= 7 && d <= 13 && a <= 1 && d + a == len;
}

static int phone_bare_validate(const char *s, size_t len)
{
	size_t a, d = count_digits(s, len, &a);

	return !a && d == len && (d == 10 || d == 11) && scan_valid_phone(s, len);
}

static int cn_mobile_validate(const char *s, size_t len)
{
	size_t a, d = count_digits(s, len, &a);

	return !a && len == 11 && d == 11 && s[0] == '1' && s[1] >= '3' && scan_valid_phone(s, len);
}

/* ddd-ddd-dddd with one separator kind (an extension may follow), or 1- before it. */
static int phone_us_validate(const char *s, size_t len)
{
	size_t i, seps = 0, core = len;
	char sep = 0;

	/* the number before its extension */
	for (i = 0; i < len; i++) {
		if (is_alpha(s[i])) {
			core = i;
			break;
		}
	}
	while (core > 0 && s[core - 1] == ' ')
		core--;
	for (i = 0; i < core; i++) {
		if (s[i] == ' ' || s[i] == '.' || s[i] == '-') {
			if (sep && s[i] != sep && !(seps == 1 && i <= 2))
				return 0;
			sep = s[i];
			seps++;
		}
	}
	return seps >= 2 && scan_valid_phone(s, core);
}

/* --- context words ---------------------------------------------------------------- */

static const char *const ctx_card[] = {
	"credit", "card", "visa", "mastercard", "master card", "amex", "american express",
	"discover", "jcb", "diners", "maestro", "cc", "ccn", "pan", "debit", "payment", NULL,
};
static const char *const neg_number[] = {
	"order", "invoice", "tracking", "isbn", "serial", "sku", "ticket", "build", "version",
	"timestamp", "epoch", NULL,
};
static const char *const ctx_ssn[] = {
	"ssn", "ssns", "social security", "social sec", "soc sec", "ss#", "ss #", NULL,
};
static const char *const ctx_itin[] = {
	"itin", "itins", "taxpayer", "tax id", "tax identification", "tax payer", "tin", NULL,
};
static const char *const ctx_aba[] = {
	"aba", "routing", "rtn", "transit number", "bank routing", "abartn", NULL,
};
static const char *const ctx_bank[] = {
	"bank account", "account number", "account no", "account #", "acct", "checking",
	"savings", "bank acc", "bank number", "deposit account", NULL,
};
static const char *const ctx_passport[] = {
	"passport", "travel document", "passport#", "passport no", NULL,
};
static const char *const ctx_dl[] = {
	"driver", "drivers", "driver's", "driving", "dl", "dl#", "dmv", "licence number",
	"license number", "lic#", NULL,
};
static const char *const ctx_nhs[] = {
	"nhs", "national health", "health service", "nhs number", "nhs no", "patient", NULL,
};
static const char *const ctx_nino[] = {
	"national insurance", "nino", "ni number", "ni no", "insurance number", NULL,
};
static const char *const ctx_phone[] = {
	"phone", "telephone", "tel", "mobile", "cell", "cellphone", "call", "fax", "contact",
	"number", "whatsapp", "sms", "text me", "ph", "mob", "landline", NULL,
};
static const char *const ctx_ip[] = {
	"ip", "ipv4", "ipv6", "address", "host", "server", "client", "src", "dst", "source",
	"destination", "gateway", "connect", "from", NULL,
};
static const char *const neg_ip[] = { "version", "ver", "release", NULL };
static const char *const ctx_mac[] = { "mac", "hardware address", "ethernet", "physical address", NULL };
static const char *const ctx_wallet[] = { "wallet", "bitcoin", "btc", "crypto", "address", NULL };
static const char *const ctx_url[] = {
	"website", "site", "url", "link", "domain", "visit", "homepage", "web", NULL,
};
static const char *const ctx_upn[] = {
	"upn", "userprincipalname", "user principal name", "principal name", "signinname",
	"sign-in name", "signin name", "logon name", "entra", "azure ad", "aad", NULL,
};
static const char *const ctx_oid[] = {
	"objectid", "object id", "object_id", "oid", "tenant", "tenantid", "tenant id",
	"tenant_id", "directory", "directoryid", "user id", "userid", "user_id", "principalid",
	"principal id", "appid", "app id", "clientid", "client id", "client_id", "azure", "entra",
	"aad", "subscription", "subscriptionid", "guest", "service principal", NULL,
};

/* --- the table ---------------------------------------------------------------- */

/*
 * Shapes several rules share: the engine compiles an identical regex once
 * and offers each match to every rule that uses it, so these cost one
 * automaton however many rules read them.
 */
#define SHAPE_SSN "\\b\\d{3}[ .-]\\d{2}[ .-]\\d{4}"
#define SHAPE_SSN_LOOSE "\\b(?:\\d{3}-\\d{6}|\\d{5}-\\d{4})"
/* a bare run of digits, a letter allowed at either end (A12345678, 1234567A) */
#define SHAPE_RUN "\\b[A-Za-z]?\\d{6}"
/* 3-3-4: NANP numbers and NHS numbers */
#define SHAPE_334 "\\b\\d{3}[ .-]?\\d{3}[ .-]?\\d{4}"

#define DIGIT_RULE(n) .trigger = SCAN_TRIG_DIGITS, .min_digits = (n)

/*
 * The digit shapes again, as elements, so that the digit database runs
 * without start-of-match tracking (4x cheaper on e-mail and JSON text):
 * each function gives the start Hyperscan would (test_scan_start.c).
 */
#define D(n)   { "0-9", n, n }
#define OPT(s) { s, 0, 1 }
#define ONE(s) { s, 1, 1 }
#define SHAPE_START(name, ...)                                                     \
	static size_t name(const char *t, size_t end)                              \
	{                                                                          \
		static const struct scan_shape alts[] = { __VA_ARGS__ };           \
		return scan_shape_start(alts, sizeof(alts) / sizeof(alts[0]), t, end); \
	}

/* "\b\d{4}[ -]?\d{4}[ -]?\d{4}|\b\d{4}[ -]?\d{6}" */
SHAPE_START(card_start, { 1, 5, { D(4), OPT(" -"), D(4), OPT(" -"), D(4) } },
	    { 1, 3, { D(4), OPT(" -"), D(6) } })
/* "\b[A-Z]{2}\d{2}[ -]?[A-Z0-9]{4}" */
SHAPE_START(iban_start, { 1, 4, { { "A-Z", 2, 2 }, D(2), OPT(" -"), { "A-Z0-9", 4, 4 } } })
/* SHAPE_SSN */
SHAPE_START(ssn_start, { 1, 5, { D(3), ONE(" .-"), D(2), ONE(" .-"), D(4) } })
/* SHAPE_SSN_LOOSE */
SHAPE_START(ssn_loose_start, { 1, 3, { D(3), ONE("-"), D(6) } }, { 1, 3, { D(5), ONE("-"), D(4) } })
/* SHAPE_RUN */
SHAPE_START(run_start, { 1, 2, { OPT("A-Za-z"), D(6) } })
/* "\b\d{4}-\d{4}-\d" */
SHAPE_START(aba_dashed_start, { 1, 5, { D(4), ONE("-"), D(4), ONE("-"), D(1) } })
/* SHAPE_334 */
SHAPE_START(s334_start, { 1, 5, { D(3), OPT(" .-"), D(3), OPT(" .-"), D(4) } })
/* "\d{2} ?\d{2} ?\d{2} ?[A-Da-d]" */
SHAPE_START(nino_start, { 0, 7, { D(2), OPT(" "), D(2), OPT(" "), D(2), OPT(" "), ONE("A-Da-d") } })
/* "\+[1-9]\d" */
SHAPE_START(e164_start, { 0, 3, { ONE("+"), ONE("1-9"), D(1) } })
/* "\(\d{3}\) ?\d{3}[ .-]?\d{4}" */
SHAPE_START(paren_start, { 0, 7, { ONE("("), D(3), ONE(")"), OPT(" "), D(3), OPT(" .-"), D(4) } })
/* "\b\d{3} \d{7}" */
SHAPE_START(s37_start, { 1, 3, { D(3), ONE(" "), D(7) } })
/* "\b0\d[ .-]?\d" */
SHAPE_START(national_start, { 1, 4, { ONE("0"), D(1), OPT(" .-"), D(1) } })

#undef D
#undef OPT
#undef ONE
#undef SHAPE_START

/*
 * A value whose rule wants no letter or digit either side (BOUND_ALNUM, no
 * \b: '_' is allowed) can say so in its pattern: one byte that is none, or
 * the edge of a window.  A token-level window holds no white space, so with
 * HS_FLAG_MULTILINE `^` and `$` are exactly its edges, next to the '\n'
 * that joins windows in the view (which the class leaves out, so a match
 * never reaches into the next window).  A window's edge need not be the
 * value's: confirm checks the bounds on the text.  Hyperscan then reports a
 * value once, from the start it needs, instead of every end and start its
 * repeats allow (an IPv4 address up to three times, each a start-of-match
 * lookup), and a wallet's 26-35 base58 bytes start only after a
 * non-alphanumeric byte: in logs, most '1' and '3' are not.  The extract
 * drops the two bytes again (strip_edges()).
 */
#define SHAPE_EDGE_L       "(?:^|[^A-Za-z0-9\\n])"
#define SHAPE_EDGE_L_NODOT "(?:^|[^A-Za-z0-9.\\n])"  /* ipv4_extract drops a '.' before anyway */
#define SHAPE_EDGE_R       "(?:[^A-Za-z0-9\\n]|$)"
/* mac_extract drops a MAC after ':' '-' '.' or before ':' '-' anyway */
#define SHAPE_EDGE_L_MAC   "(?:^|[^A-Za-z0-9:.\\n-])"
#define SHAPE_EDGE_R_MAC   "(?:[^A-Za-z0-9:\\n-]|$)"

static const struct scan_rule pii_rules[] = {
	{
		.id = "email", .type = "EMAIL", .category = SCAN_CAT_PII,
		.regex = "[a-z0-9!#$%&'*+/=?^_`{|}~-]@[a-z0-9-]+\\.",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_AT,
		.extract = email_extract, .start = at_start, .validate = scan_valid_email,
		.conf = SCAN_CONF_HIGH, .priority = 10,
	},
	{
		.id = "m365-upn-tenant", .type = "M365_UPN", .category = SCAN_CAT_PII,
		.regex = "[a-z0-9!#$%&'*+/=?^_`{|}~-]@[a-z0-9-]+\\.(?:onmicrosoft\\.(?:com|us|de)|onmschina\\.cn)",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_AT,
		.extract = email_extract, .start = at_start, .validate = scan_valid_email,
		.conf = SCAN_CONF_HIGH, .priority = 20,
	},
	{
		.id = "m365-upn-context", .type = "M365_UPN", .category = SCAN_CAT_PII,
		.regex = "[a-z0-9!#$%&'*+/=?^_`{|}~-]@[a-z0-9-]+\\.",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_AT,
		.extract = email_extract, .start = at_start, .validate = scan_valid_email,
		.flags = SCAN_RF_NEED_CONTEXT, .context = ctx_upn,
		.conf = SCAN_CONF_HIGH, .priority = 15,
	},
	{
		.id = "url", .type = "URL", .category = SCAN_CAT_PII,
		.regex = "\\b(?:https?|ftp|wss?)://[a-z0-9\\[]",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_URL, .extract = url_extract,
		.conf = SCAN_CONF_MEDIUM, .priority = 1,
	},
	{
		.id = "url-bare-host", .type = "URL", .category = SCAN_CAT_PII,
		.regex = "[a-z0-9-]\\.[a-z]{2,6}\\b",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_URL, .extract = domain_extract,
		.start = dot_start,
		.flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_LOW, .context = ctx_url, .conf_ctx = SCAN_CONF_MEDIUM,
		.priority = 0,
	},
	{
		.id = "ipv4", .type = "IP_ADDRESS", .category = SCAN_CAT_PII,
		.regex = SHAPE_EDGE_L_NODOT "\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}" SHAPE_EDGE_R,
		.hs_flags = HS_FLAG_MULTILINE, .trigger = SCAN_TRIG_SEPS, .flags = SCAN_RF_BOUND_ALNUM,
		.start = ipv4_start, .extract = ipv4_extract, .validate = ipv4_validate,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_ip, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_ip, .priority = 5,
	},
	{
		/*
		 * "::", or the eight groups (six and an IPv4 address) an address
		 * without it has: a run of four groups also took every MAC, six
		 * candidates each that ipv6_extract() and the parser turned down
		 */
		.id = "ipv6", .type = "IP_ADDRESS", .category = SCAN_CAT_PII,
		.regex = "::|[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}"
			 "|(?:[0-9a-f]{1,4}:){6}\\d{1,3}\\.\\d",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_SEPS,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = ipv6_extract, .validate = ipv6_validate,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_ip, .conf_ctx = SCAN_CONF_HIGH,
		.priority = 5,
	},
	{
		.id = "mac-address", .type = "MAC_ADDRESS", .category = SCAN_CAT_PII,
		.regex = SHAPE_EDGE_L_MAC
			 "(?:[0-9a-f]{2}[:-][0-9a-f]{2}[:-][0-9a-f]{2}[:-][0-9a-f]{2}[:-][0-9a-f]{2}[:-][0-9a-f]{2}"
			 "|[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4})" SHAPE_EDGE_R_MAC,
		.hs_flags = HS_FLAG_CASELESS | HS_FLAG_MULTILINE, .trigger = SCAN_TRIG_SEPS,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = mac_extract, .validate = scan_valid_mac,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_mac, .conf_ctx = SCAN_CONF_HIGH,
		.priority = 6,
	},
	{
		.id = "azure-object-id", .type = "AZURE_OBJECT_ID", .category = SCAN_CAT_PII,
		.regex = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
		.hs_flags = HS_FLAG_CASELESS, .trigger = SCAN_TRIG_GUID,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT, .validate = scan_valid_guid,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_oid, .ctx_words = 6, .priority = 6,
	},
	{
		.id = "crypto-wallet", .type = "CRYPTO_WALLET", .category = SCAN_CAT_PII,
		.regex = SHAPE_EDGE_L "(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[ac-hj-np-z02-9]{8,87}|"
			 "BC1[AC-HJ-NP-Z02-9]{8,87})" SHAPE_EDGE_R,
		.hs_flags = HS_FLAG_MULTILINE, .trigger = SCAN_TRIG_TOKEN,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = wallet_extract,
		.validate = scan_valid_crypto, .conf = SCAN_CONF_HIGH, .context = ctx_wallet,
		.priority = 25,
	},
	{
		.id = "credit-card", .type = "CREDIT_CARD", .category = SCAN_CAT_PII,
		.regex = "\\b\\d{4}[ -]?\\d{4}[ -]?\\d{4}|\\b\\d{4}[ -]?\\d{6}", DIGIT_RULE(13), .start = card_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = card_extract, .validate = scan_valid_card,
		.conf = SCAN_CONF_HIGH, .context = ctx_card, .negative = neg_number,
		.priority = 30,
	},
	{
		.id = "iban", .type = "IBAN", .category = SCAN_CAT_PII,
		.regex = "\\b[A-Z]{2}\\d{2}[ -]?[A-Z0-9]{4}", DIGIT_RULE(6), .start = iban_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = iban_extract, .validate = scan_valid_iban,
		.conf = SCAN_CONF_HIGH, .priority = 30,
	},
	{
		.id = "us-ssn", .type = "US_SSN", .category = SCAN_CAT_PII,
		.regex = SHAPE_SSN, DIGIT_RULE(9), .start = ssn_start,
		.flags = SCAN_RF_BOUND_ALNUM, .validate = scan_valid_us_ssn,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_ssn, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 12,
	},
	{
		.id = "us-ssn-bare", .type = "US_SSN", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(9), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = run_extract,
		.validate = scan_valid_us_ssn,
		.conf = SCAN_CONF_LOW, .context = ctx_ssn, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 8,
	},
	{
		.id = "us-ssn-loose", .type = "US_SSN", .category = SCAN_CAT_PII,
		.regex = SHAPE_SSN_LOOSE, DIGIT_RULE(9), .start = ssn_loose_start,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT, .validate = scan_valid_us_ssn_loose,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_ssn, .priority = 8,
	},
	{
		.id = "us-itin", .type = "US_ITIN", .category = SCAN_CAT_PII,
		.regex = SHAPE_SSN, DIGIT_RULE(9), .start = ssn_start,
		.flags = SCAN_RF_BOUND_ALNUM, .validate = scan_valid_us_itin,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_itin, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 12,
	},
	{
		.id = "us-itin-bare", .type = "US_ITIN", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(9), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = run_extract,
		.validate = scan_valid_us_itin,
		.conf = SCAN_CONF_LOW, .context = ctx_itin, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 8,
	},
	{
		.id = "us-itin-loose", .type = "US_ITIN", .category = SCAN_CAT_PII,
		.regex = SHAPE_SSN_LOOSE, DIGIT_RULE(9), .start = ssn_loose_start,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT,
		.validate = scan_valid_us_itin_loose,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_itin, .priority = 8,
	},
	{
		.id = "aba-routing", .type = "ABA_ROUTING_NUMBER", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(9), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = run_extract,
		.validate = scan_valid_aba,
		.conf = SCAN_CONF_LOW, .context = ctx_aba, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 9,
	},
	{
		.id = "aba-routing-dashed", .type = "ABA_ROUTING_NUMBER", .category = SCAN_CAT_PII,
		.regex = "\\b\\d{4}-\\d{4}-\\d", DIGIT_RULE(9), .start = aba_dashed_start,
		.flags = SCAN_RF_BOUND_ALNUM, .validate = scan_valid_aba,
		.conf = SCAN_CONF_LOW, .context = ctx_aba, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 9,
	},
	{
		.id = "us-bank-account", .type = "US_BANK_NUMBER", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(8), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT, .extract = run_extract,
		.validate = bank_validate,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_bank, .negative = neg_number,
		.priority = 11,
	},
	{
		.id = "us-passport", .type = "US_PASSPORT", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(8), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT, .extract = run_extract,
		.validate = passport_validate,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_passport, .priority = 11,
	},
	{
		.id = "us-driver-license", .type = "US_DRIVER_LICENSE", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(7), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT, .extract = run_extract,
		.validate = dl_validate,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_dl, .priority = 10,
	},
	{
		.id = "uk-nhs", .type = "UK_NHS", .category = SCAN_CAT_PII,
		.regex = SHAPE_334, DIGIT_RULE(10), .start = s334_start,
		.flags = SCAN_RF_BOUND_ALNUM, .validate = scan_valid_uk_nhs,
		.conf = SCAN_CONF_LOW, .context = ctx_nhs, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 7,
	},
	{
		.id = "uk-nino", .type = "UK_NINO", .category = SCAN_CAT_PII,
		.regex = "\\d{2} ?\\d{2} ?\\d{2} ?[A-Da-d]", DIGIT_RULE(6), .start = nino_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = nino_extract, .validate = scan_valid_uk_nino,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_nino, .conf_ctx = SCAN_CONF_HIGH,
		.priority = 12,
	},
	{
		.id = "phone-e164", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = "\\+[1-9]\\d", DIGIT_RULE(7), .start = e164_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = phone_extract, .validate = scan_valid_phone,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_phone, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 4,
	},
	{
		.id = "phone-us", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = SHAPE_334, DIGIT_RULE(10), .start = s334_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = nanp_full_extract, .validate = phone_us_validate,
		.conf = SCAN_CONF_LOW, .context = ctx_phone, .conf_ctx = SCAN_CONF_MEDIUM,
		.negative = neg_number, .priority = 4,
	},
	{
		.id = "phone-us-paren", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = "\\(\\d{3}\\) ?\\d{3}[ .-]?\\d{4}", DIGIT_RULE(10), .start = paren_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = nanp_full_extract, .validate = scan_valid_phone,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_phone, .conf_ctx = SCAN_CONF_HIGH,
		.negative = neg_number, .priority = 4,
	},
	{
		.id = "phone-us-3-7", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = "\\b\\d{3} \\d{7}", DIGIT_RULE(10), .start = s37_start,
		.flags = SCAN_RF_BOUND_ALNUM, .validate = scan_valid_phone,
		.conf = SCAN_CONF_LOW, .context = ctx_phone, .conf_ctx = SCAN_CONF_MEDIUM,
		.negative = neg_number, .priority = 3,
	},
	{
		/* trunk-0 national numbers: UK 020 7946 0000, DE 030 1234567, FR 01 42 68 53 00,
		 * IL 09-7625400, JP 090-1234-5678 */
		.id = "phone-national", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = "\\b0\\d[ .-]?\\d", .start = national_start,
		DIGIT_RULE(7), .flags = SCAN_RF_BOUND_ALNUM, .extract = phone_extract,
		.validate = phone_national_validate,
		.conf = SCAN_CONF_LOW, .context = ctx_phone, .conf_ctx = SCAN_CONF_MEDIUM,
		.negative = neg_number, .priority = 3,
	},
	{
		.id = "phone-bare", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(10), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM | SCAN_RF_NEED_CONTEXT, .extract = run_extract,
		.validate = phone_bare_validate,
		.conf = SCAN_CONF_MEDIUM, .context = ctx_phone, .negative = neg_number,
		.priority = 2,
	},
	{
		.id = "phone-cn-mobile", .type = "PHONE", .category = SCAN_CAT_PII,
		.regex = SHAPE_RUN, DIGIT_RULE(11), .start = run_start,
		.flags = SCAN_RF_BOUND_ALNUM, .extract = run_extract,
		.validate = cn_mobile_validate,
		.conf = SCAN_CONF_LOW, .context = ctx_phone, .conf_ctx = SCAN_CONF_MEDIUM,
		.negative = neg_number, .priority = 3,
	},
};

int rules_pii_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, pii_rules, sizeof(pii_rules) / sizeof(pii_rules[0]));
}
