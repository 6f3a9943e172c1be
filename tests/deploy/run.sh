#!/bin/sh
# tests/deploy/run.sh — docker-compose.yml and deploy/ without Docker: the
# compose file read as Compose reads it (compose.test.mjs), and its Redis
# master, replicas and sentinels run natively from the same templates
# (topology.test.mjs). Needs redis-server, redis-cli and python3-yaml
# (tools/install-deps.sh test). Last line "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
[ "$#" -eq 0 ] && set -- tests/deploy/*.test.mjs
exec sh tests/node-suite.sh "$@"
