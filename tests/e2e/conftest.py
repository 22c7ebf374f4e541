"""Browser tests: the app served on a real port, driven by Playwright in Debian's Chromium, checked by axe-core."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from elearning import create_app
from elearning.config import TestConfig
from elearning.extensions import db

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not os.path.exists(CHROMIUM):
                if os.environ.get("CI") == "true":
                    raise pytest.UsageError(f"{CHROMIUM} is missing; CI must run the browser tests")
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


def _database_url(tmp_path_factory) -> tuple[str, callable]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}", lambda: None
    # pre-ping: the reliability tests restart PostgreSQL before this fixture's teardown drops the database
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = "relais_e2e_test"
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Return the app behind the live server, with demo data and the courses loaded."""
    url, drop = _database_url(tmp_path_factory)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True, SERVER_NAME=None)
    with app.app_context():
        db.create_all()
        _prepare(app)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


def _prepare(app) -> None:
    from elearning.cli import prepare_database

    app.config["DEMO_DATA"] = True
    app.config["COURSES_PATH"] = os.environ.get("E2E_COURSES_PATH", app.config["COURSES_PATH"])
    prepare_database(app)


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve the app on a free local port for the whole session; return its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["BASE_URL"] = base_url
    yield base_url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # assertions wait as long as a loaded 2-core CI machine may need

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: CI machines have 2 cores and the suite runs beside the server
    yield page
    context.close()


@pytest.fixture
def check_page():
    """Return a callable that screenshots the page and asserts axe-core finds no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ARTIFACTS.mkdir(exist_ok=True)

    def _check(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)

    return _check


@pytest.fixture
def outbox_link(live_app):
    """Return a callable giving the path of the first link in the newest email to an address."""

    def _link(email: str) -> str:
        messages = [m for m in live_app.extensions["mail_outbox"] if m.to == email]
        assert messages, f"no email to {email}"
        return re.search(r"https?://\S+", messages[-1].body).group(0).split("/", 3)[3].join(["/", ""])

    return _link
