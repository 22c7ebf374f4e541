"""Registration, activation, login, logout, password reset and change, profile."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from elearning.accounts import services
from elearning.accounts.models import User
from tests.conftest import PASSWORD

VALID = {"full_name": "Zoë Wójcik-Ağaoğlu", "email": "zoe@example.com", "password": "a long passphrase",
         "confirm": "a long passphrase", "language": "fr", "job_role": "hr_manager"}


def _link(message):
    return re.search(r"https?://\S+", message.body).group(0).replace("http://localhost", "")


@pytest.mark.settings(PASSWORD_HASH_METHOD="scrypt")
def test_register_activate_and_login(client, db, outbox):
    response = client.post("/account/register", data=VALID)
    assert response.status_code == 200
    assert b"zoe@example.com" in response.data
    user = db.session.scalar(sa.select(User).where(User.email == "zoe@example.com"))
    assert user.full_name == "Zoë Wójcik-Ağaoğlu" and user.email_confirmed_at is None
    assert user.password_hash.startswith("scrypt:") and "a long passphrase" not in user.password_hash
    assert len(outbox) == 1 and outbox[0].to == "zoe@example.com"
    assert "Relais" in outbox[0].subject and "violence" not in outbox[0].subject.lower()

    response = client.post("/account/login", data={"email": "zoe@example.com", "password": "a long passphrase"})
    assert b"activate" in response.data  # not yet active: told, and a new link is sent
    assert len(outbox) == 2

    response = client.get(_link(outbox[0]))
    assert response.status_code == 302
    assert db.session.get(User, user.id).email_confirmed_at is not None
    assert client.get("/account/profile").status_code == 200


def test_an_activation_link_opens_the_account_once(client, db, outbox):
    """A used link (a forwarded email, a shared mailbox) leads to the login page and logs nobody in."""
    client.post("/account/register", data=VALID)
    link = _link(outbox[0])
    assert client.get(link).status_code == 302 and client.get("/account/profile").status_code == 200
    client.post("/account/logout")
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"].endswith("/account/login")
    assert client.get("/account/profile").status_code == 302  # not logged in
    assert "Your account is already active." in client.get("/account/login").get_data(as_text=True)


@pytest.mark.parametrize("language, selected", [("fr", "fr"), ("en", "en"), ("nl", "nl")])
def test_registration_proposes_the_pages_language(client, language, selected):
    """Without ?lang=, the language select starts on the language the visitor reads the site in."""
    refresh()
    page = client.get("/account/register", headers={"Accept-Language": language}).get_data(as_text=True)
    chosen = re.findall(r"<option[^>]*\bselected\b[^>]*>", page.split('name="language"')[1].split("</select>")[0])
    assert len(chosen) == 1 and f'value="{selected}"' in chosen[0], chosen


def test_the_login_prompt_is_in_the_pages_language(client):
    """Flask-Login's "Please log in" flash, shown on the login page it redirects to."""
    for language, text in (("fr", "Connectez-vous pour accéder à cette page."),
                           ("nl", "Meld u aan om deze pagina te openen."),
                           ("en", "Please log in to access this page.")):
        refresh()
        response = client.get("/certificates/", headers={"Accept-Language": language}, follow_redirects=True)
        assert text in response.get_data(as_text=True), language


def test_registration_email_is_in_the_chosen_language(client, outbox):
    client.post("/account/register", data=VALID)
    assert "Bonjour" in outbox[0].body


@pytest.mark.parametrize("field, value, message", [
    ("full_name", "", b"This field is required"),
    ("email", "", b"This field is required"),
    ("email", "not-an-email", b"This is not a valid email address."),
    ("password", "short", b"at least 10 characters"),
    ("password", "password123", b"too easy to guess"),
    ("confirm", "something else entirely", b"do not match"),
    ("language", "de", b"Not a valid choice"),
    ("job_role", "astronaut", b"Not a valid choice"),
])
def test_register_rejects_bad_input_beside_the_field(client, db, field, value, message):
    data = dict(VALID, **{field: value})
    if field == "password":
        data["confirm"] = value
    response = client.post("/account/register", data=data)
    assert response.status_code == 200
    assert message in response.data
    assert b'aria-invalid="true"' in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_duplicate_registration_looks_the_same_and_warns_the_owner(client, create_user, outbox, db):
    create_user("zoe@example.com")
    fresh = client.post("/account/register", data=dict(VALID, email="new@example.com"))
    duplicate = client.post("/account/register", data=dict(VALID, email="ZOE@example.com"))
    assert duplicate.status_code == fresh.status_code == 200
    assert duplicate.data.replace(b"zoe@example.com", b"X").replace(b"ZOE@example.com", b"X") == \
        fresh.data.replace(b"new@example.com", b"X")
    assert outbox[-1].to == "zoe@example.com" and "already has one" in outbox[-1].body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_login_with_wrong_password_or_unknown_email_says_the_same(client, create_user):
    create_user("known@example.com")
    wrong = client.post("/account/login", data={"email": "known@example.com", "password": "wrong password!"})
    unknown = client.post("/account/login", data={"email": "ghost@example.com", "password": "wrong password!"})
    assert wrong.status_code == unknown.status_code == 200
    assert b"The email address or password is not right." in wrong.data
    assert wrong.data.replace(b"known", b"X") == unknown.data.replace(b"ghost", b"X")


@pytest.mark.parametrize("data", [{"email": "", "password": ""}, {"email": "a@b.com", "password": ""}])
def test_login_with_empty_fields_shows_errors(client, data):
    response = client.post("/account/login", data=data)
    assert b"This field is required" in response.data


def test_login_and_logout(client, create_user, auth):
    create_user("amal@example.com")
    assert auth.login("amal@example.com").status_code == 302
    assert client.get("/account/profile").status_code == 200
    auth.logout()
    assert client.get("/account/profile").status_code == 302


def _form_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_quick_exit_logs_out_with_no_content_and_no_message(client, create_user, auth):
    """The quick-exit beacon gets 204 (no redirect to follow) and leaves no message for the next page: after it,
    Back re-requests a lesson page and lands on the login page."""
    create_user("amal@example.com")
    assert auth.login("amal@example.com").status_code == 302
    response = client.post("/account/logout", data={"quick_exit": "1"})
    assert response.status_code == 204 and response.data == b"" and "Location" not in response.headers
    back = client.get("/account/profile")
    assert back.status_code == 302 and "/account/login" in back.headers["Location"]
    assert "You have been logged out." not in client.get("/account/login").get_data(as_text=True)


def test_quick_exit_also_forgets_keep_me_logged_in(client, create_user):
    create_user("amal@example.com")
    client.post("/account/login", data={"email": "amal@example.com", "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    assert client.post("/account/logout", data={"quick_exit": "1"}).status_code == 204
    assert client.get_cookie("remember_token") is None
    assert client.get("/account/profile").status_code == 302


def test_quick_exit_when_not_logged_in_does_nothing(client):
    response = client.post("/account/logout", data={"quick_exit": "1"})
    assert response.status_code == 204 and response.data == b""
    assert 'name="csrf-token"' not in client.get("/").get_data(as_text=True)  # nothing to send it with


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_quick_exit_needs_the_csrf_token_the_page_gives_its_script(client, create_user):
    create_user("amal@example.com")
    login_page = client.get("/account/login").get_data(as_text=True)
    assert 'name="csrf-token"' not in login_page
    client.post("/account/login", data={"email": "amal@example.com", "password": PASSWORD,
                                        "csrf_token": _form_token(login_page)})
    page = client.get("/account/profile").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)

    assert client.post("/account/logout", data={"quick_exit": "1"}).status_code == 400
    assert client.post("/account/logout", data={"quick_exit": "1", "csrf_token": "forged"}).status_code == 400
    assert client.get("/account/profile").status_code == 200  # still logged in
    response = client.post("/account/logout", data={"quick_exit": "1", "csrf_token": token})
    assert response.status_code == 204
    assert client.get("/account/profile").status_code == 302


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_quick_exit_when_not_logged_in_still_needs_the_token_and_does_nothing(client):
    login_page = client.get("/account/login").get_data(as_text=True)
    assert client.post("/account/logout", data={"quick_exit": "1"}).status_code == 400
    response = client.post("/account/logout", data={"quick_exit": "1", "csrf_token": _form_token(login_page)})
    assert response.status_code == 204
    assert client.get("/account/profile").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/account/profile", "/account/profile"),
    ("https://evil.example/phish", "/"),
    ("//evil.example/phish", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_only_follows_local_next(client, create_user, target, expected):
    create_user("amal@example.com")
    response = client.post("/account/login", query_string={"next": target},
                           data={"email": "amal@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_password_reset_is_single_use(client, create_user, outbox, db):
    user = create_user("reset@example.com")
    response = client.post("/account/forgot-password", data={"email": "reset@example.com"})
    assert response.status_code == 200
    link = _link(outbox[-1])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "brand new secret", "confirm": "brand new secret"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).check_password("brand new secret")
    again = client.post(link, data={"password": "another new secret", "confirm": "another new secret"})
    assert again.status_code == 400
    assert db.session.get(User, user.id).check_password("brand new secret")


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client, create_user, outbox):
    create_user("reset@example.com")
    known = client.post("/account/forgot-password", data={"email": "reset@example.com"})
    unknown = client.post("/account/forgot-password", data={"email": "nobody@example.com"})
    assert known.data.replace(b"reset", b"X") == unknown.data.replace(b"nobody", b"X")
    assert len(outbox) == 1


@pytest.mark.settings(PASSWORD_RESET_MAX_AGE=-1)
def test_expired_reset_token_is_refused(client, create_user, outbox):
    create_user("reset@example.com")
    client.post("/account/forgot-password", data={"email": "reset@example.com"})
    assert client.get(_link(outbox[-1])).status_code == 400


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJ1aWQiOjF9.x.y"])
def test_tampered_reset_token_is_refused(client, token):
    response = client.get(f"/account/reset-password/{token}")
    assert response.status_code == 400
    assert b"This link no longer works" in response.data


def test_reset_token_for_another_secret_is_refused(app, client, create_user):
    user = create_user("reset@example.com")
    app.config["SECRET_KEY"] = "other"
    token = services.make_reset_token(user)
    app.config["SECRET_KEY"] = "test-secret-key"
    assert client.get(f"/account/reset-password/{token}").status_code == 400


def test_change_password_needs_the_current_one(client, create_user, auth, db):
    user = create_user("amal@example.com")
    auth.login("amal@example.com")
    bad = client.post("/account/password", data={"current_password": "nope nope nope", "password": "new secret phrase",
                                                 "confirm": "new secret phrase"})
    assert b"This is not your current password." in bad.data
    good = client.post("/account/password", data={"current_password": PASSWORD, "password": "new secret phrase",
                                                  "confirm": "new secret phrase"})
    assert good.status_code == 302
    assert db.session.get(User, user.id).check_password("new secret phrase")


def test_edit_profile(client, create_user, auth, db):
    user = create_user("amal@example.com")
    auth.login("amal@example.com")
    response = client.post("/account/profile", data={"full_name": "Amal Østergård", "language": "nl",
                                                     "job_role": "cpbw_member"})
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert (user.full_name, user.language, user.job_role) == ("Amal Østergård", "nl", "cpbw_member")
    assert b'lang="nl"' in client.get("/account/profile").data


def test_the_saved_message_is_in_the_language_just_chosen(client, create_user, auth):
    create_user("amal@example.com", language="en")
    auth.login("amal@example.com")
    refresh()
    response = client.post("/account/profile", data={"full_name": "Amal", "language": "fr", "job_role": "other"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'lang="fr"' in page and "Votre profil a été enregistré." in page, page[:200]


def test_profile_rejects_empty_name(client, create_user, auth):
    create_user("amal@example.com")
    auth.login("amal@example.com")
    response = client.post("/account/profile", data={"full_name": "", "language": "nl", "job_role": "other"})
    assert response.status_code == 200 and b"This field is required" in response.data


def test_create_admin_command(runner, db):
    result = runner.invoke(args=["users", "create-admin", "root@example.com", "--password", "a strong secret"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.com"))
    assert user.is_platform_admin and user.check_password("a strong secret")
    short = runner.invoke(args=["users", "create-admin", "x@example.com", "--password", "short"])
    assert short.exit_code != 0


@pytest.mark.settings(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_login_is_rate_limited(client, create_user):
    create_user("amal@example.com")
    for _ in range(3):
        response = client.post("/account/login", data={"email": "amal@example.com", "password": "bad one!!"})
        assert response.status_code == 200
    response = client.post("/account/login", data={"email": "amal@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
