"""Help services from courses/helplines.yaml, read once per process (the file ships with the code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from elearning.typography import french_spaces


@lru_cache(maxsize=4)
def load_helplines(path: str) -> tuple[dict, ...]:
    """Return the help services listed in the YAML file at `path`."""
    file = Path(path)
    if not file.exists():
        return ()
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return tuple(data.get("services", []))


def dials(number: str) -> list[tuple[str, str]]:
    """Return each number a service lists as (shown, dialled): "107 / 106" is two lines, one per language, and
    each gets its own link (a single tel: link dialled the first one whoever tapped it)."""
    return [(part.strip(), "".join(ch for ch in part if ch.isdigit())) for part in str(number).split("/")]


def localised(services: tuple[dict, ...], language: str, *, footer_only: bool = False) -> list[dict]:
    """Return the services with their texts in `language`."""
    rows = []
    spaced = french_spaces if language == "fr" else str
    for service in services:
        if footer_only and not service.get("footer"):
            continue
        rows.append({
            "id": service["id"],
            "number": service["number"],
            "dials": dials(service["number"]),
            "name": spaced(service["name"][language]),
            "hours": spaced(service["hours"][language]),
            "description": spaced(service["description"][language]),
            "emergency": bool(service.get("emergency")),
            "verify": bool(service.get("verify")),
            "source": service.get("source"),
            "last_checked": service.get("last_checked"),
        })
    return rows
