"""Decide whether a learner's passed modules fulfil a training requirement (no Flask import).

Rules:
- the validity window is the last `validity_months` calendar months before now;
- each module of the requirement counts when it was passed inside the window and, if the learner already
  holds a certificate for the requirement (any status), after that certificate was issued: a fulfilment
  is used once, so a revoked certificate is not re-issued from the same passes;
- a certificate is due when every module counts and no certificate for the requirement is valid now.
After a certificate expires, every pass before its issue date is outside the window by construction
(expiry = issue + validity), so "passing again" is what earns the next one.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """Return `moment` moved by whole calendar months, clamping the day (31 January + 1 = 28/29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Pass:
    """A passed quiz attempt, with what a certificate snapshot needs."""

    ref: str  # "course-slug/module-slug"
    passed_at: datetime
    score_percent: int
    attempt_id: int = 0
    module_title: dict = field(default_factory=dict, compare=False)
    course_title: dict = field(default_factory=dict, compare=False)
    course_version_id: int = 0
    course_version_number: int = 0


@dataclass(frozen=True)
class Held:
    """A certificate the learner already holds for the requirement."""

    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.issued_at <= now < self.expires_at


@dataclass(frozen=True)
class Decision:
    """Where a learner stands on one requirement."""

    modules: tuple[str, ...]
    counted: dict[str, Pass]  # module ref -> the latest pass that counts
    window_start: datetime
    valid: Held | None  # the certificate valid now, if any
    counts_after: datetime  # passes count from the window start, or after the last certificate's issue if later

    @property
    def missing(self) -> list[str]:
        return [ref for ref in self.modules if ref not in self.counted]

    @property
    def due(self) -> bool:
        """Whether a new certificate should be issued now."""
        return self.valid is None and not self.missing


def evaluate(modules: Sequence[str], validity_months: int, passes: Iterable[Pass], held: Sequence[Held],
             now: datetime) -> Decision:
    """Return which modules count toward the requirement now and whether a certificate is due."""
    window_start = add_months(now, -validity_months)
    earlier = [h for h in held if h.issued_at <= now]
    last_issued = max((h.issued_at for h in earlier), default=None)
    wanted = set(modules)
    counted: dict[str, Pass] = {}
    for item in passes:
        if item.ref not in wanted or item.passed_at < window_start or item.passed_at > now:
            continue
        if last_issued is not None and item.passed_at <= last_issued:
            continue
        best = counted.get(item.ref)
        if best is None or (item.passed_at, item.attempt_id) > (best.passed_at, best.attempt_id):
            counted[item.ref] = item
    valid = max((h for h in earlier if h.is_valid(now)), key=lambda h: h.expires_at, default=None)
    return Decision(tuple(modules), counted, window_start, valid, max(window_start, last_issued or window_start))
