/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Address prefixes: "10.0.0.0/8", "fd00::/16", or a bare address for one
 * host.  IPv4 is held IPv4-mapped (::ffff:a.b.c.d, prefix 96 + n) because
 * the trie holds it that way (include/airlock/abi.h).
 *
 * Host bits set ("10.1.2.3/8") are refused rather than masked: whoever wrote
 * that meant either the host or the network, and guessing wrong opens or
 * closes a whole /8.  The reason names the network so the fix is obvious.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

static const __u8 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Zero the bits after prefixlen; 1 if any was set. */
static int mask_host_bits(__u8 addr[16], unsigned prefixlen)
{
	int changed = 0;
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned keep = prefixlen > i * 8 ? prefixlen - i * 8 : 0;
		__u8 mask = keep >= 8 ? 0xff : (__u8)(0xff << (8 - keep));

		if (addr[i] & ~mask)
			changed = 1;
		addr[i] &= mask;
	}
	return changed;
}

static int why_set(char *why, size_t why_len, const char *fmt, const char *arg)
{
	if (why && why_len)
		snprintf(why, why_len, fmt, arg);
	return -EINVAL;
}

/* Decimal 0..max without sign, blanks or leading zeros. */
static int parse_len(const char *s, unsigned max, unsigned *ret)
{
	unsigned v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void format(const __u8 addr[16], unsigned prefixlen, int family, int with_len, char *buf,
		   size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET) {
		inet_ntop(AF_INET, addr + 12, text, sizeof(text));
		prefixlen -= 96;
	} else {
		inet_ntop(AF_INET6, addr, text, sizeof(text));
	}
	if (with_len)
		snprintf(buf, len, "%s/%u", text, prefixlen);
	else
		snprintf(buf, len, "%s", text);
}

int policy_cidr_parse(const char *s, struct policy_cidr *ret, char *why, size_t why_len)
{
	char text[INET6_ADDRSTRLEN + 8], fixed[INET6_ADDRSTRLEN + 8];
	struct policy_cidr c = { 0 };
	const char *slash;
	unsigned len, max;
	size_t alen;

	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return why_set(why, why_len, "\"%s\" is not an IPv4 or IPv6 address", s);
	memcpy(text, s, alen);
	text[alen] = '\0';

	if (strchr(text, ':')) {
		if (inet_pton(AF_INET6, text, c.addr) != 1)
			return why_set(why, why_len, "\"%s\" is not an IPv6 address", text);
		c.family = AF_INET6;
		max = 128;
	} else {
		memcpy(c.addr, v4mapped, sizeof(v4mapped));
		if (inet_pton(AF_INET, text, c.addr + 12) != 1)
			return why_set(why, why_len, "\"%s\" is not an IPv4 address (a.b.c.d)",
				       text);
		c.family = AF_INET;
		max = 32;
	}

	len = max;
	if (slash && parse_len(slash + 1, max, &len) < 0)
		return why_set(why, why_len,
			       c.family == AF_INET ? "prefix length \"%s\" is not 0-32" :
						     "prefix length \"%s\" is not 0-128",
			       slash + 1);
	c.prefixlen = (__u8)(c.family == AF_INET ? 96 + len : len);

	if (mask_host_bits(c.addr, c.prefixlen)) {
		format(c.addr, c.prefixlen, c.family, 1, fixed, sizeof(fixed));
		return why_set(why, why_len, "host bits set, did you mean %s?", fixed);
	}
	*ret = c;
	return 0;
}

int policy_key_format(const struct airlock_policy_key *key, int with_len, char *buf, size_t len)
{
	unsigned prefixlen;

	if (key->prefixlen < 32 || key->prefixlen > 32 + 128)
		return -EINVAL;
	prefixlen = key->prefixlen - 32;
	if (prefixlen >= 96 && memcmp(key->addr, v4mapped, sizeof(v4mapped)) == 0)
		format(key->addr, prefixlen, AF_INET, with_len, buf, len);
	else
		format(key->addr, prefixlen, AF_INET6, with_len, buf, len);
	return 0;
}
