"""The licence counts on PostgreSQL come from the running tally the database keeps (LicenceTally),
and the tally always equals the sums of the rows it stands for, whoever wrote them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.actor import Actor
from enrollment.models import PendingEnrollment
from enrollment.services import pending_enrollments_delete
from licensing.models import LedgerEntry, LedgerKind, LicenceTally
from licensing.services import licence_counts

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def sums_of_the_rows() -> tuple[int, int]:
    reserved = sum(PendingEnrollment.objects.values_list("reserved_licences", flat=True))
    consumed = sum(LedgerEntry.objects.filter(kind=LedgerKind.CONSUME).values_list("quantity", flat=True))
    return reserved, consumed


def test_the_counts_read_the_tally_not_the_enrollments_or_the_ledger(make_pending):
    make_pending("eve", usage_count=3)

    with CaptureQueriesContext(connection) as queries:
        counts = licence_counts()

    (query,) = queries.captured_queries
    assert "licensing_licencetally" in query["sql"]
    assert "enrollment_pendingenrollment" not in query["sql"] and "licensing_ledgerentry" not in query["sql"]
    assert (counts.total, counts.reserved, counts.consumed) == (100, 3, 0)


def test_the_tally_follows_every_kind_of_write_to_the_rows(make_pending, admin_user, client):
    made = make_pending("eve", usage_count=3)
    first, second = made.enrollment, make_pending("bob", usage_count=2).enrollment
    assert (licence_counts().reserved, licence_counts().consumed) == sums_of_the_rows() == (5, 0)

    # A redemption: one reservation becomes consumed.
    answer = client.post("/api/v1/enrollments/redeem", content_type="application/json", data={
        "token": first.token, "otp": made.otp, "device": {"platform": "android", "serial_number": "SN-1"}})
    assert answer.status_code == 201
    assert (licence_counts().reserved, licence_counts().consumed) == sums_of_the_rows() == (4, 1)

    # A write that bypasses the services (a repair by hand, COPY of a restore) is counted too.
    PendingEnrollment.objects.filter(pk=second.pk).update(reserved_licences=7)
    assert (licence_counts().reserved, licence_counts().consumed) == sums_of_the_rows() == (9, 1)

    # Delete through the service: its reservations go.
    pending_enrollments_delete(ids=[second.pk], actor=Actor.for_user(admin_user))
    assert (licence_counts().reserved, licence_counts().consumed) == sums_of_the_rows() == (2, 1)
    assert LicenceTally.objects.count() >= 1

