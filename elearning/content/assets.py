"""Images listed under `assets` in module.yaml: file checks and SVG safety checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elearning.content.fields import Fields, describe, expect_map
from elearning.content.files import MAX_IMAGE_BYTES, check_size, decode_utf8
from elearning.content.problems import Report
from elearning.content.yamlfile import YamlList

MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_FILENAME_LENGTH = 200

# Anything that runs code or fetches another resource when the SVG is opened on its own.
SVG_DANGERS = (
    (re.compile(r"<script\b", re.IGNORECASE), lambda m: "the SVG contains a <script> element"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), lambda m: f"the SVG contains an event handler ({m[0].strip()})"),
    (re.compile(r"""(?<![\w:-])(?:xlink:)?(?:href|src)\s*=\s*["']\s*(?!#)([^"']*)["']""", re.IGNORECASE),
     lambda m: f"the SVG contains an external reference '{m[1]}'; only '#id' references are allowed"),
    (re.compile(r"""url\(\s*["']?\s*(?!#)([^)"']*)""", re.IGNORECASE),
     lambda m: f"the SVG contains an external reference url({m[1]}); only url(#id) is allowed"),
    (re.compile(r"@import\b", re.IGNORECASE), lambda m: "the SVG contains an external reference (@import)"),
    (re.compile(r"<!ENTITY[^>]*\b(?:SYSTEM|PUBLIC)\b", re.IGNORECASE),
     lambda m: "the SVG contains an external reference (an external entity)"),
)


@dataclass(frozen=True)
class Asset:
    """An image file of a module with its alt text per language."""

    filename: str
    alt: dict[str, str]
    media_type: str
    data: bytes


def check_svg(data: bytes, report: Report) -> None:
    """Report scripts and external references in an SVG file, at their lines."""
    text = decode_utf8(data, report)
    if text is None:
        return
    if "<svg" not in text:
        report(1, "the file has no <svg> element")
    for pattern, message in SVG_DANGERS:
        for match in pattern.finditer(text):
            report(text.count("\n", 0, match.start()) + 1, message(match))


def parse_assets(items: Any, line: int, folder: Path, report: Report,
                 report_in: Callable[[Path], Report]) -> list[Asset]:
    """Return the assets listed in module.yaml, reporting every problem in the list and in the files."""
    if items is None:
        return []
    if not isinstance(items, YamlList):
        report(line, f"'assets' in module.yaml must be a list, not {describe(items)}")
        return []
    assets, seen = [], {}
    for item, item_line in zip(items, items.item_lines, strict=True):
        mapping = expect_map(item, report, item_line, "an asset")
        if mapping is None:
            continue
        filename = mapping.get("file")
        what = f"asset '{filename}'" if isinstance(filename, str) else f"the asset on line {item_line}"
        fields = Fields(mapping, report, what, ("file", "alt"))
        alt = fields.texts("alt")
        file_line = fields.line("file")
        if "file" not in mapping:
            continue
        if not isinstance(filename, str) or "/" in filename or "\\" in filename or filename.startswith("."):
            report(file_line, f"'file' of {what} must be a file name in the module folder")
            continue
        if filename in seen:
            report(file_line, f"asset '{filename}' is listed twice (first on line {seen[filename]})")
            continue
        seen[filename] = file_line
        media_type = MEDIA_TYPES.get(Path(filename).suffix.lower())
        if media_type is None:
            report(file_line, f"asset '{filename}' must be an .svg or .png file")
            continue
        if len(filename) > MAX_FILENAME_LENGTH:
            report(file_line, f"asset file name '{filename}' is longer than {MAX_FILENAME_LENGTH} characters")
            continue
        path = folder / filename
        if not path.is_file():
            report(file_line, f"asset file '{filename}' is missing from the module folder")
            continue
        if not check_size(path, MAX_IMAGE_BYTES, "an image", report_in(path)):
            continue
        data = path.read_bytes()
        if media_type == "image/svg+xml":
            check_svg(data, report_in(path))
        elif not data.startswith(PNG_SIGNATURE):
            report_in(path)(1, "the file is not a PNG image")
        if alt is not None:
            assets.append(Asset(filename, alt, media_type, data))
    return assets
