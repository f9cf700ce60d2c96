#!/usr/bin/env bash
# test_daemon.sh - xglbd's lifecycle on a real router namespace: config test, attach, reload
# (good and bad), egress guard against the real kernel, kill -9 + lease + adoption, clean stop.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

BUILD=${BUILD:-build}

# ---- command line, no lab needed ----------------------------------------

out=$($BUILD/xglbd --config examples/xglb.yaml --config-test 2>&1)
rc=$?
check "config-test accepts the example config (exit 0, says ok)" \
	bash -c '[ "$1" = 0 ] && [[ $2 == *": ok ("* ]]' _ "$rc" "$out"

bad=$(mktemp /tmp/xglb-bad.XXXXXX.yaml)
sed -e 's/vip: 10.0.0.1/vip: 10.0.0.300/' -e 's/policy: round-robin/policy: fastest/' \
	examples/xglb.yaml >"$bad"
out=$($BUILD/xglbd --config "$bad" --config-test 2>&1)
rc=$?
vipline=$(grep -n 'vip: 10.0.0.300' "$bad" | cut -d: -f1)
polline=$(grep -n 'policy: fastest' "$bad" | cut -d: -f1)
check "config-test rejects a bad config with exit 1" [ "$rc" = 1 ]
check "config-test names file, line and field of the bad VIP" \
	grep -q "^$bad:$vipline: groups\[0\]\.vip: " <<<"$out"
check "config-test reports every problem (the bad policy too)" \
	grep -q "^$bad:$polline: groups\[0\]\.policy: " <<<"$out"
rm -f "$bad"

out=$($BUILD/xglbd --no-such-option 2>&1)
check "xglbd: unknown option exits 2" [ $? = 2 ]
out=$($BUILD/xglbctl frobnicate 2>&1)
rc=$?
check_one_line_error() { [ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "unknown command 'frobnicate'" <<<"$out"; }
check "xglbctl: unknown command is a one-line error, exit 2" check_one_line_error
out=$($BUILD/xglbctl --pin-root /nonexistent/xglb stats 2>&1)
rc=$?
check "xglbctl: missing maps name the path, exit 1" \
	bash -c '[ "$1" = 1 ] && grep -q /nonexistent/xglb/xglb_stats <<<"$2"' _ "$rc" "$out"

# ---- the systemd unit names the binaries where make install put them --------

dest=$(mktemp -d /tmp/xglb-install.XXXXXX)
for prefix in /usr /opt/xglb; do
	make -s install BUILD="$BUILD" DESTDIR="$dest" PREFIX="$prefix" >/dev/null 2>&1 ||
		not_ok "make install PREFIX=$prefix succeeds"
	unit=$dest/lib/systemd/system/xglbd.service
	execs=$(grep -E '^Exec(Start|StartPre)=' "$unit" 2>/dev/null | sed -E 's/^[^=]*=([^ ]*).*/\1/' | sort -u)
	check_eq "unit for PREFIX=$prefix starts $prefix/sbin/xglbd" "$execs" "$prefix/sbin/xglbd"
	check "unit for PREFIX=$prefix: the binary it starts was installed there" test -x "$dest$prefix/sbin/xglbd"
	check_none "unit for PREFIX=$prefix: no placeholder left" '@[A-Z]+@' cat "$unit"
done
rm -rf "$dest"

# ---- one router, three forwarders it owns itself ------------------------

lab_init
lab_router r1
lab_client c1
lab_server
cfg=$(lab_write_config r1 owners=r1,r1,r1 lease_ms=1000)
pr=$(lab_get r1 pin_root)
lab_start_xglbd r1 "$cfg" || bail "xglbd starts and gets ready"
ok "xglbd starts and gets ready"

check "XDP program attached to eth0" \
	bash -c "ip -n $(lab_ns r1) -d link show eth0 | grep -q 'prog/xdp'"
hook() { lab_tc_progs r1 eth0 "$1" | paste -sd, -; } # the programs at eth0's tc hook, in order
check_eq "tc ingress fix-up and egress guard attached at the tcx hooks, no clsact filter" \
	"$(hook ingress) $(hook egress)" "tcx:xglb_tc_ingress tcx:xglb_tc_egress"
status_tcx() {
	lab_status r1 | jq -e '.datapath.tc_attach == "tcx" and
		.datapath.interfaces[0].tcx_ingress == ["xglb_tc_ingress"] and
		.datapath.interfaces[0].tcx_egress == ["xglb_tc_egress"]' >/dev/null
}
check "status says the tc programs are at tcx, and lists them" status_tcx
check "VIP is a /32 on lo" bash -c "ip -n $(lab_ns r1) -4 addr show dev lo | grep -q '$LAB_VIP/32'"
check "arp_announce=2 on the group interface and all" \
	bash -c "[ \$(ip netns exec $(lab_ns r1) sysctl -n net.ipv4.conf.eth0.arp_announce net.ipv4.conf.all.arp_announce | paste -sd,) = 2,2 ]"
check "maps pinned under the pin root" test -e "$pr/xglb_groups" -a -e "$pr/xglb_hosts"

check "client reaches the server through the gateway" lab_exec c1 ping -c 3 -i 0.2 -W 1 -q $LAB_SERVER_IP
check "client pings the gateway address itself" lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_VIP
first_vmac=$(lab_neigh_mac c1)
check "client holds vMAC of forwarder 0 for the VIP" [ "$first_vmac" = "$(lab_vmac 0)" ]

tables() { lab_ctl r1 --json tables; }
policy_is() { [ "$(tables | jq -r '.groups[0].policy')" = "$1" ]; }
heartbeat_older_than() { [ "$(tables | jq .heartbeat_age_ms)" -gt "$1" ]; }
v1=$(tables | jq '.groups[0].version')

# Reload with a changed policy: applied, version moves on.
sed -i 's/policy: round-robin/policy: weighted/' "$cfg"
check "SIGHUP reloads" lab_reload_xglbd r1
check "SIGHUP applies a changed policy" policy_is weighted
v2=$(tables | jq '.groups[0].version')
check "table version advances on reload ($v1 -> $v2)" [ "$v2" -gt "$v1" ]

# Reload with a broken file: logged, nothing changes.
cp "$cfg" "$cfg.good"
echo "frobnicate: 1" >>"$cfg"
log=$(lab_xglbd_log r1)
lab_signal_xglbd r1 HUP
lab_wait 5 grep -q "keeping the running configuration" "$log"
check "bad reload is refused with the error logged" grep -q "frobnicate: unknown field" "$log"
check "bad reload keeps the running tables" [ "$(tables | jq '.groups[0].version')" = "$v2" ]
cp "$cfg.good" "$cfg"

# The egress guard against the real kernel: let the kernel pick the VIP as
# ARP source (arp_announce 0 on eth0 and all: the kernel uses the higher of
# the two; no neighbour entry) and watch it being dropped.
lab_arp_counters_init
g0=$(lab_reason r1 tc_egress_drop_vip_arp)
lab_exec r1 sysctl -qw net.ipv4.conf.eth0.arp_announce=0 net.ipv4.conf.all.arp_announce=0
lab_exec r1 ip neigh flush dev eth0
lab_exec r1 ping -c 1 -W 1 -I $LAB_VIP 10.0.0.101 >/dev/null 2>&1
lab_exec r1 sysctl -qw net.ipv4.conf.eth0.arp_announce=2 net.ipv4.conf.all.arp_announce=2
g1=$(lab_reason r1 tc_egress_drop_vip_arp)
check "guard drops the kernel's ARP that names the VIP ($g0 -> $g1)" [ "$g1" -gt "$g0" ]
check "no ARP on the segment names the VIP with a real MAC" [ "$(lab_arp_counter vip_real)" = 0 ]

# kill -9: the data plane keeps forwarding; after the lease it stops answering ARP.
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
check "after kill -9 the client still reaches the server (forwarding goes on)" \
	lab_exec c1 ping -c 3 -i 0.2 -W 1 -q $LAB_SERVER_IP
check "after kill -9 programs stay attached and maps pinned" \
	bash -c "ip -n $(lab_ns r1) -d link show eth0 | grep -q 'prog/xdp' && test -e $pr/xglb_hosts"
l0=$(lab_reason r1 xdp_drop_arp_lease)
lab_wait 5 heartbeat_older_than 1100
lab_exec c1 ip neigh flush dev eth0
lab_exec c1 ping -c 1 -W 1 $LAB_SERVER_IP >/dev/null 2>&1
l1=$(lab_reason r1 xdp_drop_arp_lease)
check "with the lease expired ARP for the VIP is not answered ($l0 -> $l1)" [ "$l1" -gt "$l0" ]
check "... and the client has no answer for the VIP" lab_no_neigh c1

# While it is down: another user's programs join the tcx hooks (ingress last, egress first),
# and a filter at xglb's clsact handle stands for one an xglbd without tcx left.
tcx_ids() { lab_exec r1 "$LAB_BUILD/tools/xglb_tcx" show eth0 | awk '$3 ~ /^xglb_/ { print $2 }' | paste -sd, -; }
ids0=$(tcx_ids)
lab_exec r1 "$LAB_BUILD/tools/xglb_tcx" attach eth0 ingress "$LAB_BUILD/xdp_pass.bpf.o" tc_pass last &&
	lab_exec r1 "$LAB_BUILD/tools/xglb_tcx" attach eth0 egress "$LAB_BUILD/xdp_pass.bpf.o" tc_pass first &&
	lab_exec r1 tc qdisc add dev eth0 clsact &&
	lab_exec r1 tc filter add dev eth0 ingress prio 120 handle 0x7867 bpf da \
		obj "$LAB_BUILD/xdp_pass.bpf.o" sec tc ||
	bail "other programs at r1's tc hooks"
# Restart: adopts the attached program and the pinned maps (host table, versions).
if lab_start_xglbd r1 "$cfg"; then ok "xglbd restarts over the pinned state"; else not_ok "xglbd restarts over the pinned state"; fi
check "restart adopts the attached XDP program" grep -q "adopting the xglb_xdp program" "$log"
check_eq "restart: exactly one xglb program per tc hook, first at ingress and last at egress, the other user's kept, the old clsact filter gone" \
	"$(hook ingress) $(hook egress)" "tcx:xglb_tc_ingress,tcx:tc_pass tcx:tc_pass,tcx:xglb_tc_egress"
ids1=$(tcx_ids)
check "restart: the new process's programs took the old ones' places ($ids0 -> $ids1)" \
	bash -c "[ -n '$ids0' ] && [ -n '$ids1' ] && [ '$ids0' != '$ids1' ]"
version_above() { [ "$(tables | jq '.groups[0].version')" -gt "$1" ] 2>/dev/null; }
lab_wait 5 version_above "$v2"
v3=$(tables | jq '.groups[0].version')
check "restart continues the version sequence ($v2 -> $v3)" [ "$v3" -gt "$v2" ]
lab_exec c1 ip neigh flush dev eth0
check "client reaches the server after the restart" lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_SERVER_IP
check "the host table survived: same vMAC as before" [ "$(lab_neigh_mac c1)" = "$first_vmac" ]
possible_cpus() { awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }' /sys/devices/system/cpu/possible; }
hosts_cap=$((65536 * $(possible_cpus)))
check_eq "xglb_hosts holds 65536 hosts per possible CPU" \
	"$(bpftool map show pinned "$pr/xglb_hosts" -j | jq .max_entries)" "$hosts_cap"

# Upgrade over pins an older xglb left: a pinned map of another layout is replaced, not
# reused (load would fail), and the old program that used it gives way to ours.
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
rm "$pr/xglb_hosts"
bpftool map create "$pr/xglb_hosts" type lru_hash key 8 value 16 entries 1024 name xglb_hosts
if lab_start_xglbd r1 "$cfg"; then ok "xglbd starts over a pinned map of an older layout"; else not_ok "xglbd starts over a pinned map of an older layout"; fi
check "it says the stale pinned map is replaced and its state lost" \
	grep -q "xglb_hosts was pinned by an older xglb (type 9, key 8, value 16, 1024 entries.*the state it held is lost" "$log"
check "it replaces the attached program that used the stale map" grep -q "replacing the older xglb_xdp program" "$log"
check_eq "the pinned xglb_hosts now has this xglb's layout" \
	"$(bpftool map show pinned "$pr/xglb_hosts" -j | jq -r '"\(.type) \(.bytes_value) \(.max_entries)"')" "array 32 $hosts_cap"
lab_exec c1 ip neigh flush dev eth0
check "client reaches the server through the replaced program" lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_SERVER_IP
learned() { [ "$(lab_ctl r1 --json hosts | jq length)" -ge 1 ]; }
check "the new host table learned the client" learned

# Upgrade from an xglb whose host table was a hash (preallocated; LRU before it) of
# struct xglb_host_key -> struct xglb_host: its hosts are carried over into the
# set-associative table, not lost (and the client keeps its vMAC).
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
lab_ctl r1 --json hosts >"$LAB_DIR/hosts_old.json"
n_old=$(jq length "$LAB_DIR/hosts_old.json")
vmac_old=$(lab_neigh_mac c1)
rm "$pr/xglb_hosts"
bpftool map create "$pr/xglb_hosts" type hash key 8 value 24 entries 1024 name xglb_hosts
# key: gid, pad, MAC; value: fwd, flags (established 2, NDP 1), pad, IPv4, two jiffies stamps
jq -r '.[] | "\(.group) \(.mac | gsub(":"; " ")) \(.forwarder) \((if .established then 2 else 0 end) + (if .ipv6 then 1 else 0 end)) \(.ipv4 // "0.0.0.0" | gsub("\\."; " "))"' \
	"$LAB_DIR/hosts_old.json" | while read -r g m0 m1 m2 m3 m4 m5 f fl i0 i1 i2 i3; do
	bpftool map update pinned "$pr/xglb_hosts" key hex "$(printf '%02x' "$g")" 00 $m0 $m1 $m2 $m3 $m4 $m5 \
		value hex "$(printf '%02x' "$f")" "$(printf '%02x' "$fl")" 00 00 $(printf '%02x ' "$i0" "$i1" "$i2" "$i3") \
		$(printf '00 %.0s' $(seq 16))
done
# and one host no client is: 02:aa:00:00:00:01 on forwarder 1
syn_key="$(printf '%02x' "$LAB_GID") 00 02 aa 00 00 00 01"
bpftool map update pinned "$pr/xglb_hosts" key hex $syn_key value hex 01 $(printf '00 %.0s' $(seq 23))
if lab_start_xglbd r1 "$cfg"; then ok "xglbd starts over a hash host table"; else not_ok "xglbd starts over a hash host table"; fi
check "it says the hash table's entries are carried over" \
	grep -q "xglb_hosts was pinned by an older xglb (type 1, key 8, value 24, 1024 entries.*its entries carried over" "$log"
check "it carried every host over ($n_old + 1)" grep -q "xglb_hosts: $((n_old + 1)) hosts carried over" "$log"
lab_ctl r1 --json hosts >"$LAB_DIR/hosts_new.json"
check_eq "the new table is the set-associative array (type array), holding them" \
	"$(bpftool map show pinned "$pr/xglb_hosts" -j | jq -r .type) $(jq length "$LAB_DIR/hosts_new.json")" \
	"array $((n_old + 1))"
check_eq "the synthetic host keeps forwarder 1" \
	"$(jq '.[] | select(.mac == "02:aa:00:00:00:01") | .forwarder' "$LAB_DIR/hosts_new.json")" 1
check_eq "the clients keep their forwarders and standing" \
	"$(jq -c '[.[] | select(.mac != "02:aa:00:00:00:01") | [.mac, .forwarder, .established]] | sort' "$LAB_DIR/hosts_new.json")" \
	"$(jq -c '[.[] | [.mac, .forwarder, .established]] | sort' "$LAB_DIR/hosts_old.json")"
lab_exec c1 ip neigh flush dev eth0
check "client reaches the server after the upgrade" lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_SERVER_IP
check "the client keeps its vMAC across the upgrade" [ "$(lab_neigh_mac c1)" = "$vmac_old" ]

# Once ours is attached, what made it replace the older program is over: eth0 re-created
# (new ifindex) gets ours, named in the log, and a reload after it adopts what is attached
# rather than detaching it (for a moment no data path on the interface).
xdp_id() { ip -n "$(lab_ns r1)" -j link show dev eth0 | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // empty'; }
has_xdp_id() { [ -n "$(xdp_id)" ]; }
new_ifx=$(lab_replug r1 eth0)
check "re-created eth0 (ifindex $new_ifx): XDP attached to it again (5 s)" lab_wait 5 has_xdp_id
check "... the log names it: eth0 (ifindex $new_ifx): data path xdp" \
	grep -q "info: eth0 (ifindex $new_ifx): data path xdp" "$log"
id0=$(xdp_id)
lab_reload_xglbd r1 || not_ok "SIGHUP reloads r1"
check_eq "reload after the re-creation: the XDP program on eth0 is the same (id $id0)" "$(xdp_id)" "$id0"
check "... adopted, naming the interface" \
	grep -q "eth0 (ifindex $new_ifx): adopting the xglb_xdp program already attached" "$log"
check_eq "... never replaced again (one 'replacing the older' line, at the start)" \
	"$(grep -c "replacing the older xglb_xdp program" "$log")" 1
lab_exec c1 ip neigh flush dev eth0
check "client reaches the server after the re-creation and the reload" \
	lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_SERVER_IP

# Generic (skb) mode: a restart adopts an xglb_xdp attached in generic mode as it does a
# native one (same program, the pinned host table), and replaces one in the other mode.
kernel_xdp() { lab_status r1 | jq -r '.datapath.interfaces[] | select(.name == "eth0") | "\(.xdp_mode) \(.xdp)"'; }
gcfg=$LAB_DIR/r1-generic.yaml
{ echo "xdp-mode: generic"; grep -v '^xdp-mode:' "$cfg"; } >"$gcfg"
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
lab_start_xglbd r1 "$gcfg" || bail "xglbd starts with xdp-mode: generic over the native attach"
check "xdp-mode generic over a native xglb_xdp: replaced, saying so" \
	grep -q "eth0 (ifindex [0-9]*): replacing the xglb_xdp program attached in native mode (xdp-mode generic: generic (skb) mode)" "$log"
check_eq "... xglb_xdp in generic mode (status, the kernel)" "$(kernel_xdp)" "generic generic"
lab_exec c1 ip neigh flush dev eth0
check "client reaches the server through generic XDP" lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_SERVER_IP
gvmac=$(lab_neigh_mac c1) gid0=$(xdp_id)
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd (generic)"
lab_start_xglbd r1 "$gcfg" || bail "xglbd restarts over the generic attach"
check "restart adopts the XDP program attached in generic mode" \
	grep -q "eth0 (ifindex [0-9]*): adopting the xglb_xdp program already attached (generic (skb) mode)" "$log"
check_none "... replaces nothing" "replacing" cat "$log"
check_eq "... the same program (id $gid0), still generic" "$(xdp_id) $(kernel_xdp)" "$gid0 generic generic"
lab_exec c1 ip neigh flush dev eth0
check "client reaches the server after the generic restart" lab_exec c1 ping -c 2 -i 0.2 -W 1 -q $LAB_SERVER_IP
check_eq "the host table survived the generic restart: the client's vMAC is the same" \
	"$(lab_neigh_mac c1)" "$gvmac"
# back to native, as configured before (the clean stop below checks native's traces)
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd (generic, again)"
lab_start_xglbd r1 "$cfg" || bail "xglbd starts native over the generic attach"
check "native over a generic xglb_xdp: replaced, saying so" \
	grep -q "replacing the xglb_xdp program attached in generic (skb) mode (xdp-mode native: native mode)" "$log"
check_eq "... xglb_xdp native again (status, the kernel)" "$(kernel_xdp)" "native native"

# Clean stop: everything ours is gone, nothing else is touched.
lab_xglbd_running r1 || bail "xglbd runs on r1 before the clean stop"
# (eth0 was re-created since the restart above: another user's programs join its hooks again)
lab_exec r1 "$LAB_BUILD/tools/xglb_tcx" attach eth0 ingress "$LAB_BUILD/xdp_pass.bpf.o" tc_pass last &&
	lab_exec r1 "$LAB_BUILD/tools/xglb_tcx" attach eth0 egress "$LAB_BUILD/xdp_pass.bpf.o" tc_pass first ||
	bail "other programs at r1's tc hooks before the clean stop"
lab_stop_xglbd r1
check_eq "SIGTERM exits 0" "$?" 0
check_none "SIGTERM detaches XDP" 'prog/xdp' ip -n "$(lab_ns r1)" -d link show eth0
check_eq "SIGTERM detaches our tc programs, and only ours" "$(hook ingress) $(hook egress)" \
	"tcx:tc_pass tcx:tc_pass"
check_none "SIGTERM removes the VIP from lo" "$LAB_VIP/32" ip -n "$(lab_ns r1)" -4 addr show dev lo
check "SIGTERM unpins the maps (the pin root stays)" bash -c '[ -d "$1" ] && [ ! -e "$1/xglb_groups" ]' _ "$pr"

# systemd's protocol (Type=notify, WatchdogSec=, ExecReload=): a stand-in NOTIFY_SOCKET.
notes=$LAB_DIR/notify.log
lab_bg r1 "$notes" "$BUILD/tools/xglb_notify" "$LAB_DIR/notify.sock" 30
lab_wait 5 test -S "$LAB_DIR/notify.sock" || bail "the stand-in NOTIFY_SOCKET listens"
export NOTIFY_SOCKET=$LAB_DIR/notify.sock WATCHDOG_USEC=400000
lab_start_xglbd r1 "$cfg" || bail "xglbd starts with NOTIFY_SOCKET set"
unset NOTIFY_SOCKET WATCHDOG_USEC
check "sd_notify READY=1 once ready" lab_wait 5 grep -qx "READY=1" "$notes"
check "sd_notify WATCHDOG=1 with the heartbeat (WatchdogSec)" lab_wait 5 grep -qx "WATCHDOG=1" "$notes"
lab_signal_xglbd r1 HUP
two_ready() { [ "$(grep -cx READY=1 "$notes")" -ge 2 ]; }
reload_notified() { two_ready && grep -qx "RELOADING=1" "$notes"; }
check "sd_notify RELOADING=1 then READY=1 on SIGHUP" lab_wait 5 reload_notified
lab_stop_xglbd r1
check "sd_notify STOPPING=1 on SIGTERM" lab_wait 5 grep -qx "STOPPING=1" "$notes"

t_done
