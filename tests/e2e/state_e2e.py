#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stateful keywords end-to-end: flowint, flow.pkts/bytes/age, hostbits,
xbits, threshold/detection_filter across flows (and so across workers),
threshold.config (suppress, threshold, rate_filter) loaded from the YAML's
threshold-file, tag and prefilter accepted.

  state_e2e.py --sidewall BUILD/sidewall [--keep DIR]

The capture is made here with scapy (fixed addresses, ports and times, so
it is the same on every run) in a temporary directory; the expected alert
counts come from Suricata's documented semantics (comments below), not
from running sidewall.  Every count is checked with --threads 1, 2 and 4:
host state and thresholds are shared by the workers and must give the
same alerts whatever the thread count.  Last line "N passed, N failed".
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import IP, UDP, Ether, Raw, wrpcap  # noqa: E402

T0 = 1700000000.0

RULES = r"""
# flowint: set once, add on every packet, compare (flow A: 5 packets "cnt")
alert udp any any -> any 7000 (msg:"fi set"; content:"cnt"; flowint:c,notset; flowint:c,=,1; noalert; sid:100;)
alert udp any any -> any 7000 (msg:"fi add"; content:"cnt"; flowint:c,isset; flowint:c,+,1; noalert; sid:101;)
alert udp any any -> any 7000 (msg:"fi gt"; content:"cnt"; flowint:c,>,4; sid:102;)
alert udp any any -> any 7000 (msg:"fi eq"; content:"cnt"; flowint:c,==,6; sid:103;)
alert udp any any -> any 7000 (msg:"fi var"; content:"cnt"; flowint:d,notset; flowint:c,==,d; sid:104;)
# flow counters on flow A (45-byte frames, one a second)
alert udp any any -> any 7000 (msg:"pkts"; content:"cnt"; flow.pkts:toserver,>=3; sid:110;)
alert udp any any -> any 7000 (msg:"pkts either"; content:"cnt"; flow.pkts:either,3; sid:111;)
alert udp any any -> any 7000 (msg:"bytes"; content:"cnt"; flow.bytes_toserver:>100; sid:112;)
alert udp any any -> any 7000 (msg:"age"; content:"cnt"; flow.age:>=2; sid:113;)
alert udp any any -> any 7000 (msg:"toclient"; content:"cnt"; flow.pkts_toclient:>0; sid:114;)
# hostbits: set by one flow, tested by others (other workers)
alert udp any any -> any 7001 (msg:"hb set"; content:"login"; hostbits:set,seen,src; noalert; sid:120;)
alert udp any any -> any 7002 (msg:"hb isset"; content:"data"; hostbits:isset,seen,src; sid:121;)
alert udp any any -> any 7002 (msg:"hb isnotset"; content:"data"; hostbits:isnotset,seen,src; sid:122;)
# xbits ip_pair (unordered pair), expire 10 s
alert udp any any -> any 7003 (msg:"xb set"; content:"pairset"; xbits:set,p,track ip_pair,expire 10; noalert; sid:130;)
alert udp any any -> any any (msg:"xb isset"; content:"paircheck"; xbits:isset,p,track ip_pair; sid:131;)
# thresholds by source over 10 flows to 10 destinations (spread over the workers)
alert udp any any -> any 7005 (msg:"limit"; content:"thr"; threshold:type limit, track by_src, count 2, seconds 5; sid:140;)
alert udp any any -> any 7005 (msg:"dfilter"; content:"thr"; detection_filter:track by_src, count 3, seconds 60; sid:141;)
# threshold.config targets
alert udp any any -> any 7006 (msg:"suppressed"; content:"sup"; sid:150;)
alert udp any any -> any 7006 (msg:"suppressed by src"; content:"sup"; sid:151;)
alert udp any any -> any 7006 (msg:"conf threshold"; content:"sup"; threshold:type both, track by_rule, count 100, seconds 1; sid:152;)
alert udp any any -> any 7007 (msg:"rate"; content:"rate"; sid:153;)
# tag and prefilter change nothing about matching
alert udp any any -> any 7008 (msg:"tag"; content:"tagme"; tag:session,5,packets; prefilter; sid:160;)
"""

THRESHOLD_CONF = """# threshold.config
suppress gen_id 1, sig_id 150
suppress gen_id 1, sig_id 151, track by_src, ip [10.0.4.1, 10.0.9.0/24]
threshold gen_id 1, sig_id 152, type limit, track by_rule, count 1, seconds 3600
rate_filter gen_id 1, sig_id 153, track by_rule, count 2, seconds 60, new_action drop, timeout 10
suppress gen_id 1, sig_id 99999
"""

# Expected alerts per sid (Suricata semantics):
WANT = {
	# c: pkt1 set 1 (100) then +1 (101) = 2; pkts 2..5: 3..6; > 4 at pkts 4, 5
	102: 2,
	103: 1,
	# d never set reads as 0; c is never 0
	104: 0,
	110: 3,  # packets 3, 4, 5 of the flow
	111: 1,  # either direction equal to 3: the third packet
	112: 3,  # 45, 90, 135, 180, 225 bytes: > 100 from the third
	113: 3,  # ages 0..4 s: >= 2 from the third
	114: 0,  # nothing went to the client
	121: 1,  # 10.0.1.1 after its login; not 10.0.1.9; not 400 s later (expire 300)
	122: 2,  # the other two
	131: 1,  # the reverse pair within 10 s; not another pair; not 20 s later
	140: 4,  # hits at 0..9 s: window [0,5] inclusive -> 0,1 then [6,11] -> 6,7
	141: 7,  # every hit after the third
	150: 0,  # suppressed outright
	151: 1,  # from 10.0.4.1 and 10.0.9.7 suppressed, 10.0.4.2 alerts
	152: 1,  # the config's limit 1 replaces the rule's own threshold
	153: 4,  # rate_filter never holds alerts back
	160: 1,
}
DROPS_153 = 2  # --simulate-ips: the 3rd and 4th match exceed count 2: new action drop


def udp(t, src, sport, dst, dport, payload):
	p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=src, dst=dst, id=1) / \
		UDP(sport=sport, dport=dport) / Raw(payload)
	p.time = T0 + t
	return p


def capture():
	pk = []
	for i in range(5):  # flow A
		pk.append(udp(i, "10.0.0.1", 1000, "10.0.0.2", 7000, b"cnt"))
	pk.append(udp(10, "10.0.1.1", 1001, "10.0.1.2", 7001, b"login"))
	pk.append(udp(11, "10.0.1.1", 1002, "10.0.1.3", 7002, b"data"))
	pk.append(udp(12, "10.0.1.9", 1003, "10.0.1.3", 7002, b"data"))
	pk.append(udp(20, "10.0.2.1", 1004, "10.0.2.2", 7003, b"pairset"))
	pk.append(udp(21, "10.0.2.2", 1005, "10.0.2.1", 7004, b"paircheck"))
	pk.append(udp(22, "10.0.2.1", 1006, "10.0.2.3", 7004, b"paircheck"))
	pk.append(udp(45, "10.0.2.1", 1007, "10.0.2.2", 7004, b"paircheck"))
	for i in range(10):  # one source, ten destinations
		pk.append(udp(50 + i, "10.0.3.1", 2000 + i, "10.0.3.%d" % (10 + i), 7005, b"thr"))
	pk.append(udp(70, "10.0.4.1", 1010, "10.0.4.9", 7006, b"sup"))
	pk.append(udp(71, "10.0.4.2", 1011, "10.0.4.9", 7006, b"sup"))
	pk.append(udp(72, "10.0.9.7", 1012, "10.0.4.9", 7006, b"sup"))
	for i in range(4):
		pk.append(udp(80 + i, "10.0.5.%d" % (1 + i), 1020, "10.0.5.9", 7007, b"rate"))
	pk.append(udp(90, "10.0.6.1", 1030, "10.0.6.2", 7008, b"tagme"))
	pk.append(udp(411, "10.0.1.1", 1040, "10.0.1.4", 7002, b"data"))
	return pk


class R:
	def __init__(self):
		self.passed = self.failed = 0

	def check(self, name, ok, detail=""):
		if ok:
			self.passed += 1
			print("PASS %s" % name)
		else:
			self.failed += 1
			print("FAIL %s %s" % (name, detail))


def run(sw, work, threads, extra=()):
	out = os.path.join(work, "out-%d%s" % (threads, "-ips" if extra else ""))
	os.makedirs(out, exist_ok=True)
	cmd = [sw, "-c", os.path.join(work, "sidewall.yaml"), "-r", os.path.join(work, "state.pcap"),
	       "-S", os.path.join(work, "state.rules"), "-l", out, "--threads", str(threads)] + list(extra)
	p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
	evs = []
	path = os.path.join(out, "eve.json")
	if os.path.exists(path):
		with open(path) as f:
			evs = [json.loads(line) for line in f if line.strip()]
	return p, evs


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("sidewall_pos", nargs="?")
	ap.add_argument("--sidewall")
	ap.add_argument("--src")
	ap.add_argument("--schema")
	ap.add_argument("--keep")
	a = ap.parse_args()
	sw = a.sidewall or a.sidewall_pos
	r = R()
	work = tempfile.mkdtemp(prefix="sw-state-")
	try:
		wrpcap(os.path.join(work, "state.pcap"), capture())
		with open(os.path.join(work, "state.rules"), "w") as f:
			f.write(RULES)
		with open(os.path.join(work, "threshold.config"), "w") as f:
			f.write(THRESHOLD_CONF)
		with open(os.path.join(work, "sidewall.yaml"), "w") as f:
			f.write("threshold-file: threshold.config\noutputs:\n  - eve-log:\n      enabled: yes\n"
				"      filetype: regular\n      filename: eve.json\n      types:\n        - alert\n"
				"        - drop\n")
		p = subprocess.run([sw, "-T", "-c", os.path.join(work, "sidewall.yaml"), "-S",
				    os.path.join(work, "state.rules")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
				   text=True, timeout=60)
		r.check("-T accepts the rules and threshold.config", p.returncode == 0, p.stdout + p.stderr)
		sets = {}
		for th in (1, 2, 4):
			p, evs = run(sw, work, th)
			r.check("threads %d: exit 0" % th, p.returncode == 0, p.stderr[-2000:])
			got = collections.Counter(e["alert"]["signature_id"] for e in evs if e.get("event_type") == "alert")
			for sid, n in sorted(WANT.items()):
				r.check("threads %d: sid %d alerts %d" % (th, sid, n), got.get(sid, 0) == n,
					"got %d" % got.get(sid, 0))
			extra = set(got) - set(WANT)
			r.check("threads %d: no other sid alerts" % th, not extra, str(sorted(extra)))
			sets[th] = sorted((e["alert"]["signature_id"], e.get("pcap_cnt"))
					  for e in evs if e.get("event_type") == "alert")
		r.check("same alerts (sid, packet) with 1, 2 and 4 threads", sets[1] == sets[2] == sets[4])
		for th in (1, 4):
			p, evs = run(sw, work, th, ("--simulate-ips",))
			drops = [e for e in evs if e.get("event_type") == "drop" and
				 e.get("alert", {}).get("signature_id") == 153]
			r.check("threads %d --simulate-ips: rate_filter drops %d" % (th, DROPS_153), len(drops) == DROPS_153,
				"got %d" % len(drops))
		# a bad threshold.config line is an error naming file, line and token
		with open(os.path.join(work, "threshold.config"), "a") as f:
			f.write("threshold gen_id 1, sig_id 140, type sometimes, track by_src, count 1, seconds 1\n")
		p = subprocess.run([sw, "-T", "-c", os.path.join(work, "sidewall.yaml"), "-S",
				    os.path.join(work, "state.rules")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
				   text=True, timeout=60)
		out = p.stdout + p.stderr
		r.check("-T refuses a bad threshold.config line", p.returncode != 0 and
			"threshold.config:7: invalid type (want limit, threshold or both): 'sometimes'" in out, out)
	finally:
		if a.keep:
			shutil.copytree(work, a.keep, dirs_exist_ok=True)
		shutil.rmtree(work, ignore_errors=True)
	print("%d passed, %d failed" % (r.passed, r.failed))
	return 1 if r.failed else 0


if __name__ == "__main__":
	sys.exit(main())
