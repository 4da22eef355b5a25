#!/bin/sh
# t0200-ssh.sh - stackhop's ssh transport against real sshds, each in a
# network namespace this test creates (10.231.250.0/24; nothing else is
# contacted).  Needs root, sshd and ip (installed by scripts/deps.sh).
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/lib/sshd-nodes.sh
. "$(dirname "$0")/../lib/sshd-nodes.sh"

NS="sht$$"
export NS

stop_masters() {
	nodes_stop_masters
}

cleanup() {
	nodes_down
	rm -rf "$TRASH"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || ! command -v sshd >/dev/null; then
	echo "this test needs root and sshd (run make check as root)"
	echo "0 passed, 1 failed"
	exit 1
fi

if ! nodes_up "$TRASH" 2 "$NS"; then
	echo "0 passed, 1 failed"
	exit 1
fi
export INV="$TRASH/inv" SET="$TRASH/settings.yaml"

test_expect_success 'key auth and strict host keys: both nodes answer' '
	$STACKHOP exec -i "$INV" -s "$SET" -- hostname -I >"$TRASH/out1"
	grep -q "^== node1: ok, exit status 0" "$TRASH/out1"
	grep -q "^== node2: ok, exit status 0" "$TRASH/out1"
	grep -q "10.231.250.2" "$TRASH/out1" && grep -q "10.231.250.6" "$TRASH/out1"
	grep -q "^2 hosts, 0 failed" "$TRASH/out1"
'

test_expect_success 'arguments with spaces, quotes and shell characters arrive intact' '
	$STACKHOP exec -i "$INV" -s "$SET" --limit nodes -- printf "[%s]" "a b" "it'"'"'s" "\"q\"" "\$HOME" "*" ";id" "" >"$TRASH/out2"
	grep -qxF "[a b][it'"'"'s][\"q\"][\$HOME][*][;id][]" "$TRASH/out2"
'

test_expect_success 'a non-zero exit status and stderr come back' '
	expect_fail 1 $STACKHOP exec -i "$INV" -s "$SET" --limit nodes -- sh -c "echo to-out; echo to-err >&2; exit 3"
	grep -q "^== node1: failed, exit status 3" "$TRASH/stdout"
	grep -q "^to-err" "$TRASH/stdout"
	grep -q "^2 hosts, 2 failed" "$TRASH/stdout"
'

test_expect_success 'a timeout kills the remote command' '
	start=$(date +%s)
	expect_fail 1 $STACKHOP exec -i "$INV" -s "$SET" --timeout 2 -- sleep 300
	test $(($(date +%s) - start)) -lt 15
	grep -q "exit status 124" "$TRASH/stdout"
	# The remote sleeps are killed (their sshd session may take a moment
	# to reap them).
	no_sleep_left() {
		for n in 1 2; do
			ip netns pids "$NS-$n" | xargs -r ps -o args= -p >"$TRASH/args.$n" || return 1
			if grep -q "^sleep 300" "$TRASH/args.$n"; then return 1; fi
		done
	}
	test_wait_for 10 no_sleep_left
'

test_expect_success 'an unknown host key is refused (strict checking)' '
	sed "s|known_hosts: .*|known_hosts: $TRASH/empty_known_hosts|" "$SET" >"$TRASH/strict.yaml"
	: >"$TRASH/empty_known_hosts"
	stop_masters	# a multiplexed session would not check the key again
	expect_fail 1 $STACKHOP exec -i "$INV" -s "$TRASH/strict.yaml" --limit nodes -- true
	grep -q "exit status 255" "$TRASH/stdout"
	grep -q "Host key verification failed" "$TRASH/stdout"
'

test_expect_success 'commands reuse one ControlMaster connection per node' '
	$STACKHOP exec -i "$INV" -s "$SET" --quiet -- true
	for n in 1 2; do
		ssh -F /dev/null -o ControlPath="/tmp/stackhop-ssh-$(id -u)/cm-%C" -p 22 -l root \
			-O check "10.231.250.$((n * 4 - 2))" 2>&1 | grep -q "Master running"
	done
'

test_expect_success 'a node whose sshd is down: the state of its service is unknown (ssh failed), never stopped' '
	(umask 077 && echo "database_password: \"xyzzy-plugh\"" >"$TRASH/secrets.yaml")
	{
		cat "$SET"
		echo "runtime: process"
		echo "secrets: secrets.yaml"
		echo "process:"
		echo "  control: [sh, -c, \"exit 3\", control]"
	} >"$TRASH/proc.yaml"
	st() { k=$1; shift; $STACKHOP step "$k" -s "$TRASH/proc.yaml" -i "$INV" "$@"; }
	# Up, the control command says "stopped" (exit 3): nothing to stop.
	st container-stop --component web --node node2 >"$TRASH/st1"
	grep -q "node2: web is stopped$" "$TRASH/st1"
	stop_masters
	pid=$(echo $NODES_PIDS | cut -d" " -f2)
	kill "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "sshd $pid did not end"; false; }; sleep 0.1
	done
	expect_fail 1 st container-stop --component web --node node2
	grep_err "web on node2: state unknown (ssh failed): .*exit status 255"
	test_lacks "stopped" "$TRASH/stdout" "$TRASH/err"
	expect_fail 1 st container-remove --component web --node node2
	grep_err "web on node2: state unknown (ssh failed)"
'

test_done
