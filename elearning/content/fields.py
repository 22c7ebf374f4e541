"""Typed reads from one YAML mapping that report every unknown, missing or wrongly typed key."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from elearning.config import LANGUAGES
from elearning.content.problems import Report
from elearning.content.yamlfile import INVALID, YamlList, YamlMap

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID_RULE = "lowercase letters, digits and dashes, starting with a letter or digit"


def describe(value: Any) -> str:
    """Name the YAML type of `value` for a message."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of keys"
    return type(value).__name__


def expect_map(value: Any, report: Report, line: int, what: str) -> YamlMap | None:
    """Return `value` when it is a mapping, otherwise report that `what` should be one."""
    if isinstance(value, YamlMap) or value is INVALID:
        return None if value is INVALID else value
    report(line, f"{what} must be a set of keys, not {describe(value)}")
    return None


class Fields:
    """One YAML mapping, checked for unknown and missing keys when created."""

    def __init__(self, mapping: YamlMap, report: Report, what: str, required: Iterable[str],
                 optional: Iterable[str] = ()) -> None:
        self.mapping, self.report, self.what = mapping, report, what
        required, optional = list(required), list(optional)
        allowed = required + optional
        for key in mapping:
            if key not in allowed:
                report(mapping.line_of(key), f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in mapping:
                report(mapping.line, f"missing key '{key}' in {what}")

    def line(self, key: str) -> int:
        """Return the line of `key` (or of the mapping when the key is absent)."""
        return self.mapping.line_of(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self.mapping.get(key, default)

    def _wrong(self, key: str, expected: str) -> None:
        value = self.mapping[key]
        self.report(self.line(key), f"'{key}' in {self.what} must be {expected}, not {describe(value)}")

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None,
                nullable: bool = False) -> int | None:
        """Return the whole number under `key`, within the bounds given."""
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self._wrong(key, "a whole number" + (" or null" if nullable else ""))
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = (f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}")
            self.report(self.line(key), f"'{key}' in {self.what} must be {bounds}, not {value}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        """Return the true/false value under `key`."""
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, bool):
            self._wrong(key, "true or false")
            return None
        return value

    def ident(self, key: str = "id") -> str | None:
        """Return the id under `key` when it follows the id rule."""
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self._wrong(key, "an id")
            return None
        if not ID_PATTERN.match(value):
            self.report(self.line(key), f"'{value}' is not a valid id in {self.what} ({ID_RULE})")
            return None
        return value

    def items(self, key: str) -> YamlList | None:
        """Return the list under `key`."""
        if key not in self.mapping:
            return None
        value = self.mapping[key]
        if not isinstance(value, YamlList):
            self._wrong(key, "a list")
            return None
        return value

    def texts(self, key: str) -> dict[str, str] | None:
        """Return {language: text} under `key`, reporting each missing, empty or non-text language."""
        if key not in self.mapping:
            return None
        value, line = self.mapping[key], self.line(key)
        if not isinstance(value, YamlMap):
            self.report(line, f"'{key}' in {self.what} must give a text for each language "
                              f"({', '.join(LANGUAGES)}), not {describe(value)}")
            return None
        ok = True
        for language in value:
            if language not in LANGUAGES:
                self.report(value.line_of(language), f"unknown language '{language}' in '{key}' of {self.what} "
                                                     f"(expected {', '.join(LANGUAGES)})")
        for language in LANGUAGES:
            if language not in value:
                self.report(line, f"missing language '{language}' in '{key}' of {self.what}")
                ok = False
            elif not isinstance(value[language], str):
                self.report(value.line_of(language), f"'{key}' ({language}) in {self.what} must be text, "
                                                     f"not {describe(value[language])}; put it in quotes")
                ok = False
            elif not value[language].strip():
                self.report(value.line_of(language), f"'{key}' ({language}) in {self.what} is empty")
                ok = False
        return {language: value[language].strip() for language in LANGUAGES} if ok else None
