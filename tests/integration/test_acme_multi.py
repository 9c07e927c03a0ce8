"""One account on two Pebble instances at once (issue 6): one driver run,
one thread per endpoint, one account file holding one registration per
endpoint, so that nothing meant for one CA reaches the other."""
import pytest

from test_acme_support import (AccountFile, Acme, check_outputs, drive,
                               key_hash, load_der, order_args)

ALWAYS_VALID = {"PEBBLE_VA_ALWAYS_VALID": "1"}


@pytest.fixture
def two(pebble_factory):
    return {"a": pebble_factory("a", env=ALWAYS_VALID),
            "b": pebble_factory("b", env=ALWAYS_VALID)}


def base(p):
    return p.directory.rsplit("/", 1)[0] + "/"


def check_two(cas, acc, urls, key_type="ecdsa_p256"):
    """Two registrations in the file, each known to its own CA only."""
    f = AccountFile.read(acc)
    assert sorted(e.name for e in f.endpoints) == ["a", "b"]
    key = load_der(f.current.der)
    for name, p in cas.items():
        rec = f.endpoint(name)
        assert rec.account_url == urls[name]
        assert rec.account_url.startswith(base(p))
        assert rec.orders_url.startswith(base(p))
        assert rec.key_hash == key_hash(key)
        assert Acme(p).find_account(key) == urls[name]
    return f


def test_one_account_two_cas(two, tmp_path):
    """Register, order, update contacts and roll the key over on both CAs
    in one run each."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    run = drive(two, acc, "register", "--contact", "mailto:a@example.org")
    urls = run.accounts
    assert urls["a"].startswith(base(two["a"]))
    assert urls["b"].startswith(base(two["b"]))
    assert run.stderr.count("account created on endpoint") == 2
    check_two(two, acc, urls)

    idents = ["dns:both.example.org", "ip:127.0.0.1"]
    run = drive(two, acc, "order", "--contact", "mailto:a@example.org",
                "--out", out, *order_args(idents))
    assert run.accounts == urls
    for name, p in two.items():
        assert run.certs[name].startswith(base(p))
        check_outputs(p, out / name, idents)

    # Both registrations change at once; the account lock serialises
    # them, and each CA gets its own update signed with the key it knows.
    run = drive(two, acc, "register", "--key-type", "ecdsa_p384",
                "--contact", "mailto:b@example.org")
    assert run.accounts == urls
    assert run.stderr.count("account key updated on endpoint") == 2
    assert run.stderr.count("contacts updated on endpoint") == 2
    f = check_two(two, acc, urls, "ecdsa_p384")
    assert len(f.past) == 1
    old = load_der(f.past[0].der)
    for name, p in two.items():
        status, doc, _ = Acme(p).account(urls[name], load_der(f.current.der))
        assert status == 200 and doc["contact"] == ["mailto:b@example.org"]
        assert Acme(p).find_account(old) is None


def test_second_ca_added_later(two, tmp_path):
    """An account registered on one CA gains a second registration when a
    second endpoint appears; the first one is kept as it was."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    url_a = drive({"a": two["a"]}, acc, "register").accounts["a"]
    rec_a = AccountFile.read(acc).endpoint("a")
    run = drive(two, acc, "register")
    assert run.accounts["a"] == url_a
    assert run.stderr.count("account created on endpoint") == 1
    f = check_two(two, acc, run.accounts)
    assert f.endpoint("a") == rec_a
