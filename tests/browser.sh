#!/usr/bin/env bash
# The dashboard, www/index.html, in a real browser (Debian's Chromium,
# driven by playwright-core from npm), against lighttpd + the FastCGI
# build + the test supervisor, laid out as the demo: / is the page,
# /procs the API.  Saves a screenshot as tests/build/dashboard.png.
#
#   BIN=FastCGI build TOOLS=dir/of/pmsup tests/browser.sh
set -u
VIA=lighttpd-fastcgi
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
start_server
cp "$TESTS/../www/index.html" "$T/www/index.html"

mkdir -p "$TESTS/build"
node "$TESTS/browser/dashboard.mjs" "$BASE/" "$LOCKDIR" "$TOOLS/lockfile" \
    "$TESTS/build/dashboard.png" >"$T/browser.out" 2>&1
cat "$T/browser.out"
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
