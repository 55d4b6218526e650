"""Notification outbox, editable message templates and SMS settings."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from lib.languages import DEFAULT_LANGUAGE, Language
from lib.querysets import RestrictedQuerySet
from lib.singleton import SingletonModel


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class TemplateKey(models.TextChoices):
    ADMIN_PROVISIONED = "admin_provisioned", "Admin Provisioned a Device Notification"
    USER_PROVISIONED = "user_provisioned", "Admin Provisioned a Device Notification for User"
    ENROLLMENT_SMS = "enrollment_sms", "Enrollment SMS"
    OTP_RESET = "otp_reset", "New OTP for User"
    QR_USER = "qr_user", "QR-Code for User"
    QR_ALTERNATIVE = "qr_alternative", "QR-Code for Alternative Address"


class MessageTemplateQuerySet(RestrictedQuerySet["MessageTemplate"]):
    # The templates are seen only by those who may edit them.
    view_permission = "notifications.change_template"


# The templates end users receive: one version per language (English the fallback when a language has
# none). The admins' alert goes to console users, who read English.
END_USER_TEMPLATES = (TemplateKey.USER_PROVISIONED, TemplateKey.ENROLLMENT_SMS, TemplateKey.OTP_RESET,
                      TemplateKey.QR_USER, TemplateKey.QR_ALTERNATIVE)


class MessageTemplate(models.Model):
    """One editable message in one language. Subject and body are Django template source restricted to
    the documented placeholders (``notifications.rendering.validate_template_source``). Each key has its
    English version; an end-user template may have one per other language too (F17)."""

    key = models.CharField(max_length=40, choices=TemplateKey.choices)
    language = models.CharField("Language", max_length=8, choices=Language.choices, default=DEFAULT_LANGUAGE)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    name = models.CharField("Name", max_length=120)
    subject = models.CharField("Subject", max_length=200, blank=True)
    body = models.TextField("Body")
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        permissions = [("change_template", "Can edit notification templates")]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="template_unique_key_language")]

    def __str__(self) -> str:
        return self.name if self.language == DEFAULT_LANGUAGE else f"{self.name} ({self.get_language_display()})"


def validate_sender_label(value: str) -> None:
    """Twilio accepts an alphanumeric sender ID (1-11 characters, at least one letter) or an
    E.164 number as ``from_``."""
    if re.fullmatch(r"\+[1-9]\d{6,14}", value):
        return
    if re.fullmatch(r"[A-Za-z0-9 ]{1,11}", value) and re.search(r"[A-Za-z]", value):
        return
    raise ValidationError(
        "Enter an alphanumeric sender ID of up to 11 letters, digits or spaces (with at least one letter), "
        "or a phone number in E.164 form such as +491712345678."
    )


class SmsSettings(SingletonModel):
    """Admin > App Portal and SMS."""

    sender_label = models.CharField(
        "SMS Sender Label",
        max_length=16,
        blank=True,
        validators=[validate_sender_label],
        help_text="Shown as the sender of enrollment SMS: up to 11 letters and digits, or an E.164 number.",
    )

    class Meta:
        verbose_name = "SMS settings"
        verbose_name_plural = "SMS settings"

    def __str__(self) -> str:
        return "SMS settings"


class MessageQuerySet(RestrictedQuerySet["Message"]):
    def stuck(self, *, queued_before: object, sending_before: object) -> MessageQuerySet:
        return self.filter(
            models.Q(status=MessageStatus.QUEUED, queued_at__lt=queued_before)
            | models.Q(status=MessageStatus.SENDING, claimed_at__lt=sending_before)
        )


class Message(models.Model):
    """An outbox row: written in the transaction of the change that caused it, sent after commit.

    Subject and body may carry an OTP, so they are stored sealed (``lib.crypto``).
    Status moves queued → sending (claimed by exactly one worker) → sent | queued (retry) | failed.
    """

    channel = models.CharField("Channel", max_length=10, choices=Channel.choices)
    template_key = models.CharField("Template", max_length=40, choices=TemplateKey.choices, blank=True)
    recipient = models.CharField("Recipient", max_length=254, db_index=True)
    subject_sealed = models.TextField(blank=True)
    body_sealed = models.TextField()
    attachments_sealed = models.TextField(blank=True)
    status = models.CharField(
        "Status", max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("Attempts", default=0)
    error = models.TextField("Error", blank=True)
    enrollment = models.ForeignKey(
        "enrollment.PendingEnrollment", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    username = models.CharField("Username", max_length=150, blank=True, db_index=True)
    created_at = models.DateTimeField("Created", default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("Sent", null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("resend_message", "Can re-send a failed message"),
            ("view_message_body", "Can open a message's subject and body (OTPs masked)"),
        ]
        # The Delivery log pages by (created_at, id) (lib.pagination); filtered by status, channel or
        # template it reads (that column, created_at, id) in its order. (status, queued_at) serves the
        # worker's claim and the sweep; with the (status, created_at, id) index it makes an index of
        # status alone redundant, as (created_at, id) and (channel, created_at, id) do for theirs.
        # Trigram indexes serve the recipient and username search on PostgreSQL (0007_list_indexes).
        indexes = [
            models.Index(fields=["status", "queued_at"], name="message_status_queued_idx"),
            models.Index(fields=["created_at", "id"], name="message_created_idx"),
            models.Index(fields=["status", "created_at", "id"], name="message_status_created_idx"),
            models.Index(fields=["channel", "created_at", "id"], name="message_channel_created_idx"),
            models.Index(fields=["template_key", "created_at", "id"], name="message_template_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}"

    def audit_target(self) -> dict[str, Any]:
        """What an audit entry about this message names: its enrollment, user and the message itself
        (never its text)."""
        return {"enrollment_token": self.enrollment.token if self.enrollment else "", "target_username": self.username,
                "details": {"message_id": self.pk, "channel": self.channel, "recipient": self.recipient}}
