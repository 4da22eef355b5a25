#!/bin/sh
# run.sh - run every test suite, then print the total as the last line:
# "N passed, M failed".  Unit test binaries are in build/tests/, command
# line tests in tests/cli/, fuzz regression replays in build/fuzz/.
# After each suite's output, a line "-- N s": the seconds it took.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
total_pass=0
total_fail=0
log=$(mktemp /tmp/stackhop-run-XXXXXX)

run_suite() {
	echo "== $*"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	status=$?
	t1=$(date +%s)
	cat "$log"
	echo "-- $((t1 - t0)) s"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$summary" ]; then
		# A suite that died before its summary counts as one failure.
		echo "(suite ended with status $status and no summary)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${summary%% passed*}
	f=${summary#*, }
	f=${f%% failed}
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "(suite exited with status $status)"
		total_fail=$((total_fail + 1))
	fi
}

for t in "$BUILD"/tests/test-*; do
	[ -x "$t" ] && run_suite "$t"
done
for t in "$BUILD"/fuzz/fuzz-*; do
	[ -x "$t" ] && run_suite "$t" "tests/fuzz/corpus/$(basename "$t" | sed 's/^fuzz-//')"
done
for t in tests/cli/t[0-9]*.sh; do
	run_suite sh "$t"
done
rm -f "$log"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
