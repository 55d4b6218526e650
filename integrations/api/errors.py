"""The API's errors, in the redeem API's shape: ``{"error": "<code>", "detail": "...", "attempts_left": null}``,
plus ``fields`` (per-field messages) on 422 and ``rule`` on the redeem API's 403 restricted."""

from typing import Any

from ninja import Schema
from pydantic import Field


class ApiError(Exception):
    """An answer other than success; the API's exception handler turns it into the JSON error."""

    def __init__(self, status: int, error: str, detail: str, *, fields: dict[str, list[str]] | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail
        self.fields = fields
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "detail": self.detail, "attempts_left": None}
        if self.fields is not None:
            body["fields"] = self.fields
        return body


def invalid(detail: str, fields: dict[str, list[str]] | None = None) -> ApiError:
    """422: the request is well-formed JSON but a value breaks a rule."""
    return ApiError(422, "invalid_request", detail, fields=fields or {})


def bad_request(detail: str) -> ApiError:
    """400: the body cannot be read (not JSON, not an object, a NUL or a lone surrogate in it)."""
    return ApiError(400, "invalid_request", detail)


NOT_FOUND = ApiError(404, "unknown", "No pending enrollment has this token.")


class Error(Schema):
    error: str = Field(description="A code a program can branch on.")
    detail: str = Field(description="Plain words for a person.")
    attempts_left: int | None = Field(None, description="Always null here; wrong OTPs left on the redeem API.")


class ValidationFailed(Error):
    fields: dict[str, list[str]] = Field(
        description="Messages per field, e.g. {\"mobile\": [\"…\"]}; “otp.length” for a nested one, “body” or "
                    "“query” when it is about the whole body or query.")


class Restricted(Error):
    rule: str = Field(description="The enrollment restriction that refused the device.")


def error_responses(*statuses: int) -> dict[int, type[Schema]]:
    """The response schemas of ``statuses``, for an operation's ``response=``."""
    return {status: ValidationFailed if status == 422 else Error for status in statuses}


# What each error status means, in the OpenAPI document (codes in backquotes).
STATUS_TEXT = {
    400: "`invalid_request`: the body is not UTF-8 JSON, or a value in the body or the address holds a NUL or a "
         "lone surrogate.",
    401: "`unauthorized` (no key, or not a key of this console), `key_expired` or `key_revoked`.",
    403: "`missing_scope`: the key lacks the scope this operation needs.",
    404: "`unknown`: no pending enrollment has this token (deleted, used up, or never made).",
    409: "`no_licence`: too few device licences remain to reserve; `qr_code_error`: an Automatic Provisioning "
         "code of the enrollment cannot be rebuilt with the new OTP; `idempotency_key_unreadable`.",
    413: "`too_large`: the body is over 16 KiB.",
    422: "`invalid_request` with `fields`: a value breaks a rule (the same rules as the console's forms); "
         "`idempotency_key_reused`: this Idempotency-Key was sent with another body.",
    429: "`rate_limited`: too many calls with this key; wait `Retry-After` seconds.",
}
