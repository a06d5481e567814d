#!/usr/bin/env bash
# The API end to end: every route and every error of a built fcgi_proc,
# against real processes under the procmon-faithful pmsup and real
# lockfiles, through one of the ways a web server runs it (VIA):
#
#   cgi                 the program itself, given the CGI environment and
#                       stdin exactly as a web server gives them (default)
#   lighttpd-fastcgi    lighttpd mod_fastcgi spawning BIN (FCGI=1 build)
#   lighttpd-cgi        lighttpd mod_cgi running BIN from cgi-bin/
#   busybox             busybox httpd running BIN from cgi-bin/
#
#   BIN=fcgi_proc TOOLS=dir/of/pmsup [VIA=...] [RUN=wrapper] tests/api.sh
set -u
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
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
check "the original's layout, byte for byte" \
    grep -q '^\[{"name": "procmon1","pid": [0-9]*,"runcount": [0-9]*,"since": "[0-9]*s","state": "running","exec": "[^"]*","age": ' "$T/body"

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
# here, a sample of each answer, as each server carries it.
expect_error 400 'unknown parameter "stat"' GET "stat=sleep1"
expect_error 400 "stop needs a process name" GET "stop=../../etc/passwd"
expect_error 400 "stop needs a process name" GET "stop=%2e%2e%2fsleep1"
expect_error 400 "stop needs a process name" GET "stop=sleep1%00"
expect_error 400 "stop needs a process name" GET "stop=sleep+1"
expect_error 400 "one action per request" GET "stop=sleep1&restart=sleep2"
expect_error 400 "list takes no value" GET "list=x"
expect_error 400 "empty parameter" GET "list&"
expect_error 400 "stop needs a process name" GET "stop=$(printf 'a%.0s' $(seq 65))"
expect_error 404 "no process named" GET "stop=$(printf 'a%.0s' $(seq 64))"
expect_error 404 'no process named "nosuch"' GET "stop=nosuch"
expect_error 415 "must be application/x-www-form-urlencoded" POST "" "stop=sleep1" "text/plain"
expect_error 415 "must be" POST "" "stop=sleep1" "multipart/form-data; boundary=x"
expect_error 400 'unknown parameter "x"' POST "" "stop=sleep1&x"
expect_error 400 "one action per request" POST "stop=sleep1" "start=sleep2"
expect_error 405 "method not allowed" PUT "stop=sleep1"
expect_error 405 "method not allowed" DELETE "stop=sleep1"
check "405 names the allowed methods" header_is "Allow: GET, HEAD, POST"
check "... and an error may not be framed either" framed_never
# What web servers refuse or rewrite themselves: the program's own answer.
if via_cgi; then
	expect_error 400 "malformed percent-encoding" GET "stop=%zz"
	expect_error 400 "invalid Content-Length" POST "" "stop=sleep1" "application/x-www-form-urlencoded" "-1"
	expect_error 400 "invalid Content-Length" POST "" "stop=sleep1" "application/x-www-form-urlencoded" "11abc"
	expect_error 413 "over 1024 bytes" POST "" "stop=sleep1" "application/x-www-form-urlencoded" "99999999999999999999999"
	expect_error 400 "shorter than Content-Length" POST "" "stop=sleep1" "application/x-www-form-urlencoded" "12"
	expect_error 404 'no process named "sleep"' POST "" "stop=sleep1" "application/x-www-form-urlencoded" "10"
	expect_error 405 "method not allowed" get "list"
fi
request HEAD "stop=sleep1"
check "HEAD never acts: 405, headers only" \
    eval 'status_is 405 && [ ! -s "$T/body" ] && header_is "Allow: GET, POST"'

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

# --- hostile lockfiles ------------------------------------------------
sleep 300 & sentinel=$!
CLEANUP_EXTRA="kill $sentinel 2>/dev/null"
L=$LOCKDIR
lockfile make "$L/procmon.stale" "$sentinel" 0xdeadbeef 3 "$now" "sleep 5"
lockfile make "$L/procmon.stale0" "$sentinel" 0 3 "$now" "sleep 5"
lockfile make "$L/procmon.init" 1 0 1 "$now" "init"
lockfile make "$L/procmon.neg" -1 0 1 "$now" "x"
lockfile make "$L/procmon.zero" 0 0 1 -9223372036854775808 "x"
lockfile make "$L/procmon.self" $$ 0 1 "$now" "x"
lockfile make "$L/procmon.groupw" "$sentinel" 0 1 "$now" "x"
chmod 620 "$L/procmon.groupw"
lockfile make "$L/procmon.foreign" "$sentinel" 0 1 "$now" "x"
chown 65534:65534 "$L/procmon.foreign"
ln -s "$L/procmon.sleep1" "$L/procmon.symlink"
mkfifo "$L/procmon.fifo"
mkdir "$L/procmon.dir"
: >"$L/procmon.short"
printf 'abc' >"$L/procmon.short3"
chmod 600 "$L/procmon.short" "$L/procmon.short3"
lockfile make "$L/procmon.weird" 0 0xdeadbeef 1 "$now" \
    "$(printf 'sh -c "echo \\\\ <img src=x onerror=alert(1)>\t\001\377"')"
touch "$L/unrelated" "$L/procmon"

request GET list
check "list with hostile files is 200" status_is 200
check "... valid JSON to a strict parser" \
    valid_json
check "... untrusted files left out, trusted forged ones listed" json_is \
    'map(.name) == ($names + ["init","neg","self","stale","stale0","weird","zero"] | sort)'
check "... a stranger's pid in a stopped entry shows stopped" \
    json_is 'map(select(.name | startswith("stale")) | .state) == ["stopped","stopped"]'
check "... pid 0, 1, -1 and our own pid show stopped" json_is \
    'map(select(.name | IN("init", "neg", "self", "zero")) | .state) == ["stopped","stopped","stopped","stopped"]'
check "... a start time at the very beginning of time_t is an age, not a crash" \
    json_is '.[] | select(.name == "zero") | .since == "213503982334601d07h00m15s" or (.since | test("^[0-9]+d"))'
check "... a command line of any bytes survives as text" \
    json_is '.[] | select(.name == "weird") | .exec == "sh -c \"echo \\\\ <img src=x onerror=alert(1)>\t\u0001\ufffd\""'

for q in stop=stale restart=stale0 stop=stale0 stop=init restart=init \
    stop=neg stop=self restart=self stop=zero restart=zero; do
	request GET "$q"
	check "$q: 200, nothing signalled" \
	    eval 'status_is 200 && json_is "has(\"killed\") | not"'
done
check "the stranger and this shell survived" \
    eval 'kill -0 $sentinel && kill -0 $$'
for n in groupw foreign symlink fifo dir short short3; do
	expect_error 403 "not trusted" GET "stop=$n"
done
check "forged files unchanged" eval '[ "$(lockfile show "$L/procmon.groupw" | cut -d" " -f2)" = 0 ] &&
    [ "$(lock_field sleep1 2)" = 0 ] && [ -p "$L/procmon.fifo" ]'
check "the stranger is still alive" kill -0 "$sentinel"
request GET list
check "the symlink's target is still running" \
    json_is '.[] | select(.name == "sleep1") | .state == "running"'
lockfile set "$L/procmon.stale" terminate=0xdeafbabe
expect_error 409 "being removed by procmon" GET "start=stale"
rm -rf "$L"/procmon.{stale,stale0,init,neg,self,zero,groupw,foreign,symlink,fifo,dir,short,short3,weird}

summary
