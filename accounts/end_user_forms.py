"""The console form for a local end user (Admin > End users)."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.fields import MobileField
from accounts.models import EndUser, UserType
from lib.text import USERNAME_HELP, username_problem


class EndUserForm(forms.ModelForm[EndUser]):
    """Local end users only: LDAP ones are managed in the directory. The password is never
    re-rendered; on edit an empty one keeps the current password."""

    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        required=False, strip=False,
        help_text="Required for a new end user; leave empty to keep the current password. "
                  "The end user signs in to the self-service portal with it.",
    )

    class Meta:
        model = EndUser
        fields = ["username", "email", "mobile", "first_name", "last_name", "is_active"]
        labels = {"username": "Username", "email": "Email", "mobile": "Mobile", "first_name": "First name",
                  "last_name": "Last name", "is_active": "Active"}
        help_texts = {"username": USERNAME_HELP,
                      "mobile": "Optional. E.164 (+491712345678), or a national number read in the default "
                                "region."}
        field_classes = {"mobile": MobileField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = "The end user signs in to the self-service portal with it."

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        # A name kept from before the rule is not re-judged: the end user signs in with it.
        if problem := username_problem(username, lookup=username == self.instance.username):
            raise ValidationError(f"The username {problem}.", code="invalid_username")
        taken = EndUser.objects.filter(user_type=UserType.LOCAL, username=username).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"A local end user named “{username}” already exists.")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            # As Django's UserCreationForm: compare the password with the new username, names and
            # email (the similarity validator only reads those attributes).
            candidate = EndUser(**{name: cleaned.get(name, getattr(self.instance, name))
                                   for name in ("username", "email", "first_name", "last_name")})
            try:
                validate_password(password, candidate)  # type: ignore[arg-type]
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned
