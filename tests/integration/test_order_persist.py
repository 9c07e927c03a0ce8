"""A kept order (its CSR taken, its certificate not come: see
test_order_resume.py) survives the process: it is written next to the key
file, ".<key file name>.order", and the next process (`acmed --once`
from cron, a restart) reads it again instead of ordering anew, which
would have the CA issue a second certificate.  Against fakeca, with the
poll deadline shortened by its test knob.
"""
import json
import os
import re
import signal
import stat
import subprocess
import time

import pytest

from acmed import Acmed
from fakeca_fixture import fakeca_factory  # noqa: F401 (fixture)
from pebble import wait_until
from test_control import NOBODY, ctl, daemon_with_socket, status
from test_hostile_ca import CERT_NAME, Client
from test_order_resume import count, wait_issued

# The order is "processing" at every read after the first (ready) one:
# the attempt's poll ends at its deadline with the order kept.
STILL_PROCESSING = [{"endpoint": "order", "from": 2,
                     "set": {"status": "processing"}}]
STATE = "." + CERT_NAME + ".pk.pem.order"


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    monkeypatch.setenv("ACMED_POLL_DEADLINE_MS", "1000")
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")


def start_ca(fakeca_factory, tmp_path, script=STILL_PROCESSING):
    ca = fakeca_factory(script=script)
    client = Client(tmp_path / "acmed", ca)
    a = Acmed(client.folder, ca)
    a.config = client.config
    return ca, a


def kept_once(ca, a):
    """One `acmed --once` that keeps its order: the order's URL."""
    r = a.once(check=False)
    assert r.returncode != 0, r.stderr[-4000:]
    m = re.search(r"order (\S+) kept for the next attempt", r.stderr)
    assert m, r.stderr[-4000:]
    assert os.path.exists(a.path(STATE))
    ca.set_script([])
    return m[1]


def test_once_reads_the_order_a_run_before_kept(fakeca_factory, tmp_path):
    ca, a = start_ca(fakeca_factory, tmp_path)
    url = kept_once(ca, a)
    st = os.lstat(a.path(STATE))
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    with open(a.path(STATE), "rb") as f:
        text = f.read()
    # Its first line says what it is; the key follows, in PEM.
    assert text.startswith(b'{"version":1,') and url.encode() in text
    assert b"\n-----BEGIN PRIVATE KEY-----\n" in text
    # Not a file the folder's hooks and tools take for a certificate.
    assert not os.path.exists(a.path(CERT_NAME + ".crt.pem"))

    # --check-config leaves it alone.
    before = (st.st_mtime_ns, st.st_ino, text)
    r = subprocess.run(a.argv("--check-config"), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    st = os.lstat(a.path(STATE))
    with open(a.path(STATE), "rb") as f:
        assert (st.st_mtime_ns, st.st_ino, f.read()) == before

    r = a.once()
    assert f"reading order {url} again" in r.stderr, r.stderr[-4000:]
    wait_issued(a)
    assert count(ca, r"/new-order") == 1
    assert count(ca, r"/order/\d+/finalize") == 1
    # Used up: gone.
    assert not os.path.exists(a.path(STATE))
    assert [n for n in os.listdir(a.certs) if n.startswith(".")] == []


def test_a_restarted_daemon_reads_the_kept_order(fakeca_factory, tmp_path):
    ca, a = start_ca(fakeca_factory, tmp_path)
    a.start()
    try:
        a.wait_log("kept for the next attempt", timeout=60)
    finally:
        a.stop()
    url = re.search(r"order (\S+) kept for the next attempt", a.log())[1]
    assert os.path.exists(a.path(STATE))
    ca.set_script([])
    a.start()
    try:
        wait_issued(a)
        assert f"reading order {url} again" in a.log()
        assert count(ca, r"/new-order") == 1
        assert not os.path.exists(a.path(STATE))
    finally:
        a.stop()


def test_a_kept_order_for_other_names_is_removed(fakeca_factory, tmp_path):
    ca, a = start_ca(fakeca_factory, tmp_path)
    kept_once(ca, a)
    with open(a.config) as f:
        text = f.read()
    with open(a.config, "w") as f:
        f.write(text.replace(
            '{ dns = "example.org", challenge = "http-01" }',
            '{ dns = "example.org", challenge = "http-01" }, '
            '{ dns = "www.example.org", challenge = "http-01" }'))
    r = a.once()
    assert re.search(re.escape(a.path(STATE)) + r": the order kept there "
                     r"was made for another configuration \(its identifiers "
                     r"changed\): removed; ordering anew", r.stderr), \
        r.stderr[-4000:]
    assert "reading order" not in r.stderr
    wait_issued(a)
    assert count(ca, r"/new-order") == 2
    assert not os.path.exists(a.path(STATE))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "key"])
def test_a_malformed_kept_order_is_removed(fakeca_factory, tmp_path, damage):
    ca, a = start_ca(fakeca_factory, tmp_path)
    kept_once(ca, a)
    with open(a.path(STATE), "rb") as f:
        text = f.read()
    if damage == "garbage":
        text = b"\x00not json\n"
    elif damage == "truncated":
        text = text[:40]
    else:
        text = text[:text.index(b"\n") + 40]
    with open(a.path(STATE), "wb") as f:
        f.write(text)
    r = a.once()
    assert re.search(re.escape(a.path(STATE)) + r": malformed \(.+\): "
                     r"removed; ordering anew", r.stderr), r.stderr[-4000:]
    assert "PRIVATE KEY" not in r.stderr
    wait_issued(a)
    assert count(ca, r"/new-order") == 2
    assert not os.path.exists(a.path(STATE))


@pytest.mark.parametrize("kind", ["symlink", "mode", "owner"])
def test_a_kept_order_not_ours_is_left_alone(fakeca_factory, tmp_path, kind):
    """A symbolic link is not followed, a file others may read or another
    user owns is not used: each is named and the certificate is ordered
    anew; once that one is stored, the file goes (kept, it could bring
    the old certificate back once made readable)."""
    if kind == "owner" and os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    ca, a = start_ca(fakeca_factory, tmp_path)
    kept_once(ca, a)
    state = a.path(STATE)
    if kind == "symlink":
        os.rename(state, state + ".real")
        os.symlink(os.path.basename(state) + ".real", state)
        why = "a symbolic link"
    elif kind == "mode":
        os.chmod(state, 0o644)
        why = "mode 0644"
    else:
        os.chown(state, NOBODY, -1)
        why = f"belongs to user {NOBODY}"
    r = a.once()
    assert re.search(re.escape(state) + r": .*" + why + r".*: the order "
                     r"kept there is not read; ordering anew", r.stderr), \
        r.stderr[-4000:]
    wait_issued(a)
    assert count(ca, r"/new-order") == 2
    assert not os.path.lexists(state)
    if kind == "symlink":      # the link goes, not what it points to
        assert os.path.exists(state + ".real")


def test_a_kept_order_given_up_is_removed(fakeca_factory, tmp_path):
    """The CA no longer knows the order: given up, and its file too."""
    ca, a = start_ca(fakeca_factory, tmp_path)
    url = kept_once(ca, a)
    ca.set_script([{"path": url[len(ca.base):], "status": 404,
                    "json": {"type": "urn:ietf:params:acme:error:malformed",
                             "detail": "no such order"}}])
    r = a.once()
    assert "no such order: ordering anew" in r.stderr, r.stderr[-4000:]
    wait_issued(a)
    assert count(ca, r"/new-order") == 2
    assert not os.path.exists(a.path(STATE))


def test_a_reload_that_gives_up_the_order_removes_it(fakeca_factory,
                                                     tmp_path):
    """In memory and on disk: an order that does not carry over a reload
    is gone from both."""
    ca, a = start_ca(fakeca_factory, tmp_path, [
        {"endpoint": "order", "from": 2, "set": {"status": "processing"},
         "headers": {"Retry-After": "30"}}])
    a.start()
    try:
        a.wait_log("kept for the next attempt", timeout=60)
        assert os.path.exists(a.path(STATE))
        with open(a.config) as f:
            text = f.read()
        with open(a.config, "w") as f:
            f.write(text.replace("[global]\n",
                                 '[global]\npk_file_ext = "key"\n', 1))
        a.signal(signal.SIGHUP)
        a.wait_log("configuration reloaded", timeout=30)
        assert not os.path.exists(a.path(STATE))
    finally:
        a.stop()


def test_a_revocation_removes_the_kept_order(fakeca_factory, tmp_path):
    """The kept order may be for the key revoked: given up before the
    revocation, on disk too, so the renewal after it orders anew."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        ca.set_script([{"endpoint": "order", "from": 2,
                        "set": {"status": "processing"},
                        "headers": {"Retry-After": "30"}}])
        r = ctl(sock, "renew", CERT_NAME)
        assert r.returncode == 0, r.stderr
        a.wait_log("kept for the next attempt", timeout=60)
        assert os.path.exists(a.path(STATE))
        ca.set_script([])
        wait_until(lambda: status(sock)[0]["state"] != "renewing", 30,
                   "the renewal's end")
        r = ctl(sock, "revoke", CERT_NAME)
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(a.path(STATE))
        a.wait_log("certificate renewed")
        assert "reading order" not in a.log()
        assert count(ca, r"/new-order") == 3
        assert not os.path.exists(a.path(STATE))
    finally:
        a.stop()


def test_a_kept_order_makes_its_certificate_due(fakeca_factory, tmp_path):
    """A certificate on disk that is not due (here: the files of before
    the order, put back) is renewed at once all the same: the kept order's
    certificate may be issued already."""
    ca, a = start_ca(fakeca_factory, tmp_path, [])
    a.once()
    files = [a.path(CERT_NAME + ext) for ext in (".crt.pem", ".pk.pem")]
    for f in files:
        os.rename(f, f + ".bak")
    ca.set_script(STILL_PROCESSING)
    url = kept_once(ca, a)
    for f in files:
        os.rename(f + ".bak", f)
    with open(files[0]) as f:
        before = f.read()
    r = a.once()
    assert "renewal due now: an order kept by an earlier run waits for " \
        "its certificate" in r.stderr, r.stderr[-4000:]
    assert f"reading order {url} again" in r.stderr
    wait_issued(a)
    with open(files[0]) as f:
        assert f.read() != before
    assert count(ca, r"/new-order") == 2
    assert not os.path.exists(a.path(STATE))


@pytest.mark.parametrize("key_replaced", [False, True])
def test_kp_reuse(fakeca_factory, tmp_path, key_replaced):
    """With kp_reuse the kept order's key is the key file's, which is not
    written again with the certificate: read again while it still is,
    given up once the key file holds another key."""
    ca, a = start_ca(fakeca_factory, tmp_path, [])
    with open(a.config) as f:
        text = f.read()
    with open(a.config, "w") as f:
        f.write(text.replace('key_type = "ecdsa_p256"\n',
                             'key_type = "ecdsa_p256"\nkp_reuse = true\n'))
    a.once()
    key = a.path(CERT_NAME + ".pk.pem")
    os.unlink(a.path(CERT_NAME + ".crt.pem"))
    ca.set_script(STILL_PROCESSING)
    url = kept_once(ca, a)
    if key_replaced:
        os.unlink(key)
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
                       check=True, capture_output=True)
        os.chmod(key, 0o600)
    with open(key) as f:
        key_before = f.read()
    r = a.once()
    if key_replaced:
        assert "made for another configuration (kp_reuse: the key in " \
            f"{key} is no longer the order's): removed" in r.stderr, \
            r.stderr[-4000:]
        assert count(ca, r"/new-order") == 3
    else:
        assert f"reading order {url} again" in r.stderr, r.stderr[-4000:]
        assert count(ca, r"/new-order") == 2
    wait_issued(a)
    with open(key) as f:
        assert f.read() == key_before
    assert not os.path.exists(a.path(STATE))


def state_tries(a):
    """The "tries" of the kept order's file, or None without one."""
    try:
        with open(a.path(STATE), "rb") as f:
            line = f.read().split(b"\n", 1)[0]
    except FileNotFoundError:
        return None
    return int(re.search(rb'"tries":(\d+)', line)[1])


def test_five_readings_over_cron_runs(fakeca_factory, tmp_path):
    """The CA answers 503 for the kept order: five runs read it, the fifth
    orders anew (the file was called malformed at the sixth reading)."""
    ca, a = start_ca(fakeca_factory, tmp_path)
    url = kept_once(ca, a)
    ca.set_script([{"path": url[len(ca.base):], "status": 503,
                    "json": {"type": "urn:ietf:params:acme:error:"
                             "serverInternal", "detail": "busy"}}])
    readings = []
    for run in range(1, 7):
        r = a.once(check=False)
        assert "malformed" not in r.stderr, r.stderr[-4000:]
        readings.append(r.stderr.count(f"reading order {url} again"))
        if "ordering anew" in r.stderr:
            break
        assert state_tries(a) == run
    assert readings == [1, 1, 1, 1, 1], readings
    wait_issued(a)
    assert count(ca, r"/new-order") == 2
    assert state_tries(a) is None


def test_readings_cut_short_count(fakeca_factory, tmp_path):
    """A run killed while it reads the order (a cron job's timeout) counts
    as one reading: the file says so before the CA is asked."""
    ca, a = start_ca(fakeca_factory, tmp_path)
    url = kept_once(ca, a)
    ca.set_script([{"path": url[len(ca.base):], "delay": 60}])
    for run in range(1, 6):
        p = subprocess.Popen(a.argv("--once", "--no-pid-file"),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: state_tries(a) == run, 60, f"reading {run}")
        finally:
            p.kill()
            p.wait(timeout=60)
    ca.set_script([])
    r = a.once()
    assert f"order {url} was read 5 times in vain: ordering anew" in \
        r.stderr, r.stderr[-4000:]
    wait_issued(a)
    assert state_tries(a) is None


def test_reload_renaming_the_certificate_keeps_its_order(fakeca_factory,
                                                         tmp_path,
                                                         monkeypatch):
    """A reload renames the certificate but keeps its files: the order in
    memory is not carried over (the id changed), but its file stays for
    the renamed one, which reads it again instead of ordering anew (the
    file was removed after it had made the certificate due)."""
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "600")
    ca, a = start_ca(fakeca_factory, tmp_path, [])
    with open(a.config) as f:
        text = f.read()
    text = text.replace('key_type = "ecdsa_p256"\n',
                        'key_type = "ecdsa_p256"\nname = "one"\n'
                        'file_name_format = "site.{{ file_type }}.{{ ext }}"'
                        '\n')
    with open(a.config, "w") as f:
        f.write(text)
    a.once()
    crt, key = a.path("site.crt.pem"), a.path("site.pk.pem")
    for name in (crt, key):
        os.rename(name, name + ".bak")
    ca.set_script(STILL_PROCESSING)
    a.start()
    try:
        a.wait_log("kept for the next attempt")
        url = re.search(r"order (\S+) kept for the next attempt", a.log())[1]
        for name in (crt, key):
            os.rename(name + ".bak", name)
        ca.set_script([])
        orders = count(ca, r"/new-order")
        with open(a.config, "w") as f:
            f.write(text.replace('name = "one"', 'name = "two"'))
        a.signal(signal.SIGHUP)
        a.wait_log(f'certificate "two_ecdsa-p256": renewal due now: an '
                   f'order kept by an earlier run waits')
        a.wait_log("certificate renewed")
        assert f"reading order {url} again" in a.log()
        assert count(ca, r"/new-order") == orders
        assert not os.path.exists(a.path(".site.pk.pem.order"))
    finally:
        a.stop()


def test_an_order_made_anew_is_kept_from_its_own_time(fakeca_factory,
                                                      tmp_path):
    """The order kept six days ago is gone at the CA; the one made anew,
    kept too, counts its week from now (it took the old one's time, and
    was given up as expired at its next reading)."""
    ca, a = start_ca(fakeca_factory, tmp_path)
    url = kept_once(ca, a)
    with open(a.path(STATE), "r+b") as f:
        text = f.read()
        six_days_ago = int(time.time()) - 6 * 86400
        text = re.sub(rb'"kept_at":\d+', b'"kept_at":%d' % six_days_ago,
                      text)
        f.seek(0)
        f.truncate()
        f.write(text)
    old = url[len(ca.base):]
    number = old.rsplit("/", 1)[1]
    ca.set_script([{"path": old, "status": 404,
                    "json": {"type": "urn:ietf:params:acme:error:"
                             "malformed", "detail": "no such order"}},
                   # The new order: ready at its first read, then
                   # processing until the poll gives up.
                   {"path": rf"/order/(?!{number}$)\d+", "from": 2,
                    "set": {"status": "processing"}}])
    r = a.once(check=False)
    assert "no such order: ordering anew" in r.stderr, r.stderr[-4000:]
    m = re.findall(r"order (\S+) kept for the next attempt", r.stderr)
    assert m and m[-1] != url, r.stderr[-4000:]
    with open(a.path(STATE), "rb") as f:
        kept_at = int(re.search(rb'"kept_at":(\d+)', f.read())[1])
    assert kept_at > time.time() - 3600


def add_file_hook(a, name, hook_type, cmd, *args):
    """Gives the certificate one more hook, of hook_type, running cmd."""
    with open(a.config) as f:
        text = f.read()
    with open(a.config, "w") as f:
        f.write(text.replace('hooks = ["record"]',
                             f'hooks = ["record", "{name}"]'))
        f.write(f"""
[[hook]]
name = "{name}"
type = ["{hook_type}"]
cmd = "{cmd}"
args = {json.dumps(list(args))}
""")


def test_a_certificate_that_could_not_be_stored_is_downloaded_again(
        fakeca_factory, tmp_path):
    """The CA issued, acmed could not store (here a file hook that
    fails; a group that cannot be set, a full disk): the next run
    downloads the same certificate instead of having another issued."""
    ca, a = start_ca(fakeca_factory, tmp_path, script=[])
    gate = str(tmp_path / "gate")
    add_file_hook(a, "gate", "file-pre-create", "test", "-e", gate)
    for _ in range(2):
        r = a.once(check=False)
        assert r.returncode != 0, r.stderr[-4000:]
        assert "storing" in r.stderr and "gate" in r.stderr, \
            r.stderr[-4000:]
        assert "kept for the next attempt" in r.stderr, r.stderr[-4000:]
        assert os.path.exists(a.path(STATE))
        assert not os.path.exists(a.path(CERT_NAME + ".crt.pem"))
    assert count(ca, r"/new-order") == 1
    assert count(ca, r"/order/\d+/finalize") == 1

    open(gate, "w").close()
    r = a.once()
    wait_issued(a)
    assert count(ca, r"/new-order") == 1
    assert count(ca, r"/order/\d+/finalize") == 1
    assert not os.path.exists(a.path(STATE))


def test_a_certificate_stored_before_a_post_hook_failed_is_not_kept(
        fakeca_factory, tmp_path):
    """The files are in place when a file-post-create hook fails: the
    certificate is stored, no order is kept for it, and the next run has
    nothing to do."""
    ca, a = start_ca(fakeca_factory, tmp_path, script=[])
    add_file_hook(a, "after", "file-post-create", "false")
    r = a.once(check=False)
    assert r.returncode != 0 and '"after"' in r.stderr, r.stderr[-4000:]
    assert "kept for the next attempt" not in r.stderr, r.stderr[-4000:]
    assert not os.path.exists(a.path(STATE))
    wait_issued(a)
    with open(a.path(CERT_NAME + ".crt.pem")) as f:
        crt = f.read()
    r = a.once()
    assert "reading order" not in r.stderr, r.stderr[-4000:]
    with open(a.path(CERT_NAME + ".crt.pem")) as f:
        assert f.read() == crt
    assert count(ca, r"/new-order") == 1


def test_a_run_killed_after_finalization_leaves_the_order(fakeca_factory,
                                                           tmp_path):
    """The order's file is written before its CSR is sent: a run killed
    (SIGKILL: a cron job's timeout, the OOM killer) while the certificate
    downloads leaves it, and the next run downloads that certificate
    instead of having the CA issue a second one."""
    ca, a = start_ca(fakeca_factory, tmp_path,
                     script=[{"endpoint": "certificate", "delay": 60}])
    proc = subprocess.Popen(a.argv("--once", "--no-pid-file"),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: count(ca, r"/cert/\d+") > 0, 60,
                   "the certificate's download")
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert os.path.exists(a.path(STATE))
    assert not os.path.exists(a.path(CERT_NAME + ".crt.pem"))
    ca.set_script([])
    r = a.once(check=False)
    assert r.returncode == 0, r.stderr[-4000:]
    assert "reading order" in r.stderr
    assert count(ca, r"/new-order") == 1
    assert count(ca, r"/order/\d+/finalize") == 1
    wait_issued(a)
    # Used up: gone.
    assert not os.path.exists(a.path(STATE))
