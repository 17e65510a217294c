#!/usr/bin/python3
"""dnsd.py - a tiny DNS server on 127.0.0.1 for the online tests of dns.c.

usage: dnsd.py PORTFILE ANCHORFILE [ADDRESS PORT]

Serves the zone "example." (below) over UDP and TCP on a free loopback
port (or ADDRESS PORT), written to PORTFILE once listening; if that
address cannot be bound, PORTFILE gets 0.  The zone is DNSSEC-signed
(ECDSAP256SHA256) with a key made at start; the DNSKEY is written to
ANCHORFILE as a trust anchor.  A second zone, "example.net.", is served
without signatures (no trust anchor covers it: validators call its
answers insecure; not a name under test., which libunbound answers
itself, RFC 6761).  Both carry SPF, DMARC and DKIM key records, for
mail.example and example.net (key examples/demo/keys/example.com.pem,
selector "demo"), for tests/e2e/dnssec_results.  Special names:
  bogus.example.    A with a corrupted RRSIG (validators must reject it)
  silent.example.   never answered (timeouts)
  fail.example.     SERVFAIL (and every name below it)
  slow.example.     answered after 3 seconds (UDP; a test of stalls)
Wildcard owners ("*.name") answer for names that do not exist (RFC 4592,
simplified: the nearest "*" above the name).  With DNSD_ZONE_EXTRA set to a
file, its records (relative to "example.") are added to the zone.  With
DNSD_QUERY_LOG set, each question is appended to that file as "name type"
(lower case, no trailing dot): the upstream queries a test counts.
Negative answers carry the SOA but no NSEC (so only positive answers are
checked for DNSSEC status).  Exits when stdin reaches EOF or on SIGTERM.
"""
import os
import socket
import struct
import sys
import os
import threading
import time

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

ZONE = """
$ORIGIN example.
$TTL 300
@       SOA ns.example. hostmaster.example. 1 3600 600 86400 300
@       NS  ns
ns      A   127.0.0.1
www     A   192.0.2.80
www     AAAA 2001:db8::80
@       MX  10 mx
mx      A   192.0.2.25
@       TXT "v=spf1 ip4:192.0.2.0/24 -all"
alias   CNAME www
bogus   A   192.0.2.66
many    A   192.0.2.1
many    A   192.0.2.2
many    A   192.0.2.3
mail    TXT "v=spf1 ip4:192.0.2.0/24 -all"
slow    TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.mail TXT "v=DMARC1; p=reject"
demo._domainkey.mail TXT %(key)s
"""

ZONE2 = """
$ORIGIN example.net.
$TTL 300
@       SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 300
@       NS  ns
ns      A   127.0.0.1
@       TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc  TXT "v=DMARC1; p=quarantine"
demo._domainkey TXT %(key)s
"""
DKIM_KEY = '"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzQbYvC6Mvn5KXytPQ2YSttzmMV6NIbRpuU4H72wyirSN87u8LxFQVhUSl82TM7GDPnCch6gsvP437hFGAuSdj9wYvn2GE8cHCpqtd3CEKnWWJceCX6b9J4w4Ucuni4Yg/DspOXxrH7Q54Sh7DcgaEr97fSbZjoS6q+JN3wrWI0zqfrAfQUCENWjOdRzg" "Uwm6PaV/efUNj1aW8dzU2K1xH+Pt6tF3t3I9kkWDaAhpfdFoylyUbDyPBwrg3XOKQJ3fbqaLhjf7ZBatoLMO8UMHXGY2DewDS2MFoLs15gFkRsA4MwZm1PxsOxngJE5GYKDf+z+2oL1HBsRJlOc9wu+ofQIDAQAB"'

ORIGIN = dns.name.from_text("example.")
_extra = os.environ.get("DNSD_ZONE_EXTRA")
zone = dns.zone.from_text(ZONE % {"key": DKIM_KEY} + (open(_extra).read() if _extra else ""),
                          origin=ORIGIN, relativize=False)
ORIGIN2 = dns.name.from_text("example.net.")
zone2 = dns.zone.from_text(ZONE2 % {"key": DKIM_KEY}, origin=ORIGIN2, relativize=False)
key = ec.generate_private_key(ec.SECP256R1())
dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
keyset = dns.rrset.from_rdata(ORIGIN, 300, dnskey)


def sign(rrset):
    now = int(time.time())
    sig = dns.dnssec.sign(rrset, key, ORIGIN, dnskey, inception=now - 3600,
                          expiration=now + 86400)
    if rrset.name == dns.name.from_text("bogus.example."):
        b = bytearray(sig.signature)
        b[5] ^= 0xFF
        sig = sig.replace(signature=bytes(b))
    return dns.rrset.from_rdata(rrset.name, rrset.ttl, sig)


def answer(wire):
    q = dns.message.from_wire(wire)
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA | dns.flags.RA
    qname, qtype = q.question[0].name, q.question[0].rdtype
    do = q.ednsflags & dns.flags.DO
    if qname == dns.name.from_text("silent.example."):
        return None
    if qname.is_subdomain(dns.name.from_text("fail.example.")):
        r.set_rcode(dns.rcode.SERVFAIL)
        return r
    if qname.is_subdomain(ORIGIN2):
        return answer_unsigned(r, qname, qtype)
    if not qname.is_subdomain(ORIGIN):
        r.set_rcode(dns.rcode.REFUSED)
        return r
    if qname == ORIGIN and qtype == dns.rdatatype.DNSKEY:
        r.answer.append(keyset)
        if do:
            r.answer.append(sign(keyset))
        return r
    node = zone.get_node(qname)
    for i in range(1, len(qname.labels) - 1):
        if node is not None:
            break
        node = zone.get_node(dns.name.Name((b"*",) + qname.labels[i:]))
    soa = zone.find_rrset(ORIGIN, dns.rdatatype.SOA)
    if node is None:
        r.set_rcode(dns.rcode.NXDOMAIN)
        r.authority.append(soa)
        return r
    rds = node.get_rdataset(dns.rdataclass.IN, qtype)
    if rds is None:
        rds = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
    if rds is None:
        r.authority.append(soa)
        return r
    rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, rds.rdtype)
    rrset.update(rds)
    r.answer.append(rrset)
    if do:
        r.answer.append(sign(rrset))
    return r


def answer_unsigned(r, qname, qtype):
    node = zone2.get_node(qname)
    soa = zone2.find_rrset(ORIGIN2, dns.rdatatype.SOA)
    rds = node.get_rdataset(dns.rdataclass.IN, qtype) if node is not None else None
    if node is None:
        r.set_rcode(dns.rcode.NXDOMAIN)
    if rds is None:
        r.authority.append(soa)
        return r
    rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, rds.rdtype)
    rrset.update(rds)
    r.answer.append(rrset)
    return r


QLOG = os.environ.get("DNSD_QUERY_LOG")
qlock = threading.Lock()
SLOW = dns.name.from_text("slow.example.")


def log_query(wire):
    if not QLOG:
        return
    try:
        q = dns.message.from_wire(wire).question[0]
    except Exception:
        return
    with qlock, open(QLOG, "a") as f:
        f.write("%s %s\n" % (q.name.to_text(omit_final_dot=True).lower(),
                             dns.rdatatype.to_text(q.rdtype)))


def serve_udp(s):
    while True:
        wire, peer = s.recvfrom(4096)
        log_query(wire)
        try:
            r = answer(wire)
        except Exception as e:  # malformed query: ignore it
            print("dnsd:", e, file=sys.stderr)
            continue
        if r is None:
            continue
        out = r.to_wire(max_size=4096)
        if r.question and r.question[0].name == SLOW:
            threading.Timer(3.0, s.sendto, (out, peer)).start()
        else:
            s.sendto(out, peer)


def serve_tcp(s):
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(5)
            n = struct.unpack("!H", c.recv(2))[0]
            wire = b""
            while len(wire) < n:
                wire += c.recv(n - len(wire))
            log_query(wire)
            r = answer(wire)
            if r is not None:
                if r.question and r.question[0].name == SLOW:
                    time.sleep(3.0)
                out = r.to_wire()
                c.sendall(struct.pack("!H", len(out)) + out)
        except Exception as e:
            print("dnsd:", e, file=sys.stderr)
        finally:
            c.close()


def main():
    portfile, anchorfile = sys.argv[1], sys.argv[2]
    addr = sys.argv[3] if len(sys.argv) > 4 else "127.0.0.1"
    want = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((addr, want))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, port))
        t.listen(16)
    except OSError as e:
        print("dnsd: cannot bind %s:%d: %s" % (addr, want, e), file=sys.stderr)
        with open(portfile, "w") as f:
            f.write("0\n")
        return
    with open(anchorfile, "w") as f:
        f.write(keyset.to_text() + "\n")
    threading.Thread(target=serve_udp, args=(u,), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(t,), daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    sys.stdin.read()     # the test closes our stdin when done


main()
