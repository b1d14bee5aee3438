#!/usr/bin/env bash
# The README's first command: install, build, and run sidewall's main job on
# the bundled capture with the built-in default config and shipped rules.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
dir=$(./scripts/build.sh Release | tail -n 1)
out=build/demo
rm -rf "$out" && mkdir -p "$out"
echo "== $dir/sidewall -r etc/demo.pcap -l $out   (built-in config, rules/default.rules)"
"$dir/sidewall" -r etc/demo.pcap -l "$out"
echo
echo "== alerts ($out/eve.json)"
jq -r 'select(.event_type=="alert") | "\(.timestamp)  [\(.alert.gid):\(.alert.signature_id):\(.alert.rev)] \(.alert.signature)  \(.src_ip)\(if .src_port then ":\(.src_port)" else "" end) -> \(.dest_ip)\(if .dest_port then ":\(.dest_port)" else "" end) \(.proto)"' "$out/eve.json"
echo
echo "== flows"
jq -r 'select(.event_type=="flow") | "\(.proto) \(.src_ip)\(if .src_port then ":\(.src_port)" else "" end) -> \(.dest_ip)\(if .dest_port then ":\(.dest_port)" else "" end)  \(.app_proto // "-")  pkts \(.flow.pkts_toserver)/\(.flow.pkts_toclient) bytes \(.flow.bytes_toserver)/\(.flow.bytes_toclient) \(.flow.state) \(.flow.reason) alerted=\(.flow.alerted)"' "$out/eve.json"
echo
echo "== http transactions"
jq -r 'select(.event_type=="http") | "\(.src_ip) -> \(.dest_ip):\(.dest_port)  \(.http.http_method // "-") \(.http.hostname // "-")\(.http.url // "")  \(.http.status // "-")  \(.http.http_user_agent // "")"' "$out/eve.json"
echo
echo "== totals: $(jq -s '[.[]|select(.event_type=="alert")]|length' "$out/eve.json") alerts, $(jq -s '[.[]|select(.event_type=="flow")]|length' "$out/eve.json") flows"
