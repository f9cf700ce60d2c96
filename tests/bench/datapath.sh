#!/usr/bin/env bash
# datapath.sh - what each data path costs routed traffic on veth, against a router with nothing
# attached, and the tc path's ARP answer rate against the kernel's, in one run (make bench).
# Prints "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh) with LAB_PORT_XDP=0, so no XDP program runs anywhere but the one
# measured: router r1, client c1 on "lan", the server on "srv" (default route via r1). Three
# modes of r1, run back to back in every trial, their order rotating from trial to trial:
#   plain  no xglbd; nothing attached to r1. c1's default route is r1's own address.
#   xdp    xglbd on r1 with "datapath: xdp" (XDP program on eth0, tc programs behind it).
#   tc     xglbd on r1 with "datapath: tc" (xglb_tc at eth0's tc ingress, no XDP).
# In xdp and tc modes c1's default route is the VIP, with a permanent neighbour entry for
# forwarder 0's vMAC (r1's): both modes carry the same frames through the vMAC path. (The XDP
# path's ARP answers could not reach c1 here: an XDP_TX into a veth whose peer runs no XDP is
# lost. The tc path's answers are measured below.)
# Per trial and mode, c1 -> server through r1:
#   TCP    iperf3 -t SECONDS -O 1, the receiver's rate (end.sum_received)
#   UDP64  iperf3 -u -b 0 -l 64 -t SECONDS -O 1: 64-byte datagrams received per second
# TRIALS (DP_TRIALS, default 7) of SECONDS (DP_SECONDS, default 3). The machine may be shared,
# which moves absolute rates between trials; the modes of one trial see nearly the same load,
# so each ratio is taken per trial against that trial's plain run, then the median over trials:
#   forward_tcp_ratio_tc_vs_plain    (goal >= 0.97)
#   forward_tcp_ratio_xdp_vs_plain
#   forward_udp64_ratio_tc_vs_plain
#   forward_udp64_ratio_xdp_vs_plain
#   forward_{tcp_mbps,udp64_pps}_{plain,xdp,tc}   medians of the runs
# A run counts only if it went the intended way: in xdp and tc modes r1's xdp_pass_vmac or
# tc_pass_vmac (the mode's) rose by at least one frame per 64 KB (TCP) or per datagram (UDP)
# received and the other hook's did not move; in plain mode nothing is attached to r1's eth0.
# Otherwise the bench fails.
# ARP: tests/bench/arp_flood with "tc" on its own veth pair (namespaces xglb-dgen-<pid>,
# xglb-drtr-<pid>): rig, kernel and xglb_tc rounds; every arp_flood_tc_* line is printed, the
# headline being
#   arp_flood_tc_ratio_vs_kernel     (goal >= 5)
# Needs root, iperf3, jq; everything runs in namespaces this script makes, removed on exit.
# shellcheck disable=SC2317 # lab_wait predicates, trap handler
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
export LAB_QUIET=${LAB_QUIET:-1} LAB_PORT_XDP=0
# shellcheck source=tests/lab/lab.sh
source tests/lab/lab.sh

TRIALS=${DP_TRIALS:-7}
SECS=${DP_SECONDS:-3}
PORT=5201
MODES=(plain xdp tc)

die() {
	echo "datapath: $*" >&2
	exit 1
}
command -v iperf3 >/dev/null || die "iperf3 is not installed"
command -v jq >/dev/null || die "jq is not installed"
for b in xglbd xglbctl bench/arp_flood; do
	[ -e "$LAB_BUILD/$b" ] || die "$LAB_BUILD/$b is not built"
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- the ARP answer rate first: its own two namespaces, nothing else running --------
NS_GEN=xglb-dgen-$$
NS_RTR=xglb-drtr-$$
arp_cleanup() { ip netns del "$NS_GEN" 2>/dev/null; ip netns del "$NS_RTR" 2>/dev/null; }
for ns in "$NS_GEN" "$NS_RTR"; do
	ip netns add "$ns" || die "ip netns add $ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
{ ip -n "$NS_GEN" link add dgen0 type veth peer name drtr0 netns "$NS_RTR" &&
	ip -n "$NS_GEN" link set dgen0 address 02:99:00:00:00:02 &&
	ip -n "$NS_RTR" link set drtr0 address 02:99:00:00:00:01 &&
	ip -n "$NS_GEN" addr add 10.99.0.2/24 dev dgen0 &&
	ip -n "$NS_RTR" addr add 10.99.0.1/24 dev drtr0 &&
	ip -n "$NS_GEN" link set dgen0 up && ip -n "$NS_RTR" link set drtr0 up; } || {
	arp_cleanup
	die "cannot build the ARP flood namespaces"
}
arp_err=$(mktemp)
arp_out=$(timeout 120 "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" dgen0 drtr0 10.99.0.1 10.99.0.2 tc 2>"$arp_err")
arp_rc=$?
arp_cleanup
[ "$arp_rc" = 0 ] || die "arp_flood tc failed (exit $arp_rc): $(cat "$arp_err")"
rm -f "$arp_err"
grep -a '^BENCH arp_flood_tc_' <<<"$arp_out"

# ---- forwarding: one lab, three modes per trial ---------------------------------
lab_setup r1 -- c1 >/dev/null
R1_IP=$(lab_get r1 ip)
VMAC0=$(lab_vmac 0)
lab_bg server "$LAB_DIR/iperf3.log" iperf3 -s -p "$PORT"
_listens() { [ -n "$(lab_exec server ss -Hltn "sport = :$PORT")" ]; }
lab_wait 5 _listens || die "iperf3 server not listening"

reason() { lab_ctl r1 --json stats | jq --arg r "$1" '.reasons[$r] // 0'; }

mode_on() { # mode: r1 and c1 set up for it
	local cfg
	if [ "$1" = plain ]; then
		lab_exec c1 ip neigh del "$LAB_VIP" dev eth0 2>/dev/null
		lab_exec c1 ip route replace default via "$R1_IP" dev eth0 || return 1
		! ip -n "$(lab_ns r1)" -d link show eth0 | grep -q 'prog/xdp' &&
			[ -z "$(tc -n "$(lab_ns r1)" filter show dev eth0 ingress)" ] ||
			die "plain mode: a program is attached to r1's eth0"
		return 0
	fi
	cfg=$(lab_write_config r1 owners=r1 avg=r1 datapath="$1") &&
		lab_start_xglbd r1 "$cfg" >/dev/null || die "xglbd with datapath $1 did not start"
	lab_exec c1 ip route replace default via "$LAB_VIP" dev eth0 &&
		lab_exec c1 ip neigh replace "$LAB_VIP" lladdr "$VMAC0" dev eth0 nud permanent
}
mode_off() { [ "$1" = plain ] || lab_stop_xglbd r1 5 || die "xglbd ($1) did not stop cleanly"; }

# run_iperf MODE KIND: one measured run; prints the rate (Mbit/s for tcp, datagrams/s for udp64)
run_iperf() {
	local mode=$1 kind=$2 args=() j rate unit v0x v0t v1x v1t mine other
	[ "$kind" = udp64 ] && args=(-u -b 0 -l 64)
	if [ "$mode" != plain ]; then v0x=$(reason xdp_pass_vmac) v0t=$(reason tc_pass_vmac); fi
	j=$(lab_exec c1 iperf3 -c "$LAB_SERVER_IP" -p "$PORT" -t "$SECS" -O 1 -J "${args[@]}") ||
		die "iperf3 $kind in mode $mode failed: $(jq -r '.error // empty' <<<"$j")"
	if [ "$kind" = tcp ]; then
		rate=$(jq '.end.sum_received.bits_per_second / 1e6' <<<"$j")
		unit=$(jq '.end.sum_received.bytes / 65536 | floor' <<<"$j")
	else
		rate=$(jq '(.end.sum_received.packets - .end.sum_received.lost_packets) / .end.sum_received.seconds' <<<"$j")
		unit=$(jq '.end.sum_received.packets - .end.sum_received.lost_packets' <<<"$j")
	fi
	if [ "$mode" != plain ]; then
		v1x=$(reason xdp_pass_vmac) v1t=$(reason tc_pass_vmac)
		if [ "$mode" = xdp ]; then mine=$((v1x - v0x)) other=$((v1t - v0t)); else mine=$((v1t - v0t)) other=$((v1x - v0x)); fi
		[ "$mine" -ge "$unit" ] && [ "$other" = 0 ] ||
			die "$kind in mode $mode did not cross the $mode path: ${mode}_pass_vmac +$mine (want >= $unit), the other hook's +$other"
	fi
	echo "$rate"
}

declare -A RES # [mode.kind.trial] = rate
for t in $(seq 0 $((TRIALS - 1))); do
	for k in 0 1 2; do
		m=${MODES[$(((t + k) % 3))]}
		mode_on "$m" || die "setting up mode $m"
		for kind in tcp udp64; do RES[$m.$kind.$t]=$(run_iperf "$m" "$kind") || exit 1; done
		mode_off "$m"
	done
done

for kind in tcp udp64; do
	unit=$([ $kind = tcp ] && echo mbps || echo pps)
	for m in "${MODES[@]}"; do
		printf 'BENCH forward_%s_%s_%s %.0f %s\n' "$kind" "$unit" "$m" \
			"$(for t in $(seq 0 $((TRIALS - 1))); do echo "${RES[$m.$kind.$t]}"; done | median)" \
			"$([ $kind = tcp ] && echo Mbit/s || echo datagrams/s)"
	done
	for m in tc xdp; do
		printf 'BENCH forward_%s_ratio_%s_vs_plain %.3f x\n' "$kind" "$m" \
			"$(for t in $(seq 0 $((TRIALS - 1))); do
				awk -v a="${RES[$m.$kind.$t]}" -v b="${RES[plain.$kind.$t]}" 'BEGIN { print (b > 0 ? a / b : 0) }'
			done | median)"
	done
done
for t in $(seq 0 $((TRIALS - 1))); do
	for m in "${MODES[@]}"; do
		printf 'BENCH forward_tcp_mbps_%s_%d %.0f Mbit/s\n' "$m" "$t" "${RES[$m.tcp.$t]}"
	done
done
echo "BENCH forward_trials $TRIALS trials"
echo "BENCH forward_seconds $SECS s"
