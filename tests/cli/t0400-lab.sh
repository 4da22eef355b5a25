#!/bin/sh
# t0400-lab.sh - the lab: real Galera, RabbitMQ, HAProxy/keepalived and
# Keystone in network namespaces, reached over ssh; VIP failover; the
# floating IP; and a teardown that leaves nothing behind.  Needs root.
# The lab is taken down at the end even when a test fails.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/lib/lab.sh
. "$(dirname "$0")/../lib/lab.sh"

# What the lab leaves when it is down: namespaces, its bridge, its
# /etc/netns entries, recorded processes, sshd/keepalived mounts.
leftovers() {
	ip netns list | grep "shlab-" || true
	ip link show shlab0 2>/dev/null || true
	ls -d /etc/netns/shlab-* 2>/dev/null || true
	pgrep -a -f "$LABDIR" || true
	grep "$LABDIR" /proc/mounts || true
}

test_expect_success 'lab up: every service healthy, the time it took' '
	s=$(date +%s.%N)
	$STACKHOP lab up --runtime process >"$TRASH/up.out" 2>"$TRASH/up.err" || { cat "$TRASH/up.err"; false; }
	e=$(date +%s.%N)
	grep -q "^inventory: $LABDIR/inventory" "$TRASH/up.out"
	[ "$(stat -c %a "$LABDIR/secrets.yaml")" = 600 ]
	$STACKHOP lab status >"$TRASH/status"
	test_lacks DOWN "$TRASH/status"
	echo "     lab up (packages installed; images stage = download + unpack unless cached): $(echo "$e - $s" | bc) s" >&3
	sed -n "s/^lab: /     /p" "$TRASH/up.err" | grep " s$" >&3
'

test_expect_success 'through the VIP: Galera cluster size 3, every node Synced' '
	[ "$(vip_sql "SHOW STATUS LIKE '"'"'wsrep_cluster_size'"'"'" | cut -f2)" = 3 ]
	for n in ctl1 ctl2 ctl3; do
		[ "$(mariadb -S "$LABDIR/nodes/$n/galera/mysqld.sock" -N -B \
			-e "SHOW STATUS LIKE '"'"'wsrep_local_state_comment'"'"'" | cut -f2)" = Synced ]
	done
'

test_expect_success 'clustercheck: 503 while clustercheck.disabled exists, HAProxy fails over to a backup' '
	d="$LABDIR/nodes/ctl1/galera"
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

test_expect_success 'through the VIP: Keystone issues a v3 token with the admin credentials' '
	umask 077
	printf "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}, \"password\": \"%s\"}}}, \"scope\": {\"project\": {\"name\": \"admin\", \"domain\": {\"id\": \"default\"}}}}}" \
		"$(secret keystone_admin_password)" >"$TRASH/auth.json"
	umask 022
	code=$(curl -s -o "$TRASH/token.json" -D "$TRASH/headers" -w "%{http_code}" \
		-H "Content-Type: application/json" --data @"$TRASH/auth.json" \
		http://$VIP:5000/v3/auth/tokens)
	[ "$code" = 201 ]
	grep -qi "^x-subject-token: ." "$TRASH/headers"
	jq -e ".token.roles | map(.name) | index(\"admin\")" "$TRASH/token.json"
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

test_expect_success 'stopping the keepalived master moves the VIP, SQL through it keeps working' '
	old=$(vip_holder)
	[ -n "$old" ]
	vip_sql "CREATE DATABASE IF NOT EXISTS labtest; CREATE TABLE IF NOT EXISTS labtest.t (i INT PRIMARY KEY AUTO_INCREMENT, v INT)"
	s=$(date +%s.%N)
	pid=$(cat "$LABDIR/pids/$old.keepalived")
	kill -TERM "$pid"
	i=0
	until new=$(vip_holder) && [ -n "$new" ] && [ "$new" != "$old" ]; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "the VIP did not move in 10 s"; false; }
	done
	e=$(date +%s.%N)
	vip_sql "INSERT INTO labtest.t (v) VALUES (1)"
	[ "$(vip_sql "SELECT COUNT(*) FROM labtest.t")" -ge 1 ]
	echo "     VIP moved from $old to $new in $(echo "$e - $s" | bc) s; SQL through it works" >&3
	# lab up repairs: keepalived back on $old; one holder of the VIP.
	# (The VIP moves before the old keepalived has exited: wait for it,
	# or lab up finds it still alive and leaves it to die.)
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "keepalived $pid did not exit in 10 s"; false; }
	done
	$STACKHOP lab up >/dev/null 2>&1
	kill -0 "$(cat "$LABDIR/pids/$old.keepalived")"
	one_holder() { [ "$(vip_holder | wc -l)" = 1 ]; }
	test_wait_for 30 one_holder
	vip_sql "DROP DATABASE labtest"
'

test_expect_success 'lab down leaves nothing it created; a second lab up works' '
	$STACKHOP lab down >/dev/null 2>&1
	leftovers >"$TRASH/left"
	if [ -s "$TRASH/left" ]; then cat "$TRASH/left"; false; fi
	[ -d "$LABDIR/images" ]
	$STACKHOP lab up --runtime process >/dev/null 2>"$TRASH/up2.err" || { cat "$TRASH/up2.err"; false; }
	$STACKHOP lab status >"$TRASH/status2"
	test_lacks DOWN "$TRASH/status2"
	$STACKHOP lab down >/dev/null 2>&1
	leftovers >"$TRASH/left"
	if [ -s "$TRASH/left" ]; then cat "$TRASH/left"; false; fi
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
