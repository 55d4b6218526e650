"""In the browser: an end user signs in to the portal, starts an enrollment and gets link, OTP, QR."""

import pytest

from accounts.models import EndUser
from enrollment.models import PendingEnrollment, Source
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_end_user_goes_from_sign_in_to_link_otp_and_qr(live_server, page, licences):
    user = EndUser(username="eve", email="eve@example.com")
    user.set_password(PASSWORD)
    user.save()

    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/portal/")
    page.get_by_label("Mobile").fill("+49 171 2345678")
    page.get_by_label("Ownership").select_option("corporate")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{live_server.url}/portal/enrollments/**")

    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.source, enrollment.mobile, enrollment.ownership) == (Source.SELF, "+491712345678", "corporate")
    assert page.get_by_role("heading", level=1).inner_text() == "Your enrollment"
    assert page.get_by_test_id("activation-link").inner_text().endswith(f"/enroll/{enrollment.token}/")
    otp = page.get_by_test_id("otp").inner_text()
    from enrollment.otp import otp_matches

    assert otp_matches(enrollment.otp_ciphertext, otp)
    qr = page.get_by_test_id("qr")
    qr.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", qr.element_handle())


def test_the_portal_lists_only_the_users_own_enrollments_and_says_the_configured_limit(
    live_server, page, licences, make_pending, settings
):
    settings.PORTAL_MAX_PENDING_PER_USER = 2
    user = EndUser(username="eve", email="eve@example.com")
    user.set_password(PASSWORD)
    user.save()
    for source in (Source.SINGLE, Source.BULK, Source.QR):
        make_pending("eve", end_user=user, source=source)

    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/portal/")
    assert page.get_by_role("heading", name="Your pending enrollments").count() == 0
    for _ in range(2):
        page.get_by_role("button", name="Start").click()
        page.wait_for_url(f"{live_server.url}/portal/enrollments/**")
        page.goto(f"{live_server.url}/portal/")
    assert page.get_by_role("link", name="Show link, OTP and QR code").count() == 2

    page.get_by_role("button", name="Start").click()

    page.get_by_role("alert").get_by_text("You can have at most 2 pending enrollments here, and you have 2.").wait_for()
    assert PendingEnrollment.objects.filter(username="eve", source=Source.SELF).count() == 2
