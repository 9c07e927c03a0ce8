"""A new account key is written to the account file before the CA hears of
it (newAccount): when that write fails, nothing is sent, and the error
names the file.  Saved only after the CA's 201, a key that could not be
written was lost while the CA kept the account: one orphan account at
every `acmed --once` (Let's Encrypt limits new accounts per address), and a
single-use external account binding used up by the first run.  A process
killed between the two writes finds the key at the next run and registers
it again: the CA answers with the account the key already has (RFC 8555
7.3.1).

newAccount requests are counted in Pebble's log, which names every request
it handles ("POST /sign-me-up -> calling handler()")."""
import os
import resource
import signal
import subprocess

import pytest

from acmed import Acmed, toml_str
from test_acme_support import (SANITIZER_MARKERS, AccountFile, Acme,
                               account_file_name, contacts_hash, key_hash,
                               load_der)
from test_faults import script

# No badNonce (5 % by default): each newAccount is sent once.
PEBBLE_ENV = {"PEBBLE_VA_ALWAYS_VALID": "1", "PEBBLE_WFE_NONCEREJECT": "0"}
NEW_ACCOUNT = "POST /sign-me-up -> calling handler()"


def new_accounts(pebble):
    """newAccount requests Pebble has handled so far (ours included)."""
    with open(os.path.join(pebble.folder, "pebble.log")) as f:
        return f.read().count(NEW_ACCOUNT)


def config(a, account_hooks=""):
    """One account (with the given file hooks), one certificate."""
    hooks = ""
    if account_hooks:
        hooks = f"hooks = [{toml_str(account_hooks[0])}]\n"
    text = a.base_config().replace(
        'name = "test"\n', 'name = "test"\n' + hooks, 1)
    if account_hooks:
        text += account_hooks[1]
    return text + """
[[certificate]]
account = "test"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = ["challtestsrv"]
identifiers = [{ dns = "example.org", challenge = "http-01" }]
"""


def hook(name, event, cmd, args=()):
    return name, f"""
[[hook]]
name = "{name}"
type = ["{event}"]
cmd = {toml_str(cmd)}
args = [{", ".join(toml_str(x) for x in args)}]
"""


def run_once(a, preexec_fn=None):
    r = subprocess.run(a.argv("--once", "--no-pid-file"),
                       capture_output=True, text=True, timeout=120,
                       preexec_fn=preexec_fn, restore_signals=False)
    for marker in SANITIZER_MARKERS:
        assert marker not in r.stderr, r.stderr[-6000:]
    return r


def small_files():
    """In the child: no file may grow beyond 64 bytes (an account file
    takes some 200), and a write past that fails with EFBIG instead of
    killing: a full disk, for a process that is not root's to fill one."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


@pytest.fixture
def a(pebble_factory, tmp_path):
    p = pebble_factory(env=PEBBLE_ENV)
    acmed = Acmed(tmp_path / "acmed", p)
    os.makedirs(acmed.folder, exist_ok=True)
    return acmed


@pytest.mark.parametrize("fault", ["file-pre-create hook", "file too large"])
def test_no_new_account_when_the_key_cannot_be_saved(a, fault):
    """Twice, as cron would run it: each run fails before newAccount, with
    an error naming the account file, and the CA never hears of a key."""
    path = os.path.join(a.accounts, account_file_name("test"))
    preexec = None
    if fault == "file-pre-create hook":
        a.write(config(a, hook("refuse", "file-pre-create", "/bin/false")))
        cause = 'hook "refuse" (file-pre-create): unrecoverable failure'
    else:
        a.write(config(a))
        preexec = small_files
        cause = "File too large"
    for _ in range(2):
        r = run_once(a, preexec)
        assert r.returncode != 0, r.stderr[-3000:]
        assert new_accounts(a.pebble) == 0
        assert "account created" not in r.stderr
        errors = [l for l in r.stderr.splitlines() if " ERROR " in l]
        assert any(path in l and cause in l and
                   "not sent to the CA" in l for l in errors), \
            r.stderr[-3000:]
    assert os.listdir(a.accounts) == []   # no temporary file left either

    # The fault gone, the next run registers and issues.
    a.write(config(a))
    r = run_once(a)
    assert r.returncode == 0, r.stderr[-3000:]
    assert new_accounts(a.pebble) == 1


def test_normal_registration_file_as_before(a):
    """The file written before newAccount holds the key and no
    registration; the one written after holds the registration, in the
    same layout as before, 0600; one newAccount, one account."""
    out = os.path.join(a.folder, "seen")
    peek = script(a.folder, "peek.py", f"""
import shutil, sys
shutil.copyfile(sys.argv[1], {out!r} + "." + sys.argv[2])
""")
    path = os.path.join(a.accounts, account_file_name("test"))
    a.write(config(a, hook("peek", "file-post-create", peek,
                           ["{{ file_path }}", "create"])))
    r = run_once(a)
    assert r.returncode == 0, r.stderr[-3000:]
    assert new_accounts(a.pebble) == 1
    assert r.stderr.count('account created on endpoint "pebble"') == 1
    saved = r.stderr.index(f'account "test": new account key saved in '
                           f'{path}')
    assert saved < r.stderr.index("account created on endpoint")

    # Before newAccount: the key, no account URL for the endpoint.
    with open(out + ".create", "rb") as f:
        raw = f.read()
    first, used = AccountFile.decode(raw)
    assert used == len(raw) and first.encode() == raw
    assert first.name == "test" and first.past == [] and first.eab is None
    assert all(e.account_url == "" and e.key_hash == b""
               for e in first.endpoints)

    # After: the same key, registered, as the CA knows it.
    with open(path, "rb") as f:
        raw = f.read()
    f, used = AccountFile.decode(raw)
    assert used == len(raw) and f.encode() == raw
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert f.current == first.current and f.past == []
    assert f.contacts == [("mailto", "admin@example.org")]
    assert [e.name for e in f.endpoints] == ["pebble"]
    rec = f.endpoint("pebble")
    key = load_der(f.current.der)
    assert rec.account_url == Acme(a.pebble).find_account(key)
    assert rec.orders_url
    assert rec.key_hash == key_hash(key)
    assert rec.contacts_hash == contacts_hash(["mailto:admin@example.org"])
    assert rec.eab_hash == b""

    # Nothing changed: the next run leaves the file alone.
    before = os.stat(path).st_mtime_ns, raw
    r = run_once(a, None)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "account created" not in r.stderr
    with open(path, "rb") as g:
        assert (os.stat(path).st_mtime_ns, g.read()) == before


def test_killed_between_the_two_writes(a):
    """acmed killed after the CA's 201, before the registration is
    written: the next run finds the key and registers it again, and the
    CA gives back the account it made (the same URL, no second one)."""
    kill = script(a.folder, "kill.py", """
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
""")
    a.write(config(a, hook("kill", "file-pre-edit", kill)))
    r = run_once(a)
    assert r.returncode == -signal.SIGKILL, r.stderr[-3000:]
    assert new_accounts(a.pebble) == 1
    f = AccountFile.read(a.accounts)
    key = load_der(f.current.der)
    assert all(e.account_url == "" for e in f.endpoints)
    url = Acme(a.pebble).find_account(key)        # the CA has it
    assert url

    a.write(config(a))
    r = run_once(a)
    assert r.returncode == 0, r.stderr[-3000:]
    g = AccountFile.read(a.accounts)
    assert g.current == f.current and g.past == []
    assert g.endpoint("pebble").account_url == url
    assert g.endpoint("pebble").key_hash == key_hash(key)
    assert os.listdir(a.accounts) == [account_file_name("test")]


def test_rollover_key_saved_before_key_change(a):
    """A reload that changes the key type makes the new key when it
    reads the configuration, and saves it when it takes over; that save
    failing (here a file-pre-edit hook), the daemon goes on with the key
    in memory.  The rollover then must not be sent: the CA would take the
    new key, the file could not record it, and the account would be lost
    (the CA refuses the old key from then on)."""
    def rollovers():
        with open(os.path.join(a.pebble.folder, "pebble.log")) as f:
            return f.read().count("POST /rollover-account-key ->")

    a.write(config(a))
    a.start()
    a.wait_log("certificate renewed")
    before = AccountFile.read(a.accounts)
    old_key = load_der(before.current.der)
    url = before.endpoint("pebble").account_url
    path = os.path.join(a.accounts, account_file_name("test"))

    p384 = config(a, hook("refuse", "file-pre-edit", "/bin/false")).replace(
        'name = "test"\n', 'name = "test"\nkey_type = "ecdsa_p384"\n', 1)
    a.write(p384 + """
[[certificate]]
account = "test"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = ["challtestsrv"]
identifiers = [{ dns = "second.example.org", challenge = "http-01" }]
""")
    a.signal(signal.SIGHUP)
    a.wait_log("kept as it was read before")
    a.wait_log('key rollover on endpoint "pebble"')
    log = a.log()
    assert a.stop() == 0
    for marker in SANITIZER_MARKERS:
        assert marker not in log, log[-6000:]
    assert rollovers() == 0
    assert "account key updated" not in log
    err = [l for l in log.splitlines()
           if " ERROR " in l and "not sent to the CA" in l]
    assert err and path in err[0] and "key rollover" in err[0], err
    # The CA still takes the key the file holds.
    assert Acme(a.pebble).find_account(old_key) == url
    assert AccountFile.read(a.accounts) == before
