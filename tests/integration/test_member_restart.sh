#!/usr/bin/env bash
# test_member_restart.sh - hitless operations under traffic: SIGHUP twice on every router
# changes no owner and loses no probe; kill -9 of an AVF's xglbd and a restart within the
# hold time loses no probe and causes no failover (the data plane forwards while the agent
# is away, the new agent restores the pinned tables and the peers never see it gone).
#
# 3 routers (r1 r2 r3, equal priority: r3 is AVG), 3 forwarders, one per router;
# clients c1..c3 (one per vMAC) send 1000 datagrams/s through the gateway to an
# echo on the server. A control probe (c4 -> c5, same switch, no router) runs
# alongside: if a vMAC client loses probes and the control does too, the
# machine stalled (not xglb) and the scenario is repeated once.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# Helpers are called through lab_wait and check; jq programs stay in single quotes.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
CLIENTS=(c1 c2 c3) # one per vMAC; c4 and c5 carry the control probe
HELLO=100
HOLD=1000 # a restart (~0.1 s here) fits easily; so does a loaded machine's
LEASE=1000
PORT=9000
RATE=1000
CPORT=9001 # control probe, c4 -> c5
CRATE=200
LAB_PROBE_PORT=$PORT LAB_PROBE_RATE=$RATE


t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe

# ---- status helpers ------------------------------------------------------------
owners() { local r; for r in "${ROUTERS[@]}"; do lab_view "$r" | sed 's/.*owners=//'; done | paste -sd' '; }

# Every measurement runs one probe per vMAC and a control: c4 to an echo on
# c5, on the same switch, through no router. The control loses packets only
# when the whole machine stalls (other work on this shared 2-core VM can
# hold up every namespace's forwarding for a moment). Likewise the echo on
# the server serves 3000 datagrams/s from one socket: if its process is not
# scheduled for ~0.1 s, its socket overflows. Either makes a measurement
# inconclusive.
LAB_CONTROL_FROM=c4 LAB_CONTROL_TO=c5 LAB_CONTROL_PORT=$CPORT LAB_CONTROL_RATE=$CRATE
probes_start() { # tag seconds: the measurement, once traffic flows through every forwarder (0.1 s of it)
	lab_fwd_mark "${OWNER[0]}:0" "${OWNER[1]}:1" "${OWNER[2]}:2"
	lab_probes_start "$1" "$2"
	lab_wait 2 lab_fwd_flowing $((RATE / 10)) || echo "# $1: probes not flowing through every forwarder after 2 s"
}
probes_check() { # tag what
	local i
	for i in 0 1 2; do
		check_eq "$2: fwd$i's client (owner ${OWNER[$i]}) lost no probe" "$(lab_probe_netlost "$1$i")" 0
	done
}


# Each probe's datagrams sent and whether it ran until lab_probes_stop ended it (not to its limit).
probes_sent() { local i; for i in 0 1 2 c; do echo "$i: $(lab_probe_get "$1$i" sent) sent"; done | paste -sd,; }
probes_stopped() { [ "$(for i in 0 1 2 c; do lab_probe_get "$1$i" stopped; done | paste -sd' ')" = "true true true true" ]; }

# ---- lab -------------------------------------------------------------------------
t0=$SECONDS
lab_setup "${ROUTERS[@]}" -- "${CLIENTS[@]}" c4 c5
lab_start_all membership=1 hello_ms=$HELLO hold_ms=$HOLD lease_ms=$LEASE || bail "xglbd ready on every router" "$LAB_ERR"
ok "xglbd ready on ${ROUTERS[*]} (hello $HELLO ms, hold $HOLD ms)"
lab_wait 10 lab_agree || bail "routers agree on one state" "$(lab_views)"
check_eq "r3 is AVG, forwarder i with router i+1" "$(lab_view r1 | sed 's/ v=[0-9]*//')" "avg=r3 owners=r1,r2,r3"
OWNER=(r1 r2 r3)

lab_echo_start server "$PORT" && lab_echo_start c5 "$CPORT" || bail "echoes listen on the server and c5"
lab_vmac_clients "${CLIENTS[@]}" || bail "the 3 clients got the 3 vMACs" "$LAB_ERR"
declare -n CL=LAB_CL # forwarder index -> client
ok "c1..c3 got one vMAC each"

# ---- 6. SIGHUP twice on every router, under traffic --------------------------------
base_owners=$(owners)
base_events=$(lab_all_events)
# The probes cover the reloads by construction: they start, every reload is waited for (its
# "reloaded" line), then they send TAIL_MS more and stop, however long the reloads took.
TAIL_MS=500
PROBE_LIMIT=60 # s: only a bound; six reloads of at most 5 s each end well before it
hup_twice() { # tag: probes from before two SIGHUPs of every router until TAIL_MS after them
	local t_probe round r hup_ms rc
	t_probe=$(date +%s%N)
	LAB_PROBE_TAIL_MS=$TAIL_MS probes_start "$1" $PROBE_LIMIT
	for round in 1 2; do
		for r in "${ROUTERS[@]}"; do
			lab_reload_xglbd "$r" ||
				not_ok "SIGHUP $round reloads $r" "$(tail -n 5 "$(lab_xglbd_log "$r")")"
		done
	done
	hup_ms=$((($(date +%s%N) - t_probe) / 1000000))
	lab_probes_stop "$1"
	lab_probes_done "$1" "SIGHUP x2"
	rc=$?
	check "every router reloaded twice ($hup_ms ms) while the probes ran, and they ran $TAIL_MS ms after, then stopped ($(probes_sent "$1"))" \
		probes_stopped "$1"
	return $rc
}
hup_twice hup
rc=$?
tag=hup
if [ $rc = 2 ]; then
	echo "# the control or the server's echo lost datagrams too: the machine stalled; once more"
	hup_twice hup2
	tag=hup2
fi
probes_check "$tag" "SIGHUP x2"
lab_wait 5 lab_agree || not_ok "routers agree after the reloads" "$(lab_views)"
check_eq "SIGHUP x2: owners unchanged on every router" "$(owners)" "$base_owners"
check_eq "SIGHUP x2: avg/owner changes and failovers unchanged" "$(lab_all_events)" "$base_events"

# ---- 7. kill -9 of an AVF's xglbd and a restart within the hold time ---------------
base_owners=$(owners)
base_events=$(lab_all_events)
boot0=$(lab_jst r2 .node.boot)
kill_restart() { # tag: probes from before kill -9 and restart of r2's xglbd until TAIL_MS after
	local t_kill back_ms rc
	LAB_PROBE_TAIL_MS=$TAIL_MS probes_start "$1" $PROBE_LIMIT
	t_kill=$(date +%s%N)
	lab_kill_xglbd r2 || bail "kill -9 of r2's xglbd"
	lab_restart_xglbd r2 || bail "xglbd restarts on r2"
	back_ms=$((($(date +%s%N) - t_kill) / 1000000))
	lab_probes_stop "$1"
	check "r2 killed and ready again within the hold time ($back_ms ms < $HOLD ms)" [ "$back_ms" -lt "$HOLD" ]
	check "r2's new xglbd adopted the attached program (and the pinned maps)" \
		grep -q "adopting the xglb_xdp program" "$(lab_xglbd_log r2)"
	lab_probes_done "$1" "kill -9 + restart of r2"
	rc=$?
	check "the probes ran through the restart and $TAIL_MS ms after, then stopped ($(probes_sent "$1"))" \
		probes_stopped "$1"
	return $rc
}
kill_restart kill
rc=$?
tag="kill"
if [ $rc = 2 ]; then
	echo "# the control or the server's echo lost datagrams too: the machine stalled; once more"
	lab_wait 5 lab_agree
	kill_restart kill2
	tag=kill2
fi
probes_check "$tag" "kill -9 + restart of r2"
lab_wait 5 lab_agree || not_ok "routers agree after the restart" "$(lab_views)"
boot1=$(lab_jst r2 .node.boot)
check "r2 runs a new boot ($boot0 -> $boot1)" [ "$boot1" -gt "$boot0" ]
check_eq "kill -9 + restart: owners unchanged" "$(owners)" "$base_owners"
check_eq "kill -9 + restart: no failover, no owner or AVG change on r1 r3 (r2 counts afresh)" \
	"$(lab_all_events | cut -d' ' -f1,3)" "$(cut -d' ' -f1,3 <<<"$base_events")"
check_eq "r2's new boot is accepted: no replay or old_boot rejections on the AVG" \
	"$(lab_jst r3 '.membership | "\(.replay)/\(.old_boot)"')" "0/0"

t_done
