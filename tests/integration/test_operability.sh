#!/usr/bin/env bash
# test_operability.sh - every xglbctl command against a running 3-router membership group, with
# --json checked by jq: status (the same group view from every node), forwarders, hosts, stats,
# tables; move (--persistence 0/1/3 and the default), prefer, unpin, drain, undrain issued on
# NON-AVG nodes (carried to the AVG in hellos) and on the AVG, each planned move under 1000
# probes/s from the clients of the moving forwarders with zero lost in the network (the switch-over
# and the old owner's release both inside the probe; a probe dropped by the kernel at the test's
# own full UDP socket buffers - UdpRcvbufErrors, when the shared machine starves the probe - is
# counted and shown, not blamed on the routers); bad input (unknown command, bad node, bad
# forwarder, missing socket, daemon not running), each a one-line error on stderr and a non-zero
# exit. (reload: test_reload.sh.)
#
# Lab: r1 r2 r3 with equal priority (r3 is AVG: highest id; r2 standby), 4 forwarders owned
# r1,r2,r3,r2 (persistence 3), clients c1..c4 hold one vMAC each. The server's default route is
# r1, so the return path never changes.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
CLIENTS=(c1 c2 c3 c4)
HELLO=100
HOLD=1000 # a planned release lasts max(hold, 500 ms): the old owner keeps accepting that long
RATE=1000 # probe datagrams per second, per client
PROBE_S=3 # covers the command, the switch-over and the end of the release, with room to spare
PORT=9000


t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe
t_need_tools jq

# ---- xglbctl ---------------------------------------------------------------------

owners() { lab_view_full "$1" | sed 's/.*fwd=//; s#/[0-9]*/[0-9]*##g'; } # "r1,r2,r3,r2"
# "r1: VIEW | r2: VIEW | r3: VIEW" without versions, and the same with one view for all.
all_views() { local r; for r in "${ROUTERS[@]}"; do echo "$r: $(lab_view_full "$r" | sed 's/ v=[0-9]*//')"; done | paste -sd'|'; }
same_on_all() { local r; for r in "${ROUTERS[@]}"; do echo "$r: $1"; done | paste -sd'|'; }
# Every router's status shows this view (without version): "avg=r3 fwd=r1/1/3,...".
all_show() {
	local r
	for r in "${ROUTERS[@]}"; do
		[ "$(lab_view_full "$r" | sed 's/ v=[0-9]*//')" = "$1" ] || return 1
	done
	lab_agree "${ROUTERS[@]}"
}

# ---- probes --------------------------------------------------------------------------
# xglb_probe paces its sends with a busy poll (about a third of a CPU each): only the clients
# of the forwarders that move send, and nothing polls hard while they do.
declare -A PROBE_PID # client -> pid
# On a machine shared with other test runs the endpoints, not the routers, are what starves:
# the sender runs at nice -5, the echo (it blocks in poll, never spins) at SCHED_FIFO, so
# neither socket overflows while the CPUs are busy. loss_where shows such drops if they happen.
probe_start() { # tag client: RATE/s for PROBE_S s to the echo on the server
	lab_bg "$2" "$LAB_DIR/probe.$1.$2.json" nice -n -5 "$LAB_BUILD/tools/xglb_probe" send \
		"$LAB_SERVER_IP" "$PORT" "$RATE" "$PROBE_S" 500
	PROBE_PID[$2]=$LAB_BG_PID
}
probe_running() { kill -0 "${PROBE_PID[$1]}" 2>/dev/null; } # client
# Datagrams the kernel dropped because a box's UDP receive buffer was full (/proc/net/snmp of
# its namespace). On the server only the echo receives UDP, on a client only its probe: each
# such drop is a probe that crossed the routers both ways (client) or one way (server) and was
# lost at the test's own socket, not in the network.
rcvbuf_drops() { lab_exec "$1" cat /proc/net/snmp | awk '$1 == "Udp:" { if (h) { print $(h); exit } for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") h = i }'; }
probe_get() { jq -r ".$3 // empty" "$LAB_DIR/probe.$1.$2.json" 2>/dev/null; } # tag client field
fwd_rose() { [ "$(lab_fwd_packets "$1" "$2")" -ge "$3" ]; } # router index at-least
view_is() { [ "$(lab_view_full "$1" | sed 's/ v=[0-9]*//')" = "$2" ]; } # router, view without version
# Forwarder FWD is no longer local in ROUTER's active table (its release is over).
released() { [ "$(lab_ctl "$1" --json tables | jq ".groups[0].forwarders[$2].local")" = false ]; }

# planned WHAT ISSUER WANT_VIEW WANT_DP FWDS ARGS...: run "xglbctl ARGS" on ISSUER while the
# clients of the forwarders FWDS (the ones that move) probe at RATE/s; every node must come to
# show WANT_VIEW, the old owners must finish their release while the probes still run, nothing
# may be lost, the new owners must have forwarded the traffic, the data planes end as WANT_DP.
planned() {
	local what=$1 issuer=$2 want_view=$3 want_dp=$4 fwds=$5 tag f c r old new base t_cmd
	local lost=0 switched=yes detail=() info=() newp=() l x p
	shift 5
	tag=step$((++STEP))
	for f in $fwds; do
		old=$(owners r1 | cut -d, -f$((f + 1)))
		new=$(sed 's/.*fwd=//' <<<"$want_view" | cut -d, -f$((f + 1)) | cut -d/ -f1)
		newp+=("$f:$old:$new:$(lab_fwd_packets "$new" "$f")")
	done
	local srv0 cli0
	srv0=$(rcvbuf_drops server)
	cli0=$(($(for f in $fwds; do rcvbuf_drops "${CL[$f]}"; done | paste -sd+)))
	for f in $fwds; do probe_start "$tag" "${CL[$f]}"; done
	local t_probe
	t_probe=$(date +%s%N)
	for x in "${newp[@]}"; do # traffic flows through the current owners before the command
		IFS=: read -r f old new base <<<"$x"
		base=$(lab_fwd_packets "$old" "$f")
		lab_wait 3 fwd_rose "$old" "$f" $((base + 100)) ||
			not_ok "$what: probes flow through $old (fwd $f) before the command"
	done
	local arp0 arp1
	arp0=$(lab_arp_counter req_bcast)
	t_cmd=$(date +%s%N)
	info+=("command issued $(((t_cmd - t_probe) / 1000000)) ms into the ${PROBE_S} s probe")
	lab_xglbctl "$issuer" "$@"
	[ "$RC" = 0 ] || not_ok "$what: xglbctl $* on $issuer exits 0" "exit $RC: $ERR"
	LAST_OUT=$OUT
	for r in "${ROUTERS[@]}"; do
		lab_wait 5 view_is "$r" "$want_view" || not_ok "$what: $r shows '$want_view'" "$(lab_views)"
	done
	info+=("all nodes show the new state $((($(date +%s%N) - t_cmd) / 1000000)) ms after the command")
	for x in "${newp[@]}"; do
		IFS=: read -r f old new base <<<"$x"
		lab_wait 5 released "$old" "$f" || not_ok "$what: $old releases fwd $f"
	done
	info+=("old owners released $((($(date +%s%N) - t_cmd) / 1000000)) ms after the command")
	for f in $fwds; do probe_running "${CL[$f]}" || switched=no; done
	for f in $fwds; do
		c=${CL[$f]}
		wait "${PROBE_PID[$c]}" 2>/dev/null
		l=$(probe_get "$tag" "$c" lost)
		detail+=("$c (fwd $f): $(tail -n 1 "$LAB_DIR/probe.$tag.$c.json")")
		[ "$l" = 0 ] || lost=$((lost + ${l:-1}))
	done
	arp1=$(lab_arp_counter req_bcast)
	local drops netlost srvd clid
	srvd=$(($(rcvbuf_drops server) - srv0))
	clid=$(($(for f in $fwds; do rcvbuf_drops "${CL[$f]}"; done | paste -sd+) - cli0))
	drops=$((srvd + clid))
	netlost=$((lost - drops))
	info+=("lost $lost, of which $drops dropped by the kernel at the test's own full UDP socket buffers (UdpRcvbufErrors: echo $srvd, probes $clid): $netlost lost in the network")
	if [ "$netlost" = 0 ] && [ "$drops" -le "$lost" ] && [ "$switched" = yes ]; then
		ok "$what: zero lost in the network of $((RATE * PROBE_S)) probes from the clients of fwd $fwds, switch-over and release while probing"
		printf '#   %s\n' "${info[@]}" "${detail[@]}"
	else
		not_ok "$what: zero lost probes, switch-over and release while probing (inside: $switched)" \
			"${info[@]}" "${detail[@]}" "$(loss_where)"
	fi
	check_eq "$what: no host had to ARP for the gateway again (broadcast ARP requests for the VIP at the switch, from the command on)" \
		"+$((arp1 - arp0))" "+0"
	for x in "${newp[@]}"; do
		IFS=: read -r f old new base <<<"$x"
		p=$(lab_fwd_packets "$new" "$f")
		check "$what: new owner $new forwarded fwd $f's traffic ($base -> $p packets)" \
			[ "$((p - base))" -ge $((RATE / 2)) ]
	done
	lab_wait 5 lab_agree "${ROUTERS[@]}" || not_ok "$what: the nodes agree afterwards" "$(lab_views)"
	check_eq "$what: data planes: each vMAC local on exactly its owner" "$(lab_dp_owners "${ROUTERS[@]}")" "$want_dp"
}
# Where a lost probe may have gone: drops the kernel counted (for a failure's details).
loss_where() {
	local b
	{
		for b in server "${ROUTERS[@]}" "${CLIENTS[@]}"; do
			echo "$b: $(lab_exec "$b" nstat -azs 2>/dev/null | awk '/UdpRcvbufErrors|UdpInErrors|IpOutNoRoutes|IpInDiscards/ && $2 > 0 {printf "%s=%s ", $1, $2}')" \
				"$(lab_exec "$b" ip -s -j link show dev eth0 2>/dev/null | jq -r '.[0].stats64 | "rx_dropped=\(.rx.dropped) tx_dropped=\(.tx.dropped)"')"
		done
		for b in lan srv; do
			echo "switch $b: $(lab_exec "$b" ip -s -j link show 2>/dev/null | jq -r '[.[] | select(.stats64.rx.dropped + .stats64.tx.dropped > 0) | "\(.ifname) rx_dropped=\(.stats64.rx.dropped) tx_dropped=\(.stats64.tx.dropped)"] | join(" ")')"
		done
	} | paste -sd';'
}

# ---- lab ----------------------------------------------------------------------------
lab_setup "${ROUTERS[@]}" -- "${CLIENTS[@]}"
lab_start_all membership=1 owners=r1,r2,r3,r2 persistence=3 hello_ms=$HELLO hold_ms=$HOLD ||
	bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 10 lab_agree "${ROUTERS[@]}" || bail "r1 r2 r3 agree on one group state" "$(lab_views)"
ok "xglbd ready on r1 r2 r3, one group state"

# ---- status: this node, and the whole group from any node -------------------------
for r in "${ROUTERS[@]}"; do
	lab_xglbctl "$r" --json status
	check_eq "status --json on $r: exit 0, node $r, membership mode, 3 peers up, 4 forwarders" \
		"$RC $(jq -r '"\(.node.name) \(.mode) \([.groups[0].peers[] | select(.up)] | length) \(.groups[0].forwarders | length)"' <<<"$OUT")" \
		"0 $r membership 3 4"
done
check_eq "status: every node reports the same AVG, state version and forwarders" \
	"$(lab_view_full r1)|$(lab_view_full r2)" "$(lab_view_full r3)|$(lab_view_full r3)"
check_eq "status: r3 is AVG (equal priority, highest id), forwarders with their configured owners" \
	"$(lab_view_full r2 | sed 's/ v=[0-9]*//')" "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3"
check_eq "status: roles avg on r3, standby on r2, listen on r1 (each node about itself)" \
	"$(lab_jst r1 .groups[0].role) $(lab_jst r2 .groups[0].role) $(lab_jst r3 .groups[0].role)" "listen standby avg"
lab_xglbctl r1 status
check "status (text) on r1: node line, group line with the AVG, a row per forwarder" \
	bash -c '[ "$1" = 0 ] && grep -q "^node r1 (id 1" <<<"$2" && grep -q "avg r3" <<<"$2" &&
		[ "$(grep -cE "^  [0-3] +02:78:67:62:01:0[0-3] " <<<"$2")" = 4 ]' _ "$RC" "$OUT"

# ---- forwarders -------------------------------------------------------------------
lab_xglbctl r2 --json forwarders
check_eq "forwarders --json on r2: 4 forwarders of group 1, owner, preferred, persistence, active" \
	"$RC $(jq -c '[.[] | "\(.group)/\(.index)/\(.vmac)/\(.owner_name)/\(.preferred)/\(.persistence)/\(.active)"]' <<<"$OUT")" \
	'0 ["1/0/02:78:67:62:01:00/r1/1/3/true","1/1/02:78:67:62:01:01/r2/2/3/true","1/2/02:78:67:62:01:02/r3/3/3/true","1/3/02:78:67:62:01:03/r2/2/3/true"]'
lab_xglbctl r2 forwarders
check "forwarders (text): a header and 4 rows, state active" \
	bash -c '[ "$1" = 0 ] && head -n1 <<<"$2" | grep -q "^GROUP" && [ "$(grep -cE "^1 +[0-3] .* active " <<<"$2")" = 4 ]' \
	_ "$RC" "$OUT"

# ---- hosts: the AVG hands out the vMACs -------------------------------------------
lab_arp_counters_init
lab_echo_start server "$PORT" chrt -f 10 || bail "echo listens on the server"
lab_vmac_clients "${CLIENTS[@]}" || bail "c1..c4 got the 4 vMACs" "$LAB_ERR"
declare -n CL=LAB_CL # forwarder index -> client
ok "c1..c4 hold one vMAC each: fwd0 ${CL[0]}, fwd1 ${CL[1]}, fwd2 ${CL[2]}, fwd3 ${CL[3]}"

lab_xglbctl r3 --json hosts
want=$(for c in "${CLIENTS[@]}"; do
	m=$(lab_neigh_mac "$c")
	echo "1/$(lab_mac "$c" eth0)/$((16#${m##*:}))/$m"
done | sort | paste -sd' ')
check_eq "hosts --json on the AVG r3: each client's MAC -> the forwarder and vMAC it holds" \
	"$RC $(jq -r '[.[] | "\(.group)/\(.mac)/\(.forwarder)/\(.vmac)"] | sort | join(" ")' <<<"$OUT")" "0 $want"
check "hosts: ages are recent (0 <= age_ms < 30000)" \
	jq -e 'length == 4 and all(.[]; .age_ms >= 0 and .age_ms < 30000)' <<<"$OUT" >/dev/null
lab_xglbctl r1 --json hosts
check_eq "hosts --json on r1 (not AVG, answered nobody): empty" "$RC $(jq -c . <<<"$OUT")" "0 []"
lab_xglbctl r3 hosts
check "hosts (text): a header and 4 rows" \
	bash -c '[ "$1" = 0 ] && [ "$(grep -cE "^1 +02:00:0a:00:00:6[5-8] +[0-3] +02:78:67:62:01:0[0-3] +[0-9]+ +ipv4 +10\.0\.0\.10[1-4]$" <<<"$2")" = 4 ]' \
	_ "$RC" "$OUT"

# status counts the table off the event loop, within a second or so
# shellcheck disable=SC2317 # called through lab_wait
counted4() { [ "$(lab_jst r3 '"\(.host_table.entries) \(.groups[0].hosts)"')" = "4 4" ]; }
lab_wait 10 counted4 || not_ok "status on r3 counts the 4 hosts (host_table.entries, the group's hosts)" \
	"$(lab_jst r3 -c .host_table)"
check_eq "status on r1 (not AVG): no hosts, and a count" \
	"$(lab_jst r1 '"\(.host_table.entries) \(.groups[0].hosts) \(.host_table.counts > 0)"')" "0 0 true"
lab_xglbctl r3 status
check "status (text) on r3: the host table line and the group's hosts" \
	bash -c '[ "$1" = 0 ] && grep -qE "^host table 4 of [0-9]+ entries \(counted [0-9.]+ s ago" <<<"$2" &&
		grep -qE "^group 1 .* hosts 4$" <<<"$2"' _ "$RC" "$OUT"

# ---- stats and tables ---------------------------------------------------------------
for r in "${ROUTERS[@]}"; do
	lab_xglbctl "$r" --json stats
	mine=$(jq -r --arg r "$r" '[.groups[0].forwarders[] | select(.owner_name == $r) | .index] | map(tostring) | join(",")' \
		<<<"$(lab_status "$r")")
	check_eq "stats --json on $r: reasons by name, 4 forwarders, local exactly on the ones it owns ($mine)" \
		"$RC $(jq -r '"\(.reasons | has("xdp_pass_vmac") and has("xdp_tx_arp_reply") and has("tc_egress_pass")) \(.forwarders | length) \([.forwarders[] | select(.local) | .index] | map(tostring) | join(","))"' <<<"$OUT")" \
		"0 true 4 $mine"
done
lab_xglbctl r3 --json stats
check "stats: the AVG r3 answered the clients' ARP (xdp_tx_arp_reply >= 4)" \
	jq -e '.reasons.xdp_tx_arp_reply >= 4' <<<"$OUT" >/dev/null
check "stats: forwarded frames counted per forwarder (fwd2 on r3 > 0)" \
	jq -e '.forwarders[2].packets > 0 and .forwarders[2].bytes > 0' <<<"$OUT" >/dev/null
lab_xglbctl r3 stats
check "stats (text): reasons and a forwarder table" \
	bash -c '[ "$1" = 0 ] && grep -qE "^xdp_pass_vmac +[0-9]+$" <<<"$2" && [ "$(grep -cE "^1 +[0-3] +02:78:67:62:01:0" <<<"$2")" = 4 ]' \
	_ "$RC" "$OUT"

v=$(lab_jst r3 .groups[0].version)
for r in "${ROUTERS[@]}"; do
	lab_xglbctl "$r" --json tables
	check_eq "tables --json on $r: VIP, AVG flag (r3 only), state version $v, owner ids, heartbeat fresh" \
		"$RC $(jq -r '"\(.active_bank < 2) \(.heartbeat_age_ms < .lease_ms) \(.lease_ms) \(.groups | length) \(.groups[0].vip) \(.groups[0].avg) \(.groups[0].version) \([.groups[0].forwarders[] | .owner] | map(tostring) | join(","))"' <<<"$OUT")" \
		"0 true true 3000 1 $LAB_VIP $([ "$r" = r3 ] && echo true || echo false) $v 1,2,3,2"
done
lab_xglbctl r1 tables
check "tables (text): bank line and a row per forwarder" \
	bash -c '[ "$1" = 0 ] && grep -q "^active bank [01]" <<<"$2" && [ "$(grep -cE "^  [0-3] +02:78:67:62:01:0" <<<"$2")" = 4 ]' \
	_ "$RC" "$OUT"

# ---- planned moves: issued on non-AVG nodes, zero lost ------------------------------
STEP=0
planned "move 3 r3 --persistence 0 (issued on r1, not AVG): fwd3 r2 -> r3" r1 \
	"avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r3/3/0" "r1,r2,r3,r3" 3 move 3 r3 --persistence 0 --json
check_eq "move on a non-AVG node answers: ok, not applied here, sent in hellos" \
	"$(jq -c '[.ok, .applied, .via]' <<<"$LAST_OUT")" '[true,false,"sent to the group in hellos"]'

planned "move 3 r1 --persistence 1 (issued on r2): fwd3 r3 -> r1" r2 \
	"avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/1/1" "r1,r2,r3,r1" 3 move 3 r1 --persistence 1

planned "move 1 r3 --persistence 3 (issued on r1): fwd1 r2 -> r3" r1 \
	"avg=r3 fwd=r1/1/3,r3/3/3,r3/3/3,r1/1/1" "r1,r3,r3,r1" 1 move 1 r3 --persistence 3

planned "prefer 1 r2 (issued on r1): persistence 3 takes fwd1 back to its preferred r2" r1 \
	"avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/1/1" "r1,r2,r3,r1" 1 prefer 1 r2

lab_xglbctl r2 prefer 3 r2
check_eq "prefer 3 r2 (issued on r2): exit 0" "$RC" 0
lab_wait 5 all_show "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/2/1"
check_eq "prefer on a persistence-1 forwarder: preferred is r2 everywhere, the owner stays r1" \
	"$(all_views)" "$(same_on_all "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/2/1")"

lab_xglbctl r1 unpin 3
check_eq "unpin 3 (issued on r1): exit 0, one line" "$RC $(grep -c '' <<<"$OUT")" "0 1"
lab_wait 5 all_show "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/2/0"
check_eq "unpin: fwd3 has persistence 0 on every node (owner r1: the spread is already even)" \
	"$(all_views)" "$(same_on_all "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/2/0")"

lab_xglbctl r2 prefer 3 none
check_eq "prefer 3 none (issued on r2): exit 0" "$RC" 0
lab_wait 5 all_show "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/0/0"
check_eq "prefer none: fwd3 has no preferred owner on every node, stays with r1" \
	"$(all_views)" "$(same_on_all "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r1/0/0")"
lab_xglbctl r1 --json forwarders
check_eq "forwarders --json: the seed's terms next to ours (current host, preferred host, persistence flag)" \
	"$(jq -c '[.[] | "\(.owner_name)=\(.current_host)/\(.preferred_name)=\(.preferred_host)/\(.persistence)=\(.persistence_flag) \(.persistence_meaning)"]' <<<"$OUT")" \
	'["r1=r1/r1=r1/3=3 sticky-preferred","r2=r2/r2=r2/3=3 sticky-preferred","r3=r3/r3=r3/3=3 sticky-preferred","r1=r1/none=none/0=0 movable"]'
lab_xglbctl r1 forwarders
check "forwarders (text): seed terms under ours, fwd3 with preferred host none, movable" \
	bash -c 'grep -q "(current host) *(preferred host) *(persistence flag)" <<<"$1" &&
		grep -qE "^1 +3 +02:78:67:62:01:03 +r1 +none +0 movable " <<<"$1"' _ "$OUT"

planned "move 3 r2 (default persistence, issued on the AVG r3): fwd3 r1 -> r2" r3 \
	"avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3" "r1,r2,r3,r2" 3 move 3 r2 --json
check_eq "move on the AVG answers: ok, applied by this node" \
	"$(jq -c '[.ok, .applied, .via]' <<<"$LAST_OUT")" '[true,true,"this node"]'

# ---- drain / undrain ------------------------------------------------------------------
# r2 drained: its forwarders go to the least loaded survivors (r1 first: lowest id), it stops
# being standby; the forwarders keep r2 as preferred owner and return on undrain.
planned "drain r2 (issued on r1): fwd1 -> r1, fwd3 -> r3" r1 \
	"avg=r3 fwd=r1/1/3,r1/2/3,r3/3/3,r3/2/3" "r1,r1,r3,r3" "1 3" drain r2
check_eq "drain: r2 reports itself drained, priority 0, weight 0" \
	"$(lab_jst r2 '"\(.node.drained) \(.node.priority) \(.node.weight)"')" "true 0 0"
check_eq "drain: the AVG sees r2 up with priority 0 and weight 0; r1 is standby now" \
	"$(lab_jst r3 '.groups[0] | "\(.peers[] | select(.name == "r2") | "\(.up) \(.priority) \(.weight)") standby=\(.standby)"')" \
	"true 0 0 standby=1"

planned "undrain r2 (issued on the AVG r3 for r2): fwd1 and fwd3 return to r2" r3 \
	"avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3" "r1,r2,r3,r2" "1 3" undrain r2
check_eq "undrain: r2 is not drained, priority 100, weight 100, standby again" \
	"$(lab_jst r2 '"\(.node.drained) \(.node.priority) \(.node.weight) \(.groups[0].role)"')" "false 100 100 standby"

# Draining the AVG: the role goes to the standby r2, fwd2 to the least loaded node (r1).
planned "drain r3 (issued on r3, the AVG): AVG -> r2, fwd2 -> r1" r3 \
	"avg=r2 fwd=r1/1/3,r2/2/3,r1/3/3,r2/2/3" "r1,r2,r1,r2" 2 drain r3 --json
check_eq "drain of this node answers: applied by this node" \
	"$(jq -c '[.ok, .applied]' <<<"$LAST_OUT")" '[true,true]'
check_eq "drained AVG: roles r1 standby, r2 avg, r3 listen" \
	"$(lab_jst r1 .groups[0].role) $(lab_jst r2 .groups[0].role) $(lab_jst r3 .groups[0].role)" "standby avg listen"

planned "undrain r3 (issued on r1): r3 preempts the AVG role, fwd2 returns to r3" r1 \
	"avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3" "r1,r2,r3,r2" 2 undrain r3
check_eq "through all the moves no ARP on the segment named the VIP with a router's real MAC" \
	"$(lab_arp_counter vip_real)" 0
check_eq "the group is back where it started, same view on every node" \
	"$(lab_view_full r1 | sed 's/ v=[0-9]*//')|$(lab_agree "${ROUTERS[@]}" && echo agree)" "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3|agree"

# ---- bad input ------------------------------------------------------------------------
lab_xglbctl r1 frobnicate
check_one_line_error "unknown command" "unknown command 'frobnicate'"
lab_xglbctl r1 status --frobnicate
check_one_line_error "unknown option after the command" "unknown option '--frobnicate'"
lab_xglbctl r1 --frobnicate status
check_one_line_error "unknown option before the command" "unknown option '--frobnicate'"
lab_xglbctl r1 --group 0 status
check_one_line_error "--group 0 before the command" "--group takes a group id 1-255"
lab_xglbctl r1 status --group
check_one_line_error "--group without a value" "--group needs a value"
lab_xglbctl r1 --group "$LAB_GID" --json status
check_eq "--group and --json before the command are taken: status --json of group $LAB_GID" \
	"$RC $(jq -r '.groups[0].id' <<<"$OUT" 2>/dev/null)" "0 $LAB_GID"
v_before=$(lab_view_full r3)
lab_xglbctl r1 move 1 nosuchnode
check_one_line_error "move 1 nosuchnode (bad node name)" "no node named 'nosuchnode'"
lab_xglbctl r3 drain nosuchnode
check_one_line_error "drain nosuchnode on the AVG" "no node named 'nosuchnode'"
lab_xglbctl r1 move 9 r1
check_one_line_error "move 9 r1 (the group has forwarders 0..3)" "no forwarder 9"
lab_xglbctl r1 unpin 16
check_one_line_error "unpin 16 (not a forwarder index)" "'16' is not a forwarder index"
lab_xglbctl r1 move x r1
check_one_line_error "move x r1 (not a number)" "'x' is not a forwarder index"
lab_xglbctl r1 move 1
check_one_line_error "move 1 (missing node)" "usage: xglbctl move FORWARDER NODE"
lab_xglbctl r1 move 1 r2 --persistence 2
check_one_line_error "move --persistence 2" "--persistence takes 0, 1 or 3"
check_eq "rejected commands changed nothing" "$(lab_view_full r3)" "$v_before"
lab_xglbctl_raw --socket /nonexistent/xglbd.sock status
check_one_line_error "--socket /nonexistent/xglbd.sock status (socket missing)" "/nonexistent/xglbd.sock: no such socket"
lab_xglbctl_raw --socket /nonexistent/xglbd.sock move 1 r1
check_one_line_error "move with the socket missing" "no such socket"

# ---- hostile requests on the control socket ----------------------------------------------
# ctl.py SOCKET MODE ...: raw requests, as a careless or hostile local client would send them.
#   send BYTES [shut]  send BYTES (Python escapes), half-close if "shut"; print the reply line
#                      (and on stderr the seconds it took)
#   idle N -- CMD...   hold N connections that send nothing; meanwhile run CMD (xglbctl
#                      status); print its exit status, seconds and node name, then each idle
#                      client's reply
cat >"$LAB_DIR/ctl.py" <<'PY'
import socket, subprocess, sys, time, json
sock, mode = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(6)
    s.connect(sock)
    return s
def line(s):
    buf = b""
    try:
        while not buf.endswith(b"\n"):
            b = s.recv(4096)
            if not b:
                break
            buf += b
    except socket.timeout:
        return '{"error":"(no reply within 6 s)"}'
    return buf.decode(errors="replace").rstrip("\n") or '{"error":"(closed without a reply)"}'
if mode == "send":
    s = conn()
    s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
    if len(sys.argv) > 4 and sys.argv[4] == "shut":
        s.shutdown(socket.SHUT_WR)
    t0 = time.monotonic()
    print(line(s))
    print("%.1f" % (time.monotonic() - t0), file=sys.stderr)
elif mode == "idle":
    idle = [conn() for _ in range(int(sys.argv[3]))]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, timeout=10)
    took = time.monotonic() - t0
    name = json.loads(r.stdout or b"{}").get("node", {}).get("name") if r.returncode == 0 else None
    print(r.returncode, "%.1f" % took, name)
    for s in idle:
        print(line(s))
PY
ctl() { python3 "$LAB_DIR/ctl.py" "$LAB_DIR/r1.sock" "$@" 2>"$LAB_DIR/ctl.time"; }
ctl_error() { ctl send "$1\n" | jq -r '.error // "no error: \(.)"'; }
for c in drain undrain; do
	check_eq "{\"command\":\"$c\",\"node\":null} gets a type error, not a crash" \
		"$(ctl_error "{\"command\":\"$c\",\"node\":null}")" "node: must be a node name (a string), not null"
done
for c in move prefer; do
	check_eq "{\"command\":\"$c\",\"forwarder\":1,\"node\":null} gets a type error" \
		"$(ctl_error "{\"command\":\"$c\",\"forwarder\":1,\"node\":null}")" "node: must be a node name (a string), not null"
done
check_eq "\"persistence\": null is a type error, not persistence 0" \
	"$(ctl_error '{"command":"move","forwarder":1,"node":"r1","persistence":null}')" \
	"persistence: must be an integer 0..3, not null"
check_eq "\"forwarder\": \"1\" (a string) is a type error" \
	"$(ctl_error '{"command":"unpin","forwarder":"1"}')" "forwarder: must be an integer 0..15, not a string"
check_eq "a NUL byte in the request is an error naming its position" \
	"$(ctl_error '{"command":"status"}\x00{"command":"reload"}')" "request: byte 21 is a NUL"
check_eq "a request closed without a newline gets an error at once" \
	"$(ctl send '{"command":"status"}' shut | jq -r .error)" "request: ends without a newline"
reply=$(ctl send '{"command":"status"}')
check_eq "a request without a newline, connection held open: an error at the 2 s deadline" \
	"$(jq -r .error <<<"$reply") $(awk '{print ($1 >= 1.5 && $1 <= 4) ? "in-time" : $1 " s"}' "$LAB_DIR/ctl.time")" \
	"request: no complete line within 2000 ms in-time"
check_eq "4097 bytes without a newline are refused" \
	"$(ctl send "$(printf '%*s' 4097 '' | tr ' ' x)" | jq -r .error)" "request: no newline within the first 4096 bytes"
mapfile -t idle < <(python3 "$LAB_DIR/ctl.py" "$LAB_DIR/r1.sock" idle 8 -- \
	ip netns exec "$(lab_ns r1)" "$LAB_BUILD/xglbctl" --socket "$LAB_DIR/r1.sock" --json status)
check_eq "eight idle clients do not lock out status: it answers within 1 s" \
	"$(awk '{print $1, ($2 < 1 ? "fast" : $2 " s"), $3}' <<<"${idle[0]:-}")" "0 fast r1"
check_eq "the idle clients are closed with a one-line error (one made room, seven timed out)" \
	"$(printf '%s\n' "${idle[@]:1}" | jq -r .error | sort | uniq -c | awk '{$1=$1; print}' | paste -sd';')" \
	"1 request: closed to make room for another client;7 request: no complete line within 2000 ms"
check "r1's xglbd survived every request above" lab_xglbd_running r1
check_eq "refused requests changed nothing" "$(lab_view_full r3)" "$v_before"
lab_xglbctl r1 --json status
check_eq "the refusals are counted in status (malformed, too long, no newline, timeout, evicted)" \
	"$(jq -c '.requests_refused.control' <<<"$OUT")" \
	'{"malformed":7,"too_long":1,"no_newline":1,"timeout":8,"evicted":1}'

# Daemon not running: kill -9 leaves the socket file with nobody listening.
lab_kill_xglbd r2 || bail "kill -9 of r2's xglbd"
check "after kill -9 of r2's xglbd its socket file is still there" test -S "$LAB_DIR/r2.sock"
lab_xglbctl r2 status
check_one_line_error "status against a socket whose daemon is dead" "r2.sock: nobody listening"
lab_xglbctl r2 drain r2
check_one_line_error "drain against a socket whose daemon is dead" "nobody listening"
lab_stop_xglbd r3
check_eq "SIGTERM stops r3's xglbd (exit 0) and removes its socket" \
	"$? $([ -e "$LAB_DIR/r3.sock" ] && echo present || echo gone)" "0 gone"
lab_xglbctl r3 status
check_one_line_error "status against a daemon stopped by SIGTERM" "r3.sock: no such socket"

lab_stop_xglbd r1 5
t_done
