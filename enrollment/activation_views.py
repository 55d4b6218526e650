"""The activation page /enroll/<token>/ (public): opened on the device from the link, the QR code
or the SMS. Detects the platform, shows its steps, asks for the OTP when Simple Enrollment says so
and completes the enrollment through ``enrollment.redeem`` (the service the API uses)."""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from enrollment.api import device_actor, rate_limit_refusal
from enrollment.identifiers import DEVICE_LIMITS, BadIdentifier, DeviceFacts, device_text_problem, imei_normalize
from enrollment.languages import activation_language_activate
from enrollment.models import PendingEnrollment, Platform, PortalSettings
from enrollment.redeem import RedeemResult, enrollment_redeem, gone_refusal, state_refusal

CHANNEL = "activation_page"

# What the person holding the device does, per platform, in their words: before pressing Enroll this
# device (the companion-app step and, when Simple Enrollment asks for it, the OTP), and after. The finishing
# steps of each platform as the end user reads them, translated (lazily: in the language of the page).
BEFORE: dict[str, list[StrOrPromise]] = {  # keyed by Platform value
    Platform.ANDROID: [_("Install the Companion app on this device if it is not there yet, then open this link "
                         "again.")],
}
AFTER: dict[str, list[StrOrPromise]] = {
    Platform.ANDROID: [_("Open the Companion app: it finishes the enrollment and sets up what your organisation "
                         "needs on this device.")],
    Platform.IOS: [_("The enrollment profile downloads. Open Settings > Profile Downloaded and install it.")],
    Platform.MACOS: [_("The enrollment profile downloads. Open System Settings > Privacy & Security > Profiles "
                       "and install it.")],
    Platform.WINDOWS: [_("Open Settings > Accounts > Access work or school, choose Connect and sign in with your "
                         "work account.")],
}
PRESS: dict[bool, StrOrPromise] = {True: _("Enter the OTP you received and press Enroll this device."),
                                   False: _("Press Enroll this device.")}


def steps_before(platform: str, *, ask_otp: bool) -> list[StrOrPromise]:
    return [*BEFORE.get(platform, []), PRESS[ask_otp]] if platform else []


def companion_links() -> dict[str, str]:
    """Where an Android user gets the Companion app (Admin > Companion app): its Google Play page
    (from the package of the admin component) and the APK download location, when configured."""
    # The one read of provisioning's settings from here; provisioning owns the companion app.
    from provisioning.models import DpcSettings

    dpc = DpcSettings.load()
    package = dpc.component_name.split("/", 1)[0].strip()
    links = {"download": dpc.download_url} if dpc.download_url else {}
    if package:
        links["store"] = f"https://play.google.com/store/apps/details?id={quote(package)}"
    return links


@dataclass(frozen=True)
class UserAgentFacts:
    platform: str
    os_version: str
    model: str


FROZEN_MACOS = "10.15.7"


def detect(user_agent: str) -> UserAgentFacts:
    """Platform, OS version and (where the user agent tells) model. iPadOS 13+ Safari poses as a
    Mac, so an iPad may show up as macOS: the page offers a manual choice. Browsers that freeze the
    version in their user agent (Chrome on Android, every Mac browser, Windows 10 and 11) give no
    version: the person enters it, rather than a stale one that a minimum OS version refuses."""
    ua = user_agent or ""
    if m := re.search(r"Android\s*([\d.]*)", ua):
        model = re.search(r"Android[^;)]*;\s*(?:[a-z]{2}[-_][A-Za-z]{2};\s*)?([^;)]+?)(?:\s+Build/|\))", ua)
        name = model.group(1).strip() if model else ""
        # Chrome's reduced user agent says "Android 10; K" whatever the device runs.
        frozen = name == "K"
        return UserAgentFacts(Platform.ANDROID, "" if frozen else m.group(1), "" if name in {"K", "wv"} else name)
    if m := re.search(r"\((iPhone|iPad|iPod)[^)]*?OS (\d+(?:_\d+)*)", ua):
        return UserAgentFacts(Platform.IOS, m.group(2).replace("_", "."), m.group(1))
    if re.search(r"iPhone|iPad|iPod", ua):
        return UserAgentFacts(Platform.IOS, "", "")
    if m := re.search(r"Mac OS X (\d+(?:[_.]\d+)*)", ua):
        version = m.group(1).replace("_", ".")
        # Every Mac browser has said 10.15.7 since macOS 11.
        return UserAgentFacts(Platform.MACOS, "" if version == FROZEN_MACOS else version, "Mac")
    if m := re.search(r"Windows NT ([\d.]+)", ua):
        # "Windows NT 10.0" is Windows 10 and 11 alike, and no build: the person says which.
        return UserAgentFacts(Platform.WINDOWS, "" if m.group(1) == "10.0" else m.group(1), "")
    return UserAgentFacts("", "", "")


class ActivationForm(forms.Form):
    # Chosen with the page's one device picker ("Your device"), which also picks the steps shown.
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices, widget=forms.HiddenInput,
                                 error_messages={"required": _("Choose your device above first.")})
    otp = forms.CharField(label=_("OTP"), max_length=64, strip=True,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off",
                                                        "spellcheck": "false"}))
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    imei = forms.CharField(label=_("IMEI"), max_length=40, required=False,
                           help_text=_("Phones: dial *#06# to see it."),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=100, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    os_version = forms.CharField(label=_("OS version"), max_length=50, required=False,
                                 help_text=_("Shown in the device's settings, under About (e.g. 14 or 17.2)."))

    def __init__(self, *args: object, ask_otp: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not ask_otp:
            del self.fields["otp"]

    def clean_imei(self) -> str:
        imei: str = self.cleaned_data["imei"]
        try:
            imei_normalize(imei)
        except BadIdentifier as exc:
            raise forms.ValidationError(gettext("The IMEI %(problem)s") % {"problem": exc}) from exc
        return imei

    def clean(self) -> dict[str, object]:
        # The redeem service's rule for what a device says (``DeviceFacts.problem``), told under the field
        # it is about: a tab pasted from a spreadsheet is corrected here, not refused as a bad request.
        data = super().clean() or {}
        for name in DEVICE_LIMITS:
            value = data.get(name)
            if isinstance(value, str) and (problem := device_text_problem(value)):
                self.add_error(name, gettext("This field %(problem)s.") % {"problem": problem})
        return data


def _current_refusal(token: str) -> RedeemResult | None:
    """What a GET can already tell: the link is unknown, used up, locked or expired."""
    enrollment = PendingEnrollment.objects.filter(token=token).only("state", "otp_expires_at", "uses_remaining").first()
    return gone_refusal(token) if enrollment is None else state_refusal(enrollment)


def _page(request: HttpRequest, template: str, context: dict[str, object], platform: str, status: int = 200,
          **extra: object) -> HttpResponse:
    steps = {"platform": platform, "platform_label": Platform(platform).label if platform else "",
             "steps": steps_before(platform, ask_otp=bool(context["ask_otp"])), "after_steps": AFTER.get(platform, []),
             "companion": companion_links() if platform == Platform.ANDROID else {}}
    return render(request, f"enrollment/{template}.html", {**context, **steps, **extra}, status=status)


@sensitive_variables()
@sensitive_post_parameters("otp")
@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    activation_language_activate(request, token)
    ask_otp = PortalSettings.load().ask_otp_on_activation
    detected = detect(request.META.get("HTTP_USER_AGENT", ""))
    chosen = request.GET.get("platform", "")
    platform = chosen if chosen in Platform.values else detected.platform
    context: dict[str, object] = {"token": token, "ask_otp": ask_otp, "detected": detected.platform,
                                  "platforms": Platform.choices}

    if request.method == "POST":
        actor = device_actor(request)
        limited = rate_limit_refusal(actor, channel=CHANNEL, token=token)
        if limited is not None:
            response = _page(request, "activation_outcome", context, platform, limited.status, result=limited)
            response["Retry-After"] = str(limited.retry_after)
            return response
        form = ActivationForm(request.POST, ask_otp=ask_otp)
        if not form.is_valid():
            posted = request.POST.get("platform", "")
            return _page(request, "activation", context, posted if posted in Platform.values else platform, 400,
                         form=form)
        data = form.cleaned_data
        result = enrollment_redeem(
            token=token, otp=data["otp"] if ask_otp else None, actor=actor, channel=CHANNEL,
            device=DeviceFacts(platform=data["platform"], serial_number=data["serial_number"], imei=data["imei"],
                               manufacturer=data["manufacturer"], model=data["model"], os_version=data["os_version"]),
        )
        if result.ok:
            return _page(request, "activation_done", context, data["platform"], result=result)
        if result.error != "wrong_otp" or result.attempts_left == 0:
            return _page(request, "activation_outcome", context, data["platform"], result.status, result=result)
        form.add_error("otp", result.detail)
        return _page(request, "activation", context, data["platform"], result.status, form=form)

    refusal = _current_refusal(token)
    if refusal is not None:
        return _page(request, "activation_outcome", context, platform, refusal.status, result=refusal)
    same = platform == detected.platform
    form = ActivationForm(ask_otp=ask_otp, initial={
        "platform": platform,
        "os_version": detected.os_version if same else "",
        "model": detected.model if same else "",
    })
    return _page(request, "activation", context, platform, form=form)
