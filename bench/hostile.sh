#!/usr/bin/env bash
# bench/hostile.sh — the hostile-source suite's long mode
# (internal/hostilesuite): the real `llmref refresh` against each 2 GiB
# decompression bomb (gzip, x-gzip, "gzip, identity", a gzip file by its
# Content-Type, deflate as zlib and raw, "deflate, gzip") with the default
# fetch settings, then against every hostile page at once; each run must
# exit 3, keep the healthy source's facts and peak under 512 MB of RSS.
# LLMREF_HOSTILE_BIN=path measures that binary instead of a fresh build.
set -euo pipefail
cd "$(dirname "$0")/.."
export LLMREF_LONG=1
exec go test ./internal/hostilesuite/ -run '^TestHostile' -count=1 -v -timeout 30m
