"""PostgreSQL restarted under load: the app answers 503 meanwhile (never a 500), recovers, and loses nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reliability import harness

pytestmark = pytest.mark.reliability

DOWN_SECONDS = 3  # how long the database stays stopped
# Seconds after the database is back within which every page answers 200 again; in the full run the server is
# overloaded on purpose (200 learners, p50 about 5 s), so the probe's requests queue that long too.
RECOVERY_LIMIT = 20 if harness.is_full() else 10


def _cluster() -> list[str] | None:
    """Return the pg_ctlcluster arguments naming the local cluster, or None when it cannot be driven here."""
    if harness.postgres_test_url() is None or shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        return None
    host = sa.engine.make_url(harness.postgres_test_url()).host
    versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
    if host not in ("127.0.0.1", "localhost", None) or not versions:
        return None
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]


def _pg(action: str) -> None:
    subprocess.run([*_cluster(), action], check=True, capture_output=True, timeout=60)


def _pg_ready(timeout: float) -> float:
    """Wait until PostgreSQL accepts connections; return the seconds it took."""
    started = time.monotonic()
    engine = sa.create_engine(harness.postgres_test_url(), poolclass=sa.pool.NullPool,
                              connect_args={"connect_timeout": 2})
    try:
        while time.monotonic() - started < timeout:
            try:
                with engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
                return time.monotonic() - started
            except sa.exc.OperationalError:
                time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError(f"PostgreSQL did not come back within {timeout} s")


class Probe(threading.Thread):
    """Ask the health check and a logged-in page every 50 ms; remember each answer with its time."""

    PATHS = ("/healthz", "/learn/", "/learn/demo-course/m1-basics/1")

    def __init__(self, browser: harness.Browser) -> None:
        super().__init__(daemon=True)
        self.browser = browser
        self.answers: list[tuple[float, str, int, str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for path in self.PATHS:
                try:
                    response = self.browser.get(path)
                    self.answers.append((time.monotonic(), path, response.status_code, response.text[:2000]))
                except OSError as error:
                    self.answers.append((time.monotonic(), path, 0, str(error)))
            time.sleep(0.05)

    def first_all_ok_after(self, moment: float) -> float | None:
        """Return when every path had answered 200 (after `moment`) with nothing but 200 since."""
        ok_since: dict[str, float] = {}
        for at, path, status, _ in self.answers:
            if at < moment:
                continue
            if status == 200:
                ok_since.setdefault(path, at)
            else:
                ok_since.pop(path, None)
        return max(ok_since.values()) if len(ok_since) == len(self.PATHS) else None


@pytest.mark.skipif(_cluster() is None, reason="needs TEST_DATABASE_URL=postgresql on this machine, pg_ctlcluster "
                                                "and root, to stop and start the server")
def test_database_restart_answers_503_then_recovers(tmp_path, figures):
    shape = harness.load_shape()
    try:
        with harness.throwaway_database(tmp_path, "restart") as database:
            *emails, probe_email = harness.seed(database, shape.users + 1)
            with harness.app_server(database, tmp_path, overrides=harness.LOAD_OVERRIDES) as server:
                browser = harness.Browser(server.url)
                assert browser.login(probe_email).status_code == 302
                probe = Probe(browser)
                with harness.locust(server.url, emails, tmp_path, shape) as run:
                    while harness.graded_count(database) < 2 and run.elapsed() < shape.seconds * 0.4:
                        time.sleep(0.2)
                    probe.start()
                    time.sleep(0.5)
                    stopping = time.monotonic()
                    _pg("stop")
                    stopped = time.monotonic()
                    time.sleep(DOWN_SECONDS)
                    starting = time.monotonic()
                    _pg("start")
                    back = time.monotonic() + _pg_ready(30)
                    deadline = back + RECOVERY_LIMIT
                    while probe.first_all_ok_after(back) is None and time.monotonic() < deadline:
                        time.sleep(0.1)
                    time.sleep(2)  # and it stays up
                    probe.stopping.set()
                    probe.join(10)
                server.stop()
            ledger = run.ledger
            recovered = probe.first_all_ok_after(back)
            after = [(round(at - back, 2), path, status) for at, path, status, _ in probe.answers if at >= back]
            (tmp_path / "probe-after-restart.txt").write_text("\n".join(map(str, after)))
            down = [(path, status, text) for at, path, status, text in probe.answers if stopped <= at < starting]
            statuses = server.access_statuses()
            assert recovered is not None, f"not every page answered 200 within {RECOVERY_LIMIT} s after the restart"
            errors = [answer for answer in down if answer[1] == 500]
            assert errors == [] and not statuses.get(500), errors[:3]
            assert {status for _, status, _ in down} == {503}, sorted({status for _, status, _ in down})
            assert all("Relais is briefly unavailable" in text or '"unavailable"' in text for _, _, text in down)
            assert "Traceback" not in server.log_text(), server.log_text()[-4000:]
            assert not [e for e in ledger["server_errors"] if e["status"] != 503], ledger["server_errors"][:10]
            assert ledger["bad"] == [] and ledger["unresolved"] == [], (ledger["bad"][:10], ledger["unresolved"][:10])
            result = harness.verify_database(database, ledger)
    finally:
        subprocess.run([*_cluster(), "start"], capture_output=True, timeout=60)  # "already running" is fine
        _pg_ready(60)
    assert result["acknowledged"] > 0, result
    figures.update(users=shape.users, seconds=shape.seconds, stop_s=round(stopped - stopping, 2),
                   down_s=round(back - stopped, 2), start_s=round(back - starting, 2), answers_while_down=len(down),
                   recovered_s=round(recovered - back, 2),
                   failed_after_back=sum(status != 200 for _, _, status in after), retried_on_503=sum(
                       count for key, count in ledger["retries"].items() if key.endswith(" 503")),
                   **{f"http_{status}": count for status, count in sorted(statuses.items())}, **result)
