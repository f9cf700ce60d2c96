# shellcheck shell=bash
# benchlib.sh - sourced first by the lab benchmarks (failover.sh, stop.sh,
# hello_flood.sh, steer_throughput.sh): the lab API (tests/lab/lab.sh), run
# from the tree's root and quiet unless LAB_QUIET=0, and the result lines.
#
#   bench_log NAME          BENCH lines and diagnostics also go to
#                           $LAB_BUILD/bench/NAME.log (emptied here): BENCH_LOG
#   bench NAME VALUE UNIT   prints "BENCH NAME VALUE UNIT" (and logs it)
#   median                  the median of the numbers on stdin, the lower
#                           middle one for an even count
set -u
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tests/lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh" && cd "$LAB_ROOT" || exit 1
BUILD=${BUILD:-build}
BENCH_LOG=

bench_log() {
	BENCH_LOG=$LAB_BUILD/bench/$1.log
	mkdir -p "$(dirname "$BENCH_LOG")" && : >"$BENCH_LOG"
}
bench() {
	printf 'BENCH %s %s %s\n' "$1" "$2" "$3"
	[ -z "$BENCH_LOG" ] || printf 'BENCH %s %s %s\n' "$1" "$2" "$3" >>"$BENCH_LOG"
}
median() { sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'; }
