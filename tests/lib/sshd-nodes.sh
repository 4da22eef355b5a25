# sshd-nodes.sh - N test nodes, each a network namespace with its own sshd,
# for the ssh transport's tests and benchmarks.  Sourced; needs root.
#
#   nodes_up DIR N [PREFIX]  node n (1..60) listens on 10.231.250.(4n-2),
#                            reached through a veth whose host side is
#                            10.231.250.(4n-3)/30.  Writes DIR/id (client
#                            key), DIR/known_hosts, DIR/inv (group
#                            "nodes"), DIR/settings.yaml; waits (bounded)
#                            until every sshd answers.
#   nodes_down               stops what nodes_up started, by PID, and
#                            removes the namespaces and links.
#   node_address N           the address of node N
#
# NODES_USER (default root) is the user the inventory, the readiness
# check and nodes_stop_masters log in as; the caller creates it.
# shellcheck shell=sh
# Sourced from the top of the source tree (sshd_config comes from the lab).
# shellcheck source=lab/lib.sh
. lab/lib.sh

NODES_PIDS=""
NODES_N=0
NODES_PREFIX=""
NODES_DIR=""

node_address() {
	echo "10.231.250.$(($1 * 4 - 2))"
}

nodes_up() {
	NODES_DIR=$1
	NODES_N=$2
	NODES_PREFIX=${3:-shn$$}
	if [ "$NODES_N" -lt 1 ] || [ "$NODES_N" -gt 60 ]; then
		echo "nodes_up: 1 to 60 nodes" >&2
		return 1
	fi
	ssh-keygen -q -t ed25519 -N "" -f "$NODES_DIR/id" >/dev/null </dev/null
	ssh-keygen -q -t ed25519 -N "" -f "$NODES_DIR/hostkey" >/dev/null </dev/null
	cp "$NODES_DIR/id.pub" "$NODES_DIR/authorized_keys"
	: >"$NODES_DIR/known_hosts"
	echo "[nodes]" >"$NODES_DIR/inv"
	n=1
	while [ "$n" -le "$NODES_N" ]; do
		ns="$NODES_PREFIX-$n"
		addr=$(node_address "$n")
		ip netns add "$ns"
		ip link add "$NODES_PREFIX-v$n" type veth peer name eth0 netns "$ns"
		ip addr add "10.231.250.$((n * 4 - 3))/30" dev "$NODES_PREFIX-v$n"
		ip link set "$NODES_PREFIX-v$n" up
		ip -n "$ns" addr add "$addr/30" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		sshd_config "$addr" "$NODES_DIR/hostkey" "$NODES_DIR/authorized_keys" \
			>"$NODES_DIR/sshd$n.conf"
		# sshd wants /run/sshd: a private tmpfs /run in its own mount
		# namespace.  The exec chain keeps $! the sshd's PID.
		ip netns exec "$ns" unshare -m --propagation private sh -c \
			"mount -n -t tmpfs tmpfs /run && mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f $NODES_DIR/sshd$n.conf" \
			>"$NODES_DIR/sshd$n.log" 2>&1 &
		NODES_PIDS="$NODES_PIDS $!"
		echo "$addr $(cut -d' ' -f1-2 "$NODES_DIR/hostkey.pub")" >>"$NODES_DIR/known_hosts"
		echo "node$n ansible_host=$addr" >>"$NODES_DIR/inv"
		n=$((n + 1))
	done
	printf '[all:vars]\nansible_user=%s\n' "${NODES_USER:-root}" >>"$NODES_DIR/inv"
	cat >"$NODES_DIR/settings.yaml" <<EOT
ssh:
  config: /dev/null
  identity: $NODES_DIR/id
  known_hosts: $NODES_DIR/known_hosts
  control_persist: 60
EOT
	n=1
	while [ "$n" -le "$NODES_N" ]; do
		i=0
		until ssh -F /dev/null -i "$NODES_DIR/id" -o BatchMode=yes \
			-o UserKnownHostsFile="$NODES_DIR/known_hosts" -o ConnectTimeout=2 \
			-l "${NODES_USER:-root}" "$(node_address "$n")" true 2>/dev/null; do
			i=$((i + 1))
			if [ "$i" -ge 50 ]; then
				echo "nodes_up: node $n did not answer" >&2
				return 1
			fi
			sleep 0.1
		done
		n=$((n + 1))
	done
}

# Stop the ControlMasters that commands to the nodes started.
nodes_stop_masters() {
	n=1
	while [ "$n" -le "$NODES_N" ]; do
		ssh -F /dev/null -o ControlPath="/tmp/stackhop-ssh-$(id -u)/cm-%C" \
			-p 22 -l "${NODES_USER:-root}" -O exit "$(node_address "$n")" >/dev/null 2>&1 || true
		n=$((n + 1))
	done
}

# Safe under "set -e": every step may find its object already gone (deleting
# a namespace also deletes its veth pair).
nodes_down() {
	nodes_stop_masters
	for pid in $NODES_PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $NODES_PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
	NODES_PIDS=""
	n=1
	while [ "$n" -le "$NODES_N" ]; do
		ip netns del "$NODES_PREFIX-$n" 2>/dev/null || true
		ip link del "$NODES_PREFIX-v$n" 2>/dev/null || true
		n=$((n + 1))
	done
}
