"""In-process memos of loaded course content, which never changes once loaded (a new load makes a new version).

Keys are ids of immutable rows (a course version, a module, a question) and the language — never a course's
slug alone, since which version is current may change at any time on another server — and values hold no
learner's data, so app servers stay stateless. Each application has its own memos (tests make one app per
database), bounded so that a long-running server loading many versions keeps a fixed size.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Memo:
    """A bounded, thread-safe dict of computed values; the oldest entry goes when it is full."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._values: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T | None]) -> T | None:
        """Return the value for `key`, computing and keeping it when missing (None is returned, not kept)."""
        try:
            return self._values[key]  # type: ignore[return-value]
        except KeyError:
            pass
        value = compute()
        if value is not None:
            with self._lock:
                while len(self._values) >= self.maxsize:
                    del self._values[next(iter(self._values))]
                self._values[key] = value
        return value

    def get_many(self, keys: list[K], compute: Callable[[list[K]], dict[K, T]]) -> dict[K, T]:
        """Return {key: value} for `keys`, computing the missing ones in one call of compute(missing keys)."""
        values = self._values
        found = {key: values[key] for key in keys if key in values}
        missing = [key for key in keys if key not in found]
        if missing:
            computed = compute(missing)
            with self._lock:
                for key, value in computed.items():
                    while len(values) >= self.maxsize:
                        del values[next(iter(values))]
                    values[key] = value
            found.update(computed)
        return found  # type: ignore[return-value]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def memo(name: str, maxsize: int = 1024) -> Memo:
    """Return the current application's memo called `name`, creating it on first use."""
    memos = current_app.extensions.setdefault("relais.memos", {})
    try:
        return memos[name]
    except KeyError:
        return memos.setdefault(name, Memo(maxsize))
