"""Quiz forms. The quiz's fields follow each attempt's draw, so they are read by `read_answers`, not declared.

Field names: a question's key (its slug, or ``slug/sub-question`` inside a scenario) carries the picked
choice ids, or ``true``/``false``; an ordering step's position is in ``<key>@<step id>``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from elearning.quizzes.grading import Answer
from elearning.quizzes.queries import ShownItem, ShownQuestion

IGNORED_FIELDS = {"csrf_token"}


class ActionForm(FlaskForm):
    """A button that changes something (start an attempt, submit answers): only the CSRF token."""


class MalformedAnswers(ValueError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """The form holds fields or values no browser could have sent for this quiz."""


def step_field(item: ShownItem, step_id: str) -> str:
    return f"{item.key}@{step_id}"


def _read_positions(item: ShownItem, formdata: MultiDict) -> tuple[list[str], str | None]:
    positions: dict[str, int] = {}
    for step in item.options:
        values = formdata.getlist(step_field(item, step["id"]))
        if len(values) > 1 or (values and values[0] and not _is_position(values[0], len(item.options))):
            raise MalformedAnswers(step_field(item, step["id"]))
        if values and values[0]:
            positions[step["id"]] = int(values[0])
    if not positions:
        return [], None
    if len(positions) != len(item.options) or len(set(positions.values())) != len(positions):
        return [], _("Give each step its own position, from 1 to %(n)d.", n=len(item.options))
    return sorted(positions, key=positions.__getitem__), None


def _is_position(value: str, count: int) -> bool:
    return value.isascii() and value.isdigit() and 1 <= int(value) <= count


def _read_item(item: ShownItem, formdata: MultiDict) -> tuple[list[str], str | None]:
    if item.type == "ordering":
        return _read_positions(item, formdata)
    values = formdata.getlist(item.key)
    if item.type != "multiple" and len(values) > 1:
        raise MalformedAnswers(item.key)
    return values, None


def expected_fields(shown: Sequence[ShownQuestion]) -> set[str]:
    names = set(IGNORED_FIELDS)
    for question in shown:
        for item in question.items:
            if item.type == "ordering":
                names.update(step_field(item, step["id"]) for step in item.options)
            else:
                names.add(item.key)
    return names


def read_answers(shown: Sequence[ShownQuestion], formdata: MultiDict) -> tuple[dict[str, Answer], dict[str, str]]:
    """Return the answers by question slug and the learner's mistakes by item key (positions given twice).

    Raises MalformedAnswers for a field the quiz does not have or a value out of range; which choice ids
    exist is checked by the service.
    """
    if set(formdata.keys()) - expected_fields(shown):
        raise MalformedAnswers(sorted(set(formdata.keys()) - expected_fields(shown)))
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for question in shown:
        parts = {}
        for item in question.items:
            value, error = _read_item(item, formdata)
            if error:
                errors[item.key] = error
            parts[item.spec["id"]] = value
        answers[question.question.slug] = parts if question.is_scenario else parts[question.spec["id"]]
    return answers, errors
