#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The dashboard, built into fcgi_proc and served at the API's own URL, in
# a real browser (Debian's Chromium, driven by playwright-core from npm):
# in full through lighttpd (the FastCGI build at /procs), then loaded and
# used through nginx (/procs), busybox httpd and uhttpd
# (/cgi-bin/fcgi_proc).  Then the attacks a web page can make on it, with
# the router on plain HTTP under a LAN name (router.test, mapped to
# 127.0.0.1 inside the browser): an <img>, a form, DNS rebinding,
# framing.  Saves a screenshot as tests/build/dashboard.png.
#
#   BIN=plain build FCGI_BIN=FastCGI build TOOLS=dir/of/pmsup tests/browser.sh
set -u
OPTS="-H router.test -v"
. "$(dirname "$0")/lib.sh"

# playwright-core needs Node.js 20, newer than Debian 12's 18: not in
# tests/packages, so a machine without it skips, saying so.
command -v node >/dev/null && command -v npm >/dev/null ||
    { echo "skipped: needs Node.js 20 and npm (for playwright-core)"; exit 0; }
[ "$(node -p 'process.versions.node.split(".")[0] >= 20')" = true ] ||
    { echo "skipped: needs Node.js 20, not $(node --version) (for playwright-core)"; exit 0; }
if [ ! -d "$TESTS/browser/node_modules/playwright-core" ]; then
	(cd "$TESTS/browser" && npm ci --no-audit --no-fund >/dev/null) ||
	    { not_ok "npm ci in tests/browser"; summary; exit 1; }
fi
now=$(date +%s)
# dashboard [QUICK]: the page's own test, through the server VIA names.
dashboard() {
	local api
	start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
	lockfile make "$LOCKDIR/procmon.xss" 0 0xdeadbeef 1 "$now" \
	    'sleep 9 <img src=x onerror=alert(1)>'
	lockfile make "$LOCKDIR/procmon.<b>bold" 0 0xdeadbeef 1 "$now" x
	lockfile make "$LOCKDIR/procmon.vanish" 0 0xdeadbeef 1 "$now" x
	lockfile make "$LOCKDIR/procmon.caf$(printf '\351')" 0 0 1 "$now" x
	printf '\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245\245x' \
	    >"$LOCKDIR/procmon.garbled"
	chmod 600 "$LOCKDIR/procmon.garbled"
	start_server
	# (The dashboard's test ends by killing the supervisor; one that
	# fails before must not leave the suite waiting for it.)
	{
		node "$TESTS/browser/dashboard.mjs" "$URL" "$LOCKDIR" \
		    "$TOOLS/lockfile" "$TESTS/build/dashboard.png" "$SUP_PID" \
		    "${1:-}" >>"$T/browser.out" 2>&1
		kill "$SUP_PID"
		wait "$SUP_PID"
	} 2>/dev/null
	stop_server
	stop_supervisor
	rm -f "$LOCKDIR"/procmon.*
}
mkdir -p "$TESTS/build"
: >"$T/browser.out"
VIA=lighttpd-fastcgi dashboard
# An action is answered at once, the page then asking ?status: no POST of
# the page's holds a responder with wait=.
check "the page sends no wait= with an action" eval \
    'grep -q "fcgi_proc: 200 POST \"\" \"stop=sleep1\"" "$T/error.log" &&
    ! grep -q "fcgi_proc: [0-9]* POST .*wait=" "$T/error.log"'
VIA=nginx-fastcgi dashboard quick
VIA=busybox dashboard quick
# (Where uhttpd cannot be built, only its part is skipped.)
uhttpd=$("$TESTS/tools/build-uhttpd")
case $? in
0)	VIA=uhttpd dashboard quick ;;
3)	echo "# skip - the dashboard through uhttpd: ${uhttpd#skipped: }" ;;
*)	not_ok "uhttpd did not build" ;;
esac

VIA=lighttpd-fastcgi
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
start_server
mkdir -p "$T/www/attack"
# The API through a wrapper that drops the headers forbidding framing, as
# a careless proxy would.
printf '#!/bin/sh\n%s -H router.test | grep -v "^X-Frame-Options:\\|^Content-Security-Policy:"\n' \
    "$BIN" >"$T/www/cgi-bin/bare"
chmod 755 "$T/www/cgi-bin/bare"
port=${BASE##*:}
router=http://router.test:$port
# The attacker's pages, on another site.
printf '<img src="%s/procs?stop=sleep1"><img src="%s/cgi-bin/fcgi_proc?restart=sleep2">\n' \
    "$router" "$router" >"$T/www/attack/img.html"
printf '<img src="http://[::ffff:127.0.0.1]:%s/procs?stop=sleep1">\n' \
    "$port" >"$T/www/attack/img-mapped.html"
printf '<form id="f" method="post" action="%s/procs"><input name="stop" value="sleep1"></form><script>document.getElementById("f").submit()</script>\n' \
    "$router" >"$T/www/attack/form.html"
printf '<iframe src="%s/procs" width="900" height="400" style="opacity:0.01"></iframe>\n' \
    "$router" >"$T/www/attack/frame.html"
printf '<iframe src="%s/cgi-bin/bare" width="900" height="400" style="opacity:0.01"></iframe>\n' \
    "$router" >"$T/www/attack/frame-bare.html"
printf '<p>nothing here\n' >"$T/www/attack/blank.html"
node "$TESTS/browser/attacks.mjs" "$port" /procs /cgi-bin/bare "$LOCKDIR" \
    "$TOOLS/lockfile" >>"$T/browser.out" 2>&1
cat "$T/browser.out"
check "both <img>s' GETs to /procs (the router's name, [::ffff:127.0.0.1]) reached fcgi_proc, plain as curl's, and got 405" \
    eval '[ "$(grep -c "fcgi_proc: 405 GET \"stop=sleep1\"\$" "$T/error.log")" = 2 ]'
passed=$((passed + $(grep -c '^ok - ' "$T/browser.out")))
failed=$((failed + $(grep -c '^FAIL - ' "$T/browser.out")))
grep -q '^ok - \|^FAIL - ' "$T/browser.out" || not_ok "the browser test said nothing"
check "the page is one small file: under 16 KiB" \
    [ "$(stat -c %s "$TESTS/../www/index.html")" -lt 16384 ]
check "the page inserts nothing as markup" \
    eval '! grep -q "innerHTML\|outerHTML\|insertAdjacentHTML\|document.write" "$TESTS/../www/index.html"'
check "and loads nothing from elsewhere" \
    eval '! grep -qi "src=\|href=\|@import\|url(" "$TESTS/../www/index.html"'
summary
