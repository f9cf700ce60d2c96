#!/usr/bin/env bash
# test_reload.sh - "xglbctl reload" on a running 3-router membership group: a good file is applied
# (exit 0, ok, the new lease in the data plane) and the node stays a working member across
# repeated reloads (alive, heard by its peers, its hellos still authenticate); a broken file is
# refused (non-zero exit, one line on stderr, the file's error in the log) with the running state
# kept; an operator's drain survives a reload.
#
# Lab: r1 r2 r3 (r3 AVG), 4 forwarders owned r1,r2,r3,r2 (persistence 3).
# Prints TAP-like "ok - ..." / "not ok - ..." lines; "#" lines are details.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1

ROUTERS=(r1 r2 r3)
HELLO=200
HOLD=2000
RELOADS=5


t_need_built xglbd xglbctl xdp_pass.bpf.o

alive() { [ "$(lab_jst "$1" .node.name)" = "$1" ]; }
# Datagrams a router accepted (ok) and rejected for a bad HMAC (auth), from its status.
rx() { lab_jst "$1" '"\(.membership.ok) \(.membership.auth)"'; }
ok_above() { [ "$(lab_jst "$1" .membership.ok)" -ge "$2" ] 2>/dev/null; }

# ---- lab ----------------------------------------------------------------------------------
t0=$SECONDS
LAB_QUIET=1
lab_init
echo "# lab $LAB_SFX: namespaces xl$LAB_SFX-*, removed on exit"
for r in "${ROUTERS[@]}"; do lab_router "$r"; done
lab_start_all membership=1 owners=r1,r2,r3,r2 persistence=3 hello_ms=$HELLO hold_ms=$HOLD || bail "xglbd ready on every router" "$LAB_ERR"
lab_wait 10 lab_agree "${ROUTERS[@]}" || bail "r1 r2 r3 agree on one group state" "$(lab_views)"
ok "xglbd ready on r1 r2 r3: $(lab_view_full r1)"

# ---- a good file -----------------------------------------------------------------------------
cfg=$LAB_DIR/r1.yaml
cp "$cfg" "$LAB_DIR/r1.yaml.orig"
sed -i 's/^lease-ms: .*/lease-ms: 2500/' "$cfg"
tv=$(lab_jst r1 .tables_version)
lab_xglbctl r1 --json reload
check_eq "reload --json with a good file (lease 3000 -> 2500): exit 0, ok, tables version advances" \
	"$RC $(jq -r '"\(.ok) \(.tables_version > '"$tv"')"' <<<"$OUT")" "0 true true"
lab_xglbctl r1 --json tables
check_eq "reload: the new lease is in the data plane" "$(jq .lease_ms <<<"$OUT")" 2500
lab_xglbctl r1 reload
check "reload (text): one line naming the tables version" \
	bash -c '[ "$1" = 0 ] && [[ "$2" =~ ^"reload: done, tables version "[0-9]+$ ]]' _ "$RC" "$OUT"

# After each reload: r1 still answers, and its next hellos reach both peers and authenticate.
survived=0
for ((i = 1; i <= RELOADS; i++)); do
	read -r ok2 auth2 <<<"$(rx r2)"
	read -r ok3 auth3 <<<"$(rx r3)"
	lab_xglbctl r1 reload
	[ "$RC" = 0 ] || break
	# 2 peers x 1 hello each per HELLO ms: a few hello periods later
	lab_wait 3 ok_above r2 $((ok2 + 6)) && lab_wait 3 ok_above r3 $((ok3 + 6)) || break
	alive r1 || break
	[ "$(rx r2 | cut -d' ' -f2) $(rx r3 | cut -d' ' -f2)" = "$auth2 $auth3" ] || break
	lab_agree "${ROUTERS[@]}" || break
	survived=$i
done
if [ "$survived" = "$RELOADS" ]; then
	ok "$RELOADS more reloads of r1: each time it answers, both peers hear it up, no hello fails authentication"
else
	not_ok "$RELOADS more reloads of r1: it stays alive and a working member" \
		"reload $((survived + 1)) broke it: xglbctl exit $RC ${ERR:-}" \
		"r1 answers: $(alive r1 && echo yes || echo no); r2 sees r1 up: $(lab_jst r2 '.groups[0].peers[] | select(.name == "r1") | .up')" \
		"r2 ok/auth: $ok2 $auth2 -> $(rx r2); r3 ok/auth: $ok3 $auth3 -> $(rx r3)" \
		"$(lab_xglbd_exited r1)"
	t_logs
	t_summary
	exit 1 # the rest needs a working r1
fi

# ---- a broken file ---------------------------------------------------------------------------
lab_wait 5 lab_agree "${ROUTERS[@]}"
before="$(lab_jst r1 .tables_version) $(lab_view_full r1)"
[[ $before =~ ^[0-9]+\ avg=r3 ]] || not_ok "r1's state before the broken reload" "$before"
cp "$cfg" "$cfg.good"
echo "frobnicate: 1" >>"$cfg"
lab_xglbctl r1 --json reload
check_one_line_error "reload --json of a broken file" "reload refused"
lab_xglbctl r1 reload
check_one_line_error "reload (text) of a broken file" "reload refused"
check "reload of a broken file: xglbd logs the file's error and keeps the running configuration" \
	bash -c 'grep -q "r1.yaml:[0-9]*: frobnicate: unknown field" "$1" && grep -q "keeping the running configuration" "$1"' \
	_ "$(lab_xglbd_log r1)"
lab_xglbctl r1 --json tables
check_eq "reload of a broken file: r1 answers, lease still 2500, same tables version and group view" \
	"$(jq .lease_ms <<<"$OUT") $(lab_jst r1 .tables_version) $(lab_view_full r1)" "2500 $before"
check "... and the group still agrees" lab_agree "${ROUTERS[@]}"
cp "$LAB_DIR/r1.yaml.orig" "$cfg"
lab_xglbctl r1 --json reload
check_eq "reload back to the original file: exit 0, lease 3000 again" \
	"$RC $(lab_ctl r1 --json tables | jq .lease_ms)" "0 3000"

# ---- a drain survives a reload ----------------------------------------------------------------
drained_view="avg=r3 fwd=r1/1/3,r1/2/3,r3/3/3,r3/2/3"
view_is() { [ "$(lab_view_full "$1" | sed 's/ v=[0-9]*//')" = "$2" ]; }
lab_xglbctl r2 drain r2
lab_wait 5 view_is r3 "$drained_view"
check_eq "drain r2: its forwarders go to r1 and r3, it advertises priority 0, weight 0" \
	"$(lab_view_full r3 | sed 's/ v=[0-9]*//') $(lab_jst r2 '"\(.node.drained) \(.node.priority) \(.node.weight)"')" \
	"$drained_view true 0 0"
read -r ok3 _ <<<"$(rx r3)"
lab_xglbctl r2 reload
check_eq "reload of the drained r2: exit 0" "$RC" 0
lab_wait 3 ok_above r3 $((ok3 + 10)) # r2's next hellos reached the AVG
check_eq "after the reload r2 is still drained: priority 0, weight 0 (its own status and the AVG's)" \
	"$(lab_jst r2 '"\(.node.drained) \(.node.priority) \(.node.weight)"') $(lab_jst r3 '.groups[0].peers[] | select(.name == "r2") | "\(.priority) \(.weight)"')" \
	"true 0 0 0 0"
check_eq "... and owns no forwarder" "$(lab_view_full r3 | sed 's/ v=[0-9]*//')" "$drained_view"
lab_xglbctl r1 undrain r2
lab_wait 5 view_is r3 "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3"
check_eq "undrain r2: its forwarders come back" "$(lab_view_full r3 | sed 's/ v=[0-9]*//')" "avg=r3 fwd=r1/1/3,r2/2/3,r3/3/3,r2/2/3"

for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" 5; done
t_done
