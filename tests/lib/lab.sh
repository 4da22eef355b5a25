# lab.sh - what the lab test suites share: the lab's addresses, its
# secrets, SQL through the VIP and rabbitmqctl per node.  Sourced after
# tests/cli/lib.sh; takes a running lab down first (the tests need their
# own) and down again at exit.
# shellcheck shell=sh

export LABDIR=/var/tmp/stackhop-lab
export VIP=10.231.0.100 FIP=10.231.0.150
S="$LABDIR/settings.yaml"
export S
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

# rmqctl NODE ARGS...: rabbitmqctl for a controller, in its namespace.
rmqctl() {
	n=$1
	shift
	addr=$(sed -n "s/^$n ansible_host=//p" "$LABDIR/inventory")
	ip netns exec "shlab-$n" env HOME="$LABDIR/nodes/$n/rabbitmq/home" RABBITMQ_USE_LONGNAME=true \
		timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n "rabbit@$addr" "$@"
}

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

# lab_up: bring the lab up with the process runtime (what t0400 and
# t0500 test; t0620 tests the containerized lab), or fail with its log.
lab_up() {
	$STACKHOP lab up --runtime process >"$TRASH/up.out" 2>"$TRASH/up.err" || { cat "$TRASH/up.err"; return 1; }
}
