#!/usr/bin/python3
# dkim_py.py KEYS SECONDS FILE... - python3-dkim (dkimpy) verifying the same
# corpus in a loop, keys served from memory; every signature must pass.
import sys
import time

import dkim

keys = {}
for line in open(sys.argv[1]):
    n, _, r = line.rstrip("\n").partition("\t")
    keys[n.encode()] = r.encode()


def dnsfunc(name, timeout=5):
    return keys.get(name.rstrip(b"."))


secs = float(sys.argv[2])
msgs = [open(f, "rb").read() for f in sys.argv[3:]]
count, t0 = 0, time.monotonic()
while True:
    for m in msgs:
        if not dkim.verify(m, dnsfunc=dnsfunc):
            sys.exit("dkimpy: not pass")
        count += 1
    t = time.monotonic()
    if t - t0 >= secs:
        break
print("%.0f verifications/s" % (count / (t - t0)))
