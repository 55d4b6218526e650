"""In the browser: the pages of Enrollment restrictions fit their screens whatever devices report (a
100-character serial number, model or manufacturer), and a form sent with errors puts its error summary
first and gives it the focus."""

import pytest
from playwright.sync_api import Page

from enrollment.models import Device, Ownership
from restrictions.models import CorporateIdentifier, IdentifierStatus, RestrictionSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36")
LONG = "X" * 100  # what a device may report: 100 characters, one word


def overflow(page: Page, selector: str = "html") -> int:
    """How many CSS pixels ``selector`` is wider than its box (0 when its content fits)."""
    return int(page.evaluate(f"(e => e.scrollWidth - e.clientWidth)(document.querySelector('{selector}'))"))


def test_long_identifiers_and_notes_do_not_widen_the_identifiers_list_on_a_phone(live_server, sign_in, admin_user):
    CorporateIdentifier.objects.create(kind="serial", value="SN-1", note="Laptop")
    CorporateIdentifier.objects.create(kind="serial", value="SN-2", status=IdentifierStatus.REFUSED,
                                       refused_reason="Devices made by ZTE cannot be enrolled here.")
    page = sign_in(admin_user.username)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/settings/restrictions/identifiers/")
    short = table_width(page)
    CorporateIdentifier.objects.create(kind="serial", value=LONG, note="N" * 200)
    CorporateIdentifier.objects.filter(value="SN-2").update(refused_reason="R" * 300)

    page.reload()

    assert page.get_by_text(LONG[:20]).count() and overflow(page) == 0
    assert table_width(page) == short  # the long words break in their cells
    colours = {status: page.locator(f".state-{status}").first.evaluate("e => getComputedStyle(e).backgroundColor")
               for status in ("refused", "not_contacted")}
    assert colours == {"refused": "rgb(254, 243, 242)", "not_contacted": "rgb(242, 244, 247)"}


def table_width(page: Page) -> int:
    return int(page.evaluate("document.querySelector('.table-scroll table').scrollWidth"))


def test_the_devices_list_with_long_device_facts_fits_a_laptop_screen(live_server, sign_in, admin_user):
    Device.objects.create(username="alice", platform="android", enrollment_token="t" * 32, source="single",
                          serial_number=LONG, manufacturer=LONG, model=LONG, os_version="1" * 50,
                          imei="352099001761481")
    page = sign_in(admin_user.username)
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(f"{live_server.url}/devices/")

    assert overflow(page) == 0


def test_a_refusal_quoting_a_long_manufacturer_fits_a_phone(live_server, browser, make_pending):
    RestrictionSettings.objects.create(blocked_manufacturers=LONG)
    made = make_pending("alice", ownership=Ownership.CORPORATE)
    phone = browser.new_context(viewport={"width": 390, "height": 800}, user_agent=ANDROID, is_mobile=True,
                                has_touch=True)
    try:
        device = phone.new_page()
        device.goto(f"{live_server.url}/enroll/{made.enrollment.token}/")
        device.get_by_label("OTP").fill(made.otp)
        device.get_by_label("Manufacturer").fill(LONG)
        device.get_by_role("button", name="Enroll this device").click()
        outcome = device.get_by_test_id("outcome")
        assert outcome.get_attribute("data-rule") == "manufacturer" and LONG in outcome.inner_text()
        assert overflow(device) == 0
    finally:
        phone.close()


@pytest.mark.parametrize(("path", "field", "typed"), [
    ("/settings/restrictions/", "id_min_os_android", "14 beta"),
    ("/settings/restrictions/identifiers/new/", "id_value", "352099001761482"),  # as an IMEI: its check digit fails
])
def test_a_form_with_errors_puts_its_error_summary_first_with_the_focus(live_server, sign_in, admin_user, path,
                                                                        field, typed):
    page = sign_in(admin_user.username)
    page.goto(live_server.url + path)
    if page.locator("#id_kind").count():
        page.locator("#id_kind").select_option("imei")
    page.locator(f"#{field}").fill(typed)
    page.locator("main form[method=post] button[type=submit]").click()

    summary = page.get_by_test_id("error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert summary.get_by_role("link").first.get_attribute("href") == f"#{field}"
