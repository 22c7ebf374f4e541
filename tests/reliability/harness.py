"""The reliability harness: throw-away databases, seeded learners, gunicorn servers and locust runs.

Everything listens on 127.0.0.1 only and every process started here is stopped by the context manager
that started it, also when a test fails.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_COURSES = FIXTURES / "courses"
FIXTURE_REQUIREMENTS = FIXTURES / "requirements.yaml"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
SECRET_KEY = "reliability-" + uuid.uuid4().hex
LEARNER_PASSWORD = "correct horse battery"
# Learners alternate between these roles: hr_manager needs both fixture requirements, the others only demo-basics.
ROLES = ("hr_manager", "prevention_adviser", "contact_person", "cpbw_member")
LANGUAGES = ("en", "fr", "nl")
CHEAP_HASH = "pbkdf2:sha256:1000"


@dataclass(frozen=True)
class LoadShape:
    """How many simulated learners, how fast they arrive, and for how long they work."""

    users: int
    spawn_rate: float
    seconds: int


# Every simulated learner logs in from 127.0.0.1, like a whole company behind one address; the login limit
# itself is tested with its production value in test_two_servers.py.
LOAD_OVERRIDES = {"LOGIN_RATE_LIMIT": "100000 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "100000 per minute",
                  "LOGIN_ACCOUNT_RATE_LIMIT": "100000 per hour"}
BOUNDED = LoadShape(users=24, spawn_rate=6, seconds=20)
FULL = LoadShape(users=200, spawn_rate=10, seconds=60)


def is_full() -> bool:
    return os.environ.get("RELIABILITY_FULL") == "1"


def load_shape() -> LoadShape:
    """Return the full shape (200 learners for 60 s) with RELIABILITY_FULL=1, else the bounded CI shape."""
    return FULL if is_full() else BOUNDED


def graded_count(database: Database) -> int:
    """Return how many attempts the database holds as submitted."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL"))
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_test_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


# Databases -------------------------------------------------------------------------------------------------

@dataclass
class Database:
    url: str
    kind: str  # "sqlite" or "postgresql"
    _admin_url: str | None = None
    _name: str | None = None

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def drop(self) -> None:
        if self._admin_url is None:
            return
        engine = sa.create_engine(self._admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
        finally:
            engine.dispose()


@contextmanager
def throwaway_database(tmp_path: Path, label: str) -> Iterator[Database]:
    """Yield an empty database: a new PostgreSQL database on TEST_DATABASE_URL's server, else a SQLite file."""
    admin_url = postgres_test_url()
    if admin_url is None:
        yield Database(f"sqlite:///{tmp_path / f'{label}.db'}", "sqlite")
        return
    name = f"relais_reliability_{label}_{os.getpid()}"
    database = Database(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False),
                        "postgresql", admin_url, name)
    database.drop()
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    try:
        yield database
    finally:
        database.drop()


def seed(database: Database, learners: int) -> list[str]:
    """Create the tables, load the fixture course and requirements, add `learners` active learners; return emails.

    Every learner gets the same password hash, computed once: a cheap PBKDF2 hash, which werkzeug checks
    just as well, so that the run's seconds go to reading and submitting. The app's own scrypt costs about
    0.4 s of CPU per login: with RELIABILITY_SCRYPT=1 the learners get it, to measure what logging in costs.
    """
    from werkzeug.security import generate_password_hash

    from elearning import create_app
    from elearning.accounts.models import User, utcnow
    from elearning.certificates.services import load_requirements
    from elearning.config import TestConfig
    from elearning.content import load_courses
    from elearning.extensions import db

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database.url, COURSES_PATH=str(FIXTURE_COURSES),
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    emails = [f"learner{n:04d}@example.com" for n in range(1, learners + 1)]
    with app.app_context():
        db.create_all()
        load_courses(FIXTURE_COURSES)
        load_requirements(FIXTURE_REQUIREMENTS, FIXTURE_COURSES)
        scrypt = os.environ.get("RELIABILITY_SCRYPT") == "1"
        password_hash = generate_password_hash(LEARNER_PASSWORD, method="scrypt" if scrypt else CHEAP_HASH)
        now = utcnow()
        rows = [{"email": email, "full_name": f"Learner {n}", "password_hash": password_hash,
                 "language": LANGUAGES[n % len(LANGUAGES)], "job_role": ROLES[n % len(ROLES)],
                 "is_platform_admin": False, "created_at": now, "email_confirmed_at": now}
                for n, email in enumerate(emails)]
        if rows:
            db.session.execute(sa.insert(User), rows)
        db.session.commit()
        db.engine.dispose()
    return emails


# gunicorn --------------------------------------------------------------------------------------------------

@dataclass
class AppServer:
    """One gunicorn master with its workers, serving tests.reliability.wsgi:app on 127.0.0.1."""

    database: Database
    directory: Path
    name: str = "app"
    workers: int = 2
    threads: int = 4
    ratelimit_storage: str = "memory://"
    overrides: dict = field(default_factory=dict)
    courses: Path = FIXTURE_COURSES
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / f"{self.name}.log"

    @property
    def access_log_path(self) -> Path:
        return self.directory / f"{self.name}-access.log"

    def start(self, timeout: float = 45) -> None:
        self.port = self.port or free_port()
        overrides = {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, **self.overrides}
        env = {key: value for key, value in os.environ.items() if key not in ("TEST_DATABASE_URL", "DATABASE_URL")}
        env.update(APP_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=self.database.url, BASE_URL=self.url,
                   RATELIMIT_STORAGE_URI=self.ratelimit_storage, COURSES_PATH=str(self.courses),
                   MAIL_OUTBOX_DIR=str(self.directory / "outbox"), PYTHONPATH=str(ROOT),
                   RELAIS_TEST_OVERRIDES=json.dumps(overrides))
        # Keep-alive above the learners' think time: otherwise, on a saturated machine, a learner may reuse a
        # connection the server is closing just then, a client-side race browsers retry silently.
        command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--worker-class", "gthread", "--threads", str(self.threads), "--timeout", "30",
                   "--graceful-timeout", "5", "--keep-alive", "10", "--no-control-socket",
                   "--access-logfile", str(self.access_log_path), "--access-logformat", "%(s)s %(m)s %(U)s %(M)s",
                   "tests.reliability.wsgi:app"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 30) -> float:
        """Wait until /healthz answers 200; return how long that took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_text()[-3000:]}")
            if http_status(self.url + "/healthz") == 200:
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.name} did not answer /healthz within {timeout} s:\n"
                           f"{self.log_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's worker processes."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group started with this master only
            self.process.wait(timeout=5)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def access_statuses(self) -> dict[int, int]:
        """Return {HTTP status: count} from the access log."""
        counts: dict[int, int] = {}
        if self.access_log_path.exists():
            for line in self.access_log_path.read_text(errors="replace").splitlines():
                status = line.split(" ", 1)[0]
                if status.isdigit():
                    counts[int(status)] = counts.get(int(status), 0) + 1
        return counts

    def server_errors(self) -> list[str]:
        """Return the access-log lines of 5xx answers."""
        if not self.access_log_path.exists():
            return []
        return [line for line in self.access_log_path.read_text(errors="replace").splitlines() if line[:1] == "5"]


@contextmanager
def app_server(database: Database, directory: Path, **options) -> Iterator[AppServer]:
    server = AppServer(database, directory, **options)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def http_status(url: str, timeout: float = 2) -> int:
    """Return the status of a GET (0 when the connection fails)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a 127.0.0.1 URL we built)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, urllib.error.URLError):
        return 0


# locust ----------------------------------------------------------------------------------------------------

@dataclass
class LocustRun:
    """A headless locust run in its own process; `ledger` is what its learners recorded (after `wait`)."""

    process: subprocess.Popen
    ledger_path: Path
    log_path: Path
    started: float
    ledger: dict = field(default_factory=dict)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self, timeout: float) -> dict:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=20)
        assert self.ledger_path.exists(), f"locust wrote no ledger:\n{self.log_path.read_text()[-3000:]}"
        self.ledger = json.loads(self.ledger_path.read_text())
        return self.ledger


@contextmanager
def locust(host: str, emails: list[str], directory: Path, shape: LoadShape, *, label: str = "load",
           extra_env: dict | None = None) -> Iterator[LocustRun]:
    """Run simulated learners against `host` for shape.seconds; yield while they run, wait for them on exit."""
    ledger_path, log_path = directory / f"{label}-ledger.json", directory / f"{label}-locust.log"
    (directory / f"{label}-learners.txt").write_text("\n".join(emails))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RELIABILITY_LEDGER": str(ledger_path),
           "RELIABILITY_PASSWORD": LEARNER_PASSWORD,
           "RELIABILITY_LEARNERS": str(directory / f"{label}-learners.txt"),
           "RELIABILITY_COURSES": str(FIXTURE_COURSES), **(extra_env or {})}
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--users", str(shape.users),
               "--spawn-rate", str(shape.spawn_rate), "--run-time", f"{shape.seconds}s", "--host", host,
               "--stop-timeout", "30", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    run = LocustRun(process, ledger_path, log_path, time.monotonic())
    try:
        yield run
        run.wait(timeout=shape.seconds + 90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# A single learner's browser, for the directed tests -----------------------------------------------------

class Browser:
    """One learner's browser (a requests session with its cookies) talking to `base_url`."""

    def __init__(self, base_url: str) -> None:
        import requests

        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, **kwargs):
        return self.session.get(self.base_url + path, timeout=30, allow_redirects=False, **kwargs)

    def post(self, path: str, data, **kwargs):
        return self.session.post(self.base_url + path, data=data, timeout=30, allow_redirects=False, **kwargs)

    def token(self, path: str) -> str:
        from tests.reliability.answers import csrf_token

        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return csrf_token(response.text)

    def login(self, email: str, password: str = LEARNER_PASSWORD):
        return self.post("/account/login", {"csrf_token": self.token("/account/login"), "email": email,
                                            "password": password})

    def start_attempt(self, module: str) -> tuple[str, str]:
        """Start (or reopen) an attempt at a module's quiz; return its URL and the quiz page."""
        from tests.reliability.answers import COURSE

        path = f"/quiz/{COURSE}/{module}"
        response = self.post(path, {"csrf_token": self.token(path)})
        assert response.status_code == 302 and "/quiz/attempts/" in response.headers["Location"], response.text[:500]
        location = response.headers["Location"]
        attempt_url = location[location.index("/quiz/attempts/"):]
        page = self.get(attempt_url)
        assert page.status_code == 200, page.status_code
        return attempt_url, page.text


# What the database holds afterwards ------------------------------------------------------------------------

def _sent_answers(fields: list[list[str]]) -> dict[str, list[str]]:
    """Return {item slug: picked} as the server should have stored the fields a learner sent."""
    picked: dict[str, list[str]] = {}
    positions: dict[str, dict[str, int]] = {}
    for name, value in fields:
        if "@" in name:
            key, step = name.split("@", 1)
            positions.setdefault(key.rsplit("/", 1)[-1], {})[step] = int(value)
        else:
            picked.setdefault(name.rsplit("/", 1)[-1], []).append(value)
    for item, steps in positions.items():
        picked[item] = sorted(steps, key=steps.__getitem__)
    return picked


def verify_database(database: Database, ledger: dict) -> dict:
    """Compare the database with the learners' ledger; return the figures, raise AssertionError on a difference.

    - exactly the acknowledged attempts are graded, each once, with the very answers that were sent (a
      submission still in flight when locust stopped its learner may be graded or not: if it is, with its
      answers);
    - each learner holds exactly one certificate per requirement their passes fulfil, and none otherwise.
    """
    from elearning.accounts.models import User
    from elearning.certificates.models import Certificate, Requirement
    from elearning.content.models import Module
    from elearning.quizzes.models import AttemptAnswer, QuizAttempt

    acks = {(ack["user"], ack["attempt"]): ack for ack in ledger["acks"]}
    assert len(acks) == len(ledger["acks"]), "an attempt was acknowledged twice as a first submission"
    in_flight = {(entry["user"], entry["attempt"]): entry for entry in ledger.get("pending", {}).values()}
    engine = database.engine()
    try:
        with engine.connect() as connection:
            users = dict(connection.execute(sa.select(User.id, User.email)).all())
            roles = dict(connection.execute(sa.select(User.id, User.job_role)).all())
            attempts = connection.execute(
                sa.select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.is_passed, QuizAttempt.submitted_at,
                          Module.slug).join(Module, Module.id == QuizAttempt.module_id)).all()
            answers: dict[int, dict[str, list[str]]] = {}
            for attempt_id, item_slug, picked in connection.execute(
                    sa.select(AttemptAnswer.attempt_id, AttemptAnswer.item_slug, AttemptAnswer.picked)):
                assert item_slug not in answers.setdefault(attempt_id, {}), f"attempt {attempt_id}: {item_slug} twice"
                answers[attempt_id][item_slug] = picked
            requirements = connection.execute(sa.select(Requirement.id, Requirement.modules, Requirement.job_roles,
                                                        Requirement.for_all_roles, Requirement.is_active)).all()
            certificates = connection.execute(
                sa.select(Certificate.user_id, Certificate.requirement_id, sa.func.count())
                .group_by(Certificate.user_id, Certificate.requirement_id)).all()
    finally:
        engine.dispose()

    graded = {(users[a.user_id], a.id) for a in attempts if a.submitted_at is not None}
    unexplained = graded - set(acks) - set(in_flight)
    assert not unexplained, f"graded but never acknowledged: {sorted(unexplained)[:10]}"
    assert not set(acks) - graded, f"acknowledged but not graded (lost): {sorted(set(acks) - graded)[:10]}"
    checked = {**{key: in_flight[key] for key in graded & set(in_flight)}, **acks}
    for (email, attempt_id), ack in checked.items():
        stored, sent = answers.get(attempt_id, {}), _sent_answers(ack["fields"])
        assert set(stored) == set(sent), f"attempt {attempt_id} of {email}: items {sorted(stored)} != {sorted(sent)}"
        ordering = _ordering_items(ack)
        for item, picked in sent.items():
            same = stored[item] == picked if item in ordering else sorted(stored[item]) == sorted(picked)
            assert same, f"attempt {attempt_id} of {email}: {item} stored {stored[item]}, sent {picked}"
    ungraded_answers = {a.id for a in attempts if a.submitted_at is None} & set(answers)
    assert not ungraded_answers, f"answers recorded for attempts never submitted: {sorted(ungraded_answers)[:10]}"

    passed: dict[int, set[str]] = {}
    for attempt in attempts:
        if attempt.is_passed:
            passed.setdefault(attempt.user_id, set()).add(f"demo-course/{attempt.slug}")
    held = {(user_id, requirement_id): count for user_id, requirement_id, count in certificates}
    expected = {}
    for user_id in users:
        for requirement in requirements:
            applies = requirement.is_active and (requirement.for_all_roles or roles[user_id] in requirement.job_roles)
            fulfilled = applies and set(requirement.modules) <= passed.get(user_id, set())
            expected[(user_id, requirement.id)] = 1 if fulfilled else 0
    wrong = {key: (held.get(key, 0), want) for key, want in expected.items() if held.get(key, 0) != want}
    assert not wrong, f"(user, requirement): (certificates held, fulfilments) {dict(list(wrong.items())[:10])}"
    return {"acknowledged": len(acks), "in_flight_at_stop": len(in_flight),
            "in_flight_graded": len(graded & set(in_flight)), "graded": len(graded),
            "passed": sum(a.is_passed for a in attempts),
            "started_not_submitted": sum(a.submitted_at is None for a in attempts),
            "certificates": sum(held.values()), "fulfilments": sum(expected.values()),
            "double_submits": len(ledger["duplicates"])}


def _ordering_items(ack: dict) -> set[str]:
    return {name.split("@", 1)[0].rsplit("/", 1)[-1] for name, _ in ack["fields"] if "@" in name}
