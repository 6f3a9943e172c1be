#!/bin/sh
# smoke.sh — the load tool's CI check: redis-server and liveblogd on free
# loopback ports, 100 readers, a few posts, then every reader dropped and
# resumed with ?since=; fails if any delivery is missing or duplicated, a
# post failed or a reader did not connect. Last line: "N passed, N failed".
#
#   sh bench/smoke.sh        (LIVEBLOGD=path to test another build)
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LIVEBLOGD=${LIVEBLOGD:-$ROOT/build/liveblogd}
LT=$ROOT/build/bench/loadtool
TMP=$(mktemp -d /tmp/liveblog-smoke.XXXXXX)
RPID="" LPID=""

cleanup() {
	for p in $LPID $RPID; do kill "$p" 2>/dev/null; done
	for p in $LPID $RPID; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "smoke: $*" >&2
	[ -f "$TMP/liveblogd.log" ] && tail -20 "$TMP/liveblogd.log" >&2
	echo "0 passed, 1 failed"
	exit 1
}

free_port() {
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 10000 ))
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

{ [ -x "$LIVEBLOGD" ] && [ -x "$LT" ]; } || make -s bench >&2 || fail "make bench failed"
command -v redis-server >/dev/null || fail "redis-server is not installed"
RPORT=$(free_port)
PORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
	> "$TMP/redis.log" 2>&1 &
RPID=$!
i=0
until redis-cli -p "$RPORT" ping >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 50 ] && fail "redis-server did not start"
	sleep 0.1
done
"$LIVEBLOGD" --listen "127.0.0.1:$PORT" --redis "redis://127.0.0.1:$RPORT" \
	--admin-token smoke-admin --data-dir "$TMP" --www "$ROOT/www" \
	--log-level warn > "$TMP/liveblogd.log" 2>&1 &
LPID=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "liveblogd did not become healthy"
	sleep 0.1
done

"$LT" --mode liveblogd --admin-token smoke-admin \
	--url "ws://127.0.0.1:$PORT/ws/blogs/{blog}" --pub "http://127.0.0.1:$PORT/" \
	--readers 100 --rate 10 --duration 1 --size 512 --warmup 0.5 --drain 10 \
	--storm --storm-posts 5 --storm-timeout 30 --max-time 120 \
	--server-pid "$LPID" --redis-port "$RPORT" --server liveblogd --scenario smoke \
	--json "$TMP/smoke.jsonl"
rc=$?
[ $rc -eq 0 ] || fail "loadtool exit $rc (3: missing/duplicate deliveries; 4: failed posts or readers)"
grep -q '"storm_catchup_s":null' "$TMP/smoke.jsonl" && fail "readers did not all catch up after resuming"
echo "1 passed, 0 failed"
