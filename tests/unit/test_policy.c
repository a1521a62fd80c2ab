/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy loading: the demo document, defaults, every validation error with
 * its file:line:column and key, the locator, CIDRs, tenant ids and cgroup
 * globs.
 *
 * Error cases mark the expected position with '@' in the JSON; the marker is
 * cut out before parsing, so the expected line and column come from the
 * test text, not from the code under test.
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

#include <cmocka.h>

#include "policy.h"
#include "policy_errors.h"

static const char demo_json[] =
	"{\n"
	"  \"apiVersion\": \"airlock/v1\",\n"
	"  \"defaults\": { \"unmatchedWorkloads\": \"allow\" },\n"
	"  \"tenants\": [\n"
	"    {\n"
	"      \"name\": \"contoso\",\n"
	"      \"workloads\": [ { \"cgroup\": \"/airlock-demo/contoso/*\" } ],\n"
	"      \"egress\": [\n"
	"        { \"name\": \"aoai-eastus\", \"to\": [\"127.0.10.5/32\", \"fd00:10::5/128\"], "
	"\"ports\": [443], \"protocol\": \"tcp\" },\n"
	"        { \"name\": \"dns\", \"to\": [\"127.0.0.53/32\"], \"ports\": [53], \"protocol\": "
	"\"udp\" }\n"
	"      ]\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"fabrikam\",\n"
	"      \"workloads\": [ { \"cgroup\": \"/airlock-demo/fabrikam/*\" } ],\n"
	"      \"egress\": [\n"
	"        { \"name\": \"aoai-westeu\", \"to\": [\"127.0.20.5/32\"], \"ports\": "
	"[\"8000-8100\"], \"protocol\": \"tcp\" }\n"
	"      ]\n"
	"    }\n"
	"  ]\n"
	"}\n";

static struct policy *load_ok(const char *json)
{
	struct policy_error err;
	struct policy *p = NULL;
	char line[1400];
	int r;

	r = policy_load_buffer("test.json", json, strlen(json), &p, &err);
	if (r < 0) {
		policy_error_format(&err, line, sizeof(line));
		print_message("unexpected error: %s\n", line);
	}
	assert_int_equal(r, 0);
	assert_non_null(p);
	return p;
}

#define DOC(tenants) "{\"apiVersion\": \"airlock/v1\", \"tenants\": [" tenants "]}"
#define TENANT(name, egress)                                                          \
	"{\"name\": \"" name "\", \"workloads\": [{\"cgroup\": \"/w/" name "/*\"}], " \
	"\"egress\": [" egress "]}"
#define EGRESS(rest) "{\"name\": \"e\", " rest "}"

static const struct error_case error_cases[] = {
	{ "syntax", "{\"apiVersion\": \"airlock/v1\",\n \"tenants\": [,@]}", "$",
	  "invalid JSON" },
	{ "duplicate key", "{\"apiVersion\": \"airlock/v1\", \"apiVersion\"@: \"x\"}", "$",
	  "duplicate object key" },
	{ "not an object", "@[1, 2]", "$", "a policy is a JSON object, not an array" },
	{ "no apiVersion", "@{\"tenants\": []}", "apiVersion", "required key missing" },
	{ "apiVersion v2", "{\"apiVersion\": @\"airlock/v2\", \"tenants\": []}", "apiVersion",
	  "unsupported version \"airlock/v2\"" },
	{ "apiVersion v2 with new keys",
	  "{\"apiVersion\": @\"airlock/v2\", \"tenants\": [], \"egressGateways\": []}", "apiVersion",
	  "unsupported version \"airlock/v2\"" },
	{ "apiVersion typo", "{@\"apiversion\": \"airlock/v1\", \"tenants\": []}", "apiversion",
	  "did you mean \"apiVersion\"?" },
	{ "apiVersion number", "{\"apiVersion\": @1, \"tenants\": []}", "apiVersion",
	  "not an integer" },
	{ "unknown top key", "{\"apiVersion\": \"airlock/v1\", @\"tenant\": []}", "tenant",
	  "unknown key \"tenant\", did you mean \"tenants\"?" },
	{ "unknown far key", "{\"apiVersion\": \"airlock/v1\", \"tenants\": [], @\"zzz\": 1}",
	  "zzz", "unknown key \"zzz\" (annotations go in \"x-\" keys)" },
	{ "odd key is quoted", "{\"apiVersion\": \"airlock/v1\", \"tenants\": [], @\"a.b\": 1}",
	  "[\"a.b\"]", "unknown key" },
	{ "metadata array", "{\"apiVersion\": \"airlock/v1\", \"metadata\": @[], \"tenants\": []}",
	  "metadata", "must be an object" },
	{ "defaults typo",
	  "{\"apiVersion\": \"airlock/v1\", \"defaults\": {@\"unmatchedWorkload\": \"allow\"}, "
	  "\"tenants\": []}",
	  "defaults.unmatchedWorkload", "did you mean \"unmatchedWorkloads\"" },
	{ "defaults value",
	  "{\"apiVersion\": \"airlock/v1\", \"defaults\": {\"unmatchedWorkloads\": @\"maybe\"}, "
	  "\"tenants\": []}",
	  "defaults.unmatchedWorkloads", "must be \"allow\" or \"deny\"" },
	{ "no tenants", "@{\"apiVersion\": \"airlock/v1\"}", "tenants", "required key missing" },
	{ "tenants object", "{\"apiVersion\": \"airlock/v1\", \"tenants\": @{}}", "tenants",
	  "must be an array, not an object" },
	{ "tenant string", DOC("@\"contoso\""), "tenants[0]", "must be an object, not a string" },
	{ "tenant name upper", DOC(TENANT("ok", "") ", " "{\"name\": @\"Contoso\"}"),
	  "tenants[1].name", "invalid tenant name \"Contoso\"" },
	{ "tenant name dash", DOC("{\"name\": @\"-a\"}"), "tenants[0].name", "invalid tenant name" },
	{ "tenant name 64",
	  DOC("{\"name\": @\"a123456789012345678901234567890123456789012345678901234567890123\"}"),
	  "tenants[0].name", "at most 63" },
	{ "tenant no name", DOC("@{\"workloads\": []}"), "tenants[0].name",
	  "required key missing" },
	{ "tenant typo", DOC("{\"name\": \"a\", @\"egres\": []}"), "tenants[0].egres",
	  "did you mean \"egress\"" },
	{ "no workloads", DOC("@{\"name\": \"a\", \"egress\": []}"), "tenants[0].workloads",
	  "required key missing" },
	{ "empty workloads", DOC("{\"name\": \"a\", \"workloads\": @[], \"egress\": []}"),
	  "tenants[0].workloads", "at least one workload" },
	{ "workload string", DOC("{\"name\": \"a\", \"workloads\": [@\"/a/*\"], \"egress\": []}"),
	  "tenants[0].workloads[0]", "must be an object {\"cgroup\"" },
	{ "relative glob",
	  DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": @\"a/*\"}], \"egress\": []}"),
	  "tenants[0].workloads[0].cgroup", "must start with '/'" },
	{ "root glob", DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": @\"/\"}], \"egress\": []}"),
	  "tenants[0].workloads[0].cgroup", "root cgroup" },
	{ "trailing slash glob",
	  DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": @\"/a/\"}], \"egress\": []}"),
	  "tenants[0].workloads[0].cgroup", "ends in '/'" },
	{ "dotdot glob",
	  DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": @\"/a/../b\"}], \"egress\": []}"),
	  "tenants[0].workloads[0].cgroup", "'..' component" },
	{ "empty component glob",
	  DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": @\"/a//b\"}], \"egress\": []}"),
	  "tenants[0].workloads[0].cgroup", "empty" },
	{ "workload typo",
	  DOC("{\"name\": \"a\", \"workloads\": [{@\"cgroups\": \"/a\"}], \"egress\": []}"),
	  "tenants[0].workloads[0].cgroups", "did you mean \"cgroup\"" },
	{ "no egress", DOC("@{\"name\": \"a\", \"workloads\": [{\"cgroup\": \"/a\"}]}"),
	  "tenants[0].egress", "write [] to deny" },
	{ "egress object", DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": \"/a\"}], \"egress\": @{}}"),
	  "tenants[0].egress", "must be an array" },
	{ "egress no name", DOC(TENANT("a", "@{\"to\": [\"10.0.0.0/8\"]}")), "tenants[0].egress[0].name",
	  "required key missing" },
	{ "egress bad name", DOC(TENANT("a", "{\"name\": @\"DNS\", \"to\": [\"10.0.0.0/8\"]}")),
	  "tenants[0].egress[0].name", "invalid egress name \"DNS\"" },
	{ "egress dup name",
	  DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"]") ", {\"name\": \"f\", \"to\": [\"10.0.0.2\"]}, "
			  "{\"name\": @\"e\", \"to\": [\"10.0.0.3\"]}")),
	  "tenants[0].egress[2].name", "duplicate egress name \"e\" in this tenant (first at egress[0])" },
	{ "egress typo", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], @\"port\": [1]"))),
	  "tenants[0].egress[0].port", "did you mean \"ports\"" },
	{ "no to", DOC(TENANT("a", "@{\"name\": \"e\"}")), "tenants[0].egress[0].to",
	  "required key missing" },
	{ "empty to", DOC(TENANT("a", EGRESS("\"to\": @[]"))), "tenants[0].egress[0].to",
	  "at least one destination" },
	{ "to string", DOC(TENANT("a", EGRESS("\"to\": @\"10.0.0.0/8\""))), "tenants[0].egress[0].to",
	  "must be an array of CIDRs" },
	{ "to number", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\", @10]"))),
	  "tenants[0].egress[0].to[1]", "must be a CIDR string" },
	{ "bad v4", DOC(TENANT("a", EGRESS("\"to\": [@\"10.0.0.256/32\"]"))),
	  "tenants[0].egress[0].to[0]", "\"10.0.0.256\" is not an IPv4 address" },
	{ "short v4", DOC(TENANT("a", EGRESS("\"to\": [@\"10.1/16\"]"))),
	  "tenants[0].egress[0].to[0]", "is not an IPv4 address" },
	{ "bad v6", DOC(TENANT("a", EGRESS("\"to\": [@\"fd00:::1/128\"]"))),
	  "tenants[0].egress[0].to[0]", "is not an IPv6 address" },
	{ "v4 length", DOC(TENANT("a", EGRESS("\"to\": [@\"10.0.0.0/33\"]"))),
	  "tenants[0].egress[0].to[0]", "prefix length \"33\" is not 0-32" },
	{ "v6 length", DOC(TENANT("a", EGRESS("\"to\": [@\"fd00::/129\"]"))),
	  "tenants[0].egress[0].to[0]", "prefix length \"129\" is not 0-128" },
	{ "length leading zero", DOC(TENANT("a", EGRESS("\"to\": [@\"10.0.0.0/08\"]"))),
	  "tenants[0].egress[0].to[0]", "prefix length \"08\"" },
	{ "v4 host bits", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.0/8\", @\"10.1.2.3/8\"]"))),
	  "tenants[0].egress[0].to[1]", "host bits set, did you mean 10.0.0.0/8?" },
	{ "v6 host bits", DOC(TENANT("a", EGRESS("\"to\": [@\"fd00::1/64\"]"))),
	  "tenants[0].egress[0].to[0]", "host bits set, did you mean fd00::/64?" },
	{ "port zero", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [443, @0]"))),
	  "tenants[0].egress[0].ports[1]", "port 0 is outside 1-65535" },
	{ "port big", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [@65536]"))),
	  "tenants[0].egress[0].ports[0]", "port 65536 is outside 1-65535" },
	{ "port real", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [@443.5]"))),
	  "tenants[0].egress[0].ports[0]", "not a fractional number" },
	{ "port open range", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [@\"80-\"]"))),
	  "tenants[0].egress[0].ports[0]", "\"80-\" is not a port range" },
	{ "port string", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [@\"443\"]"))),
	  "tenants[0].egress[0].ports[0]", "is not a port range" },
	{ "port backwards", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [@\"90-80\"]"))),
	  "tenants[0].egress[0].ports[0]", "backwards" },
	{ "port range zero", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [@\"0-80\"]"))),
	  "tenants[0].egress[0].ports[0]", "outside 1-65535" },
	{ "ports 17 ranges",
	  DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": @[1, 3, 5, 7, 9, 11, 13, 15, "
				 "17, 19, 21, 23, 25, 27, 29, 31, \"33-40\", 31]"))),
	  "tenants[0].egress[0].ports", "17 separate port ranges after merging, limit 16" },
	{ "ports empty", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": @[]"))),
	  "tenants[0].egress[0].ports", "leave \"ports\" out" },
	{ "protocol icmp", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"protocol\": @\"icmp\""))),
	  "tenants[0].egress[0].protocol", "must be \"tcp\", \"udp\" or \"any\"" },
	{ "protocol upper", DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"protocol\": @\"TCP\""))),
	  "tenants[0].egress[0].protocol", "must be \"tcp\"" },
	{ "dup tenant", DOC(TENANT("a", "") ", " TENANT("b", "") ", {\"name\": @\"a\", \"workloads\": "
								  "[{\"cgroup\": \"/x\"}], \"egress\": []}"),
	  "tenants[2].name", "duplicate tenant name \"a\" (first at tenants[0])" },
	/* FNV-1a 32 of both names is 0x93ea5d02 (asserted in test_tenant_id) */
	{ "tenant id collision", DOC(TENANT("t439599", "") ", {\"name\": @\"t622382\", \"workloads\": "
								 "[{\"cgroup\": \"/x\"}], \"egress\": []}"),
	  "tenants[1].name", "tenant id 0x93ea5d02 of \"t622382\" collides with \"t439599\"" },
	{ "glob in two tenants",
	  DOC(TENANT("a", "") ", {\"name\": \"b\", \"workloads\": [{\"cgroup\": \"/b\"}, "
			      "{\"cgroup\": @\"/w/a/*\"}], \"egress\": []}"),
	  "tenants[1].workloads[1].cgroup",
	  "workload glob \"/w/a/*\" already appears at tenants[0].workloads[0]" },
	{ "glob twice in a tenant",
	  DOC("{\"name\": \"a\", \"workloads\": [{\"cgroup\": \"/a\"}, {\"cgroup\": @\"/a\"}], "
	      "\"egress\": []}"),
	  "tenants[0].workloads[1].cgroup", "already appears at tenants[0].workloads[0]" },
	{ "multi-line position",
	  "{\n  \"apiVersion\": \"airlock/v1\",\n  \"tenants\": [\n    {\n      \"name\": \"a\",\n"
	  "      \"workloads\": [{\"cgroup\": \"/a\"}],\n      \"egress\": [\n"
	  "        {\"name\": \"x\", \"to\": [\"10.0.0.1\"], \"ports\": [1, 2, @99999]}\n"
	  "      ]\n    }\n  ]\n}\n",
	  "tenants[0].egress[0].ports[2]", "port 99999" },
	{ "columns count characters",
	  "{\"apiVersion\": \"airlock/v1\", \"x-note\": \"caf\xc3\xa9 \xe2\x82\xac\", "
	  "\"tenants\": @3}",
	  "tenants", "must be an array" },
	{ "escaped key is found",
	  "{\"apiVersion\": \"airlock/v1\", \"x-\\\"q\\\"\": 1, \"tenants\": @\"no\"}", "tenants",
	  "must be an array" },
};

static void test_errors(void **state)
{
	(void)state;
	check_error_cases(error_cases, sizeof(error_cases) / sizeof(error_cases[0]));
}

static void test_syntax_position(void **state)
{
	const char *json = "{\"apiVersion\": \"airlock/v1\",\n  \"tenants\": [1,]}";
	struct policy_error err;
	struct policy *p = NULL;

	(void)state;
	assert_int_equal(policy_load_buffer("s.json", json, strlen(json), &p, &err), -EINVAL);
	assert_null(p);
	assert_int_equal(err.line, 2);
	/* jansson reports the column of the token it choked on: ']' is column 17 */
	assert_int_equal(err.column, 17);
	assert_string_equal(err.key, "$");
	assert_non_null(strstr(err.reason, "invalid JSON"));
}

static void test_demo(void **state)
{
	struct policy *p = load_ok(demo_json);
	const struct policy_tenant *t;
	const struct policy_egress *e;
	static const __u8 v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 10, 5 };
	__u8 v6[16];

	(void)state;
	assert_string_equal(p->file, "test.json");
	assert_int_equal(p->unmatched, AIRLOCK_ALLOW);
	assert_int_equal(p->n_tenants, 2);

	t = &p->tenants[0];
	assert_string_equal(t->name, "contoso");
	assert_int_equal(t->id, policy_tenant_id("contoso"));
	assert_int_equal(t->n_workloads, 1);
	assert_string_equal(t->workloads[0].cgroup, "/airlock-demo/contoso/*");
	assert_int_equal(t->n_egress, 2);
	e = &t->egress[0];
	assert_string_equal(e->name, "aoai-eastus");
	assert_int_equal(e->n_to, 2);
	assert_int_equal(e->to[0].family, AF_INET);
	assert_int_equal(e->to[0].prefixlen, 128);
	assert_memory_equal(e->to[0].addr, v4, 16);
	assert_int_equal(e->to[1].family, AF_INET6);
	assert_int_equal(e->to[1].prefixlen, 128);
	assert_int_equal(inet_pton(AF_INET6, "fd00:10::5", v6), 1);
	assert_memory_equal(e->to[1].addr, v6, 16);
	assert_int_equal(e->n_ports, 1);
	assert_int_equal(e->ports[0].lo, 443);
	assert_int_equal(e->ports[0].hi, 443);
	assert_int_equal(e->proto, IPPROTO_TCP);
	assert_int_equal(t->egress[1].proto, IPPROTO_UDP);
	assert_int_equal(t->egress[1].ports[0].lo, 53);

	t = &p->tenants[1];
	assert_string_equal(t->name, "fabrikam");
	assert_int_equal(t->egress[0].ports[0].lo, 8000);
	assert_int_equal(t->egress[0].ports[0].hi, 8100);
	policy_free(p);
}

/* The shipped examples load, and demo.json is the document above. */
static void test_examples(void **state)
{
	static const char *const files[] = {
		"policy/examples/demo.json",
		"policy/examples/deny-by-default.json",
		"policy/examples/ipv6.json",
		"policy/examples/protocol-any.json",
	};
	struct policy_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct policy_compiled *c = NULL;
		struct policy *p = NULL;
		char line[1400] = "";
		int r;

		r = policy_load_file(files[i], &p, &err);
		if (r < 0)
			policy_error_format(&err, line, sizeof(line));
		print_message("# %s %s\n", files[i], line);
		assert_int_equal(r, 0);
		assert_int_equal(policy_compile(p, &c, &err), 0);
		assert_true(c->n_entries > 0);
		if (i == 0) {
			assert_int_equal(p->text_len, strlen(demo_json));
			assert_memory_equal(p->text, demo_json, p->text_len);
		}
		policy_compiled_free(c);
		policy_free(p);
	}
}

static void test_defaults(void **state)
{
	struct policy *p = load_ok(DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\", \"fd00::1\", "
							   "\"::ffff:10.0.0.2\"]"))));
	const struct policy_egress *e = &p->tenants[0].egress[0];

	(void)state;
	assert_int_equal(p->unmatched, AIRLOCK_DENY);
	assert_int_equal(e->proto, AIRLOCK_PROTO_ANY);
	assert_int_equal(e->n_ports, 1);
	assert_int_equal(e->ports[0].lo, 0);
	assert_int_equal(e->ports[0].hi, 65535);
	/* bare addresses are host routes */
	assert_int_equal(e->to[0].prefixlen, 96 + 32);
	assert_int_equal(e->to[1].prefixlen, 128);
	/* an IPv4-mapped IPv6 address is stored exactly as the IPv4 one */
	assert_int_equal(e->to[2].family, AF_INET6);
	assert_int_equal(e->to[2].prefixlen, 128);
	assert_int_equal(e->to[2].addr[10], 0xff);
	assert_int_equal(e->to[2].addr[15], 2);
	policy_free(p);

	p = load_ok("{\"apiVersion\": \"airlock/v1\", \"defaults\": {\"unmatchedWorkloads\": "
		    "\"deny\"}, \"tenants\": []}");
	assert_int_equal(p->unmatched, AIRLOCK_DENY);
	assert_int_equal(p->n_tenants, 0);
	policy_free(p);
}

/* An entry's own ports are sorted and merged: each range is one trie rule. */
static void test_ports_merged(void **state)
{
	struct policy *p = load_ok(DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [443, "
							   "\"81-90\", 80, 443, \"85-86\", "
							   "\"65000-65535\", 64999]"))));
	const struct policy_egress *e = &p->tenants[0].egress[0];

	(void)state;
	assert_int_equal(e->n_ports, 3);
	assert_int_equal(e->ports[0].lo, 80);
	assert_int_equal(e->ports[0].hi, 90);
	assert_int_equal(e->ports[1].lo, 443);
	assert_int_equal(e->ports[1].hi, 443);
	assert_int_equal(e->ports[2].lo, 64999);
	assert_int_equal(e->ports[2].hi, 65535);
	policy_free(p);

	/* 16 separate ranges are fine, even when written as more items */
	p = load_ok(DOC(TENANT("a", EGRESS("\"to\": [\"10.0.0.1\"], \"ports\": [1, 3, 5, 7, 9, 11, "
					   "13, 15, 17, 19, 21, 23, 25, 27, 29, 31, \"30-31\", 2]"))));
	assert_int_equal(p->tenants[0].egress[0].n_ports, 14);   /* 1-3 ... 29-31 */
	policy_free(p);
}

static void test_annotations(void **state)
{
	struct policy *p;

	(void)state;
	p = load_ok("{\"apiVersion\": \"airlock/v1\", \"x-owner\": \"net\", \"metadata\": "
		    "{\"anything\": [1, {\"goes\": true}]}, \"defaults\": {\"x-why\": 1}, "
		    "\"tenants\": [{\"name\": \"a\", \"x-t\": 1, \"workloads\": [{\"cgroup\": \"/a\", "
		    "\"x-w\": 2}], \"egress\": [{\"name\": \"e\", \"x-ticket\": \"NET-1\", "
		    "\"to\": [\"0.0.0.0/0\"], \"ports\": [\"1-65535\"], \"protocol\": \"any\"}]}]}");
	assert_int_equal(p->tenants[0].egress[0].ports[0].lo, 1);
	assert_int_equal(p->tenants[0].egress[0].to[0].prefixlen, 96);
	policy_free(p);
}

static void test_names(void **state)
{
	struct policy *p;

	(void)state;
	/* 63 characters is the limit, digits and inner '-' are fine */
	p = load_ok(DOC(TENANT("a12345678901234567890123456789012345678901234567890123456789-0z",
			       EGRESS("\"to\": [\"10.0.0.1\"]"))));
	assert_int_equal(strlen(p->tenants[0].name), 63);
	policy_free(p);
	p = load_ok(DOC(TENANT("7", "")));
	assert_int_equal(p->tenants[0].n_egress, 0);
	policy_free(p);
}

static char *big_doc(size_t tenants, size_t egress)
{
	size_t cap = 256 + tenants * 96 + egress * 64, i;
	char *s = malloc(cap), *o = s;

	assert_non_null(s);
	o += sprintf(o, "{\"apiVersion\": \"airlock/v1\", \"tenants\": [");
	for (i = 0; i < tenants; i++)
		o += sprintf(o, "%s{\"name\": \"t%zu\", \"workloads\": [{\"cgroup\": \"/t%zu\"}], "
				"\"egress\": []}",
			     i ? "," : "", i, i);
	if (egress) {
		o += sprintf(o, "%s{\"name\": \"big\", \"workloads\": [{\"cgroup\": \"/big\"}], "
				"\"egress\": [",
			     tenants ? "," : "");
		for (i = 0; i < egress; i++)
			o += sprintf(o, "%s{\"name\": \"e%zu\", \"to\": [\"10.0.0.1\"]}", i ? "," : "", i);
		o += sprintf(o, "]}");
	}
	sprintf(o, "]}");
	return s;
}

static void test_limits(void **state)
{
	struct policy_error err;
	struct policy *p = NULL;
	char *doc, *huge;

	(void)state;
	doc = big_doc(POLICY_MAX_TENANTS + 1, 0);
	assert_int_equal(policy_load_buffer("l.json", doc, strlen(doc), &p, &err), -EINVAL);
	assert_string_equal(err.key, "tenants");
	assert_non_null(strstr(err.reason, "4097 tenants, limit 4096"));
	free(doc);

	doc = big_doc(POLICY_MAX_TENANTS, 0);
	assert_int_equal(policy_load_buffer("l.json", doc, strlen(doc), &p, &err), 0);
	assert_int_equal(p->n_tenants, POLICY_MAX_TENANTS);
	p = policy_free(p);
	free(doc);

	doc = big_doc(0, POLICY_MAX_EGRESS + 1);
	assert_int_equal(policy_load_buffer("l.json", doc, strlen(doc), &p, &err), -EINVAL);
	assert_string_equal(err.key, "tenants[0].egress");
	assert_non_null(strstr(err.reason, "65537 egress entries, limit 65536"));
	free(doc);

	huge = calloc(1, POLICY_MAX_FILE_BYTES + 1);
	assert_non_null(huge);
	memset(huge, ' ', POLICY_MAX_FILE_BYTES + 1);
	assert_int_equal(policy_load_buffer("h.json", huge, POLICY_MAX_FILE_BYTES + 1, &p, &err),
			 -EFBIG);
	assert_null(p);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.reason, "limit 16777216"));
	free(huge);
}

static void test_load_file_errors(void **state)
{
	struct policy_error err;
	struct policy *p = NULL;
	char buf[1400];

	(void)state;
	assert_int_equal(policy_load_file("/nonexistent/policy.json", &p, &err), -ENOENT);
	assert_null(p);
	assert_string_equal(err.file, "/nonexistent/policy.json");
	assert_int_equal(err.line, 0);
	assert_string_equal(err.key, "");
	policy_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/nonexistent/policy.json: cannot open: No such file or directory");

	assert_int_equal(policy_load_file("/", &p, &err), -EISDIR);
	assert_non_null(strstr(err.reason, "cannot read"));
}

static void test_error_format(void **state)
{
	struct policy_error err = { .file = "p.json", .line = 3, .column = 7,
				    .key = "tenants[0].name", .reason = "bad" };
	char buf[64];
	json_t *j;

	(void)state;
	policy_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "p.json:3:7: tenants[0].name: bad");
	err.line = 0;
	policy_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "p.json: tenants[0].name: bad");
	policy_error_format(&err, buf, 8);
	assert_string_equal(buf, "p.json:");

	err.line = 3;
	snprintf(err.file, sizeof(err.file), "caf\xc3");   /* cut inside a character */
	j = policy_error_json(&err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "file")), "caf?");
	assert_int_equal(json_integer_value(json_object_get(j, "line")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "column")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "key")), "tenants[0].name");
	assert_string_equal(json_string_value(json_object_get(j, "reason")), "bad");
	json_decref(j);
}

static void test_locate(void **state)
{
	const char *text = "{\n"
			   "  \"a\": [10, {\"b\": \"x\\\"y\"}, [1, [2, 3]]],\n"
			   "  \"caf\xc3\xa9\": {\"k.1\": true, \"\\u00e9\": null},\n"
			   "\t\"last\": -1.5e3\n"
			   "}";
	size_t len = strlen(text);
	int line = 0, col = 0;

	(void)state;
	assert_int_equal(policy_locate(text, len, "$", &line, &col), 0);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	assert_int_equal(policy_locate(text, len, "a", &line, &col), 0);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8);
	assert_int_equal(policy_locate(text, len, "a[1].b", &line, &col), 0);
	assert_int_equal(col, 19);
	assert_int_equal(policy_locate(text, len, "$.a[2][1][1]", &line, &col), 0);
	assert_int_equal(col, 36);
	assert_int_equal(policy_locate(text, len, "[\"caf\xc3\xa9\"][\"k.1\"]", &line, &col), 0);
	assert_int_equal(line, 3);
	assert_int_equal(col, 19);
	/* "\u00e9" in the text is the key "é" */
	assert_int_equal(policy_locate(text, len, "[\"caf\xc3\xa9\"][\"\xc3\xa9\"]", &line, &col), 0);
	assert_int_equal(col, 35);
	assert_int_equal(policy_locate(text, len, "last", &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 10);

	assert_int_equal(policy_locate(text, len, "a[3]", &line, &col), -ENOENT);
	assert_int_equal(policy_locate(text, len, "nope", &line, &col), -ENOENT);
	assert_int_equal(policy_locate(text, len, "a.b", &line, &col), -EINVAL);
	assert_int_equal(policy_locate(text, len, "a[x]", &line, &col), -EINVAL);
	assert_int_equal(policy_locate(text, len, "[\"unterminated", &line, &col), -EINVAL);
	/* malformed or cut text never reads past its end */
	assert_int_equal(policy_locate(text, 20, "last", &line, &col), -EINVAL);
	assert_int_equal(policy_locate("[1, ", 4, "[1]", &line, &col), -EINVAL);
	assert_int_equal(policy_locate("{\"a\" 1}", 7, "a", &line, &col), -EINVAL);
	assert_int_equal(policy_locate("", 0, "$", &line, &col), -EINVAL);
}

static void test_cidr(void **state)
{
	struct airlock_policy_key k = { 0 };
	struct policy_cidr c;
	char why[128], buf[64];

	(void)state;
	assert_int_equal(policy_cidr_parse("192.168.0.0/16", &c, why, sizeof(why)), 0);
	assert_int_equal(c.prefixlen, 96 + 16);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.addr[12], 192);
	assert_int_equal(policy_cidr_parse("0.0.0.0/0", &c, why, sizeof(why)), 0);
	assert_int_equal(c.prefixlen, 96);
	assert_int_equal(policy_cidr_parse("::/0", &c, why, sizeof(why)), 0);
	assert_int_equal(c.prefixlen, 0);
	assert_int_equal(policy_cidr_parse("2001:db8::/32", &c, NULL, 0), 0);
	assert_int_equal(c.prefixlen, 32);
	assert_int_equal(c.addr[1], 0x01);

	assert_int_equal(policy_cidr_parse("10.0.0.1/31", &c, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "host bits set, did you mean 10.0.0.0/31?");
	assert_int_equal(policy_cidr_parse("fd00::8000/113", &c, why, sizeof(why)), 0);
	assert_int_equal(policy_cidr_parse("fd00::8000/112", &c, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "host bits set, did you mean fd00::/112?");
	assert_int_equal(policy_cidr_parse("", &c, why, sizeof(why)), -EINVAL);
	assert_int_equal(policy_cidr_parse("/8", &c, why, sizeof(why)), -EINVAL);
	assert_int_equal(policy_cidr_parse("10.0.0.0/", &c, why, sizeof(why)), -EINVAL);
	assert_int_equal(policy_cidr_parse("10.0.0.0/+8", &c, why, sizeof(why)), -EINVAL);
	assert_int_equal(policy_cidr_parse(" 10.0.0.0/8", &c, why, sizeof(why)), -EINVAL);
	assert_int_equal(policy_cidr_parse("010.0.0.0/8", &c, why, sizeof(why)), -EINVAL);
	assert_int_equal(policy_cidr_parse("fe80::1%eth0", &c, why, sizeof(why)), -EINVAL);

	/* key text: IPv4-mapped /96 and longer print as IPv4 */
	k.prefixlen = 32 + 96 + 8;
	k.addr[10] = k.addr[11] = 0xff;
	k.addr[12] = 10;
	assert_int_equal(policy_key_format(&k, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.0/8");
	assert_int_equal(policy_key_format(&k, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.0");
	k.prefixlen = 32 + 80;
	assert_int_equal(policy_key_format(&k, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "::ffff:10.0.0.0/80");
	k.prefixlen = 31;
	assert_int_equal(policy_key_format(&k, 1, buf, sizeof(buf)), -EINVAL);
	assert_string_equal(policy_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(policy_proto_name(AIRLOCK_PROTO_ANY), "any");
	assert_null(policy_proto_name(IPPROTO_ICMP));
}

static void test_tenant_id(void **state)
{
	(void)state;
	/* FNV-1a 32 reference values */
	assert_int_equal(policy_tenant_id(""), 0x811c9dc5u);
	assert_int_equal(policy_tenant_id("a"), 0xe40c292cu);
	assert_int_equal(policy_tenant_id("foobar"), 0xbf9cf968u);
	assert_int_equal(policy_tenant_id("contoso"), 0xf9e1dfa0u);
	/* FNV-1a("ppkttia") is 0, which means "no tenant": it becomes 1 */
	assert_int_equal(policy_tenant_id("ppkttia"), 1);
	/* the collision the validation test relies on */
	assert_int_equal(policy_tenant_id("t439599"), 0x93ea5d02u);
	assert_int_equal(policy_tenant_id("t622382"), 0x93ea5d02u);
}

static void test_match_cgroup(void **state)
{
	struct policy *p = load_ok(
		"{\"apiVersion\": \"airlock/v1\", \"tenants\": ["
		"{\"name\": \"outer\", \"workloads\": [{\"cgroup\": \"/k8s/*\"}], \"egress\": []},"
		"{\"name\": \"inner\", \"workloads\": [{\"cgroup\": \"/k8s/pod-?/*\"}, "
		"{\"cgroup\": \"/svc/[ab]*\"}], \"egress\": []},"
		"{\"name\": \"late\", \"workloads\": [{\"cgroup\": \"/k8s/pod-1/c1\"}], \"egress\": []}]}");
	char *deep;
	int inh = -1;

	(void)state;
	assert_int_equal(policy_match_cgroup(p, "/k8s/pod-1", &inh), 0);
	assert_int_equal(inh, 0);
	/* '*' does not cross '/' */
	assert_int_equal(policy_match_cgroup(p, "/k8s", &inh), -1);
	/* exact match of "inner" at depth 3 beats ancestor match of "outer" */
	assert_int_equal(policy_match_cgroup(p, "/k8s/pod-1/c1", &inh), 1);
	assert_int_equal(inh, 0);
	/* below both: the nearest ancestor match wins ("inner", depth 3) */
	assert_int_equal(policy_match_cgroup(p, "/k8s/pod-1/c1/x", &inh), 1);
	assert_int_equal(inh, 1);
	/* descendants of "outer" only */
	assert_int_equal(policy_match_cgroup(p, "/k8s/other/x/y", &inh), 0);
	assert_int_equal(inh, 1);
	assert_int_equal(policy_match_cgroup(p, "/svc/api", &inh), 1);
	assert_int_equal(policy_match_cgroup(p, "/svc/cache", &inh), -1);
	assert_int_equal(policy_match_cgroup(p, "/other", &inh), -1);
	assert_int_equal(policy_match_cgroup(p, "k8s/pod-1", &inh), -1);
	assert_int_equal(policy_match_cgroup(p, "/k8s/pod-1", NULL), 0);
	assert_int_equal(policy_match_cgroup(NULL, "/k8s/pod-1", &inh), -1);

	/* no length at which a descendant falls out of its tenant */
	deep = malloc(20000);
	assert_non_null(deep);
	strcpy(deep, "/k8s/pod-2");
	while (strlen(deep) < 19000)
		strcat(deep, "/nested-cgroup-level");
	assert_int_equal(policy_match_cgroup(p, deep, &inh), 1);
	assert_int_equal(inh, 1);
	free(deep);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ports_merged),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_syntax_position),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_tenant_id),
		cmocka_unit_test(test_match_cgroup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
