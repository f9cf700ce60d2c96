#!/usr/bin/env bash
# datapath.sh - what each data path costs routed traffic on veth, against a router with nothing
# attached, and the tc path's ARP answer rate against the kernel's, in one run (make bench).
# Prints "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh) with LAB_PORT_XDP=0, so no XDP program runs anywhere but the one
# measured, and one router per mode, all alike (veth pairs to the same two bridges), so a mode
# is switched by two route changes and the modes alternate seconds apart:
#   plain    router rp: nothing attached. c1's default route is rp's own address.
#   plain2   router rq: the same as plain, on another router: the control. Its ratio to
#            plain (forward_*_ratio_plain2_vs_plain, truly 1) shows how far the machine's
#            noise moves a ratio in this run.
#   tcempty  router re: an empty tc program (TC_ACT_OK, build/xdp_pass.bpf.o "tc") at both
#            clsact hooks of eth0, where xglbd attaches its own: what any tc program costs.
#            c1's default route is re's own address.
#   xdp      router rx: xglbd with "datapath: xdp", owner of forwarder 0.
#   tc       router rt: xglbd with "datapath: tc" (xglb_tc at eth0's tc ingress, the guard at
#            its egress, no XDP), owner of forwarder 1 and the AVG.
# In xdp and tc modes c1's default route is the VIP, with a permanent neighbour entry for the
# mode's forwarder's vMAC: both carry the same frames through the vMAC path. (The XDP path's
# ARP answers could not reach c1 here: an XDP_TX into a veth whose peer runs no XDP is lost.
# The tc path's answers are measured below.) The server's default route is the mode's router,
# so both directions cross it. Both xglbd run throughout, whatever the mode. Before the first
# run the lan switch must have learnt each vMAC on its owner's port (xglbd's learning frames),
# so no run's frames are flooded to every router.
# Per trial, kind and mode, c1 -> server through the mode's router, the modes of a kind back to
# back, their order rotating from trial to trial:
#   TCP    iperf3 -t SECONDS -O 1, the receiver's rate (end.sum_received)
#   UDP64  iperf3 -u -b 0 -l 64 -t SECONDS -O 1: 64-byte datagrams received per second
# TRIALS (DP_TRIALS, default 9) of SECONDS (DP_SECONDS, default 2). The machine may be shared,
# which moves absolute rates between trials; the modes of one trial see nearly the same load,
# so each ratio is taken per trial against that trial's plain run, then the median over trials:
#   forward_tcp_ratio_tc_vs_plain       (goal >= 0.97)
#   forward_tcp_ratio_xdp_vs_plain
#   forward_tcp_ratio_tcempty_vs_plain  what attaching any tc program costs
#   forward_tcp_ratio_tc_vs_tcempty     what xglb's programs cost over empty ones
#   forward_tcp_ratio_plain2_vs_plain   the noise (see plain2)
#   forward_udp64_ratio_{tc,xdp,tcempty,plain2}_vs_plain, forward_udp64_ratio_tc_vs_tcempty
#   forward_{tcp_mbps,udp64_pps}_MODE       medians of the runs
#   forward_{tcp_mbps,udp64_pps}_MODE_TRIAL every run
#   forward_{tcp,udp64}_tc_bytes_per_skb  bytes the tc router sent on eth1 per skb xglb_tc
#                                       accepted (tc_pass_vmac): GSO makes a TCP skb tens of
#                                       KB, so xglb_tc and the clsact hooks run once per that
#   forward_udp64_lost_pct_MODE         median share of datagrams sent but not received (on
#                                       any hop: a router, the server's socket)
# A run counts only if it went the intended way: the mode's router's eth1 sent at least the
# bytes the server received and every other router's next to nothing, and in xdp and tc modes
# the mode's xdp_pass_vmac or tc_pass_vmac rose by at least one frame per 64 KB (TCP) or per
# datagram (UDP) received while the other's did not move (in the other modes neither moves).
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

TRIALS=${DP_TRIALS:-9}
SECS=${DP_SECONDS:-2}
PORT=5201
MODES=(plain plain2 tcempty xdp tc)

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

# ---- forwarding: one lab, one router per mode, modes alternating --------------------
ROUTERS=(rp rq re rx rt)
lab_setup "${ROUTERS[@]}" -- c1 >/dev/null
for r in "${ROUTERS[@]}"; do
	if [ -n "$(tc -n "$(lab_ns "$r")" filter show dev eth0 ingress)" ] ||
		ip -n "$(lab_ns "$r")" -d link show eth0 | grep -q 'prog/xdp'; then
		die "$r: a program is attached to eth0 before the bench attached one"
	fi
done
# tcempty: the empty program at both clsact hooks, where xglbd attaches xglb_tc and the guard
tc -n "$(lab_ns re)" qdisc add dev eth0 clsact || die "re: clsact"
for dir in ingress egress; do
	tc -n "$(lab_ns re)" filter add dev eth0 "$dir" bpf da obj "$LAB_BUILD/xdp_pass.bpf.o" sec tc ||
		die "re: attaching the empty tc program ($dir)"
done
# forwarder 0 on rx (datapath xdp), forwarder 1 on rt (datapath tc); rt answers ARP
for rd in rx:xdp rt:tc; do
	cfg=$(lab_write_config "${rd%:*}" owners=rx,rt avg=rt datapath="${rd#*:}") &&
		lab_start_xglbd "${rd%:*}" "$cfg" >/dev/null || die "xglbd on ${rd%:*} did not start"
done
declare -A ROUTER=([plain]=rp [plain2]=rq [tcempty]=re [xdp]=rx [tc]=rt)
declare -A VMAC=([xdp]=$(lab_vmac 0) [tc]=$(lab_vmac 1))
# the switch knows each vMAC's port (xglbd's learning frames), so no frame of a run is flooded
_learned() { # vmac router
	bridge -n "$(lab_ns lan)" -j fdb show br br0 |
		jq -e --arg m "$1" --arg p "$(lab_get "$2" port.eth0)" \
			'any(.[]; .mac == $m and .ifname == $p)' >/dev/null
}
for m in xdp tc; do
	lab_wait 5 _learned "${VMAC[$m]}" "${ROUTER[$m]}" ||
		die "the lan switch has not learnt ${VMAC[$m]} on ${ROUTER[$m]}'s port"
done
lab_bg server "$LAB_DIR/iperf3.log" iperf3 -s -p "$PORT"
_listens() { [ -n "$(lab_exec server ss -Hltn "sport = :$PORT")" ]; }
lab_wait 5 _listens || die "iperf3 server not listening"

reason() { lab_ctl "$1" --json stats | jq --arg r "$2" '.reasons[$r] // 0'; }
tx_bytes() { lab_exec "$1" cat /sys/class/net/eth1/statistics/tx_bytes; }

# mode_on MODE: c1 -> server through the mode's router, and the server's replies back through it
mode_on() {
	local r=${ROUTER[$1]}
	if [ -n "${VMAC[$1]:-}" ]; then
		lab_exec c1 ip neigh replace "$LAB_VIP" lladdr "${VMAC[$1]}" dev eth0 nud permanent &&
			lab_exec c1 ip route replace default via "$LAB_VIP" dev eth0
	else
		lab_exec c1 ip route replace default via "$(lab_get "$r" ip)" dev eth0
	fi && lab_exec server ip route replace default via "$(lab_get "$r" srv_ip)" dev eth0
}

# run_iperf MODE KIND TRIAL: one measured run; prints the rate (Mbit/s for tcp, datagrams/s for
# udp64); for udp64 the share of datagrams lost goes to $LAB_DIR/lost.MODE.TRIAL
run_iperf() {
	local mode=$1 kind=$2 args=() j rate unit bytes r=${ROUTER[$1]} x tb0=() tb1=() v0x v0t v1x v1t
	[ "$kind" = udp64 ] && args=(-u -b 0 -l 64)
	for x in "${ROUTERS[@]}"; do tb0+=("$(tx_bytes "$x")"); done
	v0x=$(reason rx xdp_pass_vmac) v0t=$(reason rt tc_pass_vmac)
	j=$(lab_exec c1 iperf3 -c "$LAB_SERVER_IP" -p "$PORT" -t "$SECS" -O 1 -J "${args[@]}") ||
		die "iperf3 $kind in mode $mode failed: $(jq -r '.error // empty' <<<"$j")"
	v1x=$(reason rx xdp_pass_vmac) v1t=$(reason rt tc_pass_vmac)
	for x in "${ROUTERS[@]}"; do tb1+=("$(tx_bytes "$x")"); done
	if [ "$kind" = tcp ]; then
		rate=$(jq '.end.sum_received.bits_per_second / 1e6' <<<"$j")
		unit=$(jq '.end.sum_received.bytes / 65536 | floor' <<<"$j")
		bytes=$(jq '.end.sum_received.bytes' <<<"$j")
	else
		rate=$(jq '(.end.sum_received.packets - .end.sum_received.lost_packets) / .end.sum_received.seconds' <<<"$j")
		unit=$(jq '.end.sum_received.packets - .end.sum_received.lost_packets' <<<"$j")
		bytes=$((unit * 64))
		# sent but not received, in %: lost on any hop (a router, the server's socket)
		jq '100 * .end.sum_received.lost_packets / ([.end.sum_received.packets, 1] | max)' \
			<<<"$j" >"$LAB_DIR/lost.$mode.$3"
	fi
	# the run crossed its router: its eth1 sent at least what the server received, the others
	# next to nothing (the iperf3 control connection, neighbour traffic)
	for x in "${!ROUTERS[@]}"; do
		local d=$((tb1[x] - tb0[x]))
		if [ "${ROUTERS[x]}" = "$r" ]; then
			[ "$d" -ge "$bytes" ] || die "$kind in mode $mode: $r's eth1 sent $d bytes, the server received $bytes"
		else
			[ "$d" -lt $((bytes / 100 + 100000)) ] || die "$kind in mode $mode: ${ROUTERS[x]}'s eth1 sent $d bytes too"
		fi
	done
	# bytes per skb at xglb_tc: what one run of the program is spread over (all the router
	# forwarded over the whole run, the omitted first second too, per skb xglb_tc accepted)
	for x in "${!ROUTERS[@]}"; do [ "${ROUTERS[x]}" = rt ] && break; done
	[ "$mode" = tc ] && [ "$v1t" -gt "$v0t" ] &&
		echo $(((tb1[x] - tb0[x]) / (v1t - v0t))) >"$LAB_DIR/skb.$kind.$3"
	# and in xdp and tc modes the vMAC path of its hook: a frame per 64 KB (TCP) or per datagram
	case $mode in
	xdp) [ $((v1x - v0x)) -ge "$unit" ] && [ "$v1t" = "$v0t" ] ;;
	tc) [ $((v1t - v0t)) -ge "$unit" ] && [ "$v1x" = "$v0x" ] ;;
	*) [ "$v1x" = "$v0x" ] && [ "$v1t" = "$v0t" ] ;;
	esac || die "$kind in mode $mode did not cross the intended path: xdp_pass_vmac +$((v1x - v0x)), tc_pass_vmac +$((v1t - v0t)) (want >= $unit on the mode's own)"
	echo "$rate"
}

declare -A RES # [mode.kind.trial] = rate
NM=${#MODES[@]}
for t in $(seq 0 $((TRIALS - 1))); do
	for kind in tcp udp64; do
		for k in $(seq 0 $((NM - 1))); do
			m=${MODES[$(((t + k) % NM))]}
			mode_on "$m" || die "setting up mode $m"
			RES[$m.$kind.$t]=$(run_iperf "$m" "$kind" "$t") || exit 1
		done
	done
done
for r in rx rt; do lab_stop_xglbd "$r" 5 || die "xglbd on $r did not stop cleanly"; done

ratio_median() { # kind mode
	for t in $(seq 0 $((TRIALS - 1))); do
		awk -v a="${RES[$2.$1.$t]}" -v b="${RES[plain.$1.$t]}" 'BEGIN { print (b > 0 ? a / b : 0) }'
	done | median
}
for kind in tcp udp64; do
	unit=$([ $kind = tcp ] && echo mbps || echo pps)
	for m in "${MODES[@]}"; do
		printf 'BENCH forward_%s_%s_%s %.0f %s\n' "$kind" "$unit" "$m" \
			"$(for t in $(seq 0 $((TRIALS - 1))); do echo "${RES[$m.$kind.$t]}"; done | median)" \
			"$([ $kind = tcp ] && echo Mbit/s || echo datagrams/s)"
	done
	for m in tc xdp tcempty plain2; do
		printf 'BENCH forward_%s_ratio_%s_vs_plain %.3f x\n' "$kind" "$m" "$(ratio_median $kind $m)"
	done
	printf 'BENCH forward_%s_tc_bytes_per_skb %.0f bytes\n' "$kind" \
		"$(for t in $(seq 0 $((TRIALS - 1))); do cat "$LAB_DIR/skb.$kind.$t" 2>/dev/null; done | median)"
	if [ $kind = udp64 ]; then
		for m in "${MODES[@]}"; do
			printf 'BENCH forward_udp64_lost_pct_%s %.1f %%\n' "$m" \
				"$(for t in $(seq 0 $((TRIALS - 1))); do cat "$LAB_DIR/lost.$m.$t"; done | median)"
		done
	fi
	# xglb's own share: tc against the empty tc program, per trial
	printf 'BENCH forward_%s_ratio_tc_vs_tcempty %.3f x\n' "$kind" "$(
		for t in $(seq 0 $((TRIALS - 1))); do
			awk -v a="${RES[tc.$kind.$t]}" -v b="${RES[tcempty.$kind.$t]}" 'BEGIN { print (b > 0 ? a / b : 0) }'
		done | median
	)"
done
for kind in tcp udp64; do
	unit=$([ $kind = tcp ] && echo mbps || echo pps)
	for t in $(seq 0 $((TRIALS - 1))); do
		for m in "${MODES[@]}"; do
			printf 'BENCH forward_%s_%s_%s_%d %.0f %s\n' "$kind" "$unit" "$m" "$t" "${RES[$m.$kind.$t]}" \
				"$([ $kind = tcp ] && echo Mbit/s || echo datagrams/s)"
		done
	done
done
echo "BENCH forward_trials $TRIALS trials"
echo "BENCH forward_seconds $SECS s"
