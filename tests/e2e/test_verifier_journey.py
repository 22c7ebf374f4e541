"""A certificate from the learner's side to the verifier's, in a real browser.

A new learner registers (a name with accents), passes the four modules of the "awareness" requirement, finds the
certificate under My certificates and downloads its PDF. The text of that PDF gives the verification address and the
code. Someone else, not logged in, opens that address: the certificate is valid and shows its holder, training,
modules, dates and the SHA-256 of the issued PDF; the downloaded file is reported identical, a file with one byte
changed is not; the page reads in Dutch and French too; a code with a typo finds no certificate.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect
from pypdf import PdfReader

from elearning import i18n
from elearning.certificates.models import Certificate
from elearning.extensions import db
from tests.e2e.answers import COURSE, answer_quiz, course_modules, ui

HOLDER = "Zoë Ağaoğlu-Wójcik"
EMAIL = "zoe.verifier@example.com"
PASSWORD = "a long passphrase"
REQUIREMENT = "cease-awareness"
CODE = re.compile(r"RLS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ARTIFACTS = Path(__file__).parent / "artifacts"  # where check_page puts its screenshots
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


@pytest.fixture
def requirement(live_app) -> dict:
    """Return the awareness requirement as courses/requirements.yaml writes it."""
    path = Path(live_app.config["COURSES_PATH"]) / "requirements.yaml"
    requirements = yaml.safe_load(path.read_text(encoding="utf-8"))["requirements"]
    return next(r for r in requirements if r["id"] == REQUIREMENT)


def _register_and_activate(page, live_app) -> None:
    en = "en"
    page.goto("/account/register?lang=en")
    page.get_by_label(ui(en, "Full name as it should appear on your certificate")).fill(HOLDER)
    page.get_by_label(ui(en, "Email address")).fill(EMAIL)
    page.get_by_label(ui(en, "Password"), exact=True).fill(PASSWORD)
    page.get_by_label(ui(en, "Repeat the password")).fill(PASSWORD)
    page.get_by_label(ui(en, "Preferred language")).select_option(en)
    page.get_by_role("main").get_by_role("button", name=ui(en, "Create my account")).click()
    expect(page.get_by_role("heading", name=ui(en, "Check your email"))).to_be_visible()
    body = next(m.body for m in reversed(live_app.extensions["mail_outbox"]) if m.to == EMAIL)
    page.goto("/" + re.search(r"https?://\S+", body).group(0).split("/", 3)[3])
    expect(page.get_by_role("button", name=ui(en, "Log out"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", en)


def _pass_quiz(page, module, *, last: bool) -> None:
    en = "en"
    page.goto(f"/quiz/{COURSE}/{module.slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(en, "Quiz: %(module)s", module=module.title(en)))
    page.get_by_role("main").get_by_role("button", name=ui(en, "Start the quiz")).click()
    answer_quiz(page, module, right=True)
    page.get_by_role("button", name=ui(en, "Submit my answers")).click()
    summary = page.locator(".result-summary")
    expect(summary).to_contain_text(ui(en, "You passed this module."))
    earned = page.get_by_text(ui(en, "You have earned a certificate. You will find it under your certificates."))
    if last:
        expect(earned).to_be_visible()
    else:
        expect(earned).to_have_count(0)


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _with_typo(code: str) -> str:
    """Return the code with its first data symbol replaced by another one (the check symbol catches it)."""
    at = len("RLS-")
    other = next(s for s in ALPHABET if s != code[at])
    return code[:at] + other + code[at + 1:]


def _altered(data: bytes) -> bytes:
    """Return the PDF with one byte of a text string changed: a character of its file identifier (/ID).

    The file still opens and reads the same; only a byte-for-byte comparison tells it from the issued one.
    """
    found = re.search(rb"/ID \[\([0-9a-f]+\) \(([0-9a-f])", data)
    assert found, "the PDF has no file identifier"
    at = found.start(1)
    return data[:at] + (b"0" if data[at:at + 1] != b"0" else b"1") + data[at + 1:]


def _detail(page, label: str):
    details = page.locator(".cert-details > div")
    return details.filter(has=page.get_by_text(label, exact=True)).locator("dd")


def _long_dates(live_app, code: str, language: str) -> tuple[str, str, list[str]]:
    """Return a certificate's issue and expiry dates and its modules' pass dates as the interface writes them."""
    with live_app.app_context():
        certificate = db.session.scalar(db.select(Certificate).filter_by(code=code))
        issued, expires = certificate.issued_at, certificate.expires_at
        passed = [datetime.fromisoformat(module["passed_at"]) for module in certificate.modules]
    with live_app.test_request_context(f"/?lang={language}"):
        return (i18n.format_date(issued, "long"), i18n.format_date(expires, "long"),
                [i18n.format_date(when, "long") for when in passed])


def test_a_learner_earns_a_certificate_and_a_verifier_checks_it(
        page, browser, live_server, live_app, check_page, requirement, tmp_path):
    en = "en"
    modules = {m.slug: m for m in course_modules(live_app.config["COURSES_PATH"])}
    required = [modules[ref.split("/", 1)[1]] for ref in requirement["modules"]]
    assert [m.slug[:2] for m in required] == ["m0", "m1", "m2", "m3"]

    # ---- the learner: register, pass the four modules -----------------------------------------------------------
    _register_and_activate(page, live_app)
    for number, module in enumerate(required, start=1):
        _pass_quiz(page, module, last=number == len(required))

    # ---- My certificates ---------------------------------------------------------------------------------------
    page.get_by_role("navigation", name=ui(en, "Main")).get_by_role("link", name=ui(en, "My certificates")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(en, "My certificates"))
    row = page.locator("table.certificates tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("rowheader")).to_have_text(requirement["title"][en])
    code = row.locator("a.cert-code").inner_text().strip()
    assert CODE.fullmatch(code), code
    issued_on, valid_until, passed_on = _long_dates(live_app, code, en)
    card = page.get_by_role("region", name=requirement["title"][en])
    expect(card).to_contain_text(ui(en, "Modules passed: %(passed)d of %(total)d", passed=4, total=4))
    expect(card).to_contain_text(ui(en, "Your certificate %(code)s is valid until %(date)s.",
                                    code=code, date=valid_until))
    check_page(page, "verifier-01-my-certificates")

    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"{ui(en, 'PDF')} English {code}").click()
    download = download_info.value
    assert download.suggested_filename == f"relais-certificate-{code}-en.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    issued_pdf = pdf_path.read_bytes()
    assert issued_pdf.startswith(b"%PDF-")
    digest = hashlib.sha256(issued_pdf).hexdigest()

    # ---- what the PDF says -------------------------------------------------------------------------------------
    text = _pdf_text(issued_pdf)
    flat = re.sub(r"\s+", "", text)  # the address may be broken over two lines before its code
    printed = re.search(re.escape(f"{live_server}/verify/") + CODE.pattern, flat)
    assert printed, f"no verification address of {live_server} in the PDF text:\n{text}"
    verify_url = printed.group(0)
    assert verify_url == f"{live_server}/verify/{code}"
    assert CODE.findall(text)[0] == code  # the code printed on its own, under "Certificate code"
    assert HOLDER in text  # the embedded font carries every accent: ë ğ ó
    assert requirement["title"][en] in " ".join(text.split())

    # ---- the verifier: another browser, not logged in -----------------------------------------------------------
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(30_000)
    try:
        verifier = context.new_page()
        response = verifier.goto(verify_url)
        assert response.status == 200
        assert response.headers["x-robots-tag"] == "noindex, nofollow"
        expect(verifier.get_by_role("button", name=ui(en, "Log out"))).to_have_count(0)
        expect(verifier.get_by_role("heading", level=1)).to_have_text(ui(en, "Certificate %(code)s", code=code))
        verdict = verifier.locator(".cert-verdict")
        expect(verdict.locator(".cert-status")).to_have_text(ui(en, "Valid"))
        expect(verdict).to_contain_text(ui(en, "This certificate was issued by Relais and is valid until %(date)s.",
                                           date=valid_until))
        expect(verifier.locator(".cert-holder")).to_have_text(HOLDER)
        expect(_detail(verifier, ui(en, "Training"))).to_have_text(requirement["title"][en])
        expect(_detail(verifier, ui(en, "Study time"))).to_have_text(ui(en, "%(hours)s hours", hours="2"))
        expect(_detail(verifier, ui(en, "Issued on"))).to_have_text(issued_on)
        expect(_detail(verifier, ui(en, "Valid until"))).to_have_text(valid_until)
        expect(_detail(verifier, ui(en, "Issuer"))).to_have_text("Relais")
        expect(_detail(verifier, ui(en, "Code"))).to_have_text(code)
        rows = verifier.locator("table:has(th:text-is('Module')) tbody tr")
        expect(rows.get_by_role("rowheader")).to_have_text([m.title(en) for m in required])
        for module_row, date in zip(rows.all(), passed_on, strict=True):
            expect(module_row.locator("td").first).to_have_text(date)
            expect(module_row.locator("td").last).to_have_text("100%")
        stored = [LANGUAGE_NAMES[language] for language in ("en", "fr", "nl")]  # all three stored at issue
        hashes = verifier.locator("table.cert-hashes tbody tr")
        expect(hashes.locator("th")).to_have_text(stored)
        expect(hashes.filter(has_text="English").locator("code.cert-hash")).to_have_text(digest)
        check_page(verifier, "verifier-02-valid-en")

        # the same page in Dutch and French, through the language switcher
        switcher = verifier.get_by_role("navigation", name=ui(en, "Language"))
        for language in ("nl", "fr"):
            switcher.get_by_role("link", name=LANGUAGE_NAMES[language]).click()
            expect(verifier.locator("html")).to_have_attribute("lang", language)
            expect(verifier).to_have_url(re.compile(rf"/verify/{code}\?lang={language}$"))
            switcher = verifier.get_by_role("navigation", name=ui(language, "Language"))
            expect(verifier.get_by_role("heading", level=1)).to_have_text(
                ui(language, "Certificate %(code)s", code=code))
            expect(verifier.locator(".cert-verdict .cert-status")).to_have_text(ui(language, "Valid"))
            expect(verifier.locator(".cert-holder")).to_have_text(HOLDER)
            expect(_detail(verifier, ui(language, "Training"))).to_have_text(requirement["title"][language])
            expect(_detail(verifier, ui(language, "Valid until"))).to_have_text(
                _long_dates(live_app, code, language)[1])
            expect(verifier.locator("table.cert-hashes tbody tr th")).to_have_text(stored)
            if language == "nl":
                check_page(verifier, "verifier-03-valid-nl")
            else:  # the same page and structure again: a screenshot only, axe already ran twice
                verifier.screenshot(path=str(ARTIFACTS / f"verifier-03-valid-{language}.png"), full_page=True)
        switcher.get_by_role("link", name="English").click()
        expect(verifier.locator("html")).to_have_attribute("lang", en)

        # the downloaded file is identical to the issued one; one changed byte is not
        upload = verifier.get_by_role("region", name=ui(en, "Check a PDF file"))
        file_field = upload.get_by_label(ui(en, "PDF file of the certificate"))
        file_field.set_input_files(str(pdf_path))
        upload.get_by_role("button", name=ui(en, "Compare the file")).click()
        identical = ui(en, "This file is identical to %(version)s issued for this certificate.")
        expect(verifier.locator(".cert-match")).to_have_text(identical % {"version": ui(en, "the English version")})
        expect(verifier.locator(".cert-match-no")).to_have_count(0)

        altered = _altered(issued_pdf)
        assert len(altered) == len(issued_pdf)
        assert sum(a != b for a, b in zip(altered, issued_pdf, strict=True)) == 1
        assert _pdf_text(altered) == text  # it reads exactly like the issued certificate
        file_field.set_input_files({"name": pdf_path.name, "mimeType": "application/pdf", "buffer": altered})
        upload.get_by_role("button", name=ui(en, "Compare the file")).click()
        mismatch = verifier.get_by_role("alert")
        expect(mismatch).to_have_text(ui(
            en, "This file does not match any issued version of this certificate. It may have been altered."))
        expect(mismatch).to_be_in_viewport()  # seen first, not the certificate's green verdict below it
        assert mismatch.bounding_box()["y"] < verifier.locator(".cert-verdict").bounding_box()["y"]
        expect(verifier.locator(".cert-match-yes")).to_have_count(0)
        check_page(verifier, "verifier-04-altered-pdf")

        # a code typed with a typo finds nothing; typed sloppily but right, it finds the certificate
        verifier.goto("/verify")
        expect(verifier.get_by_role("heading", level=1)).to_have_text(ui(en, "Check a certificate"))
        verifier.get_by_label(ui(en, "Certificate code")).fill(_with_typo(code))
        with verifier.expect_response(re.compile(r"/verify\?code=")) as answer:
            verifier.get_by_role("button", name=ui(en, "Check"), exact=True).click()
        assert answer.value.status == 404
        expect(verifier.get_by_role("heading", level=1)).to_have_text(ui(en, "No certificate with this code"))
        check_page(verifier, "verifier-05-typo-not-found")
        verifier.get_by_label(ui(en, "Certificate code")).fill(code.lower().replace("-", " "))
        verifier.get_by_role("button", name=ui(en, "Check"), exact=True).click()
        expect(verifier).to_have_url(f"{live_server}/verify/{code}")
        expect(verifier.locator(".cert-holder")).to_have_text(HOLDER)
    finally:
        context.close()
