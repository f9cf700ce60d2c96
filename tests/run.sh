#!/usr/bin/env bash
# run.sh - runs the test suites (unit, bpf, model, integration); the last line is "N passed, N failed, N skipped".
#
#   tests/run.sh                 all suites
#   tests/run.sh unit|bpf|model|integration [NAME...]
#
# The integration suite runs JUMBO_TESTS (arp_split member_failover steering
# datapath_tc; empty for none) a second time with LAB_MTU=9000, named
# integration/test_NAME@mtu9000 (select them with NAME "@mtu9000"), and
# GENERIC_TESTS (arp_split ipv6 vlan: ARP, NDP and tagged frames; ~25 s) once more
# with LAB_XDP_MODE=generic (xglb_xdp attached in generic (skb) mode, as on a
# VLAN or bond device), named integration/test_NAME@generic, and
# TC_TESTS (ipv6) a second time with LAB_DATAPATH=tc: "datapath: tc" and no
# XDP program on any port, named integration/test_NAME@tc.
#
# C suites are cmocka programs in build/tests/; their "[  PASSED  ] N" and
# "[  FAILED  ] N" lines are added up. Each program's line ends with its wall time in seconds
# (the whole suite's budget is 20 minutes). Integration tests are scripts in
# tests/integration/test_*.sh and tests/model/run.sh (a bounded spin search
# of model/xglb.pml) printing TAP-like "ok - ...", "not ok - ..."
# and "skip - REASON" lines (tests/lab/testlib.sh); a skip is a test that
# could not run here (a tool not installed). A program that exits non-zero
# without a "not ok", or that reports nothing at all, counts as one failure.
# Exit status: 0 if nothing failed (and something ran or skipped); FAIL_ON_SKIP=1 (CI)
# makes a skip fail the run too. V=1 streams every line; otherwise a
# failing program's output is shown.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
JUMBO_TESTS=${JUMBO_TESTS-arp_split member_failover steering datapath_tc}
GENERIC_TESTS=${GENERIC_TESTS-arp_split ipv6 vlan}
TC_TESTS=${TC_TESTS-ipv6}
suites=("${1:-all}")
[ "${suites[0]}" = all ] && suites=(unit bpf model integration)
shift || true
only=("$@")

passed=0 failed=0 skipped=0
failures=() skips=()

want() {
	[ ${#only[@]} -eq 0 ] && return 0
	for o in "${only[@]}"; do [[ "$1" == *"$o"* ]] && return 0; done
	return 1
}

run_one() { # name, command...
	local name=$1 out rc p f s verdict t0=$SECONDS
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
	s=$(grep -acE '^skip - ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or failed before reporting
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		f=1 # reported nothing: it did not test anything
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	verdict=PASS
	[ "$s" -gt 0 ] && verdict=SKIP && skips+=("$name")
	if [ "$f" -gt 0 ]; then
		verdict=FAIL
		failures+=("$name")
		[ "${V:-0}" = 1 ] || { echo "---- $name (exit $rc) ----"; tail -n 80 "$out"; }
	fi
	[ "$s" -gt 0 ] && [ "${V:-0}" != 1 ] && grep -aE '^skip - ' "$out" | sed "s|^|$name: |"
	printf '%-6s %-40s %3d passed, %d failed, %d skipped %5ds\n' "$verdict" "$name" "$p" "$f" "$s" \
		$((SECONDS - t0))
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
	model)
		want tests/model/run.sh && run_one "model/spin" bash tests/model/run.sh bounded
		;;
	integration)
		for t in tests/integration/test_*.sh; do
			[ -e "$t" ] || continue
			want "$t" || continue
			run_one "integration/$(basename "$t" .sh)" bash "$t"
		done
		# The core scenarios once more on a jumbo-frame lab: MTU 9000 on
		# every link, so the multi-buffer XDP programs carry real traffic.
		for n in $JUMBO_TESTS; do
			t=tests/integration/test_$n.sh
			want "$t@mtu9000" || continue
			run_one "integration/test_$n@mtu9000" env LAB_MTU=9000 bash "$t"
		done
		# The ARP, NDP and tagged-frame scenarios with xglb_xdp in generic (skb) mode.
		for n in $GENERIC_TESTS; do
			t=tests/integration/test_$n.sh
			want "$t@generic" || continue
			run_one "integration/test_$n@generic" env LAB_XDP_MODE=generic bash "$t"
		done
		# Scenarios written for XDP once more on the tc data path.
		for n in $TC_TESTS; do
			t=tests/integration/test_$n.sh
			want "$t@tc" || continue
			run_one "integration/test_$n@tc" env LAB_DATAPATH=tc bash "$t"
		done
		;;
	*)
		echo "run.sh: unknown suite '$s' (unit, bpf, model, integration)" >&2
		exit 2
		;;
	esac
done

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
[ ${#skips[@]} -gt 0 ] && echo "skipped: ${skips[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((passed + skipped)) -gt 0 ] || exit 1
[ "$skipped" -gt 0 ] && [ "${FAIL_ON_SKIP:-0}" = 1 ] && exit 1
exit 0
