"""Corporate identifiers > Import from CSV: the encodings and delimiters Bulk Provision reads, one
step that adds the good rows and reports the others by spreadsheet row number, and nothing written
when the file cannot be read."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import Device
from restrictions import identifier_csv
from restrictions.models import CorporateIdentifier, IdentifierKind
from restrictions.services import corporate_identifiers_import
from tests.conftest import ClientResponse, client_for
from tests.restrictions.test_identifiers import export_body

pytestmark = [pytest.mark.django_db]

URL = "/settings/restrictions/identifiers/import/"
IMEI = "352099001761481"
IMEI_2 = "490154203237518"


def upload(user: User, content: bytes, name: str = "identifiers.csv") -> ClientResponse:
    return client_for(user).post(URL, {"csv_file": SimpleUploadedFile(name, content, content_type="text/csv")})


def stored() -> set[tuple[str, str, str]]:
    return set(CorporateIdentifier.objects.values_list("kind", "value", "note"))


def audited() -> list[dict[str, object]]:
    return [e.details for e in AuditEntry.objects.filter(action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED)]


@pytest.mark.smoke
def test_a_utf8_file_with_a_bom_is_imported_and_summarised(admin_user):
    content = "\ufeffSerial_Number,IMEI,Note\r\nc02xk1abc,,Laptop Anna\r\n,35 209900 176148 1,Phone Jörg\r\n"

    response = upload(admin_user, content.encode("utf-8"))

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.added, result.listed, result.problems) == (2, [], [])
    assert stored() == {("serial", "C02XK1ABC", "Laptop Anna"), ("imei", IMEI, "Phone Jörg")}
    assert all(i.created_by == admin_user for i in CorporateIdentifier.objects.all())
    page = response.content.decode()
    assert "2 identifiers added." in page and "0 skipped: listed already." in page
    (details,) = audited()
    assert details["imported"] == 2 and details["already_listed"] == 0 and details["bad_rows"] == 0
    assert details["encoding"] == "utf-8-sig" and details["delimiter"] == "comma"
    assert details["file_name"] == "identifiers.csv"


def test_a_utf16_file_from_excel_unicode_text_is_imported(admin_user):
    content = "serial_number\timei\tnote\r\nSN-1\t\tÉcole\r\n"

    result = upload(admin_user, content.encode("utf-16")).context["result"]

    assert result.added == 1 and stored() == {("serial", "SN-1", "École")}


def test_a_windows_1252_file_with_semicolons_is_imported(admin_user):
    content = "imei;note\r\n352099001761481;Außendienst München\r\n490154203237518;Büro\r\n"

    result = upload(admin_user, content.encode("cp1252")).context["result"]

    assert result.added == 2 and not result.problems
    assert stored() == {("imei", IMEI, "Außendienst München"), ("imei", IMEI_2, "Büro")}
    assert audited()[0]["encoding"] == "cp1252" and audited()[0]["delimiter"] == "semicolon"


def test_a_tab_delimited_file_is_imported(admin_user):
    result = upload(admin_user, b"serial_number\tnote\nA1\tone\nB2\ttwo\n").context["result"]

    assert result.added == 2 and stored() == {("serial", "A1", "one"), ("serial", "B2", "two")}


def test_a_row_with_a_serial_number_and_an_imei_adds_both(admin_user):
    result = upload(admin_user, f"serial_number,imei,note\nA1,{IMEI},both\n".encode()).context["result"]

    assert result.added == 2 and stored() == {("serial", "A1", "both"), ("imei", IMEI, "both")}


def test_each_bad_row_is_reported_by_its_row_number_and_the_good_rows_are_added(admin_user):
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="LISTED1")
    content = "\n".join([
        "serial_number,imei,note",
        "GOOD1,,fine",                      # row 2
        ",352099001761482,wrong check",     # row 3: Luhn
        ",3520990017614,too short",         # row 4: length
        ",,only a note",                    # row 5: no identifier
        "good1,,again",                     # row 6: row 2 again (serial numbers in any case)
        "listed1,,on the list",             # row 7: listed already: skipped
        "GOOD2,35209900176148X,mixed",      # row 8: a bad IMEI costs the whole row
        ",,",                               # row 9: blank, not a row
        f"GOOD3,{IMEI},",                   # row 10
    ]).encode()

    response = upload(admin_user, content)

    result = response.context["result"]
    assert stored() == {("serial", "LISTED1", ""), ("serial", "GOOD1", "fine"), ("serial", "GOOD3", ""),
                        ("imei", IMEI, "")}
    assert result.added == 3
    assert [(p.row, p.text) for p in result.problems] == [
        (3, "The IMEI “352099001761482” is not valid: its last digit is not the Luhn check digit."),
        (4, "The IMEI “3520990017614” must be 15 digits (spaces and dashes are allowed)."),
        (5, "The row gives neither a serial number nor an IMEI."),
        (6, "The Serial number GOOD1 is on row 2 already; it is added once, from that row."),
        (8, "The IMEI “35209900176148X” must be 15 digits (spaces and dashes are allowed)."),
    ]
    assert [(s.row, s.text) for s in result.listed] == [(7, "The Serial number LISTED1 is listed already; skipped.")]
    page = response.content.decode()
    assert "3 identifiers added." in page and "1 skipped: listed already." in page
    assert "5 rows with errors, not imported." in page and "<td>4</td>" in page
    (details,) = audited()
    assert (details["imported"], details["already_listed"], details["bad_rows"]) == (3, 1, 5)


def test_an_export_imports_as_it_is(admin_user):
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="=CMD|1", note="-tricky, \"quoted\"")
    CorporateIdentifier.objects.create(kind=IdentifierKind.IMEI, value=IMEI, note="@desk")
    before = stored()
    client = client_for(admin_user)
    exported = export_body(client)
    CorporateIdentifier.objects.all().delete()

    result = upload(admin_user, exported, name="export.csv").context["result"]

    assert (result.added, result.problems) == (2, []) and stored() == before
    assert result.ignored_columns == ["status", "device", "enrolled_at", "refused_at", "refused_reason", "added_at"]
    again = upload(admin_user, exported).context["result"]
    assert again.added == 0 and [s.row for s in again.listed] == [2, 3]


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a text (CSV) file. It holds a NUL character (line 3)."),
    (b"\x01\x02\x03\x04\x05\x06binary", "This is not a text (CSV) file. Its first line holds control characters"),
    (b"\x81\x8d\x8f\x90", "This is not a text (CSV) file. It is neither UTF-8, UTF-16 nor Windows-1252 text."),
    (b"serial_number,imei,note\r\n", "The file has a header row but no data rows: there is nothing to import."),
    (b"serial_number\n\n , \n", "The file has a header row but no data rows"),
    (b"username,email\nalice,a@example.com\n", "The header row names neither a serial_number nor an imei column."),
    (b"\r\nserial_number\r\nA1\r\n", "The first line is empty"),
    (b"serial_number,Serial Number\nA1,A2\n", "The header names the column 'serial_number' twice."),
    (b"", "The file is empty. It needs a header row with a serial_number or imei column."),
], ids=["binary", "control-characters", "not-decodable", "header-only", "header-and-blank-rows",
        "no-identifier-column", "no-header", "column-twice", "empty"])
def test_a_file_that_cannot_be_read_adds_nothing_and_says_why(admin_user, content, message):
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="KEEP1")

    response = upload(admin_user, content)

    assert response.status_code == 200 and response.context["result"] is None
    assert message in " ".join(response.context["form"].errors["csv_file"])
    assert stored() == {("serial", "KEEP1", "")} and audited() == []
    folder = Path(settings.PRIVATE_STORAGE_DIR) / "restrictions"
    assert not folder.exists() or not any(folder.iterdir())  # no copy of the upload is left behind


def test_a_file_with_too_many_rows_adds_nothing(admin_user, monkeypatch):
    monkeypatch.setattr(identifier_csv, "IMPORT_MAX_ROWS", 3)
    rows = "".join(f"SN{n}\n" for n in range(4))

    response = upload(admin_user, f"serial_number\n{rows}".encode())

    assert response.context["form"].errors["csv_file"] == [
        "The file has more than 3 rows. Split it into several files."]
    assert not CorporateIdentifier.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_a_message(admin_user):
    content = b"serial_number\n" + b"A" * (5 * 1024 * 1024)

    response = upload(admin_user, content)

    assert response.context["form"].errors["csv_file"] == [
        "The file is 5.0 MB; the limit is 5 MB. Split it into several files."]
    assert not CorporateIdentifier.objects.exists()


def test_a_post_without_a_file_shows_the_form_with_its_error(admin_user):
    response = client_for(admin_user).post(URL, {})
    assert response.status_code == 200 and "csv_file" in response.context["form"].errors


def test_the_page_says_the_import_is_one_step_and_what_it_skips(admin_user):
    page = client_for(admin_user).get(URL).content.decode()
    assert "without a preview" in page and "block nothing else" in page
    assert "A file that cannot be read adds nothing" in page


def test_the_export_header_is_what_the_import_reads():
    reader = csv.reader(io.StringIO(",".join(identifier_csv.EXPORT_HEADER)))
    assert next(reader)[:3] == list(identifier_csv.IMPORT_COLUMNS.known)


def test_a_row_whose_serial_number_holds_a_bidi_override_is_reported_without_it(admin_user):
    content = "serial_number,note\nSN\u202eABC,turned\nGOOD1,\n".encode()

    result = upload(admin_user, content).context["result"]

    assert result.added == 1 and stored() == {("serial", "GOOD1", "")}
    assert [(p.row, p.text) for p in result.problems] == [
        (2, "The serial number “SN\ufffdABC” contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE).")]


def test_a_large_import_looks_up_in_one_query_per_kind_and_copies_its_rows(admin_user):
    """12,000 rows with a serial number and an IMEI each: the listed ones and the devices are read in one
    query per kind (not per 5,000 values), and on PostgreSQL the new rows are one COPY, no INSERT."""
    lines = "".join(f"SN{n:05},{luhn_imei(n)},note {n}\n" for n in range(12_000))
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="SN00007")

    with CaptureQueriesContext(connection) as queries:
        result = corporate_identifiers_import(chunks=[f"serial_number,imei,note\n{lines}".encode()],
                                              file_name="big.csv", actor=Actor.for_user(admin_user))

    assert (result.added, len(result.listed), result.problems) == (23_999, 1, [])
    assert CorporateIdentifier.objects.count() == 24_000
    statements = [q["sql"] for q in queries.captured_queries]
    identifier_table, device_table = CorporateIdentifier._meta.db_table, Device._meta.db_table
    assert sum(s.startswith("SELECT") and identifier_table in s for s in statements) == 2
    assert sum(s.startswith("SELECT") and device_table in s for s in statements) == 2
    if connection.vendor == "postgresql":
        assert not [s for s in statements if s.startswith("INSERT") and identifier_table in s]


def luhn_imei(n: int) -> str:
    body = f"35{n:012}"
    total = sum(int(d) if i % 2 else (2 * int(d) - 9 if int(d) > 4 else 2 * int(d)) for i, d in enumerate(body[::-1]))
    return body + str(-total % 10)
