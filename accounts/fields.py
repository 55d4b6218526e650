from typing import Any

from django import forms

from accounts.end_users import EndUserError, mobile_e164


class MobileField(forms.CharField):
    """A mobile number, cleaned to E.164 with ``mobile_e164``, the one parser (PHONE_DEFAULT_REGION
    for national numbers; bare digits read with and without a country code); "" when left empty. A
    bad number, or one that reads as two, gets mobile_e164's message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Mobile")
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        try:
            return mobile_e164(text)
        except EndUserError as exc:
            raise forms.ValidationError(str(exc)) from exc
