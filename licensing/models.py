from django.conf import settings
from django.db import models

from lib.querysets import RestrictedQuerySet
from lib.singleton import SingletonModel


class LicencePool(SingletonModel):
    """The single row holding how many device licences were bought.

    Reserved and consumed are not stored here: reserved is the sum of the reservations that
    pending enrollments hold, consumed is the sum of the ledger's consume entries. Only
    reservations (what makes reserved + consumed grow) lock this row; a device consuming its
    reservation moves one licence from reserved to consumed and never touches it.
    """

    total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "licence pool"

    def __str__(self) -> str:
        return f"Licence pool ({self.total})"


class LedgerKind(models.TextChoices):
    RESERVE = "reserve", "Reserved"
    RELEASE = "release", "Released"
    CONSUME = "consume", "Consumed"
    SET_TOTAL = "set_total", "Total set"


class LedgerEntryQuerySet(RestrictedQuerySet["LedgerEntry"]):
    # The ledger is part of the Licences page.
    view_permission = "licensing.view_licencepool"


class LedgerEntry(models.Model):
    """Append-only record of every licence movement: who reserved, released or consumed what."""

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    quantity = models.IntegerField()
    # Shown, never looked up: no index (every reservation, release and redemption writes a row).
    enrollment_token = models.CharField(max_length=64, blank=True)
    username = models.CharField(max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    note = models.CharField(max_length=200, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # The ledger pages by (created_at, id) (lib.pagination), filtered by kind through
        # (kind, created_at, id), which also serves kind alone (the consumed sum), so created_at and kind
        # have no index of their own (0003_ledger_list_indexes).
        indexes = [
            models.Index(fields=["created_at", "id"], name="ledger_created_idx"),
            models.Index(fields=["kind", "created_at", "id"], name="ledger_kind_created_idx"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.enrollment_token}"


class LicenceTally(models.Model):
    """Running totals of reserved and consumed licences, so the counts cost the same at any number
    of pending enrollments and ledger entries (PostgreSQL; on SQLite, the embedded default, the
    counts are summed from the rows). Database triggers keep them (migration 0004): every statement
    that writes ``PendingEnrollment.reserved_licences`` (INSERT, UPDATE, DELETE, COPY) adds its change
    to ``reserved``, every consume entry written to the ledger adds to ``consumed``, whoever writes
    them. A transaction adds to one stripe, chosen by its database session, so concurrent
    redemptions do not queue behind one row; the counts are the sums over the stripes."""

    stripe = models.PositiveSmallIntegerField(primary_key=True)
    reserved = models.BigIntegerField(default=0)
    consumed = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "licence tally stripe"

    def __str__(self) -> str:
        return f"Licence tally {self.stripe}: {self.reserved} reserved, {self.consumed} consumed"
