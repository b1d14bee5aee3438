#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic DNS captures for sidewall's DNS end-to-end test
(tests/e2e/dns_e2e.py, rules tests/e2e/dns.rules).

Run with Debian's /usr/bin/python3 (python3-scapy for the IP/UDP/TCP
layers).  The DNS messages are encoded here byte by byte (RFC 1035 4.1,
name compression 4.1.4 with an explicit suffix table), addresses, ports, ids
and timestamps are fixed, so the output is byte-identical on every run.
Next to the capture the generator writes dns.json: traffic.py's flow
expectations (packets, bytes, state, sids per flow) plus, per flow, the
app_proto Suricata writes, the EVE "dns" record of every transaction, which
transaction each app-layer alert belongs to, and the stats.app_layer counters.
Every expectation comes from the bytes the generator sent read with the DNS
RFCs and Suricata's documented behaviour (sources below), never from running
sidewall.

  dns.py [--out tests/fixtures/pcap]

Capture dns.pcap (IPv4, Ethernet), flows:
  A  UDP  A record, answer name a compression pointer to the question
  B  UDP  AAAA record
  C  UDP  CNAME chain (2 CNAMEs then an A), pointers in owner names and RDATA
  D  UDP  TXT with two character-strings (two answers in EVE)
  E  UDP  NXDOMAIN (rcode 3, no records)
  F  UDP  a query with two questions, its response answering both
  G  UDP  a response without a query (flow reversed by detection)
  H  UDP  a query never answered
  I..K    evil.example, sub.evil.example, notevil.example (dotprefix)
  L  UDP  a mixed-case name (nocase, and case-sensitive negative)
  M  UDP  two query/response pairs on one 5-tuple (flowbits across txs)
  N  UDP  the flowbits check without the set (no alert)
  O  TCP  one length-prefixed query split over two segments
  P  TCP  two queries in one segment, two responses in one segment
  Q  UDP  a DNS query/response on port 5300: not DNS (app_proto failed)
  R  UDP  a valid pair, then a query whose name is a pointer to itself
          (a compression loop): refused, counted, no transaction
  S  UDP  a query and a response with CNAME, A, an NS authority, an A glue
          (the Suricata 8 rrname buffers)
  T  UDP  MX query and response with EDNS (OPT before the glue record)
  U  UDP  a NOTIFY (opcode 4) and its answer

Sources used for the expectations:
  [rfc]   RFC 1035 4.1 (header, question, RR format; 4.1.4 compression;
          4.2.2 TCP two-byte length prefix), RFC 3596 (AAAA), RFC 7766 8
          (several messages per segment / one message over several).
  [kw]    docs.suricata.io rules/dns-keywords: "dns.query is a sticky buffer
          used to inspect DNS query names in DNS request messages"; "dns.query
          will only match on DNS request messages, to also match on DNS
          response message, see dns.queries.rrname"; "dns.query is equivalent
          to the older dns_query"; the buffer is the dotted name, no leading
          length, no trailing NUL; dns.queries.rrname is multi-buffer.
          Suricata source rust/src/dns/detect.rs: dns_query registered
          STREAM_TOSERVER only (so `flow:to_client; dns.query` is refused:
          src/detect-parse.c SigConsolidateDirection "rule %u mixes keywords
          with conflicting directions").  The name is matched as sent (no
          case folding).
  [kw8]   Suricata 8.0 rust/src/dns/detect.rs, src/detect-dns-name.c,
          src/detect-dns-response.c, rust/src/dns/dns.rs SCDnsTxGet*:
          dns.queries/answers.rrname (and dns.query.name / dns.answer.name)
          registered to server and to client, reading the message of the
          direction (a DNS transaction is inspected in its own direction
          only, AppLayerTxData::for_direction); dns.authorities/
          additionals.rrname read the response only; dns.response.rrname to
          client only: questions, then per record its name and the rdata
          name of CNAME/PTR/MX/NS/SOA(mname); a section's instances end at
          its first empty (root) name.  dns.opcode / dns.rcode read the
          header of the message in the direction; dns.rrtype the questions
          to the server, the answers to the client; rcode and rrtype take
          names (DNSRcode, DNSRecordType, any case).
  [xf]    docs.suricata.io rules/transforms "dotprefix": prepends a '.' so
          `dotprefix; content:".evil.example"; endswith;` matches evil.example
          and sub.evil.example, not notevil.example.
  [tx]    Suricata 7/8 rust/src/dns/dns.rs: DNS transactions are
          unidirectional: every request and every response message is its
          own transaction (parse_request / parse_response each push a new
          tx, tx ids in arrival order).  A response is not merged with its
          query.  suricata-verify dns-udp-eve-dig: request record
          dns.tx_id 0, its response a separate dns record.
  [eve]   Suricata 8 rust/src/dns/log.rs log_json (v3, the default):
          version 3, type "request"/"response", tx_id, id, flags as
          lower-case hex without padding ("100", "8180"), qr/aa/tc/rd/ra/z
          only when set, opcode, rcode always (a request says "NOERROR"),
          queries [{rrname, rrtype}], answers [{rrname, rrtype, ttl, rdata}]
          (one entry per TXT character-string), grouped {TYPE: [rdata...]}
          (default formats: detailed + grouped); dns_print_addr prints AAAA
          as 8 groups of 4 lower-case hex digits, uncompressed.
          src/output-json-dns.c: UDP records in packet direction (a response
          record is server->client), TCP ones in the tx's direction.
          src/output-json-alert.c AlertJsonDns: the alert's dns object is the
          same object, detailed format only (no "grouped").
          suricata-verify dns-udp-eve-dig, dns-udp-eve-txt, dns-forward-pointer
          (values checked the same way).
  [det]   rust/src/dns/dns.rs: DNS detection is a probing parser on
          dns.udp/tcp detection-ports, default "53"; src/app-layer.c
          AppLayerHandleUdp: a UDP flow nothing detects is app_proto
          "failed" (counted app_layer.flow.failed_udp); a response seen
          first makes detection reverse the flow (FlowSwap: the flow record
          is client->server, its counters swapped) -- suricata-verify
          dns-reversed-udp-1; its state stays "new" (one direction seen).
  [loop]  rust/src/dns/parser.rs dns_parse_name: a pointer to itself
          before any jump is an error (a pointer loop after a jump only
          truncates the name); the message is refused (MalformedData event,
          no transaction) and parse_request returns false:
          stats.app_layer.error.dns_udp.parser counts it (suricata-verify
          dns-forward-pointer checks that counter).
"""
import argparse
import ipaddress
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from traffic import Capture  # noqa: E402

SID = 2300000  # dns.rules uses SID + n

C1, C2, C3 = "192.168.30.11", "192.168.30.12", "192.168.30.13"
RES = "192.168.30.53"

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "OPT": 41}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

# Which rules read a transaction (their alerts carry tx_id and the dns
# object) and which are packet rules (alert udp: app_proto only).
RULE_SIDE = {}
for _n in range(1, 40):
	RULE_SIDE[SID + _n] = "request"
RULE_SIDE[SID + 20] = "raw"
RULE_SIDE[SID + 21] = "raw"
for _n in (22, 34):
	RULE_SIDE[SID + _n] = "both"
for _n in (23, 24, 25, 26, 28, 29, 30, 31, 32, 36, 37):
	RULE_SIDE[SID + _n] = "response"


class Msg:
	"""One DNS message (RFC 1035 4.1), encoded with name compression
	(4.1.4): every name suffix already written at an offset < 0x4000 is
	replaced by a pointer to it, unless compress=False."""

	def __init__(self, qid, flags, compress=True):
		self.qid, self.flags, self.compress = qid, flags, compress
		self.questions = []  # (name, type)
		self.answers = []    # (name, type, ttl, rdata value)
		self.authorities = []
		self.additionals = []
		self.raw_questions = None

	def q(self, name, qtype="A"):
		self.questions.append((name, qtype))
		return self

	def an(self, name, rtype, ttl, value):
		self.answers.append((name, rtype, ttl, value))
		return self

	def ns(self, name, rtype, ttl, value):
		self.authorities.append((name, rtype, ttl, value))
		return self

	def ar(self, name, rtype, ttl, value):
		self.additionals.append((name, rtype, ttl, value))
		return self

	def _name(self, out, name, table):
		labels = name.split(".") if name else []
		for i in range(len(labels)):
			suffix = ".".join(labels[i:]).lower()
			if self.compress and suffix in table:
				out += struct.pack("!H", 0xC000 | table[suffix])
				return
			if len(out) < 0x4000:
				table.setdefault(suffix, len(out))
			lab = labels[i].encode()
			out += bytes([len(lab)]) + lab
		out += b"\0"

	def wire(self):
		out = bytearray(struct.pack("!HHHHHH", self.qid, self.flags, len(self.questions), len(self.answers),
					    len(self.authorities), len(self.additionals)))
		table = {}
		if self.raw_questions is not None:
			out += self.raw_questions
		for name, qtype in self.questions:
			self._name(out, name, table)
			out += struct.pack("!HH", TYPES[qtype], 1)
		for name, rtype, ttl, value in self.answers + self.authorities + self.additionals:
			self._name(out, name, table)
			# OPT (RFC 6891 6.1.2): root owner, CLASS is the UDP payload size
			out += struct.pack("!HHI", TYPES[rtype], 1232 if rtype == "OPT" else 1, ttl)
			rdpos = len(out)
			out += b"\0\0"
			if rtype in ("A", "AAAA"):
				out += ipaddress.ip_address(value).packed
			elif rtype in ("CNAME", "NS", "PTR"):
				self._name(out, value, table)
			elif rtype == "MX":
				out += struct.pack("!H", value[0])
				self._name(out, value[1], table)
			elif rtype == "TXT":
				for s in value:
					out += bytes([len(s)]) + s.encode()
			struct.pack_into("!H", out, rdpos, len(out) - rdpos - 2)
		return bytes(out)

	@staticmethod
	def _rdata(rtype, value):
		"""The rdata strings EVE shows for one record: one per TXT string, none for an OPT
		without options, the exchange of an MX (not its preference) [eve]."""
		if rtype == "TXT":
			return value
		if rtype == "OPT":
			return []
		if rtype == "MX":
			return [value[1]]
		return [addr(value) if rtype in ("A", "AAAA") else value]

	def eve(self, tx_id, grouped=True):
		"""Suricata 8's v3 "dns" object for this message as its own transaction [eve][tx]."""
		f = self.flags
		d = {"version": 3, "type": "response" if f & 0x8000 else "request", "tx_id": tx_id, "id": self.qid,
		     "flags": "%x" % f}
		for bit, key in ((0x8000, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"),
				 (0x0040, "z")):
			if f & bit:
				d[key] = True
		d["opcode"] = (f >> 11) & 0xF
		d["rcode"] = RCODES[f & 0xF]
		if self.questions:
			d["queries"] = [{"rrname": n, "rrtype": t} for n, t in self.questions]
		if self.answers:
			ans, grp = [], {}
			for name, rtype, ttl, value in self.answers:
				for v in self._rdata(rtype, value):
					ans.append({"rrname": name, "rrtype": rtype, "ttl": ttl, "rdata": v})
					grp.setdefault(rtype, []).append(v)
			d["answers"] = ans
			if grouped:
				d["grouped"] = grp
		for key, recs in (("authorities", self.authorities), ("additionals", self.additionals)):
			if recs:
				out = []
				for name, rtype, ttl, value in recs:
					if key == "additionals" and rtype == "OPT" and not value:
						continue  # log.rs log_json: an OPT without options is not logged
					vals = self._rdata(rtype, value)
					for v in vals:
						out.append({"rrname": name, "rrtype": rtype, "ttl": ttl, "rdata": v})
					if not vals:
						out.append({"rrname": name, "rrtype": rtype, "ttl": ttl})
				if out:
					d[key] = out
		return d


def addr(a):
	"""dns_print_addr [eve]: dotted quad, or 8 groups of 4 hex digits."""
	p = ipaddress.ip_address(a).packed
	if len(p) == 4:
		return "%d.%d.%d.%d" % tuple(p)
	return ":".join("%02x%02x" % (p[i], p[i + 1]) for i in range(0, 16, 2))


def query(qid, name, qtype="A"):
	return Msg(qid, 0x0100).q(name, qtype)  # RD


def response(q, answers=(), rcode=0):
	r = Msg(q.qid, 0x8180 | rcode)  # QR RD RA
	for name, qtype in q.questions:
		r.q(name, qtype)
	for a in answers:
		r.an(*a)
	return r


def tcp_msg(m):
	b = m.wire()
	return struct.pack("!H", len(b)) + b  # [rfc] 4.2.2


class Tx:
	def __init__(self, msg, to_server):
		self.msg, self.to_server = msg, to_server


def annotate(f, app_proto, msgs, alert_tx=None, reversed_flow=False, proto="udp"):
	"""msgs: the DNS messages of flow f in arrival order, each its own
	transaction [tx] (tx_id = position)."""
	f.app_proto = app_proto
	f.dns = []
	for i, m in enumerate(msgs):
		f.dns.append({"tx_id": i, "dir": "toclient" if m.flags & 0x8000 else "toserver", "dns": m.eve(i),
			      "alert_dns": m.eve(i, grouped=False)})
	f.alert_tx = {str(k): v for k, v in (alert_tx or {}).items()}
	f.reversed_flow = reversed_flow
	f.dns_proto = proto
	return f


def build():
	c = Capture("dns", offset_s=360, rules="tests/e2e/dns.rules")
	stats = {"flow_dns_udp": 0, "flow_dns_tcp": 0, "flow_failed_udp": 0, "flow_failed_tcp": 0,
		 "tx_dns_udp": 0, "tx_dns_tcp": 0, "error_dns_udp_parser": 0}

	def udp(cli, sport, msgs, sids=(), alert_tx=None, dport=53, dns=True, extra=()):
		ex = [("s" if m.flags & 0x8000 else "c", m.wire()) for m in msgs] + list(extra)
		f = c.udp(cli, RES, sport, dport, ex)
		for s in sids:
			f.expect(s)
		if dns:
			stats["flow_dns_udp"] += 1
			stats["tx_dns_udp"] += len(msgs)
			annotate(f, "dns", msgs, alert_tx)
		else:
			stats["flow_failed_udp"] += 1
			annotate(f, "failed", [])
		return f

	# A. A record; the answer's owner name is a pointer to the question (C0 0C).
	q = query(0x1A01, "www.example.com")
	r = response(q, [("www.example.com", "A", 300, "93.184.216.34")])
	assert r.wire()[-16:-14] == b"\xc0\x0c"
	# 1 exact name (depth + negated relative isdataat: the whole buffer [kw]).
	udp(C1, 50101, [q, r], [SID + 1], {SID + 1: [0]})

	# B. AAAA [rfc 3596]; rdata printed uncompressed [eve].  2: legacy dns_query.
	q = query(0x1B02, "ipv6-host.example", "AAAA")
	r = response(q, [("ipv6-host.example", "AAAA", 600, "2001:db8::53:1")])
	udp(C2, 50102, [q, r], [SID + 2], {SID + 2: [0]})

	# C. CNAME chain: alias.example.com -> www2.example.com -> edge.cdn.example.net -> A.
	# Pointers in owner names and inside CNAME RDATA.  7 startswith "alias";
	# 20 alert udp raw content on the query's wire-format name (to port 53 only:
	# the response carries it too, to the client's port).  13 (NEG): a name
	# only present as an answer rrname / rdata is not in dns.query.
	q = query(0x1C03, "alias.example.com")
	r = response(q, [("alias.example.com", "CNAME", 120, "www2.example.com"),
			 ("www2.example.com", "CNAME", 120, "edge.cdn.example.net"),
			 ("edge.cdn.example.net", "A", 60, "198.51.100.7")])
	w = r.wire()
	assert w.count(b"\xc0") >= 4 and b"\x07example\x03com" in w
	udp(C3, 50103, [q, r], [SID + 7, SID + 20], {SID + 7: [0]})

	# D. TXT with two character-strings: two answers in EVE [eve].  6: bsize.
	q = query(0x1D04, "txt.example.org", "TXT")
	r = response(q, [("txt.example.org", "TXT", 3600, ["v=spf1 -all", "sw-test=1"])])
	udp(C1, 50104, [q, r], [SID + 6], {SID + 6: [0]})

	# E. NXDOMAIN (flags 8183), no records.  8: pcre.  36: dns.rcode by name,
	# on the response only [kw8].  37 (NEG): dns.rrtype to the client reads
	# the answers, and there are none (the question's A is not read) [kw8].
	q = query(0x1E05, "nx-deadbeef.example.net")
	r = response(q, rcode=3)
	udp(C2, 50105, [q, r], [SID + 8, SID + 36], {SID + 8: [0], SID + 36: [1]})

	# F. Two questions in one query; dns.query is per question (multi-buffer) [kw]:
	# 12 on the second question, one alert for the transaction.
	q = Msg(0x1F06, 0x0100).q("first.example.com").q("second.example.com")
	r = response(q, [("first.example.com", "A", 300, "192.0.2.1"), ("second.example.com", "A", 300, "192.0.2.2")])
	udp(C3, 50106, [q, r], [SID + 12], {SID + 12: [0]})

	# G. A response without a query: DNS by the toclient probe, the flow is
	# reversed (client->server record, state new) [det]; one response tx.
	# 14 (NEG): its question name is in a response only: dns.query never sees it [kw].
	r = response(query(0x0BAD, "orphan.example"), [("orphan.example", "A", 30, "203.0.113.9")])
	f = udp(C1, 50107, [r])
	f.state = "new"
	f.reversed_flow = True

	# H. A query never answered: the request is its own transaction at once [tx].
	q = query(0x2008, "noanswer.example.net")
	f = udp(C2, 50108, [q], [SID + 15], {SID + 15: [0]})
	assert f.state == "new"

	# I..K. dotprefix [xf]: 3 matches evil.example and sub.evil.example;
	# 4 (plain endswith) matches all three; 5 sub.evil.example only via startswith on the dotted buffer.
	for port, name, sids in ((50109, "evil.example", [3, 4]), (50110, "sub.evil.example", [3, 4, 5]),
				 (50111, "notevil.example", [4])):
		q = query(0x2100 + port - 50100, name)
		r = response(q, [(name, "A", 300, "203.0.113.66")])
		udp(C3, port, [q, r], [SID + s for s in sids], {SID + s: [0] for s in sids})

	# L. Mixed-case name: 9 nocase matches, 10 (NEG) the lower-case content without nocase does not [kw].
	q = query(0x2212, "MiXeD.Example.ORG")
	r = response(q, [("MiXeD.Example.ORG", "A", 300, "192.0.2.12")])
	udp(C1, 50112, [q, r], [SID + 9], {SID + 9: [0]})

	# M. flowbits across transactions on one 5-tuple: query 1 sets (noalert,
	# 16), query 2 checks (17): txs 0 q1, 1 r1, 2 q2, 3 r2 [tx] -> alert on tx 2.
	q1 = query(0x2301, "step1.bits.example")
	r1 = response(q1, [("step1.bits.example", "A", 60, "192.0.2.31")])
	q2 = query(0x2302, "step2.bits.example")
	r2 = response(q2, [("step2.bits.example", "A", 60, "192.0.2.32")])
	udp(C2, 50113, [q1, r1, q2, r2], [SID + 17], {SID + 17: [2]})

	# N. step2 without step1: isset is false, no alert.
	q = query(0x2403, "step2.bits.example")
	r = response(q, [("step2.bits.example", "A", 60, "192.0.2.32")])
	udp(C3, 50114, [q, r])

	# O. TCP: one query split over two segments inside the question name [rfc 7766].
	q = query(0x3001, "tcp-split.example.org")
	r = response(q, [("tcp-split.example.org", "A", 300, "192.0.2.41")])
	b = tcp_msg(q)
	cut = b.index(b"split") + 2
	f = c.tcp(C1, RES, 40201, 53, [("c", [b[:cut], b[cut:]]), ("s", tcp_msg(r))])
	f.expect(SID + 18)
	annotate(f, "dns", [q, r], {SID + 18: [0]}, proto="tcp")
	stats["flow_dns_tcp"] += 1
	stats["tx_dns_tcp"] += 2

	# P. TCP: two queries in one segment, then both responses in one segment:
	# txs 0 qa, 1 qb, 2 ra, 3 rb [tx].  19 on the second query only.
	qa = query(0x3102, "tcp-pair-a.example.org")
	qb = query(0x3103, "tcp-pair-b.example.org", "AAAA")
	ra = response(qa, [("tcp-pair-a.example.org", "A", 300, "192.0.2.51")])
	rb = response(qb, [("tcp-pair-b.example.org", "AAAA", 300, "2001:db8:0:51::b")])
	f = c.tcp(C2, RES, 40202, 53, [("c", tcp_msg(qa) + tcp_msg(qb)), ("s", tcp_msg(ra) + tcp_msg(rb))])
	f.expect(SID + 19)
	annotate(f, "dns", [qa, qb, ra, rb], {SID + 19: [1]}, proto="tcp")
	stats["flow_dns_tcp"] += 1
	stats["tx_dns_tcp"] += 4

	# Q. A well-formed DNS exchange on port 5300: detection is bound to port 53
	# [det], so app_proto failed, no dns record, no alert from 11 (alert dns);
	# 21 (alert udp, raw) still sees the wire-format name.
	q = query(0x4001, "offport.example")
	r = response(q, [("offport.example", "A", 300, "192.0.2.61")])
	udp(C3, 50115, [q, r], [SID + 21], dport=5300, dns=False)

	# R. A valid pair, then a query whose question name is a pointer to its own
	# offset (C0 0C at offset 12): refused [loop], counted, no transaction, no
	# crash; nothing else follows on the flow.
	q = query(0x5001, "loop-ok.example")
	r = response(q, [("loop-ok.example", "A", 300, "192.0.2.71")])
	bad = Msg(0x5002, 0x0100)
	bad.raw_questions = b"\xc0\x0c" + struct.pack("!HH", 1, 1)
	badw = struct.pack("!HHHHHH", 0x5002, 0x0100, 1, 0, 0, 0) + bad.raw_questions
	assert badw[12:14] == b"\xc0\x0c"
	f = udp(C1, 50116, [q, r], extra=[("c", badw)])
	stats["error_dns_udp_parser"] += 1

	# S. The Suricata 8 rrname buffers [kw8] on a query and a response with
	# every section: CNAME then A answers, an NS authority, an A glue.
	# 22 dns.queries.rrname: the request's question and the response's copy,
	# one alert each (both directions); 23 dns.answers.rrname to the client
	# (the A record's owner); 24 dns.authorities.rrname with bsize; 25
	# dns.additionals.rrname; 26 dns.response.rrname on the CNAME rdata
	# ("shop.cdn-provider.example" is also the A owner; the pcre anchors the
	# exact buffer); 27 (NEG) dns.answers.rrname to the server: the query has
	# no answers; 28 dns.query.name to the client (the response's question);
	# 29 dns.answer.name, startswith + bsize on the first answer's owner.
	q = query(0x6001, "shop.example.com")
	r = response(q, [("shop.example.com", "CNAME", 300, "shop.cdn-provider.example"),
			 ("shop.cdn-provider.example", "A", 60, "192.0.2.80")])
	r.ns("cdn-provider.example", "NS", 3600, "ns1.cdn-provider.example")
	r.ar("ns1.cdn-provider.example", "A", 3600, "192.0.2.53")
	udp(C2, 50117, [q, r], [SID + 22, SID + 22, SID + 23, SID + 24, SID + 25, SID + 26, SID + 28, SID + 29],
	    {SID + 22: [0, 1], SID + 23: [1], SID + 24: [1], SID + 25: [1], SID + 26: [1], SID + 28: [1],
	     SID + 29: [1]})

	# T. MX with EDNS: the response's additionals are an OPT record (root
	# owner) then the exchange's glue A.  30 dns.response.rrname finds the
	# exchange in the MX rdata (the preference is not part of it); 31 (NEG)
	# dns.additionals.rrname never reaches the glue: Suricata's getter gives
	# no buffer for the OPT's empty name, which ends the section; 32
	# dns.rrtype:mx to the client (the answer), 33 dns.rrtype:15 to the
	# server (the question).
	q = query(0x6102, "example.org", "MX")
	q.ar("", "OPT", 0, None)
	r = response(q, [("example.org", "MX", 300, (10, "mx1.mail-host.example"))])
	r.ar("", "OPT", 0, None)
	r.ar("mx1.mail-host.example", "A", 300, "192.0.2.25")
	udp(C3, 50118, [q, r], [SID + 30, SID + 32, SID + 33], {SID + 30: [1], SID + 32: [1], SID + 33: [0]})

	# U. NOTIFY (opcode 4, RFC 1996) and its answer (QR AA, opcode 4): 34
	# dns.opcode:4 on both messages; 35 dns.opcode:!0 with flow:to_server on
	# the request only.
	q = Msg(0x6203, 0x2400).q("zone.example", "SOA")
	r = response(q)
	r.flags = 0xA400
	udp(C1, 50119, [q, r], [SID + 34, SID + 34, SID + 35], {SID + 34: [0, 1], SID + 35: [0]})
	return c, stats


def expected(cap, stats, name):
	e = cap.expected(name)
	for fj, f in zip(e["flows"], cap.flows):
		fj["app_proto"] = f.app_proto
		fj["dns"] = f.dns
		fj["alert_tx"] = f.alert_tx
		fj["reversed_by_detection"] = bool(getattr(f, "reversed_flow", False))
	e["rule_side"] = {str(k): v for k, v in sorted(RULE_SIDE.items())}
	e["app_layer_stats"] = stats
	return e


def main():
	here = os.path.dirname(os.path.abspath(__file__))
	root = os.path.normpath(os.path.join(here, "..", ".."))
	ap = argparse.ArgumentParser()
	ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "pcap"))
	a = ap.parse_args()
	os.makedirs(a.out, exist_ok=True)
	cap, stats = build()
	cap.write(os.path.join(a.out, "dns.pcap"))
	with open(os.path.join(a.out, "dns.json"), "w") as j:
		json.dump(expected(cap, stats, "dns.pcap"), j, indent=1, sort_keys=True)
		j.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
