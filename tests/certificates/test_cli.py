"""flask certificates render-missing: backfill the language versions older certificates lack."""

import sqlalchemy as sa

from elearning.certificates import services
from elearning.certificates.models import CertificatePdf


def stored(db) -> dict[int, list[str]]:
    rows = db.session.execute(sa.select(CertificatePdf.certificate_id, CertificatePdf.language))
    found: dict[int, list[str]] = {}
    for certificate_id, language in rows:
        found.setdefault(certificate_id, []).append(language)
    return {key: sorted(value) for key, value in found.items()}


def test_renders_only_what_downloadable_certificates_lack(db, runner, certified, create_user, fake_pdf):
    _, partial = certified(language="fr")  # older data: its issue language only
    _, bare = certified()  # rendering failed at issue time
    _, complete = certified()
    _, revoked = certified()  # never downloaded again: left alone
    holder, removed = certified()  # the holder deleted their data: nothing to render
    db.session.execute(sa.delete(CertificatePdf).where(
        (CertificatePdf.certificate_id == partial.id) & (CertificatePdf.language != "fr")
        | CertificatePdf.certificate_id.in_([bare.id, revoked.id])))
    services.revoke(revoked, create_user(is_platform_admin=True), "Wrong person")
    services.forget_holder(holder)
    db.session.commit()
    ids = {name: certificate.id for name, certificate in
           [("partial", partial), ("bare", bare), ("complete", complete), ("revoked", revoked), ("removed", removed)]}
    rendered = len(fake_pdf)

    result = runner.invoke(args=["certificates", "render-missing"])
    assert result.exit_code == 0, result.output
    assert result.output == "5 PDFs rendered for 2 certificates.\n"
    assert len(fake_pdf) == rendered + 5
    after = stored(db)
    assert after[ids["partial"]] == after[ids["bare"]] == after[ids["complete"]] == ["en", "fr", "nl"]
    assert ids["revoked"] not in after

    again = runner.invoke(args=["certificates", "render-missing"])
    assert again.output == "0 PDFs rendered for 0 certificates.\n" and len(fake_pdf) == rendered + 5


def test_reports_failures(db, runner, certified, monkeypatch):
    from elearning.certificates import pdf

    _, certificate = certified()
    db.session.execute(sa.delete(CertificatePdf))
    db.session.commit()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    result = runner.invoke(args=["certificates", "render-missing"])
    assert result.exit_code == 1
    assert "0 PDFs rendered for 1 certificate." in result.output and "3 could not be rendered" in result.output
