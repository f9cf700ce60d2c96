#!/usr/bin/env bash
# test_metrics.sh - the Prometheus exporter on a live 3-router membership group: a scrape
# (curl inside each router's namespace) passes "promtool check metrics"; naming rules (xglb_
# prefix, counters end in _total, no per-host labels); counters equal the data-plane maps read
# with bpftool (per-CPU values summed) after known traffic, exactly; gauges equal the status;
# the maps carry BTF (bpftool prints the field names of include/xglb.h); the HTTP side is
# read-only and answers only a Host that is an address or localhost (421 otherwise, counted).
#
# Lab: r1 r2 r3 (r3 AVG), 3 forwarders owned r1,r2,r3; clients c1..c3 hold one vMAC each.
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
CLIENTS=(c1 c2 c3)
URL=http://127.0.0.1:9867
N=100 # pings sent through one forwarder


t_need_built xglbd xglbctl xdp_pass.bpf.o
t_need_tools promtool bpftool curl jq

scrape() { lab_exec "$1" curl -sS --max-time 5 "$URL${2:-/metrics}"; } # router [path]
# metric FILE 'name{labels}': the sample's value ("" if absent)
metric() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
pin() { lab_get "$1" pin_root; }
# Per-CPU sums from bpftool (BTF-formatted values).
bpf_fwd() { # router key field
	# shellcheck disable=SC2046 # the key is four separate bytes
	bpftool map lookup pinned "$(pin "$1")/xglb_fwd_stats" key $(printf '0x%02x 0 0 0' "$2") -j |
		jq "[.formatted.values[].value.$3] | add"
}
bpf_reason() { # router reason-index
	bpftool map lookup pinned "$(pin "$1")/xglb_stats" key "$2" 0 0 0 -j | jq '[.formatted.values[].value] | add'
}

# ---- lab ------------------------------------------------------------------------------
lab_setup "${ROUTERS[@]}" -- "${CLIENTS[@]}"
lab_start_all membership=1 owners=r1,r2,r3 persistence=3 hello_ms=200 hold_ms=2000 || bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 10 lab_agree_owned || bail "r1 r2 r3 agree on one group state, every forwarder owned" "$(lab_views)"
ok "xglbd ready on r1 r2 r3: $(lab_view r1)"
up() { lab_exec "$1" curl -s -o /dev/null --max-time 1 "$URL/metrics"; }
for r in "${ROUTERS[@]}"; do lab_wait 5 up "$r" || bail "$r serves $URL/metrics in its namespace"; done

lab_vmac_clients "${CLIENTS[@]}" || bail "c1..c3 got the 3 vMACs" "$LAB_ERR"
declare -n CL=LAB_CL # forwarder index -> client
ok "c1..c3 hold one vMAC each (fwd0 ${CL[0]}, fwd1 ${CL[1]}, fwd2 ${CL[2]}); the AVG has them in its host table"

# xglbd counts its host table off the event loop, once a second: wait for a count that has them.
counted() { [ "$(scrape r3 | awk '$1 == "xglb_hosts_assigned{group=\"1\"}" { print $2 }')" = 3 ]; }
lab_wait 5 counted || not_ok "the AVG r3 counts its 3 hosts within 5 s (xglb_hosts_assigned)"

# ---- a live scrape: promtool, naming rules ----------------------------------------------
for r in "${ROUTERS[@]}"; do
	scrape "$r" >"$LAB_DIR/$r.prom" || not_ok "curl $URL/metrics in $r's namespace"
	out=$(promtool check metrics <"$LAB_DIR/$r.prom" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ -z "$out" ]; then
		ok "promtool check metrics passes on $r's live scrape ($(grep -vc '^#' "$LAB_DIR/$r.prom") samples)"
	else
		not_ok "promtool check metrics on $r's scrape" "exit $rc" "$out"
	fi
done
ctype=$(lab_exec r1 curl -sS -o /dev/null -w '%{content_type}' "$URL/metrics")
check_eq "Content-Type of /metrics is the text exposition format 0.0.4" "$ctype" "text/plain; version=0.0.4; charset=utf-8"

P=$LAB_DIR/r3.prom # the AVG: it has the host table
[ -n "$(grep -v '^#' "$P")" ] || bail "r3's scrape has samples"
names=$(grep -v '^#' "$P" | sed 's/[{ ].*//' | sort -u)
bad=$(grep -v '^xglb_[a-z0-9_]*$' <<<"$names")
check_empty "every metric name has the xglb_ prefix ($(wc -l <<<"$names") names)" "$bad"
bad=$(awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" && $3 !~ /_total$/ { print $3 }' "$P")
check_empty "every counter ends in _total" "$bad"
bad=$(awk '$1 == "#" && $2 == "TYPE" && $4 != "counter" && $3 ~ /_total$/ { print $3 }' "$P")
check_empty "no gauge ends in _total" "$bad"
# a histogram's samples (_bucket, _sum, _count) are under its family's HELP and TYPE
family() {
	local s b
	for s in _bucket _sum _count; do
		b=${1%"$s"}
		[ "$b" != "$1" ] && grep -q "^# TYPE $b histogram$" "$P" && echo "$b" && return
	done
	echo "$1"
}
bad=$(for n in $names; do f=$(family "$n"); grep -q "^# TYPE $f " "$P" && grep -q "^# HELP $f " "$P" || echo "$n"; done)
check_empty "every metric has HELP and TYPE" "$bad"
labels=$(grep -v '^#' "$P" | grep -o '{.*}' | tr -d '{}' | tr ',' '\n' | sort -u)
bad=$(grep -iE '([0-9a-f]{2}:){5}[0-9a-f]{2}|"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+"|^(mac|host|hwaddr|ip|client|addr)[a-z_]*=' <<<"$labels")
check_empty "no per-host labels: no label holds a MAC or an IP address, none is named after a host" "$bad"
for c in "${CLIENTS[@]}"; do
	grep -qiE "$(lab_mac "$c" eth0)|\"$(lab_get "$c" ip)\"" "$P" && not_ok "client $c appears in a label"
done
check_eq "the per-host state is one gauge per group: xglb_hosts_assigned{group=\"1\"} on the AVG" \
	"$(metric "$P" 'xglb_hosts_assigned{group="1"}')" 3

# ---- gauges against the status ------------------------------------------------------------
for r in "${ROUTERS[@]}"; do
	st=$(lab_status "$r")
	P=$LAB_DIR/$r.prom
	want="$(jq -r '.groups[0] | "\(.version) \(.role) \([.forwarders[] | .owner] | map(tostring) | join(",")) \([.peers[] | select(.up)] | length)"' <<<"$st")"
	got="$(metric "$P" 'xglb_group_state_version{group="1"}') $(awk '/^xglb_group_role\{group="1",/ && $2 == 1' "$P" |
		sed 's/.*role="\([a-z]*\)".*/\1/') $(for i in 0 1 2; do metric "$P" "xglb_forwarder_owner{group=\"1\",forwarder=\"$i\"}"; done |
		paste -sd,) $(grep -c '^xglb_peer_up{group="1",node="r[123]"} 1$' "$P")"
	check_eq "$r: state version, role, forwarder owners, peers up in /metrics = status" "$got" "$want"
	check_eq "$r: xglb_build_info names the node and membership mode" \
		"$(grep -c "^xglb_build_info{version=\"[0-9.]*\",node=\"$r\",mode=\"membership\"} 1$" "$P")" 1
done

# ---- counters against the maps, after known traffic -------------------------------------
# fwd1 is r2's. Only frames to a vMAC move xglb_fwd_stats and xdp_pass_vmac: learning frames
# come FROM vMACs (dropped as peers' ARP), hellos go to real MACs, ARP to a vMAC counts as ARP.
# So with the client quiet, both sides are still, and N pings move them by exactly N.
R=r2
F=1
C=${CL[$F]}
KEY=$((LAB_GID * 16 + F))
VMAC_IDX=$(lab_ctl $R --json stats | jq '.reasons | keys_unsorted | index("xdp_pass_vmac")')
[ "$VMAC_IDX" != null ] || bail "xglbctl stats names the reason xdp_pass_vmac"
dp() { # router -> "fwd_packets fwd_bytes pass_vmac" from bpftool, then from /metrics
	local r=$1 f=$LAB_DIR/$1.now.prom
	echo "$(bpf_fwd "$r" $KEY packets) $(bpf_fwd "$r" $KEY bytes) $(bpf_reason "$r" "$VMAC_IDX")"
	scrape "$r" >"$f"
	echo "$(metric "$f" "xglb_forwarder_packets_total{group=\"$LAB_GID\",forwarder=\"$F\"}") $(metric "$f" "xglb_forwarder_bytes_total{group=\"$LAB_GID\",forwarder=\"$F\"}") $(metric "$f" 'xglb_packets_total{verdict="pass",reason="xdp_pass_vmac"}')"
}
mapfile -t b0 < <(dp $R)
mapfile -t o0 < <(dp r1)
check_eq "$R before: /metrics = bpftool (fwd$F packets, bytes; xdp_pass_vmac), per-CPU values summed" "${b0[1]}" "${b0[0]}"
out=$(lab_exec "$C" ping -c $N -i 0.01 -W 1 -q "$LAB_SERVER_IP")
check "$C: $N pings through fwd$F ($(lab_vmac $F), owner $R) all answered" grep -q "$N packets transmitted, $N received" <<<"$out"
mapfile -t b1 < <(dp $R)
mapfile -t o1 < <(dp r1)
check_eq "$R after: /metrics = bpftool" "${b1[1]}" "${b1[0]}"
read -r p0 y0 v0 <<<"${b0[0]}"
read -r p1 y1 v1 <<<"${b1[0]}"
check_eq "$R: fwd$F packets +$N, bytes +$N x 98 (ICMP echo, 64-byte payload), xdp_pass_vmac +$N" \
	"$((p1 - p0)) $((y1 - y0)) $((v1 - v0))" "$N $((N * 98)) $N"
check_eq "r1 (not the owner): /metrics = bpftool, and its xdp_pass_vmac did not move" \
	"${o1[1]} $(($(cut -d' ' -f3 <<<"${o1[0]}") - $(cut -d' ' -f3 <<<"${o0[0]}")))" "${o1[0]} 0"

# Every reason and forwarder of every router: a scrape between two bpftool snapshots must lie
# between them, and equal them wherever they are equal (the counters nothing moved meanwhile).
# xglb_stats has spare slots past the last reason; the exporter names the reasons only.
NREASONS=$(lab_ctl r3 --json stats | jq '.reasons | length')
snap() { # router -> one line: every reason, then fwd 0..2 packets
	echo "$(bpftool map dump pinned "$(pin "$1")/xglb_stats" -j |
		jq -r --argjson n "$NREASONS" 'sort_by(.formatted.key) | [.[] | [.formatted.values[].value] | add] | .[0:$n] | join(" ")') $(for i in 0 1 2; do bpf_fwd "$1" $((LAB_GID * 16 + i)) packets; done | paste -sd' ')"
}
for r in "${ROUTERS[@]}"; do
	f=$LAB_DIR/$r.all.prom
	a=$(snap "$r")
	scrape "$r" >"$f"
	b=$(snap "$r")
	m="$(grep '^xglb_packets_total{' "$f" | awk '{print $2}' | paste -sd' ') $(for i in 0 1 2; do
		metric "$f" "xglb_forwarder_packets_total{group=\"$LAB_GID\",forwarder=\"$i\"}"; done | paste -sd' ')"
	res=$(awk -v a="$a" -v m="$m" -v b="$b" 'BEGIN {
		na = split(a, A); nm = split(m, M); split(b, B); eq = 0
		if (na != nm) { print "count " nm " != " na; exit }
		for (i = 1; i <= na; i++) {
			if (M[i] + 0 < A[i] + 0 || M[i] + 0 > B[i] + 0) { print "value " i ": " A[i] " <= " M[i] " <= " B[i] " fails"; exit }
			if (A[i] == B[i]) eq++
		}
		print "ok " na " " eq }')
	if [[ $res == ok* ]]; then
		read -r _ n e <<<"$res"
		ok "$r: all $n xglb_packets_total{reason} and xglb_forwarder_packets_total samples = bpftool's per-CPU sums ($e exactly, $((n - e)) moving ones between two snapshots)"
	else
		not_ok "$r: every reason and forwarder counter = bpftool" "$res" "bpftool before: $a" "/metrics:       $m" "bpftool after:  $b"
	fi
done
f=$LAB_DIR/r3.all.prom
tx=$(lab_ctl r3 --json stats | jq '.reasons | .xdp_tx_arp_reply + .xdp_tx_arp_unicast + .xdp_tx_arp_untracked')
check_eq "xglb_arp_replies_total on the AVG = the three ARP-reply reasons" "$(metric "$f" xglb_arp_replies_total)" "$tx"
check_eq "xglb_table_flips_total = the flips in xglb_ctl" \
	"$(metric "$f" xglb_table_flips_total)" "$(lab_ctl r3 --json tables | jq .flips)"
# every commit flips once (none failed here); the histogram's +Inf bucket is its count
n=$(metric "$f" xglb_commit_seconds_count)
check_eq "xglb_commit_seconds: count = +Inf bucket = xglb_table_flips_total, > 0; buckets cumulative" \
	"$n $(metric "$f" 'xglb_commit_seconds_bucket{le="+Inf"}') $(metric "$f" xglb_table_flips_total) $(awk '$1 ~ /^xglb_commit_seconds_bucket/ { if ($2 < last) bad = 1; last = $2 } END { print bad ? "decreasing" : "cumulative" }' "$f")" \
	"$n $n $n cumulative"
check "xglb_commit_seconds_count > 0 and its sum > 0" \
	awk -v n="$n" -v s="$(metric "$f" xglb_commit_seconds_sum)" 'BEGIN { exit !(n > 0 && s > 0) }'
check "xglb_hosts_count_age_seconds on r3 is fresh (< 5 s) and a count was made" \
	awk -v a="$(metric "$f" xglb_hosts_count_age_seconds)" -v c="$(metric "$f" xglb_hosts_counts_total)" 'BEGIN { exit !(a < 5 && c > 0) }'
check_eq "status on r3: the same host count as /metrics (host_table.entries, the group's hosts)" \
	"$(lab_jst r3 '"\(.host_table.entries) \(.groups[0].hosts)"')" \
	"$(metric "$f" 'xglb_map_entries{map="xglb_hosts"}') $(metric "$f" 'xglb_hosts_assigned{group="1"}')"

# ---- BTF: bpftool prints named fields ------------------------------------------------------
pr=$(pin r3)
bpftool map dump pinned "$pr/xglb_groups" >"$LAB_DIR/groups.txt" 2>&1
miss=$(for k in vip id policy flags n_fwd version n_slots ifindex fwd vmac owner weight slots; do
	grep -q "\"$k\": " "$LAB_DIR/groups.txt" || echo "$k"
done)
check_empty "bpftool map dump pinned xglb_groups prints struct xglb_group's field names (BTF)" "$miss"
bank=$(lab_ctl r3 --json tables | jq .active_bank)
# shellcheck disable=SC2046 # the key is four separate bytes
g=$(bpftool map lookup pinned "$pr/xglb_groups" key $(printf '0x%02x 0x%02x 0 0' $(((bank * 256 + LAB_GID) & 255)) $(((bank * 256 + LAB_GID) >> 8))) -j)
check_eq "the active bank's group 1 decodes: id, n_fwd, vMAC of fwd 1, owner ids, version = status" \
	"$(jq -c '.formatted.value | [.id, .n_fwd, .fwd[1].vmac, [.fwd[0:3][].owner], .version]' <<<"$g")" \
	"[$LAB_GID,3,[2,120,103,98,$LAB_GID,1],[1,2,3],$(lab_jst r3 .groups[0].version)]"
# xglb_hosts is an array of ways (set-associative): the ways in use, by their tag's fields
# (the tag is an anonymous union of the word and its fields: bpftool names it "")
bpftool map dump pinned "$pr/xglb_hosts" -j 2>&1 | jq '[.[] | select(.formatted.value[""].id.state == 1)]' >"$LAB_DIR/hosts.json"
miss=$(for k in gid state mac fwd ip first_jiffies last_jiffies; do
	jq -e --arg k "$k" '[.[] | .formatted.value | .. | objects | keys[]] | index($k)' "$LAB_DIR/hosts.json" >/dev/null || echo "$k"
done)
check_empty "bpftool map dump pinned xglb_hosts prints the way's field names (BTF)" "$miss"
want=$(for c in "${CLIENTS[@]}"; do
	m=$(lab_neigh_mac "$c")
	echo "$(lab_mac "$c" eth0) $((16#${m##*:}))"
done | sort | paste -sd,)
got=$(jq -r '.[].formatted.value | "\(.[""].id.mac | map(. | tostring) | join(":")) \(.host.fwd)"' "$LAB_DIR/hosts.json" |
	while read -r mac fwd; do
		printf '%02x:%02x:%02x:%02x:%02x:%02x %s\n' ${mac//:/ } "$fwd"
	done | sort | paste -sd,)
check_eq "xglb_hosts on the AVG: each client's MAC -> the forwarder it holds" "$got" "$want"

# ---- the HTTP side is read-only and small ---------------------------------------------------
check_eq "/api/status is the control socket's status (node, mode, group view)" \
	"$(scrape r2 /api/status | jq -r '"\(.node.name) \(.mode) \(.groups[0].avg_name) \(.groups[0].version)"')" \
	"$(lab_jst r2 '"\(.node.name) \(.mode) \(.groups[0].avg_name) \(.groups[0].version)"')"
check_eq "POST /metrics is refused (405: GET only)" \
	"$(lab_exec r1 curl -s -o /dev/null -w '%{http_code}' -X POST --max-time 5 "$URL/metrics")" 405
check_eq "an unknown path is 404" "$(lab_exec r1 curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/nope")" 404
# DNS rebinding: a page whose own name now points here sends that name as Host.
code() { lab_exec r1 curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $1" "$URL${2:-/metrics}"; }
check_eq "Host: evil.example (a rebound name) is refused: 421 on /metrics, /api/status and /" \
	"$(code evil.example) $(code evil.example:9867 /api/status) $(code evil.example /)" "421 421 421"
check_eq "Host: localhost.evil.example and 127.0.0.1.nip.io are refused (421)" \
	"$(code localhost.evil.example) $(code 127.0.0.1.nip.io:9867)" "421 421"
check_eq "Host: an IP literal, localhost, [::1] with or without a port is served (200)" \
	"$(code 127.0.0.1:9867) $(code 127.0.0.1) $(code localhost:9867) $(code '[::1]:9867')" "200 200 200 200"
check_eq "the refused requests are counted: xglb_requests_refused_total{channel=\"http\",reason=\"host\"}" \
	"$(scrape r1 | metric /dev/stdin 'xglb_requests_refused_total{channel="http",reason="host"}')" 5
check "the exporter listens on 127.0.0.1 only" \
	bash -c "ip netns exec $(lab_ns r1) ss -Hltn 'sport = :9867' | awk '{print \$4}' | grep -qx '127.0.0.1:9867'"

for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" 5; done
t_done
