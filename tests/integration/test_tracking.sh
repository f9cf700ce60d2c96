#!/usr/bin/env bash
# test_tracking.sh - tracked objects (link, ping, file, command) move the AVG role and forwarders, and back.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

BUILD=${BUILD:-build}

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
		"${extra[@]}")
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

# link (rtnetlink events): uplink down -> priority 50 -> the AVG role moves (r3: highest id of the 100s)
lab_exec r1 ip link set eth1 down
check "link down is seen (netlink)" lab_wait 5 obj_up uplink false
check "... and the ping to the server behind it fails" lab_wait 5 obj_up server false
check "... priority 200 - 150 - 10 = 40" lab_wait 5 prio_is 40
check "... the AVG role moves to r3" lab_wait 5 avg_is r3
lab_exec r1 ip link set eth1 up
check "link up again: priority restored" lab_wait 5 prio_is 200
check "... r1 preempts the AVG role back" lab_wait 5 avg_is r1

# file: weight 100 - 60 = 40 < lower 50 -> withdrawn (weight 0): its forwarder moves away
rm -f "$LAB_DIR/r1.healthy"
check "file gone: object down" lab_wait 5 obj_up health-file false
check "... weight below lower: withdrawn, advertises 0" lab_wait 5 weight_is 0
check "... r1 owns no forwarder" lab_wait 5 owns_none
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
	extra="$LAB_DIR/track-r1.yaml")
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
