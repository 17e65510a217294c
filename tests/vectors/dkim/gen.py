#!/usr/bin/python3
# gen.py - regenerate the DKIM test vectors with python3-dkim (dkimpy).
#
#   cd tests/vectors/dkim && ./gen.py
#
# Keys live in keys/ (made once with openssl genrsa / 32 random bytes for
# Ed25519; missing keys are created).  The clock is fixed (t=1700000000) and
# RSA PKCS#1 v1.5 and Ed25519 signatures are deterministic, so running this
# again rewrites identical files.  Writes *.eml, zone (the key records, for
# `authdeliver verify --dns-zone zone`) and expected.tsv:
#   file  sig  ours  reason  dkimpy  why
# ours = our result for signature #sig, reason = a substring of our reason,
# dkimpy = what dkimpy 1.1.4 says for that signature (pass/fail), why =
# the reason when dkimpy and we differ on pass/not-pass.
import base64
import os
import subprocess
import sys
import time

time.time = lambda: 1700000000  # fixed t= (dkimpy reads time.time())

import dkim  # noqa: E402
import nacl.signing  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
DOM = b"example.net"


def rsa_key(bits):
    path = os.path.join(KEYS, "rsa%d.pem" % bits)
    if not os.path.exists(path):
        subprocess.run(["openssl", "genrsa", "-out", path, str(bits)], check=True,
                       stderr=subprocess.DEVNULL)
    pem = open(path, "rb").read()
    der = subprocess.run(["openssl", "rsa", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return pem, base64.b64encode(der).decode()


def ed_key():
    path = os.path.join(KEYS, "ed25519.seed")
    if not os.path.exists(path):
        open(path, "wb").write(base64.b64encode(os.urandom(32)) + b"\n")
    seed = open(path, "rb").read().strip()
    pub = nacl.signing.SigningKey(base64.b64decode(seed)).verify_key.encode()
    return seed, base64.b64encode(pub).decode()


os.makedirs(KEYS, exist_ok=True)
RSA2048, RSA2048_P = rsa_key(2048)
RSA1024, RSA1024_P = rsa_key(1024)
RSA512, RSA512_P = rsa_key(512)
# a 16384-bit key takes openssl tens of minutes to make; --skip-16384
# leaves that vector out (the committed key is reused when present)
SKIP16K = "--skip-16384" in sys.argv
RSA16K, RSA16K_P = (None, "") if SKIP16K else rsa_key(16384)
ED, ED_P = ed_key()

zone = {
    "rsa2048": "v=DKIM1; k=rsa; p=" + RSA2048_P,
    "rsa1024": "v=DKIM1; k=rsa; p=" + RSA1024_P,
    "rsa512": "v=DKIM1; k=rsa; p=" + RSA512_P,
    "ed25519": "v=DKIM1; k=ed25519; p=" + ED_P,
    "revoked": "v=DKIM1; k=rsa; p=",
    "garbage": "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A!!garbage!!",
    "garbage2": "\x01\x02 this is not a key record",
    "sha1only": "v=DKIM1; k=rsa; h=sha1; p=" + RSA2048_P,
    "testing": "v=DKIM1; k=rsa; t=y; p=" + RSA2048_P,
}

BASE_HDR = (b"From: Alice Example <alice@example.net>\r\n"
            b"To: bob@example.org\r\n"
            b"Subject: DKIM test vector\r\n"
            b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            b"Message-ID: <vector@example.net>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=us-ascii\r\n")
BODY = (b"Hello Bob,\r\n"
        b"\r\n"
        b"This  message has\ttabs and  double  spaces, \r\n"
        b"and a line with trailing white space.   \r\n"
        b"\r\n"
        b"-- \r\n"
        b"Alice\r\n")


def msg(hdr=BASE_HDR, body=BODY):
    return hdr + b"\r\n" + body


def sign(m, sel, key=None, canon=(b"relaxed", b"relaxed"), alg=b"rsa-sha256",
         heads=None, length=False, identity=None):
    key = key or RSA2048
    s = dkim.sign(m, sel.encode(), DOM, key, identity=identity, canonicalize=canon,
                  signature_algorithm=alg, include_headers=heads, length=length)
    return s + m


rows = []


def out(name, data, *sigs):
    """sigs: (index, ours, reason-substring, dkimpy, why)"""
    open(os.path.join(HERE, name + ".eml"), "wb").write(data)
    for s in sigs:
        rows.append((name + ".eml",) + tuple(str(x) for x in s))


def replace(m, old, new):
    assert old in m, old
    return m.replace(old, new, 1)


HEADS = [b"from", b"to", b"subject", b"date", b"message-id"]

# -- good signatures, both canonicalizations, both algorithms
for c in ("relaxed", "simple"):
    cc = (c.encode(), c.encode())
    out("rsa2048-%s" % c, sign(msg(), "rsa2048", canon=cc, heads=HEADS), (0, "pass", "", "pass", ""))
    out("ed25519-%s" % c, sign(msg(), "ed25519", ED, cc, b"ed25519-sha256", HEADS),
        (0, "pass", "", "pass", ""))
out("rsa1024", sign(msg(), "rsa1024", RSA1024, heads=HEADS), (0, "pass", "", "pass", ""))
if not SKIP16K:
    zone["rsa16384"] = "v=DKIM1; k=rsa; p=" + RSA16K_P
    out("rsa16384", sign(msg(), "rsa16384", RSA16K, heads=HEADS), (0, "pass", "", "pass", ""))

# -- tampering after signing
good = sign(msg(), "rsa2048", heads=HEADS)
out("tamper-header", replace(good, b"Subject: DKIM test vector", b"Subject: DKIM test vectoR"),
    (0, "fail", "signature verification failed", "fail", ""))
out("tamper-body", replace(good, b"Hello Bob", b"Hello Eve"),
    (0, "fail", "body hash mismatch", "fail", ""))
# a second From added on top: the signature still covers the bottom one
# (RFC 6376 §5.4.2), but a reader sees the top one (§8.15): not counted
out("tamper-from-added", replace(good, b"From: Alice", b"From: Mallory <m@example.com>\r\nFrom: Alice"),
    (0, "permerror", "2 From header fields", "fail", ""))
ed_good = sign(msg(), "ed25519", ED, (b"relaxed", b"relaxed"), b"ed25519-sha256", HEADS)
out("ed25519-tamper-header", replace(ed_good, b"To: bob@", b"To: rob@"),
    (0, "fail", "signature verification failed", "fail", ""))

# -- relaxed whitespace edges: refolded header, changed WSP runs, trailing WSP
def ws_edit(m):
    m = replace(m, b"Subject: DKIM test vector", b"Subject:   DKIM\r\n\t test  \t vector  ")
    m = replace(m, b"This  message has\ttabs", b"This message  has \t tabs")
    m = replace(m, b"white space.   \r\n", b"white space.\t\r\n")
    return m + b"\r\n\r\n"


out("ws-relaxed", ws_edit(sign(msg(), "rsa2048", canon=(b"relaxed", b"relaxed"), heads=HEADS)),
    (0, "pass", "", "pass", ""))
out("ws-simple", ws_edit(sign(msg(), "rsa2048", canon=(b"simple", b"simple"), heads=HEADS)),
    (0, "fail", "", "fail", ""))
out("ws-relaxed-header-simple-body",
    ws_edit(sign(msg(), "rsa2048", canon=(b"relaxed", b"simple"), heads=HEADS)),
    (0, "fail", "body hash mismatch", "fail", ""))

# -- empty body, trailing blank lines
for c in ("relaxed", "simple"):
    cc = (c.encode(), c.encode())
    out("empty-body-%s" % c, sign(msg(body=b""), "rsa2048", canon=cc, heads=HEADS),
        (0, "pass", "", "pass", ""))
    out("empty-body-added-blank-lines-%s" % c,
        sign(msg(body=b""), "rsa2048", canon=cc, heads=HEADS) + b"\r\n\r\n\r\n",
        (0, "pass", "", "pass", ""))
    out("trailing-blank-lines-%s" % c,
        sign(msg(body=BODY + b"\r\n\r\n\r\n"), "rsa2048", canon=cc, heads=HEADS) + b"\r\n\r\n",
        (0, "pass", "", "pass", ""))
out("no-final-crlf-relaxed", sign(msg(body=b"no line end"), "rsa2048", heads=HEADS),
    (0, "pass", "", "pass", ""))

# -- l= shorter and longer than the body
lsig = sign(msg(), "rsa2048", heads=HEADS, length=True)
out("l-exact", lsig, (0, "pass", "", "pass", ""))
out("l-shorter", lsig + b"Appended after signing: not covered.\r\n",
    (0, "pass", "body bytes signed", "pass", ""))
out("l-longer", replace(lsig, b"-- \r\nAlice\r\n", b""),
    (0, "permerror", "exceeds the body length", "fail", ""))

# -- duplicated From and oversigning
dup = msg(hdr=BASE_HDR + b"From: Second <second@example.net>\r\n")
out("dup-from", sign(dup, "rsa2048", heads=HEADS), (0, "permerror", "2 From header fields", "fail", ""))
over = sign(msg(), "rsa2048", heads=HEADS + [b"from", b"subject", b"reply-to"])
out("oversigned", over, (0, "pass", "", "pass", ""))
out("oversigned-from-added", replace(over, b"From: Alice", b"From: Mallory <m@example.com>\r\nFrom: Alice"),
    (0, "permerror", "2 From header fields", "fail", ""))
m2 = replace(over, b"MIME-Version", b"Reply-To: m@example.com\r\nMIME-Version")
out("oversigned-reply-to-added", m2, (0, "fail", "signature verification failed", "fail", ""))

# -- h= with 1000 entries (our cap: dkim_max_header_list = 1024) and 1100
h1000 = HEADS + [b"x-h%d" % i for i in range(1000 - len(HEADS))]
out("h-1000", sign(msg(), "rsa2048", heads=h1000), (0, "pass", "", "pass", ""))
h1100 = HEADS + [b"x-h%d" % i for i in range(1100 - len(HEADS))]
out("h-1100", sign(msg(), "rsa2048", heads=h1100),
    (0, "permerror", "h= lists more than 1024", "pass",
     "our cap dkim_max_header_list = 1024 bounds the work per signature"))
# dkimpy refuses to sign without From: rename it in h= after signing
out("h-without-from", replace(sign(msg(), "rsa2048", heads=HEADS), b"h=from", b"h=x-from"),
    (0, "permerror", "From not signed", "fail", ""))

# -- 50 signatures on one message: 10 checked (dkim_max_signatures), 40 policy
m50 = msg()
for i in range(50):
    m50 = sign(m50, "ed25519", ED, (b"relaxed", b"relaxed"), b"ed25519-sha256", HEADS)
out("sig-50", m50, (0, "pass", "", "pass", ""), (9, "pass", "", "pass", ""),
    (10, "policy", "more than 10 signatures", "pass",
     "dkim_max_signatures = 10: signatures past the cap are reported, not checked"),
    (49, "policy", "more than 10 signatures", "pass",
     "dkim_max_signatures = 10: signatures past the cap are reported, not checked"))

# -- algorithms and keys
out("rsa-sha1", sign(msg(), "rsa2048", alg=b"rsa-sha1", heads=HEADS),
    (0, "fail", "rsa-sha1", "pass", "RFC 8301 §3.1: rsa-sha1 MUST NOT be considered valid; dkimpy still accepts it"))
out("rsa512", sign(msg(), "rsa512", RSA512, heads=HEADS),
    (0, "permerror", "too small", "fail", ""))
out("key-revoked", sign(msg(), "revoked", heads=HEADS), (0, "permerror", "key revoked", "fail", ""))
out("key-garbage", sign(msg(), "garbage", heads=HEADS), (0, "permerror", "bad base64", "fail", ""))
out("key-garbage-record", sign(msg(), "garbage2", heads=HEADS), (0, "permerror", "key syntax error", "fail", ""))
out("key-missing", sign(msg(), "nokey", heads=HEADS), (0, "permerror", "no key", "fail", ""))
out("key-h-sha1-only", sign(msg(), "sha1only", heads=HEADS), (0, "permerror", "does not allow sha256", "pass",
    "RFC 6376 §6.1.2: a key whose h= lacks the signature's hash MUST be ignored (PERMFAIL); dkimpy does not check key h="))
out("key-testing", sign(msg(), "testing", heads=HEADS), (0, "pass", "", "pass", ""))
out("ed25519-sig-rsa-key", sign(msg(), "rsa2048", ED, (b"relaxed", b"relaxed"), b"ed25519-sha256", HEADS),
    (0, "permerror", "key type does not match", "fail", ""))

# -- bad base64 in b= (b= is not part of the hash, so this is the only change)
bb = sign(msg(), "rsa2048", heads=HEADS)
i = bb.index(b" b=") + 3
out("bad-base64-b", bb[:i] + b"!!" + bb[i + 2:], (0, "permerror", "bad base64 in b=", "fail", ""))
i = bb.index(b"bh=") + 3
out("bad-base64-bh", bb[:i] + b"*" + bb[i + 1:], (0, "permerror", "bad base64 in bh=", "fail", ""))

# -- i= outside d=, missing tags, v=2
iv = sign(msg(), "rsa2048", heads=HEADS, identity=b"@example.net")
out("i-outside-d", replace(iv, b"i=@example.net", b"i=@other.example"),
    (0, "permerror", "i= not within d=", "fail", ""))
hv = sign(msg(), "rsa2048", heads=HEADS)
out("v2", replace(hv, b"v=1;", b"v=2;"), (0, "permerror", "version", "fail", ""))
out("missing-bh", replace(hv, b" bh=", b" xh="), (0, "permerror", "missing required tag bh=", "fail", ""))
out("dup-tag", replace(hv, b"v=1;", b"v=1; v=1;"), (0, "permerror", "duplicate tag", "fail", ""))

with open(os.path.join(HERE, "zone"), "w") as f:
    f.write("; DKIM key records for the vectors (generated by gen.py)\n$TTL 300\n")
    for sel, rec in sorted(zone.items()):
        b = rec.encode("latin-1")
        parts = [b[k:k + 200] for k in range(0, len(b), 200)] or [b""]
        txt = " ".join('"%s"' % "".join("\\%03d" % c if c < 32 or c > 126 or c in (34, 92) else chr(c)
                                        for c in p) for p in parts)
        f.write("%s._domainkey.example.net. IN TXT %s\n" % (sel, txt))
with open(os.path.join(HERE, "expected.tsv"), "w") as f:
    f.write("file\tsig\tours\treason\tdkimpy\twhy\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print("%d vectors, %d checks" % (len({r[0] for r in rows}), len(rows)), file=sys.stderr)
