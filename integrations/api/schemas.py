"""The API's request and response bodies. Types and sizes only: the rules (username, mobile, OTP,
licences) are the console's, applied by the forms and services the endpoints call."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field

from enrollment.otp import MAX_LENGTH, MIN_LENGTH

OwnershipName = Literal["corporate", "personal", "unknown"]
UserTypeName = Literal["local", "ldap"]
SourceName = Literal["self", "single", "bulk", "qr"]
StateName = Literal["active", "expired", "locked"]
PlatformName = Literal["android", "ios", "macos", "windows"]
LanguageName = Literal["en", "de", "fr", "it"]
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CURSOR_PATTERN = r"^after\.[A-Za-z0-9_-]{1,200}$"


def not_null(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of an optional query or header value: absent is None, but a value sent is
    never null, so the document shows only the type (``{"type": "string"}``, not ``anyOf`` with null)."""
    branches = [branch for branch in schema.pop("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


def optional(**constraints: Any) -> Any:
    """A query value that may be left out (None), documented without null (``not_null``)."""
    return Field(None, json_schema_extra=not_null, **constraints)


def _iso_8601(value: Any) -> Any:
    """Times as RFC 3339 / ISO 8601 text only: pydantic would also read "0.5" as seconds after 1970."""
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Give the time as ISO 8601, e.g. 2026-01-31T09:00:00Z.")
    return value


IsoTime = Annotated[datetime, BeforeValidator(_iso_8601)]


class Strict(Schema):
    """Unknown fields are refused (422): a misspelt field never passes as left out."""

    model_config = ConfigDict(extra="forbid")


class Notify(Strict):
    email: bool = Field(True, description="Email the enrollment to the user's address (when there is one).")
    sms: bool = Field(True, description="Send it by SMS to the user's mobile (when there is one).")


class OtpOverride(Strict):
    content: Literal["digits", "letters", "letters_digits"] = "digits"
    length: int = Field(8, ge=MIN_LENGTH, le=MAX_LENGTH, description="Digit-only OTPs need at least 6.")
    validity_hours: int | None = Field(72, ge=1, le=24 * 365, description="null: the OTP never expires.")


class EnrollmentCreate(Strict):
    username: str = Field(max_length=150, description="A local user is created when unknown and `email` is given.")
    user_type: UserTypeName = "local"
    email: str = Field("", max_length=254)
    mobile: str = Field("", max_length=32, description="Stored in E.164, e.g. +491712345678.")
    ownership: OwnershipName = "corporate"
    language: str = Field("en", max_length=8, description="The user's language: their email, SMS and activation "
                                                         "page. One of en, de, fr, it (any case).")
    usage_count: int = Field(1, ge=1, le=100_000, description="How many devices may enroll with it.")
    otp: OtpOverride | None = Field(None, description="How the OTP looks and lives; default: Admin > OTP policy.")
    notify: Notify = Field(default_factory=lambda: Notify(email=True, sms=True),
                           description="Messages to the user; the admins' alert is sent as with Provision User.")


class ResetOtp(Strict):
    notify: Notify = Field(default_factory=lambda: Notify(email=False, sms=False),
                           description="Send the new OTP to the user (default: send nothing).")


class Enrollment(Schema):
    token: str
    username: str
    user_type: UserTypeName
    email: str
    mobile: str = Field(description="E.164, or empty.")
    ownership: OwnershipName
    language: LanguageName
    source: SourceName
    state: StateName
    usage_count: int
    uses_remaining: int
    otp_expires_at: datetime | None = Field(description="null: the OTP never expires.")
    created_at: datetime
    created_by: str
    activation_url: str


class EnrollmentWithOtp(Enrollment):
    otp: str | None = Field(description="Only with the enrollments:write scope (reading it is audited as OTP "
                                        "viewed), else null; null too when it cannot be decrypted (reset it).")


class CreatedEnrollment(Enrollment):
    otp: str


class EnrollmentPage(Schema):
    items: list[Enrollment]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Device(Schema):
    device_id: UUID
    username: str
    user_type: UserTypeName
    platform: PlatformName
    serial_number: str
    imei: str
    manufacturer: str
    model: str
    os_version: str
    ownership: OwnershipName
    source: SourceName
    enrollment_token: str
    enrolled_at: datetime


class DevicePage(Schema):
    items: list[Device]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
