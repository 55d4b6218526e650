from typing import Any

from django import forms

from accounts.roles import ROLES
from twofactor.models import TwoStepPolicy


class CodeForm(forms.Form):
    """A code of the authenticator app or a recovery code. ``label`` tells the account page's two forms
    apart; ``autofocus`` where the code is the page's one task (the sign-in's code step)."""

    code = forms.CharField(
        label="Code", max_length=20,
        help_text="The 6-digit code your authenticator app shows for Onramp, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, label: str = "Code", autofocus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label
        if autofocus:
            field.widget.attrs["autofocus"] = True


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=10,
        help_text="The 6-digit code your authenticator app now shows for Onramp.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
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
