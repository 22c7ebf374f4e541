"""Render a certificate as a PDF: the only module that imports WeasyPrint.

A4 landscape, PDF/A-3b, DejaVu Sans embedded (it covers every Latin name: é ë ç ø ł ß ğ ...), a QR code
to BASE_URL/verify/<code> as a one-pixel-per-module PNG drawn without interpolation (as sharp as a vector
drawing, and a tenth of the rendering time cheaper than an inline SVG path). Rendering fetches nothing from
the network or the disk: the URL fetcher serves only the files in RESOURCES and the document's own QR image
under the relais-resource: scheme and refuses every other URL (file:, http:, data: ...), so a name or a
course title can never make the renderer read a file.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import segno
from flask import current_app
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from elearning.certificates import wording
from elearning.certificates.models import Certificate
from elearning.typography import french_spaces

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3b"
SCHEME = "relais-resource:"
HERE = Path(__file__).resolve().parent
RESOURCES = {  # name -> (file, media type): all the renderer may load
    "fonts/DejaVuSans.ttf": (HERE / "fonts" / "DejaVuSans.ttf", "font/ttf"),
    "fonts/DejaVuSans-Bold.ttf": (HERE / "fonts" / "DejaVuSans-Bold.ttf", "font/ttf"),
}
STYLESHEET = HERE / "certificate.css"
QR_IMAGE = "qr.png"  # the one resource made per document: ResourceFetcher(qr_png=...) serves it


class ResourceRefused(ValueError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """The renderer asked for a URL outside the certificate's own resources."""


@cache
def _resource(name: str) -> bytes:
    return RESOURCES[name][0].read_bytes()


class ResourceFetcher(URLFetcher):
    """Serve relais-resource:<name> from RESOURCES, and the document's QR code if given; refuse everything else."""

    def __init__(self, qr_png: bytes | None = None) -> None:
        super().__init__(allowed_protocols=(SCHEME.rstrip(":"),), allow_redirects=False)
        self.qr_png = qr_png
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        name = url[len(SCHEME):] if url.startswith(SCHEME) else None
        if name == QR_IMAGE and self.qr_png is not None:
            return URLFetcherResponse(url, self.qr_png, {"Content-Type": "image/png"})
        if name not in RESOURCES:
            self.refused.append(url)
            logger.warning("Certificate rendering refused to fetch %s", url[:200])
            raise ResourceRefused(f"not a certificate resource: {url[:200]}")
        return URLFetcherResponse(url, _resource(name), {"Content-Type": RESOURCES[name][1]})


def verify_url(code: str) -> str:
    """Return the public verification address of a code (what the QR code encodes)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/verify/{code}"


@lru_cache(maxsize=16)  # the three language versions of a certificate share one code
def qr_png(url: str) -> bytes:
    """Return the QR code of `url` as a PNG of one pixel per module, with a two-module quiet zone."""
    image = io.BytesIO()
    segno.make(url, error="m", micro=False).save(image, kind="png", scale=1, border=2, dark="#1d2430")
    return image.getvalue()


def _holder_size(name: str) -> str:
    """Return the CSS class that keeps a long name (up to 200 characters) on the one page."""
    if len(name) > 90:
        return " very-long"
    return " long" if len(name) > 36 else ""


def _context(certificate: Certificate, language: str) -> dict:
    texts = wording.texts(language)
    snapshot = certificate.requirement_snapshot
    url = verify_url(certificate.code)
    spaced = french_spaces if language == "fr" else str  # texts from course files, as the pages show them
    return {
        "language": language,
        "t": texts,
        "certificate": certificate,
        "holder_size": _holder_size(certificate.holder_name),
        "title": texts["document_title"].format(code=certificate.code),
        "requirement_title": spaced(snapshot["title"][language]),
        "requirement_description": spaced(snapshot["description"][language]),
        "courses": [texts["course"].format(course=spaced(version["title"][language]), version=version["version"])
                    for version in certificate.course_versions],
        "modules": [{"title": spaced(module["title"][language]),
                     "passed_on": wording.date(datetime.fromisoformat(module["passed_at"]), language),
                     "score": wording.percent(module["score_percent"], language)}
                    for module in certificate.modules],
        "hours": texts["hours_value"].format(hours=wording.hours(certificate.hours, language)),
        "issued_on": wording.date(certificate.issued_at, language),
        "valid_until": wording.date(certificate.expires_at, language),
        "created": certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verify_url": url,
        "verify_base": url.removesuffix(certificate.code),  # printed so a line break falls before the code
        "verify_text": texts["verify"],
        "qr_src": SCHEME + QR_IMAGE,
    }


def render_html(certificate: Certificate, language: str) -> str:
    """Return the certificate's HTML in `language` (without request context or context processors)."""
    template = current_app.jinja_env.get_template("certificates/pdf.html")
    return template.render(**_context(certificate, language))


_local = threading.local()


def _styles() -> tuple[FontConfiguration, CSS]:
    """Return this thread's font configuration and parsed stylesheet, made on its first render.

    The @font-face rules register the bundled fonts in the FontConfiguration (without one WeasyPrint ignores
    them), and reusing it keeps Pango's loaded fonts and shaping caches warm from one render to the next.
    Neither object is thread-safe, so each thread has its own.
    """
    styles = getattr(_local, "styles", None)
    if styles is None:
        font_config = FontConfiguration()
        stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=ResourceFetcher(),
                         font_config=font_config)
        styles = _local.styles = (font_config, stylesheet)
    return styles


def render_pdf(certificate: Certificate, language: str, *, fetcher: ResourceFetcher | None = None) -> bytes:
    """Return the certificate as PDF/A-3b bytes in `language`."""
    font_config, stylesheet = _styles()
    fetcher = fetcher or ResourceFetcher()
    fetcher.qr_png = qr_png(verify_url(certificate.code))
    document = HTML(string=render_html(certificate, language), url_fetcher=fetcher, base_url=SCHEME)
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile (the PDF/A output intent) without closing it; the file is
        # closed by the garbage collector. Silence only that warning, which the test suite turns into an error.
        warnings.filterwarnings("ignore", message=r"unclosed file .*sRGB2014\.icc", category=ResourceWarning)
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT)
