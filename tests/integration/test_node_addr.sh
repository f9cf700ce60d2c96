#!/usr/bin/env bash
# test_node_addr.sh - a router with two links into the segment: its node address (the source
# of its hellos) follows its live interfaces, and the node steps down when it has none.
#
# Two routers, membership (hello 200 ms, hold 1000 ms), r2 the AVG by priority; r1 has eth0
# (holding its node address 10.0.0.2/24) and eth2 on the segment, both in the group; a
# client c1. r1 has a route 192.0.2.0/24 via r2 on eth0.
#  A. start: status says the address is on eth0, managed; arp_ignore=1 on both links, so
#     c1's entry for it holds eth0's MAC (by default each link would answer with its own).
#  B. eth0 loses carrier (the switch's end down; Linux keeps the address there, its route
#     linkdown): within 3 s the address is on eth2 and not on eth0 (ip -j addr), with its
#     /24; r2's and c1's neighbour entries for 10.0.0.2 hold eth2's MAC (the gratuitous
#     ARP); the route to 192.0.2.0/24 is via eth2; r1's neighbour entries on eth0 are
#     flushed; r2 keeps hearing r1 (its hello age never reaches the hold time, no failover,
#     owners and AVG unchanged); status and /metrics count one move.
#  C. eth0's carrier back: the address stays on eth2 for nic-return-ms (1000) and then
#     returns to eth0 (not before 1 s, within 4 s); r2's entry holds eth0's MAC again; one
#     return counted.
#  D. eth0 set down on the router's end: the address moves to eth2 again.
#  E. eth2 down as well (both ends): r1 withdraws, reason node-address-lost in status and
#     log, xglb_node_address_lost 1; r2 takes every forwarder (within the hold time plus a
#     second: no hello can leave a node with no live link, so peers go by the hold time).
#  F. eth2 back: the address is on eth2 (eth0 still down), the withdrawal ends, both
#     routers agree again.
#  G. xglbd stopped: the address stays where it is (eth2); eth0 back meanwhile; a new xglbd
#     adopts it on eth2 (no move at start), then returns it to eth0 after nic-return-ms.
#  H. an interrupted move (the address on both links when xglbd starts): it is deleted from
#     the one not kept, and the node works.
#  I. an operator deletes the address: r1 withdraws (node-address-lost, the cause in status)
#     and does not put it back; added back, r1 takes part again.
#  J. eight groups on eight other interfaces listed before the segment's: restarted, xglbd
#     still finds the address on eth0 and manages it over eth0 and eth2.
#  K. eth2 deleted and re-created with the same name: arp_ignore=1 set on the new device;
#     a clean stop puts the value first found back.
#  L. xglbd killed between a move's address add and its route move (the state made by hand:
#     eth0 without carrier, the address on eth0 and eth2, the route still on eth0): a new
#     xglbd keeps the address on eth2 and moves the route there before deleting the address
#     from eth0 (whose last IPv4 address it is: deleting it first would take the route
#     along); the same for an interrupted return (both live, the address added on eth0, the
#     route still on eth2): the route ends on eth0 with the address. The routers agree.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools jq curl

lab_init
lab_router r1
lab_router r2
lab_add_link r1 eth2
lab_client c1

R1=$(lab_get r1 ip)
HOLD_MS=1000
URL=http://127.0.0.1:9867

jst() { lab_jst "$@"; }
addr_on() { # router ifname: the node address's prefix there ("" if absent)
	lab_exec "$1" ip -j -4 addr show dev "$2" |
		jq -r --arg a "$R1" '.[0].addr_info[]? | select(.local == $a) | "\(.local)/\(.prefixlen)"'
}
on_only() { [ "$(addr_on r1 "$1")" = "$R1/24" ] && [ -z "$(addr_on r1 "$2")" ]; }
mac_of() { lab_exec r1 cat "/sys/class/net/$1/address"; }
neigh_mac() { # box: its neighbour entry's MAC for r1's address
	lab_exec "$1" ip -j -4 neigh show "$R1" | jq -r '.[0].lladdr // ""'
}
neigh_is() { [ "$(neigh_mac "$1")" = "$2" ]; }
na() { jst r1 ".node_address.$1"; }
route_dev() { lab_exec r1 ip -j -4 route show 192.0.2.0/24 | jq -r '.[0].dev // ""'; }
withdrawn() { jst "$1" '.groups[0].withdrawn | join(",")'; }
withdrawn_is() { [ "$(withdrawn "$1")" = "$2" ]; }
peer() { jst r2 ".groups[0].peers[] | select(.name == \"r1\") | .$1"; }
owners_are() { [ "$(lab_owners_of r2)" = "$1" ]; }
metric() { lab_exec r1 curl -sS --max-time 2 "$URL/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
log_has() { grep -qE -- "$2" "$(lab_xglbd_log "$1")"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# watch_r2 MS: for MS ms, the largest age of r1's last hello at r2, and whether r1 was ever down
watch_r2() {
	local end=$(($(now_ms) + $1)) max=0 a down=0
	while [ "$(now_ms)" -lt "$end" ]; do
		a=$(peer age_ms)
		[ "$(peer up)" = true ] || down=1
		[ -n "$a" ] && [ "$a" != null ] && [ "$a" -gt "$max" ] && max=$a
		sleep 0.05
	done
	echo "$max $down"
}

cfg1=$(lab_write_config r1 membership=1 prios=100,200 hello_ms=200 hold_ms=$HOLD_MS)
sed -i 's/^    interfaces: \[eth0\]$/    interfaces: [eth0, eth2]/' "$cfg1"
echo "nic-return-ms: 1000" >>"$cfg1"
cfg2=$(lab_write_config r2 membership=1 prios=100,200 hello_ms=200 hold_ms=$HOLD_MS)
grep -q 'interfaces: \[eth0, eth2\]' "$cfg1" || bail "r1's configuration has no second interface"
lab_start_xglbd r2 "$cfg2" || bail "xglbd on r2"
lab_start_xglbd r1 "$cfg1" || bail "xglbd on r1"
lab_wait 15 lab_agree_owned r1 r2 || bail "r1 and r2 do not agree: $(lab_views)"
lab_exec r1 ip route add 192.0.2.0/24 via "$(lab_get r2 ip)" dev eth0 ||
	bail "route 192.0.2.0/24 on r1"
lab_exec c1 ping -c1 -W1 "$R1" >/dev/null
lab_exec r1 ping -c1 -W1 "$(lab_get c1 ip 2>/dev/null || echo 10.0.0.101)" >/dev/null
MAC0=$(mac_of eth0)
MAC2=$(mac_of eth2)

# ---- A -------------------------------------------------------------------------------
check_eq "A: status: the node address is managed" "$(na managed)" true
check_eq "A: status: on eth0" "$(na interface)" eth0
check_eq "A: status: prefix length 24" "$(na prefix_length)" 24
check "A: the address is on eth0 only" on_only eth0 eth2
check_eq "A: arp_ignore=1 on both links (only the holder answers for it)" \
	"$(lab_exec r1 cat /proc/sys/net/ipv4/conf/eth0/arp_ignore /proc/sys/net/ipv4/conf/eth2/arp_ignore | paste -sd,)" 1,1
lab_wait 3 neigh_is r2 "$MAC0"
check_eq "A: r2's entry for $R1 holds eth0's MAC" "$(neigh_mac r2)" "$MAC0"
check_eq "A: c1's entry for $R1 holds eth0's MAC" "$(neigh_mac c1)" "$MAC0"
before_owners=$(lab_owners_of r2)
before_events=$(lab_all_events)
before_avg=$(jst r2 .groups[0].avg_name)

# ---- B -------------------------------------------------------------------------------
lab_link_set r1 eth0 down switch || bail "eth0's switch port down"
lab_wait 3 on_only eth2 eth0
check "B: carrier lost on eth0: the address moved to eth2 within 3 s" on_only eth2 eth0
lab_wait 3 neigh_is r2 "$MAC2"
check_eq "B: r2's entry for $R1 holds eth2's MAC (gratuitous ARP)" "$(neigh_mac r2)" "$MAC2"
lab_wait 3 neigh_is c1 "$MAC2"
check_eq "B: c1's entry for $R1 holds eth2's MAC" "$(neigh_mac c1)" "$MAC2"
check_eq "B: the route through a gateway of the prefix is on eth2" "$(route_dev)" eth2
check_empty "B: r1's neighbour entries on eth0 flushed" \
	"$(lab_exec r1 ip -4 neigh show dev eth0 nud all | grep -v PERMANENT)"
read -r max_age down < <(watch_r2 $((2 * HOLD_MS)))
check "B: r2 heard r1 throughout (largest hello age ${max_age} ms < hold $HOLD_MS ms)" \
	test "$max_age" -lt "$HOLD_MS" -a "$down" = 0
check_eq "B: owners unchanged" "$(lab_owners_of r2)" "$before_owners"
check_eq "B: AVG unchanged" "$(jst r2 .groups[0].avg_name)" "$before_avg"
check_eq "B: no failover, no role change (avg/owner changes/failovers)" "$(lab_all_events)" "$before_events"
check_eq "B: status: on eth2" "$(na interface)" eth2
check_eq "B: status: one move" "$(na moves)" 1
check "B: status: gratuitous ARPs sent" test "$(na gratuitous_arps)" -ge 1
check_eq "B: status: one route moved" "$(na routes_moved)" 1
check_eq "B: /metrics: xglb_node_address_actions_total{action=\"moves\"}" \
	"$(metric 'xglb_node_address_actions_total{action="moves"}')" 1
check "B: logged" log_has r1 "node address $R1/24: moved from eth0 to eth2"
echo "# the move: $(grep -oE 'moved from eth0 to eth2 .* in [0-9]+ us' "$(lab_xglbd_log r1)" | head -n 1)"

# ---- C -------------------------------------------------------------------------------
lab_link_set r1 eth0 up switch || bail "eth0's switch port up"
t_up=$(now_ms)
lab_wait 6 on_only eth0 eth2
t_back=$(now_ms)
check "C: carrier back: the address returned to eth0" on_only eth0 eth2
check "C: not before nic-return-ms (took $((t_back - t_up)) ms)" test $((t_back - t_up)) -ge 950
check "C: within 4 s" test $((t_back - t_up)) -le 4000
lab_wait 3 neigh_is r2 "$MAC0"
check_eq "C: r2's entry for $R1 holds eth0's MAC again" "$(neigh_mac r2)" "$MAC0"
check_eq "C: status: one return" "$(na returns)" 1
check_eq "C: the route is back on eth0" "$(route_dev)" eth0

# ---- D -------------------------------------------------------------------------------
lab_link_set r1 eth0 down router || bail "eth0 down"
lab_wait 3 on_only eth2 eth0
check "D: eth0 down (router's end): the address moved to eth2" on_only eth2 eth0
check_eq "D: status: two moves" "$(na moves)" 2
lab_wait 5 lab_agree_owned r1 r2
check "D: the routers still agree" lab_agree_owned r1 r2

# ---- E -------------------------------------------------------------------------------
lab_link_set r1 eth2 down both || bail "eth2 down"
t_down=$(now_ms)
# no interface with carrier: the forwarders' reason (no-carrier) and the address's
lab_wait 3 withdrawn_is r1 no-carrier,node-address-lost
check_eq "E: no live link: r1 withdrawn, reasons no-carrier and node-address-lost" "$(withdrawn r1)" \
	no-carrier,node-address-lost
check_eq "E: status: lost" "$(na lost)" true
check_eq "E: status: one step down" "$(na steps_down)" 1
check_eq "E: /metrics: xglb_node_address_lost" "$(metric xglb_node_address_lost)" 1
check "E: logged" log_has r1 "node address $R1: no interface of the segment is up with carrier: withdrawing"
check "E: the address stays where it was (eth2)" test "$(addr_on r1 eth2)" = "$R1/24"
lab_wait $((HOLD_MS / 1000 + 3)) owners_are r2,r2
t_over=$(now_ms)
check_eq "E: r2 took every forwarder" "$(lab_owners_of r2)" r2,r2
check "E: within the hold time and a second ($((t_over - t_down)) ms)" \
	test $((t_over - t_down)) -le $((HOLD_MS + 1000))

# ---- F -------------------------------------------------------------------------------
lab_link_set r1 eth2 up both || bail "eth2 up"
lab_wait 5 withdrawn_is r1 ""
check_eq "F: eth2 back: the withdrawal ended" "$(withdrawn r1)" ""
check "F: the address is on eth2 (eth0 still down)" on_only eth2 eth0
check_eq "F: status: not lost" "$(na lost)" false
lab_wait 10 lab_agree_owned r1 r2
check "F: the routers agree again" lab_agree_owned r1 r2

# ---- G -------------------------------------------------------------------------------
lab_stop_xglbd r1
check "G: xglbd stopped: the address stayed on eth2" on_only eth2 eth0
lab_link_set r1 eth0 up router || bail "eth0 up"
lab_start_xglbd r1 "$cfg1" || bail "xglbd on r1 again"
check "G: restart: adopted on eth2" log_has r1 "node address $R1/24 is on eth2"
check "G: no move at start" test "$(na moves)" = 0
lab_wait 6 on_only eth0 eth2
check "G: returned to eth0 after nic-return-ms" on_only eth0 eth2
check_eq "G: status: one return in this run" "$(na returns)" 1

# ---- H -------------------------------------------------------------------------------
lab_stop_xglbd r1
lab_exec r1 ip addr add "$R1/24" dev eth2 || bail "address on eth2 too"
lab_start_xglbd r1 "$cfg1" || bail "xglbd on r1 a third time"
check "H: an interrupted move is finished: eth0 only" on_only eth0 eth2
check "H: logged" log_has r1 "was on eth2 too"
lab_wait 10 lab_agree_owned r1 r2
check "H: the routers agree" lab_agree_owned r1 r2

# ---- I -------------------------------------------------------------------------------
lab_exec r1 ip addr del "$R1/24" dev eth0 || bail "deleting the node address"
lab_wait 3 withdrawn_is r1 node-address-lost
check_eq "I: the address deleted by an operator: r1 withdrawn, node-address-lost" \
	"$(withdrawn r1)" node-address-lost
reason_has() { [[ $(na reason) == *"$1"* ]]; }
check "I: status names the cause" reason_has "by someone else"
check "I: xglbd did not put it back" test -z "$(addr_on r1 eth0)$(addr_on r1 eth2)"
lab_exec r1 ip addr add "$R1/24" dev eth0 || bail "adding the node address back"
lab_wait 5 withdrawn_is r1 ""
check_eq "I: added back: the withdrawal ended" "$(withdrawn r1)" ""
lab_wait 10 lab_agree_owned r1 r2
check "I: the routers agree again" lab_agree_owned r1 r2

# ---- J -------------------------------------------------------------------------------
# Eight groups on eight other interfaces come before the segment's group: the node address is
# still found on eth0 (it was looked for among the first eight group interfaces only).
for i in 1 2 3 4 5 6 7 8; do
	lab_exec r1 ip link add "xa$i" type veth peer name "xb$i" &&
		lab_exec r1 ip link set "xa$i" up && lab_exec r1 ip link set "xb$i" up ||
		bail "veth xa$i in r1"
done
cfgj=$LAB_DIR/r1-j.yaml
awk '{ print } /^groups:$/ { for (i = 1; i <= 8; i++) printf "  - id: %d\n    vip: 10.77.%d.1\n    interfaces: [xa%d]\n    forwarders:\n      - index: 0\n        owner: r1\n", 100 + i, i, i }' \
	"$cfg1" >"$cfgj"
check_eq "J: the configuration lists eight groups before the segment's" \
	"$(grep 'interfaces:' "$cfgj" | head -n 9 | tr -d ' ' | paste -sd' ')" \
	"$(printf 'interfaces:[xa%d] ' 1 2 3 4 5 6 7 8)interfaces:[eth0,eth2]"
lab_stop_xglbd r1
lab_start_xglbd r1 "$cfgj" || bail "xglbd on r1 with nine groups"
check_eq "J: the node address is managed, on eth0, among the segment's two links" \
	"$(na managed) $(na interface) $(jst r1 '.node_address.interfaces | map(.name) | join(",")')" \
	"true eth0 eth0,eth2"
check "J: logged where it is" log_has r1 "node address $R1/24 is on eth0: it follows the live interfaces of the segment \\(2\\)"

# ---- K -------------------------------------------------------------------------------
# eth2 deleted and plugged in again (a new device, the same name): it has the kernel's
# arp_ignore=0 again, so both links would answer ARP for the node address; xglbd sets it again.
arp_ignore_eth2() { lab_exec r1 cat /proc/sys/net/ipv4/conf/eth2/arp_ignore; }
arp_ignore_eth2_is() { [ "$(arp_ignore_eth2)" = "$1" ]; }
lab_replug r1 eth2 >/dev/null
lab_wait 5 arp_ignore_eth2_is 1
check_eq "K: eth2 re-created: arp_ignore=1 on the new device" "$(arp_ignore_eth2)" 1
lab_stop_xglbd r1
check_eq "K: a clean stop puts back the value first found (0)" "$(arp_ignore_eth2)" 0

# ---- L -------------------------------------------------------------------------------
# What a kill -9 between the address add and the route move leaves: eth0 lost carrier, the
# address was added on eth2, the routes were still on eth0.
lab_exec r1 ip route replace 192.0.2.0/24 via "$(lab_get r2 ip)" dev eth0 || bail "route on eth0"
lab_link_set r1 eth0 down switch || bail "eth0's switch port down"
lab_exec r1 ip addr add "$R1/24" dev eth2 || bail "the address on eth2 too"
check_eq "L: the half-applied move: the route still on eth0" "$(route_dev)" eth0
lab_start_xglbd r1 "$cfg1" || bail "xglbd on r1 over the half-applied move"
check "L: the address kept on eth2 (live), deleted from eth0" on_only eth2 eth0
check_eq "L: the route followed it to eth2" "$(route_dev)" eth2
check "L: logged" log_has r1 "node address $R1/24: 1 route\\(s\\) through a gateway of its prefix were on another interface of the segment .*: moved to eth2"
check_eq "L: status: one route moved" "$(na routes_moved)" 1
lab_wait 10 lab_agree_owned r1 r2
check "L: the routers agree" lab_agree_owned r1 r2
# and an interrupted return: both live, the address added on eth0, the route still on eth2
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
lab_link_set r1 eth0 up switch || bail "eth0's switch port up"
lab_exec r1 ip addr add "$R1/24" dev eth0 || bail "the address on eth0 too"
check_eq "L: the half-applied return: the route still on eth2" "$(route_dev)" eth2
lab_start_xglbd r1 "$cfg1" || bail "xglbd on r1 over the half-applied return"
check "L: the address kept on eth0 (first live), deleted from eth2" on_only eth0 eth2
check_eq "L: the route followed it to eth0" "$(route_dev)" eth0
lab_wait 10 lab_agree_owned r1 r2
check "L: the routers agree again" lab_agree_owned r1 r2

t_done
