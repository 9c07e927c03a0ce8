"""An order whose CSR the CA took, but whose certificate did not come in
the attempt (still "processing" when the poll ended, or a failed
download), is read again by the next attempt instead of ordered anew:
a new order would have the CA issue a second certificate for the same
names (Let's Encrypt allows five a week).  Against fakeca, with the
daemon's poll deadline and retry backoff shortened by their test knobs.
"""
import contextlib
import os
import re
import signal

import pytest

from acmed import Acmed
from certs import pubkey
from fakeca_fixture import fakeca_factory  # noqa: F401 (fixture)
from pebble import wait_until
from test_hostile_ca import CERT_NAME, Client

PROBLEM_404 = {"type": "urn:ietf:params:acme:error:malformed",
               "detail": "no such order"}


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    monkeypatch.setenv("ACMED_POLL_DEADLINE_MS", "1000")
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "1")


def daemon(fakeca_factory, tmp_path, script):
    ca = fakeca_factory(script=script)
    client = Client(tmp_path / "acmed", ca)
    a = Acmed(client.folder, ca)
    a.config = client.config
    a.start()
    return ca, a


def count(ca, pattern):
    return len([r for r in ca.requests() if re.fullmatch(pattern, r["path"])])


def wait_issued(a, key_ext="pem"):
    crt = a.path(CERT_NAME + ".crt.pem")
    wait_until(lambda: os.path.exists(crt), 60, "the certificate")
    # The key is the one the CSR of the kept order was made with.
    with open(crt) as c, open(a.path(CERT_NAME + ".pk." + key_ext)) as k:
        assert pubkey(c.read()) == pubkey(k.read(), is_key=True)


@contextlib.contextmanager
def issued_from_one_order(fakeca_factory, tmp_path, script):
    """The daemon against a CA that runs script: the certificate comes,
    from the one order made."""
    ca, a = daemon(fakeca_factory, tmp_path, script)
    try:
        wait_issued(a)
        yield ca, a
        assert count(ca, r"/new-order") == 1
    finally:
        a.stop()


def test_an_order_still_processing_is_read_again(fakeca_factory, tmp_path):
    # Read 1 finds the order ready; after finalize, reads 2 to 8 say
    # "processing": past the first attempt's deadline (1 s, about four
    # reads) and into the second one's.
    with issued_from_one_order(fakeca_factory, tmp_path, [
            {"endpoint": "order", "from": 2, "until": 8,
             "set": {"status": "processing"}}]) as (ca, a):
        log = a.log()
        assert re.search(r"order \S+/order/\d+ kept for the next attempt",
                         log), log[-4000:]
        assert "reading order" in log and "again" in log
        assert count(ca, r"/order/\d+/finalize") == 1


def test_a_failed_download_is_read_again(fakeca_factory, tmp_path):
    # Three 503s: the first try and its two retries after Retry-After.
    with issued_from_one_order(fakeca_factory, tmp_path, [
            {"endpoint": "certificate", "until": 3, "status": 503,
             "body": "", "headers": {"Retry-After": "1"}}]) as (ca, a):
        assert "kept for the next attempt" in a.log()
        assert count(ca, r"/order/\d+/finalize") == 1
        assert count(ca, r"/cert/\d+") == 4


def test_a_lost_finalize_answer_is_read_again(fakeca_factory, tmp_path,
                                             monkeypatch):
    # The finalize request and its retries get no answer: the CA may have
    # taken the CSR, so the order is kept.  It is still ready when read
    # again (5 s later), and is finalized with the same CSR.
    monkeypatch.setenv("ACMED_SCHED_BACKOFF_S", "5")
    ca, a = daemon(fakeca_factory, tmp_path, [
        {"endpoint": "finalize", "close": True}])
    try:
        a.wait_log("kept for the next attempt", timeout=60)
        ca.set_script([])
        wait_issued(a)
        assert count(ca, r"/new-order") == 1
        csrs = {r["payload"]["csr"] for r in ca.requests()
                if re.fullmatch(r"/order/\d+/finalize", r["path"])}
        assert count(ca, r"/order/\d+/finalize") > 1 and len(csrs) == 1
    finally:
        a.stop()


def test_a_finalize_taken_but_not_answered(fakeca_factory, tmp_path):
    # The CA takes the CSR, and the answer is lost: the request sent again
    # is told orderNotReady (the order is processing), which is the first
    # request's doing, not another order's.
    with issued_from_one_order(fakeca_factory, tmp_path, [
            {"endpoint": "finalize", "nth": 1, "lose_answer": True}]) as (
            ca, a):
        assert count(ca, r"/order/\d+/finalize") == 2


def test_a_finalize_answered_by_server_errors(fakeca_factory, tmp_path):
    # A proxy answers 502 to every try, though the CA took the first: the
    # order is kept, and read again it is valid.
    with issued_from_one_order(fakeca_factory, tmp_path, [
            {"endpoint": "finalize", "status": 502, "body": ""}]) as (ca, a):
        assert "kept for the next attempt" in a.log()


def test_an_order_the_ca_no_longer_knows_is_ordered_anew(fakeca_factory,
                                                         tmp_path):
    # Still processing, and the CA asks for the next read in 4 s: past
    # the deadline, so the attempt ends at once and the next one is 4 s
    # away, time enough to make the order vanish.
    ca, a = daemon(fakeca_factory, tmp_path, [
        {"endpoint": "order", "from": 2, "set": {"status": "processing"},
         "headers": {"Retry-After": "4"}}])
    try:
        a.wait_log("kept for the next attempt", timeout=60)
        url = re.search(r"order (\S+) kept for the next attempt",
                        a.log())[1]
        ca.set_script([{"path": url[len(ca.base):], "status": 404,
                        "json": PROBLEM_404}])
        wait_issued(a)
        assert re.search(r"no such order: ordering anew", a.log()), \
            a.log()[-4000:]
        assert count(ca, r"/new-order") == 2
    finally:
        a.stop()


def reload_while_kept(fakeca_factory, tmp_path, change, key_ext="pem"):
    """A kept order, the CA's next read 4 s away, and a reload with the
    configuration changed by change(text)."""
    ca, a = daemon(fakeca_factory, tmp_path, [
        {"endpoint": "order", "from": 2, "set": {"status": "processing"},
         "headers": {"Retry-After": "4"}}])
    a.wait_log("kept for the next attempt", timeout=60)
    ca.set_script([])
    with open(a.config) as f:
        text = f.read()
    with open(a.config, "w") as f:
        f.write(change(text))
    a.signal(signal.SIGHUP)
    a.wait_log("configuration reloaded", timeout=30)
    wait_issued(a, key_ext)
    return ca, a


def test_a_reload_keeps_the_kept_order(fakeca_factory, tmp_path):
    """The same certificate after a reload (a change elsewhere: here a
    hook's arguments) reads the kept order again."""
    ca, a = reload_while_kept(fakeca_factory, tmp_path,
                              lambda t: t.replace('"{{ proof }}"',
                                                  '"{{ proof }}", "x"'))
    try:
        assert "reading order" in a.log()
        assert count(ca, r"/new-order") == 1
    finally:
        a.stop()


def test_a_reload_that_changes_the_names_orders_anew(fakeca_factory,
                                                     tmp_path):
    """The kept order was made for other names: it is given up."""
    ca, a = reload_while_kept(fakeca_factory, tmp_path, lambda t: t.replace(
        '{ dns = "example.org", challenge = "http-01" }',
        '{ dns = "example.org", challenge = "http-01" }, '
        '{ dns = "www.example.org", challenge = "http-01" }'))
    try:
        assert "reading order" not in a.log()
        assert count(ca, r"/new-order") == 2
    finally:
        a.stop()


def test_a_reload_that_moves_the_files_orders_anew(fakeca_factory,
                                                   tmp_path):
    """Another key file extension: the kept order's key (with kp_reuse,
    the one on disk) would not be where the certificate goes."""
    ca, a = reload_while_kept(fakeca_factory, tmp_path, lambda t: t.replace(
        "[global]\n", '[global]\npk_file_ext = "key"\n', 1), "key")
    try:
        assert "reading order" not in a.log()
        assert count(ca, r"/new-order") == 2
    finally:
        a.stop()
