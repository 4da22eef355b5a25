#!/bin/sh
# t0620-lab-docker.sh - the containerized lab (lab up --runtime docker):
# every controller service a container of the zed-point release image in
# its node's network namespace, listed by the Docker API, created and
# started by stackhop's own steps; then the minor update (Debian 12's
# point release to its updates: MariaDB 10.11.18 -> 10.11.19, HAProxy,
# memcached, Keystone and nova patch levels) through the docker runtime
# end to end, the journal naming each container and image before and
# after and the prober seeing no failed request through the VIP; HAProxy
# moved back by the vip-move mode (keepalived's drain in its container);
# lab down leaves no container.  Needs root.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/lab.sh
. "$(dirname "$0")/../lib/lab.sh"
# shellcheck source=lab/podman.sh
. "$(dirname "$0")/../../lab/podman.sh"

PM=$LABDIR/podman
COMPONENTS="mariadb haproxy keepalived memcached rabbitmq keystone placement-api nova-conductor
nova-scheduler nova-api"
export PM COMPONENTS

# tag COMPONENT RELEASE: the version tag of its package in the release
# image (what lab images prints).
tag() {
	pkg=$(case $1 in
		mariadb) echo mariadb-server ;; rabbitmq) echo rabbitmq-server ;;
		keystone) echo python3-keystone ;; placement-api) echo python3-placement ;;
		nova-*) echo python3-nova ;; *) echo "$1" ;;
	esac)
	awk -v p="$pkg" '$1 == p { print $2 }' "$LABDIR/cache/rootfs/$2/installed" |
		sed 's/^[0-9]*://' | tr '+~' '__'
}
probe_start() {
	name=$1
	shift
	$STACKHOP probe -s "$S" --quiet --out "$TRASH/$name.json" "$@" >"$TRASH/$name.probe" 2>&1 &
	probe_pid=$!
	# (No wait: it samples within milliseconds; the run checks health
	# and backs the database up for seconds before it changes anything.)
}
probe_stop() {
	kill -TERM "$probe_pid"
	wait "$probe_pid" || true
}
# The containers the Docker API lists: name, image, state.
api_containers() {
	curl -sf --unix-socket "$PM/api.sock" "http://localhost/v1.41/containers/json?all=true" |
		jq -r '.[] | "\(.Names[0] | ltrimstr("/")) \(.Image) \(.State)"' | sort
}

test_expect_success 'lab up --runtime docker: every controller service a container of the zed-point image in its node namespace, listed by the Docker API' '
	s=$(date +%s.%N)
	$STACKHOP lab up --runtime docker >"$TRASH/up.out" 2>"$TRASH/up.err" ||
		{ cat "$TRASH/up.err"; false; }
	e=$(date +%s.%N)
	echo "     lab up --runtime docker (images cached): $(echo "$e - $s" | bc) s" >&3
	sed -n "s/^lab: /     /p" "$TRASH/up.err" | grep " s$" >&3
	grep -q "^runtime: docker$" "$S"
	api_containers >"$TRASH/api"
	for n in ctl1 ctl2 ctl3; do
		for c in $COMPONENTS; do
			name=${n}_$(echo "$c" | tr - _)
			grep -q "^$name localhost/lab/$c:$(tag "$c" bookworm-point) running$" "$TRASH/api" ||
				{ echo "no $name of the zed-point image running"; cat "$TRASH/api"; false; }
			# In the node s network namespace, its configuration bound
			# from the node s kolla directory.
			pid=$(podman_cli "$PM" inspect --format "{{.State.Pid}}" "$name")
			[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/shlab-$n")" ]
			podman_cli "$PM" inspect --format "{{range .HostConfig.Binds}}{{println .}}{{end}}" "$name" |
				grep -q "^$LABDIR/nodes/$n/kolla/$c:/var/lib/kolla/config_files:ro\(,\|$\)"
		done
	done
	# The status shows them, with the same images.
	$STACKHOP lab status >"$TRASH/status"
	grep -q "^ctl2 *ctl2_nova_scheduler *lab/nova-scheduler:$(tag nova-scheduler bookworm-point) *running" "$TRASH/status"
	grep -q "^galera on ctl3: Synced 3" "$TRASH/status"
	test_lacks DOWN "$TRASH/status"
'

test_expect_success 'the containerized Zed cloud works: SQL, a token, Placement and the nova API through the VIP, nova services registered' '
	[ "$(vip_sql "SHOW STATUS LIKE '"'"'wsrep_cluster_size'"'"'" | cut -f2)" = 3 ]
	tok=$(token admin admin keystone_admin_password)
	[ -n "$tok" ]
	curl -sf -H "X-Auth-Token: $tok" "http://$VIP:8778/resource_providers" | jq -e ".resource_providers | length == 0"
	curl -sf -H "X-Auth-Token: $tok" "http://$VIP:8774/v2.1/servers" | jq -e ".servers | length == 0"
	# Every conductor and scheduler reports itself up (nova.services).
	vip_sql "SELECT host, \`binary\` FROM nova.services WHERE deleted = 0 ORDER BY host, \`binary\`" >"$TRASH/svcs"
	for n in ctl1 ctl2 ctl3; do
		grep -q "^$n	nova-conductor$" "$TRASH/svcs"
		grep -q "^$n	nova-scheduler$" "$TRASH/svcs"
	done
	# Cells v2 as a Zed cloud has them: cell0 and cell1 mapped.
	[ "$(vip_sql "SELECT name FROM nova_api.cell_mappings ORDER BY name" | tr "\n" " ")" = "cell0 cell1 " ]
'

test_expect_success 'the minor update through the docker runtime: each container replaced by one of the updated image, the journal naming both, 0 failed requests through the VIP' '
	J=$TRASH/lab.journal
	probe_start up --target "http://$VIP:8778/"
	$STACKHOP upgrade -i "$LABDIR/inventory" -s "$S" --from zed --to 2023.1 --yes --no-probe \
		--journal "$J" >"$TRASH/up.log" 2>&1 || { probe_stop; tail -30 "$TRASH/up.log"; false; }
	probe_stop
	$STACKHOP status --journal "$J" --format json >"$TRASH/st.json"
	jq -e "[.steps[] | select(.state != \"done\")] | length == 0" "$TRASH/st.json"
	api_containers >"$TRASH/api2"
	for n in ctl1 ctl2 ctl3; do
		for c in mariadb haproxy memcached keystone nova-conductor nova-scheduler nova-api; do
			name=${n}_$(echo "$c" | tr - _)
			grep -q "^$name localhost/lab/$c:$(tag "$c" bookworm) running$" "$TRASH/api2" ||
				{ echo "$name is not of the updated image"; cat "$TRASH/api2"; false; }
		done
	done
	# Each OpenStack container: removed (its ID and image), then a new one
	# of the new image (its ID and image), in the journal.
	for c in keystone nova-api; do
		old=$(tag "$c" bookworm-point) new=$(tag "$c" bookworm)
		for n in ctl1 ctl2 ctl3; do
			name=${n}_$(echo "$c" | tr - _)
			jq -r ".steps[] | select(.kind == \"container-remove\" and (.targets | index(\"$n\"))) | .tail" "$TRASH/st.json" |
				grep -o "removed the container $name [0-9a-f]* (image localhost/lab/$c:$old [0-9a-f]*)" >"$TRASH/rm"
			jq -r ".steps[] | select(.kind == \"container-start\" and (.targets | index(\"$n\"))) | .tail" "$TRASH/st.json" |
				grep -o "$n: container $name [0-9a-f]*, image localhost/lab/$c:$new [0-9a-f]*" >"$TRASH/start"
			[ "$(wc -l <"$TRASH/rm")" = 1 ] && [ "$(wc -l <"$TRASH/start")" = 1 ]
			[ "$(cut -d" " -f5 "$TRASH/rm")" != "$(cut -d" " -f4 "$TRASH/start" | tr -d ,)" ]
			[ "$(cut -d" " -f4 "$TRASH/start" | tr -d ,)" = "$(podman_cli "$PM" inspect --format "{{.Id}}" "$name" | cut -c1-12)" ]
		done
		echo "     $(cat "$TRASH/rm") -> $(cat "$TRASH/start")" >&3
	done
	# The Galera rolling upgrade and the RabbitMQ full-stop ran on the
	# containers too.
	jq -e "[.steps[] | select(.kind == \"galera-node-upgrade\" or .kind == \"rabbitmq-wipe\" or .kind == \"rabbitmq-import\")] | length == 5 and all(.state == \"done\")" "$TRASH/st.json"
	[ "$(vip_sql "SELECT name FROM nova_api.cell_mappings ORDER BY name" | tr "\n" " ")" = "cell0 cell1 " ]
	echo "     minor update ($(jq ".steps | length" "$TRASH/st.json") steps): $(jq -r "[.targets[] | select(.target == \"http://$VIP:5000/v3\" or .target == \"http://$VIP:8778/\" or .target == \"sql:$VIP:3306\") | \"\(.target): \(.samples) samples, \(.failures) failed\"] | join(\"; \")" "$TRASH/up.json")" >&3
	grep "steps done in" "$TRASH/up.log" | sed "s/^/     /" >&3
	for t in "http://$VIP:5000/v3" "http://$VIP:8778/" "sql:$VIP:3306"; do
		jq -e ".targets[] | select(.target == \"$t\") | .samples > 100 and .failures == 0" "$TRASH/up.json"
	done
	test_lacks "$(secret rabbitmq_password)\|$(secret nova_db_password)\|$(secret keystone_admin_password)" "$TRASH/up.log" "$J"
'

test_expect_success 'HAProxy vip-move mode back to the zed-point image: keepalived drained in its container, the holder last' '
	holder=$(vip_holder)
	old=$(tag haproxy bookworm-point)
	$STACKHOP haproxy upgrade -s "$S" --to "$old" --mode vip-move >"$TRASH/hapm.out" 2>&1 ||
		{ cat "$TRASH/hapm.out"; false; }
	api_containers >"$TRASH/api3"
	for n in ctl1 ctl2 ctl3; do
		grep -q "^${n}_haproxy localhost/lab/haproxy:$old running$" "$TRASH/api3"
	done
	grep -q "$holder: give the VIP away" "$TRASH/hapm.out"
	grep -q "$holder: VIP moved to ctl" "$TRASH/hapm.out"
	[ "$(vip_holder | wc -l)" = 1 ]
	[ "$(vip_holder)" != "$holder" ]
	# The drain changed the container s copy only: the node s file and
	# the restarted container s copy have the priority they had.
	grep -q "^    priority 1[45][0-9]$" "$LABDIR/nodes/$holder/kolla/keepalived/keepalived.conf"
	podman_cli "$PM" exec "${holder}_keepalived" grep -q "^    priority 1[45][0-9]$" /etc/keepalived/keepalived.conf
'

test_expect_success 'lab down removes every container of the lab and its namespaces' '
	$STACKHOP lab down >/dev/null 2>&1
	podman_start "$PM"
	podman_cli "$PM" ps -a --format "{{.Names}}" >"$TRASH/left"
	podman_stop "$PM"
	test_lacks "^ctl\|^cmp\|^net\|^stackhop_run_" "$TRASH/left"
	if ip netns list | grep shlab-; then false; fi
	[ -d "$LABDIR/cache/rootfs" ]
'

test_done
