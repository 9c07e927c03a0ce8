#!/usr/bin/python3
"""acmed at scale, alone (see bench/README.md):

  issue   N = 1000 certificates in one --once run, always-valid Pebble
          (bench.py's acmed run, same figures as its tables);
  idle    the daemon in the foreground managing 10,000 valid certificates:
          its RSS, threads and wake-ups (context switches summed over
          /proc/PID/task/*/status) over 60 s once start-up is over;
  check   --check-config on the configuration of 10,000 certificates:
          wall time, CPU and peak RSS.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

from pebble import Pebble, stop_process, wait_until  # noqa: E402
import bench  # noqa: E402
import taskstats  # noqa: E402


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def make_certificates(certs, names, years=10):
    """A P-256 key and a self-signed certificate for each name, valid
    from yesterday for `years` years (none is due), written where acmed
    keeps them: NAME_ecdsa-p256.{pk,crt}.pem."""
    os.makedirs(certs, exist_ok=True)
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        x509 = None
    now = datetime.datetime.now(datetime.timezone.utc)
    for name in names:
        base = os.path.join(certs, f"{name}_ecdsa-p256")
        if x509 is None:
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                 base + ".pk.pem", "-out", base + ".crt.pem", "-days",
                 str(365 * years), "-subj", "/CN=" + name, "-addext",
                 "subjectAltName=DNS:" + name], check=True,
                capture_output=True)
            os.chmod(base + ".pk.pem", 0o600)
            continue
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (x509.CertificateBuilder()
                .subject_name(subject).issuer_name(subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=365 * years))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.DNSName(name)]), critical=False)
                .sign(key, hashes.SHA256()))
        fd = os.open(base + ".pk.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        with open(base + ".crt.pem", "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))


def write_config(path, folder, directory, names, webroot):
    """The configuration bench.py gives acmed, for these names."""
    bench.write_acmed_config(path, folder, directory, names,
                             os.path.join(webroot, ".well-known",
                                          "acme-challenge"))


def task_switches(pid):
    """voluntary + nonvoluntary context switches of every thread."""
    total = 0
    threads = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches",
                                        "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
            threads += 1
        except OSError:
            pass
    return total, threads


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure_once(ts, argv, stdout):
    """Wall time, CPU and peak RSS of one program run to its end."""
    usage = bench.Usage()
    t0 = time.monotonic()
    rc = bench.measure(ts, usage, argv, stdout=stdout, timeout=600)
    wall = time.monotonic() - t0
    return {"rc": rc, "wall_ms": wall * 1000,
            "cpu_ms": (usage.self_us + usage.children_us) / 1000,
            "peak_rss_mb": usage.rss_kb / 1024}


def scale_issue(opts, out):
    """bench.py's acmed run with N = opts.issue."""
    argv = [sys.executable, os.path.join(HERE, "bench.py"),
            "-n", str(opts.issue), "--modes", "fast", "--clients", "acmed",
            "--acmed", opts.acmed, "--out", os.path.join(out, "issue")]
    if opts.workers:
        argv += ["--workers", str(opts.workers)]
    r = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    print(r.stdout, end="")
    with open(os.path.join(out, "issue", "results.json")) as f:
        return json.load(f)[0]


def scale_idle_and_check(opts, out, ts):
    folder = os.path.join(out, "idle")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    names = [f"i{i}.example.org" for i in range(opts.idle)]
    t0 = time.monotonic()
    make_certificates(os.path.join(folder, "certs"), names)
    log(f"scale: {opts.idle} keys and certificates made in "
        f"{time.monotonic() - t0:.1f} s")
    pebble = Pebble(os.path.join(folder, "pebble"),
                    env={"PEBBLE_VA_ALWAYS_VALID": "1"})
    result = {}
    proc = None
    try:
        pebble.start()
        config = os.path.join(folder, "acmed.toml")
        write_config(config, folder, pebble.directory, names,
                     os.path.join(folder, "webroot"))

        # --check-config: best of 3 runs (the first warms the page cache).
        runs = []
        for _ in range(3):
            with open(os.path.join(folder, "check.out"), "w") as f:
                runs.append(measure_once(
                    ts, [opts.acmed, "-c", config, "--check-config",
                         "--root-cert", pebble.tls_cert], f))
        if any(r["rc"] != 0 for r in runs):
            log("scale: --check-config failed: see "
                + os.path.join(folder, "check.out"))
        result["check"] = dict(min(runs, key=lambda r: r["wall_ms"]))
        result["check"]["runs"] = runs

        # The daemon, in the foreground, with nothing due.
        logf = open(os.path.join(folder, "acmed.log"), "w")
        pid_file = os.path.join(folder, "acmed.pid")
        start = time.monotonic()
        proc = subprocess.Popen(
            [opts.acmed, "-c", config, "-f", "--log-stderr",
             "--log-level", "info", "--pid-file", pid_file,
             "--root-cert", pebble.tls_cert],
            stdout=logf, stderr=logf, stdin=subprocess.DEVNULL,
            env=bench.clean_env())
        logf.close()
        wait_until(lambda: os.path.exists(pid_file) or proc.poll(), 120,
                   "acmed's PID file")
        if proc.poll() is not None:
            raise RuntimeError("acmed exited: see "
                               + os.path.join(folder, "acmed.log"))

        # Start-up is over when its CPU time stops moving for 1 s.
        last = -1
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            cpu = bench.proc_cpu_s(proc.pid)
            if cpu == last:
                break
            last = cpu
            time.sleep(1)
        startup = time.monotonic() - start - 1
        sw0, threads = task_switches(proc.pid)
        cpu0 = bench.proc_cpu_s(proc.pid)
        time.sleep(opts.idle_seconds)
        if proc.poll() is not None:
            raise RuntimeError("acmed exited while idle")
        sw1, threads1 = task_switches(proc.pid)
        cpu1 = bench.proc_cpu_s(proc.pid)
        result["idle"] = {
            "certificates": opts.idle, "seconds": opts.idle_seconds,
            "startup_s": startup, "startup_cpu_s": cpu0,
            "wakeups": sw1 - sw0, "threads": threads1,
            "idle_cpu_ms": (cpu1 - cpu0) * 1000,
            "rss_mb": status_kb(proc.pid, "VmRSS") / 1024,
            "hwm_mb": status_kb(proc.pid, "VmHWM") / 1024,
        }
    finally:
        stop_process(proc, 30)
        pebble.stop()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--acmed", default=os.path.join(ROOT, "build", "acmed"))
    ap.add_argument("--issue", type=int, default=1000,
                    help="certificates of the --once run (0: skip)")
    ap.add_argument("--idle", type=int, default=10000,
                    help="certificates of the idle daemon and of "
                    "--check-config (0: skip)")
    ap.add_argument("--idle-seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--out", help="folder (default: a new temporary one)")
    opts = ap.parse_args()
    opts.acmed = os.path.abspath(opts.acmed)
    out = opts.out or tempfile.mkdtemp(prefix="acmed-scale-")
    os.makedirs(out, exist_ok=True)
    log(f"scale: files in {out}")
    results = {}
    if opts.issue:
        results["issue"] = scale_issue(opts, out)
    if opts.idle:
        try:
            ts = taskstats.TaskStats()
        except OSError:
            ts = None
        try:
            results.update(scale_idle_and_check(opts, out, ts))
        finally:
            if ts is not None:
                ts.close()
    with open(os.path.join(out, "scale.json"), "w") as f:
        json.dump(results, f, indent=1)

    lines = ["| scale run | figures |", "| --- | --- |"]
    r = results.get("issue")
    if r:
        lines.append(
            f"| --once, N = {r['n']}, always-valid | {r['ok']}/{r['n']} "
            f"verified, {r['wall_s']:.1f} s wall "
            f"({r['wall_s'] / r['n'] * 1000:.1f} ms/cert), client CPU "
            f"{r['client_cpu_ms'] / r['n']:.1f} ms/cert + hooks "
            f"{r['children_cpu_ms'] / r['n']:.1f} ms/cert, peak RSS "
            f"{r['peak_rss_mb']:.1f} MB, {r['requests'] / r['n']:.1f} "
            f"requests/cert, {r['connections']} TCP connections, "
            f"{r['new_nonce']} newNonce, Pebble CPU "
            f"{r['pebble_cpu_ms'] / r['n']:.1f} ms/cert |")
    r = results.get("idle")
    if r:
        lines.append(
            f"| idle daemon, {r['certificates']} certificates | RSS "
            f"{r['rss_mb']:.1f} MB (peak {r['hwm_mb']:.1f} MB), "
            f"{r['wakeups']} wake-ups in {r['seconds']} s over "
            f"{r['threads']} threads, {r['idle_cpu_ms']:.0f} ms CPU idle; "
            f"start-up {r['startup_s']:.1f} s, "
            f"{r['startup_cpu_s'] * 1000:.0f} ms CPU |")
    r = results.get("check")
    if r:
        lines.append(
            f"| --check-config, {opts.idle} certificates | "
            f"{r['wall_ms']:.0f} ms wall (best of 3), {r['cpu_ms']:.0f} ms "
            f"CPU, peak RSS {r['peak_rss_mb']:.1f} MB, exit {r['rc']} |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(out, "scale.md"), "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
