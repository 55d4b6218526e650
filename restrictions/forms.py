"""Admin > Enrollment restrictions: the rules' form, and the corporate identifiers' Add, Import and
selection forms."""

import re
from typing import Any

from django import forms

from enrollment.identifiers import BadIdentifier
from enrollment.models import Platform
from restrictions.identifier_csv import IMPORT_MAX_MB, IMPORT_MAX_ROWS, MAX_NOTE
from restrictions.identifiers import SUBJECTS, identifier_normalize, looks_like_imei
from restrictions.models import IdentifierKind, RestrictionSettings
from restrictions.rules import manufacturers_parse, version_key

LIMIT_FIELDS = ("device_limit", "device_limit_corporate", "device_limit_personal")
PLATFORM_FIELDS = ("platforms_corporate", "platforms_personal", "platforms_unknown")
MIN_OS_FIELDS = ("min_os_android", "min_os_ios", "min_os_macos", "min_os_windows")
# Each minimum's example, in the versions that platform's devices report.
VERSION_EXAMPLES = {"min_os_android": "13", "min_os_ios": "17.2", "min_os_macos": "14", "min_os_windows": "10.0.19045"}
# A minimum is ASCII digits and dots only ("14", "10.0.19045"): version_key would read "14 beta" as
# 14, but a minimum that says more than it means is a typo to point out, not to guess at; and "١٠"
# (Arabic-Indic digits, which \d takes) is no version a device reports.
_VERSION_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)*")
BAD_LIMIT = ("Enter a whole number from 1 to 10,000, or leave it empty for no limit. To refuse every device of an "
             "ownership, untick its platforms.")
MAX_MANUFACTURER = 100  # what a device may report (enrollment.identifiers.DEVICE_LIMITS)
# What people separate a list of names with; stored one per line.
_MANUFACTURER_SEPARATORS = re.compile(r"[,;\t\r\n]")


def bad_version(name: str) -> str:
    return f"Enter a version in numbers and dots, such as {VERSION_EXAMPLES[name]}."


class RestrictionSettingsForm(forms.ModelForm[RestrictionSettings]):
    """The rules. ``read_only``: every field disabled (a Super Helpdesk reads them); a disabled
    form that is bound ignores what was posted, but the view refuses such a POST anyway."""

    class Meta:
        model = RestrictionSettings
        fields = [*LIMIT_FIELDS, *PLATFORM_FIELDS,
                  *MIN_OS_FIELDS, "blocked_manufacturers", "corporate_list_required"]
        widgets = {"blocked_manufacturers": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"blocked_manufacturers": 'Separated by commas, semicolons or new lines, e.g. "Huawei; ZTE". '
                                               "Upper and lower case are the same."}

    def __init__(self, *args: Any, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PLATFORM_FIELDS:
            self.fields[name] = forms.MultipleChoiceField(
                label=self.fields[name].label, choices=Platform.choices, required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="A device of a platform not ticked is refused for this ownership; none ticked: no "
                          "device of this ownership can enroll.",
            )
        for name in LIMIT_FIELDS:
            # The model's range, shown by the browser too; one message whatever is wrong (0, -1, 1.5, 20000).
            model_field = self.fields[name]
            self.fields[name] = forms.IntegerField(
                label=model_field.label, help_text=model_field.help_text, required=False, min_value=1,
                max_value=10_000, error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), BAD_LIMIT),
            )
        for name in MIN_OS_FIELDS:
            example = VERSION_EXAMPLES[name]
            self.fields[name].help_text = (f"Empty: any version. Numbers and dots, e.g. {example}; {example} and "
                                           f"{example}.0 are the same.")
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def _clean_platforms(self, name: str) -> list[str]:
        chosen = set(self.cleaned_data.get(name) or [])
        return [value for value in Platform.values if value in chosen]

    def clean_platforms_corporate(self) -> list[str]:
        return self._clean_platforms("platforms_corporate")

    def clean_platforms_personal(self) -> list[str]:
        return self._clean_platforms("platforms_personal")

    def clean_platforms_unknown(self) -> list[str]:
        return self._clean_platforms("platforms_unknown")

    def _clean_version(self, name: str) -> str:
        value: str = self.cleaned_data.get(name, "").strip()
        if value and (not _VERSION_TEXT.fullmatch(value) or version_key(value) is None):
            raise forms.ValidationError(bad_version(name))
        return value

    def clean_min_os_android(self) -> str:
        return self._clean_version("min_os_android")

    def clean_min_os_ios(self) -> str:
        return self._clean_version("min_os_ios")

    def clean_min_os_macos(self) -> str:
        return self._clean_version("min_os_macos")

    def clean_min_os_windows(self) -> str:
        return self._clean_version("min_os_windows")

    def clean_blocked_manufacturers(self) -> str:
        """One name per line, trimmed, each once (upper and lower case are the same: the first
        spelling stays), in the order given; typed separated by commas, semicolons, tabs or lines."""
        names: dict[str, str] = {}
        typed = _MANUFACTURER_SEPARATORS.sub("\n", self.cleaned_data.get("blocked_manufacturers", ""))
        for name in manufacturers_parse(typed):
            if len(name) > MAX_MANUFACTURER:
                raise forms.ValidationError(
                    f"“{name[:30]}…” is longer than {MAX_MANUFACTURER} characters: no device reports such a name.")
            names.setdefault(name.casefold(), name)
        return "\n".join(names.values())


class IdentifierForm(forms.Form):
    """Add one corporate identifier. The identifier is checked and stored as ``identifier_normalize``
    says (as the CSV import and the redemption do); ``cleaned_data["value"]`` is that form."""

    kind = forms.ChoiceField(label="Type", choices=IdentifierKind.choices, initial=IdentifierKind.SERIAL)
    value = forms.CharField(label="Identifier", max_length=100,
                            help_text="A serial number (upper and lower case are the same) or a 15-digit IMEI "
                                      "(spaces and dashes are allowed).")
    note = forms.CharField(label="Note", max_length=MAX_NOTE, required=False,
                           help_text="For your records, e.g. an asset tag or who the device is for.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []  # shown beside the success message, as settings pages show theirs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), data.get("value")
        if kind and value:
            try:
                data["value"] = identifier_normalize(kind, value)
            except BadIdentifier as exc:
                self.add_error("value", f"This {SUBJECTS[IdentifierKind(kind)]} {exc}")
            else:
                if kind == IdentifierKind.SERIAL and looks_like_imei(value):
                    self.warnings.append("This looks like an IMEI; it was added as a serial number. If it is the "
                                         "device's IMEI, delete it and add it again with the Type IMEI.")
        return data


class IdentifierImportForm(forms.Form):
    csv_file = forms.FileField(
        label="CSV file",
        error_messages={"empty": "The file is empty. It needs a header row with a serial_number or imei column."},
        help_text="A header row naming the columns serial_number, imei and note (any case; a row may give a serial "
                  "number, an IMEI or both). UTF-8, UTF-16 or Windows-1252; separated by commas, semicolons or tabs. "
                  f"Up to {IMPORT_MAX_MB} MB and {IMPORT_MAX_ROWS:,} rows.",
    )

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data["csv_file"]
        if upload.size > IMPORT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {IMPORT_MAX_MB} MB. "
                "Split it into several files.")
        return upload


class IdentifierSelectionForm(forms.Form):
    """The identifiers ticked in the list, for Delete selected."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True,
                                         error_messages={"required": "Select at least one identifier."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any integer is a valid choice; ids that no longer exist are ignored by the service.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]
