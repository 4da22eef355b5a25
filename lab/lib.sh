# lib.sh - what every part of the lab shares: its layout, processes by
# recorded PID, and bounded waits.  Sourced by lab/lab.sh.
# shellcheck shell=sh
#
# Layout of the lab directory ($LAB):
#   lab.env            topology of the running lab (sourced by every command)
#   ssh/               the lab's key pair, host key, known_hosts
#   images/NAME-VER/   Debian packages of a service version, unpacked
#   cache/             downloaded .deb files; cache/rootfs/RELEASE/ the
#                      release images' tarballs, .debs and package lists
#                      (RELEASE: bookworm, bookworm-point, trixie)
#   podman/            the lab's Podman store and API service (api.sock)
#   nodes/NODE/SVC/    each node's config, data and logs, per service
#   shared/            state every controller shares (Keystone's key repos)
#   pids/NODE.SVC      PID of each process the lab started
#   inventory, settings.yaml, secrets.yaml (0600), client.cnf (0600)
#   .stackhop-lab      the mark: this directory is a lab's (lab up makes
#                      it; "stackhop lab" refuses a directory without it)
#
# LAB_FILES: every name lab up makes in $LAB; lab down removes those
# (but images/, cache/ and the mark) and nothing else.
# shellcheck disable=SC2034
LAB_FILES="lab.env lab.env.new ssh nodes shared pids inventory inventory.new
settings.yaml settings.yaml.new secrets.yaml secrets.yaml.new client.cnf steps.log step.err
containers.list"
# shellcheck disable=SC2034
LAB_MARK=.stackhop-lab

# shellcheck disable=SC2034 # used by the files that source this one
BRIDGE=shlab0
# shellcheck disable=SC2034
BRIDGE_ADDR=10.231.0.254
# shellcheck disable=SC2034
VIP=10.231.0.100
# shellcheck disable=SC2034
FIP=10.231.0.150
# shellcheck disable=SC2034
TENANT_NET=10.231.10
# shellcheck disable=SC2034
NS_PREFIX=shlab-

log() { printf '%s\n' "lab: $*" >&2; }

# stage WHAT: log WHAT with the seconds since the previous stage.
STAGE_T=$(date +%s.%N)
stage() {
	t=$(date +%s.%N)
	log "$(printf '%-44s %6.1f s' "$*" "$(echo "$t - $STAGE_T" | bc)")"
	STAGE_T=$t
}
die() { log "error: $*"; exit 1; }

ns_of() { echo "$NS_PREFIX$1"; }
# ns_exec NODE: the command prefix that enters NODE's namespace: nothing
# when this already runs there (svc.sh over ssh: IN_NODE, and /run/netns
# is not visible inside a node).
ns_exec() { [ "${IN_NODE:-}" = "$1" ] || echo "ip netns exec $(ns_of "$1")"; }
# shellcheck disable=SC2046 # the prefix is split into words on purpose
in_ns() { n_=$1; shift; $(ns_exec "$n_") "$@"; }

# The topology of the lab at $LAB (lab.env, written by lab up).
load_env() {
	[ -f "$LAB/lab.env" ] || return 1
	# shellcheck disable=SC1091 # written by write_env
	. "$LAB/lab.env"
}

# node_addr NODE: its address from lab.env (ADDR_<node>).
node_addr() { eval "echo \${ADDR_$1}"; }

# Controllers, computes and network nodes from lab.env.
controllers() { echo "$CONTROLLERS"; }
all_nodes() { echo "$CONTROLLERS $COMPUTES $NETWORKS"; }
first_controller() { echo "${CONTROLLERS%% *}"; }

pidfile() { echo "$LAB/pids/$1.$2"; }

# node_netns NODE: the inode of NODE's network namespace (fails when it
# has none).  Inside the node (IN_NODE) it is this process's own.
node_netns() {
	if [ "${IN_NODE:-}" = "$1" ]; then
		stat -L -c %i /proc/self/ns/net
	else
		stat -L -c %i "/run/netns/$(ns_of "$1")" 2>/dev/null
	fi
}

# lab_pid NODE SVC: the recorded PID of NODE's SVC, when that process
# runs in NODE's network namespace.  A PID file outlives its process: the
# PID may since be another process's, never to be signalled.
lab_pid() {
	f=$(pidfile "$1" "$2")
	[ -s "$f" ] || return 1
	p_=$(cat "$f")
	case $p_ in '' | *[!0-9]*) return 1 ;; esac
	ns_=$(node_netns "$1") || return 1
	[ -n "$ns_" ] && [ "$(stat -L -c %i "/proc/$p_/ns/net" 2>/dev/null)" = "$ns_" ] || return 1
	echo "$p_"
}

# alive NODE SVC: the recorded process runs (and is the lab's).
alive() { lab_pid "$1" "$2" >/dev/null; }

# spawn NODE SVC LOG CMD...: start CMD in NODE's namespace, detached (own
# session), and record its PID.  exec keeps $! the command's PID.
spawn() {
	node=$1 svc=$2 logf=$3
	shift 3
	# shellcheck disable=SC2046 # the prefix is split into words on purpose
	setsid $(ns_exec "$node") "$@" >>"$logf" 2>&1 </dev/null &
	echo $! >"$(pidfile "$node" "$svc")"
}

# spawn_run NODE SVC LOG CMD...: as spawn, for daemons that need their own
# /run (sshd, keepalived): a private mount namespace with a tmpfs there.
spawn_run() {
	node=$1 svc=$2 logf=$3
	shift 3
	# shellcheck disable=SC2046 # the prefix is split into words on purpose
	setsid $(ns_exec "$node") unshare -m --propagation private \
		sh -c 'mount -n -t tmpfs -o size=4m tmpfs /run && mkdir -p /run/sshd && exec "$@"' \
		sh "$@" >>"$logf" 2>&1 </dev/null &
	echo $! >"$(pidfile "$node" "$svc")"
}

# stop NODE SVC [SIGNAL]: end the recorded process (SIGTERM, then SIGKILL
# after 15 s) and forget it.  A PID that is no longer the lab's process
# (lab_pid) is only forgotten.
stop() {
	f=$(pidfile "$1" "$2")
	if pid=$(lab_pid "$1" "$2"); then
		kill "-${3:-TERM}" "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if lab_pid "$1" "$2" >/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
	fi
	rm -f "$f"
}

# stop_recorded: stop every process with a PID file, and forget them all.
stop_recorded() {
	for f_ in "$LAB"/pids/*; do
		[ -e "$f_" ] || continue
		b_=${f_##*/}
		case $b_ in
		*.*) stop "${b_%%.*}" "${b_#*.}" KILL ;;
		*) rm -f "$f_" ;;
		esac
	done
}

# wait_for [--log FILE] [--alive NODE SVC] SECONDS WHAT CMD...: run CMD
# every 0.2 s until it succeeds.  It fails after SECONDS, or as soon as
# NODE's SVC (--alive) no longer runs: then nothing can make CMD succeed.
# The failure names WHAT it waited for and shows the last 20 lines of FILE
# (the log of what it waited for).
wait_for() {
	wlog_="" wnode_="" wsvc_=""
	while :; do
		case $1 in
		--log) wlog_=$2; shift 2 ;;
		--alive) wnode_=$2 wsvc_=$3; shift 3 ;;
		*) break ;;
		esac
	done
	limit=$1 what=$2
	shift 2
	start_=$(date +%s)
	end=$((start_ + limit))
	until "$@" >/dev/null 2>&1; do
		# (By its PID alone: just after spawn, the process may not have
		# entered the node's namespace yet.)
		if [ -n "$wnode_" ] && ! kill -0 "$(cat "$(pidfile "$wnode_" "$wsvc_")" 2>/dev/null)" 2>/dev/null; then
			# It may have answered just before it ended.
			"$@" >/dev/null 2>&1 && return 0
			wait_failed "$wlog_" "$what: $wsvc_ on $wnode_ ended after $(($(date +%s) - start_))s"
			return 1
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			wait_failed "$wlog_" "timed out after ${limit}s waiting for $what"
			return 1
		fi
		sleep 0.2
	done
}

# wait_failed LOG MESSAGE: log MESSAGE and the last 20 lines of LOG.
wait_failed() {
	log "$2"
	[ -n "$1" ] || return 0
	if [ -f "$1" ]; then
		log "last lines of $1:"
		tail -n 20 "$1" | sed 's/^/    /' >&2
	else
		log "(no log: $1 does not exist)"
	fi
}

# write_private FILE: standard input into FILE, mode 0600, atomically (a
# reader sees the old file or the new one, never a part).
write_private() {
	(umask 077 && cat >"$1.new" && sync "$1.new") && mv "$1.new" "$1"
}

# record_version NODE SVC VERSION: what version the node's service runs
# (running_version reads it).
record_version() {
	mkdir -p "$LAB/nodes/$1/$2"
	echo "$3" >"$LAB/nodes/$1/$2/version"
}

# secret NAME: a value of the lab's secrets file.
secret() { sed -n "s/^$1: \"\\(.*\\)\"\$/\\1/p" "$LAB/secrets.yaml"; }

# image NAME VERSION-LABEL: the unpacked image directory.
image_dir() { echo "$LAB/images/$1-$2"; }

# The version a node's service runs (recorded at start), or "".
running_version() { cat "$LAB/nodes/$1/$2/version" 2>/dev/null || true; }

# sshd_config ADDR HOSTKEY AUTHORIZED_KEYS: a test node's sshd
# configuration (key-only root login on ADDR:22) on stdout.  Also used by
# tests/lib/sshd-nodes.sh.
sshd_config() {
	cat <<EOF
ListenAddress $1:22
HostKey $2
PidFile none
AuthorizedKeysFile $3
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxSessions 64
MaxStartups 64:30:128
EOF
}
