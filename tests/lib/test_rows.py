"""lib.rows: one row inserted, locked, updated or deleted by SQL built once per model writes and reads
what the ORM does, and ``together()`` sends several writes as one statement on PostgreSQL."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, PendingEnrollment
from lib import rows
from lib.crypto import seal
from licensing.models import LedgerEntry, LedgerKind
from notifications.models import Channel, Message

pytestmark = pytest.mark.django_db


def entry(username: str = "alice") -> AuditEntry:
    return AuditEntry(actor_name="device", action=AuditAction.DEVICE_ENROLLED, enrollment_token="t" * 32,
                      target_username=username, ip="10.0.0.1", details={"device_id": "d-1", "n": [1, 2]})


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE", "WITH"))]


@pytest.mark.smoke
def test_insert_writes_what_save_writes_and_sets_the_primary_key():
    written = rows.insert(entry())
    assert written.pk is not None and not written._state.adding
    stored = AuditEntry.objects.get(pk=written.pk)
    assert (stored.actor_name, stored.action, stored.target_username, stored.ip) == (
        "device", AuditAction.DEVICE_ENROLLED, "alice", "10.0.0.1")
    assert stored.details == {"device_id": "d-1", "n": [1, 2]}
    assert stored.created_at is not None and stored.created_at == written.created_at  # auto_now_add


@pytest.mark.smoke
def test_get_for_update_reads_the_row_as_the_orm_does(make_pending):
    made = make_pending("alice", usage_count=2)
    with transaction.atomic():
        locked = rows.get_for_update(PendingEnrollment, "token", made.enrollment.token)
    orm = PendingEnrollment.objects.get(pk=made.enrollment.pk)
    assert locked is not None and not locked._state.adding
    fields = [f.attname for f in PendingEnrollment._meta.concrete_fields]
    assert {f: getattr(locked, f) for f in fields} == {f: getattr(orm, f) for f in fields}
    with transaction.atomic():
        assert rows.get_for_update(PendingEnrollment, "token", "unknown") is None


@pytest.mark.postgres
def test_get_for_update_locks_the_row():
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        rows.get_for_update(PendingEnrollment, "token", "x")
    assert any(q["sql"].endswith("FOR UPDATE") for q in ctx.captured_queries)


@pytest.mark.smoke
def test_update_writes_only_the_fields_named(make_pending):
    enrollment = make_pending("alice", usage_count=3).enrollment
    PendingEnrollment.objects.filter(pk=enrollment.pk).update(username="changed-meanwhile")
    enrollment.uses_remaining, enrollment.failed_attempts = 2, 4
    rows.update(enrollment, ["uses_remaining", "failed_attempts"])
    stored = PendingEnrollment.objects.get(pk=enrollment.pk)
    assert (stored.uses_remaining, stored.failed_attempts, stored.username) == (2, 4, "changed-meanwhile")


@pytest.mark.smoke
def test_delete_leaves_null_where_a_set_null_relation_pointed(make_pending):
    enrollment = make_pending("alice").enrollment
    message = Message.objects.create(channel=Channel.EMAIL, recipient="a@example.com", body_sealed=seal("x"),
                                     enrollment=enrollment)
    pk = enrollment.pk
    rows.delete(enrollment)
    assert enrollment.pk is None and not PendingEnrollment.objects.filter(pk=pk).exists()
    message.refresh_from_db()
    assert message.enrollment_id is None


@pytest.mark.postgres
def test_together_sends_its_writes_as_one_statement(make_pending):
    enrollment = make_pending("alice").enrollment
    message = Message.objects.create(channel=Channel.EMAIL, recipient="a@example.com", body_sealed=seal("x"),
                                     enrollment=enrollment)
    device = Device(username="alice", platform="android", serial_number="SN-1", enrollment_token=enrollment.token,
                    source=enrollment.source)
    ledger = LedgerEntry(kind=LedgerKind.CONSUME, quantity=1, enrollment_token=enrollment.token, username="alice")
    audited = entry()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        with rows.together():
            rows.insert(device)
            rows.insert(ledger)
            rows.delete(enrollment)
            rows.insert(audited)
            assert device.pk is None  # held back until the block ends
    assert len(writes(ctx)) == 1 and writes(ctx)[0].startswith("WITH")
    assert Device.objects.get(pk=device.pk).serial_number == "SN-1"
    assert LedgerEntry.objects.get(pk=ledger.pk).kind == LedgerKind.CONSUME
    assert AuditEntry.objects.get(pk=audited.pk).details == {"device_id": "d-1", "n": [1, 2]}
    assert not PendingEnrollment.objects.exists()
    message.refresh_from_db()
    assert message.enrollment_id is None


@pytest.mark.smoke
def test_together_writes_nothing_when_its_block_raises():
    with pytest.raises(RuntimeError), rows.together():
        rows.insert(entry("first"))
        raise RuntimeError("refused")
    assert not AuditEntry.objects.exists()
    with rows.together():
        rows.insert(entry("alone"))
    assert list(AuditEntry.objects.values_list("target_username", flat=True)) == ["alone"]


def test_delete_refuses_inside_together_when_the_model_needs_the_collector(admin_user):
    # accounts.User has relations that are not SET_NULL (its groups, for one): Model.delete() must run.
    with pytest.raises(RuntimeError), rows.together():
        rows.delete(admin_user)
    assert type(admin_user).objects.filter(pk=admin_user.pk).exists()


@pytest.mark.smoke
def test_select_pair_reads_both_rows_as_the_orm_does_in_one_statement(make_pending):
    first, second = make_pending("alice"), make_pending("bob")
    with CaptureQueriesContext(connection) as ctx:
        one, many = rows.select_pair(PendingEnrollment, {"token": first.enrollment.token}, Device, {"username": "x"})
    assert len(ctx.captured_queries) == 1
    assert one == PendingEnrollment.objects.get(token=first.enrollment.token) and many == []
    assert one is not None and one.otp_expires_at == first.enrollment.otp_expires_at
    devices = Device.objects.bulk_create(Device(username=name, platform="ios", enrollment_token=name[0] * 8,
                                                source="single") for name in ("bob", "carl", "bob"))
    one, many = rows.select_pair(PendingEnrollment, {"token": "unknown"}, Device, {"username": "bob"},
                                 {"username": "carl", "platform": "ios"})
    assert one is None and many == sorted(devices, key=lambda d: d.pk)
    assert many[0].enrolled_at == Device.objects.get(pk=many[0].pk).enrolled_at
    assert rows.select_pair(PendingEnrollment, {"token": second.enrollment.token}, Device)[0] is not None
