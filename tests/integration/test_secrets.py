"""Secrets stay out of the logs (issue 9): a full issuance with external
account binding at trace level, then a second run that loads the account
and the key from disk, and none of the EAB key, the account key or the
certificate key appears in what acmed logged, in any of the encodings a
careless log line would use."""
import base64
import os
import subprocess

from cryptography.hazmat.primitives import serialization

from acmed import Acmed, toml_str
from test_acme_support import AccountFile


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def encodings(name, data):
    """(what, text) pairs: the forms in which bytes could reach a log."""
    out = [(name + " base64url", b64u(data)),
           (name + " base64", base64.b64encode(data).decode()),
           (name + " hex", data.hex()),
           (name + " HEX", data.hex().upper())]
    try:
        out.append((name + " raw", data.decode("ascii")))
    except UnicodeDecodeError:
        pass
    return [(w, t) for w, t in out if len(t) >= 16]


def key_secrets(name, key):
    """The DER forms of a private key and its private number."""
    out = []
    for fmt in (serialization.PrivateFormat.PKCS8,
                serialization.PrivateFormat.TraditionalOpenSSL):
        der = key.private_bytes(serialization.Encoding.DER, fmt,
                                serialization.NoEncryption())
        out += encodings(f"{name} DER ({fmt.name})", der)
        pem = key.private_bytes(serialization.Encoding.PEM, fmt,
                                serialization.NoEncryption()).decode()
        body = [l for l in pem.splitlines() if not l.startswith("-----")]
        out.append((f"{name} PEM body ({fmt.name})", "".join(body)))
        # A log line may well hold one line of the PEM.
        out += [(f"{name} PEM line ({fmt.name})", l) for l in body
                if len(l) >= 16]
    numbers = key.private_numbers()
    d = getattr(numbers, "private_value", None) or getattr(numbers, "d")
    n = (d.bit_length() + 7) // 8
    out += encodings(name + " private number", d.to_bytes(n, "big"))
    return out


def test_no_secret_in_trace_logs(pebble_factory, tmp_path):
    eab_key = os.urandom(32)
    p = pebble_factory(env={"PEBBLE_VA_ALWAYS_VALID": "1"},
                       eab_required=True,
                       eab_keys={"kid-secret": b64u(eab_key)})
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder, exist_ok=True)
    # A token a hook gets in its arguments, from the configuration's env.
    token = os.urandom(20).hex()
    cfg = a.base_config(f'env = {{ DNS_API_TOKEN = "{token}" }}').replace(
        'contacts = [{ mailto = "admin@example.org" }]',
        'contacts = [{ mailto = "admin@example.org" }]\n'
        'external_account = { identifier = "kid-secret", key = '
        + toml_str(b64u(eab_key)) + ' }')
    assert "external_account" in cfg
    a.write(cfg + """
[[hook]]
name = "with-token"
type = ["post-operation"]
cmd = "true"
args = ["--token", "{{ env.DNS_API_TOKEN }}"]

[[certificate]]
account = "test"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = ["challtestsrv", "with-token"]
identifiers = [{ dns = "example.org", challenge = "http-01" }]
""")
    argv = [x if x != "debug" else "trace" for x in a.argv()]
    assert "trace" in argv
    logs = []
    for _ in range(2):
        r = subprocess.run(argv + ["--once", "--no-pid-file"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-4000:]
        logs.append(r.stdout + r.stderr)
    log = "\n".join(logs)
    # Trace level was on, and the run went through registration.
    assert "HTTP 201" in log and "account created" in log

    record = AccountFile.read(a.accounts)
    assert record.eab[1] == eab_key
    account_key = serialization.load_der_private_key(record.current.der,
                                                     None)
    with open(a.path("example.org_ecdsa-p256.pk.pem"), "rb") as f:
        cert_key = serialization.load_pem_private_key(f.read(), None)

    secrets = (encodings("EAB key", eab_key) +
               encodings("account key as stored", record.current.der) +
               key_secrets("account key", account_key) +
               key_secrets("certificate key", cert_key))
    secrets.append(("hook argument from env", token))
    found = [what for what, text in secrets if text in log]
    assert found == [], f"in the logs: {found}"
    # Trace shows what the hook's arguments are made of, not their values.
    assert 'hook "with-token": argv[2] = {{ env.DNS_API_TOKEN }}' in log
