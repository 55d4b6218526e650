"""Two-step verification: set-up, the sign-in check, recovery codes, turning off and the admin's reset.

Every change of a user's second factor (turned on, turned off, reset) moves ``User.second_factor_epoch``,
which is part of the session hash: the user's sessions end, as on a password change (the view that made
the change keeps its own session with ``update_session_auth_hash``).

Codes are claimed, not checked and then written: a TOTP code only by the UPDATE that moves the
authenticator's ``last_step`` forward, a recovery code only by the UPDATE that sets its ``used_at``. Of
two requests with the same code at the same moment the database lets one UPDATE change the row and the
other finds nothing left to change, so exactly one of them passes.
"""

import enum
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib import qr
from lib.crypto import seal, unseal
from twofactor import codes, totp
from twofactor.models import Authenticator, RecoveryCode
from twofactor.selectors import second_factor_required


class TwoStepError(Exception):
    """A refusal a person can act on; nothing was changed."""


class WrongCode(TwoStepError):
    """The code entered to prove it is the user was not right (counted and audited by the caller)."""


class Method(enum.StrEnum):
    AUTHENTICATOR = "authenticator app"
    RECOVERY_CODE = "recovery code"


WRONG_CODE = "That code is not right. Enter the current code from your authenticator app, or a recovery code."


@dataclass(frozen=True)
class SetUp:
    """What the set-up page shows: the secret as text and as the otpauth URI (for the QR code)."""

    secret: str
    uri: str


@sensitive_variables()
def authenticator_begin(*, user: User, account: str) -> SetUp:
    """The unconfirmed authenticator of ``user``, made with a new secret when there is none (a reload of
    the set-up page keeps the secret already scanned). TwoStepError when theirs is already on."""
    authenticator, _ = Authenticator.objects.get_or_create(
        user=user, defaults={"secret_sealed": seal(totp.secret_generate())})
    if authenticator.is_active:
        raise TwoStepError("Two-step verification is already on.")
    secret = unseal(authenticator.secret_sealed)
    return SetUp(secret=secret, uri=totp.provisioning_uri(secret, account=account))


@sensitive_variables()
def authenticator_confirm(*, user: User, code: str, account: str, actor: Actor) -> list[str]:
    """Turn on the set-up authenticator of ``user`` with one right ``code``; returns the ten new recovery
    codes (shown once, stored hashed). The code's step counts as used. TwoStepError for a wrong code."""
    with transaction.atomic():
        authenticator = Authenticator.objects.select_for_update().filter(user=user).first()
        if authenticator is None or authenticator.is_active:
            raise TwoStepError("Start the set-up again: this page was out of date.")
        secret = unseal(authenticator.secret_sealed)
        step = totp.matching_step(secret, code.strip())
        if step is None:
            raise TwoStepError("That code is not right. Enter the code your authenticator app shows now.")
        authenticator.confirmed_at = timezone.now()
        authenticator.last_step = step
        authenticator.save(update_fields=["confirmed_at", "last_step"])
        recovery = _recovery_codes_replace(user)
        _epoch_move(user)
        audit_record(actor=actor, action=AuditAction.TWO_STEP_ENABLED, target_username=user.get_username())
    # The set-up QR code holds the secret: no copy of it stays in the cache.
    qr.forget(totp.provisioning_uri(secret, account=account))
    return recovery


@sensitive_variables()
def second_factor_verify(*, user: User, code: str, actor: Actor) -> Method | None:
    """Check ``code`` (the authenticator app's, or an unused recovery code) for ``user`` and use it up:
    the method it passed by, or None. A recovery code used is audited."""
    typed = code.strip()
    digits = typed.replace(" ", "")  # apps show "123 456"
    if len(digits) == totp.DIGITS and digits.isdigit():
        return Method.AUTHENTICATOR if _authenticator_code_claim(user, digits) else None
    if codes.looks_like_recovery_code(typed) and _recovery_code_claim(user, typed):
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit_record(actor=actor, action=AuditAction.RECOVERY_CODE_USED, target_username=user.get_username(),
                     details={"recovery_codes_left": left})
        return Method.RECOVERY_CODE
    return None


@sensitive_variables()
def recovery_codes_regenerate(*, user: User, code: str, actor: Actor) -> list[str]:
    """Ten new recovery codes for ``user``, who proves it is them with a current ``code``; the old codes
    stop working. TwoStepError for a wrong code or without an authenticator."""
    if not Authenticator.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise TwoStepError("Set up two-step verification first.")
    if second_factor_verify(user=user, code=code, actor=actor) is None:
        raise WrongCode(WRONG_CODE)
    with transaction.atomic():
        recovery = _recovery_codes_replace(user)
        audit_record(actor=actor, action=AuditAction.RECOVERY_CODES_REGENERATED, target_username=user.get_username())
    return recovery


@sensitive_variables()
def second_factor_disable(*, user: User, code: str, actor: Actor) -> None:
    """Turn off the user's own two-step verification, proven with a current ``code``. Refused while a role
    of theirs requires it. Their other sessions end."""
    if second_factor_required(user):
        raise TwoStepError("Your role requires two-step verification: it cannot be turned off.")
    if second_factor_verify(user=user, code=code, actor=actor) is None:
        raise WrongCode(WRONG_CODE)
    with transaction.atomic():
        _second_factor_delete(user)
        audit_record(actor=actor, action=AuditAction.TWO_STEP_DISABLED, target_username=user.get_username())


def second_factor_reset(*, user: User, actor: Actor) -> None:
    """An Administrator takes away another user's second factor (a lost phone): the authenticator and the
    recovery codes are deleted and every session of that user ends. At their next sign-in they set up a new
    one if their role requires it. Nobody resets their own (they turn it off on their account page)."""
    if actor.user is not None and actor.user.pk == user.pk:
        raise TwoStepError("Your own two-step verification is changed on your account page.")
    with transaction.atomic():
        if not Authenticator.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).exists():
            raise TwoStepError(f"{user.get_username()} has no two-step verification to reset.")
        _second_factor_delete(user)
        audit_record(actor=actor, action=AuditAction.TWO_STEP_RESET, target_username=user.get_username())


def _authenticator_code_claim(user: User, code: str) -> bool:
    authenticator = Authenticator.objects.filter(user=user, confirmed_at__isnull=False).first()
    if authenticator is None:
        return False
    step = totp.matching_step(unseal(authenticator.secret_sealed), code)
    if step is None:
        return False
    # Only a later step than the last one used: a replayed code (or an older one still in the window) moves
    # nothing. Under PostgreSQL's row lock a concurrent UPDATE re-reads last_step after the first commits.
    claimed = Authenticator.objects.filter(pk=authenticator.pk, confirmed_at__isnull=False).filter(
        Q(last_step__isnull=True) | Q(last_step__lt=step)).update(last_step=step)
    return claimed == 1


def _recovery_code_claim(user: User, code: str) -> bool:
    if not Authenticator.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return False
    claimed = RecoveryCode.objects.filter(user=user, code_hash__in=codes.code_hashes(code),
                                          used_at__isnull=True).update(used_at=timezone.now())
    return claimed == 1


@sensitive_variables()
def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    new = codes.codes_generate()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=codes.code_hashes(code)[0]) for code in new])
    return new


def _second_factor_delete(user: User) -> None:
    Authenticator.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _epoch_move(user)


def _epoch_move(user: User) -> None:
    User.objects.filter(pk=user.pk).update(second_factor_epoch=F("second_factor_epoch") + 1)
    user.refresh_from_db(fields=["second_factor_epoch"])
