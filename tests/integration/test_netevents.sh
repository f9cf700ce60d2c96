#!/usr/bin/env bash
# test_netevents.sh - a running router whose network changes under it: interfaces re-created
# or re-addressed, forwarding switched off, the VIP removed from lo, an alias added, xglbd
# started before its interface and address exist, a group interface without native XDP.
#
# What is asserted, and why (two routers, r1 the AVG by priority, membership, flow
# steering on; two clients, one per forwarder; every client's ARP traffic captured):
#  A. start before the network is ready: r2's eth0 is renamed away and its address
#     removed before xglbd starts. xglbd logs what it waits for (the interface, then the
#     address), and gets ready within 5 s of both appearing.
#  B. net.ipv4.ip_forward=0 on r1 (a distribution default): within 3 s r1 says why in
#     status and its log, advertises weight 0, r2 takes every forwarder; all 20 pings of
#     each client through the gateway are answered. Back to 1: the withdrawal ends and r1
#     serves a forwarder again within 10 s.
#  C. the VIP deleted from lo (ip addr del, as networkd does to foreign addresses): back
#     within 3 s; the clients' 20 pings to the VIP all answered.
#  D. an alias added to r1's LAN interface after start: steering's local-address set has
#     it within 3 s, and 4 x 5 pings from each client to it are all answered (a flow
#     owned by r2 would otherwise be steered away from the router that holds the address);
#     removed again: it leaves the set.
#  E. r2's LAN MAC changed (cloned MAC): status shows the new MAC within 3 s and the client
#     of r2's forwarder gets all 20 pings through (vMAC frames are readdressed to the
#     interface's MAC: a stale one would make the kernel drop them).
#  F. r1's LAN veth deleted and re-created (new ifindex, new MAC; what a driver reload or
#     an interface manager does) while it is the AVG: within 5 s XDP and the tc filters are
#     on the new device, arp_announce is 2 on it, status names the new ifindex; both
#     clients reach the server again within 10 s and then answer 20/20; r1 is the AVG again.
#  G. through all of the above, no client ever saw an ARP reply for the VIP from anything
#     but a vMAC (tcpdump in each client namespace).
#  H. a group interface that refuses native XDP (a bridge) with datapath: xdp (the lab's
#     default) and no xdp-mode (native): the error names the interface and says what to do.
#  H2. the same with xdp-mode: auto: xglbd starts, xglb_xdp in generic mode on the bridge
#     (status and the kernel), the fallback logged with the driver; stopped, it is detached.
#  H3. the same with xdp-mode: generic: generic at once, no native attempt logged.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools tcpdump jq

lab_setup r1 r2 -- c1 c2

ALIAS=10.0.0.50
PINGS=20

# ---- helpers -------------------------------------------------------------------------
# pings CLIENT DEST N: N pings 50 ms apart; prints how many were answered.
pings() {
	lab_exec "$1" ping -n -q -c "$3" -i 0.05 -W 1 "$2" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}
ping_ok() { lab_exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1; }
check_pings() { # what client dest
	local got
	got=$(pings "$2" "$3" "$PINGS")
	check_eq "$1: $2 -> $3: $PINGS pings answered" "${got:-0}" "$PINGS"
}
jst() { lab_jst "$@"; }
withdrawn() { jst "$1" '.groups[0].withdrawn | join(",")'; }
withdrawn_is() { [ "$(withdrawn "$1")" = "$2" ]; }
peer_weight() { jst "$1" ".groups[0].peers[] | select(.name == \"$2\") | .weight"; }
peer_weight_is() { [ "$(peer_weight "$1" "$2")" = "$3" ]; }
owners_are() { [ "$(lab_owners_of "$1")" = "$2" ]; }
owns_one() { [[ ,$(lab_owners_of r2), == *,$1,* ]]; }
avg_is() { [ "$(jst "$1" '.groups[0].avg_name')" = "$2" ]; }
log_has() { grep -qE -- "$2" "$(lab_xglbd_log "$1")"; }
vip_on_lo() { lab_exec "$1" ip -4 -o addr show dev lo | grep -q " $LAB_VIP/32 "; }
nw_iface() { jst "$1" ".netwatch.interfaces[] | select(.name == \"$2\") | .$3"; }
nw_iface_is() { [ "$(nw_iface "$1" "$2" "$3")" = "$4" ]; }
local_has() { # router ip: in its pinned xglb_local_ips
	local k
	k=$(tr . ' ' <<<"$2")
	# shellcheck disable=SC2086
	bpftool map lookup pinned "$(lab_get "$1" pin_root)/xglb_local_ips" key $k >/dev/null 2>&1
}
local_lacks() { ! local_has "$@"; }
has_xdp() { [ "$(lab_exec "$1" ip -j link show dev "$2" | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // empty')" != "" ]; }
no_xdp() { ! has_xdp "$@"; }
has_tc() { # router dev direction: our program at the tc hook (tcx)
	lab_tc_progs "$1" "$2" "$3" | grep -q "^tcx:xglb_tc_"
}
arp_announce() { lab_exec "$1" cat "/proc/sys/net/ipv4/conf/$2/arp_announce"; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ---- G: capture every ARP the clients see, for the whole test -----------------------
for c in c1 c2; do
	lab_bg "$c" "$LAB_DIR/arp.$c.txt" tcpdump -l -n -e -i eth0 arp
done
cap_ready() { grep -q "listening on" "$LAB_DIR/arp.$1.txt"; }
lab_wait 5 cap_ready c1 && lab_wait 5 cap_ready c2 || bail "tcpdump listens in the clients"

# ---- A: xglbd starts before its interface and its address exist ---------------------
R2IP=$(lab_get r2 ip)
lab_exec r2 ip link set eth0 down
lab_exec r2 ip link set eth0 name lan0
lab_exec r2 ip addr del "$R2IP/24" dev lan0
lab_exec r2 ip link set lan0 up
cfg1=$(lab_write_config r1 membership=1 hello_ms=100 hold_ms=300 prios=200,100 steer=1)
cfg2=$(lab_write_config r2 membership=1 hello_ms=100 hold_ms=300 prios=200,100 steer=1)
lab_start_xglbd r1 "$cfg1" || bail "xglbd ready on r1"
# The network comes up while r2's xglbd waits: first the interface, then the address.
(
	log=$(lab_xglbd_log r2)
	lab_wait 10 grep -q "waiting for interface eth0" "$log" || exit 1
	lab_exec r2 ip link set lan0 down
	lab_exec r2 ip link set lan0 name eth0
	lab_exec r2 ip link set eth0 up
	lab_wait 10 grep -q "waiting for address $R2IP" "$log" || exit 1
	date +%s%N >"$LAB_DIR/addr_at"
	lab_exec r2 ip addr add "$R2IP/24" dev eth0
) &
net_pid=$!
LAB_READY_S=20 lab_start_xglbd r2 "$cfg2" || bail "xglbd on r2 waits for its network and gets ready"
wait "$net_pid"
check_eq "A: the network came up while xglbd waited" "$?" 0
check "A: r2 said it waits for eth0, naming the configuration line" \
	log_has r2 "waiting for interface eth0 \\($cfg2:[0-9]+: groups\\[0\\]\\.interfaces\\)"
check "A: ... then for its address $R2IP" log_has r2 "waiting for address $R2IP"
echo "# r2 ready $(ms_since "$(cat "$LAB_DIR/addr_at")") ms after its address appeared (or less)"
check "A: ... and got ready (said it waited)" log_has r2 "waited [0-9]+ ms: every interface and address is there"

lab_wait 10 lab_agree_owned r1 r2 || bail "r1 and r2 agree, every forwarder owned" "$(lab_views)"
check "r1 is the AVG" avg_is r2 r1
lab_vmac_clients c1 c2 || bail "each client holds its own vMAC" "$LAB_ERR"
C_R1=${LAB_CL[0]} C_R2=${LAB_CL[1]} # forwarder 0 prefers r1, forwarder 1 r2
echo "# $C_R1 uses r1's forwarder, $C_R2 r2's"
check_eq "status: no withdrawal on r1" "$(withdrawn r1)" ""
check_eq "status: r1 eth0 forwarding" "$(nw_iface r1 eth0 forwarding)" true

# ---- B: ip_forward=0 ------------------------------------------------------------------
t0=$(date +%s%N)
lab_exec r1 sysctl -qw net.ipv4.ip_forward=0
check "B: ip_forward=0: r1 says forwarding-off in status (3 s)" lab_wait 3 withdrawn_is r1 forwarding-off
check "B: ... and r2 hears r1 advertise weight 0 (3 s)" lab_wait 3 peer_weight_is r2 r1 0
check "B: ... r2 owns both forwarders (3 s)" lab_wait 3 owners_are r2 r2,r2
echo "# forwarders moved $(ms_since "$t0") ms after ip_forward=0"
check "B: ... r1 logged an error saying what to do" log_has r1 "error: group 1: IPv4 forwarding is off: withdrawing.*forwarding=1"
for c in c1 c2; do check_pings "B (forwarding off on r1)" "$c" "$LAB_SERVER_IP"; done
lab_exec r1 sysctl -qw net.ipv4.ip_forward=1
check "B: ip_forward=1: the withdrawal ends (3 s)" lab_wait 3 withdrawn_is r1 ""
check "B: ... r2 hears weight 100 again (3 s)" lab_wait 3 peer_weight_is r2 r1 100
check "B: ... r1 serves a forwarder again (10 s)" lab_wait 10 owns_one r1
for c in c1 c2; do check_pings "B (forwarding back)" "$c" "$LAB_SERVER_IP"; done

# ---- C: the VIP removed from lo -------------------------------------------------------
lab_exec r1 ip addr del "$LAB_VIP/32" dev lo
check "C: the VIP is back on r1's lo (3 s)" lab_wait 3 vip_on_lo r1
check "C: ... r1 logged it" log_has r1 "VIP $LAB_VIP/32 was removed from lo.*added back"
lab_exec r2 ip addr del "$LAB_VIP/32" dev lo
check "C: the VIP is back on r2's lo (3 s)" lab_wait 3 vip_on_lo r2
for c in c1 c2; do check_pings "C (VIP put back)" "$c" "$LAB_VIP"; done

# ---- D: an alias added after start ---------------------------------------------------
check "D: before: $ALIAS is not in r1's local set" local_lacks r1 "$ALIAS"
lab_exec r1 ip addr add "$ALIAS/24" dev eth0
check "D: alias $ALIAS added: in r1's steering local set (3 s)" lab_wait 3 local_has r1 "$ALIAS"
for c in c1 c2; do
	got=0
	for i in 1 2 3 4; do got=$((got + $(pings "$c" "$ALIAS" 5))); done # 4 flows (ICMP ids)
	check_eq "D: $c -> $ALIAS (alias on r1): 20 pings answered" "$got" 20
done
lab_exec r1 ip addr del "$ALIAS/24" dev eth0
check "D: alias removed: gone from the local set (3 s)" lab_wait 3 local_lacks r1 "$ALIAS"

# ---- E: r2's LAN MAC changed ----------------------------------------------------------
NEWMAC=02:00:00:00:aa:02
lab_exec r2 ip link set dev eth0 address "$NEWMAC"
check "E: r2 follows its new MAC (3 s)" lab_wait 3 nw_iface_is r2 eth0 mac "$NEWMAC"
check "E: ... and logged it" log_has r2 "eth0: MAC changed from .* to $NEWMAC"
check_pings "E (r2's MAC changed)" "$C_R2" "$LAB_SERVER_IP"

# ---- F: r1's LAN interface re-created (new ifindex) while AVG ------------------------
old_ifx=$(nw_iface r1 eth0 ifindex)
t0=$(date +%s%N)
new_ifx=$(lab_replug r1 eth0)
echo "# r1 eth0: ifindex $old_ifx -> $new_ifx"
check "F: r1 follows the new ifindex (5 s)" lab_wait 5 nw_iface_is r1 eth0 ifindex "$new_ifx"
check "F: ... XDP on the new eth0 (5 s)" lab_wait 5 has_xdp r1 eth0
check "F: ... tc ingress filter on it" has_tc r1 eth0 ingress
check "F: ... tc egress guard on it" has_tc r1 eth0 egress
check_eq "F: ... arp_announce=2 on it" "$(arp_announce r1 eth0)" 2
check "F: ... r1 logged the re-attach" log_has r1 "eth0: interface (re-created|is back) \\(ifindex $new_ifx"
for c in c1 c2; do
	check "F: $c reaches the server again (10 s)" lab_wait 10 ping_ok "$c" "$LAB_SERVER_IP"
done
echo "# clients through $(ms_since "$t0") ms after the re-creation"
for c in c1 c2; do check_pings "F (after re-creation)" "$c" "$LAB_SERVER_IP"; done
check "F: r1 is the AVG again (10 s)" lab_wait 10 avg_is r2 r1
check "F: ... and r1 serves a forwarder (10 s)" lab_wait 10 owns_one r1
# A fresh ARP from each client, answered by the (re-attached) AVG with a vMAC.
for c in c1 c2; do
	lab_exec "$c" ip neigh flush dev eth0
	check "F: $c resolves the VIP again after a flush" ping_ok "$c" "$LAB_VIP"
	check "F: ... to a vMAC" eval "[[ \$(lab_neigh_mac $c) == 02:78:67:62:* ]]"
done

# ---- G: no ARP reply for the VIP from a real MAC ---------------------------------------
for c in c1 c2; do
	replies=$(grep -c "Reply $LAB_VIP is-at" "$LAB_DIR/arp.$c.txt")
	bad=$(grep "Reply $LAB_VIP is-at" "$LAB_DIR/arp.$c.txt" | grep -v "is-at 02:78:67:62:")
	check "G: $c saw ARP replies for the VIP ($replies)" test "$replies" -gt 0
	check_empty "G: ... none of them from a real MAC" "$bad"
done

# ---- H: a group interface without native XDP -----------------------------------------
lab_stop_xglbd r2 5
lab_exec r2 ip link add brx type bridge
lab_exec r2 ip link set brx up
sed 's/\beth0\b/brx/g' "$cfg2" >"$LAB_DIR/r2-bridge.yaml"
if LAB_READY_S=10 lab_start_xglbd r2 "$LAB_DIR/r2-bridge.yaml" 2>/dev/null; then
	not_ok "H: xglbd on a bridge refusing native XDP does not start"
else
	lab_xglbd_exited r2 >"$LAB_DIR/how" # not in $(...): wait needs our own child
	check_eq "H: xglbd on a bridge refusing native XDP exits 1" "$(cat "$LAB_DIR/how")" \
		"r2's xglbd exited with status 1"
fi
grep -E "error" "$(lab_xglbd_log r2)" | head -n 3 | sed 's/^/#   /'
check "H: ... the error names the interface and what to do" \
	log_has r2 "error: brx \(ifindex [0-9]+\): attaching XDP: .*datapath: auto or tc"

# ---- H2, H3: the same bridge with xdp-mode auto (generic, logged) and generic -----------
brx_xdp() { lab_status r2 | jq -r '.datapath.interfaces[] | select(.name == "brx") | "\(.hook) \(.xdp_mode) \(.xdp)"'; }
for mode in auto generic; do
	h=H2
	[ $mode = generic ] && h=H3
	{ echo "xdp-mode: $mode"; grep -v '^xdp-mode:' "$LAB_DIR/r2-bridge.yaml"; } >"$LAB_DIR/r2-bridge-$mode.yaml"
	if ! LAB_READY_S=10 lab_start_xglbd r2 "$LAB_DIR/r2-bridge-$mode.yaml"; then
		not_ok "$h: xglbd on the bridge with datapath: xdp, xdp-mode: $mode starts" "$LAB_ERR"
		continue
	fi
	ok "$h: xglbd on the bridge with datapath: xdp, xdp-mode: $mode starts"
	check_eq "$h: ... brx runs xglb_xdp in generic mode (status: hook, xdp_mode; the kernel)" \
		"$(brx_xdp)" "xdp generic generic"
	if [ $mode = auto ]; then
		check "$h: ... the fallback is logged, naming the interface and the driver" \
			log_has r2 "brx \(ifindex [0-9]+\): native XDP refused \(.*, driver bridge\): xglb_xdp in generic \(skb\) mode"
	else
		check_none "$h: ... no native attempt" "native XDP refused" cat "$(lab_xglbd_log r2)"
	fi
	lab_stop_xglbd r2 5 || not_ok "$h: xglbd on the bridge stops"
	check "$h: ... the stop detaches xglb_xdp from brx" no_xdp r2 brx
done

t_done
