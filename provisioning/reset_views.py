"""Reset OTP (/devices/pending/<token>/reset/): confirm, optionally re-send the new OTP."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from audit.actor import Actor
from enrollment.models import PendingEnrollment, Source
from enrollment.selectors import pending_get
from licensing.services import LicenceError
from provisioning.qr.services import QrProvisioningError
from provisioning.reset import otp_reset_and_resend


class ResetOtpForm(forms.Form):
    """The re-send choices, offered only for what the user has: checked by default."""

    email = forms.BooleanField(label="Send the new OTP to the user by email", required=False)
    sms = forms.BooleanField(label="Send the new OTP to the user by SMS", required=False)

    def __init__(self, *args: object, enrollment: PendingEnrollment, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if enrollment.email:
            self.fields["email"].initial = True
            self.fields["email"].help_text = enrollment.email
            if enrollment.source == Source.QR:
                self.fields["email"].label = "Send the new OTP and the renewed QR code to the user by email"
        else:
            del self.fields["email"]
        if enrollment.mobile:
            self.fields["sms"].initial = True
            self.fields["sms"].help_text = enrollment.mobile
        else:
            del self.fields["sms"]


@sensitive_variables()
@console_view("enrollment.view_pendingenrollment", "enrollment.reset_otp")
@require_http_methods(["GET", "POST"])
def pending_reset(request: HttpRequest, token: str) -> HttpResponse:
    enrollment = pending_get(request.user, token)
    form = ResetOtpForm(request.POST if request.method == "POST" else None, enrollment=enrollment)
    if request.method == "POST" and form.is_valid():
        email, sms = form.cleaned_data.get("email", False), form.cleaned_data.get("sms", False)
        try:
            otp_reset_and_resend(enrollment=enrollment, actor=Actor.from_request(request), email=email, sms=sms)
        except (LicenceError, QrProvisioningError) as exc:
            messages.error(request, str(exc))
            return redirect("enrollment:pending_list")
        sent = " and ".join(part for part, on in (("email", email), ("SMS", sms)) if on)
        messages.success(request, f"A new OTP was generated for {enrollment.username}; the old one no longer works."
                         + (f" It is on its way by {sent}." if sent else ""))
        if request.user.has_perm("enrollment.view_otp"):
            return redirect("enrollment:pending_detail", token=enrollment.token)
        return redirect("enrollment:pending_list")
    return render(request, "provisioning/reset_confirm.html", {"enrollment": enrollment, "form": form})
