#!/usr/bin/env bash
# test_conflict.sh - stations that lie on the segment: a spoofed ARP sender records nothing; a rogue host's gratuitous ARP for the VIP (request and reply forms) is logged with its MAC, counted, and every poisoned client has its vMAC back within a second, the AVG's pass repeated 1.5 s later (r2 schedules none); a frame from a vMAC this node owns is reported by its owner.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines (tests/run.sh counts
# them); details of a failure follow as "#" lines.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2)
CLIENTS=(c1 c2 c3 c4)
AVG=r1
URL=http://127.0.0.1:9867

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_arp
t_need_tools jq curl

lab_setup "${ROUTERS[@]}" -- "${CLIENTS[@]}" rogue
lab_start_all avg=$AVG owners=r1,r2 || bail "xglbd ready on ${ROUTERS[*]}" "$LAB_ERR"
ok "xglbd ready on ${ROUTERS[*]}"

ROGUE_MAC=$(lab_mac rogue eth0)
arp() { lab_exec rogue "$LAB_BUILD/tools/xglb_arp" eth0 "$@"; } # op dst src sha spa tha tpa [count]
conflicts() { lab_status "$1" | jq -r --argjson g "$LAB_GID" ".conflicts.groups[] | select(.id == \$g) | .$2"; }
scrape() { lab_exec "$1" curl -sS --max-time 5 "$URL/metrics"; }
metric() { scrape "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
log_has() { grep -qF -- "$2" "$(lab_xglbd_log "$1")"; }
logged_both() { log_has r1 "$1" && log_has r2 "$1"; }
neigh_is() { [ "$(lab_neigh_mac "$1")" = "$2" ]; } # client mac
all_back() { # every client holds the vMAC it had
	local c
	for c in "${CLIENTS[@]}"; do neigh_is "$c" "${vmac_of[$c]}" || return 1; done
}

# ---- every client gets its vMAC; the group's own frames are no conflict ------------------
declare -A vmac_of
for c in "${CLIENTS[@]}"; do
	lab_exec "$c" ping -n -q -c 1 -W 2 "$LAB_SERVER_IP" >/dev/null || not_ok "$c reaches the server"
	vmac_of[$c]=$(lab_neigh_mac "$c")
done
check_eq "clients hold a vMAC each (round-robin over r1, r2)" \
	"${vmac_of[c1]} ${vmac_of[c2]} ${vmac_of[c3]} ${vmac_of[c4]}" \
	"$(lab_vmac 0) $(lab_vmac 1) $(lab_vmac 0) $(lab_vmac 1)"
# two more learning intervals: each router has seen the other's learning frames
at_least() { [ "$(lab_reason "$1" "$2")" -ge "$3" ]; } # router reason n
for r in "${ROUTERS[@]}"; do
	lab_wait 5 at_least "$r" xdp_drop_arp_peer $(($(lab_reason "$r" xdp_drop_arp_peer) + 2)) ||
		not_ok "$r sees its peer's learning frames"
done
for r in "${ROUTERS[@]}"; do
	check_eq "$r: peers' learning frames and answers are no conflict (vip/vmac/spoofed)" \
		"$(conflicts "$r" vip)/$(conflicts "$r" vmac)/$(lab_reason "$r" xdp_drop_arp_spoofed)" "0/0/0"
done

# ---- a spoofed sender: a request for the VIP naming a MAC that did not send it ------------
VICTIM=02:00:0a:00:00:77
arp request ff:ff:ff:ff:ff:ff "$ROGUE_MAC" "$VICTIM" 10.0.0.77 00:00:00:00:00:00 "$LAB_VIP" ||
	not_ok "rogue sends a spoofed request"
lab_wait 2 at_least $AVG xdp_drop_arp_spoofed 1
check_eq "the AVG drops the spoofed request (xdp_drop_arp_spoofed, no reply counted)" \
	"$(lab_reason $AVG xdp_drop_arp_spoofed)" 1
hosts=$(lab_ctl $AVG --json hosts)
check_eq "the spoofed request leaves no host entry for the victim's MAC" \
	"$(jq --arg m "$VICTIM" '[.[] | select((.mac | ascii_downcase) == $m)] | length' <<<"$hosts")" 0
check_eq "the host table still holds exactly the ${#CLIENTS[@]} clients" \
	"$(jq --argjson g "$LAB_GID" '[.[] | select(.group == $g)] | length' <<<"$hosts")" "${#CLIENTS[@]}"

# ---- a rogue gratuitous ARP for the VIP, request then reply form -------------------------
flip=0
mon_sees_change() { # IP LOG: change c1's entry for IP (a new lladdr each time); LOG shows it
	flip=$((1 - flip))
	lab_exec c1 ip neigh replace "$1" lladdr "02:00:00:00:00:f$flip" dev eth0
	grep -q "$1 " "$2"
}
n=0
for form in request reply; do
	n=$((n + 1))
	mon=$LAB_DIR/neigh.c1.$form.log
	lab_bg c1 "$mon" ip monitor neigh dev eth0
	monpid=$LAB_BG_PID
	# the monitor listens once it shows a change made after its start (made again until it
	# does: a change made before it subscribed is never shown)
	lab_wait 5 mon_sees_change "10.0.0.25$n" "$mon" || not_ok "ip monitor neigh runs in c1"
	if [ $form = request ]; then
		arp request ff:ff:ff:ff:ff:ff "$ROGUE_MAC" "$ROGUE_MAC" "$LAB_VIP" 00:00:00:00:00:00 "$LAB_VIP"
	else
		arp reply ff:ff:ff:ff:ff:ff "$ROGUE_MAC" "$ROGUE_MAC" "$LAB_VIP" "$ROGUE_MAC" "$LAB_VIP"
	fi
	t0=$(date +%s%N)
	if lab_wait 1 all_back && lab_wait 1 grep -q "lladdr ${vmac_of[c1]}" "$mon"; then
		ms=$((($(date +%s%N) - t0) / 1000000))
		ok "gratuitous ARP $form: every client has its vMAC back (${ms} ms)"
	else
		not_ok "gratuitous ARP $form: every client has its vMAC back within a second" \
			"$(for c in "${CLIENTS[@]}"; do echo "$c: $(lab_neigh_mac "$c") want ${vmac_of[$c]}"; done)"
	fi
	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	check "gratuitous ARP $form: c1 was poisoned (its entry named the rogue's MAC), then restored" \
		grep -q "lladdr $ROGUE_MAC" "$mon"
	for r in "${ROUTERS[@]}"; do
		check_eq "$r counts the $form under xdp_drop_arp_vip_conflict and reports it" \
			"$(lab_reason "$r" xdp_drop_arp_vip_conflict)/$(conflicts "$r" vip)" "$n/$n"
	done
	check "the VIP conflict is logged with the rogue's MAC on r1 and r2" \
		lab_wait 2 logged_both "VIP conflict: $ROGUE_MAC"
	# the second one falls within the log interval: counted, not logged again
	[ $form = reply ] && check_eq "one log line per interval, however many frames" \
		"$(grep -cF "VIP conflict: $ROGUE_MAC" "$(lab_xglbd_log r1)")" 1
done
check "the AVG logs the hosts it told again" lab_wait 2 log_has $AVG "hosts told their vMAC again"
check_eq "metrics: xglb_conflicts_total{kind=vip} on the AVG" \
	"$(metric $AVG "xglb_conflicts_total{group=\"$LAB_GID\",kind=\"vip\"}")" 2
d=$(metric $AVG xglb_conflict_hosts_defended_total)
check "metrics: the AVG defended at least each client once per conflict (got ${d:-none})" \
	test "${d:-0}" -ge $((2 * ${#CLIENTS[@]}))
check_eq "metrics: r2 (not AVG) defends nobody" "$(metric r2 xglb_conflict_hosts_defended_total)" 0
# the AVG's pass runs again 1.5 s after the last first one began (user/lib/defend.c), for
# hosts that were resolving the VIP when the first reply came; r2 schedules no pass at all
check "the AVG repeats its pass (status vip_repeats)" \
	lab_wait 3 eval '[ "$(conflicts $AVG vip_repeats)" -ge 1 ]'
p4=$(conflicts $AVG vip_passes) r4=$(conflicts $AVG vip_repeats) s4=$(conflicts $AVG vip_replies_sent)
check "... each pass told every client (${s4:-none} replies, $p4 first passes + $r4 repeats)" \
	test "${s4:-0}" -ge $(((p4 + r4) * ${#CLIENTS[@]}))
check_eq "metrics: xglb_conflict_defence_passes_total{family=ipv4,pass=repeat} on the AVG" \
	"$(metric $AVG "xglb_conflict_defence_passes_total{group=\"$LAB_GID\",family=\"ipv4\",pass=\"repeat\"}")" "$r4"
check_eq "r2 (not AVG) schedules no pass: first/repeat/replies" \
	"$(conflicts r2 vip_passes)/$(conflicts r2 vip_repeats)/$(conflicts r2 vip_replies_sent)" 0/0/0

# ---- a frame from a vMAC r2 owns, sent by someone else ------------------------------------
V1=$(lab_vmac 1)
arp request ff:ff:ff:ff:ff:ff "$V1" "$V1" 0.0.0.0 00:00:00:00:00:00 "$LAB_VIP"
check "r2 (the owner of $V1) logs a vMAC conflict naming it" \
	lab_wait 2 log_has r2 "vMAC conflict: another station sends from $V1, forwarder 1"
check_eq "r2 counts it (xdp_drop_arp_vmac_conflict / status vmac)" \
	"$(lab_reason r2 xdp_drop_arp_vmac_conflict)/$(conflicts r2 vmac)" "1/1"
check_eq "metrics: xglb_conflicts_total{kind=vmac} on r2" \
	"$(metric r2 "xglb_conflicts_total{group=\"$LAB_GID\",kind=\"vmac\"}")" 1
check_eq "r1 (not its owner) takes it for a peer's frame" \
	"$(lab_reason r1 xdp_drop_arp_vmac_conflict)/$(conflicts r1 vmac)" "0/0"

for r in "${ROUTERS[@]}"; do check "xglbd on $r still runs" lab_xglbd_running "$r"; done
t_done
