"""The device JSON API (``POST /api/v1/enrollments/redeem``). No session, no CSRF: devices and the
companion app post JSON; the token or the username plus OTP is the credential."""

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from audit.actor import Actor
from enrollment import ratelimit
from enrollment.identifiers import DeviceFacts
from enrollment.languages import redeem_language_activate
from enrollment.redeem import (
    RedeemResult,
    bad_request,
    enrollment_redeem,
    rate_limited,
    redeem_refused_record,
)

MAX_BODY = 16 * 1024
CHANNEL = "api"
TOO_LARGE = RedeemResult(status=413, error="too_large",
                         detail=format_lazy(_("The request body is larger than {size} KiB."), size=MAX_BODY // 1024))


def device_actor(request: HttpRequest) -> Actor:
    """Devices are nobody in the console: never the signed-in console user of this browser."""
    return Actor.outside(request, "device")


def rate_limit_refusal(actor: Actor, *, channel: str, token: str = "") -> RedeemResult | None:
    """The 429 answer when ``actor``'s address redeems too often, else None. Audited once per
    window, not once per request of a flood."""
    decision = ratelimit.redeem_hit(actor.ip)
    if decision.allowed:
        return None
    result = rate_limited(decision.retry_after)
    if decision.first_refusal:
        redeem_refused_record(actor=actor, result=result, channel=channel, token=token)
    return result


def result_response(result: RedeemResult) -> JsonResponse:
    response = JsonResponse(result.as_json(), status=result.status)
    if result.retry_after is not None:
        response["Retry-After"] = str(result.retry_after)
    response["Cache-Control"] = "no-store"
    return response


class BadPayload(ValueError):
    pass


@sensitive_variables()
def read_body(request: HttpRequest) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY. Read here rather than through
    ``request.body``, which raises RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE (Django then
    answers with its HTML 400) and would hold megabytes before refusing them."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _text(data: dict[str, Any], key: str, where: str = "") -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadPayload(gettext("%(field)s must be a string.") % {"field": f"{where}{key}"})
    return value


@sensitive_variables()
def parse_payload(body: bytes) -> tuple[str | None, str | None, str | None, DeviceFacts]:
    """(token, username, otp, device) from the request body, or BadPayload with a reason."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
        raise BadPayload(gettext("The body must be JSON.")) from exc
    if not isinstance(data, dict):
        raise BadPayload(gettext("The body must be a JSON object."))
    device = data.get("device")
    if not isinstance(device, dict):
        raise BadPayload(gettext("device must be an object with at least a platform."))
    facts = DeviceFacts(
        platform=_text(device, "platform", "device.") or "",
        serial_number=_text(device, "serial_number", "device.") or "",
        imei=_text(device, "imei", "device.") or "",
        manufacturer=_text(device, "manufacturer", "device.") or "",
        model=_text(device, "model", "device.") or "",
        os_version=_text(device, "os_version", "device.") or "",
    )
    return _text(data, "token"), _text(data, "username"), _text(data, "otp"), facts


@sensitive_variables()
@csrf_exempt
@require_POST
def redeem(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/enrollments/redeem → 201 with the device (200 with the same device for a repeat
    of a redemption that already succeeded), or an error body
    {"error", "detail", "attempts_left"} with 400/401/404/409/410/413/423/429."""
    actor = device_actor(request)
    limited = rate_limit_refusal(actor, channel=CHANNEL)
    if limited is not None:
        return result_response(limited)
    body = read_body(request)
    if body is None:
        return result_response(redeem_refused_record(actor=actor, result=TOO_LARGE, channel=CHANNEL))
    try:
        token, username, otp, facts = parse_payload(body)
    except BadPayload as exc:
        return result_response(redeem_refused_record(actor=actor, result=bad_request(str(exc)), channel=CHANNEL))
    if otp is None:
        # The API always asks for the OTP; only the activation link may go without one.
        return result_response(redeem_refused_record(actor=actor, result=bad_request(_("The OTP is required.")),
                                                     channel=CHANNEL, token=token or "", username=username or ""))
    result = enrollment_redeem(token=token, username=username, otp=otp, device=facts, actor=actor, channel=CHANNEL)
    redeem_language_activate(request, enrollment_language=result.language)
    return result_response(result)
