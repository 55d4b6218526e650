"""The preview runs on the worker, with the rows checked so far on the job's page, and the batches
write the export as they commit (exactly once after a run stopped mid-batch, no OTP decrypted)."""

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from provisioning.bulk import preview as preview_module
from provisioning.bulk.export import ExportStream, export_path_for
from provisioning.bulk.run import bulk_job_run
from provisioning.bulk.upload import bulk_job_preview
from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for
from tests.provisioning.bulk_support import export_rows, uploaded
from tests.provisioning.test_bulk_run import start

pytestmark = pytest.mark.django_db

ROWS = [["username", "email"], ["ann", "ann@example.com"], ["bad", "nope"], ["ben", ""], ["cat", ""]]


def body(html: str) -> str:
    """The preview body's markup, its CSRF tokens (masked afresh on every render) left out."""
    found = re.search(r'<div class="bulk-preview".*</div>', html, re.DOTALL)
    assert found, html
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", found.group(0)).strip()


def test_the_upload_answers_before_any_row_is_checked_and_its_page_polls_until_the_preview_is_ready(
        helpdesk_user, licences):
    client = client_for(helpdesk_user)
    job = uploaded(client, ROWS, checked=False)  # the worker has not taken the preview yet
    assert (job.status, job.valid_rows, job.preview_errors) == (BulkJobStatus.CHECKING, 0, [])
    page = client.get(f"/devices/pending/bulk/{job.pk}/").content.decode()
    polled = client.get(f"/devices/pending/bulk/{job.pk}/preview/")
    assert "no-store" in polled["Cache-Control"]
    assert body(page) == body(polled.content.decode())
    assert f'hx-get="/devices/pending/bulk/{job.pk}/preview/"' in page and "0 of about 4 rows checked" in page
    assert ">Start<" not in page
    start_early = client.post(f"/devices/pending/bulk/{job.pk}/start/", follow=True)
    assert "still being checked" in start_early.content.decode()

    bulk_job_preview(job_id=job.pk)  # the worker

    job.refresh_from_db()
    assert (job.status, job.total_rows, job.valid_rows, job.error_rows) == (BulkJobStatus.PREVIEW, 4, 3, 1)
    ready = client.get(f"/devices/pending/bulk/{job.pk}/preview/").content.decode()
    assert "hx-get" not in ready and "Ready to provision" in ready and "Bad email address" in ready
    assert body(client.get(f"/devices/pending/bulk/{job.pk}/").content.decode()) == body(ready)
    assert PendingEnrollment.objects.count() == 0


def test_the_preview_reports_the_rows_checked_as_it_goes(helpdesk_user, licences, monkeypatch):
    monkeypatch.setattr(preview_module, "PROGRESS_EVERY", 2)
    job = uploaded(client_for(helpdesk_user), [["username"]] + [[f"u{i}"] for i in range(7)], checked=False)
    seen = []
    checked_row = preview_module._checked_row

    def watching(*args):
        seen.append(BulkJob.objects.get(pk=job.pk).processed_rows)
        return checked_row(*args)

    monkeypatch.setattr(preview_module, "_checked_row", watching)
    bulk_job_preview(job_id=job.pk)
    assert seen == [0, 2, 2, 4, 4, 6, 6]
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.total_rows) == (BulkJobStatus.PREVIEW, 0, 7)


def test_a_job_cancelled_while_its_rows_are_checked_stops_the_preview_and_leaves_no_file(
        helpdesk_user, licences, monkeypatch):
    monkeypatch.setattr(preview_module, "PROGRESS_EVERY", 2)
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"]] + [[f"u{i}"] for i in range(6)], checked=False)
    upload = Path(job.upload_path)
    checked_row = preview_module._checked_row

    def cancelled_meanwhile(*args):
        if args[0] == 3:  # the second row: a person presses Cancel on the page
            assert client.post(f"/devices/pending/bulk/{job.pk}/cancel/").status_code == 302
        return checked_row(*args)

    monkeypatch.setattr(preview_module, "_checked_row", cancelled_meanwhile)
    bulk_job_preview(job_id=job.pk)
    assert not BulkJob.objects.filter(pk=job.pk).exists()
    assert [p for p in upload.parent.glob(f"{upload.stem}*")] == []


def test_the_batches_write_the_export_without_decrypting_an_otp(helpdesk_user, licences, settings, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    settings.BULK_BATCH_SIZE = 2

    def no_unseal(ciphertext):
        raise AssertionError("the export decrypted an OTP")

    monkeypatch.setattr("provisioning.bulk.export.unseal", no_unseal)
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, ROWS), django_capture_on_commit_callbacks)
    assert job.status == BulkJobStatus.COMPLETED, job.failure_reason
    monkeypatch.undo()
    exported = export_rows(client, job)[1:]
    assert [(r[0], r[1], r[9]) for r in exported] == [("2", "ann", "created"), ("3", "bad", "error"),
                                                     ("4", "ben", "created"), ("5", "cat", "created")]
    for line in exported:
        if line[9] == "created":
            stored = PendingEnrollment.objects.get(bulk_job_id=job.pk, bulk_row=int(line[0]))
            assert (line[5], line[6]) == (stored.token, unseal(stored.otp_ciphertext))


class Killed(BaseException):
    """The worker process dies (nothing of the run catches it)."""


def test_a_run_that_died_after_writing_a_batchs_lines_but_before_its_commit_resumes_with_every_row_once(
        helpdesk_user, licences, settings, monkeypatch):
    settings.BULK_BATCH_SIZE = 2
    client = client_for(helpdesk_user)
    rows = [["username"]] + [[f"u{i}"] for i in range(4)] + [["bad user"]] + [[f"v{i}"] for i in range(3)]
    job = uploaded(client, rows)
    client.post(f"/devices/pending/bulk/{job.pk}/start/")
    batch = ExportStream.batch
    calls = []

    def dies_before_the_second_commit(self, created, last_row):
        offset = batch(self, created, last_row)
        calls.append(last_row)
        if len(calls) == 2:
            raise Killed
        return offset

    monkeypatch.setattr(ExportStream, "batch", dies_before_the_second_commit)
    with pytest.raises(Killed):
        bulk_job_run(job_id=job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    part = export_path_for(job.pk).with_suffix(".part")
    assert job.status == BulkJobStatus.RUNNING and job.export_row == 3
    assert part.stat().st_size > job.export_offset  # the lines of the batch that rolled back
    assert PendingEnrollment.objects.filter(bulk_job_id=job.pk).count() == 2

    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    bulk_job_run(job_id=job.pk)  # the re-run after the sweep

    job.refresh_from_db()
    assert job.status == BulkJobStatus.COMPLETED, job.failure_reason
    exported = export_rows(client, job)[1:]
    assert Counter(r[0] for r in exported) == Counter(str(n) for n in range(2, 10))
    assert [r[0] for r in exported] == [str(n) for n in range(2, 10)]
    assert [r[9] for r in exported].count("created") == 7 and exported[4][9] == "error"
    stored = {e.bulk_row: (e.token, unseal(e.otp_ciphertext)) for e in PendingEnrollment.objects.filter(
        bulk_job_id=job.pk)}
    assert {int(r[0]): (r[5], r[6]) for r in exported if r[9] == "created"} == stored


def test_a_batch_the_pool_cannot_hold_writes_no_outbox_row(helpdesk_user, licences, settings):
    from notifications.models import Message

    settings.BULK_BATCH_SIZE = 2
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username", "email"]] + [[f"u{i}", f"u{i}@example.com"] for i in range(5)],
                   email_user="on")
    client.post(f"/devices/pending/bulk/{job.pk}/start/")
    licences(3)  # the pool shrinks before the worker runs: the first batch fits, the second does not
    bulk_job_run(job_id=job.pk)
    created = PendingEnrollment.objects.filter(bulk_job_id=job.pk)
    assert created.count() == 2
    assert sorted(Message.objects.values_list("enrollment_id", "recipient")) == sorted(
        (e.pk, e.email) for e in created)
