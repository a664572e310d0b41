#!/usr/bin/env bash
# bench/faults.sh [ROUNDS] — the fault suite's long mode: run
# internal/faultsuite ROUNDS times (20 by default), under the race detector
# where a C compiler makes it available. The suite is deterministic in what
# it provokes; repeating it shakes out what depends on timing (the timeout,
# the connection reset, Retry-After, the retries' back-off) and on the
# order the per-host workers happen to take the pages in.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
race=()
if command -v gcc >/dev/null 2>&1 && [ "$(go env CGO_ENABLED)" = 1 ]; then
	race=(-race)
fi
echo "faults.sh: $ROUNDS rounds${race:+ with the race detector}" >&2
exec go test "${race[@]}" ./internal/faultsuite/ -run '^TestFaults$' -count="$ROUNDS" -timeout 60m
