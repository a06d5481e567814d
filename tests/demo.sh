#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's first quick-start command, as a person runs it: ./demo
# answers on the port it prints, Ctrl-C (SIGINT) stops it, and nothing it
# started or made is left behind.
set -u
BIN=${BIN:-fcgi_proc} TOOLS=${TOOLS:-.}
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTS/.." && pwd)
port=$(free_port)

set -m		# as in a terminal: the demo gets SIGINT, not SIG_IGN
PORT=$port "$top/demo" >"$T/demo.out" 2>&1 &
demo=$!
set +m
for _ in $(seq 600); do		# the first run may build
	grep -qs '^Ctrl-C stops the demo' "$T/demo.out" && break
	sleep 0.1
done
check "./demo says where it answers" grep -q "on http://127.0.0.1:$port\$" "$T/demo.out"
run=$(sed -n 's|^  lockfiles of the test supervisor: \(.*\)/locks$|\1|p' "$T/demo.out")

curl -s -o "$T/body" "http://127.0.0.1:$port/procs?list"
check "FastCGI: the original's processes, running" json_is \
    'map([.name, .state]) == [["procmon1","running"],["procmon2","running"],["sleep1","running"],["sleep2","running"]]'
# The printed curl commands, run as printed.
grep "^  curl '" "$T/demo.out" | sed 's/^  //' >"$T/session"
check "it prints the original's session, ready to paste" \
    [ "$(wc -l <"$T/session")" = 7 ]
bash "$T/session" >"$T/session.out" 2>/dev/null
session=$(jq -c 'if type == "array" then "list" else .status end' \
    "$T/session.out" | tr '\n' ' ')
check "the pasted session: lists and actions alternate, each action 200" \
    [ "$session" = '"list" 200 "list" 200 "list" 200 "list" ' ]
states=$(jq -c 'select(type == "array") | map(select(.name == "sleep1") | .state)[]' \
    "$T/session.out" | tr '\n' ' ')
check "... sleep1 running, stopped, running, running: each list after the action" \
    [ "$states" = '"running" "stopped" "running" "running" ' ]
curl -s -o "$T/page" -w '%{http_code} %{content_type}' \
    -H 'Accept: text/html,application/xhtml+xml' "http://127.0.0.1:$port/procs" >"$T/page.status"
check "/procs, loaded by a browser, is the dashboard" eval \
    'grep -q "^200 text/html" "$T/page.status" && grep -q "<title>Processes</title>" "$T/page"'
curl -s -o "$T/body" -d stop=sleep2 "http://127.0.0.1:$port/cgi-bin/fcgi_proc"
check "CGI: stop by POST" json_is '.status == 200 and .action == "stop"'
# The demo's responders: a list is answered while a restart of a process
# that ignores SIGTERM waits out its grace (by order: the restart is
# still unanswered).  The process is supervised beside the demo's own.
make_stubborn
"$top/build/cgi/pmsup" -d "$run/locks" stubborn="$T/stubborn" &
stubsup=$!
poll 30 test -e "$T/ready"
curl -s -o /dev/null "http://127.0.0.1:$port/procs?restart=stubborn&grace=8" &
restart=$!
poll 30 test -e "$T/term"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/procs?list")
check "during a restart's grace, a list is answered ($code) first" \
    eval '[ -e "$T/term" ] && [ "$code" = 200 ] && kill -0 $restart 2>/dev/null'
wait "$restart"
kill "$stubsup"
wait "$stubsup" 2>/dev/null

kill -INT "$demo"
wait "$demo"
rc=$?
check "Ctrl-C ends the demo cleanly" eval '[ $rc = 0 ]'
check "... and it says so" grep -q "nothing left running" "$T/demo.out"
left=$(pgrep -af "$run|$top/build/fcgi/fcgi_proc")
check "no process of the demo is left${left:+: $left}" [ -z "$left" ]
check "its files are gone" [ -n "$run" ] && [ ! -e "$run" ]
check "the port is free again" eval '! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null'

# A port already taken is said plainly, and nothing is started.
busybox httpd -f -p "127.0.0.1:$port" -h "$T" &
busy=$!
wait_port "$port"
PORT=$port "$top/demo" >"$T/demo.out" 2>&1
rc=$?
kill "$busy"; wait "$busy" 2>/dev/null
check "a port in use: exit 1 and how to choose another" eval \
    '[ $rc = 1 ] && grep -q "port $port is in use; choose another: PORT=" "$T/demo.out"'

summary
