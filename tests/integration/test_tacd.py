"""tacd, the tls-alpn-01 responder, from the outside: the certificate it
serves (RFC 8737, RFC 8738), the clients it refuses, the clients that
fail (none may stop it), its limits, its command line, and its clean exit.

Every tacd is started by the fixture and stopped by its PID; readiness is
polled with a deadline.  The certificate is read with the ssl module and
checked with the openssl command.
"""
import errno
import os
import re
import select
import signal
import stat
import socket
import ssl
import subprocess
import threading
import time

import pytest

import conftest
from pebble import free_port

ACME_OID = "1.3.6.1.5.5.7.1.31"
DOMAIN = "tacd.example.org"
START_TIMEOUT = 30  # seconds; generous for ASan and RSA 4096 keys


def ext_text(digest):
    """The --acme-ext text ACMEd's hooks pass for a 32-byte digest."""
    return f"{ACME_OID}=critical,DER:04:20:" + ":".join(
        f"{b:02x}" for b in digest)


def sanitizer_report(text):
    return re.search(r"AddressSanitizer|LeakSanitizer|runtime error:",
                     text) is not None


class Tacd:
    """One tacd process started by a test."""

    def __init__(self, folder, proc, tcp=None, unix=None, pid_file=None):
        self.folder = folder
        self.proc = proc
        self.tcp = tcp          # (host, port) or None
        self.unix = unix        # socket path or None
        self.pid_file = pid_file
        self.pid = proc.pid if proc is not None else None

    def log(self):
        try:
            with open(os.path.join(self.folder, "stderr"),
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def running(self):
        if self.proc is not None:
            return self.proc.poll() is None
        return pid_alive(self.pid)

    def connect(self, timeout=10):
        if self.unix is not None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.unix)
            return s
        return socket.create_connection(self.tcp, timeout=timeout)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends sig and waits for the exit; returns the exit status
        (None for a daemon, which is not our child)."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    raise
            return self.proc.returncode
        if self.pid is not None and pid_alive(self.pid):
            os.kill(self.pid, sig)
            deadline = time.monotonic() + timeout
            while pid_alive(self.pid):
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    raise TimeoutError(f"daemon {self.pid} did not stop")
                time.sleep(0.02)  # polling interval
        return None


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(") ", 1)[1][0]
        return state not in ("Z", "X")
    except (FileNotFoundError, IndexError):
        return False


def handshake(t, sni=DOMAIN, alpn=("acme-tls/1",), version=None,
              timeout=10):
    """A TLS handshake with tacd; returns (DER certificate, selected ALPN,
    TLS version).  Raises ssl.SSLError or OSError when refused."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    if version is not None:
        ctx.minimum_version = version
        ctx.maximum_version = version
    sock = t.connect(timeout)
    with ctx.wrap_socket(sock, server_hostname=sni) as tls:
        return (tls.getpeercert(binary_form=True),
                tls.selected_alpn_protocol(), tls.version())


def refused(exc):
    """True for the clean refusal a client without acme-tls/1 gets."""
    return (isinstance(exc, ssl.SSLError) and
            "no application protocol" in str(exc).lower())


@pytest.fixture
def tacd(tmp_path):
    """Starts tacd processes; stops every one still running afterwards and
    fails on a sanitizer report."""
    started = []
    program = conftest.program("tacd")

    def start(args=None, domain=DOMAIN, digest=None, listen="tcp",
              stdin=None, env=None, foreground=True, pid_file=False,
              cwd=None, wait=True, name=None):
        folder = tmp_path / (name or f"tacd{len(started)}")
        folder.mkdir()
        argv = [program, "--log-stderr", "--log-level", "debug"]
        if foreground:
            argv.append("-f")
        tcp = unix = None
        if listen == "tcp":
            tcp = ("127.0.0.1", free_port())
            argv += ["-l", f"{tcp[0]}:{tcp[1]}"]
        elif listen == "unix":
            unix = str(folder / "tacd.sock")
            argv += ["-l", f"unix:{unix}"]
        elif listen is not None:
            argv += ["-l", listen]
        pid_path = None
        if pid_file is True:
            pid_path = str(folder / "tacd.pid")
            argv += ["--pid-file", pid_path]
        elif pid_file:
            pid_path = pid_file
            argv += ["--pid-file", pid_path]
        else:
            argv.append("--no-pid-file")
        if domain is not None:
            argv += ["-d", domain]
        if digest is not None:
            argv += ["--acme-ext", ext_text(digest)]
        argv += args or []
        full_env = dict(os.environ)
        full_env.update(env or {})
        with open(folder / "stderr", "wb") as err:
            proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE if stdin is not None
                else subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err, env=full_env, cwd=cwd or str(folder))
        if stdin is not None:
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        t = Tacd(str(folder), proc, tcp, unix, pid_path)
        started.append(t)
        if wait:
            wait_ready(t)
        return t

    yield start
    problems = []
    for t in started:
        try:
            t.stop()
        except Exception as e:  # keep stopping the others
            problems.append(f"{t.pid}: {e}")
        if sanitizer_report(t.log()):
            problems.append(f"sanitizer report in {t.folder}/stderr:\n"
                            f"{t.log()[-3000:]}")
    assert not problems, "\n".join(problems)


def wait_ready(t, timeout=START_TIMEOUT):
    """Polls until tacd completes a handshake; fails at once if it
    exits."""
    deadline = time.monotonic() + timeout
    while True:
        if not t.running():
            status = t.proc.returncode if t.proc is not None else "?"
            raise AssertionError(f"tacd exited ({status}):\n{t.log()}")
        try:
            handshake(t, timeout=2)
            return
        except (OSError, ssl.SSLError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"tacd not ready after {timeout} s:\n"
                               f"{t.log()}")
        time.sleep(0.02)  # polling interval


def openssl(*args, data=None):
    r = subprocess.run(["openssl", *args], input=data, capture_output=True,
                       check=True)
    return r.stdout.decode()


def check_certificate(der, tmp_path, digest, san):
    """RFC 8737 section 3: the one SAN, the critical acmeIdentifier
    extension holding DER OCTET STRING(digest), self-signed."""
    path = tmp_path / "served.der"
    path.write_bytes(der)
    pem_path = tmp_path / "served.pem"
    pem_path.write_text(ssl.DER_cert_to_PEM_cert(der))
    text = openssl("x509", "-inform", "DER", "-in", str(path), "-noout",
                   "-text")
    sans = openssl("x509", "-inform", "DER", "-in", str(path), "-noout",
                   "-ext", "subjectAltName")
    assert sans.splitlines()[1].strip() == san, sans
    assert "Subject: O = ACMEd, CN = ACMEd TLS-ALPN-01 Authority" in text
    assert "Issuer: O = ACMEd, CN = ACMEd TLS-ALPN-01 Authority" in text
    assert f"{ACME_OID}: critical" in text, text

    # The extension's value, byte for byte.
    lines = openssl("asn1parse", "-inform", "DER", "-in",
                    str(path)).splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.rstrip().endswith(":" + ACME_OID))
    assert re.search(r"BOOLEAN\s+:255", lines[at + 1]), lines[at + 1]
    m = re.search(r"OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)", lines[at + 2])
    assert m, lines[at + 2]
    assert bytes.fromhex(m.group(1)) == b"\x04\x20" + digest

    # Self-signed: the signature verifies with its own key.
    # -ignore_critical: OpenSSL does not know acmeIdentifier.
    out = openssl("verify", "-CAfile", str(pem_path), "-partial_chain",
                  "-check_ss_sig", "-ignore_critical", str(pem_path))
    assert out.strip().endswith(": OK"), out
    return text


# --- the certificate ---------------------------------------------------

def test_serves_rfc8737_certificate(tacd, tmp_path):
    digest = os.urandom(32)
    t = tacd(digest=digest)
    for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
        der, alpn, got = handshake(t, version=version)
        assert alpn == "acme-tls/1"
        assert got == version.name.replace("v1_", "v1.")
        check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")
    assert "tls-alpn-01 certificate sent (SNI tacd.example.org" in t.log()
    assert t.stop() == 0


@pytest.mark.parametrize("alg,digest_name,sig", [
    ("rsa2048", "sha384", "sha384WithRSAEncryption"),
    ("ecdsa-p384", "sha512", "ecdsa-with-SHA512"),
    ("ed25519", "sha256", "ED25519"),
])
def test_key_type_and_digest(tacd, tmp_path, alg, digest_name, sig):
    digest = os.urandom(32)
    t = tacd(digest=digest, args=["--crt-signature-alg", alg,
                                  "--crt-digest", digest_name])
    der, alpn, _ = handshake(t)
    assert alpn == "acme-tls/1"
    text = check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")
    assert f"Signature Algorithm: {sig}" in text


@pytest.mark.parametrize("given,sni,san", [
    # What ACMEd's default hooks pass: the reverse-DNS name.
    ("1.2.0.192.in-addr.arpa", "1.2.0.192.in-addr.arpa",
     "IP Address:192.0.2.1"),
    ("192.0.2.7", "7.2.0.192.in-addr.arpa", "IP Address:192.0.2.7"),
    ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
     "ip6.arpa", None, "IP Address:2001:DB8:0:0:0:0:0:1"),
    ("2001:DB8::2", None, "IP Address:2001:DB8:0:0:0:0:0:2"),
])
def test_ip_identifier_gets_ipaddress_san(tacd, tmp_path, given, sni, san):
    """RFC 8738 section 6 (ACMEd's tacd writes a dNSName instead)."""
    digest = os.urandom(32)
    t = tacd(domain=given, digest=digest)
    der, alpn, _ = handshake(t, sni=sni)
    assert alpn == "acme-tls/1"
    check_certificate(der, tmp_path, digest, san)


def test_idna_and_case(tacd, tmp_path):
    digest = os.urandom(32)
    t = tacd(domain="Bücher.Example", digest=digest)
    der, _, _ = handshake(t, sni="xn--bcher-kva.example")
    check_certificate(der, tmp_path, digest, "DNS:xn--bcher-kva.example")


def test_short_options_with_equals_and_ascii_labels(tacd, tmp_path):
    """ACMEd's parser (clap) reads -d=NAME as -d NAME; an ASCII label is
    only lower-cased, as acmed's identifiers are ("my--site" included)."""
    digest = os.urandom(32)
    t = tacd(domain=None, args=["-d=My--Site.Example",
                                f"-e={ext_text(digest)}"])
    der, _, _ = handshake(t, sni="my--site.example")
    check_certificate(der, tmp_path, digest, "DNS:my--site.example")


def test_inputs_from_stdin(tacd, tmp_path):
    """tacd(8): the domain, then the extension, one line each."""
    digest = os.urandom(32)
    t = tacd(domain=None, stdin=f"{DOMAIN}\n{ext_text(digest)}\n")
    der, _, _ = handshake(t)
    check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")


def test_inputs_from_files_are_trimmed(tacd, tmp_path):
    digest = os.urandom(32)
    (tmp_path / "domain.txt").write_text(f"  {DOMAIN}\n\n")
    (tmp_path / "ext.txt").write_text(f"\n{ext_text(digest)}  \n")
    t = tacd(domain=None, args=[
        "--domain-file", str(tmp_path / "domain.txt"),
        "--acme-ext-file", str(tmp_path / "ext.txt")])
    der, _, _ = handshake(t)
    check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")


def test_domain_from_option_ext_from_stdin(tacd, tmp_path):
    digest = os.urandom(32)
    t = tacd(stdin=ext_text(digest) + "\n")
    der, _, _ = handshake(t)
    check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")


def test_empty_extension_leaves_it_out(tacd, tmp_path):
    """ACMEd's tacd: an empty extension text means no acmeIdentifier."""
    t = tacd(args=["--acme-ext", ""])
    der, alpn, _ = handshake(t)
    assert alpn == "acme-tls/1"
    path = tmp_path / "served.der"
    path.write_bytes(der)
    text = openssl("x509", "-inform", "DER", "-in", str(path), "-noout",
                   "-text")
    assert ACME_OID not in text and f"DNS:{DOMAIN}" in text
    assert "no acmeIdentifier extension" in t.log()


# --- clients that must not get the certificate or stop tacd -------------

def test_missing_extension_line_is_an_error():
    """tacd(8): the identifier or the extension missing is an error (exit
    1); only an empty line leaves the extension out.  A stdin that ended
    after the domain was served without a word but a warning."""
    r = run_tacd("-f", "--no-pid-file", "-d", DOMAIN, stdin="")
    assert r.returncode == 1, r.stderr
    assert "acmeIdentifier extension: missing: no line left on the " \
        "standard input" in r.stderr
    r = run_tacd("-f", "--no-pid-file", stdin=DOMAIN + "\n")
    assert r.returncode == 1
    assert "acmeIdentifier extension: missing" in r.stderr


def test_client_without_alpn_is_refused(tacd):
    t = tacd(digest=os.urandom(32))
    for alpn in ((), ("h2", "http/1.1")):
        with pytest.raises(ssl.SSLError) as e:
            handshake(t, alpn=alpn)
        assert refused(e.value), e.value
    assert t.running()
    assert handshake(t)[1] == "acme-tls/1"
    assert "offered no ALPN protocol" in t.log()
    assert "did not offer ALPN acme-tls/1" in t.log()


def read_all(s):
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk


def test_plain_tcp_probe(tacd):
    t = tacd(digest=os.urandom(32))
    for _ in range(20):
        t.connect().close()
    # A probe that half-closes gets at most a TLS alert, then the close.
    s = t.connect()
    s.shutdown(socket.SHUT_WR)
    got = read_all(s)
    assert got == b"" or got.startswith(b"\x15\x03"), got
    s.close()
    assert handshake(t)[1] == "acme-tls/1"


@pytest.mark.parametrize("payload", [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x00\x05hello",            # a record too short to parse
    b"\x16\x03\x01\xff\xff" + b"\x00" * 64,   # claims 64 KiB, sends less
    bytes(range(256)) * 8,
], ids=["http", "short-hello", "truncated-record", "binary"])
def test_client_sending_garbage(tacd, payload):
    t = tacd(digest=os.urandom(32))
    s = t.connect()
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        read_all(s)  # an alert, then the close
    except OSError as e:
        # tacd may hang up before the client is done talking.
        assert e.errno in (errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN), e
    s.close()
    assert t.running()
    assert handshake(t)[1] == "acme-tls/1"


def test_client_closing_mid_handshake(tacd):
    """The client hangs up after its ClientHello."""
    t = tacd(digest=os.urandom(32))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["acme-tls/1"])
    for _ in range(5):
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing, server_hostname=DOMAIN)
        with pytest.raises(ssl.SSLWantReadError):
            obj.do_handshake()
        s = t.connect()
        s.sendall(outgoing.read())
        s.recv(10)  # the start of the ServerHello
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
        s.close()
    assert handshake(t)[1] == "acme-tls/1"


def test_silent_client_times_out(tacd):
    t = tacd(digest=os.urandom(32),
             env={"TACD_HANDSHAKE_TIMEOUT_MS": "300"})
    s = t.connect(timeout=10)
    begin = time.monotonic()
    assert s.recv(10) == b""  # closed by tacd, not by our timeout
    assert 0.2 < time.monotonic() - begin < 8
    s.close()
    assert "handshake timed out after 300 ms" in t.log()
    assert handshake(t)[1] == "acme-tls/1"


def test_silent_clients_do_not_block_others(tacd):
    """With the default 10 s timeout, ten silent clients must not delay a
    real one."""
    t = tacd(digest=os.urandom(32))
    silent = [t.connect() for _ in range(10)]
    begin = time.monotonic()
    for _ in range(5):
        assert handshake(t)[1] == "acme-tls/1"
    assert time.monotonic() - begin < 5
    for s in silent:
        s.close()


def socket_fds(pid):
    fd_dir = f"/proc/{pid}/fd"
    n = 0
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)).startswith("socket:"):
                n += 1
        except FileNotFoundError:
            pass
    return n


def closed_by_tacd(socks):
    """How many of socks, which say nothing, tacd has closed (readable:
    it sends them nothing but the close)."""
    p = select.poll()
    for s in socks:
        p.register(s, select.POLLIN)
    return len(p.poll(0))


def silent_clients(t, n):
    """n connections that never say a word, once tacd has taken in every
    one and holds 64 of them (all it takes at once): each beyond 64 pushed
    an earlier one out."""
    silent = [t.connect() for _ in range(n)]
    deadline = time.monotonic() + 10
    while (closed_by_tacd(silent) < n - 64 or
           socket_fds(t.pid) < 1 + 64) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling interval
    # One listener + 64 connections; the signalfd is not a socket.
    assert socket_fds(t.pid) == 1 + 64
    assert closed_by_tacd(silent) == max(n - 64, 0)
    return silent


def test_connection_limit(tacd):
    """100 silent clients: at most 64 are held at once (the others wait
    in the backlog, then push the oldest out), every one is closed in the
    end, and a real client gets its certificate."""
    t = tacd(digest=os.urandom(32),
             env={"TACD_HANDSHAKE_TIMEOUT_MS": "2000"})
    silent = silent_clients(t, 100)
    begin = time.monotonic()
    assert handshake(t, timeout=20)[1] == "acme-tls/1"
    assert time.monotonic() - begin < 15
    for s in silent:
        s.settimeout(10)
        assert s.recv(10) == b""  # every one taken in, then closed
        s.close()


def test_silent_clients_cannot_hold_every_slot(tacd):
    """Clients that open connections and stay silent only push each other
    out: a validator arriving after 200 of them is served within seconds,
    not once their (here 60 s) handshake timeouts have run out."""
    t = tacd(digest=os.urandom(32),
             env={"TACD_HANDSHAKE_TIMEOUT_MS": "60000"})
    silent = silent_clients(t, 200)
    # handshake() gives up after 20 s, a third of the timeout.
    assert handshake(t, timeout=20)[1] == "acme-tls/1"
    for s in silent:
        s.close()


def flood(t, rate, stop, held):
    """Opens rate silent connections a second to t until stop is set, as
    one process can; keeps them open (a closed one would fail its
    handshake at once and free its slot) in held, closes them at the
    end."""
    begin = time.monotonic()
    try:
        while not stop.is_set():
            try:
                held.append(t.connect(timeout=1))
            except OSError:
                pass
            # Pacing, not waiting for tacd: connection n at begin + n/rate.
            stop.wait(begin + len(held) / rate - time.monotonic())
    finally:
        for s in held:
            s.close()


def far_handshake(t, rtt):
    """A handshake with a validator rtt seconds away: each of its flights
    after the ClientHello comes that late.  TLS 1.2, whose last flight is
    the server's: the client completes only if tacd did.  Returns the
    selected ALPN; ConnectionError when tacd hung up."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["acme-tls/1"])
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=DOMAIN)
    with t.connect() as s:
        hello = True
        while True:
            try:
                tls.do_handshake()
                return tls.selected_alpn_protocol()
            except ssl.SSLWantReadError:
                pass
            data = outgoing.read()
            if data:
                if not hello:
                    time.sleep(rtt)  # the network, not tacd
                s.sendall(data)
                hello = False
            data = s.recv(65536)
            if not data:
                raise ConnectionError("tacd closed the connection")
            incoming.write(data)


def test_flood_of_silent_clients_does_not_delay_validators(tacd):
    """400 silent connections a second keep every slot taken, yet each
    validator, whose ClientHello comes with its connection, is served at
    once: a connection without its ClientHello gives its slot to a waiting
    client within milliseconds, so the flood does not pile up in the
    backlog.  (When a slot came free only after a second, 64 a second got
    in and handshakes took longer the longer the flood went on.)  A
    validator far away, past its ClientHello, keeps its slot meanwhile."""
    t = tacd(digest=os.urandom(32))
    stop = threading.Event()
    held = []
    flooder = threading.Thread(target=flood, args=(t, 400, stop, held))
    flooder.start()
    times = []
    try:
        deadline = time.monotonic() + 10
        while socket_fds(t.pid) < 1 + 64:
            assert time.monotonic() < deadline, "the slots never filled"
            time.sleep(0.02)  # polling interval
        end = time.monotonic() + 4
        while time.monotonic() < end:
            begin = time.monotonic()
            try:
                assert handshake(t, timeout=10)[1] == "acme-tls/1"
                times.append(round(time.monotonic() - begin, 3))
            except (OSError, ssl.SSLError) as e:
                times.append(f"{time.monotonic() - begin:.3f}: {e!r}")
        slow = [x for x in times if not isinstance(x, float) or x >= 2]
        assert not slow, f"{len(slow)} of {len(times)} handshakes: {slow[:5]}"
        begin = time.monotonic()
        assert far_handshake(t, 0.3) == "acme-tls/1"
        assert time.monotonic() - begin < 2 + 2 * 0.3
    finally:
        stop.set()
        flooder.join()
    assert len(held) >= 400 * 4 // 2, len(held)  # the flood did flow
    assert "(no ClientHello, all 64 slots taken)" in t.log()
    assert t.running()


def test_200_concurrent_clients(tacd):
    """200 clients at once: a quarter offer no ALPN and must be refused,
    the others must get the certificate; tacd then still answers.  On a
    small machine a thread may stall between its connection and its
    ClientHello for longer than a connection may stay silent while others
    wait: tacd closes it, as it would a silent client, and it tries once
    more after the burst (no more of them than tacd logged)."""
    t = tacd(digest=os.urandom(32))
    barrier = threading.Barrier(200)
    results = [None] * 200

    def client(i):
        try:
            alpn = () if i % 4 == 0 else ("acme-tls/1",)
            results[i] = ("ok", handshake(t, alpn=alpn, timeout=60)[1])
        except Exception as e:
            results[i] = ("refused" if refused(e) else
                          "closed" if isinstance(e, (
                              ConnectionError, ssl.SSLEOFError,
                              ssl.SSLZeroReturnError)) else
                          "error", repr(e))

    def burst(i):
        barrier.wait()
        client(i)

    threads = [threading.Thread(target=burst, args=(i,))
               for i in range(200)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    closed = [i for i, r in enumerate(results) if r[0] == "closed"]
    assert len(closed) <= t.log().count("(no ClientHello, all 64 slots"), \
        [results[i] for i in closed]
    for i in closed:
        client(i)
    for i, r in enumerate(results):
        if i % 4 == 0:
            assert r[0] == "refused", (i, r)
        else:
            assert r == ("ok", "acme-tls/1"), (i, r)
    assert t.running()
    assert handshake(t)[1] == "acme-tls/1"
    assert t.stop() == 0


# --- listening ---------------------------------------------------------

def test_bare_port_listens_on_every_address(tacd):
    """ACMEd's default tcp hook passes a bare port (ACMEd's tacd rejects
    it)."""
    port = free_port()
    t = tacd(digest=os.urandom(32), listen=str(port), wait=False)
    t.tcp = ("127.0.0.1", port)
    wait_ready(t)
    assert handshake(t)[1] == "acme-tls/1"
    t.tcp = ("::1", port)
    if socket.has_ipv6:
        assert handshake(t)[1] == "acme-tls/1"


def test_ipv6_literal_listen(tacd):
    port = free_port()
    t = tacd(digest=os.urandom(32), listen=f"[::1]:{port}", wait=False)
    t.tcp = ("::1", port)
    wait_ready(t)
    assert handshake(t)[1] == "acme-tls/1"


def test_ipv6_any_listen_is_dual_stack(tacd):
    """[::] alone keeps the system's default, dual-stack on Linux, as
    ACMEd's tacd did: an existing --listen [::]:443 must not lose IPv4."""
    with open("/proc/sys/net/ipv6/bindv6only") as f:
        if f.read().strip() != "0":
            pytest.skip("net.ipv6.bindv6only is set")
    port = free_port()
    t = tacd(digest=os.urandom(32), listen=f"[::]:{port}", wait=False)
    t.tcp = ("127.0.0.1", port)
    wait_ready(t)
    assert handshake(t)[1] == "acme-tls/1"
    t.tcp = ("::1", port)
    assert handshake(t)[1] == "acme-tls/1"


def test_unix_socket_and_pid_file_removed_on_sigterm(tacd, tmp_path):
    digest = os.urandom(32)
    t = tacd(digest=digest, listen="unix", pid_file=True)
    der, alpn, _ = handshake(t)
    assert alpn == "acme-tls/1"
    check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")
    # Whatever the umask (022 here made it 0755: only tacd's user could
    # connect), a proxy of another user may.
    assert stat.S_IMODE(os.stat(t.unix).st_mode) == 0o666
    with open(t.pid_file) as f:
        assert f.read() == f"{t.pid}\n"
    assert t.stop(signal.SIGTERM) == 0
    assert not os.path.exists(t.unix)
    assert not os.path.exists(t.pid_file)
    assert "Terminated: stopping" in t.log()


def test_sigint_stops_cleanly(tacd):
    t = tacd(digest=os.urandom(32), listen="unix", pid_file=True)
    silent = t.connect()  # a connection open at the stop
    assert t.stop(signal.SIGINT) == 0
    silent.close()
    assert not os.path.exists(t.unix)
    assert not os.path.exists(t.pid_file)


def test_unix_path_that_is_not_a_socket_is_refused(tacd, tmp_path):
    path = tmp_path / "not-a-socket"
    path.write_text("keep me\n")
    t = tacd(digest=os.urandom(32), listen=f"unix:{path}", wait=False)
    assert t.proc.wait(START_TIMEOUT) == 1
    assert "exists and is not a socket" in t.log()
    assert path.read_text() == "keep me\n"


def test_unix_socket_in_use_is_refused_stale_one_replaced(tacd, tmp_path):
    path = str(tmp_path / "s.sock")
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    other.bind(path)
    other.listen()
    t = tacd(digest=os.urandom(32), listen=f"unix:{path}", wait=False,
             name="busy")
    assert t.proc.wait(START_TIMEOUT) == 1
    assert "another process is listening" in t.log()
    assert os.path.exists(path)
    other.close()  # the file stays behind, as after a crash
    t = tacd(digest=os.urandom(32), listen=f"unix:{path}", wait=False,
             name="stale")
    t.unix = path
    wait_ready(t)
    assert "removing a stale socket" in t.log()
    assert t.stop() == 0
    assert not os.path.exists(path)


def test_tcp_port_in_use(tacd):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        t = tacd(digest=os.urandom(32), listen=f"127.0.0.1:{port}",
                 wait=False)
        assert t.proc.wait(START_TIMEOUT) == 1
    assert "Address already in use" in t.log()


# --- detaching ---------------------------------------------------------

def test_daemon_with_relative_paths(tacd, tmp_path):
    """Without -f the launcher returns once the daemon serves; relative
    paths are the caller's (ACMEd's tacd resolves them from /)."""
    digest = os.urandom(32)
    work = tmp_path / "work"
    work.mkdir()
    (work / "ext.txt").write_text(ext_text(digest) + "\n")
    t = tacd(foreground=False, listen="unix:tacd.sock", cwd=str(work),
             pid_file="tacd.pid", args=["--acme-ext-file", "ext.txt"],
             wait=False)
    # The launcher exits 0 only once the daemon is ready.
    assert t.proc.wait(START_TIMEOUT) == 0
    pid_path = work / "tacd.pid"
    t.pid = int(pid_path.read_text())
    t.proc = None
    t.unix = str(work / "tacd.sock")
    assert pid_alive(t.pid)
    der, alpn, _ = handshake(t)
    check_certificate(der, tmp_path, digest, f"DNS:{DOMAIN}")
    t.stop()
    assert not os.path.exists(t.unix)
    assert not pid_path.exists()


def test_pid_file_held_by_another_tacd(tacd):
    first = tacd(digest=os.urandom(32), pid_file=True, name="first")
    t = tacd(digest=os.urandom(32), foreground=False, wait=False,
             pid_file=first.pid_file, name="second")
    assert t.proc.wait(START_TIMEOUT) == 3
    assert first.running()
    with open(first.pid_file) as f:
        assert f.read() == f"{first.pid}\n"


# --- command line ------------------------------------------------------

def run_tacd(*args, stdin=""):
    return subprocess.run([conftest.program("tacd"), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_version_and_help():
    r = run_tacd("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("tacd ")
    r = run_tacd("-V")
    assert r.returncode == 0 and r.stdout.startswith("tacd ")
    r = run_tacd("--help")
    assert r.returncode == 0
    for flag in ("--acme-ext", "--acme-ext-file", "--crt-digest",
                 "--crt-signature-alg", "--domain", "--domain-file",
                 "--foreground", "--listen", "--log-stderr", "--log-syslog",
                 "--log-level", "--no-pid-file", "--pid-file", "--version"):
        assert flag in r.stdout
    assert "ecdsa-p256" in r.stdout and "ed25519" in r.stdout


@pytest.mark.parametrize("args,message", [
    (["-d", "a", "--domain-file", "f"], "--domain and --domain-file"),
    (["-e", "a", "--acme-ext-file", "f"], "--acme-ext and --acme-ext-file"),
    (["--log-stderr", "--log-syslog"], "--log-stderr and --log-syslog"),
    (["--pid-file", "p", "--no-pid-file"], "--pid-file and --no-pid-file"),
    (["--log-level", "loud"], "loud"),
    (["--crt-digest", "md5"], "--crt-digest"),
    (["--crt-signature-alg", "dsa"], "--crt-signature-alg"),
    (["--bogus"], "bogus"),
    (["extra"], "unexpected argument"),
])
def test_usage_errors(args, message):
    r = run_tacd(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert not sanitizer_report(r.stderr), r.stderr


@pytest.mark.parametrize("args,stdin,message", [
    (["-d", DOMAIN, "-e", "1.3.6.1.5.5.7.1.31=critical,DER:04:20:00"], "",
     "invalid acmeIdentifier extension"),
    (["-d", DOMAIN, "-e", "subjectAltName=DNS:x"], "",
     "invalid acmeIdentifier extension"),
    (["-d", "bad name"], "", "invalid domain name"),
    (["-d", "*.example.org"], "", "invalid domain name"),
    (["-d", "example.org."], "", "empty label"),
    (["-d", "www..example.org"], "", "empty label"),
    (["-d", "." + DOMAIN], "", "empty label"),
    (["-d", "x" * 64 + ".org"], "", "label longer than 63"),
    (["-d", ("x" * 62 + ".") * 4 + "org"], "", "longer than 253"),
    (["-d", "1:2"], "", "a character other than letters"),
    (["-d", DOMAIN, "--acme-ext-file", "/nonexistent/ext"], "",
     "/nonexistent/ext"),
    ([], "", "domain: missing: no line left on the standard input"),
    ([], "\n", "the domain is empty"),
    (["-d", DOMAIN, "-l", "localhost"], "", "invalid listen address"),
    (["-d", DOMAIN, "-l", "::1:5001"], "", "brackets"),
    (["-d", DOMAIN, "-l", "127.0.0.1:99999"], "", "invalid port"),
    (["-d", DOMAIN, "-l", "unix:"], "", "empty socket path"),
    (["-d", DOMAIN, "-l", "unix:/" + "x" * 200], "", "too long"),
])
def test_start_errors(args, stdin, message):
    ext = ["-e", ext_text(bytes(32))] if "-e" not in args and \
        "--acme-ext-file" not in args and args else []
    r = run_tacd("-f", "--no-pid-file", *args, *ext, stdin=stdin)
    assert r.returncode == 1, r.stderr
    assert message in r.stderr
    assert r.stderr.startswith("tacd: ")
    assert not sanitizer_report(r.stderr), r.stderr
