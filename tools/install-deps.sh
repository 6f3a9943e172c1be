#!/bin/sh
# install-deps.sh [run|test] — install the Debian packages liveblog needs
# (bookworm), only when something is missing. "run": build and run the
# service; "demo": also node and netpbm; "test" (default): also the test tools
# (cmocka, chromium, node, valgrind, clang, netpbm and webp for test images,
# python3-yaml for the compose file's test, libxml2-utils for the Atom feed's).
set -eu
what=${1:-test}
pkgs="gcc make pkg-config libwebsockets-dev libhiredis-dev libjansson-dev uuid-dev libssl-dev zlib1g-dev redis-server curl"
if [ "$what" = demo ]; then
	command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
	pkgs="$pkgs netpbm"
fi
if [ "$what" = test ]; then
	pkgs="$pkgs libcmocka-dev chromium valgrind clang libclang-rt-14-dev gnuplot-nox netpbm webp"
	pkgs="$pkgs python3-yaml"	# tests/deploy: reads docker-compose.yml
	pkgs="$pkgs libxml2-utils"	# xmllint: the Atom feed against RFC 4287's schema
	command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
if [ "$what" = test ] && [ ! -d node_modules/ws ] || [ "$what" = test ] && [ ! -d node_modules/playwright-core ]; then
	npm ci --no-audit --no-fund --silent
fi
