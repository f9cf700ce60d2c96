#!/usr/bin/env bash
# hello_flood.sh - an unauthenticated hello flood must not cause a failover (make bench). Prints
# "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh): routers r1 r2 (hello 50 ms, hold 150 ms), clients c1 c2 as
# attackers without the key. Each attacker sends forged hellos (tests/tools/xglb_inject flood:
# well-formed, TTL 255, a random HMAC, priority 255, claiming every forwarder) to one router's
# membership port as fast as sendmmsg goes, for FLOOD_MS (5000); both floods run at once.
#
#   hello_flood_role_changes   AVG and owner changes both routers counted from the start of the
#                              flood to 1 s after it (goal 0)
#   hello_flood_pps            forged hellos sent per second, both attackers together
#   hello_flood_rejected       datagrams the routers dropped as "auth" meanwhile
#   hello_flood_rejected_share rejected / sent (what reached the daemons; the rest was lost
#                              on the way: socket buffers)
# Needs root and jq; everything runs in the lab's namespaces and is removed on exit.
source "$(dirname "$0")/benchlib.sh" || exit 1 # shellcheck source=tests/bench/benchlib.sh
FLOOD_MS=${FLOOD_MS:-5000}
XGLB_PORT=7867

changes() { lab_jst "$1" '[.groups[].events | .avg_changes + .owner_changes] | add'; }
rejected() { lab_jst "$1" '.membership.auth // 0'; }
fail() {
	echo "hello_flood: $*" >&2
	exit 1
}

lab_setup r1 r2 -- c1 c2
lab_start_all membership=1 owners=r1,r2 hello_ms=50 hold_ms=150 || fail "$LAB_ERR"
lab_wait 10 lab_agree_owned || fail "r1 r2 do not agree: $(lab_views)"
sleep 1 # settle: the start-up's own changes are counted before the flood, not during it

c0=$(($(changes r1) + $(changes r2)))
a0=$(($(rejected r1) + $(rejected r2)))
lab_exec c1 "$LAB_BUILD/tools/xglb_inject" flood "$(lab_get r1 ip)" $XGLB_PORT "$LAB_GID" 99 "$FLOOD_MS" >"$LAB_DIR/flood.c1" &
p1=$!
lab_exec c2 "$LAB_BUILD/tools/xglb_inject" flood "$(lab_get r2 ip)" $XGLB_PORT "$LAB_GID" 98 "$FLOOD_MS" >"$LAB_DIR/flood.c2" &
p2=$!
wait $p1 $p2 || fail "flood did not run"
sleep 1
c1=$(($(changes r1) + $(changes r2)))
a1=$(($(rejected r1) + $(rejected r2)))
sent=$(($(jq .sent "$LAB_DIR/flood.c1") + $(jq .sent "$LAB_DIR/flood.c2")))
pps=$(jq -s 'map(.pps) | add | floor' "$LAB_DIR/flood.c1" "$LAB_DIR/flood.c2")
lab_agree_owned || echo "# after the flood r1 r2 disagree: $(lab_views)"
echo "BENCH hello_flood_role_changes $((c1 - c0)) changes"
echo "BENCH hello_flood_pps $pps pps"
echo "BENCH hello_flood_rejected $((a1 - a0)) datagrams"
echo "BENCH hello_flood_rejected_share $(awk -v r=$((a1 - a0)) -v s="$sent" 'BEGIN { printf "%.2f", s ? r / s : 0 }') ratio"
