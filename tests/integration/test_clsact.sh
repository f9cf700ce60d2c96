#!/usr/bin/env bash
# test_clsact.sh - the tc programs on a kernel without tcx hooks (before Linux 6.6): xglbd run
# under tests/tools/xglb_deny tcx, where every bpf(BPF_PROG_QUERY) fails with EINVAL as such a
# kernel answers a tcx query, so its probe (loader.c) falls back to clsact filters. With the
# data path at XDP (tc ingress fix-up and egress guard) and at tc (xglb_tc answers ARP): the
# filters are there and nothing at tcx, status says clsact, traffic passes (the programs' pass
# verdict is clsact's), the egress guard drops, a clean stop removes the filters; then a
# restart on the tcx kernel (the upgrade) puts the programs at tcx and the old filter goes.
# Prints TAP-like "ok - ..." / "not ok - ..." lines.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

BUILD=${BUILD:-build}
[ -x "$BUILD/tools/xglb_deny" ] || bail "$BUILD/tools/xglb_deny not built (make tools)"
NOTCX="$(realpath "$BUILD/tools/xglb_deny") tcx --"

lab_init
lab_router r1
lab_client c1
lab_server
hook() { lab_tc_progs r1 eth0 "$1" | paste -sd, -; } # the programs at eth0's tc hook, in order
log=$(lab_xglbd_log r1)

# ---- datapath xdp: the tc ingress fix-up and the egress guard as clsact filters -------------
cfg=$(lab_write_config r1 owners=r1,r1,r1 datapath=xdp)
LAB_XGLBD_WRAP=$NOTCX lab_start_xglbd r1 "$cfg" || bail "xglbd ready on r1 without tcx"
ok "xglbd ready on r1 without tcx (datapath xdp)"
check "the probe found no tcx and said so" grep -q "no tcx hooks in this kernel (Invalid argument): tc programs on clsact" "$log"
check_eq "status: tc_attach clsact" "$(lab_status r1 | jq -r .datapath.tc_attach)" clsact
check_eq "eth0: xglb_tc_ingress and xglb_tc_egress as clsact filters, nothing at tcx" \
	"$(hook ingress) $(hook egress)" "clsact:xglb_tc_ingress clsact:xglb_tc_egress"
check "c1 reaches the server through the gateway (both filters pass what is not theirs)" \
	lab_exec c1 ping -c 3 -i 0.2 -W 1 -q "$LAB_SERVER_IP"
check_eq "c1 holds forwarder 0's vMAC for the VIP" "$(lab_neigh_mac c1)" "$(lab_vmac 0)"
# the egress guard at clsact: the kernel's ARP naming the VIP as sender is dropped
g0=$(lab_reason r1 tc_egress_drop_vip_arp)
lab_exec r1 sysctl -qw net.ipv4.conf.eth0.arp_announce=0 net.ipv4.conf.all.arp_announce=0
lab_exec r1 ip neigh flush dev eth0
lab_exec r1 ping -c 1 -W 1 -I "$LAB_VIP" 10.0.0.101 >/dev/null 2>&1
lab_exec r1 sysctl -qw net.ipv4.conf.eth0.arp_announce=2 net.ipv4.conf.all.arp_announce=2
g1=$(lab_reason r1 tc_egress_drop_vip_arp)
check "the egress guard at clsact drops the kernel's ARP naming the VIP ($g0 -> $g1)" [ "$g1" -gt "$g0" ]
lab_stop_xglbd r1
check_eq "a clean stop exits 0" "$?" 0
check_eq "... and removes both clsact filters" "$(hook ingress) $(hook egress)" " "

# ---- datapath tc: xglb_tc at clsact answers ARP, its replies leave by redirect -------------
cfg=$(lab_write_config r1 owners=r1,r1,r1 datapath=tc)
LAB_XGLBD_WRAP=$NOTCX lab_start_xglbd r1 "$cfg" || bail "xglbd ready on r1 without tcx (datapath tc)"
ok "xglbd ready on r1 without tcx (datapath tc)"
check_eq "eth0: xglb_tc and xglb_tc_egress as clsact filters" \
	"$(hook ingress) $(hook egress)" "clsact:xglb_tc clsact:xglb_tc_egress"
a0=$(lab_reason r1 tc_tx_arp_reply)
lab_exec c1 ip neigh flush dev eth0
check "c1 resolves the VIP again and reaches the server" \
	lab_exec c1 ping -c 3 -i 0.2 -W 1 -q "$LAB_SERVER_IP"
a1=$(lab_reason r1 tc_tx_arp_reply)
check "xglb_tc at clsact answered c1's ARP ($a0 -> $a1)" [ "$a1" -gt "$a0" ]
check_eq "c1 holds forwarder 0's vMAC again" "$(lab_neigh_mac c1)" "$(lab_vmac 0)"

# ---- kill -9, then a restart on a kernel with tcx: the programs move to tcx ----------------
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
check_eq "killed: the clsact filters stay (the data path goes on)" \
	"$(hook ingress) $(hook egress)" "clsact:xglb_tc clsact:xglb_tc_egress"
lab_restart_xglbd r1 || bail "xglbd ready on r1 with tcx"
ok "xglbd restarted with tcx over the state the clsact run left"
check_eq "status: tc_attach tcx" "$(lab_status r1 | jq -r .datapath.tc_attach)" tcx
check_eq "eth0: the programs at tcx, the clsact filters gone" \
	"$(hook ingress) $(hook egress)" "tcx:xglb_tc tcx:xglb_tc_egress"
lab_exec c1 ip neigh flush dev eth0
check "c1 resolves the VIP and reaches the server after the move to tcx" \
	lab_exec c1 ping -c 3 -i 0.2 -W 1 -q "$LAB_SERVER_IP"
check_eq "... through forwarder 0's vMAC" "$(lab_neigh_mac c1)" "$(lab_vmac 0)"
lab_stop_xglbd r1
check_eq "a clean stop exits 0" "$?" 0
check_eq "... and leaves no program at either hook" "$(hook ingress) $(hook egress)" " "

t_done
