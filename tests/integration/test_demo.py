"""scripts/demo.sh, the README's first command, run to completion (twice
in a row, as a user might), and stopped half-way by SIGTERM: it reports a
certificate from Pebble, and leaves no process behind.

The script builds ACMED_BUILD (the suite's build folder) rather than
build/, and makes its temporary folder under TMPDIR (the test's).  Every
run gets a session of its own: whatever is left in that session when the
script has exited was left by it.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import conftest
from pebble import wait_until

DEMO = os.path.join(conftest.ROOT, "scripts", "demo.sh")
TIMEOUT = 300  # seconds; the build is normally up to date


def session_processes(sid):
    """Live processes of session sid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[3]) == sid:
            found.append(int(entry))
    return found


def mentioning(text):
    """Live processes whose command line mentions text."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def kill_all(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def demo(tmp_path):
    """Starts scripts/demo.sh runs; after each, nothing of its session or
    naming the test's folder may remain (what does is killed and the test
    fails)."""
    if shutil.which("pebble") is None or shutil.which("nginx") is None and \
            not os.path.exists("/usr/sbin/nginx"):
        pytest.skip("pebble or nginx is not installed")
    conftest.program("acmed")
    env = dict(os.environ, ACMED_BUILD=conftest.build_dir(),
               TMPDIR=str(tmp_path))
    procs = []

    def start():
        out = tmp_path / f"demo{len(procs)}.out"
        with open(out, "wb") as f:
            p = subprocess.Popen(["bash", DEMO], stdin=subprocess.DEVNULL,
                                 stdout=f, stderr=subprocess.STDOUT,
                                 env=env, cwd=str(tmp_path),
                                 start_new_session=True)
        p.out = out
        p.output = lambda: out.read_text(errors="replace")
        procs.append(p)
        return p

    yield start
    left = []
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
        left += session_processes(p.pid)
    left += mentioning(str(tmp_path))
    kill_all(set(left))
    assert not left, f"processes left by the demo: {sorted(set(left))}"


def finish(p):
    try:
        p.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError("demo.sh still running:\n" + p.output())
    return p.output()


def test_demo_twice(demo, tmp_path):
    folders = []
    for _ in range(2):
        t0 = time.monotonic()
        p = demo()
        out = finish(p)
        elapsed = time.monotonic() - t0
        assert p.returncode == 0, out
        assert session_processes(p.pid) == [], out
        m = re.search(r"^  certificate +(\S+\.crt\.pem)$", out, re.M)
        assert m, out
        crt = m.group(1)
        assert crt.startswith(str(tmp_path)) and os.path.isfile(crt), out
        assert re.search(r"^  issuer +CN=Pebble Intermediate CA \w+$", out,
                         re.M), out
        assert re.search(r"^  names +DNS:example\.org, DNS:www\.example\.org$",
                         out, re.M), out
        assert re.search(r"^  verified +OK", out, re.M), out
        assert "the hooks removed them" in out, out
        assert "stopped acmed, nginx, Pebble and pebble-challtestsrv" in out
        # openssl agrees with what the demo printed.
        r = subprocess.run(["openssl", "x509", "-in", crt, "-noout",
                            "-issuer"], capture_output=True, text=True,
                           check=True)
        assert "Pebble Intermediate CA" in r.stdout
        assert elapsed < 60, f"{elapsed:.1f} s\n{out}"
        folders.append(os.path.dirname(os.path.dirname(crt)))
    assert folders[0] != folders[1]


@pytest.mark.parametrize("when", ["starting Pebble", "starting nginx",
                                  "running "])
def test_demo_stopped_by_sigterm(demo, when):
    """SIGTERM as soon as the demo prints `when`: everything started so
    far is stopped (the last one may race the certificate: either way,
    nothing is left)."""
    p = demo()
    wait_until(lambda: p.poll() is not None or when in p.output(),
               TIMEOUT, f"the demo's {when!r}")
    # demo.sh exec's demo.py: the signal goes to the one that cleans up.
    p.send_signal(signal.SIGTERM)
    out = finish(p)
    if p.returncode != 0:
        assert p.returncode == 128 + signal.SIGTERM, out
        assert "interrupted by signal 15" in out, out
    wait_until(lambda: session_processes(p.pid) == [], 10,
               "the demo's processes exit")
