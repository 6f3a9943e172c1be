#!/bin/sh
# run.sh BIN... — runs each cmocka test binary and prints "N passed, N failed"
# over all test cases.
passed=0 failed=0
for bin in "$@"; do
	out=$("$bin" 2>&1)
	status=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ "$status" -ne 0 ] && [ -z "$f" ] && failed=$((failed + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
