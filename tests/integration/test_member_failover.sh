#!/usr/bin/env bash
# test_member_failover.sh - membership failover in the lab: an AVF dies (kill -9 + link down) and
# its vMACs move within hold + 2 hellos; persistence 1 and 3 outlive the timeout; it returns
# (persistence 3 comes back, 1 stays); unpinned to 0, it dies for good and timeout moves its hosts
# by unsolicited ARP; the AVG dies and the standby answers ARP.
#
# 3 routers (r1 r2 r3, equal priority: r3 is AVG, r2 standby), 4 forwarders:
#   fwd 0 r1 pers 3 | fwd 1 r2 pers 3 | fwd 2 r3 pers 3 | fwd 3 r2 pers 1
# Started r2 first (fwd 3's owner); the test waits until every router shows that state and
# each vMAC is local on exactly its owner before it measures anything.
# One client per forwarder (c1..c4, in the order the AVG hands out vMACs) sends
# 1000 datagrams/s through the gateway to an echo on the server (xglb_probe).
# The server's default route is r1, so r1 is never the one that dies. c5 is a
# new client for the last step; c6 -> c7 is a control probe through no router.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# Helpers are called through lab_wait and check; jq programs stay in single quotes.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=100
# hold = 10 hellos, not 3 to 5: taking a veth with XDP down under 3 probes of
# 1000/s stalls all forwarding on this 2-core VM for up to ~0.5 s (seen on the
# bridge as a gap in every router pair's hellos at once: each xglb_probe
# sender spins a CPU between its sends). With hold 500 the survivors then
# declared each other dead. The bound below scales with the hold.
HOLD=1000
LEASE=800         # < hold: a dead agent's data plane stops answering ARP before peers elect anew
REDIRECT=1000
TIMEOUT=3000      # persistence 1 and 3 outlive it (step 2); persistence 0 is removed (step 3)
RATE=1000         # probe datagrams per second
PORT=9000
CPORT=9001        # control probe
CRATE=200
LAB_PROBE_PORT=$PORT LAB_PROBE_RATE=$RATE
BOUND=$((HOLD + 2 * HELLO)) # allowed outage of a failed AVF's clients, ms


t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe

# ---- status helpers ------------------------------------------------------------
owner_of() { lab_jst "$1" ".groups[0].forwarders[$2] | if .active then .owner_name else \"-\" end"; }
event() { lab_jst "$1" ".groups[0].events.$2"; }
owners_are() { # router, want: status owners of router == want
	[ "$(lab_view "$1" | sed 's/.*owners=//')" = "$2" ]
}
role_is() { [ "$(lab_jst "$1" '.groups[0].role')" = "$2" ]; }

# ---- probe helpers ---------------------------------------------------------------



# ---- lab -------------------------------------------------------------------------
lab_setup "${ROUTERS[@]}" -- c1 c2 c3 c4 c5 c6 c7 # c6 -> c7: control probe
lab_arp_counters_init

# Started one after the other, on a loaded machine a router can be alone past its startup
# hold (one hold) and, elected, give every forwarder to the nodes it has heard. Persistence 3
# forwarders return to their preferred owners as they appear, but fwd 3 (persistence 1) stays
# wherever it was first assigned. So r2, fwd 3's owner, starts first: whoever hands the
# forwarders out first, r2 is up, and the group reaches the configured state (r3 AVG by
# preemption, each forwarder with its configured owner) whatever the timing; it is waited
# for below, not only agreement, which a moment before the owners took theirs back also is.
CONFIGURED="avg=r3 owners=r1,r2,r3,r2"
for r in r2 r1 r3; do
	cfg=$(lab_write_config "$r" membership=1 owners=r1,r2,r3,r2 persistence=3 hello_ms=$HELLO \
		hold_ms=$HOLD lease_ms=$LEASE redirect_ms=$REDIRECT timeout_ms=$TIMEOUT)
	lab_set_persistence "$cfg" 3 1
	lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
ok "xglbd ready on ${ROUTERS[*]} (hello $HELLO ms, hold $HOLD ms, redirect $REDIRECT ms, timeout $TIMEOUT ms)"

# Agreement, the configured AVG and owners in every router's status, and each vMAC local on
# exactly its owner's data plane (a forwarder given back stays local a moment: make before break).
configured() {
	local r
	lab_agree r1 r2 r3 || return 1
	for r in "${ROUTERS[@]}"; do [ "$(lab_view "$r" | sed 's/ v=[0-9]*//')" = "$CONFIGURED" ] || return 1; done
	[ "$(lab_dp_owners r1 r2 r3)" = r1,r2,r3,r2 ]
}
lab_wait 10 configured || bail "routers agree on the configured state: $CONFIGURED, vMACs local on r1,r2,r3,r2" \
	"$(lab_views)" "data planes: $(lab_dp_owners r1 r2 r3)"
check_eq "elected: r3 is AVG (equal priority, highest id), forwarders with their preferred owners" \
	"$(lab_view r1 | sed 's/ v=[0-9]*//')" "$CONFIGURED"
check_eq "r2 is the standby" "$(lab_jst r3 '.groups[0].standby')" 2
check_eq "persistence 3,3,3,1 as configured" \
	"$(lab_jst r3 '[.groups[0].forwarders[].persistence] | map(tostring) | join(",")')" "3,3,3,1"

lab_echo_start server "$PORT" && lab_echo_start c7 "$CPORT" || bail "echoes listen on the server and c7"
# A control next to each measurement: c6 -> c7 on the same switch, through no
# router. It loses packets only when the whole (shared, 2-core) machine stalls.
control_start() { lab_probe_start "$1" c6 "$2" "$(lab_get c7 ip)" "$CPORT" "$CRATE"; }

# One ARP each, in order: the AVG hands the vMACs out round-robin.
lab_vmac_clients c1 c2 c3 c4 || bail "the 4 clients got the 4 vMACs" "$LAB_ERR"
declare -n CL=LAB_CL # forwarder index -> client
ok "c1..c4 got one vMAC each: fwd0 ${CL[0]}, fwd1 ${CL[1]}, fwd2 ${CL[2]}, fwd3 ${CL[3]}"

# ---- 1. an AVF dies: kill -9 and link down -----------------------------------------
# r2 owns fwd 1 and fwd 3. Its clients lose traffic until the AVG (r3) has
# declared r2 dead (hold) and the new owners took the vMACs (learning frames).
v_before=$(lab_jst r3 '.groups[0].version')
fo_before=$(event r3 failovers)
p1_before=$(lab_fwd_packets r1 1)
p3_before=$(lab_fwd_packets r3 3)
srv0=$(lab_rcvbuf_errors server)
lab_fwd_mark r2:1 r2:3 r1:0
lab_probe_start f1 "${CL[1]}" 3
lab_probe_start f3 "${CL[3]}" 3
lab_probe_start f0 "${CL[0]}" 3
control_start f1c 3
lab_wait 2 lab_fwd_flowing $((RATE / 5)) || not_ok "probes flow through r2 (fwd 1, 3) and r1 (fwd 0) before the failure"
lab_kill_xglbd r2
lab_exec r2 ip link set eth0 down
t_fail=$(date +%s%N)
lab_probe_wait f1
lab_probe_wait f3
lab_probe_wait f0
lab_probe_wait f1c
echo "# fwd1 client ${CL[1]}: $(lab_probe_json f1)"
echo "# fwd3 client ${CL[3]}: $(lab_probe_json f3)"
echo "# fwd0 client ${CL[0]} (r1, untouched): $(lab_probe_json f0)"
echo "# control c6 -> c7 (no router): $(lab_probe_json f1c); dropped at the server's echo socket: $(($(lab_rcvbuf_errors server) - srv0))"

lab_wait 5 lab_agree r1 r3 || not_ok "r1 and r3 agree after r2 died" "r1: $(lab_view r1)" "r3: $(lab_view r3)"
check_eq "fwd1 -> r1, fwd3 -> r3 (least loaded survivors); all on one version" \
	"$(lab_owners_of r1) $(lab_owners_of r3)" "r1,r1,r3,r3 r1,r1,r3,r3"
check_eq "data planes: each vMAC local on exactly its new owner" "$(lab_dp_owners r1 r3)" "r1,r1,r3,r3"
check_eq "r3 counted 2 failovers, published a newer version" \
	"$(event r3 failovers) $([ "$(lab_jst r3 '.groups[0].version')" -gt "$v_before" ] && echo newer)" \
	"$((fo_before + 2)) newer"
# The outage must be over well before the probe ends, or it was cut short.
for f in 1 3; do
	lost=$(lab_probe_get "f$f" lost)
	out=$(lab_probe_get "f$f" outage_ms)
	last=$(lab_probe_get "f$f" last_lost)
	if [ -n "$lost" ] && [ "$lost" -gt 0 ] && [ "$last" -lt $((3 * RATE - RATE / 4)) ] &&
		awk -v o="$out" -v b="$BOUND" 'BEGIN { exit !(o < b) }'; then
		ok "fwd$f client ${CL[$f]}: outage ${out} ms < hold + 2 x hello = $BOUND ms (> 0: the failure was real; over $(((3 * RATE - last) * 1000 / RATE)) ms before the probe ended)"
	else
		not_ok "fwd$f client ${CL[$f]}: outage below $BOUND ms, and over at least 250 ms before the 3 s probe ended" \
			"probe: $(lab_probe_json "f$f")"
	fi
done
check_eq "fwd0 client ${CL[0]} (owner r1 unaffected) lost nothing" "$(lab_probe_netlost f0)" 0
check_eq "${CL[1]} and ${CL[3]} kept their vMACs (no re-ARP needed)" \
	"$(lab_neigh_mac "${CL[1]}") $(lab_neigh_mac "${CL[3]}")" "$(lab_vmac 1) $(lab_vmac 3)"
# Every probe echoed after the outage began crossed the new owner.
p1=$(lab_fwd_packets r1 1)
p3=$(lab_fwd_packets r3 3)
after1=$(($(lab_probe_get f1 received) - $(lab_probe_get f1 first_lost)))
after3=$(($(lab_probe_get f3 received) - $(lab_probe_get f3 first_lost)))
check "new owners forward the moved vMACs: r1 counted $((p1 - p1_before)) on fwd1 (>= $after1 echoed after the failure), r3 $((p3 - p3_before)) on fwd3 (>= $after3)" \
	[ "$((p1 - p1_before))" -ge "$after1" -a "$after1" -gt 0 -a "$((p3 - p3_before))" -ge "$after3" -a "$after3" -gt 0 ]

# Sticky forwarders are never redirected nor removed while a node lives:
# fwd1 (persistence 3, preferred r2 down) and fwd3 (persistence 1, which
# now prefers r3) keep taking new hosts past redirect and timeout.
past_timeout() { [ $((($(date +%s%N) - t_fail) / 1000000)) -gt $((TIMEOUT + 4 * HELLO)) ]; }
lab_wait $((TIMEOUT / 1000 + 10)) past_timeout
check_eq "past the timeout: fwd1 (persistence 3) and fwd3 (1) still served, take new hosts; fwd3 prefers r3 now" \
	"$(lab_jst r3 '[.groups[0].forwarders[] | "\(.owner_name)/\(.active)/\(.new_hosts)/\(.preferred_name)"] | join(",")')" \
	"r1/true/true/r1,r1/true/true/r2,r3/true/true/r3,r3/true/true/r3"
check_eq "... nothing removed, no host redistributed" "$(event r3 removals)" 0

# ---- 2. r2 returns: persistence 3 goes back to it, persistence 1 stays ------------
srv0=$(lab_rcvbuf_errors server)
lab_fwd_mark r1:1 r3:3
lab_probe_start r1 "${CL[1]}" 2
lab_probe_start r3 "${CL[3]}" 2
control_start r3c 2
lab_wait 2 lab_fwd_flowing $((RATE / 5)) || not_ok "probes flow through r1 (fwd 1) and r3 (fwd 3) before r2 returns"
lab_exec r2 ip link set eth0 up
lab_start_xglbd r2 "$LAB_DIR/r2.yaml" || bail "xglbd restarts on r2"
lab_wait 5 lab_agree r1 r2 r3 || not_ok "r1 r2 r3 agree after r2 returned" \
	"r1: $(lab_view r1)" "r2: $(lab_view r2)" "r3: $(lab_view r3)"
check_eq "persistence 3: fwd1 is back with r2; persistence 1: fwd3 stays with r3" \
	"$(lab_owners_of r1) $(lab_owners_of r2) $(lab_owners_of r3)" "r1,r2,r3,r3 r1,r2,r3,r3 r1,r2,r3,r3"
# r1 keeps accepting fwd1's frames a little while after giving it back (make-before-break)
dp_is() { [ "$(lab_dp_owners r1 r2 r3)" = "$1" ]; }
lab_wait 5 dp_is r1,r2,r3,r3
check_eq "data planes agree" "$(lab_dp_owners r1 r2 r3)" "r1,r2,r3,r3"
lab_probe_wait r1
lab_probe_wait r3
lab_probe_wait r3c
echo "# return of r2: fwd1 client ${CL[1]} (moves r1 -> r2): $(lab_probe_json r1)"
echo "# return of r2: fwd3 client ${CL[3]} (stays on r3): $(lab_probe_json r3)"
echo "# return of r2: control c6 -> c7 (no router): $(lab_probe_json r3c); dropped at the server's echo socket: $(($(lab_rcvbuf_errors server) - srv0))"
check_eq "fwd3 (stays on r3) loses nothing while r2 returns" "$(lab_probe_netlost r3)" 0
check_eq "fwd1 and fwd3 take new hosts again" "$(lab_jst r3 '[.groups[0].forwarders[] | .new_hosts] | all')" true

# ---- 3. r2 dies for good: timeout, its hosts move by unsolicited ARP -------------
# Persistence 0 (the operator unpins fwd1): a taken-over forwarder whose
# preferred owner stays down is redirected, then removed at the timeout.
lab_xglbctl r1 unpin 1
unpinned() { [ "$(lab_jst r1 '.groups[0].forwarders[1].persistence')" = 0 ]; }
lab_wait 5 unpinned
check_eq "unpin 1: fwd1 persistence 0 everywhere, still with r2 (balance has nothing to do)" \
	"$RC $(lab_jst r1 '.groups[0].forwarders[1].persistence') $(lab_jst r3 '.groups[0].forwarders[1].persistence') $(lab_owners_of r3)" \
	"0 0 0 r1,r2,r3,r3"
# Count ARP requests from fwd1's client at the switch: it must not ARP itself.
cmac=$(lab_mac "${CL[1]}" eth0)
lab_nft_counters lan bridge xglb_member prerouting 1 \
	"bcast=ether saddr $cmac ether type arp arp operation request ether daddr ff:ff:ff:ff:ff:ff" \
	"ucast=ether saddr $cmac ether type arp arp operation request ether daddr != ff:ff:ff:ff:ff:ff" ||
	bail "nft counters for ${CL[1]}"
mcount() { lab_nft_count lan bridge xglb_member "$1"; }
redist_before=$(lab_jst r3 .hosts_redistributed)
again_before=$(lab_jst r3 .hosts_redistributed_again)
lab_exec "${CL[1]}" ping -c 1 -W 2 -q "$LAB_SERVER_IP" >/dev/null # fresh traffic via fwd1
lab_kill_xglbd r2
lab_exec r2 ip link set eth0 down
t_kill=$(date +%s%N)
lab_wait 5 owners_are r3 r1,r1,r3,r3 || not_ok "fwd1 taken over by r1 again" "r3: $(lab_view r3)"
redirected() { [ "$(lab_jst r3 '.groups[0].forwarders[1] | "\(.active)/\(.new_hosts)"')" = true/false ]; }
check "redirect: fwd1 (persistence 0, preferred r2 down) takes no new hosts before its timeout" \
	lab_wait $((TIMEOUT / 1000 + 2)) redirected
moved() { local m; m=$(lab_neigh_mac "${CL[1]}"); [ -n "$m" ] && [ "$m" != "$(lab_vmac 1)" ]; }
lab_wait $((TIMEOUT / 1000 + 5)) moved
t_moved=$(( ($(date +%s%N) - t_kill) / 1000000 ))
newmac=$(lab_neigh_mac "${CL[1]}")
echo "# ${CL[1]} moved to $newmac $t_moved ms after r2 died (hold $HOLD + timeout $TIMEOUT)"
if ! moved; then # what the AVG holds for the client, and whether its reply left
	echo "# r3's host entry for ${CL[1]} ($cmac): $(lab_ctl r3 --json hosts | jq -c --arg m "$cmac" '[.. | objects | select(.mac? == $m)]')"
	echo "# r3: tc_egress_drop_vip_arp $(lab_reason r3 tc_egress_drop_vip_arp), tc_egress_pass_vmac_arp $(lab_reason r3 tc_egress_pass_vmac_arp)"
	echo "# ${CL[1]}'s neighbours: $(lab_exec "${CL[1]}" ip -s neigh show dev eth0 | tr '\n' ';')"
fi
check "timeout: ${CL[1]}'s entry for the VIP moved from $(lab_vmac 1) to a live vMAC ($newmac)" \
	bash -c "[[ '$newmac' =~ ^02:78:67:62:01:0[023]$ ]]"
check "... by the timeout: not before $TIMEOUT ms after the failure ($t_moved ms)" [ "$t_moved" -ge "$TIMEOUT" ]
check_eq "... without ARPing itself (broadcast ARP requests from ${CL[1]} at the switch)" "$(mcount bcast)" 0
redist=$(lab_jst r3 .hosts_redistributed)
check "the AVG moved it with an unsolicited ARP reply (hosts_redistributed $redist_before -> $redist)" \
	[ "$redist" -gt "$redist_before" ]
told_again() { [ "$(lab_jst r3 .hosts_redistributed_again)" -ge $((again_before + redist - redist_before)) ]; }
lab_wait 5 told_again
check_eq "... and told each moved host once more after its ARP lock time (hosts_redistributed_again)" \
	"$(($(lab_jst r3 .hosts_redistributed_again) - again_before))" "$((redist - redist_before))"
check_eq "fwd1 removed (inactive, removals 1) on r1 and r3" \
	"$(lab_owners_of r1) $(lab_owners_of r3) $(event r3 removals)" \
	"r1,-,r3,r3 r1,-,r3,r3 1"
check "${CL[1]} reaches the server through its new vMAC" quiet lab_exec "${CL[1]}" ping -c 2 -i 0.2 -W 1 -q "$LAB_SERVER_IP"

# ---- 4. the AVG dies: the standby takes over and answers new clients -------------
check_eq "r1 is the standby (r2 is gone)" "$(lab_jst r3 '.groups[0].standby')" 1
tx_before=$(lab_reason r1 xdp_tx_arp_reply)
rep_r1=$(lab_arp_counter rep_r1)
rep_r3=$(lab_arp_counter rep_r3)
lab_kill_xglbd r3
lab_wait 5 role_is r1 avg || not_ok "r1 becomes AVG" "r1: $(lab_view r1)"
check_eq "r1's status: AVG r1, every active forwarder with r1" "$(lab_view r1 | sed 's/ v=[0-9]*//')" \
	"avg=r1 owners=r1,-,r1,r1"
check "c5 has no neighbour entry for the VIP yet" lab_no_neigh c5
check "new client c5 reaches the server" quiet lab_exec c5 ping -c 2 -i 0.2 -W 2 -q "$LAB_SERVER_IP"
m5=$(lab_neigh_mac c5)
check "c5 got a live vMAC from the new AVG ($m5)" bash -c "[[ '$m5' =~ ^02:78:67:62:01:0[023]$ ]]"
tx=$(lab_reason r1 xdp_tx_arp_reply)
check "r1's xdp_tx_arp_reply rose ($tx_before -> $tx)" [ "$tx" -gt "$tx_before" ]
check_eq "ARP replies at the switch: from r1's port +$(( $(lab_arp_counter rep_r1) - rep_r1 )), from dead r3's +0" \
	"$(( $(lab_arp_counter rep_r3) - rep_r3 ))" 0
check_eq "no ARP for the VIP with a real MAC on the segment" "$(lab_arp_counter vip_real)" 0

lab_stop_xglbd r1 5
t_done
