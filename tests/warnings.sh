#!/usr/bin/env bash
# Every build without a single warning, with the Makefile's warning flags
# (-Wall -Wextra -Wpedantic and more) made errors, from a clean directory
# each time: both flavours under gcc and clang, and for each router
# target (Debian's cross compilers, clang --target, static musl) the
# program and its test programs.
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
echo "$passed passed, $failed failed"
