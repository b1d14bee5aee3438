#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic test captures for sidewall's offline end-to-end tests.

Run with Debian's /usr/bin/python3 (python3-scapy).  Every capture is built
packet by packet with fixed addresses, ports, sequence numbers and
timestamps, so the output is byte-identical on every run.  Next to each
capture the generator writes NAME.json: the flows it sent (oriented
client->server, exact packets and wire bytes per direction, first and last
packet time, the TCP/UDP state Suricata reports) and the sids each flow must
raise with the rules file the capture was designed for.  These expectations
come from what the generator built, never from running sidewall.

  traffic.py [--out tests/fixtures/pcap] [--demo etc/demo.pcap]
             [--demo-expect tests/e2e/demo_expect.json] [--only NAME]

Captures (tests/fixtures/pcap, rules tests/e2e/e2e.rules):
  basic.pcap     Ethernet IPv4: HTTP (nocase + pcre), a content split over two
                 TCP segments, FTP flowbits pair, SMB-like byte_test, pass rule,
                 DNS, ICMP echo (small and large), thresholds, IP list, lone SYN
  basic.pcapng   the same packets as pcapng
  ipv6.pcap      IPv6 TCP, UDP and ICMPv6 echo
  vlan.pcap      802.1Q and QinQ tagged IPv4 flows
  sll.pcap       Linux cooked capture (DLT_LINUX_SLL) IPv4 flows
  badcsum.pcap   flows with bad TCP, UDP and IPv4 header checksums: they
                 alert only with -k none
  frag.pcap      IP fragments: UDP and TCP, IPv4 and IPv6, each with a rule's
                 content split across fragments (in order, reversed, shuffled),
                 an overlap where the first-arrived bytes carry the content
                 (sidewall keeps the first bytes), and a datagram whose middle
                 fragment never comes (no alert, no flow), VLAN-tagged
                 fragments.  Every fragment
                 counts as a packet of its flow with its own wire bytes.
  ooo.pcap       TCP segments out of order, IPv4 and IPv6: a rule's content
                 split over two segments sent in reverse order, over five
                 segments in reverse order, a sequence space that wraps past
                 2^32, and a segment after a gap that never fills (held, then
                 inspected when the flow ends: one alert, one reassembly_gap).
The demo (etc/demo.pcap, rules/default.rules) is a small "office LAN" capture.
"""
import argparse
import calendar
import ipaddress
import json
import os
import struct
import sys
import time

from scapy.all import ICMP, IP, TCP, UDP, IPv6, ICMPv6EchoReply, ICMPv6EchoRequest, Raw  # noqa: E402
from scapy.all import Ether, Dot1Q  # noqa: E402

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113

# 2024-01-02T03:04:05.123456 UTC: every capture starts here plus its own offset.
BASE_US = calendar.timegm((2024, 1, 2, 3, 4, 5, 0, 0, 0)) * 1000000 + 123456


def suri_ts(us):
	"""Suricata's EVE timestamp format for a packet time in microseconds."""
	sec, usec = divmod(us, 1000000)
	return "%s.%06d+0000" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)), usec)


def mac_for(ip):
	"""A stable locally administered MAC per address."""
	h = 0
	for b in ipaddress.ip_address(ip).packed:
		h = (h * 131 + b) & 0xFFFFFFFF
	return "02:%02x:%02x:%02x:%02x:%02x" % (0x10, (h >> 24) & 255, (h >> 16) & 255, (h >> 8) & 255, h & 255)


class Flow:
	"""What the generator knows about one flow it sent."""

	def __init__(self, proto, cli, srv, sport=None, dport=None):
		self.proto = proto
		self.cli, self.srv, self.sport, self.dport = cli, srv, sport, dport
		self.v6 = ":" in cli
		self.pkts = [0, 0]   # toserver, toclient
		self.bytes = [0, 0]
		self.start = self.end = None
		self.alerts = {}       # sid -> count with checksum validation on
		self.alerts_knone = {}  # sid -> count with -k none
		self.bad = False        # holds a packet with a bad checksum
		self.state = None       # Suricata flow.state expected (None: not checked)

	def expect(self, sid, n=1, knone_only=False):
		if not knone_only:
			self.alerts[str(sid)] = self.alerts.get(str(sid), 0) + n
		self.alerts_knone[str(sid)] = self.alerts_knone.get(str(sid), 0) + n
		return self

	def to_json(self):
		eve_proto = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmp6": "IPv6-ICMP"}[self.proto]
		d = {
			"proto": eve_proto,
			"src_ip": self.cli, "dest_ip": self.srv,
			"pkts_toserver": self.pkts[0], "pkts_toclient": self.pkts[1],
			"bytes_toserver": self.bytes[0], "bytes_toclient": self.bytes[1],
			"start": suri_ts(self.start), "end": suri_ts(self.end),
			"age": self.end // 1000000 - self.start // 1000000,
			"alerts": self.alerts, "alerts_knone": self.alerts_knone,
			"bad_checksum": self.bad,
		}
		if self.sport is not None:
			d["src_port"], d["dest_port"] = self.sport, self.dport
		if self.state:
			d["state"] = self.state
		return d


class Capture:
	"""Frames with timestamps plus the flows they belong to."""

	def __init__(self, name, link="eth", offset_s=0, rules="tests/e2e/e2e.rules"):
		self.name, self.link, self.rules = name, link, rules
		self.t = BASE_US + offset_s * 1000000
		self.frames = []
		self.flows = []
		self.vlan = None  # None, [id] or [outer, inner]
		self.defrag = {"%s_%s" % (v, k): 0 for v in ("ipv4", "ipv6") for k in ("fragments", "reassembled", "overlap")}
		self.stream_gaps = 0  # stats.tcp.reassembly_gap: runs of held TCP data that never became contiguous

	def flow(self, proto, cli, srv, sport=None, dport=None):
		f = Flow(proto, cli, srv, sport, dport)
		self.flows.append(f)
		return f

	def gap(self, ms):
		self.t += ms * 1000

	def wrap(self, l3, src, dst):
		raw = bytes(l3)
		etype = 0x86DD if isinstance(l3, IPv6) else 0x0800
		if self.link == "sll":
			# pkttype 0 (to us) / 4 (outgoing) by who sent it; ARPHRD_ETHER; 6-byte address.
			pkttype = 4 if ipaddress.ip_address(src).is_private else 0
			mac = bytes(int(x, 16) for x in mac_for(src).split(":"))
			return struct.pack("!HHH8sH", pkttype, 1, 6, mac + b"\0\0", etype) + raw
		eth = Ether(src=mac_for(src), dst=mac_for(dst))
		if not self.vlan:
			return bytes(eth / l3)
		if len(self.vlan) == 1:
			return bytes(eth / Dot1Q(vlan=self.vlan[0]) / l3)
		eth.type = 0x88A8
		return bytes(eth / Dot1Q(vlan=self.vlan[0], type=0x8100) / Dot1Q(vlan=self.vlan[1]) / l3)

	def emit_frags(self, f, to_server, frags, complete=True, overlaps=0):
		"""Raw IP fragments (bytes) of one datagram, one frame each; f=None:
		part of no flow.  Counts what stats.defrag must say."""
		v = "ipv6" if frags[0][0] >> 4 == 6 else "ipv4"
		for fr in frags:
			l3 = IPv6(fr) if v == "ipv6" else IP(fr)
			assert bytes(l3) == fr, "scapy changed a fragment"
			if f is None:
				self.t += 1000
				self.frames.append((self.t, self.wrap(l3, l3.src, l3.dst)))
			else:
				self.emit(f, to_server, l3)
		self.defrag[v + "_fragments"] += len(frags)
		self.defrag[v + "_reassembled"] += 1 if complete else 0
		self.defrag[v + "_overlap"] += overlaps

	def emit(self, f, to_server, l3, bad=False):
		src, dst = (f.cli, f.srv) if to_server else (f.srv, f.cli)
		frame = self.wrap(l3, src, dst)
		self.t += 1000  # 1 ms between packets: no flow ever times out inside a capture
		self.frames.append((self.t, frame))
		i = 0 if to_server else 1
		f.pkts[i] += 1
		f.bytes[i] += len(frame)
		if f.start is None:
			f.start = self.t
		f.end = self.t
		f.bad |= bad

	# --- protocol builders -------------------------------------------------

	def ip(self, f, to_server, ttl=64):
		src, dst = (f.cli, f.srv) if to_server else (f.srv, f.cli)
		if f.v6:
			return IPv6(src=src, dst=dst, hlim=ttl)
		return IP(src=src, dst=dst, ttl=ttl, id=(len(self.frames) * 7 + 1) & 0xFFFF)

	def tcp(self, cli, srv, sport, dport, exchanges, close="fin", isn=(1000, 5000), bad_index=None, frag=None,
		order=None):
		"""A full TCP session: handshake, each (dir, payload-or-list-of-segments)
		in order with a pure ACK from the peer after each data segment, then
		teardown ("fin": FIN/ACK, FIN/ACK, ACK; "rst": RST from the client;
		None: left open).  bad_index: the n-th data segment gets a bad TCP checksum.
		frag: (n, size, order): the n-th data segment is sent as IP fragments.
		order: {exchange index: [part indexes]}: that exchange's segments are
		sent in this order, each with its own sequence number; a part not
		listed is never sent (a gap that never fills)."""
		f = self.flow("tcp", cli, srv, sport, dport)
		seq = [isn[0], isn[1]]

		def seg(to_server, flags, data=b"", bad=False):
			i = 0 if to_server else 1
			sp, dp = (sport, dport) if to_server else (dport, sport)
			ack = seq[1 - i] if "A" in flags else 0
			t = TCP(sport=sp, dport=dp, flags=flags, seq=seq[i], ack=ack, window=64240)
			pkt = self.ip(f, to_server) / t
			if data:
				pkt = pkt / Raw(data)
			if bad:
				good = pkt.__class__(bytes(pkt))[TCP].chksum
				pkt[TCP].chksum = good ^ 0x2222
			if frag and data and frag[0] == n:
				self.emit_frags(f, to_server, fragment(bytes(pkt), frag[1], frag[2]))
			else:
				self.emit(f, to_server, pkt, bad)
			seq[i] = (seq[i] + len(data) + (1 if ("S" in flags or "F" in flags) else 0)) & 0xFFFFFFFF

		seg(True, "S")
		seg(False, "SA")
		seg(True, "A")
		n = 0
		for ex, (direction, payload) in enumerate(exchanges):
			to_server = direction == "c"
			parts = payload if isinstance(payload, list) else [payload]
			if order and ex in order:
				i = 0 if to_server else 1
				base = seq[i]
				offs = [sum(len(q) for q in parts[:k]) for k in range(len(parts))]
				for k in order[ex]:
					seq[i] = (base + offs[k]) & 0xFFFFFFFF
					seg(to_server, "PA", parts[k], bad=(bad_index == n))
					n += 1
				seq[i] = (base + sum(len(q) for q in parts)) & 0xFFFFFFFF
			else:
				for p in parts:
					seg(to_server, "PA", p, bad=(bad_index == n))
					n += 1
			seg(not to_server, "A")
		if close == "fin":
			seg(True, "FA")
			seg(False, "FA")
			seg(True, "A")
			f.state = "closed"
		elif close == "rst":
			seg(True, "RA")
			f.state = "closed"
		else:
			f.state = "established"
		self.gap(10)
		return f

	def udp(self, cli, srv, sport, dport, exchanges, bad_udp=(), bad_ip=()):
		"""UDP datagrams: (dir, payload) each; indexes in bad_udp / bad_ip get a
		bad UDP / IPv4 header checksum."""
		f = self.flow("udp", cli, srv, sport, dport)
		replied = False
		for n, (direction, payload) in enumerate(exchanges):
			to_server = direction == "c"
			replied |= not to_server
			sp, dp = (sport, dport) if to_server else (dport, sport)
			pkt = self.ip(f, to_server) / UDP(sport=sp, dport=dp) / Raw(payload)
			if n in bad_ip:
				good = IP(bytes(pkt)).chksum
				pkt[IP].chksum = good ^ 0x1111
			if n in bad_udp:
				good = pkt.__class__(bytes(pkt))[UDP].chksum
				pkt[UDP].chksum = (good ^ 0x3333) or 1
			self.emit(f, to_server, pkt, bad=(n in bad_udp or n in bad_ip))
		f.state = "established" if replied else "new"
		self.gap(10)
		return f

	def udp_frag(self, cli, srv, sport, dport, payload, size, order="in", reply=b"ok", overlap=None, plan=None):
		"""One UDP datagram to the server sent as IP fragments of `size` bytes
		(order "in", "rev" or "shuffle"), then an unfragmented reply.
		overlap=(offset, bytes): before the last fragment, one more rewriting
		those bytes of the UDP part (held already: they stay).
		plan=[(start, end, fill)]: the fragments instead, in this order, each
		the datagram's bytes [start, end) of the UDP part (fill None) or that
		many `fill` bytes (a decoy); the one reaching the end is the last."""
		f = self.flow("udp", cli, srv, sport, dport)
		pkt = self.ip(f, True) / UDP(sport=sport, dport=dport) / Raw(payload)
		raw = bytes(pkt)
		body = raw[(raw[0] & 15) * 4 if raw[0] >> 4 == 4 else 40:]
		overlaps = 0
		if plan:
			frags = [fragment_at(raw, a, body[a:b] if fill is None else fill * (b - a), b < len(body))
				 for a, b, fill in plan]
			overlaps = sum(1 for a, b, fill in plan if fill is not None)
		else:
			frags = fragment(raw, size, order)
		if overlap:
			frags = frags[:-1] + [fragment_at(raw, overlap[0], overlap[1], True)] + frags[-1:]
			overlaps = 1
		self.emit_frags(f, True, frags, overlaps=overlaps)
		if reply:
			self.emit(f, False, self.ip(f, False) / UDP(sport=dport, dport=sport) / Raw(reply))
		f.state = "established" if reply else "new"
		self.gap(10)
		return f

	def ping(self, cli, srv, size, ident, count=1):
		"""ICMP / ICMPv6 echo request + reply, `size` payload bytes each."""
		f = self.flow("icmp6" if ":" in cli else "icmp", cli, srv)
		data = bytes((i * 7 + ident) & 0xFF for i in range(size))
		for s in range(1, count + 1):
			if f.v6:
				req = self.ip(f, True) / ICMPv6EchoRequest(id=ident, seq=s, data=data)
				rep = self.ip(f, False) / ICMPv6EchoReply(id=ident, seq=s, data=data)
			else:
				req = self.ip(f, True) / ICMP(type=8, id=ident, seq=s) / Raw(data)
				rep = self.ip(f, False) / ICMP(type=0, id=ident, seq=s) / Raw(data)
			self.emit(f, True, req)
			self.emit(f, False, rep)
		f.state = "established"
		self.gap(10)
		return f

	def lone_syn(self, cli, srv, sport, dport, ttl=64):
		f = self.flow("tcp", cli, srv, sport, dport)
		self.emit(f, True, self.ip(f, True, ttl=ttl) / TCP(sport=sport, dport=dport, flags="S", seq=77, window=1024))
		f.state = "new"
		self.gap(10)
		return f

	# --- output ------------------------------------------------------------

	def write(self, path, fmt="pcap"):
		linktype = LINKTYPE_LINUX_SLL if self.link == "sll" else LINKTYPE_ETHERNET
		with open(path, "wb") as out:
			if fmt == "pcap":
				out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
				for t, fr in self.frames:
					out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
			else:
				# pcapng: SHB, one IDB (default microsecond resolution), one EPB per frame.
				def block(btype, body):
					body += b"\0" * (-len(body) % 4)
					n = len(body) + 12
					return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
				out.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
				out.write(block(1, struct.pack("<HHI", linktype, 0, 65535)))
				for t, fr in self.frames:
					out.write(block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(fr), len(fr)) + fr))

	def expected(self, pcap_name):
		totals, totals_k = {}, {}
		for f in self.flows:
			for sid, n in f.alerts.items():
				totals[sid] = totals.get(sid, 0) + n
			for sid, n in f.alerts_knone.items():
				totals_k[sid] = totals_k.get(sid, 0) + n
		return {
			"pcap": pcap_name, "rules": self.rules, "frames": len(self.frames),
			"first_ts": suri_ts(self.frames[0][0]), "last_ts": suri_ts(self.frames[-1][0]),
			"alerts": totals, "alerts_knone": totals_k,
			"flows": [f.to_json() for f in self.flows],
			**({"defrag": self.defrag} if any(self.defrag.values()) else {}),
			**({"stream_gaps": self.stream_gaps} if self.stream_gaps else {}),
		}


# --- IP fragmentation (no scapy: byte for byte what the tests need) -----------

def _csum(b):
	s = sum(struct.unpack("!%dH" % (len(b) // 2), b[:len(b) // 2 * 2])) + (b[-1] << 8 if len(b) % 2 else 0)
	while s >> 16:
		s = (s & 0xFFFF) + (s >> 16)
	return ~s & 0xFFFF


def fragment_at(raw, off, data, more):
	"""One fragment of IP datagram `raw` carrying `data` at byte `off` of its
	fragmentable part (RFC 791; RFC 8200 4.5 with the fragment id from the
	datagram's flow label position: fixed per datagram)."""
	if raw[0] >> 4 == 4:
		hl = (raw[0] & 15) * 4
		h = bytearray(raw[:hl])
		struct.pack_into("!H", h, 2, hl + len(data))
		struct.pack_into("!H", h, 6, (0x2000 if more else 0) | off // 8)
		struct.pack_into("!H", h, 10, 0)
		struct.pack_into("!H", h, 10, _csum(bytes(h)))
		return bytes(h) + data
	h = bytearray(raw[:40])
	nh = h[6]
	h[6] = 44
	struct.pack_into("!H", h, 4, 8 + len(data))
	ident = 0x5A000000 | (sum(raw[40:]) & 0xFFFFFF)
	return bytes(h) + struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident) + data


def fragment(raw, size, order="in"):
	"""Datagram `raw` as fragments of `size` bytes (a multiple of 8) of its
	fragmentable part, in order, reversed, or in a fixed shuffle."""
	hl = (raw[0] & 15) * 4 if raw[0] >> 4 == 4 else 40
	body = raw[hl:]
	offs = list(range(0, len(body), size))
	frags = [fragment_at(raw, o, body[o:o + size], o + size < len(body)) for o in offs]
	if order == "rev":
		frags.reverse()
	elif order == "shuffle":
		frags = frags[1::2] + frags[0::2]
	return frags


# --- the e2e captures (rules: tests/e2e/e2e.rules) ----------------------------

C1, C2, C3 = "192.168.10.11", "192.168.10.12", "192.168.10.13"
WEB, FTP, DNS, SMB = "203.0.113.10", "203.0.113.21", "192.168.10.53", "192.168.10.45"

HTTP_EVIL = (b"GET /admin.php?id=42&cmd=ls HTTP/1.1\r\nHost: shop.example\r\n"
	     b"user-agent: evilbot/1.0\r\nAccept: */*\r\n\r\n")
HTTP_OK_RESP = (b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"
		b"Content-Length: 26\r\n\r\n<html><p>hello</p></html>\n")


def http_get(path, host, ua):
	return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
		"Connection: close\r\n\r\n" % (path, host, ua)).encode()


def dns_query(qid, name, qtype=1):
	q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
	return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def dns_answer(qid, name, addr):
	q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
	return (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1)
		+ struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ipaddress.ip_address(addr).packed)


def smb_negotiate():
	smb = b"\xffSMB" + b"\x72" + b"\0" * 27 + b"\x00\x0c\x00\x02NT LM 0.12\x00"
	return struct.pack("!I", len(smb)) + smb


def build_basic(offset_s=0):
	c = Capture("basic", offset_s=offset_s)
	# HTTP with an evil user-agent written in lower case (nocase) and an admin.php command (pcre).
	c.tcp(C1, WEB, 40001, 80, [("c", HTTP_EVIL), ("s", HTTP_OK_RESP)]).expect(1900001).expect(1900002)
	# Plain HTTP: nothing.
	c.tcp(C2, WEB, 40002, 80, [("c", http_get("/index.html", "shop.example", "Mozilla/5.0 (X11; Linux x86_64)")),
				   ("s", HTTP_OK_RESP)])
	# A content split over two consecutive segments: only the stream sees it.
	c.tcp(C1, WEB, 40003, 8000, [("c", [b"POST /up HTTP/1.1\r\nX-Tag: SPLITMAR", b"KER-0123456789\r\n\r\n"]),
				     ("s", b"HTTP/1.1 204 No Content\r\n\r\n")]).expect(1900003)
	# FTP: USER admin sets the flowbit (noalert), "230 " to the client checks it.
	c.tcp(C2, FTP, 40004, 21, [("s", b"220 ftp ready\r\n"), ("c", b"USER admin\r\n"), ("s", b"331 Password required\r\n"),
				   ("c", b"PASS hunter2\r\n"), ("s", b"230 Login successful\r\n"), ("c", b"QUIT\r\n"),
				   ("s", b"221 Bye\r\n")]).expect(1900008)
	# FTP as guest: the flowbit is never set, no alert.
	c.tcp(C3, FTP, 40005, 21, [("s", b"220 ftp ready\r\n"), ("c", b"USER guest\r\n"), ("s", b"331 Password required\r\n"),
				   ("c", b"PASS guest\r\n"), ("s", b"230 Login successful\r\n")], close="rst")
	# SMB-like negotiate: content at offset 4 plus byte_test on the command byte.
	c.tcp(C3, SMB, 40006, 445, [("c", smb_negotiate()), ("s", b"\0\0\0\x08\xffSMB\x72\0\0\0")]).expect(1900018)
	# Pass rule and an alert rule on the same packet: pass wins, the flow is not alerted.
	c.tcp(C2, WEB, 40007, 80, [("c", http_get("/", "shop.example", "EvilBot/2.0") [:-2] + b"X-Trusted: yes\r\n\r\n"),
				   ("s", HTTP_OK_RESP)])
	# DNS: a known-bad name (alerts) and a good one.
	c.udp(C1, DNS, 50001, 53, [("c", dns_query(0x1111, "evil-c2.example")),
				   ("s", dns_answer(0x1111, "evil-c2.example", "203.0.113.99"))]).expect(1900005)
	c.udp(C2, DNS, 50002, 53, [("c", dns_query(0x2222, "www.example.org")),
				   ("s", dns_answer(0x2222, "www.example.org", "93.184.216.34"))])
	# ICMP echo: small (nothing), large request (alerts once: itype 8 only).
	c.ping(C1, WEB, 56, 0x0101)
	c.ping(C2, WEB, 1200, 0x0202).expect(1900006)
	# Threshold limit: 5 heartbeats, 1 alert.  Threshold count 3: 7 knocks, 2 alerts.
	c.udp(C3, "203.0.113.30", 50003, 9999, [("c", b"HEARTBEAT %d" % i) for i in range(5)]).expect(1900009)
	c.udp(C1, "203.0.113.31", 50004, 9998, [("c", b"KNOCK %d" % i) for i in range(7)]).expect(1900010, 2)
	# IP list: one datagram to a listed address.
	c.udp(C2, "198.51.100.23", 50005, 4444, [("c", b"beacon")]).expect(1900011)
	# A lone SYN with a tiny TTL (flags + ttl).
	c.lone_syn(C3, WEB, 40008, 23, ttl=3).expect(1900017)
	return c


def build_ipv6():
	c = Capture("ipv6", offset_s=20)
	a, b = "2001:db8:10::11", "2001:db8:20::80"
	c.tcp(a, b, 41001, 8080, [("c", b"GET /v6 HTTP/1.1\r\nX-Key: V6-SECRET\r\n\r\n"), ("s", HTTP_OK_RESP)]).expect(1900012)
	c.tcp(a, b, 41002, 8080, [("c", b"GET /plain HTTP/1.1\r\n\r\n"), ("s", HTTP_OK_RESP)])
	c.udp(a, b, 51001, 7777, [("c", b"hello V6-UDP-MARK"), ("s", b"ok")]).expect(1900013)
	c.ping(a, b, 64, 0x0606)
	return c


def build_vlan():
	c = Capture("vlan", offset_s=40)
	c.vlan = [100]
	c.udp(C1, "203.0.113.40", 52001, 7000, [("c", b"tagged VLAN-MARK"), ("s", b"ack")]).expect(1900016)
	c.tcp(C2, WEB, 42001, 80, [("c", HTTP_EVIL), ("s", HTTP_OK_RESP)]).expect(1900001).expect(1900002)
	c.vlan = [200, 300]  # QinQ
	c.udp(C3, "203.0.113.41", 52002, 7000, [("c", b"double VLAN-MARK"), ("s", b"ack")]).expect(1900016)
	c.ping(C3, "203.0.113.42", 1100, 0x0707).expect(1900006)
	return c


def build_sll():
	c = Capture("sll", link="sll", offset_s=60)
	c.tcp(C1, WEB, 43001, 80, [("c", HTTP_EVIL), ("s", HTTP_OK_RESP)]).expect(1900001).expect(1900002)
	c.udp(C2, DNS, 53001, 53, [("c", dns_query(0x3333, "evil-c2.example")),
				   ("s", dns_answer(0x3333, "evil-c2.example", "203.0.113.99"))]).expect(1900005)
	return c


def build_badcsum():
	c = Capture("badcsum", offset_s=80)
	c.udp(C1, "203.0.113.50", 54001, 6666, [("c", b"bad udp CKSUM-MARK"), ("s", b"reply")],
	      bad_udp=(0,)).expect(1900014, knone_only=True)
	c.tcp(C2, "203.0.113.51", 44001, 6667, [("c", b"hello TCPCK-MARK\r\n"), ("s", b"bye\r\n")],
	      bad_index=0).expect(1900015, knone_only=True)
	c.udp(C3, "203.0.113.52", 54002, 6668, [("c", b"bad ip IPCK-MARK"), ("s", b"reply")],
	      bad_ip=(0,)).expect(1900019, knone_only=True)
	# A good flow in the same file still alerts either way.
	c.udp(C1, "203.0.113.53", 54003, 6666, [("c", b"good CKSUM-MARK"), ("s", b"reply")]).expect(1900014)
	return c


def build_frag():
	c = Capture("frag", offset_s=100)
	a6, b6 = "2001:db8:30::11", "2001:db8:40::80"
	# UDP over IPv4, 16-byte fragments in order: "CKSUM-MARK" spans two of them.
	c.udp_frag(C1, "203.0.113.60", 55001, 6666, b"fragmented CKSUM-MARK payload, long enough", 16).expect(1900014)
	# UDP over IPv6, reversed: the datagram ends with the marker (endswith).
	c.udp_frag(a6, b6, 55002, 7777, b"reversed fragments then V6-UDP-MARK", 24, "rev").expect(1900013)
	# TCP over IPv4: the data segment shuffled into 8-byte fragments.
	c.tcp(C2, "203.0.113.61", 45001, 8000, [("c", b"POST /f HTTP/1.1\r\nX-Tag: SPLITMARKER-0123456789\r\n\r\n"),
						 ("s", b"HTTP/1.1 204 No Content\r\n\r\n")],
	      frag=(0, 8, "shuffle")).expect(1900003)
	# TCP over IPv6: the server's answer is fine, the client's request fragmented in order.
	c.tcp(a6, b6, 45002, 8080, [("c", b"GET /frag HTTP/1.1\r\nX-Key: V6-SECRET\r\n\r\n"), ("s", HTTP_OK_RESP)],
	      frag=(0, 16, "in")).expect(1900012)
	# Overlaps (each one ipv4.frag_overlap event).  The datagram's UDP
	# checksum covers the real bytes: if the policy picked the decoy, the
	# packet would fail it and not be inspected, so each alert below says
	# the real bytes won.  The marker sits at [16, 26) of the UDP part.
	# 1. A decoy starting where the fragment holding the marker started
	#    arrives later: bsd and first keep the marker (last/linux would not).
	c.udp_frag(C3, "203.0.113.62", 55003, 6666, b"overlap CKSUM-MARK here, then more bytes!", 16,
		   overlap=(16, b"XXXXXXXXXXXXXXXX")).expect(1900014)
	# 2. The decoy comes first at 16; the marker comes later in a fragment
	#    starting at 8, before the decoy: bsd takes it (first would not).
	c.udp_frag(C1, "203.0.113.65", 55006, 6666, b"overlap CKSUM-MARK here, then more bytes!", 16,
		   plan=[(16, 32, b"Y"), (0, 8, None), (8, 32, None), (32, 48, None), (48, 49, None)]).expect(1900014)
	# The middle fragment never comes: no alert, no flow, held until it times out.
	pkt = IP(src=C1, dst="203.0.113.63", id=4242) / UDP(sport=55004, dport=6666) / Raw(b"lost CKSUM-MARK middle " * 2)
	fr = fragment(bytes(pkt), 16)
	c.emit_frags(None, True, fr[:1] + fr[2:], complete=False)
	c.gap(10)
	# 802.1Q-tagged fragments: the datagram and its unfragmented reply are one flow (the VLAN id is in the key).
	c.vlan = [100]
	c.udp_frag(C2, "203.0.113.64", 55005, 7000, b"tagged fragments carry VLAN-MARK", 16, "rev").expect(1900016)
	c.vlan = None
	return c


def build_ooo():
	c = Capture("ooo", offset_s=200)
	a6, b6 = "2001:db8:50::11", "2001:db8:60::80"
	req = b"POST /o HTTP/1.1\r\nX-Tag: SPLITMARKER-0123456789\r\n\r\n"
	cut = req.index(b"MARKER")
	# IPv4: the content split over two segments, the second half sent first.
	c.tcp(C1, "203.0.113.70", 46001, 8000, [("c", [req[:cut], req[cut:]]), ("s", b"HTTP/1.1 204 No Content\r\n\r\n")],
	      order={0: [1, 0]}).expect(1900003)
	# IPv6: five segments in reverse order, the content across four of them.
	v6 = b"GET /ooo HTTP/1.1\r\nX-Key: V6-SECRET\r\n\r\n"
	k = v6.index(b"V6-SECRET")
	parts = [v6[:k + 2], v6[k + 2:k + 4], v6[k + 4:k + 6], v6[k + 6:k + 12], v6[k + 12:]]
	c.tcp(a6, b6, 46002, 8080, [("c", parts), ("s", HTTP_OK_RESP)], order={0: [4, 3, 2, 1, 0]}).expect(1900012)
	# IPv4, sequence numbers wrapping past 2^32 inside the reversed data.
	c.tcp(C2, "203.0.113.71", 46003, 8000, [("c", [req[:cut], req[cut:]]), ("s", b"HTTP/1.1 204 No Content\r\n\r\n")],
	      isn=(0xFFFFFFFF - cut - 1, 77), order={0: [1, 0]}).expect(1900003)
	# IPv4: the segment before the content's never comes: the content waits
	# in the held store and is inspected when the flow ends (one alert, one
	# gap), after the FIN closed the flow.
	c.tcp(C3, "203.0.113.72", 46004, 8000, [("c", [b"POST /g HTTP/1.1\r\n", b"X-Lost: yes\r\n", b"X-Tag: SPLITMARKER-0123456789\r\n\r\n"]),
						 ("s", b"HTTP/1.1 204 No Content\r\n\r\n")], order={0: [0, 2]}).expect(1900003)
	c.stream_gaps = 1
	return c


# --- the demo (etc/demo.pcap, rules/default.rules) ----------------------------

def build_demo():
	c = Capture("demo", offset_s=0, rules="rules/default.rules")
	lan = ["192.168.1.%d" % i for i in (10, 11, 12, 13, 14)]
	dns, fs = "192.168.1.2", "192.168.1.5"
	web, shady, ftp, telnet = "93.184.216.34", "185.220.101.47", "198.51.100.21", "192.168.1.23"
	# Ordinary browsing: DNS + HTTP + a TLS-like session.
	c.udp(lan[0], dns, 53001, 53, [("c", dns_query(0x1001, "www.example.com")),
				       ("s", dns_answer(0x1001, "www.example.com", web))])
	c.tcp(lan[0], web, 49152, 80, [("c", http_get("/", "www.example.com", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
						   "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")),
				      ("s", HTTP_OK_RESP)])
	hello = b"\x16\x03\x01\x00\x40\x01\x00\x00\x3c\x03\x03" + bytes(range(32)) + b"\x00\x02\x13\x01\x01\x00" + b"\0" * 10
	c.tcp(lan[1], web, 49153, 443, [("c", hello), ("s", b"\x16\x03\x03\x00\x30" + bytes(range(48))),
				       ("c", b"\x17\x03\x03\x00\x20" + bytes(range(100, 132))),
				       ("s", b"\x17\x03\x03\x00\x40" + bytes(range(64)))])
	# Scanner user-agent probing for SQL injection (two rules on one request).
	c.tcp(lan[2], web, 49154, 80, [("c", http_get("/products.php?id=1%20UNION%20SELECT%20username,password%20FROM%20users",
						   "www.example.com", "sqlmap/1.7.2#stable (https://sqlmap.org)")),
				      ("s", b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")]).expect(1000003).expect(1000004)
	# Download of a Windows executable over plain HTTP.
	c.tcp(lan[3], web, 49155, 80, [("c", http_get("/setup.exe", "downloads.example.com", "Wget/1.21")),
				      ("s", b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 64\r\n\r\n"
				       b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 48)]).expect(1000005)
	# Known-bad DNS name, then the beacon to the resolved address (reputation list).
	c.udp(lan[1], dns, 53002, 53, [("c", dns_query(0x1002, "update.badcdn-c2.net")),
				       ("s", dns_answer(0x1002, "update.badcdn-c2.net", shady))]).expect(1000006)
	c.tcp(lan[1], shady, 49156, 8443, [("c", b"\x00\x01beacon-id=7f3a9c\x00"), ("s", b"\x00\x02ok\x00")]).expect(1000007)
	# One unanswered probe from an address on the reputation list (header-only rule).
	c.udp("45.155.205.233", lan[3], 41234, 161, [("c", b"\x30\x26\x02\x01\x01\x04\x06public\xa0\x19" + b"\0" * 27)]
	      ).expect(1000015).expect(1000020)
	# Cleartext FTP login that succeeds: USER/PASS rules, flowbits pair.
	c.tcp(lan[2], ftp, 49157, 21, [("s", b"220 (vsFTPd 3.0.3)\r\n"), ("c", b"USER root\r\n"),
				      ("s", b"331 Please specify the password.\r\n"), ("c", b"PASS toor123\r\n"),
				      ("s", b"230 Login successful.\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 Goodbye.\r\n")]
	      ).expect(1000008).expect(1000010)
	# Telnet login with cleartext password prompt.
	c.tcp(lan[4], telnet, 49158, 23, [("s", b"\xff\xfd\x18\xff\xfd\x20"), ("c", b"\xff\xfc\x18\xff\xfc\x20"),
					 ("s", b"router login: "), ("c", b"admin\r\n"), ("s", b"Password: "),
					 ("c", b"admin\r\n"), ("s", b"\r\nWelcome to BusyBox\r\n# ")]).expect(1000011)
	# SMBv1 negotiate to the file server.
	c.tcp(lan[3], fs, 49159, 445, [("c", smb_negotiate()), ("s", b"\0\0\0\x08\xffSMB\x72\0\0\0")]).expect(1000012)
	# Large ping, and an ordinary one.
	c.ping(lan[0], web, 56, 0x1234)
	c.ping(lan[4], fs, 1472, 0x4321).expect(1000013)
	# SSH brute force: 6 connection attempts, threshold alerts once per 5.
	ssh = [c.tcp("203.0.113.77", fs, 60000 + i, 22, [("s", b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
							 ("c", b"SSH-2.0-libssh_0.9.6\r\n")], close="rst") for i in range(6)]
	ssh[4].expect(1000014)  # type threshold, count 5: the 5th SYN
	# Ordinary DNS lookups.
	for i, name in enumerate(("mail.example.com", "intranet.corp.example", "time.example.net")):
		c.udp(lan[i], dns, 53010 + i, 53, [("c", dns_query(0x2000 + i, name)),
						   ("s", dns_answer(0x2000 + i, name, "192.168.1.%d" % (100 + i)))])
	return c


def main():
	here = os.path.dirname(os.path.abspath(__file__))
	root = os.path.normpath(os.path.join(here, "..", ".."))
	ap = argparse.ArgumentParser()
	ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "pcap"))
	ap.add_argument("--demo", default=os.path.join(root, "etc", "demo.pcap"))
	ap.add_argument("--demo-expect", default=os.path.join(root, "tests", "e2e", "demo_expect.json"))
	ap.add_argument("--no-demo", action="store_true")
	a = ap.parse_args()
	os.makedirs(a.out, exist_ok=True)

	def save(cap, name, fmt="pcap"):
		path = os.path.join(a.out, name)
		cap.write(path, fmt)
		with open(os.path.join(a.out, name.rsplit(".", 1)[0] + ("_ng" if fmt != "pcap" else "") + ".json"), "w") as j:
			json.dump(cap.expected(name), j, indent=1, sort_keys=True)
			j.write("\n")

	basic = build_basic()
	save(basic, "basic.pcap")
	save(basic, "basic.pcapng", "pcapng")
	save(build_ipv6(), "ipv6.pcap")
	save(build_vlan(), "vlan.pcap")
	save(build_sll(), "sll.pcap")
	save(build_badcsum(), "badcsum.pcap")
	save(build_frag(), "frag.pcap")
	save(build_ooo(), "ooo.pcap")
	if not a.no_demo:
		demo = build_demo()
		os.makedirs(os.path.dirname(a.demo), exist_ok=True)
		demo.write(a.demo)
		with open(a.demo_expect, "w") as j:
			json.dump(demo.expected("etc/demo.pcap"), j, indent=1, sort_keys=True)
			j.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
