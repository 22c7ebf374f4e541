"""The bare routes again on the stack the brief prescribes, written plainly, with nothing of Relais in them: each
behind Flask's signed-cookie session and Flask-Login, which loads the user through Flask-SQLAlchemy (the
libraries' documented pattern); the page also reads its module and lesson through the ORM, selects the locale
and translates its strings through Flask-Babel, and prints a Flask-WTF CSRF token (a logout form, as every
logged-in page has). Same database file, same template, same gunicorn set-up as bench/bare_app.py.

"Hello, logged in" is the least any logged-in route costs on this stack (a certificate download does that and
reads the PDF); the plain page shows what the stack costs a page before any optimisation.

    BARE_DB=/tmp/bare.db STACK_SECRET_KEY=... gunicorn bench.stack_app:app
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, abort, render_template
from flask_babel import Babel
from flask_login import LoginManager, UserMixin, current_user, login_required
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.bare_app import HELPLINES, LINKS
from bench.sessions import mint_session


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str]
    language: Mapped[str]


class Module(db.Model):
    __tablename__ = "modules"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str]
    title: Mapped[str]
    page_count: Mapped[int]


class Page(db.Model):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int]
    position: Mapped[int]
    language: Mapped[str]
    title: Mapped[str]
    html: Mapped[str]


def create_app(database: str, secret_key: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret_key, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    db.init_app(app)
    CSRFProtect(app)
    Babel(app, locale_selector=lambda: current_user.language if current_user.is_authenticated else "en")
    login = LoginManager(app)
    login.user_loader(lambda user_id: db.session.get(User, int(user_id)))

    with app.app_context():
        @sa.event.listens_for(db.engine, "connect")
        def _pragmas(connection, _record) -> None:  # as bench/bare_app.py and the app: WAL, busy timeout
            connection.execute("PRAGMA busy_timeout = 5000")
            connection.execute("PRAGMA journal_mode = WAL")

    @app.get("/stack/hello")
    @login_required
    def hello():
        return f"Hello, {current_user.full_name}!"

    @app.get("/stack/page/<int:number>")
    @login_required
    def page(number: int):
        """The bare page's module and lesson queries through the ORM, then the same template, translated."""
        module = db.session.scalars(sa.select(Module).where(Module.slug == f"m{number % 6}")).first()
        lesson = db.session.scalars(sa.select(Page).where(
            Page.module_id == module.id, Page.position == 1 + number % module.page_count,
            Page.language == current_user.language)).first() or abort(404)
        return render_template("bare/page.html", user=current_user, module=module, lesson=lesson, links=LINKS,
                               helplines=HELPLINES)

    return app


def mint_sessions(app: Flask, count: int) -> list[str]:
    """Return session cookies of users 1..count logged in (with a CSRF token), as the app would sign them."""
    with app.app_context():
        users = db.session.scalars(sa.select(User).where(User.id <= count).order_by(User.id)).all()
        return [mint_session(app, user)[0] for user in users]


app = create_app(os.environ["BARE_DB"], os.environ["STACK_SECRET_KEY"]) if "STACK_SECRET_KEY" in os.environ else None
