import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, State
from enrollment.otp import otp_matches
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_reset_page_asks_first_and_a_get_changes_nothing(make_pending, helpdesk_user):
    made = make_pending("alice")
    response = client_for(helpdesk_user).get(f"/devices/pending/{made.enrollment.token}/reset/")
    assert response.status_code == 200
    assert "Generate a new OTP for alice?" in response.content.decode()
    assert PendingEnrollment.objects.get().otp_ciphertext == made.enrollment.otp_ciphertext
    assert not AuditEntry.objects.filter(action=AuditAction.OTP_RESET).exists()


@pytest.mark.smoke
def test_a_posted_reset_makes_a_new_otp_and_shows_it(make_pending, helpdesk_user):
    made = make_pending("alice")
    token = made.enrollment.token
    response = client_for(helpdesk_user).post(f"/devices/pending/{token}/reset/", follow=True)
    assert response.redirect_chain == [(f"/devices/pending/{token}/", 302)]
    assert "A new OTP was generated for alice; the old one no longer works." in response.content.decode()
    new_otp = response.context["otp"]
    stored = PendingEnrollment.objects.get().otp_ciphertext
    assert otp_matches(stored, new_otp)
    assert new_otp == made.otp or not otp_matches(stored, made.otp)
    assert AuditEntry.objects.get(action=AuditAction.OTP_RESET).actor == helpdesk_user


def test_a_reset_without_a_licence_left_shows_the_reason(make_pending, helpdesk_user, licences):
    licences(1)
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(state=State.EXPIRED, reserved_licences=0)
    make_pending("bob")
    response = client_for(helpdesk_user).post(f"/devices/pending/{made.enrollment.token}/reset/", follow=True)
    assert response.redirect_chain == [("/devices/pending/", 302)]
    assert "Not enough device licences: 1 needed, 0 remaining." in response.content.decode()
    assert PendingEnrollment.objects.get(username="alice").state == State.EXPIRED
