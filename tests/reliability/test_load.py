"""Simulated learners against gunicorn: no 5xx, and the database holds exactly what was acknowledged."""

from __future__ import annotations

import pytest

from tests.reliability import harness

pytestmark = pytest.mark.reliability


def test_learners_under_load_lose_nothing(tmp_path, figures):
    shape = harness.load_shape()
    with harness.throwaway_database(tmp_path, "load") as database:
        emails = harness.seed(database, shape.users)
        with harness.app_server(database, tmp_path, overrides=harness.LOAD_OVERRIDES) as server:
            with harness.locust(server.url, emails, tmp_path, shape) as run:
                pass
            server.stop()
        ledger = run.ledger
        assert ledger["server_errors"] == [], ledger["server_errors"][:10]
        assert server.server_errors() == [], server.server_errors()[:10]
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
        assert ledger["retries"] == {}, ledger["retries"]
        assert ledger["bad"] == [] and ledger["unresolved"] == [], (ledger["bad"][:10], ledger["unresolved"][:10])
        assert all(d["status"] == 302 for d in ledger["duplicates"]), ledger["duplicates"]
        result = harness.verify_database(database, ledger)
    assert result["acknowledged"] > 0 and result["certificates"] > 0, result
    stats = ledger["stats"]
    figures.update(database=database.kind, users=shape.users, seconds=shape.seconds, requests=stats["requests"],
                   rps=stats["rps"], p50_ms=stats["p50_ms"], p99_ms=stats["p99_ms"], **result)
