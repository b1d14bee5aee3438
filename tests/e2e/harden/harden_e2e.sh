#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end test of "Running hardened" (DESIGN.md, docs/hardening.md):
# sidewall started as root with --user drops to that user after start-up.
#
#   tests/e2e/harden/harden_e2e.sh [SIDEWALL [SIDEWALL_ENFORCER]]   (root; ctest: e2e_harden)
#
# Proves, from /proc/PID/status and /proc/PID/task/*/status of the running
# daemon:
#   1. live capture (-i, two workers started before the drop): every thread
#      runs as the user (Uid/Gid, no root group); the main thread holds
#      exactly CAP_NET_RAW (effective, permitted, bounding), nothing ambient
#      or inheritable, no thread holds anything else; NoNewPrivs 1 and
#      Seccomp 2 (filter) on every thread;
#   2. traffic sent after the drop is still seen: alerts;
#   3. SIGHUP as the user: rules re-read (the new rule alerts, the removed one
#      does not), the EVE file reopened after rotation (created by the user);
#   4. the interface is deleted and re-created: capture resumes with only
#      CAP_NET_RAW, alerts continue;
#   5. SIGTERM: exit 0, final flow records (reason shutdown) and stats;
#   5b. started the way the shipped systemd unit starts it (User= and
#      ambient CAP_NET_ADMIN CAP_NET_RAW, emulated with setpriv): no switch,
#      exactly CAP_NET_RAW left, ambient cleared, NoNewPrivs, Seccomp 2;
#   6. inline (-q, when NFQUEUE works): main thread and every worker hold
#      exactly CAP_NET_ADMIN, and verdicts still work (a benign datagram
#      arrives, a dropped one does not, the drop is logged);
#   7. -T with run-as in the config reports the user; an unknown user fails;
#   8. sidewall-enforcer started the way its unit starts it (User=, ambient
#      CAP_NET_ADMIN only): loads its table, applies an operator block, writes
#      its journal, exits cleanly.
#
# The user 'sidewall-test' is created (useradd --system) when missing and
# removed at exit only if this script created it.  Exit 77 (skip) when not
# root or without the tools; otherwise prints "N passed, N failed" and exits
# non-zero on any failure.  Every wait is bounded; all traffic stays inside
# the namespaces this script creates.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
SIDEWALL=${1:-${SIDEWALL:-$SRC/build/sidewall}}
USER_NAME=sidewall-test
PORT=7777
CAP_NET_ADMIN_HEX=0000000000001000   # bit 12
CAP_NET_RAW_HEX=0000000000002000     # bit 13

skip() {
	echo "SKIP: harden e2e: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (user switch, network namespaces)"
[ -x "$SIDEWALL" ] || { echo "FAIL: no sidewall binary at $SIDEWALL"; echo "0 passed, 1 failed"; exit 1; }
for t in ip jq useradd userdel python3 setpriv; do
	command -v $t >/dev/null || skip "$t is not installed"
done

# LeakSanitizer (ASan builds) stops the world with ptrace from a forked
# tracer: both are what the filter denies, so leak checking cannot run in a
# hardened process.  ASan and UBSan themselves still do.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

SUFFIX="$$-$RANDOM"
NS_A="swha-$SUFFIX"   # traffic source
NS_S="swhs-$SUFFIX"   # sensor
A_IP=10.79.1.1
S_IP=10.79.1.2
TMP=$(mktemp -d /tmp/sw-harden-e2e.XXXXXX)
CREATED_USER=""
SW_PID=""

cleanup() {
	local ns pids
	[ -n "$SW_PID" ] && kill -9 "$SW_PID" 2>/dev/null
	for ns in "$NS_A" "$NS_S"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${NSL_SUFFIX:-}" ] && nsl_cleanup
	if [ -n "$CREATED_USER" ]; then
		# Only processes of ours can run as this user; userdel refuses while one does.
		sleep 0.2
		userdel "$USER_NAME" 2>/dev/null || echo "# could not remove user $USER_NAME"
	fi
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASS=0
FAIL=0
ok() { echo "PASS: $*"; PASS=$((PASS + 1)); }
ko() { echo "FAIL: $*"; FAIL=$((FAIL + 1)); }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else ko "$name"; fi
}

if ! id -u "$USER_NAME" >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME" || skip "cannot create user $USER_NAME"
	CREATED_USER=1
fi
U=$(id -u "$USER_NAME")
G=$(id -g "$USER_NAME")
echo "# user $USER_NAME uid $U gid $G${CREATED_USER:+ (created)}; work dir $TMP; sidewall $SIDEWALL"

# The user reads rules on SIGHUP and writes the log directory.
chmod 755 "$TMP"
mkdir -p "$TMP/log"
chown "$USER_NAME:" "$TMP/log"
RULES="$TMP/harden.rules"
cat >"$RULES" <<EOF
alert udp any any -> any $PORT (msg:"HARDEN one"; content:"sw-harden-one"; sid:9200001; rev:1;)
EOF
chmod 644 "$RULES"

# ---- helpers -------------------------------------------------------------

# st FILE KEY: the value of "KEY:" in a /proc status file (tabs become spaces).
st() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ +/, ""); print; exit }' "$1" 2>/dev/null; }

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

log_has() { grep -q -- "$1" "$TMP/sw.err"; }
eve_count() { # eve_count FILE JQ_FILTER -> number of records matching
	[ -f "$1" ] || { echo 0; return; }
	jq -c "select($2)" "$1" 2>/dev/null | wc -l
}
alerts() { eve_count "$1" ".event_type == \"alert\" and .alert.signature_id == $2"; }
alerts_at_least() { [ "$(alerts "$1" "$2")" -ge "$3" ]; }

send() { # send PAYLOAD: three UDP datagrams from A to the sensor's address
	local i
	for i in 1 2 3; do
		ip netns exec "$NS_A" bash -c "echo -n '$1' >/dev/udp/$S_IP/$PORT" 2>/dev/null
	done
}

# all_threads PID KEY VALUE: every thread's KEY is VALUE.
all_threads() {
	local f v bad=0 n=0
	for f in /proc/$1/task/*/status; do
		v=$(st "$f" "$2")
		n=$((n + 1))
		[ "$v" = "$3" ] || { echo "#   $f: $2 '$v', want '$3'"; bad=1; }
	done
	[ $n -ge 1 ] && [ $bad -eq 0 ]
}

# caps_within PID HEX: no thread holds a capability outside HEX (effective or permitted).
caps_within() {
	local f k v bad=0
	for f in /proc/$1/task/*/status; do
		for k in CapEff CapPrm; do
			v=$(st "$f" $k)
			(((0x$v & ~0x$2) == 0)) || { echo "#   $f: $k $v outside $2"; bad=1; }
		done
	done
	[ $bad -eq 0 ]
}

ids_are() { [ "$(st "$1" "$2")" = "$3 $3 $3 $3" ]; }
groups_ok() { # no supplementary group 0 (root) left
	local g
	for g in $(st "$1" Groups); do [ "$g" != 0 ] || return 1; done
	return 0
}
is_eq() { [ "$1" = "$2" ] || { echo "#   got '$1', want '$2'"; return 1; }; }

# ---- 1. live capture -----------------------------------------------------

ip netns add "$NS_A" && ip netns add "$NS_S" || skip "cannot create network namespaces"
mk_veth() {
	ip link add ha0 netns "$NS_A" type veth peer name hs0 netns "$NS_S" || return 1
	ip -n "$NS_A" addr add "$A_IP/24" dev ha0
	ip -n "$NS_S" addr add "$S_IP/24" dev hs0
	ip -n "$NS_A" link set ha0 up
	ip -n "$NS_S" link set hs0 up
}
ip -n "$NS_A" link set lo up
ip -n "$NS_S" link set lo up
mk_veth || skip "cannot create a veth pair"
for ns in "$NS_A" "$NS_S"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done

# -k none: veth frames carry partial checksums (offload).  Two workers run
# before the drop, so the per-thread checks cover threads that lose their
# capabilities at the switch.
ip netns exec "$NS_S" "$SIDEWALL" -i hs0 -S "$RULES" -l "$TMP/log" -k none --threads 2 \
	--user "$USER_NAME" >"$TMP/sw.out" 2>"$TMP/sw.err" &
SW_PID=$!
if ! wait_for 60 log_has "running as $USER_NAME"; then
	ko "sidewall -i --user did not report the drop"
	sed 's/^/#   /' "$TMP/sw.err"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
ok "sidewall -i --user started and dropped privileges"
S=/proc/$SW_PID/status
check "process is sidewall" is_eq "$(cat /proc/$SW_PID/comm 2>/dev/null)" sidewall
check "Uid: $U on every thread" all_threads "$SW_PID" Uid "$U $U $U $U"
check "Gid: $G on every thread" all_threads "$SW_PID" Gid "$G $G $G $G"
check "main thread Uid all four" ids_are "$S" Uid "$U"
check "no root supplementary group" groups_ok "$S"
check "CapEff is exactly CAP_NET_RAW" is_eq "$(st "$S" CapEff)" $CAP_NET_RAW_HEX
check "CapPrm is exactly CAP_NET_RAW" is_eq "$(st "$S" CapPrm)" $CAP_NET_RAW_HEX
check "CapBnd is exactly CAP_NET_RAW" is_eq "$(st "$S" CapBnd)" $CAP_NET_RAW_HEX
check "CapInh empty" is_eq "$(st "$S" CapInh)" 0000000000000000
check "CapAmb empty" is_eq "$(st "$S" CapAmb)" 0000000000000000
check "no thread holds more than CAP_NET_RAW" caps_within "$SW_PID" $CAP_NET_RAW_HEX
check "NoNewPrivs: 1 on every thread" all_threads "$SW_PID" NoNewPrivs 1
check "Seccomp: 2 on every thread" all_threads "$SW_PID" Seccomp 2
NT=$(ls /proc/$SW_PID/task | wc -l)
check "workers are running ($NT threads >= 3)" test "$NT" -ge 3

# ---- 2. traffic after the drop -------------------------------------------

EVE="$TMP/log/eve.json"
send sw-harden-one
check "alert for traffic sent after the drop" wait_for 20 alerts_at_least "$EVE" 9200001 1
# All three datagrams' alerts must be in the file before it is rotated:
# lines still in a worker's buffer (they leave within a second) would
# otherwise land in the reopened file and look like the removed rule firing.
check "all three alerts written before the rotation" wait_for 20 alerts_at_least "$EVE" 9200001 3

# ---- 3. SIGHUP: rules and EVE reopen as the user -------------------------

mv "$EVE" "$EVE.1"
cat >"$RULES" <<EOF
alert udp any any -> any $PORT (msg:"HARDEN two"; content:"sw-harden-two"; sid:9200002; rev:1;)
EOF
kill -HUP "$SW_PID"
check "SIGHUP: new ruleset active" wait_for 60 log_has "reload: new ruleset active"
check "SIGHUP: no reopen error" bash -c "! grep -q 'cannot reopen' '$TMP/sw.err'"
send sw-harden-two
send sw-harden-one
check "after reload: alert from the new rule" wait_for 20 alerts_at_least "$EVE" 9200002 1
check "the reopened eve.json was created by the user" is_eq "$(stat -c %u "$EVE" 2>/dev/null)" "$U"
check "after reload: the removed rule no longer alerts" is_eq "$(alerts "$EVE" 9200001)" 0
check "still alive after SIGHUP" kill -0 "$SW_PID"

# ---- 4. interface gone and back: reopen with CAP_NET_RAW only ------------

before=$(alerts "$EVE" 9200002)
ip -n "$NS_S" link del hs0
check "capture error noticed" wait_for 20 log_has "hs0: capture error"
mk_veth
check "capture resumed as the user" wait_for 30 log_has "hs0: capture resumed"
sleep 0.5
send sw-harden-two
check "alerts after the interface came back" wait_for 20 alerts_at_least "$EVE" 9200002 $((before + 1))
check "CapEff still exactly CAP_NET_RAW" is_eq "$(st "$S" CapEff)" $CAP_NET_RAW_HEX

# ---- 5. SIGTERM ----------------------------------------------------------

kill -TERM "$SW_PID"
rc=124
for ((i = 0; i < 300; i++)); do
	kill -0 "$SW_PID" 2>/dev/null || { wait "$SW_PID"; rc=$?; break; }
	sleep 0.1
done
SW_PID=""
check "SIGTERM: exit status 0" is_eq "$rc" 0
check "SIGTERM: final flow records (reason shutdown)" \
	test "$(eve_count "$EVE" '.event_type == "flow" and .flow.reason == "shutdown" and .dest_port == '$PORT)" -ge 1
check "SIGTERM: final stats record" test "$(eve_count "$EVE" '.event_type == "stats"')" -ge 1
check "no sanitizer or seccomp trouble on stderr" \
	bash -c "! grep -E 'AddressSanitizer|runtime error|LeakSanitizer|Operation not permitted' '$TMP/sw.err'"

# ---- 5b. started the systemd way -----------------------------------------
# etc/systemd/sidewall.service: User= with AmbientCapabilities= and
# CapabilityBoundingSet= of CAP_NET_ADMIN CAP_NET_RAW.  setpriv sets up the
# same credentials; --user names the user sidewall already is (no switch).

mkdir -p "$TMP/slog" && chown "$USER_NAME:" "$TMP/slog"
ip netns exec "$NS_S" setpriv --reuid="$U" --regid="$G" --clear-groups \
	--inh-caps=+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin \
	--bounding-set=-all,+net_raw,+net_admin \
	"$SIDEWALL" -i hs0 -S "$RULES" -l "$TMP/slog" -k none --user "$USER_NAME" \
	>"$TMP/sws.out" 2>"$TMP/sws.err" &
SW_PID=$!
if wait_for 60 grep -q "running as $USER_NAME" "$TMP/sws.err"; then
	S=/proc/$SW_PID/status
	check "systemd-style: runs as the user" all_threads "$SW_PID" Uid "$U $U $U $U"
	check "systemd-style: CapEff is exactly CAP_NET_RAW" is_eq "$(st "$S" CapEff)" $CAP_NET_RAW_HEX
	check "systemd-style: CapPrm is exactly CAP_NET_RAW" is_eq "$(st "$S" CapPrm)" $CAP_NET_RAW_HEX
	check "systemd-style: ambient capabilities cleared" is_eq "$(st "$S" CapAmb)" 0000000000000000
	check "systemd-style: inheritable capabilities cleared" is_eq "$(st "$S" CapInh)" 0000000000000000
	# Without CAP_SETPCAP the bounding set stays the unit's.
	check "systemd-style: CapBnd is the unit's" is_eq "$(st "$S" CapBnd)" 0000000000003000
	check "systemd-style: NoNewPrivs: 1 on every thread" all_threads "$SW_PID" NoNewPrivs 1
	check "systemd-style: Seccomp: 2 on every thread" all_threads "$SW_PID" Seccomp 2
	sleep 0.5
	send sw-harden-two
	check "systemd-style: alerts" wait_for 20 alerts_at_least "$TMP/slog/eve.json" 9200002 1
	kill -TERM "$SW_PID"
	rc=124
	for ((i = 0; i < 300; i++)); do
		kill -0 "$SW_PID" 2>/dev/null || { wait "$SW_PID"; rc=$?; break; }
		sleep 0.1
	done
	check "systemd-style: SIGTERM exit status 0" is_eq "$rc" 0
else
	ko "systemd-style: sidewall did not report the drop"
	sed 's/^/#   /' "$TMP/sws.err"
fi
SW_PID=""

# ---- 6. inline: CAP_NET_ADMIN kept for the workers' verdicts -------------

inline_part() {
	NSL_SUFFIX="h$SUFFIX"
	. "$SRC/tests/e2e/inline/netns.sh"
	[ -r /proc/net/netfilter/nfnetlink_queue ] || { echo "# inline part skipped: no nfnetlink_queue"; return 0; }
	nsl_setup || { ko "inline: namespaces"; return 0; }
	nsl_queue 0 1 bypass || { echo "# inline part skipped: no NFQUEUE rule possible"; return 0; }
	cat >"$TMP/inline.rules" <<EOF
drop udp any any -> any $PORT (msg:"HARDEN drop"; content:"sw-harden-drop"; sid:9200010; rev:1;)
EOF
	chmod 644 "$TMP/inline.rules"
	mkdir -p "$TMP/ilog" && chown "$USER_NAME:" "$TMP/ilog"
	# Receiver in legacy: every datagram's payload, one per line.
	inl python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(60)
out = open(sys.argv[2], "a")
out.write("ready\n"); out.flush()
while True:
    try:
        d = s.recv(2048)
    except socket.timeout:
        break
    out.write(d.decode(errors="replace") + "\n"); out.flush()
' $PORT "$TMP/recv.txt" &
	wait_for 20 grep -q ready "$TMP/recv.txt" || { ko "inline: receiver did not start"; return 0; }
	# Not through the ing function: $! must be sidewall itself ("ip netns exec" execs it).
	ip netns exec "$NS_G" "$SIDEWALL" -q 0:1 -S "$TMP/inline.rules" -l "$TMP/ilog" --user "$USER_NAME" \
		>"$TMP/swi.out" 2>"$TMP/swi.err" &
	SW_PID=$!
	if ! wait_for 60 grep -q "running as $USER_NAME" "$TMP/swi.err"; then
		ko "inline: sidewall -q --user did not report the drop"
		sed 's/^/#   /' "$TMP/swi.err"
		return 0
	fi
	local S=/proc/$SW_PID/status
	check "inline: two queues bound" nsl_wait_bound 10 0 1
	check "inline: Uid $U on every thread" all_threads "$SW_PID" Uid "$U $U $U $U"
	check "inline: CapEff is exactly CAP_NET_ADMIN" is_eq "$(st "$S" CapEff)" $CAP_NET_ADMIN_HEX
	check "inline: CapBnd is exactly CAP_NET_ADMIN" is_eq "$(st "$S" CapBnd)" $CAP_NET_ADMIN_HEX
	check "inline: every thread has exactly CAP_NET_ADMIN" all_threads "$SW_PID" CapEff $CAP_NET_ADMIN_HEX
	check "inline: NoNewPrivs: 1 on every thread" all_threads "$SW_PID" NoNewPrivs 1
	check "inline: Seccomp: 2 on every thread" all_threads "$SW_PID" Seccomp 2
	local p
	for p in 1 2 3 4 5 6 7 8; do
		inc bash -c "echo -n 'sw-harden-ok-$p' >/dev/udp/$L_IP/$PORT; echo -n 'sw-harden-drop' >/dev/udp/$L_IP/$PORT" 2>/dev/null
	done
	check "inline: benign datagrams pass (verdicts given as the user)" \
		wait_for 20 bash -c "[ \$(grep -c sw-harden-ok '$TMP/recv.txt' 2>/dev/null) -ge 8 ]"
	check "inline: dropped datagrams never arrive" bash -c "! grep -q sw-harden-drop '$TMP/recv.txt'"
	kill -TERM "$SW_PID"
	local rc=124 i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$SW_PID" 2>/dev/null || { wait "$SW_PID"; rc=$?; break; }
		sleep 0.1
	done
	SW_PID=""
	check "inline: SIGTERM exit status 0" is_eq "$rc" 0
	check "inline: the drop was logged" test "$(eve_count "$TMP/ilog/eve.json" \
		'.event_type == "alert" and .alert.signature_id == 9200010 and .alert.action == "blocked"')" -ge 1
	check "inline: no permission errors on stderr" \
		bash -c "! grep -E 'Operation not permitted|AddressSanitizer|runtime error' '$TMP/swi.err'"
}
inline_part

# ---- 8. sidewall-enforcer the way its unit runs it -----------------------
# etc/systemd/sidewall-enforcer.service: User= with ambient CAP_NET_ADMIN
# only.  The daemon must load its table, take an operator block over the
# control socket in its runtime directory and write its journal in its
# state directory, all as the user.

enforcer_part() {
	local E=$1 ns="swhe-$SUFFIX" d="$TMP/enf" pid rc i
	mkdir -p "$d/state" "$d/run"
	chown "$USER_NAME:" "$d/state" "$d/run"
	"$E" genkey >"$d/key" || { ko "enforcer: genkey"; return 0; }
	chgrp "$G" "$d/key" && chmod 640 "$d/key"
	sed -e "s#/etc/sidewall/enforcer.key#$d/key#" -e "s#/var/lib/sidewall-enforcer/journal#$d/state/journal#" \
		-e "s#/run/sidewall-enforcer/control.sock#$d/run/control.sock#" "$SRC/etc/sidewall-enforcer.yaml" >"$d/enf.yaml"
	chmod 644 "$d/enf.yaml"
	ip netns add "$ns" || { ko "enforcer: namespace"; return 0; }
	ip -n "$ns" link set lo up
	ip netns exec "$ns" setpriv --reuid="$U" --regid="$G" --clear-groups \
		--inh-caps=+net_admin --ambient-caps=+net_admin --bounding-set=-all,+net_admin --no-new-privs \
		"$E" -c "$d/enf.yaml" run >"$d/out" 2>"$d/err" &
	pid=$!
	check "enforcer: listening as the user" wait_for 30 grep -q "listening on" "$d/err"
	check "enforcer: CapEff is exactly CAP_NET_ADMIN" is_eq "$(st /proc/$pid/status CapEff)" $CAP_NET_ADMIN_HEX
	check "enforcer: Uid is the user" ids_are /proc/$pid/status Uid "$U"
	ip netns exec "$ns" "$E" -s "$d/run/control.sock" block 10.79.9.9/32 60 harden-e2e >"$d/cli" 2>&1
	check "enforcer: operator block accepted" grep -q "blocked 10.79.9.9" "$d/cli"
	check "enforcer: block is in the kernel's set" bash -c "ip netns exec '$ns' nft list ruleset | grep -q '10.79.9.9'"
	check "enforcer: journal written by the user" is_eq "$(stat -c %u "$d/state/journal" 2>/dev/null)" "$U"
	kill -TERM "$pid"
	rc=124
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; break; }
		sleep 0.1
	done
	check "enforcer: SIGTERM exit status 0" is_eq "$rc" 0
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$ns"
}
ENFORCER=${2:-${SIDEWALL_ENFORCER:-$(dirname "$SIDEWALL")/sidewall-enforcer}}
if [ -x "$ENFORCER" ] && command -v nft >/dev/null; then
	enforcer_part "$ENFORCER"
else
	echo "# enforcer part skipped: no sidewall-enforcer at $ENFORCER or no nft"
fi

# ---- 7. -T ---------------------------------------------------------------

cat >"$TMP/runas.yaml" <<EOF
run-as:
  user: $USER_NAME
EOF
"$SIDEWALL" -T -c "$TMP/runas.yaml" -S "$RULES" >"$TMP/t1.out" 2>&1
rc1=$?
"$SIDEWALL" -T -S "$RULES" --user sw-no-such-user >"$TMP/t2.out" 2>&1
rc2=$?
t_reports() { [ $rc1 -eq 0 ] && grep -qF "run-as: user $USER_NAME (uid $U)" "$TMP/t1.out"; }
t_fails() { [ $rc2 -ne 0 ] && grep -qF "no such user 'sw-no-such-user'" "$TMP/t2.out"; }
check "-T reports the run-as user from the config" t_reports
check "-T fails for an unknown user" t_fails

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
