"""The audit CSV export streams from a server-side cursor in chunks: a StreamingHttpResponse, every
filtered entry once, newest first, across chunk boundaries, secrets masked as they were recorded."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from audit import views
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import SECRET_MASK, audit_record, settings_changes
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def export_rows(client: Client, **params: str) -> tuple[list[bytes], list[list[str]]]:
    response = client.get("/audit/export.csv", params)
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response)
    return chunks, list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def test_it_streams_every_entry_once_newest_first_in_chunks(monkeypatch, admin_user):
    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    actor = Actor.for_user(admin_user)
    for n in range(5):
        audit_record(actor=actor, action=AuditAction.OTP_VIEWED, target_username=f"user{n}")
    audit_record(actor=actor, action=AuditAction.OTP_RESET, target_username="other")
    chunks, rows = export_rows(client_for(admin_user), action="otp_viewed")
    assert [r[4] for r in rows[1:]] == ["user4", "user3", "user2", "user1", "user0"]
    assert len(chunks) == 1 + 3  # the header, then chunks of two rows and the rest


def test_it_exports_a_settings_change_with_its_secret_masked(admin_user):
    changes = settings_changes(old={"api_token": "old-secret-value", "sender_label": "A"},
                               new={"api_token": "new-secret-value", "sender_label": "B"})
    audit_record(actor=Actor.for_user(admin_user), action=AuditAction.SETTINGS_CHANGED,
                 details={"settings": "sms", "changes": changes})
    _chunks, rows = export_rows(client_for(admin_user))
    body = "\n".join(",".join(r) for r in rows)
    assert "secret-value" not in body
    details = [r[6] for r in rows[1:] if r[2] == "settings_changed"]
    assert details == [f'{{"changes": {{"api_token": ["{SECRET_MASK}", "{SECRET_MASK}"], '
                       f'"sender_label": ["A", "B"]}}, "settings": "sms"}}']


def test_a_date_that_is_no_day_is_ignored_not_an_error(admin_user):
    audit_record(actor=Actor.for_user(admin_user), action=AuditAction.OTP_VIEWED, target_username="alice")
    client = client_for(admin_user)
    for bad in ("2024-02-30", "9999-12-31", "0001-01-01"):
        assert client.get("/audit/", {"date_from": bad, "date_to": bad}).status_code == 200
        _chunks, rows = export_rows(client, date_to=bad)
        assert [r[4] for r in rows[1:]] == ["alice"]
