"""Admin > API keys' form, and the form the API's create runs its input through: Provision User's
own, without the authorizer (the key is the credential), so its rules hold in one place."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from integrations.models import Scope
from provisioning.single.forms import ProvisionUserForm


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100,
                           help_text="Who uses the key, e.g. “Workday onboarding”. Its API calls are audited under "
                                     "this name.")
    scopes = forms.MultipleChoiceField(label="Scopes", choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                       help_text="Give an integration only what it needs.")
    expires_on = forms.DateField(label="Expires on", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="Optional. The key stops working at the end of this day (server time). "
                                           "Empty: it works until it is revoked.")

    def clean_expires_on(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return timezone.make_aware(datetime.combine(day, time.max))


class EnrollmentCreateForm(ProvisionUserForm):
    """Provision User's fields and checks (username rule, email, mobile, user type), its authorizer
    left out (the API key vouches), plus the usage count."""

    usage_count = forms.IntegerField(label="Usage Count", min_value=1, max_value=100_000, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["authorizer_username"], self.fields["authorizer_password"], self.fields["authorizer_code"]
