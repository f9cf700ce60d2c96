#!/usr/bin/env bash
# flood.sh - just the arp_flood steps of tests/bench/run.sh: ARP replies/s (arp_flood_*) and
# NA replies/s to a flood of NS (ndp_flood_*), xglb_xdp against the kernel, in one run.
#
#   tests/bench/flood.sh [arp|ndp|both]      (default both; needs root; builds nothing)
#
# The same veth pair, addresses and arguments as run.sh's step, in namespaces of this run's
# own (xglb-bflg-<pid>, xglb-bflr-<pid>), deleted on exit. Prints "BENCH <name> <value>
# <unit>" lines; exits non-zero if a step fails (its stderr is shown then). Run it under
# the integration lock like any bench (flock /tmp/xglb-integration.lock tests/bench/flood.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
WHAT=${1:-both}
case $WHAT in arp | ndp | both) ;; *)
	echo "usage: tests/bench/flood.sh [arp|ndp|both]" >&2
	exit 2
	;;
esac
[ "$(id -u)" = 0 ] || {
	echo "flood: must run as root" >&2
	exit 1
}

NS_GEN=xglb-bflg-$$
NS_RTR=xglb-bflr-$$
GEN_IF=bgen0
RTR_IF=brtr0
VIP=10.99.0.1
GEN_IP=10.99.0.2
VIP6=2001:db8:99::1
GEN_IP6=2001:db8:99::2
ERR=$(mktemp)
OUT=$(mktemp)
CHILD=

# shellcheck disable=SC2317 # trap handlers
cleanup() {
	local ns
	for ns in "$NS_GEN" "$NS_RTR"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	rm -f "$ERR" "$OUT"
}
# shellcheck disable=SC2317 # trap handler
stop_child() { [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null; }
trap cleanup EXIT
trap 'stop_child; exit 130' INT
trap 'stop_child; exit 143' TERM

failed=0

run_step() { # name command...
	local name=$1 rc
	shift
	timeout 120 "$@" >"$OUT" 2>"$ERR" &
	CHILD=$!
	wait "$CHILD"
	rc=$?
	CHILD=
	grep -a '^BENCH ' "$OUT"
	if [ "$rc" -ne 0 ]; then
		echo "flood: $name failed (exit $rc)" >&2
		cat "$ERR" >&2
		failed=1
	fi
}

netns_new() { # name: loopback up, IPv6 off (as run.sh makes its namespaces)
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

if ! { netns_new "$NS_GEN" && netns_new "$NS_RTR" &&
	ip -n "$NS_GEN" link add "$GEN_IF" type veth peer name "$RTR_IF" netns "$NS_RTR" &&
	ip -n "$NS_GEN" link set "$GEN_IF" address 02:99:00:00:00:02 &&
	ip -n "$NS_RTR" link set "$RTR_IF" address 02:99:00:00:00:01 &&
	ip -n "$NS_GEN" addr add "$GEN_IP/24" dev "$GEN_IF" &&
	ip -n "$NS_RTR" addr add "$VIP/24" dev "$RTR_IF" &&
	ip -n "$NS_GEN" link set "$GEN_IF" up &&
	ip -n "$NS_RTR" link set "$RTR_IF" up; }; then
	echo "flood: cannot build the flood namespaces" >&2
	exit 1
fi
echo "# xglb flood: kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if [ "$WHAT" != ndp ]; then
	run_step arp_flood "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" "$GEN_IF" "$RTR_IF" "$VIP" "$GEN_IP"
fi
if [ "$WHAT" != arp ]; then
	# IPv6 on for these two interfaces only; the kernel's side has VIP6 as its own (no DAD)
	if ip netns exec "$NS_RTR" sysctl -qw "net.ipv6.conf.$RTR_IF.disable_ipv6=0" &&
		ip netns exec "$NS_GEN" sysctl -qw "net.ipv6.conf.$GEN_IF.disable_ipv6=0" &&
		ip -n "$NS_RTR" addr add "$VIP6/64" dev "$RTR_IF" nodad &&
		ip -n "$NS_GEN" addr add "$GEN_IP6/64" dev "$GEN_IF" nodad; then
		run_step ndp_flood "$BUILD/bench/arp_flood" "$NS_GEN" "$NS_RTR" "$GEN_IF" "$RTR_IF" \
			"$VIP" "$GEN_IP" ndp "$VIP6" "$GEN_IP6"
	else
		echo "flood: cannot add the IPv6 addresses of the flood namespaces" >&2
		failed=1
	fi
fi
exit "$failed"
