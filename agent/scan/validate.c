// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Checksums and structural rules for PII candidates.  A regex only proposes
 * a shape; these decide.  Presidio's experience (pii-anchors.md §1, §7) is
 * that a checksum is what separates a card number from an order id.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "simd.h"

#include "validate.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || is_upper(c);
}

static int is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

size_t scan_digits(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			continue;
		if (n < cap)
			out[n] = s[i];
		n++;
	}
	return n;
}

/* Is c one of the bytes of seps (never the NUL)?  strchr() without the call. */
static int is_sep(const char *seps, char c)
{
	for (; *seps; seps++)
		if (*seps == c)
			return 1;
	return 0;
}

/*
 * Split s into digit groups separated by single separator bytes.  Returns
 * the number of groups (0 on a malformed string: a separator at the edge,
 * two in a row, a byte outside digits and `seps`, or separators that
 * differ).  Group lengths go to glen[] (up to max).
 */
static size_t digit_groups(const char *s, size_t len, const char *seps,
			   size_t *glen, size_t max, char *ret_sep)
{
	size_t i, n = 0, cur = 0;
	char sep = 0;

	for (i = 0; i < len; i++) {
		if (is_digit(s[i])) {
			cur++;
			continue;
		}
		if (!is_sep(seps, s[i]) || !cur)
			return 0;
		if (sep && s[i] != sep)
			return 0;
		sep = s[i];
		if (n < max)
			glen[n] = cur;
		n++;
		cur = 0;
	}
	if (!cur)
		return 0;
	if (n < max)
		glen[n] = cur;
	n++;
	if (ret_sep)
		*ret_sep = sep;
	return n;
}

static int all_same(const char *d, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (d[i] != d[0])
			return 0;
	return 1;
}

/* --- cards ------------------------------------------------------------------ */

static int luhn_digits(const char *d, size_t n)
{
	unsigned int sum = 0;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned int v = (unsigned int)(d[n - 1 - i] - '0');

		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

int scan_valid_luhn(const char *s, size_t len)
{
	char d[64];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (is_digit(s[i])) {
			if (n == sizeof(d))
				return 0;
			d[n++] = s[i];
		} else if (s[i] != ' ' && s[i] != '-') {
			return 0;
		}
	}
	return luhn_digits(d, n);
}

/*
 * Issuer prefixes and the lengths each network issues (public IIN
 * ranges).  Luhn alone passes one random number in ten; the prefix and
 * length rule out most of the rest.
 */
static int card_brand_ok(const char *d, size_t n)
{
	unsigned int p2 = (unsigned int)((d[0] - '0') * 10 + (d[1] - '0'));
	unsigned int p4 = p2 * 100 + (unsigned int)((d[2] - '0') * 10 + (d[3] - '0'));

	switch (d[0]) {
	case '1':
		return n == 15;                                 /* UATP */
	case '2':
		if (p4 >= 2221 && p4 <= 2720)
			return n == 16;                         /* Mastercard 2-series */
		return p4 >= 2200 && p4 <= 2204 && n >= 16;     /* Mir */
	case '3':
		if (p2 == 34 || p2 == 37)
			return n == 15;                         /* Amex */
		if (p4 >= 3528 && p4 <= 3589)
			return n >= 16;                         /* JCB */
		if ((p4 >= 3000 && p4 <= 3059) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39)
			return n >= 14;                         /* Diners */
		return 0;
	case '4':
		return n == 13 || n == 16 || n == 19;           /* Visa */
	case '5':
		if (p2 >= 51 && p2 <= 55)
			return n == 16;                         /* Mastercard */
		return n >= 12;                                 /* Maestro, Dankort */
	case '6':
		return n >= 14;                                 /* Discover, UnionPay, Maestro, RuPay */
	case '8':
		return (p2 == 81 || p2 == 82) && n == 16;       /* RuPay */
	}
	return 0;
}

int scan_valid_card(const char *s, size_t len)
{
	size_t glen[8], ng;
	char d[20];
	size_t n;

	ng = digit_groups(s, len, " -", glen, 8, NULL);
	if (!ng || ng > 5)
		return 0;
	n = scan_digits(s, len, d, sizeof(d));
	if (n < 13 || n > 19 || all_same(d, n) || !card_brand_ok(d, n))
		return 0;
	if (ng > 1) {
		/* grouped as printed on cards: 4-4-4-4(-3), 4-6-5 (Amex), 4-6-4 (Diners) */
		size_t i;
		int fours = 1;

		for (i = 0; i + 1 < ng; i++)
			if (glen[i] != 4)
				fours = 0;
		if (!(fours && glen[ng - 1] >= 1 && glen[ng - 1] <= 4) &&
		    !(ng == 3 && glen[0] == 4 && glen[1] == 6 && (glen[2] == 4 || glen[2] == 5)))
			return 0;
	}
	return luhn_digits(d, n);
}

/* --- IBAN -------------------------------------------------------------------- */

struct iban_country {
	char cc[3];
	unsigned char len;
};

/* ISO 13616 registry lengths (SWIFT IBAN registry, public). */
static const struct iban_country iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 },
	{ "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BI", 27 }, { "BR", 29 }, { "BY", 28 },
	{ "CH", 21 }, { "CR", 22 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DJ", 27 },
	{ "DK", 18 }, { "DO", 28 }, { "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 },
	{ "FK", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 },
	{ "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 },
	{ "IL", 23 }, { "IQ", 23 }, { "IS", 26 }, { "IT", 27 }, { "JO", 30 }, { "KW", 30 },
	{ "KZ", 20 }, { "LB", 28 }, { "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 },
	{ "LV", 21 }, { "LY", 25 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
	{ "MN", 20 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NI", 28 }, { "NL", 18 },
	{ "NO", 15 }, { "OM", 23 }, { "PK", 24 }, { "PL", 28 }, { "PS", 29 }, { "PT", 25 },
	{ "QA", 29 }, { "RO", 24 }, { "RS", 22 }, { "RU", 33 }, { "SA", 24 }, { "SC", 31 },
	{ "SD", 18 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "SO", 23 },
	{ "ST", 25 }, { "SV", 28 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
	{ "VA", 22 }, { "VG", 24 }, { "XK", 20 },
};

int scan_iban_length(const char *cc)
{
	size_t lo = 0, hi = sizeof(iban_lengths) / sizeof(iban_lengths[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(cc, iban_lengths[mid].cc, 2);

		if (!c)
			return iban_lengths[mid].len;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int scan_valid_iban(const char *s, size_t len)
{
	char v[40], sep = 0;
	size_t i, n = 0, group = 0;
	unsigned int rem = 0;

	/* compact form, or groups of four separated by single spaces (or dashes) */
	for (i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '-') {
			if (group != 4 || (sep && s[i] != sep))
				return 0;
			sep = s[i];
			group = 0;
			continue;
		}
		group++;
		if (!is_digit(s[i]) && !is_upper(s[i]))
			return 0;
		if (n == sizeof(v))
			return 0;
		v[n++] = s[i];
	}
	if (n < 15 || !is_upper(v[0]) || !is_upper(v[1]) || !is_digit(v[2]) || !is_digit(v[3]))
		return 0;
	if (scan_iban_length(v) != (int)n)
		return 0;
	/* move the first four to the end, letters become 10..35, mod 97 piecewise */
	for (i = 0; i < n; i++) {
		char c = v[(i + 4) % n];

		if (is_digit(c))
			rem = (rem * 10 + (unsigned int)(c - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned int)(c - 'A' + 10)) % 97;
	}
	return rem == 1;
}

/* --- US SSN, ITIN ------------------------------------------------------------ */

/*
 * ddd-dd-dddd with one separator kind (or none).  On success the nine
 * digits are in d.
 */
static int ssn_shape(const char *s, size_t len, char d[9])
{
	size_t glen[4], ng;

	ng = digit_groups(s, len, "- .", glen, 4, NULL);
	if (ng == 1 && glen[0] == 9)
		;
	else if (!(ng == 3 && glen[0] == 3 && glen[1] == 2 && glen[2] == 4))
		return 0;
	scan_digits(s, len, d, 9);
	return 1;
}

/* ddd-dddddd or ddddd-dddd: seen in the wild, never the printed form. */
static int loose_shape(const char *s, size_t len, char d[9])
{
	size_t glen[3], ng;

	ng = digit_groups(s, len, "-", glen, 3, NULL);
	if (ng != 2 || !((glen[0] == 3 && glen[1] == 6) || (glen[0] == 5 && glen[1] == 4)))
		return 0;
	scan_digits(s, len, d, 9);
	return 1;
}

static int ssn_digits_ok(const char d[9])
{
	static const char *const known_invalid[] = {
		"078051120",    /* the Woolworth wallet card */
		"219099999",    /* SSA advertisement */
		"123456789",
		"987654320",
	};
	size_t i;

	if (!memcmp(d, "000", 3) || !memcmp(d, "666", 3) || d[0] == '9')
		return 0;
	if (!memcmp(d + 3, "00", 2) || !memcmp(d + 5, "0000", 4))
		return 0;
	if (all_same(d, 9))
		return 0;
	for (i = 0; i < sizeof(known_invalid) / sizeof(known_invalid[0]); i++)
		if (!memcmp(d, known_invalid[i], 9))
			return 0;
	return 1;
}

int scan_valid_us_ssn(const char *s, size_t len)
{
	char d[9];

	return ssn_shape(s, len, d) && ssn_digits_ok(d);
}

int scan_valid_us_ssn_loose(const char *s, size_t len)
{
	char d[9];

	return loose_shape(s, len, d) && ssn_digits_ok(d);
}

static int itin_digits_ok(const char d[9])
{
	int group = (d[3] - '0') * 10 + (d[4] - '0');

	if (d[0] != '9')
		return 0;
	return (group >= 50 && group <= 65) || (group >= 70 && group <= 88) ||
	       (group >= 90 && group <= 92) || (group >= 94 && group <= 99);
}

int scan_valid_us_itin(const char *s, size_t len)
{
	char d[9];

	return ssn_shape(s, len, d) && itin_digits_ok(d);
}

int scan_valid_us_itin_loose(const char *s, size_t len)
{
	char d[9];

	return loose_shape(s, len, d) && itin_digits_ok(d);
}

/* --- ABA routing number ------------------------------------------------------ */

int scan_valid_aba(const char *s, size_t len)
{
	static const unsigned int w[9] = { 3, 7, 1, 3, 7, 1, 3, 7, 1 };
	size_t glen[4], ng, i;
	unsigned int sum = 0, prefix;
	char d[9];

	ng = digit_groups(s, len, "-", glen, 4, NULL);
	if (!(ng == 1 && glen[0] == 9) && !(ng == 3 && glen[0] == 4 && glen[1] == 4 && glen[2] == 1))
		return 0;
	scan_digits(s, len, d, 9);
	/* Federal Reserve routing symbols: 00-12, 21-32 (thrift), 61-72 (electronic), 80 */
	prefix = (unsigned int)((d[0] - '0') * 10 + (d[1] - '0'));
	if (!(prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) ||
	      prefix == 80))
		return 0;
	if (all_same(d, 9))
		return 0;
	for (i = 0; i < 9; i++)
		sum += w[i] * (unsigned int)(d[i] - '0');
	return sum % 10 == 0;
}

/* --- UK ---------------------------------------------------------------------- */

int scan_valid_uk_nhs(const char *s, size_t len)
{
	size_t glen[4], ng, i;
	unsigned int sum = 0, check;
	char d[10];

	ng = digit_groups(s, len, " -", glen, 4, NULL);
	if (!(ng == 1 && glen[0] == 10) && !(ng == 3 && glen[0] == 3 && glen[1] == 3 && glen[2] == 4))
		return 0;
	scan_digits(s, len, d, 10);
	if (all_same(d, 10))
		return 0;
	for (i = 0; i < 9; i++)
		sum += (unsigned int)(d[i] - '0') * (unsigned int)(10 - i);
	check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10)
		return 0;
	return check == (unsigned int)(d[9] - '0');
}

int scan_valid_uk_nino(const char *s, size_t len)
{
	static const char *const bad_prefix[] = { "BG", "GB", "KN", "NK", "NT", "TN", "ZZ" };
	char v[9];
	size_t i, n = 0;
	char sep = 0;

	/* AB123456C, AB 12 34 56 C, AB 123456 C: spaces only between parts */
	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (n != 2 && n != 4 && n != 6 && n != 8)
				return 0;
			if (i + 1 < len && s[i + 1] == ' ')
				return 0;
			sep = ' ';
			continue;
		}
		if (n == sizeof(v) || !is_alnum(s[i]))
			return 0;
		v[n++] = upper(s[i]);
	}
	(void)sep;
	if (n != 9)
		return 0;
	if (!is_upper(v[0]) || !is_upper(v[1]) || !is_upper(v[8]))
		return 0;
	for (i = 2; i < 8; i++)
		if (!is_digit(v[i]))
			return 0;
	if (strchr("DFIQUV", v[0]) || strchr("DFIOQUV", v[1]))
		return 0;
	for (i = 0; i < sizeof(bad_prefix) / sizeof(bad_prefix[0]); i++)
		if (!memcmp(v, bad_prefix[i], 2))
			return 0;
	return v[8] >= 'A' && v[8] <= 'D';
}

/* --- Bitcoin ----------------------------------------------------------------- */

static int sha256(const void *in, size_t len, unsigned char out[32])
{
	unsigned int olen = 0;

	return EVP_Digest(in, len, out, &olen, EVP_sha256(), NULL) == 1 && olen == 32;
}

int scan_valid_btc_base58(const char *s, size_t len)
{
	static const char alphabet[] =
		"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	unsigned char bin[25] = { 0 };
	unsigned char h1[32], h2[32];
	size_t i, j;

	if (len < 26 || len > 35 || (s[0] != '1' && s[0] != '3'))
		return 0;
	/* big-endian base-58 to base-256 into exactly 25 bytes */
	for (i = 0; i < len; i++) {
		const char *p = memchr(alphabet, s[i], sizeof(alphabet) - 1);
		unsigned int carry;

		if (!p)
			return 0;
		carry = (unsigned int)(p - alphabet);
		for (j = sizeof(bin); j-- > 0;) {
			carry += 58u * bin[j];
			bin[j] = (unsigned char)carry;
			carry >>= 8;
		}
		if (carry)
			return 0;    /* more than 25 bytes */
	}
	/* leading '1's are leading zero bytes: the counts must agree */
	for (i = 0; i < len && i < sizeof(bin) && s[i] == '1'; i++)
		if (bin[i])
			return 0;
	if (i < sizeof(bin) && !bin[i] && i < len)
		return 0;
	if (bin[0] != 0x00 && bin[0] != 0x05)
		return 0;
	if (!sha256(bin, 21, h1) || !sha256(h1, 32, h2))
		return 0;
	return !memcmp(h2, bin + 21, 4);
}

static uint32_t bech32_polymod(const unsigned char *v, size_t n)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint32_t chk = 1;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		uint32_t top = chk >> 25;

		chk = ((chk & 0x1ffffff) << 5) ^ v[i];
		for (k = 0; k < 5; k++)
			if ((top >> k) & 1)
				chk ^= gen[k];
	}
	return chk;
}

int scan_valid_btc_bech32(const char *s, size_t len)
{
	static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	unsigned char v[100];
	size_t i, n = 0, hrp_len = 2, data_len, prog_bits, prog_len;
	uint32_t pm;
	int lower = 0, upper_seen = 0, version;

	if (len < 14 || len > 74)
		return 0;
	if (upper(s[0]) != 'B' || upper(s[1]) != 'C' || s[2] != '1')
		return 0;
	data_len = len - 3;
	/* version + 2..40 program bytes (4..64 characters) + 6 checksum characters */
	if (data_len < 1 + 4 + 6 || data_len > 1 + 64 + 6)
		return 0;
	/* hrp expansion: high bits, 0, low bits */
	for (i = 0; i < hrp_len; i++)
		v[n++] = (unsigned char)((s[i] | 0x20) >> 5);
	v[n++] = 0;
	for (i = 0; i < hrp_len; i++)
		v[n++] = (unsigned char)((s[i] | 0x20) & 31);
	for (i = 3; i < len; i++) {
		const char *p;
		char c = s[i];

		if (is_upper(c)) {
			upper_seen = 1;
			c = (char)(c + 32);
		} else if (is_alpha(c)) {
			lower = 1;
		}
		p = memchr(charset, c, sizeof(charset) - 1);
		if (!p)
			return 0;
		v[n++] = (unsigned char)(p - charset);
	}
	for (i = 0; i < hrp_len; i++) {
		if (is_upper(s[i]))
			upper_seen = 1;
		else
			lower = 1;
	}
	if (lower && upper_seen)
		return 0;    /* mixed case is invalid in bech32 */
	version = v[2 * hrp_len + 1];
	pm = bech32_polymod(v, n);
	if (version == 0 ? pm != 1 : pm != 0x2bc830a3)
		return 0;
	if (version > 16)
		return 0;
	/* witness program: 5-bit groups minus version and checksum, to bytes */
	prog_bits = (data_len - 1 - 6) * 5;
	prog_len = prog_bits / 8;
	if (prog_bits % 8 >= 5)
		return 0;    /* more than 4 bits of padding */
	if (prog_len < 2 || prog_len > 40)
		return 0;
	if (version == 0 && prog_len != 20 && prog_len != 32)
		return 0;
	return 1;
}

int scan_valid_crypto(const char *s, size_t len)
{
	if (len >= 3 && upper(s[0]) == 'B' && upper(s[1]) == 'C' && s[2] == '1')
		return scan_valid_btc_bech32(s, len);
	return scan_valid_btc_base58(s, len);
}

/* --- IP, MAC ----------------------------------------------------------------- */

/*
 * inet_pton() for the two address families, on s[0..end) without the copy
 * and NUL it needs: glibc's parsers (resolv/inet_pton.c), which decide
 * what an address is here, step for step.  A NUL ends the string for
 * inet_pton(); the callers cut there first.
 */
/* 1 or 0 as inet_pton(AF_INET); -1 at a NUL, which ends the string for it. */
static int pton4(const char *s, const char *end)
{
	unsigned int octet = 0, octets = 0;
	int saw_digit = 0;

	while (s < end) {
		char c = *s++;

		if (is_digit(c)) {
			unsigned int v = octet * 10 + (unsigned int)(c - '0');

			/* no leading zeros, nothing above 255 */
			if ((saw_digit && !octet) || v > 255)
				return 0;
			octet = v;
			if (!saw_digit) {
				if (++octets > 4)
					return 0;
				saw_digit = 1;
			}
		} else if (c == '.' && saw_digit) {
			if (octets == 4)
				return 0;
			octet = 0;
			saw_digit = 0;
		} else {
			return c ? 0 : -1;
		}
	}
	return octets >= 4;
}

static int pton6(const char *s, const char *end)
{
	const char *tok;
	size_t bytes = 0, digits = 0;   /* of the 16; hex digits since the last ':' */
	int gap = 0;                    /* "::" seen */

	if (s == end)
		return 0;
	/* a leading ':' must be "::" */
	if (*s == ':' && (++s == end || *s != ':'))
		return 0;
	tok = s;
	while (s < end) {
		char c = *s++;

		if (hex_val(c) >= 0) {
			if (digits == 4)
				return 0;
			digits++;
			continue;
		}
		if (c == ':') {
			tok = s;
			if (!digits) {
				if (gap)
					return 0;
				gap = 1;
				continue;
			}
			/* a trailing single ':' */
			if (s == end || bytes + 2 > 16)
				return 0;
			bytes += 2;
			digits = 0;
			continue;
		}
		/* a dotted quad ends the address */
		if (c == '.' && bytes + 4 <= 16 && pton4(tok, end) > 0) {
			bytes += 4;
			digits = 0;
			break;
		}
		return 0;
	}
	if (digits) {
		if (bytes + 2 > 16)
			return 0;
		bytes += 2;
	}
	/* "::" stands for at least one zero group */
	if (gap)
		return bytes < 16;
	return bytes == 16;
}

/* Length of s[0..len) as a C string. */
static size_t c_len(const char *s, size_t len)
{
	const char *nul = memchr(s, 0, len);

	return nul ? (size_t)(nul - s) : len;
}

int scan_valid_ipv4(const char *s, size_t len)
{
	size_t i;
	int rc;

	if (len < 7 || len > 15)
		return 0;
	/*
	 * inet_pton() takes no leading zero ("01.02.03.04" is a date or a
	 * version): without a NUL in s, this is the whole check.
	 */
	rc = pton4(s, s + len);
	if (rc >= 0)
		return rc;
	/* a NUL ends the address for inet_pton(); leading zeros count to len */
	for (i = 0; i < len; i++)
		if (s[i] == '0' && (i == 0 || s[i - 1] == '.') && i + 1 < len && is_digit(s[i + 1]))
			return 0;
	return pton4(s, s + c_len(s, len)) > 0;
}

int scan_valid_ipv6(const char *s, size_t len)
{
	const char *pct = memchr(s, '%', len);

	if (pct) {
		size_t i, z = len - (size_t)(pct - s) - 1;

		if (!z || z > 16)
			return 0;
		for (i = 1; i <= z; i++)
			if (!is_alnum(pct[i]) && pct[i] != '.' && pct[i] != '_' && pct[i] != '-')
				return 0;
		len = (size_t)(pct - s);
	}
	if (len < 2 || len >= 64)
		return 0;
	return pton6(s, s + c_len(s, len));
}

int scan_valid_ip(const char *s, size_t len)
{
	return memchr(s, ':', len) ? scan_valid_ipv6(s, len) : scan_valid_ipv4(s, len);
}

int scan_valid_mac(const char *s, size_t len)
{
	unsigned int zero = 1, ones = 1;
	size_t i, groups, glen;
	char sep;

	if (len == 17) {
		sep = s[2];
		if (sep != ':' && sep != '-')
			return 0;
		groups = 6;
		glen = 2;
	} else if (len == 14) {
		sep = '.';
		groups = 3;
		glen = 4;
	} else {
		return 0;
	}
	for (i = 0; i < len; i++) {
		int h;

		if ((i + 1) % (glen + 1) == 0) {
			if (s[i] != sep)
				return 0;
			continue;
		}
		h = hex_val(s[i]);
		if (h < 0)
			return 0;
		if (h)
			zero = 0;
		if (h != 15)
			ones = 0;
	}
	(void)groups;
	return !zero && !ones;
}

/* --- phone ------------------------------------------------------------------- */

int scan_valid_phone(const char *s, size_t len)
{
	char d[20];
	size_t n, i, run = 1;

	n = scan_digits(s, len, d, sizeof(d));
	if (n < 7 || n > 15)
		return 0;
	if (len && s[0] == '+' && d[0] == '0')
		return 0;
	for (i = 1; i < n; i++) {
		/* "555-0123"-style test numbers are numbers; seven equal digits are not */
		run = d[i] == d[i - 1] ? run + 1 : 1;
		if (run >= 7)
			return 0;
	}
	return 1;
}

/* --- e-mail, host names ------------------------------------------------------ */

static int valid_label(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int valid_tld(const char *s, size_t len)
{
	size_t i;

	if (len >= 4 && (s[0] | 0x20) == 'x' && (s[1] | 0x20) == 'n' && s[2] == '-' && s[3] == '-')
		return valid_label(s, len);
	if (len < 2 || len > 24)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_alpha(s[i]))
			return 0;
	return 1;
}

static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

int scan_ci_contains(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w), i, j;
	unsigned char w0;

	if (!n)
		return 1;
	w0 = ascii_lower((unsigned char)w[0]);
	/* a one-byte test first: most positions fail it */
	for (i = 0; i + n <= len; i++) {
		if (ascii_lower((unsigned char)s[i]) != w0)
			continue;
		for (j = 1; j < n && ascii_lower((unsigned char)s[i + j]) ==
					     ascii_lower((unsigned char)w[j]); j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

/* Common TLDs that are not also common words or file extensions (.py, .sh, .md, .rs, .so). */
static const char *const bare_tlds[] = {
	"ai", "app", "at", "au", "be", "biz", "blog", "br", "ca", "ch", "cloud", "cn", "co", "com",
	"cz", "de", "dev", "dk", "edu", "email", "es", "eu", "fi", "fr", "gov", "gr", "hk", "hu",
	"ie", "il", "in", "info", "int", "io", "it", "jp", "kr", "ly", "me", "mil", "mx", "net",
	"news", "nl", "no", "nz", "online", "org", "pl", "pt", "ro", "ru", "se", "sg", "shop",
	"site", "store", "tech", "tr", "tv", "tw", "ua", "uk", "us", "xyz", "za",
};

int scan_known_tld(const char *s, size_t len)
{
	size_t lo = 0, hi = sizeof(bare_tlds) / sizeof(bare_tlds[0]), i;
	char l[8];

	if (len < 2 || len > 6)
		return 0;
	for (i = 0; i < len; i++)
		l[i] = (char)(s[i] | 0x20);
	l[len] = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(l, bare_tlds[mid]);

		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int scan_valid_hostname(const char *s, size_t len)
{
	size_t i, start = 0, labels = 0;

	if (!len || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (i == len)
			return labels >= 1 && valid_tld(s + start, i - start);
		if (!valid_label(s + start, i - start))
			return 0;
		labels++;
		start = i + 1;
	}
	return 0;
}

int scan_valid_email(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	size_t local, i;

	if (!at)
		return 0;
	local = (size_t)(at - s);
	if (!local || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		char c = s[i];

		if (c == '.' && s[i + 1] == '.')
			return 0;
		if (!is_alnum(c) && !strchr(".!#$%&'*+/=?^_`{|}~-", c))
			return 0;
	}
	return scan_valid_hostname(at + 1, len - local - 1);
}

/* --- GUID -------------------------------------------------------------------- */

/*
 * 8-4-4-4-12 hex digits.  The prefilter asks this of every dashed hex run
 * it meets, and JSON is full of them: dashes first, then three 16-byte
 * hex masks with SSE2 (one table lookup per byte AND-ed without a branch
 * elsewhere).
 */
#ifdef __SSE2__
/* Bit k: p[k] is a hex digit. */
static inline unsigned int hex16(const unsigned char *p)
{
	return scan_digit_or_letter_mask16(p, 'f');
}
#endif

int scan_guid_shaped(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-')
		return 0;
#ifdef __SSE2__
	/* bytes 0-15, 16-31, 20-35 as hex masks, the dashes checked above set */
	return (hex16(u) | 1u << 8 | 1u << 13) == 0xffff &&
	       (hex16(u + 16) | 1u << (18 - 16) | 1u << (23 - 16)) == 0xffff &&
	       (hex16(u + 20) | 1u << (23 - 20)) == 0xffff;
#else
	static const uint8_t hex[256] = {
		['0' ... '9'] = 1, ['a' ... 'f'] = 1, ['A' ... 'F'] = 1,
	};
	unsigned int ok = 1;
	size_t i;

	for (i = 0; i < 36; i++)
		ok &= hex[u[i]] | (i == 8 || i == 13 || i == 18 || i == 23);
	return (int)ok;
#endif
}

int scan_valid_guid(const char *s, size_t len)
{
	int nonzero = 0, same = 1;
	size_t i;

	if (!scan_guid_shaped(s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			continue;
		if (s[i] != '0')
			nonzero = 1;
		if (upper(s[i]) != upper(s[0]))
			same = 0;
	}
	return nonzero && !same;
}

int scan_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

size_t scan_b64_decode(const char *s, size_t len, char *out, size_t cap)
{
	unsigned int acc = 0, bits = 0;
	size_t i, o = 0;

	for (i = 0; i < len && o < cap; i++) {
		int v = scan_b64_value((unsigned char)s[i]);

		if (v < 0)
			break;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}
