#!/bin/sh
# t0300-upgrade.sh - stackhop upgrade, resume and status with the sim
# transport: a whole journey, the catalog's preconditions, and the crash
# test (SIGKILL at every step boundary and inside long steps, then resume).
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# The crash test writes thousands of small transactions: on tmpfs when
# there is one, as fsync there costs nothing and the test is about kills,
# not power loss.
CT=$(mktemp -d /dev/shm/stackhop-crash-XXXXXX 2>/dev/null || mktemp -d "$TRASH/crash-XXXXXX")
trap 'rm -rf "$TRASH" "$CT"' EXIT
export CT STACKHOP

cat >"$TRASH/small.ini" <<'INV'
[control]
ctl1 ansible_host=10.231.0.11
[network]
ctl1
[compute]
cmp1 ansible_host=10.231.0.21
INV
export SMALL="$TRASH/small.ini"

# Copy of the catalog with a command of a service deleted (a flow entry
# from "- {id: ID," to its closing brace): catalog_without ID DIR.
catalog_without() {
	rm -rf "$2"
	cp -r catalog "$2"
	awk -v id="$1" '
		index($0, "- {id: " id ",") { skip = 1 }
		!skip { print }
		skip && /}$/ { skip = 0 }' catalog/services.yaml >"$2/services.yaml"
	test_lacks "id: $1," "$2/services.yaml"
}

states() {
	$STACKHOP status --journal "$1" --format json >"$TRASH/states.json" &&
		jq -c '[.state, [.steps[] | [.id, .state]]]' "$TRASH/states.json"
}

test_expect_success 'sim: examples/multinode liberty -> ocata completes, every step done' '
	$STACKHOP upgrade -i examples/multinode --from liberty --to ocata --transport sim --yes \
		--journal "$TRASH/m.journal" >"$TRASH/m.out"
	head -1 "$TRASH/m.out" | grep -q "^SIMULATION"
	tail -1 "$TRASH/m.out" | grep -q "^\[sim\] 1886 of 1886 steps done.*simulation: nothing real was changed"
	$STACKHOP status --journal "$TRASH/m.journal" --format json >"$TRASH/m.json"
	jq -e ".simulation == true and .state == \"done\" and (.steps | length) == 1886" "$TRASH/m.json"
	jq -e "all(.steps[]; .state == \"done\")" "$TRASH/m.json"
	$STACKHOP status --journal "$TRASH/m.journal" >"$TRASH/m.status"
	grep -q "a simulation: nothing real was changed" "$TRASH/m.status"
	jq -e ".release == \"ocata\" and .facts[\"cell0-mapping\"] == \"ocata\"
		and .databases.nova_cell0.release == \"ocata\"
		and .nodes.compute07.containers[\"nova-compute\"].release == \"ocata\"
		and .keystone[\"endpoint:placement:internal\"]" "$TRASH/m.journal.sim.json"
'

test_expect_success 'sim: without the cell0 mapping step, nova api_db sync fails naming it' '
	catalog_without cell-v2-map-cell0 "$TRASH/cat-no-cell0"
	expect_fail 1 $STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim \
		--catalog "$TRASH/cat-no-cell0" --journal "$TRASH/c.journal"
	grep_err "step .ocata/nova/api-db-sync. failed on ctl1"
	grep_err "precondition not met: .cell0-mapping. is missing"
	$STACKHOP status --journal "$TRASH/c.journal" --format json >"$TRASH/c.json"
	jq -e "[.steps[] | select(.state == \"failed\")] | length == 1 and .[0].kind == \"db-sync\"" "$TRASH/c.json"
	jq -e ".state == \"failed\"" "$TRASH/c.json"
	jq -e ".databases.nova_api.release == \"newton\"" "$TRASH/c.journal.sim.json"
'

test_expect_success 'sim: a control service refuses to start on an older schema' '
	rm -rf "$TRASH/cat-no-sync" && cp -r catalog "$TRASH/cat-no-sync"
	# cinder without its Ocata db sync: the database stays at newton.
	sed -i "s/{id: db-sync, kind: db-sync, argv: \[cinder-manage/{id: db-sync, until: newton, kind: db-sync, argv: [cinder-manage/" \
		"$TRASH/cat-no-sync/services.yaml"
	grep -q "until: newton, kind: db-sync, argv: \[cinder-manage" "$TRASH/cat-no-sync/services.yaml"
	expect_fail 1 $STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim \
		--catalog "$TRASH/cat-no-sync" --journal "$TRASH/s.journal"
	grep_err "cinder-scheduler ocata refuses to start: database .cinder. has schema newton"
'

test_expect_success 'sim: nova control services refuse computes older than the catalog floor' '
	$STACKHOP upgrade -i $SMALL --from 2023.1 --to 2024.1 --transport sim --journal "$TRASH/f1.journal" >/dev/null
	rm -rf "$TRASH/cat-floor" && cp -r catalog "$TRASH/cat-floor"
	sed -i "s/caracal: antelope,/caracal: bobcat,/" "$TRASH/cat-floor/services.yaml"
	grep -q "caracal: bobcat," "$TRASH/cat-floor/services.yaml"
	expect_fail 1 $STACKHOP upgrade -i $SMALL --from 2023.1 --to 2024.1 --transport sim \
		--catalog "$TRASH/cat-floor" --journal "$TRASH/f2.journal"
	grep_err "nova-conductor caracal refuses to start: nova-compute on cmp1 runs antelope"
'

test_expect_success 'resume refuses a journal whose catalog changed, then finishes once it is back' '
	catalog_without cell-v2-map-cell0 "$TRASH/cat-r"
	expect_fail 1 $STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim \
		--catalog "$TRASH/cat-r" --journal "$TRASH/r.journal"
	rm -rf "$TRASH/cat-r" && cp -r catalog "$TRASH/cat-r"
	expect_fail 2 $STACKHOP resume --journal "$TRASH/r.journal"
	grep_err "changed since the run began"
	catalog_without cell-v2-map-cell0 "$TRASH/cat-r"
	expect_fail 1 $STACKHOP resume --journal "$TRASH/r.journal"
	grep_err "cell0-mapping"
'

test_expect_success 'a second run on a live journal is refused' '
	$STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim \
		--sim-unit-ms 20 --journal "$TRASH/l.journal" >/dev/null 2>&1 &
	pid=$!
	# The run holds the journal once it has marked it running.
	running() { [ "$(states "$TRASH/l.journal" 2>/dev/null | jq -r ".[0]")" = running ]; }
	test_wait_for 60 running
	expect_fail 1 $STACKHOP resume --journal "$TRASH/l.journal"
	grep_err "another"
	wait $pid
	[ "$(states "$TRASH/l.journal" | jq -r ".[0]")" = done ]
'

test_expect_success 'upgrade --format json: one object per state change, then the end' '
	$STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim --format json \
		--journal "$TRASH/js.journal" >"$TRASH/js.out"
	jq -e -s "length > 100 and .[0].event == \"run\" and .[-1].event == \"end\"
		and .[-1].result == \"done\" and all(.[]; .simulation == true)" "$TRASH/js.out"
	[ "$(jq -r "select(.event == \"start\") | .step" "$TRASH/js.out" | sort -u | wc -l)" = \
	  "$(jq -s ".[0].steps" "$TRASH/js.out")" ]
'

test_expect_success 'upgrade --dry-run prints the plan and the simulated run, leaves nothing' '
	mkdir "$TRASH/tmp"
	TMPDIR="$TRASH/tmp" $STACKHOP upgrade -i $SMALL --from newton --to ocata --dry-run >"$TRASH/d.out"
	grep -q "^stackhop plan: newton -> ocata" "$TRASH/d.out"
	grep -q "^SIMULATION.*/stackhop-dry-run\." "$TRASH/d.out"
	tail -1 "$TRASH/d.out" | grep -q "complete (simulation"
	[ -z "$(ls -A "$TRASH/tmp")" ]
'

test_expect_success 'real transports: refused without confirmation off a terminal, and for kinds they cannot run yet' '
	expect_fail 2 $STACKHOP upgrade -i $SMALL --from newton --to ocata --transport local \
		--journal "$TRASH/x.journal" </dev/null
	grep_err "pre-validate"
	test ! -e "$TRASH/x.journal"
	expect_fail 2 $STACKHOP upgrade -i $SMALL --from newton --to ocata --transport warp
	grep_err "unknown transport"
'

# rt_settings FILE RUNTIME: settings whose plan is the infrastructure of
# examples/multinode alone (new-cluster Galera, full-stop RabbitMQ,
# HAProxy, keepalived, memcached), on RUNTIME.
rt_settings() {
	cat >"$1" <<EOF
vip: 10.231.0.100
endpoints: {database: "10.231.0.100:3306", rabbitmq: ["10.231.0.11:5672"], keystone: "http://10.231.0.100:5000/v3"}
runtime: $2
process: {control: [/bin/false]}
secrets: $TRASH/no-secrets.yaml
phases: {host: {hops: none}, ceph: {hops: none}, openstack: {hops: none}}
components:
  galera: {mode: new-cluster, version: "11.8"}
  rabbitmq: {mode: full-stop, version: "4.0"}
  haproxy: {version: "3.0"}
  keepalived: {version: "2.3"}
  memcached: {version: "1.6.38"}
EOF
}

test_expect_success 'runtime: docker refuses, before a journal exists, the kinds it cannot run, naming each' '
	rt_settings "$TRASH/rt-docker.yaml" docker
	expect_fail 2 $STACKHOP upgrade -i examples/multinode -s "$TRASH/rt-docker.yaml" \
		--from zed --to 2023.1 --transport local --yes --journal "$TRASH/rt.journal"
	grep_err "the docker runtime cannot run 6 step kinds of this plan"
	for k in galera-bootstrap galera-join rabbitmq-wipe rabbitmq-start rabbitmq-join \
		haproxy-upgrade; do
		grep_err "$k (lacks: "
	done
	grep_err "galera-join (lacks: keep a service.s data across versions)"
	grep_err "haproxy-upgrade (lacks: reload HAProxy)"
	# What the docker runtime can run is not named (keepalived s drain
	# is an exec in its container).
	for k in galera-drain galera-stop galera-validate rabbitmq-export rabbitmq-stop keepalived-upgrade \
		rabbitmq-import rabbitmq-policy rabbitmq-validate memcached-upgrade pre-validate db-backup; do
		test_lacks "$k (lacks" "$TRASH/err"
	done
	test_path_missing "$TRASH/rt.journal"
	# With the data directories in volumes and HAProxy s admin socket in
	# one, every kind of the plan passes the check: the plan is refused
	# only for want of confirmation.
	{
		echo "haproxy: {admin_socket: \"/srv/{node}/haproxy/admin.sock\"}"
		echo "docker:"
		echo "  volumes:"
		echo "    mariadb: [\"/srv/{node}/mysql:/var/lib/mysql\"]"
		echo "    rabbitmq: [\"/srv/{node}/rabbitmq:/var/lib/rabbitmq\"]"
		echo "    haproxy: [\"/srv/{node}/haproxy:/run/haproxy\"]"
	} >>"$TRASH/rt-docker.yaml"
	expect_fail 2 $STACKHOP upgrade -i examples/multinode -s "$TRASH/rt-docker.yaml" \
		--from zed --to 2023.1 --transport local --journal "$TRASH/rt.journal" </dev/null
	test_lacks "cannot run" "$TRASH/err"
	grep_err "without confirmation"
	test_path_missing "$TRASH/rt.journal"
	# The process runtime has every operation: the same plan passes the
	# check and is refused only for want of confirmation.
	rt_settings "$TRASH/rt-process.yaml" process
	expect_fail 2 $STACKHOP upgrade -i examples/multinode -s "$TRASH/rt-process.yaml" \
		--from zed --to 2023.1 --transport local --journal "$TRASH/rt.journal" </dev/null
	grep_err "without confirmation"
	test_path_missing "$TRASH/rt.journal"
'

# The crash test.  The uninterrupted run gives the reference end state
# and the list of durable writes (STACKHOP_CRASH_LOG); the run is then
# killed after each of them that ends a step (every step boundary), and
# after each one that starts or applies a long step (inside it).
test_expect_success 'crash test: SIGKILL at every step boundary and inside long steps, resume, same end state' '
	set -- -i $SMALL --from liberty --to ocata --transport sim
	STACKHOP_CRASH_AT=0 STACKHOP_CRASH_LOG="$CT/log" $STACKHOP upgrade "$@" \
		--journal "$CT/ref.journal" >/dev/null 2>"$CT/ref.err"
	states "$CT/ref.journal" >"$CT/ref.states"
	jq -S . "$CT/ref.journal.sim.json" >"$CT/ref.model"
	jq -e ".[0] == \"done\"" "$CT/ref.states"
	total=$(sed -n "s/^crash points: //p" "$CT/ref.err")
	$STACKHOP status --journal "$CT/ref.journal" --format json >"$CT/ref.json"
	jq -r ".steps[] | [.id, .kind, (.kind | test(\"^(db-sync|db-backup|online-migrations|command|host-upgrade|galera-node-upgrade)$\"))] | @tsv" \
		"$CT/ref.json" >"$CT/kinds"
	# Each kill point: its number, its step kind, boundary or inside.
	awk -F "\t" -v OFS="\t" "NR == FNR { kind[\$1] = \$2; long[\$1] = (\$3 == \"true\"); next }
		\$2 == \"done\" { sub(/^step .|. is done\$/, \"\", \$3); print \$1, kind[\$3], \"boundary\"; next }
		\$2 == \"sim\" && long[\$3] { print \$1, kind[\$3], \"inside\" }
		\$2 == \"running\" { sub(/^step .|. is running\$/, \"\", \$3); if (long[\$3]) print \$1, kind[\$3], \"inside\" }" \
		"$CT/kinds" "$CT/log" >"$CT/all"
	boundaries=$(awk -F "\t" "\$3 == \"boundary\"" "$CT/all" | wc -l)
	n=$(wc -l <"$CT/all")
	[ "$boundaries" -eq "$(jq ".[1] | length" "$CT/ref.states")" ]
	[ "$n" -gt "$boundaries" ]
	# Under a sanitizer (CI, or an ASan binary) every point costs ten
	# times as much: every CRASH_STRIDE-th point (default 8), and the
	# first of each step kind, boundary and inside, so that every kind is
	# killed both ways.  Otherwise, every point.
	stride=1
	if [ "${CI:-}" = true ] || grep -qa __asan_init "$STACKHOP"; then stride=${CRASH_STRIDE:-8}; fi
	awk -F "\t" -v s="$stride" "(NR - 1) % s == 0 || !seen[\$2, \$3]++ { print \$1 }
		{ seen[\$2, \$3] = 1 }" "$CT/all" >"$CT/points"
	# Every kind and way of the plan is among the points.
	[ "$(cut -f2,3 "$CT/all" | sort -u | wc -l)" = "$(awk -F "\t" "NR == FNR { p[\$1] = 1; next } p[\$1]" "$CT/points" "$CT/all" | cut -f2,3 | sort -u | wc -l)" ]
	tested=$(wc -l <"$CT/points")
	# (xargs fails when a case does: the report of the case says which.)
	# The placeholder is {}: a letter would also be replaced inside the
	# random temporary paths among the arguments.
	xargs -P 2 -I {} sh tests/cli/crash-case.sh {} "$CT" "$CT/ref" "$@" <"$CT/points" >"$CT/fails" || true
	if [ -s "$CT/fails" ]; then cat "$CT/fails"; false; fi
	echo "     kill points tested: $tested (stride $stride, and the first of each step kind and way) of $n: $boundaries step boundaries, $((n - boundaries)) inside long steps; $total durable writes" >&3
'

test_expect_success 'crash test: SIGKILL at timed instants inside running db syncs, resume, same end state' '
	set -- -i $SMALL --from liberty --to ocata --transport sim
	inside=0
	for nth in 1 4 9 14; do
		j="$CT/t$nth.journal"
		$STACKHOP upgrade "$@" --sim-unit-ms 15 --journal "$j" >/dev/null 2>&1 &
		pid=$!
		# Once the nth db sync has begun, stop the run (SIGSTOP) and look:
		# when a step is running, SIGKILL it there; else let it go on.
		landed=0
		ended=0
		while [ $landed = 0 ] && [ $ended = 0 ]; do
			n=$($STACKHOP status --journal "$j" --format json 2>/dev/null >"$CT/poll.json" &&
				jq "[.steps[] | select(.kind == \"db-sync\" and .state != \"planned\")] | length" "$CT/poll.json" 2>/dev/null || echo 0)
			if [ "${n:-0}" -ge $nth ]; then
				kill -STOP $pid
				states "$j" >"$CT/stopped"
				if jq -e "any(.[1][]; .[1] == \"running\")" "$CT/stopped" >/dev/null; then
					landed=1
				else
					kill -CONT $pid
					jq -e ".[0] == \"running\"" "$CT/stopped" >/dev/null || ended=1
				fi
			fi
			[ $landed = 1 ] || sleep 0.01
		done
		[ $landed = 1 ] || { echo "kill $nth: the run ended before it could be stopped in a running step"; false; }
		kill -9 $pid
		wait $pid || true
		inside=$((inside + 1))
		$STACKHOP resume --journal "$j" >/dev/null
		[ "$(states "$j")" = "$(cat "$CT/ref.states")" ]
		[ "$(jq -S . "$j.sim.json")" = "$(cat "$CT/ref.model")" ]
	done
	echo "     timed kills: 4, landed inside a running step: $inside" >&3
'

test_expect_success 'state files are 0600: the journal, its WAL and shared memory, the sim model, probe output' '
	umask 022
	$STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim --yes \
		--journal "$TRASH/p.journal" >/dev/null
	test "$(stat -c %a "$TRASH/p.journal")" = 600
	test "$(stat -c %a "$TRASH/p.journal.sim.json")" = 600
	# Killed in the middle, the WAL and its index stay beside the journal.
	set +e
	STACKHOP_CRASH_AT=20 $STACKHOP upgrade -i $SMALL --from newton --to ocata --transport sim \
		--yes --journal "$TRASH/k.journal" >/dev/null 2>&1
	rc=$?
	set -e
	test "$rc" = 137
	for f in k.journal k.journal-wal k.journal-shm k.journal.sim.json; do
		test "$(stat -c %a "$TRASH/$f")" = 600 || { echo "$f: $(stat -c %a "$TRASH/$f")"; false; }
	done
	expect_fail 1 $STACKHOP probe --target tcp:127.0.0.1:1 --duration 1 --out "$TRASH/probe.json"
	test "$(stat -c %a "$TRASH/probe.json")" = 600
	expect_fail 1 $STACKHOP probe --target tcp:127.0.0.1:1 --duration 1 --journal "$TRASH/p.journal"
	test "$(stat -c %a "$TRASH/p.journal")" = 600
'

test_done
