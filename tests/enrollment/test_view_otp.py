import io

import pytest
import zxingcpp
from PIL import Image

from audit.models import AuditAction, AuditEntry
from enrollment.models import GeneralSettings
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def activation_url(db):
    GeneralSettings.objects.update_or_create(pk=1, defaults={"activation_url": "https://mdm.example.com"})
    return "https://mdm.example.com"


@pytest.mark.smoke
@pytest.mark.parametrize("role", ["admin_user", "super_helpdesk_user", "helpdesk_user"])
def test_view_otp_shows_the_otp_token_expiry_and_link_and_audits_the_view(
    request, role, make_pending, activation_url
):
    user = request.getfixturevalue(role)
    made = make_pending("alice")
    token = made.enrollment.token
    response = client_for(user).get(f"/devices/pending/{token}/", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="otp">{made.otp}<' in html
    assert f'data-testid="token">{token}<' in html
    assert f"https://mdm.example.com/enroll/{token}/" in html
    assert made.enrollment.otp_expires_at.strftime("%Y-%m-%d %H:%M") in html
    assert "Android/Samsung Knox" in html and "Windows" in html
    entry = AuditEntry.objects.get(action=AuditAction.OTP_VIEWED)
    assert (entry.actor, entry.enrollment_token, entry.target_username, entry.ip) == (
        user, token, "alice", "203.0.113.7")


def test_view_otp_of_an_unknown_token_is_404_and_audits_nothing(helpdesk_user):
    assert client_for(helpdesk_user).get(f"/devices/pending/{'A' * 32}/").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.OTP_VIEWED).exists()


def test_an_unlimited_otp_shows_as_unlimited(make_pending, helpdesk_user):
    from enrollment.otp import OtpRule

    made = make_pending("alice", otp_rule=OtpRule(validity_hours=None))
    assert "Unlimited" in client_for(helpdesk_user).get(f"/devices/pending/{made.enrollment.token}/").content.decode()


def test_the_qr_png_decodes_to_the_activation_link(make_pending, helpdesk_user, activation_url):
    token = make_pending("alice").enrollment.token
    response = client_for(helpdesk_user).get(f"/devices/pending/{token}/qr.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [d.text for d in decoded] == [f"https://mdm.example.com/enroll/{token}/"]
    # The inline image is covered by the View OTP entry: no download entry.
    assert not AuditEntry.objects.filter(action=AuditAction.QR_DOWNLOADED).exists()


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [
    ("png", "image/png", b"\x89PNG"), ("svg", "image/svg+xml", b"<?xml"),
])
def test_a_qr_download_is_an_attachment_and_is_audited(make_pending, helpdesk_user, fmt, content_type, magic):
    token = make_pending("alice").enrollment.token
    response = client_for(helpdesk_user).get(f"/devices/pending/{token}/qr.{fmt}", {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert response["Content-Disposition"] == f'attachment; filename="enrollment-alice.{fmt}"'
    entry = AuditEntry.objects.get(action=AuditAction.QR_DOWNLOADED)
    assert (entry.enrollment_token, entry.actor, entry.details) == (token, helpdesk_user, {"format": fmt})


def test_a_qr_download_names_the_file_safely_for_any_username(make_pending, helpdesk_user):
    # A directory (or a name from before the username rule) may hold quotes and spaces.
    from accounts.models import EndUser, UserType

    named = EndUser.objects.create(username='jürgen "the boss"', user_type=UserType.LDAP)
    token = make_pending('jürgen "the boss"', end_user=named, user_type=UserType.LDAP).enrollment.token
    response = client_for(helpdesk_user).get(f"/devices/pending/{token}/qr.png", {"download": "1"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=utf-8''enrollment-j%C3%BCrgen%20%22the%20boss%22.png" in disposition
