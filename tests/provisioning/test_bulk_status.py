"""A bulk job's Status cell is one server partial: the list renders it and the htmx poll returns it, the
same markup, polling while the job is active and not once it has finished."""

import re

import pytest
from django.conf import settings
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from provisioning.models import BulkJob, BulkJobStatus
from tests.conftest import client_for
from tests.provisioning.bulk_support import uploaded

pytestmark = pytest.mark.django_db


def start(client: Client, job: BulkJob,
          django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> BulkJob:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/devices/pending/bulk/{job.pk}/start/").status_code == 302
    job.refresh_from_db()
    return job


def cell_in_list(client: Client, job: BulkJob) -> str:
    html = client.get("/devices/pending/bulk/").content.decode()
    found = re.search(rf'<div class="job-status" id="bulk-job-{job.pk}-status".*?</div>', html, re.DOTALL)
    assert found, html
    return found.group(0)


def cell_polled(client: Client, job: BulkJob) -> str:
    response = client.get(f"/devices/pending/bulk/{job.pk}/status/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return str(response.content.decode().strip())


def test_the_list_and_the_poll_render_the_same_cell_for_a_running_job_and_it_polls(
        helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"], ["bob"]]), django_capture_on_commit_callbacks)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJobStatus.RUNNING, processed_rows=1, export_path="")
    job.refresh_from_db()

    polled = cell_polled(client, job)
    assert polled == cell_in_list(client, job)
    assert f'hx-get="/devices/pending/bulk/{job.pk}/status/"' in polled
    assert f'hx-trigger="every {settings.LIVE_POLL_MS}ms"' in polled and 'hx-swap="outerHTML"' in polled
    assert 'value="50"' in polled and "1 / 2" in polled
    assert "Download" not in polled


def test_a_finished_jobs_cell_is_the_same_in_the_list_and_the_poll_and_stops_polling(
        helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = start(client, uploaded(client, [["username"], ["ann"], ["bob"]]), django_capture_on_commit_callbacks)

    polled = cell_polled(client, job)
    assert polled == cell_in_list(client, job)
    assert "Available for download" in polled and "2 created" in polled
    assert f'href="/devices/pending/bulk/{job.pk}/export.csv"' in polled
    assert "hx-" not in polled


def test_the_poll_needs_the_bulk_permission(cast, licences, django_capture_on_commit_callbacks):
    client = client_for(cast["helpdesk"])
    job = start(client, uploaded(client, [["username"], ["ann"]]), django_capture_on_commit_callbacks)
    url = f"/devices/pending/bulk/{job.pk}/status/"

    assert client_for(cast["outsider"]).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    assert client.post(url).status_code == 405
