#!/usr/bin/env bash
# test_arp_split.sh - 3 routers, 30 real-kernel clients: the AVG splits them round-robin over the vMACs, one ARP reply per request, traffic crosses each vMAC's owner.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines (tests/run.sh counts
# them); details of a failure follow as "#" lines. LAB_DEBUG_SHELL=1 opens
# a shell in the lab on failure; t_logs are kept in /tmp/xglb-lab-logs.* then.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
N_CLIENTS=${N_CLIENTS:-30}
PINGS=3 # echo requests per client and round
SLACK=2 # forwarder packets allowed beyond the pings (the odd stray frame)
AVG=r1


t_need_built xglbd xglbctl xdp_pass.bpf.o

# ---- lab ---------------------------------------------------------------------
lab_setup "${ROUTERS[@]}"
CLIENTS=()
for j in $(seq 1 "$N_CLIENTS"); do
	c=$(printf 'c%02d' "$j")
	lab_client "$c"
	CLIENTS+=("$c")
done
lab_arp_counters_init

for r in "${ROUTERS[@]}"; do
	cfg=$(lab_write_config "$r" policy=round-robin avg=$AVG)
	# not in a pipe or $(...): xglbd must stay this shell's child, so its
	# exit status can be checked at the end
	lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
ok "xglbd ready on ${ROUTERS[*]}"

# The XDP mode xglbd attached in (status) and the one the kernel reports:
# generic under LAB_XDP_MODE=generic (tests/run.sh's @generic rerun), else native.
want_mode=native
[ "$LAB_XDP_MODE" = generic ] && want_mode=generic
got_modes= want_modes=
for r in "${ROUTERS[@]}"; do
	want_modes+="$r eth0 xdp $want_mode $want_mode; "
	got_modes+=$(lab_status "$r" 2>/dev/null | jq -r --arg r "$r" \
		'.datapath.interfaces[] | select(.name == "eth0") | "\($r) eth0 \(.hook) \(.xdp_mode) \(.xdp); "')
done
check_eq "status: xglb_xdp attached in $want_mode mode on every router, as the kernel reports" \
	"$got_modes" "$want_modes"

# The tables each router wrote: AVG only on r1, forwarder i owned (local) by router i+1.
want_tables=
got_tables=
for i in "${!ROUTERS[@]}"; do
	r=${ROUTERS[$i]}
	want_tables+="$r avg=$([ "$r" = $AVG ] && echo true || echo false) local=[$i] "
	got_tables+=$(lab_ctl "$r" --json tables 2>/dev/null | jq -r --arg r "$r" --argjson g "$LAB_GID" \
		'.groups[] | select(.id == $g) |
		 "\($r) avg=\(.avg) local=\([.forwarders[] | select(.local) | .index] | tojson) "' 2>/dev/null)
done
check_eq "tables: AVG is $AVG, forwarder i is local on router i+1" "$got_tables" "$want_tables"

# ---- round 1: every client ARPs for the VIP and pings the server ---------------
# All at once: the AVG sees a burst of 30 requests, as after a segment outage.
ping_all() { # round: pings from every client in parallel; sets sent[c] received[c]
	local round=$1 c log
	declare -gA sent received
	declare -A pid
	for c in "${CLIENTS[@]}"; do
		lab_bg "$c" "$LAB_DIR/ping.$round.$c.log" ping -n -q -c "$PINGS" -i 0.2 -W 2 "$LAB_SERVER_IP"
		pid[$c]=$LAB_BG_PID
	done
	for c in "${CLIENTS[@]}"; do
		wait "${pid[$c]}"
		log=$LAB_DIR/ping.$round.$c.log
		sent[$c]=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$log")
		received[$c]=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$log")
	done
}

ping_all 1
lost=()
for c in "${CLIENTS[@]}"; do
	[ "${sent[$c]:-0}" = "$PINGS" ] && [ "${received[$c]:-0}" = "$PINGS" ] ||
		lost+=("$c sent ${sent[$c]:-?} received ${received[$c]:-?}")
done
if [ ${#lost[@]} -eq 0 ]; then
	ok "all $N_CLIENTS clients reach the server through the VIP ($PINGS/$PINGS replies)"
else
	not_ok "all $N_CLIENTS clients reach the server through the VIP" "${lost[@]}"
fi

# Each client's kernel holds a vMAC for the VIP, never a router's real MAC.
declare -A vmac_of
bad=()
for c in "${CLIENTS[@]}"; do
	vmac_of[$c]=$(lab_neigh_mac "$c")
	[[ ${vmac_of[$c]} =~ ^02:78:67:62:01:0[0-2]$ ]] || bad+=("$c: VIP at '${vmac_of[$c]}'")
done
real_macs=()
for r in "${ROUTERS[@]}"; do real_macs+=("$r=$(lab_mac "$r" eth0)"); done
if [ ${#bad[@]} -eq 0 ]; then
	ok "every client's neighbour entry for $LAB_VIP is a vMAC 02:78:67:62:01:0X"
else
	not_ok "every client's neighbour entry for $LAB_VIP is a vMAC 02:78:67:62:01:0X" "${bad[@]}" \
		"router MACs: ${real_macs[*]}"
fi

# Round-robin: 10/10/10 over the three vMACs.
split=
for i in "${!ROUTERS[@]}"; do
	v=$(lab_vmac "$i")
	n=0
	for c in "${CLIENTS[@]}"; do [ "${vmac_of[$c]}" = "$v" ] && n=$((n + 1)); done
	split+="${split:+/}$n"
done
per=$((N_CLIENTS / ${#ROUTERS[@]}))
check_eq "round-robin split of $N_CLIENTS clients over 3 vMACs" "$split" "$per/$per/$per"

# One reply per request, and only the AVG answered broadcast requests.
req_b=$(lab_arp_counter req_bcast)
req_u=$(lab_arp_counter req_ucast)
rep=$(lab_arp_counter rep_all)
rep_avg=$(lab_arp_counter "rep_$AVG")
echo "# lan switch: $req_b broadcast + $req_u unicast ARP requests for $LAB_VIP, $rep replies ($rep_avg from $AVG), $(lab_arp_counter learn) learning frames"
check_eq "one broadcast ARP request per client" "$req_b" "$N_CLIENTS"
check_eq "every ARP request for the VIP got exactly one reply (lan switch)" "$rep" "$((req_b + req_u))"
check_eq "the AVG's port sent one reply per broadcast request" "$rep_avg" "$req_b"
avg_tx=$(lab_reason "$AVG" xdp_tx_arp_reply)
avg_untracked=$(lab_reason "$AVG" xdp_tx_arp_untracked)
check_eq "AVG $AVG: xdp_tx_arp_reply = $N_CLIENTS, untracked = 0" "$avg_tx/$avg_untracked" "$N_CLIENTS/0"
for r in "${ROUTERS[@]}"; do
	[ "$r" = $AVG ] && continue
	check_eq "$r (not AVG): no ARP reply, dropped every broadcast request (xdp_drop_arp_not_avg)" \
		"$(lab_reason "$r" xdp_tx_arp_reply)/$(lab_reason "$r" xdp_drop_arp_not_avg)" "0/$req_b"
done

# The AVG remembers each host's forwarder: its host table matches the clients.
hosts=$(lab_ctl "$AVG" --json hosts 2>/dev/null)
bad=()
for c in "${CLIENTS[@]}"; do
	m=$(lab_mac "$c" eth0)
	hv=$(jq -r --arg m "$m" --argjson g "$LAB_GID" \
		'[.[] | select(.group == $g and (.mac | ascii_downcase) == $m) | .vmac] | first // "none"' \
		<<<"$hosts" 2>/dev/null)
	[ "$hv" = "${vmac_of[$c]}" ] || bad+=("$c ($m): host table '$hv', neighbour '${vmac_of[$c]}'")
done
check_empty_list "AVG host table has each client with the vMAC it was given" "${bad[@]:0:10}"

# Traffic crosses the owner of each client's vMAC: forwarder i's packets on
# router i+1 equal the echo requests of its clients; nobody else counts them.
check_forwarders() { # label, rounds
	local label=$1 rounds=$2 i r v want got others c o
	for i in "${!ROUTERS[@]}"; do
		r=${ROUTERS[$i]}
		v=$(lab_vmac "$i")
		want=0
		for c in "${CLIENTS[@]}"; do [ "${vmac_of[$c]}" = "$v" ] && want=$((want + PINGS * rounds)); done
		got=$(lab_fwd_packets "$r" "$i")
		others=
		for o in "${ROUTERS[@]}"; do
			[ "$o" = "$r" ] || others+="$(lab_fwd_packets "$o" "$i") "
		done
		if [ -n "$got" ] && [ "$got" -ge "$want" ] && [ "$got" -le $((want + SLACK)) ] &&
			[ "$others" = "$(printf '0 %.0s' "${ROUTERS[@]:1}")" ]; then
			ok "$label: $v crossed $r ($got packets, $want pings sent to it)"
		else
			not_ok "$label: $v crossed $r" "owner $r counted '$got', pings sent to $v: $want (+$SLACK allowed)" \
				"other routers counted: $others"
		fi
	done
}
check_forwarders "round 1" 1

# ---- round 2: forget the VIP's entry and ARP again: same vMAC --------------------
for c in "${CLIENTS[@]}"; do lab_exec "$c" ip neigh del "$LAB_VIP" dev eth0 2>/dev/null; done
gone=0
for c in "${CLIENTS[@]}"; do lab_has_neigh "$c" || gone=$((gone + 1)); done
check_eq "neighbour entries for the VIP flushed on all clients" "$gone" "$N_CLIENTS"
ping_all 2
bad=()
for c in "${CLIENTS[@]}"; do
	v=$(lab_neigh_mac "$c")
	[ "$v" = "${vmac_of[$c]}" ] || bad+=("$c: first '${vmac_of[$c]}', again '$v'")
done
check_empty_list "a second ARP from each client gets the same vMAC" "${bad[@]}"
req_b2=$(lab_arp_counter req_bcast)
req_u2=$(lab_arp_counter req_ucast)
rep2=$(lab_arp_counter rep_all)
check_eq "round 2: one new broadcast request per client, each answered once" \
	"$((req_b2 - req_b)) $rep2" "$N_CLIENTS $((req_b2 + req_u2))"
check_eq "round 2: AVG xdp_tx_arp_reply = $((2 * N_CLIENTS))" \
	"$(lab_reason "$AVG" xdp_tx_arp_reply)" "$((2 * N_CLIENTS))"
check_forwarders "round 2" 2

# No router's kernel ever spoke for the VIP with its real MAC on the segment
# (the XDP program keeps requests for the VIP from it; the egress guard
# would drop anything it tried).
guard=
for r in "${ROUTERS[@]}"; do guard+="$r=$(lab_reason "$r" tc_egress_drop_vip_arp) "; done
echo "# tc_egress_drop_vip_arp: $guard"
check_eq "no ARP for the VIP with a real (non-vMAC) sender MAC on the segment" \
	"$(lab_arp_counter vip_real)" 0

# ---- shutdown ------------------------------------------------------------------
for r in "${ROUTERS[@]}"; do
	lab_stop_xglbd "$r" 5
	check_eq "xglbd on $r exits 0 on SIGTERM" "$?" 0
done
echo "# $N_CLIENTS clients"
t_done
