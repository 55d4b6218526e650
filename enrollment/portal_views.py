"""Self-service portal pages (/portal/) and its console setting (Admin > Self Service Portal)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from accounts.access import console_view
from accounts.fields import MobileField
from accounts.models import EndUser
from audit.settings_page import settings_page
from enrollment.links import activation_link, activation_link_qr
from enrollment.models import Ownership, PortalSettings
from enrollment.portal import (
    PortalSignInRefused,
    PortalSignInThrottled,
    portal_actor,
    portal_device_limits,
    portal_end_user,
    portal_enrollment_get,
    portal_enrollment_start,
    portal_pending,
    portal_sign_in,
    portal_sign_out,
)
from enrollment.services import EnrollmentError, otp_reveal
from lib import qr
from lib.text import validate_username_lookup
from licensing.services import LicenceError


class PortalSignInForm(forms.Form):
    # A lookup: names made before the username rule still sign in.
    username = forms.CharField(label=_("Username"), max_length=150, validators=[validate_username_lookup],
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=256,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PortalStartForm(forms.Form):
    mobile = MobileField(label=_("Mobile"), help_text=_("Optional, e.g. +491712345678."),
                         widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    ownership = forms.ChoiceField(label=_("Ownership"), required=False,
                                  choices=[("", _("Not specified"))] + [(v, label) for v, label in Ownership.choices
                                                                        if v != Ownership.UNKNOWN])


# The heading of a device limit reached for one ownership, on the portal's start page.
LIMIT_HEADINGS: dict[str, StrOrPromise] = {Ownership.CORPORATE: _("Company-owned devices:"),
                                           Ownership.PERSONAL: _("Personal devices:")}


class PortalSettingsForm(forms.ModelForm[PortalSettings]):
    class Meta:
        model = PortalSettings
        fields = ["ask_otp_on_activation"]


PortalView = Callable[..., HttpResponse]


def portal_view(view: Callable[..., HttpResponse]) -> PortalView:
    """The page needs a signed-in end user (passed as ``end_user``); else the portal sign-in. Portal pages
    show the end user's OTPs and QR codes: never cached."""

    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        end_user = portal_end_user(request)
        if end_user is None:
            return redirect("portal_login")
        return view(request, end_user, *args, **kwargs)

    return wrapped


@sensitive_variables()
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def portal_login(request: HttpRequest) -> HttpResponse:
    if portal_end_user(request) is not None:
        return redirect("portal_home")
    form = PortalSignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            portal_sign_in(request=request, username=form.cleaned_data["username"],
                           password=form.cleaned_data["password"])
        except PortalSignInRefused as exc:
            form.add_error(None, str(exc))
            status = 429 if isinstance(exc, PortalSignInThrottled) else 200
        else:
            return redirect("portal_home")
    return render(request, "portal/login.html", {"form": form}, status=status)


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    portal_sign_out(request=request)
    return redirect("portal_login")


@portal_view
@require_http_methods(["GET", "POST"])
def portal_home(request: HttpRequest, end_user: EndUser) -> HttpResponse:
    form = PortalStartForm(request.POST if request.method == "POST" else None, initial={"mobile": end_user.mobile})
    if request.method == "POST" and form.is_valid():
        try:
            # The enrollment remembers the language the end user reads the portal in, for its activation page.
            created = portal_enrollment_start(end_user=end_user, actor=portal_actor(request, end_user),
                                              mobile=form.cleaned_data["mobile"],
                                              ownership=form.cleaned_data["ownership"] or Ownership.UNKNOWN,
                                              language=get_language())
        except (EnrollmentError, LicenceError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("portal_enrollment", token=created.enrollment.token)
    limits = portal_device_limits(end_user)
    return render(request, "portal/home.html", {
        "form": form, "end_user": end_user, "pending": portal_pending(end_user),
        # Reached for every ownership (the limit for all devices) or for some: said before Start.
        "at_limit": limits.get(Ownership.UNKNOWN),
        "limits_reached": [(LIMIT_HEADINGS[o], r.detail) for o, r in limits.items() if o in LIMIT_HEADINGS],
    })


@sensitive_variables()
@portal_view
def portal_enrollment(request: HttpRequest, end_user: EndUser, token: str) -> HttpResponse:
    """The end user's own enrollment: link, OTP (audited as a view) and QR code."""
    enrollment = portal_enrollment_get(end_user, token)
    if enrollment is None:
        raise Http404(_("No such enrollment."))
    otp = otp_reveal(enrollment=enrollment, actor=portal_actor(request, end_user))
    return render(request, "portal/enrollment.html", {
        "end_user": end_user, "enrollment": enrollment, "otp": otp, "link": activation_link(enrollment.token),
    })


@portal_view
def portal_qr(request: HttpRequest, end_user: EndUser, token: str) -> HttpResponse:
    """PNG QR code of the activation link, only for the signed-in end user's own enrollments."""
    enrollment = portal_enrollment_get(end_user, token)
    if enrollment is None:
        raise Http404(_("No such enrollment."))
    return HttpResponse(activation_link_qr(enrollment.token, "png"), content_type=qr.CONTENT_TYPES["png"])


@console_view("enrollment.change_portalsettings")
@require_http_methods(["GET", "POST"])
def settings_portal(request: HttpRequest) -> HttpResponse:
    return settings_page(
        request, form_class=PortalSettingsForm, instance=PortalSettings.load(), name="portal",
        title="Self Service Portal: Simple Enrollment", success_message="Simple Enrollment settings saved.",
        redirect_to="enrollment:settings_portal",
    )
