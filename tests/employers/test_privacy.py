"""What the employer sees (and the learner sees they see), leaving, the data download, deleting the account."""

import json

import sqlalchemy as sa

from elearning.accounts.models import User
from elearning.certificates.models import Certificate
from elearning.employers import services
from elearning.employers.models import Invitation, Membership, SentReminder
from elearning.learn.models import ModuleProgress
from elearning.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import PASSWORD
from tests.employers.conftest import BASICS, CONFIRMED


def _learner_with_history(db, create_user, org, admin, requirements, pass_module, issue_certificate):
    zoe = create_user("zoe@example.com", full_name="Zoë Wójcik", organisation=org, language="fr")
    services.assign(org, requirements["demo-full"].id, job_role="hr_manager", due_on=None, created_by=admin)
    attempt = pass_module(zoe, BASICS, score=85)
    db.session.add(AttemptAnswer(attempt_id=attempt.id, question_id=_any_question(db), item_slug="q1",
                                 picked=["secret-choice"], is_correct=True))
    db.session.add(SentReminder(kind="due_soon", user_id=zoe.id, subject="assignment:1:1", period="2030-01-01"))
    db.session.commit()
    certificate = issue_certificate(zoe, "demo-basics")
    return zoe, certificate


def _any_question(db):
    from elearning.content.models import Question

    return db.session.scalar(sa.select(Question.id).limit(1))


def test_employer_never_sees_individual_answers(db, as_user, admin_a, org_a, create_user, requirements, pass_module,
                                                issue_certificate):
    zoe, _ = _learner_with_history(db, create_user, org_a, admin_a, requirements, pass_module, issue_certificate)
    client = as_user(admin_a)
    membership_id = zoe.memberships[0].id
    pages = [client.get(f"/employer/{org_a.id}/people/{membership_id}").get_data(as_text=True),
             client.get(f"/employer/{org_a.id}/").get_data(as_text=True),
             client.get(f"/employer/{org_a.id}/export.csv").get_data(as_text=True)]
    assert "<td>85%</td>" in pages[0]  # scores yes, written as on the certificate
    assert not any("secret-choice" in page for page in pages)  # answers never


def test_profile_shows_exactly_what_the_employer_sees(db, as_user, admin_a, org_a, create_user, requirements,
                                                      pass_module, issue_certificate):
    zoe, certificate = _learner_with_history(db, create_user, org_a, admin_a, requirements, pass_module,
                                             issue_certificate)
    employer_page = as_user(admin_a).get(f"/employer/{org_a.id}/people/{zoe.memberships[0].id}").get_data(as_text=True)
    profile = as_user(zoe).get("/account/profile?lang=en").get_data(as_text=True)
    assert "What your employer can see" in profile and "Acme Brussels" in profile

    def record(page):
        start = page.index('<dl class="facts">')
        return page[start:page.index("</table>", page.index("Certificates", start))]

    assert record(profile).replace("<h4>", "<h2>").replace("</h4>", "</h2>") == record(employer_page)
    assert certificate.code in record(profile) and "<td>85%</td>" in record(profile)


def test_profile_without_organisation(as_user, create_user):
    page = as_user(create_user("solo@example.com")).get("/account/profile").get_data(as_text=True)
    assert "no employer sees your training" in page


def test_leaving_keeps_certificates(db, as_user, admin_a, org_a, create_user, requirements, pass_module,
                                    issue_certificate):
    zoe, certificate = _learner_with_history(db, create_user, org_a, admin_a, requirements, pass_module,
                                             issue_certificate)
    client = as_user(zoe)
    response = client.post(f"/account/organisations/{zoe.memberships[0].id}/leave", data=CONFIRMED)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Membership).filter_by(user_id=zoe.id)) is None
    db.session.refresh(certificate)
    assert certificate.user_id == zoe.id and certificate.holder_name == "Zoë Wójcik"
    other = as_user(admin_a).get(f"/employer/{org_a.id}/").get_data(as_text=True)
    assert "Zoë" not in other


def test_cannot_leave_someone_elses_membership(db, as_user, admin_a, org_a, create_user):
    zoe = create_user("zoe@example.com", organisation=org_a)
    assert as_user(zoe).post(f"/account/organisations/{admin_a.memberships[0].id}/leave").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 2


def test_last_administrator_cannot_leave(db, as_user, admin_a, org_a):
    as_user(admin_a).post(f"/account/organisations/{admin_a.memberships[0].id}/leave", data=CONFIRMED)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_download_all_my_data(db, as_user, admin_a, org_a, create_user, requirements, pass_module,
                              issue_certificate):
    zoe, certificate = _learner_with_history(db, create_user, org_a, admin_a, requirements, pass_module,
                                             issue_certificate)
    response = as_user(zoe).get("/account/my-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "zoe@example.com" and data["account"]["full_name"] == "Zoë Wójcik"
    assert "password_hash" not in json.dumps(data)
    assert data["organisations"][0]["organisation"] == "Acme Brussels"
    assert data["quiz_attempts"][0]["answers"][0]["picked"] == ["secret-choice"]  # their own answers: yes
    assert data["quiz_attempts"][0]["score_percent"] == 85 and data["module_progress"][0]["module_slug"]
    assert data["certificates"][0]["code"] == certificate.code
    assert data["reminders"][0]["kind"] == "due_soon"


def test_data_download_needs_login(client):
    assert client.get("/account/my-data.json").status_code == 302


def test_delete_account_keeps_certificates_without_the_holder(db, as_user, admin_a, org_a, create_user,
                                                              requirements, pass_module, issue_certificate, outbox):
    zoe, certificate = _learner_with_history(db, create_user, org_a, admin_a, requirements, pass_module,
                                             issue_certificate)
    client = as_user(admin_a)
    client.post(f"/employer/{org_a.id}/invitations", data={"full_name": "Zoë", "email": "zoe2@example.com",
                                                          "job_role": "hr_manager", "language": "fr"})
    db.session.execute(sa.update(Invitation).values(email="zoe@example.com"))
    db.session.commit()
    client = as_user(zoe)
    assert b"Delete your account" in client.get("/account/delete").data
    response = client.post("/account/delete", data={"password": "wrong password", "understood": "y"})
    assert response.status_code == 200 and b"not your current password" in response.data
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 200  # box not ticked
    assert db.session.get(User, zoe.id) is not None
    response = client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, zoe.id) is None
    for model in (Membership, ModuleProgress, QuizAttempt, AttemptAnswer, SentReminder, Invitation):
        rows = db.session.scalars(sa.select(model)).all()
        assert all(getattr(row, "user_id", None) != zoe.id for row in rows), model
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttemptAnswer)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    kept = db.session.get(Certificate, certificate.id)
    assert kept is not None and kept.holder_name == "" and kept.user_id is None
    assert kept.status(kept.issued_at) == "holder_removed"
    verify = client.get(f"/verify/{certificate.code}")
    assert verify.status_code == 200 and "Zoë" not in verify.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302  # logged out


def test_sole_administrator_is_warned_before_deleting(as_user, admin_a):
    page = as_user(admin_a).get("/account/delete").get_data(as_text=True)
    assert "only employer administrator of: Acme Brussels" in page


def test_leaving_asks_first(db, as_user, create_user, org_a):
    zoe = create_user("zoe@acme.example", organisation=org_a)
    client = as_user(zoe)
    url = f"/account/organisations/{zoe.memberships[0].id}/leave"
    page = client.post(url).get_data(as_text=True)
    assert "Leave Acme Brussels?" in page and len(zoe.memberships) == 1
    assert client.post(url, data=CONFIRMED).status_code == 302
    db.session.expire_all()
    assert zoe.memberships == []
