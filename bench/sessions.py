"""Logged-in sessions minted without a login request, for the request lists wrk sends (no login rate limit in
the figures): bench/seed.py for the app, bench/stack_app.py for the stack's bare routes."""

from __future__ import annotations

from flask import Flask, g, session
from flask_login import UserMixin, login_user
from flask_wtf.csrf import generate_csrf

USER_AGENT = "relais-bench"  # Flask-Login's session protection hashes it into the session: wrk sends the same one


def mint_session(app: Flask, user: UserMixin) -> tuple[str, str]:
    """Return (session cookie, CSRF form token) of `user` logged in, signed with the app's secret key."""
    with app.test_request_context(headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        login_user(user)
        g.pop("csrf_token", None)  # Flask-WTF caches the token in g, which the outer app context shares
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, token
