#!/usr/bin/env bash
# test_nic_failover.sh - a router with two links into the segment: its
# forwarders spread over both NICs (status, the switch's fdb), a broadcast
# ARP request is answered once; one NIC unplugged (link down on the
# router's end, then on the switch's end) under 1,000 datagrams/s from the
# client of the forwarder it carried: the forwarder moves to the other NIC
# at once (the switch's port for its vMAC follows, the client keeps its
# vMAC, no membership change, bounded loss) and comes back after
# nic-return-ms; both NICs down: the other router takes over.
#
# r1 (priority 200: the AVG) has eth0 and eth2 on "lan", r2 eth0 only;
# 4 forwarders, preferred owners r1, r1, r2, r2. r1's are spread: fwd 0 on
# eth0, fwd 1 on eth2. One client per forwarder (c1..c4); the unplugged NIC
# is eth2, which carries no address, so r1's hellos (from eth0's address)
# keep going: moving the node's own address is not this test's business.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

HELLO=100
HOLD=1000
RETURN_MS=1000 # nic-return-ms
RATE=1000
PORT=9000
BOUND_LOST=100 # datagrams a NIC failover may lose at 1,000/s (the bench measures it: goal 20 ms)
LAB_PROBE_PORT=$PORT LAB_PROBE_RATE=$RATE

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe

lab_setup r1 r2 -- c1 c2 c3 c4
lab_add_link r1 eth2
lab_arp_counters_init
P0=$(lab_port r1 eth0) P2=$(lab_port r1 eth2) LAN=$(lab_seg_ns r1 eth2)

cfg1=$(lab_write_config r1 membership=1 owners=r1,r1,r2,r2 persistence=3 prios=200,100 \
	hello_ms=$HELLO hold_ms=$HOLD ifaces=eth0,eth2 nic_return_ms=$RETURN_MS)
cfg2=$(lab_write_config r2 membership=1 owners=r1,r1,r2,r2 persistence=3 prios=200,100 \
	hello_ms=$HELLO hold_ms=$HOLD)
lab_start_xglbd r1 "$cfg1" || bail "xglbd ready on r1 (eth0, eth2)"
lab_start_xglbd r2 "$cfg2" || bail "xglbd ready on r2"
lab_wait 10 lab_agree_owned r1 r2 || bail "r1 and r2 agree, every forwarder owned" "$(lab_views)"
VIEW=$(lab_view r1 | sed 's/ v=[0-9]*//')
check_eq "r1 is AVG, forwarders with their preferred owners" "$VIEW" "avg=r1 owners=r1,r1,r2,r2"

# ---- helpers ---------------------------------------------------------------------
iface_of() { lab_exec r1 "$LAB_BUILD/xglbctl" --socket "$LAB_DIR/r1.sock" --json forwarders |
	jq -r --argjson i "$1" '.[] | select(.index == $i) | .interface'; }
iface_is() { [ "$(iface_of "$1")" = "$2" ]; }
fdb_is() { [ "$(lab_fdb_port lan "$(lab_vmac "$1")")" = "$2" ]; }
moves() { lab_jst r1 '.nics.moves'; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

all_ifaces() { lab_exec r1 "$LAB_BUILD/xglbctl" --socket "$LAB_DIR/r1.sock" --json forwarders |
	jq -r '[.[] | .interface] | join(",")'; }
spread() { iface_is 0 eth0 && iface_is 1 eth2; }
fdb_spread() { fdb_is 0 "$P0" && fdb_is 1 "$P2"; }
metrics_has() { lab_exec r1 curl -sf http://127.0.0.1:9867/metrics | grep -qF "$1"; }
withdrawn_no_carrier() { [ "$(lab_jst r1 '.groups[0].withdrawn | index("no-carrier") != null')" = true ]; }

check_eq "fwd 0 is bound to eth0, fwd 1 to eth2, r2's to none of r1's (xglbctl forwarders)" \
	"$(all_ifaces)" "eth0,eth2,,"
check "the switch learnt fwd 0's vMAC on eth0's port, fwd 1's on eth2's" lab_wait 5 fdb_spread
check_eq "r1's status: eth0 answers ARP, one forwarder on each interface" \
	"$(lab_jst r1 '[.groups[0].interfaces[] | "\(.name):\(.live):\(.answers):\(.forwarders)"] | join(" ")')" \
	"eth0:true:true:1 eth2:true:false:1"
check "/metrics: xglb_forwarder_interface names eth2 for fwd 1" \
	metrics_has 'xglb_forwarder_interface{group="1",forwarder="1",interface="eth2"} 1'

lab_vmac_clients c1 c2 c3 c4 || bail "the 4 clients got the 4 vMACs" "$LAB_ERR"
declare -n CL=LAB_CL
ok "one vMAC per client: fwd0 ${CL[0]}, fwd1 ${CL[1]}, fwd2 ${CL[2]}, fwd3 ${CL[3]}"
req=$(($(lab_arp_counter req_bcast) + $(lab_arp_counter req_ucast)))
check_eq "each ARP request for the VIP answered once, though it reached both of r1's NICs" \
	"$(lab_arp_counter rep_all)" "$req"
check "r1 dropped the copies on its other NIC (xdp_drop_arp_other_nic)" \
	[ "$(lab_reason r1 xdp_drop_arp_other_nic)" -ge 4 ]
lab_echo_start server "$PORT" || bail "the echo listens on the server"
V0=$(lab_jst r1 '.groups[0].version')

# ---- unplug eth2 (either end), under 1,000 datagrams/s from fwd 1's client -----
unplug() { # end up|down
	if [ "$1" = router ]; then lab_exec r1 ip link set eth2 "$2"; else ip -n "$LAN" link set "$P2" "$2"; fi
}
nic_failover() { # end tag
	local end=$1 tag=$2 m0 lost t_up waited
	m0=$(moves)
	lab_fwd_mark r1:1
	lab_probe_start "$tag" "${CL[1]}" 3
	lab_wait 3 lab_fwd_flowing $((RATE / 5)) || not_ok "$end: the probe flows through fwd 1 before the unplug"
	unplug "$end" down
	check "$end end down: fwd 1 moves to eth0 (xglbctl)" lab_wait 2 iface_is 1 eth0
	check "... the switch moves fwd 1's vMAC to eth0's port" lab_wait 2 fdb_is 1 "$P0"
	check "... fwd 0 stays on eth0" iface_is 0 eth0
	lab_probe_wait "$tag"
	echo "# $end: $(lab_probe_json "$tag")"
	lost=$(lab_probe_netlost "$tag")
	check "... ${CL[1]} lost $lost datagrams of 3,000 (bound $BOUND_LOST)" [ "$lost" -le "$BOUND_LOST" ]
	check_eq "... ${CL[1]} keeps its vMAC" "$(lab_neigh_mac "${CL[1]}")" "$(lab_vmac 1)"
	check_eq "... no membership change: AVG and owners as before" \
		"$(lab_view r2 | sed 's/ v=[0-9]*//')" "$VIEW"
	check "... one NIC move counted (xglb_nic_moves_total)" [ "$(moves)" -gt "$m0" ]
	check "... logged" log_has r1 "forwarder 1 moved from eth2 to eth0"
	unplug "$end" up
	t_up=$(date +%s%N)
	check "$end end up: fwd 1 returns to eth2" lab_wait 5 iface_is 1 eth2
	waited=$(ms_since "$t_up")
	check "... not before nic-return-ms ($waited ms >= $((RETURN_MS - 100)))" \
		[ "$waited" -ge $((RETURN_MS - 100)) ]
	check "... the switch moves fwd 1's vMAC back to eth2's port" lab_wait 2 fdb_is 1 "$P2"
	check "... a datagram from ${CL[1]} still gets through" \
		quiet lab_exec "${CL[1]}" ping -c 1 -W 2 -q "$LAB_SERVER_IP"
}
log_has() { grep -qE "$2" "$(lab_xglbd_log "$1")"; }
nic_failover router pr
nic_failover switch ps
check_eq "r2 never took r1's forwarders: AVG and owners as at the start" \
	"$(lab_view r2 | sed 's/ v=[0-9]*//')" "$VIEW"

# ---- both NICs down: the node withdraws, r2 takes over ----------------------------
unplug router down
ip -n "$LAN" link set "$P0" down
check "r1 says it withdraws: no-carrier" lab_wait 3 withdrawn_no_carrier
r2_all() { [ "$(lab_view r2 | sed 's/ v=[0-9]*//')" = "avg=r2 owners=r2,r2,r2,r2" ]; }
check "r2 takes the AVG role and every forwarder" lab_wait $((HOLD / 1000 + 5)) r2_all
# (the server's replies go back through r1, its default route: cut off now)
lab_fwd_mark r2:0
lab_exec "${CL[0]}" ping -c 3 -i 0.2 -W 1 -q "$LAB_SERVER_IP" >/dev/null 2>&1
check "${CL[0]}'s datagrams to r1's fwd 0 now reach r2" lab_wait 3 lab_fwd_flowing 1
ip -n "$LAN" link set "$P0" up
unplug router up
back() { [ "$(lab_view r2 | sed 's/ v=[0-9]*//')" = "$VIEW" ]; }
check "both back: r1 takes its forwarders and the AVG role back" lab_wait 10 back
check "... spread over both NICs again" lab_wait 5 spread
echo "# group version $V0 -> $(lab_jst r1 '.groups[0].version'), NIC moves $(moves)"
t_done
