"""What one redemption writes, and in how many statements: the device (with the enrollment's end
user), one consumed licence, the enrollment deleted (a message about it keeps its row) or updated,
and the audit entry, as one statement after the row lock and one read of the enrollment restrictions (the
rules and the device's corporate identifiers together), then one small read for the device.enrolled webhook
(does an enabled endpoint subscribe?), followed by the deliveries' INSERT only when one does; a first use
looks for no earlier device."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, PendingEnrollment
from lib.crypto import seal
from licensing.models import LedgerEntry, LedgerKind
from notifications.models import Channel, Message
from tests.conftest import ClientResponse
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/enrollments/redeem"


def redeem(token: str, otp: str, serial: str = "SN-1") -> ClientResponse:
    body = {"token": token, "otp": otp, "device": {"platform": "android", "serial_number": serial}}
    return Client().post(URL, json.dumps(body), content_type="application/json")


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.postgres
def test_a_redemption_is_one_locking_read_one_restrictions_read_and_one_write_statement(make_pending):
    made = make_pending("alice")
    with CaptureQueriesContext(connection) as ctx:
        assert redeem(made.enrollment.token, made.otp).status_code == 201
    # Besides the transaction's own BEGIN / COMMIT (a savepoint inside the test's transaction).
    sql = [s for s in statements(ctx) if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(sql) == 4
    assert sql[0].startswith("SELECT") and sql[0].endswith("FOR UPDATE")
    assert 'JOIN "restrictions_restrictionsettings"' in sql[1] and 'JOIN "restrictions_corporateidentifier"' in sql[1]
    assert "FOR UPDATE" not in sql[1]  # the list rules are off: nothing to lock
    assert sql[2].startswith("WITH ")
    for table in ("enrollment_device", "licensing_ledgerentry", "enrollment_pendingenrollment", "audit_auditentry"):
        assert f'INSERT INTO "{table}"' in sql[2] or f'DELETE FROM "{table}"' in sql[2]
    assert sql[3].startswith('SELECT 1 FROM "webhooks_endpoint"') and sql[3].endswith("LIMIT 1")
    assert Device.objects.count() == 1 and not PendingEnrollment.objects.exists()
    assert LedgerEntry.objects.filter(kind=LedgerKind.CONSUME, enrollment_token=made.enrollment.token).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_ENROLLED).count() == 1
    assert not Delivery.objects.exists()


@pytest.mark.postgres
def test_a_subscribed_endpoint_costs_one_more_statement_its_delivery(make_pending):
    made = make_pending("alice")
    Endpoint.objects.create(name="HR", url="https://hr.example.com/hook", secret_sealed=seal("whsec_x"),
                            events=["device.enrolled"])
    Endpoint.objects.create(name="ITSM", url="https://itsm.example.com/hook", secret_sealed=seal("whsec_y"),
                            events=["enrollment.created"])
    with CaptureQueriesContext(connection) as ctx:
        assert redeem(made.enrollment.token, made.otp).status_code == 201
    sql = [s for s in statements(ctx) if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(sql) == 5 and sql[3].startswith('SELECT 1 FROM "webhooks_endpoint"')
    assert sql[4].startswith('INSERT INTO "webhooks_delivery"') and 'FROM "webhooks_endpoint"' in sql[4]
    (delivery,) = Delivery.objects.filter(event="device.enrolled")
    assert delivery.endpoint.name == "HR"


def test_the_first_use_looks_for_no_earlier_device_and_the_second_does(make_pending):
    made = make_pending("alice", usage_count=2)
    with CaptureQueriesContext(connection) as first:
        assert redeem(made.enrollment.token, made.otp, "SN-1").status_code == 201
    with CaptureQueriesContext(connection) as second:
        assert redeem(made.enrollment.token, made.otp, "SN-2").status_code == 201
    assert not any('FROM "enrollment_device"' in sql for sql in statements(first))
    assert any('FROM "enrollment_device"' in sql for sql in statements(second))
    assert Device.objects.count() == 2 and not PendingEnrollment.objects.exists()


@pytest.mark.smoke
def test_a_message_about_the_enrollment_outlives_it_without_its_link(make_pending):
    made = make_pending("alice")
    message = Message.objects.create(channel=Channel.EMAIL, recipient="alice@example.com", body_sealed=seal("otp"),
                                     enrollment=made.enrollment, username="alice")
    assert redeem(made.enrollment.token, made.otp).status_code == 201
    message.refresh_from_db()
    assert message.enrollment_id is None and message.username == "alice"
    assert not PendingEnrollment.objects.exists()


@pytest.mark.smoke
def test_the_device_belongs_to_the_end_user_of_the_enrollment(make_pending, end_user):
    made = make_pending(end_user.username, end_user=end_user, usage_count=2)
    response = redeem(made.enrollment.token, made.otp)
    assert response.status_code == 201 and response.json()["remaining_uses"] == 1
    assert Device.objects.get().end_user == end_user
    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.uses_remaining, enrollment.reserved_licences) == (1, 1)
