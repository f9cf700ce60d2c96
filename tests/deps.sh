#!/usr/bin/env bash
# deps.sh - install every build, test and lab dependency from Debian's archive.
set -euo pipefail

PKGS=(
	# build
	clang clang-format llvm gcc make pkg-config bpftool libbpf-dev libxdp-dev libelf-dev zlib1g-dev
	libyaml-dev libsodium-dev libmnl-dev libsystemd-dev libjson-c-dev libmicrohttpd-dev
	# tests, lab and benchmarks
	libcmocka-dev iproute2 nftables iputils-ping iperf3 tcpdump jq xdp-tools procps psmisc ndisc6 ethtool
	libclang-rt-14-dev keepalived prometheus chromium
	# test_vlan.sh: the system calls of xglbd's event loop while it answers status
	strace
	# the protocol model (model/xglb.pml, make model)
	spin
	# the soak's clock steps (tests/soak/soak.sh)
	faketime
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
