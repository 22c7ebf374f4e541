"""Configuration classes, read from environment variables only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

LANGUAGES = ("nl", "fr", "en")


class ConfigError(RuntimeError):
    """Raised when a required setting is missing."""


def _instance_secret_key(instance_path: Path) -> str:
    """Return a development secret key, generated into the instance folder once."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # How long a SQLite writer waits for the single write lock before the request fails with 503. With threaded
    # workers a lock holder can wait for the GIL, and 5 s was seen to run out at 64 concurrent quiz submissions;
    # waiting beats failing, and 15 s stays well inside gunicorn's 30 s worker timeout.
    SQLITE_BUSY_TIMEOUT_MS = 15_000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so long lessons do not expire the form
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"  # times are stored in UTC and shown as Brussels time
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = LANGUAGES
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Password guessing: one person (address + the account tried) gets LOGIN_RATE_LIMIT; one address in all gets
    # the higher LOGIN_ADDRESS_RATE_LIMIT, because a whole company logs in from behind one NAT on training morning;
    # one account from everywhere gets LOGIN_ACCOUNT_RATE_LIMIT, against guessing spread over many addresses.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    LOGIN_ADDRESS_RATE_LIMIT = "120 per minute;1200 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "100 per hour"
    # Behind a load balancer or reverse proxy, how many X-Forwarded-For hops to trust (0: use the socket address).
    TRUSTED_PROXY_COUNT = 0
    VERIFY_RATE_LIMIT = "30 per minute"
    CERTIFICATE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # no request body is bigger (uploads have their own, smaller limits)
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "Relais <no-reply@relais.example>"
    MAIL_OUTBOX_DIR: str | None = None  # defaults to instance/outbox in development
    MAIL_CAPTURE = False  # tests keep messages in memory
    BASE_URL = "http://127.0.0.1:5000"
    COURSES_PATH = str(Path(__file__).resolve().parent.parent / "courses")
    QUICK_EXIT_URL = "https://www.google.com/search?q=weather"
    DEMO_DATA = False
    TESTING = False

    @classmethod
    def from_environment(cls, instance_path: Path) -> dict:
        """Return the settings of this class overlaid with the environment."""
        settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        env = os.environ
        for key in ("SECRET_KEY", "BASE_URL", "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "MAIL_USERNAME",
                    "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_OUTBOX_DIR", "COURSES_PATH", "QUICK_EXIT_URL",
                    "LOGIN_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT", "VERIFY_RATE_LIMIT"):
            if env.get(key):
                settings[key] = env[key]
        for key in ("MAIL_PORT", "TRUSTED_PROXY_COUNT"):
            if env.get(key):
                settings[key] = int(env[key])
        if env.get("MAIL_USE_TLS"):
            settings["MAIL_USE_TLS"] = env["MAIL_USE_TLS"].lower() in ("1", "true", "yes")
        if env.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
        return settings


class DevelopmentConfig(Config):
    """Local development: SQLite in instance/, mail to the console and instance/outbox, demo data."""

    ENV_NAME = "development"
    DEMO_DATA = True

    @classmethod
    def from_environment(cls, instance_path: Path) -> dict:
        settings = super().from_environment(instance_path)
        settings.setdefault("SECRET_KEY", None)
        if not settings.get("SECRET_KEY"):
            settings["SECRET_KEY"] = _instance_secret_key(instance_path)
        if not settings.get("SQLALCHEMY_DATABASE_URI"):
            settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'relais.db'}"
        if not settings.get("MAIL_OUTBOX_DIR"):
            settings["MAIL_OUTBOX_DIR"] = str(instance_path / "outbox")
        if not os.environ.get("BASE_URL") and os.environ.get("PORT"):
            # `PORT=8000 make run`: links in emails and certificates' QR codes lead to the server that sent them
            settings["BASE_URL"] = f"http://127.0.0.1:{int(os.environ['PORT'])}"
        return settings


class TestConfig(Config):
    """The test suite: in-memory SQLite unless TEST_DATABASE_URL is set, captured mail, no environment needed."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    WTF_CSRF_ENABLED = False
    MAIL_CAPTURE = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (a method name: fast for the suite)
    RATELIMIT_ENABLED = False  # tests that check limits turn it on with @pytest.mark.settings
    BASE_URL = "http://localhost"

    @classmethod
    def from_environment(cls, instance_path: Path) -> dict:
        settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        if settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            # Test data need not survive a crash: skip waiting for the disk on each commit.
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
                **Config.SQLALCHEMY_ENGINE_OPTIONS, "connect_args": {"options": "-c synchronous_commit=off"}}
        return settings


class ProductionConfig(Config):
    """Production: secrets and database from the environment, secure cookies, no demo data."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def from_environment(cls, instance_path: Path) -> dict:
        settings = super().from_environment(instance_path)
        missing = [name for name, key in (("SECRET_KEY", "SECRET_KEY"), ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
                                          ("BASE_URL", "BASE_URL")) if not os.environ.get(name)]
        if missing:
            raise ConfigError(f"Production needs these environment variables: {', '.join(missing)}")
        return settings


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def config_for_environment() -> type[Config]:
    """Return the config class named by APP_ENV (development by default)."""
    name = os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
