"""Hardening (issue 9): folders others could write to are refused, hooks
get a scrubbed environment on request and no core files nor a huge
descriptor limit, the account file is not read through a symlink."""
import json
import os
import resource
import shutil
import subprocess
import sys

import pytest

from acmed import Acmed, toml_str

# A hook that writes what it got: environment and limits.
PROBE = """#!{python}
import json, os, resource, sys
with open(sys.argv[1], "w") as f:
    json.dump({{"env": dict(os.environ),
               "core": resource.getrlimit(resource.RLIMIT_CORE),
               "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)}}, f)
"""


def probe_config(a, out, extra_global=""):
    probe = os.path.join(a.folder, "probe.py")
    with open(probe, "w") as f:
        f.write(PROBE.format(python=sys.executable))
    os.chmod(probe, 0o755)
    return a.base_config(extra_global) + f"""
[[hook]]
name = "probe"
type = ["challenge-http-01"]
cmd = {toml_str(probe)}
args = [{toml_str(out)}]

[[certificate]]
account = "test"
endpoint = "pebble"
hooks = ["probe"]
identifiers = [{{ dns = "example.org", challenge = "http-01" }}]
"""


@pytest.fixture
def acmed(pebble, tmp_path):
    a = Acmed(tmp_path / "acmed", pebble)
    os.makedirs(a.folder, exist_ok=True)
    return a


def run(a, env=None, nofile=None):
    def limits():
        if nofile is not None:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))
    return subprocess.run(a.argv("--once", "--no-pid-file"), env=env,
                          preexec_fn=limits, capture_output=True, text=True,
                          timeout=120)


def test_world_writable_certificates_folder_is_refused(acmed):
    out = os.path.join(acmed.folder, "probe.json")
    acmed.write(probe_config(acmed, out))
    os.makedirs(acmed.certs)
    os.chmod(acmed.certs, 0o1777)
    r = run(acmed)
    assert r.returncode != 0
    assert (f"certificates folder {acmed.certs} is writable by all users "
            "(mode 1777)") in r.stderr
    assert not os.path.exists(out)
    assert os.listdir(acmed.certs) == []
    # --check-config says so too, before the daemon is started.
    r = subprocess.run(acmed.argv("--check-config"), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0
    assert (f"certificates folder {acmed.certs} is writable by all users "
            "(mode 1777)") in r.stderr


def test_accounts_folder_of_another_user_is_refused(acmed):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the folder away")
    acmed.write(probe_config(acmed, os.path.join(acmed.folder, "p.json")))
    os.makedirs(acmed.accounts, mode=0o700)
    os.chown(acmed.accounts, 65534, 65534)
    r = run(acmed)
    assert r.returncode != 0
    assert (f"accounts folder {acmed.accounts} belongs to user 65534"
            in r.stderr)
    assert os.listdir(acmed.accounts) == []


def test_hooks_inherit_the_environment_by_default(acmed):
    out = os.path.join(acmed.folder, "probe.json")
    acmed.write(probe_config(acmed, out, 'env = { MARK = "global" }'))
    env = dict(os.environ, ACMED_TEST_SECRET="s3cr3t", TZ="UTC")
    r = run(acmed, env=env)
    assert r.returncode == 0, r.stderr[-4000:]
    with open(out) as f:
        got = json.load(f)["env"]
    assert got["ACMED_TEST_SECRET"] == "s3cr3t"
    assert got["MARK"] == "global"


def test_scrubbed_hook_environment(acmed):
    out = os.path.join(acmed.folder, "probe.json")
    acmed.write(probe_config(acmed, out,
                             'hook_env = "scrub"\nenv = { MARK = "global" }'))
    env = dict(os.environ, ACMED_TEST_SECRET="s3cr3t", TZ="UTC",
               HOME="/nonexistent", LANG="C.UTF-8")
    r = run(acmed, env=env)
    assert r.returncode == 0, r.stderr[-4000:]
    with open(out) as f:
        got = json.load(f)["env"]
    assert "ACMED_TEST_SECRET" not in got
    assert got["MARK"] == "global"
    assert got["TZ"] == "UTC" and got["HOME"] == "/nonexistent"
    assert got["PATH"] == env["PATH"] and got["LANG"] == "C.UTF-8"
    # Python adds LC_CTYPE when it coerces the C locale: ignore it.
    assert set(got) - {"LC_CTYPE"} <= {"PATH", "HOME", "LANG", "LC_ALL",
                                       "TZ", "MARK"}


def test_bad_hook_env_value(acmed):
    acmed.write(acmed.base_config('hook_env = "none"'))
    r = run(acmed)
    assert r.returncode != 0
    assert 'hook_env: "none" is not "inherit" or "scrub"' in r.stderr


def test_hook_limits(acmed):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip("the hard descriptor limit is below 4096")
    out = os.path.join(acmed.folder, "probe.json")
    acmed.write(probe_config(acmed, out))
    r = run(acmed, nofile=4096)
    assert r.returncode == 0, r.stderr[-4000:]
    with open(out) as f:
        got = json.load(f)
    assert got["core"] == [0, 0]
    assert got["nofile"][0] == 1024


def test_account_file_symlink_is_refused(acmed):
    out = os.path.join(acmed.folder, "probe.json")
    acmed.write(probe_config(acmed, out))
    r = run(acmed)
    assert r.returncode == 0, r.stderr[-4000:]
    path = os.path.join(acmed.accounts, "dGVzdA.account.bin")
    elsewhere = os.path.join(acmed.folder, "elsewhere.bin")
    shutil.move(path, elsewhere)
    os.symlink(elsewhere, path)
    os.remove(out)
    r = run(acmed)
    assert r.returncode != 0
    assert f"{path}: a symbolic link: refusing to read through it" in r.stderr
    assert os.path.islink(path) and not os.path.exists(out)


def test_account_file_fifo_is_refused(acmed):
    """A FIFO where the account file goes is an error, not a read that
    waits forever (at start-up, or in a reload, where it held the signal
    thread and so SIGTERM)."""
    out = os.path.join(acmed.folder, "probe.json")
    acmed.write(probe_config(acmed, out))
    os.makedirs(acmed.accounts, exist_ok=True)
    path = os.path.join(acmed.accounts, "dGVzdA.account.bin")
    os.mkfifo(path, 0o600)
    r = run(acmed)
    assert r.returncode != 0
    assert f"{path}: not a regular file" in r.stderr, r.stderr[-4000:]
    assert not os.path.exists(out)
