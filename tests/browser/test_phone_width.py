"""On a phone (390 and 360 CSS pixels wide) every portal and activation page fits the screen: no
sideways scrolling, whatever the length of the link, the token or the OTP. One journey measures each
page at both widths (the phone turned from one screen size to the other re-lays the same page out)."""

import pytest
from playwright.sync_api import Page

from accounts.models import EndUser
from enrollment.models import PendingEnrollment
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36")


def overflow(page: Page, width: int) -> int:
    """How many CSS pixels the page is wider than the phone's screen (0 when it fits). Not against
    innerWidth: a mobile browser widens its layout viewport to content that overflows."""
    return max(0, int(page.evaluate("document.documentElement.scrollWidth")) - width)


WIDTHS = (390, 360)


def test_every_portal_and_activation_page_fits_a_phone_390_and_360_wide(live_server, browser, licences,
                                                                         make_pending):
    eve = EndUser(username="eve", email="eve@example.com")
    eve.set_password(PASSWORD)
    eve.save()
    for_device = make_pending("alice", usage_count=2)
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800}, user_agent=ANDROID,
                                  is_mobile=True, has_touch=True)
    seen: dict[tuple[str, int], int] = {}
    try:
        page = context.new_page()

        def check(name: str) -> None:
            page.wait_for_load_state("load")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                seen[name, width] = overflow(page, width)
            page.set_viewport_size({"width": WIDTHS[0], "height": 800})

        page.goto(f"{live_server.url}/portal/login/")
        check("portal sign-in")
        page.get_by_label("Username").fill("eve")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        check("portal sign-in refused")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Username").fill("eve")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/portal/")
        page.get_by_role("button", name="Start").click()
        page.wait_for_url(f"{live_server.url}/portal/enrollments/**")
        check("your enrollment")
        page.goto(f"{live_server.url}/portal/")
        check("portal with its pending list")

        token = for_device.enrollment.token
        page.goto(f"{live_server.url}/enroll/{token}/")
        check("activation page")
        page.get_by_label("OTP").fill("wrong")
        page.get_by_role("button", name="Enroll this device").click()
        check("activation page with a wrong OTP")
        page.get_by_label("OTP").fill(for_device.otp)
        page.get_by_role("button", name="Enroll this device").click()
        page.get_by_role("heading", name="Device enrolled").wait_for()
        check("device enrolled")
        page.goto(f"{live_server.url}/enroll/{'x' * 32}/")
        check("unknown link")
    finally:
        context.close()

    assert PendingEnrollment.objects.filter(username="eve").count() == 1
    assert seen == dict.fromkeys(seen, 0), seen
    assert len(seen) == 8 * len(WIDTHS)


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
def test_the_portal_home_with_pending_enrollments_fits_a_phone_360_wide_in_each_language(
        live_server, browser, licences, language):
    """The pending list's headers ("Registrazione") and dates ("1. Dez. 2026, 17:31 UTC") in every language:
    on a phone the table stacks its cells, each under its column's name."""
    eve = EndUser(username="eve", email="eve@example.com")
    eve.set_password(PASSWORD)
    eve.save()
    context = browser.new_context(viewport={"width": 360, "height": 800}, user_agent=ANDROID, is_mobile=True,
                                  has_touch=True, java_script_enabled=False)
    try:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/portal/login/")
        page.locator("#id_username").fill("eve")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form.narrow button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/portal/")
        for _ in range(2):
            page.goto(f"{live_server.url}/portal/")
            page.locator("form.narrow button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/portal/enrollments/**")
        page.goto(f"{live_server.url}/portal/")
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("table tbody tr").count() == 2
        widths = {}
        for width in (360, 390):
            page.set_viewport_size({"width": width, "height": 800})
            widths[width] = overflow(page, width)
        # Each cell still says which column it is.
        first = page.locator("table tbody td").first
        assert first.get_attribute("data-label")
    finally:
        context.close()
    assert widths == {360: 0, 390: 0}, widths
