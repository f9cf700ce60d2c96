# shellcheck shell=bash
# lab.sh - builds throw-away network-namespace labs for xglb (sourced by tests, demo, benchmarks).
#
#   source tests/lab/lab.sh
#   lab_init                      # suffix, lab dir, bpffs, teardown trap
#   lab_router r1; lab_router r2  # eth0 on segment "lan", eth1 on "srv"
#   lab_client c1                 # eth0 on "lan", default route via the VIP
#   lab_server                    # on "srv", default route via router 1
#   cfg=$(lab_write_config r1); lab_start_xglbd r1 "$cfg"
#   lab_exec c1 ping -c1 10.1.0.100
#
# Topology (one namespace per box; a segment is a Linux bridge "br0" in its
# own "switch" namespace):
#
#   client j  eth0 10.0.0.(100+j) ─┐                ┌─ eth1 10.1.0.(1+i)  router i
#                                 [lan: br0]       [srv: br0] ── eth0 10.1.0.100 server
#   router i  eth0 10.0.0.(1+i)  ─┘                └─
#
# 10.0.0.1 is the VIP and is never a real address. With LAB_IPV6=1 the lab
# is dual-stack: routers get 2001:db8:a::(1+i)/64 on eth0 and
# 2001:db8:b::(1+i)/64 on eth1 with IPv6 forwarding, the server
# 2001:db8:b::100/64 (default via router 1), and clients form their address
# in 2001:db8:a::/64 by SLAAC from the group's RAs (lab_write_config
# ipv6=1) and take their default route from them: the group's virtual
# link-local (LAB_LL6). Every namespace and
# every bridge-side interface carries the run's suffix; the lab registers
# what it creates in $LAB_DIR/registry and lab_teardown removes exactly
# that: recorded PIDs (checked against their start time, so a reused PID
# is never hit), the namespaces, the lab bpffs. Nothing outside the lab's
# own namespaces is ever addressed.
#
# Synchronisation is by polling for events with a deadline (lab_wait),
# never by fixed sleeps.

LAB_ROOT=${LAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LAB_BUILD=${LAB_BUILD:-$LAB_ROOT/${BUILD:-build}}
LAB_VIP=${LAB_VIP:-10.0.0.1}
LAB_LAN_NET=10.0.0 # /24, client segment
LAB_SRV_NET=10.1.0 # /24, server segment
LAB_SERVER_IP=$LAB_SRV_NET.100
LAB_GID=${LAB_GID:-1} # xglb group id of the VIP
LAB_LAN6=2001:db8:a # ::/64, client segment (IPv6 labs: LAB_IPV6=1)
LAB_SRV6=2001:db8:b # ::/64, server segment
LAB_SERVER_IP6=$LAB_SRV6::100
# The group's derived virtual link-local: EUI-64 of forwarder 0's vMAC (docs/config.md).
LAB_LL6=$(printf 'fe80::78:67ff:fe62:%x00' "$LAB_GID")
# MTU of every link the lab creates (both ends of each veth; a segment's
# bridge follows its ports). 9000 gives a jumbo-frame lab: lab_setup --mtu.
LAB_MTU=${LAB_MTU:-1500}
# xdp-mode of the routers' configurations ("" = not set: native with the
# lab's datapath: xdp); tests/run.sh reruns the ARP tests with generic (skb) mode.
LAB_XDP_MODE=${LAB_XDP_MODE:-}

# ---- logging ---------------------------------------------------------------

lab_log() { [ "${LAB_QUIET:-0}" = 1 ] || echo "lab: $*" >&2; }
lab_die() {
	echo "lab: error: $*" >&2
	exit 1
}

# ---- registry and teardown -------------------------------------------------

# Start time of a process in clock ticks since boot (field 22 of stat), so a
# recorded PID is only ever signalled while it is still the same process.
_lab_starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # the command name may contain spaces
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $stat
	echo "${20}"
}

_lab_register() { echo "$*" >>"$LAB_DIR/registry"; }

# Record a process this lab started: lab_register_pid PID LABEL.
lab_register_pid() {
	local st
	st=$(_lab_starttime "$1") || return 0 # already gone
	_lab_register pid "$1" "$st" "$2"
}

_lab_pid_alive() { # pid starttime: the same process still exists (maybe a zombie)
	[ "$(_lab_starttime "$1" 2>/dev/null)" = "$2" ]
}

_lab_pid_running() { # pid starttime: alive and not a zombie waiting to be reaped
	_lab_pid_alive "$1" "$2" && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Stop one recorded process: SIGTERM, up to TIMEOUT_S seconds, then SIGKILL.
_lab_stop_pid() { # pid starttime timeout_s
	local pid=$1 st=$2 deadline
	if _lab_pid_running "$pid" "$st"; then
		kill -TERM "$pid" 2>/dev/null
		deadline=$((SECONDS + ${3:-5}))
		while _lab_pid_running "$pid" "$st" && [ $SECONDS -lt "$deadline" ]; do
			sleep 0.05
		done
	fi
	if _lab_pid_running "$pid" "$st"; then
		lab_log "pid $pid ignored SIGTERM; SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null # reap if it is our child
	return 0
}

# Idempotent: safe to call twice, from a trap, or after a partial lab_init.
lab_teardown() {
	local rc=$? kind a b _ keep
	[ -n "${LAB_DIR:-}" ] && [ -f "$LAB_DIR/registry" ] || return "$rc"
	trap - EXIT INT TERM
	if [ "${LAB_DEBUG_SHELL:-0}" = 1 ] && [ "${LAB_FAILED:-0}" = 1 ]; then
		echo "lab: failure; debug shell in $LAB_DIR (namespaces: $(lab_list_netns | tr '\n' ' '))" >&2
		bash -i </dev/tty >/dev/tty 2>&1 || true
	fi
	# processes first (newest first), so nothing holds a namespace open
	while read -r kind a b _; do
		[ "$kind" = pid ] && _lab_stop_pid "$a" "$b" 5
	done < <(tac "$LAB_DIR/registry")
	while read -r kind a b _; do
		[ "$kind" = netns ] && ip netns del "$a" 2>/dev/null
	done < <(tac "$LAB_DIR/registry")
	while read -r kind a b _; do
		[ "$kind" = mount ] && mountpoint -q "$a" && { umount "$a" 2>/dev/null || umount -l "$a"; }
	done < <(tac "$LAB_DIR/registry")
	keep=
	if [ "${LAB_KEEP_LOGS:-0}" = 1 ] || [ "${LAB_FAILED:-0}" = 1 ]; then
		keep=/tmp/xglb-lab-logs.$LAB_SFX
		mkdir -p "$keep" && cp -a "$LAB_DIR"/*.log "$LAB_DIR"/*.yaml "$keep"/ 2>/dev/null
		echo "lab: logs kept in $keep" >&2
	fi
	rm -rf "$LAB_DIR"
	return "$rc"
}

# Mark the run as failed: teardown keeps the logs (and opens a debug shell
# with LAB_DEBUG_SHELL=1).
lab_mark_failed() { LAB_FAILED=1; }

lab_list_netns() {
	[ -f "$LAB_DIR/registry" ] && awk '$1 == "netns" {print $2}' "$LAB_DIR/registry"
}

# ---- setup -----------------------------------------------------------------

# lab_init: pick a fresh suffix, make the lab dir and its bpffs, install the
# teardown trap. Needs root.
lab_init() {
	local i
	[ "$(id -u)" = 0 ] || lab_die "must run as root"
	for i in 1 2 3 4 5 6 7 8; do
		LAB_SFX=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
		LAB_DIR=/run/xglb-lab.$LAB_SFX
		mkdir "$LAB_DIR" 2>/dev/null && break # atomic: two labs never share a suffix
		LAB_DIR=
	done
	[ -n "$LAB_DIR" ] || lab_die "no free lab suffix"
	: >"$LAB_DIR/registry"
	trap lab_teardown EXIT
	trap 'lab_teardown; exit 130' INT
	trap 'lab_teardown; exit 143' TERM
	# The lab's bpffs lives in the host mount namespace: "ip netns exec"
	# children see it (they only get a fresh /sys, so /sys/fs/bpf is no use).
	LAB_BPFFS=$LAB_DIR/bpf
	mkdir -p "$LAB_BPFFS"
	mount -t bpf bpf "$LAB_BPFFS" || lab_die "cannot mount bpffs on $LAB_BPFFS"
	_lab_register mount "$LAB_BPFFS"
	mkdir -p "$LAB_DIR/nodes"
	LAB_N_ROUTERS=0 LAB_N_CLIENTS=0
	export LAB_SFX LAB_DIR LAB_BPFFS
	lab_log "lab $LAB_SFX in $LAB_DIR"
}

# Namespace name for a lab box name: lab_ns r1 -> xl1a2b-r1
lab_ns() { echo "xl$LAB_SFX-$1"; }

# Run a command in a box's namespace: lab_exec r1 ip addr
lab_exec() {
	local ns
	ns=$(lab_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# Start a command in a box's namespace in the background, recording its
# PID in the registry and in LAB_BG_PID (not printed: in a $(...) subshell
# the process would not be this shell's child, and "wait" could not give
# its exit status). Output goes to LOG. lab_bg NAME LOG cmd...
lab_bg() {
	local name=$1 log=$2
	shift 2
	: >"$log" # truncate here, not in the child: a waiter must never read the previous run's log
	ip netns exec "$(lab_ns "$name")" "$@" >>"$log" 2>&1 </dev/null &
	LAB_BG_PID=$!
	lab_register_pid "$LAB_BG_PID" "$name:$1"
}

_lab_netns_add() { # name
	local ns
	ns=$(lab_ns "$1")
	ip netns add "$ns" || lab_die "ip netns add $ns"
	_lab_register netns "$ns"
	ip -n "$ns" link set lo up
}

# Set / get a per-box attribute (kept in files so subshells see them too):
# lab_set NAME KEY VALUE, lab_get NAME KEY.
lab_set() { mkdir -p "$LAB_DIR/nodes/$1" && echo "$3" >"$LAB_DIR/nodes/$1/$2"; }
lab_get() { cat "$LAB_DIR/nodes/$1/$2" 2>/dev/null; }

# A segment: a bridge br0 in its own namespace. Created on first use.
lab_segment() {
	local seg=$1 ns
	ns=$(lab_ns "$seg")
	[ -e "/run/netns/$ns" ] && return 0
	_lab_netns_add "$seg"
	ip -n "$ns" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		lab_die "bridge in $ns"
	ip -n "$ns" link set br0 up
	lab_set "$seg" kind segment
}

# Plug interface IFNAME of box NAME into segment SEG. The bridge-side end
# is called NAME-SUFFIX. With xdp=1 the bridge side gets an XDP_PASS
# program: XDP_TX on a veth only reaches the peer if the peer runs XDP.
# Both ends get LAB_MTU; the XDP_PASS program is multi-buffer, so it
# attaches whatever the MTU. PORT, if given, names the bridge side instead.
_lab_plug() { # name ifname seg xdp [port]
	local name=$1 ifn=$2 seg=$3 xdp=$4 port ns sw
	ns=$(lab_ns "$name")
	sw=$(lab_ns "$seg")
	port=$name-$LAB_SFX
	[ "$seg" = lan ] || port=$name.s-$LAB_SFX
	[ -z "${5:-}" ] || port=$5
	[ ${#port} -le 15 ] || lab_die "name '$name' too long for an interface name ($port)"
	lab_segment "$seg"
	ip link add "$ifn" mtu "$LAB_MTU" netns "$ns" type veth peer name "$port" mtu "$LAB_MTU" \
		netns "$sw" || lab_die "veth $ns/$ifn <-> $sw/$port (mtu $LAB_MTU)"
	ip -n "$sw" link set "$port" master br0
	if [ "$xdp" = 1 ]; then
		ip -n "$sw" link set dev "$port" xdpdrv obj "$LAB_BUILD/xdp_pass.bpf.o" sec xdp.frags ||
			lab_die "xdp_pass on $sw/$port (is $LAB_BUILD/xdp_pass.bpf.o built?)"
	fi
	ip -n "$sw" link set "$port" up
	ip -n "$ns" link set "$ifn" up
	lab_set "$name" "port.$ifn" "$port"
	lab_set "$name" "seg.$ifn" "$seg"
	lab_set "$name" "xdp.$ifn" "$xdp"
}

# lab_replug NAME IFNAME: what an interface manager or a driver reload does:
# delete the box's IFNAME (its veth pair goes with it) and plug a new one
# (new ifindex, new MAC) into the same segment, up, with the same IPv4
# addresses. Prints the new ifindex.
lab_replug() {
	local name=$1 ifn=$2 ns seg addrs a
	ns=$(lab_ns "$name")
	seg=$(lab_get "$name" "seg.$ifn")
	[ -n "$seg" ] || lab_die "lab_replug: $name has no $ifn"
	addrs=$(ip -n "$ns" -4 -o addr show dev "$ifn" | awk '{print $4}')
	ip -n "$ns" link del "$ifn" || lab_die "lab_replug: deleting $ns/$ifn"
	_lab_plug "$name" "$ifn" "$seg" "$(lab_get "$name" "xdp.$ifn")" "$(lab_get "$name" "port.$ifn")"
	for a in $addrs; do ip -n "$ns" addr add "$a" dev "$ifn"; done
	ip netns exec "$ns" cat "/sys/class/net/$ifn/ifindex"
}

# lab_mtu NAME [IFNAME]: the current MTU of a box's interface (default eth0).
lab_mtu() { lab_exec "$1" cat "/sys/class/net/${2:-eth0}/mtu"; }

# The programs at a tc hook, one a line in the order they run: "tcx:NAME" for the tcx hook's
# (tests/tools/xglb_tcx; bpftool before 7.3 does not list them), then "clsact:NAME" for the
# bpf filters of a clsact qdisc. lab_tc_progs r1 eth0 ingress|egress
lab_tc_progs() {
	lab_exec "$1" "$LAB_BUILD/tools/xglb_tcx" show "$2" 2>/dev/null |
		awk -v d="$3" '$1 == d { print "tcx:" $3 }'
	lab_exec "$1" tc filter show dev "$2" "$3" 2>/dev/null |
		sed -n 's/.* bpf .* id [0-9]* name \([A-Za-z0-9_]*\).*/clsact:\1/p'
}

# lab_set_mtu NAME IFNAME MTU: change the MTU of a running box's interface
# and of its bridge-side port, as an operator would on a live link: the
# port first when growing, the box side first when shrinking, so the link
# never carries frames one end cannot take.
lab_set_mtu() {
	local name=$1 ifn=$2 mtu=$3 port sw
	port=$(lab_get "$name" "port.$ifn")
	sw=$(lab_ns "$(lab_get "$name" "seg.$ifn")")
	[ -n "$port" ] || lab_die "lab_set_mtu: $name has no interface $ifn"
	if [ "$mtu" -ge "$(lab_mtu "$name" "$ifn")" ]; then
		ip -n "$sw" link set dev "$port" mtu "$mtu" &&
			lab_exec "$name" ip link set dev "$ifn" mtu "$mtu"
	else
		lab_exec "$name" ip link set dev "$ifn" mtu "$mtu" &&
			ip -n "$sw" link set dev "$port" mtu "$mtu"
	fi
}

# lab_router NAME: router i (i = 1, 2, ... in creation order) with
#   eth0 10.0.0.(1+i)/24 on "lan", eth1 10.1.0.(1+i)/24 on "srv",
#   forwarding on, its pin root $LAB_BPFFS/NAME. The bridge side of its
#   ports runs an XDP_PASS program (for XDP_TX) unless LAB_PORT_XDP=0: a
#   lab for "datapath: tc", with no XDP program anywhere.
lab_router() {
	local name=$1 i ns
	LAB_N_ROUTERS=$((LAB_N_ROUTERS + 1))
	i=$LAB_N_ROUTERS
	[ "$i" -le 90 ] || lab_die "too many routers"
	_lab_netns_add "$name"
	ns=$(lab_ns "$name")
	_lab_plug "$name" eth0 lan "${LAB_PORT_XDP:-1}"
	_lab_plug "$name" eth1 srv "${LAB_PORT_XDP:-1}"
	ip -n "$ns" addr add "$LAB_LAN_NET.$((1 + i))/24" dev eth0
	ip -n "$ns" addr add "$LAB_SRV_NET.$((1 + i))/24" dev eth1
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.eth1.rp_filter=0
	if [ "${LAB_IPV6:-0}" = 1 ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
		ip -n "$ns" addr add "$LAB_LAN6::$((1 + i))/64" dev eth0 nodad
		ip -n "$ns" addr add "$LAB_SRV6::$((1 + i))/64" dev eth1 nodad
		lab_set "$name" ip6 "$LAB_LAN6::$((1 + i))"
	fi
	lab_set "$name" kind router
	lab_set "$name" index "$i"
	lab_set "$name" ip "$LAB_LAN_NET.$((1 + i))"
	lab_set "$name" srv_ip "$LAB_SRV_NET.$((1 + i))"
	lab_set "$name" pin_root "$LAB_BPFFS/$name"
	echo "$name" >>"$LAB_DIR/routers"
}

# lab_add_link NAME IFNAME [SEG]: another link of box NAME into segment SEG
# (default "lan"), up, without an address: a router's second port on the
# same segment (two uplinks to two switches, here one bridge). Its bridge
# side is NAME.IFNAME-SUFFIX, shortened to fit an interface name
# (lab_port NAME IFNAME prints it), with the XDP_PASS program as the box's
# other ports. rp_filter is off on it, like on the others.
lab_add_link() {
	local name=$1 ifn=$2 seg=${3:-lan} ns port
	ns=$(lab_ns "$name")
	[ -n "$(lab_get "$name" kind)" ] || lab_die "lab_add_link: no box $name"
	[ -z "$(lab_get "$name" "seg.$ifn")" ] || lab_die "lab_add_link: $name has $ifn already"
	port=$name.${ifn#eth}-$LAB_SFX
	_lab_plug "$name" "$ifn" "$seg" "${LAB_PORT_XDP:-1}" "$port"
	ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$ifn.rp_filter=0"
}

# lab_port NAME IFNAME: the bridge-side end of a box's interface; lab_seg_ns
# NAME IFNAME: the namespace of the segment it is plugged into ("unplug"
# from the switch: ip -n "$(lab_seg_ns r1 eth2)" link set "$(lab_port r1 eth2)" down).
lab_port() { lab_get "$1" "port.$2"; }
lab_seg_ns() { lab_ns "$(lab_get "$1" "seg.$2")"; }

# lab_fdb_port SEG MAC: the bridge port segment SEG has learnt MAC on ("" if none).
lab_fdb_port() {
	bridge -n "$(lab_ns "$1")" fdb show br br0 2>/dev/null |
		awk -v m="$2" '$1 == m && $2 == "dev" && $0 !~ /permanent/ { print $3; exit }'
}

# lab_client NAME [GATEWAY]: client j with eth0 10.0.0.(100+j)/24 on "lan",
# MAC 02:00:0a:00:00:<100+j>, default route via GATEWAY (default: the VIP).
lab_client() {
	local name=$1 gw=${2:-$LAB_VIP} j ns
	LAB_N_CLIENTS=$((LAB_N_CLIENTS + 1))
	j=$LAB_N_CLIENTS
	[ "$j" -le 150 ] || lab_die "too many clients"
	_lab_netns_add "$name"
	ns=$(lab_ns "$name")
	# IPv6: SLAAC and the default route from RAs, no DAD wait, a solicitation a second
	[ "${LAB_IPV6:-0}" = 1 ] && ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=2 \
		net.ipv6.conf.default.autoconf=1 net.ipv6.conf.default.dad_transmits=0 \
		net.ipv6.conf.default.router_solicitation_interval=1 \
		net.ipv6.conf.default.router_solicitations=-1
	_lab_plug "$name" eth0 lan 0
	ip -n "$ns" link set eth0 address "$(printf '02:00:0a:00:00:%02x' $((100 + j)))"
	ip -n "$ns" addr add "$LAB_LAN_NET.$((100 + j))/24" dev eth0
	# the EUI-64 address SLAAC forms from that MAC
	[ "${LAB_IPV6:-0}" = 1 ] && lab_set "$name" ip6 "$(printf '%s::aff:fe00:%x' "$LAB_LAN6" $((100 + j)))"
	ip -n "$ns" route add default via "$gw" dev eth0
	lab_set "$name" kind client
	lab_set "$name" index "$j"
	lab_set "$name" ip "$LAB_LAN_NET.$((100 + j))"
	echo "$name" >>"$LAB_DIR/clients"
}

# lab_server [NAME]: 10.1.0.100/24 on "srv", default route via router 1.
lab_server() {
	local name=${1:-server} ns
	_lab_netns_add "$name"
	ns=$(lab_ns "$name")
	_lab_plug "$name" eth0 srv 0
	ip -n "$ns" addr add "$LAB_SERVER_IP/24" dev eth0
	ip -n "$ns" route add default via "$LAB_SRV_NET.2" dev eth0
	if [ "${LAB_IPV6:-0}" = 1 ]; then
		ip -n "$ns" addr add "$LAB_SERVER_IP6/64" dev eth0 nodad
		ip -n "$ns" route add default via "$LAB_SRV6::2" dev eth0
	fi
	lab_set "$name" kind server
	lab_set "$name" ip "$LAB_SERVER_IP"
}

# lab_setup [--mtu MTU] ROUTER... [-- CLIENT...]: lab_init (quiet unless
# LAB_QUIET=0), the routers, the server, the clients, in that order. --mtu
# sets LAB_MTU for every link (e.g. 9000 for jumbo frames).
lab_setup() {
	local x clients=0
	if [ "${1:-}" = --mtu ]; then
		[[ ${2:-} =~ ^[0-9]+$ ]] && [ "$2" -ge 68 ] && [ "$2" -le 65535 ] ||
			lab_die "lab_setup --mtu: '${2:-}' is no MTU (68..65535)"
		LAB_MTU=$2
		shift 2
	fi
	LAB_QUIET=${LAB_QUIET:-1}
	lab_init
	echo "# lab $LAB_SFX: namespaces xl$LAB_SFX-*, MTU $LAB_MTU, removed on exit"
	for x in "$@"; do
		if [ "$x" = -- ]; then
			lab_server server
			clients=1
		elif [ $clients = 1 ]; then
			lab_client "$x"
		else
			lab_router "$x"
		fi
	done
	[ $clients = 1 ] || lab_server server
}

lab_routers() { cat "$LAB_DIR/routers" 2>/dev/null; }
lab_clients() { cat "$LAB_DIR/clients" 2>/dev/null; }

# ---- waiting ---------------------------------------------------------------

# lab_wait TIMEOUT_S cmd...: poll cmd (every 50 ms) until it succeeds;
# returns 1 if it has not within TIMEOUT_S seconds.
lab_wait() {
	local timeout=$1 deadline
	shift
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	until "$@"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# ---- xglbd -----------------------------------------------------------------

# lab_write_config ROUTER [key=value...] writes $LAB_DIR/ROUTER.yaml and
# prints its path. Keys (defaults):
#   policy=round-robin  avg=<first router>  lease_ms=3000  learn_ms=1000
#   owners=<all routers, in order>   one forwarder per entry, index = position
#   weights=100,...     persistence=0
# Membership (membership=1): the AVG is elected, owners are the preferred
# owners, and every router gets the lab's shared key and its address:
#   prios=100,...  (per router, in order)  hello_ms=1000 hold_ms=3000
#   redirect_ms=600000 timeout_ms=14400000 preempt=true preempt_delay_ms=0
#   load_pct=0  extra=FILE (YAML appended at the top level, e.g. tracking)
#   steer=1 (flow steering over eth0 and eth1)  buckets=65536
#   datapath=xdp (the lab's tests count xdp_* reasons; "" leaves the line
#   out, so xglbd's default, auto, applies)
#   fast_path=0 (1: "fast-path: true", frames to owned vMACs routed in XDP)
#   ifaces=eth0 (the group's interfaces on this router, comma-separated:
#   eth0,eth2 with a second link, lab_add_link)  nic_return_ms= (the
#   nic-return-ms line; "" leaves it out: xglbd's default)
#   xdp_mode=$LAB_XDP_MODE (auto, native, generic; "" leaves the line out:
#   native with datapath=xdp; tests/run.sh reruns tests with generic)
# IPv6: ipv6=1 gives the group RAs (every ra_ms=2000, prefix 2001:db8:a::/64)
#   and so its derived virtual link-local LAB_LL6; vip6=ADDR a global one.
# Every router gets its own control socket, $LAB_DIR/ROUTER.sock.
lab_write_config() {
	local router=$1 policy=round-robin avg lease_ms=3000 learn_ms=1000 owners weights
	local persistence=0 kv r i file routers=() own=() wts=() prs=()
	local membership=0 prios="" hello_ms=1000 hold_ms=3000 redirect_ms=600000
	local timeout_ms=14400000 preempt=true preempt_delay_ms=0 load_pct=0 extra="" steer=0
	local buckets=65536 datapath=xdp ipv6=0 ra_ms=2000 vip6="" fast_path=0 xdp_mode=$LAB_XDP_MODE
	local ifaces=eth0 nic_return_ms=
	shift
	mapfile -t routers < <(lab_routers)
	avg=${routers[0]}
	owners=$(
		IFS=,
		echo "${routers[*]}"
	)
	for kv in "$@"; do
		case $kv in
		policy=*) policy=${kv#*=} ;;
		avg=*) avg=${kv#*=} ;;
		lease_ms=*) lease_ms=${kv#*=} ;;
		learn_ms=*) learn_ms=${kv#*=} ;;
		owners=*) owners=${kv#*=} ;;
		weights=*) weights=${kv#*=} ;;
		persistence=*) persistence=${kv#*=} ;;
		membership=*) membership=${kv#*=} ;;
		prios=*) prios=${kv#*=} ;;
		hello_ms=*) hello_ms=${kv#*=} ;;
		hold_ms=*) hold_ms=${kv#*=} ;;
		redirect_ms=*) redirect_ms=${kv#*=} ;;
		timeout_ms=*) timeout_ms=${kv#*=} ;;
		preempt=*) preempt=${kv#*=} ;;
		preempt_delay_ms=*) preempt_delay_ms=${kv#*=} ;;
		load_pct=*) load_pct=${kv#*=} ;;
		extra=*) extra=${kv#*=} ;;
		steer=*) steer=${kv#*=} ;;
		buckets=*) buckets=${kv#*=} ;;
		datapath=*) datapath=${kv#*=} ;;
		ipv6=*) ipv6=${kv#*=} ;;
		ra_ms=*) ra_ms=${kv#*=} ;;
		vip6=*) vip6=${kv#*=} ;;
		fast_path=*) fast_path=${kv#*=} ;;
		xdp_mode=*) xdp_mode=${kv#*=} ;;
		ifaces=*) ifaces=${kv#*=} ;;
		nic_return_ms=*) nic_return_ms=${kv#*=} ;;
		*) lab_die "lab_write_config: unknown key '$kv'" ;;
		esac
	done
	IFS=, read -r -a own <<<"$owners"
	IFS=, read -r -a wts <<<"${weights:-}"
	IFS=, read -r -a prs <<<"${prios:-}"
	[ -e "$LAB_DIR/key" ] || (umask 077 && head -c 32 /dev/urandom >"$LAB_DIR/key")
	file=$LAB_DIR/$router.yaml
	{
		echo "# generated by tests/lab/lab.sh for lab $LAB_SFX"
		echo "node: $router"
		echo "pin-root: $(lab_get "$router" pin_root)"
		echo "state-dir: $LAB_DIR/state-$router" # the boot counter outlives restarts, not the lab
		echo "control-socket: $LAB_DIR/$router.sock"
		echo "lease-ms: $lease_ms"
		echo "learn-interval-ms: $learn_ms"
		[ -n "$datapath" ] && echo "datapath: $datapath"
		[ -n "$xdp_mode" ] && echo "xdp-mode: $xdp_mode"
		[ -n "$nic_return_ms" ] && echo "nic-return-ms: $nic_return_ms"
		if [ "$membership" = 1 ]; then
			echo "membership:"
			echo "  key-file: $LAB_DIR/key"
		fi
		echo "nodes:"
		i=0
		for r in "${routers[@]}"; do
			echo "  - name: $r"
			echo "    id: $(lab_get "$r" index)"
			if [ "$membership" = 1 ]; then
				echo "    address: $LAB_LAN_NET.$((1 + $(lab_get "$r" index)))"
				echo "    priority: ${prs[$i]:-100}"
			fi
			i=$((i + 1))
		done
		echo "groups:"
		echo "  - id: $LAB_GID"
		echo "    vip: $LAB_VIP"
		echo "    interfaces: [${ifaces//,/, }]"
		echo "    policy: $policy"
		[ -n "$vip6" ] && echo "    vip6: [$vip6]"
		if [ "$ipv6" = 1 ]; then
			echo "    ra:"
			echo "      enabled: true"
			echo "      interval-ms: $ra_ms"
			echo "      prefixes:"
			echo "        - prefix: \"$LAB_LAN6::/64\""
		fi
		[ "$fast_path" = 1 ] && echo "    fast-path: true"
		if [ "$membership" = 1 ]; then
			echo "    timers:"
			echo "      hello-ms: $hello_ms"
			echo "      hold-ms: $hold_ms"
			echo "      redirect-ms: $redirect_ms"
			echo "      timeout-ms: $timeout_ms"
			echo "    preempt: $preempt"
			echo "    preempt-delay-ms: $preempt_delay_ms"
			echo "    load-max-share-pct: $load_pct"
			if [ "$steer" = 1 ]; then
				echo "    steering:"
				echo "      enabled: true"
				echo "      buckets: $buckets"
				echo "      interfaces: [eth0, eth1]"
			fi
		else
			echo "    avg: $avg"
		fi
		echo "    forwarders:"
		for i in "${!own[@]}"; do
			echo "      - index: $i"
			echo "        owner: ${own[$i]}"
			echo "        weight: ${wts[$i]:-100}"
			echo "        persistence: $persistence"
		done
		[ -n "$extra" ] && cat "$extra"
	} >"$file"
	echo "$file"
}

# lab_status ROUTER: xglbd's status JSON (control socket).
lab_status() { lab_exec "$1" "$LAB_BUILD/xglbctl" --socket "$LAB_DIR/$1.sock" --json status; }

# vMAC of forwarder INDEX of the lab's group: 02:78:67:62:<gid>:<index>.
lab_vmac() { printf '02:78:67:62:%02x:%02x\n' "$LAB_GID" "$1"; }

# xglbd's own ready line (user/xglbd.c): "xglbd: info: ready: node NAME (id N), ...".
_lab_xglbd_state() { # router pid starttime log -> 0 ready, 1 not yet, 2 dead
	grep -q "^xglbd: info: ready: node $1 (id " "$4" 2>/dev/null && return 0
	_lab_pid_running "$2" "$3" || return 2
	return 1
}

# lab_start_xglbd ROUTER CONFIG [ARGS...]: start build/xglbd in the
# router's namespace, log to $LAB_DIR/xglbd.ROUTER.log, and wait (up to
# LAB_READY_S, default 15 s) for its "ready" line. Fails with the log's
# tail if it dies or never gets ready. LAB_XGLBD_WRAP, if set, is a
# command (words split on spaces) that execs its arguments and runs it,
# e.g. "build/tools/xglb_deny tcx --".
lab_start_xglbd() {
	local router=$1 cfg=$2 log pid st pr deadline s
	shift 2
	[ -x "$LAB_BUILD/xglbd" ] || lab_die "$LAB_BUILD/xglbd not built"
	log=$LAB_DIR/xglbd.$router.log
	pr=$(lab_get "$router" pin_root)
	mkdir -p "$pr"
	# shellcheck disable=SC2086 # the wrapper's words
	lab_bg "$router" "$log" ${LAB_XGLBD_WRAP:-} "$LAB_BUILD/xglbd" \
		--config "$cfg" --node "$router" --pin-root "$pr" -v "$@"
	pid=$LAB_BG_PID
	st=$(_lab_starttime "$pid")
	lab_set "$router" xglbd_pid "$pid $st"
	lab_set "$router" xglbd_cfg "$cfg"
	deadline=$((SECONDS + ${LAB_READY_S:-15}))
	while :; do
		_lab_xglbd_state "$router" "$pid" "$st" "$log"
		s=$?
		[ $s = 0 ] && return 0
		if [ $s = 2 ] || [ $SECONDS -ge "$deadline" ]; then
			echo "lab: xglbd on $router $([ $s = 2 ] && echo died || echo 'not ready in time'); log:" >&2
			tail -n 30 "$log" | sed 's/^/    /' >&2
			return 1
		fi
		sleep 0.05
	done
}

# lab_start_all KEY=VALUE...: lab_write_config with these keys for every
# router, then lab_start_xglbd on each; fails at the first that does not get
# ready (LAB_ERR names it).
lab_start_all() {
	local r cfg
	LAB_ERR=
	for r in $(lab_routers); do
		cfg=$(lab_write_config "$r" "$@") && lab_start_xglbd "$r" "$cfg" || {
			LAB_ERR="xglbd on $r did not get ready"
			return 1
		}
	done
}

# lab_stop_xglbd ROUTER [TIMEOUT_S]: SIGTERM, wait for exit; returns its
# exit status (or 124 if it had to be killed, 125 if none was running).
lab_stop_xglbd() {
	local router=$1 pid st rc deadline
	read -r pid st <<<"$(lab_get "$router" xglbd_pid)"
	[ -n "$pid" ] || return 125
	lab_set "$router" xglbd_pid ""
	if _lab_pid_running "$pid" "$st"; then
		kill -TERM "$pid"
		deadline=$((SECONDS + ${2:-5}))
		while _lab_pid_running "$pid" "$st" && [ $SECONDS -lt "$deadline" ]; do
			sleep 0.05
		done
	fi
	if _lab_pid_running "$pid" "$st"; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid" 2>/dev/null # our child: its exit status
	rc=$?
	return $rc
}

lab_xglbd_log() { echo "$LAB_DIR/xglbd.$1.log"; }

# lab_xglbd_pid ROUTER: the PID of its running xglbd ("" if none recorded).
lab_xglbd_pid() { lab_get "$1" xglbd_pid | cut -d' ' -f1; }

# lab_xglbd_running ROUTER: its recorded xglbd is still running.
lab_xglbd_running() {
	local pid st
	read -r pid st <<<"$(lab_get "$1" xglbd_pid)"
	[ -n "$pid" ] && _lab_pid_running "$pid" "$st"
}

# lab_signal_xglbd ROUTER SIGNAL: e.g. HUP; fails if no xglbd is running there.
lab_signal_xglbd() {
	lab_xglbd_running "$1" || { echo "lab: no xglbd running on $1" >&2; return 1; }
	kill -"$2" "$(lab_xglbd_pid "$1")"
}

# lab_reload_xglbd ROUTER: SIGHUP, and wait (up to 5 s) for its next
# "reloaded" line: the new configuration is in use when this returns 0.
lab_reload_xglbd() {
	local log n
	log=$(lab_xglbd_log "$1")
	n=$(grep -c '^xglbd: info: reloaded: ' "$log")
	lab_signal_xglbd "$1" HUP || return 1
	lab_wait 5 _lab_count_above "$log" '^xglbd: info: reloaded: ' "$n"
}
_lab_count_above() { [ "$(grep -c "$2" "$1")" -gt "$3" ]; } # file regex n

# lab_kill_xglbd ROUTER: kill -9 its xglbd and reap it (the pins stay).
lab_kill_xglbd() {
	local pid st
	read -r pid st <<<"$(lab_get "$1" xglbd_pid)"
	[ -n "$pid" ] && _lab_pid_running "$pid" "$st" || { echo "lab: no xglbd running on $1" >&2; return 1; }
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	lab_set "$1" xglbd_pid ""
	return 0
}

# lab_restart_xglbd ROUTER [ARGS...]: start it again with its last config.
lab_restart_xglbd() {
	local r=$1
	shift
	lab_start_xglbd "$r" "$(lab_get "$r" xglbd_cfg)" "$@"
}

# lab_xglbd_exited ROUTER: if its xglbd has ended, print how (it is our
# child: wait gives its status) and succeed; fail while it runs.
lab_xglbd_exited() {
	local pid st rc
	read -r pid st <<<"$(lab_get "$1" xglbd_pid)"
	[ -n "$pid" ] || return 1
	_lab_pid_running "$pid" "$st" && return 1
	wait "$pid" 2>/dev/null
	rc=$?
	echo "$1's xglbd exited with status $rc$([ $rc -gt 128 ] && echo " (signal $((rc - 128)): $(kill -l $((rc - 128))))")"
}

# lab_xglbctl ROUTER ARGS...: xglbctl in the router's namespace against its
# socket and pin root; sets OUT (stdout), ERR (stderr) and RC.
# lab_xglbctl_raw ARGS...: the same with only the given options, host namespace.
lab_xglbctl() {
	local r=$1
	shift
	OUT=$(lab_exec "$r" "$LAB_BUILD/xglbctl" --socket "$LAB_DIR/$r.sock" \
		--pin-root "$(lab_get "$r" pin_root)" "$@" 2>"$LAB_DIR/ctl.err")
	RC=$?
	ERR=$(cat "$LAB_DIR/ctl.err")
}
lab_xglbctl_raw() {
	OUT=$("$LAB_BUILD/xglbctl" "$@" 2>"$LAB_DIR/ctl.err")
	RC=$?
	ERR=$(cat "$LAB_DIR/ctl.err")
}

# lab_set_persistence FILE INDEX VALUE: lab_write_config gives every
# forwarder the same persistence; set one.
lab_set_persistence() {
	awk -v idx="$2" -v val="$3" '
		/^      - index: / { cur = $3 }
		/^        persistence: / && cur == idx { sub(/persistence: .*/, "persistence: " val) }
		{ print }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# ---- membership status -----------------------------------------------------

# lab_jst ROUTER JQ...: a jq query (raw output) of the router's status; "" if it does not answer.
lab_jst() {
	local r=$1
	shift
	lab_status "$r" 2>/dev/null | jq -r "$@" 2>/dev/null
}

# The group as a node sees it: "avg=r3 v=4 owners=r1,r2,r3" (owner "-": inactive).
LAB_VIEW='.groups[0] | "avg=\(.avg_name) v=\(.version) owners=\([.forwarders[] |
	if .active then .owner_name else "-" end] | join(","))"'
lab_view() { lab_jst "$1" "$LAB_VIEW"; }
# The same with each forwarder's preferred owner id and persistence:
# "avg=r3 v=4 fwd=r1/1/3,r2/2/3,..." (owner/preferred/persistence).
lab_view_full() {
	lab_jst "$1" '.groups[0] | "avg=\(.avg_name) v=\(.version) fwd=\([.forwarders[] |
		"\(if .active then .owner_name else "-" end)/\(.preferred)/\(.persistence)"] | join(","))"'
}
lab_owners_of() { lab_view "$1" | sed 's/.*owners=//'; }
# Every router's view and role, one line each (for failure details).
lab_views() {
	local r
	for r in $(lab_routers); do echo "$r: $(lab_view "$r") role=$(lab_jst "$r" .groups[0].role)"; done
}
# Events of every router: "avg_changes/owner_changes/failovers" each.
lab_all_events() {
	local r
	for r in $(lab_routers); do
		lab_jst "$r" '.groups[0].events | "\(.avg_changes)/\(.owner_changes)/\(.failovers)"'
	done | paste -sd' '
}

# lab_agree [ROUTER...]: the given routers (default: all) hold one view (an
# elected AVG, version >= 1, the same owners), exactly one of them is AVG,
# none is demoted, and each sees exactly them up. Poll it with lab_wait.
lab_agree() {
	local rs=("$@") r v up role dem first="" n_avg=0 want
	[ $# -gt 0 ] || mapfile -t rs < <(lab_routers)
	want=$(printf '%s\n' "${rs[@]}" | sort | paste -sd,)
	for r in "${rs[@]}"; do
		v="" up="" role="" dem=""
		IFS=$'\t' read -r v up role dem < <(lab_jst "$r" "[($LAB_VIEW),
			([.groups[0].peers[] | select(.up) | .name] | sort | join(\",\")),
			.groups[0].role, (.groups[0].demoted | tostring)] | @tsv")
		[[ $v =~ ^avg=[^\ ]+\ v=[1-9][0-9]*\ owners= ]] && [[ $v != avg=null* ]] || return 1
		[ "$up" = "$want" ] && [ "$dem" = false ] || return 1
		[ -z "$first" ] && first=$v
		[ "$v" = "$first" ] || return 1
		[ "$role" = avg ] && n_avg=$((n_avg + 1))
	done
	[ "$n_avg" = 1 ]
}
# lab_all_owned ROUTER: every forwarder of its view is active and owned.
lab_all_owned() { [[ $(lab_owners_of "$1") =~ ^[^-,]+(,[^-,]+)*$ ]]; }
# lab_agree_owned [ROUTER...]: lab_agree, and every forwarder active and owned.
lab_agree_owned() { lab_agree "$@" && lab_all_owned "${1:-$(lab_routers | head -n 1)}"; }

# lab_dp_owners ROUTER...: owners as the data planes see them: for each
# forwarder, the routers whose pinned table has it local and active ("-"
# none, "r1+r3" several), comma separated.
# lab_st_locals ROUTER...: the same from the routers' status (.local).
lab_dp_owners() { _lab_who_owns _lab_dp_flags "$@"; }
lab_st_locals() { _lab_who_owns _lab_st_flags "$@"; }
_lab_dp_flags() {
	lab_ctl "$1" --json tables 2>/dev/null |
		jq -r '[.groups[0].forwarders[] | (.local and .active) | tostring] | join(" ")'
}
_lab_st_flags() { lab_jst "$1" '[.groups[0].forwarders[] | .local | tostring] | join(" ")'; }
_lab_who_owns() { # flags-fn router...
	local fn=$1 r i n who out="" flags
	declare -A loc
	shift
	for r in "$@"; do loc[$r]=$("$fn" "$r"); done
	n=$(wc -w <<<"${loc[$1]}")
	[ "$n" -gt 0 ] || return 1
	for ((i = 0; i < n; i++)); do
		who=""
		for r in "$@"; do
			read -r -a flags <<<"${loc[$r]}"
			[ "${flags[$i]:-}" = true ] && who+="${who:++}$r"
		done
		out+="${out:+,}${who:--}"
	done
	echo "$out"
}

# A measurement: one probe per vMAC client (LAB_CL, see lab_vmac_clients)
# to the server's echo, and a control probe LAB_CONTROL_FROM -> LAB_CONTROL_TO
# (LAB_CONTROL_PORT, LAB_CONTROL_RATE) on the same switch, through no router.
# The control loses packets only when the whole machine stalls; likewise the
# echo on the server, serving every probe from one socket, overflows if it
# is not scheduled for a moment. Either makes a measurement inconclusive.
# lab_probes_start TAG SECONDS; lab_probes_done TAG WHAT: waits, prints each
# probe as "#" lines, and returns 0 if no vMAC client lost a probe in the
# network, 2 if some did but the control or the echo lost some too, 1 otherwise.
# A measurement around an operation of unknown length: LAB_PROBE_TAIL_MS=MS
# lab_probes_start TAG LIMIT, the operation, then lab_probes_stop TAG: every
# probe sends MS more and ends (LIMIT only bounds it).
declare -A LAB_RS0 # per-router verdict counters when the last measurement began
lab_probes_start() {
	local i r
	for r in $(lab_routers); do LAB_RS0[$r]=$(lab_stats "$r" | jq -c .reasons); done
	LAB_SRV_RB0=$(lab_rcvbuf_errors server)
	for i in "${!LAB_CL[@]}"; do lab_probe_start "$1$i" "${LAB_CL[$i]}" "$2"; done
	lab_probe_start "$1c" "$LAB_CONTROL_FROM" "$2" "$(lab_get "$LAB_CONTROL_TO" ip)" \
		"$LAB_CONTROL_PORT" "$LAB_CONTROL_RATE"
}
lab_probes_stop() {
	local i
	for i in "${!LAB_CL[@]}" c; do lab_probe_stop "$1$i"; done
}
lab_probes_done() {
	local i r srv lost=0
	for i in "${!LAB_CL[@]}" c; do lab_probe_wait "$1$i"; done
	for i in "${!LAB_CL[@]}"; do
		echo "# $2: fwd$i client ${LAB_CL[$i]}: $(lab_probe_json "$1$i")"
		[ "$(lab_probe_netlost "$1$i")" = 0 ] || lost=1
	done
	srv=$(($(lab_rcvbuf_errors server) - LAB_SRV_RB0))
	echo "# $2: control $LAB_CONTROL_FROM -> $LAB_CONTROL_TO (no router): $(lab_probe_json "$1c"); dropped at the server's echo socket: $srv"
	[ "$lost" = 0 ] && return 0
	for r in $(lab_routers); do # where did they go?
		echo "# $2: $r verdicts meanwhile: $(lab_stats "$r" | jq -c --argjson a "${LAB_RS0[$r]}" \
			'.reasons | with_entries(.value -= ($a[.key] // 0)) | with_entries(select(.value != 0))')"
	done
	[ "$(lab_probe_netlost "$1c")" != 0 ] || [ "$srv" -gt 0 ] && return 2
	return 1
}

# lab_vmac_clients CLIENT...: each client reaches the server through the
# gateway and so gets a vMAC for the VIP; LAB_CL[forwarder index] = client.
# Fails (the reason in LAB_ERR) if one does not, or two share a vMAC.
declare -A LAB_CL
lab_vmac_clients() {
	local c m
	LAB_CL=() LAB_ERR=
	for c in "$@"; do
		lab_exec "$c" ping -c 1 -W 2 -q "$LAB_SERVER_IP" >/dev/null || { LAB_ERR="$c does not reach the server"; return 1; }
		m=$(lab_neigh_mac "$c")
		[[ $m =~ ^02:78:67:62:[0-9a-f]{2}:([0-9a-f]{2})$ ]] || { LAB_ERR="$c holds no vMAC: '$m'"; return 1; }
		LAB_CL[$((16#${BASH_REMATCH[1]}))]=$c
	done
	[ ${#LAB_CL[@]} = $# ] || { LAB_ERR="$# clients got ${#LAB_CL[@]} vMACs: $(for c in "$@"; do echo "$c $(lab_neigh_mac "$c")"; done | paste -sd,)"; return 1; }
}

# ---- probes (tests/tools/xglb_probe) ------------------------------------------

# lab_echo_start BOX PORT [PREFIX...]: a UDP echo in BOX, waited for until it
# listens. PREFIX: e.g. chrt -f 10.
lab_echo_start() {
	local box=$1 port=$2
	shift 2
	lab_bg "$box" "$LAB_DIR/echo.$box.$port.log" "$@" "$LAB_BUILD/tools/xglb_probe" echo "$port"
	lab_wait 5 _lab_udp_listens "$box" "$port"
}
_lab_udp_listens() { [ -n "$(lab_exec "$1" ss -Hlun "sport = :$2")" ]; }

# UDP datagrams a box's kernel dropped for a full socket buffer: echoes that
# came back through the gateway but found the probe's socket full (its process
# was not scheduled in time on a shared machine) count as "lost". IPv4 and
# IPv6 (Udp6RcvbufErrors) together.
lab_rcvbuf_errors() {
	lab_exec "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else n += $c }
		$1 == "Udp6RcvbufErrors" { n += $2 } END { print n + 0 }' /proc/net/snmp /proc/net/snmp6 2>/dev/null
}

declare -A LAB_PROBE LAB_PROBE_CL LAB_PROBE_RB
# lab_probe_start TAG CLIENT SECONDS [ADDRESS PORT RATE [BYTES]]: xglb_probe
# sends RATE datagrams/s (LAB_PROBE_RATE) of BYTES (default 8) for SECONDS to
# ADDRESS:PORT (default the server, LAB_PROBE_PORT); its JSON result goes to
# $LAB_DIR/probe.TAG.json. lab_probe_stop TAG MS ends it MS after (SECONDS is
# then a limit; its result says "stopped":true).
lab_probe_start() {
	lab_bg "$2" "$LAB_DIR/probe.$1.json" "$LAB_BUILD/tools/xglb_probe" send "${4:-$LAB_SERVER_IP}" \
		"${5:-${LAB_PROBE_PORT:-9000}}" "${6:-${LAB_PROBE_RATE:-1000}}" "$3" 500 "${7:-8}" \
		"${LAB_PROBE_TAIL_MS:-0}"
	LAB_PROBE[$1]=$LAB_BG_PID
	LAB_PROBE_CL[$1]=$2
	LAB_PROBE_RB[$1]=$(lab_rcvbuf_errors "$2")
}
lab_probe_wait() { wait "${LAB_PROBE[$1]}" 2>/dev/null; }                           # tag
lab_probe_stop() { kill -USR1 "${LAB_PROBE[$1]}"; }                                 # tag
lab_probe_get() { jq -r ".$2 // empty" "$LAB_DIR/probe.$1.json" 2>/dev/null; }      # tag field
# The probe's result line and the client's socket drops during it.
lab_probe_json() { echo "$(tail -n 1 "$LAB_DIR/probe.$1.json") rcvbuf_drops=$(lab_probe_rcvbuf "$1")"; }
lab_probe_rcvbuf() { echo $(($(lab_rcvbuf_errors "${LAB_PROBE_CL[$1]}") - LAB_PROBE_RB[$1])); }
# Probes lost on the way through the gateway and back: "lost" less the echoes
# that did come back but were dropped at the client's full socket.
lab_probe_netlost() {
	local l
	l=$(lab_probe_get "$1" lost)
	if [ -n "$l" ]; then echo $((l - $(lab_probe_rcvbuf "$1"))); else echo "no result"; fi
}

# ---- counters (xglbctl) ----------------------------------------------------

# lab_ctl ROUTER ARGS...: build/xglbctl against the router's pin root,
# run inside its namespace.
lab_ctl() {
	local router=$1
	shift
	lab_exec "$router" "$LAB_BUILD/xglbctl" --pin-root "$(lab_get "$router" pin_root)" "$@"
}

# lab_stats ROUTER: the stats JSON; lab_reason ROUTER NAME: one reason counter.
lab_stats() { lab_ctl "$1" --json stats; }
lab_reason() { lab_stats "$1" | jq --arg r "$2" '.reasons[$r] // 0'; }

# lab_fwd_packets ROUTER INDEX: packets counted for forwarder INDEX of the
# lab's group on ROUTER (0 if it has no entry).
lab_fwd_packets() {
	lab_stats "$1" | jq --argjson g "$LAB_GID" --argjson i "$2" \
		'[.forwarders[] | select(.group == $g and .index == $i) | .packets] | add // 0'
}

# lab_fwd_mark ROUTER:INDEX...: note the packets of these forwarders now;
# lab_fwd_flowing N: each of them has forwarded N more since (traffic flows:
# poll it with lab_wait instead of sleeping while a probe starts).
declare -A LAB_FWD_MARK
lab_fwd_mark() {
	local ri
	LAB_FWD_MARK=()
	for ri in "$@"; do LAB_FWD_MARK[$ri]=$(lab_fwd_packets "${ri%:*}" "${ri#*:}"); done
}
lab_fwd_flowing() {
	local ri n
	for ri in "${!LAB_FWD_MARK[@]}"; do
		n=$(lab_fwd_packets "${ri%:*}" "${ri#*:}")
		[ "${n:-0}" -ge $((LAB_FWD_MARK[$ri] + $1)) ] || return 1
	done
}

# ---- client helpers --------------------------------------------------------

# MAC a client's kernel holds for IP (default: the VIP), or "" if none.
lab_neigh_mac() {
	lab_exec "$1" ip -j neigh show "${2:-$LAB_VIP}" dev eth0 2>/dev/null |
		jq -r '.[0].lladdr // empty' 2>/dev/null
}

# lab_no_neigh BOX [IP]: the box's neighbour table answers and holds no
# resolved entry for IP (default: the VIP); an "ip" that fails is not "none".
lab_no_neigh() {
	local j
	j=$(lab_exec "$1" ip -j neigh show "${2:-$LAB_VIP}" dev eth0) &&
		jq -e 'all(.[]; .lladdr == null)' <<<"${j:-[]}" >/dev/null
}

# True once a client has a resolved (lladdr) neighbour entry for IP.
lab_has_neigh() { [ -n "$(lab_neigh_mac "$1" "${2:-$LAB_VIP}")" ]; }

# MAC of an interface of a box.
lab_mac() { lab_exec "$1" cat "/sys/class/net/${2:-eth0}/address"; }

# ---- ARP accounting on the client segment ----------------------------------

# lab_arp_counters_init: nftables named counters in the "lan" switch (bridge
# prerouting sees every frame once, as it enters the bridge):
#   req_bcast  ARP requests for the VIP from hosts (not from a vMAC), broadcast
#   req_ucast  the same, unicast (a host re-confirming the vMAC it holds)
#   rep_all    ARP replies from the VIP
#   rep_<r>    ARP replies from the VIP entering from router r's port
#   learn      ARP from a vMAC source (xglbd's learning frames: probes, sender IP 0)
#   vip_real   any ARP naming the VIP as sender with a non-vMAC sender MAC:
#              a router's kernel speaking for the VIP (must stay 0)
lab_arp_counters_init() {
	local r port vm="& ff:ff:ff:ff:00:00" vp=02:78:67:62:00:00 host
	host="ether type arp ether saddr $vm != $vp"
	{
		echo "table bridge xglb_lab {"
		for r in req_bcast req_ucast rep_all learn vip_real $(lab_routers | sed 's/^/rep_/'); do
			echo "  counter $r {}"
		done
		echo "  chain pre {"
		echo "    type filter hook prerouting priority 0; policy accept;"
		echo "    $host arp operation request arp daddr ip $LAB_VIP ether daddr ff:ff:ff:ff:ff:ff counter name req_bcast"
		echo "    $host arp operation request arp daddr ip $LAB_VIP ether daddr != ff:ff:ff:ff:ff:ff counter name req_ucast"
		echo "    ether type arp ether saddr $vm == $vp counter name learn"
		echo "    ether type arp arp saddr ip $LAB_VIP arp saddr ether $vm != $vp counter name vip_real"
		echo "    ether type arp arp operation reply arp saddr ip $LAB_VIP counter name rep_all"
		for r in $(lab_routers); do
			port=$(lab_get "$r" port.eth0)
			echo "    iifname \"$port\" ether type arp arp operation reply arp saddr ip $LAB_VIP counter name rep_$r"
		done
		echo "  }"
		echo "}"
	} | lab_exec lan nft -f - || lab_die "nft counters in the lan switch"
}

# lab_arp_counter NAME: packets of one of the counters above.
lab_arp_counter() { lab_nft_count lan bridge xglb_lab "$1"; }

# lab_nft_counters BOX FAMILY TABLE HOOK PRIORITY NAME=MATCH...: nftables table FAMILY TABLE
# in BOX with a named counter NAME for each MATCH (the rule before "counter name NAME"), in a
# chain named after HOOK, at PRIORITY, that accepts everything.
lab_nft_counters() {
	local box=$1 family=$2 table=$3 hook=$4 prio=$5 x
	shift 5
	{
		echo "table $family $table {"
		for x in "$@"; do echo "	counter ${x%%=*} {}"; done
		echo "	chain $hook {"
		echo "		type filter hook $hook priority $prio; policy accept;"
		for x in "$@"; do echo "		${x#*=} counter name ${x%%=*}"; done
		echo "	}"
		echo "}"
	} | lab_exec "$box" nft -f -
}

# lab_nft_count BOX FAMILY TABLE NAME: packets of named counter NAME of FAMILY TABLE in BOX.
lab_nft_count() {
	lab_exec "$1" nft -j list counter "$2" "$3" "$4" |
		jq '[.nftables[] | select(.counter) | .counter.packets] | add // 0'
}

# lab_link_set ROUTER IFNAME up|down [router|switch|both]: a link's carrier
# or admin state from the router's end (ip link set on its interface), the
# switch's end (the bridge port: the router's interface loses carrier), or
# both (default).
lab_link_set() {
	local name=$1 ifn=$2 st=$3 end=${4:-both} port sw
	port=$(lab_port "$name" "$ifn")
	[ -n "$port" ] || lab_die "lab_link_set: $name has no $ifn"
	sw=$(lab_seg_ns "$name" "$ifn")
	case $end in
	router | both) lab_exec "$name" ip link set dev "$ifn" "$st" || return 1 ;;
	esac
	case $end in
	switch | both) ip -n "$sw" link set dev "$port" "$st" || return 1 ;;
	esac
}
