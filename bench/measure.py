#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one command and report its wall time and peak RSS (benchmark helper).

  measure.py LABEL CAPTURE [--repeat N] [--startup TINY.pcap] [--logdir DIR] -- COMMAND...

Runs COMMAND N times (best run counts: the machine is shared) and prints one
line: LABEL, elapsed seconds of the whole run, Mbit/s and packets/s over
CAPTURE's wire bytes and packets, the same net of startup (the best of N runs
of COMMAND with CAPTURE replaced by TINY.pcap: rule loading and Hyperscan
compilation; its output goes to DIR-startup), peak RSS (getrusage of the finished children: their VmHWM), and
the exit status.  DIR/eve.json is removed before each run (sidewall appends,
as Suricata does).  Exit status is the command's.
"""
import os
import resource
import struct
import subprocess
import sys
import time


def capture_totals(path):
	"""(packets, wire bytes) of a classic pcap, from the record headers; cached
	next to the capture."""
	cache = path + ".totals"
	if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(path):
		p, b = open(cache).read().split()
		return int(p), int(b)
	pkts = wire = 0
	with open(path, "rb") as f:
		magic = f.read(24)[:4]
		endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
		while True:
			h = f.read(16)
			if len(h) < 16:
				break
			_, _, incl, orig = struct.unpack(endian + "IIII", h)
			f.seek(incl, 1)
			pkts += 1
			wire += orig
	with open(cache, "w") as c:
		c.write("%d %d\n" % (pkts, wire))
	return pkts, wire


def main():
	label, cap = sys.argv[1], sys.argv[2]
	opts = sys.argv[3:sys.argv.index("--")]
	cmd = sys.argv[sys.argv.index("--") + 1:]
	repeat = int(opts[opts.index("--repeat") + 1]) if "--repeat" in opts else 1
	tiny = opts[opts.index("--startup") + 1] if "--startup" in opts else None
	logdir = opts[opts.index("--logdir") + 1] if "--logdir" in opts else None
	pkts, wire = capture_totals(cap)

	def best(c, d):
		dt = None
		for _ in range(repeat):
			if d and os.path.exists(os.path.join(d, "eve.json")):
				os.unlink(os.path.join(d, "eve.json"))
			t0 = time.monotonic()
			p = subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
			t = time.monotonic() - t0
			if p.returncode != 0:
				sys.stderr.write(p.stderr[-2000:])
				return None, p.returncode
			dt = t if dt is None else min(dt, t)
		return dt, 0

	dt, rc = best(cmd, logdir)
	rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
	if rc:
		print("%-34s failed: exit %d" % (label, rc))
		return rc
	line = "%-30s %6.2f s %6.0f Mbit/s %8.0f pkt/s" % (label, dt, wire * 8 / dt / 1e6, pkts / dt)
	if tiny:
		if logdir:
			os.makedirs(logdir + "-startup", exist_ok=True)
		st, rc = best([tiny if a == cap else (logdir + "-startup" if a == logdir else a) for a in cmd],
			      logdir and logdir + "-startup")
		if rc:
			return rc
		net = max(dt - st, 1e-6)
		line += " | startup %5.2f s, net %6.0f Mbit/s %8.0f pkt/s" % (st, wire * 8 / net / 1e6, pkts / net)
	print(line + " | peak RSS %4.0f MB" % rss_mb)
	return 0


if __name__ == "__main__":
	sys.exit(main())
