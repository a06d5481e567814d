#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What only a real server shows, through lighttpd on 127.0.0.1: the
# original fcgi_proc's documented session, both builds answering alike by
# FastCGI and by CGI, and a persistent FastCGI responder that survives
# rude clients, stays flat over 10,000 requests and leaves on SIGTERM;
# and -F's keeper, which replaces a responder that dies, ends them all
# with it, and says when it can fork none.
#
#   BIN=plain build FCGI_BIN=FastCGI build TOOLS=dir/of/pmsup tests/servers.sh
set -u
VIA=lighttpd-fastcgi
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
start_server
cp "$FCGI_BIN" "$T/www/cgi-bin/fcgi_proc-fcgi"
port=${BASE##*:}

# field NAME KEY: KEY of process NAME in the list at $T/body.
field() { jq -r --arg n "$1" ".[] | select(.name == \$n) | .$2" "$T/body"; }
list()  { curl -s -o "$T/body" "$BASE/procs?list"; }

# --- the original README's curl session --------------------------------
list
pid=$(field sleep1 pid) runs=$(field sleep1 runcount) pid2=$(field sleep2 pid)
check "session: sleep1 running" eval '[ "$(field sleep1 state)" = running ]'
curl -s -o /dev/null "$BASE/procs?stop=sleep1"
list
check "session: after stop, sleep1 stopped, same pid and runcount" eval \
    '[ "$(field sleep1 state) $(field sleep1 pid) $(field sleep1 runcount)" = "stopped $pid $runs" ]'
curl -s -o /dev/null "$BASE/procs?start=sleep1"
for _ in $(seq 100); do list; [ "$(field sleep1 state)" = running ] && break; sleep 0.05; done
check "session: after start, running, new pid, runcount + 1" eval \
    '[ "$(field sleep1 state)" = running ] && [ "$(field sleep1 pid)" != "$pid" ] &&
    [ "$(field sleep1 runcount)" = $((runs + 1)) ]'
pid=$(field sleep1 pid)
curl -s -o /dev/null "$BASE/procs?restart=sleep1"
for _ in $(seq 100); do list; [ "$(field sleep1 pid)" != "$pid" ] &&
    [ "$(field sleep1 state)" = running ] && break; sleep 0.05; done
check "session: after restart, running, new pid, runcount + 2" eval \
    '[ "$(field sleep1 state)" = running ] && [ "$(field sleep1 pid)" != "$pid" ] &&
    [ "$(field sleep1 runcount)" = $((runs + 2)) ]'
check "session: sleep2 untouched throughout" eval \
    '[ "$(field sleep2 pid) $(field sleep2 state)" = "$pid2 running" ]'

# --- both builds, by FastCGI and by CGI, answer alike -------------------
curl -s -o /dev/null "$BASE/procs?stop=sleep2"
same=0 differ=0
for req in "GET list" "GET " "GET stop=sleep2" "GET start=sleep1" \
    "GET restart=nosuch" "GET stop=../x" "GET list&stop=sleep1" \
    "GET stat=1" "GET list=1" "GET stop=$(printf 'a%.0s' $(seq 1100))" \
    "POST stop=sleep2" "POST list" "DELETE list"; do
	m=${req%% *} q=${req#* }
	body=; [ "$m" = POST ] && body=$q q=
	a=$(masked "$m" "$BASE/procs?$q" "$body")
	b=$(masked "$m" "$BASE/cgi-bin/fcgi_proc?$q" "$body")
	c=$(masked "$m" "$BASE/cgi-bin/fcgi_proc-fcgi?$q" "$body")
	if [ "$a" = "$b" ] && [ "$b" = "$c" ]; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		printf '%s\n--- fastcgi\n%s\n--- cgi\n%s\n--- cgi, FastCGI build\n%s\n' \
		    "$req" "$a" "$b" "$c"
	fi
done
check "FastCGI, CGI and the FastCGI build as CGI answer alike ($same requests)" \
    [ "$differ" = 0 ]
curl -s -o /dev/null "$BASE/procs?start=sleep2"
wait_state sleep2 running

# --- a persistent responder that behaves --------------------------------
responder=$(pgrep -P "$SERVER_PID" -x fcgi_proc)
check "lighttpd spawned one responder" eval '[ "$(echo $responder | wc -w)" = 1 ]'
# Anonymous memory (heap, stack): where a leak would show.
rss() { awk '/^RssAnon/ { print $2 }' "/proc/$responder/status"; }
fds() { ls "/proc/$responder/fd" | wc -l; }

hangups "$port" "/procs?list"
check "50 clients hung up mid-answer ($hangups)" [ $? = 0 ]
check "the responder survived them" eval \
    '[ "$(pgrep -P "$SERVER_PID" -x fcgi_proc)" = "$responder" ]'
list
check "and answers the next request" eval '[ "$(field sleep1 state)" = running ]'

names=$(jq -r 'join(",")' <<<"$NAMES")
/usr/bin/python3 "$TESTS/tools/hammer.py" list "$port" "/procs?list" 1000 \
    "$names" >/dev/null
rss0=$(rss) fds0=$(fds)
out=$(/usr/bin/python3 "$TESTS/tools/hammer.py" list "$port" "/procs?list" 10000 \
    "$names")
rc=$?
check "10,000 requests in a row, every one right ($out)" [ $rc = 0 ]
rss1=$(rss) fds1=$(fds)
echo "# responder after 1,000 requests: $rss0 KiB anonymous memory, $fds0 fds; after 11,000: $rss1 KiB, $fds1 fds"
# (A sanitizer's allocator holds freed memory back on purpose: there,
# the sanitizer's own leak and error reports are the memory check.)
[ -n "${SANITIZED:-}" ] ||
    check "responder memory flat over 10,000 requests ($rss0 -> $rss1 KiB)" \
    [ $((rss1 - rss0)) -le 16 ]
check "no descriptor leaked ($fds0 -> $fds1)" [ "$fds0" = "$fds1" ]

# lighttpd sends SIGTERM to its FastCGI children when it stops.
stop_server
check "lighttpd stopped: the responder is gone" \
    gone "$responder"

# --- -F: a keeper and its responders on one socket, as systemd starts it ---
# keeper [COMMAND...]: FCGI_BIN -F 3 on a new socket as standard input,
# run by COMMAND (setpriv, prlimit); its pid in $keeper.
keeper() {
	rm -f "$T/keeper.sock"
	/usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
os.dup2(s.fileno(), 0)
os.execvp(sys.argv[2], sys.argv[2:])' "$T/keeper.sock" "$@" \
	    "$FCGI_BIN" -F 3 -d "$LOCKDIR" >/dev/null 2>"$T/keeper.err" &
	keeper=$!
}
all_gone() { local p; for p in "$@"; do gone "$p" || return 1; done; }
# responders N: how many living children the keeper has (not zombies).
responders() {
	local p n=0
	for p in $(pgrep -P "$keeper"); do alive "$p" && n=$((n + 1)); done
	echo $n
}
responders_now() { [ "$(responders)" = "$1" ]; }
# responders_are N: the keeper has N living children, within 30 s.
responders_are() { poll 30 responders_now "$1"; }
keeper
check "-F 3: three responders" responders_are 3
first=$(pgrep -P "$keeper" | head -1)
kill -KILL "$first"
check "one killed: replaced, three again" poll 30 eval \
    '[ "$(responders)" = 3 ] && ! pgrep -P "$keeper" | grep -qx "$first"'
kids=$(pgrep -P "$keeper")
kill -KILL "$keeper"
wait "$keeper" 2>/dev/null
check "the keeper killed: its responders end with it" all_gone $kids
kill -KILL $kids 2>/dev/null	# if they did not
keeper
responders_are 3
kids=$(pgrep -P "$keeper")
kill -TERM "$keeper"
wait "$keeper"
rc=$?
check "SIGTERM: the keeper passes it on, and exits 0 ($rc)" eval \
    '[ $rc = 0 ] && all_gone $kids'
if [ "$(id -u)" = 0 ] && [ -z "${RUN:-}" ]; then
	# No process may be forked: the keeper says so and exits 1, at once.
	keeper setpriv --reuid=65534 --regid=65534 --clear-groups \
	    prlimit --nproc=1 --
	wait "$keeper"
	rc=$?
	check "no responder can be forked: exit 1, and why ($rc)" eval \
	    '[ $rc = 1 ] && grep -q "cannot fork a responder" "$T/keeper.err"'
	# Forks that fail for a while, after the keeper had its three: nobody
	# may have 4 processes, and three more of nobody's hold every place
	# while the responders are killed, all of them.  The keeper keeps
	# trying.
	keeper setpriv --reuid=65534 --regid=65534 --clear-groups \
	    prlimit --nproc=4 --
	responders_are 3
	squatters=
	for _ in 1 2 3; do
		setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 &
		squatters="$squatters $!"
	done
	kill -KILL $(pgrep -P "$keeper")
	for _ in $(seq 100); do
		grep -q "cannot fork a responder" "$T/keeper.err" && break
		sleep 0.05
	done
	kill $squatters
	wait $squatters 2>/dev/null
	check "forks that fail for a while: said, retried, three again" eval \
	    'grep -q "cannot fork a responder" "$T/keeper.err" &&
	    kill -0 "$keeper" && responders_are 3'
	kill -TERM "$keeper" 2>/dev/null
	wait "$keeper"
fi

summary
