"""Fixtures for the course loader: a writable copy of the demo course and small file-editing helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"


@pytest.fixture
def courses(tmp_path, monkeypatch) -> Path:
    """Return a copy of tests/fixtures/courses (helplines.yaml and demo-course) that a test may edit.

    The test runs in the copy's parent folder, as an author runs `courses check courses/`: problems name files
    relative to the current directory ("courses/demo-course/…") when they are under it.
    """
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, target)
    monkeypatch.chdir(tmp_path)
    return target


class CourseFiles:
    """Edit the files of the copied demo course by their path inside demo-course/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.course = root / "demo-course"

    def path(self, name: str) -> Path:
        return self.course / name

    def shown(self, name: str) -> str:
        """Return how a problem names the file, the test running in the copy's parent folder."""
        return f"courses/demo-course/{name}"

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace the one occurrence of `old` in the file."""
        path = self.path(name)
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def append(self, name: str, text: str) -> None:
        with self.path(name).open("a", encoding="utf-8") as file:
            file.write(text)

    def delete(self, name: str) -> None:
        self.path(name).unlink()

    def line_of(self, name: str, needle: str) -> int:
        """Return the 1-based line of the first line containing `needle`."""
        for number, line in enumerate(self.path(name).read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in {name}")


@pytest.fixture
def files(courses) -> CourseFiles:
    """Return an editor for the copied demo course."""
    return CourseFiles(courses)
