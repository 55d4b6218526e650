"""The self-service portal (F5): sign in as an end user, Start, see link, OTP and QR code."""

import pytest
from django.test import Client

from accounts.models import EndUser
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, Source
from tests.conftest import PASSWORD, client_for

pytestmark = [pytest.mark.django_db]


def signed_in(end_user: EndUser) -> Client:
    client = Client()
    response = client.post("/portal/login/", {"username": end_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    return client


def test_the_portal_sends_visitors_to_its_sign_in(db):
    response = Client().get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/login/"


@pytest.mark.smoke
def test_an_end_user_starts_a_self_enrollment(end_user, licences):
    client = signed_in(end_user)
    response = client.post("/portal/", {"mobile": "0171 2345678", "ownership": "personal"})
    enrollment = PendingEnrollment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/enrollments/{enrollment.token}/"
    assert (enrollment.source, enrollment.username, enrollment.mobile, enrollment.ownership) == (
        Source.SELF, "eve", "+491712345678", "personal")
    assert enrollment.end_user == end_user and enrollment.reserved_licences == 1
    assert AuditEntry.objects.filter(action=AuditAction.PORTAL_ENROLLMENT, target_username="eve").count() == 1

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["otp"] and page.context["otp"].encode() in page.content
    assert f"/enroll/{enrollment.token}/".encode() in page.content
    qr = client.get(f"/portal/enrollments/{enrollment.token}/qr.png")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png" and qr.content[:4] == b"\x89PNG"


def test_mobile_and_ownership_are_optional(end_user, licences):
    client = signed_in(end_user)
    client.post("/portal/", {"mobile": "", "ownership": ""})
    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.mobile, enrollment.ownership) == ("", "unknown")


def test_a_bad_mobile_number_is_refused_clearly(end_user, licences):
    response = signed_in(end_user).post("/portal/", {"mobile": "12ab", "ownership": ""})
    assert response.status_code == 200
    assert "is not a phone number" in response.content.decode() or "not a valid phone" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_the_limit_of_pending_enrollments_per_user_is_enforced(end_user, licences, settings):
    settings.PORTAL_MAX_PENDING_PER_USER = 2
    client = signed_in(end_user)
    for _ in range(2):
        assert client.post("/portal/", {}).status_code == 302
    response = client.post("/portal/", {})
    assert response.status_code == 200
    assert "You can have at most 2 pending enrollments here, and you have 2." in response.content.decode()
    assert PendingEnrollment.objects.count() == 2


def test_enrollments_an_admin_made_neither_count_toward_the_limit_nor_show_in_the_portal(
    end_user, licences, settings, make_pending
):
    settings.PORTAL_MAX_PENDING_PER_USER = 1
    by_admin = [make_pending("eve", end_user=end_user, source=source).enrollment
                for source in (Source.SINGLE, Source.BULK, Source.QR)]
    client = signed_in(end_user)

    assert client.post("/portal/", {}).status_code == 302
    home = client.get("/portal/").content.decode()

    own = PendingEnrollment.objects.get(source=Source.SELF)
    assert f"/portal/enrollments/{own.token}/" in home
    for enrollment in by_admin:
        assert enrollment.token not in home
        assert client.get(f"/portal/enrollments/{enrollment.token}/").status_code == 404
    refused = client.post("/portal/", {}).content.decode()
    assert "You can have at most 1 pending enrollment here, and you have 1." in refused


def test_no_licence_left_is_said_clearly(end_user, licences):
    licences(0)
    response = signed_in(end_user).post("/portal/", {})
    assert "Not enough device licences" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_a_console_user_cannot_sign_in_to_the_portal(helpdesk_user):
    response = Client().post("/portal/login/", {"username": helpdesk_user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "The username or password is not correct." in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, details__portal=True).count() == 1


def test_a_signed_in_console_user_is_not_a_portal_user(helpdesk_user):
    response = client_for(helpdesk_user).get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/login/"


def test_a_portal_session_gives_no_console_access(end_user):
    client = signed_in(end_user)
    response = client.get("/devices/pending/", follow=True)
    assert response.redirect_chain == [("/login/?next=/devices/pending/", 302)]
    # The console's own sign-in form, and no console user in the session.
    assert response.status_code == 200 and "accounts/login.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


def test_an_end_user_sees_only_their_own_enrollments(end_user, make_pending, licences):
    other = make_pending("mallory")
    client = signed_in(end_user)
    assert client.get(f"/portal/enrollments/{other.enrollment.token}/").status_code == 404
    assert client.get(f"/portal/enrollments/{other.enrollment.token}/qr.png").status_code == 404


def test_sign_out_ends_the_portal_session(end_user):
    client = signed_in(end_user)
    assert client.post("/portal/logout/").status_code == 302
    assert client.get("/portal/")["Location"] == "/portal/login/"


def test_failed_sign_ins_are_throttled(end_user, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post("/portal/login/", {"username": "eve", "password": "wrong"})
    response = client.post("/portal/login/", {"username": "eve", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_an_inactive_end_user_cannot_sign_in(end_user):
    end_user.is_active = False
    end_user.save()
    response = Client().post("/portal/login/", {"username": "eve", "password": PASSWORD})
    assert "not correct" in response.content.decode()


def test_the_admin_sets_whether_the_activation_page_asks_for_the_otp(admin_user, helpdesk_user):
    from enrollment.models import PortalSettings

    assert client_for(helpdesk_user).get("/settings/portal/").status_code == 403
    client = client_for(admin_user)
    page = client.get("/settings/portal/")
    assert page.status_code == 200 and b"Ask for the OTP on the activation page" in page.content
    response = client.post("/settings/portal/", {})
    assert response.status_code == 302
    assert PortalSettings.load().ask_otp_on_activation is False
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.details == {"settings": "portal", "changes": {"ask_otp_on_activation": [True, False]}}


def test_the_sign_in_refuses_a_username_with_a_control_character_without_counting_a_failure(end_user):
    response = Client().post("/portal/login/", {"username": "e\nve", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["The username contains a control character (a line feed)."]
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


def test_a_mobile_with_its_country_code_but_no_plus_keeps_its_country_code(end_user, licences, settings):
    settings.PHONE_DEFAULT_REGION = "DE"
    signed_in(end_user).post("/portal/", {"mobile": "491712345670", "ownership": ""})
    assert PendingEnrollment.objects.get().mobile == "+491712345670"


def test_an_end_user_named_before_the_username_rule_still_signs_in_and_enrolls(licences):
    legacy = EndUser(username="o'brien", email="obrien@example.com")
    legacy.set_password(PASSWORD)
    legacy.save()
    client = Client()
    response = client.post("/portal/login/", {"username": "o'brien", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/portal/", {"mobile": "", "ownership": ""})
    assert PendingEnrollment.objects.get().username == "o'brien"
