#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Synthetic mixed-traffic capture for the throughput benchmark (not a test).

  gen_mix.py OUT.pcap [--mb 300] [--seed 1] [--marker-scale 1]

Writes an Ethernet pcap of at least --mb megabytes of complete sessions, by
wire bytes roughly: HTTP/1.1 requests and responses with realistic headers
and HTML/JSON/binary bodies (~40%), TLS-like sessions (record headers around
random bytes, ~25%), SMB-like binary exchanges (NetBIOS + SMB2 headers,
~12%), DNS queries and answers, random TCP and random UDP.  Every TCP
session has a handshake, MSS-sized segments with ACKs, and a FIN teardown;
all checksums are correct (sidewall validates them by default).  Clients
are in 10.0.0.0/8 (HOME_NET); servers in public ranges that
bench/gen_rules.py keeps out of its IP-reputation lists (except a couple on
purpose).  A small, fixed fraction of sessions carries markers that some of
the generated content rules detect (bench/gen_rules.py MARKERS).

OUT.info (JSON) records packets, wire bytes, sessions and markers: with
bench/gen_rules.py's content rules, sidewall should raise exactly `markers`
alerts and one flow record per session.

Packets are written as raw pcap records with struct, not built with scapy:
~100 MB takes well under a minute.  Deterministic for a given seed.
"""
import argparse
import random
import struct
import sys
from array import array

MSS = 1448
BASE_TS = 1704164645  # 2024-01-02T03:04:05Z

# Server address pools (first octets never used by gen_rules.py reputation lists).
SERVER_NETS = ["23.45.%d.%d", "104.16.%d.%d", "142.250.%d.%d", "151.101.%d.%d", "13.107.%d.%d"]
# Addresses gen_rules.py deliberately puts into two reputation rules.
LISTED_SERVERS = ["151.101.7.7", "104.16.9.9"]

# Rare markers, each in a small fraction of sessions; bench/gen_rules.py has rules for them.
MARKERS_HTTP_UA = ["sqlmap/1.7.2#stable (https://sqlmap.org)", "Nmap Scripting Engine", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)"]
MARKERS_HTTP_URI = ["/wp-admin/admin-ajax.php?action=revslider_show_image&img=../wp-config.php",
		    "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id)",
		    "/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array"]

UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
       "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
       "curl/7.88.1", "python-requests/2.31.0", "Go-http-client/1.1", "okhttp/4.12.0",
       "Microsoft-CryptoAPI/10.0", "Debian APT-HTTP/1.3 (2.6.1)"]
HOSTS = ["www.example.com", "cdn.example.net", "api.shop.example", "static.news.example", "updates.vendor.example",
	 "images.social.example", "deb.debian.org", "telemetry.app.example", "login.corp.example"]
WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which but have an they "
	 "you were her she there been one all we their has would when if so no what up out who them some could more into "
	 "network packet server client request response session stream window header body content value error status "
	 "account order product price cart checkout search result page image video user login token config update").split()
PATHS = ["/", "/index.html", "/api/v1/items", "/api/v2/users/%d", "/static/js/app.%x.js", "/static/css/site.%x.css",
	 "/images/p/%d.jpg", "/search?q=%s", "/product/%d", "/cart", "/news/2024/01/%s.html", "/favicon.ico",
	 "/debian/pool/main/o/openssl/libssl3_3.0.11-1_amd64.deb", "/v1/metrics", "/graphql"]
CTYPES = [("text/html; charset=utf-8", "html"), ("application/json", "json"), ("application/javascript", "text"),
	  ("text/css", "text"), ("image/jpeg", "bin"), ("image/png", "bin"), ("application/octet-stream", "bin")]
DNS_NAMES = ["www.example.com", "mail.example.org", "cdn.example.net", "api.shop.example", "time.example.net",
	     "login.corp.example", "updates.vendor.example", "telemetry.app.example", "ocsp.ca.example",
	     "_ldap._tcp.dc.corp.example", "wpad.corp.example", "static.news.example"]


def csum_add(data):
	"""One's-complement partial sum of data (native order 16-bit words)."""
	if len(data) & 1:
		data += b"\0"
	return sum(array("H", data))


def csum_fin(s):
	while s >> 16:
		s = (s & 0xFFFF) + (s >> 16)
	s = ~s & 0xFFFF
	# array("H") read native (little-endian) words: swap to network order.
	return ((s & 0xFF) << 8) | (s >> 8) if sys.byteorder == "little" else s


class Writer:
	def __init__(self, path):
		self.f = open(path, "wb", buffering=1 << 22)
		self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
		self.us = 0
		self.bytes = 0
		self.pkts = 0
		self.ipid = 1

	def packet(self, smac, dmac, src, dst, proto, l4):
		"""l4: the L4 header + payload with a zero checksum field; fills in checksums."""
		total = 20 + len(l4)
		ph = src + dst + struct.pack("!BBH", 0, proto, len(l4))
		ck = csum_fin(csum_add(ph) + csum_add(l4))
		if proto == 17 and ck == 0:
			ck = 0xFFFF
		off = 16 if proto == 6 else 6
		l4 = l4[:off] + struct.pack("!H", ck) + l4[off + 2:]
		self.ipid = (self.ipid + 1) & 0xFFFF
		iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, self.ipid, 0x4000, 64, proto, 0, src, dst)
		iph = iph[:10] + struct.pack("!H", csum_fin(csum_add(iph))) + iph[12:]
		frame = dmac + smac + b"\x08\x00" + iph + l4
		self.us += 37
		sec, usec = divmod(self.us, 1000000)
		self.f.write(struct.pack("<IIII", BASE_TS + sec, usec, len(frame), len(frame)))
		self.f.write(frame)
		self.bytes += len(frame)
		self.pkts += 1

	def close(self):
		self.f.close()


def mac(ip):
	return b"\x02" + ip[:1] + ip[1:] + b"\x01"


class Gen:
	def __init__(self, w, seed, scale=1.0):
		self.scale = scale  # multiplies the rates of markers and listed servers
		self.w = w
		self.r = random.Random(seed)
		self.port = 20000
		self.html = [self.text_body(n, html=True) for n in (800, 2500, 6000, 14000, 30000, 52000)]
		self.json = [self.json_body(n) for n in (200, 900, 3000, 12000)]
		self.sessions = 0
		self.marked = 0

	def client(self):
		return bytes([10, self.r.randrange(1, 4), self.r.randrange(0, 256), self.r.randrange(2, 250)])

	def server(self):
		if self.r.random() < 0.002 * self.scale:
			return bytes(int(x) for x in self.r.choice(LISTED_SERVERS).split("."))
		net = self.r.choice(SERVER_NETS)
		return bytes(int(x) for x in (net % (self.r.randrange(0, 64), self.r.randrange(1, 255))).split("."))

	def sport(self):
		self.port = self.port + 1 if self.port < 65000 else 20000
		return self.port

	def text_body(self, n, html=False):
		out, size = [], 0
		if html:
			out.append("<!DOCTYPE html><html><head><title>Example</title><link rel=\"stylesheet\" href=\"/static/css/site.css\"></head><body>\n")
		while size < n:
			s = " ".join(self.r.choice(WORDS) for _ in range(self.r.randrange(6, 20)))
			s = ("<p class=\"c%d\">%s.</p>\n" % (self.r.randrange(10), s.capitalize())) if html else s + ".\n"
			out.append(s)
			size += len(s)
		return "".join(out).encode()[:n]

	def json_body(self, n):
		items, size = [], 0
		while size < n:
			it = '{"id":%d,"name":"%s","price":%d.%02d,"tags":["%s","%s"],"stock":%d}' % (
				self.r.randrange(1 << 20), " ".join(self.r.choice(WORDS) for _ in range(3)), self.r.randrange(500),
				self.r.randrange(100), self.r.choice(WORDS), self.r.choice(WORDS), self.r.randrange(1000))
			items.append(it)
			size += len(it) + 1
		return ('{"items":[%s],"next":null}' % ",".join(items)).encode()

	def tcp(self, cli, srv, dport, msgs):
		"""msgs: list of (to_server, bytes).  Handshake, data in MSS segments,
		an ACK after every second segment and at the end of each message, FIN."""
		w, r = self.w, self.r
		sp = self.sport()
		cm, sm = mac(cli), mac(srv)
		seq = [r.randrange(1 << 32), r.randrange(1 << 32)]

		def seg(to_server, flags, data=b""):
			i = 0 if to_server else 1
			s, d = (cli, srv) if to_server else (srv, cli)
			a, b = (sp, dport) if to_server else (dport, sp)
			hdr = struct.pack("!HHIIBBHHH", a, b, seq[i], seq[1 - i] if flags & 0x10 else 0, 0x50, flags, 64240, 0, 0)
			w.packet(cm if to_server else sm, sm if to_server else cm, s, d, 6, hdr + data)
			seq[i] = (seq[i] + len(data) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

		seg(True, 0x02)
		seg(False, 0x12)
		seg(True, 0x10)
		for to_server, data in msgs:
			n = 0
			for off in range(0, len(data), MSS):
				seg(to_server, 0x18, data[off:off + MSS])
				n += 1
				if n % 2 == 0:
					seg(not to_server, 0x10)
			if n % 2:
				seg(not to_server, 0x10)
		seg(True, 0x11)
		seg(False, 0x11)
		seg(True, 0x10)
		self.sessions += 1

	def udp(self, cli, srv, sport, dport, msgs):
		cm, sm = mac(cli), mac(srv)
		for to_server, data in msgs:
			s, d = (cli, srv) if to_server else (srv, cli)
			a, b = (sport, dport) if to_server else (dport, sport)
			self.w.packet(cm if to_server else sm, sm if to_server else cm, s, d, 17,
				      struct.pack("!HHHH", a, b, 8 + len(data), 0) + data)
		self.sessions += 1

	# --- session kinds ---------------------------------------------------------

	def http(self):
		r = self.r
		msgs = []
		ua = r.choice(UAS)
		host = r.choice(HOSTS)
		for _ in range(r.randrange(1, 4)):
			p = r.choice(PATHS)
			if "%d" in p:
				p = p % r.randrange(100000)
			elif "%x" in p:
				p = p % r.randrange(1 << 32)
			elif "%s" in p:
				p = p % "+".join(r.choice(WORDS) for _ in range(2))
			if r.random() < 0.004 * self.scale:
				p = r.choice(MARKERS_HTTP_URI)
				self.marked += 1
			agent = ua
			if r.random() < 0.003 * self.scale:
				agent = r.choice(MARKERS_HTTP_UA)
				self.marked += 1
			method = "POST" if r.random() < 0.1 else "GET"
			body = self.json[0][:r.randrange(50, 200)] if method == "POST" else b""
			req = ("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8\r\n"
			       "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
			       "Cookie: session=%032x; _ga=GA1.2.%d.%d\r\n" % (method, p, host, agent, r.getrandbits(128),
										r.randrange(1 << 30), r.randrange(1 << 30)))
			if body:
				req += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
			msgs.append((True, req.encode() + b"\r\n" + body))
			ct, kind = r.choice(CTYPES)
			if kind == "html":
				b = r.choice(self.html)
			elif kind == "json":
				b = r.choice(self.json)
			elif kind == "text":
				b = r.choice(self.html)[: r.randrange(500, 20000)]
			else:
				b = r.randbytes(r.choice((1500, 9000, 40000, 120000)))
			status = "200 OK" if r.random() < 0.9 else r.choice(("304 Not Modified", "404 Not Found", "302 Found"))
			resp = ("HTTP/1.1 %s\r\nServer: %s\r\nDate: Tue, 02 Jan 2024 03:04:05 GMT\r\nContent-Type: %s\r\n"
				"Content-Length: %d\r\nCache-Control: max-age=%d\r\nETag: \"%x\"\r\nX-Request-Id: %032x\r\n\r\n"
				% (status, r.choice(("nginx/1.24.0", "Apache/2.4.57 (Debian)", "cloudflare", "ECS (dcb/7F84)")),
				   ct, len(b), r.randrange(60, 86400), r.getrandbits(48), r.getrandbits(128)))
			msgs.append((False, resp.encode() + b))
		self.tcp(self.client(), self.server(), 80, msgs)

	def tls(self):
		r = self.r
		sni = r.choice(HOSTS).encode()
		ch = (b"\x01\x00\x01\xfc\x03\x03" + r.randbytes(32) + b"\x20" + r.randbytes(32) + b"\x00\x20" + r.randbytes(32)
		      + b"\x01\x00\x01\x93\x00\x00" + struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni + r.randbytes(380))
		msgs = [(True, b"\x16\x03\x01" + struct.pack("!H", len(ch)) + ch),
			(False, b"\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03" + r.randbytes(118) + b"\x14\x03\x03\x00\x01\x01"
			 + b"\x17\x03\x03\x10\x00" + r.randbytes(4096)),
			(True, b"\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x45" + r.randbytes(69))]
		for _ in range(r.randrange(1, 5)):
			n = r.choice((300, 700, 2000))
			msgs.append((True, b"\x17\x03\x03" + struct.pack("!H", n) + r.randbytes(n)))
			n = r.choice((2000, 16000, 60000))
			recs = b""
			while n > 0:
				k = min(n, 16384)
				recs += b"\x17\x03\x03" + struct.pack("!H", k + 17) + r.randbytes(k + 17)
				n -= k
			msgs.append((False, recs))
		self.tcp(self.client(), self.server(), 443, msgs)

	def smb(self):
		r = self.r
		srv = bytes([10, 0, 0, r.randrange(10, 20)])  # internal file servers
		msgs = []
		neg = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) + b"\0" * 16 + \
			struct.pack("<HHHH", 36, 2, 1, 0) + r.randbytes(28) + b"\x02\x02\x10\x02"
		msgs.append((True, struct.pack("!I", len(neg)) + neg))
		msgs.append((False, struct.pack("!I", 200) + b"\xfeSMB" + r.randbytes(196)))
		for i in range(r.randrange(2, 8)):
			cmd = r.choice((5, 8, 9, 14, 16))  # create, read, write, find, query info
			fname = ("\\share\\%s\\%s.docx" % (r.choice(WORDS), r.choice(WORDS))).encode("utf-16-le")
			req = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 1, 0, cmd, 1, 0, 0, i + 2, 0, 1, r.getrandbits(64)) + b"\0" * 16 + fname
			msgs.append((True, struct.pack("!I", len(req)) + req))
			data = r.randbytes(r.choice((100, 4000, 65536)))
			rsp = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 1, 0, cmd, 1, 1, 0, i + 2, 0, 1, 0) + b"\0" * 16 + data
			msgs.append((False, struct.pack("!I", len(rsp)) + rsp))
		self.tcp(self.client(), srv, 445, msgs)

	def dns(self):
		r = self.r
		name = r.choice(DNS_NAMES)
		if r.random() < 0.003 * self.scale:
			name = "update.badcdn-c2.net"
			self.marked += 1
		q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
		qid = r.getrandbits(16)
		qt = r.choice((1, 1, 1, 28, 28, 33, 16))
		query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1) + q + struct.pack("!HH", qt, 1) + \
			b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"
		n = r.randrange(1, 5)
		ans = b"".join(struct.pack("!HHHIH", 0xC00C, 1, 1, r.randrange(30, 3600), 4) + r.randbytes(4) for _ in range(n))
		resp = struct.pack("!HHHHHH", qid, 0x8180, 1, n, 0, 0) + q + struct.pack("!HH", qt, 1) + ans
		self.udp(self.client(), bytes([10, 0, 0, 2]), r.randrange(1024, 65535), 53, [(True, query), (False, resp)])

	def rand_tcp(self):
		r = self.r
		msgs = [(bool(i % 2 == 0), r.randbytes(r.choice((60, 500, 3000, 20000)))) for i in range(r.randrange(2, 6))]
		self.tcp(self.client(), self.server(), r.choice((8080, 5222, 1883, 6379, 3306, 9000, 25, 110)), msgs)

	def rand_udp(self):
		r = self.r
		sp, dp = r.randrange(1024, 65535), r.choice((123, 161, 514, 1194, 3478, 5060, 27015, 51820))
		msgs = [(r.random() < 0.5, r.randbytes(r.choice((48, 120, 400, 1200, 1400)))) for _ in range(r.randrange(2, 30))]
		self.udp(self.client(), self.server(), sp, dp, msgs)


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("out")
	ap.add_argument("--mb", type=float, default=120)
	ap.add_argument("--seed", type=int, default=1)
	ap.add_argument("--marker-scale", type=float, default=1.0, help="multiply marker and listed-server rates (tests)")
	a = ap.parse_args()
	w = Writer(a.out)
	g = Gen(w, a.seed, a.marker_scale)
	kinds = [g.http] * 40 + [g.tls] * 18 + [g.smb] * 4 + [g.dns] * 25 + [g.rand_tcp] * 6 + [g.rand_udp] * 7
	target = int(a.mb * 1e6)
	while w.bytes < target:
		g.r.choice(kinds)()
	w.close()
	with open(a.out + ".info", "w") as f:
		f.write('{"packets": %d, "wire_bytes": %d, "sessions": %d, "markers": %d}\n' % (w.pkts, w.bytes, g.sessions, g.marked))
	print("%s: %d packets, %.1f MB wire bytes, %d sessions, %d with markers" %
	      (a.out, w.pkts, w.bytes / 1e6, g.sessions, g.marked))
	return 0


if __name__ == "__main__":
	sys.exit(main())
