#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Idle cost benchmark (issue 11 item 2; not a test: it prints figures).
# A sensor on a quiet link must not burn CPU.  In a network namespace of its
# own, on a veth pair that carries no traffic, run
#   sidewall -i IFACE   with the default thread count, --threads 1, 2 and 8
#   sidewall -q QUEUES  inline on one and on two idle NFQUEUE queues
# wait until it is capturing (plus SETTLE_S), then read utime+stime of the
# whole process from /proc/PID/stat over SAMPLE_S seconds and print the CPU
# used as % of one core, and the context switches per second summed over its
# threads (voluntary and not: each sleep and wake-up, each sched_yield() that
# gave the CPU away).
#
#   bench/idle.sh [BUILD_DIR]      (root; default build/release)
#   env: SAMPLE_S (10), SETTLE_S (3)
#
# Nothing leaves the namespace; the namespace, its nft table and the log
# directory are removed on exit (the namespace takes its firewall rules with
# it; they are flushed first all the same).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build/release}
SW=$B/sidewall
SAMPLE_S=${SAMPLE_S:-10}
SETTLE_S=${SETTLE_S:-3}
HZ=$(getconf CLK_TCK)

[ "$(id -u)" -eq 0 ] || { echo "idle: needs root (network namespaces, NFQUEUE)"; exit 77; }
[ -x "$SW" ] || { echo "idle: $SW not built" >&2; exit 1; }

NS="swidle-$$-$RANDOM"
TMP=$(mktemp -d /tmp/sw-idle.XXXXXX)
cleanup() {
	local pids
	pids=$(ip netns pids "$NS" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	ip netns exec "$NS" nft delete table inet swidle 2>/dev/null
	ip netns exec "$NS" iptables-nft -F FORWARD 2>/dev/null
	ip netns exec "$NS" iptables-legacy -F FORWARD 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || { echo "idle: cannot create a namespace"; exit 1; }
ip netns exec "$NS" ip link add swidle0 type veth peer name swidle1 || exit 1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link set swidle0 up
ip netns exec "$NS" ip link set swidle1 up
# An idle queue: the rule exists, nothing is forwarded through it.  nft's
# queue expression first; this kernel may lack CONFIG_NFT_QUEUE, then the
# xtables NFQUEUE target (as tests/e2e/inline/netns.sh does).  ("fwd" is an
# nft keyword: the chain needs another name.)
QRULE="none (queues bound, no rule)"
if ip netns exec "$NS" nft -f - 2>/dev/null <<-EOF
	table inet swidle {
		chain forward_q {
			type filter hook forward priority 0; policy accept;
			meta l4proto { tcp, udp } queue flags bypass to 0-1
		}
	}
EOF
then
	QRULE="nft queue 0-1"
else
	ip netns exec "$NS" nft delete table inet swidle 2>/dev/null
	for ipt in iptables-nft iptables-legacy; do
		command -v $ipt >/dev/null || continue
		if ip netns exec "$NS" $ipt -A FORWARD -p tcp -j NFQUEUE --queue-balance 0:1 --queue-bypass 2>/dev/null &&
		   ip netns exec "$NS" $ipt -A FORWARD -p udp -j NFQUEUE --queue-balance 0:1 --queue-bypass 2>/dev/null; then
			QRULE="$ipt NFQUEUE 0:1"
			break
		fi
		ip netns exec "$NS" $ipt -F FORWARD 2>/dev/null
	done
fi
echo 'alert tcp any any -> any 80 (msg:"idle bench"; content:"idle-bench"; sid:1;)' >"$TMP/one.rules"

# ticks PID: utime + stime of the process (all threads), in clock ticks
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# switches PID: context switches of every thread so far
switches() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}

# measure LABEL READY_RE ARGS...: run sidewall in the namespace, wait for
# READY_RE on its stderr, settle, sample, print one row.
measure() {
	local label=$1 ready=$2 pid i t0 t1 s0 s1 nthr
	shift 2
	: >"$TMP/err"
	ip netns exec "$NS" "$SW" "$@" -S "$TMP/one.rules" -l "$TMP" 2>"$TMP/err" &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "$ready" "$TMP/err" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "$ready" "$TMP/err"; then
		printf '%-28s did not start:\n' "$label"
		sed 's/^/    /' "$TMP/err"
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return
	fi
	sleep "$SETTLE_S"
	nthr=$(ls /proc/$pid/task | wc -l)
	t0=$(ticks "$pid")
	s0=$(switches "$pid")
	sleep "$SAMPLE_S"
	t1=$(ticks "$pid")
	s1=$(switches "$pid")
	kill -INT "$pid"
	wait "$pid" 2>/dev/null
	awk -v l="$label" -v n="$nthr" -v t=$((t1 - t0)) -v hz="$HZ" -v s=$((s1 - s0)) -v d="$SAMPLE_S" \
		'BEGIN { printf "%-28s %7d %9d %9.2f %12.0f\n", l, n, t, 100 * t / hz / d, s / d }'
}

echo "idle: $SW, $(nproc) cores, ${SAMPLE_S} s sample after ${SETTLE_S} s settle, HZ $HZ, queue rule: $QRULE"
printf '%-28s %7s %9s %9s %12s\n' "mode" "threads" "ticks" "%core" "ctxsw/s"
measure "-i (default threads)" "capturing on" -i swidle0
measure "-i --threads 1" "capturing on" -i swidle0 --threads 1
measure "-i --threads 2" "capturing on" -i swidle0 --threads 2
measure "-i --threads 8" "capturing on" -i swidle0 --threads 8
measure "-q 0 (one queue)" "inline on nfqueue" -q 0
measure "-q 0:1 (two queues)" "inline on nfqueue" -q 0:1
