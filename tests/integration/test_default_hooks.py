"""The default hooks (config/default_hooks.toml) used the way users use
them, against Pebble validating for real:

  tls-alpn-01-tacd-tcp    tacd (found in PATH) on Pebble's tlsPort
  tls-alpn-01-tacd-unix   tacd on a Unix socket, behind a TCP relay of
                          the test's own (Pebble only speaks TCP)
  http-01-echo            proofs written into a webroot that nginx serves
                          on Pebble's httpPort
  git                     one commit per written file

Every server (Pebble, nginx, the relay) is started by the test on free
loopback ports and stopped by its PID; readiness is polled with a
deadline.  After each run no tacd is left and no socket or PID file
remains.
"""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess

import pytest

import conftest
import nginx
from acmed import Acmed, toml_str
from certs import sans, verify_chain
from nginx import Nginx, alive, find_nginx
from pebble import free_port, wait_until
from relay import Relay, unix

DEFAULT_HOOKS = os.path.join(conftest.ROOT, "config", "default_hooks.toml")
# In a daemon's log: errors and sanitizer reports (not warnings: the
# 9-second certificates below draw one about renew_delay).
LOG_PROBLEMS = r"ERROR|Sanitizer|runtime error:"


def cert_block(idents, hooks, extra=""):
    ids = ",\n    ".join(
        f'{{ {t} = {toml_str(v)}, challenge = "{c}" }}' for t, v, c in idents)
    return f"""
[[certificate]]
account = "test"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = [{", ".join(toml_str(h) for h in hooks)}]
identifiers = [
    {ids},
]
{extra}
"""


def write_config(a, certs, env=None):
    """The project's default hooks included by absolute path, the harness'
    account and endpoint, and the certificates; env goes to [global]."""
    extra = ""
    if env:
        extra = "env = { " + ", ".join(
            f"{k} = {toml_str(v)}" for k, v in env.items()) + " }"
    a.write(f"include = [{toml_str(DEFAULT_HOOKS)}]\n" +
            a.base_config(extra) + certs)


@pytest.fixture
def path_with_tacd(monkeypatch):
    """acmed runs its hooks with its own PATH: the build folder first, so
    that "tacd" is the one just built."""
    conftest.program("tacd")
    monkeypatch.setenv("PATH", conftest.build_dir() + os.pathsep +
                       os.environ.get("PATH", "/usr/bin:/bin"))


# -- tacd processes --------------------------------------------------------

def tacd_processes(folder):
    """PIDs of live tacd processes whose command line or working folder
    mentions folder (the default hooks pass PID files and sockets under
    it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(") ", 1)[1][0]
            try:
                cwd = os.readlink(f"/proc/{entry}/cwd")
            except OSError:
                cwd = ""
        except (OSError, IndexError):
            continue
        if state in ("Z", "X") or not argv or \
                os.path.basename(argv[0]) != b"tacd":
            continue
        if folder.encode() in b" ".join(argv) or cwd.startswith(folder):
            found.append(int(entry))
    return found


@pytest.fixture
def tacd_root(tmp_path):
    """TACD_PID_ROOT and TACD_SOCK_ROOT; afterwards no tacd may be left
    (any found is killed, and the test fails)."""
    root = str(tmp_path / "tacd")
    os.makedirs(root)
    yield root
    left = tacd_processes(str(tmp_path))
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"tacd processes left: {left}"


def assert_tacd_gone(root, folder):
    """No tacd runs, no PID file or socket remains, as soon as acmed is
    done: the clean-up hooks kill tacd and wait for it."""
    assert tacd_processes(folder) == []
    assert os.listdir(root) == []


# -- tls-alpn-01 -------------------------------------------------------------

def alpn_acmed(pebble_factory, tmp_path, tacd_root, **pebble_args):
    p = pebble_factory(tls_port=free_port(), **pebble_args)
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    a.tacd_root = tacd_root
    a.tmp = str(tmp_path)
    return a


@pytest.fixture
def alpn(pebble_factory, tmp_path, path_with_tacd, tacd_root):
    """Pebble validating tls-alpn-01 for real on a free tlsPort, and an
    acmed configured with the default hooks."""
    a = alpn_acmed(pebble_factory, tmp_path, tacd_root)
    yield a
    a.stop()


IDENTS = [
    ("dns", "alpn.example.org", "alpn.example.org", "DNS:alpn.example.org"),
    ("ip", "127.0.0.1", "127.0.0.1", "IP Address:127.0.0.1"),
]


@pytest.mark.parametrize("kind,value,name,san", IDENTS,
                         ids=["dns", "ip"])
def test_tls_alpn_tcp(alpn, kind, value, name, san):
    """tacd on Pebble's tlsPort (a bare port: every address), settings
    from [global] env."""
    write_config(alpn, cert_block([(kind, value, "tls-alpn-01")],
                                  ["tls-alpn-01-tacd-tcp"]), env={
        "TACD_PORT": str(alpn.pebble.tls_port),
        "TACD_PID_ROOT": alpn.tacd_root,
        "TACD_SOCK_ROOT": alpn.tacd_root})
    alpn.once()
    crt = alpn.read(f"{name}_ecdsa-p256.crt.pem")
    assert sans(crt) == [san]
    verify_chain(crt, alpn.pebble)
    assert_tacd_gone(alpn.tacd_root, alpn.tmp)


@pytest.mark.parametrize("workers", ["1", "4"])
def test_tls_alpn_tcp_certificates_back_to_back(alpn, workers):
    """Three certificates: the second tacd starts on the port the first
    one has just left, also when several workers renew at once (the
    daemon validates tls-alpn-01 one at a time)."""
    write_config(alpn, "".join(cert_block(
        [("dns", f"{n}.example.org", "tls-alpn-01")],
        ["tls-alpn-01-tacd-tcp"]) for n in ("one", "two", "three")), env={
            "TACD_PORT": str(alpn.pebble.tls_port),
            "TACD_PID_ROOT": alpn.tacd_root})
    alpn.once("--workers", workers)
    for n in ("one", "two", "three"):
        crt = alpn.read(f"{n}.example.org_ecdsa-p256.crt.pem")
        assert sans(crt) == [f"DNS:{n}.example.org"]
    assert_tacd_gone(alpn.tacd_root, alpn.tmp)


def test_tls_alpn_tcp_two_identifiers(alpn):
    """Two tls-alpn-01 identifiers in one certificate, one port: they are
    validated one after the other."""
    write_config(alpn, cert_block(
        [("dns", "alpn.example.org", "tls-alpn-01"),
         ("ip", "127.0.0.1", "tls-alpn-01")],
        ["tls-alpn-01-tacd-tcp"]), env={
            "TACD_PORT": str(alpn.pebble.tls_port),
            "TACD_PID_ROOT": alpn.tacd_root})
    try:
        alpn.once()
    finally:
        assert_tacd_gone(alpn.tacd_root, alpn.tmp)
    crt = alpn.read("alpn.example.org_ecdsa-p256.crt.pem")
    assert sans(crt) == ["DNS:alpn.example.org", "IP Address:127.0.0.1"]


@pytest.mark.parametrize("kind,value,name,san", IDENTS,
                         ids=["dns", "ip"])
def test_tls_alpn_unix(alpn, monkeypatch, kind, value, name, san):
    """tacd on a Unix socket; the relay carries Pebble's connections to
    it.  The clean-up hooks remove the PID file and the socket."""
    sock = os.path.join(alpn.tacd_root, f"tacd_{value}.sock")
    relay = Relay(unix(sock), alpn.pebble.tls_port)
    # The process environment this time, as a service file would set it.
    monkeypatch.setenv("TACD_PID_ROOT", alpn.tacd_root)
    monkeypatch.setenv("TACD_SOCK_ROOT", alpn.tacd_root)
    try:
        write_config(alpn, cert_block([(kind, value, "tls-alpn-01")],
                                      ["tls-alpn-01-tacd-unix"]))
        alpn.once()
    finally:
        relay.close()
    assert relay.count() >= 1
    crt = alpn.read(f"{name}_ecdsa-p256.crt.pem")
    assert sans(crt) == [san]
    verify_chain(crt, alpn.pebble)
    assert_tacd_gone(alpn.tacd_root, alpn.tmp)


def test_tls_alpn_daemon_renews(pebble_factory, tmp_path, path_with_tacd,
                                tacd_root):
    """The daemon issues, then renews (9-second certificates are renewed
    a third of their life before expiry) on the same port: each tacd is
    gone before the next starts, and none is left."""
    a = alpn_acmed(pebble_factory, tmp_path, tacd_root, validity=9)
    try:
        write_config(a, cert_block(
            [("dns", "again.example.org", "tls-alpn-01")],
            ["tls-alpn-01-tacd-tcp"]), env={
                "TACD_PORT": str(a.pebble.tls_port),
                "TACD_PID_ROOT": a.tacd_root})
        a.start()
        wait_until(lambda: a.log().count("certificate renewed") >= 2, 60,
                   "two renewals")
    finally:
        rc = a.stop()
    assert rc == 0 and not re.search(LOG_PROBLEMS, a.log()), a.log()[-4000:]
    assert_tacd_gone(a.tacd_root, a.tmp)


# -- http-01-echo with nginx ---------------------------------------------

@pytest.fixture
def nginx_pebble(pebble_factory, tmp_path):
    """Pebble whose validator reaches nginx: challtestsrv answers DNS only
    (127.0.0.1 for every name) and leaves httpPort to nginx."""
    if find_nginx() is None:
        pytest.skip("nginx is not installed")
    webroot = str(tmp_path / "www")
    os.makedirs(webroot)
    n = Nginx.on_free_port(str(tmp_path / "nginx"), webroot)
    try:
        p = pebble_factory(http_port=n.port, chall_http01=False)
    except BaseException:
        n.stop()
        raise
    yield p, n
    workers = n.stop()
    assert workers and not any(alive(w) for w in workers)
    assert not alive(n.proc.pid)


def test_nginx_moves_off_a_taken_port(tmp_path, monkeypatch):
    """The helper's nginx never takes another server's listener for its
    own: on a port taken since it was picked, nginx cannot listen, and
    starts again on another."""
    if find_nginx() is None:
        pytest.skip("nginx is not installed")
    webroot = str(tmp_path / "www")
    os.makedirs(webroot)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        first = [taken.getsockname()[1]]
        real = nginx.free_port
        monkeypatch.setattr(nginx, "free_port",
                            lambda: first.pop() if first else real())
        n = Nginx.on_free_port(str(tmp_path / "nginx"), webroot)
        try:
            assert first == [] and n.port != taken.getsockname()[1]
            assert n.children()
        finally:
            workers = n.stop()
    assert workers and not any(alive(w) for w in workers)


def test_http01_echo_with_nginx(nginx_pebble, tmp_path):
    p, n = nginx_pebble
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    write_config(a, cert_block(
        [("dns", "www.example.org", "http-01"),
         ("dns", "example.org", "http-01")],
        ["http-01-echo"]), env={"HTTP_ROOT": n.webroot})
    # The shipped unit's umask: every folder the hooks make must still
    # be open to a web server that is not root.
    umask = os.umask(0o077)
    try:
        a.once()
    except AssertionError:
        print(n.log())
        raise
    finally:
        os.umask(umask)
    crt = a.read("www.example.org_ecdsa-p256.crt.pem")
    assert sans(crt) == ["DNS:example.org", "DNS:www.example.org"]
    verify_chain(crt, p)
    # nginx did serve the proofs, one per name...
    with open(n.access_log) as f:
        served = [line for line in f
                  if "/.well-known/acme-challenge/" in line and
                  '" 200 ' in line]
    assert len(served) >= 2, served
    # ...and the clean-up hook removed them (the folders stay).
    for name in ("www.example.org", "example.org"):
        d = os.path.join(n.webroot, name, ".well-known", "acme-challenge")
        assert os.path.isdir(d)
        assert os.listdir(d) == []
        for level in (d, os.path.dirname(d), os.path.dirname(
                os.path.dirname(d))):
            assert stat.S_IMODE(os.stat(level).st_mode) == 0o755, level


# -- git -------------------------------------------------------------------

def git(folder, *args):
    return subprocess.run(["git", "-C", folder, *args], check=True,
                          capture_output=True, text=True).stdout


def test_git(pebble_factory, tmp_path):
    """Issuance writes the key and the certificate: two commits; the
    daemon's renewal (9-second certificates) edits both: two more."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    p = pebble_factory(env={"PEBBLE_VA_ALWAYS_VALID": "1"}, validity=9)
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    certs = cert_block([("dns", "git.example.org", "http-01")],
                       ["challtestsrv", "git"])
    write_config(a, certs)
    a.once()
    crt, key = "git.example.org_ecdsa-p256.crt.pem", \
        "git.example.org_ecdsa-p256.pk.pem"
    assert os.path.isdir(os.path.join(a.certs, ".git"))
    # The repository holds the private key: closed to other users,
    # whatever the umask (it was world-readable under 022).
    assert stat.S_IMODE(os.stat(os.path.join(a.certs, ".git")).st_mode) \
        == 0o700
    log = git(a.certs, "log", "--format=%s|%an|%ae").splitlines()
    assert log == [f"{crt}|acmed|acmed@localhost",
                   f"{key}|acmed|acmed@localhost"]
    assert sorted(git(a.certs, "ls-files").split()) == [crt, key]
    assert git(a.certs, "status", "--porcelain") == ""
    # Each commit holds its own file only.
    assert git(a.certs, "show", "--format=", "--name-only",
               "HEAD").split() == [crt]
    assert git(a.certs, "show", "--format=", "--name-only",
               "HEAD~1").split() == [key]

    # The renewal, by the daemon, with the author from the environment.
    write_config(a, certs, env={"GIT_USERNAME": "Cert Bot",
                                "GIT_EMAIL": "bot@example.org"})
    try:
        a.start()
        a.wait_log("certificate renewed", timeout=60)
    finally:
        rc = a.stop()
    assert rc == 0 and not re.search(LOG_PROBLEMS, a.log()), a.log()[-4000:]
    log = git(a.certs, "log", "--format=%s|%an|%ae").splitlines()
    assert log == [f"{crt}|Cert Bot|bot@example.org",
                   f"{key}|Cert Bot|bot@example.org",
                   f"{crt}|acmed|acmed@localhost",
                   f"{key}|acmed|acmed@localhost"]
    assert git(a.certs, "status", "--porcelain") == ""
    # The committed certificate is the one on disk.
    assert git(a.certs, "show", f"HEAD:{crt}") == a.read(crt).decode()



def test_git_certificates_stored_at_once(pebble_factory, tmp_path):
    """Twelve certificates in one folder, renewed by eight workers: the
    git hooks of two of them never run at the same time (git's lock
    files failed every other renewal)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    p = pebble_factory(env={"PEBBLE_VA_ALWAYS_VALID": "1"})
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    names = [f"git{i}.example.org" for i in range(12)]
    write_config(a, "".join(cert_block([("dns", n, "http-01")],
                                       ["challtestsrv", "git"])
                            for n in names))
    r = a.once("--workers", "8")
    assert not re.search(LOG_PROBLEMS, r.stderr), r.stderr[-4000:]
    files = sorted(f"{n}_ecdsa-p256.{k}.pem" for n in names
                   for k in ("crt", "pk"))
    assert sorted(git(a.certs, "ls-files").split()) == files
    assert len(git(a.certs, "log", "--format=%s").splitlines()) == 24
    assert git(a.certs, "status", "--porcelain") == ""