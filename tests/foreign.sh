#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An fcgi_proc beside a procmon of another build's header layout: a
# 64-bit time_t (musl, as OpenWrt has it) against a 32-bit one (glibc),
# or the reverse.  TOOLS is the other build's (its supervisor writes the
# lockfiles, its lockfile tool forges them), BIN this one; EMU runs both
# (qemu-user with the other build's C library: a static build needs
# none).  Every entry must be read right, said to be of another layout,
# and never written.
#
#   TOOLS=other build BIN=this build EMU=... tests/foreign.sh
set -u
. "$(dirname "$0")/lib.sh"

start_supervisor sleep1='sleep 3600'
now=$(date +%s)
# A command line shorter than the difference between the headers.
lockfile make "$LOCKDIR/procmon.short" 0 0xdeadbeef 1 "$now" true
sums() { md5sum "$LOCKDIR"/procmon.* | sort; }

OPTS=-v
request GET list
check "the list is 200, every entry in it" \
    json_is 'map(.name) == ($names + ["short"] | sort)'
check "sleep1: its command line and start time, as the other build wrote them" \
    json_is ".[] | select(.name == \"sleep1\") | .exec == \"sleep 3600\" and
    .since_epoch == $(lock_field sleep1 4) and .runcount == 1 and .state == \"running\""
check "... and a problem that names both builds and the cure" json_is \
    '.[] | select(.name == "sleep1") | .problem |
    test("written by a procmon built .*, and this fcgi_proc is built .*: read so, never written; build fcgi_proc with procmon.s toolchain and flags")'
check "an entry with a short command line is listed, not lost" \
    json_is '.[] | select(.name == "short") | .exec == "true" and .state == "stopped"'
check "-v counts the headers of another layout" \
    grep -q '^fcgi_proc: 200 GET "list" (4 lockfile headers not laid out as this build reads them)$' "$T/err"
OPTS=
request GET metrics
check "the metrics say so: header_ok 0 for each" eval \
    '[ "$(grep -c "^procmon_process_header_ok{name=\"[a-z0-9]*\"} 0$" "$T/body")" = 4 ]'
before=$(sums)
old=$(lock_field sleep1 5)
for q in stop=sleep1 restart=sleep1 start=short stop=short; do
	expect_error 409 "never written" GET "$q"
done
check "no action changed a byte of any lockfile" eval '[ "$(sums)" = "$before" ]'
check "... and sleep1 still runs, its holder the same" \
    eval '[ "$(lock_field sleep1 5)" = "$old" ] && kill -0 "$old"'

summary
