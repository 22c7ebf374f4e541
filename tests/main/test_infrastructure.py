"""SQLite connection settings, the mail module and the demo data."""

import smtplib

import pytest
import sqlalchemy as sa

from elearning import create_app, mail
from elearning.accounts.models import User
from elearning.config import TestConfig
from elearning.extensions import db


def test_sqlite_file_connections_use_wal_and_a_busy_timeout(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_development_mail_goes_to_console_and_outbox(tmp_path, capsys):
    app = create_app(TestConfig, MAIL_CAPTURE=False, MAIL_OUTBOX_DIR=str(tmp_path))
    with app.app_context():
        mail.send(mail.Message(to="a@example.com", subject="Your Relais account", body="Hello"))
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1 and "Subject: Your Relais account" in files[0].read_text()
    assert "To: a@example.com" in capsys.readouterr().out


def test_mail_uses_smtp_when_a_server_is_configured(monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app = create_app(TestConfig, MAIL_CAPTURE=False, MAIL_SERVER="smtp.example.com", MAIL_USERNAME="relais",
                     MAIL_PASSWORD="pw")
    with app.app_context():
        mail.send(mail.Message(to="a@example.com", subject="Your Relais account", body="Hello"))
    assert sent == [("connect", "smtp.example.com", 587), ("starttls",), ("login", "relais"),
                    ("send", "a@example.com", "Your Relais account")]


def test_demo_data_once_and_never_in_production(runner, db, monkeypatch):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "learner@example.com" in result.output
    emails = set(db.session.scalars(sa.select(User.email)))
    assert {"admin@example.com", "employer@example.com", "learner@example.com"} <= emails
    again = runner.invoke(args=["demo"])
    assert "already has users" in again.output


def test_demo_command_refuses_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_emails_use_the_recipients_language(client, create_user, outbox, language):
    create_user("x@example.com", language=language)
    client.post("/account/forgot-password?lang=en", data={"email": "x@example.com"})
    greeting = {"nl": "Beste", "fr": "Bonjour", "en": "Hello"}[language]
    assert outbox[-1].body.startswith(greeting), outbox[-1].body[:40]
