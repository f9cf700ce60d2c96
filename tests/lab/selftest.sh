#!/usr/bin/env bash
# selftest.sh - checks the lab library itself with the plain kernel (no xglbd): topology, routing, teardown.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

lab_init
lab_router r1
lab_router r2
lab_server server
# clients use a router's real address as gateway: no VIP without xglbd
lab_client c1 10.0.0.2
lab_client c2 10.0.0.3
check "router namespaces exist" test -e "/run/netns/$(lab_ns r1)"
check "bridge-side ports of routers run XDP" \
	bash -c "ip -n $(lab_ns lan) -d link show $(lab_get r1 port.eth0) | grep -q 'prog/xdp'"
check "lab bpffs mounted" mountpoint -q "$LAB_BPFFS"
check "c1 reaches the server through r1" lab_exec c1 ping -c 2 -i 0.2 -W 2 -q 10.1.0.100
check "c2 reaches the server through r2" lab_exec c2 ping -c 2 -i 0.2 -W 2 -q 10.1.0.100
check "c1 resolved r1's real MAC" \
	test "$(lab_neigh_mac c1 10.0.0.2)" = "$(lab_mac r1 eth0)"
lab_bg server "$LAB_DIR/sleep.log" sleep 600
check "background process recorded" grep -q "^pid $LAB_BG_PID " "$LAB_DIR/registry"
check_fails "lab_wait times out (status 1)" lab_wait 1 false
check "lab_wait sees an event" lab_wait 5 lab_has_neigh c2 10.0.0.3
# a second link of r1 into the lan, its carrier taken from the switch's end and given back
lab_add_link r1 eth2
carrier() { lab_exec r1 cat /sys/class/net/eth2/carrier 2>/dev/null; }
carrier_is() { [ "$(carrier)" = "$1" ]; }
check "lab_add_link: r1's eth2 is a port of the lan bridge" \
	bash -c "ip -n $(lab_ns lan) -d link show $(lab_get r1 port.eth2) | grep -q 'master br0'"
check_eq "lab_add_link: eth2 has carrier" "$(carrier)" 1
lab_link_set r1 eth2 down switch
lab_wait 5 carrier_is 0
check_eq "lab_link_set down switch: eth2 lost carrier" "$(carrier)" 0
lab_link_set r1 eth2 up switch
lab_wait 5 carrier_is 1
check_eq "lab_link_set up switch: carrier back" "$(carrier)" 1
cfg=$(lab_write_config r1)
check "config rendered" grep -q "owner: r2" "$cfg"
lab_arp_counters_init
# the plain kernel of r2 answering for the VIP: one request, one reply from r2's port
lab_exec r2 ip addr add 10.0.0.1/32 dev eth0
lab_client c3
check "c3 reaches the server via the VIP on r2" lab_exec c3 ping -c 1 -W 2 -q 10.1.0.100
check_eq "arp counters: one broadcast request" "$(lab_arp_counter req_bcast)" 1
check "arp counters: one reply, from r2's port" \
	test "$(lab_arp_counter rep_all) $(lab_arp_counter rep_r2) $(lab_arp_counter rep_r1)" = "1 1 0"
check "arp counters: the kernel's reply for the VIP counts as vip_real" \
	test "$(lab_arp_counter vip_real) $(lab_arp_counter learn)" = "1 0"

sfx=$LAB_SFX dir=$LAB_DIR bpffs=$LAB_BPFFS sleeper=$LAB_BG_PID
lab_teardown
lab_teardown # idempotent
check_none "no lab namespace left" "xl$sfx-" ip netns list
check_none "bpffs unmounted" " $bpffs " cat /proc/self/mounts
check "lab dir removed" test ! -e "$dir"
check "background process killed" test ! -e "/proc/$sleeper"
t_done
