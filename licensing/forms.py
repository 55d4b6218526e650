from django import forms


class LicenceTotalForm(forms.Form):
    total = forms.IntegerField(label="Total licences", min_value=0, max_value=10_000_000)
