#!/usr/bin/env bash
# test_ipv6_gateway.sh - the group's virtual IPv6 addresses as the hosts' gateway on a hostile
# segment, with processes killed: a host pings the virtual link-local and the vip6 themselves
# while no router knows the host yet (the kernel resolves it from the virtual address: the
# egress guard gives that NS the interface's own link-local, so it leaves and nothing names a
# real MAC for a virtual address); two dual-stack hosts get the same vMAC from ndisc6 as from
# ARP; forged NS/NA/RA/DAD frames from a host (claims of the virtual addresses, hop limit 64,
# truncated) are dropped and counted by reason while the hosts keep their forwarders; a forged
# unsolicited NA (override) for the virtual link-local moves a host's neighbour entry to the
# forger, and the AVG moves it back (conflict event, unsolicited NA); xglbd killed (-9) and
# restarted, the AVG and then the other owner: the data path keeps answering
# NS while it is away, and the restarted node keeps every IPv6 host on its forwarder (host
# table, the NAs of a fresh resolution), its virtual addresses once each, no DAD, deprecated.
#
# Lab (LAB_IPV6=1): r1 (priority 110: AVG) owns fwd 0, r2 owns fwd 1; membership, hello 100,
# hold 3000 (a restart is quicker: no failover), lease 3000; RAs every 2 s, vip6 2001:db8:a::1.
# c1 and c2 dual-stack (fwd 0, fwd 1), c3 forges frames.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

VIP6=2001:db8:a::1
t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools ndisc6 tcpdump python3 jq

# ---- helpers ---------------------------------------------------------------------
reason() { lab_reason "$1" "$2"; }
both() { echo $(($(reason r1 "$1") + $(reason r2 "$1"))); }
has_default6() { [ -n "$(lab_exec "$1" ip -6 route show default)" ]; }
ping6_ok() { lab_exec "$1" ping -6 -c1 -W1 -n "$2" >/dev/null 2>&1; }
both_reach_server() { ping6_ok c1 "$LAB_SERVER_IP6" && ping6_ok c2 "$LAB_SERVER_IP6"; }
flush_routers() { for r in r1 r2; do lab_exec "$r" ip -6 neigh flush dev eth0; done; }
# The vMAC one NA from ndisc6 on client $1 names for address $2 (empty: no answer).
ndisc() {
	lab_exec "$1" ndisc6 -m -n -r 1 -w 1000 "$2" eth0 2>&1 |
		awk '/Target link-layer address/ {print tolower($NF)}' | paste -sd' '
}
# (group, MAC, forwarder, answered by NDP) of every host in r1's table, sorted.
hosts6() { lab_ctl r1 --json hosts | jq -c '[.[] | [.group, .mac, .forwarder, .ipv6]] | sort'; }
vaddrs() {
	lab_exec "$1" ip -6 -o addr show dev eth0 |
		awk -v ll="$LAB_LL6" -v v6="$VIP6" '$4 == ll "/128" || $4 == v6 "/128" {s = $4; for (i = 5; i <= NF; i++) if ($i ~ /^(nodad|deprecated)$/) s = s " " $i; print s}' | sort | paste -sd';'
}
WANT_ADDRS="$VIP6/128 nodad deprecated;$LAB_LL6/128 nodad deprecated"

# Forged frames: one hand-made ICMPv6 NDP message sent from eth0 (checksum computed; --cut
# shortens the message, the IPv6 payload length with it; --hop sets the hop limit; --hbh puts a
# hop-by-hop header before it).
write_ndpsend() {
	cat >"$LAB_DIR/ndpsend.py" <<'EOF'
import argparse, ipaddress, socket, struct
ap = argparse.ArgumentParser()
for k in ('dmac', 'smac', 'src', 'dst'):
    ap.add_argument('--' + k, required=True)
ap.add_argument('--type', type=int, default=135)
ap.add_argument('--flags', type=lambda x: int(x, 0), default=0)
ap.add_argument('--target')
ap.add_argument('--body', help='hex after the type, code and checksum (RA)')
ap.add_argument('--lla', action='append', default=[], help='TYPE:MAC, an 8-byte option')
ap.add_argument('--hop', type=int, default=255)
ap.add_argument('--cut', type=int, help='the ICMPv6 message cut to this many bytes, headers agreeing')
ap.add_argument('--hbh', action='store_true', help='a hop-by-hop header (PadN) before the ICMPv6')
a = ap.parse_args()
mac = lambda s: bytes.fromhex(s.replace(':', ''))
ip6 = lambda s: ipaddress.IPv6Address(s).packed
body = bytes.fromhex(a.body) if a.body else struct.pack('!I', a.flags << 24) + ip6(a.target)
for o in a.lla:
    t, m = o.split(':', 1)
    body += bytes([int(t), 1]) + mac(m)
icmp = (bytes([a.type, 0, 0, 0]) + body)[:a.cut]
src, dst = ip6(a.src), ip6(a.dst)
b = src + dst + struct.pack('!II', len(icmp), 58) + icmp + bytes(len(icmp) % 2)
s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
while s >> 16:
    s = (s & 0xffff) + (s >> 16)
icmp = icmp[:2] + struct.pack('!H', ~s & 0xffff) + icmp[4:]
ext = b'\x3a\x00\x01\x04\x00\x00\x00\x00' if a.hbh else b''
fr = mac(a.dmac) + mac(a.smac) + b'\x86\xdd' + struct.pack('!IHBB', 0x60000000, len(ext) + len(icmp), 0 if a.hbh else 58, a.hop) + src + dst + ext + icmp
sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sk.bind(('eth0', 0))
sk.send(fr)
EOF
}

# ---- lab -------------------------------------------------------------------------
LAB_IPV6=1
lab_setup r1 r2 -- c1 c2 c3
write_ndpsend
forge() { lab_exec c3 python3 "$LAB_DIR/ndpsend.py" "$@"; }
for r in r1 r2; do
	cfg=$(lab_write_config "$r" membership=1 prios=110,100 hello_ms=100 hold_ms=3000 \
		lease_ms=3000 ipv6=1 vip6=$VIP6) && lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
lab_wait 10 lab_agree_owned r1 r2 || bail "r1 and r2 agree" "$(lab_views)"
check_eq "r1 is AVG, fwd 0 on r1, fwd 1 on r2" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r1 owners=r1,r2"
VM0=$(lab_vmac 0)
VM1=$(lab_vmac 1)
C3MAC=$(lab_mac c3)
C3LL=fe80::aff:fe00:67
for c in c1 c2 c3; do lab_wait 10 has_default6 "$c" || bail "$c: default route from the RAs"; done
# the routers' own link-locals (EUI-64 of their MACs in this lab, but read, not assumed)
own_ll() { lab_exec "$1" ip -6 -o addr show dev eth0 scope link | awk -v ll="$LAB_LL6" '$4 != ll "/128" {sub("/.*", "", $4); print $4; exit}'; }
R1LL=$(own_ll r1)
R2LL=$(own_ll r2)
echo "# own link-locals: r1 $R1LL, r2 $R2LL"

# Every ICMPv6 message on the client segment, for the wire checks.
CAP=$LAB_DIR/lan.pcap
lab_bg lan "$LAB_DIR/tcpdump.log" tcpdump -i br0 --immediate-mode -U -n -w "$CAP" icmp6
CAP_PID=$LAB_BG_PID
lab_wait 5 grep -q "listening on" "$LAB_DIR/tcpdump.log" || bail "tcpdump listens on the client segment"

# ---- dual-stack hosts: ARP first, then NDP, one forwarder each ----------------------------
for c in c1 c2; do lab_wait 5 lab_exec "$c" ping -4 -c1 -W1 -q "$LAB_SERVER_IP" >/dev/null; done
check_eq "c1, c2: ARP names fwd 0 and fwd 1" "$(lab_neigh_mac c1) $(lab_neigh_mac c2)" "$VM0 $VM1"
check_eq "ndisc6 from c1: the link-local and the vip6 at c1's ARP vMAC" \
	"$(ndisc c1 "$LAB_LL6") $(ndisc c1 "$VIP6")" "$VM0 $VM0"
check_eq "ndisc6 from c2: the link-local and the vip6 at c2's ARP vMAC" \
	"$(ndisc c2 "$LAB_LL6") $(ndisc c2 "$VIP6")" "$VM1 $VM1"

# ---- the gateway's own addresses answer pings, the routers knowing no host ----------------
# The echo reply leaves from the virtual address, so the router's kernel resolves the host
# with an NS from it, its SLLA the interface's real MAC: the guard sends it from the
# interface's own link-local instead (tc_egress_pass_ns_own_ll) rather than drop it.
own0=$(both tc_egress_pass_ns_own_ll)
vdrop0=$(both tc_egress_drop_vip_ndp)
for c in c1 c2; do
	for a in "$LAB_LL6%eth0" "$VIP6"; do
		flush_routers
		check "$c: ping6 to the gateway's $a, the routers' neighbour caches flushed" \
			lab_wait 4 ping6_ok "$c" "$a"
	done
done
check "the routers' NS for the hosts left from their own link-locals ($(($(both tc_egress_pass_ns_own_ll) - own0)))" \
	bash -c '[ "$1" -ge 4 ]' _ $(($(both tc_egress_pass_ns_own_ll) - own0))
check_eq "none was dropped (tc_egress_drop_vip_ndp)" "$(both tc_egress_drop_vip_ndp)" "$vdrop0"

# ---- forged frames from c3: dropped by reason, nobody moves --------------------------------
before=$(hosts6)
SN=ff02::1:ff62:$(printf '%x' "$LAB_GID")00
SNMAC=33:33:ff:62:$(printf '%02x' "$LAB_GID"):00
claim0=$(reason r1 xdp_drop_ndp_vip_conflict)
mal0=$(reason r1 xdp_drop_ndp_malformed)
forge --dmac 33:33:00:00:00:01 --smac "$C3MAC" --src "$C3LL" --dst ff02::1 --type 136 --flags 0x20 \
	--target "$VIP6" --lla "2:$C3MAC"                  # "the vip6 is at c3" (override)
forge --dmac 33:33:00:00:00:01 --smac "$C3MAC" --src "$LAB_LL6" --dst ff02::1 --type 136 \
	--flags 0xa0 --target "$LAB_LL6" --lla "2:$C3MAC"  # the same from the link-local
forge --dmac 33:33:ff:00:00:65 --smac "$C3MAC" --src "$LAB_LL6" --dst ff02::1:ff00:65 \
	--target fe80::aff:fe00:65 --lla "1:$C3MAC"        # an NS from the virtual link-local
# a rogue RA from the virtual link-local: hop limit, flags, lifetime (2), reachable (4) and
# retransmission timer (4), 12 bytes, then its SLLA naming c3
forge --dmac 33:33:00:00:00:01 --smac "$C3MAC" --src "$LAB_LL6" --dst ff02::1 --type 134 \
	--body 400007080000000000000000 --lla "1:$C3MAC"
lab_wait 3 eval '[ $(($(reason r1 xdp_drop_ndp_vip_conflict) - claim0)) -ge 4 ]'
check_eq "r1 dropped the four claims of a virtual address as conflicts (xdp_drop_ndp_vip_conflict)" \
	"$(($(reason r1 xdp_drop_ndp_vip_conflict) - claim0))" 4
check_eq "... none of them as malformed (the RA's fixed part is 12 bytes)" \
	"$(($(reason r1 xdp_drop_ndp_malformed) - mal0))" 0
hop0=$(reason r1 xdp_drop_ndp_hop_limit)
forge --dmac "$SNMAC" --smac "$C3MAC" --src "$C3LL" --dst "$SN" --target "$LAB_LL6" --lla "1:$C3MAC" --hop 64
lab_wait 3 eval '[ "$(reason r1 xdp_drop_ndp_hop_limit)" -gt '"$hop0"' ]'
check_eq "an NS with hop limit 64: no answer, xdp_drop_ndp_hop_limit +1" \
	"$(($(reason r1 xdp_drop_ndp_hop_limit) - hop0))" 1
# Truncated: a frame shorter than its IPv6 payload length never crosses the lab's bridge
# (multicast snooping drops it; tests/bpf/test_ndp.c feeds every length to the programs), so
# the message itself is cut, its headers agreeing: shorter than an NS's 24 bytes.
mal0=$(reason r1 xdp_drop_ndp_malformed)
for n in 4 8 16 23; do
	forge --dmac "$SNMAC" --smac "$C3MAC" --src "$C3LL" --dst "$SN" --target "$LAB_LL6" --cut $n
done
lab_wait 3 eval '[ $(($(reason r1 xdp_drop_ndp_malformed) - mal0)) -ge 4 ]'
check_eq "NS cut to 4, 8, 16 and 23 bytes: no answer, xdp_drop_ndp_malformed +4" \
	"$(($(reason r1 xdp_drop_ndp_malformed) - mal0))" 4
dad0=$(reason r1 xdp_tx_na_dad)
forge --dmac "$SNMAC" --smac "$C3MAC" --src :: --dst "$SN" --target "$LAB_LL6"
lab_wait 3 eval '[ "$(reason r1 xdp_tx_na_dad)" -gt '"$dad0"' ]'
check_eq "a DAD probe for the virtual link-local: defended by the AVG (xdp_tx_na_dad +1)" \
	"$(($(reason r1 xdp_tx_na_dad) - dad0))" 1
check_eq "the AVG's host table is as before the forgeries" "$(hosts6)" "$before"
for c in c1 c2; do lab_exec "$c" ip -6 neigh flush dev eth0; done
check_eq "c1 and c2 resolve the link-local to their own vMACs again" \
	"$(ndisc c1 "$LAB_LL6") $(ndisc c2 "$LAB_LL6")" "$VM0 $VM1"

# ---- a forged NA for the virtual link-local: the AVG moves the hosts back -------------------
# c3 tells the segment "the virtual link-local is at c3" (unsolicited, Router and Override, to
# all nodes): c2's neighbour entry moves to c3's MAC. r1 (AVG) drops it as a conflict, reports
# it, and sends each IPv6 host it knows an unsolicited NA naming its own vMAC, again 1.5 s
# later: c2's entry is back on its vMAC in well under NUD's 5 s delay and 3 probes.
conflicts6() { lab_status "$1" | jq -r --argjson g "$LAB_GID" ".conflicts.groups[] | select(.id == \$g) | .$2"; }
metric() { lab_exec "$1" curl -sS --max-time 5 http://127.0.0.1:9867/metrics | awk -v k="$2" '$1 == k { print $2 }'; }
neigh6() { lab_exec "$1" ip -6 neigh show "$2" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
c2_back() { [ "$(neigh6 c2 "$LAB_LL6")" = "$VM1" ]; }
check "c2 reaches the server over IPv6 before the forgery" lab_wait 4 ping6_ok c2 "$LAB_SERVER_IP6"
check_eq "c2's neighbour entry for the virtual link-local: its vMAC" "$(neigh6 c2 "$LAB_LL6")" "$VM1"
# c2's neighbour events, to see the forgery take effect before the defence undoes it: the
# monitor is known to listen once it has shown an entry added for the purpose
mon=$LAB_DIR/c2-neigh.mon
lab_bg c2 "$mon" ip -6 monitor neigh
MON_PID=$LAB_BG_PID
lab_exec c2 ip -6 neigh replace fe80::dead lladdr 02:00:00:00:de:ad dev eth0 nud permanent
lab_wait 3 grep -q 'fe80::dead' "$mon" || not_ok "ip -6 monitor neigh on c2 is listening"
lab_exec c2 ip -6 neigh del fe80::dead dev eth0
conf0=$(conflicts6 r1 vip6)
nas0=$(conflicts6 r1 vip6_na_sent)
rep0=$(conflicts6 r1 vip6_repeats)
nam0=$(metric r1 xglb_conflict_na_defended_total)
claim0=$(reason r1 xdp_drop_ndp_vip_conflict)
forge --dmac 33:33:00:00:00:01 --smac "$C3MAC" --src "$C3LL" --dst ff02::1 --type 136 --flags 0xa0 \
	--target "$LAB_LL6" --lla "2:$C3MAC"
check "r1 drops it as a conflict (xdp_drop_ndp_vip_conflict)" \
	lab_wait 3 eval '[ "$(reason r1 xdp_drop_ndp_vip_conflict)" -gt '"$claim0"' ]'
check "the forged NA moved c2's entry for the virtual link-local to c3's MAC (ip monitor)" \
	lab_wait 3 eval "grep -i '^$LAB_LL6 .*lladdr $C3MAC' '$mon' >/dev/null"
check "c2's entry for the virtual link-local is back on its vMAC $VM1" lab_wait 3 c2_back
check "r1's status counts the vip6 conflict" lab_wait 3 eval '[ "$(conflicts6 r1 vip6)" -gt '"$conf0"' ]'
check "... and the NAs it sent in defence, the repeat 1.5 s later among them (2 hosts, 2 passes; vip6_repeats +1)" \
	lab_wait 4 eval '[ "$(conflicts6 r1 vip6_na_sent)" -ge $(('"$nas0"' + 4)) ] && [ "$(conflicts6 r1 vip6_repeats)" -gt '"$rep0"' ]'
check "metrics: xglb_conflicts_total{kind=vip6} and xglb_conflict_na_defended_total rose" \
	bash -c '[ "$1" -gt 0 ] && [ "$2" -gt "$3" ]' _ \
	"$(metric r1 "xglb_conflicts_total{group=\"$LAB_GID\",kind=\"vip6\"}")" \
	"$(metric r1 xglb_conflict_na_defended_total)" "$nam0"
check_eq "r2 (not AVG) sends no NA in defence, nor schedules a pass (first/repeat)" \
	"$(conflicts6 r2 vip6_na_sent)/$(metric r2 xglb_conflict_na_defended_total)/$(conflicts6 r2 vip6_passes)/$(conflicts6 r2 vip6_repeats)" 0/0/0/0
st=$(lab_exec r1 "$LAB_BUILD/xglbctl" --socket "$LAB_DIR/r1.sock" status)
echo "# $(grep -A2 '^conflicts:' <<<"$st" | paste -sd'|')"
check "xglbctl status shows the group's vip6 conflicts, NAs sent and passes (GROUP VIP VMAC VIP6 VIP6_NA_SENT VIP_REPLIES_SENT VIP_PASSES VIP6_PASSES)" \
	grep -Eq "^  $LAB_GID +[0-9]+ +[0-9]+ +[1-9][0-9]* +[1-9][0-9]* +[0-9]+ +[0-9]+\+[0-9]+ +[1-9][0-9]*\+[1-9][0-9]*\$" <<<"$st"
check_eq "c2's entry still on its vMAC after the repeat" "$(neigh6 c2 "$LAB_LL6")" "$VM1"
check "c2 reaches the server over IPv6 after the forgery" lab_wait 4 ping6_ok c2 "$LAB_SERVER_IP6"
kill "$MON_PID" 2>/dev/null
# the same claim behind a hop-by-hop header, which hosts accept NDP behind (ndisc_rcv): a
# conflict as well, reported, and defended
conf1=$(conflicts6 r1 vip6)
claim1=$(reason r1 xdp_drop_ndp_vip_conflict)
forge --hbh --dmac 33:33:00:00:00:01 --smac "$C3MAC" --src "$C3LL" --dst ff02::1 --type 136 \
	--flags 0xa0 --target "$LAB_LL6" --lla "2:$C3MAC"
check "behind a hop-by-hop header: r1 drops it as a conflict (xdp_drop_ndp_vip_conflict) and reports it" \
	lab_wait 3 eval '[ "$(reason r1 xdp_drop_ndp_vip_conflict)" -gt '"$claim1"' ] && [ "$(conflicts6 r1 vip6)" -gt '"$conf1"' ]'
check "... and c2's entry for the virtual link-local is on its vMAC $VM1" lab_wait 3 c2_back

# ---- kill -9 and restart: the AVG, then the other owner -----------------------------------
for r in r1 r2; do
	before=$(hosts6)
	lab_kill_xglbd "$r" || bail "kill -9 of $r's xglbd"
	lab_exec c1 ip -6 neigh flush dev eth0
	check_eq "$r's xglbd dead: the data path still answers c1's NS (its vMAC, within the lease)" \
		"$(ndisc c1 "$LAB_LL6")" "$VM0"
	lab_restart_xglbd "$r" || bail "$r's xglbd restarted"
	lab_wait 10 lab_agree_owned r1 r2 || not_ok "r1 and r2 agree after $r's restart" "$(lab_views)"
	check_eq "after $r's restart: r1 AVG, fwd 0 on r1, fwd 1 on r2 (no failover)" \
		"$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r1 owners=r1,r2"
	check_eq "after $r's restart: every host on its forwarder, NDP kept (host table)" "$(hosts6)" "$before"
	check_eq "after $r's restart: its virtual addresses once each, no DAD, deprecated" \
		"$(vaddrs "$r")" "$WANT_ADDRS"
	for c in c1 c2; do lab_exec "$c" ip -6 neigh flush dev eth0; done
	check_eq "after $r's restart: c1 and c2 resolve the link-local and the vip6 to the same vMACs" \
		"$(ndisc c1 "$LAB_LL6") $(ndisc c1 "$VIP6") $(ndisc c2 "$LAB_LL6") $(ndisc c2 "$VIP6")" \
		"$VM0 $VM0 $VM1 $VM1"
	check "after $r's restart: c1 and c2 reach the server over IPv6" both_reach_server
done
flush_routers
check "after the restarts: c2 pings the virtual link-local (guard and link-local rewritten)" \
	lab_wait 4 ping6_ok c2 "$LAB_LL6%eth0"

# ---- the wire: no virtual address announced with a real MAC; the NS came from own LLs -----
sleep 0.2 # tcpdump -U writes each packet at once; give the last one its write
kill "$CAP_PID" 2>/dev/null
R1MAC=$(lab_mac r1)
R2MAC=$(lab_mac r2)
bad=$(tcpdump -r "$CAP" -n -vv -e 2>/dev/null | awk -v ll="$LAB_LL6" -v v6="$VIP6" -v m1="$R1MAC" -v m2="$R2MAC" '
	/^[0-9]/ { hdr = $0; from = (index($0, m1 " >") || index($0, m2 " >")); virt = index($0, ll " >") || index($0, v6 " >"); na = /neighbor advertisement/ && (index($0, "tgt is " ll ",") || index($0, "tgt is " v6 ",")); next }
	/link-address option/ && from && (virt || na) && (index($0, m1) || index($0, m2)) { print hdr " :: " $0 }')
check_empty "no NA/NS/RA from r1 or r2 about a virtual address carries a real MAC" "$bad"
ns_own=$(tcpdump -r "$CAP" -n -e 2>/dev/null | grep -c "\($R1MAC\|$R2MAC\) > .* \($R1LL\|$R2LL\) > ff02::1:ff00:6[56]: .*neighbor solicitation, .*who has \\(fe80\\|$LAB_LAN6\\)::aff:fe00:6[56]")
check "the routers' NS for c1 and c2 on the wire, from their own link-locals ($ns_own)" \
	bash -c '[ "$1" -ge 4 ]' _ "$ns_own"
t_done
