"""meson install, into a temporary root: the tree it leaves (programs,
manual pages, the shipped configuration, systemd units), that the
installed configuration loads, and that the manual pages document every
option of the programs and every key of the configuration.

The build folder is $ACMED_BUILD (conftest.build_dir()); it is installed
with --no-rebuild, so the test never rebuilds what other tests run.  The
configuration keys are read from the key tables of src/config/*.c, so a
key added there without documentation fails here.
"""
import json
import os
import re
import shutil
import stat
import subprocess

import pytest

import conftest

ROOT = conftest.ROOT
MAN = os.path.join(ROOT, "man")

# The key tables of src/config, and the section of acmed.toml(5) that
# documents each ("" is the page's TOP-LEVEL KEYS list).
KEY_TABLES = {
    ("load.c", "top_keys"): "",
    ("global.c", "global_keys"): "global",
    ("endpoint.c", "ep_keys"): "endpoint",
    ("endpoint.c", "rl_keys"): "rate-limit",
    ("hook.c", "hook_keys"): "hook",
    ("hook.c", "group_keys"): "group",
    ("account.c", "account_keys"): "account",
    ("account.c", "eab_keys"): "account",
    ("certificate.c", "cert_keys"): "certificate",
    ("certificate.c", "subject_keys"): "certificate",
    ("ident.c", "ident_keys"): "certificate",
}
# Keys read outside the tables (account.c reads the contact table itself).
EXTRA_KEYS = {"account": ["mailto"]}
# What the man pages must say is installed, in which section.
PAGES = {"acmed.8": "man8", "acmectl.8": "man8", "tacd.8": "man8",
         "acmed.toml.5": "man5"}
CONFIGS = ["acmed.toml", "default_hooks.toml", "letsencrypt.toml"]


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120,
                          **kw)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Installs the build folder once; returns the paths of the tree."""
    build = conftest.build_dir()
    if shutil.which("meson") is None:
        pytest.skip("meson is not installed")
    if not os.path.exists(os.path.join(build, "acmed")):
        pytest.skip(f"{build}/acmed is not built")
    r = run(["meson", "introspect", "--buildoptions", build])
    assert r.returncode == 0, r.stderr
    opts = {o["name"]: o["value"] for o in json.loads(r.stdout)}
    dest = str(tmp_path_factory.mktemp("destdir"))
    r = run(["meson", "install", "-C", build, "--no-rebuild", "--destdir",
             dest])
    assert r.returncode == 0, r.stdout + r.stderr

    def under(*parts):
        # An absolute folder option (sysconfdir /etc with prefix /usr)
        # replaces the prefix; then the whole path goes under dest.
        return dest + os.path.join(opts["prefix"], *parts)

    return {
        "build": build,
        "dest": dest,
        "opts": opts,
        "sbin": under(opts["sbindir"]),
        "man": under(opts["mandir"]),
        # Where acmed looks for it, whatever the prefix.
        "etc": dest + os.path.dirname(opts["default_config_file"]),
        "sbindir": os.path.join(opts["prefix"], opts["sbindir"]),
        "unitdir": under("lib", "systemd", "system"),
        "sysusers": under("lib", "sysusers.d"),
        "tmpfiles": under("lib", "tmpfiles.d"),
    }


def test_programs(installed):
    for name in ("acmed", "acmectl", "tacd"):
        path = os.path.join(installed["sbin"], name)
        assert os.path.isfile(path), f"{path} is not installed"
        assert os.access(path, os.X_OK), f"{path} is not executable"
        r = run([path, "--version"])
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(f"{name} "), r.stdout


def test_manual_pages(installed):
    for page, section in PAGES.items():
        path = os.path.join(installed["man"], section, page)
        assert os.path.isfile(path), f"{path} is not installed"
        assert read(path) == read(os.path.join(MAN, page))
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o444 == 0o444


def test_configuration_files(installed):
    for name in CONFIGS:
        path = os.path.join(installed["etc"], name)
        assert os.path.isfile(path), f"{path} is not installed"
        assert read(path) == read(os.path.join(ROOT, "config", name))


def test_reinstall_keeps_a_changed_configuration(installed, tmp_path):
    """meson install again: a file the administrator changed stays, the
    shipped one goes beside it; an unchanged one is simply installed."""
    dest = str(tmp_path / "dest")
    etc = dest + os.path.dirname(installed["opts"]["default_config_file"])
    shutil.copytree(installed["etc"], etc)
    mine = read(os.path.join(etc, "acmed.toml")) + "# mine\n"
    with open(os.path.join(etc, "acmed.toml"), "w") as f:
        f.write(mine)
    r = run(["meson", "install", "-C", installed["build"], "--no-rebuild",
             "--destdir", dest])
    assert r.returncode == 0, r.stdout + r.stderr
    assert read(os.path.join(etc, "acmed.toml")) == mine
    assert read(os.path.join(etc, "acmed.toml.new")) == read(
        os.path.join(ROOT, "config", "acmed.toml"))
    assert sorted(os.listdir(etc)) == sorted(CONFIGS + ["acmed.toml.new"])


def test_installed_configuration_loads(installed, tmp_path):
    acmed = conftest.program("acmed")
    main = os.path.join(installed["etc"], "acmed.toml")
    # As shipped: no certificate, and nothing to warn about (an include
    # that matches nothing would be a warning).
    r = run([acmed, "--check-config", "-c", main], cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "no certificate\n"
    assert r.stderr == ""
    # With a certificate that uses the default hooks and endpoints.
    cfg = tmp_path / "site.toml"
    cfg.write_text(f"""
include = ["{main}"]

[[account]]
name = "admin"
contacts = [{{ mailto = "admin@example.org" }}]

[[certificate]]
endpoint = "Let's Encrypt v2 staging"
account = "admin"
identifiers = [
    {{ dns = "example.org", challenge = "http-01" }},
    {{ ip = "192.0.2.1", challenge = "tls-alpn-01" }},
]
hooks = ["http-01-echo", "tls-alpn-01-tacd-tcp", "git"]
""")
    r = run([acmed, "--check-config", "-c", str(cfg)], cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        'certificate "example.org": endpoint "Let\'s Encrypt v2 staging", '
        'account "admin", identifiers example.org (http-01), 192.0.2.1 '
        "(tls-alpn-01), key type rsa2048\n")
    # --check-config writes nothing: no account or certificate folder.
    assert sorted(os.listdir(tmp_path)) == ["site.toml"]


def unit_settings(text):
    """Key=value lines of a unit file, as (key, value) pairs in order."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            k, v = line.split("=", 1)
            out.append((k.strip(), v.strip()))
    return out


def systemd_files(installed):
    if not installed["opts"].get("systemd", True):
        pytest.skip("configured with -Dsystemd=false")
    return {
        "service": os.path.join(installed["unitdir"], "acmed.service"),
        "sysusers": os.path.join(installed["sysusers"], "acmed.conf"),
        "tmpfiles": os.path.join(installed["tmpfiles"], "acmed.conf"),
    }


def test_systemd_service(installed):
    path = systemd_files(installed)["service"]
    assert os.path.isfile(path), f"{path} is not installed"
    text = read(path)
    assert "@" not in re.sub(r"@system-service", "", text), \
        "an @variable@ was left unsubstituted"
    settings = unit_settings(text)
    kv = dict(settings)
    exec_start = kv["ExecStart"].split()
    assert exec_start[0] == os.path.join(installed["sbindir"], "acmed")
    for flag in ("--foreground", "--log-syslog"):
        assert flag in exec_start
    config = exec_start[exec_start.index("--config") + 1]
    assert config == installed["opts"]["default_config_file"]
    assert os.path.isfile(installed["dest"] + config)
    pid = exec_start[exec_start.index("--pid-file") + 1]
    assert pid.startswith("/run/acmed/")
    assert "-HUP" in kv["ExecReload"] and "$MAINPID" in kv["ExecReload"]
    expected = {
        "Type": "notify",       # acmed speaks sd_notify(3)
        "NotifyAccess": "main",
        "User": "acmed",
        "KillSignal": "SIGTERM",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "NoNewPrivileges": "yes",
        "StateDirectory": "acmed",
        "RuntimeDirectory": "acmed",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter": "@system-service",
        "UMask": "0077",
    }
    for k, v in expected.items():
        assert kv.get(k) == v, f"{k}={kv.get(k)!r}, expected {v!r}"


def test_systemd_analyze_verify(installed, tmp_path):
    path = systemd_files(installed)["service"]
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # The unit names the final path of acmed; verify needs a program
    # that exists, so a copy points into the temporary root.
    final = os.path.join(installed["sbindir"], "acmed")
    copy = tmp_path / "acmed.service"
    copy.write_text(read(path).replace(
        f"ExecStart={final} ", f"ExecStart={installed['dest']}{final} "))
    r = run(["systemd-analyze", "verify", "--man=no", str(copy)])
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr


def test_sysusers_and_tmpfiles(installed):
    files = systemd_files(installed)
    lines = [l.split() for l in read(files["sysusers"]).splitlines()
             if l.strip() and not l.startswith("#")]
    assert any(l[:2] == ["u", "acmed"] for l in lines), lines
    entries = {}
    for l in read(files["tmpfiles"]).splitlines():
        if l.strip() and not l.startswith("#"):
            f = l.split()
            entries[f[1]] = f
    for path, mode in (("/var/lib/acmed/accounts", "0700"),
                       ("/var/lib/acmed/certs", "0755")):
        assert entries[path][0] == "d"
        assert entries[path][2:5] == [mode, "acmed", "acmed"], entries[path]


def render(page):
    """The page as plain text, for what a reader sees."""
    src = os.path.join(MAN, page)
    for cmd in (["mandoc", "-T", "ascii", src],
                ["groff", "-mdoc", "-T", "ascii", "-P", "-c", src]):
        if shutil.which(cmd[0]):
            r = run(cmd)
            assert r.returncode == 0, r.stderr
            return re.sub(r".\x08", "", r.stdout)
    pytest.skip("neither mandoc nor groff is installed")


@pytest.mark.parametrize("program,page", [("acmed", "acmed.8"),
                                          ("acmectl", "acmectl.8"),
                                          ("tacd", "tacd.8")])
def test_every_option_is_documented(program, page):
    r = run([conftest.program(program), "--help"])
    assert r.returncode == 0, r.stderr
    options = sorted(set(re.findall(r"--[a-z][a-z0-9-]*", r.stdout)))
    assert "--help" in options and "--version" in options
    text = render(page)
    missing = [o for o in options
               if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])",
                                text)]
    assert not missing, f"{page} does not document {missing}"


def key_table(source, table):
    """The key names of one `static const struct config_key` table."""
    m = re.search(r"static const struct config_key " + table +
                  r"\[[^\]]*\]\s*=\s*\{(.*?)\n\};", source, re.S)
    assert m, f"no key table {table}"
    body = m.group(1)
    names = re.findall(r"\]\s*=\s*\{\s*\"([^\"]+)\"", body)
    names += re.findall(r"SUBJ\(\s*\w+,\s*\"([^\"]+)\"\s*\)", body)
    assert names, f"no key found in {table}"
    return names


def man_sections(src):
    """acmed.toml(5) cut at .Sh and .Ss headings: {heading: text}."""
    out, name, cur = {}, None, []
    for line in src.splitlines():
        m = re.match(r"\.(Sh|Ss) (.*)", line)
        if m:
            if name is not None:
                out[name] = "\n".join(cur)
            name, cur = m.group(2).strip(), []
        else:
            cur.append(line)
    out[name] = "\n".join(cur)
    return out


def documented_keys(text):
    """The names a `.It Cm name ...` entry documents (several when the
    entry lists them: `.It Cm a , b`)."""
    keys = set()
    for line in text.splitlines():
        m = re.match(r"\.It Cm (.*)", line)
        if not m:
            continue
        rest = re.split(r"\s(?:Ar|Pq|Ta|Ns)\s", " " + m.group(1) + " ")[0]
        keys.update(w for w in re.findall(r"[a-z][a-z0-9_-]*", rest))
    return keys


def test_every_key_is_documented():
    src = read(os.path.join(MAN, "acmed.toml.5"))
    sections = man_sections(src)
    missing = []
    wanted = {}
    for (cfile, table), section in KEY_TABLES.items():
        code = read(os.path.join(ROOT, "src", "config", cfile))
        wanted.setdefault(section, []).extend(key_table(code, table))
    for section, keys in EXTRA_KEYS.items():
        wanted[section].extend(keys)
    for section, keys in wanted.items():
        heading = section or "TOP-LEVEL KEYS"
        assert heading in sections, f"acmed.toml.5 has no section {heading}"
        have = documented_keys(sections[heading])
        missing += [f"{heading}: {k}" for k in keys if k not in have]
    assert not missing, f"acmed.toml.5 does not document {missing}"


def test_every_hook_type_and_variable_is_documented():
    src = read(os.path.join(MAN, "acmed.toml.5"))
    sections = man_sections(src)
    code = read(os.path.join(ROOT, "src", "config", "hook.c"))
    types = re.findall(r"\[CONFIG_HOOK_\w+\]\s*=\s*\"([a-z0-9-]+)\"", code)
    assert len(types) == 11, types
    have = documented_keys(sections["Hook types"])
    missing = [t for t in types if t not in have]
    # The variables acmed gives templates: hooks and file names.
    variables = set()
    for f in ("daemon/lifecycle.c", "daemon/storage.c", "daemon/hook.c"):
        variables.update(re.findall(r"tmpl_map_set\(\w+,\s*\"(\w+)\"",
                                    read(os.path.join(ROOT, "src", f))))
    assert {"proof", "file_path", "is_success", "env"} <= variables
    missing += [v for v in sorted(variables)
                if not re.search(r"^\.It Va " + v + r"$|\bVa " + v + r"\b",
                                 src, re.M)]
    assert not missing, f"acmed.toml.5 does not document {missing}"
