#!/usr/bin/python3
"""tests/mta/mta.py - helpers for the real-MTA end-to-end tests.

  mta.py ports N                 print N free TCP ports on 127.0.0.1
  mta.py listening PORT          exit 0 when 127.0.0.1:PORT accepts
  mta.py tpl SRC DST OLD NEW ... copy SRC to DST replacing each OLD by NEW
                                 (literal); fails when an OLD is not in SRC,
                                 so the tests and examples/ stay in step
  mta.py mkmsgs DIR IP [IP...]   keys, zone file and signed test messages
                                 (DKIM rsa-sha256 2048 and ed25519, an ARC
                                 set by a mailing list) for client IPs IP
  mta.py check NAME FILE ...     TAP lines about one delivered Maildir file

/usr/bin/python3 because Debian's python3-dkim lives there.
"""
import base64
import os
import re
import socket
import subprocess
import sys

# Domains of the test world.  The receiving MTAs call themselves
# mx.authdeliver.test (Postfix) and mx2.authdeliver.test (Exim); both
# are authdeliver's trusted_mtas and authserv-id is mx.authdeliver.test.
AUTHSERV_ID = "mx.authdeliver.test"
FAKE_IP = "198.51.100.7"


def ports(n):
    socks, out = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        out.append(str(s.getsockname()[1]))
    for s in socks:
        s.close()
    print(" ".join(out))


def tpl(src, dst, pairs):
    text = open(src).read()
    for old, new in zip(pairs[0::2], pairs[1::2]):
        if old not in text:
            sys.exit("tpl: %r not found in %s (examples/ and tests out of step)" % (old, src))
        text = text.replace(old, new)
    with open(dst, "w") as f:
        f.write(text)


def txt_rr(name, value):
    # one TXT record; character-strings of at most 255 octets (RFC 1035 3.3.14)
    parts = [value[i:i + 250] for i in range(0, len(value), 250)]
    return '%s. 300 IN TXT %s\n' % (name, " ".join('"%s"' % p for p in parts))


def rsa_key(path):
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", path, "2048"],
                   check=True, stderr=subprocess.DEVNULL)
    der = subprocess.run(["openssl", "rsa", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return open(path, "rb").read(), "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def ed_key():
    import nacl.signing
    sk = nacl.signing.SigningKey(os.urandom(32))
    return (base64.b64encode(bytes(sk)),
            "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(sk.verify_key)).decode())


def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n").encode()


HDRS = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
        b"content-type"]


def mkmsgs(d, ips):
    import dkim
    os.makedirs(d, exist_ok=True)
    pass_rsa, pass_txt = rsa_key(os.path.join(d, "pass.test.key"))
    list_rsa, list_txt = pass_rsa, pass_txt  # one RSA key: key generation is slow
    orig_ed, orig_txt = ed_key()
    allow = " ".join("ip4:" + ip for ip in ips)
    zone = "".join([
        txt_rr("pass.test", "v=spf1 %s -all" % allow),
        txt_rr("mail.pass.test", "v=spf1 %s -all" % allow),
        txt_rr("sel._domainkey.pass.test", pass_txt),
        txt_rr("_dmarc.pass.test", "v=DMARC1; p=reject"),
        # quar.test: SPF fails for our clients, nothing signs: DMARC fails
        txt_rr("quar.test", "v=spf1 ip4:203.0.113.9 -all"),
        txt_rr("_dmarc.quar.test", "v=DMARC1; p=quarantine"),
        txt_rr("orig.test", "v=spf1 ip4:203.0.113.10 -all"),
        txt_rr("ed._domainkey.orig.test", orig_txt),
        txt_rr("_dmarc.orig.test", "v=DMARC1; p=reject"),
        txt_rr("lists.test", "v=spf1 %s -all" % allow),
        txt_rr("mail.lists.test", "v=spf1 %s -all" % allow),
        txt_rr("arc._domainkey.lists.test", list_txt),
        txt_rr("_dmarc.lists.test", "v=DMARC1; p=none"),
        "pass.test. 300 IN A 192.0.2.10\n",
        "mail.pass.test. 300 IN A 192.0.2.10\n",
    ])
    open(os.path.join(d, "zone"), "w").write(zone)

    date = "Mon, 23 Nov 2026 10:00:00 +0000"
    # 1. DKIM (rsa) + SPF pass; the sender added a fake Received header that
    #    names our own MTAs and an IP outside the SPF record: if it were
    #    used, SPF would fail.
    body = ("Hello,\n\nthis message passes SPF, DKIM and DMARC.\n"
            "A line with trailing space \nand 8-bit-free text.\n\n-- \nalice\n")
    head = ("From: Alice <alice@pass.test>\nTo: <team@authdeliver.test>\n"
            "Subject: passing message\nDate: %s\nMessage-ID: <pass.1@pass.test>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n" % date)
    m = crlf(head + "\n" + body)
    sig = dkim.sign(m, b"sel", b"pass.test", pass_rsa, include_headers=HDRS)
    fake = crlf("Received: from evil.example (evil.example [%s])\n"
                "\tby mx.authdeliver.test (Postfix) with ESMTP id FAKE1\n"
                "\tfor <team@authdeliver.test>; %s\n"
                "Received: from [%s] (helo=evil.example)\n"
                "\tby mx2.authdeliver.test with esmtp (Exim 4.96)\n"
                "\tid FAKE2; %s\n" % (FAKE_IP, date, FAKE_IP, date))
    open(os.path.join(d, "pass.eml"), "wb").write(fake + sig + m)

    # 2. DMARC fail from a p=quarantine domain: no signature, SPF -all.
    m = crlf("From: Bob <bob@quar.test>\nTo: <team@authdeliver.test>\n"
             "Subject: quarantine me\nDate: %s\nMessage-ID: <quar.1@quar.test>\n"
             "\nDMARC says quarantine.\n" % date)
    open(os.path.join(d, "quar.eml"), "wb").write(m)

    # 3. A mailing list: carol@orig.test signs (ed25519), lists.test tags the
    #    subject and adds a footer (breaks the signature), records its own
    #    Authentication-Results and seals with ARC (i=1).
    head = ("From: Carol <carol@orig.test>\nTo: <devel@lists.test>\n"
            "Subject: %s\nDate: %s\nMessage-ID: <list.1@orig.test>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n")
    body = "A post to the list.\n"
    m = crlf(head % ("list post", date) + "\n" + body)
    sig = dkim.sign(m, b"ed", b"orig.test", orig_ed, signature_algorithm=b"ed25519-sha256",
                    include_headers=HDRS)
    listed = crlf(
        "Authentication-Results: lists.test; dkim=pass header.d=orig.test header.s=ed;"
        " spf=pass smtp.mailfrom=carol@orig.test; dmarc=pass header.from=orig.test\n"
        "List-Id: <devel.lists.test>\n") + sig + crlf(
        head % ("[devel] list post", date) + "\n" + body +
        "_______________________________________________\ndevel mailing list\n")
    arc = dkim.arc_sign(listed, b"arc", b"lists.test", list_rsa, b"lists.test",
                        include_headers=HDRS + [b"list-id"])
    open(os.path.join(d, "list.eml"), "wb").write(b"".join(arc) + listed)

    # 4. Forged Authentication-Results with our authserv-id (two, one in
    #    other case: RFC 8601 section 5 compares case-insensitively).
    m = crlf(head.replace("carol@orig.test", "alice@pass.test")
             .replace("devel@lists.test", "team@authdeliver.test")
             % ("forged results", date) + "\nTrust me.\n")
    m = m.replace(b"<list.1@orig.test>", b"<forged.1@pass.test>")
    sig = dkim.sign(m, b"sel", b"pass.test", pass_rsa, include_headers=HDRS)
    forged = crlf("Authentication-Results: %s; dkim=pass header.d=pass.test;\n"
                  "\tdmarc=pass header.from=pass.test\n"
                  "Authentication-Results: %s; spf=pass smtp.mailfrom=pass.test\n"
                  % (AUTHSERV_ID, AUTHSERV_ID.upper()))
    open(os.path.join(d, "forged.eml"), "wb").write(forged + sig + m)

    # swaks ends the data with CRLF "." CRLF itself: give it each message
    # without its last CRLF so that the MTA receives exactly the .eml bytes
    for n in ("pass", "quar", "list", "forged"):
        b = open(os.path.join(d, n + ".eml"), "rb").read()
        assert b.endswith(b"\r\n")
        open(os.path.join(d, n + ".data"), "wb").write(b[:-2])


# ---- checks on one delivered file -------------------------------------

def header_block(data):
    end = data.find(b"\n\n")
    return data[: end + 1] if end >= 0 else data


def fields(block):
    """[(name_lower, full_field_bytes)] of a LF header block."""
    out = []
    for line in block.split(b"\n")[:-1]:
        if line[:1] in (b" ", b"\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + b"\n" + line)
        else:
            out.append((line.split(b":", 1)[0].strip().lower(), line))
    return out


def unfold(b):
    return re.sub(rb"\r?\n[ \t]+", b" ", b).decode("utf-8", "replace")


class Check:
    def __init__(self, name):
        self.name, self.failed = name, 0

    def ok(self, cond, what, got="", want=""):
        if cond:
            print("ok - %s: %s" % (self.name, what))
        else:
            self.failed += 1
            print("not ok - %s: %s: got %s, want %s" % (self.name, what, got, want))


def check(name, path, args):
    """args: key=value; keys: orig (sent file, CRLF), drop_ours (the sent
    file's A-R headers with our id must be gone), sender, rcpt, spf, dkim,
    dmarc, arc, override, ip, helo, verdicts (yes: verify them)."""
    a = dict(x.split("=", 1) for x in args)
    c = Check(name)
    data = open(path, "rb").read()
    c.ok(b"\r" not in data or b"\r" in open(a["orig"], "rb").read().replace(b"\r\n", b""),
         "stored with LF line ends", "CR bytes", "none")
    orig = open(a["orig"], "rb").read().replace(b"\r\n", b"\n")
    if a.get("drop_ours") == "yes":
        # the sent message minus the forged fields (they are on top)
        ob = fields(header_block(orig))
        keep = [f for n, f in ob if not (n == b"authentication-results" and
                unfold(f).split(":", 1)[1].strip().lower().startswith(AUTHSERV_ID))]
        orig = b"\n".join(keep) + b"\n" + orig[len(header_block(orig)):]
    # byte-exact: what we sent, after the fields our MTA and authdeliver
    # prepended, and nothing else changed
    c.ok(data.endswith(orig), "message bytes kept exactly (suffix)",
         "%d bytes, differs" % len(data), "ends with the %d sent bytes" % len(orig))
    prefix = data[: len(data) - len(orig)] if data.endswith(orig) else header_block(data)
    pf = fields(prefix)
    c.ok(all(re.match(rb"^[!-9;-~]+:", f) for _, f in pf), "only header fields prepended",
         prefix[:80], "header fields")
    names = [n for n, _ in pf]
    rp = [unfold(f) for n, f in pf if n == b"return-path"]
    c.ok(len(rp) == 1 and rp[0].split(":", 1)[1].strip() == "<%s>" % a["sender"],
         "one Return-Path", rp, "<%s>" % a["sender"])
    dt = [unfold(f) for n, f in pf if n == b"delivered-to"]
    c.ok(len(dt) == 1 and dt[0].split(":", 1)[1].strip().lower() == a["rcpt"].lower(),
         "one Delivered-To", dt, a["rcpt"])
    c.ok(names.count(b"received") >= 1, "our MTA's Received is there", names, "received")
    if a.get("verdicts") != "yes":
        return c.failed
    ours = [unfold(f) for n, f in fields(header_block(data)) if n == b"authentication-results"
            and unfold(f).split(":", 1)[1].strip().lower().startswith(AUTHSERV_ID)]
    c.ok(len(ours) == 1, "exactly one Authentication-Results with our authserv-id",
         len(ours), 1)
    if not ours:
        return c.failed
    import authres
    try:
        ar = authres.AuthenticationResultsHeader.parse(ours[0])
        c.ok(True, "our A-R parses (python3-authres)")
    except Exception as e:  # noqa: BLE001 - report any parser complaint
        c.ok(False, "our A-R parses (python3-authres)", e, "a valid header")
        return c.failed
    res = {}
    for r in ar.results:
        res.setdefault(r.method.lower(), []).append(r)
    for m in ("spf", "dkim", "dmarc", "arc"):
        if m in a:
            got = [r.result.lower() for r in res.get(m, [])]
            c.ok(a[m] in got, "%s=%s" % (m, a[m]), got, a[m])
    rspf = " ".join(unfold(f) for n, f in pf if n == b"received-spf")
    if "ip" in a:
        # the fake Received headers (below ours) name FAKE_IP: SPF must have
        # used the client our MTA recorded (XFORWARD or its own Received)
        c.ok("client-ip=%s;" % a["ip"] in rspf and FAKE_IP not in rspf + ours[0],
             "SPF used the client IP our MTA recorded (%s), not the sender's fake Received" % a["ip"],
             rspf[:300], "client-ip=%s" % a["ip"])
    if "helo" in a:
        c.ok("helo=%s;" % a["helo"] in rspf, "SPF saw the HELO our MTA recorded (%s)" % a["helo"],
             rspf[:300], "helo=%s" % a["helo"])
    for want in filter(None, a.get("has", "").split("|")):
        c.ok(want in ours[0], "A-R says %s" % want, ours[0][:300], want)
    if "override" in a:
        c.ok(re.search(r"dmarc=fail[^;]*override", ours[0], re.I) is not None,
             "DMARC failure overridden by the trusted ARC sealer", ours[0][:300], "dmarc=fail (... override ...)")
    return c.failed


def report(name, path, xsd):
    """A DMARC aggregate report email as it arrived: RFC 9990 3.5.2 Subject,
    one application/gzip part named receiver!domain!begin!end!id.xml.gz whose
    XML has the same Report-ID and validates against the XSD (if given)."""
    import email
    import email.policy
    import gzip
    import re
    import shutil
    import tempfile
    bad = 0

    def tap(ok, what, got=""):
        nonlocal bad
        print("%s - %s: %s%s" % ("ok" if ok else "not ok", name, what, "" if ok else ": got %r" % got))
        bad += not ok
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    subj = " ".join(str(m["Subject"]).split())
    sm = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) Report-ID: <([A-Za-z0-9]+)>", subj)
    tap(sm is not None, "Subject per RFC 9990 3.5.2", subj)
    parts = [p for p in m.walk() if p.get_content_type() == "application/gzip"]
    tap(len(parts) == 1, "one application/gzip part", len(parts))
    if not sm or len(parts) != 1:
        return 1
    fn = parts[0].get_filename() or ""
    tap(re.fullmatch(r"%s!%s!\d+!\d+!%s\.xml\.gz" % (re.escape(sm.group(2)), re.escape(sm.group(1)),
                                                      sm.group(3)), fn) is not None,
        "file name receiver!policy-domain!begin!end!Report-ID.xml.gz", fn)
    xml = gzip.decompress(parts[0].get_content())
    tap(("<report_id>%s</report_id>" % sm.group(3)).encode() in xml, "same Report-ID in the XML")
    tap(b"<count>" in xml, "at least one row")
    if xsd and shutil.which("xmllint"):
        with tempfile.NamedTemporaryFile(suffix=".xml") as f:
            f.write(xml)
            f.flush()
            v = subprocess.run(["xmllint", "--noout", "--schema", xsd, f.name], capture_output=True)
        tap(v.returncode == 0, "XML validates against the RFC 9990 XSD", v.stderr[-200:])
    return bad


def main():
    cmd = sys.argv[1]
    if cmd == "ports":
        ports(int(sys.argv[2]))
    elif cmd == "listening":
        try:
            socket.create_connection(("127.0.0.1", int(sys.argv[2])), 2).close()
        except OSError:
            sys.exit(1)
    elif cmd == "tpl":
        tpl(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "mkmsgs":
        mkmsgs(sys.argv[2], sys.argv[3:])
    elif cmd == "check":
        sys.exit(1 if check(sys.argv[2], sys.argv[3], sys.argv[4:]) else 0)
    elif cmd == "report":
        sys.exit(1 if report(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "") else 0)
    else:
        sys.exit("usage: see the header of this file")


if __name__ == "__main__":
    main()
