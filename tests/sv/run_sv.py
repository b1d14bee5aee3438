#!/usr/bin/python3
"""Run sidewall against suricata-verify (https://github.com/OISF/suricata-verify)
tests and evaluate their EVE `filter` checks.

usage:
  run_sv.py [--sv DIR] [--git-dir GIT] [--extract] [--sidewall BIN]
            [--emulate-version 8.0.0] [--timeout 30] [--out DIR]
            [--json FILE] [--all-http] [--all-tls] [--all-dns] [--all-state] [-v] [TEST ...]

  --sv DIR        suricata-verify checkout (holds tests/); default /tmp/sv
  --git-dir GIT   bare git dir of suricata-verify (from the `fetch` tool); with
                  --extract, the selected tests' files (pcaps included) are
                  written under --sv from its HEAD (first every test's
                  test.yaml, *.rules and suricata.yaml, so that the selection
                  works on an empty --sv; then all files of the selected tests)
  --all-http      select every test whose name contains "http" (not http2 /
                  doh / websocket) or whose rules use http.* / http_* /
                  uricontent (the default when no TEST and no other --all-*
                  is named)
  --all-tls       every test whose name contains tls / ssl / ja3 / ja4 or
                  whose rules use tls.* / tls_* / ja3* / ja4* / ssl_version /
                  ssl_state, except QUIC and DTLS ones (sidewall has neither)
  --all-dns       every test whose name contains dns or whose rules use
                  dns.* / dns_*, except DNS over HTTP/2 (doh, no HTTP/2 in
                  sidewall) and mDNS (sidewall parses DNS on port 53 only)
                  (the --all-* options add up)
  --all-state     flowint, xbits, hostbits, threshold / detection_filter /
                  threshold.config, stream_size, flow.pkts/bytes/age, noalert,
                  tag tests by name or rule keyword, and the load-time rule
                  validation tests (test-bad-*dsize*, *fast-pattern*, *content*)
  TEST            run only these test names
  --out DIR       where each test's eve.json goes (DIR/<test>/); default
                  /tmp/sv-out
  --json FILE     also write the per-test results as JSON

Per test: requirements are checked against --emulate-version (Suricata
version sidewall is compared to) and an empty feature set; the rules are
checked with `sidewall -T` (rejected rules -> SKIP, but the test is still run
with the accepted rules and its would-be result is recorded as `partial`);
then `sidewall -r PCAP -S RULES -l OUT -k none --threads 1` runs (30 s limit),
with -c only for the few Suricata settings sidewall has (test args `--set` /
the test's suricata.yaml: libhtp default-config limits and personality,
http enabled, stream.midstream / async-oneside / reassembly.depth,
host-os-policy, tls enabled / ja3-fingerprints /
ja4-fingerprints, dns enabled); every other setting is reported as a config
dependency. Checks: `filter` checks on eve.json records of the types sidewall
writes (alert, flow, http, dns, tls, drop, stats) are evaluated with suricata-verify's
semantics (run.py FilterCheck); filters on other types, other files, and
shell / stats / file-compare checks are skipped and listed.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

SIDEWALL_TYPES = {"alert", "flow", "http", "dns", "tls", "drop", "stats"}
# objects of an event type (a filter without event_type naming one of these as
# its first path component is treated as on that type: evaluated for the
# SIDEWALL_TYPES, skipped for the others)
OTHER_OBJS = {"fileinfo", "anomaly", "tls", "dns", "smtp", "files", "ftp",
              "ftp_data", "smb", "dcerpc", "ssh", "nfs", "krb5", "mqtt",
              "http2", "quic", "sip", "rfb", "snmp", "tftp", "dhcp", "ike",
              "pgsql", "engine", "netflow", "frame", "email", "websocket",
              "ldap", "pop3", "imap", "arp", "bittorrent_dht", "rdp",
              "modbus", "dnp3", "enip", "mdns", "doh2"}
COMPARISON_OPERATORS = {"__gt": ">", "__gte": ">=", "__lt": "<", "__lte": "<="}

HTTP_NAME_RE = re.compile(r"http", re.I)
HTTP_EXCL_RE = re.compile(r"http2|doh|websocket", re.I)
HTTP_KW_RE = re.compile(r"(?<![\w.])(http\.[a-z_.]+|http_[a-z_]+|uricontent)\s*[;:]")

TLS_NAME_RE = re.compile(r"tls|ssl|ja3|ja4", re.I)
TLS_EXCL_RE = re.compile(r"quic|dtls", re.I)
TLS_KW_RE = re.compile(r"(?<![\w.])(tls\.[a-z_.]+|tls_[a-z_]+|ja3s?[._][a-z_.]+|"
                       r"ja4[._][a-z_.]+|ssl_version|ssl_state)\s*[;:]")

DNS_NAME_RE = re.compile(r"dns", re.I)
DNS_EXCL_RE = re.compile(r"doh|over-http2|mdns", re.I)
DNS_KW_RE = re.compile(r"(?<![\w.])(dns\.[a-z_.]+|dns_[a-z_]+)\s*[;:]")

# stateful keywords and load-time rule validation (docs/stateful.md)
STATE_NAME_RE = re.compile(r"flowint|xbits|hostbits|threshold|detection.filter|streamsize|flow-pkts|"
                           r"flow-bytes|flow-age|noalert|eve-tag|test-bad-.*(dsize|fast-pattern|content)|"
                           r"test-content-limits|test-dsize", re.I)
STATE_EXCL_RE = re.compile(r"lua|firewall|unix-socket", re.I)
STATE_KW_RE = re.compile(r"(?<![\w.])(flowint|xbits|hostbits|detection_filter|threshold|stream_size|"
                         r"flow\.(pkts|bytes|age)\w*|tag)\s*:")

# selection name -> (name pattern, exclusion pattern, rule keyword pattern)
SELECTIONS = {
    "state": (STATE_NAME_RE, STATE_EXCL_RE, STATE_KW_RE),
    "http": (HTTP_NAME_RE, HTTP_EXCL_RE, HTTP_KW_RE),
    "tls": (TLS_NAME_RE, TLS_EXCL_RE, TLS_KW_RE),
    "dns": (DNS_NAME_RE, DNS_EXCL_RE, DNS_KW_RE),
}

# Suricata settings sidewall also has (same key path, same meaning)
SUPPORTED_SET = {
    "threshold-file",  # ${TEST_DIR} is the test's directory, as run.py substitutes it
    "app-layer.protocols.http.enabled",
    "app-layer.protocols.http.memcap",
    "app-layer.protocols.http.libhtp.default-config.personality",
    "app-layer.protocols.http.libhtp.default-config.request-body-limit",
    "app-layer.protocols.http.libhtp.default-config.response-body-limit",
    "app-layer.protocols.http.libhtp.default-config.response-body-decompress-layer-limit",
    "app-layer.protocols.http.libhtp.default-config.double-decode-path",
    "app-layer.protocols.http.libhtp.default-config.double-decode-query",
    "app-layer.protocols.http.libhtp.default-config.meta-field-limit",
    "stream.midstream",
    "stream.async-oneside",
    "stream.reassembly.depth",
    "app-layer.protocols.tls.enabled",
    "app-layer.protocols.tls.ja3-fingerprints",
    "app-layer.protocols.tls.ja4-fingerprints",
    "app-layer.protocols.dns.enabled",
}
# Suricata defaults for settings that matter to these tests (a test's
# suricata.yaml that sets one of these to a different value is config-dependent)
INTERESTING_PREFIXES = ("app-layer.protocols.http.", "stream.", "detect.",
                        "app-layer.protocols.tls.", "app-layer.protocols.dns.",
                        "vars.", "app-layer.protocols.http2", "defrag.",
                        "flow.", "exception-policy", "pcap-file.",
                        "decoder.", "host-os-policy", "threshold-file",
                        "config", "engine-analysis")


# ---------------------------------------------------------------- versions

def parse_version(v):
    parts = [int(x) for x in re.findall(r"\d+", str(v))]
    return parts


def vcmp(a, b, n):
    """compare the first n components."""
    a = (a + [0, 0, 0])[:n]
    b = (b + [0, 0, 0])[:n]
    return (a > b) - (a < b)


class Unsatisfied(Exception):
    pass


def check_requires(req, emu, test_dir):
    """raise Unsatisfied for requirements sidewall (as Suricata `emu`) lacks."""
    if not req:
        return
    ev = parse_version(emu)
    for key, val in req.items():
        if key == "min-version":
            v = parse_version(val)
            if vcmp(ev, v, len(v)) < 0:
                raise Unsatisfied("min-version %s" % val)
        elif key == "lt-version":
            v = parse_version(val)
            if vcmp(ev, v, len(v)) >= 0:
                raise Unsatisfied("lt-version %s" % val)
        elif key == "gt-version":
            v = parse_version(val)
            if vcmp(ev, v, len(v)) <= 0:
                raise Unsatisfied("gt-version %s" % val)
        elif key == "version":
            v = parse_version(val)
            if vcmp(ev, v, len(v)) != 0:
                raise Unsatisfied("version %s" % val)
        elif key == "features":
            if val:
                raise Unsatisfied("features " + ",".join(val))
        elif key == "files":
            raise Unsatisfied("suricata source files " + ",".join(val))
        elif key == "script":
            raise Unsatisfied("script requirement")
        elif key == "env":
            raise Unsatisfied("env " + ",".join(val))
        elif key == "lambda":
            # run.py eval()s it; only the sys.platform tests the suite uses
            m = re.match(r"""^\s*sys\.platform\s*(==|!=)\s*["']([^"']*)["']\s*$""", str(val))
            if not m:
                raise Unsatisfied("lambda " + str(val))
            if (sys.platform == m.group(2)) != (m.group(1) == "=="):
                raise Unsatisfied("lambda " + str(val))
        elif key == "os":
            if not sys.platform.startswith(str(val).lower()):
                raise Unsatisfied("os " + str(val))
        elif key == "arch":
            pass
        elif key == "pcap":
            pass
        else:
            raise Unsatisfied("unknown requires %s" % key)


# ---------------------------------------------------------------- matching

def find_value(name, obj):
    for part in name.split("."):
        if part == "__len":
            try:
                return len(obj)
            except TypeError:
                return -1
        if part in ("__contains", "__find", "__startswith", "__endswith",
                    *COMPARISON_OPERATORS):
            break
        m = re.match(r"^(.*)\[(\d+)\]$", part)
        if m:
            pname, index = m.group(1), int(m.group(2))
        else:
            pname, index = part, None
        if not isinstance(obj, dict) or pname not in obj:
            return None
        obj = obj[pname]
        if index is not None:
            try:
                obj = obj[index]
            except (IndexError, KeyError, TypeError):
                return None
    return obj


def cmp_num(actual, expected, op):
    if isinstance(actual, bool) or isinstance(expected, bool):
        return False
    if not isinstance(actual, (int, float)) or not isinstance(expected, (int, float)):
        return False
    return {"__gt": actual > expected, "__gte": actual >= expected,
            "__lt": actual < expected, "__lte": actual <= expected}[op]


def event_matches(match, event):
    for key, expected in match.items():
        if key in ("has-key", "not-has-key"):
            items = expected if isinstance(expected, list) else [expected]
            for it in items:
                v = find_value(it, event)
                if key == "has-key" and v is None:
                    return False
                if key == "not-has-key" and v is not None:
                    return False
            continue
        val = find_value(key, event)
        try:
            if key.endswith("__find"):
                if val is None or val.find(expected) < 0:
                    return False
            elif key.endswith("__contains"):
                if val is None or expected not in val:
                    return False
            elif key.endswith("__startswith"):
                if val is None or not val.startswith(expected):
                    return False
            elif key.endswith("__endswith"):
                if val is None or not val.endswith(expected):
                    return False
            else:
                op = key.rsplit(".", 1)[-1]
                if op in COMPARISON_OPERATORS:
                    if not cmp_num(val, expected, op):
                        return False
                elif val != expected:
                    return False
        except (AttributeError, TypeError):
            return False
    return True


def filter_event_type(match):
    et = match.get("event_type")
    if et is not None:
        return et
    for k in match:
        if k in ("has-key", "not-has-key"):
            continue
        top = re.sub(r"\[\d+\]$", "", k.split(".")[0])
        if top in OTHER_OBJS:
            return top
    return None


# ---------------------------------------------------------------- selection

def rules_text(td, cfg):
    txt = ""
    for f in glob.glob(os.path.join(td, "*.rules")):
        try:
            txt += open(f, errors="replace").read() + "\n"
        except OSError:
            pass
    return txt


def load_cfg(td):
    p = os.path.join(td, "test.yaml")
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return yaml.safe_load(f) or {}


def selected(name, td, which="http"):
    name_re, excl_re, kw_re = SELECTIONS[which]
    if excl_re.search(name):
        return False
    if name_re.search(name):
        return True
    try:
        cfg = load_cfg(td)
    except Exception:
        cfg = {}
    txt = "\n".join(l for l in rules_text(td, cfg).splitlines()
                    if not l.lstrip().startswith("#"))
    return bool(kw_re.search(txt))


def list_tests(tdir):
    """test dirs under tests/: top-level ones, and nested ones (a parent
    without test.yaml holding sub-directories that have one), by relative path."""
    out = []
    for n in sorted(os.listdir(tdir)):
        d = os.path.join(tdir, n)
        if not os.path.isdir(d):
            continue
        subs = [s for s in sorted(os.listdir(d))
                if os.path.exists(os.path.join(d, s, "test.yaml"))]
        if subs and not os.path.exists(os.path.join(d, "test.yaml")):
            out += [n + "/" + s for s in subs]
        else:
            out.append(n)
    return out


def ls_tree(git_dir):
    return subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-l",
                           "HEAD", "tests/"], capture_output=True, text=True,
                          check=True).stdout


def write_blobs(git_dir, sv, want):
    """want: [(sha, path)] -> paths missing from the snapshot."""
    missing = []
    if not want:
        return missing
    p = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                       input="".join(s + "\n" for s, _ in want).encode(),
                       capture_output=True, check=True)
    buf, i = p.stdout, 0
    for sha, path in want:
        nl = buf.index(b"\n", i)
        hdr = buf[i:nl].decode().split()
        if hdr[1] == "missing":
            missing.append(path)
            i = nl + 1
            continue
        sz = int(hdr[2])
        data = buf[nl + 1:nl + 1 + sz]
        i = nl + 1 + sz + 1
        dest = os.path.join(sv, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)
    return missing


def extract_meta(git_dir, sv):
    """write every test's test.yaml, *.rules and suricata.yaml (what the
    selection reads) from the bare repo HEAD, when not there yet."""
    want = []
    for line in ls_tree(git_dir).splitlines():
        meta, path = line.split("\t", 1)
        if meta.split()[1] != "blob":
            continue
        b = os.path.basename(path)
        if b in ("test.yaml", "suricata.yaml") or b.endswith(".rules"):
            if not os.path.exists(os.path.join(sv, path)):
                want.append((meta.split()[2], path))
    return write_blobs(git_dir, sv, want)


def extract(git_dir, sv, names):
    """write tests/<name>/ (and referenced pcaps) from the bare repo HEAD."""
    out = ls_tree(git_dir)
    want = []
    names = set(names)
    extra = set()
    for n in names:
        try:
            cfg = load_cfg(os.path.join(sv, "tests", n))
        except Exception:
            cfg = {}
        if isinstance(cfg.get("pcap"), str):
            extra.add(os.path.normpath(os.path.join("tests", n, cfg["pcap"])))
    for line in out.splitlines():
        meta, path = line.split("\t", 1)
        mode, typ, sha, size = meta.split()
        if typ != "blob":
            continue
        if any(path.startswith("tests/" + n + "/") for n in names) or path in extra:
            dest = os.path.join(sv, path)
            if not os.path.exists(dest):
                want.append((sha, path))
    return write_blobs(git_dir, sv, want)


# ---------------------------------------------------------------- config

def flatten(d, prefix=""):
    out = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(flatten(v, prefix + str(k) + "."))
    else:
        out[prefix[:-1]] = d
    return out


def set_path(d, path, val):
    parts = path.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = val


def yaml_scalar(s):
    try:
        return yaml.safe_load(s)
    except Exception:
        return s


def load_suricata_yaml(path):
    txt = open(path, errors="replace").read()
    # suricata.yaml uses %YAML 1.1 and sometimes `include:`; be lenient
    txt = re.sub(r"^%YAML.*$", "", txt, flags=re.M)
    try:
        return yaml.safe_load(txt) or {}
    except Exception:
        return {}


def eve_logger_options(doc, types):
    """[(type.option, value)] of outputs: - eve-log: types: - TYPE: {options}."""
    out = []
    outputs = doc.get("outputs") if isinstance(doc, dict) else None
    for o in outputs if isinstance(outputs, list) else []:
        eve = o.get("eve-log") if isinstance(o, dict) else None
        tl = eve.get("types") if isinstance(eve, dict) else None
        for it in tl if isinstance(tl, list) else []:
            if not isinstance(it, dict):
                continue
            for t, opts in it.items():
                if t in types and isinstance(opts, dict):
                    out += [("%s.%s" % (t, k), v) for k, v in opts.items()
                            if k != "enabled"]
    return out


def supported(k):
    """A Suricata setting sidewall has: SUPPORTED_SET, and host-os-policy's
    per-policy address lists (same names, same meaning)."""
    return k in SUPPORTED_SET or k.startswith("host-os-policy.")


def is_var(k):
    """vars.address-groups.NAME / vars.port-groups.NAME of a test's suricata.yaml"""
    return k.startswith(("vars.address-groups.", "vars.port-groups."))


def build_config(td, cfg, tmpdir):
    """-> (path or None, notes[list of str], ips bool, args_unhandled)"""
    sets = {}
    notes = []
    ips = "ips" in os.path.basename(td)
    for a in cfg.get("args", []) or []:
        toks = str(a).split()
        i = 0
        while i < len(toks):
            t = toks[i]
            if t == "-k" and i + 1 < len(toks):
                i += 2
                continue
            if t == "--simulate-ips":
                ips = True
            elif t == "--set" and i + 1 < len(toks):
                k, _, v = toks[i + 1].partition("=")
                sets[k] = yaml_scalar(v)
                i += 1
            elif t.startswith("--set="):
                k, _, v = t[6:].partition("=")
                sets[k] = yaml_scalar(v)
            else:
                notes.append("arg " + t)
            i += 1
    # run.py puts the test's `env:` into Suricata's environment (e.g.
    # SURICATA_EVE_DNS_VERSION: 2 for the v2 dns format); sidewall has none
    for k, v in (cfg.get("env") or {}).items() if isinstance(cfg.get("env"), dict) else []:
        notes.append("env %s=%s" % (k, v))
    sy = os.path.join(td, "suricata.yaml")
    if os.path.exists(sy):
        flat = flatten(load_suricata_yaml(sy))
        keys = [k for k in flat if k.startswith(INTERESTING_PREFIXES)]
        for k in keys:
            if (supported(k) or is_var(k)) and k not in sets:
                sets[k] = flat[k]
        other = [k for k in keys if not supported(k)
                 and not k.startswith("vars.")]
        raw = open(sy, errors="replace").read()
        for kw in ("dump-all-headers", "extended", "http-body", "custom",
                   "metadata", "payload", "tagged-packets"):
            m = re.search(r"^\s*-?\s*%s:\s*(\S.*)$" % kw, raw, re.M)
            if m and not m.group(0).lstrip().startswith("#"):
                other.append("eve." + kw)
                flat["eve." + kw] = m.group(1).strip()
        # options of the eve dns / tls loggers (sidewall writes the v3 dns
        # format with every record type, and its fixed tls field set)
        for k, v in eve_logger_options(load_suricata_yaml(sy), ("dns", "tls")):
            if "eve." + k.split(".")[-1] not in other:
                other.append("eve." + k)
                flat["eve." + k] = v
        notes.append("suricata.yaml%s" % (
            (" (" + ", ".join("%s=%s" % (k, flat[k]) for k in other[:12]) +
             (" ..." if len(other) > 12 else "") + ")") if other else ""))
    conf = {}
    for k, v in sets.items():
        if isinstance(v, str):
            v = v.replace("${TEST_DIR}", os.path.abspath(td))
        if is_var(k):
            # address and port groups: names may hold dots, so not set_path
            conf.setdefault("vars", {}).setdefault(k.split(".")[1], {})[k.split(".", 2)[2]] = v
        elif supported(k):
            set_path(conf, k, v)
        else:
            notes.append("--set %s=%s" % (k, v))
    path = None
    if conf:
        path = os.path.join(tmpdir, "sidewall.yaml")
        with open(path, "w") as f:
            f.write("%YAML 1.1\n---\n")
            yaml.safe_dump(conf, f, default_flow_style=False)
    return path, notes, ips


# ---------------------------------------------------------------- one test

def run_test(name, sv, args):
    td = os.path.join(sv, "tests", name)
    if not os.path.isdir(td):
        return {"name": name, "status": "SKIP", "reason": "no such test",
                "checks": [], "config_notes": [], "rule_errors": []}
    res = {"name": name, "status": None, "reason": "", "checks": [],
           "config_notes": [], "rule_errors": [], "partial": None}
    try:
        cfg = load_cfg(td)
    except Exception as e:
        res.update(status="SKIP", reason="bad test.yaml: %s" % e)
        return res
    try:
        check_requires(cfg.get("requires"), args.emulate_version, td)
        if "min-version" in cfg:
            check_requires({"min-version": cfg["min-version"]},
                           args.emulate_version, td)
    except Unsatisfied as e:
        res.update(status="SKIP", reason="requires: %s" % e)
        return res
    if cfg.get("skip") is True:
        res.update(status="SKIP", reason="skipped by default")
        return res
    if "command" in cfg:
        res.update(status="SKIP", reason="custom command")
        return res
    req = cfg.get("requires") or {}
    if req.get("pcap") is False or ("pcap" in cfg and not cfg["pcap"]):
        # a rule-loading test: compare `sidewall -T` with the expected exit
        rules = sorted(glob.glob(os.path.join(td, "*.rules")))
        if len(rules) != 1:
            res.update(status="SKIP", reason="no pcap (pcap: false)")
            return res
        p = subprocess.run([args.sidewall, "-T", "-S", rules[0]], capture_output=True,
                           text=True, timeout=args.timeout)
        res["rule_errors"] = [l.replace(rules[0], os.path.basename(rules[0]))
                              for l in (p.stdout + p.stderr).splitlines() if l.startswith(rules[0])]
        summary = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("rules:")]
        want_ok = cfg.get("exit-code", 0) == 0
        got_ok = p.returncode == 0
        if want_ok and not got_ok:
            res.update(status="SKIP", reason="rules rejected by sidewall -T (rule-load "
                       "test, pcap: false; %s)" % (summary[0] if summary else ""))
            return res
        res.update(status="PASS" if want_ok == got_ok else "FAIL",
                   reason="rule-load test (pcap: false): Suricata %s, sidewall -T %s (%s)" % (
                       "loads all" if want_ok else "fails (exit-code %s)" % cfg.get("exit-code"),
                       "ok" if got_ok else "fails", summary[0] if summary else ""))
        return res
    if isinstance(cfg.get("pcap"), str):
        pcaps = [os.path.normpath(os.path.join(td, cfg["pcap"]))]
        if not os.path.exists(pcaps[0]):
            res.update(status="SKIP", reason="pcap not in snapshot: %s" % cfg["pcap"])
            return res
    else:
        pcaps = sorted(glob.glob(os.path.join(td, "*.pcap")) +
                       glob.glob(os.path.join(td, "*.pcapng")))
        if not pcaps:
            res.update(status="SKIP", reason="no pcap (or not in snapshot)")
            return res
        if len(pcaps) > 1:
            res.update(status="SKIP", reason="more than one pcap")
            return res
    rules = sorted(glob.glob(os.path.join(td, "*.rules")))
    if any(r.endswith("firewall.rules") for r in rules):
        res.update(status="SKIP", reason="firewall rules")
        return res
    if len(rules) > 1:
        res.update(status="SKIP", reason="more than one rules file")
        return res
    if rules:
        base = os.path.basename(rules[0])
        m = re.match(r"^min(.*)\.rules$", base)
        if m:
            v = parse_version(m.group(1))
            if vcmp(parse_version(args.emulate_version), v, len(v)) < 0:
                rules = []

    outdir = os.path.join(args.out, name)
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    cfgpath, notes, ips = build_config(td, cfg, outdir)
    res["config_notes"] = notes
    if cfgpath:
        res["config_notes"].append("-c " + json.dumps(
            yaml.safe_load(open(cfgpath).read().split("---", 1)[1])))
    if rules:
        rulefile = rules[0]
    else:
        # sidewall refuses to run without rules: one that never matches
        rulefile = os.path.join(outdir, "none.rules")
        with open(rulefile, "w") as f:
            f.write('alert tcp any any -> any any (msg:"sv placeholder"; '
                    'content:"|00|sv-placeholder-never|00|"; sid:2147483000;)\n')

    base = [args.sidewall]
    if cfgpath:
        base += ["-c", cfgpath]
    # 1. rules check
    p = subprocess.run(base + ["-T", "-S", rulefile], capture_output=True,
                       text=True, timeout=args.timeout)
    rule_errs = [l for l in p.stderr.splitlines() + p.stdout.splitlines()
                 if l.startswith(rulefile) or "error" in l.lower()]
    rule_errs = [l.replace(rulefile, os.path.basename(rulefile)) for l in rule_errs]
    res["rule_errors"] = rule_errs
    tfail = p.returncode != 0
    if tfail and not rule_errs:
        res["rule_errors"] = [l for l in (p.stderr + p.stdout).splitlines()][-5:]

    # 2. run
    cmd = base + ["-r", pcaps[0], "-S", rulefile, "-l", outdir, "-k", "none",
                  "--threads", "1"]
    if ips:
        cmd.append("--simulate-ips")
    res["cmd"] = " ".join(cmd)
    expected_rc = cfg.get("exit-code", 0)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=args.timeout, cwd=outdir)
        rc = p.returncode
        stderr = p.stderr
    except subprocess.TimeoutExpired as e:
        rc = "timeout"
        stderr = (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
    with open(os.path.join(outdir, "stderr"), "w") as f:
        f.write(stderr)
    if expected_rc != 0 and tfail:
        # Suricata runs with --init-errors-fatal: a rule error is its non-zero
        # exit; sidewall's equivalent is -T failing
        rc = expected_rc
    if rc != expected_rc and tfail and "no rules loaded" in stderr:
        res.update(status="SKIP", reason="rules rejected by sidewall -T (none loaded)")
        return res
    if rc != expected_rc:
        res.update(status="ERROR", reason="exit %s (expected %s)" % (rc, expected_rc),
                   stderr=stderr[-2000:])
        return res

    # 3. checks
    eve = os.path.join(outdir, "eve.json")
    events = []
    if os.path.exists(eve):
        with open(eve, errors="replace") as f:
            for line in f:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass
    failed = []
    applied = 0
    for i, check in enumerate(cfg.get("checks") or []):
        for kind, body in check.items():
            c = {"n": i + 1, "kind": kind}
            if kind != "filter":
                c["result"] = "skipped (%s check)" % kind
                res["checks"].append(c)
                continue
            body = body or {}
            match = body.get("match") or {}
            c["match"] = match
            c["expected"] = body.get("count")
            try:
                check_requires(body.get("requires"), args.emulate_version, td)
            except Unsatisfied as e:
                c["result"] = "skipped (requires %s)" % e
                res["checks"].append(c)
                continue
            if body.get("filename") and body["filename"] != "eve.json":
                c["result"] = "skipped (file %s)" % body["filename"]
                res["checks"].append(c)
                continue
            et = filter_event_type(match)
            if et is not None and et not in SIDEWALL_TYPES:
                c["result"] = "skipped (event type %s)" % et
                res["checks"].append(c)
                continue
            if et == "stats":
                absent = [k for k in match if k != "event_type" and
                          not any(find_value(k, ev) is not None
                                  for ev in events if ev.get("event_type") == "stats")]
                if absent:
                    c["result"] = "skipped (stats counter not in sidewall: %s)" % ", ".join(absent)
                    res["checks"].append(c)
                    continue
            n = sum(1 for ev in events if event_matches(match, ev))
            c["got"] = n
            if n != body.get("count"):
                # diagnosis: keys sidewall never writes on this event type,
                # and the count without them
                same = [ev for ev in events if et is None or ev.get("event_type") == et]
                never = [k for k in match if k not in ("has-key", "not-has-key")
                         and not k.endswith("__len")
                         and all(find_value(k, ev) is None for ev in same)]
                if same and len(match) > 3:
                    # the closest record of the type, and where it differs
                    def score(ev):
                        return sum(1 for k, v in match.items()
                                   if event_matches({k: v}, ev))
                    best = max(same, key=score)
                    c["closest_diff"] = {k: find_value(k, best) for k, v in match.items()
                                         if not event_matches({k: v}, best)}
                if not same:
                    c["note"] = "no %s records at all" % (et or "matching")
                elif never:
                    c["fields_never_written"] = never
                    relaxed = {k: v for k, v in match.items() if k not in never}
                    c["got_without_them"] = sum(1 for ev in events if event_matches(relaxed, ev))
            applied += 1
            if n == body.get("count"):
                c["result"] = "pass"
            else:
                c["result"] = "FAIL"
                failed.append(c)
            res["checks"].append(c)
    if applied == 0:
        verdict = ("NOCHECK", "no applicable checks (sidewall ran, exit %s)" % rc)
    elif failed:
        verdict = ("FAIL", "; ".join("check %d: expected %s got %s" % (
            c["n"], c["expected"], c["got"]) for c in failed))
    else:
        verdict = ("PASS", "%d checks" % applied)
    if tfail:
        res["partial"] = verdict[0]
        res.update(status="SKIP", reason="rules rejected by sidewall -T (with the accepted rules: %s)" % verdict[0])
    elif verdict[0] == "NOCHECK":
        res.update(status="SKIP", reason=verdict[1])
    else:
        res.update(status=verdict[0], reason=verdict[1])
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sv", default="/tmp/sv")
    ap.add_argument("--git-dir")
    ap.add_argument("--extract", action="store_true")
    ap.add_argument("--sidewall", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "lead", "sidewall"))
    ap.add_argument("--emulate-version", default="8.0.0")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--out", default="/tmp/sv-out")
    ap.add_argument("--json")
    ap.add_argument("--all-http", action="store_true")
    ap.add_argument("--all-tls", action="store_true")
    ap.add_argument("--all-dns", action="store_true")
    ap.add_argument("--all-state", action="store_true")
    ap.add_argument("--list", action="store_true", help="only print the selection")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("tests", nargs="*")
    args = ap.parse_args()
    args.sidewall = os.path.abspath(args.sidewall)
    tdir = os.path.join(args.sv, "tests")
    if args.extract and not args.git_dir:
        ap.error("--extract needs --git-dir")
    sels = [w for w in ("http", "tls", "dns", "state") if getattr(args, "all_" + w)]
    if args.tests and not sels:
        names = args.tests
    else:
        if args.extract:
            extract_meta(args.git_dir, args.sv)
        names = [n for n in list_tests(tdir)
                 if any(selected(n, os.path.join(tdir, n), w)
                        for w in (sels or ["http"]))]
    if args.list:
        print("\n".join(names))
        return
    if args.extract:
        missing = extract(args.git_dir, args.sv, names)
        for m in missing:
            print("not in snapshot:", m, file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)
    import hashlib, time
    # run a private copy: the build may replace the binary during a run
    snap = os.path.join(args.out, "sidewall.bin")
    for _ in range(10):
        try:
            shutil.copy2(args.sidewall, snap)
            break
        except OSError:
            time.sleep(2)
    with open(snap, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    print("sidewall %s sha256:%s mtime %s" % (args.sidewall, digest, time.strftime(
        "%Y-%m-%d %H:%M:%S", time.gmtime(os.path.getmtime(snap)))), flush=True)
    args.sidewall = snap
    results = []
    for n in names:
        r = run_test(n, args.sv, args)
        results.append(r)
        line = "%-6s %s: %s" % (r["status"], n, r["reason"])
        print(line, flush=True)
        if args.verbose:
            for c in r["checks"]:
                if c.get("result") == "FAIL":
                    print("    check %d %s expected %s got %s%s" % (
                        c["n"], json.dumps(c["match"])[:300], c["expected"], c["got"],
                        " (never written: %s; without them: %s)" % (
                            ", ".join(c["fields_never_written"]), c["got_without_them"])
                        if c.get("fields_never_written") else
                        (" (%s)" % c["note"] if c.get("note") else "")))
                    if c.get("closest_diff"):
                        print("      closest record differs in: " + json.dumps(
                            {k: [c["match"][k], v] for k, v in c["closest_diff"].items()})[:600])
            for e in r["rule_errors"][:5]:
                print("    rule:", e)
            if r["config_notes"]:
                print("    config:", "; ".join(r["config_notes"]))
            if r.get("stderr") and r["status"] == "ERROR":
                print("    stderr:", r["stderr"][-500:].replace("\n", "\n      "))
    tot = {}
    for r in results:
        tot[r["status"]] = tot.get(r["status"], 0) + 1
    print("selected %d: %s" % (len(results), ", ".join(
        "%s %d" % kv for kv in sorted(tot.items()))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
