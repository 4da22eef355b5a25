# images.sh - service images: Debian packages of a version, downloaded with
# apt-get download and unpacked with dpkg -x into images/NAME-VERSION/.
# Sourced by lab/lab.sh.
# shellcheck shell=sh
#
# Where Debian offers two versions of a service (bookworm and
# bookworm-security), both become images; the lab starts on the older.
IMAGES="mariadb haproxy keystone nova placement"

# image_packages NAME: the packages of an image; the first one decides the
# versions.
image_packages() {
	case $1 in
	# The client core too: mariadb-upgrade runs the mariadb beside it.
	mariadb) echo "mariadb-server-core mariadb-server mariadb-client-core" ;;
	haproxy) echo "haproxy" ;;
	keystone) echo "python3-keystone" ;;
	# nova-common has nova-manage and nova-status; python3-nova the code.
	nova) echo "python3-nova nova-common" ;;
	placement) echo "python3-placement" ;;
	esac
}

# versions NAME: the versions Debian has of the image's first package,
# oldest first.
versions() {
	f="$LAB/images/$1.versions"
	if [ ! -s "$f" ]; then
		# shellcheck disable=SC2046 # the package list is split on purpose
		set -- $(image_packages "$1")
		apt-cache madison "$1" | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
			sort -u | sort -V >"$f.new"
		[ -s "$f.new" ] || die "apt-cache knows no version of $1 (apt-get update may help)"
		mv "$f.new" "$f"
	fi
	cat "$f"
}

# label VERSION: the version without its epoch, for directory names.
label() { echo "${1#*:}"; }

# The older and newer version of an image (the same when Debian has one).
old_version() { versions "$1" | head -1; }
new_version() { versions "$1" | tail -1; }

image_fetch() {
	name=$1 ver=$2
	dir=$(image_dir "$name" "$(label "$ver")")
	# .complete lists the packages unpacked: an image of fewer is redone.
	[ "$(cat "$dir/.complete" 2>/dev/null)" = "$(image_packages "$name")" ] && return 0
	cache="$LAB/cache/$name-$(label "$ver")"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp" "$cache"
	for p in $(image_packages "$name"); do
		if [ -z "$(find "$cache" -name "${p}_*.deb")" ]; then
			(cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$p=$ver" >/dev/null) ||
				die "cannot download $p=$ver (apt-get update may help)"
		fi
		dpkg -x "$(find "$cache" -name "${p}_*.deb" | head -1)" "$dir.tmp"
	done
	echo "$ver" >"$dir.tmp/.version"
	if [ -d "$dir" ]; then
		# Running services may use the old tree: add the new files to it.
		cp -a -n "$dir.tmp/." "$dir/"
		rm -rf "$dir.tmp"
	else
		mv "$dir.tmp" "$dir"
	fi
	image_packages "$name" >"$dir/.complete.new"
	mv "$dir/.complete.new" "$dir/.complete"
}

images_fetch() {
	for i in $IMAGES; do
		for v in $(versions "$i"); do
			image_fetch "$i" "$v"
		done
	done
}
