"""Delivery log in a browser: Re-send keeps the filters and shows the row's new state."""

import re

import pytest
from django.db import transaction

from audit.actor import Actor
from notifications.models import Message, MessageStatus
from notifications.services import notify_enrollment_created

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_re_send_returns_to_the_filtered_log_and_shows_the_message_sent(
    admin_user, make_pending, twilio, sender_label, sign_in, live_server
):
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
