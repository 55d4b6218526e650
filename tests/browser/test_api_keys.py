"""In the browser: an Administrator creates an API key in Admin > API keys, sees it once (with a copy
button; a reload no longer shows it), and the key works for a program calling the API; the API's
documentation page it links to renders from static files under the Content-Security-Policy."""

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page

from enrollment.models import PendingEnrollment
from integrations.models import ApiKey
from tests.browser.test_content_security_policy import CspWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def call(url: str, key: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """What curl -H 'Authorization: Bearer <key>' [-d '<json>'] would get."""
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_administrator_creates_a_key_sees_it_once_and_it_works(live_server, sign_in, admin_user, licences,
                                                                   end_user, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page: Page = sign_in(admin_user.username)
    page.get_by_text("Admin", exact=True).click()
    page.get_by_role("link", name="API keys").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API keys"
    page.get_by_role("link", name="Create API key").click()
    page.get_by_label("Name").fill("Workday onboarding")
    page.get_by_label("enrollments:read", exact=False).check()
    page.get_by_label("enrollments:write", exact=False).check()
    page.get_by_role("button", name="Create API key").click()

    page.get_by_role("heading", name="Your new API key").wait_for()
    key = page.get_by_test_id("new-key-value").inner_text()
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == key
    assert key.startswith("onr_") and ApiKey.objects.get().prefix == key[:10]

    page.reload()
    assert page.get_by_test_id("new-key").count() == 0 and key not in page.content()
    assert page.get_by_role("cell", name=f"{key[:10]}…").is_visible()

    base = f"{live_server.url}/api/v1"
    status, created = call(f"{base}/enrollments", key, {"username": "eve", "notify": {"email": False, "sms": False}})
    assert status == 201 and PendingEnrollment.objects.get().token == created["token"]
    status, listed = call(f"{base}/enrollments?username=eve", key)
    assert status == 200 and [item["token"] for item in listed["items"]] == [created["token"]]
    status, refused = call(f"{base}/devices", key)
    assert (status, refused["error"]) == (403, "missing_scope")

    page.reload()
    assert "from 127.0.0.1" in page.get_by_role("row", name="Workday onboarding").inner_text()
    page.get_by_role("link", name="Revoke Workday onboarding").click()
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("was revoked: it no longer works.").wait_for()
    status, revoked = call(f"{base}/enrollments", key)
    assert (status, revoked["error"]) == (401, "key_revoked")

    # The documentation, linked from the list: Swagger UI from ninja's static files, under the console's CSP.
    watch = CspWatch(page)
    docs = page.get_by_role("link", name="integration API").get_attribute("href")
    at_load = watch.violations(f"{live_server.url}{docs}")
    page.get_by_text("Create a pending enrollment").first.wait_for()  # Swagger UI read the document and drew it
    assert at_load == [] and page.evaluate("window.__cspViolations") == [] and watch.logged == []
    assert page.get_by_text("/api/v1/enrollments/redeem").first.is_visible()
    assert set(page.evaluate("() => Array.from(document.scripts).map(s => new URL(s.src).origin)")) == {
        live_server.url}

