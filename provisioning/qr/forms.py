from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from accounts.models import UserType
from enrollment.models import OtpContent
from enrollment.otp import MAX_LENGTH, MIN_LENGTH, OtpRule, OtpRuleError
from lib.text import USERNAME_HELP, username_problem, validate_username_lookup
from provisioning.models import DpcSettings, EnrollmentOption, ErrorCorrection, NetworkType, WifiSecurity
from provisioning.qr.checksums import ChecksumError, file_sha256_base64url, sha256_to_base64url
from provisioning.qr.payload import WifiNetwork
from provisioning.qr.services import LDAP_NOT_CONFIGURED, QrSpec
from provisioning.qr.validation import (
    clean_component_name,
    clean_locale,
    clean_security,
    clean_ssid,
    clean_time_zone,
    clean_wifi_password,
)

CUSTOM_LOCALE = "custom"
LOCALES = [
    ("en_US", "English (en_US)"),
    ("en_GB", "English, United Kingdom (en_GB)"),
    ("de_DE", "German (de_DE)"),
    ("de_CH", "German, Switzerland (de_CH)"),
    ("fr_FR", "French (fr_FR)"),
    ("fr_CH", "French, Switzerland (fr_CH)"),
    ("it_IT", "Italian (it_IT)"),
    ("it_CH", "Italian, Switzerland (it_CH)"),
    ("es_ES", "Spanish (es_ES)"),
    ("nl_NL", "Dutch (nl_NL)"),
    (CUSTOM_LOCALE, "Custom…"),
]


class DpcSettingsForm(forms.ModelForm[DpcSettings]):
    """Admin > Companion app. Checksums are accepted as apksigner prints them (hex, colons
    allowed) or as base64url, and stored as padded URL-safe base64."""

    class Meta:
        model = DpcSettings
        fields = ["name", "component_name", "download_url", "signature_checksum", "package_checksum",
                  "skip_encryption", "default_locale", "time_zone"]
        help_texts = {
            "component_name": "The DeviceAdminReceiver in the APK: com.example.companion/.AdminReceiver",
            "download_url": "Where devices download the APK; https (http works, but is not protected).",
            "signature_checksum": "apksigner verify --print-certs: \"Signer #1 certificate SHA-256 digest\" "
                                  "(hex, colons allowed) or URL-safe base64.",
            "package_checksum": "SHA-256 of the whole APK file (hex or URL-safe base64), or upload the APK below. "
                                "Changes with every build and wins over the signature checksum on the device; "
                                "some setup wizards (GrapheneOS's) require it.",
            "default_locale": "language_COUNTRY, e.g. en_US",
            "time_zone": "IANA time zone, e.g. Europe/Berlin: the default for new QR codes. Leave empty to keep "
                         "each device's own time zone.",
        }

    package_apk = forms.FileField(
        label="APK file", required=False,
        help_text="Optional: the exact APK served at the download URL; its package checksum is computed and saved. "
                  "The file itself is not kept.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "component_name", "download_url", "signature_checksum", "package_checksum",
                           "package_apk", "skip_encryption"])
        # Entered forms (hex with colons: 95 characters) are longer than the stored 44.
        for name in ("signature_checksum", "package_checksum"):
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            field.max_length = 200
            field.validators = []
            field.widget.attrs["maxlength"] = "200"
        for name in ("component_name", "download_url", "signature_checksum"):
            self.fields[name].required = True
        self.warnings: list[str] = []

    def clean_component_name(self) -> str:
        return clean_component_name(self.cleaned_data["component_name"])

    def clean_download_url(self) -> str:
        url: str = self.cleaned_data["download_url"].strip()
        if not url.startswith(("https://", "http://")):
            raise ValidationError("The APK download URL must start with https:// (or http://).")
        if url.startswith("http://"):
            self.warnings.append("The APK download URL uses http: the APK travels unencrypted. Prefer https.")
        return url

    def _checksum(self, name: str) -> str:
        value: str = self.cleaned_data.get(name, "") or ""
        if not value.strip():
            return ""
        try:
            return sha256_to_base64url(value)
        except ChecksumError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_signature_checksum(self) -> str:
        return self._checksum("signature_checksum")

    def clean_package_checksum(self) -> str:
        return self._checksum("package_checksum")

    def clean_package_apk(self) -> UploadedFile[bytes] | None:
        apk: UploadedFile[bytes] | None = self.cleaned_data.get("package_apk")
        if apk is not None:
            apk.seek(0)
            if apk.read(4) != b"PK\x03\x04":
                raise ValidationError("This is not an APK file (an APK is a ZIP archive).")
            apk.seek(0)
        return apk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        apk = data.get("package_apk")
        if apk is not None and "package_checksum" not in self.errors:
            computed = file_sha256_base64url(apk.chunks())
            entered = data.get("package_checksum") or ""
            if entered and entered != computed:
                self.add_error("package_checksum", "This package checksum does not match the uploaded APK "
                                                   f"({computed}). Clear it to use the APK's.")
            else:
                data["package_checksum"] = computed
        return data

    def clean_default_locale(self) -> str:
        return clean_locale(self.cleaned_data["default_locale"])

    def clean_time_zone(self) -> str:
        value: str = self.cleaned_data["time_zone"].strip()
        return clean_time_zone(value) if value else ""


class QrProvisioningForm(forms.Form):
    # Most fields are needed only for one option or network: no label carries the required marker
    # (read by templates/includes/field.html).
    required_marker = False
    option = forms.ChoiceField(label="Enrollment Option", choices=EnrollmentOption.choices,
                               widget=forms.RadioSelect, initial=EnrollmentOption.SELF_SERVICE_PORTAL)
    # Automatic Provisioning
    user_type = forms.ChoiceField(label="User Type", choices=[(UserType.LOCAL, "Local"), (UserType.LDAP, "LDAP")],
                                  widget=forms.RadioSelect, initial=UserType.LOCAL, required=False)
    ldap_username = forms.CharField(label="Your LDAP username", max_length=150, required=False,
                                    help_text="LDAP users only: your administrative LDAP credentials.")
    ldap_password = forms.CharField(label="Your LDAP password", required=False, strip=False,
                                    widget=forms.PasswordInput(render_value=False))
    username = forms.CharField(label="Username", max_length=150, required=False, validators=[validate_username_lookup],
                               help_text=f"{USERNAME_HELP} LDAP users: their directory username.")
    usage_count = forms.IntegerField(label="Usage Count", min_value=1, initial=1, required=False,
                                     help_text="How many devices may enroll with this code; each reserves a licence.")
    define_otp = forms.BooleanField(label="Define OTP", required=False,
                                    help_text="Override the OTP policy for this code.")
    otp_content = forms.ChoiceField(label="Content", choices=OtpContent.choices, required=False)
    otp_length = forms.IntegerField(label="Length", min_value=MIN_LENGTH, max_value=MAX_LENGTH, required=False)
    otp_validity_hours = forms.IntegerField(label="Validity (hours)", min_value=1, max_value=24 * 365,
                                            required=False)
    otp_unlimited = forms.BooleanField(label="Unlimited validity", required=False)
    send_to_user = forms.BooleanField(label="Send QR-Code to User", required=False)
    # Both options
    locale = forms.ChoiceField(label="Localization", choices=LOCALES)
    custom_locale = forms.CharField(label="Custom localization", max_length=10, required=False,
                                    help_text="language_COUNTRY, e.g. pt_BR")
    time_zone = forms.CharField(label="Time zone", max_length=64, required=False,
                                help_text="IANA time zone of the site, e.g. Europe/Berlin. Leave empty to keep "
                                          "the device's own time zone.")
    network_type = forms.ChoiceField(label="Network Type", choices=NetworkType.choices, widget=forms.RadioSelect,
                                     initial=NetworkType.WIFI)
    wifi_ssid = forms.CharField(label="SSID", max_length=64, required=False, strip=False)
    wifi_security = forms.ChoiceField(label="Security", choices=WifiSecurity.choices, required=False,
                                      initial=WifiSecurity.WPA)
    wifi_password = forms.CharField(label="Password", max_length=128, required=False, strip=False,
                                    widget=forms.PasswordInput(render_value=True))
    wifi_hidden = forms.BooleanField(label="Hidden network", required=False)
    error_correction = forms.ChoiceField(
        label="Error correction", choices=ErrorCorrection.choices, initial=ErrorCorrection.M, required=False,
        help_text="L makes a smaller code (fewer, larger modules) that is easier to scan when the payload is "
                  "large; M survives more damage.")
    notify_alternative = forms.BooleanField(label="Send Notification to Alternative Address", required=False)
    alternative_email = forms.EmailField(label="Alternative email address", required=False)

    def __init__(self, *args: Any, remaining_licences: int, default_locale: str = "en_US",
                 default_time_zone: str = "", ldap_enabled: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.remaining_licences = remaining_licences
        if not ldap_enabled:
            # As Provision User words it: LDAP is offered once a directory is configured.
            user_type = self.fields["user_type"]
            assert isinstance(user_type, forms.ChoiceField)
            user_type.choices = [(UserType.LOCAL.value, "Local")]
            user_type.help_text = LDAP_NOT_CONFIGURED
            user_type.error_messages["invalid_choice"] = LDAP_NOT_CONFIGURED
        self.fields["time_zone"].initial = default_time_zone
        self.fields["usage_count"].help_text += f" {remaining_licences} licence(s) remaining."
        known = {code for code, _ in LOCALES}
        if default_locale in known:
            self.fields["locale"].initial = default_locale
        else:
            self.fields["locale"].initial = CUSTOM_LOCALE
            self.fields["custom_locale"].initial = default_locale

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        automatic = data.get("option") == EnrollmentOption.AUTOMATIC
        if automatic:
            self._clean_automatic(data)
        self._clean_locale(data)
        self._clean_time_zone(data)
        if data.get("network_type") == NetworkType.WIFI:
            self._clean_wifi(data)
        if data.get("notify_alternative") and not data.get("alternative_email"):
            if "alternative_email" not in self.errors:
                self.add_error("alternative_email", "Enter the alternative email address.")
        return data

    def _clean_automatic(self, data: dict[str, Any]) -> None:
        username = (data.get("username") or "").strip()
        data["username"] = username
        if not username:
            self.add_error("username", "Enter the username the devices enroll for.")
        count = data.get("usage_count")
        if count is None and "usage_count" not in self.errors:
            self.add_error("usage_count", "Enter a usage count.")
        elif count is not None and count > self.remaining_licences:
            self.add_error("usage_count", f"The usage count cannot exceed the remaining licences "
                                          f"({self.remaining_licences}).")
        if data.get("user_type") not in UserType.values:
            self.add_error("user_type", "Choose Local or LDAP.")
        elif data["user_type"] == UserType.LOCAL and username and "username" not in self.errors:
            # A local name is the code's user as typed, perhaps not on file: the console's rule.
            if problem := username_problem(username):
                self.add_error("username", f"The username {problem}.")
        elif data["user_type"] == UserType.LDAP:
            if not data.get("ldap_username"):
                self.add_error("ldap_username", "LDAP users need your LDAP username.")
            if not data.get("ldap_password"):
                self.add_error("ldap_password", "LDAP users need your LDAP password.")
        if data.get("define_otp"):
            for name in ("otp_content", "otp_length"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Required when Define OTP is ticked.")
            if not data.get("otp_unlimited") and not data.get("otp_validity_hours") \
                    and "otp_validity_hours" not in self.errors:
                self.add_error("otp_validity_hours", "Enter the validity in hours, or tick Unlimited validity.")
            if data.get("otp_content") and data.get("otp_length"):
                try:
                    OtpRule(content=data["otp_content"], length=data["otp_length"],
                            validity_hours=None if data.get("otp_unlimited") else data.get("otp_validity_hours"))
                except OtpRuleError as exc:
                    self.add_error(f"otp_{exc.field}", str(exc))

    def _clean_locale(self, data: dict[str, Any]) -> None:
        if data.get("locale") == CUSTOM_LOCALE:
            try:
                data["locale"] = clean_locale(data.get("custom_locale") or "")
            except ValidationError as exc:
                self.add_error("custom_locale", exc)

    def _clean_time_zone(self, data: dict[str, Any]) -> None:
        value = (data.get("time_zone") or "").strip()
        try:
            data["time_zone"] = clean_time_zone(value) if value else ""
        except ValidationError as exc:
            self.add_error("time_zone", exc)

    def _clean_wifi(self, data: dict[str, Any]) -> None:
        for name, check in (("wifi_ssid", clean_ssid), ("wifi_security", clean_security)):
            try:
                data[name] = check(data.get(name) or "")
            except ValidationError as exc:
                self.add_error(name, exc)
        if "wifi_security" in data and not self.has_error("wifi_security"):
            try:
                data["wifi_password"] = clean_wifi_password(data["wifi_security"], data.get("wifi_password") or "")
            except ValidationError as exc:
                self.add_error("wifi_password", exc)

    def otp_rule(self) -> OtpRule | None:
        data = self.cleaned_data
        if not data.get("define_otp"):
            return None
        return OtpRule(
            content=data["otp_content"],
            length=data["otp_length"],
            validity_hours=None if data.get("otp_unlimited") else data["otp_validity_hours"],
            # An override asks for exactly this content; keep look-alikes out of letters as the policy default does.
            exclude_lookalikes=True,
        )

    def spec(self) -> QrSpec:
        data = self.cleaned_data
        automatic = data["option"] == EnrollmentOption.AUTOMATIC
        wifi = None
        if data["network_type"] == NetworkType.WIFI:
            wifi = WifiNetwork(ssid=data["wifi_ssid"], security=data["wifi_security"],
                               password=data.get("wifi_password") or "", hidden=bool(data.get("wifi_hidden")))
        ldap = automatic and data.get("user_type") == UserType.LDAP
        return QrSpec(
            option=data["option"],
            locale=data["locale"],
            wifi=wifi,
            time_zone=data.get("time_zone") or "",
            username=data["username"] if automatic else "",
            user_type=(data.get("user_type") or UserType.LOCAL) if automatic else UserType.LOCAL,
            usage_count=data["usage_count"] if automatic else 0,
            otp_rule=self.otp_rule() if automatic else None,
            send_to_user=bool(automatic and data.get("send_to_user")),
            alternative_email=(data.get("alternative_email") or "") if data.get("notify_alternative") else "",
            error_correction=data.get("error_correction") or ErrorCorrection.M,
            ldap_authorizer=(data["ldap_username"], data["ldap_password"]) if ldap else None,
        )
