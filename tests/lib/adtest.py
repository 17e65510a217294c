"""adtest - helpers for authdeliver end-to-end tests (run by tests/run).

Starts the real server on loopback, speaks LMTP over real sockets, and
prints "ok - name" / "not ok - name: got X, want Y" lines.
"""
import os
import signal
import socket
import subprocess
import sys
import time

BIN = os.environ.get("AUTHDELIVER", "build/authdeliver")
TOP = os.environ.get("TOP", ".")
TMP = os.environ.get("T_TMP") or os.path.abspath("t-tmp")
os.makedirs(TMP, exist_ok=True)

failed = 0


def check(cond, name, got=None, want=None):
    global failed
    if cond:
        print("ok - %s" % name)
    else:
        failed += 1
        detail = ""
        if got is not None or want is not None:
            detail = ": got %r, want %r" % (got, want)
        print("not ok - %s%s" % (name, detail))
    sys.stdout.flush()
    return cond


def eq(got, want, name):
    return check(got == want, name, got, want)


def skip(name, why):
    print("ok - %s # SKIP %s" % (name, why))
    sys.stdout.flush()


def done():
    sys.exit(1 if failed else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)
    return path


def maildir_files(root, sub="new"):
    d = os.path.join(root, sub)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d))


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class Server:
    """authdeliver lmtp with a config under TMP."""

    def __init__(self, name="srv", extra="", users=None, zone=None, listen=None, env=None):
        self.env = env
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.sock = os.path.join(self.dir, "lmtp.sock")
        self.mail = os.path.join(self.dir, "mail")
        users = users if users is not None else ["alice", "bob", "carol"]
        lines = []
        for u in users:
            lines.append("%s@example.org  %s/%s/Maildir/\n" % (u, self.mail, u))
        self.map = write(os.path.join(self.dir, "mailboxes"), "".join(lines))
        self.log = os.path.join(self.dir, "log")
        listen = (listen or "127.0.0.1:{port} unix:{sock}").format(port=self.port, sock=self.sock)
        conf = (
            "hostname = mx.test.example\n"
            "lmtp_listen = %s\n"
            "user_lookup = virtual\n"
            "virtual_mailbox_map = %s\n"
            "log = stderr\n" % (listen, self.map)
        )
        if zone:
            conf += "dns_zone_file = %s\n" % zone
        conf += extra
        self.conf = write(os.path.join(self.dir, "authdeliver.conf"), conf)
        self.proc = None

    def start(self):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([BIN, "lmtp", "-c", self.conf], env=self.env,
                                     stdout=self.logf, stderr=self.logf)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("server exited: " + open(self.log).read())
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()

    def logtext(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def maildir(self, user, folder=""):
        root = os.path.join(self.mail, user, "Maildir")
        return os.path.join(root, folder) if folder else root

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()


class LMTP:
    """A raw LMTP client: send bytes, read replies."""

    def __init__(self, port=None, path=None, timeout=60):
        if path:
            self.s = socket.socket(socket.AF_UNIX)
            self.s.settimeout(timeout)
            self.s.connect(path)
        else:
            self.s = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed; buffer %r" % self.buf)
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("utf-8", "replace")

    def reply(self):
        """One (possibly multi-line) reply: (code, [lines])."""
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if len(l) < 4 or l[3] != "-":
                return int(l[:3]), lines

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def transaction(self, sender, rcpts, body):
        """Returns (MAIL reply, [RCPT replies], DATA reply, [final replies])."""
        stuffed = dot_stuff(body)   # before DATA: big bodies take a while
        mail = self.cmd("MAIL FROM:<%s>" % sender)
        rr = [self.cmd("RCPT TO:<%s>" % r) for r in rcpts]
        accepted = sum(1 for c, _ in rr if c == 250)
        data = self.cmd("DATA")
        finals = []
        if data[0] == 354:
            self.send(stuffed + b".\r\n")
            finals = [self.reply() for _ in range(accepted)]
        return mail, rr, data, finals

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def dot_stuff(body):
    if isinstance(body, str):
        body = body.encode()
    data = body.replace(b"\r\n.", b"\r\n..")
    if data.startswith(b"."):
        data = b"." + data
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data


def crlf(text):
    if isinstance(text, str):
        text = text.encode()
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def stored_form(body, sender, rcpt):
    """What Maildir should hold: our trace headers + body with LF ends."""
    if isinstance(body, str):
        body = body.encode()
    head = ("Return-Path: <%s>\nDelivered-To: %s\n" % (sender, rcpt)).encode()
    return head + body.replace(b"\r\n", b"\n")


def split_stored(data):
    """Split a stored message into (our prepended trace/auth headers, the
    rest as received).  Our headers are the leading Return-Path,
    Delivered-To, Authentication-Results and Received-SPF fields."""
    ours = (b"return-path:", b"delivered-to:", b"authentication-results:", b"received-spf:")
    pos = 0
    while pos < len(data):
        line_end = data.find(b"\n", pos)
        if line_end < 0:
            break
        if not data[pos:line_end].lower().startswith(ours):
            break
        # skip continuation lines
        nxt = line_end + 1
        while nxt < len(data) and data[nxt:nxt + 1] in (b" ", b"\t"):
            nxt = data.find(b"\n", nxt) + 1 or len(data)
        pos = nxt
    return data[:pos], data[pos:]
