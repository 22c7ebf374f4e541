"""The per-request shortcuts keep their behaviour: rate limits, escaping in translated template text."""

from __future__ import annotations

import threading
import time

import pytest
from flask import render_template_string
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from elearning.extensions import limiter
from elearning.ratelimits import SweepingMemoryStorage


def test_sweeping_memory_storage_limits_without_a_thread_per_hit():
    storage = SweepingMemoryStorage()
    time.sleep(0.05)  # MemoryStorage.__init__ starts one sweep timer; let it end
    threads = threading.active_count()
    hits = FixedWindowRateLimiter(storage)
    item = parse("2 per second")
    assert [hits.hit(item, "address") for _ in range(3)] == [True, True, False]
    time.sleep(0.02)  # MemoryStorage would have started a timer thread on the next hit
    hits.hit(item, "other")
    assert threading.active_count() == threads
    time.sleep(1.1)
    assert hits.hit(item, "address")  # the window expired
    assert "LIMITER/other/2/1/second" not in storage.storage  # swept on that hit


@pytest.mark.settings(RATELIMIT_ENABLED=True)
def test_memory_uri_is_served_by_the_sweeping_storage(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "relais-memory://"
    assert isinstance(limiter.storage, SweepingMemoryStorage)


@pytest.mark.settings(RATELIMIT_ENABLED=True)
def test_app_wide_limit_check_runs_only_when_such_limits_exist(client, monkeypatch):
    calls = []
    monkeypatch.setattr(limiter, "_check_request_limit", lambda *a, **k: calls.append(a))
    assert client.get("/").status_code == 200
    assert calls == []
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [object()])
    client.get("/")
    assert len(calls) == 1


@pytest.mark.settings(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="2 per minute")
def test_view_limits_still_apply(client):
    assert [client.get("/verify/RLS-0000-0000-00").status_code for _ in range(3)] == [404, 404, 429]


def test_translated_text_in_loops_and_blocks_escapes_its_variables(app):
    source = ('{% for n in [1] %}{% set tag = "<b>" %}{{ _("Certificate %(code)s", code=tag) }}'
              '{{ ngettext("%(num)d hour", "%(num)d hours", 2) }}{% endfor %}')
    with app.test_request_context("/"):
        assert render_template_string(source) == "Certificate &lt;b&gt;2 hours"
