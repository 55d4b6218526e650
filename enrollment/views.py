from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import console_view
from audit.actor import Actor
from audit.settings_page import settings_page
from enrollment.forms import GeneralSettingsForm, OtpPolicyForm, SelectionForm
from enrollment.links import activation_link, activation_link_qr
from enrollment.models import GeneralSettings, OtpPolicy, PendingEnrollment, Source, State
from enrollment.platforms import FINISH_STEPS
from enrollment.selectors import normalise_sort, pending_get, pending_list_page
from enrollment.services import (
    OTP_UNREADABLE,
    otp_reveal,
    pending_enrollment_delete,
    pending_enrollments_delete,
    qr_download_record,
)
from lib import qr
from lib.qr_http import qr_image_response


@console_view("enrollment.view_pendingenrollment")
def pending_list(request: HttpRequest) -> HttpResponse:
    sort = normalise_sort(request.GET.get("sort", ""))
    filters = {
        "search": request.GET.get("q", "").strip()[:150],
        "source": request.GET.get("source", ""),
        "state": request.GET.get("state", ""),
    }
    page = pending_list_page(request.user, **filters, sort=sort, position=request.GET.get("page", ""),
                             page_size=settings.PENDING_LIST_PAGE_SIZE)
    return render(request, "enrollment/pending_list.html", {
        "page": page,
        "filters": filters,
        "sort": sort,
        "sources": Source.choices,
        "states": State.choices,
    })


@sensitive_variables()
@never_cache
@console_view("enrollment.view_pendingenrollment", "enrollment.view_otp")
def pending_detail(request: HttpRequest, token: str) -> HttpResponse:
    enrollment = pending_get(request.user, token)
    otp = otp_reveal(enrollment=enrollment, actor=Actor.from_request(request))
    return render(request, "enrollment/pending_detail.html", {
        "enrollment": enrollment,
        "otp": otp,
        "otp_unreadable": OTP_UNREADABLE,
        "link": activation_link(enrollment.token),
        "platforms": FINISH_STEPS,
    })


@never_cache
@console_view("enrollment.view_pendingenrollment", "enrollment.view_otp")
def pending_qr(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The QR code of the activation link. The link holds the token, not the OTP; a download
    is audited, the inline image on View OTP is covered by that page's entry."""
    enrollment = pending_get(request.user, token)
    image_format: qr.Format = "png" if fmt == "png" else "svg"
    body = activation_link_qr(enrollment.token, image_format)
    if not request.GET.get("download"):
        return qr_image_response(body, image_format)
    qr_download_record(actor=Actor.from_request(request), enrollment_token=enrollment.token,
                       target_username=enrollment.username, fmt=image_format)
    return qr_image_response(body, image_format, download_name=f"enrollment-{enrollment.username}.{image_format}")


@console_view("enrollment.view_pendingenrollment", "enrollment.delete_pendingenrollment")
@require_http_methods(["GET", "POST"])
def pending_delete(request: HttpRequest, token: str) -> HttpResponse:
    enrollment = pending_get(request.user, token)
    if request.method == "POST":
        pending_enrollment_delete(enrollment=enrollment, actor=Actor.from_request(request))
        messages.success(request, f"The pending enrollment of {enrollment.username} was deleted.")
        return redirect("enrollment:pending_list")
    return render(request, "enrollment/confirm.html", {
        "title": "Delete pending enrollment",
        "question": (f"Delete the pending enrollment of {enrollment.username}? Its activation link stops "
                     f"working and its {enrollment.reserved_licences} reserved licence(s) are released."),
        "enrollment": enrollment,
        "button": "Delete",
        "danger": True,
    })


@console_view("enrollment.view_pendingenrollment", "enrollment.delete_pendingenrollment")
@require_POST
def pending_delete_many(request: HttpRequest) -> HttpResponse:
    """Step one shows what was ticked and asks; step two (confirm=yes) deletes."""
    form = SelectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Select at least one pending enrollment to delete.")
        return redirect("enrollment:pending_list")
    ids = form.cleaned_data["ids"]
    if request.POST.get("confirm") == "yes":
        deleted = pending_enrollments_delete(ids=ids, actor=Actor.from_request(request))
        messages.success(request, f"{deleted} pending enrollment(s) deleted.")
        return redirect("enrollment:pending_list")
    selected = list(PendingEnrollment.objects.restrict(request.user).filter(pk__in=ids).order_by("username")[:1000])
    return render(request, "enrollment/confirm_delete_many.html", {"selected": selected})


@console_view("enrollment.change_otppolicy")
@require_http_methods(["GET", "POST"])
def settings_otp_policy(request: HttpRequest) -> HttpResponse:
    return settings_page(
        request, form_class=OtpPolicyForm, instance=OtpPolicy.load(), name="otp_policy", title="OTP policy",
        success_message="The OTP policy was saved. It applies to OTPs generated from now on.",
        redirect_to="enrollment:settings_otp_policy",
    )


@console_view("enrollment.change_generalsettings")
@require_http_methods(["GET", "POST"])
def settings_general(request: HttpRequest) -> HttpResponse:
    general = GeneralSettings.load()
    return settings_page(
        request, form_class=GeneralSettingsForm, instance=general, name="general", title="General",
        success_message="General settings saved.", redirect_to="enrollment:settings_general",
        intro=format_html("Links and QR codes currently use <code>{}</code>.", general.effective_activation_url()),
    )

