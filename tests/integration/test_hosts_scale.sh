#!/usr/bin/env bash
# test_hosts_scale.sh - a full host table does not slow the membership path: with xglb_hosts
# filled to its capacity on both routers (synthetic hosts, tests/tools/xglb_fillhosts) and
# hellos every 10 ms (hold 50 ms), /metrics and status are requested back to back on both
# routers for 10 s; no AVG change and no owner change may follow. The scrapes still report the
# full table (xglb_hosts_assigned, xglb_map_entries), counted off the event loop.
# Then a redistribution of the whole table: every host on r1 (the AVG) is given forwarder 1,
# r2 is drained, forwarder 1 goes to r1 and after the timeout (1 s) is removed, and r1 moves
# every host to forwarder 0 by unsolicited ARP, twice (walking the table in steps between
# which hellos go out); the only role change is forwarder 1's move to r1.
#
# Lab: r1 r2 (r1 AVG), 2 forwarders owned r1,r2; no clients.
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2)
URL=http://127.0.0.1:9867
SECONDS_SCRAPING=10

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_fillhosts
t_need_tools curl jq bpftool

scrape() { lab_exec "$1" curl -sS --max-time 5 "$URL/metrics"; }
metric() { awk -v k="$2" '$1 == k { print $2 }' <<<"$1"; }
# AVG and owner changes seen by a router, summed over its groups.
changes() { lab_jst "$1" '[.groups[].events | .avg_changes + .owner_changes] | add'; }

lab_setup "${ROUTERS[@]}" -- || bail "lab with r1 r2" "$LAB_ERR"
lab_start_all membership=1 owners=r1,r2 persistence=3 hello_ms=10 hold_ms=50 redirect_ms=500 timeout_ms=1000 ||
	bail "xglbd ready on r1 r2" "$LAB_ERR"
lab_wait 10 lab_agree_owned || bail "r1 r2 agree on one group state, every forwarder owned" "$(lab_views)"
ok "xglbd ready on r1 r2 at hello 10 ms, hold 50 ms: $(lab_view r1)"

cap=$(bpftool map show pinned "$(lab_get r1 pin_root)/xglb_hosts" -j | jq .max_entries)
for r in "${ROUTERS[@]}"; do
	n=$("$LAB_BUILD/tools/xglb_fillhosts" "$(lab_get "$r" pin_root)/xglb_hosts" "$LAB_GID" "$cap") ||
		bail "fill $r's xglb_hosts"
	check_eq "$r's xglb_hosts is full: $cap synthetic hosts (capacity: 65536 per CPU, at most 2^20)" "$n" "$cap"
done
full() { [ "$(metric "$(scrape "$1")" "xglb_hosts_assigned{group=\"$LAB_GID\"}")" = "$cap" ]; }
for r in "${ROUTERS[@]}"; do
	lab_wait 10 full "$r" || not_ok "$r's /metrics counts the full table: xglb_hosts_assigned = $cap"
done
p=$(scrape r1)
check_eq "/metrics on r1: xglb_hosts_assigned and xglb_map_entries{map=\"xglb_hosts\"} are the full table" \
	"$(metric "$p" "xglb_hosts_assigned{group=\"$LAB_GID\"}") $(metric "$p" 'xglb_map_entries{map="xglb_hosts"}')" "$cap $cap"

before="$(changes r1) $(changes r2)"
end=$((SECONDS + SECONDS_SCRAPING))
scrapes=0
while [ $SECONDS -lt $end ]; do
	for r in "${ROUTERS[@]}"; do
		scrape "$r" >/dev/null && lab_status "$r" >/dev/null && scrapes=$((scrapes + 1))
	done
done
after="$(changes r1) $(changes r2)"
check "$scrapes scrapes of /metrics and status in ${SECONDS_SCRAPING} s" [ "$scrapes" -gt 20 ]
check_eq "no AVG or owner change on r1 r2 while scraping (changes before: $before)" "$after" "$before"
check_eq "r1 r2 still agree, every forwarder owned" "$(lab_agree_owned && echo yes)" yes

# ---- a redistribution of the full table ------------------------------------------------
avgs() { for r in "${ROUTERS[@]}"; do lab_jst "$r" '.groups[0].events.avg_changes'; done | paste -sd' '; }
owners() { for r in "${ROUTERS[@]}"; do lab_jst "$r" '.groups[0].events.owner_changes'; done | paste -sd' '; }
walked() { [ "$(lab_jst r1 '.redistribution | "\(.walks) \(.running) \(.pending_again)"')" = "1 false 0" ]; }
n=$("$LAB_BUILD/tools/xglb_fillhosts" "$(lab_get r1 pin_root)/xglb_hosts" "$LAB_GID" "$cap" 1) ||
	bail "give r1's $cap hosts forwarder 1"
check_eq "r1's $cap hosts all have forwarder 1 (r2's)" \
	"$(bpftool map dump pinned "$(lab_get r1 pin_root)/xglb_hosts" -j | jq '[.[] | select(.value.fwd == 1)] | length')" "$cap"
avg0=$(avgs) own0=$(owners) moved0=$(lab_jst r1 .hosts_redistributed)
lab_xglbctl r1 drain r2 || bail "xglbctl drain r2" "$ERR"
lab_wait 30 walked || not_ok "r1 walked the table once and told every moved host twice" \
	"$(lab_jst r1 .redistribution)"
moved=$(($(lab_jst r1 .hosts_redistributed) - moved0))
# a host whose entry is rewritten may push another out of a full LRU map: it will ARP again
check "r1 moved at least 90 % of the $cap hosts by unsolicited ARP ($moved), told them again ($(lab_jst r1 .hosts_redistributed_again))" \
	[ "$moved" -ge $((cap * 9 / 10)) ]
grep -E "hosts of removed forwarders moved|moving the hosts" "$(lab_xglbd_log r1)" | sed 's/^/# r1: /'
check_eq "no AVG change on r1 r2 while r1 redistributed $cap hosts" "$(avgs)" "$avg0"
check_eq "one owner change on r1 r2 (forwarder 1 to r1 at the drain), none more" \
	"$(owners)" "$(for o in $own0; do echo $((o + 1)); done | paste -sd' ')"
check_eq "r1 is AVG, forwarder 1 removed" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r1 owners=r1,-"
lab_xglbctl r1 undrain r2 || not_ok "xglbctl undrain r2" "$ERR"

for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" 5; done
t_done
