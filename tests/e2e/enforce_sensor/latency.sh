#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Measurement, not a test: latency from a sensor alert to the block being
# applied in the enforcer's kernel set (the enforcer answers after the
# netlink batch is ACKed and its journal fsync'd).  sidewall -i runs in a
# `sensor` namespace, sidewall-enforcer in `enforcer` (both created and
# removed here); N attack datagrams from N distinct addresses are sent at
# a fixed interval; per address, latency = enforcement event time - alert
# time (both from eve.json, same clock).  Prints p50/p99/max.
# Usage: latency.sh SIDEWALL SIDEWALL_ENFORCER [N] [INTERVAL_S]
set -uo pipefail
SW=${1:?usage: latency.sh sidewall sidewall-enforcer [N] [interval]}
ENF=${2:?usage: latency.sh sidewall sidewall-enforcer [N] [interval]}
NREQ=${3:-200} IVL=${4:-0.02}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
S=$$
E=swl-enf-$S N=swl-sen-$S
D=$(mktemp -d /tmp/swl.XXXXXX)
ENF_PID= SW_PID=
cleanup() {
	set +e
	[ -n "$SW_PID" ] && kill "$SW_PID" 2>/dev/null && wait "$SW_PID" 2>/dev/null
	[ -n "$ENF_PID" ] && kill "$ENF_PID" 2>/dev/null && wait "$ENF_PID" 2>/dev/null
	for ns in $E $N; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT
trap "exit 1" INT TERM
for ns in $E $N; do ip netns add "$ns" || exit 77; ip -n "$ns" link set lo up; done
ip link add "s0-$S" netns $N type veth peer name "e0-$S" netns $E
ip -n $N addr add 10.79.1.2/24 dev "s0-$S"; ip -n $N link set "s0-$S" up
ip -n $E addr add 10.79.1.1/24 dev "e0-$S"; ip -n $E link set "e0-$S" up
ip link add "t0-$S" netns $N type veth peer name "t1-$S" netns $N
ip -n $N link set "t0-$S" up; ip -n $N link set "t1-$S" up
echo 'alert udp any any -> any any (msg:"latency"; content:"SWENFORCE-ATTACK"; sid:9100002; rev:1;)' >"$D/r.rules"
"$ENF" genkey >"$D/enf.key"; "$ENF" genkey >"$D/sensor.key"
cat >"$D/enforcer.yaml" <<CFG
listen: 10.79.1.1
port: 7447
private_key_file: $D/enf.key
sensors:
  - name: sensor1
    public_key: $("$ENF" pubkey <"$D/sensor.key")
never_block: [10.79.1.0/24]
max_ttl: 600
default_ttl: 300
max_elements: 100000
rate_limit: 10000
rate_burst: 10000
hooks: [input, forward]
priority: -10
journal: $D/journal
control_socket: $D/ctl.sock
CFG
cat >"$D/sidewall.yaml" <<CFG
enforcement:
  private-key-file: $D/sensor.key
  enforcers:
    - {host: 10.79.1.1, port: 7447, public-key: $("$ENF" pubkey <"$D/enf.key")}
  spool-dir: $D/spool
  triggers: {sids: [9100002]}
  ttl: 300
CFG
ip netns exec $E "$ENF" -c "$D/enforcer.yaml" run 2>"$D/enf.log" &
ENF_PID=$!
for _ in $(seq 1 50); do [ -S "$D/ctl.sock" ] && break; sleep 0.1; done
ip netns exec $N "$SW" -c "$D/sidewall.yaml" -S "$D/r.rules" -l "$D" -i "t0-$S" 2>"$D/sw.log" &
SW_PID=$!
sleep 1.5 # capture up
ip netns exec $N /usr/bin/python3 - "t1-$S" "$NREQ" "$IVL" <<'PY'
import sys, time
from scapy.all import Ether, IP, UDP, Raw, conf
s = conf.L2socket(iface=sys.argv[1])
n, ivl = int(sys.argv[2]), float(sys.argv[3])
for i in range(n):
    s.send(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
           IP(src="198.51.%d.%d" % (110 + i // 250, 1 + i % 250), dst="192.0.2.80") /
           UDP(sport=40000, dport=9999) / Raw(b"SWENFORCE-ATTACK"))
    time.sleep(ivl)
PY
sleep 2
kill -TERM $SW_PID; wait $SW_PID; SW_PID=
/usr/bin/python3 - "$D/eve.json" "$NREQ" <<'PY'
import json, sys
from datetime import datetime
def ts(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
alert, applied = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "alert":
        alert.setdefault(r["src_ip"], ts(r["timestamp"]))
    elif r["event_type"] == "enforcement" and r["enforcement"]["result"] == "applied":
        applied.setdefault(r["enforcement"]["address"], ts(r["timestamp"]))
lat = sorted((applied[a] - alert[a]) * 1000 for a in applied if a in alert)
n = len(lat)
if not n:
    sys.exit("no applied requests")
print(f"alerts {len(alert)}, applied {len(applied)} of {sys.argv[2]} sent; alert->applied ms: "
      f"p50 {lat[n // 2]:.2f}  p99 {lat[min(n - 1, (n * 99) // 100)]:.2f}  max {lat[-1]:.2f}")
PY
