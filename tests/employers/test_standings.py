"""The derived standing rows (certificates/standing.py) follow what learners do, and the dashboard's SQL states
agree with status.compute_status."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from elearning.accounts.models import utcnow
from elearning.certificates import services as certificate_services
from elearning.certificates import standing
from elearning.certificates.models import Certificate, RequirementStanding
from elearning.dates import local_today
from elearning.employers import dashboard, services
from elearning.employers.dashboard import Filters
from elearning.employers.models import Membership
from elearning.employers.status import STATES, State
from tests.employers.conftest import BASICS, PRACTICE, bulk_staff
from tests.reliability.answers import answer_fields, answer_key

FIXTURE_COURSES = Path(__file__).parents[1] / "fixtures" / "courses"


def rows_of(db, user) -> dict[int, RequirementStanding]:
    return {row.requirement_id: row for row in db.session.scalars(
        sa.select(RequirementStanding).where(RequirementStanding.user_id == user.id))}


def pass_through_the_pages(client, module_slug: str) -> None:
    """Read the module's first lesson page, start its quiz and answer every question right."""
    assert client.get(f"/learn/demo-course/{module_slug}/1").status_code == 200
    started = client.post(f"/quiz/demo-course/{module_slug}")
    attempt_page = client.get(started.headers["Location"]).get_data(as_text=True)
    fields = answer_fields(attempt_page, answer_key(FIXTURE_COURSES), random.Random(1), right_rate=1.0)
    assert client.post(started.headers["Location"], data=MultiDict(fields)).status_code == 302


def test_reading_passing_and_earning_a_certificate_update_the_standing(db, as_user, create_user, org_a,
                                                                       requirements, fake_pdf):
    learner = create_user("lea@acme.example", organisation=org_a)
    client = as_user(learner)
    full, basics = requirements["demo-full"].id, requirements["demo-basics"].id
    assert rows_of(db, learner) == {}

    assert client.get("/learn/demo-course/m2-practice/1").status_code == 200
    opened = rows_of(db, learner)
    assert set(opened) == {full} and opened[full].opened_at is not None and opened[full].passed_modules == 0

    pass_through_the_pages(client, "m1-basics")
    db.session.expire_all()
    rows = rows_of(db, learner)
    assert rows[full].passed_modules == 1 and rows[full].certificate_id is None
    issued = db.session.scalar(sa.select(Certificate).filter_by(user_id=learner.id, requirement_id=basics))
    assert (rows[basics].certificate_code, rows[basics].expires_on) == (issued.code, issued.expires_at.date())
    assert rows[basics].passed_modules == 0  # the pass was used by that certificate

    pass_through_the_pages(client, "m2-practice")
    db.session.expire_all()
    rows = rows_of(db, learner)
    assert rows[full].certificate_id is not None and rows[full].passed_modules == 0
    assert rows[full].opened_at is None  # every visit came before the certificate

    revoked = db.session.get(Certificate, rows[full].certificate_id)
    certificate_services.revoke(revoked, learner, "test")
    db.session.commit()
    db.session.expire_all()
    assert full not in rows_of(db, learner)  # no certificate left, and its passes were used by the revoked one


def test_the_dashboard_follows_the_learner_through_the_services(db, as_user, create_user, admin_a, org_a,
                                                               requirements, fake_pdf):
    learner = create_user("lea@acme.example", full_name="Lea", organisation=org_a)
    services.assign(org_a, requirements["demo-full"].id, job_role="hr_manager", due_on=local_today(),
                    created_by=admin_a)
    db.session.commit()

    def lea_state() -> str:
        page = dashboard.build_page(org_a.id, Filters(search="lea"))
        return page.rows[0].statuses[requirements["demo-full"].id].state

    assert lea_state() == "not_started"
    client = as_user(learner)
    client.get("/learn/demo-course/m1-basics/1")
    assert lea_state() == "in_progress"
    pass_through_the_pages(client, "m1-basics")
    pass_through_the_pages(client, "m2-practice")
    db.session.expire_all()
    assert lea_state() == "done"


def test_deleting_the_holder_removes_their_rows(db, create_user, org_a, staff, requirements):
    dora = staff["dora"]
    assert rows_of(db, dora)
    certificate_services.forget_holder(dora)
    db.session.commit()
    assert rows_of(db, dora) == {}


def test_a_changed_requirement_recounts_everyone(db, staff, requirements, tmp_path):
    ivo = staff["ivo"]
    full = requirements["demo-full"].id
    assert rows_of(db, ivo)[full].passed_modules == 1
    changed = (Path(__file__).parents[1] / "fixtures" / "requirements.yaml").read_text()
    changed = changed.replace("      - demo-course/m1-basics\n      - demo-course/m2-practice\n",
                              "      - demo-course/m2-practice\n")
    (tmp_path / "requirements.yaml").write_text(changed)
    certificate_services.load_requirements(tmp_path / "requirements.yaml", FIXTURE_COURSES)
    db.session.commit()
    db.session.expire_all()
    assert rows_of(db, ivo)[full].passed_modules == 0  # m1 no longer belongs to it; m2 was only opened


def test_a_pass_that_left_its_window_stops_counting(db, org_a, admin_a, staff, requirements, pass_module):
    nadia, full = staff["nadia"], requirements["demo-full"].id
    pass_module(nadia, BASICS, utcnow() - timedelta(days=30 * 23))  # inside the 24 months, for now
    assert rows_of(db, nadia)[full].passed_modules == 1
    later = utcnow() + timedelta(days=90)  # the pass is older than 24 months by then

    board = dashboard.build(org_a.id, now=later)  # worked out again without writing
    assert next(r for r in board.all_rows if r.user_id == nadia.id).statuses[full].progress.passed == 0
    assert rows_of(db, nadia)[full].passed_modules == 1

    page = dashboard.build_page(org_a.id, Filters(search="nadia"), now=later)  # rewritten, the caller commits
    assert page.refreshed == 1 and page.rows[0].statuses[full].progress.passed == 0
    db.session.commit()
    db.session.expire_all()
    assert rows_of(db, nadia)[full].passed_modules == 0
    assert dashboard.build_page(org_a.id, now=later).refreshed == 0


def test_sql_states_counts_and_filters_agree_with_compute_status(db, org_a, admin_a, requirements, pass_module,
                                                                 start_module, issue_certificate):
    """Random people in every combination; the page path (SQL) must match the whole list (Python)."""
    rng = random.Random(7)
    ids = bulk_staff(org_a, 60, prefix="mix")
    roles = ["hr_manager", "contact_person", "manager"]
    db.session.execute(sa.update(Membership).where(Membership.user_id.in_(ids)).values(
        job_role=sa.case(*((Membership.user_id == user_id, rng.choice(roles)) for user_id in ids))))
    contacts = rng.sample(ids, 20)  # trained or not, in the panel's first few or not
    db.session.execute(sa.update(Membership).where(Membership.user_id.in_(contacts)).values(is_contact_person=True))
    full, basics = requirements["demo-full"], requirements["demo-basics"]
    today = local_today()
    for requirement, role in ((full, "hr_manager"), (basics, "contact_person"), (full, "contact_person")):
        services.assign(org_a, requirement.id, job_role=role, due_on=rng.choice([None, today - timedelta(days=3),
                                                                                 today + timedelta(days=9)]),
                        created_by=admin_a)
    memberships = list(db.session.scalars(sa.select(Membership).where(Membership.user_id.in_(ids))))
    services.assign(org_a, basics.id, memberships=rng.sample(memberships, 15), due_on=today - timedelta(days=1),
                    created_by=admin_a)
    db.session.commit()
    from elearning.accounts.models import User

    now = utcnow()
    for user_id in ids:
        user = db.session.get(User, user_id)
        kind = rng.randrange(7)
        if kind == 1:
            start_module(user, rng.choice([BASICS, PRACTICE]), now - timedelta(days=rng.choice([3, 900])))
        elif kind == 2:
            pass_module(user, BASICS, now - timedelta(days=rng.choice([5, 400])))
        elif kind >= 3:
            slug = rng.choice(["demo-full", "demo-basics"])
            issued = now - timedelta(days=rng.choice([1, 300, 700, 800]))
            expires = issued + timedelta(days=rng.choice([30, 700, 750, 830]))
            issue_certificate(user, slug, issued, expires_at=expires, revoked=kind == 6)
            if kind == 5:
                pass_module(user, PRACTICE, now - timedelta(days=2))

    whole = dashboard.build(org_a.id)
    page = dashboard.build_page(org_a.id, page_size=1000, contacts_shown=1000)
    assert page.counts == whole.counts and sum(page.counts.values()) > 40
    assert {state for state, count in page.counts.items() if count} == set(STATES)
    assert [r.id for r in page.requirements] == [r.id for r in whole.requirements]
    assert [(row.membership_id, row.statuses) for row in page.rows] == \
        [(row.membership_id, row.statuses) for row in whole.all_rows]
    assert page.contact_persons == sorted(whole.contact_persons, key=lambda person: person.trained)
    assert page.contacts_designated == len(whole.contact_persons) > page.contacts_trained > 0
    assert page.contacts_trained == sum(person.trained for person in whole.contact_persons)
    first = dashboard.build_page(org_a.id, contacts_shown=3)
    assert first.contact_persons == page.contact_persons[:3]
    assert (first.contacts_designated, first.contacts_trained) == (page.contacts_designated, page.contacts_trained)
    assert page.staff_count == whole.staff_count
    for state in STATES:
        for role, contacts in (("", False), ("contact_person", False), ("", True)):
            filters = Filters(status=state.value, role=role, contacts=contacts)
            expected = [row.membership_id for row in dashboard.build(org_a.id, filters).rows]
            found = dashboard.build_page(org_a.id, filters, page_size=1000)
            assert [row.membership_id for row in found.rows] == expected and found.matching == len(expected)
            if not role and not contacts:  # the number beside a state is how many people its filter lists
                assert page.counts[state] == found.matching, state
    contact_ids = {row.membership_id for row in whole.all_rows if row.is_contact_person}
    only_contacts = dashboard.build_page(org_a.id, Filters(contacts=True), page_size=1000)
    assert {row.membership_id for row in only_contacts.rows} == contact_ids and only_contacts.matching == 20


def test_pages_and_a_page_past_the_last(db, org_a, requirements):
    bulk_staff(org_a, 25, prefix="pager")
    first = dashboard.build_page(org_a.id, page=1, page_size=10)
    assert (first.page, first.pages, first.matching, first.staff_count, len(first.rows)) == (1, 3, 25, 25, 10)
    past = dashboard.build_page(org_a.id, page=99, page_size=10)
    assert (past.page, past.pages, len(past.rows)) == (3, 3, 5)
    none = dashboard.build_page(org_a.id, Filters(search="nobody by this name"), page=2, page_size=10)
    assert (none.page, none.pages, none.matching, none.rows, none.staff_count) == (1, 1, 0, [], 25)


def test_the_migration_fills_the_table_from_what_is_stored(db, staff, requirements):
    """Migration 0003, run for real on a database that holds progress, passes and certificates but no standing.

    It fills the table with today's code (standing.refresh_everyone), so a later change to the models that code
    reads must keep it working on the schema as it stood at 0003: this test fails if it does not.
    """
    from flask_migrate import downgrade, stamp, upgrade

    columns = ("user_id", "requirement_id", "passed_modules", "passes_from", "opened_at", "certificate_id",
               "expires_on")

    def stored() -> set[tuple]:
        table = standing.standings
        return set(db.session.execute(sa.select(*(table.c[name] for name in columns))).all())

    written_by_the_services = stored()
    assert len(written_by_the_services) == 6  # Ivo (both requirements), Dora, Emma, Xavier, Carla
    ivo = (staff["ivo"].id, requirements["demo-full"].id)
    db.session.commit()
    db.session.close()  # no transaction of the test's may hold a lock the schema change waits for
    stamp(revision="head")  # the tests' tables come from create_all: tell Alembic they are at the last revision
    try:
        downgrade(revision="752d70397b54")  # before requirement_standings existed
        assert "requirement_standings" not in sa.inspect(db.engine).get_table_names()
        upgrade()
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    assert stored() == written_by_the_services
    _, _, passed, _, opened_at, _, _ = next(row for row in stored() if row[:2] == ivo)
    assert passed == 1 and opened_at is not None


def test_the_migration_dates_expiries_as_in_brussels(db, staff, requirements):
    """Migration 0004 rewrites the expiry dates stored as UTC dates; its downgrade writes them back."""
    from flask_migrate import downgrade, stamp, upgrade

    table = standing.standings
    dora = (table.c.user_id == staff["dora"].id) & (table.c.requirement_id == requirements["demo-full"].id)
    late = datetime(2029, 11, 27, 23, 30)  # 28 November in Brussels
    db.session.execute(table.update().where(dora).values(certificate_expires_at=late, expires_on=late.date()))
    db.session.commit()
    db.session.close()
    stamp(revision="head")
    try:
        downgrade(revision="d4d47c15fe13")
        assert db.session.scalar(sa.select(table.c.expires_on).where(dora)) == date(2029, 11, 27)
        db.session.close()
        upgrade()
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    assert db.session.scalar(sa.select(table.c.expires_on).where(dora)) == date(2029, 11, 28)


def test_late_in_the_evening_the_dashboard_counts_the_brussels_day(db, org_a, staff, requirements):
    """At 23:30 UTC it is already the next day in Brussels: a requirement due on the UTC day is overdue."""
    nadia = db.session.scalar(sa.select(Membership).filter_by(user_id=staff["nadia"].id))
    services.assign(org_a, requirements["demo-full"].id, memberships=[nadia], due_on=date(2026, 11, 27),
                    created_by=None)
    db.session.commit()
    full = requirements["demo-full"].id

    def nadia_at(now):
        page = dashboard.build_page(org_a.id, Filters(search="Nadia"), now=now)
        return page.rows[0].statuses[full].state

    assert nadia_at(datetime(2026, 11, 27, 22, 30)) == State.NOT_STARTED  # 23:30 in Brussels, still the 27th
    assert nadia_at(datetime(2026, 11, 27, 23, 30)) == State.OVERDUE  # 00:30 on the 28th in Brussels


def test_the_command_rewrites_every_standing(app, db, staff, requirements):
    db.session.execute(sa.delete(RequirementStanding))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["certificates", "refresh-standings"])
    assert result.exit_code == 0 and result.output == "6 standing rows written.\n"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RequirementStanding)) == 6


def test_hundreds_of_contact_persons_are_summed_up(db, as_user, admin_a, org_a, staff, requirements):
    ids = bulk_staff(org_a, 30, job_role="contact_person", prefix="contact")
    db.session.execute(sa.update(Membership).where(Membership.user_id.in_(ids)).values(is_contact_person=True))
    db.session.commit()
    page = as_user(admin_a).get(f"/employer/{org_a.id}/").get_data(as_text=True)
    panel = page[page.index('class="contact-panel"'):page.index("</section>", page.index('class="contact-panel"'))]
    assert "31 contact persons designated, 1 of them trained." in panel  # Carla holds a valid certificate
    assert panel.count("<li>") == 10 and "And 21 more, each on their page in the staff list." in panel
    assert "Carla" not in panel  # the untrained come first


def test_an_absurd_page_number_shows_the_last_page(as_user, admin_a, org_a, requirements):
    response = as_user(admin_a).get(f"/employer/{org_a.id}/?page=99999999999999999999999")
    assert response.status_code == 200 and "1 of 1 people" in response.get_data(as_text=True)
