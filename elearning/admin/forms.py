"""Platform administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from elearning.accounts.forms import LANGUAGE_CHOICES, valid_email
from elearning.templating import _l


class AdministratorForm(FlaskForm):
    admin_name = StringField(_l("Employer administrator's full name"), validators=[DataRequired(), Length(max=200)])
    admin_email = EmailField(_l("Employer administrator's email address"),
                             validators=[DataRequired(), valid_email, Length(max=254)])
    admin_language = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)


class OrganisationForm(AdministratorForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
