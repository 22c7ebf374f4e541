"""Hold the cyclic garbage collector off while a large staff list is built and rendered (no Flask)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_paused = 0  # views inside the pause right now (threads share the collector)
_reenable = False


def collector_paused(view: Callable[P, R]) -> Callable[P, R]:
    """Run the view with automatic garbage collection paused; restore it when the last such view returns.

    The dashboard of 5,000 staff keeps ~16,000 objects alive until its response is made (rows, their statuses,
    certificate facts). The automatic collections they trigger walk every young object, and about every other
    request a full one walks the whole application (~140,000 objects): 60-90 ms of CPU per request on average
    on 2 shared cores (bench/ data, the dashboard and the CSV export), for nothing: the rows form no reference
    cycles, reference counting frees them when the view returns, and the collector runs as usual afterwards.
    """

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        _enter()
        try:
            return view(*args, **kwargs)
        finally:
            _leave()

    return wrapper


def _enter() -> None:
    global _paused, _reenable
    with _lock:
        if _paused == 0:
            _reenable = gc.isenabled()  # leave it off if someone else turned it off
            gc.disable()
        _paused += 1


def _leave() -> None:
    global _paused
    with _lock:
        _paused -= 1
        if _paused == 0 and _reenable:
            gc.enable()
