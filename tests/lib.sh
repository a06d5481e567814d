# Shared by the end-to-end tests: counters, a supervised demo set, and a
# way to run fcgi_proc exactly as a CGI web server would (RFC 3875).
#
# The caller sets BIN (the fcgi_proc to test), TOOLS (where pmsup and
# lockfile were built) and, optionally, RUN (a wrapper such as valgrind).

export LC_ALL=C
BIN=$(realpath "$BIN") TOOLS=$(realpath "$TOOLS")
passed=0 failed=0

ok()     { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $*"; }

# check DESCRIPTION COMMAND...: one test, passed when COMMAND succeeds.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

summary() { echo "$passed passed, $failed failed"; }

T=$(mktemp -d /tmp/fcgi_proc-test.XXXXXX)
chmod 755 "$T"		# reachable by the unprivileged user of some tests
LOCKDIR=$T/locks
mkdir -m 755 "$LOCKDIR"
SUP_PID=

# With PROCMON=path/to/procmon the suite drives a real procmon instead of
# pmsup.  procmon's directory is always /tmp, and it lists procmon1 and
# procmon2 beside the test's processes; no other procmon may run then.
[ -n "${PROCMON:-}" ] && LOCKDIR=/tmp

# start_supervisor NAME=COMMAND...: the supervisor on LOCKDIR, ready when
# it returns.  NAMES becomes the JSON array of the names it lists.
start_supervisor() {
	local names="procmon1" a
	for a in "$@"; do names="$names ${a%%=*}"; done
	if [ -n "${PROCMON:-}" ]; then
		names="$names procmon2"
		for a in "$@"; do
			printf '{"id": "%s", "exec": "%s", "monitored": true}\n' \
			    "${a%%=*}" "${a#*=}"
		done | jq -s '{processes: .}' >"$T/procmon.json"
		"$PROCMON" -f "$T/procmon.json" &
	else
		"$TOOLS/pmsup" -d "$LOCKDIR" -i 100 -s procmon1 "$@" &
	fi
	SUP_PID=$!
	NAMES=$(printf '%s\n' $names | jq -R . | jq -sc 'sort')
	SUP_NAMES=$names
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
	for a in $SUP_NAMES; do
		[ -f "$LOCKDIR/procmon.$a" ] &&
		    [ "$(lock_field "$a" 5)" != 0 ] || return 1
	done
}

stop_supervisor() {
	[ -n "$SUP_PID" ] || return 0
	if [ -n "${PROCMON:-}" ]; then
		# procmon1 and procmon2 restart each other: both at once.
		kill -9 $(for a in $SUP_NAMES; do lock_field "$a" 5; done) \
		    2>/dev/null
		for a in $SUP_NAMES; do rm -f "$LOCKDIR/procmon.$a"; done
	else
		kill "$SUP_PID" 2>/dev/null
	fi
	wait "$SUP_PID" 2>/dev/null
	SUP_PID=
}

cleanup() {
	stop_supervisor
	[ -n "${CLEANUP_EXTRA:-}" ] && eval "$CLEANUP_EXTRA"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# lock_field NAME N: field N of `lockfile show` (1 pid, 2 terminate,
# 3 runcount, 4 starttime, 5 lock holder) for procmon.NAME.
lock_field() {
	"$TOOLS/lockfile" show "$LOCKDIR/procmon.$1" | cut -d' ' -f"$2"
}

# cgi METHOD QUERY [BODY [CONTENT_TYPE [CONTENT_LENGTH]]]
# Runs BIN with a clean CGI environment, the body on stdin.  Leaves the
# status in $status, headers in $T/headers and the body in $T/body.
cgi() {
	_body=${3-}
	printf '%s' "$_body" | env -i PATH="$PATH" \
	    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    REQUEST_METHOD="$1" QUERY_STRING="$2" \
	    CONTENT_TYPE="${4-application/x-www-form-urlencoded}" \
	    CONTENT_LENGTH="${5-${#_body}}" \
	    PROCMON_DIR="$LOCKDIR" ${RUN:-} "$BIN" >"$T/out" 2>"$T/err"
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
json_is()   { jq -e --argjson names "$NAMES" "$1" "$T/body" >/dev/null 2>&1; }
body_is()   { [ "$(cat "$T/body")" = "$1" ]; }

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

# state_of NAME: "running"/"stopped" as listed, "" when not listed.
state_of() {
	cgi GET list
	jq -r --arg n "$1" '.[] | select(.name == $n) | .state' "$T/body"
}

# gone PID: true once PID has died (a zombie counts), within 2 s.
gone() {
	for _ in $(seq 40); do
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# wait_state NAME STATE: up to 5 s for procmon's restart to be seen.
wait_state() {
	for _ in $(seq 100); do
		[ "$(state_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
