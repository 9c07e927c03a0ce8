"""Robustness (issue 6): every flow still succeeds when Pebble rejects
half of the nonces (PEBBLE_WFE_NONCEREJECT=50), and a CA that stops in the
middle of a flow gives a clear error naming the URL, leaves no partial
files, and does not keep the worker waiting for long."""
import os

import pytest

from test_acme_support import (AccountFile, Acme, FakeChallSrv, b64u,
                               check_outputs, drive, file_state, no_hang_limit,
                               key_hash, load_der, order_args)

NONCE_REJECT = {"PEBBLE_VA_ALWAYS_VALID": "1", "PEBBLE_WFE_NONCEREJECT": "50"}
IDENTS = ["dns:robust.example.org", "ip:127.0.0.1"]


class Retries:
    """Counts the badNonce retries of the runs (with --verbose), so the
    tests show that nonces were indeed rejected."""

    def __init__(self):
        self.n = 0

    def __call__(self, run):
        self.n += run.stderr.count("(retrying with a fresh nonce)")
        return run


def test_flows_with_half_the_nonces_rejected(pebble_factory, tmp_path):
    """Register, contact update, a rollover cycle through every account
    key type, an order for every certificate key type, deactivation."""
    p = pebble_factory(env=NONCE_REJECT)
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    out.mkdir()
    seen = Retries()
    url = seen(drive({"p": p}, acc, "register", "--verbose", "--contact",
                     "mailto:a@example.org")).accounts["p"]
    run = seen(drive({"p": p}, acc, "register", "--verbose", "--contact",
                     "mailto:b@example.org"))
    assert "contacts updated" in run.stderr and run.accounts["p"] == url

    for kt in ("rsa2048", "ecdsa_p384", "rsa4096", "ecdsa_p521",
               "ecdsa_p256"):
        run = seen(drive({"p": p}, acc, "register", "--verbose",
                         "--key-type", kt, "--contact",
                         "mailto:b@example.org"))
        assert "account key updated" in run.stderr
        assert run.accounts["p"] == url
    f = AccountFile.read(acc)
    key = load_der(f.current.der)
    assert f.endpoint("p").key_hash == key_hash(key)
    assert Acme(p).find_account(key) == url

    for ck in ("rsa2048", "ecdsa_p256", "ecdsa_p384", "ecdsa_p521",
               "ed25519"):
        seen(drive({"p": p}, acc, "order", "--verbose", "--contact",
                   "mailto:b@example.org", "--cert-key", ck, "--out",
                   out / ck, *order_args(IDENTS)))
        check_outputs(p, out / ck / "p", IDENTS, ck)

    seen(drive({"p": p}, acc, "deactivate", "--verbose"))
    assert Acme(p).account(url, key)[0] == 403
    assert seen.n > 0


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_eab_with_half_the_nonces_rejected(pebble_factory, tmp_path, alg):
    """The binding is rebuilt for each attempt and stays valid; a wrong
    key still fails with the server's message, not a nonce error."""
    mac = os.urandom(32)
    p = pebble_factory(env=NONCE_REJECT, eab_required=True,
                       eab_keys={"kid-1": b64u(mac)})
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    eab = ["--eab-id", "kid-1", "--eab-key", b64u(mac), "--eab-alg", alg]
    run = drive({"p": p}, acc, "order", *eab, "--out", out,
                *order_args(IDENTS))
    assert 'account created on endpoint "p"' in run.stderr
    check_outputs(p, out / "p", IDENTS)
    assert AccountFile.read(acc).eab == ("kid-1", mac, alg)

    wrong = drive({"p": p}, acc, "register", "--account", "wrong",
                  "--eab-id", "kid-1", "--eab-key", b64u(os.urandom(32)),
                  "--eab-alg", alg, check=False)
    assert wrong.rc == 1
    assert "external account binding JWS verification error" in \
        wrong.errors()[0]


def test_two_cas_with_half_the_nonces_rejected(pebble_factory, tmp_path):
    """One account on two CAs at once, both rejecting nonces."""
    cas = {"a": pebble_factory("a", env=NONCE_REJECT),
           "b": pebble_factory("b", env=NONCE_REJECT)}
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    run = drive(cas, acc, "order", "--out", out, *order_args(IDENTS))
    f = AccountFile.read(acc)
    for name, p in cas.items():
        assert f.endpoint(name).account_url == run.accounts[name]
        check_outputs(p, out / name, IDENTS)


def test_ca_down_at_registration(pebble, tmp_path):
    """No CA at all: the error names the directory URL and no account
    file is written."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    pebble.stop_pebble()
    run = drive({"p": pebble}, acc, "register", "--backoff-ms", "20",
                check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert f"{pebble.directory}: " in msg
    assert "Couldn't connect to server" in msg
    assert os.listdir(acc) == []
    assert run.seconds < no_hang_limit()


def test_ca_stopped_after_registration(pebble, tmp_path):
    """The CA is gone when the order starts: the error names the URL that
    failed, no key or chain is written, the account file is untouched."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    drive({"p": pebble}, acc, "register")
    path = acc / "dGVzdA.account.bin"
    before = file_state(path)
    pebble.stop_pebble()
    run = drive({"p": pebble}, acc, "order", "--backoff-ms", "20",
                "--out", out, *order_args(IDENTS), check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert f"{pebble.directory}: " in msg
    assert "Couldn't connect to server" in msg
    assert not os.path.exists(out)
    assert file_state(path) == before
    assert run.seconds < no_hang_limit()


@pytest.mark.parametrize("backoff", ["20", None])
def test_ca_stopped_mid_order(pebble, tmp_path, backoff):
    """Pebble stops while the proofs are being published (after newOrder
    and the authorizations): the error names the challenge URL and why,
    every published proof is withdrawn, no files are written.  With the
    default backoff (1 s base) the worker gives up within seconds."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    drive({"p": pebble}, acc, "register")
    idents = ["dns:a.example.org", "dns:b.example.org"]
    args = ["--backoff-ms", backoff] if backoff else []
    with FakeChallSrv(pebble.stop_pebble) as chall:
        run = drive({"p": pebble}, acc, "order", *args, "--challtestsrv",
                    chall.url, "--out", out, *order_args(idents),
                    check=False, timeout=60)
    assert run.rc == 1
    [msg] = run.errors()
    base = pebble.directory.rsplit("/", 1)[0]
    assert msg.startswith(f"acme-driver: p: {base}/chalZ/"), msg
    assert "Couldn't connect to server" in msg
    adds = [c for c in chall.calls if c[0] == "/add-http01"]
    dels = [c for c in chall.calls if c[0] == "/del-http01"]
    assert len(adds) == 2 and len(dels) == 2
    assert not os.path.exists(out)
    # 3 retries from 0.5-1.5 s to 2-6 s, and a brief abandon.
    assert run.seconds < (no_hang_limit() if backoff else no_hang_limit(15))


def test_ca_restarted_forgot_the_account(pebble, tmp_path):
    """A CA that lost its state answers accountDoesNotExist: the account
    is registered once more and the order goes on."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    old = drive({"p": pebble}, acc, "register").accounts["p"]
    pebble.restart_pebble()
    run = drive({"p": pebble}, acc, "order", "--out", out,
                *order_args(IDENTS))
    assert run.stderr.count('account created on endpoint "p"') == 1
    new = run.accounts["p"]
    assert new != old
    f = AccountFile.read(acc)
    assert f.endpoint("p").account_url == new
    assert Acme(pebble).find_account(load_der(f.current.der)) == new
    check_outputs(pebble, out / "p", IDENTS)
