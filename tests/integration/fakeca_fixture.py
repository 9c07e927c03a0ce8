"""pytest fixtures for tests/fakeca/fakeca.py, the scriptable fake ACME
server: each test gets its own instance (free loopback ports, its own
folder), started by PID, polled for readiness with a deadline and stopped by
the PID it was started with.

    def test_x(fakeca):                      # a CA that behaves
        ...
    def test_y(fakeca_factory):
        ca = fakeca_factory(script=[{"endpoint": "order", "set": {...}}],
                            tls="untrusted")

Import both names into the test module:
    from fakeca_fixture import fakeca, fakeca_factory  # noqa: F401
"""
import json
import os
import signal
import subprocess
import sys

import pytest

from pebble import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
FAKECA = os.path.join(os.path.dirname(HERE), "fakeca", "fakeca.py")


class FakeCA:
    """One running fakeca process."""

    def __init__(self, folder, script=None, tls="good"):
        self.folder = str(folder)
        os.makedirs(self.folder, exist_ok=True)
        self.script_path = os.path.join(self.folder, "script.json")
        self.set_script(script or [])
        self.tls = tls
        self.proc = None
        self.info = None

    def start(self):
        log = open(os.path.join(self.folder, "fakeca.log"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, FAKECA, "--folder", self.folder,
             "--script", self.script_path, "--tls", self.tls],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        ready = os.path.join(self.folder, "fakeca.json")

        def is_ready():
            if self.proc.poll() is not None:
                raise AssertionError("fakeca exited:\n" + self.log())
            return os.path.exists(ready)
        wait_until(is_ready, 30, "fakeca")
        with open(ready) as f:
            self.info = json.load(f)
        assert self.info["pid"] == self.proc.pid
        self.directory = self.info["directory"]
        self.base = self.info["base"]
        self.plain_base = self.info["plain_base"]
        self.port = self.info["port"]
        self.tls_cert = self.info["tls_cert"]
        self.ca_cert = self.info["ca_cert"]
        return self

    def set_script(self, rules):
        """Replaces the script (the server reads it again at its next
        request)."""
        tmp = self.script_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rules, f)
        os.replace(tmp, self.script_path)

    def requests(self, listener=None):
        """Every request received so far, oldest first."""
        out = []
        try:
            with open(os.path.join(self.folder, "requests.jsonl")) as f:
                for line in f:
                    r = json.loads(line)
                    if "method" not in r:
                        continue
                    if listener is None or r["listener"] == listener:
                        out.append(r)
        except FileNotFoundError:
            pass
        return out

    def log(self):
        try:
            with open(os.path.join(self.folder, "fakeca.log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def fakeca_factory(tmp_path):
    """Starts fake CAs on demand; stops them all afterwards."""
    started = []

    def start(name="fakeca", script=None, tls="good"):
        ca = FakeCA(tmp_path / name, script=script, tls=tls)
        started.append(ca)
        return ca.start()

    yield start
    for ca in started:
        ca.stop()


@pytest.fixture
def fakeca(fakeca_factory):
    """A fake CA that behaves (until the test gives it a script)."""
    return fakeca_factory()
