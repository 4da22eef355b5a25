# rootfs.sh - release images: one root filesystem per Debian release, built
# with mmdebstrap from this machine's own apt sources, kept as a tarball
# under $LAB/cache, imported into the lab's Podman store with kolla's
# entry point (lab/kolla_start) in a layer of its own and a kolla-style tag
# per service (lab/keystone:zed, lab/keystone:2025.1, ...) and per
# version of its package (lab/keystone:22.0.2-0_deb12u6).  A third image,
# bookworm-point, is Debian 12 as its last point release shipped it (the
# suite alone, no security or stable updates): Zed at the older patch
# level, what the lab's minor update starts from.
# Sourced by lab/lab.sh and by the tests.
# shellcheck shell=sh
#
# Cache ($LAB/cache/rootfs/RELEASE/):
#   debs/      every .deb the build installed (sync-out of apt's archive;
#              SUITE-point shares SUITE's: most packages are the same)
#   lists/     the package lists it installed from: a rebuild with both
#              runs without the network and installs the same versions
#   RELEASE.tar  the finished tree, lean: no apt caches or lists, no docs,
#              no databases (/var/lib/mysql, RabbitMQ's mnesia)
#   packages   what RELEASE.tar was built with; another list rebuilds it
#   versions   VERSION of each service's main package, read in the tree

# The images: a Debian suite with its updates (the release images), or
# SUITE-point, the suite as its last point release shipped it.  The
# OpenStack release each carries names its tags.
RELEASES="bookworm-point bookworm trixie"
release_name() {
	case $1 in
	bookworm) echo zed ;;
	bookworm-point) echo zed-point ;;
	trixie) echo 2025.1 ;;
	*) return 1 ;;
	esac
}
# The Debian suite an image is built from.
release_suite() { echo "${1%-point}"; }

# version_tag VERSION: a package version as an image tag (no epoch; '+'
# and '~', which a tag cannot hold, as '_'): 2:22.0.2-0+deb12u6 is
# 22.0.2-0_deb12u6.
version_tag() { echo "${1#*:}" | tr '+~' '__'; }

# What every release image holds.  Each service's tag points at the same
# image; removing one tag keeps the image and the others.
ROOTFS_PACKAGES="mariadb-server mariadb-client galera-4 rsync lsof socat iproute2 procps
rabbitmq-server haproxy keepalived memcached curl ca-certificates
python3-keystone python3-placement python3-nova nova-common python3-pymysql
python3-memcache python3-amqp uwsgi-core uwsgi-plugin-python3"
# kolla's container names, each with the package whose version it reports.
IMAGE_SERVICES="mariadb:mariadb-server rabbitmq:rabbitmq-server haproxy:haproxy
keepalived:keepalived memcached:memcached keystone:python3-keystone
placement-api:python3-placement nova-api:python3-nova
nova-conductor:python3-nova nova-scheduler:python3-nova"

# apt_uri KIND: the URI this machine's apt uses for the Debian archive
# (KIND=archive) or its security archive (KIND=security), read from its
# sources (deb822 .sources files and sources.list lines).  Never a name
# written here: the lab uses the mirror the machine already has.
apt_uri() {
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk '/^URIs:/ {u=$2} /^Suites:/ {for (i = 2; i <= NF; i++) print u, $i} /^$/ {u=""}' "$f"
		done
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" {i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++; print $i, $(i + 1)}'
	} | awk -v kind="$1" '
		kind == "security" && $2 ~ /-security$/ { print $1; exit }
		kind == "archive" && $2 !~ /-(security|updates|backports|proposed-updates)$/ && $1 ~ /debian/ { print $1; exit }'
}

rootfs_dir() { echo "$LAB/cache/rootfs/$1"; }

# rootfs_build RELEASE: build (or keep) the release's tarball.
rootfs_build() {
	rel=$1
	d=$(rootfs_dir "$rel")
	pk=$(echo "$ROOTFS_PACKAGES" | tr -s ' \n' ' ')
	if [ -s "$d/$rel.tar" ] && [ "$(cat "$d/packages" 2>/dev/null)" = "$pk" ]; then
		return 0
	fi
	command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (run: sh scripts/deps.sh lab)"
	main=$(apt_uri archive)
	sec=$(apt_uri security)
	[ -n "$main" ] || die "no Debian archive in this machine's apt sources (/etc/apt/sources.list*)"
	[ -n "$sec" ] || die "no Debian security archive in this machine's apt sources (/etc/apt/sources.list*)"
	suite=$(release_suite "$rel")
	if [ "$suite" = "$rel" ]; then
		set -- "deb $main $suite main" "deb $main $suite-updates main" "deb $sec $suite-security main"
	else
		set -- "deb $main $suite main"
	fi
	debs=$(rootfs_dir "$suite")/debs
	mkdir -p "$debs" "$d/lists"
	rm -f "$d/$rel.tar.new"
	# With cached lists, no "apt-get update": the same versions, offline.
	skip=""
	[ -f "$d/lists/.complete" ] && skip="--skip=update"
	t0=$(date +%s)
	# shellcheck disable=SC2016 # $1 is mmdebstrap's, expanded by its hooks
	mmdebstrap --mode=root --variant=apt --format=tar $skip \
		--skip=essential/unlink --skip=check/empty \
		--include="$(echo "$pk" | tr ' ' ',' | sed 's/,$//')" \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives" "$1/var/lib/apt/lists"' \
		--setup-hook="sync-in $debs /var/cache/apt/archives" \
		--setup-hook="sync-in $d/lists /var/lib/apt/lists" \
		--customize-hook="sync-out /var/cache/apt/archives $debs" \
		--customize-hook="sync-out /var/lib/apt/lists $d/lists" \
		--customize-hook='rm -rf "$1"/var/lib/mysql/* "$1"/var/lib/rabbitmq/mnesia "$1"/var/log/*.log "$1"/var/log/apt/*' \
		--customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package} \${Version}\n' >$d/installed.new" \
		"$suite" "$d/$rel.tar.new" "$@" \
		>"$d/build.log" 2>&1 || { tail -20 "$d/build.log" >&2; die "building the $rel image failed, see $d/build.log"; }
	rm -f "$debs/lock" "$d/lists/lock"
	mv "$d/installed.new" "$d/installed"
	mv "$d/$rel.tar.new" "$d/$rel.tar"
	echo "$pk" >"$d/packages"
	: >"$d/lists/.complete"
	log "image $rel built in $(($(date +%s) - t0)) s ($(du -m "$d/$rel.tar" | cut -f1) MB)"
}

# rootfs_version RELEASE PACKAGE: the version of PACKAGE in the release's image.
rootfs_version() { awk -v p="$2" '$1 == p {print $2}' "$(rootfs_dir "$1")/installed"; }

# file_sum FILE: FILE's SHA-256, kept in FILE.sha256 with its size and
# time (a 1 GB tarball is read again only when it changed).
file_sum() {
	st=$(stat -c '%s %Y' "$1")
	sum=$(sed -n "s/^$st //p" "$1.sha256" 2>/dev/null || true)
	if [ -z "$sum" ]; then
		sum=$(sha256sum "$1" | cut -d' ' -f1)
		echo "$st $sum" >"$1.sha256"
	fi
	echo "$sum"
}

# image_label PODMAN_DIR IMAGE LABEL: a label of an image in the store, or "".
image_label() {
	podman_cli "$1" image inspect --format "{{index .Labels \"$3\"}}" "$2" 2>/dev/null || true
}

# rootfs_import RELEASE PODMAN_DIR: the release's tarball as image
# lab/rootfs:NAME in the store at PODMAN_DIR (NAME: zed, zed-point,
# 2025.1), imported again only when the tarball changed (its checksum is
# the label stackhop.rootfs); then lab/base:NAME, that image with
# lab/kolla_start as its entry point (a layer of a few kB, built again
# when either changed: the label stackhop.layer), tagged per service
# (lab/SERVICE:NAME) and per version of the service's package
# (lab/SERVICE:VERSION_TAG).
rootfs_import() {
	rel=$1 pm=$2
	d=$(rootfs_dir "$rel")
	name=$(release_name "$rel")
	sum=$(file_sum "$d/$rel.tar")
	if [ "$(image_label "$pm" "lab/rootfs:$name" stackhop.rootfs)" != "$sum" ]; then
		t0=$(date +%s)
		podman_cli "$pm" import -q --change "LABEL stackhop.rootfs=$sum" \
			--change "LABEL stackhop.release=$rel" --change 'CMD ["/bin/bash"]' \
			"$d/$rel.tar" "lab/rootfs:$name" >/dev/null ||
			die "importing $d/$rel.tar into the lab's image store failed"
		log "image lab/rootfs:$name imported in $(($(date +%s) - t0)) s"
	fi
	layer="$sum+$(sha256sum "$LAB_SRC/kolla_start" | cut -c1-16)-755"
	if [ "$(image_label "$pm" "lab/base:$name" stackhop.layer)" != "$layer" ]; then
		rm -rf "$d/layer"
		mkdir -p "$d/layer"
		cp "$LAB_SRC/kolla_start" "$d/layer/kolla_start"
		chmod 755 "$d/layer/kolla_start"
		printf '%s\n' "FROM localhost/lab/rootfs:$name" \
			"COPY kolla_start /usr/local/bin/kolla_start" \
			"LABEL stackhop.layer=$layer" \
			'CMD ["/usr/local/bin/kolla_start"]' >"$d/layer/Containerfile"
		podman_cli "$pm" build -q -t "lab/base:$name" "$d/layer" >"$d/layer.log" 2>&1 ||
			{ tail -5 "$d/layer.log" >&2; die "building lab/base:$name (kolla_start) failed, see $d/layer.log"; }
		rm -rf "$d/layer"
		log "image lab/base:$name: kolla_start added"
	fi
	tags=""
	for s in $IMAGE_SERVICES; do
		tags="$tags lab/${s%%:*}:$name lab/${s%%:*}:$(version_tag "$(rootfs_version "$rel" "${s#*:}")")"
	done
	# shellcheck disable=SC2086 # one word per tag
	podman_cli "$pm" tag "lab/base:$name" $tags || die "cannot tag lab/base:$name as$tags"
	# What a new import or layer left without a tag: the store is the lab's.
	podman_cli "$pm" image prune -f >/dev/null 2>&1 || true
}

# images_build PODMAN_DIR: every release's image, built or taken from the
# cache, in the store.
images_build() {
	for r in $RELEASES; do
		rootfs_build "$r"
		rootfs_import "$r" "$1"
	done
}
