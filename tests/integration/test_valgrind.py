"""One full issuance against Pebble under valgrind (issue 9): no invalid
read or write, no use of uninitialised memory, no definitely lost block,
in the daemon and every thread it starts (hooks are other programs and are
not traced)."""
import json
import os
import shutil
import subprocess

import pytest

from acmed import Acmed
from certs import pubkey, sans
from conftest import plain_build_dir

VALGRIND = ["valgrind", "-q", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--error-exitcode=99",
            "--show-leak-kinds=definite"]


def sanitized(folder):
    """True for a build with ASan or UBSan, which valgrind cannot run."""
    path = os.path.join(folder, "meson-info", "intro-buildoptions.json")
    try:
        with open(path) as f:
            opts = json.load(f)
    except OSError:
        return False
    return any(o["name"] == "b_sanitize" and o["value"] != "none"
               for o in opts)


def plain_acmed():
    """acmed of ACMED_PLAIN_BUILD (scripts/test.sh runs the integration
    tests on the sanitized build), else of the build under test."""
    folder = plain_build_dir()
    path = os.path.join(folder, "acmed")
    if sanitized(folder):
        pytest.skip(f"{folder} is a sanitizer build: set ACMED_PLAIN_BUILD")
    if not os.path.exists(path):
        pytest.skip(f"{path} is not built")
    return path


@pytest.fixture
def acmed(pebble, tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    a = Acmed(tmp_path / "acmed", pebble)
    os.makedirs(a.folder, exist_ok=True)
    return a


def test_issuance_under_valgrind(acmed):
    acmed.write(acmed.base_config() + """
[[certificate]]
account = "test"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = ["challtestsrv"]
identifiers = [
    { dns = "example.org", challenge = "http-01" },
    { dns = "www.example.org", challenge = "dns-01" },
]
""")
    argv = acmed.argv("--once", "--no-pid-file")
    argv = VALGRIND + [plain_acmed()] + argv[1:]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    report = "\n".join(line for line in r.stderr.splitlines()
                       if line.startswith("=="))
    assert r.returncode == 0, (f"status {r.returncode}\n{report}\n"
                               f"{r.stderr[-4000:]}")
    assert report == ""
    crt = acmed.read("example.org_ecdsa-p256.crt.pem")
    key = acmed.read("example.org_ecdsa-p256.pk.pem")
    assert sans(crt) == ["DNS:example.org", "DNS:www.example.org"]
    assert pubkey(crt) == pubkey(key, is_key=True)
