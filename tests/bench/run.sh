#!/usr/bin/env bash
# run.sh - xglb benchmarks (make bench): prints a short header and "BENCH <name> <value> <unit>" lines.
#
#   tests/bench/run.sh [STEP...]   every step (make bench), or only the named ones, e.g.
#                                  `tests/bench/run.sh xdp_micro ndp_micro` or `... arp_flood`
#                                  (the ARP and NDP floods: one step, one veth pair)
#
# Builds nothing (make bench depends on all). Needs root. Every namespace it
# makes carries this run's PID and is deleted on exit; traffic only ever
# flows inside them.
#   xdp_micro  ns/packet of xglb_xdp's paths, in namespace xglb-bench-<pid>
#   ndp_micro  the same for its IPv6 neighbour discovery paths, in namespace xglb-bndp-<pid>
#   host_flood  10,000 established hosts against 5 s of requests from new MACs: the share
#              still mapped to their forwarder, in namespace xglb-bhfl-<pid>
#   arp_flood  ARP replies/s, xglb vs the kernel, over a veth pair between
#              xglb-bgen-<pid> and xglb-brtr-<pid> (10.99.0.0/24); then, on the same
#              pair, NA replies/s to a flood of NS (arp_flood ndp: ndp_flood_*,
#              2001:db8:99::/64)
#   arp_flood_owncpu  only when named: the same two floods with own-CPU rounds beside the
#              one-CPU ones (the responder's NAPI threaded on CPU 0: *_owncpu_* figures)
#   table_bench  agent-side table prepare/flip/grace period, 16 forwarders, in
#              namespace xglb-btab-<pid> (loads the skeleton, sends nothing)
#   failover.sh  outage when a router dies, xglb vs keepalived, and packets lost
#              across an xglbd restart, in a tests/lab/lab.sh lab (own teardown)
#   nic_failover.sh  outage when one of a router's two NICs on the segment is unplugged
#              against a node failover in the same run, and the byte split over its
#              NICs, in a tests/lab/lab.sh lab (own teardown)
#   stop.sh    packets lost when xglbd stops or restarts (SIGTERM) and how long ARP for the
#              VIP goes unanswered when the AVG's xglbd stops or restarts, in a
#              tests/lab/lab.sh lab (own teardown)
#   hello_flood.sh  AVG/owner changes under a flood of forged hellos at line rate
#              (goal 0), in a tests/lab/lab.sh lab (own teardown)
#   tc_micro   ns/packet of xglb_tc_ingress's steering paths (owned, steered) and of the egress
#              program (a forwarder's return count: egress_other, egress_return), in
#              namespace xglb-btc-<pid>
#   steer_throughput.sh  iperf3 rate of a steered flow vs an owned one, in a
#              tests/lab/lab.sh lab (own teardown)
#   forward.sh  64-byte UDP on one CPU (and TCP) through one router with xglb attached
#              (steering on), with the XDP fast path, and with nothing attached, side by
#              side (own namespaces and teardown)
#   scale.sh   the agent at scale: idle CPU and memory at hello 50 ms with 3 peers; with
#              255 groups x 16 forwarders and 2^20 hosts, /metrics and status against an
#              empty table, and the commits of a failover of every group, in a
#              tests/lab/lab.sh lab (own teardown)
#   redistribute.sh  100,000 hosts of a removed forwarder told their new vMAC by the node
#              holding it, hello 10 ms: hosts/s and the longest hello gap a peer sees, in a
#              tests/lab/lab.sh lab (own teardown)
#   datapath.sh  routed TCP and 64-byte UDP through one router with datapath xdp,
#              tc and an empty tc program against nothing attached, and the tc
#              path's ARP answer rate against the kernel's and the floor's
#              (arp_flood tc), in a lab and a veth pair of its own (own teardown)
# Exits non-zero if a bench fails to run; its stderr is shown then.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
[ "$(id -u)" = 0 ] || {
	echo "bench: must run as root" >&2
	exit 1
}

NS_MICRO=xglb-bench-$$
NS_GEN=xglb-bgen-$$
NS_RTR=xglb-brtr-$$
NS_TABLE=xglb-btab-$$
NS_NDP=xglb-bndp-$$
NS_TC=xglb-btc-$$
NS_HFLOOD=xglb-bhfl-$$
GEN_IF=bgen0
RTR_IF=brtr0
VIP=10.99.0.1
GEN_IP=10.99.0.2
VIP6=2001:db8:99::1
GEN_IP6=2001:db8:99::2
ERR=$(mktemp)
OUT=$(mktemp)
CHILD= # the running bench (a timeout process), stopped on INT/TERM

# shellcheck disable=SC2317 # trap handlers
cleanup() {
	local ns
	for ns in "$NS_MICRO" "$NS_GEN" "$NS_RTR" "$NS_TABLE" "$NS_TC" "$NS_NDP" "$NS_HFLOOD"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	rm -f "$ERR" "$OUT"
}
# shellcheck disable=SC2317 # trap handler
stop_child() { [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null; }
trap cleanup EXIT
trap 'stop_child; exit 130' INT
trap 'stop_child; exit 143' TERM

failed=0
STEPS=" $* "

# want STEP: true when STEP is to run (no step named on the command line: every step;
# ndp_flood is the second half of the arp_flood step)
want() {
	case $1 in
	arp_flood_owncpu | ndp_flood_owncpu) # only when named
		[[ $STEPS == *" arp_flood_owncpu "* ]]
		return
		;;
	esac
	[ "$STEPS" = "  " ] || [[ $STEPS == *" $1 "* ]] ||
		{ [ "$1" = ndp_flood ] && [[ $STEPS == *" arp_flood "* ]]; }
}

run_bench() { # name timeout_s command...
	local name=$1 limit=$2 rc
	shift 2
	want "$name" || return 0
	# in the background, so a signal to this script is handled at once
	timeout "$limit" "$@" >"$OUT" 2>"$ERR" &
	CHILD=$!
	wait "$CHILD"
	rc=$?
	CHILD=
	grep -a '^BENCH ' "$OUT"
	if [ "$rc" -ne 0 ]; then
		echo "bench: $name failed (exit $rc)" >&2
		cat "$ERR" >&2
		failed=1
	fi
}

netns_new() { # name
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# run_bench_in NS NAME TIMEOUT_S COMMAND...: run_bench inside a fresh namespace NS.
run_bench_in() {
	local ns=$1
	shift
	want "$1" || return 0
	if netns_new "$ns"; then
		run_bench "$1" "$2" ip netns exec "$ns" "${@:3}"
	else
		echo "bench: cannot create namespace $ns" >&2
		failed=1
	fi
}

echo "# xglb bench: kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# xdp_*_ns: median ns/packet over an empty XDP program (see tests/bench/xdp_micro.c)"
echo "# xdp_ns_*_ns, xdp_ipv6_pass_ns, xdp_ipv4_pass86_ns: the same for 86-byte frames, an NS for a"
echo "#   vip6 from a known / new host (goals <= 30, <= 150) and pass-through (see tests/bench/ndp_micro.c)"
echo "# host_flood_*: 10,000 established hosts, then 5 s of ARP from a new MAC each request on one"
echo "#   CPU; survivors_pct: still mapped to their forwarder (goal 100) (host_flood.c)"
echo "# arp_flood_*: one CPU, rig/kernel/floor/xglb rounds interleaved, median per side; floor: a bare"
echo "#   XDP bounce, the most any XDP responder can do here; *_owncpu_* (step arp_flood_owncpu, only"
echo "#   when named): the responder's NAPI threaded on a CPU of its own, per second of that CPU (arp_flood.c)"
echo "# ndp_flood_*: the same for NS -> NA (an 86-byte NS for a vip6; the kernel answers it as its"
echo "#   own address of the router side, xglb as the group's virtual address; arp_flood.c ndp)"
echo "# table_*: agent-side table switch of a 16-forwarder group, median per call (table_bench.c)"
echo "# failover_*, restart_*: client-visible loss at 2,000 probes/s, median of trials; xglb and"
echo "#   keepalived (VRRPv3) one after the other on the same lab (failover.sh; $BUILD/bench/failover.log);"
echo "#   failover6_*: the same failure for an IPv6 client at 1,000 probes/s through the virtual link-local,"
echo "#   paired: the client sends IPv4 at the same rate on the same clock in the same trials, failures spread"
echo "#   over the hello period; failover6_ratio_vs_ipv4 = median of the trials' IPv6 / IPv4 outage"
echo "# stop_lost_packets, restart_term_lost_packets: 1,000 probes/s through the stopped AVF, hold 3 s;"
echo "# nic_failover_*: longest gap of a 1 kHz stream when the NIC carrying its forwarder is unplugged, median;"
echo "#   node_failover_*: the same stream when the whole node fails (hold 150 ms); nic_bytes_*: one node's NICs"
echo "#   share of 16 clients' bytes (nic_failover.sh; $BUILD/bench/nic_failover.log)"
echo "#   avg_*_unanswered_ms: ARP requests every 5 ms across the AVG's stop/restart, longest run without a reply x 5 ms, each reply matched to its request (stop.sh; $BUILD/bench/stop.log)"
echo "# tc_*_ns: median ns/packet over an empty tc program, steering on (see tests/bench/tc_micro.c)"
echo "# steer*_flow_mbps, steered_throughput_ratio: iperf3, steered vs owned flow in one lab,"
echo "#   ratio = median over back-to-back pairs (steer_throughput.sh)"
echo "# forward_*: iperf3 c1 -> server through one router, datapath xdp / tc / an empty tc program"
echo "#   vs nothing attached (one router per mode, modes alternating), no XDP anywhere else;"
echo "#   ratio = median over trials of each trial's ratio; _TRIAL: every run;"
echo "#   arp_flood_tc_*: as arp_flood_*, the xglb side being xglb_tc at tc ingress, and the floor"
echo "#   (a bare bounce at tc ingress): the most any tc responder can do here (datapath.sh)"
echo "# redistribute_*: 100,000 synthetic hosts in xglb_seen of the forwarder removed while r2 holds it,"
echo "#   hello 10 ms: hosts told per second, the longest gap between r2's hellos at r1 during it and"
echo "#   in as long a window before it (_idle_), their ratio, the same gaps as r2 sent them (_sent_),"
echo "#   r2's deadlines met > 2 ms late by cause (_late_); redistribute_rt_*: the same with"
echo "#   realtime-priority 10 (redistribute.sh; $BUILD/bench/redistribute.log, redistribute_rt.log)"
echo "# forward_pps_ratio_vs_plain, fastpath_pps_ratio_vs_kernel: 106-byte UDP frames on one CPU"
echo "#   through a router with xglb (steering on) / the fast path vs nothing attached, live-frames"
echo "#   generator and XDP sink, per-round ratios' median; fwd_router_ns_*: the router's ns per"
echo "#   datagram over the rig's; fwd_xglb_prog_ns_*: each xglb program's own ns (BPF run-time"
echo "#   statistics, one extra round); forward_tcp_*: iperf3 through the same routers (forward.sh)"
echo "# agent_idle_*: r1's xglbd over 30 s from /proc, one group, hello 50 ms, 3 peers; scale_*: 255"
echo "#   groups x 16 forwarders, 2^20 hosts written into r1's table; *_ratio: full / empty table,"
echo "#   medians of 20; scale_commit_us: sum of xglb_commit_seconds (the commit path's CPU time)"
echo "#   from a peer's kill until every group failed over, _wall_us the same in wall time, _grace_us"
echo "#   the RCU grace periods in it (scale.sh; \$BUILD/bench/scale.log)"

# ---- per-packet cost -------------------------------------------------------
run_bench_in "$NS_MICRO" xdp_micro 120 "$BUILD/bench/xdp_micro"
run_bench_in "$NS_NDP" ndp_micro 120 "$BUILD/bench/ndp_micro"
run_bench_in "$NS_HFLOOD" host_flood 120 "$BUILD/bench/host_flood"

# ---- ARP flood: xglb vs the kernel -------------------------------------------
if ! want arp_flood && ! want arp_flood_owncpu; then
	:
elif netns_new "$NS_GEN" && netns_new "$NS_RTR" &&
	ip -n "$NS_GEN" link add "$GEN_IF" type veth peer name "$RTR_IF" netns "$NS_RTR" &&
	ip -n "$NS_GEN" link set "$GEN_IF" address 02:99:00:00:00:02 &&
	ip -n "$NS_RTR" link set "$RTR_IF" address 02:99:00:00:00:01 &&
	ip -n "$NS_GEN" addr add "$GEN_IP/24" dev "$GEN_IF" &&
	ip -n "$NS_RTR" addr add "$VIP/24" dev "$RTR_IF" &&
	ip -n "$NS_GEN" link set "$GEN_IF" up &&
	ip -n "$NS_RTR" link set "$RTR_IF" up; then
	run_bench arp_flood 120 "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" "$GEN_IF" "$RTR_IF" "$VIP" "$GEN_IP"
	run_bench arp_flood_owncpu 180 "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" "$GEN_IF" "$RTR_IF" \
		"$VIP" "$GEN_IP" xdp owncpu
	# NDP on the same pair (IPv6 on for these two interfaces only): the kernel's side has VIP6
	# as an address of its own (no DAD)
	if ip netns exec "$NS_RTR" sysctl -qw "net.ipv6.conf.$RTR_IF.disable_ipv6=0" &&
		ip netns exec "$NS_GEN" sysctl -qw "net.ipv6.conf.$GEN_IF.disable_ipv6=0" &&
		ip -n "$NS_RTR" addr add "$VIP6/64" dev "$RTR_IF" nodad &&
		ip -n "$NS_GEN" addr add "$GEN_IP6/64" dev "$GEN_IF" nodad; then
		run_bench ndp_flood 120 "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" "$GEN_IF" "$RTR_IF" \
			"$VIP" "$GEN_IP" ndp "$VIP6" "$GEN_IP6"
		run_bench ndp_flood_owncpu 180 "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" "$GEN_IF" \
			"$RTR_IF" "$VIP" "$GEN_IP" ndp "$VIP6" "$GEN_IP6" owncpu
	else
		echo "bench: cannot add the IPv6 addresses of the flood namespaces" >&2
		failed=1
	fi
else
	echo "bench: cannot build the flood namespaces" >&2
	failed=1
fi

# ---- agent-side table switch ---------------------------------------------------
run_bench_in "$NS_TABLE" table_bench 60 "$BUILD/bench/table_bench"

# ---- failover: xglb vs keepalived; xglbd restart --------------------------------
run_bench failover 330 env BUILD="$BUILD" tests/bench/failover.sh

# ---- a router's NIC unplugged: its forwarders move to its other NIC -------------
run_bench nic_failover 180 env BUILD="$BUILD" tests/bench/nic_failover.sh

# ---- stop and restart of xglbd: packets lost, ARP unanswered --------------------
run_bench stop 300 env BUILD="$BUILD" tests/bench/stop.sh

# ---- an unauthenticated hello flood: no failover ----------------------------------
run_bench hello_flood 90 env BUILD="$BUILD" tests/bench/hello_flood.sh

# ---- the owner's redistribution of 100,000 hosts: rate, hello gaps -----------------------
run_bench redistribute 180 env BUILD="$BUILD" tests/bench/redistribute.sh
run_bench redistribute_rt 180 env BUILD="$BUILD" RT=10 tests/bench/redistribute.sh

# ---- flow steering: tc per-packet cost; steered vs owned throughput ----------------------------
run_bench_in "$NS_TC" tc_micro 60 "$BUILD/bench/tc_micro"
run_bench steer_throughput 150 env BUILD="$BUILD" tests/bench/steer_throughput.sh

# ---- forwarding cost on one CPU: xglb, its fast path, nothing attached ------------------
run_bench forward 600 env BUILD="$BUILD" tests/bench/forward.sh

# ---- the agent at scale: 255 groups x 16 forwarders, 2^20 hosts; idle cost -------------
run_bench scale 600 env BUILD="$BUILD" tests/bench/scale.sh

# ---- data path hooks: tc vs XDP vs nothing on veth; the tc path's ARP answers ----------
run_bench datapath 600 env BUILD="$BUILD" tests/bench/datapath.sh

exit "$failed"
