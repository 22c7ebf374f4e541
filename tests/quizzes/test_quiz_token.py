"""The quiz page writes the CSRF token without a form object; the token it writes is the one submit accepts."""

import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from elearning.quizzes import queries
from elearning.quizzes.models import QuizAttempt
from tests.learn.support import form_fields, right_answer


def _token(page: str, form_start: str) -> str:
    """Return the token written first inside the form that starts with `form_start` (the layout has its own)."""
    token = r'[^>]*>\s*<input [^>]*name="csrf_token"[^>]* value="([^"]+)"'
    return re.search(re.escape(form_start) + token, page).group(1)


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_the_quiz_pages_token_is_accepted(db, client, create_user, course_factory):
    course_factory(bank=5, per_attempt=5)
    user = create_user(email="token@example.com")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    intro = client.get("/quiz/demo-course/m1").get_data(as_text=True)
    started = client.post("/quiz/demo-course/m1", data={"csrf_token": _token(intro, 'action="/quiz/demo-course/')})
    assert started.status_code == 302
    take = client.get(started.headers["Location"]).get_data(as_text=True)
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    fields = form_fields(queries.shown_questions(attempt), right_answer)
    assert client.post(started.headers["Location"], data=MultiDict(fields)).status_code == 400  # no token
    token = _token(take, 'class="quiz-form"')
    submitted = client.post(started.headers["Location"], data=MultiDict([("csrf_token", token), *fields]))
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/result")
