"""Read a folder of courses (or one course folder), check every file and return what it holds.

Nothing here touches the database: `read_courses` is what both `check_courses` and the loader use.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elearning.config import LANGUAGES
from elearning.content.assets import Asset, parse_assets
from elearning.content.fields import Fields, expect_map
from elearning.content.files import MAX_LESSON_BYTES, MAX_QUIZ_BYTES, MAX_YAML_BYTES, read_text, shown_path
from elearning.content.helplines import parse_helplines
from elearning.content.lessons import Lesson, parse_lesson
from elearning.content.problems import CheckResult, Problem, Problems, Report, Summary
from elearning.content.questions import parse_quiz
from elearning.content.yamlfile import YamlList, YamlMap, read_yaml

FORMAT_VERSION = 1
HELPLINES_FILE = "helplines.yaml"
COURSE_KEYS = ("format", "id", "title", "description", "estimated_minutes", "modules")
MODULE_KEYS = ("id", "title", "estimated_minutes", "pass_mark", "questions_per_attempt", "content_note")
MODULE_OPTIONAL_KEYS = ("max_attempts", "retry_wait_minutes", "assets")


@dataclass
class ModuleContent:
    """A checked module: its settings, lessons per language, question bank and images."""

    slug: str
    title: dict[str, str]
    content_note: dict[str, str]  # Markdown per language
    estimated_minutes: int
    pass_mark: int
    questions_per_attempt: int
    max_attempts: int | None
    retry_wait_minutes: int
    lessons: dict[str, Lesson]
    questions: list[dict[str, Any]]
    assets: list[Asset]

    @property
    def page_count(self) -> int:
        return len(self.lessons[LANGUAGES[0]].pages)


@dataclass
class CourseContent:
    """A checked course and the hash of its files."""

    slug: str
    title: dict[str, str]
    description: dict[str, str]
    estimated_minutes: int
    content_hash: str
    modules: list[ModuleContent]


@dataclass
class CourseFolder:
    """Everything read from a folder: the courses, the help services and every problem found."""

    courses: list[CourseContent] = field(default_factory=list)
    helplines: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> Summary:
        return Summary(courses=len(self.courses), modules=sum(len(c.modules) for c in self.courses),
                       questions=sum(len(m.questions) for c in self.courses for m in c.modules),
                       languages=len(LANGUAGES))


def _ignore(line: int, message: str) -> None:
    """Report nothing (for a file whose problems are already reported)."""


def _visible_children(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith((".", "_")))


# What a course is made of; other files (an editor's backup "lesson.fr.md~", notes.txt) are not part of it and
# must not make a new version.
COURSE_FILE_SUFFIXES = frozenset({".yaml", ".yml", ".md", ".svg", ".png"})
# Lesson pages are stored rendered (LessonPage.html): a change to how Markdown or help lines render bumps this, so
# the next `courses load` stores a version rendered by today's code.
RENDERING = "4"  # 2: help services with one link per number, hours apart; 3: French spaces; 4: in help lists too


def content_hash(course_folder: Path, helplines: Path | None) -> str:
    """Return the SHA-256 of the course's files (relative paths and bytes), plus helplines.yaml its lessons embed
    and the version of the rendering."""
    digest = hashlib.sha256(f"rendering {RENDERING}\0".encode())
    files = sorted((p.relative_to(course_folder).as_posix(), p) for p in course_folder.rglob("*")
                   if p.is_file() and p.suffix.lower() in COURSE_FILE_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(course_folder).parts))
    if helplines is not None and helplines.is_file():
        files.append((f"../{HELPLINES_FILE}", helplines))
    for name, path in files:
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


class _Reader:
    """Walk the folder, reporting problems with paths shown as `shown_path` does (relative to the current
    directory when under it, otherwise absolute)."""

    def __init__(self, path: Path) -> None:
        self.given = path
        self.folder = Path(os.path.abspath(path))  # not resolved: a symlinked courses/ still shows as courses/
        self.problems = Problems()

    def display(self, path: Path) -> str:
        return shown_path(path)

    def report_in(self, path: Path) -> Report:
        return self.problems.for_file(self.display(path))

    def read_text(self, path: Path, limit: int = MAX_YAML_BYTES, what: str = "this file") -> str | None:
        """Return the text of `path`, or None after reporting it missing, too big or not UTF-8."""
        return read_text(path, limit, what, self.report_in(path))

    def read(self) -> CourseFolder:
        result = CourseFolder()
        if not self.folder.is_dir():
            self.report_in(self.given)(1, "no such folder")
            result.problems = self.problems.items
            return result
        single = (self.folder / "course.yaml").is_file()
        root = self.folder.parent if single else self.folder
        helplines_path = root / HELPLINES_FILE
        if helplines_path.is_file():
            text = self.read_text(helplines_path)
            result.helplines = parse_helplines(text, self.report_in(helplines_path)) if text is not None else []
        course_folders = [self.folder] if single else [p for p in _visible_children(self.folder) if p.is_dir()]
        if not course_folders:
            self.report_in(self.given)(1, "no course folder (a folder with a course.yaml) here")
        for course_folder in course_folders:
            course = self.read_course(course_folder, helplines_path, bool(result.helplines))
            if course is not None:
                result.courses.append(course)
        result.problems = self.problems.items
        return result

    def read_course(self, folder: Path, helplines_path: Path, has_helplines: bool) -> CourseContent | None:
        path = folder / "course.yaml"
        text = self.read_text(path)
        if text is None:
            return None
        report = self.report_in(path)
        data = expect_map(read_yaml(text, report), report, 1, "course.yaml")
        if data is None:
            return None
        fields = Fields(data, report, "course.yaml", COURSE_KEYS)
        if "format" in data and data["format"] != FORMAT_VERSION:
            report(fields.line("format"), f"format version must be {FORMAT_VERSION}, not {data['format']!r}")
        slug = fields.ident()
        if slug is not None and slug != folder.name:
            report(fields.line("id"), f"course id '{slug}' must equal its folder name '{folder.name}'")
        title, description = fields.texts("title"), fields.texts("description")
        minutes = fields.integer("estimated_minutes", minimum=1)
        modules = [self.read_module(folder / name, name, has_helplines, helplines_path)
                   for name in self._module_names(fields, folder, report)]
        if None in (slug, title, description, minutes) or None in modules:
            return None
        return CourseContent(slug, title, description, minutes, content_hash(folder, helplines_path), modules)

    def _module_names(self, fields: Fields, folder: Path, report: Report) -> list[str]:
        """Return the module folders listed in course.yaml that exist, reporting the others."""
        items = fields.items("modules")
        if items is None:
            return []
        if not items:
            report(fields.line("modules"), "'modules' in course.yaml lists no module")
        names: dict[str, int] = {}
        for item, line in zip(items, items.item_lines, strict=True):
            if not isinstance(item, str) or not item:
                report(line, "a module in 'modules' must be the name of a module folder")
            elif item in names:
                report(line, f"module '{item}' is listed twice (first on line {names[item]})")
            elif not (folder / item).is_dir():
                report(line, f"module '{item}' is listed but there is no folder {item}/ in the course")
                names[item] = line
            else:
                names[item] = line
        for child in _visible_children(folder):
            if child.is_dir() and child.name not in names:
                report(fields.line("modules"), f"folder '{child.name}' is not listed under 'modules'")
        return [name for name in names if (folder / name).is_dir()]

    def read_module(self, folder: Path, name: str, has_helplines: bool,
                    helplines_path: Path) -> ModuleContent | None:
        path = folder / "module.yaml"
        text, report = self.read_text(path), self.report_in(path)
        data = expect_map(read_yaml(text, report), report, 1, "module.yaml") if text is not None else None
        known = data is not None
        if data is None:  # already reported; still check the lessons and the quiz, to show every problem at once
            data, report = YamlMap(), _ignore
        fields = Fields(data, report, "module.yaml", MODULE_KEYS, MODULE_OPTIONAL_KEYS)
        slug = fields.ident()
        if slug is not None and slug != name:
            report(fields.line("id"), f"module id '{slug}' must equal its folder name '{name}'")
        assets = parse_assets(data.get("assets"), fields.line("assets"), folder, report, self.report_in)
        listed = _listed_assets(data.get("assets")) if known else None
        lessons = self._read_lessons(folder, listed, has_helplines, helplines_path)
        if listed is not None and len(lessons) == len(LANGUAGES):
            used = set().union(*(lesson.images for lesson in lessons.values()))
            for filename, line in listed.items():
                if filename not in used:
                    report(line, f"asset '{filename}' is listed but no lesson shows it; show it in a lesson with "
                                 f"![]({filename}) or remove it from 'assets'")
        questions = self._read_quiz(folder)
        settings = {
            "title": fields.texts("title"),
            "content_note": fields.texts("content_note"),
            "estimated_minutes": fields.integer("estimated_minutes", minimum=1),
            "pass_mark": fields.integer("pass_mark", minimum=1, maximum=100),
            "questions_per_attempt": fields.integer("questions_per_attempt", minimum=1),
            "max_attempts": fields.integer("max_attempts", minimum=1, nullable=True),
            "retry_wait_minutes": fields.integer("retry_wait_minutes", minimum=0) or 0,
        }
        drawn = settings["questions_per_attempt"]
        if drawn is not None and questions is not None and drawn > len(questions):
            report(fields.line("questions_per_attempt"), f"questions_per_attempt is {drawn} but quiz.yaml has "
                                                          f"only {len(questions)} questions")
        required = ("title", "content_note", "estimated_minutes", "pass_mark", "questions_per_attempt")
        if (slug is None or len(lessons) < len(LANGUAGES) or questions is None
                or any(settings[k] is None for k in required)):
            return None
        return ModuleContent(slug=slug, lessons=lessons, questions=questions, assets=assets, **settings)

    def _read_lessons(self, folder: Path, assets: Collection[str] | None, has_helplines: bool,
                      helplines_path: Path) -> dict[str, Lesson]:
        """Return the lessons that could be read (every language when none is missing)."""
        lessons: dict[str, Lesson] = {}
        for language in LANGUAGES:
            path = folder / f"lesson.{language}.md"
            text = self.read_text(path, MAX_LESSON_BYTES, "a lesson file")
            if text is None:
                continue
            report = self.report_in(path)
            lesson = parse_lesson(text, language, assets, report)
            if lesson.helplines_line and not has_helplines:
                report(lesson.helplines_line, f"[[helplines]] needs a valid {self.display(helplines_path)}")
            lessons[language] = lesson
        counted = [(language, lesson) for language, lesson in lessons.items() if lesson.pages]
        if counted:
            reference, expected = counted[0][0], len(counted[0][1].pages)
            for language, lesson in counted[1:]:
                if len(lesson.pages) != expected:
                    pages = lesson.pages
                    line = pages[expected].line if len(pages) > expected else pages[-1].line
                    self.report_in(folder / f"lesson.{language}.md")(
                        line, f"this lesson has {len(pages)} pages but lesson.{reference}.md has {expected}; "
                              "every language needs the same pages")
        return lessons

    def _read_quiz(self, folder: Path) -> list[dict[str, Any]] | None:
        path = folder / "quiz.yaml"
        text = self.read_text(path, MAX_QUIZ_BYTES, "a quiz file")
        if text is None:
            return None
        report = self.report_in(path)
        return parse_quiz(read_yaml(text, report), report)


def _listed_assets(items: Any) -> dict[str, int]:
    """Return the file name of each asset listed in module.yaml and the line it is on."""
    listed: dict[str, int] = {}
    for item in items if isinstance(items, YamlList) else ():
        if isinstance(item, YamlMap) and isinstance(item.get("file"), str):
            listed.setdefault(item["file"], item.line_of("file"))
    return listed


def read_courses(path: str | Path) -> CourseFolder:
    """Read and check every course under `path` (a folder of course folders, or one course folder)."""
    return _Reader(Path(path)).read()


def check_courses(path: str | Path) -> CheckResult:
    """Return every problem in the courses under `path` and a count of what they hold."""
    folder = read_courses(path)
    return CheckResult(problems=folder.problems, summary=folder.summary())
