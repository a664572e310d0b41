#!/usr/bin/env bash
# bench/fuzz.sh [DURATION] — run every fuzz target of the module, one after
# another, for DURATION each (20s by default; 10m for the release figures),
# and print a table: target, execs, new interesting inputs (and the corpus
# total), result. A failing target leaves its input under the package's
# testdata/fuzz/<Target>/ (go test's own behaviour): commit it as a
# regression case once fixed. Exits non-zero if any target failed.
#
#   bench/fuzz.sh            # 20s each
#   bench/fuzz.sh 10m        # the long run
#   FUZZ_MATCH=OpenRouter bench/fuzz.sh 1m   # only targets matching a regexp
set -uo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-20s}
MATCH=${FUZZ_MATCH:-.}
PARALLEL=${FUZZ_PARALLEL:-2}
OUT=${OUT:-bench/out}
mkdir -p "$OUT/fuzz"

# Every package's fuzz targets: `go test -list` prints the names, then the
# package's "ok" line.
targets=()
pending=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*) pending+=("$line") ;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for t in "${pending[@]}"; do
			if [[ "$pkg.$t" =~ $MATCH ]]; then targets+=("$pkg $t"); fi
		done
		pending=()
		;;
	esac
done < <(go test -list '^Fuzz' ./... 2>/dev/null)

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz target matches $MATCH" >&2
	exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, $DURATION each, $PARALLEL workers" >&2

failed=0
rows=()
for pt in "${targets[@]}"; do
	read -r pkg t <<<"$pt"
	log="$OUT/fuzz/${pkg##*/}.$t.log"
	echo "== $pkg $t" >&2
	go test "$pkg" -run '^$' -fuzz "^$t\$" -fuzztime "$DURATION" -parallel "$PARALLEL" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -1)
	execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' <<<"$last")
	interesting=$(sed -n 's/.*new interesting: \([0-9]*\) (total: \([0-9]*\)).*/\1 (total \2)/p' <<<"$last")
	if [ $rc -eq 0 ]; then
		result=PASS
	else
		failed=$((failed + 1))
		input=$(grep -oE 'testdata/fuzz/[^ ]+' "$log" | head -1)
		why=$(grep -m1 -E '^\s+\S+_test\.go:[0-9]+:|panic:' "$log" | sed 's/^[[:space:]]*//' | cut -c1-120)
		result="**FAIL** ${why:-see $log}${input:+ (input: ${pkg#github.com/llmref/llmref/}/$input)}"
	fi
	rows+=("| ${pkg#github.com/llmref/llmref/}.$t | ${execs:-0} | ${interesting:--} | $result |")
done

{
	echo "### Fuzzing ($(date -u +%Y-%m-%d), \`bench/fuzz.sh $DURATION\`, $PARALLEL workers, $(nproc) cores)"
	echo
	echo "| target | execs | new interesting | result |"
	echo "| --- | ---: | --- | --- |"
	printf '%s\n' "${rows[@]}"
} | tee "$OUT/fuzz.md"
[ $failed -eq 0 ]
