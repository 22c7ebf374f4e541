"""My certificates, PDF downloads, revocation, and the public verification pages."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from elearning.accounts.models import utcnow
from elearning.certificates import queries, services
from elearning.certificates.forms import UPLOAD_MAX_BYTES, CodeForm, RevokeForm, UploadForm
from elearning.certificates.models import Certificate
from elearning.config import LANGUAGES
from elearning.extensions import csrf, db, limiter
from elearning.security import admin_required
from elearning.templating import _l

bp = Blueprint("certificates", __name__)

DEFAULT_VERIFY_RATE_LIMIT = "30 per minute"
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart headers and the CSRF token around the file
# A language named inside a sentence, in the reader's language ("identical to the French version"); lists of
# versions name each language in itself (templating.LANGUAGE_NAMES).
LANGUAGE_IN_TEXT = {"nl": _l("the Dutch version"), "fr": _l("the French version"), "en": _l("the English version")}


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT", DEFAULT_VERIFY_RATE_LIMIT)


verify_limit = limiter.shared_limit(_verify_limit, scope="verify")


def _upload_limit() -> int:
    return current_app.config.get("CERTIFICATE_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES) + FORM_OVERHEAD_BYTES


@bp.app_template_filter("hours")
def _hours(value: float) -> str:
    """Write a number of hours in the interface language, e.g. 3,5."""
    return format_decimal(value, format="#,##0.#")


@bp.app_template_filter("fromiso")
def _from_iso(value: str) -> datetime:
    """Read a date-time stored as ISO 8601 text in a certificate snapshot."""
    return datetime.fromisoformat(value)


@bp.get("/certificates/")
@login_required
def index():
    """List the requirements that apply to the learner with their progress, and their certificates."""
    now = utcnow()
    certificates = queries.certificates_of(current_user.id)
    return render_template("certificates/index.html", certificates=certificates, now=now, languages=LANGUAGES,
                           statuses=queries.requirement_statuses(current_user, certificates, now))


@bp.get("/certificates/<code>/pdf/<language>")
@login_required
def download(code: str, language: str):
    """Send the stored language version of the certificate (one query with the ownership check)."""
    found = queries.download_of(current_user, code, language)
    if found is None or not found.allowed:
        abort(404)  # the same answer for "not yours" and "does not exist", so codes cannot be probed
    data, sha256 = found.data, found.sha256
    if data is None:  # issued before every language was stored at issue time: render it now, once
        stored = services.pdf_for(db.session.get(Certificate, found.certificate_id), language)
        data, sha256 = stored.data, stored.sha256
        db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="relais-certificate-{found.code}-{language}.pdf"'
    response.set_etag(sha256)
    return response


@bp.post("/certificates/<code>/revoke")
@admin_required
def revoke(code: str):
    """Revoke a certificate with a reason (platform administrators)."""
    certificate = queries.certificate_by_code(code) or abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason (at most 500 characters) to revoke a certificate."), "error")
    else:
        try:
            services.revoke(certificate, current_user, form.reason.data)
            db.session.commit()
            flash(_("The certificate %(code)s is revoked.", code=certificate.code), "success")
        except services.AlreadyRevoked:
            flash(_("This certificate was already revoked."), "info")
    return redirect(url_for("certificates.verify", code=certificate.code))


def _not_found(form: CodeForm | None = None):
    return render_template("certificates/not_found.html", form=form or CodeForm(formdata=None)), 404


@bp.get("/verify")
@verify_limit
def lookup():
    """Ask for a certificate code, then open its verification page."""
    form = CodeForm(formdata=request.args if "code" in request.args else None)
    if "code" not in request.args:
        return render_template("certificates/lookup.html", form=form)
    certificate = queries.certificate_by_code(form.code.data) if form.validate() else None
    if certificate is None:
        if not form.code.errors:  # well formed but unknown: said beside the field too, which is marked invalid
            form.code.errors = [_("Check the code on the certificate and try again.")]
        return _not_found(form)
    return redirect(url_for("certificates.verify", code=certificate.code))


@bp.route("/verify/<code>", methods=["GET", "POST"])
@csrf.exempt  # UploadForm checks the token itself, after the size limit below applies to the body
@verify_limit
def verify(code: str):
    """Show a certificate's status and details; check an uploaded PDF against the issued versions."""
    certificate = queries.certificate_to_verify(code)
    if certificate is None:
        return _not_found()
    if request.method == "GET" and code != certificate.code:
        return redirect(url_for("certificates.verify", code=certificate.code))
    request.max_content_length = _upload_limit()
    upload, checked, match, is_pdf = UploadForm(), False, None, True
    if request.method == "POST" and upload.validate_on_submit():
        with upload.pdf.data.stream as stream:
            data = stream.read()
        checked, match, is_pdf = True, queries.matching_pdf(certificate, data), data.startswith(b"%PDF-")
    status = 400 if request.method == "POST" and not checked else 200
    return _verify_page(certificate, upload, checked=checked, match=match, is_pdf=is_pdf), status


def _verify_page(certificate: Certificate, upload: UploadForm, *, checked: bool = False, match=None,
                 is_pdf: bool = True):
    response = Response(render_template(
        "certificates/verify.html", certificate=certificate, now=utcnow(), upload=upload, checked=checked,
        match=match, is_pdf=is_pdf, language_in_text=LANGUAGE_IN_TEXT,
        revoke_form=RevokeForm() if current_user.is_authenticated and current_user.is_platform_admin else None))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error):
    """Answer an oversized upload on the verification page with a readable page."""
    message = _("A certificate PDF is much smaller. Go back and choose the PDF you received.")
    back = (request.path, _("Back to the certificate")) if request.endpoint == "certificates.verify" else None
    return render_template("errors/error.html", status=413, title=_("This file is too large"), message=message,
                           back=back), 413
