"""Simulated learners for the reliability tests: log in, read every lesson page, take each module's quiz.

Started by tests/reliability/harness.py (locust --headless), configured through the environment:
RELIABILITY_LEARNERS (a file of learner emails, one per simulated user), RELIABILITY_PASSWORD,
RELIABILITY_COURSES (the course folder, read for the right answers) and RELIABILITY_LEDGER (where the
ledger is written when locust quits).

The ledger is the client's side of the story: every submission the server acknowledged (a redirect to
the attempt's result) with the exact fields sent, every request that failed on the connection or with a
5xx and was retried, and each status seen. A request that fails on the connection or with 502/503/504 is
retried: every step here is safe to repeat (logging in, reading, starting an attempt, submitting it).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

from tests.reliability import answers
from tests.reliability.answers import COURSE, CSRF, NEXT_PAGE

RETRY_STATUSES = {0, 502, 503, 504}
MAX_TRIES = 40  # with the back-off below, about 30 s: longer than a worker restart or a database restart
RIGHT_RATE = 0.85  # chance of answering an item right: some attempts fail and are retaken
MAX_ATTEMPTS_PER_MODULE = 3
DOUBLE_SUBMIT_RATE = 0.1  # chance of posting an acknowledged attempt again (a double click, a reload)

_emails = iter(Path(os.environ["RELIABILITY_LEARNERS"]).read_text().split())
_password = os.environ["RELIABILITY_PASSWORD"]
_counter = itertools.count()
_courses = Path(os.environ["RELIABILITY_COURSES"])
ANSWERS = answers.answer_key(_courses)
MODULES = answers.modules(_courses)

LEDGER: dict = {"acks": [], "pending": {}, "unresolved": [], "duplicates": [], "bad": [], "retries": Counter(),
                "statuses": Counter(), "server_errors": [], "started": time.time()}


@events.request.add_listener
def _count(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    LEDGER["statuses"][str(status)] += 1
    if status >= 500:
        LEDGER["server_errors"].append({"status": status, "name": name, "at": round(time.time(), 3)})


@events.quitting.add_listener
def _write_ledger(environment, **kwargs):
    stats = environment.stats
    LEDGER["stats"] = {
        "requests": stats.total.num_requests, "failures": stats.total.num_failures,
        "rps": round(stats.total.total_rps, 1),
        "p50_ms": stats.total.get_response_time_percentile(0.5),
        "p95_ms": stats.total.get_response_time_percentile(0.95),
        "p99_ms": stats.total.get_response_time_percentile(0.99),
        "by_name": {name: {"requests": entry.num_requests, "failures": entry.num_failures,
                           "p50_ms": entry.get_response_time_percentile(0.5),
                           "p99_ms": entry.get_response_time_percentile(0.99)}
                    for (name, _method), entry in sorted(stats.entries.items())},
    }
    LEDGER["finished"] = time.time()
    Path(os.environ["RELIABILITY_LEDGER"]).write_text(json.dumps(LEDGER, indent=1))


class Learner(HttpUser):
    """One learner working through the fixture course, then rereading and retaking at leisure."""

    wait_time = between(0.2, 1.5)

    def on_start(self) -> None:
        self.email = next(_emails)
        self.rng = random.Random(next(_counter))
        self.plan = self._plan()
        self.login()

    # Requests -----------------------------------------------------------------------------------------

    def send(self, method: str, url: str, *, name: str, **kwargs):
        """Send a request, retrying it while the connection fails or the server answers 502/503/504."""
        response = None
        for tries in range(1, MAX_TRIES + 1):
            response = self.client.request(method, url, name=name, **kwargs)
            if response.status_code not in RETRY_STATUSES:
                return response, tries
            LEDGER["retries"][f"{name} {response.status_code}"] += 1
            gevent.sleep(min(0.25 * tries, 1.0))
        return response, MAX_TRIES

    def csrf(self, url: str, name: str) -> str:
        response, _ = self.send("GET", url, name=name)
        match = CSRF.search(response.text)
        assert match, f"no CSRF token on {url} ({response.status_code})"
        return match.group(1)

    def login(self) -> None:
        token = self.csrf("/account/login", "login page")
        response, _ = self.send("POST", "/account/login", name="log in", allow_redirects=False,
                                data={"csrf_token": token, "email": self.email, "password": _password})
        if response.status_code != 302:
            LEDGER["bad"].append({"user": self.email, "step": "log in", "status": response.status_code})

    # The journey ----------------------------------------------------------------------------------------

    def _plan(self):
        """Yield the learner's steps: read and pass each module in order, then reread and retake forever."""
        self.send("GET", "/learn/", name="my training")
        self.send("GET", f"/learn/{COURSE}", name="course page")
        for module in MODULES:
            yield from self._read(module)
            for _attempt in range(MAX_ATTEMPTS_PER_MODULE):
                passed = yield from self._quiz(module)
                if passed:
                    break
        while True:
            module = self.rng.choice(MODULES)
            if self.rng.random() < 0.5:
                yield from self._read(module)
            else:
                yield from self._quiz(module)

    def _read(self, module: str):
        self.send("GET", f"/learn/{COURSE}/{module}", name="module page")
        yield
        url = f"/learn/{COURSE}/{module}/1"
        while url:
            response, _ = self.send("GET", url, name="lesson page")
            match = NEXT_PAGE.search(response.text)
            url = match.group(1).replace("&amp;", "&") if match else None
            yield

    def _quiz(self, module: str):
        token = self.csrf(f"/quiz/{COURSE}/{module}", "quiz intro")
        response, _ = self.send("POST", f"/quiz/{COURSE}/{module}", name="start attempt",
                                data={"csrf_token": token}, allow_redirects=False)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or "/quiz/attempts/" not in location:
            LEDGER["bad"].append({"user": self.email, "step": "start", "status": response.status_code})
            return False
        attempt_url = location[location.index("/quiz/attempts/"):]
        take, _ = self.send("GET", attempt_url, name="quiz page")
        yield
        fields = answers.answer_fields(take.text, ANSWERS, self.rng, RIGHT_RATE)
        token = CSRF.search(take.text).group(1)
        attempt_id = int(attempt_url.rstrip("/").rsplit("/", 1)[-1])
        passed = yield from self._submit(attempt_url, attempt_id, token, fields)
        return passed

    def _submit(self, attempt_url: str, attempt_id: int, token: str, fields: list[tuple[str, str]]):
        data = [("csrf_token", token), *fields]
        # Until it is answered: locust may stop a learner in the middle of a request when the run ends.
        key = f"{self.email} {attempt_id}"
        LEDGER["pending"][key] = {"user": self.email, "attempt": attempt_id, "fields": fields}
        response, tries = self.send("POST", attempt_url, name="submit attempt", data=data, allow_redirects=False)
        del LEDGER["pending"][key]
        if response.status_code == 302 and response.headers.get("Location", "").endswith(f"{attempt_url}/result"):
            LEDGER["acks"].append({"user": self.email, "attempt": attempt_id, "fields": fields, "tries": tries})
        else:
            LEDGER["unresolved" if response.status_code in RETRY_STATUSES else "bad"].append(
                {"user": self.email, "attempt": attempt_id, "step": "submit", "status": response.status_code})
            return False
        if self.rng.random() < DOUBLE_SUBMIT_RATE:  # the same answers again: must change nothing
            again, _ = self.send("POST", attempt_url, name="submit again", data=data, allow_redirects=False)
            LEDGER["duplicates"].append({"user": self.email, "attempt": attempt_id, "status": again.status_code})
        result, _ = self.send("GET", f"{attempt_url}/result", name="result page")
        yield
        return "result-passed" in result.text

    @task
    def step(self) -> None:
        next(self.plan)
