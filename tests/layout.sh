#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The header's layout on one target, as docs/procmon.md prints it: the
# table there must say what the compiler for that target does.
#
#   TOOLS=dir/of/lockfile [EMU=...] tests/layout.sh TARGET
set -u
cd "$(dirname "$0")/.."
got=$(${EMU:-} "$TOOLS/lockfile" layout)
if grep -qxF "| $1 | $got |" docs/procmon.md; then
	echo "ok - docs/procmon.md has $1's layout: $got"
	echo "1 passed, 0 failed"
else
	echo "FAIL - docs/procmon.md lacks \"| $1 | $got |\""
	echo "0 passed, 1 failed"
fi
