#!/usr/bin/env bash
# forward.sh - what xglb costs a router's forwarding, and what its XDP fast path gains, on one
# CPU, against the same router with nothing attached, in one run (make bench). Prints
# "BENCH <name> <value> <unit>" lines.
#
# Routers, all alike, each between a generator and a sink of its own (veth pairs, no bridge):
#   gR g0 10.0.0.101 ── eth0 10.0.0.2  router R  eth1 10.1.0.2 ── s0 10.1.0.100 sR
#   plain   rp: nothing attached (GRO on eth0, as on every router here: a veth receives
#           frames sent by XDP_TX only with NAPI, which an XDP program or GRO turns on)
#   plain2  rq: the same as plain: the control; its ratio to plain shows the noise
#   The hooks one by one, empty programs (build/xdp_pass.bpf.o: XDP_PASS, TC_ACT_OK) where
#   xglbd attaches its own, each router one more than the last (the elimination table):
#   xdponly re: XDP on eth0
#   xdpin   ri: XDP on eth0, clsact ingress on eth0 and eth1
#   hooks   rh: XDP on eth0, clsact ingress and egress on eth0 and eth1: the hooks an xglbd
#           without tcx uses
#   hookstcx rt: as hooks with the tc programs at the tcx hooks (no qdisc; tests/tools/xglb_tcx),
#           as xglbd attaches them where the kernel has tcx. What the hooks cost before any of
#           xglb's work (xglb - hookstcx is what xglb's code costs)
#   xglb    rx: xglbd, membership (one node: AVG, owner of forwarder 0 and of every flow),
#           flow steering on eth0 and eth1, datapath xdp, fast-path off: every datagram
#           crosses xglb_xdp (vMAC -> the interface's MAC), xglb_tc_ingress (steering:
#           owned), the kernel, and the egress guard on eth1
#   fast    rf: as xglb with fast-path on: routed inside xglb_xdp, out by a devmap redirect
#   rig     no router: the generator's veth ends at the sink (the rig's own cost)
# The generator sends to the router's MAC (plain) or forwarder 0's vMAC (xglb, fast).
#
# UDP: tests/bench/fwd_flood (live-frames generator and a counting sink, both XDP; see its
# header), 106-byte frames (64-byte UDP payload), everything on one CPU, ROUNDS (FWD_ROUNDS,
# default 7) rounds of WINDOW_MS (FWD_WINDOW_MS, default 1000), the modes rotating. Ratios are
# taken per round, then the median:
#   forward_pps_ratio_vs_plain           xglb / plain             (goal >= 0.97)
#   fastpath_pps_ratio_vs_kernel         fast / plain             (goal >= 2)
#   fastpath_pps_ratio_vs_xglb           fast / xglb (xglb without the fast path)
#   forward_pps_ratio_plain2_vs_plain    the noise
#   forward_pps_ratio_hooks_vs_plain     empty programs at xglb's hooks / plain
#   forward_pps_ratio_MODE_vs_plain      the same for xdponly, xdpin, hookstcx
#   fwd_router_ns_MODE                   ns per datagram the router adds to the rig's
#                                        (1/rate - 1/rig rate; generator and sink excluded)
#   fastpath_router_ns_ratio_vs_kernel   plain's router ns / fast's: the routers' own ratio
# and every fwd_* line fwd_flood prints. A mode counts only if its datagrams took the
# intended path: the sink saw only TTL 63 (fwd_flood checks), and xglbd's counters rose by
# at least the datagrams the sink counted (rx: tc_steer_owned and xdp_pass_vmac; rf:
# xdp_fp_redirect); otherwise the bench fails.
#
# TCP: iperf3 -t TCP_SECONDS (FWD_TCP_SECONDS, default 2, -O 1) from g0 to an iperf3 server in
# the sink's namespace, 1500-byte MTU, TCP_TRIALS trials (FWD_TCP_TRIALS, default 5), modes
# rotating; the generators send finished checksums (tx offload off: a frame XDP redirects
# leaves as it is, see docs/datapath.md "Fast path"), for every mode alike:
#   forward_tcp_ratio_vs_plain, fastpath_tcp_ratio_vs_kernel, forward_tcp_ratio_plain2_vs_plain
#   forward_tcp_mbps_MODE (medians), forward_tcp_mbps_MODE_TRIAL
# Needs root, iperf3, jq, ethtool; everything runs in namespaces this script makes, removed
# on exit.
# shellcheck disable=SC2317 # lab_wait predicates
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1

ROUNDS=${FWD_ROUNDS:-7}
WINDOW=${FWD_WINDOW_MS:-1000}
TCP_TRIALS=${FWD_TCP_TRIALS:-5}
TCP_SECS=${FWD_TCP_SECONDS:-2}
ROUTERS=(rp rq re ri rh rt rx rf)
declare -A MODE=([rp]=plain [rq]=plain2 [re]=xdponly [ri]=xdpin [rh]=hooks [rt]=hookstcx [rx]=xglb
	[rf]=fast)
GID=1
VMAC=02:78:67:62:01:00

die() {
	echo "forward: $*" >&2
	exit 1
}
for t in iperf3 jq ethtool; do command -v "$t" >/dev/null || die "$t is not installed"; done
for b in xglbd xglbctl bench/fwd_flood tools/xglb_tcx; do
	[ -e "$LAB_BUILD/$b" ] || die "$LAB_BUILD/$b is not built"
done

lab_init
mac_of() { ip netns exec "$(lab_ns "$1")" cat "/sys/class/net/$2/address"; }

# ---- the routers, generators and sinks ---------------------------------------------------
for r in "${ROUTERS[@]}" rig; do
	_lab_netns_add "g$r"
	_lab_netns_add "s$r"
	ip netns exec "$(lab_ns "g$r")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$(lab_ns "s$r")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip link add g0 netns "$(lab_ns grig)" type veth peer name s0 netns "$(lab_ns srig)" &&
	ip -n "$(lab_ns grig)" link set g0 up && ip -n "$(lab_ns srig)" link set s0 up ||
	die "the rig's veth pair"
for r in "${ROUTERS[@]}"; do
	_lab_netns_add "$r"
	ns=$(lab_ns "$r") gns=$(lab_ns "g$r") sns=$(lab_ns "s$r")
	{ ip link add eth0 netns "$ns" type veth peer name g0 netns "$gns" &&
		ip link add eth1 netns "$ns" type veth peer name s0 netns "$sns" &&
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.disable_ipv6=1 &&
		ip -n "$ns" addr add 10.0.0.2/24 dev eth0 && ip -n "$ns" addr add 10.1.0.2/24 dev eth1 &&
		ip -n "$gns" addr add 10.0.0.101/24 dev g0 && ip -n "$sns" addr add 10.1.0.100/24 dev s0 &&
		for l in "$ns eth0" "$ns eth1" "$gns g0" "$sns s0"; do
			# shellcheck disable=SC2086 # "namespace interface"
			ip -n ${l% *} link set ${l#* } up || exit 1
		done &&
		ip netns exec "$ns" ethtool -K eth0 gro on >/dev/null &&
		ip netns exec "$gns" ethtool -K g0 tx off >/dev/null &&
		ip -n "$ns" neigh replace 10.1.0.100 lladdr "$(mac_of "s$r" s0)" dev eth1 nud permanent &&
		ip -n "$ns" neigh replace 10.0.0.101 lladdr "$(mac_of "g$r" g0)" dev eth0 nud permanent &&
		ip -n "$sns" route add default via 10.1.0.2 &&
		ip -n "$sns" neigh replace 10.1.0.2 lladdr "$(mac_of "$r" eth1)" dev s0 nud permanent; } ||
		die "router $r and its generator and sink"
	if [ "$r" = rx ] || [ "$r" = rf ]; then
		ip -n "$gns" route add default via 10.0.0.1 &&
			ip -n "$gns" neigh replace 10.0.0.1 lladdr "$VMAC" dev g0 nud permanent
	else
		ip -n "$gns" route add default via 10.0.0.2 &&
			ip -n "$gns" neigh replace 10.0.0.2 lladdr "$(mac_of "$r" eth0)" dev g0 nud permanent
	fi || die "$r: the generator's route"
done

# the sinks run XDP (as fwd_flood's counter will): a veth whose peer runs none takes no
# XDP_REDIRECT, and rf's xglbd only sends out of interfaces that take them
sinks_xdp() {
	local r
	for r in "${ROUTERS[@]}"; do
		ip -n "$(lab_ns "s$r")" link set dev s0 xdpdrv obj "$LAB_BUILD/xdp_pass.bpf.o" \
			sec xdp.frags || return 1
	done
}
sinks_xdp || die "XDP on the sinks"

# ---- hooks: empty programs where xglbd attaches its own, one hook more per router ----------
for r in re ri rh rt; do
	ip -n "$(lab_ns "$r")" link set dev eth0 xdpdrv obj "$LAB_BUILD/xdp_pass.bpf.o" sec xdp.frags ||
		die "$r: the empty XDP program"
done
for r in ri rh; do
	dirs=ingress
	[ "$r" = rh ] && dirs="ingress egress"
	for dev in eth0 eth1; do
		tc -n "$(lab_ns "$r")" qdisc add dev "$dev" clsact || die "$r: clsact on $dev"
		for dir in $dirs; do
			tc -n "$(lab_ns "$r")" filter add dev "$dev" "$dir" bpf da \
				obj "$LAB_BUILD/xdp_pass.bpf.o" sec tc || die "$r: the empty tc program at $dev $dir"
		done
	done
done
for dev in eth0 eth1; do
	for dir in ingress egress; do
		ip netns exec "$(lab_ns rt)" "$LAB_BUILD/tools/xglb_tcx" attach "$dev" "$dir" \
			"$LAB_BUILD/xdp_pass.bpf.o" tc_pass first || die "rt: the empty tcx program at $dev $dir"
	done
done

# ---- xglbd on rx (fast-path off) and rf (on) ---------------------------------------------
(umask 077 && head -c 32 /dev/urandom >"$LAB_DIR/key")
for r in rx rf; do
	lab_set "$r" pin_root "$LAB_BPFFS/$r"
	cat >"$LAB_DIR/$r.yaml" <<EOF
node: $r
pin-root: $LAB_BPFFS/$r
state-dir: $LAB_DIR/state-$r
control-socket: $LAB_DIR/$r.sock
datapath: xdp
membership:
  key-file: $LAB_DIR/key
nodes:
  - name: $r
    id: 1
    address: 10.0.0.2
groups:
  - id: $GID
    vip: 10.0.0.1
    interfaces: [eth0]
    timers: {hello-ms: 100, hold-ms: 500}
    steering:
      enabled: true
      interfaces: [eth0, eth1]
$([ "$r" = rf ] && echo "    fast-path: true")
    forwarders:
      - index: 0
        owner: $r
EOF
	lab_start_xglbd "$r" "$LAB_DIR/$r.yaml" >/dev/null || die "xglbd on $r did not start"
done
owned() { # router: forwarder 0 local, steering tables in force, (rf) eth1 a way out
	[ "$(lab_jst "$1" '.groups[0].forwarders[0].local')" = true ] &&
		[ "$(lab_jst "$1" '.groups[0].role')" = avg ] &&
		{ [ "$1" = rx ] || lab_jst "$1" '.fast_path.egress | index("eth1") != null' | grep -qx true; }
}
for r in rx rf; do lab_wait 15 owned "$r" || die "$r: forwarder 0 not owned, or (rf) no way out"; done
reason() { lab_ctl "$1" --json stats | jq --arg r "$2" '.reasons[$r] // 0'; }

# ---- UDP on one CPU ------------------------------------------------------------------------
args=("rig,$(lab_ns grig),g0,$(lab_ns srig),s0,$(mac_of srig s0)")
for r in "${ROUTERS[@]}"; do
	dst=$VMAC
	[ "$r" = rx ] || [ "$r" = rf ] || dst=$(mac_of "$r" eth0)
	args+=("${MODE[$r]},$(lab_ns "g$r"),g0,$(lab_ns "s$r"),s0,$dst")
done
o0=$(reason rx tc_steer_owned) v0=$(reason rx xdp_pass_vmac) f0=$(reason rf xdp_fp_redirect)
out=$(timeout 300 "$LAB_BUILD/bench/fwd_flood" "$ROUNDS" "$WINDOW" "${args[@]}") ||
	die "fwd_flood failed"
o1=$(reason rx tc_steer_owned) v1=$(reason rx xdp_pass_vmac) f1=$(reason rf xdp_fp_redirect)
echo "$out"
val() { awk -v n="BENCH fwd_$1" '$1 " " $2 == n { print $3 }' <<<"$out"; }
# every datagram the sinks counted took its intended path
pps_sum() { # mode: datagrams at least counted over the windows (rate x window)
	for ((i = 0; i < ROUNDS; i++)); do val "$1_pps_round$i"; done |
		awk -v w="$WINDOW" '{ s += $1 * w / 1000 } END { printf "%.0f\n", s }'
}
nx=$(pps_sum xglb) nf=$(pps_sum fast)
[ $((o1 - o0)) -ge "$nx" ] && [ $((v1 - v0)) -ge "$nx" ] ||
	die "xglb mode: tc_steer_owned +$((o1 - o0)), xdp_pass_vmac +$((v1 - v0)) for $nx datagrams at the sink"
[ $((f1 - f0)) -ge "$nf" ] || die "fast mode: xdp_fp_redirect +$((f1 - f0)) for $nf datagrams at the sink"

per_round() { # expr over per-round rates: a b -> value; prints the median
	for ((i = 0; i < ROUNDS; i++)); do
		awk -v a="$(val "$2_pps_round$i")" -v b="$(val "$3_pps_round$i")" \
			-v rig="$(val "rig_pps_round$i")" "BEGIN { $1 }"
	done | median
}
bench forward_pps_ratio_vs_plain "$(per_round 'printf "%.3f\n", a / b' xglb plain)" x
bench fastpath_pps_ratio_vs_kernel "$(per_round 'printf "%.3f\n", a / b' fast plain)" x
bench fastpath_pps_ratio_vs_xglb "$(per_round 'printf "%.3f\n", a / b' fast xglb)" x
bench forward_pps_ratio_plain2_vs_plain "$(per_round 'printf "%.3f\n", a / b' plain2 plain)" x
for m in hooks xdponly xdpin hookstcx; do
	bench "forward_pps_ratio_${m}_vs_plain" "$(per_round 'printf "%.3f\n", a / b' "$m" plain)" x
done
for m in plain plain2 xdponly xdpin hooks hookstcx xglb fast; do
	bench "fwd_router_ns_$m" "$(per_round 'printf "%.1f\n", 1e9 / a - 1e9 / rig' "$m" "$m")" ns
done
bench fastpath_router_ns_ratio_vs_kernel \
	"$(per_round 'printf "%.2f\n", (1e9 / b - 1e9 / rig) / (1e9 / a - 1e9 / rig)' fast plain)" x

# ---- where xglb's cost goes: one more xglb round with BPF run-time statistics -------------
# kernel.bpf_stats_enabled makes the kernel time every BPF program run (machine-wide, so
# only for this one round, restored on exit); run_time_ns / run_cnt of the programs on rx's
# hooks is each program's own cost per datagram. What the router costs beyond plain and is
# not in them is the hooks' own: the XDP-on-veth receive, the tc hooks' dispatch.
prog_id() { # router dev hook(xdp|ingress|egress): xglb's program there (tcx, else clsact)
	local id
	id=$(ip netns exec "$(lab_ns "$1")" "$LAB_BUILD/tools/xglb_tcx" show "$2" 2>/dev/null |
		awk -v h="$3" '$1 == h && $3 ~ /^xglb_/ { print $2; exit }')
	[ -n "$id" ] && [ "$3" != xdp ] && { echo "$id"; return; }
	ip netns exec "$(lab_ns "$1")" bpftool -j net show dev "$2" |
		jq -r --arg h "$3" 'if $h == "xdp" then (.[0].xdp[0].id // empty)
			else ([.[0].tc[]? | select(.kind == "clsact/" + $h) | .id][0] // empty) end'
}
prog_ns() { # id: ns per run so far, and runs
	bpftool -j prog show id "$1" | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"'
}
STATS0=$(sysctl -n kernel.bpf_stats_enabled)
restore_stats() { sysctl -qw kernel.bpf_stats_enabled="$STATS0"; }
trap 'restore_stats; lab_teardown' EXIT
# (xglb_tc_ingress is one program on eth0 and eth1; only eth0's sees these datagrams)
ids=("$(prog_id rx eth0 xdp)" "$(prog_id rx eth0 ingress)" "$(prog_id rx eth1 egress)")
names=(xdp tc_ingress tc_egress)
for i in "${!ids[@]}"; do [ -n "${ids[$i]}" ] || die "rx: no program at ${names[$i]}"; done
sysctl -qw kernel.bpf_stats_enabled=1 || die "kernel.bpf_stats_enabled"
declare -A P0
for i in "${!ids[@]}"; do P0[$i]=$(prog_ns "${ids[$i]}"); done
pout=$(timeout 60 "$LAB_BUILD/bench/fwd_flood" 1 "$WINDOW" \
	"xglb,$(lab_ns grx),g0,$(lab_ns srx),s0,$VMAC") || { restore_stats; die "fwd_flood (profile) failed"; }
for i in "${!ids[@]}"; do
	read -r t0 n0 <<<"${P0[$i]}"
	read -r t1 n1 <<<"$(prog_ns "${ids[$i]}")"
	bench "fwd_xglb_prog_ns_${names[$i]}" \
		"$(awk -v t=$((t1 - t0)) -v n=$((n1 - n0)) 'BEGIN { printf "%.1f", n ? t / n : 0 }')" ns
	bench "fwd_xglb_prog_runs_${names[$i]}" $((n1 - n0)) runs
done
restore_stats
bench fwd_xglb_profiled_pps "$(awk '$2 == "fwd_xglb_pps" { print $3 }' <<<"$pout")" pps

# ---- TCP, 1500-byte MTU --------------------------------------------------------------------
sinks_xdp || die "XDP on the sinks again" # fwd_flood took its counter off
lab_wait 15 owned rf || die "rf: eth1 not a way out again"
for r in "${ROUTERS[@]}"; do
	lab_bg "s$r" "$LAB_DIR/iperf.$r.log" iperf3 -s -p 5201
done
_listens() { [ -n "$(ip netns exec "$(lab_ns "s$1")" ss -Hltn 'sport = :5201')" ]; }
for r in "${ROUTERS[@]}"; do lab_wait 5 _listens "$r" || die "iperf3 server behind $r"; done
declare -A TCP
f0=$(reason rf xdp_fp_redirect)
for ((t = 0; t < TCP_TRIALS; t++)); do
	for ((k = 0; k < ${#ROUTERS[@]}; k++)); do
		r=${ROUTERS[$(((t + k) % ${#ROUTERS[@]}))]}
		j=$(ip netns exec "$(lab_ns "g$r")" iperf3 -c 10.1.0.100 -p 5201 -t "$TCP_SECS" -O 1 -J) ||
			die "iperf3 through $r: $(jq -r '.error // empty' <<<"$j")"
		TCP[$r.$t]=$(jq '.end.sum_received.bits_per_second / 1e6' <<<"$j")
	done
done
f1=$(reason rf xdp_fp_redirect)
[ $((f1 - f0)) -gt 10000 ] || die "TCP through rf: xdp_fp_redirect +$((f1 - f0))"
tcp_ratio() { # a b
	for ((t = 0; t < TCP_TRIALS; t++)); do
		awk -v a="${TCP[$1.$t]}" -v b="${TCP[$2.$t]}" 'BEGIN { printf "%.3f\n", (b > 0 ? a / b : 0) }'
	done | median
}
bench forward_tcp_ratio_vs_plain "$(tcp_ratio rx rp)" x
bench fastpath_tcp_ratio_vs_kernel "$(tcp_ratio rf rp)" x
bench forward_tcp_ratio_plain2_vs_plain "$(tcp_ratio rq rp)" x
for r in re ri rh rt; do
	bench "forward_tcp_ratio_${MODE[$r]}_vs_plain" "$(tcp_ratio "$r" rp)" x
done
for r in "${ROUTERS[@]}"; do
	bench "forward_tcp_mbps_${MODE[$r]}" \
		"$(for ((t = 0; t < TCP_TRIALS; t++)); do echo "${TCP[$r.$t]}"; done | median | awk '{ printf "%.0f", $1 }')" Mbit/s
done
for ((t = 0; t < TCP_TRIALS; t++)); do
	for r in "${ROUTERS[@]}"; do
		bench "forward_tcp_mbps_${MODE[$r]}_$t" "$(awk -v v="${TCP[$r.$t]}" 'BEGIN { printf "%.0f", v }')" Mbit/s
	done
done
bench forward_rounds "$ROUNDS" rounds
bench forward_window_ms "$WINDOW" ms
