#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): blocks applied through sidewall-enforcer from one
# sensor over the authenticated channel, inside a network namespace made
# here (loopback only): one request at a time (W=1), and pipelined in
# batches of W requests (the enforcer applies what arrives together in one
# transaction and one fsync; the client reads answers while it writes, so a
# batch of any depth up to SW_ENF_PIPELINE_MAX is in flight at once): W=256
# is the old depth, 8192 the sensor's now (SW_ENFORCE_BATCH_MAX).  Reports
# blocks/s and the request -> kernel-element latency (the answer is sent
# after the netlink ACK and the journal fsync, so it bounds the time to the
# kernel element).  Also the raw nft/ rates (no daemon) for comparison.
# Then `sidewall-enforcer import` of a file of N CIDRs (FireHOL-style, with
# comments) through the control socket.
# Usage: bench/enforcer_bench.sh BUILD_DIR [N...]   (default N: 10000 100000)
# ENF_WINDOWS="1 256 8192" (W values; W=0: one at a time as one-request
# pipelines, the sensor's path for a lone alert); W <= 1 runs only for
# N <= ENF_SERIAL_MAX (default 10000: one transaction per request slows as
# the set grows).
# ENF_RAW=0 / ENF_IMPORT=0 leave out the raw nft/ rates / the import.
# ENF_TMP=/dev/shm puts the journal on tmpfs: its fsync, which dominates
# one-at-a-time runs on a shared disk, out of the figures.
# The load average is printed before each daemon run: figures from a
# shared machine mean little without it.
set -euo pipefail
B=${1:?usage: enforcer_bench.sh BUILD_DIR [N...]}
shift
COUNTS=("${@:-10000 100000}")
WINDOWS=${ENF_WINDOWS:-1 256 8192}
RAW=${ENF_RAW:-1}
IMPORT=${ENF_IMPORT:-1}
SERIAL_MAX=${ENF_SERIAL_MAX:-10000}
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 1; }
NS=swe-bench-$$
D=$(mktemp -d "${ENF_TMP:-/tmp}/swe-bench.XXXXXX")
PID=
cleanup() {
	set +e
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$D"
}
trap cleanup EXIT
trap "exit 1" INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }
"$B/sidewall-enforcer" genkey >"$D/enf.key"
"$B/sidewall-enforcer" pubkey <"$D/enf.key" >"$D/enf.pub"
"$B/sidewall-enforcer" genkey >"$D/s.key"
cat >"$D/cfg.yaml" <<CFG
listen: 127.0.0.1
port: 7447
private_key_file: $D/enf.key
sensors:
  - name: bench
    public_key: $("$B/sidewall-enforcer" pubkey <"$D/s.key")
max_ttl: 3600
max_elements: 1000000
rate_limit: 1000000
rate_burst: 1000000
journal: $D/journal
control_socket: $D/ctl.sock
CFG
[ "$RAW" = 0 ] || echo "== raw nft/ batches (no daemon, no journal):"
for n in ${COUNTS[@]}; do
	[ "$RAW" = 0 ] && break
	X "$B/sw_nft_roottest" destroy
	X "$B/sw_nft_roottest" setup
	X "$B/sw_nft_roottest" bulk "$n"
	X "$B/sw_nft_roottest" destroy
	X "$B/sw_nft_roottest" setup
	X "$B/sw_nft_roottest" bulkc "$n" 512
	X "$B/sw_nft_roottest" destroy
	X "$B/sw_nft_roottest" setup
	X "$B/sw_nft_roottest" bulkc "$n" 0
done
[ "$RAW" = 0 ] || X "$B/sw_nft_roottest" destroy
echo "== through sidewall-enforcer (journal on $(df --output=fstype "$D" | tail -1)):"
base=0
for n in ${COUNTS[@]}; do
	for w in $WINDOWS; do
		if [ "$w" -le 1 ] && [ "$n" -gt "$SERIAL_MAX" ]; then
			echo "($n blocks one at a time skipped: ENF_SERIAL_MAX=$SERIAL_MAX)"
			continue
		fi
		# ip netns exec execs: $! is the daemon itself (X would fork a subshell)
		ip netns exec "$NS" "$B/sidewall-enforcer" -c "$D/cfg.yaml" run 2>>"$D/log" &
		PID=$!
		for _ in $(seq 1 50); do [ -S "$D/ctl.sock" ] && break; sleep 0.1; done
		echo "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
		X "$B/sw_enf_testclient" -H 127.0.0.1 -p 7447 -k "$D/s.key" -e "$D/enf.pub" bench "$n" "$base" "$w"
		X "$B/sidewall-enforcer" -s "$D/ctl.sock" stats | grep -E '^(accepted|refused|transactions|live) ' | tr '\n' ' '
		echo
		kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
		X nft delete table inet sidewall
		rm -f "$D/journal"
		base=$((base + n))
	done
done
[ "$IMPORT" = 0 ] || echo "== import FILE through the control socket (journal on $(df --output=fstype "$D" | tail -1)):"
for n in ${COUNTS[@]}; do
	[ "$IMPORT" = 0 ] && break
	python3 - "$n" >"$D/list.netset" <<'PY'
import sys
n = int(sys.argv[1])
print("#\n# bench list: %d addresses, FireHOL netset style\n#" % n)
for i in range(n):
    print("10.%d.%d.%d" % (100 + (i >> 16), (i >> 8) & 255, i & 255))
PY
	ip netns exec "$NS" "$B/sidewall-enforcer" -c "$D/cfg.yaml" run 2>>"$D/log" &
	PID=$!
	for _ in $(seq 1 50); do [ -S "$D/ctl.sock" ] && break; sleep 0.1; done
	t0=$(date +%s.%N)
	X "$B/sidewall-enforcer" -s "$D/ctl.sock" import "$D/list.netset" 3600 | sed -n 1p
	t1=$(date +%s.%N)
	echo "import $n lines: $(python3 -c "print('%.3f' % ($t1 - $t0))") s for the whole command (client start to answer)"
	X "$B/sidewall-enforcer" -s "$D/ctl.sock" stats | grep -E '^(accepted|refused|transactions|live) ' | tr '\n' ' '
	echo
	kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
	X nft delete table inet sidewall
	rm -f "$D/journal"
done
