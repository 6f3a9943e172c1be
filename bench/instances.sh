#!/bin/sh
# instances.sh — many liveblogd processes on one Redis (issue 15 item 5):
# for N in 1, 2, 4 liveblogd processes sharing one port (SO_REUSEPORT: the
# kernel spreads the readers) and one redis-server, R readers each, one
# blog, posts at a fixed rate. Per N: deliveries/s, latency, server CPU
# (all instances), Redis CPU and the Redis commands per post while posting
# (loadtool --redis-port: INFO commandstats before and after the posting
# and drain window, INFO itself left out; a Lua script's own calls count
# as commands too, as Redis counts them), and how many readers each
# instance held.
#
# Writes bench/results/instances-<UTC time>.jsonl (the load tool's lines,
# server "liveblogd-xN", plus one "instances" line per N) and .machine.
#
# Knobs (environment):
#   INSTANCES_COUNTS     default "1 2 4"
#   INSTANCES_READERS    readers per instance (5000; 4 x 5,000 saturates
#                        this 2-core machine, load tool included)
#   INSTANCES_TOTAL      if set, this many readers in all, split over the
#                        instances, instead of INSTANCES_READERS each
#   INSTANCES_WORKERS    fan-out loops per instance (1)
#   INSTANCES_RATE / INSTANCES_DURATION   posts/s and seconds (10, 20)
#   INSTANCES_DEFLATE=1  readers offer permessage-deflate
#   INSTANCES_MAX_LOAD   wait before each run while the 1-minute load
#                        average is above this (2) ...
#   INSTANCES_LOAD_WAIT  ... for at most this many seconds (600)
#   BENCH_SIZE, BENCH_TEXTS, BENCH_DRAIN, BENCH_CONNECT_RATE,
#   BENCH_PUBLISHERS, BENCH_FANOUT_PROCS, BENCH_OUT, BENCH_LIVEBLOGD
#                        as in compare.sh
# Only 127.0.0.1 is used; each run is bounded by loadtool --max-time.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LT=$ROOT/build/bench/loadtool
OUT=${BENCH_OUT:-$ROOT/bench/results}
COUNTS=${INSTANCES_COUNTS:-1 2 4}
PER=${INSTANCES_READERS:-5000}
WORKERS=${INSTANCES_WORKERS:-1}
RATE=${INSTANCES_RATE:-10}
DURATION=${INSTANCES_DURATION:-20}
MAX_LOAD=${INSTANCES_MAX_LOAD:-2}
LOAD_WAIT=${INSTANCES_LOAD_WAIT:-600}
TOKEN=bench-admin-$$

say() { printf 'instances: %s\n' "$*" >&2; }

# shellcheck source=bench/lib.sh
. bench/lib.sh

wait_quiet() { wait_load "$MAX_LOAD" "$LOAD_WAIT"; }

PIDS=""
stop_instances() {
	# shellcheck disable=SC2086
	stop_pids $PIDS
	PIDS=""
}

TMP=$(mktemp -d /tmp/liveblog-instances.XXXXXX)
SAMPLER=""
cleanup() {
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
	stop_instances
	[ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ -x "$LT" ] || make -s bench
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSON=$OUT/instances-$STAMP.jsonl
: > "$JSON"
cp "${BENCH_LIVEBLOGD:-$ROOT/build/liveblogd}" "$TMP/liveblogd"
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
	--maxclients 1000 > "$TMP/redis.log" 2>&1 &
REDIS_PID=$!
sleep 0.5

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(nproc) x $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)"
	echo "RLIMIT_NOFILE: $(ulimit -n)"
	echo "liveblogd: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "redis: $(redis-server --version | cut -d' ' -f3)"
	if [ -n "${INSTANCES_TOTAL:-}" ]; then split="$INSTANCES_TOTAL readers in all"; else split="$PER readers each"; fi
	echo "instances: $COUNTS; $split; $WORKERS fan-out loop(s) each; $RATE posts/s for $DURATION s; size ${BENCH_SIZE:-1024} B${BENCH_TEXTS:+, texts $BENCH_TEXTS}${INSTANCES_DEFLATE:+, deflate}"
} > "$OUT/instances-$STAMP.machine"
cat "$OUT/instances-$STAMP.machine" >&2

# Largest descriptor count of each instance while the run goes on (the
# readers it holds, plus ~20 of its own), into $TMP/fds.<pid>.
sample_fds() {
	while :; do
		for p in $PIDS; do
			n=$(ls /proc/"$p"/fd 2>/dev/null | wc -l)
			m=$(cat "$TMP/fds.$p" 2>/dev/null || echo 0)
			[ "$n" -gt "$m" ] && echo "$n" > "$TMP/fds.$p"
		done
		sleep 1
	done
}

redis_cpu() { # used_cpu_sys + used_cpu_user, seconds
	redis-cli -p "$REDIS_PORT" info cpu | tr -d '\r' |
		awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.3f", s }'
}

for n in $COUNTS; do
	if [ -n "${INSTANCES_TOTAL:-}" ]; then readers=$INSTANCES_TOTAL; else readers=$((n * PER)); fi
	redis-cli -p "$REDIS_PORT" flushall >/dev/null
	PORT=$(free_port)
	spids=""
	for i in $(seq 1 "$n"); do
		mkdir -p "$TMP/lbd$i"
		"$TMP/liveblogd" --listen "127.0.0.1:$PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
			--admin-token "$TOKEN" --data-dir "$TMP/lbd$i" --www "$ROOT/www" \
			--workers "$WORKERS" --log-level warn > "$TMP/liveblogd$i.log" 2>&1 &
		PIDS="$PIDS $!"
		spids="${spids:+$spids,}$!"
		wait_http "http://127.0.0.1:$PORT/healthz"
	done
	rm -f "$TMP"/fds.*
	sample_fds &
	SAMPLER=$!
	wait_quiet
	load=$(load1)
	cpu0=$(redis_cpu)
	say "$n instance(s) on port $PORT, $readers readers, load $load"
	rc=0
	# shellcheck disable=SC2086
	timeout 900 "$LT" --mode liveblogd --admin-token "$TOKEN" \
		--url "ws://127.0.0.1:$PORT/ws/blogs/{blog}" --pub "http://127.0.0.1:$PORT/" \
		--readers "$readers" --rate "$RATE" --duration "$DURATION" \
		--size "${BENCH_SIZE:-1024}" --drain "${BENCH_DRAIN:-30}" \
		--connect-rate "${BENCH_CONNECT_RATE:-2000}" --publishers "${BENCH_PUBLISHERS:-4}" \
		${BENCH_FANOUT_PROCS:+--procs $BENCH_FANOUT_PROCS} \
		${BENCH_TEXTS:+--texts $BENCH_TEXTS} ${INSTANCES_DEFLATE:+--deflate} \
		--server-pid "$spids" --redis-pid "$REDIS_PID" --redis-port "$REDIS_PORT" \
		--server "liveblogd-x$n" --scenario "instances-$n" --json "$JSON" \
		--max-time 800 || rc=$?
	cpu1=$(redis_cpu)
	kill "$SAMPLER" 2>/dev/null || true
	wait "$SAMPLER" 2>/dev/null || true
	SAMPLER=""
	held=""
	for p in $PIDS; do held="${held:+$held,}$(cat "$TMP/fds.$p" 2>/dev/null || echo 0)"; done
	printf '{"instances":%s,"readers":%s,"workers":%s,"loadavg_before":%s,"redis_cpu_whole_run_s":%s,"max_fds_per_instance":[%s],"loadtool_exit":%s}\n' \
		"$n" "$readers" "$WORKERS" "$load" "$(echo "$cpu1 $cpu0" | awk '{ printf "%.3f", $1 - $2 }')" "$held" "$rc" >> "$JSON"
	say "$n instance(s): loadtool exit $rc; most descriptors per instance: $held"
	for p in $PIDS; do kill -0 "$p" 2>/dev/null || say "instance $p died"; done
	stop_instances
	sleep 2
done
say "results: $JSON"
