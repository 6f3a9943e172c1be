#!/bin/sh
# tests/browser/run.sh — the pages in Debian's headless chromium (playwright-
# core) against real liveblogd + redis-server. Needs build/liveblogd,
# /usr/bin/chromium (or $CHROMIUM) and node_modules/playwright-core. Last
# line "N passed, N failed"; non-zero exit on any failure.
cd "$(dirname "$0")/../.." || exit 2
exec sh tests/node-suite.sh tests/browser/
