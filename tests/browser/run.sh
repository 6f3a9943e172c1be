#!/bin/sh
# Browser tests: the pages in chromium against real liveblogd + redis-server
# (tests/integration/harness.mjs). Runs from the repository root, prints the
# TAP stream and a last line "N passed, N failed"; exits non-zero on any
# failure. Needs build/liveblogd (make), /usr/bin/chromium (or $CHROMIUM),
# redis-server and node_modules/playwright-core.
set -u
cd "$(dirname "$0")/../.." || exit 2

out=$(mktemp) || exit 2
trap 'rm -f "$out" "$out.rc"' EXIT INT TERM

{
	node --test --test-reporter=tap --test-concurrency=1 tests/browser/
	echo $? > "$out.rc"
} | tee "$out"

rc=$(cat "$out.rc" 2>/dev/null || echo 1)
passed=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
failed=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
passed=${passed:-0}
failed=${failed:-0}
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	# node failed without a failing test (a file that did not load, ...)
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
