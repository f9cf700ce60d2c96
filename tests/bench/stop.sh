#!/usr/bin/env bash
# stop.sh - what clients lose when xglbd stops or restarts (make bench). Prints "BENCH <name> <value> <unit>".
#
# Lab (tests/lab/lab.sh): routers r1 r2 r3 (equal priorities: r3 is AVG, r2
# standby), hello 1 s / hold 3 s / lease 3 s, one forwarder each; clients c1..c3
# (one per vMAC) and c4, a client that asks for the VIP itself.
#
#   stop_lost_packets          1,000 probes/s through r2's vMAC; SIGTERM of r2's xglbd
#                              (systemctl stop, reboot); datagrams lost (goal 0)
#   restart_term_lost_packets  the same, SIGTERM and start again (systemctl restart)
#   avg_stop_unanswered_ms     c4 sends an ARP request for the VIP every 5 ms; SIGTERM of
#                              the AVG's xglbd (r3); the longest run of requests that got
#                              no reply, times 5 ms (tools/xglb_arping matches each reply to
#                              its request, so a late reply is no gap; goal 0). The longest
#                              time between two replies less one interval, which also holds
#                              this machine's scheduling delays, is in the log (max_gap_ms).
#   avg_restart_unanswered_ms  the same, kill -9 of the AVG's xglbd and start again
# Each is the median of STOP_TRIALS (3) trials (STOP_ONLY=NAME,... runs only those); *_N lines give each trial. Between
# trials the stopped router is started again and the lab waits until every
# router holds the same state with forwarder i on router i+1 and r3 as AVG.
# Details in $BUILD/bench/stop.log. Needs root, jq; everything runs in the
# lab's namespaces and is removed on exit.
# shellcheck disable=SC2317 # functions called indirectly (lab_wait predicates)
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1

TRIALS=${STOP_TRIALS:-3}
RATE=1000
PORT=7777
HELLO=1000 HOLD=3000 LEASE=3000
ARP_MS=5
bench_log stop
diag() { echo "$(date +%T.%3N) $*" >>"$BENCH_LOG"; }
die() {
	echo "stop: $*" >&2
	diag "$*"
	lab_mark_failed
	exit 1
}

command -v jq >/dev/null || die "jq not installed (make deps)"
for b in xglbd tools/xglb_probe tools/xglb_arping; do
	[ -x "$LAB_BUILD/$b" ] || die "$LAB_BUILD/$b not built (make benches)"
done

lab_init
for r in r1 r2 r3; do lab_router "$r"; done
lab_server
for c in c1 c2 c3 c4; do lab_client "$c"; done
for r in r1 r2 r3; do
	cfg=$(lab_write_config "$r" membership=1 hello_ms=$HELLO hold_ms=$HOLD lease_ms=$LEASE)
	lab_start_xglbd "$r" "$cfg" || die "xglbd on $r"
done
sig() { lab_view "$1" | sed 's/ v=[0-9]*//'; }
converged() {
	local r
	for r in r1 r2 r3; do [ "$(sig "$r")" = "avg=r3 owners=r1,r2,r3" ] || return 1; done
	lab_agree
}
lab_wait 30 converged || die "not converged: $(lab_views)"
lab_bg server "$LAB_DIR/echo.log" "$LAB_BUILD/tools/xglb_probe" echo "$PORT"
lab_vmac_clients c1 c2 c3 || die "$LAB_ERR"
CLIENT=${LAB_CL[1]} # r2's forwarder
diag "client of r2's forwarder: $CLIENT"

# trial_result NAME N PID TOOL FIELD: waits for TOOL's run (PID, output in
# $LAB_DIR/TOOL.out); T_RESULT is FIELD of the JSON line it printed.
trial_result() {
	local name=$1 n=$2 tool=$4 field=$5 out
	wait "$3"
	out=$(grep '^{' "$LAB_DIR/$tool.out")
	diag "$name $n: $out"
	T_RESULT=$(jq -r ".$field" <<<"$out")
	[ -n "$T_RESULT" ] || die "$name $n: no $tool result: $(cat "$LAB_DIR/$tool.out")"
}

# probe_trial NAME N SECONDS ACTION...: probes from CLIENT, ACTION once they flow; lost datagrams.
probe_trial() {
	local name=$1 n=$2 secs=$3 pp
	shift 3
	lab_wait 30 converged || die "$name $n: not converged: $(lab_views)"
	sleep 1 # every router's heartbeat has run since its last table switch
	lab_bg "$CLIENT" "$LAB_DIR/probe.out" "$LAB_BUILD/tools/xglb_probe" send "$LAB_SERVER_IP" "$PORT" "$RATE" "$secs"
	pp=$LAB_BG_PID
	lab_fwd_mark r2:1
	lab_wait 5 lab_fwd_flowing $((RATE / 5)) || die "$name $n: probes do not flow through r2"
	"$@"
	trial_result "$name" "$n" "$pp" probe lost
}

# arp_trial NAME N ACTION...: ARP requests from c4 every ARP_MS; the longest unanswered stretch.
arp_trial() {
	local name=$1 n=$2 ap
	shift 2
	lab_wait 30 converged || die "$name $n: not converged: $(lab_views)"
	sleep 1
	lab_bg c4 "$LAB_DIR/arping.out" "$LAB_BUILD/tools/xglb_arping" eth0 "$LAB_VIP" "$ARP_MS" 6
	ap=$LAB_BG_PID
	sleep 0.5
	"$@"
	trial_result "$name" "$n" "$ap" arping unanswered_ms
}

term() { # router: SIGTERM, wait for the exit
	local t0=$SECONDS rc
	lab_stop_xglbd "$1" 10
	rc=$?
	diag "SIGTERM of $1: exit $rc after $((SECONDS - t0)) s"
}
start() { lab_restart_xglbd "$1" || die "xglbd does not start again on $1"; }
term_then_start() { term "$1" && start "$1"; }
kill_then_start() { lab_kill_xglbd "$1" && start "$1"; }
stop_r2() { term r2; }
restart_term_r2() { term_then_start r2; }
stop_r3() { term r3; }
restart_kill_r3() { kill_then_start r3; }

series() { # name unit kind action: TRIALS trials, then start the router again if it is down
	local name=$1 unit=$2 kind=$3 action=$4 i vals=()
	for i in $(seq 1 "$TRIALS"); do
		case $kind in
		probe) probe_trial "$name" "$i" 8 "$action" ;;
		arp) arp_trial "$name" "$i" "$action" ;;
		esac
		for r in r2 r3; do lab_xglbd_running "$r" || start "$r"; done
		bench "${name}_$i" "$T_RESULT" "$unit"
		vals+=("$T_RESULT")
	done
	bench "$name" "$(printf '%s\n' "${vals[@]}" | median)" "$unit"
}

# STOP_ONLY=NAME,...: only those series (while working on one)
only() { [ -z "${STOP_ONLY:-}" ] || [[ ,$STOP_ONLY, == *,$1,* ]]; }
only stop_lost_packets && series stop_lost_packets packets probe stop_r2
only restart_term_lost_packets && series restart_term_lost_packets packets probe restart_term_r2
only avg_stop_unanswered_ms && series avg_stop_unanswered_ms ms arp stop_r3
only avg_restart_unanswered_ms && series avg_restart_unanswered_ms ms arp restart_kill_r3
for r in r1 r2 r3; do lab_stop_xglbd "$r" 10 || diag "xglbd on $r: exit $?"; done
exit 0
