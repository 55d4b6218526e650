"""The OpenAPI document's additions to what ninja derives from the endpoints: each operation's scope
(in its security requirement, ``x-required-scope`` and its description), the meaning of every error
status, the Retry-After header of 429, and the redeem endpoint, a plain Django view
(``enrollment.api.redeem``) that the companion app calls with the token and OTP, no key."""

from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from integrations.api.errors import STATUS_TEXT, Error, Restricted
from integrations.api.schemas import OwnershipName

SCHEME = "BearerKey"
REF = "#/components/schemas/{model}"
REDEEM_PATH = "/api/v1/enrollments/redeem"
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "required": True, "schema": {"type": "integer"}}}


def scope_extra(scope: str, description: str) -> dict[str, Any]:
    """An operation's ``openapi_extra``: its scope and what it does."""
    return {"x-required-scope": scope, "description": f"{description}\n\nNeeds the scope `{scope}`."}


class RedeemDevice(Schema):
    platform: str = Field(description="android, ios, macos or windows, in any case.")
    serial_number: str | None = Field(None, max_length=100)
    imei: str | None = Field(None, description="The 15-digit IMEI (spaces and dashes allowed); its check digit is "
                                               "checked.")
    manufacturer: str | None = Field(None, max_length=100)
    model: str | None = Field(None, max_length=100)
    os_version: str | None = Field(None, max_length=50)


class RedeemRequest(Schema):
    token: str | None = Field(None, description="The enrollment's token (the QR code's admin extras); or `username`.")
    username: str | None = Field(None, description="Instead of `token`: the user whose enrollment this OTP is.")
    otp: str
    device: RedeemDevice


class Redeemed(Schema):
    device_id: UUID
    username: str
    ownership: OwnershipName
    remaining_uses: int


REDEEM_ERRORS = {
    400: "`invalid_request`: `detail` names the field (not JSON, a missing OTP or platform, a bad IMEI, a NUL).",
    401: "`wrong_otp` with `attempts_left`, or `invalid_credentials` (by username).",
    403: "`restricted` with `rule`: an enrollment restriction refuses this device; nothing was consumed.",
    404: "`unknown`: no pending enrollment has this token.",
    409: "`no_licence`: no licence is reserved for it.",
    410: "`expired` (the OTP) or `used_up` (every allowed device enrolled).",
    413: "`too_large`: the body is over 16 KiB.",
    423: "`locked`: too many wrong OTPs; a Reset OTP unlocks it.",
    429: "`rate_limited`: too many tries from this address; wait `Retry-After` seconds.",
}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=ref)}}}


def redeem_operation() -> dict[str, Any]:
    done = {"content": _json("Redeemed")}
    responses: dict[str, Any] = {
        "201": {"description": "Enrolled: keep `device_id`.", **done},
        "200": {"description": "A repeat: this device (same token and serial number or IMEI) enrolled already; "
                               "nothing more was consumed.", **done},
    }
    for status, text in REDEEM_ERRORS.items():
        responses[str(status)] = {"description": text, "content": _json("Restricted" if status == 403 else "Error")}
    responses["429"]["headers"] = RETRY_AFTER
    return {
        "operationId": "enrollment_redeem",
        "summary": "Redeem an enrollment (the device or companion app)",
        "description": "A device completes its enrollment with the token and OTP of an Automatic Provisioning QR "
                       "code or activation link, and its own facts. No API key and no cookie: the token (or "
                       "username) with the OTP is the credential. Enrollment restrictions are checked before "
                       "anything is consumed. Retrying after a network error is safe when the request carries the "
                       "serial number or IMEI: a redemption that succeeded answers 200 with the same device. "
                       "An error's `detail` is for the person holding the device, in the language of the request's "
                       "Accept-Language (en, de, fr or it), else in the enrollment's (the one its token names), else "
                       "English; `error` is the code to act on, the same in every language.",
        "tags": ["Devices (companion app)"],
        "security": [],
        "requestBody": {"required": True, "content": _json("RedeemRequest")},
        "responses": responses,
    }


def _add_schemas(components: dict[str, Any], *models: type[Schema]) -> None:
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema


def openapi_finish(schema: Any) -> Any:
    """``schema`` (ninja's document) with the scopes, the error texts and the redeem endpoint."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            scope = operation.get("x-required-scope")
            if scope is not None:
                operation["security"] = [{SCHEME: [scope]}]
            for status, response in operation["responses"].items():
                if int(status) in STATUS_TEXT:
                    response["description"] = STATUS_TEXT[int(status)]
                if int(status) == 429:
                    response["headers"] = RETRY_AFTER
    schema["paths"][REDEEM_PATH] = {"post": redeem_operation()}
    _add_schemas(schema["components"]["schemas"], RedeemRequest, RedeemDevice, Redeemed, Error, Restricted)
    return schema
