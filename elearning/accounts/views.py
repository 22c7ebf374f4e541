"""Register, activate, log in and out, reset and change the password, edit the profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from elearning.accounts import services
from elearning.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
)
from elearning.extensions import db
from elearning.ratelimits import account_door
from elearning.security import is_safe_next
from elearning.templating import current_language

bp = Blueprint("accounts", __name__, url_prefix="/account")


@bp.route("/register", methods=["GET", "POST"])
@account_door
def register():
    """Create an account; the same answer whether or not the address was already registered."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm(language=request.args.get("lang") or current_language())  # the page's language
    if form.validate_on_submit():
        try:
            services.register_user(full_name=form.full_name.data, email=form.email.data,
                                   password=form.password.data, language=form.language.data,
                                   job_role=form.job_role.data)
        except services.EmailTaken:
            pass
        services.send_registration_email(
            form.email.data, form.language.data,
            lambda token: url_for("accounts.activate", token=token, _external=True),
            url_for("accounts.login", _external=True))
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


@bp.get("/activate/<token>")
def activate(token: str):
    """Confirm the email address and log the new user in, once: a used link only leads to the login page (a
    forwarded email or a shared mailbox must not open the account)."""
    try:
        user = services.activate(token)
    except services.InvalidResetToken:
        return render_template("accounts/link_invalid.html"), 400
    except services.AlreadyActive:
        flash(_("Your account is already active. Log in with your email address and password."), "info")
        return redirect(url_for("accounts.login"))
    db.session.commit()
    login_user(user)
    flash(_("Your account is active. Welcome to Relais."), "success")
    return redirect(url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
@account_door
def login():
    """Log in with email and password; one message for every failure."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email address or password is not right."))
        elif user.email_confirmed_at is None:
            services.send_registration_email(
                user.email, user.language,
                lambda token: url_for("accounts.activate", token=token, _external=True),
                url_for("accounts.login", _external=True))
            form.email.errors.append(_("Please activate your account first: we have sent you a new link."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out and return to the landing page.

    The quick-exit button sends this in the background (quick_exit=1) while the tab leaves for a neutral site:
    it gets 204, no message waiting in the session and no redirect to follow, so Back finds only the login page.
    Like the form, it needs the CSRF token and does nothing for a visitor who is not logged in.
    """
    logout_user()
    if request.form.get("quick_exit"):
        return "", 204
    flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@account_door
def forgot_password():
    """Send a reset link when the account exists; say the same thing when it does not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.send_password_reset(
            form.email.data, lambda token: url_for("accounts.reset_password", token=token, _external=True))
        return render_template("accounts/check_email.html", email=form.email.data, reset=True)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a single-use, expiring link."""
    try:
        user = services.user_for_reset_token(token)
    except services.InvalidResetToken:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        if user.email_confirmed_at is None:
            services.activate_without_token(user)
        db.session.commit()
        flash(_("Your password has been changed. You can log in now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password, confirming the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.set_password(current_user, form.password.data)
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit the name on certificates, the language and the job role."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, full_name=form.full_name.data, language=form.language.data,
                                job_role=form.job_role.data)
        db.session.commit()
        refresh()  # the message in the language just chosen, not the one this request started in
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)
