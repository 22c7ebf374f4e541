"""Command-line tools: flask --app elearning <group> <command>."""

from __future__ import annotations

import getpass

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from elearning.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


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


def prepare_database(app: Flask) -> None:
    """Load the courses (when the loader exists) and add demo data where the environment allows it."""
    loader = app.extensions.get("relais_course_loader")
    if loader is not None:
        loader(app.config["COURSES_PATH"])
    if app.config.get("DEMO_DATA") and app.config.get("ENV_NAME") != "production":
        from elearning.demo import create_demo_data

        if create_demo_data():
            db.session.commit()
            click.echo("Demo data created. Log in at http://127.0.0.1:5000 with learner@example.com, "
                       "employer@example.com or admin@example.com and the password 'demo-password'.")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
