#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What only nginx shows, on 127.0.0.1: the FastCGI build as spawn-fcgi
# keeps it (nginx starts no program itself) and the plain build through
# fcgiwrap, answering alike; a responder that survives clients hanging
# up, stays flat over many requests, and leaves when spawn-fcgi's
# process is told to stop.
#
#   BIN=plain build FCGI_BIN=FastCGI build TOOLS=dir/of/pmsup tests/nginx.sh
set -u
VIA=nginx-fastcgi
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
start_server
port=${BASE##*:}
responder=${SPAWNED%% *}

# --- FastCGI and fcgiwrap answer alike ----------------------------------
# Actions that change nothing, so that both answer the same state.
curl -s -o /dev/null "$BASE/procs?stop=sleep2"
same=0 differ=0
for req in "GET list" "GET " "GET stop=sleep2" "GET start=sleep1" \
    "GET restart=nosuch" "GET stop=../x" "GET list&stop=sleep1" \
    "GET list=1" "GET stop=$(printf 'a%.0s' $(seq 1100))" \
    "POST stop=sleep2" "POST list" "DELETE list" "HEAD list" \
    "HEAD stop=sleep1"; do
	m=${req%% *} q=${req#* }
	body=; [ "$m" = POST ] && body=$q q=
	a=$(masked "$m" "$BASE/procs?$q" "$body")
	b=$(masked "$m" "$BASE/cgi-bin/fcgi_proc?$q" "$body")
	if [ "$a" = "$b" ]; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		printf '%s\n--- FastCGI\n%s\n--- fcgiwrap\n%s\n' "$req" "$a" "$b"
	fi
done
check "spawn-fcgi's responder and fcgiwrap answer alike ($same requests)" \
    [ "$differ" = 0 ]
curl -s -o /dev/null "$BASE/procs?start=sleep2"
wait_state sleep2 running

# --- a location without fastcgi_params ------------------------------------
# No REQUEST_METHOD, no GATEWAY_INTERFACE: a shell's environment but for
# the headers nginx passes all the same; and a persistent responder is
# never a shell's.  An <img> on any page sends this GET to the router's
# LAN address.
pid=$(lock_field sleep1 5)
code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Host: 192.168.1.1" \
    "$BASE/careless?stop=sleep1")
check "a GET action through a location without fastcgi_params: 405, nothing done" \
    eval '[ "$code" = 405 ] && [ "$(lock_field sleep1 5)" = "$pid" ] &&
    [ "$(lock_field sleep1 2)" = 0 ]'

# --- the responder ----------------------------------------------------------
check "spawn-fcgi left one responder, fcgi_proc itself" \
    eval '[ "$(cat /proc/$responder/comm)" = fcgi_proc ]'
anon() { awk '/^RssAnon/ { print $2 }' "/proc/$responder/status"; }
hangups "$port" "/procs?list"
check "50 clients hung up mid-answer ($hangups)" [ $? = 0 ]
check "the responder survived them" kill -0 "$responder"
names=$(jq -r 'join(",")' <<<"$NAMES")
/usr/bin/python3 "$TESTS/tools/hammer.py" list "$port" "/procs?list" 500 \
    "$names" >/dev/null
rss0=$(anon)
out=$(/usr/bin/python3 "$TESTS/tools/hammer.py" list "$port" "/procs?list" 5000 \
    "$names")
rc=$?
rss1=$(anon)
check "5,000 requests in a row, every one right ($out)" [ $rc = 0 ]
[ -n "${SANITIZED:-}" ] ||
    check "responder memory flat over 5,000 requests ($rss0 -> $rss1 KiB)" \
    [ $((rss1 - rss0)) -le 16 ]

# spawn-fcgi -n execs the responder: stopping that process stops it, and
# it leaves cleanly, waiting for no request.
kill -TERM "$responder"
wait "$responder"
rc=$?
check "told to stop, the responder leaves at once, with status 0" \
    eval '[ $rc = 0 ] && ! kill -0 $responder 2>/dev/null'
SPAWNED=${SPAWNED#* }
request GET list
check "nginx then answers 502 for /procs, not a hang" status_is 502
summary
