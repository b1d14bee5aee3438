#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic captures of encapsulated traffic for sidewall's tunnel
end-to-end test (tests/e2e/tunnel_e2e.py, rules tests/e2e/tunnel.rules).

Run with Debian's /usr/bin/python3 (python3-scapy for the inner IP/TCP/UDP
layers and the outer IP/UDP headers).  Every encapsulation header is packed
here byte by byte from its specification, addresses, ports and timestamps
are fixed, so the output is byte-identical on every run.  Next to each
capture the generator writes NAME.json in traffic.py's format: per inner
flow its packets and bytes per direction, times, state and the sids it must
raise.  Expectations come from what was built and the sources below, never
from running sidewall.

  tunnel.py [--out tests/fixtures/pcap]

tunnel.pcap: one TCP session (handshake, a request carrying a marker the
rules look for, a response, FIN teardown) inside each of:
  gre        GRE (RFC 2784) with a key (RFC 2890), IPv4 in IPv4
  pptp       enhanced GRE (RFC 2637: version 1, key = payload length + call
             id, sequence numbers) carrying PPP (RFC 1662 HDLC bytes), IPv4
  erspan1    ERSPAN type I: GRE 0x88be without sequence number, the mirrored
             Ethernet frame with its own 802.1Q tag 1011
  erspan2    ERSPAN type II: GRE sequence number, header version 1, VLAN 23
  erspan3    ERSPAN type III: GRE 0x22eb, header version 2, no VLAN, frame type 0
  vxlan      VXLAN (RFC 7348) to UDP 4789, VNI 5001, an Ethernet frame
  geneve     Geneve (RFC 8926) to UDP 6081, one option, protocol IPv4
  mpls       two MPLS labels (RFC 3032), payload guessed IPv4
  pppoe      PPPoE session (RFC 2516), PPP protocol 0x0021
  nsh        NSH (RFC 8300) MD type 2, next protocol IPv4
  ipip       IPv4 in IPv4 (RFC 2003)
  6in4       IPv6 in IPv4 (RFC 4213)
  4in6       IPv4 in IPv6 (RFC 2473)
  6in6       IPv6 in IPv6 (RFC 2473)
and one UDP exchange inside
  teredo     Teredo (RFC 4380) on UDP 3544, IPv6 UDP; the replies behind an
             origin indication (5.1.1)
tunnel_port.pcap: VXLAN to UDP 8472 (Linux's old default), which only
decoder.vxlan.ports makes VXLAN.

Sources for the expectations:
  [sur]  Suricata's decoders (src/decode-gre.c, -erspan.c, -vxlan.c,
         -geneve.c, -teredo.c, -mpls.c, -pppoe.c, -nsh.c, -ipv4.c, -ipv6.c):
         the payload of GRE, ERSPAN, VXLAN, Geneve, Teredo and IP in IP is a
         tunnel packet (PacketTunnelPktSetup) whose length is the bytes from
         the start of that payload (ERSPAN II: its header included; VXLAN:
         the inner Ethernet frame; Teredo: after the origin indication), and
         flows count GET_PKT_LEN of the packet they see, so an inner flow's
         bytes are those lengths; MPLS, PPPoE and NSH are decoded in the same
         packet: the whole frame.  The tunnel packet starts without VLAN ids;
         ERSPAN II/III's VLAN and the mirrored frame's tag are its own.
  [rec]  Suricata's flow hash includes the recursion level (tunnel depth):
         an inner flow is its own flow.
  [out]  Suricata also logs a flow for the outer UDP (VXLAN, Geneve,
         Teredo) and IP-in-IP packets; sidewall tracks the inner flow only
         (its closing note says so), so those are not expected here.
"""
import argparse
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from traffic import Capture  # noqa: E402

from scapy.all import IP, UDP, IPv6, Ether, Raw  # noqa: E402

SID = 2400000  # tunnel.rules uses SID + n

# Outer endpoints (the tunnel ends); inner hosts are in 10.20.x / fd00:20::.
T1, T2 = "198.18.0.1", "198.18.0.2"
T61, T62 = "2001:db8:ffff::1", "2001:db8:ffff::2"


def eth(et, payload, src="02:00:00:00:00:01", dst="02:00:00:00:00:02"):
	return bytes(Ether(src=src, dst=dst, type=et)) + payload


def eth_inner(inner, vlan=None):
	"""The mirrored / bridged frame of an inner IP packet."""
	et = 0x86DD if inner[0] >> 4 == 6 else 0x0800
	if vlan is None:
		return eth(et, inner, "02:00:00:00:10:01", "02:00:00:00:10:02")
	return eth(0x8100, struct.pack("!HH", vlan, et) + inner, "02:00:00:00:10:01", "02:00:00:00:10:02")


def ip4(proto, payload, to_server):
	src, dst = (T1, T2) if to_server else (T2, T1)
	return bytes(IP(src=src, dst=dst, ttl=60, id=0x4242, proto=proto) / payload)


def ip6(nh, payload, to_server):
	src, dst = (T61, T62) if to_server else (T62, T61)
	return bytes(IPv6(src=src, dst=dst, hlim=60, nh=nh) / payload)


def udp4(sport, dport, payload, to_server):
	src, dst = (T1, T2) if to_server else (T2, T1)
	return bytes(IP(src=src, dst=dst, ttl=60, id=0x4343) / UDP(sport=sport, dport=dport) / payload)


def raw(b):
	return Raw(b)


# Each encapsulation: inner L3 bytes and direction -> (frame, bytes the inner flow counts [sur]).
def enc_gre(inner, ts):
	g = struct.pack("!BBHI", 0x20, 0, 0x0800 if inner[0] >> 4 == 4 else 0x86DD, 0x1234)
	return eth(0x0800, ip4(47, raw(g + inner), ts)), len(inner)


class Pptp:
	def __init__(self):
		self.seq = [0, 0]

	def __call__(self, inner, ts):
		ppp = b"\xff\x03\x00\x21" + inner
		i = 0 if ts else 1
		self.seq[i] += 1
		g = struct.pack("!BBHHHI", 0x30, 0x01, 0x880B, len(ppp), 0x0100 + i, self.seq[i])
		return eth(0x0800, ip4(47, raw(g + ppp), ts)), len(ppp)


def enc_erspan1(inner, ts):
	fr = eth_inner(inner, vlan=1011)
	g = struct.pack("!BBH", 0, 0, 0x88BE)
	return eth(0x0800, ip4(47, raw(g + fr), ts)), len(fr)


class Erspan:
	def __init__(self, version):
		self.version, self.seq = version, 0

	def __call__(self, inner, ts):
		self.seq += 1
		fr = eth_inner(inner)
		if self.version == 2:
			# Ver 1 | VLAN 23 ; COS 0 En 0 T 0 | session 100 ; reserved | index 0
			h = struct.pack("!HHI", 0x1000 | 23, 100, 0)
			proto = 0x88BE
		else:
			# Ver 2 | VLAN 0 ; COS BSO T | session 100 ; timestamp ; SGT ; P FT(0) HW-ID ; D Gra O(0)
			h = struct.pack("!HHIHBB", 0x2000, 100, self.seq * 1000, 0, 0, 0)
			proto = 0x22EB
		g = struct.pack("!BBHI", 0x10, 0, proto, self.seq)
		return eth(0x0800, ip4(47, raw(g + h + fr), ts)), len(h) + len(fr)


def enc_vxlan(port):
	def enc(inner, ts):
		fr = eth_inner(inner)
		v = struct.pack("!II", 0x08000000, 5001 << 8)
		return eth(0x0800, udp4(49152, port, raw(v + fr), ts)), len(fr)
	return enc


def enc_geneve(inner, ts):
	# Ver 0, Opt Len 2 words | O C 0 | protocol IPv4 | VNI 77 | 0 ; option class 0x0102 type 3 len 1 word
	h = struct.pack("!BBHI", 2, 0, 0x0800, 77 << 8) + struct.pack("!HBB", 0x0102, 3, 1) + b"\xaa\xbb\xcc\xdd"
	return eth(0x0800, udp4(49153, 6081, raw(h + inner), ts)), len(inner)


def enc_teredo(inner, ts):
	# Relay -> client packets carry an origin indication (RFC 4380 5.1.1): 0x0000, port, address (obfuscated).
	oi = b"" if ts else struct.pack("!HH4s", 0, 0xFFFF ^ 40000, bytes(b ^ 0xFF for b in (203, 0, 113, 5)))
	if ts:
		frame = udp4(40000, 3544, raw(inner), ts)
	else:
		frame = udp4(3544, 40000, raw(oi + inner), ts)
	return eth(0x0800, frame), len(inner)


def enc_mpls(inner, ts):
	lab = struct.pack("!II", 1000 << 12 | 64, 2000 << 12 | 0x100 | 64)
	fr = eth(0x8847, lab + inner)
	return fr, len(fr)


def enc_pppoe(inner, ts):
	ppp = b"\x00\x21" + inner
	fr = eth(0x8864, struct.pack("!BBHH", 0x11, 0, 0x2A2A, len(ppp)) + ppp)
	return fr, len(fr)


def enc_nsh(inner, ts):
	# Ver 0 TTL 63 Length 2 | MD type 2 | next protocol 1 (IPv4) | SPI 42 SI 255
	fr = eth(0x894F, struct.pack("!HBBI", 0x0FC2, 2, 1, 42 << 8 | 255) + inner)
	return fr, len(fr)


def enc_ipip(outer_v6):
	def enc(inner, ts):
		nh = 4 if inner[0] >> 4 == 4 else 41
		if outer_v6:
			return eth(0x86DD, ip6(nh, raw(inner), ts)), len(inner)
		return eth(0x0800, ip4(nh, raw(inner), ts)), len(inner)
	return enc


class TunnelCapture(Capture):
	"""traffic.py's Capture whose frames are the inner packets encapsulated by self.enc."""

	def __init__(self, name, offset_s):
		super().__init__(name, offset_s=offset_s, rules="tests/e2e/tunnel.rules")
		self.enc = None

	def emit(self, f, to_server, l3, bad=False):
		frame, counted = self.enc(bytes(l3), to_server)
		self.t += 1000
		self.frames.append((self.t, frame))
		i = 0 if to_server else 1
		f.pkts[i] += 1
		f.bytes[i] += counted
		if f.start is None:
			f.start = self.t
		f.end = self.t
		f.bad |= bad


ENCAPS = [
	("gre", enc_gre, 1),
	("pptp", Pptp(), 2),
	("erspan1", enc_erspan1, 3),
	("erspan2", Erspan(2), 4),
	("erspan3", Erspan(3), 5),
	("vxlan", enc_vxlan(4789), 6),
	("geneve", enc_geneve, 7),
	("mpls", enc_mpls, 8),
	("pppoe", enc_pppoe, 9),
	("nsh", enc_nsh, 10),
	("ipip", enc_ipip(False), 11),
	("6in4", enc_ipip(False), 12),
	("4in6", enc_ipip(True), 13),
	("6in6", enc_ipip(True), 14),
]
VLANS = {"erspan1": [1011], "erspan2": [23]}


def marker(name):
	return ("INNER-%s-MARK" % name.upper()).encode()


def build_tunnel():
	c = TunnelCapture("tunnel", offset_s=200)
	for n, (name, enc, k) in enumerate(ENCAPS):
		c.enc = enc
		v6 = name in ("6in4", "6in6")
		cli = "fd00:20::%d" % (n + 1) if v6 else "10.20.%d.1" % (n + 1)
		srv = "fd00:20::%d:80" % (n + 1) if v6 else "10.20.%d.80" % (n + 1)
		req = b"GET /t HTTP/1.1\r\nX-Probe: " + marker(name) + b"\r\n\r\n"
		f = c.tcp(cli, srv, 45000 + n, 8080, [("c", req), ("s", b"HTTP/1.1 204 No Content\r\n\r\n")])
		f.expect(SID + k)
		f.encap = name
		if name in VLANS:
			f.vlan = VLANS[name]
	c.enc = enc_teredo
	f = c.udp("fd00:20::99", "fd00:20::98", 50000, 5353,
		  [("c", b"teredo query " + marker("teredo")), ("s", b"teredo answer")]).expect(SID + 15)
	f.encap = "teredo"
	return c


def build_port():
	c = TunnelCapture("tunnel_port", offset_s=260)
	c.enc = enc_vxlan(8472)
	f = c.tcp("10.20.50.1", "10.20.50.80", 46000, 8080,
		  [("c", b"GET /p HTTP/1.1\r\nX-Probe: " + marker("vxlan-8472") + b"\r\n\r\n"),
		   ("s", b"HTTP/1.1 204 No Content\r\n\r\n")]).expect(SID + 16)
	f.encap = "vxlan"
	return c


def main():
	root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
	ap = argparse.ArgumentParser()
	ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "pcap"))
	a = ap.parse_args()
	os.makedirs(a.out, exist_ok=True)
	for cap in (build_tunnel(), build_port()):
		cap.write(os.path.join(a.out, cap.name + ".pcap"))
		exp = cap.expected(cap.name + ".pcap")
		for fj, f in zip(exp["flows"], cap.flows):
			fj["encap"] = f.encap
			if getattr(f, "vlan", None):
				fj["vlan"] = f.vlan
		with open(os.path.join(a.out, cap.name + ".json"), "w") as j:
			json.dump(exp, j, indent=1, sort_keys=True)
			j.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
