#!/usr/bin/env bash
# bench/run.sh — every llmref benchmark figure of bench/README.md, in one run.
#
# On one generated loopback site (bench/cmd/site: OpenAI-style HTML model
# pages and OpenRouter endpoints JSON, with robots.txt), with the same
# concurrency, it measures:
#   1. llmref's full refresh (`llmref refresh`: fetch, keep raw, parse,
#      normalise, commit) configured by the generated llmref.yaml alone;
#   2. a plain net/http + goquery fetch-and-parse baseline (bench/cmd/baseline);
#   3. Scrapy (Debian's python3-scrapy, run with /usr/bin/python3) with the
#      same extraction (bench/scrapy_spider.py);
# then a second llmref refresh with nothing changed (304s, content hashes)
# and the floor under it (bench/cmd/revalidate: every page revalidated by
# plain net/http and by one colly collector, nothing else done), an export with nothing changed (files rewritten), and committing ~100k
# facts (BenchmarkCommitRun100k in store/).
#
# Usage: bench/run.sh   (PAGES=2000 CONCURRENCY=8 REPS=3 EXPORT_PAGES=100 OUT=bench/out)
# Writes $OUT/results.md and prints it. Only loopback is ever contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

PAGES=${PAGES:-2000}
CONCURRENCY=${CONCURRENCY:-8}
REPS=${REPS:-3}
EXPORT_PAGES=${EXPORT_PAGES:-100}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$OUT/bin
mkdir -p "$BIN"

say() { printf '== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	say "installing GNU time"
	apt-get install -y time >/dev/null || { apt-get update -qq && apt-get install -y time >/dev/null; }
fi
if ! /usr/bin/python3 -c 'import scrapy' 2>/dev/null; then
	say "installing Debian's python3-scrapy"
	DEBIAN_FRONTEND=noninteractive apt-get install -y python3-scrapy >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-scrapy >/dev/null; }
fi
SCRAPY_VERSION=$(/usr/bin/python3 -c 'import scrapy; print(scrapy.__version__)')

say "building llmref, the site and the baseline"
go build -o "$BIN/llmref" ./cmd/llmref
go build -o "$BIN/site" ./bench/cmd/site
go build -o "$BIN/baseline" ./bench/cmd/baseline
go build -o "$BIN/crawl" ./bench/cmd/crawl
go build -o "$BIN/revalidate" ./bench/cmd/revalidate

# --- the site ----------------------------------------------------------------
SITE=$OUT/site
rm -rf "$SITE"
"$BIN/site" --pages "$PAGES" --out "$SITE" --parallelism "$CONCURRENCY" >"$OUT/site.log" 2>&1 &
SITE_PID=$!
trap 'kill $SITE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$SITE/base" ] && break; sleep 0.1; done
[ -s "$SITE/base" ] || { cat "$OUT/site.log" >&2; exit 1; }
NPAGES=$(wc -l <"$SITE/urls.tsv")
say "site: $(cat "$OUT/site.log")"

# measure NAME CMD... — runs CMD under /usr/bin/time -v, appends
# "name wall_s cpu_s rss_kb" to $OUT/raw.txt. Fails if CMD fails.
: >"$OUT/raw.txt"
measure() {
	local name=$1
	shift
	local tf=$OUT/time-$name.txt
	if ! /usr/bin/time -v -o "$tf" "$@" >"$OUT/out-$name.txt" 2>&1; then
		say "$name failed:"
		tail -20 "$OUT/out-$name.txt" >&2
		exit 1
	fi
	awk -v name="$name" '
		/Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
		/User time \(seconds\)/ { user = $NF }
		/System time \(seconds\)/ { sys = $NF }
		/Maximum resident set size/ { rss = $NF }
		END { printf "%s %.3f %.3f %d\n", name, wall, user + sys, rss }' "$tf" >>"$OUT/raw.txt"
}

for rep in $(seq "$REPS"); do
	say "round $rep of $REPS: baseline"
	measure baseline "$BIN/baseline" --urls "$SITE/urls.tsv" --concurrency "$CONCURRENCY"
	say "round $rep of $REPS: Scrapy $SCRAPY_VERSION"
	rm -f "$OUT/scrapy-items.jsonl"
	measure scrapy /usr/bin/python3 -m scrapy runspider bench/scrapy_spider.py -a "urls=$SITE/urls.tsv" \
		-s "CONCURRENT_REQUESTS=$CONCURRENCY" -s "CONCURRENT_REQUESTS_PER_DOMAIN=$CONCURRENCY" -O "$OUT/scrapy-items.jsonl"
	say "round $rep of $REPS: llmref's crawl stage alone"
	measure crawl "$BIN/crawl" --config "$SITE/llmref.yaml"
	say "round $rep of $REPS: llmref refresh (first, empty database)"
	rm -rf "$OUT/db"
	measure llmref "$BIN/llmref" --config "$SITE/llmref.yaml" --db "$OUT/db/llmref.db" refresh
	say "round $rep of $REPS: llmref refresh (nothing changed)"
	measure llmref-unchanged "$BIN/llmref" --config "$SITE/llmref.yaml" --db "$OUT/db/llmref.db" refresh
	say "round $rep of $REPS: the floor under a nothing-changed refresh (bench/cmd/revalidate)"
	for client in nethttp colly; do
		"$BIN/revalidate" --urls "$SITE/urls.tsv" --concurrency "$CONCURRENCY" --client "$client" >"$OUT/out-revalidate-$client.txt"
		# only the measured pass: the CPU it spent in-process, no start-up
		sed -n "s/^client=\([a-z]*\) .* cpu_s=\([0-9.]*\) wall_s=\([0-9.]*\) .*/revalidate-\1 \3 \2 0/p" "$OUT/out-revalidate-$client.txt" >>"$OUT/raw.txt"
	done
done
grep -q "^run 2 ok" "$OUT/out-llmref-unchanged.txt" || { say "the second refresh did not end ok"; cat "$OUT/out-llmref-unchanged.txt" >&2; exit 1; }
NOTMOD=$(awk '$1 ~ /^(openai|openrouter|openrouter-endpoints)$/ { r += $3; n += $5 } END { printf "%d/%d", n, r }' "$OUT/out-llmref-unchanged.txt")

# The export: a site of EXPORT_PAGES pages (every pair of its models gets a
# comparison file, so the crawl's 2,000 models would make ~2 million files;
# bench/compare.sh measures that scale).
say "export with nothing changed ($EXPORT_PAGES-page site)"
ESITE=$OUT/export-site
rm -rf "$ESITE" "$OUT/export" "$OUT/.export.generations" "$OUT/export-db"
"$BIN/site" --pages "$EXPORT_PAGES" --out "$ESITE" --parallelism "$CONCURRENCY" >"$OUT/export-site.log" 2>&1 &
ESITE_PID=$!
trap 'kill $SITE_PID $ESITE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$ESITE/base" ] && break; sleep 0.1; done
EDB=$OUT/export-db/llmref.db
"$BIN/llmref" --config "$ESITE/llmref.yaml" --db "$EDB" refresh -q
"$BIN/llmref" --config "$ESITE/llmref.yaml" --db "$EDB" export --out "$OUT/export" >"$OUT/out-export1.txt"
/usr/bin/time -v -o "$OUT/time-export2.txt" "$BIN/llmref" --config "$ESITE/llmref.yaml" --db "$EDB" export --out "$OUT/export" >"$OUT/out-export2.txt"
EXPORT_FILES=$(sed -n 's/.*: \([0-9]*\) files, .*/\1/p' "$OUT/out-export2.txt")
EXPORT_WRITTEN=$(sed -n 's/.* \([0-9]*\) written.*/\1/p' "$OUT/out-export2.txt")
EXPORT_WALL=$(awk '/Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); printf "%.2f", (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }' "$OUT/time-export2.txt")
# The same after a refresh that found nothing changed at the sources. Check
# times have one-second precision: the pause makes this refresh's differ
# from the first one's, as a nightly run's always would (otherwise the
# figure depends on whether the runs fell in the same second).
sleep 1.1
"$BIN/llmref" --config "$ESITE/llmref.yaml" --db "$EDB" refresh --export "$OUT/export" >"$OUT/out-export3.txt"
EXPORT_AFTER_REFRESH=$(sed -n 's/^exported .*: \([0-9]*\) files, \([0-9]*\) written.*/\2 of \1/p' "$OUT/out-export3.txt")
kill $ESITE_PID 2>/dev/null || true

say "committing ~100k facts (go test -bench CommitRun100k ./store/)"
go test ./store/ -run '^$' -bench 'BenchmarkCommitRun100k$' -benchtime 5x -count 1 >"$OUT/out-commit.txt"
COMMIT_S=$(awk '/^BenchmarkCommitRun100k/ { for (i = 1; i <= NF; i++) if ($(i+1) == "ns/op") printf "%.3f", $i / 1e9 }' "$OUT/out-commit.txt")
COMMIT_FACTS=$(awk '/^BenchmarkCommitRun100k/ { for (i = 1; i <= NF; i++) if ($(i+1) == "facts") print $i }' "$OUT/out-commit.txt")

# --- the table ---------------------------------------------------------------
# Median of the rounds for time and CPU, the largest peak RSS.
stats() {
	awk -v name="$1" -v pages="$NPAGES" '$1 == name { w[++n] = $2; c[n] = $3; if ($4 > rss) rss = $4 }
		function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		END { wall = median(w, n); cpu = median(c, n); printf "%.3f %.0f %.3f %.2f %.0f\n", wall, pages / wall, cpu, cpu * 1000 / pages, rss / 1024 }' "$OUT/raw.txt"
}
read -r L_WALL L_PPS L_CPU L_CPP L_RSS < <(stats llmref)
read -r U_WALL U_PPS U_CPU U_CPP U_RSS < <(stats llmref-unchanged)
read -r B_WALL B_PPS B_CPU B_CPP B_RSS < <(stats baseline)
read -r C_WALL C_PPS C_CPU C_CPP C_RSS < <(stats crawl)
read -r S_WALL S_PPS S_CPU S_CPP S_RSS < <(stats scrapy)
read -r RN_WALL RN_PPS RN_CPU RN_CPP RN_RSS < <(stats revalidate-nethttp)
read -r RC_WALL RC_PPS RC_CPU RC_CPP RC_RSS < <(stats revalidate-colly)
# ratio A B [DECIMALS] — A/B for the table; verdicts are taken on the exact
# quotient (exact), never on the rounded figure.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%.*f", d, a / b }'; }
exact() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.9f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v >= t : (op == "<") ? v < t : v <= t; print ok ? "met" : "**missed**" }'; }
VS_BASE=$(ratio "$L_PPS" "$B_PPS")
VS_SCRAPY=$(ratio "$L_PPS" "$S_PPS")
CRAWL_VS_BASE=$(ratio "$C_PPS" "$B_PPS")
UNCH_CPU=$(ratio "$U_CPU" "$L_CPU" 3)
FLOOR_NET=$(ratio "$RN_CPU" "$L_CPU" 3)
FLOOR_COLLY=$(ratio "$RC_CPU" "$L_CPU" 3)

{
	echo "### Results ($(date -u +%Y-%m-%d), \`bench/run.sh\`, PAGES=$PAGES CONCURRENCY=$CONCURRENCY REPS=$REPS)"
	echo
	echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go env GOVERSION), Linux $(uname -r), Scrapy $SCRAPY_VERSION on $(/usr/bin/python3 --version)."
	echo "Site: $NPAGES content pages ($(cut -f1 "$SITE/urls.tsv" | sort | uniq -c | awk '{ printf "%s%d %s", sep, $1, $2; sep = ", " }')), $(du -sb "$OUT/db/llmref.db" | cut -f1) bytes of database after the runs."
	echo "Median of $REPS rounds (wall time and CPU user+sys of the whole process, from \`/usr/bin/time -v\`); peak RSS is the largest seen."
	echo
	echo "| crawler | wall s | pages/s | CPU s | CPU-ms/page | peak RSS MB |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: |"
	echo "| llmref refresh (fetch, keep raw, parse, normalise, commit) | $L_WALL | $L_PPS | $L_CPU | $L_CPP | $L_RSS |"
	echo "| llmref's crawl stage alone (fetch, robots, parse; nothing kept) | $C_WALL | $C_PPS | $C_CPU | $C_CPP | $C_RSS |"
	echo "| plain net/http + goquery (fetch and parse only) | $B_WALL | $B_PPS | $B_CPU | $B_CPP | $B_RSS |"
	echo "| Scrapy (fetch, parse, JSON Lines feed) | $S_WALL | $S_PPS | $S_CPU | $S_CPP | $S_RSS |"
	echo "| llmref refresh, nothing changed ($NOTMOD answered 304) | $U_WALL | $U_PPS | $U_CPU | $U_CPP | $U_RSS |"
	echo "| its floor: every page revalidated (304) by plain net/http, the pass alone | $RN_WALL | $RN_PPS | $RN_CPU | $RN_CPP | |"
	echo "| its floor: the same through one colly collector, the pass alone | $RC_WALL | $RC_PPS | $RC_CPU | $RC_CPP | |"
	echo
	echo "| target | figure | verdict |"
	echo "| --- | --- | --- |"
	echo "| llmref ≥ 0.8× the baseline's pages/s | ${VS_BASE}× (the crawl stage alone: ${CRAWL_VS_BASE}×) | $(verdict "$(exact "$L_PPS" "$B_PPS")" ">=" 0.8) |"
	echo "| llmref ≥ 10× Scrapy's pages/s | ${VS_SCRAPY}× | $(verdict "$(exact "$L_PPS" "$S_PPS")" ">=" 10) |"
	echo "| nothing-changed refresh ≤ 1/10 the CPU of the first | ${UNCH_CPU}× (the revalidation alone: net/http ${FLOOR_NET}×, colly ${FLOOR_COLLY}×) | $(verdict "$(exact "$U_CPU" "$L_CPU")" "<=" 0.1) |"
	echo "| committing ~100k facts < 0.5 s | ${COMMIT_S} s for ${COMMIT_FACTS} facts | $(verdict "$COMMIT_S" "<" 0.5) |"
	echo "| unchanged export rewrites 0 files | \`export\` twice ($EXPORT_PAGES-page site): ${EXPORT_WRITTEN} of ${EXPORT_FILES} files written, ${EXPORT_WALL} s; after a nothing-changed refresh: ${EXPORT_AFTER_REFRESH} written | $(verdict "$EXPORT_WRITTEN" "<=" 0) |"
} >"$OUT/results.md"
cat "$OUT/results.md"
