#!/usr/bin/env bash
# The dashboard, www/index.html, in a real browser (Debian's Chromium,
# driven by playwright-core from npm), against lighttpd + the FastCGI
# build + the test supervisor, laid out as the demo: / is the page,
# /procs the API.  Then the attacks a web page can make on it, with the
# router on plain HTTP under a LAN name (router.test, mapped to
# 127.0.0.1 inside the browser): an <img>, a form, DNS rebinding,
# framing.  Saves a screenshot as tests/build/dashboard.png.
#
#   BIN=FastCGI build TOOLS=dir/of/pmsup tests/browser.sh
set -u
VIA=lighttpd-fastcgi
OPTS="-H router.test -v"
. "$(dirname "$0")/lib.sh"

if [ ! -d "$TESTS/browser/node_modules/playwright-core" ]; then
	(cd "$TESTS/browser" && npm ci --no-audit --no-fund >/dev/null) ||
	    { not_ok "npm ci in tests/browser"; summary; exit 1; }
fi
start_supervisor sleep1='sleep 3600' sleep2='sleep 7200'
now=$(date +%s)
lockfile make "$LOCKDIR/procmon.xss" 0 0xdeadbeef 1 "$now" \
    'sleep 9 <img src=x onerror=alert(1)>'
lockfile make "$LOCKDIR/procmon.<b>bold" 0 0xdeadbeef 1 "$now" x
lockfile make "$LOCKDIR/procmon.vanish" 0 0xdeadbeef 1 "$now" x
start_server
mkdir -p "$T/www/bare" "$T/www/attack"
cp "$TESTS/../www/index.html" "$T/www/index.html"
sed 's|^const API = "procs";|const API = "/procs";|' "$TESTS/../www/index.html" \
    >"$T/www/bare/index.html"
port=${BASE##*:}
router=http://router.test:$port
# The attacker's pages, on another site.
printf '<img src="%s/procs?stop=sleep1"><img src="%s/cgi-bin/fcgi_proc?restart=sleep2">\n' \
    "$router" "$router" >"$T/www/attack/img.html"
printf '<img src="http://[::ffff:127.0.0.1]:%s/procs?stop=sleep1">\n' \
    "$port" >"$T/www/attack/img-mapped.html"
printf '<form id="f" method="post" action="%s/procs"><input name="stop" value="sleep1"></form><script>document.getElementById("f").submit()</script>\n' \
    "$router" >"$T/www/attack/form.html"
printf '<iframe src="%s/" width="900" height="400" style="opacity:0.01"></iframe>\n' \
    "$router" >"$T/www/attack/frame.html"
printf '<iframe src="%s/bare/" width="900" height="400" style="opacity:0.01"></iframe>\n' \
    "$router" >"$T/www/attack/frame-bare.html"

mkdir -p "$TESTS/build"
node "$TESTS/browser/attacks.mjs" "$port" "$LOCKDIR" "$TOOLS/lockfile" \
    >"$T/browser.out" 2>&1
# (The dashboard's test ends by killing the supervisor; one that fails
# before must not leave the suite waiting for it.)
{
	node "$TESTS/browser/dashboard.mjs" "$BASE/" "$LOCKDIR" \
	    "$TOOLS/lockfile" "$TESTS/build/dashboard.png" "$SUP_PID" \
	    >>"$T/browser.out" 2>&1
	kill "$SUP_PID"
	wait "$SUP_PID"
} 2>/dev/null
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
