#!/usr/bin/env bash
# Both flavours build without a single warning under gcc and clang, with
# the Makefile's warning flags (-Wall -Wextra -Wpedantic and more) made
# errors, from a clean directory each time.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
for cc in gcc clang; do
	for fcgi in 0 1; do
		dir=$(mktemp -d)
		if out=$(make -s O="$dir" CC="$cc" FCGI=$fcgi \
		    CFLAGS="-Os -Werror" "$dir/fcgi_proc" 2>&1) && [ -z "$out" ]; then
			passed=$((passed + 1))
			echo "ok - $cc, FCGI=$fcgi: no warning"
		else
			failed=$((failed + 1))
			echo "FAIL - $cc, FCGI=$fcgi:"; echo "$out" | head -20
		fi
		rm -rf "$dir"
	done
done
echo "$passed passed, $failed failed"
