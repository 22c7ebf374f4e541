"""Staff-list bombs sent to the employer import under gunicorn: each is refused with a clear message, within
a few seconds, and the worker's peak memory (VmHWM) stays within a fixed budget."""

from __future__ import annotations

import io
import re
import struct
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
import sqlalchemy as sa
from openpyxl import Workbook

from tests.reliability import harness

TIME_LIMIT = 10  # seconds for the server to refuse a bomb
MEMORY_BUDGET = 64 * 2**20  # bytes the worker's peak resident memory may grow by, over all the bombs
SHEET = "xl/worksheets/sheet1.xml"
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
MESSAGES = {  # problem: (status, what the page says)
    "request_too_large": (303, "The file is too large: it may be at most 1 MB."),  # back on the invitations page
    "too_large": (400, "The file is too large"),
    "too_many_rows": (400, "The file has too many rows"),
    "wrong_type": (400, "Upload a CSV file or an Excel workbook (.xlsx)."),
    "unreadable": (400, "This file could not be read."),
}


# Bombs ------------------------------------------------------------------------------------------------------

def _workbook(rows=(("Name", "Email", "Job role"), ("Ana", "ana@example.com", "hr_manager"))) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_sheet(write_sheet) -> bytes:
    """Return a workbook whose first sheet is written by write_sheet(file), deflated."""
    source, out = zipfile.ZipFile(io.BytesIO(_workbook())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename == SHEET:
                member = zipfile.ZipInfo(SHEET)
                member.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(member, "w") as file:
                    write_sheet(file)
            else:
                archive.writestr(info, source.read(info.filename))
    return out.getvalue()


def zip_bomb(size: int = 400_000_000) -> bytes:
    """A 400 KB workbook whose sheet inflates to 400 MB."""
    def write(file):
        file.write(b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>")
        chunk = b" " * 1_000_000
        for _ in range(size // len(chunk)):
            file.write(chunk)
    return _with_sheet(write)


def lying_zip_bomb() -> bytes:
    """The zip bomb with its central directory claiming the sheet is 5 KB once inflated."""
    data = bytearray(zip_bomb())
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack("<H", data[position + 28:position + 30])[0]
        if data[position + 46:position + 46 + name_length] == SHEET.encode():
            data[position + 24:position + 28] = struct.pack("<I", 5000)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def billion_laughs() -> bytes:
    entities = b'<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (n, b"".join(b"&l%d;" % (n - 1) for _ in range(10))) for n in range(1, 10))
    return _with_sheet(lambda file: file.write(
        b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]><worksheet " + NS
        + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'))


def deeply_nested(depth: int = 2_000_000) -> bytes:
    """An 18 KB workbook with one cell nested two million elements deep."""
    return _with_sheet(lambda file: file.write(
        b'<?xml version="1.0"?><worksheet ' + NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        + b"<x>" * depth + b"</x>" * depth + b"</t></is></c></row></sheetData></worksheet>"))


def rows_xlsx(count: int = 100_000) -> bytes:
    return _workbook([("Name", "Email", "Job role")] + [(1,)] * count)


def rows_csv(count: int = 100_000) -> bytes:
    return b"name,email,job role\n" + b"".join(b"P%d,p%d@example.com,hr_manager\n" % (n, n) for n in range(count))


def huge_csv_chunks(size: int = 200 * 2**20):
    """200 MB of staff list, produced while it is sent."""
    yield b"name,email,job role\n"
    line = b"Ana,ana@example.com,hr_manager\n" * 30_000
    for _ in range(size // len(line)):
        yield line


BOMBS = {  # name: (file name, body or chunk generator, the problem expected)
    "huge CSV (200 MB)": ("staff.csv", huge_csv_chunks, "request_too_large"),
    "huge CSV (200 MB), chunked": ("staff.csv", huge_csv_chunks, "request_too_large"),
    "CSV just over 1 MB": ("staff.csv", lambda: rows_csv(40_000), "too_large"),
    "100,000-row CSV": ("staff.csv", rows_csv, "too_large"),
    "100,000-row XLSX": ("staff.xlsx", rows_xlsx, "too_many_rows"),
    "zip bomb XLSX (400 MB inflated)": ("staff.xlsx", zip_bomb, "too_large"),
    "lying zip bomb XLSX": ("staff.xlsx", lying_zip_bomb, "unreadable"),
    "billion laughs XLSX": ("staff.xlsx", billion_laughs, "unreadable"),
    "deeply nested XLSX (2,000,000 levels)": ("staff.xlsx", deeply_nested, "unreadable"),
    "CSV with a 900 KB cell": ("staff.csv", lambda: b'name,email,job role\n"' + b"a" * 900_000 + b'",b,c\n',
                               "unreadable"),
    "XLSX named .csv": ("staff.csv", _workbook, "unreadable"),
    "CSV named .xlsx": ("staff.xlsx", lambda: b"name,email,job role\nAna,ana@example.com,hr_manager\n", "unreadable"),
    "program": ("staff.exe", lambda: b"MZ\x90\x00" + b"\x00" * 1000, "wrong_type"),
    "PDF": ("staff.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "wrong_type"),
}


# The server -----------------------------------------------------------------------------------------------

def _peak_memory(pid: int) -> int:
    """Return the process's peak resident memory in bytes (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


@pytest.fixture(scope="module")
def employer_site(tmp_path_factory):
    """Yield (server, logged-in employer browser, organisation id): one gunicorn worker, one thread."""
    from elearning.accounts.models import User, utcnow
    from elearning.employers.models import Membership, Organisation

    directory = tmp_path_factory.mktemp("bombs")
    with harness.throwaway_database(directory, "bombs") as database:
        harness.seed(database, 0)
        engine = database.engine()
        with engine.begin() as connection:
            user = User(email="hr@acme.example.com", full_name="HR", email_confirmed_at=utcnow())
            user.set_password(harness.LEARNER_PASSWORD)
            user_id = connection.execute(sa.insert(User).values(
                email=user.email, full_name=user.full_name, password_hash=user.password_hash, language="en",
                job_role="hr_manager", is_platform_admin=False, created_at=utcnow(),
                email_confirmed_at=utcnow()).returning(User.id)).scalar_one()
            org_id = connection.execute(sa.insert(Organisation).values(name="Acme " + uuid.uuid4().hex[:6])
                                        .returning(Organisation.id)).scalar_one()
            connection.execute(sa.insert(Membership).values(user_id=user_id, organisation_id=org_id,
                                                            job_role="hr_manager", is_employer_admin=True))
        engine.dispose()
        with harness.app_server(database, directory, name="bombs", workers=1, threads=1) as server:
            browser = harness.Browser(server.url)
            assert browser.login("hr@acme.example.com").status_code == 302
            yield server, browser, org_id
            server.stop()
            assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


def _upload(browser: harness.Browser, org_id: int, filename: str, body, *, chunked: bool = False) -> requests.Response:
    """Post the file as a browser would: `body` is bytes, or a generator function streamed as it is sent."""
    token = browser.token(f"/employer/{org_id}/invitations")
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + len(tail) + (len(body) if isinstance(body, bytes) else sum(map(len, body())))

    def parts():
        yield head
        yield from [body] if isinstance(body, bytes) else body()
        yield tail

    return browser.session.post(browser.base_url + f"/employer/{org_id}/invitations/import",
                                data=parts() if chunked else _Sized(parts, size), timeout=60, allow_redirects=False,
                                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


class _Sized:
    """A streamed body whose length is known, so it goes out with Content-Length rather than chunked."""

    def __init__(self, parts, size: int) -> None:
        self.parts, self.size = parts, size

    def __iter__(self):
        return self.parts()

    def __len__(self) -> int:
        return self.size


def test_a_normal_staff_list_is_previewed(employer_site):
    server, browser, org_id = employer_site
    response = _upload(browser, org_id, "staff.xlsx", _workbook())
    assert response.status_code == 200 and "ana@example.com" in response.text


@pytest.mark.parametrize("name", list(BOMBS))
def test_an_upload_bomb_is_refused_clearly_in_bounded_time_and_memory(employer_site, name, figures):
    server, browser, org_id = employer_site
    filename, body, problem = BOMBS[name]
    content = body() if not name.startswith("huge") else body  # built before the clock starts
    [worker] = server.worker_pids()
    bombs = figures.setdefault("upload bombs", {})
    baseline = bombs.setdefault("_baseline", _peak_memory(worker))
    bombs.setdefault("worker peak before the bombs", f"{baseline / 2**20:.0f} MB")
    started = time.monotonic()
    response = _upload(browser, org_id, filename, content, chunked="chunked" in name)
    elapsed = time.monotonic() - started
    peak = _peak_memory(worker)
    bombs[name] = f"{elapsed:.2f} s, peak +{(peak - baseline) / 2**20:.0f} MB"
    status, message = MESSAGES[problem]
    assert response.status_code == status, response.status_code
    if status == 303:  # refused before any view read it: the invitations page says why
        response = browser.session.get(urljoin(browser.base_url, response.headers["Location"]), timeout=60)
    assert message in response.text, re.sub(r"\s+", " ", response.text)[-1500:]
    assert elapsed < TIME_LIMIT, elapsed
    assert peak - baseline < MEMORY_BUDGET, f"peak memory grew by {(peak - baseline) / 2**20:.0f} MB"
    assert server.worker_pids() == [worker], "the worker died"
