"""courses/requirements.yaml: read and check the training requirements (no database, no Flask).

Public API: `read_requirements(path, courses_path=None) -> RequirementsFile` and
`check_requirements(path, courses_path=None) -> list[Problem]`. Module references ("course/module") are
checked against the course folders in `courses_path`, by default the folder holding the file. A course whose
course.yaml cannot be read (its own problem, reported by the course check) gives one problem here, not one per
reference into it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from elearning.accounts.models import JobRole
from elearning.content.fields import Fields, describe, expect_map
from elearning.content.files import MAX_YAML_BYTES, read_text, shown_path
from elearning.content.problems import Problem, Problems, Report
from elearning.content.yamlfile import YamlList, YamlMap, read_yaml

FORMAT_VERSION = 1
FILE_KEYS = ("format", "requirements")
REQUIREMENT_KEYS = ("id", "title", "description", "job_roles", "modules", "validity_months", "hours")
ALL_ROLES = "all"
MAX_VALIDITY_MONTHS = 120
MIN_HOURS, MAX_HOURS = 0.5, 100


@dataclass(frozen=True)
class RequirementSpec:
    """One checked requirement, as written in the file."""

    slug: str
    title: dict[str, str]
    description: dict[str, str]
    job_roles: tuple[str, ...]  # empty when for_all_roles
    for_all_roles: bool
    modules: tuple[str, ...]  # "course-slug/module-slug"
    validity_months: int
    hours: float

    @property
    def definition_hash(self) -> str:
        """Return the SHA-256 of the definition, so loading can tell a change from a reload."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class RequirementsFile:
    """The requirements read from the file, and every problem found in it."""

    requirements: list[RequirementSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


UNREADABLE = "unreadable"  # what _CourseIndex.modules returns for a course whose course.yaml cannot be read


def _ignore(line: int, message: str) -> None:
    """Report nothing: problems in course.yaml are the course check's to report."""


class _CourseIndex:
    """The module folders each course lists, read from course.yaml once per course."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._modules: dict[str, list[str] | str | None] = {}
        self.unreadable_reported: set[str] = set()

    def modules(self, course: str) -> list[str] | str | None:
        """Return the modules the course lists (and has folders for), None when there is no such course, or
        UNREADABLE when its course.yaml is missing or cannot be read (the course check reports why)."""
        if course not in self._modules:
            self._modules[course] = self._read(course)
        return self._modules[course]

    def _read(self, course: str) -> list[str] | str | None:
        folder = self.folder / course
        if not folder.is_dir() or course.startswith((".", "_")):
            return None
        try:
            text = read_text(folder / "course.yaml", MAX_YAML_BYTES, "this file", _ignore)
            data = read_yaml(text, _ignore) if text is not None else None
        except OSError:
            return UNREADABLE
        listed = data.get("modules") if isinstance(data, dict) else None
        if not isinstance(listed, list):
            return UNREADABLE
        return [name for name in listed if isinstance(name, str) and (folder / name).is_dir()]


def _job_roles(fields: Fields, report: Report, what: str) -> tuple[tuple[str, ...], bool] | None:
    value, line = fields.get("job_roles"), fields.line("job_roles")
    known = [role.value for role in JobRole]
    if value == ALL_ROLES:
        return (), True
    if not isinstance(value, YamlList) or not value:
        report(line, f"'job_roles' in {what} must be '{ALL_ROLES}' or a list of job roles "
                     f"({', '.join(known)}), not {describe(value)}")
        return None
    roles, ok = [], True
    for item, item_line in zip(value, value.item_lines, strict=True):
        if item not in known:
            report(item_line, f"unknown job role '{item}' in {what} (expected {ALL_ROLES} or {', '.join(known)})")
            ok = False
        elif item in roles:
            report(item_line, f"job role '{item}' is listed twice in {what}")
        else:
            roles.append(item)
    return (tuple(roles), False) if ok else None


def _modules(fields: Fields, report: Report, what: str, courses: _CourseIndex) -> tuple[str, ...] | None:
    value, line = fields.get("modules"), fields.line("modules")
    if not isinstance(value, YamlList) or not value:
        report(line, f"'modules' in {what} must be a list of modules written course-id/module-id, "
                     f"not {describe(value)}")
        return None
    refs, ok = [], True
    for item, item_line in zip(value, value.item_lines, strict=True):
        parts = item.split("/") if isinstance(item, str) else []
        if len(parts) != 2 or not all(parts):
            report(item_line, f"module '{item}' in {what} must be written course-id/module-id, "
                              "e.g. partner-violence-work/m1-understanding")
            ok = False
            continue
        course, module = parts
        listed = courses.modules(course)
        if listed == UNREADABLE:
            if course not in courses.unreadable_reported:  # one problem for the course, not one per module
                courses.unreadable_reported.add(course)
                report(item_line, f"the modules of course '{course}' cannot be checked until the problem in "
                                  "its course.yaml is fixed")
            ok = False
        elif listed is None:
            report(item_line, f"module '{item}' in {what} does not exist: there is no course '{course}' "
                              f"in {courses.folder.name}/")
            ok = False
        elif module not in listed:
            report(item_line, f"module '{item}' in {what} does not exist: course '{course}' has no module "
                              f"'{module}' (it has {', '.join(listed) or 'none'})")
            ok = False
        elif item in refs:
            report(item_line, f"module '{item}' is listed twice in {what}")
        else:
            refs.append(item)
    return tuple(refs) if ok else None


def _hours(fields: Fields, report: Report, what: str) -> float | None:
    if "hours" not in fields.mapping:
        return None
    value = fields.get("hours")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        report(fields.line("hours"), f"'hours' in {what} must be a number of hours, not {describe(value)}")
        return None
    if not MIN_HOURS <= value <= MAX_HOURS:
        report(fields.line("hours"), f"'hours' in {what} must be between {MIN_HOURS} and {MAX_HOURS}, not {value}")
        return None
    return float(value)


def _requirement(item: YamlMap, report: Report, courses: _CourseIndex, seen: dict[str, int]) -> RequirementSpec | None:
    name = item.get("id") if isinstance(item.get("id"), str) else None
    what = f"requirement '{name}'" if name else "a requirement"
    fields = Fields(item, report, what, REQUIREMENT_KEYS)
    slug = fields.ident()
    if slug is not None and slug in seen:
        report(fields.line("id"), f"requirement id '{slug}' appears twice (first on line {seen[slug]})")
        slug = None
    elif slug is not None:
        seen[slug] = fields.line("id")
    values = {
        "title": fields.texts("title"),
        "description": fields.texts("description"),
        "roles": _job_roles(fields, report, what) if "job_roles" in item else None,
        "modules": _modules(fields, report, what, courses) if "modules" in item else None,
        "validity_months": fields.integer("validity_months", minimum=1, maximum=MAX_VALIDITY_MONTHS),
        "hours": _hours(fields, report, what),
    }
    if slug is None or any(value is None for value in values.values()):
        return None
    roles, for_all = values.pop("roles")
    return RequirementSpec(slug=slug, job_roles=roles, for_all_roles=for_all, **values)


def read_requirements(path: str | Path, courses_path: str | Path | None = None) -> RequirementsFile:
    """Read and check the requirements file; module references are checked against `courses_path`."""
    path = Path(path)
    courses = _CourseIndex(Path(courses_path) if courses_path is not None else path.parent)
    problems = Problems()
    report = problems.for_file(shown_path(path))
    result = RequirementsFile()
    text = read_text(path, MAX_YAML_BYTES, "this file", report)
    data = expect_map(read_yaml(text, report), report, 1, path.name) if text is not None else None
    if data is not None:
        result.requirements = _read_file(data, report, courses, path.name)
    result.problems = problems.items
    return result


def _read_file(data: YamlMap, report: Report, courses: _CourseIndex, name: str) -> list[RequirementSpec]:
    fields = Fields(data, report, name, FILE_KEYS)
    if "format" in data and data["format"] != FORMAT_VERSION:
        report(fields.line("format"), f"format version must be {FORMAT_VERSION}, not {data['format']!r}")
    items = fields.items("requirements")
    if items is None:
        return []
    if not items:
        report(fields.line("requirements"), f"'requirements' in {name} lists no requirement")
    specs, seen = [], {}
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, YamlMap):
            report(line, f"a requirement in {name} must be a set of keys, not {describe(item)}")
            continue
        spec = _requirement(item, report, courses, seen)
        if spec is not None:
            specs.append(spec)
    return specs


def check_requirements(path: str | Path, courses_path: str | Path | None = None) -> list[Problem]:
    """Return every problem in the requirements file, each as file:line: message."""
    return read_requirements(path, courses_path).problems
