# shellcheck shell=bash
# testlib.sh - results and assertions for the shell tests; sources tests/lab/lab.sh.
#
#   source "$(dirname "$0")/../lab/testlib.sh" || exit 1   # set -u, cd to the repository
#
# Prints TAP-like lines that tests/run.sh counts:
#   ok - WHAT | not ok - WHAT | skip - WHY      ("#" lines are details)
#
#   ok WHAT                      a pass
#   not_ok WHAT [DETAIL...]      a failure (details as "#" lines; the lab keeps its logs)
#   skip WHY                     a test that could not run here (a missing tool)
#   check WHAT CMD...            ok if CMD succeeds
#   check_eq WHAT GOT WANT       ok if GOT = WANT
#   check_empty WHAT LIST        ok if LIST (of offenders) is empty
#   quiet CMD...                 CMD without its output
#   check_fails WHAT CMD...      ok if CMD exits non-zero but ran (status 1..125; not 126/127)
#   check_none WHAT PAT CMD...   ok if CMD succeeds and its output has no line matching PAT
#   check_one_line_error WHAT RE the last lab_xglbctl: exit != 0, no stdout, one stderr line ~ RE
#   bail WHAT [DETAIL...]        a failure that makes the rest meaningless: logs, summary, exit 1
#   t_need_built FILE...         bail unless each is built under $LAB_BUILD
#   t_need_tools TOOL...         skip the whole test (exit 0) unless each is installed
#   t_logs                       the tail of every router's xglbd log, as "#" lines
#   t_done                       stop xglbd's, the duration, the failures again; exit 0 or 1
#
# T_ROUTERS (default: lab_routers) names the routers whose logs t_logs shows;
# T_LOG_LINES (25) how many lines of each.

set -u
# shellcheck source=tests/lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh" || exit 1
cd "$LAB_ROOT" || exit 1

T_FAILED=0
T_FAILS=()
T_T0=$SECONDS

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	T_FAILS+=("$1")
	shift
	local l
	for l in "$@"; do echo "#   $l"; done
	T_FAILED=$((T_FAILED + 1))
	lab_mark_failed
}
skip() { echo "skip - $1"; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what" "failed: $*"; fi
}
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got  '$2'" "want '$3'"; fi
}
# A list of offenders that must be empty; make sure what it was computed from was not.
check_empty() { if [ -z "$2" ]; then ok "$1"; else not_ok "$1" "found: $(head -c 300 <<<"$2")"; fi; }
# check_empty_list WHAT OFFENDER...: ok when no offender is given; else not_ok, one line each.
check_empty_list() {
	local what=$1
	shift
	if [ $# -eq 0 ]; then ok "$what"; else not_ok "$what" "$@"; fi
}
quiet() { "$@" >/dev/null 2>&1; }
check_fails() {
	local what=$1 rc
	shift
	"$@"
	rc=$?
	if [ "$rc" -ge 1 ] && [ "$rc" -le 125 ]; then ok "$what"; else not_ok "$what" "exit $rc: $*"; fi
}
# The command's own failure fails the check: "! cmd | grep -q x" would pass
# when cmd itself could not run.
check_none() {
	local what=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != 0 ]; then
		not_ok "$what" "exit $rc: $*" "$(head -n 3 <<<"$out")"
	elif grep -qE -- "$pat" <<<"$out"; then
		not_ok "$what" "found /$pat/ in: $*" "$(grep -E -- "$pat" <<<"$out" | head -n 3)"
	else
		ok "$what"
	fi
}
# check_one_line_error WHAT REGEX: the last lab_xglbctl failed as a command
# should: exit status != 0, nothing on stdout, exactly one line on stderr,
# matching REGEX.
check_one_line_error() {
	local what=$1 re=$2 n
	n=$(printf '%s' "$ERR" | grep -c '')
	if [ "$RC" != 0 ] && [ -z "$OUT" ] && [ "$n" = 1 ] && grep -qE -- "$re" <<<"$ERR"; then
		ok "$what: exit $RC, one line: $ERR"
	else
		not_ok "$what: non-zero exit, one line on stderr matching /$re/" \
			"exit $RC, $n stderr lines: $ERR" "stdout: $(head -c 300 <<<"$OUT")"
	fi
}
t_summary() { local f; for f in "${T_FAILS[@]}"; do echo "# FAILED: $f"; done; }
t_logs() {
	local r f
	for r in ${T_ROUTERS[@]:-$(lab_routers)}; do
		f=$(lab_xglbd_log "$r")
		[ -f "$f" ] || continue
		echo "# --- xglbd log of $r (tail) ---"
		grep -v ': debug: ' "$f" | tail -n "${T_LOG_LINES:-25}" | sed 's/^/#   /'
	done
}
bail() {
	not_ok "$@"
	[ -n "${LAB_DIR:-}" ] && t_logs
	t_summary
	exit 1
}
t_need_built() {
	local b
	for b in "$@"; do
		[ -e "$LAB_BUILD/$b" ] || bail "$LAB_BUILD/$b is built (run make)"
	done
}
t_need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || {
			skip "$t is not installed (make deps)"
			exit 0
		}
	done
}
t_done() {
	local r
	[ "$T_FAILED" -gt 0 ] && t_logs
	if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
		for r in $(lab_routers); do lab_stop_xglbd "$r" 5 >/dev/null 2>&1; done
	fi
	echo "# $((SECONDS - T_T0)) s"
	t_summary
	exit $((T_FAILED > 0))
}
