"""Drive one route with wrk (bounded in time, 127.0.0.1 only) and read back the figures the Lua script prints."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua" / "cycle.lua"
TIMEOUT = "10s"  # per request; wrk's default of 2 s would count a queued request as an error at 64 connections


@dataclass
class Figures:
    """What wrk measured for one route."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int  # connect, read, write, timeout
    status_errors: int  # responses with a status >= 400
    unexpected: int  # other statuses than the expected one (e.g. a redirect to the login page)
    reused: int  # requests that went through the list again (a no-op for quiz submissions)
    first_unexpected: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors + self.unexpected


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run(url: str, request_list: str, *, connections: int, seconds: float, user_agent: str) -> Figures:
    """Run wrk against `url` cycling through `request_list`; return its figures."""
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={TIMEOUT}",
               "-s", str(LUA), url, "--", request_list, user_agent, str(threads)]
    result = subprocess.run(command, capture_output=True, text=True, check=False,  # noqa: S603
                            timeout=seconds + 60)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Figures(
        requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        status_errors=data["status"], unexpected=data["unexpected"], reused=data["reused"],
        first_unexpected=data["first_unexpected"])


def one_at_a_time(url: str, lines: list[str], *, count: int, user_agent: str) -> Figures:
    """Time `count` requests sent one after the other (for a route slower than wrk's run: none would finish)."""
    times, errors, started = [], 0, time.perf_counter()
    for n in range(count):
        line = lines[n % len(lines)]
        begun = time.perf_counter()
        status, _headers, _body = probe(url, line, user_agent)
        times.append((time.perf_counter() - begun) * 1000)
        errors += status != int(line.split("\t")[4])
    times.sort()
    return Figures(requests=count, seconds=time.perf_counter() - started, p50_ms=statistics.median(times),
                   p90_ms=times[-1], p99_ms=times[-1], max_ms=times[-1], socket_errors=0, status_errors=0,
                   unexpected=errors, reused=0, first_unexpected="")


def probe(url: str, line: str, user_agent: str) -> tuple[int, dict, bytes]:
    """Send one request of a list (method, path, cookie, body, expected) without following redirects."""
    method, path, cookie, body, _expected = line.rstrip("\n").split("\t")
    headers = {"User-Agent": user_agent, "Accept-Language": "en"}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url + path, data=body.encode() if body else None, headers=headers,  # noqa: S310
                                     method=method)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
