"""In the browser: an Administrator allows only iOS/iPadOS for Personal devices in Admin > Enrollment
restrictions; then a personal Android phone is refused on the activation page, saying why, and
nothing is consumed."""

import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, Ownership, PendingEnrollment
from restrictions.models import RestrictionSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36")


def test_a_personal_android_phone_is_refused_once_personal_allows_only_ios(live_server, browser, sign_in,
                                                                          admin_user, make_pending):
    made = make_pending("alice", ownership=Ownership.PERSONAL)

    page = sign_in(admin_user.username)
    page.get_by_text("Admin", exact=True).click()
    page.get_by_role("link", name="Enrollment restrictions").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Enrollment restrictions"
    personal = page.get_by_role("group", name="Platforms allowed for Personal")
    for platform in ("Android", "macOS", "Windows"):
        personal.get_by_label(platform).uncheck()
    assert personal.get_by_label("iOS/iPadOS").is_checked()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The enrollment restrictions were saved.").wait_for()
    rules = RestrictionSettings.objects.get()
    assert rules.platforms_personal == ["ios"] and rules.platforms_corporate == ["android", "ios", "macos", "windows"]
    assert AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED, details__settings="restrictions").exists()

    phone = browser.new_context(viewport={"width": 390, "height": 800}, user_agent=ANDROID, is_mobile=True,
                                has_touch=True)
    try:
        device = phone.new_page()
        device.goto(f"{live_server.url}/enroll/{made.enrollment.token}/")
        assert device.get_by_label("Your device", exact=True).input_value() == "android"
        device.get_by_label("OTP").fill(made.otp)
        device.get_by_label("Serial number").fill("SN-PERSONAL-1")
        device.get_by_role("button", name="Enroll this device").click()
        device.get_by_role("heading", name="This device cannot be enrolled").wait_for()
        outcome = device.get_by_test_id("outcome")
        assert outcome.get_attribute("data-rule") == "platform"
        assert outcome.inner_text().startswith("Android devices cannot be enrolled as personal devices here.")
        assert "iOS/iPadOS" in outcome.inner_text()
        # On a phone the refusal is on the first screen and the page is no wider than it.
        assert outcome.bounding_box()["y"] < 800
        assert device.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()

    assert not Device.objects.exists()
    made.enrollment.refresh_from_db()
    assert made.enrollment.uses_remaining == 1
    assert PendingEnrollment.objects.filter(pk=made.enrollment.pk).exists()
    refused = AuditEntry.objects.get(action=AuditAction.REDEEM_REFUSED)
    assert refused.details["rule"] == "platform"
