"""Fixes from the outside test of the end-user languages (SPEC F17): each finding's outcome, per language."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client, override_settings
from django.utils import translation

from enrollment.models import Device, Ownership, PendingEnrollment, Platform, Source
from restrictions.models import CorporateIdentifier, IdentifierKind
from tests.conftest import MakePending
from tests.enrollment.test_end_user_languages import english_left, page_text, portal_client, tr
from tests.restrictions.conftest import REDEEM_URL, redeem_api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("header", "expected"), [("de;q=0", "en"), ("de;q=0, fr;q=0.5", "fr"),
                                                  ("it;q=0.0, en;q=0.1", "en"), ("fr;q=0.001", "fr")])
def test_an_accept_language_entry_with_q_0_is_no_preference(header: str, expected: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=header).get("/portal/login/")
    assert f'<html lang="{expected}">'.encode() in response.content and response["Content-Language"] == expected


@pytest.mark.parametrize("target", ["/portal/../login/", "/portal/./../devices/pending/", "/enroll/../settings/",
                                    "/portal/%2e%2e/login/", "/portal/" + "a" * 17000, "/portal/..\\login/"])
def test_the_switch_refuses_a_next_outside_the_end_user_pages_or_too_long(target: str) -> None:
    response = Client().post("/portal/language/", {"language": "de", "next": target})
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_the_switch_still_returns_to_an_end_user_page_with_its_query() -> None:
    response = Client().post("/portal/language/", {"language": "de", "next": "/enroll/" + "x" * 32 + "/?a=%20"})
    assert response.status_code == 302 and response["Location"] == "/enroll/" + "x" * 32 + "/?a=%20"


# --- 1. A control character in a device field -------------------------------------------------------------------

SERIAL_TAB = {"de": "Dieses Feld enthält ein unzulässiges Steuerzeichen (Tabulator).",
              "fr": "Ce champ contient un caractère de contrôle non autorisé (tabulation).",
              "it": "Questo campo contiene un carattere di controllo non consentito (tabulazione).",
              "en": "This field contains a control character (a tab)."}


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
def test_a_tab_in_the_serial_number_shows_the_form_again_with_a_translated_error_under_it(
        make_pending: MakePending, language: str) -> None:
    made = make_pending("alice", language=language)
    response = Client().post(f"/enroll/{made.enrollment.token}/", {
        "platform": "android", "otp": made.otp, "serial_number": "AB\tCD", "model": "Pixel 8"})
    assert response.status_code == 400
    text = page_text(response.content)
    assert SERIAL_TAB[language] in text, text
    assert b'name="serial_number"' in response.content and b'data-testid="outcome"' not in response.content
    assert 'aria-invalid="true"' in response.content.decode().split('name="serial_number"')[0][-400:] + \
        response.content.decode().split('name="serial_number"')[1][:400]
    assert not Device.objects.exists()
    made.enrollment.refresh_from_db()
    assert made.enrollment.uses_remaining == 1 and made.enrollment.failed_attempts == 0


CONTROL = {"de": "enthält ein unzulässiges Steuerzeichen", "fr": "contient un caractère de contrôle non autorisé",
           "it": "contiene un carattere di controllo non consentito"}
NUL = {"de": "enthält ein NUL-Zeichen", "fr": "contient un caractère NUL", "it": "contiene un carattere NUL"}
TAB = {"de": "Tabulator", "fr": "tabulation", "it": "tabulazione"}


@pytest.mark.parametrize(("body", "expected"), [
    ({"token": "a\x00b", "otp": "x"}, {code: f"token {NUL[code]}." for code in NUL}),
    ({"model": "Pix\x00el"}, {code: f"device.model {NUL[code]}." for code in NUL}),
    ({"serial_number": "SN\u202e1"},
     {code: f"device.serial_number {CONTROL[code]} (U+202E RIGHT-TO-LEFT OVERRIDE)." for code in CONTROL}),
    ({"serial_number": "SN\t1"}, {code: f"device.serial_number {CONTROL[code]} ({TAB[code]})." for code in CONTROL}),
])
def test_the_redeem_apis_text_checks_answer_in_the_accept_language(
        make_pending: MakePending, body: dict[str, str], expected: dict[str, str]) -> None:
    made = make_pending("alice")
    device = {"platform": "android", **{k: v for k, v in body.items() if k not in ("token", "otp")}}
    payload = {"token": body.get("token", made.enrollment.token), "otp": body.get("otp", made.otp), "device": device}
    for language, detail in expected.items():
        response = Client().post(REDEEM_URL, json.dumps(payload), content_type="application/json",
                                 HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
        assert response.json()["detail"] == detail
    english = Client().post(REDEEM_URL, json.dumps(payload), content_type="application/json")
    assert english.json()["detail"].split(" ", 1)[1].startswith("contains a ")


def test_the_console_keeps_the_english_wording_of_the_text_rule() -> None:
    from lib.text import invisible_problem, text_problem

    assert text_problem("a\x00") == "contains a NUL character"
    assert invisible_problem("a\tb") == "contains a control character (a tab)"


# --- 2. Error pages on end-user paths ------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "heading", "words"), [
    ("de", "Registrierungslink ungültig", "Dieser Registrierungslink ist ungültig."),
    ("fr", None, None), ("it", "Link di registrazione non valido", None), ("en", "Enrollment link not valid",
                                                                          "Check that you opened the whole link")])
@override_settings(DEBUG=False)
def test_a_cut_off_activation_link_gets_the_translated_not_valid_page(db: None, language: str, heading: str | None,
                                                                       words: str | None) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False).get("/enroll/AAAA/")
    assert response.status_code == 404
    assert f'<html lang="{language}">'.encode() in response.content and response["Content-Language"] == language
    text = page_text(response.content)
    assert tr(language, "This enrollment link is not valid. Check that you opened the whole link, or ask your "
              "helpdesk for a new one.") in text
    assert tr(language, "Enrollment link not valid") in text and "Not Found" not in text
    if heading:
        assert heading in text
    if words:
        assert words in text
    assert 'action="/portal/language/"' in response.content.decode()  # the end-user look, with the switch
    if language != "en":
        assert english_left(response.content, language) == []


@pytest.mark.parametrize("language", ["de", "fr", "it"])
@override_settings(DEBUG=False)
def test_an_unknown_portal_page_gets_a_translated_404_with_a_way_back(db: None, language: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/portal/nothing/")
    assert response.status_code == 404 and f'<html lang="{language}">'.encode() in response.content
    text = page_text(response.content)
    assert tr(language, "Page not found") in text and tr(language, "Page not found") != "Page not found"
    assert 'href="/portal/"' in response.content.decode()
    assert english_left(response.content, language) == []


@override_settings(DEBUG=False)
def test_the_consoles_404_stays_english(db: None) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="de").get("/devices/nothing-here/")
    assert response.status_code == 404 and b"Seite nicht gefunden" not in response.content
    assert b'lang="de"' not in response.content


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_a_server_error_on_the_portal_is_a_translated_page(db: None, language: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from enrollment import portal_views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(portal_views, "render", broken)
    response = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False).get("/portal/login/")
    assert response.status_code == 500 and tr(language, "Something went wrong") in page_text(response.content)


# --- 3. "This form has expired" ---------------------------------------------------------------------------------

EXPIRED = {"de": "Dieses Formular ist abgelaufen", "fr": "Ce formulaire a expiré", "it": "Questo modulo è scaduto",
           "en": "This form has expired"}


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
def test_the_form_expired_page_is_translated_on_end_user_pages_and_links_back(db: None, language: str) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/portal/login/", {"username": "eve", "password": "x"})
    assert response.status_code == 403 and f'<html lang="{language}">'.encode() in response.content
    text = page_text(response.content)
    assert EXPIRED[language] in text and tr(language, "Back to the page") in text
    assert 'href="/portal/login/"' in response.content.decode() and 'href="/"' not in response.content.decode()
    if language != "en":
        assert english_left(response.content, language) == []
    # The language switch's own form has no page: back to the portal.
    switched = client.post("/portal/language/", {"language": "de", "next": "/portal/login/"})
    assert switched.status_code == 403 and 'href="/portal/"' in switched.content.decode()


def test_the_consoles_form_expired_page_stays_english(db: None) -> None:
    response = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="de").post("/login/", {"username": "a"})
    assert response.status_code == 403 and b"This form has expired" in response.content
    assert b"Formular" not in response.content


# --- 5. The device-limit refusal ------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("de", "eve hat bereits 1 registriertes Gerät; erlaubt ist höchstens 1. Bitten Sie Ihren Helpdesk, ein nicht "
           "mehr verwendetes Gerät zu entfernen, und versuchen Sie es dann erneut."),
    ("fr", "eve a déjà 1 appareil enrôlé, alors que 1 seul est autorisé. Demandez à votre service d'assistance de "
           "retirer un appareil que vous n'utilisez plus, puis réessayez."),
    ("it", "eve ha già 1 dispositivo registrato, mentre ne è consentito al massimo 1. Chieda al Suo helpdesk di "
           "rimuovere un dispositivo non più in uso, quindi riprovi."),
    ("en", "eve already has 1 enrolled device, and 1 is allowed. Ask your helpdesk to remove a device that is no "
           "longer used, then try again."),
])
def test_the_device_limit_refusal_reads_well_and_names_no_console_path(end_user, restrict, language, expected):
    restrict(device_limit=1)
    Device.objects.create(username="eve", platform=Platform.ANDROID, ownership="personal", source=Source.SELF)
    text = page_text(portal_client(language, end_user).get("/portal/").content)
    assert expected in text and "Devices > Remove" not in text


@pytest.mark.parametrize(("language", "enrolled", "limit", "expected"), [
    ("de", 3, 2, "eve hat bereits 3 registrierte Geräte; erlaubt sind höchstens 2."),
    ("fr", 3, 2, "eve a déjà 3 appareils enrôlés, alors que 2 au maximum sont autorisés."),
    ("it", 3, 2, "eve ha già 3 dispositivi registrati, mentre ne sono consentiti al massimo 2."),
])
def test_the_device_limit_refusal_in_the_plural(end_user, restrict, language, enrolled, limit, expected):
    restrict(device_limit=limit)
    for n in range(enrolled):
        Device.objects.create(username="eve", platform=Platform.ANDROID, ownership="personal", source=Source.SELF,
                              serial_number=f"S{n}")
    assert expected in page_text(portal_client(language, end_user).get("/portal/").content)


# --- 6. The identifier's kind mid-sentence ----------------------------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("en", "A device with the serial number C02XK0ABCD is already enrolled."),
    ("de", "Seriennummer C02XK0ABCD"), ("fr", "numéro de série C02XK0ABCD"), ("it", "numero di serie C02XK0ABCD")])
def test_an_identifier_already_enrolled_names_its_kind_in_lower_case(make_pending, restrict, language, expected):
    restrict(corporate_list_required=True)
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="C02XK0ABCD", note="asset")
    first = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(first.enrollment.token, first.otp, serial_number="C02XK0ABCD").status_code == 201
    second = make_pending("bob", ownership=Ownership.CORPORATE)
    body = {"token": second.enrollment.token, "otp": second.otp,
            "device": {"platform": "android", "serial_number": "C02XK0ABCD"}}
    response = Client().post(REDEEM_URL, json.dumps(body), content_type="application/json",
                             HTTP_ACCEPT_LANGUAGE=language)
    assert response.json()["rule"] == "identifier_enrolled"
    detail = response.json()["detail"]
    assert expected in detail and "Serial number" not in detail and "Numéro" not in detail and "Numero" not in detail


# --- 9. Wording on the pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("de", "Scannen Sie diesen QR-Code mit dem Gerät, um den Registrierungslink zu öffnen."),
    ("fr", "Scannez ce QR-Code avec l'appareil pour ouvrir le lien d'enrôlement."),
    ("it", "Scansioni questo QR-Code con il dispositivo per aprire il link di registrazione.")])
def test_the_portal_enrollment_page_names_the_qr_code_it_asks_to_scan(end_user, licences, language, expected):
    client = portal_client(language, end_user)
    client.post("/portal/", {"mobile": "", "ownership": ""})
    enrollment = PendingEnrollment.objects.get(username="eve")
    page = client.get(f"/portal/enrollments/{enrollment.token}/")
    assert expected in page_text(page.content)


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
def test_an_ownership_not_specified_is_shown_with_the_choices_words(end_user, licences, language):
    client = portal_client(language, end_user)
    client.post("/portal/", {"mobile": "", "ownership": ""})
    enrollment = PendingEnrollment.objects.get(username="eve")
    assert enrollment.ownership == Ownership.UNKNOWN
    text = page_text(client.get(f"/portal/enrollments/{enrollment.token}/").content)
    assert tr(language, "Not specified") in text and tr(language, "Unknown") not in text


def test_the_french_rate_limit_page_says_once_the_wait_is_over() -> None:
    from django.template import Context, Template

    with translation.override("fr"):
        html_text = Template('{% load i18n %}{% blocktranslate trimmed with path="/x/" %}<a href="{{ path }}">Try again'
                             '</a> after the wait.{% endblocktranslate %}').render(Context())
    assert html_text == '<a href="/x/">Réessayez</a> une fois le délai écoulé.'


# --- 4. Short month names in the end-user date format -----------------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("de", "1. Dez. 2026, 17:31 UTC"), ("fr", "1 déc. 2026, 17:31 UTC"), ("it", "1 dic 2026, 17:31 UTC"),
    ("en", "1 Dec 2026, 17:31 UTC")])
def test_the_end_user_date_format_uses_short_month_names(language: str, expected: str) -> None:
    from notifications.rendering import format_expires

    with translation.override(language):
        assert format_expires(datetime(2026, 12, 1, 17, 31, tzinfo=UTC)) == expected
