#!/bin/sh
# tests/integration/run.sh [FILE...] — the integration suite: real
# redis-server and liveblogd processes on free ports (harness.mjs).
# Environment: LIVEBLOGD (daemon binary, default build/liveblogd),
# LIVEBLOG_VALGRIND=1 (run the daemon under valgrind). Last line
# "N passed, N failed"; non-zero exit on any failure.
cd "$(dirname "$0")/../.." || exit 2
[ "$#" -eq 0 ] && set -- tests/integration/*.test.mjs
exec sh tests/node-suite.sh "$@"
