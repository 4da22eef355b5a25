#!/bin/sh
# t0400-lab.sh - the lab (stackhop lab up: every controller service a
# container of the zed-point release image in its node's network
# namespace, created and started by stackhop's own steps through the
# Podman service's Docker API) and everything stackhop does on it, for
# real, on one bring-up:
# - the lab: the Docker API lists every container with its image; Galera
#   Synced through the VIP, clustercheck taking a node out of HAProxy,
#   Keystone, Placement and the nova API answering, RabbitMQ clustered,
#   ssh to every node, the floating IP, a VIP failover and lab up's repair;
# - the infrastructure procedures: health checks, Galera's verified backup
#   and restore, its rolling upgrade under the prober, recovery after
#   SIGKILL of every server, the new-cluster procedure, RabbitMQ's
#   full-stop, HAProxy's seamless reload and vip-move (keepalived drained
#   in its container), "stackhop upgrade" on the infrastructure plan
#   killed and resumed, Keystone registrations;
# - the minor update (Debian 12's point release to its updates: MariaDB
#   10.11.18 -> 10.11.19, HAProxy, memcached, Keystone, Placement and nova
#   patch levels) through the docker runtime end to end, the journal
#   naming each container and image before and after, the prober seeing
#   no failed request through the VIP;
# - lab down leaving nothing behind.
# Needs root.  Measurements (durations, downtime) go to fd 3.  The lab is
# taken down at the end even when a test fails.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/lab.sh
. "$(dirname "$0")/../lib/lab.sh"

COMPONENTS="mariadb haproxy keepalived memcached rabbitmq keystone placement-api nova-conductor
nova-scheduler nova-api"
export COMPONENTS

# node_sql NODE SQL: on NODE's server, by the socket its container binds.
node_sql() { mariadb -S "$LABDIR/nodes/$1/mariadb/run/mysqld.sock" -N -B -e "$2"; }

test_expect_success 'lab up: every controller service a container of the zed-point image in its node namespace, listed by the Docker API' '
	s=$(date +%s.%N)
	$STACKHOP lab up >"$TRASH/up.out" 2>"$TRASH/up.err" || { cat "$TRASH/up.err"; false; }
	e=$(date +%s.%N)
	echo "     lab up (release images built or reused from the cache): $(echo "$e - $s" | bc) s" >&3
	sed -n "s/^lab: /     /p" "$TRASH/up.err" | grep " s$" >&3
	grep -q "^inventory: $LABDIR/inventory" "$TRASH/up.out"
	[ "$(stat -c %a "$LABDIR/secrets.yaml")" = 600 ]
	grep -q "^runtime: docker$" "$S"
	api_containers >"$TRASH/api"
	for n in ctl1 ctl2 ctl3; do
		for c in $COMPONENTS; do
			name=$(ctr $n "$c")
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

MDB_OLD=$(tag mariadb bookworm-point)
MDB_NEW=$(tag mariadb bookworm)
HAP_OLD=$(tag haproxy bookworm-point)
HAP_NEW=$(tag haproxy bookworm)
RMQ=$(tag rabbitmq bookworm)
export MDB_OLD MDB_NEW HAP_OLD HAP_NEW RMQ
echo "     images: mariadb $MDB_OLD -> $MDB_NEW, haproxy $HAP_OLD -> $HAP_NEW, rabbitmq $RMQ" >&3

test_expect_success 'through the VIP: Galera cluster size 3; galera status: every node Synced on the older MariaDB' '
	$STACKHOP galera status -s "$S" >"$TRASH/st"
	[ "$(grep -c " Synced  *Primary  *3 $MDB_OLD\$" "$TRASH/st")" = 3 ]
	[ "$(vip_sql "SHOW STATUS LIKE '"'"'wsrep_cluster_size'"'"'" | cut -f2)" = 3 ]
	for n in ctl1 ctl2 ctl3; do
		[ "$(node_sql $n "SHOW STATUS LIKE '"'"'wsrep_local_state_comment'"'"'" | cut -f2)" = Synced ]
	done
'

test_expect_success 'clustercheck: 503 while clustercheck.disabled exists, HAProxy fails over to a backup' '
	d="$LABDIR/nodes/ctl1/mariadb/run"
	[ "$(curl -s -o /dev/null -w "%{http_code}" http://10.231.0.11:9200/)" = 200 ]
	touch "$d/clustercheck.disabled"
	[ "$(curl -s -o /dev/null -w "%{http_code}" http://10.231.0.11:9200/)" = 503 ]
	# HAProxy marks it down after two failed checks, 1 s apart.
	served_by() { [ "$(vip_sql "SELECT @@wsrep_node_name")" = "$1" ]; }
	not_served_by() { if served_by "$1"; then return 1; fi; }
	test_wait_for 30 not_served_by ctl1
	rm -f "$d/clustercheck.disabled"
	[ "$(curl -s -o /dev/null -w "%{http_code}" http://10.231.0.11:9200/)" = 200 ]
	test_wait_for 30 served_by ctl1
'

test_expect_success 'the Zed cloud works: an admin token, Placement and the nova API through the VIP, nova services registered' '
	code=$(printf "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, \"password\": \"%s\"}}}, \"scope\": {\"project\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}}}}}" \
		"$(secret keystone_admin_password)" | curl -s -o "$TRASH/token.json" -D "$TRASH/headers" -w "%{http_code}" \
		-H "Content-Type: application/json" -d @- http://$VIP:5000/v3/auth/tokens)
	[ "$code" = 201 ]
	jq -e ".token.roles | map(.name) | index(\"admin\")" "$TRASH/token.json"
	tok=$(sed -n "s/^X-Subject-Token: *//Ip" "$TRASH/headers" | tr -d "\r")
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

test_expect_success 'rabbitmqctl cluster_status: 3 running nodes, no partitions, ha-all policy' '
	for n in ctl1 ctl3; do
		rmqctl $n cluster_status --formatter json >"$TRASH/rmq.json"
		jq -e "(.running_nodes | length) == 3 and (.partitions | length) == 0" "$TRASH/rmq.json"
	done
	rmqctl ctl2 list_policies --formatter json | jq -e ".[] | select(.name == \"ha-all\")"
'

test_expect_success 'stackhop exec over ssh: every lab node answers with its own address' '
	$STACKHOP exec -i "$LABDIR/inventory" -s "$LABDIR/settings.yaml" -- \
		sh -c "ip -4 -o addr show dev eth0 | awk \"{print \\\$4}\"" >"$TRASH/addrs"
	grep -q "^5 hosts, 0 failed" "$TRASH/addrs"
	for n in ctl1 ctl2 ctl3 cmp1 net1; do
		addr=$(sed -n "s/^$n ansible_host=//p" "$LABDIR/inventory")
		awk -v n="$n" "/^== / { h = \$2 } h == n\":\" { print }" "$TRASH/addrs" | grep -q "^$addr/24"
	done
'

test_expect_success 'the floating IP answers ICMP and TCP from the root namespace' '
	ping -c 2 -W 2 $FIP >/dev/null
	[ "$(echo hello | timeout 5 socat -t1 - TCP:$FIP:7)" = hello ]
'

test_expect_success 'stopping the keepalived master moves the VIP, SQL through it keeps working; lab up repairs' '
	old=$(vip_holder)
	[ -n "$old" ]
	vip_sql "CREATE DATABASE IF NOT EXISTS labtest; CREATE TABLE IF NOT EXISTS labtest.t (i INT PRIMARY KEY AUTO_INCREMENT, v INT)"
	s=$(date +%s.%N)
	api_stop "$(ctr "$old" keepalived)" &
	stopper=$!
	i=0
	until new=$(vip_holder) && [ -n "$new" ] && [ "$new" != "$old" ]; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "the VIP did not move in 10 s"; false; }
	done
	e=$(date +%s.%N)
	wait $stopper
	vip_sql "INSERT INTO labtest.t (v) VALUES (1)"
	[ "$(vip_sql "SELECT COUNT(*) FROM labtest.t")" -ge 1 ]
	echo "     VIP moved from $old to $new in $(echo "$e - $s" | bc) s; SQL through it works" >&3
	# lab up repairs: keepalived back on $old; one holder of the VIP.
	s=$(date +%s.%N)
	$STACKHOP lab up >/dev/null 2>"$TRASH/repair.err" || { cat "$TRASH/repair.err"; false; }
	e=$(date +%s.%N)
	echo "     lab up on the running lab (a repair): $(echo "$e - $s" | bc) s" >&3
	api_containers | grep -q "^$(ctr "$old" keepalived) localhost/lab/keepalived:.* running$"
	one_holder() { [ "$(vip_holder | wc -l)" = 1 ]; }
	test_wait_for 30 one_holder
	vip_sql "DROP DATABASE labtest"
'

test_expect_success 'check: Success for galera, haproxy, rabbitmq and keystone on a healthy lab' '
	$STACKHOP check -s "$S" >"$TRASH/check.out"
	[ "$(grep -c "^| Result: Success" "$TRASH/check.out")" = 4 ]
	grep -q "^| Check: galera" "$TRASH/check.out"
	$STACKHOP check -s "$S" --component keystone --format json >"$TRASH/check.json"
	jq -e ".code == 0 and .checks[0].details == \"http://$VIP:5000/v3 answers and issues a token to admin\"" "$TRASH/check.json"
'

test_expect_success 'check: Failure, exit 2, naming the Galera node that is stopped' '
	api_stop ctl2_mariadb
	set +e; $STACKHOP check -s "$S" --component galera >"$TRASH/check.out"; rc=$?; set -e
	$STACKHOP galera recover -s "$S" >/dev/null
	test "$rc" = 2
	grep -q "^| Result: Failure" "$TRASH/check.out"
	tr -d "|\n" <"$TRASH/check.out" | tr -s " " | grep -q "ctl2 is down"
	$STACKHOP check -s "$S" --component galera >/dev/null
'

test_expect_success 'backup: dumped through the VIP, restored into a scratch mysqld and compared; mode 0600' '
	vip_sql "CREATE DATABASE keep; CREATE TABLE keep.t (id INT PRIMARY KEY, v TEXT);
		INSERT INTO keep.t VALUES (1, \"one\"), (2, \"two\"), (3, \"three\");
		CREATE PROCEDURE keep.p() SELECT 1;"
	$STACKHOP galera backup -s "$S" --file "$TRASH/b.sql" >"$TRASH/b.out"
	grep -q "verify: [0-9]* tables equal in rows and CHECKSUM TABLE" "$TRASH/b.out"
	grep -q "verified$" "$TRASH/b.out"
	[ "$(stat -c %a "$TRASH/b.sql")" = 600 ]
	(cd "$TRASH" && sha256sum -c b.sql.sha256)
	grep -q "^CREATE USER IF NOT EXISTS .stackhop.@.%. IDENTIFIED BY PASSWORD" "$TRASH/b.sql"
	test_lacks "root.@.localhost" "$TRASH/b.sql"
	test_lacks "$(secret database_password)" "$TRASH/b.sql" "$TRASH/b.out"
	test_path_missing "$TRASH"/b.sql.tmp
'

test_expect_success 'verification catches a corrupted dump: checksum, truncation, a missing table' '
	head -c 20000 "$TRASH/b.sql" >"$TRASH/c1.sql"
	cp "$TRASH/b.sql.sha256" "$TRASH/c1.sql.sha256"
	expect_fail 1 $STACKHOP galera verify -s "$S" --file "$TRASH/c1.sql"
	grep_err "does not match its checksum"
	(cd "$TRASH" && sha256sum c1.sql >c1.sql.sha256)
	expect_fail 1 $STACKHOP galera verify -s "$S" --file "$TRASH/c1.sql"
	grep_err "does not end with mariadb-dump.s completion line: it is truncated"
	# Cut at a statement boundary with the completion line put back: only
	# the restore and the comparison can tell.
	head -c 20000 "$TRASH/b.sql" | sed "\$d" >"$TRASH/c2.sql"
	tail -1 "$TRASH/b.sql" >>"$TRASH/c2.sql"
	(cd "$TRASH" && sha256sum c2.sql >c2.sql.sha256)
	expect_fail 1 $STACKHOP galera verify -s "$S" --file "$TRASH/c2.sql"
	grep_err "backup .*c2.sql. lacks table\|restores with"
	expect_fail 1 $STACKHOP galera restore -s "$S" --file "$TRASH/c1.sql"
	grep_err "truncated: refusing to restore it"
'

test_expect_success 'verify of an intact backup on a cloud that wrote since (nova s heartbeats, a row changed): it passes, naming what changed' '
	vip_sql "UPDATE keep.t SET v = \"uno\" WHERE id = 1"
	$STACKHOP galera verify -s "$S" --file "$TRASH/b.sql" >"$TRASH/v.out"
	grep -q "verify: [0-9]* tables equal to the cluster now in rows and CHECKSUM TABLE, [1-9][0-9]* changed since the backup (present)" "$TRASH/v.out"
	vip_sql "UPDATE keep.t SET v = \"one\" WHERE id = 1"
	echo "     $(grep "verify: [0-9]* tables" "$TRASH/v.out" | sed "s/^\[[^]]*\] //")" >&3
'

test_expect_success 'a dump corrupted before its verification fails the backup and its plan step; nothing is kept' '
	expect_fail 1 env STACKHOP_FAULT_TRUNCATE=backup:20000 $STACKHOP galera backup -s "$S" --file "$TRASH/bad.sql"
	grep_err "does not end with mariadb-dump.s completion line: it is truncated"
	test_path_missing "$TRASH"/bad.sql*
	expect_fail 1 env STACKHOP_FAULT_TRUNCATE=backup:20000 $STACKHOP step db-backup -s "$S" \
		--state "$TRASH/state" --id hop1/db-backup
	grep_err "it is truncated"
	[ -z "$(ls -A "$TRASH/state")" ]
	[ "$(stat -c %a "$TRASH/state")" = 700 ]
'

test_expect_success 'rolling upgrade of MariaDB (10.11.18 -> 10.11.19) under the prober: 0 failed SQL queries' '
	rolling_upgrade
'

test_expect_success 'rolling upgrade again: every node already runs it, nothing is stopped' '
	$STACKHOP galera upgrade -s "$S" --to "$MDB_NEW" >"$TRASH/roll2.out"
	[ "$(grep -c "already runs $MDB_NEW" "$TRASH/roll2.out")" = 3 ]
	test_lacks "stop" "$TRASH/roll2.out"
'

test_expect_success 'SIGKILL of every mysqld after committed inserts: recover brings 3/3 Synced, no row lost' '
	vip_sql "CREATE TABLE keep.crash (id INT AUTO_INCREMENT PRIMARY KEY, v INT)"
	for i in $(seq 1 200); do echo "INSERT INTO keep.crash (v) VALUES ($i);"; done >"$TRASH/ins.sql"
	vip_sql "source $TRASH/ins.sql"
	before=$(vip_sql "SELECT COUNT(*), SUM(v) FROM keep.crash")
	for n in ctl1 ctl2 ctl3; do api_kill "${n}_mariadb"; done
	test_must_fail vip_sql "SELECT 1" 2>/dev/null
	s=$(date +%s.%N)
	$STACKHOP galera recover -s "$S" >"$TRASH/rec.out"
	e=$(date +%s.%N)
	grep -q "from --wsrep-recover" "$TRASH/rec.out"
	grep -q "^\[.*\] bootstrap from ctl.: ctl. has the highest seqno" "$TRASH/rec.out"
	[ "$(vip_sql "SELECT COUNT(*), SUM(v) FROM keep.crash")" = "$before" ]
	$STACKHOP galera status -s "$S" >"$TRASH/st"
	[ "$(grep -c " Synced  *Primary  *3 " "$TRASH/st")" = 3 ]
	echo "     recover after SIGKILL of 3 mysqld: $(echo "$e - $s" | bc) s (rows: $before)" >&3
	grep "bootstrap from" "$TRASH/rec.out" | sed "s/^\[[^]]*\] /       /" >&3
'

test_expect_success 'recover with one node down joins it to the running primary' '
	api_kill ctl3_mariadb
	$STACKHOP galera recover -s "$S" >"$TRASH/rec2.out"
	grep -q "is in a primary component: the stopped nodes join it" "$TRASH/rec2.out"
	test_lacks "wsrep-recover" "$TRASH/rec2.out"
'

test_expect_success 'new-cluster procedure: every node back Synced, the data kept, downtime measured' '
	probe_start nc
	$STACKHOP galera upgrade -s "$S" --to "$MDB_NEW" --mode new-cluster >"$TRASH/nc.out" ||
		{ probe_stop; cat "$TRASH/nc.out"; false; }
	probe_stop
	grep -q "^control-plane downtime (SQL through the VIP): [0-9.]* s$" "$TRASH/nc.out"
	[ "$(vip_sql "SELECT COUNT(*) FROM keep.t")" = 3 ]
	$STACKHOP galera status -s "$S" >"$TRASH/st"
	[ "$(grep -c " Synced  *Primary  *3 $MDB_NEW\$" "$TRASH/st")" = 3 ]
	echo "     new-cluster: $(grep "^control-plane downtime" "$TRASH/nc.out"); prober: $(jq -r ".targets[] | select(.target == \"sql:$VIP:3306\") | \"longest SQL outage \(.longest) s, \(.failures) of \(.samples) failed\"" "$TRASH/nc.json")" >&3
'

test_expect_success 'restore: a dropped database comes back from the verified backup' '
	vip_sql "DROP DATABASE keep"
	$STACKHOP galera restore -s "$S" --file "$TRASH/b.sql" >"$TRASH/r.out"
	[ "$(vip_sql "SELECT GROUP_CONCAT(v ORDER BY id) FROM keep.t")" = "one,two,three" ]
	vip_sql "CALL keep.p()" >/dev/null
	for n in ctl1 ctl2 ctl3; do
		[ "$(node_sql $n "SELECT COUNT(*) FROM keep.t")" = 3 ]
	done
'

test_expect_success 'RabbitMQ full-stop: definitions survive the mnesia wipe, 3 running, no partitions' '
	rmqctl ctl1 add_vhost /survive >/dev/null
	rmqctl ctl1 add_user survivor "S3cret-for-the-test" >/dev/null
	rmqctl ctl1 set_permissions -p /survive survivor ".*" ".*" ".*" >/dev/null
	rmqctl ctl1 set_policy -p /survive keep-me "^keep" "{\"max-length\": 10}" >/dev/null
	# The AMQP clients of the lab, one per node, do not reconnect by
	# themselves (nova s services do).
	before=$(rmqctl ctl1 eval "length(rabbit_networking:connections()).")
	[ "$before" -ge 3 ]
	probe_start rmq
	$STACKHOP rabbitmq upgrade -s "$S" --to "$RMQ" --mode full-stop --reconnect-timeout 10 \
		--definitions "$TRASH/defs.json" >"$TRASH/rmq.out" || { probe_stop; cat "$TRASH/rmq.out"; false; }
	probe_stop
	grep -q "of $before client connections back; restart the clients: amqp-client" "$TRASH/rmq.out"
	[ "$(grep -c ": amqp-client restarted" "$TRASH/rmq.out")" = 3 ]
	grep -q "clients reconnected after their restart: $before connections" "$TRASH/rmq.out"
	[ "$(rmqctl ctl2 eval "length(rabbit_networking:connections()).")" -ge "$before" ]
	[ "$(stat -c %a "$TRASH/defs.json")" = 600 ]
	grep -q "mnesia removed on 3 nodes" "$TRASH/rmq.out"
	grep -q "validated: .* running, no partitions, no alarms" "$TRASH/rmq.out"
	rmqctl ctl2 list_users --formatter json | jq -e "any(.[]; .user == \"survivor\")"
	rmqctl ctl2 list_vhosts --formatter json | jq -e "any(.[]; .name == \"/survive\")"
	rmqctl ctl3 list_policies -p /survive --formatter json | jq -e "any(.[]; .name == \"keep-me\")"
	rmqctl ctl1 list_policies --formatter json | jq -e "any(.[]; .name == \"ha-all\" and (.definition | tostring | test(\"automatic\")))"
	rmqctl ctl1 cluster_status --formatter json >"$TRASH/cs.json"
	jq -e "(.running_nodes | length) == 3 and (.partitions | length) == 0 and (.alarms | length) == 0" "$TRASH/cs.json"
	echo "     rabbitmq full-stop: $(grep "^rabbitmq broker downtime" "$TRASH/rmq.out")" >&3
	jq -r ".targets[] | select(.target | startswith(\"tcp:\") and endswith(\":5672\")) | \"       AMQP port \(.target): down \(.downtime) s (\(.failures) of \(.samples) samples failed)\"" "$TRASH/rmq.json" >&3
'

test_expect_success 'HAProxy upgrade by seamless reload: the VIP stays, 0 failed probes to Keystone and SQL' '
	holder=$(vip_holder)
	probe_start hap
	$STACKHOP haproxy upgrade -s "$S" --to "$HAP_NEW" >"$TRASH/hap.out" ||
		{ probe_stop; cat "$TRASH/hap.out"; false; }
	probe_stop
	# The container that serves is of the new image.
	api_containers >"$TRASH/api-hap"
	for n in ctl1 ctl2 ctl3; do
		grep -q "^${n}_haproxy localhost/lab/haproxy:$HAP_NEW running$" "$TRASH/api-hap"
	done
	# The holder went last, by a reload, and still holds the VIP.
	[ "$(sed -n "s/.*\] \(ctl.\): haproxy .* -> .* by a seamless reload.*/\1/p" "$TRASH/hap.out" | tail -1)" = "$holder" ]
	grep -q "$holder: haproxy .* (it holds the VIP, which stays)" "$TRASH/hap.out"
	[ "$(grep -c ": reloaded: container ctl._haproxy localhost/lab/haproxy:$HAP_OLD -> localhost/lab/haproxy:$HAP_NEW" "$TRASH/hap.out")" = 3 ]
	[ "$(vip_holder)" = "$holder" ]
	echo "     haproxy upgrade (reload): $(jq -r "[.targets[] | select(.target == \"http://$VIP:5000/v3\" or .target == \"sql:$VIP:3306\") | \"\(.target): \(.samples) samples, \(.failures) failed\"] | join(\"; \")" "$TRASH/hap.json"); holder: $(grep ": reloaded:" "$TRASH/hap.out" | tail -1 | sed "s/.*the old one //")" >&3
	jq -r ".outages[]? | \"       outage \(.target): \(.error)\"" "$TRASH/hap.json" >&3
	jq -e ".targets[] | select(.target == \"http://$VIP:5000/v3\") | .samples > 50 and .failures == 0" "$TRASH/hap.json"
	jq -e ".targets[] | select(.target == \"sql:$VIP:3306\") | .samples > 50 and .failures == 0" "$TRASH/hap.json"
'

test_expect_success 'keepalived upgrade to the version it runs restarts nothing and leaves the VIP' '
	holder=$(vip_holder)
	ka=$(tag keepalived bookworm-point)
	$STACKHOP step keepalived-upgrade -s "$S" --to "$ka" >"$TRASH/ka.out"
	[ "$(grep -c ": keepalived already runs $ka: not restarted" "$TRASH/ka.out")" = 3 ]
	[ "$(vip_holder)" = "$holder" ]
'

test_expect_success 'HAProxy vip-move mode (back to the older image): the holder gives the VIP away, last' '
	holder=$(vip_holder)
	old=$HAP_OLD
	probe_start hapm
	$STACKHOP haproxy upgrade -s "$S" --to "$old" --mode vip-move >"$TRASH/hapm.out" ||
		{ probe_stop; cat "$TRASH/hapm.out"; false; }
	probe_stop
	api_containers >"$TRASH/api-hapm"
	for n in ctl1 ctl2 ctl3; do
		grep -q "^${n}_haproxy localhost/lab/haproxy:$old running$" "$TRASH/api-hapm"
	done
	[ "$(sed -n "s/.*\] \(ctl.\): haproxy .* -> .*/\1/p" "$TRASH/hapm.out" | tail -1)" = "$holder" ]
	grep -q "$holder: give the VIP away" "$TRASH/hapm.out"
	grep -q "$holder: VIP moved to ctl" "$TRASH/hapm.out"
	# keepalived s drain changed the container s copy of its configuration
	# only: the node s file and the restarted container s copy have the
	# priority they had.
	grep -q "^    priority 1[45][0-9]$" "$LABDIR/nodes/$holder/kolla/keepalived/keepalived.conf"
	podman_cli "$PM" exec "${holder}_keepalived" grep -q "^    priority 1[45][0-9]$" /etc/keepalived/keepalived.conf
	[ "$(vip_holder | wc -l)" = 1 ]
	[ "$(vip_holder)" != "$holder" ]
	echo "     haproxy vip-move: $(jq -r "[.targets[] | select(.target == \"http://$VIP:5000/v3\" or .target == \"sql:$VIP:3306\") | \"\(.target): \(.samples) samples, \(.failures) failed\"] | join(\"; \")" "$TRASH/hapm.json")" >&3
	# A connection in flight at the VIP move is reset by the new holder,
	# which knows nothing of it (why reload is the default): per target,
	# at most the one sample in flight at that instant fails.
	jq -e "[.targets[] | select(.target == \"http://$VIP:5000/v3\" or .target == \"sql:$VIP:3306\") | .failures <= 1] | length == 2 and all" "$TRASH/hapm.json"
	$STACKHOP haproxy upgrade -s "$S" --to "$HAP_NEW" >"$TRASH/hap2.out"
	expect_fail 2 $STACKHOP haproxy upgrade -s "$S" --to "$HAP_NEW" --mode drop
	grep_err "mode must be reload or vip-move, not .drop."
'

# infra_settings FILE GALERA_MODE RABBITMQ_MODE: the lab's settings with
# these procedures and no host or OpenStack phase: the plan is the
# infrastructure alone, every step of it a real one.
infra_settings() {
	awk '/^(components|phases):/ { skip = 1; next } skip && /^  / { next } { skip = 0; print }' "$S" >"$1"
	{
		printf 'phases:\n  host: {hops: none}\n  openstack: {hops: none}\n'
		printf 'components:\n  galera: {mode: %s, version: "%s"}\n' "$2" "$MDB_NEW"
		printf '  rabbitmq: {mode: %s, version: "%s"}\n' "$3" "$RMQ"
		grep -E "^  (haproxy|keepalived|memcached):" "$S"
	} >>"$1"
}

# step_state JOURNAL ID-SUFFIX: the state of the step whose id ends so.
step_state() {
	$STACKHOP status --journal "$1" --format json >"$TRASH/step_state.json" &&
		jq -r --arg s "$2" ".steps[] | select(.id | endswith(\$s)) | .state" "$TRASH/step_state.json"
}

test_expect_success 'upgrade runs the infrastructure plan for real; killed inside galera-join, resume finishes it' '
	infra_settings "$LABDIR/settings-infra.yaml" new-cluster rolling
	J=$TRASH/infra.journal
	$STACKHOP plan -i "$LABDIR/inventory" -s "$LABDIR/settings-infra.yaml" --from zed --to zed >"$TRASH/plan.out"
	grep -q "galera/galera-bootstrap@ctl1 .*-> $MDB_NEW" "$TRASH/plan.out"
	test_lacks "phase openstack" "$TRASH/plan.out"
	s=$(date +%s.%N)
	$STACKHOP upgrade -i "$LABDIR/inventory" -s "$LABDIR/settings-infra.yaml" --from zed --to zed \
		--yes --journal "$J" >"$TRASH/up1.out" 2>&1 &
	pid=$!
	i=0
	until [ "$(step_state "$J" galera/galera-join@ctl2 2>/dev/null)" = running ]; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 1800 ] || { kill -KILL $pid; cat "$TRASH/up1.out"; false; }
	done
	sleep 1
	kill -KILL $pid
	wait $pid || true
	[ "$(step_state "$J" galera/galera-join@ctl2)" = running ]
	# Its step process and the prober ended with the run: nothing of the
	# killed run races the resume.
	none_left() { [ -z "$(ps -eo args | awk "(\$1 == \"/proc/self/exe\" && \$2 == \"step\") || (\$1 == \"stackhop\" && \$2 == \"probe\")")" ]; }
	test_wait_for 30 none_left
	$STACKHOP resume --journal "$J" --yes >"$TRASH/up2.out" 2>&1 || { cat "$TRASH/up2.out"; false; }
	e=$(date +%s.%N)
	grep -q "resume (check first) .*galera/galera-join@ctl2" "$TRASH/up2.out"
	$STACKHOP status --journal "$J" --format json >"$TRASH/st.json"
	jq -e "[.steps[] | select(.state != \"done\")] | length == 0" "$TRASH/st.json"
	$STACKHOP galera status -s "$S" >"$TRASH/st"
	[ "$(grep -c " Synced  *Primary  *3 $MDB_NEW\$" "$TRASH/st")" = 3 ]
	[ "$(vip_sql "SELECT COUNT(*) FROM keep.t")" = 3 ]
	rmqctl ctl1 cluster_status --formatter json | jq -e "(.running_nodes | length) == 3"
	jq -e "[.steps[] | select(.kind == \"rabbitmq-node-upgrade\") | .tail | test(\"running, no local alarms; cluster complete\")] | length == 3 and all" "$TRASH/st.json"
	jq -e "[.steps[] | select(.kind == \"rabbitmq-node-upgrade\") | .tail | test(\"clients reconnected after their restart: [0-9]+ connections\")] | all" "$TRASH/st.json"
	[ "$(vip_holder | wc -l)" = 1 ]
	ls "$J.files"/db-backup-*.sql "$J.files"/db-backup-*.sql.sha256 >/dev/null
	grep -q "^prober:" "$TRASH/up2.out"
	echo "     upgrade (infra only, $(jq ".steps | length" "$TRASH/st.json") steps) killed in galera-join and resumed: $(echo "$e - $s" | bc) s in all; outages:" >&3
	$STACKHOP status --journal "$J" >"$TRASH/st.out"
	sed -n "s/^  control /       /p" "$TRASH/st.out" >&3
	# Not the lab s file: lab down (which removes only its own) leaves it.
	rm "$LABDIR/settings-infra.yaml"
'

test_expect_success 'keystone register: a user, a service and 3 endpoints; a second run creates nothing' '
	# A service the lab does not have (placement and nova it registered).
	echo "cinder_password: \"$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")\"" >>"$LABDIR/secrets.yaml"
	set -- --service cinderv3 --type volumev3 --url "http://$VIP:8776" \
		--user cinder --password-secret cinder_password
	$STACKHOP keystone register -s "$S" "$@" >"$TRASH/k1"
	grep -q "^user cinder: created$" "$TRASH/k1"
	grep -q "^role admin of cinder on service: created$" "$TRASH/k1"
	grep -q "^service cinderv3 (volumev3): created$" "$TRASH/k1"
	[ "$(grep -c "^endpoint cinderv3 .* http://$VIP:8776: created$" "$TRASH/k1")" = 3 ]
	$STACKHOP keystone register -s "$S" "$@" >"$TRASH/k2"
	test_lacks "created\|updated" "$TRASH/k2"
	[ "$(grep -c ": exists$" "$TRASH/k2")" = 7 ]
	# The user got its password from the secrets file: it logs in to its project.
	printf "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"cinder\", \"domain\": {\"id\": \"default\"}, \"password\": \"%s\"}}}, \"scope\": {\"project\": {\"name\": \"service\", \"domain\": {\"id\": \"default\"}}}}}" \
		"$(secret cinder_password)" |
		curl -s -o /dev/null -w "%{http_code}" -H "Content-Type: application/json" -d @- \
		"http://$VIP:5000/v3/auth/tokens" >"$TRASH/code"
	[ "$(cat "$TRASH/code")" = 201 ]
	$STACKHOP keystone list -s "$S" --type volumev3 >"$TRASH/kl"
	[ "$(grep -c "^service cinderv3 (volumev3)" "$TRASH/kl")" = 1 ]
	[ "$(grep -c "^  endpoint \(public\|internal\|admin\) RegionOne http://$VIP:8776$" "$TRASH/kl")" = 3 ]
	# A changed URL is updated in place, not added.
	$STACKHOP keystone register -s "$S" "$@" --public-url "http://$VIP:8779" >"$TRASH/k3"
	grep -q "^endpoint cinderv3 public http://$VIP:8779: updated$" "$TRASH/k3"
	$STACKHOP keystone list -s "$S" --type volumev3 >"$TRASH/kl3"
	[ "$(grep -c "^  endpoint" "$TRASH/kl3")" = 3 ]
	test_lacks "$(secret cinder_password)\|$(secret keystone_admin_password)" "$TRASH/k1" "$TRASH/k2" "$TRASH/k3"
	expect_fail 2 $STACKHOP keystone register -s "$S" --service x --type x --url http://x --user x
	grep_err "--user and --password-secret go together"
	expect_fail 2 $STACKHOP keystone register -s "$S" --service x --type x --url http://x --user x --password-secret nope
	grep_err "the secrets file holds no .nope."
'

test_expect_success 'keystone-register as a plan step: the catalog entry at the VIP, idempotent, its user from USER_password' '
	set -- -s "$S" --component cinder --param user=cinder --param type=volumev3 \
		--param name=cinderv3 --param port=8776
	$STACKHOP step keystone-register "$@" >"$TRASH/r1"
	grep -q "^user cinder: exists$" "$TRASH/r1"
	# The public URL the last test moved comes back to the VIP s port.
	grep -q "^endpoint cinderv3 public http://$VIP:8776: updated$" "$TRASH/r1"
	$STACKHOP step keystone-register -s "$S" --component glance --param type=image --param name=glance \
		--param port=9292 >"$TRASH/r2"
	[ "$(grep -c "^endpoint glance \(public\|internal\|admin\) http://$VIP:9292: created$" "$TRASH/r2")" = 3 ]
	$STACKHOP step keystone-register -s "$S" --component glance --param type=image --param name=glance \
		--param port=9292 >"$TRASH/r3"
	[ "$(grep -c ": exists$" "$TRASH/r3")" = 4 ]
	$STACKHOP keystone list -s "$S" --type image >"$TRASH/kl4"
	[ "$(grep -c "^  endpoint" "$TRASH/kl4")" = 3 ]
	test_lacks "$(secret cinder_password)" "$TRASH/r1"
	expect_fail 2 $STACKHOP step keystone-register -s "$S" --component glance --param type=image
	grep_err "needs --param type=, name= and port="
	expect_fail 2 $STACKHOP step keystone-register -s "$S" --component glance --param user=glance \
		--param type=image --param name=glance --param port=9292
	grep_err "the secrets file holds no .glance_password."
	expect_fail 2 $STACKHOP step keystone-register -s "$S" --component x --param novalue
	grep_err "param takes KEY=VALUE"
'

test_expect_success 'step: bad input is refused before anything changes' '
	expect_fail 2 $STACKHOP step galera-fly -s "$S"
	grep_err "unknown step kind .galera-fly."
	expect_fail 2 $STACKHOP step galera-stop -s "$S"
	grep_err "step galera-stop needs --node NODE"
	expect_fail 2 $STACKHOP step galera-stop -s "$S" --node ctl9
	grep_err "no host .ctl9. in inventory"
	expect_fail 2 $STACKHOP step galera-join -s "$S" --node ctl2
	grep_err "step galera-join needs --to VERSION"
	expect_fail 2 $STACKHOP step galera-validate -s "$S" --node ctl2
	grep_err "acts on the whole cluster: no --node"
	expect_fail 2 $STACKHOP step db-backup -s "$S"
	grep_err "needs --state DIR"
	$STACKHOP step galera-validate -s "$S" >"$TRASH/v.out"
	grep -q "SQL through the VIP answers" "$TRASH/v.out"
'

test_expect_success 'step db-create: found or created through the VIP, names checked, no secret shown' '
	$STACKHOP step db-create -s "$S" --param database=shtest --param user=nova >"$TRASH/d1"
	grep -q "^database shtest: created$" "$TRASH/d1"
	grep -q "^database user nova: exists$" "$TRASH/d1"
	$STACKHOP step db-create -s "$S" --param database=shtest --param user=nova >"$TRASH/d2"
	grep -q "^database shtest: exists$" "$TRASH/d2"
	vip_sql "SHOW GRANTS FOR \"nova\"@\"%\"" | grep -q "GRANT ALL PRIVILEGES ON .shtest.\.\* TO"
	expect_fail 2 $STACKHOP step db-create -s "$S" --param database=shtest
	grep_err "needs --param database= and user="
	expect_fail 2 $STACKHOP step db-create -s "$S" --param "database=x;drop" --param user=nova
	grep_err "letters, digits and"
	expect_fail 2 $STACKHOP step db-create -s "$S" --param database=shtest --param user=ghost
	grep_err "no database user .ghost.@.%., and the secrets file holds no .ghost_db_password."
	# A new user, with the password the secrets file gives it.
	echo "shuser_db_password: \"$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")\"" >>"$LABDIR/secrets.yaml"
	$STACKHOP step db-create -s "$S" --param database=shtest --param user=shuser >"$TRASH/d3"
	grep -q "^database user shuser: created$" "$TRASH/d3"
	test_lacks "$(secret shuser_db_password)" "$TRASH/d3"
	printf "[client]\nuser=shuser\npassword=\"%s\"\n" "$(secret shuser_db_password)" >"$TRASH/shuser.cnf"
	[ "$(mariadb --defaults-extra-file="$TRASH/shuser.cnf" -h "$VIP" -N -B -e "SELECT DATABASE()" shtest)" = shtest ]
	vip_sql "DROP DATABASE shtest; DROP USER \"shuser\"@\"%\""
'

test_expect_success 'bad input: unknown subcommand, missing --to, a version no image has' '
	expect_fail 2 $STACKHOP galera frobnicate -s "$S"
	grep_err "unknown subcommand .frobnicate."
	expect_fail 2 $STACKHOP galera upgrade -s "$S"
	grep_err "upgrade needs --to VERSION"
	expect_fail 1 $STACKHOP galera upgrade -s "$S" --to 99.1
	grep_err "no galera image for version .99.1.: nothing was changed"
	expect_fail 2 $STACKHOP haproxy upgrade -s "$S" --to 2.6.12
	grep_err "names more than one haproxy image"
	expect_fail 2 $STACKHOP rabbitmq upgrade -s "$S" --to "$RMQ" --mode sideways
	grep_err "mode must be full-stop or rolling"
	sed "s/^  haproxy: {/  haproxy: {mode: sideways, /" "$S" >"$LABDIR/settings-bad.yaml"
	line=$(grep -n "^  haproxy: {mode: sideways" "$LABDIR/settings-bad.yaml" | cut -d: -f1)
	expect_fail 2 $STACKHOP haproxy upgrade -s "$LABDIR/settings-bad.yaml" --to "$HAP_NEW"
	grep_err "settings-bad.yaml:$line: unknown mode .sideways. for component .haproxy. (expected reload or vip-move)"
	rm "$LABDIR/settings-bad.yaml"
	$STACKHOP galera status -s "$S" >/dev/null
'

test_expect_success 'the minor update through the docker runtime: each container replaced by one of the updated image, the journal naming both, 0 failed requests through the VIP' '
	J=$TRASH/lab.journal
	# Three soft-deleted service records for archive_deleted_rows to move.
	for h in gone1 gone2 gone3; do
		vip_sql "INSERT INTO nova.services (created_at, deleted_at, host, \`binary\`, topic, report_count, disabled, deleted, version, uuid) VALUES (NOW(), NOW(), \"$h\", \"nova-compute\", \"compute\", 0, 0, 1, 61, UUID())"
	done
	probe_start up --target "http://$VIP:8778/"
	$STACKHOP upgrade -i "$LABDIR/inventory" -s "$S" --from zed --to zed --yes --no-probe \
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
	# The db syncs ran in one-off containers of the new image: expand
	# before the first new container, contract after the last; the check
	# says up to date.
	for s in keystone/db-expand keystone/db-contract keystone/db-check keystone/status \
		placement/db-sync placement/status nova/nova-cell0-db nova/cell-v2-map-cell0 \
		nova/cell-v2-create-cell1 nova/api-db-sync nova/db-sync nova/online-migrations \
		nova/cell-v2-discover-hosts nova/status; do
		jq -e ".steps[] | select(.id == \"zed/$s\") | .state == \"done\"" "$TRASH/st.json"
	done
	jq -e "[.steps[] | select(.kind == \"container-stop\" and (.id | test(\"/keystone/|/placement-api/\"))) | .tail | test(\"in maintenance on 3 HAProxy\")] | length == 6 and all" "$TRASH/st.json"
	jq -e "[.steps[] | select(.kind == \"health-check\" and (.id | test(\"/keystone/\"))) | .tail | test(\"issues a token to admin\")] | length == 3 and all" "$TRASH/st.json"
	# The soft-deleted rows went to the shadow table, and the step said so.
	[ "$(vip_sql "SELECT COUNT(*) FROM nova.services WHERE deleted != 0")" = 0 ]
	[ "$(vip_sql "SELECT COUNT(*) FROM nova.shadow_services")" = 3 ]
	grep -q "^    zed/nova/archive-deleted-rows: rows archived: 0 by this run, 3 in all$" "$TRASH/up.log"
	# nova-status ran in the new image: Success or Warning, reported in
	# the oslo.upgradecheck form.
	jq -e ".steps[] | select(.id == \"zed/nova/status\") | .exit_status <= 1" "$TRASH/st.json"
	grep -q "^| zed/nova/status: \(Success\|Warning\) ([0-9]* checks" "$TRASH/up.log"
	grep -q "^| Check: Cells v2 " "$TRASH/up.log"
	grep -q "^| Check: Placement API " "$TRASH/up.log"
	echo "     $(grep -o "zed/nova/status: [^|]*" "$TRASH/up.log" | sed "s/ *$//")" >&3
	# Placement: registered once, answering through the VIP, with a token.
	$STACKHOP keystone list -s "$S" --type placement >"$TRASH/kl2"
	[ "$(grep -c "^service placement (placement)" "$TRASH/kl2")" = 1 ]
	[ "$(grep -c "^  endpoint \(public\|internal\|admin\) RegionOne http://$VIP:8778$" "$TRASH/kl2")" = 3 ]
	tok=$(token nova service nova_password)
	[ -n "$tok" ]
	curl -sf -H "X-Auth-Token: $tok" "http://$VIP:8778/resource_providers" | jq -e ".resource_providers | length == 0"
	# Other services are not on the lab: skipped, not attempted.
	jq -e "[.steps[] | select(.id | test(\"/glance/|/neutron/\"))] | length == 0" "$TRASH/st.json"
	# The old images went once no container used them.
	for c in keystone nova-api; do
		test_must_fail podman_cli "$PM" image exists "localhost/lab/$c:$(tag "$c" bookworm-point)"
	done
	echo "     minor update ($(jq ".steps | length" "$TRASH/st.json") steps): $(jq -r "[.targets[] | select(.target == \"http://$VIP:5000/v3\" or .target == \"http://$VIP:8778/\" or .target == \"sql:$VIP:3306\") | \"\(.target): \(.samples) samples, \(.failures) failed\"] | join(\"; \")" "$TRASH/up.json")" >&3
	grep "steps done in" "$TRASH/up.log" | sed "s/^/     /" >&3
	for t in "http://$VIP:5000/v3" "http://$VIP:8778/" "sql:$VIP:3306"; do
		jq -e ".targets[] | select(.target == \"$t\") | .samples > 100 and .failures == 0" "$TRASH/up.json"
	done
	test_lacks "$(secret rabbitmq_password)\|$(secret nova_db_password)\|$(secret keystone_admin_password)" "$TRASH/up.log" "$J"
'

test_expect_success 'lab down removes every container of the lab, its namespaces and processes; the images stay' '
	$STACKHOP lab down >/dev/null 2>&1
	leftovers >"$TRASH/left"
	if [ -s "$TRASH/left" ]; then cat "$TRASH/left"; false; fi
	podman_start "$PM"
	podman_cli "$PM" ps -a --format "{{.Names}}" >"$TRASH/left"
	podman_stop "$PM"
	test_lacks "^ctl\|^cmp\|^net\|^stackhop_run_" "$TRASH/left"
	[ -d "$LABDIR/cache/rootfs" ]
	# The mark stays with the images: the directory is still the lab s.
	[ -f "$LABDIR/.stackhop-lab" ]
'

test_expect_success 'lab down of a directory with a stale PID file: nothing that is not the lab s is signalled; only the lab s files go' '
	D=$TRASH/stale-lab
	mkdir -p "$D/pids" "$D/nodes/ctl1" "$D/images"
	chmod 755 "$D"
	echo "a stackhop lab" >"$D/.stackhop-lab"
	printf "ADDR_ctl1=10.231.0.11\nCONTROLLERS=ctl1\nCOMPUTES=\nNETWORKS=\n" >"$D/lab.env"
	echo mine >"$D/planted"
	mkdir "$D/mine.d"
	sleep 300 &
	other=$!
	echo $other >"$D/pids/ctl1.sshd"
	echo $other >"$D/pids/ctl1.galera"
	set +e
	$STACKHOP lab down --dir "$D" >"$TRASH/down.out" 2>&1
	rc=$?
	kill -0 $other
	alive=$?
	kill $other 2>/dev/null
	set -e
	[ "$rc" = 0 ] || { cat "$TRASH/down.out"; false; }
	[ "$alive" = 0 ]
	[ "$(cat "$D/planted")" = mine ] && [ -d "$D/mine.d" ]
	[ -d "$D/images" ] && [ -f "$D/.stackhop-lab" ]
	test_path_missing "$D/lab.env" "$D/pids" "$D/nodes"
'

test_done
