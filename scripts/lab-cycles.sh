#!/bin/sh
# lab-cycles.sh [N] - bring-up reliability: build stackhop, then N (default
# 10) cycles of "./stackhop lab up" and "./stackhop lab down".  Stops at
# the first failure and shows its output.  Prints each cycle's seconds and
# at the end "N cycles, K failed, up MIN/MEDIAN/MAX s".  Needs root; run
# it under the lab lock (flock /work/.lab.lock sh scripts/lab-cycles.sh).
set -u
cd "$(dirname "$0")/.." || exit 2
n=${1:-10}
case $n in '' | *[!0-9]*) echo "usage: $0 [N]" >&2; exit 2 ;; esac
make >/dev/null || { echo "make failed" >&2; exit 2; }
out=$(mktemp /tmp/stackhop-cycles-XXXXXX)
ups=$(mktemp /tmp/stackhop-cycles-XXXXXX)
trap 'rm -f "$out" "$ups"' EXIT
failed=0
i=1
while [ "$i" -le "$n" ]; do
	t0=$(date +%s.%N)
	./stackhop lab up >"$out" 2>&1
	st=$?
	t1=$(date +%s.%N)
	up=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
	if [ "$st" -ne 0 ]; then
		echo "cycle $i: lab up failed (exit $st) after $up s:"
		cat "$out"
		./stackhop lab down >/dev/null 2>&1
		failed=1
		break
	fi
	echo "$up" >>"$ups"
	./stackhop lab down >"$out" 2>&1
	st=$?
	t2=$(date +%s.%N)
	down=$(printf '%.1f' "$(echo "$t2 - $t1" | bc)")
	if [ "$st" -ne 0 ]; then
		echo "cycle $i: lab down failed (exit $st) after $down s:"
		cat "$out"
		failed=1
		break
	fi
	echo "cycle $i: up $up s, down $down s"
	i=$((i + 1))
done
ran=$((i - 1 + failed))
[ "$ran" -le "$n" ] || ran=$n
stats=$(sort -n "$ups" | awk '{ v[NR] = $1 } END {
	if (NR == 0) { print "-"; exit }
	m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.1f/%.1f/%.1f s", v[1], m, v[NR] }')
echo "$ran cycles, $failed failed, up min/median/max $stats"
[ "$failed" -eq 0 ]
