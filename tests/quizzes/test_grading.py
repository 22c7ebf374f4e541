"""Grading of every question type: pure functions, no app."""

import pytest

from elearning.quizzes.grading import GRADERS, InvalidAnswer, Verdict, grade, validate
from tests.learn.support import question_spec, right_answer

SINGLE = question_spec("s", "single")  # a is right
MULTIPLE = question_spec("m", "multiple")  # a and b are right
TRUE_FALSE = question_spec("t", "true_false")  # true
ORDERING = question_spec("o", "ordering")  # step-1 .. step-4
SCENARIO = question_spec("sc", "scenario")  # single, true_false, ordering


def test_every_type_is_registered():
    assert set(GRADERS) == {"single", "multiple", "true_false", "ordering", "scenario"}


def test_verdict_is_frozen():
    verdict = Verdict(1)
    with pytest.raises(AttributeError):
        verdict.points = 0  # type: ignore[misc]


@pytest.mark.parametrize(("spec", "answer", "points"), [
    (SINGLE, ["a"], 1),
    (SINGLE, ["b"], 0),
    (SINGLE, [], 0),
    (SINGLE, ["a", "b"], 0),
    (MULTIPLE, ["a", "b"], 1),
    (MULTIPLE, ["b", "a"], 1),
    (MULTIPLE, ["a"], 0),  # partial: not every right choice
    (MULTIPLE, ["a", "b", "c"], 0),  # a wrong choice too
    (MULTIPLE, ["a", "a", "b"], 0),
    (MULTIPLE, [], 0),
    (TRUE_FALSE, ["true"], 1),
    (TRUE_FALSE, ["false"], 0),
    (TRUE_FALSE, [], 0),
    (ORDERING, ["step-1", "step-2", "step-3", "step-4"], 1),
    (ORDERING, ["step-2", "step-1", "step-3", "step-4"], 0),
    (ORDERING, ["step-1", "step-2", "step-3"], 0),  # partial
    (ORDERING, [], 0),
])
def test_leaf_types(spec, answer, points):
    verdict = grade(spec, answer)
    assert verdict == Verdict(points, 1)
    assert verdict.correct is bool(points)


def test_scenario_earns_one_point_per_sub_question():
    answer = right_answer(SCENARIO)
    assert grade(SCENARIO, answer).points == 3
    answer["sc-part-2"] = ["false"]
    verdict = grade(SCENARIO, answer)
    assert (verdict.points, verdict.max_points, verdict.correct) == (2, 3, False)
    assert dict(verdict.parts)["sc-part-2"].correct is False
    assert dict(verdict.parts)["sc-part-1"].correct is True


def test_partial_and_empty_scenario():
    assert grade(SCENARIO, {"sc-part-1": ["a"]}).points == 1
    empty = grade(SCENARIO, {})
    assert (empty.points, empty.max_points) == (0, 3)
    assert grade(SCENARIO, []).points == 0  # wrong shape earns nothing rather than failing


@pytest.mark.parametrize(("spec", "answer"), [
    (SINGLE, []),
    (SINGLE, ["c"]),
    (MULTIPLE, ["a", "d"]),
    (TRUE_FALSE, ["false"]),
    (ORDERING, []),
    (ORDERING, ["step-4", "step-3", "step-2", "step-1"]),
    (SCENARIO, {}),
    (SCENARIO, {"sc-part-3": ["step-2", "step-1", "step-3", "step-4"]}),
])
def test_valid_answers_pass_validation(spec, answer):
    validate(spec, answer)


@pytest.mark.parametrize(("spec", "answer"), [
    (SINGLE, ["z"]),  # unknown choice id
    (SINGLE, ["a", "b"]),
    (SINGLE, "a"),  # not a list
    (SINGLE, [1]),
    (MULTIPLE, ["a", "a"]),
    (MULTIPLE, ["a", "zz"]),
    (TRUE_FALSE, ["yes"]),
    (TRUE_FALSE, ["true", "false"]),
    (ORDERING, ["step-1", "step-2"]),  # not a permutation
    (ORDERING, ["step-1", "step-1", "step-2", "step-3"]),
    (ORDERING, ["step-1", "step-2", "step-3", "step-9"]),
    (SCENARIO, ["a"]),
    (SCENARIO, {"nope": ["a"]}),
    (SCENARIO, {"sc-part-1": ["z"]}),
])
def test_invalid_answers_are_refused(spec, answer):
    with pytest.raises(InvalidAnswer):
        validate(spec, answer)
