"""The OTP rule is stated once, in OtpRule; the three forms that take an OTP rule show its message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from enrollment.forms import OtpPolicyForm
from enrollment.models import OtpContent, OtpPolicy
from enrollment.otp import TOO_FEW_DIGITS, OtpRule, OtpRuleError
from provisioning.bulk.forms import BulkUploadForm
from provisioning.qr.forms import QrProvisioningForm

pytestmark = pytest.mark.django_db


def test_otp_rule_refuses_five_digits_with_the_one_message():
    with pytest.raises(OtpRuleError, match=TOO_FEW_DIGITS) as refused:
        OtpRule(content=OtpContent.DIGITS, length=5)
    assert refused.value.field == "length"
    assert TOO_FEW_DIGITS == "Digit-only OTPs need at least 6 digits to resist guessing."


@pytest.mark.parametrize(("content", "length"), [(OtpContent.DIGITS, 6), (OtpContent.LETTERS, 4),
                                                 (OtpContent.LETTERS_DIGITS, 5)])
def test_otp_rule_allows_six_digits_and_short_otps_with_letters(content, length):
    assert len(OtpRule(content=content, length=length).generate()) == length


def test_otp_rule_reads_back_what_it_stored():
    rule = OtpRule(content=OtpContent.LETTERS, length=12, validity_hours=None, exclude_lookalikes=False)
    assert rule.as_json() == {"content": "letters", "length": 12, "validity_hours": None,
                              "exclude_lookalikes": False}
    assert OtpRule.from_json(rule.as_json()) == rule


def test_the_otp_policy_form_shows_the_rules_message():
    data = {"content": "digits", "length": "5", "validity_hours": "72", "max_attempts": "5",
            "exclude_lookalikes": "on"}
    assert OtpPolicyForm(data, instance=OtpPolicy.load()).errors == {"length": [TOO_FEW_DIGITS]}


def test_the_qr_code_form_shows_the_rules_message():
    form = QrProvisioningForm({"option": "automatic", "define_otp": "on", "otp_content": "digits", "otp_length": "5",
                               "otp_validity_hours": "2"}, remaining_licences=10)
    assert form.errors.get("otp_length") == [TOO_FEW_DIGITS]


def test_the_bulk_upload_form_shows_the_rules_message():
    form = BulkUploadForm({"ownership": "corporate", "define_otp": "on", "otp_content": "digits", "otp_length": "5",
                           "otp_validity_hours": "72"},
                          MultiValueDict({"csv_file": [SimpleUploadedFile("users.csv", b"username\r\nalice\r\n")]}))
    assert form.errors == {"otp_length": [TOO_FEW_DIGITS]}
