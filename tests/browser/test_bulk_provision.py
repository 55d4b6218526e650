"""A helpdesk user uploads an Excel-saved CSV, reads the preview, starts the job on a real
worker, watches it finish (the Status cell polled by htmx, under the CSP without a violation) and
downloads the export."""

import csv
import io

import pytest
from playwright.sync_api import expect

from enrollment.models import PendingEnrollment
from provisioning.models import BulkJob
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.provisioning.bulk_support import bulk_workers, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_helpdesk_user_uploads_previews_runs_and_downloads_a_bulk_job(helpdesk_user, licences, sign_in,
                                                                         live_server, settings, tmp_path, page):
    licences(400)
    page.add_init_script(RECORD_VIOLATIONS)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    polls: list[str | None] = []
    page.on("request", lambda request: polls.append(request.headers.get("hx-request"))
            if request.url.endswith(("/status/", "/preview/")) else None)
    rows = [["Username", "Email", "Mobile", "Last_Name"]]
    rows += [[f"user{i:03d}", f"user{i}@example.com", "", "Müller"] for i in range(300)]
    rows += [["", "nobody@example.com", "", ""]]
    csv_file = tmp_path / "rollout.csv"
    csv_file.write_bytes(csv_bytes(rows, encoding="cp1252", delimiter=";"))
    with bulk_workers(settings, tmp_path, BULK_BATCH_SIZE="50") as start_worker:
        worker = start_worker(standby=True)  # starting up while the user signs in and uploads
        page = sign_in(helpdesk_user.username)
        page.get_by_role("link", name="Bulk Provision Users").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bulk Provision Users")
        page.get_by_label("CSV file").set_input_files(str(csv_file))
        page.get_by_label("Ownership").select_option("personal")
        page.get_by_role("button", name="Upload and preview").click()

        # No worker yet: the rows wait to be checked, and htmx polls the preview's partial. The
        # worker takes the jobs now; the preview appears in place when it is ready, and polling stops.
        expect(page.get_by_role("heading", level=1)).to_have_text("Preview: rollout.csv")
        expect(page.get_by_text("rows checked")).to_be_visible()
        expect(page.locator("[hx-get]")).to_have_count(1)
        worker.take_jobs()
        expect(page.locator(".counters")).to_contain_text("301", timeout=60_000)
        expect(page.locator("table.bulk-errors")).to_contain_text("Missing username.")
        expect(page.locator("[hx-get]")).to_have_count(0)
        page.get_by_role("button", name="Start").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Bulk Provision Users")
        job = BulkJob.objects.get()
        row = page.locator(f"tr[data-job='{job.pk}']")
        # htmx follows the job's Status cell to the end, then stops.
        expect(row).to_contain_text("Available for download", timeout=60_000)
        expect(row.locator("[hx-get]")).to_have_count(0)
        assert polls and set(polls) == {"true"}
        assert page.evaluate("window.__cspViolations") == [] and refused == []
        with page.expect_download() as info:
            row.get_by_role("link", name=f"Download the export of bulk job {job.pk}").click()
        exported = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))

    assert len(exported) == 302
    assert exported[1][:5] == ["2", "user000", "user0@example.com", "", "personal"]
    assert exported[-1][9:] == ["error", "Missing username."]
    assert PendingEnrollment.objects.filter(bulk_job_id=job.pk).count() == 300
