/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpf/lib/decide.h on the host: the verdict precedence and default-deny,
 * key construction, and the compiled demo policy judged end to end through
 * a host longest-prefix match standing in for the kernel's LPM trie.
 */
#include <linux/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "lib/decide.h"
#include "policy.h"

static const struct airlock_config cfg_allow = { .generation = 1, .unmatched = AIRLOCK_ALLOW,
						 .flags = AIRLOCK_CFG_READY };
static const struct airlock_config cfg_deny = { .generation = 1, .unmatched = AIRLOCK_DENY,
						.flags = AIRLOCK_CFG_READY };

static struct airlock_policy_value value(__u32 nrules, const struct airlock_port_rule *rules)
{
	struct airlock_policy_value v = { .nrules = nrules };

	memcpy(v.rules, rules, nrules * sizeof(rules[0]));
	return v;
}

static void test_no_config(void **state)
{
	static const struct airlock_config not_ready = { .unmatched = AIRLOCK_ALLOW };
	struct airlock_port_rule any = { .port_lo = 0, .port_hi = 65535 };
	struct airlock_policy_value v = value(1, &any);
	__u8 reason = 0xff;

	(void)state;
	/* no config at all, even with a tenant and an allowing hit */
	assert_int_equal(airlock_decide(NULL, 7, 1, &v, IPPROTO_TCP, 443, &reason), AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_NO_CONFIG);
	/* a config the agent never marked ready: unmatched=allow must not leak */
	assert_int_equal(airlock_decide(&not_ready, 0, 1, &v, IPPROTO_TCP, 443, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_NO_CONFIG);
}

static void test_unmatched(void **state)
{
	static const struct airlock_config zeroed_ready = { .flags = AIRLOCK_CFG_READY };
	__u8 reason = 0xff;

	(void)state;
	assert_int_equal(airlock_decide(&cfg_allow, 0, 0, NULL, IPPROTO_TCP, 80, &reason),
			 AIRLOCK_ALLOW);
	assert_int_equal(reason, AIRLOCK_REASON_NONE);
	assert_int_equal(airlock_decide(&cfg_deny, 0, 1, NULL, IPPROTO_UDP, 53, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_UNMATCHED);
	/* DENY is 0: a zeroed "unmatched" denies */
	assert_int_equal(airlock_decide(&zeroed_ready, 0, 1, NULL, IPPROTO_TCP, 1, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_UNMATCHED);
}

static void test_no_policy(void **state)
{
	struct airlock_port_rule any = { .port_lo = 0, .port_hi = 65535 };
	struct airlock_policy_value v = value(1, &any);
	__u8 reason = 0xff;

	(void)state;
	/* a tenant is never governed by unmatchedWorkloads, even if allow */
	assert_int_equal(airlock_decide(&cfg_allow, 7, 0, &v, IPPROTO_TCP, 443, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_NO_POLICY);
}

static void test_no_route(void **state)
{
	__u8 reason = 0xff;

	(void)state;
	assert_int_equal(airlock_decide(&cfg_allow, 7, 1, NULL, IPPROTO_TCP, 443, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_NO_ROUTE);
}

static void test_ports(void **state)
{
	static const struct airlock_port_rule rules[] = {
		{ .port_lo = 443, .port_hi = 443, .proto = IPPROTO_TCP, .rule_id = 0 },
		{ .port_lo = 8000, .port_hi = 8100, .proto = IPPROTO_TCP, .rule_id = 1 },
		{ .port_lo = 53, .port_hi = 53, .proto = IPPROTO_UDP, .rule_id = 2 },
	};
	struct airlock_policy_value v = value(3, rules);
	__u8 reason = 0xff;

	(void)state;
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_TCP, 443, &reason),
			 AIRLOCK_ALLOW);
	assert_int_equal(reason, AIRLOCK_REASON_NONE);
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_TCP, 80, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_PORT);
	/* right port, wrong protocol */
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_UDP, 443, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_PORT);
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_TCP, 53, &reason),
			 AIRLOCK_DENY);
	/* inclusive range edges */
	assert_int_equal(airlock_match_rules(&v, IPPROTO_TCP, 7999), -1);
	assert_int_equal(airlock_match_rules(&v, IPPROTO_TCP, 8000), 1);
	assert_int_equal(airlock_match_rules(&v, IPPROTO_TCP, 8100), 1);
	assert_int_equal(airlock_match_rules(&v, IPPROTO_TCP, 8101), -1);
	assert_int_equal(airlock_match_rules(&v, IPPROTO_UDP, 53), 2);
	/* rules past nrules do not count */
	v.nrules = 2;
	assert_int_equal(airlock_match_rules(&v, IPPROTO_UDP, 53), -1);
	v.nrules = 0;
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_TCP, 443, &reason),
			 AIRLOCK_DENY);
	assert_int_equal(reason, AIRLOCK_REASON_PORT);
}

static void test_proto_any(void **state)
{
	static const struct airlock_port_rule rules[] = {
		{ .port_lo = 0, .port_hi = 65535, .proto = AIRLOCK_PROTO_ANY },
	};
	struct airlock_policy_value v = value(1, rules);
	__u8 reason = 0xff;

	(void)state;
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_TCP, 1, &reason),
			 AIRLOCK_ALLOW);
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_UDP, 65535, &reason),
			 AIRLOCK_ALLOW);
	/* port-less protocols are judged as port 0 */
	assert_int_equal(airlock_decide(&cfg_deny, 7, 1, &v, IPPROTO_ICMP, 0, &reason),
			 AIRLOCK_ALLOW);
	assert_int_equal(reason, AIRLOCK_REASON_NONE);
}

/* A bogus nrules cannot make the loop read past the 16 slots. */
static void test_nrules_bounded(void **state)
{
	struct airlock_policy_value v = { .nrules = 1000 };

	(void)state;
	v.rules[AIRLOCK_MAX_RULES - 1] =
		(struct airlock_port_rule){ .port_lo = 9, .port_hi = 9, .proto = IPPROTO_TCP };
	assert_int_equal(airlock_match_rules(&v, IPPROTO_TCP, 9), AIRLOCK_MAX_RULES - 1);
	assert_int_equal(airlock_match_rules(&v, IPPROTO_TCP, 10), -1);
}

static void test_keys(void **state)
{
	struct airlock_policy_key k4, k6, k6n;
	__u32 a4, a6[4];

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", &a4), 1);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3", a6), 1);
	assert_true(airlock_ip6_is_v4mapped(a6));
	memset(&k4, 0xaa, sizeof(k4));
	memset(&k6, 0x55, sizeof(k6));
	airlock_key_v4(&k4, 7, a4);
	airlock_key_v6(&k6, 7, a6);
	/* an AF_INET6 socket to ::ffff:10.1.2.3 looks up exactly the IPv4 key */
	assert_memory_equal(&k4, &k6, sizeof(k4));
	assert_int_equal(k4.prefixlen, 160);
	assert_int_equal(k4.tenant, 7);
	assert_int_equal(k4.addr[12], 10);
	assert_int_equal(k4.addr[15], 3);

	assert_int_equal(inet_pton(AF_INET6, "fd00::10.1.2.3", a6), 1);
	assert_false(airlock_ip6_is_v4mapped(a6));
	airlock_key_v6(&k6n, 7, a6);
	assert_memory_not_equal(&k4, &k6n, sizeof(k4));
	assert_int_equal(inet_pton(AF_INET6, "::10.1.2.3", a6), 1);   /* v4-compatible, not mapped */
	assert_false(airlock_ip6_is_v4mapped(a6));
}

/* The kernel's LPM lookup, by brute force over the compiled entries. */
static const struct airlock_policy_value *lpm(const struct policy_compiled *c,
					      const struct airlock_policy_key *key)
{
	const struct policy_entry *best = NULL;
	size_t i;

	for (i = 0; i < c->n_entries; i++) {
		const struct policy_entry *e = &c->entries[i];
		__u32 bits = e->key.prefixlen - 32, full = bits / 8, rest = bits % 8;

		if (e->key.tenant != key->tenant || memcmp(e->key.addr, key->addr, full) != 0)
			continue;
		if (rest && ((e->key.addr[full] ^ key->addr[full]) & (0xff << (8 - rest))))
			continue;
		if (!best || e->key.prefixlen > best->key.prefixlen)
			best = e;
	}
	return best ? &best->value : NULL;
}

struct flow {
	const char *tenant;   /* NULL: a cgroup of no tenant */
	const char *dst;      /* IPv4 or IPv6 text */
	__u8 proto;
	__u16 port;
	__u8 verdict;
	__u8 reason;
};

static void test_demo_end_to_end(void **state)
{
	static const struct flow flows[] = {
		{ "contoso", "127.0.10.5", IPPROTO_TCP, 443, AIRLOCK_ALLOW, AIRLOCK_REASON_NONE },
		{ "contoso", "::ffff:127.0.10.5", IPPROTO_TCP, 443, AIRLOCK_ALLOW, AIRLOCK_REASON_NONE },
		{ "contoso", "fd00:10::5", IPPROTO_TCP, 443, AIRLOCK_ALLOW, AIRLOCK_REASON_NONE },
		{ "contoso", "127.0.10.5", IPPROTO_TCP, 80, AIRLOCK_DENY, AIRLOCK_REASON_PORT },
		{ "contoso", "127.0.10.5", IPPROTO_UDP, 443, AIRLOCK_DENY, AIRLOCK_REASON_PORT },
		{ "contoso", "127.0.0.53", IPPROTO_UDP, 53, AIRLOCK_ALLOW, AIRLOCK_REASON_NONE },
		{ "contoso", "127.0.0.53", IPPROTO_TCP, 53, AIRLOCK_DENY, AIRLOCK_REASON_PORT },
		{ "contoso", "127.0.20.5", IPPROTO_TCP, 8000, AIRLOCK_DENY, AIRLOCK_REASON_NO_ROUTE },
		{ "contoso", "127.0.10.6", IPPROTO_TCP, 443, AIRLOCK_DENY, AIRLOCK_REASON_NO_ROUTE },
		{ "fabrikam", "127.0.20.5", IPPROTO_TCP, 8050, AIRLOCK_ALLOW, AIRLOCK_REASON_NONE },
		{ "fabrikam", "127.0.20.5", IPPROTO_TCP, 8101, AIRLOCK_DENY, AIRLOCK_REASON_PORT },
		{ "fabrikam", "127.0.10.5", IPPROTO_TCP, 443, AIRLOCK_DENY, AIRLOCK_REASON_NO_ROUTE },
		{ NULL, "127.0.10.5", IPPROTO_TCP, 443, AIRLOCK_ALLOW, AIRLOCK_REASON_NONE },
	};
	struct airlock_config cfg = { .generation = 1, .flags = AIRLOCK_CFG_READY };
	struct policy_compiled *c = NULL;
	struct policy_error err;
	struct policy *p = NULL;
	size_t i;

	(void)state;
	assert_int_equal(policy_load_file("policy/examples/demo.json", &p, &err), 0);
	assert_int_equal(policy_compile(p, &c, &err), 0);
	cfg.unmatched = p->unmatched;
	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		const struct flow *f = &flows[i];
		__u32 tenant = f->tenant ? policy_tenant_id(f->tenant) : 0;
		struct airlock_policy_key key;
		__u32 a[4];
		__u8 verdict, reason = 0xff;

		if (strchr(f->dst, ':')) {
			assert_int_equal(inet_pton(AF_INET6, f->dst, a), 1);
			airlock_key_v6(&key, tenant, a);
		} else {
			assert_int_equal(inet_pton(AF_INET, f->dst, a), 1);
			airlock_key_v4(&key, tenant, a[0]);
		}
		verdict = airlock_decide(&cfg, tenant, 1, tenant ? lpm(c, &key) : NULL, f->proto,
					 f->port, &reason);
		print_message("# %s -> %s %u/%u: verdict %u reason %u\n", f->tenant ? f->tenant : "-",
			      f->dst, f->port, f->proto, verdict, reason);
		assert_int_equal(verdict, f->verdict);
		assert_int_equal(reason, f->reason);
	}
	policy_compiled_free(c);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_config),
		cmocka_unit_test(test_unmatched),
		cmocka_unit_test(test_no_policy),
		cmocka_unit_test(test_no_route),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_proto_any),
		cmocka_unit_test(test_nrules_bounded),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_demo_end_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
