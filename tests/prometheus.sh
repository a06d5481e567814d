#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ?metrics as a real Prometheus server sees it: Debian's prometheus
# scrapes the FastCGI build behind lighttpd every second, with the
# shipped rules of prometheus/alerts.yml loaded; its query API must agree
# with the lockfiles, before and after a stop and a start through the
# API.  Then promtool: the exposition lints clean, the rules check, and
# their unit tests (prometheus/alerts_test.yml) pass.
#
#   BIN=FastCGI build FCGI_BIN=FastCGI build TOOLS=dir/of/pmsup \
#       tests/prometheus.sh
set -u
VIA=lighttpd-fastcgi
. "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
    { echo "skipped: prometheus not installed"; exit 0; }

RULES=$(realpath "$TESTS/../prometheus/alerts.yml")
RULE_TESTS=$(realpath "$TESTS/../prometheus/alerts_test.yml")
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
start_server
port=${BASE##*:}

# The README's scrape configuration, as printed, but for the target, the
# password file and where the rules are; the scrape authenticates as a
# user who may list.  Prometheus's params always give a value: ?metrics=
# (empty), which fcgi_proc takes as ?metrics.  Rules are evaluated every
# second, so that their state can be read back without waiting a minute.
printf 'secret\n' >"$T/procmon.password"
{
	printf 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n'
	sed -n '/^```yaml$/,/^```$/p' "$TESTS/../README.md" | sed '1d;$d' |
	    sed -e "s|192.168.1.1:80|127.0.0.1:$port|" \
	    -e "s|/etc/prometheus/procmon.password|$T/procmon.password|" \
	    -e "s|username: prometheus|username: bob|" \
	    -e "s|/usr/local/share/fcgi_proc/alerts.yml|$RULES|"
} >"$T/prometheus.yml"
check "the README's scrape configuration authenticates" \
    grep -q "basic_auth: { username: bob, password_file: $T/procmon.password }" \
    "$T/prometheus.yml"
prom_port=$(free_port)
prom=http://127.0.0.1:$prom_port
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn \
    >"$T/prometheus.log" 2>&1 &
pid=$!
CLEANUP_EXTRA="kill $pid 2>/dev/null; wait $pid 2>/dev/null"

# value PROMQL: the value of the query's one sample now, "" if not one.
value() {
	curl -s --max-time 5 "$prom/api/v1/query" --data-urlencode "query=$1" |
	    jq -r 'if .status == "success" and (.data.result | length) == 1
	    then .data.result[0].value[1] else "" end' 2>/dev/null
}
# value_is PROMQL NUMBER: the query's one sample is NUMBER.
value_is() {
	local v
	v=$(value "$1")
	[ -n "$v" ] && jq -en --argjson v "$v" --argjson w "$2" '$v == $w' \
	    >/dev/null 2>&1
}
# series NAME FAMILY: the PromQL of procmon_process_FAMILY for NAME.
series() { echo "procmon_process_$2{name=\"$1\"}"; }
# up_is NAME 0|1 [STOPPED]: procmon_process_up of NAME, and optionally
# its procmon_process_stop_requested, seen so in the same breath.
up_is() {
	value_is "$(series "$1" up)" "$2" &&
	    { [ -z "${3:-}" ] ||
	    value_is "$(series "$1" stop_requested)" "$3"; }
}
# running NAME: 1 if the lockfile of NAME has a lock holder, else 0.
running() { [ "$(lock_field "$1" 5)" != 0 ] && echo 1 || echo 0; }
# alerts JQ: /api/v1/alerts (pending and firing) passes the jq filter.
alerts() {
	curl -s --max-time 5 "$prom/api/v1/alerts" |
	    jq -e --arg job procmon \
	    "[.data.alerts[] | select(.labels.job == \$job)] | $1" \
	    >/dev/null 2>&1
}
# rules JQ: the procmon group of /api/v1/rules passes the jq filter.
rules() {
	curl -s --max-time 5 "$prom/api/v1/rules" |
	    jq -e ".data.groups[] | select(.name == \"procmon\") | $1" \
	    >/dev/null 2>&1
}

if poll 20 curl -sf -o /dev/null --max-time 2 "$prom/-/ready"; then
	ok "prometheus is ready"
else
	not_ok "prometheus is ready: $(tail -n 5 "$T/prometheus.log")"
	summary
	exit 1
fi
if poll 20 value_is 'up{job="procmon"}' 1; then
	ok "the target was scraped: up{job=\"procmon\"} is 1"
else
	not_ok "the target was scraped: $(curl -s "$prom/api/v1/targets" |
	    jq -c '.data.activeTargets[] | {health, lastError}')"
	summary
	exit 1
fi

# (lighttpd lets anonymous requests through: its log says who asked.)
check "... as bob, by the README's basic_auth" \
    grep -q '^127\.0\.0\.1 [^ ]* bob \[.*"GET /procs?metrics= ' "$T/access.log"

# --- what Prometheus stored is what the lockfiles say -----------------
for name in procmon1 procmon2 sleep1 sleep2; do
	check "$(series $name up): 1, its lock held" eval \
	    '[ "$(running $name)" = 1 ] && value_is "$(series $name up)" 1'
	check "... runs_total and start_time_seconds: the lockfile's" eval \
	    'value_is "$(series $name runs_total)" "$(lock_field $name 3)" &&
	    value_is "$(series $name start_time_seconds)" \
	    "$(lock_field $name 4)"'
done
check "procmon_process_resident_memory_bytes of sleep1 is above 0" \
    value_is "count($(series sleep1 resident_memory_bytes) > 0)" 1
check "procmon_up is 1" value_is 'procmon_up{job="procmon"}' 1
check "every series carries the target's instance and job" value_is \
    "count(procmon_process_up{instance=\"127.0.0.1:$port\",job=\"procmon\"})" \
    4

# --- a stop and a start through the API, seen in the next scrapes -----
request POST "" "stop=sleep1"
check "POST stop=sleep1: 200" status_is 200
check "a stop is seen in the next scrapes: up 0, stop_requested 1" \
    poll 10 up_is sleep1 0 1
check "... as the lockfile says" eval '[ "$(running sleep1)" = 0 ]'
check "... sleep1 has no resident memory any more (absent, not zero)" \
    eval '[ -z "$(value "$(series sleep1 resident_memory_bytes)")" ]'

# A process that died with no stop asked (a lockfile nobody holds, that
# no supervisor restarts) makes ProcmonProcessDown pending at once: the
# rule's two series match on the labels the real server gives them.
lockfile make "$LOCKDIR/procmon.orphan" 0 0 2 "$(date +%s)" x
check "a process dead, not stopped: up 0, stop_requested 0" \
    poll 10 up_is orphan 0 0
check "... ProcmonProcessDown pending for it, labelled with its name" \
    poll 10 alerts 'any(.labels.alertname == "ProcmonProcessDown" and
    .labels.name == "orphan" and .labels.severity == "warning" and
    (.state == "pending" or .state == "firing"))'
check "... and not for sleep1, stopped on request" alerts \
    'all(.labels.name != "sleep1")'
rm -f "$LOCKDIR/procmon.orphan"

runs=$(lock_field sleep1 3)
request POST "" "start=sleep1"
check "POST start=sleep1: 200" status_is 200
check "... procmon starts it again" wait_state sleep1 running
check "a start is seen in the next scrapes: up 1, stop_requested 0" \
    poll 10 up_is sleep1 1 0
check "... runs_total one more, as in its lockfile" eval \
    '[ "$(lock_field sleep1 3)" = $((runs + 1)) ] &&
    poll 10 value_is "$(series sleep1 runs_total)" $((runs + 1))'
check "... start_time_seconds its lockfile's" poll 10 value_is \
    "$(series sleep1 start_time_seconds)" "$(lock_field sleep1 4)"

# --- the shipped rules, in the real server and by promtool -------------
check "the server loaded the six rules of prometheus/alerts.yml" rules \
    '[.rules[].name] | sort == ["ProcmonDown", "ProcmonLockfileUnreadable",
    "ProcmonLockfilesUntrusted", "ProcmonNotFound", "ProcmonProcessDown",
    "ProcmonProcessFlapping"]'
check "... and evaluates each without error" poll 10 rules \
    'all(.rules[]; .health == "ok")'
request GET metrics
check "GET ?metrics: 200" status_is 200
if promtool check metrics <"$T/body" >"$T/promtool.out" 2>&1; then
	ok "promtool check metrics: the exposition lints clean"
else
	not_ok "promtool check metrics: $(head -c 500 "$T/promtool.out")"
fi
if promtool check rules "$RULES" >"$T/promtool.out" 2>&1; then
	ok "promtool check rules prometheus/alerts.yml"
else
	not_ok "promtool check rules: $(head -c 500 "$T/promtool.out")"
fi
if promtool test rules "$RULE_TESTS" >"$T/promtool.out" 2>&1; then
	ok "promtool test rules prometheus/alerts_test.yml"
else
	not_ok "promtool test rules: $(head -c 2000 "$T/promtool.out")"
fi
summary
