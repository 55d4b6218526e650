"""Every end-user page in English, German, French and Italian (SPEC F17): the portal, the activation page and
each of its outcomes show the catalogue's translation, and no English text of the catalogue is left on them.
The language comes from Accept-Language, the language switch (its cookie) and, on the activation page, the
enrollment; the console stays English."""

import gettext
import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import EndUser
from enrollment.models import PendingEnrollment, State
from lib.languages import Language
from tests.conftest import PASSWORD, MakePending, client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 Chrome/122.0 Mobile"
TRANSLATED = [code for code in Language.values if code != "en"]


class PageText(HTMLParser):
    """What a person reads on a page: its text and the attributes a screen reader says (alt, aria-label)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value or "" for name, value in attrs if name in ("alt", "aria-label", "title", "placeholder")]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(content: bytes) -> str:
    parser = PageText()
    parser.feed(content.decode())
    return " ".join(" ".join(parser.parts).split())


def english_texts(language: str) -> list[str]:
    """The catalogue's English texts that read differently in ``language``, without placeholders (their words
    around a value are checked by the pages' own assertions)."""
    catalog = gettext.translation("django", localedir=ROOT / "locale", languages=[language])._catalog  # type: ignore[attr-defined]
    return [msgid for msgid, msgstr in catalog.items()
            if isinstance(msgid, str) and msgid and msgid != msgstr and "%(" not in msgid and "{" not in msgid
            and not msgid.startswith(("j ", "<"))]


def english_left(content: bytes, language: str) -> list[str]:
    text = page_text(content)
    return [msgid for msgid in english_texts(language)
            if re.search(rf"(?<!\w){re.escape(html.unescape(msgid))}(?!\w)", text)]


def tr(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def portal_client(language: str, end_user: EndUser) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_USER_AGENT=ANDROID)
    assert client.post("/portal/login/", {"username": end_user.username, "password": PASSWORD}).status_code == 302
    return client


def end_user_pages(language: str, end_user: EndUser, make_pending: MakePending) -> dict[str, tuple[bytes, str]]:
    """name -> (HTML, a text of the catalogue the page must show), each page as the end user meets it."""
    visitor = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_USER_AGENT=ANDROID)
    pages = {"sign-in": (visitor.get("/portal/login/").content,
                         "Sign in with your company account to enroll a device.")}
    refused = visitor.post("/portal/login/", {"username": "eve", "password": "wrong"})
    pages["sign-in refused"] = (refused.content, "The username or password is not correct.")
    portal = portal_client(language, end_user)
    started = portal.post("/portal/", {"mobile": "", "ownership": "personal"})
    assert started.status_code == 302, page_text(started.content)
    pages["your enrollment"] = (portal.get(started["Location"]).content, "Next steps")
    pages["portal with its pending list"] = (portal.get("/portal/").content, "Your pending enrollments")
    pages["portal mobile refused"] = (portal.post("/portal/", {"mobile": "abc"}).content,
                                      "“%(number)s” is not a phone number.")

    created = make_pending("alice", usage_count=2, language=language)
    link = f"/enroll/{created.enrollment.token}/"
    pages["activation page"] = (visitor.get(link).content, "Install the Companion app on this device if it is not "
                                                           "there yet, then open this link again.")
    wrong = visitor.post(link, {"platform": "android", "otp": "wrong"})
    pages["activation page with a wrong OTP"] = (wrong.content, "There is a problem")
    done = visitor.post(link, {"platform": "android", "otp": created.otp, "serial_number": "SN-1"})
    pages["device enrolled"] = (done.content, "What happens next")
    pages["unknown link"] = (visitor.get(f"/enroll/{'x' * 32}/").content, "Enrollment link not valid")
    expired = make_pending("bob", language=language)
    PendingEnrollment.objects.filter(pk=expired.enrollment.pk).update(otp_expires_at=timezone.now() - timedelta(1))
    pages["expired"] = (visitor.get(f"/enroll/{expired.enrollment.token}/").content, "This enrollment has expired")
    locked = make_pending("carol", language=language)
    PendingEnrollment.objects.filter(pk=locked.enrollment.pk).update(state=State.LOCKED)
    pages["locked"] = (visitor.get(f"/enroll/{locked.enrollment.token}/").content, "This enrollment is locked")
    return pages


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_end_user_page_is_in_the_language_and_no_english_text_is_left(
        language: str, end_user: EndUser, make_pending: MakePending) -> None:
    problems = []
    for name, (content, shown) in end_user_pages(language, end_user, make_pending).items():
        assert f'<html lang="{language}">'.encode() in content, name
        expected = tr(language, shown).replace("%(number)s", "abc")
        if expected not in html.unescape(content.decode()):
            problems.append(f"{name}: no {expected!r}")
        if left := english_left(content, language):
            problems.append(f"{name}: English left: {left}")
    assert not problems, "\n".join(problems)


def test_in_english_the_pages_show_the_english_texts(end_user: EndUser, make_pending: MakePending) -> None:
    for name, (content, shown) in end_user_pages("en", end_user, make_pending).items():
        assert b'<html lang="en">' in content, name
        assert shown.replace("%(number)s", "abc") in html.unescape(content.decode()), name


def test_the_pages_show_dates_in_the_languages_format(end_user, licences):
    client = portal_client("de", end_user)
    client.post("/portal/", {"mobile": "", "ownership": ""})
    enrollment = PendingEnrollment.objects.get(username="eve")
    expires = timezone.localtime(enrollment.otp_expires_at)
    # Short month names (a phone's width): Django's German abbreviations.
    months = {1: "Jan.", 2: "Feb.", 3: "März", 4: "April", 5: "Mai", 6: "Juni", 7: "Juli", 8: "Aug.",
              9: "Sept.", 10: "Okt.", 11: "Nov.", 12: "Dez."}
    text = page_text(client.get("/portal/").content)
    assert f"{expires.day}. {months[expires.month]} {expires.year}, {expires:%H:%M} UTC" in text


def test_the_language_comes_from_accept_language_its_first_supported_one(db: None) -> None:
    for header, expected in (("fr-CH, fr;q=0.9, en;q=0.8", "fr"), ("ja, it;q=0.5", "it"), ("de-AT", "de"),
                             ("ja", "en"), ("", "en"), ("*", "en")):
        response = Client(HTTP_ACCEPT_LANGUAGE=header).get("/portal/login/")
        assert f'<html lang="{expected}">'.encode() in response.content, header
        assert response["Content-Language"] == expected
        assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_the_console_stays_english_whatever_the_browser_asks_for(admin_user, make_pending):
    make_pending("alice")
    admin = client_for(admin_user)
    for client, path in ((Client(), "/login/"), (admin, "/devices/pending/"), (admin, "/settings/email-templates/")):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
        assert b'<html lang="en">' in response.content, path
        assert b"Skip to main content" in response.content and b"Zum Hauptinhalt" not in response.content
    # The language switch's cookie is for the end user's pages only.
    client = client_for(admin_user)
    client.cookies["django_language"] = "fr"
    assert b'<html lang="en">' in client.get("/devices/pending/").content


def test_every_end_user_page_has_the_language_switch_with_each_language_in_its_own_words(
        end_user: EndUser, make_pending: MakePending) -> None:
    for name, (content, _shown) in end_user_pages("it", end_user, make_pending).items():
        text = content.decode()
        assert 'action="/portal/language/"' in text, name
        for code, native in (("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano")):
            assert f'value="{code}" lang="{code}"' in text and f">{native}</button>" in text, name
        assert 'value="it" lang="it" class="link-button" aria-pressed="true"' in text, name


def test_the_switch_remembers_the_choice_and_returns_to_the_page(db: None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert b'<html lang="de">' in client.get("/portal/login/").content
    response = client.post("/portal/language/", {"language": "IT", "next": "/portal/login/?x=1"})
    assert response.status_code == 302 and response["Location"] == "/portal/login/?x=1"
    cookie = response.cookies["django_language"]
    assert cookie.value == "it" and cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 0
    # The choice outranks the browser's Accept-Language from now on.
    page = client.get("/portal/login/")
    assert b'<html lang="it">' in page.content and "Portale self-service" in page.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/", "/devices/pending/",
                                    "/portal/\x00", "", "javascript:alert(1)"])
def test_the_switch_returns_only_to_an_end_user_page_of_this_site(db: None, target: str) -> None:
    response = Client().post("/portal/language/", {"language": "de", "next": target})
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_the_switch_ignores_a_language_it_does_not_know(db: None) -> None:
    response = Client().post("/portal/language/", {"language": "xx", "next": "/portal/login/"})
    assert response.status_code == 302 and "django_language" not in response.cookies
    assert Client().get("/portal/language/").status_code == 405


def test_the_activation_page_uses_the_enrollments_language_unless_the_viewer_switched(
        make_pending: MakePending) -> None:
    created = make_pending("alice", language="de")
    link = f"/enroll/{created.enrollment.token}/"
    # A French phone opening a German user's link: German (the language the enrollment was made for).
    french_phone = Client(HTTP_ACCEPT_LANGUAGE="fr", HTTP_USER_AGENT=ANDROID)
    page = french_phone.get(link)
    assert b'<html lang="de">' in page.content and page["Content-Language"] == "de"
    assert "Dieses Gerät registrieren" in page.content.decode()
    french_phone.post("/portal/language/", {"language": "fr", "next": link})
    assert "Enrôler cet appareil" in french_phone.get(link).content.decode()


def test_an_english_enrollment_opened_by_a_german_browser_stays_english(make_pending: MakePending) -> None:
    created = make_pending("alice")
    page = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/enroll/{created.enrollment.token}/")
    assert b'<html lang="en">' in page.content


def test_a_link_no_enrollment_has_is_in_the_browsers_language(db: None) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="it").get(f"/enroll/{'x' * 32}/")
    assert page.status_code == 404 and "Link di registrazione non valido" in page.content.decode()


def test_a_self_enrollment_remembers_the_language_the_portal_was_read_in(end_user, licences):
    portal_client("fr", end_user).post("/portal/", {"mobile": "", "ownership": ""})
    assert PendingEnrollment.objects.get(username="eve").language == "fr"


def test_a_device_limit_reached_is_told_in_the_end_users_language(end_user, restrict):
    restrict(device_limit_personal=1)
    from enrollment.models import Device, Platform, Source

    Device.objects.create(username="eve", platform=Platform.ANDROID, ownership="personal", source=Source.SELF)
    text = page_text(portal_client("de", end_user).get("/portal/").content)
    assert "Persönliche Geräte: eve hat bereits 1 registriertes persönliches Gerät; erlaubt ist höchstens 1." in text


def test_the_english_check_finds_an_english_text_left_as_a_whole_word() -> None:
    assert english_left(b"<p>Sign out now</p><img alt='Your device'>", "de") == ["Sign out", "Your device"]
    assert english_left("<p>Modell · Starten</p>".encode(), "de") == []


def test_every_public_end_user_url_is_one_the_language_middleware_treats_as_the_end_users() -> None:
    from enrollment.public_urls import urlpatterns
    from lib.middleware import END_USER_PATH_PREFIXES

    routes = [str(pattern.pattern) for pattern in urlpatterns]
    assert routes and all(f"/{route}".startswith(END_USER_PATH_PREFIXES) for route in routes), routes
