"""A quick run of bench/run.sh, so that the benchmark does not rot: acmed
and the peers that happen to be installed (the test installs none), one
mode, a few certificates.  No figure is checked, only that every run
obtains verified certificates and that the tables come out."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT, program

RUN = os.path.join(ROOT, "bench", "run.sh")
# The peers that are quick enough for N = 3 in a few seconds, and the two
# slow ones (certbot ~3 s, dehydrated ~8 s per certificate) with N = 1.
QUICK = ["lego", "acme-tiny", "uacme"]
SLOW = ["certbot", "dehydrated"]


def installed(names):
    return [n for n in names if shutil.which(n)]


def bench(tmp_path, name, n, clients):
    out = tmp_path / name
    r = subprocess.run(
        [RUN, "--no-install", "-n", str(n), "--modes", "fast",
         "--clients", ",".join(clients), "--acmed", program("acmed"),
         "--out", str(out)],
        capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-4000:] + r.stdout[-2000:]
    with open(out / "results.json") as f:
        results = json.load(f)
    return r.stdout, results


@pytest.fixture(autouse=True)
def needs_pebble():
    if shutil.which("pebble") is None:
        pytest.skip("pebble is not installed")


def test_bench_acmed_and_quick_peers(tmp_path):
    clients = ["acmed"] + installed(QUICK)
    text, results = bench(tmp_path, "quick", 3, clients)
    assert "| acmed " in text and "PEBBLE_VA_ALWAYS_VALID=1, N = 3" in text
    by = {r["client"]: r for r in results}
    a = by["acmed"]
    assert a["ok"] == 3, a
    assert a["requests"] > 0 and a["connections"] > 0
    assert a["client_cpu_ms"] > 0 and a["peak_rss_mb"] > 0
    assert a["pebble_cpu_ms"] >= 0
    for name in clients[1:]:
        # A peer may lose an order to Pebble's random nonce rejections;
        # its driver works when it gets any certificate at all.
        assert by[name]["ok"] >= 1, by[name]
    if len(clients) > 1:
        assert "acmed ÷ best peer" in text


def test_bench_slow_peers(tmp_path):
    clients = installed(SLOW)
    if not clients:
        pytest.skip("neither certbot nor dehydrated is installed")
    text, results = bench(tmp_path, "slow", 1, ["acmed"] + clients)
    by = {r["client"]: r for r in results}
    assert by["acmed"]["ok"] == 1
    for name in clients:
        assert by[name]["ok"] == 1, by[name]
