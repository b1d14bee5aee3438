#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Inline path benchmark (issue 3; not a test).  Through the e2e namespaces
# (client -> gateway -> legacy), measure for each configuration:
#   - latency: UDP ping-pong, one packet in flight, round-trip p50/p99;
#   - rate: closed-loop UDP flood (WINDOW datagrams in flight per source, 8
#     source addresses so queue balancing spreads them), forwarded packets/s
#     (each echo crosses the gateway twice).
# Configurations: plain forwarding (no queue rule); nfq_noop (the accept-all
# NFQUEUE consumer: the ceiling) with 1 and 2 queues; sidewall with the
# default rules with 1 and 2 threads.  Prints every figure and sidewall's
# ratio to the no-op consumer with the same number of queues.
#
#   bench/inline_bench.sh [BUILD_DIR]     (root; default build/release)
#   env: SECONDS_RATE (8), PINGS (10000), WINDOW (32), SIZE (64)
#
# Each run is bounded (<= 20 s); traffic stays inside the namespaces.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build/release}
RATE_S=${SECONDS_RATE:-8}
PINGS=${PINGS:-10000}
WINDOW=${WINDOW:-32}
SIZE=${SIZE:-64}
RULES=$SRC/rules/default.rules

[ "$(id -u)" -eq 0 ] || { echo "inline_bench: needs root (network namespaces, NFQUEUE)"; exit 77; }
for f in nfq_noop inline_load; do
	[ -x "$B/$f" ] || { echo "inline_bench: $B/$f missing: cmake --build $B --target $f"; exit 1; }
done
HAVE_SW=1
[ -x "$B/sidewall" ] || { echo "inline_bench: no $B/sidewall: sidewall rows skipped"; HAVE_SW=0; }

. "$SRC/tests/e2e/inline/netns.sh"
TMP=$(mktemp -d /tmp/sw-inline-bench.XXXXXX)
trap 'nsl_cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
nsl_setup || { echo "inline_bench: cannot create namespaces"; exit 1; }
SRCS=$(tr ' ' ',' <<<"$C_EXTRA_IPS")

declare -A PPS P50 P99 NOTE
ORDER=()

# measure NAME: echo server in legacy, ping then flood from client.
measure() {
	local name=$1 echo_pid ping flood
	ip netns exec "$NS_L" "$B/inline_load" echo -p 5000 -d $((RATE_S + 15)) >/dev/null &
	echo_pid=$!
	sleep 0.3
	ping=$(ip netns exec "$NS_C" "$B/inline_load" ping -t "$L_IP:5000" -n "$PINGS" -d 8)
	flood=$(ip netns exec "$NS_C" "$B/inline_load" flood -t "$L_IP:5000" -d "$RATE_S" -w "$WINDOW" -s "$SIZE" -b "$SRCS")
	kill "$echo_pid" 2>/dev/null
	wait "$echo_pid" 2>/dev/null
	echo "  $ping"
	echo "  $flood"
	ORDER+=("$name")
	PPS[$name]=$(sed -E 's/.*forwarded_pps=([0-9.]+).*/\1/' <<<"$flood")
	P50[$name]=$(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$ping")
	P99[$name]=$(sed -E 's/.*p99_us=([0-9.]+).*/\1/' <<<"$ping")
	NOTE[$name]="lost=$(sed -E 's/.* lost=([0-9]+).*/\1/' <<<"$ping") refills=$(sed -E 's/.*refills=([0-9]+).*/\1/' <<<"$flood")"
}

echo "== plain forwarding"
nsl_unqueue
measure plain

for qs in 0 0:1; do
	nq=$([ "$qs" = 0 ] && echo 1 || echo 2)
	echo "== nfq_noop, $nq queue(s)"
	nsl_queue 0 $((nq - 1)) bypass
	ip netns exec "$NS_G" "$B/nfq_noop" -q "$qs" >"$TMP/noop.out" 2>&1 &
	pid=$!
	if nsl_wait_bound 10 $(seq 0 $((nq - 1))); then
		measure "noop-$nq"
	else
		echo "  nfq_noop did not bind"
	fi
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sed 's/^/  /' "$TMP/noop.out" | grep queue
done

if [ "$HAVE_SW" = 1 ]; then
	for qs in 0 0:1; do
		nq=$([ "$qs" = 0 ] && echo 1 || echo 2)
		echo "== sidewall, default rules, $nq thread(s)"
		nsl_queue 0 $((nq - 1)) bypass
		mkdir -p "$TMP/sw$nq"
		ip netns exec "$NS_G" "$B/sidewall" -q "$qs" -S "$RULES" -l "$TMP/sw$nq" -k none \
			>"$TMP/sw$nq/out" 2>"$TMP/sw$nq/err" &
		pid=$!
		if nsl_wait_bound 15 $(seq 0 $((nq - 1))); then
			measure "sidewall-$nq"
		else
			echo "  sidewall did not bind:"; sed 's/^/    /' "$TMP/sw$nq/err"
		fi
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		grep -E "nfqueue|rules:" "$TMP/sw$nq/err" | sed 's/^/  /'
	done
fi
nsl_unqueue

echo
echo "inline path, $(nproc) cores shared by client, gateway and server; UDP payload $SIZE bytes, window $WINDOW x 8 flows"
printf '%-14s %14s %10s %10s   %s\n' config forwarded_pps p50_us p99_us notes
for n in "${ORDER[@]}"; do
	printf '%-14s %14s %10s %10s   %s\n' "$n" "${PPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${NOTE[$n]}"
done
for nq in 1 2; do
	s=sidewall-$nq
	o=noop-$nq
	if [ -n "${PPS[$s]:-}" ] && [ -n "${PPS[$o]:-}" ]; then
		awk -v s="${PPS[$s]}" -v o="${PPS[$o]}" -v a="${P50[$s]}" -v b="${P50[$o]}" -v n="$nq" \
			'BEGIN { printf "sidewall/%d vs noop/%d: rate %.1f%% of the no-op consumer; p50 +%.1f us\n", n, n, 100 * s / o, a - b }'
	fi
done
