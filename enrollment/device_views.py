"""Devices (/devices/): enrolled devices with search and pagination, read only for every role."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import console_view
from enrollment.models import Device, Platform


@console_view("enrollment.view_device")
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:150]
    platform = request.GET.get("platform", "")
    devices = Device.objects.restrict(request.user).search(search)
    if platform in Platform.values:
        devices = devices.filter(platform=platform)
    page = Paginator(devices.order_by("-enrolled_at", "-id"), settings.PENDING_LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "enrollment/device_list.html", {
        "page": page, "filters": {"search": search, "platform": platform}, "platforms": Platform.choices,
    })
