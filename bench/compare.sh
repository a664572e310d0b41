#!/usr/bin/env bash
# Comparison records at scale: a synthetic catalogue of MODELS models (default
# 1000, i.e. 499,500 pairs) exported through the real export (every record
# written as a file, listed in comparisons.json), then one changed price
# exported again (only that model's MODELS-1 pairs built, the rest linked).
# Prints the benchmark's figures and the peak RSS of the whole process
# (/usr/bin/time -v). Needs about 10 GB of free disk for 1000 models.
# BENCH=QuietNight runs BenchmarkQuietNight instead (bench/quiet.sh).
#
#   bench/compare.sh            # 1000 models
#   MODELS=200 bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS="${MODELS:-1000}"
BENCH="${BENCH:-Export}"
name=compare # bench/out/compare.txt, or quietnight.txt
[ "$BENCH" = Export ] || name="$(echo "$BENCH" | tr '[:upper:]' '[:lower:]')"
OUT="${OUT:-bench/out}"
mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/llmref-compare-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
go test -c -o "$work/compare.test" ./compare
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "$0: /usr/bin/time is needed for the peak RSS (apt-get install time)" >&2
	exit 1
fi
LLMREF_BENCH_MODELS="$MODELS" LLMREF_BENCH_DIR="$work" "$TIME" -v \
	"$work/compare.test" -test.run '^$' -test.bench "^Benchmark${BENCH}\$" -test.benchtime 1x -test.v \
	>"$OUT/$name.txt" 2>"$OUT/$name.time"
grep -E "Benchmark${BENCH}|models[:,]" "$OUT/$name.txt"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)|Percent of CPU' "$OUT/$name.time"
