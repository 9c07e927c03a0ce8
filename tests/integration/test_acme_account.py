"""Accounts against Pebble (issue 6): registration, external account
binding, contact update, key rollover between every pair of account key
types Pebble accepts, deactivation.  What the driver stores is checked by
decoding the account file here, and what the CA knows by asking it with
our own client (test_acme_support.Acme)."""
import itertools
import os

import pytest

from test_acme_support import (AccountFile, Acme, acmed_der, b64u,
                               contacts_hash, drive, eab_hash, file_state,
                               no_hang_limit, key_hash, key_type_of, load_der)

ALWAYS_VALID = {"PEBBLE_VA_ALWAYS_VALID": "1"}

# Debian's Pebble 2.4 takes RS256 and ES256/384/512 account keys, not
# EdDSA (those are covered by the RFC 8037 vectors of the crypto tests).
ACCOUNT_KEYS = ["rsa2048", "rsa4096", "ecdsa_p256", "ecdsa_p384",
                "ecdsa_p521"]


def contact_args(contacts):
    args = []
    for c in contacts:
        args += ["--contact", c]
    return args


def check_registration(pebble, accounts, url, contacts, key_type, ep="p",
                       name="test"):
    """The file records the registration the CA knows: our key, our
    contacts.  Returns (file, key)."""
    f = AccountFile.read(accounts, name)
    rec = f.endpoint(ep)
    assert rec.account_url == url
    key = load_der(f.current.der)
    assert key_type_of(key) == key_type
    # ACMEd's DER flavours: PKCS#1 for RSA, SEC1 for EC.
    assert f.current.der == acmed_der(key)
    assert rec.key_hash == key_hash(key)
    assert rec.contacts_hash == contacts_hash(contacts)
    assert f.contacts == [tuple(c.split(":", 1)) for c in contacts]
    acme = Acme(pebble)
    status, doc, _ = acme.account(url, key)
    assert status == 200 and doc["status"] == "valid", doc
    assert doc.get("contact", []) == contacts
    assert acme.find_account(key) == url
    return f, key


def test_register(pebble, tmp_path):
    """newAccount creates <b64url(name)>.account.bin (0600) in ACMEd's
    layout; a second run with nothing changed leaves it untouched."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    contacts = ["mailto:admin@example.org"]
    run = drive({"p": pebble}, acc, "register", *contact_args(contacts))
    url = run.accounts["p"]
    assert url.startswith(pebble.directory.rsplit("/", 1)[0])
    assert 'account created on endpoint "p"' in run.stderr
    path = acc / "dGVzdA.account.bin"
    assert os.listdir(acc) == [path.name]
    assert path.stat().st_mode & 0o777 == 0o600
    f, _ = check_registration(pebble, acc, url, contacts, "ecdsa_p256")
    assert f.name == "test"
    assert f.current.alg == "ES256"
    assert f.past == [] and f.eab is None
    assert f.endpoint("p").eab_hash == b""
    assert f.endpoint("p").orders_url.startswith("https://127.0.0.1:")

    before = file_state(path)
    again = drive({"p": pebble}, acc, "register", *contact_args(contacts))
    assert again.accounts["p"] == url
    assert "account created" not in again.stderr
    assert "other users" not in again.stderr
    assert file_state(path) == before

    # A copy restored with looser bits is used, and said to show the key.
    path.chmod(0o644)
    loose = drive({"p": pebble}, acc, "register", *contact_args(contacts))
    assert loose.accounts["p"] == url
    assert f'account "test": {path} can be read or written by other ' \
        "users (mode 0644), and holds the account's private key: chmod " \
        "600 it" in loose.stderr, loose.stderr


@pytest.mark.parametrize("alg,keylen", [("HS256", 32), ("HS384", 48),
                                        ("HS512", 64)])
def test_register_eab(pebble_factory, tmp_path, alg, keylen):
    """A CA that requires external account binding accepts the binding
    made with each HMAC algorithm; the file keeps it as ACMEd does."""
    key = os.urandom(keylen)
    p = pebble_factory(env=ALWAYS_VALID, eab_required=True,
                       eab_keys={"kid-1": b64u(key)})
    assert Acme(p).dir["meta"]["externalAccountRequired"] is True
    acc = tmp_path / "accounts"
    acc.mkdir()
    eab = ["--eab-id", "kid-1", "--eab-key", b64u(key), "--eab-alg", alg]
    run = drive({"p": p}, acc, "register", "--contact",
                "mailto:eab@example.org", *eab)
    f, _ = check_registration(p, acc, run.accounts["p"],
                              ["mailto:eab@example.org"], "ecdsa_p256")
    assert f.eab == ("kid-1", key, alg)
    assert f.endpoint("p").eab_hash == eab_hash(key, "kid-1")

    # Same binding: nothing to do.
    path = acc / "dGVzdA.account.bin"
    before = file_state(path)
    again = drive({"p": p}, acc, "register", "--contact",
                  "mailto:eab@example.org", *eab)
    assert again.accounts["p"] == run.accounts["p"]
    assert file_state(path) == before


def test_eab_changed(pebble_factory, tmp_path):
    """Another binding in the configuration: registered again (the CA
    answers with the account the key already has), and the file records
    the new binding."""
    k1, k2 = os.urandom(32), os.urandom(32)
    p = pebble_factory(env=ALWAYS_VALID, eab_required=True,
                       eab_keys={"kid-1": b64u(k1), "kid-2": b64u(k2)})
    acc = tmp_path / "accounts"
    acc.mkdir()
    url = drive({"p": p}, acc, "register", "--eab-id", "kid-1",
                "--eab-key", b64u(k1)).accounts["p"]
    run = drive({"p": p}, acc, "register", "--eab-id", "kid-2",
                "--eab-key", b64u(k2), "--eab-alg", "HS512")
    assert 'external account changed on endpoint "p"' in run.stderr
    assert run.accounts["p"] == url
    f = AccountFile.read(acc)
    assert f.eab == ("kid-2", k2, "HS512")
    assert f.endpoint("p").eab_hash == eab_hash(k2, "kid-2")


def test_terms_not_agreed(pebble, tmp_path):
    """termsOfServiceAgreed false: Pebble refuses, and says why."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    run = drive({"p": pebble}, acc, "register", "--no-tos", check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert Acme(pebble).dir["newAccount"] in msg
    assert "Provided account did not agree to the terms of service" in msg
    # Where the terms are, and what to write once they are read.
    tos = Acme(pebble).dir["meta"]["termsOfService"]
    assert (f"(the CA's terms of service: {tos}; once read, set "
            'tos_agreed = true in endpoint "p")') in msg
    # The key was written before newAccount, and no registration since.
    f = AccountFile.read(acc)
    assert [e.account_url for e in f.endpoints] == [""]


def test_eab_wrong_key(pebble_factory, tmp_path):
    """A wrong HMAC key or identifier fails with the server's message and
    leaves no registration in the account file (only the key, written
    before newAccount and used again by the next run)."""
    key = os.urandom(32)
    p = pebble_factory(env=ALWAYS_VALID, eab_required=True,
                       eab_keys={"kid-1": b64u(key)})
    acc = tmp_path / "accounts"
    acc.mkdir()
    wrong = bytes([key[0] ^ 1]) + key[1:]
    run = drive({"p": p}, acc, "register", "--eab-id", "kid-1",
                "--eab-key", b64u(wrong), check=False)
    assert run.rc == 1
    new_account = Acme(p).dir["newAccount"]
    [msg] = run.errors()
    assert 'registration on endpoint "p"' in msg
    assert new_account in msg and "403 unauthorized" in msg
    assert "external account binding JWS verification error" in msg
    assert run.seconds < no_hang_limit()
    first = AccountFile.read(acc).current

    run = drive({"p": p}, acc, "register", "--eab-id", "kid-2",
                "--eab-key", b64u(key), check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert new_account in msg
    assert "references a key that is not known" in msg
    f = AccountFile.read(acc)
    assert f.current == first and f.past == []
    assert [e.account_url for e in f.endpoints] == [""]


def test_eab_required_but_not_configured(pebble_factory, tmp_path):
    """meta.externalAccountRequired without an EAB in the account: a
    clear error before any newNonce or newAccount (only the directory
    was fetched)."""
    p = pebble_factory(env=ALWAYS_VALID, eab_required=True,
                       eab_keys={"kid-1": b64u(os.urandom(32))})
    acc = tmp_path / "accounts"
    acc.mkdir()
    run = drive({"p": p}, acc, "register", check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert 'endpoint "p" requires an external account binding' in msg
    assert 'account "test"' in msg
    assert run.stats["p"] == (1, 0)
    assert os.listdir(acc) == []


def test_contact_update(pebble, tmp_path):
    """Changed contacts are sent to the account URL; the CA and the file
    agree afterwards; dropping every contact works too."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    run = drive({"p": pebble}, acc, "register", "--contact",
                "mailto:a@example.org")
    url = run.accounts["p"]
    for contacts in (["mailto:b@example.org", "mailto:c@example.org"],
                     []):
        run = drive({"p": pebble}, acc, "register", *contact_args(contacts))
        assert run.accounts["p"] == url
        assert 'contacts updated on endpoint "p"' in run.stderr
        assert "account created" not in run.stderr
        check_registration(pebble, acc, url, contacts, "ecdsa_p256")


@pytest.mark.parametrize("old,new", list(itertools.permutations(
    ACCOUNT_KEYS, 2)))
def test_key_rollover(pebble, tmp_path, old, new):
    """A changed key type rolls the key over (keyChange signed by the old
    key): same account, the CA now knows only the new key, the old one is
    kept in past_keys."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    contacts = ["mailto:roll@example.org"]
    run = drive({"p": pebble}, acc, "register", "--key-type", old,
                *contact_args(contacts))
    url = run.accounts["p"]
    f_old, old_key = check_registration(pebble, acc, url, contacts, old)

    run = drive({"p": pebble}, acc, "register", "--key-type", new,
                *contact_args(contacts))
    assert run.accounts["p"] == url
    assert f"new {new.replace('_', '-')} account key created" \
        in run.stderr
    assert 'account key updated on endpoint "p"' in run.stderr
    f, new_key = check_registration(pebble, acc, url, contacts, new)
    assert f.past == [f_old.current]
    # The CA forgot the old key.
    acme = Acme(pebble)
    assert acme.find_account(old_key) is None
    status, _, _ = acme.account(url, old_key)
    assert status >= 400


def test_rollover_with_contact_change(pebble, tmp_path):
    """Key type and contacts changed together: the rollover comes first,
    so the contact update is signed by the key the CA knows (ACMEd did
    the reverse and wedged the account)."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    run = drive({"p": pebble}, acc, "register", "--contact",
                "mailto:a@example.org")
    url = run.accounts["p"]
    run = drive({"p": pebble}, acc, "register", "--key-type", "ecdsa_p384",
                "--contact", "mailto:b@example.org")
    assert run.accounts["p"] == url
    err = run.stderr
    assert err.index("account key updated") < err.index("contacts updated")
    check_registration(pebble, acc, url, ["mailto:b@example.org"],
                       "ecdsa_p384")


def test_rollover_back_and_forth(pebble, tmp_path):
    """p256 -> rsa2048 -> p256: the key the CA knows is found among
    several past keys, and the second p256 key is a new one."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    url = drive({"p": pebble}, acc, "register").accounts["p"]
    keys = []
    for kt in ("rsa2048", "ecdsa_p256"):
        run = drive({"p": pebble}, acc, "register", "--key-type", kt)
        assert run.accounts["p"] == url
        f, _ = check_registration(pebble, acc, url, [], kt)
        keys.append(f.current.der)
    assert len(f.past) == 2
    assert f.past[1].der == keys[0]
    assert f.current.der not in [k.der for k in f.past]


def test_deactivate(pebble, tmp_path):
    """Deactivation: the CA refuses the account afterwards, and the file
    forgets the registration (so the next run registers again)."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    url = drive({"p": pebble}, acc, "register").accounts["p"]
    key = load_der(AccountFile.read(acc).current.der)
    drive({"p": pebble}, acc, "deactivate")
    rec = AccountFile.read(acc).endpoint("p")
    assert rec.account_url == "" and rec.key_hash == b""
    status, doc, _ = Acme(pebble).account(url, key)
    assert status == 403, doc

    # Deactivating again is a clear local error, without a request.
    run = drive({"p": pebble}, acc, "deactivate", check=False)
    assert run.rc == 1
    assert 'account "test" is not registered on endpoint "p"' in \
        run.errors()[0]
    assert run.stats["p"] == (0, 0)
