"""Time PDF rendering in a fresh process: a bare WeasyPrint page with a QR code, or a real certificate.

    python -m bench.pdf_bench bare
    python -m bench.pdf_bench certificate        (DATABASE_URL etc. name the seeded database)

Prints one JSON line: the import time, the first ("cold") render in this process, and the median of the
following ("warm") renders. The runner starts a new process for each kind, so "cold" is honestly cold.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings

WARM_RUNS = 7

BARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><style>
@page {{ size: A4 landscape; margin: 9mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; color: #1d2430; font-size: 10.5pt; }}
.sheet {{ border: 1.4mm solid #0b5c6b; padding: 8mm 11mm; height: 192mm; box-sizing: border-box; position: relative; }}
.side {{ position: absolute; top: 31mm; right: 11mm; width: 64mm; text-align: center; }}
.qr {{ width: 50mm; height: 50mm; }}
h1 {{ font-size: 22pt; color: #0b5c6b; }} .holder {{ font-size: 27pt; font-weight: bold; }}
table {{ border-collapse: collapse; width: 60%; }} td {{ border-bottom: 0.2mm solid #d5dbe3; padding: 1mm 2mm; }}
</style></head><body><div class="sheet">
<h1>Certificate of completion</h1><p>This certifies that</p><p class="holder">Amélie Dubois-Çelik</p>
<p>has completed the training "Awareness of intimate partner violence and work".</p>
<table>{rows}</table>
<p>Issued on 1 May 2025, valid until 1 May 2028. 2 hours.</p>
<div class="side">{qr}<p><strong>RLS-7KQ2-M9XD-4T</strong></p><p>{url}</p></div>
</div></body></html>"""


def _timed(render, kind: str, imported: float) -> dict:
    """Time the first render and WARM_RUNS more, each of another document, in wall time and in CPU time.

    CPU time is what the ratio uses: the machine is shared (2 cores), and wall time also counts the waits for
    a core that other processes cause.
    """
    started, cpu = time.perf_counter(), time.process_time()
    render(0)
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    walls, cpus = [], []
    for n in range(1, WARM_RUNS + 1):
        started, cpu = time.perf_counter(), time.process_time()
        render(n)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return {"kind": kind, "import_s": imported, "cold_s": cold, "cold_cpu_s": cold_cpu,
            "warm_s": statistics.median(walls), "warm_cpu_s": statistics.median(cpus), "runs": walls}


def bare() -> dict:
    """Render a one-page A4 template with an inline SVG QR code (a new code each time), WeasyPrint's defaults."""
    started = time.perf_counter()
    import segno
    from weasyprint import HTML

    imported = time.perf_counter() - started
    rows = "".join(f"<tr><td>Module {n}</td><td>{80 + n}%</td><td>1 May 2025</td></tr>" for n in range(4))

    def render(n: int) -> bytes:
        url = f"http://127.0.0.1:5000/verify/RLS-7KQ2-M9XD-{n:02d}"  # a new QR code each time
        qr = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True, svgclass="qr")
        html = BARE_PAGE.format(rows=rows, qr=qr, url=url)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            return HTML(string=html).write_pdf()

    return _timed(render, "bare", imported)


def certificate() -> dict:
    """Render a stored certificate again with the app's own renderer (what issuing does)."""
    started = time.perf_counter()
    import sqlalchemy as sa

    from elearning import create_app
    from elearning.certificates import pdf
    from elearning.certificates.models import Certificate
    from elearning.extensions import db

    imported = time.perf_counter() - started
    app = create_app()
    with app.app_context():
        with_pdfs = sa.select(Certificate).join(Certificate.pdfs).distinct()  # one row per certificate, not per PDF
        certificates = list(db.session.scalars(with_pdfs.order_by(Certificate.id)))

        def render(n: int) -> bytes:
            certificate = certificates[n % len(certificates)]  # the seed issues 12: each render is another one
            return pdf.render_pdf(certificate, certificate.language)

        return _timed(render, "certificate", imported)


if __name__ == "__main__":
    print("BENCH_JSON " + json.dumps(bare() if sys.argv[1] == "bare" else certificate()))
