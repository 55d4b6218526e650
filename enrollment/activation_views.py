"""The activation page /enroll/<token>/ (public): opened on the device from the link, the QR code
or the SMS. Detects the platform, shows its steps, asks for the OTP when Simple Enrollment says so
and completes the enrollment through ``enrollment.redeem`` (the service the API uses)."""

import re
from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from enrollment.api import device_actor, rate_limit_refusal
from enrollment.models import PendingEnrollment, Platform, PortalSettings
from enrollment.platforms import FINISH_STEPS, PlatformSteps
from enrollment.redeem import DeviceFacts, RedeemResult, enrollment_redeem, gone_refusal, state_refusal

CHANNEL = "activation_page"

# What the person holding the device does, per platform (the reference's "Finish Provisioning").
STEPS: dict[str, list[str]] = {  # keyed by Platform value
    Platform.ANDROID: [
        "If the Companion app is not installed yet, install it from Google Play, then open this link again.",
        "Enter the OTP you received and press Enroll this device.",
        "Follow the enrollment the device starts. (Android Enterprise Device Owner devices enroll during "
        "the out-of-the-box setup instead.)",
    ],
    Platform.IOS: [
        "Enter the OTP you received and press Enroll this device.",
        "The enrollment profile downloads. Open Settings > Profile Downloaded and install it.",
        "Devices in the Device Enrollment Program enroll during the out-of-the-box setup instead.",
    ],
    Platform.MACOS: [
        "Enter the OTP you received and press Enroll this device.",
        "The enrollment profile downloads. Open System Settings > Privacy & Security > Profiles and install it.",
    ],
    Platform.WINDOWS: [
        "Enter the OTP you received and press Enroll this device.",
        "Open Settings > Accounts > Access work or school > Connect and sign in with your account.",
        "SMS enrollment is not available for Windows 10/11: use this page on the device itself.",
    ],
}
FINISH_KEY: dict[str, str] = {Platform.ANDROID: "android", Platform.IOS: "apple", Platform.MACOS: "apple",
              Platform.WINDOWS: "windows"}


@dataclass(frozen=True)
class UserAgentFacts:
    platform: str
    os_version: str
    model: str


def detect(user_agent: str) -> UserAgentFacts:
    """Platform, OS version and (where the user agent tells) model. iPadOS 13+ Safari poses as a
    Mac, so an iPad may show up as macOS: the page offers a manual choice."""
    ua = user_agent or ""
    if m := re.search(r"Android\s*([\d.]*)", ua):
        model = re.search(r"Android[^;)]*;\s*(?:[a-z]{2}[-_][A-Za-z]{2};\s*)?([^;)]+?)(?:\s+Build/|\))", ua)
        name = model.group(1).strip() if model else ""
        return UserAgentFacts(Platform.ANDROID, m.group(1), "" if name in {"K", "wv"} else name)
    if m := re.search(r"\((iPhone|iPad|iPod)[^)]*?OS (\d+(?:_\d+)*)", ua):
        return UserAgentFacts(Platform.IOS, m.group(2).replace("_", "."), m.group(1))
    if re.search(r"iPhone|iPad|iPod", ua):
        return UserAgentFacts(Platform.IOS, "", "")
    if m := re.search(r"Mac OS X (\d+(?:[_.]\d+)*)", ua):
        return UserAgentFacts(Platform.MACOS, m.group(1).replace("_", "."), "Mac")
    if m := re.search(r"Windows NT ([\d.]+)", ua):
        return UserAgentFacts(Platform.WINDOWS, m.group(1), "")
    return UserAgentFacts("", "", "")


class ActivationForm(forms.Form):
    platform = forms.ChoiceField(label="Platform", choices=[("", "Choose your device's platform")] + Platform.choices)
    otp = forms.CharField(label="OTP", max_length=64, strip=True,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off",
                                                        "spellcheck": "false"}))
    serial_number = forms.CharField(label="Serial number", max_length=100, required=False)
    model = forms.CharField(label="Model", max_length=100, required=False)
    os_version = forms.CharField(label="OS version", max_length=50, required=False)

    def __init__(self, *args: object, ask_otp: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not ask_otp:
            del self.fields["otp"]


def _current_refusal(token: str) -> RedeemResult | None:
    """What a GET can already tell: the link is unknown, used up, locked or expired."""
    enrollment = PendingEnrollment.objects.filter(token=token).only("state", "otp_expires_at", "uses_remaining").first()
    return gone_refusal(token) if enrollment is None else state_refusal(enrollment)


def _platform_context(platform: str) -> dict[str, object]:
    finish: PlatformSteps | None = next((p for p in FINISH_STEPS if p.key == FINISH_KEY.get(platform)), None)
    return {"platform": platform, "platform_label": Platform(platform).label if platform else "",
            "steps": STEPS.get(platform, []), "finish": finish}


def _page(request: HttpRequest, template: str, context: dict[str, object], platform: str, status: int = 200,
          **extra: object) -> HttpResponse:
    return render(request, f"enrollment/{template}.html", {**context, **_platform_context(platform), **extra},
                  status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
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
            device=DeviceFacts(platform=data["platform"], serial_number=data["serial_number"], model=data["model"],
                               os_version=data["os_version"]),
        )
        if result.ok:
            return _page(request, "activation_done", context, data["platform"], result=result)
        if result.error != "wrong_otp":
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
