"""Assign requirements to people or job roles, with an optional due date, and take assignments back."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from elearning.accounts.forms import JOB_ROLE_LABELS
from elearning.accounts.models import JobRole
from elearning.employers import queries, services
from elearning.employers.blueprint import bp
from elearning.employers.confirmation import ask_unless_confirmed
from elearning.employers.forms import ActionForm, AssignmentForm, localised
from elearning.employers.models import Assignment, Membership, Organisation
from elearning.extensions import db
from elearning.security import employer_required, scoped_or_404


def _form(organisation: Organisation) -> AssignmentForm:
    """Return the form with the active requirements and this organisation's people as its only choices."""
    form = AssignmentForm()
    form.requirement_id.choices = [SelectChoice(r.id, localised(r.title)) for r in queries.active_requirements()]
    form.people.choices = [SelectChoice(membership_id, label)
                           for membership_id, label in queries.member_choices(organisation.id)]
    return form


def _page(organisation: Organisation, form: AssignmentForm, status: int = 200):
    return render_template("employers/assignments.html", organisation=organisation, form=form,
                           assignments=queries.assignments(organisation.id), action_form=ActionForm()), status


@bp.get("/employer/<int:org_id>/assignments")
@employer_required
def assignments(organisation: Organisation):
    """List what the organisation asks of whom, with the form to assign a requirement."""
    return _page(organisation, _form(organisation))


@bp.post("/employer/<int:org_id>/assignments")
@employer_required
def assign(organisation: Organisation):
    """Assign a requirement to everyone with a job role or to chosen people."""
    form = _form(organisation)
    if not form.validate_on_submit():
        return _page(organisation, form, 400)
    people = [] if form.target.data == "role" else list(db.session.scalars(sa.select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.id.in_(form.people.data))))
    services.assign(organisation, form.requirement_id.data, job_role=form.job_role.data if not people else None,
                    memberships=people, due_on=form.due_on.data, created_by=current_user)
    db.session.commit()
    flash(_("The requirement has been assigned."), "success")
    return redirect(url_for("employers.assignments", org_id=organisation.id))


@bp.post("/employer/<int:org_id>/assignments/<int:assignment_id>/delete")
@employer_required
def unassign(organisation: Organisation, assignment_id: int):
    """Take an assignment back; certificates and progress are not touched."""
    assignment = scoped_or_404(Assignment, assignment_id, organisation.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = localised(assignment.requirement.title)
    question = ask_unless_confirmed(
        title=_("Take back \"%(requirement)s\" from %(whom)s?", requirement=title,
                whom=assignment.membership.user.full_name if assignment.membership else
                _("everyone with the job role: %(role)s", role=JOB_ROLE_LABELS[JobRole(assignment.job_role)])),
        consequence=_("Progress and certificates stay; the requirement and its due date no longer apply to them."),
        button=_("Take the assignment back"), back=url_for("employers.assignments", org_id=organisation.id))
    if question is not None:
        return question
    services.unassign(assignment)
    db.session.commit()
    flash(_("The assignment has been removed."), "success")
    return redirect(url_for("employers.assignments", org_id=organisation.id))
