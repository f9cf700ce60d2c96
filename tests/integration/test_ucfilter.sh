#!/usr/bin/env bash
# test_ucfilter.sh - every router's unicast filter (bridge fdb show dev eth0 ... self) holds
# exactly the vMACs of its group, owned or not (so every vMAC it owns), through a takeover
# (kill -9 of an owner), its return, xglbctl move, drain and undrain, SIGHUP reloads and a
# restart; none of those ownership changes adds or removes an entry (the added/removed
# counters stand still from the start on); entries an earlier run left that the
# configuration does not have are removed at start (counted); a clean stop removes exactly
# xglb's entries and leaves the operator's.
#
# Entries lost under a running xglbd come back without a reload: one removed by hand
# (bridge fdb del ... self: put back on the kernel's RTM_DELNEIGH, counted, logged), a
# LAN interface deleted and re-created (new ifindex: the new device gets exactly the group's
# vMACs, status follows it, the clients of that router's forwarders get through again).
# rx-filter: off / promiscuous / auto switched by SIGHUP reload: off removes xglb's
# entries and touches nothing more; promiscuous holds the interface promiscuous (also a
# re-created one) with no entries; auto puts the entries back and leaves promiscuous mode.
#
# Promiscuous fallback against a real kernel refusal: a macvlan in bridge mode refuses
# unicast filter entries (EOPNOTSUPP); xglbd's data path cannot attach to one yet (native
# XDP), so tools/xglb_rxfilter drives the daemon's own module (user/xglbd/rxfilter.c) on it.
#
# 3 routers (r1 r2 r3, equal priority: r3 is AVG), 3 forwarders, one per router.
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=100
HOLD=1000
OPERATOR_MAC=02:00:5e:10:00:01 # an entry the operator added on r1's eth0: never touched

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_rxfilter
t_need_tools bridge jq curl

# The vMAC entries of ROUTER's eth0 unicast filter (the device's own entries: "self"),
# sorted, comma separated.
fdb_vmacs() {
	lab_exec "$1" bridge fdb show dev eth0 |
		awk '$2 == "self" && $1 ~ /^02:78:67:62:/ { print $1 }' | sort | paste -sd,
}
# The vMACs ROUTER's status says it owns (active and local), the same way.
owned_vmacs() {
	local i
	for i in $(lab_jst "$1" '.groups[0].forwarders[] | select(.active and .local) | .index'); do
		lab_vmac "$i"
	done | sort | paste -sd,
}
ALL_VMACS=$(for i in 0 1 2; do lab_vmac $i; done | paste -sd,) # the group's, forwarders 0..2
# Every running router's filter holds exactly the group's vMACs, so every vMAC it owns
# (checked on its own too: an owned vMAC missing from the filter is the failure that
# matters), and every vMAC has exactly one owner among them.
filters_match() {
	local r owners="" f o v
	for r in "$@"; do
		f=$(fdb_vmacs "$r") o=$(owned_vmacs "$r")
		for v in ${o//,/ }; do [[ ,$f, == *,$v,* ]] || return 1; done
		[ "$f" = "$ALL_VMACS" ] || return 1
		[ -z "$o" ] || owners+="${owners:+,}$o"
	done
	[ "$(tr , '\n' <<<"$owners" | sort | paste -sd,)" = "$ALL_VMACS" ]
}
filters_detail() {
	local r
	for r in "$@"; do echo "$r: filter=[$(fdb_vmacs "$r")] owned=[$(owned_vmacs "$r")] $(lab_view "$r")"; done
}
# Poll until the routers agree, own every forwarder and the filters match.
# (A drained router holds a demotion, which lab_agree does not accept: SETTLED=owned for it.)
settled() { lab_agree_owned "$@" && filters_match "$@"; }
owned() { lab_all_owned "$1" && filters_match "$@"; }
check_settled() { # what router...
	local what=$1
	shift
	if lab_wait 10 "${SETTLED:-settled}" "$@"; then
		ok "$what: each filter holds the group's vMACs, its owned ones among them ($(for r in "$@"; do echo -n "$r=[$(fdb_vmacs "$r")] owns [$(owned_vmacs "$r")] "; done | sed 's/ $//'))"
	else
		not_ok "$what: each filter holds the group's vMACs, its owned ones among them" "$(filters_detail "$@")"
	fi
}
rxf() { lab_jst "$1" ".rx_filter.$2"; } # router counter
# "added/removed" of each router: ownership changes leave them as they are
changes() { for r in "$@"; do echo "$r=$(rxf "$r" added)/$(rxf "$r" removed)"; done | paste -sd' '; }
# Make before break, from ROUTER's log (its current xglbd, -v): every "forwarder N owned by
# ... (this node)" comes after its vMAC went on the filter, and no vMAC leaves the filter
# while the node still owns its forwarder (before "stopping", and while rx-filter is auto:
# off and promiscuous hold no entries by design). Prints the offending lines.
order_violations() {
	awk -v gid="$LAB_GID" '
		function vm(i) { return sprintf("02:78:67:62:%02x:%02x", gid, i) }
		function idx(m) {
			h = "0123456789abcdef"
			return (index(h, substr(m, 16, 1)) - 1) * 16 + index(h, substr(m, 17, 1)) - 1
		}
		/signal [0-9]+: stopping/ { stop = 1 }
		/info: rx-filter: (off|promiscuous)/ { stop = 1 }
		/info: rx-filter: auto/ { stop = 0 }
		match($0, /unicast filter: [0-9a-f:]+ (added|was there already)/) {
			split(substr($0, RSTART, RLENGTH), w, " "); on[w[3]] = 1 }
		match($0, /unicast filter holds [0-9a-f:]+ /) {
			split(substr($0, RSTART, RLENGTH), w, " "); on[w[4]] = 1 }
		match($0, /unicast filter: [0-9a-f:]+ removed/) {
			split(substr($0, RSTART, RLENGTH), w, " "); on[w[3]] = 0
			if (own[idx(w[3])] && !stop) print NR ": removed while owned: " $0 }
		{ # one line per changed group: "group G: forwarder 0 owned by r1 (this node), ..."
			rest = $0
			while (match(rest, /forwarder [0-9]+ (owned by [^,]*|removed)/)) {
				m = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
				split(m, w, " "); n = w[2]
				own[n] = (m ~ /\(this node\)/)
				if (own[n] && !on[vm(n)] && !stop) print NR ": owned before its vMAC was on the filter: " $0
			}
		}
	' "$(lab_xglbd_log "$1")"
}
check_order() { # router what
	local v
	v=$(order_violations "$1")
	check_empty "$2: $1's log shows each vMAC on the filter before the forwarder is taken, and kept until released" "$v"
	check "$2: $1's log shows filter changes to judge ($(grep -c 'unicast filter' "$(lab_xglbd_log "$1")") lines)" \
		grep -q "unicast filter" "$(lab_xglbd_log "$1")"
}
has_operator_entry() { lab_exec r1 bridge fdb show dev eth0 | grep -q "^$OPERATOR_MAC self"; }
log_has() { grep -qE -- "$2" "$(lab_xglbd_log "$1")"; }
eth0_rxf() { lab_jst "$1" ".rx_filter.interfaces[] | select(.name == \"eth0\") | .$2"; } # router field
promiscuity() { lab_exec "$1" ip -d -j link show dev eth0 | jq '.[0].promiscuity'; }
metric() { lab_exec "$1" curl -sS --max-time 5 http://127.0.0.1:9867/metrics | grep -F "$2 " | awk '{print $2}'; }
START=(membership=1 hello_ms=$HELLO hold_ms=$HOLD lease_ms=1000)
# reload_with ROUTER MODE: its configuration with "rx-filter: MODE" ("" leaves the line out).
reload_with() {
	local extra=$LAB_DIR/rxf-$1.yaml
	if [ -n "$2" ]; then echo "rx-filter: $2" >"$extra"; else : >"$extra"; fi
	lab_write_config "$1" "${START[@]}" extra="$extra" >/dev/null
	lab_reload_xglbd "$1"
}

lab_setup "${ROUTERS[@]}" -- c1 c2 c3

# An operator's entry, and an entry a killed xglbd could have left: forwarder 15's vMAC,
# which this configuration does not have.
STALE=$(lab_vmac 15)
lab_exec r1 bridge fdb add "$OPERATOR_MAC" dev eth0 self permanent || bail "operator entry on r1"
lab_exec r1 bridge fdb add "$STALE" dev eth0 self permanent || bail "stale vMAC entry on r1"

lab_start_all "${START[@]}" || bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 10 lab_agree_owned || bail "routers agree on one state" "$(lab_views)"
check_eq "r3 is AVG, forwarder i with router i+1" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r3 owners=r1,r2,r3"
check_settled "start" r1 r2 r3
check_eq "r1: every vMAC of the group, not only forwarder 0's (its own)" "$(fdb_vmacs r1)" "$ALL_VMACS"
check_eq "each router added the group's 3 vMACs at start, removed none (r1: the stale one)" "$(changes r1 r2 r3)" \
	"r1=3/1 r2=3/0 r3=3/0"
check_eq "r1 adopted the entry an earlier run left (1)" "$(rxf r1 adopted)" 1
check_eq "r1 removed it: not a vMAC of the configuration (stale_removed 1)" "$(rxf r1 stale_removed)" 1
check "r1: the operator's entry is still there" has_operator_entry
check_eq "status: r1's eth0 entries" "$(lab_jst r1 '.rx_filter.interfaces[] | select(.name == "eth0") | .entries | join(",")')" "$ALL_VMACS"
check_eq "status: no interface promiscuous, none missing" \
	"$(for r in "${ROUTERS[@]}"; do lab_jst "$r" '[.rx_filter.interfaces[] | (.promiscuous, .missing)] | map(tostring) | join(" ")'; done | paste -sd' ')" \
	"false 0 false 0 false 0"
lab_xglbctl r1 status
check "xglbctl status (text) shows r1's eth0 filter: not promiscuous, 0 missing, the group's vMACs" \
	grep -qE "^  eth0 +no +0 +- +${ALL_VMACS//,/ }\$" <<<"$OUT"

# ---- takeover: kill -9 of r2, an owner --------------------------------------------------
check_order r2 "before kill -9"
before=$(changes r1 r3)
lab_kill_xglbd r2 || bail "kill -9 of r2's xglbd"
lab_wait 10 lab_agree_owned r1 r3 || not_ok "r1 and r3 take over r2's forwarder" "$(lab_views)"
check_settled "takeover of r2's forwarder" r1 r3
check_eq "takeover: no filter entry added or removed (a failover touches no filter)" "$(changes r1 r3)" "$before"
check_eq "r2 (killed): its entries stay with its data path" "$(fdb_vmacs r2)" "$ALL_VMACS"

# ---- return: r2 restarts (adopts what it left) -----------------------------------------
lab_restart_xglbd r2 || bail "xglbd restarts on r2"
check_settled "r2 returns" r1 r2 r3
check "r2 adopted the entry it left when killed" [ "$(rxf r2 adopted)" -ge 1 ]

before=$(changes r1 r2 r3)
# ---- planned move --------------------------------------------------------------------------
src=$(lab_jst r1 '.groups[0].forwarders[0].owner_name')
dst=r2
[ "$src" = r2 ] && dst=r3
lab_xglbctl r1 move 0 "$dst"
check_eq "xglbctl move 0 $dst accepted" "$RC" 0
fwd0_owner_is() { [ "$(lab_jst r1 '.groups[0].forwarders[0].owner_name')" = "$1" ]; }
lab_wait 10 fwd0_owner_is "$dst" ||
	not_ok "forwarder 0 moves to $dst" "$(lab_views)"
check_settled "move of forwarder 0 from $src to $dst" r1 r2 r3

# ---- drain and undrain --------------------------------------------------------------------
lab_xglbctl r3 drain r3
check_eq "xglbctl drain r3 accepted" "$RC" 0
owns_nothing() { [ -z "$(owned_vmacs "$1")" ]; }
lab_wait 10 owns_nothing r3 ||
	not_ok "drained r3 owns nothing" "$(filters_detail r1 r2 r3)"
SETTLED=owned check_settled "drain of r3" r1 r2 r3
check_eq "drained r3: its filter keeps the group's vMACs (ready to take one back)" "$(fdb_vmacs r3)" "$ALL_VMACS"
lab_xglbctl r3 undrain r3
check_eq "xglbctl undrain r3 accepted" "$RC" 0
owns_some() { [ -n "$(owned_vmacs "$1")" ]; }
lab_wait 10 owns_some r3 || not_ok "undrained r3 owns a forwarder again" "$(lab_views)"
check_settled "undrain of r3" r1 r2 r3
check_eq "return, move, drain, undrain: no filter entry added or removed" "$(changes r1 r2 r3)" "$before"

# ---- SIGHUP reload: no entry changes ---------------------------------------------------------
for r in "${ROUTERS[@]}"; do lab_reload_xglbd "$r" || not_ok "SIGHUP reloads $r"; done
check_settled "SIGHUP reload of every router" r1 r2 r3
check_eq "reload: no entry added or removed (added/removed per router)" "$(changes r1 r2 r3)" "$before"

# ---- clean stop and restart of r1 -----------------------------------------------------------
check_order r1 "before r1's stop"
lab_stop_xglbd r1
check_eq "r1 stopped cleanly" "$?" 0
check_eq "stopped r1: no vMAC left in its filter" "$(fdb_vmacs r1)" ""
check "stopped r1: the operator's entry is still there" has_operator_entry
lab_wait 10 lab_agree_owned r2 r3 || not_ok "r2 and r3 take over r1's forwarders" "$(lab_views)"
check_settled "r1 stopped" r2 r3
lab_restart_xglbd r1 || bail "xglbd restarts on r1"
check_settled "r1 restarted" r1 r2 r3
check_eq "restarted r1 found nothing of ours to adopt" "$(rxf r1 adopted)" 0

# ---- an entry of ours removed by hand is put back ------------------------------------------
for R in "${ROUTERS[@]}"; do [ -n "$(fdb_vmacs "$R")" ] && break; done
V=$(fdb_vmacs "$R" | cut -d, -f1)
r0=$(rxf "$R" restored)
lab_exec "$R" bridge fdb del "$V" dev eth0 self
entry_on() { [[ ,$(fdb_vmacs "$1"), == *,$2,* ]]; }
check "$R: bridge fdb del $V dev eth0 self: xglbd puts it back (3 s)" lab_wait 3 entry_on "$R" "$V"
check_settled "after the removal by hand" r1 r2 r3
check_eq "$R counts it (rx_filter.restored +1)" "$(rxf "$R" restored)" $((r0 + 1))
check_eq "... per interface too" "$(eth0_rxf "$R" restored)" $((r0 + 1))
check_eq "... and in /metrics" "$(metric "$R" 'xglb_rx_filter_changes_total{op="restored"}')" $((r0 + 1))
check "... and logs it (a warning naming the interface and the vMAC)" \
	log_has "$R" "warning: eth0: unicast filter: $V, a vMAC of its groups, was removed by someone else"
lab_exec "$R" bridge fdb del "$V" dev eth0 self
check "removed by hand a second time: put back again (3 s)" lab_wait 3 entry_on "$R" "$V"
check_eq "... counted (+2), logged once (within a minute)" \
	"$(rxf "$R" restored) $(grep -c "unicast filter: $V, a vMAC of its groups, was removed" "$(lab_xglbd_log "$R")")" "$((r0 + 2)) 1"

# ---- a LAN interface deleted and re-created (new ifindex) -------------------------------------
lab_vmac_clients c1 c2 c3 || bail "each client holds its own vMAC" "$LAB_ERR"
old_ifx=$(eth0_rxf r2 ifindex)
new_ifx=$(lab_replug r2 eth0)
echo "# r2 eth0: ifindex $old_ifx -> $new_ifx"
rxf_follows() { [ "$(eth0_rxf r2 ifindex)" = "$new_ifx" ]; }
check "r2's filter status follows the new eth0 (ifindex $new_ifx, 5 s)" lab_wait 5 rxf_follows
check_settled "r2's eth0 re-created" r1 r2 r3
# r2 serves a forwarder on the new device (load balancing may have moved them all away)
if [ -z "$(owned_vmacs r2)" ]; then
	lab_xglbctl r1 move 1 r2
	check_eq "xglbctl move 1 r2 accepted" "$RC" 0
	owns_some() { [ -n "$(owned_vmacs "$1")" ]; }
	lab_wait 10 owns_some r2 || not_ok "r2 owns a forwarder again" "$(lab_views)"
	check_settled "forwarder 1 moved to the re-created r2" r1 r2 r3
fi
check_eq "r2's new eth0: bridge fdb show lists exactly the group's vMACs" "$(fdb_vmacs r2)" "$ALL_VMACS"
check_eq "status: r2's eth0 entries are on the new ifindex" \
	"$(lab_jst r2 ".rx_filter.interfaces[] | select(.ifindex == $new_ifx) | .entries | join(\",\")")" "$ALL_VMACS"
check_eq "/metrics: r2's eth0 holds them" "$(metric r2 'xglb_rx_filter_entries{interface="eth0"}')" 3
for i in $(lab_jst r2 '.groups[0].forwarders[] | select(.active and .local) | .index'); do
	c=${LAB_CL[$i]}
	lab_fwd_mark "r2:$i"
	check_eq "$c (forwarder $i, on r2's re-created eth0): 10 pings through" \
		"$(lab_exec "$c" ping -n -q -c 10 -i 0.05 -W 1 "$LAB_SERVER_IP" | sed -n 's/.* \([0-9]*\) received.*/\1/p')" 10
	check "... counted by r2's forwarder $i" lab_fwd_flowing 10
done
lab_exec r2 ip link set eth0 down
lab_exec r2 ip link set eth0 up
check_settled "r2's eth0 down and up" r1 r2 r3

# ---- rx-filter: off, promiscuous, auto (SIGHUP reload) ----------------------------------------
owned1=$(owned_vmacs r1)
reload_with r1 off || not_ok "r1 reloads with rx-filter: off"
check_eq "off: status says so" "$(rxf r1 mode)" off
check_eq "off: r1's filter holds no vMAC (its entries removed)" "$(fdb_vmacs r1)" ""
check_eq "off: r1 still owns its forwarders" "$(owned_vmacs r1)" "$owned1"
check "off: the operator's entry is untouched" has_operator_entry
check_eq "off: /metrics xglb_rx_filter_mode" \
	"$(for m in auto off promiscuous; do metric r1 "xglb_rx_filter_mode{mode=\"$m\"}"; done | paste -sd' ')" "0 1 0"
lab_exec r1 bridge fdb add "$STALE" dev eth0 self permanent
reload_with r1 off || not_ok "r1 reloads again with rx-filter: off"
check_eq "off: a vMAC entry added by hand stays (nothing read, nothing touched)" "$(fdb_vmacs r1)" "$STALE"
lab_exec r1 bridge fdb del "$STALE" dev eth0 self
# veth has no unicast filter: the kernel itself counts one promiscuity while its list holds
# any entry (here the operator's); xglbd's promiscuous mode adds one to that.
p_off=$(promiscuity r1)
echo "# r1 eth0 with rx-filter: off: promiscuity $p_off"
reload_with r1 promiscuous || not_ok "r1 reloads with rx-filter: promiscuous"
check_eq "promiscuous: status" "$(rxf r1 mode) $(eth0_rxf r1 promiscuous)" "promiscuous true"
check_eq "promiscuous: the kernel counts xglbd's promiscuity on eth0" "$(promiscuity r1)" $((p_off + 1))
check_eq "promiscuous: no vMAC in r1's filter" "$(fdb_vmacs r1)" ""
new1=$(lab_replug r1 eth0)
lab_exec r1 bridge fdb add "$OPERATOR_MAC" dev eth0 self permanent # the new device's
promisc_again() { [ "$(eth0_rxf r1 ifindex)" = "$new1" ] && [ "$(promiscuity r1)" = $((p_off + 1)) ]; }
check "promiscuous: r1's eth0 re-created (ifindex $new1) is promiscuous again (5 s)" lab_wait 5 promisc_again
check_eq "promiscuous: ... and holds no vMAC" "$(fdb_vmacs r1)" ""
lab_wait 10 lab_agree_owned r1 r2 r3 || not_ok "routers agree after r1's re-creation" "$(lab_views)"
reload_with r1 "" || not_ok "r1 reloads without rx-filter (auto)"
check_eq "auto: status" "$(rxf r1 mode) $(eth0_rxf r1 promiscuous)" "auto false"
check_eq "auto: xglbd's promiscuity gone" "$(promiscuity r1)" "$p_off"
check_settled "auto again: the entries are back" r1 r2 r3

# ---- everyone stops ---------------------------------------------------------------------------
for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r"; done
for r in "${ROUTERS[@]}"; do check_order "$r" "end"; done
check_eq "all stopped: no vMAC in any filter" "$(for r in "${ROUTERS[@]}"; do echo "$r=[$(fdb_vmacs "$r")]"; done | paste -sd' ')" "r1=[] r2=[] r3=[]"
check "all stopped: the operator's entry on r1 is still there" has_operator_entry

# ---- promiscuous fallback where the device refuses ------------------------------------------
V0=$(lab_vmac 0) V1=$(lab_vmac 1)
lab_exec r1 ip link add mv0 link eth0 type macvlan mode bridge && lab_exec r1 ip link set mv0 up ||
	bail "macvlan mv0 on r1's eth0"
out=$(lab_exec r1 "$LAB_BUILD/tools/xglb_rxfilter" mv0 "$V0" "$V0,$V1" - "$V1" mode=off mode=promiscuous \
	mode=auto 2>"$LAB_DIR/rxf.err")
check_eq "xglb_rxfilter ran" "$?" 0
step() { grep "^step $1 " <<<"$out" | cut -d' ' -f3-; }
check_eq "macvlan refuses the vMAC: promiscuous, counted, the kernel shows IFF_PROMISC" "$(step 1)" \
	"entries= promiscuous=1 missing=1 refused=Operation not supported kernel_promisc=1 fallbacks=1"
check_eq "a second refused vMAC: still promiscuous, one fallback" "$(step 2)" \
	"entries= promiscuous=1 missing=2 refused=Operation not supported kernel_promisc=1 fallbacks=1"
check_eq "nothing owned: promiscuous mode reversed" "$(step 3)" \
	"entries= promiscuous=0 missing=0 refused=- kernel_promisc=0 fallbacks=1"
check_eq "owned again: promiscuous again (second fallback)" "$(step 4)" \
	"entries= promiscuous=1 missing=1 refused=Operation not supported kernel_promisc=1 fallbacks=2"
check_eq "rx-filter: off: the fallback's promiscuous mode reversed, nothing missing" "$(step 5)" \
	"entries= promiscuous=0 missing=0 refused=- kernel_promisc=0 fallbacks=2"
check_eq "rx-filter: promiscuous: promiscuous without a refusal" "$(step 6)" \
	"entries= promiscuous=1 missing=0 refused=- kernel_promisc=1 fallbacks=2"
check_eq "rx-filter: auto again: the refused vMAC keeps it promiscuous" "$(step 7)" \
	"entries= promiscuous=1 missing=1 refused=Operation not supported kernel_promisc=1 fallbacks=2"
check_eq "clean stop: promiscuous mode reversed" "$(grep '^closed ' <<<"$out")" "closed kernel_promisc=0"
check "the refusal and the fallback are logged (warning)" \
	grep -q "mv0: promiscuous mode on: 1 vMAC(s) not in the unicast filter (Operation not supported)" "$LAB_DIR/rxf.err"
check_eq "the operator's own promiscuous flag is untouched (ip link: no PROMISC)" \
	"$(lab_exec r1 ip link show mv0 | grep -c PROMISC)" 0

t_done
