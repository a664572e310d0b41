#!/usr/bin/env bash
# Renders llmref's HTML change report and photographs it in headless
# Chromium (Debian's `chromium` package: apt-get install -y chromium).
#
#   scripts/report-screenshot.sh [OUT_DIR]
#
# It runs the demo (the two bundled fixture days), then replays the
# test-only anomaly day (refresh/testdata/days/2026-04-25-anomalies: a ×1000
# unit slip, a price falling to zero, a source losing most of its rows) for
# OpenRouter, and writes into OUT_DIR (default: a new temporary folder):
#
#   demo.html, demo.png            the demo's last run: the price-change table
#   anomalies.html, anomalies.png  the anomaly run: held changes first
#
# Nothing leaves the machine: the pipeline replays fixtures, and Chromium
# opens file:// pages with networking features off. Exit 0 when both PNGs
# were written and are not empty.
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
"$bin" demo --dir "$work" -q
db="$work/llmref.db"
"$bin" --db "$db" changes --format html > "$out/demo.html"
"$bin" --db "$db" -q refresh --source openrouter --replay refresh/testdata/days/2026-04-25-anomalies
"$bin" --db "$db" changes --format html > "$out/anomalies.html"

shoot() { # page.html shot.png
	local profile
	profile="$(mktemp -d)"
	"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--hide-scrollbars --screenshot="$2" --window-size=1280,1600 "file://$1" >/dev/null 2>&1 || true
	rm -rf "$profile"
	if [ ! -s "$2" ]; then
		echo "report-screenshot: chromium wrote no screenshot for $1" >&2
		exit 1
	fi
}
shoot "$out/demo.html" "$out/demo.png"
shoot "$out/anomalies.html" "$out/anomalies.png"
ls -l "$out"/*.png
