#!/usr/bin/env bash
# redistribute.sh - the owner's redistribution of a removed forwarder's hosts, at scale, must not
# delay hellos (make bench). Prints "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh): routers r1 r2, hello 10 ms, hold 100 ms, 2 forwarders (r1, r2),
# persistence 0, redirect 500 ms, timeout 1000 ms. r2's xglb_seen is filled with HOSTS
# (100,000) synthetic hosts of forwarder 0, seen on r2's eth0 (tests/tools/xglb_fillseen: the
# entries the data path would have learnt from that many hosts). r1 is drained: forwarder 0
# goes to r2, and at its timeout is removed while r2 holds it, so r2 tells each of the hosts
# its new vMAC by unsolicited ARP (and once more after the ARP lock time). Meanwhile r1 captures
# every hello from r2 (tcpdump on its eth0).
#
#   redistribute_hosts_per_s       hosts told / the walk's duration, from r2's status
#                                  (goal >= 20,000; the pace allows 30,000)
#   redistribute_hosts_told        hosts told by that walk (HOSTS: all of them)
#   redistribute_max_hello_gap_ms  the longest gap between two hellos from r2 that r1
#                                  received, from the drain until 2 s after the walk ended
#                                  (goal <= 20 at hello 10 ms)
#   redistribute_max_hello_gap_idle_ms  the same over as long a window just before the drain,
#                                  nothing to do (IDLE_S, 6 s): what the machine itself adds
#   redistribute_hello_gap_ratio_vs_idle  the two, side by side in one run
#   redistribute_role_changes      AVG and owner changes beyond forwarder 0's move (goal 0)
# Needs root, jq, tcpdump; everything runs in the lab's namespaces and is removed on exit.
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1
HOSTS=${HOSTS:-100000}

fail() {
	echo "redistribute: $*" >&2
	exit 1
}
changes() { lab_jst "$1" '[.groups[].events | .avg_changes + .owner_changes] | add'; }
seen() { lab_jst r2 ".redistribution.seen.$1"; }

bench_log redistribute
lab_setup r1 r2 --
lab_start_all membership=1 owners=r1,r2 persistence=0 hello_ms=10 hold_ms=100 redirect_ms=500 \
	timeout_ms=1000 || fail "$LAB_ERR"
lab_wait 10 lab_agree_owned || fail "r1 r2 do not agree: $(lab_views)"
[ "$(lab_view r2 | sed 's/ v=[0-9]*//')" = "avg=r2 owners=r1,r2" ] || fail "unexpected roles: $(lab_views)"

ifx=$(lab_exec r2 cat /sys/class/net/eth0/ifindex)
n=$(lab_exec r2 "$LAB_BUILD/tools/xglb_fillseen" "$(lab_get r2 pin_root)" "$LAB_GID" "$HOSTS" 0 "$ifx") ||
	fail "filling r2's xglb_seen"
[ "$n" = "$HOSTS" ] || fail "xglb_seen holds $n synthetic hosts, not $HOSTS"

cap=$LAB_DIR/hellos.txt
lab_bg r1 "$cap" tcpdump -i eth0 -nn -tt -l -p "udp dst port 7867 and src host $(lab_get r2 ip)"
lab_wait 5 grep -q 'IP ' "$cap" || fail "tcpdump on r1 sees no hello from r2"
# The same measure with nothing to do, first, as long as the window below (IDLE_S).
ti=$(date +%s.%N)
sleep "${IDLE_S:-6}"
c0="$(changes r1) $(changes r2)"
walks0=$(seen walks)
t0=$(date +%s.%N)
lab_xglbctl r2 drain r1 || fail "xglbctl drain r1: $ERR"
walked() { [ "$(seen walks)" -gt "$walks0" ] && [ "$(seen running)" = false ]; }
lab_wait 60 walked || fail "r2 did not finish telling the hosts: $(lab_jst r2 .redistribution)"
told=$(seen told_this_walk)
ms=$(seen walk_ms)
again() { [ "$(lab_jst r2 .redistribution.pending_again)" = 0 ]; }
lab_wait 10 again || echo "# second replies still pending: $(lab_jst r2 .redistribution)" >>"$BENCH_LOG"
sleep 2 # the window the gaps are measured in: 2 s past the walk and its second replies
t1=$(date +%s.%N)
c1="$(changes r1) $(changes r2)"
kill "$LAB_BG_PID" 2>/dev/null
wait "$LAB_BG_PID" 2>/dev/null

awk -v t0="$t0" -v t1="$t1" '$2 == "IP" && $1 >= t0 && $1 <= t1 {
		if (prev) printf "%.1f ms at +%.3f s\n", ($1 - prev) * 1000, prev - t0
		prev = $1
	}' "$cap" | sort -rg | head -5 | sed 's/^/# gap /' >>"$BENCH_LOG"
gap=$(awk -v t0="$t0" -v t1="$t1" '$2 == "IP" && $1 >= t0 && $1 <= t1 {
		if (prev) { d = $1 - prev; if (d > max) max = d }
		prev = $1; n++
	} END { printf "%.1f\n", max * 1000 }' "$cap")
gap_idle=$(awk -v t0="$ti" -v t1="$t0" '$2 == "IP" && $1 >= t0 && $1 <= t1 {
		if (prev) { d = $1 - prev; if (d > max) max = d }
		prev = $1
	} END { printf "%.1f\n", max * 1000 }' "$cap")
hellos=$(awk -v t0="$t0" -v t1="$t1" '$2 == "IP" && $1 >= t0 && $1 <= t1' "$cap" | wc -l)
{
	echo "# r2: $(grep -E 'hosts seen using removed|removed while this node held' "$(lab_xglbd_log r2)")"
	echo "# $hellos hellos from r2 captured at r1 in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s"
	echo "# status: $(lab_jst r2 -c .redistribution.seen)"
	echo "# changes before: $c0, after: $c1 (forwarder 0's move to r2 counts once on each)"
} | tee -a "$BENCH_LOG" >&2
[ "$ms" -gt 0 ] || fail "the walk took 0 ms"
read -r a1 a2 <<<"$c0"
read -r b1 b2 <<<"$c1"
bench redistribute_hosts_told "$told" hosts
bench redistribute_hosts_per_s "$((told * 1000 / ms))" hosts/s
bench redistribute_max_hello_gap_ms "$gap" ms
bench redistribute_max_hello_gap_idle_ms "$gap_idle" ms
bench redistribute_hello_gap_ratio_vs_idle "$(awk -v a="$gap" -v b="$gap_idle" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" ratio
bench redistribute_role_changes "$((b1 - a1 - 1 + b2 - a2 - 1))" changes
lab_xglbctl r2 undrain r1
