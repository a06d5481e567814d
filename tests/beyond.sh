#!/usr/bin/env bash
# The API beyond the original: ?status=, the added fields, wait=, grace=,
# several names at once, and Prometheus's ?metrics read by a real parser.
#
#   BIN=... TOOLS=... [VIA=cgi|lighttpd-fastcgi|...] tests/beyond.sh
set -u
. "$(dirname "$0")/lib.sh"

# A process that ignores SIGTERM: only SIGKILL ends it.
printf '#!/bin/sh\ntrap "" TERM\nwhile :; do sleep 1; done\n' >"$T/stubborn"
chmod 755 "$T/stubborn"
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200' stubborn="$T/stubborn" \
    stubborn2="$T/stubborn"
start_server
now=$(date +%s)
six='["name","pid","runcount","since","state","exec"]'

# --- one process ------------------------------------------------------------
request GET status=sleep1
check "?status=sleep1: 200, one object" json_is 'type == "object" and .name == "sleep1"'
check "... the original's six keys first, then the new ones" json_is \
    "(keys_unsorted[:6] == $six) and (keys_unsorted[6:] == [\"age\",\"since_epoch\",\"rss_bytes\",\"cpu_seconds\",\"threads\",\"procmon\"])"
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
request GET start=sleep2
expect_error 404 'no process named "nosuch"' GET status=nosuch
expect_error 400 "status takes one name" GET status=sleep1,sleep2
expect_error 400 "status needs a process name" GET status
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
# The lockfile changed behind a waiting start, once the start has
# cleared the stop flag: the wait ends at once with what was done.
behind_start() {
	lockfile make "$LOCKDIR/procmon.orphan" 0 0xdeadbeef 1 "$now" "x"
	(for _ in $(seq 250); do
		[ "$(lock_field orphan 2)" = 0 ] && break
		sleep 0.02
	done
	"$@") &
	changer=$!
	start_ms=$(date +%s%3N)
	request GET "start=orphan&wait=10"
	took=$(( $(date +%s%3N) - start_ms ))
	wait "$changer"
}
behind_start rm -f "$LOCKDIR/procmon.orphan"
check "start&wait, lockfile removed while waiting: 404, with what was done" \
    eval 'status_is 404 && json_is ".status == 404 and .action == \"start\" and .changed == true and
    (.description | contains(\"no process named\")) and (has(\"process\") | not)"'
behind_start lockfile set "$LOCKDIR/procmon.orphan" terminate=0xdeafbabe
check "start&wait, procmon removing it meanwhile: 409 at once ($took ms), with what was done" \
    eval 'status_is 409 && [ "$took" -lt 5000 ] && json_is ".action == \"start\" and .changed == true and
    (.description | contains(\"being removed by procmon\")) and .process.name == \"orphan\""'
rm -f "$LOCKDIR/procmon.orphan"
expect_error 400 "wait takes whole seconds from 0 to 30" GET "stop=sleep1&wait=31"
expect_error 400 "wait takes whole seconds" GET "stop=sleep1&wait=-1"
expect_error 400 "wait takes whole seconds" GET "stop=sleep1&wait=1.5"
expect_error 400 "wait takes whole seconds" GET "stop=sleep1&wait="
expect_error 400 'repeated parameter "wait"' GET "stop=sleep1&wait=1&wait=2"
expect_error 400 "wait and grace go with an action" GET "list&wait=3"
expect_error 400 "wait and grace go with an action" GET "status=sleep1&wait=3"

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
start_ms=$(date +%s%3N)
request GET "restart=stubborn,stubborn2&grace=1"
took=$(( $(date +%s%3N) - start_ms ))
check "restart&grace=1 of two processes ignoring SIGTERM: one grace for both" \
    json_is ".status == 200 and (.results | map(.killed)) == [$old, $old2] and
    all(.results[]; .signal == \"SIGKILL\")"
check "... about 1 s in all, not one each ($took ms)" [ "$took" -lt 1900 ]
check "... and both run again" eval 'wait_state stubborn running && wait_state stubborn2 running'
expect_error 400 "grace goes with stop or restart" GET "start=sleep1&grace=1"
expect_error 400 "grace takes whole seconds" GET "stop=sleep1&grace=99"

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
check "start=sleep1,nosuch,sleep2: 404 overall, each name's own result" json_is \
    '.status == 404 and (.results | map(.status)) == [200,404,200]'
check "... the others were started" eval \
    '[ "$(lock_field sleep1 2) $(lock_field sleep2 2)" = "0 0" ]'
check "... the overall status is the HTTP status" status_is 404
wait_state sleep1 running; wait_state sleep2 running
before=$(snapshot)
expect_error 403 '"procmon1" is protected' GET "stop=sleep1,procmon1"
expect_error 400 '"sleep1" named twice' GET "stop=sleep1,sleep1"
expect_error 400 '"sleep1" named twice' POST "" "stop=sleep1&stop=sleep1"
expect_error 400 "one action per request" POST "" "stop=sleep1&restart=sleep2"
expect_error 400 "stop needs a process name" GET "stop=sleep1,"
expect_error 400 "stop needs a process name" GET "stop=,sleep1"
expect_error 400 "stop needs a process name" GET "stop=sleep1,../x"
expect_error 400 "stop takes at most 16 names" GET "stop=$(seq -s, -f 'p%g' 17)"
check "refused lists changed nothing" eval '[ "$(snapshot)" = "$before" ]'

# --- Prometheus --------------------------------------------------------------------
lockfile make "$LOCKDIR/procmon.we\"ird\\na"$'\n'"me" 0 0xdeadbeef 4 "$now" "x"
request GET metrics
check "?metrics: 200, the exposition format's content type" eval \
    'status_is 200 && header_is "Content-Type: text/plain; version=0.0.4; charset=utf-8"'
cat >"$T/parse.py" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        out.setdefault(s.name, {})[s.labels.get("name", "")] = s.value
    out.setdefault("#types", {})[family.name] = family.type
print(json.dumps(out))
PY
if /usr/bin/python3 "$T/parse.py" "$T/body" >"$T/metrics.json" 2>"$T/parse.err"; then
	ok "prometheus_client's parser reads it"
else
	not_ok "prometheus_client's parser reads it: $(cat "$T/parse.err")"
fi
m() { jq -e "$1" "$T/metrics.json" >/dev/null; }
check "up: 1 for each running process" m \
    '.procmon_process_up.sleep1 == 1 and .procmon_process_up.procmon1 == 1'
check "a name with a quote, a backslash and a newline comes back whole" m \
    '.procmon_process_up["we\"ird\\na\nme"] == 0 and .procmon_process_runs_total["we\"ird\\na\nme"] == 4'
check "stop_requested: 1 for a process stopped on request only" m \
    '.procmon_process_stop_requested["we\"ird\\na\nme"] == 1 and
    .procmon_process_stop_requested.sleep1 == 0'
check "runs and start time are the lockfile's" m \
    ".procmon_process_runs_total.sleep1 == $(lock_field sleep1 3) and
    .procmon_process_start_time_seconds.sleep1 == $(lock_field sleep1 4)"
check "memory, CPU, threads for running processes only" m \
    '(.procmon_process_resident_memory_bytes.sleep1 > 0) and
    (.procmon_process_resident_memory_bytes | has("we\"ird\\na\nme") | not) and
    (.procmon_process_threads.sleep1 == 1) and (.procmon_process_cpu_seconds_total.sleep1 >= 0)'
check "procmon itself: procmon_up 1, unlabelled" m '.procmon_up[""] == 1'
check "HELP and TYPE: gauges and counters" m \
    '.["#types"] == {"procmon_up": "gauge", "procmon_process_up": "gauge",
    "procmon_process_stop_requested": "gauge", "procmon_process_start_time_seconds": "gauge",
    "procmon_process_runs": "counter", "procmon_process_resident_memory_bytes": "gauge",
    "procmon_process_cpu_seconds": "counter", "procmon_process_threads": "gauge"}'
expect_error 400 "metrics takes no value" GET "metrics=1"
rm -f "$LOCKDIR"/procmon.we*

# --- lists asked again and again stay current ---------------------------------
# A persistent responder watches the directory and keeps its last answer;
# each change made behind its back must show in the very next list.
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
