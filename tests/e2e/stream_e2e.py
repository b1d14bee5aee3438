#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""TCP stream fidelity end-to-end test: the evasion classics of
tests/gen/evasion.py (one capture each) with tests/e2e/stream.rules.

  stream_e2e.py SIDEWALL [--src REPO] [--schema FILE] [--keep DIR]

Checks (one PASS/FAIL line each, then "N passed, N failed"; exit 1 if any failed):
  - the committed captures are tests/gen/evasion.py's current output;
  - every rule of stream.rules loads;
  - per case (retransmission with the same / other bytes, a covering overlap
    and a complete overlap with conflicting bytes under linux, bsd and first
    host-os-policy, a RST out of window, in window but not exact, and exact):
    the exact alert count the generator says the receiver's view raises,
    run twice with the same events both times, schema-valid, the named
    stats.tcp counters non-zero, and the flow record's tcp.state "closed"
    after FIN, FIN, ACK (Suricata's name), as is any reset session.
"""
import collections
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offline  # noqa: E402
from offline import R, Runner  # noqa: E402

SERVER = "10.9.0.2"


def main():
	a = offline.e2e_args(lambda ap: ap.add_argument("--no-regen", action="store_true",
							help="skip the fixtures-are-current check"))
	fix = os.path.join(a.src, "tests", "fixtures", "pcap")
	rules = os.path.join(a.src, "tests", "e2e", "stream.rules")
	exp = json.load(open(os.path.join(fix, "evasion.json")))
	work = a.keep or tempfile.mkdtemp(prefix="sw-stream-e2e-")
	os.makedirs(work, exist_ok=True)
	sw = Runner(a, work)
	try:
		if not a.no_regen:
			offline.check_generated(a, work, fix, "evasion.py")
		offline.check_rules_load(a, rules)
		cfgs = {}
		for pol in ("linux", "first"):
			cfgs[pol] = os.path.join(work, pol + ".yaml")
			with open(cfgs[pol], "w") as fh:
				fh.write("host-os-policy:\n  %s: [%s]\n" % (pol, SERVER))
		for name in sorted(exp):
			c = exp[name]
			args = ["-r", os.path.join(fix, c["pcap"]), "-S", rules, "--threads", "1"]
			if c["config"]:
				args = ["-c", cfgs[c["config"]]] + args
			runs = []
			for i in (1, 2):
				rc, _, _, ev = sw.run(args, "%s run %d" % (name, i))
				if rc != 0:
					break
				runs.append(ev)
			if len(runs) != 2:
				continue
			ev = runs[0]
			got = collections.Counter(str(e["alert"]["signature_id"]) for e in ev if e.get("event_type") == "alert")
			R.check("%s (policy %s): alerts %r" % (name, c["config"] or "default (bsd)", c["alerts"]),
				dict(got) == {k: v for k, v in c["alerts"].items() if v}, "got %r" % dict(got))
			R.check("%s: the second run gives the same events" % name,
				[json.dumps(e, sort_keys=True) for e in runs[0] if e.get("event_type") != "stats"] ==
				[json.dumps(e, sort_keys=True) for e in runs[1] if e.get("event_type") != "stats"])
			st = [e for e in ev if e.get("event_type") == "stats"]
			tcp = st[-1]["stats"].get("tcp", {}) if st else {}
			for k in c["counters"]:
				R.check("%s: stats.tcp.%s counted" % (name, k), tcp.get(k, 0) > 0, "stats.tcp: %r" % tcp)
			flows = [e for e in ev if e.get("event_type") == "flow"]
			R.check("%s: one flow record, tcp.state closed" % name,
				len(flows) == 1 and flows[0].get("tcp", {}).get("state") == "closed",
				"flows: %r" % [f.get("tcp") for f in flows])
	finally:
		if not a.keep:
			shutil.rmtree(work, ignore_errors=True)
	print("%d passed, %d failed" % (R.passed, R.failed))
	return 1 if R.failed else 0


if __name__ == "__main__":
	sys.exit(main())
