"""On PostgreSQL the database itself refuses to change audit entries. Not in the SQLite smoke run."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditentry SET action = 'otp_reset' WHERE id = %s",
    "DELETE FROM audit_auditentry WHERE id = %s",
])
def test_the_trigger_refuses_a_raw_update_or_delete(statement):
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    entry = audit_record(actor=Actor.system("tests"), action=AuditAction.OTP_VIEWED, target_username="alice")
    with pytest.raises(DatabaseError, match="audit entries are append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM audit_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone() == ("otp_viewed",)
