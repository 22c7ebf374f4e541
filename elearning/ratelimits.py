"""Limits on the doors to an account (log in, register, reset, accept an invitation), against password guessing.

One person (their address and the account or invitation they try) gets LOGIN_RATE_LIMIT. One address in all gets
the higher LOGIN_ADDRESS_RATE_LIMIT, shared by every door: a whole company logs in from behind one NAT on a
training morning, so colleagues must not use up each other's budget. One account, from any address, gets
LOGIN_ACCOUNT_RATE_LIMIT, against guessing spread over many addresses.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from elearning.extensions import limiter


class SweepingMemoryStorage(MemoryStorage):
    """The memory:// storage without its timer thread: expired counters are swept inline, at most once a second.

    MemoryStorage starts a new threading.Timer on nearly every hit to sweep expired counters 10 ms later; starting
    a thread costs about 0.5 ms of CPU here, more than the rest of the limiter. The sweep only frees memory (every
    read already ignores an expired counter), so doing it less often changes no limit.
    """

    STORAGE_SCHEME = ["relais-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (replaces MemoryStorage's private scheduler)
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def use_sweeping_memory_storage(app: Flask) -> None:
    """Serve a memory:// RATELIMIT_STORAGE_URI with SweepingMemoryStorage (call before limiter.init_app)."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://"):
        app.config["RATELIMIT_STORAGE_URI"] = "relais-" + uri


def skip_idle_app_wide_check(app: Flask) -> None:
    """Run Flask-Limiter's before-request check only while app-wide limits exist (call after limiter.init_app).

    That hook applies the default, application, blueprint and meta limits; Relais declares none (its limits sit
    on the views, whose decorators check them), so on every other page the hook only resolved an empty list, at
    about 0.13 ms a request. Should such limits be declared one day, the hook runs again.
    """
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit not in hooks:  # the limiter is disabled (tests): it registered nothing
        return
    manager = limiter.limit_manager

    def _check_app_wide_limits() -> None:
        if (manager._application_limits or manager._default_limits or manager._blueprint_limits
                or limiter._meta_limits):
            limiter._check_request_limit()

    hooks[hooks.index(limiter._check_request_limit)] = _check_app_wide_limits


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
