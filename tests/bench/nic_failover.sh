#!/usr/bin/env bash
# nic_failover.sh - a router with two links into the segment (make bench):
# the outage of a 1 kHz datagram stream when the NIC carrying its forwarder
# is unplugged (the forwarder moves to the node's other NIC: no hold
# timer), against the outage when the whole node fails in the same lab and
# run (its peer takes over at the hold time); and how evenly one node's
# NICs share the bytes of 16 clients. Prints "BENCH <name> <value> <unit>".
#
# Lab (tests/lab/lab.sh): r1 with eth0 and eth2 on the client segment (its
# second link: lab_add_link), r2 with eth0; 4 forwarders, preferred owners
# r1, r1, r2, r2 (r2 the AVG, priority 200); r1's fwd 0 on eth0, fwd 1 on
# eth2. The server's default route is r2, so the echoes of the probes never
# cross r1: only the client -> server direction does. hello 50 ms, hold
# 150 ms (as failover.sh), nic-return-ms 300.
#
#   nic_failover_outage_ms     longest gap of the stream (xglb_probe max_gap_ms,
#                              1,000 datagrams/s) from fwd 1's client when r1's eth2
#                              goes down (ip link set eth2 down in r1): median of
#                              NIC_TRIALS (goal <= 20)
#   nic_failover_switch_end_outage_ms  the same, the NIC unplugged at the switch's end
#                              (the bridge port of r1's eth2 set down)
#   node_failover_outage_ms    the same stream when r1 fails (eth0 and eth2 down,
#                              then kill -9 of its xglbd, as failover.sh does): r2
#                              takes fwd 1 at the hold time; median of NODE_TRIALS
#   nic_failover_ratio_vs_node_failover   the first / the second (goal << 1)
#   nic_bytes_split_max_dev_pct  16 clients (4 per forwarder, round-robin) send 200
#                              datagrams/s of 500 bytes each for 3 s; r1's NICs'
#                              received bytes: the largest deviation from the even
#                              split, % (goal <= 10); nic_bytes_eth0, nic_bytes_eth2
#   *_N                        each trial
# Environment: NIC_TRIALS (5), NODE_TRIALS (3). Needs root, jq; everything runs
# in the lab's namespaces and is removed on exit. Log: $BUILD/bench/nic_failover.log.
# shellcheck disable=SC2317 # functions called through lab_wait
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1

NIC_TRIALS=${NIC_TRIALS:-5}
NODE_TRIALS=${NODE_TRIALS:-3}
RATE=1000
PORT=7777
HELLO=50 HOLD=150 RETURN_MS=300
PROBE=$LAB_BUILD/tools/xglb_probe

bench_log nic_failover
diag() {
	echo "nic_failover: $*" >&2
	echo "$(date +%T.%3N) $*" >>"$BENCH_LOG"
}
die() {
	diag "$*"
	lab_mark_failed
	exit 1
}
command -v jq >/dev/null || die "jq not installed (make deps)"
[ -x "$PROBE" ] && [ -x "$LAB_BUILD/xglbd" ] || die "build first (make all tools)"

# ---- lab ---------------------------------------------------------------------
CLIENTS=()
for i in $(seq 1 16); do CLIENTS+=("c$i"); done
lab_setup r1 r2 -- "${CLIENTS[@]}"
lab_add_link r1 eth2
lab_exec server ip route replace default via "$LAB_SRV_NET.3" dev eth0
cfg1=$(lab_write_config r1 membership=1 owners=r1,r1,r2,r2 persistence=3 prios=100,200 \
	hello_ms=$HELLO hold_ms=$HOLD lease_ms=1000 ifaces=eth0,eth2 nic_return_ms=$RETURN_MS)
cfg2=$(lab_write_config r2 membership=1 owners=r1,r1,r2,r2 persistence=3 prios=100,200 \
	hello_ms=$HELLO hold_ms=$HOLD lease_ms=1000)
lab_start_xglbd r1 "$cfg1" || die "xglbd on r1"
lab_start_xglbd r2 "$cfg2" || die "xglbd on r2"
want="avg=r2 owners=r1,r1,r2,r2"
converged() { [ "$(lab_view r1 | sed 's/ v=[0-9]*//')" = "$want" ] &&
	[ "$(lab_view r2 | sed 's/ v=[0-9]*//')" = "$want" ]; }
iface_of() { lab_jst r1 ".groups[0].forwarders[$1].interface"; }
spread() { [ "$(iface_of 0)" = eth0 ] && [ "$(iface_of 1)" = eth2 ]; }
lab_wait 15 converged || die "routers do not converge: $(lab_views)"
lab_wait 5 spread || die "r1's forwarders are not spread over eth0 and eth2"
lab_bg server "$LAB_DIR/echo.log" "$PROBE" echo "$PORT"
lab_wait 5 _lab_udp_listens server "$PORT" || die "echo on the server"

# The clients in the order they ask: the AVG hands the 4 vMACs out round-robin.
for c in "${CLIENTS[@]}"; do
	lab_exec "$c" ping -c 1 -W 2 -q "$LAB_SERVER_IP" >/dev/null || die "$c does not reach the server"
done
client_of() { # forwarder: the first client holding its vMAC
	local c
	for c in "${CLIENTS[@]}"; do
		[ "$(lab_neigh_mac "$c")" = "$(lab_vmac "$1")" ] && { echo "$c"; return; }
	done
}
C1=$(client_of 1)
[ -n "$C1" ] || die "no client holds fwd 1's vMAC"
diag "fwd 1 (r1, eth2) client: $C1"

# ---- one outage trial ----------------------------------------------------------
# trial TAG FAIL_FN RESTORE_FN: the stream from C1 for 3 s, FAIL_FN once a
# quarter of it went through, then RESTORE_FN; T_GAP = its max_gap_ms.
T_GAP=
srv_rx() { lab_exec server cat /sys/class/net/eth0/statistics/rx_packets; }
srv_rx_at_least() { [ "$(srv_rx)" -ge "$1" ]; }
trial() {
	local tag=$1 fail=$2 restore=$3 rx0 pp out
	rx0=$(srv_rx)
	lab_bg "$C1" "$LAB_DIR/probe.$tag" "$PROBE" send "$LAB_SERVER_IP" "$PORT" "$RATE" 3 500
	pp=$LAB_BG_PID
	lab_wait 10 srv_rx_at_least $((rx0 + RATE / 4)) || die "$tag: the stream never reached the server"
	"$fail"
	wait "$pp"
	out=$(grep '^{' "$LAB_DIR/probe.$tag")
	diag "$tag: $out"
	"$restore"
	T_GAP=$(jq -r '.max_gap_ms // empty' <<<"$out")
	[ -n "$T_GAP" ] || die "$tag: no probe result: $(cat "$LAB_DIR/probe.$tag")"
}

moved() { [ "$(iface_of 1)" = eth0 ]; }
# "unplugged" at the router's end (its eth2 set down) or at the switch's (the bridge port down)
PORT2=$(lab_port r1 eth2) SW=$(lab_seg_ns r1 eth2)
nic_down() {
	lab_exec r1 ip link set eth2 down
	lab_wait 2 moved || die "fwd 1 did not move to eth0"
}
sw_down() {
	ip -n "$SW" link set "$PORT2" down
	lab_wait 2 moved || die "fwd 1 did not move to eth0 (switch end)"
}
sw_up() {
	ip -n "$SW" link set "$PORT2" up
	lab_wait 5 spread || die "fwd 1 did not return to eth2 (switch end)"
}
nic_up() {
	lab_exec r1 ip link set eth2 up
	lab_wait 5 spread || die "fwd 1 did not return to eth2"
	lab_wait 5 converged || die "not converged after the NIC trial: $(lab_views)"
}
node_down() {
	lab_exec r1 ip link set eth0 down
	lab_exec r1 ip link set eth2 down
	lab_kill_xglbd r1
}
node_up() {
	lab_exec r1 ip link set eth0 up
	lab_exec r1 ip link set eth2 up
	lab_start_xglbd r1 "$cfg1" || die "xglbd on r1 again"
	lab_wait 15 converged || die "not converged after the node trial: $(lab_views)"
	lab_wait 5 spread || die "r1's forwarders not spread after its restart"
}

NIC=() NODE=()
for n in $(seq 1 "$NIC_TRIALS"); do
	trial "nic$n" nic_down nic_up
	NIC+=("$T_GAP")
	bench "nic_failover_outage_ms_$n" "$T_GAP" ms
done
SW_T=()
for n in $(seq 1 "$NIC_TRIALS"); do
	trial "sw$n" sw_down sw_up
	SW_T+=("$T_GAP")
	bench "nic_failover_switch_end_outage_ms_$n" "$T_GAP" ms
done
for n in $(seq 1 "$NODE_TRIALS"); do
	trial "node$n" node_down node_up
	NODE+=("$T_GAP")
	bench "node_failover_outage_ms_$n" "$T_GAP" ms
done
nic=$(printf '%s\n' "${NIC[@]}" | median)
node=$(printf '%s\n' "${NODE[@]}" | median)
bench nic_failover_outage_ms "$nic" ms
bench nic_failover_switch_end_outage_ms "$(printf '%s\n' "${SW_T[@]}" | median)" ms
bench node_failover_outage_ms "$node" ms
bench nic_failover_ratio_vs_node_failover \
	"$(awk -v a="$nic" -v b="$node" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }')" ratio

# ---- the byte split over r1's NICs -------------------------------------------------
rxb() { lab_exec r1 cat "/sys/class/net/$1/statistics/rx_bytes"; }
b0=$(rxb eth0) b2=$(rxb eth2)
pids=()
for c in "${CLIENTS[@]}"; do
	lab_bg "$c" "$LAB_DIR/split.$c" "$PROBE" send "$LAB_SERVER_IP" "$PORT" 200 3 500 500
	pids+=("$LAB_BG_PID")
done
wait "${pids[@]}"
b0=$(($(rxb eth0) - b0)) b2=$(($(rxb eth2) - b2))
diag "split: eth0 $b0 bytes, eth2 $b2 bytes; fwd interfaces $(iface_of 0) $(iface_of 1)"
bench nic_bytes_eth0 "$b0" bytes
bench nic_bytes_eth2 "$b2" bytes
bench nic_bytes_split_max_dev_pct \
	"$(awk -v a="$b0" -v b="$b2" 'BEGIN { m = (a + b) / 2; d = a > b ? a - m : b - m;
		if (m > 0) printf "%.1f", d * 100 / m; else print "nan" }')" pct
