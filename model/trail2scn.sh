#!/usr/bin/env bash
# trail2scn.sh - turns a run of the model into a scenario for tests/unit/test_model.c.
#
#   model/trail2scn.sh trail DIR EXPECT [SPIN-OPTION...]   spin -t on DIR/xglb.pml.trail
#   model/trail2scn.sh sim SEED EXPECT [SPIN-OPTION...]    a random simulation (spin -nSEED)
#
# EXPECT is "safe" (the code must keep P1..P5 through the scenario) or
# "conform" (and hold, after every round, the state the model printed).
# SPIN-OPTIONS are the -D definitions the model was checked with; the
# trail must come from the same model/xglb.pml. The scenario goes to
# stdout: the model's "EV" lines (model/README.md, "Scenarios"), after a
# header saying how it was made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
mode=$1 arg=$2 expect=$3
shift 3
case $expect in safe | conform) ;; *) echo "trail2scn: EXPECT is safe or conform" >&2; exit 2 ;; esac
case $mode in
trail)
	[ -f "$arg/xglb.pml.trail" ] || { echo "trail2scn: no $arg/xglb.pml.trail" >&2; exit 1; }
	cp "$here/xglb.pml" "$arg/xglb.pml"
	out=$(cd "$arg" && spin -t "$@" xglb.pml)
	how="spin -t $* model/xglb.pml (a counterexample trail)"
	;;
sim)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	cp "$here/xglb.pml" "$tmp/"
	out=$(cd "$tmp" && spin -n"$arg" "$@" xglb.pml)
	how="spin -n$arg $* model/xglb.pml (a random simulation)"
	;;
*) echo "trail2scn: mode is trail or sim" >&2; exit 2 ;;
esac
events=$(sed -n 's/^ *EV //p' <<<"$out")
[ -n "$events" ] || { echo "trail2scn: the run printed no events" >&2; exit 1; }
echo "# made by model/trail2scn.sh from: $how"
grep -m1 -E 'assertion violated|text of failed assertion' <<<"$out" | sed 's/^/# model: /' || true
echo "expect $expect"
echo "$events"
