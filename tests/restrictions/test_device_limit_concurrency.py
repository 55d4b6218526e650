"""The per-user device limit under concurrency, on PostgreSQL: two devices of a user at the limit
redeeming at once, each with an enrollment of its own (so the enrollments' row locks do not order
them), give exactly one device; and two devices with one listed identifier give exactly one."""

import json
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from enrollment.models import Device, Ownership
from enrollment.services import CreatedEnrollment
from licensing.services import licence_counts
from restrictions.models import CorporateIdentifier, IdentifierKind, RestrictionSettings
from tests.outside import concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def redeem_all(made: list[CreatedEnrollment], serials: list[str]) -> Counter[tuple[int, str]]:
    def redeem(n: int) -> tuple[int, str]:
        body = json.dumps({"token": made[n].enrollment.token, "otp": made[n].otp,
                           "device": {"platform": "android", "serial_number": serials[n]}})
        response = Client().post("/api/v1/enrollments/redeem", body, content_type="application/json")
        return response.status_code, response.json().get("rule", "")

    return Counter(concurrently(len(made), redeem))


def test_two_devices_of_a_user_at_the_limit_redeeming_at_once_give_exactly_one(make_pending, settings):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: run it with DATABASE_URL=postgres://...")
    settings.RATE_LIMIT_REDEEM = "1000/60"
    RestrictionSettings.objects.create(id=1, device_limit=3)
    Device.objects.bulk_create(Device(username="alice", platform="ios", enrollment_token=f"old-{n}", source="single")
                               for n in range(2))
    for _ in range(5):  # several rounds: a race that needs luck shows up in one of them
        made = [make_pending("alice") for _ in range(4)]
        tally = redeem_all(made, [f"SN-{made[n].enrollment.token[:6]}" for n in range(4)])
        assert tally == Counter({(201, ""): 1, (403, "device_limit"): 3}), tally
        assert Device.objects.filter(username="alice").count() == 3
        Device.objects.filter(username="alice", platform="android").delete()
    assert licence_counts().consumed == 5


def test_two_devices_with_one_listed_identifier_at_once_give_exactly_one(make_pending, settings):
    settings.RATE_LIMIT_REDEEM = "1000/60"
    RestrictionSettings.objects.create(id=1, corporate_list_required=True)
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="CORP-1")
    made = [make_pending(f"user{n}", ownership=Ownership.CORPORATE) for n in range(4)]
    tally = redeem_all(made, ["corp-1"] * 4)
    assert tally == Counter({(201, ""): 1, (403, "identifier_enrolled"): 3}), tally
    assert CorporateIdentifier.objects.get().device == Device.objects.get()
