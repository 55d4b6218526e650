"""Bulk Provision Users' optional ``language`` column (SPEC F17): en, de, fr, it in any case, read by the one
rule of lib.languages; a bad value is the row's error with its row number; an empty cell takes the job's
language; each user's email is in their row's language."""

import pytest
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from notifications.models import Message
from provisioning.bulk.rows import RowError, build_row
from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for
from tests.provisioning.bulk_support import uploaded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("cell", "language"), [("de", "de"), ("DE", "de"), (" Fr ", "fr"), ("iT", "it"),
                                                ("en", "en"), ("", "it")])
def test_a_row_reads_its_language_in_any_case_and_an_empty_cell_takes_the_jobs(cell: str, language: str) -> None:
    row = build_row(2, {"username": "ann", "language": cell}, default_ownership="corporate", default_language="it")
    assert row.language == language


@pytest.mark.parametrize("cell", ["es", "de-CH", "German", "d e"])
def test_any_other_language_is_the_rows_error(cell: str) -> None:
    with pytest.raises(RowError, match=r"^Unknown language .* \(use en, de, fr, it\)\.$"):
        build_row(2, {"username": "ann", "language": cell}, default_ownership="corporate")


def start(client: Client, job: BulkJob, callbacks: DjangoCaptureOnCommitCallbacks) -> BulkJob:
    with callbacks(execute=True):
        assert client.post(f"/devices/pending/bulk/{job.pk}/start/").status_code == 302
    job.refresh_from_db()
    return job


def test_a_csv_with_a_language_column_creates_each_enrollment_in_its_language(helpdesk_user, licences,
        django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    rows = [["Username", "Email", "Language"], ["ann", "ann@example.com", "DE"], ["ben", "ben@example.com", ""],
            ["cid", "cid@example.com", "xx"], ["dora", "dora@example.com", "fr"]]
    job = uploaded(client, rows, email_user="on", language="it")
    assert job.error_rows == 1
    assert job.preview_errors == [[4, "cid", "Unknown language 'xx' (use en, de, fr, it)."]]
    preview = client.get(f"/devices/pending/bulk/{job.pk}/").content.decode()
    assert "Unknown language &#x27;xx&#x27; (use en, de, fr, it)." in preview
    job = start(client, job, django_capture_on_commit_callbacks)
    assert job.status == BulkJobStatus.COMPLETED
    assert dict(PendingEnrollment.objects.values_list("username", "language")) == {
        "ann": "de", "ben": "it", "dora": "fr"}
    bodies = {m.recipient: unseal(m.body_sealed) for m in Message.objects.all()}
    assert bodies["ann@example.com"].startswith("Guten Tag ann,")
    assert bodies["ben@example.com"].startswith("Gentile ben,")
    assert bodies["dora@example.com"].startswith("Bonjour dora,")


def test_without_the_column_every_row_takes_the_jobs_language_english_by_default(helpdesk_user, licences,
        django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    start(client, uploaded(client, [["username"], ["ann"], ["ben"]]), django_capture_on_commit_callbacks)
    assert set(PendingEnrollment.objects.values_list("language", flat=True)) == {"en"}
