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

# grep_err PATTERN: the last expect_fail's stderr matches PATTERN.
grep_err() {
	grep -q -- "$1" "$TRASH/err" || { echo "stderr lacks '$1':"; cat "$TRASH/err"; return 1; }
}

test_done() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
