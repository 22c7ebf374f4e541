"""Profile one route in-process with pyinstrument, on the data of a kept benchmark run.

    BENCH_KEEP=1 BENCH_QUICK=1 .venv/bin/python -m bench.run      # prints "work folder kept: /tmp/relais-bench-..."
    .venv/bin/python -m bench.profile /tmp/relais-bench-... lesson 200

The requests are the ones wrk sends (same sessions, same bodies), through Flask's test client on a copy of the
seeded SQLite database; the output is CPU milliseconds per request and pyinstrument's call tree.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from pyinstrument import Profiler


def main(work: str, route: str, count: int = 100) -> None:
    folder = Path(work)
    database = folder / f"profile-{os.getpid()}.db"  # one per run: two runs at once must not share a file
    shutil.copyfile(folder / "seed.db", database)
    os.environ.update(json.loads((folder / "env.json").read_text()))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from bench.wsgi import app  # created from the environment above

    lines = (folder / "lists-sqlite" / f"{route}.tsv").read_text(encoding="utf-8").splitlines()
    client = app.test_client()

    def send(n: int) -> None:
        method, path, cookie, body, expected = lines[n % len(lines)].split("\t")
        if cookie:
            client.set_cookie("session", cookie, domain="localhost")
        else:
            client.delete_cookie("session", domain="localhost")
        headers = {"User-Agent": "relais-bench", "Accept-Language": "en"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = client.open(path, method=method, base_url="http://localhost", data=body or None, headers=headers)
        if response.status_code != int(expected):
            raise SystemExit(f"{path} answered {response.status_code} {response.headers.get('Location', '')}")

    for n in range(3):  # warm: templates compiled, statements cached
        send(n)
    started = time.process_time()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for n in range(3, 3 + count):
            send(n)
    print(f"{route}: {(time.process_time() - started) * 1000 / count:.1f} ms of CPU per request (profiled)")
    print(profiler.output_text(color=False, show_all=False))
    for leftover in folder.glob(f"{database.name}*"):  # the copy and its -wal and -shm files
        leftover.unlink()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100)
