from typing import Any

from django import forms

from accounts.roles import ROLES
from twofactor.models import TwoStepPolicy


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20,
        help_text="The 6-digit code your authenticator app shows for Onramp, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=10,
        help_text="The 6-digit code your authenticator app now shows for Onramp.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TwoStepPolicyForm(forms.ModelForm[TwoStepPolicy]):
    required_roles = forms.MultipleChoiceField(
        label="Require two-step verification for", choices=[(role, role) for role in ROLES], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Users of these roles set up an authenticator app at their next sign-in and cannot turn it off.",
    )

    class Meta:
        model = TwoStepPolicy
        fields = ["required_roles"]

    def clean_required_roles(self) -> list[str]:
        chosen: Any = self.cleaned_data.get("required_roles") or []
        return [role for role in ROLES if role in chosen]  # in the roles' order, so the audit compares alike
