#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fcgi_proc installed with more power than its caller: with file
# capabilities, setgid, setuid root from a shell, and setuid root as the
# FastCGI responder of a lighttpd running as www-data.  The caller is
# nobody; /tmp, where a privileged run looks, is a scratch folder.
#
#   BIN=... FCGI_BIN=... TOOLS=... tests/privilege.sh	(as root)
set -u
skip() { echo "skipped: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root, to install setuid copies"
# valgrind or qemu would run in place of the privileged copy.
[ -z "${RUN:-}${EMU:-}" ] || skip "a privileged copy cannot run under RUN or EMU"
command -v setpriv >/dev/null && command -v unshare >/dev/null ||
    skip "needs setpriv and unshare (util-linux)"
. "$(dirname "$0")/lib.sh"

# A privileged run ignores PROCMON_DIR and reads /tmp: each one runs in a
# private mount namespace whose /tmp is LOCKDIR, with $T bound where it
# was, so that the copies and lighttpd's files are still found.  The
# mounts end with the namespace.
mkdir "$LOCKDIR/${T#/tmp/}"
NS=(unshare --mount --propagation private sh -c 'mount --bind "$1" \
    "$2/${1#/tmp/}" && mount --rbind "$2" /tmp && shift 2 && exec "$@"' \
    sh "$T" "$LOCKDIR")
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
REQ_ENV=()		# more of the environment, for the audit's test

# as_nobody COPY QUERY [OPTIONS...]: COPY run by nobody from a shell, with
# a decoy PROCMON_DIR; leaves the answer as split_response does, the exit
# status in $rc and stderr in $T/err.
as_nobody() {
	local copy=$1 query=$2
	shift 2
	env -i PATH=/usr/bin:/bin QUERY_STRING="$query" \
	    PROCMON_DIR="$T/decoy" "${REQ_ENV[@]}" "${NS[@]}" "${NOBODY[@]}" \
	    "$copy" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	split_response "$T/out"
}

# ours COPY: the pids of the processes running COPY, zombies left out.
ours() {
	local p
	for p in /proc/[0-9]*; do
		[ "$p/exe" -ef "$1" ] && echo "${p#/proc/}"
	done 2>/dev/null
}
# none_left COPY: true once no process runs COPY, within 5 s.
none_left() {
	for _ in $(seq 100); do
		[ -z "$(ours "$1")" ] && return 0
		sleep 0.05
	done
	return 1
}
ids() { awk '/^Uid:/ { print $2, $3 }' "/proc/$1/status"; }	# real, effective
holder= lighttpd=
# Whatever a failed check left running: the lock holder, lighttpd and any
# process still running one of our copies, each by its pid.
leftovers() {
	kill $holder $lighttpd $(ours "$T/fcgi-suid") $(ours "$T/suid") \
	    2>/dev/null
}
CLEANUP_EXTRA=leftovers
mkdir -m 755 "$T/decoy"
lockfile make "$T/decoy/procmon.decoy" 0 0 1 0 decoy

# --- file capabilities, setgid: the caller's own files are not procmon's
# plant: nobody's lockfile naming a root process that holds its lock, as
# procmon's child would.  Trusted, a stop would have that process killed.
plant() {
	lockfile make "$LOCKDIR/procmon.planted" 0 0 1 0 "sleep 3600"
	chown 65534:65534 "$LOCKDIR/procmon.planted"
	/usr/bin/python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
time.sleep(3600)' "$LOCKDIR/procmon.planted" &
	holder=$!
	disown		# killed by a failed check, it is no news for bash
	for _ in $(seq 100); do
		[ "$(lock_field planted 5)" = "$holder" ] && break
		sleep 0.05
	done
	lockfile set "$LOCKDIR/procmon.planted" pid="$holder"
	cp -p "$LOCKDIR/procmon.planted" "$T/planted.before"
}

# refuses_planted COPY HOW: the checks for one way of being privileged.
refuses_planted() {
	plant
	as_nobody "$1" stop=planted
	check "$2: a stop of nobody's planted lockfile is 403, not trusted" \
	    eval 'status_is 403 && json_is ".description | contains(\"not trusted\")"'
	check "$2: the planted file is unchanged" \
	    cmp -s "$T/planted.before" "$LOCKDIR/procmon.planted"
	check "$2: the root process the planted file names is alive" \
	    eval 'kill -0 $holder 2>/dev/null'
	as_nobody "$1" list
	check "$2: a list is 200 and empty: the planted file left out, PROCMON_DIR ignored" \
	    eval 'status_is 200 && json_is ". == []"'
	kill "$holder" 2>/dev/null
	holder=
	rm -f "$LOCKDIR/procmon.planted"
}
cp "$BIN" "$T/caps"
if ! command -v setcap >/dev/null; then
	echo "# skip - file capabilities: no setcap (install libcap2-bin)"
elif ! setcap cap_kill,cap_dac_override+ep "$T/caps" 2>"$T/err"; then
	echo "# skip - file capabilities: setcap refused: $(cat "$T/err")"
else
	refuses_planted "$T/caps" "cap_kill,cap_dac_override+ep"
fi
install -o root -g root -m 2755 "$BIN" "$T/sgid"
refuses_planted "$T/sgid" "setgid root"

# --- setuid root, run from a shell --------------------------------------
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
install -o root -g root -m 4755 "$BIN" "$T/suid"
as_nobody "$T/suid" list
check "setuid: PROCMON_DIR is ignored, /tmp's names are listed" \
    eval 'status_is 200 && json_is "map(.name) == \$names"'
as_nobody "$T/suid" list -d "$T/decoy"
check "setuid: -d is refused with status 2" eval '[ $rc = 2 ]'
as_nobody "$T/suid" list -u 65534
check "setuid: -u (the caller's files trusted) is refused with status 2" \
    eval '[ $rc = 2 ] && grep -q "^fcgi_proc: -u is refused" "$T/err"'
# -p may only add to procmon's monitors: the caller cannot unprotect.
for p in "" sleep1; do
	as_nobody "$T/suid" stop=procmon1 -p "$p"
	check "setuid: with -p '$p', procmon1 is still protected" eval \
	    'status_is 403 && json_is ".description == \"\\\"procmon1\\\" is protected\""'
done
as_nobody "$T/suid" stop=sleep1 -p sleep1
check "setuid: -p sleep1 protects sleep1 as well" eval \
    'status_is 403 && json_is ".description | contains(\"sleep1\")" &&
    [ "$(lock_field sleep1 2)" = 0 ]'
env -i QUERY_STRING=list "${NS[@]}" "${NOBODY[@]}" "$T/suid" <&- \
    >"$T/out" 2>&-
split_response "$T/out"
check "setuid, started with fds 0 and 2 closed: answers" status_is 200

# Held waiting for a body, it shows its ids.  Its real uid stays the
# caller's: the web server that started it must be able to stop it.
mkfifo "$T/body-fifo"
env -i REQUEST_METHOD=POST CONTENT_LENGTH=10 \
    CONTENT_TYPE=application/x-www-form-urlencoded \
    "${NOBODY[@]}" "$T/suid" <"$T/body-fifo" >/dev/null 2>&1 &
waiting=$!
exec 7>"$T/body-fifo"
for _ in $(seq 100); do
	[ "/proc/$waiting/exe" -ef "$T/suid" ] && break
	sleep 0.05
done
check "setuid, as it runs: real uid the caller's (65534), effective root" \
    eval '[ "$(ids $waiting)" = "65534 0" ]'
check "setuid: the caller can signal it (SIGSTOP stops it)" eval \
    '"${NOBODY[@]}" kill -STOP $waiting 2>/dev/null &&
    poll 30 state_is $waiting T'
kill -CONT "$waiting"
exec 7>&-
wait "$waiting"

# --- the audit: the real uid, and what the request only claims --------
if [ -e /dev/log ]; then
	echo "# skip - the audit line: /dev/log exists, so it goes to syslog"
else
	# A web request's GET acts only when sent to a loopback Host.
	REQ_ENV=(REMOTE_USER=admin REMOTE_ADDR=192.168.1.5 HTTP_HOST=localhost)
	as_nobody "$T/suid" stop=procmon1
	REQ_ENV=()
	check "setuid: the audit names the real uid and calls user and address claimed" \
	    eval 'status_is 403 && grep -qF "uid=65534 claimed: user=\"admin\" addr=\"192.168.1.5\"" "$T/err"'
fi

# --- lighttpd as www-data, the setuid responder its FastCGI child -----
# As the README installs it: setuid root, run by www-data's group only.
# lighttpd, started as root, drops to www-data before it starts the
# responders, and must still stop them with SIGTERM when it stops.
if ! command -v lighttpd >/dev/null || ! id www-data >/dev/null 2>&1 ||
    [ -z "${FCGI_BIN:-}" ]; then
	echo "# skip - lighttpd as www-data: no lighttpd, no user www-data or no FCGI_BIN"
	summary
	exit
fi
LH=$T/lighttpd		# its socket is made by www-data
mkdir -p "$LH/www/cgi-bin" && chown -R www-data:www-data "$LH"
install -o root -g www-data -m 4750 "$FCGI_BIN" "$T/fcgi-suid"
www=$(id -u www-data)
for opts in "" "-F 2"; do
	how="lighttpd${opts:+ with $opts}"
	port=$(free_port)
	LIGHTTPD_USER=www-data "$TESTS/tools/lighttpd-conf" "$LH" "$port" /tmp \
	    "$T/fcgi-suid${opts:+ $opts}" "$LH/www/cgi-bin" "$LH/www"
	"${NS[@]}" lighttpd -D -f "$LH/lighttpd.conf" &
	lighttpd=$!
	wait_port "$port"
	status=$(curl -s --max-time 10 -o "$T/body" -w '%{http_code}' \
	    "http://127.0.0.1:$port/procs?list")
	check "$how: a list through it is 200 with root's lockfiles listed" \
	    eval 'status_is 200 && json_is "map(.name) == \$names"'
	# One responder, or -F 2's keeper and its two responders.
	want=$([ -n "$opts" ] && echo 3 || echo 1)
	for _ in $(seq 40); do
		[ "$(ours "$T/fcgi-suid" | wc -l)" = "$want" ] && break
		sleep 0.05
	done
	pids=$(ours "$T/fcgi-suid")
	check "$how: $want responder process(es), each of real uid www-data ($www) and effective root" \
	    eval '[ "$(for p in $pids; do ids $p; done | sort -u)" = "$www 0" ] &&
	    [ $(echo $pids | wc -w) = $want ]'
	kill "$lighttpd" && wait "$lighttpd"
	lighttpd=
	check "$how: once lighttpd is stopped (SIGTERM), no responder is left" \
	    none_left "$T/fcgi-suid"
	kill $(ours "$T/fcgi-suid") 2>/dev/null	# for the next round
done

summary
