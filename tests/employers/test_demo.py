"""The demo organisation shows every dashboard state on a newcomer's first look."""

from pathlib import Path

import sqlalchemy as sa

from elearning.demo import DEMO_STAFF, create_demo_data
from elearning.employers import dashboard
from elearning.employers.models import Organisation
from elearning.employers.status import State

COURSES = Path(__file__).resolve().parents[2] / "courses"


def test_demo_company_has_staff_in_every_state(db, fake_pdf):
    from elearning.certificates.services import load_requirements
    from elearning.content.loader import load_courses

    load_courses(COURSES)
    load_requirements(COURSES / "requirements.yaml", COURSES)
    db.session.commit()
    assert create_demo_data()
    db.session.commit()
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Demo Company"))
    board = dashboard.build(organisation.id)
    assert board.staff_count == len(DEMO_STAFF) + 2
    seen = {status.state for row in board.all_rows for status in row.statuses.values()}
    assert seen == set(State)
    by_name = {row.full_name: {s.state for s in row.statuses.values()} for row in board.all_rows}
    assert State.EXPIRING in by_name["Anna Kowalska"] and State.EXPIRED in by_name["Pieter De Smet"]
    assert by_name["Julie Dubois"] == {State.OVERDUE} and by_name["Thomas Maes"] == {State.OVERDUE}
    assert [(p.full_name, p.trained) for p in board.contact_persons] == [("Koen Willems", False),
                                                                         ("Nadia Benali", True)]


def test_demo_without_courses_still_creates_the_people(db):
    assert create_demo_data()
    db.session.commit()
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Demo Company"))
    assert dashboard.build(organisation.id).staff_count == len(DEMO_STAFF) + 2
