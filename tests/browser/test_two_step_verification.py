"""In the browser: an Administrator without a second factor signs in, is sent to set one up, reads the key
from the page into an authenticator (pyotp here), turns it on with the app's code, sees the recovery codes
once; signs out and in again with password and code; the Console users page shows it on."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.roles import ADMINISTRATOR
from tests.conftest import PASSWORD, make_console_user
from twofactor.models import Authenticator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sets_up_two_step_verification_and_signs_in_with_a_code(live_server, page):
    make_console_user("newadmin", ADMINISTRATOR, second_factor=False)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("newadmin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/account/two-step/setup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    # Nothing else before the set-up: the pending list sends back here.
    page.goto(f"{base}/devices/pending/")
    page.wait_for_url(f"{base}/account/two-step/setup/")

    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert pyotp.parse_uri(page.get_by_test_id("totp-uri").inner_text()).secret == secret
    app = pyotp.TOTP(secret)
    used = app.now()
    page.get_by_label("Code").fill(used)
    page.get_by_role("button", name="Turn on").click()

    page.wait_for_url(f"{base}/account/")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    expect(page.get_by_test_id("two-step-status")).to_contain_text("On since")
    page.reload()
    expect(page.get_by_test_id("recovery-codes")).to_have_count(0)
    assert Authenticator.objects.get(user__username="newadmin").confirmed_at is not None

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/login/")
    page.get_by_label("Username").fill("newadmin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/login/code/")
    page.get_by_label("Code").fill(used)  # the code used at set-up: refused
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("This code was already used. Wait for the next one in your app.")).to_be_visible()
    page.get_by_label("Code").fill(app.at(time.time() + 30))  # the next step's, within the one-step window
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/devices/pending/")

    page.goto(f"{base}/settings/users/")
    expect(page.get_by_role("row", name=re.compile("newadmin"))).to_contain_text("On")
