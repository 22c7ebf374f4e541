"""Read a staff list from a CSV or XLSX file and list every row's problems (no Flask, no database)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_BYTES = 1_000_000
MAX_ROWS = 1_000
MAX_UNZIPPED_BYTES = 30_000_000  # an XLSX is a ZIP: refuse archives that inflate to more than this
MAX_NAME_LENGTH = 200
MAX_XML_DEPTH = 32  # worksheets nest 6 deep, charts about 12; an XML bomb nests millions

# Column headers we recognise, in the three interface languages, compared without case and accents.
HEADER_ALIASES = {
    "full_name": ("name", "full name", "naam", "volledige naam", "nom", "nom complet", "prenom nom"),
    "email": ("email", "e-mail", "email address", "e-mailadres", "mail", "adresse e-mail", "courriel"),
    "job_role": ("job role", "role", "functie", "rol", "fonction", "role professionnel"),
    "language": ("language", "taal", "langue", "lang"),
}
REQUIRED_COLUMNS = ("full_name", "email", "job_role")
LANGUAGE_ALIASES = {"nl": "nl", "nederlands": "nl", "dutch": "nl", "neerlandais": "nl",
                    "fr": "fr", "francais": "fr", "french": "fr", "frans": "fr",
                    "en": "en", "english": "en", "engels": "en", "anglais": "en"}


class FileProblem(Exception):
    """The file as a whole cannot be read; `code` says why (see employers.forms.FILE_PROBLEMS)."""

    def __init__(self, code: str, **details) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass
class ImportRow:
    line: int
    full_name: str
    email: str
    job_role: str | None  # the role's code once recognised
    language: str | None
    role_text: str = ""
    language_text: str = ""  # as written in the file, shown when it names no language Relais knows
    duplicate_of: int | None = None  # the line where the same address first appears
    problems: list[str] = field(default_factory=list)

    def as_list(self) -> list:
        return [self.full_name, self.email, self.job_role or "", self.language or "", self.line]


def fold(text: str) -> str:
    """Return `text` lower-cased, trimmed and without accents, for forgiving comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def read_table(filename: str, data: bytes, *, max_bytes: int = MAX_BYTES,
               max_rows: int = MAX_ROWS) -> list[tuple[int, list[str]]]:
    """Return the file's non-blank rows (header first) as (line, cells), the line numbered as a spreadsheet
    numbers its rows (blank rows count, so a problem is reported where the employer will look); raise
    FileProblem."""
    if len(data) > max_bytes:
        raise FileProblem("too_large", limit=max_bytes)
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(data)
    else:
        raise FileProblem("wrong_type")
    table = []
    for line, row in enumerate(rows, start=1):
        if any(cell for cell in row):
            table.append((line, row))
            if len(table) > max_rows + 1:
                raise FileProblem("too_many_rows", limit=max_rows)
    if len(table) < 2:
        raise FileProblem("empty")
    return table


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything; kept for safety
        raise FileProblem("unreadable")
    if "\x00" in text:
        raise FileProblem("unreadable")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            yield [cell.strip() for cell in row]
    except csv.Error as exc:
        raise FileProblem("unreadable") from exc


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise FileProblem("too_large", limit=MAX_BYTES)
            _check_xml_depth(archive)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise FileProblem("unreadable") from exc
    try:
        # The staff list is on the first sheet that has a header and a row under it: a workbook often opens on an
        # empty or explanatory first sheet.
        sheet = next((s for s in workbook.worksheets if _filled_rows(s, 2) == 2), workbook.worksheets[0])
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except Exception as exc:  # a part damaged further in (bad XML, a CRC error) shows only while reading
        raise FileProblem("unreadable") from exc
    finally:
        workbook.close()


def _filled_rows(sheet, enough: int) -> int:
    """Return how many non-blank rows the sheet has, counting no further than `enough`."""
    found = 0
    for values in sheet.iter_rows(values_only=True):
        if any(_cell_text(value) for value in values):
            found += 1
            if found >= enough:
                break
    return found


def _check_xml_depth(archive: zipfile.ZipFile) -> None:
    """Refuse XML nested deeper than a workbook's: openpyxl would build every nested element in memory."""
    from xml.parsers import expat

    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        depth = 0

        def start(*_args) -> None:
            nonlocal depth
            depth += 1
            if depth > MAX_XML_DEPTH:
                raise FileProblem("unreadable")

        def end(_name) -> None:
            nonlocal depth
            depth -= 1

        parser = expat.ParserCreate()
        parser.StartElementHandler, parser.EndElementHandler = start, end
        with archive.open(info) as member:
            parser.ParseFile(member)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def map_columns(header: list[str]) -> dict[str, int]:
    """Return {column key: index} for the recognised headers; raise FileProblem when one is missing."""
    lookup = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        key = lookup.get(fold(text))
        if key is not None and key not in columns:
            columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise FileProblem("missing_columns", columns=missing)
    return columns


def normalise_email(value: str) -> str:
    return value.strip().lower()


def is_valid_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def rows_from_table(table: list[tuple[int, list[str]]], *, default_language: str) -> list[ImportRow]:
    """Return one ImportRow per data row of the table (see read_table)."""
    columns = map_columns(table[0][1])

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    rows = []
    for line, row in table[1:]:
        language_text = cell(row, "language")
        language = LANGUAGE_ALIASES.get(fold(language_text)) if language_text else default_language
        rows.append(ImportRow(line=line, full_name=" ".join(cell(row, "full_name").split()),
                              email=normalise_email(cell(row, "email")), job_role=None,
                              language=language, role_text=cell(row, "job_role"), language_text=language_text))
    return rows


def check_rows(rows: Iterable[ImportRow], *, role_for: Callable[[str], str | None], members: set[str],
               pending: set[str]) -> list[ImportRow]:
    """Fill in each row's role and problems: missing or long name, bad email, unknown role or language,
    duplicate in the file, already a member, already invited."""
    rows = list(rows)
    seen: dict[str, int] = {}
    for row in rows:
        row.problems = []
        if not row.full_name:
            row.problems.append("missing_name")
        elif len(row.full_name) > MAX_NAME_LENGTH:
            row.problems.append("name_too_long")
        if not row.email:
            row.problems.append("missing_email")
        elif not is_valid_email(row.email):
            row.problems.append("bad_email")
        row.job_role = role_for(row.role_text) if row.role_text else None
        if not row.role_text:
            row.problems.append("missing_role")
        elif row.job_role is None:
            row.problems.append("unknown_role")
        if row.language is None:
            row.problems.append("unknown_language")
        if row.email:
            if row.email in seen:
                row.problems.append("duplicate")
                row.duplicate_of = seen[row.email]
            else:
                seen[row.email] = row.line
            if row.email in members:
                row.problems.append("already_member")
            elif row.email in pending:
                row.problems.append("already_invited")
    return rows
