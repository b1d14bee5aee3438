#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prometheus endpoint end-to-end test (issue 13 item 3).  Needs root; exits 77 without it.

  metrics_e2e.py sensor --sidewall BIN
  metrics_e2e.py inline --sidewall BIN
  metrics_e2e.py enforcer --enforcer BIN --client SW_ENF_TESTCLIENT

sensor: namespaces a and b made here (names end in this process's PID),
joined by a veth pair with IPv6 off and static neighbours, so the wire
carries exactly the packets the test sends.  sidewall captures in b
(-i, two workers) with metrics.listen on b's loopback.  a sends a known
number of UDP datagrams to b (some match a rule), with a SIGHUP reload in
the middle; the test scrapes /metrics with curl inside b, checks every
line of the exposition (a parser here, and `promtool check metrics` when
Debian's prometheus package is installed), then stops sidewall and
compares the numbers with EVE's final stats record: the same packets,
bytes, flows, alerts, kernel capture counters.  Also: / points to
/metrics, 404 elsewhere, 405 for POST, the Content-Type, and a second
sidewall on the same address exits non-zero naming the address.

inline: sidewall -q 0:1 on a namespace's OUTPUT queue; one flow passes, one
is dropped by a rule; verdicts per queue and drops by reason agree with
EVE's ips stats.

enforcer: sidewall-enforcer in a namespace of its own with metrics_listen
on its loopback; a sensor (the test client) asks for blocks, some refused
by policy; the scrape's per-sensor results, set sizes and transactions are
checked against what was asked, the enforcer's own `stats` and the
nftables set.

Nothing leaves the namespaces made here.
"""
import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PASS = 0
PID = os.getpid()


def ok(msg):
    global PASS
    PASS += 1
    print("ok: " + msg)


def fail(msg, detail=""):
    print("FAIL: " + msg, file=sys.stderr)
    if detail:
        print(detail[-3000:], file=sys.stderr)
    sys.exit(1)


def check(cond, msg, detail=""):
    if not cond:
        fail(msg, detail)
    ok(msg)


def run(*cmd, check_rc=True, **kw):
    r = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check_rc and r.returncode != 0:
        fail("command failed: %s" % " ".join(cmd), r.stdout + r.stderr)
    return r


def wait_for(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


# ------------------------------------------------------------------ exposition format 0.0.4

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*$")


def parse_labels(s, lineno):
    """{a="x",b="y"} body (without braces) -> dict; escapes \\\\ \\" \\n only."""
    labels = {}
    i = 0
    while i < len(s):
        m = re.match(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", s[i:])
        if not m:
            raise ValueError("line %d: bad label at %r" % (lineno, s[i:]))
        name = m.group(1)
        i += m.end()
        val = ""
        while True:
            if i >= len(s):
                raise ValueError("line %d: unterminated label value" % lineno)
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError("line %d: bad escape \\%s" % (lineno, nxt))
                val += {"\\": "\\", '"': '"', "n": "\n"}[nxt]
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ValueError("line %d: raw newline in label value" % lineno)
            else:
                val += c
                i += 1
        if name in labels:
            raise ValueError("line %d: label %s twice" % (lineno, name))
        labels[name] = val
        if i < len(s):
            if s[i] != ",":
                raise ValueError("line %d: expected ',' at %r" % (lineno, s[i:]))
            i += 1
    return labels


def parse_exposition(text, prefix):
    """Returns {family: {"type", "help", "samples": {frozenset(labels): value}}}.
    Raises ValueError naming the first line that breaks the format or the
    naming rules a Prometheus user expects."""
    fams = {}
    order = []
    cur = None
    if not text.endswith("\n"):
        raise ValueError("text does not end with a newline")
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            m = re.match(r"# (HELP|TYPE) (\S+) ?(.*)$", line)
            if not m:
                continue  # a plain comment
            kind, name, rest = m.groups()
            if not NAME_RE.match(name):
                raise ValueError("line %d: bad metric name %r" % (lineno, name))
            f = fams.setdefault(name, {"type": None, "help": None, "samples": {}})
            if name not in order:
                order.append(name)
            elif cur != name:
                raise ValueError("line %d: family %s is not contiguous" % (lineno, name))
            if f["samples"]:
                raise ValueError("line %d: %s after samples of %s" % (lineno, kind, name))
            if kind == "TYPE":
                if f["type"] is not None:
                    raise ValueError("line %d: second TYPE for %s" % (lineno, name))
                if rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    raise ValueError("line %d: bad type %r" % (lineno, rest))
                f["type"] = rest
            else:
                if f["help"] is not None:
                    raise ValueError("line %d: second HELP for %s" % (lineno, name))
                if re.search(r"\\[^\\n]", rest.replace("\\\\", "")):
                    raise ValueError("line %d: bad escape in HELP" % lineno)
                f["help"] = rest
            cur = name
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?[0-9]+)?$", line)
        if not m:
            raise ValueError("line %d: not a sample: %r" % (lineno, line))
        name, _, lab, val, _ts = m.groups()
        if name != cur:
            raise ValueError("line %d: sample %s outside its family (current %s)" % (lineno, name, cur))
        labels = parse_labels(lab or "", lineno)
        if val in ("NaN", "+Inf", "-Inf"):
            v = float(val.replace("Inf", "inf"))
        else:
            v = float(val)
        key = frozenset(labels.items())
        if key in fams[name]["samples"]:
            raise ValueError("line %d: duplicate series %s%s" % (lineno, name, labels))
        fams[name]["samples"][key] = v
    for name, f in fams.items():
        if not name.startswith(prefix):
            raise ValueError("%s does not start with %s" % (name, prefix))
        if f["type"] is None or f["help"] is None or not f["help"].strip():
            raise ValueError("%s lacks a TYPE or a HELP" % name)
        if (f["type"] == "counter") != name.endswith("_total"):
            raise ValueError("%s: _total is for counters and only counters (type %s)" % (name, f["type"]))
        if f["type"] == "counter":
            for v in f["samples"].values():
                if v < 0 or math.isnan(v):
                    raise ValueError("%s: counter value %r" % (name, v))
        if not f["samples"]:
            raise ValueError("%s has no samples" % name)
    return fams


def value(fams, name, **labels):
    """The sum of the samples of @name whose labels include @labels."""
    want = set(labels.items())
    f = fams.get(name)
    if f is None:
        fail("metric %s missing" % name)
    return sum(v for k, v in f["samples"].items() if want <= set(k))


def promtool_check(text, what):
    tool = shutil.which("promtool")
    if not tool:
        print("note: promtool not installed (Debian package prometheus): parser check only")
        return
    r = subprocess.run([tool, "check", "metrics"], input=text, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0, "%s: promtool check metrics finds nothing" % what, r.stdout)


def scrape(ns, url, *extra):
    """curl inside @ns: (status, content-type, body)."""
    r = run("ip", "netns", "exec", ns, "curl", "-s", "-S", "--max-time", "10", "-o", "-", "-w",
            "\n%{http_code} %{content_type}", *extra, url, check_rc=False)
    if r.returncode != 0:
        fail("curl %s in %s failed (rc %d)" % (url, ns, r.returncode), r.stderr)
    body, _, tail = r.stdout.rpartition("\n")
    status, _, ctype = tail.partition(" ")
    return int(status), ctype, body + "\n" if body else ""


def check_http_surface(ns, base, what):
    st, ct, body = scrape(ns, base + "/")
    check(st == 200 and 'href="/metrics"' in body, "%s: / answers 200 with a link to /metrics" % what, body)
    st, ct, body = scrape(ns, base + "/nope")
    check(st == 404, "%s: /nope is 404" % what, "%d %s" % (st, body))
    st, ct, body = scrape(ns, base + "/metrics", "-X", "POST")
    check(st == 405, "%s: POST /metrics is 405" % what, "%d %s" % (st, body))


def get_metrics(ns, base, prefix, what):
    st, ct, body = scrape(ns, base + "/metrics")
    check(st == 200, "%s: GET /metrics is 200" % what, body)
    check(ct.startswith("text/plain; version=0.0.4"), "%s: Content-Type is %s" % (what, ct))
    try:
        fams = parse_exposition(body, prefix)
    except ValueError as e:
        fail("%s: exposition format: %s" % (what, e), body)
    ok("%s: every line of %d families parses (HELP, TYPE, _total counters, escapes)" % (what, len(fams)))
    return fams, body


# ------------------------------------------------------------------ namespaces

class Netns:
    def __init__(self):
        self.names = []

    def add(self, name):
        r = run("ip", "netns", "add", name, check_rc=False)
        if r.returncode != 0:
            print("SKIP: cannot create network namespaces: " + r.stderr.strip(), file=sys.stderr)
            self.cleanup()
            sys.exit(77)
        self.names.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")

    def cleanup(self):
        for n in self.names:
            subprocess.run(["ip", "netns", "del", n], stderr=subprocess.DEVNULL)
        self.names = []


def mac_of(ns, dev):
    out = run("ip", "-n", ns, "-j", "link", "show", dev).stdout
    return json.loads(out)[0]["address"]


def veth(nets, nsa, deva, addra, nsb, devb, addrb):
    """A veth pair, IPv6 off (no ND or MLD on the wire), static neighbours (no ARP)."""
    run("ip", "link", "add", deva, "netns", nsa, "type", "veth", "peer", "name", devb, "netns", nsb)
    for ns, dev, addr in ((nsa, deva, addra), (nsb, devb, addrb)):
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % dev)
        run("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
        run("ip", "-n", ns, "link", "set", dev, "up")
    run("ip", "-n", nsa, "neigh", "replace", addrb, "lladdr", mac_of(nsb, devb), "dev", deva, "nud", "permanent")
    run("ip", "-n", nsb, "neigh", "replace", addra, "lladdr", mac_of(nsa, deva), "dev", devb, "nud", "permanent")


SENDER = r"""
import socket, sys, time
dst, port, n, marker, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", sport))
for i in range(n):
    s.sendto(("%s %06d " % (marker, i)).encode() + b"x" * (i % 50), (dst, port))
    time.sleep(0.002)
"""

SINK = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(1.0)
end = time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        s.recv(65536)
    except socket.timeout:
        pass
"""


# ------------------------------------------------------------------ sensor

def start_sidewall(procs, work, ns, sink_addr, ready, what, argv, sink_ns=None):
    """A UDP sink on sink_addr:9999 (in sink_ns, default ns), then sidewall
    (argv) in ns, until its stderr says @ready.  Returns (process, stderr reader)."""
    procs.append(subprocess.Popen(["ip", "netns", "exec", sink_ns or ns, "python3", "-c", SINK, sink_addr, "9999",
                                   "60"]))
    serr = open(os.path.join(work, "sidewall.stderr"), "w+")
    sw = subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=serr, stderr=serr)
    procs.append(sw)

    def err():
        serr.flush()
        with open(serr.name) as f:
            return f.read()
    check(wait_for(lambda: ready in err() or sw.poll() is not None, 30) and sw.poll() is None,
          "sidewall %s with metrics.listen starts" % what, err())
    return sw, err


def in_sandbox(body, a):
    """Run body(a, nets, work, procs); whatever happens, kill its processes,
    delete its namespaces and (unless --keep) its directory."""
    nets = Netns()
    work = tempfile.mkdtemp(prefix="swm-e2e.")
    procs = []
    try:
        return body(a, nets, work, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        nets.cleanup()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


def sensor_run(a, nets, work, procs):
    nsa, nsb = "swm-a-%d" % PID, "swm-b-%d" % PID
    nets.add(nsa)
    nets.add(nsb)
    da, db = "ma%d" % (PID % 100000), "mb%d" % (PID % 100000)
    veth(nets, nsa, da, "10.79.0.1", nsb, db, "10.79.0.2")
    port = 9748
    rules = os.path.join(work, "metrics.rules")
    with open(rules, "w") as f:
        f.write('alert udp any any -> any 9999 (msg:"metrics e2e marker"; content:"METRICS-E2E"; '
                'sid:7700001; rev:1;)\n')
    cfg = os.path.join(work, "sidewall.yaml")
    with open(cfg, "w") as f:
        f.write("""%%YAML 1.1
---
default-log-dir: %s
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types: [alert, flow, stats]
stats:
  interval: 1
metrics:
  listen: 127.0.0.1:%d
""" % (work, port))
    sw, err = start_sidewall(procs, work, nsb, "10.79.0.2", "capturing on", "-i",
                             [a.sidewall, "-c", cfg, "-S", rules, "-i", db, "-k", "none", "--threads", "2"])
    check("metrics on http://127.0.0.1:%d/metrics" % port in err(), "sidewall names the metrics address", err())
    base = "http://127.0.0.1:%d" % port

    # a second sidewall on the same address: a clear error, non-zero exit, at start
    os.mkdir(os.path.join(work, "second"))
    r = run("ip", "netns", "exec", nsb, a.sidewall, "-c", cfg, "-S", rules, "-i", "lo", "-l", work + "/second",
            check_rc=False, timeout=60)
    check(r.returncode != 0 and "127.0.0.1:%d" % port in r.stderr and "in use" in r.stderr,
          "a second sidewall on the same address exits %d: %s" % (r.returncode, r.stderr.strip().splitlines()[-1:]),
          r.stderr)

    fams, text = get_metrics(nsb, base, "sidewall_", "sidewall (idle)")
    check(value(fams, "sidewall_packets_total") == 0, "no packet counted before any was sent")
    check(value(fams, "sidewall_workers") == 2 and len(fams["sidewall_packets_total"]["samples"]) == 2,
          "two workers, one packets_total series each (worker=\"0\", worker=\"1\")")
    check(value(fams, "sidewall_build_info", mode="passive") == 1, "build_info says mode=\"passive\"")
    check(value(fams, "sidewall_rules_loaded") == 1, "rules_loaded is 1")
    check_http_surface(nsb, base, "sidewall")

    # traffic: 75 marked from port 40001, a reload, 75 marked and 50 unmarked from port 40002
    def send(n, marker, sport):
        run("ip", "netns", "exec", nsa, "python3", "-c", SENDER, "10.79.0.2", "9999", str(n), marker, str(sport))
    send(75, "METRICS-E2E", 40001)
    time.sleep(0.5)
    sw.send_signal(signal.SIGHUP)
    check(wait_for(lambda: "new ruleset active" in err(), 30), "SIGHUP reload done", err())
    send(75, "METRICS-E2E", 40002)
    send(50, "plain", 40002)
    sent, alerts_sent = 200, 150
    time.sleep(2.5)  # a live worker flushes and a stats record is due every second

    fams, text = get_metrics(nsb, base, "sidewall_", "sidewall (after traffic)")
    promtool_check(text, "sidewall")
    pk = value(fams, "sidewall_packets_total")
    check(pk == sent, "sidewall_packets_total sums to the %d packets sent (got %d)" % (sent, pk), text)
    per = [v for v in fams["sidewall_packets_total"]["samples"].values()]
    check(sorted(per) == sorted([sent, 0]) or sum(per) == sent,
          "per-worker packets: %s (one flow hash: one worker)" % per)
    check(value(fams, "sidewall_alerts_total") == alerts_sent,
          "sidewall_alerts_total is %d, across the reload" % alerts_sent, text)
    check(value(fams, "sidewall_flows_total") == 2 and value(fams, "sidewall_flows_active") == 2,
          "2 flows created, 2 active")
    check(value(fams, "sidewall_decoder_packets_total", proto="udp") == sent, "decoder: %d UDP packets" % sent)
    check(value(fams, "sidewall_rules_reloads_total", result="success") == 1 and
          value(fams, "sidewall_rules_last_reload_successful") == 1 and
          value(fams, "sidewall_rules_last_reload_timestamp_seconds") > time.time() - 120,
          "one successful reload, with its time")
    check(value(fams, "sidewall_capture_kernel_packets_total") >= sent and
          value(fams, "sidewall_capture_kernel_drops_total") == 0, "kernel capture counters: all seen, none dropped")
    for fam in ("sidewall_stream_events_total", "sidewall_app_flows_total", "sidewall_decoder_anomalies_total",
                "sidewall_defrag_fragments_total", "sidewall_dropped_packets_total"):
        check(fam in fams, "family %s is served" % fam)

    # a reload that fails (no rule loads) keeps the running rules and says so
    with open(rules, "w") as f:
        f.write("this is not a rule\n")
    sw.send_signal(signal.SIGHUP)
    check(wait_for(lambda: "keeping the running rules" in err(), 30), "a broken reload is refused", err())
    f2, _ = get_metrics(nsb, base, "sidewall_", "sidewall (after a failed reload)")
    check(value(f2, "sidewall_rules_reloads_total", result="failure") == 1 and
          value(f2, "sidewall_rules_last_reload_successful") == 0 and value(f2, "sidewall_rules_loaded") == 1 and
          value(f2, "sidewall_rules_last_reload_success_timestamp_seconds") ==
          value(fams, "sidewall_rules_last_reload_success_timestamp_seconds"),
          "failed reload: reloads_total{result=\"failure\"} 1, last_reload_successful 0, still 1 rule loaded")

    # stop, then the final EVE stats record must say the same
    sw.send_signal(signal.SIGTERM)
    try:
        sw.wait(timeout=30)
    except subprocess.TimeoutExpired:
        fail("sidewall did not stop on SIGTERM", err())
    check(sw.returncode == 0, "sidewall exits 0 on SIGTERM", err())
    recs = []
    with open(os.path.join(work, "eve.json")) as f:
        for line in f:
            recs.append(json.loads(line))
    stats = [r["stats"] for r in recs if r.get("event_type") == "stats"]
    check(len(stats) >= 2, "EVE has periodic and final stats records (%d)" % len(stats))
    st = stats[-1]
    pairs = [
        ("decoder.pkts", st["decoder"]["pkts"], pk),
        ("decoder.bytes", st["decoder"]["bytes"], value(fams, "sidewall_bytes_total")),
        ("decoder.udp", st["decoder"]["udp"], value(fams, "sidewall_decoder_packets_total", proto="udp")),
        ("flow.total", st["flow"]["total"], value(fams, "sidewall_flows_total")),
        ("detect.alert", st["detect"]["alert"], value(fams, "sidewall_alerts_total")),
        ("capture.kernel_packets", st["capture"]["kernel_packets"],
         value(fams, "sidewall_capture_kernel_packets_total")),
        ("capture.kernel_drops", st["capture"]["kernel_drops"], value(fams, "sidewall_capture_kernel_drops_total")),
        ("tcp.reassembly_gap", st["tcp"]["reassembly_gap"], value(fams, "sidewall_stream_events_total", event="gap")),
        ("rules_loaded", st["detect"]["engines"][0]["rules_loaded"], value(fams, "sidewall_rules_loaded")),
    ]
    for key, eve, prom in pairs:
        check(eve == prom, "EVE stats %s = %d, /metrics says %d" % (key, eve, prom))
    alerts = sum(1 for r in recs if r.get("event_type") == "alert")
    check(alerts == alerts_sent, "EVE has %d alert records" % alerts_sent)
    # a periodic record written while the flows were active says 2 active, as the scrape did
    check(any(s["flow"]["active"] == 2 and s["decoder"]["pkts"] == sent for s in stats[:-1]),
          "a periodic EVE stats record says 2 flows active and %d packets, as the scrape" % sent)
    print("%d passed, 0 failed" % PASS)
    return 0


# ------------------------------------------------------------------ inline

def inline_run(a, nets, work, procs):
    """sidewall -q 0:1 on a's OUTPUT (iptables NFQUEUE, as tests/e2e/inline's
    fallback): one flow passes; one loses a datagram to a UDP payload rule
    (that datagram only, as in Suricata) and goes on; one is dropped whole by
    an IP-only rule; verdicts, drops by reason and per-queue counts on
    /metrics equal EVE's ips stats."""
    nsa, nsb = "swmq-a-%d" % PID, "swmq-b-%d" % PID
    nets.add(nsa)
    nets.add(nsb)
    da, db = "qa%d" % (PID % 100000), "qb%d" % (PID % 100000)
    veth(nets, nsa, da, "10.79.2.1", nsb, db, "10.79.2.2")
    run("ip", "-n", nsb, "addr", "add", "10.79.2.3/24", "dev", db)
    queued = False
    for ipt in ("iptables-nft", "iptables-legacy"):
        if shutil.which(ipt) and run("ip", "netns", "exec", nsa, ipt, "-A", "OUTPUT", "-p", "udp", "-d", "10.79.2.2/31",
                                     "--dport", "9999", "-j", "NFQUEUE", "--queue-balance", "0:1", "--queue-bypass",
                                     check_rc=False).returncode == 0:
            queued = True
            break
    if not queued:
        print("SKIP: no NFQUEUE target in this kernel", file=sys.stderr)
        return 77
    rules = os.path.join(work, "q.rules")
    with open(rules, "w") as f:
        f.write('drop udp any any -> any 9999 (msg:"metrics e2e drop"; content:"METRICS-DROP"; sid:7700002; rev:1;)\n')
        f.write('drop ip any any -> 10.79.2.3 any (msg:"metrics e2e ip-only drop"; sid:7700003; rev:1;)\n')
    cfg = os.path.join(work, "sidewall.yaml")
    with open(cfg, "w") as f:
        f.write("default-log-dir: %s\noutputs:\n  - eve-log:\n      enabled: yes\n      filename: eve.json\n"
                "      types: [alert, drop, flow, stats]\nmetrics:\n  listen: 127.0.0.1:9748\n" % work)
    sw, err = start_sidewall(procs, work, nsa, "10.79.2.2", "inline on nfqueue", "-q 0:1",
                             [a.sidewall, "-c", cfg, "-S", rules, "-q", "0:1"], sink_ns=nsb)
    base = "http://127.0.0.1:9748"

    def send(n, marker, sport, dst="10.79.2.2"):
        run("ip", "netns", "exec", nsa, "python3", "-c", SENDER, dst, "9999", str(n), marker, str(sport))
    send(50, "plain", 40001)
    send(1, "METRICS-DROP", 40002)
    send(49, "plain", 40002)
    send(20, "plain", 40003, "10.79.2.3")
    time.sleep(1.5)
    fams, text = get_metrics(nsa, base, "sidewall_", "inline")
    promtool_check(text, "sidewall inline")
    check(value(fams, "sidewall_build_info", mode="inline") == 1, "build_info says mode=\"inline\"")
    check(value(fams, "sidewall_nfqueue_verdicts_total", verdict="accept") == 99 and
          value(fams, "sidewall_nfqueue_verdicts_total", verdict="drop") == 21,
          "99 accepted, 21 dropped", text)
    check(value(fams, "sidewall_dropped_packets_total", reason="rules") == 2 and
          value(fams, "sidewall_dropped_packets_total", reason="flow_drop") == 19,
          "drops by reason: 2 by the rules, 19 of the flow the IP-only rule dropped")
    check(len(fams["sidewall_nfqueue_verdicts_total"]["samples"]) == 4, "verdicts per worker (queue) and verdict")
    sw.send_signal(signal.SIGTERM)
    sw.wait(timeout=30)
    check(sw.returncode == 0, "sidewall -q stops cleanly", err())
    stats = [json.loads(l)["stats"] for l in open(os.path.join(work, "eve.json")) if '"event_type":"stats"' in l]
    st = stats[-1]
    for key, eve, prom in [
        ("ips.accepted", st["ips"]["accepted"], value(fams, "sidewall_nfqueue_verdicts_total", verdict="accept")),
        ("ips.blocked", st["ips"]["blocked"], value(fams, "sidewall_nfqueue_verdicts_total", verdict="drop")),
        ("ips.drop_reason.rules", st["ips"]["drop_reason"]["rules"],
         value(fams, "sidewall_dropped_packets_total", reason="rules")),
        ("ips.drop_reason.flow_drop", st["ips"]["drop_reason"]["flow_drop"],
         value(fams, "sidewall_dropped_packets_total", reason="flow_drop")),
        ("decoder.pkts", st["decoder"]["pkts"], value(fams, "sidewall_packets_total")),
    ]:
        check(eve == prom, "EVE stats %s = %d, /metrics says %d" % (key, eve, prom))
    print("%d passed, 0 failed" % PASS)
    return 0


# ------------------------------------------------------------------ enforcer

def enforcer_run(a, nets, work, procs):
    nse, nss = "swm-enf-%d" % PID, "swm-sen-%d" % PID
    nets.add(nse)
    nets.add(nss)
    de, ds = "me%d" % (PID % 100000), "ms%d" % (PID % 100000)
    veth(nets, nss, ds, "10.79.1.2", nse, de, "10.79.1.1")
    enf, cli = a.enforcer, a.client

    def sh(*cmd, **kw):
        return run(*cmd, **kw).stdout
    with open(os.path.join(work, "enf.key"), "w") as f:
        f.write(sh(enf, "genkey"))
    epub = run(enf, "pubkey", stdin=open(os.path.join(work, "enf.key"))).stdout.strip()
    names = ['sensor1', 'sensor"two\\x']  # a name that needs escaping in a label value
    for i in range(2):
        with open(os.path.join(work, "s%d.key" % i), "w") as f:
            f.write(sh(enf, "genkey"))
    spubs = [run(enf, "pubkey", stdin=open(os.path.join(work, "s%d.key" % i))).stdout.strip() for i in range(2)]
    port = 9749
    cfg = os.path.join(work, "enforcer.yaml")
    with open(cfg, "w") as f:
        f.write("""listen: 10.79.1.1
port: 7447
metrics_listen: 127.0.0.1:%d
private_key_file: %s/enf.key
sensors:
  - name: %s
    public_key: %s
  - name: '%s'
    public_key: %s
never_block: [10.79.1.0/24]
max_ttl: 600
default_ttl: 300
max_elements: 1000
rate_limit: 1000
rate_burst: 1000
hooks: [input]
journal: %s/journal
control_socket: %s/ctl.sock
""" % (port, work, names[0], spubs[0], names[1], spubs[1], work, work))
    r = run(enf, "-c", cfg, "-t", check_rc=False)
    check(r.returncode == 0, "enforcer config with metrics_listen checks", r.stdout + r.stderr)
    bad = cfg + ".bad"
    with open(cfg) as f, open(bad, "w") as g:
        g.write(f.read().replace("metrics_listen: 127.0.0.1:%d" % port, "metrics_listen: 127.0.0.1"))
    r = run(enf, "-c", bad, "-t", check_rc=False)
    check(r.returncode != 0 and "metrics_listen" in r.stderr, "a metrics_listen without a port is a config error",
          r.stdout + r.stderr)
    elog = open(os.path.join(work, "enf.log"), "w+")
    ep = subprocess.Popen(["ip", "netns", "exec", nse, enf, "-c", cfg, "run"], stdout=elog, stderr=elog)
    procs.append(ep)

    def log():
        elog.flush()
        with open(elog.name) as f:
            return f.read()
    check(wait_for(lambda: os.path.exists(os.path.join(work, "ctl.sock")) or ep.poll() is not None, 20)
          and ep.poll() is None, "sidewall-enforcer with metrics_listen starts", log())
    base = "http://127.0.0.1:%d" % port
    # a second one on the same metrics address fails at start, naming it
    cfg2 = cfg + ".2"
    with open(cfg) as f, open(cfg2, "w") as g:
        g.write(f.read().replace("port: 7447", "port: 7448").replace("ctl.sock", "ctl2.sock")
                .replace("/journal", "/journal2"))
    r = run("ip", "netns", "exec", nse, enf, "-c", cfg2, "run", check_rc=False, timeout=30)
    check(r.returncode != 0 and "127.0.0.1:%d" % port in r.stderr,
          "a second enforcer on the same metrics address exits %d naming it" % r.returncode, r.stderr)

    fams, text = get_metrics(nse, base, "sidewall_enforcer_", "enforcer (idle)")
    check(value(fams, "sidewall_enforcer_requests_total") == 0, "no request counted yet")
    check_http_surface(nse, base, "enforcer")

    def client(i, *args):
        return run("ip", "netns", "exec", nss, cli, "-H", "10.79.1.1", "-p", "7447", "-k",
                   os.path.join(work, "s%d.key" % i), "-e", epub, *args, check_rc=False)
    # sensor 0: 5 blocks applied, 2 refused (never_block), 1 unblock; sensor 1: 3 blocks
    for k in range(5):
        client(0, "block", "192.0.2.%d" % (10 + k), "60", "e2e")
    for k in range(2):
        client(0, "block", "10.79.1.%d" % (100 + k), "60", "e2e")
    client(0, "unblock", "192.0.2.14")
    for k in range(3):
        client(1, "block", "198.51.100.%d/32" % (1 + k), "60", "e2e")
    run("ip", "netns", "exec", nse, enf, "-s", os.path.join(work, "ctl.sock"), "quarantine", "203.0.113.7")
    fams, text = get_metrics(nse, base, "sidewall_enforcer_", "enforcer (after requests)")
    promtool_check(text, "sidewall-enforcer")
    exp = [
        ({"sensor": names[0], "result": "accepted"}, 6),
        ({"sensor": names[0], "result": "refused"}, 2),
        ({"sensor": names[1], "result": "accepted"}, 3),
        ({"sensor": "operator", "result": "accepted"}, 1),
    ]
    for labels, want in exp:
        got = value(fams, "sidewall_enforcer_requests_total", **labels)
        check(got == want, "requests_total%s = %d (got %d)" % (json.dumps(labels), want, got), text)
    check(value(fams, "sidewall_enforcer_requests_total", sensor=names[0], op="unblock") == 1,
          "the unblock is counted under op=\"unblock\"")
    stats = dict(l.split() for l in sh(enf, "-s", os.path.join(work, "ctl.sock"), "stats").splitlines()
                 if len(l.split()) == 2)
    check(int(stats["accepted"]) == value(fams, "sidewall_enforcer_requests_total", result="accepted") and
          int(stats["refused"]) == value(fams, "sidewall_enforcer_requests_total", result="refused"),
          "requests by result agree with the enforcer's stats (%s accepted, %s refused)" %
          (stats["accepted"], stats["refused"]))
    check(int(stats["transactions"]) == value(fams, "sidewall_enforcer_transactions_total"),
          "transactions_total = stats transactions (%s)" % stats["transactions"])
    check(value(fams, "sidewall_enforcer_set_elements", set="block4") == 7 and
          value(fams, "sidewall_enforcer_set_elements", set="quar4") == 1 and
          value(fams, "sidewall_enforcer_set_elements") == int(stats["live"]),
          "set sizes: 7 blocks, 1 quarantine (live %s)" % stats["live"], text)
    out = sh("ip", "netns", "exec", nse, "nft", "-j", "list", "set", "inet", "sidewall", "block4")
    elems = [e for o in json.loads(out)["nftables"] for e in o.get("set", {}).get("elem", [])]
    check(len(elems) == 7, "the kernel's block4 set holds the 7 elements the metric counts")
    check(value(fams, "sidewall_enforcer_max_elements") == 1000, "max_elements = 1000")
    # the table flushed behind its back: a restore, counted
    run("ip", "netns", "exec", nse, "nft", "flush", "ruleset")
    check(wait_for(lambda: "restoring" in log(), 10), "the enforcer restores a flushed table", log())
    time.sleep(0.5)
    fams, text = get_metrics(nse, base, "sidewall_enforcer_", "enforcer (after a restore)")
    check(value(fams, "sidewall_enforcer_table_restores_total") == 1, "table_restores_total = 1")
    ep.send_signal(signal.SIGTERM)
    ep.wait(timeout=20)
    check(ep.returncode == 0, "the enforcer stops cleanly", log())
    print("%d passed, 0 failed" % PASS)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["sensor", "inline", "enforcer"])
    ap.add_argument("--sidewall")
    ap.add_argument("--enforcer")
    ap.add_argument("--client")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: the metrics e2e test needs root (network namespaces)", file=sys.stderr)
        return 77
    for tool in ("ip", "curl"):
        if not shutil.which(tool):
            print("SKIP: %s missing (scripts/setup.sh installs it)" % tool, file=sys.stderr)
            return 77
    return in_sandbox({"sensor": sensor_run, "inline": inline_run, "enforcer": enforcer_run}[a.what], a)


if __name__ == "__main__":
    sys.exit(main())
