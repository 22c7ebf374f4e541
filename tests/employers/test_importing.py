"""Reading a staff list: CSV and XLSX, every kind of bad row, limits, and the all-or-nothing import."""

import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh
from openpyxl import Workbook

from elearning.employers import importing
from elearning.employers.importing import FileProblem
from elearning.employers.models import Invitation

HEADER = ["Name", "Email", "Job role", "Language"]
GOOD = [["Zoë Wójcik", "zoe@example.com", "hr_manager", "fr"],
        ["Jan Peeters", "jan@example.com", "Preventieadviseur (interne dienst)", "nl"],
        ["Ana Silva", "ana@example.com", "Contact person for partner violence", ""]]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roles(text):
    return {"hr_manager": "hr_manager", "contact person for partner violence": "contact_person",
            "preventieadviseur (interne dienst)": "prevention_adviser"}.get(importing.fold(text))


def check(data, filename="staff.csv", members=(), pending=()):
    table = importing.read_table(filename, data)
    rows = importing.rows_from_table(table, default_language="en")
    return importing.check_rows(rows, role_for=roles, members=set(members), pending=set(pending))


@pytest.mark.parametrize("maker, filename", [(csv_bytes, "staff.csv"), (xlsx_bytes, "staff.xlsx")])
def test_a_clean_file_in_csv_and_xlsx(maker, filename):
    rows = check(maker(GOOD), filename)
    assert [row.problems for row in rows] == [[], [], []]
    assert [(r.line, r.email, r.job_role, r.language) for r in rows] == [
        (2, "zoe@example.com", "hr_manager", "fr"), (3, "jan@example.com", "prevention_adviser", "nl"),
        (4, "ana@example.com", "contact_person", "en")]
    assert rows[0].full_name == "Zoë Wójcik"


def test_semicolons_and_windows_encoding_as_belgian_excel_saves_them():
    rows = check(csv_bytes(GOOD, delimiter=";", encoding="cp1252"))
    assert rows[0].full_name == "Zoë Wójcik" and not any(row.problems for row in rows)


def test_headers_in_other_languages_and_order():
    data = csv_bytes([["ana@example.com", "HR_MANAGER", "Ana"]], header=["E-mailadres", "Fonction", "Nom"])
    assert check(data)[0].problems == [] and check(data)[0].full_name == "Ana"


@pytest.mark.parametrize("row, problem", [
    (["", "a@example.com", "hr_manager", "en"], "missing_name"),
    (["x" * 201, "a@example.com", "hr_manager", "en"], "name_too_long"),
    (["Ann", "", "hr_manager", "en"], "missing_email"),
    (["Ann", "not-an-email", "hr_manager", "en"], "bad_email"),
    (["Ann", "ann@@example.com", "hr_manager", "en"], "bad_email"),
    (["Ann", "a@example.com", "", "en"], "missing_role"),
    (["Ann", "a@example.com", "astronaut", "en"], "unknown_role"),
    (["Ann", "a@example.com", "hr_manager", "de"], "unknown_language"),
    (["Ann", "member@example.com", "hr_manager", "en"], "already_member"),
    (["Ann", "Invited@Example.com", "hr_manager", "en"], "already_invited"),
])
@pytest.mark.parametrize("maker, filename", [(csv_bytes, "staff.csv"), (xlsx_bytes, "staff.xlsx")])
def test_every_kind_of_bad_row(maker, filename, row, problem):
    rows = check(maker(GOOD + [row]), filename, members={"member@example.com"}, pending={"invited@example.com"})
    assert [r.problems for r in rows[:3]] == [[], [], []]
    assert rows[3].problems == [problem]


def test_duplicates_in_the_file_name_the_first_line():
    rows = check(csv_bytes(GOOD + [["Zoë again", "ZOE@example.com", "hr_manager", "fr"]]))
    assert rows[3].problems == ["duplicate"] and rows[3].duplicate_of == 2


def test_a_row_can_have_several_problems():
    rows = check(csv_bytes([["", "bad", "astronaut", "xx"]]))
    assert rows[0].problems == ["missing_name", "bad_email", "unknown_role", "unknown_language"]


@pytest.mark.parametrize("data, filename, code", [
    (b"x" * (importing.MAX_BYTES + 1), "staff.csv", "too_large"),
    (csv_bytes([["N", f"p{n}@example.com", "hr_manager", "en"] for n in range(importing.MAX_ROWS + 1)]),
     "staff.csv", "too_many_rows"),
    (b"%PDF-1.7", "staff.pdf", "wrong_type"),
    (b"PK\x03\x04 broken", "staff.xlsx", "unreadable"),
    (b"not a zip", "staff.xlsx", "unreadable"),
    (csv_bytes([]), "staff.csv", "empty"),
    (csv_bytes([["a", "b"]], header=["Name", "Phone"]), "staff.csv", "missing_columns"),
    (b"Name,Email\x00,Job role\r\n", "staff.csv", "unreadable"),
])
def test_files_refused_as_a_whole(data, filename, code):
    with pytest.raises(FileProblem) as raised:
        check(data, filename)
    assert raised.value.code == code


def test_an_xlsx_that_inflates_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(FileProblem) as raised:
        check(xlsx_bytes(GOOD), "staff.xlsx")
    assert raised.value.code == "too_large"


# Through the employer's pages ----------------------------------------------------------------------------

def upload(client, org, data, filename="staff.csv"):
    return client.post(f"/employer/{org.id}/invitations/import",
                       data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def confirm_payload(response) -> str:

    return re.search(rb'name="payload" type="hidden" value="([^"]+)"', response.data).group(1).decode()


@pytest.mark.parametrize("maker, filename", [(csv_bytes, "staff.csv"), (xlsx_bytes, "staff.xlsx")])
def test_preview_then_import_everyone_in_one_go(db, as_user, admin_a, org_a, outbox, maker, filename):
    client = as_user(admin_a)
    response = upload(client, org_a, maker(GOOD), filename)
    assert response.status_code == 200
    assert b"The file is ready: 3 people will be invited." in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0  # nothing before confirming
    response = client.post(f"/employer/{org_a.id}/invitations/import/confirm",
                           data={"payload": confirm_payload(response)})
    assert response.status_code == 302
    invitations = db.session.scalars(sa.select(Invitation).order_by(Invitation.email)).all()
    assert [(i.email, i.job_role, i.language) for i in invitations] == [
        ("ana@example.com", "contact_person", "en"), ("jan@example.com", "prevention_adviser", "nl"),
        ("zoe@example.com", "hr_manager", "fr")]
    assert sorted(m.to for m in outbox) == ["ana@example.com", "jan@example.com", "zoe@example.com"]
    by_to = {m.to: m for m in outbox}
    assert "Bonjour" in by_to["zoe@example.com"].body and "Beste" in by_to["jan@example.com"].body


def test_a_file_with_one_bad_row_imports_nothing_and_lists_every_problem(db, as_user, admin_a, org_a, outbox):
    client = as_user(admin_a)
    bad = GOOD + [["", "bad", "astronaut", "en"], ["Zoë", "zoe@example.com", "hr_manager", "fr"],
                  ["Hanne", "hr@acme.example", "hr_manager", "en"]]
    response = upload(client, org_a, csv_bytes(bad))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    for message in ("Nothing was imported.", "The name is missing.", "This is not a valid email address.",
                    "This job role is unknown.", "already on an earlier line", "already a member"):
        assert message in text
    assert 'name="payload"' not in text  # no way to confirm a file with problems
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0 and outbox == []


def test_confirming_after_someone_joined_in_between_imports_nothing(db, as_user, admin_a, org_a, create_user):
    client = as_user(admin_a)
    response = upload(client, org_a, csv_bytes(GOOD))
    create_user("jan@example.com", organisation=org_a)  # joined while the preview was open
    response = client.post(f"/employer/{org_a.id}/invitations/import/confirm",
                           data={"payload": confirm_payload(response)})
    assert response.status_code == 409 and b"already a member" in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_failure_in_the_middle_rolls_back_every_row(db, as_user, admin_a, org_a, monkeypatch):
    from elearning.employers import services

    client = as_user(admin_a)
    payload = confirm_payload(upload(client, org_a, csv_bytes(GOOD)))
    real_invite, calls = services.invite, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_invite(*args, **kwargs)

    monkeypatch.setattr(services, "invite", flaky)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/employer/{org_a.id}/invitations/import/confirm", data={"payload": payload})
    assert response.status_code == 500
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_payload_for_another_organisation_is_refused(db, as_user, admin_a, org_a, admin_b, org_b):
    payload = confirm_payload(upload(as_user(admin_a), org_a, csv_bytes(GOOD)))
    client = as_user(admin_b)
    response = client.post(f"/employer/{org_b.id}/invitations/import/confirm", data={"payload": payload})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    response = client.post(f"/employer/{org_b.id}/invitations/import/confirm", data={"payload": payload + "x"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


@pytest.mark.settings(STAFF_IMPORT_MAX_ROWS=2)
def test_limits_give_a_clear_message(as_user, admin_a, org_a):
    response = upload(as_user(admin_a), org_a, csv_bytes(GOOD))
    assert response.status_code == 400
    assert b"The file has too many rows: import at most 2 people at a time." in response.data


def test_wrong_file_type_message(as_user, admin_a, org_a):
    response = upload(as_user(admin_a), org_a, b"%PDF-1.7", "staff.pdf")
    assert response.status_code == 400 and b"Upload a CSV file or an Excel workbook" in response.data


@pytest.mark.settings(STAFF_IMPORT_MAX_BYTES=2000)
def test_a_file_over_the_size_limit_gets_a_clear_message(db, as_user, admin_a, org_a):
    data = csv_bytes([["Name", f"person{n}@example.com", "hr_manager", "en"] for n in range(100)])
    response = upload(as_user(admin_a), org_a, data)
    assert response.status_code == 400 and b"The file is too large: it may be at most 2 kB." in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_large_import_reads_the_addresses_once_and_refreshes_statistics_on_postgresql(db, org_a, admin_a,
                                                                                      monkeypatch):
    from elearning.employers import services
    from elearning.employers.importing import ImportRow
    from tests.conftest import count_queries

    monkeypatch.setattr(services, "ANALYZE_AFTER_ROWS", 20)
    rows = [ImportRow(line=n + 2, full_name=f"Person {n}", email=f"person{n}@example.com", job_role="hr_manager",
                      language="en") for n in range(30)]
    assert org_a.id and admin_a.id  # loaded before counting
    with count_queries() as statements:
        created = services.import_invitations(org_a, rows, admin_a)
    db.session.commit()
    assert len(created) == 30 and db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 30
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # member and pending addresses, once for the whole file
    analysed = [s for s in statements if s.strip().upper() == "ANALYZE INVITATIONS"]
    assert len(analysed) == (1 if db.engine.dialect.name == "postgresql" else 0)
    with pytest.raises(services.AlreadyInvited):
        services.import_invitations(org_a, rows[:1], admin_a)


@pytest.mark.parametrize("maker, filename", [(csv_bytes, "staff.csv"), (xlsx_bytes, "staff.xlsx")])
def test_lines_are_numbered_as_the_spreadsheet_shows_them_blank_rows_included(maker, filename):
    """A blank row must not shift the line an employer is sent to (it was reported one line too early)."""
    rows = check(maker([GOOD[0], ["", "", "", ""], ["Ben Bad", "bad", "hr_manager", "en"]]), filename)
    assert [(row.line, row.problems) for row in rows] == [(2, []), (4, ["bad_email"])]


def test_the_line_numbers_survive_the_preview(db, as_user, admin_a, org_a, create_user):
    """The confirmation carries each row's line: a problem found on confirming names the same line."""
    client = as_user(admin_a)
    response = upload(client, org_a, csv_bytes([GOOD[0], ["", "", "", ""], GOOD[1]]))
    create_user("jan@example.com", organisation=org_a)  # joined while the preview was open
    response = client.post(f"/employer/{org_a.id}/invitations/import/confirm",
                           data={"payload": confirm_payload(response)})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and '<th scope="row">4</th>' in text


def test_missing_columns_are_named_in_the_pages_language(as_user, admin_a, org_a):
    client = as_user(admin_a)
    refresh()
    response = client.post(f"/employer/{org_a.id}/invitations/import?lang=fr", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_bytes([["a", "b"]], header=["Naam", "Telefoon"])),
                                          "staff.csv")})
    assert "Colonnes manquantes\u00a0: e-mail, fonction." in response.get_data(as_text=True)


@pytest.mark.settings(MAX_CONTENT_LENGTH=100_000)  # 5 MB in the app; smaller here, so the body stays in memory
def test_a_file_over_the_request_limit_is_refused_on_the_invitations_page(as_user, admin_a, org_a):
    client = as_user(admin_a)
    response = upload(client, org_a, b"x" * 200_000)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/employer/{org_a.id}/invitations")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file is too large: it may be at most 1 MB." in page


def test_sending_the_same_confirmation_twice_sends_nothing_more(db, as_user, admin_a, org_a, outbox):
    client = as_user(admin_a)
    payload = confirm_payload(upload(client, org_a, csv_bytes(GOOD)))
    first = client.post(f"/employer/{org_a.id}/invitations/import/confirm", data={"payload": payload})
    again = client.post(f"/employer/{org_a.id}/invitations/import/confirm", data={"payload": payload})
    assert first.status_code == again.status_code == 302 and len(outbox) == 3
    assert "already has a pending invitation: nothing more was sent" in client.get(again.headers["Location"]).get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 3


def test_an_unknown_language_is_shown_as_written(as_user, admin_a, org_a):
    """The preview shows what the file says, so the employer sees what to correct."""
    response = upload(as_user(admin_a), org_a, csv_bytes([["Ann", "ann@example.com", "hr_manager", "Deutsch"]]))
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "<td>Deutsch</td>" in text and "The language must be nl, fr or en." in text


def test_a_workbook_whose_list_is_on_a_later_sheet_is_read_there():
    """Workbooks often open on an empty or explanatory sheet: the list is on the first sheet with rows."""
    workbook = Workbook()
    workbook.active.title = "Read me"
    workbook.active.append(["Fill in the next sheet"])
    staff = workbook.create_sheet("Staff")
    for row in [HEADER, *GOOD]:
        staff.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = check(buffer.getvalue(), "staff.xlsx")
    assert [row.email for row in rows] == ["zoe@example.com", "jan@example.com", "ana@example.com"]
