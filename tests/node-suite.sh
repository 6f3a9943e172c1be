#!/bin/sh
# node-suite.sh TARGET... — runs node:test files or directories one at a
# time (real daemons share the machine), streams the TAP output, and prints
# "N passed, N failed" as the last line from node's own summary ("# pass",
# "# fail", "# cancelled"; "# todo" counts as neither). A runner that died
# without counting a failed test counts as one failure. Exit 0 only when
# nothing failed and something passed. Run from the repository root.
set -u
out=$(mktemp "${TMPDIR:-/tmp}/liveblog-suite.XXXXXX") || exit 2
trap 'rm -f "$out" "$out.rc"' EXIT
trap 'exit 130' INT TERM

{ node --test --test-reporter=tap --test-concurrency=1 --test-force-exit \
	--test-timeout=180000 "$@" 2>&1; echo $? >"$out.rc"; } | tee "$out"
rc=$(cat "$out.rc" 2>/dev/null || echo 1)
pass=$(awk '/^# pass [0-9]+$/ { n += $3 } END { print n + 0 }' "$out")
fail=$(awk '/^# (fail|cancelled) [0-9]+$/ { n += $3 } END { print n + 0 }' "$out")
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
