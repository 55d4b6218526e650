import pytest

from enrollment.models import OtpContent, OtpPolicy, PendingEnrollment
from enrollment.otp import otp_matches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_helpdesk_user_finds_views_resets_and_deletes_a_pending_enrollment(helpdesk_user, make_pending, sign_in):
    # 16 letters and digits: a reset repeating the old OTP is out of the question.
    OtpPolicy.objects.update_or_create(pk=1, defaults={"content": OtpContent.LETTERS_DIGITS, "length": 16})
    alice = make_pending("alice", mobile="+491712345678")
    make_pending("bob")
    token = alice.enrollment.token
    page = sign_in(helpdesk_user.username)

    page.get_by_role("searchbox", name="Search").fill("alic")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.pending tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "alice" in rows.first.inner_text() and "bob" not in page.locator("table.pending").inner_text()

    page.get_by_role("link", name="View OTP of alice").click()
    page.wait_for_url(f"**/devices/pending/{token}/")
    assert page.get_by_test_id("otp").inner_text() == alice.otp
    assert page.get_by_test_id("token").inner_text() == token
    qr = page.get_by_role("img", name="QR code of the activation link for alice")
    qr.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 0

    page.get_by_role("link", name="Reset OTP").click()
    page.get_by_role("button", name="Reset OTP").click()
    page.wait_for_url(f"**/devices/pending/{token}/")
    assert "the old one no longer works" in page.locator("main").inner_text()
    new_otp = page.get_by_test_id("otp").inner_text()
    assert len(new_otp) == 16 and new_otp != alice.otp
    assert otp_matches(PendingEnrollment.objects.get(token=token).otp_ciphertext, new_otp)

    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/devices/pending/")
    assert "The pending enrollment of alice was deleted." in page.locator("main").inner_text()
    listed = page.locator("table.pending").inner_text()
    assert "alice" not in listed and "bob" in listed
    assert not PendingEnrollment.objects.filter(token=token).exists()
