"""Identical redemptions at once (a companion app retrying while its first request is still
running), on PostgreSQL row locks: one device, one 201, the others 200 with that device."""

import json

import pytest
from django.db import connection
from django.test import Client

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, PendingEnrollment
from licensing.services import licence_counts
from tests.outside import concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 8


def redeem_at_once(body: str) -> list[tuple[int, dict[str, object]]]:
    def redeem(_: int) -> tuple[int, dict[str, object]]:
        response = Client().post("/api/v1/enrollments/redeem", body, content_type="application/json")
        return response.status_code, response.json()

    return concurrently(CLIENTS, redeem)


@pytest.mark.parametrize("uses", [1, 3], ids=["last-use", "uses-left"])
@pytest.mark.parametrize("device", [{"platform": "android", "serial_number": "SN-1"},
                                    {"platform": "android", "imei": "490154203237518"}], ids=["serial", "imei"])
def test_identical_redemptions_at_once_create_one_device_and_answer_it_to_all(make_pending, settings, uses, device):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: run it with DATABASE_URL=postgres://...")
    settings.RATE_LIMIT_REDEEM = "1000/60"
    made = make_pending("alice", usage_count=uses)
    answers = redeem_at_once(json.dumps({"token": made.enrollment.token, "otp": made.otp, "device": device}))

    assert len(answers) == CLIENTS
    assert sorted(status for status, _ in answers) == [200] * (CLIENTS - 1) + [201]
    record = Device.objects.get()
    assert {body["device_id"] for _, body in answers} == {str(record.public_id)}
    counts = licence_counts()
    assert (counts.consumed, counts.reserved) == (1, uses - 1)
    assert PendingEnrollment.objects.filter(uses_remaining=uses - 1).count() == (1 if uses > 1 else 0)
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_ENROLLED).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.REDEEM_REPEATED).count() == CLIENTS - 1
