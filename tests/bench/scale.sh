#!/usr/bin/env bash
# scale.sh - the agent at scale (make bench). Prints "BENCH <name> <value> <unit>" lines.
#
# Lab (tests/lab/lab.sh): routers r1 r2 r3 r4 on one segment, membership; figures of r1's xglbd.
#   1. Idle: one group, 4 forwarders, hello 50 ms, hold 150 ms (r1 and 3 peers). Over
#      IDLE_S (30) seconds, from /proc:
#        agent_idle_cpu_pct   CPU time of xglbd (every thread) / wall time, % of one CPU
#        agent_rss_mb         its resident memory at the end (VmRSS)
#   2. Scale: 255 groups x 16 forwarders (each router the preferred owner of 4 per group),
#      hello SCALE_HELLO_MS (1000), hold 3 x that; r1 the AVG of every group (priority 200).
#        scale_scrape_none_ms, scale_status_none_ms   median time of a /metrics scrape (curl)
#                             and of "xglbctl --json status" with an empty host table
#        scale_hosts          entries then written into r1's pinned xglb_hosts (HOSTS, default
#                             1,048,576: r1's host-table-size) by tests/tools/xglb_fillhosts,
#                             from every CPU
#        scale_scrape_full_ms, scale_status_full_ms  the same with the table full
#        scale_scrape_ratio, scale_status_ratio      full / none (goal <= 2: the host table is
#                             never walked on the event loop)
#        scale_hosts_count_walk_ms  how long the walk counting the full table takes (off the
#                             event loop, xglb_hosts_count_walk_seconds)
#        scale_agent_cpu_pct, scale_agent_rss_mb  as in 1., over SCALE_IDLE_S (30) seconds with
#                             the full table
#        scale_commit_us      agent time of the table commits r1 made from r4's kill until every
#                             group's forwarders moved off r4: the CPU time of r1's commit path
#                             (sum of xglb_commit_seconds over them; goal <= 1,000)
#        scale_commit_count   how many commits that was
#        scale_commit_wall_us their wall time: the CPU time and what r1 slept in them (the RCU
#                             grace period before rewriting a bank live until the last flip,
#                             kernel locks, being scheduled out on this shared machine)
#        scale_commit_grace_us  of which grace periods (membarrier)
#        scale_commit_max_us  the most CPU time a single commit took since the start
# The rounds of a figure run back to back in one lab (none, then full), side by side.
# IDLE_ONLY=1: part 1 alone (a minute, for the idle figures).
# Needs root, jq and curl; everything runs in the lab's namespaces and is removed on exit.
# shellcheck source=tests/bench/benchlib.sh
source "$(dirname "$0")/benchlib.sh" || exit 1
IDLE_S=${IDLE_S:-30}
SCALE_IDLE_S=${SCALE_IDLE_S:-30}
HOSTS=${HOSTS:-1048576}
SCALE_HELLO_MS=${SCALE_HELLO_MS:-1000}
ROUNDS=${ROUNDS:-20}
URL=http://127.0.0.1:9867
ROUTERS=(r1 r2 r3 r4)

fail() {
	echo "scale: $*" >&2
	# the daemons' logs outlive the lab, for a look at what went wrong
	mkdir -p "$LAB_BUILD/bench/scale-logs" && cp "$LAB_DIR"/xglbd.*.log "$LAB_BUILD/bench/scale-logs/" 2>/dev/null &&
		echo "scale: xglbd logs in $LAB_BUILD/bench/scale-logs" >&2
	exit 1
}
bench_log scale

# cpu_rss ROUTER SECONDS: "<cpu % of one CPU> <RSS MB>" of the router's xglbd over SECONDS.
cpu_rss() {
	local pid t0 t1 w0 w1 hz
	pid=$(lab_xglbd_pid "$1")
	hz=$(getconf CLK_TCK)
	ticks() { awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$pid/stat"; }
	t0=$(ticks) w0=$(date +%s%N)
	sleep "$2" # a measurement window, not a wait for an event
	t1=$(ticks) w1=$(date +%s%N)
	awk -v t=$((t1 - t0)) -v hz="$hz" -v ns=$((w1 - w0)) \
		-v kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
		'BEGIN { printf "%.2f %.1f\n", t / hz / (ns / 1e9) * 100, kb / 1024 }'
}

# ---- 1. idle: one group at hello 50 ms, 3 peers ----------------------------------------
lab_setup "${ROUTERS[@]}" -- || fail "lab: $LAB_ERR"
lab_start_all membership=1 prios=200,100,100,100 hello_ms=50 hold_ms=150 || fail "$LAB_ERR"
lab_wait 20 lab_agree_owned || fail "r1..r4 do not agree: $(lab_views)"
read -r cpu rss <<<"$(cpu_rss r1 "$IDLE_S")"
# shellcheck disable=SC2119 # every router
lab_agree_owned || fail "r1..r4 disagree after the idle window: $(lab_views)"
bench agent_idle_cpu_pct "$cpu" pct
bench agent_rss_mb "$rss" MB
for r in "${ROUTERS[@]}"; do lab_stop_xglbd "$r" 10 || fail "xglbd on $r did not stop"; done
[ "${IDLE_ONLY:-0}" = 1 ] && exit 0 # part 1 alone

# ---- 2. scale: 255 groups x 16 forwarders ---------------------------------------------
# scale_config ROUTER: the configuration, every router the preferred owner of 4 forwarders of
# every group.
scale_config() {
	local f=$LAB_DIR/$1.scale.yaml r g i
	{
		echo "node: $1"
		echo "pin-root: $(lab_get "$1" pin_root)"
		echo "state-dir: $LAB_DIR/state-$1"
		echo "control-socket: $LAB_DIR/$1.sock"
		[ "$1" = r1 ] && echo "host-table-size: $HOSTS"
		echo "membership:"
		echo "  key-file: $LAB_DIR/key"
		echo "nodes:"
		for r in "${ROUTERS[@]}"; do
			echo "  - name: $r"
			echo "    id: $(lab_get "$r" index)"
			echo "    address: $LAB_LAN_NET.$((1 + $(lab_get "$r" index)))"
			echo "    priority: $([ "$r" = r1 ] && echo 200 || echo 100)"
		done
		echo "groups:"
		for g in $(seq 1 255); do
			echo "  - id: $g"
			echo "    vip: 10.9.$g.1"
			echo "    interfaces: [eth0]"
			echo "    timers: {hello-ms: $SCALE_HELLO_MS, hold-ms: $((3 * SCALE_HELLO_MS))}"
			echo "    forwarders:"
			for i in $(seq 0 15); do
				echo "      - {index: $i, owner: ${ROUTERS[$((i % 4))]}}"
			done
		done
	} >"$f"
	echo "$f"
}
for r in "${ROUTERS[@]}"; do
	lab_start_xglbd "$r" "$(scale_config "$r")" || fail "xglbd on $r with 255 groups"
done
# r1 is the AVG of every group and every forwarder is owned as configured
# shellcheck disable=SC2317 # called through lab_wait
settled() {
	[ "$(lab_jst r1 '[.groups[] | select(.role == "avg") | .forwarders[] | select(.active)] | length')" = 4080 ] &&
		lab_agree
}
lab_wait 60 settled || fail "255 groups do not settle: $(lab_jst r1 '[.groups[] | .role] | group_by(.) | map("\(.[0]) \(length)")')"

# times KIND: ROUNDS times of one request on r1 (ms, one per line), timed inside its namespace
# shellcheck disable=SC2016 # the loops expand inside the namespace's shell
times() {
	case $1 in
	scrape) lab_exec r1 bash -c 'for _ in $(seq '"$ROUNDS"'); do curl -sS -o /dev/null --max-time 10 -w "%{time_total}\n" '"$URL"'/metrics || exit 1; done' |
		awk '{ printf "%.3f\n", $1 * 1000 }' ;;
	status) lab_exec r1 bash -c 'for _ in $(seq '"$ROUNDS"'); do s=$EPOCHREALTIME; "$0" --socket "$1" --json status >/dev/null || exit 1; e=$EPOCHREALTIME; echo "$s $e"; done' \
		"$LAB_BUILD/xglbctl" "$LAB_DIR/r1.sock" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' ;;
	esac
}
metric() { lab_exec r1 curl -sS --max-time 10 "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

scrape_none=$(times scrape | median) status_none=$(times status | median)
if [ -z "$scrape_none" ] || [ -z "$status_none" ]; then fail "no scrape or status with an empty table"; fi
cap=$(metric 'xglb_map_capacity{map="xglb_hosts"}')
n=$((HOSTS < cap ? HOSTS : cap))
[ "$n" = "$HOSTS" ] || echo "# xglb_hosts holds at most $cap entries: filled to that, not $HOSTS" >&2
filled=$("$LAB_BUILD/tools/xglb_fillhosts" "$(lab_get r1 pin_root)/xglb_hosts" 1 "$n") || fail "fill r1's xglb_hosts"
# shellcheck disable=SC2317 # called through lab_wait
counted() { [ "$(metric 'xglb_map_entries{map="xglb_hosts"}')" = "$filled" ]; }
# the count made during the fill may be partial; the next one follows 200 walks' time later
lab_wait 300 counted || fail "r1 does not count $filled hosts: $(metric 'xglb_map_entries{map="xglb_hosts"}')"
scrape_full=$(times scrape | median) status_full=$(times status | median)
walk=$(metric xglb_hosts_count_walk_seconds)
bench scale_hosts "$filled" entries
bench scale_scrape_none_ms "$scrape_none" ms
bench scale_scrape_full_ms "$scrape_full" ms
bench scale_scrape_ratio "$(awk -v a="$scrape_full" -v b="$scrape_none" 'BEGIN { printf "%.2f", a / b }')" ratio
bench scale_status_none_ms "$status_none" ms
bench scale_status_full_ms "$status_full" ms
bench scale_status_ratio "$(awk -v a="$status_full" -v b="$status_none" 'BEGIN { printf "%.2f", a / b }')" ratio
bench scale_hosts_count_walk_ms "$(awk -v s="$walk" 'BEGIN { printf "%.1f", s * 1000 }')" ms
read -r cpu rss <<<"$(cpu_rss r1 "$SCALE_IDLE_S")"
bench scale_agent_cpu_pct "$cpu" pct
bench scale_agent_rss_mb "$rss" MB

# failover of all 255 groups: r4 killed, r1 (AVG) gives its 4 forwarders of each to survivors
# shellcheck disable=SC2317 # called through lab_wait
moved() { [ "$(lab_jst r1 '[.groups[].forwarders[] | select(.owner_name == "r4" or (.active | not))] | length')" = 0 ]; }
read -r c0 s0 w0 g0 <<<"$(lab_jst r1 '"\(.commits.count) \(.commits.sum_us) \(.commits.wall_sum_us) \(.commits.grace_sum_us)"')"
lab_kill_xglbd r4 || fail "kill r4"
lab_wait 60 moved || fail "r4's forwarders did not move: $(lab_jst r1 '[.groups[].forwarders[] | .owner_name] | group_by(.) | map("\(.[0]) \(length)")')"
read -r c1 s1 w1 g1 max <<<"$(lab_jst r1 '"\(.commits.count) \(.commits.sum_us) \(.commits.wall_sum_us) \(.commits.grace_sum_us) \(.commits.max_us)"')"
bench scale_commit_us $((s1 - s0)) us
bench scale_commit_count $((c1 - c0)) commits
bench scale_commit_wall_us $((w1 - w0)) us
bench scale_commit_grace_us $((g1 - g0)) us
bench scale_commit_max_us "$max" us
# where those commits' CPU went: their -v lines (build, unicast filter, bank), as comments
grep -F 'debug: commit: ' "$(lab_xglbd_log r1)" | tail -n "$((c1 - c0))" | sed 's/^/# r1: /' >&2
for r in r1 r2 r3; do lab_stop_xglbd "$r" 10; done
exit 0
