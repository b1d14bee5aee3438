#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""DNS application-layer end-to-end test: run sidewall on the capture of
tests/gen/dns.py with tests/e2e/dns.rules and check its EVE output against
the generator's expectations (tests/fixtures/pcap/dns.json).

  dns_e2e.py SIDEWALL [--src REPO] [--schema FILE] [--keep DIR]
  dns_e2e.py --sidewall SIDEWALL ...

Checks (one PASS/FAIL line each, then "N passed, N failed"; exit 1 if any failed):
  - the committed capture is tests/gen/dns.py's current output;
  - -T accepts every rule of dns.rules; -T refuses "flow:to_client; dns.query",
    "flow:to_server; dns.response.rrname" and dns.query with
    dns.response.rrname (Suricata: dns_query is a to-server buffer,
    dns.response.rrname a to-client one, "mixes keywords with conflicting
    directions");
  - transport baseline (eve types alert, flow, stats; only the "alert udp"
    rules): per flow exactly one record with exact packets/bytes/state, the
    raw alerts, schema, same events for --threads 1, 2, 4.  The response
    without a query is checked on its own: Suricata's detection reverses
    that flow (client->server record, counters swapped);
  - application layer (eve types alert, flow, dns, stats; all rules):
    everything above with every rule, plus app_proto of each flow record
    ("dns", "failed" off port 53), each alert's app_proto, tx_id and dns
    object, one "dns" record per transaction (each request and each response
    message is a transaction, Suricata 7/8) in packet direction with the exact
    v3 object (version, type, tx_id, id, flags, qr/aa/tc/rd/ra/z, opcode,
    rcode, queries, answers, grouped), stats.app_layer flow/tx/error counters
    (the pointer-loop message counted as a parser error), and the same
    events for --threads 1, 2 and 4.
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
from offline import R, same_events, Runner, check_events, event_set, ev_key, flow_key, rev_key  # noqa: E402

CAPTURE = "dns.pcap"
DNS_KEYS = ["version", "type", "tx_id", "id", "flags", "qr", "aa", "tc", "rd", "ra", "z", "opcode", "rcode",
	    "queries", "answers", "grouped", "authorities", "additionals"]

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
DNS_TYPE = "        - dns\n"


def split_reversed(events, exp):
	"""(events, exp) without the flows detection reverses, and those flows."""
	rev = [f for f in exp["flows"] if f.get("reversed_by_detection")]
	keys = set()
	for f in rev:
		keys.add(flow_key(f))
		keys.add(rev_key(flow_key(f)))
	e = json.loads(json.dumps(exp))
	e["flows"] = [f for f in e["flows"] if not f.get("reversed_by_detection")]
	for f in rev:
		for sid, n in f["alerts"].items():
			e["alerts"][sid] -= n
		for sid, n in f["alerts_knone"].items():
			e["alerts_knone"][sid] -= n
	e["alerts"] = {k: v for k, v in e["alerts"].items() if v}
	e["alerts_knone"] = {k: v for k, v in e["alerts_knone"].items() if v}
	ev = [x for x in events if x.get("event_type") == "stats" or ev_key(x) not in keys]
	return ev, e, rev, [x for x in events if x.get("event_type") != "stats" and ev_key(x) in keys]


def check_reversed(label, rev, evs):
	for f in rev:
		k = flow_key(f)
		recs = [e for e in evs if e.get("event_type") == "flow"]
		errs = []
		if len(recs) != 1:
			errs.append("expected 1 flow record, got %d" % len(recs))
		else:
			r = recs[0]
			if ev_key(r) != k:
				errs.append("oriented %s, expected %s (Suricata FlowSwap after detecting a response)" % (ev_key(r), k))
			fl = r.get("flow", {})
			for fld in ("pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient", "state"):
				if fl.get(fld) != f[fld]:
					errs.append("flow.%s expected %r, got %r" % (fld, f[fld], fl.get(fld)))
		R.check("%s: response without a query: one flow record reversed by detection to %s:%s -> %s:%s, "
			"counters swapped, state new" % (label, k[1], k[2], k[3], k[4]), not errs, "\n".join(errs))


def check_app(label, events, exp):
	side = exp["rule_side"]
	flows = {flow_key(f): f for f in exp["flows"]}

	def which(e):
		k = ev_key(e)
		return k if k in flows else rev_key(k) if rev_key(k) in flows else None

	errs = []
	for e in events:
		if e.get("event_type") != "flow":
			continue
		k = which(e)
		if k is not None and e.get("app_proto") != flows[k]["app_proto"]:
			errs.append("%s: app_proto expected %r, got %r" % (k, flows[k]["app_proto"], e.get("app_proto")))
	R.check("%s: app_proto of every flow record (dns on port 53, UDP and TCP; failed on port 5300)" % label,
		not errs, "\n".join(errs))

	errs = []
	for e in events:
		if e.get("event_type") != "alert":
			continue
		sid = str(e.get("alert", {}).get("signature_id"))
		k = which(e)
		if k is None:
			continue
		f = flows[k]
		if e.get("app_proto") != f["app_proto"]:
			errs.append("sid %s on %s: app_proto %r, expected %r" % (sid, k, e.get("app_proto"), f["app_proto"]))
		if side.get(sid) == "raw":
			continue
		txs = f["alert_tx"].get(sid)
		if txs is None:
			continue  # unexpected alert: the per-flow sid check reports it
		if e.get("tx_id") not in txs:
			errs.append("sid %s on %s: tx_id %r, expected %r" % (sid, k, e.get("tx_id"), txs))
			continue
		want = f["dns"][e["tx_id"]]["alert_dns"]
		got = e.get("dns")
		if not isinstance(got, dict):
			errs.append("sid %s on %s: no dns object" % (sid, k))
			continue
		for key in DNS_KEYS:
			if got.get(key) != want.get(key):
				errs.append("sid %s on %s tx %d: dns.%s expected %r, got %r" % (sid, k, e["tx_id"], key,
											       want.get(key), got.get(key)))
		extra = sorted(set(got) - set(DNS_KEYS))
		if extra:
			errs.append("sid %s on %s: dns object has unexpected keys %r" % (sid, k, extra))
	R.check("%s: alerts carry their flow's app_proto; transaction alerts the tx_id of their message "
		"(request or response) and its dns object (v3, detailed: no grouped)" % label, not errs, "\n".join(errs[:30]))

	# dns records: one per transaction (message), request client->server,
	# response server->client, exact object.
	recs = collections.defaultdict(list)
	errs = []
	for e in events:
		if e.get("event_type") != "dns":
			continue
		k = which(e)
		if k is None:
			errs.append("dns record on %s matches no flow sent" % (ev_key(e),))
			continue
		recs[k].append(e)
	ntx = 0
	for k, f in flows.items():
		want = f["dns"]
		ntx += len(want)
		got = sorted(recs.get(k, []), key=lambda r: (r.get("dns", {}).get("tx_id")
							     if isinstance(r.get("dns", {}).get("tx_id"), int) else -1))
		gids = [r.get("dns", {}).get("tx_id") for r in got]
		if gids != [t["tx_id"] for t in want]:
			errs.append("%s: dns records with tx_id %r, expected %r (types %r)" % (
				k, gids, [t["tx_id"] for t in want], [r.get("dns", {}).get("type") for r in got]))
			continue
		for r, t in zip(got, want):
			wk = k if t["dir"] == "toserver" else rev_key(k)
			if ev_key(r) != wk:
				errs.append("%s tx %d (%s): record oriented %s, expected %s" % (k, t["tx_id"], t["dns"]["type"],
												 ev_key(r), wk))
			d = r.get("dns") or {}
			for key in DNS_KEYS:
				if d.get(key) != t["dns"].get(key):
					errs.append("%s tx %d: dns.%s expected %r, got %r" % (k, t["tx_id"], key, t["dns"].get(key),
											       d.get(key)))
			extra = sorted(set(d) - set(DNS_KEYS))
			if extra:
				errs.append("%s tx %d: unexpected dns keys %r" % (k, t["tx_id"], extra))
	R.check("%s: %d dns records, one per request/response message, in packet direction, exact v3 objects"
		% (label, ntx), not errs, "\n".join(errs[:40]))

	st = [e for e in events if e.get("event_type") == "stats"]
	al = st[-1].get("stats", {}).get("app_layer", {}) if st else {}
	want = exp["app_layer_stats"]
	got = {"flow_dns_udp": al.get("flow", {}).get("dns_udp"), "flow_dns_tcp": al.get("flow", {}).get("dns_tcp"),
	       "flow_failed_udp": al.get("flow", {}).get("failed_udp"),
	       "flow_failed_tcp": al.get("flow", {}).get("failed_tcp"),
	       "tx_dns_udp": al.get("tx", {}).get("dns_udp"), "tx_dns_tcp": al.get("tx", {}).get("dns_tcp"),
	       "error_dns_udp_parser": al.get("error", {}).get("dns_udp", {}).get("parser")}
	R.check("%s: stats.app_layer flow.dns_udp/dns_tcp/failed_udp/failed_tcp, tx.dns_udp/dns_tcp, "
		"error.dns_udp.parser (the pointer loop) exact" % label, got == want,
		"\n".join("%s: expected %r, got %r" % (k, want[k], got[k]) for k in sorted(want) if want[k] != got[k]))


def main():
	a = offline.e2e_args(lambda ap: ap.add_argument("--no-regen", action="store_true",
							help="skip the fixtures-are-current check"))
	fix = os.path.join(a.src, "tests", "fixtures", "pcap")
	rules = os.path.join(a.src, "tests", "e2e", "dns.rules")
	classes = offline.repo_classes(a.src)
	meta = offline.load_rules_meta(rules, classes)
	exp = json.load(open(os.path.join(fix, "dns.json")))
	pcap = os.path.join(fix, CAPTURE)

	work = a.keep or tempfile.mkdtemp(prefix="sw-dns-e2e-")
	os.makedirs(work, exist_ok=True)
	sw = Runner(a, work)
	try:
		# 0. The committed capture is the generator's output.
		if not a.no_regen:
			offline.check_generated(a, work, fix, "dns.py")

		# 1. Every rule loads; a to_client dns.query rule does not (Suricata refuses it).
		offline.check_rules_load(a, rules)
		for what, opts in (("flow:to_client; dns.query", "flow:to_client; dns.query; content:\"www.example.com\";"),
				   ("flow:to_server; dns.response.rrname",
				    "flow:to_server; dns.response.rrname; content:\"www.example.com\";"),
				   ("dns.query with dns.response.rrname",
				    "dns.query; content:\"a\"; dns.response.rrname; content:\"b\";")):
			tc = os.path.join(work, "conflict.rules")
			with open(tc, "w") as fh:
				fh.write('alert dns any any -> any any (msg:"conflicting directions"; %s sid:2309001; rev:1;)\n'
					 % opts)
			p = subprocess.run([a.sidewall, "-T", "-S", tc], capture_output=True, text=True, timeout=60, cwd=a.src)
			out = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
			R.check("-T refuses '%s' (conflicting directions): 'rules: 0 loaded, 1 rejected', exit non-zero"
				% what, p.returncode != 0 and out and out[-1] == "rules: 0 loaded, 1 rejected",
				"exit %d, output:\n%s" % (p.returncode, "\n".join(out[-10:])))

		# 2. Transport baseline: alert udp rules only, no dns logger.
		base_cfg = os.path.join(work, "base.yaml")
		with open(base_cfg, "w") as fh:
			fh.write(EVE_BASE % "")
		base_rules = os.path.join(work, "raw-only.rules")
		rsids = offline.header_rules(rules, base_rules, ("udp", "tcp"))
		bexp = offline.only_sids(exp, rsids)
		sets = {}
		for nt in (1, 2, 4):
			label = "baseline --threads %d" % nt
			rc, _, _, ev = sw.run(["-c", base_cfg, "-r", pcap, "-S", base_rules, "--threads", str(nt)], label)
			if rc == 0:
				ev2, e2, rev, rev_ev = split_reversed(ev, bexp)
				check_events(label, ev2, e2, meta)
				if nt == 1:
					check_reversed(label, rev, rev_ev)
				sets[nt] = event_set(ev)
		same_events("baseline", sets)

		# 3. Application layer: every rule, dns records.
		cfg = os.path.join(work, "dns.yaml")
		with open(cfg, "w") as fh:
			fh.write(EVE_BASE % DNS_TYPE)
		p = subprocess.run([a.sidewall, "-T", "-c", cfg, "-S", base_rules], capture_output=True, text=True,
				   timeout=60, cwd=a.src)
		R.check("config with eve type '- dns' accepted", p.returncode == 0, (p.stdout + p.stderr).strip()[-600:])
		if p.returncode != 0:
			# Without the dns logger, so alerts, app_proto and stats still say something.
			with open(cfg, "w") as fh:
				fh.write(EVE_BASE % "")
		sets = {}
		for nt in (1, 2, 4):
			label = "dns.pcap --threads %d" % nt
			rc, _, _, ev = sw.run(["-c", cfg, "-r", pcap, "-S", rules, "--threads", str(nt)], label)
			if rc == 0:
				check_events(label, ev, exp, meta)
				check_app(label, ev, exp)
				sets[nt] = event_set(ev)
		same_events("dns", sets)
	finally:
		if not a.keep:
			shutil.rmtree(work, ignore_errors=True)

	print("%d passed, %d failed" % (R.passed, R.failed))
	return 1 if R.failed else 0


if __name__ == "__main__":
	sys.exit(main())
