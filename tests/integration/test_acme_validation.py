"""Real validation (issue 6): Pebble checks the proofs, which the driver
publishes through pebble-challtestsrv (http-01 on its HTTP port, dns-01
in its DNS server, which Pebble uses as resolver).  Also with half of the
nonces rejected, and a proof that is never published."""
import os

import pytest

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
    record name, both published before either challenge is answered."""
    p = pebble_factory(env=env)
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    idents = ["dns:dns01.example.org", "dns:*.dns01.example.org"]
    drive({"p": p}, acc, "order", "--challenge", "dns-01", "--challtestsrv",
          p.chall_mgmt, "--out", out, *order_args(idents))
    check_outputs(p, out / "p", idents)


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
