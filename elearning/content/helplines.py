"""helplines.yaml, read for the [[helplines]] list in lessons (its other keys are checked elsewhere)."""

from __future__ import annotations

from typing import Any

from elearning.config import LANGUAGES
from elearning.content.fields import describe, expect_map
from elearning.content.problems import Report
from elearning.content.yamlfile import YamlList, YamlMap, read_yaml

TEXT_KEYS = ("name", "hours", "description")


def parse_helplines(text: str, report: Report) -> list[dict[str, Any]]:
    """Return the services in helplines.yaml with a number and name, hours and description per language."""
    data = expect_map(read_yaml(text, report), report, 1, "helplines.yaml")
    if data is None:
        return []
    items = data.get("services")
    if not isinstance(items, YamlList):
        report(data.line_of("services"), f"'services' in helplines.yaml must be a list, not {describe(items)}")
        return []
    services = []
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, YamlMap):
            report(line, "a service in helplines.yaml must be a set of keys")
            continue
        service, ok = {"number": item.get("number")}, isinstance(item.get("number"), (str, int))
        if not ok:
            report(item.line_of("number"), "a service in helplines.yaml needs a 'number'")
        for key in TEXT_KEYS:
            texts = item.get(key)
            if not isinstance(texts, YamlMap) or not all(isinstance(texts.get(lang), str) for lang in LANGUAGES):
                report(item.line_of(key), f"'{key}' of a service in helplines.yaml needs a text in "
                                          f"{', '.join(LANGUAGES)}")
                ok = False
                continue
            service[key] = dict(texts)
        if ok:
            services.append(service)
    return services
