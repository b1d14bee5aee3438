#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Live capture under load (issue 11 item 2; not a test: it prints figures).
# In a network namespace of its own, sidewall -i captures one end of a veth
# pair while a Python sender pushes UDP datagrams (200 bytes, 8 destination
# addresses so both workers get traffic) into the other end at RATE packets
# a second for 5 s.  Prints what was sent, what sidewall saw and the
# kernel's drop counter.  Low rates exercise the workers' sleep and wake-up
# on every burst; RATE=10000000 sends as fast as Python can.
#
#   bench/live_load.sh [BUILD_DIR]    (root; default build/release)
#   env: RATE (20000), THREADS (2)
#
# snaplen 2048 and a 32 MB buffer: with the defaults (snaplen 262144, the
# 2 MB libpcap buffer) the capture ring holds a handful of frames and a burst
# overflows it before sidewall sees it, whatever its speed.  ET Open rules
# from ../shared/corpus when present, else rules/default.rules.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build/release}
SW=$B/sidewall
RATE=${RATE:-20000}
THREADS=${THREADS:-2}
[ "$(id -u)" -eq 0 ] || { echo "live_load: needs root (network namespaces)"; exit 77; }
[ -x "$SW" ] || { echo "live_load: $SW not built" >&2; exit 1; }

NS="swload-$$-$RANDOM"
TMP=$(mktemp -d /tmp/sw-load.XXXXXX)
cleanup() {
	local pids
	pids=$(ip netns pids "$NS" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nsx() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || { echo "live_load: cannot create a namespace"; exit 1; }
nsx ip link add swload0 type veth peer name swload1 || exit 1
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1
nsx ip link set lo up
nsx ip link set swload0 up
nsx ip link set swload1 up
nsx ip addr add 10.99.0.1/24 dev swload0
# Static neighbours: the datagrams leave without ARP; nothing answers them.
for d in 2 3 4 5 6 7 8 9; do nsx ip neigh add 10.99.0.$d lladdr 02:00:00:00:00:0$d dev swload0; done

rules=()
et=$SRC/../shared/corpus/etopen-2025-07
if [ -d "$et" ]; then
	for f in "$et"/*.rules; do rules+=(-S "$f"); done
else
	rules=(-S "$SRC/rules/default.rules")
fi
printf 'capture:\n  pcap:\n    interfaces: [swload1]\n    snaplen: 2048\n    buffer-size: 32mb\n' >"$TMP/cap.yaml"
# ip netns exec directly, not nsx: a backgrounded function is a subshell and $!
# would not be sidewall's PID.
ip netns exec "$NS" "$SW" -i swload1 -c "$TMP/cap.yaml" "${rules[@]}" -l "$TMP" --threads "$THREADS" -k none 2>"$TMP/err" &
pid=$!
for ((i = 0; i < 300; i++)); do
	grep -q "capturing on" "$TMP/err" && break
	sleep 0.1
done
grep -q "capturing on" "$TMP/err" || { echo "live_load: sidewall did not start:"; cat "$TMP/err"; exit 1; }
sleep 2
sent=$(RATE=$RATE nsx python3 - <<'PY'
import os, socket, time
rate = int(os.environ["RATE"])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n, t0, payload = 0, time.time(), b"x" * 200
while time.time() < t0 + 5:
    for d in range(2, 10):
        for p in range(1000, 1008):
            s.sendto(payload, ("10.99.0.%d" % d, p))
            n += 1
    ahead = n / rate - (time.time() - t0)
    if ahead > 0:
        time.sleep(ahead)
print(n)
PY
)
sleep 2
kill -INT "$pid"
wait "$pid" 2>/dev/null
seen=$(sed -n 's/^sidewall: \([0-9]*\) packets.*/\1/p' "$TMP/err")
drops=$(jq -r 'select(.event_type=="stats") | .stats.capture.kernel_drops' "$TMP/eve.json" | tail -1)
echo "live_load: $SW --threads $THREADS, rate $RATE/s: sent $sent ($((sent / 5))/s), seen $seen, kernel drops $drops"
