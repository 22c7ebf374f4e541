"""The certificate PDF: text in each language, embedded fonts, metadata, PDF/A, no fetching, a PNG render."""

import io
import os
import shutil
import socket
import subprocess
import threading
from datetime import datetime

import pytest
import segno
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from elearning.certificates import pdf, services
from tests.certificates.conftest import BASICS, DEMO_NAME, PRACTICE

ISSUED = datetime(2026, 3, 12, 9, 30)
DATES = {  # issue date, and expiry of demo-full (24 months)
    "nl": ("12 maart 2026", "12 maart 2028"),
    "fr": ("12 mars 2026", "12 mars 2028"),
    "en": ("12 March 2026", "12 March 2028"),
}
HEADINGS = {"nl": "Opleidingsattest", "fr": "Attestation de formation", "en": "Certificate of training"}
ALL_LATIN = "Łukasz Ørsted-Straße Ğökçe Ëlodie Þóra Œuvray Ångström Šťastný Żaneta Ćosić"


@pytest.fixture
def certificate(db, create_user, pass_module, courses):
    """Return a demo-full certificate for Amélie Dubois-Çelik, issued in French with the real renderer."""
    user = create_user(full_name=DEMO_NAME, language="fr", job_role="hr_manager")
    pass_module(user, BASICS, datetime(2026, 3, 2, 10, 0), score=80)
    pass_module(user, PRACTICE, datetime(2026, 3, 11, 16, 0), score=95)
    issued = services.issue_if_eligible(user, now=ISSUED)
    db.session.commit()
    services.render_issued(issued)
    return next(c for c in issued if c.requirement.slug == "demo-full")


def text_of(data: bytes) -> str:
    """Return the PDF's text with whitespace (line breaks of long names) collapsed to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_text_in_each_language(certificate, language):
    data = services.pdf_for(certificate, language).data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = text_of(data)
    assert DEMO_NAME in text
    assert certificate.code in text
    issued, expires = DATES[language]
    assert issued in text and expires in text
    assert HEADINGS[language] in text
    assert certificate.requirement_snapshot["title"][language] in text
    assert "CEASE" in text and "certified by" not in text.lower() and "certifié par" not in text.lower()


def test_every_language_is_stored_at_issue(certificate):
    assert certificate.language == "fr"
    assert sorted(row.language for row in certificate.pdfs) == ["en", "fr", "nl"]
    for language in ("nl", "fr", "en"):
        assert HEADINGS[language] in text_of(services.pdf_for(certificate, language).data)


def test_a4_landscape_metadata_and_pdf_a(certificate):
    data = services.pdf_for(certificate, "nl").data
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape in points
    assert reader.metadata.title == f"Relais-attest {certificate.code}"
    assert reader.metadata.author == "Relais"
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]


def embedded_fonts(data: bytes) -> dict[str, TTFont]:
    """Return the fonts embedded in a one-page PDF: the TrueType program of each, by its PDF name."""
    fonts = {}
    for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = described["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is inside the PDF
        fonts[str(font["/BaseFont"]).split("+")[-1]] = TTFont(io.BytesIO(descriptor["/FontFile2"].get_data()))
    return fonts


def test_fonts_are_embedded_dejavu(certificate):
    fonts = embedded_fonts(services.pdf_for(certificate, "en").data)
    assert set(fonts) == {"Relais-DejaVu-Sans", "Relais-DejaVu-Sans-Bold"}  # the @font-face family
    assert {font["name"].getDebugName(1) for font in fonts.values()} == {"DejaVu Sans"}


@pytest.fixture
def renamed_bundled_font(tmp_path, monkeypatch):
    """Swap the bundled regular font for a copy renamed "Relais Test Sans", with fresh rendering caches."""
    font = TTFont(pdf.RESOURCES["fonts/DejaVuSans.ttf"][0])
    for record in font["name"].names:
        if record.nameID == 1:  # the family name
            record.string = "Relais Test Sans"
    font.save(tmp_path / "renamed.ttf")
    monkeypatch.setitem(pdf.RESOURCES, "fonts/DejaVuSans.ttf", (tmp_path / "renamed.ttf", "font/ttf"))
    monkeypatch.setattr(pdf, "_local", threading.local())
    pdf._resource.cache_clear()
    yield
    pdf._resource.cache_clear()


def test_the_bundled_font_file_is_the_one_embedded(certificate, renamed_bundled_font):
    """Not an installed DejaVu Sans that fontconfig might prefer: the file shipped in certificates/fonts/."""
    fonts = embedded_fonts(pdf.render_pdf(certificate, "en"))
    assert fonts["Relais-DejaVu-Sans"]["name"].getDebugName(1) == "Relais Test Sans"
    assert fonts["Relais-DejaVu-Sans-Bold"]["name"].getDebugName(1) == "DejaVu Sans"


def test_every_latin_name_survives(db, create_user, pass_module, courses):
    user = create_user(full_name=ALL_LATIN, language="en")
    pass_module(user, BASICS, ISSUED)
    [certificate] = services.issue_if_eligible(user, now=ISSUED)
    assert ALL_LATIN in text_of(services.pdf_for(certificate, "en").data)


def test_a_200_character_name_stays_on_one_page(db, create_user, pass_module, courses):
    name = ("Maria-Dolores Françoise Ångström-Łukaszewicz " * 5)[:200]
    user = create_user(full_name=name, language="fr")
    pass_module(user, BASICS, ISSUED)
    [certificate] = services.issue_if_eligible(user, now=ISSUED)
    reader = PdfReader(io.BytesIO(services.pdf_for(certificate, "fr").data))
    assert len(reader.pages) == 1


def test_rendering_is_deterministic(certificate):
    assert pdf.render_pdf(certificate, "en") == pdf.render_pdf(certificate, "en")


def test_markup_in_a_name_is_text_and_fetches_nothing(db, create_user, pass_module, courses, monkeypatch):
    name = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.invalid/x.css">'
    user = create_user(full_name=name, language="en")
    pass_module(user, BASICS, ISSUED)
    [certificate] = services.issue_if_eligible(user, now=ISSUED)
    fetcher = pdf.ResourceFetcher()
    data = pdf.render_pdf(certificate, "en", fetcher=fetcher)
    assert fetcher.refused == []
    assert 'src="file:///etc/passwd"' in text_of(data)


def test_fetcher_serves_only_its_own_resources():
    fetcher = pdf.ResourceFetcher()
    response = fetcher.fetch("relais-resource:fonts/DejaVuSans.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    for url in ("file:///etc/passwd", "file:fonts/DejaVuSans.ttf", "http://example.com/font.ttf",
                "https://example.com/a.png", "data:text/css,body{}", "ftp://example.com/x",
                "relais-resource:../../config.py", "relais-resource:/etc/passwd", "relais-resource:fonts/"):
        with pytest.raises(pdf.ResourceRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 9


def test_rendering_opens_no_socket_and_no_file_url(certificate, monkeypatch):
    from weasyprint import HTML

    def no_network(*args, **kwargs):
        raise AssertionError("rendering tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    pdf.render_pdf(certificate, "fr")
    fetcher = pdf.ResourceFetcher()  # a hostile document through the same fetcher: everything refused
    HTML(string='<img src="file:///etc/passwd"><img src="http://example.invalid/a.png">'
                '<link rel="stylesheet" href="https://example.invalid/a.css">',
         url_fetcher=fetcher, base_url=pdf.SCHEME).write_pdf()
    assert sorted(fetcher.refused) == ["file:///etc/passwd", "http://example.invalid/a.png",
                                       "https://example.invalid/a.css"]


def test_qr_code_points_to_the_verify_page(app, certificate):
    url = f"http://localhost/verify/{certificate.code}"
    assert pdf.verify_url(certificate.code) == url
    html = pdf.render_html(certificate, "en")
    assert '<img class="qr" src="relais-resource:qr.png"' in html and "<script" not in html
    assert f"http://localhost/verify/<span class=\"nowrap\">{certificate.code}</span>" in html
    # one pixel per module of the address's QR code, inside a quiet zone of two modules
    matrix = segno.make(url, error="m", micro=False).matrix
    image = Image.open(io.BytesIO(pdf.qr_png(url))).convert("L")
    assert image.size == (len(matrix) + 4, len(matrix) + 4)
    assert [[image.getpixel((x + 2, y + 2)) < 128 for x in range(len(row))] for y, row in enumerate(matrix)] == \
        [[bool(module) for module in row] for row in matrix]


def test_qr_code_is_drawn_sharp(certificate):
    """The only image in the PDF is the QR code, scaled up without interpolation (which PDF/A forbids anyway)."""
    page = PdfReader(io.BytesIO(services.pdf_for(certificate, "en").data)).pages[0]
    [image] = [xobject.get_object() for xobject in page["/Resources"]["/XObject"].values()]
    assert image["/Subtype"] == "/Image" and image["/Interpolate"].value is False
    modules = len(segno.make(pdf.verify_url(certificate.code), error="m", micro=False).matrix)
    assert image["/Width"] == image["/Height"] == modules + 4


def test_renders_to_png(certificate, tmp_path):
    """Render with poppler so a person can look at it (CERTIFICATE_PNG_DIR keeps a copy)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm (poppler-utils) is missing; CI must render the certificate")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(services.pdf_for(certificate, "fr").data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(source), str(tmp_path / "certificate")],
                   check=True, capture_output=True, timeout=60)
    png = tmp_path / "certificate.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > height and abs(width / height - 297 / 210) < 0.02  # landscape A4
    if os.environ.get("CERTIFICATE_PNG_DIR"):
        shutil.copy(png, os.environ["CERTIFICATE_PNG_DIR"])
