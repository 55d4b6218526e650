"""Error reports never show a secret (SPEC "Reliability and security"). Each view that handles a
password, an OTP or a Wi-Fi password is made to fail deep inside its service; neither Django's
DEBUG error page (the embedded default runs with DEBUG on), as HTML or as the text a non-browser
client asks for, shows the secret, and the posted field shows as stars. Reports mailed to ADMINS
are made by the same filter."""

from typing import Any

import pytest
from django.test import Client

import lib.qr
from accounts.models import EndUser, User
from enrollment.otp import OtpRule
from tests.conftest import PASSWORD, client_for
from tests.provisioning.test_qr_create import activation_url, automatic, ready  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

STARS = "********************"
OTP = "Q7W8E9R2"
WIFI_PASSWORD = "Wifi-Secret-4242"
BROKER_PASSWORD = "Broker-Secret-5150"


@pytest.fixture(autouse=True)
def embedded_default(settings, monkeypatch):
    """DEBUG on, as scripts/run.sh runs the console; every new OTP is OTP; a broker URL with a
    password, as production has."""
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = f"redis://:{BROKER_PASSWORD}@redis:6379/0"
    monkeypatch.setattr(OtpRule, "generate", lambda self: OTP)


def fail(monkeypatch: pytest.MonkeyPatch, target: object, name: str | None = None) -> None:
    """Make ``target.name`` (or the dotted path ``target``) raise; the failing frame holds whatever
    secret it was passed."""

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("failed deep inside")

    if name is None:
        assert isinstance(target, str), "a dotted path, or an object and an attribute name"
        monkeypatch.setattr(target, failing)
    else:
        monkeypatch.setattr(target, name, failing)


def error_pages(client: Client, url: str, data: object = None, **extra: Any) -> list[str]:
    """The error page of the failing POST as a browser gets it (HTML) and as a client asking for
    text gets it."""
    client.raise_request_exception = False
    pages = []
    for accept in ("text/html", "text/plain"):
        response = client.post(url, data, HTTP_ACCEPT=accept, **extra)
        assert response.status_code == 500
        pages.append(response.content.decode())
    return pages


def assert_hidden(pages: list[str], *secrets: str, frames: tuple[str, ...]) -> None:
    for page in pages:
        assert "failed deep inside" in page
        for frame in frames:  # the report does go through the code that held the secret
            assert frame in page
        for secret in (*secrets, BROKER_PASSWORD):
            assert secret not in page


@pytest.mark.parametrize(("target", "name", "frames"), [
    (User, "check_password", ("authorizer_check", "_authorizer_verify")),
    ("provisioning.single.services.notify_enrollment_created", None, ("user_provision",)),
])
def test_it_hides_the_authorizer_password_and_the_otp_when_provision_user_fails(
        monkeypatch, licences, admin_user, helpdesk_user, target, name, frames):
    fail(monkeypatch, target, name)

    # The helpdesk user authorizes (no second factor): each of the two failing requests passes the check.
    pages = error_pages(client_for(helpdesk_user), "/devices/pending/provision/", {
        "ownership": "corporate", "username": "eve", "user_type": "local", "email": "eve@example.com", "mobile": "",
        "authorizer_username": helpdesk_user.username, "authorizer_password": PASSWORD, "authorizer_code": "918273",
    })

    assert_hidden(pages, PASSWORD, OTP, "918273", frames=("provision_user", *frames))
    assert STARS in pages[0] and STARS in pages[1]


def test_it_hides_the_password_when_the_console_sign_in_fails(monkeypatch, admin_user):
    fail(monkeypatch, User, "check_password")

    pages = error_pages(Client(), "/login/", {"username": admin_user.username, "password": PASSWORD})

    assert_hidden(pages, PASSWORD, frames=("authenticate",))
    assert STARS in pages[0]


def test_it_hides_the_password_when_the_portal_sign_in_fails(monkeypatch, end_user):
    fail(monkeypatch, EndUser, "check_password")

    pages = error_pages(Client(), "/portal/login/", {"username": end_user.username, "password": PASSWORD})

    assert_hidden(pages, PASSWORD, frames=("portal_sign_in", "end_user_authenticate"))
    assert STARS in pages[0]


def test_it_hides_the_wifi_password_and_the_otp_when_qr_create_fails(monkeypatch, ready, admin_user):  # noqa: F811
    fail(monkeypatch, lib.qr, "render")

    pages = error_pages(client_for(admin_user), "/devices/pending/qr/new/",
                        automatic(wifi_password=WIFI_PASSWORD, ldap_password="Ldap-Secret-77"))

    assert_hidden(pages, WIFI_PASSWORD, OTP, "Ldap-Secret-77", frames=("qr_provisioning_create", "verified_png"))
    assert STARS in pages[0]


def test_it_hides_the_otp_when_the_redeem_api_fails(monkeypatch, make_pending):
    made = make_pending("alice")
    fail(monkeypatch, "enrollment.redeem.licence_consume")

    body = {"token": made.enrollment.token, "otp": OTP, "device": {"platform": "android", "serial_number": "SN-1"}}
    pages = error_pages(Client(), "/api/v1/enrollments/redeem", body, content_type="application/json")

    assert_hidden(pages, OTP, frames=("enrollment_redeem", "_redeem_token"))


def test_it_hides_the_otp_when_the_activation_page_fails(monkeypatch, make_pending):
    made = make_pending("alice")
    fail(monkeypatch, "enrollment.redeem.licence_consume")

    pages = error_pages(Client(), f"/enroll/{made.enrollment.token}/",
                        {"platform": "android", "otp": OTP, "serial_number": "SN-1"})

    assert_hidden(pages, OTP, frames=("activate", "enrollment_redeem"))
    assert STARS in pages[0]
