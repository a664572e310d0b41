#!/usr/bin/env bash
# bench/track.sh — a refresh tracking 250, 500 and 1,000 models, configured
# by the tracking policy alone: the generated site's configuration with its
# per-model lists removed, so that openrouter-endpoints (and openai, for the
# openai/* models) derive their requests from the models the site's
# /api/v1/models names. For each size: the requests made, wall time, CPU
# (user + sys) and peak RSS of `llmref refresh` on an empty database.
#
# Usage: bench/track.sh   (SIZES="250 500 1000" OUT=bench/out-track)
# Only loopback is ever contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-250 500 1000}
OUT=${OUT:-bench/out-track}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$OUT/bin
mkdir -p "$BIN"
say() { printf '== %s\n' "$*" >&2; }

go build -o "$BIN/llmref" ./cmd/llmref
go build -o "$BIN/site" ./bench/cmd/site

echo "| tracked models | requests | wall s | CPU s | peak RSS MB |" >"$OUT/results.md"
echo "| ---: | ---: | ---: | ---: | ---: |" >>"$OUT/results.md"
for n in $SIZES; do
	SITE=$OUT/site-$n
	rm -rf "$SITE" "$OUT/db-$n"
	# Half the site's pages are OpenRouter endpoints: 2n pages list n models.
	"$BIN/site" --pages $((2 * n)) --out "$SITE" --parallelism 8 >"$OUT/site-$n.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -s "$SITE/base" ] && break; sleep 0.1; done
	[ -s "$SITE/base" ] || { cat "$OUT/site-$n.log" >&2; kill "$pid"; exit 1; }
	# The policy instead of lists: drop every "models:" list.
	awk '/^    models:$/ { skip = 1; next } skip && /^      - / { next } { skip = 0; print }' "$SITE/llmref.yaml" >"$SITE/track.yaml"
	say "tracking $n models"
	if ! /usr/bin/time -v -o "$OUT/time-$n.txt" "$BIN/llmref" --config "$SITE/track.yaml" --db "$OUT/db-$n/llmref.db" refresh >"$OUT/out-$n.txt" 2>&1; then
		tail -20 "$OUT/out-$n.txt" >&2
		kill "$pid"
		exit 1
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	reqs=$(awk '$2 ~ /^(ok|unchanged|failed|skipped)$/ && $3 ~ /^[0-9]+$/ { r += $3 } END { print r }' "$OUT/out-$n.txt")
	awk -v n="$n" -v reqs="$reqs" '
		/Elapsed \(wall clock\) time/ { k = split($NF, p, ":"); wall = (k == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
		/User time \(seconds\)/ { user = $NF }
		/System time \(seconds\)/ { sys = $NF }
		/Maximum resident set size/ { rss = $NF }
		END { printf "| %d | %d | %.2f | %.2f | %.0f |\n", n, reqs, wall, user + sys, rss / 1024 }' "$OUT/time-$n.txt" >>"$OUT/results.md"
done
cat "$OUT/results.md"
