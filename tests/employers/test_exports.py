"""Exports: CSV and XLSX that open with the right cells, headers in the reader's language, dates as dates;
the ZIP of valid certificates' stored PDFs."""

import csv
import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import refresh
from openpyxl import load_workbook

from elearning.accounts.models import utcnow
from elearning.certificates.models import CertificatePdf
from elearning.employers import services
from tests.employers.conftest import BASICS

DUE = date(2031, 3, 15)


@pytest.fixture
def team(db, org_a, admin_a, create_user, requirements, pass_module, issue_certificate):
    zoe = create_user("zoe@acme.example", full_name="Zoë Wójcik", organisation=org_a)
    ivo = create_user("ivo@acme.example", full_name="=Ivo Claes", organisation=org_a)  # a formula-looking name
    services.assign(org_a, requirements["demo-full"].id, job_role="hr_manager", due_on=DUE, created_by=admin_a)
    db.session.commit()
    certificate = issue_certificate(zoe, "demo-full", utcnow() - timedelta(days=1))
    pass_module(ivo, BASICS)
    return {"zoe": zoe, "ivo": ivo, "certificate": certificate}


def test_xlsx_opens_with_the_right_cells(as_user, admin_a, org_a, team):
    response = as_user(admin_a).get(f"/employer/{org_a.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and ".xlsx" in disposition
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows[0][:4] == ("Name", "Email address", "Job role", "Contact person")
    assert rows[0][4] == "Complete demo course: status"
    by_name = {row[0]: row for row in rows[1:]}
    zoe = by_name["Zoë Wójcik"]
    assert zoe[2] == "HR manager" and zoe[4] == "Done" and zoe[5] == "2 of 2 modules"
    assert isinstance(zoe[7], datetime) and zoe[7].date() == team["certificate"].expires_at.date()  # a real date
    assert cells["Zoë Wójcik"][7].is_date and cells["Zoë Wójcik"][7].number_format == "yyyy-mm-dd"
    assert zoe[8] == team["certificate"].code
    ivo = by_name["'=Ivo Claes"]  # never a formula
    assert ivo[4] == "In progress" and ivo[5] == "1 of 2 modules"
    assert isinstance(ivo[6], datetime) and ivo[6].date() == DUE
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref.startswith("A1:")


def test_csv_for_a_spreadsheet_in_french(as_user, admin_a, org_a, team):
    client = as_user(admin_a)
    refresh()  # the test's app context outlives requests, and Flask-Babel caches the locale on it
    response = client.get(f"/employer/{org_a.id}/export.csv?lang=fr")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the accents right
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][1:3] == ["Adresse e-mail", "Fonction"] and len(rows) == 4
    assert rows[0][4] == "Cours de démonstration complet\u00a0: statut"  # the French title, French punctuation
    zoe = next(row for row in rows if row[0] == "Zoë Wójcik")
    assert zoe[2] == "Responsable RH"
    assert zoe[6] == DUE.isoformat() and zoe[8] == team["certificate"].code


def test_csv_in_english_uses_commas_and_filters_apply(as_user, admin_a, org_a, team):
    response = as_user(admin_a).get(f"/employer/{org_a.id}/export.csv?lang=en&status=in_progress")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and [row[0] for row in rows[1:]] == ["'=Ivo Claes"]
    assert rows[1][6] == DUE.isoformat()


def test_zip_holds_the_stored_pdfs_of_valid_certificates_only(db, as_user, admin_a, org_a, team, issue_certificate,
                                                              create_user, org_b, fake_pdf):
    now = utcnow()
    stored = CertificatePdf(certificate_id=team["certificate"].id, language="en", data=b"%PDF-stored",
                            sha256="0" * 64, size=11)
    db.session.add(stored)
    other = create_user("other@acme.example", full_name="Olga Ø", organisation=org_a, language="nl")
    fresh = issue_certificate(other, "demo-basics")
    issue_certificate(other, "demo-full", now - timedelta(days=900), expires_at=now - timedelta(days=1))  # expired
    issue_certificate(team["ivo"], "demo-basics", revoked=True)
    outsider = create_user("x@bravo.example", organisation=org_b)
    issue_certificate(outsider, "demo-basics")
    response = as_user(admin_a).get(f"/employer/{org_a.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    names = sorted(archive.namelist())
    assert len(names) == 2
    assert archive.read(next(n for n in names if team["certificate"].code in n)) == b"%PDF-stored"  # stored bytes
    assert fake_pdf == [(fresh.code, "nl")]  # rendered once, in the holder's language, and stored
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificatePdf)
                             .filter_by(certificate_id=fresh.id, language="nl")) == 1
    assert any(n.startswith("Olga Ø - demo-basics - ") for n in names)


def test_no_valid_certificate_means_no_empty_archive(as_user, admin_b, org_b):
    client = as_user(admin_b)
    response = client.get(f"/employer/{org_b.id}/certificates.zip")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/employer/{org_b.id}/")
    assert "there is nothing to download" in client.get(response.headers["Location"]).get_data(as_text=True)
