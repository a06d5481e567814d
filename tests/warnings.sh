#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every build without a single warning, with the Makefile's warning flags
# (-Wall -Wextra -Wpedantic and more) made errors, from a clean directory
# each time: both flavours under gcc and clang, and for each router
# target (Debian's cross compilers, clang --target, static musl, also on
# 32-bit ARM and MIPS) the program and its test programs; and the man
# page as mandoc lints it.
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
	    targets="$targets $dir/unit $dir/requests $dir/pmsup $dir/lockfile $dir/takepid"
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
for cc in musl-gcc arm-linux-musleabihf-gcc mipsel-linux-musl-gcc; do
	if ! command -v "$cc" >/dev/null; then
		echo "# skip - $cc: not installed"
		continue
	fi
	build "$cc, STATIC=1" CC="$cc" STATIC=1
done

# The man page, as mandoc checks it.
if out=$(mandoc -T lint -W warning fcgi_proc.8 2>&1) && [ -z "$out" ]; then
	passed=$((passed + 1)); echo "ok - fcgi_proc.8: mandoc -T lint is clean"
else
	failed=$((failed + 1)); echo "FAIL - fcgi_proc.8: $out"
fi
echo "$passed passed, $failed failed"
