#!/usr/bin/env bash
# The audit trail: every action, done or refused, reaches syslog (a
# router's logread, a server's journal) whether or not -v is given, with
# the action, the names, the status, the pids signalled and the signal,
# REMOTE_USER and REMOTE_ADDR, escaped.  Run through tests/tools/with-syslog,
# which catches what is sent to /dev/log.
#
#   tests/tools/with-syslog LOG env AUDIT_LOG=LOG BIN=... TOOLS=... [VIA=...] tests/audit.sh
set -u
. "$(dirname "$0")/lib.sh"
[ -n "${AUDIT_LOG:-}" ] || { echo "skipped: run it through tests/tools/with-syslog"; exit 0; }

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
start_server
addr='addr="127.0.0.1"'

# logged PATTERN: a line of the log matches the extended regex, within 2 s.
logged() {
	for _ in $(seq 100); do
		grep -qE -- "$1" "$AUDIT_LOG" && return 0
		sleep 0.02
	done
	return 1
}
lines() { grep -c 'fcgi_proc\[' "$AUDIT_LOG"; }

request GET list
request GET status=sleep1
request GET metrics
check "lists, status and metrics are not audited" eval '[ "$(lines)" = 0 ]'

pid=$(lock_field sleep1 5)
request POST "" "stop=sleep1"
check "a stop: action, name, status, pid and signal, user, address" logged \
    " daemon\.notice fcgi_proc\[[0-9]+\]: stop sleep1: 200 killed=$pid/SIGKILL user=- $addr$"
request POST "" "start=sleep1&wait=5"
check "a start, nothing signalled" logged \
    " daemon\.notice fcgi_proc\[[0-9]+\]: start sleep1: 200 user=- $addr$"
p1=$(lock_field sleep1 5) p2=$(lock_field sleep2 5)
request POST "" "restart=sleep1,sleep2&grace=3&wait=5"
check "several names: each pid, each last signal" logged \
    ": restart sleep1,sleep2: 200 killed=$p1/SIGTERM,$p2/SIGTERM user=- $addr$"
request GET "stop=nosuch"
check "a failed action: its status and why" logged \
    " daemon\.warn fcgi_proc\[[0-9]+\]: stop nosuch: 404 \"no process named \\\\x22nosuch\\\\x22\" user=- $addr$"

HEADERS=("Origin: http://evil.example")
request POST "" "stop=sleep2"
check "a cross-site action refused: 403 and why" logged \
    " daemon\.warn fcgi_proc\[[0-9]+\]: stop sleep2: 403 \"cross-site request refused\" user=- $addr$"
HEADERS=("Host: 192.168.1.1")
request GET "stop=sleep2"
check "a GET action from the LAN refused: 405" \
    logged ": stop sleep2: 405 \"an action by GET .*\" user=- $addr$"
HEADERS=()
request GET "stop=procmon1"
check "a protected process refused: 403" logged \
    ": stop procmon1: 403 \"\\\\x22procmon1\\\\x22 is protected\""
check "none of them stopped sleep2" eval '[ "$(lock_field sleep2 2)" = 0 ]'

if via_cgi; then
	# A web server passes REMOTE_USER as it was given; a log line is one
	# line, whatever it holds.
	USER_NAME=$'ad"min\nfcgi_proc[1]: forged'
	request GET "stop=nosuch2"
	check "REMOTE_USER escaped: one line, no forged entry" logged \
	    ": stop nosuch2: 404 .* user=\"ad\\\\x22min\\\\x0afcgi_proc\\[1\\]: forged\" $addr$"
	check "... nothing starts a line as if logged by another" \
	    eval '! grep -qE " [a-z]+\.[a-z]+ fcgi_proc\[1\]:" "$AUDIT_LOG"'
	USER_NAME=
	OPTS=-r
	request GET "restart=sleep2"
	check "read-only: the refusal is audited" logged \
	    ": restart sleep2: 403 \"read-only: actions are disabled\""
	OPTS=
fi
summary
