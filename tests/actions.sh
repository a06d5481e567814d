#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The API beyond the original: ?status=, the added fields, wait= (an
# outcome that lasts), grace=, several names at once, a stop that ends
# what the process started, long command lines, lists read live.
#
#   BIN=... TOOLS=... [VIA=cgi|lighttpd-fastcgi|...] tests/actions.sh
set -u
. "$(dirname "$0")/lib.sh"

# A process that survives SIGTERM, noting its pid in $T/terms: only
# SIGKILL ends it.  And one that starts a child of its own, then becomes
# another program (procmon splits a command line on spaces: the shell's
# part is a script).
printf '#!/bin/sh\ntrap "echo \\$\\$ >>%s/terms" TERM\nwhile :; do sleep 1; done\n' \
    "$T" >"$T/stubborn"
printf '#!/bin/sh\nsleep 3333 &\nexec sleep 4444\n' >"$T/family"
chmod 755 "$T/stubborn" "$T/family"
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200' stubborn="$T/stubborn" \
    stubborn2="$T/stubborn" family="$T/family"
start_server
now=$(date +%s)
six='["name","pid","runcount","since","state","exec"]'

# --- one process ------------------------------------------------------------
request GET status=sleep1
check "?status=sleep1: 200, one object" json_is 'type == "object" and .name == "sleep1"'
check "... the original's six keys first, then the new ones" json_is \
    "(keys_unsorted[:6] == $six) and (keys_unsorted[6:] == [\"age\",\"since_epoch\",\"stop_requested\",\"rss_bytes\",\"cpu_seconds\",\"threads\",\"procmon\"])"
check "... age and since_epoch agree with the lockfile" json_is \
    ".since_epoch == $(lock_field sleep1 4) and .age >= 0 and .age < 60 and (.age | floor) == .age"
pid=$(lock_field sleep1 5)
rss=$(awk '/^VmRSS/ { print $2 * 1024 }' /proc/$pid/status)
check "... rss_bytes, cpu_seconds and threads are /proc's" json_is \
    ".rss_bytes > 0 and (.rss_bytes - $rss | fabs) < 1048576 and .cpu_seconds >= 0 and .threads == 1"
request GET list
check "?list carries the same fields" json_is \
    'all(.[]; (keys_unsorted[:6] == '"$six"') and has("age") and has("since_epoch")) and
    all(.[] | select(.state == "running"); has("rss_bytes") and has("threads"))'
request GET stop=sleep2
request GET status=sleep2
check "a stopped process: no rss_bytes, cpu_seconds, threads (absent, not zero)" \
    json_is '.state == "stopped" and (has("rss_bytes") or has("cpu_seconds") or has("threads") | not)'
check "... stopped on request, and says so" json_is '.stop_requested == true'
request GET start=sleep2
expect_error 404 'no process named "nosuch"' GET status=nosuch
request HEAD status=sleep1
check "HEAD ?status: 200, headers only" eval 'status_is 200 && [ ! -s "$T/body" ]'

# --- wait for the outcome -----------------------------------------------------
wait_state sleep2 running
request GET "stop=sleep1&wait=5"
check "stop&wait=5: 200 with the process seen stopped" json_is \
    '.status == 200 and .process.state == "stopped" and .process.name == "sleep1"'
old=$(lock_field sleep1 1)
request GET "start=sleep1&wait=5"
check "start&wait=5: 200 once a new pid holds the lock" json_is \
    ".status == 200 and .process.state == \"running\" and .process.pid != $old"
check "... and that pid is the lock holder" \
    eval '[ "$(jq .process.pid "$T/body")" = "$(lock_field sleep1 5)" ]'
old=$(lock_field sleep1 5)
request POST "" "restart=sleep1&wait=5"
check "restart&wait=5 (POST): a new pid" json_is \
    ".status == 200 and .killed == $old and .process.pid != $old and .process.state == \"running\""
lockfile make "$LOCKDIR/procmon.orphan" 0 0xdeadbeef 1 "$now" "x"
request GET "start=orphan&wait=1"
check "start&wait=1 of what no supervisor restarts: 504 with the last state" \
    eval 'status_is 504 && json_is ".status == 504 and .process.state == \"stopped\" and (.description | contains(\"not running again after 1 s\"))"'
lockfile make "$LOCKDIR/procmon.orphan" 0 0xdeadbeef 1 "$now" "x"
request GET "start=nosuch,orphan&wait=1"
check "start=nosuch,orphan&wait=1: 207, not the 404 of a request that acted" \
    eval 'status_is 207 && json_is ".status == 207 and (.results | map(.status)) == [404,504] and .results[1].changed"'
# The lockfile changed behind a waiting start, once the start has
# cleared the stop flag: the wait ends at once with what was done.
behind_start() {
	lockfile make "$LOCKDIR/procmon.orphan" 0 0xdeadbeef 1 "$now" "x"
	(poll 30 eval '[ "$(lock_field orphan 2)" = 0 ]'; "$@") &
	changer=$!
	request GET "start=orphan&wait=10"
	wait "$changer"
}
behind_start rm -f "$LOCKDIR/procmon.orphan"
check "start&wait, lockfile removed while waiting: 404, with what was done" \
    eval 'status_is 404 && json_is ".status == 404 and .action == \"start\" and .changed == true and
    (.description | contains(\"no process named\")) and (has(\"process\") | not)"'
# (A 409, not the 504 that the end of the wait would bring.)
behind_start lockfile set "$LOCKDIR/procmon.orphan" terminate=0xdeafbabe
check "start&wait, procmon removing it meanwhile: 409, with what was done" \
    eval 'status_is 409 && json_is ".action == \"start\" and .changed == true and
    (.description | contains(\"being removed by procmon\")) and .process.name == \"orphan\""'
rm -f "$LOCKDIR/procmon.orphan"

# --- graceful stop --------------------------------------------------------------
old=$(lock_field sleep1 5)
request GET "stop=sleep1&grace=5&wait=5"
check "stop&grace=5: SIGTERM ends sleep, no SIGKILL needed" json_is \
    ".killed == $old and .signal == \"SIGTERM\" and .process.state == \"stopped\""
old=$(lock_field stubborn 5)
start_ms=$(date +%s%3N)
request GET "stop=stubborn&grace=1"
took=$(( $(date +%s%3N) - start_ms ))
check "stop&grace=1 of a process ignoring SIGTERM: SIGKILL after the grace" \
    json_is ".killed == $old and .signal == \"SIGKILL\""
check "... which took the grace, about 1 s ($took ms)" [ "$took" -ge 900 ]
check "... and it is gone" gone "$old"
request GET "start=sleep1,stubborn&wait=5"
check "both started again" json_is '.status == 200 and all(.results[]; .process.state == "running")'
old=$(lock_field stubborn 5) old2=$(lock_field stubborn2 5)
rm -f "$T/terms"
request GET "restart=stubborn,stubborn2&grace=5" &
pending=$!
# Graces one after the other would kill the first before the second got
# its SIGTERM: with one grace for both, both live once both have one.
poll 30 eval '[ "$(cat "$T/terms" 2>/dev/null | wc -l)" = 2 ]'
check "restart&grace=5 of two processes ignoring SIGTERM: one grace for both" \
    eval 'alive $old && alive $old2 && kill -0 $pending'
wait "$pending"
check "... then SIGKILL to both" \
    json_is ".status == 200 and (.results | map(.killed)) == [$old, $old2] and
    all(.results[]; .signal == \"SIGKILL\")"
check "... and both run again" eval 'wait_state stubborn running && wait_state stubborn2 running'

# --- a stop ends what the process started ---------------------------------
wait_state family running
holder=$(lock_field family 5)
child=$(pgrep -P "$holder" -x sleep)
check "the family's holder started a child of its own ($child)" [ -n "$child" ]
request GET "stop=family"
check "stop: the holder and its child signalled, and the answer names both" \
    json_is ".killed == $holder and .descendants == [$child]"
check "... both gone" eval 'gone "$holder" && gone "$child"'
request GET "start=family&wait=5"
holder=$(lock_field family 5)
child=$(pgrep -P "$holder" -x sleep)
request GET "restart=family&grace=2&wait=5"
check "restart with a grace: both end on SIGTERM, the child named too" \
    json_is ".killed == $holder and .signal == \"SIGTERM\" and .descendants == [$child]
    and .process.state == \"running\""
check "... both gone, a new family running" eval 'gone "$holder" && gone "$child"'

# --- long command lines ----------------------------------------------------
long=$(printf 'x%.0s' $(seq 5033))
lockfile make "$LOCKDIR/procmon.long" 0 0xdeadbeef 1 "$now" "sleep 1 $long"
lockfile make "$LOCKDIR/procmon.longer" 0 0xdeadbeef 1 "$now" \
    "$(head -c 70000 /dev/zero | tr '\0' y)"
request GET status=long
check "a command line of 5,041 bytes is shown whole" \
    json_is '(.exec | length) == 5041 and (has("exec_cut") | not)'
request GET status=longer
check "one of 70,000 bytes: cut at 65,536, and marked as cut" \
    json_is '(.exec | length) == 65536 and .exec_cut == true'
rm -f "$LOCKDIR/procmon.long" "$LOCKDIR/procmon.longer"

# --- several at once -------------------------------------------------------------
request GET "stop=sleep1,sleep2"
check "stop=sleep1,sleep2: 200, a result for each" json_is \
    '.status == 200 and .action == "stop" and (.results | map(.name)) == ["sleep1","sleep2"] and
    all(.results[]; .status == 200 and .changed)'
check "... both flagged stopped" eval \
    '[ "$(lock_field sleep1 2) $(lock_field sleep2 2)" = "0xdeadbeef 0xdeadbeef" ]'
request POST "" "start=sleep1&start=sleep2"
check "start=sleep1&start=sleep2 (curl -d twice, a form's checkboxes): as start=sleep1,sleep2" \
    json_is '.status == 200 and .action == "start" and (.results | map(.name)) == ["sleep1","sleep2"]'
wait_state sleep1 running; wait_state sleep2 running
request GET "stop=sleep1&stop=sleep2"
check "... by GET too" json_is '.status == 200 and (.results | map(.name)) == ["sleep1","sleep2"] and all(.results[]; .changed)'
request POST "" "start=sleep1,nosuch,sleep2"
check "start=sleep1,nosuch,sleep2: 207, each name's own result" json_is \
    '.status == 207 and (.results | map(.status)) == [200,404,200]'
check "... the others were started" eval \
    '[ "$(lock_field sleep1 2) $(lock_field sleep2 2)" = "0 0" ]'
check "... the overall status is the HTTP status" status_is 207
wait_state sleep1 running; wait_state sleep2 running
request POST "" "stop=nosuch,other"
check "none of them found: the first failure's status, 404" json_is \
    '.status == 404 and (.results | map(.status)) == [404,404]' 
wait_state sleep1 running; wait_state sleep2 running
before=$(snapshot)
expect_error 403 '"procmon1" is protected' GET "stop=sleep1,procmon1"
expect_error 400 '"sleep1" named twice' POST "" "stop=sleep1&stop=sleep1"
check "refused lists changed nothing" eval '[ "$(snapshot)" = "$before" ]'

# --- lists read live ------------------------------------------------------------
# Nothing is kept from one request to the next, by a persistent responder
# either: each change made behind its back shows in the very next list.
request GET list
request GET list
lockfile make "$LOCKDIR/procmon.fresh" 0 0xdeadbeef 1 "$now" "one"
request GET list
check "a lockfile added shows in the next list" \
    json_is 'any(.[]; .name == "fresh" and .exec == "one")'
lockfile set "$LOCKDIR/procmon.fresh" runcount=7
request GET list
check "a field written in place shows in the next list" \
    json_is 'any(.[]; .name == "fresh" and .runcount == 7)'
chmod 620 "$LOCKDIR/procmon.fresh"
request GET list
check "a lockfile made group-writable leaves the next list" \
    json_is 'all(.[]; .name != "fresh")'
chmod 600 "$LOCKDIR/procmon.fresh"
request GET list
check "... and comes back once it is not" json_is 'any(.[]; .name == "fresh")'
rm "$LOCKDIR/procmon.fresh"
request GET list
check "a lockfile removed leaves the next list" json_is 'all(.[]; .name != "fresh")'
wait_state sleep2 running
pid=$(lock_field sleep2 5)
request GET list
kill -9 "$pid"
gone "$pid"
request GET list
check "a process killed behind its back is not shown running with its pid" \
    json_is "all(.[]; .name != \"sleep2\" or .state != \"running\" or .pid != $pid)"

summary
