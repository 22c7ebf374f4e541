"""The employer's dashboard, its exports, and the people of the organisation."""

from __future__ import annotations

import io
from datetime import date, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from elearning.accounts.forms import JOB_ROLE_LABELS
from elearning.accounts.models import JobRole
from elearning.employers import assignment_views, exports, invitation_views, privacy_views, queries, services  # noqa: F401 (routes)
from elearning.employers.blueprint import bp
from elearning.employers.confirmation import ask_unless_confirmed
from elearning.employers.dashboard import Filters, build, build_page, person_record
from elearning.employers.forms import STATE_LABELS, ActionForm, DashboardFilterForm, MemberForm
from elearning.employers.gcpause import collector_paused
from elearning.employers.models import Membership, Organisation
from elearning.extensions import db
from elearning.i18n import format_date
from elearning.security import employer_required

__all__ = ["bp"]
PAGE_SIZE = 50
CONTACTS_SHOWN = 10  # a large organisation designates hundreds: the rest are counted, each on their own page


@bp.app_template_global()
def job_role_label(role: str) -> str:
    """Return a job role's label in the current language (the code itself if unknown)."""
    try:
        return str(JOB_ROLE_LABELS[JobRole(role)])
    except ValueError:
        return role


@bp.app_template_global()
def state_label_map() -> dict[str, str]:
    """Return {state: label} in the current language, for templates to translate each label once."""
    return {state.value: str(label) for state, label in STATE_LABELS.items()}


@bp.app_template_global()
def job_role_label_map() -> dict[str, str]:
    """Return {job role: label} in the current language, for templates to translate each label once."""
    return {role.value: str(label) for role, label in JOB_ROLE_LABELS.items()}


@bp.app_template_global()
def short_date(value: date | datetime) -> str:
    """Return format_date(value), worked out once per date and request (a staff list repeats a few dates)."""
    memo = g.setdefault("employer_dates", {})
    key = (value, str(get_locale()))
    if key not in memo:
        memo[key] = format_date(value)
    return memo[key]


@bp.app_template_global()
def url_pattern(endpoint: str, name: str, **values) -> str:
    """Return url_for(endpoint, ...) with "{}" where the value `name` goes, for str.format once per row.

    Only for values that need no quoting in a path (ids, certificate codes): url_for costs more than the rest
    of a table row, and a staff page has a hundred of them.
    """
    for marker in ("9182736450", "9182736451", "9182736452"):
        url = url_for(endpoint, **values, **{name: int(marker)})
        if url.count(marker) == 1:
            return url.replace("{", "{{").replace("}", "}}").replace(marker, "{}")
    raise ValueError(f"no free marker for {endpoint}")


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page numbers to link (the first, the last, `around` either side of `page`); None for a gap."""
    shown = sorted({1, pages, *range(max(page - around, 1), min(page + around, pages) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window


def _filters() -> tuple[DashboardFilterForm, Filters]:
    form = DashboardFilterForm(request.args)
    if not form.validate():
        return form, Filters()
    return form, Filters(status=form.status.data or "", role=form.role.data or "",
                                   search=(form.q.data or "").strip(), contacts=bool(form.contacts.data))


@bp.get("/employer/", defaults={"org_id": None})
@bp.get("/employer/<int:org_id>/")
@employer_required
def dashboard(organisation: Organisation):
    """Show every staff member's status on each assigned requirement, with filters and counts."""
    form, filters = _filters()
    data = build_page(organisation.id, filters, request.args.get("page", 1, type=int), PAGE_SIZE,
                      contacts_shown=CONTACTS_SHOWN)
    if data.refreshed:
        db.session.commit()
    return render_template("employers/dashboard.html", organisation=organisation, data=data, form=form,
                           rows=data.rows, page=data.page, pages=data.pages,
                           page_window=page_window(data.page, data.pages),
                           organisations=queries.administered_organisations(current_user.id))


@bp.get("/employer/<int:org_id>/export.<any(csv, xlsx):kind>")
@employer_required
@collector_paused
def export(organisation: Organisation, kind: str):
    """Download the dashboard, with the same filters, as CSV or as an Excel workbook."""
    _, filters = _filters()
    data = build(organisation.id, filters)
    body, mimetype = exports.dashboard_csv(data) if kind == "csv" else exports.dashboard_xlsx(data)
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=exports.filename(organisation, kind))


@bp.get("/employer/<int:org_id>/certificates.zip")
@employer_required
def certificates_zip(organisation: Organisation):
    """Download the PDF of every valid certificate held by the organisation's staff, in one ZIP file."""
    if not exports.has_valid_certificates(organisation.id):  # rather than an empty archive
        flash(_("Nobody in the organisation holds a valid certificate yet: there is nothing to download."), "info")
        return redirect(url_for("employers.dashboard", org_id=organisation.id))
    exports.render_missing_pdfs(organisation.id)
    db.session.commit()  # a language version rendered for the first time is stored once
    name = exports.filename(organisation, "zip", "certificates")  # ASCII by construction
    response = Response(stream_with_context(exports.certificates_zip(organisation.id)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _member_or_404(organisation: Organisation, membership_id: int) -> Membership:
    return queries.member(organisation.id, membership_id) or abort(404)


@bp.get("/employer/<int:org_id>/people/<int:membership_id>")
@employer_required
def person(organisation: Organisation, membership_id: int):
    """Show what the employer may see of one person: status, dates, scores and certificates."""
    membership = _member_or_404(organisation, membership_id)
    return render_template("employers/person.html", organisation=organisation, membership=membership,
                           record=person_record(organisation.id, membership),
                           form=MemberForm(obj=membership), action_form=ActionForm())


@bp.post("/employer/<int:org_id>/people/<int:membership_id>")
@employer_required
def update_person(organisation: Organisation, membership_id: int):
    """Change a person's job role, contact-person designation or administrator right."""
    membership = _member_or_404(organisation, membership_id)
    form = MemberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.update_member(membership, job_role=form.job_role.data, is_contact_person=form.is_contact_person.data,
                               is_employer_admin=form.is_employer_admin.data)
    except services.LastAdministrator:
        flash(_("The organisation needs at least one employer administrator."), "error")
        return redirect(url_for("employers.person", org_id=organisation.id, membership_id=membership.id))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("employers.person", org_id=organisation.id, membership_id=membership.id))


@bp.post("/employer/<int:org_id>/people/<int:membership_id>/remove")
@employer_required
def remove_person(organisation: Organisation, membership_id: int):
    """Take a person out of the organisation; their account and certificates stay theirs."""
    membership = _member_or_404(organisation, membership_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = membership.user.full_name
    question = ask_unless_confirmed(
        title=_("Remove %(name)s from %(organisation)s?", name=name, organisation=organisation.name),
        consequence=_("They keep their account, progress and certificates, but you no longer see them, and their "
                      "own assignments are deleted. Only a new invitation brings them back."),
        button=_("Remove %(name)s", name=name),
        back=url_for("employers.person", org_id=organisation.id, membership_id=membership.id))
    if question is not None:
        return question
    try:
        services.remove_member(membership)
    except services.LastAdministrator:
        flash(_("The organisation needs at least one employer administrator."), "error")
        return redirect(url_for("employers.person", org_id=organisation.id, membership_id=membership.id))
    db.session.commit()
    flash(_("%(name)s is no longer a member of the organisation.", name=name), "success")
    return redirect(url_for("employers.dashboard", org_id=organisation.id))
