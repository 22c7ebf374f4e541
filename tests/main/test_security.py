"""Security headers, CSRF, production configuration, health check and error pages."""

import pytest
from sqlalchemy.exc import OperationalError

from elearning import create_app
from elearning.config import ConfigError, ProductionConfig


def test_security_headers_on_every_page(client):
    for path in ("/", "/account/login", "/does-not-exist"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_inline_script_in_pages(client):
    body = client.get("/").get_data(as_text=True)
    assert "<script>" not in body and " onclick=" not in body and "style=" not in body


def test_session_cookie_flags(app, client, create_user):
    create_user("amal@example.com")
    response = client.post("/account/login", data={"email": "amal@example.com", "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused(client, create_user):
    create_user("amal@example.com")
    response = client.post("/account/login", data={"email": "amal@example.com", "password": "correct horse battery"})
    assert response.status_code == 400
    assert b"Something was wrong with that request" in response.data


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_logout_needs_csrf_token(client, create_user, auth):
    assert client.post("/account/logout").status_code == 400


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "BASE_URL"])
def test_production_refuses_to_start_without_secrets(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("BASE_URL", "https://relais.example")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        create_app(ProductionConfig)


def test_production_sets_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("BASE_URL", "https://relais.example")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEMO_DATA"] is False


def test_development_generates_its_secret_key_once(tmp_path, monkeypatch):
    from elearning.config import DevelopmentConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = DevelopmentConfig.from_environment(tmp_path)["SECRET_KEY"]
    second = DevelopmentConfig.from_environment(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_links_lead_to_the_port_it_serves(tmp_path, monkeypatch):
    """`PORT=8000 make run`: emails and QR codes must not point at port 5000."""
    from elearning.config import DevelopmentConfig

    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8000")
    assert DevelopmentConfig.from_environment(tmp_path)["BASE_URL"] == "http://127.0.0.1:8000"
    monkeypatch.setenv("BASE_URL", "https://relais.example.org")
    assert DevelopmentConfig.from_environment(tmp_path)["BASE_URL"] == "https://relais.example.org"


def test_rate_limits_come_from_the_environment(tmp_path, monkeypatch):
    from elearning.config import Config

    monkeypatch.setenv("VERIFY_RATE_LIMIT", "5 per minute")
    monkeypatch.setenv("LOGIN_ACCOUNT_RATE_LIMIT", "20 per hour")
    settings = Config.from_environment(tmp_path)
    assert (settings["VERIFY_RATE_LIMIT"], settings["LOGIN_ACCOUNT_RATE_LIMIT"]) == ("5 per minute", "20 per hour")


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "courses": 0}


def test_healthz_reports_database_down(client, monkeypatch, db):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "scalar", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_unreachable_database_gives_503_page_not_a_trace():
    app = create_app(__import__("elearning.config", fromlist=["TestConfig"]).TestConfig,
                     SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize("language, text", [("nl", "Pagina niet gevonden"), ("fr", "Page introuvable"),
                                            ("en", "Page not found")])
def test_404_page_in_the_users_language(client, language, text):
    response = client.get(f"/missing?lang={language}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_500_page_rolls_back_and_is_friendly(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"Traceback" not in response.data
