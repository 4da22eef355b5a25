#!/bin/sh
# t0500-lab-process.sh - the process runtime, for real, on the lab brought
# up with --runtime process: every service a process of Debian's packages
# unpacked per version (lab/images.sh), started, stopped and asked for its
# version by the lab's control command (lab/svc.sh, the settings'
# process.control).  What the container lab (t0400) cannot show of that
# runtime: Galera's rolling upgrade from one unpacked tree to the other
# under the prober, recovery after SIGKILL of every mysqld
# (--wsrep-recover run by the control command), HAProxy's seamless reload
# handing its listeners from one process to the next (the serving process
# runs the new tree's binary); and a lab down that leaves nothing.
# Needs root.  Measurements go to fd 3.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/lab.sh
. "$(dirname "$0")/../lib/lab.sh"

# image_version SERVICE first|last: the oldest or newest image of SERVICE
# (as Debian has them today: bookworm and bookworm-security).
image_version() {
	sh lab/svc.sh --dir "$LABDIR" versions "$1" ctl1 | sort -V | if [ "$2" = first ]; then head -1; else tail -1; fi
}

test_expect_success 'lab up --runtime process: every service a process, healthy; galera status: 3 nodes Synced on the older MariaDB' '
	s=$(date +%s.%N)
	$STACKHOP lab up --runtime process >"$TRASH/up.out" 2>"$TRASH/up.err" || { cat "$TRASH/up.err"; false; }
	e=$(date +%s.%N)
	echo "     lab up --runtime process: $(echo "$e - $s" | bc) s" >&3
	grep -q "^runtime: process$" "$S"
	$STACKHOP lab status >"$TRASH/status"
	test_lacks DOWN "$TRASH/status"
	$STACKHOP galera status -s "$S" >"$TRASH/st"
	[ "$(grep -c " Synced  *Primary  *3 $(image_version galera first)\$" "$TRASH/st")" = 3 ]
'
MDB_OLD=$(image_version galera first)
MDB_NEW=$(image_version galera last)
HAP_NEW=$(image_version haproxy last)
export MDB_OLD MDB_NEW HAP_NEW
echo "     images: mariadb $MDB_OLD -> $MDB_NEW, haproxy -> $HAP_NEW" >&3

test_expect_success 'rolling upgrade of MariaDB (10.11.18 -> 10.11.19) under the prober: 0 failed SQL queries' '
	rolling_upgrade
'

test_expect_success 'SIGKILL of every mysqld after committed inserts: recover brings 3/3 Synced, no row lost' '
	vip_sql "CREATE DATABASE IF NOT EXISTS keep"
	vip_sql "CREATE TABLE keep.crash (id INT AUTO_INCREMENT PRIMARY KEY, v INT)"
	for i in $(seq 1 200); do echo "INSERT INTO keep.crash (v) VALUES ($i);"; done >"$TRASH/ins.sql"
	vip_sql "source $TRASH/ins.sql"
	before=$(vip_sql "SELECT COUNT(*), SUM(v) FROM keep.crash")
	for n in ctl1 ctl2 ctl3; do sh lab/svc.sh --dir "$LABDIR" kill galera $n; done
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

test_expect_success 'HAProxy upgrade by seamless reload: the VIP stays, 0 failed probes to Keystone and SQL' '
	holder=$(vip_holder)
	probe_start hap
	$STACKHOP haproxy upgrade -s "$S" --to "$HAP_NEW" >"$TRASH/hap.out" ||
		{ probe_stop; cat "$TRASH/hap.out"; false; }
	probe_stop
	for n in ctl1 ctl2 ctl3; do
		[ "$(sh lab/svc.sh --dir "$LABDIR" version haproxy $n)" = "$HAP_NEW" ]
		# The process that serves runs the binary of the new image.
		pid=$(cat "$LABDIR/pids/$n.haproxy")
		[ "$(readlink /proc/$pid/exe)" = "$LABDIR/images/haproxy-$HAP_NEW/usr/sbin/haproxy" ]
	done
	# The holder went last, by a reload, and still holds the VIP.
	[ "$(sed -n "s/.*\] \(ctl.\): haproxy .* -> .* by a seamless reload.*/\1/p" "$TRASH/hap.out" | tail -1)" = "$holder" ]
	grep -q "$holder: haproxy .* (it holds the VIP, which stays)" "$TRASH/hap.out"
	[ "$(grep -c ": reloaded: PID [0-9]* -> [0-9]*; the old one ended after" "$TRASH/hap.out")" = 3 ]
	[ "$(vip_holder)" = "$holder" ]
	echo "     haproxy upgrade (reload): $(jq -r "[.targets[] | select(.target == \"http://$VIP:5000/v3\" or .target == \"sql:$VIP:3306\") | \"\(.target): \(.samples) samples, \(.failures) failed\"] | join(\"; \")" "$TRASH/hap.json"); holder: $(grep ": reloaded:" "$TRASH/hap.out" | tail -1 | sed "s/.*the old one //")" >&3
	jq -r ".outages[]? | \"       outage \(.target): \(.error)\"" "$TRASH/hap.json" >&3
	jq -e ".targets[] | select(.target == \"http://$VIP:5000/v3\") | .samples > 50 and .failures == 0" "$TRASH/hap.json"
	jq -e ".targets[] | select(.target == \"sql:$VIP:3306\") | .samples > 50 and .failures == 0" "$TRASH/hap.json"
'

test_expect_success 'lab down leaves nothing it created' '
	$STACKHOP lab down >/dev/null 2>&1
	leftovers >"$TRASH/left"
	if [ -s "$TRASH/left" ]; then cat "$TRASH/left"; false; fi
	[ -d "$LABDIR/images" ]
'

test_done
