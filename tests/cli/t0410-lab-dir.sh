#!/bin/sh
# t0410-lab-dir.sh - "stackhop lab" runs its scripts as root: they source
# files of the lab's directory and remove what the lab made there.  So the
# directory must be root's, writable by no one else, and marked as a
# lab's; and a PID file that outlived its process signals nothing that is
# not the lab's.  No lab is brought up: the lab's scripts are replaced by
# one that records that it ran (the binary looks for lab/ next to itself),
# and the PID check runs lab/lib.sh's stop_recorded (what lab down runs)
# on a directory of its own.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "     (skipped: needs root, to own directories as root and as nobody)" >&3
	test_done
	exit
fi

mkdir -p "$TRASH/bin/lab"
cp "$STACKHOP" "$TRASH/bin/stackhop"
RAN=$TRASH/ran
printf '#!/bin/sh\necho "ran $*" >>%s\n' "$RAN" >"$TRASH/bin/lab/lab.sh"
LAB_SH=$TRASH/bin/stackhop
SRC=$PWD
export RAN LAB_SH SRC
cleanup() {
	[ -f "$TRASH/sleeps" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$TRASH/sleeps"
	rm -rf "$TRASH"
}
trap cleanup EXIT

# labdir NAME: a directory as lab up leaves it (root's, 0755, the mark),
# with a file planted in it that is not the lab's.
labdir() {
	mkdir -p "$TRASH/$1/images"
	chmod 755 "$TRASH/$1"
	echo "a stackhop lab" >"$TRASH/$1/.stackhop-lab"
	echo "not the lab's" >"$TRASH/$1/planted"
}

test_expect_success 'lab down refuses a directory of another owner, writable by others, without the mark, a symlink, none' '
	labdir nobody && chown nobody "$TRASH/nobody"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/nobody"
	grep_err "lab directory .*/nobody. is owned by uid [0-9]*, not root: refusing"
	labdir open && chmod 777 "$TRASH/open"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/open"
	grep_err "lab directory .*/open. is writable by group or others (mode 0777): refusing"
	labdir g && chmod 775 "$TRASH/g"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/g"
	grep_err "(mode 0775)"
	labdir nomark && rm "$TRASH/nomark/.stackhop-lab"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/nomark"
	grep_err "nomark. has no .stackhop-lab: not a lab directory"
	expect_fail 2 $LAB_SH lab status --dir "$TRASH/nomark"
	grep_err "has no .stackhop-lab"
	labdir openmark && chmod 666 "$TRASH/openmark/.stackhop-lab"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/openmark"
	grep_err "lab mark .*openmark/.stackhop-lab. is writable by group or others"
	labdir real && ln -s "$TRASH/real" "$TRASH/link"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/link"
	grep_err "is not a directory (a symbolic link): refusing"
	expect_fail 2 $LAB_SH lab down --dir "$TRASH/none"
	grep_err "no lab at .*/none."
	STACKHOP_LAB_DIR="$TRASH/nomark" expect_fail 2 $LAB_SH lab down
	grep_err "nomark. has no .stackhop-lab"
	expect_fail 2 $LAB_SH lab down --dir
	grep_err "dir needs a directory"
	# Nothing ran; the planted files are there.
	test_path_missing "$RAN"
	for d in nobody open g nomark openmark real; do
		[ "$(cat "$TRASH/$d/planted")" = "not the lab'"'"'s" ]
	done
'

test_expect_success 'lab up takes a new, an empty or a leftovers-only directory; refuses a non-empty one without the mark' '
	mkdir "$TRASH/full" && echo mine >"$TRASH/full/notes"
	expect_fail 2 $LAB_SH lab up --dir "$TRASH/full"
	grep_err "full. is not empty and has no .stackhop-lab: not a lab directory, refusing"
	mkdir "$TRASH/open2" && chmod 757 "$TRASH/open2"
	expect_fail 2 $LAB_SH lab up --dir "$TRASH/open2"
	grep_err "writable by group or others (mode 0757)"
	test_path_missing "$RAN"
	$LAB_SH lab up --dir "$TRASH/new"
	mkdir "$TRASH/empty"
	$LAB_SH lab up --dir "$TRASH/empty"
	# What the lab down of an older stackhop (no mark) left.
	mkdir -p "$TRASH/old/images/x" "$TRASH/old/cache"
	$LAB_SH lab up --dir "$TRASH/old"
	[ "$(cat "$RAN")" = "$(printf "ran up --dir %s\nran up --dir %s\nran up --dir %s" \
		"$TRASH/new" "$TRASH/empty" "$TRASH/old")" ]
'

test_expect_success 'a directory that is the lab'"'"'s: root'"'"'s, 0755, with the mark: lab down and status run' '
	rm -f "$RAN"
	labdir good
	$LAB_SH lab down --dir "$TRASH/good"
	STACKHOP_LAB_DIR="$TRASH/good" $LAB_SH lab status
	[ "$(cat "$RAN")" = "$(printf "ran down --dir %s\nran status" "$TRASH/good")" ]
'

# stale LAB: source lab/lib.sh for the lab at LAB and run stop_recorded
# (what lab down runs), as lab down would or, with IN_NODE, as svc.sh
# inside a node does.
cat >"$TRASH/stale.sh" <<'STALE'
LAB=$1
. "$SRC/lab/lib.sh"
stop_recorded
STALE

test_expect_success 'a stale PID file: what lab down runs signals no process that is not the lab'"'"'s, and forgets the PID' '
	mkdir -p "$TRASH/lab/pids"
	sleep 300 &
	other=$!
	echo $other >>"$TRASH/sleeps"
	# Recorded as ctl1 sshd, but it runs in this namespace, not ctl1 s.
	echo $other >"$TRASH/lab/pids/ctl1.sshd"
	echo 999999999 >"$TRASH/lab/pids/ctl1.haproxy"
	echo "not a pid" >"$TRASH/lab/pids/ctl2.keystone"
	sh "$TRASH/stale.sh" "$TRASH/lab"
	kill -0 $other
	[ -z "$(ls -A "$TRASH/lab/pids")" ]
	# The check is no "never kill": a process in the node s namespace
	# (inside the node, as svc.sh runs there, this one) is stopped.
	echo $other >"$TRASH/lab/pids/ctl1.sshd"
	IN_NODE=ctl1 sh "$TRASH/stale.sh" "$TRASH/lab"
	gone() { if kill -0 "$1" 2>/dev/null; then return 1; fi; }
	test_wait_for 10 gone $other
	[ -z "$(ls -A "$TRASH/lab/pids")" ]
'

test_done
