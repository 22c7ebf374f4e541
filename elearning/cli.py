"""Command-line tools: flask --app elearning <group> <command>."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from elearning.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
courses_cli = AppGroup("courses", help="Check and load the course files.")


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


def _echo_problems(problems: list) -> None:
    for problem in problems:
        click.echo(str(problem))
    files = len({problem.path for problem in problems})
    click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files} file{'s' if files != 1 else ''}")


@courses_cli.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check_courses_command(path: Path | None) -> None:
    """Check every course file and print each problem as file:line: message."""
    from elearning.content import check_courses

    result = check_courses(_courses_path(path))
    if result.problems:
        _echo_problems(result.problems)
        raise SystemExit(1)
    click.echo(f"{result.summary}: valid")


@courses_cli.command("load")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def load_courses_command(path: Path | None) -> None:
    """Check the course files and load new or changed courses in one transaction."""
    from elearning.content import CourseInvalid, load_courses

    try:
        reports = load_courses(_courses_path(path))
    except CourseInvalid as error:
        db.session.rollback()
        _echo_problems(error.problems)
        click.echo("Nothing was loaded.")
        raise SystemExit(1) from None
    db.session.commit()
    for report in reports:
        state = "loaded as a new version" if report.created else "unchanged"
        click.echo(f"{report.slug}: {state} (version {report.version})")


def prepare_database(app: Flask) -> None:
    """Load the courses and add demo data where the environment allows it."""
    from elearning.content import CourseInvalid, load_courses

    try:
        for report in load_courses(app.config["COURSES_PATH"]):
            if report.created:
                click.echo(f"Course {report.slug} loaded (version {report.version}).")
        db.session.commit()
    except CourseInvalid as error:  # the site still starts, with the courses loaded earlier
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo("The courses were not loaded; fix the problems above (flask --app elearning courses check).",
                   err=True)
    if app.config.get("DEMO_DATA") and app.config.get("ENV_NAME") != "production":
        from elearning.demo import create_demo_data

        if create_demo_data():
            db.session.commit()
            click.echo("Demo data created. Log in at http://127.0.0.1:5000 with learner@example.com, "
                       "employer@example.com or admin@example.com and the password 'demo-password'.")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(demo_command)
