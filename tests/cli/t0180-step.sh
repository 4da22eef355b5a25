#!/bin/sh
# t0180-step.sh - stackhop step: the "stackhop step" kinds of the one
# table of step kinds, their needs checked before anything runs, and
# noop-wait, the kind that holds a step running until a file exists.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

printf "[control]\nme ansible_connection=local\n" >"$TRASH/inv"
(umask 077 && echo "some_password: \"xyzzy-plugh\"" >"$TRASH/secrets.yaml")
printf "secrets: secrets.yaml\n" >"$TRASH/set.yaml"
export INV="$TRASH/inv" SET="$TRASH/set.yaml"

test_expect_success 'step --help lists the table'"'"'s stackhop step kinds, with what each needs' '
	$STACKHOP step --help >"$TRASH/help"
	grep -q "^  galera-node-upgrade    NV--  one node of the rolling upgrade$" "$TRASH/help"
	grep -q "^  config-migrate         L--C  " "$TRASH/help"
	grep -q "^  rabbitmq-start         NVS-  " "$TRASH/help"
	grep -q "^  container-run          N--C  " "$TRASH/help"
	grep -q "^  noop-wait              ----  wait until --param path=FILE exists" "$TRASH/help"
	# Catalog commands and kinds not implemented yet are not steps.
	test_lacks "^  db-sync \|^  status-check \|^  host-upgrade " "$TRASH/help"
	expect_fail 2 $STACKHOP step db-sync -s "$SET" -i "$INV"
	grep_err "unknown step kind .db-sync."
	expect_fail 2 $STACKHOP step host-upgrade -s "$SET" -i "$INV"
	grep_err "unknown step kind .host-upgrade."
'

test_expect_success 'a kind'"'"'s needs are checked before it runs' '
	expect_fail 2 $STACKHOP step noop-wait -s "$SET" -i "$INV" --node me --param path=x
	grep_err "step noop-wait acts on the whole cluster: no --node"
	expect_fail 2 $STACKHOP step galera-stop -s "$SET" -i "$INV"
	grep_err "step galera-stop needs --node NODE"
	expect_fail 2 $STACKHOP step galera-join -s "$SET" -i "$INV" --node me
	grep_err "step galera-join needs --to VERSION"
	expect_fail 2 $STACKHOP step galera-join -s "$SET" -i "$INV" --node nobody --to 1
	grep_err "no host .nobody. in inventory"
	expect_fail 2 $STACKHOP step container-stop -s "$SET" -i "$INV" --node me
	grep_err "step container-stop needs --component NAME"
	expect_fail 2 $STACKHOP step health-check -s "$SET" -i "$INV" --component web --node ,
	grep_err "step health-check needs --node NODE\[,NODE...\]"
	expect_fail 2 $STACKHOP step db-backup -s "$SET" -i "$INV"
	grep_err "step db-backup needs --state DIR"
	expect_fail 2 $STACKHOP step container-run -s "$SET" -i "$INV" --node me
	grep_err "container-run needs --node, --component SERVICE and -- COMMAND"
'

test_expect_success 'noop-wait holds its step until the file is there, then ends' '
	$STACKHOP step noop-wait -s "$SET" -i "$INV" --param path="$TRASH/go" \
		--param timeout_ms=30000 >"$TRASH/w.out" 2>"$TRASH/w.err" &
	pid=$!
	# Running, and waiting: nothing printed until the file appears.
	kill -0 $pid
	[ ! -s "$TRASH/w.out" ]
	touch "$TRASH/go"
	wait $pid
	grep -q "^noop-wait: .$TRASH/go. is there after [0-9]* ms$" "$TRASH/w.out"
'

test_expect_success 'noop-wait fails when its file does not appear in time, and needs its path' '
	expect_fail 1 $STACKHOP step noop-wait -s "$SET" -i "$INV" --param path="$TRASH/never" \
		--param timeout_ms=50
	grep_err "noop-wait: .$TRASH/never. did not appear within 50 ms"
	expect_fail 2 $STACKHOP step noop-wait -s "$SET" -i "$INV"
	grep_err "step noop-wait needs --param path=FILE"
	expect_fail 2 $STACKHOP step noop-wait -s "$SET" -i "$INV" --param path=x --param timeout_ms=soon
	grep_err "timeout_ms must be 0 to 86400000, not .soon."
'

test_done
