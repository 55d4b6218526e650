"""Devices (/devices/): enrolled devices with search and pagination, read only for every role."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import console_view
from enrollment.models import Platform
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
