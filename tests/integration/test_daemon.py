"""acmed end to end against Pebble with real validation (issue 7): hooks,
files, renewals, signals, scale."""
import glob
import json
import os
import re
import signal
import socket
import stat
import subprocess
import time
import types

import pytest

from acmed import Acmed, FAIL_AFTER_HOOK, GATE_HOOK, RECORD_HOOK, toml_str
from certs import openssl, pubkey, sans, self_signed, verify_chain
from conftest import program
from pebble import free_port, wait_until


def cert_block(name=None, idents=(("dns", "example.org", "http-01"),),
               key_type="ecdsa_p256", hooks=('"challtestsrv"',), extra=""):
    ids = ",\n    ".join(
        f'{{ {t} = {toml_str(v)}, challenge = "{c}" }}' for t, v, c in idents)
    s = "\n[[certificate]]\n"
    if name:
        s += f"name = {toml_str(name)}\n"
    s += f"""account = "test"
endpoint = "pebble"
key_type = "{key_type}"
hooks = [{", ".join(hooks)}]
identifiers = [
    {ids},
]
{extra}
"""
    return s


@pytest.fixture
def real(pebble_factory, tmp_path):
    """Pebble validating for real through challtestsrv, and an acmed."""
    p = pebble_factory()
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder, exist_ok=True)
    yield a
    a.stop()


@pytest.fixture
def fast(pebble, tmp_path):
    a = Acmed(tmp_path / "acmed", pebble)
    os.makedirs(a.folder, exist_ok=True)
    yield a
    a.stop()


# -- issuance with real validation ------------------------------------------

def test_http01(real):
    real.write(real.base_config() + cert_block())
    real.once()
    crt = real.read("example.org_ecdsa-p256.crt.pem")
    key = real.read("example.org_ecdsa-p256.pk.pem")
    assert sans(crt) == ["DNS:example.org"]
    verify_chain(crt, real.pebble)
    assert pubkey(crt) == pubkey(key, is_key=True)
    assert b"BEGIN PRIVATE KEY" in key
    assert stat.S_IMODE(os.stat(real.path(
        "example.org_ecdsa-p256.pk.pem")).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(real.path(
        "example.org_ecdsa-p256.crt.pem")).st_mode) == 0o644
    # The account file has ACMEd's name.
    assert os.path.exists(os.path.join(real.accounts, "dGVzdA.account.bin"))


def test_dns01_wildcard_and_apex(real):
    real.write(real.base_config() + cert_block(idents=(
        ("dns", "*.example.com", "dns-01"),
        ("dns", "example.com", "dns-01"))))
    real.once()
    crt = real.read("_.example.com_ecdsa-p256.crt.pem")
    assert sans(crt) == ["DNS:*.example.com", "DNS:example.com"]
    verify_chain(crt, real.pebble)


def test_ip_identifier(real):
    real.write(real.base_config() + cert_block(idents=(
        ("ip", "127.0.0.1", "http-01"),)))
    real.once()
    crt = real.read("127.0.0.1_ecdsa-p256.crt.pem")
    assert sans(crt) == ["IP Address:127.0.0.1"]


def test_idn(real):
    real.write(real.base_config() + cert_block(
        idents=(("dns", "Hélo.Example.com", "http-01"),), key_type="rsa2048"))
    real.once()
    crt = real.read("Hélo.Example.com_rsa2048.crt.pem")
    assert sans(crt) == ["DNS:xn--hlo-bma.example.com"]


# -- renewal decisions --------------------------------------------------------

def install(a, name, key, crt):
    os.makedirs(a.certs, exist_ok=True)
    with open(a.path(name + ".pk.pem"), "w") as f:
        f.write(key)
    os.chmod(a.path(name + ".pk.pem"), 0o600)
    with open(a.path(name + ".crt.pem"), "w") as f:
        f.write(crt)


def test_renewal_inside_and_outside_renew_delay(fast, tmp_path):
    # Due: 10 days left of 110, renew_delay 30d.
    key1, crt1 = self_signed(str(tmp_path / "c1"), ["due.example.org"], 100, 10)
    install(fast, "due.example.org_ecdsa-p256", key1, crt1)
    # Not due: 100 days left of 200.
    key2, crt2 = self_signed(str(tmp_path / "c2"), ["later.example.org"], 100,
                             100)
    install(fast, "later.example.org_ecdsa-p256", key2, crt2)
    fast.write(fast.base_config() +
               cert_block(idents=(("dns", "due.example.org", "http-01"),)) +
               cert_block(idents=(("dns", "later.example.org", "http-01"),)))
    fast.once()
    assert fast.read("due.example.org_ecdsa-p256.crt.pem").decode() != crt1
    assert fast.read("later.example.org_ecdsa-p256.crt.pem").decode() == crt2
    assert fast.read("later.example.org_ecdsa-p256.pk.pem").decode() == key2


@pytest.mark.parametrize("delay,renewed", [
    # 40 days left of 100: the delay is the administrator's up to three
    # quarters of the lifetime (ACMEd renews as configured) ...
    ("60d", True),
    # ... past that, a third of the lifetime (33 days) is used instead.
    ("80d", False),
])
def test_renew_delay_of_a_long_part_of_the_lifetime(fast, tmp_path, delay,
                                                     renewed):
    key, crt = self_signed(str(tmp_path / "c"), ["example.org"], 60, 40)
    install(fast, "example.org_ecdsa-p256", key, crt)
    fast.write(fast.base_config() +
               cert_block(extra=f'renew_delay = "{delay}"'))
    r = fast.once()
    assert (fast.read("example.org_ecdsa-p256.crt.pem").decode() != crt) \
        == renewed
    assert ("more than three quarters of the certificate's lifetime" in
            r.stderr) == (not renewed)


def test_random_early_renew_of_a_long_part_of_the_lifetime(fast, tmp_path):
    """random_early_renew stays within the same three quarters of the
    lifetime as renew_delay: a certificate 2 days into its 30 is not due,
    whatever is drawn (added after the clamp, 100 years of it made
    nearly every run issue again)."""
    key, crt = self_signed(str(tmp_path / "c"), ["example.org"], 2, 28)
    install(fast, "example.org_ecdsa-p256", key, crt)
    fast.write(fast.base_config() + cert_block(
        extra='renew_delay = "1d"\nrandom_early_renew = "36500d"'))
    for _ in range(3):
        r = fast.once()
        assert fast.read("example.org_ecdsa-p256.crt.pem").decode() == crt
        assert "random_early_renew (3153600000 s) reach past three " \
            "quarters of the certificate's lifetime" in r.stderr


def test_kp_reuse_keeps_the_key(fast):
    fast.write(fast.base_config() + cert_block(extra="kp_reuse = true"))
    fast.once()
    key = fast.read("example.org_ecdsa-p256.pk.pem")
    crt = fast.read("example.org_ecdsa-p256.crt.pem")
    os.unlink(fast.path("example.org_ecdsa-p256.crt.pem"))
    fast.once()
    crt2 = fast.read("example.org_ecdsa-p256.crt.pem")
    assert crt2 != crt
    assert fast.read("example.org_ecdsa-p256.pk.pem") == key
    assert pubkey(crt2) == pubkey(key, is_key=True)


@pytest.mark.parametrize("spoil", ["symlink", "garbage"])
def test_kp_reuse_never_makes_a_new_key_silently(fast, spoil):
    """With kp_reuse, a key file that is there but cannot be read fails
    the renewal: a new key would break a pinned key or DANE records (it
    was made with only a debug line, and a symbolic link replaced)."""
    fast.write(fast.base_config() + cert_block(extra="kp_reuse = true"))
    fast.once()
    path = fast.path("example.org_ecdsa-p256.pk.pem")
    key = fast.read("example.org_ecdsa-p256.pk.pem")
    if spoil == "symlink":
        elsewhere = os.path.join(fast.folder, "pinned.pem")
        os.rename(path, elsewhere)
        os.symlink(elsewhere, path)
        error = f"{path}: a symbolic link: acmed reads no key through one"
    else:
        with open(path, "w") as f:
            f.write("not a key\n")
        error = f"kp_reuse: cannot reuse the key: {path}"
    os.unlink(fast.path("example.org_ecdsa-p256.crt.pem"))
    r = fast.once(check=False)
    assert r.returncode == 1
    assert error in r.stderr
    assert os.path.islink(path) == (spoil == "symlink")
    if spoil == "symlink":
        assert fast.read("example.org_ecdsa-p256.pk.pem") == key
    assert not os.path.exists(fast.path("example.org_ecdsa-p256.crt.pem"))


def test_kp_reuse_gives_the_kept_key_its_mode(fast):
    """A kept key is not written again, but takes the configured mode
    (an admin granting a group read access expects it to apply)."""
    fast.write(fast.base_config() + cert_block(extra="kp_reuse = true"))
    fast.once()
    path = fast.path("example.org_ecdsa-p256.pk.pem")
    key = fast.read("example.org_ecdsa-p256.pk.pem")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    fast.write(fast.base_config("pk_file_mode = 0o640") +
               cert_block(extra="kp_reuse = true"))
    os.unlink(fast.path("example.org_ecdsa-p256.crt.pem"))
    r = fast.once()
    assert f"{path}: mode set to 0640" in r.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert fast.read("example.org_ecdsa-p256.pk.pem") == key


def test_rollover_the_ca_took_but_acmed_could_not_save(fast):
    """The CA took the new account key, then the account file could not be
    saved: the next run finds the CA knows the key already (every later
    rollover, signed with the old key, was refused, forever)."""
    fast.write(fast.base_config() + cert_block())
    fast.once()
    count = os.path.join(fast.folder, "calls")
    flaky = hook_block("flaky", ["file-pre-edit"], FAIL_AFTER_HOOK,
                       [count, "1"])
    p384 = fast.base_config().replace(
        'name = "test"\n', 'name = "test"\nkey_type = "ecdsa_p384"\n')
    fast.write(p384.replace(
        'name = "test"\n', 'name = "test"\nhooks = ["flaky"]\n') + flaky +
        cert_block())
    os.unlink(fast.path("example.org_ecdsa-p256.crt.pem"))
    r = fast.once(check=False)
    # Saved with the new key (call 1), rolled over, not saved (call 2).
    assert r.returncode == 1
    assert "account key updated" not in r.stderr
    assert 'hook "flaky" (file-pre-edit): unrecoverable failure' in r.stderr
    fast.write(p384 + cert_block())
    r = fast.once()
    assert "already knows the new account key" in r.stderr
    assert os.path.exists(fast.path("example.org_ecdsa-p256.crt.pem"))


def test_deactivated_account_tells_what_to_do(fast):
    """An account the CA deactivated cannot come back (RFC 8555 7.3.6):
    the error says which file to move away for a new registration."""
    from test_acme_support import drive
    fast.write(fast.base_config() + cert_block())
    fast.once()
    [path] = glob.glob(fast.accounts + "/*.account.bin")
    with open(path, "rb") as f:
        kept = f.read()
    # Deactivated on the CA's side; acmed's file still has the account.
    drive({"pebble": fast.pebble}, fast.accounts, "deactivate")
    with open(path, "wb") as f:
        f.write(kept)
    os.unlink(fast.path("example.org_ecdsa-p256.crt.pem"))
    r = fast.once(check=False)
    assert r.returncode == 1
    assert "deactivated" in r.stderr
    assert ("an ACME account cannot be reactivated: to register a new "
            f"one, move {path} away") in r.stderr


def top_issuer_cn(chain_pem):
    """The issuer CN of a PEM chain's last certificate."""
    if isinstance(chain_pem, bytes):
        chain_pem = chain_pem.decode()
    last = chain_pem.split("-----BEGIN CERTIFICATE-----")[-1]
    out = openssl("x509", "-noout", "-issuer", "-nameopt", "multiline",
                  input=("-----BEGIN CERTIFICATE-----" + last).encode())
    return re.search(r"commonName\s*=\s*(.+)", out)[1].strip()


def test_preferred_chain(pebble_factory, tmp_path):
    """preferred_chain picks, among the CA's chains (alternates linked
    with rel="alternate"), the one whose topmost certificate was issued
    by that name; without a match, the CA's first."""
    p = pebble_factory(env={"PEBBLE_VA_ALWAYS_VALID": "1",
                            "PEBBLE_ALTERNATE_ROOTS": "1"})
    roots = [top_issuer_cn(p.get(f"{p.mgmt}/roots/{i}")) for i in (0, 1)]
    assert roots[0] != roots[1]
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    name = "example.org_ecdsa-p256.crt.pem"
    seen = []
    for want in (None, roots[0], roots[1], "No Such Root"):
        extra = f'preferred_chain = "{want}"' if want else ""
        a.write(a.base_config() + cert_block(extra=extra))
        if os.path.exists(a.path(name)):
            os.unlink(a.path(name))
        r = a.once()
        seen.append(top_issuer_cn(a.read(name)))
        if want == "No Such Root":
            assert "none of the CA's 2 chains leads up to" in r.stderr
    # The CA's first chain by default and without a match; each root when
    # asked for.
    assert seen[1:3] == roots
    assert seen[0] == seen[3] and seen[0] in roots


def test_without_kp_reuse_the_key_changes(fast):
    fast.write(fast.base_config() + cert_block())
    fast.once()
    key = fast.read("example.org_ecdsa-p256.pk.pem")
    os.unlink(fast.path("example.org_ecdsa-p256.crt.pem"))
    fast.once()
    assert fast.read("example.org_ecdsa-p256.pk.pem") != key


def test_changed_identifiers_trigger_an_order(fast):
    fast.write(fast.base_config() + cert_block())
    fast.once()
    crt = fast.read("example.org_ecdsa-p256.crt.pem")
    fast.once()
    assert fast.read("example.org_ecdsa-p256.crt.pem") == crt
    fast.write(fast.base_config() + cert_block(idents=(
        ("dns", "example.org", "http-01"), ("dns", "www.example.org",
                                            "http-01"))))
    fast.once()
    crt2 = fast.read("example.org_ecdsa-p256.crt.pem")
    assert sans(crt2) == ["DNS:example.org", "DNS:www.example.org"]


# -- hooks --------------------------------------------------------------------

def hook_block(name, types, cmd, args=()):
    return f"""
[[hook]]
name = "{name}"
type = [{", ".join('"%s"' % t for t in types)}]
cmd = {toml_str(cmd)}
args = [{", ".join(toml_str(a) for a in args)}]
"""


def record_hook(name, types, out, args):
    return hook_block(name, types, RECORD_HOOK, [out, *args])


def read_records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_hook_variables(real):
    out = os.path.join(real.folder, "vars.jsonl")
    chall_args = ["{{ challenge }}", "{{ identifier }}",
                  "{{ identifier_tls_alpn }}", "{{ file_name }}",
                  "{{ proof }}", "{{ raw_proof }}", "{{ is_clean_hook }}",
                  "{{ env.MARK }}", "{{ env.IDENT }}"]
    file_args = ["{{ file_name }}", "{{ file_directory }}", "{{ file_path }}",
                 "{{ env.MARK }}"]
    post_args = ["{{ identifiers | join(',') }}", "{{ key_type }}",
                 "{{ status }}", "{{ is_success }}", "{{ certificate_path }}",
                 "{{ private_key_path }}", "{{ env.MARK }}",
                 "{% for k in env %}{{ k }},{% endfor %}",
                 "{{ identifiers }}"]
    hooks = (record_hook("rc", ["challenge-http-01",
                                "challenge-http-01-clean"], out, chall_args) +
             record_hook("rf", ["file-pre-create", "file-post-create",
                                "file-pre-edit", "file-post-edit"], out,
                         file_args) +
             record_hook("rp", ["post-operation"], out, post_args))
    cfg = real.base_config('env = { MARK = "global" }') + hooks + cert_block(
        idents=(("dns", "example.org", "http-01"),),
        hooks=('"challtestsrv"', '"rc"', '"rf"', '"rp"'),
        extra='env = { MARK = "certificate" }')
    cfg = cfg.replace('challenge = "http-01" }',
                      'challenge = "http-01", env = { IDENT = "id" } }')
    real.write(cfg)
    real.once()
    recs = [r["argv"] for r in read_records(out)]
    chall, clean = recs[0], recs[1]
    assert chall[0] == "http-01" and chall[1] == "example.org"
    assert chall[2] == "example.org"
    token = chall[3]
    assert chall[4].startswith(token + ".")
    assert chall[5] == "" and chall[6] == "false"
    assert chall[7] == "certificate" and chall[8] == "id"
    assert clean[:6] == chall[:6] and clean[6] == "true"
    d = real.certs
    assert recs[2] == ["example.org_ecdsa-p256.pk.pem", d,
                       d + "/example.org_ecdsa-p256.pk.pem", "certificate"]
    assert recs[3][0] == "example.org_ecdsa-p256.crt.pem"
    assert recs[4][0] == "example.org_ecdsa-p256.pk.pem"
    assert recs[5][0] == "example.org_ecdsa-p256.crt.pem"
    assert recs[6][:7] == ["example.org", "ecdsa-p256", "success", "true",
                           d + "/example.org_ecdsa-p256.crt.pem",
                           d + "/example.org_ecdsa-p256.pk.pem",
                           "certificate"]
    # As MiniJinja 2.11 (ACMEd's) shows them: maps in key order, lists
    # in Rust's Debug form.
    keys = recs[6][7].split(",")[:-1]
    assert keys == sorted(keys) and "MARK" in keys and "PATH" in keys
    assert recs[6][8] == '["example.org"]'
    assert len(recs) == 7


def test_failing_hook_fails_and_cleanup_runs(real):
    out = os.path.join(real.folder, "vars.jsonl")
    hooks = """
[[hook]]
name = "fail"
type = ["challenge-http-01"]
cmd = "/bin/false"
""" + record_hook("clean", ["challenge-http-01-clean"], out,
                  ["{{ identifier }}"]) + record_hook(
        "post", ["post-operation"], out, ["{{ status }}", "{{ is_success }}"])
    real.write(real.base_config() + hooks + cert_block(
        hooks=('"fail"', '"clean"', '"post"')))
    r = real.once(check=False)
    assert r.returncode == 1
    assert 'hook "fail" (challenge-http-01): unrecoverable failure: exit ' \
        'code 1' in r.stderr
    recs = [x["argv"] for x in read_records(out)]
    assert recs[0] == ["example.org"]
    assert recs[1][0].startswith("unable to renew the certificate: ")
    assert recs[1][1] == "false"
    assert not glob.glob(real.certs + "/*.pem")


SLOW_HOOK = """
[[hook]]
name = "slow"
type = ["challenge-http-01"]
cmd = "sleep"
args = ["600"]
"""


def test_hanging_hook_is_killed(real):
    hooks = SLOW_HOOK + 'timeout = "1s"\n'
    real.write(real.base_config() + hooks + cert_block(hooks=('"slow"',)))
    t0 = time.monotonic()
    r = real.once(check=False)
    assert r.returncode == 1
    assert time.monotonic() - t0 < 30
    assert "timed out after 1000 ms" in r.stderr


# Starts a web server in the background and returns once it answers.
SERVE_HOOK = """
import socket, subprocess, sys, time
port, www, pid_file = sys.argv[1:]
srv = subprocess.Popen([sys.executable, "-m", "http.server", port,
                        "--bind", "127.0.0.1", "--directory", www])
with open(pid_file, "w") as f:
    f.write(str(srv.pid))
deadline = time.monotonic() + 30
while True:
    try:
        socket.create_connection(("127.0.0.1", int(port)), 1).close()
        break
    except OSError:
        if srv.poll() is not None or time.monotonic() > deadline:
            sys.exit("the server did not start")
        time.sleep(0.05)
print("serving on", port)
"""


def test_hook_leaves_a_web_server_running(pebble_factory, tmp_path):
    """A challenge hook starts the web server that serves the proof and
    exits; the server logs each request to the stderr it inherited from
    the hook, which acmed captured.  Those writes must not fail (they did
    once the capture was closed, and Pebble's request with them): it
    serves the validation, and still answers after acmed exited (ACMEd
    gave such a hook /dev/null)."""
    port = free_port()
    p = pebble_factory(http_port=port, chall_http01=False)
    a = Acmed(tmp_path / "acmed", p)
    os.makedirs(a.folder)
    www = str(tmp_path / "www")
    os.makedirs(www + "/.well-known/acme-challenge")
    pid_file = str(tmp_path / "server.pid")
    proof = www + "/.well-known/acme-challenge/{{ file_name }}"
    a.write(a.base_config() + f"""
[[hook]]
name = "write"
type = ["challenge-http-01"]
cmd = "echo"
args = ["{{{{ proof }}}}"]
stdout = {toml_str(proof)}

[[hook]]
name = "serve"
type = ["challenge-http-01"]
cmd = "python3"
args = ["-c", '''{SERVE_HOOK}''', "{port}", {toml_str(www)},
        {toml_str(pid_file)}]

[[hook]]
name = "unwrite"
type = ["challenge-http-01-clean"]
cmd = "rm"
args = ["-f", {toml_str(proof)}]
""" + cert_block(hooks=('"write"', '"serve"', '"unwrite"')))
    try:
        r = a.once(check=False, timeout=200)
        assert r.returncode == 0, r.stderr[-4000:]
        # The hook's own output is logged as before.
        assert any('hook "serve": stdout: ' in line and
                   f"serving on {port}" in line
                   for line in r.stderr.splitlines()), r.stderr[-4000:]
        assert sans(a.read("example.org_ecdsa-p256.crt.pem")) == \
            ["DNS:example.org"]
        # acmed is gone; the server, and the stderr it logs to, are not.
        with socket.create_connection(("127.0.0.1", port), 10) as c:
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            answer = b""
            while chunk := c.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 200 "), answer[:200]
    finally:
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                try:
                    os.kill(int(f.read()), signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_allow_failure(real):
    hooks = """
[[hook]]
name = "fails"
type = ["challenge-http-01"]
cmd = "/bin/false"
allow_failure = true
"""
    real.write(real.base_config() + hooks + cert_block(
        hooks=('"fails"', '"challtestsrv"')))
    real.once()


MISSING_HOOKS = """
[[hook]]
name = "missing"
type = ["challenge-http-01"]
cmd = "acmed-test-no-such-program"
allow_failure = {allow}

[[hook]]
name = "missing-path"
type = ["challenge-http-01"]
cmd = "/nonexistent/acmed-test-program"
allow_failure = {allow}
"""


def test_allow_failure_covers_a_missing_program(fast):
    """A hook whose program this host lacks (pidwait on an older procps,
    say) is allowed to fail like one that exits non-zero."""
    script = os.path.join(fast.folder, "no-interpreter")
    with open(script, "w") as f:
        f.write("#!/nonexistent/interpreter\n")
    os.chmod(script, 0o755)
    fast.write(fast.base_config() + MISSING_HOOKS.format(allow="true") +
               hook_block("missing-interpreter", ["challenge-http-01"],
                          script) + "allow_failure = true\n" +
               cert_block(hooks=('"missing"', '"missing-path"',
                                 '"missing-interpreter"', '"challtestsrv"')))
    r = fast.once()
    assert re.search(r'hook "missing-interpreter": .*no-interpreter: cannot '
                     r'run: No such file or directory, allowed to fail',
                     r.stderr), r.stderr[-3000:]
    assert re.search(r'hook "missing": acmed-test-no-such-program: command '
                     r'not found in PATH .*, allowed to fail', r.stderr)
    assert re.search(r'hook "missing-path": /nonexistent/acmed-test-program:'
                     r' No such file or directory, allowed to fail', r.stderr)


@pytest.mark.parametrize("hook,message", [
    ("missing", "acmed-test-no-such-program: command not found in PATH"),
    ("missing-path", "/nonexistent/acmed-test-program: No such file"),
])
def test_a_missing_program_fails_the_hook(fast, hook, message):
    fast.write(fast.base_config() + MISSING_HOOKS.format(allow="false") +
               cert_block(hooks=(f'"{hook}"', '"challtestsrv"')))
    r = fast.once(check=False)
    assert r.returncode != 0
    assert f'hook "{hook}" (challenge-http-01): {message}' in r.stderr, \
        r.stderr[-3000:]


# -- files --------------------------------------------------------------------

def test_modes_and_owners(fast):
    fast.write(fast.base_config(
        "cert_file_mode = 0o640\npk_file_mode = 0o400\n"
        'cert_file_user = "nobody"\npk_file_group = "nogroup"\n') +
        cert_block())
    fast.once()
    k = os.stat(fast.path("example.org_ecdsa-p256.pk.pem"))
    c = os.stat(fast.path("example.org_ecdsa-p256.crt.pem"))
    assert stat.S_IMODE(k.st_mode) == 0o400
    assert stat.S_IMODE(c.st_mode) == 0o640
    import grp
    import pwd
    assert c.st_uid == pwd.getpwnam("nobody").pw_uid
    assert k.st_gid == grp.getgrnam("nogroup").gr_gid


def test_failure_after_the_files_is_not_retried_early(fast, monkeypatch):
    """A file-post-* hook that fails after the new files are in place
    fails the renewal, but retrying would only issue another certificate:
    the next attempt is when the one on disk is due."""
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")
    fast.write(fast.base_config() + """
[[hook]]
name = "after"
type = ["file-post-create", "file-post-edit"]
cmd = "false"
""" + cert_block(hooks=('"challtestsrv"', '"after"')))
    fast.start()
    fast.wait_log("no early retry")
    log = fast.log()
    assert 'hook "after" (file-post-create): unrecoverable failure' in log
    assert "next attempt in" not in log
    assert log.count("certificate renewed") == 0
    assert os.path.exists(fast.path("example.org_ecdsa-p256.crt.pem"))
    assert fast.stop() == 0


def test_unwritable_folder_found_before_ordering(fast):
    """A folder that cannot take the files is found before the order: a
    certificate issued and then thrown away still counts against the CA's
    rate limits (Let's Encrypt: 5 duplicates a week)."""
    fast.write(fast.base_config(
        'file_name_format = "{{ file_type }}/{{ name }}.{{ ext }}"') +
        cert_block())
    argv = [x if x != "debug" else "trace" for x in
            fast.argv("--once", "--no-pid-file")]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert (f"before ordering: folder {fast.certs}/pk: No such file or "
            "directory") in r.stderr
    # Trace logs every request ("POST <url>: HTTP 201"): none was made.
    assert ": HTTP " not in r.stderr and "order-plz" not in r.stderr
    for sub in ("pk", "crt"):
        os.mkdir(os.path.join(fast.certs, sub))
    fast.once()
    assert os.path.exists(fast.path("crt/example.org.pem"))
    assert os.path.exists(fast.path("pk/example.org.pem"))


def test_failure_keeps_previous_files(fast):
    fast.write(fast.base_config() + cert_block())
    fast.once()
    key = fast.read("example.org_ecdsa-p256.pk.pem")
    crt = fast.read("example.org_ecdsa-p256.crt.pem")
    # A new identifier makes it due; a CA that went away makes it fail
    # after the point where ACMEd had already written a new key.
    fast.write(fast.base_config() + cert_block(idents=(
        ("dns", "example.org", "http-01"), ("dns", "new.example.org",
                                            "http-01"))))
    fast.pebble.stop_pebble()
    r = fast.once(check=False)
    assert r.returncode == 1
    assert fast.read("example.org_ecdsa-p256.pk.pem") == key
    assert fast.read("example.org_ecdsa-p256.crt.pem") == crt
    assert sorted(os.listdir(fast.certs)) == [
        "example.org_ecdsa-p256.crt.pem", "example.org_ecdsa-p256.pk.pem"]


def test_stale_temporary_files_swept_once(fast):
    """What killed writers left (".<name>.<12 hex>.tmp") is removed before
    the first write into a folder, whether the folder holds certificates or
    accounts and however a path spells it; nothing else is touched."""
    shared = fast.certs + "/"               # the same folder, spelt again
    os.makedirs(fast.certs, mode=0o700, exist_ok=True)
    stale = [".example.org_ecdsa-p256.pk.pem.0123456789ab.tmp",
             ".other.crt.pem.ba9876543210.tmp",
             ".dGVzdA.account.bin.00112233aabb.tmp"]
    kept = ["notes.txt", ".hidden", ".x.0123456789AB.tmp", ".x.tmp"]
    for name in stale + kept:
        with open(os.path.join(fast.certs, name), "w") as f:
            f.write("left behind\n")
    fast.write(fast.base_config().replace(
        toml_str(fast.accounts), toml_str(shared)) + cert_block())
    r = fast.once("--log-level", "info")
    assert r.stderr.count("removed 3 temporary files") == 1, r.stderr
    left = sorted(os.listdir(fast.certs))
    assert [n for n in stale if n in left] == []
    assert all(n in left for n in kept), left
    assert "example.org_ecdsa-p256.crt.pem" in left


def test_sigterm_during_order_leaves_no_partial_file(real):
    out = os.path.join(real.folder, "vars.jsonl")
    hooks = SLOW_HOOK + record_hook("clean", ["challenge-http-01-clean"],
                                    out, ["{{ identifier }}"])
    real.write(real.base_config() + hooks + cert_block(
        hooks=('"slow"', '"clean"')))
    real.start()
    real.wait_log('calling hook "slow"')
    real.signal(signal.SIGTERM)
    real.proc.wait(timeout=30)
    assert os.listdir(real.certs) == []
    assert [r["argv"] for r in read_records(out)] == [["example.org"]]
    assert not os.path.exists(real.pid_file)


def test_sigterm_while_a_reload_waits(real):
    """A reload waits for the renewals in progress; SIGTERM must still
    stop acmed at once (the signal thread used to wait with them)."""
    out = os.path.join(real.folder, "vars.jsonl")
    real.write(real.base_config() + SLOW_HOOK + record_hook(
        "clean", ["challenge-http-01-clean"], out, ["{{ identifier }}"]) +
        cert_block(hooks=('"slow"', '"clean"')))
    real.start()
    real.wait_log('calling hook "slow"')
    real.signal(signal.SIGHUP)
    real.wait_log("reload: waiting for 1 renewal in progress")
    real.signal(signal.SIGTERM)
    # The hook sleeps 600 s: only a SIGTERM heard at once ends this.
    assert real.proc.wait(timeout=60) == 0
    assert "killed because acmed is stopping" in real.log()
    assert [r["argv"] for r in read_records(out)] == [["example.org"]]


def test_once_stopped_early_fails(real):
    """--once exits 1 when stopped before its renewals were done, and
    ignores SIGHUP (a reload would renew again what just failed)."""
    real.write(real.base_config() + SLOW_HOOK +
               cert_block(hooks=('"slow"',)))
    log_path = os.path.join(real.folder, "once.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(real.argv("--once", "--no-pid-file"),
                                stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    real.proc = proc        # stopped by the fixture if a check fails

    def text():
        with open(log_path) as f:
            return f.read()
    wait_until(lambda: 'calling hook "slow"' in text(), 60, "slow hook")
    proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "SIGHUP: ignored with --once" in text(), 30,
               "SIGHUP ignored")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 1
    assert "stopped before every renewal due was done" in text()
    assert "reloading" not in text()


def test_sigusr1_from_outside_is_ignored(fast):
    """SIGUSR1 ends --once from inside; sent by anyone else, it used to
    stop the daemon without a word and with status 0."""
    fast.write(fast.base_config() + cert_block())
    fast.start()
    wait_until(lambda: os.path.exists(
        fast.path("example.org_ecdsa-p256.crt.pem")), 60, "first cert")
    fast.signal(signal.SIGUSR1)
    fast.wait_log(f"SIGUSR1 from process {os.getpid()}: ignored")
    assert fast.proc.poll() is None
    assert os.path.exists(fast.pid_file)
    assert fast.stop() == 0


# -- reload -------------------------------------------------------------------

def test_sighup_reload(fast):
    fast.write(fast.base_config() + cert_block())
    fast.start()
    wait_until(lambda: os.path.exists(
        fast.path("example.org_ecdsa-p256.crt.pem")), 60, "first cert")
    # A broken configuration: the daemon keeps running.
    fast.write(fast.base_config() + cert_block() + "\n[[certificate]]\n")
    fast.signal(signal.SIGHUP)
    fast.wait_log("reload failed")
    assert fast.proc.poll() is None
    # A fixed one with a new certificate: picked up without a restart.
    fast.write(fast.base_config() + cert_block() + cert_block(
        idents=(("dns", "second.example.org", "http-01"),)))
    fast.signal(signal.SIGHUP)
    wait_until(lambda: os.path.exists(
        fast.path("second.example.org_ecdsa-p256.crt.pem")), 60, "second")
    assert fast.proc.poll() is None
    assert fast.stop() == 0


@pytest.mark.parametrize("abstract", [False, True])
def test_systemd_notify(fast, abstract):
    """Type=notify: READY=1 once it serves, RELOADING=1 then READY=1
    around a reload (also a failed one), STOPPING=1; hooks do not get
    NOTIFY_SOCKET, so they cannot speak for the daemon."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = os.path.join(fast.folder, "notify.sock")
    if abstract:
        name = f"@acmed-test-{os.getpid()}-{id(sock)}"
        sock.bind("\0" + name[1:])
    else:
        sock.bind(name)
    sock.settimeout(60)
    env_out = os.path.join(fast.folder, "hook.env")
    env_hook = hook_block("env", ["post-operation"], "/usr/bin/env") + \
        f"stdout = {toml_str(env_out)}\n"
    config = fast.base_config() + env_hook + cert_block(
        hooks=('"challtestsrv"', '"env"'))
    fast.write(config)
    try:
        fast.start(env={**os.environ, "NOTIFY_SOCKET": name})

        def message():
            return sock.recv(4096).decode()
        assert message() == "READY=1\nSTATUS=1 certificate"
        fast.wait_log('hook "env": exit code 0')
        with open(env_out) as f:
            env = f.read()
        assert "PATH=" in env and "NOTIFY_SOCKET" not in env
        fast.signal(signal.SIGHUP)
        assert re.fullmatch(r"RELOADING=1\nMONOTONIC_USEC=\d+", message())
        assert message() == "READY=1\nSTATUS=1 certificate"
        fast.write(config + "\n[[certificate]]\n")
        fast.signal(signal.SIGHUP)
        assert message().startswith("RELOADING=1\n")
        assert message() == "READY=1\nSTATUS=reload failed: see the log"
        fast.signal(signal.SIGTERM)
        assert message() == "STOPPING=1"
        assert fast.stop() == 0
    finally:
        sock.close()


def notify_socket(folder):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = os.path.join(folder, "notify.sock")
    sock.bind(name)
    sock.settimeout(60)
    return sock, name


def test_systemd_notify_without_certificates(fast):
    """No certificate: acmed exits 0, but tells READY=1 first (under
    Type=notify, an exit before it is a failure, and the shipped
    configuration has no certificate)."""
    sock, name = notify_socket(fast.folder)
    fast.write(fast.base_config())
    try:
        r = subprocess.run(fast.argv("-f", "--no-pid-file"),
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, "NOTIFY_SOCKET": name})
        assert r.returncode == 0 and "No certificate found." in r.stderr
        assert sock.recv(4096) == b"READY=1\nSTATUS=No certificate found."
        assert sock.recv(4096) == b"STOPPING=1"
    finally:
        sock.close()


def test_systemd_notify_failed_reload_while_one_waits(fast):
    """A reload that waits for a renewal, then one that fails: READY=1
    comes once, when the first is swapped in (it came with the failure,
    while the first still waited)."""
    sock, name = notify_socket(fast.folder)
    gate = os.path.join(fast.folder, "gate")
    hold = hook_block("hold", ["post-operation"], GATE_HOOK, [gate])
    good = fast.base_config() + hold + cert_block(
        hooks=('"challtestsrv"', '"hold"'))
    fast.write(good)
    try:
        fast.start(env={**os.environ, "NOTIFY_SOCKET": name})
        assert sock.recv(4096).startswith(b"READY=1")
        fast.wait_log('calling hook "hold"')
        fast.signal(signal.SIGHUP)
        assert sock.recv(4096).startswith(b"RELOADING=1")
        fast.wait_log("reload: waiting for 1 renewal in progress")
        fast.write(good + "\n[[certificate]]\n")
        fast.signal(signal.SIGHUP)
        assert sock.recv(4096).startswith(b"RELOADING=1")
        fast.wait_log("reload failed")
        open(gate, "w").close()
        assert sock.recv(4096) == b"READY=1\nSTATUS=1 certificate"
        fast.signal(signal.SIGTERM)
        assert sock.recv(4096) == b"STOPPING=1"
        assert fast.stop() == 0
    finally:
        sock.close()


def test_once_refused_next_to_a_daemon(fast):
    """Two acmeds on the same folders would register and order twice: the
    folders are locked, whatever the PID files say."""
    fast.write(fast.base_config() + cert_block())
    fast.start()
    wait_until(lambda: os.path.exists(
        fast.path("example.org_ecdsa-p256.crt.pem")), 60, "first cert")
    r = fast.once(check=False)      # --no-pid-file
    assert r.returncode == 1
    assert f"accounts folder {fast.accounts} is in use by another acmed" \
        in r.stderr
    other = os.path.join(fast.folder, "other.pid")
    r = subprocess.run(fast.argv("--once", "--pid-file", other),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "is in use by another acmed" in r.stderr
    assert not os.path.exists(other)
    # Refused before the account file is read: a new key type would have
    # rotated the key and rewritten the file.
    [account] = glob.glob(fast.accounts + "/*.account.bin")
    with open(account, "rb") as f:
        before = f.read()
    fast.write(fast.base_config().replace(
        'name = "test"\n', 'name = "test"\nkey_type = "ed25519"\n') +
        cert_block())
    r = fast.once(check=False)
    assert r.returncode == 1 and "is in use by another acmed" in r.stderr
    with open(account, "rb") as f:
        assert f.read() == before
    assert fast.proc.poll() is None
    # Once the daemon is gone, --once runs.
    assert fast.stop() == 0
    fast.once()


def test_reload_waits_for_the_renewal_in_progress(fast):
    """A reload during a renewal: no new one starts, the renewal ends, and
    then (from the worker that ran it) the new configuration comes in."""
    gate = os.path.join(fast.folder, "gate")
    hold = hook_block("hold", ["post-operation"], GATE_HOOK, [gate])
    fast.write(fast.base_config() + hold + cert_block(
        hooks=('"challtestsrv"', '"hold"')))
    fast.start()
    fast.wait_log('calling hook "hold"')
    fast.write(fast.base_config() + hold + cert_block(
        hooks=('"challtestsrv"', '"hold"')) + cert_block(
        idents=(("dns", "second.example.org", "http-01"),)))
    fast.signal(signal.SIGHUP)
    fast.wait_log("reload: waiting for 1 renewal in progress")
    assert "configuration reloaded" not in fast.log()
    open(gate, "w").close()
    fast.wait_log("configuration reloaded: 2 certificates")
    wait_until(lambda: os.path.exists(
        fast.path("second.example.org_ecdsa-p256.crt.pem")), 60, "second")
    assert fast.stop() == 0


def test_reload_lets_go_of_a_folder(fast):
    """A folder the new configuration no longer uses is unlocked: another
    acmed may work in it."""
    fast.write(fast.base_config() + cert_block())
    fast.start()
    wait_until(lambda: os.path.exists(
        fast.path("example.org_ecdsa-p256.crt.pem")), 60, "first cert")
    moved = os.path.join(fast.folder, "moved")
    fast.write(fast.base_config().replace(toml_str(fast.certs),
                                          toml_str(moved)) + cert_block())
    fast.signal(signal.SIGHUP)
    fast.wait_log("configuration reloaded: 1 certificate")
    # Another acmed, with its own accounts, in the old certificates folder.
    other = Acmed(os.path.join(fast.folder, "other"), fast.pebble)
    other.certs = fast.certs
    os.makedirs(other.folder)
    other.write(other.base_config() + cert_block(
        idents=(("dns", "other.example.org", "http-01"),)))
    other.once()
    assert os.path.exists(fast.path("other.example.org_ecdsa-p256.crt.pem"))
    assert fast.stop() == 0


def test_refused_reload_leaves_the_account_files(fast):
    """A reload that changes an account's key type, refused for a broken
    file of another account, leaves the first account's file as it was:
    its key is replaced only when a reload takes over."""
    fast.write(fast.base_config() + cert_block())
    fast.start()
    wait_until(lambda: os.path.exists(
        fast.path("example.org_ecdsa-p256.crt.pem")), 60, "the certificate")
    path = os.path.join(fast.accounts, "dGVzdA.account.bin")
    before = open(path, "rb").read()
    with open(os.path.join(fast.accounts, "b3RoZXI.account.bin"), "wb") as f:
        f.write(b"not an account file")
    config = fast.base_config().replace(
        'name = "test"\n', 'name = "test"\nkey_type = "ecdsa_p384"\n')
    assert config != fast.base_config()
    fast.write(config + '[[account]]\nname = "other"\n'
               'contacts = [{ mailto = "other@example.org" }]\n' +
               cert_block())
    fast.signal(signal.SIGHUP)
    fast.wait_log("reload failed")
    assert "b3RoZXI.account.bin" in fast.log()
    assert "account key created" not in fast.log()
    assert open(path, "rb").read() == before
    # Once the broken file is gone, the reload changes the key.
    os.unlink(os.path.join(fast.accounts, "b3RoZXI.account.bin"))
    fast.signal(signal.SIGHUP)
    fast.wait_log("new ecdsa-p384 account key created")
    fast.wait_log("configuration reloaded")
    assert open(path, "rb").read() != before
    assert fast.stop() == 0


def test_second_instance_refused(fast):
    fast.write(fast.base_config() + cert_block())
    fast.start()
    r = subprocess.run(fast.argv("-f", "--pid-file", fast.pid_file),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3
    assert "another acmed is running" in r.stderr


def test_process_name(fast):
    """acmed executes itself once at start (see main.c); the daemon and
    each of its threads must still be called acmed, or pgrep, pkill,
    killall and top would not find it, and its hooks must not see the
    variables of that second start."""
    env_out = os.path.join(fast.folder, "hook.env")
    fast.write(fast.base_config() + f"""
[[hook]]
name = "env"
type = ["post-operation"]
cmd = "env"
stdout = {toml_str(env_out)}
""" + cert_block(hooks=('"challtestsrv"', '"env"')))
    fast.start()
    wait_until(lambda: os.path.exists(env_out) and
               os.path.getsize(env_out) > 0, 60, "post-operation hook")
    pid = fast.proc.pid
    names = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            names.add(f.read().strip())
    assert names == {"acmed"}
    r = subprocess.run(["pgrep", "-x", "acmed"], capture_output=True,
                       text=True)
    assert str(pid) in r.stdout.split()
    with open(env_out) as f:
        env = f.read().splitlines()
    assert "PATH=" + os.environ["PATH"] in env
    assert not [v for v in env
                if v.startswith(("ACMED_REEXEC", "GNUTLS_NO_IMPLICIT"))]


@pytest.mark.parametrize("form", ["-c={}", "-c{}", "--config={}"])
def test_config_option_forms(tmp_path, form):
    """ACMEd's parser (clap) takes -c=FILE as -c FILE: a unit file
    written for it must work (getopt alone kept the '=')."""
    cfg = tmp_path / "acmed.toml"
    cfg.write_text('[[endpoint]]\nname = "ca"\n'
                   'url = "https://127.0.0.1:14000/dir"\n'
                   'tos_agreed = true\n')
    r = subprocess.run([program("acmed"), form.format(cfg),
                        "--check-config"], capture_output=True, text=True,
                       timeout=30)
    assert (r.returncode, r.stdout, r.stderr) == (0, "no certificate\n", "")


def test_check_config_warns_of_a_folder_another_group_writes(tmp_path):
    """A keys folder another group can write is used, with a warning (one
    writable by all is refused); root's group, or acmed's, is the usual
    way to share the files and says nothing."""
    accounts, certs = tmp_path / "accounts", tmp_path / "certs"
    accounts.mkdir(mode=0o700)
    cfg = tmp_path / "acmed.toml"
    cfg.write_text(f"""
[global]
accounts_directory = "{accounts}"
certificates_directory = "{certs}"
""")

    def check():
        r = subprocess.run([program("acmed"), "-c", str(cfg),
                            "--check-config"], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stderr
    os.chown(accounts, 0, 1)
    os.chmod(accounts, 0o770)
    assert f"accounts folder {accounts} can be written by group 1 (mode " \
        "0770): its members can replace the keys and certificates there" \
        in check()
    os.chmod(accounts, 0o750)
    assert check() == ""
    os.chown(accounts, 0, 0)
    os.chmod(accounts, 0o770)
    assert check() == ""


@pytest.mark.parametrize("prog,args,message", [
    ("acmed", ["--bogus"], "acmed: unrecognized option '--bogus'"),
    ("acmed", ["-x"], "acmed: invalid option -- 'x'"),
    ("acmed", ["stray"], 'acmed: unexpected argument "stray"'),
    ("tacd", ["--bogus"], "tacd: unrecognized option '--bogus'"),
])
def test_usage_errors_say_what_is_wrong(prog, args, message):
    """A usage error names the program, not the path it was started by,
    and says what is wrong before the synopsis; exit status 2."""
    r = subprocess.run([program(prog), *args], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert lines[0] == message, r.stderr
    assert lines[1].startswith("usage: " + prog), r.stderr


def test_check_config_reads_root_certificates(tmp_path):
    """--check-config reads the root certificates the daemon would load:
    it used to pass a configuration the daemon then refused."""
    _, crt = self_signed(str(tmp_path / "ca"), ["root.example"], 1, 30)
    good = tmp_path / "root.pem"
    good.write_text(crt)
    cfg = tmp_path / "acmed.toml"
    cfg.write_text("""
[[endpoint]]
name = "ca"
url = "https://127.0.0.1:14000/dir"
tos_agreed = true
""")

    def check(*roots):
        argv = [program("acmed"), "-c", str(cfg), "--check-config"]
        for r in roots:
            argv += ["--root-cert", str(r)]
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=30, cwd=str(tmp_path))
    r = check(good)
    assert (r.returncode, r.stdout, r.stderr) == (0, "no certificate\n", "")
    r = check(good, tmp_path / "missing.pem")
    assert r.returncode == 1 and r.stdout == ""
    # Named by where it was given: the command line.
    assert r.stderr == (f'--root-cert: root certificate {tmp_path}/'
                        'missing.pem: No such file or directory\n')
    r = check(cfg)
    assert r.returncode == 1
    assert f"root certificate {cfg}: no PEM certificate found" in r.stderr
    # One given to every endpoint is named once; an endpoint's own, as
    # every configuration error is: the file as given, the line.
    text = cfg.read_text()
    cfg.write_text(text.replace("tos_agreed = true", f"""tos_agreed = true
root_certificates = ["{tmp_path}/own.pem"]""") + """
[[endpoint]]
name = "other"
url = "https://127.0.0.1:14001/dir"
tos_agreed = true
""")
    r = check(tmp_path / "missing.pem")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"--root-cert: root certificate {tmp_path}/missing.pem: No such "
        "file or directory",
        f'{cfg}:2:1: endpoint "ca": root certificate {tmp_path}/own.pem: '
        "No such file or directory"], r.stderr
    cfg.write_text(text)
    # Only read: nothing was created next to the configuration.
    assert sorted(os.listdir(tmp_path)) == ["acmed.toml", "ca", "root.pem"]


def test_check_config_warns_of_what_would_fail(tmp_path):
    """A configuration ACMEd loads but that fails after the CA was asked
    loads with a warning for each such mistake, at its place: a challenge
    no hook publishes, a hook's program that is not there or cannot run,
    terms not agreed to on an endpoint in use.  Unused ones say nothing."""
    cfg = tmp_path / "acmed.toml"
    cfg.write_text(f"""
[global]
accounts_directory = "{tmp_path}/accounts"
certificates_directory = "{tmp_path}/certs"

[[endpoint]]
name = "ca"
url = "https://127.0.0.1:14000/dir"
tos_agreed = false

[[endpoint]]
name = "unused"
url = "https://127.0.0.1:14001/dir"
tos_agreed = false

[[hook]]
name = "publish"
type = ["challenge-http-01"]
cmd = "true"

[[hook]]
name = "missing"
type = ["post-operation"]
cmd = "no-such-program-acmed-test"

[[hook]]
name = "folder"
type = ["post-operation"]
cmd = "{tmp_path}"

[[hook]]
name = "unused"
type = ["post-operation"]
cmd = "no-such-program-either"

[[account]]
name = "a"
contacts = [{{ mailto = "a@example.org" }}]

[[certificate]]
account = "a"
endpoint = "ca"
identifiers = [
    {{ dns = "example.org", challenge = "http-01" }},
    {{ dns = "a.example.org", challenge = "dns-01" }},
    {{ dns = "b.example.org", challenge = "dns-01" }},
]
hooks = ["publish", "missing", "folder"]

# Its hooks look their programs up in the PATH its env gives them.
[[hook]]
name = "private"
type = ["post-operation"]
cmd = "my-private-hook"

[[certificate]]
account = "a"
endpoint = "ca"
identifiers = [{{ dns = "www.example.org", challenge = "http-01" }}]
hooks = ["publish", "private"]
env = {{ PATH = "{tmp_path}/bin" }}
""")
    r = subprocess.run([program("acmed"), "-c", str(cfg), "--check-config"],
                       capture_output=True, text=True, timeout=30,
                       cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('certificate "example.org"')
    warnings = [re.sub(r"^\[[^]]*\] ", "", line)
                for line in r.stderr.splitlines()]
    assert warnings == [
        f'{cfg}:40:1: certificate "example.org_rsa2048": no hook of type '
        "challenge-dns-01 publishes its dns-01 proofs (a.example.org)",
        f'{cfg}:21:1: hook "missing": no-such-program-acmed-test: command '
        f'not found in PATH ({os.environ["PATH"]})',
        f'{cfg}:26:1: hook "folder": {tmp_path} is not a file',
        f'{cfg}:6:1: endpoint "ca": tos_agreed is false: a CA with terms '
        "of service refuses to register an account until it is true",
    ], r.stderr
    assert not os.path.exists(tmp_path / "accounts")


@pytest.mark.parametrize("fmt,certs,message", [
    ("{{ name }}.{{ ext }}", ["ecdsa_p256"],
     'certificate "example.org_ecdsa-p256": its key and certificate files '
     'are both {d}/example.org.pem'),
    ("{{ name }}.{{ file_type }}.{{ ext }}", ["ecdsa_p256", "rsa2048"],
     'certificate "example.org_rsa2048": its certificate file '
     '{d}/example.org.crt.pem is also the certificate file of certificate '
     '"example.org_ecdsa-p256"'),
    # Not a collision: a name that cannot be rendered, with the place of
    # the certificate.
    ("{{ nosuch.x }}", ["ecdsa_p256"],
     '{cfg}:{line}:1: certificate "example.org_ecdsa-p256": '
     'file_name_format: line 1: undefined value'),
], ids=["key-and-certificate", "two-key-types", "undefined"])
def test_file_names_that_collide_are_refused(tmp_path, fmt, certs, message):
    """A file_name_format that does not tell the files apart would write a
    certificate over a key: refused with both positions, before anything
    is written (the daemon then reissued every minute, forever)."""
    # No CA is reached: the configuration is refused first.
    ca = types.SimpleNamespace(directory="https://127.0.0.1:9/dir",
                               chall_mgmt="http://127.0.0.1:9")
    a = Acmed(tmp_path / "acmed", ca)
    cfg, d = a.config, a.certs
    os.makedirs(a.folder)
    a.write(a.base_config(f'file_name_format = "{fmt}"') + "".join(
        cert_block(key_type=kt) for kt in certs))
    for mode in ("--check-config", "--once"):
        r = subprocess.run([program("acmed"), "-c", str(cfg), mode,
                            "--no-pid-file", "--log-stderr"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 1, r.stderr
        with open(cfg) as f:
            line = f.read().splitlines().index("[[certificate]]") + 1
        assert message.replace("{d}", str(d)).replace(
            "{cfg}", str(cfg)).replace("{line}", str(line)) in r.stderr
        assert f"{cfg}:" in r.stderr
    assert not os.path.exists(d) and not os.path.exists(a.accounts)


# -- scale --------------------------------------------------------------------

def test_200_certificates(fast):
    n = 200
    blocks = "".join(cert_block(
        idents=((("dns", f"c{i}.example.org", "http-01"),)),
        extra='random_early_renew = "30d"') for i in range(n))
    fast.write(fast.base_config() + blocks)
    log = os.path.join(fast.folder, "once.log")
    t0 = time.monotonic()
    with open(log, "w") as f:
        proc = subprocess.Popen(fast.argv("--once", "--no-pid-file",
                                          "--workers", "8"),
                                stdout=subprocess.DEVNULL, stderr=f)
    # acmed's own high-water mark, sampled while it runs: ru_maxrss would
    # hold pytest's memory, copied by the fork before the exec.
    hwm_kb = 0
    while True:
        pid, status = os.waitpid(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                hwm_kb = max([hwm_kb] + [int(line.split()[1]) for line in f
                                         if line.startswith("VmHWM:")])
        except (OSError, ValueError):
            pass
        time.sleep(0.05)  # a sampling interval, not a wait for readiness
    wall = time.monotonic() - t0
    with open(log) as f:
        err = f.read()
    assert os.waitstatus_to_exitcode(status) == 0, err[-4000:]
    assert len(glob.glob(fast.certs + "/*.crt.pem")) == n
    print(f"\n200 certificates: {wall:.1f} s wall, peak RSS "
          f"{hwm_kb / 1024:.1f} MB (VmHWM, last sample)")
    # Renewals are spread: the next due times differ.
    r = subprocess.run(fast.argv("--once", "--no-pid-file"),
                       capture_output=True, text=True, timeout=120)
    delays = set(line.split("(")[-1] for line in r.stderr.splitlines()
                 if "certificate expires in" in line)
    assert len(delays) > 5
