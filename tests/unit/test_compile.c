/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy compilation: the exact trie entries (keys, folded and merged port
 * rules, order), the limits, 100,000 prefixes, and the JSON dump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "policy.h"

struct fixture {
	struct policy *p;
	struct policy_compiled *c;
};

static struct fixture compile_ok(const char *json)
{
	struct fixture f = { 0 };
	struct policy_error err;
	char line[1400];
	int r;

	r = policy_load_buffer("c.json", json, strlen(json), &f.p, &err);
	if (r == 0)
		r = policy_compile(f.p, &f.c, &err);
	if (r < 0) {
		policy_error_format(&err, line, sizeof(line));
		print_message("unexpected error: %s\n", line);
	}
	assert_int_equal(r, 0);
	return f;
}

static void fixture_free(struct fixture *f)
{
	f->c = policy_compiled_free(f->c);
	f->p = policy_free(f->p);
}

/* Key text and rules of entry i, for comparing against a table. */
static void expect_entry(const struct fixture *f, size_t i, const char *tenant,
			 const char *prefix, unsigned prefixlen, const char *rules)
{
	const struct policy_entry *e;
	char cidr[64], got[512] = "";
	__u32 k;

	assert_true(i < f->c->n_entries);
	e = &f->c->entries[i];
	assert_int_equal(e->key.tenant, policy_tenant_id(tenant));
	assert_int_equal(policy_key_format(&e->key, 1, cidr, sizeof(cidr)), 0);
	assert_string_equal(cidr, prefix);
	assert_int_equal(e->key.prefixlen, prefixlen);
	assert_int_equal(e->value.pad, 0);
	for (k = 0; k < e->value.nrules; k++) {
		const struct airlock_port_rule *r = &e->value.rules[k];
		size_t n = strlen(got);

		assert_int_equal(r->pad, 0);
		snprintf(got + n, sizeof(got) - n, "%s%s %u-%u r%u", k ? ", " : "",
			 policy_proto_name(r->proto), r->port_lo, r->port_hi, r->rule_id);
	}
	/* slots past nrules are zero: the kernel never sees stale rules */
	for (; k < AIRLOCK_MAX_RULES; k++)
		assert_int_equal(e->value.rules[k].port_hi, 0);
	assert_string_equal(got, rules);
}

#define DOC1(egress)                                                                       \
	"{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": \"a\", \"workloads\": " \
	"[{\"cgroup\": \"/a\"}], \"egress\": [" egress "]}]}"

static void test_demo(void **state)
{
	FILE *fp = fopen("policy/examples/demo.json", "r");
	struct fixture f;
	char buf[4096];
	size_t n;

	(void)state;
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	f = compile_ok(buf);
	assert_int_equal(f.c->n_entries, 4);
	/* fabrikam's id 0xbd55b4a6 sorts before contoso's 0xf9e1dfa0 */
	expect_entry(&f, 0, "fabrikam", "127.0.20.5/32", 160, "tcp 8000-8100 r0");
	expect_entry(&f, 1, "contoso", "127.0.0.53/32", 160, "udp 53-53 r1");
	expect_entry(&f, 2, "contoso", "127.0.10.5/32", 160, "tcp 443-443 r0");
	expect_entry(&f, 3, "contoso", "fd00:10::5/128", 160, "tcp 443-443 r0");
	assert_int_equal(f.c->entries[2].key.addr[10], 0xff);
	assert_int_equal(f.c->entries[2].key.addr[12], 127);
	assert_int_equal(f.c->entries[2].key.addr[15], 5);
	assert_int_equal(f.c->entries[3].key.addr[0], 0xfd);
	fixture_free(&f);
}

/* Each entry carries the rules of every shorter prefix covering it, and
 * none of a sibling's. */
static void test_covering(void **state)
{
	struct fixture f = compile_ok(DOC1(
		"{\"name\": \"wide\", \"to\": [\"10.0.0.0/8\"], \"ports\": [443], \"protocol\": \"tcp\"},"
		"{\"name\": \"mid\", \"to\": [\"10.1.0.0/16\"], \"ports\": [53], \"protocol\": \"udp\"},"
		"{\"name\": \"host\", \"to\": [\"10.1.2.3\"], \"ports\": [8080], \"protocol\": \"tcp\"},"
		"{\"name\": \"sib\", \"to\": [\"10.2.0.0/16\"], \"ports\": [80], \"protocol\": \"tcp\"},"
		"{\"name\": \"other\", \"to\": [\"11.0.0.1\"], \"ports\": [1], \"protocol\": \"tcp\"}"));

	(void)state;
	assert_int_equal(f.c->n_entries, 5);
	expect_entry(&f, 0, "a", "10.0.0.0/8", 32 + 96 + 8, "tcp 443-443 r0");
	expect_entry(&f, 1, "a", "10.1.0.0/16", 32 + 96 + 16, "tcp 443-443 r0, udp 53-53 r1");
	expect_entry(&f, 2, "a", "10.1.2.3/32", 160,
		     "tcp 443-443 r0, tcp 8080-8080 r2, udp 53-53 r1");
	expect_entry(&f, 3, "a", "10.2.0.0/16", 144, "tcp 80-80 r3, tcp 443-443 r0");
	expect_entry(&f, 4, "a", "11.0.0.1/32", 160, "tcp 1-1 r4");
	fixture_free(&f);
}

/* Overlapping and adjacent ranges of one protocol merge into one slot,
 * keeping the lowest rule_id; duplicates vanish; protocols stay apart. */
static void test_merge(void **state)
{
	struct fixture f = compile_ok(DOC1(
		"{\"name\": \"e0\", \"to\": [\"10.0.0.1\"], \"ports\": [80, \"81-90\", 85, 100, 100], "
		"\"protocol\": \"tcp\"},"
		"{\"name\": \"e1\", \"to\": [\"10.0.0.1\"], \"ports\": [\"70-80\", 91], \"protocol\": \"tcp\"},"
		"{\"name\": \"e2\", \"to\": [\"10.0.0.1\"], \"ports\": [80], \"protocol\": \"udp\"},"
		"{\"name\": \"e3\", \"to\": [\"10.0.0.2\"], \"ports\": [\"65000-65534\", 65535, 1], "
		"\"protocol\": \"udp\"}"));

	(void)state;
	assert_int_equal(f.c->n_entries, 2);
	expect_entry(&f, 0, "a", "10.0.0.1/32", 160, "tcp 70-91 r0, tcp 100-100 r0, udp 80-80 r2");
	expect_entry(&f, 1, "a", "10.0.0.2/32", 160, "udp 1-1 r3, udp 65000-65535 r3");
	fixture_free(&f);
}

/* A tcp/udp range inside an "any" range takes no slot of its own. */
static void test_any(void **state)
{
	struct fixture f = compile_ok(DOC1(
		"{\"name\": \"all\", \"to\": [\"10.0.0.1\"]},"
		"{\"name\": \"tls\", \"to\": [\"10.0.0.1\"], \"ports\": [443], \"protocol\": \"tcp\"},"
		"{\"name\": \"a0\", \"to\": [\"10.0.0.2\"], \"ports\": [\"1-100\"], \"protocol\": \"any\"},"
		"{\"name\": \"t1\", \"to\": [\"10.0.0.2\"], \"ports\": [\"50-60\"], \"protocol\": \"tcp\"},"
		"{\"name\": \"t2\", \"to\": [\"10.0.0.2\"], \"ports\": [\"90-200\"], \"protocol\": \"tcp\"},"
		"{\"name\": \"u3\", \"to\": [\"10.0.0.2\"], \"ports\": [100], \"protocol\": \"udp\"},"
		"{\"name\": \"u4\", \"to\": [\"10.0.0.2\"], \"ports\": [101], \"protocol\": \"udp\"},"
		"{\"name\": \"a5\", \"to\": [\"10.0.0.2\"], \"ports\": [\"200-300\"]}"));

	(void)state;
	assert_int_equal(f.c->n_entries, 2);
	/* tcp 50-60 and tcp 443 vanish; udp 100 first merges with the adjacent
	 * udp 101, and 100-101 is not inside any 1-100, so it keeps its slot */
	expect_entry(&f, 0, "a", "10.0.0.1/32", 160, "any 0-65535 r0");
	expect_entry(&f, 1, "a", "10.0.0.2/32", 160,
		     "any 1-100 r2, any 200-300 r7, tcp 90-200 r4, udp 100-101 r5");
	fixture_free(&f);
}

/* "10.0.0.1", "10.0.0.1/32" and "::ffff:10.0.0.1" are one trie entry. */
static void test_v4_mapped(void **state)
{
	static const __u8 addr[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 };
	struct fixture f = compile_ok(DOC1(
		"{\"name\": \"e0\", \"to\": [\"10.0.0.1\", \"10.0.0.1/32\", \"::ffff:10.0.0.1\"], "
		"\"ports\": [443], \"protocol\": \"tcp\"},"
		"{\"name\": \"e1\", \"to\": [\"::ffff:10.0.0.1/128\"], \"ports\": [443], "
		"\"protocol\": \"tcp\"}"));

	(void)state;
	assert_int_equal(f.c->n_entries, 1);
	expect_entry(&f, 0, "a", "10.0.0.1/32", 160, "tcp 443-443 r0");
	assert_memory_equal(f.c->entries[0].key.addr, addr, 16);
	fixture_free(&f);
}

/* IPv4 lives inside ::/0 (as ::ffff:0:0/96): "::/0" covers IPv4 too. */
static void test_v6_default_covers_v4(void **state)
{
	struct fixture f = compile_ok(DOC1(
		"{\"name\": \"v6\", \"to\": [\"::/0\"], \"ports\": [443], \"protocol\": \"tcp\"},"
		"{\"name\": \"v4\", \"to\": [\"0.0.0.0/0\", \"10.0.0.1\"], \"ports\": [53], "
		"\"protocol\": \"udp\"}"));

	(void)state;
	assert_int_equal(f.c->n_entries, 3);
	expect_entry(&f, 0, "a", "::/0", 32, "tcp 443-443 r0");
	expect_entry(&f, 1, "a", "0.0.0.0/0", 128, "tcp 443-443 r0, udp 53-53 r1");
	expect_entry(&f, 2, "a", "10.0.0.1/32", 160, "tcp 443-443 r0, udp 53-53 r1");
	fixture_free(&f);
}

static void expect_compile_error(const char *json, const char *key, int line, int column,
				 const char *reason)
{
	struct policy_compiled *c = (struct policy_compiled *)0x1;
	struct policy_error err;
	struct policy *p = NULL;

	assert_int_equal(policy_load_buffer("r.json", json, strlen(json), &p, &err), 0);
	assert_int_equal(policy_compile(p, &c, &err), -EINVAL);
	print_message("# %s:%d:%d: %s: %s\n", err.file, err.line, err.column, err.key, err.reason);
	assert_ptr_equal(c, (struct policy_compiled *)0x1);   /* nothing returned */
	assert_string_equal(err.file, "r.json");
	assert_string_equal(err.key, key);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_non_null(strstr(err.reason, reason));
	policy_free(p);
}

static void test_rule_limit(void **state)
{
	struct fixture f;
	const char *json;

	(void)state;
	/* 16 separate ports fit exactly */
	f = compile_ok(DOC1("{\"name\": \"e\", \"to\": [\"10.0.0.1\"], \"ports\": [1, 3, 5, 7, 9, 11, "
			    "13, 15, 17, 19, 21, 23, 25, 27, 29, 31], \"protocol\": \"tcp\"}"));
	assert_int_equal(f.c->entries[0].value.nrules, AIRLOCK_MAX_RULES);
	fixture_free(&f);

	/* 17 from two entries on one prefix do not */
	json = DOC1("{\"name\": \"e\", \"to\": [\"10.0.0.1\"], \"ports\": [1, 3, 5, 7, 9, 11, 13, "
		    "15, 17], \"protocol\": \"tcp\"}, {\"name\": \"f\", \"to\": [\"10.0.0.1\", "
		    "\"10.0.0.1\"], \"ports\": [19, 21, 23, 25, 27, 29, 31, 33], \"protocol\": \"tcp\"}");
	expect_compile_error(json, "tenants[0].egress[0].to[0]", 1,
			     (int)(strstr(json, "\"10.0.0.1\"") - json) + 1,
			     "tenant \"a\": prefix 10.0.0.1/32 needs 17 port rules");

	/* 10 of a covering /8 plus 7 of the /32 itself: the /32 needs 17 */
	json = DOC1("{\"name\": \"wide\", \"to\": [\"10.0.0.0/8\"], \"ports\": [1, 3, 5, 7, 9, 11, 13, "
		    "15, 17, 19], \"protocol\": \"tcp\"},\n"
		    "{\"name\": \"narrow\", \"to\": [\"10.9.0.0/16\", \"10.9.9.9\"], \"ports\": [101, 103, "
		    "105, 107, 109, 111, 113], \"protocol\": \"udp\"}");
	expect_compile_error(json, "tenants[0].egress[1].to[0]", 2,
			     (int)(strstr(json, "\"10.9.0.0/16\"") - strchr(json, '\n')),
			     "prefix 10.9.0.0/16 needs 17 port rules, limit 16 (its own and those "
			     "of every shorter prefix covering it");
}

/* The generated address of prefix k of the 100k test. */
static void addr_of(size_t k, char *buf, size_t len)
{
	snprintf(buf, len, "10.%zu.%zu.%zu", k >> 16, (k >> 8) & 0xff, k & 0xff);
}

static int key_cmp(const struct airlock_policy_key *a, const struct airlock_policy_key *b)
{
	int c;

	if (a->tenant != b->tenant)
		return a->tenant < b->tenant ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return a->prefixlen < b->prefixlen ? -1 : a->prefixlen > b->prefixlen;
}

static const struct policy_entry *find(const struct policy_compiled *c, const char *cidr_text)
{
	struct airlock_policy_key key = { 0 };
	struct policy_cidr cidr;
	size_t lo = 0, hi = c->n_entries;

	assert_int_equal(policy_cidr_parse(cidr_text, &cidr, NULL, 0), 0);
	key.prefixlen = 32u + cidr.prefixlen;
	key.tenant = policy_tenant_id("a");
	memcpy(key.addr, cidr.addr, 16);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = key_cmp(&c->entries[mid].key, &key);

		if (r == 0)
			return &c->entries[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* 100 egress entries of 1000 /32s each under one /16 and beside it. */
static void test_100k(void **state)
{
	const size_t n = 100000, per = 1000;
	size_t k, cap = n * 24 + 100 * 128 + 512;
	char *doc = malloc(cap), *o = doc, a[32];
	const struct policy_entry *e;
	struct timespec t0, t1;
	struct fixture f;

	(void)state;
	assert_non_null(doc);
	o += sprintf(o, "{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": \"a\", "
			"\"workloads\": [{\"cgroup\": \"/a\"}], \"egress\": [");
	for (k = 0; k < n; k++) {
		addr_of(k, a, sizeof(a));
		if (k % per == 0)
			o += sprintf(o, "%s{\"name\": \"e%zu\", \"protocol\": \"tcp\", \"ports\": [%zu], "
					"\"to\": [",
				     k ? "]}," : "", k / per, 1000 + k / per);
		o += sprintf(o, "%s\"%s/32\"", k % per ? "," : "", a);
	}
	o += sprintf(o, "]}, {\"name\": \"cover\", \"to\": [\"10.0.0.0/16\"], \"ports\": [22], "
			"\"protocol\": \"tcp\"}]}]}");
	assert_true((size_t)(o - doc) < cap);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	f = compile_ok(doc);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# 100k prefixes loaded and compiled in %.0f ms (ASan build)\n",
		      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(doc);

	assert_int_equal(f.c->n_entries, n + 1);
	for (k = 1; k < f.c->n_entries; k++)
		assert_true(key_cmp(&f.c->entries[k - 1].key, &f.c->entries[k].key) < 0);

	e = find(f.c, "10.0.0.0/16");
	assert_non_null(e);
	assert_int_equal(e->value.nrules, 1);
	assert_int_equal(e->value.rules[0].port_lo, 22);
	assert_int_equal(e->value.rules[0].rule_id, 100);

	/* 10.0.0.5 is inside the /16: its own port and the /16's */
	e = find(f.c, "10.0.0.5");
	assert_non_null(e);
	assert_int_equal(e->value.nrules, 2);
	assert_int_equal(e->value.rules[0].port_lo, 22);
	assert_int_equal(e->value.rules[1].port_lo, 1000);
	assert_int_equal(e->value.rules[1].rule_id, 0);

	/* prefix 70000 = 10.1.17.112, outside the /16, entry e70 */
	addr_of(70000, a, sizeof(a));
	e = find(f.c, a);
	assert_non_null(e);
	assert_int_equal(e->value.nrules, 1);
	assert_int_equal(e->value.rules[0].port_lo, 1070);
	assert_int_equal(e->value.rules[0].rule_id, 70);

	addr_of(n - 1, a, sizeof(a));
	e = find(f.c, a);
	assert_non_null(e);
	assert_int_equal(e->value.rules[0].port_lo, 1099);
	assert_null(find(f.c, "10.2.0.0/32"));
	fixture_free(&f);
}

/* A policy of exactly AIRLOCK_POLICY_MAX_ENTRIES prefixes compiles; one
 * more is refused and names the prefix that did not fit. */
static void test_entry_limit(void **state)
{
	struct policy_port_range all = { .lo = 0, .hi = 65535 };
	struct policy_egress e = { .name = "many", .ports = &all, .n_ports = 1 };
	struct policy_tenant t = { .name = "a", .id = policy_tenant_id("a"), .egress = &e,
				   .n_egress = 1 };
	struct policy p = { .file = "mem.json", .tenants = &t, .n_tenants = 1 };
	struct policy_compiled *c = NULL;
	struct policy_error err;
	size_t i, n = AIRLOCK_POLICY_MAX_ENTRIES + 1;

	(void)state;
	e.to = calloc(n, sizeof(*e.to));
	assert_non_null(e.to);
	for (i = 0; i < n; i++) {
		e.to[i].family = AF_INET6;
		e.to[i].prefixlen = 128;
		e.to[i].addr[0] = 0xfd;
		e.to[i].addr[13] = (__u8)(i >> 16);
		e.to[i].addr[14] = (__u8)(i >> 8);
		e.to[i].addr[15] = (__u8)i;
	}
	e.n_to = n - 1;
	assert_int_equal(policy_compile(&p, &c, &err), 0);
	assert_int_equal(c->n_entries, AIRLOCK_POLICY_MAX_ENTRIES);
	c = policy_compiled_free(c);

	e.n_to = n;
	assert_int_equal(policy_compile(&p, &c, &err), -EINVAL);
	assert_null(c);
	assert_string_equal(err.file, "mem.json");
	assert_string_equal(err.key, "tenants[0].egress[0].to[262144]");
	assert_int_equal(err.line, 0);   /* no source text to point into */
	assert_non_null(strstr(err.reason, "prefix fd00::4:0/128 is one trie entry too many"));
	assert_non_null(strstr(err.reason, "262144"));
	free(e.to);
}

static void test_empty(void **state)
{
	struct fixture f;

	(void)state;
	f = compile_ok("{\"apiVersion\": \"airlock/v1\", \"tenants\": []}");
	assert_int_equal(f.c->n_entries, 0);
	fixture_free(&f);
	/* a tenant with no egress has workloads but no trie entry: denied */
	f = compile_ok(DOC1(""));
	assert_int_equal(f.p->n_tenants, 1);
	assert_int_equal(f.c->n_entries, 0);
	fixture_free(&f);
}

static json_t *path(json_t *j, const char *a, size_t i, const char *b)
{
	j = json_object_get(j, a);
	if (i != (size_t)-1)
		j = json_array_get(j, i);
	return b ? json_object_get(j, b) : j;
}

static void test_json(void **state)
{
	struct fixture f = compile_ok(
		"{\"apiVersion\": \"airlock/v1\", \"defaults\": {\"unmatchedWorkloads\": \"allow\"}, "
		"\"tenants\": [{\"name\": \"a\", \"workloads\": [{\"cgroup\": \"/a/*\"}, "
		"{\"cgroup\": \"/b\"}], \"egress\": [{\"name\": \"web\", \"to\": [\"10.0.0.0/8\"], "
		"\"ports\": [80, 443], \"protocol\": \"tcp\"}, {\"name\": \"v6\", \"to\": "
		"[\"2001:db8::/32\"]}]}]}");
	json_t *j = policy_compiled_json(f.p, f.c), *e, *r;
	char *text;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "file")), "c.json");
	assert_int_equal(json_integer_value(path(j, "config", -1, "unmatched")), AIRLOCK_ALLOW);
	assert_string_equal(json_string_value(path(j, "config", -1, "unmatched_name")), "allow");
	assert_int_equal(json_integer_value(path(j, "counts", -1, "entries")), 2);
	assert_int_equal(json_integer_value(path(j, "counts", -1, "tenants")), 1);
	assert_string_equal(json_string_value(path(j, "tenants", 0, "name")), "a");
	assert_int_equal(json_integer_value(path(j, "tenants", 0, "id")), policy_tenant_id("a"));
	assert_string_equal(json_string_value(path(j, "tenants", 0, "id_hex")), "0xe40c292c");
	assert_string_equal(json_string_value(json_array_get(path(j, "tenants", 0, "workloads"), 1)),
			    "/b");

	e = json_array_get(json_object_get(j, "entries"), 0);
	assert_int_equal(json_integer_value(path(e, "key", -1, "prefixlen")), 136);
	assert_int_equal(json_integer_value(path(e, "key", -1, "tenant")), policy_tenant_id("a"));
	assert_string_equal(json_string_value(path(e, "key", -1, "tenant_name")), "a");
	assert_string_equal(json_string_value(path(e, "key", -1, "addr")), "10.0.0.0");
	assert_string_equal(json_string_value(path(e, "key", -1, "prefix")), "10.0.0.0/8");
	assert_int_equal(json_integer_value(path(e, "value", -1, "nrules")), 2);
	r = json_array_get(path(e, "value", -1, "rules"), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "port_lo")), 443);
	assert_int_equal(json_integer_value(json_object_get(r, "port_hi")), 443);
	assert_int_equal(json_integer_value(json_object_get(r, "proto")), IPPROTO_TCP);
	assert_string_equal(json_string_value(json_object_get(r, "proto_name")), "tcp");
	assert_int_equal(json_integer_value(json_object_get(r, "rule_id")), 0);
	assert_string_equal(json_string_value(json_object_get(r, "rule")), "web");

	e = json_array_get(json_object_get(j, "entries"), 1);
	assert_string_equal(json_string_value(path(e, "key", -1, "prefix")), "2001:db8::/32");
	assert_int_equal(json_integer_value(path(e, "key", -1, "prefixlen")), 64);
	r = json_array_get(path(e, "value", -1, "rules"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "proto_name")), "any");
	assert_int_equal(json_integer_value(json_object_get(r, "port_hi")), 65535);
	assert_string_equal(json_string_value(json_object_get(r, "rule")), "v6");

	/* it serialises (valid UTF-8 throughout) */
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	free(text);
	json_decref(j);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_covering),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_v6_default_covers_v4),
		cmocka_unit_test(test_rule_limit),
		cmocka_unit_test(test_100k),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
