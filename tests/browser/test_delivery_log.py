"""Delivery log in a browser: Re-send keeps the filters and shows the row's new state; a queued row's
Status cell follows the message (polled by htmx) until it is sent; no CSP violation on the way."""

import re

import pytest
from django.conf import settings
from django.db import transaction
from playwright.sync_api import Page, expect

from audit.actor import Actor
from notifications.models import Message, MessageStatus
from notifications.outbox import notify_enrollment_created
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page: Page) -> list[str]:
    """Record the policy's refusals on every page ``page`` opens from now on (the list it returns)."""
    refused: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


def test_re_send_returns_to_the_filtered_log_and_shows_the_message_sent(
    admin_user, make_pending, twilio, sender_label, sign_in, live_server, page
):
    refused = watch_csp(page)
    with transaction.atomic():
        created = make_pending("eve", email="eve@example.com", mobile="+491712345678")
        notify_enrollment_created(enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user))
    Message.objects.update(status=MessageStatus.FAILED, attempts=6, error="Twilio refused the SMS (code 21211)")
    page = sign_in(admin_user.username)

    page.goto(f"{live_server.url}/notifications/")
    page.get_by_label("Channel").select_option("sms")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"channel=sms"))
    row = page.get_by_role("row").filter(has_text="+491712345678")
    assert "Failed" in row.inner_text()
    row.get_by_role("button", name="Re-send the SMS to +491712345678").click()

    page.wait_for_url(re.compile(r"/notifications/\?.*channel=sms"))
    assert page.get_by_label("Channel").input_value() == "sms"
    assert page.get_by_text("was queued again").is_visible()
    cells = page.get_by_role("row").filter(has_text="+491712345678").get_by_role("cell").all_inner_texts()
    assert cells[5:7] == ["Sent", "1"]
    assert "eve@example.com" not in page.content()
    assert twilio.wait_for(1)[0].to == "+491712345678"
    assert page.evaluate("window.__cspViolations") == [] and refused == []


def test_a_queued_rows_status_cell_follows_the_message_until_it_is_sent(
    admin_user, make_pending, twilio, sender_label, sign_in, live_server, page
):
    refused = watch_csp(page)
    with transaction.atomic():
        created = make_pending("eve", email="eve@example.com", mobile="+491712345678")
        notify_enrollment_created(enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user))
    sms = Message.objects.get(channel="sms")
    Message.objects.filter(pk=sms.pk).update(status=MessageStatus.QUEUED)
    polls: list[str | None] = []
    page.on("request", lambda request: polls.append(request.headers.get("hx-request"))
            if request.url.endswith(f"/notifications/{sms.pk}/status/") else None)
    sign_in(admin_user.username)

    page.goto(f"{live_server.url}/notifications/")
    cell = page.locator(f"#message-{sms.pk}-status")
    expect(cell).to_have_text("Queued")
    expect(cell).to_have_attribute("hx-trigger", f"every {settings.LIVE_POLL_MS}ms")
    Message.objects.filter(pk=sms.pk).update(status=MessageStatus.SENT, attempts=1)

    expect(cell).to_have_text("Sent", timeout=10_000)
    expect(page.locator(f"#message-{sms.pk}-status[hx-get]")).to_have_count(0)
    assert polls and set(polls) == {"true"}
    assert page.evaluate("window.__cspViolations") == [] and refused == []
