#!/usr/bin/env bash
# test_loadbalance.sh - load-aware balancing on real traffic (load-max-share-pct): a node that
# carries more than the max share of the bytes, counted both ways (to the vMAC and back to its
# hosts), sheds forwarders until the shares converge, within a stated time, without flapping,
# and without losing a datagram on the moves.
#
# 2 routers (equal priority: r2 is AVG), 4 forwarders of persistence 0, owners r1,r2,r1,r2.
# Each router masquerades what it forwards to the server segment, so the server's replies come
# back through the router that forwarded the request: the router that owns a client's
# forwarder carries the client's traffic both ways. Clients c1..c4, one per forwarder, send
# sequence-numbered UDP datagrams (xglb_probe) to an echo on the server that answers each with
# a larger datagram: the clients of r1's forwarders at HEAVY/s, the others at LIGHT/s, so r1
# carries ~90 % of the bytes, most of them on the way back to the hosts.
#
# What must happen, with hold HOLD ms (a load period is 5 holds, the hysteresis window 3 load
# periods): within CONVERGE_S seconds of the traffic's start no node carries more than PCT % of
# the bytes (the AVG's own measurement and the traffic the probes offered agree); then nothing
# moves any more; no forwarder moves twice within the window (the AVG's balance_moves and
# balanced_ms, and every owner change seen by polling); xglb_rebalances_total counts the
# moves; no datagram is lost.
#
# The lab is dual-stack (LAB_IPV6=1, RAs) and the policy weighted, so the load-aware weights
# choose new hosts' forwarders (with equal weights it hands c1..c4 one each, as round-robin
# would). While r1 is above the max share (its forwarders' weights scaled by max/share in the
# AVG's table), a new IPv6 host (c5, c6, c7: one more if the weights or the pick counter
# changed under the check) resolves the virtual link-local by NDP: the NA names the forwarder the AVG's
# scaled slot table gives its next pick (the xglb_rr counter, read with bpftool; the smooth
# weighted round-robin of user/lib/tables.c), and the AVG's host table has it there by NDP
# (xdp_tx_na_reply). After the moves, c1..c4 (dual-stack) resolve the virtual link-local to the
# vMAC they got by ARP, and /metrics counts the hosts by family.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2)
HELLO=100
HOLD=500
PCT=60
PERIOD_MS=$((5 * HOLD))       # load evaluation period (group.c)
WINDOW_MS=$((3 * PERIOD_MS))  # hysteresis window (XGLB_BALANCE_HOLD_PERIODS load periods)
CONVERGE_S=$((3 * PERIOD_MS / 1000 + 1)) # stated: within 3 load periods (+1 s of hellos)
TRAFFIC_S=22                  # > convergence + one whole window of quiet
HEAVY=1500                    # datagrams/s of the clients of r1's forwarders
LIGHT=150
REQ=400                       # bytes of each request (UDP payload)
REPLY=1000                    # bytes of each answer
PORT=9000

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe
t_need_tools nft jq curl ndisc6 bpftool python3

LAB_IPV6=1
lab_setup "${ROUTERS[@]}" -- c1 c2 c3 c4 c5 c6 c7
for r in "${ROUTERS[@]}"; do
	lab_exec "$r" nft -f - <<EOF || bail "masquerade on $r"
table ip xglb_lb_nat {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		oifname "eth1" masquerade
	}
}
EOF
	cfg=$(lab_write_config "$r" membership=1 owners=r1,r2,r1,r2 persistence=0 hello_ms=$HELLO \
		hold_ms=$HOLD load_pct=$PCT policy=weighted ipv6=1)
	lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
ok "xglbd ready on r1 r2 (hello $HELLO ms, hold $HOLD ms: load period $PERIOD_MS ms, hysteresis window $WINDOW_MS ms; load-max-share-pct $PCT)"
lab_wait 10 lab_agree r1 r2 || bail "routers agree on one state" "r1: $(lab_view r1)" "r2: $(lab_view r2)"
check_eq "r2 is AVG; owners r1,r2,r1,r2" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r2 owners=r1,r2,r1,r2"

lab_bg server "$LAB_DIR/echo.server.log" chrt -f 10 "$LAB_BUILD/tools/xglb_probe" echo "$PORT" 0 "$REPLY"
lab_wait 5 _lab_udp_listens server "$PORT" || bail "echo listens on the server"
lab_vmac_clients c1 c2 c3 c4 || bail "the 4 clients got the 4 vMACs" "$LAB_ERR"
declare -n CL=LAB_CL # forwarder index -> client
ok "one vMAC each: fwd0 ${CL[0]}, fwd1 ${CL[1]}, fwd2 ${CL[2]}, fwd3 ${CL[3]}"

# ---- status of the AVG ------------------------------------------------------------------
avg_fwd() { lab_jst r2 "[.groups[0].forwarders[] | $1] | map(tostring) | join(\" \")"; }
owners() { lab_owners_of r2; }
# The share of the bytes (percent) each router carries by the AVG's last measurement.
shares() {
	lab_jst r2 '.groups[0].forwarders as $f | ($f | map(.load_bytes_per_s) | add) as $t |
		if $t == 0 then "0 0" else
		[("r1", "r2") as $r | ($f | map(select(.owner_name == $r) | .load_bytes_per_s) | add // 0) * 100 / $t | floor]
		| map(tostring) | join(" ") end'
}
converged() {
	local s
	s=$(shares)
	[ "$s" != "0 0" ] && [ "${s% *}" -le "$PCT" ] && [ "${s#* }" -le "$PCT" ]
}
rebalances_metric() {
	lab_exec r2 curl -s --max-time 2 http://127.0.0.1:9867/metrics |
		awk '$1 ~ /^xglb_rebalances_total/ { s += $2 } END { print s + 0 }'
}

# ---- IPv6 hosts and the load-aware weights ------------------------------------------------
# The forwarder the AVG's data plane gives its next new host: xglb_build_slots
# (user/lib/tables.c) over its table's weights, at the xglb_rr counter (pick_forwarder).
cat >"$LAB_DIR/nextpick.py" <<'PY'
import json, math, sys
tables, rr = json.loads(sys.argv[1]), json.loads(sys.argv[2])
g = next(x for x in tables['groups'] if x['id'] == int(sys.argv[3]))
v = rr['value']
rr = v if isinstance(v, int) else int.from_bytes(bytes(int(b, 16) for b in v[:4]), 'little')
w = [f['weight'] if f['active'] and f['new_ok'] and f['weight'] > 0 else 0 for f in g['forwarders']]
if g['policy'] == 'round-robin':
    w = [1 if x else 0 for x in w]
d = 0
for x in w:
    d = math.gcd(d, x)
w = [x // d for x in w] if d else w
total = sum(w)
if total > 256:  # largest remainder, every forwarder keeps one
    rem, s = [0] * len(w), 0
    for i, x in enumerate(w):
        if x:
            q = x * 256 // total
            w[i], rem[i] = (q, x * 256 % total) if q else (1, 0)
            s += w[i]
    while s > 256:
        big = -1
        for i in range(len(w)):
            if w[i] > 1 and (big < 0 or w[i] > w[big]):
                big = i
        w[big] -= 1
        s -= 1
    while s < 256:
        best = -1
        for i in range(len(w)):
            if w[i] and (best < 0 or rem[i] > rem[best]):
                best = i
        w[best] += 1
        rem[best] = 0
        s += 1
    total = s
cur, slots = [0] * len(w), []
for n in range(total):  # smooth weighted round-robin
    best = -1
    for i, x in enumerate(w):
        if x:
            cur[i] += x
            if best < 0 or cur[i] > cur[best]:
                best = i
    cur[best] -= total
    slots.append(best)
print(slots[rr % total] if total else -1, total, g['slots'], rr,
      ','.join(str(f['weight']) for f in g['forwarders']))
PY
avg_tables() { lab_ctl r2 --json tables; }
avg_rr() { bpftool -j map lookup pinned "$(lab_get r2 pin_root)/xglb_rr" key "$LAB_GID" 0 0 0; }
# weights in the AVG's data plane, "w0,w1,w2,w3"
dp_weights() { avg_tables | jq -r '.groups[0].forwarders | map(.weight | tostring) | join(",")'; }
# ndisc6 from a client: the vMAC its one NA for the virtual link-local names ("" none).
ndisc_ll6() {
	lab_exec "$1" ndisc6 -m -n -r 1 -w 1000 "$LAB_LL6" eth0 2>&1 |
		awk '/Target link-layer address/ {print tolower($NF)}' | paste -sd' '
}
host_on_avg() { # MAC -> "forwarder/ipv4/ipv6" in the AVG's host table
	lab_ctl r2 --json hosts | jq -r --arg m "$1" '.[] | select(.mac == $m) | "\(.forwarder)/\(.ipv4 // "-")/\(.ipv6)"'
}
# What the slot table is built from (owners and local flags do not matter to it).
slot_fields() { jq -c '[.groups[0].forwarders[] | [.weight, .active, .new_ok]]'; }
# v6_pick CLIENT: the AVG's next pick predicted from its table and counter, the client's NDP
# resolution, and the weights and counter after it: only the one pick may have happened between
# (else it fails and another host tries). Sets V6 (what happened) and V6_WANT.
V6='' V6_WANT='' V6_OK=0
v6_pick() {
	local c=$1 ta ra tb rb pred n nslots rr w got tx0
	ta=$(avg_tables) && ra=$(avg_rr) || return 1
	tx0=$(lab_reason r2 xdp_tx_na_reply)
	got=$(ndisc_ll6 "$c")
	tb=$(avg_tables) && rb=$(avg_rr) || return 1
	read -r pred n nslots rr w <<<"$(python3 "$LAB_DIR/nextpick.py" "$ta" "$ra" "$LAB_GID")"
	if [ "$(python3 "$LAB_DIR/nextpick.py" "$tb" "$rb" "$LAB_GID" | cut -d' ' -f4)" != $((rr + 1)) ] ||
		[ "$(slot_fields <<<"$ta")" != "$(slot_fields <<<"$tb")" ]; then
		echo "# $c: the AVG's weights or pick counter moved under the check ($(slot_fields <<<"$ta") -> $(slot_fields <<<"$tb"), $(jq -c .value <<<"$ra") -> $(jq -c .value <<<"$rb")); another host"
		return 1
	fi
	V6="$c: weights $w (slot table $n slots, the data plane's $nslots), pick $rr -> fwd $pred: NA names ${got:-nothing}, AVG's host table $(host_on_avg "$(lab_mac "$c")"), xdp_tx_na_reply +$(($(lab_reason r2 xdp_tx_na_reply) - tx0))"
	V6_WANT="$c: weights $w (slot table $n slots, the data plane's $n), pick $rr -> fwd $pred: NA names $(lab_vmac "$pred"), AVG's host table $pred/-/true, xdp_tx_na_reply +1"
	V6_OK=1
}
scaled() { [[ $(dp_weights) =~ (^|,)[1-9][0-9]?(,|$) ]]; } # a weight below 100

rb0=$(rebalances_metric)
moves0=$(avg_fwd .balance_moves)
check_eq "no balancing move before the traffic" "$moves0" "0 0 0 0"

# ---- traffic ------------------------------------------------------------------------------
srv0=$(lab_rcvbuf_errors server)
for f in 0 1 2 3; do
	rate=$LIGHT
	[ $((f % 2)) = 0 ] && rate=$HEAVY
	lab_probe_start "f$f" "${CL[$f]}" "$TRAFFIC_S" "$LAB_SERVER_IP" "$PORT" "$rate" "$REQ"
done
t0=$(date +%s%N)

# Poll the AVG's view every 100 ms while the traffic runs: each owner change, when it happened,
# and the first moment the shares were within the max.
declare -a last_owner last_move moves_seen V6_TRIED=()
IFS=, read -r -a last_owner <<<"$(owners)"
flaps=()
t_conv=
while [ $(($(date +%s%N) - t0)) -lt $((TRAFFIC_S * 1000000000)) ]; do
	now=$(date +%s%N)
	IFS=, read -r -a o <<<"$(owners)"
	for f in 0 1 2 3; do
		[ "${o[$f]:-}" = "${last_owner[$f]}" ] && continue
		ms=$(((now - t0) / 1000000))
		echo "# $ms ms: fwd$f ${last_owner[$f]} -> ${o[$f]:-?} (shares r1 r2: $(shares))"
		if [ -n "${last_move[$f]:-}" ] && [ $((ms - last_move[f])) -lt "$WINDOW_MS" ]; then
			flaps+=("fwd$f moved at ${last_move[$f]} ms and again at $ms ms")
		fi
		last_move[f]=$ms
		moves_seen[f]=$((${moves_seen[$f]:-0} + 1))
		last_owner[f]=${o[$f]:-?}
	done
	# once, while a weight is scaled: a new IPv6 host (c5; c6, c7 if the table moved under it)
	if [ "$V6_OK" = 0 ] && [ ${#V6_TRIED[@]} -lt 3 ] && scaled; then
		c=c$((5 + ${#V6_TRIED[@]}))
		V6_TRIED+=("$c")
		v6_pick "$c" && echo "# $(((now - t0) / 1000000)) ms: $V6"
	fi
	if [ -z "$t_conv" ] && converged; then
		t_conv=$(((now - t0) / 1000000))
		echo "# converged at $t_conv ms: owners $(owners), shares r1 r2: $(shares)"
	fi
	sleep 0.1
done
for f in 0 1 2 3; do lab_probe_wait "f$f"; done
srv=$(($(lab_rcvbuf_errors server) - srv0))

# ---- verdicts -----------------------------------------------------------------------------
# Both ways: the heavy forwarder r1 kept (the one it did not shed), as r1 counted it.
kept=$(lab_jst r1 '[.groups[0].forwarders[] | select(.local and (.index == 0 or .index == 2)) | .index] | first // -1')
read -r loc to_vmac to_hosts both <<<"$(lab_jst r1 ".groups[0].forwarders[$kept] | \"\(.local) \(.bytes_to_vmac) \(.bytes_to_hosts) \(.bytes)\"")"
echo "# r1's heavy fwd$kept: local $loc, bytes to the vMAC $to_vmac, back to its hosts $to_hosts, status bytes $both"
both_ways() {
	[ "$loc" = true ] && [ "$to_vmac" -gt 0 ] && [ "$to_hosts" -gt $((to_vmac * 3 / 2)) ] &&
		[ "$both" = $((to_vmac + to_hosts)) ]
}
check "bytes counted both ways: r1's heavy fwd$kept counted frames to its vMAC and more bytes back to its host (answers are $REPLY, requests $REQ bytes), reported as their sum" \
	both_ways
in_time() { [ -n "$t_conv" ] && [ "$t_conv" -le $((CONVERGE_S * 1000)) ]; }
check "converged: within $CONVERGE_S s of the traffic's start neither node carries more than $PCT % (at ${t_conv:-never} ms)" \
	in_time
check "... and still at the end: shares r1 r2 $(shares), owners $(owners)" converged
moved=$(avg_fwd .balance_moves)
total=0
for m in $moved; do total=$((total + m)); done
check "the busy node shed at least one forwarder (balance_moves per forwarder: $moved)" [ "$total" -ge 1 ]
check_empty "no forwarder moved twice within the hysteresis window ($WINDOW_MS ms), by polling" "${flaps[*]}"
check_eq "no forwarder moved twice at all in the $TRAFFIC_S s run (the AVG's balance_moves)" \
	"$(for m in $moved; do [ "$m" -le 1 ] && echo ok || echo "$m"; done | paste -sd' ')" "ok ok ok ok"
polled=0
for f in 0 1 2 3; do polled=$((polled + ${moves_seen[$f]:-0})); done
check_eq "every move was seen by polling and counted: balance_moves, xglb_rebalances_total, owner changes" \
	"$total $(($(rebalances_metric) - rb0))" "$polled $polled"
quiet_ms=$(lab_jst r2 '[.groups[0].forwarders[] | .balanced_ms | select(. >= 0)] | min // -1')
check "nothing moved during the last window: the newest move is $quiet_ms ms old" [ "$quiet_ms" -ge "$WINDOW_MS" ]
if [ "$V6_OK" = 1 ]; then
	check_eq "a new IPv6 host while r1 is above the max share: its NA names the forwarder of the AVG's load-scaled slot table" "$V6" "$V6_WANT"
else
	not_ok "a new IPv6 host while r1 is above the max share gets its NA's vMAC from the load-scaled weights" \
		"tried: ${V6_TRIED[*]:-none (no scaled weight seen)}" "weights now $(dp_weights)"
fi
lost=0
for f in 0 1 2 3; do
	echo "# fwd$f client ${CL[$f]}: $(lab_probe_json "f$f")"
	lost=$((lost + $(lab_probe_netlost "f$f")))
done
echo "# dropped at the server's echo socket (not the network): $srv"
check "zero datagrams lost in the network across the moves (lost $lost, of which the server's socket dropped $srv)" \
	[ "$lost" -le "$srv" ]
check "r1 and r2 agree" lab_agree r1 r2

# Dual-stack hosts keep their forwarder across the families, whoever owns it now.
want='' got=''
for f in 0 1 2 3; do
	want+="${want:+ }${CL[$f]}=$(lab_vmac "$f")"
	got+="${got:+ }${CL[$f]}=$(ndisc_ll6 "${CL[$f]}")"
done
check_eq "c1..c4 (dual-stack) resolve the virtual link-local by NDP to the vMAC they got by ARP (owners now $(owners))" \
	"$got" "$want"
metric() { lab_exec r2 curl -s --max-time 2 http://127.0.0.1:9867/metrics | awk -v k="$1" '$1 == k {print $2}'; }
families() { echo "$(metric 'xglb_hosts_family{group="1",family="ipv4"}') $(metric 'xglb_hosts_family{group="1",family="ipv6"}')"; }
n6=$((4 + ${#V6_TRIED[@]}))
lab_wait 5 eval '[ "$(families)" = "4 $n6" ]'
check_eq "/metrics on the AVG: hosts by family, ipv4 (c1..c4) and ipv6 (c1..c4, ${V6_TRIED[*]})" "$(families)" "4 $n6"
t_done
