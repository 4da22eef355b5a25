#!/bin/sh
# clustercheck.sh GALERA_DIR - one HTTP answer on stdin/stdout (run by socat
# per connection): 200 when the node is Synced (wsrep_local_state 4), 503
# otherwise, and 503 while GALERA_DIR/clustercheck.disabled exists (how a
# node is taken out of HAProxy's rotation, as the seed's clustercheck does).
d=$1
read -r _request || true
state=$(mariadb -S "$d/mysqld.sock" -N -B -e "SHOW STATUS LIKE 'wsrep_local_state'" 2>/dev/null | cut -f2)
if [ -e "$d/clustercheck.disabled" ]; then
	code="503 Service Unavailable" body="disabled by clustercheck.disabled"
elif [ "$state" = 4 ]; then
	code="200 OK" body="Galera node is Synced"
else
	code="503 Service Unavailable" body="Galera node is not Synced (state ${state:-unknown})"
fi
printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s\r\n' \
	"$code" $((${#body} + 2)) "$body"
