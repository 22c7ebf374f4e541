"""Throw-away databases: a seeded SQLite file copied per run, PostgreSQL databases cloned from a seeded template."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
COUNTS = sa.text("""SELECT
    (SELECT count(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL) AS graded,
    (SELECT count(*) FROM quiz_attempts WHERE is_passed) AS passed,
    (SELECT count(*) FROM certificates) AS certificates,
    (SELECT count(*) FROM certificate_pdfs) AS pdfs""")


def counts(url: str) -> dict[str, int]:
    """Return the row counts the runner compares before and after a route (graded attempts, PDFs...)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(COUNTS).one()._mapping)
    finally:
        engine.dispose()


def settled_counts(url: str, timeout: float = 60) -> dict[str, int]:
    """Return the counts once they stop changing: when wrk stops, gunicorn still serves the requests waiting in
    its listen backlog (their answers go nowhere, but their writes happen)."""
    found = counts(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1)
        again = counts(url)
        if again == found:
            return found
        found = again
    return found


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_copy(seed: Path, target: Path) -> str:
    """Fold the seed's write-ahead log into the file, copy it to `target` and return the copy's URL."""
    connection = sqlite3.connect(seed)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shutil.copyfile(seed, target)
    return sqlite_url(target)


class Postgres:
    """Create and drop throw-away databases on the local server (trust authentication as `postgres`)."""

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin_url = sa.engine.make_url(admin_url)
        self.created: list[str] = []

    def _admin(self):
        return sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                                connect_args={"connect_timeout": 3})

    def reachable(self) -> bool:
        """Return whether the server answers, starting the local cluster once if it does not."""
        for attempt in range(2):
            try:
                engine = self._admin()
                with engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
                engine.dispose()
                return True
            except sa.exc.OperationalError:
                if attempt == 0 and shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
                    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
                    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],  # noqa: S603,S607
                                   check=False, capture_output=True)
                    time.sleep(3)
        return False

    def url(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        """Create database `name` (a copy of `template` when given) and return its URL."""
        engine = self._admin()
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            connection.execute(sa.text(f'CREATE DATABASE "{name}"{suffix}'))
        engine.dispose()
        self.created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        """Drop every database this object created."""
        if not self.created:
            return
        engine = self._admin()
        with engine.connect() as connection:
            for name in reversed(self.created):
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
        self.created.clear()
