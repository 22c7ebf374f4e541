"""The status of one person on one assigned requirement, for every state (pure function, no app)."""

from datetime import date, datetime

import pytest

from elearning.employers.status import CertificateFacts, Progress, State, compute_status, earliest_due

TODAY = date(2025, 6, 1)


def cert(expires: date | None, issued: date = date(2024, 1, 1)) -> CertificateFacts:
    return CertificateFacts(1, "RLS-0000-0000-00", datetime.combine(issued, datetime.min.time()),
                            datetime.combine(expires, datetime.min.time()) if expires else None)


@pytest.mark.parametrize("progress, certificate, due_on, expected", [
    (Progress(0, 6), None, None, State.NOT_STARTED),
    (Progress(0, 6), None, date(2025, 6, 1), State.NOT_STARTED),  # due today is not overdue yet
    (Progress(0, 6, started=True), None, None, State.IN_PROGRESS),
    (Progress(2, 6), None, date(2025, 7, 1), State.IN_PROGRESS),
    (Progress(0, 6), None, date(2025, 5, 31), State.OVERDUE),
    (Progress(5, 6), None, date(2025, 5, 31), State.OVERDUE),
    (Progress(6, 6), cert(date(2027, 1, 1)), None, State.DONE),
    (Progress(6, 6), cert(date(2027, 1, 1)), date(2020, 1, 1), State.DONE),  # done wins over a past due date
    (Progress(6, 6), cert(None), None, State.DONE),
    (Progress(6, 6), cert(date(2025, 7, 31)), None, State.EXPIRING),  # 60 days left
    (Progress(6, 6), cert(date(2025, 8, 1)), None, State.DONE),  # 61 days left
    (Progress(6, 6), cert(date(2025, 6, 2)), None, State.EXPIRING),
    (Progress(0, 6), cert(date(2025, 6, 1)), None, State.EXPIRED),  # expires at the start of that day
    (Progress(3, 6), cert(date(2024, 1, 1)), date(2025, 1, 1), State.EXPIRED),  # re-certify, whatever the due date
])
def test_every_state(progress, certificate, due_on, expected):
    status = compute_status(progress, certificate, due_on, TODAY)
    assert status.state == expected
    assert status.is_valid == (expected in (State.DONE, State.EXPIRING))


def test_expiring_window_can_be_changed():
    assert compute_status(Progress(1, 1), cert(date(2025, 6, 20)), None, TODAY, expiring_days=14).state == State.DONE


def test_status_carries_what_the_dashboard_shows():
    status = compute_status(Progress(2, 6), None, date(2025, 7, 1), TODAY)
    assert (status.progress.passed, status.progress.total, status.due_on, status.expires_on) == (2, 6, date(2025, 7, 1),
                                                                                              None)
    assert compute_status(Progress(6, 6), cert(date(2027, 1, 1)), None, TODAY).expires_on == date(2027, 1, 1)


def test_earliest_due_date_of_several_assignments():
    assert earliest_due([None, date(2025, 9, 1), date(2025, 8, 1)]) == date(2025, 8, 1)
    assert earliest_due([None, None]) is None


def test_an_expiry_late_in_the_evening_is_dated_as_in_brussels():
    """Issued at 23:30 UTC, a certificate is dated the next day, on the PDF and the verify page: here too."""
    late = CertificateFacts(1, "RLS-0000-0000-00", datetime(2026, 11, 27, 23, 30), datetime(2029, 11, 27, 23, 30))
    assert compute_status(Progress(1, 1), late, None, date(2029, 11, 27)).expires_on == date(2029, 11, 28)
    assert compute_status(Progress(1, 1), late, None, date(2029, 11, 27)).state == State.EXPIRING
    assert compute_status(Progress(1, 1), late, None, date(2029, 11, 28)).state == State.EXPIRED
