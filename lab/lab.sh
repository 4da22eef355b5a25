#!/bin/sh
# lab.sh - the lab: a small clustered OpenStack control plane on one
# machine, every node a network namespace reached over ssh.  Run by
# "stackhop lab" (or directly, as root):
#
#   lab.sh up     [--dir DIR] [--controllers N] [--computes N] [--networks N]
#                 [--runtime process|docker]
#   lab.sh status [--dir DIR]
#   lab.sh down   [--dir DIR] [--keep-data]
#   lab.sh images [--dir DIR]
#
# up is idempotent: it starts what is not running and reports what is.
# --runtime docker (the default): every controller service a container of
# the release images (lab/containers.sh); process: processes of unpacked
# packages (lab/services.sh, lab/svc.sh).  A lab keeps the runtime it was
# made with.
set -eu
LAB_SRC=$(cd "$(dirname "$0")" && pwd)
LAB=${STACKHOP_LAB_DIR:-/var/tmp/stackhop-lab}
# shellcheck source=lab/lib.sh
. "$LAB_SRC/lib.sh"
# shellcheck source=lab/images.sh
. "$LAB_SRC/images.sh"
# shellcheck source=lab/services.sh
. "$LAB_SRC/services.sh"
# shellcheck source=lab/podman.sh
. "$LAB_SRC/podman.sh"
# shellcheck source=lab/rootfs.sh
. "$LAB_SRC/rootfs.sh"
# shellcheck source=lab/containers.sh
. "$LAB_SRC/containers.sh"
# stackhop itself (stackhop lab passes its path): the containerized lab
# starts its services with stackhop's steps.
STACKHOP_BIN=${STACKHOP_BIN:-stackhop}

usage() {
	sed -n '5,10p' "$0" | sed 's/^# *//' >&2
	exit 2
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
NCTL=3 NCMP=1 NNET=1 KEEP=0 WANT_RUNTIME=""
while [ $# -gt 0 ]; do
	case $1 in
	--dir) LAB=$2; shift 2 ;;
	--controllers) NCTL=$2; shift 2 ;;
	--computes) NCMP=$2; shift 2 ;;
	--networks) NNET=$2; shift 2 ;;
	--keep-data) KEEP=1; shift ;;
	--runtime)
		case ${2:-} in
		process | docker) WANT_RUNTIME=$2 ;;
		*) die "--runtime must be process or docker, not '${2:-}'" ;;
		esac
		shift 2 ;;
	*) log "unknown argument '$1'"; usage ;;
	esac
done
case "$NCTL.$NCMP.$NNET" in
*[!0-9.]*) die "node counts must be numbers" ;;
esac
for c in "$NCTL" "$NCMP" "$NNET"; do
	if [ "$c" -lt 1 ] || [ "$c" -gt 9 ]; then
		die "node counts must be from 1 to 9"
	fi
done
[ "$(id -u)" -eq 0 ] || die "the lab needs root (network namespaces)"

# ---- topology -------------------------------------------------------------

write_env() {
	{
		c="" m="" n=""
		i=1; while [ $i -le "$NCTL" ]; do c="$c ctl$i"; echo "ADDR_ctl$i=10.231.0.$((10 + i))"; i=$((i + 1)); done
		i=1; while [ $i -le "$NCMP" ]; do m="$m cmp$i"; echo "ADDR_cmp$i=10.231.0.$((20 + i))"; i=$((i + 1)); done
		i=1; while [ $i -le "$NNET" ]; do n="$n net$i"; echo "ADDR_net$i=10.231.0.$((30 + i))"; i=$((i + 1)); done
		echo "RUNTIME=${WANT_RUNTIME:-docker}"
		echo "CONTROLLERS='${c# }'"
		echo "COMPUTES='${m# }'"
		echo "NETWORKS='${n# }'"
	} >"$LAB/lab.env.new"
	mv "$LAB/lab.env.new" "$LAB/lab.env"
}

# ---- network --------------------------------------------------------------

net_up() {
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add "$BRIDGE" type bridge
		ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
	fi
	ip link set "$BRIDGE" up
	for n in $(all_nodes); do
		ns=$(ns_of "$n")
		# No resolver in the lab: lookups (rsyncd's reverse DNS during
		# Galera's SST, for one) fail at once instead of timing out.
		# "ip netns exec" mounts /etc/netns/NS/* over /etc.
		mkdir -p "/etc/netns/$ns"
		printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$ns/resolv.conf"
		if ! ip netns list | grep -qw "$ns"; then
			ip link del "v-$n" 2>/dev/null || true	# left from a lab gone wrong
			ip netns add "$ns"
			ip link add "v-$n" type veth peer name eth0 netns "$ns"
			ip link set "v-$n" master "$BRIDGE" up
			ip -n "$ns" addr add "$(node_addr "$n")/24" dev eth0
			ip -n "$ns" link set eth0 up
			ip -n "$ns" link set lo up
			ip -n "$ns" route add default via "$BRIDGE_ADDR"
			# HAProxy binds the VIP wherever keepalived puts it.
			in_ns "$n" sysctl -qw net.ipv4.ip_nonlocal_bind=1
		fi
	done
}

net_down() {
	# The veths first: a namespace's own end goes with it only when the
	# kernel gets round to destroying the namespace, which can take a while
	# after its last process ended.
	for l in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		ip link del "$l" 2>/dev/null || true
	done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf /etc/netns/"$NS_PREFIX"*
	ip link del "$BRIDGE" 2>/dev/null || true
}

# ---- ssh ------------------------------------------------------------------

ssh_keys() {
	mkdir -p "$LAB/ssh"
	[ -f "$LAB/ssh/id" ] || ssh-keygen -q -t ed25519 -N "" -C stackhop-lab -f "$LAB/ssh/id" </dev/null
	[ -f "$LAB/ssh/hostkey" ] || ssh-keygen -q -t ed25519 -N "" -C stackhop-lab-host \
		-f "$LAB/ssh/hostkey" </dev/null
	cp "$LAB/ssh/id.pub" "$LAB/ssh/authorized_keys"
	: >"$LAB/ssh/known_hosts.new"
	for n in $(all_nodes); do
		echo "$(node_addr "$n") $(cut -d' ' -f1-2 "$LAB/ssh/hostkey.pub")" >>"$LAB/ssh/known_hosts.new"
	done
	mv "$LAB/ssh/known_hosts.new" "$LAB/ssh/known_hosts"
}

ssh_up() {
	n=$1 d="$LAB/nodes/$1/sshd"
	alive "$n" sshd && return 0
	mkdir -p "$d"
	sshd_config "$(node_addr "$n")" "$LAB/ssh/hostkey" "$LAB/ssh/authorized_keys" >"$d/sshd_config"
	# Each node has a /root of its own (as a real server would): what
	# runs over ssh does not read this machine's root dotfiles.
	mkdir -p "$LAB/nodes/$n/root"
	chmod 700 "$LAB/nodes/$n/root"
	# shellcheck disable=SC2016 # expanded by the inner shell
	spawn_run "$n" sshd "$d/sshd.log" sh -c 'mount -n --bind "$1" /root && shift && exec "$@"' \
		sh "$LAB/nodes/$n/root" /usr/sbin/sshd -D -e -f "$d/sshd_config"
}

lab_ssh() {
	n=$1
	shift
	ssh -F /dev/null -i "$LAB/ssh/id" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o UserKnownHostsFile="$LAB/ssh/known_hosts" -o StrictHostKeyChecking=yes \
		-o ConnectTimeout=3 -l root "$(node_addr "$n")" "$@"
}

# ---- outputs --------------------------------------------------------------

write_secrets() {
	# Keys a lab of an older stackhop lacks are added; none is changed.
	umask 077
	{
		cat "$LAB/secrets.yaml" 2>/dev/null || true
		for k in database_password keystone_db_password keystone_admin_password placement_password \
			placement_db_password nova_password nova_db_password rabbitmq_password \
			rabbitmq_cookie; do
			grep -q "^$k: " "$LAB/secrets.yaml" 2>/dev/null ||
				echo "$k: \"$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')\""
		done
	} >"$LAB/secrets.yaml.new"
	sync "$LAB/secrets.yaml.new"
	mv "$LAB/secrets.yaml.new" "$LAB/secrets.yaml"
	umask 022
}

write_outputs() {
	{
		echo "# stackhop lab inventory (written by lab up)"
		echo "[control]"
		for n in $CONTROLLERS; do echo "$n ansible_host=$(node_addr "$n")"; done
		echo "[compute]"
		for n in $COMPUTES; do echo "$n ansible_host=$(node_addr "$n")"; done
		echo "[network]"
		for n in $NETWORKS; do echo "$n ansible_host=$(node_addr "$n")"; done
		printf '[mariadb:children]\ncontrol\n[rabbitmq:children]\ncontrol\n'
		printf '[haproxy:children]\ncontrol\n[keepalived:children]\ncontrol\n'
		printf '[memcached:children]\ncontrol\n[keystone:children]\ncontrol\n'
		printf '[placement-api:children]\ncontrol\n[nova-conductor:children]\ncontrol\n'
		if [ "$RUNTIME" = docker ]; then
			printf '[nova-scheduler:children]\ncontrol\n[nova-api:children]\ncontrol\n'
			printf '[nova-novncproxy]\n[nova-libvirt]\n[nova-compute]\n'
		else
			# Nova's other containers run nowhere in this lab: empty groups.
			printf '[nova-scheduler]\n[nova-novncproxy]\n[nova-api]\n[nova-libvirt]\n[nova-compute]\n'
		fi
		printf '[all:vars]\nansible_user=root\n'
	} >"$LAB/inventory.new"
	mv "$LAB/inventory.new" "$LAB/inventory"
	first=$(first_controller)
	{
		echo "# stackhop settings for the lab (written by lab up)"
		echo "vip: $VIP"
		echo "runtime: $RUNTIME"
		echo "secrets: secrets.yaml"
		echo "endpoints:"
		echo "  database: $VIP:3306"
		echo "  rabbitmq: [$(for n in $CONTROLLERS; do printf '%s:5672, ' "$(node_addr "$n")"; done | sed 's/, $//')]"
		echo "  keystone: http://$VIP:5000/v3"
		echo "  database_user: stackhop"
		# What "stackhop upgrade" installs on the lab: the newer image
		# where Debian has two, else the one version it has.
		echo "components:"
		if [ "$RUNTIME" = docker ]; then
			# The tags of the release image's packages.
			echo "  galera: {mode: rolling, version: \"$(ct_tag mariadb "$CT_TO")\"}"
			echo "  rabbitmq: {mode: full-stop, version: \"$(ct_tag rabbitmq "$CT_TO")\"}"
			echo "  haproxy: {version: \"$(ct_tag haproxy "$CT_TO")\"}"
			echo "  keepalived: {version: \"$(ct_tag keepalived "$CT_TO")\"}"
			echo "  memcached: {version: \"$(ct_tag memcached "$CT_TO")\"}"
			echo "  keystone: {version: \"$(ct_tag keystone "$CT_TO")\"}"
			echo "  placement: {version: \"$(ct_tag placement-api "$CT_TO")\"}"
			echo "  nova: {version: \"$(ct_tag nova-api "$CT_TO")\"}"
		else
			echo "  galera: {mode: rolling, version: \"$(label "$(new_version mariadb)")\"}"
			echo "  rabbitmq: {mode: full-stop, version: \"$(dpkg-query -W -f='${Version}' rabbitmq-server)\"}"
			echo "  haproxy: {version: \"$(label "$(new_version haproxy)")\"}"
			echo "  keepalived: {version: \"$(dpkg-query -W -f='${Version}' keepalived)\"}"
			echo "  memcached: {version: \"$(dpkg-query -W -f='${Version}' memcached)\"}"
			echo "  keystone: {version: \"$(label "$(new_version keystone)")\"}"
			echo "  placement: {version: \"$(label "$(new_version placement)")\"}"
			echo "  nova: {version: \"$(label "$(new_version nova)")\"}"
		fi
		# The OpenStack services the lab runs (the others are skipped).
		echo "services: [keystone, placement, nova]"
		# Its hosts are namespaces of this machine: no host OS phase.
		printf 'phases:\n  host: {hops: none}\n'
		echo "rabbitmq:"
		echo "  reconnect_timeout: 10"
		echo "  clients: [amqp-client]"
		echo "probe:"
		echo "  targets: [icmp:$FIP, tcp:$FIP:7]"
		if [ "$RUNTIME" = docker ]; then
			echo "galera:"
			echo "  disabled_file: $LAB/nodes/{node}/mariadb/run/clustercheck.disabled"
			echo "haproxy:"
			echo "  admin_socket: $LAB/nodes/{node}/haproxy/run/admin.sock"
			ct_settings
		else
			echo "galera:"
			echo "  disabled_file: $LAB/nodes/{node}/galera/clustercheck.disabled"
			echo "haproxy:"
			echo "  admin_socket: $LAB/nodes/{node}/haproxy/admin.sock"
			echo "process:"
			echo "  control: [sh, $LAB_SRC/svc.sh, --dir, $LAB]"
		fi
		echo "ssh:"
		echo "  config: /dev/null"
		echo "  identity: $LAB/ssh/id"
		echo "  known_hosts: $LAB/ssh/known_hosts"
		echo "  control_persist: 120"
	} >"$LAB/settings.yaml.new"
	mv "$LAB/settings.yaml.new" "$LAB/settings.yaml"
	: "$first"
}

# ---- release images ---------------------------------------------------------

# The lab's Podman store and API service (the release images live there).
PODMAN_DIR=$LAB/podman

lab_mark() {
	mkdir -p "$LAB"
	chmod 755 "$LAB"
	[ -f "$LAB/$LAB_MARK" ] ||
		echo "a stackhop lab (lab up made this directory's files; lab down removes them)" >"$LAB/$LAB_MARK"
}

# images_list: each release with the versions of its services' packages,
# read in its tree.
images_list() {
	for r in $RELEASES; do
		line=""
		for p in $(for s in $IMAGE_SERVICES; do echo "${s#*:}"; done | sort -u); do
			line="$line, $p $(rootfs_version "$r" "$p")"
		done
		echo "$(release_name "$r") ($r): ${line#, }"
	done
}

# lab images: build (or take from the cache) and import the release
# images, without a lab; the API service stays as it was.
lab_images() {
	lab_mark
	was_up=0
	podman_alive "$PODMAN_DIR" && was_up=1
	mkdir -p "$PODMAN_DIR"
	podman_start "$PODMAN_DIR" || die "podman's API service did not start (see $PODMAN_DIR/service.log)"
	images_build "$PODMAN_DIR"
	images_list
	[ "$was_up" = 1 ] || podman_stop "$PODMAN_DIR"
}

# Containers and images the lab's API service knows (GET /containers/json,
# /images/json).
podman_status() {
	podman_alive "$PODMAN_DIR" || { echo "podman: not running"; return 0; }
	echo "podman: $PODMAN_DIR/api.sock"
	podman_api "$PODMAN_DIR" '/containers/json?all=true' |
		jq -r '.[] | "  container \(.Names[0]): \(.Image) (\(.ImageID[0:12])) \(.State)"'
	podman_api "$PODMAN_DIR" /images/json |
		jq -r '.[] | "  image \(.Id[7:19]): \(.Size / 1048576 | floor) MB, \(.RepoTags | length) tags: \(.RepoTags | map(sub("^localhost/"; "")) | join(" "))"'
}

# ---- commands -------------------------------------------------------------

lab_up() {
	t0=$(date +%s.%N)
	lab_mark
	mkdir -p "$LAB/pids" "$LAB/nodes" "$LAB/shared" "$LAB/images" "$LAB/cache" "$PODMAN_DIR"
	if load_env; then
		RUNTIME=${RUNTIME:-process}
		[ -z "$WANT_RUNTIME" ] || [ "$WANT_RUNTIME" = "$RUNTIME" ] ||
			die "the lab at $LAB runs its services as $RUNTIME, not $WANT_RUNTIME: lab down first"
		log "lab at $LAB exists ($CONTROLLERS $COMPUTES $NETWORKS, runtime $RUNTIME): repairing what is down"
	else
		write_env
		load_env
	fi
	write_secrets
	podman_start "$PODMAN_DIR" || die "podman's API service did not start (see $PODMAN_DIR/service.log)"
	images_build "$PODMAN_DIR"
	stage "release images: $(for r in $RELEASES; do printf 'lab/*:%s ' "$(release_name "$r")"; done)"
	if [ "$RUNTIME" = process ]; then
		images_fetch
		stage "images: $(find "$LAB/images" -mindepth 1 -maxdepth 1 -type d | wc -l) unpacked"
	fi
	net_up
	ssh_keys
	for n in $(all_nodes); do ssh_up "$n"; done
	for n in $(all_nodes); do
		wait_for 20 "sshd on $n" lab_ssh "$n" true
	done
	stage "nodes: namespaces, bridge, sshd"
	if [ "$RUNTIME" = docker ]; then
		# The settings first: stackhop's steps start the containers.
		write_outputs
		ct_services_up
	else
		services_up
		write_outputs
	fi
	t1=$(date +%s.%N)
	log "up in $(echo "$t1 - $t0" | bc | sed 's/^\./0./') s"
	echo "inventory: $LAB/inventory"
	echo "settings:  $LAB/settings.yaml"
	echo "secrets:   $LAB/secrets.yaml"
}

lab_down() {
	if load_env; then
		if [ "${RUNTIME:-process}" = docker ]; then
			ct_services_down
			stop inst1 echo
		else
			services_down
		fi
		for n in $(all_nodes); do stop "$n" sshd; done
	fi
	# Anything still running in the lab's namespaces was started by the lab.
	for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
	stop_recorded
	podman_stop "$PODMAN_DIR"
	podman_reap "$PODMAN_DIR"
	net_down
	if [ "$KEEP" = 1 ]; then
		log "down; data kept in $LAB"
	else
		# What lab up made, by name: nothing else that is in $LAB.  Keep
		# the downloaded images: they are the slow part of lab up.
		for f in $LAB_FILES; do rm -rf "${LAB:?}/$f"; done
		log "down; removed its state (images kept in $LAB/images, $LAB/cache and $PODMAN_DIR)"
	fi
}

case $cmd in
up) lab_up ;;
down) lab_down ;;
status)
	load_env || die "no lab at $LAB (run: stackhop lab up)"
	if [ "${RUNTIME:-process}" = docker ]; then ct_status; else services_status; podman_status; fi ;;
images) lab_images ;;
*) usage ;;
esac
