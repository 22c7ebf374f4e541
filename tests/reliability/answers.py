"""Read the fixture course's quizzes and answer a quiz page: shared by the locustfile and the tests.

Plain Python (no locust import, which would monkey-patch the test process with gevent).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

COURSE = "demo-course"
CSRF = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')
CHOICE = re.compile(r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]+)"')
STEP = re.compile(r'<select name="([^"@]+)@([^"]+)"')
NEXT_PAGE = re.compile(r'rel="next" href="([^"]+)"')


def answer_key(courses: Path) -> dict[str, dict]:
    """Return {item id: spec} for every gradable item (scenario parts included) of the course's quizzes."""
    key: dict[str, dict] = {}
    for quiz in sorted((courses / COURSE).glob("*/quiz.yaml")):
        for question in yaml.safe_load(quiz.read_text())["questions"]:
            for item in question.get("questions", [question]):
                key[item["id"]] = item
    return key


def modules(courses: Path) -> list[str]:
    """Return the course's module slugs in order."""
    return yaml.safe_load((courses / COURSE / "course.yaml").read_text())["modules"]


def _right(spec: dict) -> list[str]:
    if spec["type"] == "true_false":
        return ["true" if spec["answer"] else "false"]
    if spec["type"] == "ordering":
        return [step["id"] for step in spec["steps"]]
    return [choice["id"] for choice in spec["choices"] if choice.get("correct")]


def answer_fields(html: str, key: dict[str, dict], rng: random.Random, right_rate: float) -> list[tuple[str, str]]:
    """Return a quiz page's answer fields: each item answered right with `right_rate`, else wrong but valid."""
    options: dict[str, list[str]] = {}
    for name, value in CHOICE.findall(html):
        options.setdefault(name, []).append(value)
    steps: dict[str, list[str]] = {}
    for name, step in STEP.findall(html):
        steps.setdefault(name, []).append(step)
    fields: list[tuple[str, str]] = []
    for name, values in options.items():
        right = _right(key[name.rsplit("/", 1)[-1]])
        picked = right if rng.random() < right_rate else [rng.choice([v for v in values if v not in right] or values)]
        fields += [(name, value) for value in picked]
    for name, shown in steps.items():
        right = _right(key[name.rsplit("/", 1)[-1]])
        order = right if rng.random() < right_rate else list(reversed(right))
        fields += [(f"{name}@{step}", str(order.index(step) + 1)) for step in shown]
    return fields


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise ValueError("no CSRF token on the page")
    return match.group(1)
