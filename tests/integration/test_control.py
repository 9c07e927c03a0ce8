"""The control socket (acmed --control-socket) and acmectl, against
tests/fakeca/fakeca.py.

What this suite pins down:

- status: one tab-separated line per certificate (id, state, next
  renewal, next renewal-information check, notAfter, failures in a row);
  metrics: the same in the Prometheus text format.
- renew ID: renews at once, whatever the dates, and again after each
  failure (with the backoff) until a renewal succeeds; an unknown id is an
  error (exit status 1).
- acmectl checks its whole command line before the first request:
  revoke's reason wherever it is written, an unknown option or reason
  is a usage error (exit status 2) and nothing is sent.
- A usage error says what is wrong on one line, "acmectl: " first, then
  the synopsis; a socket acmectl cannot connect to gets a hint that fits
  the error.
- A certificate being checked or renewed keeps its expiry and failures
  in status and metrics.
- The socket is 0600; a peer that is neither root nor the daemon's user is
  refused even when the mode lets it in; a socket left by a dead daemon is
  replaced; a live daemon's socket, or any other file, is an error.
"""
import base64
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time

from acmed import Acmed, GATE_HOOK, toml_str
from certs import openssl
from conftest import program
from fakeca_fixture import fakeca_factory  # noqa: F401 (fixture)
from pebble import wait_until
from test_acme_support import AccountFile
from test_hostile_ca import CERT_NAME, Client

NOBODY = 65534


def daemon_with_socket(fakeca_factory, tmp_path, script=None, sock=None):
    """A fake CA, a certificate from it, and a daemon with a control
    socket.  Returns (ca, client, daemon, socket path)."""
    ca = fakeca_factory()
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    if script:
        ca.set_script(script)
    a = Acmed(client.folder, ca)
    a.config = client.config
    sock = sock or os.path.join(client.folder, "control.sock")
    a.start("--control-socket", sock)
    wait_until(lambda: os.path.exists(sock), 30, "the control socket")
    return ca, client, a, sock


def refuse(endpoint, status, kind, detail):
    """A fakeca rule: endpoint answers with an ACME problem."""
    return {"endpoint": endpoint, "status": status,
            "json": {"type": "urn:ietf:params:acme:error:" + kind,
                     "detail": detail}}


def ctl(sock, *args, **kwargs):
    return subprocess.run([program("acmectl"), "-s", sock, *args],
                          capture_output=True, text=True, timeout=30,
                          **kwargs)


def status(sock):
    r = ctl(sock, "status")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "certificate\tstate\tdue\tcheck\texpires\tfailures"
    return [dict(zip(lines[0].split("\t"), l.split("\t")))
            for l in lines[1:]]


def not_after(client):
    text = openssl("x509", "-in", os.path.join(client.certs,
                   CERT_NAME + ".crt.pem"), "-noout", "-enddate")
    t = time.strptime(text.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
    return int(time.mktime(t) - time.mktime(time.gmtime(0)))


def orders(ca):
    return len([r for r in ca.requests() if r["path"] == "/new-order"])


class FakeDaemon:
    """A control socket that answers "ok" to every request and keeps the
    request lines, to see what acmectl sends."""

    def __init__(self, path):
        self.path = path
        self.requests = []
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(path)
        self.srv.listen(16)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.requests.append(data.decode())
                conn.sendall(b"ok\n")

    def close(self):
        self.srv.shutdown(socket.SHUT_RDWR)
        self.srv.close()
        self.thread.join(10)


def raw_request(sock, line):
    """One request on the control socket, past acmectl's checks."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall(line.encode())
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer.decode()


def test_status_metrics_renew(fakeca_factory, tmp_path):
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        assert stat.S_IMODE(os.stat(sock).st_mode) == 0o600
        # At start-up the certificate is checked for renewal information.
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        rows = status(sock)
        assert len(rows) == 1
        row = rows[0]
        expires = not_after(client)
        assert row["certificate"] == CERT_NAME and row["state"] == "valid"
        assert row["expires"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(expires))
        assert row["failures"] == "0" and row["check"] == "-"
        m = ctl(sock, "metrics")
        assert m.returncode == 0, m.stderr
        assert "acmed_certificates 1\n" in m.stdout
        assert (f'acmed_certificate_expiry_timestamp_seconds{{certificate='
                f'"{CERT_NAME}"}} {expires}\n') in m.stdout
        assert 'acmed_renewals_total{result="success"} 0\n' in m.stdout
        assert "# TYPE acmed_renewals_total counter\n" in m.stdout

        old = client.files() and open(os.path.join(
            client.certs, CERT_NAME + ".crt.pem")).read()
        r = ctl(sock, "renew", CERT_NAME)
        assert r.returncode == 0, r.stderr
        assert r.stdout == f'certificate "{CERT_NAME}": renewal requested\n'
        a.wait_log("certificate renewed")
        assert orders(ca) == 2
        with open(os.path.join(client.certs, CERT_NAME + ".crt.pem")) as f:
            assert f.read() != old
        assert "renewal asked for on the control socket (uid 0)" in a.log()
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the renewed certificate back in the schedule")
        m = ctl(sock, "metrics")
        assert 'acmed_renewals_total{result="success"} 1\n' in m.stdout

        r = ctl(sock, "renew", "nope")
        assert r.returncode == 1
        assert r.stderr == 'acmectl: no certificate "nope"\n'
        r = ctl(sock, "frobnicate")
        assert r.returncode == 2 and "usage:" in r.stderr
    finally:
        a.stop()
    assert a.proc.returncode == 0
    assert not os.path.exists(sock)


def test_unknown_id_names_the_ids_of_that_name(fakeca_factory, tmp_path):
    """--check-config speaks of certificate "example.org"; its id adds the
    key type.  The answer names the ids, and renews nothing."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        name = CERT_NAME.rsplit("_", 1)[0]
        for cmd in ("renew", "revoke"):
            r = ctl(sock, cmd, name)
            assert r.returncode == 1, r.stderr
            assert r.stderr == f'acmectl: no certificate "{name}" (did ' \
                f'you mean "{CERT_NAME}"?)\n', r.stderr
        # Several key types under one name: each is named.
        text = open(client.config).read()
        cert = text[text.index("[[certificate]]"):]
        with open(client.config, "w") as f:
            f.write(text + "\n" + cert.replace(
                'key_type = "ecdsa_p256"', 'key_type = "ecdsa_p384"'))
        r = ctl(sock, "reload")
        assert r.returncode == 0, r.stderr
        # Applied once a check in progress ends (renewals are refused
        # while a reload waits).
        a.wait_log("configuration reloaded")
        r = ctl(sock, "renew", name)
        assert r.returncode == 1
        assert r.stderr == f'acmectl: no certificate "{name}" (did you ' \
            f'mean "{CERT_NAME}" or "{name}_ecdsa-p384"?)\n', r.stderr
        assert "renewal asked for" not in a.log()
        assert revocations(ca) == []
    finally:
        a.stop()


def test_requested_renewal_is_retried_until_it_succeeds(fakeca_factory,
                                                        tmp_path,
                                                        monkeypatch):
    """The certificate on disk is not due, so an ordinary failure would not
    be retried early; one asked for is, after the backoff."""
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")
    ca, client, a, sock = daemon_with_socket(
        fakeca_factory, tmp_path,
        script=[dict(refuse("newOrder", 403, "unauthorized", "not today"),
                     nth=1)])
    try:
        r = ctl(sock, "renew", CERT_NAME)
        assert r.returncode == 0, r.stderr
        a.wait_log("not today")
        a.wait_log("certificate renewed")
        assert orders(ca) == 3
    finally:
        a.stop()


def test_numbers_kept_during_a_renewal(fakeca_factory, tmp_path,
                                       monkeypatch):
    """A renewal asked for fails once, then its retry is held by a
    challenge hook: meanwhile status and metrics still give the expiry
    of the certificate on disk and the failure (alerts on them must not
    flap during retries)."""
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")
    ca = fakeca_factory()
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    gate = os.path.join(client.folder, "gate")
    text = open(client.config).read()
    assert 'hooks = ["record"]' in text
    with open(client.config, "w") as f:
        f.write(text.replace('hooks = ["record"]', 'hooks = ["record", '
                             '"hold"]') + f"""
[[hook]]
name = "hold"
type = ["challenge-http-01"]
cmd = {toml_str(GATE_HOOK)}
args = [{toml_str(gate)}]
""")
    ca.set_script([dict(refuse("newOrder", 403, "unauthorized",
                               "not today"), nth=1)])
    a = Acmed(client.folder, ca)
    a.config = client.config
    sock = os.path.join(client.folder, "control.sock")
    a.start("--control-socket", sock)
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        expires = not_after(client)
        r = ctl(sock, "renew", CERT_NAME)
        assert r.returncode == 0, r.stderr
        a.wait_log("not today")
        a.wait_log('calling hook "hold"')
        [row] = status(sock)
        assert row == {"certificate": CERT_NAME, "state": "renewing",
                       "due": "-", "check": "-",
                       "expires": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                time.gmtime(expires)),
                       "failures": "1"}, row
        m = ctl(sock, "metrics")
        assert m.returncode == 0, m.stderr
        assert (f'acmed_certificate_expiry_timestamp_seconds{{certificate='
                f'"{CERT_NAME}"}} {expires}\n') in m.stdout, m.stdout
        assert (f'acmed_certificate_failures{{certificate="{CERT_NAME}"}} '
                f'1\n') in m.stdout, m.stdout
        # The next renewal is not known yet: no number rather than a
        # wrong one.
        assert "acmed_certificate_renewal_timestamp_seconds{" not in \
            m.stdout, m.stdout
        open(gate, "w").close()
        a.wait_log("certificate renewed")
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the renewed certificate back in the schedule")
        assert status(sock)[0]["failures"] == "0"
    finally:
        a.stop()


def test_renewal_asked_during_a_check(fakeca_factory, tmp_path):
    """A certificate being checked is renewed as soon as its check is
    done (the CA's directory takes 3 s to come)."""
    ca, client, a, sock = daemon_with_socket(
        fakeca_factory, tmp_path,
        script=[{"endpoint": "directory", "nth": 1, "delay": 3}])
    try:
        rows = status(sock)
        assert rows[0]["state"] == "checking", rows
        assert rows[0]["expires"] == time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(not_after(client))), rows
        r = ctl(sock, "renew", CERT_NAME)
        assert r.returncode == 0, r.stderr
        a.wait_log("certificate renewed")
        assert orders(ca) == 2
    finally:
        a.stop()


def leaf_der(client):
    return subprocess.run(
        ["openssl", "x509", "-in", os.path.join(client.certs,
         CERT_NAME + ".crt.pem"), "-outform", "DER"],
        capture_output=True, check=True).stdout


def revocations(ca):
    return [r for r in ca.requests() if r["path"] == "/revoke"]


def test_revoke_then_renew(fakeca_factory, tmp_path):
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        der = leaf_der(client)
        r = ctl(sock, "revoke", "--reason", "keyCompromise", CERT_NAME)
        assert r.returncode == 0, r.stderr
        assert r.stdout == f'certificate "{CERT_NAME}": revoked; a new ' \
            "one is requested\n"
        [rev] = revocations(ca)
        assert rev["payload"] == {"certificate": base64.urlsafe_b64encode(
            der).rstrip(b"=").decode(), "reason": 1}
        assert rev["protected"]["kid"] == ca.base + "/acct/1"
        a.wait_log("certificate renewed")
        assert orders(ca) == 2 and leaf_der(client) != der
        # Without a reason: none is sent.
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the renewed certificate back in the schedule")
        r = ctl(sock, "revoke", CERT_NAME)
        assert r.returncode == 0, r.stderr
        assert "reason" not in revocations(ca)[1]["payload"]
        # acmectl knows the reasons; the daemon checks them all the same.
        assert raw_request(sock, f"revoke bogus {CERT_NAME}\n") == \
            'error: unknown revocation reason "bogus"\n'
        assert len(revocations(ca)) == 2
    finally:
        a.stop()


def test_revoke_options_anywhere(tmp_path):
    """revoke's reason, written in any of its forms, before or after the
    ids or before the command, goes with every id; "--" ends the
    options."""
    path = str(tmp_path / "fake.sock")
    d = FakeDaemon(path)
    try:
        for args, sent in [
                (["revoke", "a", "-r", "keyCompromise"], ["a"]),
                (["revoke", "-rkeyCompromise", "a"], ["a"]),
                (["revoke", "--reason=keyCompromise", "a"], ["a"]),
                (["revoke", "a", "--reason", "keyCompromise", "b"],
                 ["a", "b"]),
                (["-r", "keyCompromise", "revoke", "a"], ["a"]),
                (["--reason=keyCompromise", "revoke", "a"], ["a"])]:
            d.requests.clear()
            r = ctl(path, *args)
            assert r.returncode == 0, (args, r.stderr)
            assert d.requests == [f"revoke keyCompromise {i}\n"
                                  for i in sent], args
        d.requests.clear()
        r = ctl(path, "revoke", "--", "-r", "a")
        assert r.returncode == 0, r.stderr
        assert d.requests == ["revoke - -r\n", "revoke - a\n"]
        d.requests.clear()
        r = ctl(path, "revoke", "a")
        assert r.returncode == 0 and d.requests == ["revoke - a\n"]
    finally:
        d.close()


def test_revoke_usage_errors_send_nothing(tmp_path):
    """A mistake anywhere on the command line: nothing is sent, not even
    for the ids before it; exit status 2."""
    path = str(tmp_path / "fake.sock")
    d = FakeDaemon(path)
    try:
        for args, first in [
                (["revoke", "a", "-r", "bogus"],
                 'acmectl: unknown revocation reason "bogus" (one of '
                 'unspecified, keyCompromise, affiliationChanged, '
                 'superseded, cessationOfOperation)'),
                (["revoke", "a", "-r"],
                 "acmectl: revoke: -r needs a reason"),
                (["revoke", "a", "-x", "b"],
                 'acmectl: revoke: unknown option "-x"'),
                (["revoke", "a", "--reason-is", "b"],
                 'acmectl: revoke: unknown option "--reason-is"'),
                (["revoke", "-", "a"],
                 'acmectl: revoke: unknown option "-"'),
                (["revoke", "-r", "keyCompromise", "a", "-r",
                  "superseded"],
                 "acmectl: revoke: the reason is given twice"),
                (["revoke", "-r", "keyCompromise"],
                 "acmectl: revoke needs a certificate id"),
                (["renew", "a", "-r", "keyCompromise"],
                 'acmectl: renew: unknown option "-r"'),
                (["-r", "keyCompromise", "renew", "a"],
                 "acmectl: --reason is for revoke only"),
                (["revoke", "a", ""],
                 'acmectl: "": not a certificate id')]:
            r = ctl(path, *args)
            assert r.returncode == 2, (args, r.stderr)
            assert r.stderr.splitlines()[0] == first, (args, r.stderr)
            assert d.requests == [], args
    finally:
        d.close()


def test_help_lists_the_reasons_the_daemon_takes(tmp_path):
    """--help prints the revocation reasons from the list the daemon
    checks against (acme/revoke_reason.h), in lines of 79 columns at
    most, and the error for an unknown reason names the same ones."""
    reasons = ["unspecified", "keyCompromise", "affiliationChanged",
               "superseded", "cessationOfOperation"]
    r = ctl(str(tmp_path / "none.sock"), "--help")
    assert r.returncode == 0, r.stderr
    assert max(len(l) for l in r.stdout.splitlines()) <= 79, r.stdout
    listed = r.stdout.split("(default: none):\n", 1)[1].split("\n  -h")[0]
    assert [w.strip(",") for w in listed.split()] == reasons, r.stdout
    r = ctl(str(tmp_path / "none.sock"), "revoke", "-r", "bad", "x")
    assert r.returncode == 2
    assert r.stderr == 'acmectl: unknown revocation reason "bad" (one of ' \
        + ", ".join(reasons) + ")\n", r.stderr


def test_usage_errors_say_what_is_wrong(tmp_path):
    path = str(tmp_path / "fake.sock")
    d = FakeDaemon(path)
    try:
        for args, first in [
                (["statu"], 'acmectl: unknown command "statu"'),
                (["renew"], "acmectl: renew needs a certificate id"),
                (["revoke"], "acmectl: revoke needs a certificate id"),
                (["status", "extra"],
                 'acmectl: status: unexpected argument "extra"'),
                (["reload", "now"],
                 'acmectl: reload: unexpected argument "now"'),
                (["deactivate", "acct"],
                 "acmectl: deactivate needs an account and an endpoint"),
                ([], "acmectl: no command"),
                (["-x", "status"], "acmectl: invalid option -- 'x'"),
                (["--bogus", "status"],
                 "acmectl: unrecognized option '--bogus'"),
                (["-t"], "acmectl: option requires an argument -- 't'")]:
            r = ctl(path, *args)
            assert r.returncode == 2, (args, r.stderr)
            lines = r.stderr.splitlines()
            assert lines[0] == first, (args, r.stderr)
            # Then the synopsis alone, not the whole help.
            assert lines[1].startswith("usage: acmectl "), r.stderr
            assert "--socket FILE" not in r.stderr, r.stderr
            assert d.requests == [], args
    finally:
        d.close()


def test_connect_errors_get_the_right_hint(tmp_path):
    # In a folder anyone may cross: only the socket's mode keeps nobody
    # out.
    open_dir = tempfile.mkdtemp(prefix="acmed-control-", dir="/tmp")
    os.chmod(open_dir, 0o755)
    path = os.path.join(open_dir, "control.sock")
    d = FakeDaemon(path)
    try:
        os.chmod(path, 0o600)
        r = ctl(path, "status", preexec_fn=lambda: os.setuid(NOBODY))
        assert r.returncode == 2
        assert r.stderr == f"acmectl: {path}: Permission denied (only " \
            "root and the user acmed runs as may use it)\n", r.stderr
        assert d.requests == []
    finally:
        d.close()
        shutil.rmtree(open_dir)
    gone = str(tmp_path / "gone.sock")
    r = ctl(gone, "status")
    assert r.returncode == 2
    assert r.stderr == f"acmectl: {gone}: No such file or directory (is " \
        f"acmed running with --control-socket {gone}?)\n", r.stderr
    # Left by a dead daemon: nobody listens.
    dead = str(tmp_path / "dead.sock")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(dead)
    r = ctl(dead, "status")
    assert r.returncode == 2
    assert r.stderr == f"acmectl: {dead}: Connection refused (is acmed " \
        f"running with --control-socket {dead}?)\n", r.stderr


def key_pem(client):
    with open(os.path.join(client.certs, CERT_NAME + ".pk.pem")) as f:
        return f.read()


def test_revoked_key_is_not_reused(fakeca_factory, tmp_path):
    """kp_reuse keeps the key over renewals, but not over a revocation
    for key compromise, also when the daemon restarts before the
    replacement comes: the revocation is marked next to the certificate
    until then."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    a.stop()
    text = open(client.config).read()
    with open(client.config, "w") as f:
        f.write(text.replace('key_type = "ecdsa_p256"\n',
                             'key_type = "ecdsa_p256"\nkp_reuse = true\n'))
    marker = os.path.join(client.certs, CERT_NAME + ".crt.pem.revoked")
    a.start("--control-socket", sock)
    try:
        wait_until(lambda: ctl(sock, "status").returncode == 0 and
                   status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        key = key_pem(client)
        assert ctl(sock, "revoke", "-r", "superseded",
                   CERT_NAME).returncode == 0
        a.wait_log("certificate renewed")
        assert key_pem(client) == key and not os.path.exists(marker)
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the renewed certificate back in the schedule")
        # The CA issues nothing for now: the revoked certificate stays.
        ca.set_script([refuse("newOrder", 503, "serverInternal", "down")])
        pem = open(os.path.join(client.certs, CERT_NAME + ".crt.pem")).read()
        assert ctl(sock, "revoke", "-r", "keyCompromise",
                   CERT_NAME).returncode == 0
        serial = re.search(r"serial=(\w+)", openssl(
            "x509", "-in", os.path.join(client.certs, CERT_NAME + ".crt.pem"),
            "-noout", "-serial"))[1]
        with open(marker) as f:
            assert f.read() == f"keyCompromise {serial}\n"
        assert stat.S_IMODE(os.stat(marker).st_mode) == 0o600
    finally:
        a.stop()
    with open(os.path.join(client.certs, CERT_NAME + ".crt.pem")) as f:
        assert f.read() == pem
    # After a restart, with the CA back: due at once, with a new key.
    ca.set_script([])
    a.start("--control-socket", sock)
    try:
        a.wait_log("the certificate was revoked (keyCompromise)")
        wait_until(lambda: not os.path.exists(marker), 60,
                   "the replacement of the revoked certificate")
        assert key_pem(client) != key
        assert "the key is not reused after a revocation for key " \
            "compromise" in a.log()
    finally:
        a.stop()


def test_marker_of_another_certificate_is_removed(fakeca_factory,
                                                  tmp_path):
    """A marker left behind by a certificate since replaced (a crash
    between the two) does not make the new one due."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    a.stop()
    marker = os.path.join(client.certs, CERT_NAME + ".crt.pem.revoked")
    with open(marker, "w") as f:
        f.write("keyCompromise 0123ABCD\n")
    a.start("--control-socket", sock)
    try:
        a.wait_log("the certificate marked as revoked (serial 0123ABCD) "
                   "has been replaced")
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        assert not os.path.exists(marker) and orders(ca) == 1
    finally:
        a.stop()


def test_no_revocation_without_its_marker(fakeca_factory, tmp_path):
    """The marker is written first: a certificate that could not be marked
    is not revoked (it would look valid after a restart)."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    marker = os.path.join(client.certs, CERT_NAME + ".crt.pem.revoked")
    os.mkdir(marker)
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        r = ctl(sock, "revoke", "-r", "keyCompromise", CERT_NAME)
        assert r.returncode == 1 and "not revoked" in r.stderr, r.stderr
        assert revocations(ca) == []
    finally:
        a.stop()


def test_already_revoked_counts_as_revoked(fakeca_factory, tmp_path):
    """An answer lost on the way, then alreadyRevoked to the retry, or a
    certificate revoked by someone else: revoked all the same."""
    ca, client, a, sock = daemon_with_socket(
        fakeca_factory, tmp_path,
        script=[refuse("revokeCert", 400, "alreadyRevoked",
                       "already revoked")])
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        r = ctl(sock, "revoke", CERT_NAME)
        assert r.returncode == 0, r.stderr
        a.wait_log("certificate renewed")
        assert orders(ca) == 2
    finally:
        a.stop()


NO_ORDERS = refuse("newOrder", 403, "unauthorized", "no orders today")


def test_failed_revocations_keep_the_marker(fakeca_factory, tmp_path):
    """A refused revocation puts back the marker of an earlier one (and
    keyCompromise stays keyCompromise); one whose answer is lost leaves
    the certificate marked, and renewed."""
    ca, client, a, sock = daemon_with_socket(
        fakeca_factory, tmp_path,
        script=[NO_ORDERS])
    marker = os.path.join(client.certs, CERT_NAME + ".crt.pem.revoked")
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        assert ctl(sock, "revoke", "-r", "keyCompromise",
                   CERT_NAME).returncode == 0
        first = open(marker).read()
        assert first.startswith("keyCompromise ")
        a.wait_log("no orders today")
        ca.set_script([
            NO_ORDERS,
            refuse("revokeCert", 403, "unauthorized", "not yours")])
        wait_until(lambda: "not yours" in ctl(
            sock, "revoke", "-r", "superseded", CERT_NAME).stderr, 30,
                   "a refused revocation (not while a renewal runs)")
        assert open(marker).read() == first
    finally:
        a.stop()
    os.unlink(marker)
    # The CA's answer is lost: marked all the same, and renewed.
    ca.set_script([{"endpoint": "revokeCert", "close": True}])
    a.start("--control-socket", sock)
    try:
        wait_until(lambda: ctl(sock, "status").returncode == 0 and
                   status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        r = ctl(sock, "revoke", CERT_NAME)
        assert r.returncode == 1
        assert "the certificate stays marked revoked, and is renewed" in \
            r.stderr, r.stderr
        assert open(marker).read().startswith("none ")
        a.wait_log("certificate renewed")
        assert not os.path.exists(marker)
    finally:
        a.stop()


def test_revocation_refused(fakeca_factory, tmp_path):
    """The CA's refusal is the answer; nothing is renewed."""
    ca, client, a, sock = daemon_with_socket(
        fakeca_factory, tmp_path,
        script=[refuse("revokeCert", 403, "unauthorized", "not yours")])
    try:
        wait_until(lambda: status(sock)[0]["state"] == "valid", 30,
                   "the start-up check")
        r = ctl(sock, "revoke", CERT_NAME)
        assert r.returncode == 1
        assert f"{ca.base}/revoke: HTTP 403 unauthorized: not yours" in \
            r.stderr, r.stderr
        assert status(sock)[0]["state"] == "valid"
        assert orders(ca) == 1
        assert not os.path.exists(os.path.join(
            client.certs, CERT_NAME + ".crt.pem.revoked"))
    finally:
        a.stop()


def test_socket_files(fakeca_factory, tmp_path):
    # In a folder anyone may cross, for the test of another user.
    open_dir = tempfile.mkdtemp(prefix="acmed-control-", dir="/tmp")
    os.chmod(open_dir, 0o755)
    try:
        socket_files(fakeca_factory, tmp_path,
                     os.path.join(open_dir, "control.sock"))
    finally:
        shutil.rmtree(open_dir)


def socket_files(fakeca_factory, tmp_path, sock):
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path, sock=sock)
    try:
        # A daemon answers on it: a second one (with folders of its own)
        # is refused at start-up.
        other = Client(tmp_path / "second", ca)
        r = subprocess.run(
            [program("acmed"), "-c", other.config, "-f", "--no-pid-file",
             "--log-stderr", "--root-cert", ca.tls_cert,
             "--control-socket", sock],
            capture_output=True, text=True, timeout=60)
        assert r.returncode == 1
        assert f"{sock}: another process is listening on this socket" in \
            r.stderr, r.stderr
        # A peer that is not root nor acmed's user is refused, even when
        # the mode lets it in.
        os.chmod(sock, 0o666)
        r = ctl(sock, "status", preexec_fn=lambda: os.setuid(NOBODY))
        assert r.returncode == 1 and r.stderr == \
            "acmectl: permission denied\n", r.stderr
        assert "control socket: request from uid 65534 refused" in a.log()
        # A request that never ends is cut off (after 5 s); the next one
        # is served.
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.sendall(b"stat")
        t0 = time.monotonic()
        assert status(sock)[0]["certificate"] == CERT_NAME
        assert time.monotonic() - t0 < 8
        s.close()
        # One that sends a byte a second is cut off as soon (the limit is
        # for the whole request, not for each byte).
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        t0 = time.monotonic()
        for _ in range(3):
            s.sendall(b"s")
            time.sleep(1)
        assert status(sock)[0]["certificate"] == CERT_NAME
        assert time.monotonic() - t0 < 8
        s.close()
        # A client that holds the control thread does not hold a stop.
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.sendall(b"stat")
        t0 = time.monotonic()
        a.signal(signal.SIGTERM)
        a.proc.wait(timeout=30)
        assert time.monotonic() - t0 < 3
        assert a.proc.returncode == 0
        s.close()
    finally:
        if a.proc.poll() is None:
            a.signal(signal.SIGKILL)
        a.proc.wait()
    # Left behind by a daemon that is gone: replaced.
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(sock)
    srv.close()
    assert os.path.exists(sock)
    a2 = Acmed(client.folder, ca)
    a2.config = client.config
    a2.start("--control-socket", sock)
    try:
        wait_until(lambda: ctl(sock, "status").returncode == 0, 30,
                   "the new daemon's control socket")
    finally:
        a2.stop()
    # Any other file is not removed.
    with open(sock, "w") as f:
        f.write("precious\n")
    r = subprocess.run(a2.argv("-f", "--no-pid-file", "--control-socket",
                               sock), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1
    assert f"{sock}: exists and is not a socket" in r.stderr
    with open(sock) as f:
        assert f.read() == "precious\n"


def test_control_socket_is_for_the_daemon(tmp_path):
    for mode in ("--once", "--check-config"):
        r = subprocess.run([program("acmed"), "-c", "/nonexistent", mode,
                            "--control-socket", str(tmp_path / "s")],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 2
        assert re.search("--control-socket is for the daemon", r.stderr)


def test_acmectl_gives_up_on_a_silent_daemon(tmp_path):
    """A daemon that never answers (stopped with SIGSTOP, say) does not
    hold acmectl forever."""
    path = str(tmp_path / "silent.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    try:
        t0 = time.monotonic()
        r = ctl(path, "-t", "1", "status")
        assert r.returncode == 2
        assert r.stderr == f"acmectl: {path}: no answer within 1 s\n"
        assert time.monotonic() - t0 < 10
    finally:
        srv.close()


def deactivations(ca):
    return [r["path"] for r in ca.requests()
            if r["path"].startswith("/acct/") and
            r.get("payload") == {"status": "deactivated"}]


def test_deactivate_refused_while_certificates_use_the_account(
        fakeca_factory, tmp_path):
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        # Another name for the same CA is the same account there.
        with open(client.config, "a") as f:
            f.write(f'\n[[endpoint]]\nname = "alias"\n'
                    f'url = "{ca.directory}"\ntos_agreed = true\n')
        a.signal(signal.SIGHUP)
        a.wait_log("configuration reloaded")
        in_use = (f'account "test" is what certificate "{CERT_NAME}" uses '
                  'on endpoint "fake", the same account for the CA: take '
                  'it out of the configuration (and reload) first')
        for args, message in [
                (("test", "fake"), in_use),
                (("test", "alias"), in_use),
                (("nobody", "fake"), 'no account "nobody"'),
                (("test", "elsewhere"), 'no endpoint "elsewhere"')]:
            r = ctl(sock, "deactivate", *args)
            assert r.returncode == 1 and message in r.stderr, r.stderr
        r = ctl(sock, "deactivate", "test\tx", "fake")
        assert r.returncode == 2 and "not an account" in r.stderr
        assert deactivations(ca) == []
    finally:
        a.stop()


def test_deactivate_refused_on_another_spelling_of_the_ca(fakeca_factory,
                                                        tmp_path):
    """An endpoint whose URL is written another way, on which the account
    has the same registration: the CA's account is the one certificates
    use elsewhere."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        with open(client.config) as f:
            text = f.read()
        other = (f'\n[[endpoint]]\nname = "other"\n'
                 f'url = "{ca.directory}?spelled=otherwise"\n'
                 'tos_agreed = true\n')
        www = ("\n[[certificate]]" + text.split("[[certificate]]")[1]
               .replace('"example.org"', '"www.example.org"')
               .replace('endpoint = "fake"', 'endpoint = "other"'))
        with open(client.config, "w") as f:
            f.write(text + other + www)
        a.signal(signal.SIGHUP)
        wait_until(lambda: os.path.exists(os.path.join(
            client.certs, "www.example.org_ecdsa-p256.crt.pem")), 60,
            "the certificate on the other endpoint")
        records = AccountFile.read(client.accounts)
        assert records.endpoint("other").account_url == \
            records.endpoint("fake").account_url != ""
        # The certificate on "other" goes; the one on "fake" stays.
        with open(client.config, "w") as f:
            f.write(text + other)
        a.signal(signal.SIGHUP)
        wait_until(lambda: a.log().count("configuration reloaded") == 2, 30,
                   "the second reload")
        r = ctl(sock, "deactivate", "test", "other")
        assert r.returncode == 1, r.stdout
        assert (f'certificate "{CERT_NAME}" uses on endpoint "fake", the '
                'same account for the CA') in r.stderr, r.stderr
        assert deactivations(ca) == []
    finally:
        a.stop()


def test_deactivate(fakeca_factory, tmp_path):
    """Once no certificate uses it (a reload took them out), the account
    is deactivated on the CA and its file forgets the registration."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        url = AccountFile.read(client.accounts).endpoint("fake").account_url
        assert url.startswith(ca.base + "/acct/")
        with open(client.config) as f:
            text = f.read()
        with open(client.config, "w") as f:
            f.write(text.split("[[certificate]]")[0])
        a.signal(signal.SIGHUP)
        a.wait_log("configuration reloaded: 0 certificates")
        r = ctl(sock, "deactivate", "test", "fake")
        assert r.returncode == 0, r.stderr
        assert r.stdout == 'account "test": deactivated on endpoint "fake"\n'
        assert deactivations(ca) == [url[len(ca.base):]]
        assert AccountFile.read(client.accounts).endpoint(
            "fake").account_url == ""
        # Nothing left to deactivate.
        r = ctl(sock, "deactivate", "test", "fake")
        assert r.returncode == 1 and "is not registered" in r.stderr
    finally:
        assert a.stop() == 0


def test_reload(fakeca_factory, tmp_path):
    """acmectl reload: the configuration's errors in the answer (exit
    status 1) and the running one kept; a good one is taken up."""
    ca, client, a, sock = daemon_with_socket(fakeca_factory, tmp_path)
    try:
        with open(client.config) as f:
            good = f.read()
        with open(client.config, "w") as f:
            f.write(good + '\n[[certificate]]\nnope = 1\n')
        lines = len(good.splitlines())
        r = ctl(sock, "reload")
        assert r.returncode == 1, r.stdout
        assert r.stderr.startswith("acmectl: reload failed, the running "
                                   "configuration is kept:\n")
        assert f"{client.config}:{lines + 3}:1: " in r.stderr
        assert "reload asked for on the control socket (uid 0)" in a.log()
        assert [row["certificate"] for row in status(sock)] == [CERT_NAME]

        second = good[good.index("[[certificate]]"):].replace(
            '"example.org"', '"second.example.org"')
        with open(client.config, "w") as f:
            f.write(good + second)
        r = ctl(sock, "reload")
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("configuration loaded: 2 certificates")
        wait_until(lambda: len(status(sock)) == 2, 30, "two certificates")
    finally:
        a.stop()
    assert a.proc.returncode == 0
