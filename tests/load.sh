#!/usr/bin/env bash
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
"$TOOLS/lockfile" make "$LOCKDIR/procmon.planted" "$1" 0xdeadbeef 1 0 "sleep 3600"
"$TOOLS/lockfile" make "$LOCKDIR/procmon.planted0" "$2" 0 1 0 "sleep 3600"
names="c1 c2 c3 s1 s2 planted planted0 nosuch procmon1"

responder=$(pgrep -P "$SERVER_PID" -x fcgi_proc)
/usr/bin/python3 "$TESTS/hammer.py" list "$port" "/procs?list" 500 \
    "$(jq -r 'join(",")' <<<"$NAMES"),planted,planted0" >/dev/null
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$responder/status")

for path in /procs /cgi-bin/fcgi_proc; do
	/usr/bin/python3 "$TESTS/churn.py" "$port" "$path" "$seconds" 8 \
	    $names >"$T/churn.out"
	rc=$?
	cat "$T/churn.out" | grep '^#'
	check "$path under churn: $(tail -1 "$T/churn.out")" [ $rc = 0 ]
done

rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$responder/status")
echo "# FastCGI responder VmRSS: $rss0 KiB after warm-up, $rss1 KiB after the load"
check "the responder never crashed (same pid)" \
    eval '[ "$(pgrep -P "$SERVER_PID" -x fcgi_proc)" = "$responder" ]'
check "responder memory flat under churn ($rss0 -> $rss1 KiB)" \
    [ $((rss1 - rss0)) -le 64 ]
for pid in $sentinels; do
	check "sentinel $pid outside the supervised set survived" kill -0 "$pid"
done
check "the supervisor survived" kill -0 "$SUP_PID"
summary
