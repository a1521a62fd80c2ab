/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Validators: checksums and structural rules that turn a regex candidate
 * into a finding (Presidio's validate_result).  Each has the scan_validate_fn
 * shape: the candidate bytes in, 1 (valid) or 0 (invalid) out.  They never
 * allocate and never read past len.  Separators are accepted only where the
 * format has them, and must be consistent ("4111-1111 1111-1111" is not a
 * card number anyone typed).
 */
#ifndef AIRLOCK_SCAN_VALIDATE_H
#define AIRLOCK_SCAN_VALIDATE_H

#include <stddef.h>

/* Luhn over the digits of s (spaces and dashes skipped); 0 for < 2 digits. */
int scan_valid_luhn(const char *s, size_t len);
/* 13-19 digits, consistent ' '/'-' separators, issuer prefix and length, Luhn. */
int scan_valid_card(const char *s, size_t len);
/* ISO 13616: country length table, upper-case, mod 97 == 1; ' ' or '-' every 4. */
int scan_valid_iban(const char *s, size_t len);
/* IBAN length for a country code (two upper-case letters), 0 when it has none. */
int scan_iban_length(const char *cc);
/* US SSN: ddd-dd-dddd (same separator: '-', ' ', '.'), or 9 digits. */
int scan_valid_us_ssn(const char *s, size_t len);
/* SSN/ITIN written ddd-dddddd or ddddd-dddd: only the digit rules apply. */
int scan_valid_us_ssn_loose(const char *s, size_t len);
int scan_valid_us_itin(const char *s, size_t len);
int scan_valid_us_itin_loose(const char *s, size_t len);
/* ABA routing: 9 digits (or dddd-dddd-d), 3-7-1 weights, Fed prefix ranges. */
int scan_valid_aba(const char *s, size_t len);
/* UK NHS: 10 digits (3-3-4 with one separator kind), mod-11 check digit. */
int scan_valid_uk_nhs(const char *s, size_t len);
/* UK NINO: two prefix letters, six digits (pairs may be spaced), suffix A-D. */
int scan_valid_uk_nino(const char *s, size_t len);
/* Bitcoin P2PKH/P2SH base58check (double SHA-256), or bech32/bech32m segwit. */
int scan_valid_btc_base58(const char *s, size_t len);
int scan_valid_btc_bech32(const char *s, size_t len);
int scan_valid_crypto(const char *s, size_t len);
/* IPv4 dotted quad, no leading zeros. */
int scan_valid_ipv4(const char *s, size_t len);
/* IPv6 incl. embedded IPv4; a "%zone" suffix is stripped first. */
int scan_valid_ipv6(const char *s, size_t len);
int scan_valid_ip(const char *s, size_t len);
/* MAC: six hex pairs with ':' or '-' throughout, or xxxx.xxxx.xxxx; not all 0 or all F. */
int scan_valid_mac(const char *s, size_t len);
/* Phone shape: 7-15 digits, E.164 country code not 0, no run of 7 equal digits. */
int scan_valid_phone(const char *s, size_t len);
/* E-mail: local <= 64, domain <= 253, labels 1-63 without edge '-', a real TLD shape. */
int scan_valid_email(const char *s, size_t len);
/* Host name with a TLD: labels as above, TLD alphabetic (or xn--). */
int scan_valid_hostname(const char *s, size_t len);
/*
 * One of the TLDs a bare host name ("example.com", no scheme) may end in:
 * common ones that are not also common words or file extensions (.py,
 * .sh, .md, .rs, .so), any case.
 */
int scan_known_tld(const char *s, size_t len);
/* GUID 8-4-4-4-12 hex, not nil, not all one digit. */
/* 8-4-4-4-12 hex digits, nothing more. */
int scan_guid_shaped(const char *s, size_t len);
/* A GUID shape that is not all zeros nor one repeated digit. */
int scan_valid_guid(const char *s, size_t len);

/* s[0..len) holds w (NUL-terminated), ASCII letters in either case; "" is in any span. */
int scan_ci_contains(const char *s, size_t len, const char *w);

/* Digits of s into out (at most cap), returns the count (may exceed cap). */
size_t scan_digits(const char *s, size_t len, char *out, size_t cap);

/* Base64 digit value, standard or URL-safe alphabet; -1 for anything else. */
int scan_b64_value(unsigned char c);
/* Decode s[0..len) (either alphabet, no padding needed) into out, at most
 * cap bytes, stopping at the first non-base64 byte; returns bytes written. */
size_t scan_b64_decode(const char *s, size_t len, char *out, size_t cap);

#endif /* AIRLOCK_SCAN_VALIDATE_H */
