#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The API end to end: every route and every error of a built fcgi_proc,
# against real processes under the procmon-faithful pmsup and real
# lockfiles, through one of the ways a web server runs it (VIA):
#
#   cgi                 the program itself, given the CGI environment and
#                       stdin exactly as a web server gives them (default)
#   lighttpd-fastcgi    lighttpd mod_fastcgi spawning BIN (FCGI=1 build)
#   lighttpd-cgi        lighttpd mod_cgi running BIN from cgi-bin/
#   busybox             busybox httpd running BIN from cgi-bin/
#   uhttpd              OpenWrt's uhttpd running BIN from cgi-bin/
#   nginx-fastcgi       nginx, BIN kept by spawn-fcgi
#   nginx-fcgiwrap      nginx, BIN run by fcgiwrap
#
# Each refusal of the grammar is proven once, in tests/requests.c: here,
# one of each status as each server carries it, and what lockfiles and
# names procmon may leave.
#
#   BIN=fcgi_proc TOOLS=dir/of/pmsup [VIA=...] [RUN=wrapper] tests/api.sh
set -u
. "$(dirname "$0")/lib.sh"

# procmon takes any id: an '@', a space and a comma in a name.
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200' \
    'svc@lan=sleep 3600' 'a b,c=sleep 3600'
start_server
now=$(date +%s)

# --- list -------------------------------------------------------------
request GET list
check "GET ?list is 200" status_is 200
check "JSON content type" \
    header_is "Content-Type: application/json; charset=utf-8"
check "list is valid JSON (python's strict parser)" \
    valid_json
framed_never() {
	header_is "X-Frame-Options: DENY" &&
	    grep -qi "^Content-Security-Policy: .*frame-ancestors 'none'" "$T/headers"
}
check "no page may frame it: X-Frame-Options, CSP frame-ancestors" framed_never
check "list is sorted by name" \
    json_is 'map(.name) == $names'
check "the original's keys first, in its order" \
    json_is 'all(keys_unsorted[:6] == ["name","pid","runcount","since","state","exec"])'
check "the original's types" json_is 'all((.name|type) == "string" and
    (.pid|type) == "number" and (.runcount|type) == "number" and
    (.since|type) == "string" and (.state|type) == "string" and
    (.exec|type) == "string")'
check "all running, since in procmon's format" \
    json_is 'all(.state == "running" and (.since | test("^[0-9]+s$")))'
check "exec and runcount as procmon wrote them" json_is 'map(select(.name
    | startswith("sleep")) | [.exec, .runcount]) == [["sleep 3600", 1], ["sleep 7200", 1]]'
check "pid is the lock holder" json_is "map(select(.name == \"sleep1\"
    or .name == \"procmon1\") | .pid) == [$(lock_field procmon1 5), $(lock_field sleep1 5)]"
check "none stopped on request" json_is 'all(.stop_requested == false)'
check "the original's layout, byte for byte" \
    grep -q '^\[{"name": "a b,c","pid": [0-9]*,"runcount": [0-9]*,"since": "[0-9]*s","state": "running","exec": "[^"]*","age": ' "$T/body"

request GET ""
check "GET with no query lists" json_is 'length == ($names | length)'
request POST "" "list"
check "POST list" json_is 'length == ($names | length)'
request POST "" "list="
check "POST list= (an empty form value)" json_is 'length == ($names | length)'
request HEAD list
check "HEAD list: 200, headers only" \
    eval 'status_is 200 && [ ! -s "$T/body" ]'
request HEAD ""
check "HEAD with no query: 200, headers only" \
    eval 'status_is 200 && [ ! -s "$T/body" ]'

# --- stop / start / restart -------------------------------------------
old=$(lock_field sleep1 5)
lockfile set "$LOCKDIR/procmon.sleep1" starttime=0	# long ago
request GET stop=sleep1
check "GET ?stop=sleep1 is 200" status_is 200
check "stop says what it did" json_is '.status == 200 and .name == "sleep1"
    and .action == "stop" and .changed == true and .killed == '"$old"
check "... in an answer no page may frame" framed_never
check "stop flagged the lockfile" eval '[ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
check "stop killed the process" gone "$old"
check "stop recorded the stop time" \
    eval '[ "$(lock_field sleep1 4)" -ge '"$now"' ]'
check "listed as stopped" eval '[ "$(state_of sleep1)" = stopped ]'
sleep 0.3
check "procmon leaves it stopped" eval '[ "$(state_of sleep1)" = stopped ]'
check "stopped one keeps its recorded pid in the list" \
    json_is '.[] | select(.name == "sleep1") | .pid == '"$old"

request GET stop=sleep1
check "stop of a stopped one: 200, nothing changed" json_is \
    '.changed == false and (has("killed") | not) and .description == "already stopped"'

runs=$(lock_field sleep1 3)
request GET start=sleep1
check "start: 200, changed" json_is '.action == "start" and .changed == true'
check "start cleared the flag" eval '[ "$(lock_field sleep1 2)" = 0 ]'
check "procmon starts it again" wait_state sleep1 running
check "runcount went up by one" \
    eval '[ "$(lock_field sleep1 3)" = $((runs + 1)) ]'

request GET start=sleep1
check "start of a running one: 200, nothing changed" \
    json_is '.changed == false and .description == "already started"'

old=$(lock_field sleep1 5)
request GET restart=sleep1
check "restart: 200, the holder killed" \
    json_is '.action == "restart" and .changed == true and .killed == '"$old"
check "restart leaves the flag alone" eval '[ "$(lock_field sleep1 2)" = 0 ]'
for _ in $(seq 100); do
	new=$(lock_field sleep1 5)
	[ "$new" != 0 ] && [ "$new" != "$old" ] && break
	sleep 0.05
done
check "procmon restarts it with a new pid" \
    eval '[ "$new" != 0 ] && [ "$new" != "$old" ]'

request POST "" "stop=sleep2"
check "POST stop in a form body" \
    eval 'status_is 200 && [ "$(lock_field sleep2 2)" = 0xdeadbeef ]'
request POST "" "restart=sleep2"
check "restart of a stopped one starts it" \
    json_is '.changed == true and (has("killed") | not)'
check "... and procmon runs it" wait_state sleep2 running
request POST "stop=sleep2" ""
check "POST with the action in the query string" \
    eval 'status_is 200 && [ "$(lock_field sleep2 2)" = 0xdeadbeef ]'
request POST "" "start=sleep%32" "application/x-www-form-urlencoded; charset=UTF-8"
check "POST start, percent-encoded name, content type with a parameter" \
    eval 'status_is 200 && [ "$(lock_field sleep2 2)" = 0 ]'
wait_state sleep2 running
request POST "" "stop=sleep2" "application/x-www-form-urlencoded ; charset=UTF-8"
check "POST stop, content type with space before its parameter" \
    eval 'status_is 200 && [ "$(lock_field sleep2 2)" = 0xdeadbeef ]'
request POST "" "start=sleep2"
wait_state sleep2 running

# --- errors: nothing below may change any lockfile --------------------
before=$(snapshot)

# Every rule of the grammar is tested from a table (tests/requests.c):
# here, one of each answer, as each server carries it.
expect_error 400 'unknown parameter "stat"' GET "stat=sleep1"
expect_error 404 'no process named "nosuch"' GET "stop=nosuch"
expect_error 415 "must be application/x-www-form-urlencoded" POST "" "stop=sleep1" "text/plain"
expect_error 405 "method not allowed" PUT "stop=sleep1"
check "405 names the allowed methods" header_is "Allow: GET, HEAD, POST"
check "... and an error may not be framed either" framed_never
# Bounds: the body and query limit (-l, default 1024) at exactly its size
# and one byte over.
request POST "" "stop=$(printf 'a%.0s' $(seq 1019))"
check "body of exactly 1024 bytes is read (name then refused)" \
    eval 'status_is 400 && json_is ".description | contains(\"needs a process name\")"'
expect_error 413 "over 1024 bytes" POST "" "stop=$(printf 'a%.0s' $(seq 1020))"
expect_error 400 "needs a process name" GET "stop=$(printf 'a%.0s' $(seq 1019))"
expect_error 414 "query string over 1024 bytes" GET "stop=$(printf 'a%.0s' $(seq 1020))"
check "no error changed any lockfile" eval '[ "$(snapshot)" = "$before" ]'
request GET list
check "... all listed running" json_is 'all(.state == "running")'

# --- every name procmon may hold ---------------------------------------
request GET list
check "names with '@', a space and a comma are listed" \
    json_is 'any(.[]; .name == "svc@lan") and any(.[]; .name == "a b,c")'
request GET "status=svc%40lan"
check "?status=svc%40lan answers it" json_is '.name == "svc@lan" and .state == "running"'
request GET "status=svc@lan"
check "... and so does ?status=svc@lan" json_is '.name == "svc@lan"'
request GET "status=a+b%2Cc"
check "an encoded comma belongs to the name: ?status=a+b%2Cc" \
    json_is '.name == "a b,c"'
old=$(lock_field "a b,c" 5)
request POST "" "stop=a%20b%2Cc,svc%40lan"
check "stop=a%20b%2Cc,svc%40lan stops both" json_is \
    '.status == 200 and (.results | map(.name)) == ["a b,c", "svc@lan"] and
    all(.results[]; .changed)'
check "... a b,c killed" gone "$old"
request POST "" "start=a%20b%2Cc&start=svc%40lan"
check "... and starts both" json_is '.status == 200'
lockfile make "$LOCKDIR/procmon.caf$(printf '\351')" 0 0xdeadbeef 1 "$now" x
request GET list
check "a name that is not UTF-8 comes with the bytes to ask for it" \
    json_is 'any(.[]; .name == "caf\ufffd" and .name_encoded == "caf%E9")'
request GET "status=caf%E9"
check "... which ?status answers" json_is '.name == "caf\ufffd" and .state == "stopped"'
rm -f "$LOCKDIR/procmon.caf$(printf '\351')"

# --- hostile lockfiles ------------------------------------------------
sleep 300 & sentinel=$!
CLEANUP_EXTRA="kill $sentinel 2>/dev/null"
L=$LOCKDIR
lockfile make "$L/procmon.stale" "$sentinel" 0xdeadbeef 3 "$now" "sleep 5"
lockfile make "$L/procmon.stale0" "$sentinel" 0 3 "$now" "sleep 5"
lockfile make "$L/procmon.init" 1 0 1 "$now" "init"
lockfile make "$L/procmon.self" $$ 0 1 "$now" "x"
lockfile make "$L/procmon.epoch" 0 0 1 0 "x"
lockfile make "$L/procmon.groupw" "$sentinel" 0 1 "$now" "x"
chmod 620 "$L/procmon.groupw"
lockfile make "$L/procmon.foreign" "$sentinel" 0 1 "$now" "x"
chown 65534:65534 "$L/procmon.foreign"
ln -s "$L/procmon.sleep1" "$L/procmon.symlink"
mkfifo "$L/procmon.fifo"
mkdir "$L/procmon.dir"
# Headers that read as no procmon's: listed as such, never written.
lockfile make "$L/procmon.neg" -1 0 1 "$now" "x"
lockfile make "$L/procmon.flag" "$sentinel" 0x12345678 1 "$now" "x"
: >"$L/procmon.short"
printf 'abc' >"$L/procmon.short3"
chmod 600 "$L/procmon.short" "$L/procmon.short3"
lockfile make "$L/procmon.weird" 0 0xdeadbeef 1 "$now" \
    "$(printf 'sh -c "echo \\\\ <img src=x onerror=alert(1)>\t\001\377"')"
touch "$L/unrelated" "$L/procmon"
unreadable='["flag","neg","short","short3"]'

request GET list
check "list with hostile files is 200" status_is 200
check "... valid JSON to a strict parser" \
    valid_json
check "... untrusted files left out, trusted forged ones listed" json_is \
    'map(.name) == ($names + ["epoch","flag","init","neg","self","short","short3","stale","stale0","weird"] | sort)'
check "... a stranger's pid in a stopped entry shows stopped" \
    json_is 'map(select(.name | startswith("stale")) | .state) == ["stopped","stopped"]'
check "... pid 0, 1 and our own pid show stopped" json_is \
    'map(select(.name | IN("init", "self", "epoch")) | .state) == ["stopped","stopped","stopped"]'
check "... a start time of 0 is an age, not a crash" \
    json_is '.[] | select(.name == "epoch") | .since_epoch == 0 and (.since | test("^[0-9]+d"))'
check "... a command line of any bytes survives as text" \
    json_is '.[] | select(.name == "weird") | .exec == "sh -c \"echo \\\\ <img src=x onerror=alert(1)>\t\u0001\ufffd\""'
check "... a header of no layout: state unknown, and why" json_is \
    --argjson u "$unreadable" '[.[] | select(.name | IN($u[])) |
    select(.state == "unknown" and (.problem | contains("does not read as a procmon header")) and
    (has("pid") | not))] | length == 4'

for q in stop=stale restart=stale0 stop=stale0 stop=init restart=init \
    stop=self restart=self stop=epoch restart=epoch; do
	request GET "$q"
	check "$q: 200, nothing signalled" \
	    eval 'status_is 200 && json_is "has(\"killed\") | not"'
done
check "the stranger and this shell survived" \
    eval 'kill -0 $sentinel && kill -0 $$'
for n in groupw foreign symlink fifo dir; do
	expect_error 403 "not trusted" GET "stop=$n"
done
for n in flag neg short short3; do
	expect_error 409 "does not read as a procmon header" GET "stop=$n"
done
check "forged files unchanged" eval '[ "$(lockfile show "$L/procmon.groupw" | cut -d" " -f2)" = 0 ] &&
    [ "$(lock_field flag 2)" = 0x12345678 ] && [ "$(lock_field sleep1 2)" = 0 ] &&
    [ ! -s "$L/procmon.short" ] && [ "$(cat "$L/procmon.short3")" = abc ] && [ -p "$L/procmon.fifo" ]'
check "the stranger is still alive" kill -0 "$sentinel"
request GET list
check "the symlink's target is still running" \
    json_is '.[] | select(.name == "sleep1") | .state == "running"'
lockfile set "$L/procmon.stale" terminate=0xdeafbabe
expect_error 409 "being removed by procmon" GET "start=stale"
rm -rf "$L"/procmon.{stale,stale0,init,neg,self,epoch,flag,groupw,foreign,symlink,fifo,dir,short,short3,weird}

summary
