#!/usr/bin/env bash
# Renders llmref's HTML change report and review page and photographs them
# in headless Chromium (Debian's `chromium` package: apt-get install -y
# chromium), at 1280 and 390 px wide.
#
#   scripts/report-screenshot.sh [OUT_DIR]
#
# It runs the demo (the two bundled fixture days), then replays the
# test-only anomaly day (refresh/testdata/days/2026-04-25-anomalies: a ×1000
# unit slip, a price falling to zero, a source losing most of its rows) for
# OpenRouter, serves the database with `llmref serve` on loopback, and
# writes into OUT_DIR (default: a new temporary folder):
#
#   demo.html, demo-1280.png            the demo's last run: the price-change table
#   anomalies.html, anomalies-{1280,390}.png  the anomaly run: held changes first
#   review-{1280,390}.png               /review: the slip, the breakage, the zero
#
# Nothing leaves the machine: the pipeline replays fixtures, the server
# listens on 127.0.0.1, and Chromium runs with networking features off.
# Exit 0 when every PNG was written and is not empty.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d /tmp/llmref-report.XXXXXX)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
	echo "report-screenshot: chromium is not installed (apt-get install -y chromium)" >&2
	exit 1
fi
bin="$out/llmref"
go build -o "$bin" ./cmd/llmref
work="$out/demo"
rm -rf "$work"
"$bin" demo --dir "$work" -q
db="$work/llmref.db"
"$bin" --db "$db" changes --format html > "$out/demo.html"
"$bin" --db "$db" -q refresh --source openrouter --replay refresh/testdata/days/2026-04-25-anomalies
"$bin" --db "$db" changes --format html > "$out/anomalies.html"

shoot() { # URL shot.png WIDTH
	local profile
	profile="$(mktemp -d)"
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--hide-scrollbars --screenshot="$2" --window-size="$3,2000" "$1" >/dev/null 2>&1 || true
	rm -rf "$profile"
	if [ ! -s "$2" ]; then
		echo "report-screenshot: chromium wrote no screenshot for $1" >&2
		exit 1
	fi
}
shoot "file://$out/demo.html" "$out/demo-1280.png" 1280
shoot "file://$out/anomalies.html" "$out/anomalies-1280.png" 1280
shoot "file://$out/anomalies.html" "$out/anomalies-390.png" 390

# The review page, from the daemon itself (read-only without a token; a
# token shows the note field and the buttons).
LLMREF_TOKEN="report-screenshot-token-0123456789" "$bin" --db "$db" serve --addr 127.0.0.1:0 2> "$out/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
addr=""
for _ in $(seq 50); do
	addr="$(sed -n 's|^llmref serve: listening on \(http://[0-9.:]*\)$|\1|p' "$out/serve.log")"
	[ -n "$addr" ] && break
	sleep 0.2
done
if [ -z "$addr" ]; then
	echo "report-screenshot: llmref serve did not start:" >&2
	cat "$out/serve.log" >&2
	exit 1
fi
shoot "$addr/review" "$out/review-1280.png" 1280
shoot "$addr/review" "$out/review-390.png" 390
ls -l "$out"/*.png
