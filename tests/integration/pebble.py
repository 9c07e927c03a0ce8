"""Start and stop a private Pebble CA and pebble-challtestsrv on loopback.

Every instance gets free 127.0.0.1 ports, its own folder, a throwaway TLS
certificate for Pebble's ACME listener, and is stopped by the PIDs it
started.  Readiness is polled with a deadline, never slept for.
"""
import json
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_udp_tcp_port():
    """A port free for both UDP and TCP (the mock DNS server uses both)."""
    for _ in range(50):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free UDP+TCP port")


class Exited(RuntimeError):
    """The process being waited for has exited: no use waiting longer."""


def wait_until(predicate, timeout, what):
    """Polls predicate() until it is true or the deadline passes; an
    Exited exception from it ends the wait at once."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            if predicate():
                return
        except Exited:
            raise
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout} s")
        time.sleep(delay)  # a polling interval, not a wait for readiness
        delay = min(delay * 2, 0.2)


def stop_process(proc, timeout=10):
    """SIGTERM to a process this test started, SIGKILL if it has not
    ended after timeout seconds; then reaped."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def make_tls_cert(folder):
    """A self-signed certificate for 127.0.0.1 and localhost."""
    key = os.path.join(folder, "pebble.key")
    crt = os.path.join(folder, "pebble.crt")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", crt, "-days", "2",
         "-subj", "/CN=pebble test listener",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True)
    return crt, key


class Pebble:
    """One running Pebble + pebble-challtestsrv pair."""

    def __init__(self, folder, env=None, eab_keys=None, eab_required=False,
                 validity=None, http_port=None, tls_port=None,
                 start_challtestsrv=True, chall_http01=True):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.tls_cert, self.tls_key = make_tls_cert(folder)
        self.fixed_http_port = http_port
        self.fixed_tls_port = tls_port
        self.eab_keys = eab_keys
        self.eab_required = eab_required
        self.validity = validity
        self.config_path = os.path.join(folder, "pebble-config.json")
        self._pick_ports()
        self.env = dict(os.environ)
        self.env.setdefault("PEBBLE_VA_NOSLEEP", "1")
        self.env.update(env or {})
        self.start_challtestsrv = start_challtestsrv
        # False leaves httpPort to the test's own web server.
        self.chall_http01 = chall_http01
        self.procs = []
        self.pebble_proc = None
        self.chall_proc = None
        self.ever_started = False

    def _pick_ports(self):
        """Free ports, and the configuration that names them."""
        self.port = free_port()
        self.mgmt_port = free_port()
        self.http_port = self.fixed_http_port or free_port()
        self.tls_port = self.fixed_tls_port or free_port()
        self.dns_port = free_udp_tcp_port()
        self.chall_mgmt_port = free_port()
        self.directory = f"https://127.0.0.1:{self.port}/dir"
        self.mgmt = f"https://127.0.0.1:{self.mgmt_port}"
        self.chall_mgmt = f"http://127.0.0.1:{self.chall_mgmt_port}"
        config = {"pebble": {
            "listenAddress": f"127.0.0.1:{self.port}",
            "managementListenAddress": f"127.0.0.1:{self.mgmt_port}",
            "certificate": self.tls_cert,
            "privateKey": self.tls_key,
            "httpPort": self.http_port,
            "tlsPort": self.tls_port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": self.eab_required,
            "externalAccountMACKeys": self.eab_keys or {},
        }}
        if self.validity:
            config["pebble"]["certificateValidityPeriod"] = self.validity
        with open(self.config_path, "w") as f:
            json.dump(config, f)

    # -- life cycle ----------------------------------------------------

    def start(self):
        """Starts what is not running.  A port that another process took
        between free_port() and the server's bind (tests run in parallel)
        is not a failure of the test: the first start picks new ports and
        tries again.  A restart keeps the ports (the URLs stay valid)."""
        for attempt in range(3):
            try:
                return self._start()
            except Exited as e:
                if (self.ever_started or attempt == 2 or
                        "address already in use" not in str(e)):
                    raise
                self.stop()
                self._pick_ports()

    def _start(self):
        if self.start_challtestsrv and self.chall_proc is None:
            self.chall_proc = self._spawn(
                "challtestsrv",
                ["pebble-challtestsrv",
                 "-management", f"127.0.0.1:{self.chall_mgmt_port}",
                 "-dns01", f"127.0.0.1:{self.dns_port}",
                 "-http01", (f"127.0.0.1:{self.http_port}"
                             if self.chall_http01 else ""),
                 "-https01", "", "-tlsalpn01", "",
                 "-defaultIPv6", ""])
            wait_until(self._chall_ready, 60, "pebble-challtestsrv")
        self.pebble_proc = self._spawn(
            "pebble",
            ["pebble", "-config", self.config_path,
             "-dnsserver", f"127.0.0.1:{self.dns_port}"])
        wait_until(self._ready, 60, "pebble")
        self.ever_started = True
        return self

    def _spawn(self, name, argv):
        log = open(os.path.join(self.folder, name + ".log"), "ab")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=self.env)
        log.close()
        self.procs.append(proc)
        return proc

    def _ready(self):
        if self.pebble_proc.poll() is not None:
            raise Exited("pebble exited:\n" + self.log("pebble"))
        self.get(self.directory)
        return True

    def _chall_ready(self):
        if self.chall_proc.poll() is not None:
            raise Exited("challtestsrv exited:\n" +
                         self.log("challtestsrv"))
        with socket.create_connection(("127.0.0.1", self.chall_mgmt_port),
                                      timeout=1):
            return True

    def stop_pebble(self):
        """Stops Pebble alone (state is lost, as with a CA outage)."""
        stop_process(self.pebble_proc)
        self.pebble_proc = None

    def restart_pebble(self):
        self.stop_pebble()
        self.start()

    def stop(self):
        for proc in self.procs:
            stop_process(proc)
        self.procs = []
        self.pebble_proc = None
        self.chall_proc = None

    def log(self, name):
        try:
            with open(os.path.join(self.folder, name + ".log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # -- helpers for tests ---------------------------------------------

    def ssl_context(self):
        return ssl.create_default_context(cafile=self.tls_cert)

    def get(self, url):
        with urllib.request.urlopen(url, context=self.ssl_context(),
                                    timeout=5) as r:
            return r.read()

    def roots_pem(self):
        """Pebble's issuing root (changes at every start)."""
        return self.get(f"{self.mgmt}/roots/0").decode()

    def intermediate_pem(self):
        return self.get(f"{self.mgmt}/intermediates/0").decode()

    def write_roots(self, path):
        with open(path, "w") as f:
            f.write(self.roots_pem())
        return path

    def chall(self, endpoint, payload):
        """Calls the challtestsrv management API (add-http01, set-txt...)."""
        req = urllib.request.Request(
            f"{self.chall_mgmt}/{endpoint}",
            data=json.dumps(payload).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.read()
