#!/usr/bin/env bash
# fcgi_proc as a program: run from a shell, its options, its errors when
# it may not read the lockfiles, and its rules when installed setuid.
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
	    'status_is 500 && json_is ".description | test(\"cannot open procmon[.].*: Permission denied\")"'
	env -i PATH="$PATH" QUERY_STRING=stop=sleep1 \
	    PROCMON_DIR="$LOCKDIR" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups ${RUN:-} "$BIN" >"$T/out"
	split_response "$T/out"
	check "stop as another user: 500 permission denied, nothing done" eval \
	    'status_is 500 && json_is ".description | contains(\"Permission denied\")" && [ "$(lock_field sleep1 2)" = 0 ]'
fi
env -i REQUEST_METHOD=GET QUERY_STRING=list PROCMON_DIR=/nonexistent \
    ${RUN:-} "$BIN" >"$T/out"
split_response "$T/out"
check "missing directory: 500 that says so" eval \
    'status_is 500 && json_is ".description == \"cannot open directory /nonexistent: No such file or directory\""'

# --- from a shell -----------------------------------------------------
out=$(cd "$T" && env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN")
check "QUERY_STRING=list ./fcgi_proc, no REQUEST_METHOD, acts as GET" \
    eval '[ "$(printf "%s" "$out" | head -1)" = "$(printf "Status: 200 OK\r")" ]'
check "-h prints usage and succeeds" eval '${RUN:-} "$BIN" -h | grep -q "^usage: fcgi_proc"'
for bad in "-x" "-l 0" "-l 12abc" "-l -1" "-l 1048577" "extra" "-p a,,b" \
    "-p a," "-p ,a" "-p ../x" "-p .a" "-a a,,b" "-a a," "-a ,a" \
    "-u no-such-user" "-u -1" "-u 12abc" "-u 4294967295"; do
	${RUN:-} "$BIN" $bad >/dev/null 2>&1
	rc=$?
	check "option '$bad' is refused with status 2" eval '[ $rc = 2 ]'
done
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
for good in "" "procmon1" "a.b,c_d,E-1"; do
	env -i QUERY_STRING=list PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -p "$good" >"$T/out"
	split_response "$T/out"
	check "-p '$good' is taken" status_is 200
done
env -i QUERY_STRING='stop=%zz' PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v \
    >/dev/null 2>"$T/err"
check "-v logs the request to stderr" \
    grep -qx 'fcgi_proc: 400 GET "stop=%zz"' "$T/err"
env -i QUERY_STRING="$(printf 'stop=a\tb"')" ${RUN:-} "$BIN" -v >/dev/null 2>"$T/err"
check "-v escapes what it logs" grep -qx 'fcgi_proc: 400 GET "stop=a\\x09b\\x22"' "$T/err"
printf 'stop=no%%20such' | env -i REQUEST_METHOD=POST CONTENT_LENGTH=14 \
    CONTENT_TYPE=application/x-www-form-urlencoded QUERY_STRING=wait=1 \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v >/dev/null 2>"$T/err"
check "-v logs a POST's body as read, after the query string" \
    grep -qx 'fcgi_proc: 400 POST "wait=1" "stop=no%20such"' "$T/err"
printf 'stop=nosuch' | env -i REQUEST_METHOD=POST CONTENT_LENGTH=11 \
    CONTENT_TYPE=text/plain PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v \
    >/dev/null 2>"$T/err"
check "-v logs no body it refused to read" grep -qx 'fcgi_proc: 415 POST ""' "$T/err"
env -i REQUEST_METHOD="$(printf 'P\n"\033x')" QUERY_STRING=list \
    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" -v >/dev/null 2>"$T/err"
check "-v escapes the method too: one line, no control bytes" \
    eval '[ "$(wc -l <"$T/err")" = 1 ] && grep -qx "fcgi_proc: 405 P\\\\x0a\\\\x22\\\\x1bx \"list\"" "$T/err"'
env -i QUERY_STRING=list ${RUN:-} "$BIN" -l 4 >"$T/out"; split_response "$T/out"
check "-l 4 takes a 4-byte query" status_is 200
env -i QUERY_STRING=list= ${RUN:-} "$BIN" -l 4 >"$T/out"; split_response "$T/out"
check "-l 4 refuses a 5-byte query" status_is 414
env -i QUERY_STRING=list ${RUN:-} "$BIN" -d "$LOCKDIR" >"$T/out"; split_response "$T/out"
check "-d DIR selects the directory" json_is 'length == ($names | length)'
env -i QUERY_STRING=list PROCMON_DIR=/nonexistent ${RUN:-} "$BIN" -d "$LOCKDIR" >"$T/out"
split_response "$T/out"
check "-d wins over PROCMON_DIR" json_is 'length == ($names | length)'
if [ -z "${RUN:-}" ]; then	# valgrind itself needs them
	env -i QUERY_STRING=list "$BIN" <&- >"$T/out" 2>&-
	split_response "$T/out"
	check "started with stdin and stderr closed, still answers" \
	    status_is 200
fi

# lighttpd stops its responders with SIGTERM: one that arrives while a
# body is being read waits for the request to be answered.
mkfifo "$T/slow-body"
env -i REQUEST_METHOD=POST CONTENT_LENGTH=11 \
    CONTENT_TYPE=application/x-www-form-urlencoded PROCMON_DIR="$LOCKDIR" \
    ${RUN:-} "$BIN" <"$T/slow-body" >"$T/out" 2>"$T/err" &
reader=$!
trap '' PIPE		# the reader may leave early: that is what is tested
exec 8>"$T/slow-body"
printf 'stop=' >&8
sleep 0.3
kill -TERM "$reader"
sleep 0.2
printf 'sleep1' >&8
exec 8>&-
trap - PIPE
wait "$reader"
split_response "$T/out"
check "SIGTERM while the body is read: the request is finished, then it leaves" \
    eval 'status_is 200 && json_is ".action == \"stop\" and .name == \"sleep1\""'
check "... and sleep1 was stopped" eval '[ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
env -i QUERY_STRING=start=sleep1 PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" >/dev/null
wait_state sleep1 running

# Requests a shell can make but a bash variable cannot carry.
printf 'stop=sleep1\0x' | env -i REQUEST_METHOD=POST CONTENT_LENGTH=13 \
    CONTENT_TYPE=application/x-www-form-urlencoded PROCMON_DIR="$LOCKDIR" \
    ${RUN:-} "$BIN" >"$T/out"
split_response "$T/out"
check "a NUL byte in the body: 400, nothing done" eval \
    'status_is 400 && json_is ".description == \"NUL byte in request body\"" &&
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
    eval 'status_is 200 && json_is "length == (\$names | length)"'

# Installed setuid root, the environment and -d must not redirect it: a
# decoy directory's lockfile never shows.
if [ "$(id -u)" = 0 ] && [ -z "${RUN:-}" ]; then
	mkdir -m 755 "$T/decoy"
	lockfile make "$T/decoy/procmon.decoy" 0 0 1 0 x
	cp "$BIN" "$T/suid" && chmod 4755 "$T/suid"
	env -i QUERY_STRING=list PROCMON_DIR="$T/decoy" setpriv --reuid=65534 \
	    --regid=65534 --clear-groups "$T/suid" >"$T/out"
	split_response "$T/out"
	check "setuid: PROCMON_DIR is ignored" \
	    eval 'status_is 200 && ! grep -q decoy "$T/body"'
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T/suid" \
	    -d "$T/decoy" >/dev/null 2>&1
	rc=$?
	check "setuid: -d is refused" eval '[ $rc = 2 ]'
	# -p may only add to procmon's monitors: the caller cannot unprotect.
	for p in "" "sleep1"; do
		env -i QUERY_STRING=stop=procmon1 \
		    setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$T/suid" -p "$p" >"$T/out"
		split_response "$T/out"
		check "setuid: -p '$p' still protects procmon1" eval \
		    'status_is 403 && json_is ".description == \"\\\"procmon1\\\" is protected\""'
	done
	env -i QUERY_STRING=stop=sleep1 setpriv \
	    --reuid=65534 --regid=65534 --clear-groups "$T/suid" -p sleep1 \
	    >"$T/out"
	split_response "$T/out"
	check "setuid: -p sleep1 adds sleep1" eval \
	    'status_is 403 && json_is ".description | contains(\"sleep1\")"'
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T/suid" \
	    -u 65534 >/dev/null 2>"$T/err"
	rc=$?
	check "setuid: -u (the caller's files trusted) is refused" \
	    eval '[ $rc = 2 ] && grep -q "^fcgi_proc: -u is refused" "$T/err"'
	env -i QUERY_STRING=list setpriv --reuid=65534 --regid=65534 \
	    --clear-groups "$T/suid" <&- >"$T/out" 2>&-
	split_response "$T/out"
	check "setuid, started with fds 0 and 2 closed: answers" status_is 200
	cp "$BIN" "$T/sgid" && chmod 2755 "$T/sgid"
	env -i QUERY_STRING=list PROCMON_DIR="$T/decoy" setpriv --reuid=65534 \
	    --regid=65534 --clear-groups "$T/sgid" >"$T/out"
	split_response "$T/out"
	# (A group cannot read procmon's own files, mode 0600: then 500.)
	check "setgid: PROCMON_DIR is ignored" eval \
	    '{ status_is 200 || status_is 500; } && ! grep -q decoy "$T/body"'
	# Held waiting for a body, it shows its ids; the caller's uid is no
	# longer its real uid, so the caller cannot stop it (SIGSTOP).
	mkfifo "$T/body-fifo"
	env -i REQUEST_METHOD=POST CONTENT_LENGTH=10 \
	    CONTENT_TYPE=application/x-www-form-urlencoded \
	    setpriv --reuid=65534 --regid=65534 --clear-groups "$T/suid" \
	    <"$T/body-fifo" >/dev/null &
	waiting=$!
	exec 7>"$T/body-fifo"
	sleep 0.2
	check "setuid: real and effective uid both root once running" \
	    eval '[ "$(awk "/^Uid:/ { print \$2, \$3 }" /proc/$waiting/status)" = "0 0" ]'
	check "setuid: the caller cannot SIGSTOP it" \
	    eval '! setpriv --reuid=65534 --regid=65534 --clear-groups \
	    kill -STOP $waiting 2>/dev/null'
	exec 7>&-
	wait "$waiting"
fi

summary
