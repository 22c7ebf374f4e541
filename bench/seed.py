"""Seed a throw-away database for the benchmark and write the request lists that wrk cycles through.

Run by bench/run.py in a subprocess whose environment names the database and the secret key
(APP_ENV=production, DATABASE_URL, SECRET_KEY, BASE_URL):  python -m bench.seed OUT_DIR

What it creates, fast (executemany inserts) except where the real services are the point:
- the real course (courses/) and requirements, loaded by the loader;
- 20 organisations of 50 learners (1,000), each learner with their first module passed through the real
  quiz services (so result pages have answers), and an open attempt at modules 1-5 (the quiz page and the
  submissions: one attempt per submission, so no submission is an idempotent no-op);
- 12 of those learners pass modules 0-3 through the real services: the awareness certificate is issued
  and its PDF rendered and stored at issue time, as in production;
- one organisation of 5,000 staff with role assignments and a mix of history (certificates, passes,
  started modules, overdue dates) for the dashboard and the CSV export.
Sessions are minted with the app's own session serializer and Flask-WTF token (no login requests, so
the login rate limit stays out of the figures).
"""

from __future__ import annotations

import json
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.sessions import USER_AGENT, mint_session
from elearning import create_app
from elearning.accounts.models import JobRole, User, utcnow
from elearning.certificates import codes, standing
from elearning.certificates import services as certificate_services
from elearning.certificates.models import Certificate, CertificatePdf, Requirement
from elearning.content.loader import load_courses
from elearning.content.models import Course, CourseVersion, Module, Question
from elearning.employers.models import Assignment, Membership, Organisation
from elearning.extensions import db
from elearning.learn.models import ModuleProgress
from elearning.quizzes import queries as quiz_queries
from elearning.quizzes import services as quiz_services
from elearning.quizzes.models import QuizAttempt

ROOT = Path(__file__).resolve().parent.parent
COURSE = "partner-violence-work"
ORGANISATIONS, LEARNERS_PER_ORGANISATION, BIG_ORGANISATION_STAFF = 20, 50, 5000
CERTIFICATE_HOLDERS = 12
RESULT_LEARNERS = 200  # pass module 0 through the real services: their result pages are measured
LANGUAGES = ("nl", "fr", "en")
LEARNER_ROLES = (JobRole.HR_MANAGER, JobRole.PREVENTION_ADVISER, JobRole.CPBW_MEMBER, JobRole.CONTACT_PERSON,
                 JobRole.MANAGER, JobRole.OTHER, JobRole.EXTERNAL_PREVENTION)
STAFF_ROLES = (JobRole.OTHER,) * 6 + (JobRole.MANAGER,) * 2 + (JobRole.HR_MANAGER, JobRole.CONTACT_PERSON)
SUBMIT_ORDER = (4, 5, 1, 2, 3)  # module 3 last: passing 1-3 issues a certificate (rendered) only that late


def _timed(steps: dict, name: str, started: float) -> float:
    now = time.perf_counter()
    steps[name] = round(now - started, 2)
    return now


def _modules() -> list[Module]:
    stmt = (sa.select(Module).join(Course, Course.current_version_id == Module.course_version_id)
            .where(Course.slug == COURSE).order_by(Module.position))
    return list(db.session.scalars(stmt))


def _users(rows: list[dict]) -> list[int]:
    """Insert users with one executemany; return their ids in the same order."""
    db.session.execute(sa.insert(User), rows)
    stmt = sa.select(User.email, User.id).where(User.email.in_([r["email"] for r in rows]))
    ids = {email: user_id for email, user_id in db.session.execute(stmt)}
    return [ids[row["email"]] for row in rows]


def _user_row(email: str, name: str, role: str, language: str, password_hash: str) -> dict:
    now = utcnow()
    return {"email": email, "full_name": name, "password_hash": password_hash, "language": language,
            "job_role": role, "is_platform_admin": False, "created_at": now, "email_confirmed_at": now}


def seed_learners(password_hash: str) -> list[dict]:
    """Create 20 organisations of 50 learners (the first of each administers it); return the learners."""
    learners = []
    for o in range(ORGANISATIONS):
        organisation = Organisation(name=f"Bench organisation {o + 1:02d}")
        db.session.add(organisation)
        db.session.flush()
        rows = [_user_row(f"learner{o:02d}-{n:02d}@bench.example", f"Learner {o:02d}-{n:02d}",
                          LEARNER_ROLES[(o + n) % len(LEARNER_ROLES)], LANGUAGES[n % 3], password_hash)
                for n in range(LEARNERS_PER_ORGANISATION)]
        ids = _users(rows)
        db.session.execute(sa.insert(Membership), [
            {"organisation_id": organisation.id, "user_id": user_id, "job_role": row["job_role"],
             "is_employer_admin": n == 0, "is_contact_person": row["job_role"] == JobRole.CONTACT_PERSON,
             "created_at": utcnow()} for n, (user_id, row) in enumerate(zip(ids, rows, strict=True))])
        learners += [{"id": user_id, "language": row["language"], "organisation_id": organisation.id}
                     for user_id, row in zip(ids, rows, strict=True)]
    return learners


def right_fields(draw: list[dict], bank: dict[int, Question]) -> list[tuple[str, str]]:
    """Return the quiz form's (name, value) pairs answering every drawn question right.

    Field names follow quizzes/forms.py: a question's slug, or slug/sub-question inside a scenario, and
    key@step for an ordering step's position. The runner checks the first submission lands on the result
    page and, after the run, that each acknowledged submission was graded as passed.
    """
    fields = []
    for entry in draw:
        question = bank[entry["id"]]
        scenario = question.spec["type"] == "scenario"
        for spec in question.spec["questions"] if scenario else [question.spec]:
            key = f"{question.slug}/{spec['id']}" if scenario else question.slug
            if spec["type"] == "ordering":
                fields += [(f"{key}@{step['id']}", str(n)) for n, step in enumerate(spec["steps"], 1)]
            elif spec["type"] == "true_false":
                fields.append((key, "true" if spec["answer"] else "false"))
            else:
                fields += [(key, choice["id"]) for choice in spec["choices"] if choice.get("correct")]
    return fields


def _answers(shown) -> dict:
    """Return the right answers by question slug, as the quiz form's reader would produce them."""
    answers = {}
    for question in shown:
        parts = {}
        for item in question.items:
            spec = item.spec
            if item.type == "ordering":
                parts[spec["id"]] = [step["id"] for step in spec["steps"]]
            elif item.type == "true_false":
                parts[spec["id"]] = ["true" if spec["answer"] else "false"]
            else:
                parts[spec["id"]] = [choice["id"] for choice in spec["choices"] if choice.get("correct")]
        answers[question.question.slug] = parts if question.is_scenario else parts[question.spec["id"]]
    return answers


def pass_through_services(user: User, module: Module) -> QuizAttempt:
    """Start and pass a module's quiz as the submit view does; return the attempt (its id is loaded)."""
    attempt = quiz_services.start_attempt(user, module)
    quiz_services.submit_attempt(attempt, _answers(quiz_queries.shown_questions(attempt)))
    issued = certificate_services.issue_if_eligible(user)
    if issued:  # the view commits, then renders and stores the PDF in every language
        db.session.commit()
        render_issued = getattr(certificate_services, "render_issued", None)
        if render_issued is not None:
            render_issued(issued)
    return attempt


def open_attempts(user_ids: list[int], modules: list[Module], rng: random.Random) -> None:
    """Give each learner an open attempt at each module, drawn like start_attempt draws (bulk inserts)."""
    now = utcnow()
    db.session.execute(sa.insert(ModuleProgress), [
        {"user_id": user_id, "course_id": module.course_version.course_id, "module_slug": module.slug,
         "last_page": module.page_count, "started_at": now, "updated_at": now, "reading_completed_at": now}
        for module in modules for user_id in user_ids])
    progress = {(p.user_id, p.module_slug): p.id for p in db.session.execute(
        sa.select(ModuleProgress.id, ModuleProgress.user_id, ModuleProgress.module_slug)
        .where(ModuleProgress.user_id.in_(user_ids)))}
    rows = []
    for module in modules:
        bank = list(db.session.scalars(sa.select(Question).where(Question.module_id == module.id)
                                       .order_by(Question.position)))
        rows += [{"user_id": user_id, "progress_id": progress[(user_id, module.slug)], "module_id": module.id,
                  "number": 1, "draw": quiz_services.draw_questions(bank, module.questions_per_attempt, set(), rng),
                  "started_at": now, "is_passed": False} for user_id in user_ids]
    db.session.execute(sa.insert(QuizAttempt), rows)


def seed_big_organisation(password_hash: str, modules: list[Module], rng: random.Random) -> tuple[int, int]:
    """Create the 5,000-staff organisation with assignments and history; return (organisation id, admin id)."""
    organisation = Organisation(name="Bench staff 5000")
    db.session.add(organisation)
    db.session.flush()
    rows = [_user_row(f"staff{n:04d}@big.bench.example", f"Staff {rng.choice('ABCDEFGHJKLMNPRSTVW')}. {n:04d}",
                      STAFF_ROLES[n % len(STAFF_ROLES)], LANGUAGES[n % 3], password_hash)
            for n in range(BIG_ORGANISATION_STAFF)]
    ids = _users(rows)
    now, today = utcnow(), utcnow().date()
    db.session.execute(sa.insert(Membership), [
        {"organisation_id": organisation.id, "user_id": user_id, "job_role": row["job_role"],
         "is_employer_admin": n == 0, "is_contact_person": row["job_role"] == JobRole.CONTACT_PERSON,
         "created_at": now} for n, (user_id, row) in enumerate(zip(ids, rows, strict=True))])
    requirements = {r.slug: r for r in db.session.scalars(sa.select(Requirement))}
    awareness, resource = requirements["cease-awareness"], requirements["cease-resource-person"]
    assignments = [{"requirement_id": awareness.id, "job_role": role.value, "due_on": today + timedelta(days=30)}
                   for role in set(STAFF_ROLES) - {JobRole.MANAGER}]
    assignments += [{"requirement_id": awareness.id, "job_role": JobRole.MANAGER.value,
                     "due_on": today - timedelta(days=10)},  # overdue for managers who have not finished
                    {"requirement_id": resource.id, "job_role": JobRole.HR_MANAGER.value, "due_on": None},
                    {"requirement_id": resource.id, "job_role": JobRole.CONTACT_PERSON.value,
                     "due_on": today + timedelta(days=60)}]
    db.session.execute(sa.insert(Assignment), [
        {"organisation_id": organisation.id, "membership_id": None, "created_at": now, **a} for a in assignments])
    _staff_history(ids, rows, modules, awareness, rng)
    return organisation.id, ids[0]


def _staff_history(ids: list[int], rows: list[dict], modules: list[Module], awareness: Requirement,
                   rng: random.Random) -> None:
    """Give 30 % of the staff an awareness certificate (with its passes), 20 % some passes, 10 % a started
    module; certificates are rows without PDFs, like the employer tests insert them."""
    now = utcnow()
    progress, attempts, certificates = [], [], []
    for user_id, row in zip(ids, rows, strict=True):
        roll = rng.random()
        if roll < 0.3:
            issued = now - timedelta(days=rng.randint(1, 1000))  # some expiring, some expired (36 months)
            passed = modules[:4]
            certificates.append({
                "code": codes.new_code(), "user_id": user_id, "requirement_id": awareness.id, "sequence": 1,
                "holder_name": row["full_name"], "language": row["language"], "hours": awareness.hours,
                "issuer": "Relais", "issued_at": issued, "expires_at": issued + timedelta(days=1095),
                "requirement_snapshot": {"slug": awareness.slug, "title": awareness.title,
                                         "description": awareness.description,
                                         "validity_months": awareness.validity_months},
                "course_versions": [], "modules": [{"ref": f"{COURSE}/{m.slug}", "title": m.title,
                                                    "passed_at": issued.isoformat(timespec="seconds"),
                                                    "score_percent": 90, "attempt_id": 0, "course_version_id": 0}
                                                   for m in passed]})
        elif roll < 0.5:
            issued, passed = now - timedelta(days=rng.randint(1, 60)), modules[:rng.randint(1, 3)]
        elif roll < 0.6:
            issued, passed = now - timedelta(days=rng.randint(1, 30)), []
            progress.append({"user_id": user_id, "course_id": modules[0].course_version.course_id,
                             "module_slug": modules[0].slug, "last_page": 1, "started_at": issued,
                             "updated_at": issued})
        else:
            continue
        for module in passed:
            when = issued - timedelta(hours=1)
            progress.append({"user_id": user_id, "course_id": module.course_version.course_id,
                             "module_slug": module.slug, "last_page": module.page_count, "started_at": when,
                             "updated_at": when, "reading_completed_at": when, "passed_at": when})
            attempts.append({"user_id": user_id, "module_slug": module.slug, "module_id": module.id, "number": 1,
                             "draw": [], "started_at": when, "submitted_at": when, "score_percent": 90,
                             "is_passed": True})
    db.session.execute(sa.insert(ModuleProgress), progress)
    ids_by_key = {(p.user_id, p.module_slug): p.id for p in db.session.execute(
        sa.select(ModuleProgress.id, ModuleProgress.user_id, ModuleProgress.module_slug)
        .where(ModuleProgress.user_id.in_(ids)))}
    for attempt in attempts:
        attempt["progress_id"] = ids_by_key[(attempt["user_id"], attempt.pop("module_slug"))]
    db.session.execute(sa.insert(QuizAttempt), attempts)
    if certificates:
        db.session.execute(sa.insert(Certificate), certificates)


def _write(out: Path, name: str, lines: list[tuple[str, str, str, str, str]]) -> str:
    """Write a request list: method, path, session cookie, form body, expected status (tab-separated)."""
    path = out / f"{name}.tsv"
    path.write_text("".join("\t".join(line) + "\n" for line in lines), encoding="utf-8")
    return str(path)


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app()
    rng = random.Random(7)  # noqa: S311 (a reproducible seed, not a secret)
    steps: dict[str, float] = {}
    with app.app_context():
        started = time.perf_counter()
        db.create_all()
        load_courses(ROOT / "courses")
        certificate_services.load_requirements(ROOT / "courses" / "requirements.yaml", ROOT / "courses")
        db.session.commit()
        started = _timed(steps, "schema and course", started)
        modules = _modules()
        hasher = User(password_hash="")
        hasher.set_password(secrets.token_urlsafe())  # one hash for every bench account: nobody logs in
        learners = seed_learners(hasher.password_hash)
        big_id, big_admin_id = seed_big_organisation(hasher.password_hash, modules, rng)
        db.session.commit()
        started = _timed(steps, "users, organisations, staff history (bulk)", started)
        users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(
            [learner["id"] for learner in learners] + [big_admin_id])))}
        first_attempts = [pass_through_services(users[learner["id"]], modules[0])
                          for learner in learners[:RESULT_LEARNERS]]
        first_attempt_ids = [a.id for a in first_attempts]
        db.session.commit()
        started = _timed(steps, f"module 0 passed through the services ({RESULT_LEARNERS})", started)
        holders = learners[:CERTIFICATE_HOLDERS]
        for learner in holders:
            for module in modules[1:4]:
                pass_through_services(users[learner["id"]], module)
        db.session.commit()
        started = _timed(steps, f"certificates issued and rendered ({CERTIFICATE_HOLDERS})", started)
        others = [learner["id"] for learner in learners[CERTIFICATE_HOLDERS:]]
        open_attempts(others, [modules[n] for n in SUBMIT_ORDER], rng)
        standing.refresh_everyone()  # the staff history and open attempts went in as bulk rows, past the services
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # what autovacuum does within a minute or so of a bulk load; without statistics PostgreSQL plans the
            # dashboard's aggregates as nested loops (8.5 s instead of 0.25 s of CPU, see docs/performance.md)
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        started = _timed(steps, "open attempts (bulk), statistics", started)

        users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(users))))}
        cookies = {user_id: mint_session(app, user) for user_id, user in users.items()}
        bank = {q.id: q for q in db.session.scalars(sa.select(Question).where(
            Question.module_id.in_([m.id for m in modules])))}
        lists = {}
        lists["landing"] = _write(out, "landing", [("GET", "/", "", "", "200")])
        lists["lesson"] = _write(out, "lesson", [
            ("GET", f"/learn/{COURSE}/{modules[1 + n % 5].slug}/{1 + n % modules[1 + n % 5].page_count}",
             cookies[learner["id"]][0], "", "200") for n, learner in enumerate(learners)])
        opened = list(db.session.scalars(sa.select(QuizAttempt).where(
            QuizAttempt.user_id.in_(others), QuizAttempt.submitted_at.is_(None))))
        by_key = {(a.user_id, a.module_id): a for a in opened}
        ordered = [by_key[(user_id, modules[n].id)] for n in SUBMIT_ORDER for user_id in others]
        lists["quiz"] = _write(out, "quiz", [("GET", f"/quiz/attempts/{a.id}", cookies[a.user_id][0], "", "200")
                                             for a in ordered[:len(others)]])
        submissions = []
        for attempt in ordered:
            cookie, token = cookies[attempt.user_id]
            body = urlencode([("csrf_token", token), *right_fields(attempt.draw, bank)])
            submissions.append(("POST", f"/quiz/attempts/{attempt.id}", cookie, body, "302"))
        lists["submit"] = _write(out, "submit", submissions)
        owners = {attempt_id: user_id for attempt_id, user_id in db.session.execute(
            sa.select(QuizAttempt.id, QuizAttempt.user_id).where(QuizAttempt.id.in_(first_attempt_ids)))}
        lists["result"] = _write(out, "result", [
            ("GET", f"/quiz/attempts/{a}/result", cookies[owners[a]][0], "", "200") for a in first_attempt_ids])
        admin_cookie = cookies[big_admin_id][0]
        lists["dashboard"] = _write(out, "dashboard", [("GET", f"/employer/{big_id}/", admin_cookie, "", "200")])
        lists["export"] = _write(out, "export", [("GET", f"/employer/{big_id}/export.csv", admin_cookie, "", "200")])
        issued = list(db.session.scalars(sa.select(Certificate).join(CertificatePdf).where(
            Certificate.user_id.in_([h["id"] for h in holders]))))
        lists["download"] = _write(out, "download", [
            ("GET", f"/certificates/{c.code}/pdf/{c.language}", cookies[c.user_id][0], "", "200") for c in issued])
        lists["verify"] = _write(out, "verify", [("GET", f"/verify/{c.code}", "", "", "200") for c in issued])
        _timed(steps, "sessions and request lists", started)
        manifest = {
            "steps": steps, "lists": lists, "big_organisation_id": big_id, "submissions": len(submissions),
            "learners": len(learners), "staff": BIG_ORGANISATION_STAFF, "certificates_with_pdf": len(issued),
            "certificate_codes": [c.code for c in issued], "user_agent": USER_AGENT,
            "course_version": db.session.scalar(sa.select(CourseVersion.number).join(
                Course, Course.current_version_id == CourseVersion.id).where(Course.slug == COURSE)),
        }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    print(json.dumps({"seeded": steps}))


if __name__ == "__main__":
    main(sys.argv[1])
