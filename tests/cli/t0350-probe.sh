#!/bin/sh
# t0350-probe.sh - stackhop probe on loopback: outage windows of TCP and
# HTTP targets that go away and come back, ICMP, the journal and its
# status, signals, and bad input.  (SQL targets are probed on the lab, in
# t0400-lab.sh.)
# shellcheck disable=SC2016 # test bodies are single-quoted on purpose
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# Ports on loopback for this run's listeners.
base=$((20000 + $$ % 20000))
export P_UP=$base P_FLAP=$((base + 1)) P_HTTP=$((base + 2)) P_503=$((base + 3)) \
	P_NONE=$((base + 4)) P_SLOW=$((base + 5)) P_WITNESS=$((base + 6)) P_LOG=$((base + 7)) \
	P_MANY=$((base + 8))
# Listener PIDs go to a file: those a test body starts (in its subshell)
# are killed at the end too.
cleanup() {
	[ -f "$TRASH/listeners" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$TRASH/listeners"
	rm -rf "$TRASH"
}
trap cleanup EXIT

# listen PORT [REPLY]: a socat listener on loopback, in the background,
# answering REPLY (printf format) to every connection; its PID is in $last.
# (It reads the request first: a server that closes with the request
# unread makes the kernel reset the connection, losing the reply.)
cat >"$TRASH/serve.sh" <<'EOF'
cr=$(printf '\r')
while read -r line && [ "$line" != "$cr" ] && [ -n "$line" ]; do :; done
cat "$1"
EOF
listen() {
	if [ -n "${2:-}" ]; then
		# shellcheck disable=SC2059 # REPLY is a format on purpose
		printf "$2" >"$TRASH/reply.$1"
		socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" \
			EXEC:"sh $TRASH/serve.sh $TRASH/reply.$1" 2>/dev/null &
	else
		socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" /dev/null 2>/dev/null &
	fi
	last=$!
	echo "$last" >>"$TRASH/listeners"
}
# listen_log PORT: a listener that appends a line to $TRASH/conn.PORT for
# every connection it accepts (what a test waits on); its PID is in $last.
listen_log() {
	socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" SYSTEM:"echo >>$TRASH/conn.$1" 2>/dev/null &
	last=$!
	echo "$last" >>"$TRASH/listeners"
}
# conns PORT: how many connections listen_log PORT has accepted.
conns() { if [ -e "$TRASH/conn.$1" ]; then wc -l <"$TRASH/conn.$1"; else echo 0; fi; }
conns_at_least() { [ "$(conns "$1")" -ge "$2" ]; }
# wait_logged PORT: listen_log PORT listens, and has logged the one
# connection of that check (so that the count is 1 after it).
wait_logged() { wait_listening "$1" && test_wait_for 30 conns_at_least "$1" 1; }
listening() { socat -u /dev/null "TCP:127.0.0.1:$1" 2>/dev/null; }
refused() { if listening "$1"; then return 1; fi; }
wait_listening() {
	i=0
	while ! listening "$1"; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.1
	done
}

listen "$P_UP"
listen "$P_HTTP" 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'
listen "$P_503" 'HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'
# Accepts, reads, never answers.
socat "TCP-LISTEN:$P_SLOW,bind=127.0.0.1,reuseaddr,fork" SYSTEM:"sleep 10" 2>/dev/null &
echo "$!" >>"$TRASH/listeners"
wait_listening "$P_UP"
wait_listening "$P_HTTP"
wait_listening "$P_503"

test_expect_success 'targets that answer: every sample succeeds, exit 0, summary per target' '
	$STACKHOP probe --target tcp:127.0.0.1:$P_UP --target http://127.0.0.1:$P_HTTP/v3 \
		--data-target icmp:127.0.0.1 --duration 1 --out "$TRASH/up.json" >"$TRASH/up.out"
	grep -q "^probe: 3 targets every 100 ms" "$TRASH/up.out"
	jq -e "(.targets | length) == 3 and all(.targets[]; .failures == 0 and .samples >= 1)
		and .outages == []" "$TRASH/up.json"
	jq -e ".targets[2].plane == \"data\"" "$TRASH/up.json"
'

test_expect_success 'a TCP target that goes away and comes back: one closed outage inside the run' '
	listen_log "$P_FLAP"
	flap=$last
	wait_logged "$P_FLAP"
	F=tcp:127.0.0.1:$P_FLAP W=tcp:127.0.0.1:$P_WITNESS
	# W, the witness, listens only once F is gone: two samples of W
	# answered mean two ticks after that, the second with a sample of F
	# that was refused.  (W is down before: its own outage.)
	$STACKHOP probe --target "$F" --target "$W" --interval 50 \
		--out "$TRASH/flap.json" >"$TRASH/flap.out" &
	probe=$!
	c=$(conns "$P_FLAP")
	test_wait_for 30 conns_at_least "$P_FLAP" $((c + 1))	# F answered the prober
	kill "$flap"
	test_wait_for 30 refused "$P_FLAP"
	listen_log "$P_WITNESS"
	test_wait_for 30 conns_at_least "$P_WITNESS" 2
	listen "$P_FLAP"
	# The outage of F closes (at its next answered sample) and is printed.
	test_wait_for 30 grep -q "^outage: $F from" "$TRASH/flap.out"
	kill -TERM "$probe"
	set +e; wait "$probe"; rc=$?; set -e
	test "$rc" = 1
	jq -e "[.outages[] | select(.target == \"$F\")] | length == 1" "$TRASH/flap.json"
	jq -e ".outages[] | select(.target == \"$F\") | .open == false and .duration > 0 and (.error | test(\"refused\"))" "$TRASH/flap.json"
	jq -e ".started as \$s | .ended as \$e | .outages[] | select(.target == \"$F\") | .start > \$s and .end < \$e" "$TRASH/flap.json"
	jq -e ".targets[] | select(.target == \"$F\") | .failures > 0 and .failures < .samples and .outages == 1" "$TRASH/flap.json"
	awk "/^tcp:127.0.0.1:$P_FLAP/ { print \"probe flap: \" \$0 }" "$TRASH/flap.out" >&3
'

test_expect_success 'HTTP 503 and a refused port fail; the outage is open at the end' '
	expect_fail 1 $STACKHOP probe --target http://127.0.0.1:$P_503/ \
		--target tcp:127.0.0.1:$P_NONE --duration 1 --out "$TRASH/down.json"
	jq -e ".outages | length == 2 and all(.[]; .open)" "$TRASH/down.json"
	jq -e "[.outages[].error] | sort == [\"HTTP 503\", \"connect: Connection refused\"]" "$TRASH/down.json"
	jq -e "all(.targets[]; .failures == .samples)" "$TRASH/down.json"
'

test_expect_success 'a sample slower than --timeout fails; no second sample while one is in flight' '
	expect_fail 1 $STACKHOP probe --target http://127.0.0.1:$P_SLOW/ --interval 50 \
		--timeout 300 --duration 2 --out "$TRASH/slow.json"
	jq -e ".targets[0].failures == .targets[0].samples" "$TRASH/slow.json"
	# Each sample takes its whole 300 ms timeout, one at a time: at most
	# 7 fit in 2 s (more would mean samples in flight together).
	jq -e ".targets[0].samples >= 1 and .targets[0].samples <= 7" "$TRASH/slow.json"
	jq -e ".outages[0].error | test(\"timed out|no answer\")" "$TRASH/slow.json"
'

test_expect_success 'SIGTERM stops the prober, which still prints its summary' '
	listen_log "$P_LOG"
	wait_logged "$P_LOG"
	c=$(conns "$P_LOG")
	$STACKHOP probe --target tcp:127.0.0.1:$P_LOG --out "$TRASH/sig.json" >"$TRASH/sig.out" &
	probe=$!
	# Sampling (its signal handlers are set before the first sample), and
	# one sample done: a target is sampled again only once its sample
	# ended, so a second connection means the first one was counted (the
	# listener sees the first connection before the prober counts it).
	test_wait_for 30 conns_at_least "$P_LOG" $((c + 2))
	kill -TERM "$probe"
	wait "$probe"
	grep -q "^tcp:127.0.0.1:$P_LOG" "$TRASH/sig.out"
	jq -e ".targets[0].samples >= 1 and .targets[0].failures == 0" "$TRASH/sig.json"
'

test_expect_success 'outages and per-target totals go into a run journal; status shows them' '
	printf "[control]\nctl1 ansible_host=10.231.0.11\n" >"$TRASH/one.ini"
	$STACKHOP upgrade -i "$TRASH/one.ini" --from zed --to 2023.1 --transport sim --yes \
		--journal "$TRASH/run.journal" >/dev/null
	expect_fail 1 $STACKHOP probe --target tcp:127.0.0.1:$P_NONE --duration 1 \
		--journal "$TRASH/run.journal"
	$STACKHOP status --journal "$TRASH/run.journal" >"$TRASH/st.out"
	grep -q "^outages: 1," "$TRASH/st.out"
	grep -q "control tcp:127.0.0.1:$P_NONE from .* (still down when the prober stopped): connect: Connection refused" "$TRASH/st.out"
	$STACKHOP status --journal "$TRASH/run.journal" --format json >"$TRASH/st.json"
	jq -e ".outages | length == 1 and .[0].plane == \"control\"" "$TRASH/st.json"
	# Per target, the totals: a second prober (as a resume runs) adds up.
	grep -q "^downtime per probed target" "$TRASH/st.out"
	grep -q "^  control tcp:127.0.0.1:$P_NONE  *[0-9]*  *[0-9]*    1 " "$TRASH/st.out"
	$STACKHOP status --journal "$TRASH/run.journal" --format json >"$TRASH/st1.json"
	expect_fail 1 $STACKHOP probe --target tcp:127.0.0.1:$P_NONE --duration 1 \
		--journal "$TRASH/run.journal"
	$STACKHOP status --journal "$TRASH/run.journal" --format json >"$TRASH/st2.json"
	n1=$(jq ".probe_targets[0].samples" "$TRASH/st1.json")
	d1=$(jq ".probe_targets[0].downtime" "$TRASH/st1.json")
	jq -e ".probe_targets | length == 1 and .[0].outages == 2 and .[0].samples > $n1 and .[0].failures == .[0].samples and .[0].downtime > $d1" "$TRASH/st2.json"
'

test_expect_success 'bad targets: clear errors naming the spec, the file and line' '
	expect_fail 2 $STACKHOP probe --target foo:1 --duration 1
	grep_err "probe target .foo:1.: expected sql:HOST:PORT, tcp:HOST:PORT, icmp:HOST or an http(s):// URL"
	expect_fail 2 $STACKHOP probe --target tcp:127.0.0.1:99999 --duration 1
	grep_err "expected tcp:HOST:PORT"
	printf "# targets\ntcp:127.0.0.1:1\n\ndata nonsense\n" >"$TRASH/t.list"
	expect_fail 2 $STACKHOP probe --targets "$TRASH/t.list" --duration 1
	grep_err "t.list:4: probe target .nonsense."
	expect_fail 2 $STACKHOP probe --duration 1
	grep_err "no targets"
	expect_fail 2 $STACKHOP probe --target tcp:127.0.0.1:1 --interval 5
	grep_err "interval must be milliseconds"
	expect_fail 2 $STACKHOP probe --target tcp:127.0.0.1:1 --journal "$TRASH/none.journal" --duration 1
	grep_err "does not exist"
'

# Eight connections at once: a listener with room for them all in its
# accept queue (socat's default backlog is 5).
socat "TCP-LISTEN:$P_MANY,bind=127.0.0.1,reuseaddr,fork,backlog=64" /dev/null 2>/dev/null &
echo $! >>"$TRASH/listeners"
wait_listening "$P_MANY"

test_expect_success 'one failing HTTP target, then eight TCP targets: libcurl writes the error text, no use after free' '
	# The HTTP target is added first: the eight after it grow the target
	# vector, which must not move the error buffer libcurl writes into.
	set -- --target http://127.0.0.1:$P_NONE/v3
	for k in 1 2 3 4 5 6 7 8; do set -- "$@" --target tcp:127.0.0.1:$P_MANY; done
	expect_fail 1 $STACKHOP probe "$@" --duration 1 --out "$TRASH/many.json"
	test_lacks "AddressSanitizer\|runtime error" "$TRASH/err"
	jq -e "(.targets | length) == 9 and .targets[0].failures == .targets[0].samples" "$TRASH/many.json"
	jq -e "all(.targets[1:][]; .failures == 0 and .samples >= 1)" "$TRASH/many.json"
	jq -e ".outages | length == 1 and (.[0].error | test(\"^Failed to connect to 127.0.0.1 port $P_NONE\"))" "$TRASH/many.json"
'

test_done
