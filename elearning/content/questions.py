"""quiz.yaml: check every question and normalise it into the spec stored in Question.spec.

Each question type is a registry entry that names its extra keys and builds its part of the spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from elearning.content.fields import ID_PATTERN, Fields, expect_map
from elearning.content.problems import Report

MAX_SCENARIO_QUESTIONS = 5


@dataclass
class Bank:
    """The state shared while checking one quiz.yaml: the ids seen so far and where."""

    report: Report
    question_lines: dict[str, int] = field(default_factory=dict)

    def claim(self, question_id: str, line: int) -> None:
        """Record a question id, reporting it when the module already uses it."""
        if question_id in self.question_lines:
            self.report(line, f"question id '{question_id}' is used twice in this module "
                              f"(first on line {self.question_lines[question_id]})")
        else:
            self.question_lines[question_id] = line


@dataclass(frozen=True)
class QuestionType:
    """One kind of question: the keys it needs beyond id/type and how its spec is built."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    build: Callable[[Fields, Bank, str], dict[str, Any] | None]


def _choices(fields: Fields, bank: Bank, what: str) -> list[dict[str, Any]] | None:
    items = fields.items("choices")
    if items is None:
        return None
    choices, seen, ok = [], {}, True
    for item, line in zip(items, items.item_lines, strict=True):
        mapping = expect_map(item, bank.report, line, f"a choice of {what}")
        if mapping is None:
            ok = False
            continue
        choice = Fields(mapping, bank.report, f"a choice of {what}", ("id", "text"), ("correct", "explanation"))
        choice_id, text = choice.ident(), choice.texts("text")
        correct = choice.boolean("correct") if "correct" in mapping else False
        explanation = choice.texts("explanation")
        if choice_id is not None:
            if choice_id in seen:
                bank.report(choice.line("id"), f"choice id '{choice_id}' is used twice in {what} "
                                               f"(first on line {seen[choice_id]})")
            seen[choice_id] = choice.line("id")
        if None in (choice_id, text, correct) or ("explanation" in mapping and explanation is None):
            ok = False
            continue
        choices.append({"id": choice_id, "text": text, "correct": correct, "explanation": explanation})
    return choices if ok else None


def _single(fields: Fields, bank: Bank, what: str) -> dict[str, Any] | None:
    choices = _choices(fields, bank, what)
    if choices is None:
        return None
    correct = sum(choice["correct"] for choice in choices)
    line = fields.line("choices")
    if len(choices) < 2:
        bank.report(line, f"{what} (single) needs at least 2 choices, not {len(choices)}")
        return None
    if correct != 1:
        bank.report(line, f"{what} (single) needs exactly 1 correct choice, not {correct}")
        return None
    return {"choices": choices}


def _multiple(fields: Fields, bank: Bank, what: str) -> dict[str, Any] | None:
    choices = _choices(fields, bank, what)
    if choices is None:
        return None
    line = fields.line("choices")
    if len(choices) < 2:
        bank.report(line, f"{what} (multiple) needs at least 2 choices, not {len(choices)}")
        return None
    if not any(choice["correct"] for choice in choices):
        bank.report(line, f"{what} (multiple) needs at least 1 correct choice")
        return None
    return {"choices": choices}


def _true_false(fields: Fields, bank: Bank, what: str) -> dict[str, Any] | None:
    answer = fields.boolean("answer")
    return None if answer is None else {"answer": answer}


def _ordering(fields: Fields, bank: Bank, what: str) -> dict[str, Any] | None:
    items = fields.items("steps")
    if items is None:
        return None
    steps, seen, ok = [], {}, True
    for item, line in zip(items, items.item_lines, strict=True):
        mapping = expect_map(item, bank.report, line, f"a step of {what}")
        if mapping is None:
            ok = False
            continue
        step = Fields(mapping, bank.report, f"a step of {what}", ("id", "text"))
        step_id, text = step.ident(), step.texts("text")
        if step_id is not None:
            if step_id in seen:
                bank.report(step.line("id"), f"step id '{step_id}' is used twice in {what} "
                                             f"(first on line {seen[step_id]})")
            seen[step_id] = step.line("id")
        if step_id is None or text is None:
            ok = False
            continue
        steps.append({"id": step_id, "text": text})
    if ok and len(steps) < 2:
        bank.report(fields.line("steps"), f"{what} (ordering) needs at least 2 steps, not {len(steps)}")
        return None
    return {"steps": steps} if ok else None


def _scenario(fields: Fields, bank: Bank, what: str) -> dict[str, Any] | None:
    case = fields.texts("case")
    items = fields.items("questions")
    if items is None:
        return None
    if not 1 <= len(items) <= MAX_SCENARIO_QUESTIONS:
        bank.report(fields.line("questions"), f"{what} (scenario) needs 1 to {MAX_SCENARIO_QUESTIONS} "
                                              f"questions, not {len(items)}")
    questions = [
        _question(item, line, bank, inside_scenario=True) for item, line in zip(items, items.item_lines, strict=True)
    ]
    if case is None or None in questions or not 1 <= len(items) <= MAX_SCENARIO_QUESTIONS:
        return None
    return {"case": case, "questions": questions}


_COMMON = ("text", "explanation")
QUESTION_TYPES: dict[str, QuestionType] = {
    "single": QuestionType(_COMMON + ("choices",), (), _single),
    "multiple": QuestionType(_COMMON + ("choices",), (), _multiple),
    "true_false": QuestionType(_COMMON + ("answer",), (), _true_false),
    "ordering": QuestionType(_COMMON + ("steps",), (), _ordering),
    "scenario": QuestionType(("case", "questions"), _COMMON, _scenario),
}


def _question(item: Any, line: int, bank: Bank, *, inside_scenario: bool = False) -> dict[str, Any] | None:
    """Check one question (or scenario sub-question) and return its normalised spec."""
    mapping = expect_map(item, bank.report, line, "a question")
    if mapping is None:
        return None
    question_id = mapping.get("id")
    valid = isinstance(question_id, str) and ID_PATTERN.match(question_id)
    what = f"question '{question_id}'" if valid else f"the question on line {mapping.line}"
    kind = mapping.get("type")
    if "type" not in mapping:
        Fields(mapping, bank.report, what, ("id", "type"), tuple(mapping))
        return None
    if kind not in QUESTION_TYPES:
        Fields(mapping, bank.report, what, ("id", "type"), tuple(mapping))
        bank.report(mapping.line_of("type"), f"unknown question type '{kind}' in {what} "
                                              f"(expected {', '.join(QUESTION_TYPES)})")
        return None
    if kind == "scenario" and inside_scenario:
        bank.report(mapping.line_of("type"), f"{what} is a scenario inside a scenario; a scenario may only hold "
                                              "single, multiple, true_false and ordering questions")
        return None
    qtype = QUESTION_TYPES[kind]
    fields = Fields(mapping, bank.report, what, ("id", "type") + qtype.required, qtype.optional)
    valid_id = fields.ident()
    if valid_id is not None:
        bank.claim(valid_id, fields.line("id"))
    text, explanation = fields.texts("text"), fields.texts("explanation")
    body = qtype.build(fields, bank, what)
    texts_ok = all(fields.get(key) is None or value is not None
                   for key, value in (("text", text), ("explanation", explanation)))
    if valid_id is None or body is None or not texts_ok or any(
            key not in mapping for key in qtype.required):
        return None
    return {"id": valid_id, "type": kind, "text": text, "explanation": explanation, **body}


def parse_quiz(data: Any, report: Report) -> list[dict[str, Any]] | None:
    """Return the normalised question bank in a quiz.yaml document, or None when it has problems."""
    mapping = expect_map(data, report, 1, "quiz.yaml")
    if mapping is None:
        return None
    fields = Fields(mapping, report, "quiz.yaml", ("questions",))
    items = fields.items("questions")
    if items is None:
        return None
    if not items:
        report(fields.line("questions"), "the question bank is empty")
        return None
    bank = Bank(report)
    questions = [_question(item, line, bank) for item, line in zip(items, items.item_lines, strict=True)]
    return None if None in questions else questions

