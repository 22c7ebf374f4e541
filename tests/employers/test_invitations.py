"""The invitation life cycle: invite, email in the invitee's language, expire, resend, withdraw, accept."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from elearning.accounts.models import User, utcnow
from elearning.employers.models import Invitation, Membership, Organisation
from tests.conftest import PASSWORD

NEW = {"full_name": "Zoë Wójcik", "email": "Zoe@Example.com", "job_role": "contact_person", "language": "fr"}
ACCOUNT = {"full_name": "Zoë Wójcik-Ağaoğlu", "password": "a long passphrase", "confirm": "a long passphrase",
           "language": "fr"}


def link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).replace("http://localhost", "")


def invite(client, org, **data):
    return client.post(f"/employer/{org.id}/invitations", data={**NEW, **data})


def test_invite_one_person_in_their_language(db, as_user, admin_a, org_a, outbox):
    response = invite(as_user(admin_a), org_a)
    assert response.status_code == 302
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert (invitation.email, invitation.job_role, invitation.language) == ("zoe@example.com", "contact_person", "fr")
    assert invitation.expires_at - utcnow() > timedelta(days=13)
    assert [m.to for m in outbox] == ["zoe@example.com"]
    assert outbox[0].body.startswith("Bonjour Zoë Wójcik") and "Acme Brussels" in outbox[0].body
    assert "violence" not in outbox[0].subject.lower()
    token = link(outbox[0]).rsplit("/", 1)[1]
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64  # only a hash is stored


def test_invitation_list_shows_pending_ones(as_user, admin_a, org_a):
    client = as_user(admin_a)
    invite(client, org_a)
    page = client.get(f"/employer/{org_a.id}/invitations").get_data(as_text=True)
    assert "zoe@example.com" in page and "Pending" in page and "Resend" in page


@pytest.mark.parametrize("email, message", [("hr@acme.example", "already a member"),
                                            ("zoe@example.com", "already has a pending invitation")])
def test_cannot_invite_a_member_or_twice(as_user, admin_a, org_a, email, message):
    client = as_user(admin_a)
    invite(client, org_a)
    response = invite(client, org_a, email=email)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("field, value", [("email", "nope"), ("full_name", ""), ("job_role", "astronaut"),
                                          ("language", "de")])
def test_invite_form_validation(as_user, admin_a, org_a, field, value):
    assert invite(as_user(admin_a), org_a, **{field: value}).status_code == 400


def test_accept_creates_a_confirmed_account_without_activation_email(db, client, as_user, admin_a, org_a, outbox):
    invite(as_user(admin_a), org_a)
    client.post("/account/logout")
    url = link(outbox[0])
    page = client.get(url).get_data(as_text=True)
    assert 'value="Zoë Wójcik"' in page and "zoe@example.com" in page  # prefilled; address not editable
    response = client.post(url, data=ACCOUNT)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "zoe@example.com"))
    assert user.email_confirmed_at is not None and user.full_name == "Zoë Wójcik-Ağaoğlu"
    assert user.job_role == "contact_person" and user.language == "fr"
    membership = db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.organisation_id == org_a.id and membership.job_role == "contact_person"
    assert len(outbox) == 1  # no activation email: the invitation link proved the address
    assert client.get("/account/profile").status_code == 200  # logged in
    assert db.session.scalars(sa.select(Invitation)).one().accepted_by_id == user.id
    assert client.get(url).status_code == 404  # used once


def test_the_invitation_page_speaks_the_invitations_language(client, as_user, admin_a, org_a, outbox):
    """Invited in French, the visitor reads the page in French whatever their browser says, unless they choose."""
    invite(as_user(admin_a), org_a)  # language "fr"
    client.post("/account/logout")
    with client.session_transaction() as session:
        session.pop("lang", None)
    url = link(outbox[0])
    refresh()
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    refresh()
    chosen = client.get(url + "?lang=nl", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nl">' in chosen


def test_accept_form_validation(client, as_user, admin_a, org_a, outbox):
    invite(as_user(admin_a), org_a)
    client.post("/account/logout")
    client.get("/?lang=en")  # a visitor who chose English (else the page speaks the invitation's French)
    response = client.post(link(outbox[0]), data={**ACCOUNT, "confirm": "something else"})
    assert response.status_code == 200 and b"do not match" in response.data


def test_existing_account_logs_in_then_joins(db, client, as_user, admin_a, org_a, org_b, create_user, outbox):
    zoe = create_user("zoe@example.com", organisation=org_b, job_role="manager")
    invite(as_user(admin_a), org_a)
    client.post("/account/logout")
    client.get("/?lang=en")  # a visitor who chose English (else the page speaks the invitation's French)
    url = link(outbox[0])
    response = client.get(url)
    assert b"Log in to accept" in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2  # no second account
    login = client.post(f"/account/login?next={url}", data={"email": "zoe@example.com", "password": PASSWORD})
    assert login.headers["Location"] == url
    assert b"Join Acme Brussels" in client.get(url).data
    assert client.post(url).status_code == 302
    memberships = {m.organisation_id: m.job_role for m in
                   db.session.scalars(sa.select(Membership).where(Membership.user_id == zoe.id))}
    assert memberships == {org_b.id: "manager", org_a.id: "contact_person"}


def test_another_logged_in_account_cannot_accept(db, client, as_user, admin_a, org_a, create_user, outbox):
    invite(as_user(admin_a), org_a)
    other = create_user("other@example.com")
    as_user(other)
    url = link(outbox[0])
    assert b"you are logged in with another account" in client.get(url).data
    assert client.post(url).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)
                             .where(Membership.user_id == other.id)) == 0


def test_expired_invitation_cannot_be_accepted_but_can_be_resent(db, client, as_user, admin_a, org_a, outbox):
    invite(as_user(admin_a), org_a)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    old = link(outbox[0])
    response = client.get(old)
    assert response.status_code == 404 and b"expired" in response.data
    assert client.post(f"/employer/{org_a.id}/invitations/{invitation.id}/resend").status_code == 302
    assert len(outbox) == 2 and link(outbox[1]) != old
    assert client.get(old).status_code == 404  # the old link stays dead
    client.post("/account/logout")
    assert client.get(link(outbox[1])).status_code == 200


def test_resend_gives_a_new_link_and_kills_the_old(client, as_user, admin_a, org_a, outbox, db):
    invite(as_user(admin_a), org_a)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    client.post(f"/employer/{org_a.id}/invitations/{invitation.id}/resend")
    client.post("/account/logout")
    assert client.get(link(outbox[0])).status_code == 404
    assert client.get(link(outbox[1])).status_code == 200
    assert outbox[1].body.startswith("Bonjour")


def test_withdrawn_invitation_stops_working(db, client, as_user, admin_a, org_a, outbox):
    invite(as_user(admin_a), org_a)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert client.post(f"/employer/{org_a.id}/invitations/{invitation.id}/withdraw").status_code == 302
    client.post("/account/logout")
    response = client.get(link(outbox[0]))
    assert response.status_code == 404 and b"withdrawn" in response.data
    assert client.post(link(outbox[0]), data=ACCOUNT).status_code == 404
    assert db.session.scalar(sa.select(User).where(User.email == "zoe@example.com")) is None


def test_accepted_invitation_cannot_be_withdrawn_or_resent(db, client, as_user, admin_a, org_a, outbox):
    invite(as_user(admin_a), org_a)
    client.post("/account/logout")
    client.post(link(outbox[0]), data=ACCOUNT)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    as_user(admin_a)
    client.post(f"/employer/{org_a.id}/invitations/{invitation.id}/withdraw")
    client.post(f"/employer/{org_a.id}/invitations/{invitation.id}/resend")
    db.session.refresh(invitation)
    assert invitation.withdrawn_at is None and len(outbox) == 1


def test_unknown_token(client):
    response = client.get("/join/not-a-real-token")
    assert response.status_code == 404 and b"This link no longer works" in response.data


def test_invited_employer_admin_becomes_administrator(db, client, runner, outbox):
    result = runner.invoke(args=["orgs", "create", "Cobalt Gent", "--admin-email", "Lead@Cobalt.example",
                                 "--admin-name", "Lies Claes", "--language", "nl"])
    assert result.exit_code == 0, result.output
    assert "Cobalt Gent created" in result.output
    assert outbox[0].to == "lead@cobalt.example" and outbox[0].body.startswith("Beste Lies Claes")
    assert link(outbox[0]).startswith("/join/")
    client.post(link(outbox[0]), data={**ACCOUNT, "language": "nl"})
    membership = db.session.scalars(sa.select(Membership)).one()
    assert membership.is_employer_admin
    assert client.get("/employer/").status_code == 200


def test_cli_refuses_a_duplicate_name_and_a_bad_email(runner, create_organisation):
    create_organisation("Cobalt Gent")
    result = runner.invoke(args=["orgs", "create", "cobalt gent", "--admin-email", "a@example.com",
                                 "--admin-name", "A"])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["orgs", "create", "Delta", "--admin-email", "nope", "--admin-name", "A"])
    assert result.exit_code != 0 and "not a valid email" in result.output


def test_platform_admin_creates_an_organisation(db, as_user, platform_admin, outbox):
    client = as_user(platform_admin)
    assert client.get("/admin/organisations/new").status_code == 200
    response = client.post("/admin/organisations/new", data={"name": "Echo Namur", "admin_name": "Élise Dupont",
                                                             "admin_email": "elise@echo.example",
                                                             "admin_language": "fr"})
    assert response.status_code == 302
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Echo Namur"))
    assert outbox[0].to == "elise@echo.example" and outbox[0].body.startswith("Bonjour")
    assert db.session.scalars(sa.select(Invitation)).one().is_employer_admin
    page = client.get("/admin/").get_data(as_text=True)
    assert "Echo Namur" in page
    assert "elise@echo.example" in client.get(f"/admin/organisations/{organisation.id}").get_data(as_text=True)
    response = client.post("/admin/organisations/new", data={"name": "echo namur", "admin_name": "X",
                                                             "admin_email": "x@echo.example",
                                                             "admin_language": "fr"})
    assert response.status_code == 400 and b"already exists" in response.data


def test_platform_admin_promotes_an_existing_member(db, as_user, platform_admin, org_a, create_user):
    member = create_user("member@acme.example", organisation=org_a)
    client = as_user(platform_admin)
    response = client.post(f"/admin/organisations/{org_a.id}/administrators",
                           data={"admin_name": "M", "admin_email": "member@acme.example", "admin_language": "en"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Membership).filter_by(user_id=member.id)).one().is_employer_admin


def test_showing_every_invitation_says_so_and_offers_the_way_back(as_user, admin_a, org_a, outbox):
    client = as_user(admin_a)
    invite(client, org_a)
    pending = client.get(f"/employer/{org_a.id}/invitations").get_data(as_text=True)
    assert "<h2>Invitations not accepted yet</h2>" in pending and "Show accepted and withdrawn" in pending
    every = client.get(f"/employer/{org_a.id}/invitations?all=1").get_data(as_text=True)
    assert "<h2>All invitations</h2>" in every and "Show only the invitations not accepted yet" in every


def test_an_expired_administrator_invitation_is_not_listed_and_can_be_sent_again(db, as_user, platform_admin,
                                                                                   org_a, outbox):
    client = as_user(platform_admin)
    data = {"admin_name": "Nouvel Admin", "admin_email": "new.admin@example.com", "admin_language": "fr"}
    client.post(f"/admin/organisations/{org_a.id}/administrators", data=data, follow_redirects=True)  # flash read
    db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert "new.admin@example.com" not in client.get(f"/admin/organisations/{org_a.id}").get_data(as_text=True)
    again = client.post(f"/admin/organisations/{org_a.id}/administrators", data=data, follow_redirects=True)
    assert again.status_code == 200 and len(outbox) == 2
    page = client.get(f"/admin/organisations/{org_a.id}").get_data(as_text=True)
    assert page.count("new.admin@example.com") == 1
