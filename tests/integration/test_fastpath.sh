#!/usr/bin/env bash
# test_fastpath.sh - the XDP fast path ("fast-path: true") with real clients.
#
# Lab (tests/lab/lab.sh): router r1 (static mode, AVG and owner of the one forwarder,
# fast-path on), client c1 (default route via the VIP, so every frame it routes goes to
# r1's vMAC), the server. The switch side of r1's ports runs an XDP program (the lab's
# default), so both of r1's veths take XDP redirects.
#
# What is asserted, and why:
# c1's checksum offload is off: see below.
#
#  A. status says the group's fast path is on and lists eth1 as a way out (its peer runs
#     XDP: the kernel reports NDO_XMIT among its XDP features).
#  B. UDP from the client arrives at the server with TTL 63 (one lower than Linux sends),
#     every datagram, each routed inside XDP (xdp_fp_redirect), none of them seen by r1's
#     netfilter forward hook (fast-pathed frames bypass netfilter, as docs/datapath.md
#     says), while the replies, sent to r1's own MAC, are (the kernel's path).
#  C. TCP (iperf3) from the client arrives with TTL 63, through the fast path.
#  D. TTL 1: the kernel gets the frame (xdp_fp_pass_ttl) and its ICMP time exceeded, from
#     r1's address on the client side, reaches the client.
#  E. fragments go through the kernel (xdp_fp_pass_frag) and the fragmented echoes come
#     back whole.
#  F. a datagram larger than the egress MTU with DF: the kernel (xdp_fp_pass_mtu) answers
#     "fragmentation needed" with the egress MTU.
#  G. a way out whose veth peer loses its XDP program no longer takes redirects: xglbd
#     drops it from the devmap within its rescan, frames go through the kernel
#     (xdp_fp_pass_no_egress) and still arrive; when the program is back, so is the fast path.
#  H. IPv6 (the lab gives none: added here, c1's default router a link-local address with a
#     permanent neighbour entry for the vMAC, as NDP would give it): echoes through r1 arrive
#     with hop limit 63 through the fast path, hop limit 1 brings the kernel's time exceeded,
#     fragments (a fragment header) go through the kernel.
#  I. a reload with fast-path off: status says off, frames take the vMAC path to the kernel
#     (xdp_pass_vmac), xdp_fp_redirect does not move.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

PORT=9000
IPERF_PORT=5201
N=500 # probe datagrams (1000/s)

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe
t_need_tools iperf3 nft ethtool

rs() { lab_reason r1 "$1"; }
fp_on() { [ "$(lab_jst r1 '.groups[0].fast_path')" = true ]; }
fp_off() { [ "$(lab_jst r1 '.groups[0].fast_path')" = false ]; }
egress_has() { lab_jst r1 --arg i "$1" '.fast_path.egress | index($i) != null' | grep -qx true; }
egress_lacks() { lab_jst r1 --arg i "$1" '.fast_path.egress | index($i) == null' | grep -qx true; }
counter() { lab_nft_count "$1" inet xglb_fp "$2"; } # box name: packets of a named counter

lab_setup r1 -- c1
# A host on a wire sends finished checksums. A veth in the same kernel may leave them to
# "offload" (CHECKSUM_PARTIAL): the kernel's path finishes them on the way out, a frame
# redirected in XDP leaves as it is and the server drops it. So c1 sends them finished.
lab_exec c1 ethtool -K eth0 tx off >/dev/null || bail "c1: checksum offload off"
cfg=$(lab_write_config r1 fast_path=1) && lab_start_xglbd r1 "$cfg" || bail "xglbd ready on r1"
RIP=$(lab_get r1 ip)

# ---- A. status --------------------------------------------------------------------------
check "status: group $LAB_GID has fast-path on" fp_on
check "status: eth1 (its peer runs XDP) is a way out" lab_wait 5 egress_has eth1
lab_xglbctl r1 status
check "xglbctl status says fast-path on and names eth1" \
	bash -c '[[ $1 == *"fast-path on"* && $1 =~ fast\ path:\ out\ of.*eth1 ]]' _ "$OUT"

# counters: at the server, by TTL; at r1, what netfilter's forward hook sees
lab_nft_counters server inet xglb_fp input 0 "udp63=udp dport $PORT ip ttl 63" \
	"udp_other=udp dport $PORT ip ttl != 63" "tcp63=tcp dport $IPERF_PORT ip ttl 63" \
	"tcp_other=tcp dport $IPERF_PORT ip ttl != 63" || bail "nftables counters in the server"
lab_nft_counters r1 inet xglb_fp forward 0 "to_server=udp dport $PORT" \
	"to_client=udp sport $PORT" || bail "nftables counters in r1"

# the client's ARP for the VIP and r1's for the server, through the kernel once
check "c1 reaches the server through the VIP" lab_exec c1 ping -c 2 -W 2 -q "$LAB_SERVER_IP"

# ---- B. UDP ----------------------------------------------------------------------------------
lab_echo_start server "$PORT" || bail "UDP echo on the server"
r0=$(rs xdp_fp_redirect) f0=$(counter r1 to_server) b0=$(counter r1 to_client)
LAB_PROBE_PORT=$PORT LAB_PROBE_RATE=1000 lab_probe_start udp c1 $((N / 1000 + 1))
lab_probe_wait udp
sent=$(lab_probe_get udp sent)
check_eq "UDP: every datagram came back ($(lab_probe_json udp))" "$(lab_probe_netlost udp)" 0
check_eq "UDP: the server got all $sent with TTL 63 and none with another" \
	"$(counter server udp63) $(counter server udp_other)" "$sent 0"
r1_=$(rs xdp_fp_redirect)
check "UDP: r1 routed them in XDP (xdp_fp_redirect +$((r1_ - r0)) >= $sent)" [ $((r1_ - r0)) -ge "$sent" ]
check_eq "UDP: r1's netfilter forward hook saw none of them (fast path), and every reply (kernel)" \
	"$(($(counter r1 to_server) - f0)) $(($(counter r1 to_client) - b0))" "0 $sent"

# ---- C. TCP ----------------------------------------------------------------------------------
lab_bg server "$LAB_DIR/iperf.json" iperf3 -s -1 -p "$IPERF_PORT" -J
lab_wait 5 bash -c "[ -n \"\$(ip netns exec $(lab_ns server) ss -Hltn 'sport = :$IPERF_PORT')\" ]" ||
	bail "iperf3 server listening"
r0=$(rs xdp_fp_redirect)
j=$(lab_exec c1 iperf3 -c "$LAB_SERVER_IP" -p "$IPERF_PORT" -t 1 -J) ||
	not_ok "iperf3 TCP through r1" "$(jq -r '.error // empty' <<<"$j")"
bytes=$(jq '.end.sum_received.bytes // 0' <<<"$j")
segs=$(counter server tcp63)
check "TCP: $bytes bytes received, $segs segments at the server with TTL 63" \
	[ "$bytes" -gt 1000000 -a "$segs" -gt 100 ]
check_eq "TCP: no segment with another TTL" "$(counter server tcp_other)" 0
check "TCP: r1 routed them in XDP (xdp_fp_redirect +$(($(rs xdp_fp_redirect) - r0)))" \
	[ $(($(rs xdp_fp_redirect) - r0)) -ge "$segs" ]

# ---- D. TTL expiry: the kernel's ICMP time exceeded ---------------------------------------
t0=$(rs xdp_fp_pass_ttl)
out=$(lab_exec c1 ping -c 1 -W 2 -t 1 "$LAB_SERVER_IP" 2>&1)
check "TTL 1: c1 hears 'Time to live exceeded' from r1 ($RIP)" \
	grep -qE "^From $RIP .*Time to live exceeded" <<<"$out"
check_eq "TTL 1: r1 handed it to the kernel (xdp_fp_pass_ttl +1)" $(($(rs xdp_fp_pass_ttl) - t0)) 1

# ---- E. fragments ------------------------------------------------------------------------------
g0=$(rs xdp_fp_pass_frag)
out=$(lab_exec c1 ping -c 2 -W 2 -s 4000 -q "$LAB_SERVER_IP" 2>&1)
check "fragments: 4000-byte pings come back ($(grep -o '[0-9]* received' <<<"$out"))" \
	grep -q ' 2 received' <<<"$out"
check "fragments: r1 handed each fragment to the kernel (xdp_fp_pass_frag +$(($(rs xdp_fp_pass_frag) - g0)) >= 6)" \
	[ $(($(rs xdp_fp_pass_frag) - g0)) -ge 6 ]

# ---- F. larger than the egress MTU, DF set ------------------------------------------------
lab_set_mtu r1 eth1 1400 || bail "r1 eth1 MTU 1400"
m0=$(rs xdp_fp_pass_mtu)
out=$(lab_exec c1 ping -c 1 -W 2 -M do -s 1450 "$LAB_SERVER_IP" 2>&1)
check "MTU: c1 hears 'Frag needed' with mtu 1400 from r1 ($RIP)" \
	grep -qE "^From $RIP .*Frag needed.*mtu = 1400" <<<"$out"
check_eq "MTU: r1 handed it to the kernel (xdp_fp_pass_mtu +1)" $(($(rs xdp_fp_pass_mtu) - m0)) 1
lab_set_mtu r1 eth1 1500 || bail "r1 eth1 MTU back to 1500"

# ---- G. a way out that stops taking redirects ----------------------------------------------
port=$(lab_get r1 port.eth1)
ip -n "$(lab_ns srv)" link set dev "$port" xdpdrv off || bail "detaching XDP from $port"
check "eth1's peer without XDP: xglbd drops eth1 from the ways out" lab_wait 5 egress_lacks eth1
n0=$(rs xdp_fp_pass_no_egress)
check "without the fast path's way out, c1 still reaches the server" \
	lab_exec c1 ping -c 3 -i 0.2 -W 2 -q "$LAB_SERVER_IP"
check "those went to the kernel (xdp_fp_pass_no_egress +$(($(rs xdp_fp_pass_no_egress) - n0)) >= 3)" \
	[ $(($(rs xdp_fp_pass_no_egress) - n0)) -ge 3 ]
ip -n "$(lab_ns srv)" link set dev "$port" xdpdrv obj "$LAB_BUILD/xdp_pass.bpf.o" sec xdp.frags ||
	bail "attaching XDP to $port again"
check "eth1's peer with XDP again: eth1 is a way out again" lab_wait 5 egress_has eth1
r0=$(rs xdp_fp_redirect)
lab_exec c1 ping -c 3 -i 0.2 -W 2 -q "$LAB_SERVER_IP" >/dev/null
check "and the fast path routes again (xdp_fp_redirect +$(($(rs xdp_fp_redirect) - r0)) >= 3)" \
	[ $(($(rs xdp_fp_redirect) - r0)) -ge 3 ]

# ---- H. IPv6 ---------------------------------------------------------------------------------
v6ok=1
{ lab_exec r1 sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	lab_exec r1 ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad &&
	lab_exec r1 ip -6 addr add 2001:db8:2::2/64 dev eth1 nodad &&
	lab_exec c1 ip -6 addr add 2001:db8:1::101/64 dev eth0 nodad &&
	lab_exec c1 ip -6 neigh replace fe80::1 lladdr "$(lab_vmac 0)" dev eth0 nud permanent &&
	lab_exec c1 ip -6 route replace default via fe80::1 dev eth0 &&
	lab_exec server ip -6 addr add 2001:db8:2::100/64 dev eth0 nodad &&
	lab_exec server ip -6 route replace default via 2001:db8:2::2 dev eth0 &&
	lab_exec server nft add counter inet xglb_fp icmp6_63 &&
	lab_exec server nft add rule inet xglb_fp input icmpv6 type echo-request ip6 hoplimit 63 \
		counter name icmp6_63; } || v6ok=0
[ "$v6ok" = 1 ] || bail "IPv6 addresses and routes in the lab"
# the first echo resolves r1's neighbour for the server (the kernel's path)
lab_exec c1 ping -6 -c 1 -W 2 -q 2001:db8:2::100 >/dev/null
r0=$(rs xdp_fp_redirect) h0=$(counter server icmp6_63)
check "IPv6: c1 reaches the server through r1's vMAC" \
	lab_exec c1 ping -6 -c 5 -i 0.2 -W 2 -q 2001:db8:2::100
check_eq "IPv6: the server got the 5 echo requests with hop limit 63" $(($(counter server icmp6_63) - h0)) 5
check "IPv6: r1 routed them in XDP (xdp_fp_redirect +$(($(rs xdp_fp_redirect) - r0)) >= 5)" \
	[ $(($(rs xdp_fp_redirect) - r0)) -ge 5 ]
t0=$(rs xdp_fp_pass_ttl)
out=$(lab_exec c1 ping -6 -c 1 -W 2 -t 1 2001:db8:2::100 2>&1)
check "IPv6 hop limit 1: c1 hears 'Time exceeded' from r1 (2001:db8:1::2)" \
	grep -qE "^From 2001:db8:1::2 .*Time exceeded" <<<"$out"
check_eq "IPv6 hop limit 1: r1 handed it to the kernel (xdp_fp_pass_ttl +1)" $(($(rs xdp_fp_pass_ttl) - t0)) 1
g0=$(rs xdp_fp_pass_frag)
out=$(lab_exec c1 ping -6 -c 2 -W 2 -s 4000 -q 2001:db8:2::100 2>&1)
check "IPv6 fragments: 4000-byte echoes come back ($(grep -o '[0-9]* received' <<<"$out"))" \
	grep -q ' 2 received' <<<"$out"
check "IPv6 fragments: r1 handed each to the kernel (xdp_fp_pass_frag +$(($(rs xdp_fp_pass_frag) - g0)) >= 6)" \
	[ $(($(rs xdp_fp_pass_frag) - g0)) -ge 6 ]

# ---- I. reload with the fast path off --------------------------------------------------------
sed -i '/^    fast-path: true$/d' "$cfg"
lab_reload_xglbd r1 || bail "reload of r1"
check "after the reload: status says fast-path off" fp_off
r0=$(rs xdp_fp_redirect) v0=$(rs xdp_pass_vmac)
check "c1 reaches the server" lab_exec c1 ping -c 3 -i 0.2 -W 2 -q "$LAB_SERVER_IP"
check_eq "the frames took the vMAC path to the kernel (xdp_pass_vmac >= +3, xdp_fp_redirect +0)" \
	"$(($(rs xdp_pass_vmac) - v0 >= 3)) $(($(rs xdp_fp_redirect) - r0))" "1 0"

t_done
