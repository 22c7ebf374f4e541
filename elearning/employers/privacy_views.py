"""The learner's side: what their employer sees, leaving an organisation, their data, deleting the account."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from elearning.employers import privacy, queries, services
from elearning.employers.blueprint import bp
from elearning.employers.confirmation import ask_unless_confirmed
from elearning.employers.dashboard import person_record
from elearning.employers.forms import ActionForm, DeleteAccountForm
from elearning.extensions import db


@bp.app_template_global()
def employer_view_of_me() -> list[tuple]:
    """Return, for each of the current user's organisations, (membership, the record its employer sees)."""
    if not current_user.is_authenticated:
        return []
    return [(membership, person_record(membership.organisation_id, membership))
            for membership in queries.memberships_of(current_user.id)]


@bp.post("/account/organisations/<int:membership_id>/leave")
@login_required
def leave(membership_id: int):
    """Leave an organisation; progress and certificates stay the learner's."""
    membership = next((m for m in queries.memberships_of(current_user.id) if m.id == membership_id), None)
    if membership is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = membership.organisation.name
    question = ask_unless_confirmed(
        title=_("Leave %(name)s?", name=name),
        consequence=_("Your progress and certificates stay yours. %(name)s no longer sees your training, and only a "
                      "new invitation from them brings you back.", name=name),
        button=_("Leave %(name)s", name=name), back=url_for("accounts.profile"))
    if question is not None:
        return question
    try:
        services.remove_member(membership)
    except services.LastAdministrator:
        flash(_("You are the only employer administrator of %(name)s: make someone else administrator first.",
                name=name), "error")
        return redirect(url_for("accounts.profile"))
    db.session.commit()
    flash(_("You have left %(name)s.", name=name), "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/account/my-data.json")
@login_required
def my_data():
    """Download everything Relais holds about the learner, as JSON."""
    body = json.dumps(privacy.export_user_data(current_user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="relais-my-data.json"'
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete the account for good after confirming the password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(current_user._get_current_object(), form.password.data)
        except privacy.WrongPassword:
            form.password.errors.append(_("This is not your current password."))
        else:
            db.session.commit()
            logout_user()
            flash(_("Your account and your data have been deleted."), "success")
            return redirect(url_for("main.index"))
    return render_template("employers/delete_account.html", form=form,
                           sole_admin_of=privacy.sole_administrator_of(current_user.id))
