#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Independent reference decoder for the TLS captures (tests/gen/tls.sh).

Run with Debian's /usr/bin/python3 (python3-scapy reads the pcap/pcapng and
decodes Ethernet/SLL/IP/TCP; everything from the TCP payload up is decoded
here byte by byte, without any TLS or X.509 library).  It shares no code
with sidewall's engine/app/tls.c and must not: its output is the yardstick.

  tls_ref.py PCAP...                      JSON for each capture on stdout
  tls_ref.py --expected OUT.json PCAP...  write {basename: [flows...]}
  tls_ref.py --dump DIR --prefix P PCAP   write the cleartext handshake bytes
                                          of the first TLS flow (see below)

Per TCP flow carrying TLS (client = the SYN sender, else the side that sent
the ClientHello) it prints:
  sni, version, client_alpns, server_alpns, ja3 {string, hash},
  ja3s {string, hash}, ja4, ja4_r, and, when the server's Certificate
  message is in cleartext (TLS <= 1.2), the leaf's subject, issuerdn,
  serial, fingerprint, notbefore, notafter, subjectaltname (what Suricata's
  EVE "tls" record carries, leaf only) plus "certs": the same fields for
  every certificate of the chain, in the order sent.

How each value is written (Suricata 8, OISF/suricata master):
  version      src/output-json-tls.c: the server's version when a
               ServerHello was seen, else the client's; the ServerHello's
               supported_versions extension overrides its legacy_version,
               the ClientHello's first valid supported_versions entry
               overrides the client's (src/app-layer-ssl.c
               TLSDecodeHSHelloExtensionSupportedVersions).  Strings from
               rust/src/tls_version.rs: "SSLv3", "TLSv1", "TLS 1.1",
               "TLS 1.2", "TLS 1.3", else the decimal value.
  sni          the first host_name of the server_name extension, as sent.
  ja3          salesforce/ja3: "SSLVersion,Ciphers,Extensions,
               EllipticCurves,EllipticCurvePointFormats", decimal values
               joined with '-', GREASE values (0x?a?a) left out everywhere;
               extensions in the order SENT; md5 of the string, lower hex.
               SSLVersion is the legacy_version field of the ClientHello
               (771 for TLS 1.3 too).
  ja3s         "SSLVersion,Cipher,Extensions" of the ServerHello, md5.
  ja4          FoxIO JA4 (technical_details/JA4.md), as rust/src/ja4.rs:
               t + version (highest non-GREASE supported_versions entry,
               else legacy_version: 13/12/11/10/s3/00) + d|i (SNI extension
               present or not) + 2-digit cipher count + 2-digit extension
               count (GREASE excluded, SNI and ALPN included, max 99) +
               first and last character of the first ALPN value ("00" if
               none; hex nibbles when not alphanumeric) "_" sha256[:12] of
               the SORTED 4-hex-digit ciphers joined by ',' "_" sha256[:12]
               of the SORTED extensions WITHOUT SNI (0000) and ALPN (0010)
               joined by ',' + '_' + the signature algorithms in the order
               sent.  FoxIO leaves the '_' + sigalgs part out when the
               ClientHello has no signature_algorithms extension; Suricata's
               ja4.rs always writes "exts_" — both are printed then
               ("ja4" = Suricata's, "ja4_foxio").
  subject,     rust/src/x509/mod.rs: x509-parser's X509Name Display: RDNs in
  issuerdn     certificate order joined by ", ", attributes of one RDN by
               " + ", each "ABBREV=value" (C, ST, L, O, OU, CN, ...); string
               types as their bytes, other types upper-case hex of the DER.
  serial       raw_serial(): the INTEGER's content octets as sent (a leading
               00 pad is kept), "%02X" joined by ':'.
  fingerprint  src/app-layer-ssl.c: SHA-1 of the DER, lower-case hex
               joined by ':'.
  notbefore/   rust/src/x509/time.rs "[year]-[month]-[day]T[hour]:[minute]:
  notafter     [second]" in UTC.
  subjectaltname  dNSName and URI as the string, iPAddress as Rust's Debug
               of the bytes ("[10, 0, 0, 1]").

--dump writes, for the first TLS flow of the capture:
  P-client-hs.bin   client->server TCP payload from the first byte up to the
                    end of the last record of the ClientHello message
  P-server-hs.bin   server->client TCP payload from the first byte up to the
                    end of the record that completes the last cleartext
                    handshake message (ServerHelloDone for TLS 1.2, the
                    ServerHello for TLS 1.3)
"""
import argparse
import datetime
import hashlib
import json
import os
import struct
import sys

from scapy.all import IP, TCP, IPv6, Raw, rdpcap  # noqa: E402

GREASE = {(b << 8) | b for b in range(0x0a, 0x100, 0x10)}
VERSION_NAMES = {0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3",
		 0x0200: "SSLv2"}
JA4_VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3"}
# x509-parser / oid-registry abbreviations (the ones certificates use).
OID_ABBREV = {
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
	"2.5.4.5": "serialNumber", "2.5.4.4": "SN", "2.5.4.42": "GN", "2.5.4.12": "title", "2.5.4.9": "street",
	"2.5.4.17": "postalCode", "2.5.4.15": "businessCategory", "1.2.840.113549.1.9.1": "Email",
	"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
	"1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}
STRING_TAGS = {0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b, 0x1c, 0x1e, 0x0c, 0x07}
EXT_SNI, EXT_GROUPS, EXT_ECPF, EXT_SIGALGS, EXT_ALPN, EXT_SUPPORTED_VERSIONS = 0, 10, 11, 13, 16, 43


# --- TCP reassembly -----------------------------------------------------------

class Dir:
	def __init__(self):
		self.isn = None
		self.segs = []  # (seq, payload)

	def stream(self):
		"""The contiguous bytes from the first sequence number (ISN+1 when
		the SYN was seen) up to the first gap; retransmissions and overlaps
		keep the first bytes."""
		if not self.segs:
			return b""
		base = self.isn if self.isn is not None else min(s for s, _ in self.segs)
		segs = sorted(((s - base) & 0xFFFFFFFF, p) for s, p in self.segs)
		out = bytearray()
		for off, p in segs:
			if off > len(out):
				break
			if off + len(p) > len(out):
				out += p[len(out) - off:]
		return bytes(out)


def tcp_flows(path):
	flows = {}  # key (a, ap, b, bp) normalised -> {"first": (src,sport), "syn": (src,sport)|None, dirs}
	for pkt in rdpcap(path):
		ip = pkt.getlayer(IP) or pkt.getlayer(IPv6)
		if ip is None and pkt.getlayer(Raw) is not None:
			# e.g. DLT_NULL with a BSD AF_INET6 value scapy does not map
			raw = bytes(pkt.getlayer(Raw).load)
			if raw[:1] and raw[0] >> 4 == 6:
				pkt = IPv6(raw)
			elif raw[:1] and raw[0] >> 4 == 4:
				pkt = IP(raw)
			ip = pkt.getlayer(IP) or pkt.getlayer(IPv6)
		tcp = pkt.getlayer(TCP)
		if ip is None or tcp is None:
			continue
		src, dst = (ip.src, tcp.sport), (ip.dst, tcp.dport)
		key = tuple(sorted([src, dst]))
		f = flows.setdefault(key, {"order": len(flows), "syn": None, "dirs": {}})
		d = f["dirs"].setdefault(src, Dir())
		flags = int(tcp.flags)
		payload = bytes(tcp.payload)
		if flags & 0x02:  # SYN
			d.isn = (tcp.seq + 1) & 0xFFFFFFFF
			if not flags & 0x10 and f["syn"] is None:
				f["syn"] = src
		if payload:
			d.segs.append((tcp.seq, payload))
	return sorted(flows.values(), key=lambda f: f["order"])


# --- TLS records and handshake messages ------------------------------------------

def records(data):
	"""[(type, version, fragment, end_offset)] of the cleartext part: stops at
	the first record after a ChangeCipherSpec, at application data, or at a
	truncated record."""
	out, off = [], 0
	while off + 5 <= len(data):
		ctype, ver, ln = data[off], struct.unpack("!H", data[off + 1:off + 3])[0], struct.unpack("!H", data[off + 3:off + 5])[0]
		if ctype not in (20, 21, 22, 23) or off + 5 + ln > len(data):
			break
		out.append((ctype, ver, data[off + 5:off + 5 + ln], off + 5 + ln))
		off += 5 + ln
		if ctype in (20, 23):
			break
	return out


def handshakes(recs):
	"""[(msg_type, body, end_offset_of_record_completing_it)] from the
	handshake records (messages may span records, records may hold several)."""
	buf, out = b"", []
	for ctype, _ver, frag, end in recs:
		if ctype != 22:
			continue
		buf += frag
		while len(buf) >= 4:
			ln = int.from_bytes(buf[1:4], "big")
			if len(buf) < 4 + ln:
				break
			out.append((buf[0], buf[4:4 + ln], end))
			buf = buf[4 + ln:]
	return out


def u16(b, o):
	return struct.unpack("!H", b[o:o + 2])[0]


def parse_extensions(b, o):
	exts = []  # (type, data) in order
	if o + 2 > len(b):
		return exts
	end = o + 2 + u16(b, o)
	o += 2
	while o + 4 <= end:
		t, ln = u16(b, o), u16(b, o + 2)
		exts.append((t, b[o + 4:o + 4 + ln]))
		o += 4 + ln
	return exts


def parse_client_hello(b):
	ch = {"legacy_version": u16(b, 0)}
	o = 2 + 32
	o += 1 + b[o]  # session id
	n = u16(b, o)
	ch["ciphers"] = [u16(b, o + 2 + i) for i in range(0, n, 2)]
	o += 2 + n
	o += 1 + b[o]  # compression methods
	ch["extensions"] = parse_extensions(b, o)
	return ch


def parse_server_hello(b):
	sh = {"legacy_version": u16(b, 0)}
	o = 2 + 32
	o += 1 + b[o]
	sh["cipher"] = u16(b, o)
	o += 3  # cipher + compression
	sh["extensions"] = parse_extensions(b, o)
	return sh


def u16list(data, lenbytes=2):
	n = int.from_bytes(data[:lenbytes], "big")
	return [u16(data, lenbytes + i) for i in range(0, n - 1, 2)]


def alpn_list(data):
	out, o = [], 2
	end = 2 + u16(data, 0)
	while o < end and o < len(data):
		ln = data[o]
		out.append(data[o + 1:o + 1 + ln])
		o += 1 + ln
	return out


def sni_of(data):
	o = 2
	end = 2 + u16(data, 0)
	while o + 3 <= end:
		t, ln = data[o], u16(data, o + 1)
		if t == 0:
			return data[o + 3:o + 3 + ln].decode("latin-1")
		o += 3 + ln
	return None


def ja3_join(vals):
	return "-".join(str(v) for v in vals if v not in GREASE)


def ja3(ch):
	ext = dict(ch["extensions"])
	groups = u16list(ext[EXT_GROUPS]) if EXT_GROUPS in ext else []
	ecpf = list(ext[EXT_ECPF][1:1 + ext[EXT_ECPF][0]]) if EXT_ECPF in ext else []
	s = "%d,%s,%s,%s,%s" % (ch["legacy_version"], ja3_join(ch["ciphers"]), ja3_join(t for t, _ in ch["extensions"]),
				ja3_join(groups), "-".join(str(v) for v in ecpf))
	return {"string": s, "hash": hashlib.md5(s.encode()).hexdigest()}


def ja3s(sh):
	s = "%d,%d,%s" % (sh["legacy_version"], sh["cipher"], ja3_join(t for t, _ in sh["extensions"]))
	return {"string": s, "hash": hashlib.md5(s.encode()).hexdigest()}


def sha12(s):
	return hashlib.sha256(s.encode()).hexdigest()[:12]


def alnum(c):
	return (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5a) or (0x61 <= c <= 0x7a)


def ja4(ch):
	ext = dict(ch["extensions"])
	version = ch["legacy_version"]
	if EXT_SUPPORTED_VERSIONS in ext:
		vs = [v for v in u16list(ext[EXT_SUPPORTED_VERSIONS], 1) if v not in GREASE]
		if vs:
			version = max(vs)
	ciphers = [c for c in ch["ciphers"] if c not in GREASE]
	exts = [t for t, _ in ch["extensions"] if t not in GREASE]
	alpn = "00"
	if EXT_ALPN in ext:
		al = alpn_list(ext[EXT_ALPN])
		if al and al[0]:
			a = al[0]
			if len(a) == 2 and ((a[0] << 8) | a[1]) in GREASE:
				alpn = "00"
			elif alnum(a[0]) and alnum(a[-1]):
				alpn = chr(a[0]) + chr(a[-1])
			else:
				alpn = "%x%x" % (a[0] >> 4, a[-1] & 0xF)
	a = "t%s%s%02d%02d%s" % (JA4_VERSIONS.get(version, "00"), "d" if EXT_SNI in ext else "i", min(99, len(ciphers)),
				 min(99, len(exts)), alpn)
	b_raw = ",".join("%04x" % c for c in sorted(ciphers))
	sig = [s for s in u16list(ext[EXT_SIGALGS])] if EXT_SIGALGS in ext else []
	sig = [s for s in sig if s not in GREASE]
	c1 = ",".join("%04x" % t for t in sorted(exts) if t not in (EXT_SNI, EXT_ALPN))
	c2 = ",".join("%04x" % s for s in sig)
	b = sha12(b_raw) if ciphers else "000000000000"
	suri_c = c1 + "_" + c2
	fox_c = suri_c if sig else c1
	res = {"ja4": "%s_%s_%s" % (a, b, sha12(suri_c)), "ja4_r": "%s_%s_%s" % (a, b_raw, fox_c)}
	fox = "%s_%s_%s" % (a, b, sha12(fox_c) if fox_c else "000000000000")
	if fox != res["ja4"]:
		res["ja4_foxio"] = fox
	return res


# --- X.509 (DER) ------------------------------------------------------------------

def der(b, o):
	"""(tag, content_start, content_end) of the TLV at o."""
	tag = b[o]
	ln = b[o + 1]
	o += 2
	if ln & 0x80:
		n = ln & 0x7F
		ln = int.from_bytes(b[o:o + n], "big")
		o += n
	return tag, o, o + ln


def der_children(b, start, end):
	out, o = [], start
	while o < end:
		t, s, e = der(b, o)
		out.append((t, s, e))
		o = e
	return out


def oid_str(v):
	first = v[0]
	parts = [first // 40 if first < 80 else 2, first % 40 if first < 80 else first - 80]
	n = 0
	for c in v[1:]:
		n = (n << 7) | (c & 0x7F)
		if not c & 0x80:
			parts.append(n)
			n = 0
	return ".".join(str(p) for p in parts)


def name_str(b, s, e):
	rdns = []
	for _t, rs, re_ in der_children(b, s, e):  # SET
		attrs = []
		for _t2, as_, ae in der_children(b, rs, re_):  # SEQUENCE {oid, value}
			(ot, os_, oe), (vt, vs, ve) = der_children(b, as_, ae)[:2]
			oid = oid_str(b[os_:oe])
			abbrev = OID_ABBREV.get(oid, "OID(%s)" % oid)
			if vt in STRING_TAGS:
				val = b[vs:ve].decode("utf-8")
			else:
				val = b[vs:ve].hex().upper()
			attrs.append("%s=%s" % (abbrev, val))
		rdns.append(" + ".join(attrs))
	return ", ".join(rdns)


def time_str(b, t, s, e):
	v = b[s:e].decode()
	if t == 0x17:  # UTCTime YYMMDDHHMMSSZ
		yy = int(v[0:2])
		v = ("20" if yy < 50 else "19") + v
	dt = datetime.datetime.strptime(v[:14], "%Y%m%d%H%M%S")
	return dt.strftime("%Y-%m-%dT%H:%M:%S")


def sans(b, s, e):
	out = []
	for t, es, ee in der_children(b, s, e):  # Extension
		kids = der_children(b, es, ee)
		if oid_str(b[kids[0][1]:kids[0][2]]) != "2.5.29.17":
			continue
		_t, os_, oe = kids[-1]  # OCTET STRING
		_t, gs, ge = der(b, os_)
		for gt, vs, ve in der_children(b, gs, ge):
			if gt in (0x82, 0x86):  # dNSName, URI
				out.append(b[vs:ve].decode("latin-1"))
			elif gt == 0x87:
				out.append("[" + ", ".join(str(x) for x in b[vs:ve]) + "]")
			else:
				out.append("<GeneralName tag 0x%02x>" % gt)
	return out


def cert_fields(d):
	_t, cs, ce = der(d, 0)
	_t, ts, te = der(d, cs)  # tbsCertificate
	kids = der_children(d, ts, te)
	i = 1 if kids[0][0] == 0xA0 else 0
	serial = d[kids[i][1]:kids[i][2]]
	issuer = kids[i + 2]
	validity = der_children(d, kids[i + 3][1], kids[i + 3][2])
	subject = kids[i + 4]
	ext = [k for k in kids if k[0] == 0xA3]
	san = []
	if ext:
		_t, ss, se = der(d, ext[0][1])
		san = sans(d, ss, se)
	f = {
		"subject": name_str(d, subject[1], subject[2]),
		"issuerdn": name_str(d, issuer[1], issuer[2]),
		"serial": ":".join("%02X" % x for x in serial),
		"fingerprint": ":".join("%02x" % x for x in hashlib.sha1(d).digest()),
		"notbefore": time_str(d, *validity[0]),
		"notafter": time_str(d, *validity[1]),
	}
	if san:
		f["subjectaltname"] = san
	return f


def parse_certificate_msg(b):
	certs, o = [], 3
	end = 3 + int.from_bytes(b[0:3], "big")
	while o + 3 <= end:
		ln = int.from_bytes(b[o:o + 3], "big")
		certs.append(b[o + 3:o + 3 + ln])
		o += 3 + ln
	return certs


# --- per flow -------------------------------------------------------------------

def hello_version(v):
	"""src/app-layer-ssl.c TLSDecodeHSHelloVersion: a hello's version field
	0x0304 or 0x7f01..0x7f0f is logged as "TLS 1.3 draft-<16"."""
	return 0x7f01 if v == 0x0304 or 0x7f01 <= v < 0x7f10 else v


def version_name(v):
	if v in VERSION_NAMES:
		return VERSION_NAMES[v]
	if 0x7f10 <= v <= 0x7f1c:
		return "TLS 1.3 draft-%d" % (v & 0xff)
	if v == 0x7f01:
		return "TLS 1.3 draft-<16"
	if v in (0xfb14, 0xfb15, 0xfb16, 0xfb17, 0xfb1a):
		return "TLS 1.3 draft-%d-fb" % (v & 0xff)
	return "UNDETERMINED" if v == 0 else str(v)


def valid_version(v):
	return version_name(v) != str(v) and v not in (0, 0x0200)


def analyse_flow(f):
	ends = list(f["dirs"].keys())
	streams = {k: d.stream() for k, d in f["dirs"].items()}
	for k, st in streams.items():
		# A TLS stream behind a cleartext prologue (SOCKS, STARTTLS): start
		# at the first handshake record header (only the FoxIO vectors need it).
		if st[:1] != b"\x16":
			i = st.find(b"\x16\x03")
			while i > 0 and st[i + 5:i + 6] not in (b"\x01", b"\x02"):
				i = st.find(b"\x16\x03", i + 1)
			if i > 0:
				streams[k] = st[i:]
	hs = {k: handshakes(records(s)) for k, s in streams.items()}
	cli = f["syn"]
	if cli is None:
		cli = next((k for k in ends if any(m[0] == 1 for m in hs[k])), None)
	if cli is None:
		return None
	srv = next((k for k in ends if k != cli), None)
	chm = next((m for m in hs.get(cli, []) if m[0] == 1), None)
	shm = next((m for m in hs.get(srv, []) if m[0] == 2), None) if srv else None
	if chm is None and shm is None:
		return None
	ch = parse_client_hello(chm[1]) if chm else None
	sh = parse_server_hello(shm[1]) if shm else None
	out = {"src_ip": cli[0], "src_port": cli[1], "dest_ip": srv[0] if srv else None,
	       "dest_port": srv[1] if srv else None}
	cext = dict(ch["extensions"]) if ch else {}
	if EXT_SNI in cext:
		out["sni"] = sni_of(cext[EXT_SNI])
	ver = 0
	if ch:
		ver = hello_version(ch["legacy_version"])
		if EXT_SUPPORTED_VERSIONS in cext:
			for v in u16list(cext[EXT_SUPPORTED_VERSIONS], 1):
				if valid_version(v):
					ver = v
					break
	if sh:
		ver = hello_version(sh["legacy_version"])
		sext = dict(sh["extensions"])
		if EXT_SUPPORTED_VERSIONS in sext:
			ver = u16(sext[EXT_SUPPORTED_VERSIONS], 0)
	out["version"] = version_name(ver)
	out["client_alpns"] = [a.decode("latin-1") for a in alpn_list(cext[EXT_ALPN])] if EXT_ALPN in cext else []
	out["server_alpns"] = []
	if sh and EXT_ALPN in dict(sh["extensions"]):
		out["server_alpns"] = [a.decode("latin-1") for a in alpn_list(dict(sh["extensions"])[EXT_ALPN])]
	if ch:
		out["ja3"] = ja3(ch)
	if sh:
		out["ja3s"] = ja3s(sh)
	if ch:
		out.update(ja4(ch))
	certm = next((m for m in hs.get(srv, []) if m[0] == 11), None) if srv else None
	if certm:
		chain = [cert_fields(c) for c in parse_certificate_msg(certm[1])]
		if chain:
			out.update(chain[0])
			out["certs"] = chain
	# Where the cleartext handshake ends in each direction (for --dump).
	out["_client_hs_end"] = chm[2] if chm else 0
	srv_msgs = hs.get(srv, []) if srv else []
	done = [m for m in srv_msgs if m[0] == 14]  # ServerHelloDone (TLS <= 1.2)
	out["_server_hs_end"] = done[0][2] if done else (srv_msgs[-1][2] if srv_msgs else 0)
	out["_streams"] = (streams.get(cli, b""), streams.get(srv, b"") if srv else b"")
	return out


def analyse(path):
	res = []
	for f in tcp_flows(path):
		r = analyse_flow(f)
		if r is not None:
			res.append(r)
	return res


def public(r):
	return {k: v for k, v in r.items() if not k.startswith("_")}


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("pcaps", nargs="+")
	ap.add_argument("--expected", help="write {basename: [flow, ...]} here")
	ap.add_argument("--dump", help="directory for the handshake byte dumps (first TLS flow)")
	ap.add_argument("--prefix", help="file name prefix for --dump")
	a = ap.parse_args()
	allres = {}
	for p in a.pcaps:
		res = analyse(p)
		allres[os.path.basename(p)] = [public(r) for r in res]
		if a.dump:
			if not res:
				sys.exit("%s: no TLS flow" % p)
			r = res[0]
			prefix = a.prefix or os.path.basename(p).rsplit(".", 1)[0]
			cs, ss = r["_streams"]
			with open(os.path.join(a.dump, prefix + "-client-hs.bin"), "wb") as fh:
				fh.write(cs[:r["_client_hs_end"]])
			with open(os.path.join(a.dump, prefix + "-server-hs.bin"), "wb") as fh:
				fh.write(ss[:r["_server_hs_end"]])
	if a.expected:
		with open(a.expected, "w") as fh:
			json.dump(allres, fh, indent=1, sort_keys=True)
			fh.write("\n")
	else:
		json.dump(allres, sys.stdout, indent=1, sort_keys=True)
		sys.stdout.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
