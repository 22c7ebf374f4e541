"""When the database fails inside a request the learner gets the 503 page, never a bare 500 with a trace.

The in-process counterpart of test_database_restart.py, on any database: each request pushes its own app
context here (no test fixture holds one), so the user is loaded and the session closed as under gunicorn.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from elearning import create_app
from elearning.config import TestConfig
from elearning.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.reliability


def _fail(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))


@pytest.fixture
def served():
    """Return (app, client) on a private in-memory database, with `learner@example.com` logged in."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        db.create_all()
        from elearning.accounts.models import User, utcnow

        user = User(email="learner@example.com", full_name="Learner", email_confirmed_at=utcnow())
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    assert client.post("/account/login", data={"email": "learner@example.com", "password": PASSWORD}).status_code == 302
    yield app, client
    with app.app_context():
        db.engine.dispose()


def test_a_logged_in_page_answers_503_while_the_database_is_down(served, monkeypatch):
    app, client = served
    monkeypatch.setattr(app.login_manager, "_user_callback", _fail)
    response = client.get("/learn/")
    assert response.status_code == 503
    assert "Relais is briefly unavailable" in response.get_data(as_text=True)


def test_the_health_check_answers_503_for_a_logged_in_visitor(served, monkeypatch):
    """The security headers used to load the user after the view, which turned the 503 into a 500."""
    app, client = served
    monkeypatch.setattr(app.login_manager, "_user_callback", _fail)
    monkeypatch.setattr(db.session, "scalar", _fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


def test_a_connection_lost_while_closing_the_session_does_not_spoil_the_answer(served, monkeypatch):
    app, client = served
    original, calls = db.session.remove, []

    def remove_once_failing():
        calls.append(1)
        if len(calls) == 1:
            _fail()
        original()

    monkeypatch.setattr(db.session, "remove", remove_once_failing)
    assert client.get("/learn/").status_code == 200
    assert client.get("/learn/").status_code == 200
    assert len(calls) >= 3  # failed once, then closed for real, then the next request
