"""Every employer, administration and personal-data route, requested as each kind of visitor.

Visitors: anonymous, a learner of organisation A, the employer administrator of A, the employer administrator of
B, a platform administrator. Besides the status code, every request made by someone other than A's administrator
(or the learner on their own data) must leave A's people, invitations, assignments and certificates untouched:
changing an id in a URL or a form never crosses from one organisation to another.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from elearning.accounts.models import User, utcnow
from elearning.certificates import codes
from elearning.certificates.models import Certificate, CertificatePdf, Requirement
from elearning.employers import services, staff_import
from elearning.employers.models import Assignment, Invitation, Membership, Organisation
from tests.conftest import PASSWORD

ROLES = ("anonymous", "learner", "admin_a", "admin_b", "platform")
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")  # these users only need to log in


@dataclass
class World:
    org_a: int
    org_b: int
    member_a: int  # the learner's membership of A
    member_b: int
    invitation_a: int
    invitation_b: int
    token_a: str
    assignment_a: int
    assignment_b: int
    requirement: int
    certificate: str
    users: dict[str, User]


@pytest.fixture
def world(db, app) -> World:
    """Two organisations, each with an administrator, a member, an invitation and an assignment."""

    def user(email, **fields):
        person = User(email=email, full_name=email.split("@")[0].title(), password_hash=FAST_HASH, language="en",
                      email_confirmed_at=utcnow(), **fields)
        db.session.add(person)
        return person

    org_a, org_b = Organisation(name="Acme"), Organisation(name="Bravo")
    users = {"learner": user("learner@acme.example"), "admin_a": user("hr@acme.example"),
             "admin_b": user("hr@bravo.example"), "platform": user("root@relais.example", is_platform_admin=True)}
    other_b = user("staff@bravo.example")
    member_a = Membership(organisation=org_a, user=users["learner"], job_role="hr_manager")
    member_b = Membership(organisation=org_b, user=other_b, job_role="hr_manager")
    db.session.add_all([org_a, org_b, member_a, member_b,
                        Membership(organisation=org_a, user=users["admin_a"], is_employer_admin=True),
                        Membership(organisation=org_b, user=users["admin_b"], is_employer_admin=True)])
    requirement = Requirement(slug="req", title={"en": "Req"}, description={"en": "R"}, modules=["c/m"],
                              job_roles=[], for_all_roles=True, validity_months=12, hours=1, definition_hash="x")
    db.session.add(requirement)
    db.session.flush()
    invitation_a, token_a = services.invite(org_a, email="new@acme.example", full_name="New", job_role="manager",
                                            language="en", invited_by=users["admin_a"])
    invitation_b, _ = services.invite(org_b, email="new@bravo.example", full_name="New", job_role="manager",
                                      language="en", invited_by=users["admin_b"])
    assignment_a = Assignment(organisation_id=org_a.id, requirement_id=requirement.id, job_role="manager")
    assignment_b = Assignment(organisation_id=org_b.id, requirement_id=requirement.id, job_role="manager")
    certificate = Certificate(code=codes.new_code(), user_id=users["learner"].id, requirement_id=requirement.id,
                              sequence=1, holder_name="Learner", language="en", requirement_snapshot={"slug": "req"},
                              course_versions=[], modules=[], hours=1, expires_at=utcnow().replace(year=2099))
    db.session.add_all([assignment_a, assignment_b, certificate])
    db.session.flush()
    db.session.add(CertificatePdf(certificate_id=certificate.id, language="en", data=b"%PDF-stored", sha256="0" * 64,
                                  size=11))
    db.session.commit()
    return World(org_a.id, org_b.id, member_a.id, member_b.id, invitation_a.id, invitation_b.id, token_a,
                 assignment_a.id, assignment_b.id, requirement.id, certificate.code, users)


def csv_file() -> dict:
    return {"file": (io.BytesIO(b"name,email,job role\r\nAna,ana@example.com,hr_manager\r\n"), "staff.csv")}


def a_payload(w: World) -> dict:
    """A confirmation form for organisation A, signed for A's administrator."""
    rows = staff_import.check(w.org_a, [staff_import.importing.ImportRow(2, "Ana", "ana@example.com", None, "en",
                                                                         role_text="hr_manager")])
    return {"payload": staff_import.sign(w.org_a, w.users["admin_a"].id, rows)}


ASSIGN = {"target": "role", "job_role": "manager", "due_on": ""}
OK, GONE, DENY, NF, LOGIN = 200, 302, 403, 404, 302

# (method, url, form data, {role: expected status}); {A}, {B}, {mA}... are filled in from the world.
TABLE = [
    # The dashboard and its exports
    ("GET", "/employer/", None, dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=OK, platform=DENY)),
    ("GET", "/employer/{A}/", None, dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{A}/?status=done&role=hr_manager&q=x", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/999999/", None, dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{A}/export.csv", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{A}/export.xlsx", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{A}/export.pdf", None, dict(anonymous=NF, learner=NF, admin_a=NF, admin_b=NF, platform=NF)),
    ("GET", "/employer/{A}/certificates.zip", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    # People
    ("GET", "/employer/{A}/people/{mA}", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{A}/people/999999", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=NF, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{B}/people/{mA}", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=NF, platform=DENY)),
    ("GET", "/employer/{A}/people/{mB}", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=NF, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{A}/people/{mA}", {"job_role": "manager", "is_contact_person": "y"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/people/{mA}", {"job_role": "manager", "is_employer_admin": "y"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=NF, platform=DENY)),
    ("POST", "/employer/{A}/people/{mA}/remove", {"confirmed": "yes"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/people/{mA}/remove", {"confirmed": "yes"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=NF, platform=DENY)),
    # Invitations
    ("GET", "/employer/{A}/invitations", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("GET", "/employer/{A}/invitations?all=1", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{A}/invitations",
     {"full_name": "Ana", "email": "ana@example.com", "job_role": "hr_manager", "language": "fr"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{A}/invitations/import", "file",
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{A}/invitations/import/confirm", "payload",
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/invitations/import/confirm", "payload",  # A's signed rows replayed on B: refused
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=GONE, platform=DENY)),
    ("POST", "/employer/{A}/invitations/{iA}/resend", {},
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/invitations/{iA}/resend", {},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=NF, platform=DENY)),
    ("POST", "/employer/{A}/invitations/{iA}/withdraw", {},
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/invitations/{iA}/withdraw", {},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=NF, platform=DENY)),
    ("POST", "/employer/{A}/invitations/{iB}/withdraw", {},
     dict(anonymous=LOGIN, learner=DENY, admin_a=NF, admin_b=DENY, platform=DENY)),
    ("GET", "/join/{token}", None, dict(anonymous=OK, learner=OK, admin_a=OK, admin_b=OK, platform=OK)),
    ("GET", "/join/not-a-token", None, dict(anonymous=NF, learner=NF, admin_a=NF, admin_b=NF, platform=NF)),
    ("POST", "/join/{token}", {},  # only the invited address may accept; anonymous gets the form back
     dict(anonymous=OK, learner=DENY, admin_a=DENY, admin_b=DENY, platform=DENY)),
    # Assignments
    ("GET", "/employer/{A}/assignments", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=OK, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{A}/assignments", dict(ASSIGN, requirement_id="{R}"),
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/assignments", dict(ASSIGN, requirement_id="{R}", target="people", people="{mA}"),
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=400, platform=DENY)),  # A's person in B's form
    ("POST", "/employer/{A}/assignments/{aA}/delete", {"confirmed": "yes"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=GONE, admin_b=DENY, platform=DENY)),
    ("POST", "/employer/{B}/assignments/{aA}/delete", {"confirmed": "yes"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=NF, platform=DENY)),
    # Certificates of A's staff
    ("GET", "/certificates/{code}/pdf/en", None,
     dict(anonymous=LOGIN, learner=OK, admin_a=OK, admin_b=NF, platform=NF)),
    # The learner's own data
    ("GET", "/account/my-data.json", None, dict(anonymous=LOGIN, learner=OK, admin_a=OK, admin_b=OK, platform=OK)),
    ("GET", "/account/delete", None, dict(anonymous=LOGIN, learner=OK, admin_a=OK, admin_b=OK, platform=OK)),
    ("POST", "/account/delete", {"password": "wrong password", "understood": "y"},
     dict(anonymous=LOGIN, learner=OK, admin_a=OK, admin_b=OK, platform=OK)),
    ("POST", "/account/organisations/{mA}/leave", {"confirmed": "yes"},
     dict(anonymous=LOGIN, learner=GONE, admin_a=NF, admin_b=NF, platform=NF)),
    ("GET", "/account/profile", None, dict(anonymous=LOGIN, learner=OK, admin_a=OK, admin_b=OK, platform=OK)),
    # Platform administration
    ("GET", "/admin/", None, dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=OK)),
    ("GET", "/admin/organisations/new", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=OK)),
    ("POST", "/admin/organisations/new",
     {"name": "Charlie", "admin_name": "C", "admin_email": "c@charlie.example", "admin_language": "nl"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=GONE)),
    ("GET", "/admin/organisations/{A}", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=OK)),
    ("GET", "/admin/organisations/999999", None,
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=NF)),
    ("POST", "/admin/organisations/{A}/administrators",
     {"admin_name": "D", "admin_email": "d@acme.example", "admin_language": "fr"},
     dict(anonymous=LOGIN, learner=DENY, admin_a=DENY, admin_b=DENY, platform=GONE)),
]

CASES = [pytest.param(method, url, data, role, expected[role], id=f"{role}-{method}-{url}")
         for method, url, data, expected in TABLE for role in ROLES]


def fill(text: str, w: World) -> str:
    return text.format(A=w.org_a, B=w.org_b, mA=w.member_a, mB=w.member_b, iA=w.invitation_a, iB=w.invitation_b,
                       aA=w.assignment_a, aB=w.assignment_b, R=w.requirement, token=w.token_a, code=w.certificate)


def snapshot_of_a(db, w: World) -> dict:
    """Everything about organisation A that nobody but its administrator may change."""
    db.session.expire_all()

    def rows(stmt):
        return sorted(tuple(row) for row in db.session.execute(stmt))

    return {
        "members": rows(sa.select(Membership.id, Membership.user_id, Membership.job_role, Membership.is_employer_admin,
                                  Membership.is_contact_person).where(Membership.organisation_id == w.org_a)),
        "invitations": rows(sa.select(Invitation.id, Invitation.email, Invitation.token_hash, Invitation.withdrawn_at,
                                      Invitation.accepted_at).where(Invitation.organisation_id == w.org_a)),
        "assignments": rows(sa.select(Assignment.id, Assignment.job_role, Assignment.membership_id, Assignment.due_on)
                            .where(Assignment.organisation_id == w.org_a)),
        "b_assignments": rows(sa.select(Assignment.membership_id).where(Assignment.organisation_id == w.org_b)),
        "b_invitations": rows(sa.select(Invitation.email).where(Invitation.organisation_id == w.org_b)),
    }


@pytest.mark.parametrize("method, url, data, role, expected", CASES)
def test_route_answers(db, client, auth, world, method, url, data, role, expected):
    if role != "anonymous":
        assert auth.login(world.users[role].email).status_code == 302
    before = snapshot_of_a(db, world)
    if data == "file":
        payload = csv_file()
    elif data == "payload":
        payload = a_payload(world)
    elif data is not None:
        payload = {key: fill(value, world) for key, value in data.items()}
    target = fill(url, world)
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data=payload, content_type="multipart/form-data" if data == "file" else None)
    status = response.status_code
    response.close()
    assert status == expected, f"{role} {method} {target}: {status}, expected {expected}"
    if status == LOGIN and role == "anonymous" and expected == LOGIN and "/join/" not in target:
        assert "/account/login" in response.headers["Location"]
    acting_on_a = (role == "admin_a" or (role == "learner" and "/leave" in target)
                   or (role == "platform" and target.startswith("/admin/")))
    if not acting_on_a:
        assert snapshot_of_a(db, world) == before, f"{role} {method} {target} changed organisation A"


def test_the_table_covers_every_employer_and_admin_route(app):
    covered = set()
    adapter = app.url_map.bind("localhost")
    for method, url, _, _ in TABLE:
        path = url.split("?")[0].format(A=1, B=2, mA=3, mB=4, iA=5, iB=6, aA=7, aB=8, token="t", code="RLS-X")
        try:
            endpoint, _ = adapter.match(path, method=method)
        except Exception:  # noqa: S112 (deliberate 404 rows)
            continue
        covered.add((endpoint, method))
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.split(".")[0] in ("employers", "admin")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - covered == set()


def test_an_employer_of_two_organisations_sees_each_separately(db, client, auth, world):
    admin = world.users["admin_a"]
    db.session.add(Membership(organisation_id=world.org_b, user_id=admin.id, is_employer_admin=True))
    db.session.commit()
    auth.login(admin.email)
    assert ">Staff</a>" in client.get(f"/employer/{world.org_b}/").get_data(as_text=True)
    page = client.get(f"/employer/{world.org_a}/").get_data(as_text=True)
    assert ">Staff</a>" not in page and ">Learner</a>" in page
    assert "staff@bravo.example" not in client.get(f"/employer/{world.org_a}/export.csv").get_data(as_text=True)


def test_due_dates_typed_in_a_form_are_dates(db, client, auth, world):
    auth.login(world.users["admin_a"].email)
    client.post(f"/employer/{world.org_a}/assignments",
                data=dict(ASSIGN, requirement_id=world.requirement, due_on="2031-02-03"))
    assert db.session.scalar(sa.select(Assignment.due_on).where(Assignment.organisation_id == world.org_a,
                                                                Assignment.due_on.is_not(None))) == date(2031, 2, 3)
