#!/bin/sh
# compare.sh — the fan-out comparison (`make bench-compare`): the same
# scenarios against liveblogd, Nchan (memory and Redis storage), a Node.js
# `ws` broadcaster and the ideal C broadcaster, each started fresh for every
# scenario on free loopback ports and stopped after it. One command, one run.
#
# Writes bench/results/compare-<UTC time>.jsonl (one line per server and
# scenario, see loadtool --help), a Markdown table beside it (also printed),
# and docs/perf-latency.png (gnuplot).
#
# Knobs (environment):
#   BENCH_QUICK=1            fanout:1000 and storm:1000 only, 5 s of posting
#   BENCH_SERVERS            default "liveblogd nchan nchan-redis node ideal";
#                            liveblogd-z: liveblogd with readers that offer
#                            permessage-deflate (loadtool --deflate)
#   BENCH_SCENARIOS          default "fanout:1000 fanout:5000 fanout:10000
#                            fanout:20000 burst:1000 burst:5000 storm:10000"
#   BENCH_RATE / BENCH_DURATION        fan-out posts/s and seconds (10, 20)
#   BENCH_BURST_RATE / BENCH_BURST_DURATION   (200, 10)
#   BENCH_BURST_PROCS        load tool processes for the readers of a burst
#                            (2: one takes ~250k messages/s on this machine)
#   BENCH_FANOUT_PROCS       the same for fan-out and storm (default: one per
#                            9,000 readers); readers that inflate cost the
#                            tool more (liveblogd-z)
#   BENCH_STORM_DURATION / BENCH_STORM_POSTS  live seconds before the drop,
#                            posts while the readers are away (3, 50)
#   BENCH_SIZE               post size in bytes (1024)
#   BENCH_TEXTS              liveblogd, liveblogd-z: post the texts of this
#                            JSON-lines file (demo/article-fr.jsonl) instead
#   BENCH_DRAIN              longest wait for deliveries after the last post
#                            (30 s); what has not arrived by then is missing
#   BENCH_CONNECT_RATE       reader connects per second (2000)
#   BENCH_NAP_US             the load tool's readers sleep this long between
#                            reads (loadtool --nap-us; 0): on loopback a send
#                            to a sleeping reader pays its wake-up on the
#                            server's CPU; the same for every server
#   BENCH_PUBLISHERS         HTTP connections posting in turn (4), so that a
#                            slow POST does not hold the schedule back
#   BENCH_PLOT=0             skip the gnuplot picture
#   BENCH_INSTALL=0          do not apt-get install missing peers
#   BENCH_MAX_LOAD           before each run, wait while the 1-minute load
#                            average is above this (unset: no wait; the
#                            machine is shared), checking every minute ...
#   BENCH_LOAD_WAIT          ... for at most this many seconds (600); the
#                            load is recorded per row either way
#   LIVEBLOGD_PER_PROC       readers per liveblogd process (15000): above,
#                            several share the port and split the cores
#   BENCH_OUT                results directory (bench/results)
#   BENCH_LIVEBLOGD          the liveblogd binary to measure (build/liveblogd)
# Only 127.0.0.1 is used; every run is bounded by loadtool --max-time and
# timeout(1).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LT=$ROOT/build/bench/loadtool
OUT=${BENCH_OUT:-$ROOT/bench/results}
QUICK=${BENCH_QUICK:-0}
SERVERS=${BENCH_SERVERS:-liveblogd nchan nchan-redis node ideal}
if [ "$QUICK" = 1 ]; then
	SCENARIOS=${BENCH_SCENARIOS:-fanout:1000 storm:1000}
	DURATION=${BENCH_DURATION:-5}
	BURST_DURATION=${BENCH_BURST_DURATION:-5}
else
	SCENARIOS=${BENCH_SCENARIOS:-fanout:1000 fanout:5000 fanout:10000 fanout:20000 burst:1000 burst:5000 storm:10000}
	DURATION=${BENCH_DURATION:-20}
	BURST_DURATION=${BENCH_BURST_DURATION:-10}
fi
RATE=${BENCH_RATE:-10}
BURST_RATE=${BENCH_BURST_RATE:-200}
STORM_DURATION=${BENCH_STORM_DURATION:-3}
STORM_POSTS=${BENCH_STORM_POSTS:-50}
DRAIN=${BENCH_DRAIN:-30}
SIZE=${BENCH_SIZE:-1024}
CONNECT_RATE=${BENCH_CONNECT_RATE:-2000}
PUBLISHERS=${BENCH_PUBLISHERS:-4}
TOKEN=bench-admin-$$

say() { printf 'compare: %s\n' "$*" >&2; }

# shellcheck source=bench/lib.sh
. bench/lib.sh

# BENCH_MAX_LOAD: waits while other people's work keeps the machine busy.
wait_quiet() {
	[ -z "${BENCH_MAX_LOAD:-}" ] || wait_load "$BENCH_MAX_LOAD" "${BENCH_LOAD_WAIT:-600}"
}

install_missing() {
	pkgs=""
	command -v redis-server >/dev/null || pkgs="$pkgs redis-server"
	command -v nginx >/dev/null || pkgs="$pkgs nginx-light"
	[ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] || pkgs="$pkgs libnginx-mod-nchan"
	command -v gnuplot >/dev/null || pkgs="$pkgs gnuplot-nox"
	command -v curl >/dev/null || pkgs="$pkgs curl"
	[ -z "$pkgs" ] && return 0
	if [ "${BENCH_INSTALL:-1}" = 0 ]; then
		say "missing:$pkgs (BENCH_INSTALL=0: peers needing them are skipped)"
		return 0
	fi
	say "installing$pkgs"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# nginx's postinst starts the packaged service on :80; keep it from doing so
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	apt-get install -y -qq $pkgs >/dev/null
	rm -f /usr/sbin/policy-rc.d
}

STARTED=""
stop_all() {
	# shellcheck disable=SC2086
	stop_pids $STARTED
	STARTED=""
}

TMP=$(mktemp -d /tmp/liveblog-bench.XXXXXX)
LTPID=""
cleanup() {
	[ -n "$LTPID" ] && kill "$LTPID" 2>/dev/null
	stop_all
	[ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

install_missing
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ -x "$LT" ] || make -s bench
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSON=$OUT/compare-$STAMP.jsonl
MD=$OUT/compare-$STAMP.md
: > "$JSON"

# A copy: a rebuild during the run must not change what is measured.
cp "${BENCH_LIVEBLOGD:-$ROOT/build/liveblogd}" "$TMP/liveblogd" || say "no build/liveblogd: run make"
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
	--maxclients 1000 > "$TMP/redis.log" 2>&1 &
REDIS_PID=$!
sleep 0.5

# start_SERVER: sets PORT, WS_URL, PUB_URL, MODE, SPIDS, EXTRA (loadtool flags)
start_liveblogd() { # READERS
	PORT=$(free_port)
	# A process may open 20,000 files here: above LIVEBLOGD_PER_PROC readers,
	# several liveblogd share the port (SO_REUSEPORT) and the machine's
	# cores (the same number of fan-out loops in all), as an operator would.
	procs=$(( ($1 + ${LIVEBLOGD_PER_PROC:-15000} - 1) / ${LIVEBLOGD_PER_PROC:-15000} ))
	workers=$(( $(nproc) / procs )); [ "$workers" -ge 1 ] || workers=1
	SPIDS="" STARTED=""
	for i in $(seq 1 "$procs"); do
		mkdir -p "$TMP/lbd$i"
		"$TMP/liveblogd" --listen "127.0.0.1:$PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
			--admin-token "$TOKEN" --data-dir "$TMP/lbd$i" --www "$ROOT/www" \
			--workers "$workers" --log-level warn > "$TMP/liveblogd$i.log" 2>&1 &
		SPIDS="${SPIDS:+$SPIDS,}$!"
		STARTED="$STARTED $!"
		wait_http "http://127.0.0.1:$PORT/healthz"
	done
	if [ "$procs" -gt 1 ]; then
		say "liveblogd: $procs processes of $workers fan-out loop(s) on port $PORT"
	fi
	MODE="--mode liveblogd --admin-token $TOKEN"
	WS_URL="ws://127.0.0.1:$PORT/ws/blogs/{blog}"
	PUB_URL="http://127.0.0.1:$PORT/"
	EXTRA="--redis-pid $REDIS_PID --redis-port $REDIS_PORT"
}

# The same liveblogd; its readers offer permessage-deflate.
start_liveblogd_z() { # READERS
	start_liveblogd "$1"
	EXTRA="$EXTRA --deflate"
}

start_nchan_conf() { # CONF
	PORT=$(free_port)
	d=$TMP/nginx-$1
	mkdir -p "$d"
	sed -e "s|@PORT@|$PORT|g; s|@DIR@|$d|g; s|@REDIS_PORT@|$REDIS_PORT|g" \
		"$ROOT/bench/$1" > "$d/nginx.conf"
	nginx -p "$d" -c "$d/nginx.conf" 2> "$d/stderr.log" &
	master=$!
	STARTED="$master"
	wait_http "http://127.0.0.1:$PORT/nothing"
	SPIDS="$master,$(pgrep -P "$master" | paste -sd, -)"
	MODE="--mode raw --protocol ws+meta.nchan --cursor nchan --resume-arg last_event_id"
	WS_URL="ws://127.0.0.1:$PORT/sub/{blog}"
	PUB_URL="http://127.0.0.1:$PORT/pub/{blog}"
	EXTRA=""
}
start_nchan() { start_nchan_conf nchan.conf; }
start_nchan_redis() { start_nchan_conf nchan-redis.conf; EXTRA="--redis-pid $REDIS_PID --redis-port $REDIS_PORT"; }

# A storeless peer on PORT (already started, pid $1): raw mode, no cursor.
started_raw() {
	SPIDS=$1
	STARTED="$SPIDS"
	wait_http "http://127.0.0.1:$PORT/"
	MODE="--mode raw --cursor none"
	WS_URL="ws://127.0.0.1:$PORT/sub/{blog}"
	PUB_URL="http://127.0.0.1:$PORT/pub/{blog}"
	EXTRA=""
}

start_node() {
	PORT=$(free_port)
	node "$ROOT/bench/node-peer.mjs" --listen "127.0.0.1:$PORT" > "$TMP/node.log" 2>&1 &
	started_raw $!
}

start_ideal() {
	PORT=$(free_port)
	"$ROOT/build/bench/ideal" --listen "127.0.0.1:$PORT" > "$TMP/ideal.log" 2>&1 &
	started_raw $!
}

available() { # SERVER
	case $1 in
	liveblogd|liveblogd-z) [ -x "$TMP/liveblogd" ] ;;
	nchan|nchan-redis) command -v nginx >/dev/null && [ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] ;;
	node) command -v node >/dev/null && [ -d "$ROOT/node_modules/ws" ] ;;
	ideal) [ -x "$ROOT/build/bench/ideal" ] ;;
	*) return 1 ;;
	esac
}

run_scenario() { # SERVER KIND READERS
	server=$1 kind=$2 n=$3
	rate=$RATE dur=$DURATION storm=""
	procs=${BENCH_FANOUT_PROCS:+--procs $BENCH_FANOUT_PROCS}
	case $kind in
	burst)
		rate=$BURST_RATE dur=$BURST_DURATION
		# one reader process takes ~250k messages/s here: not the server's limit
		procs="--procs ${BENCH_BURST_PROCS:-2}"
		;;
	storm)
		dur=$STORM_DURATION
		storm="--storm --storm-posts $STORM_POSTS"
		;;
	esac
	more=""
	if [ "${BENCH_NAP_US:-0}" -gt 0 ]; then more="--nap-us $BENCH_NAP_US"; fi
	case $server in liveblogd*) if [ -n "${BENCH_TEXTS:-}" ]; then more="$more --texts $BENCH_TEXTS"; fi ;; esac
	say "$server $kind-$n: $n readers, $rate posts/s for $dur s"
	# shellcheck disable=SC2086
	# in the background, so that a signal to this script is seen at once
	timeout 900 "$LT" $MODE --url "$WS_URL" --pub "$PUB_URL" --readers "$n" \
		--rate "$rate" --duration "$dur" --size "$SIZE" --drain "$DRAIN" \
		--connect-rate "$CONNECT_RATE" --publishers "$PUBLISHERS" --server-pid "$SPIDS" \
		$EXTRA $storm $procs $more --server "$server" --scenario "$kind-$n" --json "$JSON" \
		--max-time 800 &
	LTPID=$!
	rc=0
	wait "$LTPID" || rc=$?
	LTPID=""
	case $rc in
	0) ;;
	3|4) say "$server $kind-$n: loadtool exit $rc (see the row: refused, lost or missing)" ;;
	*) say "$server $kind-$n: loadtool failed (exit $rc), no measurement"
	   printf '{"server":"%s","scenario":"%s","readers":%s,"error":"loadtool exit %s"}\n' \
		"$server" "$kind-$n" "$n" "$rc" >> "$JSON" ;;
	esac
	if ! kill -0 "${SPIDS%%,*}" 2>/dev/null; then
		say "$server died during $kind-$n"
		return 1
	fi
}

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(nproc) x $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)"
	echo "memory: $(free -g | awk '/^Mem/ {print $2}') GiB; kernel $(uname -r); $(. /etc/os-release; echo "$PRETTY_NAME")"
	echo "RLIMIT_NOFILE: $(ulimit -n)"
	echo "liveblogd: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown) ($(git -C "$ROOT" log -1 --format=%cd --date=iso 2>/dev/null))"
	echo "peers: $(redis-server --version | cut -d' ' -f3), nginx $(nginx -v 2>&1 | cut -d/ -f2) + nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null), node $(node --version), ws $(node -p "require('$ROOT/node_modules/ws/package.json').version")"
	echo "scenarios: $SCENARIOS (fan-out $RATE/s for $DURATION s, burst $BURST_RATE/s for $BURST_DURATION s, storm $STORM_POSTS posts away), size $SIZE B${BENCH_TEXTS:+, liveblogd texts from $BENCH_TEXTS}"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/compare-$STAMP.machine"
cat "$OUT/compare-$STAMP.machine" >&2

# Scenario by scenario, every server in turn, each one fresh: servers are
# compared minutes apart (the machine's other load drifts), and RSS per
# reader is measured from a new process every time.
for sc in $SCENARIOS; do
	kind=${sc%%:*} n=${sc##*:}
	for server in $SERVERS; do
		if ! available "$server"; then
			say "$server: not available, skipped"
			continue
		fi
		case $kind:$server in storm:node|storm:ideal)
			say "$server: storm skipped (no storage, no resume)"
			continue ;;
		esac
		redis-cli -p "$REDIS_PORT" flushall >/dev/null 2>&1 || true
		wait_quiet
		fn=start_$(echo "$server" | tr - _)
		if ! $fn "$n"; then
			say "$server: did not start"
			stop_all
			continue
		fi
		run_scenario "$server" "$kind" "$n" || true
		stop_all
		sleep 2   # let the closed readers' sockets go
	done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/compare-$STAMP.machine"

node "$ROOT/bench/report.mjs" "$JSON" "$OUT/compare-$STAMP.machine" > "$MD"
cp "$JSON" "$OUT/latest.jsonl"
cp "$MD" "$OUT/latest.md"
if [ "${BENCH_PLOT:-1}" != 0 ] && command -v gnuplot >/dev/null; then
	node "$ROOT/bench/report.mjs" --gnuplot "$JSON" "$OUT/compare-$STAMP.png" > "$TMP/latency.gp"
	if gnuplot "$TMP/latency.gp"; then
		cp "$OUT/compare-$STAMP.png" "$ROOT/docs/perf-latency.png"
		say "wrote docs/perf-latency.png"
	fi
fi
cat "$MD"
say "results: $JSON"
