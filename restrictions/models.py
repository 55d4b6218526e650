"""Admin > Enrollment restrictions: the rules a device must meet to enroll (``restrictions.rules``
decides) and the allow-list of corporate identifiers."""

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Device, Platform
from lib.querysets import RestrictedQuerySet
from lib.singleton import SingletonModel

LIMIT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(10_000)]


def all_platforms() -> list[str]:
    return list(Platform.values)


class RestrictionSettings(SingletonModel):
    """The rules, once. A limit left empty is no limit; a platform list holds the platforms allowed
    for that ownership (all of them by default); an empty minimum OS version is no minimum."""

    device_limit = models.PositiveIntegerField(
        "Devices per user",
        null=True,
        blank=True,
        validators=LIMIT_VALIDATORS,
        help_text="Enrolled devices of a user, whatever their ownership, plus the one enrolling. Empty: no limit.",
    )
    device_limit_corporate = models.PositiveIntegerField(
        "Corporate devices per user",
        null=True,
        blank=True,
        validators=LIMIT_VALIDATORS,
        help_text="Counts only the user's Corporate devices. Empty: no limit of its own.",
    )
    device_limit_personal = models.PositiveIntegerField(
        "Personal devices per user",
        null=True,
        blank=True,
        validators=LIMIT_VALIDATORS,
        help_text="Counts only the user's Personal devices. Empty: no limit of its own.",
    )
    platforms_corporate = models.JSONField("Platforms allowed for Corporate", default=all_platforms)
    platforms_personal = models.JSONField("Platforms allowed for Personal", default=all_platforms)
    platforms_unknown = models.JSONField("Platforms allowed for Unknown ownership", default=all_platforms)
    min_os_android = models.CharField("Minimum Android version", max_length=20, blank=True)
    min_os_ios = models.CharField("Minimum iOS/iPadOS version", max_length=20, blank=True)
    min_os_macos = models.CharField("Minimum macOS version", max_length=20, blank=True)
    min_os_windows = models.CharField("Minimum Windows version", max_length=20, blank=True)
    blocked_manufacturers = models.TextField(
        "Blocked manufacturers",
        blank=True,
        help_text='Separated by commas or new lines, e.g. "Huawei, ZTE". Upper and lower case are the same.',
    )
    corporate_list_required = models.BooleanField(
        "Corporate devices must be on the list",
        default=False,
        help_text="A Corporate enrollment is refused unless the device's serial number or IMEI is a corporate "
        "identifier, and a listed identifier that already enrolled cannot enroll a second time.",
    )

    class Meta:
        verbose_name = "enrollment restrictions"
        verbose_name_plural = "enrollment restrictions"

    def __str__(self) -> str:
        return "Enrollment restrictions"


class IdentifierKind(models.TextChoices):
    # Translated: a refusal to an end user names the kind (restrictions.rules).
    SERIAL = "serial", _("Serial number")
    IMEI = "imei", _("IMEI")


class IdentifierStatus(models.TextChoices):
    NOT_CONTACTED = "not_contacted", "Not contacted"
    ENROLLED = "enrolled", "Enrolled"
    REFUSED = "refused", "Refused"


_SEPARATORS = re.compile(r"[\s\-./]")


class CorporateIdentifierQuerySet(RestrictedQuerySet["CorporateIdentifier"]):
    def search(self, term: str) -> "CorporateIdentifierQuerySet":
        """Identifiers holding ``term`` as they are stored (a serial number in capitals, an IMEI's
        digits without the spaces and dashes it is printed with), or notes holding it."""
        term = term.strip()
        if not term:
            return self
        found = models.Q(note__icontains=term)
        for value in {term.upper(), _SEPARATORS.sub("", term)} - {""}:
            found |= models.Q(value__contains=value)
        return self.filter(found)


class CorporateIdentifier(models.Model):
    """A serial number or IMEI of a device the organisation owns, stored normalised
    (``restrictions.identifiers.identifier_normalize``). Its status follows what the device did:
    Enrolled (with the device) when a device with it enrolled, Refused (when, why) when one was
    refused and it had not enrolled."""

    kind = models.CharField("Type", max_length=10, choices=IdentifierKind.choices)
    value = models.CharField("Identifier", max_length=100)
    note = models.CharField("Note", max_length=200, blank=True)
    status = models.CharField(
        "Status", max_length=20, choices=IdentifierStatus.choices, default=IdentifierStatus.NOT_CONTACTED
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="corporate_identifiers"
    )
    enrolled_at = models.DateTimeField("Enrolled at", null=True, blank=True)
    refused_at = models.DateTimeField("Refused at", null=True, blank=True)
    refused_reason = models.CharField("Refusal reason", max_length=300, blank=True)
    created_at = models.DateTimeField("Added", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CorporateIdentifierQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="corporate_identifier_unique")]
        indexes = [
            models.Index(fields=["created_at", "id"], name="corporate_id_created_idx"),
            models.Index(fields=["status", "created_at", "id"], name="corporate_id_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"
