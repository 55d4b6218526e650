import json
from typing import Any

from django.conf import settings
from django.db import models

from lib.querysets import RestrictedQuerySet


class AuditAction(models.TextChoices):
    OTP_VIEWED = "otp_viewed", "OTP viewed"
    OTP_RESET = "otp_reset", "OTP reset"
    ENROLLMENT_CREATED = "enrollment_created", "Pending enrollment created"
    ENROLLMENT_DELETED = "enrollment_deleted", "Pending enrollment deleted"
    ENROLLMENT_EXPIRED = "enrollment_expired", "OTP expired"
    ENROLLMENT_PURGED = "enrollment_purged", "Expired enrollment purged"
    QR_DOWNLOADED = "qr_downloaded", "QR code downloaded"
    USER_PROVISIONED = "user_provisioned", "User provisioned"
    BULK_UPLOADED = "bulk_uploaded", "Bulk file uploaded"
    BULK_STARTED = "bulk_started", "Bulk job started"
    BULK_DOWNLOADED = "bulk_downloaded", "Bulk export downloaded"
    BULK_REMOVED = "bulk_removed", "Bulk job removed"
    BULK_JOB_FINISHED = "bulk_job_finished", "Bulk job finished"
    QR_CREATED = "qr_created", "QR code created"
    QR_DELETED = "qr_deleted", "QR code deleted"
    DEVICE_ENROLLED = "device_enrolled", "Device enrolled"
    DEVICE_REMOVED = "device_removed", "Device removed"
    OTP_FAILED = "otp_failed", "Wrong OTP"
    ENROLLMENT_LOCKED = "enrollment_locked", "Enrollment locked"
    REDEEM_REFUSED = "redeem_refused", "Enrollment refused"
    REDEEM_REPEATED = "redeem_repeated", "Enrollment repeated (nothing consumed)"
    LICENCE_TOTAL_SET = "licence_total_set", "Licence total set"
    SETTINGS_CHANGED = "settings_changed", "Settings changed"
    TEMPLATE_CHANGED = "template_changed", "Template changed"
    MESSAGE_RESENT = "message_resent", "Message re-sent"
    MESSAGE_BODY_VIEWED = "message_body_viewed", "Message opened"
    CONSOLE_USER_CREATED = "console_user_created", "Console user created"
    CONSOLE_USER_CHANGED = "console_user_changed", "Console user changed"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    PORTAL_ENROLLMENT = "portal_enrollment", "Self enrollment started"
    CORPORATE_IDENTIFIERS_CHANGED = "corporate_identifiers_changed", "Corporate identifiers changed"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    API_CALL = "api_call", "API call"
    API_REFUSED = "api_refused", "API call refused"
    WEBHOOK_CHANGED = "webhook_changed", "Webhook endpoint changed"
    WEBHOOK_TEST_SENT = "webhook_test_sent", "Webhook test event sent"
    WEBHOOK_RESENT = "webhook_resent", "Webhook delivery re-sent"
    TWO_STEP_ENABLED = "two_step_enabled", "Two-step verification turned on"
    TWO_STEP_DISABLED = "two_step_disabled", "Two-step verification turned off"
    TWO_STEP_RESET = "two_step_reset", "Two-step verification reset"
    TWO_STEP_CODE_REFUSED = "two_step_code_refused", "Two-step verification code refused"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Recovery codes regenerated"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"


class AuditEntryQuerySet(RestrictedQuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One thing that happened. Append-only: the model refuses updates and deletes, and on
    PostgreSQL a trigger refuses them in the database as well."""

    created_at = models.DateTimeField(auto_now_add=True)
    # No database constraint and nothing done on delete: a deleted console user must not make the
    # database rewrite audit rows (the append-only trigger would refuse it). actor_name keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    enrollment_token = models.CharField(max_length=64, blank=True, db_index=True)
    target_username = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        # The list pages by (created_at, id) (lib.pagination); filtered by action it reads
        # (action, created_at, id) in its order. Each also serves its first column alone, so created_at
        # and action have no index of their own. Trigram indexes serve the "contains" filters on
        # actor_name and target_username on PostgreSQL (0006_list_indexes). target_username is also looked
        # up whole: a plain index, without db_index's prefix twin, which nothing reads (0008).
        indexes = [
            models.Index(fields=["created_at", "id"], name="audit_created_idx"),
            models.Index(fields=["action", "created_at", "id"], name="audit_action_idx"),
            models.Index(fields=["target_username"], name="audit_target_username_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit entries are append-only.")

    def details_fields(self) -> list[tuple[str, str]]:
        """The details as (label, value) for a person: "previous_state" → "Previous state", yes/no
        for booleans, lists joined, nested values as JSON. A settings change's ``changes``
        ({field: [old, new]}) gives one field each, after the others: "Max attempts" → "5 → 3"."""
        fields, changes = [], []
        for key, value in (self.details or {}).items():
            if key == "changes" and isinstance(value, dict):
                changes = [(_label(name), _change(pair)) for name, pair in value.items()]
            else:
                fields.append((_label(key), _readable(value)))
        return fields + changes

    def details_json(self) -> str:
        """The details as one JSON object (the CSV export's column)."""
        return json.dumps(self.details or {}, ensure_ascii=False, sort_keys=True) if self.details else ""


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _change(pair: Any) -> str:
    if isinstance(pair, list) and len(pair) == 2:
        return " → ".join(_readable(value) or "—" for value in pair)
    return _readable(pair)


def _readable(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
