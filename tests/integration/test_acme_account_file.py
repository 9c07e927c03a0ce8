"""ACMEd's account files (issue 6, acmed-behaviour.md section 3.2), written
here by our own encoder with real keys, loaded and used by the driver:
an ACMEd installation keeps its accounts when it switches binaries.  A
load/save cycle that changes nothing gives the same bytes back."""
import os

import pytest

from test_acme_support import (KEY_TYPES, AccountFile, Acme, EndpointRecord,
                               KeyRecord, account_file_name, acmed_der,
                               b64u, check_outputs, contacts_hash, drive,
                               eab_hash, file_state, key_hash, load_der)

NAME = "my test account"
CONTACTS = ["mailto:a@example.org", "mailto:b@example.org"]
# Something registered on another CA, which no run here may touch.
OTHER = EndpointRecord("other CA", (0, 0), "https://ca.invalid/acct/17",
                       "https://ca.invalid/orders/17", bytes(range(32)),
                       bytes(range(32, 64)), b"")

ACCOUNT_KEYS = ["rsa2048", "ecdsa_p256", "ecdsa_p384", "ecdsa_p521"]


def new_key(kind):
    alg, gen = KEY_TYPES[kind]
    key = gen()
    return key, KeyRecord((1700000000, 123456789), acmed_der(key), alg)


def write(folder, record, tail=b""):
    path = os.path.join(folder, account_file_name(NAME))
    data = record.encode() + tail
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def read_raw(path):
    with open(path, "rb") as f:
        return f.read()


def register_ourselves(pebble, key, contacts):
    """newAccount with our own client: (account URL, orders URL)."""
    acme = Acme(pebble)
    status, doc, headers = acme.post(
        acme.dir["newAccount"],
        {"contact": contacts, "termsOfServiceAgreed": True}, key)
    assert status == 201, doc
    return headers["Location"], doc.get("orders", "")


def registered_file(pebble, kind="ecdsa_p256"):
    """An ACMEd file whose key we registered with Pebble ourselves, with
    past keys and another CA's registration beside it."""
    key, current = new_key(kind)
    url, orders = register_ourselves(pebble, key, CONTACTS)
    rec = EndpointRecord("p", (0, 0), url, orders, key_hash(key),
                         contacts_hash(CONTACTS), b"")
    past = [new_key("ecdsa_p384")[1], new_key("rsa2048")[1]]
    return key, AccountFile(NAME, [OTHER, rec],
                            [tuple(c.split(":", 1)) for c in CONTACTS],
                            current, past, None)


def contact_args():
    return [a for c in CONTACTS for a in ("--contact", c)]


def test_file_name_and_layout_match_the_documentation():
    """Our encoder agrees with the documented example names and with a
    hand-assembled record."""
    assert account_file_name("my test account") == \
        "bXkgdGVzdCBhY2NvdW50.account.bin"
    assert account_file_name("example") == "ZXhhbXBsZQ.account.bin"
    rec = AccountFile("n", [], [("mailto", "x")],
                      KeyRecord((1, 2), b"\x30\x00", "ES256"), [], None)
    assert rec.encode() == (
        b"\x01" + b"\0" * 7 + b"n" +            # name
        b"\0" * 8 +                              # no endpoints
        b"\x01" + b"\0" * 7 +                    # one contact
        b"\x06" + b"\0" * 7 + b"mailto" + b"\x01" + b"\0" * 7 + b"x" +
        b"\x01" + b"\0" * 7 + b"\x02\0\0\0" +    # created 1 s 2 ns
        b"\x02" + b"\0" * 7 + b"\x30\x00" +      # key DER
        b"\x05" + b"\0" * 7 + b"ES256" +
        b"\0" * 8 +                              # no past keys
        b"\x00")                                 # no external account


@pytest.mark.parametrize("kind", ACCOUNT_KEYS)
def test_acmed_file_loaded_and_used(pebble, tmp_path, kind):
    """A file with no registration on this CA: the driver registers the
    key it holds (no new key), saves the record, and keeps everything
    else as it was; our decoder reads back exactly what it wrote."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    key, current = new_key(kind)
    past = [new_key("ecdsa_p256")[1]]
    mine = AccountFile(NAME, [OTHER],
                       [tuple(c.split(":", 1)) for c in CONTACTS], current,
                       past, None)
    path = write(acc, mine)
    run = drive({"p": pebble}, acc, "register", "--account", NAME,
                "--key-type", kind, *contact_args())
    assert "account key created" not in run.stderr
    assert 'account created on endpoint "p"' in run.stderr
    url = run.accounts["p"]
    assert Acme(pebble).find_account(key) == url

    raw = read_raw(path)
    saved, used = AccountFile.decode(raw)
    assert used == len(raw)
    assert saved.encode() == raw
    assert saved.name == NAME
    assert saved.current == current and saved.past == past
    assert saved.contacts == mine.contacts and saved.eab is None
    assert saved.endpoint("other CA") == OTHER
    rec = saved.endpoint("p")
    assert rec.account_url == url
    assert rec.key_hash == key_hash(key)
    assert rec.contacts_hash == contacts_hash(CONTACTS)
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_acmed_file_registered(pebble, tmp_path):
    """A file holding a registration made elsewhere (by our own client):
    the driver uses it as it is for register and order, and leaves the
    file untouched since nothing changed; rewrite gives the same bytes."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    _, mine = registered_file(pebble)
    path = write(acc, mine)
    url = mine.endpoint("p").account_url
    before = file_state(path)

    run = drive({"p": pebble}, acc, "register", "--account", NAME,
                *contact_args())
    assert run.accounts["p"] == url
    assert file_state(path) == before

    run = drive({"p": pebble}, acc, "order", "--account", NAME,
                *contact_args(), "--out", out, "--ident",
                "dns:fixture.example.org")
    assert run.accounts["p"] == url
    assert "account created" not in run.stderr
    check_outputs(pebble, out / "p", ["dns:fixture.example.org"])
    assert file_state(path) == before

    drive({}, acc, "rewrite", "--account", NAME, *contact_args())
    assert read_raw(path) == before[2]
    assert os.stat(path).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("kind", list(KEY_TYPES))
def test_rewrite_byte_for_byte(tmp_path, kind):
    """Load and save with nothing changed: the same bytes, for every key
    type (EdDSA included: no CA involved), with an external account, many
    endpoints and past keys, and a stored name that differs from the
    configured one (ACMEd never checks it)."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    mac = os.urandom(48)
    eps = [OTHER] + [
        EndpointRecord(f"ca {i}", (0, 0), f"https://ca{i}.invalid/acct/{i}",
                       "", os.urandom(32), os.urandom(32),
                       eab_hash(mac, "kid-7")) for i in range(3)]
    past = [new_key(k)[1] for k in ("rsa2048", "ecdsa_p521", "ed25519")]
    mine = AccountFile("the name at creation", eps,
                       [tuple(c.split(":", 1)) for c in CONTACTS],
                       new_key(kind)[1], past, ("kid-7", mac, "HS384"))
    path = write(acc, mine)
    drive({}, acc, "rewrite", "--account", NAME, "--key-type", kind,
          *contact_args(), "--eab-id", "kid-7", "--eab-key", b64u(mac),
          "--eab-alg", "HS384")
    assert read_raw(path) == mine.encode()


def test_acmed_file_with_stale_tail(pebble, tmp_path):
    """ACMEd overwrote without truncating: bytes after the record are
    ignored on load, and the next save (atomic) drops them."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    _, mine = registered_file(pebble)
    path = write(acc, mine, tail=b"\x01stale bytes of a longer file")
    run = drive({"p": pebble}, acc, "register", "--account", NAME,
                *contact_args())
    assert run.accounts["p"] == mine.endpoint("p").account_url
    drive({}, acc, "rewrite", "--account", NAME, *contact_args())
    assert read_raw(path) == mine.encode()


def test_acmed_file_corrupted(pebble, tmp_path):
    """A truncated or damaged file is a clear error naming the account,
    before any request, and the file stays as it was."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    _, mine = registered_file(pebble)
    data = mine.encode()
    for bad in (data[:len(data) // 2], data[:-1], data[:-1] + b"\x02",
                b"\xff" * 8 + data[8:]):
        path = write(acc, mine)
        with open(path, "wb") as f:
            f.write(bad)
        run = drive({"p": pebble}, acc, "register", "--account", NAME,
                    *contact_args(), check=False)
        assert run.rc == 1
        [msg] = run.errors()
        assert f'account "{NAME}"' in msg
        # The file is named: its name is the account's, base64url.
        assert f"{path}: unable to load account file: file may be " \
            "corrupted" in msg
        assert run.stats == {}
        assert read_raw(path) == bad


def test_acmed_file_key_type_changed(pebble, tmp_path):
    """The configuration asks for another key type than the ACMEd file
    holds: a new key, saved at once, then rolled over on the CA; the old
    key joins the past keys after those already there."""
    acc = tmp_path / "accounts"
    acc.mkdir()
    key, mine = registered_file(pebble, "ecdsa_p256")
    write(acc, mine)
    url = mine.endpoint("p").account_url
    run = drive({"p": pebble}, acc, "register", "--account", NAME,
                "--key-type", "rsa2048", *contact_args())
    assert run.accounts["p"] == url
    assert "new rsa2048 account key created" in run.stderr
    assert 'account key updated on endpoint "p"' in run.stderr
    saved = AccountFile.read(acc, NAME)
    assert saved.past == mine.past + [mine.current]
    assert saved.endpoint("other CA") == OTHER
    new = load_der(saved.current.der)
    assert saved.endpoint("p").key_hash == key_hash(new)
    acme = Acme(pebble)
    assert acme.find_account(new) == url
    assert acme.find_account(key) is None
