#!/bin/sh
# svc.sh - the lab's service control: what stackhop's process runtime runs
# on a node (settings "process: {control: [...]}") to start, stop and
# inspect one service there, the way the docker runtime talks to a
# container engine.  The procedures (order, drains, waits, checks) are
# stackhop's; this only acts on one process of one node.
#
#   svc.sh [--dir DIR] ACTION SERVICE NODE [OPTIONS]
#   (SERVICE: galera, rabbitmq, haproxy, keepalived, memcached, amqp-client,
#    keystone, placement-api or nova-conductor; the OpenStack services
#    keystone, placement and nova for config, config-write and exec)
#
#   start [--version V] [--new-cluster] [--start-position UUID:SEQNO]
#   stop | kill | status | version | versions
#   remove: forget a stopped service's container (its run record)
#   remove-image --keep V: remove the other images of SERVICE that no
#                node's container uses (the lab's nodes share one store)
#   keystone, placement-api, nova-conductor: health (its API answers on
#                  the node; nova-conductor: connected to RabbitMQ)
#   keystone, placement, nova: config (print the node's SERVICE.conf) |
#                  config-write (replace it, from stdin) | exec [--version V]
#                  -- COMMAND ARGS... (SERVICE-manage or SERVICE-status of
#                  the image, with the node's config; V defaults to the
#                  version the node's container of the service runs, else
#                  the oldest image)
#   galera only: grastate | safe-to-bootstrap | remove-grastate | recover
#                | upgrade-db
#   haproxy only: reload [--version V] (seamless: the new process takes the
#                 listening sockets over, the old one finishes what it has)
#   keepalived only: drain (give the VIP away: lowest priority, reloaded;
#                    start again restores the priority)
#   rabbitmq only: wipe | ctl ARGS... (rabbitmqctl) | diag ARGS...
#                  (rabbitmq-diagnostics)
#
# V names an image by its version label or a prefix of it (10.11.19).
# status exits 3 when the service is not running.
set -eu
LAB_SRC=$(cd "$(dirname "$0")" && pwd)
LAB=${STACKHOP_LAB_DIR:-/var/tmp/stackhop-lab}
# shellcheck source=lab/lib.sh
. "$LAB_SRC/lib.sh"
# shellcheck source=lab/images.sh
. "$LAB_SRC/images.sh"
# shellcheck source=lab/services.sh
. "$LAB_SRC/services.sh"

usage() {
	sed -n '8,37p' "$0" | sed 's/^# *//' >&2
	exit 2
}

if [ "${1:-}" = --dir ]; then
	LAB=$2
	shift 2
fi
[ $# -ge 3 ] || usage
action=$1 svc=$2 node=$3
shift 3
load_env || die "no lab at $LAB"
# The Erlang CLI leaves erl_crash.dump where it runs: in the lab, not here.
cd "$LAB"
case " $(all_nodes) " in
*" $node "*) ;;
*) die "no node '$node' in the lab (nodes: $(all_nodes))" ;;
esac
# Over ssh this runs inside the node: its address is on an interface here.
if ip -4 -o addr show 2>/dev/null | grep -q " $(node_addr "$node")/"; then
	IN_NODE=$node
fi
case $svc in
galera | rabbitmq | haproxy | keepalived | memcached | amqp-client | keystone | \
	placement-api | nova-conductor | placement | nova) ;;
*) die "unknown service '$svc' (expected galera, rabbitmq, haproxy, keepalived, memcached, amqp-client, keystone, placement-api, nova-conductor, placement or nova)" ;;
esac

# The image of SERVICE whose version label is V or starts with V.
image_name() {
	case $1 in
	galera) echo mariadb ;;
	placement-api) echo placement ;;
	nova-conductor) echo nova ;;
	*) echo "$1" ;;
	esac
}
# The container whose version an OpenStack service's commands default to.
main_container() {
	case $1 in
	placement) echo placement-api ;;
	nova) echo nova-conductor ;;
	*) echo "$1" ;;
	esac
}
resolve_version() {
	img=$(image_name "$1")
	found=""
	for l in $(versions_of "$1"); do
		case $l in
		"$2" | "$2"[-+~]*) found=$l ;;
		esac
	done
	[ -n "$found" ] || die "no $img image for version '$2' (have: $(versions_of "$1" | tr '\n' ' '))"
	echo "$found"
}
versions_of() {
	case $1 in
	# Debian has one version of these: the system's package is the image.
	rabbitmq) dpkg-query -W -f='${Version}\n' rabbitmq-server; return ;;
	keepalived) dpkg-query -W -f='${Version}\n' keepalived; return ;;
	memcached) dpkg-query -W -f='${Version}\n' memcached; return ;;
	amqp-client) dpkg-query -W -f='${Version}\n' python3-amqp; return ;;
	esac
	img=$(image_name "$1")
	for d in "$LAB/images/$img-"*; do
		[ -f "$d/.complete" ] && echo "${d##*/"$img"-}"
	done
}

# rabbitmqctl / rabbitmq-diagnostics for the node, arguments as given.
case "$svc.$action" in
rabbitmq.ctl) rmq "$node" rabbitmqctl "$@"; exit ;;
rabbitmq.diag) rmq "$node" rabbitmq-diagnostics "$@"; exit ;;
esac

version="" new_cluster="" position="" keep=""
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	--version) version=$(resolve_version "$svc" "$2"); shift 2 ;;
	--keep) keep=$(resolve_version "$svc" "$2"); shift 2 ;;
	--new-cluster) new_cluster=1; shift ;;
	--start-position) position=$2; shift 2 ;;
	*) die "unknown option '$1'" ;;
	esac
done

gd=$(galera_dir "$node")
case "$svc.$action" in
*.status)
	if alive "$node" "$svc"; then
		echo "running $(cat "$(pidfile "$node" "$svc")")"
	else
		echo stopped
		exit 3
	fi
	;;
*.version) running_version "$node" "$svc" ;;
*.versions) versions_of "$svc" ;;
*.stop) stop "$node" "$svc" ;;
*.remove)
	alive "$node" "$svc" && die "$svc runs on $node: stop it first"
	rm -f "$LAB/nodes/$node/$svc/version" "$(pidfile "$node" "$svc")"
	echo "removed the $svc container of $node"
	;;
*.remove-image)
	[ -n "$keep" ] || die "remove-image needs --keep VERSION"
	img=$(image_name "$svc")
	for v in $(versions_of "$svc"); do
		[ "$v" = "$keep" ] && continue
		users=""
		for n in $(all_nodes); do
			[ "$(running_version "$n" "$svc")" = "$v" ] && users="$users $n"
		done
		if [ -n "$users" ]; then
			echo "kept image $img-$v: the containers of$users use it"
		else
			rm -rf "$(image_dir "$img" "$v")"
			echo "removed image $img-$v"
		fi
	done
	;;
*.kill) stop "$node" "$svc" KILL ;;
galera.start)
	alive "$node" galera && die "galera already runs on $node"
	[ -n "$version" ] || version=$(running_version "$node" galera)
	set --
	[ -z "$new_cluster" ] || set -- "$@" --wsrep-new-cluster
	[ -z "$position" ] || set -- "$@" --wsrep_start_position="$position"
	galera_start "$node" "$version" "$@"
	;;
galera.grastate) cat "$gd/data/grastate.dat" ;;
galera.safe-to-bootstrap)
	sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$gd/data/grastate.dat"
	;;
galera.remove-grastate) rm -f "$gd/data/grastate.dat" ;;
galera.recover)
	alive "$node" galera && die "galera runs on $node: --wsrep-recover needs it stopped"
	v=$(running_version "$node" galera)
	img=$(image_dir mariadb "$v")/usr
	# mariadbd writes the log as mysql: no file of root's in the way.
	rm -f "$gd/recover.log"
	"$img/sbin/mariadbd" --defaults-file="$gd/my.cnf" --wsrep-recover \
		--log-error="$gd/recover.log" >/dev/null 2>&1 || true
	cat "$gd/recover.log"
	;;
galera.upgrade-db)
	v=$(running_version "$node" galera)
	img=$(image_dir mariadb "$v")/usr
	"$img/bin/mariadb-upgrade" --socket="$gd/mysqld.sock" --user=root --silent
	;;
haproxy.start)
	alive "$node" haproxy && die "haproxy already runs on $node"
	haproxy_up "$node" "$version"
	;;
haproxy.reload)
	alive "$node" haproxy || die "haproxy does not run on $node: start it"
	[ -n "$version" ] || version=$(running_version "$node" haproxy)
	haproxy_reload "$node" "$version"
	;;
keepalived.start)
	alive "$node" keepalived && die "keepalived already runs on $node"
	i=0 prio=150
	for c in $CONTROLLERS; do
		[ "$c" = "$node" ] && prio=$((150 - i))
		i=$((i + 1))
	done
	keepalived_up "$node" "$prio"
	;;
keepalived.drain)
	# The lowest priority, reloaded: the others take the VIP over while
	# this one still holds it (no moment without a holder).
	d="$LAB/nodes/$node/keepalived"
	sed -i 's/^    priority .*/    priority 1/' "$d/keepalived.conf"
	kill -HUP "$(cat "$d/keepalived.pid")"
	;;
rabbitmq.start)
	alive "$node" rabbitmq && die "rabbitmq already runs on $node"
	rabbitmq_definitions
	rabbitmq_start "$node"
	;;
keystone.start | placement-api.start | nova-conductor.start)
	alive "$node" "$svc" && die "$svc already runs on $node"
	[ -n "$version" ] || version=$(running_version "$node" "$svc")
	[ -n "$version" ] || die "no $svc version recorded for $node: give --version"
	case $svc in
	keystone) keystone_start "$node" "$version" ;;
	placement-api) placement_start "$node" "$version" ;;
	nova-conductor) nova_conductor_start "$node" "$version" ;;
	esac
	;;
keystone.health)
	keystone_healthy "$node" || die "keystone on $node does not answer on $(node_addr "$node"):5000/v3"
	echo "keystone on $node answers on $(node_addr "$node"):5000/v3"
	;;
placement-api.health)
	placement_healthy "$node" || die "placement on $node does not answer on $(node_addr "$node"):8778"
	echo "placement on $node answers on $(node_addr "$node"):8778"
	;;
nova-conductor.health)
	nova_conductor_healthy "$node" || die "nova-conductor on $node holds no connection to RabbitMQ"
	echo "nova-conductor on $node is connected to RabbitMQ"
	;;
keystone.config | placement.config | nova.config) cat "$LAB/nodes/$node/$svc/$svc.conf" ;;
keystone.config-write | placement.config-write | nova.config-write)
	write_private "$LAB/nodes/$node/$svc/$svc.conf"
	;;
keystone.exec | placement.exec | nova.exec)
	[ $# -gt 0 ] || die "exec needs -- COMMAND ARGS..."
	[ -n "$version" ] || version=$(running_version "$node" "$(main_container "$svc")")
	# No container ran yet (the lab's nova before its upgrade): the oldest
	# image is the code in place.
	[ -n "$version" ] || version=$(versions_of "$svc" | sort -V | head -1)
	[ -n "$version" ] || die "no $svc image in the lab"
	case $1 in
	"$svc-manage" | "$svc-status") ;;
	*) die "$svc images have no command '$1' ($svc-manage, $svc-status)" ;;
	esac
	tool=$1
	shift
	image_tool "$node" "$svc" "$version" "$tool" "$@"
	;;
memcached.start)
	alive "$node" memcached && die "memcached already runs on $node"
	memcached_up "$node"
	;;
amqp-client.start)
	alive "$node" amqp-client && die "amqp-client already runs on $node"
	amqp_client_up "$node"
	wait_for 20 "the AMQP client on $node" amqp_client_connected "$node"
	;;
rabbitmq.wipe)
	alive "$node" rabbitmq && die "rabbitmq runs on $node: stop it first"
	rm -rf "$(rmq_dir "$node")/mnesia"
	;;
*) die "$svc has no action '$action'" ;;
esac
