#!/bin/sh
# crash-case.sh K DIR REF ARGS... - one kill point of the crash test.
#
# Runs "stackhop upgrade ARGS --journal DIR/K/run.journal" with
# STACKHOP_CRASH_AT=K (SIGKILL right after the K-th durable write), then
# resumes it (or starts it again when the kill came before the journal
# existed) and compares the final step states and sim model with the
# uninterrupted run's, REF.states and REF.model.  Prints one line and
# exits non-zero on a difference.
set -u
k=$1 dir=$2 ref=$3
shift 3
STACKHOP=${STACKHOP:-./stackhop}
d=$dir/$k
mkdir -p "$d"
j=$d/run.journal

STACKHOP_CRASH_AT=$k $STACKHOP upgrade "$@" --journal "$j" >"$d/log" 2>&1
st=$?
if [ "$st" -ne 137 ]; then
	echo "kill point $k: expected death by SIGKILL (137), got exit $st"
	tail -5 "$d/log"
	exit 1
fi
if [ -e "$j" ]; then
	$STACKHOP resume --journal "$j" >>"$d/log" 2>&1
else
	# Killed before the journal existed: nothing ran, start again.
	rm -f "$j.sim.json"
	$STACKHOP upgrade "$@" --journal "$j" >>"$d/log" 2>&1
fi || { echo "kill point $k: resume failed"; tail -5 "$d/log"; exit 1; }

if ! $STACKHOP status --journal "$j" --format json >"$d/status.json"; then
	echo "kill point $k: status failed"
	exit 1
fi
jq -c '[.state, [.steps[] | [.id, .state]]]' "$d/status.json" >"$d/states"
jq -S . "$j.sim.json" >"$d/model"
if ! cmp -s "$d/states" "$ref.states"; then
	echo "kill point $k: step states differ from the uninterrupted run (reference, this run):"
	jq -c -n --slurpfile a "$ref.states" --slurpfile b "$d/states" \
		'[$a[0][0], $b[0][0]], ([range(0; $a[0][1] | length) as $i
		  | select($a[0][1][$i] != $b[0][1][$i]) | [$a[0][1][$i], $b[0][1][$i]]] | .[0:3])'
	exit 1
fi
if ! cmp -s "$d/model" "$ref.model"; then
	echo "kill point $k: sim model differs from the uninterrupted run"
	diff "$ref.model" "$d/model" | head -20
	exit 1
fi
rm -rf "$d"
