# podman.sh - Podman's Docker-compatible API service for the docker
# runtime's tests, on a unix socket under DIR, with the workarounds this
# machine needs (../shared/reference/lab-findings.md): the sandbox forbids
# raising RLIMIT_NPROC/NOFILE and lacks systemd, so containers.conf sets
# default ulimits within the hard limits, the cgroupfs manager, file
# events, the host's network (as kolla runs its containers: a network
# namespace made inside the private mount namespace would leave a dead
# /run/netns entry behind); crun keeps its state under DIR (a
# wrapper passes --root); and the service runs in a private mount
# namespace without the cgroup v1 "unified" mount, which makes crun refuse
# the hybrid layout.  Nothing under /etc or /var/lib/containers is used.
#
#   podman_up DIR      start it; the socket is DIR/api.sock, its PID in
#                      DIR/service.pid
#   podman_cli DIR ARGS...  the podman CLI on the same storage
#   podman_busybox DIR IMAGE  import an image made of Debian's
#                      busybox-static (/bin/busybox and links to it)
#   podman_down DIR    stop the service (by its PID) and remove DIR
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

podman_up() {
	d=$1
	podman_conf "$d"
	# shellcheck disable=SC2016 # $1 expands in the inner shell
	CONTAINERS_CONF=$d/containers.conf setsid unshare -m --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; exec podman --root "$1/root" --runroot "$1/run" --tmpdir "$1/tmp" system service --time=0 "unix://$1/api.sock"' \
		sh "$d" >"$d/service.log" 2>&1 </dev/null &
	echo $! >"$d/service.pid"
	i=0
	until curl -sf --unix-socket "$d/api.sock" http://localhost/v1.41/version >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$d/service.log"; return 1; }
		sleep 0.1
	done
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

podman_down() {
	d=$1
	if [ -s "$d/service.pid" ]; then
		pid=$(cat "$d/service.pid")
		kill -TERM "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# The image's layers belong to root: podman removes what it made.
	podman_cli "$d" system reset --force >/dev/null 2>&1 || true
	rm -rf "$d"
}
