"""The Pebble fixture itself: it starts, serves a directory, and stops
exactly what it started."""
import json


def test_pebble_serves_directory(pebble):
    directory = json.loads(pebble.get(pebble.directory))
    for key in ("newNonce", "newAccount", "newOrder", "revokeCert",
                "keyChange"):
        assert directory[key].startswith("https://127.0.0.1:")
    assert "BEGIN CERTIFICATE" in pebble.roots_pem()


def test_pebble_stops_its_processes(pebble_factory):
    p = pebble_factory()
    pids = [proc.pid for proc in p.procs]
    assert len(pids) == 2
    p.stop()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().split(") ")[1][0]
            assert state == "Z" or state == "X"
        except FileNotFoundError:
            pass
