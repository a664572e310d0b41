#!/usr/bin/env bash
# A quiet night at scale: a synthetic catalogue of MODELS models (default
# 1000, i.e. 499,500 comparison records) exported through the real export on
# three nights — the first; one on which every value was seen again and none
# changed (every fact's retrieved_at moves a day); one on which one price
# changed — counting the files each later night rewrote (new inode or
# modification time; the rest are hard links to the previous generation).
# Prints the benchmark's figures and the peak RSS (/usr/bin/time -v). Needs
# about 10 GB of free disk for 1000 models.
#
#   bench/quiet.sh            # 1000 models
#   MODELS=200 bench/quiet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS="${MODELS:-1000}"
OUT="${OUT:-bench/out}"
mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/llmref-quiet-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
go test -c -o "$work/compare.test" ./compare
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench/quiet.sh: /usr/bin/time is needed for the peak RSS (apt-get install time)" >&2
	exit 1
fi
LLMREF_BENCH_MODELS="$MODELS" LLMREF_BENCH_DIR="$work" "$TIME" -v \
	"$work/compare.test" -test.run '^$' -test.bench '^BenchmarkQuietNight$' -test.benchtime 1x -test.v \
	>"$OUT/quiet.txt" 2>"$OUT/quiet.time"
grep -E 'BenchmarkQuietNight|models,' "$OUT/quiet.txt"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)|Percent of CPU' "$OUT/quiet.time"
