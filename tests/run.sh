#!/bin/sh
# run.sh — the README's test command (make test): installs what the tests
# need, builds the daemon with AddressSanitizer + UndefinedBehaviorSanitizer,
# runs every layer against it and prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/.."
sh tools/install-deps.sh test || exit 1
make -j2 all || exit 1
make -j2 BUILD=build-asan SANITIZER=address,undefined OPT=-O1 \
	build-asan/liveblogd build-asan/liveblog || exit 1
export LIVEBLOGD="$PWD/build-asan/liveblogd"
export LIVEBLOG_CLI="$PWD/build-asan/liveblog"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1"

passed=0 failed=0 log=$(mktemp)
layer() {
	name=$1; shift
	echo "== $name" >&2
	t0=$(date +%s)
	"$@" 2>&1 | tee "$log"
	echo "== $name took $(($(date +%s) - t0)) s" >&2
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: no summary line (runner failed)" >&2
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}
layer unit make -s BUILD=build-asan SANITIZER=address,undefined OPT=-O1 unit-test
for suite in integration cli browser faults; do
	[ -f "tests/$suite/run.sh" ] && layer "$suite" sh "tests/$suite/run.sh"
done
# docker-compose.yml and its Redis topology, checked without Docker.
[ -f tests/deploy/run.sh ] && layer deploy sh tests/deploy/run.sh
# The daemon without sanitizers under valgrind: no error, no leak at exit.
layer valgrind env LIVEBLOG_VALGRIND=1 LIVEBLOGD="$PWD/build/liveblogd" \
	sh tests/integration/run.sh tests/integration/entries.test.mjs \
	tests/integration/events.test.mjs tests/integration/blogs.test.mjs
# Every parser of untrusted bytes under libFuzzer, for a bounded time.
layer fuzz make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
# The load tool builds and a 100-reader run loses and repeats nothing.
[ -f bench/smoke.sh ] && layer bench-smoke sh -c 'make -s bench && sh bench/smoke.sh'

rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
