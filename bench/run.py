"""`make bench`: seed throw-away databases, serve the app and a bare Flask app with gunicorn, drive each route
with wrk on 127.0.0.1, time certificate rendering, and print the figures with their ratios and targets.

    .venv/bin/python -m bench.run            # everything (about 8 minutes on 2 cores)
    BENCH_QUICK=1 .venv/bin/python -m bench.run   # SQLite only, 3 s per route (about 3 minutes)

Settings (environment): BENCH_SECONDS (per route), BENCH_DATABASES (sqlite,postgresql), BENCH_WORKERS
(sync,gthread), PG_ADMIN_URL, BENCH_JSON (write every figure to this file), BENCH_KEEP=1 (keep the work folder),
BENCH_STRICT=1 (exit 1 when a target is missed).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import databases, load, report
from bench.servers import ROOT, Gunicorn
from bench.sessions import USER_AGENT

PYTHON = sys.executable


@dataclass(frozen=True)
class Route:
    name: str
    connections: int
    warm_up: bool = True  # a one-second run first; never for submissions, which must not reuse an attempt
    request_list: str = ""  # the seed's list it cycles through, when not its own name

    @property
    def list_name(self) -> str:
        return self.request_list or self.name


BARE_ROUTES = (Route("hello", 16), Route("page", 16))
# The same two behind the session, Flask-Login, Flask-SQLAlchemy, Flask-Babel and Flask-WTF (bench/stack_app.py).
STACK_ROUTES = (Route("stack_hello", 16), Route("stack_page", 16))
# Pages at 16 connections; the dashboard and the export one at a time (their latency is the figure), and the
# lesson page once more one at a time, so the dashboard's p50 is compared with a lesson's at the same load.
APP_ROUTES = (Route("landing", 16), Route("lesson", 16), Route("lesson_single", 1, request_list="lesson"),
              Route("quiz", 16), Route("submit", 64, warm_up=False), Route("result", 16), Route("dashboard", 1),
              Route("download", 16), Route("verify", 16), Route("export", 1))
TITLES = {"sync": "gunicorn sync, 2 workers", "gthread": "gunicorn gthread, 2 workers x 4 threads",
          "sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settings() -> dict:
    quick = os.environ.get("BENCH_QUICK") == "1"
    return {
        "quick": quick,
        "seconds": float(os.environ.get("BENCH_SECONDS", "3" if quick else "6")),
        "databases": os.environ.get("BENCH_DATABASES", "sqlite" if quick else "sqlite,postgresql").split(","),
        "workers": os.environ.get("BENCH_WORKERS", "sync,gthread").split(","),
    }


def seed(env: dict, out: Path) -> dict:
    """Run bench.seed against the database named in `env`; return its manifest."""
    log(f"seeding {env['DATABASE_URL'].split('@')[-1]} ...")
    started = time.monotonic()
    result = subprocess.run([PYTHON, "-m", "bench.seed", str(out)], cwd=ROOT, env={**os.environ, **env},  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    log(f"  seeded in {time.monotonic() - started:.0f} s: {manifest['steps']}")
    return manifest


def pdf_timings(env: dict) -> dict:
    """Time a bare WeasyPrint render and the certificate render, each in a fresh process."""
    found = {}
    for kind in ("bare", "certificate"):
        result = subprocess.run([PYTHON, "-m", "bench.pdf_bench", kind], cwd=ROOT, env={**os.environ, **env},  # noqa: S603
                                capture_output=True, text=True, check=False)
        line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if result.returncode != 0 or line is None:
            raise RuntimeError(f"PDF timing failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        found[kind] = json.loads(line.removeprefix("BENCH_JSON "))
        log(f"  PDF {kind}: cold {found[kind]['cold_s']:.3f} s, warm {found[kind]['warm_s']:.3f} s "
            f"(CPU {found[kind]['warm_cpu_s']:.3f} s)")
    return found


def _probe(server: Gunicorn, route: Route, lines: list[str]) -> None:
    """Send one request of the list first and check it gets the page it should (not a login redirect)."""
    line = lines[-1] if route.name == "submit" else lines[0]  # the last submission is the one least likely sent
    expected = int(line.rstrip("\n").split("\t")[4])
    status, headers, body = load.probe(server.url, line, USER_AGENT)
    location = headers.get("Location", "")
    if status != expected or (route.name == "submit" and "/result" not in location) or (
            route.name == "download" and not body.startswith(b"%PDF")):
        raise RuntimeError(f"{route.name}: {line.split(chr(9))[1]} answered {status} {location} {body[:300]!r}")


def measure(server: Gunicorn, route: Route, request_list: str, seconds: float, db_url: str | None) -> dict:
    """Probe, warm up, then drive one route; return its figures with memory and database checks."""
    lines = Path(request_list).read_text(encoding="utf-8").splitlines()
    _probe(server, route, lines)
    before = databases.counts(db_url) if db_url and route.name in ("submit", "download") else None
    if route.warm_up:
        load.run(server.url, request_list, connections=min(2, route.connections), seconds=1, user_agent=USER_AGENT)
    figures = load.run(server.url, request_list, connections=route.connections, seconds=seconds,
                       user_agent=USER_AGENT)
    if figures.requests < 3 and route.connections == 1:
        figures = load.one_at_a_time(server.url, lines, count=3, user_agent=USER_AGENT)  # slower than the run
    row = {**asdict(figures), "rps": figures.rps, "errors": figures.errors, "connections": route.connections,
           "rss_mib": server.sample_memory() / 1024, "list_length": len(lines)}
    if before is not None:
        after = databases.settled_counts(db_url)
        delta = {key: after[key] - before[key] for key in after}
        row["database_delta"] = delta
        if route.name == "submit":
            # every acknowledged submission must be graded; a few more may be graded whose answer wrk no longer
            # waited for (in flight when it stopped) or that failed after the commit; every answer was right
            acknowledged = figures.requests - figures.errors
            row["acknowledged"], row["graded"] = acknowledged, delta["graded"]
            row["graded_ok"] = acknowledged <= delta["graded"] <= figures.requests + route.connections and \
                delta["passed"] == delta["graded"]
        if route.name == "download":
            row["pdfs_rendered"] = delta["pdfs"]
    log(f"  {route.name:<10} {figures.rps:8.1f} req/s  p50 {figures.p50_ms:7.1f} ms  p99 {figures.p99_ms:7.1f} ms"
        f"  errors {figures.errors}{'  ' + figures.first_unexpected if figures.first_unexpected else ''}")
    return row


def write_bare_lists(work: Path, bare_db: Path, secret: str) -> None:
    """Write the request lists of the bare and stack routes (the stack's with sessions of users 1-1,000)."""
    from bench import stack_app

    lists = work / "bare"
    lists.mkdir(exist_ok=True)
    (lists / "hello.tsv").write_text("GET\t/hello\t\t\t200\n")
    (lists / "page.tsv").write_text("".join(f"GET\t/page/{n}\t\t\t200\n" for n in range(1, 1001)))
    cookies = stack_app.mint_sessions(stack_app.create_app(str(bare_db), secret), 1000)
    (lists / "stack_hello.tsv").write_text("".join(f"GET\t/stack/hello\t{cookie}\t\t200\n" for cookie in cookies))
    (lists / "stack_page.tsv").write_text("".join(f"GET\t/stack/page/{n}\t{cookie}\t\t200\n"
                                                  for n, cookie in enumerate(cookies, start=1)))


def run_bare(worker: str, cfg: dict, work: Path, bare_db: Path, secret: str) -> dict:
    """Serve bench/bare_app.py, then bench/stack_app.py, like the app and measure their routes."""
    figures = {}
    for module, routes, env, title in (
            ("bare_app", BARE_ROUTES, {}, "bare Flask app"),
            ("stack_app", STACK_ROUTES, {"STACK_SECRET_KEY": secret}, "the bare routes on the prescribed stack")):
        server = Gunicorn(f"bench.{module}:app", worker, {"BARE_DB": str(bare_db), **env},
                          work / f"gunicorn-{module}-{worker}.log")
        log(f"{title}, {TITLES[worker]}:")
        server.start(probe="/hello")  # any answer will do: a 404 from the stack app
        try:
            figures.update({route.name: measure(server, route, str(work / "bare" / f"{route.name}.tsv"),
                                                cfg["seconds"], None) for route in routes})
        finally:
            server.stop()
    return figures


def run_app(worker: str, database: str, db_url: str, manifest: dict, cfg: dict, env: dict, work: Path) -> dict:
    """Serve the app on a fresh copy of the seeded database and measure every route."""
    server = Gunicorn("bench.wsgi:app", worker, {**env, "DATABASE_URL": db_url},
                      work / f"gunicorn-{worker}-{database}.log")
    log(f"Relais, {TITLES[worker]}, {TITLES[database]}:")
    load_before = os.getloadavg()[0]
    server.start(probe="/healthz")
    routes, notes = {}, []
    try:
        for route in APP_ROUTES:
            routes[route.name] = measure(server, route, manifest["lists"][route.list_name], cfg["seconds"], db_url)
        if len(server.peak_kib) > 2:
            notes.append(f"{len(server.peak_kib) - 2} worker(s) restarted during the run")
        notes.append(f"gunicorn master peak RSS {server.master_kib() / 1024:.0f} MiB")
    finally:
        server.stop()
    submit = routes["submit"]
    notes.append(f"quiz submission: {submit['acknowledged']} acknowledged, {submit['graded']} graded in the "
                 f"database, {submit['reused']} sent twice (of {submit['list_length']} distinct open attempts)")
    notes.append(f"load average {load_before:.1f} when this set-up started, {os.getloadavg()[0]:.1f} when it ended")
    return {"workers": worker, "database": database, "routes": routes, "notes": notes,
            "title": f"{TITLES[worker]} · {TITLES[database]}",
            "short": f"{worker}/{'pg' if database == 'postgresql' else database}"}


def main() -> int:
    cfg = settings()
    if load.wrk_path() is None:
        log("wrk is not installed (Debian: apt-get install wrk); `make bench` installs it when run as root.")
        return 2
    work = Path(tempfile.mkdtemp(prefix="relais-bench-"))
    secret = secrets.token_hex(32)
    env = {"APP_ENV": "production", "SECRET_KEY": secret, "BASE_URL": "http://127.0.0.1:5000",
           "RATELIMIT_STORAGE_URI": "memory://"}
    (work / "env.json").write_text(json.dumps(env))  # for bench/profile.py on a kept work folder
    postgres = databases.Postgres(os.environ.get("PG_ADMIN_URL", databases.PG_ADMIN_URL))
    started = time.monotonic()
    load_before = os.getloadavg()
    setups, manifests, pdf = [], {}, None
    try:
        bare_db = work / "bare.db"
        subprocess.run([PYTHON, "-m", "bench.bare_app", str(bare_db)], cwd=ROOT, check=True)  # noqa: S603
        write_bare_lists(work, bare_db, secret)
        if "sqlite" in cfg["databases"]:
            seed_db = work / "seed.db"
            manifests["sqlite"] = seed({**env, "DATABASE_URL": databases.sqlite_url(seed_db)}, work / "lists-sqlite")
            pdf = pdf_timings({**env, "DATABASE_URL": databases.sqlite_url(seed_db)})
        if "postgresql" in cfg["databases"]:
            if postgres.reachable():
                template = f"relais_bench_{os.getpid()}_seed"
                manifests["postgresql"] = seed({**env, "DATABASE_URL": postgres.create(template)},
                                               work / "lists-postgresql")
            else:
                log("PostgreSQL does not answer on 127.0.0.1:5432: its runs are left out.")
        for worker in cfg["workers"]:
            for database, manifest in manifests.items():
                bare = run_bare(worker, cfg, work, bare_db, secret)  # before each set-up: the load drifts
                if database == "sqlite":
                    db_url = databases.sqlite_copy(work / "seed.db", work / f"{worker}.db")
                else:
                    db_url = postgres.create(f"relais_bench_{os.getpid()}_{worker}", template=template)
                setup = run_app(worker, database, db_url, manifest, cfg, env, work)
                setup["bare"] = bare
                setups.append(setup)
    finally:
        postgres.drop_all()
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"work folder kept: {work}")
    found = report.verdicts(setups, pdf)
    print()
    print(f"Relais benchmark · {os.cpu_count()} cores · {cfg['seconds']:g} s per route · load average "
          f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after · {time.monotonic() - started:.0f} s in all")
    for setup in setups:
        print()
        print(report.config_table(setup))
    if pdf:
        print()
        print(report.pdf_table(pdf))
    print()
    print(report.verdict_table(found))
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(
            {"settings": cfg, "setups": setups, "pdf": pdf, "manifests": manifests,
             "verdicts": [asdict(v) for v in found]}, indent=2, default=str))
    return 1 if os.environ.get("BENCH_STRICT") == "1" and any(v.passed is False for v in found) else 0


if __name__ == "__main__":
    sys.exit(main())
