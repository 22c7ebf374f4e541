"""A module's quiz: the introduction, starting an attempt, answering it and its result."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from elearning import i18n
from elearning.certificates import services as certificates
from elearning.extensions import db
from elearning.learn import queries as learn_queries
from elearning.quizzes import queries, services
from elearning.quizzes.forms import IGNORED_FIELDS, ActionForm, MalformedAnswers, read_answers

bp = Blueprint("quizzes", __name__, url_prefix="/quiz")


def _own_attempt_or_404(attempt_id: int):
    """Return the current user's attempt; someone else's is 404, so attempt ids cannot be probed."""
    return queries.own_attempt(attempt_id, current_user.id) or abort(404)


@bp.get("/<course_slug>/<module_slug>")
@login_required
def intro(course_slug: str, module_slug: str):
    """Explain the quiz's rules and the learner's attempts so far, with a button to start."""
    module = learn_queries.current_module(course_slug, module_slug) or abort(404)
    status = learn_queries.module_status(current_user.id, module)
    return render_template("quizzes/intro.html", status=status, form=ActionForm(),
                           standing=queries.standing(status.progress, module))


@bp.post("/<course_slug>/<module_slug>")
@login_required
def start(course_slug: str, module_slug: str):
    """Start an attempt (or reopen the unfinished one) and show its questions."""
    module = learn_queries.current_module(course_slug, module_slug) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(current_user, module)
    except services.AttemptsExhausted:
        flash(_("You have used all the attempts this quiz allows."), "info")
        return redirect(url_for("quizzes.intro", course_slug=course_slug, module_slug=module_slug))
    except services.RetryTooSoon as exc:
        flash(_("You can try again from %(when)s.", when=i18n.format_datetime(exc.until, "short")), "info")
        return redirect(url_for("quizzes.intro", course_slug=course_slug, module_slug=module_slug))
    db.session.commit()
    return redirect(url_for("quizzes.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    """Show every drawn question in one form."""
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    return render_template("quizzes/take.html", attempt=attempt, shown=queries.shown_questions(attempt),
                           values=MultiDict(), errors={})


@bp.post("/attempts/<int:attempt_id>")
@login_required
def submit(attempt_id: int):
    """Grade the answers once, then show the result (a repeated submission just shows it)."""
    attempt = _own_attempt_or_404(attempt_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt.submitted_at is not None:
        flash(_("These answers were already submitted. Here is their result."), "info")
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    shown = queries.shown_questions(attempt)
    if not set(request.form) - IGNORED_FIELDS:  # an accidental click: no attempt spent on an empty sheet
        return render_template("quizzes/take.html", attempt=attempt, shown=shown, values=request.form, errors={},
                               nothing_answered=True), 400
    try:
        answers, errors = read_answers(shown, request.form)
        if errors:
            return render_template("quizzes/take.html", attempt=attempt, shown=shown, values=request.form,
                                   errors=errors), 400
        issued = certificates.issue_if_eligible(current_user) if services.submit_attempt(attempt, answers).is_passed \
            else []
    except (MalformedAnswers, services.InvalidAnswers):
        abort(400)
    db.session.commit()
    if issued:
        certificates.render_issued(issued)
        flash(_("You have earned a certificate. You will find it under your certificates."), "success")
    return redirect(url_for("quizzes.result", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """Show the score, each question right or wrong with its explanations, and what comes next."""
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    course = attempt.module.course_version.course
    return render_template("quizzes/result.html", attempt=attempt, course=course, form=ActionForm(),
                           shown=queries.result(attempt), standing=queries.standing(attempt.progress, attempt.module),
                           next_module=learn_queries.next_module(course.current_version_id, attempt.module.slug))
