"""Pages: my certificates, downloads and who may make them, revocation, public verification."""

import hashlib
import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from elearning.accounts.models import User
from elearning.certificates import codes, services
from elearning.certificates.models import Certificate, CertificatePdf
from tests.certificates.conftest import DEMO_NAME
from tests.conftest import count_queries

NOT_FOUND = "No certificate with this code"


def page(response) -> str:
    return response.get_data(as_text=True)


# My certificates -----------------------------------------------------------------------------------------

def test_my_certificates_lists_requirements_progress_and_certificates(client, auth, certified):
    user, certificate = certified(email="amelie@example.com", job_role="hr_manager")
    auth.login("amelie@example.com")
    body = page(client.get("/certificates/"))
    assert "Demo basics" in body and "Complete demo course" in body  # both apply to hr_manager
    assert "Modules passed: 1 of 2" in body  # demo-full: m1 passed, m2 to do
    assert "Modules passed: 1 of 1" in body and certificate.code in body
    for language in ("nl", "fr", "en"):
        assert f"/certificates/{certificate.code}/pdf/{language}" in body
    assert "/learn/demo-course/m2-practice" in body  # the module still to do is one click away


def test_my_certificates_shows_only_requirements_of_the_role(client, auth, create_user, courses):
    create_user("manager@example.com", job_role="manager")
    auth.login("manager@example.com")
    body = page(client.get("/certificates/"))
    assert "Demo basics" in body and "Complete demo course" not in body
    assert "You have no certificate yet" in body


def test_my_certificates_needs_login(client):
    response = client.get("/certificates/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_my_certificates_shows_revocation(client, auth, db, certified, create_user):
    user, certificate = certified(email="amelie@example.com")
    services.revoke(certificate, create_user(is_platform_admin=True), "Issued by mistake")
    db.session.commit()
    auth.login("amelie@example.com")
    body = page(client.get("/certificates/"))
    assert "Revoked" in body and "Issued by mistake" in body
    assert f"/certificates/{certificate.code}/pdf/" not in body


# Downloads ------------------------------------------------------------------------------------------------

def download(client, certificate, language="en"):
    return client.get(f"/certificates/{certificate.code}/pdf/{language}")


def test_owner_downloads_the_stored_bytes(client, auth, db, certified):
    user, certificate = certified(email="amelie@example.com", language="en")
    auth.login("amelie@example.com")
    response = download(client, certificate)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="relais-certificate-{certificate.code}-en.pdf"')
    stored = db.session.scalars(sa.select(CertificatePdf).filter_by(language="en")).one()
    assert response.data == stored.data and hashlib.sha256(response.data).hexdigest() == stored.sha256


def stored_pdf(db, language: str) -> CertificatePdf:
    return db.session.scalars(sa.select(CertificatePdf).filter_by(language=language)).one()


def pdf_rows(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CertificatePdf))


def test_downloads_in_every_language_serve_stored_bytes_and_render_nothing(client, auth, db, certified, fake_pdf):
    user, certificate = certified(email="amelie@example.com", language="en")
    auth.login("amelie@example.com")
    rendered = list(fake_pdf)
    for language in ("nl", "fr", "en"):
        response = download(client, certificate, language)
        assert response.status_code == 200 and response.data == stored_pdf(db, language).data
        assert response.get_etag()[0] == stored_pdf(db, language).sha256
    assert fake_pdf == rendered and pdf_rows(db) == 3


@pytest.mark.parametrize("who", ["holder", "employer_admin"])
def test_download_is_two_queries(client, auth, db, certified, create_user, create_organisation, who):
    """At most the signed-in user, then the certificate's stored PDF with the ownership check in one query."""
    organisation = create_organisation()
    user, certificate = certified(email="amelie@example.com", organisation=organisation)
    if who == "employer_admin":
        create_user("boss@example.com", organisation=organisation, is_employer_admin=True)
    auth.login("boss@example.com" if who == "employer_admin" else "amelie@example.com")
    code = certificate.code
    with count_queries() as statements:
        response = client.get(f"/certificates/{code}/pdf/fr")
    assert response.status_code == 200 and response.data == stored_pdf(db, "fr").data
    assert len([s for s in statements if "certificate" in s]) == 1 and len(statements) <= 2, statements


def test_download_of_a_version_never_stored_renders_it_once(client, auth, db, certified, fake_pdf, caplog):
    """Older data: a certificate stored in its issue language only."""
    user, certificate = certified(email="amelie@example.com", language="en")
    db.session.execute(sa.delete(CertificatePdf).where(CertificatePdf.language != "en"))
    db.session.commit()
    auth.login("amelie@example.com")
    first = download(client, certificate, "nl")
    second = download(client, certificate, "nl")
    assert first.status_code == second.status_code == 200 and first.data == second.data == stored_pdf(db, "nl").data
    assert fake_pdf[3:] == [(certificate.code, "nl")] and pdf_rows(db) == 2
    assert f"Certificate {certificate.code} had no stored PDF in nl: rendering it now" in caplog.text


def test_code_in_the_download_address_may_be_typed_loosely(client, auth, certified):
    user, certificate = certified(email="amelie@example.com")
    auth.login("amelie@example.com")
    loose = certificate.code.lower().replace("-", "")
    assert client.get(f"/certificates/{loose}/pdf/en").status_code == 200


def test_employer_admin_of_the_same_organisation_downloads(client, auth, create_user, create_organisation,
                                                            certified):
    organisation = create_organisation()
    user, certificate = certified(organisation=organisation)
    create_user("boss@example.com", organisation=organisation, is_employer_admin=True)
    auth.login("boss@example.com")
    assert download(client, certificate).status_code == 200


@pytest.mark.parametrize("who", ["admin_elsewhere", "colleague", "other_learner", "platform_admin"])
def test_nobody_else_downloads(client, auth, create_user, create_organisation, certified, who):
    organisation, elsewhere = create_organisation("Acme"), create_organisation("Elsewhere")
    user, certificate = certified(organisation=organisation)
    if who == "admin_elsewhere":
        create_user("x@example.com", organisation=elsewhere, is_employer_admin=True)
    elif who == "colleague":  # same organisation, not its administrator
        create_user("x@example.com", organisation=organisation)
    elif who == "other_learner":
        create_user("x@example.com")
    else:
        create_user("x@example.com", is_platform_admin=True)
    auth.login("x@example.com")
    assert download(client, certificate).status_code == 404


def test_anonymous_download_goes_to_login(client, certified):
    user, certificate = certified()
    response = download(client, certificate)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("address", ["/certificates/RLS-0000-0000-00/pdf/en", "/certificates/nonsense/pdf/en",
                                     "/certificates/{code}/pdf/de"])
def test_unknown_downloads_are_404(client, auth, certified, address):
    user, certificate = certified(email="amelie@example.com")
    auth.login("amelie@example.com")
    assert client.get(address.format(code=certificate.code)).status_code == 404


def test_revoked_certificates_are_not_downloaded(client, auth, db, certified, create_user):
    user, certificate = certified(email="amelie@example.com")
    services.revoke(certificate, create_user(is_platform_admin=True), "Wrong person")
    db.session.commit()
    auth.login("amelie@example.com")
    assert download(client, certificate).status_code == 404


# Verification ---------------------------------------------------------------------------------------------

def test_verify_valid(client, db, certified):
    user, certificate = certified()
    response = client.get(f"/verify/{certificate.code}")
    body = page(response)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Valid" in body and DEMO_NAME in body and certificate.code in body
    assert "Demo basics" in body and "The basics" in body and "0.5 hours" in body
    assert certificate.issued_at.strftime("%B") in body and "Relais" in body
    for stored in certificate.pdfs:
        assert stored.sha256 in body
    assert "/account/login" not in response.headers.get("Location", "")


def test_verify_writes_scores_as_the_certificate_does(client, certified):
    """92% in English and Dutch, 92 % (narrow no-break space) in French, as on the PDF."""
    user, certificate = certified()
    scores = {module["score_percent"] for module in certificate.modules}
    for language, sign in (("en", "%"), ("nl", "%"), ("fr", "\u202f%")):
        refresh()  # the test's app context outlives requests, and Flask-Babel caches the locale on it
        body = page(client.get(f"/verify/{certificate.code}", query_string={"lang": language}))
        assert f'<html lang="{language}">' in body
        assert all(f"<td>{score}{sign}</td>" in body for score in scores), language


def test_verify_is_one_query(client, db, certified):
    """The certificate with its stored versions' fingerprints, in one query, whether shown or checked."""
    user, certificate = certified()
    code, data = certificate.code, stored_pdf(db, "nl").data
    with count_queries() as statements:
        response = client.get(f"/verify/{code}")
    assert response.status_code == 200 and len(statements) == 1, statements
    with count_queries() as statements:
        response = client.post(f"/verify/{code}", data={"pdf": (io.BytesIO(data), "certificate.pdf")},
                               content_type="multipart/form-data")
    assert "identical to the Dutch version" in page(response) and len(statements) == 1, statements


def test_verify_expired(client, certified):
    user, certificate = certified(when=datetime(2020, 1, 15, 10, 0))
    body = page(client.get(f"/verify/{certificate.code}"))
    assert "Expired" in body and "It expired on 15 January 2023" in body and DEMO_NAME in body


def test_verify_revoked_shows_the_reason(client, db, certified, create_user):
    user, certificate = certified()
    services.revoke(certificate, create_user(is_platform_admin=True), "Issued to the wrong account")
    db.session.commit()
    body = page(client.get(f"/verify/{certificate.code}"))
    assert "Revoked" in body and "Reason: Issued to the wrong account" in body and "no longer valid" in body


def test_verify_holder_removed(client, db, certified):
    user, certificate = certified()
    services.forget_holder(user)
    db.session.delete(db.session.get(User, user.id))
    db.session.commit()
    body = page(client.get(f"/verify/{certificate.code}"))
    assert "The holder removed this record" in body and DEMO_NAME not in body
    assert all(row.sha256 in body for row in db.session.scalars(sa.select(CertificatePdf)))


def test_unknown_malformed_and_mistyped_codes_look_the_same(client, certified):
    user, certificate = certified()
    body = certificate.code.replace("RLS-", "").replace("-", "")
    position = 3
    typo_symbol = next(s for s in codes.ALPHABET if s != body[position])
    typo = body[:position] + typo_symbol + body[position + 1:]
    unknown = codes.format_code("".join("Z" if s != "Z" else "Y" for s in body[:9]))
    pages = []
    for code in (unknown, "RLS-1234", "hello world", typo, "RLS-0000-0000-0U"):
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404, code
        pages.append(page(response).split("<main", 1)[1].split("</main>", 1)[0])  # the header echoes the address
    assert NOT_FOUND in pages[0]
    assert len(set(pages)) == 1  # not a word more for a typo than for an unknown code


def test_codes_are_accepted_in_any_case_with_or_without_dashes(client, certified):
    user, certificate = certified()
    for typed in (certificate.code.lower(), certificate.code.replace("-", ""), certificate.code.replace("-", " ")):
        response = client.get(f"/verify/{typed}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{certificate.code}")


def test_lookup_form(client, certified):
    user, certificate = certified()
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in page(form) and 'for="code"' in page(form)
    found = client.get("/verify", query_string={"code": certificate.code.lower()})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/verify/{certificate.code}")
    for code in ("RLS-0000-0000-00", "not a code", ""):
        response = client.get("/verify", query_string={"code": code})
        assert response.status_code == 404 and NOT_FOUND in page(response)
        assert 'aria-invalid="true"' in page(response), code  # the field says what went wrong, beside it


# Checking an uploaded PDF -----------------------------------------------------------------------------------

def upload(client, certificate, data: bytes, filename="certificate.pdf"):
    return client.post(f"/verify/{certificate.code}", data={"pdf": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_upload_identical_pdf(client, db, certified):
    user, certificate = certified(language="en")
    response = upload(client, certificate, stored_pdf(db, "fr").data)
    assert response.status_code == 200
    assert "This file is identical to the French version issued for this certificate." in page(response)


def test_upload_altered_pdf(client, db, certified):
    user, certificate = certified()
    data = bytearray(stored_pdf(db, "en").data)
    data[-5] ^= 1
    body = page(upload(client, certificate, bytes(data)))
    assert "This file does not match any issued version of this certificate." in body
    assert "identical" not in body
    assert body.index("cert-match-no") < body.index("cert-verdict")  # the answer first, then the certificate


def test_upload_of_something_else_than_a_pdf_says_so(client, certified):
    user, certificate = certified()
    body = page(upload(client, certificate, b"Just some notes\n", filename="notes.txt"))
    assert "This file is not a PDF file." in body and "may have been altered" not in body


def test_the_matching_version_is_named_in_the_readers_language(client, db, certified):
    user, certificate = certified()
    refresh()
    response = client.post(f"/verify/{certificate.code}?lang=fr", content_type="multipart/form-data",
                           data={"pdf": (io.BytesIO(stored_pdf(db, "nl").data), "certificate.pdf")})
    assert "identique à la version néerlandaise délivrée" in page(response)


def test_upload_without_a_file(client, certified):
    user, certificate = certified()
    response = client.post(f"/verify/{certificate.code}", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a PDF file." in page(response)


@pytest.mark.settings(CERTIFICATE_UPLOAD_MAX_BYTES=10_000)
def test_upload_is_size_limited(client, certified):
    user, certificate = certified()
    response = upload(client, certificate, b"%PDF" + b"0" * 100_000)
    assert response.status_code == 413 and "This file is too large" in page(response)
    assert f'<a href="/verify/{certificate.code}">Back to the certificate</a>' in page(response)


@pytest.mark.settings(WTF_CSRF_ENABLED=True, CERTIFICATE_UPLOAD_MAX_BYTES=10_000)
def test_size_limit_applies_before_the_body_is_read_for_csrf(client, certified):
    """The global CSRF check would read the whole body first; the view checks its token after the limit."""
    user, certificate = certified()
    assert upload(client, certificate, b"%PDF" + b"0" * 100_000).status_code == 413


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_upload_needs_the_csrf_token(client, db, certified):
    user, certificate = certified()
    response = upload(client, certificate, stored_pdf(db, "en").data)
    assert response.status_code == 400 and "identical" not in page(response)
    assert 'name="csrf_token"' in page(client.get(f"/verify/{certificate.code}"))


# Revocation -------------------------------------------------------------------------------------------------

def test_admin_revokes_with_a_reason(client, auth, db, certified, create_user):
    user, certificate = certified()
    create_user("root@example.com", is_platform_admin=True)
    auth.login("root@example.com")
    assert "Revoke this certificate" in page(client.get(f"/verify/{certificate.code}"))
    response = client.post(f"/certificates/{certificate.code}/revoke", data={"reason": "Fraudulent attempt"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{certificate.code}")
    revoked = db.session.get(Certificate, certificate.id)
    assert revoked.revoked_at is not None and revoked.revocation_reason == "Fraudulent attempt"
    body = page(client.get(f"/verify/{certificate.code}"))
    assert "Fraudulent attempt" in body and "Revoke this certificate" not in body
    again = client.post(f"/certificates/{certificate.code}/revoke", data={"reason": "Twice"}, follow_redirects=True)
    assert "already revoked" in page(again)
    assert db.session.get(Certificate, certificate.id).revocation_reason == "Fraudulent attempt"


def test_revoking_needs_a_reason(client, auth, db, certified, create_user):
    user, certificate = certified()
    create_user("root@example.com", is_platform_admin=True)
    auth.login("root@example.com")
    response = client.post(f"/certificates/{certificate.code}/revoke", data={"reason": "  "}, follow_redirects=True)
    assert "Give a reason" in page(response)
    assert db.session.get(Certificate, certificate.id).revoked_at is None


def test_only_platform_admins_revoke(client, auth, db, certified, create_user, create_organisation):
    user, certificate = certified(email="amelie@example.com")
    response = client.post(f"/certificates/{certificate.code}/revoke", data={"reason": "x"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    auth.login("amelie@example.com")
    assert "Revoke this certificate" not in page(client.get(f"/verify/{certificate.code}"))
    assert client.post(f"/certificates/{certificate.code}/revoke", data={"reason": "x"}).status_code == 403
    assert db.session.get(Certificate, certificate.id).revoked_at is None


# Rate limit -------------------------------------------------------------------------------------------------

@pytest.mark.settings(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
def test_verification_is_rate_limited(client, certified):
    user, certificate = certified()
    assert client.get(f"/verify/{certificate.code}").status_code == 200
    assert client.get("/verify").status_code == 200
    assert client.get("/verify/RLS-0000-0000-00").status_code == 404
    response = client.get(f"/verify/{certificate.code}")  # the limit is shared by every verify address
    assert response.status_code == 429 and "Too many attempts" in page(response)
    assert client.get("/verify", query_string={"code": certificate.code}).status_code == 429


def test_verification_limit_is_off_unless_enabled(client, certified):
    user, certificate = certified()
    for _ in range(40):
        assert client.get(f"/verify/{certificate.code}").status_code == 200
