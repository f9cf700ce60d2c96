#!/usr/bin/env bash
# demo.sh - "make demo": three routers share the gateway 10.0.0.1 (IPv4) and the virtual link-local
# the clients learn from router advertisements (IPv6); twelve dual-stack clients are split over them
# round-robin, one forwarder per client for both families; one router dies and its clients carry on
# through a survivor.
#
# Everything happens in network namespaces this script creates (suffix per
# run) and removes at the end; nothing is sent outside them.
# shellcheck disable=SC2059 # table formats are kept in one variable per table
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lab/lab.sh

ROUTERS=(r1 r2 r3)
N_CLIENTS=${N_CLIENTS:-12}
PINGS=5
AVG=r1
problems=0

title() { printf '\n== %s\n\n' "$*"; }
mark() { if [ "$1" = "$2" ]; then echo "ok"; else
	echo "MISMATCH"
	problems=$((problems + 1))
fi; }

for b in xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe; do
	[ -e "$LAB_BUILD/$b" ] || {
		echo "demo: $LAB_BUILD/$b is missing; run make" >&2
		exit 1
	}
done

LAB_QUIET=1
LAB_IPV6=1 # dual-stack: clients take their IPv6 default route from the group's RAs
lab_init
printf 'xglb demo (lab %s): %d routers share the gateway %s; %d clients; server %s\n' \
	"$LAB_SFX" ${#ROUTERS[@]} "$LAB_VIP" "$N_CLIENTS" "$LAB_SERVER_IP"
printf 'building namespaces ...'
for r in "${ROUTERS[@]}"; do lab_router "$r"; done
lab_server server
CLIENTS=()
for j in $(seq 1 "$N_CLIENTS"); do
	CLIENTS+=("$(printf 'c%02d' "$j")")
	lab_client "${CLIENTS[-1]}"
done
lab_arp_counters_init
echo " done"
# Membership: hellos every 100 ms, a router not heard for 300 ms is dead. r1 has the
# highest priority (AVG); forwarder i is preferred by router i + 1.
HELLO=100 HOLD=300
for r in "${ROUTERS[@]}"; do
	printf 'starting xglbd on %s ...' "$r"
	lab_start_xglbd "$r" "$(lab_write_config "$r" policy=round-robin membership=1 \
		hello_ms=$HELLO hold_ms=$HOLD prios=200,100,100 ipv6=1)" || exit 1
	echo " ready"
done
view() { lab_status "$1" | jq -r '.groups[0] | "\(.avg_name) \([.forwarders[] | .owner_name] | join(","))"'; }
settled() { for r in "${ROUTERS[@]}"; do [ "$(view "$r")" = "$AVG r1,r2,r3" ] || return 1; done; }
printf 'waiting for the election ...'
lab_wait 10 settled
echo " AVG $(view r1 | cut -d' ' -f1), forwarders owned by $(view r1 | cut -d' ' -f2) ... $(mark "$(view r1)" "$AVG r1,r2,r3")"

# ---- 1. ARP ------------------------------------------------------------------
title "1. Each client asks \"who has $LAB_VIP?\"; the AVG $AVG hands out vMACs round-robin"
for c in "${CLIENTS[@]}"; do
	# one ping to the VIP's segment resolves the gateway; sequential, so the order is readable
	lab_exec "$c" ping -n -q -c 1 -W 2 "$LAB_SERVER_IP" >/dev/null
done
declare -A vmac_of owner_of n_of
fmt='%-7s %-12s %-19s %-22s %-10s %s\n'
printf "$fmt" client address "client MAC" "$LAB_VIP is-at" forwarder "owner (AVF)"
printf "$fmt" ------ ------- ---------- ------------- --------- -----------
for c in "${CLIENTS[@]}"; do
	v=$(lab_neigh_mac "$c")
	vmac_of[$c]=$v
	idx=$((16#${v##*:}))
	owner=${ROUTERS[$idx]:-?}
	[[ $v == 02:78:67:62:* ]] || owner="not a vMAC!"
	owner_of[$c]=$owner
	n_of[$owner]=$((${n_of[$owner]:-0} + 1))
	printf "$fmt" "$c" "$(lab_get "$c" ip)" "$(lab_mac "$c")" "$v" "$idx" "$owner"
done
echo
split=
for r in "${ROUTERS[@]}"; do split+="$r:${n_of[$r]:-0} "; done
per=$((N_CLIENTS / ${#ROUTERS[@]}))
echo "clients per router: $split ... $(mark "$split" "$(for r in "${ROUTERS[@]}"; do printf '%s:%d ' "$r" $per; done)")"
echo "ARP replies sent by the AVG $AVG (xdp_tx_arp_reply): $(lab_reason $AVG xdp_tx_arp_reply)"
for r in "${ROUTERS[@]:1}"; do
	echo "requests $r dropped, not being AVG (xdp_drop_arp_not_avg): $(lab_reason "$r" xdp_drop_arp_not_avg)"
done
echo "seen on the switch: $(lab_arp_counter req_bcast) requests for $LAB_VIP, $(lab_arp_counter rep_all) replies ... $(
	mark "$(lab_arp_counter rep_all)" "$(($(lab_arp_counter req_bcast) + $(lab_arp_counter req_ucast)))"
)"

# ---- 2. traffic ---------------------------------------------------------------
title "2. Each client pings the server $LAB_SERVER_IP ($PINGS packets); each vMAC's owner forwards them"
declare -A before
for i in "${!ROUTERS[@]}"; do before[$i]=$(lab_fwd_packets "${ROUTERS[$i]}" "$i"); done
pids=()
for c in "${CLIENTS[@]}"; do
	lab_bg "$c" "$LAB_DIR/ping.$c.log" ping -n -q -c $PINGS -i 0.2 -W 2 "$LAB_SERVER_IP"
	pids+=("$LAB_BG_PID")
done
lost=0
for p in "${pids[@]}"; do wait "$p" || lost=$((lost + 1)); done
echo "clients without replies: $lost ... $(mark $lost 0)"
echo
fmt='%-7s %-10s %-19s %-9s %-26s %s\n'
printf "$fmt" router forwarder vMAC packets "expected (clients x $PINGS)" clients
printf "$fmt" ------ --------- ---- ------- ------------------------- -------
for i in "${!ROUTERS[@]}"; do
	r=${ROUTERS[$i]}
	mine=()
	for c in "${CLIENTS[@]}"; do [ "${owner_of[$c]}" = "$r" ] && mine+=("$c"); done
	got=$(($(lab_fwd_packets "$r" "$i") - ${before[$i]}))
	want=$((${#mine[@]} * PINGS))
	printf "$fmt" "$r" "$i" "$(lab_vmac "$i")" "$got" "$want ... $(mark "$got" "$want")" "${mine[*]}"
done
echo
echo "(counted per forwarder by the XDP program of the router owning the vMAC; a router that"
echo " does not own a vMAC drops any copy of its frames it gets: xdp_drop_vmac_remote)"

# ---- 2b. IPv6 ------------------------------------------------------------------
title "2b. IPv6: every router advertises the virtual link-local $LAB_LL6; the AVG's NA names the vMAC each client already has"
has_route6() { lab_exec "$1" ip -6 route show default | grep -q "via $LAB_LL6 "; }
for c in "${CLIENTS[@]}"; do lab_wait 10 has_route6 "$c"; done
lost=0
for c in "${CLIENTS[@]}"; do
	lab_exec "$c" ping -6 -n -q -c 1 -W 2 "$LAB_SERVER_IP6" >/dev/null || lost=$((lost + 1))
done
fmt='%-7s %-26s %-24s %-28s %s\n'
printf "$fmt" client "address (SLAAC)" "default via (from RAs)" "$LAB_LL6 is-at" "same as IPv4"
printf "$fmt" ------ --------------- ---------------------- --------------------------- ------------
same=0
for c in "${CLIENTS[@]}"; do
	v6=$(lab_neigh_mac "$c" "$LAB_LL6")
	[ "$v6" = "${vmac_of[$c]}" ] && same=$((same + 1))
	printf "$fmt" "$c" "$(lab_get "$c" ip6)" "$(lab_exec "$c" ip -6 route show default | awk '{print $3}')" \
		"$v6" "$([ "$v6" = "${vmac_of[$c]}" ] && echo yes || echo NO)"
done
echo
echo "clients without IPv6 replies from $LAB_SERVER_IP6: $lost ... $(mark $lost 0)"
echo "clients with one forwarder for both families: $same of $N_CLIENTS ... $(mark $same "$N_CLIENTS")"
echo "NAs sent by the AVG $AVG (xdp_tx_na_reply): $(lab_reason $AVG xdp_tx_na_reply)"
for r in "${ROUTERS[@]:1}"; do
	echo "solicitations $r dropped, not being AVG (xdp_drop_ndp_not_avg): $(lab_reason "$r" xdp_drop_ndp_not_avg)"
done
for r in "${ROUTERS[@]}"; do
	echo "RAs sent by $r: $(lab_jst "$r" .ipv6.ra_sent) periodic, $(lab_jst "$r" .ipv6.ra_answers) answers to solicitations"
done

# ---- 3. egress guard ------------------------------------------------------------
title "3. The kernel never answers for the VIP"
echo "Every router has $LAB_VIP on lo, so its kernel would gladly answer ARP for it with its"
echo "own MAC. The XDP program keeps requests for the VIP from the kernel, and a tc egress"
echo "guard drops any ARP naming the VIP as sender unless it carries a vMAC."
echo
for r in "${ROUTERS[@]}"; do printf '  %s eth0 real MAC %s\n' "$r" "$(lab_mac "$r")"; done
bad=()
for c in "${CLIENTS[@]}"; do
	m=$(lab_neigh_mac "$c")
	for r in "${ROUTERS[@]}"; do [ "$m" = "$(lab_mac "$r")" ] && bad+=("$c->$r"); done
done
echo "clients holding a router's real MAC for $LAB_VIP: ${bad[*]:-none} ... $(mark "${#bad[@]}" 0)"
echo
echo "Provoking it: r2 with arp_announce=0 pings a client from source $LAB_VIP, so its kernel"
echo "ARPs for the client naming the VIP as sender with r2's real MAC."
lab_exec r2 sysctl -qw net.ipv4.conf.eth0.arp_announce=0 net.ipv4.conf.all.arp_announce=0
g0=$(lab_reason r2 tc_egress_drop_vip_arp)
lab_exec r2 ping -n -q -c 1 -W 1 -I "$LAB_VIP" "$(lab_get c01 ip)" >/dev/null 2>&1
# shellcheck disable=SC2016 # evaluated at each poll
lab_wait 5 eval '[ "$(lab_reason r2 tc_egress_drop_vip_arp)" -gt "$g0" ]'
lab_exec r2 sysctl -qw net.ipv4.conf.eth0.arp_announce=2 net.ipv4.conf.all.arp_announce=2
echo "  r2 egress guard drops (tc_egress_drop_vip_arp): $(lab_reason r2 tc_egress_drop_vip_arp) ... $(
	mark "$([ "$(lab_reason r2 tc_egress_drop_vip_arp)" -gt "$g0" ] && echo yes)" yes
)"
echo "  ARP with sender $LAB_VIP and a real MAC seen on the switch: $(lab_arp_counter vip_real) ... $(
	mark "$(lab_arp_counter vip_real)" 0
)"
echo "  c01's entry for $LAB_VIP: $(lab_neigh_mac c01) (unchanged: ${vmac_of[c01]})"

# ---- 4. failover --------------------------------------------------------------------
title "4. r2 dies (xglbd killed, link down) while c02 sends 1,000 datagrams/s through it"
PORT=7
lab_echo_start server "$PORT" || lab_die "the echo does not listen on the server"
lab_bg c02 "$LAB_DIR/probe.json" "$LAB_BUILD/tools/xglb_probe" send "$LAB_SERVER_IP" $PORT 1000 3 500
probe=$LAB_BG_PID
sleep 1 # steady traffic through r2 first
lab_kill_xglbd r2 || lab_die "kill -9 of r2's xglbd"
lab_exec r2 ip link set eth0 down
echo "  killed r2's xglbd and took r2's eth0 down"
wait "$probe"
lost=$(jq .lost "$LAB_DIR/probe.json")
echo "  c02: $(jq -r '"\(.sent) sent, \(.received) echoed, \(.lost) lost: an outage of \(.outage_ms) ms"' "$LAB_DIR/probe.json") (hold $HOLD ms) ... $(
	mark "$([ -n "$lost" ] && [ "$lost" -lt $((HOLD + 2 * HELLO)) ] && echo yes)" yes)"
took=$(view r1 | cut -d' ' -f2 | cut -d, -f2)
echo "  forwarder 1 ($(lab_vmac 1)) is now served by: $took ... $(
	mark "$([ "$took" = r1 ] || [ "$took" = r3 ] && echo yes)" yes)"
echo "  c02's entry for $LAB_VIP: $(lab_neigh_mac c02) (the same vMAC: clients notice nothing) ... $(
	mark "$(lab_neigh_mac c02)" "$(lab_vmac 1)")"
before=$(lab_fwd_packets "$took" 1)
lab_exec c02 ping -n -q -c "$PINGS" -i 0.2 -W 1 "$LAB_SERVER_IP" >/dev/null
echo "  c02 pings the server: $(($(lab_fwd_packets "$took" 1) - before)) packets counted for forwarder 1 on $took ... $(
	mark "$(($(lab_fwd_packets "$took" 1) - before))" "$PINGS")"
v6ok=$(lab_exec c02 ping -6 -n -q -c "$PINGS" -i 0.2 -W 1 "$LAB_SERVER_IP6" >/dev/null && echo yes)
echo "  c02 pings $LAB_SERVER_IP6 through the same vMAC ($(lab_neigh_mac c02 "$LAB_LL6")) ... $(mark "$v6ok" yes)"
ROUTERS=(r1 r3)

# ---- end --------------------------------------------------------------------------
echo
for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" 5 || echo "xglbd on $r: exit status $?"; done
lab_teardown
if [ "$problems" -eq 0 ]; then
	echo "demo finished; lab $LAB_SFX removed"
else
	echo "demo finished with $problems MISMATCH line(s); lab $LAB_SFX removed"
	exit 1
fi
