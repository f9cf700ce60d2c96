#!/usr/bin/env bash
# run.sh - runs the test suites (unit, bpf, integration) and prints "N passed, N failed".
#
#   tests/run.sh                 all suites
#   tests/run.sh unit|bpf|integration [NAME...]
#
# C suites are cmocka programs in build/tests/; their "[  PASSED  ] N" and
# "[  FAILED  ] N" lines are added up. Integration tests are scripts in
# tests/integration/test_*.sh printing "ok - ..." / "not ok - ..." lines.
# V=1 streams every line; otherwise a failing program's output is shown.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
suites=("${1:-all}")
[ "${suites[0]}" = all ] && suites=(unit bpf integration)
shift || true
only=("$@")

passed=0 failed=0
failures=()

want() {
	[ ${#only[@]} -eq 0 ] && return 0
	for o in "${only[@]}"; do [[ "$1" == *"$o"* ]] && return 0; done
	return 1
}

run_one() { # name, command...
	local name=$1 out rc p f
	shift
	out=$(mktemp)
	if [ "${V:-0}" = 1 ]; then
		"$@" 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
	else
		"$@" >"$out" 2>&1
		rc=$?
	fi
	p=$(grep -aE '^\[  PASSED  \] [0-9]+ test' "$out" | awk '{s+=$4} END {print s+0}')
	f=$(grep -aE '^\[  FAILED  \] [0-9]+ test' "$out" | awk '{s+=$4} END {print s+0}')
	p=$((p + $(grep -acE '^ok - ' "$out")))
	f=$((f + $(grep -acE '^not ok - ' "$out")))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or failed before reporting
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
		[ "${V:-0}" = 1 ] || { echo "---- $name (exit $rc) ----"; tail -n 80 "$out"; }
	fi
	printf '%-6s %-40s %3d passed, %d failed\n' "$([ "$f" -eq 0 ] && echo PASS || echo FAIL)" "$name" "$p" "$f"
	rm -f "$out"
}

for s in "${suites[@]}"; do
	case $s in
	unit | bpf)
		for src in tests/$s/test_*.c; do
			[ -e "$src" ] || continue
			bin=$BUILD/tests/$(basename "$src" .c)
			want "$bin" || continue
			run_one "$s/$(basename "$bin")" "$bin"
		done
		;;
	integration)
		for t in tests/integration/test_*.sh; do
			[ -e "$t" ] || continue
			want "$t" || continue
			run_one "integration/$(basename "$t" .sh)" bash "$t"
		done
		;;
	*)
		echo "run.sh: unknown suite '$s' (unit, bpf, integration)" >&2
		exit 2
		;;
	esac
done

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
