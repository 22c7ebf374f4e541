"""The in-process memos of loaded content: bounded, computing each value once, never keeping a miss."""

from elearning.learn.cache import Memo, memo


def test_memo_computes_once_and_keeps_no_miss():
    calls = []
    box = Memo(maxsize=2)
    assert box.get("a", lambda: calls.append("a") or 1) == 1
    assert box.get("a", lambda: calls.append("a again") or 2) == 1
    assert box.get("missing", lambda: calls.append("missing")) is None
    assert box.get("missing", lambda: calls.append("missing again")) is None
    assert calls == ["a", "missing", "missing again"]


def test_memo_drops_the_oldest_entry_when_full():
    box = Memo(maxsize=2)
    for key in "abc":
        box.get(key, lambda key=key: key.upper())
    assert box.get("a", lambda: "recomputed") == "recomputed" and box.get("c", lambda: "no") == "C"
    assert len(box._values) == 2


def test_get_many_computes_only_the_missing_keys():
    box = Memo(maxsize=10)
    box.get(1, lambda: "one")
    asked = []

    def compute(keys):
        asked.append(keys)
        return {key: str(key) for key in keys}

    assert box.get_many([1, 2, 3], compute) == {1: "one", 2: "2", 3: "3"}
    assert box.get_many([3, 2], compute) == {3: "3", 2: "2"} and asked == [[2, 3]]


def test_each_app_has_its_own_memos(app):
    from elearning import create_app
    from elearning.config import TestConfig

    memo("lessons").get("key", lambda: "first app")
    other = create_app(TestConfig)
    with other.app_context():
        assert memo("lessons").get("key", lambda: "second app") == "second app"
