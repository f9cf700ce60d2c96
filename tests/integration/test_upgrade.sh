#!/usr/bin/env bash
# test_upgrade.sh - an xglbd started over an xglb_xdp of another build (what an older xglbd
# leaves attached when it is killed for an upgrade whose maps still fit) replaces it in place
# rather than adopting it by its name: the interface has a program at every moment, the one
# attached at the end is this build's (its tag, logged with the old one), the pinned host
# table and the clients' vMACs survive; a restart over this build's own program adopts it
# (same id); a restart over an xglb_stats pinned with the older size (128 slots) replaces the
# map, says so, and replaces the program that used it. The other build is the lab's stand-in, xglb_xdp in build/xdp_pass.bpf.o: same
# name, other code (it passes every frame, so with it nothing is answered).
# Prints TAP-like "ok - ..." / "not ok - ..." lines.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

t_need_built xglbd xglbctl xdp_pass.bpf.o

lab_init
lab_router r1
lab_client c1
lab_client c2
lab_server
ns=$(lab_ns r1)
log=$(lab_xglbd_log r1)
# a lease far longer than the test: while xglbd is down the data path may answer, so what
# is not answered then is the stand-in's doing
cfg=$(lab_write_config r1 owners=r1,r1 datapath=xdp xdp_mode=native lease_ms=600000)

xdp_id() { ip -n "$ns" -o link show dev eth0 | grep -o 'prog/xdp id [0-9]*' | grep -o '[0-9]*$'; }
prog() { bpftool prog show id "$1" -j | jq -r ".$2"; } # prog ID name|tag
hosts() { lab_ctl r1 --json hosts | jq -c '[.[] | [.mac, .forwarder]] | sort'; }
reach() { lab_exec "$1" ip neigh flush dev eth0 && lab_exec "$1" ping -c 2 -i 0.2 -W 1 -q "$LAB_SERVER_IP" >/dev/null; }

lab_start_xglbd r1 "$cfg" || bail "xglbd starts on r1"
ok "xglbd starts on r1"
check "c1 reaches the server through the VIP" reach c1
check "c2 reaches the server through the VIP" reach c2
vmacs0="$(lab_neigh_mac c1) $(lab_neigh_mac c2)"
hosts0=$(hosts)
check_eq "both clients are in the host table" "$(jq length <<<"$hosts0")" 2
id0=$(xdp_id)
tag0=$(prog "$id0" tag)
check_eq "xglb_xdp attached (id $id0, tag $tag0)" "$(prog "$id0" name)" xglb_xdp

# ---- the other build's xglb_xdp in place of this one, xglbd down ----------------------------
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd"
ip -n "$ns" -force link set dev eth0 xdpdrv obj "$LAB_BUILD/xdp_pass.bpf.o" sec xdp ||
	bail "the stand-in xglb_xdp attached to r1's eth0"
sid=$(xdp_id)
stag=$(prog "$sid" tag)
standin() { [ "$(prog "$sid" name)" = xglb_xdp ] && [ "$sid" != "$id0" ] && [ "$stag" != "$tag0" ]; }
check "the stand-in runs: named xglb_xdp, another id and tag ($sid $stag)" standin
check_fails "with it c1's ARP for the VIP is not answered" reach c1

# ---- xglbd starts over it, eth0's XDP program sampled all along ------------------------------
samples=$LAB_DIR/xdp_ids
lab_bg r1 "$samples" bash -c 'while :; do
	ip -o link show dev eth0 | grep -o "prog/xdp id [0-9]*" | grep -o "[0-9]*\$" || echo none
done'
sampler=$LAB_BG_PID
sampled() { [ "$(grep -c . "$samples")" -ge "$1" ]; }
lab_wait 5 sampled 3 || bail "the XDP program id sampler runs"
lab_start_xglbd r1 "$cfg" || bail "xglbd starts over the stand-in"
ok "xglbd starts over the stand-in"
id1=$(xdp_id)
n=$(grep -c . "$samples")
lab_wait 5 sampled $((n + 3)) # a few samples after the start
kill "$sampler" && wait "$sampler" 2>/dev/null
check "replaced in place, saying so with the old and the new tag" grep -q \
	"eth0 (ifindex [0-9]*): replacing the xglb_xdp program attached (id $sid, tag $stag: another build) by this xglbd's (tag $tag0), in place, keeping the pinned maps" "$log"
check_eq "eth0 runs this build's xglb_xdp (name, tag)" "$(prog "$id1" name) $(prog "$id1" tag)" "xglb_xdp $tag0"
check "... not the stand-in (id $sid -> $id1)" [ "$id1" != "$sid" ]
seen=$(uniq "$samples" | paste -sd' ' -)
check_eq "eth0 had a program at every sample: the stand-in, then this build's" "$seen" "$sid $id1"
check_eq "the host table survived (hosts, forwarders)" "$(hosts)" "$hosts0"
check "c1 reaches the server again" reach c1
check "c2 reaches the server again" reach c2
check_eq "... with the vMACs they had" "$(lab_neigh_mac c1) $(lab_neigh_mac c2)" "$vmacs0"

# ---- a restart over this build's program adopts it ------------------------------------------
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd (again)"
lab_start_xglbd r1 "$cfg" || bail "xglbd restarts over its own program"
check "this build's program is adopted, by its tag" grep -q \
	"eth0 (ifindex [0-9]*): adopting the xglb_xdp program already attached (native mode): id $id1, tag $tag0, this xglbd's build" "$log"
check_eq "... the same program (id $id1)" "$(xdp_id)" "$id1"
check_none "... nothing replaced" "replacing the xglb_xdp" cat "$log"
check "c1 reaches the server after the adoption" reach c1

# ---- a restart over an xglb_stats pinned with the older size (128 slots, before 256) ----------
# What an xglbd from before drop_ndp_vip_conflict left: the map is replaced (logged), and the
# program using it with it, not adopted; the counters go on in the new map.
lab_kill_xglbd r1 || bail "kill -9 of r1's xglbd (before the xglb_stats swap)"
pin=$(lab_get r1 pin_root)
rm -f "$pin/xglb_stats"
bpftool map create "$pin/xglb_stats" type percpu_array key 4 value 8 entries 128 name xglb_stats ||
	bail "an xglb_stats of 128 slots pinned in its place"
lab_start_xglbd r1 "$cfg" || bail "xglbd restarts over the older xglb_stats"
check "the older xglb_stats is replaced, saying so" grep -q \
	"$pin/xglb_stats was pinned by an older xglb (type 6, key 4, value 8, 128 entries, flags 0; now 6, 4, 8, 256, 0) or with another host-table-size: replacing it, the state it held is lost" "$log"
check_eq "... by one of 256 slots" "$(bpftool map show pinned "$pin/xglb_stats" -j | jq .max_entries)" 256
check "the program that used the old map is replaced, not adopted" grep -q \
	"eth0 (ifindex [0-9]*): replacing the older xglb_xdp program attached (id $id1, tag $tag0; it uses the replaced maps) by this xglbd's (tag $tag0), in place" "$log"
check_eq "the host table survived (hosts, forwarders)" "$(hosts)" "$hosts0"
check "c1 reaches the server after the swap" reach c1
check "... its ARP answered and counted in the new map (xdp_tx_arp_reply)" \
	bash -c '[ "$1" -gt 0 ]' _ "$(lab_reason r1 xdp_tx_arp_reply)"

t_done
