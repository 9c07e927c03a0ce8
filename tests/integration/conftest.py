"""Fixtures shared by the integration tests."""
import os
import shutil

import pytest

from pebble import Pebble

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def build_dir():
    return os.environ.get("ACMED_BUILD", os.path.join(ROOT, "build"))


def plain_build_dir():
    """A build without sanitizers (for valgrind): ACMED_PLAIN_BUILD, else
    the build under test."""
    return os.environ.get("ACMED_PLAIN_BUILD", build_dir())


def program(name):
    """Path of a built program (build/acmed, build/tests/acme-driver...)."""
    path = os.path.join(build_dir(), name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not built")
    return path


@pytest.fixture
def pebble_factory(tmp_path):
    """Starts Pebble instances on demand; stops them all afterwards."""
    started = []

    def start(name="pebble", **kwargs):
        p = Pebble(str(tmp_path / name), **kwargs).start()
        started.append(p)
        return p

    if shutil.which("pebble") is None:
        pytest.skip("pebble is not installed")
    yield start
    for p in started:
        p.stop()


@pytest.fixture
def pebble(pebble_factory):
    """A Pebble that validates every challenge without asking."""
    return pebble_factory(env={"PEBBLE_VA_ALWAYS_VALID": "1"})
