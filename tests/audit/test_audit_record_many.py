"""audit_record_many writes, as plain rows, the entries audit_record would write one by one."""

import pytest

from accounts.models import User
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record, audit_record_many

pytestmark = pytest.mark.django_db

FIELDS = ("actor_id", "actor_name", "action", "enrollment_token", "target_username", "ip", "user_agent", "details")


def test_the_entries_are_those_audit_record_writes(admin_user: User) -> None:
    actor = Actor(user=admin_user, name="Ada Admin", ip="192.0.2.7", user_agent="Browser/1.0")
    targets = [("t" * 70, "alice"), ("b\x00d", "bob\x00" + "x" * 200)]  # too long, and what PostgreSQL cannot store
    details = {"source": "bulk", "bulk_job": 7}
    for token, username in targets:
        audit_record(actor=actor, action=AuditAction.ENROLLMENT_CREATED, enrollment_token=token,
                     target_username=username, details=details)
    assert audit_record_many(actor=actor, action=AuditAction.ENROLLMENT_CREATED, targets=targets,
                             details=details) == 2
    entries = list(AuditEntry.objects.order_by("id").values_list(*FIELDS))
    one_by_one, many = entries[:2], entries[2:]
    assert many == one_by_one
    assert one_by_one[0][3] == "t" * 64 and one_by_one[1][3:5] == ("b\ufffdd", "bob\ufffd" + "x" * 146)
    assert all(entry.created_at is not None for entry in AuditEntry.objects.all())


def test_a_system_actor_and_no_details(db):
    audit_record_many(actor=Actor.system("bulk"), action=AuditAction.ENROLLMENT_DELETED, targets=[("a" * 32, "al")])
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_name, entry.ip, entry.user_agent, entry.details) == (
        None, "system:bulk", None, "", {})


def test_no_targets_write_nothing(admin_user: User) -> None:
    assert audit_record_many(actor=Actor.for_user(admin_user), action=AuditAction.ENROLLMENT_DELETED, targets=[]) == 0
    assert not AuditEntry.objects.exists()
