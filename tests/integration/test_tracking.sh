#!/usr/bin/env bash
# test_tracking.sh - tracked objects (link, ping, file, command) move the AVG role and forwarders, and back.
# The lab is dual-stack (LAB_IPV6=1, RAs): c1 resolves the VIP and the virtual link-local to
# forwarder 0's vMAC; when tracking withdraws r1, forwarder 0 (persistence 0, redirect 200 ms,
# timeout 800 ms) is taken over and removed, and c1 is moved for both families: its neighbour
# entries for the VIP and the virtual link-local name a live vMAC (unsolicited ARP reply and NA;
# hosts_redistributed, ipv6.na_moved, xglb_na_moved_total).
# shellcheck disable=SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

BUILD=${BUILD:-build}
t_need_tools jq curl

LAB_IPV6=1
lab_init
for r in r1 r2 r3; do lab_router "$r"; done
lab_client c1
lab_server

# r1 (priority 200, the AVG) tracks its uplink, the server by ping, a health
# file and a health command; the others track nothing.
touch "$LAB_DIR/r1.healthy" "$LAB_DIR/r1.cmd-ok"
cat >"$LAB_DIR/track-r1.yaml" <<EOF
weighting:
  lower: 50
  upper: 80
tracking:
  - name: uplink
    type: link
    interface: eth1
    priority-decrement: 150
  - name: server
    type: ping
    target: $LAB_SERVER_IP
    interval-ms: 200
    timeout-ms: 150
    priority-decrement: 10
  - name: health-file
    type: file
    path: $LAB_DIR/r1.healthy
    interval-ms: 100
    weight-decrement: 60
  - name: health-cmd
    type: command
    command: test -e $LAB_DIR/r1.cmd-ok
    interval-ms: 100
    timeout-ms: 100
    weight-decrement: 10
EOF
for r in r1 r2 r3; do
	extra=()
	[ "$r" = r1 ] && extra=(extra="$LAB_DIR/track-r1.yaml")
	cfg=$(lab_write_config "$r" membership=1 hello_ms=100 hold_ms=300 prios=200,100,100 \
		redirect_ms=200 timeout_ms=800 ipv6=1 "${extra[@]}")
	lab_start_xglbd "$r" "$cfg" || bail "xglbd starts on $r"
done

st() { lab_status r1; }
avg_is() { [ "$(lab_status r2 | jq -r '.groups[0].avg_name')" = "$1" ]; }
prio_is() { [ "$(st | jq '.node.priority')" = "$1" ]; }
weight_is() { [ "$(st | jq '.node.weight')" = "$1" ]; }
obj_up() { [ "$(st | jq -r --arg n "$1" '.tracking.objects[] | select(.name == $n) | .up')" = "$2" ]; }
owner_of() { lab_status r2 | jq -r --argjson i "$1" '.groups[0].forwarders[$i].owner_name'; }
owns_none() { [ "$(lab_status r2 | jq '[.groups[0].forwarders[] | select(.owner_name == "r1")] | length')" = 0 ]; }
owns_f0() { [ "$(owner_of 0)" = r1 ]; }

check "r1 (priority 200) is elected AVG" lab_wait 10 avg_is r1
healthy() { prio_is 200 && weight_is 100; }
check "all objects healthy: priority 200, weight 100" lab_wait 5 healthy
check "r1 owns its forwarder" lab_wait 5 owns_f0

# c1, dual-stack, the only host: the AVG gives it forwarder 0 by ARP and by NDP.
VM0=$(lab_vmac 0)
ping_ll6() { lab_exec c1 ping -6 -c1 -W1 -n "$LAB_LL6%eth0" >/dev/null 2>&1; }
nr0=$(lab_reason r1 xdp_tx_na_reply)
lab_wait 5 lab_exec c1 ping -4 -c1 -W1 -q "$LAB_SERVER_IP" >/dev/null
lab_wait 5 ping_ll6
check_eq "c1: the VIP and the virtual link-local at fwd 0's vMAC; r1 answered its NS (xdp_tx_na_reply +1)" \
	"$(lab_neigh_mac c1) $(lab_neigh_mac c1 "$LAB_LL6") $(($(lab_reason r1 xdp_tx_na_reply) - nr0))" "$VM0 $VM0 1"

# link (rtnetlink events): uplink down -> priority 50 -> the AVG role moves (r3: highest id of the 100s)
lab_exec r1 ip link set eth1 down
check "link down is seen (netlink)" lab_wait 5 obj_up uplink false
check "... and the ping to the server behind it fails" lab_wait 5 obj_up server false
check "... priority 200 - 150 - 10 = 40" lab_wait 5 prio_is 40
check "... the AVG role moves to r3" lab_wait 5 avg_is r3
lab_exec r1 ip link set eth1 up
check "link up again: priority restored" lab_wait 5 prio_is 200
check "... r1 preempts the AVG role back" lab_wait 5 avg_is r1

na_moved() { local r n=0; for r in r1 r2 r3; do n=$((n + $(lab_jst "$r" .ipv6.na_moved))); done; echo $n; }
redist() { local r n=0; for r in r1 r2 r3; do n=$((n + $(lab_jst "$r" .hosts_redistributed))); done; echo $n; }
na_metric() {
	local r n=0
	for r in r1 r2 r3; do
		n=$((n + $(lab_exec "$r" curl -s --max-time 2 http://127.0.0.1:9867/metrics | awk '$1 == "xglb_na_moved_total" {print $2}')))
	done
	echo $n
}
moved6() {
	local m4 m6
	m4=$(lab_neigh_mac c1)
	m6=$(lab_neigh_mac c1 "$LAB_LL6")
	[[ $m6 =~ ^02:78:67:62:01:0[12]$ ]] && [ "$m4" = "$m6" ]
}
# file: weight 100 - 60 = 40 < lower 50 -> withdrawn (weight 0): its forwarder moves away
na0=$(na_moved) nm0=$(na_metric) rd0=$(redist)
rm -f "$LAB_DIR/r1.healthy"
check "file gone: object down" lab_wait 5 obj_up health-file false
check "... weight below lower: withdrawn, advertises 0" lab_wait 5 weight_is 0
check "... r1 owns no forwarder" lab_wait 5 owns_none
# Forwarder 0 waits for r1 (withdrawn, so it cannot forward): removed at the timeout, its
# hosts moved by the AVG (its host table) with an unsolicited ARP reply and NA each.
check "fwd 0 removed at its timeout (r1 withdrawn)" lab_wait 5 eval '[ "$(lab_jst r2 ".groups[0].forwarders[0].active")" = false ]'
lab_wait 5 moved6
check "... c1 moved to a live vMAC for both families: the VIP at $(lab_neigh_mac c1), the virtual link-local at $(lab_neigh_mac c1 "$LAB_LL6")" \
	moved6
lab_wait 3 eval '[ "$(na_metric)" -gt "$nm0" ]'
check "... by an unsolicited NA: ipv6.na_moved +$(($(na_moved) - na0)), xglb_na_moved_total +$(($(na_metric) - nm0)), hosts_redistributed +$(($(redist) - rd0)) (each >= 1)" \
	bash -c '[ "$1" -ge 1 ] && [ "$2" -ge 1 ] && [ "$3" -ge 1 ]' _ $(($(na_moved) - na0)) $(($(na_metric) - nm0)) $(($(redist) - rd0))
check "... c1 reaches the virtual link-local through its new vMAC" ping_ll6
# command: another 10 down; back to the file: 100 - 10 = 90 >= upper 80 -> restored
rm -f "$LAB_DIR/r1.cmd-ok"
check "command fails: object down" lab_wait 5 obj_up health-cmd false
touch "$LAB_DIR/r1.healthy"
check "file back, command still failing: 90 >= upper 80, restored" lab_wait 5 weight_is 90
# 3 forwarders over weights 90/100/100: r1's share is 0.93 of one, so the balance
# gives it one back, the one it prefers.
check "... r1 takes a forwarder again (balance), its preferred forwarder 0" lab_wait 5 owns_f0
touch "$LAB_DIR/r1.cmd-ok"
check "command succeeds again: weight 100" lab_wait 5 weight_is 100

# Hysteresis: with the command worth 30, file back but command failing is
# 70: above lower (50), below upper (80): a withdrawn node stays withdrawn.
sed -i 's/weight-decrement: 10$/weight-decrement: 30/' "$LAB_DIR/track-r1.yaml"
cfg=$(lab_write_config r1 membership=1 hello_ms=100 hold_ms=300 prios=200,100,100 \
	redirect_ms=200 timeout_ms=800 ipv6=1 extra="$LAB_DIR/track-r1.yaml")
lab_reload_xglbd r1 || bail "r1 reloads the changed tracking"
rm -f "$LAB_DIR/r1.healthy"
check "reloaded tracking: file gone again, withdrawn" lab_wait 5 weight_is 0
rm -f "$LAB_DIR/r1.cmd-ok"
check "command fails again: object down" lab_wait 5 obj_up health-cmd false
touch "$LAB_DIR/r1.healthy"
# A negative: once the file is seen back (the weight is worked out in the
# same step), r1 must still advertise 0.
check "file back: object up" lab_wait 5 obj_up health-file true
check "weight 70 is between lower and upper: stays withdrawn" weight_is 0
touch "$LAB_DIR/r1.cmd-ok"
check "weight 100: restored" lab_wait 5 weight_is 100

events=$(st | jq '[.events[] | select(.message | test("advertising priority"))] | length')
check "each change of what r1 advertises was logged ($events)" [ "$events" -ge 4 ]

t_done
