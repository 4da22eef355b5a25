# services.sh - the lab's services: Galera (+ clustercheck), HAProxy,
# keepalived, RabbitMQ (with an AMQP client), memcached, Keystone,
# Placement and nova-conductor on the controllers, and an
# "instance" behind a floating IP on the compute and network nodes.
# Sourced by lab/lab.sh; every start is skipped when the recorded process
# is alive, so "lab up" repairs without duplicating.
# shellcheck shell=sh

RMQ_BIN=/usr/lib/rabbitmq/bin

# ---- MariaDB Galera ---------------------------------------------------------

galera_dir() { echo "$LAB/nodes/$1/galera"; }
# galera_sql NODE ARGS...: mariadb on NODE's server, by its socket (in the
# directory its container binds at /run/mysqld, or its process's).
galera_sql() {
	if [ "${RUNTIME:-process}" = docker ]; then
		sock="$LAB/nodes/$1/mariadb/run/mysqld.sock"
	else
		sock="$(galera_dir "$1")/mysqld.sock"
	fi
	shift
	mariadb -S "$sock" -N -B "$@"
}
galera_state() { galera_sql "$1" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2; }
galera_synced() { [ "$(galera_state "$1")" = Synced ]; }

# galera_cnf NODE: the server and Galera options of NODE (the [mysqld]
# lines both runtimes share), on stdout.
galera_cnf() {
	peers=$(for c in $CONTROLLERS; do printf '%s,' "$(node_addr "$c")"; done)
	cat <<EOF
bind-address=$(node_addr "$1")
port=3306
skip-name-resolve
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
performance_schema=OFF
max_connections=200
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_provider_options="gcache.size=32M"
wsrep_cluster_name=stackhop-lab
wsrep_cluster_address=gcomm://${peers%,}
wsrep_node_address=$(node_addr "$1")
wsrep_node_name=$1
wsrep_sst_method=rsync
EOF
}

galera_conf() {
	n=$1 ver=$2
	d=$(galera_dir "$n")
	img=$(image_dir mariadb "$ver")/usr
	mkdir -p "$d/data" "$d/tmp" "$d/sst-log"
	{
		cat <<EOF
[mysqld]
user=mysql
basedir=$img
lc-messages-dir=$img/share/mysql
plugin-dir=$img/lib/mysql/plugin
datadir=$d/data
tmpdir=$d/tmp
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
EOF
		galera_cnf "$n"
		cat <<EOF
[sst]
sst-log-archive-dir=$d/sst-log
EOF
	} >"$d/my.cnf"
	echo "$ver" >"$d/version"
	chown -R mysql:mysql "$d"
}

# galera_start NODE VERSION [--wsrep-new-cluster]
galera_start() {
	n=$1 ver=$2
	shift 2
	d=$(galera_dir "$n")
	img=$(image_dir mariadb "$ver")/usr
	galera_conf "$n" "$ver"
	# SST scripts come from the image's bin, before the system's.
	spawn "$n" galera "$d/console.log" env PATH="$img/bin:$PATH" \
		"$img/sbin/mariadbd" --defaults-file="$d/my.cnf" "$@"
}

galera_up() {
	ver=$(label "$(old_version mariadb)")
	first=$(first_controller)
	any=""
	for n in $CONTROLLERS; do alive "$n" galera && any=$n; done
	if [ -z "$any" ]; then
		d=$(galera_dir "$first")
		if [ ! -d "$d/data/mysql" ]; then
			galera_conf "$first" "$ver"
			img=$(image_dir mariadb "$ver")/usr
			"$img/bin/mariadb-install-db" --defaults-file="$d/my.cnf" --skip-test-db \
				--auth-root-authentication-method=socket >"$d/install.log" 2>&1 ||
				die "mariadb-install-db failed, see $d/install.log"
		elif [ -f "$d/data/grastate.dat" ]; then
			# Everything was down: the first controller starts the cluster.
			sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$d/data/grastate.dat"
		fi
		v=$(running_version "$first" galera); [ -n "$v" ] || v=$ver
		galera_start "$first" "$v" --wsrep-new-cluster
		wait_for --log "$d/error.log" --alive "$first" galera 120 "galera on $first" galera_synced "$first"
		any=$first
	fi
	galera_users "$any"
	for n in $CONTROLLERS; do
		alive "$n" galera && continue
		v=$(running_version "$n" galera); [ -n "$v" ] || v=$ver
		galera_start "$n" "$v"
		# One joiner at a time: each takes a state transfer.
		wait_for --log "$(galera_dir "$n")/error.log" --alive "$n" galera 180 "galera on $n" \
			galera_synced "$n"
	done
}

# Users through the VIP; passwords go on stdin, never in argv.
galera_users() { galera_users_sql | galera_sql "$1"; }

# The lab's users and databases, as SQL on stdout.
galera_users_sql() {
	cat <<EOF
CREATE USER IF NOT EXISTS 'stackhop'@'%' IDENTIFIED BY '$(secret database_password)';
GRANT ALL PRIVILEGES ON *.* TO 'stackhop'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS keystone;
CREATE USER IF NOT EXISTS 'keystone'@'%' IDENTIFIED BY '$(secret keystone_db_password)';
GRANT ALL PRIVILEGES ON keystone.* TO 'keystone'@'%';
CREATE DATABASE IF NOT EXISTS placement;
CREATE USER IF NOT EXISTS 'placement'@'%' IDENTIFIED BY '$(secret placement_db_password)';
GRANT ALL PRIVILEGES ON placement.* TO 'placement'@'%';
CREATE DATABASE IF NOT EXISTS nova_api;
CREATE DATABASE IF NOT EXISTS nova;
CREATE DATABASE IF NOT EXISTS nova_cell0;
CREATE USER IF NOT EXISTS 'nova'@'%' IDENTIFIED BY '$(secret nova_db_password)';
GRANT ALL PRIVILEGES ON nova_api.* TO 'nova'@'%';
GRANT ALL PRIVILEGES ON nova.* TO 'nova'@'%';
GRANT ALL PRIVILEGES ON nova_cell0.* TO 'nova'@'%';
EOF
}

# clustercheck: HTTP 200 when the node is Synced, 503 otherwise or when
# clustercheck.disabled exists (the seed's clustercheck), on port 9200.
clustercheck_up() {
	n=$1
	alive "$n" clustercheck && return 0
	spawn "$n" clustercheck "$(galera_dir "$n")/clustercheck.log" \
		socat "TCP-LISTEN:9200,bind=$(node_addr "$n"),reuseaddr,fork" \
		"EXEC:$LAB_SRC/clustercheck.sh $(galera_dir "$n")"
}

# ---- HAProxy and keepalived -------------------------------------------------

# haproxy_cfg NODE SOCKET [nova-api]: NODE's haproxy.cfg, its admin socket
# at SOCKET, on stdout; the frontends of the lab's APIs (nova-api's too
# when asked).
haproxy_cfg() {
	n=$1
	{
		cat <<EOF
global
    maxconn 2000
    # expose-fd listeners: a reload (svc.sh reload) hands the listening
    # sockets to the new process (-x), so no connection is refused.
    stats socket $2 mode 600 level admin expose-fd listeners
    stats timeout 10s
    # After a reload the old process ends within this, long-lived
    # connections (Keystone's SQL pool) or not: their clients reconnect.
    hard-stop-after 10s

defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout check 2s

# Galera: one active node, the others backup (writes on one node).
listen galera
    bind $VIP:3306
    option httpchk
    default-server inter 1s rise 2 fall 2 on-marked-down shutdown-sessions
EOF
		b=""
		for c in $CONTROLLERS; do
			echo "    server $c $(node_addr "$c"):3306 check port 9200$b"
			b=" backup"
		done
		cat <<EOF

listen keystone
    bind $VIP:5000
    mode http
    timeout client 60s
    timeout server 60s
    option httpchk GET /v3
    balance roundrobin
EOF
		for c in $CONTROLLERS; do
			echo "    server $c $(node_addr "$c"):5000 check inter 2s rise 1 fall 2"
		done
		haproxy_api placement-api 8778
		[ "${3:-}" = nova-api ] || return 0
		haproxy_api nova-api 8774
	}
}

# haproxy_api NAME PORT: the listen section of an HTTP API on every
# controller's PORT, on stdout.
haproxy_api() {
	cat <<EOF

listen $1
    bind $VIP:$2
    mode http
    timeout client 60s
    timeout server 60s
    option httpchk GET /
    balance roundrobin
EOF
	for c in $CONTROLLERS; do
		echo "    server $c $(node_addr "$c"):$2 check inter 2s rise 1 fall 2"
	done
}

haproxy_conf() {
	d="$LAB/nodes/$1/haproxy"
	mkdir -p "$d"
	haproxy_cfg "$1" "$d/admin.sock" >"$d/haproxy.cfg"
}

# haproxy_up NODE [VERSION]: start it (from VERSION's image, else the one
# it ran, else the older) unless it runs.
haproxy_up() {
	n=$1 ver=${2:-}
	alive "$n" haproxy && return 0
	[ -n "$ver" ] || ver=$(running_version "$n" haproxy)
	[ -n "$ver" ] || ver=$(label "$(old_version haproxy)")
	haproxy_conf "$n"
	echo "$ver" >"$LAB/nodes/$n/haproxy/version"
	rm -f "$LAB/nodes/$n/haproxy/admin.sock"
	spawn "$n" haproxy "$LAB/nodes/$n/haproxy/haproxy.log" \
		"$(image_dir haproxy "$ver")/usr/sbin/haproxy" -db -f "$LAB/nodes/$n/haproxy/haproxy.cfg"
}

# haproxy_reload NODE VERSION: the seamless reload: a new HAProxy from
# VERSION's image takes the listening sockets over from the running one
# (-x, through the admin socket) and tells it to finish (-sf): the old one
# serves what it has in flight and ends.  Waits for that (hard-stop-after
# bounds it) and says how long it took.
haproxy_reload() {
	n=$1 ver=$2
	d="$LAB/nodes/$n/haproxy"
	old=$(lab_pid "$n" haproxy) || die "haproxy does not run on $n"
	haproxy_conf "$n"
	spawn "$n" haproxy "$d/haproxy.log" "$(image_dir haproxy "$ver")/usr/sbin/haproxy" \
		-db -f "$d/haproxy.cfg" -x "$d/admin.sock" -sf "$old"
	echo "$ver" >"$d/version"
	new=$(cat "$(pidfile "$n" haproxy)")
	i=0
	while kill -0 "$old" 2>/dev/null && [ $i -lt 300 ]; do
		kill -0 "$new" 2>/dev/null || die "the new haproxy on $n ended: see $d/haproxy.log"
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$old" 2>/dev/null; then
		kill -TERM "$old" 2>/dev/null || true
		echo "reloaded: PID $old -> $new; the old one was still running after 30 s: terminated"
	else
		echo "reloaded: PID $old -> $new; the old one ended after $((i / 10)).$((i % 10)) s"
	fi
}

haproxy_cmd() { echo "$2" | socat stdio "UNIX-CONNECT:$LAB/nodes/$1/haproxy/admin.sock"; }

# keepalived_cfg NODE PRIORITY: NODE's keepalived.conf on stdout.
keepalived_cfg() {
	n=$1 prio=$2
	peers=$(for c in $CONTROLLERS; do [ "$c" = "$n" ] || printf '        %s\n' "$(node_addr "$c")"; done)
	cat <<EOF
global_defs {
    router_id $n
    enable_script_security
}
vrrp_instance lab_vip {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $prio
    advert_int 1
    unicast_src_ip $(node_addr "$n")
    unicast_peer {
$peers
    }
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
}
EOF
}

keepalived_up() {
	n=$1 prio=$2
	alive "$n" keepalived && return 0
	d="$LAB/nodes/$n/keepalived"
	mkdir -p "$d"
	keepalived_cfg "$n" "$prio" >"$d/keepalived.conf"
	# The package's version, as versions_of (svc.sh) names the image.
	dpkg-query -W -f='${Version}\n' keepalived >"$d/version"
	spawn_run "$n" keepalived "$d/keepalived.log" /usr/sbin/keepalived -n -l -D -P \
		-f "$d/keepalived.conf" -p "$d/keepalived.pid" -r "$d/vrrp.pid"
}

# The controller holding the VIP, or nothing.
vip_holder() {
	for c in $CONTROLLERS; do
		in_ns "$c" ip -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/" && { echo "$c"; return 0; }
	done
	return 1
}

# ---- RabbitMQ --------------------------------------------------------------

rmq_dir() { echo "$LAB/nodes/$1/rabbitmq"; }
rmq_name() { echo "rabbit@$(node_addr "$1")"; }

# rmq NODE TOOL ARGS...: a RabbitMQ CLI tool for NODE, as root with the
# node's HOME (cookie), in its namespace, bounded in time.
rmq() {
	n=$1 tool=$2
	shift 2
	in_ns "$n" env HOME="$(rmq_dir "$n")/home" RABBITMQ_USE_LONGNAME=true \
		timeout 60 "$RMQ_BIN/$tool" -n "$(rmq_name "$n")" "$@"
}

# The users, permissions and the seed's ha-all policy, loaded by every node
# at boot (load_definitions): the password only as a salted SHA-256 hash.
rabbitmq_definitions() {
	f="$LAB/shared/rabbitmq-definitions.json"
	[ -f "$f" ] && return 0
	hash=$(secret rabbitmq_password | /usr/bin/python3 -c '
import base64, hashlib, os, sys
salt = os.urandom(4)
pw = sys.stdin.read().strip().encode()
print(base64.b64encode(salt + hashlib.sha256(salt + pw).digest()).decode())')
	write_private "$f" <<EOF
{"users": [{"name": "stackhop", "password_hash": "$hash",
            "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}],
 "vhosts": [{"name": "/"}],
 "permissions": [{"user": "stackhop", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
 "policies": [{"vhost": "/", "name": "ha-all", "pattern": "", "apply-to": "all", "priority": 0,
               "definition": {"ha-mode": "all", "ha-sync-mode": "automatic"}}]}
EOF
}

# rabbitmq_cfg NODE DEFINITIONS: NODE's rabbitmq.conf, the definitions
# loaded at boot from DEFINITIONS, on stdout.
rabbitmq_cfg() {
	echo "listeners.tcp.default = $(node_addr "$1"):5672"
	echo "loopback_users = none"
	echo "load_definitions = $2"
	# The nodes find each other at their first boot: no join_cluster.
	echo "cluster_formation.peer_discovery_backend = classic_config"
	i=1
	for c in $CONTROLLERS; do
		echo "cluster_formation.classic_config.nodes.$i = $(rmq_name "$c")"
		i=$((i + 1))
	done
	echo "cluster_formation.randomized_startup_delay_range.min = 0"
	echo "cluster_formation.randomized_startup_delay_range.max = 1"
}

rabbitmq_start() {
	n=$1
	d=$(rmq_dir "$n")
	mkdir -p "$d/home" "$d/mnesia" "$d/log"
	umask 077
	secret rabbitmq_cookie | tr -d '\n' >"$d/home/.erlang.cookie"
	umask 022
	chmod 400 "$d/home/.erlang.cookie"
	echo "[]." >"$d/enabled_plugins"
	rabbitmq_cfg "$n" "$LAB/shared/rabbitmq-definitions.json" >"$d/rabbitmq.conf"
	echo "[{kernel,[{net_ticktime,10}]}]." >"$d/advanced.config"
	dpkg-query -W -f='${Version}' rabbitmq-server >"$d/version"
	spawn "$n" rabbitmq "$d/console.log" env HOME="$d/home" \
		RABBITMQ_USE_LONGNAME=true RABBITMQ_NODENAME="$(rmq_name "$n")" \
		RABBITMQ_NODE_IP_ADDRESS="$(node_addr "$n")" RABBITMQ_MNESIA_BASE="$d/mnesia" \
		RABBITMQ_LOG_BASE="$d/log" RABBITMQ_PID_FILE="$d/rabbitmq.pid" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
		RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
		"$RMQ_BIN/rabbitmq-server"
}

# Every controller's node running, as the first controller sees it.
rabbitmq_clustered() {
	running=$(rmq "$(first_controller)" rabbitmqctl cluster_status --formatter json 2>/dev/null |
		jq -r '.running_nodes[]') || return 1
	for n in $CONTROLLERS; do
		echo "$running" | grep -qx "$(rmq_name "$n")" || return 1
	done
}

# Start the nodes that are not running; they boot while the rest comes up.
rabbitmq_start_all() {
	rabbitmq_definitions
	for n in $CONTROLLERS; do
		alive "$n" rabbitmq || rabbitmq_start "$n"
	done
}

rabbitmq_up() {
	rabbitmq_start_all
	# Each CLI call starts an Erlang VM (seconds): wait for all at once.
	# (Only these jobs: a bare "wait" would wait for the daemons too.)
	jobs_=""
	for n in $CONTROLLERS; do
		rmq "$n" rabbitmqctl await_startup --timeout 90 >/dev/null 2>&1 &
		jobs_="$jobs_ $!"
	done
	for j in $jobs_; do wait "$j" || true; done
	wait_for --log "$(rmq_dir "$(first_controller)")/console.log" 120 "the rabbitmq cluster" rabbitmq_clustered
}

# ---- memcached ---------------------------------------------------------------

memcached_up() {
	n=$1
	alive "$n" memcached && return 0
	d="$LAB/nodes/$n/memcached"
	mkdir -p "$d"
	memcached -V | awk '{print $2}' >"$d/version"
	spawn "$n" memcached "$d/memcached.log" memcached -u memcache -l "$(node_addr "$n")" \
		-p 11211 -U 0 -m 32
}

# ---- the AMQP client ---------------------------------------------------------------

# amqp_client_up NODE: lab/amqp-client.py connected to NODE's broker (a
# stand-in for OpenStack's RPC clients, which do not reconnect by
# themselves after a full-stop upgrade).
amqp_client_up() {
	n=$1
	alive "$n" amqp-client && return 0
	d="$LAB/nodes/$n/amqp-client"
	mkdir -p "$d"
	dpkg-query -W -f='${Version}\n' python3-amqp >"$d/version"
	spawn "$n" amqp-client "$d/amqp-client.log" /usr/bin/python3 "$LAB_SRC/amqp-client.py" \
		"$(node_addr "$n")" "$LAB/secrets.yaml"
}

amqp_client_connected() { tail -1 "$LAB/nodes/$1/amqp-client/amqp-client.log" | grep -q "^connected"; }

# ---- Keystone -----------------------------------------------------------------

# keystone_cfg KEYS_DIR: keystone.conf, its key repositories under
# KEYS_DIR (fernet-keys, credential-keys), on stdout.
keystone_cfg() {
	cat <<EOF
[DEFAULT]
use_stderr = true
[database]
connection = mysql+pymysql://keystone:$(secret keystone_db_password)@$VIP/keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $1/fernet-keys
[fernet_receipts]
key_repository = $1/fernet-keys
[credential]
key_repository = $1/credential-keys
[cache]
enabled = false
EOF
}

keystone_conf() {
	d="$LAB/nodes/$1/keystone"
	mkdir -p "$d"
	keystone_cfg "$LAB/shared" | write_private "$d/keystone.conf"
}

# image_tool NODE SERVICE VERSION TOOL ARGS...: a management command of
# SERVICE's image (keystone-manage, nova-manage, ...) with the node's
# configuration of SERVICE, in the node.
image_tool() {
	n=$1 svc_=$2 img=$(image_dir "$2" "$3") tool=$4
	shift 4
	in_ns "$n" env PYTHONPATH="$img/usr/lib/python3/dist-packages" \
		/usr/bin/python3 "$img/usr/bin/$tool" \
		--config-file "$LAB/nodes/$n/$svc_/$svc_.conf" "$@"
}

# keystone_manage NODE VERSION ARGS...: the image's keystone-manage.
keystone_manage() {
	n=$1 v=$2
	shift 2
	image_tool "$n" keystone "$v" keystone-manage "$@"
}

keystone_up() {
	ver=$(label "$(old_version keystone)")
	first=$(first_controller)
	for n in $CONTROLLERS; do keystone_conf "$n"; done
	d="$LAB/nodes/$first/keystone"
	if [ ! -f "$LAB/shared/keystone.bootstrapped" ]; then
		# keystone-manage prints eventlet noise at exit: judge by status.
		keystone_manage "$first" "$ver" db_sync >"$d/setup.log" 2>&1 ||
			die "keystone db_sync failed, see $d/setup.log"
		mkdir -p "$LAB/shared/fernet-keys" "$LAB/shared/credential-keys"
		chmod 700 "$LAB/shared/fernet-keys" "$LAB/shared/credential-keys"
		keystone_manage "$first" "$ver" fernet_setup --keystone-user root --keystone-group root \
			>>"$d/setup.log" 2>&1 || die "keystone fernet_setup failed, see $d/setup.log"
		keystone_manage "$first" "$ver" credential_setup --keystone-user root --keystone-group root \
			>>"$d/setup.log" 2>&1 || die "keystone credential_setup failed, see $d/setup.log"
		# The admin password through the environment, not argv.
		OS_BOOTSTRAP_PASSWORD=$(secret keystone_admin_password) \
			keystone_manage "$first" "$ver" bootstrap --bootstrap-username admin \
			--bootstrap-project-name admin --bootstrap-role-name admin \
			--bootstrap-service-name keystone --bootstrap-region-id RegionOne \
			--bootstrap-admin-url "http://$VIP:5000/v3" \
			--bootstrap-public-url "http://$VIP:5000/v3" \
			--bootstrap-internal-url "http://$VIP:5000/v3" >>"$d/setup.log" 2>&1 ||
			die "keystone bootstrap failed, see $d/setup.log"
		touch "$LAB/shared/keystone.bootstrapped"
	fi
	for n in $CONTROLLERS; do
		alive "$n" keystone && continue
		v=$(running_version "$n" keystone); [ -n "$v" ] || v=$ver
		keystone_start "$n" "$v"
	done
}

# keystone_start NODE VERSION: uwsgi serving VERSION's image on NODE:5000.
keystone_start() {
	n=$1 img=$(image_dir keystone "$2")
	[ -f "$LAB/nodes/$n/keystone/keystone.conf" ] || keystone_conf "$n"
	record_version "$n" keystone "$2"
	spawn "$n" keystone "$LAB/nodes/$n/keystone/uwsgi.log" env \
		PYTHONPATH="$img/usr/lib/python3/dist-packages" \
		OS_KEYSTONE_CONFIG_FILES="$LAB/nodes/$n/keystone/keystone.conf" \
		/usr/bin/uwsgi --plugin python3 --http-socket "$(node_addr "$n"):5000" \
		--wsgi-file "$img/usr/bin/keystone-wsgi-public" --processes 1 --threads 2 \
		--die-on-term --need-app
}

keystone_healthy() { curl -sf -o /dev/null --max-time 3 "http://$(node_addr "$1"):5000/v3"; }

# ---- Placement ------------------------------------------------------------------

# keystone_auth USER SECRET: the options of a keystoneauth password plugin
# for USER of the service project.
keystone_auth() {
	cat <<EOF
auth_type = password
auth_url = http://$VIP:5000/v3
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $(secret "$2")
region_name = RegionOne
EOF
}

# placement_cfg: placement.conf on stdout.
placement_cfg() {
	{
		cat <<EOF
[DEFAULT]
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = mysql+pymysql://placement:$(secret placement_db_password)@$VIP/placement
[keystone_authtoken]
www_authenticate_uri = http://$VIP:5000/v3
EOF
		keystone_auth placement placement_password
	}
}

placement_conf() {
	d="$LAB/nodes/$1/placement"
	mkdir -p "$d"
	placement_cfg | write_private "$d/placement.conf"
}

# placement_start NODE VERSION: uwsgi serving VERSION's placement-api on
# NODE:8778.
placement_start() {
	n=$1 img=$(image_dir placement "$2")
	[ -f "$LAB/nodes/$n/placement/placement.conf" ] || placement_conf "$n"
	record_version "$n" placement-api "$2"
	spawn "$n" placement-api "$LAB/nodes/$n/placement-api/uwsgi.log" env \
		PYTHONPATH="$img/usr/lib/python3/dist-packages" \
		OS_PLACEMENT_CONFIG_DIR="$LAB/nodes/$n/placement" \
		/usr/bin/uwsgi --plugin python3 --http-socket "$(node_addr "$n"):8778" \
		--wsgi-file "$img/usr/bin/placement-api" --processes 1 --threads 2 \
		--die-on-term --need-app
}

placement_healthy() { curl -sf -o /dev/null --max-time 3 "http://$(node_addr "$1"):8778/"; }

placement_up() {
	ver=$(label "$(old_version placement)")
	first=$(first_controller)
	for n in $CONTROLLERS; do placement_conf "$n"; done
	if [ ! -f "$LAB/shared/placement.synced" ]; then
		image_tool "$first" placement "$ver" placement-manage db sync \
			>"$LAB/nodes/$first/placement/setup.log" 2>&1 ||
			die "placement-manage db sync failed, see $LAB/nodes/$first/placement/setup.log"
		touch "$LAB/shared/placement.synced"
	fi
	placement_start_missing "$first"
}

# placement_start_missing [NODE...]: start placement-api on those NODEs
# (default: every controller) where it does not run.
placement_start_missing() {
	# shellcheck disable=SC2086 # the list is split into words on purpose
	[ $# -gt 0 ] || set -- $CONTROLLERS
	for n in "$@"; do
		alive "$n" placement-api && continue
		v=$(running_version "$n" placement-api); [ -n "$v" ] || v=$(label "$(old_version placement)")
		placement_start "$n" "$v"
	done
}

# placement_wait NODE: wait for NODE's placement-api to answer.
placement_wait() {
	wait_for --log "$LAB/nodes/$1/placement-api/uwsgi.log" --alive "$1" placement-api 180 \
		"placement on $1" placement_healthy "$1"
}

# ---- Nova ---------------------------------------------------------------------
#
# The lab's nova is its databases, nova-conductor on every controller and
# the image's nova-manage and nova-status.  lab up leaves it as a cloud is
# before an Ocata hop: the API and main databases migrated, no cell
# mapping, and placement (which runs) not in Keystone.  nova-conductor
# refuses to start without placement's Keystone entries, so lab up does
# not start it: stackhop's upgrade registers placement and nova, sets
# cells v2 up (cell0, cell1) and starts the conductors.  Once started,
# lab up restarts them (a recorded version).

# nova_cfg NODE STATE_DIR LOCK_DIR [api]: NODE's nova.conf on stdout
# (with nova-api's keystone_authtoken when asked).
nova_cfg() {
	n=$1
	url="rabbit://"
	for c in $CONTROLLERS; do
		url="${url}stackhop:$(secret rabbitmq_password)@$(node_addr "$c"):5672,"
	done
	{
		cat <<EOF
[DEFAULT]
host = $n
use_stderr = true
state_path = $2
transport_url = ${url%,}/
report_interval = 5
[api_database]
connection = mysql+pymysql://nova:$(secret nova_db_password)@$VIP/nova_api
[database]
connection = mysql+pymysql://nova:$(secret nova_db_password)@$VIP/nova
[conductor]
workers = 1
[oslo_concurrency]
lock_path = $3
[placement]
valid_interfaces = internal,public
EOF
		keystone_auth nova nova_password
		printf '[service_user]\nsend_service_user_token = true\n'
		keystone_auth nova nova_password
		[ "${4:-}" = api ] || return 0
		printf '[keystone_authtoken]\nwww_authenticate_uri = http://%s:5000/v3\n' "$VIP"
		keystone_auth nova nova_password
	}
}

nova_conf() {
	d="$LAB/nodes/$1/nova"
	mkdir -p "$d/state" "$d/lock"
	nova_cfg "$1" "$d/state" "$d/lock" | write_private "$d/nova.conf"
}

# nova_conductor_start NODE VERSION: VERSION's nova-conductor on NODE (the
# image's path is on its command line).
nova_conductor_start() {
	n=$1 img=$(image_dir nova "$2")
	[ -f "$LAB/nodes/$n/nova/nova.conf" ] || nova_conf "$n"
	record_version "$n" nova-conductor "$2"
	spawn "$n" nova-conductor "$LAB/nodes/$n/nova-conductor/conductor.log" /usr/bin/python3 -c \
		"import sys; sys.path.insert(0, '$img/usr/lib/python3/dist-packages'); from nova.cmd.conductor import main; sys.exit(main())" \
		--config-file "$LAB/nodes/$n/nova/nova.conf"
}

# Healthy as kolla's check has it: the process holds a connection to
# RabbitMQ (port 5672).
nova_conductor_healthy() {
	alive "$1" nova-conductor || return 1
	pid=$(cat "$(pidfile "$1" nova-conductor)")
	in_ns "$1" ss -tnpH state established '( dport = :5672 )' | grep -q "pid=$pid,"
}

nova_up() {
	ver=$(label "$(old_version nova)")
	first=$(first_controller)
	for n in $CONTROLLERS; do nova_conf "$n"; done
	d="$LAB/nodes/$first/nova"
	if [ ! -f "$LAB/shared/nova.synced" ]; then
		image_tool "$first" nova "$ver" nova-manage api_db sync >"$d/setup.log" 2>&1 ||
			die "nova-manage api_db sync failed, see $d/setup.log"
		image_tool "$first" nova "$ver" nova-manage db sync >>"$d/setup.log" 2>&1 ||
			die "nova-manage db sync failed, see $d/setup.log"
		touch "$LAB/shared/nova.synced"
	fi
	for n in $CONTROLLERS; do
		alive "$n" nova-conductor && continue
		v=$(running_version "$n" nova-conductor)
		[ -z "$v" ] || nova_conductor_start "$n" "$v"
	done
}

# Started (a version recorded) and healthy, or never started.
nova_conductor_ok() {
	[ -z "$(running_version "$1" nova-conductor)" ] || nova_conductor_healthy "$1"
}

# ---- the instance behind a floating IP ----------------------------------------

instance_up() {
	cmp=${COMPUTES%% *}
	net=${NETWORKS%% *}
	if ! ip netns list | grep -qw "$(ns_of inst1)"; then
		mkdir -p "/etc/netns/$(ns_of inst1)"
		ip netns add "$(ns_of inst1)"
		ip -n "$(ns_of "$cmp")" link add vi-inst1 type veth peer name eth0 netns "$(ns_of inst1)"
		ip -n "$(ns_of "$cmp")" addr add "$TENANT_NET.1/24" dev vi-inst1
		ip -n "$(ns_of "$cmp")" link set vi-inst1 up
		ip -n "$(ns_of inst1)" addr add "$TENANT_NET.10/24" dev eth0
		ip -n "$(ns_of inst1)" link set eth0 up
		ip -n "$(ns_of inst1)" link set lo up
		ip -n "$(ns_of inst1)" route add default via "$TENANT_NET.1"
		in_ns "$cmp" sysctl -qw net.ipv4.ip_forward=1
		# The network node: the floating IP, DNAT to the instance, and
		# masquerading so that replies come back through it (a router).
		ip -n "$(ns_of "$net")" addr add "$FIP/24" dev eth0
		ip -n "$(ns_of "$net")" route add "$TENANT_NET.0/24" via "$(node_addr "$cmp")"
		in_ns "$net" sysctl -qw net.ipv4.ip_forward=1
		in_ns "$net" iptables -t nat -A PREROUTING -d "$FIP" -j DNAT --to-destination "$TENANT_NET.10"
		in_ns "$net" iptables -t nat -A POSTROUTING -d "$TENANT_NET.0/24" -j MASQUERADE
	fi
	mkdir -p "$LAB/nodes/inst1"
	alive inst1 echo ||
		spawn inst1 echo "$LAB/nodes/inst1/echo.log" socat TCP-LISTEN:7,reuseaddr,fork PIPE
}

instance_healthy() {
	ping -c1 -W1 "$FIP" >/dev/null 2>&1 &&
		[ "$(echo ping | timeout 3 socat -t1 - "TCP:$FIP:7" 2>/dev/null)" = ping ]
}

# ---- all ------------------------------------------------------------------------

services_up() {
	# RabbitMQ and memcached need nothing else: they boot meanwhile.
	rabbitmq_start_all
	for n in $CONTROLLERS; do memcached_up "$n"; done
	galera_up
	stage "galera: $(echo "$CONTROLLERS" | wc -w) nodes Synced"
	for n in $CONTROLLERS; do clustercheck_up "$n"; done
	i=0
	for n in $CONTROLLERS; do
		haproxy_up "$n"
		keepalived_up "$n" $((150 - i))
		i=$((i + 1))
	done
	wait_for 20 "the VIP" vip_holder
	wait_for 30 "SQL through the VIP" vip_sql "SELECT 1"
	stage "haproxy, keepalived: SQL through the VIP"
	keystone_up
	for n in $CONTROLLERS; do
		wait_for --log "$LAB/nodes/$n/keystone/uwsgi.log" --alive "$n" keystone 180 \
			"keystone on $n" keystone_healthy "$n"
	done
	stage "keystone: every controller answers"
	placement_up
	rabbitmq_up
	stage "rabbitmq: clustered, ha-all policy"
	# Placement's app syncs the standard traits and resource classes
	# into its (fresh) database as it loads: one bulk insert per process,
	# each in its own (hash) order.  Three at once can conflict in InnoDB,
	# and a load that fails makes uwsgi exit (--need-app).  So the first
	# controller's loads first, the others (nothing left to insert) after.
	placement_wait "$(first_controller)"
	placement_start_missing
	for n in $CONTROLLERS; do placement_wait "$n"; done
	stage "placement: every controller answers"
	nova_up
	for n in $CONTROLLERS; do
		wait_for --log "$LAB/nodes/$n/nova-conductor/conductor.log" 180 "nova-conductor on $n" \
			nova_conductor_ok "$n"
	done
	stage "nova: databases migrated, no cell yet"
	for n in $CONTROLLERS; do amqp_client_up "$n"; done
	for n in $CONTROLLERS; do
		wait_for --log "$LAB/nodes/$n/amqp-client/amqp-client.log" --alive "$n" amqp-client 60 \
			"the AMQP client on $n" amqp_client_connected "$n"
	done
	stage "amqp-client: one connection per node"
	instance_up
	wait_for 10 "the instance's floating IP" instance_healthy
	stage "instance: floating IP answers"
}

# vip_sql SQL: run SQL through the VIP as the lab's database user; the
# password goes through a private option file, not argv.
vip_sql() {
	umask 077
	printf '[client]\nuser=stackhop\npassword="%s"\n' "$(secret database_password)" >"$LAB/client.cnf"
	umask 022
	mariadb --defaults-extra-file="$LAB/client.cnf" -h "$VIP" -N -B -e "$1"
}

services_down() {
	stop inst1 echo
	for n in $CONTROLLERS; do
		stop "$n" amqp-client
		stop "$n" nova-conductor
		stop "$n" placement-api
		stop "$n" keystone
		stop "$n" memcached
		stop "$n" rabbitmq
		stop "$n" keepalived
		stop "$n" haproxy
		stop "$n" clustercheck
	done
	# Galera: the others first, the first controller last (its grastate
	# then says it is safe to bootstrap from).
	for n in $CONTROLLERS; do
		[ "$n" = "$(first_controller)" ] || stop "$n" galera
	done
	stop "$(first_controller)" galera
}

services_status() {
	vh=$(vip_holder || true)
	# One cluster_status for every RabbitMQ node (each CLI call starts an
	# Erlang VM: seconds).
	running=""
	for n in $CONTROLLERS; do
		running=$(rmq "$n" rabbitmqctl cluster_status --formatter json 2>/dev/null |
			jq -r '.running_nodes[]' 2>/dev/null) && [ -n "$running" ] && break
	done
	printf '%-6s %-14s %-22s %s\n' NODE SERVICE VERSION HEALTH
	for n in $(all_nodes); do
		if alive "$n" sshd && lab_ssh "$n" true 2>/dev/null; then h=ok; else h=DOWN; fi
		printf '%-6s %-14s %-22s %s\n' "$n" sshd "$(/usr/sbin/sshd -V 2>&1 | awk '{print $1}' | tr -d ,)" "$h"
	done
	for n in $CONTROLLERS; do
		st=$(galera_state "$n"); size=$(galera_sql "$n" -e "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2)
		printf '%-6s %-14s %-22s %s\n' "$n" galera "$(running_version "$n" galera)" \
			"$([ "$st" = Synced ] && echo "ok (Synced, cluster size $size)" || echo "DOWN (${st:-not running})")"
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$(node_addr "$n"):9200/" || true)
		printf '%-6s %-14s %-22s %s\n' "$n" clustercheck "-" "$([ "$code" = 200 ] && echo ok || echo "DOWN (HTTP $code)")"
		printf '%-6s %-14s %-22s %s\n' "$n" haproxy "$(running_version "$n" haproxy)" \
			"$(alive "$n" haproxy && haproxy_cmd "$n" "show info" | grep -q '^Name: HAProxy' && echo ok || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" keepalived "$(running_version "$n" keepalived)" \
			"$(alive "$n" keepalived && echo "ok$([ "$vh" = "$n" ] && echo " (holds VIP $VIP)")" || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" rabbitmq "$(running_version "$n" rabbitmq)" \
			"$(echo "$running" | grep -qx "$(rmq_name "$n")" && echo "ok (running in the cluster)" || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" amqp-client "$(running_version "$n" amqp-client)" \
			"$(alive "$n" amqp-client && amqp_client_connected "$n" && echo "ok (connected)" || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" memcached "$(running_version "$n" memcached)" \
			"$(alive "$n" memcached && echo ok || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" keystone "$(running_version "$n" keystone)" \
			"$(keystone_healthy "$n" && echo ok || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" placement-api "$(running_version "$n" placement-api)" \
			"$(placement_healthy "$n" && echo ok || echo DOWN)"
		printf '%-6s %-14s %-22s %s\n' "$n" nova-conductor "$(running_version "$n" nova-conductor)" \
			"$(if [ -z "$(running_version "$n" nova-conductor)" ]; then
				echo "not started (stackhop upgrade starts it after cells v2)"
			elif nova_conductor_healthy "$n"; then echo "ok (on RabbitMQ)"; else echo DOWN; fi)"
	done
	printf '%-6s %-14s %-22s %s\n' inst1 instance "-" \
		"$(instance_healthy && echo "ok (floating IP $FIP: ICMP and TCP echo)" || echo DOWN)"
	printf 'VIP %s on %s\n' "$VIP" "${vh:-nobody}"
}
