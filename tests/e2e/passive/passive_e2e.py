#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Passive tap end-to-end test (issue 5).  Needs root; exits 77 without it.

  passive_e2e.py --sidewall BIN --src REPO [--schema eve-schema.json] [--keep]

Three namespaces made here (names end in this process's PID):
  a   eth0 10.77.0.1/24 fd77::1/64 (and raw VLAN-100 frames from 10.78.0.1)
  b   eth0 10.77.0.2/24 fd77::2/64
  tap bridge br0 with ports va (to a) and vb (to b); sidewall and tcpdump
      both capture on va, which every a<->b frame crosses exactly once.

Scripted traffic: TCP sessions of known sizes both ways with a clean FIN
close (IPv4, IPv6), UDP exchanges (v4, v6, one-way VLAN-tagged), ICMP and ICMPv6
echo, one slow TCP connection (a few bytes every second for ~8 s) and, at the
end, connections still sending when sidewall gets SIGTERM.  The expected
per-flow counts come from tcpdump's capture (frames and wire frame lengths per
5-tuple, counted here with scapy), never from sidewall itself.

The same file is also the traffic helper run inside the namespaces:
  passive_e2e.py server --seconds S
  passive_e2e.py tcp --dst ADDR --send N --reply M [--marker]
  passive_e2e.py slow --dst ADDR --secs S
  passive_e2e.py udp --dst ADDR --sizes 10,20,...
  passive_e2e.py vlan --count N
  passive_e2e.py ping --dst ADDR --count N
  passive_e2e.py hold --dst ADDR --until FILE --max S     (TCP and UDP)
"""
import argparse
import base64
import datetime
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TCP_PORT = 5001
UDP_PORT = 5002
MARKER = b"PASSIVE-E2E-MARKER-7f3a"
SID = 5500001

# ------------------------------------------------------------------ helpers
# (run inside namespace a or b)


def cmd_server(a):
    deadline = time.time() + a.seconds

    def conn(c):
        c.settimeout(1.0)
        hdr = b""
        try:
            # First line: how many bytes to answer once the client's FIN arrives.
            while b"\n" not in hdr and time.time() < deadline:
                try:
                    d = c.recv(1)
                except socket.timeout:
                    continue
                if not d:
                    return
                hdr += d
            reply = int(hdr.strip() or b"0")
            while time.time() < deadline:
                try:
                    d = c.recv(65536)
                except socket.timeout:
                    continue
                if not d:
                    break
            c.sendall(b"r" * reply)
            c.shutdown(socket.SHUT_WR)
            while time.time() < deadline:
                try:
                    if not c.recv(4096):
                        break
                except socket.timeout:
                    continue
        except OSError:
            pass
        finally:
            c.close()

    def tcp_main():
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", TCP_PORT))
        s.listen(64)
        s.settimeout(0.5)
        while time.time() < deadline:
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            threading.Thread(target=conn, args=(c,), daemon=True).start()

    def udp_main():
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", UDP_PORT))
        s.settimeout(0.5)
        while time.time() < deadline:
            try:
                d, peer = s.recvfrom(65536)
            except socket.timeout:
                continue
            s.sendto(b"u" * (len(d) // 2 + 1), peer)

    ts = [threading.Thread(target=tcp_main, daemon=True), threading.Thread(target=udp_main, daemon=True)]
    for t in ts:
        t.start()
    print("ready", flush=True)
    for t in ts:
        t.join(a.seconds + 2)
    return 0


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_connect(dst):
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((dst, TCP_PORT))
    return s


def tcp_finish(s):
    """Our FIN, then read the reply to the server's FIN (bounded by the timeout)."""
    s.shutdown(socket.SHUT_WR)
    got = 0
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
    s.close()
    return got


def cmd_tcp(a):
    s = tcp_connect(a.dst)
    sport = s.getsockname()[1]
    body = b"x" * a.send
    if a.marker:
        body = MARKER + body[len(MARKER):]
    s.sendall(b"%d\n" % a.reply + body)
    got = tcp_finish(s)
    print(json.dumps({"sport": sport, "got": got}), flush=True)
    return 0 if got == a.reply else 1


def cmd_slow(a):
    s = tcp_connect(a.dst)
    sport = s.getsockname()[1]
    print(json.dumps({"sport": sport}), flush=True)
    s.sendall(b"5\n")
    end = time.monotonic() + a.secs
    while time.monotonic() < end:
        s.sendall(b"tick\n")
        time.sleep(1.0)
    got = tcp_finish(s)
    print(json.dumps({"sport": sport, "got": got}), flush=True)
    return 0


def cmd_udp(a):
    s = socket.socket(family(a.dst), socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((a.dst, UDP_PORT))
    for n in a.sizes.split(","):
        s.send(b"d" * int(n))
        s.recv(65536)
    print(json.dumps({"sport": s.getsockname()[1]}), flush=True)
    s.close()
    return 0


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def cmd_ping(a):
    """ICMP / ICMPv6 echo over a raw socket (no ping binary needed)."""
    v6 = ":" in a.dst
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    s.settimeout(1.0)
    ident = os.getpid() & 0xffff
    ok = 0
    for seq in range(1, a.count + 1):
        payload = b"p" * 32
        typ = 128 if v6 else 8
        hdr = struct.pack("!BBHHH", typ, 0, 0, ident, seq)
        if not v6:  # the kernel fills in the ICMPv6 checksum
            hdr = struct.pack("!BBHHH", typ, 0, csum(hdr + payload), ident, seq)
        s.sendto(hdr + payload, (a.dst, 0))
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            try:
                d = s.recv(2048)
            except socket.timeout:
                break
            icmp = d if v6 else d[(d[0] & 0xf) * 4:]
            if icmp[0] == (129 if v6 else 0) and struct.unpack("!HH", icmp[4:8]) == (ident, seq):
                ok += 1
                break
        time.sleep(0.2)
    print(json.dumps({"replies": ok}), flush=True)
    return 0 if ok == a.count else 1


def cmd_vlan(a):
    """VLAN-100-tagged UDP frames 10.78.0.1 -> 10.78.0.2 written on eth0 with
    a packet socket, sizes 60.. bytes of payload (one-way: nobody answers)."""
    from scapy.all import Ether, Dot1Q, IP, UDP, Raw, get_if_hwaddr
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("eth0", 0))
    src = get_if_hwaddr("eth0")
    for i in range(a.count):
        f = Ether(src=src, dst="02:00:00:00:00:02") / Dot1Q(vlan=100) / \
            IP(src="10.78.0.1", dst="10.78.0.2") / UDP(sport=40100, dport=UDP_PORT) / Raw(b"v" * (60 + 100 * i))
        s.send(bytes(f))
        time.sleep(0.05)
    print(json.dumps({"sport": 40100}), flush=True)
    return 0


def cmd_hold(a):
    """A TCP connection and a UDP socket that keep sending every 100 ms until
    FILE exists (bounded by --max): flows open while sidewall is stopped."""
    t = tcp_connect(a.dst)
    t.sendall(b"0\n")
    u = socket.socket(family(a.dst), socket.SOCK_DGRAM)
    u.connect((a.dst, UDP_PORT))
    u.settimeout(0.05)
    print(json.dumps({"tcp": t.getsockname()[1], "udp": u.getsockname()[1]}), flush=True)
    end = time.monotonic() + a.max
    while not os.path.exists(a.until) and time.monotonic() < end:
        t.sendall(b"h" * 10)
        u.send(b"h" * 10)
        try:
            u.recv(100)
        except OSError:
            pass
        time.sleep(0.1)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    t.close()
    u.close()
    return 0


# ------------------------------------------------------------------ checks

passed = 0
failed = 0


def check(name, ok, expected=None, got=None):
    global passed, failed
    if ok:
        passed += 1
        print("PASS %s" % name)
    else:
        failed += 1
        print("FAIL %s: expected %s, got %s" % (name, expected, got))
    sys.stdout.flush()
    return ok


def norm(addr):
    return str(ipaddress.ip_address(addr))


def pcap_flows(path, before=None):
    """{key: counts} from a capture.  key = (proto, cli, cport, srv, sport,
    vlan) with ports 0 for ICMP; the client is the sender of a SYN without ACK
    for TCP, else of the first packet (sidewall's and Suricata's rule)."""
    from scapy.all import IP, IPv6, TCP, UDP, Dot1Q, PcapReader
    flows = {}
    with PcapReader(path) as r:
        for pkt in r:
            ts = float(pkt.time)
            if before is not None and ts >= before:
                continue
            if IP in pkt:
                ip = pkt[IP]
                proto = ip.proto
            elif IPv6 in pkt:
                ip = pkt[IPv6]
                proto = ip.nh
                # Walk extension headers (MLD comes after hop-by-hop).
                l = ip.payload
                while l is not None and l.__class__.__name__.startswith("IPv6ExtHdr"):
                    proto = l.nh
                    l = l.payload
            else:
                continue
            vlan = pkt[Dot1Q].vlan if Dot1Q in pkt else None
            sport = dport = 0
            syn = False
            if TCP in ip:
                sport, dport = ip[TCP].sport, ip[TCP].dport
                syn = (int(ip[TCP].flags) & 0x12) == 0x02
                proto = 6
            elif UDP in ip:
                sport, dport = ip[UDP].sport, ip[UDP].dport
                proto = 17
            src, dst = norm(ip.src), norm(ip.dst)
            fwd = (proto, src, sport, dst, dport, vlan)
            rev = (proto, dst, dport, src, sport, vlan)
            wl = getattr(pkt, "wirelen", None) or len(pkt)
            if rev in flows:
                f = flows[rev]
                f["pkts_toclient"] += 1
                f["bytes_toclient"] += wl
                continue
            f = flows.setdefault(fwd, {"pkts_toserver": 0, "pkts_toclient": 0,
                                       "bytes_toserver": 0, "bytes_toclient": 0, "first": ts})
            f["pkts_toserver"] += 1
            f["bytes_toserver"] += wl
    return flows


def rec_key(e):
    vl = e.get("vlan")
    return (e.get("proto_num"), norm(e["src_ip"]), e.get("src_port", 0), norm(e["dest_ip"]),
            e.get("dest_port", 0), vl[0] if vl else None)


# EVE's protocol names (Suricata's, IANA keywords) -> numbers; upper case.
# The kernel's own IGMP reports on the test link give IGMP flows.
PROTO_NUM = {"TCP": 6, "UDP": 17, "ICMP": 1, "IPV6-ICMP": 58, "ICMPV6": 58, "IGMP": 2, "IP-IN-IP": 4,
             "IPV6": 41, "GRE": 47, "ESP": 50, "AH": 51, "OSPF": 89, "PIM": 103, "VRRP": 112, "L2TP": 115,
             "SCTP": 132, "UDPLITE": 136, "MPLS-IN-IP": 137}


# Community ID spec: ICMP types with a counterpart (request/reply) hash as one
# two-way flow, with the counterpart type in the "destination port".
ICMP4_PAIRS = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17, 10: 9, 9: 10}
ICMP6_PAIRS = {128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130,
               144: 145, 145: 144}


def community_id(proto, sip, sport, dip, dport):
    """Community ID v1 (seed 0), computed here independently of sidewall.
    For ICMP/ICMPv6 sport is the type and dport the code."""
    a, b = ipaddress.ip_address(sip), ipaddress.ip_address(dip)
    one_way = False
    if proto in (1, 58):
        pairs = ICMP4_PAIRS if proto == 1 else ICMP6_PAIRS
        if sport in pairs:
            dport = pairs[sport]
        else:
            one_way = True
    if not one_way and (a.packed, sport) > (b.packed, dport):
        a, b, sport, dport = b, a, dport, sport
    data = struct.pack("!H", 0) + a.packed + b.packed + struct.pack("!BBHH", proto, 0, sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


COUNTERS = ("pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient")


# ------------------------------------------------------------------ orchestration

def sh(*args, check_rc=True, timeout=15):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check_rc and r.returncode != 0:
        raise RuntimeError("%s: rc %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r


class Topo:
    def __init__(self):
        pid = os.getpid()
        self.a, self.b, self.tap = "swpa%d" % pid, "swpb%d" % pid, "swpt%d" % pid
        self.made = []

    def up(self):
        for ns in (self.a, self.b, self.tap):
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
        t = self.tap
        sh("ip", "netns", "exec", t, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        sh("ip", "netns", "exec", t, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        sh("ip", "-n", t, "link", "add", "br0", "type", "bridge")
        for port, ns, last in (("va", self.a, 1), ("vb", self.b, 2)):
            sh("ip", "-n", t, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", t, "link", "set", port, "master", "br0")
            sh("ip", "-n", t, "link", "set", port, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "addr", "add", "10.77.0.%d/24" % last, "dev", "eth0")
            sh("ip", "-n", ns, "addr", "add", "fd77::%d/64" % last, "dev", "eth0", "nodad")
        sh("ip", "-n", t, "link", "set", "br0", "up")
        # Resolve neighbours now, so ARP/ND do not race the captures' start.
        here = os.path.abspath(__file__)
        for dst in ("10.77.0.2", "fd77::2"):
            sh("ip", "netns", "exec", self.a, sys.executable, here, "ping", "--dst", dst, "--count", "1",
               check_rc=False)

    def down(self):
        for ns in self.made:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def wait_for(pred, secs, step=0.05):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def read_eve(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.endswith("\n"):
                    out.append(line)
    return out


def phase2(a, topo, work, client, rules):
    """Command-line capture (-i, --bpf, no config), SIGHUP reload while
    capturing, SIGINT: only the filter's flows, each in one final record
    (shutdown) with the capture's counts, and the reloaded rules alert."""
    print("-- phase 2: -i va --bpf 'tcp port %d', SIGHUP, SIGINT" % TCP_PORT)
    logdir = os.path.join(work, "log2")
    os.mkdir(logdir)
    bpf = "tcp port %d" % TCP_PORT
    # Own copy of the rules: the reload adds one (sid SID+1, on the
    # server's answer) that only the session after SIGHUP can raise.
    rules2 = os.path.join(work, "phase2.rules")
    shutil.copy(rules, rules2)
    rules = rules2
    serr = open(os.path.join(work, "sidewall2.stderr"), "w+")
    sw = subprocess.Popen(["ip", "netns", "exec", topo.tap, a.sidewall, "-i", "va", "--bpf", bpf, "-k", "none",
                           "-S", rules, "-l", logdir], stdout=serr, stderr=serr)
    pcap = os.path.join(work, "va2.pcap")
    td = None
    try:
        def err():
            serr.flush()
            with open(serr.name) as f:
                return f.read()
        if not check("phase 2: sidewall -i va --bpf starts", wait_for(lambda: "capturing on" in err(), 15),
                     "capturing on", err()[-300:]):
            return
        terr = open(os.path.join(work, "tcpdump2.stderr"), "w+")
        td = subprocess.Popen(["ip", "netns", "exec", topo.tap, "tcpdump", "-i", "va", "-n", "-s", "65535", "-U",
                               "--immediate-mode", "-w", pcap, bpf], stdout=subprocess.DEVNULL, stderr=terr)
        wait_for(lambda: "listening on" in open(terr.name).read(), 10)
        r1 = client("tcp", "--dst", "10.77.0.2", "--send", "1500", "--reply", "1500")
        with open(rules2, "a") as f:
            f.write('alert tcp any %d -> any any (msg:"passive e2e reload"; flow:established,to_client; '
                    'content:"rrrrrrrrrrrrrrrr"; sid:%d; rev:1;)\n' % (TCP_PORT, SID + 1))
        sw.send_signal(signal.SIGHUP)
        check("phase 2: SIGHUP reload completes while capturing",
              wait_for(lambda: "new ruleset active" in err(), 15), "new ruleset active", err()[-300:])
        r2 = client("tcp", "--dst", "fd77::2", "--send", "64", "--reply", "4000", "--marker")
        client("udp", "--dst", "10.77.0.2", "--sizes", "100")
        time.sleep(0.3)
        sw.send_signal(signal.SIGINT)
        try:
            rc = sw.wait(timeout=15)
        except subprocess.TimeoutExpired:
            sw.kill()
            rc = "hung"
        check("phase 2: sidewall exits 0 on SIGINT", rc == 0, 0, rc)
        td.send_signal(signal.SIGINT)
        td.wait(timeout=10)
        events = [json.loads(x) for x in read_eve(os.path.join(logdir, "eve.json"))]
        for e in events:
            pr = str(e.get("proto", ""))
            e["proto_num"] = int(pr) if pr.isdigit() else PROTO_NUM.get(pr.upper(), pr)
        flows = [e for e in events if e.get("event_type") == "flow"]
        exp = pcap_flows(pcap)
        got = {}
        for e in flows:
            got.setdefault(rec_key(e), []).append(e)
        keys = {(6, "10.77.0.1", r1.get("sport"), "10.77.0.2", TCP_PORT, None),
                (6, "fd77::1", r2.get("sport"), "fd77::2", TCP_PORT, None)}
        check("phase 2: flow records are exactly the filter's two sessions", set(got) == keys == set(exp),
              sorted(keys, key=str), sorted(got, key=str))
        for k in keys & set(got) & set(exp):
            recs = got[k]
            want = {c: exp[k][c] for c in COUNTERS}
            have = {c: recs[0]["flow"][c] for c in COUNTERS}
            check("phase 2: %s:%s one final record (reason shutdown), counts equal the capture" % (k[1], k[2]),
                  len(recs) == 1 and recs[0]["flow"]["reason"] == "shutdown" and want == have,
                  ("1 record", "shutdown", want), (len(recs), recs[0]["flow"]["reason"], have))
        al = [e for e in events if e.get("event_type") == "alert" and e["alert"].get("signature_id") == SID]
        check("phase 2: the reloaded rules alert on the session after SIGHUP",
              len(al) == 1 and al[0].get("src_port") == r2.get("sport"), 1,
              [(e.get("src_ip"), e.get("src_port")) for e in al])
        al = [e for e in events if e.get("event_type") == "alert" and e["alert"].get("signature_id") == SID + 1]
        check("phase 2: the rule added before SIGHUP alerts only on the session after it",
              len(al) >= 1 and {(e.get("src_port"), e.get("dest_port")) for e in al} == {(TCP_PORT, r2.get("sport"))},
              ">= 1 on %d -> %s" % (TCP_PORT, r2.get("sport")), [(e.get("src_port"), e.get("dest_port")) for e in al])
    finally:
        for p in (sw, td):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(timeout=5)


def run(a):
    here = os.path.abspath(__file__)
    py = sys.executable or "/usr/bin/python3"
    work = tempfile.mkdtemp(prefix="sw-passive-")
    topo = Topo()
    procs = []
    try:
        topo.up()
        logdir = os.path.join(work, "log")
        os.mkdir(logdir)
        cfg = os.path.join(work, "passive.yaml")
        with open(cfg, "w") as f:
            f.write("""%YAML 1.1
---
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types: [alert, flow, stats]
threading:
  worker-threads: 2
# veth offloads checksums: the captured frames carry partial ones.
checksum-validation: no
stats:
  interval: 1
flow:
  interim-interval: 2
flow-timeouts:
  default: {new: 3, established: 3}
  tcp: {new: 5, established: 5, closed: 2}
  udp: {new: 3, established: 3}
  icmp: {new: 3, established: 3}
capture:
  pcap:
    interfaces: [va]
    snaplen: 65535
    promisc: yes
    buffer-size: 4mb
""")
        rules = os.path.join(a.src, "tests/e2e/passive/passive.rules")
        eve = os.path.join(logdir, "eve.json")
        serr = open(os.path.join(work, "sidewall.stderr"), "w+")
        sw = subprocess.Popen(["ip", "netns", "exec", topo.tap, a.sidewall, "-c", cfg, "-S", rules, "-l", logdir],
                              stdout=serr, stderr=serr)
        procs.append(sw)

        def sw_err():
            serr.flush()
            with open(serr.name) as f:
                return f.read()
        if not check("sidewall starts capturing on va", wait_for(lambda: "capturing on" in sw_err(), 15),
                     "'capturing on' on stderr", sw_err().strip()[-300:]):
            return
        pcap = os.path.join(work, "va.pcap")
        terr = open(os.path.join(work, "tcpdump.stderr"), "w+")
        td = subprocess.Popen(["ip", "netns", "exec", topo.tap, "tcpdump", "-i", "va", "-n", "-s", "65535", "-U",
                               "--immediate-mode",
                               "-w", pcap], stdout=subprocess.DEVNULL, stderr=terr)
        procs.append(td)

        def td_err():
            terr.flush()
            with open(terr.name) as f:
                return f.read()
        if not check("tcpdump starts on va", wait_for(lambda: "listening on" in td_err(), 10), "listening", td_err()):
            return
        # sidewall starts capturing before tcpdump does: a kernel packet in
        # between (an MLD report on link-up, say) is rightly counted by
        # sidewall and absent from the capture.  Taken after the message,
        # so it is later than tcpdump's real start: conservative.
        t_listen = time.time()
        srv = subprocess.Popen(["ip", "netns", "exec", topo.b, py, here, "server", "--seconds", "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(srv)
        srv.stdout.readline()

        def client(*args, timeout=15):
            r = subprocess.run(["ip", "netns", "exec", topo.a, py, here] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=timeout)
            if r.returncode != 0:
                print("client %s failed: %s %s" % (args, r.stdout, r.stderr))
            return json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}

        # Slow connection first: it runs ~8 s beside everything else.
        slow = subprocess.Popen(["ip", "netns", "exec", topo.a, py, here, "slow", "--dst", "10.77.0.2",
                                 "--secs", "8"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(slow)
        slow_sport = json.loads(slow.stdout.readline())["sport"]
        scripted = []   # (label, proto, cli, cport, srv, sport, vlan)
        for label, dst, send, reply, marker, vlan in (
                ("tcp4 100/2000", "10.77.0.2", 100, 2000, True, None),
                ("tcp4 5000/10", "10.77.0.2", 5000, 10, False, None),
                ("tcp4 1/70000", "10.77.0.2", 1, 70000, False, None),
                ("tcp6 3000/3000", "fd77::2", 3000, 3000, False, None),
                ("tcp6 20/40000", "fd77::2", 20, 40000, False, None)):
            r = client("tcp", "--dst", dst, "--send", str(send), "--reply", str(reply), *(["--marker"] if marker else []))
            src = {"10.77.0.2": "10.77.0.1", "fd77::2": "fd77::1", "10.78.0.2": "10.78.0.1"}[dst]
            scripted.append((label, 6, src, r.get("sport", -1), dst, TCP_PORT, vlan))
            if marker:
                alert_key = (6, src, r.get("sport", -1), dst, TCP_PORT, vlan)
        for label, dst, sizes in (("udp4 3 exchanges", "10.77.0.2", "10,200,1400"),
                                  ("udp6 2 exchanges", "fd77::2", "64,512")):
            r = client("udp", "--dst", dst, "--sizes", sizes)
            src = {"10.77.0.2": "10.77.0.1", "fd77::2": "fd77::1", "10.78.0.2": "10.78.0.1"}[dst]
            scripted.append((label, 17, src, r.get("sport", -1), dst, UDP_PORT, 100 if dst == "10.78.0.2" else None))
        # VLAN 100: the container may lack 8021q, so frames are written raw.
        r = client("vlan", "--count", "4")
        scripted.append(("udp4 vlan100 one-way", 17, "10.78.0.1", r.get("sport", -1), "10.78.0.2", UDP_PORT, 100))
        r = client("ping", "--dst", "10.77.0.2", "--count", "3")
        check("icmp echo answered", r.get("replies") == 3, 3, r.get("replies"))
        scripted.append(("icmp echo", 1, "10.77.0.1", 0, "10.77.0.2", 0, None))
        r = client("ping", "--dst", "fd77::2", "--count", "3")
        check("icmpv6 echo answered", r.get("replies") == 3, 3, r.get("replies"))
        scripted.append(("icmpv6 echo", 58, "fd77::1", 0, "fd77::2", 0, None))

        # Flows still open (and sending) when sidewall gets SIGTERM.
        stopfile = os.path.join(work, "stop")
        hold = subprocess.Popen(["ip", "netns", "exec", topo.a, py, here, "hold", "--dst", "10.77.0.2",
                                 "--until", stopfile, "--max", "30"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        procs.append(hold)
        hold_ports = json.loads(hold.stdout.readline())
        try:
            slow_out = slow.communicate(timeout=15)[0]
        except subprocess.TimeoutExpired:
            slow.kill()
            slow_out = ""
        check("slow connection completes", '"got": 5' in slow_out, "reply of 5 bytes", slow_out.strip())
        time.sleep(2.5)   # one more interim period for the hold flows; closed flows may time out
        t_kill = time.time()
        sw.send_signal(signal.SIGTERM)
        try:
            rc = sw.wait(timeout=15)
        except subprocess.TimeoutExpired:
            sw.kill()
            rc = "hung"
        check("sidewall exits 0 on SIGTERM", rc == 0, 0, rc)
        td.send_signal(signal.SIGINT)
        try:
            td.wait(timeout=10)
        except subprocess.TimeoutExpired:
            td.kill()
        open(stopfile, "w").close()
        try:
            hold.wait(timeout=5)
        except subprocess.TimeoutExpired:
            hold.kill()

        # ---------------------------------------------------------- checks
        lines = read_eve(eve)
        events = []
        bad_json = 0
        for line in lines:
            try:
                events.append(json.loads(line))
            except ValueError:
                bad_json += 1
        check("every EVE line is JSON", bad_json == 0 and len(lines) > 0, "%d lines, 0 bad" % len(lines),
              "%d bad" % bad_json)
        if a.schema and os.path.exists(a.schema):
            import jsonschema
            with open(a.schema) as f:
                schema = json.load(f)
            v = jsonschema.Draft7Validator(schema) if hasattr(jsonschema, "Draft7Validator") else None
            errs = []
            for e in events:
                for err in v.iter_errors(e):
                    errs.append("%s: %s" % (e.get("event_type"), err.message[:200]))
            check("every EVE line valid against %s" % os.path.basename(a.schema), not errs, "0 errors",
                  "%d errors, first: %s" % (len(errs), errs[:3]))
        else:
            check("EVE schema present", False, a.schema, "missing")
        for e in events:
            pr = str(e.get("proto", ""))
            e["proto_num"] = int(pr) if pr.isdigit() else PROTO_NUM.get(pr.upper(), pr)
        flows = [e for e in events if e.get("event_type") == "flow"]
        finals = [e for e in flows if e.get("flow", {}).get("reason") != "interim"]
        interims = [e for e in flows if e.get("flow", {}).get("reason") == "interim"]
        by_key = {}
        for e in finals:
            by_key.setdefault(rec_key(e), []).append(e)
        got_pcap = pcap_flows(pcap)

        # 1. Scripted flows: exact counts, direction, tcp flags, community id.
        for label, proto, cli, cport, srvip, sport, vlan in scripted:
            if proto in (1, 58):
                k = (proto, cli, 0, srvip, 0, vlan)
            else:
                k = (proto, cli, cport, srvip, sport, vlan)
            exp = got_pcap.get(k)
            recs = by_key.get(k, [])
            if not check("%s: in the capture" % label, exp is not None, "flow %s" % (k,), "absent"):
                continue
            if not check("%s: exactly one final record, client = initiator" % label, len(recs) == 1, 1,
                         "%d (records with swapped direction: %d)" % (len(recs), len(by_key.get(
                             (proto, srvip, sport, cli, cport, vlan), [])))):
                continue
            r = recs[0]
            got = {c: r["flow"].get(c) for c in COUNTERS}
            want = {c: exp[c] for c in COUNTERS}
            check("%s: packets and bytes equal the capture" % label, got == want, want, got)
            if proto == 6:
                tcp = r.get("tcp", {})
                ok = tcp.get("syn") and tcp.get("fin") and (int(tcp.get("tcp_flags_ts", "0"), 16) & 0x03) == 0x03 \
                    and (int(tcp.get("tcp_flags_tc", "0"), 16) & 0x13) == 0x13
                check("%s: tcp flags (SYN+FIN to server, SYN+ACK+FIN to client)" % label, ok,
                      "syn, fin, ts&03=03, tc&13=13", tcp)
            if proto in (6, 17):
                cid = community_id(proto, cli, cport, srvip, sport)
                check("%s: community_id" % label, r.get("community_id") == cid, cid, r.get("community_id"))
            if proto in (1, 58):
                req, rep = (8, 0) if proto == 1 else (128, 129)
                want = {"icmp_type": req, "icmp_code": 0, "response_icmp_type": rep, "response_icmp_code": 0}
                got = {k: r.get(k) for k in want}
                check("%s: ICMP type and code of both sides" % label, got == want, want, got)
                cid = community_id(proto, cli, req, srvip, 0)
                check("%s: community_id (ICMP type/code as ports)" % label, r.get("community_id") == cid, cid,
                      r.get("community_id"))
            if vlan is not None:
                check("%s: vlan" % label, r.get("vlan") == [vlan], [vlan], r.get("vlan"))

        # 2. Alert on the marker session, and alerted on its flow.
        alerts = [e for e in events if e.get("event_type") == "alert"]
        mine = [e for e in alerts if e.get("alert", {}).get("signature_id") == SID]
        check("alert sid %d raised once" % SID, len(mine) == 1, 1, len(mine))
        if mine:
            e = mine[0]
            check("alert is on the marker session", (norm(e["src_ip"]), e.get("src_port")) == (alert_key[1], alert_key[2]),
                  alert_key[1:3], (e.get("src_ip"), e.get("src_port")))
        r = by_key.get(alert_key, [{}])[0]
        check("marker flow record has flow.alerted true", r.get("flow", {}).get("alerted") is True, True,
              r.get("flow", {}).get("alerted"))
        others = [k for k, v in by_key.items() if k != alert_key and any(x["flow"].get("alerted") for x in v)]
        check("no other flow alerted", not others, [], others)

        # 3. Slow connection: interim records, non-decreasing, final equals the capture.
        sk = (6, "10.77.0.1", slow_sport, "10.77.0.2", TCP_PORT, None)
        si = sorted([e for e in interims if rec_key(e) == sk], key=lambda e: e["timestamp"])
        sf = by_key.get(sk, [])
        check("slow flow: >= 2 interim records before the final", len(si) >= 2 and len(sf) == 1 and
              all(e["timestamp"] <= sf[0]["timestamp"] for e in si), ">= 2 and one final",
              "%d interim, %d final" % (len(si), len(sf)))
        seq = si + sf
        mono = all(all(seq[i]["flow"][c] <= seq[i + 1]["flow"][c] for c in COUNTERS) for i in range(len(seq) - 1))
        check("slow flow: counters non-decreasing across records", mono, "non-decreasing",
              [[e["flow"][c] for c in COUNTERS] for e in seq])
        check("slow flow: interim records share the final flow_id", all(e["flow_id"] == sf[0]["flow_id"] for e in si)
              if sf else False, sf[0]["flow_id"] if sf else None, [e["flow_id"] for e in si])
        if sf and sk in got_pcap:
            want = {c: got_pcap[sk][c] for c in COUNTERS}
            got = {c: sf[0]["flow"][c] for c in COUNTERS}
            check("slow flow: final counts equal the capture", want == got, want, got)
        else:
            check("slow flow: final counts equal the capture", False, "record and capture flow", "missing")

        # 4. SIGTERM: every flow seen before it has final records that
        # account for every one of its packets.  A 5-tuple may have several
        # final records only when one ended (timeout) before the next began
        # (router solicitations every 4 s, icmp timeout 3 s).
        seen = pcap_flows(pcap, before=t_kill)
        missing, dup, badreason, lost = [], [], [], []
        for k in seen:
            recs = sorted(by_key.get(k, []), key=lambda e: e["flow"]["start"])
            if not recs:
                missing.append(k)
                continue
            for x, y in zip(recs, recs[1:]):
                if y["flow"]["start"] <= x["flow"]["end"]:
                    dup.append((k, len(recs)))
            for x in recs:
                if x["flow"].get("reason") not in ("shutdown", "timeout"):
                    badreason.append((k, x["flow"].get("reason")))
            tot = {c: sum(x["flow"][c] for x in recs) for c in COUNTERS}
            if k not in (hold_keys := [(6, "10.77.0.1", hold_ports.get("tcp"), "10.77.0.2", TCP_PORT, None),
                                       (17, "10.77.0.1", hold_ports.get("udp"), "10.77.0.2", UDP_PORT, None)]):
                # Exact for packets before the signal; a packet between the
                # signal and the capture's stop may or may not be counted.
                # A flow sidewall saw before tcpdump listened may hold
                # packets the capture lacks: only the lower bound holds.
                lo = {c: seen[k][c] for c in COUNTERS}
                hi = {c: got_pcap[k][c] for c in COUNTERS}
                if datetime.datetime.fromisoformat(recs[0]["flow"]["start"]).timestamp() < t_listen:
                    hi = {c: float("inf") for c in COUNTERS}
                if not all(lo[c] <= tot[c] <= hi[c] for c in COUNTERS):
                    lost.append((k, lo, hi, tot))
        check("SIGTERM: every flow in the capture (%d) has a final record" % len(seen), not missing, "0 missing",
              "%d missing: %s" % (len(missing), missing[:5]))
        check("SIGTERM: no packet counted in two overlapping final records", not dup, "0", dup[:5])
        check("SIGTERM: final reasons are shutdown or timeout", not badreason, "shutdown|timeout", badreason[:5])
        check("SIGTERM: every packet of every closed flow is in a final record", not lost, "counts = capture",
              lost[:3])
        hk_t = (6, "10.77.0.1", hold_ports.get("tcp"), "10.77.0.2", TCP_PORT, None)
        hk_u = (17, "10.77.0.1", hold_ports.get("udp"), "10.77.0.2", UDP_PORT, None)
        for nm, k in (("tcp", hk_t), ("udp", hk_u)):
            recs = by_key.get(k, [])
            check("SIGTERM: open %s flow ends with reason shutdown" % nm,
                  len(recs) == 1 and recs[0]["flow"]["reason"] == "shutdown", "one record, shutdown",
                  [x["flow"]["reason"] for x in recs])
            if recs and k in seen:
                within = all(seen[k][c] <= recs[0]["flow"][c] <= got_pcap[k][c] for c in COUNTERS)
                check("SIGTERM: open %s flow counts between the capture's before the signal and in all" % nm, within,
                      {c: (seen[k][c], got_pcap[k][c]) for c in COUNTERS},
                      {c: recs[0]["flow"][c] for c in COUNTERS})

        # 5. Stats: periodic while running, kernel counters.
        stats = [e for e in events if e.get("event_type") == "stats"]
        kp = [e.get("stats", {}).get("capture", {}).get("kernel_packets") for e in stats]
        check("stats: >= 2 periodic stats events while running plus the final one", len(stats) >= 3,
              ">= 3", len(stats))
        check("stats: every stats event has stats.capture.kernel_packets", stats and all(isinstance(x, int) for x in kp),
              "integers", kp)
        check("stats: kernel_packets non-decreasing and > 0 at the end", kp and all(isinstance(x, int) for x in kp)
              and kp == sorted(kp) and kp[-1] > 0, "non-decreasing, last > 0", kp)
        if stats:
            last = stats[-1]["stats"]
            cap = last.get("capture", {})
            dec = last.get("decoder", {}).get("pkts")
            check("final stats: decoder.pkts = kernel_packets - kernel_drops (nothing captured was lost)",
                  isinstance(cap.get("kernel_packets"), int) and dec == cap["kernel_packets"] - cap.get("kernel_drops", 0),
                  cap, dec)
        phase2(a, topo, work, client, rules)
        if a.keep:
            print("kept: %s" % work)
    except Exception as ex:  # a broken setup is a failure, not a traceback-only exit
        import traceback
        traceback.print_exc()
        check("test ran to the end", False, "no exception", repr(ex))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        topo.down()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd")
    p = sub.add_parser("server")
    p.add_argument("--seconds", type=float, default=40)
    p = sub.add_parser("tcp")
    p.add_argument("--dst", required=True)
    p.add_argument("--send", type=int, required=True)
    p.add_argument("--reply", type=int, required=True)
    p.add_argument("--marker", action="store_true")
    p = sub.add_parser("slow")
    p.add_argument("--dst", required=True)
    p.add_argument("--secs", type=float, default=8)
    p = sub.add_parser("udp")
    p.add_argument("--dst", required=True)
    p.add_argument("--sizes", required=True)
    p = sub.add_parser("vlan")
    p.add_argument("--count", type=int, default=4)
    p = sub.add_parser("ping")
    p.add_argument("--dst", required=True)
    p.add_argument("--count", type=int, default=3)
    p = sub.add_parser("hold")
    p.add_argument("--dst", required=True)
    p.add_argument("--until", required=True)
    p.add_argument("--max", type=float, default=30)
    ap.add_argument("--sidewall")
    ap.add_argument("--src")
    ap.add_argument("--schema")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if a.cmd:
        return {"server": cmd_server, "tcp": cmd_tcp, "slow": cmd_slow, "udp": cmd_udp, "hold": cmd_hold, "ping": cmd_ping, "vlan": cmd_vlan}[a.cmd](a)
    if os.geteuid() != 0:
        print("SKIP passive e2e: needs root (network namespaces, packet capture)")
        return 77
    for tool in ("ip", "tcpdump"):
        if not shutil.which(tool):
            print("SKIP passive e2e: %s not installed" % tool)
            return 77
    if not a.sidewall or not a.src:
        ap.error("--sidewall and --src are required")
    t0 = time.monotonic()
    run(a)
    print("(%.1f s)" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
