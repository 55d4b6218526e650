"""The end user's email and SMS in the language of their enrollment (SPEC F17): set by Provision User, the API
and the bulk CSV, rendered from that language's version of each template (English when it has none), with the
OTP's expiry in that language's format; the admins' alert stays English."""

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from notifications.models import Channel, Message, MessageTemplate, TemplateKey
from tests.conftest import PASSWORD, client_for
from tests.twofactor.clock import Clock

pytestmark = pytest.mark.django_db
PROVISION = "/devices/pending/provision/"


@pytest.fixture
def helpdesk(licences, admin_user, helpdesk_user, end_user, totp_clock):
    """A helpdesk user on Provision User; ada (admin, alerts on) authorizes; eve has an email and a mobile."""
    return client_for(helpdesk_user)


def provision(client: Client, **fields: str) -> PendingEnrollment:
    data = {"ownership": "corporate", "username": "eve", "user_type": "local", "email": "", "mobile": "+491712345678",
            "authorizer_username": "ada", "authorizer_password": PASSWORD,
            # ada (an Administrator) uses two-step verification: her code at the time totp_clock sets.
            "authorizer_code": Clock().code(), **fields}
    response = client.post(PROVISION, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return PendingEnrollment.objects.get()


def sent(recipient: str) -> tuple[str, str]:
    message = Message.objects.get(recipient=recipient)
    return unseal(message.subject_sealed) if message.subject_sealed else "", unseal(message.body_sealed)


def test_provision_user_in_german_sends_the_user_german_email_and_sms_and_the_admins_english(helpdesk):
    enrollment = provision(helpdesk, language="de")
    assert enrollment.language == "de"
    expires = timezone.localtime(enrollment.otp_expires_at)
    months = ["Jan.", "Feb.", "März", "April", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]
    subject, body = sent("eve@example.com")
    assert subject == "Ein Administrator hat ein Gerät für Sie bereitgestellt"
    assert body.startswith("Guten Tag eve,") and f"/enroll/{enrollment.token}/" in body
    assert f"Läuft ab: {expires.day}. {months[expires.month - 1]} {expires.year}, {expires:%H:%M} UTC" in body
    assert sent("+491712345678")[1].startswith(f"Registrieren Sie Ihr Gerät: http://localhost:8000/enroll/"
                                               f"{enrollment.token}/ OTP: ")
    admin_subject, admin_body = sent("ada@onramp.test")
    assert admin_subject == "A device was provisioned for eve" and "Ownership: Corporate" in admin_body
    assert "OTP expires: " in admin_body and "Läuft ab" not in admin_body


def test_the_form_offers_the_languages_and_english_is_the_default(helpdesk):
    page = helpdesk.get(PROVISION).content.decode()
    assert '<option value="en" selected>English</option>' in page and '<option value="it">Italian</option>' in page
    assert provision(helpdesk).language == "en"
    assert sent("eve@example.com")[0] == "An Administrator has provisioned a device on your behalf"


def test_the_form_refuses_a_language_it_does_not_know(helpdesk):
    response = helpdesk.post(PROVISION, {"ownership": "corporate", "username": "eve", "user_type": "local",
                                         "language": "es", "authorizer_username": "ada",
                                         "authorizer_password": PASSWORD})
    assert response.status_code == 400 and "Unknown language &#x27;es&#x27; (use en, de, fr, it)." in \
        response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_a_language_without_its_own_version_gets_the_english_one(helpdesk):
    MessageTemplate.objects.filter(key=TemplateKey.USER_PROVISIONED, language="fr").delete()
    provision(helpdesk, language="fr")
    assert sent("eve@example.com")[0] == "An Administrator has provisioned a device on your behalf"
    # The SMS still has its French version; the English email's values are the user's language's.
    assert sent("+491712345678")[1].startswith("Enregistrez votre appareil")
    expires = timezone.localtime(PendingEnrollment.objects.get().otp_expires_at)
    months = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
    assert f"It expires: {expires.day} {months[expires.month - 1]} {expires.year}, {expires:%H:%M} UTC" in \
        sent("eve@example.com")[1]


def test_an_edited_german_version_is_what_german_users_get(admin_user, helpdesk):
    german = MessageTemplate.objects.get(key=TemplateKey.ENROLLMENT_SMS, language="de")
    response = client_for(admin_user).post(f"/settings/email-templates/{german.pk}/", {
        "body": "Hallo {{ username }}: {{ activation_url }} ({{ otp }})", "action": "save"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).latest("id")
    assert entry.details["language"] == "de" and entry.details["changed"] == ["body"]
    provision(helpdesk, language="de")
    assert sent("+491712345678")[1].startswith("Hallo eve: http://localhost:8000/enroll/")
    assert Message.objects.filter(channel=Channel.SMS).count() == 1
