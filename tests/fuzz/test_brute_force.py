"""Brute force: password guessing and certificate-code guessing hit their limits, from any angle; reset,
activation and invitation links can be neither guessed, forged from a real one, nor replayed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from elearning.accounts import services
from elearning.accounts.models import User
from tests.conftest import PASSWORD

LIMIT = 10  # the production LOGIN_RATE_LIMIT: "10 per minute;50 per hour"
VERIFY_LIMIT = 30  # the production verify limit: "30 per minute", shared by /verify and /verify/<code>
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


def _login(client, email, password, **headers):
    return client.post("/account/login", data={"email": email, "password": password}, headers=headers).status_code


@pytest.mark.settings(RATELIMIT_ENABLED=True)
def test_password_guessing_stops_after_the_limit_whatever_the_headers_say(client, create_user):
    create_user("target@example.com")
    statuses = [_login(client, "target@example.com", f"guess number {n}", **{
        "X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"198.51.100.{n}", "Forwarded": f"for=192.0.2.{n}"})
        for n in range(LIMIT + 2)]
    assert statuses == [200] * LIMIT + [429, 429]
    assert _login(client, "target@example.com", PASSWORD) == 429  # even the right password waits


@pytest.mark.settings(RATELIMIT_ENABLED=True, LOGIN_ADDRESS_RATE_LIMIT="15 per minute")
def test_spraying_one_password_over_many_accounts_hits_the_address_ceiling(client, create_user):
    for n in range(17):
        create_user(f"person{n}@example.com")
    statuses = [_login(client, f"person{n}@example.com", "Summer2026!") for n in range(17)]
    assert statuses == [200] * 15 + [429, 429]


@pytest.mark.settings(RATELIMIT_ENABLED=True)
def test_colleagues_behind_one_company_address_do_not_lock_each_other_out(client, create_user):
    """A training morning: 30 people behind one NAT, each mistyping once, then logging in."""
    for n in range(30):
        create_user(f"colleague{n}@example.com")
    mistyped = [_login(client, f"colleague{n}@example.com", "a typo") for n in range(30)]
    logged_in = []
    for n in range(30):
        logged_in.append(_login(client, f"colleague{n}@example.com", PASSWORD))
        client.post("/account/logout")
    assert mistyped == [200] * 30
    assert logged_in == [302] * 30


@pytest.mark.settings(RATELIMIT_ENABLED=True, TRUSTED_PROXY_COUNT=1, LOGIN_ACCOUNT_RATE_LIMIT="20 per hour")
def test_guessing_one_account_from_many_addresses_hits_the_account_limit(client, create_user):
    create_user("target@example.com")
    statuses = [_login(client, "target@example.com", f"guess {n}", **{"X-Forwarded-For": f"203.0.113.{n}"})
                for n in range(22)]
    assert statuses == [200] * 20 + [429, 429]


@pytest.mark.settings(RATELIMIT_ENABLED=True)
def test_the_other_doors_to_an_account_are_limited_too(client, create_user):
    create_user("target@example.com")
    forms = {"/account/forgot-password": {"email": "target@example.com"},
             "/account/register": {"full_name": "X", "email": "target@example.com", "password": "long enough 1",
                                   "confirm": "long enough 1", "language": "en", "job_role": "hr_manager"},
             "/join/not-a-token": {"full_name": "X", "password": "long enough 1", "confirm": "long enough 1"}}
    for path, data in forms.items():
        statuses = [client.post(path, data=data).status_code for _ in range(LIMIT + 1)]
        assert statuses[-1] == 429 and 429 not in statuses[:LIMIT], (path, statuses)


@pytest.mark.settings(RATELIMIT_ENABLED=True)
def test_guessing_certificate_codes_stops_after_the_limit(client):
    guesses = [f"/verify/RLS-{n:04d}-ABCD-EF" for n in range(VERIFY_LIMIT // 2)]
    guesses += [f"/verify?code=RLS-{n:04d}-WXYZ-23" for n in range(VERIFY_LIMIT - len(guesses) + 2)]
    statuses = [client.get(path, headers={"X-Forwarded-For": "203.0.113.9"}).status_code for path in guesses]
    assert statuses == [404] * VERIFY_LIMIT + [429, 429]


def _reset_link(client, outbox, email):
    client.post("/account/forgot-password", data={"email": email})
    return re.search(r"/account/reset-password/\S+", outbox[-1].body).group(0)


def _mutations(token: str) -> st.SearchStrategy[str]:
    """Tokens a guesser could derive from a real one: one character changed, cut short, extended, spliced."""
    index = st.integers(0, len(token) - 1)
    return st.one_of(
        st.tuples(index, st.sampled_from(TOKEN_ALPHABET)).map(lambda p: token[:p[0]] + p[1] + token[p[0] + 1:])
        .filter(lambda t: t != token),
        index.map(lambda i: token[:i]), st.text(TOKEN_ALPHABET, min_size=1, max_size=8).map(lambda s: token + s),
        st.text(TOKEN_ALPHABET, min_size=1, max_size=120),
        st.just(".".join(reversed(token.split(".")))))


def test_reset_tokens_cannot_be_guessed_or_forged_from_a_real_one(client, create_user, outbox, db):
    user = create_user("target@example.com")
    token = _reset_link(client, outbox, user.email).rsplit("/", 1)[1]
    before = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))

    @given(guess=_mutations(token))
    def check(guess):
        page = client.get(f"/account/reset-password/{guess}")
        change = client.post(f"/account/reset-password/{guess}",
                             data={"password": "attacker's choice", "confirm": "attacker's choice"})
        assert (page.status_code, change.status_code) in ((400, 400), (404, 404)), (guess, page.status_code)

    check()
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.password_hash).where(User.id == user.id)) == before


def test_a_reset_link_dies_when_any_later_one_is_used(client, create_user, outbox, db):
    user = create_user("target@example.com")
    first = _reset_link(client, outbox, user.email)
    second = _reset_link(client, outbox, user.email)
    assert client.post(second, data={"password": "a new password", "confirm": "a new password"}).status_code == 302
    for link in (first, second):  # the older link, and the one just used
        assert client.get(link).status_code == 400
        attack = client.post(link, data={"password": "attacker's choice", "confirm": "attacker's choice"})
        assert attack.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a new password")


def test_a_reset_link_dies_when_the_password_is_changed_another_way(client, create_user, outbox, auth, db):
    user = create_user("target@example.com")
    link = _reset_link(client, outbox, user.email)
    auth.login(user.email)
    assert client.post("/account/password", data={"current_password": PASSWORD, "password": "changed on purpose",
                                                  "confirm": "changed on purpose"}).status_code == 302
    auth.logout()
    assert client.post(link, data={"password": "attacker's choice", "confirm": "attacker's choice"}).status_code == 400


def test_reset_tokens_are_unpredictable_and_hold_no_secret(app, create_user):
    user = create_user("target@example.com")
    tokens = {services.make_reset_token(user) for _ in range(3)}
    other = services.make_reset_token(create_user("other@example.com"))
    assert other not in tokens
    for token in tokens | {other}:
        assert user.password_hash.split("$")[-1] not in token and "scrypt" not in token


@given(guess=st.text(TOKEN_ALPHABET, min_size=1, max_size=120))
def test_activation_and_invitation_links_cannot_be_guessed(client, create_user, guess):
    assert client.get(f"/account/activate/{guess}").status_code == 400
    assert client.get(f"/join/{guess}").status_code == 404
