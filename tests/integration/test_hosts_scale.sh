#!/usr/bin/env bash
# test_hosts_scale.sh - a full host table does not slow the membership path: with xglb_hosts
# filled to its capacity on both routers (synthetic hosts, tests/tools/xglb_fillhosts) and
# hellos every 10 ms (hold 50 ms), /metrics and status are requested back to back on both
# routers for 10 s; no AVG change and no owner change may follow. The scrapes still report the
# full table (xglb_hosts_assigned, xglb_map_entries), counted off the event loop.
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
lab_start_all membership=1 owners=r1,r2 persistence=3 hello_ms=10 hold_ms=50 ||
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

for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" 5; done
t_done
