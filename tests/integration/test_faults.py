"""Fault injection against Pebble (issue 9): the CA killed and restarted in
the middle of an order, most nonces rejected, a certificates folder that
turns read-only or fills up during a write, hooks that hang, flood or close
their stdin, and acmed itself killed with SIGKILL at random moments during
50 issuances.  Nothing may be lost (the previous files stay, the account
stays the same), nothing may be left half-written, and every error must say
what failed.

Test knobs used (see src/daemon/runtime.h and scheduler.h):
ACMED_SCHED_BACKOFF_S shortens the first wait after a failed renewal.
"""
import glob
import os
import random
import re
import signal
import stat
import subprocess
import sys
import time

import pytest

from acmed import Acmed, toml_str
from certs import pubkey, verify_chain
from conftest import program
from pebble import wait_until
from test_acme_support import (AccountFile, SANITIZER_MARKERS,
                               account_file_name, sanitized)

ALWAYS_VALID = {"PEBBLE_VA_ALWAYS_VALID": "1"}
SLOW = 3.0 if sanitized() else 1.0


def script(folder, name, body):
    """A Python hook script written for the test."""
    path = os.path.join(str(folder), name)
    with open(path, "w") as f:
        f.write(f"#!{sys.executable}\n" + body)
    os.chmod(path, 0o755)
    return path


def config(a, certs, hooks, extra_global=""):
    """A configuration: the account, no challenge hook of Pebble's (it
    validates everything), the given hooks and certificates."""
    return f"""
[global]
accounts_directory = {toml_str(a.accounts)}
certificates_directory = {toml_str(a.certs)}
{extra_global}

[[endpoint]]
name = "pebble"
url = {toml_str(a.pebble.directory)}
tos_agreed = true

[[account]]
name = "test"
contacts = [{{ mailto = "admin@example.org" }}]

[[hook]]
name = "true"
type = ["challenge-http-01-clean"]
cmd = "/bin/true"
{hooks}
""" + "".join(certs)


def cert(ident, hooks=("true",), extra="", more_idents=()):
    ids = ", ".join(f'{{ dns = "{i}", challenge = "http-01" }}'
                    for i in (ident,) + tuple(more_idents))
    hs = ", ".join(f'"{h}"' for h in hooks)
    return f"""
[[certificate]]
account = "test"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = [{hs}]
identifiers = [{ids}]
{extra}
"""


def name_of(ident):
    return f"{ident}_ecdsa-p256"


def error_lines(text):
    return [l for l in text.splitlines() if " ERROR " in l]


def no_sanitizer_report(text):
    for marker in SANITIZER_MARKERS:
        assert marker not in text, text[-6000:]


def key_matches(crt_path, key_path):
    with open(crt_path) as f:
        crt = f.read()
    with open(key_path) as f:
        key = f.read()
    return pubkey(crt) == pubkey(key, is_key=True)


def snapshot(folder):
    """Every file of a folder (temporary ones included) and its bytes."""
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = f.read()
    return out


@pytest.fixture
def client(pebble_factory, tmp_path):
    p = pebble_factory(env=ALWAYS_VALID)
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder, exist_ok=True)
    yield a
    a.stop()


# -- the CA restarted in the middle of an order -----------------------------

def test_pebble_restarted_during_an_order(client, tmp_path, monkeypatch):
    """The order fails (Pebble forgot it), the daemon backs off, tries
    again, finds its account unknown, registers it once more with the same
    key, and issues.  One account file, one key, before and after."""
    a = client
    marker = os.path.join(a.folder, "in-hook")
    go = os.path.join(a.folder, "go")
    gate = script(a.folder, "gate.py", f"""
import os, sys, time
open({marker!r}, "a").close()
deadline = time.monotonic() + 60
while not os.path.exists({go!r}) and time.monotonic() < deadline:
    time.sleep(0.05)
""")
    hooks = f"""
[[hook]]
name = "gate"
type = ["challenge-http-01"]
cmd = {toml_str(gate)}
"""
    a.write(config(a, [cert("example.org", ("gate", "true"))], hooks))
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "2")
    a.start("--log-level", "debug")
    wait_until(lambda: os.path.exists(marker), 30, "the challenge hook")
    before = AccountFile.read(a.accounts)
    a.pebble.restart_pebble()          # loses every account and order
    open(go, "w").close()
    a.wait_log("certificate renewed", timeout=60)
    log = a.log()
    assert a.stop() == 0
    no_sanitizer_report(log)

    # The failure was reported, with a backoff before the next attempt.
    errors = error_lines(log)
    assert len(errors) == 1, errors
    assert "example.org" in errors[0] and a.pebble.directory.rsplit(
        "/", 1)[0] in errors[0], errors[0]
    m = re.search(r"next attempt in (\d+) s", log)
    assert m and 1 <= int(m[1]) <= 3, log[-3000:]
    # Registered twice on the endpoint (the second Pebble forgot the
    # first), with one account file and the same key.
    assert log.count("account created on endpoint") == 2, log[-3000:]
    assert os.listdir(a.accounts) == [account_file_name("test")]
    after = AccountFile.read(a.accounts)
    assert after.current.der == before.current.der
    assert after.past == []
    assert after.endpoint("pebble").account_url
    # The certificate is the new Pebble's, and matches its key.
    crt = a.path(name_of("example.org") + ".crt.pem")
    key = a.path(name_of("example.org") + ".pk.pem")
    assert key_matches(crt, key)
    verify_chain(a.read(name_of("example.org") + ".crt.pem"), a.pebble)


# -- most nonces rejected ----------------------------------------------------

def test_ninety_percent_of_nonces_rejected(pebble_factory, tmp_path):
    p = pebble_factory(env=dict(ALWAYS_VALID, PEBBLE_WFE_NONCEREJECT="90"))
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder, exist_ok=True)
    idents = [f"n{i}.example.org" for i in range(5)]
    a.write(config(a, [cert(i) for i in idents], ""))
    t0 = time.monotonic()
    r = a.once(timeout=240, check=False)
    seconds = time.monotonic() - t0
    no_sanitizer_report(r.stderr)
    assert r.returncode == 0, error_lines(r.stderr)
    for i in idents:
        assert key_matches(a.path(name_of(i) + ".crt.pem"),
                           a.path(name_of(i) + ".pk.pem"))
    assert "badNonce" in r.stderr          # it did happen, and was retried
    assert seconds < 60 * SLOW


# -- a certificates folder that becomes read-only or full ---------------------

@pytest.fixture
def tmpfs(tmp_path):
    """Mounts small tmpfs file systems (root only); unmounts them after."""
    mounted = []

    def mount(path, size="256k"):
        os.makedirs(path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            f"size={size},mode=0755", "tmpfs", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")
        mounted.append(path)
        return path

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", path], capture_output=True)
        if os.path.ismount(path):
            subprocess.run(["umount", "-l", path], capture_output=True)


def issue_then_break(client, tmpfs, break_it):
    """Issues example.org into a tmpfs certificates folder, breaks the
    folder, asks for a renewal (a new identifier makes it due).  Returns
    (stderr of the failed run, files before, key path, cert path)."""
    a = client
    tmpfs(a.certs)
    a.write(config(a, [cert("example.org")], ""))
    a.once()
    before = snapshot(a.certs)
    key = a.path(name_of("example.org") + ".pk.pem")
    crt = a.path(name_of("example.org") + ".crt.pem")
    assert key_matches(crt, key)
    break_it(a.certs)
    a.write(config(a, [cert("example.org",
                            more_idents=("www.example.org",))], ""))
    r = a.once(check=False)
    no_sanitizer_report(r.stderr)
    assert r.returncode == 1, r.stderr[-3000:]
    return r.stderr, before, key, crt


def test_certificates_folder_read_only(client, tmpfs):
    def read_only(path):
        subprocess.run(["mount", "-o", "remount,ro", path], check=True)

    err, before, key, crt = issue_then_break(client, tmpfs, read_only)
    line = error_lines(err)[-1]
    # Found before anything is ordered: no certificate issued for nothing.
    assert f"before ordering: folder {client.certs}: cannot write there: " \
        "Read-only file system" in line, line
    assert snapshot(client.certs) == before
    # Writable again: the next run renews.
    subprocess.run(["mount", "-o", "remount,rw", client.certs], check=True)
    client.once()
    assert snapshot(client.certs) != before
    assert key_matches(crt, key)


def fill(path, leave_pages=0):
    """Fills a file system; then frees leave_pages pages of 4 KiB."""
    spare = os.path.join(path, ".spare")
    if leave_pages:
        with open(spare, "wb") as f:
            f.write(b"\0" * 4096 * leave_pages)
    fd = os.open(os.path.join(path, ".filler"), os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096) == 4096:
            pass
    except OSError:
        pass
    os.close(fd)
    if leave_pages:
        os.unlink(spare)


def test_certificates_folder_full(client, tmpfs):
    """No room for the new key: its temporary file fails, nothing moves."""
    err, before, key, crt = issue_then_break(client, tmpfs, fill)
    line = error_lines(err)[-1]
    assert f"{key}: write: No space left on device" in line or \
        f"{key}: cannot create a temporary file: No space left" in line, line
    after = snapshot(client.certs)
    after.pop(".filler")
    assert after == before
    assert key_matches(crt, key)


def test_certificates_folder_full_between_key_and_certificate(client, tmpfs):
    """Room for the order's file (written before finalization) and the
    new key but not for the certificate: the key written aside is
    discarded, the old pair stays, the error names the certificate file.
    The order is kept beside them, and the next run, with room, downloads
    the certificate the CA issued instead of ordering another."""
    err, before, key, crt = issue_then_break(
        client, tmpfs, lambda p: fill(p, leave_pages=2))
    line = error_lines(err)[-1]
    assert f"{crt}: write: No space left on device" in line, line
    after = snapshot(client.certs)
    after.pop(".filler")
    kept = "." + os.path.basename(key) + ".order"
    assert kept in after, sorted(after)
    assert stat.S_IMODE(os.stat(client.path(kept)).st_mode) == 0o600
    after.pop(kept)
    assert after == before            # no temporary file left either
    assert key_matches(crt, key)
    os.unlink(os.path.join(client.certs, ".filler"))
    r = client.once()
    assert "reading order" in r.stderr, r.stderr[-3000:]
    assert not os.path.exists(client.path(kept))
    assert key_matches(crt, key)


# -- hooks that hang, flood, or close their stdin ----------------------------

def hook_run(client, tmp_path, body, hook_extra=""):
    a = client
    path = script(a.folder, "hook.py", body)
    hooks = f"""
[[hook]]
name = "odd"
type = ["challenge-http-01"]
cmd = {toml_str(path)}
{hook_extra}
"""
    a.write(config(a, [cert("example.org", ("odd", "true"))], hooks))
    t0 = time.monotonic()
    r = a.once(check=False)
    r.seconds = time.monotonic() - t0
    no_sanitizer_report(r.stderr)
    return r


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (its parent may be gone and init slow).
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_hook_that_never_exits(client, tmp_path):
    """Killed at its timeout (SIGTERM, ignored, then SIGKILL), with what it
    started; the renewal fails saying so."""
    pids = os.path.join(client.folder, "pids")
    r = hook_run(client, tmp_path, f"""
import os, signal, subprocess, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen(["sleep", "1000"])
with open({pids!r}, "w") as f:
    f.write(f"{{os.getpid()}} {{child.pid}}")
while True:
    time.sleep(1)
""", 'timeout = "1s"')
    assert r.returncode == 1, r.stderr[-3000:]
    line = error_lines(r.stderr)[-1]
    assert 'hook "odd" (challenge-http-01): unrecoverable failure: ' \
        'timed out after 1000 ms' in line, line
    # 1 s of timeout, 2 s of grace after SIGTERM, the rest of the run.
    assert r.seconds < 3 + 5 * SLOW
    with open(pids) as f:
        for pid in map(int, f.read().split()):
            wait_until(lambda: not alive(pid), 5, f"end of {pid}")
    assert os.listdir(client.certs) == []


def test_hook_that_floods_stdout(client, tmp_path):
    r = hook_run(client, tmp_path, """
import sys
chunk = b"flood " * 10000 + b"\\n"
for _ in range(1000):
    sys.stdout.buffer.write(chunk)
""")
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.seconds < 10 * SLOW
    # What reached the log is capped.
    assert r.stderr.count("flood") < 10000
    assert key_matches(client.path(name_of("example.org") + ".crt.pem"),
                       client.path(name_of("example.org") + ".pk.pem"))


def test_hook_that_closes_stdin_early(client, tmp_path):
    big = "x" * (512 * 1024)
    r = hook_run(client, tmp_path, """
import os
os.close(0)
""", f'stdin_str = "{big}"')
    assert r.returncode == 0, r.stderr[-3000:]
    assert key_matches(client.path(name_of("example.org") + ".crt.pem"),
                       client.path(name_of("example.org") + ".pk.pem"))


# -- SIGKILL at random moments during 50 issuances ---------------------------

def test_sigkill_during_fifty_issuances(pebble_factory, tmp_path):
    """acmed is killed with SIGKILL at random moments (seeded) and started
    again until every certificate exists.  At every stop, no key file (nor
    temporary file) is wider than configured, and every key that sits
    beside its certificate matches it."""
    p = pebble_factory(env=ALWAYS_VALID)
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder, exist_ok=True)
    idents = [f"k{i:02d}.example.org" for i in range(50)]
    a.write(config(a, [cert(i) for i in idents], "",
                   extra_global="pk_file_mode = 0o600\n"
                   "cert_file_mode = 0o644"))
    rng = random.Random(9)
    log_path = os.path.join(a.folder, "acmed.log")
    kills = 0
    deadline = time.monotonic() + 90 * SLOW

    mismatches = []

    def check_files():
        for path in glob.glob(os.path.join(a.certs, "*")) + \
                glob.glob(os.path.join(a.certs, ".*")):
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            if ".pk." in path:
                assert mode & ~0o600 == 0, f"{path}: mode {mode:o}"
            else:
                assert mode & ~0o644 == 0, f"{path}: mode {mode:o}"
        for i in idents:
            crt = a.path(name_of(i) + ".crt.pem")
            key = a.path(name_of(i) + ".pk.pem")
            if os.path.exists(crt) and not key_matches(crt, key):
                mismatches.append((kills, i))

    def done():
        return all(os.path.exists(a.path(name_of(i) + ".crt.pem"))
                   for i in idents)

    while not done():
        assert time.monotonic() < deadline, f"{kills} kills, not done"
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                [program("acmed"), "-c", a.config, "-f", "--no-pid-file",
                 "--log-stderr", "--log-level", "info", "--root-cert",
                 p.tls_cert], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        try:
            # The first runs die young, in the middle of things; later
            # ones may live long enough to finish.
            limit = time.monotonic() + (rng.uniform(0.02, 0.4) if
                                        kills < 8 else rng.uniform(0.2, 2.0))
            while time.monotonic() < limit and not done() and \
                    proc.poll() is None:
                time.sleep(0.01)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
        assert proc.returncode == -signal.SIGKILL or done(), \
            f"acmed exited {proc.returncode}"
        check_files()

    # The last run finishes what was begun, and stops cleanly.
    with open(log_path) as f:
        no_sanitizer_report(f.read())
    assert kills >= 5, kills
    # Every stop found key and certificate in agreement: they are renamed
    # into place by two rename() calls in a row (a kill between the two
    # would be mended at the next start, the pair being due).
    print(f"{kills} kills")
    assert mismatches == []
    # The temporary files of interrupted writes were removed when their
    # certificates were written at last.
    assert [n for n in os.listdir(a.certs) if n.startswith(".")] == []
    for i in idents:
        crt = a.path(name_of(i) + ".crt.pem")
        key = a.path(name_of(i) + ".pk.pem")
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        assert key_matches(crt, key), i
    # One account, readable.
    assert os.listdir(a.accounts) == [account_file_name("test")]
    AccountFile.read(a.accounts)
    # A run now has nothing to do.
    r = a.once("--log-level", "info")
    assert "renewal due now" not in r.stderr
