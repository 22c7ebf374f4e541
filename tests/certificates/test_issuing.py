"""Issuing: the right certificate, exactly once, in the same transaction as the passing attempt."""

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from elearning.accounts.models import User
from elearning.certificates import codes, queries, services
from elearning.certificates.eligibility import add_months
from elearning.certificates.models import Certificate, CertificatePdf
from elearning.employers.models import Membership
from tests.certificates.conftest import BASICS, DEMO_NAME, PRACTICE

T0 = datetime(2026, 3, 2, 9, 0)


def count(db, model=Certificate):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def issued_for(db, user):
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.id)))


def test_issues_when_the_last_module_is_passed(db, create_user, pass_module, fake_pdf, courses):
    user = create_user(full_name=DEMO_NAME, language="fr", job_role="hr_manager")
    pass_module(user, BASICS, T0, score=80)
    [basics] = services.issue_if_eligible(user, now=T0)
    assert basics.requirement.slug == "demo-basics"
    assert services.issue_if_eligible(user, now=T0 + timedelta(hours=1)) == []  # demo-full still needs m2
    pass_module(user, PRACTICE, T0 + timedelta(days=1), score=95)
    [full] = services.issue_if_eligible(user, now=T0 + timedelta(days=1))
    db.session.commit()

    assert full.requirement.slug == "demo-full" and full.sequence == 1
    assert full.holder_name == DEMO_NAME and full.language == "fr" and full.issuer == "Relais"
    assert codes.CODE_PATTERN.match(full.code) and full.code != basics.code
    assert full.issued_at == T0 + timedelta(days=1)
    assert full.expires_at == add_months(full.issued_at, 24) == datetime(2028, 3, 3, 9, 0)
    assert full.hours == 1.5
    assert [m["ref"] for m in full.modules] == [BASICS, PRACTICE]
    assert [(m["passed_at"], m["score_percent"]) for m in full.modules] == [
        ("2026-03-02T09:00:00", 80), ("2026-03-03T09:00:00", 95)]
    assert full.modules[1]["title"]["fr"] == "S'exercer"
    assert [(v["course"], v["version"]) for v in full.course_versions] == [("demo-course", 1)]
    assert full.requirement_snapshot["title"]["nl"] == "Volledige democursus"
    assert full.requirement_snapshot["validity_months"] == 24


def basics_certificate(db, create_user, pass_module, **user_options) -> Certificate:
    """Return the certificate a new learner earns by passing the basics module at T0, committed, no PDF stored."""
    user = create_user(**user_options)
    pass_module(user, BASICS, T0)
    [certificate] = services.issue_if_eligible(user, now=T0)
    db.session.commit()
    return certificate

def test_every_language_is_rendered_and_stored_at_issue(db, create_user, pass_module, fake_pdf, courses):
    certificate = basics_certificate(db, create_user, pass_module, language="fr")
    assert fake_pdf == []  # not while the passing attempt's transaction holds the write lock
    assert services.render_issued([certificate]) == 0
    assert fake_pdf == [(certificate.code, "fr"), (certificate.code, "nl"), (certificate.code, "en")]  # its own first
    stored = {row.language: row for row in db.session.scalars(sa.select(CertificatePdf))}
    assert sorted(stored) == ["en", "fr", "nl"]
    for language, row in stored.items():
        number = fake_pdf.index((certificate.code, language)) + 1
        assert row.data == f"%PDF-fake {certificate.code} {language} {number}".encode()
        assert len(row.sha256) == 64 and row.size == len(row.data)
    services.render_issued([certificate])
    assert len(fake_pdf) == 3  # nothing is rendered twice


def test_a_missing_version_is_rendered_once_when_asked_for(db, certified, fake_pdf, caplog):
    """A certificate issued before every language was stored at issue time lacks some versions."""
    user, certificate = certified(language="en")
    db.session.execute(sa.delete(CertificatePdf).where(CertificatePdf.language != "en"))
    db.session.commit()
    with caplog.at_level("WARNING", logger="elearning.certificates.services"):
        first = services.pdf_for(certificate, "fr")
    db.session.commit()
    assert f"Certificate {certificate.code} had no stored PDF in fr" in caplog.text
    again = services.pdf_for(certificate, "fr")
    assert again.id == first.id and again.data == first.data
    assert fake_pdf[3:] == [(certificate.code, "fr")]  # after the three at issue, once
    assert count(db, CertificatePdf) == 2


def test_render_failure_does_not_lose_the_certificate(db, create_user, pass_module, courses, monkeypatch):
    from elearning.certificates import pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    certificate = basics_certificate(db, create_user, pass_module)
    assert services.render_issued([certificate]) == 3
    assert count(db) == 1 and count(db, CertificatePdf) == 0  # rendered on first download instead


def test_one_failed_language_loses_no_other(db, create_user, pass_module, fake_pdf, courses, monkeypatch, caplog):
    from elearning.certificates import pdf

    render = pdf.render_pdf

    def fails_in_dutch(certificate, language, **options):
        if language == "nl":
            raise OSError("disk full")
        return render(certificate, language, **options)

    monkeypatch.setattr(pdf, "render_pdf", fails_in_dutch)
    certificate = basics_certificate(db, create_user, pass_module, language="nl")
    assert services.render_issued([certificate]) == 1
    assert sorted(db.session.scalars(sa.select(CertificatePdf.language))) == ["en", "fr"]
    assert f"Could not render certificate {certificate.code} in nl" in caplog.text


def test_nothing_is_issued_for_failed_attempts(db, create_user, pass_module, fake_pdf, courses):
    user = create_user()
    pass_module(user, BASICS, T0, score=40, passed=False)
    assert services.issue_if_eligible(user, now=T0) == []


def test_only_requirements_of_the_job_role(db, create_user, pass_module, fake_pdf, courses):
    user = create_user(job_role="manager")  # demo-full is for hr_manager and contact_person
    pass_module(user, BASICS, T0)
    pass_module(user, PRACTICE, T0)
    assert [c.requirement.slug for c in services.issue_if_eligible(user, now=T0)] == ["demo-basics"]


def test_membership_job_role_wins_over_the_profile(db, create_user, create_organisation, pass_module, fake_pdf,
                                                   courses):
    user = create_user(job_role="manager")
    db.session.add(Membership(user=user, organisation=create_organisation(), job_role="contact_person"))
    db.session.commit()
    assert queries.job_roles_of(user) == {"contact_person"}
    pass_module(user, BASICS, T0)
    pass_module(user, PRACTICE, T0)
    assert {c.requirement.slug for c in services.issue_if_eligible(user, now=T0)} == {"demo-basics", "demo-full"}


def test_repeated_calls_issue_once(db, create_user, pass_module, fake_pdf, courses):
    user = create_user()
    pass_module(user, BASICS, T0)
    assert len(services.issue_if_eligible(user, now=T0)) == 1
    assert services.issue_if_eligible(user, now=T0) == []
    db.session.commit()
    assert services.issue_if_eligible(user, now=T0 + timedelta(minutes=5)) == []
    pass_module(user, BASICS, T0 + timedelta(days=30))  # passing again while the certificate is valid
    assert services.issue_if_eligible(user, now=T0 + timedelta(days=30)) == []
    assert count(db) == 1


def test_concurrent_duplicate_loses_on_the_unique_constraint(db, create_user, pass_module, fake_pdf, courses,
                                                             monkeypatch, caplog):
    """A second request read "no certificate" before the first one's row existed; its insert must fail
    quietly and leave the surrounding transaction (the passing attempt) intact."""
    user = create_user()
    attempt = pass_module(user, BASICS, T0)  # pending in the transaction, like the quiz submission
    requirement = courses["demo-basics"]
    real_certificates_of = queries.certificates_of

    def stale_read_then_competitor_commits(user_id):
        seen = real_certificates_of(user_id)  # what this request saw: nothing yet
        db.session.add(Certificate(  # the concurrent request's row lands before ours
            code=codes.new_code(), user_id=user_id, requirement_id=requirement.id, sequence=1,
            holder_name="x", language="en", requirement_snapshot={}, course_versions=[], modules=[],
            hours=0.5, issued_at=T0, expires_at=add_months(T0, 36)))
        db.session.flush()
        return seen

    monkeypatch.setattr(queries, "certificates_of", stale_read_then_competitor_commits)
    with caplog.at_level("INFO", logger="elearning.certificates.services"):
        assert services.issue_if_eligible(user, now=T0) == []
    assert "was issued concurrently" in caplog.text
    db.session.commit()  # the surrounding transaction survived the IntegrityError
    assert count(db) == 1
    assert db.session.get(type(attempt), attempt.id).is_passed
    assert fake_pdf == []  # nothing rendered for the losing request


def test_code_collision_draws_another_code(db, create_user, pass_module, fake_pdf, courses, monkeypatch):
    first_user, second_user = create_user(), create_user()
    pass_module(first_user, BASICS, T0)
    pass_module(second_user, BASICS, T0)
    [taken] = services.issue_if_eligible(first_user, now=T0)
    fresh = codes.new_code()
    drawn = iter([taken.code, fresh])
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn))
    [certificate] = services.issue_if_eligible(second_user, now=T0)
    assert certificate.code == fresh


def test_unique_constraint_exists(db, create_user, courses):
    user = create_user()
    requirement = courses["demo-basics"]
    values = {"user_id": user.id, "requirement_id": requirement.id, "sequence": 1, "holder_name": "x",
              "language": "en", "requirement_snapshot": {}, "course_versions": [], "modules": [], "hours": 1,
              "issued_at": T0, "expires_at": T0}
    db.session.add(Certificate(code=codes.new_code(), **values))
    db.session.flush()
    db.session.add(Certificate(code=codes.new_code(), **values))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_expiry_and_recertification(db, create_user, pass_module, fake_pdf, courses):
    user = create_user()
    pass_module(user, BASICS, T0)
    [first] = services.issue_if_eligible(user, now=T0)
    expired = first.expires_at + timedelta(days=1)
    assert first.status(expired) == "expired"
    assert services.issue_if_eligible(user, now=expired) == []  # the old pass is outside the window
    pass_module(user, BASICS, expired + timedelta(hours=1), score=100)
    [second] = services.issue_if_eligible(user, now=expired + timedelta(hours=1))
    assert second.sequence == 2 and second.code != first.code
    assert second.modules[0]["score_percent"] == 100
    assert [c.id for c in issued_for(db, user)] == [first.id, second.id]  # the history is kept


def test_window_for_each_requirement(db, create_user, pass_module, fake_pdf, courses):
    user = create_user()
    now = datetime(2026, 9, 1, 12, 0)
    pass_module(user, BASICS, add_months(now, -30))  # inside demo-basics' 36 months, outside demo-full's 24
    pass_module(user, PRACTICE, now)
    assert [c.requirement.slug for c in services.issue_if_eligible(user, now=now)] == ["demo-basics"]
    pass_module(user, BASICS, now + timedelta(minutes=1))
    assert [c.requirement.slug for c in services.issue_if_eligible(user, now=now + timedelta(minutes=1))] == [
        "demo-full"]


def test_revoked_certificate_needs_new_passes(db, create_user, pass_module, fake_pdf, courses):
    user = create_user()
    admin = create_user(is_platform_admin=True)
    pass_module(user, BASICS, T0)
    [first] = services.issue_if_eligible(user, now=T0)
    services.revoke(first, admin, "Issued to the wrong account", now=T0 + timedelta(days=1))
    assert services.issue_if_eligible(user, now=T0 + timedelta(days=2)) == []
    pass_module(user, BASICS, T0 + timedelta(days=3))
    [second] = services.issue_if_eligible(user, now=T0 + timedelta(days=3))
    assert second.sequence == 2
    with pytest.raises(services.AlreadyRevoked):
        services.revoke(first, admin, "again")


def test_holder_name_is_copied_at_issue(db, certified):
    user, certificate = certified()
    user.full_name = "Someone Else"
    db.session.commit()
    assert db.session.get(Certificate, certificate.id).holder_name == DEMO_NAME


def test_forget_holder_blanks_personal_data_and_keeps_hashes(db, certified):
    user, certificate = certified()
    hashes = {stored.language: stored.sha256 for stored in certificate.pdfs}
    assert services.forget_holder(user) == 1
    db.session.delete(db.session.get(User, user.id))
    db.session.commit()
    kept = db.session.scalars(sa.select(Certificate)).one()
    assert kept.user_id is None and kept.holder_name == "" and kept.status(datetime.now()) == "holder_removed"
    assert kept.modules == [{"ref": BASICS, "title": kept.modules[0]["title"]}]
    stored = list(db.session.scalars(sa.select(CertificatePdf)))
    assert {row.language: row.sha256 for row in stored} == hashes and len(hashes) == 3
    assert all(row.data is None for row in stored)


def test_racing_requests_issue_once(app, db, create_user, pass_module, fake_pdf, courses, monkeypatch):
    """Two requests (double submission) both see no certificate, then both insert (PostgreSQL: real concurrent
    connections); the unique constraint lets one win, the other returns nothing and still commits."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database that serves concurrent connections (TEST_DATABASE_URL=postgresql...)")
    user = create_user()
    pass_module(user, BASICS, T0)
    db.session.commit()
    user_id = user.id
    barrier, results, errors = threading.Barrier(2), [], []
    real_certificates_of = queries.certificates_of

    def read_then_wait(uid):
        seen = real_certificates_of(uid)
        barrier.wait(timeout=10)  # both requests have read "no certificate" before either inserts
        return seen

    monkeypatch.setattr(queries, "certificates_of", read_then_wait)

    def request():
        with app.app_context():  # its own session, like another worker
            try:
                results.append(len(services.issue_if_eligible(db.session.get(User, user_id), now=T0)))
                db.session.commit()
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and sorted(results) == [0, 1]
    assert count(db) == 1


def test_a_database_outage_while_storing_is_a_warning_not_a_trace(db, create_user, pass_module, fake_pdf, courses,
                                                                  monkeypatch, caplog):
    """A restart of the database while the PDFs are stored (after the passing commit) is not a bug: the missing
    versions are rendered on download or by `flask certificates render-missing`."""

    def database_gone(certificate, language):
        raise sa.exc.OperationalError("INSERT INTO certificate_pdfs", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services, "_store", database_gone)
    certificate = basics_certificate(db, create_user, pass_module, language="fr")
    assert services.render_issued([certificate]) == 3
    assert f"Could not store certificate {certificate.code} in fr, the database is unavailable" in caplog.text
    assert "Traceback" not in caplog.text and all(record.exc_info is None for record in caplog.records)
