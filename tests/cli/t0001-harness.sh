#!/bin/sh
# t0001-harness.sh - the harness itself: a negative assertion that does
# not hold fails its test.  A bare "! CMD" line in a body cannot: "set -e"
# ignores a pipeline that begins with "!" (POSIX), so the body goes on and
# passes.  test_must_fail, test_lacks, test_path_missing and
# test_wait_for must make the test fail, and pass when the assertion
# holds.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

LIB=$PWD/tests/cli/lib.sh
export LIB

# A suite of its own, with the results it must have: "ok" or "FAIL" as
# the first word of each test name.
cat >"$TRASH/suite.sh" <<'SUITE'
. "$LIB"
printf "a line\nthe secret xyzzy here\n" >"$TRASH/f"
test_expect_success 'FAIL old-form: a bare ! line that does not hold' '
	NOT grep -q xyzzy "$TRASH/f"
	true
'
test_expect_success 'FAIL test_must_fail of a command that succeeds' '
	test_must_fail true
	true
'
test_expect_success 'FAIL test_must_fail of a command killed by a signal' '
	test_must_fail sh -c "kill -KILL \$\$"
	true
'
test_expect_success 'FAIL test_must_fail of a command not found' '
	test_must_fail /nonexistent/command
	true
'
test_expect_success 'FAIL test_lacks of a file that has the pattern' '
	test_lacks "xyzzy" "$TRASH/f"
	true
'
test_expect_success 'FAIL test_lacks of an alternative the file has' '
	printf "clean\n" >"$TRASH/g"
	test_lacks "nothere\|xyzzy" "$TRASH/g" "$TRASH/f"
	true
'
test_expect_success 'FAIL test_lacks of a file that does not exist' '
	test_lacks "xyzzy" "$TRASH/none-such"
	true
'
test_expect_success 'FAIL test_path_missing of a path that exists' '
	test_path_missing "$TRASH/none-such" "$TRASH/f"
	true
'
test_expect_success 'FAIL test_path_missing of a dangling symlink' '
	ln -s "$TRASH/none-such" "$TRASH/dangling"
	test_path_missing "$TRASH/dangling"
	true
'
test_expect_success 'FAIL test_wait_for of a condition that never holds' '
	test_wait_for 1 false
	true
'
test_expect_success 'ok   the assertions that hold' '
	test_must_fail false
	test_must_fail sh -c "exit 2"
	test_lacks "nothere" "$TRASH/f"
	test_path_missing "$TRASH/none-such" "$TRASH"/none-such-glob*
	test_wait_for 1 test -e "$TRASH/f"
'
test_done
SUITE
# The old form, written in only here, so that no file of tests/cli holds a
# bare "!" line.
sed -i "s/^\tNOT /\t! /" "$TRASH/suite.sh"
grep -q "^	! grep -q xyzzy" "$TRASH/suite.sh" || { echo "t0001: the old-form line was not written"; exit 1; }

test_expect_success 'each negative assertion that does not hold fails its test; the old "! cmd" form passed' '
	set +e
	sh "$TRASH/suite.sh" >"$TRASH/suite.out" 2>&1
	rc=$?
	set -e
	cat "$TRASH/suite.out"
	[ "$rc" = 1 ]
	# The old form: passes although its assertion is false.
	grep -q "^ok   FAIL old-form" "$TRASH/suite.out"
	grep "^\(ok  \|FAIL\) " "$TRASH/suite.out" | sed 1d >"$TRASH/results"
	[ "$(wc -l <"$TRASH/results")" = 10 ]
	# The rest: each as its name says.
	awk "\$1 != \$2 { print \"wrong result: \" \$0; bad = 1 } END { exit bad }" "$TRASH/results"
	grep -q "^2 passed, 9 failed$" "$TRASH/suite.out"
'

test_expect_success 'test_lacks names the file and the lines, never the pattern (it may be a secret)' '
	grep -q "test_lacks: pattern found in .*/f, line(s) 2 $" "$TRASH/suite.out"
	test_lacks "xyzzy" "$TRASH/suite.out"
'

test_done
