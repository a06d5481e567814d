# SPDX-License-Identifier: MIT
# Shared by the end-to-end tests: counters, a supervised demo set, and a
# way to run fcgi_proc exactly as a CGI web server would (RFC 3875).
#
# The caller sets BIN (the fcgi_proc to test), TOOLS (where pmsup and
# lockfile were built) and, optionally, RUN (a wrapper such as valgrind),
# VIA (see start_server), FCGI_BIN (the FastCGI build lighttpd spawns
# for /procs when BIN is tested as a CGI program) and EMU (how to run
# programs built for another machine: "qemu-mips -L /usr/mips-linux-gnu").

export LC_ALL=C
BIN=$(realpath "$BIN") TOOLS=$(realpath "$TOOLS")
[ -n "${FCGI_BIN:-}" ] && FCGI_BIN=$(realpath "$FCGI_BIN")
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VIA=${VIA:-cgi}
EMU=${EMU:-}
OPTS=${OPTS:-}		# fcgi_proc's options, however the server runs it
HEADERS=()		# extra request headers, "Name: value" ("Host: x" too)
EXTRA_ENV=()		# cgi only: more of the CGI environment ("HTTPS=on")
USER_NAME=		# the authenticated user (REMOTE_USER)
HOST=127.0.0.1:8080	# the Host a request is sent to
passed=0 failed=0

ok()     { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $*"; }

# check DESCRIPTION COMMAND...: one test, passed when COMMAND succeeds.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# summary: the closing line.  First the server stops, so that a persistent
# responder run under valgrind or a sanitizer has written its last word;
# any report of theirs is a failure.
summary() {
	stop_server
	local log
	# valgrind's errors are its "==pid==" lines; "--pid--" lines are
	# notes (such as a system call it does not know, pidfd_open in 3.19).
	for log in "$T"/valgrind.*; do
		grep -q '^==[0-9]*==' "$log" 2>/dev/null || continue
		not_ok "valgrind report in ${log##*/}:"
		grep '^==' "$log" | head -40
	done
	for log in "$T"/asan.* "$T"/ubsan.*; do
		[ -s "$log" ] || continue
		not_ok "sanitizer report in ${log##*/}:"
		head -40 "$log"
	done
	echo "$passed passed, $failed failed"
}

T=$(mktemp -d /tmp/fcgi_proc-test.XXXXXX)
chmod 755 "$T"		# reachable by the unprivileged user of some tests
# Sanitizer reports go to files: a web server may not pass stderr on.
export ASAN_OPTIONS="log_path=$T/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$T/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Through a server, RUN (valgrind) wraps the program the server starts,
# and its reports go to files that summary reads.
RUN_FCGI=
# (lighttpd wants an absolute path for what it starts.)
[ "$VIA" != cgi ] && [ -n "${RUN:-}" ] &&
    RUN_FCGI="$(command -v ${RUN%% *}) ${RUN#* } --log-file=$T/valgrind.%p "
LOCKDIR=$T/locks
mkdir -m 755 "$LOCKDIR"
SUP_PID= NAMES="[]" SUP_NAMES=()

# With PROCMON=path/to/procmon the suite drives a real procmon instead of
# pmsup (tests/tools/with-procmon runs a suite so).  procmon's directory is
# always /tmp, and it lists procmon1 and procmon2 beside the test's
# processes; no other procmon may run then.
[ -n "${PROCMON:-}" ] && LOCKDIR=/tmp
SUP_AS=			# a user to run the supervisor as, or empty

# start_supervisor NAME=COMMAND...: the supervisor on LOCKDIR, ready when
# it returns, run as SUP_AS if set.  NAMES becomes the JSON array of the
# names it lists.
start_supervisor() {
	local a as=()
	SUP_NAMES=(procmon1 procmon2)
	for a in "$@"; do SUP_NAMES+=("${a%%=*}"); done
	[ -n "$SUP_AS" ] && as=(setpriv --reuid="$SUP_AS" --regid="$SUP_AS" \
	    --clear-groups)
	if [ -n "${PROCMON:-}" ]; then
		# procmon's configuration is JSON: jq escapes each string.
		for a in "$@"; do
			jq -n --arg id "${a%%=*}" --arg exec "${a#*=}" \
			    '{id: $id, exec: $exec, monitored: true}'
		done | jq -s '{processes: .}' >"$T/procmon.json"
		chmod 644 "$T/procmon.json"
		# procmon starts its second monitor as "procmon -F" by PATH.
		PATH="$(dirname "$(command -v "$PROCMON")"):$PATH" "${as[@]}" \
		    procmon -f "$T/procmon.json" >>"$T/procmon.log" 2>&1 &
	else
		[ -n "$SUP_AS" ] && chown "$SUP_AS" "$LOCKDIR"
		"${as[@]}" $EMU "$TOOLS/pmsup" -d "$LOCKDIR" -i 100 -s procmon1 \
		    -s procmon2 "$@" &
	fi
	SUP_PID=$!
	NAMES=$(printf '%s\n' "${SUP_NAMES[@]}" | sort |
	    sed 's/[\\"]/\\&/g; s/.*/"&"/' | paste -sd, | sed 's/.*/[&]/')
	for _ in $(seq 100); do
		supervisor_ready && return 0
		sleep 0.05
	done
	echo "the supervisor did not start" >&2
	exit 1
}

# True when every supervised name has its lockfile and a lock holder.
supervisor_ready() {
	local a
	for a in "${SUP_NAMES[@]}"; do
		[ -f "$LOCKDIR/procmon.$a" ] &&
		    [ "$(lock_field "$a" 5)" != 0 ] || return 1
	done
}

# stop_supervisor: the supervisor, and every process it left behind (it
# may have been killed by a test).
stop_supervisor() {
	[ -n "$SUP_PID" ] || return 0
	local holders a
	holders=$(for a in "${SUP_NAMES[@]}"; do
		[ -f "$LOCKDIR/procmon.$a" ] && lock_field "$a" 5
	done | grep -vx 0)
	# pmsup ends its processes on SIGTERM; procmon1 and procmon2 restart
	# each other, so everything goes at once.  (Waited for at once, too:
	# bash says nothing of a job killed so.)
	{
		[ -z "${PROCMON:-}" ] && kill "$SUP_PID" && wait "$SUP_PID"
		kill -9 $holders
		wait "$SUP_PID"
	} 2>/dev/null
	for a in "${SUP_NAMES[@]}"; do rm -f "$LOCKDIR/procmon.$a"; done
	SUP_PID=
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: up to 5 s for a server to accept connections.
wait_port() {
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "no server on port $1" >&2
	[ -s "$T/server.err" ] && sed 's/^/# server: /' "$T/server.err" | tail -5 >&2
	exit 1
}

SERVER_PID= SPAWNED= URL_AUTH=
# start_server: the web server VIA names, with BIN behind it; sets URL
# (the endpoint) and BASE (the server's root).  For VIA=cgi, nothing.
# nginx runs no program itself: spawn-fcgi starts the FastCGI responder,
# and fcgiwrap the CGI programs (SPAWNED: their pids).
start_server() {
	[ "$VIA" = cgi ] && return 0
	local port
	port=$(free_port)
	BASE=http://127.0.0.1:$port
	HOST=127.0.0.1:$port
	mkdir -p "$T/www/cgi-bin"
	# A CGI program gets no arguments from the server: options need a
	# wrapper, as a deployment would have.  uhttpd clears the environment
	# (no PROCMON_DIR): the wrapper names the directory.
	local opts=$OPTS
	[ "$VIA" = uhttpd ] && opts="-d $LOCKDIR $OPTS"
	if [ -n "$opts$RUN_FCGI" ]; then
		printf '#!/bin/sh\nexport ASAN_OPTIONS="%s" UBSAN_OPTIONS="%s"\nexec %s %s %s\n' \
		    "$ASAN_OPTIONS" "$UBSAN_OPTIONS" "$RUN_FCGI" "$BIN" "$opts" \
		    >"$T/www/cgi-bin/fcgi_proc"
		chmod 755 "$T/www/cgi-bin/fcgi_proc"
	else
		cp "$BIN" "$T/www/cgi-bin/fcgi_proc"
	fi
	case $VIA in
	lighttpd-*)
		printf 'alice:secret\nbob:secret\nalice,carol:secret\n' >"$T/users"
		AUTH_USERFILE=$T/users "$TESTS/tools/lighttpd-conf" "$T" "$port" \
		    "$LOCKDIR" "$RUN_FCGI${FCGI_BIN:-$BIN}${OPTS:+ $OPTS}" \
		    "$T/www/cgi-bin" \
		    "$T/www"
		lighttpd -D -f "$T/lighttpd.conf" 2>>"$T/server.err" &
		;;
	nginx-*)
		printf 'alice:{PLAIN}secret\nbob:{PLAIN}secret\nalice,carol:{PLAIN}secret\n' \
		    >"$T/htpasswd"
		AUTH_USERFILE=$T/htpasswd "$TESTS/tools/nginx-conf" "$T" "$port" \
		    "$LOCKDIR" "$T/www/cgi-bin" "$T/www"
		PROCMON_DIR=$LOCKDIR spawn-fcgi -n -M 0666 \
		    -s "$T/fcgi_proc.sock" -- $RUN_FCGI${FCGI_BIN:-$BIN} $OPTS \
		    >/dev/null 2>>"$T/server.err" &
		SPAWNED=$!
		spawn-fcgi -n -M 0666 -s "$T/fcgiwrap.sock" -- \
		    "$(command -v fcgiwrap)" -f >/dev/null 2>>"$T/server.err" &
		SPAWNED="$SPAWNED $!"
		nginx -c "$T/nginx.conf" -g 'daemon off;' 2>>"$T/server.err" &
		;;
	busybox)
		# busybox httpd hands its own environment on to CGI programs.
		PROCMON_DIR=$LOCKDIR busybox httpd -f -p "127.0.0.1:$port" \
		    -h "$T/www" 2>>"$T/server.err" &
		;;
	uhttpd)
		# OpenWrt's server, built from its source; its own basic auth
		# (a -c file) guards a second name of the program, for the
		# tests that send a user: unlike lighttpd's, it lets no
		# anonymous request through a guarded path.
		local uhttpd
		uhttpd=$("$TESTS/tools/build-uhttpd") || {
			[ "${uhttpd#skipped: }" != "$uhttpd" ] &&
			    { echo "$uhttpd"; exit 0; }
			echo "uhttpd did not build" >&2; exit 1; }
		cp -P "$T/www/cgi-bin/fcgi_proc" "$T/www/cgi-bin/fcgi_proc-auth"
		printf '/cgi-bin/fcgi_proc-auth:%s:secret\n' alice bob \
		    'alice,carol' >"$T/uhttpd.conf"
		"$uhttpd" -f -p "127.0.0.1:$port" -h "$T/www" -x /cgi-bin \
		    -c "$T/uhttpd.conf" 2>>"$T/server.err" &
		URL_AUTH=$BASE/cgi-bin/fcgi_proc-auth
		;;
	*)	echo "unknown VIA=$VIA" >&2; exit 2 ;;
	esac
	SERVER_PID=$!
	wait_port "$port"
	case $VIA in
	*-fastcgi) URL=$BASE/procs ;;
	*) URL=$BASE/cgi-bin/fcgi_proc ;;
	esac
}

# stop_server: lighttpd stops its FastCGI responder with SIGTERM; wait for
# that too (under valgrind, the leak check takes a moment).
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	local children c
	children="$(pgrep -P "$SERVER_PID") $SPAWNED"
	kill "$SERVER_PID" $SPAWNED 2>/dev/null
	wait "$SERVER_PID" $SPAWNED 2>/dev/null
	for c in $children; do gone "$c" 10; done
	SERVER_PID= SPAWNED= URL_AUTH=
}

cleanup() {
	stop_server
	stop_supervisor
	[ -n "${CLEANUP_EXTRA:-}" ] && eval "$CLEANUP_EXTRA"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# lockfile ARGS...: tests/lockfile.c, built as BIN was: it knows the
# header's layout on that machine.
lockfile() { $EMU "$TOOLS/lockfile" "$@"; }

# lock_field NAME N: field N of `lockfile show` (1 pid, 2 terminate,
# 3 runcount, 4 starttime, 5 lock holder) for procmon.NAME.
lock_field() {
	lockfile show "$LOCKDIR/procmon.$1" | cut -d' ' -f"$2"
}

# request METHOD QUERY [BODY [CONTENT_TYPE [CONTENT_LENGTH]]]
# One request, by VIA; leaves $status, $T/headers and $T/body.
request() {
	if [ "$VIA" = cgi ]; then cgi "$@"; else http "$@"; fi
}

# via_cgi: true when requests go straight to the program.  Some requests
# (a lying Content-Length, a lowercase method) cannot cross a web server.
via_cgi() { [ "$VIA" = cgi ]; }

# http METHOD QUERY [BODY [CONTENT_TYPE]]: the same request, through URL.
http() {
	local args=(-g -s --max-time 10 -o "$T/body" -D "$T/headers"
	    -w '%{http_code}')
	case $1 in
	GET) ;;
	HEAD) args=(-g -s --max-time 10 -o /dev/null -D "$T/headers" --head
	    -w '%{http_code}') ;;	# --head writes headers as the body
	*) args+=(-X "$1") ;;
	esac
	[ "$1" = POST ] && args+=(--data-binary "${3-}"
	    -H "Content-Type: ${4-application/x-www-form-urlencoded}")
	for _h in "${HEADERS[@]}"; do args+=(-H "$_h"); done
	local url=$URL
	[ -n "$USER_NAME" ] && args+=(-u "$USER_NAME:secret") &&
	    url=${URL_AUTH:-$URL}
	: >"$T/body"
	status=$(curl "${args[@]}" "$url${2:+?$2}")
	[ "$status" != 000 ] || not_ok "no answer to $1 ?$2"
}

# cgi METHOD QUERY [BODY [CONTENT_TYPE [CONTENT_LENGTH]]]
# Runs BIN with a clean CGI environment, the body on stdin.  Leaves the
# status in $status, headers in $T/headers and the body in $T/body.
cgi() {
	local _body=${3-} _h _env=()
	# Request headers reach a CGI program as HTTP_* variables (RFC 3875).
	for _h in "Host: $HOST" "${HEADERS[@]}"; do
		_n=${_h%%:*} _n=${_n^^}
		_env+=("HTTP_${_n//-/_}=${_h#*: }")
	done
	[ -n "$USER_NAME" ] && _env+=("REMOTE_USER=$USER_NAME")
	printf '%s' "$_body" | env -i PATH="$PATH" REMOTE_ADDR=127.0.0.1 \
	    "${_env[@]}" "${EXTRA_ENV[@]}" \
	    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    REQUEST_METHOD="$1" QUERY_STRING="$2" \
	    CONTENT_TYPE="${4-application/x-www-form-urlencoded}" \
	    CONTENT_LENGTH="${5-${#_body}}" \
	    PROCMON_DIR="$LOCKDIR" timeout 60 ${RUN:-} $EMU "$BIN" $OPTS \
	    >"$T/out" 2>"$T/err"
	_rc=$?
	# A crash, a sanitizer report or a valgrind error fails the test run.
	[ $_rc = 0 ] || not_ok "exit status $_rc for $1 ?$(printf %.60s "$2"): $(head -c 300 "$T/err")"
	split_response "$T/out"
}

# split_response FILE: CGI response into $status, $T/headers, $T/body.
split_response() {
	sed -n '1,/^\r$/p' "$1" >"$T/headers"
	sed '1,/^\r$/d' "$1" >"$T/body"
	status=$(sed -n 's/^Status: \([0-9]*\) .*/\1/p' "$T/headers")
}

status_is() { [ "$status" = "$1" ]; }
header_is() { grep -qix "$1"$'\r' "$T/headers"; }
# json_is [JQ OPTIONS] FILTER: the body passes FILTER ($names: NAMES).
json_is()   { jq -e --argjson names "$NAMES" "$@" "$T/body" >/dev/null 2>&1; }
# snapshot: the stop flag and run count of every lockfile, to show that a
# refused request changed nothing.
snapshot() {
	local f
	for f in "$LOCKDIR"/procmon.*; do
		[ -f "$f" ] && echo "${f##*/} $(lockfile show "$f" | cut -d' ' -f2,3)"
	done
}

# valid_json: the body parses with Python's strict RFC 8259 parser.
valid_json() {
	/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
	    "$T/body" 2>/dev/null
}
# body_has TEXT...: the body holds each TEXT (fixed strings).
body_has() {
	local t
	for t in "$@"; do grep -qF -- "$t" "$T/body" || return 1; done
}
# listed: how many processes the list in the body holds.
listed() { grep -o '{"name": ' "$T/body" | wc -l; }

# expect_error STATUS DESCRIPTION_PART METHOD QUERY [BODY [TYPE [LENGTH]]]
# One test: the answer is STATUS with the error object naming the cause.
expect_error() {
	_s=$1 _d=$2; shift 2
	cgi "$@"
	_what="$1 ?$(printf %.60s "$2")${3:+ body '$(printf %.60s "$3")'}${4:+ ($4)}${5:+ length '$5'} -> $_s $_d"
	if status_is "$_s" && jq -e --arg d "$_d" --argjson s "$_s" \
	    'keys == ["description", "status"] and .status == $s and
	    (.description | contains($d))' "$T/body" >/dev/null 2>&1; then
		ok "$_what"
	else
		not_ok "$_what (got $status: $(head -c 200 "$T/body"))"
	fi
}

# masked METHOD URL [BODY]: the whole answer, headers and body, with what
# differs from one run to the next (date, server, pids, ages, figures)
# masked: for comparing ways of serving one request.
masked() {
	curl -s -D - -o "$T/b" -X "$1" ${3:+--data-binary "$3"} "$2" |
	    grep -iv '^\(date\|server\):'
	sed -E 's/"(pid|killed|age|since_epoch|rss_bytes|threads)": [0-9]+/"\1": N/g
	    s/"cpu_seconds": [0-9.]+/"cpu_seconds": N/g
	    s/"since": "[^"]*"/"since": T/g' "$T/b"
}

# hangups PORT PATH: 50 clients that hang up as soon as a long answer
# starts (2,000 lockfiles listed, some 250 KB), leaving the responder
# writing into closed connections; hammer.py's word in $hangups.
hangups() {
	local i rc
	for i in $(seq 2000); do
		lockfile make "$LOCKDIR/procmon.big$i" 0 0xdeadbeef 1 0 \
		    "a command line of some length, to make the answer long"
	done
	hangups=$(/usr/bin/python3 "$TESTS/tools/hammer.py" hangup "$1" "$2" 50)
	rc=$?
	rm -f "$LOCKDIR"/procmon.big*
	return $rc
}

# state_of NAME: "running"/"stopped" as listed, "" when not listed.  (Read
# from the list's own layout, without jq: tests/check needs no package.)
state_of() {
	request GET list
	awk -v name="{\"name\": \"$1\"," '{
		at = index($0, name)
		if (at == 0)
			exit
		rest = substr($0, at + length(name))
		s = index(rest, "\"state\": \"")
		rest = substr(rest, s + 10)
		print substr(rest, 1, index(rest, "\"") - 1)
	}' "$T/body"
}

# state_is PID STATE: PID's state is STATE (proc(5): S, T, Z...).
state_is() { [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = "$2" ]; }
# alive PID: true while PID lives (a zombie does not).
alive() {
	local s
	s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$s" ] && [ "$s" != Z ]
}

# gone PID [SECONDS]: true once PID has died (a zombie counts), within
# SECONDS (10 by default).
dead() { ! alive "$1"; }
gone() { poll "${2:-10}" dead "$1"; }

# poll SECONDS COMMAND...: true once COMMAND succeeds, tried every 0.1 s;
# SECONDS only bounds a wait for what must happen, never measures it.
poll() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# make_stubborn: $T/stubborn, a process that ignores SIGTERM and appends
# "term" to $T/term when it gets one, and creates $T/ready once its trap
# is set: a restart with a grace then keeps its responder busy for the
# whole grace.
make_stubborn() {
	printf '#!/bin/sh\nexec 2>/dev/null\ntrap "echo term >>%s/term" TERM\n: >%s/ready\nwhile :; do sleep 1; done\n' \
	    "$T" "$T" >"$T/stubborn"
	chmod 755 "$T/stubborn"
}

# wait_state NAME STATE: up to 5 s for procmon's restart to be seen.
wait_state() {
	for _ in $(seq 100); do
		[ "$(state_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
