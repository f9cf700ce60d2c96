#!/usr/bin/env bash
# test_member_clock.sh - clock steps on one router change nothing in the group.
#
# 3 routers (r1 r2 r3, equal priority: r3 is AVG), 3 forwarders, one each.
# r1's xglbd runs under libfaketime (its clocks read through a file it
# re-reads at every call):
#   1. started with its wall clock 5 h behind, then stepped to 7 h ahead
#      while it runs: hellos keep flowing and nothing changes (views, and
#      r1's count of AVG and owner changes), and r1's xglbd does not
#      spin (its CPU time over those 3 s, from /proc/PID/stat, under 20 % of
#      a core: an absolute deadline read through the faked clock would make
#      a wait return at once, again and again);
#   2. started with CLOCK_MONOTONIC faked too, which then jumps 3 s forward
#      (to r1 alone, as if it had stalled): r1 declares no peer dead, so
#      nothing changes, and it counts the gap (xglb_membership_gaps_total).
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=100
HOLD=1000

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools jq faketime
FAKETIME_LIB=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$')
[ -n "$FAKETIME_LIB" ] || bail "libfaketime.so.1 of the faketime package found"

views() { local r; for r in "${ROUTERS[@]}"; do lab_view "$r"; done | paste -sd' '; }
tx_ok() { lab_jst "$1" '.membership.tx_ok'; }
gaps() { lab_jst "$1" '.groups[0].events.gaps'; }
changes() { lab_jst "$1" '.groups[0].events | "\(.avg_changes) AVG and \(.owner_changes) owner changes"'; }

_above() { [ "$("$1" "$2")" -gt "$3" ] 2>/dev/null; } # getter router n
# CPU time (user + system, all threads) of a process in clock ticks: fields 14
# and 15 of /proc/PID/stat, counted after the ")" that ends its name.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# cpu_mark PID, then cpu_pct: percent of one core PID used since the mark.
cpu_mark() { CPU0=$(cpu_ticks "$1") CPU_T0=$(date +%s%N); }
cpu_pct() {
	local b ms
	b=$(cpu_ticks "$1") || return 1
	ms=$((($(date +%s%N) - CPU_T0) / 1000000))
	echo $(((b - CPU0) * 100000 / (ms * $(getconf CLK_TCK))))
}
# Start r1's xglbd again under libfaketime: wall (the wall clock only) or mono (both clocks).
faked_start() {
	local dont=1
	[ "$1" = mono ] && dont=0
	lab_stop_xglbd r1 10
	LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$LAB_DIR/faketime FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=$dont lab_restart_xglbd r1
}
# The views for 3 s after a step: unchanged, in every sample.
steady() { # what before
	local i now changed=
	for ((i = 0; i < 15; i++)); do
		sleep 0.2
		now=$(views)
		[ "$now" = "$2" ] || changed="$now"
	done
	check_empty "$1: every router's view unchanged for 3 s (was: $2)" "$changed"
}

lab_setup "${ROUTERS[@]}" --
lab_start_all membership=1 hello_ms=$HELLO hold_ms=$HOLD || bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 10 lab_agree_owned "${ROUTERS[@]}" || bail "routers agree" "$(lab_views)"

# ---- 1. the wall clock ---------------------------------------------------------------
echo "-5h" >"$LAB_DIR/faketime"
faked_start wall || bail "r1's xglbd starts with its wall clock 5 h behind"
lab_wait 10 lab_agree_owned "${ROUTERS[@]}" || bail "routers agree with r1 5 h behind" "$(lab_views)"
check "r1's wall clock is 5 h behind" [ "$(lab_exec r1 env LD_PRELOAD="$FAKETIME_LIB" \
	FAKETIME_TIMESTAMP_FILE="$LAB_DIR/faketime" date +%s)" -lt $(($(date +%s) - 4 * 3600)) ]
before=$(views) tx=$(tx_ok r1) ch=$(changes r1)
echo "+7h" >"$LAB_DIR/faketime"
cpu_mark "$(lab_xglbd_pid r1)"
steady "wall clock of r1 stepped 12 h forward" "$before"
pct=$(cpu_pct "$(lab_xglbd_pid r1)")
check "r1 kept sending hellos (${tx} before, $(tx_ok r1) after)" _above tx_ok r1 $((tx + 40))
check_eq "r1: no AVG or owner change after the step" "$(changes r1)" "$ch"
check "r1's xglbd does not spin with its wall clock 7 h ahead (${pct:-?} % of a core over those 3 s < 20 %)" \
	[ "${pct:-100}" -lt 20 ]
lab_wait 10 lab_agree_owned "${ROUTERS[@]}"
check "agreement after the step: $(views)" lab_agree_owned "${ROUTERS[@]}"

# ---- 2. CLOCK_MONOTONIC jumps forward ---------------------------------------------------
echo "+0" >"$LAB_DIR/faketime"
faked_start mono || bail "r1's xglbd starts with CLOCK_MONOTONIC faked"
lab_wait 10 lab_agree_owned "${ROUTERS[@]}" || bail "routers agree with r1's clocks faked" "$(lab_views)"
# past r1's startup hold: no longer demoted (lab_agree_owned has waited for that too)
check "r1's startup hold is over" lab_wait 5 eval '[ "$(lab_jst r1 .groups[0].demoted)" = false ]'
before=$(views) g=$(gaps r1) ch=$(changes r1)
echo "+3" >"$LAB_DIR/faketime"
steady "CLOCK_MONOTONIC of r1 jumped 3 s forward" "$before"
check_eq "r1: no AVG or owner change after the jump" "$(changes r1)" "$ch"
check "r1 counted the gap (xglb_membership_gaps_total $g -> $(gaps r1))" _above gaps r1 "$g"

t_done
