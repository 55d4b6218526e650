"""Redemption: a device completes a pending enrollment. One service for the activation
page and the redeem API.

The rules, in the order they are checked, all under a row lock on the pending enrollment
(SELECT ... FOR UPDATE; the licence pool is never locked here, see ``licensing.services``):

- unknown token → 404, or 410 used up when devices already enrolled with it (the row is deleted
  when its last use is taken, so a redemption that waited on the lock finds nothing); but when
  one of those devices is the one asking (same serial number or IMEI), 200 with that device: a
  repeat whose OTP can no longer be checked, the row that held it being gone;
- locked → 423; expired (state, or past ``otp_expires_at`` before the expiry task ran) → 410;
- wrong OTP → 401 and one more failed attempt; the attempt that reaches the policy's
  ``max_attempts`` locks the entry; a Reset OTP unlocks it;
- a device already enrolled with this enrollment (same serial number or IMEI) → 200 with that
  device, nothing consumed: a companion app retrying after a lost answer. Only after the OTP
  check, so the token alone never tells a device id while the enrollment exists;
- an enrollment restriction refuses the device (``restrictions.rules``) → 403 restricted with the
  rule; nothing consumed, and the OTP, right, counts no attempt;
- no reservation left to consume → 409;
- else: a Device row, one use and one reservation fewer, one consumed licence, and the pending
  enrollment deleted when no use is left. Failed attempts start again from zero.

By username the caller must not learn whether the username exists: an unknown username and a
wrong OTP both answer 401 "invalid_credentials" with the same body, both compare the OTP against
a sealed secret and write one audit entry; the state of a user's enrollment (locked, expired) is
told only to a caller who presents its correct OTP.

Repeats under concurrency: every Device of an enrollment is created under its row lock, and the
repeat is looked up after taking that lock (in a new statement, so it sees what the redemption
holding the lock before committed): two identical requests at once make one device, one 201 and
one 200. A device that reports neither a serial number nor an IMEI cannot be recognised and is
never a repeat.
"""

import secrets
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django_stubs_ext import StrOrPromise

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.identifiers import DeviceFacts
from enrollment.models import Device, OtpPolicy, PendingEnrollment, PortalSettings, State
from enrollment.otp import otp_matches
from lib import rows
from lib.crypto import seal
from lib.text import problem_sentence, text_problem
from licensing.services import licence_consume
from restrictions.rules import (
    Restriction,
    identifiers_enrolled,
    identifiers_refused,
    refusal_details,
    restriction_check,
)
from webhooks import payloads
from webhooks.events import Event, event_record

MAX_TOKEN, MAX_USERNAME, MAX_OTP = 64, 150, 64
@dataclass(frozen=True)
class RedeemResult:
    """The outcome, shaped for the API (``as_json``) and read by the activation page."""

    status: int
    error: str = ""
    detail: StrOrPromise = ""  # in the end user's language (lazy for the shared refusals below)
    attempts_left: int | None = None
    device: Device | None = field(default=None, compare=False)
    username: str = ""
    ownership: str = ""
    remaining_uses: int = 0
    retry_after: int | None = None
    rule: str = ""  # the enrollment restriction that refused (403 restricted)
    # The language of the enrollment the token named (its answer is in it unless the request asks for
    # another); "" when no enrollment was found by token (enrollment.languages).
    language: str = field(default="", compare=False)

    @property
    def ok(self) -> bool:
        """Enrolled: now (201), or already by this very device (200, a repeat)."""
        return self.status in (200, 201)

    def as_json(self) -> dict[str, Any]:
        if self.ok:
            assert self.device is not None
            return {"device_id": str(self.device.public_id), "username": self.username,
                    "ownership": self.ownership, "remaining_uses": self.remaining_uses}
        body = {"error": self.error, "detail": str(self.detail), "attempts_left": self.attempts_left}
        return {**body, "rule": self.rule} if self.rule else body


def bad_request(detail: StrOrPromise) -> RedeemResult:
    return RedeemResult(status=400, error="invalid_request", detail=detail)


UNKNOWN = RedeemResult(status=404, error="unknown", detail=_("No pending enrollment has this token."))
USED_UP = RedeemResult(status=410, error="used_up",
                       detail=_("This enrollment has already been used by every device it allows."))
EXPIRED = RedeemResult(status=410, error="expired",
                       detail=_("The OTP of this enrollment has expired. Ask your helpdesk for a new one."))
LOCKED = RedeemResult(status=423, error="locked",
                      detail=_("This enrollment is locked after too many wrong OTPs. Ask your helpdesk to reset the "
                               "OTP."))
NO_LICENCE = RedeemResult(status=409, error="no_licence",
                          detail=_("No device licence is reserved for this enrollment. Ask your helpdesk."))
INVALID_CREDENTIALS = RedeemResult(status=401, error="invalid_credentials",
                                   detail=_("The username or the OTP is not correct."))


def restricted(refusal: Restriction) -> RedeemResult:
    """403: an enrollment restriction refuses this device (``restrictions.rules``)."""
    return RedeemResult(status=403, error="restricted", rule=refusal.rule, detail=refusal.detail)


def wrong_otp(left: int) -> RedeemResult:
    """401 with the tries left; the try that used the last one says the enrollment is now locked."""
    detail: StrOrPromise
    if left == 0:
        detail = _("The OTP is not correct, and that was the last try: this enrollment is now locked. "
                   "Ask your helpdesk to reset the OTP.")
    else:
        # Lazy: rendered in the language the answer is given in, decided after the enrollment was read.
        detail = _attempts_left_lazy(left)
    return RedeemResult(status=401, error="wrong_otp", attempts_left=left, detail=detail)


def _attempts_left(left: int) -> str:
    return ngettext("The OTP is not correct. %(left)d attempt left.",
                    "The OTP is not correct. %(left)d attempts left.", left) % {"left": left}


_attempts_left_lazy = lazy(_attempts_left, str)


def rate_limited(retry_after: int) -> RedeemResult:
    return RedeemResult(status=429, error="rate_limited", retry_after=retry_after,
                        detail=ngettext("Too many attempts from this address. Try again in %(seconds)d second.",
                                        "Too many attempts from this address. Try again in %(seconds)d seconds.",
                                        retry_after) % {"seconds": retry_after})


@lru_cache(maxsize=1)
def _decoy_ciphertext() -> str:
    """A sealed random secret: unknown usernames are compared against it, so they cost what a
    wrong OTP costs."""
    return seal(secrets.token_urlsafe(12))


def redeem_refused_record(*, actor: Actor, result: RedeemResult, channel: str, token: str = "",
                          username: str = "", **details: Any) -> RedeemResult:
    """Audit a refusal decided outside the service (bad JSON, rate limit) and return it."""
    return _refuse(actor, result, token[:MAX_TOKEN], username[:MAX_USERNAME], {"channel": channel, **details})


def gone_refusal(token: str) -> RedeemResult:
    """Why no pending enrollment has ``token``: its last use was taken (devices enrolled with
    it), or it never existed."""
    return USED_UP if Device.objects.filter(enrollment_token=token).exists() else UNKNOWN


@sensitive_variables()
def enrollment_redeem(
    *,
    token: str | None = None,
    username: str | None = None,
    otp: str | None,
    device: DeviceFacts,
    actor: Actor,
    channel: str = "api",
) -> RedeemResult:
    """Complete a pending enrollment named by ``token`` (or by ``username``: that user's oldest
    active one) with ``otp``. ``otp=None`` means the OTP was not asked for, which only the
    activation link allows and only while Simple Enrollment does not ask for it.

    Every call writes an audit entry (DEVICE_ENROLLED, OTP_FAILED, ENROLLMENT_LOCKED or
    REDEEM_REFUSED) with the actor's IP and user agent."""
    token = (token or "").strip()
    username = (username or "").strip()
    problem = _input_problem(token, username, otp, device)
    if problem:
        return redeem_refused_record(actor=actor, result=bad_request(problem), channel=channel, token=token,
                                     username=username)
    device = device.cleaned()
    details: dict[str, Any] = {"channel": channel, "platform": device.platform}
    with transaction.atomic():
        if token:
            return _redeem_token(token, otp, device, actor, details)
        return _redeem_username(username, otp or "", device, actor, details)


@sensitive_variables()
def _input_problem(token: str, username: str, otp: str | None, device: DeviceFacts) -> str:
    for name, value in (("token", token), ("username", username), ("otp", otp or "")):
        if unstorable := text_problem(value):
            return problem_sentence(name, unstorable)
    if bool(token) == bool(username):
        return gettext("Give either a token or a username.")
    if len(token) > MAX_TOKEN or len(username) > MAX_USERNAME:
        return gettext("The token or username is too long.")
    if otp is not None and (not otp.strip() or len(otp) > MAX_OTP):
        return gettext("The OTP is missing or too long.")
    if otp is None and (username or PortalSettings.load().ask_otp_on_activation):
        return gettext("The OTP is required.")
    return device.problem()


@sensitive_variables()
def _redeem_token(token: str, otp: str | None, device: DeviceFacts, actor: Actor,
                  details: dict[str, Any]) -> RedeemResult:
    enrollment = rows.get_for_update(PendingEnrollment, "token", token)
    result = _redeem_row(enrollment, token, otp, device, actor, details)
    return replace(result, language=enrollment.language) if enrollment is not None else result


@sensitive_variables()
def _redeem_row(enrollment: PendingEnrollment | None, token: str, otp: str | None, device: DeviceFacts, actor: Actor,
                details: dict[str, Any]) -> RedeemResult:
    if enrollment is None:
        previous = _enrolled_device(token, device)
        if previous is not None:
            return _repeat(previous, 0, actor, details)
        return _refuse(actor, gone_refusal(token), token, "", details)
    refusal = state_refusal(enrollment)
    if refusal is not None:
        return _refuse(actor, refusal, token, enrollment.username, details)
    if otp is not None and not otp_matches(enrollment.otp_ciphertext, otp):
        left = _count_failure(enrollment, actor, details)
        return wrong_otp(left)
    return _complete_or_repeat(enrollment, device, actor, details)


@sensitive_variables()
def _redeem_username(username: str, otp: str, device: DeviceFacts, actor: Actor,
                     details: dict[str, Any]) -> RedeemResult:
    details = {**details, "by": "username"}
    enrollment = _oldest_for_username(username)
    if enrollment is None:
        # Do what a wrong OTP does (compare, read the policy, audit) so both take about as long.
        otp_matches(_decoy_ciphertext(), otp)
        OtpPolicy.load()
        return _refuse(actor, INVALID_CREDENTIALS, "", username, {**details, "reason_detail": "unknown_username"},
                       action=AuditAction.OTP_FAILED)
    if not otp_matches(enrollment.otp_ciphertext, otp):
        if enrollment.state == State.ACTIVE and not _past_expiry(enrollment):
            _count_failure(enrollment, actor, details)
        else:
            audit_record(actor=actor, action=AuditAction.OTP_FAILED, enrollment_token=enrollment.token,
                         target_username=username, details={**details, "state": enrollment.state})
        return INVALID_CREDENTIALS
    refusal = state_refusal(enrollment)
    if refusal is not None:
        return _refuse(actor, refusal, enrollment.token, username, details)
    return _complete_or_repeat(enrollment, device, actor, details)


def _enrolled_device(token: str, device: DeviceFacts) -> Device | None:
    """The device already enrolled with ``token`` that ``device`` is, by its serial number or its
    IMEI; None when there is none or ``device`` reports neither."""
    same = Q()
    if device.serial_number:
        same |= Q(serial_number=device.serial_number)
    if device.imei:
        same |= Q(imei=device.imei)
    if not same:
        return None
    return Device.objects.filter(same, enrollment_token=token).order_by("id").first()


def _complete_or_repeat(enrollment: PendingEnrollment, device: DeviceFacts, actor: Actor,
                        details: dict[str, Any]) -> RedeemResult:
    # A device is recorded only by taking a use (``_complete``) and a token is never reused, so
    # while no use has been taken there is no device to repeat and no need to look for one.
    used = enrollment.uses_remaining < enrollment.usage_count
    previous = _enrolled_device(enrollment.token, device) if used else None
    if previous is not None:
        return _repeat(previous, enrollment.uses_remaining, actor, details)
    check = restriction_check(username=enrollment.username, ownership=enrollment.ownership, device=device)
    if check.refusal is not None:
        identifiers_refused(check.identifiers, check.refusal)
        return _refuse(actor, restricted(check.refusal), enrollment.token, enrollment.username,
                       {**details, **refusal_details(device, check.refusal)})
    result = _complete(enrollment, device, actor, details)
    if result.device is not None:
        identifiers_enrolled(check.identifiers, result.device)
    return result


def _repeat(record: Device, remaining_uses: int, actor: Actor, details: dict[str, Any]) -> RedeemResult:
    """A redemption that already succeeded, asked again (a lost answer): the same device, nothing
    consumed."""
    audit_record(actor=actor, action=AuditAction.REDEEM_REPEATED, enrollment_token=record.enrollment_token,
                 target_username=record.username,
                 details={**details, "device_id": str(record.public_id), "serial_number": record.serial_number,
                          "imei": record.imei, "remaining_uses": remaining_uses})
    return RedeemResult(status=200, device=record, username=record.username, ownership=record.ownership,
                        remaining_uses=remaining_uses)


def _oldest_for_username(username: str) -> PendingEnrollment | None:
    """The user's oldest usable enrollment; failing that the oldest locked or expired one (so
    the right OTP can be told why it is refused)."""
    mine = PendingEnrollment.objects.select_for_update().filter(username=username).order_by("created_at", "id")
    usable = mine.filter(state=State.ACTIVE).filter(
        Q(otp_expires_at__isnull=True) | Q(otp_expires_at__gt=timezone.now())
    )
    return usable.first() or mine.first()


def _past_expiry(enrollment: PendingEnrollment) -> bool:
    return enrollment.otp_expires_at is not None and enrollment.otp_expires_at <= timezone.now()


def state_refusal(enrollment: PendingEnrollment) -> RedeemResult | None:
    """Why ``enrollment`` cannot be redeemed now (locked, expired, used up), or None."""
    if enrollment.state == State.LOCKED:
        return LOCKED
    if enrollment.state == State.EXPIRED or _past_expiry(enrollment):
        return EXPIRED
    if enrollment.uses_remaining < 1:
        return USED_UP
    return None


def _count_failure(enrollment: PendingEnrollment, actor: Actor, details: dict[str, Any]) -> int:
    """One more wrong OTP; locks the entry when it reaches the policy's maximum. Returns the
    attempts left."""
    max_attempts = OtpPolicy.load().max_attempts
    enrollment.failed_attempts += 1
    left = max(0, max_attempts - enrollment.failed_attempts)
    fields = ["failed_attempts"]
    if left == 0:
        enrollment.state = State.LOCKED
        enrollment.locked_at = timezone.now()
        fields += ["state", "locked_at"]
    enrollment.save(update_fields=fields)
    audit_record(actor=actor, action=AuditAction.OTP_FAILED, enrollment_token=enrollment.token,
                 target_username=enrollment.username,
                 details={**details, "failed_attempts": enrollment.failed_attempts, "attempts_left": left})
    if left == 0:
        audit_record(actor=actor, action=AuditAction.ENROLLMENT_LOCKED, enrollment_token=enrollment.token,
                     target_username=enrollment.username,
                     details={**details, "failed_attempts": enrollment.failed_attempts})
        event_record(Event.ENROLLMENT_LOCKED, payloads.enrollment_locked(enrollment))
    return left


def _complete(enrollment: PendingEnrollment, device: DeviceFacts, actor: Actor,
              details: dict[str, Any]) -> RedeemResult:
    if enrollment.reserved_licences < 1:
        return _refuse(actor, NO_LICENCE, enrollment.token, enrollment.username, details)
    enrollment.uses_remaining -= 1
    enrollment.reserved_licences -= 1
    enrollment.failed_attempts = 0
    # The five writes of a redemption touch five different rows and read none of each other's: one
    # statement (lib.rows.together), sent under the row lock taken above.
    with rows.together():
        record = rows.insert(Device(
            username=enrollment.username,
            user_type=enrollment.user_type,
            end_user_id=enrollment.end_user_id,
            platform=device.platform,
            serial_number=device.serial_number,
            imei=device.imei,
            manufacturer=device.manufacturer,
            model=device.model,
            os_version=device.os_version,
            ownership=enrollment.ownership,
            enrollment_token=enrollment.token,
            source=enrollment.source,
        ))
        licence_consume(actor=actor, enrollment_token=enrollment.token, username=enrollment.username,
                        note=f"device {record.public_id}")
        if enrollment.uses_remaining == 0:
            rows.delete(enrollment)
        else:
            rows.update(enrollment, ["uses_remaining", "reserved_licences", "failed_attempts"])
        audit_record(actor=actor, action=AuditAction.DEVICE_ENROLLED, enrollment_token=enrollment.token,
                     target_username=enrollment.username,
                     details={**details, "device_id": str(record.public_id), "serial_number": record.serial_number,
                              "imei": record.imei, "manufacturer": record.manufacturer,
                              "model": record.model, "os_version": record.os_version,
                              "remaining_uses": enrollment.uses_remaining})
    # One more statement, after the batch: INSERT ... SELECT from the subscribed endpoints (none: nothing).
    event_record(Event.DEVICE_ENROLLED, payloads.device_enrolled(record, remaining_uses=enrollment.uses_remaining))
    return RedeemResult(status=201, device=record, username=enrollment.username, ownership=enrollment.ownership,
                        remaining_uses=enrollment.uses_remaining)


def _refuse(actor: Actor, result: RedeemResult, token: str, username: str, details: dict[str, Any],
            action: AuditAction = AuditAction.REDEEM_REFUSED) -> RedeemResult:
    audit_record(actor=actor, action=action, enrollment_token=token, target_username=username,
                 details={**details, "reason": result.error})
    return result
