#!/bin/sh
# run.sh SECONDS BIN... — runs each libFuzzer target BIN (build/fuzz/fuzz_X,
# built by `make fuzz`) for SECONDS seconds on a temporary copy of its seed
# corpus tests/fuzz/corpus/X/ (the repository's seeds are never modified),
# with tests/fuzz/dict/X.dict when there is one.
#
# A target that runs its time out without a crash, leak, timeout or
# out-of-memory counts as passed; anything else as failed, and the input
# that did it is printed as a path and as base64, with the sanitizer's
# report. Reproduce with: BIN /path/to/crash-file
# (One exception: a run stopped by a timeout whose input then runs in time
# three times over counts as passed, with a note: on a loaded machine a
# unit can stall for seconds without being slow itself.)
#
# Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -u

if [ $# -lt 2 ]; then
	echo "usage: sh tests/fuzz/run.sh SECONDS BIN..." >&2
	exit 2
fi
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/liveblog-fuzz.XXXXXX") || exit 1

# UBSan reports are fatal, so libFuzzer saves the input like any crash.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"

# flaky_timeout BIN FILE...: true when every FILE is one timeout-* input
# that runs within the timeout three times in a row when tried again. A
# unit stalled by a loaded machine is not a finding; a slow input is.
flaky_timeout() {
	[ $# -eq 2 ] || return 1
	case $(basename "$2") in timeout-*) ;; *) return 1 ;; esac
	"$1" -timeout=5 -runs=3 -rss_limit_mb=2048 "$2" >/dev/null 2>&1
}

passed=0
failed=0
for bin in "$@"; do
	base=$(basename "$bin")
	name=${base#fuzz_}
	dir="$work/$name"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	if [ -d "$here/corpus/$name" ]; then
		cp -R "$here/corpus/$name/." "$dir/corpus/"
	fi
	set --
	if [ -f "$here/dict/$name.dict" ]; then
		set -- "-dict=$here/dict/$name.dict"
	fi
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin is not an executable (make fuzz builds it)"
		failed=$((failed + 1))
		continue
	fi
	echo "== $name: ${secs}s, $(ls "$dir/corpus" | wc -l) seeds"
	# The outer timeout only guards against a hang libFuzzer cannot end.
	timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" \
		-rss_limit_mb=2048 -timeout=5 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/" "$@" "$dir/corpus" \
		>"$dir/log" 2>&1
	rc=$?
	found=$(find "$dir/artifacts" -type f | sort)
	note=
	if [ "$rc" -ne 0 ] && [ -n "$found" ] && flaky_timeout "$bin" $found; then
		note=" (stopped by a timeout that does not reproduce: the machine was busy; input $(base64 -w0 <"$found"))"
		rc=0
		found=
	fi
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
		cov=$(grep -E '^#[0-9]+' "$dir/log" | tail -n 1 |
		      sed -n 's/.*\(cov: [0-9]*\).*\(corp: [^ ]*\).*/\1 \2/p')
		echo "ok   $name: ${runs:-?} runs${cov:+, $cov}$note"
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	echo "FAIL $name (exit $rc); log: $dir/log"
	# The report, short: the error lines, the frames outside libFuzzer and
	# libc, the sanitizer's summary.
	awk '/invariant failed|ERROR: |runtime error|^(READ|WRITE) of size|(Direct|Indirect) leak|ALARM|out-of-memory/ && shown < 8 {
		print "  | " $0; shown++; on = 1; next }
	     on && /^ *#[0-9]+ / && !/fuzzer::|__sanitizer|__interceptor|libc_start|_start |raise|abort|pthread_kill|libc\.so|libFuzzer/ && frames < 16 {
		sub(/ \(BuildId: [0-9a-f]+\)/, ""); print "  | " $0; frames++; next }
	     /^SUMMARY:/ { print "  | " $0; exit }' "$dir/log"
	if [ -z "$found" ]; then
		echo "  (no input saved; last lines of the log:)"
		tail -n 20 "$dir/log" | sed 's/^/  | /'
	fi
	for f in $found; do
		echo "  input: $f"
		echo "  base64: $(base64 -w0 <"$f")"
	done
done

if [ "$failed" -eq 0 ]; then
	rm -rf "$work"
else
	echo "inputs and logs kept in $work"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
