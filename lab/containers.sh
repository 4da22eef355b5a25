# containers.sh - the lab's services as containers (lab up --runtime
# docker): every service of every controller a container of the release
# images, in its node's network namespace, through the Podman service's
# Docker API, its configuration bound from the node's kolla directory
# ($LAB/nodes/NODE/kolla/COMPONENT, config.json for kolla_start) as
# kolla-ansible lays a cloud out.  stackhop itself creates, starts and
# checks them ("stackhop step", with the settings lab up writes): the lab
# brings the cloud up with the same runtime that upgrades it.  It starts
# on the zed-point image (Debian 12 as its point release shipped it): a
# Zed cloud as deployed, Keystone bootstrapped, placement and nova
# registered, cells v2 set up, every nova service running.
# Sourced by lab/lab.sh.
# shellcheck shell=sh

# The release the lab starts on (what "stackhop upgrade" then leaves).
CT_FROM=bookworm-point
# shellcheck disable=SC2034 # used by lab.sh (the settings' versions)
CT_TO=bookworm
# The components each controller runs, in start order.
CT_COMPONENTS="mariadb haproxy keepalived memcached rabbitmq keystone placement-api
nova-conductor nova-scheduler nova-api"

kolla_dir() { echo "$LAB/nodes/$1/kolla/$2"; }
# ct_name NODE COMPONENT: its container ("ctl1_nova_conductor").
ct_name() { echo "${1}_$(echo "$2" | tr - _)"; }

# ct_tag COMPONENT RELEASE: the version tag of COMPONENT in RELEASE's image
# (lab/mariadb:10.11.18-0_deb12u1).
ct_tag() {
	p=""
	for s in $IMAGE_SERVICES; do [ "${s%%:*}" != "$1" ] || p=${s#*:}; done
	[ -n "$p" ] || die "no image service '$1'"
	version_tag "$(rootfs_version "$2" "$p")"
}

# ct_version NODE COMPONENT: the tag its container is of, else the tag
# the lab starts on (a repair keeps what an upgrade left).
ct_version() {
	img=$(podman_cli "$PODMAN_DIR" container inspect --format '{{.ImageName}}' \
		"$(ct_name "$1" "$2")" 2>/dev/null || true)
	if [ -n "$img" ]; then echo "${img##*:}"; else ct_tag "$2" "$CT_FROM"; fi
}

ct_running() {
	[ "$(podman_cli "$PODMAN_DIR" container inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]
}

# ct_logs NAME: the last lines of a container's log, indented, on stderr.
ct_logs() {
	log "last lines of container $1:"
	podman_cli "$PODMAN_DIR" logs --tail 20 "$1" 2>&1 | sed 's/^/    /' >&2 || true
}

# st KIND [ARGS...]: one stackhop step on the lab, its output in
# $LAB/steps.log.  A failure shows the step's error and, when the step
# names a component and node, the last lines of that container's log.
st() {
	kind=$1
	shift
	echo "== step $kind $*" >>"$LAB/steps.log"
	if "$STACKHOP_BIN" step "$kind" -s "$LAB/settings.yaml" -i "$LAB/inventory" "$@" \
		>>"$LAB/steps.log" 2>"$LAB/step.err"; then
		cat "$LAB/step.err" >>"$LAB/steps.log"
		return 0
	fi
	cat "$LAB/step.err" >>"$LAB/steps.log"
	log "stackhop step $kind $*: failed:"
	sed 's/^/    /' "$LAB/step.err" >&2
	c="" n=""
	while [ $# -gt 0 ]; do
		case $1 in
		--component) c=$2; shift ;;
		--node) n=${2%%,*}; shift ;;
		esac
		shift
	done
	[ -z "$c" ] || [ -z "$n" ] || ct_logs "$(ct_name "$n" "$c")"
	return 1
}

# config_json COMMAND [SRC DEST OWNER PERM]...: kolla's config.json.
config_json() {
	cmd=$1
	shift
	files='[]'
	while [ $# -ge 4 ]; do
		files=$(printf '%s' "$files" | jq -c --arg s "/var/lib/kolla/config_files/$1" \
			--arg d "$2" --arg o "$3" --arg p "$4" '. + [{source: $s, dest: $d, owner: $o, perm: $p}]')
		shift 4
	done
	jq -n --arg c "$cmd" --argjson f "$files" '{command: $c, config_files: $f}'
}

# ct_configs NODE: the kolla directory of each of NODE's components.
ct_configs() {
	n=$1 a=$(node_addr "$1")
	for c in $CT_COMPONENTS; do mkdir -p "$(kolla_dir "$n" "$c")"; done
	mkdir -p "$LAB/nodes/$n/mariadb/data" "$LAB/nodes/$n/mariadb/run" \
		"$LAB/nodes/$n/rabbitmq/data" "$LAB/nodes/$n/haproxy/run"
	d=$(kolla_dir "$n" mariadb)
	printf "[mysqld]\nuser=mysql\n" >"$d/galera.cnf"
	galera_cnf "$n" >>"$d/galera.cnf"
	config_json mariadbd galera.cnf /etc/mysql/mariadb.conf.d/99-galera.cnf mysql:mysql 0600 |
		jq '. + {permissions: [{path: "/var/lib/mysql", owner: "mysql:mysql", recurse: true},
		                       {path: "/run/mysqld", owner: "mysql:mysql"}]}' >"$d/config.json"
	d=$(kolla_dir "$n" haproxy)
	haproxy_cfg "$n" /run/haproxy/admin.sock nova-api >"$d/haproxy.cfg"
	config_json "haproxy -db -f /etc/haproxy/haproxy.cfg" haproxy.cfg /etc/haproxy/haproxy.cfg \
		root:root 0644 >"$d/config.json"
	d=$(kolla_dir "$n" keepalived)
	i=0 prio=150
	for c in $CONTROLLERS; do
		[ "$c" = "$n" ] && prio=$((150 - i))
		i=$((i + 1))
	done
	keepalived_cfg "$n" "$prio" >"$d/keepalived.conf"
	config_json "keepalived -n -l -D -f /etc/keepalived/keepalived.conf" keepalived.conf \
		/etc/keepalived/keepalived.conf root:root 0644 >"$d/config.json"
	config_json "memcached -u memcache -l $a -p 11211 -U 0 -m 32" >"$(kolla_dir "$n" memcached)/config.json"
	d=$(kolla_dir "$n" rabbitmq)
	printf '%s\n' "NODENAME=$(rmq_name "$n")" "NODE_IP_ADDRESS=$a" "USE_LONGNAME=true" >"$d/rabbitmq-env.conf"
	rabbitmq_cfg "$n" /etc/rabbitmq/definitions.json >"$d/rabbitmq.conf"
	echo "[{kernel,[{net_ticktime,10}]}]." >"$d/advanced.config"
	secret rabbitmq_cookie | tr -d '\n' | write_private "$d/erlang.cookie"
	write_private "$d/definitions.json" <"$LAB/shared/rabbitmq-definitions.json"
	config_json "su rabbitmq -s /bin/sh -c 'exec /usr/lib/rabbitmq/bin/rabbitmq-server'" \
		rabbitmq-env.conf /etc/rabbitmq/rabbitmq-env.conf rabbitmq:rabbitmq 0644 \
		rabbitmq.conf /etc/rabbitmq/rabbitmq.conf rabbitmq:rabbitmq 0644 \
		advanced.config /etc/rabbitmq/advanced.config rabbitmq:rabbitmq 0644 \
		definitions.json /etc/rabbitmq/definitions.json rabbitmq:rabbitmq 0600 \
		erlang.cookie /var/lib/rabbitmq/.erlang.cookie rabbitmq:rabbitmq 0400 |
		jq '. + {permissions: [{path: "/var/lib/rabbitmq", owner: "rabbitmq:rabbitmq", recurse: true},
		                       {path: "/var/log/rabbitmq", owner: "rabbitmq:rabbitmq", recurse: true}]}' \
		>"$d/config.json"
	uwsgi="uwsgi --plugin python3 --processes 1 --threads 2 --die-on-term --need-app"
	d=$(kolla_dir "$n" keystone)
	keystone_cfg /etc/keystone | write_private "$d/keystone.conf"
	config_json "$uwsgi --http-socket $a:5000 --wsgi-file /usr/bin/keystone-wsgi-public" \
		keystone.conf /etc/keystone/keystone.conf root:root 0600 >"$d/config.json"
	d=$(kolla_dir "$n" placement-api)
	placement_cfg | write_private "$d/placement.conf"
	config_json "$uwsgi --http-socket $a:8778 --wsgi-file /usr/bin/placement-api" \
		placement.conf /etc/placement/placement.conf root:root 0600 >"$d/config.json"
	# Debian's nova-conductor and nova-scheduler packages are not in the
	# image (their systemd units): nova's entry points, as those run them.
	for c in nova-conductor nova-scheduler nova-api; do
		d=$(kolla_dir "$n" "$c")
		case $c in
		nova-api)
			nova_cfg "$n" /var/lib/nova /tmp api | write_private "$d/nova.conf"
			cmd="$uwsgi --http-socket $a:8774 --wsgi-file /usr/bin/nova-api-wsgi" ;;
		*)
			nova_cfg "$n" /var/lib/nova /tmp | write_private "$d/nova.conf"
			cmd="python3 -c 'import sys; from nova.cmd.${c#nova-} import main; sys.exit(main())'" ;;
		esac
		config_json "$cmd" nova.conf /etc/nova/nova.conf root:root 0600 >"$d/config.json"
	done
}

# ct_settings: the docker part of the lab's settings, on stdout.
ct_settings() {
	r="$LAB/shared/resolv.conf:/etc/resolv.conf:ro"
	curl_=' [curl, -sf, -o, /dev/null, --max-time, "3",'
	amqp_='[sh, -c, "ss -tnpH state established ( dport = :5672 ) | grep -q pid="]'
	cat <<EOF
docker:
  socket: $PODMAN_DIR/api.sock
  image: "localhost/lab/{component}:{version}"
  container: "{node}_{component}"
  network: "ns:/run/netns/$NS_PREFIX{node}"
  config_dir: $LAB/nodes/{node}/kolla/{component}
  stop_timeout: 30
  run_prefix: [sh, -c, 'kolla_start --set-configs && exec "\$@"', sh]
  volumes:
    mariadb: ["$LAB/nodes/{node}/mariadb/data:/var/lib/mysql", "$LAB/nodes/{node}/mariadb/run:/run/mysqld", "$r"]
    rabbitmq: ["$LAB/nodes/{node}/rabbitmq/data:/var/lib/rabbitmq", "$r"]
    haproxy: ["$LAB/nodes/{node}/haproxy/run:/run/haproxy", "$r"]
    keystone: ["$LAB/shared/fernet-keys:/etc/keystone/fernet-keys", "$LAB/shared/credential-keys:/etc/keystone/credential-keys", "$r"]
    placement-api: ["$r"]
    nova-api: ["$r"]
    nova-conductor: ["$r"]
    nova-scheduler: ["$r"]
  healthcheck:
    keystone:$curl_ "http://{address}:5000/v3"]
    placement-api:$curl_ "http://{address}:8778/"]
    nova-api:$curl_ "http://{address}:8774/"]
    nova-conductor: $amqp_
    nova-scheduler: $amqp_
  cap_add:
    keepalived: [NET_ADMIN, NET_BROADCAST, NET_RAW]
EOF
}

# ct_run_lab NODE NAME IMAGE BINDS CMD...: a container of the lab's own
# (clustercheck, the AMQP client: not services stackhop upgrades), created
# unless it exists, started unless it runs.
ct_run_lab() {
	n=$1 name=$2 img=$3 binds=$4
	shift 4
	ct_running "$name" && return 0
	if podman_cli "$PODMAN_DIR" container exists "$name"; then
		# Through the API: the service mounts its /dev/shm in its own
		# mount namespace (the CLI would in this one).
		podman_post "$PODMAN_DIR" "/containers/$name/start" >/dev/null
	else
		podman_run "$PODMAN_DIR" "$name" "$(ns_of "$n")" "$img" "$binds" "$@"
	fi
}

# The first controller's data directory, made as kolla's bootstrap
# container makes it: mariadb-install-db, then the lab's users and
# databases created offline (their passwords in a file of mode 0600 in
# the node's kolla directory, removed after).
ct_galera_install() {
	n=$(first_controller)
	[ -d "$LAB/nodes/$n/mariadb/data/mysql" ] && return 0
	d=$(kolla_dir "$n" mariadb)
	{
		echo "FLUSH PRIVILEGES;"
		galera_users_sql
	} | write_private "$d/init.sql"
	st container-run --node "$n" --component mariadb --to "$(ct_tag mariadb "$CT_FROM")" -- \
		sh -c 'mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null &&
			mariadbd --user=mysql --datadir=/var/lib/mysql --bootstrap --wsrep-on=OFF \
				</var/lib/kolla/config_files/init.sql' || { rm -f "$d/init.sql"; die "the Galera data directory of $n could not be made"; }
	rm -f "$d/init.sql"
}

ct_galera_up() {
	ct_galera_install
	first=$(first_controller)
	any=""
	for n in $CONTROLLERS; do ct_running "$(ct_name "$n" mariadb)" && any=$n; done
	[ -n "$any" ] || st galera-bootstrap --to "$(ct_version "$first" mariadb)" ||
		die "galera did not start on $first"
	for n in $CONTROLLERS; do
		st galera-join --node "$n" --to "$(ct_version "$n" mariadb)" || die "galera did not join on $n"
	done
	for n in $CONTROLLERS; do
		ct_run_lab "$n" "$(ct_name "$n" mariadb_clustercheck)" "localhost/lab/mariadb:$(release_name "$CT_FROM")" \
			"[\"$LAB_SRC/clustercheck.sh:/usr/local/bin/clustercheck.sh:ro\", \"$LAB/nodes/$n/mariadb/run:/run/mysqld\"]" \
			socat "TCP-LISTEN:9200,bind=$(node_addr "$n"),reuseaddr,fork" \
			"EXEC:sh /usr/local/bin/clustercheck.sh /run/mysqld"
	done
}

# ct_start COMPONENT [NODE...]: its container started (default: on every
# controller), on the version it was of, else the lab's first.
ct_start() {
	c=$1
	shift
	# shellcheck disable=SC2086 # the list is split into words on purpose
	[ $# -gt 0 ] || set -- $CONTROLLERS
	for n in "$@"; do
		st container-start --component "$c" --node "$n" --to "$(ct_version "$n" "$c")" ||
			die "$c did not start on $n"
	done
}

# ct_health COMPONENT: every controller's answers (kolla's health check).
ct_health() {
	st health-check --component "$1" --node "$(echo "$CONTROLLERS" | tr ' ' ',')" ||
		die "$1 is not healthy"
}

# ct_manage NODE COMPONENT CMD...: a management command in a one-off
# container of the component's image.
ct_manage() {
	n=$1 c=$2
	shift 2
	st container-run --node "$n" --component "$c" --to "$(ct_version "$n" "$c")" -- "$@"
}

ct_keystone_up() {
	first=$(first_controller)
	mkdir -p "$LAB/shared/fernet-keys" "$LAB/shared/credential-keys"
	chmod 700 "$LAB/shared/fernet-keys" "$LAB/shared/credential-keys"
	if [ ! -f "$LAB/shared/keystone.bootstrapped" ]; then
		d=$(kolla_dir "$first" keystone)
		ct_manage "$first" keystone keystone-manage db_sync || die "keystone db_sync failed"
		ct_manage "$first" keystone keystone-manage fernet_setup --keystone-user root \
			--keystone-group root || die "keystone fernet_setup failed"
		ct_manage "$first" keystone keystone-manage credential_setup --keystone-user root \
			--keystone-group root || die "keystone credential_setup failed"
		# The admin password through a private file and the environment,
		# never argv.
		secret keystone_admin_password | write_private "$d/bootstrap-password"
		# shellcheck disable=SC2016 # expanded in the container
		ct_manage "$first" keystone sh -c 'OS_BOOTSTRAP_PASSWORD=$(cat /var/lib/kolla/config_files/bootstrap-password) exec "$@"' sh \
			keystone-manage bootstrap --bootstrap-username admin \
			--bootstrap-project-name admin --bootstrap-role-name admin \
			--bootstrap-service-name keystone --bootstrap-region-id RegionOne \
			--bootstrap-admin-url "http://$VIP:5000/v3" \
			--bootstrap-public-url "http://$VIP:5000/v3" \
			--bootstrap-internal-url "http://$VIP:5000/v3" || { rm -f "$d/bootstrap-password"; die "keystone bootstrap failed"; }
		rm -f "$d/bootstrap-password"
		touch "$LAB/shared/keystone.bootstrapped"
	fi
	ct_start keystone
	ct_health keystone
}

ct_placement_up() {
	first=$(first_controller)
	if [ ! -f "$LAB/shared/placement.synced" ]; then
		ct_manage "$first" placement-api placement-manage db sync || die "placement-manage db sync failed"
		touch "$LAB/shared/placement.synced"
	fi
	st keystone-register --component placement-api --param user=placement --param type=placement \
		--param name=placement --param port=8778 || die "placement's Keystone registration failed"
	# The first controller's app syncs the standard traits alone (three at
	# once can conflict in InnoDB): the others after it answers.
	ct_start placement-api "$first"
	st health-check --component placement-api --node "$first" || die "placement is not healthy on $first"
	ct_start placement-api
	ct_health placement-api
}

ct_nova_up() {
	first=$(first_controller)
	if [ ! -f "$LAB/shared/nova.synced" ]; then
		ct_manage "$first" nova-conductor nova-manage api_db sync || die "nova-manage api_db sync failed"
		ct_manage "$first" nova-conductor nova-manage cell_v2 map_cell0 || die "nova-manage cell_v2 map_cell0 failed"
		# 2: cell1 is mapped already.
		rc=0
		ct_manage "$first" nova-conductor nova-manage cell_v2 create_cell --name=cell1 || rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 2 ] || die "nova-manage cell_v2 create_cell failed"
		ct_manage "$first" nova-conductor nova-manage db sync || die "nova-manage db sync failed"
		touch "$LAB/shared/nova.synced"
	fi
	st keystone-register --component nova-api --param user=nova --param type=compute \
		--param name=nova --param port=8774 --param path=/v2.1 || die "nova's Keystone registration failed"
	for c in nova-conductor nova-scheduler nova-api; do ct_start "$c"; done
	for c in nova-conductor nova-scheduler nova-api; do ct_health "$c"; done
}

ct_amqp_client_up() {
	for n in $CONTROLLERS; do
		ct_run_lab "$n" "$(ct_name "$n" amqp-client)" "localhost/lab/base:$(release_name "$CT_FROM")" \
			"[\"$LAB_SRC/amqp-client.py:/lab/amqp-client.py:ro\", \"$LAB/secrets.yaml:/lab/secrets.yaml:ro\"]" \
			python3 -u /lab/amqp-client.py "$(node_addr "$n")" /lab/secrets.yaml
	done
	for n in $CONTROLLERS; do
		wait_for 60 "the AMQP client on $n" ct_amqp_connected "$n" ||
			{ ct_logs "$(ct_name "$n" amqp-client)"; die "the AMQP client on $n did not connect"; }
	done
}
# The last line of its log says it is connected (the whole log: Podman's
# --tail of a short log can be a lone empty line).
ct_amqp_connected() {
	podman_cli "$PODMAN_DIR" logs "$(ct_name "$1" amqp-client)" 2>/dev/null | grep . | tail -1 |
		grep -q "^connected"
}

ct_services_up() {
	rabbitmq_definitions
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$LAB/shared/resolv.conf"
	: >"$LAB/steps.log"
	for n in $CONTROLLERS; do ct_configs "$n"; done
	ct_galera_up
	stage "galera: $(echo "$CONTROLLERS" | wc -w) containers Synced, clustercheck"
	ct_start haproxy
	ct_start keepalived
	wait_for 30 "the VIP" vip_holder || die "nobody took the VIP $VIP"
	wait_for 60 "SQL through the VIP" vip_sql "SELECT 1" || die "no SQL through the VIP"
	stage "haproxy, keepalived: SQL through the VIP"
	ct_start memcached
	for n in $CONTROLLERS; do
		st rabbitmq-start --node "$n" --to "$(ct_version "$n" rabbitmq)" --state "$LAB/shared/rabbitmq-state" ||
			die "rabbitmq did not start on $n"
	done
	st rabbitmq-validate --state "$LAB/shared/rabbitmq-state" --reconnect-timeout 0 || die "the rabbitmq cluster is not whole"
	stage "memcached, rabbitmq: clustered"
	ct_keystone_up
	stage "keystone: bootstrapped, a token through the VIP"
	ct_placement_up
	stage "placement: registered, every controller answers"
	ct_nova_up
	stage "nova: cells v2, conductor, scheduler and API on every controller"
	ct_amqp_client_up
	stage "amqp-client: one connection per node"
	instance_up
	wait_for 10 "the instance's floating IP" instance_healthy || die "the instance does not answer"
	stage "instance: floating IP answers"
}

# Every container of the lab's nodes, Galera's last (the first
# controller's very last: its grastate is then safe to bootstrap from),
# then removed; the data stays in the nodes' directories.
ct_services_down() {
	podman_alive "$PODMAN_DIR" || return 0
	names=$(podman_cli "$PODMAN_DIR" ps -a --format '{{.Names}}' 2>/dev/null) || return 0
	mine=""
	for n in $(all_nodes); do
		mine="$mine $(echo "$names" | grep "^${n}_" || true)"
	done
	mine="$mine $(echo "$names" | grep "^stackhop_run_" || true)"
	first=$(first_controller)
	others="" joiners=""
	for c in $mine; do
		case $c in
		*_mariadb) [ "$c" = "$(ct_name "$first" mariadb)" ] || joiners="$joiners $c" ;;
		*) others="$others $c" ;;
		esac
	done
	# One call for many: Podman stops them at once.
	# shellcheck disable=SC2086 # one word per container
	[ -z "$others" ] || podman_cli "$PODMAN_DIR" stop -i -t 10 $others >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	[ -z "$joiners" ] || podman_cli "$PODMAN_DIR" stop -i -t 30 $joiners >/dev/null 2>&1 || true
	podman_cli "$PODMAN_DIR" stop -i -t 30 "$(ct_name "$first" mariadb)" >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	[ -z "${mine# }" ] || podman_cli "$PODMAN_DIR" rm -f -i $mine >/dev/null 2>&1 || true
}

# ct_status: each controller's containers as the Docker API lists them
# (GET /containers/json): image, state, health.
ct_status() {
	vh=$(vip_holder || true)
	printf '%-6s %-26s %-42s %s\n' NODE CONTAINER IMAGE STATE
	podman_api "$PODMAN_DIR" '/containers/json?all=true' |
		jq -r '.[] | "\(.Names[0] | ltrimstr("/")) \(.Image | ltrimstr("localhost/")) \(.State) \(.Status)"' |
		sort >"$LAB/containers.list"
	for n in $(all_nodes); do
		if alive "$n" sshd && lab_ssh "$n" true 2>/dev/null; then h=ok; else h=DOWN; fi
		printf '%-6s %-26s %-42s %s\n' "$n" sshd "(process)" "$h"
		while read -r name image state status; do
			case $name in "${n}_"*) ;; *) continue ;; esac
			printf '%-6s %-26s %-42s %s\n' "$n" "$name" "$image" "$state ($status)"
		done <"$LAB/containers.list"
	done
	rm -f "$LAB/containers.list"
	for n in $CONTROLLERS; do
		s_=$(galera_sql "$n" -e \
			"SHOW STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size')" \
			2>/dev/null | cut -f2 | tr '\n' ' ')
		printf 'galera on %s: %s\n' "$n" "${s_:-not answering}"
	done
	printf '%-6s %-26s %-42s %s\n' inst1 instance "-" \
		"$(instance_healthy && echo "ok (floating IP $FIP: ICMP and TCP echo)" || echo DOWN)"
	printf 'VIP %s on %s\n' "$VIP" "${vh:-nobody}"
}

