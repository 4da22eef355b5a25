#!/bin/sh
# t0170-transport.sh - what stackhop's transport does with the data and the
# processes of its commands, on this machine (ansible_connection=local):
# data read from a node arrives whole or the step fails saying so, files
# written back keep their owner and mode, children get only fds 0-2,
# finished processes are released.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# A "node" that is this machine, with the docker runtime's configuration
# directories under $TRASH (config-migrate reads and writes them through
# the transport; it needs no container engine).
printf "[control]\nme ansible_connection=local\n" >"$TRASH/inv"
(umask 077 && echo "database_password: \"xyzzy-plugh\"" >"$TRASH/secrets.yaml")
cat >"$TRASH/docker.yaml" <<EOT
runtime: docker
secrets: secrets.yaml
docker:
  socket: $TRASH/none.sock
  config_dir: $TRASH/kolla/{component}
EOT
export INV="$TRASH/inv" SET="$TRASH/docker.yaml"

# gen_conf LINES: a nova.conf with "verbose" (removed by pike's renames)
# and LINES generated options in sections, with comments.
gen_conf() {
	printf "[DEFAULT]\n# kept\nverbose = true\ndebug = false\n"
	seq 1 "$1" | awk '{
		if ($1 % 1000 == 1) printf "\n[section_%d]\n# a comment of section %d\n", $1, $1
		printf "opt_%d = value %d of a generated configuration file\n", $1, $1
	}'
}

test_expect_success 'config-migrate through a node: a 270 KB file whole, byte for byte but the rename; owner and mode kept' '
	mkdir -p "$TRASH/kolla/nova"
	gen_conf 5000 >"$TRASH/kolla/nova/nova.conf"
	[ "$(wc -c <"$TRASH/kolla/nova/nova.conf")" -gt 200000 ]
	grep -v "^verbose = true$" "$TRASH/kolla/nova/nova.conf" >"$TRASH/expected"
	chown nobody:nogroup "$TRASH/kolla/nova/nova.conf"
	chmod 640 "$TRASH/kolla/nova/nova.conf"
	$STACKHOP step config-migrate -s "$SET" -i "$INV" --node me --component nova \
		--catalog catalog --release pike >"$TRASH/m1"
	grep -q "^\[.*\] me: $TRASH/kolla/nova/nova.conf: configuration written (1 changes)$" "$TRASH/m1"
	cmp "$TRASH/expected" "$TRASH/kolla/nova/nova.conf"
	[ "$(stat -c "%U:%G %a" "$TRASH/kolla/nova/nova.conf")" = "nobody:nogroup 640" ]
	test_path_missing "$TRASH/kolla/nova/nova.conf.stackhop-new"
	$STACKHOP step config-migrate -s "$SET" -i "$INV" --node me --component nova \
		--catalog catalog --release pike >"$TRASH/m2"
	grep -q "needs no change" "$TRASH/m2"
'

test_expect_success 'data over the limit of what is read from a node: the step fails naming node, file and limit, nothing written' '
	mkdir -p "$TRASH/kolla/nova"
	{ gen_conf 10; yes "filler = 0123456789abcdef0123456789abcdef" | head -n 500000; } \
		>"$TRASH/kolla/nova/nova.conf"
	[ "$(wc -c <"$TRASH/kolla/nova/nova.conf")" -gt 16777216 ]
	cp -p "$TRASH/kolla/nova/nova.conf" "$TRASH/big.orig"
	expect_fail 1 $STACKHOP step config-migrate -s "$SET" -i "$INV" --node me --component nova \
		--catalog catalog --release pike
	grep_err "me:$TRASH/kolla/nova/nova.conf: cat on me printed more than 16 MiB, the limit of data read from a node"
	cmp "$TRASH/big.orig" "$TRASH/kolla/nova/nova.conf"
	test_path_missing "$TRASH/kolla/nova/nova.conf.stackhop-new"
'

test_expect_success 'stackhop exec on 2,000 local hosts under ulimit -n 256: each process released when it ends' '
	{ echo "[many]"; seq 1 2000 | sed "s/.*/h& ansible_connection=local/"; } >"$TRASH/many.inv"
	(ulimit -n 256 && exec $STACKHOP exec -i "$TRASH/many.inv" --forks 50 --quiet -- true) \
		>"$TRASH/many.out" 2>&1 || { cat "$TRASH/many.out"; false; }
	test_lacks . "$TRASH/many.out"
	(ulimit -n 256 && exec $STACKHOP exec -i "$TRASH/many.inv" --forks 50 -- true) >"$TRASH/many2.out"
	[ "$(grep -c "^== h[0-9]*: ok, exit status 0$" "$TRASH/many2.out")" = 2000 ]
	grep -q "^2000 hosts, 0 failed$" "$TRASH/many2.out"
'

test_expect_success 'a child gets only fds 0-2, not what stackhop holds or inherited' '
	$STACKHOP exec -i "$INV" -- sh -c "ls /proc/\$\$/fd" 7<"$TRASH/inv" 8>"$TRASH/eight" >"$TRASH/fds"
	[ "$(sed -n "2,\$p" "$TRASH/fds" | sed "\$d" | tr "\n" " ")" = "0 1 2 " ]
'

test_expect_success 'stdout closed early (| head -1): plan and a journaled run exit 0, no Broken pipe, the run not killed' '
	{ rc=0; $STACKHOP plan -i examples/multinode --from liberty --to ocata 2>"$TRASH/p.err" || rc=$?
	  echo $rc >"$TRASH/p.rc"; } | head -1 >"$TRASH/p.head"
	[ "$(cat "$TRASH/p.rc")" = 0 ]
	grep -q "^stackhop plan: liberty -> ocata" "$TRASH/p.head"
	test_lacks "Broken pipe" "$TRASH/p.err"
	{ rc=0; $STACKHOP upgrade -i examples/multinode --from liberty --to ocata --transport sim --yes \
		--journal "$TRASH/pipe.journal" 2>"$TRASH/u.err" || rc=$?
	  echo $rc >"$TRASH/u.rc"; } | head -1 >/dev/null
	[ "$(cat "$TRASH/u.rc")" = 0 ]
	test_lacks "Broken pipe" "$TRASH/u.err"
	$STACKHOP status --journal "$TRASH/pipe.journal" --format json >"$TRASH/pipe.json"
	jq -e ".state == \"done\" and all(.steps[]; .state == \"done\")" "$TRASH/pipe.json"
'

test_expect_success 'a write error on stdout other than a closed pipe is an error' '
	expect_fail 1 sh -c "$STACKHOP releases >/dev/full"
	grep_err "^error: cannot write to standard output: No space left on device$"
	expect_fail 1 sh -c "$STACKHOP plan -i examples/multinode --from liberty --to ocata >/dev/full"
	grep_err "^error: cannot write the plan to standard output$"
	[ "$(grep -c . "$TRASH/err")" = 1 ]
'

test_expect_success 'a secret cut at the front of a kept tail is not shown in part' '
	# A tail keeps the last 64 KiB of a stream: print the secret, then
	# 65,536 - 8 more bytes, so the tail begins 10 bytes into it.
	printf "db_password: \"Passw0rd-Long-Tail\"\n" >"$TRASH/cut-secrets.yaml"
	chmod 600 "$TRASH/cut-secrets.yaml"
	printf "secrets: cut-secrets.yaml\n" >"$TRASH/cut.yaml"
	$STACKHOP exec -i "$INV" -s "$TRASH/cut.yaml" -- \
		sh -c "printf Passw0rd-Long-Tail; head -c 65527 /dev/zero | tr \"\\\\0\" x; echo" >"$TRASH/cut.out"
	grep -q "^\[\.\.\.\]$" "$TRASH/cut.out"
	test_lacks "ong-Tail" "$TRASH/cut.out"
	test_lacks "Tail" "$TRASH/cut.out"
'

test_done
