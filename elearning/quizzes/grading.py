"""Question types: how each is answered, checked and graded. Pure functions, no Flask.

A question is its `spec` dict as the course loader stores it (see courses/README.md). Every answer to a
gradable item is a list of strings: the picked choice ids (single, multiple), ``["true"]`` or ``["false"]``
(true_false), or the step ids in the learner's order (ordering); an empty list is "not answered". A
scenario's answer maps each of its sub-question ids to such a list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Spec = Mapping[str, Any]
LeafAnswer = list[str]
Answer = LeafAnswer | dict[str, LeafAnswer]


class InvalidAnswer(ValueError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """An answer that does not fit its question: wrong shape, unknown id, not a permutation."""


@dataclass(frozen=True)
class Verdict:
    """The points an answer earns; `parts` holds a scenario's verdict per sub-question id."""

    points: int
    max_points: int = 1
    parts: tuple[tuple[str, Verdict], ...] = ()

    @property
    def correct(self) -> bool:
        return self.points == self.max_points


def _right(ok: bool) -> Verdict:
    return Verdict(1 if ok else 0)


def _ids(items: list[Spec]) -> list[str]:
    return [item["id"] for item in items]


def _correct_choice_ids(spec: Spec) -> set[str]:
    return {choice["id"] for choice in spec["choices"] if choice.get("correct")}


def _is_leaf(answer: object) -> bool:
    return isinstance(answer, list) and all(isinstance(value, str) for value in answer)


def _single(spec: Spec, answer: Answer) -> Verdict:
    return _right(_is_leaf(answer) and len(answer) == 1 and answer[0] in _correct_choice_ids(spec))


def _multiple(spec: Spec, answer: Answer) -> Verdict:
    """Right only with every correct choice and no wrong one."""
    return _right(_is_leaf(answer) and bool(answer) and len(set(answer)) == len(answer)
                  and set(answer) == _correct_choice_ids(spec))


def _true_false(spec: Spec, answer: Answer) -> Verdict:
    return _right(answer == ["true" if spec["answer"] else "false"])


def _ordering(spec: Spec, answer: Answer) -> Verdict:
    """Right only with every step in its place."""
    return _right(answer == _ids(spec["steps"]))


def _scenario(spec: Spec, answer: Answer) -> Verdict:
    """Grade each sub-question for one point; a missing sub-answer earns nothing."""
    answers = answer if isinstance(answer, dict) else {}
    parts = tuple((sub["id"], grade(sub, answers.get(sub["id"], []))) for sub in spec["questions"])
    return Verdict(sum(v.points for _, v in parts), sum(v.max_points for _, v in parts), parts)


GRADERS: dict[str, Callable[[Spec, Answer], Verdict]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "ordering": _ordering,
    "scenario": _scenario,
}


def grade(spec: Spec, answer: Answer) -> Verdict:
    """Grade one question's answer with the grader registered for its type."""
    return GRADERS[spec["type"]](spec, answer)


def items(spec: Spec) -> list[Spec]:
    """Return the gradable items of a question: its scenario sub-questions, or itself."""
    return list(spec["questions"]) if spec["type"] == "scenario" else [spec]


def options(spec: Spec) -> list[Spec]:
    """Return what a leaf question's answer picks from: its choices or its steps (none for true/false)."""
    return list(spec.get("choices") or spec.get("steps") or [])


def validate(spec: Spec, answer: object) -> None:
    """Raise InvalidAnswer unless `answer` has the shape and ids the question allows."""
    if spec["type"] == "scenario":
        if not isinstance(answer, dict):
            raise InvalidAnswer(f"{spec['id']}: a scenario needs an answer per sub-question")
        subs = {sub["id"]: sub for sub in spec["questions"]}
        for sub_id, sub_answer in answer.items():
            if sub_id not in subs:
                raise InvalidAnswer(f"{spec['id']}: no sub-question {sub_id!r}")
            validate(subs[sub_id], sub_answer)
        return
    if not _is_leaf(answer):
        raise InvalidAnswer(f"{spec['id']}: an answer is a list of ids")
    if not answer:
        return
    _LEAF_CHECKS[spec["type"]](spec, answer)


def _check_single(spec: Spec, answer: LeafAnswer) -> None:
    if len(answer) != 1 or answer[0] not in _ids(spec["choices"]):
        raise InvalidAnswer(f"{spec['id']}: pick one of the choices")


def _check_multiple(spec: Spec, answer: LeafAnswer) -> None:
    if len(set(answer)) != len(answer) or not set(answer) <= set(_ids(spec["choices"])):
        raise InvalidAnswer(f"{spec['id']}: unknown or repeated choice")


def _check_true_false(spec: Spec, answer: LeafAnswer) -> None:
    if answer not in (["true"], ["false"]):
        raise InvalidAnswer(f"{spec['id']}: answer true or false")


def _check_ordering(spec: Spec, answer: LeafAnswer) -> None:
    if sorted(answer) != sorted(_ids(spec["steps"])):
        raise InvalidAnswer(f"{spec['id']}: the steps must be a permutation of the question's steps")


_LEAF_CHECKS: dict[str, Callable[[Spec, LeafAnswer], None]] = {
    "single": _check_single,
    "multiple": _check_multiple,
    "true_false": _check_true_false,
    "ordering": _check_ordering,
}
