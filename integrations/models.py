"""Admin > API keys and what the integration API remembers for a key: its idempotent creates.

A key is stored only as a keyed hash (``integrations.keys``); what a person sees of it afterwards is
its prefix. A key is usable while it is neither revoked nor past its expiry; revoking is final.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from lib.querysets import RestrictedQuerySet

MANAGE_PERMISSION = "integrations.manage_apikey"


class Scope(models.TextChoices):
    ENROLLMENTS_READ = "enrollments:read", "enrollments:read: list and read pending enrollments (without their OTPs)"
    ENROLLMENTS_WRITE = "enrollments:write", ("enrollments:write: create pending enrollments, read their OTPs, "
                                              "reset their OTPs and delete them")
    DEVICES_READ = "devices:read", "devices:read: list enrolled devices"


class KeyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ApiKeyQuerySet(RestrictedQuerySet["ApiKey"]):
    view_permission = MANAGE_PERMISSION


class ApiKey(models.Model):
    """An integration's credential. ``key_hash`` is HMAC-SHA256 of the whole key under a key derived
    from SECRET_KEY; the key itself is shown once, when it is made, and never stored."""

    name = models.CharField("Name", max_length=100,
                            help_text="Who uses the key, e.g. “Workday onboarding”. API calls are audited under "
                                      "this name.")
    prefix = models.CharField("Key", max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField("Scopes", default=list)
    expires_at = models.DateTimeField("Expires", null=True, blank=True)
    created_at = models.DateTimeField("Created", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_name = models.CharField("Created by", max_length=150, blank=True)
    revoked_at = models.DateTimeField("Revoked", null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)
    last_used_at = models.DateTimeField("Last used", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("Last used from", null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        permissions = [("manage_apikey", "Can manage API keys")]
        constraints = [
            # The audit log names a key's calls by its name: two usable keys never share one.
            models.UniqueConstraint(fields=["name"], condition=models.Q(revoked_at__isnull=True),
                                    name="apikey_unique_unrevoked_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, now: datetime | None = None) -> KeyStatus:
        if self.revoked_at is not None:
            return KeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return KeyStatus.EXPIRED
        return KeyStatus.ACTIVE

    @property
    def status_label(self) -> str:
        return self.status().label

    def scope_names(self) -> list[str]:
        return [scope for scope in Scope.values if scope in self.scopes]


class IdempotentCreate(models.Model):
    """The first answer to ``POST /api/v1/enrollments`` with an ``Idempotency-Key``, per API key.

    The row is inserted first in the create's transaction: a second request with the same key waits
    on the unique index until the first commits, then finds the row and answers with it. Only a
    create that succeeded leaves a row (a refusal rolls it back with everything else, having created
    nothing, so a retry runs again). The body holds the OTP, so it is kept sealed (``lib.crypto``);
    rows older than ``integrations.idempotency.RETENTION`` are ignored and purged."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request body, to refuse another body
    status = models.PositiveSmallIntegerField(default=0)
    body_sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotentcreate_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.key}"
