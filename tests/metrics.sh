#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ?metrics and ?procmon: Prometheus's text format read by its own parser,
# the series an alert needs always there (procmon not found, files left
# out as untrusted, headers of another layout), and procmon's state as
# the dashboard asks it.
#
#   BIN=... TOOLS=... [VIA=cgi|lighttpd-fastcgi|...] tests/metrics.sh
set -u
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600'
start_server
now=$(date +%s)

# metrics: the answer, parsed by prometheus_client into $T/metrics.json:
# {"family": {"label value": value}, "#types": {...}}.
cat >"$T/parse.py" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        label = s.labels.get("name", s.labels.get("reason", ""))
        out.setdefault(s.name, {})[label] = s.value
    out.setdefault("#types", {})[family.name] = family.type
print(json.dumps(out))
PY
metrics() {
	request GET metrics
	/usr/bin/python3 "$T/parse.py" "$T/body" >"$T/metrics.json" 2>"$T/parse.err"
}
m() { jq -e "$1" "$T/metrics.json" >/dev/null; }

lockfile make "$LOCKDIR/procmon.we\"ird\\na"$'\n'"me" 0 0xdeadbeef 4 "$now" "x"
if metrics; then
	ok "prometheus_client's parser reads it"
else
	not_ok "prometheus_client's parser reads it: $(cat "$T/parse.err")"
fi
check "?metrics: 200, the exposition format's content type" eval \
    'status_is 200 && header_is "Content-Type: text/plain; version=0.0.4; charset=utf-8"'
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
check "procmon itself: found, and up" m '.procmon_found[""] == 1 and .procmon_up[""] == 1'
check "fcgi_proc's build: its version, 1" \
    grep -q '^fcgi_proc_build_info{version="[0-9.]*",header="[^"]*"} 1$' "$T/body"
check "every lockfile's header read as ours" m \
    '.procmon_process_header_ok | all(.[]; . == 1)'
check "the files left out, by why: each reason there, 0 now" m \
    '.procmon_lockfiles_untrusted == {"owner": 0, "mode": 0, "type": 0, "links": 0, "unseen": 0}'
check "HELP and TYPE: gauges and counters" m \
    '.["#types"] == {"fcgi_proc_build_info": "gauge", "procmon_found": "gauge",
    "procmon_up": "gauge", "procmon_lockfiles_untrusted": "gauge",
    "procmon_process_header_ok": "gauge", "procmon_process_up": "gauge",
    "procmon_process_stop_requested": "gauge", "procmon_process_start_time_seconds": "gauge",
    "procmon_process_runs": "counter", "procmon_process_resident_memory_bytes": "gauge",
    "procmon_process_cpu_seconds": "counter", "procmon_process_threads": "gauge"}'
rm -f "$LOCKDIR"/procmon.we*

# --- what an operator must hear of: files left out, headers misread -------
lockfile make "$LOCKDIR/procmon.theirs" 0 0 1 "$now" x
chown 65534 "$LOCKDIR/procmon.theirs"
lockfile make "$LOCKDIR/procmon.open" 0 0 1 "$now" x
chmod 666 "$LOCKDIR/procmon.open"
printf '\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245x' \
    >"$LOCKDIR/procmon.garbled"
chmod 600 "$LOCKDIR/procmon.garbled"
metrics
check "a file of another user and a world-writable one: counted by why" m \
    '.procmon_lockfiles_untrusted.owner == 1 and .procmon_lockfiles_untrusted.mode == 1'
check "a header of no layout: header_ok 0, and no other series of it" m \
    '.procmon_process_header_ok.garbled == 0 and (.procmon_process_up | has("garbled") | not)'
request GET procmon
check "?procmon says procmon runs, and what was left out" json_is \
    '.procmon == "running" and .untrusted == {"owner": 1, "mode": 1} and
    .unreadable == 1 and (.description | contains("2 procmon.* files left out as not trusted: if procmon runs as another user, name it with -u"))'
rm -f "$LOCKDIR"/procmon.{theirs,open,garbled}

# --- procmon not found: the series that let an alert fire ------------------
stop_supervisor
metrics
check "no procmon entries: procmon_found 0, no procmon_up" m \
    '.procmon_found[""] == 0 and (has("procmon_up") | not)'
request GET procmon
check "?procmon: not found, and where to look" json_is \
    '.procmon == "not found" and (.description | contains("is procmon running, and is this its directory (-d)?"))'

summary
