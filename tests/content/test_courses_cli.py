"""flask courses check|load, and the course loading the dev server does at start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from elearning.cli import prepare_database
from elearning.content.models import Course, CourseVersion

FIXTURE_COURSES = str(Path(__file__).resolve().parent.parent / "fixtures" / "courses")
FIXTURE_REQUIREMENTS = Path(__file__).resolve().parent.parent / "fixtures" / "requirements.yaml"


def add_requirements(files) -> Path:
    """Copy tests/fixtures/requirements.yaml (two requirements on the demo course) into the copied courses/."""
    return Path(shutil.copy(FIXTURE_REQUIREMENTS, files.root / "requirements.yaml"))


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line != "Nothing was loaded."]


def test_check_prints_a_summary_and_exits_0_when_valid(runner):
    result = runner.invoke(args=["courses", "check", FIXTURE_COURSES])

    assert result.exit_code == 0
    assert result.output == "1 course, 2 modules, 11 questions, 3 languages: valid\n"


@pytest.mark.settings(COURSES_PATH=FIXTURE_COURSES)
def test_check_uses_the_configured_courses_path_by_default(runner):
    result = runner.invoke(args=["courses", "check"])

    assert (result.exit_code, result.output) == (0, "1 course, 2 modules, 11 questions, 3 languages: valid\n")


def test_check_prints_every_problem_and_exits_1(runner, files):
    files.replace("course.yaml", "format: 1", "format: 2")
    files.replace("m2-practice/module.yaml", "pass_mark: 80", "pass_mark: 0")

    result = runner.invoke(args=["courses", "check", str(files.root)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "courses/demo-course/course.yaml:1: format version must be 1, not 2",
        "courses/demo-course/m2-practice/module.yaml:7: 'pass_mark' in module.yaml must be between 1 and 100, not 0",
        "2 problems in 2 files",
    ]


def test_load_commits_and_says_what_it_did(runner, db, courses):
    first = runner.invoke(args=["courses", "load", str(courses)])
    second = runner.invoke(args=["courses", "load", str(courses)])

    assert (first.exit_code, first.output) == (0, "demo-course: loaded as a new version (version 1)\n")
    assert (second.exit_code, second.output) == (0, "demo-course: unchanged (version 1)\n")
    db.session.rollback()  # what was committed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseVersion)) == 1


def test_files_that_are_not_part_of_a_course_make_no_new_version(runner, db, files):
    """An editor's backup or a note beside the lessons is not content: loading again changes nothing."""
    assert runner.invoke(args=["courses", "load", str(files.root)]).exit_code == 0
    files.path("m1-basics/lesson.en.md~").write_text("an editor's backup", encoding="utf-8")
    files.path("notes.txt").write_text("to do: check the French", encoding="utf-8")
    again = runner.invoke(args=["courses", "load", str(files.root)])
    assert (again.exit_code, again.output) == (0, "demo-course: unchanged (version 1)\n")
    files.replace("m1-basics/lesson.en.md", "This is the first page", "This is the very first page")
    changed = runner.invoke(args=["courses", "load", str(files.root)])
    assert changed.output == "demo-course: loaded as a new version (version 2)\n"


def test_load_writes_nothing_and_exits_1_when_invalid(runner, db, files):
    files.delete("m1-basics/quiz.yaml")

    result = runner.invoke(args=["courses", "load", str(files.root)])

    assert result.exit_code == 1
    assert result.output.splitlines() == ["courses/demo-course/m1-basics/quiz.yaml:1: missing file quiz.yaml",
                                          "1 problem in 1 file", "Nothing was loaded."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


@pytest.mark.settings(COURSES_PATH=FIXTURE_COURSES)
def test_prepare_database_loads_the_courses(app, db):
    prepare_database(app)
    db.session.rollback()

    course = db.session.scalar(sa.select(Course))
    assert (course.slug, course.current_version.number) == ("demo-course", 1)


def test_prepare_database_reports_invalid_courses_and_goes_on(app, db, files, capsys):
    files.replace("course.yaml", "format: 1", "format: 2")
    app.config["COURSES_PATH"] = str(files.root)

    prepare_database(app)

    assert "course.yaml:1: format version must be 1, not 2" in capsys.readouterr().err
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_files_outside_the_current_directory_are_shown_by_their_absolute_path(runner, db, files, tmp_path,
                                                                             monkeypatch):
    requirements = add_requirements(files)
    requirements.write_text(requirements.read_text(encoding="utf-8").replace("validity_months: 36",
                                                                               "validity_months: 0"), encoding="utf-8")
    files.replace("course.yaml", "format: 1", "format: 2")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")

    check = runner.invoke(args=["courses", "check", str(files.root)])
    load = runner.invoke(args=["courses", "load", str(files.root)])

    root = files.root.as_posix()
    assert check.output.splitlines() == [
        f"{root}/demo-course/course.yaml:1: format version must be 1, not 2",
        f"{root}/requirements.yaml:17: 'validity_months' in requirement 'demo-basics' must be between 1 and 120, "
        "not 0",
        "2 problems in 2 files"]
    assert (load.exit_code, load.output.splitlines()) == (1, check.output.splitlines() + ["Nothing was loaded."])


def test_a_course_that_cannot_be_read_makes_one_requirements_problem_in_check_and_load(runner, db, files):
    """A YAML error in course.yaml is the problem; requirements.yaml says once that it could not check its modules."""
    add_requirements(files)
    files.replace("course.yaml", "  fr: Cours de démonstration", "  fr: Cours: de démonstration")

    check = runner.invoke(args=["courses", "check", str(files.root)])
    load = runner.invoke(args=["courses", "load", str(files.root)])

    assert check.exit_code == load.exit_code == 1
    assert problem_lines(check.output) == problem_lines(load.output) == [
        'courses/demo-course/course.yaml:5: YAML syntax error: a text contains \': \' (a colon and a space); put the '
        'text in double quotes when it contains \': \', e.g. fr: "Cours: de démonstration"',
        "courses/requirements.yaml:16: the modules of course 'demo-course' cannot be checked until the problem in its "
        "course.yaml is fixed",
        "2 problems in 2 files"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0
