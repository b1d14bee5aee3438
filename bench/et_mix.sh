#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real traffic, real rules (not a test): ../shared/corpus/public-mix.pcap
# through sidewall with the Emerging Threats Open rules of
# ../shared/corpus/etopen-2025-07/, twice per thread count:
#   all  - every ET rule file as shipped (what loads loads; -T counts the rest)
#   l4   - only the rules sidewall could load before the application layer:
#          header protocol ip/tcp/udp/icmp/tcp-pkt/tcp-stream and no
#          application buffer keyword (the same filter the old parser applied
#          by rejecting them)
#   nodt - every rule file, DNS and TLS parsing off (app-layer.protocols.dns/tls
#          enabled: no): the cost and the yield of those two parsers
# and prints, per run: rules loaded, alerts, dns and tls records, the
# whole-run wall time (rule compilation included), throughput over the
# capture's bytes, peak RSS, and the alerts per sid (BENCH_SIDS=1; BENCH_DIFF=1
# prints the sids whose count differs between all and nodt).  Skips cleanly
# without ../shared.
#
#   bench/et_mix.sh [BUILD_DIR] [THREADS...]      default: build/release, 1 and 2
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/release}
shift || true
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
corpus=../shared/corpus
cap=$corpus/public-mix.pcap
et=$corpus/etopen-2025-07
if [ ! -s "$cap" ] || [ ! -d "$et" ]; then
  echo "et_mix: $corpus not found: skipped"
  exit 0
fi
sw=$dir/sidewall
[ -x "$sw" ] || { echo "et_mix: $sw not built" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The built-in configuration (= etc/sidewall.yaml) defines ET's variables.
/usr/bin/python3 - "$et" "$work" <<'EOF'
import glob, os, re, sys
et, work = sys.argv[1], sys.argv[2]
l4 = ("ip", "tcp", "udp", "icmp", "tcp-pkt", "tcp-stream")
appkw = re.compile(r"(^|;)\s*(http[._][a-z_.]*|file[._]data|uricontent|urilen|dns[._][a-z_.]*|tls[._][a-z_.]*|"
                   r"ja3[._][a-z_.]*|ja3s[._][a-z_.]*|ssh[._][a-z_.]*|dotprefix|pkt_data)\s*[:;]")
n = 0
with open(os.path.join(work, "l4.rules"), "w") as out:
    for f in sorted(glob.glob(os.path.join(et, "*.rules"))):
        for line in open(f, errors="replace"):
            s = line.strip()
            if not re.match(r"^(alert|drop|reject|pass)\s", s):
                continue
            body = s[s.find("(") + 1:s.rfind(")")]
            if s.split()[1] in l4 and not appkw.search(body):
                out.write(s + "\n")
                n += 1
print("et_mix: %d L4-only rules" % n, file=sys.stderr)
EOF
all_args=()
for f in "$et"/*.rules; do all_args+=(-S "$f"); done
bytes=$(stat -c %s "$cap")
echo "== capture $(basename "$cap"): $((bytes / 1000000)) MB; $(nproc) cores"
run() {
  local label=$1 t=$2; shift 2
  local out=$work/out-$label-$t
  mkdir -p "$out"
  local loaded
  # -T exits non-zero when any rule is rejected: only its count matters here
  loaded=$("$sw" -T "$@" 2>&1 | sed -n 's/^rules: \([0-9]*\) loaded.*/\1/p' || true)
  /usr/bin/time -f '%e %M' -o "$out/time" "$sw" -r "$cap" -l "$out" --threads "$t" "$@" \
    >"$out/stdout" 2>"$out/stderr" || { echo "$label t=$t: sidewall failed:"; tail -5 "$out/stderr"; return 1; }
  read -r secs kb <"$out/time"
  local alerts dns tls
  alerts=$(grep -c '"event_type":"alert"' "$out/eve.json" || true)
  dns=$(grep -c '"event_type":"dns"' "$out/eve.json" || true)
  tls=$(grep -c '"event_type":"tls"' "$out/eve.json" || true)
  awk -v l="$label" -v t="$t" -v r="$loaded" -v a="$alerts" -v s="$secs" -v b="$bytes" -v kb="$kb" -v d="$dns" \
    -v x="$tls" 'BEGIN {
    printf "%-4s threads=%s rules=%-6s alerts=%-6s dns=%-5s tls=%-5s time=%6.2f s  %7.1f Mbit/s  peak RSS %5.0f MB\n",
      l, t, r, a, d, x, s, b * 8 / s / 1e6, kb / 1024 }'
  jq -r 'select(.event_type=="alert") | .alert.signature_id' "$out/eve.json" | sort | uniq -c >"$work/sids-$label-$t"
  if [ -n "${BENCH_SIDS:-}" ]; then
    jq -r 'select(.event_type=="alert") | "\(.alert.signature_id) \(.alert.signature)"' "$out/eve.json" |
      sort | uniq -c | sort -rn | sed 's/^/      /'
  fi
}
printf 'app-layer:\n  protocols:\n    dns:\n      enabled: no\n    tls:\n      enabled: no\n' >"$work/nodt.yaml"
for t in "${threads[@]}"; do
  run l4 "$t" -S "$work/l4.rules"
  run all "$t" "${all_args[@]}"
  run nodt "$t" -c "$work/nodt.yaml" "${all_args[@]}"
  if [ -n "${BENCH_DIFF:-}" ]; then
    echo "   sids whose alert count differs (count: all -> nodt):"
    join -1 2 -2 2 -a 1 -a 2 -e 0 -o 0,1.1,2.1 <(sort -k2,2 "$work/sids-all-$t") <(sort -k2,2 "$work/sids-nodt-$t") |
      awk '$2 != $3 { printf "      %s: %s -> %s\n", $1, $2, $3 }'
  fi
done
