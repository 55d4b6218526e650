"""lib.bulkinsert.insert_plain: rows given as plain values are stored as the instances would be."""

import pytest
from django.utils import timezone

from accounts.models import EndUser, User
from audit.models import AuditAction, AuditEntry
from lib.bulkinsert import insert_plain

pytestmark = pytest.mark.django_db


def test_plain_rows_take_defaults_auto_dates_and_shared_values() -> None:
    before = timezone.now()
    ids = insert_plain(EndUser, ("username", "email"), [("ann", "ann@example.com"), ("bo", "")],
                       constant={"last_name": "Shared"}, with_ids=True)
    users = list(EndUser.objects.order_by("id"))
    assert [u.pk for u in users] == ids
    assert [(u.username, u.email, u.last_name, u.user_type, u.is_active, u.password) for u in users] == [
        ("ann", "ann@example.com", "Shared", "local", True, ""), ("bo", "", "Shared", "local", True, "")]
    assert all(before <= u.created_at <= timezone.now() for u in users)


def test_without_ids_nothing_is_read_back_and_a_foreign_key_may_be_an_instance(admin_user: User) -> None:
    shared = {"actor": admin_user, "actor_name": "admin", "action": AuditAction.OTP_VIEWED, "details": {"a": 1}}
    assert insert_plain(AuditEntry, ("target_username",), [("x",), ("y",)], constant=shared) == []
    assert sorted(AuditEntry.objects.values_list("target_username", "actor_id", "details")) == [
        ("x", admin_user.pk, {"a": 1}), ("y", admin_user.pk, {"a": 1})]


def test_a_callable_default_is_called_for_each_row() -> None:
    insert_plain(AuditEntry, ("actor_name",), [("a",), ("b",)], constant={"action": AuditAction.LOGIN})
    assert list(AuditEntry.objects.values_list("details", flat=True)) == [{}, {}]


def test_no_rows_write_nothing() -> None:
    assert insert_plain(EndUser, ("username",), [], with_ids=True) == []
    assert not EndUser.objects.exists()


def test_json_values_are_stored_as_given() -> None:
    details = {"name": "Jürgen", "rows": [1, None, "x"], "nested": {"ok": True}}
    insert_plain(AuditEntry, ("actor_name", "details"), [("a", details), ("b", {})],
                 constant={"action": AuditAction.LOGIN})
    assert list(AuditEntry.objects.order_by("id").values_list("details", flat=True)) == [details, {}]
