#!/usr/bin/env bash
# test_datapath_tc.sh - "datapath: tc" and auto on veth: no XDP program anywhere, real clients get vMACs by ARP and reach the server through their forwarder; a restart from XDP to tc; auto falls back to tc where native XDP is refused.
#
# Two routers (r1 the AVG, forwarder 0 on r1, forwarder 1 on r2), three
# clients. The lab runs with LAB_PORT_XDP=0: the bridge side of the routers'
# veths has no XDP program either, so ARP answers reach the clients only
# because the tc path sends them as ordinary frames (an XDP_TX into such a
# veth is lost). r1 is configured "auto", r2 "tc".
# shellcheck disable=SC2317 # lab_wait predicates
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

t_need_tools jq curl
t_need_built xglbd xglbctl

export LAB_PORT_XDP=0
lab_setup r1 r2 -- c1 c2 c3
CLIENTS=(c1 c2 c3)
lab_arp_counters_init

start() { # router datapath [extra]
	local cfg
	cfg=$(lab_write_config "$1" owners=r1,r2 avg=r1 datapath="$2" ${3:+extra=$3}) &&
		lab_start_xglbd "$1" "$cfg"
}
start r1 auto || bail "xglbd ready on r1 (datapath: auto)"
start r2 tc || bail "xglbd ready on r2 (datapath: tc)"
ok "xglbd ready on r1 (auto) and r2 (tc)"

# ---- what was attached, and what status and /metrics say -----------------------
dp_of() { lab_status "$1" | jq -r '.datapath | "\(.config) \(.hook) " + ([.interfaces[] | "\(.name)=\(.hook)/\(.driver)/\(.why)"] | join(","))'; }
check_eq "r1 status: auto chose tc for eth0 (driver veth)" "$(dp_of r1)" "auto tc eth0=tc/veth/auto: veth"
check_eq "r2 status: tc as configured" "$(dp_of r2)" "tc tc eth0=tc/veth/configured"
for r in r1 r2; do
	check_none "$r: no XDP program on eth0" 'prog/xdp|xdpgeneric|xdpdrv' ip -n "$(lab_ns "$r")" -d link show eth0
	check_eq "$r: xglb_tc at tc ingress, the guard at egress (tcx)" \
		"$(lab_tc_progs "$r" eth0 ingress | paste -sd, -) $(lab_tc_progs "$r" eth0 egress | paste -sd, -)" \
		"tcx:xglb_tc tcx:xglb_tc_egress"
done
lab_xglbctl r1 status
check "xglbctl status prints the data path per interface" \
	grep -qx 'datapath tc (configured auto, xdp-mode auto, tc programs on tcx): eth0 tc (auto: veth, driver veth)' <<<"$OUT"
check_eq "r1 /metrics: xglb_datapath_info" \
	"$(lab_exec r1 curl -sS --max-time 5 http://127.0.0.1:9867/metrics | grep '^xglb_datapath_info')" \
	'xglb_datapath_info{interface="eth0",hook="tc",driver="veth",config="auto"} 1'

# ---- clients ARP for the VIP and ping the server through their forwarder --------
declare -A vmac
for c in "${CLIENTS[@]}"; do
	check "$c pings the server through the VIP" quiet lab_exec "$c" ping -n -q -c 3 -i 0.2 -W 2 "$LAB_SERVER_IP"
	vmac[$c]=$(lab_neigh_mac "$c")
done
# round-robin over two forwarders: c1 fwd0, c2 fwd1, c3 fwd0
check_eq "clients hold the vMACs round-robin gave them" \
	"${vmac[c1]} ${vmac[c2]} ${vmac[c3]}" "$(lab_vmac 0) $(lab_vmac 1) $(lab_vmac 0)"
req=$(lab_arp_counter req_bcast)
check_eq "one broadcast ARP request per client, each answered once, by r1" \
	"$req $(lab_arp_counter rep_all) $(lab_arp_counter rep_r1)" "3 3 3"
check_eq "r1 (AVG): tc_tx_arp_reply = 3, no xdp_* reason counted" \
	"$(lab_reason r1 tc_tx_arp_reply) $(lab_stats r1 | jq '[.reasons | to_entries[] | select(.key | startswith("xdp_")) | .value] | add')" "3 0"
check_eq "r2 (not AVG): tc_drop_arp_not_avg = 3, no reply" \
	"$(lab_reason r2 tc_drop_arp_not_avg) $(lab_reason r2 tc_tx_arp_reply)" "3 0"
check "r1's answers left through the egress guard (tc_egress_pass_vmac_arp >= 3)" \
	[ "$(lab_reason r1 tc_egress_pass_vmac_arp)" -ge 3 ]
check_eq "no ARP for the VIP with a real sender MAC on the segment" "$(lab_arp_counter vip_real)" 0
# 3 echo requests each: fwd0 (r1) carried c1's and c3's, fwd1 (r2) c2's; tc_pass_vmac
# counted them on the owner (frames made PACKET_HOST: else ip_rcv drops them on veth)
check_eq "r1 forwarded fwd0's 6 echo requests, r2 fwd1's 3" \
	"$(lab_fwd_packets r1 0) $(lab_fwd_packets r2 1) $(lab_fwd_packets r1 1) $(lab_fwd_packets r2 0)" "6 3 0 0"
check "tc_pass_vmac counted them (r1 >= 6, r2 >= 3)" \
	[ "$(lab_reason r1 tc_pass_vmac)" -ge 6 -a "$(lab_reason r2 tc_pass_vmac)" -ge 3 ]

# ---- Linux re-confirms a neighbour by unicast ARP to the vMAC: its owner answers --
u0=$(lab_reason r2 tc_tx_arp_unicast)
lab_exec c2 sysctl -qw net.ipv4.neigh.eth0.delay_first_probe_time=1
lab_exec c2 ip neigh change "$LAB_VIP" lladdr "$(lab_vmac 1)" nud stale dev eth0
lab_exec c2 ping -n -q -c 1 -W 2 "$LAB_SERVER_IP" >/dev/null
unicast_answered() { [ "$(lab_reason r2 tc_tx_arp_unicast)" -gt "$u0" ]; }
check "c2's unicast ARP to fwd1's vMAC answered by its owner r2 (tc_tx_arp_unicast)" lab_wait 10 unicast_answered
c2_entry() { lab_exec c2 ip -j neigh show "$LAB_VIP" dev eth0 | jq -r '"\(.[0].state[0]) \(.[0].lladdr)"'; }
c2_reachable() { [ "$(c2_entry)" = "REACHABLE $(lab_vmac 1)" ]; }
lab_wait 5 c2_reachable
check_eq "c2's entry is REACHABLE again, still at fwd1's vMAC" "$(c2_entry)" "REACHABLE $(lab_vmac 1)"

# ---- a restart moves an interface from XDP to tc --------------------------------
lab_stop_xglbd r2 5
start r2 xdp || bail "xglbd ready on r2 (datapath: xdp)"
check "r2 with datapath xdp: XDP program on eth0" \
	bash -c "ip -n $(lab_ns r2) -d link show eth0 | grep -q 'prog/xdp'"
lab_kill_xglbd r2 # killed: its programs stay attached
start r2 tc || bail "xglbd ready on r2 (datapath: tc) after one in XDP mode was killed"
check_none "r2 restarted with tc: the xglb_xdp left attached is gone" 'prog/xdp' \
	ip -n "$(lab_ns r2)" -d link show eth0
check_eq "r2 restarted with tc: xglb_tc alone at ingress (in xglb_tc_ingress's place)" \
	"$(lab_tc_progs r2 eth0 ingress | paste -sd, -)" "tcx:xglb_tc"
p0=$(lab_fwd_packets r2 1)
check "c2 still reaches the server through r2" quiet lab_exec c2 ping -n -q -c 2 -i 0.2 -W 2 "$LAB_SERVER_IP"
check "r2 forwarded them (fwd1 packets $p0 -> +2)" [ "$(lab_fwd_packets r2 1)" -ge $((p0 + 2)) ]

# ---- auto falls back to tc where the driver refuses native XDP -----------------
# A second group on a bridge device (no native XDP): r1 still starts, with
# that interface on tc and eth0 as before.
lab_exec r1 ip link add xbr0 type bridge
lab_exec r1 ip link set xbr0 up
cat >"$LAB_DIR/group2.yaml" <<EOF
  - id: 2
    vip: 10.9.0.1
    interfaces: [xbr0]
    avg: r1
    forwarders:
      - index: 0
        owner: r1
EOF
lab_stop_xglbd r1 5
start r1 auto "$LAB_DIR/group2.yaml" || bail "xglbd ready on r1 with a group on a bridge device"
check_eq "r1 status: xbr0 on tc (native XDP refused), eth0 on tc (veth)" "$(dp_of r1)" \
	"auto tc eth0=tc/veth/auto: veth,xbr0=tc/bridge/auto: no native XDP"
check_none "r1: no XDP program on xbr0" 'prog/xdp' ip -n "$(lab_ns r1)" -d link show xbr0
check "c1 still reaches the server through r1" quiet lab_exec c1 ping -n -q -c 2 -i 0.2 -W 2 "$LAB_SERVER_IP"

# ---- shutdown ------------------------------------------------------------------
for r in r1 r2; do
	lab_stop_xglbd "$r" 5
	check_eq "$r: xglbd exits 0 on SIGTERM" "$?" 0
	check_none "$r: SIGTERM removed xglb_tc" 'xglb_tc' lab_tc_progs "$r" eth0 ingress
done
t_done
