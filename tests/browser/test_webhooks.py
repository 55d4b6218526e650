"""In the browser: an Administrator adds a webhook in Admin > Webhooks (its signing secret shown once),
sends a test event and sees it delivered in the endpoint's log; a queued delivery's row follows it live
(htmx) until it is delivered. The receiver verifies every signature with the secret the page showed."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from playwright.sync_api import expect

from audit.models import AuditAction, AuditEntry
from tests.browser.test_delivery_log import watch_csp
from tests.webhooks.receiver import WebhookReceiver, running_receiver
from webhooks.events import payload_json
from webhooks.models import Delivery, Endpoint
from webhooks.tasks import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


def test_an_administrator_adds_a_webhook_sends_a_test_event_and_sees_it_delivered(
        live_server, sign_in, admin_user, receiver, page):
    refused = watch_csp(page)
    page = sign_in(admin_user.username)
    page.get_by_text("Admin", exact=True).click()
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="Add webhook").click()
    page.get_by_label("Name").fill("HR system")
    page.get_by_label("URL").fill(receiver.url())
    events = page.get_by_role("group", name="Events")
    events.get_by_label("Enrollment created").check()
    events.get_by_label("Device enrolled").check()
    assert page.get_by_label("Enabled").is_checked()
    page.get_by_role("button", name="Add").click()

    page.get_by_role("heading", name="Webhook HR system").wait_for()
    secret = page.get_by_test_id("secret").inner_text()
    assert secret.startswith("whsec_")
    receiver.secrets["/hooks"] = secret  # the integrator pastes it into the receiver
    page.get_by_role("button", name="Send test event").click()

    page.get_by_text("A test event was sent").wait_for()
    assert page.get_by_test_id("secret").count() == 0  # shown once
    endpoint = Endpoint.objects.get()
    test = Delivery.objects.get()
    row = page.locator(f"#delivery-{test.pk}")
    expect(row.get_by_test_id("delivery-status")).to_have_text("Delivered")
    assert "Test event" in row.inner_text() and "200" in row.inner_text()
    (got,) = receiver.received
    assert got.verified, got.problem
    assert got.payload["type"] == "webhook.test"
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_TEST_SENT).count() == 1

    # A delivery still queued (its worker has not run yet) is followed live until it is delivered.
    queued = Delivery.objects.create(endpoint=endpoint, event="device.enrolled", retry_until=test.created_at,
                                     payload=payload_json("device.enrolled", test.created_at, {"username": "alice"}))
    page.reload()
    row = page.locator(f"#delivery-{queued.pk}")
    expect(row.get_by_test_id("delivery-status")).to_have_text("Queued")
    expect(row).to_have_attribute("hx-trigger", f"every {settings.LIVE_POLL_MS}ms")
    assert deliver(delivery_ids=[queued.pk]) == 1
    expect(row.get_by_test_id("delivery-status")).to_have_text("Delivered", timeout=10_000)
    expect(page.locator(f"#delivery-{queued.pk}[hx-get]")).to_have_count(0)
    assert [r.verified for r in receiver.received] == [True, True]
    assert page.evaluate("window.__cspViolations") == [] and refused == []
