#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): sidewall-enforcer as a CrowdSec bouncer taking N
# ban decisions from the real CrowdSec Local API (Debian's crowdsec) at
# start-up, inside a network namespace made here (loopback only).
# The decisions are loaded with `cscli decisions import` (crowdsec's own
# bulk path, through the LAPI: POST /v1/alerts, counted in the output;
# origin "cscli-import", so the enforcer's config sets no `origins:`).
# Prints: the import time; the LAPI's start-up stream (startup=true) for a
# second bouncer, fetched with curl (time and size: what the enforcer has
# to wait for); then BENCH_ROUNDS (3) first starts of the enforcer (no
# table, no journal) and one restart (journal restored, the answer repeats
# it): the wall time from its start to the tally of its start-up pull in
# its log, the tally itself (the time from the answer's arrival to the
# elements in the kernel, the fetch and parse times), crowdsec_applied and
# the number of elements of block4.
# Usage: bench/crowdsec_bench.sh BUILD_DIR [N]   (default N: 100000)
# BENCH_ROUNDS=3 first starts; BENCH_PERF=1 profiles each start with perf.
set -euo pipefail
B=${1:?usage: crowdsec_bench.sh BUILD_DIR [N]}
N=${2:-100000}
ENF=$B/sidewall-enforcer
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 1; }
for tool in crowdsec cscli curl python3 jq nft ip; do
	command -v $tool >/dev/null || { echo "$tool missing" >&2; exit 1; }
done
NS=swe-csbench-$$
D=$(mktemp -d /tmp/swe-csbench.XXXXXX)
PORT=8081
ENF_PID=
CS_PID=
cleanup() {
	set +e
	[ -n "$ENF_PID" ] && kill "$ENF_PID" 2>/dev/null && wait "$ENF_PID" 2>/dev/null
	[ -n "$CS_PID" ] && kill "$CS_PID" 2>/dev/null && wait "$CS_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
trap "exit 1" INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }

. "$(dirname "$0")/../tests/e2e/crowdsec/lapi.sh" # cs_files, cs_config: the e2e test's LAPI
cs_files "$D/cs"
cs_config "$D/cs" $PORT "$D/cs/lapi_credentials.yaml" >"$D/cs/config.yaml"
CS=(cscli -c "$D/cs/config.yaml" --color no)
X "${CS[@]}" machines add bench --auto -f "$D/cs/lapi_credentials.yaml" \
	--url "http://127.0.0.1:$PORT" >>"$D/cs.log" 2>&1
X "${CS[@]}" bouncers add sidewall -o raw >"$D/bouncer.key" 2>>"$D/cs.log"
probe_key=$(X "${CS[@]}" bouncers add probe -o raw 2>>"$D/cs.log")
ip netns exec "$NS" crowdsec -c "$D/cs/config.yaml" -no-cs -no-capi >>"$D/cs.log" 2>&1 & # not X(): $! must be crowdsec
CS_PID=$!
for _ in $(seq 1 150); do
	X bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null && break
	sleep 0.1
done

# N distinct addresses of 10.0.0.0/8, in a CSV as cscli decisions import takes it
python3 - "$N" >"$D/decisions.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("duration,scope,value,reason,type")
for i in range(n):
    print("24h,ip,10.%d.%d.%d,bench,ban" % ((i >> 16) & 255, (i >> 8) & 255, i & 255))
PY
t=$(now)
X "${CS[@]}" decisions import -i "$D/decisions.csv" >>"$D/cs.log" 2>&1
echo "cscli decisions import of $N decisions: $(since "$t") s ($(grep -c 'POST /v1/alerts' "$D/cs.log" || true) POST /v1/alerts)"

# what the LAPI takes to answer a start-up stream of N decisions
curl_s=$(X curl -s -o "$D/stream.json" -w '%{time_total} %{time_starttransfer} %{size_download}' \
	-H "X-Api-Key: $probe_key" "http://127.0.0.1:$PORT/v1/decisions/stream?startup=true")
read -r curl_total curl_first curl_size <<<"$curl_s"
echo "LAPI start-up stream (curl, another bouncer): $curl_total s, first byte at $curl_first s, $curl_size bytes"
python3 -c 'import json, sys; print("  it lists %d new decisions" % len(json.load(open(sys.argv[1]))["new"] or []))' "$D/stream.json"

"$ENF" genkey >"$D/enf.key"
"$ENF" genkey >"$D/s.key"
cat >"$D/enforcer.yaml" <<CFG
listen: 127.0.0.1
port: 7447
private_key_file: $D/enf.key
sensors:
  - name: s
    public_key: $("$ENF" pubkey <"$D/s.key")
never_block: [127.0.0.0/8]
max_ttl: 172800
default_ttl: 600
max_elements: $((N + 1000))
hooks: [input]
journal: $D/journal
control_socket: $D/ctl.sock
crowdsec:
  url: http://127.0.0.1:$PORT/
  api_key_file: $D/bouncer.key
  poll_interval: 1
CFG
stat() { awk -v k="$1" '$1 == k { print $2 }' <<<"$(X "$ENF" -s "$D/ctl.sock" stats 2>/dev/null)"; }
count() {
	X nft -j list set inet sidewall block4 | jq '[.nftables[] | .set? // empty | .elem[]?] | length'
}
# run_enf WHAT: start the enforcer, wait for its start-up pull's tally in the
# log (60 s at most), print it and the wall time from the start, stop it
run_enf() {
	local t lines tally
	lines=$(wc -l <"$D/enf.log")
	t=$(now)
	ip netns exec "$NS" "$ENF" -c "$D/enforcer.yaml" run 2>>"$D/enf.log" &
	ENF_PID=$!
	local perf_pid=
	if [ -n "${BENCH_PERF:-}" ]; then
		perf record -q -g -p "$ENF_PID" -o "$D/perf.data" 2>/dev/null &
		perf_pid=$!
	fi
	for _ in $(seq 1 1200); do
		tally=$(tail -n +$((lines + 1)) "$D/enf.log" | grep 'crowdsec: start-up pull:' || true)
		[ -n "$tally" ] && break
		kill -0 "$ENF_PID" 2>/dev/null || { echo "the enforcer exited" >&2; tail -n 20 "$D/enf.log" >&2; exit 1; }
		sleep 0.05
	done
	local wall applied
	wall=$(since "$t")
	applied=$(stat crowdsec_applied)
	echo "$1:"
	echo "  start -> start-up tally logged: $wall s wall (polled every 50 ms); crowdsec_applied ${applied:-?}; block4 holds $(count)"
	echo "  log: ${tally#*crowdsec: }"
	sed -nE 's/.*in the kernel ([0-9.]+) s after the answer \(([0-9]+) bytes, fetched in ([0-9.]+) s, parsed in ([0-9.]+) s\).*/  => answer -> kernel \1 s (target 1.5 s for 100,000); fetch \3 s, parse \4 s, \2 bytes/p' <<<"$tally"
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
		echo "  perf (the enforcer's threads, from its start to the tally), top 25 by self time:"
		perf report -i "$D/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
			grep -E '^ +[0-9.]+%' | head -n 25 | sed 's/^/    /'
	fi
	kill "$ENF_PID"; wait "$ENF_PID" 2>/dev/null || true; ENF_PID=
}
: >"$D/enf.log"
uptime
for r in $(seq 1 "${BENCH_ROUNDS:-3}"); do
	rm -f "$D/journal"*
	X nft delete table inet sidewall 2>/dev/null || true
	run_enf "round $r: a first start (no table, no journal), $N decisions"
done
run_enf "a restart: the $N blocks restored from the journal, the start-up answer repeats them"
