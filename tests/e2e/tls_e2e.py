#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""TLS application-layer end-to-end test: run sidewall on the real OpenSSL
captures of tests/gen/tls.sh (tests/fixtures/pcap/tls-{10,12,13,frag,nosni}.pcap)
with tests/e2e/tls.rules and check its EVE output against the independent
reference values of tests/gen/tls_ref.py (tests/fixtures/tls/expected.json);
then, as root, one live handshake between two network namespaces.

  tls_e2e.py SIDEWALL [--src REPO] [--schema FILE] [--keep DIR] [--no-live]
  tls_e2e.py --sidewall SIDEWALL ...

Checks (one PASS/FAIL line each, then "N passed, N failed"; exit 1 if any failed):
  - -T accepts every rule of tls.rules; -T refuses "flow:to_client; tls.sni"
    and "flow:to_server; ja3s.hash" (Suricata registers tls.sni for the
    request only and ja3s.hash for the response only) with sidewall's exact
    reason line and "rules: 0 loaded, 1 rejected";
  - per capture (eve types alert, flow, tls, stats; ja3/ja4-fingerprints at
    their default "auto", which tls.rules' ja3/ja4 keywords switch on):
    the alerts by sid exactly as the "# expect:" line before each rule of
    tls.rules says; every alert has app_proto "tls", tx_id 0 and a "tls"
    object agreeing with the reference; exactly one "tls" record per flow,
    client->server, tx_id 0, its object equal field by field to
    expected.json (subject, issuerdn, subjectaltname, serial, fingerprint,
    sni, version, notbefore, notafter, client_alpns, server_alpns, ja3,
    ja3s, ja4; an empty ALPN list is left out, as Suricata's log_alpns, and
    no other key); one flow record, app_proto "tls"; stats.app_layer
    flow.tls = tx.tls = 1, error.tls.parser = 0; every event valid against
    the EVE schema;
  - the same alerts, tls and flow records with --threads 1, 2 and 4;
  - fingerprints: rules without ja3/ja4 keywords and "auto": no ja3, ja3s
    or ja4 in the tls records; the same rules with ja3-fingerprints: yes and
    ja4-fingerprints: yes: all three, exact; only a ja3.hash rule and
    "auto": ja3 and ja3s, no ja4;
  - live (root; SKIP otherwise): two namespaces and a veth pair made here,
    openssl s_server with a throwaway self-signed certificate and
    s_client -tls1_2 -servername live.example.test, sidewall -i on the
    server's veth: one tls record with the sni, subject, issuerdn, version
    and fingerprint (SHA-1 of the DER, computed here), the "live" alerts of
    tls.rules exactly, a tls flow record, exit 0 on SIGTERM.

The captures come from veth interfaces with checksum offload (partial
checksums), so every run uses -k none / checksum-validation: no.
"""
import base64
import collections
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offline  # noqa: E402
from offline import R, same_events, Runner, event_set, ev_key, norm_ip, rev_key  # noqa: E402

# In capture-time order, so one run over all of them reads a monotonic clock.
PCAPS = ["tls-12.pcap", "tls-13.pcap", "tls-nosni.pcap", "tls-10.pcap", "tls-frag.pcap"]
TAG = {"tls-10.pcap": "10", "tls-12.pcap": "12", "tls-13.pcap": "13", "tls-frag.pcap": "frag",
       "tls-nosni.pcap": "nosni"}
TLS_KEYS = ["subject", "issuerdn", "subjectaltname", "serial", "fingerprint", "sni", "version", "notbefore",
	    "notafter", "client_alpns", "server_alpns"]
FP_KEYS = ["ja3", "ja3s", "ja4"]
# Fields of the tls object that do not depend on how far the handshake got:
# an alert's tls object (logged at its stage) must agree on those it has.
STABLE = ["subject", "issuerdn", "subjectaltname", "serial", "fingerprint", "sni", "notbefore", "notafter",
	  "client_alpns"]

EVE = """%soutputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
        - flow
        - tls
        - stats
"""
FP_YES = """app-layer:
  protocols:
    tls:
      ja3-fingerprints: yes
      ja4-fingerprints: yes
"""

LIVE_SNI = "live.example.test"
LIVE_SUBJECT = "C=US, O=Sidewall Live, CN=live.example.test"
LIVE_SRV, LIVE_CLI, LIVE_PORT = "10.78.44.1", "10.78.44.2", 443


def load_rules(path):
	"""[(sid, expect-set, line)] from tls.rules: each rule's "# expect:" line."""
	out, exp = [], None
	for ln in open(path, encoding="utf-8"):
		m = re.match(r"^#\s*expect:\s*(.*)$", ln.strip())
		if m:
			exp = set(m.group(1).split()) - {"none"}
			continue
		if re.match(r"^\s*alert\s", ln):
			sid = re.search(r"\bsid\s*:\s*(\d+)", ln).group(1)
			if exp is None:
				raise SystemExit("tls.rules: sid %s has no '# expect:' line" % sid)
			out.append((sid, exp, ln))
			exp = None
	return out


def write_rules(path, rules):
	with open(path, "w") as fh:
		for _, _, ln in rules:
			fh.write(ln)


def uses_fp(ln):
	return re.search(r"\b(ja3|ja3s|ja4)[._](hash|string)\b", ln) is not None


def want_tls(ref, ja3, ja4):
	"""The tls object Suricata would log for reference flow @ref."""
	w = {}
	for k in TLS_KEYS:
		if k in ref and ref[k] != []:  # log_alpns: an empty list is not logged
			w[k] = ref[k]
	if ja3:
		for k in ("ja3", "ja3s"):
			if k in ref:
				w[k] = ref[k]
	if ja4 and "ja4" in ref:
		w["ja4"] = ref["ja4"]
	return w


def ref_key(f):
	return ("TCP", norm_ip(f["src_ip"]), f["src_port"], norm_ip(f["dest_ip"]), f["dest_port"])


def dict_diff(want, got):
	errs = []
	for k in sorted(set(want) | set(got)):
		if k not in got:
			errs.append("%s missing (expected %r)" % (k, want[k]))
		elif k not in want:
			errs.append("unexpected %s = %r" % (k, got[k]))
		elif want[k] != got[k]:
			errs.append("%s expected %r, got %r" % (k, want[k], got[k]))
	return errs


def check_run(label, events, pcaps, expected, rules, ja3, ja4):
	"""Every check of one offline run over @pcaps; @rules the loaded (sid, expect, line)."""
	flows = {}
	for p in pcaps:
		for f in expected[p]:
			flows[ref_key(f)] = (p, f)

	def which(e):
		k = ev_key(e)
		return k if k in flows else rev_key(k) if rev_key(k) in flows else None

	# Alerts by flow and sid.
	want = collections.Counter()
	for sid, exp, _ in rules:
		for k, (p, f) in flows.items():
			if TAG[p] in exp:
				want[(k, sid)] += 1
	got = collections.Counter()
	errs = []
	for e in events:
		if e.get("event_type") != "alert":
			continue
		sid = str(e.get("alert", {}).get("signature_id"))
		k = which(e)
		if k is None:
			errs.append("sid %s on %s: matches no TLS flow" % (sid, ev_key(e)))
			continue
		got[(k, sid)] += 1
	for key in sorted(set(want) | set(got), key=lambda x: (x[0][2], x[1])):
		if want[key] != got[key]:
			errs.append("%s sid %s: expected %d, got %d" % (flows[key[0]][0], key[1], want[key], got[key]))
	R.check("%s: alerts by capture and sid as tls.rules' '# expect:' lines (%d expected)"
		% (label, sum(want.values())), not errs, "\n".join(errs[:40]))

	errs = []
	for e in events:
		if e.get("event_type") != "alert":
			continue
		sid = e.get("alert", {}).get("signature_id")
		k = which(e)
		if k is None:
			continue
		ref = flows[k][1]
		if e.get("app_proto") != "tls":
			errs.append("sid %s: app_proto %r" % (sid, e.get("app_proto")))
		if e.get("tx_id") != 0:
			errs.append("sid %s: tx_id %r, expected 0" % (sid, e.get("tx_id")))
		t = e.get("tls")
		if not isinstance(t, dict) or not t:
			errs.append("sid %s: no tls object" % sid)
			continue
		w = want_tls(ref, True, True)
		for fld in STABLE:
			if fld in t and t[fld] != w.get(fld):
				errs.append("sid %s: tls.%s = %r, reference %r" % (sid, fld, t[fld], w.get(fld)))
	R.check("%s: every alert has app_proto tls, tx_id 0 and a tls object agreeing with the reference" % label,
		not errs, "\n".join(errs[:30]))

	# tls records: one per flow, client->server, exact object.
	recs = collections.defaultdict(list)
	errs = []
	for e in events:
		if e.get("event_type") != "tls":
			continue
		k = which(e)
		if k is None:
			errs.append("tls record on %s matches no flow" % (ev_key(e),))
			continue
		recs[k].append(e)
	for k, (p, ref) in sorted(flows.items(), key=lambda x: x[0][2]):
		rs = recs.get(k, [])
		if len(rs) != 1:
			errs.append("%s: %d tls records, expected 1" % (p, len(rs)))
			continue
		r = rs[0]
		if ev_key(r) != k:
			errs.append("%s: tls record oriented %s, expected client->server %s" % (p, ev_key(r), k))
		if r.get("tx_id") != 0:
			errs.append("%s: tls record tx_id %r, expected 0" % (p, r.get("tx_id")))
		errs += ["%s: tls.%s" % (p, d) for d in dict_diff(want_tls(ref, ja3, ja4), r.get("tls") or {})]
	R.check("%s: one tls record per flow (%d), client->server, tx_id 0, tls object = expected.json%s"
		% (label, len(flows), " with ja3/ja3s" if ja3 and not ja4 else " with ja3/ja3s/ja4" if ja3 else
		   " without ja3/ja3s/ja4"), not errs, "\n".join(errs[:40]))

	# Flow records.
	frecs = collections.defaultdict(list)
	errs = []
	for e in events:
		if e.get("event_type") != "flow":
			continue
		k = which(e)
		if k is None:
			errs.append("flow record %s matches no TLS flow" % (ev_key(e),))
			continue
		frecs[k].append(e)
	for k, (p, ref) in flows.items():
		rs = frecs.get(k, [])
		if len(rs) != 1:
			errs.append("%s: %d flow records, expected 1" % (p, len(rs)))
			continue
		r = rs[0]
		if ev_key(r) != k:
			errs.append("%s: flow record oriented %s" % (p, ev_key(r)))
		if r.get("app_proto") != "tls":
			errs.append("%s: app_proto %r, expected 'tls'" % (p, r.get("app_proto")))
		alerted = any(n for (fk, _), n in want.items() if fk == k)
		if r.get("flow", {}).get("alerted") is not alerted:
			errs.append("%s: flow.alerted %r, expected %r" % (p, r.get("flow", {}).get("alerted"), alerted))
	R.check("%s: one flow record per flow, client->server, app_proto tls, alerted as expected" % label,
		not errs, "\n".join(errs[:20]))

	st = [e for e in events if e.get("event_type") == "stats"]
	al = st[-1].get("stats", {}).get("app_layer", {}) if st else {}
	n = len(flows)
	got = {"flow.tls": al.get("flow", {}).get("tls"), "tx.tls": al.get("tx", {}).get("tls"),
	       "error.tls.parser": al.get("error", {}).get("tls", {}).get("parser")}
	wst = {"flow.tls": n, "tx.tls": n, "error.tls.parser": 0}
	R.check("%s: stats.app_layer flow.tls = tx.tls = %d, error.tls.parser = 0 (last of %d stats events)"
		% (label, n, len(st)), got == wst,
		"\n".join("%s: expected %r, got %r" % (k, wst[k], got[k]) for k in wst if wst[k] != got[k]))


def check_T(a, work, rules, n):
	p = subprocess.run([a.sidewall, "-T", "-S", rules], capture_output=True, text=True, timeout=60, cwd=a.src)
	out = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
	R.check("-T tls.rules: 'rules: %d loaded, 0 rejected', exit 0" % n,
		p.returncode == 0 and out and out[-1] == "rules: %d loaded, 0 rejected" % n,
		"exit %d, output:\n%s" % (p.returncode, "\n".join(out[-25:])))
	for name, rule, reason in (
			("tls.sni", 'alert tls any any -> any any (msg:"tls.sni at the response"; flow:to_client; '
			 'tls.sni; content:"www.example.test"; sid:2409001; rev:1;)',
			 "'tls.sni' inspects the request, but the rule has flow:to_client"),
			("ja3s.hash", 'alert tls any any -> any any (msg:"ja3s.hash at the request"; flow:to_server; '
			 'ja3s.hash; content:"895252f3ce80cebf7a8837be83ec8e16"; sid:2409002; rev:1;)',
			 "'ja3s.hash' inspects the response, but the rule has flow:to_server")):
		f = os.path.join(work, "bad-%s.rules" % name)
		with open(f, "w") as fh:
			fh.write(rule + "\n")
		p = subprocess.run([a.sidewall, "-T", "-S", f], capture_output=True, text=True, timeout=60, cwd=a.src)
		out = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
		want = "%s:1: %s" % (f, reason)
		R.check("-T refuses '%s' with \"FILE:1: %s\", 'rules: 0 loaded, 1 rejected', exit non-zero"
			% (rule[rule.index("flow:"):rule.index("content:")].strip(), reason),
			p.returncode != 0 and want in out and out[-1] == "rules: 0 loaded, 1 rejected",
			"exit %d, output:\n%s" % (p.returncode, "\n".join(out[-10:])))


# ------------------------------------------------------------------ live

def sh(*args, timeout=15):
	r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
	if r.returncode != 0:
		raise RuntimeError("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
	return r.stdout


def wait_for(pred, secs, step=0.05):
	end = time.monotonic() + secs
	while time.monotonic() < end:
		if pred():
			return True
		time.sleep(step)
	return pred()


def read_text(path):
	try:
		with open(path, errors="replace") as f:
			return f.read()
	except OSError:
		return ""


def live(a, sw, work, rules):
	"""One TLS 1.2 handshake between namespaces made here, sidewall -i on the server's veth."""
	if os.geteuid() != 0:
		print("SKIP live TLS check: needs root (network namespaces, packet capture); CI runs it as root")
		return
	missing = [t for t in ("ip", "openssl", "ss") if not shutil.which(t)]
	if missing:
		print("SKIP live TLS check: %s not installed" % ", ".join(missing))
		return
	pid = os.getpid()
	ns_s, ns_c = "swtlse2e-s%d" % pid, "swtlse2e-c%d" % pid
	if_s, if_c = "swts%d" % pid, "swtc%d" % pid  # at most 15 characters
	d = os.path.join(work, "live")
	logdir = os.path.join(d, "log")
	os.makedirs(logdir)
	made, procs = [], []
	try:
		# A throwaway self-signed certificate (nothing from the fixtures' PKI is needed).
		key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
		sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		   "-keyout", key, "-out", cert, "-days", "2", "-subj", "/C=US/O=Sidewall Live/CN=%s" % LIVE_SNI,
		   "-addext", "subjectAltName=DNS:%s" % LIVE_SNI)
		pem = read_text(cert)
		der = base64.b64decode("".join(pem.split("-----")[2].split()))
		fpr = ":".join("%02x" % b for b in hashlib.sha1(der).digest())

		for ns in (ns_s, ns_c):
			sh("ip", "netns", "add", ns)
			made.append(ns)
		sh("ip", "link", "add", if_s, "netns", ns_s, "type", "veth", "peer", "name", if_c, "netns", ns_c)
		for ns, ifn, addr in ((ns_s, if_s, LIVE_SRV), (ns_c, if_c, LIVE_CLI)):
			sh("ip", "-n", ns, "link", "set", "lo", "up")
			sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", ifn)
			# One segment per frame in the capture (no GSO super-packets).
			sh("ip", "-n", ns, "link", "set", ifn, "gso_max_segs", "1", "gso_max_size", "1500", "up")

		cfg = os.path.join(d, "live.yaml")
		with open(cfg, "w") as fh:
			fh.write(EVE % "# veth offloads checksums: captured frames carry partial ones.\n"
				 "checksum-validation: no\n")
		serr = os.path.join(d, "sidewall.stderr")
		swp = subprocess.Popen(["ip", "netns", "exec", ns_s, a.sidewall, "-i", if_s, "-c", cfg, "-S", rules,
					"-l", logdir], stdout=open(serr, "w"), stderr=subprocess.STDOUT, cwd=a.src)
		procs.append(swp)
		if not R.check("live: sidewall -i %s starts capturing" % if_s,
			       wait_for(lambda: "capturing on" in read_text(serr) or swp.poll() is not None, 20) and
			       swp.poll() is None, read_text(serr)[-1500:]):
			return
		srv = subprocess.Popen(["ip", "netns", "exec", ns_s, "openssl", "s_server", "-accept",
					"%s:%d" % (LIVE_SRV, LIVE_PORT), "-naccept", "1", "-cert", cert, "-key", key,
					"-rev", "-quiet"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
				       stderr=open(os.path.join(d, "s_server.stderr"), "w"))
		procs.append(srv)
		wait_for(lambda: (":%d " % LIVE_PORT) in subprocess.run(["ip", "netns", "exec", ns_s, "ss", "-ltn"],
									capture_output=True, text=True).stdout, 10)
		cli = subprocess.Popen(["ip", "netns", "exec", ns_c, "openssl", "s_client", "-connect",
					"%s:%d" % (LIVE_SRV, LIVE_PORT), "-servername", LIVE_SNI, "-tls1_2", "-CAfile", cert,
					"-verify_return_error", "-verify_hostname", LIVE_SNI, "-quiet", "-no_ign_eof"],
				       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
		procs.append(cli)
		cli.stdin.write("hello sidewall\n")
		cli.stdin.flush()
		time.sleep(1.0)
		try:
			out, err = cli.communicate(timeout=10)
		except subprocess.TimeoutExpired:
			cli.kill()
			out, err = cli.communicate()
		R.check("live: s_client -tls1_2 -servername %s completes the handshake, verifies the certificate and "
			"gets its line back reversed" % LIVE_SNI, cli.returncode == 0 and "llawedis olleh" in out,
			"exit %r\nstdout: %s\nstderr: %s" % (cli.returncode, out[-500:], err[-1500:]))
		eve = os.path.join(logdir, "eve.json")
		wait_for(lambda: '"event_type":"tls"' in read_text(eve).replace(" ", ""), 10)
		swp.send_signal(signal.SIGTERM)
		try:
			rc = swp.wait(timeout=30)
		except subprocess.TimeoutExpired:
			swp.kill()
			rc = "hung"
		R.check("live: sidewall exits 0 on SIGTERM", rc == 0, "exit %r\n%s" % (rc, read_text(serr)[-1500:]))

		events, bad = [], []
		for i, ln in enumerate(read_text(eve).splitlines(), 1):
			try:
				events.append(json.loads(ln))
			except ValueError:
				bad.append("line %d: %r" % (i, ln[:200]))
		R.check("live: eve.json exists, every line is JSON", os.path.exists(eve) and not bad, "\n".join(bad[:5]))
		if sw.validator is not None:
			errs = ["event %d (%s): %s" % (i, ev.get("event_type"), e.message[:300])
				for i, ev in enumerate(events, 1) for e in sw.validator.iter_errors(ev)]
			R.check("live: %d events valid against the EVE schema" % len(events), not errs, "\n".join(errs[:20]))

		def key_cs(e):  # client -> server
			k = ev_key(e)
			return k[1] == LIVE_CLI and k[3] == LIVE_SRV and k[4] == LIVE_PORT

		def ours(e):  # either orientation
			k = ev_key(e)
			return key_cs(e) or (k[1] == LIVE_SRV and k[2] == LIVE_PORT and k[3] == LIVE_CLI)

		tls = [e for e in events if e.get("event_type") == "tls" and ours(e)]
		want = {"sni": LIVE_SNI, "subject": LIVE_SUBJECT, "issuerdn": LIVE_SUBJECT, "version": "TLS 1.2",
			"fingerprint": fpr, "subjectaltname": [LIVE_SNI]}
		errs = []
		if len(tls) != 1:
			errs.append("%d tls records for %s -> %s:%d, expected 1" % (len(tls), LIVE_CLI, LIVE_SRV, LIVE_PORT))
		else:
			t = tls[0].get("tls") or {}
			if not key_cs(tls[0]):
				errs.append("tls record oriented %s, expected client->server" % (ev_key(tls[0]),))
			for k, v in want.items():
				if t.get(k) != v:
					errs.append("tls.%s expected %r, got %r" % (k, v, t.get(k)))
		R.check("live: one tls record, client->server, sni %s, subject = issuerdn '%s', version TLS 1.2, "
			"subjectaltname, SHA-1 fingerprint of the DER" % (LIVE_SNI, LIVE_SUBJECT), not errs, "\n".join(errs))

		wsids = collections.Counter({sid: 1 for sid, exp, _ in load_rules(rules) if "live" in exp})
		al = [e for e in events if e.get("event_type") == "alert"]
		gsids = collections.Counter(str(e.get("alert", {}).get("signature_id")) for e in al)
		bad = ["sid %s: app_proto %r tx_id %r tls %r" % (e["alert"].get("signature_id"), e.get("app_proto"),
								  e.get("tx_id"), (e.get("tls") or {}).get("sni"))
		       for e in al if e.get("app_proto") != "tls" or e.get("tx_id") != 0 or
		       (e.get("tls") or {}).get("sni") != LIVE_SNI or not ours(e)]
		R.check("live: alerts exactly the 'live' rules of tls.rules (tls.sni %s sid 2400090, cert subject sid "
			"2400091, ...), once each, app_proto tls, tx_id 0, tls.sni in the alert" % LIVE_SNI,
			gsids == wsids and not bad,
			offline.diff_counts(dict(wsids), dict(gsids)) + "\n" + "\n".join(bad[:10]))
		fl = [e for e in events if e.get("event_type") == "flow" and ours(e) and e.get("proto") == "TCP"]
		R.check("live: one flow record for the TLS connection, app_proto tls",
			len(fl) == 1 and fl[0].get("app_proto") == "tls",
			"%d records, app_proto %r" % (len(fl), [e.get("app_proto") for e in fl]))
	except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
		R.check("live: namespaces, veth pair and processes set up", False, str(e))
	finally:
		for p in procs:
			if p.poll() is None:
				p.kill()
				try:
					p.wait(timeout=5)
				except subprocess.TimeoutExpired:
					pass
		for ns in made:
			subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def main():
	a = offline.e2e_args(lambda ap: ap.add_argument("--no-live", action="store_true",
							help="skip the live check in namespaces"))
	fix = os.path.join(a.src, "tests", "fixtures", "pcap")
	rules_path = os.path.join(a.src, "tests", "e2e", "tls.rules")
	rules = load_rules(rules_path)
	expected = json.load(open(os.path.join(a.src, "tests", "fixtures", "tls", "expected.json")))
	t0 = time.monotonic()

	work = a.keep or tempfile.mkdtemp(prefix="sw-tls-e2e-")
	os.makedirs(work, exist_ok=True)
	sw = Runner(a, work)
	try:
		# 1. -T: every rule loads; direction-bound buffers refused in the other direction.
		check_T(a, work, rules_path, len(rules))

		auto = os.path.join(work, "auto.yaml")
		with open(auto, "w") as fh:
			fh.write(EVE % "")
		yes = os.path.join(work, "fp-yes.yaml")
		with open(yes, "w") as fh:
			fh.write(EVE % FP_YES)

		# 2-4. Every rule (ja3/ja4 keywords: "auto" logs the fingerprints), per
		# capture, 1, 2 and 4 threads.
		sets = collections.defaultdict(dict)
		for p in PCAPS:
			for nt in (1, 2, 4):
				label = "%s --threads %d" % (p, nt)
				rc, _, _, ev = sw.run(["-k", "none", "-c", auto, "-r", os.path.join(fix, p), "-S", rules_path,
						       "--threads", str(nt)], label)
				if rc == 0:
					check_run(label, ev, [p], expected, rules, True, True)
					sets[p][nt] = event_set(ev)
			same_events(p, sets[p], "alert, tls and flow events")

		# Fingerprints in the records: auto without ja3/ja4 rules, yes, ja3 only.
		allp = []
		for p in PCAPS:
			allp += ["-r", os.path.join(fix, p)]
		nofp = [r for r in rules if not uses_fp(r[2])]
		nofp_path = os.path.join(work, "no-fingerprint.rules")
		write_rules(nofp_path, nofp)
		for cfg, label, ja3, ja4 in ((auto, "all captures, no ja3/ja4 rules, fingerprints auto", False, False),
					     (yes, "all captures, no ja3/ja4 rules, ja3/ja4-fingerprints yes", True, True)):
			rc, _, _, ev = sw.run(["-k", "none", "-c", cfg] + allp + ["-S", nofp_path], label)
			if rc == 0:
				check_run(label, ev, PCAPS, expected, nofp, ja3, ja4)
		ja3only = [r for r in rules if re.search(r"\bja3\.hash\b", r[2])]
		ja3_path = os.path.join(work, "ja3-only.rules")
		write_rules(ja3_path, ja3only)
		label = "all captures, only ja3.hash rules, fingerprints auto"
		rc, _, _, ev = sw.run(["-k", "none", "-c", auto] + allp + ["-S", ja3_path], label)
		if rc == 0:
			check_run(label, ev, PCAPS, expected, ja3only, True, False)

		# 5. Live, in namespaces of our own.
		if a.no_live:
			print("SKIP live TLS check: --no-live")
		else:
			live(a, sw, work, rules_path)
	finally:
		if not a.keep:
			shutil.rmtree(work, ignore_errors=True)

	print("(%.1f s)" % (time.monotonic() - t0))
	print("%d passed, %d failed" % (R.passed, R.failed))
	return 1 if R.failed else 0


if __name__ == "__main__":
	sys.exit(main())
