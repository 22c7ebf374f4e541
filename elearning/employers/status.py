"""Where a person stands on an assigned requirement: a pure function of dates and counts (no Flask)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import NamedTuple

from elearning.dates import local_date

EXPIRING_DAYS = 60


class State(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    OVERDUE = "overdue"


# The order counts and filters are shown in: the states that need action first.
STATES = (State.OVERDUE, State.EXPIRED, State.EXPIRING, State.NOT_STARTED, State.IN_PROGRESS, State.DONE)
VALID_STATES = frozenset({State.DONE, State.EXPIRING})


class CertificateFacts(NamedTuple):
    """The latest certificate a person holds for a requirement (revoked ones are never passed in)."""

    id: int
    code: str
    issued_at: datetime
    expires_at: datetime | None


class Progress(NamedTuple):
    """Modules of the requirement passed so far, and whether the person opened any of them."""

    passed: int
    total: int
    started: bool = False


class RequirementStatus(NamedTuple):
    """Where a person stands on one requirement (named tuples: a dashboard makes thousands of these)."""

    state: State
    progress: Progress
    due_on: date | None
    certificate: CertificateFacts | None

    @property
    def is_valid(self) -> bool:
        return self.state in VALID_STATES

    @property
    def expires_on(self) -> date | None:
        cert = self.certificate
        return local_date(cert.expires_at) if cert is not None and cert.expires_at is not None else None


def compute_status(progress: Progress, certificate: CertificateFacts | None, due_on: date | None,
                   today: date, *, expiring_days: int = EXPIRING_DAYS) -> RequirementStatus:
    """Return the state of one person on one assigned requirement on `today`.

    A valid certificate wins (done, or expiring within `expiring_days`); then an expired one (the person
    must re-certify, whatever the due date); then a passed due date (overdue); then any progress.
    """
    state = _state(progress, certificate, due_on, today, expiring_days)
    if state in VALID_STATES and progress != (progress.total, progress.total, True):
        progress = Progress(progress.total, progress.total, True)  # a valid certificate stands for every module
    return RequirementStatus(state=state, progress=progress, due_on=due_on, certificate=certificate)


def _state(progress: Progress, certificate: CertificateFacts | None, due_on: date | None, today: date,
           expiring_days: int) -> State:
    if certificate is not None:
        expires = local_date(certificate.expires_at) if certificate.expires_at is not None else None
        if expires is None or expires > today:
            return State.EXPIRING if expires is not None and (expires - today).days <= expiring_days else State.DONE
        return State.EXPIRED
    if due_on is not None and today > due_on:
        return State.OVERDUE
    if progress.passed or progress.started:
        return State.IN_PROGRESS
    return State.NOT_STARTED


def earliest_due(dates: list[date | None]) -> date | None:
    """Return the earliest due date among several assignments of the same requirement (None if none has one)."""
    present = [d for d in dates if d is not None]
    return min(present) if present else None
