#!/usr/bin/env bash
# Publishing to object storage at scale: the synthetic catalogue of MODELS
# models (default 1000, i.e. 499,500 comparison records) exported and
# uploaded to a real S3 protocol server on loopback (gofakes3 in process,
# objects kept on disk), then three more publishes: the same tree again, one
# price changed, and the next night (every fact retrieved again a day later,
# one price changed). Prints the objects each publish put, the times, and
# the peak RSS of the whole process (/usr/bin/time -v). Needs about 20 GB of
# free disk for 1000 models (the local generations and the bucket).
#
#   bench/s3.sh            # 1000 models
#   MODELS=200 bench/s3.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS="${MODELS:-1000}"
OUT="${OUT:-bench/out}"
mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/llmref-s3-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
go test -c -o "$work/compare.test" ./compare
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench/s3.sh: /usr/bin/time is needed for the peak RSS (apt-get install time)" >&2
	exit 1
fi
LLMREF_BENCH_MODELS="$MODELS" LLMREF_BENCH_DIR="$work" "$TIME" -v \
	"$work/compare.test" -test.run '^$' -test.bench '^BenchmarkPublishS3$' -test.benchtime 1x -test.v -test.timeout 3h \
	>"$OUT/s3.txt" 2>"$OUT/s3.time"
grep -E 'BenchmarkPublishS3|models,|next night' "$OUT/s3.txt"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)|Percent of CPU' "$OUT/s3.time"
