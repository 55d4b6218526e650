"""Bulk jobs on a real Celery worker process (PostgreSQL + the suite's Redis): the whole path
from upload to export, and a worker killed with SIGKILL in the middle of a job."""

from collections import Counter

import pytest
from django.db.models import Sum

from enrollment.links import activation_base_url
from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from lib.spreadsheet import spreadsheet_safe
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts
from provisioning.bulk.run import bulk_jobs_requeue_stale
from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for
from tests.outside import wait_for
from tests.provisioning.bulk_support import bulk_workers, csv_bytes, export_rows, uploaded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def finished(job: BulkJob) -> bool:
    job.refresh_from_db()
    return job.status in (BulkJobStatus.COMPLETED, BulkJobStatus.FAILED)


def previewed(job: BulkJob) -> bool:
    job.refresh_from_db()
    return job.status == BulkJobStatus.PREVIEW


def test_a_job_runs_on_a_worker_from_upload_to_a_correct_export(helpdesk_user, licences, settings, tmp_path):
    client = client_for(helpdesk_user)
    rows = [
        ["Username", "E-Mail", "Mobile", "Ownership", "First_Name", "Last_Name"],
        ["mmueller", "m.mueller@example.com", "+49 171 2345678", "Personal", "Jürgen", "Müller"],
        ["jose", "", "(0171) 2345679", "", "José", "García"],
        ["=HYPERLINK()", "", "", "", "", ""],
        ["broken", "nope", "", "", "", ""],
    ]
    data = csv_bytes(rows, encoding="cp1252", delimiter=";")
    with bulk_workers(settings, tmp_path) as start_worker:
        worker = start_worker()
        job = uploaded(client, data, ownership="corporate")
        wait_for(lambda: previewed(job), timeout=90, what=f"the preview; worker log:\n{worker.log()}")
        assert (job.total_rows, job.valid_rows) == (4, 2)
        assert client.post(f"/devices/pending/bulk/{job.pk}/start/").status_code == 302
        wait_for(lambda: finished(job), timeout=90, what=f"bulk job to finish; worker log:\n{worker.log()}")
    assert job.status == BulkJobStatus.COMPLETED, job.failure_reason
    exported = export_rows(client, job)
    base = activation_base_url()
    by_row = {e.bulk_row: e for e in PendingEnrollment.objects.filter(bulk_job_id=job.pk)}
    assert sorted(row for row in by_row if row is not None) == [2, 3]

    def created(row: int, username: str, email: str, mobile: str, ownership: str) -> list[str]:
        e = by_row[row]
        # Tokens never start with a formula character, so they are never escaped.
        assert spreadsheet_safe(e.token) == e.token
        return [str(row), username, email, mobile, ownership, e.token, unseal(e.otp_ciphertext),
                e.otp_expires_at.isoformat(timespec="seconds") if e.otp_expires_at else "",
                f"{base}/enroll/{e.token}/", "created", ""]

    refused_formula = exported.pop(3)
    assert exported == [
        ["row", "username", "email", "mobile", "ownership", "token", "otp", "otp_expires_at", "activation_url",
         "status", "error"],
        # Spreadsheets show the apostrophe-escaped number as the text +491712345678.
        created(2, "mmueller", "m.mueller@example.com", "'+491712345678", "personal"),
        created(3, "jose", "", "'+491712345679", "corporate"),
        ["5", "broken", "nope", "", "", "", "", "", "", "error", "Bad email address 'nope'."],
    ]
    # A name that starts a formula is refused by the username rule, and listed escaped with its reason.
    assert refused_formula[:2] == ["4", "'=HYPERLINK()"] and refused_formula[9] == "error"
    assert "username" in refused_formula[10].lower()
    assert by_row[2].end_user is not None and by_row[2].end_user.last_name == "Müller"
    assert licence_counts().reserved == 2


@pytest.mark.slow
def test_a_worker_killed_mid_job_is_resumed_and_every_row_is_created_exactly_once(helpdesk_user, licences,
                                                                                  settings, tmp_path):
    # 20 batches of 100: the first worker is killed once it has committed some (the test's next poll, tens of
    # milliseconds), with most of the job still to do; the asserts below check it was mid-job.
    total = 2000
    licences(total + 10)
    client = client_for(helpdesk_user)
    data = csv_bytes([["username", "email"]] + [[f"user{i:05d}", f"user{i}@example.com"] for i in range(total)])
    with bulk_workers(settings, tmp_path, BULK_BATCH_SIZE="100") as start_worker:
        first = start_worker()
        second = start_worker(standby=True)  # takes the jobs once the first is killed
        job = uploaded(client, data)
        wait_for(lambda: previewed(job), timeout=90, what=f"the preview; log:\n{first.log()}")
        client.post(f"/devices/pending/bulk/{job.pk}/start/")

        def midway() -> bool:
            job.refresh_from_db()
            return 0 < job.processed_rows < total

        wait_for(midway, timeout=90, what=f"the job to be part done; log:\n{first.log()}")
        first.kill()
        job.refresh_from_db()
        assert job.status == BulkJobStatus.RUNNING
        assert 0 < PendingEnrollment.objects.filter(bulk_job_id=job.pk).count() < total

        assert bulk_jobs_requeue_stale(stale_after_seconds=0) == [job.pk]
        second.take_jobs()
        wait_for(lambda: finished(job), timeout=120, what=f"the resumed job to finish; log:\n{second.log()}")

    assert job.status == BulkJobStatus.COMPLETED, job.failure_reason
    created = PendingEnrollment.objects.filter(bulk_job_id=job.pk)
    assert created.count() == total == job.created_rows
    assert created.values("username").distinct().count() == total
    assert sorted(row or 0 for row in created.values_list("bulk_row", flat=True)) == list(range(2, total + 2))
    assert licence_counts().reserved == total
    reserved = LedgerEntry.objects.filter(kind=LedgerKind.RESERVE).aggregate(n=Sum("quantity"))["n"]
    assert reserved == total
    exported = export_rows(client, job)[1:]
    assert Counter(r[0] for r in exported) == Counter(str(n) for n in range(2, total + 2))
    assert {r[9] for r in exported} == {"created"}
    # Each line holds its enrollment's own token and OTP, whichever worker wrote it.
    stored = {str(e.bulk_row): (e.token, unseal(e.otp_ciphertext)) for e in created}
    assert all((r[5], r[6]) == stored[r[0]] for r in exported)
