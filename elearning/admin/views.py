"""Platform administration: list and create organisations, invite their employer administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from elearning.accounts.services import normalise_email
from elearning.admin import queries
from elearning.admin.forms import AdministratorForm, OrganisationForm
from elearning.employers import services
from elearning.employers.models import Organisation
from elearning.extensions import db
from elearning.security import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def index():
    """List the organisations with their staff, administrators and pending invitations."""
    return render_template("admin/index.html", organisations=queries.organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_required
def new_organisation():
    """Create an organisation and invite its first employer administrator."""
    form = OrganisationForm(admin_language=str(get_locale()))
    if form.validate_on_submit():
        try:
            organisation, invitation, token = services.create_organisation(
                form.name.data, admin_email=form.admin_email.data, admin_name=form.admin_name.data,
                admin_language=form.admin_language.data, invited_by=current_user)
        except services.OrganisationExists:
            form.name.errors.append(_("An organisation with this name already exists."))
        else:
            db.session.commit()
            services.send_invitation(invitation, token)
            flash(_("%(name)s was created and %(email)s invited.", name=organisation.name,
                    email=invitation.email), "success")
            return redirect(url_for("admin.organisation", org_id=organisation.id))
    return render_template("admin/new_organisation.html", form=form), 400 if form.errors else 200


@bp.get("/organisations/<int:org_id>")
@admin_required
def organisation(org_id: int):
    """Show an organisation's employer administrators and invite another."""
    organisation = db.session.get(Organisation, org_id) or abort(404)
    return _organisation_page(organisation, AdministratorForm(admin_language=str(get_locale())))


def _organisation_page(organisation: Organisation, form: AdministratorForm, status: int = 200):
    return render_template("admin/organisation.html", organisation=organisation, form=form,
                           administrators=queries.administrators(organisation.id),
                           invitations=queries.administrator_invitations(organisation.id)), status


@bp.post("/organisations/<int:org_id>/administrators")
@admin_required
def invite_administrator(org_id: int):
    """Invite an employer administrator (an existing member is made administrator when they accept)."""
    organisation = db.session.get(Organisation, org_id) or abort(404)
    form = AdministratorForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, form, 400)
    try:
        invitation, token = services.invite(organisation, email=form.admin_email.data,
                                            full_name=form.admin_name.data, job_role="hr_manager",
                                            language=form.admin_language.data, invited_by=current_user,
                                            is_employer_admin=True)
    except services.AlreadyMember:
        services.promote_member(organisation, form.admin_email.data)
        db.session.commit()
        flash(_("%(email)s is now an employer administrator.", email=normalise_email(form.admin_email.data)),
              "success")
        return redirect(url_for("admin.organisation", org_id=organisation.id))
    except services.AlreadyInvited:
        form.admin_email.errors.append(_("This person already has a pending invitation."))
        return _organisation_page(organisation, form, 400)
    db.session.commit()
    services.send_invitation(invitation, token)
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("admin.organisation", org_id=organisation.id))
