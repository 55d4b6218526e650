"""The integration API (``/api/v1/``, SPEC F15) on django-ninja: typed request and response schemas
and the OpenAPI document come from the same code, with no serializer layer between them and the
services. Endpoints are thin adapters (STYLE habit 15): parse with the schemas, call the console's
service, map its refusals to the documented JSON errors.

Every answer, success or error, is JSON in the redeem API's error shape, ``Cache-Control: no-store``,
and audited (``audited_call``): API call / API call refused, with the key's name as the actor. A
body over 16 KiB is refused before anything reads it; one that is not JSON or holds what cannot be
stored (``lib.text.text_problem``) is 400; ninja's own validation errors become 422 with ``fields``;
any other exception is logged and answered as a JSON 500, never Django's HTML page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.api import MAX_BODY
from integrations.api import devices, enrollments
from integrations.api.auth import call_state
from integrations.api.errors import ApiError, bad_request, invalid
from integrations.api.openapi import openapi_finish
from lib.text import storable, text_problem

logger = logging.getLogger(__name__)

TOO_LARGE_ERROR = ApiError(413, "too_large", f"The request body is larger than {MAX_BODY // 1024} KiB.")
SERVER_ERROR = ApiError(500, "server_error", "Something went wrong on our side. Try again later.")


class OnrampApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        """Ninja's document, with each operation's scope and the redeem endpoint (a plain view) added."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return cast(OpenAPISchema, openapi_finish(schema))

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return str(operation.view_func.__name__)


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def unstorable(value: Any, where: str = "") -> str:
    """Why a parsed JSON value cannot be stored, naming where it is ("notify.email contains a NUL
    character."), or ""."""
    if isinstance(value, str):
        problem = text_problem(value)
        return f"{where or 'The body'} {problem}." if problem else ""
    if isinstance(value, dict):
        for key, item in value.items():
            if problem := text_problem(key):
                return f"A field name {problem}."
            if problem := unstorable(item, f"{where}.{key}" if where else key):
                return problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            if problem := unstorable(item, f"{where}[{index}]"):
                return problem
    return ""


class JsonParser(Parser):
    """UTF-8 JSON bodies of at most 16 KiB, with nothing the database cannot store in them. Ninja
    wraps what this raises in an HttpError 400, whose handler answers with this ApiError."""

    @sensitive_variables()
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = request.body
        if len(body) > MAX_BODY:
            raise TOO_LARGE_ERROR
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
            raise bad_request("The body must be UTF-8 JSON.") from exc
        if problem := unstorable(data):
            raise bad_request(problem)
        return data  # type: ignore[no-any-return]  # an object or not: the body's schema says


api = OnrampApi(
    title="Onramp integration API",
    version="1",
    description="For HR and ITSM systems: create, read, reset and delete pending enrollments and list enrolled "
                "devices with an API key (Admin > API keys), and the companion app's redeem endpoint. Every "
                "error is `{\"error\": \"<code>\", \"detail\": \"…\", \"attempts_left\": null}`.",
    urls_namespace="integrations:api",
    docs_url=None,
    parser=JsonParser(),
)
api.add_router("/enrollments", enrollments.router)
api.add_router("/devices", devices.router)


def error_response(request: HttpRequest, error: ApiError) -> HttpResponse:
    call_state(request).error = error.error
    response = api.create_response(request, error.body(), status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Ninja's errors ({"loc": ("body", "body", "mobile"), "msg": ...}) by field: "mobile"; a nested
    one "otp.length"; one about the whole body "body". The endpoints name their body parameter
    ``body`` and their query schema ``filters``, which the location starts with."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        source, *rest = [str(part) for part in error.get("loc", ("body",))]
        if rest[:1] in (["body"], ["filters"]):
            rest = rest[1:]
        fields.setdefault(".".join(rest) or source, []).append(str(error.get("msg", "Not valid.")))
    return fields


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(request, invalid("Some values are not valid: see fields.", validation_fields(exc.errors)))


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):  # raised by JsonParser, wrapped by ninja
        return error_response(request, exc.__cause__)
    if exc.status_code == 400:
        return error_response(request, bad_request("The body cannot be read."))
    logger.error("Unexpected ninja HttpError %s: %s", exc.status_code, exc)
    return error_response(request, SERVER_ERROR)


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Integration API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(request, SERVER_ERROR)


E = TypeVar("E", bound=Exception)


def _handle(exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    # Ninja types a handler as taking the exception or its class; it is always called with the exception.
    api.add_exception_handler(exc_class, cast(Any, handler))


_handle(ApiError, error_response)
_handle(ValidationError, _validation_error)
_handle(HttpError, _http_error)
_handle(Http404, lambda request, exc: error_response(request, ApiError(404, "unknown", "Not found.")))
_handle(RequestDataTooBig, lambda request, exc: error_response(request, TOO_LARGE_ERROR))
_handle(Exception, _unexpected)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/v1/ (the API's root too): 404 in the API's shape, not Django's page."""
    response = JsonResponse(ApiError(404, "not_found", "No API endpoint has this address: see /api/v1/openapi.json.")
                            .body(), status=404)
    response["Cache-Control"] = "no-store"
    return response


def audited_call(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Around every operation (ninja's "view" decorator: before authentication and parsing): the
    16 KiB limit on the declared length, no-store, and the call's audit entry."""

    @wraps(run)
    def call(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if declared_length(request) > MAX_BODY:
            response = error_response(request, TOO_LARGE_ERROR)
        else:
            response = run(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        call_audit(request, response, token=str(kwargs.get("token", "")))
        return response

    return call


api.add_decorator(audited_call, mode="view")


def call_audit(request: HttpRequest, response: HttpResponse, *, token: str) -> None:
    """API call (answered 2xx) or API call refused, as the key's name; a request without a usable
    key as "api:unknown key". Never the key, a body or an OTP. Not for the requests of a flood after
    its first refusal."""
    state = call_state(request)
    if not state.audited:
        return
    ok = response.status_code < 400
    details: dict[str, Any] = {"method": request.method, "path": storable(request.path[:300]),
                               "status": response.status_code}
    if query := request.META.get("QUERY_STRING", ""):
        details["query"] = storable(query[:300])
    if state.caller is not None:
        details["key_prefix"] = state.caller.key.prefix
    if not ok:
        details["error"] = state.error
    actor = state.caller.actor if state.caller is not None else Actor.outside(request, "api:unknown key")
    audit_record(actor=actor, action=AuditAction.API_CALL if ok else AuditAction.API_REFUSED,
                 enrollment_token=token, details=details)
