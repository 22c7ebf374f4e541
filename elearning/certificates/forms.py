"""Certificate forms: look up a code, check a PDF file, revoke."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from elearning.templating import _l

UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # certificates weigh about 20 kB; anything far bigger is not one of ours


class CodeForm(FlaskForm):
    """The public look-up form, sent with GET so the address can be shared; no CSRF token needed."""

    class Meta:
        csrf = False

    code = StringField(_l("Certificate code"), validators=[DataRequired(), Length(max=64)],
                       description=_l("For example RLS-7KQ2-M9XD-4Y. Capitals, dashes and spaces do not matter."))


class UploadForm(FlaskForm):
    pdf = FileField(_l("PDF file of the certificate"),
                    validators=[FileRequired(_l("Choose a PDF file."))],  # the view limits the request size
                    description=_l("The file is compared byte for byte with the issued versions, then discarded."),
                    render_kw={"accept": "application/pdf,.pdf"})


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=500)],
                           description=_l("Shown on the public verification page."))
