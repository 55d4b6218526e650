"""A bulk job's options hold the OTP rule itself (``OtpRule.as_json``); jobs stored before keep loading."""

import pytest

from enrollment.models import OtpContent, PendingEnrollment
from enrollment.otp import OtpRule
from lib.crypto import unseal
from provisioning.bulk.options import BulkOptions
from provisioning.models import BulkJobStatus
from tests.conftest import client_for
from tests.provisioning.bulk_support import uploaded

pytestmark = pytest.mark.django_db


def test_a_define_otp_upload_stores_the_rule_in_the_jobs_options(helpdesk_user):
    job = uploaded(client_for(helpdesk_user), [["username"], ["a"]], define_otp="on", otp_content="letters",
                   otp_length=12, otp_validity_hours=5)
    assert job.options["otp"] == {"content": "letters", "length": 12, "validity_hours": 5, "exclude_lookalikes": True}
    assert BulkOptions.from_json(job.options).otp_rule() == OtpRule(content=OtpContent.LETTERS, length=12,
                                                                    validity_hours=5)


def test_options_without_define_otp_follow_the_policy():
    assert BulkOptions.from_json({"ownership": "corporate", "otp": None}).otp_rule() == OtpRule.from_policy()


def test_a_job_in_preview_stored_before_the_change_still_runs_with_its_override(
        helpdesk_user, licences, django_capture_on_commit_callbacks):
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"], ["a"]])
    assert job.status == BulkJobStatus.PREVIEW
    # What OtpOverride wrote (dataclasses.asdict of BulkOptions).
    job.options = {**job.options, "otp": {"content": "digits", "length": 9, "validity_hours": None,
                                          "exclude_lookalikes": False}}
    job.save(update_fields=["options"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/devices/pending/bulk/{job.pk}/start/").status_code == 302
    enrollment = PendingEnrollment.objects.get(bulk_job_id=job.pk)
    assert len(unseal(enrollment.otp_ciphertext)) == 9 and unseal(enrollment.otp_ciphertext).isdigit()
    assert enrollment.otp_expires_at is None
