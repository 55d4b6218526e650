"""Admin > Webhooks in the console: add (the secret shown once), edit, disable, rotate, delete, Send
test event, the delivery log with its live rows and Re-send; Administrators only."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from lib.crypto import unseal
from tests.conftest import client_for
from webhooks.events import event_record
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event

pytestmark = [pytest.mark.django_db]

ADD = "/settings/webhooks/new/"


def form(url: str, **extra: object) -> dict[str, object]:
    return {"name": "HR system", "url": url, "events": ["enrollment.created", "device.enrolled"], "enabled": "on",
            **extra}


@pytest.mark.smoke
def test_an_administrator_adds_a_webhook_and_sees_its_secret_once(admin_user, receiver):
    client = client_for(admin_user)
    response = client.post(ADD, form(receiver.url()))
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    assert (endpoint.name, endpoint.url, endpoint.events, endpoint.enabled) == (
        "HR system", receiver.url(), ["enrollment.created", "device.enrolled"], True)
    secret = unseal(endpoint.secret_sealed)
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret) and secret not in endpoint.secret_sealed

    page = client.get(response["Location"])
    assert secret in page.content.decode() and "no-store" in page["Cache-Control"]
    assert "shown only this once" in page.content.decode()
    assert secret not in client.get(response["Location"]).content.decode()  # once
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_CHANGED)
    assert entry.actor == admin_user and entry.details["change"] == "created"
    assert entry.details["url"] == receiver.url() and secret not in str(entry.details)


@pytest.mark.parametrize(("url", "error"), [
    ("http://hr.example.com/hook", "Use an https URL"),
    ("https://user:pw@hr.example.com/hook", "Leave the user name and password out"),
    ("ftp://hr.example.com/hook", "Enter a full URL"),
    ("hr.example.com", "Enter a full URL"),
])
def test_the_url_must_be_https_or_local_http_without_credentials(admin_user, url, error):
    response = client_for(admin_user).post(ADD, form(url))
    assert response.status_code == 200 and error in response.content.decode()
    assert not Endpoint.objects.exists()


def test_local_http_urls_are_allowed_for_testing_and_an_event_is_required(admin_user):
    client = client_for(admin_user)
    assert "Tick at least one event" in client.post(ADD, form("http://localhost:9000/h", events=[])).content.decode()
    for url in ("http://localhost:9000/h", "http://127.0.0.1/h", "http://[::1]:8080/h", "https://hr.example.com/h"):
        assert client.post(ADD, form(url)).status_code == 302, url


def test_only_administrators_see_the_menu_entry_and_the_pages(cast):
    assert 'href="/settings/webhooks/"' in client_for(cast["admin"]).get("/devices/pending/").content.decode()
    for role in ("super_helpdesk", "helpdesk"):
        client = client_for(cast[role])
        assert 'href="/settings/webhooks/"' not in client.get("/devices/pending/").content.decode()
        assert client.get("/settings/webhooks/").status_code == 403


def test_editing_to_disabled_fails_its_queued_deliveries_and_is_audited(admin_user, make_endpoint):
    endpoint = make_endpoint(events=[Event.ENROLLMENT_CREATED])
    event_record(Event.ENROLLMENT_CREATED, {"n": 1})
    response = client_for(admin_user).post(f"/settings/webhooks/{endpoint.pk}/edit/",
                                           {"name": "HR", "url": endpoint.url, "events": ["device.enrolled"]})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.events) == (False, ["device.enrolled"])
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    entry = AuditEntry.objects.filter(action=AuditAction.WEBHOOK_CHANGED).latest("id")
    assert entry.details["changes"] == {"events": [["enrollment.created"], ["device.enrolled"]],
                                        "enabled": [True, False]}
    assert entry.details["deliveries_stopped"] == 1


def test_rotating_the_secret_asks_first_then_shows_the_new_one_once(admin_user, make_endpoint):
    endpoint = make_endpoint()
    old = unseal(endpoint.secret_sealed)
    client = client_for(admin_user)
    url = f"/settings/webhooks/{endpoint.pk}/rotate-secret/"
    assert "Rotate the signing secret" in client.get(url).content.decode()
    assert unseal(Endpoint.objects.get().secret_sealed) == old
    page = client.post(url, follow=True).content.decode()
    new = unseal(Endpoint.objects.get().secret_sealed)
    assert new != old and new in page and old not in page


def test_deleting_removes_the_endpoint_and_its_log(admin_user, make_endpoint):
    endpoint = make_endpoint()
    event_record(Event.ENROLLMENT_CREATED, {"n": 1})
    client = client_for(admin_user)
    assert client.get(f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 200
    assert client.post(f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_CHANGED).latest("id").details["change"] == "deleted"


def test_send_test_event_delivers_it_and_the_log_shows_it(admin_user, make_endpoint, receiver,
                                                          django_capture_on_commit_callbacks):
    endpoint = make_endpoint()
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: the send runs after commit
        response = client.post(f"/settings/webhooks/{endpoint.pk}/test/")
    assert response.status_code == 302
    (got,) = receiver.received
    assert got.verified and got.payload["type"] == "webhook.test"
    page = client.get(response["Location"]).content.decode()
    assert "A test event was sent" in page
    delivery = Delivery.objects.get()
    row = re.search(rf'<tr id="delivery-{delivery.pk}"[^>]*>', page)
    assert row is not None and "hx-get" not in row.group(0)  # delivered: no polling
    assert "Test event" in page and ">Delivered<" in page and ">200<" in page


def test_a_row_due_soon_polls_itself_and_stops_once_delivered(admin_user, make_endpoint, settings):
    endpoint = make_endpoint()
    event_record(Event.ENROLLMENT_CREATED, {"n": 1})
    delivery = Delivery.objects.get()
    client = client_for(admin_user)
    page = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    row_url = reverse("webhooks:delivery_row", args=[delivery.pk])
    assert f'hx-get="{row_url}" hx-trigger="every {settings.LIVE_POLL_MS}ms" hx-swap="outerHTML"' in page

    Delivery.objects.update(status=DeliveryStatus.DELIVERED, attempts=1, response_code=204,
                            delivered_at=timezone.now())
    row = client.get(row_url)
    assert "no-store" in row["Cache-Control"]
    html = row.content.decode()
    assert html.strip().startswith(f'<tr id="delivery-{delivery.pk}">') and ">Delivered<" in html
    assert "Re-send" in html

    Delivery.objects.update(status=DeliveryStatus.QUEUED, next_attempt_at=timezone.now() + timedelta(hours=2))
    assert "hx-get" not in client.get(row_url).content.decode()  # a retry two hours away is not polled


def test_re_send_queues_a_failed_delivery_again_and_is_audited(admin_user, make_endpoint,
                                                               django_capture_on_commit_callbacks, receiver):
    endpoint = make_endpoint()
    event_record(Event.ENROLLMENT_CREATED, {"n": 1})
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=30, error="The receiver answered 500.")
    delivery = Delivery.objects.get()
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/webhooks/deliveries/{delivery.pk}/resend/")
    assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    assert "was queued again" in client.get(response["Location"]).content.decode()
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_RESENT).count() == 1
