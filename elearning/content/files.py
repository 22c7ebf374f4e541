"""Reading course files: how a problem names a file, the size limits and UTF-8 text.

Shared by the course checker and requirements.yaml, so every problem names its file the same way.
"""

from __future__ import annotations

import codecs
import math
import os
from pathlib import Path

from elearning.content.problems import Report

KB = 1024
MB = 1024 * KB
# The largest file of each kind a course may hold (the shipped course is far below: lessons ~16 KB, quizzes
# ~60 KB, images ~4 KB). Bigger files are refused before they are read, so nothing slow or huge is loaded.
MAX_IMAGE_BYTES = 2 * MB  # an .svg or .png listed under 'assets'
MAX_LESSON_BYTES = 200 * KB  # lesson.<lang>.md
MAX_QUIZ_BYTES = 500 * KB  # quiz.yaml
MAX_YAML_BYTES = 100 * KB  # course.yaml, module.yaml, helplines.yaml, requirements.yaml
NOT_UTF8 = "this file is not saved as UTF-8 (save it as UTF-8); the first character that is not UTF-8 is on this line"


def shown_path(path: str | Path) -> str:
    """Return `path` as a problem shows it: relative to the current directory when the file is under it (as
    given, `courses/…`), otherwise absolute, so it opens from where the command runs."""
    absolute = Path(os.path.abspath(path))
    current = Path(os.path.abspath(os.getcwd()))
    for inside, base in ((absolute, current), (absolute.resolve(), current.resolve())):
        if inside.is_relative_to(base):
            return inside.relative_to(base).as_posix()
    return absolute.as_posix()


def format_size(size: int) -> str:
    """Return a byte count in KB or MB, rounded up so a file just over a limit never shows as equal to it."""
    if size < KB:
        return f"{size} bytes"
    unit, name = (MB, "MB") if size >= MB else (KB, "KB")
    amount = math.ceil(size * 10 / unit) / 10
    return f"{amount:g} {name}"


def check_size(path: Path, limit: int, what: str, report: Report) -> bool:
    """Report `path` when it is bigger than `limit` bytes; return whether it fits."""
    size = path.stat().st_size
    if size <= limit:
        return True
    report(1, f"{path.name} is {format_size(size)}; {what} may be at most {format_size(limit)}")
    return False


def decode_utf8(data: bytes, report: Report) -> str | None:
    """Return `data` as text (a leading byte-order mark dropped), or None after reporting the line of the first
    byte that is not UTF-8."""
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        report(body.count(b"\n", 0, error.start) + 1, NOT_UTF8)
        return None


def read_text(path: Path, limit: int, what: str, report: Report) -> str | None:
    """Return the text of `path`, or None after reporting it missing, too big or not UTF-8."""
    if not path.is_file():
        report(1, f"missing file {path.name}")
        return None
    if not check_size(path, limit, what, report):
        return None
    return decode_utf8(path.read_bytes(), report)
