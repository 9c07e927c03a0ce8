"""acmed against a CA that misbehaves (issue 9): tests/fakeca/fakeca.py
serves what Pebble never will, and every case must end in a clear error
naming the URL and the problem, with exit status 1 (no crash), within the
configured timeouts, with nothing written in the certificates folder and no
secret in the trace-level log.

Decisions this suite pins down:

- Every request goes to the origin (scheme, host, port) of the directory.
  A Location header, a URL in a directory, order, authorization or
  challenge that points elsewhere is refused, before anything signed by the
  account key is sent there ("refusing to send a request to another origin
  than the directory's").  The account URL is checked before it is saved.
- Redirects are never followed ("HTTP 301 redirect to ... refused"), and
  plain http:// is refused (only loopback test servers may use it, when the
  endpoint object allows it, which the configuration cannot ask for).
- A limit broken by the server (a body over 1 MiB, more than 100 headers)
  or a TLS certificate that does not verify fails at once: retrying will
  not mend it.  A stalled or closed connection is a transport error,
  retried 3 times with backoff, each attempt bounded by the HTTP timeout.
- A Retry-After longer than a request may wait (60 s) ends the run at once
  with "(the server asks to retry after <date>, in N s)"; in a poll, one
  past the poll deadline does the same instead of sleeping to the deadline,
  and one shorter than the doubling wait ("0", a date past) is not taken.
  The daemon's next attempt waits for it, a day at most.
- Members acmed does not use (an account's contact, an order's identifiers,
  expires or error, a challenge's error when the challenge is not invalid,
  a problem's status) may have any type.

The test knobs (src/daemon/runtime.h) make the timeouts short:
ACMED_POLL_DEADLINE_MS, ACMED_HTTP_TIMEOUT_MS, ACMED_HTTP_LOW_SPEED_S.
"""
import base64
import json
import os
import re
import signal
import subprocess
import time

import pytest

from acmed import Acmed, RECORD_HOOK, toml_str
from certs import openssl, pubkey, sans
from conftest import program
from fakeca_fixture import fakeca, fakeca_factory  # noqa: F401 (fixtures)
from pebble import stop_process, wait_until
from test_acme_support import AccountFile, SANITIZER_MARKERS, sanitized

EAB_ID = "kid-hostile"
EAB_KEY = "c2VjcmV0LWVhYi1rZXktdmFsdWUtMTIzNDU2Nzg5MDEyMzQ1Njc4OQ"

POLL_DEADLINE_S = 2
HTTP_TIMEOUT_S = 3
KNOBS = {"ACMED_POLL_DEADLINE_MS": str(POLL_DEADLINE_S * 1000),
         "ACMED_HTTP_TIMEOUT_MS": str(HTTP_TIMEOUT_S * 1000),
         "ACMED_HTTP_LOW_SPEED_S": "1"}

# How long a run may take.  FAST: no retry, no poll.  POLL: one poll that
# runs into its deadline.  TRANSPORT: 4 attempts that each take the whole
# HTTP timeout, with the backoff between them (1, 2, 4 s, each +-50 %).
SLACK = 4.0 if sanitized() else 0.0
FAST = 5.0 + SLACK
POLL = POLL_DEADLINE_S + 5.0 + SLACK
TRANSPORT = 4 * HTTP_TIMEOUT_S + 10.5 + 5.0 + SLACK

CERT_NAME = "example.org_ecdsa-p256"


def b64(data):
    return base64.b64encode(data).decode()


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Client:
    """One test's acmed, configured for one fake CA."""

    def __init__(self, folder, ca):
        self.folder = str(folder)
        os.makedirs(self.folder, exist_ok=True)
        self.ca = ca
        self.certs = os.path.join(self.folder, "certs")
        self.accounts = os.path.join(self.folder, "accounts")
        self.hook_log = os.path.join(self.folder, "hooks.jsonl")
        self.config = os.path.join(self.folder, "acmed.toml")
        with open(self.config, "w") as f:
            f.write(f"""
[global]
accounts_directory = {toml_str(self.accounts)}
certificates_directory = {toml_str(self.certs)}

[[endpoint]]
name = "fake"
url = {toml_str(ca.directory)}
tos_agreed = true

[[account]]
name = "test"
contacts = [{{ mailto = "admin@example.org" }}]
external_account = {{ identifier = "{EAB_ID}", key = "{EAB_KEY}" }}

[[hook]]
name = "record"
type = ["challenge-http-01", "challenge-http-01-clean"]
cmd = {toml_str(RECORD_HOOK)}
args = [{toml_str(self.hook_log)}, "{{{{ file_name }}}}", "{{{{ proof }}}}"]

[[certificate]]
account = "test"
endpoint = "fake"
key_type = "ecdsa_p256"
hooks = ["record"]
identifiers = [{{ dns = "example.org", challenge = "http-01" }}]
""")

    def run(self, *extra, timeout=120):
        argv = [program("acmed"), "-c", self.config, "--once",
                "--no-pid-file", "--log-stderr", "--log-level", "trace",
                "--root-cert", self.ca.tls_cert, *extra]
        t0 = time.monotonic()
        proc = subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL,
                              env=dict(os.environ, **KNOBS))
        proc.seconds = time.monotonic() - t0
        for marker in SANITIZER_MARKERS:
            assert marker not in proc.stderr, proc.stderr[-8000:]
        return proc

    def files(self):
        """The certificate's files: a kept order's (".<key file>.order",
        see test_order_persist.py) aside, which a run that ends after
        finalization may leave."""
        return sorted(n for n in os.listdir(self.certs)
                      if not n.endswith(".order")) if os.path.isdir(
            self.certs) else []

    def hook_calls(self):
        try:
            with open(self.hook_log) as f:
                return [json.loads(line) for line in f]
        except FileNotFoundError:
            return []

    def secrets(self):
        """Strings that must never be logged: the EAB key (as configured
        and re-encoded), the account key, every certificate key."""
        raw = base64.urlsafe_b64decode(EAB_KEY + "=" * (-len(EAB_KEY) % 4))
        out = {"EAB key": [EAB_KEY, b64(raw)[:40], raw.hex()[:40]],
               "private key PEM": ["PRIVATE KEY"]}
        try:
            acct = AccountFile.read(self.accounts)
        except FileNotFoundError:
            acct = None
        if acct is not None:
            for i, k in enumerate([acct.current] + acct.past):
                out[f"account key {i}"] = [b64(k.der)[:40], b64u(k.der)[:40],
                                           k.der.hex()[:40]]
        names = os.listdir(self.certs) if os.path.isdir(self.certs) else []
        for name in sorted(names):
            if ".pk." not in name:
                continue
            with open(os.path.join(self.certs, name)) as f:
                pem = f.read()
            if name.endswith(".order"):
                # A kept order: a line of JSON, then its key.
                pem = pem.split("\n", 1)[1]
            body = "".join(l for l in pem.splitlines() if "-----" not in l)
            der = base64.b64decode(body)
            out[name] = [body[:40], b64u(der)[:40], der.hex()[:40]]
        return out

    def assert_no_secret(self, text):
        for what, needles in self.secrets().items():
            for n in needles:
                assert n not in text, f"{what} logged"


def error_line(proc):
    lines = [l for l in proc.stderr.splitlines() if " ERROR " in l]
    assert lines, proc.stderr[-4000:]
    return lines[-1]


def expand(obj, ca, other):
    """Replaces {base}, {plain} and {other} in every string of a script."""
    if isinstance(obj, str):
        return obj.replace("{base}", ca.base).replace(
            "{plain}", ca.plain_base).replace(
            "{other}", other.base if other else "https://127.0.0.1:9")
    if isinstance(obj, list):
        return [expand(x, ca, other) for x in obj]
    if isinstance(obj, dict):
        return {k: expand(v, ca, other) for k, v in obj.items()}
    return obj


def hostile(fakeca_factory, tmp_path, script, url, message, limit=FAST,
            tls="good"):
    """Runs acmed once against a CA playing script; checks the failure.
    url, message: regular expressions the error line must match ({base}:
    the CA's https://127.0.0.1:port).  In the script, {base}, {plain} (the
    CA's plain HTTP listener) and {other} (another CA, started when named)
    are replaced.  Returns (client, process)."""
    other = None
    if "{other}" in json.dumps(script):
        other = fakeca_factory("elsewhere")
    ca = fakeca_factory(tls=tls)
    ca.set_script(expand(script, ca, other))
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    line = error_line(proc)
    assert proc.returncode == 1, f"exit {proc.returncode}\n{proc.stderr}"
    url_re = url.replace("{base}", re.escape(ca.base))
    assert re.search(url_re, line), f"no {url_re!r} in:\n{line}"
    assert re.search(message, line), f"no {message!r} in:\n{line}"
    assert proc.seconds < limit, f"{proc.seconds:.1f} s > {limit} s"
    assert client.files() == [], client.files()
    client.assert_no_secret(proc.stderr)
    # Nothing ever went to another origin, nor over plain HTTP.
    assert ca.requests("plain") == []
    if other is not None:
        assert other.requests() == []
    return client, proc


# -- the happy path ----------------------------------------------------------

def test_fakeca_issues_a_real_chain(fakeca, tmp_path):
    client = Client(tmp_path / "acmed", fakeca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr
    assert client.files() == [CERT_NAME + ".crt.pem", CERT_NAME + ".pk.pem"]
    crt = os.path.join(client.certs, CERT_NAME + ".crt.pem")
    key = os.path.join(client.certs, CERT_NAME + ".pk.pem")
    with open(crt) as f:
        chain = f.read()
    assert sans(chain) == ["DNS:example.org"]
    with open(key) as f:
        assert pubkey(chain) == pubkey(f.read(), is_key=True)
    leaf = chain.split("-----END CERTIFICATE-----")[0] + \
        "-----END CERTIFICATE-----\n"
    leaf_path = os.path.join(client.folder, "leaf.pem")
    with open(leaf_path, "w") as f:
        f.write(leaf)
    openssl("verify", "-CAfile", fakeca.ca_cert, leaf_path)
    # The trace log holds no secret; neither does anything sent to the CA.
    client.assert_no_secret(proc.stderr)
    sent = json.dumps(fakeca.requests())
    for what, needles in client.secrets().items():
        if what != "EAB key" and what != "private key PEM":
            for n in needles:
                assert n not in sent, f"{what} sent to the CA"
    # What the fake CA recorded: every POST is a JWS for its own URL,
    # newAccount with the key and the EAB, the rest with the account URL.
    posts = [r for r in fakeca.requests() if r["method"] == "POST"]
    assert posts and all(r["protected"]["url"] == fakeca.base + r["path"]
                         and r["protected"]["nonce"] for r in posts)
    acct = [r for r in posts if r["path"] == "/new-acct"]
    assert len(acct) == 1 and "jwk" in acct[0]["protected"]
    assert acct[0]["payload"]["externalAccountBinding"]
    assert all(r["protected"]["kid"] == fakeca.base + "/acct/1"
               for r in posts if r["path"] != "/new-acct")
    # Each authorization is read once: after the challenge, the order is
    # polled instead (it turns ready when every authorization is valid).
    reads = [r["path"] for r in posts if r["path"].startswith("/authz/")]
    assert len(reads) == 1, [r["path"] for r in posts]
    # RFC 8555 6.1: every request names the client and its HTTP library.
    agents = {r["headers"].get("User-Agent") for r in fakeca.requests()}
    assert len(agents) == 1
    assert re.fullmatch(r"acmed/\S+ \(ACME client daemon\) libcurl/\S+",
                        agents.pop())
    # The hook got the token the CA gave.
    calls = client.hook_calls()
    assert len(calls) == 2 and calls[0]["argv"][0] == calls[1]["argv"][0]


def test_order_not_ready_at_finalization(fakeca_factory, tmp_path):
    """A CA that calls an order it showed ready orderNotReady (its parts
    disagree for a moment) gets the order polled again, and the CSR sent
    once more."""
    ca = fakeca_factory(script=[
        {"endpoint": "finalize", "nth": 1, "status": 403, "no_state": True,
         "json": {"type": "urn:ietf:params:acme:error:orderNotReady",
                  "detail": "not yet"}},
        {"endpoint": "order", "nth": 1, "set": {"status": "pending"}}])
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert client.files() == [CERT_NAME + ".crt.pem", CERT_NAME + ".pk.pem"]
    paths = [re.sub(r"\d+", "N", r["path"]) for r in ca.requests()
             if r["method"] == "POST"]
    i = paths.index("/order/N")
    # The order until ready (pending, then ready), finalize (refused), the
    # order, finalize, the order (valid), the certificate.
    assert paths[i:] == ["/order/N", "/order/N", "/order/N/finalize",
                         "/order/N", "/order/N/finalize", "/order/N",
                         "/cert/N"], paths


# -- malformed JSON ----------------------------------------------------------

MALFORMED = [
    ("directory", "{base}/dir", {"body": "{not json"}),
    ("newAccount", "{base}/new-acct", {"body": "nope"}),
    ("newOrder", "{base}/new-order", {"body": '{"status":'}),
    ("authz", "{base}/authz/\\d+/0", {"body": "["}),
    ("order", "{base}/order/\\d+", {"body": "}"}),
    ("finalize", "{base}/order/\\d+/finalize", {"body": "nope"}),
    ("directory", "{base}/dir", {"json": [1, 2]}),
]


@pytest.mark.parametrize("endpoint,url,action", MALFORMED,
                         ids=[f"{e}-{i}" for i, (e, _, _) in
                              enumerate(MALFORMED)])
def test_malformed_json(fakeca_factory, tmp_path, endpoint, url, action):
    hostile(fakeca_factory, tmp_path, [dict(endpoint=endpoint, **action)],
            url, r"invalid JSON")


def test_malformed_problem_document(fakeca_factory, tmp_path):
    hostile(fakeca_factory, tmp_path,
            [{"endpoint": "newOrder", "status": 400, "body": "nope"}],
            "{base}/new-order", r"new-order: HTTP 400$")


# -- wrong types in every field of every object ------------------------------

# (object, endpoint, member path, wrong value, error regex or None when
# acmed does not use the member and must succeed)
D, A, O = "{base}/dir", "{base}/new-acct", "{base}/new-order"
P, F, Z = "{base}/order/\\d+", "{base}/order/\\d+/finalize", \
    "{base}/authz/\\d+/0"
WRONG_TYPES = [
    ("directory", "directory", D, "newNonce", 42, 'member "newNonce" is not a string'),
    ("directory", "directory", D, "newAccount", [], '"newAccount" is not a string'),
    ("directory", "directory", D, "newOrder", {}, '"newOrder" is not a string'),
    ("directory", "directory", D, "newOrder", "ftp://127.0.0.1/x", '"newOrder" is not an http\\(s\\) URL'),
    ("directory", "directory", D, "revokeCert", True, '"revokeCert" is not a string'),
    ("directory", "directory", D, "keyChange", None, None),
    ("directory", "directory", D, "newAuthz", 5, '"newAuthz" is not a string'),
    ("directory", "directory", D, "renewalInfo", 5, '"renewalInfo" is not a string'),
    ("directory", "directory", D, "meta", "x", '"meta" is not an object'),
    ("directory", "directory", D, "meta.termsOfService", 1, 'meta: member "termsOfService" is not a string'),
    ("directory", "directory", D, "meta.externalAccountRequired", "yes", '"externalAccountRequired" is not a boolean'),
    ("directory", "directory", D, "meta.profiles", [], '"profiles" is not an object'),
    ("account", "newAccount", A, "status", 7, 'account: member "status" is not a string'),
    ("account", "newAccount", A, "status", "deactivated", "the account is deactivated"),
    ("account", "newAccount", A, "status", "\u001b[2Jgone\nFAKE", r"the account is \?\[2Jgone\?FAKE"),
    ("account", "newAccount", A, "orders", 7, '"orders" is not a string'),
    ("account", "newAccount", A, "contact", 7, None),
    ("order", "newOrder", O, "status", 7, 'order: member "status" is not a string'),
    ("order", "newOrder", P, "status", "weird", "order is unknown at creation"),
    ("order", "newOrder", O, "finalize", 7, '"finalize" is not a string'),
    ("order", "newOrder", O, "finalize", "/relative", '"finalize" is not an http\\(s\\) URL'),
    ("order", "newOrder", O, "certificate", 7, '"certificate" is not a string'),
    ("order", "newOrder", O, "authorizations", "x", '"authorizations" is not an array'),
    ("order", "newOrder", O, "authorizations.0", 7, "authorization 0 is not an http\\(s\\) URL"),
    ("order", "newOrder", O, "error", 7, None),
    ("order", "newOrder", O, "identifiers", 7, None),
    ("order", "newOrder", O, "expires", 7, None),
    ("order", "order", P, "status", 7, 'order: member "status" is not a string'),
    ("order", "order", P, "certificate", [], '"certificate" is not a string'),
    ("order", "finalize", F, "status", [], 'order: member "status" is not a string'),
    ("authorization", "authz", Z, "status", 7, 'authorization: member "status" is not a string'),
    ("authorization", "authz", Z, "identifier", "dns", '"identifier" is not an object'),
    ("authorization", "authz", Z, "identifier.type", 7, '"type" is not a string'),
    ("authorization", "authz", Z, "identifier.type", "email", "unknown identifier type"),
    ("authorization", "authz", Z, "identifier.value", [], '"value" is not a string'),
    ("authorization", "authz", Z, "identifier.value", "evil\nFAKE LINE", '"value" has characters outside printable ASCII'),
    ("authorization", "authz", Z, "identifier.value", "other.example", "other.example: identifier not found"),
    ("authorization", "authz", Z, "wildcard", "yes", '"wildcard" is not a boolean'),
    ("authorization", "authz", Z, "challenges", {}, '"challenges" is not an array'),
    ("authorization", "authz", Z, "challenges", [], "the CA offers no http-01 challenge for example.org \\(offered: none\\)"),
    ("authorization", "authz", Z, "challenges.0", "http-01", "challenge 0 is not an object"),
    ("challenge", "authz", Z, "challenges.0.type", 7, 'challenge 0: member "type" is not a string'),
    ("challenge", "authz", Z, "challenges.0.type", "http-01\u001b[31m", 'challenge 0: member "type" has characters outside'),
    ("challenge", "authz", Z, "challenges.0.url", 7, 'challenge 0: member "url" is not a string'),
    ("challenge", "authz", Z, "challenges.0.url", "/chall", 'challenge 0: member "url" is not an http\\(s\\) URL'),
    ("challenge", "authz", Z, "challenges.0.status", 7, 'challenge 0: member "status" is not a string'),
    ("challenge", "authz", Z, "challenges.0.token", 7, 'challenge 0: member "token" is not a string'),
    ("challenge", "authz", Z, "challenges.0.error", 7, None),
]


@pytest.mark.parametrize(
    "obj,endpoint,url,member,value,error", WRONG_TYPES,
    ids=[f"{o}-{e}-{m}-{json.dumps(v)[:12]}" for o, e, _, m, v, _ in
         WRONG_TYPES])
def test_wrong_type(fakeca_factory, tmp_path, obj, endpoint, url, member,
                    value, error):
    script = [{"endpoint": endpoint, "set": {member: value}}]
    if error is not None:
        hostile(fakeca_factory, tmp_path, script, url, error)
        return
    ca = fakeca_factory()
    ca.set_script(script)
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert client.files() == [CERT_NAME + ".crt.pem", CERT_NAME + ".pk.pem"]
    client.assert_no_secret(proc.stderr)


UNAUTHORIZED = "urn:ietf:params:acme:error:unauthorized"
REJECTED = "urn:ietf:params:acme:error:rejectedIdentifier"
PROBLEMS = [
    ({"type": 7, "detail": "d"}, "new-order: HTTP 403: d$"),
    ({"type": UNAUTHORIZED, "detail": []}, "new-order: HTTP 403 unauthorized$"),
    ({"type": UNAUTHORIZED, "detail": "d", "status": "x"},
     "new-order: HTTP 403 unauthorized: d$"),
    ({"type": REJECTED, "subproblems": {}}, "HTTP 403 rejectedIdentifier$"),
    ({"type": REJECTED, "subproblems": [7, {"type": 7, "detail": {}}]},
     r"HTTP 403 rejectedIdentifier \(unknown problem\)$"),
    ({"type": REJECTED, "subproblems": [
        {"type": "urn:ietf:params:acme:error:caa", "detail": "d",
         "identifier": {"type": 7, "value": []}}]},
     r"HTTP 403 rejectedIdentifier \(caa: d\)$"),
    ({"type": UNAUTHORIZED + "\u001b[31m", "detail": "a\u001b[2J\nFAKE"},
     r"HTTP 403 urn:ietf:params:acme:error:unauthorized\?\[31m: "
     r"a\?\[2J\?FAKE$"),
    ([1], "new-order: HTTP 403$"),
]


@pytest.mark.parametrize("doc,error", PROBLEMS,
                         ids=[str(i) for i in range(len(PROBLEMS))])
def test_wrong_type_problem(fakeca_factory, tmp_path, doc, error):
    hostile(fakeca_factory, tmp_path,
            [{"endpoint": "newOrder", "status": 403, "json": doc}],
            "{base}/new-order", error)


# -- huge bodies, endless headers --------------------------------------------

@pytest.mark.parametrize("endpoint,url,action", [
    ("directory", "{base}/dir", {"huge_body": 2000000}),
    ("directory", "{base}/dir", {"huge_body": 2000000, "chunked": True}),
    ("newOrder", "{base}/new-order", {"huge_body": 3000000, "chunked": True}),
    ("certificate", "{base}/cert/\\d+", {"huge_body": 1100000}),
], ids=["directory", "directory-chunked", "newOrder-chunked", "certificate"])
def test_huge_body(fakeca_factory, tmp_path, endpoint, url, action):
    hostile(fakeca_factory, tmp_path, [dict(endpoint=endpoint, **action)],
            url, "response body larger than 1048576 bytes")


@pytest.mark.parametrize("endpoint,url", [
    ("directory", "{base}/dir"), ("newOrder", "{base}/new-order"),
    ("authz", "{base}/authz/\\d+/0")])
def test_endless_headers(fakeca_factory, tmp_path, endpoint, url):
    hostile(fakeca_factory, tmp_path,
            [{"endpoint": endpoint, "endless_headers": True}],
            url, "more than 100 response headers")


@pytest.mark.parametrize("endpoint,url", [
    ("directory", "{base}/dir"), ("newOrder", "{base}/new-order"),
    ("certificate", "{base}/cert/\\d+")])
def test_compressed_reply(fakeca_factory, tmp_path, endpoint, url):
    # acmed asks for no compression, so it decodes none: a CA (or a proxy)
    # that compresses anyway is named, not reported as bad JSON.
    hostile(fakeca_factory, tmp_path,
            [{"endpoint": endpoint, "headers": {"Content-Encoding": "gzip"}}],
            url, r"the reply is encoded \(Content-Encoding: gzip\)")


# -- the directory ------------------------------------------------------------

def test_directory_without_keychange_or_revokecert(fakeca_factory, tmp_path):
    """acmed never revokes, and changes the account key only when told
    to: a CA that offers neither still issues."""
    ca = fakeca_factory()
    ca.set_script([{"endpoint": "directory",
                    "delete": ["keyChange", "revokeCert"]}])
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert client.files() == [CERT_NAME + ".crt.pem", CERT_NAME + ".pk.pem"]


def test_failed_renewal_fetches_the_directory_again(fakeca_factory,
                                                    tmp_path):
    """The directory is kept between renewals, but a failure drops it: a
    CA that moved a URL is followed at the next attempt (it used to be
    fetched once for the daemon's whole life)."""
    ca = fakeca_factory()
    ca.set_script([{"endpoint": "directory", "nth": 1,
                    "set": {"newOrder": ca.base + "/moved-away"}}])
    client = Client(tmp_path / "acmed", ca)
    argv = [program("acmed"), "-c", client.config, "-f", "--no-pid-file",
            "--log-stderr", "--log-level", "debug", "--root-cert",
            ca.tls_cert]
    log_path = os.path.join(client.folder, "daemon.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                env=dict(os.environ, ACMED_SCHED_BACKOFF_S="1",
                                         **KNOBS))
    try:
        wait_until(lambda: len(client.files()) == 2, 60, "certificate")
    finally:
        stop_process(proc, 30)
    with open(log_path) as f:
        text = f.read()
    assert f"{ca.base}/moved-away" in text      # the first attempt failed
    dirs = [r for r in ca.requests() if r["path"] == "/dir"]
    assert len(dirs) == 2, text[-4000:]


def test_finalize_retry_after_is_honoured(fakeca_factory, tmp_path):
    """RFC 8555 7.4: after a "processing" finalize answer, the order is
    polled "after the time given in the Retry-After header field"."""
    ca = fakeca_factory()
    ca.set_script([{"endpoint": "finalize", "headers": {"Retry-After": "2"}}])
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    reqs = ca.requests()
    [fin] = [i for i, r in enumerate(reqs) if r["path"].endswith("/finalize")]
    poll = next(r for r in reqs[fin + 1:] if re.fullmatch(r"/order/\d+",
                                                       r["path"]))
    assert poll["time"] - reqs[fin]["time"] >= 1.9


@pytest.mark.parametrize("retry_after", ["0", "Thu, 01 Jan 1970 00:00:00 GMT"],
                         ids=["zero", "date-past"])
def test_short_retry_after_does_not_hasten_polls(fakeca_factory, tmp_path,
                                                 retry_after):
    """Retry-After only lengthens the wait between polls: "0", or a date
    already past, must not replace the doubling wait with polls back to
    back until the deadline (43 in 2 s, instead of 6)."""
    ca = fakeca_factory(script=[{"endpoint": "order",
                                 "set": {"status": "processing"},
                                 "headers": {"Retry-After": retry_after}}])
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 1
    assert f"still not done after {POLL_DEADLINE_S} s" in error_line(proc)
    polls = [r for r in ca.requests() if re.fullmatch(r"/order/\d+",
                                                      r["path"])]
    # 0, 0.1, 0.3, 0.7, 1.5 s, then the deadline: 6 at most.
    assert 3 <= len(polls) <= 7, len(polls)


def test_bare_429_is_a_rate_limit(fakeca_factory, tmp_path):
    """A 429 without a problem document (a proxy in front of the CA) is
    waited out like rateLimited, not taken as a final refusal."""
    ca = fakeca_factory()
    ca.set_script([{"endpoint": "newOrder", "nth": 1, "status": 429,
                    "body": "slow down",
                    "headers": {"Content-Type": "text/plain",
                                "Retry-After": "1"}}])
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "HTTP 429" in proc.stderr and "retrying in 1 s" in proc.stderr
    orders = [r for r in ca.requests() if r["path"] == "/new-order"]
    assert len(orders) == 2 and orders[1]["time"] - orders[0]["time"] >= 0.9


def test_order_error_subproblems_are_reported(fakeca_factory, tmp_path):
    """An invalid order's compound error names which identifier failed
    and why: its subproblems were dropped."""
    error = {"type": "urn:ietf:params:acme:error:compound",
             "detail": "several",
             "subproblems": [{
                 "type": "urn:ietf:params:acme:error:caa",
                 "detail": "CAA record forbids issuance",
                 "identifier": {"type": "dns", "value": "example.org"}}]}
    hostile(fakeca_factory, tmp_path,
            [{"endpoint": "finalize", "set": {"status": "invalid",
                                              "error": error}}],
            "{base}/order/\\d+",
            "order is invalid after finalization: compound: several "
            "\\(dns:example.org: caa: CAA record forbids issuance\\)")


def test_refused_contact_update_does_not_stop_renewals(fakeca_factory,
                                                      tmp_path):
    """Updating contacts is housekeeping (RFC 8555 7.3.2): a CA that
    refuses the new ones still issues to the account as it is."""
    ca = fakeca_factory()
    ca.set_script([{"endpoint": "account", "method": "POST", "status": 400,
                    "json": {"type": "urn:ietf:params:acme:error:"
                             "invalidContact", "detail": "no such domain"}}])
    client = Client(tmp_path / "acmed", ca)
    assert client.run().returncode == 0
    for name in client.files():
        os.unlink(os.path.join(client.certs, name))
    with open(client.config) as f:
        text = f.read()
    with open(client.config, "w") as f:
        f.write(text.replace("admin@example.org", "new@example.invalid"))
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "contact update on endpoint \"fake\"" in proc.stderr
    assert "invalidContact: no such domain; the account is used as it is" \
        in proc.stderr
    assert client.files() == [CERT_NAME + ".crt.pem", CERT_NAME + ".pk.pem"]


PROFILES = {"classic": "The same profile as always",
            "shortlived": "Six days"}


@pytest.mark.parametrize("profile,offered", [
    ("shortlived", PROFILES), ("tlsserver", PROFILES), ("classic", None)],
    ids=["offered", "not-offered", "no-profiles"])
def test_certificate_profile(fakeca_factory, tmp_path, profile, offered):
    """profile = "..." asks the CA for one of the profiles its directory
    lists (draft-ietf-acme-profiles); one it does not list is refused
    before newOrder (a CA that ignores it would issue its default)."""
    ca = fakeca_factory()
    if offered is not None:
        ca.set_script([{"endpoint": "directory",
                        "set": {"meta.profiles": offered}}])
    client = Client(tmp_path / "acmed", ca)
    with open(client.config) as f:
        text = f.read()
    with open(client.config, "w") as f:
        f.write(text.replace('key_type = "ecdsa_p256"\n',
                             f'key_type = "ecdsa_p256"\nprofile = '
                             f'"{profile}"\n'))
    proc = client.run()
    orders = [r for r in ca.requests() if r["path"] == "/new-order"]
    if offered is not None and profile in offered:
        assert proc.returncode == 0, proc.stderr[-4000:]
        assert [r["payload"]["profile"] for r in orders] == [profile]
        return
    assert proc.returncode == 1 and orders == []
    listed = "classic, shortlived" if offered else "none"
    assert (f'{ca.directory}: the CA offers no profile "{profile}" '
            f"(offered: {listed})") in error_line(proc)


# -- URLs that point elsewhere -----------------------------------------------

ELSEWHERE = "refusing to send a request to another origin than the " \
    "directory's"
LOCATIONS = [
    ("account-location", [{"endpoint": "newAccount",
                           "headers": {"Location": "{other}/acct/1"}}],
     "{base}/new-acct: account location: {other}/acct/1"),
    ("order-location", [{"endpoint": "newOrder",
                         "headers": {"Location": "{other}/order/1"}}],
     "{base}/new-order: order location: {other}/order/1"),
    ("authorization", [{"endpoint": "newOrder",
                        "set": {"authorizations.0": "{other}/authz/1"}}],
     "{other}/authz/1"),
    ("challenge", [{"endpoint": "authz",
                    "set": {"challenges.0.url": "{other}/chall/1"}}],
     "{other}/chall/1"),
    ("finalize", [{"endpoint": "newOrder",
                   "set": {"finalize": "{other}/finalize"}},
                  {"endpoint": "order",
                   "set": {"finalize": "{other}/finalize"}}],
     "{other}/finalize"),
    ("certificate", [{"endpoint": "finalize",
                      "set": {"certificate": "{other}/cert/1"}},
                     {"endpoint": "order",
                      "set": {"certificate": "{other}/cert/1"}}],
     "{other}/cert/1"),
    ("directory", [{"endpoint": "directory",
                    "set": {"newOrder": "{other}/new-order"}}],
     '{base}/dir: directory: member "newOrder": {other}/new-order'),
    ("other-host", [{"endpoint": "newOrder",
                     "headers": {"Location": "https://localhost:{port}/o/1"}}],
     "{base}/new-order: order location: https://localhost:"),
]


@pytest.mark.parametrize("script,where", [(s, w) for _, s, w in LOCATIONS],
                         ids=[i for i, _, _ in LOCATIONS])
def test_location_elsewhere(fakeca_factory, tmp_path, script, where):
    """Nothing signed by the account key goes to another origin (another
    port here, the "elsewhere" CA, which must see no request at all)."""
    other = fakeca_factory("elsewhere")
    ca = fakeca_factory()
    script = json.loads(json.dumps(script).replace(
        "{port}", str(ca.port)).replace("{other}", other.base))
    where = where.replace("{other}", other.base)
    ca.set_script(script)
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    line = error_line(proc)
    assert proc.returncode == 1, proc.stderr[-4000:]
    assert where.replace("{base}", ca.base) in line, line
    assert ELSEWHERE in line, line
    assert proc.seconds < FAST
    assert client.files() == []
    assert other.requests() == []
    client.assert_no_secret(proc.stderr)
    # The account file, if written, names the CA's account URL, or none
    # when the registration was refused (the key is written before
    # newAccount).
    try:
        acct = AccountFile.read(client.accounts)
        assert acct.endpoint("fake").account_url in ("", ca.base + "/acct/1")
    except FileNotFoundError:
        pass


# -- challenge tokens --------------------------------------------------------

TOKENS = {
    "dotdot": "../../../../etc/passwd",
    "slash": "a/b",
    "shell": "$(touch /tmp/acmed-pwned);`id`",
    "semicolon": "abc;rm -rf x",
    "space": "abc def",
    "newline": "abc\ndef",
    "quote": "abc\"'",
    "too-long": "a" * 257,
    "empty": "",
}


@pytest.mark.parametrize("token", list(TOKENS.values()), ids=list(TOKENS))
def test_hostile_token(fakeca_factory, tmp_path, token):
    client, _ = hostile(
        fakeca_factory, tmp_path,
        [{"endpoint": "authz", "set": {"challenges.0.token": token}}],
        "{base}/chall/\\d+/0/http-01",
        r"invalid challenge token: only \[A-Za-z0-9_-\] is accepted")
    assert client.hook_calls() == []
    assert not os.path.exists("/tmp/acmed-pwned")


def test_missing_token(fakeca_factory, tmp_path):
    client, _ = hostile(
        fakeca_factory, tmp_path,
        [{"endpoint": "authz", "delete": ["challenges.0.token"]}],
        "{base}/chall/\\d+/0/http-01", "invalid challenge token")
    assert client.hook_calls() == []


def test_token_with_nul(fakeca_factory, tmp_path):
    client, _ = hostile(
        fakeca_factory, tmp_path,
        [{"endpoint": "authz", "set": {"challenges.0.token": "ab\u0000cd"}}],
        "{base}/authz/\\d+/0", "invalid JSON")
    assert client.hook_calls() == []


# -- statuses out of order ---------------------------------------------------

# The second read of the authorization (after the challenge) finds it
# failed.
AUTHZ_FAILED = {"endpoint": "authz", "nth": 2,
                "set": {"status": "invalid", "challenges.0.status": "invalid",
                        "challenges.0.error": {"type": UNAUTHORIZED,
                                               "detail": "bad proof"}}}
AUTHZ_FAILED_MSG = ("dns:example.org: authorization is invalid: "
                    "http-01 challenge failed: unauthorized: bad proof")

STATUSES = [
    ("valid-without-certificate",
     [{"endpoint": "finalize", "delete": ["certificate"]},
      {"endpoint": "order", "delete": ["certificate"]}],
     "{base}/order/\\d+", "no certificate available for download", FAST),
    ("ready-after-finalize", [{"endpoint": "finalize",
                               "set": {"status": "ready"}}],
     "{base}/order/\\d+", "order is ready after finalization", FAST),
    ("processing-then-pending",
     [{"endpoint": "finalize", "set": {"status": "processing"}},
      {"endpoint": "order", "set": {"status": "pending"}}],
     "{base}/order/\\d+", f"still not done after {POLL_DEADLINE_S} s", POLL),
    # A CA that hands back an order it already issued (its authorization
    # valid too): nothing to authorize, and finalize cannot take a new key.
    ("new-order-already-valid", [{"endpoint": "newOrder",
                                  "set": {"status": "valid"}},
                                 {"endpoint": "authz",
                                  "set": {"status": "valid"}}],
     "{base}/order/\\d+", "the order is already valid", FAST),
    ("new-order-invalid",
     [{"endpoint": "newOrder",
       "set": {"status": "invalid", "error": {"type": REJECTED,
                                              "detail": "no"}}}],
     "{base}/order/\\d+", "order is invalid at creation: "
     "rejectedIdentifier: no", FAST),
    ("authorization-deactivated", [{"endpoint": "authz",
                                    "set": {"status": "deactivated"}}],
     "{base}/authz/\\d+/0", "dns:example.org: authorization is deactivated",
     FAST),
    # After the challenges, acmed polls the order, not each authorization;
    # it reads them again only when the order turns invalid, to say why.
    ("authorization-invalid",
     [{"endpoint": "order", "set": {"status": "invalid"}}, AUTHZ_FAILED],
     "{base}/authz/\\d+/0", AUTHZ_FAILED_MSG, FAST),
    # A CA that leaves the order pending when an authorization fails:
    # at the poll deadline the authorizations say why.
    ("order-pending-authorization-invalid",
     [{"endpoint": "order", "set": {"status": "pending"}}, AUTHZ_FAILED],
     "{base}/authz/\\d+/0", AUTHZ_FAILED_MSG, POLL),
    ("order-invalid-authorizations-valid",
     [{"endpoint": "order",
       "set": {"status": "invalid",
               "error": {"type": UNAUTHORIZED, "detail": "no"}}}],
     "{base}/order/\\d+", "order is invalid while its authorizations were "
     "validated: unauthorized: no", FAST),
    ("order-authorizations-changed",
     [{"endpoint": "order", "set": {"status": "invalid",
                                    "authorizations": []}}],
     "{base}/order/\\d+", "the order's authorizations changed", FAST),
    ("order-never-ready", [{"endpoint": "order",
                            "set": {"status": "pending"}}],
     "{base}/order/\\d+", f"still not done after {POLL_DEADLINE_S} s", POLL),
]


@pytest.mark.parametrize("script,url,error,limit",
                         [s[1:] for s in STATUSES],
                         ids=[s[0] for s in STATUSES])
def test_status_out_of_order(fakeca_factory, tmp_path, script, url, error,
                             limit):
    hostile(fakeca_factory, tmp_path, script, url, error, limit)


def deactivations(ca):
    """The authorizations the client deactivated."""
    return [r["path"] for r in ca.requests() if r["method"] == "POST"
            and r["path"].startswith("/authz/")
            and r["payload"] == {"status": "deactivated"}]


def abandoned(fakeca_factory, tmp_path, script, url, error, limit):
    """hostile() for a CA that never validates the challenge: the order's
    authorization stays pending, and must be deactivated."""
    client, proc = hostile(fakeca_factory, tmp_path,
                           [{"endpoint": "challenge", "no_state": True}] +
                           script, url, error, limit)
    gone = deactivations(client.ca)
    assert len(gone) == 1 and re.fullmatch(r"/authz/\d+/0", gone[0]), gone
    return proc


def test_order_that_never_becomes_ready_is_abandoned(fakeca_factory,
                                                     tmp_path):
    """The poll deadline ends it, and the authorization still pending is
    deactivated."""
    proc = abandoned(fakeca_factory, tmp_path, [], "{base}/order/\\d+",
                     f"still not done after {POLL_DEADLINE_S} s", POLL)
    assert proc.seconds >= POLL_DEADLINE_S


@pytest.mark.parametrize("rule,error", [
    ({"body": "}"}, "invalid JSON"),
    ({"set": {"authorizations": []}}, "the order's authorizations changed"),
], ids=["unreadable", "other-authorizations"])
def test_order_poll_refused_keeps_authorizations(fakeca_factory, tmp_path,
                                                 rule, error):
    """An order poll answer that cannot be taken leaves the order as
    newOrder gave it: its pending authorization is still deactivated."""
    abandoned(fakeca_factory, tmp_path, [dict(endpoint="order", **rule)],
              "{base}/order/\\d+", error, FAST)


def test_proofs_stay_up_until_the_order_is_polled(fakeca_factory, tmp_path):
    """newOrder calling the order ready while its authorization is pending
    does not make acmed skip the poll: the proof stays published until the
    order says the authorization is valid."""
    ca = fakeca_factory(script=[{"endpoint": "newOrder",
                                 "set": {"status": "ready"}}])
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    paths = [re.sub(r"\d+", "N", r["path"]) for r in ca.requests()
             if r["method"] == "POST"]
    i = paths.index("/chall/N/N/http-N")
    assert paths[i:i + 3] == ["/chall/N/N/http-N", "/order/N",
                              "/order/N/finalize"], paths


# -- Retry-After of a year ---------------------------------------------------

YEAR = 365 * 86400
RATE_LIMITED = {"type": "urn:ietf:params:acme:error:rateLimited",
                "detail": "too many"}
RETRY_AFTER = [
    ("new-order-429-seconds",
     [{"endpoint": "newOrder", "status": 429, "json": RATE_LIMITED,
       "headers": {"Retry-After": str(YEAR)}}], "{base}/new-order",
     "HTTP 429 rateLimited: too many"),
    ("new-order-429-date",
     [{"endpoint": "newOrder", "status": 429, "json": RATE_LIMITED,
       "headers": {"Retry-After": "{a year from now}"}}],
     "{base}/new-order", "HTTP 429 rateLimited"),
    ("new-order-503", [{"endpoint": "newOrder", "status": 503, "body": "",
                        "headers": {"Retry-After": str(YEAR)}}],
     "{base}/new-order", "HTTP 503"),
    ("directory-503", [{"endpoint": "directory", "status": 503, "body": "",
                        "headers": {"Retry-After": str(YEAR)}}],
     "{base}/dir", "HTTP 503"),
    ("order-poll", [{"endpoint": "order", "set": {"status": "processing"},
                     "headers": {"Retry-After": str(YEAR)}}],
     "{base}/order/\\d+", "the next poll the server allows is past the poll "
     "deadline"),
    ("order-poll-pending", [{"endpoint": "order",
                             "set": {"status": "pending"},
                             "headers": {"Retry-After": str(YEAR)}}],
     "{base}/order/\\d+", "past the poll deadline"),
]


@pytest.mark.parametrize("script,url,error", [r[1:] for r in RETRY_AFTER],
                         ids=[r[0] for r in RETRY_AFTER])
def test_retry_after_a_year(fakeca_factory, tmp_path, script, url, error):
    # The date is written when the test runs, not when it is collected:
    # minutes may pass in between.
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                         time.gmtime(time.time() + YEAR))
    script = json.loads(json.dumps(script).replace("{a year from now}", date))
    _, proc = hostile(fakeca_factory, tmp_path, script, url, error)
    m = re.search(r"the server asks to retry after (\d{4})-\d\d-\d\dT"
                  r"\d\d:\d\d:\d\dZ, in (\d+) s\)", error_line(proc))
    assert m, error_line(proc)
    assert int(m[1]) == time.gmtime(time.time() + YEAR).tm_year
    assert abs(int(m[2]) - YEAR) < 120


@pytest.mark.parametrize("retry_after,asked", [
    (str(YEAR), f"{YEAR} s (365 days)"),
    # Past what http_parse_retry_after keeps (2^40 s): neither the capped
    # seconds nor a date of that cap is what the CA wrote.
    ("99999999999999", "more than 100 years"),
], ids=["year", "absurd"])
def test_retry_after_a_year_in_the_daemon(fakeca_factory, tmp_path,
                                          retry_after, asked):
    """The daemon honours the CA's Retry-After for the next attempt up to
    a day, the longest step of its backoff: a year (or a typo) would leave
    the certificate to expire.  A warning says what the CA asked and what
    acmed does."""
    ca = fakeca_factory(script=[{"endpoint": "newOrder", "status": 429,
                                 "json": RATE_LIMITED,
                                 "headers": {"Retry-After": retry_after}}])
    client = Client(tmp_path / "acmed", ca)
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    try:
        a.wait_log("next attempt in", timeout=30)
        log = a.log()
        m = re.search(r"next attempt in (\d+) s", log)
        assert int(m[1]) == 86400, m[0]
        warn = [l for l in log.splitlines() if " WARN" in l and
                f"the CA asks to wait {asked} before the next attempt: "
                "acmed waits 86400 s (a day) at most" in l]
        assert len(warn) == 1, log[-4000:]
        assert "1099511627776" not in log
        n = len([r for r in ca.requests() if r["path"] == "/new-order"])
        assert n == 1
    finally:
        a.stop()
    assert a.proc.returncode == 0
    assert client.files() == []


# -- certificates that do not match ------------------------------------------

@pytest.mark.parametrize("action,error", [
    ({"endpoint": "finalize", "certificate": "other_key"},
     "the certificate does not match the key"),
    ({"endpoint": "finalize", "certificate": "other_names"},
     "the certificate does not cover the configured identifiers: "
     "example.org is not in the certificate"),
    ({"endpoint": "certificate", "certificate": "garbage"},
     "invalid PEM data in the certificate chain: bad base64 decode"),
    ({"endpoint": "certificate", "body": "hello"},
     "the response is not a PEM certificate chain"),
    ({"endpoint": "finalize", "certificate": "expired"},
     "the certificate expired at 20"),
    ({"endpoint": "finalize", "certificate": "future"},
     "the certificate is valid from 20.* only: more than a day ahead of "
     "this machine's clock"),
    ({"endpoint": "finalize", "certificate": "junk"},
     "a block that is not a certificate in the certificate chain, after "
     "2 certificates: only certificates may be"),
    ({"endpoint": "finalize", "certificate": "wrong_chain"},
     'the certificate chain is broken: certificate 1 is issued by '
     '"CN=fakeca issuing CA", certificate 2 is "CN=fakeca tls"'),
], ids=["other-key", "other-names", "garbage", "not-pem", "expired", "future",
        "junk", "wrong-chain"])
def test_certificate_mismatch(fakeca_factory, tmp_path, action, error):
    hostile(fakeca_factory, tmp_path, [action], "{base}/cert/\\d+", error)


def test_expired_certificate_leaves_the_one_on_disk(fakeca, tmp_path):
    """A renewal that brings a certificate that does not work now (expired
    here) fails, and the files on disk stay as they were: the web server
    reloaded next keeps a certificate that works."""
    client = Client(tmp_path / "acmed", fakeca)
    assert client.run().returncode == 0
    paths = [os.path.join(client.certs, n) for n in client.files()]
    before = {p: open(p, "rb").read() for p in paths}
    # Due: a name the certificate on disk lacks.
    with open(client.config) as f:
        text = f.read()
    with open(client.config, "w") as f:
        f.write(text.replace('{ dns = "example.org", challenge = "http-01" }',
                             '{ dns = "example.org", challenge = "http-01" }, '
                             '{ dns = "www.example.org", challenge = '
                             '"http-01" }'))
    fakeca.set_script([{"endpoint": "finalize", "certificate": "expired"}])
    proc = client.run()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "the certificate expired at" in error_line(proc)
    assert {p: open(p, "rb").read() for p in paths} == before


def test_text_around_the_chain_is_dropped(fakeca, tmp_path):
    """RFC 8555 section 9.1: PEM certificates.  Text a CA writes around
    them does not reach the file that web servers read."""
    fakeca.set_script([{"endpoint": "finalize", "certificate": "chatty"}])
    client = Client(tmp_path / "acmed", fakeca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(os.path.join(client.certs, CERT_NAME + ".crt.pem")) as f:
        chain = f.read()
    assert "fakeca" not in chain and "That is all" not in chain
    assert chain.count("-----BEGIN CERTIFICATE-----") == 2
    assert chain.startswith("-----BEGIN CERTIFICATE-----\n")
    assert sans(chain) == ["DNS:example.org"]


# -- plain HTTP, TLS ---------------------------------------------------------

PLAIN = [
    ("directory-redirect", [{"endpoint": "directory", "status": 301,
                             "redirect": "{plain}/dir"}],
     "{base}/dir", "HTTP 301 redirect to http://127.0.0.1:\\d+/dir refused"),
    ("new-order-redirect", [{"endpoint": "newOrder",
                             "redirect": "{plain}/new-order"}],
     "{base}/new-order", "HTTP 302 redirect to http://.* refused"),
    ("order-location", [{"endpoint": "newOrder",
                         "headers": {"Location": "{plain}/order/2"}}],
     "{base}/new-order", "order location: http://.*" +
     re.escape(ELSEWHERE)),
    ("finalize-url", [{"endpoint": "newOrder",
                       "set": {"finalize": "{plain}/finalize"}},
                      {"endpoint": "order",
                       "set": {"finalize": "{plain}/finalize"}}],
     "http://127.0.0.1:\\d+/finalize", re.escape(ELSEWHERE)),
]


@pytest.mark.parametrize("script,url,error", [p[1:] for p in PLAIN],
                         ids=[p[0] for p in PLAIN])
def test_plain_http(fakeca_factory, tmp_path, script, url, error):
    hostile(fakeca_factory, tmp_path, script, url, error)


@pytest.mark.parametrize("tls,error", [
    ("untrusted", "SSL certificate problem: self-signed certificate"),
    ("wrong-name", "no alternative certificate subject name matches"),
])
def test_tls_certificate_that_does_not_verify(fakeca_factory, tmp_path,
                                              tls, error):
    hostile(fakeca_factory, tmp_path, [], "{base}/dir", error, tls=tls)


# -- stalls and closed connections -------------------------------------------

@pytest.mark.parametrize("script,url,error", [
    ([{"endpoint": "directory", "stall_after": 10}], "{base}/dir",
     "(Operation timed out|Operation too slow)"),
    ([{"endpoint": "order", "stall_after": 10}], "{base}/order/\\d+",
     "(Operation timed out|Operation too slow)"),
    ([{"endpoint": "newOrder", "delay": 3600}], "{base}/new-order",
     "Operation timed out after \\d+ milliseconds with 0 bytes received"),
    ([{"endpoint": "directory", "close": True}], "{base}/dir",
     "Empty reply from server"),
    ([{"endpoint": "authz", "close": True}], "{base}/authz/\\d+/0",
     "Empty reply from server"),
], ids=["directory-mid-body", "order-mid-body", "new-order-no-answer",
        "directory-closed", "authz-closed"])
def test_stall(fakeca_factory, tmp_path, script, url, error):
    _, proc = hostile(fakeca_factory, tmp_path, script, url, error,
                      TRANSPORT)


def test_reload_during_the_first_registration(fakeca_factory, tmp_path):
    """A reload read the account file while the running configuration
    was registering the account: the new configuration made a key of its
    own for the missing file, and registered a second account with it."""
    ca = fakeca_factory(script=[{"endpoint": "newAccount", "nth": 1,
                                 "delay": 3}])
    client = Client(tmp_path / "acmed", ca)
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    try:
        wait_until(lambda: any(r["path"] == "/new-acct"
                               for r in ca.requests()), 30, "newAccount")
        # The reload brings a second certificate, for the new runtime.
        text = open(client.config).read()
        with open(client.config, "a") as f:
            f.write(text.split("[[certificate]]")[1]
                    .replace('"example.org"', '"www.example.org"')
                    .join(["\n[[certificate]]", "\n"]))
        a.signal(signal.SIGHUP)
        wait_until(lambda: a.log().count("certificate renewed") == 2, 60,
                   "both certificates")
    finally:
        assert a.stop() == 0
    keys = {json.dumps(r["protected"].get("jwk"), sort_keys=True)
            for r in ca.requests() if r["path"] == "/new-acct"}
    assert len(keys) == 1, a.log()[-4000:]
    assert a.log().count("account created") == 1
