from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from notifications.models import Channel, MessageStatus, MessageTemplate, SmsSettings, TemplateKey
from notifications.rendering import validate_template


class MessageTemplateForm(forms.ModelForm[MessageTemplate]):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 80})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.channel == Channel.SMS:
            del self.fields["subject"]
            self.fields["body"].widget.attrs["rows"] = 4
            self.fields["body"].help_text = "Must contain {{ activation_url }}."
        else:
            self.fields["subject"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "body" in cleaned and (self.instance.channel == Channel.SMS or "subject" in cleaned):
            try:
                validate_template(
                    channel=self.instance.channel, subject=cleaned.get("subject", ""), body=cleaned["body"]
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        self.add_error(field if field in self.fields else None, error)
        return cleaned


class SmsSettingsForm(forms.ModelForm[SmsSettings]):
    class Meta:
        model = SmsSettings
        fields = ["sender_label"]

    def clean_sender_label(self) -> str:
        return str(self.cleaned_data["sender_label"]).strip()


class MessageFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(attrs={"type": "search",
                        "placeholder": "Recipient or username"}))
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "All"), *MessageStatus.choices])
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "All"), *Channel.choices])
    template = forms.ChoiceField(label="Template", required=False, choices=[("", "All"), *TemplateKey.choices])
