"""Check an uploaded staff list against the organisation, and carry a clean one to the confirmation step."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer

from elearning.accounts.forms import JOB_ROLE_LABELS
from elearning.config import LANGUAGES
from elearning.employers import importing
from elearning.employers.importing import ImportRow
from elearning.employers.services import EmployerError, member_emails, pending_emails

SALT = "relais-staff-import"
PAYLOAD_MAX_AGE = 3600  # seconds between the preview and the confirmation


class ImportExpired(EmployerError):
    """The confirmation form is too old, altered, or meant for another organisation or user."""


def role_lookup() -> dict[str, str]:
    """Return {folded text: role code} for each role's code and its label in every language."""
    table: dict[str, str] = {}
    for role, label in JOB_ROLE_LABELS.items():
        table[importing.fold(role.value)] = role.value
        table[importing.fold(role.value.replace("_", " "))] = role.value
        for language in LANGUAGES:
            with force_locale(language):
                table[importing.fold(str(label))] = role.value
    return table


def limits() -> tuple[int, int]:
    config = current_app.config
    return (config.get("STAFF_IMPORT_MAX_BYTES", importing.MAX_BYTES),
            config.get("STAFF_IMPORT_MAX_ROWS", importing.MAX_ROWS))


def check_file(organisation_id: int, filename: str, data: bytes, *, default_language: str) -> list[ImportRow]:
    """Return every row of the file with its problems; raise importing.FileProblem for the file as a whole."""
    max_bytes, max_rows = limits()
    table = importing.read_table(filename, data, max_bytes=max_bytes, max_rows=max_rows)
    rows = importing.rows_from_table(table, default_language=default_language)
    return check(organisation_id, rows)


def check(organisation_id: int, rows: list[ImportRow]) -> list[ImportRow]:
    """Check rows against the file itself and the organisation's members and pending invitations."""
    lookup = role_lookup()
    return importing.check_rows(rows, role_for=lambda text: lookup.get(importing.fold(text)),
                                members=member_emails(organisation_id), pending=pending_emails(organisation_id))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(organisation_id: int, user_id: int, rows: list[ImportRow]) -> str:
    """Return the checked rows as a signed (and compressed) value for the confirmation form."""
    return _serializer().dumps({"org": organisation_id, "by": user_id, "rows": [row.as_list() for row in rows]})


def unsign(payload: str, organisation_id: int, user_id: int) -> list[ImportRow]:
    """Return the rows a confirmation form carries; raise ImportExpired when it is not this user's, here."""
    try:
        data = _serializer().loads(payload, max_age=PAYLOAD_MAX_AGE)
    except BadSignature as exc:  # SignatureExpired is a BadSignature
        raise ImportExpired from exc
    if not isinstance(data, dict) or data.get("org") != organisation_id or data.get("by") != user_id:
        raise ImportExpired
    try:
        return [ImportRow(line=line, full_name=name, email=email, job_role=None, language=language or None,
                          role_text=role) for name, email, role, language, line in data["rows"]]
    except (KeyError, TypeError, ValueError) as exc:  # a preview signed before its rows carried their lines
        raise ImportExpired from exc
