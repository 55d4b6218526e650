"""Every console settings page saves through audit.settings_page and records one audit shape:
{"settings": name, "changes": {field: [old, new]}}, secrets masked."""

import base64
import hashlib

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from audit.services import SECRET_MASK, settings_changes
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

DIGEST = hashlib.sha256(b"signing cert").digest()
COMPANION = {
    "component_name": "com.example.companion/.AdminReceiver",
    "download_url": "https://mdm.example.com/companion.apk",
    "signature_checksum": ":".join(f"{b:02X}" for b in DIGEST),
    "package_checksum": "",
    "default_locale": "de_CH",
    "time_zone": "",
}
PAGES = [
    ("enrollment:settings_otp_policy", "otp_policy",
     {"content": "digits", "exclude_lookalikes": "on", "length": "10", "validity_hours": "72", "max_attempts": "5"},
     {"length": [8, 10]}),
    ("enrollment:settings_general", "general", {"activation_url": "https://mdm.example.com/"},
     {"activation_url": ["", "https://mdm.example.com"]}),
    ("enrollment:settings_portal", "portal", {}, {"ask_otp_on_activation": [True, False]}),
    ("notifications:sms_settings", "sms", {"sender_label": "Onramp"}, {"sender_label": ["", "Onramp"]}),
    ("provisioning:dpc_settings", "companion_app", COMPANION, {
        "component_name": ["", COMPANION["component_name"]], "download_url": ["", COMPANION["download_url"]],
        "signature_checksum": ["", base64.urlsafe_b64encode(DIGEST).decode()], "default_locale": ["en_US", "de_CH"],
    }),
]


@pytest.mark.parametrize(("url_name", "name", "data", "changes"), PAGES, ids=[page[1] for page in PAGES])
def test_every_settings_page_records_what_changed_from_old_to_new(admin_user, url_name, name, data, changes):
    response = client_for(admin_user).post(reverse(url_name), data)

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor == admin_user
    assert entry.details == {"settings": name, "changes": changes}


@pytest.mark.parametrize(("url_name", "name", "data", "changes"), PAGES, ids=[page[1] for page in PAGES])
def test_saving_a_page_again_unchanged_writes_no_entry_and_says_nothing_changed(admin_user, url_name, name, data,
                                                                                 changes):
    client = client_for(admin_user)
    client.post(reverse(url_name), data)
    again = client.post(reverse(url_name), data, follow=True)

    assert [str(message) for message in again.context["messages"]][-1:] == ["Nothing changed."]
    (entry,) = AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED)
    assert entry.details == {"settings": name, "changes": changes}


def test_a_list_is_recorded_as_a_list_not_as_its_python_text():
    changes = settings_changes(old={"platforms": ["android", "ios"], "extra": {"a": (1, 2)}},
                               new={"platforms": ["ios"], "extra": {"a": (1, 2, 3)}})

    assert changes == {"platforms": [["android", "ios"], ["ios"]], "extra": [{"a": [1, 2]}, {"a": [1, 2, 3]}]}


def test_secret_fields_are_recorded_as_changed_without_their_values():
    changes = settings_changes(
        old={"smtp_password": "old pass", "api_key": "", "client_secret": "s", "auth_token": "t",
             "signature_checksum": "abc="},
        new={"smtp_password": "new pass", "api_key": "k3y", "client_secret": "", "auth_token": "t",
             "signature_checksum": "def="},
    )

    assert changes == {
        "smtp_password": [SECRET_MASK, SECRET_MASK],
        "api_key": ["", SECRET_MASK],
        "client_secret": [SECRET_MASK, ""],
        "signature_checksum": ["abc=", "def="],  # a public digest, not a secret
    }


def test_the_audit_page_shows_each_change_as_old_to_new(admin_user, super_helpdesk_user):
    client_for(admin_user).post(reverse("enrollment:settings_general"), {"activation_url": "https://mdm.example.com/"})
    client_for(admin_user).post(reverse("enrollment:settings_portal"), {})

    fields = [entry.details_fields() for entry in AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED)]
    assert fields == [
        [("Settings", "portal"), ("Ask otp on activation", "yes → no")],
        [("Settings", "general"), ("Activation url", "— → https://mdm.example.com")],
    ]
    html = client_for(super_helpdesk_user).get("/audit/").content.decode()
    assert "<dt>Activation url</dt><dd>— → https://mdm.example.com</dd>" in html
