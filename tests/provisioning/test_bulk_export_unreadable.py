"""A bulk export built while some OTPs cannot be decrypted with the configured keys (a rotated
OTP_ENCRYPTION_KEY): the file is still written, those rows say to reset the OTP, and the log names
the row without the ciphertext."""

import csv
import logging
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from enrollment.models import PendingEnrollment
from provisioning.bulk.export import export_write
from tests.conftest import client_for
from tests.provisioning.bulk_support import uploaded
from tests.provisioning.test_bulk_run import start

pytestmark = pytest.mark.django_db


def test_an_export_lists_an_unreadable_otp_as_to_be_reset_and_keeps_the_other_rows(
        helpdesk_user, licences, django_capture_on_commit_callbacks, caplog, tmp_path):
    client = client_for(helpdesk_user)
    job = uploaded(client, [["username"], ["ann"], ["bob"]])
    # A finished job has removed its upload: keep a copy to build the export again from.
    kept = tmp_path / "upload.csv"
    shutil.copyfile(job.upload_path, kept)
    job = start(client, job, django_capture_on_commit_callbacks)
    job.upload_path = str(kept)
    foreign = Fernet(Fernet.generate_key()).encrypt(b"12345678").decode()
    PendingEnrollment.objects.filter(bulk_job_id=job.pk, username="bob").update(otp_ciphertext=foreign)
    with caplog.at_level(logging.ERROR, logger="provisioning.bulk.export"):
        path = export_write(job, not_created_reason="")
    rows = list(csv.reader(Path(path).read_text(encoding="utf-8-sig").splitlines()))
    ann, bob = rows[1], rows[2]
    assert ann[1] == "ann" and len(ann[6]) == 8 and ann[10] == ""
    assert bob[1] == "bob" and bob[6] == "" and bob[9] == "created"
    assert bob[10] == "This OTP cannot be read with the configured keys: reset it"
    [record] = [r for r in caplog.records if r.name == "provisioning.bulk.export"]
    assert record.levelno == logging.ERROR and foreign not in record.getMessage()
