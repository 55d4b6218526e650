"""Admin > Webhooks: the endpoint form."""

from typing import Any

from django import forms

from webhooks.models import Endpoint, Event


class EndpointForm(forms.ModelForm[Endpoint]):
    events = forms.MultipleChoiceField(
        label="Events", choices=Event.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Each event ticked is POSTed to the URL, signed, as it happens.",
        error_messages={"required": "Tick at least one event."})

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "enabled"]
        widgets = {"url": forms.URLInput(attrs={"placeholder": "https://hr.example.com/hooks/onramp"})}
        help_texts = {
            "url": "https, or http to localhost or 127.0.0.1 for testing. Redirects are not followed.",
            "enabled": "A disabled endpoint is sent nothing; its queued deliveries fail.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = "For you: shown in the list and the audit log."
