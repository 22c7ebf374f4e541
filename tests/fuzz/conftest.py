"""Attacks and bad input: a small world (two organisations, a learner with certificates, an open attempt,
an invitation, an assignment) built once per session, copied for each test, and clients logged in as each
kind of user.

Hypothesis profiles (HYPOTHESIS_PROFILE): "ci", the default, runs HYPOTHESIS_MAX_EXAMPLES (default 50)
cases per form or query target, derandomised so CI is repeatable; "full" runs 500 random cases per target.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from werkzeug.datastructures import MultiDict

from tests.reliability.answers import answer_fields, answer_key

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "correct horse battery"
CHEAP_HASH = "pbkdf2:sha256:1000"  # the fuzzed logins check passwords thousands of times
_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("ci", max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "50")), deadline=None,
                          derandomize=True, database=None, suppress_health_check=_CHECKS, print_blob=True)
settings.register_profile("full", max_examples=500, deadline=None, database=None, suppress_health_check=_CHECKS,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="session")
def figures() -> dict[str, dict]:
    """Return {section: {name: value}}, printed at the end of the session."""
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    for section, values in FIGURES.items():
        if values:
            terminalreporter.section(section)
            for name, value in values.items():
                if not name.startswith("_"):
                    terminalreporter.write_line(f"{name}: {value}")


# The world -------------------------------------------------------------------------------------------------

def _build_world(url: str) -> dict:
    """Fill an empty database through the app's own services and pages; return the ids and tokens made."""
    from werkzeug.security import generate_password_hash

    from elearning import create_app
    from elearning.accounts.models import User, utcnow
    from elearning.accounts.services import make_reset_token
    from elearning.certificates.models import Certificate, Requirement
    from elearning.certificates.services import load_requirements
    from elearning.config import TestConfig
    from elearning.content import load_courses
    from elearning.content.models import CourseAsset
    from elearning.employers.models import Assignment, Invitation, Membership, Organisation
    from elearning.extensions import db

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, COURSES_PATH=str(FIXTURES / "courses"))
    with app.app_context():
        db.create_all()
        load_courses(FIXTURES / "courses")
        load_requirements(FIXTURES / "requirements.yaml", FIXTURES / "courses")
        password_hash = generate_password_hash(PASSWORD, method=CHEAP_HASH)
        people = {}
        for key, email, admin in (("root", "root@example.com", True), ("admin_a", "hr@acme.example.com", False),
                                  ("admin_b", "hr@bravo.example.com", False), ("learner", "learner@example.com", False),
                                  ("colleague", "colleague@example.com", False)):
            people[key] = User(email=email, full_name=key.title(), password_hash=password_hash, language="en",
                               job_role="hr_manager", is_platform_admin=admin, email_confirmed_at=utcnow())
        acme, bravo = Organisation(name="Acme Brussels"), Organisation(name="Bravo Liège")
        db.session.add_all([*people.values(), acme, bravo])
        db.session.add_all([
            Membership(user=people["admin_a"], organisation=acme, job_role="hr_manager", is_employer_admin=True),
            Membership(user=people["learner"], organisation=acme, job_role="hr_manager"),
            Membership(user=people["colleague"], organisation=acme, job_role="contact_person"),
            Membership(user=people["admin_b"], organisation=bravo, job_role="hr_manager", is_employer_admin=True)])
        db.session.commit()
        emails = {key: user.email for key, user in people.items()}

    clients = {key: _logged_in(app, emails[key]) for key in ("learner", "admin_a")}
    learner = clients["learner"]
    key = answer_key(FIXTURES / "courses")
    for module in ("m1-basics", "m2-practice"):
        attempt_url, page = _start(learner, module)
        fields = answer_fields(page, key, random.Random(1), right_rate=1.0)
        assert learner.post(attempt_url, data=MultiDict(fields)).status_code == 302
    open_attempt, _ = _start(learner, "m1-basics")
    with app.app_context():
        acme_id = db.session.scalar(sa.select(Organisation.id).filter_by(name="Acme Brussels"))
        requirement_id = db.session.scalar(sa.select(Requirement.id).filter_by(slug="demo-basics"))
    employer = clients["admin_a"]
    assert employer.post(f"/employer/{acme_id}/invitations", data={
        "full_name": "New Person", "email": "new.person@example.com", "job_role": "hr_manager",
        "language": "fr"}).status_code == 302
    assert employer.post(f"/employer/{acme_id}/assignments", data={
        "requirement_id": requirement_id, "target": "role", "job_role": "hr_manager"}).status_code == 302
    invitation_link = app.extensions["mail_outbox"][-1].body
    with app.app_context():
        learner_user = db.session.scalar(sa.select(User).filter_by(email=emails["learner"]))
        world = {
            "emails": emails,
            "orgs": {"acme": acme_id,
                     "bravo": db.session.scalar(sa.select(Organisation.id).filter_by(name="Bravo Liège"))},
            "memberships": dict(db.session.execute(sa.select(User.email, Membership.id)
                                                   .join(Membership, Membership.user_id == User.id)).all()),
            "invitation": db.session.scalar(sa.select(Invitation.id)),
            "invitation_token": re.search(r"/join/(\S+)", invitation_link).group(1),
            "assignment": db.session.scalar(sa.select(Assignment.id)),
            "requirement": requirement_id,
            "attempt": int(open_attempt.rsplit("/", 1)[-1]),
            "certificates": list(db.session.scalars(sa.select(Certificate.code).order_by(Certificate.id))),
            "asset": list(db.session.execute(sa.select(CourseAsset.module_id, CourseAsset.filename)).first()),
            "reset_token": make_reset_token(learner_user),
        }
        assert len(world["certificates"]) == 2, world
    with app.app_context():
        db.engine.dispose()
    return world


def _logged_in(app, email: str):
    client = app.test_client()
    response = client.post("/account/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def _start(client, module: str) -> tuple[str, str]:
    response = client.post(f"/quiz/demo-course/{module}")
    assert response.status_code == 302, response.status_code
    attempt_url = response.headers["Location"]
    return attempt_url, client.get(attempt_url).get_data(as_text=True)


@dataclass
class Store:
    """Where the world's database lives: a SQLite file, or a PostgreSQL database copied from a template."""

    admin_url: str | None
    template: str  # a file path (SQLite) or a database name (PostgreSQL)
    world: dict

    def copy(self, directory: Path, label: str) -> tuple[str, callable]:
        """Return the URL of a fresh copy of the world and a function that removes it."""
        if self.admin_url is None:
            path = directory / f"{label}.db"
            source, target = sqlite3.connect(self.template), sqlite3.connect(path)
            source.backup(target)  # with what the write-ahead log holds, unlike a file copy
            source.close()
            target.close()
            return f"sqlite:///{path}", lambda: None
        name = f"relais_fuzz_{os.getpid()}_{label}"[:63]
        others = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.template}'"  # noqa: S608
        _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
               others + " AND pid <> pg_backend_pid()",  # a template must have no one connected
               f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        url = sa.engine.make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
        return url, lambda: _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(admin_url: str, *statements: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    """Build the world once: on TEST_DATABASE_URL's PostgreSQL server when set, else in a SQLite file."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        path = tmp_path_factory.mktemp("fuzz") / "world.db"
        yield Store(None, str(path), _build_world(f"sqlite:///{path}"))
        return
    name = f"relais_fuzz_{os.getpid()}_template"
    _admin(test_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    try:
        world = _build_world(sa.engine.make_url(test_url).set(database=name).render_as_string(hide_password=False))
        yield Store(test_url, name, world)
    finally:
        _admin(test_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class DataWatch:
    """Tell whether anything was committed to the database since `mark()`, and which tables changed.

    A cheap token tells whether any write was committed at all (SQLite's data_version, PostgreSQL's
    snapshot); only then are the tables' rows digested and compared, so most cases cost two tiny queries.
    The users' interface language is left out: ?lang= may set it from any page, even a 404.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        if url.startswith("sqlite"):
            self._raw = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self._query = "PRAGMA data_version"
        else:
            self._raw = None
            self._query = "SELECT pg_current_snapshot()::text"
        self._marked_token: object = None
        self._marked: dict[str, str] = {}

    def _token(self) -> object:
        if self._raw is not None:
            return self._raw.execute(self._query).fetchone()[0]
        with self.engine.connect() as connection:
            return connection.scalar(sa.text(self._query))

    def digests(self) -> dict[str, str]:
        import hashlib

        from elearning.extensions import db

        digests = {}
        with self.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                columns = [column for column in table.columns if (table.name, column.name) != ("users", "language")]
                rows = connection.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
                digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16] + f"/{len(rows)}"
        return digests

    def mark(self) -> None:
        """Remember the data as it is now."""
        token = self._token()
        if token != self._marked_token or not self._marked:
            self._marked, self._marked_token = self.digests(), token

    def changed(self) -> list[str]:
        """Return the tables whose rows differ from the last mark."""
        if self._token() == self._marked_token:
            return []
        now = self.digests()
        return sorted(name for name in now if now[name] != self._marked.get(name))

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
        self.engine.dispose()


@dataclass
class Fuzzed:
    """A copy of the world served by an app, with a client per kind of user and a watch on its data."""

    app: object
    url: str
    world: dict
    clients: dict
    watch: DataWatch


@pytest.fixture
def fuzzed(store, tmp_path, request):
    """Return a fresh copy of the world behind an app, with clients for anonymous, learner, employer and admin."""
    from elearning import create_app
    from elearning.config import TestConfig
    from elearning.extensions import db

    label = re.sub(r"\W+", "_", request.node.name)[-40:]
    url, drop = store.copy(tmp_path, label)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, COURSES_PATH=str(FIXTURES / "courses"))
    emails = store.world["emails"]
    clients = {"anonymous": app.test_client(), "learner": _logged_in(app, emails["learner"]),
               "employer": _logged_in(app, emails["admin_a"]), "admin": _logged_in(app, emails["root"])}
    watch = DataWatch(url)
    yield Fuzzed(app, url, store.world, clients, watch)
    watch.close()
    with app.app_context():
        db.engine.dispose()
    drop()
