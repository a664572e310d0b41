#!/usr/bin/env bash
# bench/crash.sh [TRIALS] — the crash suite's long mode: SIGKILL the real
# `llmref refresh` TRIALS times (50 by default) at random moments of a
# replayed run and check the database, the export tree and the next refresh
# after each kill, and kill `llmref compact` a fifth as often
# (internal/crashsuite). LLMREF_CRASH_PAGES sets the size of
# the replayed site (40 pages by default).
set -euo pipefail
cd "$(dirname "$0")/.."
export LLMREF_CRASH_TRIALS=${1:-${LLMREF_CRASH_TRIALS:-50}}
exec go test ./internal/crashsuite/ -run '^TestCrash' -count=1 -v -timeout 60m
