"""Account operations; callers commit."""

from __future__ import annotations

import hashlib
from functools import cache

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from elearning import mail
from elearning.accounts.models import User, utcnow
from elearning.errors import RelaisError
from elearning.extensions import db
from elearning.templating import _l

RESET_SALT = "relais-password-reset"
ACTIVATION_SALT = "relais-activation"


class EmailTaken(RelaisError):
    """An account with this email already exists."""


class InvalidResetToken(RelaisError):
    """The reset link is malformed, expired or already used."""


class AlreadyActive(RelaisError):
    """The activation link was used already: the account is active."""


def user_for_session(user_id: str) -> User | None:
    """Load the logged-in user, and whether they administer an organisation (the navigation asks on every page),
    in one query."""
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    row = db.session.execute(_session_user_statement(), {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, administers = row
    user.administers_organisation = administers  # a plain attribute for this request, not a column
    return user


@cache
def _session_user_statement() -> sa.Select:
    """Build once the statement every logged-in request runs (building it costs more than running it)."""
    from elearning.employers.models import Membership

    administers = (sa.select(Membership.id)
                   .where(Membership.user_id == User.id, Membership.is_employer_admin.is_(True)).exists())
    return sa.select(User, administers).where(User.id == sa.bindparam("user_id"))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register_user(*, full_name: str, email: str, password: str, language: str, job_role: str) -> User:
    """Create an inactive learner account; raise EmailTaken when the address is in use."""
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(full_name=full_name.strip(), email=normalise_email(email), language=language, job_role=job_role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def send_registration_email(email: str, language: str, activation_url_for, login_url: str) -> None:
    """Email an activation link to a new account, or a note to the owner of an existing one."""
    user = find_user_by_email(email)
    if user is None:
        return
    if user.email_confirmed_at is None:
        token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=ACTIVATION_SALT).dumps(user.id)
        mail.send_template(user.email, user.language, _l("Your Relais account"), "email/activate.txt",
                           user=user, url=activation_url_for(token))
    else:
        # Someone registered with an address that already has an account: tell its owner, not the visitor.
        mail.send_template(user.email, user.language, _l("Your Relais account"), "email/already_registered.txt",
                           user=user, url=login_url)


def activate(token: str) -> User:
    """Confirm the email address a valid activation token names."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=ACTIVATION_SALT)
    try:
        user_id = serializer.loads(token, max_age=7 * 24 * 3600)
    except (SignatureExpired, BadSignature) as exc:
        raise InvalidResetToken from exc
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise InvalidResetToken
    if user.email_confirmed_at is not None:
        raise AlreadyActive
    user.email_confirmed_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user when the credentials match, else None (same work either way)."""
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway so response time does not reveal whether the account exists.
        User(password_hash="").set_password(password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Binding the token to the current hash makes it single-use: a new password voids it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """Return the user a valid, unused, unexpired token belongs to."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature) as exc:
        raise InvalidResetToken from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise InvalidResetToken
    user = db.session.get(User, data["uid"])
    if user is None or data.get("pw") != _password_fingerprint(user):
        raise InvalidResetToken
    return user


def send_password_reset(email: str, reset_url_for) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None:
        return
    token = make_reset_token(user)
    mail.send_template(user.email, user.language, _l("Your Relais account"), "email/reset_password.txt",
                       user=user, url=reset_url_for(token),
                       minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)


def activate_without_token(user: User) -> None:
    """Confirm the address of a user who proved they read its mail through a reset link."""
    user.email_confirmed_at = utcnow()


def set_password(user: User, password: str) -> None:
    user.set_password(password)


def update_profile(user: User, *, full_name: str, language: str, job_role: str) -> None:
    user.full_name = full_name.strip()
    user.language = language
    user.job_role = job_role


def create_platform_admin(email: str, password: str, full_name: str = "Administrator") -> User:
    """Create a platform administrator, or promote the existing account."""
    user = find_user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), full_name=full_name, language="en", email_confirmed_at=utcnow())
        user.set_password(password)
        db.session.add(user)
    user.is_platform_admin = True
    db.session.flush()
    return user
