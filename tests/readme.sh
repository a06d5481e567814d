#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's blocks, run as printed (only paths, ports and the test
# supervisor's directory change): from a shell; on Debian, make install,
# the systemd socket service (its units run as systemd would: the socket
# on the responder's standard input) behind nginx and behind lighttpd,
# both running as www-data; on a router, the cross build, the wrapper and
# uhttpd's and busybox httpd's own authentication.  Through each server,
# a list is answered while a restart waits out its grace.  (The
# Prometheus block: tests/prometheus.sh.)
#
#   BIN=plain build TOOLS=dir/of/pmsup tests/readme.sh
set -u
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTS/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (servers as www-data, a mount namespace)"; exit 0; }

# block AFTER LANG: the first fenced block of LANG in the README after
# the first line that starts with AFTER.
block() {
	awk -v after="$1" -v lang="$2" '
		index($0, after) == 1 { seen = 1 }
		seen && !inside && $0 == "```" lang { inside = 1; next }
		inside && $0 == "```" { exit }
		inside { print }' "$top/README.md"
}

make_stubborn
start_supervisor sleep1='sleep 3600' stubborn="$T/stubborn"
chmod 755 "$LOCKDIR"

# --- from a shell ---------------------------------------------------------
block "From a shell" sh | sed "s|fcgi_proc -b|$BIN -b|" >"$T/shell.sh"
out=$(PROCMON_DIR=$LOCKDIR bash "$T/shell.sh" 2>&1)
check "from a shell, as printed: the names and states, and the stop done" \
    eval 'grep -qx "sleep1 running" <<<"$out" && ! grep -q "stop failed" <<<"$out" &&
    [ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
out=$(sed -n 2p "$T/shell.sh" | sed 's/stop=sleep1/stop=nosuch/' |
    PROCMON_DIR=$LOCKDIR bash 2>&1)
check "... and a stop that fails says so through the exit status" \
    grep -qx "stop failed" <<<"$out"
QUERY_STRING=start=sleep1 PROCMON_DIR=$LOCKDIR "$BIN" >/dev/null 2>&1
wait_state sleep1 running

# curl_as USER METHOD URL [BODY [HEADER]]: the status of one request.
curl_as() {
	curl -s -o "$T/body" -w '%{http_code}' --max-time 30 \
	    ${1:+-u "$1:secret"} ${4:+-d "$4"} ${5:+-H "$5"} -X "$2" "$3"
}
# grace_then_list URL USER:PASSWORD NAME [HEADER]: a restart of the process that ignores SIGTERM,
# with a grace of 8 s, and meanwhile a list, which must be answered
# first: whoever waits for it, it is not the list.  (By order, not by
# clock: the restart is still unanswered when the list is.)
grace_then_list() {
	local u=$1 cred=$2 name=$3 header=${4:-} restart list
	poll 30 test -e "$T/ready"
	rm -f "$T/term" "$T/ready"
	curl -s -o "$T/restart" --max-time 30 -u "$cred" ${header:+-H "$header"} \
	    -d "restart=stubborn&grace=8" "$u" &
	restart=$!
	poll 30 test -e "$T/term"
	list=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -u "$cred" \
	    ${header:+-H "$header"} "$u?list")
	check "$name: during a restart's grace, a list is answered ($list) first" \
	    eval '[ -e "$T/term" ] && [ "$list" = 200 ] && kill -0 $restart 2>/dev/null'
	wait "$restart"
	wait_state stubborn running
}
# checks_through URL NAME: the README's users through one server.
checks_through() {
	local u=$1 name=$2
	check "$name: no user, no answer (401)" \
	    eval '[ "$(curl_as "" GET "$u?list")" = 401 ]'
	check "$name: a user of the file lists" \
	    eval '[ "$(curl_as bob GET "$u?list")" = 200 ] && json_is "length > 0"'
	check "$name: a user who is not admin may not act (403)" \
	    eval '[ "$(curl_as bob POST "$u" stop=sleep1)" = 403 ] &&
	    [ "$(lock_field sleep1 2)" = 0 ]'
	check "$name: admin acts, by POST" \
	    eval '[ "$(curl_as admin POST "$u" "stop=sleep1&wait=5")" = 200 ] &&
	    [ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
	check "$name: ... not by GET (-P)" \
	    eval '[ "$(curl_as admin GET "$u?start=sleep1")" = 405 ]'
	curl_as admin POST "$u" "start=sleep1&wait=5" >/dev/null
	check "$name: the dashboard, at the API's URL" eval \
	    '[ "$(curl_as bob GET "$u" "" "Accept: text/html")" = 200 ] &&
	    grep -q "<title>Processes</title>" "$T/body"'
	grace_then_list "$u" admin:secret "$name"
}

# --- on Debian --------------------------------------------------------------
# make && make install, into a scratch root.
block "## On Debian" sh | grep -E '^make ' >"$T/install.sh"
sed -i "s|make install|make -s O=$T/deb DESTDIR=$T/root install|;
    s|^make &&|make -s O=$T/deb \&\&|" "$T/install.sh"
check "make && make install, as printed" \
    eval '(cd "$top" && bash "$T/install.sh") >"$T/install.log" 2>&1'
units=$T/root/usr/local/lib/systemd/system
installed=$T/root/usr/local/bin/fcgi_proc
# The socket unit's socket, as systemd makes it, on the service's
# standard input (StandardInput=socket), the service's ExecStart run.
sock=$T/run/fcgi_proc.sock
mkdir -p "$T/run"
chmod 755 "$T/run"
exec_start=$(sed -n 's/^ExecStart=//p' "$units/fcgi_proc.service")
check "the units: a socket for www-data, mode 0600; the service as root" eval \
    'grep -qx "ListenStream=/run/fcgi_proc.sock" "$units/fcgi_proc.socket" &&
    grep -qx "SocketUser=www-data" "$units/fcgi_proc.socket" &&
    grep -qx "SocketMode=0600" "$units/fcgi_proc.socket" &&
    grep -qx "User=root" "$units/fcgi_proc.service" &&
    grep -qx "StandardInput=socket" "$units/fcgi_proc.service"'
PROCMON_DIR=$LOCKDIR /usr/bin/python3 -c '
import os, pwd, socket, sys
path, user = sys.argv[1], pwd.getpwnam("www-data")
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chown(path, user.pw_uid, user.pw_gid)
os.chmod(path, 0o600)
s.listen(64)
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], sys.argv[2:])' "$sock" \
    "$installed" ${exec_start#/usr/local/bin/fcgi_proc } 2>>"$T/server.err" &
service=$!
CLEANUP_EXTRA="kill $service 2>/dev/null"
poll 30 test -S "$sock"
check "the service keeps four responders on the socket" \
    poll 30 eval '[ "$(pgrep -P $service | wc -l)" = 4 ]'

# The password file, by the README's line, for admin, bob (a user who may
# only list) and prometheus; the line asks for the password at a
# terminal.
for user in admin bob prometheus; do
	block "One line per user" sh | grep -F 'openssl passwd' |
	    sed "s|/etc/nginx/procmon.htpasswd|$T/procmon.htpasswd|; s|admin:|$user:|" \
	    >"$T/passwd.sh"
	printf 'secret\nsecret\n' | script -qec "bash $T/passwd.sh" /dev/null \
	    >/dev/null
done
chmod 644 "$T/procmon.htpasswd"
check "the password file, one line per user" \
    eval '[ "$(grep -c "^[a-z]*:.apr1." "$T/procmon.htpasswd")" = 3 ]'

# nginx as Debian runs it: master root, workers www-data.
port=$(free_port)
cp /etc/nginx/fastcgi_params "$T/fastcgi_params"
{
	printf 'user www-data;\nworker_processes 1;\npid %s/nginx.pid;\n' "$T"
	printf 'error_log %s/nginx-error.log;\nevents {}\nhttp {\n' "$T"
	printf '  access_log off;\n  client_body_temp_path %s/nginx-body;\n' "$T"
	printf '  server {\n    listen 127.0.0.1:%s;\n' "$port"
	block "## On Debian" nginx | sed -e "s|/run/fcgi_proc.sock|$sock|" \
	    -e "s|/etc/nginx/procmon.htpasswd|$T/procmon.htpasswd|"
	printf '  }\n}\n'
} >"$T/nginx.conf"
nginx -c "$T/nginx.conf" -g 'daemon off;' 2>>"$T/server.err" &
SERVER_PID=$!
wait_port "$port"
checks_through "http://127.0.0.1:$port/procs" "nginx (README)"
stop_server

# lighttpd as Debian runs it: as www-data, which opens its own log.
port=$(free_port)
install -o www-data -m 644 /dev/null "$T/lighttpd-error.log"
{
	printf 'server.bind = "127.0.0.1"\nserver.port = %s\n' "$port"
	printf 'server.document-root = "%s"\nserver.errorlog = "%s"\n' \
	    "$T" "$T/lighttpd-error.log"
	printf 'server.username = "www-data"\nserver.groupname = "www-data"\n'
	block "## On Debian" lighttpd | sed -e "s|/run/fcgi_proc.sock|$sock|" \
	    -e "s|/etc/lighttpd/procmon.htpasswd|$T/procmon.htpasswd|"
} >"$T/lighttpd.conf"
lighttpd -D -f "$T/lighttpd.conf" 2>>"$T/server.err" &
SERVER_PID=$!
wait_port "$port"
checks_through "http://127.0.0.1:$port/procs" "lighttpd (README)"
stop_server
kill "$service"
wait "$service" 2>/dev/null

# --- on a router ----------------------------------------------------------
# The cross build and its stripping, as printed, where the compiler is.
cross=$(block "## On a router" sh | grep -E '^(make|arm-linux-gnueabihf-strip) ')
if command -v arm-linux-musleabihf-gcc >/dev/null; then
	check "the router's build, as printed: static, stripped, 32-bit ARM" eval \
	    '(cd "$top" && eval "$cross") >"$T/cross.log" 2>&1 &&
	    file "$top/build/router/fcgi_proc.stripped" |
	    grep -q "ARM.*statically linked.*stripped"'
	check "... and it answers, under qemu-arm" eval \
	    'QUERY_STRING=list PROCMON_DIR=$LOCKDIR \
	    qemu-arm "$top/build/router/fcgi_proc.stripped" -b | grep -q "\"name\": \"sleep1\""'
else
	echo "# skip - the router's build: no arm-linux-musleabihf-gcc"
fi

# The wrapper and the server's password line, as printed, under uhttpd
# and busybox httpd, in a mount namespace whose /tmp is the test
# supervisor's directory (the wrapper names none: procmon's is /tmp).
# Their files, the programs too, live out of /tmp, which the namespace
# hides (a clone under /tmp included).
R=$(mktemp -d /run/fcgi_proc-router.XXXXXX)
chmod 755 "$R"
CLEANUP_EXTRA="$CLEANUP_EXTRA; rm -rf $R"
mkdir -p "$R/cgi-bin"
cp "$BIN" "$R/fcgi_proc"
block '`scp -O`' sh | sed -n '/^#!/,$p' |
    sed "s|/usr/sbin/fcgi_proc|$R/fcgi_proc|" >"$R/cgi-bin/fcgi_proc"
chmod 755 "$R/cgi-bin/fcgi_proc"
block "uhttpd authenticates" "" >"$R/httpd.conf"
check "the wrapper and the password line, as printed" eval \
    '[ "$(sed -n 2p "$R/cgi-bin/fcgi_proc")" = "exec $R/fcgi_proc -P -a admin -H router.lan" ] &&
    grep -q "^/cgi-bin/fcgi_proc:admin:" "$R/httpd.conf"'
# router_server NAME COMMAND...: the server in the namespace, on $port.
router_server() {
	local name=$1
	shift
	unshare --mount --propagation private sh -c \
	    'mount --bind "$0" /tmp && exec "$@"' "$LOCKDIR" "$@" \
	    2>>"$T/server.err" &
	SERVER_PID=$!
	wait_port "$port"
}
# router_checks URL NAME: the README's admin through a router's server.
router_checks() {
	local u=$1 name=$2 host="Host: router.lan"
	check "$name: no user, no answer (401)" \
	    eval '[ "$(curl_as "" POST "$u" stop=sleep1 "$host")" = 401 ]'
	check "$name: admin, with the password of the printed line, acts" eval \
	    '[ "$(curl -s -o "$T/body" -w "%{http_code}" -u admin:password \
	    -H "$host" -d "stop=sleep1&wait=5" "$u")" = 200 ] &&
	    [ "$(lock_field sleep1 2)" = 0xdeadbeef ]'
	check "$name: a form another site posts is refused (Origin passed on)" eval \
	    '[ "$(curl -s -o "$T/body" -w "%{http_code}" -u admin:password \
	    -H "$host" -H "Origin: http://evil.example" -d "start=sleep1" "$u")" = 403 ]'
	curl -s -o /dev/null -u admin:password -H "$host" \
	    -d "start=sleep1&wait=5" "$u"
	check "$name: the dashboard, at the API's URL" eval \
	    '[ "$(curl -s -o "$T/body" -w "%{http_code}" -u admin:password \
	    -H "$host" -H "Accept: text/html" "$u")" = 200 ] &&
	    grep -q "<title>Processes</title>" "$T/body"'
	grace_then_list "$u" admin:password "$name" "$host"
}
uhttpd=$("$TESTS/tools/build-uhttpd")
case $? in
0)	cp "$uhttpd" "$R/uhttpd"
	port=$(free_port)
	router_server uhttpd "$R/uhttpd" -f -p "127.0.0.1:$port" \
	    -h "$R" -x /cgi-bin -c "$R/httpd.conf"
	router_checks "http://127.0.0.1:$port/cgi-bin/fcgi_proc" "uhttpd (README)"
	stop_server ;;
3)	echo "# skip - uhttpd: ${uhttpd#skipped: }" ;;
*)	not_ok "uhttpd (README): uhttpd did not build" ;;
esac
port=$(free_port)
router_server busybox busybox httpd -f -p "127.0.0.1:$port" -h "$R" \
    -c "$R/httpd.conf"
router_checks "http://127.0.0.1:$port/cgi-bin/fcgi_proc" "busybox httpd (README)"
stop_server

summary
