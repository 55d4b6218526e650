"""``GET /api/v1/devices``: the enrolled devices, as the console's Devices list reads them."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.params import Query
from pydantic import Field

from enrollment.models import Device
from integrations import selectors
from integrations.api import schemas
from integrations.api.auth import READ_DEVICES
from integrations.api.enrollments import caller_of, known_query, since
from integrations.api.errors import error_responses
from integrations.api.openapi import scope_extra

router = Router(tags=["Devices"])


class DeviceFilters(schemas.Strict):
    username: str | None = schemas.optional(max_length=150, description="Exactly this username.")
    platform: schemas.PlatformName | None = schemas.optional()
    enrolled_since: schemas.IsoTime | None = schemas.optional(description="Enrolled at or after this time.")
    cursor: str | None = schemas.optional(pattern=schemas.CURSOR_PATTERN, description="A page's `next_cursor`.")
    limit: int = Field(50, ge=1, le=200)


def device_fields(device: Device) -> dict[str, Any]:
    return {
        "device_id": device.public_id, "username": device.username, "user_type": device.user_type,
        "platform": device.platform, "serial_number": device.serial_number, "imei": device.imei,
        "manufacturer": device.manufacturer, "model": device.model, "os_version": device.os_version,
        "ownership": device.ownership, "source": device.source, "enrollment_token": device.enrollment_token,
        "enrolled_at": device.enrolled_at,
    }


@router.get("", auth=READ_DEVICES, url_name="device_list", summary="List enrolled devices",
            response={200: schemas.DevicePage, **error_responses(400, 401, 403, 413, 422, 429)},
            openapi_extra=scope_extra("devices:read", "Newest enrollment first. Follow `next_cursor` until it is "
                                      "null."))
def device_list(request: HttpRequest, filters: Query[DeviceFilters]) -> dict[str, Any]:
    known_query(request, DeviceFilters)
    page = selectors.device_page(caller_of(request), username=filters.username, platform=filters.platform,
                                 enrolled_since=since(filters.enrolled_since, "enrolled_since"),
                                 position=filters.cursor or "", page_size=filters.limit)
    return {"items": [device_fields(device) for device in page.rows],
            "next_cursor": page.next_position if page.has_next else None}
