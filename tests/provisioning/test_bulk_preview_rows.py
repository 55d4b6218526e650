"""The bulk preview shows the first rows exactly as they were read, and the sample file offered
on the upload page uploads cleanly."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import client_for
from tests.provisioning.bulk_support import csv_bytes, uploaded

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "static" / "samples" / "bulk-users-sample.csv"


def test_the_preview_shows_the_first_ten_rows_as_read(helpdesk_user, licences):
    rows = [["Username", "First_Name", "Email"]] + [[f"user{n}", "José", f"u{n}@example.com"] for n in range(12)]
    client = client_for(helpdesk_user)
    job = uploaded(client, csv_bytes(rows, encoding="cp1252", delimiter=";"))

    page = client.get(f"/devices/pending/bulk/{job.pk}/")

    assert [row for row, _ in page.context["first_rows"]] == list(range(2, 12))
    assert page.context["first_columns"] == ["username", "first_name", "email"]
    assert page.context["first_rows"][0][1] == ["user0", "José", "u0@example.com"]
    html = page.content.decode()
    assert 'data-testid="first-rows"' in html and "<td>José</td>" in html and "user10" not in html


def test_the_sample_file_is_offered_and_uploads_without_a_problem(helpdesk_user, licences):
    client = client_for(helpdesk_user)
    page = client.get("/devices/pending/bulk/").content.decode()
    assert 'href="/static/samples/bulk-users-sample.csv" download' in page

    job = uploaded(client, SAMPLE.read_bytes())

    assert (job.total_rows, job.valid_rows, job.error_rows) == (3, 3, 0)
    assert sorted(job.options["layout"]["columns"]) == sorted(
        ["username", "email", "mobile", "ownership", "user_type", "first_name", "last_name"])
