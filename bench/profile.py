#!/usr/bin/python3
"""acmed --once under valgrind --tool=callgrind against an always-valid
Pebble (N certificates, the configuration bench.py writes), then
callgrind_annotate's top functions (exclusive, and inclusive).
Instruction counts, unlike times, repeat from run to run.

    /usr/bin/python3 bench/profile.py --acmed build-bench-prof/acmed -n 20

Build acmed with symbols for it (meson --buildtype=debugoptimized).
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

from pebble import Pebble  # noqa: E402
import bench  # noqa: E402
import scale  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--acmed", default=os.path.join(ROOT, "build", "acmed"))
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--out", help="folder (default: a new temporary one)")
    opts = ap.parse_args()
    out = opts.out or tempfile.mkdtemp(prefix="acmed-profile-")
    os.makedirs(out, exist_ok=True)
    pebble = Pebble(os.path.join(out, "pebble"),
                    env={"PEBBLE_VA_ALWAYS_VALID": "1"})
    try:
        pebble.start()
        names = [f"c{i}.example.org" for i in range(opts.n)]
        webroot = os.path.join(out, "webroot")
        os.makedirs(os.path.join(webroot, ".well-known", "acme-challenge"),
                    exist_ok=True)
        config = os.path.join(out, "acmed.toml")
        scale.write_config(config, out, pebble.directory, names, webroot)
        cg = os.path.join(out, "callgrind.out")
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}",
                opts.acmed, "-c", config, "--log-stderr", "--log-level",
                "warn", "--root-cert", pebble.tls_cert, "--once",
                "--no-pid-file"]
        if opts.workers:
            argv += ["--workers", str(opts.workers)]
        with open(os.path.join(out, "valgrind.log"), "w") as f:
            r = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT,
                               timeout=1800, env=bench.clean_env())
        if r.returncode != 0:
            sys.exit(f"acmed failed under callgrind: see {out}/valgrind.log")
    finally:
        pebble.stop()
    for flag in ([], ["--inclusive=yes"]):
        a = subprocess.run(["callgrind_annotate", *flag, cg],
                           capture_output=True, text=True)
        lines = a.stdout.splitlines()
        name = "annotate-inclusive.txt" if flag else "annotate.txt"
        with open(os.path.join(out, name), "w") as f:
            f.write(a.stdout)
        # The summary, then the top entries.
        start = next((i for i, l in enumerate(lines) if "file:function" in l),
                     0)
        head = [l for l in lines[:start] if "PROGRAM TOTALS" in l]
        print("\n".join(head + lines[start:start + opts.top + 2]))
        print()
    print(f"files in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
