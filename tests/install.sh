#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make install and make uninstall, into a scratch DESTDIR: the FastCGI
# build where libfcgi is installed, stripped, its man page, the systemd
# units naming where the program went, the alert rules and the docs; and
# one version everywhere it is told (the program, CHANGELOG.md, the
# metrics).
#
#   tests/install.sh
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
ok()     { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $*"; }
check()  { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
root=$dir/root
check "make install PREFIX=/usr DESTDIR=...: no error" \
    make -s O="$dir/build" PREFIX=/usr DESTDIR="$root" install
bin=$root/usr/bin/fcgi_proc
check "the program, executable, stripped" eval \
    '[ -x "$bin" ] && file "$bin" | grep -q ", stripped"'
if printf '#include <fcgi_stdio.h>\n' | cc -E - >/dev/null 2>&1; then
	check "... the FastCGI build, libfcgi being installed" \
	    eval 'ldd "$bin" | grep -q libfcgi'
fi
check "... which answers as CGI too" eval \
    'QUERY_STRING=list PROCMON_DIR="$dir" "$bin" -b | grep -qx "\[\]"'
check "the man page" cmp -s fcgi_proc.8 "$root/usr/share/man/man8/fcgi_proc.8"
check "the alert rules" \
    cmp -s prometheus/alerts.yml "$root/usr/share/fcgi_proc/alerts.yml"
check "the docs: README, CHANGELOG, LICENSE, SECURITY" eval \
    'for f in README.md CHANGELOG.md LICENSE SECURITY.md; do
	cmp -s "$f" "$root/usr/share/doc/fcgi_proc/$f" || exit 1; done'
check "the systemd units, the service naming the installed program" eval \
    'cmp -s docs/systemd/fcgi_proc.socket "$root/usr/lib/systemd/system/fcgi_proc.socket" &&
    grep -qx "ExecStart=/usr/bin/fcgi_proc -F 4 -P -a admin" "$root/usr/lib/systemd/system/fcgi_proc.service"'
version=$("$bin" -V)
check "one version: -V ($version) is CHANGELOG.md's latest" eval \
    '[ "${version#fcgi_proc }" = "$(sed -n "s/^## \([0-9.]*\) .*/\1/p" CHANGELOG.md | head -1)" ]'
check "... and the man page's" \
    grep -qx ".Os fcgi_proc ${version#fcgi_proc }" fcgi_proc.8
check "... and the metrics' build_info" eval \
    'QUERY_STRING=metrics PROCMON_DIR="$dir" "$bin" -b |
    grep -q "^fcgi_proc_build_info{version=\"${version#fcgi_proc }\","'
check "make uninstall: every file gone" eval \
    'make -s O="$dir/build" PREFIX=/usr DESTDIR="$root" uninstall &&
    [ -z "$(find "$root" -type f)" ]'
# The man page's EXAMPLES show the README's configurations, which
# tests/readme.sh runs as printed: line for line, so they cannot drift.
missing=$(awk '/^\.Sh / { examples = $2 == "EXAMPLES" }
	examples && /^\.Bd -literal/ { inside = 1; blocks++; next }
	/^\.Ed/ { inside = 0 }
	inside && blocks > 1 { gsub(/\\e/, "\\"); print }' fcgi_proc.8 |
    while IFS= read -r line; do
	grep -qxF -- "$line" README.md docs/systemd/fcgi_proc.service ||
	    echo "$line"
    done)
check "the man page's configurations are the README's, line for line" \
    [ -z "$missing" ]
[ -z "$missing" ] || echo "# not in the README: $missing"

# The README's own commands, in a clone: whatever they build stays out of
# what git tracks, so nothing built is ever committed by mistake.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git clone -q . "$dir/src"
	check "make and make install in a clone: git sees no change" eval \
	    '(cd "$dir/src" && make -s >/dev/null &&
	    make -s DESTDIR="$dir/root2" install >/dev/null &&
	    [ -z "$(git status --porcelain)" ])'
else
	echo "# skip - make in a clone: not a git work tree"
fi
echo "$passed passed, $failed failed"
