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
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
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
USED_CODE = "This code was already used. Wait for the next one in your app."
USED_RECOVERY_CODE = "This recovery code was already used: each one works once. Enter another one."
SETUP_OUT_OF_DATE = "Start the set-up again: this page was out of date."


@dataclass(frozen=True)
class SetUp:
    """What the set-up page shows: the secret as text and as the otpauth URI (for the QR code), the name the
    app will show for the account; and the nonce the session keeps to confirm this set-up (no other can)."""

    secret: str
    uri: str
    label: str
    nonce: str


@sensitive_variables()
def authenticator_begin(*, user: User, account: str, nonce: str) -> SetUp:
    """The set-up of an authenticator for ``user`` in the session that holds ``nonce`` ("" for none yet).
    The unconfirmed authenticator keeps its secret while the session's nonce is its own (a reload of the set-up
    page keeps the secret already scanned); any other session gets a new secret and a new nonce, which void
    the earlier ones: a key once seen in one session (a stolen one, say) is never the key another session
    confirms. TwoStepError when theirs is already on."""
    with transaction.atomic():
        authenticator, created = Authenticator.objects.select_for_update().get_or_create(
            user=user, defaults={"secret_sealed": seal(totp.secret_generate()), "setup_nonce": _nonce_new()})
        if authenticator.is_active:
            raise TwoStepError("Two-step verification is already on.")
        if not created and not _nonce_matches(authenticator, nonce):
            # The QR code of the secret it replaces must not stay in the cache either.
            qr.forget(totp.provisioning_uri(unseal(authenticator.secret_sealed), account=account))
            authenticator.secret_sealed = seal(totp.secret_generate())
            authenticator.setup_nonce = _nonce_new()
            authenticator.save(update_fields=["secret_sealed", "setup_nonce"])
    secret = unseal(authenticator.secret_sealed)
    return SetUp(secret=secret, uri=totp.provisioning_uri(secret, account=account),
                 label=totp.account_label(account), nonce=authenticator.setup_nonce)


@sensitive_variables()
def authenticator_confirm(*, user: User, code: str, nonce: str, account: str, actor: Actor) -> list[str]:
    """Turn on the set-up authenticator of ``user`` with one right ``code``, from the session that began it
    (``nonce``); returns the ten new recovery codes (shown once, stored hashed). The code's step counts as
    used. TwoStepError for a wrong code or a set-up begun elsewhere (or replaced since)."""
    with transaction.atomic():
        authenticator = Authenticator.objects.select_for_update().filter(user=user).first()
        if authenticator is None or authenticator.is_active or not _nonce_matches(authenticator, nonce):
            raise TwoStepError(SETUP_OUT_OF_DATE)
        secret = unseal(authenticator.secret_sealed)
        step = totp.matching_step(secret, codes.normalize(code))
        if step is None:
            raise TwoStepError("That code is not right. Enter the code your authenticator app shows now.")
        authenticator.confirmed_at = timezone.now()
        authenticator.last_step = step
        authenticator.setup_nonce = ""
        authenticator.save(update_fields=["confirmed_at", "last_step", "setup_nonce"])
        recovery = _recovery_codes_replace(user)
        _epoch_move(user)
        audit_record(actor=actor, action=AuditAction.TWO_STEP_ENABLED, target_username=user.get_username())
    # The set-up QR code holds the secret: no copy of it stays in the cache.
    qr.forget(totp.provisioning_uri(secret, account=account))
    return recovery


@sensitive_variables()
def second_factor_verify(*, user: User, code: str, actor: Actor) -> Method:
    """Check ``code`` (the authenticator app's, or an unused recovery code) for ``user`` and use it up: the
    method it passed by. A recovery code used is audited. WrongCode otherwise, its message saying whether the
    code was not right or already used (the caller counts and audits it as a wrong code either way)."""
    typed = codes.normalize(code)  # "123 456", "123-456", "ABCDE-FGHJK"
    if len(typed) == totp.DIGITS and typed.isdigit():
        claim = _authenticator_code_claim(user, typed)
        if claim is _Claim.USED:
            raise WrongCode(USED_CODE)
        if claim is _Claim.WRONG:
            raise WrongCode(WRONG_CODE)
        return Method.AUTHENTICATOR
    if codes.looks_like_recovery_code(typed):
        claim = _recovery_code_claim(user, typed)
        if claim is _Claim.USED:
            raise WrongCode(USED_RECOVERY_CODE)
        if claim is _Claim.CLAIMED:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit_record(actor=actor, action=AuditAction.RECOVERY_CODE_USED, target_username=user.get_username(),
                         details={"recovery_codes_left": left})
            return Method.RECOVERY_CODE
    raise WrongCode(WRONG_CODE)


def code_refused_record(*, actor: Actor, username: str, step: str, sign_in: bool = False) -> None:
    """Audit a wrong (or already used) code entered for ``username`` at ``step``: a failed sign-in at the
    sign-in's code step, a refused code anywhere else (account page, a Provision User authorizer)."""
    audit_record(actor=actor, action=AuditAction.LOGIN_FAILED if sign_in else AuditAction.TWO_STEP_CODE_REFUSED,
                 target_username=username, details={"reason": "wrong two-step verification code", "step": step})


@sensitive_variables()
def recovery_codes_regenerate(*, user: User, code: str, actor: Actor) -> list[str]:
    """Ten new recovery codes for ``user``, who proves it is them with a current ``code``; the old codes
    stop working. TwoStepError for a wrong code or without an authenticator."""
    if not Authenticator.objects.active().filter(user=user).exists():
        raise TwoStepError("Set up two-step verification first.")
    second_factor_verify(user=user, code=code, actor=actor)
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
    second_factor_verify(user=user, code=code, actor=actor)
    with transaction.atomic():
        _second_factor_delete(user)
        audit_record(actor=actor, action=AuditAction.TWO_STEP_DISABLED, target_username=user.get_username())


def second_factor_reset_check(*, user: User, actor: Actor) -> None:
    """TwoStepError when ``actor`` may not reset the second factor of ``user``: nobody resets their own
    (they turn it off on their account page). The confirmation page asks it before offering the button."""
    if actor.user is not None and actor.user.pk == user.pk:
        raise TwoStepError("Your own two-step verification is changed on your account page.")


def second_factor_reset(*, user: User, actor: Actor) -> bool:
    """An Administrator takes away another user's second factor (a lost phone): the authenticator (also one
    whose set-up was never finished: its key may have been seen in another session) and the recovery codes
    are deleted and every session of that user ends. At their next sign-in they set up a new one if their
    role requires it. Returns whether it was on (False: an unfinished set-up was deleted)."""
    second_factor_reset_check(user=user, actor=actor)
    with transaction.atomic():
        authenticator = Authenticator.objects.select_for_update().filter(user=user).first()
        if authenticator is None:
            raise TwoStepError(f"{user.get_username()} has no two-step verification to reset.")
        _second_factor_delete(user)
        audit_record(actor=actor, action=AuditAction.TWO_STEP_RESET, target_username=user.get_username(),
                     details={} if authenticator.is_active else {"unfinished_set_up": True})
    return authenticator.is_active


def setup_unfinished_drop(user: User) -> None:
    """A new password voids a set-up not finished yet: whoever saw its key (in a session the new password
    ends) cannot have it confirmed later. An authenticator already on stays."""
    Authenticator.objects.filter(user=user, confirmed_at__isnull=True).delete()


def _nonce_new() -> str:
    return secrets.token_urlsafe(32)


def _nonce_matches(authenticator: Authenticator, nonce: str) -> bool:
    return bool(nonce) and bool(authenticator.setup_nonce) and constant_time_compare(authenticator.setup_nonce, nonce)


class _Claim(enum.Enum):
    CLAIMED = "claimed"
    USED = "already used"
    WRONG = "wrong"


def _authenticator_code_claim(user: User, code: str) -> _Claim:
    authenticator = Authenticator.objects.active().filter(user=user).first()
    if authenticator is None:
        return _Claim.WRONG
    step = totp.matching_step(unseal(authenticator.secret_sealed), code)
    if step is None:
        return _Claim.WRONG
    # Only a later step than the last one used: a replayed code (or an older one still in the window) moves
    # nothing. Under PostgreSQL's row lock a concurrent UPDATE re-reads last_step after the first commits.
    claimed = Authenticator.objects.active().filter(pk=authenticator.pk).filter(
        Q(last_step__isnull=True) | Q(last_step__lt=step)).update(last_step=step)
    return _Claim.CLAIMED if claimed == 1 else _Claim.USED


def _recovery_code_claim(user: User, code: str) -> _Claim:
    if not Authenticator.objects.active().filter(user=user).exists():
        return _Claim.WRONG
    hashes = codes.code_hashes(code)
    if RecoveryCode.objects.filter(user=user, code_hash__in=hashes, used_at__isnull=True).update(
            used_at=timezone.now()) == 1:
        return _Claim.CLAIMED
    return _Claim.USED if RecoveryCode.objects.filter(user=user, code_hash__in=hashes).exists() else _Claim.WRONG


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
