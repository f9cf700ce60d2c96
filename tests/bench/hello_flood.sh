#!/usr/bin/env bash
# hello_flood.sh - an unauthenticated hello flood must not cause a failover (make bench). Prints
# "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh): routers r1 r2 (hello 50 ms, hold 150 ms), clients c1 c2 as
# attackers without the key. Each attacker sends forged hellos (tests/tools/xglb_inject flood:
# well-formed, TTL 255, a random HMAC, priority 255, claiming every forwarder) to one router's
# membership port as fast as sendmmsg goes, for FLOOD_MS (5000); both floods run at once.
# Two rounds:
#   1. from the attackers' own addresses: the membership socket's filter drops them in the
#      kernel (kernel_dropped);
#   2. forging the other router's address and node id (c1 -> r1 as r2, c2 -> r2 as r1): the
#      filter admits them, the HMAC rejects them (auth); the socket buffer must not crowd the
#      real hellos out.
#
#   hello_flood_role_changes         AVG and owner changes both routers counted from the start
#                                    of round 1 to 1 s after it (goal 0)
#   hello_flood_pps                  forged hellos sent per second in round 1, both attackers
#   hello_flood_kernel_dropped_share datagrams the routers' kernels dropped / sent (round 1)
#   hello_flood_rejected_share       datagrams the daemons rejected as "auth" / sent (round 1)
#   hello_flood_forged_src_role_changes, _pps, _kernel_dropped_share, _rejected_share
#                                    the same for round 2 (goal 0; rejected_share near 1:
#                                    the daemons verified what was sent, nothing was lost)
# Needs root and jq; everything runs in the lab's namespaces and is removed on exit.
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1
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

kdropped() { lab_jst "$1" '.membership.kernel_dropped // 0'; }

# round NAME_PREFIX [forge]: both floods at once, then the figures of that round.
round() {
	local pfx=$1 forge=${2:-} c0 a0 k0 c1 a1 k1 sent pps p1 p2 s1=() s2=()
	if [ -n "$forge" ]; then
		s1=("$(lab_get r2 ip)") s2=("$(lab_get r1 ip)")
		n1=$(lab_get r2 index) n2=$(lab_get r1 index)
	else
		n1=99 n2=98
	fi
	c0=$(($(changes r1) + $(changes r2)))
	a0=$(($(rejected r1) + $(rejected r2)))
	k0=$(($(kdropped r1) + $(kdropped r2)))
	lab_exec c1 "$LAB_BUILD/tools/xglb_inject" flood "$(lab_get r1 ip)" $XGLB_PORT "$LAB_GID" "$n1" "$FLOOD_MS" "${s1[@]}" >"$LAB_DIR/flood.c1" &
	p1=$!
	lab_exec c2 "$LAB_BUILD/tools/xglb_inject" flood "$(lab_get r2 ip)" $XGLB_PORT "$LAB_GID" "$n2" "$FLOOD_MS" "${s2[@]}" >"$LAB_DIR/flood.c2" &
	p2=$!
	wait $p1 $p2 || fail "flood did not run"
	sleep 1
	c1=$(($(changes r1) + $(changes r2)))
	a1=$(($(rejected r1) + $(rejected r2)))
	k1=$(($(kdropped r1) + $(kdropped r2)))
	sent=$(($(jq .sent "$LAB_DIR/flood.c1") + $(jq .sent "$LAB_DIR/flood.c2")))
	pps=$(jq -s 'map(.pps) | add | floor' "$LAB_DIR/flood.c1" "$LAB_DIR/flood.c2")
	lab_agree_owned || echo "# after the flood r1 r2 disagree: $(lab_views)"
	echo "BENCH ${pfx}_role_changes $((c1 - c0)) changes"
	echo "BENCH ${pfx}_pps $pps pps"
	echo "BENCH ${pfx}_kernel_dropped_share $(awk -v r=$((k1 - k0)) -v s="$sent" 'BEGIN { printf "%.2f", s ? r / s : 0 }') ratio"
	echo "BENCH ${pfx}_rejected_share $(awk -v r=$((a1 - a0)) -v s="$sent" 'BEGIN { printf "%.2f", s ? r / s : 0 }') ratio"
}

round hello_flood
lab_wait 10 lab_agree_owned || fail "r1 r2 do not agree after round 1: $(lab_views)"
round hello_flood_forged_src forge
