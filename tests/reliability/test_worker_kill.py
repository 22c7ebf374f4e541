"""A gunicorn worker killed with SIGKILL: the master replaces it, nothing acknowledged is lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
import sqlalchemy as sa

from tests.reliability import harness
from tests.reliability.answers import answer_fields, answer_key, csrf_token

pytestmark = pytest.mark.reliability


def _wait_replaced(server: harness.AppServer, victims: list[int], timeout: float = 30) -> float:
    """Wait until the master runs its full count of workers again, none of them a victim; return the seconds."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pids = server.worker_pids()
        if len(pids) == server.workers and not set(pids) & set(victims):
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"gunicorn did not replace {victims} within {timeout} s: {server.worker_pids()}")


def test_killed_worker_is_replaced_and_nothing_is_lost(tmp_path, figures):
    shape = harness.load_shape()
    rng = random.Random(7)
    with harness.throwaway_database(tmp_path, "kill") as database:
        emails = harness.seed(database, shape.users)
        with harness.app_server(database, tmp_path, overrides=harness.LOAD_OVERRIDES) as server:
            restarts = []
            with harness.locust(server.url, emails, tmp_path, shape) as run:
                # Kill once learners are submitting quizzes, so that submissions are in flight; then twice more.
                while harness.graded_count(database) < 2 and run.elapsed() < shape.seconds * 0.5:
                    time.sleep(0.2)
                for kill in range(3):
                    if kill:
                        time.sleep(shape.seconds * 0.15)
                    victim = rng.choice(server.worker_pids())
                    os.kill(victim, signal.SIGKILL)
                    restarts.append(round(_wait_replaced(server, [victim]), 2))
            server.stop()
        ledger = run.ledger
        log = server.log_text()
        assert log.count("was sent SIGKILL") == len(restarts), log[-3000:]
        assert ledger["server_errors"] == [] and server.server_errors() == [], ledger["server_errors"][:10]
        assert "Traceback" not in log, log[-3000:]
        assert ledger["bad"] == [] and ledger["unresolved"] == [], (ledger["bad"][:10], ledger["unresolved"][:10])
        assert all(d["status"] == 302 for d in ledger["duplicates"]), ledger["duplicates"]
        result = harness.verify_database(database, ledger)
    interrupted = sum(count for key, count in ledger["retries"].items() if key.endswith(" 0"))
    assert interrupted > 0, "no request was in flight when the workers were killed: the test proved nothing"
    assert result["acknowledged"] > 0, result
    figures.update(database=database.kind, users=shape.users, seconds=shape.seconds, kills=len(restarts),
                   replaced_in_s=restarts, interrupted_requests=interrupted,
                   retried_submissions=sum(ack["tries"] > 1 for ack in ledger["acks"]), **result)


@contextmanager
def _attempt_locked(database: harness.Database, attempt_id: int):
    """Hold a lock that makes the app's submission of this attempt wait (SQLite: the write lock; PostgreSQL:
    the attempt's row); yield a function telling whether the app is waiting for it."""
    if database.kind == "sqlite":
        connection = sqlite3.connect(database.url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield lambda: time.sleep(1.0) or True  # the app waits up to its busy timeout (15 s)
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = database.engine()
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT id FROM quiz_attempts WHERE id = :id FOR UPDATE"), {"id": attempt_id})

        def waiting() -> bool:
            with engine.connect() as probe:
                return bool(probe.scalar(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")))

        try:
            yield waiting
        finally:
            connection.rollback()
    engine.dispose()


def test_submission_cut_off_by_a_killed_worker_grades_once_on_retry(tmp_path, figures):
    """Kill every worker while a submission is inside the server, then retry it: it is graded exactly once."""
    with harness.throwaway_database(tmp_path, "cut") as database:
        [email] = harness.seed(database, 1)
        with harness.app_server(database, tmp_path, name="cut") as server:
            browser = harness.Browser(server.url)
            assert browser.login(email).status_code == 302
            attempt_url, page = browser.start_attempt("m1-basics")
            attempt_id = int(attempt_url.rsplit("/", 1)[-1])
            fields = answer_fields(page, answer_key(harness.FIXTURE_COURSES), random.Random(1), right_rate=1.0)
            data = [("csrf_token", csrf_token(page)), *fields]
            with _attempt_locked(database, attempt_id) as waiting, ThreadPoolExecutor(1) as pool:
                submission = pool.submit(browser.post, attempt_url, data)
                deadline = time.monotonic() + 10
                while not waiting() and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert not submission.done(), "the submission was answered while its attempt was locked"
                victims = server.worker_pids()
                for pid in victims:
                    os.kill(pid, signal.SIGKILL)
                with pytest.raises(requests.ConnectionError):
                    submission.result(timeout=20)
            replaced_in = _wait_replaced(server, victims)
            server.wait_healthy()
            retry = browser.post(attempt_url, data)
            assert retry.status_code == 302 and retry.headers["Location"].endswith("/result"), retry.status_code
            again = browser.post(attempt_url, data)  # and once more, as an impatient learner would
            assert again.status_code == 302 and again.headers["Location"].endswith("/result")
            assert browser.get(attempt_url + "/result").status_code == 200
            server.stop()
        assert server.server_errors() == [] and "Traceback" not in server.log_text(), server.log_text()[-3000:]
        ledger = {"acks": [{"user": email, "attempt": attempt_id, "fields": fields, "tries": 2}], "duplicates": [1]}
        result = harness.verify_database(database, ledger)
    assert result["graded"] == 1 and result["passed"] == 1, result
    figures.update(database=database.kind, workers_killed=len(victims), replaced_in_s=round(replaced_in, 2),
                   graded=result["graded"])
