#!/bin/sh
# t0100-plan.sh - stackhop plan, releases and inventory from the command line.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

export INV=examples/multinode

# man_has OPTION: the man page mentions OPTION (written \-\-option in roff).
man_has() {
	grep -qF -- "$(printf '%s' "$1" | sed 's/-/\\-/g')" docs/stackhop.1
}

test_expect_success '--version and --help of every command' '
	$STACKHOP --version >"$TRASH/v"
	grep -q "^stackhop [0-9]" "$TRASH/v"
	$STACKHOP --help >"$TRASH/h"
	grep -q "usage: stackhop" "$TRASH/h"
	for c in plan releases inventory status exec upgrade resume lab; do
		$STACKHOP $c --help >"$TRASH/h"
		grep -q "usage: stackhop $c" "$TRASH/h"
		$STACKHOP help $c >"$TRASH/h"
		grep -q "usage: stackhop $c" "$TRASH/h"
	done
'

test_expect_success 'liberty to ocata is three hops, one release at a time' '
	$STACKHOP plan -i $INV --from liberty --to ocata >"$TRASH/plan.txt"
	head -1 "$TRASH/plan.txt" | grep -q "liberty -> ocata, 3 hops"
	grep -q "^hop 1/3: liberty -> mitaka" "$TRASH/plan.txt"
	grep -q "^hop 2/3: mitaka -> newton" "$TRASH/plan.txt"
	grep -q "^hop 3/3: newton -> ocata" "$TRASH/plan.txt"
	test "$(grep -c "^hop " "$TRASH/plan.txt")" = 3
'

test_expect_success 'JSON: the documented shape, every after id exists' '
	$STACKHOP plan -i $INV --from liberty --to ocata --format json >"$TRASH/plan.json"
	jq -e ".from == \"liberty\" and .to == \"ocata\" and (.hops | length) == 3" "$TRASH/plan.json"
	jq -e "[.hops[] | .from + \">\" + .to] == [\"liberty>mitaka\", \"mitaka>newton\", \"newton>ocata\"]" "$TRASH/plan.json"
	jq -e "[.hops[].steps[] | has(\"id\") and has(\"kind\") and has(\"phase\") and has(\"targets\") and has(\"after\")] | all" "$TRASH/plan.json"
	jq -e "([.hops[].steps[].id]) as \$ids | [.hops[].steps[].after[]] - \$ids == []" "$TRASH/plan.json"
	jq -e "[.hops[].steps[].id] | length == (unique | length)" "$TRASH/plan.json"
'

test_expect_success 'JSON: in the ocata hop, placement and cells v2 precede nova db sync' '
	jq -r ".hops[2].steps[].id" "$TRASH/plan.json" >"$TRASH/ids"
	line() { grep -n "^$1\$" "$TRASH/ids" | cut -d: -f1; }
	test "$(line ocata/nova/keystone-placement)" -lt "$(line ocata/nova/db-sync)"
	test "$(line ocata/nova/cell-v2-map-cell0)" -lt "$(line ocata/nova/cell-v2-create-cell1)"
	test "$(line ocata/nova/cell-v2-create-cell1)" -lt "$(line ocata/nova/api-db-sync)"
	test "$(line ocata/nova/api-db-sync)" -lt "$(line ocata/nova/db-sync)"
'

test_expect_success 'the text plan lists the config changes of each hop' '
	grep -q "transport_url \[DEFAULT\] rpc_backend -> \[DEFAULT\] transport_url (deprecated in newton, removed in stein)" "$TRASH/plan.txt"
	grep -q "remove \[DEFAULT\] verbose (deprecated in liberty, removed in pike)" "$TRASH/plan.txt"
'

test_expect_success 'DOT renders with Graphviz' '
	$STACKHOP plan -i $INV --from newton --to ocata --format dot >"$TRASH/plan.dot"
	dot -Tsvg "$TRASH/plan.dot" -o "$TRASH/plan.svg"
	grep -q "<svg" "$TRASH/plan.svg"
'

test_expect_success 'SLURP: 2023.1 to 2024.1 is one hop, 2023.2 to 2024.2 two' '
	$STACKHOP plan -i $INV --from 2023.1 --to 2024.1 >"$TRASH/p1"
	head -1 "$TRASH/p1" | grep -q ", 1 hop,"
	$STACKHOP plan -i $INV --from 2023.1 --to 2024.1 --direct >"$TRASH/p2"
	grep -q "SLURP jump" "$TRASH/p2"
	$STACKHOP plan -i $INV --from 2023.2 --to 2024.2 >"$TRASH/p3"
	head -1 "$TRASH/p3" | grep -q ", 2 hops,"
'

test_expect_success 'the same release on both sides is a minor update, named as one, not a hop' '
	$STACKHOP plan -i $INV --from zed --to zed >"$TRASH/m1"
	head -1 "$TRASH/m1" | grep -q "^stackhop plan: minor update of zed (.*not a release hop), [0-9]* steps$"
	grep -q "^minor update of zed ([0-9]* steps)$" "$TRASH/m1"
	test_lacks "^hop \|zed -> zed\|  note:" "$TRASH/m1"
	grep -q " keystone/db-expand " "$TRASH/m1"
	$STACKHOP plan -i $INV --from zed --to zed --format json >"$TRASH/m1.json"
	jq -e ".minor_update == true and (.hops | length) == 1 and (.hops[0].notes | length) == 0" "$TRASH/m1.json"
	jq -e "[.hops[0].steps[].id | startswith(\"zed/\")] | all" "$TRASH/m1.json"
	$STACKHOP plan -i $INV --from zed --to 2023.1 --format json >"$TRASH/m2.json"
	jq -e ".minor_update == false" "$TRASH/m2.json"
	$STACKHOP upgrade -i $INV --from zed --to zed --transport sim --journal "$TRASH/mj" --yes \
		--sim-unit-ms 0 >"$TRASH/mu.out"
	tail -1 "$TRASH/mu.out" | grep -q "steps done in .*: minor update of zed complete"
	$STACKHOP status --journal "$TRASH/mj" >"$TRASH/ms.out"
	grep -q "^journey: minor update of zed, run done$" "$TRASH/ms.out"
'

test_expect_success 'downgrades, unknown releases and unsupported jumps are refused' '
	expect_fail 2 $STACKHOP plan -i $INV --from ocata --to liberty
	grep_err "error: refusing to downgrade from ocata to liberty"
	expect_fail 2 $STACKHOP plan -i $INV --from liberty --to ocatta
	grep_err "unknown release .ocatta. in --to"
	expect_fail 2 $STACKHOP plan -i $INV --from 2023.2 --to 2024.2 --direct
	grep_err "unsupported jump from bobcat (2023.2) to dalmatian (2024.2)"
'

test_expect_success 'bad arguments exit 2 with a hint' '
	expect_fail 2 $STACKHOP plan --from liberty --to ocata
	grep_err "missing -i INVENTORY"
	expect_fail 2 $STACKHOP plan -i $INV --from liberty --to ocata --format yaml
	grep_err "unknown format .yaml."
	expect_fail 2 $STACKHOP plan -i $INV --from liberty
	grep_err "missing --to RELEASE"
	expect_fail 2 $STACKHOP frobnicate
	grep_err "unknown command .frobnicate."
	expect_fail 2 $STACKHOP
'

test_expect_success 'bad inventories: file:line and exit 2, never a crash' '
	printf "[control]\ncontrol01\n[cloud:children]\ncontrl\n" >"$TRASH/inv1"
	expect_fail 2 $STACKHOP plan -i "$TRASH/inv1" --from liberty --to mitaka
	grep_err "inv1:4: unknown group .contrl."
	printf "[compute]\nnode[9:1]\n" >"$TRASH/inv2"
	expect_fail 2 $STACKHOP plan -i "$TRASH/inv2" --from liberty --to mitaka
	grep_err "inv2:2: bad host range"
	expect_fail 2 $STACKHOP plan -i /dev/null --from liberty --to mitaka
	grep_err "no hosts"
	expect_fail 2 $STACKHOP plan -i "$TRASH" --from liberty --to mitaka
	grep_err "is a directory"
'

test_expect_success 'bad settings and catalogs: file:line and exit 2' '
	printf "rolling:\n  compute: {serial: lots}\n" >"$TRASH/s.yaml"
	expect_fail 2 $STACKHOP plan -i $INV -s "$TRASH/s.yaml" --from liberty --to mitaka
	grep_err "s.yaml:2: serial of rolling .compute."
	cp -r catalog "$TRASH/cat"
	sed -i "s/{name: pike,     date: 2017-08-30, /{name: pike, /" "$TRASH/cat/releases.yaml"
	expect_fail 2 $STACKHOP plan -i $INV --catalog "$TRASH/cat" --from liberty --to mitaka
	grep_err "cat/releases.yaml:25: missing field .date. in release .pike."
	STACKHOP_CATALOG="$TRASH/cat" expect_fail 2 $STACKHOP releases
	grep_err "releases.yaml:25"
'

test_expect_success 'a release is added by data alone' '
	rm -rf "$TRASH/cat" && cp -r catalog "$TRASH/cat"
	sed -i "/{name: indri/a\\  - {name: juniper, id: \"2027.2\", date: 2027-09-29, status: future, slurp: false, source: \"test\"}" "$TRASH/cat/releases.yaml"
	$STACKHOP releases --catalog "$TRASH/cat" >"$TRASH/r"
	grep -q "^juniper *2027.2" "$TRASH/r"
	$STACKHOP plan -i $INV --catalog "$TRASH/cat" --from 2027.1 --to 2027.2 >"$TRASH/p"
	grep -q "warning: juniper (2027.2) is not released yet" "$TRASH/p"
'

test_expect_success 'releases and inventory commands' '
	$STACKHOP releases >"$TRASH/r"
	grep -q "^antelope *2023.1 .* yes" "$TRASH/r"
	$STACKHOP releases --format json >"$TRASH/r.json"
	jq -e "length == 24 and .[0].name == \"liberty\"" "$TRASH/r.json"
	$STACKHOP inventory -i $INV >"$TRASH/i"
	head -1 "$TRASH/i" | grep -q "^19 hosts"
	$STACKHOP inventory -i $INV --format json >"$TRASH/i.json"
	jq -e ".groups[\"ceph-osd\"] == [\"storage01\",\"storage02\",\"storage03\"]" "$TRASH/i.json"
'

test_expect_success 'plan --save writes a journal that status reads' '
	$STACKHOP plan -i $INV --from newton --to ocata --save "$TRASH/run.journal" >/dev/null
	$STACKHOP status --journal "$TRASH/run.journal" >"$TRASH/st"
	grep -q "^journey: newton -> ocata, run planned" "$TRASH/st"
	$STACKHOP plan -i $INV --from newton --to ocata --format json >"$TRASH/p.json"
	n=$(jq "[.hops[].steps[]] | length" "$TRASH/p.json")
	$STACKHOP status --journal "$TRASH/run.journal" --format json >"$TRASH/status.json"
	jq -e "(.steps | length) == $n and ([.steps[].state] | unique) == [\"planned\"]" "$TRASH/status.json"
	expect_fail 2 $STACKHOP plan -i $INV --from newton --to ocata --save "$TRASH/run.journal"
	grep_err "already exists"
	expect_fail 2 $STACKHOP status --journal "$TRASH/none.journal"
	grep_err "does not exist"
	expect_fail 2 $STACKHOP status
	grep_err "missing --journal PATH"
'

test_expect_success 'exec shows output with the secrets redacted' '
	printf "[local]\nme ansible_connection=local\n" >"$TRASH/local.inv"
	printf "db_password: \"Pa55-w0rd\"\n" >"$TRASH/secrets.yaml"
	chmod 600 "$TRASH/secrets.yaml"
	printf "secrets: secrets.yaml\n" >"$TRASH/s-secrets.yaml"
	$STACKHOP exec -i "$TRASH/local.inv" -s "$TRASH/s-secrets.yaml" -- echo "pw=Pa55-w0rd" >"$TRASH/exec.out"
	grep -q "^pw=\[redacted\]$" "$TRASH/exec.out"
	test_lacks "Pa55" "$TRASH/exec.out"
	chmod 644 "$TRASH/secrets.yaml"
	expect_fail 2 $STACKHOP exec -i "$TRASH/local.inv" -s "$TRASH/s-secrets.yaml" -- true
	grep_err "has mode 0644"
'

test_expect_success 'the man page and README document every command, and every option of plan, upgrade and resume' '
	$STACKHOP --help >"$TRASH/h"
	for c in $(awk "/^Commands:/ {on=1; next} on && /^  [a-z]/ {print \$1}" "$TRASH/h"); do
		grep -q "^.B stackhop $c" docs/stackhop.1
		grep -q "stackhop $c" README.md
	done
	for c in plan upgrade resume; do
		$STACKHOP $c --help >"$TRASH/h"
		for o in $(grep -o -- "--[a-z-]*[a-z]" "$TRASH/h" | sort -u); do
			man_has "$o" || { echo "man page lacks $o"; false; }
			grep -q -- "$o" README.md || { echo "README lacks $o"; false; }
		done
	done
'

test_expect_success 'kolla-ansible multinode: no step targets the deployment host' '
	KINV=tests/data/kolla-multinode
	$STACKHOP plan -i $KINV --from 2024.1 --to 2025.1 --format json >"$TRASH/kolla.json"
	jq -e "[.hops[].steps[] | select(.targets | index(\"localhost\"))] == []" "$TRASH/kolla.json"
	jq -e "[.hops[].steps[] | select(.kind == \"host-upgrade\") | .targets[]] | index(\"monitoring01\") and index(\"control01\")" "$TRASH/kolla.json"
	$STACKHOP plan -i $KINV --from liberty --to ocata >"$TRASH/kolla.txt"
	grep -q "^warning: the host upgrade leaves out localhost, the deployment host" "$TRASH/kolla.txt"
	grep -v "^warning:" "$TRASH/kolla.txt" >"$TRASH/kolla-steps.txt"
	test_lacks localhost "$TRASH/kolla-steps.txt"
'

test_expect_success 'deployment_host: upgrade adds its host upgrade last, without a reboot' '
	printf "deployment_host: upgrade\n" >"$TRASH/s-deploy.yaml"
	$STACKHOP plan -i tests/data/kolla-multinode -s "$TRASH/s-deploy.yaml" --from 2024.1 --to 2025.1 --format json >"$TRASH/kolla-d.json"
	jq -e "[.hops[].steps[] | select(.targets | index(\"localhost\")) | [.kind, .params.reboot]] == [[\"host-upgrade\", \"no\"]]" "$TRASH/kolla-d.json"
	jq -e "[.hops[].steps[] | select(.phase == \"host\")] | last | .targets == [\"localhost\"]" "$TRASH/kolla-d.json"
	printf "deployment_host: reboot\n" >"$TRASH/s-deploy.yaml"
	expect_fail 2 $STACKHOP plan -i tests/data/kolla-multinode -s "$TRASH/s-deploy.yaml" --from 2024.1 --to 2025.1
	grep_err "s-deploy.yaml:1: deployment_host must be skip or upgrade"
'

test_done
