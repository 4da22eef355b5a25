# podman.sh - Podman's Docker-compatible API service, on a unix socket
# under DIR, with the workarounds this machine needs
# (../shared/reference/lab-findings.md): the sandbox forbids raising
# RLIMIT_NPROC/NOFILE and lacks systemd, so containers.conf sets default
# ulimits within the hard limits, the cgroupfs manager, file events, the
# host's network (as kolla runs its containers: a network namespace made
# inside the private mount namespace would leave a dead /run/netns entry
# behind); crun keeps its state under DIR (a wrapper passes --root); and
# the service runs in a mount namespace of its own without the cgroup v1
# "unified" mount, which makes crun refuse the hybrid layout.  That
# namespace is a slave of this machine's: a network namespace added later
# (its /run/netns entry is a mount) is seen there too, so a container can
# join it.  Nothing
# under /etc or /var/lib/containers is used.  Sourced by lab/lab.sh and by
# the docker runtime's tests (tests/cli/t0160-docker.sh).
#
#   podman_start DIR     start the service; the socket is DIR/api.sock,
#                        its PID in DIR/service.pid, its log DIR/service.log
#   podman_stop DIR      stop it (by its PID); the store stays
#   podman_reap DIR      once none of its containers runs: wait for the
#                        processes Podman left for the store to end, end
#                        those that do not (by PID)
#   podman_cli DIR ARGS...  the podman CLI on the same store
#   podman_api DIR PATH  GET PATH of the Docker API (JSON on stdout)
#   podman_up DIR, podman_down DIR   for a test: start; stop and remove
#                        the store and DIR
#   podman_busybox DIR IMAGE [CMD]  import an image made of Debian's
#                        busybox-static (/bin/busybox and links to it)
# shellcheck shell=sh

podman_conf() {
	d=$1
	mkdir -p "$d/crun" "$d/root" "$d/run" "$d/tmp"
	cat >"$d/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "host"
[engine]
cgroup_manager = "cgroupfs"
# An exec session's conmon waits this long for the API to read its exit
# status, then ends (300 s by default: lab down would wait that long).
exit_command_delay = 5
events_logger = "file"
runtime = "crunw"
[engine.runtimes]
crunw = ["$d/crun-wrapper"]
CONF
	printf '#!/bin/sh\nexec crun --root %s/crun "$@"\n' "$d" >"$d/crun-wrapper"
	chmod +x "$d/crun-wrapper"
}

podman_cli() {
	d=$1
	shift
	CONTAINERS_CONF=$d/containers.conf podman --root "$d/root" --runroot "$d/run" \
		--tmpdir "$d/tmp" "$@"
}

podman_api() {
	curl -sf --max-time 30 --unix-socket "$1/api.sock" "http://localhost/v1.41$2"
}

podman_alive() {
	[ -s "$1/service.pid" ] && kill -0 "$(cat "$1/service.pid")" 2>/dev/null &&
		podman_api "$1" /version >/dev/null 2>&1
}

podman_start() {
	d=$1
	podman_alive "$d" && return 0
	podman_conf "$d"
	rm -f "$d/api.sock"
	# shellcheck disable=SC2016 # $1 expands in the inner shell
	CONTAINERS_CONF=$d/containers.conf setsid unshare -m --propagation slave sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; exec podman --root "$1/root" --runroot "$1/run" --tmpdir "$1/tmp" system service --time=0 "unix://$1/api.sock"' \
		sh "$d" >"$d/service.log" 2>&1 </dev/null &
	echo $! >"$d/service.pid"
	# Answers in about a second; 30 s covers a loaded machine.
	i=0
	until podman_api "$d" /version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 300 ] || ! kill -0 "$(cat "$d/service.pid")" 2>/dev/null; then
			echo "podman's API service did not answer on $d/api.sock; its log:" >&2
			tail -20 "$d/service.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

podman_stop() {
	d=$1
	[ -s "$d/service.pid" ] || return 0
	pid=$(cat "$d/service.pid")
	kill -TERM "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$d/service.pid" "$d/api.sock"
}

# podman_reap DIR: what Podman leaves of DIR's store once its containers
# are gone, the conmon of each exec session (it outlives the session by
# exit_command_delay), waited for, up to 15 s, then ended by PID.  For
# when none of the store's containers is meant to run (lab down).
podman_reap() {
	i=0
	while pids=$(pgrep -f -- "$1/root/") && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # one word per PID
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

podman_up() { podman_start "$@"; }

podman_down() {
	d=$1
	podman_stop "$d"
	# The image's layers belong to root: podman removes what it made.
	podman_cli "$d" system reset --force >/dev/null 2>&1 || true
	rm -rf "$d"
}

# podman_busybox DIR IMAGE [CMD]: IMAGE made of Debian's busybox-static,
# its command CMD (JSON, default ["/bin/sh"]).
podman_busybox() {
	d=$1
	mkdir -p "$d/rootfs/bin"
	cp /bin/busybox "$d/rootfs/bin/busybox"
	for c in sh sleep httpd wget cat echo true; do ln -sf busybox "$d/rootfs/bin/$c"; done
	tar -C "$d/rootfs" -cf "$d/busybox.tar" .
	podman_cli "$d" import --change "CMD ${3:-[\"/bin/sh\"]}" "$d/busybox.tar" "$2" >/dev/null
}

# podman_post DIR PATH [JSON]: POST to the Docker API; the body (JSON,
# may be empty) on stdin when JSON is "-".  The answer on stdout; an HTTP
# error fails, with the API's message on stderr.
podman_post() {
	d=$1 p=$2
	if [ "${3:-}" = - ]; then
		out=$(curl -sS --max-time 120 --unix-socket "$d/api.sock" -X POST \
			-H 'Content-Type: application/json' --data-binary @- \
			-w '\n%{http_code}' "http://localhost/v1.41$p")
	else
		out=$(curl -sS --max-time 120 --unix-socket "$d/api.sock" -X POST \
			-w '\n%{http_code}' "http://localhost/v1.41$p")
	fi || return 1
	code=$(echo "$out" | tail -1)
	body=$(echo "$out" | sed '$d')
	case $code in
	2*) echo "$body" ;;
	*) echo "POST $p: HTTP $code: $(echo "$body" | jq -r '.message? // .' 2>/dev/null || echo "$body")" >&2
		return 1 ;;
	esac
}

# podman_run DIR NAME NETNS IMAGE BINDS [CMD...]: create container NAME of
# IMAGE in the network namespace /run/netns/NETNS (Podman's "ns:" mode),
# with BINDS (a JSON array of "host:container[:ro]") and command CMD (none:
# the image's, kolla_start), and start it.  Init runs first (RabbitMQ as PID 1 ignores SIGTERM); an empty
# resolv.conf keeps lookups from waiting on a resolver the lab has not.
podman_run() {
	d=$1 name=$2 ns=$3 image=$4 binds=$5
	shift 5
	: >"$d/resolv.conf"
	cmd='[]'
	for a in "$@"; do cmd=$(printf '%s' "$cmd" | jq -c --arg a "$a" '. + [$a]'); done
	jq -n --arg img "$image" --arg ns "ns:/run/netns/$ns" --argjson binds "$binds" \
		--arg resolv "$d/resolv.conf:/etc/resolv.conf:ro" --argjson cmd "$cmd" \
		'{Image: $img, Cmd: (if ($cmd | length) > 0 then $cmd else null end),
		  HostConfig: {NetworkMode: $ns, Init: true, Binds: ($binds + [$resolv])}}' |
		podman_post "$d" "/containers/create?name=$name" - >/dev/null &&
		podman_post "$d" "/containers/$name/start" >/dev/null
}
