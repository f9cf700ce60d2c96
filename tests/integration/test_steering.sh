#!/usr/bin/env bash
# test_steering.sh - flow steering (issue 4) against a real stateful firewall on every router:
# without steering most TCP connections die, with it all complete, and when a router dies the
# connections it did not own carry on.
#
# Lab: 3 routers r1 r2 r3 between the client segment (eth0) and the server segment (eth1),
# membership on (r1 priority 120: AVG), 6 clients c1..c6 (two per vMAC, round-robin), one
# server whose default route is r1. Each router runs nftables in its namespace:
#
#   forward: ct state established,related accept
#            ct state invalid drop                         (counted)
#            iif eth0 oif eth1 ct state new accept         (new connections from the inside only)
#            policy drop                                   (counted)
#
# and net.netfilter.nf_conntrack_tcp_loose=0: with the default (1) conntrack adopts a TCP flow
# from any mid-stream segment, so a router seeing only one half of a connection, or taking
# over flows whose state died with another router, would accept them anyway and the control
# would prove nothing. rp_filter is off on the routers (tests/lab/lab.sh).
# Traffic: tests/tools/xglb_tcp (server: echo; client: N parallel connections, each with a
# verdict ok/reset/timeout/..., echoed bytes checked, JSON out).
#
# What is asserted, and why:
#  A. steering off (membership=1, no steer): 50 connections (c1..c5 x 10, each 2 x 16 KiB
#     echoed, then closed). A client behind r2/r3 sends its SYN through r2/r3, the SYN-ACK
#     comes back through r1, which has no state for it: invalid, dropped. Asserted: at least
#     30 % fail (expected: the share of connections whose vMAC is not r1's, 60 %), every
#     connection through r1 succeeds (the firewall passes symmetric flows), and the routers'
#     drop counters moved.
#  B. steering on (steer=1, both segments): the same 50 connections all complete with every
#     byte echoed and compared, no reset, and no router's firewall dropped a packet.
#     IPv6 (the group's RAs on in B, LAB_IPV6=1): the clients take their default route from the
#     RAs (the virtual link-local, resolved to the same vMAC as the VIP). From every client
#     whose first hop is r2 or r3: iperf3 over IPv6 (4 parallel TCP connections, 4 MiB) and
#     ping6 with twice the MTU (fragmented both ways). The server's default route is r1, so
#     every reply enters r1 and every request r2/r3: r1's tc_steer_steered counts the way back,
#     r2's and r3's the way out; both must grow, every transfer complete, and no firewall drop
#     a packet (conntrack judges ICMPv6 echo and TCP over IPv6 as it does IPv4).
#  C. r3 dies (kill -9 of its xglbd, then its links go down) under 20 long-lived connections
#     (two r3 clients, one r1 and one r2 client, 5 each; one 2 KiB round every 200 ms). Each
#     connection's flow owner is read from the routers' pinned steering tables when it
#     connects (all three must agree). A flow owned by r1 or r2 keeps its conntrack state where
#     it was: its owner stays (rendezvous hashing moves only the dead node's buckets) and r3's
#     vMAC moves to a survivor, which steers the client's packets to the owner. So every
#     connection NOT owned by r3 must finish - 3 more rounds once the survivors agree, then a
#     clean close - with status ok: no reset, no timeout, every byte echoed. This includes
#     the ones whose first hop was r3 (asserted: some exist and survive). Connections owned
#     by r3 lost their state with it: their new owner's firewall drops their mid-stream
#     segments as invalid (tcp_loose=0), so they time out; they are counted, not asserted.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
CLIENTS=(c1 c2 c3 c4 c5 c6)
HELLO=100
HOLD=500
LEASE=400 # < hold, as in test_member_failover.sh
PORT=5001
BYTES=16384 # per round, A and B
ROUNDS=2
N_PER=10 # connections per client, A and B (c1..c5: 50)
LL_PER=5 # long-lived connections per client, C (4 clients: 20)
TOOL=$LAB_BUILD/tools/xglb_tcp


t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_tcp
t_need_tools nft iperf3

# ---- helpers -------------------------------------------------------------------------
slot() { echo $(($(lab_get "$1" index) - 1)); } # router -> steering slot (nodes in id order)
tables() { "$TOOL" tables "$(lab_get "$1" pin_root)" 2>/dev/null; }
# Each given router's active steering tables: both interfaces steer, the MACs of the other
# given routers are known, and exactly the given routers own buckets (none unowned).
steer_ready() {
	local r live
	live=$(for r in "$@"; do slot "$r"; done | jq -sc 'sort')
	for r in "$@"; do
		tables "$r" | jq -e --argjson live "$live" --argjson self "$(slot "$r")" '
			.steer and (.ifaces | length) == 2 and
			all(.ifaces[]; .self == $self and ((($live - [$self]) - .valid) | length) == 0) and
			([.buckets | to_entries[] | select(.value > 0) | .key] == $live) and
			.unowned == 0' >/dev/null || return 1
	done
}
steer_off() { # router: no steering table active
	tables "$1" | jq -e '.steer == false' >/dev/null
}
# nft counters of a router's firewall: "invalid policy"
fw_drops() {
	lab_exec "$1" nft -j list counters table inet xglb_fw 2>/dev/null |
		jq -r '[.nftables[] | select(.counter) | {(.counter.name): .counter.packets}] | add |
			"\(.dropped_invalid // 0) \(.dropped_policy // 0)"'
}
fw_total() { # sum of all routers' dropped packets
	local r s=0 a b
	for r in "${ROUTERS[@]}"; do
		read -r a b <<<"$(fw_drops "$r")"
		s=$((s + a + b))
	done
	echo "$s"
}
steered_total() {
	local r s=0
	for r in "${ROUTERS[@]}"; do s=$((s + $(lab_reason "$r" tc_steer_steered))); done
	echo "$s"
}
# The router a client's packets reach first: the owner of the vMAC it holds for the VIP.
first_hop() {
	local m
	m=$(lab_neigh_mac "$1")
	[[ $m =~ ^02:78:67:62:01:0([0-2])$ ]] || return 1
	lab_jst r1 ".groups[0].forwarders[${BASH_REMATCH[1]}].owner_name"
}

start_xglbd_all() { # extra lab_write_config args...
	lab_start_all membership=1 prios=120,100,100 hello_ms=$HELLO hold_ms=$HOLD lease_ms=$LEASE "$@" ||
		bail "xglbd ready on every router ($*)" "$LAB_ERR"
	lab_wait 10 lab_agree "${ROUTERS[@]}" || bail "routers agree ($*)" "$(lab_views)"
}

# Run xglb_tcp clients in parallel: run_clients TAG "client n"... -- client args...
# Results in $LAB_DIR/TAG.CLIENT.json (the last line of each is the JSON).
run_clients() {
	local tag=$1 spec c n pids=() args
	shift
	local specs=()
	while [ "$1" != -- ]; do
		specs+=("$1")
		shift
	done
	shift
	args=("$@")
	for spec in "${specs[@]}"; do
		read -r c n <<<"$spec"
		lab_bg "$c" "$LAB_DIR/$tag.$c.json" "$TOOL" client "$LAB_SERVER_IP" "$PORT" -n "$n" "${args[@]}"
		pids+=("$LAB_BG_PID")
	done
	RUN_PIDS=("${pids[@]}")
}
wait_clients() { local p; for p in "${RUN_PIDS[@]}"; do wait "$p"; done; }
result() { grep -a '^{' "$LAB_DIR/$1.$2.json" | tail -n 1; } # tag client
# All connections of a run as one JSON array, each with its client and first hop.
results() { # tag clients...
	local tag=$1 c
	shift
	for c in "$@"; do
		result "$tag" "$c" | jq -c --arg c "$c" --arg hop "${HOP[$c]}" \
			'.c[] | . + {client: $c, hop: $hop}'
	done | jq -sc .
}

# ---- lab ---------------------------------------------------------------------------------
t0=$SECONDS
LAB_IPV6=1 # IPv6 addresses and forwarding on the routers; the group's RAs only in B
lab_setup "${ROUTERS[@]}" -- "${CLIENTS[@]}"

for r in "${ROUTERS[@]}"; do
	lab_exec "$r" nft -f - <<'EOF' || bail "nftables firewall on $r"
table inet xglb_fw {
	counter dropped_invalid {}
	counter dropped_policy {}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct state invalid counter name dropped_invalid drop
		iifname "eth0" oifname "eth1" ct state new accept
		counter name dropped_policy
	}
}
EOF
	# the ct rules loaded conntrack, so its per-namespace sysctls exist now
	lab_exec "$r" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 ||
		bail "nf_conntrack_tcp_loose=0 on $r"
	[ "$(lab_exec "$r" sysctl -n net.netfilter.nf_conntrack_tcp_loose)" = 0 ] ||
		bail "nf_conntrack_tcp_loose reads 0 on $r"
done
ok "stateful firewall on r1 r2 r3 (new only eth0 -> eth1, invalid and policy drop, tcp_loose 0)"

count() { jq "[.[] | select($2)] | length" <<<"$1"; } # results filter: how many match
listening() { lab_exec server ss -Hltn "sport = :$PORT" | grep -q .; }
start_server() {
	lab_bg server "$LAB_DIR/server.log" "$TOOL" server "$PORT"
	SERVER_PID=$LAB_BG_PID
	lab_wait 5 listening || bail "echo server listens"
}
start_server

# ---- A. steering off: the control ---------------------------------------------------------
start_xglbd_all
all_off() { steer_off r1 && steer_off r2 && steer_off r3; }
check "steering off: no steering table on any router" all_off

# One ARP each, in order: the AVG hands the vMACs out round-robin.
declare -A HOP
for c in "${CLIENTS[@]}"; do
	lab_exec "$c" ping -c 1 -W 2 -q "$LAB_VIP" >/dev/null || bail "$c reaches the VIP"
	HOP[$c]=$(first_hop "$c") || bail "$c holds a vMAC for the VIP" "got '$(lab_neigh_mac "$c")'"
done
hops=$(for c in "${CLIENTS[@]}"; do echo "${HOP[$c]}"; done | sort | uniq -c | awk '{print $1}' | paste -sd,)
[ "$hops" = 2,2,2 ] || bail "two clients per router" "$(for c in "${CLIENTS[@]}"; do echo "$c -> ${HOP[$c]}"; done)"
ok "clients spread over the routers by vMAC: $(for c in "${CLIENTS[@]}"; do echo "$c->${HOP[$c]}"; done | paste -sd' ')"

A_CLIENTS=(c1 c2 c3 c4 c5)
d0=$(fw_total)
ta=$SECONDS
specs=()
for c in "${A_CLIENTS[@]}"; do specs+=("$c $N_PER"); done
run_clients off "${specs[@]}" -- \
	-b $BYTES -r $ROUNDS -c 3000 -t 5000
wait_clients
A=$(results off "${A_CLIENTS[@]}")
a_n=$(jq length <<<"$A")
a_fail=$(count "$A" '.status != "ok"')
a_r1_fail=$(count "$A" '.hop == "r1" and .status != "ok"')
a_r1=$(count "$A" '.hop == "r1"')
a_pct=$((a_n ? a_fail * 100 / a_n : 0))
echo "# control: $a_fail of $a_n connections failed ($a_pct %) in $((SECONDS - ta)) s;" \
	"by first hop: $(jq -r 'group_by(.hop) | map("\(.[0].hop) \(map(select(.status == "ok")) | length)/\(length) ok") | join(", ")' <<<"$A");" \
	"statuses: $(jq -r 'group_by(.status) | map("\(.[0].status) \(length)") | join(", ")' <<<"$A");" \
	"firewall drops $(($(fw_total) - d0))"
if [ "$a_n" = 50 ] && [ "$a_pct" -ge 30 ]; then
	ok "control, steering off: $a_fail/50 connections fail ($a_pct % >= 30 %): replies return through r1, which has no state"
else
	not_ok "control, steering off: >= 30 % of 50 connections fail" "got $a_fail of $a_n"
fi
check "control: all $a_r1 connections through r1 (symmetric) succeed" [ "$a_r1_fail" = 0 -a "$a_r1" -gt 0 ]
check "control: the routers' firewalls dropped packets ($(($(fw_total) - d0)))" [ "$(($(fw_total) - d0))" -gt 0 ]

# ---- B. steering on ----------------------------------------------------------------------------
# A fresh server: the control's half-open connections would otherwise keep retransmitting
# their SYN-ACKs (1, 2, 4, 8 s...) into phase B, where the firewalls rightly drop them.
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
lab_wait 5 bash -c "! ip netns exec $(lab_ns server) ss -Hltn 'sport = :$PORT' | grep -q ." ||
	bail "the control's echo server stops"
start_server
for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" || not_ok "xglbd on $r stops cleanly"; done
start_xglbd_all steer=1 ipv6=1
lab_wait 10 steer_ready r1 r2 r3 ||
	bail "steering tables ready on r1 r2 r3" "$(for r in "${ROUTERS[@]}"; do echo "$r: $(tables "$r")"; done)"
ok "steering on: every router's tables name r1 r2 r3 as owners, peers' MACs known on both segments"
one_each() { # router: one xglb program at each tc hook of the group and the steering interface
	local dev
	for dev in eth0 eth1; do
		[[ "$(lab_tc_progs "$1" "$dev" ingress | paste -sd, -)" =~ ^tcx:xglb_tc(_ingress)?$ ]] &&
			[ "$(lab_tc_progs "$1" "$dev" egress | paste -sd, -)" = tcx:xglb_tc_egress ] || return 1
	done
}
for r in "${ROUTERS[@]}"; do
	check "$r: after the restart exactly one xglb program at each tc hook (tcx) of eth0 and eth1" one_each "$r"
done
echo "# buckets per owner (r1, r2, r3): $(tables r1 | jq -c .buckets)"
# The clients' ARP entries normally outlive the restart (no traffic meanwhile, so no probe
# fell into the gap); should one have asked anew, its first hop is taken from its new entry.
for c in "${CLIENTS[@]}"; do
	h=$(first_hop "$c") || bail "$c holds a vMAC after the restart" "got '$(lab_neigh_mac "$c")'"
	[ "$h" = "${HOP[$c]}" ] || echo "# $c: first hop ${HOP[$c]} -> $h (asked again across the restart)"
	HOP[$c]=$h
done

d0=$(fw_total)
s0=$(steered_total)
tb=$SECONDS
PINS=()
for r in "${ROUTERS[@]}"; do PINS+=(-p "$(lab_get "$r" pin_root)"); done
run_clients on "${specs[@]}" -- \
	-b $BYTES -r $ROUNDS -c 3000 -t 5000 "${PINS[@]}"
wait_clients
B=$(results on "${A_CLIENTS[@]}")
b_n=$(jq length <<<"$B")
b_ok=$(count "$B" '.status == "ok"')
b_bytes=$(jq '[.[].bytes] | add // 0' <<<"$B")
b_reset=$(count "$B" '.status == "reset"')
b_out=$(count "$B" '.owner[0] != (.hop[1:] | tonumber) - 1')
b_back=$(count "$B" '.owner[0] != 0')
b_drops=$(($(fw_total) - d0))
echo "# steering: $b_ok of $b_n ok in $((SECONDS - tb)) s, $b_bytes bytes echoed;" \
	"owners (r1 r2 r3): $(jq -r '[group_by(.owner[0])[] | length] | join(" ")' <<<"$B");" \
	"$b_out steered on the way out (owner != first hop), $b_back on the way back (owner != r1);" \
	"tc_steer_steered +$(($(steered_total) - s0)); firewall drops $b_drops"
if [ "$b_n" = 50 ] && [ "$b_ok" = 50 ] && [ "$b_bytes" = $((50 * BYTES * ROUNDS)) ]; then
	ok "steering on: all 50 connections complete, $b_bytes bytes echoed and compared"
else
	not_ok "steering on: all 50 connections complete with every byte echoed" \
		"ok $b_ok of $b_n, bytes $b_bytes (want $((50 * BYTES * ROUNDS))), resets $b_reset" \
		"$(jq -c '.[] | select(.status != "ok")' <<<"$B" | head -n 5)"
fi
check "steering on: the routers agree on every flow's owner" \
	[ "$(count "$B" '.owner[0] != .owner[1] or .owner[1] != .owner[2] or .owner[0] < 0')" = 0 ]
check "steering on: flows were steered ($b_out out, $b_back back, tc_steer_steered > 0)" \
	[ "$b_out" -gt 0 -a "$b_back" -gt 0 -a "$(($(steered_total) - s0))" -gt 0 ]
check "steering on: no firewall dropped a packet" [ "$b_drops" = 0 ]

# Fragments follow their flow. Each client sends small UDP requests from two sockets (two
# flows); the server answers each with a 4000-byte datagram, fragmented on its way back. The
# reply's first fragment hashes by the flow's ports and leaves them for the later pieces
# (xglb_frags), so every piece reaches the flow's owner, which holds the state the request
# made. Hashed by addresses alone, as before, most replies reached a router without that
# state, whose firewall dropped them. Then ping -s 3000: fragmented both ways.
FRAG_PORT=5353
lab_bg server "$LAB_DIR/bigecho.log" "$LAB_BUILD/tools/xglb_probe" echo $FRAG_PORT 0 4000
lab_wait 5 _lab_udp_listens server $FRAG_PORT || bail "the 4000-byte echo listens"
d0=$(fw_total)
pids=()
for c in "${CLIENTS[@]}"; do
	for k in 1 2; do
		lab_bg "$c" "$LAB_DIR/frag.$c.$k.json" "$LAB_BUILD/tools/xglb_probe" send \
			"$LAB_SERVER_IP" $FRAG_PORT 20 1 1000
		pids+=("$LAB_BG_PID")
	done
done
wait "${pids[@]}"
bad=$(for c in "${CLIENTS[@]}"; do for k in 1 2; do
	j=$(tail -n 1 "$LAB_DIR/frag.$c.$k.json")
	jq -e '.sent > 0 and .received == .sent' <<<"$j" >/dev/null 2>&1 || echo "$c flow $k: $j"
done; done)
check_empty "steering on: 12 UDP flows, every 4000-byte (fragmented) reply reaches its client" "$bad"
check_eq "steering on: no firewall dropped a fragment" "$(($(fw_total) - d0))" 0
bad=$(for c in "${CLIENTS[@]}"; do
	lab_exec "$c" ping -n -q -c 3 -i 0.2 -W 2 -s 3000 "$LAB_SERVER_IP" >/dev/null || echo "$c"
done)
check_empty "steering on: ping -s 3000 (fragmented both ways) from every client" "$bad"

# IPv6 through the same steering, both directions (header, B).
default6() { lab_exec "$1" ip -6 route show default | awk '{print $1, $2, $3}'; }
slaac6() { lab_exec "$1" ip -6 addr show dev eth0 scope global | grep -q "inet6 $(lab_get "$1" ip6)/64"; }
v6_ready() { [ "$(default6 "$1")" = "default via $LAB_LL6" ] && slaac6 "$1"; }
first_hop6() { # the router owning the vMAC the client holds for the virtual link-local
	local m
	lab_exec "$1" ping -6 -c1 -W2 -q "$LAB_SERVER_IP6" >/dev/null 2>&1
	m=$(lab_neigh_mac "$1" "$LAB_LL6")
	[[ $m =~ ^02:78:67:62:01:0([0-2])$ ]] || return 1
	lab_jst r1 ".groups[0].forwarders[${BASH_REMATCH[1]}].owner_name"
}
steered_on() { lab_reason "$1" tc_steer_steered; }
V6_CLIENTS=()
for c in "${CLIENTS[@]}"; do
	lab_wait 10 v6_ready "$c" || bail "$c: IPv6 default route via the virtual link-local and SLAAC" \
		"$(default6 "$c"); $(lab_exec "$c" ip -6 -br addr show dev eth0)"
	h=$(first_hop6 "$c") || bail "$c holds a vMAC for the virtual link-local" "got '$(lab_neigh_mac "$c" "$LAB_LL6")'"
	[ "$h" = "${HOP[$c]}" ] || echo "# $c: IPv6 first hop $h, IPv4 ${HOP[$c]}"
	[ "$h" != r1 ] && V6_CLIENTS+=("$c")
done
[ ${#V6_CLIENTS[@]} -ge 2 ] || bail "clients whose IPv6 first hop is r2 or r3" "${V6_CLIENTS[*]}"
ok "IPv6 clients by RA and SLAAC; first hop r2 or r3: ${V6_CLIENTS[*]}"
lab_bg server "$LAB_DIR/iperf6.log" iperf3 -s -B "$LAB_SERVER_IP6" -p 5202
lab_wait 5 bash -c "ip netns exec $(lab_ns server) ss -Hltn 'sport = :5202' | grep -q ." ||
	bail "iperf3 listens on the server's IPv6 address"
d0=$(fw_total)
b1=$(steered_on r1)
o0=$(($(steered_on r2) + $(steered_on r3)))
bad=""
for c in "${V6_CLIENTS[@]}"; do
	# -n: done once 4 MiB are written; a connection the firewalls cut would stall it (timeout).
	# What the server counted by then may lag behind the last bytes in flight: > 0 only.
	out=$(lab_exec "$c" timeout 30 iperf3 -6 -c "$LAB_SERVER_IP6" -p 5202 -P 4 -n 4M -J 2>&1)
	r=$(jq -r '"\(.end.sum_sent.bytes >= 4194304) \(.end.sum_received.bytes > 0) \(.error // "none")"' <<<"$out" 2>/dev/null)
	echo "# $c iperf3 over IPv6: $r"
	[ "$r" = "true true none" ] || bad+="$c: ${r:-$(tail -n 3 <<<"$out" | tr '\n' ' ')}; "
done
check_empty "IPv6: TCP (iperf3, 4 connections each) from ${V6_CLIENTS[*]} through r2/r3, replies through r1, all complete" "$bad"
big=$((2 * LAB_MTU))
bad=$(for c in "${V6_CLIENTS[@]}"; do
	lab_exec "$c" ping -6 -n -q -c 3 -i 0.2 -W 2 -s $big "$LAB_SERVER_IP6" >/dev/null || echo "$c"
done)
check_empty "IPv6: ping6 -s $big (fragmented both ways) from ${V6_CLIENTS[*]}" "$bad"
back=$(($(steered_on r1) - b1))
out6=$(($(steered_on r2) + $(steered_on r3) - o0))
echo "# IPv6: tc_steer_steered +$out6 on r2/r3 (the way out), +$back on r1 (the way back); firewall drops $(($(fw_total) - d0))"
check "IPv6: flows steered on the way out (r2/r3: +$out6) and on the way back (r1: +$back)" \
	[ "$out6" -gt 0 -a "$back" -gt 0 ]
check_eq "IPv6: no firewall dropped a packet" "$(($(fw_total) - d0))" 0

# ---- C. r3 dies under long-lived connections -------------------------------------------------------
# Two r3 clients, then one of r1 and one of r2.
C_CLIENTS=()
for h in r3 r3 r1 r2; do
	for c in "${CLIENTS[@]}"; do
		[ "${HOP[$c]}" = "$h" ] && [[ " ${C_CLIENTS[*]} " != *" $c "* ]] && {
			C_CLIENTS+=("$c")
			break
		}
	done
done
tc_=$SECONDS
specs=()
for c in "${C_CLIENTS[@]}"; do specs+=("$c $LL_PER"); done
run_clients hold "${specs[@]}" -- \
	-b 2048 -i 200 -c 3000 -t 8000 -H 3 -M 60000 "${PINS[@]}"
flowing() { # every client connected all its connections and completed 3 rounds on each
	local c
	for c in "${C_CLIENTS[@]}"; do
		grep -q "^# established $LL_PER/$LL_PER" "$LAB_DIR/hold.$c.json" &&
			grep -q '^# round 3' "$LAB_DIR/hold.$c.json" || return 1
	done
}
lab_wait 15 flowing || bail "20 long-lived connections established and flowing" \
	"$(for c in "${C_CLIENTS[@]}"; do echo "$c: $(tr '\n' ' ' <"$LAB_DIR/hold.$c.json")"; done)"
ok "20 long-lived connections flowing (${C_CLIENTS[*]}, first hops $(for c in "${C_CLIENTS[@]}"; do echo "${HOP[$c]}"; done | paste -sd' '))"

tk=$(date +%s%N)
lab_kill_xglbd r3 || bail "kill -9 of r3's xglbd"
lab_exec r3 ip link set eth0 down
lab_exec r3 ip link set eth1 down
lab_wait 10 lab_agree r1 r2 || not_ok "r1 and r2 agree after r3 died" \
	"r1: $(lab_jst r1 -c '.groups[0] | {version, role}')" "r2: $(lab_jst r2 -c '.groups[0] | {version, role}')"
lab_wait 10 steer_ready r1 r2 || not_ok "steering tables of r1 and r2 give r3's buckets to r1 and r2" \
	"r1: $(tables r1)" "r2: $(tables r2)"
conv=$((($(date +%s%N) - tk) / 1000000))
check "r3's vMAC moved to a survivor ($(lab_jst r1 '.groups[0].forwarders[2].owner_name')); survivors converged in $conv ms" \
	[ "$(lab_jst r1 '.groups[0].forwarders[2].owner_name')" != r3 ]
for p in "${RUN_PIDS[@]}"; do kill -USR1 "$p" 2>/dev/null; done
wait_clients
C=$(results hold "${C_CLIENTS[@]}")
c_n=$(jq length <<<"$C")
slot3=$(slot r3)
echo "# long-lived, r3 killed: $(jq -r --argjson s "$slot3" '
	[group_by(if .owner[0] == $s then "owned by r3" else "owned by r1/r2" end)[] |
	 "\(if .[0].owner[0] == $s then "owned by r3" else "owned by r1/r2" end): \(length) (" +
	 (group_by(.status) | map("\(.[0].status) \(length)") | join(", ")) + ")"] | join("; ")' <<<"$C");" \
	"phase took $((SECONDS - tc_)) s"
jq -r '.[] | "#   \(.client) sport \(.sport) hop \(.hop) owner r\(.owner[0] + 1): \(.status) after \(.rounds) rounds (\(.phase)) \(.err)"' <<<"$C"
check "long-lived: the routers agreed on every flow's owner before the kill" \
	[ "$(count "$C" '.owner[0] != .owner[1] or .owner[1] != .owner[2] or .owner[0] < 0')" = 0 -a "$c_n" = 20 ]
kept=$(jq --argjson s "$slot3" '[.[] | select(.owner[0] != $s)]' <<<"$C")
k_n=$(jq length <<<"$kept")
k_bad=$(jq -c '[.[] | select(.status != "ok")]' <<<"$kept")
k_via3=$(count "$kept" '.hop == "r3"')
k_via3_ok=$(count "$kept" '.hop == "r3" and .status == "ok"')
if [ "$k_n" -gt 0 ] && [ "$(jq length <<<"$k_bad")" = 0 ]; then
	ok "long-lived: all $k_n connections not owned by r3 carried on across its death (no reset, no timeout, every byte echoed, clean close)"
else
	not_ok "long-lived: every connection not owned by r3 carries on" "$k_n such, failed: $k_bad"
fi
if [ "$k_via3" -gt 0 ]; then
	check "long-lived: $k_via3_ok/$k_via3 of them whose first hop was r3 survived (vMAC takeover + steering to the owner)" \
		[ "$k_via3_ok" = "$k_via3" ]
else
	echo "# no connection with first hop r3 was owned by r1/r2 this run"
fi

echo "# fw drops after the kill: r1 $(fw_drops r1), r2 $(fw_drops r2) (invalid policy)"
echo "# total $((SECONDS - t0)) s"
t_done
