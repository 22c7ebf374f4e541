"""Problems found in course files, and the result of checking them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a course file, at a 1-based line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


Report = Callable[[int, str], None]


class Problems:
    """Collect problems; `for_file(path)` returns a `report(line, message)` bound to one file."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def for_file(self, path: str) -> Report:
        """Return a function that records a problem in the file at `path`."""

        def report(line: int, message: str) -> None:
            self.items.append(Problem(path, max(line, 1), message))

        return report

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Summary:
    """What a folder of courses holds."""

    courses: int = 0
    modules: int = 0
    questions: int = 0
    languages: int = 0

    def __str__(self) -> str:
        return ", ".join(_count(n, word) for n, word in (
            (self.courses, "course"), (self.modules, "module"), (self.questions, "question"),
            (self.languages, "language")))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True)
class CheckResult:
    """Every problem found in a folder of courses, and a count of what it holds."""

    problems: list[Problem] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)

    @property
    def ok(self) -> bool:
        return not self.problems

