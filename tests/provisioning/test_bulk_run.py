"""Running a job in-process (Celery eager): batches, licences, notifications, export, download,
remove, the retention purge and the sweep. The real-worker runs are in test_bulk_worker.py."""

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from accounts.roles import HELPDESK
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, Source
from lib.crypto import unseal
from lib.spreadsheet import spreadsheet_safe
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts
from provisioning.bulk.run import bulk_job_run, bulk_jobs_requeue_stale
from provisioning.bulk.upload import bulk_exports_purge
from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for, make_console_user
from tests.provisioning.bulk_support import export_rows, uploaded

pytestmark = pytest.mark.django_db


def start(client: Client, job: BulkJob,
          django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> BulkJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/devices/pending/bulk/{job.pk}/start/")
    assert response.status_code == 302
    job.refresh_from_db()
    return job


@pytest.mark.smoke
def test_a_started_job_creates_every_valid_row_in_batches_and_reserves_one_licence_each(
        helpdesk_user, licences, settings, django_capture_on_commit_callbacks):
    settings.BULK_BATCH_SIZE = 2
    client = client_for(helpdesk_user)
    rows = [["username", "mobile"]] + [[f"user{i}", "+491712345678"] for i in range(5)] + [["", ""] , ["x", "bad"]]
    job = start(client, uploaded(client, rows), django_capture_on_commit_callbacks)
    assert job.status == BulkJobStatus.COMPLETED
    assert (job.created_rows, job.processed_rows, job.total_rows) == (5, 6, 6)
    created = PendingEnrollment.objects.filter(bulk_job_id=job.pk).order_by("bulk_row")
    assert [e.bulk_row for e in created] == [2, 3, 4, 5, 6]
    assert {e.source for e in created} == {Source.BULK}
    assert {e.ownership for e in created} == {"corporate"}
    assert all(e.mobile == "+491712345678" and e.reserved_licences == 1 for e in created)
    assert licence_counts().reserved == 5
    # One reservation per batch of two rows: 2 + 2 + 1.
    assert list(LedgerEntry.objects.filter(kind=LedgerKind.RESERVE).order_by("id").values_list("quantity", flat=True)) \
        == [2, 2, 1]
    assert AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_CREATED).count() == 5
    started = AuditEntry.objects.get(action=AuditAction.BULK_STARTED)
    assert started.actor == helpdesk_user and started.details["rows"] == 5
    assert not Path(job.export_path).is_relative_to(settings.STATIC_ROOT)


def test_the_export_escapes_formulas_and_holds_the_otps(helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    # The username rule refuses names that start a formula; the export still lists them, escaped, with the
    # reason. A created row's email and its E.164 mobile may start with one too.
    rows = [["username", "email", "mobile"], ["=cmd()", "", ""], ["+1", "", ""], ["@x", "a@example.com", ""],
            ["-2", "", ""], ["plain", "=sum@example.com", "0171 2345678"], ["other", "-x@example.com", ""]]
    job = start(client, uploaded(client, rows), django_capture_on_commit_callbacks)
    exported = export_rows(client, job)
    assert exported[0] == ["row", "username", "email", "mobile", "ownership", "token", "otp", "otp_expires_at",
                           "activation_url", "status", "error"]
    assert [r[1] for r in exported[1:]] == ["'=cmd()", "'+1", "'@x", "'-2", "plain", "other"]
    assert [r[9] for r in exported[1:]] == ["error"] * 4 + ["created"] * 2
    assert exported[5][2:4] == ["'=sum@example.com", "'+491712345678"] and exported[6][2] == "'-x@example.com"
    for row in exported[5:]:
        enrollment = PendingEnrollment.objects.get(bulk_job_id=job.pk, bulk_row=int(row[0]))
        assert row[5] == spreadsheet_safe(enrollment.token)  # a token may start with "-"
        assert row[6] == unseal(enrollment.otp_ciphertext)
        assert row[9] == "created"


def test_an_otp_override_with_unlimited_validity_applies_to_every_row(helpdesk_user, licences,
                                                                       django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"], ["a"], ["b"]], define_otp="on", otp_content="letters", otp_length=12,
                   otp_unlimited="on")
    job = start(client, job, django_capture_on_commit_callbacks)
    for enrollment in PendingEnrollment.objects.filter(bulk_job_id=job.pk):
        otp = unseal(enrollment.otp_ciphertext)
        assert len(otp) == 12 and otp.isalpha()
        assert enrollment.otp_expires_at is None
    assert [r[7] for r in export_rows(client, job)[1:]] == ["", ""]


def test_notifications_are_queued_in_the_outbox_for_each_row(helpdesk_user, licences,
                                                             django_capture_on_commit_callbacks):
    from notifications.models import Channel, Message

    client = client_for(helpdesk_user)
    rows = [["username", "email", "mobile"], ["ann", "ann@example.com", "+491712345678"], ["ben", "", ""]]
    start(client, uploaded(client, rows, email_user="on", sms_user="on"), django_capture_on_commit_callbacks)
    assert sorted(Message.objects.values_list("username", "channel")) == [("ann", Channel.EMAIL),
                                                                         ("ann", Channel.SMS)]


def test_when_the_pool_shrinks_after_the_start_the_job_fails_after_the_batches_that_fit(
        helpdesk_user, licences, settings):
    settings.BULK_BATCH_SIZE = 2
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"]] + [[f"u{i}"] for i in range(5)])
    client.post(f"/devices/pending/bulk/{job.pk}/start/")  # queued; the worker has not run yet
    licences(3)  # meanwhile an Administrator lowers the total
    bulk_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BulkJobStatus.FAILED
    assert job.failure_reason.startswith("Not enough device licences: 2 needed, 1 remaining")
    assert PendingEnrollment.objects.filter(bulk_job_id=job.pk).count() == 2
    counts = licence_counts()
    assert (counts.reserved, counts.total) == (2, 3)
    exported = export_rows(client, job)
    assert [r[9] for r in exported[1:]] == ["created", "created", "not created", "not created", "not created"]
    assert exported[3][10] == "Not created: not enough device licences."
    page = client.get("/devices/pending/bulk/")
    assert b"Not enough device licences" in page.content


def test_download_needs_the_permission_and_is_audited(cast, licences, django_capture_on_commit_callbacks):
    client = client_for(cast["helpdesk"])
    job = start(client, uploaded(client, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    url = f"/devices/pending/bulk/{job.pk}/export.csv"
    assert client_for(cast["outsider"]).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.BULK_DOWNLOADED).exists()
    response = client_for(cast["admin"]).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.BULK_DOWNLOADED)
    assert entry.actor == cast["admin"] and entry.details["bulk_job"] == job.pk


def test_the_export_and_its_folder_are_readable_by_the_server_account_only(
        helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    export = Path(job.export_path)
    assert (stat.S_IMODE(export.stat().st_mode), stat.S_IMODE(export.parent.stat().st_mode)) == (0o600, 0o700)


def test_remove_can_also_delete_the_jobs_pending_enrollments_and_release_their_licences(
        helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"], ["bob"]]), django_capture_on_commit_callbacks)
    page = client.get(f"/devices/pending/bulk/{job.pk}/remove/")
    assert b"Also delete the 2 pending enrollments" in page.content
    export = Path(job.export_path)
    client.post(f"/devices/pending/bulk/{job.pk}/remove/", {"delete_pending": "on"})
    assert not BulkJob.objects.filter(pk=job.pk).exists()
    assert not export.exists()
    assert PendingEnrollment.objects.count() == 0
    assert licence_counts().reserved == 0
    entry = AuditEntry.objects.get(action=AuditAction.BULK_REMOVED)
    assert entry.details["deleted_enrollments"] == 2


def test_any_helpdesk_may_download_and_remove_a_colleagues_job(helpdesk_user, licences,
                                                             django_capture_on_commit_callbacks):
    # By design (README, roles): bulk jobs belong to the team, not to whoever uploaded them.
    owner = client_for(helpdesk_user)
    job = start(owner, uploaded(owner, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    colleague = client_for(make_console_user("hank", HELPDESK))

    assert colleague.get(f"/devices/pending/bulk/{job.pk}/export.csv").status_code == 200
    assert colleague.post(f"/devices/pending/bulk/{job.pk}/remove/").status_code == 302
    assert not BulkJob.objects.filter(pk=job.pk).exists()


def test_remove_without_deleting_keeps_the_pending_enrollments(helpdesk_user, licences,
                                                              django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    client.post(f"/devices/pending/bulk/{job.pk}/remove/")
    assert not BulkJob.objects.filter(pk=job.pk).exists()
    assert PendingEnrollment.objects.count() == 1


def test_exports_are_deleted_after_the_retention_period(helpdesk_user, licences, settings,
                                                        django_capture_on_commit_callbacks):
    settings.BULK_EXPORT_RETENTION_HOURS = 72
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    export = Path(job.export_path)
    assert bulk_exports_purge(now=timezone.now() + timedelta(hours=71)) == 0
    assert export.exists()
    assert bulk_exports_purge(now=timezone.now() + timedelta(hours=73)) == 1
    assert not export.exists()
    job.refresh_from_db()
    assert job.export_path == ""
    assert client.get(f"/devices/pending/bulk/{job.pk}/export.csv").status_code == 302


def test_the_sweep_requeues_a_running_job_whose_worker_stopped_beating(helpdesk_user, licences, settings,
                                                                       django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"], ["ann"], ["bob"]])
    old = timezone.now() - timedelta(seconds=settings.BULK_HEARTBEAT_STALE_SECONDS + 5)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJobStatus.RUNNING, started_at=old, heartbeat_at=old)
    # A second, fresh run of the same job must not start while the first one beats.
    fresh = BulkJob.objects.create(created_by_name="x", file_name="f", status=BulkJobStatus.RUNNING,
                                   started_at=timezone.now(), heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_jobs_requeue_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == BulkJobStatus.COMPLETED
    assert PendingEnrollment.objects.filter(bulk_job_id=job.pk).count() == 2
    bulk_job_run(job_id=fresh.pk)  # not claimable: its heartbeat is fresh
    fresh.refresh_from_db()
    assert fresh.status == BulkJobStatus.RUNNING


def test_a_rerun_of_a_finished_job_changes_nothing(helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    bulk_job_run(job_id=job.pk)
    assert PendingEnrollment.objects.count() == 1
    assert licence_counts().reserved == 1


def test_a_preview_nobody_starts_is_deleted_after_the_retention_period(helpdesk_user, licences):
    job = uploaded(client_for(helpdesk_user), [["username"], ["ann"]])
    upload_file = Path(job.upload_path)
    assert bulk_exports_purge(now=timezone.now() + timedelta(hours=1)) == 0
    assert bulk_exports_purge(now=timezone.now() + timedelta(hours=73)) == 1
    assert not BulkJob.objects.filter(pk=job.pk).exists()
    assert not upload_file.exists()
    assert AuditEntry.objects.get(action=AuditAction.BULK_REMOVED).details["abandoned_preview"] is True


def test_a_completed_job_is_audited_once_as_finished_with_its_counts(helpdesk_user, licences,
                                                                    django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    rows = [["username", "mobile"], ["ann", "+491712345678"], ["bob", ""], ["x", "bad"]]
    job = start(client, uploaded(client, rows), django_capture_on_commit_callbacks)
    bulk_job_run(job_id=job.pk)  # a redelivered task: the job is finished, nothing more is written

    (entry,) = AuditEntry.objects.filter(action=AuditAction.BULK_JOB_FINISHED)
    assert entry.actor == helpdesk_user
    assert entry.details == {"bulk_job": job.pk, "file_name": job.file_name, "status": "completed",
                             "created_rows": 2, "refused_rows": 1, "not_created_rows": 0}


def test_a_job_that_runs_out_of_licences_is_audited_as_finished_failed(helpdesk_user, licences, settings):
    settings.BULK_BATCH_SIZE = 2
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"]] + [[f"u{i}"] for i in range(5)])
    client.post(f"/devices/pending/bulk/{job.pk}/start/")
    licences(3)
    bulk_job_run(job_id=job.pk)

    (entry,) = AuditEntry.objects.filter(action=AuditAction.BULK_JOB_FINISHED)
    assert (entry.details["status"], entry.details["created_rows"], entry.details["not_created_rows"],
            entry.details["refused_rows"]) == ("failed", 2, 3, 0)
    assert entry.details["failure_reason"].startswith("Not enough device licences")


def test_a_job_stopped_by_an_unexpected_error_is_audited_as_finished_failed(helpdesk_user, licences, monkeypatch):
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"], ["ann"]])
    client.post(f"/devices/pending/bulk/{job.pk}/start/")

    def broken_export(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("provisioning.bulk.export.ExportStream.finish", broken_export)
    with pytest.raises(OSError):
        bulk_job_run(job_id=job.pk)

    (entry,) = AuditEntry.objects.filter(action=AuditAction.BULK_JOB_FINISHED)
    assert entry.details["status"] == "failed" and entry.details["created_rows"] == 1
    assert "unexpected error (OSError)" in entry.details["failure_reason"]
