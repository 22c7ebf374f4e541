"""`flask reminders send`: due soon, overdue, expiring certificates, weekly digest; idempotent; each in the
recipient's language with a neutral subject."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from elearning.accounts.models import utcnow
from elearning.dates import local_today
from elearning.employers import reminders, services
from elearning.employers.models import Membership, SentReminder


@pytest.fixture
def scene(db, org_a, admin_a, create_user, requirements, issue_certificate):
    today = local_today()
    soon = create_user("soon@acme.example", full_name="Sanne", organisation=org_a, language="nl")
    late = create_user("late@acme.example", full_name="Léa", organisation=org_a, language="fr")
    far = create_user("far@acme.example", full_name="Fay", organisation=org_a, language="en")
    expiring = create_user("exp@acme.example", full_name="Eva", organisation=org_a, language="nl",
                           job_role="manager")
    members = {m.user_id: m for m in db.session.scalars(sa.select(Membership))}
    full = requirements["demo-full"].id
    services.assign(org_a, full, memberships=[members[soon.id]], due_on=today + timedelta(days=10), created_by=None)
    services.assign(org_a, full, memberships=[members[late.id]], due_on=today - timedelta(days=2), created_by=None)
    services.assign(org_a, full, memberships=[members[far.id]], due_on=today + timedelta(days=40), created_by=None)
    db.session.commit()
    now = utcnow()
    cert60 = issue_certificate(expiring, "demo-basics", now - timedelta(days=1000), expires_at=now + timedelta(days=45))
    return {"soon": soon, "late": late, "far": far, "expiring": expiring, "cert60": cert60}


def run(runner):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_kind_once_in_the_recipients_language(db, runner, outbox, scene, admin_a):
    output = run(runner)
    by_to = {m.to: m for m in outbox}
    assert set(by_to) == {"soon@acme.example", "late@acme.example", "exp@acme.example", "hr@acme.example"}
    assert by_to["soon@acme.example"].body.startswith("Beste Sanne")  # Dutch
    assert by_to["late@acme.example"].body.startswith("Bonjour Léa")  # French
    assert scene["cert60"].code in by_to["exp@acme.example"].body
    assert "Acme Brussels" in by_to["hr@acme.example"].body and "/employer/" in by_to["hr@acme.example"].body
    assert all("violence" not in m.subject.lower() and "geweld" not in m.subject.lower()
               and "violences" not in m.subject.lower() for m in outbox)
    assert "due_soon: 1" in output and "overdue: 1" in output and "expiring_60: 1" in output and "digest: 1" in output
    kinds = sorted(db.session.scalars(sa.select(SentReminder.kind)))
    assert kinds == ["digest", "due_soon", "expiring_60", "overdue"]


def test_the_digest_s_counts_follow_the_reader_s_punctuation(db, runner, outbox, scene, admin_a):
    admin_a.language = "fr"
    db.session.commit()
    run(runner)
    digest = next(m for m in outbox if m.to == admin_a.email).body
    assert "En retard\u00a0: 1\n" in digest and "En retard: " not in digest  # French puts a space before the colon


def test_running_twice_sends_nothing_new(runner, outbox, scene):
    run(runner)
    sent = len(outbox)
    assert "nothing new to send" in run(runner)
    assert len(outbox) == sent


def test_the_14_day_warning_follows_the_60_day_one(db, runner, outbox, scene):
    run(runner)
    scene["cert60"].expires_at = utcnow() + timedelta(days=10)
    db.session.commit()
    outbox.clear()
    output = run(runner)
    assert "expiring_14: 1" in output and [m.to for m in outbox] == ["exp@acme.example"]


def test_a_renewed_certificate_gets_no_warning(db, runner, outbox, scene, issue_certificate):
    issue_certificate(scene["expiring"], "demo-basics")
    run(runner)
    assert "exp@acme.example" not in [m.to for m in outbox]


def test_a_new_due_date_is_a_new_reminder(db, runner, outbox, scene):
    from elearning.employers.models import Assignment

    run(runner)
    outbox.clear()
    assignment = db.session.scalars(sa.select(Assignment).join(Membership).filter(
        Membership.user_id == scene["soon"].id)).one()
    assignment.due_on = local_today() + timedelta(days=5)
    db.session.commit()
    run(runner)
    assert [m.to for m in outbox] == ["soon@acme.example"]


def test_next_week_brings_a_new_digest(db, outbox, scene, app):
    first = {r for r in reminders.plan() if r.kind == "digest"}
    later = {r for r in reminders.plan(utcnow() + timedelta(days=7)) if r.kind == "digest"}
    assert first and later and first.isdisjoint(later)


def test_a_failed_delivery_is_retried_next_time(db, runner, outbox, scene, monkeypatch):
    from elearning import mail

    real = mail.send

    def failing(message):
        if message.to == "late@acme.example":
            raise OSError("SMTP down")
        real(message)

    monkeypatch.setattr(mail, "send", failing)
    run(runner)
    assert "late@acme.example" not in [m.to for m in outbox]
    monkeypatch.setattr(mail, "send", real)
    outbox.clear()
    run(runner)
    assert [m.to for m in outbox] == ["late@acme.example"]


def test_done_people_get_no_assignment_reminder(db, runner, outbox, scene, issue_certificate):
    issue_certificate(scene["late"], "demo-full")
    run(runner)
    assert "late@acme.example" not in [m.to for m in outbox]
