#!/bin/sh
# demo.sh — make demo: start liveblogd (embedded Redis, data in var/demo),
# serve the newsroom's article page (tools/demo-host.mjs) from a second
# loopback origin (127.0.0.2) with the liveblog embedded above its text,
# post the demo article (demo/article-fr.jsonl, six entries) as a French
# liveblog a few seconds apart with the liveblog CLI, end it, and keep
# serving until Ctrl-C. Open the article page while the entries arrive.
# DEMO_GAP=seconds between posts (default 3); DEMO_PORT (8080) for
# liveblogd, DEMO_HOST_PORT (8081) for the article page.
# An entry with a "picture" ({alt, caption, credit}) is posted with the
# demo's picture, drawn now by tools/demo-image.sh (netpbm).
set -eu
cd "$(dirname "$0")/.."
port=${DEMO_PORT:-8080}
host_port=${DEMO_HOST_PORT:-8081}
gap=${DEMO_GAP:-3}
server="http://127.0.0.1:$port"
article="http://127.0.0.2:$host_port"
admin=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p var/demo
sh tools/demo-image.sh var/demo/picture.jpg
./build/liveblogd --listen "127.0.0.1:$port" --data-dir var/demo --admin-token "$admin" \
	--embed-origin "$article" --publisher "Le Quotidien" &
daemon=$!
host=""
trap 'kill $daemon $host 2>/dev/null; wait $daemon 2>/dev/null' EXIT INT TERM
for i in $(seq 50); do curl -fs "$server/healthz" >/dev/null && break; sleep 0.1; done
id="demo-$(date +%H%M%S)"
token=$(./build/liveblog --server "$server" --token "$admin" create --id "$id" --lang fr \
	--title "Immigration : Washington met la pression sur ses alliés" |
	sed -n 's/.*"editor_token":"\([0-9a-f]*\)".*/\1/p')
node tools/demo-host.mjs 127.0.0.2 "$host_port" "$server" "$id" &
host=$!
echo "the newsroom's article, the liveblog embedded: $article/"
echo "reader: $server/blogs/$id   (editor token: $token)"
sleep "$gap"
n=0
# one entry per line: title, key flag and text extracted with node (JSON)
while IFS= read -r line; do
	n=$((n + 1))
	title=$(printf '%s' "$line" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).title||""))')
	key=$(printf '%s' "$line" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).key?"--key":""))')
	# the picture's alt, caption and credit, one per line (none: empty)
	pic=$(printf '%s' "$line" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).picture;if(p)process.stdout.write([p.alt,p.caption||"",p.credit||""].join("\n"))})')
	set --
	if [ -n "$pic" ]; then
		alt=$(printf '%s\n' "$pic" | sed -n 1p)
		caption=$(printf '%s\n' "$pic" | sed -n 2p)
		credit=$(printf '%s\n' "$pic" | sed -n 3p)
		set -- --image var/demo/picture.jpg --alt "$alt" ${caption:+--caption "$caption"} ${credit:+--credit "$credit"}
	fi
	printf '%s' "$line" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).text))' |
		./build/liveblog --server "$server" --token "$token" post "$id" \
			${title:+--title "$title"} $key --author "Rédaction" "$@" - >/dev/null
	echo "posted entry $n"
	sleep "$gap"
done < demo/article-fr.jsonl
./build/liveblog --server "$server" --token "$token" end "$id" >/dev/null
echo "ended. Read it at $server/blogs/$id  or replay: $server/blogs/$id?replay=10"
echo "serving until Ctrl-C"
wait $daemon
