"""Outgoing email: SMTP when MAIL_SERVER is set, else console + instance/outbox; captured in tests."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import force_locale

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def init_app(app: Flask) -> None:
    """Give the app an outbox list that tests read."""
    app.extensions["mail_outbox"] = []


def outbox() -> list[Message]:
    """Return the messages captured in this app (tests only)."""
    return current_app.extensions["mail_outbox"]


def send_template(to: str, language: str, subject, template: str, **context) -> Message:
    """Render `template` in `language` and send it to `to`."""
    with force_locale(language):
        message = Message(to=to, subject=str(subject), body=render_template(template, **context))
    send(message)
    return message


def send(message: Message) -> None:
    """Deliver one message the way this environment is configured to."""
    config = current_app.config
    if config.get("MAIL_CAPTURE"):
        outbox().append(message)
        return
    if config.get("MAIL_SERVER"):
        _send_smtp(message, config)
        return
    _write_to_outbox(message, config)


def _send_smtp(message: Message, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def _write_to_outbox(message: Message, config) -> None:
    text = f"To: {message.to}\nSubject: {message.subject}\n\n{message.body}\n"
    logger.warning("Email (not sent, development):\n%s", text)
    print(f"--- email ---\n{text}--- end ---", flush=True)
    directory = Path(config.get("MAIL_OUTBOX_DIR") or Path(current_app.instance_path) / "outbox")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    (directory / f"{stamp}.eml").write_text(text, encoding="utf-8")
