#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Throughput benchmark (issue 2, not a test).  Builds Release, generates the
# synthetic mixed capture and the rulesets if missing, then prints sidewall's
# throughput (Mbit/s and packets/s over wire bytes, wall time of the whole run
# including rule compilation) and peak RSS with 1 thread and all threads, on
# content rules alone and on content + IP-reputation rules, the Hyperscan
# ceiling (bench/hs_ceiling.c) and the ratios.
#
#   bench/run.sh                 build in build/release, data in build/bench
#   BUILD_DIR=build-x BENCH_DIR=/tmp/b BENCH_MB=120 BENCH_REPEAT=3 bench/run.sh
#   (BENCH_NO_BUILD=1 with BUILD_DIR: use the binaries already there)
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
mb=${BENCH_MB:-300}
data=${BENCH_DIR:-build/bench}
if [ -n "${BUILD_DIR:-}" ] && [ -n "${BENCH_NO_BUILD:-}" ]; then
  dir=$BUILD_DIR
elif [ -n "${BUILD_DIR:-}" ]; then
  dir=$BUILD_DIR
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$dir" -j2 --target sidewall hs_ceiling >/dev/null
else
  dir=$(./scripts/build.sh Release | tail -n 1)
fi
sw=$dir/sidewall
mkdir -p "$data"
cap=$data/mix.pcap
if [ ! -s "$cap" ]; then
  echo "== generating $cap (${mb} MB)"
  t0=$SECONDS
  $py bench/gen_mix.py "$cap.tmp" --mb "$mb" && mv "$cap.tmp.info" "$cap.info" && mv "$cap.tmp" "$cap"
  echo "   generated in $((SECONDS - t0)) s"
fi
if [ ! -s "$data/content.rules" ] || [ ! -s "$data/iprep.rules" ] || [ ! -s "$data/literals.txt" ]; then
  $py bench/gen_rules.py "$data"
fi
threads=$(nproc)
echo "== capture: $(ls -l "$cap" | awk '{printf "%.1f MB", $5/1e6}'), rules: $(grep -c '^alert' "$data/content.rules") content, $(grep -c '^alert' "$data/iprep.rules") IP-reputation (50 addresses each)"
"$sw" -T -S "$data/content.rules" -S "$data/iprep.rules" | tail -n 1
[ -s "$cap.info" ] && echo "   traffic: $(cat "$cap.info")  (content-rule alerts should equal markers; flows equal sessions)"

results=$data/results.txt
: >"$results"
run() { # label threads rules...
  local label=$1 n=$2; shift 2
  local args=() r
  for r in "$@"; do args+=(-S "$r"); done
  local log=$data/log-$(echo "$label" | tr -c 'a-z0-9\n' '_')
  rm -rf "$log" && mkdir -p "$log"
  $py bench/measure.py "$label" "$cap" --repeat "${BENCH_REPEAT:-5}" --startup tests/fixtures/pcap/basic.pcap --logdir "$log" -- "$sw" -r "$cap" "${args[@]}" -l "$log" --threads "$n" | tee -a "$results"
  echo "      alerts: $(grep -c '"event_type":"alert"' "$log/eve.json" || true), flows: $(grep -c '"event_type":"flow"' "$log/eve.json" || true)"
}
echo "== sidewall (best of ${BENCH_REPEAT:-5}; whole run, then net of startup = the same run on a tiny capture)"
run "content, 1 thread" 1 "$data/content.rules"
run "content+iprep, 1 thread" 1 "$data/content.rules" "$data/iprep.rules"
if [ "$threads" -gt 1 ]; then
  run "content, $threads threads" "$threads" "$data/content.rules"
  run "content+iprep, $threads threads" "$threads" "$data/content.rules" "$data/iprep.rules"
fi
echo "== ceiling: plain hs_scan of the same payloads with the same literals (1 thread)"
"$dir/hs_ceiling" "$cap" "$data/literals.txt" 5 | tee -a "$results"

$py - "$results" <<'PY'
import re, sys
rows = {}
ceil = None
for line in open(sys.argv[1]):
    m = re.match(r"^(.*?)\s+[\d.]+ s\s+(\d+) Mbit/s\s+(\d+) pkt/s.*net\s+(\d+) Mbit/s\s+(\d+) pkt/s", line)
    if m:
        rows[m.group(1).strip()] = (int(m.group(4)), int(m.group(5)), int(m.group(2)))
    m = re.search(r"(\d+) Mbit/s wire", line)
    if line.startswith("ceiling") and m:
        ceil = int(m.group(1))
print("== summary (net of startup; whole-run Mbit/s in brackets)")
for k, (mbps, pps, whole) in rows.items():
    extra = "  %.1f%% of the ceiling" % (100.0 * mbps / ceil) if ceil and "1 thread" in k else ""
    print("%-30s %6d Mbit/s %8d pkt/s  [%d]%s" % (k, mbps, pps, whole, extra))
for n in sorted({k.split(", ")[1] for k in rows}):
    a, b = rows.get("content, " + n), rows.get("content+iprep, " + n)
    if a and b:
        print("IP-list cost, %s: %.1f%% of throughput" % (n, 100.0 * (a[0] - b[0]) / a[0]))
PY
