"""Modes and owners at a renewal: ACMEd wrote certificate and key files in
place, so that what an administrator gave them by hand (a key readable
by a service's group: chgrp, chmod 640) stayed over renewals.  acmed
replaces them, and gives the new files the old ones' mode, owner and
group, each unless acmed.toml sets it; a key never keeps bits for other
users.  A renewal is asked by adding an identifier."""
import grp
import os
import shutil
import stat
import subprocess
import tempfile

import pytest

from acmed import Acmed
from certs import openssl
from conftest import program
from test_acme_support import account_file_name
from test_faults import ALWAYS_VALID, cert, config, name_of

GROUP = grp.getgrnam("nogroup").gr_gid


@pytest.fixture
def client(pebble_factory, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root: chgrp to a group acmed is not in")
    a = Acmed(tmp_path / "acmed", pebble_factory(env=ALWAYS_VALID))
    os.makedirs(a.folder, exist_ok=True)
    return a


def files(a):
    return (a.path(name_of("example.org") + ".pk.pem"),
            a.path(name_of("example.org") + ".crt.pem"))


def issue(a, extra_global=""):
    a.write(config(a, [cert("example.org")], "", extra_global))
    a.once()
    return files(a)


def renew(a, extra_global=""):
    """A second --once with one more identifier: due, renewed."""
    key, crt = files(a)
    old = (os.stat(key).st_ino, os.stat(crt).st_ino)
    a.write(config(a, [cert("example.org",
                            more_idents=("www.example.org",))], "",
                   extra_global))
    r = a.once()
    # Replaced, not written over.
    assert (os.stat(key).st_ino, os.stat(crt).st_ino) != old
    assert not [n for n in os.listdir(a.certs) if n.endswith(".tmp")]
    return r


def warnings(a, r):
    """The warnings that name a file of the certificates folder."""
    return [l for l in r.stderr.splitlines()
            if " WARN " in l and a.certs in l]


def perms(path):
    st = os.stat(path)
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def test_renewal_keeps_mode_and_group_given_by_hand(client):
    key, crt = issue(client)
    assert perms(key) == (0o600, 0, 0)
    assert perms(crt) == (0o644, 0, 0)
    os.chown(key, -1, GROUP)
    os.chmod(key, 0o640)
    os.chmod(crt, 0o600)
    r = renew(client)
    assert perms(key) == (0o640, 0, GROUP)
    assert perms(crt) == (0o600, 0, 0)
    assert not warnings(client, r), r.stderr[-3000:]


def test_explicit_mode_wins_and_the_group_is_still_kept(client):
    key, crt = issue(client, "pk_file_mode = 0o600\ncert_file_mode = 0o644")
    os.chown(key, -1, GROUP)
    os.chmod(key, 0o640)
    os.chmod(crt, 0o600)
    renew(client, "pk_file_mode = 0o600\ncert_file_mode = 0o644")
    # The mode is the configuration's; the group, which it does not set,
    # the old file's.
    assert perms(key) == (0o600, 0, GROUP)
    assert perms(crt) == (0o644, 0, 0)


def test_explicit_group_wins(client):
    key, _ = issue(client)
    os.chown(key, -1, GROUP)
    os.chmod(key, 0o640)
    renew(client, 'pk_file_group = "daemon"')
    assert perms(key) == (0o640, 0, grp.getgrnam("daemon").gr_gid)


def test_key_does_not_keep_bits_for_others(client):
    key, crt = issue(client)
    os.chown(key, -1, GROUP)
    os.chmod(key, 0o644)
    os.chmod(crt, 0o664)
    r = renew(client)
    assert perms(key) == (0o640, 0, GROUP)
    # A certificate is public: its bits are kept.
    assert perms(crt) == (0o664, 0, 0)
    warn = warnings(client, r)
    assert len(warn) == 1 and key in warn[0], r.stderr[-3000:]
    assert "mode 0644" in warn[0] and "mode 0640" in warn[0], warn


def test_key_in_a_folder_others_write_keeps_no_owner(client):
    """A folder another group may write: the old key may be a file one of
    them left in its place, owned by them.  Its replacement is not given
    to them, nor its group's bits (acmed warns about such a folder)."""
    key, _ = issue(client)
    os.chmod(client.certs, 0o775)
    os.chown(client.certs, -1, GROUP)
    os.chown(key, 65534, GROUP)
    os.chmod(key, 0o640)
    r = renew(client)
    assert perms(key) == (0o600, 0, 0)
    warn = [l for l in warnings(client, r) if key in l]
    assert len(warn) == 1, r.stderr[-3000:]
    assert "its folder can be written by other users" in warn[0]


def test_key_in_a_folder_root_s_group_writes_keeps_its_group(client):
    """A folder that root's group may write is root's: the key given by
    hand to a service's group keeps it."""
    key, _ = issue(client)
    os.chmod(client.certs, 0o775)
    os.chown(key, -1, GROUP)
    os.chmod(key, 0o640)
    r = renew(client)
    assert perms(key) == (0o640, 0, GROUP)
    assert not warnings(client, r), r.stderr[-3000:]


def test_kept_key_gets_the_same_treatment(client):
    """kp_reuse: the key is not written again; its bits for others go
    all the same, its group stays."""
    key, _ = issue(client)
    os.chown(key, -1, GROUP)
    os.chmod(key, 0o604)
    client.write(config(client, [cert("example.org", extra="kp_reuse = true",
                                      more_idents=("www.example.org",))],
                        ""))
    r = client.once()
    assert perms(key) == (0o600, 0, GROUP)
    warn = warnings(client, r)
    assert len(warn) == 1 and key in warn[0], r.stderr[-3000:]


def test_kept_key_of_a_group_acmed_is_not_in(pebble_factory):
    """kp_reuse with acmed not root (nobody, no capability): a key given
    by hand to a service's group acmed is not in keeps that group and its
    bits, since it is not replaced: nothing is handed to anyone."""
    if os.geteuid() != 0:
        pytest.skip("needs root: files of nobody's, a group it is not in")
    base = tempfile.mkdtemp(prefix="acmed-nobody-", dir="/tmp")
    try:
        os.chmod(base, 0o755)
        a = Acmed(os.path.join(base, "acmed"), pebble_factory(env=ALWAYS_VALID))
        os.makedirs(a.folder)
        root = os.path.join(base, "root.pem")
        shutil.copy(a.pebble.tls_cert, root)
        os.chmod(root, 0o644)
        extra = "kp_reuse = true"
        a.write(config(a, [cert("example.org", extra=extra)], ""))
        a.once()
        key, _ = files(a)
        for d, _, names in os.walk(a.folder):
            os.chown(d, 65534, 65534)
            for n in names:
                os.chown(os.path.join(d, n), 65534, 65534)
        daemon = grp.getgrnam("daemon").gr_gid
        os.chown(key, 65534, daemon)
        os.chmod(key, 0o640)
        a.write(config(a, [cert("example.org", extra=extra,
                                more_idents=("www.example.org",))], ""))
        os.chown(a.config, 65534, 65534)
        argv = [program("acmed"), "-c", a.config, "--once", "--no-pid-file",
                "--log-stderr", "--root-cert", root]
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                            "--clear-groups", "--inh-caps=-all", *argv],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-3000:]
        assert "www.example.org" in openssl("x509", "-in", files(a)[1],
                                            "-noout", "-ext",
                                            "subjectAltName")
        assert perms(key) == (0o640, 65534, daemon)
        assert not [l for l in r.stderr.splitlines() if " WARN " in l and
                    key in l], r.stderr[-3000:]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_account_file_keeps_mode_and_group(client):
    """ACMEd wrote the account file in place too, and never gave it an
    owner: saved again (new contacts), it keeps mode, owner and group,
    but no bits for others (it holds the account's key)."""
    issue(client)
    path = os.path.join(client.accounts, account_file_name("test"))
    os.chown(path, -1, GROUP)
    os.chmod(path, 0o644)
    # Contacts are updated before an order: the certificate is made due.
    client.write(config(client, [cert(
        "example.org", more_idents=("www.example.org",))], "").replace(
        "admin@example.org", "other@example.org"))
    r = client.once()
    assert perms(path) == (0o640, 0, GROUP)
    warn = [l for l in r.stderr.splitlines()
            if " WARN " in l and "lets every user" in l]
    assert len(warn) == 1 and path in warn[0], r.stderr[-3000:]
