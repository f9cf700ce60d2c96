#!/usr/bin/env bash
# test_member_replay.sh - hellos recorded before a restart are never accepted again, and a
# reload that reorders the nodes costs no hello.
#
# 3 routers (r1 priority 200: the AVG; r2, r3 100), hello 100 ms, hold 1000 ms; x1 is a
# host on the segment playing the attacker.
#
#   1. every hello r2 sends r1 is recorded (a tap in r1's namespace) while an operator drains r1 from r2 and undrains it.
#   2. r1's xglbd restarts: its boot counter (state-dir) goes up by one; a state-dir that
#      cannot hold the counter stops it from starting, with the path in the error.
#   3. x1 replays every recorded hello to r1 (r2's address, TTL 255): all are dropped as
#      "echo" (none echoes r1's new boot); r1 stays AVG, undrained, views unchanged.
#   4. r2 is stopped and the replay repeated: r1 and r3 keep showing r2 down.
#   5. r1 reloads a file that lists r3 before r2: no hello is refused anywhere (replay,
#      old_boot, echo unchanged on every router) and every peer stays up.
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
# Helpers are called through lab_wait and check; jq programs stay in single quotes.
# shellcheck disable=SC2317,SC2016
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=100
HOLD=1000
MPORT=7867 # membership (the lab's configs use the default port)

t_need_built xglbd xglbctl xdp_pass.bpf.o tools/xglb_inject

# ---- status helpers ------------------------------------------------------------
rx() { lab_jst "$1" ".membership.$2"; } # datagram counter by reason
rx_above() { [ "$(rx "$1" "$2")" -gt "$3" ] 2>/dev/null; } # router reason n
role() { lab_jst "$1" '.groups[0].role'; }
drained() { lab_jst "$1" '.node.drained'; }
is_drained() { [ "$(drained "$1")" = "$2" ]; }                                          # router true|false
peer_up() { lab_jst "$1" ".groups[0].peers[] | select(.name == \"$2\") | .up"; }     # router peer
peer_is() { [ "$(peer_up "$1" "$2")" = "$3" ]; }                                      # router peer true|false
r1_settled() { [ "$(role r1)" = avg ] && peer_is r1 r2 true && peer_is r1 r3 true && lab_agree; }
refusals() { # replay/old_boot/echo on every router
	local r
	for r in "${ROUTERS[@]}"; do
		lab_jst "$r" '.membership | "\(.replay)/\(.old_boot)/\(.echo)"'
	done | paste -sd' '
}
inject() { lab_exec "$1" "$LAB_BUILD/tools/xglb_inject" "${@:2}"; } # box args...
replay_all() { # send every recorded hello from x1 as r2 to r1
	local f
	for f in "$REC"/*.bin; do inject x1 send "$R2" "$R1" $MPORT 255 "$f" >/dev/null || return 1; done
}

# ---- lab -------------------------------------------------------------------------
lab_setup "${ROUTERS[@]}" -- x1
CONF=(membership=1 prios=200,100,100 hello_ms=$HELLO hold_ms=$HOLD)
lab_start_all "${CONF[@]}" || bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 15 r1_settled || bail "r1 is AVG and every router agrees" "$(lab_views)"
ok "xglbd ready on ${ROUTERS[*]}, r1 is AVG"
R1=$(lab_get r1 ip) R2=$(lab_get r2 ip)

# ---- 1. record r2's hellos to r1 across a drain of r1 issued on r2 -------------------
REC=$LAB_DIR/rec
mkdir -p "$REC"
lab_bg r1 "$LAB_DIR/record.log" "$LAB_BUILD/tools/xglb_inject" record eth0 "$R2" $MPORT "$REC" 4000
rec_pid=$LAB_BG_PID
# r2 says hello every 100 ms: the first file shows the recorder is listening
lab_wait 3 test -e "$REC/0000.bin" || bail "r2's hellos to r1 are being recorded" "$(cat "$LAB_DIR/record.log")"
lab_xglbctl r2 drain r1
check_eq "drain r1 issued on r2 (rides on r2's hellos)" "$RC" 0
lab_wait 5 is_drained r1 true
check_eq "r1 drained itself on r2's request" "$(drained r1)" true
lab_xglbctl r1 undrain r1
lab_wait 5 is_drained r1 false
lab_wait 10 r1_settled
check "r1 undrained and AVG again" r1_settled
wait "$rec_pid"
N=$(find "$REC" -name '*.bin' | wc -l)
ADMIN=0
for f in "$REC"/*.bin; do # flags (bytes 6..7, big-endian): 0x0020 = carries an operator's request
	[ $(($(od -An -tu1 -j7 -N1 "$f") & 0x20)) -ne 0 ] && ADMIN=$((ADMIN + 1))
done
echo "# recorded $N hellos r2 -> r1, $ADMIN carrying the drain"
check "recorded r2's hellos to r1 ($N), at least one carrying 'drain r1' ($ADMIN)" \
	[ "$N" -ge 10 -a "$ADMIN" -ge 1 ]

# ---- 2. restart r1: the boot counter in state-dir ------------------------------------
boot0=$(lab_jst r1 '.node.boot')
check_eq "the boot counter file holds r1's running boot" "$(cat "$LAB_DIR/state-r1/boot")" "$boot0"
lab_stop_xglbd r1
CFG1=$(lab_get r1 xglbd_cfg)
sed "s|^state-dir: .*|state-dir: $LAB_DIR/state-r1/boot/sub|" "$CFG1" >"$LAB_DIR/r1-bad.yaml"
if lab_start_xglbd r1 "$LAB_DIR/r1-bad.yaml" 2>/dev/null; then
	not_ok "xglbd refuses to start when state-dir cannot hold the counter" "it started"
	lab_stop_xglbd r1
else
	check "xglbd refuses to start when state-dir cannot hold the counter, naming the path" \
		grep -q "boot counter: $LAB_DIR/state-r1/boot/sub.*not starting" "$(lab_xglbd_log r1)"
fi
check_eq "... and the counter is unchanged" "$(cat "$LAB_DIR/state-r1/boot")" "$boot0"
lab_start_xglbd r1 "$CFG1" || bail "xglbd restarted on r1" "$(tail -5 "$(lab_xglbd_log r1)")"
check_eq "r1's boot is one above the last one" "$(lab_jst r1 '.node.boot')" "$((boot0 + 1))"
lab_wait 15 r1_settled
check "r1 back as AVG, r2 and r3 up in its view" r1_settled

# ---- 3. replay everything recorded before the restart ---------------------------------
view0=$(lab_views)
ok0=$(rx r1 ok) echo0=$(rx r1 echo) replay0=$(rx r1 replay)
replay_all || bail "x1 sends the recorded hellos"
lab_wait 5 rx_above r1 echo $((echo0 + N - 1))
check_eq "all $N recorded hellos are dropped by r1 as echo" "$(($(rx r1 echo) - echo0))" "$N"
check_eq "... none as replay (they never reach the window)" "$(($(rx r1 replay) - replay0))" 0
check_eq "r1 is not drained" "$(drained r1)" false
check_eq "r1 is still AVG; views unchanged" "$(role r1) $(lab_views)" "avg $view0"
check "r1 accepted r2's live hellos meanwhile" rx_above r1 ok "$ok0"

# ---- 4. r2 stopped: its recorded hellos do not bring it back -------------------------
lab_stop_xglbd r2
lab_wait 5 peer_is r1 r2 false
lab_wait 5 peer_is r3 r2 false
check_eq "r2 stopped: down in r1's and r3's view" "$(peer_up r1 r2) $(peer_up r3 r2)" "false false"
echo0=$(rx r1 echo)
replay_all || bail "x1 sends the recorded hellos again"
lab_wait 5 rx_above r1 echo $((echo0 + N - 1))
check_eq "the replay while r2 is stopped: all $N dropped as echo" "$(($(rx r1 echo) - echo0))" "$N"
check_eq "r2 still down in r1's and r3's view, r1 undrained" \
	"$(peer_up r1 r2) $(peer_up r3 r2) $(drained r1)" "false false false"
lab_restart_xglbd r2 || bail "xglbd restarted on r2" "$(tail -5 "$(lab_xglbd_log r2)")"
lab_wait 15 r1_settled
check "r2 back: up in r1's view, one state" r1_settled

# ---- 5. reload r1 with the nodes reordered ---------------------------------------------
# Move r2's node entry (name, id, address, priority) after r3's.
awk '/^  - name: r2$/ { hold = 1 } hold && /^  - name: r3$/ { hold = 0; keep = 1 }
	/^groups:/ && keep { printf "%s", buf; keep = 0 }
	hold { buf = buf $0 "\n"; next } { print }' "$CFG1" >"$CFG1.new" && mv "$CFG1.new" "$CFG1"
check_eq "r1's file now lists r1, r3, r2" "$(grep -oP '^  - name: \K.*' "$CFG1" | paste -sd,)" "r1,r3,r2"
refused0=$(refusals)
events0=$(lab_all_events)
ok1=$(rx r1 ok)
lab_reload_xglbd r1 || bail "r1 reloads" "$(tail -5 "$(lab_xglbd_log r1)")"
# 2 peers x 10 hellos/s: 40 more accepted hellos is 2 s of hellos after the reload
lab_wait 10 rx_above r1 ok $((ok1 + 40))
check "r1 keeps accepting hellos after the reload" rx_above r1 ok $((ok1 + 40))
check_eq "no hello refused anywhere (replay/old_boot/echo on r1 r2 r3)" "$(refusals)" "$refused0"
check_eq "every peer stayed up: no AVG, owner or failover event" "$(lab_all_events)" "$events0"
check_eq "peers up in r1's view" "$(peer_up r1 r2) $(peer_up r1 r3)" "true true"

t_done
