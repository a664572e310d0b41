#!/usr/bin/env bash
# bench/soak.sh — a daemon's runs, one after another in one process:
# `llmref serve --schedule` with one schedule firing every minute (the
# shortest a spec may give) against the generated loopback site
# (bench/cmd/site, PAGES pages), the site's day swapped every two minutes
# (day 2 moves every 50th model's prices), so that runs alternate between
# a few prices changed and every page unchanged. The daemon's RSS is read
# every 5 s; at the end it gets SIGTERM and must exit 0. Prints each run
# (trigger, status, duration, changes), the RSS after each and what
# /healthz answered then: memory must not grow run over run. Only loopback
# is contacted.
#
# OUTAGE=1 takes the site down for every third two-minute spell instead of
# swapping its day (nothing listens on its port): the runs then must fail
# fast, commit nothing and turn /healthz to 503, and the next run after the
# site is back must commit again.
#
#   bench/soak.sh          # PAGES=2000 MINUTES=11 OUTAGE=0 OUT=bench/out/soak
set -euo pipefail
cd "$(dirname "$0")/.."

PAGES=${PAGES:-2000}
MINUTES=${MINUTES:-11}
OUTAGE=${OUTAGE:-0}
OUT=${OUT:-bench/out/soak}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/db" "$OUT/site1" "$OUT/site2"
mkdir -p "$OUT/bin" "$OUT/db"

echo "== building llmref and the site" >&2
go build -o "$OUT/bin/llmref" ./cmd/llmref
go build -o "$OUT/bin/site" ./bench/cmd/site

# site DAY ADDR — serves the site's day DAY on ADDR until killed.
SITE_PID=
site() {
	"$OUT/bin/site" --pages "$PAGES" --out "$OUT/site$1" --addr "$2" --day "$1" >"$OUT/site$1.log" 2>&1 &
	SITE_PID=$!
	for _ in $(seq 100); do [ -s "$OUT/site$1/base" ] && return; sleep 0.1; done
	cat "$OUT/site$1.log" >&2
	exit 1
}
SERVE_PID=
trap 'kill $SITE_PID $SERVE_PID 2>/dev/null || true' EXIT
site 1 127.0.0.1:0
BASE=$(cat "$OUT/site1/base")
ADDR=${BASE#http://}
{
	cat "$OUT/site1/llmref.yaml"
	printf 'serve:\n  schedules:\n    - name: all\n      spec: "@every 1m"\n'
} >"$OUT/soak.yaml"

"$OUT/bin/llmref" --config "$OUT/soak.yaml" --db "$OUT/db/llmref.db" serve --addr 127.0.0.1:0 --schedule >"$OUT/serve.log" 2>&1 &
SERVE_PID=$!
echo "== llmref serve --schedule (pid $SERVE_PID) for $MINUTES minutes against $PAGES pages on $BASE" >&2
HEALTH=
for _ in $(seq 100); do
	HEALTH=$(sed -n 's/^llmref serve: listening on \(http:[^ ]*\)$/\1\/healthz/p' "$OUT/serve.log")
	[ -n "$HEALTH" ] && break
	sleep 0.1
done
[ -n "$HEALTH" ] || { echo "the daemon does not listen:" >&2; tail -20 "$OUT/serve.log" >&2; exit 1; }

: >"$OUT/rss.txt"
day=1
spell=1
start=$(date +%s)
swap=$((start + 120))
while [ $(($(date +%s) - start)) -lt $((MINUTES * 60)) ]; do
	now=$(date +%s)
	if [ "$now" -ge "$swap" ]; then
		if [ -n "$SITE_PID" ]; then
			kill "$SITE_PID"
			wait "$SITE_PID" 2>/dev/null || true
			SITE_PID=
		fi
		spell=$((spell + 1))
		if [ "$OUTAGE" = 1 ] && [ $((spell % 3)) = 0 ]; then
			echo "$((now - start)) down" >>"$OUT/rss.txt"
		else
			day=$((3 - day))
			site "$day" "$ADDR"
			echo "$((now - start)) day $day" >>"$OUT/rss.txt"
		fi
		swap=$((now + 120))
	fi
	kill -0 "$SERVE_PID" 2>/dev/null || { echo "the daemon died:" >&2; tail -20 "$OUT/serve.log" >&2; exit 1; }
	code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$HEALTH" || true)
	echo "$((now - start)) rss $(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status") hwm $(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVE_PID/status") healthz $code" >>"$OUT/rss.txt"
	sleep 5
done
kill -TERM "$SERVE_PID"
status=0
wait "$SERVE_PID" || status=$?
SERVE_PID=

# Each run with the RSS read just after it finished.
{
	echo "### Soak ($(date -u +%Y-%m-%d), \`bench/soak.sh\`, PAGES=$PAGES MINUTES=$MINUTES OUTAGE=$OUTAGE)"
	echo
	echo "| run | trigger | status | duration | changes | RSS after (MB) | /healthz after |"
	echo "| ---: | --- | --- | ---: | ---: | ---: | ---: |"
	t0=$(sed -n '0,/^time=/s/^time=\([^ ]*\).*/\1/p' "$OUT/serve.log")
	{ grep 'msg="run finished\|msg="run did not commit"' "$OUT/serve.log" || true; } | while read -r line; do
		at=$(sed -n 's/^time=\([^ ]*\).*/\1/p' <<<"$line")
		secs=$(($(date -d "$at" +%s) - $(date -d "$t0" +%s)))
		run=$(sed -n 's/.* run=\([0-9]*\).*/\1/p' <<<"$line")
		trig=$(sed -n 's/.* trigger=\([a-z-]*\).*/\1/p' <<<"$line")
		st=$(sed -n 's/.* status=\([a-z]*\).*/\1/p' <<<"$line")
		dur=$(sed -n 's/.* duration=\([^ ]*\).*/\1/p' <<<"$line")
		ch=$(grep -B1 "msg=committed.* run=$run " "$OUT/serve.log" | sed -n 's/.*msg=changes.* changes=\([0-9]*\).*/\1/p' || true)
		rss=$(awk -v s="$secs" '$2 == "rss" && $1 >= s + 2 { printf "%.0f", $3 / 1024; exit }' "$OUT/rss.txt")
		hz=$(awk -v s="$secs" '$2 == "rss" && $1 >= s + 2 { print $7; exit }' "$OUT/rss.txt")
		[ "$st" = ok ] || [ "$st" = partial ] || ch=none
		echo "| $run | $trig | $st | $dur | ${ch:-kept} | ${rss:-} | ${hz:-} |"
	done
	echo
	echo "RSS over the soak: $(awk '$2 == "rss" { if (min == "" || $3 < min) min = $3; if ($3 > max) max = $3; h = $5 } END { printf "%.0f-%.0f MB, peak (VmHWM) %.0f MB", min / 1024, max / 1024, h / 1024 }' "$OUT/rss.txt"); SIGTERM: exit $status."
} >"$OUT/results.md"
cat "$OUT/results.md"
[ "$status" = 0 ]
