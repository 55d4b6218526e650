"""Authorization: Bearer <key>: a missing, wrong, expired or revoked key is 401, a missing scope 403,
too many calls 429 with Retry-After, all in the redeem API's error shape; every call is audited with
the key's name; the key's last use is written at most once a minute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from integrations.models import ApiKey
from integrations.services import api_key_revoke
from tests.integrations.conftest import Api

pytestmark = pytest.mark.django_db

TOKEN = "A" * 32
# (method, path, the scope it needs, a body)
OPERATIONS = [
    ("post", "/api/v1/enrollments", "enrollments:write", {"username": "mila", "email": "mila@example.com"}),
    ("get", "/api/v1/enrollments", "enrollments:read", None),
    ("get", f"/api/v1/enrollments/{TOKEN}", "enrollments:read", None),
    ("post", f"/api/v1/enrollments/{TOKEN}/reset-otp", "enrollments:write", None),
    ("delete", f"/api/v1/enrollments/{TOKEN}", "enrollments:write", None),
    ("get", "/api/v1/devices", "devices:read", None),
]
IDS = [f"{method.upper()} {path}" for method, path, _, _ in OPERATIONS]


def call(client: Api, method: str, path: str, body: object = None):  # type: ignore[no-untyped-def]
    if method == "post":
        return client.post(path, body)
    return getattr(client, method)(path)


def error_of(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error", "detail", "attempts_left"} and body["attempts_left"] is None and body["detail"]
    assert response["Content-Type"] == "application/json; charset=utf-8" and response["Cache-Control"] == "no-store"
    return response.status_code, body["error"]


@pytest.mark.parametrize(("method", "path", "scope", "body"), OPERATIONS, ids=IDS)
def test_every_operation_refuses_a_missing_or_wrong_key(api, method, path, scope, body):
    refusals = [
        call(api(key=None), method, path, body),
        call(api(key="onr_" + "x" * 43), method, path, body),
        call(api(key="not-one-of-ours"), method, path, body),
    ]
    basic = api(key=None)
    basic.client.defaults["HTTP_AUTHORIZATION"] = "Basic dXNlcjpwYXNz"
    refusals.append(call(basic, method, path, body))

    assert [error_of(response) for response in refusals] == [(401, "unauthorized")] * 4


@pytest.mark.parametrize(("method", "path", "scope", "body"), OPERATIONS, ids=IDS)
def test_every_operation_refuses_an_expired_or_revoked_key(api, make_key, admin_user, method, path, scope, body):
    expired = make_key(expires_at=timezone.now() + timedelta(seconds=30))
    ApiKey.objects.filter(name="HR system 1").update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked = make_key()
    api_key_revoke(api_key=ApiKey.objects.get(name="HR system 2"), actor=Actor.for_user(admin_user))

    assert error_of(call(api(key=expired), method, path, body)) == (401, "key_expired")
    assert error_of(call(api(key=revoked), method, path, body)) == (401, "key_revoked")


@pytest.mark.parametrize(("method", "path", "scope", "body"), OPERATIONS, ids=IDS)
def test_every_operation_needs_its_scope_and_no_other(api, licences, method, path, scope, body):
    others = [other for other in ("enrollments:read", "enrollments:write", "devices:read") if other != scope]

    refused = call(api(*others), method, path, body)
    allowed = call(api(scope), method, path, body)

    assert error_of(refused) == (403, "missing_scope") and scope in refused.json()["detail"]
    assert allowed.status_code in (200, 201, 404)


def test_a_key_calling_too_often_gets_429_with_retry_after_and_other_keys_go_on(api, settings):
    settings.RATE_LIMIT_API = "3/60"
    busy, other = api("devices:read"), api("devices:read")

    answers = [busy.get("/api/v1/devices").status_code for _ in range(5)]
    limited = busy.get("/api/v1/devices")

    assert answers == [200, 200, 200, 429, 429]
    assert error_of(limited) == (429, "rate_limited") and 1 <= int(limited["Retry-After"]) <= 60
    assert other.get("/api/v1/devices").status_code == 200
    # A flood is audited once per window: its first refusal.
    assert AuditEntry.objects.filter(action=AuditAction.API_REFUSED, details__error="rate_limited").count() == 1


def test_refused_keys_are_counted_per_address_so_guessing_is_throttled(api, settings):
    settings.RATE_LIMIT_API = "2/60"
    guesser = api(key="onr_" + "g" * 43)

    answers = [guesser.get("/api/v1/devices").status_code for _ in range(4)]

    assert answers == [401, 401, 429, 429]
    assert AuditEntry.objects.filter(action=AuditAction.API_REFUSED).count() == 3


def test_every_call_is_audited_with_the_keys_name_and_the_services_entries_carry_it_too(api, make_key, licences):
    key = make_key(name="Workday")
    client = api(key=key)

    created = client.post("/api/v1/enrollments", {"username": "mila", "email": "mila@example.com"})
    client.get("/api/v1/enrollments", {"username": "mila"})
    api(key=None).get("/api/v1/devices")

    calls = AuditEntry.objects.filter(action__in=[AuditAction.API_CALL, AuditAction.API_REFUSED]).order_by("id")
    prefix = ApiKey.objects.get(name="Workday").prefix
    assert [(e.actor_name, e.action, e.details) for e in calls] == [
        ("api:Workday", AuditAction.API_CALL,
         {"method": "POST", "path": "/api/v1/enrollments", "status": 201, "key_prefix": prefix}),
        ("api:Workday", AuditAction.API_CALL,
         {"method": "GET", "path": "/api/v1/enrollments", "query": "username=mila", "status": 200,
          "key_prefix": prefix}),
        ("api:unknown key", AuditAction.API_REFUSED,
         {"method": "GET", "path": "/api/v1/devices", "status": 401, "error": "unauthorized"}),
    ]
    token = created.json()["token"]
    service_entries = AuditEntry.objects.filter(enrollment_token=token).exclude(action=AuditAction.API_CALL)
    assert {e.action for e in service_entries} == {AuditAction.ENROLLMENT_CREATED, AuditAction.USER_PROVISIONED}
    assert {e.actor_name for e in service_entries} == {"api:Workday"} and all(e.actor is None for e in service_entries)
    otp = created.json()["otp"]
    assert not [e for e in AuditEntry.objects.all() if key in str(e.details) or otp in str(e.details)]


def test_the_last_use_is_written_at_most_once_a_minute(api, make_key):
    client = api(key=make_key("devices:read"))
    client.get("/api/v1/devices")
    first = ApiKey.objects.get().last_used_at
    assert first is not None and ApiKey.objects.get().last_used_ip == "127.0.0.1"

    client.get("/api/v1/devices")
    assert ApiKey.objects.get().last_used_at == first

    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/v1/devices")
    later = ApiKey.objects.get().last_used_at
    assert later is not None and later > first


def test_finding_the_key_costs_no_password_hash(api, monkeypatch):
    client = api("devices:read")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a password hasher was asked")

    monkeypatch.setattr("django.contrib.auth.hashers.get_hasher", refuse)

    assert client.get("/api/v1/devices").status_code == 200
    assert api(key="onr_" + "z" * 43).get("/api/v1/devices").status_code == 401


def test_an_unknown_api_address_is_a_json_404(api):
    answers = [api(key=None).get(path) for path in ("/api/v1/", "/api/v1/widgets", "/api/v1/enrollments/A/B/C")]

    assert [(r.status_code, r.json()["error"], r["Content-Type"]) for r in answers] == [
        (404, "not_found", "application/json")] * 3


def test_an_unexpected_error_is_logged_and_answered_in_json(api, monkeypatch, caplog):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("integrations.selectors.device_page", broken)

    response = api("devices:read").get("/api/v1/devices")

    assert error_of(response) == (500, "server_error")
    assert "the database went away" not in response.content.decode()
    assert "Integration API error on GET /api/v1/devices" in caplog.text
    assert AuditEntry.objects.filter(action=AuditAction.API_REFUSED, details__status=500).exists()
