"""A bulk job's events: one enrollment.created per created row, written with the batch (one COPY per
batch, after one read of the subscribers), and one bulk_job.finished; with no subscriber a batch pays
one read and writes nothing."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from provisioning.bulk.run import bulk_job_run
from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for
from tests.provisioning.bulk_support import uploaded
from webhooks.models import Delivery, Event

pytestmark = [pytest.mark.django_db]


def started(helpdesk_user: User, rows: int) -> BulkJob:
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username", "mobile"]] + [[f"user{i}", "+491712345678"] for i in range(rows)])
    client.post(f"/devices/pending/bulk/{job.pk}/start/")  # queued; the worker runs it below
    return job


@pytest.mark.smoke
def test_each_created_row_sends_enrollment_created_and_the_job_bulk_job_finished(
        helpdesk_user, licences, settings, make_endpoint):
    settings.BULK_BATCH_SIZE = 2
    make_endpoint(events=[Event.ENROLLMENT_CREATED, Event.BULK_JOB_FINISHED])
    make_endpoint(events=[Event.BULK_JOB_FINISHED], path="/jobs", name="Jobs")
    job = started(helpdesk_user, 3)

    bulk_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == BulkJobStatus.COMPLETED
    created = [json.loads(d.payload)["data"] for d in Delivery.objects.filter(event="enrollment.created")
               .order_by("id")]
    enrollments = list(PendingEnrollment.objects.filter(bulk_job_id=job.pk).order_by("bulk_row"))
    assert [(c["token"], c["username"], c["source"], c["bulk_job_id"]) for c in created] == [
        (e.token, e.username, "bulk", job.pk) for e in enrollments]
    finished = [json.loads(d.payload)["data"] for d in Delivery.objects.filter(event="bulk_job.finished")]
    assert len(finished) == 2 and {f["created_rows"] for f in finished} == {3}
    assert finished[0]["status"] == "completed" and finished[0]["bulk_job_id"] == job.pk
    otps = [unseal(e.otp_ciphertext) for e in enrollments]
    for delivery in Delivery.objects.all():
        assert not any(otp in delivery.payload for otp in otps)


def test_with_no_subscriber_each_batch_reads_the_endpoints_once_and_writes_no_delivery(
        helpdesk_user, licences, settings, make_endpoint):
    settings.BULK_BATCH_SIZE = 2
    make_endpoint(events=[Event.DEVICE_ENROLLED])
    job = started(helpdesk_user, 5)

    with CaptureQueriesContext(connection) as ctx:
        bulk_job_run(job_id=job.pk)

    reads = [q["sql"] for q in ctx.captured_queries if '"webhooks_endpoint"' in q["sql"]]
    assert len(reads) == 3 + 1  # three batches, and the finished job's probe
    assert not Delivery.objects.exists()
