"""Serve a throw-away Relais with the real courses and the demo accounts, for the security scanners.

    .venv/bin/python -m tests.reliability.serve_for_scan [--port 8765]

gunicorn on 127.0.0.1 only, production settings (CSRF on) except the login and verify rate limits, raised so
the scanners test those forms instead of meeting 429s (tests/fuzz/test_brute_force.py tests the limits), on a
fresh SQLite file in a temporary folder.
It prints a logged-in session cookie for each demo account, then serves until Ctrl-C (docs/reliability.md).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.reliability import harness

DEMO_PASSWORD = "demo-password"  # noqa: S105 (the documented development demo accounts)
ACCOUNTS = ("learner@example.com", "employer@example.com", "admin@example.com")


def prepare(directory: Path) -> harness.Database:
    """Create the tables, load courses/ and its requirements, and add the demo data."""
    from elearning import create_app
    from elearning.certificates.services import load_requirements
    from elearning.cli import prepare_database
    from elearning.config import TestConfig
    from elearning.extensions import db

    database = harness.Database(f"sqlite:///{directory / 'scan.db'}", "sqlite")
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database.url, SQLALCHEMY_ENGINE_OPTIONS={}, DEMO_DATA=True,
                     COURSES_PATH=str(harness.ROOT / "courses"))
    with app.app_context():
        db.create_all()
        load_requirements(harness.ROOT / "courses" / "requirements.yaml", harness.ROOT / "courses")
        db.session.commit()
        prepare_database(app)
        db.engine.dispose()
    return database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    port = parser.parse_args().port
    with tempfile.TemporaryDirectory(prefix="relais-scan-") as folder:
        directory = Path(folder)
        database = prepare(directory)
        server = harness.AppServer(database, directory, name="scan", port=port, courses=harness.ROOT / "courses",
                                   overrides={**harness.LOAD_OVERRIDES,
                                              "VERIFY_RATE_LIMIT": "100000 per minute"})
        server.start()
        try:
            for email in ACCOUNTS:
                browser = harness.Browser(server.url)
                assert browser.login(email, DEMO_PASSWORD).status_code == 302, email
                print(f"{email}: session={browser.session.cookies['session']}", flush=True)
            print(f"Serving {server.url} (log: {server.log_path}); Ctrl-C to stop.", flush=True)
            server.process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()


if __name__ == "__main__":
    main()
