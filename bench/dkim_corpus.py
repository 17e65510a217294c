#!/usr/bin/python3
# dkim_corpus.py DIR - a DKIM benchmark corpus made with python3-dkim:
# messages of 2, 20 and 200 KB, each signed rsa-sha256 (2048-bit) and
# ed25519-sha256, c=relaxed/relaxed; DIR/zone (for authdeliver) and
# DIR/keys.txt ("name<TAB>record", for the libopendkim and dkimpy drivers).
import base64
import os
import subprocess
import sys
import time

time.time = lambda: 1700000000
import dkim  # noqa: E402
import nacl.signing  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
key = os.path.join(out, "rsa.pem")
subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, stderr=subprocess.DEVNULL)
rsa = open(key, "rb").read()
der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"],
                     check=True, capture_output=True).stdout
seed = base64.b64encode(os.urandom(32))
edpub = nacl.signing.SigningKey(base64.b64decode(seed)).verify_key.encode()
recs = {
    "rsa._domainkey.bench.example": "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode(),
    "ed._domainkey.bench.example": "v=DKIM1; k=ed25519; p=" + base64.b64encode(edpub).decode(),
}
words = ("the quick brown fox jumps over a lazy dog while mail servers verify "
         "signatures and canonicalize  bodies with\ttabs and trailing spaces ").split(" ")
hdr = (b"Received: from mx.sender.example (mx.sender.example [192.0.2.1])\r\n"
       b"\tby mx.bench.example with ESMTPS id 4Abc; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
       b"From: Sender <sender@bench.example>\r\nTo: rcpt@receiver.example\r\n"
       b"Subject: benchmark message\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
       b"Message-ID: <bench@bench.example>\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n")
for kb in (2, 20, 200):
    body, i = b"", 0
    while len(hdr) + len(body) < kb * 1024 - 800:
        line = " ".join(words[(i + k) % len(words)] for k in range(11)) + ("  " if i % 5 == 0 else "")
        body += line.encode() + b"\r\n"
        i += 1
    msg = hdr + b"\r\n" + body
    heads = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]
    for name, sel, k, alg in (("rsa", b"rsa", rsa, b"rsa-sha256"), ("ed", b"ed", seed, b"ed25519-sha256")):
        sig = dkim.sign(msg, sel, b"bench.example", k, canonicalize=(b"relaxed", b"relaxed"),
                        signature_algorithm=alg, include_headers=heads)
        open(os.path.join(out, "%dk-%s.eml" % (kb, name)), "wb").write(sig + msg)
with open(os.path.join(out, "zone"), "w") as f:
    f.write("$TTL 86400\n")
    for n, r in recs.items():
        f.write("%s. IN TXT %s\n" % (n, " ".join('"%s"' % r[j:j + 200] for j in range(0, len(r), 200))))
with open(os.path.join(out, "keys.txt"), "w") as f:
    for n, r in recs.items():
        f.write("%s\t%s\n" % (n, r))
