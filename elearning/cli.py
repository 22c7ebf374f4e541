"""Command-line tools: flask --app elearning <group> <command>."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from elearning.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
courses_cli = AppGroup("courses", help="Check and load the course files.")
orgs_cli = AppGroup("orgs", help="Manage organisations.")
reminders_cli = AppGroup("reminders", help="Send reminder emails (for cron).")
certificates_cli = AppGroup("certificates", help="Maintain the stored certificate PDFs.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", envvar="RELAIS_ADMIN_PASSWORD", help="Asked for when not given.")
def create_admin(email: str, password: str | None) -> None:
    """Create a platform administrator (or promote an existing account)."""
    from elearning.accounts.forms import MIN_PASSWORD_LENGTH
    from elearning.accounts.services import create_platform_admin

    if not password:
        password = getpass.getpass("Password: ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    user = create_platform_admin(email, password)
    db.session.commit()
    click.echo(f"{user.email} is a platform administrator.")


@click.command("demo")
def demo_command() -> None:
    """Create the demo organisation and accounts when the database has no users."""
    from elearning.demo import create_demo_data

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Demo data is never created in production.")
    if create_demo_data():
        db.session.commit()
        click.echo("Demo data created: admin@example.com, employer@example.com, learner@example.com "
                   "(password: demo-password).")
    else:
        click.echo("The database already has users; no demo data added.")


def _courses_path(path: Path | None) -> Path:
    return path or Path(current_app.config["COURSES_PATH"])


def _requirements_file(folder: Path) -> Path | None:
    """Return the training requirements file of a courses folder, if it has one."""
    candidate = Path(folder) / "requirements.yaml"
    return candidate if candidate.is_file() else None


def _load_content(folder: Path) -> list[str]:
    """Load the courses, then the requirements that refer to them, in the caller's transaction; return what changed.

    Invalid courses raise CourseInvalid with the requirements file's problems added, so `load` reports exactly
    what `check` does.
    """
    from elearning.certificates.requirements import check_requirements
    from elearning.certificates.services import load_requirements
    from elearning.content import CourseInvalid, load_courses

    requirements = _requirements_file(folder)
    try:
        loaded = load_courses(folder)
    except CourseInvalid as error:
        if requirements is None:
            raise
        raise CourseInvalid(error.problems + check_requirements(requirements, folder)) from None
    lines = [f"{report.slug}: {'loaded as a new version' if report.created else 'unchanged'} (version {report.version})"
             for report in loaded]
    if requirements is not None:
        reports = load_requirements(requirements, folder)
        lines.append(f"{len(reports)} training requirement{'s' if len(reports) != 1 else ''} loaded")
    return lines


def _echo_problems(problems: list) -> None:
    for problem in problems:
        click.echo(str(problem))
    files = len({problem.path for problem in problems})
    click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files} file{'s' if files != 1 else ''}")


@courses_cli.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check_courses_command(path: Path | None) -> None:
    """Check every course file and print each problem as file:line: message."""
    from elearning.certificates.requirements import check_requirements
    from elearning.content import check_courses

    folder = _courses_path(path)
    result = check_courses(folder)
    requirements = _requirements_file(folder)
    problems = list(result.problems)
    if requirements is not None:
        problems += check_requirements(requirements, folder)
    if problems:
        _echo_problems(problems)
        raise SystemExit(1)
    click.echo(f"{result.summary}{', requirements' if requirements else ''}: valid")


@courses_cli.command("load")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def load_courses_command(path: Path | None) -> None:
    """Check the course and requirements files and load what changed in one transaction."""
    from elearning.certificates.services import RequirementsInvalid
    from elearning.content import CourseInvalid

    try:
        lines = _load_content(_courses_path(path))
    except (CourseInvalid, RequirementsInvalid) as error:
        db.session.rollback()
        _echo_problems(error.problems)
        click.echo("Nothing was loaded.")
        raise SystemExit(1) from None
    db.session.commit()
    for line in lines:
        click.echo(line)


def prepare_database(app: Flask) -> None:
    """Load the courses and add demo data where the environment allows it."""
    from elearning.certificates.services import RequirementsInvalid
    from elearning.content import CourseInvalid

    try:
        for line in _load_content(Path(app.config["COURSES_PATH"])):
            click.echo(line)
        db.session.commit()
    except (CourseInvalid, RequirementsInvalid) as error:  # the site still starts, with what was loaded before
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo("The courses were not loaded; fix the problems above (flask --app elearning courses check).",
                   err=True)
    if app.config.get("DEMO_DATA") and app.config.get("ENV_NAME") != "production":
        from elearning.demo import create_demo_data

        if create_demo_data():
            db.session.commit()
            address = f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"  # the port run.py serves on
            click.echo(f"Demo data created. Log in at {address} with learner@example.com, "
                       "employer@example.com or admin@example.com and the password 'demo-password'.")


@orgs_cli.command("create")
@click.argument("name")
@click.option("--admin-email", required=True, help="The first employer administrator's email address.")
@click.option("--admin-name", required=True, help="Their full name.")
@click.option("--language", type=click.Choice(["nl", "fr", "en"]), default="en", show_default=True,
              help="The language of their invitation.")
def create_organisation_command(name: str, admin_email: str, admin_name: str, language: str) -> None:
    """Create an organisation and email an invitation to its first employer administrator."""
    from elearning.employers import services
    from elearning.employers.importing import is_valid_email

    if not is_valid_email(admin_email):
        raise click.ClickException(f"{admin_email} is not a valid email address.")
    try:
        organisation, invitation, token = services.create_organisation(
            name, admin_email=admin_email, admin_name=admin_name, admin_language=language, invited_by=None)
    except services.OrganisationExists:
        raise click.ClickException(f"An organisation named {name!r} already exists.") from None
    db.session.commit()
    services.send_invitation(invitation, token)
    click.echo(f"Organisation {organisation.name} created (id {organisation.id}); invitation sent to "
               f"{invitation.email}, valid until {invitation.expires_at:%Y-%m-%d}.")


@reminders_cli.command("send")
def send_reminders_command() -> None:
    """Send the reminders due now (due soon, overdue, expiring certificates, weekly digest); never twice."""
    from elearning.employers import reminders

    sent: dict[str, int] = {}
    for reminder in reminders.plan():
        if not reminders.claim(reminder):
            continue
        try:
            reminders.deliver(reminder)
        except Exception:
            db.session.rollback()  # not recorded as sent: the next run tries again
            current_app.logger.exception("Reminder %s to user %s failed", reminder.kind, reminder.user_id)
            continue
        db.session.commit()  # one commit per message: a crash later never re-sends this one
        sent[reminder.kind] = sent.get(reminder.kind, 0) + 1
    summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(sent.items())) or "nothing new to send"
    click.echo(f"Reminders sent: {summary}.")


@certificates_cli.command("render-missing")
def render_missing_command() -> None:
    """Render and store every language version missing from a downloadable certificate (older data)."""
    from elearning.certificates import queries, services
    from elearning.config import LANGUAGES

    certificates = queries.certificates_missing_pdfs()
    missing = sum(len(LANGUAGES) - len(certificate.pdfs) for certificate in certificates)
    failed = services.render_issued(certificates)
    click.echo(f"{missing - failed} PDF{'s' if missing - failed != 1 else ''} rendered for {len(certificates)} "
               f"certificate{'s' if len(certificates) != 1 else ''}.")
    if failed:
        raise click.ClickException(f"{failed} could not be rendered; the log says why.")


@certificates_cli.command("refresh-standings")
def refresh_standings_command() -> None:
    """Rewrite every person's standing on each requirement (the dashboard's rows) from what is stored."""
    from elearning.certificates import standing

    rows = standing.refresh_everyone()
    db.session.commit()
    click.echo(f"{rows} standing row{'s' if rows != 1 else ''} written.")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(orgs_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(demo_command)
