"""Hypothesis fuzzing of every form and query parameter: never a 5xx, and a refused request changes no data."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.fuzz.conftest import FIXTURES
from tests.fuzz.targets import TARGETS, TEXT, requests_for, values
from tests.reliability.answers import CHOICE, STEP, answer_fields, answer_key

KEY = answer_key(FIXTURES / "courses")


@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
def test_fuzzed_input_is_answered_without_error_and_refusals_change_nothing(fuzzed, target, figures):
    client = fuzzed.clients[target.role]
    statuses = Counter()

    @given(request=requests_for(target, fuzzed.world))
    def check(request):
        fuzzed.watch.mark()
        response = client.open(request.path, method=request.method, query_string=request.query, data=request.form)
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code} for {request!r}"
        if response.status_code >= 400:
            changed = fuzzed.watch.changed()
            assert not changed, f"refused with {response.status_code} but changed {changed}: {request!r}"

    check()
    _record(figures, target.name, statuses)


def _record(figures: dict, name: str, statuses: Counter) -> None:
    answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    figures.setdefault("fuzzed cases per target", {})[name] = f"{sum(statuses.values())} cases ({answers})"


def test_fuzzed_quiz_answers_are_graded_or_refused_cleanly(fuzzed, figures):
    """Submit random answer forms to an open attempt: fields of the quiz, foreign fields, any values."""
    learner = fuzzed.clients["learner"]
    attempt = {"url": f"/quiz/attempts/{fuzzed.world['attempt']}"}
    page = learner.get(attempt["url"]).get_data(as_text=True)
    names = sorted({name for name, _ in CHOICE.findall(page)} | {f"{k}@{s}" for k, s in STEP.findall(page)})
    options = sorted({value for _, value in CHOICE.findall(page)} | {"1", "2", "3", "4", "0", "-1"})
    statuses = Counter()
    field_names = st.one_of(st.sampled_from(names), st.sampled_from(names).map(lambda n: n + "x"), TEXT)
    field_values = st.one_of(st.sampled_from(options), values())

    @given(fields=st.lists(st.tuples(field_names, st.lists(field_values, min_size=1, max_size=3)), max_size=10),
           right=st.booleans())
    def check(fields, right):
        form = MultiDict()
        if right:  # a valid form, then the fuzzed fields on top
            current = learner.get(attempt["url"]).get_data(as_text=True)
            for name, value in answer_fields(current, KEY,
                                             random.Random(len(fields)), 0.5):
                form.add(name, value)
        for name, chosen in fields:
            for value in chosen:
                form.add(name, value)
        fuzzed.watch.mark()
        response = learner.post(attempt["url"], data=form)
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code} for {list(form.items(multi=True))}"
        if response.status_code >= 400:
            changed = fuzzed.watch.changed()
            assert not changed, f"refused with {response.status_code} but changed {changed}"
        elif response.headers.get("Location", "").endswith("/result"):  # graded: open the next attempt
            started = learner.post("/quiz/demo-course/m1-basics")
            assert started.status_code == 302
            attempt["url"] = re.sub(r"^https?://[^/]+", "", started.headers["Location"])

    check()
    _record(figures, "quiz answers", statuses)
    assert statuses[302] >= 1, statuses  # some forms were valid and graded


def test_the_targets_cover_every_route(app):
    """Every route of the app, each method, is fuzzed by some target (static files aside)."""
    adapter = app.url_map.bind("localhost")
    covered = {("quizzes.submit", "POST")}  # test_fuzzed_quiz_answers_are_graded_or_refused_cleanly
    for target in TARGETS:
        path = re.sub(r"\{int\}|\{acme\}|\{colleague\}", "1", target.path)
        path = re.sub(r"\{[a-z_]+\}", "x", path)
        endpoint, _ = adapter.match(path, method=target.method)
        covered.add((endpoint, target.method))
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = routes - covered - {(endpoint, "GET") for endpoint, method in covered if method == "POST"}
    assert not missing, sorted(missing)


@pytest.mark.parametrize("target", [t for t in TARGETS if t.method == "POST"], ids=lambda t: t.name)
def test_with_csrf_on_a_post_without_its_token_is_refused_and_changes_nothing(store, tmp_path, target):
    from elearning import create_app
    from elearning.config import TestConfig
    from elearning.extensions import db
    from tests.fuzz.conftest import DataWatch
    from tests.fuzz.targets import _fill

    url, drop = store.copy(tmp_path, "csrf")
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True)
    watch = DataWatch(url)
    try:
        client = app.test_client()
        path = _fill(lambda strategy: "1", target.path, store.world)
        form = {name: "x" for name in target.form}
        watch.mark()
        response = client.post(path, data=form)
        assert response.status_code == 400, (path, response.status_code)
        assert watch.changed() == []
    finally:
        watch.close()
        with app.app_context():
            db.engine.dispose()
        drop()
