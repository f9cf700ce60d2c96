#!/usr/bin/env bash
# run.sh - model-checks model/xglb.pml with spin (model/README.md).
#
#   tests/model/run.sh [bounded|full]
#
# bounded (the default; tests/run.sh runs it, about a minute on 2 cores):
# exhaustive searches of small configurations (3 nodes with 2 faults, or 1
# fault and a replay; 4 nodes with 2 faults; 3 and 4 nodes with 2
# forwarders; a clean stop's handover), and the five broken variants, each
# of which must make spin report its violation (so a check that can no
# longer find anything fails too). full (make model): the same, exhaustive
# searches with 3 faults (with and without clean stops), then larger configurations by
# bitstate search (128 MB tables; MODEL_MEMLIM, MB, bounds each exhaustive
# one; MODEL_JOBS searches at a time, 2). One "ok"/"not ok" line per
# configuration; a violation keeps its trail and its scenario for
# tests/unit/test_model.c under build/model/NAME/.
source "$(dirname "$0")/../lab/testlib.sh" || exit 1
mode=${1:-bounded}
case $mode in bounded | full) ;; *) echo "usage: $0 [bounded|full]" >&2; exit 2 ;; esac
t_need_tools spin gcc
LAB_DIR=${LAB_DIR:-} # no lab: t_done and t_logs have no routers to show

out_root=$LAB_ROOT/${BUILD:-build}/model
mkdir -p "$out_root"
MEMLIM=${MODEL_MEMLIM:-1024} # MB per exhaustive search

# One search: NAME EXPECT(ok|violation) SEARCH(exhaustive|bitstate:W) SPIN-DEFINES...
# Its verdict line goes to build/model/NAME/verdict (run in the background).
search() {
	local name=$1 expect=$2 search=$3 dir res t0 states err cflags run
	shift 3
	dir=$out_root/$name
	rm -rf "$dir" && mkdir -p "$dir"
	cp model/xglb.pml "$dir/"
	t0=$SECONDS
	case $search in
	exhaustive) cflags="-DCOLLAPSE -DMEMLIM=$MEMLIM" run="" ;;
	bitstate:*) cflags="-DBITSTATE" run="-w${search#bitstate:}" ;;
	esac
	if ! (cd "$dir" && spin -a "$@" xglb.pml >spin.log 2>&1 &&
		gcc -w -O1 -DSAFETY $cflags -o pan pan.c >>spin.log 2>&1); then
		verdict not_ok "model $name: spin -a $* did not build" "$(tail -n 5 "$dir/spin.log")"
		return
	fi
	(cd "$dir" && ./pan -m200000 $run >pan.log 2>&1) || true
	res=$dir/pan.log
	states=$(awk '/states, stored/ {print $1; exit}' "$res")
	err=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$res" | head -1)
	if [ -z "$err" ]; then
		verdict not_ok "model $name: pan did not finish" "$(tail -n 5 "$res")"
		return
	fi
	if grep -qE 'reached -DMEMLIM bound|out of memory|max search depth too small' "$res"; then
		verdict not_ok "model $name: the search was cut short ($(grep -m1 -E 'MEMLIM|memory|depth too small' "$res"))"
		return
	fi
	if [ "$expect" = ok ]; then
		if [ "$err" = 0 ]; then
			verdict ok "model $name: no violation in $states states ($search, $((SECONDS - t0)) s)"
		else
			model/trail2scn.sh trail "$dir" safe "$@" >"$dir/$name.scn" 2>/dev/null || true
			verdict not_ok "model $name: $(grep -m1 'assertion violated' "$res")" \
				"trail: $dir/xglb.pml.trail; scenario for tests/unit/test_model.c: $dir/$name.scn" \
				"replay: spin -t $* $dir/xglb.pml"
		fi
	else
		if [ "$err" != 0 ] && grep -q "assertion violated" "$res"; then
			model/trail2scn.sh trail "$dir" safe "$@" >"$dir/$name.scn" 2>/dev/null || true
			verdict ok "model $name: the broken variant's violation is found ($(grep -m1 -o 'assertion violated.*' "$res" | cut -c1-60)..., $((SECONDS - t0)) s)"
		else
			verdict not_ok "model $name: the broken variant's violation was not found" "$(tail -n 3 "$res")"
		fi
	fi
}

verdict() { # ok|not_ok WHAT [DETAIL...], kept for the summary in check order
	local f=$dir/verdict
	printf '%s\n' "$@" >"$f"
}

# Two searches at a time (2 cores); verdicts in the order of the checks.
names=()
check_model() {
	names+=("$1")
	[ "$(jobs -rp | wc -l)" -lt "${MODEL_JOBS:-2}" ] || wait -n
	search "$@" &
}
report() {
	local n v
	wait
	for n in "${names[@]}"; do
		mapfile -t v <"$out_root/$n/verdict" 2>/dev/null || v=(not_ok "model $n: no verdict")
		"${v[@]}"
	done
}

# Three nodes, three forwarders (persistence 3, 0, 0), hold 3 rounds.
check_model faults2 ok exhaustive -DFAULTS=2 -DREPLAYS=0 -DFROUNDS=5
check_model replay ok exhaustive -DFAULTS=1 -DREPLAYS=1 -DFROUNDS=3
check_model nodes4 ok exhaustive -DN=4 -DF=4 -DFAULTS=2 -DREPLAYS=0 -DFROUNDS=4
# Fewer forwarders than nodes (forwarders preferred by nodes 1 and 2 only):
# both persistence 0 (3 nodes), and persistence 3 and 0 (4 nodes).
check_model fewer_fwd ok exhaustive -DPERS0 -DF=2 -DFAULTS=2 -DREPLAYS=0 -DFROUNDS=4
check_model fewer_fwd4 ok exhaustive -DN=4 -DF=2 -DFAULTS=2 -DREPLAYS=0 -DFROUNDS=4
# The clean stop's handover (SIGTERM among the faults).
check_model leave ok exhaustive -DLEAVE -DFAULTS=2 -DREPLAYS=0 -DFROUNDS=5
# The broken variants: group.c before the two version fixes and before the
# timers waited for a forwarder at home, and no echo check.
check_model bug_adopt_any violation bitstate:26 -DBROKEN_ADOPT_ANY -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=5
check_model bug_next_version violation bitstate:26 -DBROKEN_NEXT_VERSION -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=5
check_model bug_leave_no_state violation bitstate:26 -DLEAVE -DBROKEN_LEAVE_NO_STATE -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=4
check_model bug_no_home violation bitstate:26 -DBROKEN_NO_HOME -DPERS0 -DN=4 -DF=2 -DFAULTS=2 -DREPLAYS=0 -DFROUNDS=3
check_model broken_no_echo violation bitstate:26 -DBROKEN_NO_ECHO -DFAULTS=2 -DREPLAYS=1 -DFROUNDS=1

if [ "$mode" = full ]; then
	check_model faults3 ok exhaustive -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=4
	check_model leave3 ok exhaustive -DLEAVE -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=4
	check_model full_faults3 ok bitstate:30 -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=6
	check_model full_replay ok bitstate:30 -DFAULTS=2 -DREPLAYS=1 -DFROUNDS=5
	check_model full_nodes4 ok bitstate:30 -DN=4 -DF=4 -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=4
	check_model full_fewer_fwd ok bitstate:30 -DF=2 -DFAULTS=3 -DREPLAYS=1 -DFROUNDS=5
	check_model full_prio ok bitstate:30 -DPRIO_FIRST -DFAULTS=3 -DREPLAYS=0 -DFROUNDS=5
fi
report
t_done
