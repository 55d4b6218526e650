"""Pending enrollments: create, reveal, reset, delete. One function per use case, called alike
by views, tasks, management commands and the API."""

import logging
import secrets
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accounts.end_users import EndUserError, mobile_e164
from accounts.models import EndUser, UserType
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record, audit_record_many
from enrollment.links import QR_KINDS, qr_owner
from enrollment.models import Ownership, PendingEnrollment, Source, State
from enrollment.otp import OtpRule
from lib import qr
from lib.crypto import SecretUnreadable, seal, unseal
from lib.languages import DEFAULT_LANGUAGE, LanguageError, language_parse
from lib.text import username_problem
from licensing.services import licence_release, licence_release_many, licence_reserve
from webhooks import payloads
from webhooks.events import Event, event_record, events_record

logger = logging.getLogger(__name__)

# What View OTP and the portal show instead of an OTP sealed with a key no longer configured.
OTP_UNREADABLE = "This OTP cannot be read with the configured keys: reset it"


class EnrollmentError(Exception):
    """A refusal a person can act on; the message is shown as it is."""


@dataclass(frozen=True)
class CreatedEnrollment:
    enrollment: PendingEnrollment
    otp: str = field(repr=False)  # kept out of logs and error reports


def new_token() -> str:
    """192 random bits, URL-safe: unguessable and short enough for a link. Never starting with "-"
    (the only one of = + - @ in the URL-safe alphabet): a spreadsheet would take such a cell for a
    formula, so the export would have to escape it and a script reading the export would get a
    token that does not work."""
    while True:
        token = secrets.token_urlsafe(24)
        if token[0] != "-":
            return token


@sensitive_variables()
def pending_enrollment_create(
    *,
    actor: Actor,
    username: str,
    source: Source,
    user_type: str = UserType.LOCAL,
    ownership: str = Ownership.UNKNOWN,
    mobile: str = "",
    email: str = "",
    end_user: EndUser | None = None,
    usage_count: int = 1,
    otp_rule: OtpRule | None = None,
    audit_details: dict[str, Any] | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> CreatedEnrollment:
    """Create a pending enrollment holding ``usage_count`` licence reservations.

    All or nothing: raises ``licensing.services.NoLicenceLeft`` and writes nothing when too few
    licences remain. Callers that queue notifications do so inside their own
    ``transaction.atomic`` around this call, so the outbox row commits with the enrollment.
    """
    username = username.strip()
    if not username:
        raise EnrollmentError("A username is required.")
    # An end user's own name was checked when the user was made (or is the directory's); a bare
    # name (the API, a QR code for a local user not on file) is created here: the console's rule.
    if problem := username_problem(username, lookup=end_user is not None):
        raise EnrollmentError(f"The username {problem}.")
    try:
        mobile = mobile_e164(mobile)
    except EndUserError as exc:
        raise EnrollmentError(str(exc)) from exc
    if usage_count < 1:
        raise EnrollmentError("The usage count must be at least 1.")
    try:
        language = language_parse(language)
    except LanguageError as exc:
        raise EnrollmentError(str(exc)) from exc
    rule = otp_rule or OtpRule.from_policy()
    otp = rule.generate()
    token = new_token()
    with transaction.atomic():
        licence_reserve(quantity=usage_count, actor=actor, enrollment_token=token, username=username,
                        note=f"{source} enrollment")
        enrollment = PendingEnrollment.objects.create(
            token=token,
            username=username,
            user_type=user_type,
            end_user=end_user,
            email=email,
            mobile=mobile,
            ownership=ownership,
            language=language,
            source=source,
            otp_ciphertext=seal(otp),
            otp_expires_at=rule.expires_at(),
            usage_count=usage_count,
            uses_remaining=usage_count,
            reserved_licences=usage_count,
            created_by=actor.user,
            created_by_name=actor.name[:150],
        )
        audit_record(
            actor=actor,
            action=AuditAction.ENROLLMENT_CREATED,
            enrollment_token=token,
            target_username=username,
            details={"source": source, "usage_count": usage_count, "language": language, **(audit_details or {})},
        )
        event_record(Event.ENROLLMENT_CREATED, payloads.enrollment_created(enrollment, actor=actor.name))
    return CreatedEnrollment(enrollment=enrollment, otp=otp)


@sensitive_variables()
def otp_reveal(*, enrollment: PendingEnrollment, actor: Actor) -> str | None:
    """The OTP in clear, for "View OTP". Every call is audited.

    None when the stored OTP cannot be decrypted with the configured keys (OTP_ENCRYPTION_KEY
    wrong or rotated without keeping the old key): logged as an error (never the ciphertext), and
    only a Reset OTP makes the enrollment usable again."""
    try:
        otp = unseal(enrollment.otp_ciphertext)
    except SecretUnreadable:
        logger.error("The OTP of pending enrollment %s (%s) cannot be decrypted with the configured "
                     "OTP_ENCRYPTION_KEY keys; it must be reset.", enrollment.pk, enrollment.username)
        otp = None
    audit_record(actor=actor, action=AuditAction.OTP_VIEWED, enrollment_token=enrollment.token,
                 target_username=enrollment.username, details={"unreadable": True} if otp is None else None)
    return otp


@sensitive_variables()
def otp_reset(*, enrollment: PendingEnrollment, actor: Actor, otp_rule: OtpRule | None = None) -> CreatedEnrollment:
    """New OTP and expiry; the old OTP stops working when this commits. Unlocks a locked entry
    and revives an expired one, which must then reserve its licences again (refused with
    NoLicenceLeft, nothing changed, when none are left)."""
    rule = otp_rule or OtpRule.from_policy()
    otp = rule.generate()
    with transaction.atomic():
        locked = PendingEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        missing = locked.uses_remaining - locked.reserved_licences
        if missing > 0:
            licence_reserve(quantity=missing, actor=actor, enrollment_token=locked.token,
                            username=locked.username, note="OTP reset")
        previous_state = locked.state
        locked.otp_ciphertext = seal(otp)
        locked.otp_expires_at = rule.expires_at()
        locked.state = State.ACTIVE
        locked.failed_attempts = 0
        locked.locked_at = None
        locked.expired_at = None
        locked.reserved_licences = locked.uses_remaining
        locked.save(update_fields=[
            "otp_ciphertext", "otp_expires_at", "state", "failed_attempts", "locked_at", "expired_at",
            "reserved_licences",
        ])
        audit_record(actor=actor, action=AuditAction.OTP_RESET, enrollment_token=locked.token,
                     target_username=locked.username, details={"previous_state": previous_state})
        event_record(Event.ENROLLMENT_OTP_RESET,
                     payloads.enrollment_otp_reset(locked, previous_state=previous_state, actor=actor.name))
        qr_images_forget_on_commit([locked.token])
    return CreatedEnrollment(enrollment=locked, otp=otp)


def pending_enrollment_delete(*, enrollment: PendingEnrollment, actor: Actor) -> None:
    """Remove the pending enrollment and release its reservations."""
    with transaction.atomic():
        locked = PendingEnrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
        if locked is None:
            return
        licence_release(quantity=locked.reserved_licences, actor=actor, enrollment_token=locked.token,
                        username=locked.username, note="deleted")
        locked.delete()
        audit_record(actor=actor, action=AuditAction.ENROLLMENT_DELETED, enrollment_token=locked.token,
                     target_username=locked.username, details={"source": locked.source})
        event_record(Event.ENROLLMENT_DELETED, payloads.enrollment_deleted(
            token=locked.token, username=locked.username, source=locked.source, actor=actor.name))
        qr_images_forget_on_commit([locked.token])


def pending_enrollments_delete(*, ids: list[int], actor: Actor) -> int:
    """Delete several at once, atomically; returns how many were deleted. Ids already gone are
    ignored (someone else deleted them, or a device used them up)."""
    with transaction.atomic():
        rows = list(
            PendingEnrollment.objects.select_for_update()
            .filter(pk__in=ids)
            .values_list("pk", "token", "username", "reserved_licences", "source")
        )
        if not rows:
            return 0
        licence_release_many(entries=[(t, u, r) for _, t, u, r, _ in rows], actor=actor, note="deleted")
        PendingEnrollment.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
        audit_record_many(actor=actor, action=AuditAction.ENROLLMENT_DELETED,
                          targets=[(t, u) for _, t, u, _, _ in rows], details={"bulk_delete": True})
        events_record(Event.ENROLLMENT_DELETED, (payloads.enrollment_deleted(token=t, username=u, source=src,
                                                                             actor=actor.name)
                                                 for _, t, u, _, src in rows))
        qr_images_forget_on_commit([t for _, t, *_ in rows])
    return len(rows)


def qr_download_record(
    *, actor: Actor, enrollment_token: str, target_username: str, fmt: str, details: dict[str, Any] | None = None
) -> None:
    """Audit the download of a QR image (QR_DOWNLOADED): an activation link's code (which holds the
    token) or an Automatic Provisioning code (``details`` names it; it also holds the OTP). Showing
    a code inline is not a download: its page audits the view."""
    audit_record(actor=actor, action=AuditAction.QR_DOWNLOADED, enrollment_token=enrollment_token,
                 target_username=target_username, details={"format": fmt, **(details or {})})


def qr_images_forget_on_commit(tokens: list[str]) -> None:
    """Drop the cached QR images that carry these enrollments' tokens (activation links, Automatic
    Provisioning codes with the old OTP) once the transaction commits. Not before: until then other
    requests still read the old row and could cache its code again."""
    owners = [qr_owner(token, kind) for token in tokens for kind in QR_KINDS]
    transaction.on_commit(partial(qr.forget, *owners))
