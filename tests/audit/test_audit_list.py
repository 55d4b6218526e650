import csv
import io
import re

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(admin_user, helpdesk_user):
    audit_record(actor=Actor.for_user(admin_user), action=AuditAction.OTP_VIEWED, enrollment_token="abc" + "x" * 29,
                 target_username="alice")
    audit_record(actor=Actor.for_user(helpdesk_user), action=AuditAction.OTP_RESET, enrollment_token="def" + "y" * 29,
                 target_username="bob")
    audit_record(actor=Actor.for_user(helpdesk_user), action=AuditAction.ENROLLMENT_DELETED,
                 target_username="=HYPERLINK(\"http://evil\")", details={"note": "+danger"})


def _rows(client: Client, **params: str) -> list[tuple[str, str, str]]:
    return [(e.actor_name, e.action, e.target_username) for e in client.get("/audit/", params).context["page"]]


@pytest.mark.smoke
def test_the_audit_page_lists_entries_newest_first(entries, super_helpdesk_user):
    rows = _rows(client_for(super_helpdesk_user))
    assert [r[1] for r in rows] == ["enrollment_deleted", "otp_reset", "otp_viewed"]


def test_the_audit_page_filters_by_actor_action_username_token_and_date(entries, admin_user):
    from django.utils import timezone

    client = client_for(admin_user)
    assert _rows(client, actor="ad") == [("ada", "otp_viewed", "alice")]
    assert _rows(client, action="otp_reset") == [("hal", "otp_reset", "bob")]
    assert _rows(client, q="bo") == [("hal", "otp_reset", "bob")]
    assert _rows(client, q="abc") == [("ada", "otp_viewed", "alice")]
    today = timezone.now().date().isoformat()
    assert len(_rows(client, date_from=today, date_to=today)) == 3
    assert _rows(client, date_to="2000-01-01") == []
    assert len(_rows(client, action="not-an-action", date_from="garbage")) == 3


@pytest.mark.smoke
def test_the_export_is_utf8_csv_with_a_bom_and_escapes_formulas(entries, admin_user):
    response = client_for(admin_user).get("/audit/export.csv", {"actor": "hal"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    assert isinstance(response, StreamingHttpResponse)
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["time", "actor", "action", "enrollment_token", "username", "ip", "details"]
    assert [(r[1], r[2]) for r in rows[1:]] == [("hal", "enrollment_deleted"), ("hal", "otp_reset")]
    deleted = rows[1]
    assert deleted[4] == "'=HYPERLINK(\"http://evil\")"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_details_read_as_labelled_fields_on_the_page_and_as_json_in_the_export(admin_user):
    import json

    audit_record(actor=Actor.for_user(admin_user), action=AuditAction.USER_PROVISIONED, target_username="eve",
                 details={"authorizer": "ada", "end_user_created": True, "changed": ["email", "mobile"],
                          "previous_state": "locked"})
    client = client_for(admin_user)

    html = client.get("/audit/").content.decode()
    streamed = client.get("/audit/export.csv")
    assert isinstance(streamed, StreamingHttpResponse)
    export = streamed.getvalue().decode("utf-8-sig")

    assert "<dt>Authorizer</dt><dd>ada</dd>" in html
    assert "<dt>End user created</dt><dd>yes</dd>" in html
    assert "<dt>Changed</dt><dd>email, mobile</dd>" in html
    assert "<dt>Previous state</dt><dd>locked</dd>" in html
    assert "{&#x27;" not in html and "{'" not in html
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</td>", html)  # times say their zone
    details = list(csv.reader(io.StringIO(export)))[1][6]
    assert json.loads(details) == {"authorizer": "ada", "changed": ["email", "mobile"], "end_user_created": True,
                                   "previous_state": "locked"}
