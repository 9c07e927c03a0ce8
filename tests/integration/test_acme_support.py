"""Helpers for the ACME integration tests (issue 6); no tests in here.

- drive(): runs build/tests/acme-driver on one or more Pebbles, times it,
  parses what it prints and fails on sanitizer reports;
- AccountFile: ACMEd's bincode account file (acmed-behaviour.md section
  3.2), written independently of the C codec;
- Acme: a minimal ACME client of our own, to ask the CA what it knows
  about an account (its key, its contacts) without trusting the driver;
- chain and key checks with openssl and the cryptography package.
"""
import base64
import dataclasses
import hashlib
import json
import os
import re
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import (ec, ed448, ed25519,
                                                       padding, rsa)
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature

import conftest

# -- timing ------------------------------------------------------------------

def sanitized():
    """True when ACMED_BUILD is an ASan/UBSan build (slower: more time)."""
    path = os.path.join(conftest.build_dir(), "meson-info",
                        "intro-buildoptions.json")
    try:
        with open(path) as f:
            for o in json.load(f):
                if o["name"] == "b_sanitize":
                    v = o["value"]
                    return v not in ("none", "", []) and v != ["none"]
    except (OSError, ValueError, KeyError):
        pass
    return False


def no_hang_limit(extra=0.0):
    """How long a failing run may take before we call it a hang: generous,
    because this checks that retries and timeouts end, not speed (speed is
    measured in bench/, never asserted in tests)."""
    base = 30.0 * (3 if sanitized() else 1)
    return base + extra


# -- the driver --------------------------------------------------------------

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "UndefinedBehaviorSanitizer")


@dataclasses.dataclass
class Run:
    argv: list
    rc: int
    stdout: str
    stderr: str
    seconds: float
    accounts: dict      # endpoint -> account URL (the last one printed)
    certs: dict         # endpoint -> certificate URL
    stats: dict         # endpoint -> (requests, new_nonce)

    def __str__(self):
        return (f"acme-driver exited {self.rc} after {self.seconds:.2f} s\n"
                f"argv: {' '.join(self.argv)}\nstdout:\n{self.stdout}\n"
                f"stderr:\n{self.stderr}")

    def errors(self):
        """The "acme-driver: ..." error lines."""
        return [l for l in self.stderr.splitlines()
                if l.startswith("acme-driver: ")]


def drive(endpoints, accounts, command, *args, check=True, timeout=120):
    """Runs acme-driver.  endpoints: {name: Pebble}; every Pebble's TLS
    certificate is trusted.  check: the run must succeed.  The time each
    run takes is written to ACMED_FLOW_LOG when it is set.  Returns a
    Run."""
    argv = [conftest.program("tests/acme-driver")]
    for name, p in endpoints.items():
        argv += ["--endpoint", f"{name}={p.directory}", "--root", p.tls_cert]
    argv += ["--accounts", str(accounts)] + [str(a) for a in args]
    argv.append(command)
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - t0
    run = Run(argv, proc.returncode, proc.stdout, proc.stderr, seconds,
              {}, {}, {})
    for line in proc.stdout.splitlines():
        m = re.fullmatch(r"(\S+): account (\S+)", line)
        if m:
            run.accounts[m[1]] = m[2]
        m = re.fullmatch(r"(\S+): certificate (\S+)", line)
        if m:
            run.certs[m[1]] = m[2]
        m = re.fullmatch(r"(\S+): requests (\d+) new_nonce (\d+)", line)
        if m:
            run.stats[m[1]] = (int(m[2]), int(m[3]))
    log = os.environ.get("ACMED_FLOW_LOG")
    if log:     # for timing reports: seconds, exit code, test, arguments
        with open(log, "a") as f:
            f.write(f"{seconds:.3f} {proc.returncode} "
                    f"{os.environ.get('PYTEST_CURRENT_TEST', '?').split()[0]}"
                    f" {command} {' '.join(argv[1:-1])}\n")
    for marker in SANITIZER_MARKERS:
        assert marker not in proc.stderr, str(run)
    if check:
        assert proc.returncode == 0, str(run)
    return run


# -- base64url ---------------------------------------------------------------

def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def account_file_name(name):
    return b64u(name.encode()) + ".account.bin"


# -- ACMEd's account file ----------------------------------------------------

@dataclasses.dataclass
class KeyRecord:
    created: Tuple[int, int]
    der: bytes
    alg: str


@dataclasses.dataclass
class EndpointRecord:
    name: str
    created: Tuple[int, int]
    account_url: str
    orders_url: str
    key_hash: bytes
    contacts_hash: bytes
    eab_hash: bytes


@dataclasses.dataclass
class AccountFile:
    """acmed-behaviour.md 3.2: bincode's legacy layout, little-endian
    fixed-width integers, every length a u64, Option a 0/1 tag byte, a
    timestamp u64 seconds + u32 nanoseconds."""
    name: str
    endpoints: List[EndpointRecord]
    contacts: List[Tuple[str, str]]
    current: KeyRecord
    past: List[KeyRecord]
    eab: Optional[Tuple[str, bytes, str]]    # identifier, key, algorithm

    def endpoint(self, name):
        for e in self.endpoints:
            if e.name == name:
                return e
        raise KeyError(name)

    # encoding

    def encode(self):
        out = bytearray()

        def u64(v):
            out.extend(struct.pack("<Q", v))

        def raw(b):
            u64(len(b))
            out.extend(b)

        def string(s):
            raw(s.encode())

        def stamp(t):
            out.extend(struct.pack("<QI", *t))

        def key(k):
            stamp(k.created)
            raw(k.der)
            string(k.alg)

        string(self.name)
        u64(len(self.endpoints))
        for e in self.endpoints:
            string(e.name)
            stamp(e.created)
            string(e.account_url)
            string(e.orders_url)
            raw(e.key_hash)
            raw(e.contacts_hash)
            raw(e.eab_hash)
        u64(len(self.contacts))
        for t, v in self.contacts:
            string(t)
            string(v)
        key(self.current)
        u64(len(self.past))
        for k in self.past:
            key(k)
        if self.eab is None:
            out.append(0)
        else:
            out.append(1)
            string(self.eab[0])
            raw(self.eab[1])
            string(self.eab[2])
        return bytes(out)

    # decoding

    @classmethod
    def decode(cls, data):
        """(record, bytes used): bytes after the record are not read."""
        pos = 0

        def take(n):
            nonlocal pos
            if pos + n > len(data):
                raise ValueError(f"truncated at {pos}")
            b = data[pos:pos + n]
            pos += n
            return b

        def u64():
            return struct.unpack("<Q", take(8))[0]

        def raw():
            return bytes(take(u64()))

        def string():
            return raw().decode()

        def stamp():
            return struct.unpack("<QI", take(12))

        def key():
            return KeyRecord(stamp(), raw(), string())

        name = string()
        eps = []
        for _ in range(u64()):
            eps.append(EndpointRecord(string(), stamp(), string(), string(),
                                      raw(), raw(), raw()))
        contacts = [(string(), string()) for _ in range(u64())]
        current = key()
        past = [key() for _ in range(u64())]
        tag = take(1)[0]
        if tag not in (0, 1):
            raise ValueError(f"option tag {tag}")
        eab = (string(), raw(), string()) if tag == 1 else None
        return cls(name, eps, contacts, current, past, eab), pos

    @classmethod
    def read(cls, folder, name="test"):
        with open(os.path.join(folder, account_file_name(name)), "rb") as f:
            data = f.read()
        record, used = cls.decode(data)
        assert used == len(data), "bytes after the record"
        return record


def contacts_hash(contacts):
    """SHA-256 of the contact URIs, concatenated without separator."""
    return hashlib.sha256("".join(contacts).encode()).digest()


def eab_hash(key, identifier):
    return hashlib.sha256(key + identifier.encode()).digest()


def now_stamp():
    ns = time.time_ns()
    return (ns // 1_000_000_000, ns % 1_000_000_000)


# -- keys --------------------------------------------------------------------

# (driver key type, JWS algorithm, generator)
KEY_TYPES = {
    "rsa2048": ("RS256", lambda: rsa.generate_private_key(65537, 2048)),
    "rsa4096": ("RS256", lambda: rsa.generate_private_key(65537, 4096)),
    "ecdsa_p256": ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
    "ecdsa_p384": ("ES384", lambda: ec.generate_private_key(ec.SECP384R1())),
    "ecdsa_p521": ("ES512", lambda: ec.generate_private_key(ec.SECP521R1())),
    "ed25519": ("Ed25519", ed25519.Ed25519PrivateKey.generate),
    "ed448": ("Ed448", ed448.Ed448PrivateKey.generate),
}


def acmed_der(key):
    """The private key DER as ACMEd (OpenSSL's i2d_PrivateKey) writes it:
    PKCS#1 for RSA, SEC1 for EC, PKCS#8 for Ed25519/Ed448."""
    fmt = serialization.PrivateFormat.TraditionalOpenSSL
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        fmt = serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.DER, fmt,
                             serialization.NoEncryption())


def load_der(der):
    return serialization.load_der_private_key(der, None)


def public_pem(key):
    if hasattr(key, "public_key"):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def key_hash(key):
    """SHA-256 of the SubjectPublicKeyInfo PEM, as ACMEd stores it."""
    return hashlib.sha256(public_pem(key)).digest()


def key_type_of(key):
    if isinstance(key, rsa.RSAPrivateKey):
        return f"rsa{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp256r1": "ecdsa_p256", "secp384r1": "ecdsa_p384",
                "secp521r1": "ecdsa_p521"}[key.curve.name]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    return "ed448"


# -- a minimal ACME client, to ask the CA ------------------------------------

def _jwk(key):
    pub = key.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        n = pub.public_numbers()
        return {"e": b64u(n.e.to_bytes((n.e.bit_length() + 7) // 8, "big")),
                "kty": "RSA",
                "n": b64u(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big"))}
    n = pub.public_numbers()
    size = (key.curve.key_size + 7) // 8
    crv = {"secp256r1": "P-256", "secp384r1": "P-384",
           "secp521r1": "P-521"}[key.curve.name]
    return {"crv": crv, "kty": "EC", "x": b64u(n.x.to_bytes(size, "big")),
            "y": b64u(n.y.to_bytes(size, "big"))}


def _alg(key):
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    return {256: "ES256", 384: "ES384", 521: "ES512"}[key.curve.key_size]


def _sign(key, data):
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256", key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    size = (key.curve.key_size + 7) // 8
    digest = {256: hashes.SHA256(), 384: hashes.SHA384(),
              521: hashes.SHA512()}[key.curve.key_size]
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(digest)))
    alg = {256: "ES256", 384: "ES384", 521: "ES512"}[key.curve.key_size]
    return alg, r.to_bytes(size, "big") + s.to_bytes(size, "big")


class Acme:
    """Signed requests to a Pebble with keys taken from account files."""

    def __init__(self, pebble):
        self.pebble = pebble
        self.ctx = pebble.ssl_context()
        self.dir = json.loads(pebble.get(pebble.directory))

    def _nonce(self):
        req = urllib.request.Request(self.dir["newNonce"], method="HEAD")
        with urllib.request.urlopen(req, context=self.ctx, timeout=5) as r:
            return r.headers["Replay-Nonce"]

    def post(self, url, payload, key, kid=None):
        """(status, parsed body, headers); badNonce is retried, since
        the robustness tests reject half of the nonces."""
        for _ in range(60):
            protected = {"nonce": self._nonce(), "url": url}
            if kid:
                protected["kid"] = kid
            else:
                protected["jwk"] = _jwk(key)
            body = "" if payload is None else json.dumps(payload)
            p64 = b64u(body.encode())
            protected["alg"] = _alg(key)
            h64 = b64u(json.dumps(protected).encode())
            _, sig = _sign(key, f"{h64}.{p64}".encode())
            jws = json.dumps({"protected": h64, "payload": p64,
                              "signature": b64u(sig)}).encode()
            req = urllib.request.Request(
                url, data=jws, method="POST",
                headers={"Content-Type": "application/jose+json"})
            try:
                with urllib.request.urlopen(req, context=self.ctx,
                                            timeout=5) as r:
                    return r.status, _json(r.read()), r.headers
            except urllib.error.HTTPError as e:
                doc = _json(e.read())
                if isinstance(doc, dict) and doc.get("type", "").endswith(
                        ":badNonce"):
                    continue
                return e.code, doc, e.headers
        raise AssertionError("badNonce 60 times in a row")

    def account(self, url, key):
        """POST-as-GET of an account with the key the CA should know."""
        return self.post(url, None, key, kid=url)

    def authorizations(self, account_url, key):
        """{authorization URL: status} over every order of the account."""
        found = {}
        status, acct, _ = self.account(account_url, key)
        assert status == 200, acct
        status, doc, _ = self.post(acct["orders"], None, key, account_url)
        assert status == 200, doc
        for order_url in doc["orders"]:
            status, order, _ = self.post(order_url, None, key, account_url)
            assert status == 200, order
            for a in order["authorizations"]:
                status, authz, _ = self.post(a, None, key, account_url)
                assert status == 200, authz
                found[a] = authz["status"]
        return found

    def find_account(self, key):
        """The URL of the account key belongs to, or None."""
        status, doc, headers = self.post(
            self.dir["newAccount"], {"onlyReturnExisting": True}, key)
        if status in (200, 201):
            return headers["Location"]
        return None


def _json(data):
    try:
        return json.loads(data)
    except ValueError:
        return data


# -- certificates ------------------------------------------------------------

def split_pem(text):
    return re.findall(r"-----BEGIN CERTIFICATE-----.+?"
                      r"-----END CERTIFICATE-----\n?", text, re.S)


def check_outputs(pebble, folder, idents, key_type=None):
    """folder/chain.pem verifies against Pebble's root with openssl, holds
    the identifiers, and folder/key.pem is its key (mode 0600)."""
    chain_path = os.path.join(folder, "chain.pem")
    key_path = os.path.join(folder, "key.pem")
    with open(chain_path) as f:
        chain = f.read()
    certs = split_pem(chain)
    assert len(certs) >= 2, chain
    root = os.path.join(folder, "root.pem")
    leaf = os.path.join(folder, "leaf.pem")
    inter = os.path.join(folder, "intermediates.pem")
    pebble.write_roots(root)
    with open(leaf, "w") as f:
        f.write(certs[0])
    with open(inter, "w") as f:
        f.write("".join(certs[1:]))
    assert certs[1].strip() == pebble.intermediate_pem().strip()
    v = subprocess.run(["openssl", "verify", "-CAfile", root, "-untrusted",
                        inter, leaf], capture_output=True, text=True)
    assert v.returncode == 0 and f"{leaf}: OK" in v.stdout, \
        v.stdout + v.stderr
    cert = x509.load_pem_x509_certificate(certs[0].encode())
    san = cert.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    got = {f"dns:{n}" for n in san.get_values_for_type(x509.DNSName)} | \
        {f"ip:{a}" for a in san.get_values_for_type(x509.IPAddress)}
    assert got == set(idents)
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    assert public_pem(key) == public_pem(cert.public_key())
    assert os.stat(key_path).st_mode & 0o777 == 0o600
    if key_type is not None:
        assert key_type_of(key) == key_type
    return cert


def order_args(idents):
    args = []
    for i in idents:
        args += ["--ident", i]
    return args


# -- a stand-in for pebble-challtestsrv ---------------------------------------

class FakeChallSrv:
    """Answers the driver's challtestsrv calls with status, running on_add
    (e.g. stopping the CA) when a proof is published; records the calls."""

    def __init__(self, on_add=lambda: None, status=200):
        calls = self.calls = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                calls.append((self.path, body))
                if self.path.startswith("/add-") or \
                        self.path.startswith("/set-"):
                    on_add()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def snapshot(folder):
    """{relative path: bytes} of every file under folder."""
    files = {}
    for dirpath, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, folder)] = f.read()
    return files


def file_state(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        return (st.st_ino, st.st_mtime_ns, f.read())
