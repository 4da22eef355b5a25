#!/bin/sh
# Install every Debian package that building, testing and the demo need.
# Idempotent: when everything is present it only runs dpkg-query (well under
# a second).  When something is missing it refreshes the package lists first,
# because a fresh machine's lists may be stale or empty.
set -eu

PACKAGES="
build-essential
pkg-config
libyaml-dev
libjansson-dev
libsqlite3-dev
libmariadb-dev
libcurl4-openssl-dev
libssl-dev
graphviz
jq
openssh-client
openssh-server
iproute2
coreutils
bc
"

# "deps.sh bench" adds what the benchmarks compare against; "deps.sh lab"
# what the lab runs (its services' second versions are downloaded by
# lab/images.sh, not installed; podman serves the docker runtime's tests).
case "${1:-}" in
bench) PACKAGES="$PACKAGES ansible-core netcat-openbsd" ;;
lab)
	PACKAGES="$PACKAGES
mariadb-server mariadb-client galera-4 rsync socat
rabbitmq-server haproxy keepalived memcached iptables iputils-ping curl
python3-keystone python3-nova python3-placement python3-pymysql python3-memcache python3-amqp uwsgi-core uwsgi-plugin-python3
podman catatonit busybox-static mmdebstrap"
	;;
esac

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Packages like openssh-server start their daemon on install; stackhop
# only wants the binaries (its tests run sshd themselves, in namespaces).
# Forbid service starts during the install unless the machine already does.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# stackhop deps.sh: no service starts during install\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	created_policy=1
fi
cleanup() { [ -z "$created_policy" ] || rm -f "$policy"; }
trap cleanup EXIT
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing
