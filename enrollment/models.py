import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.end_users import mobile_readings
from accounts.models import EndUser, UserType
from lib.languages import DEFAULT_LANGUAGE, Language
from lib.pagination import FAR_FUTURE
from lib.querysets import RestrictedQuerySet
from lib.singleton import SingletonModel


# Labels end users read (the portal, the activation page, their messages) are translated; the console is English.
class Ownership(models.TextChoices):
    CORPORATE = "corporate", _("Corporate")
    PERSONAL = "personal", _("Personal")
    UNKNOWN = "unknown", _("Unknown")


class Source(models.TextChoices):
    SELF = "self", "Self"
    SINGLE = "single", "Single"
    BULK = "bulk", "Bulk"
    QR = "qr", "QR"


class State(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    LOCKED = "locked", _("Locked")


class OtpContent(models.TextChoices):
    DIGITS = "digits", "Digits"
    LETTERS = "letters", "Letters"
    LETTERS_DIGITS = "letters_digits", "Letters and digits"


class PendingEnrollmentQuerySet(RestrictedQuerySet["PendingEnrollment"]):
    def search(self, term: str) -> "PendingEnrollmentQuerySet":
        term = term.strip()
        if not term:
            return self
        match = models.Q(username__icontains=term) | models.Q(mobile__icontains=term) | models.Q(token__startswith=term)
        # A number as people type it ("0171 2345678") finds its stored E.164 form, by the parser that
        # stored it; leniently: every reading of an ambiguous number.
        readings, _ = mobile_readings(term)
        if readings:
            match |= models.Q(mobile__in=readings)
        return self.filter(match)


class PendingEnrollment(models.Model):
    """A prepared enrollment waiting for a device.

    ``reserved_licences`` is the number of licences this enrollment holds: equal to
    ``uses_remaining`` while active or locked, 0 once expired. Only ``licensing.services``
    decides whether a reservation may grow; services here set the column in the same
    transaction. The OTP is kept only as ciphertext (``enrollment.otp``).
    """

    token = models.CharField("Token", max_length=64, unique=True)
    username = models.CharField("Username", max_length=150)
    user_type = models.CharField("User Type", max_length=10, choices=UserType.choices, default=UserType.LOCAL)
    end_user = models.ForeignKey(EndUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollments")
    email = models.EmailField(blank=True)
    mobile = models.CharField("Mobile", max_length=20, blank=True)
    ownership = models.CharField("Ownership", max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN)
    # The end user's language (lib.languages): their email, SMS and activation page are in it.
    language = models.CharField("Language", max_length=8, choices=Language.choices, default=DEFAULT_LANGUAGE)
    source = models.CharField("Source", max_length=10, choices=Source.choices)
    state = models.CharField("State", max_length=10, choices=State.choices, default=State.ACTIVE)
    otp_ciphertext = models.TextField()
    otp_expires_at = models.DateTimeField("OTP Expires", null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    usage_count = models.PositiveIntegerField("Usage Count", default=1)
    uses_remaining = models.PositiveIntegerField(default=1)
    reserved_licences = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    # Bulk jobs: (job, row) is unique, which makes a resumed job create every row exactly once.
    bulk_job_id = models.BigIntegerField(null=True, blank=True)
    bulk_row = models.PositiveIntegerField(null=True, blank=True)

    objects = PendingEnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_otp", "Can view the OTP of a pending enrollment"),
            ("reset_otp", "Can reset the OTP of a pending enrollment"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["bulk_job_id", "bulk_row"], name="pending_unique_bulk_row"),
        ]
        # An (x, id) index also serves lookups, ranges and sorts on x alone, so x has no index of its
        # own (0006_drop_redundant_indexes); (bulk_job_id, bulk_row)'s unique index serves bulk_job_id.
        indexes = [
            models.Index(fields=["created_at", "id"], name="pending_created_idx"),
            models.Index(fields=["username", "id"], name="pending_username_idx"),
            models.Index(fields=["otp_expires_at", "id"], name="pending_expires_idx"),
            # Sorting by mobile, source or state reads a page straight off these (x, id) indexes;
            # they also serve the source and state filters (0005_pending_sort_indexes).
            models.Index(fields=["mobile", "id"], name="pending_mobile_idx"),
            models.Index(fields=["source", "id"], name="pending_source_idx"),
            models.Index(fields=["state", "id"], name="pending_state_idx"),
            # Sorting by OTP expiry pages by this key (enrollment.selectors.EXPIRES_SORT_KEY): "Unlimited"
            # sorts as the furthest expiry, and keyset pagination needs a key that is never NULL
            # (0008_list_indexes). Trigram indexes serve the username and mobile search (0002).
            models.Index(Coalesce("otp_expires_at", models.Value(FAR_FUTURE), output_field=models.DateTimeField()),
                         "id", name="pending_expires_sort_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.token[:8]}…)"

    @property
    def is_unlimited(self) -> bool:
        return self.otp_expires_at is None


class OtpPolicy(SingletonModel):
    """Admin > OTP policy: how new OTPs look and how long they live."""

    content = models.CharField("Content", max_length=20, choices=OtpContent.choices, default=OtpContent.DIGITS)
    exclude_lookalikes = models.BooleanField(
        "Exclude look-alike characters", default=True, help_text="Leave out 0, O, o, 1, l and I."
    )
    length = models.PositiveSmallIntegerField(
        "Length", default=8, validators=[MinValueValidator(4), MaxValueValidator(32)]
    )
    validity_hours = models.PositiveIntegerField(
        "Validity (hours)", default=72, validators=[MinValueValidator(1), MaxValueValidator(24 * 365)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        "Maximum wrong tries",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="After this many wrong OTPs the pending enrollment is locked until its OTP is reset.",
    )

    class Meta:
        verbose_name = "OTP policy"
        verbose_name_plural = "OTP policy"

    def __str__(self) -> str:
        return "OTP policy"


class GeneralSettings(SingletonModel):
    """Admin > General."""

    activation_url = models.URLField(
        "Activation URL",
        blank=True,
        help_text="The public base URL of this service, used in every activation link and QR code.",
    )

    class Meta:
        verbose_name = "general settings"
        verbose_name_plural = "general settings"

    def __str__(self) -> str:
        return "General settings"

    def effective_activation_url(self) -> str:
        return (self.activation_url or settings.DEFAULT_ACTIVATION_URL).rstrip("/")


class Platform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS/iPadOS"
    MACOS = "macos", "macOS"
    WINDOWS = "windows", "Windows"


class DeviceQuerySet(RestrictedQuerySet["Device"]):
    def search(self, term: str) -> "DeviceQuerySet":
        term = term.strip()
        if not term:
            return self
        return self.filter(
            models.Q(username__icontains=term)
            | models.Q(serial_number__icontains=term)
            | models.Q(model__icontains=term)
            | models.Q(imei__startswith=term)
            | models.Q(enrollment_token__startswith=term)
        )


class Device(models.Model):
    """A device that completed an enrollment (``enrollment.redeem``). Outlives the pending
    enrollment it came from: ``enrollment_token`` and ``source`` say which one."""

    public_id = models.UUIDField("Device ID", default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField("User", max_length=150)
    user_type = models.CharField("User Type", max_length=10, choices=UserType.choices, default=UserType.LOCAL)
    end_user = models.ForeignKey(EndUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    platform = models.CharField("Platform", max_length=10, choices=Platform.choices)
    serial_number = models.CharField("Serial number", max_length=100, blank=True)
    # Digits only, checked (``enrollment.identifiers.imei_normalize``); "" when the device did not say.
    imei = models.CharField("IMEI", max_length=15, blank=True, db_index=True)
    manufacturer = models.CharField("Manufacturer", max_length=100, blank=True)
    model = models.CharField("Model", max_length=100, blank=True)
    os_version = models.CharField("OS version", max_length=50, blank=True)
    ownership = models.CharField("Ownership", max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN)
    enrolled_at = models.DateTimeField("Enrolled at", default=timezone.now)
    enrollment_token = models.CharField("Enrollment token", max_length=64, db_index=True)
    source = models.CharField("Source", max_length=10, choices=Source.choices)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        # The list pages by (enrolled_at, id), filtered by platform through (platform, enrolled_at, id);
        # its search reads trigram indexes on username, serial number and model and the prefix indexes
        # Django makes for imei and enrollment_token (0008_list_indexes). Username (the device limit's
        # count) and serial number are looked up whole: a plain index each, without the prefix twin
        # db_index adds on PostgreSQL, which nothing reads and every redemption wrote (0009).
        indexes = [
            models.Index(fields=["enrolled_at", "id"], name="device_enrolled_idx"),
            models.Index(fields=["platform", "enrolled_at", "id"], name="device_platform_idx"),
            models.Index(fields=["username"], name="device_username_idx"),
            models.Index(fields=["serial_number"], name="device_serial_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} · {self.get_platform_display()} {self.model}".strip()


class PortalSettings(SingletonModel):
    """Admin > Self Service Portal > Simple Enrollment."""

    ask_otp_on_activation = models.BooleanField(
        "Ask for the OTP on the activation page",
        default=True,
        help_text="When off, opening the activation link is enough to enroll: the link itself is the secret.",
    )

    class Meta:
        verbose_name = "self service portal settings"
        verbose_name_plural = "self service portal settings"

    def __str__(self) -> str:
        return "Self Service Portal settings"
