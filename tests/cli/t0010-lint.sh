#!/bin/sh
# t0010-lint.sh - rules for the tests themselves, so that a check that can
# never fail does not come back:
#   - no bare "! CMD" in a test body: "set -e" ignores a pipeline that
#     begins with "!" (POSIX), so it can never fail the test (use
#     test_must_fail, test_lacks or test_path_missing from lib.sh);
#   - no "$STACKHOP ... | CMD": a pipeline's status is its last command's
#     (dash has no pipefail), so stackhop's own exit status is lost (write
#     its output to a file, then read the file).
# "!" in the condition of if, while or until is not a check: allowed.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# "!" that starts a command of a list; "$STACKHOP" with a single "|"
# after it (not "||").
BANG='(^|;|&&|[{(]|[[:space:]](then|do|else))[[:space:]]*![[:space:]]'
PIPE='\$\{?STACKHOP\}?([^|]|\|\|)*\|([^|]|$)'
export BANG PIPE

# lint FILE...: the lines that break a rule, as FILE:LINE:TEXT; none: exit 1.
lint() {
	grep -nHE -e "$BANG" -e "$PIPE" -- "$@" |
		grep -vE '^[^:]*:[0-9]+:[[:space:]]*(#|(if|elif|while|until)[[:space:]])'
}

test_expect_success 'the lint finds both forms, and leaves conditions and other pipes alone' '
	# (Written with %s, so that this file itself passes the lint.)
	{
		printf "\t%s grep -q secret out\n" "!"
		printf "\tfoo && %s test -e x\n" "!"
		printf "\t{ %s grep -q y z; }\n" "!"
		printf "\t\$%s plan -i inv | grep -q hop\n" STACKHOP
		printf "\tn=\$(\$%s status --journal j |\n" STACKHOP
		printf "\tfor c in \$(\${%s} --help | awk 1); do :; done\n" STACKHOP
	} >"$TRASH/bad.sh"
	{
		printf "\tif %s grep -q x y; then :; fi\n" "!"
		printf "\twhile %s listening 1; do sleep 1; done\n" "!"
		printf "\tif [ -e x ] && %s grep -q x y; then :; fi\n" "!"
		printf "\t[ %s -e x ] && test %s -d y\n" "!" "!"
		printf "\t\$%s lab up >out 2>err || { cat err; false; }\n" STACKHOP
		printf "\tpodman ps | grep -q web\n"
		printf "\t# %s grep in a comment, \$%s x | grep\n" "!" STACKHOP
	} >"$TRASH/good.sh"
	lint "$TRASH/bad.sh" >"$TRASH/found" || true
	cat "$TRASH/found"
	[ "$(cut -d: -f2 "$TRASH/found" | tr "\n" " ")" = "1 2 3 4 5 6 " ]
	test_must_fail lint "$TRASH/good.sh"
'

test_expect_success 'no test uses a bare "! CMD" or pipes $STACKHOP into another command' '
	if lint tests/cli/*.sh tests/lib/*.sh >"$TRASH/found"; then
		echo "use test_must_fail / test_lacks / test_path_missing, or write stackhop s output to a file:"
		cat "$TRASH/found"
		false
	fi
'

test_done
