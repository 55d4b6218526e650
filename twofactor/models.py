"""Two-step verification for console users (SPEC F16): each user's authenticator app, their recovery
codes, and the policy that says which roles must have one.

The authenticator's secret is sealed at rest with the database's Fernet keys (``lib.crypto``). A
recovery code is stored only as a keyed hash (``twofactor.codes``). The one row per user is made
unconfirmed when set-up starts and is active once ``confirmed_at`` is set (one right code). An unconfirmed
row belongs to the session that started the set-up (``setup_nonce``, also kept in that session): another
session starting a set-up gets a new secret, and only the session holding the nonce can confirm it.
"""

from django.conf import settings
from django.db import models

from lib.singleton import SingletonModel


class AuthenticatorQuerySet(models.QuerySet["Authenticator"]):
    def active(self) -> "AuthenticatorQuerySet":
        """The authenticators turned on: confirmed by one right code (``Authenticator.is_active``)."""
        return self.filter(confirmed_at__isnull=False)


class Authenticator(models.Model):
    """A console user's authenticator app (TOTP, RFC 6238: 6 digits, 30-second steps).

    ``last_step`` is the time step of the last code accepted: a code is accepted only for a later step,
    claimed by one conditional UPDATE (``twofactor.services``), so a code cannot be used twice, not even
    by two requests at the same moment."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticator")
    secret_sealed = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField("Turned on", null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)
    # Of an unconfirmed authenticator: the nonce the session that started the set-up holds (empty once on).
    setup_nonce = models.CharField(max_length=64, blank=True, default="")

    objects = AuthenticatorQuerySet.as_manager()

    def __str__(self) -> str:
        return f"authenticator of user {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """One of a user's ten single-use recovery codes, as its keyed hash; ``used_at`` once it was used."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recoverycode_user_hash_idx")]

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"


def default_required_roles() -> list[str]:
    # The roles that must use two-step verification on a fresh install: the ones that change settings,
    # manage console users and API keys.
    return ["Administrator"]


class TwoStepPolicy(SingletonModel):
    """Admin > Console users > Two-step verification: the roles whose users must have a second factor.
    A user of such a role without one is sent to set it up right after the password and can do nothing
    else first (``twofactor.middleware``); they cannot turn theirs off."""

    required_roles = models.JSONField("Require two-step verification for", default=default_required_roles,
                                      blank=True)

    class Meta:
        verbose_name = "two-step verification policy"
