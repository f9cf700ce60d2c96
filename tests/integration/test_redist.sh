#!/usr/bin/env bash
# test_redist.sh - redistribution reaches hosts the AVG never answered, on the interface they
# were seen on: c1's neighbour entry for the VIP is set by hand to forwarder 1's vMAC (r2's), so
# no AVG ever answered it (xglb_hosts knows nothing of it). The group's interfaces are
# [eth0, eth1]: the lan, where c1 is, and the server side (a group is one segment's, so the
# lan comes first: it answers ARP, holds the node address). r2 dies; forwarder 1
# fails over; at its timeout it is removed, and the node holding it then (not necessarily the
# AVG) tells c1 a live vMAC by unsolicited ARP, twice, out of eth0 where c1 was seen, never out
# of eth1. c1 moves without ARPing itself and reaches the server through its new vMAC.
#
# Lab: r1 r2 r3 (equal priorities: r3 AVG), 3 forwarders owned r1,r2,r3, persistence 0; client
# c1 pinging the server through the VIP. Prints TAP-like "ok - ..." / "not ok - ..." lines.
#
# Then the AVG changes before a host's forwarder is removed: r2 comes back; c2 resolves its
# vMAC from the AVG r3 by ARP (r3's host table holds it). r3 is killed, and so is the owner of
# c2's forwarder if that is not r3: a survivor becomes the AVG, whose host table never held c2,
# and c2's forwarder fails over to a survivor, which removes it at the timeout and tells c2
# (its data path saw c2's frames since the failover) out of eth0, where c2 was seen. With only
# the AVG's host table to go by, nobody would tell c2.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=100
HOLD=1000
REDIRECT=1000
TIMEOUT=3000

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools jq nft curl

owner_of() { lab_jst "$1" ".groups[0].forwarders[$2] | if .active then .owner_name else \"-\" end"; }
seen() { lab_jst "$1" ".redistribution.seen.$2"; }
# count_moves TABLE HOST_MAC VMAC: in each switch, a table TABLE counting ARP replies from the
# VIP to HOST_MAC naming another vMAC than VMAC (moves), and HOST_MAC's own broadcast requests.
count_moves() {
	local seg
	for seg in lan srv; do
		lab_nft_counters "$seg" bridge "$1" prerouting 1 \
			"rep=ether type arp arp operation reply arp saddr ip $LAB_VIP arp saddr ether != $3 arp daddr ether $2" \
			"req=ether saddr $2 ether type arp arp operation request ether daddr ff:ff:ff:ff:ff:ff" ||
			bail "nft counters $1 in $seg"
	done
}
# count SEG NAME [TABLE]: packets of counter NAME of TABLE (xglb_redist) in segment SEG's switch.
count() { lab_nft_count "$1" bridge "${3:-xglb_redist}" "$2"; }
# The value of one sample in /metrics text.
metric() { awk -v k="$2" '$1 == k { print $2 }' <<<"$1"; }
# moved CLIENT OLDMAC: CLIENT's entry for the VIP names a MAC other than OLDMAC.
# wait_moved CLIENT OLDMAC: waits for that (up to the timeout and 5 s); sets newmac (the entry
# then) and t_moved (ms since t_kill).
moved() {
	local m
	m=$(lab_neigh_mac "$1")
	[ -n "$m" ] && [ "$m" != "$2" ]
}
wait_moved() {
	lab_wait $((TIMEOUT / 1000 + 5)) moved "$1" "$2"
	t_moved=$((($(date +%s%N) - t_kill) / 1000000))
	newmac=$(lab_neigh_mac "$1")
}

lab_setup "${ROUTERS[@]}" -- c1 c2 || bail "lab with r1 r2 r3, c1 c2" "$LAB_ERR"
declare -A CFG
for r in "${ROUTERS[@]}"; do
	cfg=$(lab_write_config "$r" membership=1 owners=r1,r2,r3 persistence=0 hello_ms=$HELLO \
		hold_ms=$HOLD redirect_ms=$REDIRECT timeout_ms=$TIMEOUT)
	sed -i 's/^    interfaces: \[eth0\]$/    interfaces: [eth0, eth1]/' "$cfg"
	grep -q 'interfaces: \[eth0, eth1\]' "$cfg" || bail "$r's group on eth0 and eth1"
	CFG[$r]=$cfg
	lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
lab_wait 10 lab_agree_owned || bail "r1 r2 r3 agree, every forwarder owned" "$(lab_views)"
check_eq "r3 is the AVG; forwarders r1,r2,r3; the group's second interface is eth1 (server side)" \
	"$(lab_view r3 | sed 's/ v=[0-9]*//')" "avg=r3 owners=r1,r2,r3"
# A group on two segments is accepted, with a warning naming both interfaces (segcheck.c).
ct=$(lab_exec r1 "$LAB_BUILD/xglbd" --config "${CFG[r1]}" --node r1 --config-test 2>&1)
check_eq "--config-test accepts the group on eth0 and eth1 (exit 0)" "$?" 0
check "... and warns that eth0 and eth1 carry addresses of different subnets" \
	grep -qE "group [0-9]+: interfaces eth0 \([0-9.]+/[0-9]+\) and eth1 \([0-9.]+/[0-9]+\) carry addresses of different subnets" <<<"$ct"

# ARP replies from the VIP to c1 naming another vMAC than forwarder 1's (the moves; not the
# owner's answers to c1's unicast re-confirmations), and c1's own broadcast requests, counted
# at each switch.
cmac=$(lab_mac c1 eth0)
vmac1=$(lab_vmac 1)
count_moves xglb_redist "$cmac" "$vmac1"

# c1 holds r2's vMAC for the VIP without ever asking the AVG.
lab_exec c1 ip neigh replace "$LAB_VIP" lladdr "$(lab_vmac 1)" dev eth0 nud stale ||
	bail "c1's neighbour entry for the VIP set by hand"
lab_bg c1 "$LAB_DIR/ping.c1.log" ping -i 0.1 -W 1 "$LAB_SERVER_IP"
learnt() { [ "$(seen r2 learning.new)" -ge 1 ]; }
check "r2's data path learnt c1 from its frames to forwarder 1 (xglb_seen)" lab_wait 5 learnt
check_eq "c1 reaches the server through $(lab_vmac 1)" "$(lab_neigh_mac c1)" "$(lab_vmac 1)"
in_avg=$(lab_ctl r3 --json hosts | jq -c --arg m "$cmac" '[.. | objects | select(.mac? == $m)] | length')
check_eq "no AVG answered c1: r3's host table does not hold it" "$in_avg" 0
avg_moved0=$(lab_jst r3 .hosts_redistributed)
req0=$(count lan req)

# ---- r2 dies: forwarder 1 fails over, is removed at the timeout ------------------
lab_kill_xglbd r2
lab_exec r2 ip link set eth0 down
lab_exec r2 ip link set eth1 down
t_kill=$(date +%s%N)
failed_over() {
	local o
	o=$(owner_of r3 1)
	[ "$o" = r1 ] || [ "$o" = r3 ]
}
lab_wait 5 failed_over || not_ok "forwarder 1 taken over by r1 or r3" "$(lab_views)"
holder=$(owner_of r3 1)
echo "# forwarder 1 is with $holder after r2's death"
wait_moved c1 "$(lab_vmac 1)"
check "c1's entry for the VIP moved from $(lab_vmac 1) to a live vMAC ($newmac, $t_moved ms after r2 died)" \
	bash -c "[[ '$newmac' =~ ^02:78:67:62:$(printf %02x "$LAB_GID"):0[02]$ ]]"
check "... at the removal: not before the timeout ($TIMEOUT ms)" [ "$t_moved" -ge "$TIMEOUT" ]
check_eq "forwarder 1 removed" "$(owner_of r1 1) $(owner_of r3 1)" "- -"
check "$holder, which held forwarder 1 when it was removed, told c1 (hosts_told $(seen "$holder" hosts_told))" \
	[ "$(seen "$holder" hosts_told)" -ge 1 ]
check_eq "the AVG's own table had nothing to move (hosts_redistributed on r3 unchanged)" \
	"$(lab_jst r3 .hosts_redistributed)" "$avg_moved0"
check "the move reached c1 on the segment it was seen on (ARP replies to c1 naming a new vMAC at lan: $(count lan rep))" \
	[ "$(count lan rep)" -ge 1 ]
check_eq "... and never left by the server side (the same at srv)" \
	"$(count srv rep)" 0
again() { [ "$(seen "$holder" hosts_told_again)" -ge 1 ] && [ "$(count lan rep)" -ge 2 ]; }
check "told once more after the ARP lock time (hosts_told_again; replies to c1 at lan)" \
	lab_wait 5 again
check_eq "c1 did not ARP for the VIP itself (broadcast requests at lan)" "$(($(count lan req) - req0))" 0
check "c1 reaches the server through its new vMAC" quiet lab_exec c1 ping -c 2 -i 0.2 -W 1 "$LAB_SERVER_IP"
m=$(lab_exec "$holder" curl -sS --max-time 5 http://127.0.0.1:9867/metrics)
check "$holder's /metrics: xglb_redist_owner_hosts_told_total{time=\"first\"} >= 1" \
	[ "$(metric "$m" 'xglb_redist_owner_hosts_told_total{time="first"}')" -ge 1 ]
check "... and xglb_seen_learn_total{result=\"new\"} >= 1" \
	[ "$(metric "$m" 'xglb_seen_learn_total{result="new"}')" -ge 1 ]


# ---- the AVG changes, then the forwarder c2 resolved from the old AVG is removed --------
lab_exec r2 ip link set eth0 up
lab_exec r2 ip link set eth1 up
lab_start_xglbd r2 "${CFG[r2]}" || bail "xglbd ready on r2 again"
back() { [ "$(lab_view r3 | sed 's/ v=[0-9]*//')" = "avg=r3 owners=r1,r2,r3" ] && lab_agree_owned; }
lab_wait 10 back || bail "r2 back: r3 AVG, forwarders r1,r2,r3 again" "$(lab_views)"
c2mac=$(lab_mac c2 eth0)
lab_exec c2 ip neigh flush dev eth0
lab_exec c2 ping -c 1 -W 2 -q "$LAB_SERVER_IP" >/dev/null || bail "c2 reaches the server"
mac2=$(lab_neigh_mac c2)
[[ $mac2 =~ ^02:78:67:62:[0-9a-f]{2}:0([0-2])$ ]] || bail "c2 holds a vMAC for the VIP" "'$mac2'"
f2=${BASH_REMATCH[1]}
in_r3=$(lab_ctl r3 --json hosts | jq -c --arg m "$c2mac" '[.. | objects | select(.mac? == $m)] | length')
check_eq "c2 resolved $mac2 (forwarder $f2) from the AVG r3 by ARP: r3's host table holds it" "$in_r3" 1
# The nodes to kill: the AVG r3, and the owner of c2's forwarder if another node owns it.
owner2=$(owner_of r3 "$f2")
victims=(r3)
[ "$owner2" != r3 ] && victims+=("$owner2")
count_moves xglb_redist2 "$c2mac" "$mac2"
lab_bg c2 "$LAB_DIR/ping.c2.log" ping -i 0.1 -W 1 "$LAB_SERVER_IP"
told0_r1=$(seen r1 hosts_told)
told0_r2=$(seen r2 hosts_told)

survivors=()
for r in r1 r2; do [ "$r" != "$owner2" ] && survivors+=("$r"); done
# The server's way back to the clients through a survivor (its default route is r1).
lab_exec server ip route replace "$LAB_LAN_NET.0/24" via "$(lab_get "${survivors[0]}" srv_ip)" ||
	bail "the server's route to the clients through ${survivors[0]}"
for v in "${victims[@]}"; do
	lab_kill_xglbd "$v"
	lab_exec "$v" ip link set eth0 down
	lab_exec "$v" ip link set eth1 down
done
t_kill=$(date +%s%N)
new_avg() {
	local a
	a=$(lab_jst "${survivors[0]}" .groups[0].avg_name)
	[[ " ${survivors[*]} " == *" $a "* ]]
}
lab_wait 5 new_avg || not_ok "a survivor (${survivors[*]}) is the AVG after ${victims[*]} died" "$(lab_views)"
avg2=$(lab_jst "${survivors[0]}" .groups[0].avg_name)
failed_over2() {
	local o
	o=$(owner_of "$avg2" "$f2")
	[[ " ${survivors[*]} " == *" $o "* ]]
}
lab_wait 5 failed_over2 || not_ok "forwarder $f2 taken over by a survivor (${survivors[*]})" "$(lab_views)"
holder2=$(owner_of "$avg2" "$f2")
echo "# ${victims[*]} killed: $avg2 is the AVG, forwarder $f2 is with $holder2"
in_avg2=$(lab_ctl "$avg2" --json hosts | jq -c --arg m "$c2mac" '[.. | objects | select(.mac? == $m)] | length')
check_eq "the new AVG $avg2 never answered c2: its host table does not hold it" "$in_avg2" 0
wait_moved c2 "$mac2"
newmac2=$newmac
check "c2's entry for the VIP moved from $mac2 to a live vMAC ($newmac2, $t_moved ms after ${victims[*]} died)" \
	bash -c "[[ '$newmac2' =~ ^02:78:67:62:$(printf %02x "$LAB_GID"):0[0-2]$ && '$newmac2' != '$mac2' ]]"
check "... at the removal: not before the timeout ($TIMEOUT ms)" [ "$t_moved" -ge "$TIMEOUT" ]
check_eq "forwarder $f2 removed" "$(owner_of "$avg2" "$f2")" "-"
told0=$told0_r1
[ "$holder2" = r2 ] && told0=$told0_r2
check "$holder2, which held forwarder $f2 when it was removed, told c2 (hosts_told $told0 -> $(seen "$holder2" hosts_told))" \
	[ "$(seen "$holder2" hosts_told)" -gt "$told0" ]
check "the move reached c2 on the segment it was seen on (ARP replies to c2 naming a new vMAC at lan: $(count lan rep xglb_redist2))" \
	[ "$(count lan rep xglb_redist2)" -ge 1 ]
check_eq "... and never left by the server side (the same at srv)" "$(count srv rep xglb_redist2)" 0
check_eq "c2 did not ARP for the VIP itself (broadcast requests at lan)" "$(count lan req xglb_redist2)" 0
check "c2 reaches the server through its new vMAC" quiet lab_exec c2 ping -c 2 -i 0.2 -W 1 "$LAB_SERVER_IP"

for r in "${survivors[@]}"; do lab_stop_xglbd "$r" 5; done
t_done
