#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Offline end-to-end test: run sidewall on the generated captures and check
its EVE output against what tests/gen/traffic.py says it sent.

  offline.py --sidewall BUILD/sidewall [--src REPO] [--schema FILE] [--keep DIR]

Checks (each prints PASS/FAIL with expected vs got; the last line is
"N passed, N failed"; exit status 1 if anything failed):
  - the committed fixtures are what the generator produces today;
  - per capture (pcap, pcapng, IPv6, VLAN/QinQ, SLL, bad checksums, several
    files in one run, the demo): exact alerts by sid with counts, per flow
    exactly one final flow record oriented client->server with exact packet
    and byte counts, start/end from packet time, age, state, reason, the
    alerted flag, alert metadata (signature, rev, gid, category, severity),
    alerts carrying their flow's flow_id, one stats event and it is last,
    every timestamp in Suricata's format, every line valid against the EVE
    schema; the demo also without -S (the shipped default config);
  - -k none makes bad-checksum packets match, the default does not;
  - IP fragments (frag.pcap): stats.defrag counts and the overlap event
    are exactly what the generator sent, and with defrag disabled none of
    its alerts fire (the content only exists in the reassembled datagrams);
    with defrag.policy first the overlap only bsd resolves does not alert;
  - TCP out of order (ooo.pcap): a content split over segments sent in
    reverse order alerts exactly once (IPv4, IPv6, across the 2^32 wrap),
    a content after a gap that never fills alerts once when its flow ends,
    and stats.tcp.reassembly_gap counts that gap;
  - the same events with --threads 1, 2 and 4;
  - -T: exact error lines and "rules: N loaded, M rejected" with its exit
    status, on bad and on good rule files;
  - fatal errors (unreadable or non-pcap capture, invalid config, no rules)
    exit non-zero with a one-line reason.
"""
import argparse
import collections
import filecmp
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}$")
CAPTURES = ["basic.pcap", "basic.pcapng", "ipv6.pcap", "vlan.pcap", "sll.pcap", "badcsum.pcap", "frag.pcap", "ooo.pcap"]


class Results:
	def __init__(self):
		self.passed = 0
		self.failed = 0

	def check(self, name, ok, detail=""):
		if ok:
			self.passed += 1
			print("PASS %s" % name)
		else:
			self.failed += 1
			print("FAIL %s" % name)
			for line in str(detail).splitlines()[:40]:
				print("     %s" % line)
		return ok


R = Results()


def load_rules_meta(path, classes):
	"""sid -> (msg, rev, category, severity) parsed from a rules file (simple
	parser: enough for the rules this test ships)."""
	meta = {}
	for line in open(path, encoding="utf-8"):
		line = line.strip()
		if not line or line.startswith("#"):
			continue
		m = re.search(r"\bsid\s*:\s*(\d+)", line)
		if not m:
			continue
		sid = int(m.group(1))
		msg = re.search(r'msg\s*:\s*"((?:[^"\\]|\\.)*)"', line)
		rev = re.search(r"\brev\s*:\s*(\d+)", line)
		ct = re.search(r"\bclasstype\s*:\s*([\w-]+)", line)
		prio = re.search(r"\bpriority\s*:\s*(\d+)", line)
		cat, sev = classes.get(ct.group(1), ("", 3)) if ct else ("", 3)
		if prio:
			sev = int(prio.group(1))
		meta[sid] = (msg.group(1) if msg else "", int(rev.group(1)) if rev else 0, cat if ct else None, sev)
	return meta


def load_classes(path):
	classes = {}
	if not os.path.exists(path):
		return classes
	for line in open(path, encoding="utf-8"):
		m = re.match(r"^config classification:\s*([^,]+),([^,]+),\s*(\d+)", line)
		if m:
			classes[m.group(1).strip()] = (m.group(2).strip(), int(m.group(3)))
	return classes


class Runner:
	def __init__(self, a, work):
		self.a, self.work, self.n = a, work, 0
		self.validator = None
		if a.schema != "none":
			import jsonschema
			schema = json.load(open(a.schema))
			self.validator = jsonschema.validators.validator_for(schema)(schema)

	def run(self, args, label, timeout=300):
		"""Run sidewall with a fresh log dir; returns (rc, stdout, stderr, events)."""
		self.n += 1
		logdir = os.path.join(self.work, "run%02d-%s" % (self.n, re.sub(r"[^\w.-]+", "_", label)))
		os.makedirs(logdir)
		cmd = [self.a.sidewall] + args + ["-l", logdir]
		try:
			p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.a.src)
		except subprocess.TimeoutExpired:
			R.check("%s: finishes within %ds" % (label, timeout), False, " ".join(cmd))
			return None, "", "", []
		events = []
		bad_json = []
		path = os.path.join(logdir, "eve.json")
		if os.path.exists(path):
			for i, line in enumerate(open(path, encoding="utf-8"), 1):
				try:
					events.append(json.loads(line))
				except ValueError as e:
					bad_json.append("line %d: %s: %r" % (i, e, line[:200]))
		if p.returncode != 0:
			R.check("%s: exit status 0" % label, False,
				"command: %s\nexit %d\nstderr: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[-2000:]))
			return p.returncode, p.stdout, p.stderr, events
		R.check("%s: eve.json exists, every line is JSON" % label, os.path.exists(path) and not bad_json,
			"missing %s" % path if not os.path.exists(path) else "\n".join(bad_json[:10]))
		if self.validator is not None:
			errs = []
			for i, ev in enumerate(events, 1):
				for e in self.validator.iter_errors(ev):
					errs.append("event %d (%s): at %s: %s" % (i, ev.get("event_type"),
						"/".join(str(x) for x in e.absolute_path) or "/", e.message[:300]))
			R.check("%s: %d events valid against the EVE schema" % (label, len(events)), not errs, "\n".join(errs[:20]))
		return p.returncode, p.stdout, p.stderr, events


def norm_ip(s):
	try:
		return str(ipaddress.ip_address(s))
	except (ValueError, TypeError):
		return s


def ev_key(ev):
	"""(proto, src, sport, dst, dport) of an EVE event, addresses normalized."""
	return (ev.get("proto"), norm_ip(ev.get("src_ip")), ev.get("src_port"), norm_ip(ev.get("dest_ip")), ev.get("dest_port"))


def flow_key(f):
	return (f["proto"], norm_ip(f["src_ip"]), f.get("src_port"), norm_ip(f["dest_ip"]), f.get("dest_port"))


def rev_key(k):
	return (k[0], k[3], k[4], k[1], k[2])


def diff_counts(exp, got):
	lines = []
	for sid in sorted(set(exp) | set(got), key=lambda s: int(s)):
		if exp.get(sid, 0) != got.get(sid, 0):
			lines.append("sid %s: expected %d, got %d" % (sid, exp.get(sid, 0), got.get(sid, 0)))
	return "\n".join(lines)


def check_events(label, events, exp, meta, knone=False):
	"""Every check of one run's events against the generator's expectations."""
	alerts = [e for e in events if e.get("event_type") == "alert"]
	flows = [e for e in events if e.get("event_type") == "flow"]
	stats = [e for e in events if e.get("event_type") == "stats"]
	want_total = exp["alerts_knone"] if knone else exp["alerts"]

	got_total = collections.Counter(str(e.get("alert", {}).get("signature_id")) for e in alerts)
	R.check("%s: alerts by sid (%d expected)" % (label, sum(want_total.values())),
		dict(got_total) == want_total, diff_counts(want_total, dict(got_total)))

	# Timestamps: Suricata's format, from packet time.
	bad_ts = [("%s %r" % (e.get("event_type"), e.get("timestamp"))) for e in events
		  if not TS_RE.match(str(e.get("timestamp", "")))]
	R.check("%s: every timestamp looks like 2024-01-02T03:04:05.123456+0000" % label, not bad_ts, "\n".join(bad_ts[:10]))
	lo, hi = exp["first_ts"], exp["last_ts"]
	out = ["%s %s" % (e["event_type"], e.get("timestamp")) for e in alerts + flows
	       if TS_RE.match(str(e.get("timestamp", ""))) and not (lo[:26] <= e["timestamp"][:26] <= hi[:26])]
	R.check("%s: alert/flow timestamps are packet times in [%s, %s]" % (label, lo, hi), not out, "\n".join(out[:10]))

	# Alert metadata from the rules file and classification.config.
	bad_meta = []
	for e in alerts:
		a = e.get("alert", {})
		sid = a.get("signature_id")
		if sid not in meta:
			continue
		msg, rev, cat, sev = meta[sid]
		got = (a.get("signature"), a.get("rev"), a.get("gid"), a.get("severity"), a.get("action"))
		want = (msg, rev, 1, sev, "allowed")
		if got != want or (cat is not None and a.get("category") != cat):
			bad_meta.append("sid %s: expected signature/rev/gid/severity/action %r category %r, got %r category %r"
					% (sid, want, cat, got, a.get("category")))
	R.check("%s: alert signature, rev, gid, category, severity, action" % label, not bad_meta, "\n".join(bad_meta[:10]))

	# Flows: exactly one final record per flow sent, oriented client->server.
	by_key = collections.defaultdict(list)
	for e in flows:
		by_key[ev_key(e)].append(e)
	want_flows = {flow_key(f): f for f in exp["flows"]}
	errs = []
	flow_ids = {}
	for k, f in want_flows.items():
		recs = by_key.get(k, [])
		rrecs = by_key.get(rev_key(k), [])
		if len(recs) + len(rrecs) != 1:
			errs.append("%s: expected exactly 1 flow record, got %d (+%d reversed)" % (k, len(recs), len(rrecs)))
			continue
		if rrecs:
			errs.append("%s: flow record oriented server->client: src %s:%s" % (k, rrecs[0].get("src_ip"), rrecs[0].get("src_port")))
			continue
		rec = recs[0]
		flow_ids[k] = rec.get("flow_id")
		fl = rec.get("flow", {})
		fields = ["start", "end", "age"]
		if knone or not f["bad_checksum"]:
			fields = ["pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient"] + fields
		if "state" in f:
			fields.append("state")
		for fld in fields:
			if fl.get(fld) != f[fld]:
				errs.append("%s: flow.%s expected %r, got %r" % (k, fld, f[fld], fl.get(fld)))
		if fl.get("reason") not in ("timeout", "shutdown", "forced"):
			errs.append("%s: flow.reason expected timeout/shutdown/forced, got %r" % (k, fl.get("reason")))
		want_alerted = bool(f["alerts_knone"] if knone else f["alerts"])
		if fl.get("alerted") is not want_alerted:
			errs.append("%s: flow.alerted expected %r, got %r" % (k, want_alerted, fl.get("alerted")))
	extra = [k for k in by_key if k not in want_flows]
	for k in extra:
		errs.append("%s: unexpected flow record (%d)" % (k, len(by_key[k])))
	R.check("%s: %d flows: one record each, client->server, exact pkts/bytes, start/end/age/state/reason/alerted"
		% (label, len(want_flows)), not errs, "\n".join(errs))

	# Per-flow alerts, and alerts carry their flow's flow_id.
	per_flow = collections.defaultdict(collections.Counter)
	errs = []
	for e in alerts:
		k = ev_key(e)
		fk = k if k in want_flows else rev_key(k) if rev_key(k) in want_flows else None
		if fk is None:
			errs.append("alert sid %s on %s matches no flow sent" % (e.get("alert", {}).get("signature_id"), k))
			continue
		per_flow[fk][str(e.get("alert", {}).get("signature_id"))] += 1
		if fk in flow_ids and e.get("flow_id") != flow_ids[fk]:
			errs.append("alert sid %s on %s: flow_id %r, its flow record has %r"
				    % (e.get("alert", {}).get("signature_id"), fk, e.get("flow_id"), flow_ids[fk]))
	for k, f in want_flows.items():
		want = f["alerts_knone"] if knone else f["alerts"]
		if dict(per_flow.get(k, {})) != want:
			errs.append("%s: %s" % (k, diff_counts(want, dict(per_flow.get(k, {}))).replace("\n", "; ")))
	R.check("%s: alerts per flow and their flow_id" % label, not errs, "\n".join(errs))

	R.check("%s: one stats event, last line" % label, len(stats) == 1 and events and events[-1].get("event_type") == "stats",
		"stats events: %d, last event: %s" % (len(stats), events[-1].get("event_type") if events else None))
	if stats:
		check_defrag(label, stats[-1].get("stats", {}), exp.get("defrag"))
		# Held out-of-order TCP data that never became contiguous: each run counted once.
		tcp = stats[-1].get("stats", {}).get("tcp", {})
		want = {"reassembly_gap": exp.get("stream_gaps", 0), "reassembly_memuse": 0}
		got = {k: tcp.get(k) for k in want}
		R.check("%s: stats.tcp.reassembly_gap exact, reassembly_memuse 0 after the last flow ended" % label,
			got == want, "expected %r, got %r" % (want, got))


def check_defrag(label, st, want):
	"""stats.defrag and the fragment decoder events against what the generator fragmented."""
	if want is None:
		want = {k: 0 for k in ("ipv4_fragments", "ipv4_reassembled", "ipv4_overlap",
				       "ipv6_fragments", "ipv6_reassembled", "ipv6_overlap")}
	df = st.get("defrag", {})
	ev = st.get("decoder", {}).get("event", {})
	got = {}
	for v in ("ipv4", "ipv6"):
		got[v + "_fragments"] = df.get(v, {}).get("fragments")
		got[v + "_reassembled"] = df.get(v, {}).get("reassembled")
		got[v + "_overlap"] = ev.get(v, {}).get("frag_overlap")
	R.check("%s: stats.defrag fragments/reassembled and decoder.event frag_overlap exact" % label, got == want,
		"expected %r\ngot      %r" % (want, got))


def merge_expected(exps):
	m = {"alerts": collections.Counter(), "alerts_knone": collections.Counter(), "flows": [],
	     "first_ts": min(e["first_ts"] for e in exps), "last_ts": max(e["last_ts"] for e in exps)}
	for e in exps:
		if "defrag" in e:
			m["defrag"] = collections.Counter(m.get("defrag", {}))
			m["defrag"].update(e["defrag"])
			m["defrag"] = dict(m["defrag"])
		m["stream_gaps"] = m.get("stream_gaps", 0) + e.get("stream_gaps", 0)
		m["alerts"].update(e["alerts"])
		m["alerts_knone"].update(e["alerts_knone"])
		m["flows"] += e["flows"]
	m["alerts"] = dict(m["alerts"])
	m["alerts_knone"] = dict(m["alerts_knone"])
	return m


def event_set(events):
	"""Events as comparable tuples, without order, flow_id, stats or wall-clock fields."""
	out = collections.Counter()
	for e in events:
		t = e.get("event_type")
		if t == "stats":
			continue
		d = dict(e)
		d.pop("flow_id", None)
		if t == "flow":
			# Which pass of the flow table ends a flow (timeout or shutdown) depends
			# on how far each worker's packet clock got: not part of the event set.
			d["flow"] = dict(d.get("flow", {}))
			d["flow"].pop("reason", None)
		out[json.dumps(d, sort_keys=True)] += 1
	return out


def same_events(label, sets, what="events"):
	"""@sets: thread count -> event_set() of a run; the 2- and 4-thread runs must equal the 1-thread one."""
	for nt in (2, 4):
		if 1 in sets and nt in sets:
			d1, dn = sets[1] - sets[nt], sets[nt] - sets[1]
			R.check("%s: same %s (ignoring order, flow_id, stats) with --threads 1 and %d" % (label, what, nt),
				not d1 and not dn,
				"\n".join(["only with 1 thread: " + k[:300] for k in list(d1)[:5]] +
					  ["only with %d threads: " % nt + k[:300] for k in list(dn)[:5]]))


def one_line_reason(label, rc, stderr):
	lines = [ln for ln in stderr.splitlines() if ln.strip()]
	R.check("%s: exits non-zero with a one-line reason" % label, rc not in (0, None) and len(lines) == 1,
		"exit %r, stderr lines: %r" % (rc, lines[:5]))
	return lines


def e2e_args(extra=None):
	"""The command line every offline e2e test takes: the sidewall binary
	(positional or --sidewall), --src (the repository), --schema (the EVE
	schema, 'none' to skip) and --keep (run directories); @extra(ap) adds a
	test's own options.  Returns the parsed arguments with absolute paths and
	the schema settled (a missing schema is a failed check, then skipped)."""
	here = os.path.dirname(os.path.abspath(__file__))
	ap = argparse.ArgumentParser()
	ap.add_argument("sidewall_pos", nargs="?", help="path of the sidewall binary")
	ap.add_argument("--sidewall", default=None)
	ap.add_argument("--src", default=os.path.normpath(os.path.join(here, "..", "..")))
	ap.add_argument("--schema", default=None, help="EVE JSON schema ('none' to skip)")
	ap.add_argument("--keep", default=None, help="keep run directories here")
	if extra:
		extra(ap)
	a = ap.parse_args()
	a.sidewall = a.sidewall or a.sidewall_pos
	if not a.sidewall:
		ap.error("the sidewall binary is required")
	a.src = os.path.abspath(a.src)
	a.sidewall = os.path.abspath(a.sidewall)
	if a.schema is None:
		a.schema = os.path.normpath(os.path.join(a.src, "..", "shared", "reference", "eve-schema.json"))
	if a.schema != "none" and not os.path.exists(a.schema):
		R.check("EVE schema present at %s" % a.schema, False, "CI puts shared/ beside the repository")
		a.schema = "none"
	return a


def header_rules(src, dst, protos):
	"""The rules of src whose header protocol is one of @protos (tcp, udp: raw stream
	or datagram, no application layer) into dst; their sids."""
	sids = set()
	pat = re.compile(r"^\s*alert\s+(%s)\s" % "|".join(protos))
	with open(dst, "w") as out:
		for line in open(src, encoding="utf-8"):
			if pat.match(line):
				out.write(line)
				sids.add(re.search(r"\bsid\s*:\s*(\d+)", line).group(1))
	return sids


def only_sids(exp, sids):
	"""A generator's expectations restricted to the alerts of @sids (flow.alerted follows)."""
	e = json.loads(json.dumps(exp))
	keep = lambda d: {k: v for k, v in d.items() if k in sids}  # noqa: E731
	e["alerts"], e["alerts_knone"] = keep(e["alerts"]), keep(e["alerts_knone"])
	for f in e["flows"]:
		f["alerts"], f["alerts_knone"] = keep(f["alerts"]), keep(f["alerts_knone"])
	return e


def check_rules_load(a, rules, tail=25):
	"""-T loads every rule of @rules: the summary 'rules: N loaded, 0 rejected' and exit 0."""
	n = sum(1 for ln in open(rules) if ln.strip() and not ln.lstrip().startswith("#"))
	p = subprocess.run([a.sidewall, "-T", "-S", rules], capture_output=True, text=True, timeout=60, cwd=a.src)
	out = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
	R.check("-T %s: 'rules: %d loaded, 0 rejected', exit 0" % (os.path.basename(rules), n),
		p.returncode == 0 and out and out[-1] == "rules: %d loaded, 0 rejected" % n,
		"exit %d, output:\n%s" % (p.returncode, "\n".join(out[-tail:])))


def check_generated(a, work, fix, gen):
	"""The committed captures in @fix are what tests/gen/@gen writes now (a generator's drift fails)."""
	regen = os.path.join(work, "regen")
	p = subprocess.run(["/usr/bin/python3", os.path.join(a.src, "tests", "gen", gen), "--out", regen],
			   capture_output=True, text=True)
	stale = []
	if p.returncode == 0:
		stale = [n for n in sorted(os.listdir(regen))
			 if not os.path.exists(os.path.join(fix, n)) or
			 not filecmp.cmp(os.path.join(fix, n), os.path.join(regen, n), shallow=False)]
	R.check("fixtures are the generator's current output (tests/gen/%s)" % gen, p.returncode == 0 and not stale,
		p.stderr[-1000:] if p.returncode else "differ: %s (rerun tests/gen/%s and commit)" % (", ".join(stale), gen))


def repo_classes(src):
	"""classification.config of the repository, else the shared reference copy."""
	return load_classes(os.path.join(src, "etc", "classification.config")) or \
		load_classes(os.path.normpath(os.path.join(src, "..", "shared", "reference", "classification.config")))


def main():
	a = e2e_args(lambda ap: ap.add_argument("--no-regen", action="store_true",
						help="skip the fixtures-are-current check"))
	fix = os.path.join(a.src, "tests", "fixtures", "pcap")
	e2e_rules = os.path.join(a.src, "tests", "e2e", "e2e.rules")
	classes = repo_classes(a.src)
	meta = load_rules_meta(e2e_rules, classes)

	work = a.keep or tempfile.mkdtemp(prefix="sw-e2e-")
	os.makedirs(work, exist_ok=True)
	sw = Runner(a, work)
	try:
		# 0. The committed fixtures are the generator's output.
		if not a.no_regen:
			regen = os.path.join(work, "regen")
			p = subprocess.run(["/usr/bin/python3", os.path.join(a.src, "tests", "gen", "traffic.py"), "--out", regen,
					    "--demo", os.path.join(regen, "demo.pcap"), "--demo-expect", os.path.join(regen, "demo_expect.json")],
					   capture_output=True, text=True)
			stale = []
			if p.returncode == 0:
				for n in sorted(os.listdir(regen)):
					ref = os.path.join(a.src, "etc", n) if n == "demo.pcap" else \
						os.path.join(a.src, "tests", "e2e", n) if n == "demo_expect.json" else os.path.join(fix, n)
					if not os.path.exists(ref) or not filecmp.cmp(ref, os.path.join(regen, n), shallow=False):
						stale.append(n)
			R.check("fixtures are the generator's current output (tests/gen/traffic.py)", p.returncode == 0 and not stale,
				p.stderr[-1000:] if p.returncode else "differ: %s (rerun tests/gen/traffic.py and commit)" % ", ".join(stale))

		# 1. Each capture on its own, checksum validation on.
		exps = {}
		for cap in CAPTURES:
			exp = json.load(open(os.path.join(fix, cap.replace(".pcapng", "_ng.pcap").rsplit(".", 1)[0] + ".json")))
			exps[cap] = exp
			rc, _, _, ev = sw.run(["-r", os.path.join(fix, cap), "-S", e2e_rules], cap)
			if rc == 0:
				check_events(cap, ev, exp, meta)

		# 2. -k none: the bad-checksum packets match and count.
		rc, _, _, ev = sw.run(["-k", "none", "-r", os.path.join(fix, "badcsum.pcap"), "-S", e2e_rules], "badcsum.pcap -k none")
		if rc == 0:
			check_events("badcsum.pcap -k none", ev, exps["badcsum.pcap"], meta, knone=True)

		# 2b. Defragmentation off: the contents split across fragments are never seen.
		nodf = os.path.join(work, "nodefrag.yaml")
		with open(nodf, "w") as fh:
			fh.write("defrag:\n  enabled: no\n")
		rc, _, _, ev = sw.run(["-c", nodf, "-r", os.path.join(fix, "frag.pcap"), "-S", e2e_rules], "frag.pcap, defrag disabled")
		if rc == 0:
			got = collections.Counter(str(e["alert"]["signature_id"]) for e in ev if e.get("event_type") == "alert")
			st = [e for e in ev if e.get("event_type") == "stats"]
			R.check("frag.pcap, defrag disabled: no alert (expected only with defrag: %s), no stats.defrag"
				% sorted(exps["frag.pcap"]["alerts"]), not got and st and "defrag" not in st[-1]["stats"],
				"alerts: %r" % dict(got))
		# 2c. defrag.policy first: the overlap only bsd resolves to the real bytes
		# (a later fragment starting earlier) fails its UDP checksum, no alert.
		first = os.path.join(work, "first.yaml")
		with open(first, "w") as fh:
			fh.write("defrag:\n  policy: first\n")
		rc, _, _, ev = sw.run(["-c", first, "-r", os.path.join(fix, "frag.pcap"), "-S", e2e_rules], "frag.pcap, policy first")
		if rc == 0:
			got = collections.Counter((str(e["alert"]["signature_id"]), e.get("dest_ip")) for e in ev
						  if e.get("event_type") == "alert")
			R.check("frag.pcap, policy first: every alert but the bsd-only overlap's (sid 1900014 to 203.0.113.65)",
				sum(got.values()) == sum(exps["frag.pcap"]["alerts"].values()) - 1 and
				("1900014", "203.0.113.65") not in got, "alerts: %r" % dict(got))
		# 3. Several files in one run, and the same events with 1, 2 and 4 threads
		# (fragments of one datagram and the rest of its flow meet in one worker).
		multi = ["basic.pcap", "ipv6.pcap", "vlan.pcap", "sll.pcap", "frag.pcap", "ooo.pcap"]
		margs = []
		for cap in multi:
			margs += ["-r", os.path.join(fix, cap)]
		sets = {}
		for n in (1, 2, 4):
			label = "%d files --threads %d" % (len(multi), n)
			rc, _, _, ev = sw.run(margs + ["-S", e2e_rules, "--threads", str(n)], label)
			if rc == 0:
				check_events(label, ev, merge_expected([exps[c] for c in multi]), meta)
				sets[n] = event_set(ev)
		for n in (2, 4):
			if 1 in sets and n in sets:
				only1 = sets[1] - sets[n]
				onlyn = sets[n] - sets[1]
				R.check("same events (ignoring order, flow_id, stats) with --threads 1 and %d" % n, not only1 and not onlyn,
					"\n".join(["only with 1 thread: " + k for k in list(only1)[:5]] +
						  ["only with %d threads: " % n + k for k in list(onlyn)[:5]]))

		# 3b. A larger synthetic mix (bench/gen_mix.py, ~8 MB, hundreds of flows) with
		# the benchmark's 1,000 content rules: alerts equal the markers the generator
		# planted, one flow record per session, same events for 1, 2 and 4 threads.
		mix = os.path.join(work, "mix.pcap")
		g1 = subprocess.run(["/usr/bin/python3", os.path.join(a.src, "bench", "gen_mix.py"), mix, "--mb", "8", "--seed", "3",
				     "--marker-scale", "30"],
				    capture_output=True, text=True)
		g2 = subprocess.run(["/usr/bin/python3", os.path.join(a.src, "bench", "gen_rules.py"), work, "--iprep", "50"],
				    capture_output=True, text=True)
		if R.check("bench generators run (gen_mix.py, gen_rules.py)", g1.returncode == 0 and g2.returncode == 0,
			   g1.stderr[-1000:] + g2.stderr[-1000:]):
			info = json.load(open(mix + ".info"))
			msets = {}
			for n in (1, 2, 4):
				label = "mix %d MB --threads %d" % (info["wire_bytes"] // 1000000, n)
				rc, _, _, ev = sw.run(["-r", mix, "-S", os.path.join(work, "content.rules"),
						       "-S", os.path.join(work, "iprep.rules"), "--threads", str(n)], label)
				if rc != 0:
					continue
				nal = sum(1 for e in ev if e.get("event_type") == "alert" and e["alert"]["signature_id"] < 2200000)
				nfl = sum(1 for e in ev if e.get("event_type") == "flow")
				R.check("%s: content alerts = markers planted (%d), flow records = sessions (%d)"
					% (label, info["markers"], info["sessions"]), nal == info["markers"] and nfl == info["sessions"],
					"got %d content alerts, %d flow records" % (nal, nfl))
				msets[n] = event_set(ev)
			for n in (2, 4):
				if 1 in msets and n in msets:
					d1, dn = msets[1] - msets[n], msets[n] - msets[1]
					R.check("mix: same events with --threads 1 and %d" % n, not d1 and not dn,
						"\n".join(["only with 1 thread: " + k for k in list(d1)[:5]] +
							  ["only with %d threads: " % n + k for k in list(dn)[:5]]))

		# 4. The demo: bundled capture and default rules.
		demo_exp = json.load(open(os.path.join(a.src, "tests", "e2e", "demo_expect.json")))
		default_rules = os.path.join(a.src, "rules", "default.rules")
		rc, _, _, ev = sw.run(["-r", os.path.join(a.src, "etc", "demo.pcap"), "-S", default_rules], "demo")
		if rc == 0:
			check_events("demo", ev, demo_exp, load_rules_meta(default_rules, classes))

		# The README's first command: no -S, the shipped default config names rules/default.rules.
		rc, _, _, ev = sw.run(["-r", "etc/demo.pcap"], "demo, built-in config")
		if rc == 0:
			check_events("demo, built-in config", ev, demo_exp, load_rules_meta(default_rules, classes))

		# --version and --help.
		for opt in ("--version", "--help"):
			p = subprocess.run([a.sidewall, opt], capture_output=True, text=True, timeout=30, cwd=a.src)
			R.check("%s exits 0 and names sidewall" % opt, p.returncode == 0 and "sidewall" in (p.stdout + p.stderr).lower(),
				"exit %d, output: %r" % (p.returncode, (p.stdout + p.stderr)[:300]))

		# 5. -T on rule files.
		bad = os.path.join(a.src, "tests", "e2e", "bad.rules")
		p = subprocess.run([a.sidewall, "-T", "-S", bad], capture_output=True, text=True, timeout=60, cwd=a.src)
		out = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
		# The exact messages (after "FILE:LINE: ") sidewall prints for each bad line.
		want = [(4, "unsupported keyword 'rawbytes'"), (5, "invalid hex in content: '|4G|'"),
			(6, "'depth' and 'distance' on one content"), (7, "duplicate keyword 'sid'"),
			(8, "unterminated quote in 'msg'"), (9, "missing sid"), (11, "unsupported keyword 'lua'")]
		errs = []
		for line_no, msg in want:
			hits = [ln for ln in out if re.match(r"^(.*/)?bad\.rules:%d: " % line_no, ln)]
			if len(hits) != 1 or hits[0].split(": ", 1)[1] != msg:
				errs.append("line %d: expected one line 'bad.rules:%d: %s', got %r" % (line_no, line_no, msg, hits))
		others = [ln for ln in out if re.match(r"^(.*/)?bad\.rules:(\d+): ", ln)
			  and int(re.match(r"^(.*/)?bad\.rules:(\d+): ", ln).group(2)) not in [w[0] for w in want]]
		if others:
			errs.append("errors on lines that are valid: %r" % others)
		if not out or out[-1] != "rules: 2 loaded, 7 rejected":
			errs.append("last line: expected 'rules: 2 loaded, 7 rejected', got %r" % (out[-1] if out else None))
		if p.returncode == 0:
			errs.append("exit status: expected non-zero, got 0")
		R.check("-T bad.rules: one error per rejected rule, summary, non-zero exit", not errs,
			"\n".join(errs) + "\n--- output:\n" + "\n".join(out))
		for rules in (e2e_rules, default_rules):
			check_rules_load(a, rules, 20)

		# 6. Fatal errors: one line, non-zero.
		def fatal(label, args):
			logdir = os.path.join(work, "fatal-" + re.sub(r"\W+", "_", label))
			os.makedirs(logdir, exist_ok=True)
			p = subprocess.run([a.sidewall] + args + ["-l", logdir], capture_output=True, text=True, timeout=60, cwd=a.src)
			return one_line_reason(label, p.returncode, p.stderr)

		fatal("missing capture", ["-r", os.path.join(work, "no-such.pcap"), "-S", e2e_rules])
		junk = os.path.join(work, "junk.pcap")
		with open(junk, "wb") as f:
			f.write(b"this is not a capture file\n" * 10)
		fatal("not a capture", ["-r", junk, "-S", e2e_rules])
		empty = os.path.join(work, "empty.rules")
		open(empty, "w").write("# nothing\n")
		fatal("no rules loaded", ["-r", os.path.join(fix, "basic.pcap"), "-S", empty])
		badcfg = os.path.join(work, "bad.yaml")
		open(badcfg, "w").write("%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: \"[192.168.0.0/16]\"\nno-such-key: 1\n")
		lines = fatal("invalid config (unknown key)", ["-c", badcfg, "-r", os.path.join(fix, "basic.pcap"), "-S", e2e_rules])
		R.check("invalid config: reason names bad.yaml:6", any("bad.yaml:6" in ln for ln in lines), "stderr: %r" % lines)
		p = subprocess.run([a.sidewall, "-T", "-c", badcfg, "-S", e2e_rules], capture_output=True, text=True, timeout=60, cwd=a.src)
		R.check("-T with invalid config exits non-zero", p.returncode != 0, "exit %d\n%s" % (p.returncode, p.stdout + p.stderr))

		# stats.threads: per-worker counters that add up to the totals.  Run
		# outside R.run(): Suricata's schema has no "threads" key, which is
		# why the option is off by default.
		thcfg = os.path.join(work, "threads.yaml")
		open(thcfg, "w").write("stats:\n  threads: yes\n")
		thdir = os.path.join(work, "threads-stats")
		os.makedirs(thdir)
		p = subprocess.run([a.sidewall, "-c", thcfg, "-S", e2e_rules, "-r", os.path.join(fix, "basic.pcap"),
				    "--threads", "2", "-l", thdir], capture_output=True, text=True, timeout=60, cwd=a.src)
		st = [json.loads(ln) for ln in open(os.path.join(thdir, "eve.json")) if '"event_type":"stats"' in ln] \
			if p.returncode == 0 else []
		thr = st[-1]["stats"].get("threads", {}) if st else {}
		ok = (len(thr) == 2 and
		      sum(w["decoder.pkts"] for w in thr.values()) == st[-1]["stats"]["decoder"]["pkts"] and
		      sum(w["flow.total"] for w in thr.values()) == st[-1]["stats"]["flow"]["total"] and
		      sum(w["detect.alert"] for w in thr.values()) == st[-1]["stats"]["detect"]["alert"])
		R.check("stats.threads: two workers whose packets, flows and alerts add up to the totals", ok,
			"exit %d, threads %r" % (p.returncode, thr))
	finally:
		if not a.keep:
			shutil.rmtree(work, ignore_errors=True)

	print("%d passed, %d failed" % (R.passed, R.failed))
	return 1 if R.failed else 0


if __name__ == "__main__":
	sys.exit(main())
