#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): sidewall-enforcer as a CrowdSec bouncer taking N
# ban decisions from the real CrowdSec Local API (Debian's crowdsec) at
# start-up, inside a network namespace made here (loopback only).
# The decisions are loaded with `cscli decisions import` (crowdsec's own
# bulk path: one alert carrying the N decisions, POST /v1/alerts; origin
# "cscli-import"), so the enforcer's config sets no `origins:`.
# Prints: the import time; the LAPI's start-up stream (startup=true) for a
# second bouncer, fetched with curl (time and size: what the enforcer has
# to wait for); then, for the enforcer, what its log says about the pull
# (the time from the response to the elements being in the kernel) and the
# wall time from starting the enforcer to crowdsec_applied reaching N, and
# a check that the kernel's block4 holds the N elements.
# Usage: bench/crowdsec_bench.sh BUILD_DIR [N]   (default N: 100000)
set -euo pipefail
B=${1:?usage: crowdsec_bench.sh BUILD_DIR [N]}
N=${2:-100000}
ENF=$B/sidewall-enforcer
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 1; }
for tool in crowdsec cscli curl python3 nft ip; do
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

mkdir -p "$D/cs/data" "$D/cs/hub"
cat >"$D/cs/config.yaml" <<CFG
common:
  daemonize: false
  log_media: stdout
  log_level: info
  working_dir: $D/cs
config_paths:
  config_dir: $D/cs/
  data_dir: $D/cs/data/
  simulation_path: $D/cs/simulation.yaml
  hub_dir: $D/cs/hub/
  index_path: $D/cs/hub/.index.json
  notification_dir: $D/cs/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: $D/cs/acquis.yaml
db_config:
  log_level: info
  type: sqlite
  db_path: $D/cs/data/crowdsec.db
  use_wal: true
api:
  client:
    credentials_path: $D/cs/lapi_credentials.yaml
  server:
    log_level: info
    listen_uri: 127.0.0.1:$PORT
    profiles_path: $D/cs/profiles.yaml
prometheus:
  enabled: false
CFG
echo "simulation: off" >"$D/cs/simulation.yaml"
cat >"$D/cs/profiles.yaml" <<'CFG'
name: default_ip_remediation
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
 - type: ban
   duration: 4h
on_success: break
CFG
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
echo "cscli decisions import of $N decisions: $(since "$t") s"

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
t=$(now)
ip netns exec "$NS" "$ENF" -c "$D/enforcer.yaml" run 2>>"$D/enf.log" &
ENF_PID=$!
applied=0
for _ in $(seq 1 1200); do # 60 s at most
	applied=$(stat crowdsec_applied)
	[ "${applied:-0}" -ge "$N" ] && break
	kill -0 "$ENF_PID" 2>/dev/null || { echo "the enforcer exited" >&2; tail -n 20 "$D/enf.log" >&2; exit 1; }
	sleep 0.05
done
wall=$(since "$t")
echo "enforcer start -> crowdsec_applied = ${applied:-?} (of $N): $wall s wall (polled every 50 ms)"
echo "  less the LAPI's answer as curl timed it: ~$(python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$wall" "$curl_total") s (enforcer start-up + transfer + parse + kernel)"
echo "the enforcer's log about crowdsec:"
grep -i crowdsec "$D/enf.log" | head -n 10 | sed 's/^/  /'
n=$(X nft -j list set inet sidewall block4 | python3 -c '
import json, sys
print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))')
echo "block4 holds $n elements"
echo "crowdsec stats: $(X "$ENF" -s "$D/ctl.sock" stats | grep '^crowdsec_' | tr '\n' ' ')"
