// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * validate.c: every validator against values built for this test (check
 * digits computed from the published algorithms), good and bad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "validate.h"

typedef int (*vfn)(const char *, size_t);

static void expect_all(vfn f, const char *const *good, const char *const *bad)
{
	size_t i;

	for (i = 0; good && good[i]; i++) {
		if (f(good[i], strlen(good[i])) != 1)
			fail_msg("expected valid: \"%s\"", good[i]);
	}
	for (i = 0; bad && bad[i]; i++) {
		if (f(bad[i], strlen(bad[i])) != 0)
			fail_msg("expected invalid: \"%s\"", bad[i]);
	}
}

static void test_luhn(void **state)
{
	static const char *const good[] = { "79927398713", "4111 1111 1111 1111", NULL };
	static const char *const bad[] = { "79927398710", "4111-1111-1111-1112", "12a4", "", NULL };

	(void)state;
	/* "0" is a single digit: below the two-digit minimum */
	assert_int_equal(scan_valid_luhn("0", 1), 0);
	expect_all(scan_valid_luhn, good, bad);
}

static void test_card(void **state)
{
	static const char *const good[] = {
		"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
		"5500 0000 0000 0004",          /* Mastercard test range */
		"3400 000000 00009",            /* Amex 4-6-5 */
		"3000 000000 0004",             /* Diners 4-6-4 */
		"4222222222222",                /* 13 digits */
		NULL,
	};
	static const char *const bad[] = {
		"4111111111111112",             /* Luhn */
		"4111-1111 1111-1111",          /* mixed separators */
		"4111  1111 1111 1111",         /* double space */
		"41111 111 1111 1111",          /* not a printed grouping */
		"411111111111",                 /* 12 digits */
		"41111111111111111111",         /* 20 digits */
		"0000000000000000",             /* zeros pass Luhn, not a card */
		"8888888888888888",
		"-4111111111111111",
		NULL,
	};

	(void)state;
	expect_all(scan_valid_card, good, bad);
}

static void test_iban(void **state)
{
	static const char *const good[] = {
		"DE64500105179423184711", "DE64 5001 0517 9423 1847 11",
		"GB42ABCD12345612345678", "NO7112345678903", "FR7630006000011234567890189",
		"FR76 3000 6000 0112 3456 7890 189",
		NULL,
	};
	static const char *const bad[] = {
		"DE65500105179423184711",       /* check digits */
		"DE6450010517942318471",        /* DE is 22 long */
		"de64500105179423184711",       /* lower case */
		"DE64 50010517 9423184711",     /* groups of four only */
		"DE64  5001 0517 9423 1847 11",
		"XX64500105179423184711",       /* no such country */
		"GB42ABCD1234561234567!",
		NULL,
	};

	(void)state;
	expect_all(scan_valid_iban, good, bad);
}

static void test_ssn(void **state)
{
	static const char *const good[] = {
		"536-22-8726", "536 22 8726", "536.22.8726", "536228726", "001-01-0001", NULL,
	};
	static const char *const bad[] = {
		"000-22-8726", "666-22-8726", "900-22-8726", "999-22-8726", /* area */
		"536-00-8726",                  /* group */
		"536-22-0000",                  /* serial */
		"078-05-1120", "123-45-6789", "219-09-9999", /* published, never issued */
		"111-11-1111",                  /* one digit */
		"536-22.8726", "536-228726",    /* delimiters */
		"5362-2-8726", "53622872", "5362287261",
		NULL,
	};
	static const char *const loose_good[] = { "536-228726", "53622-8726", NULL };
	static const char *const loose_bad[] = { "536-22-8726", "000-228726", "53622 8726", NULL };

	(void)state;
	expect_all(scan_valid_us_ssn, good, bad);
	expect_all(scan_valid_us_ssn_loose, loose_good, loose_bad);
}

static void test_itin(void **state)
{
	static const char *const good[] = {
		"912-70-3456", "912 50 3456", "912653456", "900-88-0001", "999-90-1234",
		"912-94-3456", "912-99-3456", NULL,
	};
	static const char *const bad[] = {
		"812-70-3456",                  /* must start with 9 */
		"912-69-3456", "912-89-3456", "912-93-3456", "912-49-3456", /* group ranges */
		"912-70.3456", NULL,
	};
	static const char *const loose_good[] = { "912-703456", "91270-3456", NULL };

	(void)state;
	expect_all(scan_valid_us_itin, good, bad);
	expect_all(scan_valid_us_itin_loose, loose_good, NULL);
}

static void test_aba(void **state)
{
	static const char *const good[] = { "070554120", "021356416", "0705-5412-0", NULL };
	static const char *const bad[] = {
		"070554121",                    /* checksum */
		"470554128",                    /* prefix 47 is not a Fed district */
		"000000000", "0705 5412 0", "07055412", "0705-54120", NULL,
	};

	(void)state;
	expect_all(scan_valid_aba, good, bad);
}

static void test_nhs(void **state)
{
	static const char *const good[] = { "1365321339", "136 532 1339", "514-944-9210", NULL };
	static const char *const bad[] = {
		"1365321338", "136 532-1339", "13653213", "1111111111", "13 6532 1339", NULL,
	};

	(void)state;
	expect_all(scan_valid_uk_nhs, good, bad);
}

static void test_nino(void **state)
{
	static const char *const good[] = {
		"JG103729A", "JG 10 37 29 A", "jg 10 37 29 a", "JG 103729 A", "CE123456D", NULL,
	};
	static const char *const bad[] = {
		"DG103729A", "FG103729A", "QG103729A", "UG103729A", "VG103729A", /* first letter */
		"JO103729A", "JD103729A",       /* second letter */
		"GB103729A", "BG103729A", "NK103729A", "KN103729A", "TN103729A", "NT103729A", "ZZ103729A",
		"JG103729E",                    /* suffix */
		"JG1037291", "JG10372A", "JG  10 37 29 A", "J G103729A", NULL,
	};

	(void)state;
	expect_all(scan_valid_uk_nino, good, bad);
}

static void test_crypto(void **state)
{
	static const char *const good[] = {
		"1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt",           /* P2PKH */
		"3PxjGvgHrnrQa8JfMH44kuqnqs9CbVMSQ7",           /* P2SH */
		"bc1qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvk",   /* v0, 20 bytes */
		"bc1qqt36490u5yh0fd60kpj7evmxzz02d86r3g5xzmn2lg0k9fppafjsxhcwjx", /* v0, 32 bytes */
		"bc1ppd08298cvhw0p4yplh2h0jqs0nx6h8llprd9mg7xhqcexk64vctq6w0t34", /* v1 bech32m */
		"BC1QPK88H77AULW7NLAM7M8JN75AM8TVTFWMSEMTVK",   /* upper case is allowed */
		NULL,
	};
	static const char *const bad[] = {
		"1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYu",           /* checksum */
		"1DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt2",          /* extra character */
		"1Dqzhua0Kh7mQFWhK7ec5HnfPMjBjrTjYt",           /* '0' is not base58 */
		"2DqzhuaNKh7mQFWhK7ec5HnfPMjBjrTjYt",
		"bc1qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvm",   /* checksum */
		"bc1Qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvk",   /* mixed case */
		"bc1ppd08298cvhw0p4yplh2h0jqs0nx6h8llprd9mg7xhqcexk64vctq6w0t3q",
		"tb1qpk88h77aulw7nlam7m8jn75am8tvtfwmsemtvk",   /* testnet prefix */
		"8f953371d3e85eddb89b05ed6b9e680791055315", "",
		"1111111111111111111111111111111111",          /* found by fuzz_scan */
		NULL,
	};

	(void)state;
	expect_all(scan_valid_crypto, good, bad);
}

static void test_ip(void **state)
{
	static const char *const good[] = {
		"10.1.2.3", "255.255.255.255", "0.0.0.0", "::", "::1", "fe80::1%eth0",
		"2001:db8:0:0:1:0:0:1", "::ffff:10.1.2.3", "64:ff9b::10.1.2.3",
		"1:2:3:4:5:6:7:8", NULL,
	};
	static const char *const bad[] = {
		"256.1.2.3", "10.1.2", "10.01.2.3", "1.2.3.4.5", "1:2:3:4", ":::", "2001::db8::1",
		"12345::1", "fe80::1%", "fe80::1%eth0 x", "gggg::1", "1.2.3.4 ", NULL,
	};

	(void)state;
	expect_all(scan_valid_ip, good, bad);
}

/*
 * The IP validators parse by hand what inet_pton() parsed: its rules at
 * the edges (leading zeros, 5 hex digits, where "::" and a dotted quad
 * may go), and a NUL, which ends the string for inet_pton().
 */
static void test_ip_pton_edges(void **state)
{
	static const char *const good[] = {
		"1.2.3.4", "0.10.100.255", "::0.0.0.0", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4", "ffff:FFFF::abcd", "0:0:0:0:0:0:0:0",
		"::1%a.b_c-d", "1:2:3:4:5::8", NULL,
	};
	static const char *const bad[] = {
		"1.2.3.04", "1.2.3.256", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.999", "1.2.3.-4",
		"1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", ":1::2", "1:",
		"1:2:3:4:5:6:7:", "::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "1::2::3", "::12345",
		"1:2:3:4:5:6:7:8%", "::1%zone!", ":", "1.2.3.4::", "::1.2.3.4:5", NULL,
	};
	/* what inet_pton() sees ends at the NUL; the leading-zero rule reads to len */
	static const char v4_nul[] = "1.2.3.4\0xyz";
	static const char v4_nul_zero[] = "1.2.3.4\0.01";
	static const char v4_nul_short[] = "1.2.3\0.4";
	static const char v6_nul[] = "::1\0zz";

	(void)state;
	expect_all(scan_valid_ip, good, bad);
	assert_int_equal(scan_valid_ipv4(v4_nul, sizeof(v4_nul) - 1), 1);
	assert_int_equal(scan_valid_ipv4(v4_nul_zero, sizeof(v4_nul_zero) - 1), 0);
	assert_int_equal(scan_valid_ipv4(v4_nul_short, sizeof(v4_nul_short) - 1), 0);
	assert_int_equal(scan_valid_ipv6(v6_nul, sizeof(v6_nul) - 1), 1);
	/* the span, not the string: "1.2.3.4" inside a longer buffer */
	assert_int_equal(scan_valid_ipv4("1.2.3.45", 7), 1);
	assert_int_equal(scan_valid_ipv4("1.2.3.4", 6), 0);
	assert_int_equal(scan_valid_ipv6("::1:2", 3), 1);
	assert_int_equal(scan_valid_ipv6("1:2::", 4), 0);
}

static void test_mac(void **state)
{
	static const char *const good[] = {
		"00:1b:44:11:3a:b7", "00-1B-44-11-3A-B7", "001b.4411.3ab7", "ff:ff:ff:ff:ff:fe", NULL,
	};
	static const char *const bad[] = {
		"00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF", "00:1b:44-11:3a:b7", "00:1b:44:11:3a",
		"00:1b:44:11:3a:bg", "001b.4411-3ab7", "001b44113ab7", NULL,
	};

	(void)state;
	expect_all(scan_valid_mac, good, bad);
}

static void test_phone(void **state)
{
	static const char *const good[] = {
		"(212) 736-5000", "+1 212 736 5000", "+44 20 7946 0000", "020 7946 0321",
		"+49 30 901820", "06 12 34 56 78", "9876543", NULL,
	};
	static const char *const bad[] = {
		"123456", "+0 212 736 5000", "1234567890123456", "5555555", "(212) 777-7777",
		NULL,
	};

	(void)state;
	expect_all(scan_valid_phone, good, bad);
}

static void test_email_host(void **state)
{
	static const char *const good[] = {
		"a@b.co", "first.last+tag@mail.example.org", "x@xn--bcher-kva.xn--p1ai",
		"o'brien@example.ie", NULL,
	};
	static const char *const bad[] = {
		"@b.co", "a@b", "a@.co", "a@b..co", ".a@b.co", "a.@b.co", "a..b@c.co", "a@-b.co",
		"a@b.c", "a@b.c0m", "a b@c.co", NULL,
	};
	static const char *const hosts[] = { "example.com", "a-b.c.example.travel", NULL };
	static const char *const bad_hosts[] = { "example", "example.", ".com", "ex_ample.com", NULL };

	(void)state;
	expect_all(scan_valid_email, good, bad);
	expect_all(scan_valid_hostname, hosts, bad_hosts);
}

static void test_guid(void **state)
{
	static const char *const good[] = { "3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f35", NULL };
	static const char *const bad[] = {
		"00000000-0000-0000-0000-000000000000", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
		"3f2b8a4e1c9d-4e7a-9b6f-0d2c4a8e1f35", "3f2b8a4e-1c9d-4e7a-9b6f-0d2c4a8e1f3g", NULL,
	};

	(void)state;
	expect_all(scan_valid_guid, good, bad);
}

static void test_ci_contains(void **state)
{
	(void)state;
	assert_true(scan_ci_contains("A_HERE", 6, "_here"));
	assert_true(scan_ci_contains("x${Y}", 5, "${"));
	assert_true(scan_ci_contains("PassWord=1", 10, "password="));
	assert_true(scan_ci_contains("abc", 3, "ABC"));
	assert_true(scan_ci_contains("", 0, ""));
	/* the span ends at len, not at a NUL */
	assert_false(scan_ci_contains("tokenx", 4, "token"));
	assert_false(scan_ci_contains("ab", 2, "abc"));
	/* only ASCII letters fold: '_' is not 0x7f, '@' is not '`' */
	assert_false(scan_ci_contains("\x7fhere", 5, "_here"));
	assert_false(scan_ci_contains("`x", 2, "@x"));
}

static void test_digits(void **state)
{
	char d[4];

	(void)state;
	assert_int_equal(scan_digits("a1-2 3x45", 9, d, sizeof(d)), 5);
	assert_memory_equal(d, "1234", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luhn),   cmocka_unit_test(test_card),
		cmocka_unit_test(test_iban),   cmocka_unit_test(test_ssn),
		cmocka_unit_test(test_itin),   cmocka_unit_test(test_aba),
		cmocka_unit_test(test_nhs),    cmocka_unit_test(test_nino),
		cmocka_unit_test(test_crypto), cmocka_unit_test(test_ip),
		cmocka_unit_test(test_ip_pton_edges),
		cmocka_unit_test(test_mac),    cmocka_unit_test(test_phone),
		cmocka_unit_test(test_email_host), cmocka_unit_test(test_guid),
		cmocka_unit_test(test_digits), cmocka_unit_test(test_ci_contains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
