"""Shared fixtures: an app per test on a clean database, a client, factories and a login helper.

The suite runs on in-memory SQLite by default; set TEST_DATABASE_URL=postgresql+psycopg://… to run it
on PostgreSQL (tables are created once per run and emptied after each test).
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from elearning import create_app
from elearning.accounts.models import User, utcnow
from elearning.config import TestConfig
from elearning.employers.models import Membership, Organisation
from elearning.extensions import db as _db

PASSWORD = "correct horse battery"
_tables_ready: set[str] = set()



@pytest.fixture
def app(request):
    """Return an app bound to an empty database."""
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    app = create_app(TestConfig, **overrides)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        if url == "sqlite://" or url not in _tables_ready:
            _db.drop_all()
            _db.create_all()
            _tables_ready.add(url)
        try:
            yield app
        finally:
            _db.session.rollback()
            _db.session.remove()
            if url != "sqlite://":
                _empty_tables()
            _db.engine.dispose()


def _empty_tables() -> None:
    # DELETE, not TRUNCATE: on tables this small it is many times faster on PostgreSQL.
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    from elearning import mail

    return mail.outbox()


@pytest.fixture
def create_user(db):
    """Return a callable that makes active users with sensible defaults."""
    counter = iter(range(1, 10_000))

    def _create(email=None, password=PASSWORD, *, full_name=None, language="en", job_role="hr_manager",
                organisation=None, is_employer_admin=False, is_platform_admin=False, confirmed=True):
        n = next(counter)
        email = email or f"user{n}@example.com"
        user = User(email=email, full_name=full_name or f"User {n}", language=language, job_role=job_role,
                    is_platform_admin=is_platform_admin, email_confirmed_at=utcnow() if confirmed else None)
        user.set_password(password)
        db.session.add(user)
        if organisation is not None:
            db.session.add(Membership(user=user, organisation=organisation, job_role=job_role,
                                      is_employer_admin=is_employer_admin))
        db.session.commit()
        return user

    return _create


@pytest.fixture
def create_organisation(db):
    def _create(name="Acme Brussels"):
        organisation = Organisation(name=name)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return _create


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email, password=PASSWORD):
        return self._client.post("/account/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/account/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") if "postgresql" in os.environ.get("TEST_DATABASE_URL", "") else None


@contextmanager
def count_queries():
    """Collect the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", _record)


@pytest.fixture
def fake_pdf(monkeypatch):
    """Replace WeasyPrint rendering with a cheap stand-in for tests that are not about the PDF; count calls."""
    from elearning.certificates import pdf

    calls = []

    def _render(certificate, language, **_):
        calls.append((certificate.code, language))
        return f"%PDF-fake {certificate.code} {language} {len(calls)}".encode()

    monkeypatch.setattr(pdf, "render_pdf", _render)
    return calls
