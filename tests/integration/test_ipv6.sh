#!/usr/bin/env bash
# test_ipv6.sh - the gateway for IPv6 hosts, against real Linux clients with SLAAC: they learn
# their default route via the group's virtual link-local from the RAs, resolve it to different
# vMACs, reach the server (ping6, TCP) through the owner of their forwarder; a dual-stack client
# has the same forwarder for both families; ndisc6 and rdisc6 check the answers independently (an
# NA names a vMAC and comes from the AVG alone; an RA comes from the virtual link-local without a
# source link-layer option, with the configured prefix); the virtual addresses are on the
# routers' interfaces (no DAD, deprecated), come back after a link flap or an operator's delete,
# follow a reload and leave on stop; an owner killed (-9): IPv6 traffic resumes, vMAC unchanged; its forwarder removed at
# the timeout: the IPv6-only client gets an NA and moves. Nothing on the wire ever names a
# router's real MAC for a virtual address. IPv6 forwarding turned off on r2: it withdraws as
# forwarder and stops its RAs, r1 takes its forwarder, no final RA (r1 remains); back on: it
# returns. A kernel ICMPv6 redirect (a packet routed back out of eth0) never reaches the wire.
# A clean stop of r2 while r1 runs sends no RA with router lifetime 0 (hosts keep their
# default route); the clean stop of r1, the last router, sends three, and the hosts drop the
# route.
#
# LAB_DATAPATH=tc (tests/run.sh: test_ipv6@tc) runs it all on "datapath: tc" with no XDP
# program on any port; the data path's reasons are then tc_* instead of xdp_*.
#
# Lab (LAB_IPV6=1): r1 (priority 110: AVG) owns fwd 0, r2 owns fwd 1; membership, hello 100,
# hold 1000, redirect 1000, timeout 4000; RAs every 2 s, prefix 2001:db8:a::/64, vip6
# 2001:db8:a::1. c1 dual-stack (fwd 0), c2 IPv6 only (fwd 1), c3 runs ndisc6/rdisc6.
# The server's default route is r1, so r1 is never the one that dies.
#
# tests/run.sh runs it again with LAB_XDP_MODE=generic (@generic): xglb_xdp in generic mode.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

HELLO=100
HOLD=1000
REDIRECT=1000
TIMEOUT=4000
VIP6=2001:db8:a::1
VIP6B=2001:db8:a::7 # the vip6 a reload switches to
DP=${LAB_DATAPATH:-xdp}
case $DP in
xdp) ;;
tc) export LAB_PORT_XDP=0 ;; # no XDP program anywhere: answers must leave as tc redirects
*) echo "test_ipv6.sh: LAB_DATAPATH '$DP' is neither xdp nor tc" >&2 && exit 2 ;;
esac
echo "# data path: $DP"

t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools ndisc6 rdisc6 tcpdump iperf3

# ---- helpers ---------------------------------------------------------------------
default6() { lab_exec "$1" ip -6 route show default | awk '{print $1, $2, $3, $4, $5}'; }
has_default6() { [ "$(default6 "$1")" = "default via $LAB_LL6 dev eth0" ]; }
# A global address formed by SLAAC and usable (DAD over).
slaac_ready() {
	lab_exec "$1" ip -6 addr show dev eth0 scope global | grep -q "inet6 $(lab_get "$1" ip6)/64" &&
		! lab_exec "$1" ip -6 addr show dev eth0 | grep -q tentative
}
ping6_ok() { lab_exec "$1" ping -6 -c1 -W1 -n "$LAB_SERVER_IP6" >/dev/null 2>&1; }
ping4_ok() { lab_exec "$1" ping -4 -c1 -W1 -n "$LAB_SERVER_IP" >/dev/null 2>&1; }
neigh_is() { [ "$(lab_neigh_mac "$1" "$LAB_LL6")" = "$2" ]; }
# The virtual IPv6 addresses on a router's eth0 as "ADDR/LEN flags..." lines, sorted.
vaddrs() {
	lab_exec "$1" ip -6 -o addr show dev eth0 |
		awk -v ll="$LAB_LL6" '$4 ~ "^(" ll "|2001:db8:a::[17])/" {s = $4; for (i = 5; i <= NF; i++) if ($i ~ /^(nodad|deprecated|noprefixroute)$/) s = s " " $i; print s}' | sort
}
vaddrs_are() { [ "$(vaddrs "$1" | paste -sd';')" = "$2" ]; }
WANT_ADDRS="$VIP6/128 nodad deprecated noprefixroute;$LAB_LL6/128 nodad deprecated noprefixroute"
reason() { lab_reason "$1" "$2"; }
fwd_grew() { [ "$(lab_fwd_packets "$1" "$2")" -gt "$3" ]; }

# ---- lab -------------------------------------------------------------------------
LAB_IPV6=1
lab_setup r1 r2 -- c1 c2 c3
VM0=$(lab_vmac 0)
VM1=$(lab_vmac 1)
R1MAC=$(lab_exec r1 cat /sys/class/net/eth0/address)
R2MAC=$(lab_exec r2 cat /sys/class/net/eth0/address)
# Every ICMPv6 message on the client segment, for the wire checks at the end.
CAP=$LAB_DIR/lan.pcap
lab_bg lan "$LAB_DIR/tcpdump.log" tcpdump -i br0 --immediate-mode -U -n -w "$CAP" icmp6
CAP_PID=$LAB_BG_PID
lab_wait 5 grep -q "listening on" "$LAB_DIR/tcpdump.log" || bail "tcpdump listens on the client segment"
# The RAs a host (c3) receives, captured around one event: ra_cap_start NAME, ..., ra_cap_read
# (decoded, -v), ra_cap_stop.
ra_cap_start() {
	RCAP=$LAB_DIR/$1.pcap
	lab_bg c3 "$LAB_DIR/$1.log" tcpdump -i eth0 --immediate-mode -U -n -w "$RCAP" "icmp6 and ip6[40] == 134"
	RCAP_PID=$LAB_BG_PID
	lab_wait 5 grep -q "listening on" "$LAB_DIR/$1.log" || bail "tcpdump listens on c3 ($1)"
}
ra_cap_read() { tcpdump -r "$RCAP" -n -v 2>/dev/null; }
ra_cap_count() { ra_cap_read | grep -c "router advertisement"; }
ra_cap_wait_one() { lab_wait 5 eval '[ "$(ra_cap_count)" -ge 1 ]'; }
ra_cap_stop() { kill "$RCAP_PID" 2>/dev/null && wait "$RCAP_PID" 2>/dev/null; }
# The capture has gone on past now: another RA (r1's, periodic) arrived after this call.
ra_cap_past_now() {
	local n
	n=$(ra_cap_count)
	lab_wait 5 eval '[ "$(ra_cap_count)" -gt '"$n"' ]'
}
# RAs from the virtual link-local to all nodes with router lifetime 0 in decoded (-v) output
final_ras() {
	awk -v ll="$LAB_LL6" '/^[0-9]/ {ra = index($0, ll " > ff02::1:") && /router advertisement/; next}
		ra && /router lifetime 0s/ {n++; ra = 0} END {print n + 0}' <<<"$1"
}

for r in r1 r2; do
	cfg=$(lab_write_config "$r" membership=1 prios=110,100 hello_ms=$HELLO hold_ms=$HOLD \
		redirect_ms=$REDIRECT timeout_ms=$TIMEOUT ipv6=1 vip6=$VIP6 datapath="$DP") &&
		lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
lab_wait 10 lab_agree_owned r1 r2 || bail "r1 and r2 agree" "$(lab_views)"
check_eq "r1 is AVG, fwd 0 on r1, fwd 1 on r2" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r1 owners=r1,r2"
# The XDP mode xglbd attached in (status) and the one the kernel reports: generic under
# LAB_XDP_MODE=generic (tests/run.sh's @generic rerun: the NDP scenarios in skb mode), none on
# the tc data path (@tc), else native.
hook=xdp want_mode=native
[ "$LAB_XDP_MODE" = generic ] && want_mode=generic
[ "$DP" = tc ] && hook=tc want_mode=none
check_eq "status: hook $hook, xglb_xdp attached in mode $want_mode on r1 and r2, as the kernel reports" \
	"$(for r in r1 r2; do lab_status $r | jq -r --arg r $r '.datapath.interfaces[] | select(.name == "eth0") | "\($r) \(.hook) \(.xdp_mode) \(.xdp)"'; done | paste -sd';')" \
	"r1 $hook $want_mode $want_mode;r2 $hook $want_mode $want_mode"

# ---- the virtual addresses in the kernel ---------------------------------------------
for r in r1 r2; do
	lab_wait 3 vaddrs_are "$r" "$WANT_ADDRS"
	check_eq "$r: link-local and vip6 on eth0 as /128, no DAD, deprecated" \
		"$(vaddrs "$r" | paste -sd';')" "$WANT_ADDRS"
done

# ---- RAs: default route via the virtual link-local, SLAAC ------------------------------
for c in c1 c2 c3; do
	lab_wait 10 has_default6 "$c"
	check_eq "$c: default route from the RAs via the virtual link-local" "$(default6 "$c")" \
		"default via $LAB_LL6 dev eth0"
	lab_wait 10 slaac_ready "$c"
	check "$c: SLAAC address $(lab_get "$c" ip6) in the advertised prefix" slaac_ready "$c"
done

# ---- split over the forwarders, traffic through the owner ------------------------------
# c1 asks first (dual-stack: IPv4 first), then c2 (IPv6 only): round-robin hands out fwd 0, 1.
lab_wait 5 ping4_ok c1 || not_ok "c1 reaches the server over IPv4"
lab_wait 5 ping6_ok c1
check "c1: ping6 to the server" ping6_ok c1
lab_wait 5 ping6_ok c2
check "c2: ping6 to the server" ping6_ok c2
check_eq "c1: the virtual link-local at fwd 0's vMAC" "$(lab_neigh_mac c1 "$LAB_LL6")" "$VM0"
check_eq "c2: the virtual link-local at fwd 1's vMAC" "$(lab_neigh_mac c2 "$LAB_LL6")" "$VM1"
check_eq "c1 dual-stack: the VIP (IPv4) at the same vMAC as the link-local" \
	"$(lab_neigh_mac c1)" "$VM0"
lab_xglbctl r1 --json hosts
check_eq "hosts --json on the AVG: c1 fwd 0 by ARP and NDP, c2 fwd 1 by NDP only" \
	"$(jq -r '[.[] | select(.mac == "02:00:0a:00:00:65" or .mac == "02:00:0a:00:00:66") |
		"\(.mac)=\(.forwarder)/\(.ipv4 // "-")/\(.ipv6)"] | sort | join(" ")' <<<"$OUT")" \
	"02:00:0a:00:00:65=0/$(lab_get c1 ip)/true 02:00:0a:00:00:66=1/-/true"
check_eq "hosts --json: c1, answered by ARP and by NDP, is established (never removed to make room)" \
	"$(jq -r '.[] | select(.mac == "02:00:0a:00:00:65") | .established' <<<"$OUT")" true
lab_xglbctl r1 hosts
check "hosts (text): the family column says ipv4+ipv6 for c1, ipv6 for c2" \
	bash -c 'grep -qE "^1 +02:00:0a:00:00:65 +0 +.* ipv4\+ipv6 +$2$" <<<"$1" && grep -qE "^1 +02:00:0a:00:00:66 +1 +.* ipv6 +-$" <<<"$1"' \
	_ "$OUT" "$(lab_get c1 ip)"
p0=$(lab_fwd_packets r1 0)
p1=$(lab_fwd_packets r2 1)
lab_exec c1 ping -6 -c20 -i0.01 -W1 -q "$LAB_SERVER_IP6" >/dev/null
lab_exec c2 ping -6 -c20 -i0.01 -W1 -q "$LAB_SERVER_IP6" >/dev/null
check "c1's IPv6 traffic enters through r1 (fwd 0 counted there)" fwd_grew r1 0 $((p0 + 19))
check "c2's IPv6 traffic enters through r2 (fwd 1 counted there)" fwd_grew r2 1 $((p1 + 19))
lab_bg server "$LAB_DIR/iperf3.log" iperf3 -s -1 -B "$LAB_SERVER_IP6"
lab_wait 5 bash -c "ip netns exec $(lab_ns server) ss -Hltn 'sport = :5201' | grep -q ."
out=$(lab_exec c2 iperf3 -6 -c "$LAB_SERVER_IP6" -n 2M -J 2>&1)
check_eq "c2: TCP over IPv6 to the server (iperf3: 2 MB sent, received, no error)" \
	"$(jq -r '"\(.end.sum_sent.bytes >= 2097152) \(.end.sum_received.bytes > 0) \(.error // "none")"' <<<"$out" 2>/dev/null)" \
	"true true none"

# ---- ndisc6 and rdisc6 as independent clients ------------------------------------------
nr0=$(reason r2 "${DP}_drop_ndp_not_avg")
out=$(lab_exec c3 ndisc6 -m -n -r 1 -w 1500 "$LAB_LL6" eth0 2>&1)
echo "$out" | sed 's/^/#   ndisc6: /'
tlla=$(awk '/Target link-layer address/ {print tolower($NF)}' <<<"$out" | paste -sd' ')
check_eq "ndisc6: one NA for the link-local, naming a vMAC (c3 is the third host: fwd 0)" "$tlla" "$VM0"
check "r2 (not AVG) dropped the NS in its data path (${DP}_drop_ndp_not_avg)" \
	bash -c "[ $(reason r2 "${DP}_drop_ndp_not_avg") -gt $nr0 ]"
out=$(lab_exec c3 ndisc6 -m -n -r 1 -w 1500 "$VIP6" eth0 2>&1)
check_eq "ndisc6: one NA for the vip6, naming c3's vMAC" \
	"$(awk '/Target link-layer address/ {print tolower($NF)}' <<<"$out" | paste -sd' ')" "$VM0"
out=$(lab_exec c3 rdisc6 -1 -n -r 1 -w 1500 eth0 2>&1)
echo "$out" | sed 's/^/#   rdisc6: /'
check_eq "rdisc6: the answer comes from the virtual link-local" \
	"$(awk '$1 == "from" {print $2}' <<<"$out" | paste -sd' ')" "$LAB_LL6"
check_eq "rdisc6: the configured prefix, on-link and autonomous" \
	"$(awk '/Prefix/ {p = $3} /On-link/ {l = $NF} /Autonomous/ {a = $NF} END {print p, l, a}' <<<"$out")" \
	"$LAB_LAN6::/64 Yes Yes"
check_none "rdisc6: no source link-layer address option" "Source link-layer" echo "$out"
check "the AVG counted its answers (xglb_rs_received_total answered)" \
	bash -c "[ $(lab_jst r1 .ipv6.rs.answered) -ge 1 ] && [ $(lab_jst r2 .ipv6.rs.answered) = 0 ]"
check "every node sends RAs (ipv6.ra_sent on r1 and r2)" \
	bash -c "[ $(lab_jst r1 .ipv6.ra_sent) -ge 1 ] && [ $(lab_jst r2 .ipv6.ra_sent) -ge 1 ]"

# /metrics on the AVG: the host table by family (counted off the event loop once a second)
metric() { lab_exec "$1" curl -sS --max-time 5 "http://127.0.0.1:9867/metrics" | awk -v k="$2" '$1 == k {print $2}'; }
families() { echo "$(metric r1 'xglb_hosts_family{group="1",family="ipv4"}') $(metric r1 'xglb_hosts_family{group="1",family="ipv6"}')"; }
lab_wait 5 eval '[ "$(families)" = "1 3" ]'
check_eq "/metrics on the AVG: hosts by family, ipv4 (c1) and ipv6 (c1, c2, c3)" "$(families)" "1 3"
check "/metrics: xglb_ra_sent_total and xglb_rs_received_total on the AVG" \
	bash -c '[ "${1:-0}" -ge 1 ] && [ "${2:-0}" -ge 1 ]' _ \
	"$(metric r1 'xglb_ra_sent_total{kind="unsolicited"}')" "$(metric r1 'xglb_rs_received_total{result="answered"}')"

# ---- ICMPv6 redirects: the kernel's never leave a group's interface ------------------------
# r1 routes 2001:db8:ff::/64 back out of eth0, to c3's link-local: c1's packets to it come in
# and go out of eth0, so r1's kernel sends c1 a redirect (from the virtual link-local, which
# it may pick, or its own); the egress guard drops it.
C3LL=fe80::aff:fe00:67
lab_exec r1 ip -6 route add 2001:db8:ff::/64 via "$C3LL" dev eth0
rd0=$(($(reason r1 tc_egress_drop_redirect_virt) + $(reason r1 tc_egress_drop_redirect)))
lab_exec c1 ping -6 -c3 -i0.3 -W1 -n 2001:db8:ff::1 >/dev/null 2>&1
rdrop() { echo $(($(reason r1 tc_egress_drop_redirect_virt) + $(reason r1 tc_egress_drop_redirect) - rd0)); }
lab_wait 3 eval '[ "$(rdrop)" -ge 1 ]'
echo "# r1 redirects dropped: from the virtual link-local $(reason r1 tc_egress_drop_redirect_virt), from its own $(reason r1 tc_egress_drop_redirect)"
check "r1's kernel tried to redirect c1 and the egress guard dropped it ($(rdrop))" \
	bash -c '[ "$1" -ge 1 ]' _ "$(rdrop)"
check_empty "c1 holds no redirected route" "$(lab_exec c1 ip -6 route get 2001:db8:ff::1 | grep -v "via $LAB_LL6")"
lab_exec r1 ip -6 route del 2001:db8:ff::/64 via "$C3LL" dev eth0

# ---- link flap and reload: the addresses follow ------------------------------------------
lab_exec r2 ip link set eth0 down
lab_exec r2 ip link set eth0 up
lab_wait 5 vaddrs_are r2 "$WANT_ADDRS"
check_eq "r2: the kernel flushed them on link down; xglbd put them back" \
	"$(vaddrs r2 | paste -sd';')" "$WANT_ADDRS"
lab_exec r2 ip -6 addr del "$VIP6/128" dev eth0
lab_wait 5 vaddrs_are r2 "$WANT_ADDRS"
check_eq "r2: the vip6 removed by an operator is back at once" "$(vaddrs r2 | paste -sd';')" "$WANT_ADDRS"
sed -i "s/vip6: \[$VIP6\]/vip6: [$VIP6B]/" "$LAB_DIR/r2.yaml"
lab_reload_xglbd r2 || not_ok "r2 reloaded"
want_b="$VIP6B/128 nodad deprecated noprefixroute;$LAB_LL6/128 nodad deprecated noprefixroute"
lab_wait 3 vaddrs_are r2 "$want_b"
check_eq "r2 reloaded with another vip6: the old one removed, the new one added" \
	"$(vaddrs r2 | paste -sd';')" "$want_b"
sed -i "s/vip6: \[$VIP6B\]/vip6: [$VIP6]/" "$LAB_DIR/r2.yaml"
lab_reload_xglbd r2 || not_ok "r2 reloaded back"
lab_wait 3 vaddrs_are r2 "$WANT_ADDRS"
lab_wait 5 lab_agree_owned r1 r2 || bail "r1 and r2 agree again" "$(lab_views)"

# ---- failover: the owner of c2's forwarder dies (kill -9, link down) ----------------------
check "c2 reaches the server before r2 dies" ping6_ok c2
lab_kill_xglbd r2
lab_exec r2 ip link set eth0 down # else r2's kernel, still attached, would forward on
t0=$(date +%s%N)
lab_wait 10 ping6_ok c2
ms=$((($(date +%s%N) - t0) / 1000000))
check "c2's IPv6 traffic resumes once r1 takes fwd 1 over (${ms} ms, hold $HOLD ms)" ping6_ok c2
check_eq "c2 still holds fwd 1's vMAC" "$(lab_neigh_mac c2 "$LAB_LL6")" "$VM1"
check_eq "r1 owns fwd 1 now" "$(lab_owners_of r1)" "r1,r1"

# ---- redistribution: fwd 1 removed at the timeout, c2 moved by an NA --------------------
lab_wait $((TIMEOUT / 1000 + 6)) neigh_is c2 "$VM0"
check_eq "after the timeout c2 (IPv6 only) was told fwd 0's vMAC by an NA" \
	"$(lab_neigh_mac c2 "$LAB_LL6")" "$VM0"
check "the AVG counted its moving NAs (ipv6.na_moved)" bash -c "[ $(lab_jst r1 .ipv6.na_moved) -ge 2 ]"
check "c2 still reaches the server" ping6_ok c2

# ---- the wire: no virtual address ever announced with a real MAC -------------------------
sleep 0.2 # tcpdump -U (immediate mode) writes each packet at once; give the last one its write
out=$(tcpdump -r "$CAP" -n -v -e 2>/dev/null)
kill "$CAP_PID" 2>/dev/null # the segment's capture ends here; what follows has its own
n_na=$(grep -c "neighbor advertisement, .*tgt is \($LAB_LL6\|$VIP6\)" <<<"$out")
check "the capture holds NAs for the virtual addresses ($n_na)" bash -c "[ $n_na -ge 4 ]"
bad=$(tcpdump -r "$CAP" -n -vv -e 2>/dev/null | awk -v ll="$LAB_LL6" -v v6="$VIP6" -v m1="$R1MAC" -v m2="$R2MAC" '
	/^[0-9]/ { hdr = $0; virt = index($0, "> ") && (index($0, ll " >") || index($0, v6 " >")); na = /neighbor advertisement/ && (index($0, "tgt is " ll ",") || index($0, "tgt is " v6 ",")); next }
	/link-address option/ && (virt || na) && (index($0, m1) || index($0, m2)) { print hdr " :: " $0 }')
check_empty "no NA/NS/RA about a virtual address carries r1's or r2's real MAC in an option" "$bad"
bad=$(grep "router advertisement" <<<"$out" | grep -v "$LAB_LL6 >")
check_empty "every RA on the segment is from the virtual link-local" "$bad"
check_empty "no ICMPv6 redirect on the segment (the guard dropped r1's)" "$(grep "ICMP6, redirect" <<<"$out")"
check "RAs in the capture ($(grep -c "router advertisement" <<<"$out"))" \
	bash -c '[ "$1" -ge 4 ]' _ "$(grep -c "router advertisement" <<<"$out")"

# ---- r2 back: IPv6 forwarding off and a clean stop while r1 runs ------------------------------
lab_exec r2 ip link set eth0 up
lab_exec r2 ip -6 addr replace "$(lab_get r2 ip6)/64" dev eth0 nodad # flushed at link down
cfg=$(lab_write_config r2 membership=1 prios=110,100 hello_ms=$HELLO hold_ms=$HOLD \
	redirect_ms=$REDIRECT timeout_ms=$TIMEOUT ipv6=1 vip6=$VIP6 datapath="$DP") &&
	lab_start_xglbd r2 "$cfg" || bail "xglbd ready on r2 again"
lab_wait 10 eval 'lab_agree_owned r1 r2 && [ "$(lab_owners_of r1)" = r1,r2 ]' ||
	bail "r2 back: fwd 1 (removed at the timeout) is r2's again" "$(lab_views)"
ok "r2 restarted: fwd 1 back on r2"

# ---- IPv6 forwarding off on r2: it withdraws, its RAs stop, r1 serves its hosts -------------
withdrawn() { lab_jst "$1" -c '.groups[0].withdrawn'; }
lab_exec r2 sysctl -qw net.ipv6.conf.all.forwarding=0
lab_wait 5 eval '[ "$(withdrawn r2)" = "[\"ipv6-forwarding-off\"]" ]'
check_eq "r2: IPv6 forwarding off: withdrawn (status), seen from netlink" "$(withdrawn r2)" '["ipv6-forwarding-off"]'
lab_wait 5 eval '[ "$(lab_owners_of r1)" = r1,r1 ]'
check_eq "r1 took fwd 1 over from r2 (weight 0)" "$(lab_owners_of r1)" "r1,r1"
check "/metrics on r2: xglb_group_withdrawn{reason=\"ipv6-forwarding-off\"} 1" \
	bash -c '[ "$1" = 1 ]' _ "$(metric r2 'xglb_group_withdrawn{group="1",reason="ipv6-forwarding-off"}')"
ra2=$(lab_jst r2 .ipv6.ra_sent)
lab_wait 5 ping6_ok c2
check "c2 still reaches the server over IPv6 (r1 serves both forwarders)" ping6_ok c2
ra1=$(lab_jst r1 .ipv6.ra_sent) # r2 must stay silent while r1 sends two RAs (> one interval)
lab_wait 6 eval '[ "$(lab_jst r1 .ipv6.ra_sent)" -ge $((ra1 + 2)) ]'
check_eq "r2 sent no RA while its IPv6 forwarding is off" "$(lab_jst r2 .ipv6.ra_sent)" "$ra2"
check_eq "r2 sent no final RA: r1 still forwards (ipv6.ra_final 0, ra_final_skipped 1)" \
	"$(lab_jst r2 '"\(.ipv6.ra_final) \(.ipv6.ra_final_skipped)"')" "0 1"
check_eq "c1 keeps its default route via the virtual link-local" "$(default6 c1)" "default via $LAB_LL6 dev eth0"
lab_exec r2 sysctl -qw net.ipv6.conf.all.forwarding=1
lab_wait 5 eval '[ "$(withdrawn r2)" = "[]" ]'
check_eq "r2: IPv6 forwarding on again: no longer withdrawn" "$(withdrawn r2)" "[]"
lab_wait 5 eval '[ "$(lab_jst r2 .ipv6.ra_sent)" -gt "$ra2" ]'
check "r2 advertises again" bash -c '[ "$1" -gt "$2" ]' _ "$(lab_jst r2 .ipv6.ra_sent)" "$ra2"
lab_wait 10 lab_agree_owned r1 r2 || bail "r1 and r2 agree after r2's return" "$(lab_views)"


# ---- a reload that turns r2's RAs off, then a clean stop of r2, while r1 runs: no final RA ----
ra_cap_start ra_r2
sed -i 's/^      enabled: true$/      enabled: false/' "$LAB_DIR/r2.yaml"
lab_reload_xglbd r2 || not_ok "r2 reloaded with its RAs off"
check "r2's log: RAs off after the reload, other routers remain, no final RA" \
	grep -q "group 1: no longer advertised after the reload: other routers remain" "$LAB_DIR/xglbd.r2.log"
sed -i 's/^      enabled: false$/      enabled: true/' "$LAB_DIR/r2.yaml"
lab_reload_xglbd r2 || not_ok "r2 reloaded with its RAs on"
lab_stop_xglbd r2 || not_ok "r2 stops cleanly"
check "r2's log: other routers remain, no final RA" \
	grep -q "group 1: stopping: other routers remain" "$LAB_DIR/xglbd.r2.log"
ra_cap_past_now # r1's RAs went on meanwhile: the capture has seen everything r2 sent
check_eq "no RA with router lifetime 0 on the wire (c3's capture: $(ra_cap_count) RAs)" \
	"$(final_ras "$(ra_cap_read)")" 0
ra_cap_stop
check_eq "c1 keeps its default route via the virtual link-local" "$(default6 c1)" "default via $LAB_LL6 dev eth0"

# ---- r1, the last router, stops: the final RAs, the hosts drop the default route ---------
ra_cap_start ra_r1
ra_cap_wait_one
lab_stop_xglbd r1
check_eq "r1 stopped: its virtual addresses are gone" "$(vaddrs r1)" ""
check "r1's log: the last router, final RAs sent" \
	grep -q "group 1: stopping: the last router of the group: 3 final RAs" "$LAB_DIR/xglbd.r1.log"
lab_wait 3 eval '[ "$(final_ras "$(ra_cap_read)")" -ge 3 ]'
check_eq "r1 was the last router: three RAs with router lifetime 0 from the virtual link-local" \
	"$(final_ras "$(ra_cap_read)")" 3
ra_cap_stop
for c in c1 c2; do
	lab_wait 3 eval '[ -z "$(default6 '"$c"')" ]'
	check_eq "$c dropped its default route" "$(default6 "$c")" ""
done
t_done
