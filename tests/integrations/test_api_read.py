"""GET /api/v1/enrollments (filters, cursor pages), GET /api/v1/enrollments/{token} (the OTP only with
enrollments:write, audited as OTP viewed) and GET /api/v1/devices (filters, cursor pages)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, PendingEnrollment, Platform, Source, State
from tests.integrations.conftest import Api

pytestmark = pytest.mark.django_db


def every_page(client: Api, path: str, limit: int, **filters: Any) -> list[list[str]]:
    """The tokens or device ids of each page, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        params = {**filters, "limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, params).json()
        pages.append([item.get("token") or item["device_id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


@pytest.fixture
def five(make_pending):
    """Five pending enrollments, the newest last made; eve's two, one of them locked and from bulk."""
    made = [make_pending(name).enrollment for name in ("ann", "bob", "eve", "eve", "zoe")]
    PendingEnrollment.objects.filter(pk=made[3].pk).update(state=State.LOCKED, source=Source.BULK)
    for age, enrollment in enumerate(reversed(made)):
        PendingEnrollment.objects.filter(pk=enrollment.pk).update(created_at=timezone.now() - timedelta(hours=age))
    return [enrollment.token for enrollment in made]


def test_the_list_pages_by_cursor_newest_first_without_repeating_or_skipping(api, five):
    pages = every_page(api("enrollments:read"), "/api/v1/enrollments", limit=2)

    assert pages == [[five[4], five[3]], [five[2], five[1]], [five[0]]]


def test_a_row_added_while_paging_neither_repeats_nor_shifts_the_next_page(api, five, make_pending):
    client = api("enrollments:read")
    first = client.get("/api/v1/enrollments", {"limit": 2}).json()
    make_pending("newcomer")

    second = client.get("/api/v1/enrollments", {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [item["token"] for item in second["items"]] == [five[2], five[1]]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"username": "eve"}, [3, 2]),
    ({"state": "locked"}, [3]),
    ({"source": "single"}, [4, 2, 1, 0]),
    ({"username": "eve", "state": "active"}, [2]),
    ({"created_since": "HOURS_AGO_2"}, [4, 3, 2]),
])
def test_the_list_filters_by_username_state_source_and_creation_time(api, five, filters, expected):
    if "created_since" in filters:
        filters = {"created_since": (timezone.now() - timedelta(hours=2, minutes=1)).isoformat()}

    pages = every_page(api("enrollments:read"), "/api/v1/enrollments", limit=50, **filters)

    assert pages == [[five[index] for index in expected]]


def test_the_list_shows_no_otp_and_a_bad_filter_cursor_or_parameter_is_422(api, five):
    client = api("enrollments:read")

    items = client.get("/api/v1/enrollments").json()["items"]
    bad = [("state", "gone"), ("cursor", "page-2"), ("limit", "0"), ("created_since", "yesterday"),
           ("created_since", "1700000000"), ("usernme", "eve")]
    answers = [client.get("/api/v1/enrollments", {name: value}) for name, value in bad]

    assert len(items) == 5 and all("otp" not in item for item in items)
    assert [(r.status_code, list(r.json()["fields"])) for r in answers] == [(422, [name]) for name, _ in bad]


def test_reading_one_shows_the_otp_only_with_the_write_scope_and_audits_that_view(api, make_pending):
    made = make_pending("eve")
    token = made.enrollment.token

    reader = api("enrollments:read").get(f"/api/v1/enrollments/{token}").json()
    writer = api("enrollments:read", "enrollments:write").get(f"/api/v1/enrollments/{token}").json()

    assert reader["otp"] is None and writer["otp"] == made.otp
    assert reader["token"] == writer["token"] == token and reader["username"] == "eve"
    views = AuditEntry.objects.filter(action=AuditAction.OTP_VIEWED, enrollment_token=token)
    assert [entry.actor_name for entry in views] == ["api:HR system 2"]


def test_an_unknown_or_malformed_token_is_404_or_422(api):
    client = api("enrollments:read")

    unknown = client.get(f"/api/v1/enrollments/{'B' * 32}")
    malformed = client.get("/api/v1/enrollments/not%20a%20token")

    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown")
    assert malformed.status_code == 422 and "token" in malformed.json()["fields"]


def test_the_redeem_endpoint_is_not_taken_for_a_token(api, make_pending):
    response = api("enrollments:read").get("/api/v1/enrollments/redeem")

    assert response.status_code == 405  # enrollment.api.redeem: POST only, as before


@pytest.fixture
def devices(make_pending):
    token = make_pending("eve").enrollment.token
    made = [Device.objects.create(username=name, platform=platform, enrollment_token=token, source=Source.SINGLE,
                                  enrolled_at=timezone.now() - timedelta(hours=age), serial_number=f"SN-{age}")
            for age, (name, platform) in enumerate([("eve", Platform.ANDROID), ("eve", Platform.IOS),
                                                    ("bob", Platform.ANDROID), ("ann", Platform.WINDOWS)])]
    return [str(device.public_id) for device in made]


def test_the_device_list_pages_by_cursor_and_filters_by_username_platform_and_time(api, devices):
    client = api("devices:read")

    assert every_page(client, "/api/v1/devices", limit=3) == [devices[:3], devices[3:]]
    assert every_page(client, "/api/v1/devices", limit=9, username="eve") == [devices[:2]]
    assert every_page(client, "/api/v1/devices", limit=9, platform="android") == [[devices[0], devices[2]]]
    since = (timezone.now() - timedelta(hours=1, minutes=30)).isoformat()
    assert every_page(client, "/api/v1/devices", limit=9, enrolled_since=since) == [devices[:2]]
    item = client.get("/api/v1/devices", {"username": "bob"}).json()["items"][0]
    assert (item["platform"], item["serial_number"], item["source"]) == ("android", "SN-2", "single")


def test_a_nul_in_the_query_is_refused_in_json_before_it_reaches_the_database(api):
    response = api("enrollments:read").get("/api/v1/enrollments?username=e%00ve")

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_request" and "NUL" in response.json()["detail"]
