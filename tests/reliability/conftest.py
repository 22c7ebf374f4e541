"""Reliability tests: gunicorn under simulated learners (locust), worker and database failures, two servers.

Each test prints its figures in the session summary. RELIABILITY_FULL=1 runs the full form
(200 learners for 60 s) instead of the bounded one CI runs.
"""

from __future__ import annotations

import pytest

FIGURES: list[tuple[str, dict]] = []


@pytest.fixture
def figures(request):
    """Return a dict whose contents are printed under the test's name at the end of the session."""
    values: dict = {}
    FIGURES.append((request.node.name, values))
    return values


def pytest_terminal_summary(terminalreporter):
    shown = [(name, values) for name, values in FIGURES if values]
    if not shown:
        return
    terminalreporter.section("reliability figures")
    for name, values in shown:
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{key}={value}" for key, value in values.items()))
