#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load with churn, through lighttpd by FastCGI and by CGI: parallel clients
# list, stop, start and restart while supervised processes die and are
# restarted by themselves.  Processes outside the supervised set (one of
# them planted into a stopped entry, one into a running one) must all
# survive; no answer may be a 5xx; the responder must not crash or grow.
#
#   BIN=plain FCGI_BIN=FastCGI TOOLS=... [LOAD_SECONDS=15] tests/load.sh
set -u
VIA=lighttpd-fastcgi
. "$(dirname "$0")/lib.sh"
seconds=${LOAD_SECONDS:-15}

start_supervisor c1='sleep 0.2' c2='sleep 0.3' c3='sleep 0.7' \
    s1='sleep 3600' s2='sleep 3600'
start_server
port=${BASE##*:}

sentinels=
for _ in 1 2 3; do sleep 3600 & sentinels="$sentinels $!"; done
CLEANUP_EXTRA="kill $sentinels 2>/dev/null"
set -- $sentinels
lockfile make "$LOCKDIR/procmon.planted" "$1" 0xdeadbeef 1 0 "sleep 3600"
lockfile make "$LOCKDIR/procmon.planted0" "$2" 0 1 0 "sleep 3600"
names="c1 c2 c3 s1 s2 planted planted0 nosuch procmon1"

responder=$(pgrep -P "$SERVER_PID" -x fcgi_proc)
# Memory is the responder's anonymous memory (heap and stack), where a
# leak would show, after a warm-up with the same mix of requests: the
# first of each kind also maps more of the C library's code.
anon() { awk '/^RssAnon/ { print $2 }' "/proc/$responder/status"; }
/usr/bin/python3 "$TESTS/tools/churn.py" "$port" /procs 2 8 $names >/dev/null
rss0=$(anon)

for path in /procs /cgi-bin/fcgi_proc; do
	/usr/bin/python3 "$TESTS/tools/churn.py" "$port" "$path" "$seconds" 8 \
	    $names >"$T/churn.out"
	rc=$?
	cat "$T/churn.out" | grep '^#'
	check "$path under churn: $(tail -1 "$T/churn.out")" [ $rc = 0 ]
done

rss1=$(anon)
echo "# FastCGI responder, anonymous memory: $rss0 KiB after warm-up, $rss1 KiB after the load"
check "the responder never crashed (same pid)" \
    eval '[ "$(pgrep -P "$SERVER_PID" -x fcgi_proc)" = "$responder" ]'
[ -n "${SANITIZED:-}" ] ||
    check "responder memory flat under churn ($rss0 -> $rss1 KiB)" \
    [ $((rss1 - rss0)) -le 16 ]
for pid in $sentinels; do
	check "sentinel $pid outside the supervised set survived" kill -0 "$pid"
done
check "the supervisor survived" kill -0 "$SUP_PID"
summary
