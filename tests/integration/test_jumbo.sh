#!/usr/bin/env bash
# test_jumbo.sh - xglb on a jumbo-frame segment: every link of the lab has MTU 9000.
#
# Lab (lab_setup --mtu 9000): 2 routers r1 r2 (membership, r1 priority 120: AVG; fwd0 r1,
# fwd1 r2; flow steering over eth0 and eth1), clients c1 c2 (one per vMAC), the server
# (default route via r1).
#
# What is asserted, and why:
#  A. xglbd starts: xglb_xdp is attached natively to the 9000-byte eth0 of both routers
#     (a single-buffer program is refused there: "Peer MTU is too large to set XDP"), the
#     routers agree, and each client gets a vMAC.
#  B. jumbo frames cross a forwarder whole: a 9000-byte ping with DF set (no fragment
#     anywhere), iperf3 UDP with 8000-byte datagrams through r2's forwarder (fwd1) - all
#     datagrams arrive, and r2 counts them at >= 8000 bytes each (all of every multi-buffer
#     frame, not only its first buffer) - and TCP through r2 (steered to its flow owner
#     where that is r1) completing with bytes received, segments above 1500 bytes on the
#     wire.
#  C. failover under jumbo traffic: iperf3 UDP 8000-byte datagrams through fwd1 while r2's
#     xglbd is killed and its link goes down; r1 takes fwd1 over within hold + 2 hellos,
#     the client keeps its vMAC, datagrams arrive again, and r1 counts 8000-byte frames for
#     fwd1.
#  D. an MTU flip on a running router's interface (r1 eth0 9000 -> 1500 -> 9000, the bridge
#     port with it): xglb_xdp stays attached (ip link, bpftool net), xglbd keeps running
#     with its roles, forwarders and the hosts it answered, status shows the MTU each time
#     and the attach mode, and jumbo frames cross again after the flip back.
#  E. r2's xglbd, killed in C, starts again: it adopts the multi-buffer xglb_xdp it left
#     attached (same program id), and the group agrees and carries jumbo frames again.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2)
MTU=9000
HELLO=100
HOLD=1000
LEASE=800 # < hold, as in test_member_failover.sh
BOUND_MS=$((HOLD + 2 * HELLO))
DGRAM=8000 # iperf3 UDP payload: 8028-byte IP packets, below the MTU
IPERF_PORT=5201

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools iperf3 bpftool

# ---- helpers ---------------------------------------------------------------------------
# The name of the XDP program attached natively to a box's interface ("" if none).
xdp_prog() { lab_exec "$1" ip -d -j link show dev "${2:-eth0}" | jq -r '.[0].xdp.prog.name // empty'; }
xdp_id() { lab_exec "$1" ip -d -j link show dev "${2:-eth0}" | jq -r '.[0].xdp.prog.id // empty'; }
# bpftool's view: the id of the program on the interface's XDP driver (native) hook.
bpftool_xdp() {
	lab_exec "$1" bpftool -j net show dev "${2:-eth0}" |
		jq -r '[.[0].xdp[]? | select(.mode == "driver") | .id] | map(tostring) | join(",")'
}
# Status, per interface: "name mtu attach" for the interfaces status lists.
st_ifaces() { lab_jst "$1" '[.datapath.interfaces[] | "\(.name) \(.mtu) \(.xdp)"] | join(", ")'; }
st_mtu_is() { [ "$(lab_jst "$1" --arg i "$2" '.datapath.interfaces[] | select(.name == $i) | .mtu')" = "$3" ]; }
# Forwarder counters of a router: "packets bytes".
fwd_pb() { lab_ctl "$1" --json stats | jq -r --argjson i "$2" '.forwarders[] | select(.index == $i) | "\(.packets) \(.bytes)"'; }
hosts_of() { lab_ctl "$1" --json hosts | jq -c '[.[] | "\(.mac)>\(.forwarder)"] | sort'; }
owner_of() { lab_jst "$1" ".groups[0].forwarders[$2] | if .active then .owner_name else \"-\" end"; }
# iperf3 server (one test, JSON) in the server box; waited for until it listens.
iperf_server() {
	lab_bg server "$LAB_DIR/iperf.$1.json" iperf3 -s -1 -p "$IPERF_PORT" -i 0.2 -J
	lab_wait 5 _tcp_listens server "$IPERF_PORT"
}
_tcp_listens() { [ -n "$(lab_exec "$1" ss -Hltn "sport = :$2")" ]; }
iperf_json() { cat "$LAB_DIR/iperf.$1.json" 2>/dev/null; }

# ---- A. start on a 9000-byte segment -------------------------------------------------------
lab_setup --mtu "$MTU" "${ROUTERS[@]}" -- c1 c2
bad=""
for b in r1:eth0 r1:eth1 r2:eth0 r2:eth1 c1:eth0 c2:eth0 server:eth0; do
	m=$(lab_mtu "${b%%:*}" "${b#*:}")
	[ "$m" = "$MTU" ] || bad+=" $b=$m"
done
check_empty "every lab link has MTU $MTU" "$bad"

lab_start_all membership=1 prios=120,100 hello_ms=$HELLO hold_ms=$HOLD lease_ms=$LEASE steer=1 datapath=xdp ||
	bail "xglbd ready on r1 and r2 with MTU $MTU" "$LAB_ERR"
check_eq "xglb_xdp attached natively to the 9000-byte eth0 of r1 and r2" \
	"$(xdp_prog r1) $(xdp_prog r2)" "xglb_xdp xglb_xdp"
lab_wait 10 lab_agree_owned r1 r2 || bail "routers agree" "$(lab_views)"
check_eq "r1 is AVG, fwd0 r1, fwd1 r2" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r1 owners=r1,r2"
check_eq "status: each interface's MTU and attach mode" "$(st_ifaces r1)" \
	"eth0 $MTU native, eth1 $MTU none"
lab_vmac_clients c1 c2 || bail "c1 and c2 got one vMAC each" "$LAB_ERR"
declare -n CL=LAB_CL
ok "clients got one vMAC each: fwd0 ${CL[0]}, fwd1 ${CL[1]}"

# ---- B. jumbo frames through a forwarder -------------------------------------------------
check "a 9000-byte ping with DF set crosses r2's forwarder and back (8972 bytes of ICMP payload)" \
	quiet lab_exec "${CL[1]}" ping -c 3 -W 2 -M do -s $((MTU - 28)) "$LAB_SERVER_IP"

read -r p0 b0 <<<"$(fwd_pb r2 1)"
iperf_server udp || bail "iperf3 server listens"
lab_exec "${CL[1]}" iperf3 -c "$LAB_SERVER_IP" -p "$IPERF_PORT" -u -l "$DGRAM" -b 40M -t 2 -J \
	>"$LAB_DIR/iperf.udp.client.json" 2>&1
lab_wait 5 jq -e '.end' "$LAB_DIR/iperf.udp.json" >/dev/null 2>&1
read -r sent <<<"$(jq -r '.end.sum.packets // 0' "$LAB_DIR/iperf.udp.client.json")"
read -r recv lost <<<"$(iperf_json udp | jq -r '"\(.end.sum.packets - .end.sum.lost_packets) \(.end.sum.lost_packets)"')"
read -r p1 b1 <<<"$(fwd_pb r2 1)"
echo "# udp: sent $sent, received $recv, lost $lost; r2 fwd1 +$((p1 - p0)) packets, +$((b1 - b0)) bytes"
check "iperf3 UDP, $DGRAM-byte datagrams through fwd1: $recv of $sent arrived (at least 99 %)" \
	[ "${sent:-0}" -gt 100 -a "${recv:-0}" -ge $((sent * 99 / 100)) ]
check "r2 counted every datagram on fwd1 with all its bytes (>= $sent frames of >= $((DGRAM + 42)) bytes)" \
	[ $((p1 - p0)) -ge "${sent:-1}" -a $((b1 - b0)) -ge $((sent * (DGRAM + 42))) ]

read -r p0 b0 <<<"$(fwd_pb r2 1)"
st0=$(($(lab_reason r1 tc_steer_steered) + $(lab_reason r2 tc_steer_steered)))
iperf_server tcp || bail "iperf3 server listens"
lab_exec "${CL[1]}" iperf3 -c "$LAB_SERVER_IP" -p "$IPERF_PORT" -t 2 -P 4 -J \
	>"$LAB_DIR/iperf.tcp.client.json" 2>&1
lab_wait 5 jq -e '.end' "$LAB_DIR/iperf.tcp.json" >/dev/null 2>&1
rx=$(iperf_json tcp | jq -r '.end.sum_received.bytes // 0')
err=$(jq -r '.error // empty' "$LAB_DIR/iperf.tcp.client.json")
read -r p1 b1 <<<"$(fwd_pb r2 1)"
st1=$(($(lab_reason r1 tc_steer_steered) + $(lab_reason r2 tc_steer_steered)))
echo "# tcp: received $rx bytes; r2 fwd1 +$((p1 - p0)) frames, +$((b1 - b0)) bytes; steered +$((st1 - st0))"
check "iperf3 TCP (4 connections) through fwd1 completes: $rx bytes received, no error" \
	[ -z "$err" -a "$rx" -gt 1000000 ]
check "TCP through fwd1 in jumbo frames: $(((b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1))) bytes per frame on average (> 1514)" \
	[ $((p1 - p0)) -gt 0 -a $(((b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1))) -gt 1514 ]

# ---- C. failover under jumbo traffic -----------------------------------------------------
read -r p0 b0 <<<"$(fwd_pb r1 1)"
iperf_server fo || bail "iperf3 server listens"
lab_bg "${CL[1]}" "$LAB_DIR/iperf.fo.client.json" iperf3 -c "$LAB_SERVER_IP" -p "$IPERF_PORT" \
	-u -l "$DGRAM" -b 8M -t 6 -i 0.2 -J
fo_client=$LAB_BG_PID
lab_fwd_mark r2:1
lab_wait 3 lab_fwd_flowing 20 || not_ok "jumbo datagrams flow through r2 (fwd1) before the failure"
r2_id=$(xdp_id r2)
lab_kill_xglbd r2
lab_exec r2 ip link set eth0 down
lab_wait 5 eval '[ "$(owner_of r1 1)" = r1 ]' || not_ok "r1 took fwd1 over" "$(lab_views)"
wait "$fo_client"
lab_wait 5 jq -e '.end' "$LAB_DIR/iperf.fo.json" >/dev/null 2>&1
# the receiver's view: datagrams sent and lost over 6 s at a steady rate give the outage; its
# 0.2 s intervals say whether they arrived again at the end
read -r tail_pk total lost <<<"$(iperf_json fo | jq -r '[.intervals[].sum.packets] as $p |
	"\($p[-3:] | add) \(.end.sum.packets) \(.end.sum.lost_packets)"')"
out_ms=$((${lost:-0} * 6000 / (${total:-0} > 0 ? total : 1)))
read -r p1 b1 <<<"$(fwd_pb r1 1)"
echo "# failover: $lost of $total datagrams lost (~$out_ms ms); last 0.6 s: $tail_pk received; r1 fwd1 +$((p1 - p0)) frames, +$((b1 - b0)) bytes"
check "failover under jumbo traffic: the outage (~$out_ms ms: $lost of $total datagrams in 6 s) is > 0 and within hold + 2 hellos + 200 ms ($((BOUND_MS + 200)) ms)" \
	[ "${total:-0}" -gt 500 -a "${lost:-0}" -gt 0 -a "$out_ms" -le $((BOUND_MS + 200)) ]
check "datagrams arrive again after the failover (last 0.6 s: ${tail_pk:-0})" [ "${tail_pk:-0}" -gt 0 ]
check_eq "the client kept its vMAC" "$(lab_neigh_mac "${CL[1]}")" "$(lab_vmac 1)"
# (iperf3's small control segments share the vMAC: an average, well above a first buffer's ~3.5 KB)
check "r1 forwards fwd1's jumbo frames whole: +$((p1 - p0)) frames, $(((b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1))) bytes each on average (>= 7000)" \
	[ $((p1 - p0)) -gt 100 -a $(((b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1))) -ge 7000 ]

# ---- D. MTU flip on a running router ------------------------------------------------------
view0=$(lab_view r1)
hosts0=$(hosts_of r1)
pid0=$(lab_xglbd_pid r1)
id0=$(xdp_id r1)
log=$(lab_xglbd_log r1)
errs0=$(grep -c ': error: ' "$log")
[ "$hosts0" != "[]" ] || not_ok "r1 answered hosts before the MTU flip" "$hosts0"
for m in 1500 $MTU; do
	lab_set_mtu r1 eth0 "$m" || not_ok "r1 eth0: MTU set to $m"
	check_eq "r1 eth0 at MTU $m: the same xglb_xdp (id $id0) still attached natively (ip link; bpftool net)" \
		"$(lab_mtu r1 eth0) $(xdp_prog r1) $(xdp_id r1) $(bpftool_xdp r1)" "$m xglb_xdp $id0 $id0"
	lab_wait 3 st_mtu_is r1 eth0 "$m"
	check_eq "status shows r1 eth0 at MTU $m, attached native" \
		"$(lab_jst r1 '.datapath.interfaces[] | select(.name == "eth0") | "\(.mtu) \(.xdp)"')" "$m native"
done
check_eq "xglbd on r1 kept running through the flip (same process)" "$(lab_xglbd_pid r1)" "$pid0"
lab_xglbd_running r1 || not_ok "xglbd on r1 is running"
check_eq "r1's roles and forwarders survived the flip" "$(lab_view r1)" "$view0"
check_eq "r1's host table survived the flip" "$(hosts_of r1)" "$hosts0"
check_eq "no error logged by r1 during the flip" "$(grep -c ': error: ' "$log")" "$errs0"
check "jumbo frames cross r1 again after the flip (9000-byte ping, DF, through fwd0)" \
	quiet lab_wait 5 lab_exec "${CL[0]}" ping -c 1 -W 1 -M do -s $((MTU - 28)) "$LAB_SERVER_IP"
check "and so do the clients of fwd1 (now r1's)" \
	quiet lab_wait 5 lab_exec "${CL[1]}" ping -c 1 -W 1 -M do -s $((MTU - 28)) "$LAB_SERVER_IP"

# ---- E. a restarted xglbd adopts the multi-buffer program it left attached ------------------
# kill -9 left r2's xglb_xdp on its 9000-byte eth0; its link comes back, xglbd starts again.
check_eq "r2's xglb_xdp (id $r2_id) stayed attached after kill -9" "$(xdp_prog r2) $(xdp_id r2)" \
	"xglb_xdp $r2_id"
lab_exec r2 ip link set eth0 up
lab_restart_xglbd r2 || bail "xglbd restarts on r2"
check "r2's xglbd adopted the attached program (log), not a second load" \
	grep -q "adopting the xglb_xdp program already attached" "$(lab_xglbd_log r2)"
check_eq "the same program (id $r2_id) is attached, natively" \
	"$(xdp_prog r2) $(xdp_id r2) $(lab_jst r2 '.datapath.interfaces[] | select(.name == "eth0") | "\(.mtu) \(.xdp)"')" \
	"xglb_xdp $r2_id $MTU native"
lab_wait 10 lab_agree r1 r2 || not_ok "r1 and r2 agree after r2's restart" "$(lab_views)"
check "jumbo frames cross the group after r2's restart (9000-byte ping, DF, from both clients)" \
	quiet lab_wait 5 eval 'lab_exec "${CL[0]}" ping -c 1 -W 1 -M do -s $((MTU - 28)) "$LAB_SERVER_IP" &&
		lab_exec "${CL[1]}" ping -c 1 -W 1 -M do -s $((MTU - 28)) "$LAB_SERVER_IP"'

t_done
