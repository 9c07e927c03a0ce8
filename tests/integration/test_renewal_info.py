"""Renewal information (RFC 9773, "ARI") against tests/fakeca/fakeca.py,
whose directory lists renewalInfo only when a test asks for it.

What this suite pins down:

- A certificate that is not due is checked at once (--once, and the
  daemon at start-up and right after each issuance): GET
  <renewalInfo>/<certID>, certID computed here independently from the
  certificate (authority key identifier "." serial, base64url).
- A window that has begun (or passed) renews now; a later one leaves the
  renewal at the earlier of the window and acmed's own due date.
- newOrder names the certificate it replaces ("replaces" = certID), only
  to a CA that lists renewalInfo; alreadyReplaced orders again without it.
- A malformed or failed answer is a warning naming the URL: no renewal,
  exit status 0.
- The daemon asks again after Retry-After, not at a reload.
"""
import base64
import json
import os
import re
import signal
import stat
import time

import pytest

from acmed import Acmed
from certs import openssl
from fakeca_fixture import fakeca_factory  # noqa: F401 (fixture)
from pebble import wait_until
from test_hostile_ca import CERT_NAME, Client

DAY = 86400
ARI = "/renewal-info/"


@pytest.fixture(autouse=True)
def fresh_certificates_follow_the_window(monkeypatch):
    """The certificates here are seconds old: without the test knob, a
    window that says "now" would wait until they are a day old."""
    monkeypatch.setenv("ACMED_ARI_MIN_AGE_S", "0")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def cert_id(path):
    """RFC 9773 section 4.1, from openssl's text output."""
    text = openssl("x509", "-in", path, "-noout", "-serial", "-ext",
                   "authorityKeyIdentifier")
    serial = int(re.search(r"serial=([0-9A-F]+)", text)[1], 16)
    aki = re.search(r"((?:[0-9A-F]{2}:)+[0-9A-F]{2})", text.split(
        "Authority Key Identifier", 1)[1])[1]
    der = serial.to_bytes(serial.bit_length() // 8 + 1, "big")
    return b64u(bytes.fromhex(aki.replace(":", ""))) + "." + b64u(der)


def with_ari(ca, *rules):
    ca.set_script([{"endpoint": "directory",
                    "set": {"renewalInfo": ca.base + "/renewal-info"}},
                   *rules])


def window(start, end, retry_after=None, explanation=None):
    rule = {"endpoint": "renewalInfo", "method": "GET",
            "json": {"suggestedWindow": {"start": rfc3339(start),
                                         "end": rfc3339(end)}}}
    if explanation:
        rule["json"]["explanationURL"] = explanation
    if retry_after is not None:
        rule["headers"] = {"Retry-After": str(retry_after)}
    return rule


def issued(fakeca_factory, tmp_path, ari=True):
    """A fake CA and a client holding a certificate from it."""
    ca = fakeca_factory()
    if ari:
        with_ari(ca)
    client = Client(tmp_path / "acmed", ca)
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    orders = [r for r in ca.requests() if r["path"] == "/new-order"]
    # Nothing to replace yet, and nothing to ask about.
    assert len(orders) == 1 and "replaces" not in orders[0]["payload"]
    assert not [r for r in ca.requests() if r["path"].startswith(ARI)]
    return ca, client


def crt(client):
    return os.path.join(client.certs, CERT_NAME + ".crt.pem")


def read(path):
    with open(path) as f:
        return f.read()


def ari_gets(ca):
    return [r["path"][len(ARI):] for r in ca.requests()
            if r["path"].startswith(ARI)]


def new_orders(ca):
    return [r["payload"] for r in ca.requests() if r["path"] == "/new-order"]


def test_window_passed_renews_now_replacing_the_old_one(fakeca_factory,
                                                        tmp_path):
    ca, client = issued(fakeca_factory, tmp_path)
    old_id, old_pem = cert_id(crt(client)), read(crt(client))
    now = time.time()
    with_ari(ca, window(now - 2 * DAY, now - DAY,
                        explanation="https://ca.example/incident/42"))
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert ari_gets(ca) == [old_id]
    orders = new_orders(ca)
    assert len(orders) == 2 and orders[1]["replaces"] == old_id
    assert read(crt(client)) != old_pem
    line = [l for l in proc.stderr.splitlines() if "renewing now" in l]
    assert line, proc.stderr[-4000:]
    assert f"the CA suggests renewing between {rfc3339(now - 2 * DAY)}" \
        in line[0]
    assert "(see https://ca.example/incident/42)" in line[0]


def test_a_certificate_of_the_last_day_is_not_renewed_at_once(
        fakeca_factory, tmp_path, monkeypatch):
    """A CA (or a cache in front of it) that says "now" for the
    certificate it has just issued does not make each --once run (or each
    start of the daemon) issue another."""
    monkeypatch.delenv("ACMED_ARI_MIN_AGE_S")
    ca, client = issued(fakeca_factory, tmp_path)
    old_pem = read(crt(client))
    now = time.time()
    with_ari(ca, window(now - 2 * DAY, now - DAY))
    for _ in range(2):
        proc = client.run()
        assert proc.returncode == 0, proc.stderr[-4000:]
        assert "the certificate is less than a day old" in proc.stderr
    assert len(new_orders(ca)) == 1 and read(crt(client)) == old_pem
    # Asked once: the answer is kept until its Retry-After (6 h without
    # one), and the second run reads it from the file.
    assert len(ari_gets(ca)) == 1


def test_once_asks_again_only_after_retry_after(fakeca_factory, tmp_path):
    """RFC 9773 section 4.3: a cron job running --once every hour asks
    about a certificate only when the CA's Retry-After has passed.  The
    answer is kept beside the certificate, for that certificate from that
    CA only."""
    ca, client = issued(fakeca_factory, tmp_path)
    now = time.time()
    with_ari(ca, window(now + 15 * DAY, now + 16 * DAY, retry_after=3600))
    first = client.run()
    assert first.returncode == 0, first.stderr[-4000:]
    assert ari_gets(ca) == [cert_id(crt(client))]
    kept = os.path.join(client.certs, "." + CERT_NAME + ".crt.pem.ari")
    st = os.lstat(kept)
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    with open(kept) as f:
        doc = json.loads(f.read())
    assert doc["acmed"]["certificate"] == cert_id(crt(client))
    assert doc["acmed"]["endpoint"] == ca.directory
    nxt = time.mktime(time.strptime(doc["acmed"]["next"],
                                    "%Y-%m-%dT%H:%M:%SZ")) - \
        time.mktime(time.gmtime(0))
    assert now + 3600 - 60 <= nxt <= time.time() + 3600
    # Within the hour: not asked, the same moment.
    second = client.run()
    assert second.returncode == 0, second.stderr[-4000:]
    assert len(ari_gets(ca)) == 1
    at = re.compile(r"renewal at (\S+)")
    assert at.search(second.stderr)[1] == at.search(first.stderr)[1]
    # The hour over (the file says so): asked again.
    doc["acmed"]["next"] = rfc3339(time.time() - 1)
    with open(kept, "w") as f:
        f.write(json.dumps(doc) + "\n")
    assert client.run().returncode == 0
    assert len(ari_gets(ca)) == 2
    # An answer about another certificate (one replaced since) is not
    # taken: asked again.
    doc["acmed"]["next"] = rfc3339(time.time() + 3600)
    doc["acmed"]["certificate"] = "AAAA.AAAA"
    with open(kept, "w") as f:
        f.write(json.dumps(doc) + "\n")
    assert client.run().returncode == 0
    assert len(ari_gets(ca)) == 3
    # Nor one that does not parse.
    with open(kept, "w") as f:
        f.write("{not json\n")
    assert client.run().returncode == 0
    assert len(ari_gets(ca)) == 4


def test_window_begun_renews_now(fakeca_factory, tmp_path):
    """A window that has begun but not ended: the moment picked in it is
    past (all but the last 2 s of a day are), so the renewal is now."""
    ca, client = issued(fakeca_factory, tmp_path)
    now = time.time()
    with_ari(ca, window(now - DAY, now + 2))
    old_pem = read(crt(client))
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert len(new_orders(ca)) == 2 and read(crt(client)) != old_pem


def test_window_ahead_leaves_the_certificate(fakeca_factory, tmp_path):
    ca, client = issued(fakeca_factory, tmp_path)
    old_id, old_pem = cert_id(crt(client)), read(crt(client))
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert ari_gets(ca) == [old_id]
    assert len(new_orders(ca)) == 1
    assert read(crt(client)) == old_pem
    # fakeca's window (15 to 16 days) comes before acmed's own date for a
    # 30-day certificate (20 days): it is the one logged.
    m = re.search(r"renewal at (\S+)Z", proc.stderr)
    assert m, proc.stderr[-4000:]
    at = time.mktime(time.strptime(m[1], "%Y-%m-%dT%H:%M:%S")) - \
        time.mktime(time.gmtime(0))
    assert time.time() + 15 * DAY - 120 <= at <= time.time() + 16 * DAY


def test_already_replaced_orders_without_replaces(fakeca_factory, tmp_path):
    ca, client = issued(fakeca_factory, tmp_path)
    old_id = cert_id(crt(client))
    now = time.time()
    with_ari(ca, window(now - 2 * DAY, now - DAY),
             {"endpoint": "newOrder", "nth": 1, "status": 409,
              "json": {"type": "urn:ietf:params:acme:error:alreadyReplaced",
                       "detail": "certificate already replaced"}})
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    orders = new_orders(ca)
    assert len(orders) == 3
    assert orders[1]["replaces"] == old_id and "replaces" not in orders[2]
    assert 'ordering again without "replaces"' in proc.stderr


def test_no_renewal_info_no_replaces(fakeca_factory, tmp_path):
    """A CA without renewalInfo is not asked, and its newOrder does not
    name the certificate it replaces (RFC 9773 section 5)."""
    ca, client = issued(fakeca_factory, tmp_path, ari=False)
    proc = client.run()
    assert proc.returncode == 0 and ari_gets(ca) == []
    assert "the CA offers no renewal information" in proc.stderr
    # Due now (a new identifier): renewed, without "replaces".
    text = read(client.config)
    with open(client.config, "w") as f:
        f.write(text.replace('{ dns = "example.org", challenge = "http-01" }',
                             '{ dns = "example.org", challenge = "http-01" },'
                             ' { dns = "www.example.org", challenge = '
                             '"http-01" }'))
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    orders = new_orders(ca)
    assert len(orders) == 2 and "replaces" not in orders[1]


BAD_ANSWERS = [
    ("end-before-start", {"json": {"suggestedWindow": {
        "start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}}},
     "suggestedWindow: the end is not after the start"),
    ("not-a-time", {"json": {"suggestedWindow": {
        "start": "yesterday", "end": "2030-01-01T00:00:00Z"}}},
     'suggestedWindow: member "start" is not an RFC 3339 date-time'),
    ("no-window", {"json": {"explanationURL": "https://ca.example/"}},
     'member "suggestedWindow"'),
    ("not-found", {"status": 404, "json": {
        "type": "urn:ietf:params:acme:error:malformed",
        "detail": "no such certificate"}},
     "HTTP 404 malformed: no such certificate"),
]


@pytest.mark.parametrize("answer,error", [(a, e) for _, a, e in BAD_ANSWERS],
                         ids=[i for i, _, _ in BAD_ANSWERS])
def test_bad_answer_is_a_warning(fakeca_factory, tmp_path, answer, error):
    ca, client = issued(fakeca_factory, tmp_path)
    old_id, old_pem = cert_id(crt(client)), read(crt(client))
    with_ari(ca, dict({"endpoint": "renewalInfo", "method": "GET"},
                      **answer))
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert len(new_orders(ca)) == 1 and read(crt(client)) == old_pem
    line = [l for l in proc.stderr.splitlines() if " WARN" in l and
            "renewal information" in l]
    assert line, proc.stderr[-4000:]
    assert f"{ca.base}{ARI}{old_id}" in line[0] and error in line[0], line[0]


def always_now(fakeca_factory, tmp_path, monkeypatch):
    """A daemon (backoff steps of 1 s) against a CA whose window is in the
    past for every certificate, once it has said "now" three times in a
    row: (ca, the running Acmed), for the caller to stop."""
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")
    ca, client = issued(fakeca_factory, tmp_path)
    now = time.time()
    with_ari(ca, window(now - 2 * DAY, now - DAY))
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    try:
        a.wait_log("now 3 times in a row", timeout=60)
    except BaseException:
        a.stop()
        raise
    return ca, a


def test_a_ca_that_always_says_now_is_followed_with_a_backoff(
        fakeca_factory, tmp_path, monkeypatch):
    """A window in the past for every certificate, the one just issued
    included: renewals back off (1, 10, 100 s with the test knob; 1, 10,
    100 min, then daily, without) instead of issuing in a loop."""
    ca, a = always_now(fakeca_factory, tmp_path, monkeypatch)
    try:
        m = re.search(r"now 3 times in a row: next attempt in (\d+) s",
                      a.log())
        assert 9 <= int(m[1]) <= 11, m[0]
        # The first renewal at once, the second after a second.
        assert len(new_orders(ca)) == 3
    finally:
        a.stop()


def test_a_ca_that_always_says_now_is_backed_off_past_the_minimum_age(
        fakeca_factory, tmp_path, monkeypatch):
    """The same CA with a minimum age (5 s here, a day without the knob):
    each new certificate's "now" is put off until it is old enough, and
    still counts in the streak, whose backoff then applies (without it,
    one issuance every 5 s: every answer started the streak again)."""
    monkeypatch.setenv("ACMED_ARI_MIN_AGE_S", "5")
    ca, a = always_now(fakeca_factory, tmp_path, monkeypatch)
    try:
        log = a.log()
        # The second renewal waits for what is left of the age (5 s from
        # the issuance: less on a loaded machine), the backoff's first
        # step being shorter (1 s); the third for the second (10 s).
        m = re.search(r"now 2 times in a row: next attempt in (\d+) s",
                      log)
        assert 0 <= int(m[1]) <= 5, m[0]
        m = re.search(r"now 3 times in a row: next attempt in (\d+) s",
                      log)
        assert 9 <= int(m[1]) <= 11, m[0]
        assert "the certificate is less than a day old" in log
        assert len(new_orders(ca)) == 3
    finally:
        a.stop()


@pytest.mark.parametrize("retry_after,wait", [
    ("99999999999999", DAY), ("0", 60)], ids=["absurd", "zero"])
def test_failed_check_retry_after_is_clamped(fakeca_factory, tmp_path,
                                             monkeypatch, retry_after, wait):
    """A failed check's Retry-After is clamped like an answer's, to 1 min
    - 1 day: one of years would leave the certificate unasked until it
    expired.  (The backoff's first step is 1 s with the knob.)"""
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")
    ca, client = issued(fakeca_factory, tmp_path)
    with_ari(ca, {"endpoint": "renewalInfo", "method": "GET", "status": 503,
                  "body": "", "headers": {"Retry-After": retry_after}})
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    try:
        a.wait_log("next check in", timeout=60)
        m = re.search(r"renewal information: (.*); next check in (\d+) s",
                      a.log())
        assert int(m[2]) == wait, m[0]
        assert "HTTP 503" in m[1]
        assert "1099511627776" not in m[1]
        assert len(new_orders(ca)) == 1
    finally:
        a.stop()


def test_a_window_moved_later_takes_its_moment_back(fakeca_factory,
                                                   tmp_path):
    """The CA can bring a renewal forward, and take that back: a window
    moved later (an incident withdrawn) puts the renewal back at the
    certificate's own due date (a third of 30 days before its end), not at
    the moment the first answer set.  The second check is a minute later
    (the shortest Retry-After taken)."""
    from test_control import status

    def scheduled():
        """The status row once the check is over: the line logged comes
        before the item is back in the schedule (busy: due "-")."""
        rows = []
        wait_until(lambda: rows.append(status(sock)[0]) or
                   rows[-1]["due"] != "-", 30, "the check to end")
        return rows[-1]
    ca, client = issued(fakeca_factory, tmp_path)
    now = time.time()
    with_ari(ca, window(now + 600, now + 601, retry_after=60))
    a = Acmed(client.folder, ca)
    a.config = client.config
    sock = os.path.join(client.folder, "control.sock")
    a.start("--control-socket", sock)
    try:
        a.wait_log("renewal at ", timeout=60)
        row = scheduled()
        assert row["due"] == rfc3339(now + 600), row
        with_ari(ca, window(now + 25 * DAY, now + 26 * DAY, retry_after=60))
        a.wait_log("the CA suggests renewing between "
                   f"{rfc3339(now + 25 * DAY)}", timeout=120)
        row = scheduled()
        due = time.mktime(time.strptime(row["due"], "%Y-%m-%dT%H:%M:%SZ")) \
            - time.mktime(time.gmtime(0))
        assert now + 19 * DAY < due < now + 21 * DAY, row
        assert "renewal back at its due date" in a.log()
        assert len(new_orders(ca)) == 1
    finally:
        a.stop()


def add_certificate(client, name):
    """Appends a copy of the client's certificate for another name."""
    text = read(client.config)
    with open(client.config, "a") as f:
        f.write(text.split("[[certificate]]")[1]
                .replace('"example.org"', f'"{name}"')
                .join(["\n[[certificate]]", "\n"]))


def test_checks_while_the_ca_is_down_fail_at_once(fakeca_factory, tmp_path):
    """One failed directory fetch answers for every check for a minute:
    thousands of certificates must not each wait out the retries on a CA
    that is down."""
    ca = fakeca_factory()
    with_ari(ca)
    client = Client(tmp_path / "acmed", ca)
    add_certificate(client, "a.example.org")
    add_certificate(client, "b.example.org")
    proc = client.run()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert len(new_orders(ca)) == 3
    ca.stop()
    proc = client.run("--workers", "1")
    assert proc.returncode == 0, proc.stderr[-4000:]
    warnings = [l for l in proc.stderr.splitlines()
                if " WARN" in l and "renewal information" in l]
    assert len(warnings) == 3, proc.stderr[-4000:]
    down = f"{ca.directory}: the directory could not be fetched less " \
        "than 60 s ago"
    assert len([l for l in warnings if down in l]) == 2, warnings


def test_workers_share_one_directory_fetch(fakeca_factory, tmp_path):
    """At start-up every worker checks a certificate at once: they wait
    for one directory fetch (slow here) instead of each making its own."""
    ca = fakeca_factory()
    client = Client(tmp_path / "acmed", ca)
    for name in ("a.example.org", "b.example.org", "c.example.org"):
        add_certificate(client, name)
    assert client.run().returncode == 0
    before = len(ca.requests())
    ca.set_script([{"endpoint": "directory", "delay": 1}])
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    try:
        wait_until(lambda: a.log().count("the CA offers no renewal "
                                         "information") == 4, 60,
                   "the four start-up checks")
        dirs = [r for r in ca.requests()[before:] if r["path"] == "/dir"]
        assert len(dirs) == 1, len(dirs)
    finally:
        a.stop()


def test_daemon_asks_after_issuance_and_not_at_reload(fakeca_factory,
                                                      tmp_path):
    """Start-up: the window has passed, so the daemon renews at once, then
    asks about the new certificate (whose window is ahead).  A reload does
    not ask about it again (the next check is Retry-After away), while a
    certificate the reload adds is issued and asked about."""
    ca, client = issued(fakeca_factory, tmp_path)
    old_id = cert_id(crt(client))
    now = time.time()
    # The old certificate's window has passed; any other is ahead.
    with_ari(ca, dict(window(now - 2 * DAY, now - DAY),
                      path=re.escape(ARI + old_id)))
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    try:
        wait_until(lambda: len(ari_gets(ca)) >= 2, 60,
                   "a check of the new certificate")
        new_id = cert_id(crt(client))
        assert new_id != old_id
        assert ari_gets(ca) == [old_id, new_id]
        assert len(new_orders(ca)) == 2
        assert new_orders(ca)[1]["replaces"] == old_id
        a.wait_log("renewal at ")
        add_certificate(client, "other.example.org")
        a.signal(signal.SIGHUP)
        wait_until(lambda: len(ari_gets(ca)) >= 3, 60,
                   "a check of the added certificate")
        other = os.path.join(client.certs,
                             "other.example.org_ecdsa-p256.crt.pem")
        assert ari_gets(ca) == [old_id, new_id, cert_id(other)]
        assert len(new_orders(ca)) == 3
        assert "replaces" not in new_orders(ca)[2]
    finally:
        a.stop()
    assert a.proc.returncode == 0
