#!/usr/bin/env bash
# steer_throughput.sh - TCP throughput of a steered flow (one extra hop each way) relative to an
# owned one, in one lab (make bench). Prints "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh): routers r1 r2 with membership and flow steering on both segments
# (steer=1), one client whose vMAC is r1's (two clients ARP, the one r1 got is used), the
# server, whose default route is r1. So every packet of the client's flows reaches r1 first,
# in both directions, and:
#   owned flow    its bucket is r1's: r1 routes it both ways (the tc program runs and
#                 counts tc_steer_owned, nothing else);
#   steered flow  its bucket is r2's: r1's tc ingress sends every frame on to r2 at layer 2
#                 (client -> r1 -> r2 -> server, server -> r1 -> r2 -> client).
# The two flows differ only in the iperf3 client port (--cport, chosen with
# tests/tools/xglb_tcp port, which reads r1's pinned bucket table), so the routing, the
# programs and the lab are the same. TRIALS pairs (STEER_TP_TRIALS, default 7) of one owned
# and one steered run of SECONDS s each (STEER_TP_SECONDS, default 2, after one left-out second
# of slow start: iperf3 -O 1), back to back, the order alternating from pair to pair. Rates are
# the receiver's (iperf3 end.sum_received). The machine may be shared with other work, which
# moves absolute rates by 2x from one run to the next; the two runs of a pair see nearly the
# same load, so the ratio is taken per pair:
#   steered_throughput_ratio   median over pairs of steered / owned (goal >= 0.7)
#   steer_owned_flow_mbps      median Mbit/s of the owned runs
#   steer_steered_flow_mbps    median Mbit/s of the steered runs
#   steered_throughput_ratio_of_medians   the two medians' ratio, for comparison
#   steer_*_flow_mbps_N        each run
# A trial counts only if r1's tc_steer_steered counter shows that its data went the intended
# way (steered trial: at least one steered frame per 2 KB received; owned trial: fewer than
# 100 steered frames - the iperf3 control connection may be steered); otherwise the bench
# fails. Runs on this machine's CPUs like everything else: on 2 cores the iperf3 processes
# and the routers' softirqs compete, as they would for any path through veth pairs.
# Needs root, iperf3, jq; everything runs in the lab's namespaces and is removed on exit.
# shellcheck disable=SC2317 # lab_wait predicates
# shellcheck disable=SC2119 # lab_server without arguments: the default name
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1

TRIALS=${STEER_TP_TRIALS:-7}
SECS=${STEER_TP_SECONDS:-2}
PORT=5201
TOOL=$LAB_BUILD/tools/xglb_tcp
# STEER_TP_PIN=1: iperf3 client on the last CPU, server on the first (veth delivers on the
# transmitting CPU, so each direction's forwarding runs on its sender's CPU). Off by default:
# on a machine shared with other work, pinned processes cannot move away from a busy CPU.
AFF_CLI=() AFF_SRV=()
if [ "${STEER_TP_PIN:-0}" = 1 ] && [ "$(nproc)" -gt 1 ]; then
	AFF_CLI=(-A "$(($(nproc) - 1))") AFF_SRV=(-A 0)
fi

die() {
	echo "steer_throughput: $*" >&2
	exit 1
}
command -v iperf3 >/dev/null || die "iperf3 is not installed"
for b in xglbd xglbctl xdp_pass.bpf.o tools/xglb_tcp; do
	[ -e "$LAB_BUILD/$b" ] || die "$LAB_BUILD/$b is not built"
done

steer_ready() { # both routers: tables on both interfaces, the peer's MAC known, 2 owners
	local r
	for r in r1 r2; do
		"$TOOL" tables "$(lab_get "$r" pin_root)" 2>/dev/null | jq -e '
			.steer and (.ifaces | length) == 2 and all(.ifaces[]; (.valid | length) == 1) and
			(.buckets | length) == 2 and all(.buckets[]; . > 0) and .unowned == 0' \
			>/dev/null || return 1
	done
}

lab_init
lab_router r1
lab_router r2
lab_server server
lab_client c1
lab_client c2
for r in r1 r2; do
	cfg=$(lab_write_config "$r" membership=1 steer=1 hello_ms=200 hold_ms=1000)
	lab_start_xglbd "$r" "$cfg" || die "xglbd on $r not ready"
done
lab_wait 10 lab_agree r1 r2 || die "r1 and r2 do not agree"
lab_wait 10 steer_ready || die "steering tables not ready"

# the client whose vMAC is r1's
client=
for c in c1 c2; do
	lab_exec "$c" ping -c 1 -W 2 -q "$LAB_VIP" >/dev/null || die "$c cannot reach the VIP"
	m=$(lab_neigh_mac "$c")
	[[ $m =~ ^02:78:67:62:01:0([0-9])$ ]] || die "$c holds no vMAC ('$m')"
	[ "$(lab_jst r1 ".groups[0].forwarders[${BASH_REMATCH[1]}].owner_name")" = r1 ] && client=$c
done
[ -n "$client" ] || die "no client got r1's vMAC"
cip=$(lab_get "$client" ip)

lab_bg server "$LAB_DIR/iperf3.log" iperf3 -s -p "$PORT" "${AFF_SRV[@]}"
lab_wait 5 bash -c "ip netns exec $(lab_ns server) ss -Hltn 'sport = :$PORT' | grep -q ." ||
	die "iperf3 server not listening"

pin=$(lab_get r1 pin_root)
port_owned=$("$TOOL" port "$pin" "$cip" "$LAB_SERVER_IP" "$PORT" 0 30000) || die "no r1-owned port"
port_steered=$("$TOOL" port "$pin" "$cip" "$LAB_SERVER_IP" "$PORT" 1 30000) || die "no r2-owned port"

declare -A RATES
RATIOS=""
trial() { # kind port n
	local kind=$1 port=$2 n=$3 s0 s1 json bps bytes steered
	s0=$(lab_reason r1 tc_steer_steered)
	json=$(lab_exec "$client" iperf3 -c "$LAB_SERVER_IP" -p "$PORT" --cport "$port" -t "$SECS" \
		-O 1 "${AFF_CLI[@]}" -J 2>&1) ||
		die "iperf3 $kind trial $n failed: $(jq -r '.error // empty' <<<"$json" 2>/dev/null || echo "$json" | tail -n 3)"
	s1=$(lab_reason r1 tc_steer_steered)
	steered=$((s1 - s0))
	bps=$(jq '.end.sum_received.bits_per_second' <<<"$json")
	bytes=$(jq '.end.sum_received.bytes' <<<"$json")
	if [ "$kind" = steered ]; then
		[ "$steered" -ge $((bytes / 2048)) ] ||
			die "steered trial $n: r1 steered only $steered frames for $bytes bytes (cport $port)"
	else
		[ "$steered" -lt 100 ] || die "owned trial $n: r1 steered $steered frames (cport $port)"
	fi
	RATES[$kind]+=" $(awk -v b="$bps" 'BEGIN { printf "%.0f", b / 1e6 }')"
	echo "BENCH steer_${kind}_flow_mbps_$n $(awk -v b="$bps" 'BEGIN { printf "%.0f", b / 1e6 }') Mbit/s"
}
last() { echo "${RATES[$1]##* }"; }
for ((i = 1; i <= TRIALS; i++)); do
	# alternate which goes first, so neither always follows the other
	if ((i % 2)); then
		trial owned "$port_owned" "$i"
		trial steered "$port_steered" "$i"
	else
		trial steered "$port_steered" "$i"
		trial owned "$port_owned" "$i"
	fi
	RATIOS+=" $(awk -v s="$(last steered)" -v o="$(last owned)" 'BEGIN { printf "%.3f", o ? s / o : 0 }')"
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
owned=$(median <<<"${RATES[owned]}")
steered=$(median <<<"${RATES[steered]}")
echo "BENCH steer_owned_flow_mbps $owned Mbit/s"
echo "BENCH steer_steered_flow_mbps $steered Mbit/s"
echo "BENCH steered_throughput_ratio $(median <<<"$RATIOS" | awk '{ printf "%.2f", $1 }') ratio"
echo "BENCH steered_throughput_ratio_of_medians $(awk -v s="$steered" -v o="$owned" 'BEGIN { printf "%.2f", o ? s / o : 0 }') ratio"
