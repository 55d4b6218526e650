import pytest

from enrollment.models import OtpContent, OtpPolicy, PendingEnrollment
from enrollment.otp import otp_matches
from notifications.models import Message

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
    # alice has a mobile and no email address: the SMS re-send is offered, checked; email is not offered.
    assert page.get_by_label("Send the new OTP to the user by SMS").is_checked()
    assert page.get_by_label("Send the new OTP to the user by email").count() == 0
    page.get_by_role("button", name="Reset OTP").click()
    page.wait_for_url(f"**/devices/pending/{token}/")
    assert "the old one no longer works. It is on its way by SMS." in page.locator("main").inner_text()
    assert Message.objects.get().recipient == "+491712345678"
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


def test_an_admins_pending_list_keeps_tokens_on_one_line_and_the_search_hint_readable_and_deletes_every_row_at_once(
        admin_user, make_pending, sign_in):
    """One list, one sign-in: its layout first (a token on one line, the search box's hint fits), then
    Select all and Delete selected."""
    for name in ("alice", "bob", "carol"):
        make_pending(name)
    page = sign_in(admin_user.username)

    token = page.locator("table.pending code.token").first
    line_height = float(token.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || el.offsetHeight"))
    assert token.bounding_box()["height"] < 1.5 * line_height
    search = page.get_by_role("searchbox", name="Search")
    placeholder_fits = """el => {
        const style = getComputedStyle(el);
        const context = document.createElement("canvas").getContext("2d");
        context.font = style.font;
        const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return context.measureText(el.placeholder).width <= room;
    }"""
    assert search.evaluate(placeholder_fits)

    select_all = page.get_by_role("checkbox", name="Select all on this page")
    rows = page.locator('table.pending input[name="ids"]')
    select_all.check()
    assert [rows.nth(i).is_checked() for i in range(3)] == [True, True, True]
    page.get_by_role("checkbox", name="Select bob").uncheck()
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [False, True]
    page.get_by_role("checkbox", name="Select bob").check()
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [True, False]

    page.get_by_role("button", name="Delete selected").click()
    page.get_by_role("button", name="Delete 3").click()
    page.wait_for_url("**/devices/pending/")
    assert "3 pending enrollment(s) deleted." in page.locator("main").inner_text()
    assert not PendingEnrollment.objects.exists()
