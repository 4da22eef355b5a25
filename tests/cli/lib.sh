# lib.sh - git t/-style helpers for stackhop's command-line tests.
#
#   test_expect_success 'what it shows' 'commands'
#
# The commands run in a subshell with "set -e"; the test passes when they
# exit 0.  Their output is shown only when they fail; what they write to
# fd 3 is always shown (measurements).  At the end, test_done prints
# "N passed, M failed".
# shellcheck shell=sh

STACKHOP=${STACKHOP:-$PWD/stackhop}
TRASH=$(mktemp -d /tmp/stackhop-cli-XXXXXX)
trap 'rm -rf "$TRASH"' EXIT
passed=0
failed=0
exec 3>&1

test_expect_success() {
	# Neither an "if" condition nor part of a || list: there, "set -e"
	# would be ignored inside the subshell and only the body's last
	# command would count.
	(set -e; eval "$2") >"$TRASH/out" 2>&1
	status=$?
	if [ "$status" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $1"
	else
		failed=$((failed + 1))
		echo "FAIL $1"
		sed 's/^/     | /' "$TRASH/out"
	fi
}

# expect_fail STATUS CMD...: CMD must exit with STATUS; its stderr is in
# $TRASH/err.
expect_fail() {
	want=$1
	shift
	set +e
	"$@" >"$TRASH/stdout" 2>"$TRASH/err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got from: $*"
		cat "$TRASH/err"
		return 1
	fi
}

# test_must_fail CMD...: CMD must exit non-zero, and not by a signal, a
# sanitizer's abort or "command not found" (git's t/test-lib-functions.sh).
# Under "set -e" a "! CMD" line in the middle of a body can never fail
# (POSIX ignores -e for a negated pipeline): use this instead.
test_must_fail() {
	set +e
	"$@"
	got=$?
	set -e
	if [ "$got" -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*"
		return 1
	elif [ "$got" -gt 128 ] || [ "$got" -eq 127 ] || [ "$got" -eq 126 ]; then
		echo "test_must_fail: command died or was not found (exit $got): $*"
		return 1
	fi
	return 0
}

# test_lacks PATTERN FILE...: every FILE exists and none has a line that
# matches PATTERN (grep's basic regular expression).  A missing file
# fails: a leak check on a file that was never written proves nothing.
test_lacks() {
	_tl_pat=$1
	shift
	for _tl_f in "$@"; do
		if [ ! -f "$_tl_f" ]; then
			echo "test_lacks: no such file: $_tl_f"
			return 1
		fi
		# The pattern goes to grep on its stdin, not in its argv (which
		# ps shows): it may be a secret.
		if printf '%s\n' "$_tl_pat" | grep -q -f - -- "$_tl_f"; then
			# Line numbers only, for the same reason.
			echo "test_lacks: pattern found in $_tl_f, line(s) $(printf '%s\n' "$_tl_pat" | grep -n -f - -- "$_tl_f" | cut -d: -f1 | tr '\n' ' ')"
			return 1
		fi
	done
	return 0
}

# test_path_missing PATH...: none of the paths exists (a glob that
# matches nothing stays as it is written, so it counts as missing).
test_path_missing() {
	for _tl_f in "$@"; do
		if [ -e "$_tl_f" ] || [ -L "$_tl_f" ]; then
			echo "test_path_missing: exists: $_tl_f"
			return 1
		fi
	done
	return 0
}

# test_wait_for SECONDS CMD...: run CMD every 0.05 s until it succeeds;
# fail (naming CMD) when it has not after SECONDS.  Wait on the condition
# a test needs, never on a sleep of a guessed length.
test_wait_for() {
	_tw_limit=$(($1 * 20))
	shift
	_tw_n=0
	until "$@"; do
		_tw_n=$((_tw_n + 1))
		if [ "$_tw_n" -ge "$_tw_limit" ]; then
			echo "test_wait_for: still false after $((_tw_limit / 20)) s: $*"
			return 1
		fi
		sleep 0.05
	done
}

# grep_err PATTERN: the last expect_fail's stderr matches PATTERN.
grep_err() {
	grep -q -- "$1" "$TRASH/err" || { echo "stderr lacks '$1':"; cat "$TRASH/err"; return 1; }
}

test_done() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
