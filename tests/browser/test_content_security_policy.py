"""In the browser: the console, portal and activation pages run under the Content-Security-Policy
without a single violation (nothing inline is refused), and the QR form's script still works."""

import pytest
from playwright.sync_api import Page

from tests.conftest import PASSWORD
from tests.provisioning.test_qr_manage import make_qr  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any script of the page; Chromium also logs each refusal to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


class CspWatch:
    """Collects the policy violations of every page a Playwright page opens."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.logged: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: self.logged.append(message.text)
                if "Content Security Policy" in message.text else None)

    def violations(self, url: str) -> list[str]:
        """Open ``url``; what the policy refused there (empty when nothing)."""
        self.logged.clear()
        # goto returns at the load event: the page and everything it loads (scripts, styles, images) are in,
        # and none of these pages requests more after it. Each refusal is reported in a task of its own: one
        # more turn of the page's event loop lets the last ones arrive (no half-second wait for network idle).
        response = self.page.goto(url)
        assert response is not None, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.page.evaluate("() => new Promise(resolve => setTimeout(resolve))")
        return [*self.page.evaluate("window.__cspViolations"), *self.logged]


def test_the_console_pages_raise_no_policy_violation(admin_user, make_pending, make_qr, sign_in,  # noqa: F811
                                                     live_server):
    token = make_pending("alice").enrollment.token
    qr = make_qr()
    page = sign_in(admin_user.username)
    watch = CspWatch(page)
    paths = ["/devices/pending/", f"/devices/pending/{token}/", "/devices/pending/qr/",
             f"/devices/pending/qr/{qr.pk}/", "/devices/pending/bulk/", "/devices/pending/qr/new/"]

    assert {path: watch.violations(f"{live_server.url}{path}") for path in paths} == dict.fromkeys(paths, [])
    # The QR form's script (now a static file) still shows only the parts that apply.
    page.get_by_label("Self Service Portal").check()
    assert not page.get_by_label("Username", exact=True).is_visible()
    page.get_by_label("Automatic Provisioning").check()
    assert page.get_by_label("Username", exact=True).is_visible()


def test_the_portal_and_activation_pages_raise_no_policy_violation(end_user, make_pending, browser,
                                                                    live_server):
    token = make_pending("alice").enrollment.token
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = CspWatch(page)
        found = {"/portal/login/": watch.violations(f"{live_server.url}/portal/login/")}
        page.get_by_label("Username").fill(end_user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Start").click()
        page.wait_for_url(f"{live_server.url}/portal/enrollments/**")
        enrollment_path = page.url.removeprefix(live_server.url)
        found[enrollment_path] = watch.violations(page.url)
        found[f"/enroll/{token}/"] = watch.violations(f"{live_server.url}/enroll/{token}/")
    finally:
        context.close()

    assert found == dict.fromkeys(found, [])
