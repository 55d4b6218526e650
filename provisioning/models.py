from django.conf import settings
from django.db import models

from enrollment.models import Ownership
from lib.querysets import RestrictedQuerySet
from lib.singleton import SingletonModel


class Provisioning(models.Model):
    """Holds the provisioning permissions only (no table)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("provision_user", "Can provision a user (Provision User)"),
            ("bulk_provision", "Can bulk provision users from CSV"),
            ("qr_provision", "Can create Advanced QR-Code Provisioning codes"),
        ]

    def __str__(self) -> str:
        return "Provisioning permissions"


class BulkJobStatus(models.TextChoices):
    CHECKING = "checking", "Checking rows"
    REFUSED = "refused", "File refused"
    PREVIEW = "preview", "Awaiting start"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "In progress"
    COMPLETED = "completed", "Available for download"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# A queued or running job belongs to the worker: it cannot be removed, and the overview polls it.
BULK_ACTIVE_STATUSES = (BulkJobStatus.QUEUED, BulkJobStatus.RUNNING)
# Before a person started it: the worker checks its rows, or it waits for Start, or its file cannot
# be used at all. Such a job is the uploader's draft, not a row of the overview.
BULK_DRAFT_STATUSES = (BulkJobStatus.CHECKING, BulkJobStatus.PREVIEW, BulkJobStatus.REFUSED)


class BulkJobQuerySet(RestrictedQuerySet["BulkJob"]):
    # Every job for staff allowed to bulk provision (exports are shared within the team).
    view_permission = "provisioning.bulk_provision"


class BulkJob(models.Model):
    """One Bulk Provision Users upload: its options, its preview, its progress and its export.

    The uploaded file and the export live under PRIVATE_STORAGE_DIR, never at a public URL.
    Rows are created at most once: PendingEnrollment (bulk_job_id, bulk_row) is unique.
    """

    status = models.CharField(max_length=12, choices=BulkJobStatus.choices, default=BulkJobStatus.PREVIEW,
                              db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_name = models.CharField(max_length=150)
    file_name = models.CharField(max_length=255)
    upload_path = models.CharField(max_length=500, blank=True)
    export_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    preview_errors = models.JSONField(default=list, blank=True)
    failure_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the worker after every batch; a running job whose heartbeat is old lost its worker
    # and is queued again by the sweep (provisioning.bulk.run.bulk_jobs_requeue_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The export as the batches wrote it, committed with their rows: its length in bytes and the
    # last CSV row in it. A resumed run cuts the file back to this length and goes on from there.
    export_offset = models.BigIntegerField(default=0)
    export_row = models.PositiveIntegerField(default=0)

    objects = BulkJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Bulk job {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in BULK_ACTIVE_STATUSES

    @property
    def is_checking(self) -> bool:
        return self.status == BulkJobStatus.CHECKING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == BulkJobStatus.COMPLETED else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class EnrollmentOption(models.TextChoices):
    SELF_SERVICE_PORTAL = "portal", "Self Service Portal"
    AUTOMATIC = "automatic", "Automatic Provisioning"


class NetworkType(models.TextChoices):
    WIFI = "wifi", "Wi-Fi"
    MOBILE_DATA = "mobile", "Mobile data"


class WifiSecurity(models.TextChoices):
    """The exact tokens Android accepts; anything else silently means an open network."""

    NONE = "NONE", "None"
    WEP = "WEP", "WEP"
    WPA = "WPA", "WPA/WPA2"


class ErrorCorrection(models.TextChoices):
    """The QR error correction levels offered: M survives more damage, L makes a smaller code
    (fewer modules) for large payloads (Headwind and ZXing use L)."""

    M = "M", "M (default)"
    L = "L", "L (smaller code, for large payloads)"


class QrProvisioningQuerySet(RestrictedQuerySet["QrProvisioning"]):
    view_permission = "provisioning.qr_provision"


class QrProvisioning(models.Model):
    """An Advanced QR-Code Provisioning code. Automatic Provisioning ties it to one pending
    enrollment (source qr) holding ``usage_count`` reservations; Self Service Portal codes hold
    nothing and can be reused. The Wi-Fi password is sealed (lib.crypto)."""

    option = models.CharField("Enrollment Option", max_length=10, choices=EnrollmentOption.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_name = models.CharField(max_length=150)
    enrollment_token = models.CharField(max_length=64, blank=True, db_index=True)
    username = models.CharField("Username", max_length=150, blank=True)
    usage_count = models.PositiveIntegerField("Usage Count", default=0)
    ownership = models.CharField(max_length=10, choices=Ownership.choices, default=Ownership.CORPORATE)
    locale = models.CharField("Localization", max_length=10, default="en_US")
    time_zone = models.CharField("Time zone", max_length=64, blank=True)
    network_type = models.CharField("Network Type", max_length=10, choices=NetworkType.choices)
    wifi_ssid = models.CharField("SSID", max_length=32, blank=True)
    wifi_security = models.CharField("Security", max_length=4, choices=WifiSecurity.choices, blank=True)
    wifi_password_sealed = models.TextField(blank=True)
    wifi_hidden = models.BooleanField("Hidden network", default=False)
    payload_sealed = models.TextField(help_text="The JSON payload, sealed: it may hold an OTP and a Wi-Fi password.")
    payload_size = models.PositiveIntegerField(default=0)
    # The images are drawn again from the payload on every cache miss: keep the level they were checked at.
    error_correction = models.CharField("Error correction", max_length=1, choices=ErrorCorrection.choices,
                                        default=ErrorCorrection.M)
    otp_expires_at = models.DateTimeField(null=True, blank=True)

    objects = QrProvisioningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"QR {self.pk} ({self.option})"


# The app seed_demo fills in so QR codes can be tried: its download URL cannot resolve, so no
# device can install it, and the QR pages say so.
DEMO_COMPANION_NAME = "Demo companion app (not installable)"


class DpcSettings(SingletonModel):
    """Admin > Companion app: the device policy controller the QR code installs. A fresh install
    has none (every field empty), and no QR code can be made until one is set."""

    name = models.CharField("App name", max_length=100, blank=True,
                            help_text="For your reference, e.g. the DPC's product name and version.")
    component_name = models.CharField("Device admin component name", max_length=255, blank=True)
    download_url = models.URLField("APK download URL", max_length=500, blank=True)
    signature_checksum = models.CharField("Signing certificate SHA-256", max_length=64, blank=True,
                                          help_text="Stored as padded URL-safe base64.")
    package_checksum = models.CharField("Package checksum (optional)", max_length=64, blank=True)
    skip_encryption = models.BooleanField(
        "Skip encryption", default=False,
        help_text="Puts PROVISIONING_SKIP_ENCRYPTION true in QR codes. Off, the key is left out and Android 7-9 "
                  "devices with full-disk encryption encrypt and reboot during setup.")
    default_locale = models.CharField("Default locale", max_length=10, default="en_US")
    # The default for new QR codes; empty: devices keep their own time zone.
    time_zone = models.CharField("Time zone", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "companion app settings"
        verbose_name_plural = "companion app settings"

    def __str__(self) -> str:
        return "Companion app settings"
