#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SECURITY.md, claim by claim: hostile browsers (cross-site requests),
# roles (read-only, POST only, admin users), protected processes, and a
# local user planting pids and racing files in the lockfile directory.
#
#   BIN=... FCGI_BIN=... TOOLS=... [VIA=cgi|lighttpd-fastcgi|lighttpd-cgi]
set -u
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'

# with_opts OPTIONS: fcgi_proc runs with these options from now on.
with_opts() { stop_server; OPTS=$1; start_server; }
running() { [ "$(lock_field "$1" 5)" != 0 ] && [ "$(lock_field "$1" 2)" = 0 ]; }
# act_ok METHOD ACTION NAME: one test, the action is done (and undone).
act_ok() {
	local want=".status == 200 and .action == \"$2\""
	if [ "$1" = POST ]; then request POST "" "$2=$3"; else request GET "$2=$3"; fi
	check "$4" json_is "$want"
	if [ "$2" = stop ]; then
		request POST "" "start=$3"
		wait_state "$3" running
	fi
}
with_opts ""

# --- a web page the admin happens to open --------------------------------
before=$(snapshot)
for h in "Sec-Fetch-Site: cross-site" "Sec-Fetch-Site: same-site" \
    "Origin: http://evil.example" "Origin: null" \
    "Origin: http://$HOST.evil.example" "Origin: http://evil.example:${HOST##*:}"; do
	HEADERS=("$h")
	expect_error 403 "cross-site request refused" GET "stop=sleep1"
	expect_error 403 "cross-site request refused" POST "" "restart=sleep2"
done
HEADERS=("Sec-Fetch-Site: cross-site" "Origin: http://evil.example")
request GET list
check "a cross-site list is answered (the browser keeps it from the page)" \
    status_is 200
check "no Access-Control-Allow-Origin: no other page may read it" \
    eval '! grep -qi "^Access-Control" "$T/headers"'
check "cross-site requests changed nothing" eval '[ "$(snapshot)" = "$before" ]'
check "... and killed nothing" eval 'running sleep1 && running sleep2'
HEADERS=("Sec-Fetch-Site: same-origin" "Origin: http://$HOST")
act_ok POST stop sleep1 "the page's own origin may act (POST)"
HEADERS=("Sec-Fetch-Site: none")
act_ok GET stop sleep1 "a URL typed by the user (Sec-Fetch-Site: none) acts"
HEADERS=("Origin: http://${HOST%:*}")
[ "${HOST##*:}" = 80 ] || HEADERS=("Origin: http://$HOST")
act_ok GET restart sleep2 "an Origin equal to Host acts"
HEADERS=()
act_ok GET stop sleep1 "curl, which sends neither header, acts as before"

# --- plain HTTP on a LAN: a browser marks nothing ----------------------
# To http://192.168.1.1/ a browser sends no Sec-Fetch-Site, and no Origin
# with a GET: an <img> on any page sends what curl sends.  A GET acts only
# from this machine (a loopback Host), from a shell, or over HTTPS.
before=$(snapshot)
HEADERS=("Host: 192.168.1.1")
expect_error 405 "send a POST: curl -d stop=sleep1 URL" GET "stop=sleep1"
check "... with Allow: POST" header_is "Allow: POST"
HEADERS=("Host: 192.168.1.1:${HOST##*:}")
expect_error 405 "an action by GET is carried out only from this machine" \
    GET "restart=sleep2"
check "GET actions from the LAN changed nothing" \
    eval '[ "$(snapshot)" = "$before" ] && running sleep1 && running sleep2'
request GET list
check "the LAN lists by GET" status_is 200
act_ok POST stop sleep1 "the LAN acts by POST"
HEADERS=("Host: localhost:${HOST##*:}")
act_ok GET stop sleep1 "a GET to localhost acts: curl on the device itself"
HEADERS=("Host: [::1]:${HOST##*:}")
act_ok GET stop sleep1 "a GET to [::1] acts"
if via_cgi; then
	HEADERS=("Host: 192.168.1.1")
	EXTRA_ENV=(HTTPS=on)
	act_ok GET stop sleep1 "a GET over HTTPS acts (there browsers mark cross-site)"
	EXTRA_ENV=()
	HEADERS=()
	# A web server's request without Host (HTTP/1.0) is not a shell's.
	saved_host=$HOST HOST=
	expect_error 405 "send a POST" GET "stop=sleep1"
	HOST=$saved_host
fi
with_opts -g
HEADERS=("Host: 192.168.1.1")
act_ok GET stop sleep1 "-g: GET actions from anywhere, as the original's"
HEADERS=("Host: 192.168.1.1" "Sec-Fetch-Site: cross-site")
expect_error 403 "cross-site request refused" GET "stop=sleep1"

# --- DNS rebinding: Host and Origin name the attacker's domain ---------
with_opts ""
before=$(snapshot)
HEADERS=("Host: evil.example:${HOST##*:}" "Origin: http://evil.example:${HOST##*:}")
expect_error 403 'Host "evil.example" is not served: name it with -H' GET list
expect_error 403 "is not served" POST "" "stop=sleep1"
expect_error 403 "is not served" GET "status=sleep1"
check "a rebound name reads nothing and changes nothing" \
    eval '[ "$(snapshot)" = "$before" ] && running sleep1'
with_opts "-H router.lan,nas.lan"
HEADERS=("Host: Router.LAN:${HOST##*:}")
request GET list
check "-H router.lan: that name is served (any case, any port)" status_is 200
HEADERS=("Host: router.lan:${HOST##*:}" "Origin: http://router.lan:${HOST##*:}")
act_ok POST stop sleep1 "-H router.lan: its own page acts"
HEADERS=("Host: evil.example")
expect_error 403 "is not served" GET list
HEADERS=()

# --- roles --------------------------------------------------------------
with_opts -P
expect_error 405 "actions are accepted by POST only" GET "stop=sleep1"
check "POST only: 405 names POST" header_is "Allow: POST"
act_ok POST stop sleep1 "POST only: POST acts"
request HEAD "stop=sleep1"
check "POST only: HEAD never acts, and its 405 names POST alone" \
    eval 'status_is 405 && header_is "Allow: POST"'
request GET list
check "POST only: GET lists" status_is 200

with_opts -r
before=$(snapshot)
for a in start stop restart; do
	expect_error 403 "read-only" GET "$a=sleep1"
	expect_error 403 "read-only" POST "" "$a=sleep2"
done
request HEAD "stop=sleep1"
check "read-only: HEAD of an action is refused as GET is, 403" \
    eval 'status_is 403 && ! grep -qi "^Allow:" "$T/headers"'
request GET list
check "read-only: lists" status_is 200
check "read-only: nothing changed" eval '[ "$(snapshot)" = "$before" ]'

with_opts "-a alice,carol"
before=$(snapshot)
expect_error 403 "actions need an admin user" GET "stop=sleep1"
USER_NAME=bob
expect_error 403 "actions need an admin user" POST "" "stop=sleep1"
# A name with a comma is no admin, whichever admins it spans.
USER_NAME=alice,carol
expect_error 403 "actions need an admin user" GET "stop=sleep1"
check "admins: others changed nothing" eval '[ "$(snapshot)" = "$before" ]'
USER_NAME=alice
act_ok GET stop sleep1 "admins: alice acts"
USER_NAME=
request GET list
check "admins: anyone lists" status_is 200

# --- procmon's own monitors ------------------------------------------------
with_opts ""
request GET list
check "the list says which are protected, and only those" json_is \
    'map(select(.protected) | .name) == ["procmon1","procmon2"] and
    all(.[]; .protected == true or (has("protected") | not))'
before=$(snapshot)
for a in stop restart; do
	for n in procmon1 procmon2; do
		expect_error 403 "\"$n\" is protected" GET "$a=$n"
	done
done
request GET start=procmon1
check "start of a protected one is harmless: 200, nothing changed" \
    json_is '.changed == false'
check "the supervisor survived" kill -0 "$SUP_PID"
check "protected: nothing changed" eval '[ "$(snapshot)" = "$before" ]'
with_opts "-p sleep2"
expect_error 403 '"sleep2" is protected' GET "restart=sleep2"
act_ok GET stop sleep1 "-p: names outside the set act"

# --- a local user's pids, planted ----------------------------------------
with_opts ""
now=$(date +%s)
victims="$$ $SUP_PID"
if [ -n "$SERVER_PID" ]; then
	victims="$victims $SERVER_PID"
	responder=$(pgrep -P "$SERVER_PID" -x fcgi_proc)
	[ -n "$responder" ] && victims="$victims $responder"
fi
# (A pid of -1 is no procmon's header: 409, nothing written.)
i=0
for pid in $victims 0 1 -1; do
	i=$((i + 1))
	for t in 0 0xdeadbeef; do
		lockfile make "$LOCKDIR/procmon.planted$i-$t" "$pid" "$t" 1 "$now" x
		for a in stop restart; do
			request GET "$a=planted$i-$t"
			check "pid $pid planted ($t), $a: nothing signalled" \
			    json_is '(.status == 200 or (.status == 409 and '"$pid"' == -1)) and
			    (has("killed") | not)'
		done
	done
done
for pid in $victims; do
	check "pid $pid survived" kill -0 "$pid"
done
[ -n "${responder:-}" ] && check "the same responder answers" \
    eval '[ "$(pgrep -P "$SERVER_PID" -x fcgi_proc)" = "$responder" ]'
rm -f "$LOCKDIR"/procmon.planted*

# --- files that change under a request ----------------------------------
# A local user races the directory: entries appear, vanish, and turn into
# FIFOs, directories and symlinks between readdir() and open().
race() {
	local f=$LOCKDIR/procmon.race i=0
	while [ -e "$T/racing" ]; do
		i=$((i + 1))
		lockfile make "$f$i" "$SUP_PID" 0 1 0 x
		mkfifo "$f" 2>/dev/null; rm -f "$f"
		mkdir "$f" 2>/dev/null; rmdir "$f" 2>/dev/null
		ln -sf "$LOCKDIR/procmon.sleep1" "$f"; rm -f "$f"
		: >"$f"; chmod 600 "$f"; rm -f "$f"
		mv "$f$i" "$f"; rm -f "$f"
		echo $i >"$T/rounds.new"; mv "$T/rounds.new" "$T/rounds"
	done
}
# Forty lists while the racer runs, however fast either goes: they begin
# after its first round, and end before its last.
: >"$T/racing"
race &
racer=$!
poll 30 test -s "$T/rounds"
wrong=0
for _ in $(seq 40); do
	request GET list
	status_is 200 && valid_json || wrong=$((wrong + 1))
done
before=$(cat "$T/rounds")
poll 30 eval '[ "$(cat "$T/rounds")" != "$before" ]'
rm -f "$T/racing"
wait "$racer"
check "forty lists while files raced: each one 200 and valid JSON" \
    [ $wrong = 0 ]
check "the racing files' planted pid survived" kill -0 "$SUP_PID"
rm -rf "$LOCKDIR"/procmon.race*

stop_server
summary
