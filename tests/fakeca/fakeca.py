#!/usr/bin/python3
"""fakeca - a scriptable fake ACME server for tests (Python standard library
and the openssl command line only).

It speaks enough RFC 8555 for a client to register, order, answer
challenges (every challenge is valid as soon as it is answered), finalize
(the order is "processing" until its next read, as at most CAs) and
download a real certificate chain: the CSR is signed with `openssl x509
-req` by a throwaway CA made at start-up.  JWS signatures are not checked,
but every request is recorded (method, path, headers, the decoded protected
header and payload) so that tests can see what the client sent.

What makes it useful is the script: a list of rules, each matching some
requests and changing the answer, so that a test can serve what a real CA
never would.  A rule is a JSON object:

    {"path": "/order/\\d+",          regular expression (fullmatch), or
     "endpoint": "order",            a name from ENDPOINTS below
     "method": "POST",               optional
     "nth": 2,                       only the 2nd matching request (1-based),
     "from": 2,                      or every one from the 2nd on
     "until": 5,                     (and/or) up to the 5th
                                     (default: every matching request)
     ... actions ...}

Actions, applied in this order:

    "delay": 1.5              seconds before answering
    "close": true             close the connection without an answer
    "lose_answer": true       handle the request, then close the
                              connection without its answer
    "status": 503             the status code
    "set": {"a.b.0.c": v}     set members of the normal JSON answer (a
                              dotted path; numbers index arrays)
    "delete": ["a.b"]         remove members of the normal JSON answer
    "json": {...}             the whole JSON answer
    "body": "text"            the whole answer, raw
    "headers": {"K": "v"}     add or replace headers (null removes one)
    "redirect": "url"         302 with this Location
    "huge_body": 2000000      a body of this many bytes ...
    "chunked": true           ... sent without a Content-Length
    "endless_headers": true   headers without end
    "stall_after": 10         send the headers and this many bytes of the
                              body, then nothing more, ever
    "certificate": "other_key" | "other_names" | "garbage" | "expired" |
                   "future" | "junk" | "wrong_chain" | "chatty"
                              (finalize) issue a certificate for another key,
                              or for other names, or a broken PEM, or one
                              that expired yesterday, or one valid from in
                              20 days; send the chain with a private key
                              block and text after it, or with another
                              certificate than the issuer's after the leaf,
                              or with text around the certificates
    "no_state": true          do not change the server's state (a challenge
                              answered stays pending)

The script file is read again whenever it changes (rule counters restart).

Renewal information (RFC 9773): GET /renewal-info/<certID> answers a
window 15 to 16 days from now with Retry-After: 21600; the directory lists
it only when a rule sets its "renewalInfo" member.

Usage: fakeca.py --folder DIR [--script FILE] [--tls good|untrusted|wrong-name]

It listens on a free 127.0.0.1 port over TLS and on another over plain
HTTP (same handlers, to catch clients that follow a downgrade), and writes
DIR/fakeca.json when ready: {"pid", "port", "plain_port", "directory",
"tls_cert" (the trust anchor to give the client), "ca_cert" (the issuing
CA)}.  Requests are appended to DIR/requests.jsonl.  SIGTERM stops it.
"""
import argparse
import base64
import json
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENDPOINTS = {
    "directory": r"/dir",
    "nonce": r"/nonce",
    "newAccount": r"/new-acct",
    "account": r"/acct/\d+",
    "newOrder": r"/new-order",
    "order": r"/order/\d+",
    "finalize": r"/order/\d+/finalize",
    "authz": r"/authz/\d+/\d+",
    "challenge": r"/chall/\d+/\d+/[a-z0-9-]+",
    "certificate": r"/cert/\d+",
    "keyChange": r"/key-change",
    "revokeCert": r"/revoke",
    "renewalInfo": r"/renewal-info/.*",
}

STOP = threading.Event()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def openssl(*args, input=None):
    r = subprocess.run(["openssl", *args], input=input, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], r.stderr.decode()))
    return r.stdout


# -- certificates ----------------------------------------------------------

class Pki:
    """A throwaway issuing CA, and the TLS certificates of the listener."""

    def __init__(self, folder, tls_mode):
        self.folder = folder
        self.ca_key = os.path.join(folder, "ca.key")
        self.ca_cert = os.path.join(folder, "ca.crt")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.ca_key,
                "-out", self.ca_cert, "-days", "3", "-subj",
                "/CN=fakeca issuing CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        # The listener: a self-signed certificate the client is told to
        # trust; "untrusted" serves another one, "wrong-name" one for a
        # name that is not 127.0.0.1.
        self.tls_cert, self.tls_key = self._listener("tls", "IP:127.0.0.1")
        self.serve_cert, self.serve_key = self.tls_cert, self.tls_key
        if tls_mode == "untrusted":
            self.serve_cert, self.serve_key = self._listener(
                "untrusted", "IP:127.0.0.1")
        elif tls_mode == "wrong-name":
            self.serve_cert, self.serve_key = self._listener(
                "wrong-name", "DNS:wrong.example")
            # Trusted as a root: only the name is wrong.
            self.tls_cert = self.serve_cert

    def _listener(self, name, san):
        key = os.path.join(self.folder, name + ".key")
        crt = os.path.join(self.folder, name + ".crt")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                "-out", crt, "-days", "3", "-subj", "/CN=fakeca " + name,
                "-addext", "subjectAltName=" + san,
                "-addext", "basicConstraints=critical,CA:TRUE")
        return crt, key

    def issue(self, csr_der, mode=None):
        """A PEM chain (leaf + CA) for the CSR."""
        with tempfile.TemporaryDirectory(dir=self.folder) as d:
            csr = os.path.join(d, "csr.pem")
            with open(csr, "wb") as f:
                f.write(openssl("req", "-inform", "DER", input=csr_der))
            args = ["x509", "-req", "-in", csr, "-CA", self.ca_cert,
                    "-CAkey", self.ca_key, "-days", "30",
                    "-set_serial", str(secrets.randbits(63))]
            if mode == "other_names":
                ext = os.path.join(d, "ext.cnf")
                with open(ext, "w") as f:
                    f.write("subjectAltName=DNS:not-what-you-asked.example\n")
                args += ["-extfile", ext]
            else:
                args += ["-copy_extensions", "copy"]
            if mode in ("expired", "future"):
                # openssl x509 of Debian 12 sets no dates: openssl ca does.
                day = 86400
                start, end = ((-40 * day, -day) if mode == "expired" else
                              (20 * day, 50 * day))
                return self._sign_dated(d, csr, start, end) + self._ca_pem()
            if mode == "other_key":
                other = os.path.join(d, "other.key")
                pub = os.path.join(d, "other.pub")
                openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", other)
                openssl("pkey", "-in", other, "-pubout", "-out", pub)
                args += ["-force_pubkey", pub]
            leaf = openssl(*args)
        if mode == "wrong_chain":
            with open(self.tls_cert, "rb") as f:
                return leaf + f.read()
        if mode == "chatty":
            return (b"Issued by fakeca.\n" + leaf + b"Its issuer:\n" +
                    self._ca_pem() + b"That is all.\n")
        if mode == "junk":
            return (leaf + self._ca_pem() + b"-----BEGIN PRIVATE KEY-----\n"
                    b"aGVsbG8=\n-----END PRIVATE KEY-----\n<p>junk</p>\n")
        return leaf + self._ca_pem()

    def _ca_pem(self):
        with open(self.ca_cert, "rb") as f:
            return f.read()

    def _sign_dated(self, d, csr, start, end):
        """The CSR signed by the CA, valid from now + start to now + end
        (seconds)."""
        def stamp(t):
            return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() + t))
        cnf = os.path.join(d, "ca.cnf")
        with open(cnf, "w") as f:
            f.write("[ca]\ndefault_ca = c\n[c]\n"
                    "database = %s/index.txt\nnew_certs_dir = %s\n"
                    "serial = %s/serial\ndefault_md = sha256\n"
                    "policy = p\ncopy_extensions = copy\n"
                    "[p]\ncommonName = optional\n" % (d, d, d))
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("%x\n" % secrets.randbits(63))
        out = os.path.join(d, "leaf.pem")
        openssl("ca", "-batch", "-config", cnf, "-in", csr, "-cert",
                self.ca_cert, "-keyfile", self.ca_key, "-startdate",
                stamp(start), "-enddate", stamp(end), "-notext", "-out", out)
        with open(out, "rb") as f:
            return f.read()


# -- ACME state ------------------------------------------------------------

class State:
    """Accounts, orders and authorizations; guarded by one lock."""

    def __init__(self, pki):
        self.lock = threading.Lock()
        self.pki = pki
        self.base = None
        self.accounts = {}      # jwk (canonical JSON) -> account id
        self.account_info = {}  # id -> dict
        self.orders = {}
        self.authzs = {}
        self.next_id = 1

    def new_id(self):
        i = self.next_id
        self.next_id += 1
        return i

    def url(self, path):
        return self.base + path

    def order_json(self, oid):
        o = self.orders[oid]
        if o["status"] == "pending" and all(
                self.authzs[a]["status"] == "valid" for a in o["authz"]):
            o["status"] = "ready"
        doc = {"status": o["status"],
               "expires": "2099-01-01T00:00:00Z",
               "identifiers": o["identifiers"],
               "authorizations": [self.url("/authz/%s" % a)
                                  for a in o["authz"]],
               "finalize": self.url("/order/%d/finalize" % oid)}
        if o["status"] == "valid":
            doc["certificate"] = self.url("/cert/%d" % oid)
        return doc

    def authz_json(self, aid):
        a = self.authzs[aid]
        doc = {"status": a["status"], "expires": "2099-01-01T00:00:00Z",
               "identifier": a["identifier"],
               "challenges": [self.chall_json(aid, c)
                              for c in a["challenges"]]}
        if a["wildcard"]:
            doc["wildcard"] = True
        return doc

    def chall_json(self, aid, c):
        return {"type": c["type"], "status": c["status"],
                "url": self.url("/chall/%s/%s" % (aid, c["type"])),
                "token": c["token"]}


def problem(status, kind, detail):
    return status, {"Content-Type": "application/problem+json"}, json.dumps(
        {"type": "urn:ietf:params:acme:error:" + kind, "detail": detail,
         "status": status}).encode()


# -- scripts ---------------------------------------------------------------

class Script:
    def __init__(self, path):
        self.path = path
        self.mtime = None
        self.rules = []
        self.counts = []
        self.lock = threading.Lock()

    def _reload(self):
        if self.path is None:
            return
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime == self.mtime:
            return
        self.mtime = mtime
        rules = []
        if mtime is not None:
            with open(self.path) as f:
                rules = json.load(f)
        self.rules = rules
        self.counts = [0] * len(rules)

    def match(self, method, path):
        """The actions of every rule that applies, merged in order."""
        actions = {}
        with self.lock:
            self._reload()
            for i, r in enumerate(self.rules):
                pat = r.get("path") or ENDPOINTS.get(r.get("endpoint"))
                if pat is None or not re.fullmatch(pat, path):
                    continue
                if r.get("method") and r["method"] != method:
                    continue
                self.counts[i] += 1
                n = self.counts[i]
                if "nth" in r and n != r["nth"]:
                    continue
                if "from" in r and n < r["from"]:
                    continue
                if "until" in r and n > r["until"]:
                    continue
                for k, v in r.items():
                    if k in ("path", "endpoint", "method", "nth", "from",
                             "until"):
                        continue
                    if k in ("set", "headers"):
                        actions.setdefault(k, {}).update(v)
                    elif k == "delete":
                        actions.setdefault(k, []).extend(v)
                    else:
                        actions[k] = v
        return actions


def patch_path(doc, dotted, value, delete=False):
    keys = dotted.split(".")
    cur = doc
    for k in keys[:-1]:
        cur = cur[int(k)] if isinstance(cur, list) else cur.setdefault(k, {})
    last = keys[-1]
    if isinstance(cur, list):
        if delete:
            del cur[int(last)]
        else:
            cur[int(last)] = value
    elif delete:
        cur.pop(last, None)
    else:
        cur[last] = value


# -- the server ------------------------------------------------------------

class Log:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a", buffering=1)
        self.n = 0

    def write(self, entry):
        with self.lock:
            self.n += 1
            entry["n"] = self.n
            self.f.write(json.dumps(entry) + "\n")
            self.f.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    server_version = "fakeca"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_one("GET")

    def do_HEAD(self):
        self.handle_one("HEAD")

    def do_POST(self):
        self.handle_one("POST")

    # request --------------------------------------------------------

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def decode_jws(self, raw):
        protected, payload = None, None
        try:
            jws = json.loads(raw)
            protected = json.loads(unb64url(jws["protected"]))
            p = unb64url(jws["payload"])
            try:
                payload = json.loads(p) if p else ""
            except ValueError:
                payload = p.decode(errors="replace")
        except (ValueError, KeyError, TypeError):
            pass
        return protected, payload

    def handle_one(self, method):
        srv = self.server
        raw = self.read_body()
        path = self.path.split("?")[0]
        protected, payload = self.decode_jws(raw) if raw else (None, None)
        srv.log.write({"time": time.time(), "listener": srv.kind,
                       "method": method, "path": path,
                       "headers": dict(self.headers.items()),
                       "protected": protected, "payload": payload,
                       "raw": raw[:65536].decode(errors="replace")})
        actions = srv.script.match(method, path)
        if "delay" in actions:
            STOP.wait(actions["delay"])
        if actions.get("close"):
            self.hang_up()
            return
        try:
            status, headers, body = self.route(method, path, protected,
                                               payload, actions)
        except Exception as e:      # a bug here must be seen by the test
            status, headers, body = problem(500, "serverInternal",
                                            "fakeca: %r" % e)
        if actions.get("lose_answer"):
            self.hang_up()
            return
        self.respond(method, status, headers, body, actions)

    def hang_up(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ACME ----------------------------------------------------------

    def route(self, method, path, protected, payload, actions):
        st = self.server.state
        no_state = actions.get("no_state", False)
        hdrs = {}
        with st.lock:
            if path == "/dir":
                return 200, hdrs, {
                    "newNonce": st.url("/nonce"),
                    "newAccount": st.url("/new-acct"),
                    "newOrder": st.url("/new-order"),
                    "revokeCert": st.url("/revoke"),
                    "keyChange": st.url("/key-change"),
                    "meta": {"termsOfService": st.url("/terms"),
                             "externalAccountRequired": False}}
            if re.fullmatch(r"/renewal-info/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
                            path) and method == "GET":
                day = 86400
                hdrs["Retry-After"] = "21600"
                return 200, hdrs, {"suggestedWindow": {
                    "start": rfc3339(time.time() + 15 * day),
                    "end": rfc3339(time.time() + 16 * day)}}
            if path == "/nonce":
                hdrs["Cache-Control"] = "no-store"
                return (200 if method != "POST" else 405), hdrs, b""
            if method != "POST":
                return problem(405, "malformed", "POST expected")
            if protected is None:
                return problem(400, "malformed", "not a JWS")
            kid = protected.get("kid")
            acct = None
            if kid is not None:
                m = re.fullmatch(re.escape(st.base) + r"/acct/(\d+)", kid)
                acct = int(m.group(1)) if m else None
                if acct not in st.account_info:
                    return problem(400, "accountDoesNotExist",
                                   "no account " + kid)
            if path == "/new-acct":
                jwk = json.dumps(protected.get("jwk"), sort_keys=True)
                code = 200
                if jwk not in st.accounts:
                    if isinstance(payload, dict) and payload.get(
                            "onlyReturnExisting"):
                        return problem(400, "accountDoesNotExist",
                                       "no such account")
                    st.accounts[jwk] = st.new_id()
                    code = 201
                aid = st.accounts[jwk]
                info = st.account_info.setdefault(aid, {"status": "valid"})
                if isinstance(payload, dict) and "contact" in payload:
                    info["contact"] = payload["contact"]
                hdrs["Location"] = st.url("/acct/%d" % aid)
                return code, hdrs, dict(info, orders=st.url(
                    "/acct/%d/orders" % aid))
            if acct is None:
                return problem(400, "malformed", "kid expected")
            m = re.fullmatch(r"/acct/(\d+)", path)
            if m:
                info = st.account_info[acct]
                if isinstance(payload, dict):
                    if payload.get("status") == "deactivated":
                        info["status"] = "deactivated"
                    if "contact" in payload:
                        info["contact"] = payload["contact"]
                return 200, hdrs, dict(info)
            if path == "/key-change":
                return 200, hdrs, dict(st.account_info[acct])
            if path == "/new-order":
                oid = st.new_id()
                idents = payload.get("identifiers", [])
                authz = []
                for i, ident in enumerate(idents):
                    aid = "%d/%d" % (oid, i)
                    value = ident.get("value", "")
                    wild = value.startswith("*.")
                    st.authzs[aid] = {
                        "identifier": {"type": ident.get("type"),
                                       "value": value[2:] if wild else value},
                        "wildcard": wild, "status": "pending",
                        "challenges": [
                            {"type": t, "status": "pending",
                             "token": b64url(secrets.token_bytes(32))}
                            for t in ("http-01", "dns-01", "tls-alpn-01")]}
                    authz.append(aid)
                st.orders[oid] = {"status": "pending", "identifiers": idents,
                                  "authz": authz, "cert": None,
                                  "account": acct}
                hdrs["Location"] = st.url("/order/%d" % oid)
                return 201, hdrs, st.order_json(oid)
            m = re.fullmatch(r"/order/(\d+)", path)
            if m and int(m.group(1)) in st.orders:
                o = st.orders[int(m.group(1))]
                if o["status"] == "processing" and not no_state:
                    o["status"] = "valid"
                hdrs["Location"] = st.url(path)
                return 200, hdrs, st.order_json(int(m.group(1)))
            m = re.fullmatch(r"/order/(\d+)/finalize", path)
            if m and int(m.group(1)) in st.orders:
                oid = int(m.group(1))
                o = st.orders[oid]
                st.order_json(oid)
                if o["status"] != "ready":
                    return problem(403, "orderNotReady",
                                   "order is " + o["status"])
                csr = unb64url(payload["csr"])
                o["cert"] = st.pki.issue(csr, actions.get("certificate"))
                if not no_state:
                    o["status"] = "processing"
                hdrs["Location"] = st.url("/order/%d" % oid)
                return 200, hdrs, st.order_json(oid)
            m = re.fullmatch(r"/authz/(\d+/\d+)", path)
            if m and m.group(1) in st.authzs:
                aid = m.group(1)
                if payload == {"status": "deactivated"} and not no_state:
                    st.authzs[aid]["status"] = "deactivated"
                return 200, hdrs, st.authz_json(aid)
            m = re.fullmatch(r"/chall/(\d+/\d+)/([a-z0-9-]+)", path)
            if m and m.group(1) in st.authzs:
                a = st.authzs[m.group(1)]
                for c in a["challenges"]:
                    if c["type"] == m.group(2):
                        if not no_state:
                            c["status"] = "valid"
                            a["status"] = "valid"
                        hdrs["Link"] = '<%s>;rel="up"' % st.url(
                            "/authz/" + m.group(1))
                        return 200, hdrs, st.chall_json(m.group(1), c)
            m = re.fullmatch(r"/cert/(\d+)", path)
            if m and int(m.group(1)) in st.orders:
                o = st.orders[int(m.group(1))]
                if o["cert"] is None:
                    return problem(404, "malformed", "no certificate")
                hdrs["Content-Type"] = "application/pem-certificate-chain"
                body = o["cert"]
                if actions.get("certificate") == "garbage":
                    body = (b"-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n"
                            b"-----END CERTIFICATE-----\n")
                return 200, hdrs, body
            if path == "/revoke":
                return 200, hdrs, b""
            return problem(404, "malformed", "no such resource " + path)

    # response -------------------------------------------------------

    def respond(self, method, status, headers, body, actions):
        if isinstance(body, (dict, list)):
            doc = body
            for k, v in actions.get("set", {}).items():
                patch_path(doc, k, v)
            for k in actions.get("delete", []):
                try:
                    patch_path(doc, k, None, delete=True)
                except (KeyError, IndexError, ValueError):
                    pass
            body = json.dumps(doc).encode()
            headers.setdefault("Content-Type", "application/json")
        if "json" in actions:
            body = json.dumps(actions["json"]).encode()
            headers["Content-Type"] = "application/json"
        if "body" in actions:
            body = actions["body"].encode()
        if "status" in actions:
            status = actions["status"]
        if "redirect" in actions:
            status = actions.get("status", 302)
            headers["Location"] = actions["redirect"]
        headers["Replay-Nonce"] = b64url(secrets.token_bytes(16))
        headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("Link", '<%s>;rel="index"' %
                           self.server.state.url("/dir"))
        for k, v in actions.get("headers", {}).items():
            headers.pop(k, None)
            for h in list(headers):
                if h.lower() == k.lower():
                    del headers[h]
            if v is not None:
                headers[k] = v
        chunked = False
        if "huge_body" in actions:
            body = None
            chunked = actions.get("chunked", False)

        w = self.wfile
        out = ["HTTP/1.1 %d %s\r\n" % (status, self.responses.get(
            status, ("Whatever",))[0])]
        for k, v in headers.items():
            out.append("%s: %s\r\n" % (k, v))
        if actions.get("endless_headers"):
            self.close_connection = True
            try:
                w.write("".join(out).encode())
                for i in range(10 ** 7):
                    if STOP.is_set():
                        break
                    w.write(b"X-Filler-%d: %s\r\n" % (i, b"x" * 64))
            except OSError:
                pass
            return
        if chunked:
            out.append("Transfer-Encoding: chunked\r\n")
        else:
            length = actions["huge_body"] if body is None else len(body)
            out.append("Content-Length: %d\r\n" % length)
        out.append("\r\n")
        try:
            w.write("".join(out).encode())
            if method == "HEAD":
                return
            if "stall_after" in actions:
                w.write(body[:actions["stall_after"]])
                w.flush()
                self.close_connection = True
                STOP.wait(3600)
                return
            if body is None:
                self.send_huge(actions["huge_body"], chunked)
            else:
                w.write(body)
            w.flush()
        except OSError:
            self.close_connection = True

    def send_huge(self, n, chunked):
        chunk = b"{" + b" " * 65534 + b"\n"
        sent = 0
        self.close_connection = True
        while sent < n and not STOP.is_set():
            part = chunk[:min(len(chunk), n - sent)]
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            else:
                self.wfile.write(part)
            sent += len(part)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, kind, ctx, state, script, log):
        self.kind = kind
        self.ctx = ctx
        self.state = state
        self.script = script
        self.log = log
        super().__init__(("127.0.0.1", 0), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx is not None:
            # The handshake happens in the handler's thread, on first read:
            # a client that never finishes it blocks nobody else.
            sock = self.ctx.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        self.log.write({"time": time.time(), "listener": self.kind,
                        "error": repr(exc)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", required=True)
    ap.add_argument("--script")
    ap.add_argument("--tls", default="good",
                    choices=("good", "untrusted", "wrong-name"))
    args = ap.parse_args()
    os.makedirs(args.folder, exist_ok=True)

    pki = Pki(args.folder, args.tls)
    state = State(pki)
    script = Script(args.script)
    log = Log(os.path.join(args.folder, "requests.jsonl"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.serve_cert, pki.serve_key)
    tls = Server("tls", ctx, state, script, log)
    plain = Server("plain", None, state, script, log)
    port = tls.server_address[1]
    state.base = "https://127.0.0.1:%d" % port

    def stop(signo, frame):
        STOP.set()
        log.f.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for s in (tls, plain):
        threading.Thread(target=s.serve_forever, daemon=True).start()

    info = {"pid": os.getpid(), "port": port,
            "plain_port": plain.server_address[1],
            "base": state.base,
            "plain_base": "http://127.0.0.1:%d" % plain.server_address[1],
            "directory": state.url("/dir"),
            "tls_cert": pki.tls_cert, "ca_cert": pki.ca_cert}
    ready = os.path.join(args.folder, "fakeca.json")
    with open(ready + ".tmp", "w") as f:
        json.dump(info, f)
    os.rename(ready + ".tmp", ready)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
