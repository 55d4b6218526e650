"""Upload and preview: encodings, delimiters, header names, every row problem, broken files."""

from pathlib import Path

import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment
from lib.csvfile import CsvRecord, iter_records
from provisioning.bulk.csvfile import layout_from_json
from provisioning.bulk.preview import valid_rows
from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for
from tests.provisioning.bulk_support import csv_bytes, excel_unicode_text, upload, uploaded

pytestmark = pytest.mark.django_db

ACCENTED = [["Username", "Email", "Mobile", "First_Name", "Last_Name"],
            ["mmueller", "m.mueller@example.com", "+49 171 2345678", "Jürgen", "Müller"],
            ["jgarcia", "jose@example.com", "", "José", "García"]]


def rows_read(job: BulkJob) -> list[CsvRecord]:
    return [cells for _, cells in iter_records(Path(job.upload_path), layout_from_json(job.options["layout"]))]


@pytest.mark.smoke
@pytest.mark.parametrize("data, encoding, delimiter", [
    (csv_bytes(ACCENTED), "utf-8", ","),
    (csv_bytes(ACCENTED, bom=True), "utf-8-sig", ","),
    (csv_bytes(ACCENTED, delimiter=";", encoding="cp1252"), "cp1252", ";"),
    (excel_unicode_text(ACCENTED), "utf-16", "\t"),
], ids=["utf8", "utf8-bom", "windows-1252-semicolon", "excel-unicode-text"])
def test_it_reads_each_encoding_and_delimiter_people_upload(helpdesk_user, licences, data, encoding, delimiter):
    job = uploaded(client_for(helpdesk_user), data)
    assert job.status == BulkJobStatus.PREVIEW
    assert (job.total_rows, job.valid_rows, job.error_rows) == (2, 2, 0)
    assert job.options["layout"]["encoding"] == encoding
    assert job.options["layout"]["delimiter"] == delimiter
    rows = rows_read(job)
    assert rows[0]["last_name"] == "Müller" and rows[0]["first_name"] == "Jürgen"
    assert rows[1]["first_name"] == "José"
    assert PendingEnrollment.objects.count() == 0


def test_it_shows_the_preview_with_the_licence_need_against_what_remains(helpdesk_user, licences):
    client = client_for(helpdesk_user)
    job = uploaded(client, ACCENTED)
    page = client.get(f"/devices/pending/bulk/{job.pk}/")
    assert page.status_code == 200
    assert page.context["remaining"] == 100
    assert page.context["refusal"] == ""
    assert b"Licences needed" in page.content


@pytest.mark.smoke
def test_it_reports_every_bad_row_with_its_number_and_reason(helpdesk_user, licences):
    rows = [
        ["USERNAME", "email", "mobile", "ownership", "user_type", "Department"],
        ["good", "good@example.com", "491712345678", "personal", "local", "IT"],  # row 2
        ["", "nobody@example.com", "", "", "", ""],  # 3
        ["badmail", "not-an-email", "", "", "", ""],  # 4
        ["badmobile", "", "12ab", "", "", ""],  # 5
        ["badowner", "", "", "rented", "", ""],  # 6
        ["GOOD", "", "", "", "", ""],  # 7: the same user as row 2 (usernames are case-insensitive)
        ["dirk", "", "", "", "ldap", ""],  # 8
        ["national", "", "(0171) 2345678", "", "", ""],  # 9
    ]
    job = uploaded(client_for(helpdesk_user), rows)
    reasons = {row: reason for row, _, reason in job.preview_errors}
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert reasons[3] == "Missing username."
    assert "Bad email address 'not-an-email'" in reasons[4]
    assert "Bad mobile number '12ab'" in reasons[5]
    assert "Unknown ownership 'rented'" in reasons[6]
    assert "Duplicate username 'GOOD' (first in row 2)" in reasons[7]
    assert "LDAP is not configured" in reasons[8]
    assert (job.total_rows, job.valid_rows, job.error_rows) == (8, 2, 6)
    assert job.options["layout"]["ignored"] == ["Department"]
    page = client_for(helpdesk_user).get(f"/devices/pending/bulk/{job.pk}/")
    assert b"Ignored unknown columns: Department" in page.content
    assert b"Bad mobile number" in page.content


def test_it_reports_an_ldap_user_the_directory_does_not_know(helpdesk_user, licences, settings, ldap_settings):
    rows = [["username", "user_type"], ["alice", "ldap"], ["nobody-here", "ldap"]]
    job = uploaded(client_for(helpdesk_user), rows)
    assert job.preview_errors == [[3, "nobody-here", "LDAP user 'nobody-here' not found."]]


def test_it_disables_start_when_the_licences_do_not_suffice(helpdesk_user, licences):
    licences(1)
    client = client_for(helpdesk_user)
    job = uploaded(client, ACCENTED)
    page = client.get(f"/devices/pending/bulk/{job.pk}/")
    assert "Not enough device licences: 2 needed, 1 remaining" in page.context["refusal"]
    assert b"disabled" in page.content
    response = client.post(f"/devices/pending/bulk/{job.pk}/start/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == BulkJobStatus.PREVIEW
    assert PendingEnrollment.objects.count() == 0


@pytest.mark.smoke
@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a text (CSV) file."),
    (b"email,mobile\r\nx@example.com,\r\n", "no username column"),
    (b"\r\nusername\r\nalice\r\n", "The first line is empty"),
], ids=["empty", "binary", "no-username-column", "no-header"])
def test_it_refuses_a_broken_file_with_a_clear_message_and_stores_nothing(helpdesk_user, licences, settings,
                                                                          tmp_path, data, message):
    settings.PRIVATE_STORAGE_DIR = tmp_path
    response = upload(client_for(helpdesk_user), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["csv_file"])
    assert BulkJob.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_it_refuses_a_file_over_the_size_limit(helpdesk_user, licences, settings):
    settings.BULK_MAX_UPLOAD_MB = 1
    data = csv_bytes([["username"]] + [[f"user{i:07d}"] for i in range(100_000)])
    assert len(data) > 1024 * 1024
    response = upload(client_for(helpdesk_user), data)
    assert response.status_code == 200
    assert "the limit is 1 MB" in " ".join(response.context["form"].errors["csv_file"])
    assert BulkJob.objects.count() == 0


@pytest.mark.parametrize("rows, message", [
    ([["username"], ["a"], ["b"], ["c"], ["d"]], "The file has more than 3 rows. Split it into several files."),
    ([["username"], [""], []], "The file has a header row but no users below it."),
], ids=["too-many-rows", "header-only"])
def test_a_file_the_worker_finds_unusable_is_refused_on_its_page_and_its_files_go(helpdesk_user, licences, settings,
                                                                                 tmp_path, rows, message):
    settings.PRIVATE_STORAGE_DIR = tmp_path
    settings.BULK_MAX_ROWS = 3
    client = client_for(helpdesk_user)
    job = uploaded(client, rows)
    assert (job.status, job.failure_reason) == (BulkJobStatus.REFUSED, message)
    page = client.get(f"/devices/pending/bulk/{job.pk}/").content.decode()
    assert f"This file cannot be used: {message}" in page and ">Start<" not in page
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert client.post(f"/devices/pending/bulk/{job.pk}/start/").status_code == 302
    assert PendingEnrollment.objects.count() == 0
    client.post(f"/devices/pending/bulk/{job.pk}/cancel/")  # Discard
    assert BulkJob.objects.count() == 0


def test_it_audits_the_upload(helpdesk_user, licences):
    job = uploaded(client_for(helpdesk_user), ACCENTED, name="rollout.csv")
    entry = AuditEntry.objects.get(action=AuditAction.BULK_UPLOADED)
    assert entry.actor == helpdesk_user
    assert entry.details["bulk_job"] == job.pk and entry.details["file_name"] == "rollout.csv"


def test_cancel_at_preview_removes_the_upload_and_creates_nothing(helpdesk_user, licences):
    client = client_for(helpdesk_user)
    job = uploaded(client, ACCENTED)
    path = Path(job.upload_path)
    assert path.is_file()
    response = client.post(f"/devices/pending/bulk/{job.pk}/cancel/")
    assert response.status_code == 302
    assert not BulkJob.objects.filter(pk=job.pk).exists()
    assert not path.exists()
    assert PendingEnrollment.objects.count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.BULK_REMOVED).count() == 1


@pytest.mark.smoke
def test_it_refuses_a_row_with_an_unterminated_quote_by_its_number_and_keeps_the_rows_after_it(helpdesk_user,
                                                                                               licences):
    data = (b'username,email\r\nfirst,f@example.com\r\n"unterminated,u@example.com\r\nnext,n@example.com\r\n'
            b'last,l@example.com\r\n')
    job = uploaded(client_for(helpdesk_user), data)
    assert (job.total_rows, job.valid_rows, job.error_rows) == (4, 3, 1)
    [(row, _, reason)] = job.preview_errors
    assert row == 3 and "quot" in reason and "not closed" in reason
    assert [cells["username"] for cells in rows_read(job)] == ["first", "unterminated,u@example.com", "next", "last"]
    page = client_for(helpdesk_user).get(f"/devices/pending/bulk/{job.pk}/")
    assert b"not closed" in page.content


def test_it_refuses_a_row_with_text_after_a_closing_quote_and_keeps_the_next_row(helpdesk_user, licences):
    job = uploaded(client_for(helpdesk_user), b'username,email\r\n"ab"c,x@example.com\r\nnext,n@example.com\r\n')
    assert [row for row, _, _ in job.preview_errors] == [2]
    assert "quot" in job.preview_errors[0][2]
    assert (job.total_rows, job.valid_rows) == (2, 1)


def test_it_keeps_a_quoted_line_break_in_an_ignored_column(helpdesk_user, licences):
    job = uploaded(client_for(helpdesk_user), b'username,notes\r\nalice,"line 1\r\nline 2"\r\nbob,\r\n')
    assert (job.total_rows, job.valid_rows, job.error_rows) == (2, 2, 0)


@pytest.mark.parametrize("username, shown", [
    ("ali\tce", "a tab"),
    ("ali\x1bce", "U+001B"),
    ("ali\u202ece", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("ali\u2028ce", "U+2028 LINE SEPARATOR"),
], ids=["tab", "escape", "bidi-override", "line-separator"])
def test_it_refuses_a_username_with_a_control_character(helpdesk_user, licences, username, shown):
    job = uploaded(client_for(helpdesk_user), [["username", "email"], [username, "a@example.com"],
                                               ["bob", "b@example.com"]])
    assert job.preview_errors == [[2, username, f"The username contains a control character ({shown})."]]
    assert job.valid_rows == 1


@pytest.mark.parametrize("username", ["ali\r\nce", "ali\nce"], ids=["crlf", "lf"])
def test_it_refuses_a_line_break_in_a_quoted_username(helpdesk_user, licences, username):
    job = uploaded(client_for(helpdesk_user), [["username", "email"], [username, "a@example.com"],
                                               ["bob", "b@example.com"]])
    [(row, _, reason)] = job.preview_errors
    assert row == 2 and reason.startswith("The username cell runs over lines 2–3 of the file: a line break")
    assert job.valid_rows == 1


def test_it_refuses_a_row_whose_quote_closes_lines_later_and_names_the_lines_it_swallowed(helpdesk_user, licences):
    data = (b'username,email,first_name\r\nalice,a@example.com,"Alice\r\nbob,b@example.com,Bob\r\n'
            b'carol,c@example.com,Carol"\r\ndave,d@example.com,Dave\r\n')
    job = uploaded(client_for(helpdesk_user), data)
    assert (job.total_rows, job.valid_rows) == (2, 1)
    [(row, username, reason)] = job.preview_errors
    assert (row, username) == (2, "alice")
    assert reason.startswith("The first_name cell runs over lines 2–4 of the file")


@pytest.mark.smoke
def test_it_reads_a_file_of_utf8_and_windows_1252_lines_each_in_its_own_encoding_and_says_so(helpdesk_user,
                                                                                            licences):
    data = ("username,first_name\r\njgarcia,José\r\n".encode() + "mmueller,Jürgen\r\n".encode("cp1252")
            + "zoe,Zoë\r\n".encode())
    client = client_for(helpdesk_user)
    job = uploaded(client, data)
    assert [cells["first_name"] for cells in rows_read(job)] == ["José", "Jürgen", "Zoë"]
    assert job.options["layout"]["encoding"] == "utf-8"
    page = client.get(f"/devices/pending/bulk/{job.pk}/").content.decode()
    assert "not UTF-8 throughout: 1 line (3) was read as Windows-1252" in page


def test_it_says_so_when_a_file_is_read_as_windows_1252(helpdesk_user, licences):
    client = client_for(helpdesk_user)
    job = uploaded(client, csv_bytes(ACCENTED, encoding="cp1252"))
    assert job.options["layout"]["encoding"] == "cp1252"
    assert "The file is not UTF-8; it was read as Windows-1252" in client.get(f"/devices/pending/bulk/{job.pk}/")\
        .content.decode()
    utf8 = uploaded(client, csv_bytes(ACCENTED))
    assert "Windows-1252" not in client.get(f"/devices/pending/bulk/{utf8.pk}/").content.decode()


def test_it_names_the_line_of_a_nul_character(helpdesk_user, licences, settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path
    response = upload(client_for(helpdesk_user), b"username\r\nalice\r\nbo\x00b\r\n")
    assert response.status_code == 200
    assert "NUL character (line 3)" in " ".join(response.context["form"].errors["csv_file"])
    assert BulkJob.objects.count() == 0


def test_it_reads_a_mobile_number_by_its_digits_and_refuses_one_that_reads_two_ways_or_none(helpdesk_user, licences,
                                                                                            settings):
    settings.PHONE_DEFAULT_REGION = "DE"
    rows = [["username", "mobile"],
            ["spreadsheet", "491712345670"],  # row 2: the plus dropped by a spreadsheet
            ["national", "(0171) 2345678"],  # 3
            ["international", "0049 171 2345679"],  # 4
            ["twoways", "17123456789"],  # 5: +1 712 ... or 0171 2345 6789
            ["neither", "491512345678"]]  # 6: a digit short as +49 151..., a landline only as national
    job = uploaded(client_for(helpdesk_user), rows)
    assert job.preview_errors == [
        [5, "twoways", "Bad mobile number '17123456789': it could be read as +17123456789 or as +4917123456789: "
                       "write it with + and the country code."],
        [6, "neither", "Bad mobile number '491512345678': it is not a valid mobile number, with or without a "
                       "country code: write it with + and the country code."],
    ]
    assert {row.username: row.mobile for row in valid_rows(Path(job.upload_path))} == {
        "spreadsheet": "+491712345670", "national": "+491712345678", "international": "+491712345679"}


def test_it_refuses_a_username_outside_the_console_rule_with_its_row_and_reason(helpdesk_user, licences):
    rows = [["username", "email", "user_type"],
            ["=cmd|' /C calc'!A0", "a@example.com", ""],  # row 2
            ["anna maria", "b@example.com", ""],  # 3
            ["o'brien", "c@example.com", ""],  # 4
            ["-x", "d@example.com", ""],  # 5
            ["x" * 151, "e@example.com", ""],  # 6
            ["josé.garcía-lópez_2@corp+it", "f@example.com", ""],  # 7: accents and @ . + - _ inside
            ["Zoë", "g@example.com", ""]]  # 8
    job = uploaded(client_for(helpdesk_user), rows)
    rule = ": use only letters, digits and @ . + - _."
    assert job.preview_errors == [
        [2, "=cmd|' /C calc'!A0",
         "The username starts with “=”, which a spreadsheet reads as a formula: start it with a letter or a digit."],
        [3, "anna maria", f"The username contains a space{rule}"],
        [4, "o'brien", f"The username contains “'”{rule}"],
        [5, "-x", "The username starts with “-”, which a spreadsheet reads as a formula: start it with a letter or "
                  "a digit."],
        [6, "x" * 150, "The username is longer than 150 characters."],
    ]
    assert [row.username for row in valid_rows(Path(job.upload_path))] == ["josé.garcía-lópez_2@corp+it", "Zoë"]


def test_an_ldap_username_is_the_directorys_to_judge(helpdesk_user, licences, ldap_settings):
    rows = [["username", "user_type"], ["alice", "ldap"], ["anna maria", "ldap"], ["=x", "ldap"]]
    job = uploaded(client_for(helpdesk_user), rows)
    assert job.preview_errors == [[3, "anna maria", "LDAP user 'anna maria' not found."],
                                  [4, "=x", "LDAP user '=x' not found."]]
