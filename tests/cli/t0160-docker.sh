#!/bin/sh
# t0160-docker.sh - the docker runtime (stackhop docker) for real against
# Podman's Docker-compatible API: an image made from Debian's
# busybox-static, a container created with a bind-mounted configuration,
# the host's network (as kolla runs them; on loopback here)
# and a health check, started, waited for healthy, stopped, removed, its
# image removed; and the API's errors (404, 409) as clear messages.  Then
# the plan's container steps with the docker runtime on a node reached
# over ssh (its socket forwarded): the kolla flow from one image version
# to the next, and config-migrate on the containers' files.  Then one
# engine serving two nodes (the lab's layout): containers named and
# networked per node, each in its node's network namespace.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lab/podman.sh
. "$(dirname "$0")/../../lab/podman.sh"
# shellcheck source=tests/lib/sshd-nodes.sh
. "$(dirname "$0")/../lib/sshd-nodes.sh"

PM=$TRASH/podman
export PM
# unalias: the node-named aliases of the nodes' namespaces (below).
unalias_ns() {
	for a in "/run/netns/shd$$-node"*; do
		[ -e "$a" ] || continue
		umount "$a" 2>/dev/null || true
		rm -f "$a"
	done
}
trap 'unalias_ns; nodes_down; podman_down "$PM"; rm -rf "$TRASH"' EXIT
IMG=localhost/stackhop-busybox:1
export IMG
# bad_settings NAME YAML MESSAGE: a plan with settings YAML (printf's
# escapes) is refused (exit 2) with MESSAGE.
bad_settings() {
	printf "%b" "$2" >"$TRASH/$1.yaml"
	expect_fail 2 $STACKHOP plan -i "$TRASH/nodes/inv" -s "$TRASH/$1.yaml" --from zed --to 2023.1
	grep_err "$3"
}
# A node reached over ssh, for the container steps (its sshd shares this
# machine's files: the Podman socket is the node's).
mkdir -p "$TRASH/nodes"
if ! nodes_up "$TRASH/nodes" 2 "shd$$"; then
	echo "0 passed, 1 failed"
	exit 1
fi

test_expect_success 'podman serves the Docker API here (with the workarounds); the busybox image is imported' '
	ls /run/netns 2>/dev/null >"$TRASH/netns.before" || true
	podman_up "$PM"
	podman_busybox "$PM" "$IMG"
	$STACKHOP docker --socket "$PM/api.sock" version >"$TRASH/v"
	grep -q "^Podman Engine [0-9.]* on $PM/api.sock$" "$TRASH/v"
	curl -sf --unix-socket "$PM/api.sock" http://localhost/v1.41/images/json | jq -e "any(.[]; .RepoTags | index(\"$IMG\"))"
'

test_expect_success 'create with the config volume and a health check, start, wait healthy; the service serves its config' '
	mkdir -p "$TRASH/cfg"
	echo "served from the config volume" >"$TRASH/cfg/index.html"
	D="$STACKHOP docker --socket $PM/api.sock"
	$D inspect web >"$TRASH/i0"
	grep -q "^web: no such container$" "$TRASH/i0"
	$D create web --image "$IMG" --bind "$TRASH/cfg:/etc/svc:ro" --init --network host \
		--health "/bin/wget -q -O /dev/null http://127.0.0.1:18080/index.html" --health-interval 500 \
		-- /bin/httpd -f -p 127.0.0.1:18080 -h /etc/svc >"$TRASH/c"
	grep -q "^web: created from $IMG, id [0-9a-f]\{12\}$" "$TRASH/c"
	$D start web
	s=$(date +%s.%N)
	$D wait web --timeout 30 >"$TRASH/w"
	e=$(date +%s.%N)
	grep -q "^web: running and healthy$" "$TRASH/w"
	$D inspect web >"$TRASH/i1"
	grep -q "^web: running, health healthy, image $IMG, id " "$TRASH/i1"
	podman_cli "$PM" exec web /bin/wget -q -O - http://127.0.0.1:18080/index.html | grep -q "served from the config volume"
	# exec through the API: its stdout, its stderr, its exit status.
	$D exec web -- /bin/wget -q -O - http://127.0.0.1:18080/index.html >"$TRASH/x1"
	grep -q "^served from the config volume$" "$TRASH/x1"
	rc=0
	$D exec web -- /bin/sh -c "echo out; echo to-stderr >&2; exit 4" >"$TRASH/x2" 2>"$TRASH/x2.err" || rc=$?
	[ "$rc" = 4 ]
	[ "$(cat "$TRASH/x2")" = out ]
	[ "$(cat "$TRASH/x2.err")" = to-stderr ]
	expect_fail 1 $D exec nosuch -- /bin/true
	grep_err "POST /containers/nosuch/exec: 404 not found"
	expect_fail 2 $D exec web
	grep_err "exec needs -- COMMAND"
	echo "     start to healthy through the API: $(echo "$e - $s" | bc) s" >&3
'

test_expect_success 'conflicts and missing objects are clear errors: 409 image in use, 404 no such container' '
	D="$STACKHOP docker --socket $PM/api.sock"
	expect_fail 1 $D image-remove "$IMG"
	grep_err "DELETE /images/$IMG: 409 conflict: .*in use"
	expect_fail 1 $D stop nosuch
	grep_err "POST /containers/nosuch/stop?t=10: 404 not found: .*no such container"
	expect_fail 1 $D wait nosuch
	grep_err "no container .nosuch."
	expect_fail 2 $D stop "a/b"
	grep_err "bad container name .a/b."
	expect_fail 2 $D create web2
	grep_err "create needs --image"
	expect_fail 1 $STACKHOP docker --socket "$TRASH/none.sock" version
	grep_err "docker API on $TRASH/none.sock: GET /version: "
'

test_expect_success 'stop within the timeout, remove, remove the image; a second remove is a 404' '
	D="$STACKHOP docker --socket $PM/api.sock"
	s=$(date +%s.%N)
	$D stop web --timeout 5
	e=$(date +%s.%N)
	$D inspect web >"$TRASH/i2"
	grep -q "^web: exited" "$TRASH/i2"
	# A stopped container stays stopped: not an error.
	$D stop web
	$D remove web
	$D inspect web >"$TRASH/i3"
	grep -q "no such container" "$TRASH/i3"
	expect_fail 1 $D remove web
	grep_err "DELETE /containers/web: 404 not found"
	$D image-remove "$IMG"
	expect_fail 1 $D image-remove "$IMG"
	grep_err "404 not found"
	# Host networking: no network namespace made, none left behind.
	ls /run/netns 2>/dev/null | cmp - "$TRASH/netns.before"
	echo "     stop (SIGTERM through the init): $(echo "$e - $s" | bc) s" >&3
'

test_expect_success 'container steps, runtime docker, on a node over ssh: stop, remove, image-remove, start, health-check, config-migrate' '
	cmd="[\"/bin/httpd\", \"-f\", \"-p\", \"127.0.0.1:18082\", \"-h\", \"/var/lib/kolla/config_files\"]"
	podman_busybox "$PM" localhost/stackhop-web:1 "$cmd"
	podman_busybox "$PM" localhost/stackhop-web:2 "$cmd"
	mkdir -p "$TRASH/kolla/web"
	echo "web config" >"$TRASH/kolla/web/index.html"
	printf "[DEFAULT]\n# kept\nverbose = true\ndebug = false\n" >"$TRASH/kolla/web/nova.conf"
	chmod 640 "$TRASH/kolla/web/nova.conf"
	(umask 077 && echo "database_password: \"xyzzy-plugh\"" >"$TRASH/nodes/secrets.yaml")
	# The forwarded socket a SIGKILLed run left behind (its PID gone): the
	# next run removes it.  And one of a live process, which stays.
	sh -c "exit 0" &
	dead=$!
	wait $dead
	sleep 1000 &
	live=$!
	mkdir -p -m 700 /tmp/stackhop-ssh-"$(id -u)"
	for p in $dead $live; do
		python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" \
			/tmp/stackhop-ssh-"$(id -u)"/docker-$p-node9.sock
	done
	{
		cat "$TRASH/nodes/settings.yaml"
		echo "runtime: docker"
		echo "secrets: secrets.yaml"
		echo "docker:"
		echo "  socket: $PM/api.sock"
		echo "  image: \"localhost/stackhop-{component}:{version}\""
		echo "  config_dir: $TRASH/kolla/{component}"
		echo "  stop_timeout: 5"
		echo "  run_prefix: []"
		echo "  healthcheck:"
		echo "    web: [/bin/wget, -q, -O, /dev/null, \"http://127.0.0.1:18082/index.html\"]"
	} >"$TRASH/nodes/docker.yaml"
	st() { k=$1; shift; $STACKHOP step "$k" -s "$TRASH/nodes/docker.yaml" -i "$TRASH/nodes/inv" "$@"; }
	st container-start --component web --node node1 --to 1 >"$TRASH/s1"
	grep -q "^\[ *[0-9.]* s\] node1: container web started on 1$" "$TRASH/s1"
	st health-check --component web --node node1 >"$TRASH/s2"
	grep -q "node1: container web answers" "$TRASH/s2"
	[ "$(curl -sf http://127.0.0.1:18082/index.html)" = "web config" ]
	# A catalog command (the docker runtime runs them so): in a one-off
	# container of the image the service runs, with its configuration.
	st container-run --node node1 --component web -- /bin/cat /var/lib/kolla/config_files/index.html \
		>"$TRASH/r0" 2>"$TRASH/r0.err"
	[ "$(cat "$TRASH/r0")" = "web config" ]
	grep -q "^\[node1: /bin/cat in a container of localhost/stackhop-web:1\]$" "$TRASH/r0.err"
	st container-start --component web --node node1 --to 1 >"$TRASH/s"
	grep -q "node1: container web already runs 1$" "$TRASH/s"
	expect_fail 1 st container-start --component web --node node1 --to 2
	grep_err "container web on node1 runs 1, not 2: container-stop comes first"
	expect_fail 1 st container-remove --component web --node node1
	grep_err "container web still runs on node1: container-stop comes first"
	st container-stop --component web --node node1 >"$TRASH/s"
	grep -q "node1: container web stopped in" "$TRASH/s"
	st container-stop --component web --node node1 >"$TRASH/s"
	grep -q "node1: container web is stopped" "$TRASH/s"
	st container-remove --component web --node node1 >"$TRASH/s"
	grep -q "node1: removed the container web [0-9a-f]\{12\} (image localhost/stackhop-web:1 [0-9a-f]\{12\})" "$TRASH/s"
	st image-remove --component web --node node1 --to 2 >"$TRASH/s3"
	grep -q "node1: removed image localhost/stackhop-web:1" "$TRASH/s3"
	test_lacks "stackhop-web:2" "$TRASH/s3"
	st container-start --component web --node node1 --to 2 >/dev/null
	st health-check --component web --node node1 >/dev/null
	podman_cli "$PM" ps --format "{{.Names}} {{.Image}}" | grep -q "^web localhost/stackhop-web:2$"
	# The image of the new version; the streams and exit status kept.
	rc=0
	st container-run --node node1 --component web --to 2 -- /bin/sh -c \
		"cat /var/lib/kolla/config_files/index.html; echo to-stderr >&2; exit 3" \
		>"$TRASH/r1" 2>"$TRASH/r1.err" || rc=$?
	[ "$rc" = 3 ]
	[ "$(cat "$TRASH/r1")" = "web config" ]
	grep -q "^to-stderr$" "$TRASH/r1.err"
	grep -q "in a container of localhost/stackhop-web:2\]$" "$TRASH/r1.err"
	[ "$(podman_cli "$PM" ps -a --format "{{.Names}}" | grep -c "^stackhop_run_")" = 0 ]
	# It could not run: 125 (never 1, "more to migrate"), the cause named.
	rc=0
	st container-run --node node1 --component glance -- /bin/true 2>"$TRASH/r2.err" || rc=$?
	[ "$rc" = 125 ]
	grep -q "no container of glance on node1 to take the image and configuration from" "$TRASH/r2.err"
	test_must_fail podman_cli "$PM" image exists localhost/stackhop-web:1
	expect_fail 1 st container-start --component other --node node1 --to 9
	grep_err "node1 has no other image for version .9.: nothing was changed"
	# The configuration of every container of the service, mode kept.
	st config-migrate --component nova --node node1 --catalog catalog --release pike >"$TRASH/s4"
	grep -q "node1: $TRASH/kolla/web/nova.conf: configuration written (1 changes)" "$TRASH/s4"
	[ "$(cat "$TRASH/kolla/web/nova.conf")" = "$(printf "[DEFAULT]\n# kept\ndebug = false")" ]
	[ "$(stat -c %a "$TRASH/kolla/web/nova.conf")" = 640 ]
	st config-migrate --component nova --node node1 --catalog catalog --release pike >"$TRASH/s"
	grep -q "needs no change" "$TRASH/s"
	# The forward went with its step: no socket, no ssh of it left; the
	# killed run s went too, the live process s stayed.
	kill $live
	[ -S /tmp/stackhop-ssh-"$(id -u)"/docker-$live-node9.sock ]
	rm /tmp/stackhop-ssh-"$(id -u)"/docker-$live-node9.sock
	test_path_missing /tmp/stackhop-ssh-"$(id -u)"/docker-*-node*
	st container-stop --component web --node node1 >/dev/null
	st container-remove --component web --node node1 >/dev/null
	podman_cli "$PM" rmi localhost/stackhop-web:2 >/dev/null
	# Bad docker settings: the file, the line and what was expected.
	bad_settings bad1 "docker:\n  image: \"kolla/x:1\"\n" "bad1.yaml:2: docker image must hold {version}"
	bad_settings bad2 "docker:\n  healthcheck:\n    web: /bin/true\n" \
		"bad2.yaml:3: docker healthcheck of .web. must be a command"
	bad_settings bad3 "docker:\n  stop_timeout: 0\n" "bad3.yaml:2: "
	sed "s#  socket: .*#  socket: $TRASH/none.sock#" "$TRASH/nodes/docker.yaml" >"$TRASH/nodes/bad.yaml"
	expect_fail 1 $STACKHOP step container-stop -s "$TRASH/nodes/bad.yaml" -i "$TRASH/nodes/inv" --component web --node node1
	grep_err "node1: its socket $TRASH/none.sock, forwarded over ssh: docker API on "
'

test_expect_success 'one engine for two nodes: containers named per node, each in its node namespace, images shared' '
	cmd="[\"/bin/httpd\", \"-f\", \"-p\", \"18083\", \"-h\", \"/var/lib/kolla/config_files\"]"
	podman_busybox "$PM" localhost/stackhop-web:1 "$cmd"
	podman_busybox "$PM" localhost/stackhop-web:2 "$cmd"
	# The nodes namespaces under their inventory names: an alias each.
	for n in 1 2; do
		touch "/run/netns/shd$$-node$n"
		mount --bind "/run/netns/shd$$-$n" "/run/netns/shd$$-node$n"
		mkdir -p "$TRASH/kolla2/node$n/web"
		echo "web of node$n" >"$TRASH/kolla2/node$n/web/index.html"
	done
	sed -e "s#  config_dir: .*#  config_dir: $TRASH/kolla2/{node}/{component}#" \
		-e "s#^docker:#docker:\n  container: \"{node}_{component}\"\n  network: \"ns:/run/netns/shd$$-{node}\"#" \
		-e "s#    web: .*#    web: [/bin/wget, -q, -O, /dev/null, \"http://{address}:18083/index.html\"]#" \
		"$TRASH/nodes/docker.yaml" >"$TRASH/nodes/shared.yaml"
	printf "  cap_add:\n    web: [NET_ADMIN, NET_RAW]\n" >>"$TRASH/nodes/shared.yaml"
	st() { k=$1; shift; $STACKHOP step "$k" -s "$TRASH/nodes/shared.yaml" -i "$TRASH/nodes/inv" "$@"; }
	# Before any container of the component exists (a first db sync), the
	# version names the image; the one-off sees the configuration and the
	# component s volumes (kolla s bootstrap containers do).
	mkdir -p "$TRASH/vol/node1"
	echo "volume of node1" >"$TRASH/vol/node1/f"
	{ cat "$TRASH/nodes/shared.yaml"; printf "  volumes:\n    web: [\"$TRASH/vol/{node}:/vol:ro\"]\n"; } \
		>"$TRASH/nodes/vol.yaml"
	$STACKHOP step container-run -s "$TRASH/nodes/vol.yaml" -i "$TRASH/nodes/inv" --component web \
		--node node1 --to 1 -- /bin/cat /var/lib/kolla/config_files/index.html /vol/f >"$TRASH/first"
	[ "$(cat "$TRASH/first")" = "$(printf "web of node1\nvolume of node1")" ]
	test_must_fail podman_cli "$PM" container exists node1_web
	expect_fail 125 st container-run --component web --node node1 -- /bin/true
	grep_err "no container of web on node1 to take the image and configuration from (give a version)"
	st container-start --component web --node node1 --to 1 >"$TRASH/n1"
	grep -q "node1: container web started on 1$" "$TRASH/n1"
	# The journal of a run shows which container and image run now.
	id=$(podman_cli "$PM" inspect --format "{{.Id}}" node1_web | cut -c1-12)
	img=$(podman_cli "$PM" inspect --format "{{.Image}}" node1_web | sed "s/^sha256://" | cut -c1-12)
	grep -q "node1: container node1_web $id, image localhost/stackhop-web:1 $img$" "$TRASH/n1"
	st container-start --component web --node node2 --to 1 >/dev/null
	st health-check --component web --node node1 >/dev/null
	st health-check --component web --node node2 >/dev/null
	podman_cli "$PM" ps --format "{{.Names}} {{.Image}}" | sort >"$TRASH/ps2"
	grep -q "^node1_web localhost/stackhop-web:1$" "$TRASH/ps2"
	grep -q "^node2_web localhost/stackhop-web:1$" "$TRASH/ps2"
	# The capabilities the settings add (kolla runs keepalived so).
	# (NET_RAW is among the defaults of Podman; NET_ADMIN is not.)
	podman_cli "$PM" inspect --format "{{.EffectiveCaps}}" node1_web >"$TRASH/caps"
	grep -q "CAP_NET_ADMIN" "$TRASH/caps"
	grep -q "CAP_NET_RAW" "$TRASH/caps"
	# Each answers at its own node s address only: it is in that namespace.
	[ "$(curl -sf --max-time 5 "http://$(node_address 1):18083/index.html")" = "web of node1" ]
	[ "$(curl -sf --max-time 5 "http://$(node_address 2):18083/index.html")" = "web of node2" ]
	test_must_fail curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:18083/index.html"
	# A one-off container runs in its node s namespace with its node s config.
	st container-run --node node2 --component web -- /bin/wget -q -O - http://127.0.0.1:18083/index.html \
		>"$TRASH/r3" 2>"$TRASH/r3.err"
	[ "$(cat "$TRASH/r3")" = "web of node2" ]
	# node1 moves to 2; the image of 1 is kept while node2 s container uses it.
	st container-stop --component web --node node1 >/dev/null
	st container-remove --component web --node node1 >"$TRASH/rm1"
	grep -q "node1: removed the container node1_web [0-9a-f]\{12\} (image localhost/stackhop-web:1 [0-9a-f]\{12\})" "$TRASH/rm1"
	st image-remove --component web --node node1 --to 2 >"$TRASH/im1"
	grep -q "node1: kept image localhost/stackhop-web:1: .*409" "$TRASH/im1"
	st container-start --component web --node node1 --to 2 >/dev/null
	st health-check --component web --node node1 >/dev/null
	[ "$(curl -sf --max-time 5 "http://$(node_address 2):18083/index.html")" = "web of node2" ]
	st container-stop --component web --node node2 >/dev/null
	st container-remove --component web --node node2 >/dev/null
	st image-remove --component web --node node2 --to 2 >"$TRASH/im2"
	grep -q "node2: removed image localhost/stackhop-web:1" "$TRASH/im2"
	st container-start --component web --node node2 --to 2 >/dev/null
	podman_cli "$PM" ps --format "{{.Names}} {{.Image}}" | sort >"$TRASH/ps3"
	[ "$(cat "$TRASH/ps3")" = "$(printf "node1_web localhost/stackhop-web:2\nnode2_web localhost/stackhop-web:2")" ]
	for n in node1 node2; do
		st container-stop --component web --node $n >/dev/null
		st container-remove --component web --node $n >/dev/null
	done
	podman_cli "$PM" rmi localhost/stackhop-web:2 >/dev/null
	# Bad templates: the file, the line, what was expected.
	bad_settings bad4 "docker:\n  container: \"web\"\n" "bad4.yaml:2: docker container must hold {component}"
	bad_settings bad6 "docker:\n  cap_add:\n    web: [net_admin]\n" \
		"bad6.yaml:3: docker cap_add of .web.: .net_admin. is not a capability"
	bad_settings bad5 "docker:\n  network: \"bridge\"\n" "bad5.yaml:2: docker network must be host, none or ns:PATH"
'

test_expect_success 'memcached-upgrade through the docker runtime: stopped, replaced by the new image, answering' '
	cmd="[\"/bin/httpd\", \"-f\", \"-p\", \"127.0.0.1:11211\", \"-h\", \"/var/lib/kolla/config_files\"]"
	podman_busybox "$PM" localhost/stackhop-memcached:1 "$cmd"
	podman_busybox "$PM" localhost/stackhop-memcached:2 "$cmd"
	mkdir -p "$TRASH/kolla/memcached"
	# The API socket is this machine'"'"'s: a node reached without ssh.
	printf "[nodes]\nmc ansible_host=127.0.0.1 ansible_connection=local\n[rabbitmq]\nmc\n" >"$TRASH/nodes/mc.inv"
	mst() { k=$1; shift; $STACKHOP step "$k" -s "$TRASH/nodes/docker.yaml" -i "$TRASH/nodes/mc.inv" "$@"; }
	mst container-start --component memcached --node mc --to 1 >/dev/null
	mst memcached-upgrade --node mc --to 2 >"$TRASH/m1"
	grep -q "mc: container memcached stopped$" "$TRASH/m1"
	grep -q "mc: memcached 2 answers on 127.0.0.1:11211$" "$TRASH/m1"
	podman_cli "$PM" ps -a --format "{{.Names}} {{.Image}}" >"$TRASH/ps"
	grep -q "^memcached localhost/stackhop-memcached:2$" "$TRASH/ps"
	test_lacks "stackhop-memcached:1" "$TRASH/ps"
	# Again: it restarts on the same version, still answering.
	mst memcached-upgrade --node mc --to 2 >"$TRASH/m2"
	grep -q "mc: memcached 2 answers" "$TRASH/m2"
	expect_fail 1 mst memcached-upgrade --node mc --to 3
	grep_err "mc has no memcached image for version .3.: nothing was changed"
	# What the docker runtime cannot do is refused by name, nothing run.
	expect_fail 2 mst rabbitmq-wipe --node mc
	grep_err "rabbitmq-wipe needs what the docker runtime cannot do (wipe RabbitMQ.s data): nothing was changed"
	expect_fail 2 mst galera-node-upgrade --node mc --to 1
	grep_err "galera-node-upgrade needs what the docker runtime cannot do (keep a service.s data across versions)"
	expect_fail 2 mst haproxy-upgrade --to 1
	grep_err "haproxy-upgrade needs what the docker runtime cannot do (reload HAProxy): nothing was changed"
	mst container-stop --component memcached --node mc >/dev/null
	mst container-remove --component memcached --node mc >/dev/null
	podman_cli "$PM" rmi localhost/stackhop-memcached:1 localhost/stackhop-memcached:2 >/dev/null
'

test_expect_success 'exec in the running service through the docker runtime: rabbitmq-policy runs rabbitmqctl in the container' '
	# A broker of busybox whose rabbitmqctl records its arguments.
	mkdir -p "$PM/rootfs/bin"
	printf "#!/bin/sh\nprintf \"%%s|\" \"\$@\" >>/ctl.log\necho >>/ctl.log\ncat >>/ctl.in\n" >"$PM/rootfs/bin/rabbitmqctl"
	chmod 755 "$PM/rootfs/bin/rabbitmqctl"
	podman_busybox "$PM" localhost/stackhop-rabbitmq:1 "[\"/bin/sleep\", \"3600\"]"
	rm "$PM/rootfs/bin/rabbitmqctl"
	mkdir -p "$TRASH/kolla/rabbitmq"
	mst() { k=$1; shift; $STACKHOP step "$k" -s "$TRASH/nodes/docker.yaml" -i "$TRASH/nodes/mc.inv" "$@"; }
	mst container-start --component rabbitmq --node mc --to 1 >/dev/null
	mst rabbitmq-policy >"$TRASH/p1"
	grep -q "policy ha-all set" "$TRASH/p1"
	$STACKHOP docker --socket "$PM/api.sock" exec rabbitmq -- /bin/cat /ctl.log >"$TRASH/p2"
	[ "$(cat "$TRASH/p2")" = "set_policy|--apply-to|all|ha-all||{\"ha-mode\":\"all\",\"ha-sync-mode\":\"automatic\"}|" ]
	# Standard input (import): through a private file in the component s
	# configuration directory, gone after.
	mkdir -p "$TRASH/st"
	echo "{\"vhosts\": [{\"name\": \"/\"}]}" >"$TRASH/st/rabbitmq-definitions.json"
	mst rabbitmq-import --state "$TRASH/st" >"$TRASH/p3"
	grep -q "definitions imported from" "$TRASH/p3"
	$STACKHOP docker --socket "$PM/api.sock" exec rabbitmq -- /bin/cat /ctl.log >"$TRASH/p4"
	[ "$(tail -1 "$TRASH/p4")" = "import_definitions|" ]
	$STACKHOP docker --socket "$PM/api.sock" exec rabbitmq -- /bin/cat /ctl.in >"$TRASH/p5"
	cmp "$TRASH/p5" "$TRASH/st/rabbitmq-definitions.json"
	[ -z "$(ls -A "$TRASH/kolla/rabbitmq")" ]
	mst container-stop --component rabbitmq --node mc >/dev/null
	mst container-remove --component rabbitmq --node mc >/dev/null
	podman_cli "$PM" rmi localhost/stackhop-rabbitmq:1 >/dev/null
'

test_done
