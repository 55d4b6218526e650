import pytest

from accounts.models import User
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record, audit_record_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(admin_user: User) -> AuditEntry:
    return audit_record(actor=Actor.for_user(admin_user), action=AuditAction.OTP_VIEWED,
                        enrollment_token="t" * 32, target_username="alice", details={"why": "test"})


@pytest.mark.smoke
def test_an_entry_records_who_what_which_and_when(entry, admin_user):
    stored = AuditEntry.objects.get()
    assert (stored.actor, stored.actor_name, stored.action, stored.enrollment_token, stored.target_username) == (
        admin_user, "ada", "otp_viewed", "t" * 32, "alice")
    assert stored.created_at is not None and stored.details == {"why": "test"}


@pytest.mark.smoke
def test_the_model_refuses_to_change_or_delete_an_entry(entry):
    entry.action = AuditAction.OTP_RESET
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(action=AuditAction.OTP_RESET)
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == AuditAction.OTP_VIEWED


def test_many_entries_are_written_at_once(admin_user):
    written = audit_record_many(actor=Actor.for_user(admin_user), action=AuditAction.ENROLLMENT_DELETED,
                                targets=[("a" * 32, "alice"), ("b" * 32, "bob")], details={"bulk_delete": True})
    assert written == 2
    assert sorted(AuditEntry.objects.values_list("target_username", "details")) == [
        ("alice", {"bulk_delete": True}), ("bob", {"bulk_delete": True})]


def test_a_system_actor_has_no_user_and_a_system_name():
    audit_record(actor=Actor.system("expiry"), action=AuditAction.ENROLLMENT_EXPIRED)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_name, entry.ip) == (None, "system:expiry", None)
