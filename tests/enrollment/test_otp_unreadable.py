"""An OTP sealed with a key that is no longer configured (a wrong or rotated OTP_ENCRYPTION_KEY):
every page that shows it says so and offers Reset OTP instead of failing, and the log says which
enrollment without the ciphertext."""

import logging

import pytest
from cryptography.fernet import Fernet

from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from tests.conftest import client_for
from tests.enrollment.test_portal import signed_in

pytestmark = pytest.mark.django_db

MESSAGE = "This OTP cannot be read with the configured keys: reset it"


def sealed_with_another_key(enrollment: PendingEnrollment) -> str:
    foreign = Fernet(Fernet.generate_key()).encrypt(b"12345678").decode()
    PendingEnrollment.objects.filter(pk=enrollment.pk).update(otp_ciphertext=foreign)
    return foreign


def test_view_otp_of_an_otp_sealed_with_another_key_says_to_reset_it_and_logs_it(make_pending, helpdesk_user, caplog):
    made = make_pending("alice")
    foreign = sealed_with_another_key(made.enrollment)
    with caplog.at_level(logging.ERROR, logger="enrollment.services"):
        response = client_for(helpdesk_user).get(f"/devices/pending/{made.enrollment.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert MESSAGE in html
    assert f'href="/devices/pending/{made.enrollment.token}/reset/"' in html
    assert foreign not in html
    [record] = [r for r in caplog.records if r.name == "enrollment.services"]
    assert record.levelno == logging.ERROR and "cannot be decrypted" in record.getMessage()
    assert foreign not in record.getMessage() and "alice" in record.getMessage()
    entry = AuditEntry.objects.get(action=AuditAction.OTP_VIEWED)
    assert entry.details.get("unreadable") is True


def test_the_reset_otp_offered_on_the_page_makes_the_otp_readable_again(make_pending, helpdesk_user):
    made = make_pending("alice")
    sealed_with_another_key(made.enrollment)
    client = client_for(helpdesk_user)
    page = f"/devices/pending/{made.enrollment.token}/"
    assert MESSAGE in client.get(page).content.decode()
    assert client.post(f"{page}reset/")["Location"] == page
    html = client.get(page).content.decode()
    otp = PendingEnrollment.objects.get().otp_ciphertext
    assert MESSAGE not in html and f'data-testid="otp">{unseal(otp)}<' in html


def test_the_portal_enrollment_page_of_an_unreadable_otp_asks_for_a_reset(end_user, licences):
    client = signed_in(end_user)
    assert client.post("/portal/", {}).status_code == 302
    enrollment = PendingEnrollment.objects.get()
    foreign = sealed_with_another_key(enrollment)
    response = client.get(f"/portal/enrollments/{enrollment.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This OTP cannot be read: ask your helpdesk to reset it." in html and foreign not in html
