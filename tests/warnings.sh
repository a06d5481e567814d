#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every build without a single warning, with the Makefile's warning flags
# (-Wall -Wextra -Wpedantic and more) made errors, from a clean directory
# each time: both flavours under gcc and clang, and for each router
# target (Debian's cross compilers, clang --target, static musl) the
# program and its test programs; the man page as mandoc lints it, and
# make install.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0

# build DESCRIPTION MAKE-ARGUMENTS...: one clean build, warnings fatal.
build() {
	local what=$1 dir targets out
	shift
	dir=$(mktemp -d)
	targets="$dir/fcgi_proc"
	[[ " $* " == *" FCGI=1 "* ]] ||
	    targets="$targets $dir/unit $dir/pmsup $dir/lockfile $dir/takepid"
	if out=$(make -s O="$dir" "$@" CFLAGS="-Os -Werror" $targets 2>&1) &&
	    [ -z "$out" ]; then
		passed=$((passed + 1))
		echo "ok - $what: no warning"
	else
		failed=$((failed + 1))
		echo "FAIL - $what:"; echo "$out" | head -20
	fi
	rm -rf "$dir"
}

for cc in gcc clang; do
	for fcgi in 0 1; do
		build "$cc, FCGI=$fcgi" CC="$cc" FCGI=$fcgi
	done
done
for target in mips-linux-gnu arm-linux-gnueabihf aarch64-linux-gnu; do
	if ! command -v "$target-gcc" >/dev/null; then
		echo "# skip - $target: no $target-gcc"
		continue
	fi
	build "$target-gcc" CC="$target-gcc"
	build "clang --target=$target" CC="clang --target=$target"
done
command -v musl-gcc >/dev/null && build "musl-gcc, STATIC=1" CC=musl-gcc STATIC=1

# The man page, as mandoc checks it, and where make install puts it.
if out=$(mandoc -T lint -W warning fcgi_proc.8 2>&1) && [ -z "$out" ]; then
	passed=$((passed + 1)); echo "ok - fcgi_proc.8: mandoc -T lint is clean"
else
	failed=$((failed + 1)); echo "FAIL - fcgi_proc.8: $out"
fi
dir=$(mktemp -d)
if make -s O="$dir" DESTDIR="$dir/root" install >/dev/null 2>&1 &&
    [ -x "$dir/root/usr/local/bin/fcgi_proc" ] &&
    cmp -s fcgi_proc.8 "$dir/root/usr/local/share/man/man8/fcgi_proc.8"; then
	passed=$((passed + 1)); echo "ok - make install: the program and its man page"
else
	failed=$((failed + 1)); echo "FAIL - make install did not install both"
fi
# The systemd units the README shows, as systemd reads them.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$dir/units"
	cp docs/systemd/fcgi_proc.socket "$dir/units/"
	sed "s|/usr/local/bin/fcgi_proc|$dir/root/usr/local/bin/fcgi_proc|" \
	    docs/systemd/fcgi_proc.service >"$dir/units/fcgi_proc.service"
	if out=$(systemd-analyze verify "$dir/units/fcgi_proc.socket" \
	    "$dir/units/fcgi_proc.service" 2>&1) && [ -z "$out" ]; then
		passed=$((passed + 1)); echo "ok - docs/systemd: systemd-analyze verify is clean"
	else
		failed=$((failed + 1)); echo "FAIL - docs/systemd: $out"
	fi
else
	echo "# skip - docs/systemd: no systemd-analyze"
fi
rm -rf "$dir"
echo "$passed passed, $failed failed"
