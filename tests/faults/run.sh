#!/bin/sh
# tests/faults/run.sh — runs the fault-injection suite (node:test, TAP) from
# the repository root: real redis-server and liveblogd processes on loopback,
# with Redis stopped, restarted and stalled, daemons killed, slow and hostile
# clients. Arguments: test files to run (default: the whole tests/faults/
# directory). Environment: LIVEBLOGD (daemon binary, default build/liveblogd).
# The suite writes docs/RELIABILITY.md (one row per test). Prints
# "N passed, N failed" as its last line; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2

if [ "$#" -eq 0 ]; then
	set -- tests/faults/
	# a full run starts a fresh report
	rm -rf build/faults-results
fi

out=$(mktemp "${TMPDIR:-/tmp}/liveblog-faults.XXXXXX") || exit 2
rcfile="$out.rc"
trap 'rm -f "$out" "$rcfile"' EXIT
trap 'exit 130' INT TERM

{ node --test --test-reporter=tap --test-concurrency=1 --test-force-exit \
	--test-timeout=180000 "$@" 2>&1; echo $? >"$rcfile"; } | tee "$out"
rc=$(cat "$rcfile" 2>/dev/null || echo 1)

# node prints one summary at the end ("# pass N", "# fail N", "# cancelled N").
pass=$(awk '/^# pass [0-9]+$/ { n += $3 } END { print n + 0 }' "$out")
fail=$(awk '/^# (fail|cancelled) [0-9]+$/ { n += $3 } END { print n + 0 }' "$out")
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	# node failed without counting a failed test (crash, bad arguments)
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
