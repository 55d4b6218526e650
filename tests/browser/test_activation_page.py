"""In the browser: the activation page on an Android and on an iPhone user agent ends with a Device."""

import pytest

from enrollment.models import Device, PendingEnrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


AGENTS = {
    "android": ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36", "Android", "Pixel 8", "14"),
    "ios": ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.4 Mobile/15E148 Safari/604.1", "iOS/iPadOS", "iPhone", "17.4"),
}


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_a_device_enrolls_on_the_activation_page(live_server, browser, make_pending, platform):
    user_agent, label, model, os_version = AGENTS[platform]
    made = make_pending("alice", ownership="personal")
    context = browser.new_context(user_agent=user_agent)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/enroll/{made.enrollment.token}/")
        assert page.get_by_role("heading", level=2).first.inner_text().startswith(label)
        assert page.get_by_label("Your device", exact=True).input_value() == platform
        assert page.get_by_label("Model").input_value() == model
        assert page.get_by_label("OS version").input_value() == os_version
        page.get_by_label("OTP").fill("wrong")
        page.get_by_label("Serial number").fill(f"SN-{platform}")
        page.get_by_role("button", name="Enroll this device").click()
        page.get_by_text("4 attempts left").first.wait_for()
        # On a phone the error is on the first screen and has the focus.
        assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
        summary_top = page.get_by_test_id("error-summary").bounding_box()["y"]
        assert summary_top < page.viewport_size["height"]
        page.get_by_label("OTP").fill(made.otp)
        page.get_by_role("button", name="Enroll this device").click()
        page.get_by_role("heading", name="Device enrolled").wait_for()
        device_id = page.get_by_test_id("device-id").inner_text()
    finally:
        context.close()

    device = Device.objects.get()
    assert str(device.public_id) == device_id
    assert (device.platform, device.model, device.os_version, device.serial_number, device.ownership) == (
        platform, model, os_version, f"SN-{platform}", "personal")
    assert not PendingEnrollment.objects.exists()
