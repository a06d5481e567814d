#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What procmon does in the field, where an answer must stay true: a
# stopped entry whose pid the kernel has given to a stranger (or that is
# an unreaped zombie), a running process still flagged stopped, command
# lines of odd bytes, procmon itself not running, and procmon running as
# another user.  Against pmsup, or the real procmon (tests/tools/with-procmon).
#
#   BIN=... TOOLS=... [VIA=cgi|lighttpd-fastcgi] tests/traps.sh
set -u
. "$(dirname "$0")/lib.sh"

# An executable whose path holds a quote, a backslash, a tab and UTF-8.
mkdir -m 755 "$T/bin"
odd=$T/bin/$'sl"ee\\p\t\xc3\xbc'
ln -s "$(command -v sleep)" "$odd"
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200' odd="$odd 3600"
start_server

# take [-z] PID: a stranger (with -z, a zombie) under PID, until release.
take() {
	$EMU "$TOOLS/takepid" "$@" >"$T/take" 2>&1 &
	TAKER=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$T/take" && return 0
		kill -0 "$TAKER" 2>/dev/null || break
		sleep 0.02
	done
	wait "$TAKER"
	return 1
}
release() { kill "$TAKER"; wait "$TAKER"; }
# reaped PID: up to 5 s for the supervisor to reap PID (a zombie is not).
reaped() {
	for _ in $(seq 250); do
		[ -e "/proc/$1" ] || return 0
		sleep 0.02
	done
	return 1
}

# --- start after the stopped process's pid was recycled ------------------
# procmon forks only when the recorded pid is 0 or dead: a live stranger or
# a zombie under it would keep the process from ever starting.
for kind in stranger zombie; do
	flag=; [ $kind = zombie ] && flag=-z
	wait_state sleep1 running
	old=$(lock_field sleep1 5) runs=$(lock_field sleep1 3)
	request GET stop=sleep1
	if ! reaped "$old" || ! take $flag "$old"; then
		echo "# skip - a $kind under pid $old: $(cat "$T/take")"
		continue
	fi
	check "a $kind now has the stopped process's pid $old" \
	    eval '[ "$(lock_field sleep1 1)" = "$old" ] && [ -e /proc/$old ]'
	request GET "start=sleep1&wait=5"
	check "start, the pid gone to a $kind: 200 once a new process runs" \
	    json_is ".status == 200 and .changed == true and
	    .process.state == \"running\" and .process.pid != $old"
	check "... runcount up by one" \
	    eval '[ "$(lock_field sleep1 3)" = $((runs + 1)) ]'
	check "... and the $kind under $old was not signalled" \
	    eval '[ -e /proc/$old ] && [ "$(lock_field sleep1 5)" != "$old" ]'
	release
done
wait_state sleep1 running
old=$(lock_field sleep1 5)
request GET stop=sleep1
reaped "$old"
request GET start=sleep1
check "start without the wait: says procmon starts it" json_is \
    '.status == 200 and .changed == true and
    .description == "starting; procmon starts it within a second"'
check "... and procmon does" wait_state sleep1 running

# --- a running process flagged stopped ---------------------------------
# procmon's child writes its whole header back, terminate as it read it:
# a stop can be lost, or a running process left flagged 0xdeadbeef.
wait_state sleep2 running
old=$(lock_field sleep2 5)
lockfile set "$LOCKDIR/procmon.sleep2" terminate=0xdeadbeef
check "a running process flagged stopped is listed running" \
    eval '[ "$(state_of sleep2)" = running ]'
request GET start=sleep2
check "start of it: the flag cleared, nothing killed, and said so" json_is \
    '.status == 200 and .changed == true and (has("killed") | not) and
    (.description | startswith("running; its stop flag was cleared"))'
check "... flag 0, the same process running" eval \
    '[ "$(lock_field sleep2 2)" = 0 ] && [ "$(lock_field sleep2 5)" = "$old" ]'
lockfile set "$LOCKDIR/procmon.sleep2" terminate=0xdeadbeef
request POST "" "restart=sleep2&wait=5"
check "restart of it: the flag cleared, the process killed, a new one runs" \
    json_is ".status == 200 and .killed == $old and
    .process.state == \"running\" and .process.pid != $old"
check "... with the flag clear" eval '[ "$(lock_field sleep2 2)" = 0 ]'
lockfile set "$LOCKDIR/procmon.sleep2" terminate=0xdeadbeef
old=$(lock_field sleep2 5)
request GET "stop=sleep2&wait=5"
check "stop of it: killed, and it stays stopped" json_is \
    ".status == 200 and .killed == $old and .process.state == \"stopped\""
request GET "start=sleep2&wait=5"
check "... and starts again" json_is '.process.state == "running"'

# --- a command line of odd bytes -------------------------------------
request GET status=odd
check "a path with a quote, a backslash, a tab and UTF-8: listed as it is" \
    json_is --arg exec "$odd 3600" '.exec == $exec and .state == "running"'
old=$(lock_field odd 5)
request GET "restart=odd&wait=5"
check "... restarted" json_is ".process.state == \"running\" and .process.pid != $old"
request GET "stop=odd&wait=5"
check "... stopped" json_is '.process.state == "stopped"'
request GET "start=odd&wait=5"
check "... started" json_is '.process.state == "running"'
check "... running that very file" eval \
    '[ "$(readlink "/proc/$(lock_field odd 5)/exe")" = "$(readlink -f "$odd")" ]'

# --- procmon itself not running ---------------------------------------------
request GET list
check "procmon running: each process says so" \
    json_is 'all(.[]; .procmon == "running")'
request GET metrics
check "... procmon_up 1" grep -qx 'procmon_up 1' "$T/body"
monitors=$(lock_field procmon1 5; lock_field procmon2 5)
kill -9 $monitors
wait "$SUP_PID" 2>/dev/null	# (no "Killed" from bash)
for pid in $monitors; do gone "$pid"; done
request GET list
check "procmon killed: procmon1 and procmon2 listed stopped" json_is \
    'map(select(.name | startswith("procmon")) | .state) == ["stopped","stopped"]'
check "... each process says procmon is stopped" \
    json_is 'all(.[]; .procmon == "stopped")'
request GET status=sleep1
check "... ?status too" json_is '.procmon == "stopped" and .state == "running"'
request GET metrics
check "... procmon_up 0" grep -qx 'procmon_up 0' "$T/body"
before=$(snapshot)
old=$(lock_field sleep1 5)
expect_error 503 "procmon is not running" GET "start=sleep1"
expect_error 503 "procmon is not running" GET "restart=sleep1&wait=3"
expect_error 503 "procmon is not running" POST "" "restart=sleep1,sleep2"
check "... restart killed nothing and nothing changed" eval \
    '[ "$(snapshot)" = "$before" ] && [ "$(lock_field sleep1 5)" = "$old" ]'
request GET stop=sleep1
check "stop still stops" json_is ".status == 200 and .killed == $old"
check "... it is gone" gone "$old"
expect_error 503 "procmon is not running" GET "start=sleep1"
check "... and start leaves it flagged stopped" \
    eval '[ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
rm -f "$LOCKDIR/procmon.procmon1" "$LOCKDIR/procmon.procmon2"
request GET list
check "no procmon entries at all: no procmon key, as before" \
    json_is 'length > 0 and all(.[]; has("procmon") | not)'
request GET metrics
check "... no procmon_up, and procmon_found 0 for an alert to see" \
    eval '! grep -q "^procmon_up" "$T/body" && grep -qx "procmon_found 0" "$T/body"'
request GET start=sleep1
check "... start answers as before" json_is '.status == 200 and .changed == true'

# --- procmon running as another user --------------------------------------
stop_server
stop_supervisor
SUP_AS=65534
# A process that may not be looked into by its own user (not dumpable).
printf '#!/usr/bin/python3\nimport ctypes, time\nctypes.CDLL(None).prctl(4, 0, 0, 0, 0)\ntime.sleep(3600)\n' >"$T/nodump"
chmod 755 "$T/nodump"
start_supervisor sleep1='sleep 3600' nodump="$T/nodump"
check "the supervisor's files belong to its user" \
    eval '[ "$(stat -c %u "$LOCKDIR/procmon.sleep1")" = 65534 ]'
OPTS=-v
start_server
request GET list
check "as root without -u: none of them listed" json_is 'length == 0'
if via_cgi; then
	check "... and -v says why" grep -q \
	    '^fcgi_proc: 200 GET "list" (4 procmon.\* files left out: owned by a user not trusted (see -u))$' \
	    "$T/err"
fi
request GET metrics
check "... and the metrics say so: procmon not found, 4 files another user's" \
    eval 'grep -qx "procmon_found 0" "$T/body" &&
    grep -qx "procmon_lockfiles_untrusted{reason=\"owner\"} 4" "$T/body"'
stop_server
OPTS="-u nobody"
start_server
request GET list
check "-u nobody: all listed, running" \
    json_is 'map(.name) == $names and all(.[]; .state == "running")'
old=$(lock_field sleep1 5)
request GET "stop=sleep1&wait=5"
check "... stopped" json_is ".killed == $old and .process.state == \"stopped\""
request GET "start=sleep1&wait=5"
check "... started again, as that user" eval 'json_is ".process.state == \"running\"" &&
    [ "$(stat -c %u "/proc/$(lock_field sleep1 5)")" = 65534 ]'
chmod 620 "$LOCKDIR/procmon.sleep1"
expect_error 403 "not trusted" GET "stop=sleep1"
chmod 600 "$LOCKDIR/procmon.sleep1"
if via_cgi; then
	# fcgi_proc as procmon's user may not read the fdinfo of a process
	# that is not dumpable: the lock decides, and a stop stops.
	RUN="setpriv --reuid=65534 --regid=65534 --clear-groups"
	old=$(lock_field nodump 5)
	request GET "stop=nodump&wait=5"
	check "as procmon's user, a holder not dumpable is stopped" json_is \
	    ".killed == $old and .process.state == \"stopped\""
	check "... and gone" gone "$old"
	RUN=
fi

summary
