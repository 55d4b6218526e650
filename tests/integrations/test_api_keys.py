"""Admin > API keys: an Administrator creates a key (shown once, stored only as a hash), revokes it;
the audit log records both without the key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction, AuditEntry
from integrations.keys import key_hashes, key_lookup
from integrations.models import ApiKey, KeyStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def create(admin: User, **fields: object) -> tuple[ApiKey, str]:
    console = client_for(admin)
    data = {"name": "Workday", "scopes": ["enrollments:read", "devices:read"], **fields}
    response = console.post("/settings/api-keys/new/", data)
    assert response.status_code == 302, response.content
    page = console.get("/settings/api-keys/")
    key = page.context["new_key"]
    return ApiKey.objects.get(name=data["name"]), key


@pytest.mark.smoke
def test_an_administrator_creates_a_key_that_is_shown_once_and_stored_only_as_its_hash(admin_user):
    console = client_for(admin_user)
    console.post("/settings/api-keys/new/", {"name": "Workday", "scopes": ["enrollments:read", "devices:read"]})

    first = console.get("/settings/api-keys/")
    key = first.context["new_key"]
    again = console.get("/settings/api-keys/")

    api_key = ApiKey.objects.get()
    assert key.startswith("onr_") and len(key) == 47 and key.encode() in first.content
    assert first["Cache-Control"].startswith("max-age=0") and "no-store" in first["Cache-Control"]
    assert again.context["new_key"] is None and key.encode() not in again.content
    assert api_key.key_hash == key_hashes(key)[0] and key not in str(ApiKey.objects.values().get())
    assert api_key.prefix == key[:10] and api_key.prefix.encode() in again.content
    assert api_key.scopes == ["enrollments:read", "devices:read"] and api_key.created_by == admin_user
    assert key_lookup(key) == api_key and key_lookup(key[:-1] + "x") is None


def test_creating_a_key_is_audited_without_the_key(admin_user):
    api_key, key = create(admin_user)

    entry = AuditEntry.objects.get(action=AuditAction.API_KEY_CREATED)
    assert entry.actor == admin_user
    assert entry.details == {"key": "Workday", "prefix": api_key.prefix, "scopes": ["enrollments:read", "devices:read"],
                             "expires_at": None}
    assert key not in str(AuditEntry.objects.values_list("details", flat=True))


def test_a_key_may_expire_at_the_end_of_a_chosen_day(admin_user):
    day = timezone.localdate() + timedelta(days=3)
    api_key, _ = create(admin_user, expires_on=day.isoformat())

    assert api_key.expires_at is not None and timezone.localtime(api_key.expires_at).date() == day
    assert api_key.status() == KeyStatus.ACTIVE
    assert api_key.status(now=api_key.expires_at + timedelta(seconds=1)) == KeyStatus.EXPIRED


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"scopes": []}, "scopes", "This field is required."),
    ({"expires_on": "2000-01-01"}, "expires_on", "Choose today or a later day."),
    ({"name": ""}, "name", "This field is required."),
])
def test_the_form_refuses_a_key_without_scopes_a_past_expiry_or_a_name(admin_user, fields, field, message):
    data = {"name": "Workday", "scopes": ["devices:read"], **fields}
    response = client_for(admin_user).post("/settings/api-keys/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not ApiKey.objects.exists()


def test_two_usable_keys_never_share_a_name_but_a_revoked_keys_name_is_free_again(admin_user):
    api_key, _ = create(admin_user)
    console = client_for(admin_user)

    refused = console.post("/settings/api-keys/new/", {"name": "Workday", "scopes": ["devices:read"]})
    console.post(f"/settings/api-keys/{api_key.pk}/revoke/")
    accepted = console.post("/settings/api-keys/new/", {"name": "Workday", "scopes": ["devices:read"]})

    assert "exists already" in refused.context["form"].errors["name"][0]
    assert accepted.status_code == 302 and ApiKey.objects.filter(name="Workday").count() == 2


def test_revoking_asks_first_then_the_key_stops_working_for_good(admin_user):
    api_key, key = create(admin_user)
    console = client_for(admin_user)

    confirm = console.get(f"/settings/api-keys/{api_key.pk}/revoke/")
    assert "Revoke the API key “Workday”?" in confirm.content.decode()
    assert ApiKey.objects.get().status() == KeyStatus.ACTIVE

    console.post(f"/settings/api-keys/{api_key.pk}/revoke/")
    again = console.post(f"/settings/api-keys/{api_key.pk}/revoke/", follow=True)

    api_key.refresh_from_db()
    assert key_lookup(key) == api_key and api_key.status() == KeyStatus.REVOKED
    assert api_key.revoked_by_name == admin_user.username
    assert "was revoked already" in again.content.decode()
    entries = AuditEntry.objects.filter(action=AuditAction.API_KEY_REVOKED)
    assert [(e.actor, e.details) for e in entries] == [(admin_user, {"key": "Workday", "prefix": api_key.prefix})]


def test_the_list_shows_each_keys_status_scopes_and_last_use(admin_user, make_key):
    make_key("devices:read", name="ServiceNow")
    used = ApiKey.objects.get(name="ServiceNow")
    used.last_used_at, used.last_used_ip = timezone.now(), "192.0.2.7"
    used.save()
    expired = ApiKey.objects.create(name="Old", prefix="onr_oldold", key_hash="1" * 64, scopes=["devices:read"],
                                    expires_at=timezone.now() - timedelta(days=1))

    page = client_for(admin_user).get("/settings/api-keys/").content.decode()

    assert "ServiceNow" in page and "from 192.0.2.7" in page and "<code>devices:read</code>" in page
    assert expired.prefix in page and "Expired" in page


def test_the_admin_menu_offers_api_keys_to_administrators_only(admin_user, super_helpdesk_user):
    admin_menu = client_for(admin_user).get("/settings/api-keys/").context["admin_nav"]
    other_menu = client_for(super_helpdesk_user).get("/devices/pending/").context["admin_nav"]

    assert {"label": "API keys", "url": "/settings/api-keys/", "active": True} in admin_menu
    assert "API keys" not in [item["label"] for item in other_menu]
    assert client_for(super_helpdesk_user).get("/settings/api-keys/").status_code == 403


def test_the_documentation_page_shows_the_openapi_document_from_static_files(admin_user):
    page = client_for(admin_user).get("/settings/api-keys/docs/").content.decode()

    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/js/api_docs.js" in page
    assert "//cdn" not in page and "unpkg" not in page
