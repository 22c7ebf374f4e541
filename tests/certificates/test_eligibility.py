"""Eligibility rules, without a database: every module, the validity window, expiry, re-certification."""

from datetime import datetime, timedelta

import pytest

from elearning.certificates.eligibility import Held, Pass, add_months, evaluate

A, B, C = "course/a", "course/b", "course/c"
MODULES = (A, B, C)
NOW = datetime(2026, 6, 15, 12, 0)


def passes(*items):
    return [Pass(ref=ref, passed_at=when, score_percent=score, attempt_id=n)
            for n, (ref, when, score) in enumerate(items, start=1)]


def days_ago(n):
    return NOW - timedelta(days=n)


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2026, 1, 31, 9), 1, datetime(2026, 2, 28, 9)),
    (datetime(2024, 1, 31, 9), 1, datetime(2024, 2, 29, 9)),
    (datetime(2026, 6, 15), -24, datetime(2024, 6, 15)),
    (datetime(2026, 3, 31), -1, datetime(2026, 2, 28)),
    (datetime(2026, 11, 30), 3, datetime(2027, 2, 28)),
    (datetime(2026, 1, 1), -13, datetime(2024, 12, 1)),
])
def test_add_months(moment, months, expected):
    assert add_months(moment, months) == expected


def test_due_when_every_module_is_passed():
    decision = evaluate(MODULES, 24, passes((A, days_ago(3), 80), (B, days_ago(2), 90), (C, days_ago(1), 100)), [], NOW)
    assert decision.due and decision.missing == [] and set(decision.counted) == set(MODULES)


def test_not_due_while_a_module_is_missing():
    decision = evaluate(MODULES, 24, passes((A, days_ago(3), 80), (B, days_ago(2), 90)), [], NOW)
    assert not decision.due and decision.missing == [C]


def test_failed_or_unrelated_modules_do_not_count():
    decision = evaluate((A, B), 24, passes((A, days_ago(3), 80), ("other/b", days_ago(2), 90)), [], NOW)
    assert decision.missing == [B]


def test_window_is_the_last_validity_months():
    inside = add_months(NOW, -24)
    outside = inside - timedelta(seconds=1)
    assert evaluate((A,), 24, passes((A, inside, 80)), [], NOW).due
    decision = evaluate((A,), 24, passes((A, outside, 80)), [], NOW)
    assert not decision.due and decision.window_start == inside


def test_an_old_pass_must_be_renewed():
    decision = evaluate((A, B), 12, passes((A, days_ago(400), 80), (B, days_ago(5), 90)), [], NOW)
    assert decision.missing == [A]
    decision = evaluate((A, B), 12, passes((A, days_ago(400), 80), (B, days_ago(5), 90), (A, days_ago(1), 85)), [], NOW)
    assert decision.due and decision.counted[A].score_percent == 85


def test_the_latest_pass_of_a_module_is_recorded():
    decision = evaluate((A,), 24, passes((A, days_ago(30), 80), (A, days_ago(3), 95), (A, days_ago(10), 100)), [], NOW)
    assert decision.counted[A].passed_at == days_ago(3)


def test_passes_in_the_future_are_ignored():
    assert not evaluate((A,), 24, passes((A, NOW + timedelta(minutes=1), 80)), [], NOW).due


def test_not_due_while_a_certificate_is_valid():
    held = [Held(days_ago(100), add_months(days_ago(100), 24))]
    decision = evaluate((A,), 24, passes((A, days_ago(1), 90)), held, NOW)
    assert not decision.due and decision.valid == held[0]


def test_the_passes_of_a_certificate_are_used_once():
    """Right after issue the same passes do not make a second certificate, even if the first is revoked."""
    issued = days_ago(10)
    held = [Held(issued, add_months(issued, 24), revoked_at=days_ago(5))]
    decision = evaluate((A, B), 24, passes((A, days_ago(11), 90), (B, issued, 90)), held, NOW)
    assert decision.valid is None and not decision.due and decision.missing == [A, B]
    decision = evaluate((A, B), 24, passes((A, days_ago(2), 90), (B, days_ago(1), 90)), held, NOW)
    assert decision.due


def test_recertification_after_expiry():
    issued = add_months(NOW, -25)
    held = [Held(issued, add_months(issued, 24))]
    old = passes((A, issued - timedelta(days=1), 90), (B, issued, 90))
    assert not evaluate((A, B), 24, old, held, NOW).due  # expired, but nothing passed again
    again = old + passes((A, days_ago(2), 88), (B, days_ago(1), 91))
    decision = evaluate((A, B), 24, again, held, NOW)
    assert decision.valid is None and decision.due
    assert {p.passed_at for p in decision.counted.values()} == {days_ago(2), days_ago(1)}


def test_expiry_moment():
    issued = add_months(NOW, -24)
    assert not Held(issued, add_months(issued, 24)).is_valid(NOW)  # valid until, not including, the expiry
    assert Held(issued, add_months(issued, 24) + timedelta(seconds=1)).is_valid(NOW)


def test_counts_after_is_the_later_of_window_and_last_issue():
    assert evaluate((A,), 24, [], [], NOW).counts_after == add_months(NOW, -24)
    issued = days_ago(10)
    held = [Held(issued, add_months(issued, 24), revoked_at=days_ago(5))]
    assert evaluate((A,), 24, [], held, NOW).counts_after == issued
