#!/bin/sh
# tests/cli/run.sh — the liveblog CLI against real liveblogd + redis-server
# (most tests) and a fake server for bad replies. Needs `make` first. Last
# line "N passed, N failed"; non-zero exit on any failure.
cd "$(dirname "$0")/../.." || exit 2
for bin in build/liveblog build/liveblogd; do
	if [ ! -x "$bin" ]; then
		echo "tests/cli: $bin is missing: run make first" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done
exec sh tests/node-suite.sh tests/cli/
