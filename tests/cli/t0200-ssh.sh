#!/bin/sh
# t0200-ssh.sh - stackhop's ssh transport against real sshds, each in a
# network namespace this test creates (10.231.250.0/24; nothing else is
# contacted).  Needs root, sshd and ip (installed by scripts/deps.sh).
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

NS="shtest-$$"
SSHD_PIDS=""
export NS

# Stop the ControlMasters this test's commands started.
stop_masters() {
	for n in 1 2; do
		ssh -F /dev/null -o ControlPath="/tmp/stackhop-ssh-$(id -u)/cm-%C" \
			-p 22 -l root -O exit "10.231.250.$((n * 4 - 2))" >/dev/null 2>&1 || true
	done
}

cleanup() {
	for pid in $SSHD_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $SSHD_PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	done
	stop_masters
	for n in 1 2; do
		ip netns del "$NS-$n" 2>/dev/null
		ip link del "$NS-v$n" 2>/dev/null
	done
	rm -rf "$TRASH"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || ! command -v sshd >/dev/null; then
	echo "this test needs root and sshd (run make check as root)"
	echo "0 passed, 1 failed"
	exit 1
fi

# Two nodes: host side 10.231.250.(4n-3)/30, node 10.231.250.(4n-2).
ssh-keygen -q -t ed25519 -N "" -f "$TRASH/id" >/dev/null
ssh-keygen -q -t ed25519 -N "" -f "$TRASH/hostkey" >/dev/null
cp "$TRASH/id.pub" "$TRASH/authorized_keys"
: >"$TRASH/known_hosts"
for n in 1 2; do
	ip netns add "$NS-$n"
	ip link add "$NS-v$n" type veth peer name eth0 netns "$NS-$n"
	ip addr add "10.231.250.$((n * 4 - 3))/30" dev "$NS-v$n"
	ip link set "$NS-v$n" up
	ip -n "$NS-$n" addr add "10.231.250.$((n * 4 - 2))/30" dev eth0
	ip -n "$NS-$n" link set eth0 up
	ip -n "$NS-$n" link set lo up
	cat >"$TRASH/sshd$n.conf" <<EOT
ListenAddress 10.231.250.$((n * 4 - 2)):22
HostKey $TRASH/hostkey
PidFile none
AuthorizedKeysFile $TRASH/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOT
	# sshd wants /run/sshd: give it a private tmpfs /run in its own mount
	# namespace; the exec chain keeps $! the sshd's PID.
	ip netns exec "$NS-$n" unshare -m --propagation private sh -c \
		"mount -n -t tmpfs tmpfs /run && mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f $TRASH/sshd$n.conf" \
		>"$TRASH/sshd$n.log" 2>&1 &
	SSHD_PIDS="$SSHD_PIDS $!"
	echo "10.231.250.$((n * 4 - 2)) $(cut -d' ' -f1-2 "$TRASH/hostkey.pub")" >>"$TRASH/known_hosts"
done
cat >"$TRASH/inv" <<EOT
[nodes]
node1 ansible_host=10.231.250.2
node2 ansible_host=10.231.250.6
[all:vars]
ansible_user=root
EOT
cat >"$TRASH/settings.yaml" <<EOT
ssh:
  config: /dev/null
  identity: $TRASH/id
  known_hosts: $TRASH/known_hosts
  control_persist: 30
EOT
export INV="$TRASH/inv" SET="$TRASH/settings.yaml"
# Wait (bounded) for both sshds to answer.
i=0
until $STACKHOP exec -i "$INV" -s "$SET" --quiet --timeout 5 -- true >/dev/null 2>&1 || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

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
	sleep 0.5
	for n in 1 2; do
		! ip netns pids "$NS-$n" | xargs -r ps -o args= -p | grep -q "^sleep 300"
	done
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

test_done
