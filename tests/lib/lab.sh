# lab.sh - what the lab test suite shares: the lab's addresses, its
# secrets, SQL through the VIP, rabbitmqctl per node, the containers the
# Docker API lists and the release images' tags.  Sourced after
# tests/cli/lib.sh; takes a running lab down first (the tests need their
# own) and down again at exit.
# shellcheck shell=sh

# shellcheck source=lab/podman.sh
. "$(dirname "$0")/../../lab/podman.sh"

export LABDIR=/var/tmp/stackhop-lab
export VIP=10.231.0.100 FIP=10.231.0.150
S="$LABDIR/settings.yaml"
export S
PM=$LABDIR/podman
export PM
trap '$STACKHOP lab down >/dev/null 2>&1; rm -rf "$TRASH"' EXIT

if ip link show shlab0 >/dev/null 2>&1; then
	echo "     a lab is up: taking it down first (the tests need their own)" >&3
	$STACKHOP lab down >/dev/null 2>&1
fi

# secret NAME: a value of the lab's secrets file.
secret() { sed -n "s/^$1: \"\(.*\)\"\$/\1/p" "$LABDIR/secrets.yaml"; }

# vip_sql SQL: through the VIP, the password in a private option file.
vip_sql() {
	umask 077
	printf '[client]\nuser=stackhop\npassword="%s"\n' "$(secret database_password)" >"$TRASH/my.cnf"
	umask 022
	mariadb --defaults-extra-file="$TRASH/my.cnf" --connect-timeout=3 -h $VIP -N -B -e "$1"
}

# rmqctl NODE ARGS...: rabbitmqctl in a controller's container.
rmqctl() {
	n=$1
	shift
	podman_cli "$PM" exec "${n}_rabbitmq" rabbitmqctl "$@"
}

# ctr NODE COMPONENT: its container's name (ctl1_nova_conductor).
ctr() { echo "${1}_$(echo "$2" | tr - _)"; }

# tag COMPONENT RELEASE: the version tag of its package in the release
# image (bookworm-point: what the lab starts on; bookworm: what the minor
# update installs), as lab images prints it.
tag() {
	pkg=$(case $1 in
		mariadb) echo mariadb-server ;; rabbitmq) echo rabbitmq-server ;;
		keystone) echo python3-keystone ;; placement-api) echo python3-placement ;;
		nova-*) echo python3-nova ;; *) echo "$1" ;;
	esac)
	awk -v p="$pkg" '$1 == p { print $2 }' "$LABDIR/cache/rootfs/$2/installed" |
		sed 's/^[0-9]*://' | tr '+~' '__'
}

# api_containers: the containers the Docker API lists: name, image, state.
api_containers() {
	curl -sf --unix-socket "$PM/api.sock" "http://localhost/v1.41/containers/json?all=true" |
		jq -r '.[] | "\(.Names[0] | ltrimstr("/")) \(.Image) \(.State)"' | sort
}

# api_stop CONTAINER: stopped through the Docker API; api_kill CONTAINER:
# SIGKILL, then waited for.  Through the API, not the podman CLI: the
# service mounts a container's /dev/shm in its own mount namespace, and
# a stop by the CLI (in this one) can leave that mount behind, which
# makes the next removal of the container fail ("device or resource
# busy").
api_stop() { podman_post "$PM" "/containers/$1/stop?t=30" >/dev/null; }
api_kill() {
	podman_post "$PM" "/containers/$1/kill?signal=KILL" >/dev/null &&
		podman_post "$PM" "/containers/$1/wait" >/dev/null
}

# image_of CONTAINER: the image it is of.
image_of() { podman_cli "$PM" inspect --format '{{.ImageName}}' "$1"; }

# token USER PROJECT SECRET: a Keystone token through the VIP for USER of
# PROJECT (its password the secret SECRET, sent on stdin), on stdout.
token() {
	printf "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"%s\", \"domain\": {\"id\": \"default\"}, \"password\": \"%s\"}}}, \"scope\": {\"project\": {\"name\": \"%s\", \"domain\": {\"id\": \"default\"}}}}}" \
		"$1" "$(secret "$3")" "$2" |
		curl -s -D "$TRASH/token.hdr" -o /dev/null -H "Content-Type: application/json" -d @- \
		"http://$VIP:5000/v3/auth/tokens"
	sed -n "s/^X-Subject-Token: *//Ip" "$TRASH/token.hdr" | tr -d "\r"
}

vip_holder() {
	for n in ctl1 ctl2 ctl3; do
		if ip -n "shlab-$n" -4 addr show dev eth0 | grep -q " $VIP/"; then echo $n; fi
	done
}

# What the lab leaves when it is down: namespaces, its bridge, its
# /etc/netns entries, recorded processes, mounts (sshd's, keepalived's).
leftovers() {
	ip netns list | grep "shlab-" || true
	ip link show shlab0 2>/dev/null || true
	ls -d /etc/netns/shlab-* 2>/dev/null || true
	pgrep -a -f "$LABDIR" || true
	grep "$LABDIR" /proc/mounts || true
}

# versions: each controller's Galera version (its image's or image tree's),
# one line.
versions() {
	$STACKHOP galera status -s "$S" >"$TRASH/versions" &&
		awk 'NR > 1 { printf "%s=%s ", $1, $5 }' "$TRASH/versions"
}

# rolling_upgrade: the body of the test of Galera's rolling upgrade to
# $MDB_NEW under the prober, the same on either runtime: every node on
# it, no failed SQL sample, the active HAProxy server last.
rolling_upgrade() {
	probe_start roll
	s=$(date +%s.%N)
	$STACKHOP galera upgrade -s "$S" --to "$MDB_NEW" --mode rolling >"$TRASH/roll.out" ||
		{ probe_stop; cat "$TRASH/roll.out"; false; }
	e=$(date +%s.%N)
	probe_stop
	[ "$(versions)" = "ctl1=$MDB_NEW ctl2=$MDB_NEW ctl3=$MDB_NEW " ]
	jq -e ".targets[] | select(.target == \"sql:$VIP:3306\") | .samples > 50 and .failures == 0" "$TRASH/roll.json"
	# The active HAProxy server (ctl1) goes last, after the backups.
	[ "$(sed -n "s/.*\] \(ctl.\): drain in HAProxy.*/\1/p" "$TRASH/roll.out" | tr -d "\n")" = ctl2ctl3ctl1 ]
	echo "     rolling upgrade: $(echo "$e - $s" | bc) s; SQL through the VIP: $(jq -r ".targets[] | select(.target == \"sql:$VIP:3306\") | \"\(.samples) samples, \(.failures) failed\"" "$TRASH/roll.json")" >&3
	sed -n "s/^\[ *\([0-9.]*\) s\] \(ctl.: stopped in .*\|ctl.: Synced.*\)/       \2/p" "$TRASH/roll.out" >&3
}

# probe_start NAME ARGS...: the prober in the background (it samples
# within milliseconds: no wait); probe_stop ends it and leaves its JSON
# in $TRASH/NAME.json.
probe_start() {
	name=$1
	shift
	$STACKHOP probe -s "$S" --quiet --out "$TRASH/$name.json" "$@" >"$TRASH/$name.probe" 2>&1 &
	probe_pid=$!
}
probe_stop() {
	kill -TERM "$probe_pid"
	wait "$probe_pid" || true
}
