"""Certificate helpers for the tests, over the openssl command line."""
import os
import subprocess
import tempfile


def openssl(*args, input=None):
    r = subprocess.run(["openssl", *args], capture_output=True, input=input,
                       check=True)
    return r.stdout.decode()


def x509_text(pem):
    if isinstance(pem, str):
        pem = pem.encode()
    return openssl("x509", "-noout", "-text", input=pem)


def sans(pem):
    """The DNS and IP SANs of the first certificate, as 'DNS:x' strings."""
    text = x509_text(pem)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "X509v3 Subject Alternative Name" in line:
            return sorted(s.strip() for s in lines[i + 1].split(","))
    return []


def pubkey(pem_cert_or_key, is_key=False):
    if isinstance(pem_cert_or_key, str):
        pem_cert_or_key = pem_cert_or_key.encode()
    if is_key:
        return openssl("pkey", "-pubout", input=pem_cert_or_key)
    return openssl("x509", "-noout", "-pubkey", input=pem_cert_or_key)


def verify_chain(chain_pem, pebble):
    """openssl verify of the leaf against Pebble's root, with the chain's
    other certificates as untrusted intermediates."""
    if isinstance(chain_pem, bytes):
        chain_pem = chain_pem.decode()
    certs = ["-----BEGIN CERTIFICATE-----" + c for c in
             chain_pem.split("-----BEGIN CERTIFICATE-----")[1:]]
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name, data in (("root", pebble.roots_pem()), ("leaf", certs[0]),
                           ("inter", "".join(certs[1:]))):
            paths[name] = os.path.join(d, name + ".pem")
            with open(paths[name], "w") as f:
                f.write(data)
        args = ["verify", "-CAfile", paths["root"]]
        if len(certs) > 1:
            args += ["-untrusted", paths["inter"]]
        out = openssl(*args, paths["leaf"])
    assert out.strip().endswith(": OK"), out


def self_signed(folder, names, days_before, days_after, key_type="ec"):
    """A key and a self-signed certificate for names (DNS), valid from
    days_before days ago to days_after days from now, through openssl ca
    (which alone takes explicit dates in OpenSSL 3.0).  Returns (key, crt)
    PEM texts."""
    import datetime
    os.makedirs(folder, exist_ok=True)
    key = os.path.join(folder, "k.pem")
    if key_type == "ec":
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-out", key)
    else:
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt",
                "rsa_keygen_bits:2048", "-out", key)
    csr = os.path.join(folder, "r.csr")
    san = ",".join("DNS:" + n for n in names)
    openssl("req", "-new", "-key", key, "-subj", "/CN=" + names[0],
            "-addext", "subjectAltName=" + san, "-out", csr)
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y%m%d%H%M%SZ"
    start = (now - datetime.timedelta(days=days_before)).strftime(fmt)
    end = (now + datetime.timedelta(days=days_after)).strftime(fmt)
    for f in ("index.txt",):
        open(os.path.join(folder, f), "w").close()
    with open(os.path.join(folder, "serial"), "w") as f:
        f.write("01\n")
    conf = os.path.join(folder, "ca.cnf")
    with open(conf, "w") as f:
        f.write(f"""[ca]
default_ca = test
[test]
dir = {folder}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
""")
    crt = os.path.join(folder, "c.pem")
    openssl("ca", "-batch", "-config", conf, "-selfsign", "-keyfile", key,
            "-in", csr, "-out", crt, "-startdate", start, "-enddate", end,
            "-notext")
    with open(key) as k, open(crt) as c:
        return k.read(), c.read()
