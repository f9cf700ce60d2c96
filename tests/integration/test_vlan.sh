#!/usr/bin/env bash
# test_vlan.sh - 802.1Q/802.1ad tagged frames sent into a router (ARP and NS for the VIP, IPv4 to an owned vMAC or to the router's MAC) are never answered, learned from, readdressed or steered: passed untouched and counted (pass_vlan_arp, pass_vlan_ndp, pass_vlan_vmac, pass_vlan; steering on, tc_steer_vlan), with the data path at XDP (the tag in the frame) and at tc (the tag delivered as metadata by the switch port's veth VLAN offload); the XDP mode in status and /metrics, kept when the interface is re-created; receive VLAN offload turned off where xglb_xdp runs (again on a re-created interface), on again after a clean stop, left alone with the data path at tc, and left off by a restart after a kill (ethtool, status, /metrics); status and /metrics read it from the offload thread, and each interface's mtu, xdp and xdp_program from the interface read thread (strace: no ethtool request, SIOCGIFMTU, rtnetlink socket or bpf program query on the event loop; the values and their read age shown), an operator's change shown after its link event and left as set; a driver that cannot turn it off (every ethtool request refused by tests/tools/xglb_deny): warned once, counted, the data path kept at XDP, nothing turned on at the stop.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines (tests/run.sh counts
# them); details of a failure follow as "#" lines.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

R=r1
N=5                    # tagged frames of each kind
TAGGED=02:00:0a:00:10:01 # the source of every tagged frame: never a host of the group
PLAIN=02:00:0a:00:10:0 # + hook number: the source of the untagged control request

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools jq python3 curl ethtool strace

lab_setup $R -- c1

# send HEX...: each frame once out of c1's eth0, as written (an AF_PACKET socket).
send() {
	lab_exec c1 python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for h in sys.argv[1:]:
    s.send(bytes.fromhex(h))' "$@"
}
mac_hex() { tr -d : <<<"$1"; }
ip_hex() { printf '%02x' ${1//./ }; }
# tag TPID VID: an 802.1Q (8100) or 802.1ad (88a8) tag
tag() { printf '%s%04x' "$1" "$2"; }
# arp_req SRC TAGS: a broadcast ARP request for the VIP from SRC (10.0.0.77), padded to 60 bytes + tags
arp_req() {
	printf 'ffffffffffff%s%s0806000108000604%s%s%s000000000000%s%036d' "$(mac_hex "$1")" "$2" \
		0001 "$(mac_hex "$1")" "$(ip_hex 10.0.0.77)" "$(ip_hex "$LAB_VIP")" 0
}
# ns TAGS: an NS from TAGGED for fe80::1 to its solicited-node group, with a source link-layer option
ns() {
	printf '3333ff000001%s%s86dd6000000000203aff%s%s8700000000000000%s0101%s' "$(mac_hex $TAGGED)" \
		"$1" fe800000000000000000000000000077 ff0200000000000000000001ff000001 \
		fe800000000000000000000000000001 "$(mac_hex $TAGGED)"
}
# to_mac MAC TAGS: an IPv4/UDP datagram from TAGGED to the server, sent to MAC
to_mac() {
	printf '%s%s%s0800450000200000000040110000%s%s%04x%04x000c0000%08x' "$(mac_hex "$1")" \
		"$(mac_hex $TAGGED)" "$2" "$(ip_hex 10.0.0.77)" "$(ip_hex "$LAB_SERVER_IP")" 4000 9 0
}
to_vmac() { to_mac "$(lab_vmac "$1")" "$2"; } # IDX TAGS: the same, sent to vMAC IDX
reasons() { # prefix: the counters this test watches, as "name=value ..."
	local s n
	s=$(lab_stats $R)
	for n in pass_vlan_arp pass_vlan_ndp pass_vlan_vmac pass_vlan tx_arp_reply pass_vmac; do
		printf '%s=%s ' "$n" "$(jq --arg r "$1$n" '.reasons[$r] // 0' <<<"$s")"
	done
}
at_least() { [ "$(lab_reason $R "$1")" -ge "$2" ]; } # reason n
hosts_from() { lab_ctl $R --json hosts | jq -r --arg m "$1" '[.. | objects | select(.mac? == $m)] | length'; }

# One run of the checks with the data path on hook P (xdp_, tc_); PLAIN$2 asks untagged.
run() {
	local p=$1 plain=$PLAIN$2 base want got fwd0 sv
	base=$(reasons "$p")
	fwd0=$(lab_fwd_packets $R 0)
	sv=$(lab_reason $R tc_steer_vlan)
	# tagged: ARP request for the VIP (802.1Q, 802.1ad), NS, IPv4 to the vMAC r1 owns, IPv4
	# to r1's own MAC (a flow steering would look up, were it untagged)
	for _ in $(seq $N); do
		send "$(arp_req $TAGGED "$(tag 8100 10)")" "$(arp_req $TAGGED "$(tag 88a8 20)")" \
			"$(ns "$(tag 8100 10)")" "$(to_vmac 0 "$(tag 8100 10)")" \
			"$(to_mac "$(lab_mac $R eth0)" "$(tag 8100 10)")" || not_ok "c1 sends tagged frames"
	done
	lab_wait 5 at_least "${p}pass_vlan_vmac" $(($(sed 's/.*pass_vlan_vmac=\([0-9]*\).*/\1/' <<<"$base") + N)) ||
		not_ok "$p: $R counts the tagged frames" "$(reasons "$p")"
	want=$(awk -v n=$N '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
		d = kv[1] == "pass_vlan_arp" ? 2 * n : kv[1] ~ /^pass_vlan(_ndp|_vmac)?$/ ? n : 0;
		printf "%s=%d ", kv[1], kv[2] + d } }' <<<"$base")
	got=$(reasons "$p")
	check_eq "$p: $((2 * N)) tagged ARP requests for the VIP, $N tagged NS, $N tagged frames to an owned vMAC, $N to the router's MAC: each counted under its pass_vlan* reason, none answered or readdressed" \
		"$got" "$want"
	check_eq "$p: no host learned from a tagged frame" "$(hosts_from $TAGGED)" 0
	check_eq "$p: forwarder 0 counted none of the tagged frames to its vMAC" "$(lab_fwd_packets $R 0)" "$fwd0"
	# every tagged frame reached tc ingress with its tag in metadata, and steering left it there
	check_eq "$p: steering (on) left all $((5 * N)) tagged frames where they were (tc_steer_vlan)" \
		"$(lab_reason $R tc_steer_vlan)" $((sv + 5 * N))
	# the control: the same request untagged is answered, so the tagged ones were not by choice
	send "$(arp_req "$plain" "")" || not_ok "c1 sends an untagged request"
	lab_wait 5 at_least "${p}tx_arp_reply" $(($(sed 's/.*tx_arp_reply=\([0-9]*\).*/\1/' <<<"$got") + 1)) ||
		not_ok "$p: the untagged request is answered" "$(reasons "$p")"
	ok "$p: the same request untagged is answered ($(lab_reason $R "${p}tx_arp_reply") replies)"
	check_eq "$p: the host that asked untagged is learned" "$(hosts_from "$plain")" 1
}

# offload on|off: the VLAN offload of the switch's port towards r1's eth0. On (veth's default),
# a tag crosses the veth as metadata (vlan_present), as a NIC's rx VLAN offload delivers it;
# off, the port puts the tag into the frame. XDP sees only a tag in the frame
# (docs/datapath.md, "Tagged frames").
offload() {
	ip netns exec "$(lab_ns lan)" ethtool -K "$(lab_get $R port.eth0)" tx-vlan-hw-insert "$1" \
		tx-vlan-stag-hw-insert "$1" || not_ok "ethtool -K the switch port tx-vlan-hw-insert $1"
}

# rxvlan_now: eth0's receive VLAN offload as "ethtool, status (value ours), /metrics' series"
rxvlan() { lab_exec $R ethtool -k eth0 | sed -n 's/^rx-vlan-offload: \([a-z]*\).*/\1/p'; }
rxvlan_now() {
	printf '%s %s %s\n' "$(rxvlan)" \
		"$(lab_status $R | jq -r '.datapath.interfaces[] | select(.name == "eth0") | "\(.rx_vlan_offload) \(.rx_vlan_offload_ours)"')" \
		"$(lab_exec $R curl -sS --max-time 5 http://127.0.0.1:9867/metrics | grep -E '^xglb_iface_rx_vlan_offload\{iface="eth0"\}|^xglb_rx_vlan_offload_refused_total ' | tr '\n' ' ')"
}
rxvlan_want() { echo "$1 $1 $2 xglb_iface_rx_vlan_offload{iface=\"eth0\"} $([ "$1" = on ] && echo 1 || echo 0) xglb_rx_vlan_offload_refused_total 0 "; }
rxvlan_is() { [ "$(rxvlan_now)" = "$(rxvlan_want "$1" "$2")" ]; } # on|off ours

# ---- the data path at XDP: the tag is in the frame ------------------------------------------
offload off
check_eq "before xglbd: $R's eth0 has receive VLAN offload on (veth's default)" "$(rxvlan)" on
lab_start_all avg=$R owners=$R datapath=xdp steer=1 || bail "xglbd ready on $R" "$LAB_ERR"
ok "xglbd ready on $R (datapath xdp, xdp-mode ${LAB_XDP_MODE:-native})"
check_eq "xglb_xdp on eth0: xglbd turned its receive VLAN offload off (ethtool, status, /metrics)" \
	"$(rxvlan_now)" "$(rxvlan_want off true)"
run xdp_ 2

# ---- status reads the offload as its thread last read it: no ethtool request on the loop ----
# strace on every thread of xglbd while status and /metrics are asked: the event loop's thread
# (its id is the process's) makes no SIOCETHTOOL ioctl (it accepts the requests: traced too,
# so a trace that saw nothing of the loop cannot pass), and none of the kernel reads behind
# each interface's mtu, xdp, xdp_program and tcx_* (SIOCGIFMTU, a NETLINK_ROUTE socket for
# bpf_xdp_query, BPF_PROG_QUERY / BPF_PROG_GET_FD_BY_ID): those are the interface read
# thread's (ifkern.h), seen reading eth0's MTU in the same trace; then an operator's
# ethtool -K (a link event) is read again by the thread and shown, and xglbd does not turn
# it off again.
pid=$(lab_xglbd_pid $R)
strace -f -qq -e trace=ioctl,accept4,socket,bpf -e signal=none -o "$LAB_DIR/strace.out" -p "$pid" \
	2>"$LAB_DIR/strace.err" &
tracer=$!
all_traced() {
	local t
	for t in /proc/"$pid"/task/*; do
		[ "$(awk '/^TracerPid:/ { print $2 }' "$t/status" 2>/dev/null)" = "$tracer" ] || return 1
	done
}
loop_calls() { awk -v p="$pid" -v c="$1" '$1 == p && index($0, c)' "$LAB_DIR/strace.out" | wc -l; }
thread_calls() { awk -v p="$pid" -v c="$1" '$1 != p && index($0, c)' "$LAB_DIR/strace.out" | wc -l; }
thread_read_mtu() { [ "$(thread_calls SIOCGIFMTU)" -ge 1 ]; }
if lab_wait 5 all_traced; then
	st=$(lab_status $R) && lab_status $R >/dev/null &&
		lab_exec $R curl -sS --max-time 5 -o /dev/null http://127.0.0.1:9867/metrics
	# the thread reads again at least every 2 s (docs/datapath.md): bounded, no sleep
	lab_wait 5 thread_read_mtu
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null
	check "strace saw the event loop accept the status and /metrics requests" \
		test "$(loop_calls accept4)" -ge 2
	check_eq "... and no ethtool request (SIOCETHTOOL) made by it" "$(loop_calls SIOCETHTOOL)" 0
	check_eq "... nor a kernel read for mtu, xdp, xdp_program (SIOCGIFMTU, NETLINK_ROUTE, BPF_PROG_QUERY, BPF_PROG_GET_FD_BY_ID)" \
		"$(loop_calls SIOCGIFMTU) $(loop_calls NETLINK_ROUTE) $(loop_calls BPF_PROG_QUERY) $(loop_calls BPF_PROG_GET_FD_BY_ID)" "0 0 0 0"
	check "the interface read thread read eth0's MTU meanwhile (SIOCGIFMTU off the loop)" thread_read_mtu
	want_mode=native # the lab's veth has native XDP; tests/run.sh's @generic rerun forces generic
	[ "$LAB_XDP_MODE" = generic ] && want_mode=generic
	check_eq "status shows eth0 as the kernel has it: mtu, xdp, xdp_program, a read age under 2.5 s; the offload's read age" \
		"$(jq -r '.datapath.interfaces[] | select(.name == "eth0") | "\(.mtu) \(.xdp) \(.xdp_program) \(.kernel_read_age_ms | type == "number" and . < 2500) \(.rx_vlan_offload_read_age_ms | type)"' <<<"$st")" \
		"$(lab_mtu $R eth0) $want_mode xglb_xdp true number"
else
	kill -INT "$tracer" 2>/dev/null
	wait "$tracer" 2>/dev/null
	not_ok "strace attached to every thread of xglbd on $R" "$(head -n 3 "$LAB_DIR/strace.err")"
fi
lab_exec $R ethtool -K eth0 rxvlan on || not_ok "ethtool -K eth0 rxvlan on (xglbd running)"
if lab_wait 5 rxvlan_is on true; then
	ok "an operator turned it on: status and /metrics show on (read again after the link event)"
else
	not_ok "an operator turned it on: status and /metrics show on (read again after the link event)" \
		"$(rxvlan_now)"
fi
lab_exec $R ethtool -K eth0 rxvlan off || not_ok "ethtool -K eth0 rxvlan off (xglbd running)"
lab_wait 5 rxvlan_is off true
check_eq "... and off again, as the operator set it" "$(rxvlan_now)" "$(rxvlan_want off true)"

# ---- the XDP mode: in status, in /metrics, and kept when eth0 is re-created ------------------
want_mode=native # the lab's veth has native XDP; tests/run.sh's @generic rerun forces generic
[ "$LAB_XDP_MODE" = generic ] && want_mode=generic
mode_now() { # "status's xdp_mode, the kernel's view, /metrics' series" of eth0
	printf '%s %s\n' "$(lab_status $R | jq -r '.datapath.interfaces[] | select(.name == "eth0") | "\(.xdp_mode) \(.xdp)"')" \
		"$(lab_exec $R curl -sS --max-time 5 http://127.0.0.1:9867/metrics | grep '^xglb_iface_xdp_mode{iface="eth0"')"
}
want_now="$want_mode $want_mode xglb_iface_xdp_mode{iface=\"eth0\",mode=\"$want_mode\"} 1"
check_eq "eth0: xglb_xdp in $want_mode mode (status, the kernel, /metrics)" "$(mode_now)" "$want_now"
mode_back() { [ "$(mode_now)" = "$want_now" ]; }
new_ifx=$(lab_replug $R eth0)
offload off
if lab_wait 5 mode_back; then
	ok "eth0 re-created (ifindex $new_ifx): xglb_xdp attached again in $want_mode mode"
else
	not_ok "eth0 re-created (ifindex $new_ifx): xglb_xdp attached again in $want_mode mode" "$(mode_now)"
fi
run xdp_ 4
if lab_wait 5 rxvlan_is off true; then
	ok "eth0 re-created (receive VLAN offload on, as a new veth has it): turned off again"
else
	not_ok "eth0 re-created (receive VLAN offload on, as a new veth has it): turned off again" \
		"$(rxvlan_now)"
fi

# ---- a restart after a kill keeps it off; it is not its to turn on again -------------------
lab_kill_xglbd $R || not_ok "kill -9 xglbd on $R"
check_eq "xglbd killed: eth0's receive VLAN offload stays off" "$(rxvlan)" off
lab_restart_xglbd $R || bail "xglbd ready again on $R" "$(tail -n 20 "$(lab_xglbd_log $R)")"
check_eq "xglbd restarted: eth0's offload found off, kept off, not marked as this run's" \
	"$(rxvlan_now)" "$(rxvlan_want off false)"
lab_stop_xglbd $R || not_ok "xglbd stops on $R"
check_eq "a clean stop of the restarted xglbd leaves it off (it did not turn it off)" "$(rxvlan)" off
lab_exec $R ethtool -K eth0 rxvlan on || not_ok "ethtool -K eth0 rxvlan on"
lab_start_all avg=$R owners=$R datapath=xdp steer=1 || bail "xglbd ready on $R" "$LAB_ERR"
check_eq "started again with the offload on: turned off, marked as this run's" \
	"$(rxvlan_now)" "$(rxvlan_want off true)"

# ---- the data path at tc: the tag arrives as metadata (vlan_present) ----------------------------
lab_stop_xglbd $R || not_ok "xglbd stops on $R"
check_eq "a clean stop turned eth0's receive VLAN offload on again" "$(rxvlan)" on
offload on
lab_start_all avg=$R owners=$R datapath=tc steer=1 || bail "xglbd ready on $R (datapath tc)" "$LAB_ERR"
ok "xglbd ready on $R (datapath tc)"
check_eq "datapath tc: eth0's receive VLAN offload left on (tc sees every tag)" \
	"$(rxvlan_now)" "$(rxvlan_want on false)"
run tc_ 3

# ---- a driver that cannot turn it off: warned once, counted, the data path stays at XDP -------
# tests/tools/xglb_deny ethtool fails xglbd's every ethtool ioctl (EOPNOTSUPP), as a driver
# without ethtool operations would: the offload can be neither read nor changed.
lab_stop_xglbd $R || not_ok "xglbd stops on $R"
offload off
refusal="eth0: cannot turn receive VLAN offload off (Operation not supported)"
LAB_XGLBD_WRAP="$(realpath "$LAB_BUILD/tools/xglb_deny") ethtool --" \
	lab_start_all avg=$R owners=$R datapath=xdp steer=1 || bail "xglbd ready on $R (ethtool refused)" "$LAB_ERR"
ok "xglbd ready on $R with every ethtool request refused (datapath xdp)"
check_eq "the refusal is warned about once, naming eth0 and the error" \
	"$(grep -c "$refusal" "$(lab_xglbd_log $R)")" 1
check_eq "status: eth0's offload unknown, not this run's; one interface refused; the data path at XDP" \
	"$(lab_status $R | jq -r '"\(.datapath.interfaces[] | select(.name == "eth0") | "\(.rx_vlan_offload) \(.rx_vlan_offload_ours) \(.hook)") \(.datapath.rx_vlan_offload_refused)"')" \
	"unknown false xdp 1"
check_eq "/metrics: refused 1, no offload series for eth0 (the driver does not say)" \
	"$(lab_exec $R curl -sS --max-time 5 http://127.0.0.1:9867/metrics | grep -E '^xglb_iface_rx_vlan_offload\{iface="eth0"\}|^xglb_rx_vlan_offload_refused_total ' | tr '\n' ' ')" \
	"xglb_rx_vlan_offload_refused_total 1 "
check_eq "eth0's offload left as it was (on)" "$(rxvlan)" on
lab_reload_xglbd $R || not_ok "xglbd reloads on $R"
run xdp_ 5
check_eq "the reload asked again (its thread, meanwhile): still counted once, warned once" \
	"$(lab_status $R | jq -r .datapath.rx_vlan_offload_refused) $(grep -c "$refusal" "$(lab_xglbd_log $R)")" "1 1"
lab_stop_xglbd $R || not_ok "xglbd stops on $R"
check_eq "a clean stop leaves the offload as it was (on): it never turned it off" "$(rxvlan)" on

t_done
