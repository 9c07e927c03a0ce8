#!/usr/bin/python3
"""acmed against the ACME clients people use, on one local Pebble.

See bench/README.md.  Run through bench/run.sh (which installs the peers
when it runs as root), or directly:

    /usr/bin/python3 bench/bench.py -n 50 --modes real,fast
"""
import argparse
import base64
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

from pebble import Pebble  # noqa: E402  (tests/integration/pebble.py)
from netutil import WebrootServer  # noqa: E402
import relay  # noqa: E402  (tests/integration/relay.py)
import taskstats  # noqa: E402

CLIENTS = ["acmed", "lego", "acme-tiny", "uacme", "certbot", "dehydrated"]
PEERS = CLIENTS[1:]
MODES = {
    # Pebble fetches every proof from the bench's web server.
    "real": {},
    # Pebble marks every challenge valid without fetching anything.
    "fast": {"PEBBLE_VA_ALWAYS_VALID": "1"},
}
MODE_TITLES = {"real": "real http-01 validation",
               "fast": "PEBBLE_VA_ALWAYS_VALID=1"}
EMAIL = "admin@example.org"
CLK_TCK = os.sysconf("SC_CLK_TCK")
P256_OID = bytes.fromhex("06082a8648ce3d030107")   # prime256v1
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- measuring one program ---------------------------------------------------

class Usage:
    """What a client run cost, summed over its invocations."""

    def __init__(self):
        self.invocations = 0
        self.failures = []
        self.self_us = 0          # the client processes themselves
        self.children_us = 0      # everything they started (hooks, curl...)
        self.aux_us = 0           # helper steps run by the bench (acme-tiny
        #                           keys and CSRs), counted as children
        self.rss_kb = 0           # peak RSS of a client process itself
        self.rss_all_kb = 0       # max over the client and its children
        self.procs = 0            # processes started by the clients
        self.precise = True       # False without taskstats


def trust_bundle_preexec(bundle):
    """preexec_fn giving the child a private mount namespace in which
    bundle is bind-mounted over the system CA bundle (for uacme, whose
    libcurl-gnutls only reads the system store)."""
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x20000, 4096, 16384, 1 << 18
    src = bundle.encode()
    dst = SYSTEM_BUNDLE.encode()

    def preexec():
        if libc.unshare(CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "mount private")
        if libc.mount(src, dst, None, MS_BIND, None) != 0:
            raise OSError(ctypes.get_errno(), "mount bind")
    return preexec


# Trust-store overrides a developer's or a CI machine's environment may
# hold (this one sets a dozen): a client run by systemd or cron has none,
# and SSL_CERT_FILE alone makes OpenSSL parse the whole system bundle
# instead of looking roots up one by one.  Each client gets only the one
# the bench sets for it.
TRUST_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE",
             "REQUESTS_CA_BUNDLE", "NIX_SSL_CERT_FILE", "GIT_SSL_CAINFO",
             "NODE_EXTRA_CA_CERTS", "AWS_CA_BUNDLE", "PIP_CERT",
             "HTTPLIB2_CA_CERTS", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
             "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", "LEGO_CA_CERTIFICATES")


def clean_env():
    return {k: v for k, v in os.environ.items() if k not in TRUST_ENV}


def measure(ts, usage, argv, *, env=None, cwd=None, stdout=None,
            stderr=None, preexec=None, aux=False, timeout=600):
    """Runs argv to its end and adds its cost to usage.  aux: a helper
    step the bench runs for the client (counted as children)."""
    full_env = clean_env()
    full_env.update(env or {})
    proc = subprocess.Popen(argv, env=full_env, cwd=cwd,
                            stdin=subprocess.DEVNULL,
                            stdout=stdout or subprocess.DEVNULL,
                            stderr=stderr or subprocess.DEVNULL,
                            preexec_fn=preexec, start_new_session=True)

    def kill():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, ru = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    total_us = round((ru.ru_utime + ru.ru_stime) * 1e6)
    usage.invocations += 1
    if ts is not None and ts.wait_exit(proc.pid):
        tree = ts.tree(proc.pid)
        # Each record's high-water mark is that of the memory the process
        # had when it exited (after exec), unlike ru_maxrss, which also
        # holds the forked copy of the bench's own memory before exec.
        usage.rss_all_kb = max([usage.rss_all_kb] +
                               [p.hiwater_kb for p in tree.values()])
        me = tree.pop(proc.pid)
        kids = sum(p.cpu_us for p in tree.values())
        usage.procs += len(tree)
        if aux:
            usage.aux_us += total_us
        else:
            # wait4 is exact (scheduler time); taskstats is tick-sampled,
            # so the process's own share is the exact total minus its
            # children's.
            usage.self_us += max(0, total_us - kids)
            usage.children_us += kids
            usage.rss_kb = max(usage.rss_kb, me.hiwater_kb)
    else:
        usage.precise = False
        usage.rss_all_kb = max(usage.rss_all_kb, ru.ru_maxrss)
        if aux:
            usage.aux_us += total_us
        else:
            usage.self_us += total_us
            usage.rss_kb = max(usage.rss_kb, ru.ru_maxrss)
    if proc.returncode != 0:
        usage.failures.append((os.path.basename(argv[0]), proc.returncode))
    return proc.returncode


# -- one run: a client, a mode, a fresh Pebble --------------------------------

class Run:
    def __init__(self, folder, mode, n, pebble, directory, webroot):
        self.folder = folder
        self.mode = mode
        self.n = n
        self.names = [f"c{i}.example.org" for i in range(n)]
        self.pebble = pebble
        self.directory = directory
        self.webroot = webroot
        self.challdir = os.path.join(webroot, ".well-known",
                                     "acme-challenge")
        self.timeout = max(300, 60 * n)

    def path(self, *parts):
        p = os.path.join(self.folder, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p


def write_acmed_config(path, folder, directory, names, challdir):
    """acmed's configuration for these names: accounts and certificates
    in folder, proofs written into challdir by the webroot hooks of a
    user's configuration (as in default_hooks.toml)."""
    proof = os.path.join(challdir, "{{ file_name }}")
    text = f"""[global]
accounts_directory = {toml_str(os.path.join(folder, "accounts"))}
certificates_directory = {toml_str(os.path.join(folder, "certs"))}

[[endpoint]]
name = "pebble"
url = {toml_str(directory)}
tos_agreed = true

[[account]]
name = "bench"
contacts = [{{ mailto = "{EMAIL}" }}]

[[hook]]
name = "http-01-echo"
type = ["challenge-http-01"]
cmd = "echo"
args = ["{{{{ proof }}}}"]
stdout = {toml_str(proof)}

[[hook]]
name = "http-01-clean"
type = ["challenge-http-01-clean"]
cmd = "rm"
args = ["-f", {toml_str(proof)}]

[[group]]
name = "webroot"
hooks = ["http-01-echo", "http-01-clean"]
"""
    for name in names:
        text += f"""
[[certificate]]
account = "bench"
endpoint = "pebble"
key_type = "ecdsa_p256"
hooks = ["webroot"]
identifiers = [{{ dns = "{name}", challenge = "http-01" }}]
"""
    for sub in ("accounts", "certs"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class Client:
    name = None
    program = None

    def __init__(self, opts):
        self.opts = opts

    def available(self):
        return shutil.which(self.program) is not None

    def version(self):
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                            self.name], capture_output=True, text=True)
        v = r.stdout.strip().split(":")[-1].rsplit("-", 1)[0]
        return f"{self.name} {v}" if v else self.name

    def prepare(self, run):
        """Files written before the clock starts (configurations)."""

    def steps(self, run):
        """(argv, kwargs for measure) in order."""
        return []

    def leaf(self, run, name):
        raise NotImplementedError


class Acmed(Client):
    name = "acmed"

    def __init__(self, opts):
        super().__init__(opts)
        self.program = opts.acmed

    def available(self):
        return os.access(self.program, os.X_OK)

    def version(self):
        r = subprocess.run([self.program, "-V"], capture_output=True,
                           text=True)
        return r.stdout.split("\n", 1)[0].strip()

    def prepare(self, run):
        self.config = run.path("acmed.toml")
        write_acmed_config(self.config, run.folder, run.directory,
                           run.names, run.challdir)

    def argv(self, run):
        argv = [self.program, "-c", self.config, "--log-stderr",
                "--log-level", "warn", "--root-cert", run.pebble.tls_cert,
                "--once", "--no-pid-file"]
        if self.opts.workers:
            argv += ["--workers", str(self.opts.workers)]
        return argv

    def steps(self, run):
        return [(self.argv(run), {"stderr": open(run.path("acmed.log"),
                                                 "w")})]

    def leaf(self, run, name):
        return run.path("certs", f"{name}_ecdsa-p256.crt.pem")


class Lego(Client):
    name = program = "lego"


    def steps(self, run):
        env = {"LEGO_CA_CERTIFICATES": run.pebble.tls_cert}
        out = open(run.path("lego.log"), "w")
        for name in run.names:
            yield (["lego", "--accept-tos", "--email", EMAIL,
                    "--server", run.directory, "--path", run.path("lego"),
                    "--key-type", "ec256", "--domains", name,
                    "--http", "--http.webroot", run.webroot, "run"],
                   {"env": env, "stdout": out, "stderr": out})

    def leaf(self, run, name):
        return run.path("lego", "certificates", f"{name}.crt")


class Certbot(Client):
    name = program = "certbot"


    def steps(self, run):
        env = {"REQUESTS_CA_BUNDLE": run.pebble.tls_cert}
        base = run.path("certbot", "x")
        base = os.path.dirname(base)
        for name in run.names:
            yield (["certbot", "certonly", "--non-interactive",
                    "--agree-tos", "-m", EMAIL, "--no-eff-email",
                    "--server", run.directory,
                    "--config-dir", os.path.join(base, "config"),
                    "--work-dir", os.path.join(base, "work"),
                    "--logs-dir", os.path.join(base, "logs"),
                    "--webroot", "-w", run.webroot, "-d", name,
                    "--key-type", "ecdsa", "--elliptic-curve", "secp256r1"],
                   {"env": env})

    def leaf(self, run, name):
        return run.path("certbot", "config", "live", name, "cert.pem")


class Uacme(Client):
    name = program = "uacme"
    HOOK = "/usr/share/uacme/uacme.sh"


    def available(self):
        # The private mount namespace below needs root.
        return super().available() and os.geteuid() == 0

    def prepare(self, run):
        # uacme (libcurl-gnutls) trusts only the system CA bundle: it runs
        # in a private mount namespace where the system bundle plus
        # Pebble's certificate is bind-mounted over that file.
        self.bundle = run.path("uacme-ca-bundle.crt")
        with open(self.bundle, "wb") as out:
            for src in (SYSTEM_BUNDLE, run.pebble.tls_cert):
                if os.path.exists(src):
                    with open(src, "rb") as f:
                        out.write(f.read())
                    out.write(b"\n")
        self.conf = os.path.dirname(run.path("uacme", "x"))

    def steps(self, run):
        pre = trust_bundle_preexec(self.bundle)
        env = {"UACME_CHALLENGE_PATH": run.challdir}
        out = open(run.path("uacme.log"), "w")
        common = ["uacme", "-c", self.conf, "-a", run.directory,
                  "-t", "EC", "-b", "256", "-y"]
        yield (common + ["new", EMAIL],
               {"env": env, "preexec": pre, "stdout": out, "stderr": out})
        for name in run.names:
            yield (common + ["-h", self.HOOK, "issue", name],
                   {"env": env, "preexec": pre, "stdout": out,
                    "stderr": out})

    def leaf(self, run, name):
        return run.path("uacme", name, "cert.pem")


class Dehydrated(Client):
    name = program = "dehydrated"


    def prepare(self, run):
        base = os.path.dirname(run.path("dehydrated", "x"))
        with open(os.path.join(base, "domains.txt"), "w") as f:
            f.write("".join(n + "\n" for n in run.names))
        self.config = os.path.join(base, "config")
        with open(self.config, "w") as f:
            f.write(f"""CA="{run.directory}"
BASEDIR="{base}"
DOMAINS_TXT="{base}/domains.txt"
WELLKNOWN="{run.challdir}"
KEY_ALGO=prime256v1
CHALLENGETYPE=http-01
CONTACT_EMAIL={EMAIL}
CURL_OPTS="--cacert {run.pebble.tls_cert}"
""")

    def steps(self, run):
        out = open(run.path("dehydrated.log"), "w")
        kw = {"stdout": out, "stderr": out}
        yield ["dehydrated", "-f", self.config, "--register",
               "--accept-terms"], kw
        yield ["dehydrated", "-f", self.config, "--cron"], kw

    def leaf(self, run, name):
        return run.path("dehydrated", "certs", name, "cert.pem")


class AcmeTiny(Client):
    name = program = "acme-tiny"


    def steps(self, run):
        # acme-tiny signs a CSR with an account key the user made with
        # openssl: the bench makes them (aux steps, counted as children).
        keys = os.path.dirname(run.path("acme-tiny", "x"))
        account = os.path.join(keys, "account.key")
        err = open(run.path("acme-tiny.log"), "w")
        yield (["openssl", "genrsa", "-out", account, "2048"],
               {"aux": True, "stderr": err})
        env = {"SSL_CERT_FILE": run.pebble.tls_cert}
        for name in run.names:
            csr = os.path.join(keys, name + ".csr")
            yield (["openssl", "req", "-new", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", os.path.join(keys, name + ".key"),
                    "-subj", "/CN=" + name,
                    "-addext", "subjectAltName=DNS:" + name,
                    "-out", csr], {"aux": True, "stderr": err})
            out = open(os.path.join(keys, name + ".crt"), "w")
            # --disable-check: its self-check fetches the proof from the
            # real port 80 of the name, which does not exist here.
            yield (["acme-tiny", "--account-key", account, "--csr", csr,
                    "--acme-dir", run.challdir, "--directory-url",
                    run.directory, "--contact", "mailto:" + EMAIL,
                    "--disable-check", "--quiet"],
                   {"env": env, "stdout": out, "stderr": err})

    def leaf(self, run, name):
        return run.path("acme-tiny", name + ".crt")


CLIENT_CLASSES = {c.name: c for c in (Acmed, Lego, AcmeTiny, Uacme,
                                      Certbot, Dehydrated)}


# -- checking what a client obtained -----------------------------------------

PEM_RE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----",
                    re.S)


def verify(run, client, roots, inter):
    """Number of names whose certificate verifies against Pebble's root,
    names the identifier and holds a P-256 key; and the first problem."""
    ok = 0
    problem = None
    tmp = run.path("verify", "leaf.pem")
    for name in run.names:
        path = client.leaf(run, name)
        try:
            with open(path, "rb") as f:
                pems = PEM_RE.findall(f.read())
        except OSError:
            problem = problem or f"{name}: no certificate at {path}"
            continue
        if not pems:
            problem = problem or f"{name}: no PEM certificate in {path}"
            continue
        leaf = pems[0]
        with open(tmp, "wb") as f:
            f.write(leaf + b"\n")
        der = base64.b64decode(b"".join(leaf.split(b"\n")[1:-1]))
        if P256_OID not in der:
            problem = problem or f"{name}: not a P-256 key"
            continue
        r = subprocess.run(["openssl", "verify", "-CAfile", roots,
                            "-untrusted", inter, "-verify_hostname", name,
                            tmp], capture_output=True, text=True)
        if r.returncode != 0:
            problem = problem or f"{name}: {r.stdout.strip()} " \
                                 f"{r.stderr.strip()}"
            continue
        ok += 1
    return ok, problem


# -- Pebble's side -----------------------------------------------------------

def proc_cpu_s(pid):
    """User + system CPU seconds of a running process (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


REQ_RE = re.compile(r" ([A-Z]+) (/\S*) -> calling handler")


def pebble_requests(log_path, offset):
    """Requests Pebble logged after offset: total, newNonce, directory."""
    with open(log_path, "rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    total = nonce = directory = 0
    for m in REQ_RE.finditer(text):
        total += 1
        if m.group(2).startswith("/nonce-plz"):
            nonce += 1
        elif m.group(2) == "/dir":
            directory += 1
    return total, nonce, directory


def one_run(opts, ts, client, mode, out):
    folder = os.path.join(out, mode, client.name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    webroot = os.path.join(folder, "webroot")
    env = dict(MODES[mode])
    env["PEBBLE_WFE_NONCEREJECT"] = str(opts.nonce_reject)
    pebble = Pebble(os.path.join(folder, "pebble"), env=env,
                    chall_http01=False)
    web = proxy = None
    result = {"client": client.name, "version": client.version(),
              "mode": mode, "n": opts.n, "nonce_reject": opts.nonce_reject}
    try:
        web = WebrootServer(pebble.http_port, webroot)
        pebble.start()
        proxy = relay.Relay(relay.tcp(pebble.port))
        directory = f"https://127.0.0.1:{proxy.port}/dir"
        run = Run(folder, mode, opts.n, pebble, directory, webroot)
        client.prepare(run)
        usage = Usage()
        pebble_log = os.path.join(pebble.folder, "pebble.log")
        log_off = os.path.getsize(pebble_log)
        cpu0 = proc_cpu_s(pebble.pebble_proc.pid)
        conns0 = proxy.count()
        if ts is not None:
            ts.forget()
        t0 = time.monotonic()
        for argv, kw in client.steps(run):
            measure(ts, usage, argv, timeout=run.timeout, **kw)
        wall = time.monotonic() - t0
        pebble_cpu = proc_cpu_s(pebble.pebble_proc.pid) - cpu0
        conns = proxy.count() - conns0
        time.sleep(0.05)        # the log line of the last request
        reqs, nonces, dirs = pebble_requests(pebble_log, log_off)
        roots = run.path("pebble-root.pem")
        inter = run.path("pebble-intermediate.pem")
        pebble.write_roots(roots)
        with open(inter, "w") as f:
            f.write(pebble.intermediate_pem())
        ok, problem = verify(run, client, roots, inter)
        result.update({
            "ok": ok, "problem": problem, "wall_s": wall,
            "client_cpu_ms": usage.self_us / 1000,
            "children_cpu_ms": (usage.children_us + usage.aux_us) / 1000,
            "aux_cpu_ms": usage.aux_us / 1000,
            "peak_rss_mb": usage.rss_kb / 1024,
            "peak_rss_with_children_mb": usage.rss_all_kb / 1024,
            "processes": usage.procs, "invocations": usage.invocations,
            "failures": usage.failures[:5],
            "failed_invocations": len(usage.failures),
            "precise": usage.precise,
            "requests": reqs, "new_nonce": nonces, "directory": dirs,
            "connections": conns, "pebble_cpu_ms": pebble_cpu * 1000,
        })
        if ts is not None and ts.dropped:
            result["precise"] = False
    finally:
        if proxy:
            proxy.close()
        pebble.stop()
        if web:
            web.close()
    return result


# -- the tables --------------------------------------------------------------

COLUMNS = [
    # key, title, per certificate?, format
    ("wall_s", "wall", True, lambda v: f"{v:.3f} s"),
    ("client_cpu_ms", "client CPU", True, lambda v: f"{v:.1f} ms"),
    ("children_cpu_ms", "children CPU", True, lambda v: f"{v:.1f} ms"),
    ("total_cpu_ms", "total CPU", True, lambda v: f"{v:.1f} ms"),
    ("peak_rss_mb", "peak RSS", False, lambda v: f"{v:.1f} MB"),
    ("peak_rss_with_children_mb", "RSS with children", False,
     lambda v: f"{v:.1f} MB"),
    ("requests", "requests", True, lambda v: f"{v:.1f}"),
    ("new_nonce", "newNonce", True, lambda v: f"{v:.2f}"),
    ("connections", "TCP conns", True, lambda v: f"{v:.2f}"),
    ("pebble_cpu_ms", "Pebble CPU", True, lambda v: f"{v:.1f} ms"),
]


# What acmed's figure is compared with in the ratio row, when not the same
# column: a peer's own process is not the whole client when it works
# through children (dehydrated is a shell script that runs curl and
# openssl), so acmed's own CPU and memory meet each peer's whole cost.
COMPARE = {"client_cpu_ms": "total_cpu_ms",
           "peak_rss_mb": "peak_rss_with_children_mb"}


def per_cert(r, key, per):
    if key == "total_cpu_ms":
        v = r["client_cpu_ms"] + r["children_cpu_ms"]
    else:
        v = r[key]
    return v / max(1, r["n"]) if per else v


def table(results, mode, n):
    results = [r for r in results if r["n"] == n]
    rows = [r for r in results if r["mode"] == mode and "ok" in r]
    lines = [f"### {MODE_TITLES[mode]}, N = {n} (per certificate; peak "
             "RSS per process)", ""]
    head = ["client", "certs"] + [c[1] for c in COLUMNS] + ["total wall"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + " --- |" * len(head))
    for r in rows:
        cells = [r["version"] or r["client"], f"{r['ok']}/{r['n']}"]
        for key, _, per, fmt in COLUMNS:
            cells.append(fmt(per_cert(r, key, per)))
        cells.append(f"{r['wall_s']:.1f} s")
        lines.append("| " + " | ".join(cells) + " |")
    acmed = [r for r in rows if r["client"] == "acmed"]
    peers = [r for r in rows if r["client"] != "acmed" and r["ok"] > 0]
    if acmed and peers:
        a = acmed[0]
        cells = ["**acmed ÷ best peer**", ""]
        for key, _, per, fmt in COLUMNS:
            other = COMPARE.get(key, key)
            best = min(peers, key=lambda r: per_cert(r, other, per))
            bv = per_cert(best, other, per)
            av = per_cert(a, key, per)
            what = best["client"]
            if other != key:
                what += ", " + dict((c[0], c[1]) for c in COLUMNS)[other]
            if bv > 0:
                cells.append(f"{av / bv:.2f} ({what})")
            else:
                cells.append(f"– ({what}: 0)")
        cells.append("")
        lines.append("| " + " | ".join(cells) + " |")
    notes = []
    for r in results:
        if r["mode"] != mode:
            continue
        if "skipped" in r:
            notes.append(f"- {r['client']}: skipped ({r['skipped']})")
            continue
        if r.get("problem"):
            notes.append(f"- {r['client']}: {r['ok']}/{r['n']} verified; "
                         f"first problem: {r['problem']}")
        if r.get("failed_invocations"):
            notes.append(f"- {r['client']}: {r['failed_invocations']} "
                         f"invocation(s) failed, e.g. {r['failures'][:3]}")
        if not r.get("precise", True):
            notes.append(f"- {r['client']}: no taskstats: client CPU and "
                         "RSS include its children")
    if notes:
        lines += [""] + notes
    return "\n".join(lines) + "\n"


def tables(results):
    """One table per (N, mode), in the order the results came."""
    keys = []
    for r in results:
        if (r["n"], r["mode"]) not in keys:
            keys.append((r["n"], r["mode"]))
    return "".join(table(results, mode, n) + "\n" for n, mode in keys)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=50,
                    help="certificates per client (default 50)")
    ap.add_argument("--modes", default="real,fast",
                    help="real, fast or both (default real,fast)")
    ap.add_argument("--clients", default=",".join(CLIENTS),
                    help="comma-separated, among " + ", ".join(CLIENTS))
    ap.add_argument("--acmed", default=os.path.join(ROOT, "build", "acmed"),
                    help="the acmed binary (default build/acmed)")
    ap.add_argument("--workers", type=int, default=0,
                    help="acmed --workers (default: acmed's own)")
    ap.add_argument("--nonce-reject", type=int, default=0, metavar="PCT",
                    help="Pebble's PEBBLE_WFE_NONCEREJECT: the share of "
                    "good nonces it rejects (default 0: dehydrated 0.7.0 "
                    "does not retry a badNonce, certbot only once)")
    ap.add_argument("--out", help="folder for the runs' files and "
                    "results (default: a new temporary folder)")
    ap.add_argument("--json", help="also write the results there")
    ap.add_argument("--tables", nargs="+", metavar="JSON",
                    help="only print the tables of earlier results")
    opts = ap.parse_args()
    if opts.tables:
        results = []
        for path in opts.tables:
            with open(path) as f:
                results += json.load(f)
        print(tables(results), end="")
        return 0
    opts.acmed = os.path.abspath(opts.acmed)
    modes = [m for m in opts.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m}")
    names = [c for c in opts.clients.split(",") if c]
    for c in names:
        if c not in CLIENT_CLASSES:
            ap.error(f"unknown client {c}")
    out = opts.out or tempfile.mkdtemp(prefix="acmed-bench-")
    os.makedirs(out, exist_ok=True)
    log(f"bench: N = {opts.n}, modes {modes}, files in {out}")

    try:
        ts = taskstats.TaskStats()
    except OSError as e:
        log(f"bench: no taskstats ({e}): the CPU and RSS of each client "
            "will include its children")
        ts = None

    results = []

    def save(results):
        for path in (os.path.join(out, "results.json"), opts.json):
            if path:
                with open(path, "w") as f:
                    json.dump(results, f, indent=1)

    try:
        for mode in modes:
            for cname in names:
                client = CLIENT_CLASSES[cname](opts)
                if not client.available():
                    why = ("needs root (its trust store is bind-mounted)"
                           if shutil.which(cname) else "not installed")
                    log(f"bench: {cname}: {why}: skipped")
                    results.append({"client": cname, "mode": mode,
                                    "n": opts.n, "skipped": why})
                    continue
                log(f"bench: {mode} {cname} ...")
                r = one_run(opts, ts, client, mode, out)
                log(f"bench: {mode} {cname}: {r['ok']}/{r['n']} in "
                    f"{r['wall_s']:.1f} s")
                results.append(r)
                save(results)
    finally:
        if ts is not None:
            ts.close()

    save(results)
    text = tables(results)
    print(text, end="")
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text)
    bad = [r for r in results if "ok" in r and r["ok"] != r["n"]]
    return 1 if any(r["client"] == "acmed" for r in bad) else 0


if __name__ == "__main__":
    sys.exit(main())
