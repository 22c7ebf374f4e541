"""Limits on the doors to an account (log in, register, reset, accept an invitation), against password guessing.

One person (their address and the account or invitation they try) gets LOGIN_RATE_LIMIT. One address in all gets
the higher LOGIN_ADDRESS_RATE_LIMIT, shared by every door: a whole company logs in from behind one NAT on a
training morning, so colleagues must not use up each other's budget. One account, from any address, gets
LOGIN_ACCOUNT_RATE_LIMIT, against guessing spread over many addresses.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address

from elearning.extensions import limiter


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _account_tried() -> str:
    return (request.form.get("email") or "").strip().lower()


def _person() -> str:
    """The address and what it tries to open: an account's email or an invitation's link."""
    return f"{get_remote_address()}/{_account_tried() or request.path}"


address_ceiling = limiter.shared_limit(_setting("LOGIN_ADDRESS_RATE_LIMIT"), scope="account-doors", methods=["POST"])


def account_door(view):
    """Apply the three limits to the POSTs of `view`."""
    view = limiter.limit(_setting("LOGIN_RATE_LIMIT"), key_func=_person, methods=["POST"])(view)
    view = address_ceiling(view)
    return limiter.limit(_setting("LOGIN_ACCOUNT_RATE_LIMIT"), key_func=lambda: f"account/{_account_tried()}",
                         methods=["POST"], exempt_when=lambda: not _account_tried())(view)
