"""Invite staff one by one or from a file, resend and withdraw invitations, and accept one."""

from __future__ import annotations

from babel.units import format_unit
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.exceptions import RequestEntityTooLarge

from elearning.accounts.models import utcnow
from elearning.accounts.services import find_user_by_email
from elearning.employers import queries, services, staff_import
from elearning.employers.blueprint import bp
from elearning.employers.forms import (
    COLUMN_NAMES,
    FILE_PROBLEMS,
    INVITATION_STATES,
    ROW_PROBLEMS,
    AcceptInvitationForm,
    ActionForm,
    ConfirmImportForm,
    ImportForm,
    InviteForm,
)
from elearning.employers.importing import FileProblem
from elearning.employers.models import Invitation, Organisation
from elearning.errors import render_error
from elearning.extensions import db
from elearning.ratelimits import account_door
from elearning.security import employer_required, scoped_or_404


def _invitations_page(organisation: Organisation, invite_form=None, import_form=None, status: int = 200):
    closed = bool(request.args.get("all"))
    return render_template("employers/invitations.html", organisation=organisation,
                           invitations=queries.invitations(organisation.id, include_closed=closed),
                           invite_form=invite_form or InviteForm(language=str(get_locale())),
                           import_form=import_form or ImportForm(), action_form=ActionForm(), now=utcnow(),
                           invitation_states=INVITATION_STATES, showing_closed=closed), status


@bp.get("/employer/<int:org_id>/invitations")
@employer_required
def invitations(organisation: Organisation):
    """List pending invitations, with the forms to invite one person or a whole file."""
    return _invitations_page(organisation)


@bp.post("/employer/<int:org_id>/invitations")
@employer_required
def invite(organisation: Organisation):
    """Invite one person and email them in the language chosen for them."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _invitations_page(organisation, invite_form=form, status=400)
    try:
        invitation, token = services.invite(organisation, email=form.email.data, full_name=form.full_name.data,
                                            job_role=form.job_role.data, language=form.language.data,
                                            invited_by=current_user)
    except (services.AlreadyMember, services.AlreadyInvited) as error:
        form.email.errors.append(_("This person is already a member of the organisation.")
                                 if isinstance(error, services.AlreadyMember) else
                                 _("This person already has a pending invitation; resend it from the list instead."))
        return _invitations_page(organisation, invite_form=form, status=400)
    db.session.commit()
    services.send_invitation(invitation, token)
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("employers.invitations", org_id=organisation.id))


@bp.post("/employer/<int:org_id>/invitations/import")
@employer_required
def import_preview(organisation: Organisation):
    """Check an uploaded staff list and show every row with its problems; import nothing yet."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _invitations_page(organisation, import_form=form, status=400)
    upload = form.file.data
    try:
        data = upload.read(staff_import.limits()[0] + 1)  # one byte over the limit is enough to refuse it
        rows = staff_import.check_file(organisation.id, upload.filename or "", data, default_language=str(get_locale()))
    except FileProblem as problem:
        form.file.errors.append(_file_problem(problem))
        return _invitations_page(organisation, import_form=form, status=400)
    clean = not any(row.problems for row in rows)
    confirm = ConfirmImportForm(payload=staff_import.sign(organisation.id, current_user.id, rows)) if clean else None
    page = render_template("employers/import_preview.html", organisation=organisation, rows=rows,
                           confirm_form=confirm, filename=upload.filename, row_problems=ROW_PROBLEMS)
    return page, 200 if clean else 400


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error):
    """A staff list over the request limit (5 MB) is refused before any view runs: say so where the employer
    uploaded it, with the staff list's own limit, instead of a bare error page."""
    if request.endpoint != "employers.import_preview" or not current_user.is_authenticated:
        return render_error(413)
    flash(_file_problem(FileProblem("too_large", limit=staff_import.limits()[0])), "error")
    return redirect(url_for("employers.invitations", org_id=request.view_args["org_id"]), 303)


def _file_problem(problem: FileProblem) -> str:
    details = dict(problem.details)
    if "limit" in details and problem.code == "too_large":
        size = details["limit"]
        unit, amount = ("digital-megabyte", size / 1_000_000) if size >= 1_000_000 else ("digital-kilobyte",
                                                                                     max(size // 1000, 1))
        details["limit"] = format_unit(amount, unit, length="short", locale=get_locale())  # 1 MB, 1 Mo
    if "columns" in details:
        details["columns"] = ", ".join(str(COLUMN_NAMES[key]) for key in details["columns"])
    return str(FILE_PROBLEMS[problem.code]) % details if details else str(FILE_PROBLEMS[problem.code])


@bp.post("/employer/<int:org_id>/invitations/import/confirm")
@employer_required
def import_confirm(organisation: Organisation):
    """Invite everyone on a checked file in one transaction, or nobody if a row has become a problem."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rows = staff_import.check(organisation.id, staff_import.unsign(form.payload.data, organisation.id,
                                                                       current_user.id))
    except staff_import.ImportExpired:
        flash(_("This preview has expired. Upload the file again."), "error")
        return redirect(url_for("employers.invitations", org_id=organisation.id))
    if rows and all(row.problems == ["already_invited"] for row in rows):  # sent twice, or the same file again
        flash(_("Everyone on this file already has a pending invitation: nothing more was sent."), "info")
        return redirect(url_for("employers.invitations", org_id=organisation.id))
    if any(row.problems for row in rows):
        return render_template("employers/import_preview.html", organisation=organisation, rows=rows,
                               confirm_form=None, filename=None, row_problems=ROW_PROBLEMS), 409
    created = services.import_invitations(organisation, rows, current_user)
    db.session.commit()
    for invitation, token in created:
        services.send_invitation(invitation, token)
    flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", len(created)), "success")
    return redirect(url_for("employers.invitations", org_id=organisation.id))


@bp.post("/employer/<int:org_id>/invitations/<int:invitation_id>/resend")
@employer_required
def resend_invitation(organisation: Organisation, invitation_id: int):
    """Send a pending or expired invitation again with a new link; the old link stops working."""
    invitation = scoped_or_404(Invitation, invitation_id, organisation.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        token = services.resend(invitation)
    except services.InvitationUnusable:
        flash(_("This invitation can no longer be sent."), "error")
        return redirect(url_for("employers.invitations", org_id=organisation.id))
    db.session.commit()
    services.send_invitation(invitation, token)
    flash(_("Invitation sent again to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("employers.invitations", org_id=organisation.id))


@bp.post("/employer/<int:org_id>/invitations/<int:invitation_id>/withdraw")
@employer_required
def withdraw_invitation(organisation: Organisation, invitation_id: int):
    """Withdraw an invitation; its link stops working."""
    invitation = scoped_or_404(Invitation, invitation_id, organisation.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(invitation)
    except services.InvitationUnusable:
        flash(_("This invitation was already accepted."), "error")
        return redirect(url_for("employers.invitations", org_id=organisation.id))
    db.session.commit()
    flash(_("The invitation to %(email)s was withdrawn.", email=invitation.email), "success")
    return redirect(url_for("employers.invitations", org_id=organisation.id))


@bp.route("/join/<token>", methods=["GET", "POST"])
@account_door
def accept_invitation(token: str):
    """Accept an invitation: with the logged-in account, or by creating one (the link proves the address)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as unusable:
        return render_template("employers/invitation_unusable.html", reason=unusable.reason), 404
    if current_user.is_authenticated:
        return _accept_as_current_user(invitation)
    if "lang" not in request.args and "lang" not in session:
        session["lang"] = invitation.language  # the language the invitation was written in, not the browser's
        refresh()
    if find_user_by_email(invitation.email) is not None:
        return render_template("employers/accept_login.html", invitation=invitation,
                               login_url=url_for("accounts.login", next=request.path))
    form = AcceptInvitationForm(full_name=invitation.full_name, language=invitation.language)
    if form.validate_on_submit():
        user = services.accept_with_new_account(invitation, full_name=form.full_name.data,
                                                password=form.password.data, language=form.language.data)
        db.session.commit()
        login_user(user)
        flash(_("Welcome to Relais. You have joined %(name)s.", name=invitation.organisation.name), "success")
        return redirect(url_for("main.index"))
    return render_template("employers/accept.html", invitation=invitation, form=form)


def _accept_as_current_user(invitation: Invitation):
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.accept_with_account(invitation, current_user)
        except services.WrongAccount:
            abort(403)
        db.session.commit()
        flash(_("You have joined %(name)s.", name=invitation.organisation.name), "success")
        return redirect(url_for("main.index"))
    return render_template("employers/accept_existing.html", invitation=invitation, form=form,
                           matches=current_user.email == invitation.email)
