"""The course file format: read, check and load the courses in courses/ (no views here).

Public API: `check_courses(path) -> CheckResult`, `load_courses(path) -> list[LoadReport]`, `CourseInvalid`.
Only `loader` touches the database; every other module is plain Python.
"""

from elearning.content.checker import check_courses, read_courses
from elearning.content.loader import CourseInvalid, LoadReport, asset_url, load_courses
from elearning.content.problems import CheckResult, Problem, Summary

__all__ = ["CheckResult", "CourseInvalid", "LoadReport", "Problem", "Summary", "asset_url", "check_courses",
           "load_courses", "read_courses"]
