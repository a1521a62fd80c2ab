#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# What a change to the scanner is worth, measured against REV in one
# process (bench/scan_ab.c): this VM changes speed by up to 2x within
# minutes, so figures from two runs cannot be compared.
#
#   bench/ab.sh REV [ROUNDS]     (make bench-ab REV=...)
#
# A is REV, B the working tree.  Each is built as a shared library of
# agent/scan and policy; both scan the corpora bench_scan writes (the
# mixed one and one per kind, as its engine figures use).  Prints MB/s of
# each and B/A; the findings must be the same count.
set -euo pipefail

rev=${1:?usage: $0 REV [ROUNDS]}
rounds=${2:-6}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.output
tmp=$(mktemp -d)
cleanup() {
	git -C "$root" worktree remove --force "$tmp/a" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# the same command line for both: REV may predate any Makefile rule for it
scan_so() {
	(cd "$1" && cc -std=gnu11 -O2 -g -fPIC -shared -Wl,-Bsymbolic -Wl,--no-undefined \
		-Iinclude -Ipolicy -Iagent -Iagent/scan $(pkg-config --cflags libhs) \
		-o "$2" agent/scan/*.c policy/*.c -lhs -lcrypto -ljansson)
}

git -C "$root" worktree add --detach "$tmp/a" "$rev" >/dev/null
scan_so "$tmp/a" "$tmp/a.so"
scan_so "$root" "$tmp/b.so"
mkdir "$tmp/corpus"
"$out/bench_scan" --mb 8 --write-corpus "$tmp/corpus"
echo "A = $(git -C "$root" rev-parse --short "$rev"), B = the working tree"
"$out/scan_ab" "$tmp/a.so" "$tmp/b.so" "$rounds" \
	"$tmp/corpus/mix" "$tmp/corpus/chat" "$tmp/corpus/code" "$tmp/corpus/json" \
	"$tmp/corpus/logs" "$tmp/corpus/email"
