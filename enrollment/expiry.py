"""Expiry: OTPs past their expiry turn their pending enrollment to expired and give
back its licence reservations; expired entries stay listed for EXPIRED_RETENTION_DAYS, then go.

Both functions work in batches, each in its own transaction, taking rows with
SELECT ... FOR UPDATE SKIP LOCKED: two runs at once (or a run and a redemption holding a row)
never touch the same row, and a row skipped now is taken by the next run. Safe to repeat.
Locked entries expire too: a locked entry nobody resets must not hold licences for ever.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record_many
from enrollment.models import PendingEnrollment, PendingEnrollmentQuerySet, State
from licensing.services import licence_release_many
from webhooks import payloads
from webhooks.events import Event, events_record

BATCH_SIZE = 500

Row = tuple[int, str, str, int]  # pk, token, username, reserved_licences


def enrollments_expire(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Mark active and locked entries whose OTP expired before ``now`` as expired and release
    their reservations. Returns how many were expired."""
    now = now or timezone.now()
    actor = Actor.system("expiry")

    def expire(rows: list[Row]) -> None:
        PendingEnrollment.objects.filter(pk__in=[pk for pk, *_ in rows]).update(
            state=State.EXPIRED, expired_at=now, reserved_licences=0
        )
        licence_release_many(entries=[(t, u, r) for _, t, u, r in rows], actor=actor, note="expired")
        audit_record_many(actor=actor, action=AuditAction.ENROLLMENT_EXPIRED, targets=[(t, u) for _, t, u, _ in rows])
        events_record(Event.ENROLLMENT_EXPIRED,
                      (payloads.enrollment_expired(token=t, username=u, expired_at=now) for _, t, u, _ in rows))

    due = PendingEnrollment.objects.filter(state__in=[State.ACTIVE, State.LOCKED], otp_expires_at__lte=now)
    return _in_locked_batches(due, batch_size, expire)


def enrollments_purge_expired(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete entries expired more than EXPIRED_RETENTION_DAYS before ``now``. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPIRED_RETENTION_DAYS)
    actor = Actor.system("expiry")

    def purge(rows: list[Row]) -> None:
        # Expired entries hold no reservation; release anything left, so none is lost.
        licence_release_many(entries=[(t, u, r) for _, t, u, r in rows], actor=actor, note="purged")
        PendingEnrollment.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
        audit_record_many(actor=actor, action=AuditAction.ENROLLMENT_PURGED, targets=[(t, u) for _, t, u, _ in rows],
                          details={"retention_days": settings.EXPIRED_RETENTION_DAYS})

    due = PendingEnrollment.objects.filter(state=State.EXPIRED, expired_at__lt=cutoff)
    return _in_locked_batches(due, batch_size, purge)


def _in_locked_batches(due: PendingEnrollmentQuerySet, batch_size: int, handle: Callable[[list[Row]], None]) -> int:
    """Hand ``due`` to ``handle`` in batches by id, each batch locked and handled in its own
    transaction, until none is left. Returns how many rows were handled."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("pk", "token", "username", "reserved_licences")[:batch_size]
            )
            if not rows:
                return done
            handle(rows)
        done += len(rows)
