from typing import Any, ClassVar

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.crypto import salted_hmac

from lib.querysets import RestrictedQuerySet


class UserQuerySet(RestrictedQuerySet["User"]):
    pass


class UserManager(DjangoUserManager["User"]):
    """Django's (create_user, create_superuser) over a ``UserQuerySet``, with ``restrict``."""

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def restrict(self, user: Any, action: str = "view") -> UserQuerySet:
        return self.get_queryset().restrict(user, action)


class User(AbstractUser):
    """A console user (Administrator, Super Helpdesk or Helpdesk, by group). End users who enroll
    devices are ``EndUser`` rows and never sign in to the console."""

    receive_email_alerts = models.BooleanField(
        "Receive email alerts",
        default=False,
        help_text="Receive an email whenever a device is provisioned on behalf of a user.",
    )
    # Counts changes of the user's second factor (turned on, off, reset: twofactor.services). It is part
    # of the session hash, so each change ends the user's sessions as a new password does.
    second_factor_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = "console user"

    def role_names(self) -> list[str]:
        return sorted(group.name for group in self.groups.all())

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password (kept in every session at sign-in; a session whose hash no longer
        matches is signed out), with the second-factor epoch folded in once it moved: a reset of the
        second factor ends every session of the user, as a password change does. At epoch 0 the hash is
        Django's own, so sessions made before two-step verification existed stay valid."""
        if not self.second_factor_epoch:
            return str(super()._get_session_auth_hash(secret=secret))  # type: ignore[misc]
        return salted_hmac("onramp.accounts.User.session", f"{self.password}|{self.second_factor_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()


class UserType(models.TextChoices):
    LOCAL = "local", "Local"
    LDAP = "ldap", "LDAP"


class EndUserQuerySet(RestrictedQuerySet["EndUser"]):
    pass


class EndUser(models.Model):
    """A person who enrolls devices: signs in to the self-service portal, receives the OTP by
    email or SMS. Local end users have a password hash here; LDAP end users authenticate against
    the directory and are mirrored here for their email and mobile."""

    username = models.CharField(max_length=150)
    user_type = models.CharField(max_length=10, choices=UserType.choices, default=UserType.LOCAL)
    email = models.EmailField(blank=True)
    mobile = models.CharField("Mobile", max_length=20, blank=True, help_text="E.164, e.g. +491712345678")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    password = models.CharField(max_length=128, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EndUserQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_type", "username"], name="enduser_unique_username_per_type"),
        ]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    def set_password(self, raw_password: str | None) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return bool(self.password) and check_password(raw_password, self.password)

    def get_session_auth_hash(self) -> str:
        """Kept in the portal session at sign-in: a new password changes it, which ends every
        portal session of this end user (as Django does for console users)."""
        return salted_hmac("onramp.portal.EndUser.session", self.password, algorithm="sha256").hexdigest()
