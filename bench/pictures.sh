#!/bin/sh
# pictures.sh — readers of a blog whose entries each carry a ~200 KB picture
# (SPEC "Pictures", issue 13): is each picture read from Redis once per
# instance, not once per reader, and does the page's first byte come as
# fast as on the same blog without pictures?
#
# Starts a redis-server and one liveblogd (release build) on free loopback
# ports, makes two blogs with the same ENTRIES texts, one with a noise JPEG
# of ~200 KB per entry (pgmnoise | pnmtojpeg, made now), and runs
# build/bench/pageload (READERS readers, each GETs the page then every
# picture on one keep-alive connection) in this order:
#   text      the blog without pictures: the page only
#   cold      the blog with pictures: page + pictures, none in memory yet
#   warm      the same again: every picture kept in the loop's cache
#   text2     the blog without pictures again (the machine may have drifted)
# Redis command counts come from INFO commandstats (reset before each run):
# HMGET is the picture read (lb:media:<id> type data) and nothing else of
# these runs uses it. Writes bench/results/pictures-<UTC>.jsonl and .md.
#
# Knobs: READERS (5000), ENTRIES (5), RATE (connects/s, 2000), WORKERS (2),
# LIVEBLOGD (another binary: ./build/liveblogd).
# Not a timed test: the machine is shared, figures vary from run to run.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
READERS=${READERS:-5000}
ENTRIES=${ENTRIES:-5}
RATE=${RATE:-2000}
WORKERS=${WORKERS:-2}
OUT=${BENCH_OUT:-$ROOT/bench/results}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liveblog-bench-pictures.XXXXXX")
mkdir -p "$OUT"
make -s all build/bench/pageload

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
rport=$(free_port)
port=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
	>"$tmp/redis.log" 2>&1 &
redis=$!
daemon=
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	kill "$redis" 2>/dev/null; wait "$redis" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for i in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
ulimit -n 20000 2>/dev/null || true
${LIVEBLOGD:-./build/liveblogd} --listen "127.0.0.1:$port" --redis "redis://127.0.0.1:$rport" \
	--admin-token bench --workers "$WORKERS" --log-level warn --data-dir "$tmp" \
	>"$tmp/daemon.log" 2>&1 &
daemon=$!
base="http://127.0.0.1:$port"
for i in $(seq 50); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# create ID: the editor token
create() {
	curl -fs -XPOST -H 'Authorization: Bearer bench' -d "{\"id\":\"$1\",\"title\":\"Bench $1\"}" \
		"$base/api/blogs" | sed -n 's/.*"editor_token":"\([0-9a-f]*\)".*/\1/p'
}
tp=$(create pictures)
tt=$(create text)
text='Les dirigeants arrivent au sommet. Une longue journée de négociations commence, avec plusieurs rencontres bilatérales prévues avant la séance plénière de l’après-midi.'
pics=""
sizes=""
for i in $(seq "$ENTRIES"); do
	pgmnoise -randomseed="$i" 560 450 | pnmtojpeg -quiet -quality=90 >"$tmp/p$i.jpg"
	id=$(curl -fs -XPOST -H "Authorization: Bearer $tp" -H 'Content-Type: image/jpeg' \
		--data-binary "@$tmp/p$i.jpg" "$base/api/blogs/pictures/media" |
		sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
	pics="$pics --picture /media/$id"
	sizes="$sizes $(wc -c <"$tmp/p$i.jpg")"
	curl -fs -XPOST -H "Authorization: Bearer $tp" \
		-d "{\"text\":\"$text $i\",\"media\":[{\"id\":\"$id\",\"alt\":\"Bruit $i\",\"caption\":\"Image $i\"}]}" \
		"$base/api/blogs/pictures/entries" >/dev/null
	curl -fs -XPOST -H "Authorization: Bearer $tt" -d "{\"text\":\"$text $i\"}" \
		"$base/api/blogs/text/entries" >/dev/null
done

calls() {   # calls CMD: its count in INFO commandstats since the last reset
	redis-cli -p "$rport" info commandstats | tr -d '\r' |
		sed -n "s/^cmdstat_$1:calls=\([0-9]*\).*/\1/p" | grep . || echo 0
}
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$daemon/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$daemon/stat"; }

# run NAME PATH [PICTURE ARGS]: one line of results
run() {
	name=$1 path=$2
	shift 2
	redis-cli -p "$rport" config resetstat >/dev/null
	c0=$(cpu_ticks)
	res=$(./build/bench/pageload --port "$port" --path "$path" --readers "$READERS" \
		--rate "$RATE" --max-time 300 "$@") || echo "pageload: some readers failed" >&2
	c1=$(cpu_ticks)
	cache=$(curl -fs "$base/metrics" | sed -n 's/^liveblog_cache_bytes \(.*\)$/\1/p')
	echo "{\"run\":\"$name\",\"hmget\":$(calls hmget),\"redis_commands\":$(redis-cli -p "$rport" info stats |
		tr -d '\r' | sed -n 's/^total_commands_processed:\(.*\)$/\1/p'),\"daemon_cpu_s\":$(echo "$c0 $c1 $(getconf CLK_TCK)" | awk '{ printf "%.2f", ($2 - $1) / $3 }'),\"daemon_rss_kib\":$(rss_kib),\"cache_bytes\":${cache:-0},\"result\":$res}" |
		tee -a "$OUT/pictures-$stamp.jsonl"
}

echo "readers $READERS, entries $ENTRIES, picture bytes:$sizes" >&2
run text /blogs/text
# shellcheck disable=SC2086
run cold /blogs/pictures $pics
# shellcheck disable=SC2086
run warm /blogs/pictures $pics
run text2 /blogs/text

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const f = (s) => `${s.p50} / ${s.p99} / ${s.max}`;
console.log(`| run | readers done | HMGET (picture reads) | page TTFB ms p50/p99/max | page ms p50/p99/max | picture ms p50/p99/max | reader ms p50/p99 | MB sent | daemon CPU s | RSS MiB | cache MiB |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|`);
for (const l of lines) {
  const r = l.result;
  console.log(`| ${l.run} | ${r.done}/${r.readers} | ${l.hmget} | ${f(r.page_ttfb_ms)} | ${f(r.page_ms)} | ${r.picture_ms.n ? f(r.picture_ms) : "-"} | ${r.reader_ms.p50} / ${r.reader_ms.p99} | ${(r.bytes / 1048576).toFixed(0)} | ${l.daemon_cpu_s} | ${(l.daemon_rss_kib / 1024).toFixed(0)} | ${(l.cache_bytes / 1048576).toFixed(1)} |`);
}' "$OUT/pictures-$stamp.jsonl" | tee "$OUT/pictures-$stamp.md"
