#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Run libFuzzer targets for a bounded time each, seeded from the policy
# examples, and total them up: each target is one case.
#
#   tests/fuzz/run.sh .output/fuzz/fuzz_*
#
# FUZZ_SECONDS (default 15) bounds each target; FUZZ_RUNS, when set, bounds
# the number of inputs too.  A crash, leak or timeout fails the target; its
# reproducer is kept as crash-* / leak-* / timeout-* in FUZZ_ARTIFACTS
# (default: the current directory, where .gitignore expects them).
# A persistent corpus in tests/fuzz/corpus-<target>/ is used when present;
# hand-made seeds in tests/fuzz/seeds/<target>/ (checked in) are added.

set -u

if [ $# -eq 0 ]; then
	echo "usage: $0 FUZZ_BINARY..." >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-15}
artifacts=${FUZZ_ARTIFACTS:-.}
passed=0
failed=0
skipped=0

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# fuzz BINARY: run one target; its own positional parameters hold the options.
fuzz() {
	bin=$1
	name=$(basename "$bin")
	corpus="$work/corpus-$name"
	mkdir -p "$corpus"
	for f in "$root"/policy/examples/*.json "$here/seeds/$name"/*; do
		[ -e "$f" ] && cp "$f" "$corpus/"
	done
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/"
	[ -n "${FUZZ_RUNS:-}" ] && set -- "$@" -runs="$FUZZ_RUNS"
	[ -f "$here/$name.dict" ] && set -- "$@" -dict="$here/$name.dict"
	set -- "$@" "$corpus"
	[ -d "$here/corpus-$name" ] && set -- "$@" "$here/corpus-$name"
	"$bin" "$@" >"$work/$name.log" 2>&1
}

for bin in "$@"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "$name: not found or not executable"
		failed=$((failed + 1))
		continue
	fi
	fuzz "$bin"
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "$name: ok (${runs:-?} inputs in at most ${seconds}s)"
		passed=$((passed + 1))
	else
		echo "--- $name output (last 60 lines) ---"
		tail -n 60 "$work/$name.log"
		echo "--- end of $name ---"
		echo "$name: FAILED, exit $rc; reproducer in $artifacts/ (crash-*, leak-*, timeout-*)"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
