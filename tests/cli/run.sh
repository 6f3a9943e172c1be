#!/bin/sh
# Runs the CLI tests (tests/cli/*.test.mjs) against build/liveblog and, for
# most of them, a real build/liveblogd + redis-server started by the shared
# harness. Run from anywhere after `make`; ends with "N passed, N failed"
# and exits non-zero when a test failed.
cd "$(dirname "$0")/../.." || exit 2
for bin in build/liveblog build/liveblogd; do
	if [ ! -x "$bin" ]; then
		echo "tests/cli: $bin is missing: run make first" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT INT TERM
node --test --test-reporter=tap --test-concurrency=1 tests/cli/ >"$out" 2>&1
status=$?
cat "$out"
pass=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
fail=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
pass=${pass:-0}
fail=${fail:-0}
# A runner that died before its summary counts as a failure.
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
