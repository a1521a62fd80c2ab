// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* evstream.c: how a kernel denial event is rendered for logs and airlockctl. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "evstream.h"

static struct airlock_event event_v4(const char *ip, __u16 port)
{
	struct airlock_event e = {
		.ts_ns = 42, .cgroup_id = 1234, .cookie = 99, .tenant = 7, .pid = 4321,
		.port = port, .family = AF_INET, .proto = 6, .hook = AIRLOCK_HOOK_CONNECT4,
		.reason = AIRLOCK_REASON_NO_ROUTE, .verdict = AIRLOCK_DENY,
	};

	memcpy(e.comm, "curl", 5);
	e.addr[10] = 0xff;
	e.addr[11] = 0xff;
	assert_int_equal(inet_pton(AF_INET, ip, e.addr + 12), 1);
	return e;
}

static void test_v4_event_fields(void **state)
{
	struct airlock_event e = event_v4("127.0.0.1", 443);
	json_t *j = evstream_event_json(&e, "contoso");

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "tenant")), "contoso");
	assert_int_equal(json_integer_value(json_object_get(j, "tenant_id")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "daddr")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(j, "dport")), 443);
	assert_string_equal(json_string_value(json_object_get(j, "proto")), "tcp");
	assert_string_equal(json_string_value(json_object_get(j, "hook")), "connect4");
	assert_string_equal(json_string_value(json_object_get(j, "reason")), "no_route");
	assert_string_equal(json_string_value(json_object_get(j, "comm")), "curl");
	assert_string_equal(json_string_value(json_object_get(j, "family")), "ipv4");
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 4321);
	assert_int_equal(json_integer_value(json_object_get(j, "cgroup_id")), 1234);
	json_decref(j);
}

/* A connect6 to ::ffff:127.0.0.1 reads as the IPv4 address it carries. */
static void test_v4_mapped_on_v6_socket(void **state)
{
	struct airlock_event e = event_v4("127.0.0.1", 443);
	json_t *j;

	(void)state;
	e.family = AF_INET6;
	e.hook = AIRLOCK_HOOK_CONNECT6;
	j = evstream_event_json(&e, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "daddr")), "127.0.0.1");
	assert_string_equal(json_string_value(json_object_get(j, "family")), "ipv6");
	assert_string_equal(json_string_value(json_object_get(j, "hook")), "connect6");
	assert_string_equal(json_string_value(json_object_get(j, "tenant")), "(unknown)");
	json_decref(j);
}

static void test_v6_and_unknown_values(void **state)
{
	struct airlock_event e = event_v4("127.0.0.1", 53);
	json_t *j;

	(void)state;
	memset(e.addr, 0, sizeof(e.addr));
	assert_int_equal(inet_pton(AF_INET6, "fd00:10::5", e.addr), 1);
	e.tenant = 0;
	e.proto = 17;
	e.hook = 200;
	e.reason = 200;
	e.comm[15] = 'x'; /* comm without a terminator must not overrun */
	memset(e.comm, 'a', sizeof(e.comm));
	j = evstream_event_json(&e, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "daddr")), "fd00:10::5");
	assert_string_equal(json_string_value(json_object_get(j, "proto")), "udp");
	assert_string_equal(json_string_value(json_object_get(j, "hook")), "unknown");
	assert_string_equal(json_string_value(json_object_get(j, "reason")), "unknown");
	assert_string_equal(json_string_value(json_object_get(j, "tenant")), "(unmatched)");
	assert_int_equal(strlen(json_string_value(json_object_get(j, "comm"))), 16);
	json_decref(j);
}

static void test_reason_names(void **state)
{
	static const struct {
		__u8 reason;
		const char *name;
	} cases[] = {
		{AIRLOCK_REASON_NO_CONFIG, "no_config"}, {AIRLOCK_REASON_UNMATCHED, "unmatched"},
		{AIRLOCK_REASON_NO_POLICY, "no_policy"}, {AIRLOCK_REASON_NO_ROUTE, "no_route"},
		{AIRLOCK_REASON_PORT, "port"},           {AIRLOCK_REASON_RAW_SOCKET, "raw_socket"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct airlock_event e = event_v4("10.0.0.1", 1);
		json_t *j;

		e.reason = cases[i].reason;
		j = evstream_event_json(&e, "t");
		assert_string_equal(json_string_value(json_object_get(j, "reason")), cases[i].name);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_event_fields),
		cmocka_unit_test(test_v4_mapped_on_v6_socket),
		cmocka_unit_test(test_v6_and_unknown_values),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("evstream", tests, NULL, NULL);
}
