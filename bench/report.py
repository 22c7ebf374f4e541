"""Print the figures as tables: one per server set-up, with ratios to the bare routes, then the targets."""

from __future__ import annotations

from dataclasses import dataclass

ROUTE_LABELS = {
    "hello": "bare Flask hello",
    "page": "bare page (3 SQLite queries, 5 KB)",
    "stack_hello": "hello, logged in (Flask-Login, ORM)",
    "stack_page": "bare page, plainly on the stack",
    "landing": "landing page",
    "lesson": "lesson page",
    "lesson_single": "lesson page, one at a time",
    "quiz": "quiz page",
    "submit": "quiz submission",
    "result": "result page",
    "dashboard": "dashboard, 5,000 staff",
    "download": "certificate download",
    "verify": "verify page",
    "export": "CSV export, 5,000 rows",
}


@dataclass(frozen=True)
class Verdict:
    target: str
    setup: str
    value: str
    passed: bool | None  # None: measured for information (the target applies elsewhere)

    @property
    def word(self) -> str:
        return "info" if self.passed is None else "PASS" if self.passed else "MISS"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def config_table(setup: dict) -> str:
    """Return the table of one set-up (worker class and database)."""
    bare = setup["bare"]
    hello, page = bare["hello"]["rps"], bare["page"]["rps"]
    lines = [f"== {setup['title']} ==",
             f"{'route':<36}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
             f"{'vs hello':>10}{'vs page':>9}{'peak RSS':>10}"]
    rows = [(name, bare[name]) for name in ("hello", "page", "stack_hello", "stack_page") if name in bare]
    rows += list(setup["routes"].items())
    for name, row in rows:
        lines.append(f"{ROUTE_LABELS[name]:<36}{row['connections']:>6}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
                     f"{row['p99_ms']:>9.1f}{row['errors']:>8}{_pct(row['rps'] / hello) if hello else '-':>10}"
                     f"{_pct(row['rps'] / page) if page else '-':>9}{row['rss_mib']:>7.0f} MiB")
    for note in setup.get("notes", []):
        lines.append(f"  · {note}")
    return "\n".join(lines)


def verdicts(setups: list[dict], pdf: dict | None) -> list[Verdict]:
    """Return each target's verdict for each set-up (and once for the PDF targets)."""
    found = []
    for setup in setups:
        name, routes, bare = setup["short"], setup["routes"], setup["bare"]
        hello, page = bare["hello"]["rps"], bare["page"]["rps"]
        for route, floor, label in (("lesson", 0.8, "page"), ("quiz", 0.8, "page"),
                                    ("download", 0.6, "hello"), ("verify", 0.6, "hello")):
            if route in routes:
                ratio = routes[route]["rps"] / (page if label == "page" else hello) if hello and page else 0
                found.append(Verdict(f"{ROUTE_LABELS[route]} req/s >= {floor:.0%} of bare {label}", name,
                                     _pct(ratio), ratio >= floor))
        for route, label in (("stack_hello", "hello"), ("stack_page", "page")):
            if route in bare and bare[label]["rps"]:  # what the prescribed stack costs by itself (bench/stack_app.py)
                found.append(Verdict(f"stack: {ROUTE_LABELS[route]} vs bare {label}", name,
                                     _pct(bare[route]["rps"] / bare[label]["rps"]), None))
        if "submit" in routes:
            submit = routes["submit"]
            clean = submit["errors"] == 0 and submit["reused"] == 0 and submit.get("graded_ok", True)
            value = f"{submit['errors']} errors" + ("" if submit.get("graded_ok", True) else ", DB check failed")
            found.append(Verdict(f"quiz submission: 0 errors at {submit['connections']} connections (SQLite)",
                                 name, value, clean if setup["database"] == "sqlite" else None))
        lesson = routes.get("lesson_single", routes.get("lesson"))
        if "dashboard" in routes and lesson and lesson["p50_ms"]:
            ratio = routes["dashboard"]["p50_ms"] / lesson["p50_ms"]
            found.append(Verdict("dashboard p50 < 10 x lesson p50 (one at a time)", name, f"{ratio:.1f}x",
                                 ratio < 10))
        if "export" in routes:
            export = routes["export"]
            found.append(Verdict("CSV export of 5,000 rows < 1 s (p99, one at a time)", name,
                                 f"{export['p99_ms'] / 1000:.2f} s", export["p99_ms"] < 1000 and not export["errors"]))
        if "download" in routes:
            rendered = routes["download"].get("pdfs_rendered", 0)
            found.append(Verdict("no PDF rendered on download", name, f"{rendered} rendered", rendered == 0))
    if pdf:
        ratio = pdf["certificate"]["warm_cpu_s"] / pdf["bare"]["warm_cpu_s"]
        found.append(Verdict("certificate warm render <= 1.5 x bare WeasyPrint render (CPU)", "PDF",
                             f"{ratio:.2f}x", ratio <= 1.5))
    return found


def verdict_table(found: list[Verdict]) -> str:
    lines = ["== targets ==", f"{'target':<66}{'set-up':<18}{'value':>24}  verdict"]
    for v in found:
        lines.append(f"{v.target:<66}{v.setup:<18}{v.value:>24}  {v.word}")
    met = sum(v.passed is True for v in found)
    missed = sum(v.passed is False for v in found)
    lines.append(f"{met} met, {missed} missed")
    return "\n".join(lines)


def pdf_table(pdf: dict) -> str:
    lines = ["== certificate PDF rendering (fresh process each) ==",
             f"{'renderer':<40}{'import s':>9}{'cold s':>9}{'warm s':>9}{'warm CPU s':>12}"]
    labels = {"bare": "bare WeasyPrint page with a QR code", "certificate": "certificate (pdf.render_pdf)"}
    for key, label in labels.items():
        row = pdf[key]
        lines.append(f"{label:<40}{row['import_s']:>9.2f}{row['cold_s']:>9.3f}{row['warm_s']:>9.3f}"
                     f"{row['warm_cpu_s']:>12.3f}")
    return "\n".join(lines)
