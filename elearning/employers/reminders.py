"""Reminder emails for cron: due soon, overdue, certificate expiring, weekly digest; each sent once.

`plan()` reads what is due now; `claim()` records a reminder in sent_reminders, whose unique key
(kind, user, subject, period) makes a second run (or a concurrent one) skip it; `deliver()` sends it in
the recipient's language. The command commits after each delivered message, so a crash loses nothing sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from elearning import mail
from elearning.accounts.models import User, utcnow
from elearning.certificates.models import Certificate
from elearning.dates import local_date
from elearning.employers import dashboard
from elearning.employers.models import Organisation, SentReminder
from elearning.employers.services import external_url
from elearning.employers.status import State
from elearning.extensions import db
from elearning.templating import _l

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 14
EXPIRY_WARNINGS = (60, 14)  # days before a certificate expires
TODO_STATES = (State.NOT_STARTED, State.IN_PROGRESS)
UNIQUE_KEY = ("kind", "user_id", "subject", "period")

# Neutral subjects: nothing in an inbox or on a lock screen says what the training is about.
SUBJECTS = {
    "due_soon": _l("Relais: a reminder about your training"),
    "overdue": _l("Relais: a reminder about your training"),
    "expiring": _l("Relais: your certificate needs renewing soon"),
    "digest": _l("Relais: weekly training summary"),
}
TEMPLATES = {"due_soon": "email/reminder_due.txt", "overdue": "email/reminder_overdue.txt",
             "expiring": "email/reminder_expiring.txt", "digest": "email/digest.txt"}

LINKS = {"due_soon": ("learn.my_training",), "overdue": ("learn.my_training",),
         "expiring": ("certificates.index",), "digest": ("employers.dashboard",)}


@dataclass(frozen=True)
class Reminder:
    kind: str  # due_soon, overdue, expiring_60, expiring_14, digest
    user_id: int
    subject: str  # what it is about, e.g. "assignment:3:2" (organisation, requirement) or "certificate:7"
    period: str  # e.g. the due date, the days before expiry, or the ISO week
    context: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def template_kind(self) -> str:
        return "expiring" if self.kind.startswith("expiring") else self.kind


def plan(now: datetime | None = None) -> list[Reminder]:
    """Return every reminder due now, sent or not (claim() tells which are new)."""
    now = now or utcnow()
    reminders = []
    for organisation in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        board = dashboard.build(organisation.id, now=now)
        reminders += _assignment_reminders(organisation, board)
        reminders += _digests(organisation, board, now)
    reminders += _expiry_reminders(now)
    return reminders


def _assignment_reminders(organisation: Organisation, board: dashboard.Dashboard) -> Iterator[Reminder]:
    titles = {r.id: r.title for r in board.requirements}
    for row in board.all_rows:
        for requirement_id, status in row.statuses.items():
            if status.due_on is None:
                continue
            days = (status.due_on - board.today).days
            kind = ("overdue" if status.state == State.OVERDUE else
                    "due_soon" if status.state in TODO_STATES and 0 <= days <= DUE_SOON_DAYS else None)
            if kind is not None:
                yield Reminder(kind, row.user_id, f"assignment:{organisation.id}:{requirement_id}",
                               status.due_on.isoformat(),
                               {"organisation": organisation.name, "title": titles[requirement_id],
                                "due_on": status.due_on, "passed": status.progress.passed,
                                "total": status.progress.total})


def _expiry_reminders(now: datetime) -> Iterator[Reminder]:
    """Certificates expiring within 60 days, unless the holder already holds a newer one for the requirement."""
    newer = aliased(Certificate)
    stmt = (sa.select(Certificate)
            .where(Certificate.user_id.is_not(None), Certificate.revoked_at.is_(None),
                   Certificate.holder_removed_at.is_(None), Certificate.expires_at > now,
                   Certificate.expires_at <= now + timedelta(days=max(EXPIRY_WARNINGS)),
                   ~sa.exists().where(newer.user_id == Certificate.user_id,
                                      newer.requirement_id == Certificate.requirement_id,
                                      newer.issued_at > Certificate.issued_at, newer.revoked_at.is_(None))))
    for certificate in db.session.scalars(stmt):
        days = (local_date(certificate.expires_at) - local_date(now)).days
        warning = min(w for w in EXPIRY_WARNINGS if days <= w)
        yield Reminder(f"expiring_{warning}", certificate.user_id, f"certificate:{certificate.id}", str(warning),
                       {"title": certificate.requirement_snapshot["title"], "expires_on": certificate.expires_at,
                        "code": certificate.code})


def _digests(organisation: Organisation, board: dashboard.Dashboard, now: datetime) -> Iterator[Reminder]:
    year, week, _ = now.isocalendar()
    contact_trained = sum(person.trained for person in board.contact_persons)
    context = {"organisation": organisation.name, "organisation_id": organisation.id, "counts": board.counts,
               "staff": board.staff_count, "contact_persons": len(board.contact_persons),
               "contact_trained": contact_trained}
    for row in board.all_rows:
        if row.is_employer_admin:
            yield Reminder("digest", row.user_id, f"organisation:{organisation.id}", f"{year}-W{week:02d}", context)


def claim(reminder: Reminder, now: datetime | None = None) -> bool:
    """Record the reminder as sent; return False when it was sent before (nothing is written then).

    INSERT ... ON CONFLICT DO NOTHING RETURNING id: a concurrent run loses on the unique key instead of failing,
    and the returned id (not the row count, which psycopg reports as -1 here) says whether this run inserted.
    """
    values = {"kind": reminder.kind, "user_id": reminder.user_id, "subject": reminder.subject,
              "period": reminder.period, "sent_at": now or utcnow()}
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        key = {name: values[name] for name in UNIQUE_KEY}
        if db.session.scalar(sa.select(SentReminder.id).filter_by(**key)) is not None:
            return False
        db.session.add(SentReminder(**values))
        db.session.flush()
        return True
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = (insert(SentReminder).values(**values).on_conflict_do_nothing(index_elements=list(UNIQUE_KEY))
            .returning(SentReminder.id))
    return db.session.execute(stmt).scalar() is not None


def deliver(reminder: Reminder) -> None:
    """Send the reminder to its recipient, in their language."""
    user = db.session.get(User, reminder.user_id)
    kind = reminder.template_kind
    links = {"url": external_url(*LINKS[kind], **({"org_id": reminder.context["organisation_id"]}
                                                  if kind == "digest" else {}))}
    mail.send_template(user.email, user.language, SUBJECTS[kind], TEMPLATES[kind], user=user,
                       reminder=reminder, **reminder.context, **links)

