from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from accounts.models import User
from accounts.roles import ROLES


class ConsoleUserForm(forms.ModelForm[User]):
    role = forms.ChoiceField(label="Role", choices=[(r, r) for r in ROLES])
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(render_value=False), required=False, strip=False,
        help_text="Required for a new user; leave empty to keep the current password.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_active", "receive_email_alerts"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            current = self.instance.groups.filter(name__in=ROLES).values_list("name", flat=True).first()
            if current:
                self.fields["role"].initial = current
        else:
            self.fields["password"].required = True
        self.fields["email"].required = True

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            validate_password(password, self.instance)
        return password

    def role_group(self) -> Group:
        return Group.objects.get(name=self.cleaned_data["role"])
