#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Run cmocka unit test binaries in TAP mode and total them up.
#
#   tests/unit/run.sh .output/tests/test_*
#
# Prints each failing binary's output, one summary line per binary, and a
# final "N passed, N failed, N skipped".  Exits non-zero if any test failed
# or any binary exited non-zero (a crash, a sanitizer report, a missing
# binary), even when its TAP lines looked fine: ASan reports leaks only
# after the last test has printed "ok".

set -u

if [ $# -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

total_pass=0
total_fail=0
total_skip=0
bad=0
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT INT TERM

for bin in "$@"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "$name: not found or not executable"
		total_fail=$((total_fail + 1))
		bad=1
		continue
	fi

	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1
	rc=$?

	# cmocka 1.1 writes skips as "not ok N # SKIP name"; others "ok N # SKIP".
	skip=$(grep -Ec '^(not )?ok [0-9]+ # SKIP' "$log")
	fail=$(grep -E '^not ok [0-9]+' "$log" | grep -Evc '^not ok [0-9]+ # SKIP')
	pass=$(grep -E '^ok [0-9]+' "$log" | grep -Evc '^ok [0-9]+ # SKIP')
	plan=$(sed -n 's/^[[:space:]]*1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)

	note=""
	# Tests the plan announced but that never reported: the binary died.
	if [ -n "$plan" ] && [ $((pass + fail + skip)) -lt "$plan" ]; then
		missing=$((plan - pass - fail - skip))
		fail=$((fail + missing))
		note=" ($missing did not report)"
	fi
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		# Exited non-zero with every test ok: a sanitizer or a crash after
		# the last test.  Count the binary as one failure.
		fail=1
		note=" (exit status $rc after the tests)"
	fi

	if [ "$fail" -ne 0 ] || [ "$rc" -ne 0 ]; then
		bad=1
		echo "--- $name output ---"
		cat "$log"
		echo "--- end of $name ---"
	fi
	echo "$name: $pass passed, $fail failed, $skip skipped, exit $rc$note"

	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$bad" -eq 0 ] && [ "$total_fail" -eq 0 ]
