"""Many devices redeeming one enrollment at once (PostgreSQL row locks): exactly as many devices
as uses, and the licence invariant holds."""

import json
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, PendingEnrollment
from licensing.services import licence_counts
from tests.outside import concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS, USES = 50, 10


def test_fifty_simultaneous_redemptions_of_ten_uses_give_exactly_ten_devices(make_pending, licences, settings):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: run it with DATABASE_URL=postgres://...")
    settings.RATE_LIMIT_REDEEM = "1000/60"
    licences(USES)
    made = make_pending("alice", usage_count=USES)
    assert licence_counts().remaining == 0

    def redeem(n: int) -> tuple[int, str]:
        body = json.dumps({"token": made.enrollment.token, "otp": made.otp,
                           "device": {"platform": "android", "serial_number": f"SN-{n}"}})
        response = Client().post("/api/v1/enrollments/redeem", body, content_type="application/json")
        return response.status_code, response.json().get("error", "")

    answers = concurrently(CLIENTS, redeem)

    tally = Counter(answers)
    assert tally[(201, "")] == USES
    assert sum(count for (status, _), count in tally.items() if status in (404, 410)) == CLIENTS - USES
    assert set(tally) <= {(201, ""), (410, "used_up"), (404, "unknown")}
    assert Device.objects.count() == USES
    assert len(set(Device.objects.values_list("serial_number", flat=True))) == USES
    assert not PendingEnrollment.objects.exists()
    counts = licence_counts()
    assert (counts.total, counts.reserved, counts.consumed) == (USES, 0, USES)
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_ENROLLED).count() == USES
    assert AuditEntry.objects.filter(action=AuditAction.REDEEM_REFUSED).count() == CLIENTS - USES
