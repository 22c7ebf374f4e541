"""Employer forms: invitations, the staff-file upload, people, assignments, dashboard filters, privacy."""

from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from elearning.accounts.forms import LANGUAGE_CHOICES, job_role_choices, strong_password, valid_email
from elearning.dates import local_today
from elearning.employers.status import STATES, State
from elearning.templating import _l

STATE_LABELS = {
    State.NOT_STARTED: _l("Not started"),
    State.IN_PROGRESS: _l("In progress"),
    State.DONE: _l("Done"),
    State.EXPIRING: _l("Expiring soon"),
    State.EXPIRED: _l("Expired"),
    State.OVERDUE: _l("Overdue"),
}

ROW_PROBLEMS = {
    "missing_name": _l("The name is missing."),
    "name_too_long": _l("The name is longer than 200 characters."),
    "missing_email": _l("The email address is missing."),
    "bad_email": _l("This is not a valid email address."),
    "missing_role": _l("The job role is missing."),
    "unknown_role": _l("This job role is unknown."),
    "unknown_language": _l("The language must be nl, fr or en."),
    "duplicate": _l("This address is already on an earlier line of the file."),
    "already_member": _l("This person is already a member of the organisation."),
    "already_invited": _l("This person already has a pending invitation; resend it from the list instead."),
}

FILE_PROBLEMS = {
    "too_large": _l("The file is too large: it may be at most %(limit)s."),
    "too_many_rows": _l("The file has too many rows: import at most %(limit)s people at a time."),
    "wrong_type": _l("Upload a CSV file or an Excel workbook (.xlsx)."),
    "unreadable": _l("This file could not be read. Save it again as CSV or .xlsx and retry."),
    "empty": _l("The file has no rows below its header."),
    "missing_columns": _l("The first row must name the columns: name, email, job role (and optionally language). "
                          "Missing: %(columns)s."),
}
# The required columns as the message above names them.
COLUMN_NAMES = {"full_name": _l("name"), "email": _l("email"), "job_role": _l("job role")}

INVITATION_STATES = {
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}


def state_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(state.value, STATE_LABELS[state]) for state in STATES]


def role_filter_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("All job roles"))] + job_role_choices()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class InviteForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email address"), validators=[DataRequired(), valid_email, Length(max=254)])
    job_role = SelectField(_l("Job role"), choices=job_role_choices)
    language = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)


class ImportForm(FlaskForm):
    file = FileField(_l("Staff list (CSV or Excel .xlsx)"), validators=[FileRequired()],
                     description=_l("One person per row, with the columns name, email, job role and language "
                                    "(nl, fr or en; the language of this page when empty)."))


class ConfirmImportForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


class MemberForm(FlaskForm):
    job_role = SelectField(_l("Job role"), choices=job_role_choices)
    is_contact_person = BooleanField(_l("Contact person for partner violence"))
    is_employer_admin = BooleanField(_l("Employer administrator (manages staff and sees the dashboard)"))


class AssignmentForm(FlaskForm):
    requirement_id = SelectField(_l("Requirement"), coerce=int, validators=[InputRequired()])
    target = RadioField(_l("Assign to"), default="role",
                        choices=[SelectChoice("role", _l("Everyone with a job role")),
                                 SelectChoice("people", _l("Chosen people"))])
    job_role = SelectField(_l("Job role"), choices=job_role_choices)
    people = SelectMultipleField(_l("People"), coerce=int, validators=[Optional()],
                                 description=_l("Hold Ctrl (or Cmd) to choose several people."))
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.target.data == "people" and not self.people.data:
            self.people.errors.append(_l("Choose at least one person."))
            return False
        if self.due_on.data is not None and self.due_on.data < local_today():
            # everyone would be overdue at once, and the next reminders would ask them for a date gone by
            self.due_on.errors.append(_l("This date is in the past: choose today or a later date."))
            return False
        return True


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=lambda: state_choices(_l("All statuses")), validators=[Optional()])
    role = SelectField(_l("Job role"), choices=role_filter_choices, validators=[Optional()])
    q = SearchField(_l("Name"), validators=[Optional(), Length(max=200)])
    contacts = BooleanField(_l("Contact persons only"))


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(_l("Full name as it should appear on your certificate"),
                            validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    understood = BooleanField(_l("I understand that my account, progress and answers are deleted for good."),
                              validators=[DataRequired()])



def localised(texts: dict | None) -> str:
    """Pick the current language from a {"nl": ..., "fr": ..., "en": ...} mapping (English, then any, if missing)."""
    if not texts:
        return ""
    return texts.get(str(get_locale())) or texts.get("en") or next(iter(texts.values()))
