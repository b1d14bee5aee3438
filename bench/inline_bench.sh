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
#   env: SECONDS_RATE (5), PINGS (10000), WINDOW (32), SIZE (64), REPS (3)
# Every configuration runs REPS times, interleaved; the table shows medians.
#
# Each run is bounded (<= 20 s); traffic stays inside the namespaces.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build/release}
RATE_S=${SECONDS_RATE:-5}
REPS=${REPS:-3}
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
CONFIGS=(plain noop-1 noop-2)

# measure NAME: echo server in legacy, ping then flood from client; the
# figures of each repetition are appended to NAME's lists.
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
	PPS[$name]+="$(sed -E 's/.*forwarded_pps=([0-9.]+).*/\1/' <<<"$flood") "
	P50[$name]+="$(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$ping") "
	P99[$name]+="$(sed -E 's/.*p99_us=([0-9.]+).*/\1/' <<<"$ping") "
	NOTE[$name]+="$(sed -E 's/.* lost=([0-9]+).*/\1/' <<<"$ping")/$(sed -E 's/.*refills=([0-9]+).*/\1/' <<<"$flood") "
}

# run_config NAME: set up the queue rule and consumer NAME needs, measure, tear down.
run_config() {
	local name=$1 nq pid i
	nq=${name##*-}
	case $name in
	plain)
		nsl_unqueue
		measure plain
		;;
	noop-*)
		nsl_queue 0 $((nq - 1)) bypass
		ip netns exec "$NS_G" "$B/nfq_noop" -q "0:$((nq - 1))" >"$TMP/noop.out" 2>&1 &
		pid=$!
		if nsl_wait_bound 10 $(seq 0 $((nq - 1))); then measure "$name"; else echo "  nfq_noop did not bind"; fi
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		grep queue "$TMP/noop.out" | sed 's/^/  /'
		;;
	sidewall-*)
		nsl_queue 0 $((nq - 1)) bypass
		rm -rf "$TMP/$name"
		mkdir -p "$TMP/$name"
		ip netns exec "$NS_G" "$B/sidewall" -q "0:$((nq - 1))" -S "$RULES" -l "$TMP/$name" -k none \
			>"$TMP/$name/out" 2>"$TMP/$name/err" &
		pid=$!
		if nsl_wait_bound 15 $(seq 0 $((nq - 1))); then
			measure "$name"
		else
			echo "  sidewall did not bind:"; sed 's/^/    /' "$TMP/$name/err"
		fi
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		grep -E "nfqueue|rules:" "$TMP/$name/err" | sed 's/^/  /'
		;;
	esac
}

[ "$HAVE_SW" = 1 ] && CONFIGS+=(sidewall-1 sidewall-2)
# Repetitions interleave the configurations, so a burst of load from
# elsewhere on the machine does not land on one configuration only.
for ((rep = 1; rep <= REPS; rep++)); do
	for c in "${CONFIGS[@]}"; do
		echo "== $c (run $rep/$REPS)"
		run_config "$c"
	done
done
nsl_unqueue

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A MPPS MP50 MP99
for n in "${CONFIGS[@]}"; do
	MPPS[$n]=$(median <<<"${PPS[$n]:-}")
	MP50[$n]=$(median <<<"${P50[$n]:-}")
	MP99[$n]=$(median <<<"${P99[$n]:-}")
done

echo
echo "inline path, $(nproc) cores shared by client, gateway and server (load now: $(cut -d' ' -f1-3 /proc/loadavg));"
echo "UDP payload $SIZE bytes, window $WINDOW x 8 flows, ${RATE_S}s per rate run, $PINGS pings; median of $REPS interleaved runs"
printf '%-12s %14s %9s %9s   %s\n' config forwarded_pps p50_us p99_us "each run: pps | ping lost/flood refills"
for n in "${CONFIGS[@]}"; do
	printf '%-12s %14s %9s %9s   %s| %s\n' "$n" "${MPPS[$n]}" "${MP50[$n]}" "${MP99[$n]}" "${PPS[$n]:-}" "${NOTE[$n]:-}"
done
for nq in 1 2; do
	s=sidewall-$nq
	o=noop-$nq
	if [ -n "${MPPS[$s]:-}" ] && [ -n "${MPPS[$o]:-}" ]; then
		awk -v s="${MPPS[$s]}" -v o="${MPPS[$o]}" -v a="${MP50[$s]}" -v b="${MP50[$o]}" -v c="${MP99[$s]}" -v d="${MP99[$o]}" -v n="$nq" \
			'BEGIN { printf "sidewall-%d vs noop-%d: packet rate %.1f%% of the no-op consumer; p50 %+.1f us, p99 %+.1f us\n", n, n, 100 * s / o, a - b, c - d }'
	fi
done
if [ -n "${MPPS[plain]:-}" ] && [ -n "${MPPS[noop-1]:-}" ]; then
	awk -v p="${MPPS[plain]}" -v o="${MPPS[noop-1]}" -v a="${MP50[plain]}" -v b="${MP50[noop-1]}" \
		'BEGIN { printf "noop-1 vs plain forwarding: %.1f%% of the rate; NFQUEUE round trip adds %+.1f us at p50\n", 100 * o / p, b - a }'
fi
