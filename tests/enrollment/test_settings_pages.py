import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.forms import GeneralSettingsForm, OtpPolicyForm
from enrollment.links import activation_link
from enrollment.models import GeneralSettings, OtpPolicy
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

VALID_POLICY = {"content": "letters_digits", "exclude_lookalikes": "on", "length": "10", "validity_hours": "48",
                "max_attempts": "3"}


@pytest.mark.smoke
def test_saving_the_otp_policy_stores_it_and_audits_the_change(admin_user, make_pending):
    response = client_for(admin_user).post("/settings/otp-policy/", VALID_POLICY, follow=True)
    assert "The OTP policy was saved." in response.content.decode()
    policy = OtpPolicy.load()
    assert (policy.content, policy.length, policy.validity_hours, policy.max_attempts) == ("letters_digits", 10, 48, 3)
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor == admin_user
    assert entry.details == {"settings": "otp_policy", "changes": {
        "content": ["digits", "letters_digits"], "length": [8, 10], "validity_hours": [72, 48], "max_attempts": [5, 3],
    }}
    assert len(make_pending("alice").otp) == 10


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"length": "3"}, "length", "Ensure this value is greater than or equal to 4."),
    ({"length": "33"}, "length", "Ensure this value is less than or equal to 32."),
    ({"content": "digits", "length": "5"}, "length", "Digit-only OTPs need at least 6 digits to resist guessing."),
    ({"validity_hours": "0"}, "validity_hours", "Ensure this value is greater than or equal to 1."),
    ({"max_attempts": "0"}, "max_attempts", "Ensure this value is greater than or equal to 1."),
    ({"content": "emoji"}, "content", "Select a valid choice. emoji is not one of the available choices."),
])
def test_the_otp_policy_form_explains_bad_values(change, field, message):
    form = OtpPolicyForm({**VALID_POLICY, **change}, instance=OtpPolicy.load())
    assert form.errors[field] == [message]


def test_a_refused_otp_policy_changes_nothing(admin_user):
    response = client_for(admin_user).post("/settings/otp-policy/", {**VALID_POLICY, "length": "2"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 4." in response.content.decode()
    assert OtpPolicy.load().length == 8
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


@pytest.mark.smoke
def test_saving_the_activation_url_changes_every_link_and_is_audited(admin_user):
    response = client_for(admin_user).post("/settings/general/", {"activation_url": "https://mdm.example.com/"},
                                           follow=True)
    assert "General settings saved." in response.content.decode()
    assert GeneralSettings.load().activation_url == "https://mdm.example.com"
    assert activation_link("t" * 32) == f"https://mdm.example.com/enroll/{'t' * 32}/"
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.details == {"settings": "general", "changes": {"activation_url": ["", "https://mdm.example.com"]}}


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://mdm.example.com", "The Activation URL must start with https:// (or http:// for a test setup)."),
    ("https://mdm.example.com/?a=1", "The Activation URL is a base URL: no query string or fragment."),
    ("https://mdm.example.com/#x", "The Activation URL is a base URL: no query string or fragment."),
    ("not a url", "Enter a valid URL."),
])
def test_the_general_form_explains_a_bad_activation_url(url, message):
    form = GeneralSettingsForm({"activation_url": url}, instance=GeneralSettings.load())
    assert message in form.errors["activation_url"]


def test_without_an_activation_url_links_use_the_default(settings):
    settings.DEFAULT_ACTIVATION_URL = "http://localhost:8000/"
    assert activation_link("abc") == "http://localhost:8000/enroll/abc/"
