# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the enforcer e2e scripts (sourced): pass/fail reporting and the
# elements of an nftables set.  Expects $D (the test's directory, with the
# enforcer's log in $D/enf.log).

fail() {
	echo "FAIL: $*" >&2
	echo "--- enforcer log" >&2; tail -n 30 "$D/enf.log" >&2 || true
	exit 1
}
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }

# set_elems NS SET: "addr[/len] timeout" a line for each element of inet sidewall SET (timeout 0: none)
set_elems() {
	ip netns exec "$1" nft -j list set inet sidewall "$2" | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        v = e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e
        t = e["elem"].get("timeout", 0) if isinstance(e, dict) and "elem" in e else 0
        if isinstance(v, dict) and "prefix" in v: v = "%s/%d" % (v["prefix"]["addr"], v["prefix"]["len"])
        print(v, t)'
}
