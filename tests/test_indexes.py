"""The indexes every redemption and every bulk row writes are the ones something reads: the
columns looked up only whole carry no varchar_pattern_ops ("LIKE 'x%'") twin, and the ledger's
token, never looked up, carries no index (PostgreSQL)."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_whole_value_lookups_have_a_plain_index_and_no_prefix_twin():
    device = indexes("enrollment_device")
    assert "device_username_idx" in device and "device_serial_idx" in device
    prefix = [name for name, definition in device.items() if "pattern_ops" in definition]
    # IMEI and token are searched by prefix (Devices search): only theirs remain.
    assert sorted(definition.split("(")[1].split()[0] for name, definition in device.items() if name in prefix) == [
        "enrollment_token", "imei"]
    audit = indexes("audit_auditentry")
    assert "audit_target_username_idx" in audit
    assert [d for d in audit.values() if "pattern_ops" in d and "target_username" in d] == []


def test_the_ledger_token_has_no_index():
    assert not [d for d in indexes("licensing_ledgerentry").values() if "enrollment_token" in d]
