# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/e2e/inline/inline_e2e.sh and bench/inline_bench.sh.
#
# Three network namespaces joined by veth pairs, the inline gateway layout of
# issue 3:
#
#   client (10.77.1.2 + 10.77.1.10-17) --c0/g0-- gateway --g1/l0-- legacy (10.77.2.2)
#
# Every address lives only inside these namespaces: no traffic leaves them.
# Names carry the PID and a random suffix so parallel runs cannot collide.
# The caller sets a trap that calls nsl_cleanup.

NSL_SUFFIX="${NSL_SUFFIX:-$$-$RANDOM}"
NS_C="swc-$NSL_SUFFIX"
NS_G="swg-$NSL_SUFFIX"
NS_L="swl-$NSL_SUFFIX"
C_IP=10.77.1.2
G_IP1=10.77.1.1
G_IP2=10.77.2.1
L_IP=10.77.2.2
# Extra client addresses: the kernel's queue balancing hashes only the
# addresses and the protocol (include/net/netfilter/nf_queue.h: hash_v4), so
# flows from one client to one server always share a queue.  Several source
# addresses spread flows over the queues.
C_EXTRA_IPS="10.77.1.10 10.77.1.11 10.77.1.12 10.77.1.13 10.77.1.14 10.77.1.15 10.77.1.16 10.77.1.17"
NSL_FW=""   # how the queue rule was installed: nft | iptables-nft | iptables-legacy

inc() { ip netns exec "$NS_C" "$@"; }
ing() { ip netns exec "$NS_G" "$@"; }
inl() { ip netns exec "$NS_L" "$@"; }

nsl_cleanup() {
	local ns
	for ns in "$NS_C" "$NS_G" "$NS_L"; do
		# Kill whatever still runs inside (servers, tcpdump, sidewall) by PID.
		local pids
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

nsl_setup() {
	local a
	ip netns add "$NS_C" && ip netns add "$NS_G" && ip netns add "$NS_L" || return 1
	ip link add c0 netns "$NS_C" type veth peer name g0 netns "$NS_G" || return 1
	ip link add g1 netns "$NS_G" type veth peer name l0 netns "$NS_L" || return 1
	inc ip link set lo up; ing ip link set lo up; inl ip link set lo up
	inc ip addr add "$C_IP/24" dev c0
	for a in $C_EXTRA_IPS; do inc ip addr add "$a/24" dev c0; done
	inc ip link set c0 up
	inc ip route add default via "$G_IP1"
	ing ip addr add "$G_IP1/24" dev g0
	ing ip addr add "$G_IP2/24" dev g1
	ing ip link set g0 up
	ing ip link set g1 up
	ing sysctl -qw net.ipv4.ip_forward=1
	inl ip addr add "$L_IP/24" dev l0
	inl ip link set l0 up
	inl ip route add default via "$G_IP2"
	# Quiet start: no IPv6 autoconf chatter on the links.
	for f in inc ing inl; do $f sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
	return 0
}

# nsl_queue FIRST LAST MODE: queue every forwarded TCP/UDP packet in the
# gateway to queues FIRST..LAST.  MODE is "bypass" (accept when no consumer is
# bound) or "closed" (drop when none is).  Balancing is by the kernel's flow
# hash, never by CPU ("fanout"), so both directions of a flow share a queue.
# Prefers nft's queue expression; this kernel may lack CONFIG_NFT_QUEUE, so it
# falls back to the xtables NFQUEUE target (iptables-nft, then -legacy).
nsl_queue() {
	local first=$1 last=$2 mode=$3 nftflags="" xtbypass="" xtq
	[ "$mode" = bypass ] && { nftflags="flags bypass"; xtbypass="--queue-bypass"; }
	# Negative control only: NSL_XT_EXTRA=--queue-cpu-fanout (xtables path) shows
	# what the e2e test catches when the two directions of a flow are split.
	[ "$first" = "$last" ] || xtbypass="$xtbypass ${NSL_XT_EXTRA:-}"
	if [ "$first" = "$last" ]; then xtq="--queue-num $first"; else xtq="--queue-balance $first:$last"; fi
	nsl_unqueue
	if ing nft -f - 2>/dev/null <<-EOF
		table inet swtest {
			chain queue_fwd { # "fwd" is a keyword of nft 1.0
				type filter hook forward priority 0; policy accept;
				meta l4proto { tcp, udp } queue $nftflags to $first-$last
			}
		}
	EOF
	then
		NSL_FW=nft
		return 0
	fi
	ing nft delete table inet swtest 2>/dev/null
	local ipt
	for ipt in iptables-nft iptables-legacy; do
		command -v $ipt >/dev/null || continue
		if ing $ipt -A FORWARD -p tcp -j NFQUEUE $xtq $xtbypass 2>/dev/null &&
		   ing $ipt -A FORWARD -p udp -j NFQUEUE $xtq $xtbypass 2>/dev/null; then
			NSL_FW=$ipt
			return 0
		fi
		ing $ipt -F FORWARD 2>/dev/null
	done
	echo "netns: cannot install an NFQUEUE rule (no nft queue expression, no xtables NFQUEUE target)" >&2
	return 1
}

nsl_unqueue() {
	ing nft delete table inet swtest 2>/dev/null
	ing iptables-nft -F FORWARD 2>/dev/null
	ing iptables-legacy -F FORWARD 2>/dev/null
	NSL_FW=""
	return 0
}

# nsl_bound QUEUE...: true when every queue has a userspace listener in the gateway.
nsl_bound() {
	local q
	for q in "$@"; do
		ing awk -v q="$q" '$1 == q { found = 1 } END { exit !found }' /proc/net/netfilter/nfnetlink_queue || return 1
	done
}

# nsl_wait_bound TIMEOUT_S QUEUE...: wait (bounded) until the queues are bound.
nsl_wait_bound() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		nsl_bound "$@" && return 0
		sleep 0.1
	done
	return 1
}
