#!/bin/sh
# t0610-docker-stateful.sh - Galera and RabbitMQ through the docker
# runtime, for real:
# two MariaDB containers of the release images (lab/mariadb, the
# bookworm-point image's 10.11 and the bookworm one's), each in a node
# namespace of its own on one Podman service, their data in docker.volumes,
# their configuration given to kolla_start by a config.json, an HAProxy
# container in front.  stackhop's Galera procedures drive them through the
# Docker API: the new-cluster procedure forms the cluster, then moves it to
# the newer MariaDB (containers of the new image on the old data, Galera's
# --wsrep-new-cluster through kolla's BOOTSTRAP_ARGS, mariadb-upgrade by
# exec); after a SIGKILL of both servers, recover reads grastate.dat from
# the volumes, runs --wsrep-recover in one-off containers and bootstraps
# the most advanced node at its position.  No row is lost.  Then a
# RabbitMQ cluster of two containers of the zed image, formed by
# stackhop's rabbitmq-start steps, goes through the seed's full-stop
# procedure: definitions exported, every container stopped, mnesia wiped
# in the volumes, new containers, definitions imported (standard input
# through the docker runtime), every user, vhost and durable queue back.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lab/podman.sh
. "$(dirname "$0")/../../lab/podman.sh"

LABDIR=${STACKHOP_LAB_DIR:-/var/tmp/stackhop-lab}
PM=$LABDIR/podman
BR=shgal0 A1=10.231.8.1 A2=10.231.8.2
export PM A1 A2
STARTED=""
cleanup() {
	if [ -S "$PM/api.sock" ]; then
		for c in g1_mariadb g2_mariadb g1_haproxy g1_haproxy_next g1_rabbitmq g2_rabbitmq; do
			podman_cli "$PM" rm -f -t 2 "$c" >/dev/null 2>&1 || true
		done
		podman_cli "$PM" ps -a --format "{{.Names}}" 2>/dev/null | grep "^stackhop_run_g[12]_" |
			while read -r c; do podman_cli "$PM" rm -f "$c" >/dev/null 2>&1; done
	fi
	[ -z "$STARTED" ] || podman_stop "$PM"
	for n in 1 2; do
		ip link del "v-shgal-$n" 2>/dev/null || true
		ip netns del "shgal-g$n" 2>/dev/null || true
	done
	ip link del "$BR" 2>/dev/null || true
	rm -rf "$TRASH"
}
trap cleanup EXIT

# The images come from the cache (t0600 or lab up built them; built here
# otherwise).
if ! podman_alive "$PM"; then
	$STACKHOP lab images >"$TRASH/images.out" 2>"$TRASH/images.err" || { cat "$TRASH/images.err"; exit 1; }
	mkdir -p "$PM"
	podman_start "$PM" || exit 1
	STARTED=1
fi
tag() { grep "^$1 " "$TRASH/images.out" | grep -o "mariadb-server [^,]*" | cut -d" " -f2 | sed "s/^[0-9]*://" | tr "+~" "__"; }
[ -s "$TRASH/images.out" ] || $STACKHOP lab images >"$TRASH/images.out" 2>/dev/null
OLD=$(tag zed-point) NEW=$(tag zed)
export OLD NEW

ip link add "$BR" type bridge
ip addr add 10.231.8.254/24 dev "$BR"
# The nodes are reached without ssh (ansible_connection=local): what
# stackhop runs "on g1" runs here, so the VIP HAProxy's upgrade asks about
# is on this side of the bridge.
ip addr add 10.231.8.100/24 dev "$BR"
ip link set "$BR" up
for n in 1 2; do
	ip netns add "shgal-g$n"
	ip link add "v-shgal-$n" type veth peer name eth0 netns "shgal-g$n"
	ip link set "v-shgal-$n" master "$BR" up
	ip -n "shgal-g$n" addr add "10.231.8.$n/24" dev eth0
	ip -n "shgal-g$n" link set eth0 up
	ip -n "shgal-g$n" link set lo up
done

# Test-only secrets, in files only root reads.
DBPW=$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")
COOKIE=$(od -An -N16 -tx1 /dev/urandom | tr -d " \n")
(umask 077 && echo "database_password: \"$DBPW\"" >"$TRASH/secrets.yaml")
mkdir -p "$TRASH/lb"
cat >"$TRASH/inv" <<EOF
[mariadb]
g1 ansible_host=$A1 ansible_connection=local
g2 ansible_host=$A2 ansible_connection=local
[haproxy]
g1 ansible_host=$A1 ansible_connection=local
[rabbitmq]
g1 ansible_host=$A1 ansible_connection=local
g2 ansible_host=$A2 ansible_connection=local
EOF
cat >"$TRASH/settings.yaml" <<EOF
runtime: docker
vip: 10.231.8.100
secrets: secrets.yaml
endpoints:
  database_user: stackhop
galera:
  disabled_file: $TRASH/{node}.disabled
haproxy:
  admin_socket: $TRASH/lb/admin.sock
docker:
  socket: $PM/api.sock
  image: "localhost/lab/{component}:{version}"
  container: "{node}_{component}"
  network: "ns:/run/netns/shgal-{node}"
  config_dir: $TRASH/kolla/{node}/{component}
  stop_timeout: 30
  volumes:
    mariadb: ["$TRASH/data/{node}/mysql:/var/lib/mysql"]
    rabbitmq: ["$TRASH/data/{node}/rabbitmq:/var/lib/rabbitmq", "$TRASH/resolv.conf:/etc/resolv.conf:ro"]
    haproxy: ["$TRASH/lb:/run/lb"]
EOF
: >"$TRASH/resolv.conf"
for n in 1 2; do
	d="$TRASH/kolla/g$n/rabbitmq"
	mkdir -p "$d" "$TRASH/data/g$n/rabbitmq"
	printf "%s\n" "NODENAME=rabbit@10.231.8.$n" "NODE_IP_ADDRESS=10.231.8.$n" "USE_LONGNAME=true" >"$d/rabbitmq-env.conf"
	printf "%s\n" "listeners.tcp.default = 10.231.8.$n:5672" "loopback_users = none" \
		"cluster_formation.peer_discovery_backend = classic_config" \
		"cluster_formation.classic_config.nodes.1 = rabbit@$A1" \
		"cluster_formation.classic_config.nodes.2 = rabbit@$A2" >"$d/rabbitmq.conf"
	echo "[{kernel,[{net_ticktime,10}]}]." >"$d/advanced.config"
	(umask 077 && echo "$COOKIE" | tr -d "\n" >"$d/erlang.cookie")
	cat >"$d/config.json" <<EOF
{"command": "su rabbitmq -s /bin/sh -c 'exec /usr/lib/rabbitmq/bin/rabbitmq-server'",
 "config_files": [
  {"source": "/var/lib/kolla/config_files/rabbitmq-env.conf", "dest": "/etc/rabbitmq/rabbitmq-env.conf",
   "owner": "rabbitmq:rabbitmq", "perm": "0644"},
  {"source": "/var/lib/kolla/config_files/rabbitmq.conf", "dest": "/etc/rabbitmq/rabbitmq.conf",
   "owner": "rabbitmq:rabbitmq", "perm": "0644"},
  {"source": "/var/lib/kolla/config_files/advanced.config", "dest": "/etc/rabbitmq/advanced.config",
   "owner": "rabbitmq:rabbitmq", "perm": "0644"},
  {"source": "/var/lib/kolla/config_files/erlang.cookie", "dest": "/var/lib/rabbitmq/.erlang.cookie",
   "owner": "rabbitmq:rabbitmq", "perm": "0400"}],
 "permissions": [{"path": "/var/lib/rabbitmq", "owner": "rabbitmq:rabbitmq", "recurse": true},
                 {"path": "/var/log/rabbitmq", "owner": "rabbitmq:rabbitmq", "recurse": true}]}
EOF
done
for n in 1 2; do
	d="$TRASH/kolla/g$n/mariadb"
	mkdir -p "$d" "$TRASH/data/g$n/mysql"
	cat >"$d/galera.cnf" <<EOF
[mysqld]
user=mysql
datadir=/var/lib/mysql
bind-address=10.231.8.$n
skip-name-resolve
binlog_format=ROW
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=32M
performance_schema=OFF
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_provider_options="gcache.size=16M"
wsrep_cluster_name=stackhop-t0610
wsrep_cluster_address=gcomm://$A1,$A2
wsrep_node_address=10.231.8.$n
wsrep_node_name=g$n
wsrep_sst_method=rsync
EOF
	cat >"$d/config.json" <<EOF
{"command": "mariadbd",
 "config_files": [{"source": "/var/lib/kolla/config_files/galera.cnf",
                   "dest": "/etc/mysql/mariadb.conf.d/99-galera.cnf",
                   "owner": "mysql:mysql", "perm": "0600"}],
 "permissions": [{"path": "/var/lib/mysql", "owner": "mysql:mysql", "recurse": true},
                 {"path": "/run/mysqld", "owner": "mysql:mysql"}]}
EOF
done
# Each node's data directory made as kolla's bootstrap container does:
# mariadb-install-db, and the procedures' user created offline.
(umask 077 && printf "%s\n" "FLUSH PRIVILEGES;" \
	"CREATE USER 'stackhop'@'%' IDENTIFIED BY '$DBPW';" \
	"GRANT ALL PRIVILEGES ON *.* TO 'stackhop'@'%' WITH GRANT OPTION;" >"$TRASH/init.sql")
for n in 1 2; do
	cp "$TRASH/init.sql" "$TRASH/data/g$n/init.sql"
	podman_run "$PM" "g${n}_install" "shgal-g$n" "localhost/lab/mariadb:$OLD" \
		"[\"$TRASH/data/g$n/mysql:/var/lib/mysql\", \"$TRASH/data/g$n:/init:ro\"]" \
		sh -c "mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null &&
			mariadbd --user=mysql --datadir=/var/lib/mysql --bootstrap --wsrep-on=OFF </init/init.sql"
done
for n in 1 2; do
	podman_cli "$PM" wait "g${n}_install" >"$TRASH/rc$n"
	[ "$(cat "$TRASH/rc$n")" = 0 ] || { podman_cli "$PM" logs "g${n}_install"; exit 1; }
	podman_cli "$PM" rm "g${n}_install" >/dev/null
	rm -f "$TRASH/data/g$n/init.sql"
done
mkdir -p "$TRASH/kolla/g1/haproxy"
cat >"$TRASH/kolla/g1/haproxy/config.json" <<EOF
{"command": "haproxy -db -f /etc/haproxy/haproxy.cfg",
 "config_files": [{"source": "/var/lib/kolla/config_files/haproxy.cfg",
                   "dest": "/etc/haproxy/haproxy.cfg", "owner": "root:root", "perm": "0644"}]}
EOF
cat >"$TRASH/kolla/g1/haproxy/haproxy.cfg" <<EOF
global
	stats socket /run/lb/admin.sock mode 600 level admin expose-fd listeners
	hard-stop-after 10s
defaults
	mode tcp
	timeout connect 2s
	timeout client 1h
	timeout server 1h
listen galera
	bind $A1:13306
	default-server inter 1s rise 1 fall 2 on-marked-down shutdown-sessions
	server g1 $A1:3306 check
	server g2 $A2:3306 check backup
EOF
HOLD=$(grep "^zed-point " "$TRASH/images.out" | grep -o "haproxy [^,]*" | cut -d" " -f2 | tr "+~" "__")
HNEW=$(grep "^zed " "$TRASH/images.out" | grep -o "haproxy [^,]*" | cut -d" " -f2 | tr "+~" "__")
export HOLD HNEW
# HAProxy is a container of the runtime's too (started as the container
# flow starts one), on the point release's HAProxy.
$STACKHOP step container-start -s "$TRASH/settings.yaml" -i "$TRASH/inv" --component haproxy --node g1 \
	--to "$HOLD" >/dev/null || exit 1
test_wait_for 30 test -S "$TRASH/lb/admin.sock" || { podman_cli "$PM" logs g1_haproxy; exit 1; }

ST="-s $TRASH/settings.yaml -i $TRASH/inv"
export ST
# sql N SQL: through node N as the procedures' user (password in a file).
(umask 077 && printf "[client]\nuser=stackhop\npassword=\"%s\"\n" "$DBPW" >"$TRASH/my.cnf")
sql() { mariadb --defaults-extra-file="$TRASH/my.cnf" --connect-timeout=3 -h "10.231.8.$1" -N -B -e "$2"; }
# image_of NAME: the image a container was created from.
image_of() { podman_cli "$PM" inspect --format "{{.ImageName}}" "$1"; }

test_expect_success 'the new-cluster procedure forms the cluster from two containers of the point image, through the Docker API' '
	$STACKHOP galera upgrade $ST --mode new-cluster --to "$OLD" >"$TRASH/nc.out" 2>"$TRASH/nc.err" ||
		{ cat "$TRASH/nc.out" "$TRASH/nc.err"; podman_cli "$PM" logs --tail 20 g1_mariadb; exit 1; }
	grep -q "g1: primary, Synced; mariadb-upgrade done" "$TRASH/nc.out"
	grep -q "g2: joined, Synced" "$TRASH/nc.out"
	[ "$(sql 2 "SHOW STATUS LIKE \"wsrep_cluster_size\"" | cut -f2)" = 2 ]
	for n in 1 2; do [ "$(image_of g${n}_mariadb)" = "localhost/lab/mariadb:$OLD" ]; done
	sql 1 "CREATE DATABASE t0610; CREATE TABLE t0610.t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20));
		INSERT INTO t0610.t (v) VALUES (\"before\"), (\"upgrade\")"
	[ "$(sql 2 "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM t0610.t")" = 2 ]
	# What a container of the procedures holds: its data in the volume,
	# the bootstrap options of that start only.
	podman_cli "$PM" inspect --format "{{range .Config.Env}}{{println .}}{{end}}" g1_mariadb >"$TRASH/env1"
	grep -q "^BOOTSTRAP_ARGS=--wsrep-new-cluster$" "$TRASH/env1"
	podman_cli "$PM" inspect --format "{{range .Config.Env}}{{println .}}{{end}}" g2_mariadb >"$TRASH/env2"
	grep -q "^BOOTSTRAP_ARGS=$" "$TRASH/env2"
	test -s "$TRASH/data/g1/mysql/grastate.dat"
	$STACKHOP galera status $ST >"$TRASH/st.out"
	grep -q "g1.*Synced" "$TRASH/st.out"
'

test_expect_success 'new-cluster to the newer MariaDB: new containers of the zed image on the same data, mariadb-upgrade by exec' '
	$STACKHOP galera upgrade $ST --mode new-cluster --to "$NEW" >"$TRASH/up.out" 2>"$TRASH/up.err" ||
		{ cat "$TRASH/up.out" "$TRASH/up.err"; exit 1; }
	for n in 1 2; do
		[ "$(image_of g${n}_mariadb)" = "localhost/lab/mariadb:$NEW" ]
		sql $n "SELECT VERSION()" | grep -q "^$(echo "$NEW" | cut -d- -f1)-MariaDB"
	done
	[ "$(sql 2 "SET SESSION wsrep_sync_wait=1; SELECT GROUP_CONCAT(v ORDER BY id) FROM t0610.t")" = "before,upgrade" ]
	# The bootstrap node was started anew without the option after: a
	# later start of it cannot form a second cluster.
	grep -q "control-plane downtime" "$TRASH/up.out"
	echo "     $OLD -> $NEW: $(grep "control-plane downtime" "$TRASH/up.out")" >&3
'

test_expect_success 'SIGKILL of both servers: recover reads grastate.dat, runs --wsrep-recover in one-off containers, no row lost' '
	sql 1 "INSERT INTO t0610.t (v) VALUES (\"committed\")"
	# Through the API, not the CLI (see api_kill in tests/lib/lab.sh).
	for n in 1 2; do
		podman_post "$PM" "/containers/g${n}_mariadb/kill?signal=KILL" >/dev/null
		podman_post "$PM" "/containers/g${n}_mariadb/wait" >/dev/null
	done
	$STACKHOP galera recover $ST >"$TRASH/rec.out" 2>"$TRASH/rec.err" ||
		{ cat "$TRASH/rec.out" "$TRASH/rec.err"; exit 1; }
	grep -q "from --wsrep-recover" "$TRASH/rec.out"
	[ "$(sql 2 "SHOW STATUS LIKE \"wsrep_cluster_size\"" | cut -f2)" = 2 ]
	[ "$(sql 2 "SET SESSION wsrep_sync_wait=1; SELECT GROUP_CONCAT(v ORDER BY id) FROM t0610.t")" = "before,upgrade,committed" ]
	# The one-off containers and their logs are gone.
	podman_cli "$PM" ps -a --format "{{.Names}}" >"$TRASH/ps"
	test_lacks "stackhop_run_" "$TRASH/ps"
	test_path_missing "$TRASH/data/g1/mysql/stackhop-recover.log"
'

test_expect_success 'actions on a running server are refused; a bad volume is refused before anything runs' '
	expect_fail 1 $STACKHOP step galera-node-upgrade $ST --node g1 --to "$NEW"
	grep_err "needs 3 or more nodes"
	sed "s#    mariadb: .*#    mariadb: [\"$TRASH/data/{node}/mysql:/var/lib/mysql-other\"]#" \
		"$TRASH/settings.yaml" >"$TRASH/novol.yaml"
	expect_fail 2 $STACKHOP galera recover -s "$TRASH/novol.yaml" -i "$TRASH/inv"
	grep_err "the Galera recovery needs what the docker runtime cannot do (keep a service.s data across versions, run Galera.s actions (grastate, recover)): nothing was changed"
	[ "$(sql 1 "SHOW STATUS LIKE \"wsrep_cluster_size\"" | cut -f2)" = 2 ]
'

RMQ=$(grep "^zed " "$TRASH/images.out" | grep -o "rabbitmq-server [^,]*" | cut -d" " -f2 | tr "+~" "__")
export RMQ
# rmqctl N ARGS...: rabbitmqctl in node N s container (not through stackhop).
rmqctl() { n=$1; shift; podman_cli "$PM" exec "g${n}_rabbitmq" rabbitmqctl "$@"; }

mkdir -p "$TRASH/st"
test_expect_success 'rabbitmq-start forms a cluster of two containers of the zed image; a user, a vhost and a durable queue' '
	for n in 1 2; do
		$STACKHOP step rabbitmq-start $ST --node g$n --to "$RMQ" --state "$TRASH/st" >"$TRASH/rs$n.out" 2>"$TRASH/rs$n.err" ||
			{ cat "$TRASH/rs$n.out" "$TRASH/rs$n.err"; podman_cli "$PM" logs --tail 30 g${n}_rabbitmq; exit 1; }
	done
	grep -q "g2: in the cluster of g1" "$TRASH/rs2.out"
	rmqctl 1 cluster_status --formatter json >"$TRASH/cs.json"
	[ "$(jq -r ".running_nodes | length" "$TRASH/cs.json")" = 2 ]
	rmqctl 1 add_vhost t0610 >/dev/null
	rmqctl 1 add_user t0610user "$COOKIE" >/dev/null
	rmqctl 1 set_permissions -p t0610 t0610user ".*" ".*" ".*" >/dev/null
	# A durable queue declared by an AMQP client (the password in the
	# environment, not in argv).
	AMQP_PW=$COOKIE /usr/bin/python3 -c "import amqp, os
c = amqp.Connection(\"$A1:5672\", userid=\"t0610user\", password=os.environ[\"AMQP_PW\"], virtual_host=\"t0610\")
c.connect(); c.channel().queue_declare(\"kept\", durable=True, auto_delete=False); c.close()"
	rmqctl 2 list_queues -p t0610 name durable >"$TRASH/q0"
	grep -q "^kept	true$" "$TRASH/q0"
'

test_expect_success 'RabbitMQ full-stop on containers: exported, stopped, mnesia wiped in the volumes, imported by standard input, all back' '
	for n in 1 2; do podman_cli "$PM" inspect --format "{{.Id}}" g${n}_rabbitmq >"$TRASH/id$n"; done
	$STACKHOP rabbitmq upgrade $ST --mode full-stop --to "$RMQ" --definitions "$TRASH/defs.json" \
		>"$TRASH/fs.out" 2>"$TRASH/fs.err" || { cat "$TRASH/fs.out" "$TRASH/fs.err"; exit 1; }
	grep -q "mnesia removed on 2 nodes" "$TRASH/fs.out"
	grep -q "definitions imported from $TRASH/defs.json" "$TRASH/fs.out"
	grep -q "every user, vhost, permission and policy of the export there" "$TRASH/fs.out"
	[ "$(stat -c %a "$TRASH/defs.json")" = 600 ]
	rmqctl 1 list_vhosts >"$TRASH/vh"
	grep -q "^t0610$" "$TRASH/vh"
	rmqctl 2 list_users >"$TRASH/us"
	grep -q "^t0610user" "$TRASH/us"
	rmqctl 2 list_queues -p t0610 name durable >"$TRASH/q1"
	grep -q "^kept	true$" "$TRASH/q1"
	rmqctl 1 cluster_status --formatter json >"$TRASH/cs2.json"
	[ "$(jq -r ".running_nodes | length" "$TRASH/cs2.json")" = 2 ]
	# New containers: the ones that ran before were removed.
	for n in 1 2; do
		[ "$(podman_cli "$PM" inspect --format "{{.Id}}" g${n}_rabbitmq)" != "$(cat "$TRASH/id$n")" ]
	done
	# The file that carried the import is gone from the configuration.
	ls -a "$TRASH/kolla/g1/rabbitmq" >"$TRASH/cfgls"
	test_lacks "stackhop-stdin" "$TRASH/cfgls"
	echo "     $(grep "broker downtime" "$TRASH/fs.out")" >&3
'

test_expect_success 'HAProxy seamless reload across containers: the point image to the zed one, 0 failed SQL samples through it' '
	old=$(podman_cli "$PM" inspect --format "{{.Id}}" g1_haproxy)
	$STACKHOP probe -s "$TRASH/settings.yaml" --quiet --interval 100 --target "sql:$A1:13306" --out "$TRASH/hr.json" \
		>"$TRASH/hr.probe" 2>&1 &
	probe=$!
	rc=0
	$STACKHOP haproxy upgrade $ST --mode reload --to "$HNEW" >"$TRASH/hr.out" 2>"$TRASH/hr.err" || rc=$?
	kill -TERM "$probe" 2>/dev/null || true
	wait "$probe" || true
	test -s "$TRASH/hr.json" || { cat "$TRASH/hr.probe"; exit 1; }
	[ "$rc" = 0 ] || { cat "$TRASH/hr.out" "$TRASH/hr.err"; podman_cli "$PM" logs --tail 20 g1_haproxy_next; exit 1; }
	jq -e ".targets[] | select(.target == \"sql:$A1:13306\") | .samples > 20 and .failures == 0" "$TRASH/hr.json" ||
		{ jq . "$TRASH/hr.json"; exit 1; }
	grep -q "g1: reloaded: container g1_haproxy localhost/lab/haproxy:$HOLD -> localhost/lab/haproxy:$HNEW" "$TRASH/hr.out"
	grep -q "g1: haproxy $HNEW serves, every backend UP" "$TRASH/hr.out"
	[ "$(image_of g1_haproxy)" = "localhost/lab/haproxy:$HNEW" ]
	[ "$(podman_cli "$PM" inspect --format "{{.Id}}" g1_haproxy)" != "$old" ]
	test_must_fail podman_cli "$PM" inspect g1_haproxy_next
	echo "     $(grep "reloaded:" "$TRASH/hr.out" | sed "s/.*; //"); $(jq -r ".targets[0] | \"\(.samples) SQL samples through HAProxy, \(.failures) failed\"" "$TRASH/hr.json")" >&3
'

test_done
