#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark rulesets (not a test).

  gen_rules.py OUTDIR [--content 1000] [--iprep 1200] [--seed 7]

Writes:
  OUTDIR/content.rules  --content rules in the style of public rule sets:
      literals of 4-20 bytes built from plausible tokens (URI pieces, user
      agents, script and shell fragments, SMB/DNS binary), some nocase, some
      with offset/depth or distance/within, a few pcre, a few whose fast
      pattern is common in the traffic but whose other conditions fail, and
      a small fraction that detect the rare markers bench/gen_mix.py puts in
      the traffic;
  OUTDIR/iprep.rules    --iprep header-only IP-reputation rules of 50
      addresses each ("alert ip [a1,...,a50] any -> $HOME_NET any"), from
      public ranges that gen_mix.py never uses, except two rules that list
      one traffic server each (as real lists sometimes do);
  OUTDIR/literals.txt   one line per content rule: "c HEX" or "i HEX"
      (nocase): the rule's fast pattern (its fast_pattern content, else the
      longest), which is what bench/hs_ceiling.c compiles.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_mix  # noqa: E402  (markers and the address ranges the traffic uses)

URI = ["/wp-content/plugins/", "/wp-admin/", "/phpmyadmin/", "/cgi-bin/", "/admin/", "/shell.php", "/cmd.php", "/.git/",
       "/.env", "/actuator/", "/solr/admin/", "/manager/html", "/HNAP1/", "/boaform/", "/setup.cgi", "/GponForm/",
       "/vendor/phpunit/", "/owa/auth/", "/remote/fgt_lang", "/api/jsonws/", "/struts2-", "/jenkins/script", "/gate.php",
       "/panel/", "/config.bak", "/backup.sql", "/xmlrpc.php", "/login.action", "/invoker/", "/jmx-console/"]
PARAM = ["?cmd=", "&exec=", "?file=../../", "?page=php://", "?id=1'", "&hwid=", "bot_id=", "&os=win", "?lang=../",
	 "&action=upload", "?target=", "&bypass=", "?shell=", "&payload="]
SCRIPT = ["<script>alert(", "eval(base64_decode(", "document.cookie", "onerror=alert", "javascript:void", "String.fromCharCode(",
	  "powershell -enc ", "cmd.exe /c ", "/bin/sh -c ", "wget http://", "curl -s http://", "chmod 777 ", "nc -e /bin/",
	  "certutil -urlcache", "rundll32.exe ", "regsvr32 /s /u", "mshta vbscript:", "${jndi:ldap://", "union select ",
	  "' or '1'='1", "sleep(5)#", "xp_cmdshell", "information_schema.", "<?php system("]
UA = ["Mozlila/4.0", "WinHttpRequest", "zgrab/0.", "Nikto/2.", "Hydra v", "DirBuster-", "WPScan v", "BlackSun",
      "Morfeus Fucking Scanner", "ZmEu", "Jorgee", "python-urllib/", "libwww-perl/", "Go-http-client/2", "Wget(linux)",
      "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"]
BIN = [b"\xffSMB\x25", b"\xffSMB\x73", b"\xfeSMB\x40\x00", b"\x00\x00\x00\x85\xffSMB\x72", b"\x05\x00\x0b\x03\x10\x00\x00\x00",
       b"\x4d\x5a\x90\x00\x03", b"\x7fELF\x01\x01\x01", b"PK\x03\x04\x14\x00", b"\x16\x03\x00\x00", b"\x13BitTorrent protocol",
       b"\xe3\x00\x00\x00\x01", b"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07version\x04bind"]
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
CLASSTYPES = ["web-application-attack", "attempted-admin", "trojan-activity", "attempted-recon", "policy-violation",
	      "bad-unknown", "misc-attack", "command-and-control", "exploit-kit", "attempted-user"]

# Rules that really fire on the traffic (markers) and rules whose fast pattern
# is common in it but whose other contents never are.
MATCHING = [("User-Agent|3a| sqlmap", True), ("Nmap Scripting Engine", False), ("User-Agent|3a| masscan/", False),
	    ("revslider_show_image", False), ("/cgi-bin/luci/|3b|stok=", False), ("invokefunction&function=call_user_func_array", False)]
COMMON_FP = [("User-Agent|3a| curl/", "|0d 0a|X-Evil|3a|"), ("Content-Type|3a| application/json", "|22|cmd|22 3a|"),
	     ("User-Agent|3a| python-requests/", "/etc/shadow"), ("Accept-Language|3a| en-US", "X-Forwarded-For|3a| 127.0.0.1"),
	     ("Server|3a| nginx/", "|0d 0a|Set-Cookie|3a| PHPSESSID=deleted"), ("Host|3a| api.shop.example", "/../../")]


def enc(b):
	"""Suricata content text for bytes: printable as is, the rest (and the
	characters content strings must escape) as |hex|."""
	out, hexrun = [], []
	for c in b:
		if 0x20 <= c < 0x7F and chr(c) not in '";|\\:':
			if hexrun:
				out.append("|" + " ".join("%02x" % x for x in hexrun) + "|")
				hexrun = []
			out.append(chr(c))
		else:
			hexrun.append(c)
	if hexrun:
		out.append("|" + " ".join("%02x" % x for x in hexrun) + "|")
	return "".join(out)


def dec(s):
	"""Inverse of enc for the literals written by hand above."""
	out, i = bytearray(), 0
	while i < len(s):
		if s[i] == "|":
			j = s.index("|", i + 1)
			out += bytes(int(x, 16) for x in s[i + 1:j].split())
			i = j + 1
		else:
			out += s[i].encode()
			i += 1
	return bytes(out)


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("outdir")
	ap.add_argument("--content", type=int, default=1000)
	ap.add_argument("--iprep", type=int, default=1200)
	ap.add_argument("--seed", type=int, default=7)
	a = ap.parse_args()
	r = random.Random(a.seed)
	os.makedirs(a.outdir, exist_ok=True)
	rules, lits = [], []
	seen = set()

	def suffix(n):
		return "".join(r.choice(ALNUM) for _ in range(n))

	def add(header, opts, fp, nocase, ct, msg):
		sid = 2100000 + len(rules)
		rules.append('%s (msg:"BENCH %s"; %s classtype:%s; sid:%d; rev:1;)' % (header, msg, opts, ct, sid))
		lits.append(("i" if nocase else "c", fp))

	http_hdr = r"alert tcp any any -> any $HTTP_PORTS"
	for lit, nocase in MATCHING:
		add(http_hdr, 'flow:established,to_server; content:"%s";%s' % (lit, " nocase;" if nocase else ""),
		    dec(lit), nocase, "web-application-attack", "marker %s" % lit.replace("|3a|", ":").replace("|3b|", "."))
	add("alert udp any any -> any 53", 'content:"|01 00 00 01|"; offset:2; depth:4; content:"|09|badcdn-c2|03|net|00|"; nocase; distance:0;',
	    b"\x09badcdn-c2\x03net\x00", True, "command-and-control", "DNS query badcdn-c2.net")
	for first, second in COMMON_FP:
		add(http_hdr, 'flow:established; content:"%s"; content:"%s"; distance:0;' % (first, second),
		    dec(first) if len(dec(first)) >= len(dec(second)) else dec(second), False, "bad-unknown", "common fp %s" % suffix(4))

	while len(rules) < a.content:
		kind = r.random()
		nocase = r.random() < 0.3
		nc = " nocase;" if nocase else ""
		ct = r.choice(CLASSTYPES)
		if kind < 0.55:
			# One literal: token + a distinguishing tail, 4-20 bytes.
			tok = r.choice(URI + SCRIPT + UA)
			lit = (tok + suffix(r.randrange(2, 7)))[:20].encode() if len(tok) < 18 else tok[:20].encode()
			if lit in seen:
				lit = lit[:14] + suffix(4).encode()
			seen.add(lit)
			hdr = http_hdr if tok in URI or tok in UA else r"alert tcp any any -> any any"
			flow = "flow:established,to_server; " if hdr == http_hdr else "flow:established; "
			add(hdr, '%scontent:"%s";%s' % (flow, enc(lit), nc), lit, nocase, ct, "single %s" % enc(lit[:12]).replace("|", ""))
		elif kind < 0.82:
			# Two literals: a URI piece then a parameter within a window; the longer is the fast pattern.
			a1 = (r.choice(URI) + suffix(r.randrange(3, 6))).encode()[:20]
			a2 = (r.choice(PARAM) + suffix(r.randrange(2, 5))).encode()[:20]
			fp_first = len(a1) >= len(a2)
			add(http_hdr, 'flow:established,to_server; content:"%s";%s%s content:"%s";%s distance:0; within:%d;'
			    % (enc(a1), nc, " fast_pattern;" if fp_first else "", enc(a2), nc, len(a2) + r.randrange(10, 200)),
			    a1 if fp_first else a2, nocase, ct, "uri+param %s" % suffix(6))
		elif kind < 0.95:
			# Binary at a fixed position (SMB, DCERPC, executables, DNS).
			b = r.choice(BIN) + bytes(r.randrange(256) for _ in range(r.randrange(1, 4)))
			off = r.choice((0, 0, 4, 8, 12))
			proto, port = r.choice((("tcp", "445"), ("tcp", "139"), ("tcp", "any"), ("udp", "53"), ("udp", "any")))
			add("alert %s any any -> any %s" % (proto, port),
			    'content:"%s"; offset:%d; depth:%d;' % (enc(b), off, len(b) + r.randrange(0, 16)), b, False, ct,
			    "binary %s" % suffix(6))
		else:
			# pcre anchored by a literal.
			tok = (r.choice(SCRIPT) + suffix(3)).encode()[:20]
			pat = r.choice([r"[a-z0-9]{8,}\.(php|asp|jsp)\?[a-z]+=", r"\x2f[a-f0-9]{32}\x2f", r"(cmd|exec|shell)=[^&]{4,}",
					r"^(GET|POST) \x2f[^ ]{200,}"])
			add(r"alert tcp any any -> any any", 'flow:established; content:"%s";%s pcre:"/%s/%s";'
			    % (enc(tok), nc, pat, "i" if nocase else ""), tok, nocase, ct, "pcre %s" % suffix(6))

	with open(os.path.join(a.outdir, "content.rules"), "w") as f:
		f.write("# %d benchmark content rules (bench/gen_rules.py, seed %d)\n" % (len(rules), a.seed))
		f.write("\n".join(rules) + "\n")
	with open(os.path.join(a.outdir, "literals.txt"), "w") as f:
		for flag, lit in lits:
			f.write("%s %s\n" % (flag, lit.hex()))

	# IP reputation: public-looking addresses, none in the traffic's server
	# ranges (gen_mix.SERVER_NETS) or in 10/8, except two listed on purpose.
	used = {int(n.split(".")[0]) for n in gen_mix.SERVER_NETS} | {10}
	firsts = [o for o in (2, 5, 31, 37, 45, 46, 62, 77, 78, 79, 80, 81, 82, 83, 85, 87, 89, 91, 92, 93, 94, 95, 103, 109,
			     176, 178, 185, 188, 193, 194, 195, 212, 213, 217) if o not in used]
	out = []
	for i in range(a.iprep):
		addrs = set()
		if i < len(gen_mix.LISTED_SERVERS):
			addrs.add(gen_mix.LISTED_SERVERS[i])
		while len(addrs) < 50:
			if r.random() < 0.1:
				addrs.add("%d.%d.%d.0/24" % (r.choice(firsts), r.randrange(256), r.randrange(256)))
			else:
				addrs.add("%d.%d.%d.%d" % (r.choice(firsts), r.randrange(256), r.randrange(256), r.randrange(1, 255)))
		out.append('alert ip [%s] any -> $HOME_NET any (msg:"BENCH REPUTATION list %d"; classtype:misc-attack; sid:%d; rev:1;)'
			   % (",".join(sorted(addrs)), i + 1, 2200000 + i))
	with open(os.path.join(a.outdir, "iprep.rules"), "w") as f:
		f.write("# %d benchmark IP-reputation rules of 50 addresses each (bench/gen_rules.py)\n" % a.iprep)
		f.write("\n".join(out) + "\n")
	print("%s: %d content rules, %d literals, %d IP-reputation rules" % (a.outdir, len(rules), len(lits), len(out)))
	return 0


if __name__ == "__main__":
	sys.exit(main())
