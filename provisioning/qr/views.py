import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from accounts.ldap import ldap_enabled
from audit.actor import Actor
from enrollment.services import qr_download_record
from lib import qr as qr_render
from lib.qr_http import qr_image_response
from licensing.services import LicenceError, licence_counts
from provisioning.models import DpcSettings, EnrollmentOption
from provisioning.qr import images
from provisioning.qr.forms import QrProvisioningForm
from provisioning.qr.payload import (
    EXTRA_OTP,
    WIFI_PASSWORD,
    payload_warnings,
    readable,
)
from provisioning.qr.readiness import companion_missing_message, setup_warnings
from provisioning.qr.selectors import PERMISSION as QR_PERMISSION
from provisioning.qr.selectors import qr_get, qr_payload_text, qr_row, qr_rows
from provisioning.qr.services import QrProvisioningError, qr_provisioning_create, qr_provisioning_delete, qr_reveal


@console_view(QR_PERMISSION)
def qr_list(request: HttpRequest) -> HttpResponse:
    return render(request, "provisioning/qr_list.html", {
        "rows": qr_rows(request.user),
        "companion_missing": companion_missing_message(DpcSettings.load()),
    })


@sensitive_variables()
@sensitive_post_parameters("wifi_password", "ldap_password")
@console_view(QR_PERMISSION)
@require_http_methods(["GET", "POST"])
def qr_create(request: HttpRequest) -> HttpResponse:
    remaining = licence_counts().remaining
    dpc = DpcSettings.load()
    form = QrProvisioningForm(request.POST or None, remaining_licences=remaining, default_locale=dpc.default_locale,
                              default_time_zone=dpc.time_zone, ldap_enabled=ldap_enabled())
    companion_missing = companion_missing_message(dpc)
    if request.method == "POST" and not companion_missing and form.is_valid():
        try:
            created = qr_provisioning_create(actor=Actor.from_request(request), spec=form.spec())
        except (QrProvisioningError, LicenceError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The QR code was created and checked: it decodes to its payload.")
            return redirect("provisioning:qr_detail", pk=created.qr.pk)
    return render(request, "provisioning/qr_form.html", {
        "form": form, "remaining": remaining, "companion_missing": companion_missing,
        "setup_warnings": [] if companion_missing else setup_warnings(dpc),
    })


@sensitive_variables()
@never_cache
@console_view(QR_PERMISSION)
def qr_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qr = qr_get(request.user, pk)
    row = qr_row(qr)
    text = qr_payload_text(qr)
    payload = json.loads(text)
    automatic = qr.option == EnrollmentOption.AUTOMATIC
    reveal = request.GET.get("reveal") == "1"
    warnings = payload_warnings(payload, text, error_correction=qr.error_correction)
    if broken := qr_reveal(qr=qr, enrollment=row.enrollment, payload=payload, actor=Actor.from_request(request),
                           revealed=reveal):
        warnings.insert(0, broken)
    return render(request, "provisioning/qr_detail.html", {
        "row": row,
        "qr": qr,
        "readable": readable(payload, masked=() if reveal else (WIFI_PASSWORD, EXTRA_OTP)),
        "reveal": reveal,
        "has_secrets": bool(qr.wifi_password_sealed) or automatic,
        "warnings": warnings,
        "version": qr_render.symbol_version(text, qr.error_correction),
    })


@sensitive_variables()
@never_cache
@console_view(QR_PERMISSION)
def qr_image(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The code as PNG or SVG. It holds the payload (OTP, Wi-Fi password), so it is only served
    to permitted staff and never cached by the browser; downloads are audited."""
    qr = qr_get(request.user, pk)
    image_format: qr_render.Format = "svg" if fmt == "svg" else "png"
    try:
        body = images.render(qr_payload_text(qr), image_format, enrollment_token=qr.enrollment_token,
                             error_correction=qr.error_correction)
    except images.QrImageError as exc:
        return HttpResponse(str(exc), status=500, content_type="text/plain")
    if not request.GET.get("download"):
        return qr_image_response(body, image_format)
    qr_download_record(actor=Actor.from_request(request), enrollment_token=qr.enrollment_token,
                       target_username=qr.username, fmt=image_format, details={"qr_id": qr.pk, "option": qr.option})
    return qr_image_response(body, image_format, download_name=f"android-qr-{qr.pk}.{image_format}")


@console_view(QR_PERMISSION)
@require_http_methods(["GET", "POST"])
def qr_delete(request: HttpRequest, pk: int) -> HttpResponse:
    qr = qr_get(request.user, pk)
    row = qr_row(qr)
    if request.method == "POST":
        qr_provisioning_delete(qr=qr, actor=Actor.from_request(request))
        messages.success(request, f"QR code {qr.pk} was deleted.")
        return redirect("provisioning:qr_list")
    return render(request, "provisioning/qr_confirm_delete.html", {"row": row, "qr": qr})
