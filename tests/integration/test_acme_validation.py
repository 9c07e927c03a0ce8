"""Real validation (issue 6): Pebble checks the proofs, which the driver
publishes through pebble-challtestsrv (http-01 on its HTTP port, dns-01
in its DNS server, which Pebble uses as resolver).  Also with half of the
nonces rejected, a proof that is never published, and acmed's dns-01
hooks replacing the TXT record instead of adding to it."""
import glob
import json
import os

import pytest

from acmed import Acmed, CHALLTEST_HOOK, toml_str
from certs import sans, verify_chain

from test_acme_support import (AccountFile, Acme, FakeChallSrv,
                               check_outputs, drive, no_hang_limit, load_der,
                               order_args)

NONCE = [{}, {"PEBBLE_WFE_NONCEREJECT": "50"}]
NONCE_IDS = ["nonces-ok", "half-nonces-rejected"]


@pytest.mark.parametrize("env", NONCE, ids=NONCE_IDS)
def test_http01(pebble_factory, tmp_path, env):
    """http-01 for a name (resolved by challtestsrv to 127.0.0.1) and for
    an IP address."""
    p = pebble_factory(env=env)
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    idents = ["dns:http01.example.org", "ip:127.0.0.1"]
    drive({"p": p}, acc, "order", "--challtestsrv", p.chall_mgmt,
          "--out", out, *order_args(idents))
    check_outputs(p, out / "p", idents)


@pytest.mark.parametrize("env", NONCE, ids=NONCE_IDS)
def test_dns01(pebble_factory, tmp_path, env):
    """dns-01 for a name and the wildcard under it: two TXT values on one
    record name, published one after the other (each withdrawn with
    clear-txt, which empties the record, before the next is added)."""
    p = pebble_factory(env=env)
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    idents = ["dns:dns01.example.org", "dns:*.dns01.example.org"]
    drive({"p": p}, acc, "order", "--challenge", "dns-01", "--challtestsrv",
          p.chall_mgmt, "--out", out, *order_args(idents))
    check_outputs(p, out / "p", idents)


def logged_hook(pebble, log, name, kind, args):
    """A hook of one type that runs hooks/challtestsrv.py with args and
    logs what it did to log."""
    return f"""
[[hook]]
name = "{name}"
type = ["{kind}"]
cmd = {toml_str(CHALLTEST_HOOK)}
args = [{", ".join(toml_str(a) for a in
                  ["--log", str(log), pebble.chall_mgmt, *args])}]
"""


def replacing_dns01_hooks(pebble, log):
    """dns-01 hooks that replace the TXT record (clear-txt, then set-txt)
    and log what they did, in a group of their own."""
    def hook(name, kind, args):
        return logged_hook(pebble, log, name, kind, args)
    return (hook("dns-replace", "challenge-dns-01",
                 ["replace-txt", "{{ identifier }}", "{{ proof }}"]) +
            hook("dns-clear", "challenge-dns-01-clean",
                 ["clear-txt", "{{ identifier }}"]) + """
[[group]]
name = "replacing"
hooks = ["dns-replace", "dns-clear"]
""")


def issued_for(a, p, log, names):
    """One --once run that issues for names from Pebble p: the events its
    hooks logged."""
    run = a.once(check=False)
    with open(log) as f:
        events = [json.loads(line) for line in f]
    assert run.returncode == 0, f"{events}\n{run.stderr[-6000:]}"
    [crt] = glob.glob(a.certs + "/*.crt.pem")
    with open(crt, "rb") as f:
        pem = f.read()
    assert sorted(sans(pem)) == sorted("DNS:" + n for n in names)
    verify_chain(pem, p)
    return events


def test_dns01_hook_replaces_the_record(pebble_factory, tmp_path):
    """A dns-01 hook that replaces the TXT record (nsupdate's delete and
    add, a DNS provider's "set record") works for a name and the wildcard
    under it, as it does with ACMEd: both proofs go to
    _acme-challenge.example.org, so the second is published only once
    the first is validated and withdrawn.  Every dns-01 proof has a
    round of its own, as with ACMEd, which cannot tell which names share
    a record."""
    p = pebble_factory()
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    log = tmp_path / "dns-hooks.jsonl"
    names = ["example.org", "*.example.org", "a.example.org",
             "b.example.org"]
    ids = ",\n    ".join(f'{{ dns = {toml_str(n)}, challenge = "dns-01" }}'
                          for n in names)
    a.write(a.base_config() + replacing_dns01_hooks(p, log) + f"""
[[certificate]]
account = "test"
endpoint = "pebble"
hooks = ["replacing"]
identifiers = [
    {ids},
]
""")
    events = issued_for(a, p, log, names)

    # Never two proofs on one record at once: each is withdrawn before
    # the next for its record is published.
    up = set()
    for e in events:
        record = e["identifier"].removeprefix("*.")
        if e["action"] == "replace-txt":
            assert record not in up, events
            up.add(record)
        else:
            assert e["action"] == "clear-txt" and record in up, events
            up.remove(record)
    assert not up, events
    assert sorted(e["identifier"] for e in events
                  if e["action"] == "replace-txt") == sorted(names)
    # One round a proof: each withdrawn once validated, before the next.
    assert [e["action"] for e in events] == \
        ["replace-txt", "clear-txt"] * 4, events


def test_dns01_records_cnamed_to_one_record(pebble_factory, tmp_path):
    """The acme-dns setup: the _acme-challenge records of two names are
    CNAMEs of one shared record, which the hook replaces (acmed cannot
    see the CNAMEs).  With ACMEd, which validates one authorization after
    another, it works; two proofs up at once would leave the shared
    record with the second, and the CA would find the wrong value for
    the first.  So dns-01 proofs are published one at a time.  http-01
    proofs stay together, in the first round, beside the first dns-01
    one."""
    p = pebble_factory()
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    log = tmp_path / "hooks.jsonl"
    shared = ["a.shared.example.org", "b.shared.example.org"]
    http = ["h1.shared.example.org", "h2.shared.example.org"]
    names = [shared[0], http[0], shared[1], http[1]]
    ids = ",\n    ".join(
        f'{{ dns = {toml_str(n)}, challenge = '
        f'"{"dns-01" if n in shared else "http-01"}" }}' for n in names)
    a.write(a.base_config() +
            logged_hook(p, log, "shared-replace", "challenge-dns-01",
                        ["replace-shared-txt", "{{ identifier }}",
                         "{{ proof }}", *shared]) +
            logged_hook(p, log, "shared-clear", "challenge-dns-01-clean",
                        ["clear-shared-txt", "{{ identifier }}", *shared]) +
            logged_hook(p, log, "http-add-logged", "challenge-http-01",
                        ["add-http01", "{{ file_name }}", "{{ proof }}"]) +
            logged_hook(p, log, "http-del-logged", "challenge-http-01-clean",
                        ["del-http01", "{{ file_name }}"]) + f"""
[[certificate]]
account = "test"
endpoint = "pebble"
hooks = ["shared-replace", "shared-clear", "http-add-logged",
         "http-del-logged"]
identifiers = [
    {ids},
]
""")
    events = issued_for(a, p, log, names)

    # Round 1: both http-01 proofs and one dns-01 proof, withdrawn once
    # validated; round 2: the other dns-01 proof.
    actions = [e["action"] for e in events]
    assert sorted(actions[:3]) == \
        ["add-http01", "add-http01", "replace-shared-txt"], events
    assert sorted(actions[3:6]) == \
        ["clear-shared-txt", "del-http01", "del-http01"], events
    assert actions[6:] == ["replace-shared-txt", "clear-shared-txt"], events
    dns = [e["identifier"] for e in events
           if e["action"] == "replace-shared-txt"]
    assert sorted(dns) == shared, events


def test_validation_fails(pebble_factory, tmp_path):
    """Nothing published: the authorization turns invalid, the poll stops
    at once, and the error names the identifier, the challenge and the
    CA's reason.  No files."""
    p = pebble_factory()
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    run = drive({"p": p}, acc, "order", "--out", out, "--ident",
                "dns:unpublished.example.org", check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert "dns:unpublished.example.org: authorization is invalid: " \
        "http-01 challenge failed: " in msg
    assert "http-01 challenge failed: unauthorized: " in msg
    assert run.seconds < no_hang_limit()
    assert not os.path.exists(out)


def test_publishing_fails(pebble, tmp_path):
    """The proofs cannot be published (the challenge hook fails, here the
    challtestsrv answers 500): the hook's error is reported, not the one
    of the clean-up that follows; every proof set up is withdrawn; the CA
    is not asked to validate, and the abandoned order's authorizations
    are deactivated."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    idents = ["dns:a.example.org", "dns:b.example.org"]
    with FakeChallSrv(status=500) as chall:
        run = drive({"p": pebble}, acc, "order", "--challtestsrv",
                    chall.url, "--out", out, *order_args(idents),
                    check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert f"{chall.url}/add-http01: HTTP 500" in msg
    assert [c[0] for c in chall.calls] == ["/add-http01", "/del-http01"]
    assert not os.path.exists(out)
    f = AccountFile.read(acc)
    authz = Acme(pebble).authorizations(run.accounts["p"],
                                        load_der(f.current.der))
    assert sorted(authz.values()) == ["deactivated", "deactivated"]
