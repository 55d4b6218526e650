"""A German-speaking end user on a phone 390 CSS pixels wide (SPEC F17): the browser asks for German, and the
portal, the enrollment's page and the activation page are German from sign-in to the enrolled device, fit the
screen, and switch to another language with one tap (no script)."""

import pytest
from playwright.sync_api import Page

from accounts.models import EndUser
from enrollment.models import Device, PendingEnrollment
from tests.browser.test_phone_width import ANDROID, overflow
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390


def test_the_portal_and_activation_page_in_german_on_a_390_px_phone(live_server, browser, licences):
    eve = EndUser(username="eve", email="eve@example.com")
    eve.set_password(PASSWORD)
    eve.save()
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, user_agent=ANDROID, is_mobile=True,
                                  has_touch=True, locale="de-DE", java_script_enabled=False)
    widths: dict[str, int] = {}
    try:
        page: Page = context.new_page()

        def seen(name: str) -> None:
            page.wait_for_load_state("load")
            assert page.locator("html").get_attribute("lang") == "de", name
            widths[name] = overflow(page, WIDTH)

        page.goto(f"{live_server.url}/portal/login/")
        page.get_by_role("heading", name="Self-Service-Portal").wait_for()
        seen("Anmeldung")
        page.get_by_label("Benutzername").fill("eve")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_role("heading", name="Gerät registrieren").wait_for()
        seen("Portal")
        page.get_by_label("Gerätebesitz").select_option(label="Persönlich")
        page.get_by_role("button", name="Starten").click()
        page.get_by_role("heading", name="Ihre Registrierung").wait_for()
        seen("Ihre Registrierung")
        assert page.get_by_text("Nächste Schritte").is_visible()
        link = page.get_by_test_id("activation-link").inner_text()
        otp = page.get_by_test_id("otp").inner_text()

        page.goto(f"{live_server.url}/enroll/{link.split('/enroll/', 1)[1]}")
        page.get_by_role("heading", name="Dieses Gerät registrieren").wait_for()
        seen("Aktivierungsseite")
        assert page.get_by_test_id("steps").inner_text().startswith("Installieren Sie die Companion-App")
        page.get_by_label("OTP").fill(otp)
        page.get_by_label("Seriennummer").fill("SN-390")
        page.get_by_role("button", name="Dieses Gerät registrieren").click()
        page.get_by_role("heading", name="Gerät registriert").wait_for()
        seen("Gerät registriert")
        assert "ist jetzt für eve registriert" in page.get_by_test_id("outcome").inner_text()

        # One tap on "Italiano" and the page comes back in Italian, and stays so.
        page.goto(f"{live_server.url}/portal/")
        page.get_by_role("button", name="Italiano").click()
        page.get_by_role("heading", name="Registra un dispositivo").wait_for()
        assert page.url == f"{live_server.url}/portal/"
        assert page.get_by_role("button", name="Italiano").get_attribute("aria-pressed") == "true"
        widths["Portale (italiano)"] = overflow(page, WIDTH)
    finally:
        context.close()

    assert widths == dict.fromkeys(widths, 0), widths
    assert Device.objects.get().serial_number == "SN-390"
    assert not PendingEnrollment.objects.filter(username="eve").exists()
