#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Races with procmon and with ourselves, widened with strace's delays
# (never with a clock of the test's own): two requests writing one
# lockfile, and a stop that procmon's starting child writes over.
# Against pmsup, or the real procmon (tests/tools/with-procmon).
#
#   BIN=... TOOLS=... tests/races.sh
set -u
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || { echo "skipped: needs strace"; exit 0; }
start_supervisor sleep1='sleep 3600' sleep2='sleep 3600'

# held_by_strace PID: up to 5 s for the child of strace PID to be held
# in the system call strace delays (a tracing stop); its pid in $held.
held_by_strace() {
	for _ in $(seq 100); do
		held=$(pgrep -P "$1")
		[ -n "$held" ] && [ "$(cut -d' ' -f3 "/proc/$held/stat" 2>/dev/null)" = t ] &&
		    return 0
		sleep 0.05
	done
	return 1
}
# flocked NAME: a flock() is held on procmon.NAME (/proc/locks).
flocked() {
	grep -q "FLOCK .*:$(stat -c %i "$LOCKDIR/procmon.$1") " /proc/locks
}
# running_truly NAME: its recorded pid holds its lock, and ?status says so.
running_truly() {
	[ "$(lock_field "$1" 1)" = "$(lock_field "$1" 5)" ] &&
	    [ "$(lock_field "$1" 5)" != 0 ] && [ "$(state_of "$1")" = running ]
}

# --- two starts of one stopped entry --------------------------------------
# The first is held 2 s in its first write, after its read; the second
# comes meanwhile.  Deciding from the header the first read, the second
# would clear the stop flag, procmon would start the process and write its
# pid, and the first's late "pid = 0" would erase it: running, listed
# stopped, never to be stopped again.
request GET "stop=sleep1&wait=5"
env -i QUERY_STRING=start=sleep1 PROCMON_DIR="$LOCKDIR" \
    strace -f -o /dev/null -e trace=pwrite64 \
    -e inject=pwrite64:delay_enter=2000000:when=1 "$BIN" >"$T/first" 2>&1 &
first=$!
check "the first start is held in its first write" held_by_strace "$first"
check "... holding the entry's lock while it decides and writes" \
    flocked sleep1
request GET start=sleep1
second=$status
wait "$first"
split_response "$T/first"
check "both starts answered 200" eval '[ "$second" = 200 ] && status_is 200'
for _ in $(seq 100); do running_truly sleep1 && break; sleep 0.05; done
check "procmon's process runs, and its pid is the one recorded" running_truly sleep1
old=$(lock_field sleep1 5)
request GET "stop=sleep1&wait=5"
check "... so a stop stops it" json_is ".killed == $old and .process.state == \"stopped\""
check "... and it is gone" gone "$old"
request GET "start=sleep1&wait=5"

# --- a stop that procmon's starting child writes over ------------------------
# procmon's child reads the whole header, then writes it back with its
# pid: a stop written in between is lost, and the process runs on with
# its flag clear.  Its write is held half a second (well within procmon's
# monitor period, which wait= waits out).
if [ -n "${PROCMON:-}" ]; then
	starter=$(lock_field procmon1 5) call=write
else
	starter=$SUP_PID call=pwrite64
fi
wait_state sleep2 running
strace -f -p "$starter" -o /dev/null -e trace=$call \
    -e inject=$call:delay_enter=500000 2>/dev/null &
tracer=$!
for _ in $(seq 100); do		# (until strace has attached, nothing races)
	[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$starter/status")" = 0 ] ||
	    break
	sleep 0.05
done
request GET restart=sleep2
request GET "stop=sleep2&wait=10"
kill "$tracer" 2>/dev/null
wait "$tracer" 2>/dev/null
check "stop&wait while procmon starts it: 200 once it has stayed stopped" \
    json_is '.status == 200 and .process.state == "stopped" and .process.stop_requested'
sleep 2
check "... and it is still stopped, flag set, two seconds on" eval \
    '[ "$(state_of sleep2)" = stopped ] && [ "$(lock_field sleep2 2)" = 0xdeadbeef ]'
request GET "start=sleep2&wait=5"

summary
