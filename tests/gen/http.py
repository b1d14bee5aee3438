#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic HTTP/1.x captures for sidewall's application-layer e2e test
(tests/e2e/http_e2e.py, rules tests/e2e/http.rules).

Run with Debian's /usr/bin/python3 (python3-scapy).  The TCP sessions are
built with tests/gen/traffic.py's Capture (three-way handshake, exact
seq/ack, a pure ACK from the peer after each exchange, FIN/ACK teardown),
fixed addresses, ports and timestamps, so the output is byte-identical on
every run.  Next to each capture the generator writes NAME.json:
traffic.py's flow expectations (packets, bytes, state, sids per flow) plus,
per flow, the app_proto Suricata writes, the EVE "http" record of every
transaction and which transaction each app-layer alert belongs to.  Every
expectation below comes from the bytes the generator sent read with
Suricata's documented semantics (sources cited inline), never from running
sidewall.

  http.py [--out tests/fixtures/pcap]

Captures:
  http.pcap     IPv4, Ethernet (flows A..J below)
  http_v6.pcap  IPv6, Ethernet (K, L): HTTP on port 8081 with a mixed-case Host
                carrying a port, and a flowbits isset without the set

Sources used for the expectations:
  [doc]  docs.suricata.io, rules/http-keywords (Suricata 7/8): buffers,
         normalisation notes (http.host lowercase, http.header.raw,
         http.header_names "\\r\\n...\\r\\n\\r\\n", file_data "If a HTTP body is
         using gzip or deflate, file_data will match on the decompressed
         data", http.response_body likewise, cookies not in http.header).
  [eve]  Suricata src/output-json-http.c EveHttpLogJSONBasic/Extended (the
         fields of the "http" object of http and alert records):
         hostname = libhtp request_hostname (lower case, no port),
         http_port only when the Host carries one, url = raw request-target
         (tx->request_uri, not normalised), http_content_type = RESPONSE
         Content-Type cut at the first ';', status = numeric status,
         redirect = response Location, http_refer = Referer,
         length = tx->response_message_len, always written.
  [htp-0.5.42] libhtp 0.5.42 (Debian 12, what sidewall and Suricata 7 link):
         response_message_len counts a chunked body as transferred, chunk-size
         lines and chunk CRLFs included, except the CRLF that ends the last
         chunk's (empty) trailer; compressed bytes, not decompressed ones.
         (Older libhtp documentation says "de-chunked"; measured with
         0.5.42 through test_http it is not.)
  [htp]  libhtp (OISF/libhtp 0.5.x)
         (htp_tx_res_process_body_data_ex is fed the chunk data only);
         the IDS personality decodes %XX and %uXXXX in the path and removes
         dot segments (htp_config.c HTP_SERVER_IDS, htp_util.c
         htp_normalize_parsed_uri), Suricata turns its path lowercasing off
         (app-layer-htp.c: "Signatures do not expect this"); the query is
         copied as is (kept free of %-escapes here, so Suricata versions
         that decode it agree).
  [hdr]  Suricata detect-http-header.c: http.header is "Name: value\\r\\n" per
         header without Cookie (requests) / Set-Cookie (responses); the
         suricata-verify test http-chunked expects no alert for
         'http.header; content:"Cookie"'.
  [sv]   OISF/suricata-verify: uricontent/detect-uricontent-05 (%2e%2e
         normalised away in http.uri), http-request-header(-multi)
         (http.request_header is "Name: value" per header, no CRLF),
         http-body-inspect / http-encoding-identity (file.data on bodies),
         decode-teredo-01 (flow records with app_proto "failed" when
         detection gave up), bug-78-http-uri (alert records carry
         app_proto "http", tx_id and the http object).
"""
import argparse
import gzip
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from traffic import Capture  # noqa: E402

SID = 2100000  # http.rules uses SID + n

# Which side of a transaction each app-layer rule inspects: the alert's
# "http" object is written when the rule matched, so a request-side alert
# only has the request's fields (hostname, url, user agent, method, protocol,
# referer), a response-side alert has the response's too.  "raw": alert tcp
# on the stream, no transaction.
RULE_SIDE = {}
for n in list(range(1, 40)):
	RULE_SIDE[SID + n] = "request"
for n in range(40, 52):
	RULE_SIDE[SID + n] = "response"
for n in range(52, 58):
	RULE_SIDE[SID + n] = "raw"
RULE_SIDE[SID + 54] = "request"  # alert http with a bare content: never matches here
RULE_SIDE[SID + 58] = "response"

C1, C2, C3 = "192.168.20.11", "192.168.20.12", "192.168.20.13"
WEB1, WEB2, WEB3 = "203.0.113.80", "203.0.113.81", "203.0.113.82"


def msg(start, headers, body=b""):
	out = start.encode() + b"\r\n"
	for k, v in headers:
		out += k.encode() + b": " + (v if isinstance(v, bytes) else v.encode()) + b"\r\n"
	return out + b"\r\n" + body


def chunked(parts):
	"""A chunked body (RFC 9112 7.1): each part as one chunk, then the last-chunk."""
	out = b""
	for p in parts:
		out += b"%x\r\n" % len(p) + p + b"\r\n"
	return out + b"0\r\n\r\n"


class Tx:
	"""One request/response pair and the EVE "http" object Suricata writes for it [eve]."""

	def __init__(self, method, target, headers, body=b"", proto="HTTP/1.1"):
		self.method, self.target, self.headers, self.body, self.proto = method, target, headers, body, proto
		self.raw_req = msg("%s %s %s" % (method, target, proto), headers, body)
		self.status = None

	def respond(self, status, reason, headers, body=b"", message_len=None):
		"""body: the bytes after the header block as sent; message_len: the
		body length libhtp counts [htp] (de-chunked, still compressed)."""
		self.status, self.reason, self.resp_headers = status, reason, headers
		self.raw_resp = msg("HTTP/1.1 %d %s" % (status, reason), headers, body)
		self.length = len(body) if message_len is None else message_len
		return self

	def hdr(self, headers, name):
		for k, v in headers:
			if k.lower() == name:
				return v
		return None

	def eve(self):
		d = {"url": self.target, "http_method": self.method, "protocol": self.proto}
		host = self.hdr(self.headers, "host")
		if host is not None:
			h, _, port = host.rpartition(":") if host.rpartition(":")[2].isdigit() else (host, "", "")
			d["hostname"] = h.lower().rstrip(".")
			if port:
				d["http_port"] = int(port)
		for name, key in (("user-agent", "http_user_agent"), ("referer", "http_refer"), ("x-forwarded-for", "xff")):
			v = self.hdr(self.headers, name)
			if v is not None:
				d[key] = v
		if self.status is not None:
			d["status"] = self.status
			ct = self.hdr(self.resp_headers, "content-type")
			if ct is not None:
				d["http_content_type"] = ct.split(";")[0]
			loc = self.hdr(self.resp_headers, "location")
			if loc is not None:
				d["redirect"] = loc
		d["length"] = self.length if self.status is not None else 0
		return d


def blob(seed, n):
	"""n deterministic bytes that look like no protocol Suricata detects:
	first byte 0x8f (not TLS 0x16, SMB 0xff/0xfe, DCERPC 0x05, TPKT 0x03,
	not ASCII)."""
	out = b""
	h = seed
	while len(out) < n:
		h = hashlib.sha256(h).digest()
		out += h
	return b"\x8f" + out[1:n]


def annotate(f, app_proto, txs, alert_tx=None):
	"""Attach what the app layer must report for flow f."""
	f.app_proto = app_proto
	f.txs = txs
	f.alert_tx = {str(k): v for k, v in (alert_tx or {}).items()}
	return f


def expect_all(f, sids):
	for s in sids:
		f.expect(s)
	return f


# --- http.pcap ----------------------------------------------------------------

def build_v4():
	c = Capture("http", offset_s=300, rules="tests/e2e/http.rules")

	# A. GET with typical browser headers, 200 with a text/html body.
	ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
	body = b"<html><body>Welcome to SW-BODY-MARK</body></html>\n"
	t = Tx("GET", "/index.html?lang=en", [("Host", "www.example.com"), ("User-Agent", ua),
					      ("Accept", "text/html,application/xhtml+xml"),
					      ("Accept-Language", "en-US,en;q=0.5"), ("Accept-Encoding", "gzip, deflate"),
					      ("Connection", "keep-alive")]
	       ).respond(200, "OK", [("Server", "nginx/1.24.0"), ("Content-Type", "text/html; charset=utf-8"),
				     ("Content-Length", str(len(body)))], body)
	f = c.tcp(C1, WEB1, 40101, 80, [("c", t.raw_req), ("s", t.raw_resp)])
	# 13 http.host (www.example.com), 30 accept_enc gzip, 31 accept_lang startswith,
	# 32 connection bsize, 34 http.start, 35 http.request_header; 45 http.server,
	# 46 response http.content_type with its parameter (the buffer is the whole
	# header value [doc]; only EVE cuts at ';' [eve]), 51 relative file.data.
	sids = [13, 30, 31, 32, 34, 35, 45, 46, 51]
	annotate(expect_all(f, [SID + s for s in sids]), "http", [t], {SID + s: [0] for s in sids})

	# B. POST of a urlencoded form with Cookie, Referer, Accept*, Connection,
	# Content-Type, Content-Length; 302 with Location and Set-Cookie.
	form = b"user=alice&pass=s3cr3t%21&x=1"
	t = Tx("POST", "/login.php", [("Host", "shop.example"), ("User-Agent", "curl/8.5.0"), ("Accept", "*/*"),
				      ("Accept-Language", "de-DE"), ("Accept-Encoding", "identity"),
				      ("Referer", "http://shop.example/form.html"), ("Cookie", "sessid=c0ffee42; theme=dark"),
				      ("Connection", "close"), ("Content-Type", "application/x-www-form-urlencoded"),
				      ("Content-Length", str(len(form)))], form
	       ).respond(302, "Found", [("Server", "Apache"), ("Location", "http://shop.example/welcome"),
					("Set-Cookie", "sessid=deadbeef99; Path=/; HttpOnly"),
					("Content-Type", "text/html"), ("Content-Length", "0")])
	f = c.tcp(C2, WEB1, 40102, 80, [("c", t.raw_req), ("s", t.raw_resp)])
	# 19 http.cookie, 21 http.header.raw keeps the Cookie line, 22 http.header
	# "Name: value\r\n" [hdr], 23/24/25 request body (sticky, legacy, pcre /P),
	# 26/27 request content_type/content_len, 28 referer endswith, 29 accept
	# bsize, 33 request_line bsize, 1/2 method; 40 stat_code, 42 stat_msg,
	# 43 response_line, 44 location endswith, 47 http.response_header
	# "Name: value" [sv http-request-header].  52: alert tcp on the raw stream
	# still sees the HTTP flow's bytes.
	sids = [1, 2, 19, 21, 22, 23, 24, 25, 26, 27, 28, 29, 33, 40, 42, 43, 44, 47]
	annotate(expect_all(f, [SID + s for s in sids] + [SID + 52]), "http", [t], {SID + s: [0] for s in sids})

	# C. Pipelining: three requests in one segment, then the three responses
	# (one segment each).  Transactions 0, 1, 2 in request order.
	txs = []
	for i, (path, st, reason, b) in enumerate((("/pipe/one", 200, "OK", b"one\n"), ("/pipe/two", 200, "OK", b"two\n"),
						   ("/pipe/three", 404, "Not Found", b"no such page\n"))):
		txs.append(Tx("GET", path, [("Host", "pipe.example")]).respond(
			st, reason, [("Content-Type", "text/plain"), ("Content-Length", str(len(b)))], b))
	f = c.tcp(C3, WEB1, 40103, 80, [("c", b"".join(t.raw_req for t in txs)), ("s", [t.raw_resp for t in txs])])
	# 36: http.uri bsize:9 only /pipe/two (tx 1); 41: legacy http_stat_code 404 (tx 2).
	annotate(expect_all(f, [SID + 36, SID + 41]), "http", txs, {SID + 36: [1], SID + 41: [2]})

	# D. Chunked response; the marker is split across two chunks, so it only
	# exists in the de-chunked body (file.data) [doc], never in the raw stream (55).
	parts = [b"first chunk, then CHUNK", b"ED-SECRET and the rest\n"]
	body = chunked(parts)
	t = Tx("GET", "/chunked", [("Host", "chunk.example"), ("User-Agent", "sw-test/1.0")]).respond(
		200, "OK", [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")], body,
		message_len=len(body) - 2)  # [htp-0.5.42] chunked: framing counted, not the final CRLF
	f = c.tcp(C1, WEB2, 40104, 80, [("c", t.raw_req), ("s", t.raw_resp)])
	annotate(f.expect(SID + 48), "http", [t], {SID + 48: [0]})

	# E. gzip-compressed response body that is also chunked: the marker only
	# exists after de-chunking and gunzip (file.data 49, legacy http_server_body
	# 50) [doc], never in the raw stream (57).  EVE length is the compressed, chunked size [htp-0.5.42].
	plain = b"<html>" + b"padding " * 40 + b"GZIP-SECRET-PAYLOAD" + b" tail" * 20 + b"</html>\n"
	gz = gzip.compress(plain, compresslevel=9, mtime=0)
	cut = len(gz) // 2
	t = Tx("GET", "/gz", [("Host", "gz.example"), ("Accept-Encoding", "gzip")]).respond(
		200, "OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
		chunked([gz[:cut], gz[cut:]]), message_len=len(chunked([gz[:cut], gz[cut:]])) - 2)
	assert b"GZIP-SECRET" not in t.raw_resp and b"GZIP-SECRET-PAYLOAD" in gzip.decompress(gz[:cut] + gz[cut:])
	f = c.tcp(C2, WEB2, 40105, 80, [("c", t.raw_req), ("s", t.raw_resp)])
	# 30: its Accept-Encoding is gzip.
	annotate(expect_all(f, [SID + 30, SID + 49, SID + 50]), "http", [t], {SID + 30: [0], SID + 49: [0], SID + 50: [0]})

	# F. Percent- and %u-encoded path with a dot segment, then an overlong URI
	# (> 4 KiB, several segments), keep-alive.
	# /x/%2e%2e/adm%69n/b%41%u0043.php?id=7: the IDS personality decodes %2e,
	# %69, %41 and %u0043 in the path and removes "x/.." [htp][sv
	# detect-uricontent-05] -> http.uri "/admin/bAC.php?id=7" (19 bytes);
	# http.uri.raw is the request-target as sent [doc].
	enc = "/x/%2e%2e/adm%69n/b%41%u0043.php?id=7"
	t0 = Tx("GET", enc, [("Host", "enc.example")]).respond(404, "Not Found", [("Content-Length", "0")])
	long_uri = "/long/" + "A" * 4200 + "/END-OF-LONG-URI"
	t1 = Tx("GET", long_uri, [("Host", "enc.example")]).respond(414, "URI Too Long", [("Content-Length", "0")])
	req1 = t1.raw_req
	f = c.tcp(C3, WEB2, 40106, 80, [("c", t0.raw_req), ("s", t0.raw_resp),
					("c", [req1[i:i + 1400] for i in range(0, len(req1), 1400)]), ("s", t1.raw_resp)])
	# 3 normalised uri bsize, 4 uricontent, 5 uri.raw, 8 pcre /U, 9 pcre /I on tx 0;
	# 41 stat_code 404 on tx 0; 10 urilen:>4096 (normalised length 4222),
	# 11 endswith on tx 1.  Negatives 6, 7, 56 (below).
	annotate(expect_all(f, [SID + s for s in (3, 4, 5, 8, 9, 41, 10, 11)]), "http", [t0, t1],
		 {SID + 3: [0], SID + 4: [0], SID + 5: [0], SID + 8: [0], SID + 9: [0], SID + 41: [0],
		  SID + 10: [1], SID + 11: [1]})

	# G. Request headers split over four segments: inside the name
	# "User-Ag|ent" and inside the value "EvilSc|anner/3.1".
	t = Tx("GET", "/split", [("Host", "split.example"), ("User-Agent", "EvilScanner/3.1"),
				 ("X-Split-Test", "1")]).respond(200, "OK", [("Content-Type", "text/plain"),
									     ("Content-Length", "3")], b"ok\n")
	r = t.raw_req
	a = r.index(b"User-Ag") + 7
	b = r.index(b"EvilSc") + 6
	k = r.index(b"X-Split")
	f = c.tcp(C1, WEB3, 40107, 80, [("c", [r[:a], r[a:b], r[b:k], r[k:]]), ("s", t.raw_resp)])
	# 16 user_agent bsize, 17 pcre /H on "User-Agent: EvilScanner/3.1\r\n" [hdr],
	# 18 header_names ending "X-Split-Test\r\n\r\n" [doc].
	annotate(expect_all(f, [SID + 16, SID + 17, SID + 18]), "http", [t], {SID + 16: [0], SID + 17: [0], SID + 18: [0]})

	# H. A request in three segments sent 3, 1, 2 (each with its own sequence number).
	t = Tx("GET", "/ooo/path.html", [("Host", "ooo.example"), ("User-Agent", "sw-ooo/1.0")]).respond(
		200, "OK", [("Content-Type", "text/plain"), ("Content-Length", "4")], b"ooo\n")
	r = t.raw_req
	p1, p2 = r.index(b"/path"), r.index(b"ooo.example")
	f = c.tcp(C2, WEB3, 40108, 80, [("c", [r[:p1], r[p1:p2], r[p2:]]), ("s", t.raw_resp)], order={0: [2, 0, 1]})
	annotate(f.expect(SID + 37), "http", [t], {SID + 37: [0]})

	# I. Not HTTP on port 80: binary both ways, 2 x 1400 bytes each, well past
	# any detection depth.  Suricata writes app_proto "failed" on the flow
	# record when detection gave up on both directions [sv decode-teredo-01;
	# output-json-flow.c writes AppProtoToString(ALPROTO_FAILED)].  An SMTP-like
	# text would not do: Suricata detects SMTP by pattern on any port.
	cli = blob(b"client", 2800)
	cli = cli[:2000] + b"NOTHTTP-MARK" + cli[2012:]
	srv = blob(b"server", 2800)
	f = c.tcp(C3, WEB3, 40109, 80, [("c", [cli[:1400], cli[1400:]]), ("s", [srv[:1400], srv[1400:]])])
	# 53 alert tcp matches the raw stream; 54 "alert http" with the same content does not.
	annotate(f.expect(SID + 53), "failed", [])

	# J. flowbits across transactions: tx 0 /step1 sets sw.step1 (noalert),
	# tx 1 /step2 checks it: one alert, on tx 1.
	t0 = Tx("GET", "/step1", [("Host", "bits.example")]).respond(200, "OK", [("Content-Length", "2")], b"1\n")
	t1 = Tx("GET", "/step2", [("Host", "bits.example")]).respond(200, "OK", [("Content-Length", "2")], b"2\n")
	f = c.tcp(C1, WEB1, 40110, 80, [("c", t0.raw_req), ("s", t0.raw_resp), ("c", t1.raw_req), ("s", t1.raw_resp)])
	annotate(f.expect(SID + 39), "http", [t0, t1], {SID + 39: [1]})

	# M. A response without Content-Length whose body ends when the server
	# closes the connection (RFC 9112 6.3, the usual HTTP/1.0 device page):
	# the response completes only when the flow ends, after both FINs.  The
	# body was sent while the connection was established, so 58
	# (flow:established,to_client; file.data) matches, as Suricata inspects
	# its flow-end pseudo packets as established.
	body = b"<html>legacy device page CLOSE-DELIM-MARK</html>\n"
	t = Tx("GET", "/status.html", [("Host", "device.example")]).respond(
		200, "OK", [("Content-Type", "text/html"), ("Connection", "close")], body)
	f = c.tcp(C2, WEB1, 40111, 80, [("c", t.raw_req), ("s", t.raw_resp)])
	annotate(f.expect(SID + 58), "http", [t], {SID + 58: [0]})
	return c


# --- http_v6.pcap -------------------------------------------------------------

def build_v6():
	c = Capture("http_v6", offset_s=330, rules="tests/e2e/http.rules")
	a, b = "2001:db8:70::11", "2001:db8:80::80"
	# K. HTTP on port 8081, detected by content.  Host "WWW.Example.COM:8081":
	# http.host is "www.example.com" (lower case, no port: 13 bsize:15, 15 ":8081"
	# never), http.host.raw the value as sent (14) [doc]; EVE hostname lower
	# case without port, http_port 8081 [eve].
	t = Tx("GET", "/v6/status", [("Host", "WWW.Example.COM:8081"), ("User-Agent", "sw-test/1.0")]).respond(
		200, "OK", [("Content-Type", "text/plain"), ("Content-Length", "6")], b"ok v6\n")
	f = c.tcp(a, b, 41101, 8081, [("c", t.raw_req), ("s", t.raw_resp)])
	annotate(expect_all(f, [SID + 13, SID + 14]), "http", [t], {SID + 13: [0], SID + 14: [0]})
	# L. /step2 without /step1 first: flowbits:isset is false, no alert (39).
	t = Tx("GET", "/step2", [("Host", "bits.example")]).respond(200, "OK", [("Content-Length", "2")], b"2\n")
	f = c.tcp(a, b, 41102, 80, [("c", t.raw_req), ("s", t.raw_resp)])
	annotate(f, "http", [t])
	return c


def expected(cap, name):
	e = cap.expected(name)
	for fj, f in zip(e["flows"], cap.flows):
		fj["app_proto"] = f.app_proto
		fj["http"] = [dict(tx_id=i, **t.eve()) for i, t in enumerate(f.txs)]
		fj["alert_tx"] = f.alert_tx
	e["rule_side"] = {str(k): v for k, v in sorted(RULE_SIDE.items())}
	return e


def main():
	here = os.path.dirname(os.path.abspath(__file__))
	root = os.path.normpath(os.path.join(here, "..", ".."))
	ap = argparse.ArgumentParser()
	ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "pcap"))
	a = ap.parse_args()
	os.makedirs(a.out, exist_ok=True)
	for cap, name in ((build_v4(), "http.pcap"), (build_v6(), "http_v6.pcap")):
		cap.write(os.path.join(a.out, name))
		with open(os.path.join(a.out, name.rsplit(".", 1)[0] + ".json"), "w") as j:
			json.dump(expected(cap, name), j, indent=1, sort_keys=True)
			j.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
