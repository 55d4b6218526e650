"""Reads for the QR pages, scoped to users allowed to provision QR codes."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import User
from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from provisioning.models import EnrollmentOption, QrProvisioning

PERMISSION = "provisioning.qr_provision"


@dataclass(frozen=True)
class QrRow:
    qr: QrProvisioning
    enrollment: PendingEnrollment | None

    @property
    def is_automatic(self) -> bool:
        return self.qr.option == EnrollmentOption.AUTOMATIC

    @property
    def used(self) -> int | None:
        """Devices enrolled with it: usage count minus uses left, or all of them once the pending
        enrollment is gone (used up, or deleted). None for portal codes (unlimited)."""
        if not self.is_automatic:
            return None
        if self.enrollment is None:
            return self.qr.usage_count
        return self.qr.usage_count - self.enrollment.uses_remaining

    @property
    def expires_at(self) -> datetime | None:
        return self.enrollment.otp_expires_at if self.enrollment else self.qr.otp_expires_at


def qr_get(user: User | AnonymousUser, pk: int) -> QrProvisioning:
    if not user.has_perm(PERMISSION):
        raise PermissionDenied
    return get_object_or_404(QrProvisioning.objects.restrict(user), pk=pk)


def qr_rows(user: User | AnonymousUser, *, limit: int = 200) -> list[QrRow]:
    """The newest codes with their pending enrollments, in two queries."""
    codes = list(QrProvisioning.objects.restrict(user).order_by("-created_at", "-id")[:limit])
    tokens = [c.enrollment_token for c in codes if c.enrollment_token]
    enrollments = {e.token: e for e in PendingEnrollment.objects.filter(token__in=tokens)} if tokens else {}
    return [QrRow(qr=c, enrollment=enrollments.get(c.enrollment_token)) for c in codes]


def qr_row(qr: QrProvisioning) -> QrRow:
    enrollment = PendingEnrollment.objects.filter(token=qr.enrollment_token).first() if qr.enrollment_token else None
    return QrRow(qr=qr, enrollment=enrollment)


def qr_payload_text(qr: QrProvisioning) -> str:
    return unseal(qr.payload_sealed)
