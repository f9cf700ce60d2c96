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
#   redistribute_realtime_priority  RT (env, default 0): both routers' realtime-priority; with
#                                  RT > 0 every name below begins redistribute_rt_ instead
#   redistribute_hosts_per_s       hosts told / the walk's duration, from r2's status
#                                  (goal >= 20,000; the pace allows 30,000)
#   redistribute_hosts_told        hosts told by that walk (HOSTS: all of them)
#   redistribute_max_hello_gap_ms  the longest gap between two hellos from r2 that r1's
#                                  interface received (kernel timestamps of a capture in r1's
#                                  namespace), from the drain until 3.5 s after the walk ended
#                                  (its second replies and 2 s more; goal <= 20 at hello 10 ms)
#   redistribute_max_hello_gap_idle_ms  the same over a window just before the drain with
#                                  nothing to do (IDLE_S, 9 s, about as long): the machine's share
#   redistribute_hello_gap_ratio_vs_idle  the two, side by side in one run
#   redistribute_max_hello_gap_sent_ms (and _idle_)  the same gap as r2's interface sent them
#                                  (a capture in r2's namespace): the sender's part
#   redistribute_max_hello_transit_ms (and _idle_)  the longest time from r2's interface to r1's
#   redistribute_hello_timer_late_wake / _busy (and _idle)  r2's membership deadlines met more
#                                  than 2 ms late, by cause (status event_loop.hello_timer):
#                                  woken late by the scheduler / busy with a turn begun before
#   redistribute_hello_sent_late (and _idle)  hellos sent more than 2 ms after their deadline
#   redistribute_role_changes      AVG and owner changes beyond forwarder 0's move (goal 0)
# No status request reaches r2 within the window (the end of the walk is read from its log).
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

RT=${RT:-0} # realtime-priority of both routers (0: off, the default)
P=redistribute
[ "$RT" = 0 ] || P=redistribute_rt
bench_log "$P"
lab_setup r1 r2 --
for r in r1 r2; do
	cfg=$(lab_write_config "$r" membership=1 owners=r1,r2 persistence=0 hello_ms=10 hold_ms=100 \
		redirect_ms=500 timeout_ms=1000) || fail "config of $r"
	echo "realtime-priority: $RT" >>"$cfg"
	lab_start_xglbd "$r" "$cfg" || fail "xglbd on $r did not get ready"
done
lab_wait 10 lab_agree_owned || fail "r1 r2 do not agree: $(lab_views)"
[ "$(lab_view r2 | sed 's/ v=[0-9]*//')" = "avg=r2 owners=r1,r2" ] || fail "unexpected roles: $(lab_views)"

ifx=$(lab_exec r2 cat /sys/class/net/eth0/ifindex)
n=$(lab_exec r2 "$LAB_BUILD/tools/xglb_fillseen" "$(lab_get r2 pin_root)" "$LAB_GID" "$HOSTS" 0 "$ifx") ||
	fail "filling r2's xglb_seen"
[ "$n" = "$HOSTS" ] || fail "xglb_seen holds $n synthetic hosts, not $HOSTS"

cap=$LAB_DIR/hellos.txt     # r2's hellos as r1 received them (kernel timestamps at r1's eth0)
cap_tx=$LAB_DIR/hellos_tx.txt # ... as r2 sent them (kernel timestamps at r2's eth0, on the way out)
filter="udp dst port 7867 and src host $(lab_get r2 ip) and dst host $(lab_get r1 ip)"
lab_bg r1 "$cap" tcpdump -i eth0 -Q in -nn -tt -l -p "$filter"
pid_rx=$LAB_BG_PID
lab_bg r2 "$cap_tx" tcpdump -i eth0 -Q out -nn -tt -l -p "$filter"
pid_tx=$LAB_BG_PID
lab_wait 5 grep -q 'IP ' "$cap" || fail "tcpdump on r1 sees no hello from r2"
lab_wait 5 grep -q 'IP ' "$cap_tx" || fail "tcpdump on r2 sees no hello leave"
# r2's membership timer histograms (status event_loop.hello_timer): the fires handled more than
# 2 ms late, by cause, between two reads.
timer() {
	lab_jst r2 -c '.event_loop | [(.hello_timer | (.wake.buckets[3:] | add), (.busy.buckets[3:] | add),
		(.sent.buckets[3:] | add), .fires), (.work | to_entries | map({(.key): .value.over_2ms}) | add)]'
}
late() { jq -n --argjson a "$1" --argjson b "$2" '"\($b[0] - $a[0]) \($b[1] - $a[1]) \($b[2] - $a[2]) \($b[3] - $a[3])"' -r; }
# work() A B: the loop's runs over 2 ms between two timer reads, by kind
work() { jq -n -c --argjson a "$1" --argjson b "$2" '$b[4] | with_entries(.value -= $a[4][.key])'; }
# The same measure with nothing to do, first, as long as the window below takes (IDLE_S).
ti=$(date +%s.%N)
m_i=$(timer)
sleep "${IDLE_S:-9}"
m_0=$(timer)
c0="$(changes r1) $(changes r2)"
walks0=$(seen walks)
log2=$(lab_xglbd_log r2)
ends0=$(grep -c 'hosts seen using removed forwarders told' "$log2")
t0=$(date +%s.%N)
lab_xglbctl r2 drain r1 || fail "xglbctl drain r1: $ERR"
# No status request to r2 in the window (one is work on its event loop that the idle window does
# not have): the end of the walk is read from its log.
walked() { [ "$(grep -c 'hosts seen using removed forwarders told' "$log2")" -gt "$ends0" ]; }
lab_wait 60 walked || fail "r2 did not finish telling the hosts: $(lab_jst r2 .redistribution)"
sleep 3.5 # the window's tail: the second replies (1.5 s after the first) and 2 s past them
t1=$(date +%s.%N)
m_1=$(timer)
[ "$(seen walks)" -gt "$walks0" ] || fail "r2's walk did not end: $(lab_jst r2 .redistribution)"
told=$(seen told_this_walk)
ms=$(seen walk_ms)
[ "$(lab_jst r2 .redistribution.pending_again)" = 0 ] ||
	echo "# second replies still pending at the window's end: $(lab_jst r2 .redistribution)" >>"$BENCH_LOG"
c1="$(changes r1) $(changes r2)"
kill "$pid_rx" "$pid_tx" 2>/dev/null
wait "$pid_rx" "$pid_tx" 2>/dev/null

# maxgap FILE T0 T1: the longest gap (ms) between two hellos of FILE in [T0, T1].
maxgap() {
	awk -v t0="$2" -v t1="$3" '$2 == "IP" && $1 >= t0 && $1 <= t1 {
		if (prev) { d = $1 - prev; if (d > max) max = d }
		prev = $1
	} END { printf "%.1f\n", max * 1000 }' "$1"
}
# transit TX RX T0 T1: the longest time (ms) from a hello leaving r2 to its arrival at r1, in
# [T0, T1] (each arrival paired with the last hello sent before it).
transit() {
	awk -v t0="$3" -v t1="$4" 'FNR == NR { if ($2 == "IP") tx[++n] = $1; next }
		$2 == "IP" && $1 >= t0 && $1 <= t1 {
			while (j < n && tx[j + 1] <= $1) j++
			if (j && $1 - tx[j] > max) max = $1 - tx[j]
		} END { printf "%.2f\n", max * 1000 }' "$1" "$2"
}
awk -v t0="$t0" -v t1="$t1" '$2 == "IP" && $1 >= t0 && $1 <= t1 {
		if (prev) printf "%.1f ms at +%.3f s\n", ($1 - prev) * 1000, prev - t0
		prev = $1
	}' "$cap" | sort -rg | head -5 | sed 's/^/# gap /' >>"$BENCH_LOG"
gap=$(maxgap "$cap" "$t0" "$t1")
gap_idle=$(maxgap "$cap" "$ti" "$t0")
gap_tx=$(maxgap "$cap_tx" "$t0" "$t1")
gap_tx_idle=$(maxgap "$cap_tx" "$ti" "$t0")
tr=$(transit "$cap_tx" "$cap" "$t0" "$t1")
tr_idle=$(transit "$cap_tx" "$cap" "$ti" "$t0")
read -r wake_i busy_i sent_i fires_i <<<"$(late "$m_i" "$m_0")"
read -r wake_b busy_b sent_b fires_b <<<"$(late "$m_0" "$m_1")"
hellos=$(awk -v t0="$t0" -v t1="$t1" '$2 == "IP" && $1 >= t0 && $1 <= t1' "$cap" | wc -l)
hellos_i=$(awk -v t0="$ti" -v t1="$t0" '$2 == "IP" && $1 >= t0 && $1 <= t1' "$cap" | wc -l)
{
	echo "# r2: $(grep -E 'hosts seen using removed|removed while this node held' "$log2" | tail -2)"
	echo "# windows: idle $(awk -v a="$ti" -v b="$t0" 'BEGIN {printf "%.1f", b - a}') s ($hellos_i hellos at r1), redistributing $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s ($hellos hellos at r1)"
	echo "# r2's membership timer, fires handled > 2 ms late (wake: idle in epoll_wait past the deadline; busy: running something else) and hellos sent > 2 ms late: idle window $wake_i wake, $busy_i busy, $sent_i sent of $fires_i; redistributing $wake_b wake, $busy_b busy, $sent_b sent of $fires_b"
	echo "# r2's event loop runs over 2 ms by kind: idle window $(work "$m_i" "$m_0"), redistributing $(work "$m_0" "$m_1")"
	echo "# r2's event loop: $(lab_jst r2 -c '.event_loop | {bulk_max_us, bulk_deferred, wake_max_us: .hello_timer.wake.max_us, busy_max_us: .hello_timer.busy.max_us}')"
	echo "# r2's event loop work by kind since start (runs, longest, runs over 2 ms): $(lab_jst r2 -c '.event_loop.work')"
	echo "# status: $(lab_jst r2 -c .redistribution.seen)"
	echo "# changes before: $c0, after: $c1 (forwarder 0's move to r2 counts once on each)"
} | tee -a "$BENCH_LOG" >&2
[ "$ms" -gt 0 ] || fail "the walk took 0 ms"
read -r a1 a2 <<<"$c0"
read -r b1 b2 <<<"$c1"
[ "$(lab_jst r2 .event_loop.realtime_priority)" = "$RT" ] ||
	fail "r2's event loop is not at realtime-priority $RT: $(lab_jst r2 -c .event_loop)"
bench "$P"_realtime_priority "$RT" priority
bench "$P"_hosts_told "$told" hosts
bench "$P"_hosts_per_s "$((told * 1000 / ms))" hosts/s
bench "$P"_max_hello_gap_ms "$gap" ms
bench "$P"_max_hello_gap_idle_ms "$gap_idle" ms
bench "$P"_hello_gap_ratio_vs_idle "$(awk -v a="$gap" -v b="$gap_idle" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" ratio
bench "$P"_max_hello_gap_sent_ms "$gap_tx" ms
bench "$P"_max_hello_gap_sent_idle_ms "$gap_tx_idle" ms
bench "$P"_max_hello_transit_ms "$tr" ms
bench "$P"_max_hello_transit_idle_ms "$tr_idle" ms
bench "$P"_hello_timer_late_wake "$wake_b" fires
bench "$P"_hello_timer_late_wake_idle "$wake_i" fires
bench "$P"_hello_timer_late_busy "$busy_b" fires
bench "$P"_hello_timer_late_busy_idle "$busy_i" fires
bench "$P"_hello_sent_late "$sent_b" hellos
bench "$P"_hello_sent_late_idle "$sent_i" hellos
bench "$P"_role_changes "$((b1 - a1 - 1 + b2 - a2 - 1))" changes
lab_xglbctl r2 undrain r1
