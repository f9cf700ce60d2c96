#!/usr/bin/env bash
# soak.sh - a chaos soak of the membership protocol in the lab (make soak; not in make test).
#
#   SOAK_MIN=30 SOAK_SEED=N [SOAK_FAULTS="kind..."] tests/soak/soak.sh
#   (run it under flock /tmp/xglb-integration.lock; SOAK_OUT=DIR keeps the record there)
#
# 4 routers (r1..r4, 8 forwarders, 2 preferred by each), dual-stack (the
# group sends RAs, clients form their IPv6 address by SLAAC and route
# through the group's virtual link-local), 20 clients sending steady UDP
# through the gateway to an echo on the server (half over IPv4, half over
# IPv6, both on every forwarder), and a seeded random schedule of faults,
# one every 4 to 10 s:
#   kill9 R      kill -9 of R's xglbd, restarted 1..4 s later (pins adopted)
#   term R       SIGTERM (a clean stop hands over first), restarted 1..4 s later
#   reload R     SIGHUP with the same, valid configuration
#   badreload R  SIGHUP with a broken file (xglbd must refuse it and keep running), then restored
#   linkdown R   R's lan link down for 1..3 s (not r1: it is the server's route back)
#   partition R  every hello to or from R dropped on the lan switch for 2..5 s (nftables)
#   loss         30 % of all hellos dropped on the lan switch for 3..6 s (nftables)
#   move         xglbctl move of a random forwarder to a random router
#   drain R      xglbctl drain R, undrain 2 s later
#   clock R      R's xglbd restarted under libfaketime with its wall clock 1..48 h
#                off, then stepped 1..48 h the other way while it runs
#   monostep R   R's xglbd restarted under libfaketime faking CLOCK_MONOTONIC too,
#                then both stepped 2..5 s forward while it runs
# What xglbd must tolerate: any step of the wall clock, at start or while
# running (nothing of the protocol reads it; replay protection is the boot
# counter and sequence, persisted state holds no wall time); a forward jump
# of CLOCK_MONOTONIC, as after a stall: peers' silence during the jump is
# not their death (xglb_fsm_tick). Not: CLOCK_MONOTONIC going back, which
# Linux never does (its timers would wait out the step).
#
# What it records, from the wire (nftables counters in the lan switch, read
# about every 100 ms while one client, arpc, asks for the VIP after flushing
# its neighbour entry, so every sample carries one ARP request; and the same
# for IPv6 in samples of their own: ndpc solicits the virtual link-local,
# its default router, and the routers' NAs to it are the answers):
#   two AVGs     a sample in which replies to arpc came from two routers' ports
#   no AVG       consecutive samples whose request got no reply from any router:
#                late answers if the replies, once they come, cover every
#                request (soak_arp_late_*); after the AVG stopped if a fault
#                stopped (or cut the link of) the router that answered last,
#                counted from the moment the fault was carried out to when
#                the last unanswered request was sent (its sample is taken
#                after the client waited 100 ms for an answer, and after
#                the counters were read) (soak_no_avg_death_ms_max; _upper_:
#                from before the fault, or the last answered request if
#                later, to the first answered one: a kill -9 leaves the data
#                path answering until its lease runs out); else
#                soak_no_avg_other_ms_max
#   two owners   a vMAC whose learning frames (sent every LEARN ms by its owner)
#                came from two routers' ports within LEARN + 100 ms of each other
# The same windows for neighbour solicitation, soak_ndp_* (no owners: the
# learning frames are the same for both families), with the same goals.
# And the clients' datagrams lost through the gateway, per family and 5-s segment: a
# segment that overlaps a fault (from its start to hold + 2 s after its
# end) explains its loss; any other loss is unexplained (unless the
# control probe, c21 -> c22 through no router, lost some too: the machine
# stalled). A partition of the hellos while the segment still joins the
# routers is a split by design (each side elects its own AVG and takes
# every forwarder, docs/membership.md "Silent peers"), and so is a link down
# longer than the hold time (the router alone elects itself and takes every
# forwarder, and announces them when its link returns): two AVGs or owners
# that begin during one (or within hold + 2 s after it) count apart, as
# soak_split_brain_ms_max. Prints, as "name value" lines:
#   soak_seed, soak_minutes, soak_faults, soak_double_owner_ms_max (goal <= hold),
#   soak_no_avg_ms_max, soak_no_avg_death_ms_max (goal <= hold),
#   soak_no_avg_death_upper_ms_max, soak_no_avg_other_ms_max (goal 0),
#   soak_arp_late_ms_max, soak_arp_late_windows,
#   soak_double_avg_ms_max, soak_split_brain_ms_max, the same soak_ndp_*
#   (NS for the virtual link-local), soak_loss_explained,
#   soak_loss4_explained, soak_loss6_explained, soak_unexplained_loss (goal
#   0), soak_unexplained_loss4, soak_unexplained_loss6, soak_stalled_segments,
#   and what was lost in segments each kind of fault overlapped
# and every interval over its goal with the faults just before it. Exit 1 if
# a goal is missed or an xglbd died without being killed.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

SOAK_MIN=${SOAK_MIN:-30}
# SOAK_FAULTS: the kinds to draw from (all by default), to work on some
read -r -a KINDS <<<"${SOAK_FAULTS:-kill9 term reload badreload linkdown partition loss move drain clock monostep}"
SOAK_SEED=${SOAK_SEED:-$(($(date +%s) % 100000))}
ROUTERS=(r1 r2 r3 r4)
NCLIENTS=20
HELLO=100
HOLD=1000 # 10 hellos: a loaded 2-core machine stalls veths for a few hundred ms
LEASE=800
LEARN=200
RATE=50 # datagrams/s per client
SEG=5   # s per loss segment
PORT=9000
CPORT=9001
CRATE=200
RANDOM=$SOAK_SEED

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_probe
t_need_tools nft jq
dpkg -L libfaketime 2>/dev/null | grep -q '/libfaketime\.so\.1$' || bail "libfaketime (tests/deps.sh: faketime)"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

clients=()
for ((i = 1; i <= NCLIENTS; i++)); do clients+=("c$i"); done
LAB_IPV6=1
lab_setup "${ROUTERS[@]}" -- "${clients[@]}" c21 c22 arpc ndpc
echo "# soak: seed $SOAK_SEED, $SOAK_MIN min, routers ${ROUTERS[*]}, $NCLIENTS clients"

owners=r1,r2,r3,r4,r1,r2,r3,r4
NFWD=8
for r in "${ROUTERS[@]}"; do
	cfg=$(lab_write_config "$r" membership=1 owners=$owners hello_ms=$HELLO hold_ms=$HOLD \
		lease_ms=$LEASE learn_ms=$LEARN redirect_ms=600000 timeout_ms=3600000 ipv6=1)
	lab_start_xglbd "$r" "$cfg" || bail "xglbd ready on $r"
done
# Every xglbd log line again with the time it appeared (ms), to set beside the
# samples; a restart truncates the log, so the reader starts over.
for r in "${ROUTERS[@]}"; do
	lab_bg "$r" "$LAB_DIR/stamped.$r.log" perl -MTime::HiRes=time,sleep -e '
		$| = 1; open(F, "<", $ARGV[0]) or die;
		while (1) {
			while (<F>) { printf "%d %s", time * 1000, $_ }
			sleep 0.05;
			seek(F, (-s $ARGV[0]) < tell(F) ? 0 : tell(F), 0);
		}' "$(lab_xglbd_log "$r")"
done
lab_wait 20 lab_agree_owned "${ROUTERS[@]}" || bail "routers agree, every forwarder owned" "$(lab_views)"
ok "xglbd on ${ROUTERS[*]}: $(lab_view r1)"
# Every IPv6 client (and ndpc) has its SLAAC address and its default route via
# the group's virtual link-local, learnt from the AVG's RAs.
v6ready() {
	lab_exec "$1" ip -6 addr show dev eth0 scope global | grep -q "inet6 $(lab_get "$1" ip6)/64" &&
		! lab_exec "$1" ip -6 addr show dev eth0 | grep -q tentative &&
		[ "$(lab_exec "$1" ip -6 route show default | awk '{print $3}')" = "$LAB_LL6" ]
}
# The family a client probes in: the clients ask for the gateway in turn
# (c1..c8 get forwarders 0..7, c9..c16 the same again), so the families
# alternate in each round: every forwarder carries both (c1 IPv4, c2 IPv6,
# ..., c9 IPv6, c10 IPv4, ...).
family() {
	local j=${1#c}
	if ((((j - 1) / NFWD + j) % 2 == 0)); then echo 6; else echo 4; fi
}
# ndpc confirms its neighbour by multicast only: a unicast NS would be the
# vMAC owner's to answer, and two routers' NAs in one sample would look like
# two AVGs.
lab_exec ndpc sysctl -qw net.ipv6.neigh.eth0.ucast_solicit=0 || bail "ndpc: no unicast NS"
for c in "${clients[@]}" ndpc; do
	[ "$c" = ndpc ] || [ "$(family "$c")" = 6 ] || continue
	lab_wait 20 v6ready "$c" || bail "$c: SLAAC address and default route via $LAB_LL6"
done

# ---- wire counters in the lan switch ------------------------------------------------
# req: arpc's ARP requests for the VIP; rep_R: replies for the VIP to arpc
# entering from R's port (only the AVG answers a broadcast request: the
# unicast re-confirmations other clients get from a vMAC's owner, and the
# learning frames, which are requests too, are not counted); own_R_I:
# frames from vMAC I entering from R's port (learning frames).
# req6: ndpc's neighbour solicitations (it solicits nothing but the virtual
# link-local, its default router); rep6_R: neighbour advertisements to ndpc
# entering from R's port.
arpc_ip=$(lab_get arpc ip)
ndpc_mac=$(lab_mac ndpc)
{
	echo "table bridge xglb_soak {"
	echo "  counter req {}"
	echo "  counter req6 {}"
	for r in "${ROUTERS[@]}"; do
		echo "  counter rep_$r {}"
		echo "  counter rep6_$r {}"
		for ((i = 0; i < NFWD; i++)); do echo "  counter own_${r}_$i {}"; done
	done
	echo "  chain pre {"
	echo "    type filter hook prerouting priority -10; policy accept;"
	echo "    ether type arp arp operation request arp saddr ip $arpc_ip arp daddr ip $LAB_VIP counter name req"
	echo "    ether saddr $ndpc_mac icmpv6 type nd-neighbor-solicit counter name req6"
	for r in "${ROUTERS[@]}"; do
		p=$(lab_get "$r" port.eth0)
		echo "    iifname \"$p\" ether type arp arp operation reply arp saddr ip $LAB_VIP arp daddr ip $arpc_ip counter name rep_$r"
		echo "    iifname \"$p\" ether daddr $ndpc_mac icmpv6 type nd-neighbor-advert counter name rep6_$r"
		for ((i = 0; i < NFWD; i++)); do
			echo "    iifname \"$p\" ether saddr $(lab_vmac "$i") counter name own_${r}_$i"
		done
	done
	echo "  }"
	echo "  chain filt {"
	echo "    type filter hook forward priority 0; policy accept;"
	echo "  }"
	echo "}"
} | lab_exec lan nft -f - || bail "nftables counters in the lan switch"

# The names in the order a sample prints them (cnames6: an IPv6 sample).
cnames=(req)
for r in "${ROUTERS[@]}"; do cnames+=("rep_$r"); done
for r in "${ROUTERS[@]}"; do for ((i = 0; i < NFWD; i++)); do cnames+=("own_${r}_$i"); done; done
cnames6=(req6)
for r in "${ROUTERS[@]}"; do cnames6+=("rep6_$r"); done
SAMPLES=$LAB_DIR/samples
SAMPLES6=$LAB_DIR/samples6
FAULTS=$LAB_DIR/faults
LOSS=$LAB_DIR/loss
: >"$SAMPLES" >"$SAMPLES6" >"$FAULTS" >"$LOSS"

read_counters() { # name...
	lab_exec lan nft -j list counters table bridge xglb_soak |
		jq -r '[.nftables[] | select(.counter) | .counter | {(.name): .packets}] | add as $c |
			$ARGS.positional | map($c[.] // 0) | join(" ")' --args "$@"
}

# Monitors: every sample, a fresh request from arpc for the VIP (its neighbour
# entry flushed, one ping) or from ndpc for the virtual link-local (one ping
# over IPv6), then the counters: "time-of-sample time-of-request counters...".
srv_ip=$(lab_get server ip)
monitor() {
	local tq
	while [ ! -e "$LAB_DIR/stop" ]; do
		lab_exec arpc ip neigh flush dev eth0 to "$LAB_VIP" 2>/dev/null
		tq=$(now_ms)
		lab_exec arpc ping -c 1 -W 0.1 -q "$srv_ip" >/dev/null 2>&1
		echo "$(now_ms) $tq $(read_counters "${cnames[@]}")" >>"$SAMPLES"
	done
}
monitor6() {
	local tq
	while [ ! -e "$LAB_DIR/stop" ]; do
		lab_exec ndpc ip -6 neigh flush dev eth0 to "$LAB_LL6" 2>/dev/null
		tq=$(now_ms)
		lab_exec ndpc ping -6 -c 1 -W 0.1 -q "$LAB_SERVER_IP6" >/dev/null 2>&1
		echo "$(now_ms) $tq $(read_counters "${cnames6[@]}")" >>"$SAMPLES6"
	done
}

# Traffic: segments of SEG s; every client probes the server (over IPv4 or
# IPv6: family), c21 the control c22 (IPv4, no router between).
lab_echo_start server "$PORT" && lab_echo_start c22 "$CPORT" || bail "echoes listen"
srv_of() { [ "$(family "$1")" = 6 ] && echo "$LAB_SERVER_IP6" || echo "$srv_ip"; }
for c in "${clients[@]}"; do lab_exec "$c" ping -c 1 -W 2 -q "$(srv_of "$c")" >/dev/null; done
traffic() {
	local t0 c f lost ctl
	local -A total
	while [ ! -e "$LAB_DIR/stop" ]; do
		t0=$(now_ms)
		for c in "${clients[@]}"; do lab_probe_start "$c" "$c" "$SEG" "$(srv_of "$c")" "$PORT" "$RATE"; done
		lab_probe_start ctl c21 "$SEG" "$(lab_get c22 ip)" "$CPORT" "$CRATE"
		total=([4]=0 [6]=0)
		for c in "${clients[@]}" ctl; do lab_probe_wait "$c"; done
		for c in "${clients[@]}"; do
			lost=$(lab_probe_netlost "$c")
			[[ $lost =~ ^-?[0-9]+$ ]] || lost=0
			f=$(family "$c")
			[ "$lost" -gt 0 ] && total[$f]=$((total[$f] + lost))
		done
		ctl=$(lab_probe_netlost ctl)
		[[ $ctl =~ ^[0-9]+$ ]] || ctl=0
		echo "$t0 $(now_ms) ${total[4]} $ctl ${total[6]}" >>"$LOSS"
	done
}

# ---- faults -----------------------------------------------------------------------------
# Every draw from RANDOM happens in this shell, never in a $(...) subshell:
# bash reseeds RANDOM in each subshell, so a draw there would not follow
# SOAK_SEED and the schedule could not be replayed. Both set REPLY.
pick() { local a=("$@"); REPLY=${a[RANDOM % ${#a[@]}]}; }
between() { REPLY=$(($1 + RANDOM % ($2 - $1 + 1))); } # seconds, inclusive
port_of() { lab_get "$1" port.eth0; }
nft_lan() { lab_exec lan nft "$@"; }
# start_ms end_ms kind target [detail]; teff: when the action had been carried
# out (an AVG death's no-AVG window counts from then).
fault_log() { echo "$1 $(now_ms) $2 $3 $teff${4:+ $4}" >>"$FAULTS"; }
FAKETIME_LIB=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$')
# xglbd again on R under libfaketime, its clocks read through $LAB_DIR/faketime.R
# (re-read at every call): "wall" fakes CLOCK_REALTIME only, "mono" both it and
# CLOCK_MONOTONIC.
faked_restart() { # R wall|mono
	local dont=1
	[ "$2" = mono ] && dont=0
	LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$LAB_DIR/faketime.$1 FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=$dont lab_restart_xglbd "$1" >/dev/null 2>&1
}
declare -A BASECFG
for r in "${ROUTERS[@]}"; do BASECFG[$r]=$(lab_get "$r" xglbd_cfg); done
unexpected=()

fault() {
	local kind r t0 d f i handle detail=
	pick "${KINDS[@]}"
	kind=$REPLY
	pick "${ROUTERS[@]}"
	r=$REPLY
	t0=$(now_ms)
	teff=$t0
	case $kind in
	kill9 | term)
		if [ "$kind" = kill9 ]; then lab_kill_xglbd "$r" && teff=$(now_ms); else lab_stop_xglbd "$r" 10; fi
		between 1 4
		sleep "$REPLY"
		lab_restart_xglbd "$r" >/dev/null 2>&1 || unexpected+=("$r did not restart after $kind")
		;;
	reload)
		lab_reload_xglbd "$r" || unexpected+=("$r: reload not done")
		;;
	badreload)
		f=${BASECFG[$r]}
		cp "$f" "$f.good"
		printf 'nodes: [\n' >"$f"
		i=$(grep -c 'keeping the running configuration' "$(lab_xglbd_log "$r")")
		lab_signal_xglbd "$r" HUP &&
			lab_wait 5 _lab_count_above "$(lab_xglbd_log "$r")" 'keeping the running configuration' "$i" ||
			unexpected+=("$r: a broken file was not refused")
		mv "$f.good" "$f"
		lab_xglbd_running "$r" || unexpected+=("$r died on a bad reload")
		;;
	linkdown)
		[ "$r" = r1 ] && r=r2
		lab_exec "$r" ip link set eth0 down
		teff=$(now_ms)
		between 1 3
		sleep "$REPLY"
		lab_exec "$r" ip link set eth0 up
		;;
	partition)
		handle=$(nft_lan -e -a add rule bridge xglb_soak filt iifname "$(port_of "$r")" udp dport 7867 drop | sed -n 's/.*# handle //p')
		i=$(nft_lan -e -a add rule bridge xglb_soak filt oifname "$(port_of "$r")" udp dport 7867 drop | sed -n 's/.*# handle //p')
		between 2 5
		sleep "$REPLY"
		nft_lan delete rule bridge xglb_soak filt handle "$handle"
		nft_lan delete rule bridge xglb_soak filt handle "$i"
		;;
	loss)
		handle=$(nft_lan -e -a add rule bridge xglb_soak filt udp dport 7867 numgen random mod 100 '<' 30 drop | sed -n 's/.*# handle //p')
		between 3 6
		sleep "$REPLY"
		nft_lan delete rule bridge xglb_soak filt handle "$handle"
		r=-
		;;
	move)
		i=$((RANDOM % NFWD))
		pick "${ROUTERS[@]}"
		lab_xglbctl "$REPLY" move "$i" "$r" >/dev/null 2>&1
		r="fwd$i->$r"
		;;
	drain)
		lab_xglbctl "$r" drain "$r" >/dev/null 2>&1
		sleep 2
		lab_xglbctl "$r" undrain "$r" >/dev/null 2>&1
		;;
	clock)
		# The wall clock hours off: R's xglbd started with it (a stop,
		# then a start under libfaketime), then stepped back across the
		# real time while it runs. Nothing in the protocol may notice.
		between 1 48
		d=$REPLY
		pick + -
		detail="wall$REPLY${d}h"
		echo "$REPLY${d}h" >"$LAB_DIR/faketime.$r"
		lab_stop_xglbd "$r" 10
		faked_restart "$r" wall || unexpected+=("$r did not start with its wall clock $detail")
		between 2 4
		sleep "$REPLY"
		[ "${detail:4:1}" = + ] && f=- || f=+
		between 1 48
		echo "$f${REPLY}h" >"$LAB_DIR/faketime.$r"
		detail="$detail,then$f${REPLY}h"
		sleep 2
		;;
	monostep)
		# CLOCK_MONOTONIC (and the wall clock) of a running xglbd jumps 2..5 s
		# forward: to R alone it is as if it had stalled that long (its
		# peers saw no silence). It must not declare its peers dead.
		echo "+0" >"$LAB_DIR/faketime.$r"
		lab_stop_xglbd "$r" 10
		faked_restart "$r" mono || unexpected+=("$r did not start with a faked CLOCK_MONOTONIC")
		between 2 4
		sleep "$REPLY"
		between 2 5
		detail="+${REPLY}s"
		echo "+$REPLY" >"$LAB_DIR/faketime.$r"
		sleep 3
		;;
	esac
	fault_log "$t0" "$kind" "$r" "$detail"
	for x in "${ROUTERS[@]}"; do
		lab_xglbd_running "$x" || {
			unexpected+=("$x's xglbd not running after $kind $r: $(lab_xglbd_exited "$x")")
			lab_restart_xglbd "$x" >/dev/null 2>&1
		}
	done
}

T0=$(now_ms)
monitor &
MON=$!
monitor6 &
MON6=$!
traffic &
TRAF=$!
end=$((SECONDS + SOAK_MIN * 60))
n=0
while [ $SECONDS -lt $end ]; do
	between 4 10
	sleep "$REPLY"
	[ $SECONDS -lt $end ] || break
	fault
	n=$((n + 1))
done
sleep 5 # let the last fault settle inside the record
touch "$LAB_DIR/stop"
wait "$MON" "$MON6" "$TRAF" 2>/dev/null

# ---- analysis -------------------------------------------------------------------------
echo "# $(wc -l <"$SAMPLES") ARP and $(wc -l <"$SAMPLES6") NS wire samples, $(wc -l <"$LOSS") loss segments, $n faults"
# wire SAMPLES PREFIX LATE NFWD: the windows of one family's samples, as
# PREFIX... lines (LATE: the name of the late answers; NFWD 0: no owners).
wire() {
awk -v t0="$T0" -v nr=${#ROUTERS[@]} -v nf="$4" -v learn=$LEARN -v hold=$HOLD -v faults="$FAULTS" \
	-v pre="$2" -v late="$3" '
function insplit(t,   i) { # a split of the hellos runs at t (or ended less than hold + 2 s before)
	for (i = 1; i <= nfl; i++)
		if ((fk[i] == "partition" || fk[i] == "linkdown") && fs[i] <= t && fe[i] + hold + 2000 >= t) return 1
	return 0
}
function death(t, r,   i) { # a fault that stopped router r (or cut its link) runs at t: its index, else 0
	for (i = 1; i <= nfl; i++)
		if (ft[i] == r && fk[i] ~ /^(kill9|term|linkdown|clock|monostep)$/ && fs[i] <= t && fe[i] + hold + 2000 >= t) return i
	return 0
}
function lastfaults(t,   i, s) { # when (s into the soak), and the faults running or ended within hold + 2 s
	s = ""
	for (i = 1; i <= nfl; i++)
		if (fs[i] <= t && fe[i] + hold + 2000 >= t) s = s " " fk[i] "(" ft[i] (fx[i] == "" ? "" : " " fx[i]) ")"
	return sprintf(" at %.1f s, faults:", (t - t0) / 1000) (s == "" ? " none" : s)
}
BEGIN {
	while ((getline l < faults) > 0) { split(l, a, " "); nfl++; fs[nfl] = a[1]; fe[nfl] = a[2]; fk[nfl] = a[3]; ft[nfl] = a[4]; fv[nfl] = a[5]; fx[nfl] = a[6] }
}
{
	t = $1 # the sample; $2: when its request was sent
	if (NR > 1) {
		req = $3 - p[3]; nrep = 0; reps = 0
		for (r = 0; r < nr; r++) if ($(4 + r) > p[4 + r]) { nrep++; reps += $(4 + r) - p[4 + r] }
		# two AVGs: answers to the client from two ports in one sample
		if (nrep >= 2) { if (!dstart) dstart = pt; dend = t } else if (dstart) { d = dend - dstart; if (insplit(dstart)) { if (d > smax) smax = d } else if (d > dmax) { dmax = d; dwhy = d " ms" lastfaults(dstart) }; dstart = 0 }
		# no AVG: the client asked and no port answered, sample after sample.
		# When a reply comes, the window is late answers if the replies by
		# then cover every request in it (an AVG answered each, the machine
		# was slow), an AVG death if a fault stopped the router that answered
		# last (from the fault to the last unanswered request sent), else a
		# window with no AVG.
		if (req > 0 && nrep == 0) { if (!nstart) { nstart = pt; nfirst = t; nreq = 0 }; nend = t; nqend = $2; nreq += req }
		else if (nrep > 0 && nstart) {
			if (reps >= nreq + req) { d = nend - nstart; if (d > lmax) lmax = d; nlate++ }
			else if ((i = death(nfirst, lastavg))) {
				d = nqend - (fv[i] > nstart ? fv[i] : nstart); d2 = t - (fs[i] > nstart ? fs[i] : nstart)
				if (d < 0) d = 0
				if (d2 > kmax2) kmax2 = d2
				if (d > kmax) { kmax = d; kwhy = d " ms" lastfaults(nfirst) }
				if (d > hold) over = over "\n# no AVG for " d " ms after the AVG stopped" lastfaults(nfirst)
			} else {
				d = nend - nstart
				if (d > omax2) { omax2 = d; o2why = d " ms" lastfaults(nfirst) }
				over = over "\n# no AVG for " d " ms, no AVG death" lastfaults(nfirst)
			}
			nstart = 0
		}
		if (nrep == 1) for (r = 0; r < nr; r++) if ($(4 + r) > p[4 + r]) lastavg = "r" (r + 1)
		# owners: last frame time per (router, vMAC)
		for (r = 0; r < nr; r++) for (i = 0; i < nf; i++) { k = 4 + nr + r * nf + i; if ($k > p[k]) last[r, i] = t }
		for (i = 0; i < nf; i++) {
			c = 0
			for (r = 0; r < nr; r++) if ((r, i) in last && t - last[r, i] <= learn + 100) c++
			if (c >= 2) { if (!ostart[i]) ostart[i] = t; oend[i] = t }
			else if (ostart[i]) { d = oend[i] - ostart[i] + 1; if (insplit(ostart[i])) { if (d > smax) smax = d } else { if (d > omax) { omax = d; owhy = d " ms, fwd" i lastfaults(ostart[i]) }; if (d > hold) over = over "\n# fwd" i ": two owners for " d " ms" lastfaults(ostart[i]) }; ostart[i] = 0 }
		}
	}
	for (j = 1; j <= NF; j++) p[j] = $j
	pt = t
}
END {
	if (nf) printf "%sdouble_owner_ms_max %d\n", pre, omax
	printf "%sno_avg_ms_max %d\n%sno_avg_death_ms_max %d\n%sno_avg_other_ms_max %d\n", pre, (kmax > omax2 ? kmax : omax2), pre, kmax, pre, omax2
	printf "%sno_avg_death_upper_ms_max %d\n", pre, kmax2
	printf "%s_ms_max %d\n%s_windows %d\n%sdouble_avg_ms_max %d\n%ssplit_brain_ms_max %d\n", late, lmax, late, nlate, pre, dmax, pre, smax
	if (nf) printf "# longest two owners: %s\n", owhy
	printf "# %s: longest no AVG after an AVG stopped: %s\n# %s: longest no AVG otherwise: %s\n# %s: longest two AVGs: %s", pre, kwhy, pre, o2why, pre, dwhy
	gsub(/\n# no AVG/, "\n# " pre ": no AVG", over)
	print over
}' "$1"
}
analysis=$(wire "$SAMPLES" soak_ soak_arp_late "$NFWD")
analysis6=$(wire "$SAMPLES6" soak_ndp_ soak_ndp_late 0)
# Loss per family (LOSS: t0 t1 lost4 ctl lost6): explained if a fault ran
# during the segment (or ended less than hold + 2 s before it), and by kind:
# what segments each kind of fault overlapped lost (a segment two kinds
# overlapped counts for both).
loss=$(awk -v t0="$T0" -v hold=$HOLD -v faults="$FAULTS" '
BEGIN { while ((getline l < faults) > 0) { split(l, a, " "); nfl++; fs[nfl] = a[1]; fe[nfl] = a[2] + hold + 2000; fk[nfl] = a[3] } }
{
	ex = 0; split("", seen)
	for (i = 1; i <= nfl; i++) if (fs[i] <= $2 && fe[i] >= $1) { ex = 1; if (!(fk[i] in seen)) { seen[fk[i]] = 1; k4[fk[i]] += $3; k6[fk[i]] += $5 } }
	if ($4 > 0) { stalled++; next }
	if (ex) { e4 += $3; e6 += $5 }
	else { u4 += $3; u6 += $5; if ($3 + $5 > 0) det = det sprintf("\n# unexplained: %d IPv4 and %d IPv6 datagrams lost in the segment at %.1f s", $3, $5, ($1 - t0) / 1000) }
}
END {
	printf "soak_loss_explained %d\nsoak_loss4_explained %d\nsoak_loss6_explained %d\n", e4 + e6, e4, e6
	printf "soak_unexplained_loss %d\nsoak_unexplained_loss4 %d\nsoak_unexplained_loss6 %d\nsoak_stalled_segments %d%s\n", u4 + u6, u4, u6, stalled, det
	s = ""; for (k in k4) s = s sprintf(" %s %d/%d,", k, k4[k], k6[k])
	printf "# lost (IPv4/IPv6) in segments each kind of fault overlapped:%s\n", s == "" ? " none" : s
}' "$LOSS")

echo "soak_seed $SOAK_SEED"
echo "soak_minutes $SOAK_MIN"
echo "soak_faults $n"
echo "$analysis"
echo "$analysis6"
echo "$loss"
echo "# faults by kind: $(awk '{print $3}' "$FAULTS" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')"
# The record, for reading a window after the lab is gone: samples, faults,
# loss segments, every xglbd log.
SOAK_OUT=${SOAK_OUT:-/tmp/xglb-soak.$SOAK_SEED.$$}
mkdir -p "$SOAK_OUT" && cp "$SAMPLES" "$SAMPLES6" "$FAULTS" "$LOSS" "$LAB_DIR"/*.log "$SOAK_OUT"/ 2>/dev/null
echo "$T0 time request ${cnames[*]}" >"$SOAK_OUT/columns"
echo "$T0 time request ${cnames6[*]}" >"$SOAK_OUT/columns6"
echo "# the record (samples, samples6, faults, loss, xglbd logs) is kept in $SOAK_OUT"
get() { sed -n "s/^$1 //p" <<<"$analysis
$analysis6
$loss"; }
dom=$(get soak_double_owner_ms_max) unex=$(get soak_unexplained_loss)
kavg=$(get soak_no_avg_death_ms_max) oavg=$(get soak_no_avg_other_ms_max)
kavg6=$(get soak_ndp_no_avg_death_ms_max) oavg6=$(get soak_ndp_no_avg_other_ms_max)
check "two owners of a vMAC at most one hold time ($dom ms <= $HOLD ms; seed $SOAK_SEED)" [ "$dom" -le "$HOLD" ]
check "no AVG at most one hold time after the AVG stopped ($kavg ms <= $HOLD ms; seed $SOAK_SEED)" [ "$kavg" -le "$HOLD" ]
check_eq "no AVG never otherwise (seed $SOAK_SEED)" "$oavg" 0
check "no NS answered at most one hold time after the AVG stopped ($kavg6 ms <= $HOLD ms; seed $SOAK_SEED)" [ "$kavg6" -le "$HOLD" ]
check_eq "NS always answered otherwise (seed $SOAK_SEED)" "$oavg6" 0
check_eq "no unexplained loss, IPv4 and IPv6 (seed $SOAK_SEED)" "$unex" 0
check_empty "every xglbd ended only when the soak ended it" "$(printf '%s\n' "${unexpected[@]}")"
t_done
