#!/usr/bin/env bash
# failover.sh - client-visible outage when a router dies, xglb vs keepalived (VRRPv3) in one lab;
# packets lost across an xglbd restart (make bench). Prints "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh): routers r1 r2 r3, one client per forwarder, the
# server (default route via r1: replies always come back through r1, so
# only the client->server direction crosses the router that dies, r2).
# tests/tools/xglb_probe sends RATE sequence-numbered datagrams/s from a
# client to an echo on the server; outage = lost / RATE (RFC 6412).
#
# A trial: wait until the lab is converged and settled; start the probe;
# wait until the server has seen RATE/4 of its datagrams (the path is up
# and steady); kill the victim the way a crash or a pulled cable does:
# "ip link set eth0 down" in its namespace, then kill -9 of its daemon;
# wait for the probe to end; bring the victim back (link up, daemon
# started). A trial measured an unstable lab, not one failover, if it lost
# datagrams before the failure point, or if more happened than the one
# takeover (xglb: the AVG counted other failovers or lost its role;
# keepalived: more than one backup became master): it is discarded (and
# counted), and another one is run, up to TRIALS more.
#
# Settled (xglb): every router has had a heartbeat since its last table
# flip. xglbd pays the RCU grace period of its next table write (8-30 ms
# here, table_quiesce_ms) on its heartbeat timer (lease-ms / 4), not when
# it writes; a failure within that time of a table change makes the new
# owner pay it on the failover path (FAILOVER_SETTLE=0 shows it).
#
#   failover_outage_ms              xglb, hello 50 ms / hold 150 ms; the victim r2 is the
#                                   AVF of the probing client's vMAC, not the AVG (r3)
#   failover6_outage_ms             the same failure, same lab and run, with the client's
#                                   IPv6 probe (FAILOVER6_RATE, 1000/s) to the server's IPv6
#                                   address through the group's virtual link-local (its
#                                   default route from the RAs) (goal <= 200). Paired: the
#                                   same probe process sends an IPv4 stream to the server at
#                                   the same rate, on the same clock (a datagram of each
#                                   family per tick), so every trial measures one failure for
#                                   both families the same way (lost / rate);
#                                   failover6_ipv4_outage_ms is the IPv4 stream's median.
#                                   Trial i fails the victim (i - 1/2) x hello / trials ms
#                                   after one of its hellos: the failures are spread evenly
#                                   over the hello period, the same in every run
#                                   (failover6_phase_ms_i: the phase the capture shows)
#   failover6_ratio_vs_ipv4         median over the trials of IPv6 / IPv4 outage of the same
#                                   failure (goal 0.9..1.1; failover6_ratio_vs_ipv4_i each
#                                   trial's); failover6_diff_ms, _diff_max_ms: median and
#                                   largest IPv6 - IPv4 difference (ms)
#   failover_keepalived_outage_ms   keepalived (VRRPv3, advert_int 0.05, unicast peers, VIP
#                                   10.0.0.1/24 on eth0, priorities r1 50, r2 150, r3 100);
#                                   the victim is the master r2
#   failover_ratio_vs_keepalived    xglb / keepalived (goal <= 1)
#   failover_outage_10ms_ms         xglb, hello 10 ms / hold 30 ms (goal <= 40)
#   restart_lost_packets            probe through r2 (hello 50 / hold 150): kill -9 its xglbd,
#                                   start it again; lost datagrams (goal 0), median of 3 trials;
#                                   restart_ready_ms: kill -> "ready" of the new xglbd;
#                                   restart_failovers_N: failovers the AVG counted meanwhile
#                                   (the restart outlasted the hold time, for the peers)
# Each figure is the median over trials; *_N lines give each trial,
# *_discarded the discarded trials and *_unstable the waits for a
# converged (and settled) lab that timed out: roles or owners flapping
# without any failure injected. Timeline from a capture on the client
# segment (victim's last hello/advertisement before the failure; the AVG's
# first hello after the hold time; the first learning frame from the vMAC /
# the new master's first gratuitous ARP):
#   *_detect_over_timer_ms  last message from the victim -> takeover frame, minus the
#                           protocol timer (xglb: hold; VRRP: 3 x advert_int + skew)
#   *_owner_commit_ms       xglb: AVG's decision hello -> the new owner's learning frame
#                           (adopt the state, write and flip its tables, announce)
# Everything, with each trial's timeline, is also written to
# $BUILD/bench/failover.log.
#
# Environment: FAILOVER_TRIALS (5), FAILOVER_RATE (2000 datagrams/s),
# FAILOVER6_RATE (1000 of each family), FAILOVER6_TRIALS (10),
# FAILOVER_SETTLE (1), FAILOVER_PARTS ("xglb xglb6 restart xglb10
# keepalived": the parts to run; the keepalived ratio needs xglb and
# keepalived; xglb6 makes the lab dual-stack), FAILOVER_DIAG_DIR
# (if set, the restart trials' captures - learning frames per router port,
# hellos - and the daemons' logs are copied there). Needs root, keepalived,
# tcpdump, jq; everything runs in the lab's namespaces and is removed on exit.
# shellcheck disable=SC2317 # functions called indirectly (trial hooks, lab_wait predicates)
# shellcheck disable=SC2119 # lab_server without arguments: the default name
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1

TRIALS=${FAILOVER_TRIALS:-5}
TRIALS6=${FAILOVER6_TRIALS:-10}
RATE=${FAILOVER_RATE:-2000}
RATE6=${FAILOVER6_RATE:-1000}
SETTLE=${FAILOVER_SETTLE:-1}
DIAG_DIR=${FAILOVER_DIAG_DIR:-}
PARTS=" ${FAILOVER_PARTS:-xglb xglb6 restart xglb10 keepalived} "
part() { [[ $PARTS == *" $1 "* ]]; }
PROBE_DST=$LAB_SERVER_IP # the probe's destination: the server's IPv4 or IPv6 address
X_NEIGH=                 # the address whose neighbour entry names the client's vMAC ("" = the VIP)
X_NEIGH6=                # and, in the paired series, the IPv6 one (the virtual link-local)
part xglb6 && LAB_IPV6=1 # a dual-stack lab: the IPv6 series runs in it
PORT=7777
PROBE=$LAB_BUILD/tools/xglb_probe
VICTIM=r2
AVG=r3         # equal priorities: the highest node id is elected
XGLB_PORT=7867 # membership UDP port (user/proto.h XGLB_PROTO_PORT)
VRID=51
ADVERT_MS=50
declare -A KA_PRIO=([r1]=50 [r2]=150 [r3]=100)

die() {
	diag "$*"
	lab_mark_failed
	exit 1
}
# Every BENCH line and diagnostic also goes to $BUILD/bench/failover.log, the
# trials' timelines included (make bench shows a bench's stderr only on failure).
bench_log failover
diag() {
	echo "failover: $*" >&2
	echo "$(date +%T.%3N) $*" >>"$BENCH_LOG"
}
now_ms() { date +%s%3N; }

for t in keepalived tcpdump jq; do
	command -v "$t" >/dev/null || die "$t not installed (make deps)"
done
if [ ! -x "$PROBE" ] || [ ! -x "$LAB_BUILD/xglbd" ]; then die "build first (make)"; fi

# a - b in ms, one decimal
ms_diff() { awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN {printf "%.1f", (a - b) * 1000 - c}'; }

# ---- lab ------------------------------------------------------------------

lab_init
lab_router r1
lab_router r2
lab_router r3
lab_server
for c in c1 c2 c3; do lab_client "$c"; done
SERVER_NS=$(lab_ns server)
VICTIM_MAC=$(lab_mac "$VICTIM")
AVG_MAC=$(lab_mac "$AVG")

srv_rx() { ip netns exec "$SERVER_NS" cat /sys/class/net/eth0/statistics/rx_packets; }
srv_rx_at_least() { [ "$(srv_rx)" -ge "$1" ]; }

lab_bg server "$LAB_DIR/echo.log" "$PROBE" echo "$PORT"

# The probe sender paces by polling with a whole-millisecond timeout, i.e. it
# spins between datagrams (~90% of a CPU at 2,000/s). It runs at the default
# priority all the same: lost / RATE needs a steady offered rate, and a
# niced sender on a loaded machine falls behind and then catches up in a
# burst after the outage, which hides losses (seen here: 75 ms measured for
# a 137 ms gap between the failure and the takeover).
probe_send() { # client seconds
	lab_bg "$1" "$LAB_DIR/probe.out" "$PROBE" send "$PROBE_DST" "$PORT" "$RATE" "$2"
}

# tcpdump on the lan switch's bridge: one capture per trial, a kernel filter
# keeps it to the few frames per second the timeline needs.
CAP_PID=
cap_start() { # filter
	lab_bg lan "$LAB_DIR/cap.log" tcpdump -i br0 -nn -e -tt -l --immediate-mode "$1"
	CAP_PID=$LAB_BG_PID
	lab_wait 10 grep -q "listening on" "$LAB_DIR/cap.log" || die "tcpdump did not start"
}
cap_stop() {
	[ -n "$CAP_PID" ] && kill -TERM "$CAP_PID" 2>/dev/null
	[ -n "$CAP_PID" ] && { wait "$CAP_PID"; } 2>/dev/null
	CAP_PID=
}
# Capture timestamps (s): the last frame from source MAC before T; the first one after T.
cap_last_before() { awk -v t="$1" -v m="$2" '$1 ~ /^[0-9.]+$/ && $1 < t && $2 == m {x = $1} END {print x}' "$LAB_DIR/cap.log"; }
cap_first_after() { awk -v t="$1" -v m="$2" '$1 ~ /^[0-9.]+$/ && $1 >= t && $2 == m {print $1; exit}' "$LAB_DIR/cap.log"; }

# ---- one trial ------------------------------------------------------------

# The failure's phase. With PHASE_SLEEP_MS set, trial() waits for the next
# of the victim's hellos in the trial's capture (read as tcpdump writes it)
# and fails the victim PHASE_SLEEP_MS later. What the failure's phase then
# is (the failure function's T_DOWN, taken once the link is down, minus the
# last hello before it) adds the time it takes to get there on a loaded
# machine; series() measures that lag and aims accordingly.
PHASE_SLEEP_MS=
wait_victim_hello() {
	local fd pid line ok=1
	exec {fd}< <(exec tail -n 0 -F "$LAB_DIR/cap.log" 2>/dev/null)
	pid=$!
	while read -r -t 2 -u "$fd" line; do
		if [[ $line == *" $VICTIM_MAC > "* ]]; then
			ok=0
			break
		fi
	done
	kill "$pid" 2>/dev/null
	exec {fd}<&-
	return "$ok"
}

# trial CLIENT PRE_FN FAIL_FN POST_FN RESTORE_FN: sets T_OUTAGE (ms; with two
# destinations in PROBE_DST, T_OUTS holds each one's, in that order), T_FAIL
# (s since the epoch, just before the failure), T_DOWN (FAIL_FN sets it
# once the victim's link is down; else T_FAIL) and T_OK (0: valid; 1:
# datagrams lost before the failure point, or POST_FN, run when the probe
# has ended and before the restore, says the failover was not the only
# event: discard).
T_OUTAGE="" T_OUTS=() T_FAIL="" T_DOWN="" T_OK=""
trial() {
	local client=$1 pre=$2 fail=$3 post=$4 restore=$5 rx0 pp nk out lost first secs=2 post_ok=0
	local streams line early=""
	streams=$(($(tr -cd , <<<"$PROBE_DST" | wc -c) + 1))
	"$pre"
	rx0=$(srv_rx)
	probe_send "$client" "$secs"
	pp=$LAB_BG_PID
	lab_wait 10 srv_rx_at_least $((rx0 + streams * RATE / 4)) || die "probe from $client never reached the server"
	if [ -n "$PHASE_SLEEP_MS" ]; then
		wait_victim_hello || diag "no hello from $VICTIM within 2 s"
		sleep "$(awk -v p="$PHASE_SLEEP_MS" 'BEGIN {printf "%.4f", p / 1000}')"
	fi
	nk=$((($(srv_rx) - rx0) / streams)) # datagrams through before the failure: ~ its sequence number
	T_FAIL=$(date +%s.%N)
	T_DOWN=
	"$fail"
	[ -n "$T_DOWN" ] || T_DOWN=$T_FAIL
	wait "$pp" || die "probe failed: $(cat "$LAB_DIR/probe.out")"
	"$post" || post_ok=1
	"$restore"
	out=$(grep '^{' "$LAB_DIR/probe.out")
	[ "$(wc -l <<<"$out")" = "$streams" ] || die "no probe result: $(cat "$LAB_DIR/probe.out")"
	T_OUTS=()
	while read -r line; do
		lost=$(jq -r .lost <<<"$line")
		first=$(jq -r .first_lost <<<"$line")
		[ -n "$lost" ] || die "no probe result: $(cat "$LAB_DIR/probe.out")"
		T_OUTS+=("$(awk -v l="$lost" -v r="$RATE" 'BEGIN {printf "%.1f", l * 1000 / r}')")
		[ "$first" -ge 0 ] && [ "$first" -lt $((nk - RATE / 50)) ] && early=$first
	done <<<"$out"
	T_OUTAGE=${T_OUTS[0]}
	out=$(tr '\n' ' ' <<<"$out")
	T_OK=0
	if [ -n "$early" ]; then
		T_OK=1
		diag "discarded: lost datagrams before the failure (first lost #$early, failure at ~#$nk): $out"
	elif [ "$post_ok" != 0 ]; then
		T_OK=1
		diag "discarded: more than the one failover: $out"
	else
		diag "trial: $out (failure at ~#$nk)"
	fi
}

# ---- xglb -------------------------------------------------------------------

HELLO=50 HOLD=150

xglb_start_all() { # hello hold
	local r
	HELLO=$1 HOLD=$2
	for r in $(lab_routers); do
		lab_write_config "$r" membership=1 hello_ms="$HELLO" hold_ms="$HOLD" \
			"ipv6=$(part xglb6 && echo 1 || echo 0)" >/dev/null
		lab_start_xglbd "$r" "$LAB_DIR/$r.yaml" || die "xglbd on $r"
	done
	lab_wait 20 xglb_converged ||
		die "xglb did not converge: $(xglb_sig r1) / $(xglb_sig r2) / $(xglb_sig r3)"
}

xglb_stop_all() {
	local r
	for r in $(lab_routers); do lab_stop_xglbd "$r" || diag "xglbd on $r: exit $?"; done
}

# One router's view: "version avg owners demoted all-peers-up".
xglb_sig() {
	lab_status "$1" 2>/dev/null | jq -r '.groups[0] | "\(.version) \(.avg) \([.forwarders[] |
		.owner] | map(tostring) | join(",")) \(.demoted) \([.peers[].up] | all)"'
}

# Converged: every router holds the same state, r3 is the AVG, every
# forwarder is with its preferred owner (forwarder i with router i+1),
# nobody demoted, everybody up.
xglb_converged() {
	local r s first=
	for r in $(lab_routers); do
		s=$(xglb_sig "$r") || return 1
		[ "${s#* }" = "3 1,2,3 false true" ] || return 1
		[ -z "$first" ] && first=$s
		[ "$s" = "$first" ] || return 1
	done
}

# Settled: every router had a heartbeat (and so xglbd's idle-time grace
# period) after its last flip. xglb_settle_mark records each router's flip
# count and the time; a router is settled once it shows the same count and
# a heartbeat younger than the mark.
xglb_settle_mark() {
	local r t
	for r in $(lab_routers); do
		t=$(now_ms)
		echo "$(lab_ctl "$r" --json tables | jq .flips) $t" >"$LAB_DIR/settle.$r"
	done
}
xglb_settled() {
	local r f0 t0 t j
	for r in $(lab_routers); do
		read -r f0 t0 <"$LAB_DIR/settle.$r"
		t=$(now_ms)
		j=$(lab_ctl "$r" --json tables) || return 1
		if [ "$(jq .flips <<<"$j")" != "$f0" ]; then
			echo "$(jq .flips <<<"$j") $t" >"$LAB_DIR/settle.$r"
			return 1
		fi
		[ "$(jq .heartbeat_age_ms <<<"$j")" -lt $((t - t0)) ] || return 1
	done
}

# Converged and settled within a few seconds, or returns 1: the lab keeps
# changing (roles or owners flapping), which the caller counts as unstable.
xglb_wait_ready() {
	if ! lab_wait 8 xglb_converged; then
		diag "not converged: $(xglb_sig r1) / $(xglb_sig r2) / $(xglb_sig r3)"
		return 1
	fi
	[ "$SETTLE" = 1 ] || return 0
	xglb_settle_mark
	if ! lab_wait 5 xglb_settled; then
		diag "not settled: tables still changing"
		return 1
	fi
	xglb_converged
}

xglb_fail() {
	lab_exec "$VICTIM" ip link set eth0 down
	T_DOWN=$(date +%s.%N) # no hello of the victim's can follow
	lab_kill_xglbd "$VICTIM" 2>/dev/null
}

# Around a trial: the client's gateway entry names the victim's vMAC before
# and after, and the AVG (r3, still) counted exactly one failover, r2's
# forwarder. Packets each router accepted for that vMAC go to the log.
xglb_failovers() { lab_status "$AVG" | jq -r '.groups[0] | "\(.avg) \(.events.failovers)"'; }
xglb_fwd1() { local r; for r in $(lab_routers); do echo -n "$r:$(lab_fwd_packets "$r" 1) "; done; }
# The client's neighbour entries of its gateway(s), with their NUD states, for the log.
xglb_neigh_states() {
	{
		lab_exec "$X_CLIENT" ip -4 neigh show "$LAB_VIP" dev eth0
		[ -z "$X_NEIGH6" ] || lab_exec "$X_CLIENT" ip -6 neigh show "$X_NEIGH6" dev eth0
	} 2>/dev/null | tr '\n' ';'
}
xglb_pre() {
	read -r _ X_F0 <<<"$(xglb_failovers)"
	X_N0=$(lab_neigh_mac "$X_CLIENT" $X_NEIGH)
	X_N60=
	[ -z "$X_NEIGH6" ] || X_N60=$(lab_neigh_mac "$X_CLIENT" "$X_NEIGH6")
	X_P0=$(xglb_fwd1)
	X_S0=$(xglb_neigh_states)
}
xglb_post() {
	local avg f n n6="" ok=0
	read -r avg f <<<"$(xglb_failovers)"
	n=$(lab_neigh_mac "$X_CLIENT" $X_NEIGH)
	[ -z "$X_NEIGH6" ] || n6=$(lab_neigh_mac "$X_CLIENT" "$X_NEIGH6")
	diag "packets accepted for $(lab_vmac 1): before $X_P0; after $(xglb_fwd1)"
	diag "$X_CLIENT's gateway entries: before $X_S0 after $(xglb_neigh_states)"
	[ "$avg" = 3 ] && [ "$f" = $((X_F0 + 1)) ] || ok=1
	[ "$X_N0" = "$(lab_vmac 1)" ] && [ "$n" = "$X_N0" ] || ok=1
	[ -z "$X_NEIGH6" ] || { [ "$X_N60" = "$(lab_vmac 1)" ] && [ "$n6" = "$X_N60" ]; } || ok=1
	[ "$ok" = 0 ] ||
		diag "AVG $avg (expected 3), failovers $((f - X_F0)) (expected 1);" \
			"$X_CLIENT's gateway entry ${X_N0:-none} -> ${n:-none}" \
			"${X_NEIGH6:+(IPv6 ${X_N60:-none} -> ${n6:-none}) }(expected $(lab_vmac 1))"
	return "$ok"
}

xglb_restore() {
	lab_exec "$VICTIM" ip link set eth0 up
	lab_start_xglbd "$VICTIM" "$LAB_DIR/$VICTIM.yaml" || die "xglbd on $VICTIM does not restart"
}

# The client whose forwarder is owned by the victim (forwarder 1: r2), for
# each destination of PROBE_DST (the paired series: IPv4 and IPv6 alike).
xglb_pick_client() {
	local c vm d
	vm=$(lab_vmac 1)
	for c in $(lab_clients); do
		for d in ${PROBE_DST//,/ }; do lab_exec "$c" ping -c 1 -W 1 -q "$d" >/dev/null 2>&1; done
		[ "$(lab_neigh_mac "$c" $X_NEIGH)" = "$vm" ] || continue
		[ -z "$X_NEIGH6" ] || [ "$(lab_neigh_mac "$c" "$X_NEIGH6")" = "$vm" ] || continue
		echo "$c"
		return 0
	done
	return 1
}

# series NAME CLIENT READY FILTER PRE FAIL POST RESTORE ANALYSE: TRIALS valid
# trials (at most 2 x TRIALS attempts, SERIES_S seconds). Before each, READY
# must succeed (else it counts as unstable); each runs under a capture of
# FILTER (trial ... PRE FAIL POST RESTORE); one with T_OK != 0 is discarded.
# A valid one prints BENCH NAME_i, then ANALYSE i reads the capture. Sets
# S_N (valid), S_BAD (discarded), S_UNSTABLE and S_OUTS (the outages, ms).
# With SPREAD=1, valid trial i aims to fail the victim (i - 1/2) x HELLO /
# TRIALS ms after one of its hellos: the failures cover the hello period
# evenly, the same way in every run. The wait after the hello
# (PHASE_SLEEP_MS) is that less the lag the earlier trials measured
# (S_LAGS, by the analyse function; their median, modulo HELLO).
SERIES_S=50
SPREAD=0
S_LAGS=()
series() {
	local name=$1 client=$2 ready=$3 filter=$4 tries=0 end=$((SECONDS + SERIES_S))
	shift 4
	local lag
	S_N=0 S_BAD=0 S_UNSTABLE=0 S_OUTS=() S_LAGS=()
	while [ "$S_N" -lt "$TRIALS" ] && [ "$tries" -lt $((2 * TRIALS)) ] && [ $SECONDS -lt $end ]; do
		tries=$((tries + 1))
		if ! "$ready"; then
			S_UNSTABLE=$((S_UNSTABLE + 1))
			continue
		fi
		PHASE_SLEEP_MS=
		if [ "$SPREAD" = 1 ]; then
			lag=0
			[ ${#S_LAGS[@]} = 0 ] || lag=$(printf '%s\n' "${S_LAGS[@]}" | median)
			PHASE_SLEEP_MS=$(awk -v i="$S_N" -v h="$HELLO" -v n="$TRIALS" -v l="$lag" \
				'BEGIN {w = (i + 0.5) * h / n - l; while (w < 0) w += h; printf "%.1f", w}')
		fi
		cap_start "$filter"
		trial "$client" "$1" "$2" "$3" "$4"
		cap_stop
		if [ "$T_OK" != 0 ]; then
			S_BAD=$((S_BAD + 1))
			continue
		fi
		S_N=$((S_N + 1))
		S_OUTS+=("$T_OUTAGE")
		bench "${name}_$S_N" "$T_OUTAGE" ms
		"$5" "$S_N"
	done
}

# xglb_series NAME: series of the victim's failure; BENCH NAME (median), NAME_i,
# discarded, unstable, timeline.
LAST_MEDIAN=
FAILED=0
X_OVER=() X_COMMIT=()
xglb_series() {
	local name=$1 client
	client=$(xglb_pick_client) || die "no client got the vMAC of $VICTIM's forwarder"
	X_CLIENT=$client
	X_NAME=$name
	X_VMAC=$(lab_vmac 1)
	X_OVER=() X_COMMIT=()
	series "$name" "$client" xglb_wait_ready \
		"(udp port $XGLB_PORT and (ether src $VICTIM_MAC or ether src $AVG_MAC)) or (arp and ether src $X_VMAC)" \
		xglb_pre xglb_fail xglb_post xglb_restore xglb_analyse
	bench "${name%_ms}_discarded" "$S_BAD" trials
	bench "${name%_ms}_unstable" "$S_UNSTABLE" waits
	LAST_MEDIAN=
	if [ "$S_N" = 0 ]; then
		diag "$name: no valid trial"
		FAILED=1
		return
	fi
	LAST_MEDIAN=$(printf '%s\n' "${S_OUTS[@]}" | median)
	bench "$name" "$LAST_MEDIAN" ms
	[ ${#X_OVER[@]} -gt 0 ] && bench "${name%_ms}_detect_over_timer_ms" "$(printf '%s\n' "${X_OVER[@]}" | median)" ms
	[ ${#X_COMMIT[@]} -gt 0 ] && bench "${name%_ms}_owner_commit_ms" "$(printf '%s\n' "${X_COMMIT[@]}" | median)" ms
}

# xglb_analyse N: the takeover's timeline in the capture of valid trial N.
xglb_analyse() {
	local n=$1 last avgh learn expiry
	last=$(cap_last_before "$T_DOWN" "$VICTIM_MAC")
	[ ${#T_OUTS[@]} != 2 ] || xglb_pair "$n" "$last"
	[ -n "$last" ] || return 0
	# the takeover cannot come before the hold time: frames before it are the victim's own
	expiry=$(awk -v a="$last" -v h="$HOLD" 'BEGIN {printf "%.6f", a + h / 1000 - 0.002}')
	avgh=$(cap_first_after "$expiry" "$AVG_MAC")
	learn=$(cap_first_after "$expiry" "$X_VMAC")
	[ -n "$learn" ] && X_OVER+=("$(ms_diff "$learn" "$last" "$HOLD")")
	[ -n "$learn" ] && [ -n "$avgh" ] && X_COMMIT+=("$(ms_diff "$learn" "$avgh")")
	diag "$X_NAME $n: outage $T_OUTAGE ms; failure $T_FAIL, link down by $T_DOWN; last hello from $VICTIM $last," \
		"AVG hello after the hold time ${avgh:-?}, learning frame from $X_VMAC ${learn:-?}"
}

# xglb_pair N LAST: the paired series' trial N, both families' outages of
# one failure (T_OUTS: IPv6, IPv4), and the failure's phase: how long
# after the victim's last hello (LAST, s; "" if the capture has none) its
# link went down (T_DOWN; at most ~1 ms late).
X_PAIR_V4=() X_PAIR_RATIO=() X_PAIR_DIFF=()
xglb_pair() {
	local n=$1 base=${X_NAME%_outage_ms} v6=${T_OUTS[0]} v4=${T_OUTS[1]} ratio diff phase
	ratio=$(awk -v a="$v6" -v b="$v4" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	diff=$(awk -v a="$v6" -v b="$v4" 'BEGIN {printf "%.1f", a - b}')
	bench "${base}_ipv4_outage_ms_$n" "$v4" ms
	bench "${base}_ratio_vs_ipv4_$n" "$ratio" ratio
	if [ -n "$2" ]; then
		phase=$(ms_diff "$T_DOWN" "$2")
		bench "${base}_phase_ms_$n" "$phase" ms
		[ -z "$PHASE_SLEEP_MS" ] || S_LAGS+=("$(awk -v p="$phase" -v w="$PHASE_SLEEP_MS" -v h="$HELLO" \
			'BEGIN {l = p - w; while (l < 0) l += h; while (l >= h) l -= h; printf "%.1f", l}')")
	fi
	X_PAIR_V4+=("$v4") X_PAIR_RATIO+=("$ratio") X_PAIR_DIFF+=("$diff")
}

# ---- xglb: hello 50 ms / hold 150 ms ------------------------------------------

XGLB_50=
if part xglb || part xglb6 || part restart; then
	xglb_start_all 50 150
fi
if part xglb; then
	xglb_series failover_outage_ms
	XGLB_50=$LAST_MEDIAN
fi
# The same failure for an IPv6 client: its default route is the group's
# virtual link-local (from the RAs), resolved to a vMAC by the AVG's NA.
# The same client sends both families at once, one datagram of each per
# millisecond on one clock (xglb_probe send ADDR6,ADDR4): every failure
# is measured for IPv6 and IPv4 alike, and the failures are spread over the
# hello period (SPREAD).
if part xglb6; then
	has_route6() { lab_exec "$1" ip -6 route show default | grep -q "via $LAB_LL6 "; }
	for c in $(lab_clients); do
		lab_wait 10 has_route6 "$c" || die "$c has no default route via $LAB_LL6 from the RAs"
	done
	rate4=$RATE trials4=$TRIALS
	RATE=$RATE6 TRIALS=$TRIALS6 PROBE_DST=$LAB_SERVER_IP6,$LAB_SERVER_IP X_NEIGH6=$LAB_LL6
	SPREAD=1 SERIES_S=$((TRIALS6 * 15))
	xglb_series failover6_outage_ms
	if [ ${#X_PAIR_V4[@]} -gt 0 ]; then
		bench failover6_ipv4_outage_ms "$(printf '%s\n' "${X_PAIR_V4[@]}" | median)" ms
		bench failover6_ratio_vs_ipv4 "$(printf '%s\n' "${X_PAIR_RATIO[@]}" | median)" ratio
		bench failover6_diff_ms "$(printf '%s\n' "${X_PAIR_DIFF[@]}" | median)" ms
		bench failover6_diff_max_ms "$(printf '%s\n' "${X_PAIR_DIFF[@]}" | sort -g | tail -1)" ms
	fi
	RATE=$rate4 TRIALS=$trials4 PROBE_DST=$LAB_SERVER_IP X_NEIGH6='' SPREAD=0 SERIES_S=50
fi

# ---- restart: kill -9 the AVF's xglbd and start it again ---------------------

# Sets R_LOST (datagrams), R_READY_MS (kill -> "ready" of the new xglbd) and
# R_FAILOVERS (failovers the AVG counted meanwhile: the restart outlasted the hold time).
restart_trial() {
	local client=$1 i=$2 rx0 pp pid st out secs=4 t0 f0 nk
	R_LOST="" R_READY_MS="" R_FAILOVERS=""
	xglb_wait_ready || return 1
	f0=$(lab_status "$AVG" | jq '.groups[0].events.failovers')
	rx0=$(srv_rx)
	probe_send "$client" "$secs"
	pp=$LAB_BG_PID
	lab_wait 10 srv_rx_at_least $((rx0 + RATE / 4)) || die "probe from $client never reached the server"
	if [ -n "$DIAG_DIR" ]; then
		diag_cap_start "$i"
		diag "restart $i: kill at $(date +%s.%N)"
	fi
	nk=$(($(srv_rx) - rx0))
	t0=$(now_ms)
	lab_kill_xglbd "$VICTIM" || die "no xglbd to kill on $VICTIM"
	lab_restart_xglbd "$VICTIM" || die "xglbd on $VICTIM does not restart"
	R_READY_MS=$(($(now_ms) - t0))
	lab_wait 20 xglb_converged || diag "restart $i: not converged after the restart"
	wait "$pp" || die "probe failed: $(cat "$LAB_DIR/probe.out")"
	out=$(grep '^{' "$LAB_DIR/probe.out")
	R_LOST=$(jq -r .lost <<<"$out")
	R_FAILOVERS=$(($(lab_status "$AVG" | jq '.groups[0].events.failovers') - f0))
	diag "restart $i: $out (kill at ~#$nk); new xglbd ready $R_READY_MS ms after the kill;" \
		"AVG failovers meanwhile: $R_FAILOVERS"
	if [ -n "$DIAG_DIR" ]; then diag_cap_stop "$i" "$out"; fi
	return 0
}

# Diagnostics of restart trial N (FAILOVER_DIAG_DIR): who sends learning frames
# from the victim's vMAC (per bridge port, frames entering the bridge), and hellos.
DIAG_PIDS=()
diag_cap_start() {
	local r
	DIAG_PIDS=()
	for r in $(lab_routers); do
		lab_bg lan "$LAB_DIR/diag.learn.$r.log" tcpdump -i "$(lab_get "$r" port.eth0)" -nn -e -tt -l \
			-Q in "arp and ether src $(lab_vmac 1)"
		DIAG_PIDS+=("$LAB_BG_PID")
	done
	lab_bg lan "$LAB_DIR/diag.hello.log" tcpdump -i br0 -nn -e -tt -l "udp port $XGLB_PORT"
	DIAG_PIDS+=("$LAB_BG_PID")
	lab_wait 10 bash -c "[ \$(cat $LAB_DIR/diag.*.log | grep -c 'listening on') -ge 4 ]"
}
diag_cap_stop() { # n probe-result
	local p d=$DIAG_DIR/restart.$1
	for p in "${DIAG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${DIAG_PIDS[@]}"; do { wait "$p"; } 2>/dev/null; done
	mkdir -p "$d" && cp "$LAB_DIR"/diag.*.log "$LAB_DIR"/xglbd.*.log "$d"/ && echo "$2" >"$d/probe.json"
}
if part restart; then
	client=$(xglb_pick_client) || die "no client got the vMAC of $VICTIM's forwarder"
	r_lost=() r_ready=() r_fo=() unstable=0 n=0
	for i in 1 2 3 4 5 6; do
		[ "$n" -lt 3 ] || break
		if ! restart_trial "$client" "$i"; then
			unstable=$((unstable + 1))
			continue
		fi
		n=$((n + 1))
		bench "restart_lost_packets_$n" "$R_LOST" packets
		bench "restart_failovers_$n" "$R_FAILOVERS" failovers
		r_lost+=("$R_LOST") r_ready+=("$R_READY_MS") r_fo+=("$R_FAILOVERS")
	done
	bench restart_unstable "$unstable" waits
	if [ "$n" -gt 0 ]; then
		bench restart_lost_packets "$(printf '%s\n' "${r_lost[@]}" | median)" packets
		bench restart_ready_ms "$(printf '%s\n' "${r_ready[@]}" | median)" ms
	else
		diag "restart: no trial"
		FAILED=1
	fi
fi
if part xglb || part xglb6 || part restart; then
	xglb_stop_all
fi

# ---- xglb: hello 10 ms / hold 30 ms -----------------------------------------

if part xglb10; then
	xglb_start_all 10 30
	xglb_series failover_outage_10ms_ms
	xglb_stop_all
fi
part keepalived || exit "$FAILED"

# ---- keepalived ----------------------------------------------------------------

# Nothing of xglb may be left on the routers.
for r in $(lab_routers); do
	ip -n "$(lab_ns "$r")" -d link show eth0 | grep -q 'prog/xdp' && die "$r: XDP still attached"
	ip -n "$(lab_ns "$r")" -4 addr show dev lo | grep -q " $LAB_VIP/" && die "$r: VIP still on lo"
done
for c in $(lab_clients); do lab_exec "$c" ip neigh flush dev eth0; done

ka_config() { # router -> file
	local r=$1 p f=$LAB_DIR/keepalived.$1.conf
	{
		echo "global_defs {"
		echo "    router_id $r"
		echo "    vrrp_version 3"
		echo "    max_auto_priority"
		echo "}"
		echo "vrrp_instance VI_1 {"
		echo "    state BACKUP"
		echo "    interface eth0"
		echo "    virtual_router_id $VRID"
		echo "    priority ${KA_PRIO[$r]}"
		echo "    advert_int $(awk -v a="$ADVERT_MS" 'BEGIN {printf "%.2f", a / 1000}')"
		echo "    unicast_src_ip $(lab_get "$r" ip)"
		echo "    unicast_peer {"
		for p in $(lab_routers); do [ "$p" = "$r" ] || echo "        $(lab_get "$p" ip)"; done
		echo "    }"
		echo "    virtual_ipaddress {"
		echo "        $LAB_VIP/24 dev eth0"
		echo "    }"
		echo "    garp_master_delay 1"
		echo "    garp_master_refresh 0"
		echo "}"
	} >"$f"
	echo "$f"
}

ka_start() { # router
	local r=$1 f
	f=$(ka_config "$r")
	rm -f "$LAB_DIR/keepalived.$r".*pid
	lab_bg "$r" "$LAB_DIR/keepalived.$r.log" keepalived --dont-fork --log-console --log-detail \
		--no-syslog --vrrp --dont-respawn -f "$f" -p "$LAB_DIR/keepalived.$r.pid" \
		-r "$LAB_DIR/keepalived.$r.vrrp.pid" -c "$LAB_DIR/keepalived.$r.chk.pid" \
		-b "$LAB_DIR/keepalived.$r.bfd.pid"
	echo "$LAB_BG_PID" >"$LAB_DIR/keepalived.$r.main"
	lab_wait 10 test -s "$LAB_DIR/keepalived.$r.vrrp.pid" || die "keepalived on $r: no VRRP child"
	# the VRRP child is keepalived's own; recorded too, so teardown stops it even if orphaned
	lab_register_pid "$(cat "$LAB_DIR/keepalived.$r.vrrp.pid")" "$r:keepalived-vrrp"
}

has_vip() { ip -n "$(lab_ns "$1")" -4 -o addr show dev eth0 | grep -q " $LAB_VIP/"; }

# Converged: the victim is master (VIP on its eth0, nowhere else) and the
# client's gateway entry names its MAC.
KA_CLIENT=c1
ka_converged() {
	has_vip "$VICTIM" && ! has_vip r1 && ! has_vip r3 &&
		[ "$(lab_neigh_mac "$KA_CLIENT")" = "$VICTIM_MAC" ]
}

ka_fail() {
	local p
	lab_exec "$VICTIM" ip link set eth0 down
	T_DOWN=$(date +%s.%N)
	for p in "$(cat "$LAB_DIR/keepalived.$VICTIM.vrrp.pid")" "$(cat "$LAB_DIR/keepalived.$VICTIM.main")"; do
		kill -KILL "$p" 2>/dev/null
	done
	{ wait "$(cat "$LAB_DIR/keepalived.$VICTIM.main")"; } 2>/dev/null
}

# Around a trial: exactly one backup (r3) became master.
ka_masters() { cat "$LAB_DIR/keepalived.r1.log" "$LAB_DIR/keepalived.r3.log" | grep -c "Entering MASTER STATE"; }
ka_pre() { K_M0=$(ka_masters); }
ka_post() {
	local m
	m=$(ka_masters)
	has_vip r3 && ! has_vip r1 && [ "$m" = $((K_M0 + 1)) ] && return 0
	diag "keepalived: $((m - K_M0)) transitions to master (expected 1)"
	return 1
}

ka_restore() {
	lab_exec "$VICTIM" ip link set eth0 up
	ka_start "$VICTIM"
}

for r in $(lab_routers); do ka_start "$r"; done
lab_wait 20 has_vip "$VICTIM" || die "keepalived: $VICTIM never became master"
lab_exec "$KA_CLIENT" ping -c 1 -W 1 -q "$LAB_SERVER_IP" >/dev/null 2>&1

# master down interval of the backup that takes over (r3): 3 x advert + skew (RFC 5798)
KA_TIMER=$(awk -v a="$ADVERT_MS" -v p="${KA_PRIO[r3]}" 'BEGIN {printf "%.2f", 3 * a + (256 - p) * a / 256}')
IFS=. read -r a b c d <<<"$LAB_VIP"
VIP_HEX=$(printf '0x%02x%02x%02x%02x' "$a" "$b" "$c" "$d") # the GARPs' sender IP, for the capture filter
ka_ready() {
	lab_wait 8 ka_converged && return 0
	diag "keepalived: $VICTIM is not the only master"
	return 1
}
# ka_analyse N: the new master's first GARP in the capture of valid trial N.
KA_OVER=()
ka_analyse() {
	local n=$1 last garp
	last=$(cap_last_before "$T_DOWN" "$VICTIM_MAC")
	garp=$(awk -v t="$T_FAIL" -v m="$VICTIM_MAC" '$1 ~ /^[0-9.]+$/ && $1 >= t && $2 != m && /ARP/ {print $1; exit}' "$LAB_DIR/cap.log")
	[ -n "$last" ] && [ -n "$garp" ] && KA_OVER+=("$(ms_diff "$garp" "$last" "$KA_TIMER")")
	diag "keepalived $n: outage $T_OUTAGE ms; failure $T_FAIL; last advertisement from $VICTIM ${last:-?}, first GARP of the new master ${garp:-?}"
}
series failover_keepalived_outage_ms "$KA_CLIENT" ka_ready \
	"(ip proto 112 and ether src $VICTIM_MAC) or (arp and arp[14:4] = $VIP_HEX)" \
	ka_pre ka_fail ka_post ka_restore ka_analyse
bench failover_keepalived_discarded "$S_BAD" trials
bench failover_keepalived_unstable "$S_UNSTABLE" waits
[ "$S_N" -gt 0 ] || die "keepalived: no valid trial"
KA=$(printf '%s\n' "${S_OUTS[@]}" | median)
bench failover_keepalived_outage_ms "$KA" ms
[ ${#KA_OVER[@]} -gt 0 ] && bench failover_keepalived_detect_over_timer_ms "$(printf '%s\n' "${KA_OVER[@]}" | median)" ms
[ -n "$XGLB_50" ] && bench failover_ratio_vs_keepalived "$(awk -v a="$XGLB_50" -v b="$KA" 'BEGIN {printf("%.2f", (b > 0) ? a / b : 0)}')" x
exit "$FAILED"
