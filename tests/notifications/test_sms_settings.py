"""Admin > App Portal and SMS: the SMS Sender Label, validated and audited."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from notifications.models import SmsSettings
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = reverse("notifications:sms_settings")


@pytest.mark.parametrize("label", ["Onramp", "IT Dept", "+491712345678"])
def test_an_administrator_sets_the_sender_label(admin_user, label):
    response = client_for(admin_user).post(URL, {"sender_label": label})

    assert response.status_code == 302
    assert SmsSettings.load().sender_label == label
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor == admin_user
    assert entry.details == {"settings": "sms", "changes": {"sender_label": ["", label]}}


@pytest.mark.parametrize("label", ["OnrampConsole", "12345", "0171-123", "Onr@mp", "+0123"])
def test_a_bad_sender_label_is_refused_with_a_clear_message(admin_user, label):
    response = client_for(admin_user).post(URL, {"sender_label": label})

    assert response.status_code == 200
    assert "Enter an alphanumeric sender ID of up to 11" in response.content.decode()
    assert SmsSettings.load().sender_label == ""
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_the_page_labels_its_field(admin_user):
    html = client_for(admin_user).get(URL).content.decode()

    assert html.count("<h1>") == 1
    assert "SMS Sender Label" in html
