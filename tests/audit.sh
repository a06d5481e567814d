#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The audit trail: every action, done or refused, reaches syslog (a
# router's logread, a server's journal) whether or not -v is given, with
# the action, the names, the status, the pids signalled and the signal,
# the real uid, REMOTE_USER and REMOTE_ADDR, escaped.  Run through
# tests/tools/with-syslog, which catches what is sent to /dev/log, over a
# datagram socket (busybox syslogd) or a stream one (syslog-ng's
# unix-stream); with no syslog daemon at all, it goes to standard error.
#
#   tests/tools/with-syslog [--stream|--none] LOG env AUDIT_LOG=LOG BIN=... TOOLS=... [VIA=...] tests/audit.sh
set -u
. "$(dirname "$0")/lib.sh"
[ -n "${AUDIT_LOG:-}" ] || { echo "skipped: run it through tests/tools/with-syslog"; exit 0; }
# With no syslog at all (--none), the program says so on standard error,
# the web server's error log, once, and each line follows there: run as
# CGI, that is what the suite reads.
if [ ! -e /dev/log ]; then
	via_cgi || { echo "skipped: with no syslog, read through CGI"; exit 0; }
	AUDIT_LOG=$T/err
fi

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
start_server
addr='addr="127.0.0.1"'
uid=$(id -u)		# who runs it: the web server's user, here root

# logged PATTERN: a line of the log matches the extended regex, within 2
# s.  On standard error, a line reads "fcgi_proc: TEXT" instead of
# "... daemon.notice fcgi_proc[PID]: TEXT".
logged() {
	local pattern=$1
	[ -e /dev/log ] || pattern=$(printf '%s' "$1" |
	    sed -E 's/^ daemon\\.[a-z]+ fcgi_proc\\\[\[0-9\]\+\\\]: /^fcgi_proc: /')
	for _ in $(seq 100); do
		grep -qE -- "$pattern" "$AUDIT_LOG" && return 0
		sleep 0.02
	done
	return 1
}
lines() { grep -c 'fcgi_proc\[' "$AUDIT_LOG"; }

if [ -e /dev/log ]; then
	request GET list
	request GET status=sleep1
	request GET metrics
	check "lists, status and metrics are not audited" eval '[ "$(lines)" = 0 ]'
else
	request GET "stop=nosuch0"
	check "no syslog: said once on standard error, why, and where the lines go" \
	    eval '[ "$(grep -c "^fcgi_proc: cannot send the audit trail to /dev/log: No such file or directory; it follows here$" "$T/err")" = 1 ]'
fi

pid=$(lock_field sleep1 5)
request POST "" "stop=sleep1"
check "a stop: action, name, status, pid and signal, user, address" logged \
    " daemon\.notice fcgi_proc\[[0-9]+\]: stop sleep1: 200 killed=$pid/SIGKILL uid=$uid user=- $addr$"
request POST "" "start=sleep1&wait=5"
check "a start, nothing signalled" logged \
    " daemon\.notice fcgi_proc\[[0-9]+\]: start sleep1: 200 uid=$uid user=- $addr$"
p1=$(lock_field sleep1 5) p2=$(lock_field sleep2 5)
request POST "" "restart=sleep1,sleep2&grace=3&wait=5"
check "several names: each pid, each last signal" logged \
    ": restart sleep1,sleep2: 200 killed=$p1/SIGTERM,$p2/SIGTERM uid=$uid user=- $addr$"
request GET "stop=nosuch"
check "a failed action: its status and why" logged \
    " daemon\.warn fcgi_proc\[[0-9]+\]: stop nosuch: 404 \"no process named \\\\x22nosuch\\\\x22\" uid=$uid user=- $addr$"

HEADERS=("Origin: http://evil.example")
request POST "" "stop=sleep2"
check "a cross-site action refused: 403 and why" logged \
    " daemon\.warn fcgi_proc\[[0-9]+\]: stop sleep2: 403 \"cross-site request refused\" uid=$uid user=- $addr$"
HEADERS=("Host: 192.168.1.1")
request GET "stop=sleep2"
check "a GET action from the LAN refused: 405" \
    logged ": stop sleep2: 405 \"an action by GET .*\" uid=$uid user=- $addr$"
HEADERS=()
request GET "stop=procmon1"
check "a protected process refused: 403" logged \
    ": stop procmon1: 403 \"\\\\x22procmon1\\\\x22 is protected\""
check "none of them stopped sleep2" eval '[ "$(lock_field sleep2 2)" = 0 ]'
# A form another site posts as text/plain or multipart cannot act, but
# it tried: the action it named is audited with the refusal.
request POST "" "stop=sleep2" "text/plain"
check "a text/plain form naming stop: audited, 415" logged \
    ": stop -: 415 \"POST body must be application/x-www-form-urlencoded\" uid=$uid"
request POST "" "$(printf -- '--b\r\nContent-Disposition: form-data; name="restart"\r\n\r\nsleep2\r\n--b--\r\n')" \
    "multipart/form-data; boundary=b"
check "a multipart form naming restart: audited, 415" logged ": restart -: 415 "
request POST "list" "restart=sleep2" "text/plain"
check "... and one naming restart after a query that lists: audited, 415" \
    logged ": restart -: 415 "
request POST "stop=sleep2" "hello" "text/plain"
check "an action in the query, a text/plain body: audited as the query's" \
    logged ": stop sleep2: 415 "
request POST "" "stop=a%2Cb%3A%20c"
check "a name holding a comma, a colon, a space: one name in the line" \
    logged ": stop a\\\\x2cb\\\\x3a\\\\x20c: 404 "

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
