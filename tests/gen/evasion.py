#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""TCP evasion classics (Ptacek-Newsham style) as deterministic captures for
tests/e2e/stream_e2e.py, one capture per case, with tests/e2e/stream.rules.

Run with Debian's /usr/bin/python3 (python3-scapy):
  evasion.py [--out tests/fixtures/pcap]

Every case is one TCP session 10.9.0.1:40000 -> 10.9.0.2:80 (client ISN
1000, server ISN 5000, full handshake) whose client sends, somewhere, the
marker EVILPAYLOAD (sid 1990001, flow:established,to_server).  Next to the
captures, evasion.json says per case which config it runs with (none: the
defaults, bsd overlaps; "linux": host-os-policy linux for 10.9.0.2; "first")
and how many alerts the receiver's view of the stream must raise, and which
stats.tcp counters must be non-zero.  The expectations follow from what
each capture makes a receiver with that policy accept (RFC 793 / RFC 5961
and Suricata's overlap table), written here, never taken from sidewall.

Cases:
  retrans_same        the marker segment retransmitted with the same bytes: 1
  retrans_diff        retransmitted with other bytes (same start and length,
                      bsd keeps the first): 1, overlap_diff_data counted
  cover_overlap       after a gap, benign bytes held, then a segment starting
                      before and ending after them with the marker (Linux and
                      bsd take the later, covering segment): 1 with linux, 1
                      with the default, 0 with "first"
  complete_overlap    after a gap, benign bytes held, then a segment at the same
                      start, longer, carrying the marker over them (Linux takes
                      it; bsd keeps the old bytes): 1 with linux, 0 with bsd
  rst_out_of_window   an injected RST far out of the window, then the marker: 1
  rst_in_window       an injected RST in the window but not at the next
                      sequence number (a challenge ACK only), then the marker: 1
  rst_exact           control: a RST at exactly the next sequence number
                      resets; the marker after it is not accepted: 0
"""
import argparse
import calendar
import json
import os

from scapy.all import IP, TCP, Ether, Raw  # noqa: E402
from scapy.utils import PcapWriter  # noqa: E402

BASE_US = calendar.timegm((2024, 3, 4, 5, 6, 7, 0, 0, 0)) * 1000000
CLI, SRV, CPORT, SPORT = "10.9.0.1", "10.9.0.2", 40000, 80
CISN, SISN = 1000, 5000
MARK = b"EVILPAYLOAD"


class Session:
	def __init__(self, idx):
		self.pkts = []
		self.t = BASE_US + idx * 10000000

	def add(self, to_server, flags, seq, ack, data=b""):
		src, dst, sp, dp = (CLI, SRV, CPORT, SPORT) if to_server else (SRV, CLI, SPORT, CPORT)
		p = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") if to_server else
		     Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01"))
		p = p / IP(src=src, dst=dst, ttl=64, id=len(self.pkts) + 1) / \
			TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=65535)
		if data:
			p = p / Raw(data)
		self.t += 1000
		p.time = self.t / 1000000
		self.pkts.append(p)

	def c(self, rel, data=b"", flags="PA"):
		"""Client data at relative sequence number rel (1 = first data byte)."""
		self.add(True, flags, CISN + rel, SISN + 1, data)

	def s_ack(self, rel_acked):
		"""The server acknowledges client bytes before relative seq rel_acked."""
		self.add(False, "A", SISN + 1, CISN + rel_acked)

	def handshake(self):
		self.add(True, "S", CISN, 0)
		self.add(False, "SA", SISN, CISN + 1)
		self.add(True, "A", CISN + 1, SISN + 1)

	def close(self, rel):
		self.add(True, "FA", CISN + rel, SISN + 1)
		self.add(False, "FA", SISN + 1, CISN + rel + 1)
		self.add(True, "A", CISN + rel + 1, SISN + 2)


def build():
	cases = {}

	def case(name, sess, expect, config=None, counters=()):
		cases[name] = {"pcap": "evasion-%s.pcap" % name.replace("_", "-"), "config": config,
			       "alerts": {"1990001": expect}, "counters": list(counters), "pkts": sess.pkts}

	req = b"GET /" + MARK + b" HTTP/1.0\r\n\r\n"

	s = Session(0)
	s.handshake()
	s.c(1, req)
	s.c(1, req)                      # lost ACK: the same bytes again
	s.s_ack(1 + len(req))
	s.close(1 + len(req))
	case("retrans_same", s, 1)

	s = Session(1)
	s.handshake()
	s.c(1, req)
	s.c(1, b"GET /benignpayld HTTP/1.0\r\n\r\n")  # same length, other bytes
	s.s_ack(1 + len(req))
	s.close(1 + len(req))
	case("retrans_diff", s, 1, counters=["overlap_diff_data"])

	# GET /.....(gap: 1..10 missing)..... benign held at 11..20, covering 6..25
	cover = b"xxxxx" + MARK + b"yyyy"         # rel 6..25: marker at 11..21
	for name, cfg, want in (("cover_overlap", "linux", 1), ("cover_overlap_bsd", None, 1),
				("cover_overlap_first", "first", 0)):
		s = Session(2 + len(cases))
		s.handshake()
		s.c(11, b"benign-txt")               # rel 11..20, held after the gap
		s.c(6, cover)                        # starts before, ends after: covers it
		s.c(1, b"GET /")                     # fills the gap: 1..5
		s.s_ack(26)
		s.close(26)
		case(name, s, want, cfg, ["overlap_diff_data"])

	for name, cfg, want in (("complete_overlap", "linux", 1), ("complete_overlap_bsd", None, 0)):
		s = Session(2 + len(cases))
		s.handshake()
		s.c(11, b"benign-text")              # rel 11..21, held after the gap
		s.c(11, MARK + b"!!")                # same start, longer: 11..23
		s.c(1, b"GET /xxxxx")                # fills the gap: 1..10
		s.s_ack(24)
		s.close(24)
		case(name, s, want, cfg, ["overlap_diff_data"])

	for name, rst_rel, want in (("rst_out_of_window", 1 + 10 + 0x40000000, 1),
				    ("rst_in_window", 1 + 10 + 100, 1),
				    ("rst_exact", 1 + 10, 0)):
		s = Session(2 + len(cases))
		s.handshake()
		s.c(1, b"hello, srv")                # rel 1..10
		s.s_ack(11)
		s.add(True, "R", CISN + rst_rel, 0)  # injected reset
		s.c(11, req)                         # the attack, in order
		s.s_ack(11 + len(req))
		s.close(11 + len(req))
		case(name, s, want)
	return cases


def main():
	ap = argparse.ArgumentParser()
	here = os.path.dirname(os.path.abspath(__file__))
	ap.add_argument("--out", default=os.path.join(here, "..", "fixtures", "pcap"))
	a = ap.parse_args()
	os.makedirs(a.out, exist_ok=True)
	cases = build()
	meta = {}
	for name, c in cases.items():
		w = PcapWriter(os.path.join(a.out, c["pcap"]), linktype=1, sync=True)
		for p in c.pop("pkts"):
			w.write(p)
		w.close()
		meta[name] = c
	with open(os.path.join(a.out, "evasion.json"), "w") as fh:
		json.dump(meta, fh, indent=1, sort_keys=True)
		fh.write("\n")


if __name__ == "__main__":
	main()
