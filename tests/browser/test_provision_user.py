import pyotp
import pytest

from accounts.models import EndUser
from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from tests.conftest import PASSWORD, TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_helpdesk_user_provisions_a_user_and_sees_the_otp_and_qr_code(
        helpdesk_user, admin_user, licences, sign_in):
    page = sign_in(helpdesk_user.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Provision User", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Provision User"

    page.get_by_label("Ownership").select_option("corporate")
    page.get_by_role("textbox", name="Username", exact=True).fill("mila")
    page.get_by_label("User Type").select_option("local")
    page.get_by_label("Email").fill("mila@example.com")
    page.get_by_label("Mobile").fill("0171 2345678")
    page.get_by_label("Authorizing Username").fill(admin_user.username)
    page.get_by_label("Authorizing Password").fill(PASSWORD)
    page.get_by_label("Authorizing Code").fill(pyotp.TOTP(TOTP_SECRET).now())  # the admin's authenticator app
    page.get_by_role("button", name="Provision User").click()

    page.get_by_role("heading", name="Provisioned User Details").wait_for()
    enrollment = PendingEnrollment.objects.get(username="mila")
    assert page.get_by_test_id("otp").inner_text() == unseal(enrollment.otp_ciphertext)
    assert page.get_by_test_id("token").inner_text() == enrollment.token
    assert page.get_by_test_id("mobile").inner_text() == "+491712345678"
    qr = page.get_by_role("img", name="QR code of the activation link for mila")
    qr.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert EndUser.objects.filter(username="mila", email="mila@example.com").exists()
