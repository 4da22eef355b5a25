#!/bin/sh
# t0160-docker.sh - the docker runtime (stackhop docker) for real against
# Podman's Docker-compatible API: an image made from Debian's
# busybox-static, a container created with a bind-mounted configuration,
# the host's network (as kolla runs them; on loopback here)
# and a health check, started, waited for healthy, stopped, removed, its
# image removed; and the API's errors (404, 409) as clear messages.
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/podman.sh
. "$(dirname "$0")/../lib/podman.sh"

PM=$TRASH/podman
export PM
trap 'podman_down "$PM"; rm -rf "$TRASH"' EXIT
IMG=localhost/stackhop-busybox:1
export IMG

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
	$D inspect web | grep -q "no such container"
	expect_fail 1 $D remove web
	grep_err "DELETE /containers/web: 404 not found"
	$D image-remove "$IMG"
	expect_fail 1 $D image-remove "$IMG"
	grep_err "404 not found"
	# Host networking: no network namespace made, none left behind.
	ls /run/netns 2>/dev/null | cmp - "$TRASH/netns.before"
	echo "     stop (SIGTERM through the init): $(echo "$e - $s" | bc) s" >&3
'

test_done
