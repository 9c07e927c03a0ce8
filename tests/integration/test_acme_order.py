"""Orders against Pebble with every challenge valid (issue 6): each
certificate key type Pebble can sign, DNS and IP identifiers together,
wildcards, and a missing challenge type.  Chains are verified with
openssl against Pebble's root."""
import os

import pytest

from test_acme_support import (AccountFile, Acme, check_outputs, drive,
                               no_hang_limit, load_der, order_args)

IDENTS = ["dns:example.org", "dns:www.example.org", "ip:127.0.0.1",
          "ip:192.0.2.7"]
# Pebble 2.4 cannot finalize an order mixing IPv4 and IPv6: it sorts the
# order's addresses in their 16-byte form and the CSR's IPv4 addresses in
# their 4-byte form, then compares them pairwise ("CSR is missing Order
# IP").  IPv6 gets an order of its own.
IDENTS_V6 = ["dns:example.org", "ip:2001:db8::1", "ip:::1"]

# Everything but ed448, whose CSR Pebble 2.4 cannot parse.
CERT_KEYS = ["rsa2048", "rsa4096", "ecdsa_p256", "ecdsa_p384", "ecdsa_p521",
             "ed25519"]


@pytest.mark.parametrize("cert_key", CERT_KEYS)
def test_order(pebble, tmp_path, cert_key):
    """newOrder for DNS and IP identifiers, authorizations, finalize,
    download: the chain verifies against Pebble's root and intermediate,
    names exactly the identifiers, and key.pem is its key."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    run = drive({"p": pebble}, acc, "order", "--cert-key", cert_key,
                "--out", out, *order_args(IDENTS))
    assert run.certs["p"].startswith(pebble.directory.rsplit("/", 1)[0])
    check_outputs(pebble, out / "p", IDENTS, cert_key)


def test_order_ipv6(pebble, tmp_path):
    """IPv6 identifiers next to a DNS name."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    drive({"p": pebble}, acc, "order", "--out", out, *order_args(IDENTS_V6))
    check_outputs(pebble, out / "p", IDENTS_V6)


def test_order_reuses_registration(pebble, tmp_path):
    """A second order uses the stored registration: no newAccount."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    url = drive({"p": pebble}, acc, "register").accounts["p"]
    run = drive({"p": pebble}, acc, "order", "--out", out,
                "--ident", "dns:again.example.org")
    assert run.accounts["p"] == url
    assert "account created" not in run.stderr
    check_outputs(pebble, out / "p", ["dns:again.example.org"])


def test_order_wildcard(pebble, tmp_path):
    """A wildcard and its base name with dns-01."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    idents = ["dns:*.example.net", "dns:example.net"]
    drive({"p": pebble}, acc, "order", "--challenge", "dns-01", "--out", out,
          *order_args(idents))
    check_outputs(pebble, out / "p", idents)


def test_order_missing_challenge_type(pebble, tmp_path):
    """The CA offers no http-01 for a wildcard: an immediate, clear error
    naming what it does offer, and no files."""
    acc, out = tmp_path / "accounts", tmp_path / "out"
    acc.mkdir()
    run = drive({"p": pebble}, acc, "order", "--out", out,
                "--ident", "dns:*.example.com", check=False)
    assert run.rc == 1
    [msg] = run.errors()
    assert "the CA offers no http-01 challenge for *.example.com" in msg
    assert "(offered: dns-01)" in msg
    assert run.seconds < no_hang_limit()
    assert not os.path.exists(out)
    # The abandoned order leaves nothing pending.
    key = load_der(AccountFile.read(acc).current.der)
    authz = Acme(pebble).authorizations(run.accounts["p"], key)
    assert list(authz.values()) == ["deactivated"]
