"""Run build/acmed against a test Pebble: write a configuration in a test
folder, run `acmed --once` (or the daemon), read what it wrote."""
import os
import subprocess

from conftest import program
from pebble import stop_process, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
CHALLTEST_HOOK = os.path.join(HERE, "hooks", "challtestsrv.py")
RECORD_HOOK = os.path.join(HERE, "hooks", "record.py")
GATE_HOOK = os.path.join(HERE, "hooks", "gate.py")
FAIL_AFTER_HOOK = os.path.join(HERE, "hooks", "fail_after.py")


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def challtest_hooks(pebble):
    """Hooks and a group that publish proofs through challtestsrv."""
    url = pebble.chall_mgmt
    return f"""
[[hook]]
name = "http-add"
type = ["challenge-http-01"]
cmd = {toml_str(CHALLTEST_HOOK)}
args = [{toml_str(url)}, "add-http01", "{{{{ file_name }}}}", "{{{{ proof }}}}"]

[[hook]]
name = "http-del"
type = ["challenge-http-01-clean"]
cmd = {toml_str(CHALLTEST_HOOK)}
args = [{toml_str(url)}, "del-http01", "{{{{ file_name }}}}"]

[[hook]]
name = "dns-add"
type = ["challenge-dns-01"]
cmd = {toml_str(CHALLTEST_HOOK)}
args = [{toml_str(url)}, "set-txt", "{{{{ identifier }}}}", "{{{{ proof }}}}"]

[[hook]]
name = "dns-del"
type = ["challenge-dns-01-clean"]
cmd = {toml_str(CHALLTEST_HOOK)}
args = [{toml_str(url)}, "clear-txt", "{{{{ identifier }}}}"]

[[group]]
name = "challtestsrv"
hooks = ["http-add", "http-del", "dns-add", "dns-del"]
"""


class Acmed:
    """One test's acmed: its folder, configuration and runs."""

    def __init__(self, folder, pebble):
        self.folder = str(folder)
        self.pebble = pebble
        self.certs = os.path.join(self.folder, "certs")
        self.accounts = os.path.join(self.folder, "accounts")
        self.config = os.path.join(self.folder, "acmed.toml")
        self.proc = None

    def base_config(self, extra_global=""):
        return f"""
[global]
accounts_directory = {toml_str(self.accounts)}
certificates_directory = {toml_str(self.certs)}
{extra_global}

[[endpoint]]
name = "pebble"
url = {toml_str(self.pebble.directory)}
tos_agreed = true

[[account]]
name = "test"
contacts = [{{ mailto = "admin@example.org" }}]
""" + challtest_hooks(self.pebble)

    def write(self, text):
        with open(self.config, "w") as f:
            f.write(text)

    def argv(self, *extra):
        return [program("acmed"), "-c", self.config, "--log-stderr",
                "--log-level", "debug", "--root-cert", self.pebble.tls_cert,
                *extra]

    def once(self, *extra, timeout=120, check=True):
        r = subprocess.run(self.argv("--once", "--no-pid-file", *extra),
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"acmed failed ({r.returncode}):\n"
                                 f"{r.stderr[-6000:]}")
        return r

    def start(self, *extra, env=None):
        """The daemon in the foreground, logging to a file."""
        self.log_path = os.path.join(self.folder, "acmed.log")
        self.pid_file = os.path.join(self.folder, "acmed.pid")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.argv("-f", "--pid-file", self.pid_file, *extra),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env)
        log.close()
        wait_until(lambda: os.path.exists(self.pid_file), 60, "acmed")
        return self.proc

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_log(self, text, timeout=60):
        def seen():
            if self.proc.poll() is not None:
                raise AssertionError("acmed exited:\n" + self.log()[-4000:])
            return text in self.log()
        wait_until(seen, timeout, f"log line {text!r}")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        stop_process(self.proc, 30)
        return self.proc.returncode if self.proc else None

    def path(self, name):
        return os.path.join(self.certs, name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()
