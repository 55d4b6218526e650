"""``/api/v1/enrollments``: create (Provision User's rules and service), list, read (the OTP only with
enrollments:write, audited as OTP viewed), reset the OTP (Reset OTP's service, with its re-send) and
delete pending enrollments. The redeem endpoint under the same path is enrollment/api.py's view."""

from datetime import UTC, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from ninja import Router, Status
from ninja.params import HeaderEx, P, PathEx, Query
from pydantic import Field, WithJsonSchema

from accounts.ldap import ldap_enabled
from enrollment.links import activation_base_url, activation_link
from enrollment.models import OtpPolicy, PendingEnrollment
from enrollment.otp import OtpRule, OtpRuleError
from enrollment.services import CreatedEnrollment, otp_reveal, pending_enrollment_delete
from integrations import selectors
from integrations.api import schemas
from integrations.api.auth import READ_ENROLLMENTS, WRITE_ENROLLMENTS
from integrations.api.errors import NOT_FOUND, ApiError, error_responses, invalid
from integrations.api.idempotency import idempotent
from integrations.api.openapi import scope_extra
from integrations.forms import EnrollmentCreateForm
from integrations.keys import ApiCaller
from licensing.services import NoLicenceLeft
from provisioning.qr.services import QrProvisioningError
from provisioning.reset import otp_reset_and_resend
from provisioning.single.services import (
    Authorizer,
    ProvisioningError,
    ProvisioningNoLicence,
    user_provision_authorized,
)

router = Router(tags=["Pending enrollments"])
TokenPath = PathEx[str, P(pattern=schemas.TOKEN_PATTERN, description="The enrollment's token.")]
IDEMPOTENCY_PATTERN = r"^[\x21-\x7e]{1,255}$"
# Absent is None; a header sent is a string (the document shows no null).
IdempotencyKey = Annotated[str | None, WithJsonSchema({"type": "string", "pattern": IDEMPOTENCY_PATTERN})]


def since(value: datetime | None, field: str) -> datetime | None:
    """An aware datetime (one without an offset is UTC), or 422 when it cannot be one."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise invalid("The time is out of range.", {field: ["The time is out of range."]}) from exc


def known_query(request: HttpRequest, filters: type[schemas.Strict]) -> None:
    """422 for a query parameter the list does not take: a misspelt filter must not list everything."""
    unknown = sorted(set(request.GET) - set(filters.model_fields))
    if unknown:
        raise invalid("Unknown query parameters: see fields.", {name: ["Not a parameter of this list."]
                                                                 for name in unknown})


def enrollment_fields(enrollment: PendingEnrollment, base_url: str) -> dict[str, Any]:
    return {
        "token": enrollment.token, "username": enrollment.username, "user_type": enrollment.user_type,
        "email": enrollment.email, "mobile": enrollment.mobile, "ownership": enrollment.ownership,
        "language": enrollment.language,
        "source": enrollment.source, "state": enrollment.state, "usage_count": enrollment.usage_count,
        "uses_remaining": enrollment.uses_remaining, "otp_expires_at": enrollment.otp_expires_at,
        "created_at": enrollment.created_at, "created_by": enrollment.created_by_name,
        "activation_url": activation_link(enrollment.token, base_url),
    }


@sensitive_variables()
def with_otp(created: CreatedEnrollment) -> dict[str, Any]:
    fields = {**enrollment_fields(created.enrollment, activation_base_url()), "otp": created.otp}
    return schemas.CreatedEnrollment(**fields).model_dump(mode="json")


def caller_of(request: HttpRequest) -> ApiCaller:
    caller = request.auth  # type: ignore[attr-defined]  # set by ninja from BearerKey
    assert isinstance(caller, ApiCaller)
    return caller


def form_fields(errors: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    return {("body" if name == "__all__" else name): [error["message"] for error in items]
            for name, items in errors.items()}


@sensitive_variables()
def provision(caller: ApiCaller, body: schemas.EnrollmentCreate) -> tuple[int, dict[str, Any]]:
    """Provision User's form (without the authorizer) and service, the key's name as the authorizer."""
    form = EnrollmentCreateForm(body.model_dump(exclude={"otp", "notify"}), ldap_enabled=ldap_enabled())
    if not form.is_valid():
        raise invalid("Some values are not valid: see fields.", form_fields(form.errors.get_json_data()))
    rule = None
    if body.otp is not None:
        try:
            rule = OtpRule(content=body.otp.content, length=body.otp.length, validity_hours=body.otp.validity_hours,
                           exclude_lookalikes=OtpPolicy.load().exclude_lookalikes)
        except OtpRuleError as exc:
            raise invalid(str(exc), {f"otp.{exc.field}": [str(exc)]}) from exc
    data = form.cleaned_data
    try:
        created = user_provision_authorized(
            actor=caller.actor, authorizer=Authorizer(username=caller.actor.name, kind="api_key"),
            ownership=data["ownership"], username=data["username"], user_type=data["user_type"],
            mobile=data["mobile"], email=data["email"], usage_count=data["usage_count"], otp_rule=rule,
            email_user=body.notify.email, sms_user=body.notify.sms, language=data["language"],
        )
    except ProvisioningNoLicence as exc:
        raise ApiError(409, "no_licence", str(exc)) from exc
    except ProvisioningError as exc:
        raise invalid(str(exc), {exc.field or "body": [str(exc)]}) from exc
    return 201, with_otp(created)


@router.post("", auth=WRITE_ENROLLMENTS, url_name="enrollment_create", summary="Create a pending enrollment",
             response={201: schemas.CreatedEnrollment, **error_responses(400, 401, 403, 409, 413, 422, 429)},
             openapi_extra=scope_extra("enrollments:write", "The same rules and licence reservation as Provision "
                                       "User. With an `Idempotency-Key`, a retry (also one sent while the first is "
                                       "still running) gets the first 201 again and creates nothing more, for 24 "
                                       "hours; a refusal is not remembered (nothing was created)."))
@sensitive_variables()
def enrollment_create(
    request: HttpRequest, body: schemas.EnrollmentCreate,
    idempotency_key: HeaderEx[IdempotencyKey, P(default=None, alias="Idempotency-Key", pattern=IDEMPOTENCY_PATTERN,
                                            description="Any printable ASCII, at most 255 characters.")] = None,
) -> Status[dict[str, Any]]:
    caller = caller_of(request)
    status, answer = idempotent(api_key=caller.key, key=idempotency_key, payload=body.model_dump(mode="json"),
                                create=lambda: provision(caller, body))
    return Status(status, answer)


class EnrollmentFilters(schemas.Strict):
    username: str | None = schemas.optional(max_length=150, description="Exactly this username.")
    state: schemas.StateName | None = schemas.optional()
    source: schemas.SourceName | None = schemas.optional()
    created_since: schemas.IsoTime | None = schemas.optional(description="Created at or after this time.")
    cursor: str | None = schemas.optional(pattern=schemas.CURSOR_PATTERN, description="A page's `next_cursor`.")
    limit: int = Field(50, ge=1, le=200)


@router.get("", auth=READ_ENROLLMENTS, url_name="enrollment_list", summary="List pending enrollments",
            response={200: schemas.EnrollmentPage, **error_responses(400, 401, 403, 413, 422, 429)},
            openapi_extra=scope_extra("enrollments:read", "Newest first, without OTPs. Follow `next_cursor` "
                                      "until it is null; pages neither repeat nor skip a row when rows are added "
                                      "or removed meanwhile."))
def enrollment_list(request: HttpRequest, filters: Query[EnrollmentFilters]) -> dict[str, Any]:
    known_query(request, EnrollmentFilters)
    page = selectors.pending_page(caller_of(request), username=filters.username, state=filters.state,
                                  source=filters.source, created_since=since(filters.created_since, "created_since"),
                                  position=filters.cursor or "", page_size=filters.limit)
    base_url = activation_base_url()
    return {"items": [enrollment_fields(row, base_url) for row in page.rows],
            "next_cursor": page.next_position if page.has_next else None}


def pending_or_404(caller: ApiCaller, token: str, action: str = "view") -> PendingEnrollment:
    enrollment = selectors.pending_for(caller, token, action)
    if enrollment is None:
        raise NOT_FOUND
    return enrollment


@router.get("/{token}", auth=READ_ENROLLMENTS, url_name="enrollment_detail", summary="Read a pending enrollment",
            response={200: schemas.EnrollmentWithOtp, **error_responses(400, 401, 403, 404, 413, 422, 429)},
            openapi_extra=scope_extra("enrollments:read", "With enrollments:write as well, `otp` holds the OTP "
                                      "and the read is audited as OTP viewed."))
@sensitive_variables()
def enrollment_detail(request: HttpRequest, token: TokenPath) -> dict[str, Any]:
    caller = caller_of(request)
    enrollment = pending_or_404(caller, token)
    otp = otp_reveal(enrollment=enrollment, actor=caller.actor) if caller.has_perm("enrollment.view_otp") else None
    return {**enrollment_fields(enrollment, activation_base_url()), "otp": otp}


@router.post("/{token}/reset-otp", auth=WRITE_ENROLLMENTS, url_name="enrollment_reset_otp", summary="Reset the OTP",
             response={200: schemas.CreatedEnrollment, **error_responses(400, 401, 403, 404, 409, 413, 422, 429)},
             openapi_extra=scope_extra("enrollments:write", "A new OTP and expiry; the old OTP stops working at "
                                       "once, a locked enrollment is unlocked and an expired one reserves its "
                                       "licences again (409 no_licence when none are left). The body may be "
                                       "left out."))
@sensitive_variables()
def enrollment_reset_otp(request: HttpRequest, token: TokenPath,
                         body: schemas.ResetOtp | None = None) -> dict[str, Any]:
    caller = caller_of(request)
    enrollment = pending_or_404(caller, token, "change")
    notify = body.notify if body is not None else schemas.Notify(email=False, sms=False)
    try:
        created = otp_reset_and_resend(enrollment=enrollment, actor=caller.actor, email=notify.email,
                                       sms=notify.sms)
    except PendingEnrollment.DoesNotExist as exc:  # deleted or used up meanwhile
        raise NOT_FOUND from exc
    except NoLicenceLeft as exc:
        raise ApiError(409, "no_licence", str(exc)) from exc
    except QrProvisioningError as exc:
        raise ApiError(409, "qr_code_error", str(exc)) from exc
    return with_otp(created)


@router.delete("/{token}", auth=WRITE_ENROLLMENTS, url_name="enrollment_delete", summary="Delete a pending enrollment",
               response={204: None, **error_responses(401, 403, 404, 413, 422, 429)},
               openapi_extra=scope_extra("enrollments:write", "Removes it and releases its licence reservations."))
def enrollment_delete(request: HttpRequest, token: TokenPath) -> Status[None]:
    caller = caller_of(request)
    pending_enrollment_delete(enrollment=pending_or_404(caller, token, "delete"), actor=caller.actor)
    return Status(204, None)
