"""Two app servers, one database, one Redis: a session moves between them and the login limit is shared."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests.reliability import harness
from tests.reliability.answers import answer_fields, answer_key, csrf_token

pytestmark = pytest.mark.reliability

REDIS_DB = 11  # a database number of its own on the shared Redis; only our prefixed keys are touched
LOGIN_LIMIT = 10  # the production LOGIN_RATE_LIMIT, "10 per minute;50 per hour"


@contextmanager
def _redis() -> Iterator[str]:
    """Yield the URL of the Redis on 127.0.0.1:6379, or of a private one started for the test if that is down."""
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
        yield f"redis://127.0.0.1:6379/{REDIS_DB}"
        return
    except redis.ConnectionError:
        if shutil.which("redis-server") is None:
            pytest.skip("no Redis on 127.0.0.1:6379 and no redis-server to start one")
    port = harness.free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/{REDIS_DB}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_servers_share_sessions_and_the_login_limit(tmp_path, figures):
    prefix = f"relais-reliability-{uuid.uuid4().hex[:12]}"
    with _redis() as redis_url, harness.throwaway_database(tmp_path, "pair") as database:
        store = redis.Redis.from_url(redis_url)
        try:
            learner, target = harness.seed(database, 2)
            options = {"ratelimit_storage": redis_url, "overrides": {"RATELIMIT_KEY_PREFIX": prefix}}
            with harness.app_server(database, tmp_path, name="a", **options) as a, \
                    harness.app_server(database, tmp_path, name="b", **options) as b:
                assert a.port != b.port
                browser = harness.Browser(a.url)
                assert browser.login(learner).status_code == 302
                browser.base_url = b.url  # the load balancer sends the next request elsewhere
                assert browser.get("/learn/").status_code == 200, "the session did not carry over to server b"
                attempt_url, page = browser.start_attempt("m1-basics")  # started on b
                fields = answer_fields(page, answer_key(harness.FIXTURE_COURSES), random.Random(3), 1.0)
                browser.base_url = a.url
                submitted = browser.post(attempt_url, [("csrf_token", csrf_token(page)), *fields])  # b's form, on a
                assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/result")
                browser.base_url = b.url
                assert "result-passed" in browser.get(attempt_url + "/result").text
                assert browser.post("/account/logout", {"csrf_token": browser.token("/learn/")}).status_code == 302
                browser.base_url = a.url
                assert browser.get("/learn/").status_code == 302, "logged out on b but still logged in on a"

                attacker = harness.Browser(a.url)  # same address; the learner's login above tried another account
                statuses = []
                for attempt in range(LOGIN_LIMIT + 2):
                    attacker.base_url = (a, b)[attempt % 2].url  # alternate: each server alone would allow 10
                    statuses.append(attacker.login(target, "not the password").status_code)
                attacker.base_url = b.url
                right = attacker.login(target).status_code  # even the right password waits out the limit
                a.stop()
                b.stop()
            keys = store.keys(f"*{prefix}*")
        finally:
            for key in store.scan_iter(f"*{prefix}*"):
                store.delete(key)
            store.close()
    assert statuses == [200] * LOGIN_LIMIT + [429, 429], statuses
    assert right == 429
    assert keys, "the limiter wrote nothing to Redis"
    for server in (a, b):
        assert server.server_errors() == [] and "Traceback" not in server.log_text(), server.log_text()[-3000:]
    figures.update(database=database.kind, servers=2, refused_from_attempt=statuses.index(429) + 1,
                   redis_keys=len(keys))
