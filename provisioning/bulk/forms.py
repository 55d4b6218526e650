from typing import Any

from django import forms
from django.conf import settings

from enrollment.models import OtpContent, OtpPolicy, Ownership
from enrollment.otp import MAX_LENGTH, MIN_LENGTH, OtpRule, OtpRuleError
from lib.languages import DEFAULT_LANGUAGE, LanguageField
from provisioning.bulk.options import BulkOptions


class BulkUploadForm(forms.Form):
    """The upload and its options (Bulk Provision Users)."""

    csv_file = forms.FileField(
        label="CSV file",
        error_messages={"empty": "The file is empty. It needs a header row with a username column."},
        help_text="A header row naming the columns: username (required), email, mobile, ownership, user_type, "
                  "first_name, last_name, language (en, de, fr, it). UTF-8, UTF-16 or Windows-1252; separated by "
                  "commas, semicolons or tabs.",
    )
    ownership = forms.ChoiceField(label="Ownership", choices=Ownership.choices, initial=Ownership.CORPORATE,
                                  help_text="Used for rows that leave the ownership column empty.")
    language = LanguageField(help_text="Used for rows that leave the language column empty: the language of the "
                                       "user's email, SMS and activation page.")
    email_user = forms.BooleanField(label="Notify users by Email", required=False)
    sms_user = forms.BooleanField(label="Notify users by SMS", required=False)
    define_otp = forms.BooleanField(label="Define OTP", required=False,
                                    help_text="Use the OTP settings below instead of the OTP policy.")
    otp_content = forms.ChoiceField(label="Content", choices=OtpContent.choices, initial=OtpContent.DIGITS)
    otp_length = forms.IntegerField(label="Length", min_value=MIN_LENGTH, max_value=MAX_LENGTH, initial=8,
                                    required=False)
    otp_validity_hours = forms.IntegerField(label="Validity in hours", min_value=1, max_value=24 * 365,
                                            initial=72, required=False)
    otp_unlimited = forms.BooleanField(label="Unlimited validity", required=False)

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data["csv_file"]
        limit = settings.BULK_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {limit} MB. "
                "Split it into several files."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("define_otp"):
            if not data.get("otp_length"):
                self.add_error("otp_length", "Give the OTP length.")
            if not data.get("otp_unlimited") and not data.get("otp_validity_hours"):
                self.add_error("otp_validity_hours", "Give the validity in hours, or tick Unlimited validity.")
            if data.get("otp_content") and data.get("otp_length"):
                try:
                    data["otp_rule"] = OtpRule(
                        content=data["otp_content"],
                        length=data["otp_length"],
                        validity_hours=None if data.get("otp_unlimited") else data.get("otp_validity_hours"),
                        exclude_lookalikes=OtpPolicy.load().exclude_lookalikes,
                    )
                except OtpRuleError as exc:
                    self.add_error(f"otp_{exc.field}", str(exc))
        return data

    def options(self) -> BulkOptions:
        data = self.cleaned_data
        return BulkOptions(ownership=data["ownership"], email_user=bool(data.get("email_user")),
                           sms_user=bool(data.get("sms_user")), otp=data.get("otp_rule"),
                           language=data.get("language") or DEFAULT_LANGUAGE)
