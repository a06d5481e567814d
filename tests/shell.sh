#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fcgi_proc as a program: run from a shell, its options, its exit status,
# its errors when it may not read the lockfiles.  (Installed setuid,
# setgid or with capabilities: tests/privilege.sh.)
#
#   BIN=path/to/fcgi_proc TOOLS=dir/of/pmsup [RUN=wrapper] tests/shell.sh
set -u
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'

# --- 500s: say what failed --------------------------------------------
if [ "$(id -u)" = 0 ]; then
	printf '%s' "" | env -i PATH="$PATH" REQUEST_METHOD=GET \
	    QUERY_STRING=list PROCMON_DIR="$LOCKDIR" \
	    setpriv --reuid=65534 --regid=65534 --clear-groups ${RUN:-} "$BIN" >"$T/out"
	split_response "$T/out"
	check "list as another user: 500, permission denied, named" eval \
	    'status_is 500 && body_has "\"description\": \"cannot open procmon." "Permission denied\""'
	env -i PATH="$PATH" QUERY_STRING=stop=sleep1 \
	    PROCMON_DIR="$LOCKDIR" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups ${RUN:-} "$BIN" >"$T/out" 2>/dev/null
	split_response "$T/out"
	check "stop as another user: 500 permission denied, nothing done" eval \
	    'status_is 500 && body_has "Permission denied" && [ "$(lock_field sleep1 2)" = 0 ]'
fi
env -i REQUEST_METHOD=GET QUERY_STRING=list PROCMON_DIR=/nonexistent \
    ${RUN:-} "$BIN" >"$T/out"
split_response "$T/out"
check "missing directory: 500 that says so" eval \
    'status_is 500 && body_has "\"description\": \"cannot open directory /nonexistent: No such file or directory\""'

# --- from a shell -----------------------------------------------------
out=$(cd "$T" && env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN")
check "QUERY_STRING=list ./fcgi_proc, no REQUEST_METHOD, acts as GET" \
    eval '[ "$(printf "%s" "$out" | head -1)" = "$(printf "Status: 200 OK\r")" ]'
check "-h prints usage and succeeds" eval \
    '${RUN:-} "$BIN" -h >"$T/help" && grep -q "^usage: fcgi_proc" "$T/help"'
for bad in "-x" "-l 0" "-l 12abc" "-l -1" "-l 1048577" "extra" "-p a,,b" \
    "-p a," "-p ,a" "-p ../x" "-a a,,b" "-a a," "-a ,a" \
    "-u no-such-user" "-u -1" "-u 12abc" "-u 4294967295" "-F 0" "-F 65"; do
	${RUN:-} "$BIN" $bad >/dev/null 2>&1
	rc=$?
	check "option '$bad' is refused with status 2" eval '[ $rc = 2 ]'
done
${RUN:-} "$BIN" -a "" >/dev/null 2>&1
rc=$?
check "-a '' (no admin at all) is refused with status 2" eval '[ $rc = 2 ]'
env -i QUERY_STRING=list ${RUN:-} "$BIN" -p "procmon1, procmon2" >"$T/out" 2>"$T/err"
rc=$?
check "-p 'procmon1, procmon2' (a name that could never match) is refused" \
    eval '[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q "^fcgi_proc: -p takes process names" "$T/err"'
env -i QUERY_STRING=list ${RUN:-} "$BIN" -a "alice, carol" >"$T/out" 2>"$T/err"
rc=$?
check "-a 'alice, carol' (a user who could never match) is refused" \
    eval '[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q "^fcgi_proc: -a takes user names" "$T/err"'
env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -a "alice,carol ann" >"$T/out"
split_response "$T/out"
check "-a 'alice,carol ann' (a space inside a name) is taken" status_is 200
for good in "-u nobody" "-u 65534" "-u 0"; do
	env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" $good >"$T/out"
	split_response "$T/out"
	check "'$good' is taken" status_is 200
done
for good in "" "procmon1" "a.b,c_d,E-1" "svc@lan,.a"; do
	env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -p "$good" >"$T/out"
	split_response "$T/out"
	check "-p '$good' is taken" status_is 200
done
env -i QUERY_STRING='stop=%zz' PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v \
    >/dev/null 2>"$T/err"
check "-v logs the request to stderr" \
    grep -qx 'fcgi_proc: 400 GET "stop=%zz"' "$T/err"
env -i QUERY_STRING="$(printf 'stop=a\tb"')" PROCMON_DIR="$LOCKDIR" \
    ${RUN:-} "$BIN" -v >/dev/null 2>"$T/err"
check "-v escapes what it logs" grep -qx 'fcgi_proc: 404 GET "stop=a\\x09b\\x22"' "$T/err"
check "-v's first line: the version, the header layout and the directory" \
    grep -qx "fcgi_proc [0-9.]*, built [0-9a-z -]*: lockfiles in $LOCKDIR" "$T/err"
printf 'stop=no%%20such' | env -i REQUEST_METHOD=POST CONTENT_LENGTH=14 \
    CONTENT_TYPE=application/x-www-form-urlencoded QUERY_STRING=wait=1 \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v >/dev/null 2>"$T/err"
check "-v logs a POST's body as read, after the query string" \
    grep -qx 'fcgi_proc: 404 POST "wait=1" "stop=no%20such"' "$T/err"
printf 'stop=nosuch' | env -i REQUEST_METHOD=POST CONTENT_LENGTH=11 \
    CONTENT_TYPE=text/plain PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v \
    >/dev/null 2>"$T/err"
check "-v logs the body of another type it refused, as read" \
    grep -qx 'fcgi_proc: 415 POST "" "stop=nosuch"' "$T/err"
env -i REQUEST_METHOD="$(printf 'P\n"\033x')" QUERY_STRING=list \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v >/dev/null 2>"$T/err"
check "-v escapes the method too: one line, no control bytes" \
    eval '[ "$(grep -vc "^fcgi_proc [0-9]" "$T/err")" = 1 ] && grep -qx "fcgi_proc: 405 P\\\\x0a\\\\x22\\\\x1bx \"list\"" "$T/err"'
env -i QUERY_STRING=list ${RUN:-} "$BIN" -l 4 >"$T/out"; split_response "$T/out"
check "-l 4 takes a 4-byte query" status_is 200
env -i QUERY_STRING=list= ${RUN:-} "$BIN" -l 4 >"$T/out"; split_response "$T/out"
check "-l 4 refuses a 5-byte query" status_is 414
env -i QUERY_STRING=list ${RUN:-} "$BIN" -d "$LOCKDIR" >"$T/out"; split_response "$T/out"
check "-d DIR selects the directory" eval '[ "$(listed)" = ${#SUP_NAMES[@]} ]'
env -i QUERY_STRING=list PROCMON_DIR=/nonexistent ${RUN:-} "$BIN" -d "$LOCKDIR" >"$T/out"
split_response "$T/out"
check "-d wins over PROCMON_DIR" eval '[ "$(listed)" = ${#SUP_NAMES[@]} ]'
if [ -z "${RUN:-}" ]; then	# valgrind itself needs them
	env -i QUERY_STRING=list "$BIN" <&- >"$T/out" 2>&-
	split_response "$T/out"
	check "started with stdin and stderr closed, still answers" \
	    status_is 200
fi

# lighttpd stops its responders with SIGTERM: one that arrives while a
# body is being read waits for the request to be answered.  The signal
# is sent once the program waits in its read of the body, and the rest
# of the body once the signal has been taken.
reading_pipe() { grep -q pipe_read "/proc/$1/wchan" 2>/dev/null; }
term_taken() {
	local key mask
	while read -r key mask; do
		case $key in
		SigPnd:|ShdPnd:) (( 0x$mask & 0x4000 )) && return 1 ;;
		esac
	done 2>/dev/null <"/proc/$1/status"
	return 0
}
mkfifo "$T/slow-body"
env -i REQUEST_METHOD=POST CONTENT_LENGTH=11 \
    CONTENT_TYPE=application/x-www-form-urlencoded PROCMON_DIR="$LOCKDIR" \
    ${RUN:-} "$BIN" <"$T/slow-body" >"$T/out" 2>"$T/err" &
reader=$!
trap '' PIPE		# the reader may leave early: that is what is tested
exec 8>"$T/slow-body"
printf 'stop=' >&8
poll 60 reading_pipe "$reader"
kill -TERM "$reader"
poll 60 term_taken "$reader"
printf 'sleep1' >&8
exec 8>&-
trap - PIPE
wait "$reader"
split_response "$T/out"
check "SIGTERM while the body is read: the request is finished, then it leaves" \
    eval 'status_is 200 && body_has "\"name\": \"sleep1\",\"action\": \"stop\""'
check "... and sleep1 was stopped" eval '[ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
env -i QUERY_STRING=start=sleep1 PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" >/dev/null 2>&1
wait_state sleep1 running

# Requests a shell can make but a bash variable cannot carry.
printf 'stop=sleep1\0x' | env -i REQUEST_METHOD=POST CONTENT_LENGTH=13 \
    CONTENT_TYPE=application/x-www-form-urlencoded PROCMON_DIR="$LOCKDIR" \
    ${RUN:-} "$BIN" >"$T/out"
split_response "$T/out"
check "a NUL byte in the body: 400, nothing done" eval \
    'status_is 400 && body_has "\"description\": \"NUL byte in request body\"" &&
    [ "$(lock_field sleep1 2)" = 0 ]'
env -i REQUEST_METHOD=POST QUERY_STRING=list CONTENT_LENGTH=0 \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" </dev/null >"$T/out"
split_response "$T/out"
check "POST with an empty body and no Content-Type (curl -X POST)" \
    status_is 200
env -i REQUEST_METHOD=GET QUERY_STRING=list PROCMON_DIR="$LOCKDIR" \
    ${RUN:-} "$BIN" </dev/null >"$T/out"
split_response "$T/out"
check "no CONTENT_LENGTH, no CONTENT_TYPE, no GATEWAY_INTERFACE" status_is 200
# The largest single environment string Linux passes (128 KiB).
env -i QUERY_STRING="list=$(head -c 131000 /dev/zero | tr '\0' x)" \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" >"$T/out"
split_response "$T/out"
check "a 128 KiB QUERY_STRING from a shell: 414" status_is 414
# RFC 3875 section 4.4: a query without '=' may come as arguments too.
env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING=list \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" list >"$T/out"
split_response "$T/out"
check "query words passed as arguments by the server are ignored" \
    eval 'status_is 200 && [ "$(listed)" = ${#SUP_NAMES[@]} ]'

# --- the exit status, the body alone, the version -----------------------
status_of() {
	env -i QUERY_STRING="$1" PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" \
	    >/dev/null 2>&1
	echo $?
}
check "from a shell, 0 when the request succeeds" \
    eval '[ "$(status_of list) $(status_of start=sleep2)" = "0 0" ]'
check "... 1 when it is refused or fails: 400, 403, 404" eval \
    '[ "$(status_of x) $(status_of stop=procmon1) $(status_of stop=nosuch)" = "1 1 1" ]'
check "... and 1 when only some of several names succeeded (207)" \
    eval '[ "$(status_of start=sleep2,nosuch)" = 1 ]'
printf 'list' | env -i REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
    QUERY_STRING=stop=nosuch PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" \
    >/dev/null 2>&1
rc=$?
check "under a web server, 0 whatever the answer: it is in the answer" \
    eval '[ $rc = 0 ]'
env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -b >"$T/out"
cp "$T/out" "$T/body"
check "-b prints the body alone: JSON a pipe can read" \
    eval '[ "$(head -c 1 "$T/out")" = "[" ] && [ "$(listed)" = ${#SUP_NAMES[@]} ]'
check "-V prints the version" eval '${RUN:-} "$BIN" -V >"$T/version" &&
    grep -qx "fcgi_proc [0-9]*\.[0-9]*\.[0-9]*" "$T/version"'

# --- a FastCGI socket given to the plain build ---------------------------
# libfcgi takes its listening socket on standard input; the plain build
# cannot serve it, and must say so rather than answer once and exit 0.
if [ ! -x /usr/bin/python3 ] || [ -n "${RUN:-}" ]; then
	echo "# skip - a FastCGI socket given to the plain build: no python3, or a wrapper in RUN"
elif ! ldd "$BIN" 2>/dev/null | grep -q libfcgi; then
	/usr/bin/python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen()
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], sys.argv[2:])' "$T/fcgi.sock" ${RUN:-} "$BIN" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	check "the plain build on a FastCGI socket: exit 2, and why" eval \
	    '[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q "this build serves CGI only; build it with make FCGI=1" "$T/err"'
fi

summary
