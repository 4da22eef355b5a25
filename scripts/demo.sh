#!/bin/sh
# demo.sh - what "make demo" shows: the
# catalog; the plan of the seed's journey (Liberty -> Ocata) for the seed's
# environment (examples/multinode) as text, JSON and SVG; that plan run
# against the simulated cloud (nothing real is changed), killed half-way
# and resumed; then the lab brought up (real Galera, RabbitMQ, HAProxy,
# keepalived, Keystone, Placement, nova in namespaces), its status, the
# plan for it, and the lab upgraded for real by that plan.  The lab stays up:
# "make lab-down" (or "stackhop lab down") removes it.
set -eu
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"

echo "== stackhop $(./stackhop --version | cut -d' ' -f2): the release catalog"
./stackhop releases
echo
echo "== the seed's environment"
./stackhop inventory -i examples/multinode | head -1
echo
./stackhop plan -i examples/multinode -s examples/settings.yaml \
	--from liberty --to ocata >"$out/plan.txt"
./stackhop plan -i examples/multinode -s examples/settings.yaml \
	--from liberty --to ocata --format json >"$out/plan.json"
./stackhop plan -i examples/multinode -s examples/settings.yaml \
	--from newton --to ocata --format dot >"$out/newton-ocata.dot"
dot -Tsvg "$out/newton-ocata.dot" -o "$out/newton-ocata.svg"

echo "== the plan: liberty -> ocata"
grep -E '^(stackhop plan|hop |  services:|  note:)' "$out/plan.txt"
echo
echo "== newton -> ocata, nova up to its first started container"
awk '/^hop 3\/3/ { h = 1 } h && /^    nova$/ { n = 1 } n { print } n && /container-start#b1/ { exit }' \
	"$out/plan.txt"
echo
echo "== steps per hop and phase (from the JSON plan)"
jq -r '.hops[] | "\(.from) -> \(.to): " +
	([.steps | group_by(.phase)[] | "\(.[0].phase) \(length)"] | join(", "))' "$out/plan.json"
echo
echo "== the plan run against the simulated cloud (transport sim: nothing real is changed)"
rm -f "$out/run.journal" "$out/run.journal.sim.json" "$out/run.journal-wal" "$out/run.journal-shm"
# Killed with SIGKILL after its 1500th journal or model write, then resumed.
STACKHOP_CRASH_AT=1500 ./stackhop upgrade -i examples/multinode -s examples/settings.yaml \
	--from liberty --to ocata --transport sim --journal "$out/run.journal" \
	>"$out/run.log" 2>&1 || echo "(run killed with SIGKILL as planned: exit status $?)"
./stackhop status --journal "$out/run.journal" | head -3
echo "resuming:"
./stackhop resume --journal "$out/run.journal" | tail -1
./stackhop status --journal "$out/run.journal" | head -3
jq -r '"model: release \(.release); cells: \(.facts | keys | map(select(test("cell"))) | join(", "));" +
	" nova_cell0 schema \(.databases.nova_cell0.release); keystone entries: \(.keystone | length)"' \
	"$out/run.journal.sim.json"
echo
echo "== the lab: a real clustered control plane on this machine, every service a"
echo "   container of Debian 12's point-release image through the Docker API"
s=$(date +%s)
./stackhop lab up
echo "(lab up took $(($(date +%s) - s)) s)"
./stackhop lab status
echo
echo "== the plan for the lab, which runs Zed (Debian 12's point release); its"
echo "   settings name the updated images: Zed's patch levels on both sides, so"
echo "   --from zed --to zed, a minor update with Zed's own steps (not a release hop)"
./stackhop plan -i /var/tmp/stackhop-lab/inventory -s /var/tmp/stackhop-lab/settings.yaml \
	--from zed --to zed | grep -E '^(stackhop plan|minor update |  services:|  phase )'
echo
echo "== the lab updated for real through the Docker API: health checks and a verified"
echo "   backup first, Galera rolling, RabbitMQ full-stop, HAProxy (seamless reload"
echo "   across containers), keepalived, memcached, then Keystone controller by"
echo "   controller (drained in HAProxy, container removed with its old image, db_sync"
echo "   expand/contract in a one-off container of the new image, a new container, a"
echo "   token through the VIP), Placement, and nova: archive_deleted_rows, cells v2"
echo "   found, db syncs, conductor, scheduler and API on the new image, nova-status"
echo "   upgrade check; the prober running"
lab=/var/tmp/stackhop-lab
rm -rf "$out/lab.journal" "$out/lab.journal-wal" "$out/lab.journal-shm" "$out/lab.journal.files"
s=$(date +%s)
./stackhop upgrade -i "$lab/inventory" -s "$lab/settings.yaml" --from zed --to zed \
	--yes --journal "$out/lab.journal" >"$out/lab-run.log" 2>&1 ||
	{ cat "$out/lab-run.log"; exit 1; }
took=$(($(date +%s) - s))
./stackhop galera status -s "$lab/settings.yaml"
echo "the containers now (lab status, from GET /containers/json):"
./stackhop lab status | grep -E '^ctl[0-9] +ctl[0-9]_(mariadb|haproxy|keystone|nova_conductor) '
echo "cells v2 (nova-manage cell_v2 list_cells in a one-off container, name and UUID):"
./stackhop step container-run -s "$lab/settings.yaml" --node ctl1 --component nova-conductor -- \
	nova-manage cell_v2 list_cells 2>/dev/null |
	awk -F'|' '/cell[01]/ { gsub(/ /, ""); print "  " $2 " " $3 }'
# The nova-status table as stackhop reported it.
awk '/^\| zed\/nova\/status: / { on = 1 } on && /^\| (zed|Check|Result)/ { print } on && /^[^|+]/ { on = 0 }' \
	"$out/lab-run.log"
echo
echo "full plan: $out/plan.txt, $out/plan.json; graph of the last hop: $out/newton-ocata.svg"
echo "run journal: $out/run.journal (stackhop status --journal $out/run.journal --format json)"
echo "lab run: $out/lab-run.log, journal $out/lab.journal"
echo "the lab is up: stackhop lab status; make lab-down removes it"
echo
echo "== summary of the lab's minor update (zed, $took s)"
grep -E '^[0-9]+ of [0-9]+ steps' "$out/lab-run.log"
# The prober's outages, then its downtime per probed target.
awk '/^prober:/ { on = 1 } /^[0-9]+ of [0-9]+ steps/ { on = 0 } on' "$out/lab-run.log"
