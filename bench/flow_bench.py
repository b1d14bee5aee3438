#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Flow-logging benchmark helpers (issue 5, not a test); bench/flow_bench.sh drives them.

  flow_bench.py gen-concurrent OUT.pcap N
      N TCP sessions all open at once: every handshake first, then one
      100-byte request and a 300-byte answer per session, then every FIN
      teardown.  Peak concurrently active flows = N (all within the default
      timeouts: the capture spans 37 us per packet).
  flow_bench.py run LABEL CAPTURE --sidewall BIN --rules R [--threads T] [--repeat K] [--logdir D] [--config C]
      [--startup TINY.pcap]
      runs `sidewall -r CAPTURE -S R --threads T -l D` K times and prints the
      best wall time, packets/s, flows/s (flow records written / time), the
      number of flow records and the peak RSS (VmHWM, from wait4's rusage of
      that run alone); with --startup, also the rates net of the best time
      of the same command on TINY.pcap (startup and exit).
"""
import os
import random
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_mix import Writer, mac  # noqa: E402  (same pcap writer as the mix capture)


def gen_concurrent(out, n):
	w = Writer(out)
	r = random.Random(n)
	sessions = []
	for i in range(n):
		cli = bytes([10, 8 + (i >> 16), (i >> 8) & 0xFF, i & 0xFF])
		srv = bytes([23, 45, r.randrange(0, 64), r.randrange(1, 255)])
		sessions.append([cli, srv, 20000 + i % 40000, r.choice((80, 443, 8080)), r.randrange(1 << 32), r.randrange(1 << 32)])

	def seg(s, to_server, flags, data=b""):
		cli, srv, sp, dp = s[0], s[1], s[2], s[3]
		i = 4 if to_server else 5
		src, dst = (cli, srv) if to_server else (srv, cli)
		a, b = (sp, dp) if to_server else (dp, sp)
		ack = s[9 - i] if flags & 0x10 else 0
		hdr = struct.pack("!HHIIBBHHH", a, b, s[i], ack, 0x50, flags, 64240, 0, 0)
		w.packet(mac(cli) if to_server else mac(srv), mac(srv) if to_server else mac(cli), src, dst, 6, hdr + data)
		s[i] = (s[i] + len(data) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

	for s in sessions:
		seg(s, True, 0x02)
		seg(s, False, 0x12)
		seg(s, True, 0x10)
	for s in sessions:
		seg(s, True, 0x18, b"q" * 100)
		seg(s, False, 0x18, b"a" * 300)
	for s in sessions:
		seg(s, True, 0x11)
		seg(s, False, 0x11)
		seg(s, True, 0x10)
	w.close()
	print("%s: %d sessions, %d packets, %.1f MB" % (out, n, w.pkts, w.bytes / 1e6))


def capture_packets(path):
	pkts = 0
	with open(path, "rb") as f:
		magic = f.read(24)[:4]
		e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
		while True:
			h = f.read(16)
			if len(h) < 16:
				break
			incl = struct.unpack(e + "IIII", h)[2]
			f.seek(incl, 1)
			pkts += 1
	return pkts


def timed(sw, cap, rules, threads, logdir, opt):
	cfg = ["-c", opt["--config"]] if "--config" in opt else []
	t0 = time.monotonic()
	subprocess.run([sw, "-r", cap, "-S", rules, "--threads", threads, "-l", logdir + "-startup"] + cfg,
		       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
	return time.monotonic() - t0


def run(argv):
	label, cap = argv[0], argv[1]
	opt = dict(zip(argv[2::2], argv[3::2]))
	sw, rules = opt["--sidewall"], opt["--rules"]
	threads, repeat = opt.get("--threads", "1"), int(opt.get("--repeat", "3"))
	logdir = opt.get("--logdir", "/tmp/flow-bench-log")
	os.makedirs(logdir, exist_ok=True)
	os.makedirs(logdir + "-startup", exist_ok=True)
	pkts = capture_packets(cap)
	best = None
	if "--startup" in opt:
		# Startup (rules, tables) measured on a tiny capture, subtracted below.
		st = min(timed(sw, opt["--startup"], rules, threads, logdir, opt) for _ in range(repeat))
	for _ in range(repeat):
		eve = os.path.join(logdir, "eve.json")
		if os.path.exists(eve):
			os.unlink(eve)
		t0 = time.monotonic()
		cfg = ["-c", opt["--config"]] if "--config" in opt else []
		p = subprocess.Popen([sw, "-r", cap, "-S", rules, "--threads", threads, "-l", logdir] + cfg,
				     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
		_, status, ru = os.wait4(p.pid, 0)
		dt = time.monotonic() - t0
		err = p.stderr.read().decode(errors="replace")
		p.returncode = os.waitstatus_to_exitcode(status)
		if p.returncode != 0:
			print("%-28s failed: exit %d: %s" % (label, p.returncode, err.strip()[-300:]))
			return 1
		flows = 0
		with open(eve, "rb") as f:
			for line in f:
				if b'"event_type":"flow"' in line:
					flows += 1
		hwm = ru.ru_maxrss / 1024.0
		if best is None or dt < best[0]:
			best = (dt, flows, hwm)
	dt, flows, hwm = best
	net = ""
	if "--startup" in opt and dt - st > 0.01:
		net = "  net of %.2f s startup: %.0f pkt/s %.0f flows/s" % (st, pkts / (dt - st), flows / (dt - st))
	print("%-28s %7.2f s %9.0f pkt/s %8.0f flows/s  flows %d  packets %d  VmHWM %.1f MB%s" %
	      (label, dt, pkts / dt, flows / dt, flows, pkts, hwm, net), flush=True)
	return 0


def main():
	if len(sys.argv) >= 4 and sys.argv[1] == "gen-concurrent":
		gen_concurrent(sys.argv[2], int(sys.argv[3]))
		return 0
	if len(sys.argv) >= 4 and sys.argv[1] == "run":
		return run(sys.argv[2:])
	sys.stderr.write(__doc__)
	return 2


if __name__ == "__main__":
	sys.exit(main())
