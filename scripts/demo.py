#!/usr/bin/python3
"""demo.py - the running part of scripts/demo.sh, which installs and
builds first.  Usage: demo.py BUILD_DIR

Starts a local Pebble CA with pebble-challtestsrv as its DNS server (every
name resolves to 127.0.0.1) and nginx serving a webroot, all on free
loopback ports; writes a small acmed.toml that includes the project's
default hooks and uses http-01-echo; runs BUILD_DIR/acmed in the
foreground until the certificate is issued; shows it; stops everything it
started, by PID, whatever happens (errors, Ctrl-C, SIGTERM).

Pebble and nginx are driven by the same helpers as the integration tests
(tests/integration/pebble.py and nginx.py).
"""
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from nginx import Nginx  # noqa: E402
from pebble import Pebble, stop_process, wait_until  # noqa: E402

NAMES = ["example.org", "www.example.org"]
DEADLINE = 60           # seconds for the certificate
VALIDITY = 90 * 86400   # Pebble issues 90-day certificates, as most CAs


# -- signals ---------------------------------------------------------------
#
# SIGINT, SIGTERM and SIGHUP end the demo through the clean-up in main().
# Between fork() and the line that records a new child's PID, a signal
# would leave that child unknown to the clean-up: there it is deferred.

_deferred = {"depth": 0, "signal": None}


def on_signal(signum, frame):
    if _deferred["depth"]:
        _deferred["signal"] = signum
        return
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def deferred_signals():
    _deferred["depth"] += 1
    try:
        yield
    finally:
        _deferred["depth"] -= 1
        sig = _deferred["signal"]
        if _deferred["depth"] == 0 and sig is not None:
            _deferred["signal"] = None
            raise SystemExit(128 + sig)


class DemoPebble(Pebble):
    def _spawn(self, name, argv):
        with deferred_signals():
            return super()._spawn(name, argv)


class DemoNginx(Nginx):
    def _spawn(self, argv):
        with deferred_signals():
            super()._spawn(argv)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(folder, pebble, webroot):
    path = os.path.join(folder, "acmed.toml")
    idents = "\n".join(
        f'    {{ dns = {toml_str(n)}, challenge = "http-01" }},'
        for n in NAMES)
    with open(path, "w") as f:
        f.write(f"""\
# acmed.toml written by scripts/demo.sh: one certificate from a local
# Pebble CA, validated over http-01 with the default hooks, which write
# each proof under HTTP_ROOT/<name>/.well-known/acme-challenge/ for the
# web server to serve.

include = [{toml_str(os.path.join(ROOT, "config", "default_hooks.toml"))}]

[global]
accounts_directory = {toml_str(os.path.join(folder, "accounts"))}
certificates_directory = {toml_str(os.path.join(folder, "certs"))}
env.HTTP_ROOT = {toml_str(webroot)}

[[endpoint]]
name = "pebble"
url = {toml_str(pebble.directory)}
# Pebble's own listener certificate, made for this run.
root_certificates = [{toml_str(pebble.tls_cert)}]
tos_agreed = true

[[account]]
name = "demo"
contacts = [{{ mailto = "admin@example.org" }}]

[[certificate]]
account = "demo"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = ["http-01-echo"]
identifiers = [
{idents}
]
""")
    return path


class Acmed:
    """build/acmed --foreground; its log goes to a file and, shortened,
    to our output."""

    def __init__(self, program, config, folder):
        self.log_path = os.path.join(folder, "acmed.log")
        self.argv = [program, "--config", config, "--foreground",
                     "--log-stderr", "--log-level", "info",
                     "--pid-file", os.path.join(folder, "acmed.pid")]
        self.proc = None
        self.issued = threading.Event()
        self.reader = None

    def start(self):
        with deferred_signals():
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        with open(self.log_path, "wb") as log:
            for line in self.proc.stderr:
                log.write(line)
                log.flush()
                text = line.decode(errors="replace").rstrip()
                # "[time LEVEL acmed] message" -> "LEVEL message"
                if text.startswith("[") and "] " in text:
                    head, msg = text[1:].split("] ", 1)
                    parts = head.split()
                    level = parts[1] if len(parts) > 1 else ""
                    text = msg if level == "INFO" else f"{level} {msg}"
                print("  acmed: " + text, flush=True)
                if "certificate renewed" in text:
                    self.issued.set()

    def stop(self):
        if self.proc is None:
            return
        stop_process(self.proc, 20)
        if self.reader is not None:
            self.reader.join(5)


def openssl_x509(path, *args):
    r = subprocess.run(["openssl", "x509", "-in", path, "-noout",
                        "-nameopt", "RFC2253", *args],
                       capture_output=True, text=True, check=True)
    return r.stdout


def describe(crt):
    """Subject, SANs, issuer and expiry, from openssl x509."""
    info = {}
    for line in openssl_x509(crt, "-subject", "-issuer",
                             "-enddate").splitlines():
        key, _, value = line.partition("=")
        info[key.strip()] = value.strip()
    sans = openssl_x509(crt, "-ext", "subjectAltName").splitlines()[1:]
    return [
        ("subject", info.get("subject") or "(empty)"),
        ("names", ", ".join(s.strip() for s in " ".join(sans).split(","))),
        ("issuer", info.get("issuer", "?")),
        ("expires", info.get("notAfter", "?")),
    ]


def served(nginx, webroot):
    """What the web server did for the validation, from its access log,
    and whether the clean-up hook removed the proofs."""
    with open(nginx.access_log) as f:
        hits = [line for line in f
                if "/.well-known/acme-challenge/" in line and
                '" 200 ' in line]
    left = [p for n in NAMES for p in os.listdir(os.path.join(
        webroot, n, ".well-known", "acme-challenge"))]
    return (f"http-01: nginx answered {len(hits)} requests from Pebble "
            f"for the {len(NAMES)} proofs; " +
            ("the hooks removed them" if not left
             else f"{len(left)} files left in {webroot}"))


def verify(crt, pebble, folder):
    """openssl verify of the leaf against Pebble's root (fetched from
    Pebble's management API), the rest of the file as the chain."""
    with open(crt) as f:
        pem = f.read()
    parts = ["-----BEGIN CERTIFICATE-----" + c
             for c in pem.split("-----BEGIN CERTIFICATE-----")[1:]]
    paths = {}
    for name, data in (("root", pebble.roots_pem()), ("leaf", parts[0]),
                       ("chain", "".join(parts[1:]))):
        paths[name] = os.path.join(folder, "pebble", f"verify-{name}.pem")
        with open(paths[name], "w") as f:
            f.write(data)
    argv = ["openssl", "verify", "-CAfile", paths["root"]]
    if len(parts) > 1:
        argv += ["-untrusted", paths["chain"]]
    r = subprocess.run(argv + [paths["leaf"]], capture_output=True,
                       text=True)
    if r.returncode == 0:
        return "OK, chains to Pebble's root"
    return "FAILED: " + (r.stdout + r.stderr).strip()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: demo.py BUILD_DIR")
    program = os.path.join(os.path.abspath(sys.argv[1]), "acmed")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    folder = tempfile.mkdtemp(prefix="acmed-demo.")
    webroot = os.path.join(folder, "www")
    os.makedirs(webroot)
    pebble = nginx = acmed = None
    ok = interrupted = False
    try:
        # nginx first, on a port it holds before Pebble's servers take
        # theirs; challtestsrv is Pebble's DNS only: nginx has Pebble's
        # httpPort.
        print(f"starting nginx on a free 127.0.0.1 port, serving "
              f"{webroot}/<name>/...", flush=True)
        nginx = DemoNginx.on_free_port(os.path.join(folder, "nginx"),
                                       webroot)
        pebble = DemoPebble(os.path.join(folder, "pebble"),
                            http_port=nginx.port, chall_http01=False,
                            validity=VALIDITY)
        print(f"starting Pebble (the CA) on 127.0.0.1:{pebble.port} and "
              "pebble-challtestsrv (its DNS), which validates through "
              f"nginx on port {nginx.port}...", flush=True)
        pebble.start()
        config = write_config(folder, pebble, webroot)

        print(f"running {os.path.relpath(program)} --foreground "
              f"--config {config} until the certificate is issued:",
              flush=True)
        acmed = Acmed(program, config, folder)
        t0 = time.monotonic()
        acmed.start()

        def issued():
            if acmed.issued.is_set():
                return True
            if acmed.proc.poll() is not None:
                raise RuntimeError("acmed exited")
            return False
        try:
            wait_until(issued, DEADLINE, "the certificate")
        except (RuntimeError, TimeoutError) as e:
            print(f"\nno certificate: {e}; acmed's log: {acmed.log_path}",
                  file=sys.stderr)
            return 1
        elapsed = time.monotonic() - t0
        acmed.stop()

        certs = os.path.join(folder, "certs")
        crt = os.path.join(certs, f"{NAMES[0]}_ecdsa-p256.crt.pem")
        key = os.path.join(certs, f"{NAMES[0]}_ecdsa-p256.pk.pem")
        print(f"\ncertificate issued in {elapsed:.1f} s by the local "
              "Pebble CA:")
        rows = [("certificate", crt), ("private key", key)] + \
            describe(crt) + [("validation", served(nginx, webroot)),
                             ("verified", verify(crt, pebble, folder))]
        for k, v in rows:
            print(f"  {k:<12} {v}")
        print(f"\neverything (configuration, logs, account, certificate) "
              f"is in {folder}")
        ok = True
        return 0
    except SystemExit as e:
        interrupted = True
        print(f"\ninterrupted by signal {e.code - 128}", file=sys.stderr)
        return e.code
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # let the clean-up finish
        stopped = []
        for name, thing in (("acmed", acmed), ("nginx", nginx),
                            ("Pebble", pebble)):
            if thing is not None:
                try:
                    thing.stop()
                    stopped.append(name)
                except Exception as e:  # stop the others all the same
                    print(f"stopping {name}: {e}", file=sys.stderr)
        if stopped:
            what = ", ".join(stopped) + (" and pebble-challtestsrv"
                                         if pebble else "")
            blank = "" if ok or interrupted else "\n"
            print(f"{blank}stopped {what}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
