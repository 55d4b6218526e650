from typing import Any

from django import forms

from accounts.fields import MobileField
from accounts.models import UserType
from enrollment.models import Ownership
from lib.languages import LanguageField
from lib.text import USERNAME_HELP, username_problem, validate_username_lookup


class ProvisionUserForm(forms.Form):
    """Provision User. The authorizing password is never rendered back (render_value=False) and
    is passed once to the service, which checks and forgets it."""

    ownership = forms.ChoiceField(label="Ownership", choices=Ownership.choices, initial=Ownership.CORPORATE)
    username = forms.CharField(
        label="Username", max_length=150, validators=[validate_username_lookup],
        help_text=f"{USERNAME_HELP} LDAP users: their directory username.",
    )
    user_type = forms.ChoiceField(label="User Type", choices=UserType.choices, initial=UserType.LOCAL)
    email = forms.EmailField(
        label="Email", required=False,
        help_text="Optional. For a local user who does not exist yet, the user is created with this address; "
                  "for LDAP users the directory's address is used unless you give one.",
    )
    mobile = MobileField(
        help_text="Optional, e.g. +491712345678. The user receives the enrollment information by SMS.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    language = LanguageField(help_text="The language of the user's email, SMS and activation page.")
    authorizer_username = forms.CharField(
        label="Authorizing Username", max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    authorizer_password = forms.CharField(
        label="Authorizing Password", strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    # Two-step verification of the authorizer (twofactor): asked by the service only of one who uses it.
    authorizer_code = forms.CharField(
        label="Authorizing Code", required=False, max_length=20,
        help_text="If the authorizing user uses two-step verification: the code their authenticator app shows, "
                  "or one of their recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, ldap_enabled: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ldap_enabled = ldap_enabled
        if not ldap_enabled:
            user_type = self.fields["user_type"]
            assert isinstance(user_type, forms.ChoiceField)
            user_type.choices = [(UserType.LOCAL.value, UserType.LOCAL.label)]
            user_type.help_text = "LDAP users can be provisioned once an LDAP server is configured."

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if not username:
            raise forms.ValidationError("Enter the username.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A local username may create the user: the console's rule. LDAP names are the directory's.
        username = data.get("username")
        if username and data.get("user_type") == UserType.LOCAL:
            if problem := username_problem(username):
                self.add_error("username", f"The username {problem}.")
        return data

    def user_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("ownership", "username", "user_type", "email", "mobile", "language")]

    def authorizer_fields(self) -> list[forms.BoundField]:
        return [self["authorizer_username"], self["authorizer_password"], self["authorizer_code"]]
