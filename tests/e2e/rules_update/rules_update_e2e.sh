#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The rule-update loop an operator runs with suricata-update (issue 13 item 4),
# end to end with Debian's suricata-update, offline:
#   - sources: a rules tarball served from a file:// URL (ET rules from
#     ../shared/corpus when present, else a generated set) and --local rules;
#     --disable-conf / --enable-conf applied; suricata-update merges them
#     into one suricata.rules;
#   - sidewall captures (-i) in a network namespace made here, reading that
#     merged file; UDP datagrams between two namespaces carry the markers;
#   - an update that enables a rule runs --reload-command
#     'sidewall -T --allow-rejected -S FILE && kill -HUP PID': the new rule
#     alerts after the reload, without a restart;
#   - an update that breaks the file (no rule loads) fails the -T check, so
#     no SIGHUP is sent and the running rules keep alerting.
# Needs root (namespaces); exits 77 (SKIP) without it.  suricata-update is
# installed by scripts/setup.sh: its absence is a failure, not a skip.
#
#   rules_update_e2e.sh SIDEWALL_BIN [SHARED_CORPUS_DIR]
set -u
SW=$(readlink -f "$1")
CORPUS=${2:-}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: rules_update_e2e needs root (network namespaces)"
	exit 77
fi
command -v suricata-update >/dev/null || { echo "FAIL: suricata-update not installed (scripts/setup.sh)"; exit 1; }

T=$(mktemp -d)
A=swua$$
B=swub$$
SWPID=
fails=0
cleanup() {
	[ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null && wait "$SWPID" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

ip netns add "$A" && ip netns add "$B" || { echo "FAIL: ip netns add"; exit 1; }
ip link add eth0 netns "$A" type veth peer name eth0 netns "$B" || { echo "FAIL: veth"; exit 1; }
ip -n "$A" addr add 10.97.0.1/24 dev eth0
ip -n "$B" addr add 10.97.0.2/24 dev eth0
ip -n "$A" link set eth0 up
ip -n "$B" link set eth0 up
ip -n "$A" link set lo up
ip -n "$B" link set lo up

# ---- sources
mkdir -p "$T/tar/rules" "$T/local" "$T/data" "$T/out" "$T/log"
if [ -n "$CORPUS" ] && [ -s "$CORPUS/etopen-2025-07/emerging-dns.rules" ]; then
	cp "$CORPUS/etopen-2025-07/emerging-dns.rules" "$CORPUS/etopen-2025-07/emerging-ja3.rules" "$T/tar/rules/"
else
	for i in $(seq 1 50); do
		echo "alert tcp any any -> any any (msg:\"gen $i\"; content:\"gen-$i-x\"; sid:$((2900000 + i)); rev:1;)"
	done >"$T/tar/rules/generated.rules"
fi
tar -C "$T/tar" -czf "$T/source.tar.gz" rules
cat >"$T/local/local.rules" <<'EOF'
alert udp any any -> any any (msg:"update e2e abc"; content:"SWUPD-abc"; sid:9700001; rev:1;)
alert udp any any -> any any (msg:"update e2e def"; content:"SWUPD-def"; sid:9700002; rev:1;)
# alert udp any any -> any any (msg:"update e2e ghi"; content:"SWUPD-ghi"; sid:9700003; rev:1;)
EOF
echo 9700002 >"$T/disable.conf"
: >"$T/enable.conf"
RULES=$T/out/suricata.rules

update() { # extra suricata-update arguments...
	suricata-update -D "$T/data" -o "$T/out" --url "file://$T/source.tar.gz" --local "$T/local" \
		--disable-conf "$T/disable.conf" --enable-conf "$T/enable.conf" --suricata-version 8.0.0 \
		--no-test "$@" >>"$T/update.log" 2>&1
}

update --no-reload || { bad "suricata-update (first run) failed: $(tail -3 "$T/update.log")"; exit 1; }
grep -q '^alert udp .*sid:9700001;' "$RULES" && ok "merged file has the local rule" || bad "sid 9700001 not enabled in $RULES"
grep -q '^# alert udp .*sid:9700002;' "$RULES" && ok "disable.conf disabled 9700002" || bad "9700002 not disabled"
grep -q '^# alert udp .*sid:9700003;' "$RULES" && ok "9700003 stays disabled" || bad "9700003 not as shipped"
n_src=$(grep -c '^alert' "$RULES")
[ "$n_src" -gt 3 ] && ok "tarball rules merged ($n_src enabled)" || bad "tarball rules missing ($n_src enabled)"
"$SW" -T --allow-rejected -S "$RULES" >"$T/t.log" 2>&1 && ok "sidewall -T --allow-rejected accepts the merged file" ||
	bad "sidewall -T --allow-rejected refused: $(tail -2 "$T/t.log")"

# ---- sidewall capturing in B, reading the merged file
ip netns exec "$B" "$SW" -i eth0 --threads 1 -k none -l "$T/log" -S "$RULES" 2>"$T/sw.err" &
SWPID=$!
for _ in $(seq 1 150); do grep -q "capturing on" "$T/sw.err" && break; sleep 0.1; done
grep -q "capturing on" "$T/sw.err" || { bad "sidewall did not start: $(tail -3 "$T/sw.err")"; exit 1; }

send() { # marker
	ip netns exec "$A" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(sys.argv[1].encode(), ("10.97.0.2", 9999))
' "$1"
}
alerts() { # sid -> count of alerts in eve.json
	grep -c "\"signature_id\":$1," "$T/log/eve.json" 2>/dev/null || true
}
wait_alert() { # sid
	for _ in $(seq 1 60); do [ "$(alerts "$1")" -gt 0 ] && return 0; sleep 0.1; done
	return 1
}

send SWUPD-abc
wait_alert 9700001 && ok "sid 9700001 alerts before the update" || bad "no alert for 9700001"
send SWUPD-ghi
sleep 2
[ "$(alerts 9700003)" -eq 0 ] && ok "sid 9700003 silent while disabled" || bad "9700003 alerted while disabled"

# ---- update 1: enable 9700003; the reload command tests the file, then signals sidewall
echo 9700003 >"$T/enable.conf"
update --reload-command "$SW -T --allow-rejected -S $RULES >$T/t2.log 2>&1 && kill -HUP $SWPID" ||
	bad "suricata-update (enable) failed: $(tail -3 "$T/update.log")"
grep -q '^alert udp .*sid:9700003;' "$RULES" && ok "enable.conf enabled 9700003" || bad "9700003 not enabled"
for _ in $(seq 1 150); do grep -q "new ruleset active" "$T/sw.err" && break; sleep 0.1; done
grep -q "new ruleset active" "$T/sw.err" && ok "SIGHUP from --reload-command reloaded the merged rules" ||
	bad "no reload: $(tail -3 "$T/sw.err")"
send SWUPD-ghi
wait_alert 9700003 && ok "sid 9700003 alerts after the update, without a restart" || bad "no alert for 9700003 after reload"

# ---- update 2: a broken source (nothing loads): -T fails, no SIGHUP, the running rules stay
reloads=$(grep -c "SIGHUP: reloading rules" "$T/sw.err")
echo "this is not a rule" >"$T/local/local.rules"
echo "alert udp any any -> any any (msg:broken; content:\"x\"; nosuchkeyword; sid:9700009;)" >>"$T/local/local.rules"
printf 'this is not a rule either\n' >"$T/tar/rules/generated.rules"
rm -f "$T/tar/rules/emerging-dns.rules" "$T/tar/rules/emerging-ja3.rules"
tar -C "$T/tar" -czf "$T/source.tar.gz" rules
update --force --reload-command "$SW -T --allow-rejected -S $RULES >$T/t3.log 2>&1 && kill -HUP $SWPID"
sleep 1
grep -q "rules: 0 loaded" "$T/t3.log" && ok "sidewall -T refuses a merged file where no rule loads" ||
	bad "-T did not refuse: $(cat "$T/t3.log" | tail -2)"
[ "$(grep -c "SIGHUP: reloading rules" "$T/sw.err")" -eq "$reloads" ] && ok "no SIGHUP after the failed check" ||
	bad "sidewall was signalled despite the failed check"
before=$(alerts 9700001)
send SWUPD-abc
for _ in $(seq 1 60); do [ "$(alerts 9700001)" -gt "$before" ] && break; sleep 0.1; done
[ "$(alerts 9700001)" -gt "$before" ] && ok "the running rules still alert" || bad "running rules lost"

kill "$SWPID" 2>/dev/null
wait "$SWPID" 2>/dev/null
SWPID=
# the exit summary counts the alerts of every ruleset the run had, not only the last one's
said=$(sed -n 's/.* \([0-9]*\) alerts (.*/\1/p' "$T/sw.err" | tail -1)
logged=$(grep -c '"event_type":"alert"' "$T/log/eve.json")
[ -n "$said" ] && [ "$said" -eq "$logged" ] && ok "exit summary counts $said alerts across the reloads, as eve.json" ||
	bad "exit summary says '${said}' alerts, eve.json has $logged"
if [ "$fails" -ne 0 ]; then
	echo "rules_update_e2e: $fails check(s) failed"
	echo "--- sidewall stderr"; tail -20 "$T/sw.err"
	echo "--- suricata-update log"; tail -20 "$T/update.log"
	exit 1
fi
echo "rules_update_e2e: all checks passed"
