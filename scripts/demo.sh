#!/bin/sh
# demo.sh - what "make demo" shows until the lab and the executor land:
# the catalog, and the plan of the seed's journey (Liberty -> Ocata) for
# the seed's environment (examples/multinode), as text, JSON and SVG.
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
echo "full plan: $out/plan.txt, $out/plan.json; graph of the last hop: $out/newton-ocata.svg"
