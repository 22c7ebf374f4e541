"""Account forms: registration, login, password reset, profile."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from elearning.accounts.models import JobRole
from elearning.templating import _l

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop", "azertyuiop",
    "iloveyou12", "motdepasse", "wachtwoord", "welcome123", "letmein123", "0123456789", "abcdefghij",
})

# WTForms' own message says "email address" differently from the labels in French ("adresse électronique").
valid_email = Email(message=_l("This is not a valid email address."))

JOB_ROLE_LABELS = {
    JobRole.HR_MANAGER: _l("HR manager"),
    JobRole.PREVENTION_ADVISER: _l("Prevention adviser (internal service)"),
    JobRole.CPBW_MEMBER: _l("Member of the Committee for Prevention and Protection at Work"),
    JobRole.EXTERNAL_PREVENTION: _l("External prevention service"),
    JobRole.CONTACT_PERSON: _l("Contact person for partner violence"),
    JobRole.MANAGER: _l("Manager"),
    JobRole.OTHER: _l("Other"),
}
LANGUAGE_CHOICES = [SelectChoice(code, name, render_kw={"lang": code})
                    for code, name in (("nl", "Nederlands"), ("fr", "Français"), ("en", "English"))]


def job_role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in JOB_ROLE_LABELS.items()]


def strong_password(form, field) -> None:
    """Refuse short, common or one-character passwords."""
    value = field.data or ""
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if value.lower() in COMMON_PASSWORDS or len(set(value)) < 4:
        raise ValidationError(_l("This password is too easy to guess. Choose another one."))


class RegistrationForm(FlaskForm):
    full_name = StringField(_l("Full name as it should appear on your certificate"),
                            validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email address"), validators=[DataRequired(), valid_email, Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    job_role = SelectField(_l("Job role"), choices=job_role_choices)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), valid_email])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), valid_email])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name as it should appear on your certificate"),
                            validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    job_role = SelectField(_l("Job role"), choices=job_role_choices)
