#!/usr/bin/python3
# bench/spf.py [BUILD_DIR] - warm-cache SPF evaluations per second, in one
# process each, side by side in the same run:
#
#   authdeliver  `authdeliver spf --batch --repeat N` (dns.c cache, zone file):
#                the evaluation loop alone
#   authdeliver-batch  NLIB lines through `authdeliver spf --batch`, end to
#                end with one JSON line out per check (like spfquery -f)
#   pyspf        python3-spf check2() with DNS answered from a dict
#   libspf2      Debian spfquery -f FILE (batch mode; libspf2's DNS cache)
#                against a tiny local DNS server with the same records
#
# The same records and the same queries for all three; only the MAIL FROM
# identity is checked (spf_helo_check = no; spfquery and check2 do the same).
# Prints per-run rates, the medians over RUNS runs and the ratios.
#
# spfquery uses the system resolver, so it runs in a private mount namespace
# (unshare -m, needs root) where /etc/resolv.conf names 127.0.0.1; the DNS
# server needs python3-dnspython.  A peer that cannot run is reported as such.
#
# Environment: RUNS (5), N (authdeliver evals per case, 100000),
# NPY (pyspf evals per case, 5000), NLIB (spfquery lines, 200000).
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
if not os.path.isabs(B):
    B = os.path.join(TOP, B)
BIN = os.path.join(B, "authdeliver")
RUNS = int(os.environ.get("RUNS", "5"))
N = int(os.environ.get("N", "100000"))
NPY = int(os.environ.get("NPY", "5000"))
NLIB = int(os.environ.get("NLIB", "200000"))

# name -> list of (type, value); TXT values are single strings
ZONE = {
    "example.com": [("TXT", "v=spf1 ip4:192.0.2.0/28 ip4:198.51.100.0/24 "
                            "include:_spf.example.net mx a:out.example.com -all"),
                    ("MX", (10, "mx1.example.com"))],
    "_spf.example.net": [("TXT", "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 ~all")],
    "mx1.example.com": [("A", "192.0.2.200")],
    "out.example.com": [("A", "192.0.2.201")],
    "simple.example": [("TXT", "v=spf1 ip4:192.0.2.0/24 -all")],
    "redir.example": [("TXT", "v=spf1 redirect=example.com")],
}
# (ip, mail from, helo): pass on ip4, pass through include, pass on mx,
# fail after every mechanism, redirect, simple
CASES = [
    ("192.0.2.9", "user@simple.example", "mail.example.org"),
    ("203.0.113.5", "user@example.com", "mail.example.org"),
    ("192.0.2.200", "user@example.com", "mail.example.org"),
    ("10.1.1.1", "user@example.com", "mail.example.org"),
    ("198.51.100.7", "user@redir.example", "mail.example.org"),
]


def zone_file(path):
    with open(path, "w") as f:
        f.write("$TTL 86400\n")
        for name, rrs in ZONE.items():
            for t, v in rrs:
                if t == "TXT":
                    f.write('%s. IN TXT "%s"\n' % (name, v))
                elif t == "MX":
                    f.write("%s. IN MX %d %s.\n" % (name, v[0], v[1]))
                else:
                    f.write("%s. IN %s %s\n" % (name, t, v))


def bench_authdeliver(tmp):
    conf = os.path.join(tmp, "bench.conf")
    with open(conf, "w") as f:
        f.write("spf_helo_check = no\nhostname = bench.example\n")
    inp = "".join("%s\t%s\t%s\n" % (ip, h, s) for ip, s, h in CASES)
    p = subprocess.run([BIN, "spf", "-c", conf, "--dns-zone", os.path.join(tmp, "bench.zone"),
                        "--batch", "--repeat", str(N)], input=inp, capture_output=True, text=True)
    results = [l.split('"result": "')[1].split('"')[0] for l in p.stdout.splitlines() if '"result"' in l]
    total_t = 0.0
    total_n = 0
    for line in p.stderr.splitlines():
        # "spf: N evaluations in T s: R/s"
        if line.startswith("spf: ") and " evaluations in " in line:
            n = int(line.split()[1])
            t = float(line.split(" evaluations in ")[1].split()[0])
            total_n += n
            total_t += t
    if not total_t:
        raise RuntimeError("authdeliver: %s" % p.stderr.strip()[:200])
    return total_n / total_t, results


def bench_authdeliver_batch(tmp):
    """End to end like spfquery -f: NLIB lines through --batch, one JSON
    line printed per check, process start included."""
    conf = os.path.join(tmp, "bench.conf")
    lines = os.path.join(tmp, "batch.in")
    with open(lines, "w") as f:
        for i in range(NLIB):
            ip, s, h = CASES[i % len(CASES)]
            f.write("%s\t%s\t%s\n" % (ip, h, s))
    t0 = time.perf_counter()
    with open(lines) as fin:
        p = subprocess.run([BIN, "spf", "-c", conf, "--dns-zone", os.path.join(tmp, "bench.zone"),
                            "--batch"], stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode:
        raise RuntimeError("authdeliver --batch: %s" % p.stderr.decode(errors="replace")[:200])
    return NLIB / dt, []


PYDRIVER = r'''
import sys, time, spf
ZONE = %r
CASES = %r
N = %d
def lookup(name, qtype, strict=True, timeout=None, level=0):
    name = name.rstrip(".").lower()
    out = []
    for t, v in ZONE.get(name, []):
        if t != qtype:
            continue
        if t == "TXT":
            out.append(((name, t), (v.encode(),)))
        elif t == "MX":
            out.append(((name, t), (v[0], v[1])))
        else:
            out.append(((name, t), v))
    return out
spf.DNSLookup = lookup
res = []
for ip, s, h in CASES:
    res.append(spf.check2(i=ip, s=s, h=h)[0])
t0 = time.perf_counter()
for ip, s, h in CASES:
    for _ in range(N):
        spf.check2(i=ip, s=s, h=h)
dt = time.perf_counter() - t0
print(len(CASES) * N / dt)
print(" ".join(res))
'''


def bench_pyspf(tmp):
    drv = os.path.join(tmp, "pyspf_drv.py")
    with open(drv, "w") as f:
        f.write(PYDRIVER % (ZONE, CASES, NPY))
    p = subprocess.run(["/usr/bin/python3", drv], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError("pyspf: %s" % p.stderr.strip()[-300:])
    lines = p.stdout.split("\n")
    return float(lines[0]), lines[1].split()


QUERIES = [0]


def dns_server(stop):
    """UDP DNS on 127.0.0.1:53 answering from ZONE (python3-dnspython)."""
    import dns.message
    import dns.rcode
    import dns.rdatatype
    import dns.rrset
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 53))
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(4096)
        except socket.timeout:
            continue
        QUERIES[0] += 1
        q = dns.message.from_wire(data)
        r = dns.message.make_response(q)
        qn = q.question[0].name.to_text().rstrip(".").lower()
        qt = dns.rdatatype.to_text(q.question[0].rdtype)
        if qn not in ZONE:
            r.set_rcode(dns.rcode.NXDOMAIN)
        for t, v in ZONE.get(qn, []):
            if t != qt:
                continue
            if t == "TXT":
                txt = '"%s"' % v
            elif t == "MX":
                txt = "%d %s." % v
            else:
                txt = v
            r.answer.append(dns.rrset.from_text(qn + ".", 86400, "IN", t, txt))
        sock.sendto(r.to_wire(), addr)
    sock.close()


def bench_libspf2(tmp):
    spfq = shutil.which("spfquery")
    if not spfq:
        raise RuntimeError("spfquery not installed (Debian package spfquery)")
    if not shutil.which("unshare"):
        raise RuntimeError("unshare not available")
    lines = os.path.join(tmp, "spfquery.in")
    with open(lines, "w") as f:
        for i in range(NLIB):
            ip, s, h = CASES[i % len(CASES)]
            f.write("%s %s %s\n" % (ip, s, h))
    first = os.path.join(tmp, "spfquery.first")
    with open(first, "w") as f:
        for ip, s, h in CASES:
            f.write("%s %s %s\n" % (ip, s, h))
    resolv = os.path.join(tmp, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    script = ('mount --bind "$1" /etc/resolv.conf || exit 97; '
              '"$2" -f "$3" > "$4"; '
              's=$(date +%s.%N); "$2" -f "$5" > /dev/null; e=$(date +%s.%N); '
              'echo "$s $e"')
    p = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", resolv, spfq, first,
                        os.path.join(tmp, "first.out"), lines], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError("spfquery run failed: %s" % p.stderr.strip()[-200:])
    s, e = map(float, p.stdout.split())
    print("  (spfquery: %d DNS queries reached the server so far)" % QUERIES[0])
    results = []
    for line in open(os.path.join(tmp, "first.out")):
        w = line.strip()
        if w in ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror",
                 "error", "unknown"):
            results.append(w)
    return NLIB / (e - s), results


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit("bench/spf.py: %s not built" % BIN)
    tmp = tempfile.mkdtemp(prefix="spfbench.")
    try:
        zone_file(os.path.join(tmp, "bench.zone"))
        stop = threading.Event()
        srv = None
        try:
            srv = threading.Thread(target=dns_server, args=(stop,), daemon=True)
            srv.start()
            time.sleep(0.3)
        except Exception as e:  # noqa: BLE001 - reported below
            print("dns server: %s" % e)
        rates = {"authdeliver": [], "authdeliver-batch": [], "pyspf": [], "libspf2": []}
        errors = {}
        answers = {}
        for run in range(RUNS):
            for name, fn in (("authdeliver", bench_authdeliver),
                             ("authdeliver-batch", bench_authdeliver_batch),
                             ("pyspf", bench_pyspf), ("libspf2", bench_libspf2)):
                if name in errors:
                    continue
                try:
                    r, res = fn(tmp)
                    rates[name].append(r)
                    if res:
                        answers[name] = res
                    print("run %d %-12s %10.0f evals/s" % (run + 1, name, r))
                except Exception as e:  # noqa: BLE001 - a peer that cannot run
                    errors[name] = str(e)
                    print("%-12s cannot run: %s" % (name, e))
            sys.stdout.flush()
        stop.set()
        print()
        print("results per case (%s):" % ", ".join("%s %s" % (c[0], c[1]) for c in CASES))
        for name, res in answers.items():
            print("  %-12s %s" % (name, " ".join(res)))
        med = {k: statistics.median(v) for k, v in rates.items() if v}
        print()
        print("median warm-cache evaluations/s over %d runs (%d cases):" % (RUNS, len(CASES)))
        for k, v in med.items():
            print("  %-12s %10.0f" % (k, v))
        for a in ("authdeliver", "authdeliver-batch"):
            for k in ("libspf2", "pyspf"):
                if a in med and k in med:
                    print("  %-17s / %-8s %7.2fx" % (a, k, med[a] / med[k]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
