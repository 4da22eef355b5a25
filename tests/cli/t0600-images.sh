#!/bin/sh
# t0600-images.sh - the release images (lab/rootfs.sh): "stackhop lab
# images" builds one root filesystem per Debian release from this
# machine's apt sources (bookworm = Zed, trixie = 2025.1 Epoxy) and one of
# Debian 12 as its last point release shipped it (bookworm-point: Zed at
# the older patch level), keeps them and their .debs in the lab's cache,
# and imports them into the lab's Podman store with kolla_start as their
# entry point and a kolla-style tag per service and per package version;
# a second run reuses the cache.
# Then a trixie container of MariaDB 11.8, RabbitMQ 4.0, HAProxy 3.0 and
# Keystone Epoxy (on that MariaDB) is started through the Docker API in a
# scratch network namespace and answers from this machine: the images the
# release crossing starts from are known to work.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lab/podman.sh
. "$(dirname "$0")/../../lab/podman.sh"

LABDIR=${STACKHOP_LAB_DIR:-/var/tmp/stackhop-lab}
PM=$LABDIR/podman
NS=shimg-a ADDR=10.231.9.1 BR=shimg0
export LABDIR PM NS ADDR
SMOKE="smoke-mariadb smoke-rabbitmq smoke-haproxy smoke-keystone"
# The API service is the lab's when a lab is up: then it stays.
STARTED=""
cleanup() {
	if [ -S "$PM/api.sock" ]; then
		for c in $SMOKE; do podman_cli "$PM" rm -f -t 2 "$c" >/dev/null 2>&1 || true; done
	fi
	[ -z "$STARTED" ] || podman_stop "$PM"
	ip link del "v-$NS" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	ip link del "$BR" 2>/dev/null || true
	rm -rf "$TRASH"
}
trap cleanup EXIT

test_expect_success 'lab images builds the bookworm, bookworm-point and trixie images and tags every service for each' '
	$STACKHOP lab images >"$TRASH/images.out" 2>"$TRASH/images.err" || { cat "$TRASH/images.err"; exit 1; }
	sed "s/^/     /" "$TRASH/images.err" >&3
	for r in bookworm trixie; do
		test -s "$LABDIR/cache/rootfs/$r/$r.tar"
		test -n "$(ls "$LABDIR/cache/rootfs/$r/debs" | grep "\.deb$")"
	done
	test -s "$LABDIR/cache/rootfs/bookworm-point/bookworm-point.tar"
	# The release each carries, read in the tree, not assumed.
	grep -q "^zed (bookworm): .*keystone 2:22\." "$TRASH/images.out"
	grep -q "^zed (bookworm): .*mariadb-server 1:10\.11\." "$TRASH/images.out"
	grep -q "^2025.1 (trixie): .*keystone 2:27\." "$TRASH/images.out"
	grep -q "^2025.1 (trixie): .*mariadb-server 1:11\.8\." "$TRASH/images.out"
	grep -q "^2025.1 (trixie): .*rabbitmq-server 4\.0\." "$TRASH/images.out"
	grep -q "^2025.1 (trixie): .*haproxy 3\.0\." "$TRASH/images.out"
	if ! podman_alive "$PM"; then podman_start "$PM"; echo started >"$TRASH/started"; fi
	podman_api "$PM" /images/json >"$TRASH/images.json"
	for s in base mariadb rabbitmq haproxy keepalived memcached keystone placement-api \
		nova-api nova-conductor nova-scheduler; do
		for t in zed-point zed 2025.1; do
			jq -e --arg t "localhost/lab/$s:$t" "any(.[]; .RepoTags | index(\$t))" \
				"$TRASH/images.json" >/dev/null || { echo "no image lab/$s:$t"; exit 1; }
		done
	done
'
[ -s "$TRASH/started" ] && STARTED=1

# tag_id TAG: the id of the image lab/TAG.
tag_id() { jq -r --arg t "localhost/lab/$1" '.[] | select(.RepoTags | index($t)) | .Id' "$TRASH/images.json"; }
# pkg_version IMAGE-LINE PACKAGE: the version "lab images" printed.
pkg_version() { grep "^$1 " "$TRASH/images.out" | grep -o "$2 [^,]*" | cut -d" " -f2; }

test_expect_success 'the point-release image is Zed at an older patch level; every service tagged by its package version too' '
	# Older, not equal: the point image has no security updates.  Read
	# from the trees, not assumed (the mirror moves).
	for p in mariadb-server haproxy python3-keystone python3-nova; do
		old=$(pkg_version zed-point "$p") new=$(pkg_version zed "$p")
		[ -n "$old" ] && [ -n "$new" ]
		dpkg --compare-versions "$old" lt "$new" || { echo "$p: point $old is not older than $new"; exit 1; }
		echo "     $p: $old (zed-point) -> $new (zed)" >&3
	done
	# lab/keystone:22.0.2-0_deb12u3 is the point image, ..._deb12u6 the zed one.
	for r in zed-point zed 2025.1; do
		v=$(pkg_version "$r" python3-keystone | sed "s/^[0-9]*://" | tr "+~" "__")
		[ "$(tag_id "keystone:$v")" = "$(tag_id "keystone:$r")" ] || { echo "keystone:$v is not keystone:$r"; exit 1; }
		v=$(pkg_version "$r" mariadb-server | sed "s/^[0-9]*://" | tr "+~" "__")
		[ "$(tag_id "mariadb:$v")" = "$(tag_id "mariadb:$r")" ] || { echo "mariadb:$v is not mariadb:$r"; exit 1; }
	done
	[ "$(tag_id keystone:zed-point)" != "$(tag_id keystone:zed)" ]
	# kolla_start is every image s entry point.
	for r in zed-point zed 2025.1; do
		podman_cli "$PM" image inspect --format "{{json .Config.Cmd}}" "lab/base:$r" >"$TRASH/cmd"
		[ "$(cat "$TRASH/cmd")" = "[\"/usr/local/bin/kolla_start\"]" ]
	done
'

test_expect_success 'the images are lean: no apt caches or lists, no docs, no database' '
	tar -tf "$LABDIR/cache/rootfs/trixie/trixie.tar" >"$TRASH/files"
	grep -q "^\./usr/sbin/mariadbd$" "$TRASH/files"
	grep -q "^\./usr/bin/keystone-manage$" "$TRASH/files"
	test_lacks "^\./var/cache/apt/archives/.*\.deb$" "$TRASH/files"
	test_lacks "^\./var/lib/apt/lists/.*_Packages" "$TRASH/files"
	test_lacks "^\./usr/share/doc/.*/changelog" "$TRASH/files"
	test_lacks "^\./var/lib/mysql/." "$TRASH/files"
	echo "     image sizes: $(du -m "$LABDIR"/cache/rootfs/*/*.tar | awk "{printf \"%s %s MB  \", \$2, \$1}")" | sed "s|$LABDIR/cache/rootfs/||g" >&3
'

test_expect_success 'a second lab images builds and imports nothing: the cache is used' '
	$STACKHOP lab images >"$TRASH/again.out" 2>"$TRASH/again.err" || { cat "$TRASH/again.err"; exit 1; }
	test_lacks "built in\|imported in\|kolla_start added" "$TRASH/again.err"
	grep -q "^2025.1 (trixie): .*keystone 2:27\." "$TRASH/again.out"
'

ip link add "$BR" type bridge
ip addr add 10.231.9.254/24 dev "$BR"
ip link set "$BR" up
ip netns add "$NS"
ip link add "v-$NS" type veth peer name eth0 netns "$NS"
ip link set "v-$NS" master "$BR" up
ip -n "$NS" addr add "$ADDR/24" dev eth0
ip -n "$NS" link set eth0 up
ip -n "$NS" link set lo up

# Test-only secrets, in files no one else can read (never in argv).
mkdir -m 700 "$TRASH/db" "$TRASH/keystone"
DBPW=$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")
ADMINPW=$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")
umask 077
cat >"$TRASH/db/init.sql" <<EOF
CREATE DATABASE IF NOT EXISTS keystone;
CREATE USER IF NOT EXISTS 'keystone'@'%' IDENTIFIED BY '$DBPW';
GRANT ALL PRIVILEGES ON keystone.* TO 'keystone'@'%';
EOF
cat >"$TRASH/keystone/keystone.conf" <<EOF
[database]
connection = mysql+pymysql://keystone:$DBPW@$ADDR/keystone
[fernet_tokens]
key_repository = /var/lib/keystone/fernet-keys
[fernet_receipts]
key_repository = /var/lib/keystone/fernet-keys
[credential]
key_repository = /var/lib/keystone/credential-keys
EOF
printf '%s' "$ADMINPW" >"$TRASH/keystone/admin.pw"
# kolla's contract: kolla_start copies each file into place with its
# owner and mode, then runs the command.
cat >"$TRASH/keystone/config.json" <<EOF
{"command": "sh /etc/keystone/start.sh",
 "config_files": [
  {"source": "/var/lib/kolla/config_files/keystone.conf", "dest": "/etc/keystone/keystone.conf",
   "owner": "root:root", "perm": "0640"},
  {"source": "/var/lib/kolla/config_files/admin.pw", "dest": "/etc/keystone/admin.pw",
   "owner": "root:root", "perm": "0600"},
  {"source": "/var/lib/kolla/config_files/start.sh", "dest": "/etc/keystone/start.sh",
   "owner": "root:root", "perm": "0644"},
  {"source": "/var/lib/kolla/config_files/nosuch.conf", "dest": "/etc/keystone/nosuch.conf",
   "optional": true}],
 "permissions": [{"path": "/var/lib/keystone", "owner": "root:root", "recurse": true}]}
EOF
printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"%s"}}}}}' \
	"$ADMINPW" >"$TRASH/auth.json"
cat >"$TRASH/keystone/start.sh" <<EOF
set -e
keystone-manage db_sync
keystone-manage fernet_setup --keystone-user root --keystone-group root
keystone-manage credential_setup --keystone-user root --keystone-group root
OS_BOOTSTRAP_PASSWORD=\$(cat /etc/keystone/admin.pw) keystone-manage bootstrap \
	--bootstrap-admin-url http://$ADDR:5000/v3 --bootstrap-public-url http://$ADDR:5000/v3 \
	--bootstrap-region-id RegionOne
exec uwsgi --plugin python3 --http-socket $ADDR:5000 --wsgi-file /usr/bin/keystone-wsgi-public \
	--processes 1 --threads 1
EOF
umask 022
mkdir "$TRASH/haproxy"
cat >"$TRASH/haproxy/haproxy.cfg" <<EOF
global
	maxconn 100
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend smoke
	bind $ADDR:8080
	http-request return status 200 content-type text/plain string "haproxy answers"
EOF

# greeting HOST PORT [BYTES]: what a server says first (after BYTES),
# printable.
greeting() {
	printf "%b" "${3:-}" | timeout 5 socat -t 2 -T 3 - "TCP:$1:$2" 2>/dev/null |
		head -c 600 | tr -c "[:print:]" " "
}
mariadb_greets() { greeting "$ADDR" 3306 | grep -q "11\.8\.[0-9]*-MariaDB"; }
# AMQP 0-9-1's protocol header; the broker answers Connection.Start with
# its properties, its version among them.
amqp_version() { greeting "$ADDR" 5672 'AMQP\000\000\011\001' | grep -o "versionS *[0-9.]*" | grep -o "[0-9.]*$"; }
rabbitmq_greets() { amqp_version | grep -q "^4\.0\."; }
haproxy_answers() { curl -sf --max-time 3 "http://$ADDR:8080/" | grep -q "^haproxy answers$"; }
keystone_answers() { curl -sf --max-time 3 "http://$ADDR:5000/v3" >"$TRASH/v3"; }
# running NAME: the container runs (a wait ends at once when it died).
running() { [ "$(podman_cli "$PM" inspect --format "{{.State.Running}}" "$1" 2>/dev/null)" = true ]; }
keystone_answers_or_died() { keystone_answers || ! running smoke-keystone; }
# logs NAME: a container's last lines, when a wait failed.
logs() { echo "$1's log:"; podman_cli "$PM" logs --tail 20 "$1" 2>&1; }

test_expect_success 'MariaDB 11.8 from the trixie image starts in a node namespace and greets as 11.8' '
	podman_run "$PM" smoke-mariadb "$NS" lab/mariadb:2025.1 "[\"$TRASH/db:/etc/smoke:ro\"]" \
		sh -c "mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld &&
			install -o mysql -m 600 /etc/smoke/init.sql /run/mysqld/init.sql &&
			mariadb-install-db --user=mysql --skip-test-db >/run/mysqld/install.log 2>&1 &&
			exec mariadbd --user=mysql --bind-address=$ADDR --skip-name-resolve \
				--innodb-buffer-pool-size=64M --performance-schema=OFF \
				--init-file=/run/mysqld/init.sql"
	test_wait_for 90 mariadb_greets || { logs smoke-mariadb; exit 1; }
	podman_api "$PM" "/containers/json" >"$TRASH/ps.json"
	jq -e ".[] | select(.Names[0] == \"/smoke-mariadb\") | .Image == \"localhost/lab/mariadb:2025.1\" and .State == \"running\"" "$TRASH/ps.json"
'

test_expect_success 'RabbitMQ 4.0 from the trixie image starts and answers AMQP as 4.0' '
	podman_run "$PM" smoke-rabbitmq "$NS" lab/rabbitmq:2025.1 "[]" \
		env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=rabbit@localhost \
		RABBITMQ_NODE_IP_ADDRESS=$ADDR /usr/lib/rabbitmq/bin/rabbitmq-server
	test_wait_for 120 rabbitmq_greets || { amqp_version; logs smoke-rabbitmq; exit 1; }
	echo "     rabbitmq $(amqp_version) answered AMQP at $ADDR:5672" >&3
'

test_expect_success 'HAProxy 3.0 from the trixie image starts with its bound configuration and answers' '
	podman_run "$PM" smoke-haproxy "$NS" lab/haproxy:2025.1 "[\"$TRASH/haproxy:/etc/smoke:ro\"]" \
		haproxy -W -db -f /etc/smoke/haproxy.cfg
	test_wait_for 30 haproxy_answers || { logs smoke-haproxy; exit 1; }
	podman_cli "$PM" exec smoke-haproxy haproxy -v | grep -q "^HAProxy version 3\.0\."
'

test_expect_success 'Keystone Epoxy from the trixie image, started by kolla_start, migrates a database on that MariaDB, bootstraps and issues a token' '
	podman_run "$PM" smoke-keystone "$NS" lab/keystone:2025.1 "[\"$TRASH/keystone:/var/lib/kolla/config_files:ro\"]"
	test_wait_for 300 keystone_answers_or_died && keystone_answers || { logs smoke-keystone; exit 1; }
	jq -e ".version.status == \"stable\"" "$TRASH/v3" >/dev/null
	code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 30 -H "Content-Type: application/json" \
		-d @"$TRASH/auth.json" "http://$ADDR:5000/v3/auth/tokens")
	[ "$code" = 201 ] || { echo "POST /v3/auth/tokens: HTTP $code"; logs smoke-keystone; exit 1; }
	podman_cli "$PM" exec smoke-keystone dpkg-query -W -f="\${Version}" python3-keystone >"$TRASH/kv"
	grep -q "^2:27\." "$TRASH/kv"
	# kolla_start put the configuration in place, owner and mode set.
	podman_cli "$PM" exec smoke-keystone stat -c "%U %a" /etc/keystone/keystone.conf >"$TRASH/st"
	[ "$(cat "$TRASH/st")" = "root 640" ]
	test_must_fail podman_cli "$PM" exec smoke-keystone test -e /etc/keystone/nosuch.conf
'

test_done
