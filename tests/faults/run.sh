#!/bin/sh
# tests/faults/run.sh [FILE...] — the fault-injection suite: real
# redis-server and liveblogd processes with Redis stopped, restarted and
# stalled, daemons killed, slow and hostile clients. A full run writes a
# fresh docs/RELIABILITY.md (one row per test). Environment: LIVEBLOGD.
# Last line "N passed, N failed"; non-zero exit on any failure.
cd "$(dirname "$0")/../.." || exit 2
if [ "$#" -eq 0 ]; then
	set -- tests/faults/
	rm -rf build/faults-results   # a full run starts a fresh report
fi
exec sh tests/node-suite.sh "$@"
