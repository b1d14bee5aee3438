#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nft/ against the real kernel, inside a network namespace this script makes
# (and removes on exit).  Reads the kernel's state back with `nft -j`.
# Usage: nft_kernel.sh PATH/TO/sw_nft_roottest.  Exit 77 = skipped.
set -euo pipefail
T=${1:?usage: nft_kernel.sh sw_nft_roottest}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: test_nft_kernel needs root (network namespaces, nftables)" >&2
	exit 77
fi
for tool in ip nft python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing" >&2; exit 77; }
done
NS=swnft-$$
ip netns add "$NS" || { echo "SKIP: cannot create a network namespace" >&2; exit 77; }
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
trap "exit 1" INT TERM
X() { ip netns exec "$NS" "$@"; }
X ip link set lo up
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }

# Print "addr/len timeout" for each element of a set, one per line.
elems() {
	X nft -j list set inet sidewall "$1" | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("set")
    if not s: continue
    for e in s.get("elem", []):
        v, t = (e["elem"]["val"], e["elem"].get("timeout", 0)) if isinstance(e, dict) and "elem" in e else (e, 0)
        if isinstance(v, dict): v = "%s/%d" % (v["prefix"]["addr"], v["prefix"]["len"])
        print(v, t)'
}
# One UDP datagram from 127.0.0.1 to itself inside the namespace: 0 if it arrives.
udp_self() {
	X python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); s.settimeout(1.0)
s.sendto(b"x", s.getsockname())
try: s.recv(8)
except socket.timeout: sys.exit(1)'
}
# has SET REGEX: an element line matches (no pipe: grep -q would SIGPIPE nft under pipefail).
has() { grep -q -- "$2" <<<"$(elems "$1")"; }
hasx() { grep -qx -- "$2" <<<"$(elems "$1")"; }
rules() { X nft -a list chain inet sidewall "$1" | grep -c ' drop ' || true; }

X "$T" setup || fail "setup"
X "$T" setup || fail "second setup"
[ "$(rules input)" -eq 8 ] && [ "$(rules forward)" -eq 8 ] || fail "setup is not idempotent: $(rules input) rules"
[ "$(X "$T" exists)" = 1 ] || fail "exists after setup"
ok "idempotent setup: 8 rules per chain, sets present"

X "$T" add block 60000 10.0.0.0/24 10.1.2.3 255.255.255.0/24 2001:db8::/32 || fail "add"
got=$(elems block4 | sort)
want=$(printf '10.0.0.0/24 60\n10.1.2.3 60\n255.255.255.0/24 60\n')
[ "$got" = "$want" ] || fail "block4 after add: $got"
[ "$(elems block6)" = "2001:db8::/32 60" ] || fail "block6: $(elems block6)"
ok "CIDR and host blocks with kernel timeouts (v4, v6, open interval at the top)"

X "$T" add block 120000 10.1.2.3 || fail "refresh"
hasx block4 '10.1.2.3 120' || fail "refresh did not update timeout: $(elems block4)"
ok "re-adding refreshes the timeout"

X "$T" del block 10.0.0.0/24 10.9.9.9 || fail "delete with an absent element"
has block4 '^10.0.0.0/24' && fail "10.0.0.0/24 still present"
has block4 '^10.1.2.3 ' || fail "delete removed too much"
ok "delete (absent elements ignored)"

X "$T" add quar 0 10.77.0.9 fd77::9 || fail "quarantine"
[ "$(elems quar4)" = "10.77.0.9 0" ] && [ "$(elems quar6)" = "fd77::9 0" ] || fail "quar: $(elems quar4) $(elems quar6)"
X "$T" add quar 0 10.77.0.0/24 2>/dev/null && fail "quarantine accepted a CIDR"
X "$T" del quar 10.77.0.9 fd77::9 || fail "release"
[ -z "$(elems quar4)" ] || fail "release left $(elems quar4)"
ok "quarantine add/release, CIDR refused"

# One transaction, several sets, adds and deletes in order: all or nothing.
X "$T" commit +b:10.40.0.0/24:60000 +b:fd40:40::/48:60000 +q:10.77.0.40 +b:10.40.1.1:30000 -b:10.40.1.1 \
	|| fail "mixed commit"
has block4 '^10.40.0.0/24 60$' || fail "mixed commit: 10.40.0.0/24 missing: $(elems block4)"
has block6 '^fd40:40::/48 60$' || fail "mixed commit: v6 missing: $(elems block6)"
[ "$(elems quar4)" = "10.77.0.40 0" ] || fail "mixed commit: quar4 $(elems quar4)"
has block4 '^10.40.1.1 ' && fail "mixed commit: add then delete left 10.40.1.1"
ok "one commit: v4 + v6 blocks, a quarantine, add-then-delete of the same element"

before4=$(elems block4 | cut -d' ' -f1 | sort); beforeq=$(elems quar4)
set +e
out=$(X "$T" commit +b:10.41.0.1:60000 -b:10.41.9.9 -q:10.77.0.40 2>&1); rc=$?
set -e
[ "$rc" -eq 3 ] || fail "a commit with an absent delete was not refused (rc $rc): $out"
grep -qx 'op 1: No such file or directory' <<<"$out" || fail "the refused op is not named: $out"
grep -q '^op [02]:' <<<"$out" && fail "ops that were fine are blamed: $out"
[ "$(elems block4 | cut -d' ' -f1 | sort)" = "$before4" ] || fail "refused commit changed block4: $(elems block4)"
[ "$(elems quar4)" = "$beforeq" ] || fail "refused commit released the quarantine: $(elems quar4)"
set +e
out=$(X "$T" commit +b:10.42.0.1:60000 +b:10.40.0.0/16:60000 2>&1); rc=$?
set -e
[ "$rc" -eq 3 ] && grep -qx 'op 1: File exists' <<<"$out" || fail "overlapping CIDR not refused by op: rc $rc $out"
has block4 '^10.42.0.1 ' && fail "refused commit added 10.42.0.1"
X "$T" commit -b:10.40.0.0/24 -b:fd40:40::/48 -q:10.77.0.40 || fail "cleanup commit"
[ -z "$(elems quar4)" ] && ! has block4 '^10.40.0.0/24' || fail "cleanup commit left elements"
ok "a refused commit changes nothing and names the op (absent delete, overlapping CIDR)"

# Packets: a blocked source is dropped on input, and flows again once deleted.
udp_self || fail "datagram before block"
X "$T" add block 60000 127.0.0.1 || fail "block 127.0.0.1"
udp_self && fail "datagram from a blocked source arrived"
grep -q "packets [1-9]" <<<"$(X nft list counter inet sidewall block_src)" || fail "counter block_src did not count"
X "$T" del block 127.0.0.1 || fail "unblock"
udp_self || fail "datagram after unblock"
ok "drop rule drops, counts, and lets go after delete"

X "$T" add block 1000 10.5.5.5 || fail "short block"
has block4 '^10.5.5.5 ' || fail "short block missing"
for _ in $(seq 1 50); do has block4 '^10.5.5.5 ' || break; sleep 0.1; done
has block4 '^10.5.5.5 ' && fail "element did not expire"
ok "kernel timeout expires the element"

X nft flush ruleset
[ "$(X "$T" exists)" = 0 ] || fail "exists after flush"
X "$T" setup || fail "recreate"
[ "$(X "$T" exists)" = 1 ] || fail "exists after recreate"
ok "flush detected and table recreated"

X "$T" bulk 10000 || fail "bulk"
n=$(elems block4 | wc -l)
[ "$n" -eq 10000 ] || fail "bulk: $n elements in block4"
ok "10000 elements in batches"

X "$T" destroy && X "$T" setup || fail "reset for bulkc"
X "$T" bulkc 3000 512 || fail "bulkc"
n=$(elems block4 | wc -l)
[ "$n" -eq 3000 ] || fail "bulkc: $n elements in block4"
ok "3000 elements through sw_nft_commit(), 512 per transaction"

# The bulk path: 20,000 ops in ONE transaction land exactly; the same with
# one refused op in the middle changes nothing and names exactly that op.
X "$T" destroy && X "$T" setup || fail "reset for one big commit"
set +e
out=$(X "$T" bulkc 20000 0 12345 2>&1); rc=$?
set -e
[ "$rc" -eq 3 ] && grep -qx 'op 12345: No such file or directory' <<<"$out" \
	&& [ "$(grep -c '^op ' <<<"$out")" -eq 1 ] || fail "20000-op commit with one bad op: rc $rc $out"
n=$(elems block4 | wc -l)
[ "$n" -eq 0 ] || fail "a refused 20000-op commit left $n elements"
out=$(X "$T" bulkc 20000 0) || fail "bulkc 20000 in one transaction: $out"
grep -q '(1 transactions)' <<<"$out" || fail "20000 ops did not fit one transaction: $out"
n=$(elems block4 | wc -l)
[ "$n" -eq 20000 ] || fail "one big commit: $n elements in block4"
ok "20000 ops in one transaction: exact; one refused op among them named alone, nothing changed"

X "$T" destroy || fail "destroy"
X "$T" destroy || fail "destroy twice"
ok "destroy"
echo "$pass passed, 0 failed"
