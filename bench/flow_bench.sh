#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Flow-logging benchmark (issue 5, not a test): sidewall with one rule that
# never matches (an empty ruleset is refused: "no rules loaded") on
#  1. the benchmark mix capture (bench/gen_mix.py): flows/s and packets/s
#     with 1 thread and with all threads (best of BENCH_REPEAT runs, wall time
#     of the whole run including startup);
#  2. captures of N concurrent TCP sessions (bench/flow_bench.py
#     gen-concurrent) for N = 10k and 100k: peak RSS (VmHWM) of each, and
#     memory per active flow = (HWM(100k) - HWM(10k)) / 90k, with the
#     default stream window and with none; and the preallocated cost of a
#     flow slot (two flow.memcap values on a tiny capture).
#
#   bench/flow_bench.sh                       Release build in build-passive-rel
#   BUILD_DIR=build-x BENCH_DIR=/tmp/fb BENCH_MB=100 BENCH_REPEAT=3 bench/flow_bench.sh
#   (BENCH_NO_BUILD=1 with BUILD_DIR: use the binary already there;
#    BENCH_MIX=path: use an existing mix capture)
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
dir=${BUILD_DIR:-build-passive-rel}
data=${BENCH_DIR:-$dir/flowbench}
rep=${BENCH_REPEAT:-3}
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$dir" -j2 --target sidewall >/dev/null
fi
sw=$dir/sidewall
mkdir -p "$data"
rules=$data/never.rules
echo 'alert tcp any any -> any any (msg:"never"; content:"|de ad be ef 00 11 22 33|"; sid:1;)' >"$rules"
mix=${BENCH_MIX:-$data/mix.pcap}
if [ ! -s "$mix" ]; then
  echo "== generating $mix (${BENCH_MB:-100} MB)"
  $py bench/gen_mix.py "$mix.tmp" --mb "${BENCH_MB:-100}" && mv "$mix.tmp.info" "$mix.info" && mv "$mix.tmp" "$mix"
fi
[ -s "$mix.info" ] && echo "   traffic: $(cat "$mix.info")"
tiny=tests/fixtures/pcap/basic.pcap
echo "== throughput, one never-matching rule (best of $rep, whole run)"
$py bench/flow_bench.py run "mix, 1 thread" "$mix" --sidewall "$sw" --rules "$rules" --threads 1 --repeat "$rep" --logdir "$data/log" --startup "$tiny"
$py bench/flow_bench.py run "mix, $(nproc) threads" "$mix" --sidewall "$sw" --rules "$rules" --threads "$(nproc)" --repeat "$rep" --logdir "$data/log" --startup "$tiny"

echo "== memory per active flow (N concurrent TCP sessions, 1 thread)"
out=$data/mem.txt
: >"$out"
for n in 10000 100000; do
  cap=$data/concurrent-$n.pcap
  [ -s "$cap" ] || $py bench/flow_bench.py gen-concurrent "$cap.tmp" "$n" >/dev/null && { [ -s "$cap" ] || mv "$cap.tmp" "$cap"; }
  $py bench/flow_bench.py run "concurrent $n" "$cap" --sidewall "$sw" --rules "$rules" --threads 1 --repeat 1 --logdir "$data/log" | tee -a "$out"
done
# The same without stream tails (stream.reassembly.window: 0): the flow
# table alone.
printf '%%YAML 1.1\n---\nstream:\n  reassembly:\n    window: 0\n' >"$data/window0.yaml"
for n in 10000 100000; do
  $py bench/flow_bench.py run "concurrent $n window 0" "$data/concurrent-$n.pcap" --sidewall "$sw" --rules "$rules" --threads 1 --repeat 1 --logdir "$data/log" --config "$data/window0.yaml" | tee -a "$out"
done
# Slots are preallocated (flow.memcap / 512 = max flows): what one slot costs
# with nothing active, from two memcaps on the same tiny capture.
printf '%%YAML 1.1\n---\nflow:\n  memcap: 16mb\n' >"$data/memcap16.yaml"
$py bench/flow_bench.py run "idle, memcap 128mb" "$tiny" --sidewall "$sw" --rules "$rules" --threads 1 --repeat 1 --logdir "$data/log" | tee -a "$out"
$py bench/flow_bench.py run "idle, memcap 16mb" "$tiny" --sidewall "$sw" --rules "$rules" --threads 1 --repeat 1 --logdir "$data/log" --config "$data/memcap16.yaml" | tee -a "$out"
$py - "$out" <<'PY'
import re, sys
hwm = {}
for line in open(sys.argv[1]):
    m = re.match(r"concurrent (\d+)( window 0)?\s.*VmHWM ([\d.]+) MB", line)
    if m:
        hwm[(int(m.group(1)), bool(m.group(2)))] = float(m.group(3))
for w0, what in ((False, "default stream window 2048"), (True, "stream window 0")):
    a, b = hwm.get((10000, w0)), hwm.get((100000, w0))
    if a and b:
        print("memory per active flow, %s: %.0f bytes  (VmHWM %.1f MB at 10k, %.1f MB at 100k)" %
              (what, (b - a) * 1024 * 1024 / 90000, a, b))
i = {}
for line in open(sys.argv[1]):
    m = re.match(r"idle, memcap (\d+)mb\s.*VmHWM ([\d.]+) MB", line)
    if m:
        i[int(m.group(1))] = float(m.group(2))
if 128 in i and 16 in i:
    print("preallocated cost per flow slot (idle): %.0f bytes  (VmHWM %.1f MB with 262144 slots, %.1f MB with 32768)" %
          ((i[128] - i[16]) * 1024 * 1024 / (262144 - 32768), i[128], i[16]))
PY
