#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tunnel and encapsulation end-to-end test: run sidewall on the captures of
tests/gen/tunnel.py with tests/e2e/tunnel.rules and check its EVE output
against the generator's expectations (tests/fixtures/pcap/tunnel*.json).

  tunnel_e2e.py SIDEWALL [--src REPO] [--schema FILE] [--keep DIR]
  tunnel_e2e.py --sidewall SIDEWALL ...

Checks (one PASS/FAIL line each, then "N passed, N failed"; exit 1 if any failed):
  - the committed captures are tests/gen/tunnel.py's current output;
  - -T loads every rule of tunnel.rules;
  - tunnel.pcap (GRE, PPTP, ERSPAN I/II/III, VXLAN, Geneve, MPLS, PPPoE, NSH,
    IPv4/IPv6 in IPv4/IPv6, Teredo), --threads 1, 2 and 4: each inner
    session's alert exactly once on its inner tuple, exactly one flow record
    per inner flow (client->server, exact packets and bytes as Suricata counts
    a tunnel packet, start/end/age/state/reason/alerted), the ERSPAN flows'
    VLAN ids, no other flow (the outer packets are not flows here), the
    schema, stats.decoder's encapsulation counters exactly the packets sent
    through each, no decoder event, and the same events for every thread
    count;
  - tunnel_port.pcap: VXLAN to UDP 8472 is plain UDP by default (no alert,
    the two VTEPs' UDP flows to 8472) and the inner session with decoder.vxlan.ports
    "[4789, 8472]" in the config;
  - a TCP session in GRE whose large server segments' carriers are IP
    fragments (written here with scapy), --threads 1, 2 and 4: one flow
    record for the inner session, counting every fragment, and the same
    events for every thread count (the fragments go to the inner flow's
    worker, engine/worker.c frag_worker()).
"""
import collections
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offline  # noqa: E402
from offline import R, same_events, Runner, check_events, event_set, ev_key, flow_key, rev_key  # noqa: E402

EVE = """outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
        - flow
        - stats
%s"""
PORT_CFG = """decoder:
  vxlan:
    ports: "[4789, 8472]"
"""

# stats.decoder counter -> the encapsulations whose every packet it counts (Suricata's counters)
COUNTERS = {
	"gre": ("gre", "pptp", "erspan1", "erspan2", "erspan3"),
	"ppp": ("pptp",),
	"erspan": ("erspan1", "erspan2", "erspan3"),
	"vxlan": ("vxlan",),
	"geneve": ("geneve",),
	"teredo": ("teredo",),
	"mpls": ("mpls",),
	"pppoe": ("pppoe",),
	"nsh": ("nsh",),
	"ipv4_in_ipv4": ("ipip",),
	"ipv6_in_ipv4": ("6in4",),
	"ipv4_in_ipv6": ("4in6",),
	"ipv6_in_ipv6": ("6in6",),
}


# encapsulation -> (alert pkt_src, alert tunnel.proto): Suricata's names; None: not a tunnel
TUNNEL_SRC = {
	"gre": ("gre tunnel", "GRE"), "pptp": ("gre tunnel", "GRE"), "erspan1": ("gre tunnel", "GRE"),
	"erspan2": ("gre tunnel", "GRE"), "erspan3": ("gre tunnel", "GRE"),
	"vxlan": ("vxlan encapsulation", "UDP"), "geneve": ("geneve encapsulation", "UDP"),
	"teredo": ("teredo tunnel", "UDP"), "ipip": ("ipv4 tunnel", "IP-in-IP"), "6in4": ("ipv4 tunnel", "IPv6"),
	"4in6": ("ipv6 tunnel", "IP-in-IP"), "6in6": ("ipv6 tunnel", "IPv6"),
	"mpls": None, "pppoe": None, "nsh": None,
}


def check_alert_tunnels(label, events, exp):
	"""Alerts on tunnelled packets: pkt_src and the carrier's "tunnel" object, as Suricata 8 writes them."""
	encap = {}
	for f in exp["flows"]:
		encap[flow_key(f)] = encap[rev_key(flow_key(f))] = f["encap"]
	errs, n = [], 0
	for e in events:
		if e.get("event_type") != "alert" or ev_key(e) not in encap:
			continue
		n += 1
		want = TUNNEL_SRC[encap[ev_key(e)]]
		t = e.get("tunnel")
		if want is None:
			if e.get("pkt_src") != "wire/pcap" or t is not None:
				errs.append("%s (%s): pkt_src %r, tunnel %r" % (ev_key(e), encap[ev_key(e)], e.get("pkt_src"), t))
			continue
		ok = (e.get("pkt_src") == want[0] and isinstance(t, dict) and t.get("proto") == want[1] and
		      t.get("depth") == 1 and t.get("pkt_src") == "wire/pcap" and t.get("src_ip") and t.get("dest_ip") and
		      e.get("ip_v") in (4, 6))
		if not ok:
			errs.append("%s (%s): pkt_src %r, tunnel %r, ip_v %r" % (ev_key(e), encap[ev_key(e)], e.get("pkt_src"),
									     t, e.get("ip_v")))
	R.check("%s: %d alerts: pkt_src and the carrier's tunnel object (proto, depth) of each encapsulation" % (label, n),
		n > 0 and not errs, "\n".join(errs))


def check_tunnels(label, events, exp):
	"""VLAN ids of the inner flows, encapsulation counters, no decoder event."""
	check_alert_tunnels(label, events, exp)
	flows = {ev_key(e): e for e in events if e.get("event_type") == "flow"}
	errs = []
	for f in exp["flows"]:
		rec = flows.get(flow_key(f))
		if rec is None:
			continue  # check_events reported it
		if rec.get("vlan") != f.get("vlan"):
			errs.append("%s (%s): vlan expected %r, got %r" % (flow_key(f), f["encap"], f.get("vlan"), rec.get("vlan")))
	R.check("%s: VLAN ids of the inner flows (ERSPAN I: the mirrored frame's tag, II: the session's)" % label,
		not errs, "\n".join(errs))
	stats = [e for e in events if e.get("event_type") == "stats"]
	if not stats:
		return
	dec = stats[-1]["stats"]["decoder"]
	pkts = collections.Counter()
	for f in exp["flows"]:
		pkts[f["encap"]] += f["pkts_toserver"] + f["pkts_toclient"]
	want = {k: sum(pkts[e] for e in v) for k, v in COUNTERS.items()}
	got = {k: dec.get(k) for k in COUNTERS}
	R.check("%s: stats.decoder encapsulation counters are the packets sent through each" % label, got == want,
		"\n".join("%s: expected %r, got %r" % (k, want[k], got[k]) for k in sorted(want) if want[k] != got[k]))
	evs = dec.get("event", {})
	nonzero = ["%s.%s=%d" % (g, k, v) for g, o in evs.items() if isinstance(o, dict) for k, v in o.items() if v]
	R.check("%s: no decoder event, stats.decoder.invalid 0" % label, not nonzero and dec.get("invalid") == 0,
		"events: %s, invalid %r" % (", ".join(nonzero), dec.get("invalid")))


def frag_carrier_pcap(path):
	"""GRE-carried TCP session; carriers of the server's 1400-byte segments are
	fragmented (in order) at 600 bytes.  Returns (packets to server, to client) on
	the wire, each fragment counted."""
	from scapy.all import IP, GRE, TCP, Ether, Raw, fragment, wrpcap
	out, t = [], [1700000000.0]
	cnt = [0, 0]

	def add(frames, to_server):
		for f in frames:
			f.time = t[0]
			t[0] += 0.001
			out.append(f)
			cnt[0 if to_server else 1] += 1

	def carrier(inner, to_server):
		o = IP(src="192.0.2.1", dst="192.0.2.2") if to_server else IP(src="192.0.2.2", dst="192.0.2.1")
		return o / GRE() / inner

	cli, srv = IP(src="10.9.0.1", dst="10.9.0.2"), IP(src="10.9.0.2", dst="10.9.0.1")
	cs, ss = 1000, 5000
	add([Ether() / carrier(cli / TCP(sport=40000, dport=80, flags="S", seq=cs), True)], True)
	add([Ether() / carrier(srv / TCP(sport=80, dport=40000, flags="SA", seq=ss, ack=cs + 1), False)], False)
	cs, ss = cs + 1, ss + 1
	add([Ether() / carrier(cli / TCP(sport=40000, dport=80, flags="A", seq=cs, ack=ss), True)], True)
	req = b"GET /frag HTTP/1.1\r\nHost: x\r\n\r\n"
	add([Ether() / carrier(cli / TCP(sport=40000, dport=80, flags="PA", seq=cs, ack=ss) / Raw(req), True)], True)
	cs += len(req)
	for i in range(6):
		body = bytes([0x41 + i]) * 1400
		pkt = carrier(srv / TCP(sport=80, dport=40000, flags="A", seq=ss, ack=cs) / Raw(body), False)
		add([Ether() / f for f in fragment(pkt, fragsize=600)], False)
		ss += len(body)
		if i % 2:
			add([Ether() / carrier(cli / TCP(sport=40000, dport=80, flags="A", seq=cs, ack=ss), True)], True)
	add([Ether() / carrier(srv / TCP(sport=80, dport=40000, flags="FA", seq=ss, ack=cs), False)], False)
	add([Ether() / carrier(cli / TCP(sport=40000, dport=80, flags="FA", seq=cs, ack=ss + 1), True)], True)
	add([Ether() / carrier(srv / TCP(sport=80, dport=40000, flags="A", seq=ss + 1, ack=cs + 1), False)], False)
	wrpcap(path, out)
	return cnt


def check_frag_carriers(sw, cfg, rules, work):
	pcap = os.path.join(work, "frag_carrier.pcap")
	n_ts, n_tc = frag_carrier_pcap(pcap)
	sets = {}
	for nt in (1, 2, 4):
		label = "GRE carriers in fragments --threads %d" % nt
		rc, _, _, ev = sw.run(["-c", cfg, "-r", pcap, "-S", rules, "--threads", str(nt), "-k", "none"], label)
		if rc != 0:
			continue
		flows = [e for e in ev if e.get("event_type") == "flow"]
		got = [(e.get("src_ip"), e.get("src_port"), e.get("dest_ip"), e.get("dest_port"),
			e["flow"].get("pkts_toserver"), e["flow"].get("pkts_toclient")) for e in flows]
		want = [("10.9.0.1", 40000, "10.9.0.2", 80, n_ts, n_tc)]
		R.check("%s: one flow record for the inner session, every fragment counted" % label, got == want,
			"want %r, got %r" % (want, got))
		sets[nt] = event_set(ev)
	same_events("GRE carriers in fragments", sets)


def main():
	a = offline.e2e_args(lambda ap: ap.add_argument("--no-regen", action="store_true",
							help="skip the fixtures-are-current check"))
	fix = os.path.join(a.src, "tests", "fixtures", "pcap")
	rules = os.path.join(a.src, "tests", "e2e", "tunnel.rules")
	meta = offline.load_rules_meta(rules, offline.repo_classes(a.src))
	work = a.keep or tempfile.mkdtemp(prefix="sw-tunnel-e2e-")
	os.makedirs(work, exist_ok=True)
	sw = Runner(a, work)
	try:
		if not a.no_regen:
			offline.check_generated(a, work, fix, "tunnel.py")
		offline.check_rules_load(a, rules)
		cfg = os.path.join(work, "eve.yaml")
		with open(cfg, "w") as fh:
			fh.write(EVE % "")
		port_cfg = os.path.join(work, "port.yaml")
		with open(port_cfg, "w") as fh:
			fh.write(EVE % PORT_CFG)

		exp = json.load(open(os.path.join(fix, "tunnel.json")))
		sets = {}
		for nt in (1, 2, 4):
			label = "tunnel.pcap --threads %d" % nt
			rc, _, _, ev = sw.run(["-c", cfg, "-r", os.path.join(fix, "tunnel.pcap"), "-S", rules,
					       "--threads", str(nt)], label)
			if rc == 0:
				check_events(label, ev, exp, meta)
				check_tunnels(label, ev, exp)
				sets[nt] = event_set(ev)
		same_events("tunnel.pcap", sets)

		pexp = json.load(open(os.path.join(fix, "tunnel_port.json")))
		pcap = os.path.join(fix, "tunnel_port.pcap")
		label = "tunnel_port.pcap, default ports"
		rc, _, _, ev = sw.run(["-c", cfg, "-r", pcap, "-S", rules], label)
		if rc == 0:
			alerts = [e for e in ev if e.get("event_type") == "alert"]
			flows = [(e.get("proto"), e.get("dest_port")) for e in ev if e.get("event_type") == "flow"]
			# each VTEP sends to the other's 8472: two outer UDP flows
			R.check("%s: no alert, two flows: the outer UDP to 8472 of each side" % label,
				not alerts and flows == [("UDP", 8472)] * 2, "alerts %d, flows %r" % (len(alerts), flows))
		label = "tunnel_port.pcap, decoder.vxlan.ports [4789, 8472]"
		rc, _, _, ev = sw.run(["-c", port_cfg, "-r", pcap, "-S", rules], label)
		if rc == 0:
			check_events(label, ev, pexp, meta)
			check_tunnels(label, ev, pexp)
		check_frag_carriers(sw, cfg, rules, work)
	finally:
		if not a.keep:
			shutil.rmtree(work, ignore_errors=True)

	print("%d passed, %d failed" % (R.passed, R.failed))
	return 1 if R.failed else 0


if __name__ == "__main__":
	sys.exit(main())
