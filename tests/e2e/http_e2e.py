#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTP/1.x application-layer end-to-end test: run sidewall on the captures
of tests/gen/http.py with tests/e2e/http.rules and check its EVE output
against the generator's expectations (tests/fixtures/pcap/http*.json).

  http_e2e.py SIDEWALL [--src REPO] [--schema FILE] [--keep DIR]
  http_e2e.py --sidewall SIDEWALL ...

Checks (one PASS/FAIL line each, then "N passed, N failed"; exit 1 if any failed):
  - the committed captures are tests/gen/http.py's current output;
  - -T accepts every rule of http.rules;
  - transport baseline (eve types alert, flow, stats; only the "alert tcp"
    rules): per flow exactly one record with exact packets/bytes/state,
    the raw-stream alerts and none of the raw negatives, schema, same
    events for --threads 1, 2, 4.  Independent of the application layer;
  - application layer (eve types alert, flow, http, stats; all rules):
    everything above with every rule, plus app_proto of each flow record
    ("http", or "failed" for the non-HTTP flow on port 80), each alert's
    app_proto, tx_id and http object, one "http" record per transaction
    with exact hostname/http_port/url/http_user_agent/http_content_type/
    http_method/protocol/status/length/http_refer/redirect/xff (absent
    where the transaction has none), every line valid against the EVE
    schema, and the same events for --threads 1, 2 and 4.
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offline  # noqa: E402
from offline import R, same_events, Runner, check_events, event_set, ev_key, flow_key, rev_key, merge_expected  # noqa: E402

CAPTURES = ["http.pcap", "http_v6.pcap"]
# The fields of the "http" object (Suricata's EveHttpLogJSONBasic + Extended);
# a key in this set that the transaction does not have must be absent.
HTTP_KEYS = {"hostname", "http_port", "url", "http_user_agent", "xff", "http_content_type", "http_method",
	     "protocol", "status", "length", "http_refer", "redirect"}
REQ_KEYS = {"hostname", "http_port", "url", "http_user_agent", "xff", "http_method", "protocol", "http_refer"}
RESP_KEYS = {"status", "http_content_type", "redirect"}

EVE_BASE = """outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
        - flow
%s        - stats
"""
# Suricata's default suricata.yaml spells the http logger with
# "extended: yes"; without it Suricata writes only hostname/url/user agent/
# content type, and this test expects the extended fields.
HTTP_EXTENDED = "        - http:\n            extended: yes\n"
HTTP_PLAIN = "        - http\n"


def check_app(label, events, exp):
	"""app_proto, alert tx/http objects, and the http records."""
	side = exp["rule_side"]
	flows = {flow_key(f): f for f in exp["flows"]}

	def which(e):
		k = ev_key(e)
		return k if k in flows else rev_key(k) if rev_key(k) in flows else None

	# app_proto on the flow records.
	errs = []
	for e in events:
		if e.get("event_type") != "flow":
			continue
		k = which(e)
		if k is not None and e.get("app_proto") != flows[k]["app_proto"]:
			errs.append("%s: app_proto expected %r, got %r" % (k, flows[k]["app_proto"], e.get("app_proto")))
	R.check("%s: app_proto of every flow record (http by content on any port, failed for the non-HTTP flow)"
		% label, not errs, "\n".join(errs))

	# Alerts: app_proto, tx_id, http object.
	errs = []
	for e in events:
		if e.get("event_type") != "alert":
			continue
		sid = str(e.get("alert", {}).get("signature_id"))
		k = which(e)
		if k is None:
			continue
		f = flows[k]
		s = side.get(sid)
		if s == "raw":
			# A raw-stream match on an HTTP flow: detection saw the same bytes
			# first, so the alert names the protocol; on the failed flow the
			# alert may come before detection gave up.
			want = {f["app_proto"]} if f["app_proto"] == "http" else {None, f["app_proto"]}
			if e.get("app_proto") not in want:
				errs.append("sid %s on %s: app_proto %r, expected one of %r" % (sid, k, e.get("app_proto"), want))
			continue
		if e.get("app_proto") != "http":
			errs.append("sid %s on %s: app_proto %r, expected 'http'" % (sid, k, e.get("app_proto")))
		txs = f["alert_tx"].get(sid)
		if txs is None:
			continue  # an unexpected alert: the per-flow sid check reports it
		if e.get("tx_id") not in txs:
			errs.append("sid %s on %s: tx_id %r, expected %r" % (sid, k, e.get("tx_id"), txs))
			continue
		want = f["http"][e["tx_id"]]
		keys = REQ_KEYS | (RESP_KEYS if s == "response" else set())
		got = e.get("http")
		if not isinstance(got, dict):
			errs.append("sid %s on %s: no http object" % (sid, k))
			continue
		for key in sorted(keys):
			if got.get(key) != want.get(key):
				errs.append("sid %s on %s tx %d: http.%s expected %r, got %r" % (sid, k, e["tx_id"], key,
												want.get(key), got.get(key)))
	R.check("%s: alerts of http rules carry app_proto http, their transaction's tx_id and http object"
		% label, not errs, "\n".join(errs[:30]))

	# http records: one per transaction, oriented client->server, exact fields.
	recs = collections.defaultdict(list)
	errs = []
	for e in events:
		if e.get("event_type") != "http":
			continue
		k = ev_key(e)
		if k in flows:
			recs[k].append(e)
		elif rev_key(k) in flows:
			errs.append("http record tx %r of %s oriented server->client" % (e.get("tx_id"), rev_key(k)))
		else:
			errs.append("http record on %s matches no flow sent" % (k,))
	ntx = 0
	for k, f in flows.items():
		want = f["http"]
		ntx += len(want)
		got = sorted(recs.get(k, []), key=lambda r: (r.get("tx_id") if isinstance(r.get("tx_id"), int) else -1))
		gids = [r.get("tx_id") for r in got]
		if gids != [t["tx_id"] for t in want]:
			errs.append("%s: http records with tx_id %r, expected %r" % (k, gids, [t["tx_id"] for t in want]))
			continue
		for r, t in zip(got, want):
			h = r.get("http") or {}
			for key in sorted(HTTP_KEYS):
				if h.get(key) != t.get(key):
					w, g = t.get(key), h.get(key)
					if isinstance(w, str) and len(w) > 120:
						w = "%s...(%d chars)" % (w[:60], len(w))
					if isinstance(g, str) and len(g) > 120:
						g = "%s...(%d chars)" % (g[:60], len(g))
					errs.append("%s tx %d: http.%s expected %r, got %r" % (k, t["tx_id"], key, w, g))
	R.check("%s: %d http records, one per transaction, client->server, exact fields" % (label, ntx),
		not errs, "\n".join(errs[:40]))


def main():
	a = offline.e2e_args(lambda ap: ap.add_argument("--no-regen", action="store_true",
							help="skip the fixtures-are-current check"))
	fix = os.path.join(a.src, "tests", "fixtures", "pcap")
	rules = os.path.join(a.src, "tests", "e2e", "http.rules")
	classes = offline.repo_classes(a.src)
	meta = offline.load_rules_meta(rules, classes)
	exps = {c: json.load(open(os.path.join(fix, c.rsplit(".", 1)[0] + ".json"))) for c in CAPTURES}

	work = a.keep or tempfile.mkdtemp(prefix="sw-http-e2e-")
	os.makedirs(work, exist_ok=True)
	sw = Runner(a, work)
	try:
		# 0. The committed captures are the generator's output.
		if not a.no_regen:
			offline.check_generated(a, work, fix, "http.py")

		# 1. Every rule loads.
		offline.check_rules_load(a, rules)

		# 2. Transport baseline: alert tcp rules only, no http logger.
		base_cfg = os.path.join(work, "base.yaml")
		with open(base_cfg, "w") as fh:
			fh.write(EVE_BASE % "")
		base_rules = os.path.join(work, "tcp-only.rules")
		tsids = offline.header_rules(rules, base_rules, ("tcp",))
		bexps = {c: offline.only_sids(exps[c], tsids) for c in CAPTURES}
		for cap in CAPTURES:
			label = "baseline %s" % cap
			rc, _, _, ev = sw.run(["-c", base_cfg, "-r", os.path.join(fix, cap), "-S", base_rules], label)
			if rc == 0:
				check_events(label, ev, bexps[cap], meta)
		margs = []
		for cap in CAPTURES:
			margs += ["-r", os.path.join(fix, cap)]
		sets = {}
		for nt in (1, 2, 4):
			label = "baseline both files --threads %d" % nt
			rc, _, _, ev = sw.run(["-c", base_cfg] + margs + ["-S", base_rules, "--threads", str(nt)], label)
			if rc == 0:
				check_events(label, ev, merge_expected([bexps[c] for c in CAPTURES]), meta)
				sets[nt] = event_set(ev)
		same_events("baseline", sets)

		# 3. Application layer: every rule, http records.
		cfg = os.path.join(work, "http.yaml")
		with open(cfg, "w") as fh:
			fh.write(EVE_BASE % HTTP_EXTENDED)
		p = subprocess.run([a.sidewall, "-T", "-c", cfg, "-S", base_rules], capture_output=True, text=True,
				   timeout=60, cwd=a.src)
		R.check("config with eve type '- http: {extended: yes}' (Suricata's default spelling) accepted",
			p.returncode == 0, (p.stdout + p.stderr).strip()[-600:])
		if p.returncode != 0:
			# Fall back to the plain "- http" spelling so the rest still says something.
			with open(cfg, "w") as fh:
				fh.write(EVE_BASE % HTTP_PLAIN)
		for cap in CAPTURES:
			rc, _, _, ev = sw.run(["-c", cfg, "-r", os.path.join(fix, cap), "-S", rules], cap)
			if rc == 0:
				check_events(cap, ev, exps[cap], meta)
				check_app(cap, ev, exps[cap])
		sets = {}
		for nt in (1, 2, 4):
			label = "both files --threads %d" % nt
			rc, _, _, ev = sw.run(["-c", cfg] + margs + ["-S", rules, "--threads", str(nt)], label)
			if rc == 0:
				m = merge_expected([exps[c] for c in CAPTURES])
				m["rule_side"] = exps[CAPTURES[0]]["rule_side"]
				check_events(label, ev, m, meta)
				check_app(label, ev, m)
				sets[nt] = event_set(ev)
		same_events("http", sets)

		# 4. IPS simulated on a capture: a transaction drop rule alerts "allowed",
		# writes one drop event naming it, and marks the flow dropped (scenario B's
		# POST /login.php, request-body rule); a flow without it is not marked.
		ips_cfg = os.path.join(work, "ips.yaml")
		with open(ips_cfg, "w") as fh:
			fh.write(EVE_BASE % (HTTP_PLAIN + "        - drop\n"))
		drop_rules = os.path.join(work, "drop.rules")
		with open(drop_rules, "w") as fh:
			fh.write('drop http any any -> any any (msg:"IPS drop on a request body"; flow:to_server; '
				 'http.request_body; content:"user="; sid:2109001; rev:1;)\n')
		rc, _, _, ev = sw.run(["-c", ips_cfg, "-r", os.path.join(fix, "http.pcap"), "-S", drop_rules,
				       "--simulate-ips"], "simulate-ips")
		if rc == 0:
			al = [e for e in ev if e.get("event_type") == "alert"]
			dr = [e for e in ev if e.get("event_type") == "drop"]
			fl = [e for e in ev if e.get("event_type") == "flow" and e.get("flow", {}).get("action") == "drop"]
			R.check("--simulate-ips -r: one alert (allowed), one drop event (rules (simulated), sid 2109001), "
				"one flow marked drop",
				len(al) == 1 and al[0]["alert"]["action"] == "allowed" and len(dr) == 1 and
				dr[0]["drop"]["reason"] == "rules (simulated)" and
				dr[0].get("alert", {}).get("signature_id") == 2109001 and len(fl) == 1 and
				fl[0]["flow_id"] == al[0]["flow_id"],
				"alerts %r, drops %r, dropped flows %d" % ([a["alert"] for a in al], [d.get("drop") for d in dr],
									   len(fl)))
		rc, _, _, ev = sw.run(["-c", ips_cfg, "-r", os.path.join(fix, "http.pcap"), "-S", drop_rules], "ids")
		if rc == 0:
			R.check("without --simulate-ips (IDS): the drop rule only alerts, no drop event, no flow marked drop",
				sum(1 for e in ev if e.get("event_type") == "alert") == 1 and
				not any(e.get("event_type") == "drop" for e in ev) and
				not any(e.get("flow", {}).get("action") for e in ev if e.get("event_type") == "flow"),
				"events: %r" % [e.get("event_type") for e in ev][:40])
	finally:
		if not a.keep:
			shutil.rmtree(work, ignore_errors=True)

	print("%d passed, %d failed" % (R.passed, R.failed))
	return 1 if R.failed else 0


if __name__ == "__main__":
	sys.exit(main())
