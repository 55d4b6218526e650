from typing import Any, cast

from django import forms
from django.db.models import Field

from enrollment.models import GeneralSettings, OtpPolicy
from enrollment.otp import OtpRule, OtpRuleError


class OtpPolicyForm(forms.ModelForm[OtpPolicy]):
    class Meta:
        model = OtpPolicy
        fields = ["content", "exclude_lookalikes", "length", "validity_hours", "max_attempts"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's range checks run on the form fields, before clean(): so clean() only asks
        # OtpRule about values in range, and a value out of range gets the one range message.
        for name in ("length", "validity_hours"):
            self.fields[name].validators.extend(cast(Field[Any, Any], OtpPolicy._meta.get_field(name)).validators)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("content") and data.get("length"):
            try:
                OtpRule(content=data["content"], length=data["length"], validity_hours=data.get("validity_hours"))
            except OtpRuleError as exc:
                self.add_error(exc.field, str(exc))
        return data


class GeneralSettingsForm(forms.ModelForm[GeneralSettings]):
    class Meta:
        model = GeneralSettings
        fields = ["activation_url"]

    def clean_activation_url(self) -> str:
        url: str = self.cleaned_data["activation_url"].strip().rstrip("/")
        if url and not url.startswith(("https://", "http://")):
            raise forms.ValidationError("The Activation URL must start with https:// (or http:// for a test setup).")
        if "?" in url or "#" in url:
            raise forms.ValidationError("The Activation URL is a base URL: no query string or fragment.")
        return url


class SelectionForm(forms.Form):
    """The pending enrollments ticked in the list, for Delete selected."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True,
                                         error_messages={"required": "Select at least one pending enrollment."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any integer is a valid choice; ids that no longer exist are ignored by the service.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]
