# SPDX-License-Identifier: MIT
# What tests/run and tests/check share: running a suite, adding up its
# closing line, and the last line of all.  B is the build directory.
total_passed=0 total_failed=0 skipped=()

# tally NAME COMMAND...: runs one suite, adds up its closing line.  A
# suite that cannot run ends with "skipped: WHY" instead: not a pass, and
# a failure it met before counts all the same.  A part of a suite that
# cannot run says "# skip - WHY", and is listed with the skipped suites.
tally() {
	local name=$1 line part
	shift
	echo "== $name"
	timeout 900 "$@" 2>&1 | tee "$B/$name.log" | grep -v '^ok - '
	while IFS= read -r part; do
		skipped+=("$name, in part: ${part#\# skip - }")
	done < <(grep '^# skip - ' "$B/$name.log")
	line=$(tail -n 1 "$B/$name.log")
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		total_passed=$((total_passed + BASH_REMATCH[1]))
		total_failed=$((total_failed + BASH_REMATCH[2]))
	elif [[ $line == "skipped: "* ]]; then
		skipped+=("$name: ${line#skipped: }")
		total_failed=$((total_failed + $(grep -c '^FAIL - ' "$B/$name.log")))
	else
		echo "FAIL - $name ended without its summary line"
		total_failed=$((total_failed + 1))
	fi
}

# tally_end: the skipped suites, then the one line; the exit status.
tally_end() {
	local s
	for s in "${skipped[@]}"; do echo "skipped - $s"; done
	echo "$total_passed passed, $total_failed failed"
	[ "$total_failed" = 0 ]
}
