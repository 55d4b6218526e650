"""Devices (/devices/): enrolled devices with search and pagination for every role; Remove (with a
confirmation) for those who may retire a device."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import console_view
from audit.actor import Actor
from enrollment.devices import device_remove
from enrollment.models import Device, Platform
from enrollment.selectors import device_list_page


@console_view("enrollment.view_device")
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    filters = {"search": request.GET.get("q", "").strip()[:150], "platform": request.GET.get("platform", "")}
    page = device_list_page(request.user, **filters, position=request.GET.get("page", ""),
                            page_size=settings.PENDING_LIST_PAGE_SIZE)
    return render(request, "enrollment/device_list.html", {
        "page": page, "filters": filters, "platforms": Platform.choices,
    })


@console_view("enrollment.view_device", "enrollment.delete_device")
@require_http_methods(["GET", "POST"])
def device_remove_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET asks; POST removes the device (it stops counting toward device limits, its licence is
    returned and its corporate identifiers may enroll again)."""
    device = get_object_or_404(Device.objects.restrict(request.user), public_id=public_id)
    if request.method == "POST":
        if device_remove(device=device, actor=Actor.from_request(request)):
            messages.success(request, f"The device {device} was removed; its licence is back in the pool.")
        return redirect("enrollment:device_list")
    return render(request, "enrollment/device_confirm_remove.html", {"device": device})
