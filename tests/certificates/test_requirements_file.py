"""requirements.yaml: checked like the course files (file:line: message), loaded idempotently."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from elearning.certificates import services
from elearning.certificates.models import Requirement
from elearning.certificates.requirements import check_requirements, read_requirements
from elearning.content.problems import Problem
from tests.certificates.conftest import FIXTURE_COURSES, FIXTURE_REQUIREMENTS

ROOT = Path(__file__).resolve().parents[2]

VALID = """\
format: 1
requirements:
  - id: demo
    title:
      nl: Demo
      fr: Démo
      en: Demo
    description:
      nl: Beschrijving
      fr: Description
      en: Description
    job_roles: [hr_manager, contact_person]
    modules:
      - demo-course/m1-basics
      - demo-course/m2-practice
    validity_months: 24
    hours: 1.5
"""


def write(tmp_path, text):
    path = tmp_path / "requirements.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_in(tmp_path, text):
    return check_requirements(write(tmp_path, text), FIXTURE_COURSES)


def test_shipped_requirements_are_valid():
    result = read_requirements(ROOT / "courses" / "requirements.yaml")
    assert result.problems == []
    by_id = {spec.slug: spec for spec in result.requirements}
    awareness, resource = by_id["cease-awareness"], by_id["cease-resource-person"]
    assert awareness.for_all_roles and len(awareness.modules) == 4
    assert resource.validity_months == 24 and len(resource.modules) == 6
    assert set(resource.job_roles) == {"hr_manager", "prevention_adviser", "cpbw_member", "external_prevention",
                                       "contact_person"}


def test_shipped_wording_never_claims_a_cease_certification():
    text = (ROOT / "courses" / "requirements.yaml").read_text(encoding="utf-8").lower()
    for claim in ("cease-certified", "cease certified", "certified by cease", "certifié cease", "certifiée cease",
                  "gecertificeerd door cease", "meets cease requirements"):
        assert claim not in text


def test_fixture_requirements_are_valid():
    assert check_requirements(FIXTURE_REQUIREMENTS, FIXTURE_COURSES) == []


def test_valid_file(tmp_path):
    assert problems_in(tmp_path, VALID) == []


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("    hours: 1.5\n", "    hours: 1.5\n    colour: blue\n", 18, "unknown key 'colour' in requirement 'demo'"),
    ("      fr: Démo\n", "", 4, "missing language 'fr' in 'title' of requirement 'demo'"),
    ("      en: Description\n", "      en: Description\n      de: Beschreibung\n", 12, "unknown language 'de'"),
    ("[hr_manager, contact_person]", "[hr_manager, ceo]", 12, "unknown job role 'ceo' in requirement 'demo'"),
    ("[hr_manager, contact_person]", "everyone", 12, "'job_roles' in requirement 'demo' must be 'all' or a list"),
    ("demo-course/m2-practice", "demo-course/m9-missing", 15,
     "module 'demo-course/m9-missing' in requirement 'demo' does not exist: course 'demo-course' has no module "
     "'m9-missing'"),
    ("demo-course/m2-practice", "other-course/m1-basics", 15,
     "module 'other-course/m1-basics' in requirement 'demo' does not exist: there is no course 'other-course'"),
    ("demo-course/m2-practice", "m2-practice", 15, "must be written course-id/module-id"),
    ("demo-course/m2-practice", "demo-course/m1-basics", 15, "module 'demo-course/m1-basics' is listed twice"),
    ("validity_months: 24", "validity_months: 0", 16,
     "'validity_months' in requirement 'demo' must be between 1 and 120"),
    ("validity_months: 24", "validity_months: 121", 16, "must be between 1 and 120, not 121"),
    ("validity_months: 24", "validity_months: two years", 16, "must be a whole number"),
    ("hours: 1.5", "hours: 0", 17, "'hours' in requirement 'demo' must be between 0.5 and 100, not 0"),
    ("hours: 1.5", "hours: 250", 17, "must be between 0.5 and 100, not 250"),
    ("hours: 1.5", "hours: many", 17, "'hours' in requirement 'demo' must be a number of hours"),
    ("    hours: 1.5\n", "", 3, "missing key 'hours' in requirement 'demo'"),
    ("  - id: demo\n", "  - id: Demo Requirement\n", 3, "'Demo Requirement' is not a valid id"),
    ("format: 1\n", "format: 2\n", 1, "format version must be 1, not 2"),
    ("requirements:\n", "requirement:\n", 2, "unknown key 'requirement'"),
])
def test_problems_point_at_the_line(tmp_path, old, new, line, message):
    assert old in VALID
    problems = problems_in(tmp_path, VALID.replace(old, new, 1))
    assert any(p.line == line and message in p.message for p in problems), [str(p) for p in problems]
    assert all(isinstance(p, Problem) for p in problems)


def test_duplicate_ids(tmp_path):
    body = VALID.split("requirements:\n", 1)[1]
    problems = problems_in(tmp_path, VALID + body)
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "requirement id 'demo' appears twice (first on line 3)"]
    assert problems[0].line == 18


def test_problem_format_is_file_line_message(tmp_path):
    [problem] = problems_in(tmp_path, VALID.replace("hours: 1.5", "hours: 0"))
    assert str(problem) == f"{tmp_path.as_posix()}/requirements.yaml:17: 'hours' in requirement 'demo' must be " \
                           "between 0.5 and 100, not 0"


def test_missing_file_and_syntax_errors(tmp_path):
    [missing] = check_requirements(tmp_path / "requirements.yaml", FIXTURE_COURSES)
    assert missing.message == "missing file requirements.yaml"
    [syntax] = problems_in(tmp_path, "format: 1\nrequirements: [\n")
    assert "YAML syntax error" in syntax.message


def test_courses_folder_defaults_to_the_file_folder(tmp_path):
    problems = check_requirements(write(tmp_path, VALID))
    assert any("there is no course 'demo-course'" in p.message for p in problems)


def test_load_is_idempotent(db, tmp_path):
    path = write(tmp_path, VALID)
    assert [r.state for r in services.load_requirements(path, FIXTURE_COURSES)] == ["created"]
    assert [r.state for r in services.load_requirements(path, FIXTURE_COURSES)] == ["unchanged"]
    row = db.session.scalars(sa.select(Requirement)).one()
    assert row.modules == ["demo-course/m1-basics", "demo-course/m2-practice"]
    assert row.job_roles == ["hr_manager", "contact_person"] and not row.for_all_roles
    assert row.title["fr"] == "Démo" and row.hours == 1.5 and row.is_active

    write(tmp_path, VALID.replace("validity_months: 24", "validity_months: 12"))
    assert [r.state for r in services.load_requirements(path, FIXTURE_COURSES)] == ["updated"]
    assert db.session.scalars(sa.select(Requirement)).one().validity_months == 12

    write(tmp_path, VALID.replace("id: demo", "id: demo-two"))
    reports = services.load_requirements(path, FIXTURE_COURSES)
    assert [(r.slug, r.state) for r in reports] == [("demo-two", "created"), ("demo", "retired")]
    assert {r.slug: r.is_active for r in db.session.scalars(sa.select(Requirement))} == {"demo": False,
                                                                                         "demo-two": True}


def test_load_writes_nothing_when_invalid(db, tmp_path):
    path = write(tmp_path, VALID.replace("hours: 1.5", "hours: 0"))
    with pytest.raises(services.RequirementsInvalid) as raised:
        services.load_requirements(path, FIXTURE_COURSES)
    assert raised.value.problems[0].line == 17
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Requirement)) == 0


def test_modules_of_a_course_that_cannot_be_read_make_one_problem(tmp_path):
    """course.yaml's own problem is the course check's to report: its modules are not each called missing."""
    courses = Path(shutil.copytree(FIXTURE_COURSES, tmp_path / "courses"))
    course_yaml = courses / "demo-course" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8").replace("fr: Cours de", "fr: Cours: de"),
                           encoding="utf-8")

    problems = check_requirements(FIXTURE_REQUIREMENTS, courses)

    assert [(p.line, p.message) for p in problems] == [
        (16, "the modules of course 'demo-course' cannot be checked until the problem in its course.yaml is fixed")]


def test_problems_show_the_file_from_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    [problem] = problems_in(tmp_path, VALID.replace("hours: 1.5", "hours: 0"))
    assert problem.path == "requirements.yaml"


def test_a_file_not_saved_as_utf8_is_reported_at_its_first_bad_byte(tmp_path):
    path = tmp_path / "requirements.yaml"
    path.write_bytes(VALID.encode("latin-1"))  # "Démo" on line 6 is the first character that is not UTF-8
    [problem] = check_requirements(path, FIXTURE_COURSES)
    assert (problem.line, problem.message.split(";")[0]) == (6, "this file is not saved as UTF-8 (save it as UTF-8)")
