import pytest
from playwright.sync_api import expect

from accounts.models import EndUser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_adds_an_end_user_and_sees_it_in_the_list(admin_user, sign_in, live_server):
    page = sign_in(admin_user.username)
    page.get_by_text("Admin", exact=True).click()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="End users").click()
    page.get_by_role("link", name="Add end user").click()
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Email").fill("nora@example.com")
    page.get_by_label("Mobile").fill("+491712345679")
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"{live_server.url}/settings/end-users/")
    expect(page.get_by_text("End user nora saved.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="nora@example.com")
    expect(row).to_contain_text("+491712345679")
    expect(row).to_contain_text("Local")
    assert EndUser.objects.get(username="nora").check_password("a long enough passphrase")
