"""Relais: training on intimate partner violence for the people who look after well-being at work."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing.converters import IntegerConverter

from elearning.config import Config, config_for_environment
from elearning.extensions import babel, csrf, db, limiter, login_manager, migrate

logger = logging.getLogger(__name__)


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Create and configure the Relais application."""
    app = Flask(__name__, instance_relative_config=True)
    config_class = config_class or config_for_environment()
    app.config.update(config_class.from_environment(Path(app.instance_path)))
    app.config["ENV_NAME"] = config_class.ENV_NAME
    app.config.update(overrides)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if "options" in options.get("connect_args", {}) and \
            not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        # PostgreSQL's session options (TestConfig sets some) would break another driver.
        options.pop("connect_args")
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    _trust_proxies(app)
    _register_extensions(app)
    _register_blueprints(app)
    _register_errorhandlers(app)
    _register_commands(app)
    _register_template_helpers(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT proxies, take the client's address from X-Forwarded-For (the rate limits key on it).

    With no proxy configured the headers are ignored: anyone can send them.
    """
    hops = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _register_extensions(app: Flask) -> None:
    from elearning import i18n, mail, models, ratelimits, templating  # noqa: F401 (models: every table registered)
    from elearning.accounts import services as accounts_services

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    ratelimits.use_sweeping_memory_storage(app)
    limiter.init_app(app)
    ratelimits.skip_idle_app_wide_check(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.register(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    # Flask-Login flashes its message outside any view: stored untranslated (a session holds plain strings) and
    # translated into the request's language as it is flashed.
    login_manager.login_message = templating.N_("Please log in to access this page.")
    login_manager.localize_callback = templating.gettext
    login_manager.session_protection = "basic"

    login_manager.user_loader(accounts_services.user_for_session)

    with app.app_context():
        _configure_sqlite(app)


def _configure_sqlite(app: Flask) -> None:
    """Turn on WAL and a busy timeout on every SQLite connection, so several workers can share the file."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


class _IdConverter(IntegerConverter):
    """<int:...> in URLs: at most the largest INTEGER id, so a longer number is a 404, not a database overflow."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = _IdConverter  # before the routes are added
    from elearning.accounts.views import bp as accounts_bp
    from elearning.admin.views import bp as admin_bp
    from elearning.certificates.views import bp as certificates_bp
    from elearning.employers.views import bp as employers_bp
    from elearning.learn.views import bp as learn_bp
    from elearning.main.views import bp as main_bp
    from elearning.quizzes.views import bp as quizzes_bp

    for blueprint in (main_bp, accounts_bp, learn_bp, quizzes_bp, certificates_bp, employers_bp, admin_bp):
        app.register_blueprint(blueprint)


def _register_errorhandlers(app: Flask) -> None:
    from elearning import errors, security

    errors.register(app)
    security.register(app)


def _register_commands(app: Flask) -> None:
    from elearning import cli

    cli.register(app)


def _register_template_helpers(app: Flask) -> None:
    from elearning import templating

    templating.register(app)
