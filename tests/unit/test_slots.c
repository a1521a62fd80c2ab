/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * agent/slots.c planning: which alk_stats slot counts which tenant.  Owners
 * keep their slots across reloads, newcomers take free slots before any
 * removed tenant's, slot 0 is never given, and a plan that does not fit
 * changes nothing.
 */
#include <linux/types.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "slots.h"

#define NSLOTS 6   /* slot 0 plus five */

static void test_fresh_map(void **state)
{
	__u32 owner[NSLOTS] = { 0 }, ids[] = { 11, 22, 33 };
	unsigned char fresh[3];
	__u16 slot[3];

	(void)state;
	assert_int_equal(slots_plan(owner, NSLOTS, ids, 3, slot, fresh), 0);
	assert_int_equal(slot[0], 1);
	assert_int_equal(slot[1], 2);
	assert_int_equal(slot[2], 3);
	assert_true(fresh[0] && fresh[1] && fresh[2]);
	assert_int_equal(owner[0], 0);
	assert_int_equal(owner[1], 11);
	assert_int_equal(owner[3], 33);
}

static void test_owners_keep_their_slots(void **state)
{
	__u32 owner[NSLOTS] = { 0, 0, 22, 0, 11, 0 }, ids[] = { 11, 44, 22 };
	unsigned char fresh[3];
	__u16 slot[3];

	(void)state;
	assert_int_equal(slots_plan(owner, NSLOTS, ids, 3, slot, fresh), 0);
	assert_int_equal(slot[0], 4);
	assert_false(fresh[0]);
	assert_int_equal(slot[2], 2);
	assert_false(fresh[2]);
	assert_int_equal(slot[1], 1);   /* first free, not slot 0 */
	assert_true(fresh[1]);
}

static void test_removed_tenants_keep_counters_while_room(void **state)
{
	__u32 owner[NSLOTS] = { 0, 99, 0, 0, 0, 0 }, ids[] = { 11 };
	unsigned char fresh[1];
	__u16 slot[1];

	(void)state;
	assert_int_equal(slots_plan(owner, NSLOTS, ids, 1, slot, fresh), 0);
	assert_int_equal(slot[0], 2);
	assert_int_equal(owner[1], 99);  /* still listed as a removed tenant */
}

static void test_reclaims_removed_when_full(void **state)
{
	__u32 owner[NSLOTS] = { 0, 91, 11, 93, 94, 95 }, ids[] = { 11, 55, 93 };
	unsigned char fresh[3];
	__u16 slot[3];

	(void)state;
	assert_int_equal(slots_plan(owner, NSLOTS, ids, 3, slot, fresh), 0);
	assert_int_equal(slot[0], 2);
	assert_int_equal(slot[2], 3);
	assert_int_equal(slot[1], 1);    /* 91 is gone from the policy */
	assert_true(fresh[1]);
	assert_int_equal(owner[1], 55);
	assert_int_equal(owner[4], 94);
}

static void test_no_room_changes_nothing(void **state)
{
	__u32 owner[NSLOTS] = { 0, 1, 2, 3, 4, 5 }, before[NSLOTS];
	__u32 ids[] = { 1, 2, 3, 4, 5, 6 };
	unsigned char fresh[6];
	__u16 slot[6];

	(void)state;
	memcpy(before, owner, sizeof(owner));
	assert_int_equal(slots_plan(owner, NSLOTS, ids, 6, slot, fresh), -ENOSPC);
	assert_memory_equal(owner, before, sizeof(owner));
}

static void test_every_slot_usable(void **state)
{
	__u32 owner[NSLOTS] = { 0 }, ids[] = { 1, 2, 3, 4, 5 };
	unsigned char fresh[5];
	__u16 slot[5];
	size_t i;

	(void)state;
	assert_int_equal(slots_plan(owner, NSLOTS, ids, 5, slot, fresh), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(slot[i], i + 1);
}

static void test_stats_add(void **state)
{
	struct airlock_stats sum = { .tenant = 7, .connect_allowed = 1 };
	struct airlock_stats v = { .tenant = 9, .connect_allowed = 2, .ingress_bytes = 5 };

	(void)state;
	slots_stats_add(&sum, &v);
	slots_stats_add(&sum, &v);
	assert_int_equal(sum.tenant, 7);
	assert_int_equal(sum.connect_allowed, 5);
	assert_int_equal(sum.ingress_bytes, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_map),
		cmocka_unit_test(test_owners_keep_their_slots),
		cmocka_unit_test(test_removed_tenants_keep_counters_while_room),
		cmocka_unit_test(test_reclaims_removed_when_full),
		cmocka_unit_test(test_no_room_changes_nothing),
		cmocka_unit_test(test_every_slot_usable),
		cmocka_unit_test(test_stats_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
