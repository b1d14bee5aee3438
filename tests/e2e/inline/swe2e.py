#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for tests/e2e/inline/inline_e2e.sh (run with Debian's /usr/bin/python3,
which has scapy).

  server  --tcp-port P --udp-port Q --log FILE --seconds S
      TCP and UDP servers for the `legacy` namespace.  Every line / datagram
      received is appended to FILE ("tcp PEER DATA" / "udp PEER DATA") and
      answered with "ACK DATA".  Stops by itself after S seconds.
  tcp     --src A --dst B --port P --msg M [--msg M ...] [--wait-file F] [--timeout T]
      connect from A, send each message as a line and read its ACK line; with
      --wait-file, pause (bounded) after the first exchange until F exists.
      Then close cleanly (FIN both ways).  Prints one JSON object.
  udp     --src A --dst B --port P --msg M [--msg M ...] [--timeout T]
      one datagram per message, wait for its ACK.  Prints one JSON object.
  count   --pcap FILE
      exact per-flow packet and byte counts from a capture taken in the
      gateway (IP total length per packet, the unit NFQUEUE hands sidewall).
  check-flows --eve FILE --pcap FILE --flow PROTO:SRC:SPORT:DST:DPORT ...
      for each flow: exactly one final flow record for its 5-tuple (in either
      orientation) in eve.json, with packet and byte counts equal to the
      capture's.  Exit 1 on any mismatch.

Everything is bounded by timeouts; addresses are the test namespaces' only.
"""
import argparse
import errno
import json
import os
import socket
import struct
import sys
import threading
import time


def log_line(path, lock, text):
    with lock:
        with open(path, "a") as f:
            f.write(text + "\n")


def cmd_server(a):
    lock = threading.Lock()
    open(a.log, "a").close()
    deadline = time.time() + a.seconds

    def tcp_conn(c, peer):
        c.settimeout(1.0)
        buf = b""
        try:
            while time.time() < deadline:
                try:
                    d = c.recv(4096)
                except socket.timeout:
                    continue
                if not d:
                    break
                buf += d
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    log_line(a.log, lock, "tcp %s:%d %s" % (peer[0], peer[1], line.decode(errors="replace")))
                    c.sendall(b"ACK " + line + b"\n")
        except OSError as e:
            log_line(a.log, lock, "tcp %s:%d error %s" % (peer[0], peer[1], e))
        finally:
            c.close()

    def tcp_main():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", a.tcp_port))
        s.listen(64)
        s.settimeout(0.5)
        while time.time() < deadline:
            try:
                c, peer = s.accept()
            except socket.timeout:
                continue
            threading.Thread(target=tcp_conn, args=(c, peer), daemon=True).start()

    def udp_main():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", a.udp_port))
        s.settimeout(0.5)
        while time.time() < deadline:
            try:
                d, peer = s.recvfrom(4096)
            except socket.timeout:
                continue
            log_line(a.log, lock, "udp %s:%d %s" % (peer[0], peer[1], d.decode(errors="replace")))
            s.sendto(b"ACK " + d, peer)

    ts = [threading.Thread(target=tcp_main, daemon=True), threading.Thread(target=udp_main, daemon=True)]
    for t in ts:
        t.start()
    print("server ready", flush=True)
    for t in ts:
        t.join(a.seconds + 2)
    return 0


def err_name(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    return errno.errorcode.get(e.errno, str(e.errno)) if getattr(e, "errno", None) else type(e).__name__


def cmd_tcp(a):
    out = {"ok": False, "sport": 0, "replies": [], "error": None}
    t0 = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    buf = b""
    try:
        s.bind((a.src, 0))
        out["sport"] = s.getsockname()[1]
        s.connect((a.dst, a.port))
        for i, m in enumerate(a.msg):
            if i == 1 and a.wait_file:
                print(json.dumps({"established": True, "sport": out["sport"], "replies": out["replies"]}), flush=True)
                end = time.monotonic() + a.wait_max
                while not os.path.exists(a.wait_file):
                    if time.monotonic() > end:
                        raise TimeoutError("wait-file never appeared")
                    time.sleep(0.05)
            s.sendall(m.encode() + b"\n")
            while b"\n" not in buf:
                d = s.recv(4096)
                if not d:
                    raise ConnectionAbortedError(errno.ECONNABORTED, "closed by peer")
                buf += d
            line, buf = buf.split(b"\n", 1)
            out["replies"].append(line.decode(errors="replace"))
        # Clean close: our FIN, then wait (bounded) for the server's.
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        out["ok"] = True
    except (OSError, TimeoutError) as e:
        out["error"] = err_name(e)
        # Abort (RST, SO_LINGER 0) instead of a normal close: otherwise our
        # kernel keeps retransmitting the blocked data, and once sidewall
        # stops (bypass) a retransmission reaches the server long after the
        # test moved on.
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    finally:
        s.close()
    out["elapsed_ms"] = int((time.monotonic() - t0) * 1000)
    print(json.dumps(out), flush=True)
    return 0 if out["ok"] else 1


def cmd_udp(a):
    out = {"ok": False, "sport": 0, "replies": [], "error": None}
    t0 = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(a.timeout)
    try:
        s.bind((a.src, 0))
        out["sport"] = s.getsockname()[1]
        # Connected, so an ICMP port unreachable comes back as ECONNREFUSED.
        s.connect((a.dst, a.port))
        for m in a.msg:
            s.send(m.encode())
            d = s.recv(4096)
            out["replies"].append(d.decode(errors="replace"))
        out["ok"] = True
    except OSError as e:
        out["error"] = err_name(e)
    finally:
        s.close()
    out["elapsed_ms"] = int((time.monotonic() - t0) * 1000)
    print(json.dumps(out), flush=True)
    return 0 if out["ok"] else 1


def pcap_flows(path):
    """{(proto, cli, cport, srv, sport): {pkts_toserver, ...}} with the client
    being the sender of the flow's first packet (as sidewall decides for UDP,
    and the SYN sender for TCP)."""
    from scapy.all import IP, TCP, UDP, PcapReader
    flows = {}
    with PcapReader(path) as r:
        for pkt in r:
            if IP not in pkt:
                continue
            ip = pkt[IP]
            if TCP in ip:
                proto, l4 = "TCP", ip[TCP]
            elif UDP in ip:
                proto, l4 = "UDP", ip[UDP]
            else:
                continue
            fwd = (proto, ip.src, l4.sport, ip.dst, l4.dport)
            rev = (proto, ip.dst, l4.dport, ip.src, l4.sport)
            if rev in flows:
                flows[rev]["pkts_toclient"] += 1
                flows[rev]["bytes_toclient"] += ip.len
            else:
                f = flows.setdefault(fwd, {"pkts_toserver": 0, "pkts_toclient": 0,
                                           "bytes_toserver": 0, "bytes_toclient": 0})
                f["pkts_toserver"] += 1
                f["bytes_toserver"] += ip.len
    return flows


def cmd_count(a):
    for k, v in sorted(pcap_flows(a.pcap).items()):
        print("%s %s:%d -> %s:%d %s" % (k[0], k[1], k[2], k[3], k[4], json.dumps(v)))
    return 0


FINAL_REASONS = {"timeout", "forced", "shutdown"}


def eve_records(path, etype=None):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if etype is None or r.get("event_type") == etype:
                out.append(r)
    return out


def cmd_check_flows(a):
    pc = pcap_flows(a.pcap)
    recs = [r for r in eve_records(a.eve, "flow") if r.get("flow", {}).get("reason") in FINAL_REASONS]
    bad = 0
    for spec in a.flow:
        proto, src, sport, dst, dport = spec.split(":")
        key = (proto.upper(), src, int(sport), dst, int(dport))
        want = pc.get(key)
        same = [r for r in recs if r.get("proto") == key[0] and
                {(r.get("src_ip"), r.get("src_port")), (r.get("dest_ip"), r.get("dest_port"))} ==
                {(key[1], key[2]), (key[3], key[4])}]
        name = "%s %s:%s -> %s:%s" % key
        if want is None:
            print("  FAIL %s: not in the gateway capture" % name)
            bad += 1
            continue
        if len(same) != 1:
            print("  FAIL %s: %d final flow records (want exactly 1): %s" % (name, len(same), json.dumps(same)))
            bad += 1
            continue
        r = same[0]
        got = {k: r["flow"].get(k) for k in want}
        orient_ok = (r.get("src_ip"), r.get("src_port")) == (key[1], key[2])
        if got != want or not orient_ok:
            print("  FAIL %s: eve %s (client %s:%s) vs capture %s" %
                  (name, json.dumps(got), r.get("src_ip"), r.get("src_port"), json.dumps(want)))
            bad += 1
        else:
            print("  ok   %s: %s reason=%s" % (name, json.dumps(got), r["flow"].get("reason")))
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--tcp-port", type=int, required=True)
    s.add_argument("--udp-port", type=int, required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--seconds", type=float, default=300)
    for name in ("tcp", "udp"):
        c = sub.add_parser(name)
        c.add_argument("--src", required=True)
        c.add_argument("--dst", required=True)
        c.add_argument("--port", type=int, required=True)
        c.add_argument("--msg", action="append", required=True)
        c.add_argument("--timeout", type=float, default=3.0)
        c.add_argument("--wait-file")
        c.add_argument("--wait-max", type=float, default=30.0)
    c = sub.add_parser("count")
    c.add_argument("--pcap", required=True)
    c = sub.add_parser("check-flows")
    c.add_argument("--eve", required=True)
    c.add_argument("--pcap", required=True)
    c.add_argument("--flow", action="append", default=[])
    a = p.parse_args()
    return {"server": cmd_server, "tcp": cmd_tcp, "udp": cmd_udp, "count": cmd_count,
            "check-flows": cmd_check_flows}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
