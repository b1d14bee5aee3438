#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one command and report its wall time and peak RSS (benchmark helper).

  measure.py LABEL CAPTURE -- COMMAND...

Prints one line: LABEL, elapsed seconds, Mbit/s and packets/s over CAPTURE's
wire bytes and packets, peak RSS (getrusage of the finished child: its
VmHWM), and the exit status.  Exit status is the command's.
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
	cmd = sys.argv[sys.argv.index("--") + 1:]
	pkts, wire = capture_totals(cap)
	t0 = time.monotonic()
	p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
	dt = time.monotonic() - t0
	rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
	print("%-34s %7.2f s %8.0f Mbit/s %10.0f pkt/s  peak RSS %6.0f MB  exit %d"
	      % (label, dt, wire * 8 / dt / 1e6, pkts / dt, rss_mb, p.returncode))
	if p.returncode != 0:
		sys.stderr.write(p.stderr[-2000:])
	return p.returncode


if __name__ == "__main__":
	sys.exit(main())
